//! list, show, enable, disable, delete.

use super::context::Context;
use super::files::note_no_wandb_input;
use super::lookup::{ProjectFilter, filtered, find, project_filter};
use super::render::{details, printable, table};
use super::{CliError, failure};
use crate::backend::SavedAutomation;
use crate::file::write::{AutomationDoc, write_json_list};
use crate::file::{Format, render as render_doc, to_value};
use crate::model::ids;

/// `list`: a table, or `--json` automation files with ids and timestamps.
pub(crate) async fn list(ctx: &Context, project: Option<&str>, json: bool) -> Result<(), CliError> {
    let filter = project_filter(project, &ctx.entity)?;
    let listing = ctx.backend.list_automations(&ctx.entity).await?;
    let rows = filtered(&listing, filter.as_ref());
    if let (true, Some(f)) = (rows.is_empty(), &filter) {
        ensure_project(ctx, f).await?;
    }
    if json {
        let docs: Vec<AutomationDoc> = rows
            .iter()
            .map(|s| AutomationDoc {
                automation: &s.automation,
                default_entity: &ctx.entity,
                with_times: true,
            })
            .collect();
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        write_json_list(&mut out, &docs)
            .map_err(|e| failure(format!("cannot write the listing: {e}")))?;
    } else if rows.is_empty() && listing.unreadable.is_empty() {
        println!(
            "no automations in {}{}",
            ctx.entity,
            project
                .map(|p| format!(" (project {p})"))
                .unwrap_or_default()
        );
    } else {
        println!("{}", table(&rows, &listing));
    }
    Ok(())
}

/// Fails, naming the entity's projects, when the filter's project does not exist (a project
/// without automations is fine).
async fn ensure_project(ctx: &Context, filter: &ProjectFilter) -> Result<(), CliError> {
    let entity = filter.entity();
    let mut projects = ctx.backend.list_projects(entity).await?;
    projects.extend(ctx.backend.list_registries(entity).await?);
    if projects.iter().any(|p| p.name == filter.project()) {
        return Ok(());
    }
    let names: Vec<&str> = projects.iter().map(|p| p.name.as_str()).collect();
    let known = if names.is_empty() {
        format!("{entity} has no projects")
    } else {
        format!("the projects of {entity}: {}", names.join(", "))
    };
    Err(failure(format!(
        "no project {entity}/{} (check the name; {known})",
        filter.project()
    )))
}

/// `show`: plain words, or the automation file.
pub(crate) async fn show(
    ctx: &Context,
    target: &str,
    project: Option<&str>,
    json: bool,
    yaml: bool,
) -> Result<(), CliError> {
    let filter = project_filter(project, &ctx.entity)?;
    let listing = ctx.backend.list_automations(&ctx.entity).await?;
    let saved = find(&listing, target, filter.as_ref(), &ctx.entity)?;
    let doc = to_value(&saved.automation, &ctx.entity, false);
    if json || yaml {
        note_no_wandb_input(&saved.automation);
    }
    match (json, yaml) {
        (true, _) => print!("{}", render_doc(&doc, Format::Json)),
        (_, true) => print!("{}", render_doc(&doc, Format::Yaml)),
        _ => println!("{}", details(&saved.automation)),
    }
    Ok(())
}

/// `enable` / `disable`: every target is found before anything changes.
pub(crate) async fn set_enabled(
    ctx: &Context,
    targets: &[String],
    project: Option<&str>,
    enabled: bool,
) -> Result<(), CliError> {
    let verb = if enabled { "enabled" } else { "disabled" };
    ctx.check_writable(&format!("changing whether automations are {verb}"))?;
    let filter = project_filter(project, &ctx.entity)?;
    let listing = ctx.backend.list_automations(&ctx.entity).await?;
    let found: Vec<&SavedAutomation> = targets
        .iter()
        .map(|t| find(&listing, t, filter.as_ref(), &ctx.entity))
        .collect::<Result<_, _>>()?;
    for saved in found {
        let a = &saved.automation;
        let done = crate::ops::set_enabled(ctx.backend.as_ref(), &ctx.entity, saved, enabled)
            .await
            .map_err(|e| match e {
                crate::backend::BackendError::Invalid(p) => {
                    failure(crate::model::validate::one_line(&p))
                }
                other => failure(format!("{}: {other}", a.name)),
            })?;
        match done.changed {
            false => println!("{} is already {verb}", printable(&a.name)),
            true => println!(
                "{verb} {} ({})",
                printable(&a.name),
                printable(&a.scope.path.to_string())
            ),
        }
    }
    Ok(())
}

/// `delete`: names are resolved first; ids are sent as they are. Asks on a terminal unless `--yes`.
pub(crate) async fn delete(
    ctx: &Context,
    targets: &[String],
    project: Option<&str>,
    yes: bool,
) -> Result<(), CliError> {
    ctx.check_writable("deleting automations")?;
    let filter = project_filter(project, &ctx.entity)?;
    let needs_listing = targets.iter().any(|t| !ids::is_trigger_id(t));
    let listing = if needs_listing {
        Some(ctx.backend.list_automations(&ctx.entity).await?)
    } else {
        None
    };
    let mut doomed: Vec<(String, String)> = Vec::new();
    for t in targets {
        match &listing {
            Some(l) if !ids::is_trigger_id(t) => {
                let s = find(l, t, filter.as_ref(), &ctx.entity)?;
                doomed.push((
                    s.automation.id.clone().unwrap_or_default(),
                    format!("{} ({})", s.automation.name, s.automation.scope.path),
                ));
            }
            _ => doomed.push((t.clone(), t.clone())),
        }
    }
    let names: Vec<&str> = doomed.iter().map(|(_, n)| n.as_str()).collect();
    super::prompt::confirm(
        &format!(
            "Delete {} automation(s): {}?",
            doomed.len(),
            names.join(", ")
        ),
        yes,
        "delete",
        "nothing deleted",
    )?;
    for (id, label) in doomed {
        crate::ops::delete(ctx.backend.as_ref(), &id)
            .await
            .map_err(|e| failure(format!("{label}: {e}")))?;
        println!("deleted {}", printable(&label));
    }
    Ok(())
}
