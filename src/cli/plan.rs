//! `plan` and `apply`: automation files as the desired state of the scopes they name.

use super::context::Context;
use super::files::parse_file;
use super::lookup::{listed, project_filter};
use super::plan_json;
use super::render::printable;
use super::{CliError, failure};
use crate::backend::resolve::prepare;
use crate::model::{Automation, Feature};
use crate::ops::plan::{self, Change, ChangeKind, Desired, FieldDiff, LocalOnly, Plan};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What `plan` and `apply` were asked.
pub(crate) struct PlanArgs<'a> {
    /// Files and directories (searched recursively); `-` is standard input.
    pub(crate) paths: &'a [PathBuf],
    /// Also cover this project (PROJECT or ENTITY/PROJECT).
    pub(crate) project: Option<&'a str>,
    /// Delete what no file names, in the covered scopes.
    pub(crate) prune: bool,
}

/// The automation files under `paths`: files as given, directories searched recursively for
/// `.yaml`, `.yml` and `.json` (hidden entries skipped), sorted.
fn files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for p in paths {
        if p == Path::new("-") || !p.is_dir() {
            if p != Path::new("-") && !p.exists() {
                return Err(failure(format!(
                    "{}: no such file or directory",
                    p.display()
                )));
            }
            out.push(p.clone());
            continue;
        }
        let mut found = Vec::new();
        walk(p, &mut found)?;
        found.sort();
        out.extend(found);
    }
    if out.is_empty() {
        return Err(failure(
            "no automation files (.yaml, .yml, .json) found; `wbauto export --dir DIR` writes them",
        ));
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| failure(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries {
        let entry = entry.map_err(|e| failure(format!("cannot read {}: {e}", dir.display())))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

/// Every file read and checked before the backend is asked anything, then resolved; what only
/// the local engine fires is set aside when this backend cannot hold it.
async fn desired(
    ctx: &Context,
    paths: &[PathBuf],
) -> Result<(Vec<Desired>, Vec<LocalOnly>), CliError> {
    let mut parsed = Vec::new();
    for path in files(paths)? {
        parsed.extend(parse_file(&path)?);
    }
    let caps = ctx.backend.capabilities().await?;
    let mut out = Vec::with_capacity(parsed.len());
    let mut aside = Vec::new();
    let mut refused = Vec::new();
    let mut seen = HashSet::new();
    let here = ctx.backend.info().kind.to_string();
    for p in parsed {
        let mut a = p.automation;
        let mut exported_at = p.exported_at;
        // Exported from another backend (a move onto W&B): its id and times are that backend's,
        // so it is matched here by scope and name.
        if p.exported_from.as_ref().is_some_and(|from| *from != here) {
            a.id = None;
            exported_at = None;
        }
        if a.id.is_none() && !seen.insert((a.scope.path.clone(), a.name.clone())) {
            return Err(failure(format!(
                "{}: another file already names this automation in {}",
                p.label, a.scope.path
            )));
        }
        let kind = a.event.kind();
        if kind.is_local_only() && caps.supports(Feature::Event(kind)).is_err() {
            aside.push(LocalOnly {
                name: a.name,
                scope: a.scope.path,
                source: p.source,
                kind,
            });
            continue;
        }
        // A read-only automation (one wbauto cannot write) is only compared, never sent.
        let resolved = if a.read_only_reason().is_some() {
            a
        } else {
            match prepare(ctx.backend.as_ref(), a, &ctx.entity).await {
                Ok(a) => a,
                Err(e) => {
                    refused.push(format!("{}: {e}", p.label));
                    continue;
                }
            }
        };
        out.push(Desired {
            automation: resolved,
            source: p.source,
            exported_at,
        });
    }
    // Every file's problem at once, before anything is planned or sent: a plan is made of all
    // the files or of none.
    if !refused.is_empty() {
        return Err(failure(format!(
            "{}\nnothing was planned or sent: {} file(s) cannot be held by this backend as written",
            refused.join("\n"),
            refused.len()
        )));
    }
    Ok((out, aside))
}

/// Makes the plan for a request.
async fn make(ctx: &Context, req: &PlanArgs<'_>) -> Result<Plan, CliError> {
    let (wanted, local_only) = desired(ctx, req.paths).await?;
    let filter = project_filter(req.project, &ctx.entity)?;
    let extra = filter.as_ref().map(|f| f.entity().to_string());
    let entities = wanted
        .iter()
        .map(|d| d.automation.scope.path.entity().to_string())
        .chain(extra);
    let now = listed(ctx, entities).await?;
    let covers = |p: &crate::model::ScopePath| filter.as_ref().is_some_and(|f| f.contains(p));
    plan::make(wanted, local_only, &now, &covers, req.prune, &ctx.entity).map_err(failure)
}

fn value_text(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(v) => printable(&serde_json::to_string(v).unwrap_or_default()).into_owned(),
    }
}

fn diff_line(d: &FieldDiff) -> String {
    match (&d.old, &d.new) {
        (None, _) => format!("      + {}: {}", d.path, value_text(&d.new)),
        (_, None) => format!("      - {}: {}", d.path, value_text(&d.old)),
        _ => format!(
            "      ~ {}: {} → {}",
            d.path,
            value_text(&d.old),
            value_text(&d.new)
        ),
    }
}

/// The plan in words, as `terraform plan` shows one.
pub(crate) fn describe(p: &Plan) -> String {
    let mut out = String::new();
    for c in &p.changes {
        let from = c
            .source
            .as_deref()
            .map(|s| format!("  ({})", printable(s)))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {} {} {} in {}{from}\n",
            c.kind.mark(),
            c.kind.word(),
            printable(&c.name),
            printable(&c.scope.to_string())
        ));
        for d in &c.diffs {
            out.push_str(&diff_line(d));
            out.push('\n');
        }
        if let Some((file, server)) = &c.drift {
            out.push_str(&format!(
                "      ! drift: changed on the server at {server}, after the file's updated_at ({file}); unless that was you, applying replaces that change (`wbauto export` refreshes the file)\n"
            ));
        }
        for n in &c.notes {
            out.push_str(&format!("      note: {}\n", printable(n)));
        }
    }
    for l in &p.local_only {
        out.push_str(&format!(
            "  ! local only: {} in {}  ({}): {} runs on wbauto's local engine only; not sent\n",
            printable(&l.name),
            printable(&l.scope.to_string()),
            printable(&l.source),
            l.kind.file_name()
        ));
    }
    if !p.unchanged.is_empty() {
        out.push_str(&format!("  = {} unchanged\n", p.unchanged.len()));
    }
    if !p.kept.is_empty() {
        out.push_str(&format!(
            "  {} automation(s) in these scopes are in no file and are kept; --prune deletes them\n",
            p.kept.len()
        ));
    }
    if p.changes.is_empty() {
        out.push_str("No changes: the backend holds what the files say.\n");
    } else {
        out.push_str(&format!(
            "Plan: {} to create, {} to update, {} to delete, {} unchanged.\n",
            p.count(ChangeKind::Create),
            p.count(ChangeKind::Update),
            p.count(ChangeKind::Delete),
            p.unchanged.len()
        ));
    }
    out
}

/// `plan -f PATH... [--project P] [--prune] [--json] [--detailed-exitcode]`.
pub(crate) async fn run_plan(
    ctx: &Context,
    req: &PlanArgs<'_>,
    json: bool,
    detailed_exitcode: bool,
) -> Result<(), CliError> {
    let p = make(ctx, req).await?;
    if json {
        let doc = plan_json::to_json(&p, &ctx.backend.info(), &ctx.entity);
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        print!("{}", describe(&p));
    }
    if detailed_exitcode && !p.changes.is_empty() {
        return Err(CliError::Exit(2));
    }
    Ok(())
}

/// `apply -f PATH... [--prune] [--yes]` or `apply --plan FILE [--yes]`.
pub(crate) async fn run_apply(
    ctx: &Context,
    req: &PlanArgs<'_>,
    saved: Option<&Path>,
    yes: bool,
) -> Result<(), CliError> {
    ctx.check_writable("applying changes")?;
    let p = match saved {
        Some(file) => saved_plan(ctx, file).await?,
        None => make(ctx, req).await?,
    };
    print!("{}", describe(&p));
    if p.changes.is_empty() {
        return Ok(());
    }
    super::prompt::confirm(
        &format!("Apply these {} change(s)?", p.changes.len()),
        yes,
        "apply",
        "nothing applied",
    )?;
    let total = p.changes.len();
    let applied = plan::apply(ctx.backend.as_ref(), p.changes, |c, _| {
        let past = match c.kind {
            ChangeKind::Create => "created",
            ChangeKind::Update => "updated",
            ChangeKind::Delete => "deleted",
        };
        println!(
            "{past} {} in {}",
            printable(&c.name),
            printable(&c.scope.to_string())
        );
    })
    .await;
    let Some((failed, error, rest)) = applied.stopped else {
        println!("Applied {total} change(s).");
        return Ok(());
    };
    let not_done: Vec<String> = std::iter::once(&failed)
        .chain(rest.iter())
        .map(|c| format!("{} {}", c.kind.word(), c.name))
        .collect();
    let aside: String = applied
        .renamed
        .iter()
        .map(|(planned, now)| format!("; {planned:?} is left named {now:?}"))
        .collect();
    Err(failure(format!(
        "{} {}: {error}; {} of {total} change(s) were applied (listed above), not applied: {}{}. `wbauto plan` shows what is left",
        failed.kind.word(),
        printable(&failed.name),
        applied.done.len(),
        printable(&not_done.join(", ")),
        printable(&aside)
    )))
}

/// A saved `plan --json`, applied only if the backend still holds what it was made from.
async fn saved_plan(ctx: &Context, file: &Path) -> Result<Plan, CliError> {
    let text =
        crate::fsutil::read_input(file, crate::fsutil::MAX_AUTOMATION_FILE).map_err(failure)?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        failure(format!(
            "{}: not a saved plan (line {}, column {}): {e}; make one with `wbauto plan --json`",
            file.display(),
            e.line(),
            e.column()
        ))
    })?;
    let saved = plan_json::from_json(&doc, &ctx.backend.info(), &ctx.entity)
        .map_err(|e| failure(format!("{}: {e}", file.display())))?;
    let entities = saved.scopes.iter().map(|s| s.entity().to_string());
    let now = listed(ctx, entities).await?;
    let drift = plan::drifted(&saved.base, &now, &saved.scopes);
    if !drift.is_empty() {
        return Err(failure(format!(
            "the backend changed since the plan was made, so nothing was applied: {}. Make a new plan",
            printable(&drift.join("; "))
        )));
    }
    let mut changes = Vec::with_capacity(saved.changes.len());
    for mut c in saved.changes {
        c.desired = match c.desired.take() {
            Some(a) => Some(resolve_saved(ctx, a, &c, &now).await?),
            None => None,
        };
        changes.push(c);
    }
    Ok(Plan { changes, ..saved })
}

/// A saved change's automation resolved again, an update aimed at what is there now.
async fn resolve_saved(
    ctx: &Context,
    a: Automation,
    c: &Change,
    now: &[Automation],
) -> Result<Automation, CliError> {
    let resolved = prepare(ctx.backend.as_ref(), a, &ctx.entity)
        .await
        .map_err(|e| failure(format!("{}: {e}", c.name)))?;
    match c.kind {
        ChangeKind::Update => {
            let current = now
                .iter()
                .find(|e| e.id == c.id)
                .ok_or_else(|| failure(format!("{}: it is gone; make a new plan", c.name)))?;
            crate::ops::retarget(resolved, current).map_err(failure)
        }
        _ => Ok(resolved),
    }
}
