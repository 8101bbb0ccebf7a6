//! create -f, update -f and export.

use super::context::Context;
use super::lookup::{filtered, listed, project_filter};
use super::render::printable;
use super::{CliError, failure};
use crate::backend::BackendError;
use crate::backend::resolve::prepare;
use crate::file::read::read_located;
use crate::file::{Format, render, to_value};
use crate::model::Automation;
use crate::model::summary::no_wandb_input;
use crate::wire::WireError;
use crate::wire::encode::{create_input, update_input};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::Path;

/// One automation read from a file, not yet resolved.
pub(crate) struct Parsed {
    /// The automation as written.
    pub(crate) automation: Automation,
    /// `file: name` or `file: [i] name`, for messages.
    pub(crate) label: String,
    /// `file` or `file [i]`: where it was written.
    pub(crate) source: String,
    /// The `updated_at` the file carries (`export` writes it; `Some(None)`: exported before any
    /// update), to tell drift. `None` when the file does not say.
    pub(crate) exported_at: Option<Option<String>>,
    /// The backend `export` wrote it from (`local`, `wandb`): its id and times mean something
    /// only there.
    pub(crate) exported_from: Option<String>,
}

/// Reads and checks one automation file; an error names the file, and the line and column of
/// each problem.
pub(crate) fn parse_file(path: &Path) -> Result<Vec<Parsed>, CliError> {
    let text =
        crate::fsutil::read_input(path, crate::fsutil::MAX_AUTOMATION_FILE).map_err(failure)?;
    let format = if path == Path::new("-") {
        Format::Detect
    } else {
        Format::for_path(path)
    };
    let file = shown(path);
    let (doc, parsed) = read_located(&text, format).map_err(|e| failure(format!("{file}: {e}")))?;
    let stamps: Vec<(Option<Option<String>>, Option<String>)> = match &doc {
        Value::Array(items) => items.iter().map(stamps).collect(),
        single => vec![stamps(single)],
    };
    let count = parsed.len();
    Ok(parsed
        .into_iter()
        .zip(stamps)
        .enumerate()
        .map(|(i, (a, (at, from)))| Parsed {
            label: label(path, i, count, &a),
            source: match count {
                1 => shown(path),
                _ => format!("{} [{i}]", shown(path)),
            },
            automation: a,
            exported_at: at,
            exported_from: from,
        })
        .collect())
}

/// What `export` stamped on an automation: its `updated_at` (drift) and its `backend`.
fn stamps(item: &Value) -> (Option<Option<String>>, Option<String>) {
    let at = item
        .get("updated_at")
        .map(|v| v.as_str().map(str::to_string));
    let from = item
        .get("backend")
        .and_then(Value::as_str)
        .map(str::to_string);
    (at, from)
}

/// An automation as `export` writes it: with its times and the backend it came from.
fn exported(ctx: &Context, a: &Automation) -> Value {
    let mut v = to_value(a, &ctx.entity, true);
    if let Value::Object(m) = &mut v {
        m.insert(
            "backend".into(),
            Value::String(ctx.backend.info().kind.to_string()),
        );
    }
    v
}

/// Says on standard error, for an automation only the local engine fires, that W&B has no input
/// for it (the file form printed is all there is).
pub(crate) fn note_no_wandb_input(a: &Automation) {
    if let Some(note) = no_wandb_input(a) {
        eprintln!("note: {}: {note}", printable(&a.name));
    }
}

/// How to name the file in messages: its path, or "standard input" for `-`.
fn shown(path: &Path) -> String {
    if path == Path::new("-") {
        "standard input".to_string()
    } else {
        path.display().to_string()
    }
}

fn label(path: &Path, index: usize, count: usize, a: &Automation) -> String {
    let item = if count > 1 {
        format!("[{index}] ")
    } else {
        String::new()
    };
    format!("{}: {item}{}", shown(path), a.name)
}

/// Reads, validates and resolves every automation of a file before anything is sent.
async fn load(ctx: &Context, path: &Path) -> Result<Vec<Automation>, CliError> {
    let parsed = parse_file(path)?;
    let mut out = Vec::with_capacity(parsed.len());
    let mut seen = HashSet::new();
    for p in parsed {
        let a = p.automation;
        if !seen.insert((a.scope.path.clone(), a.name.clone())) {
            return Err(failure(format!(
                "{}: the file names this automation twice in {}",
                p.label, a.scope.path
            )));
        }
        let prepared = prepare(ctx.backend.as_ref(), a, &ctx.entity)
            .await
            .map_err(|e| failure(format!("{}: {e}", p.label)))?;
        out.push(prepared);
    }
    Ok(out)
}

/// What a dry run prints for one automation: `{"input": ...}`, the W&B input, or for a kind only
/// the local engine fires, `{"local_only": ...}`, its file form, with a note on standard error.
fn dry_run_doc(
    a: &Automation,
    entity: &str,
    encode: fn(&Automation) -> Result<Value, WireError>,
) -> Result<Value, WireError> {
    if no_wandb_input(a).is_some() {
        note_no_wandb_input(a);
        return Ok(json!({"local_only": to_value(a, entity, false)}));
    }
    encode(a).map(|i| json!({"input": i}))
}

fn print_inputs(inputs: Vec<Value>) {
    let doc = match <[Value; 1]>::try_from(inputs) {
        Ok([one]) => one,
        Err(many) => Value::Array(many),
    };
    print!("{}", render(&doc, Format::Json));
}

/// `create -f FILE [--dry-run]`.
pub(crate) async fn create(ctx: &Context, path: &Path, dry_run: bool) -> Result<(), CliError> {
    let automations = load(ctx, path).await?;
    for a in automations.iter().filter(|a| a.id.is_some()) {
        eprintln!(
            "note: {}: the file's id is ignored; create always makes a new automation",
            a.name
        );
    }
    if dry_run {
        let inputs = automations
            .iter()
            .map(|a| dry_run_doc(a, &ctx.entity, create_input))
            .collect::<Result<Vec<_>, _>>();
        print_inputs(inputs.map_err(|e| failure(e.0))?);
        return Ok(());
    }
    ctx.check_writable("creating automations")?;
    let automations = skip_existing(ctx, automations).await?;
    if automations.is_empty() {
        println!("nothing to create: every automation in the file exists as it says");
        return Ok(());
    }
    let print = |s: &crate::backend::SavedAutomation| {
        let a = &s.automation;
        println!(
            "created {} in {} ({})",
            printable(&a.name),
            printable(&a.scope.path.to_string()),
            a.id.as_deref().unwrap_or("?")
        );
    };
    match ctx.backend.create_automations(&automations).await {
        Ok(saved) => saved.iter().for_each(print),
        Err(crate::backend::BatchError { done, index, error }) => {
            done.iter().for_each(print);
            let name = automations.get(index).map_or("?", |a| a.name.as_str());
            if done.is_empty() {
                return Err(failure(format!("{name}: {error}; nothing was created")));
            }
            let rest: Vec<&str> = automations[index..]
                .iter()
                .map(|a| a.name.as_str())
                .collect();
            return Err(failure(format!(
                "{name}: {error}; {} of {} were created before it (listed above), not created: {}. Fix it and run the same command again: what exists as the file says is skipped",
                done.len(),
                automations.len(),
                rest.join(", ")
            )));
        }
    }
    Ok(())
}

/// Every name is checked against what is there before the first automation is created (W&B
/// has no transactions, so a clash stops the batch before it starts). One that exists exactly as
/// the file says is skipped, so a batch stopped midway continues when run again.
async fn skip_existing(
    ctx: &Context,
    automations: Vec<Automation>,
) -> Result<Vec<Automation>, CliError> {
    let entities: Vec<String> = automations
        .iter()
        .map(|a| a.scope.path.entity().to_string())
        .collect();
    let there = listed(ctx, entities).await?;
    let mut fresh = Vec::with_capacity(automations.len());
    for a in automations {
        let existing = there
            .iter()
            .find(|s| s.name == a.name && s.scope.id == a.scope.id);
        match existing {
            None => fresh.push(a),
            Some(e) if same_input(&a, e) => eprintln!(
                "unchanged {} in {}: it exists as the file says",
                printable(&a.name),
                printable(&a.scope.path.to_string())
            ),
            Some(_) => {
                return Err(failure(format!(
                    "{}: the name is already used by another automation in {}; nothing was created",
                    printable(&a.name),
                    a.scope.path
                )));
            }
        }
    }
    Ok(fresh)
}

/// Whether creating `a` would store what `existing` is (the same `CreateFilterTriggerInput`).
fn same_input(a: &Automation, existing: &Automation) -> bool {
    same(create_input(a), create_input(existing))
}

/// Whether updating `existing` with `a` would change nothing (the same `UpdateFilterTriggerInput`).
fn same_update(a: &Automation, existing: &Automation) -> bool {
    same(update_input(a), update_input(existing))
}

fn same<E>(x: Result<Value, E>, y: Result<Value, E>) -> bool {
    matches!((x, y), (Ok(x), Ok(y)) if x == y)
}

/// The automation a file without an id updates: the one of that name in its scope.
fn find_target<'a>(
    a: &Automation,
    there: &'a [Automation],
) -> Result<&'a Automation, BackendError> {
    there
        .iter()
        .find(|s| s.scope.id == a.scope.id && s.name == a.name)
        .ok_or_else(|| {
            BackendError::NotFound(format!(
                "no automation named {:?} in {}; use `wbauto create -f` to make it",
                a.name, a.scope.path
            ))
        })
}

/// `update -f FILE [--dry-run]`: by the file's id when it has one (so it can rename), else by name.
pub(crate) async fn update(ctx: &Context, path: &Path, dry_run: bool) -> Result<(), CliError> {
    let automations = load(ctx, path).await?;
    // What is there now: a file without an id is aimed at its namesake, and one that would change
    // nothing is not sent (its `updated_at` stays as it was).
    let entities = automations
        .iter()
        .map(|a| a.scope.path.entity().to_string());
    let there = listed(ctx, std::iter::once(ctx.entity.clone()).chain(entities)).await?;
    let mut planned = Vec::new();
    for a in automations {
        let (a, existing) = match &a.id {
            Some(id) => {
                let existing = there.iter().find(|s| s.id.as_ref() == Some(id));
                (a, existing)
            }
            None => {
                let existing =
                    find_target(&a, &there).map_err(|e| failure(format!("{}: {e}", a.name)))?;
                (
                    crate::ops::retarget(a, existing).map_err(failure)?,
                    Some(existing),
                )
            }
        };
        if existing.is_some_and(|e| same_update(&a, e)) {
            println!(
                "unchanged {} in {}",
                printable(&a.name),
                printable(&a.scope.path.to_string())
            );
            continue;
        }
        planned.push(a);
    }
    if dry_run {
        let inputs = planned
            .iter()
            .map(|a| dry_run_doc(a, &ctx.entity, update_input))
            .collect::<Result<Vec<_>, _>>();
        print_inputs(inputs.map_err(|e| failure(e.0))?);
        return Ok(());
    }
    ctx.check_writable("updating automations")?;
    for (done, a) in planned.iter().enumerate() {
        let saved = ctx.backend.update_automation(a).await.map_err(|e| {
            let left = match done {
                0 => "nothing was changed".to_string(),
                n => format!("the {n} above were updated, the rest were not"),
            };
            let hint = match e {
                BackendError::NotFound(_) => ". `wbauto create -f` makes it again",
                _ => "",
            };
            failure(format!("{}: {e}; {left}{hint}", printable(&a.name)))
        })?;
        println!(
            "updated {} in {}",
            printable(&saved.automation.name),
            printable(&saved.automation.scope.path.to_string())
        );
    }
    Ok(())
}

fn file_stem(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches('.');
    if trimmed.is_empty() {
        "automation".to_string()
    } else {
        trimmed.to_string()
    }
}

/// `export [--project P] [--dir DIR]`.
pub(crate) async fn export(
    ctx: &Context,
    project: Option<&str>,
    dir: Option<&Path>,
) -> Result<(), CliError> {
    let filter = project_filter(project, &ctx.entity)?;
    let listing = ctx.backend.list_automations(&ctx.entity).await?;
    let rows = filtered(&listing, filter.as_ref());
    rows.iter().for_each(|s| note_no_wandb_input(&s.automation));
    let Some(dir) = dir else {
        let docs: Vec<Value> = rows.iter().map(|s| exported(ctx, &s.automation)).collect();
        print!("{}", render(&Value::Array(docs), Format::Yaml));
        return Ok(());
    };
    crate::fsutil::create_private_dir(dir)
        .map_err(|e| failure(format!("cannot create {}: {e}", dir.display())))?;
    let mut used = HashSet::new();
    for s in &rows {
        let a = &s.automation;
        let mut stem = file_stem(&a.name);
        if !used.insert(stem.clone()) {
            stem = format!(
                "{stem}--{}",
                file_stem(&a.scope.path.path().replace('/', "-"))
            );
            used.insert(stem.clone());
        }
        let path = dir.join(format!("{stem}.yaml"));
        let text = render(&exported(ctx, a), Format::Yaml);
        crate::fsutil::write_private(&path, text.as_bytes())
            .map_err(|e| failure(format!("cannot write {}: {e}", path.display())))?;
    }
    println!("exported {} automation(s) to {}", rows.len(), dir.display());
    Ok(())
}
