//! `history`: what fired, from the backend in use (W&B's records, or the local engine's), newest
//! first, through the one history method both backends answer: an automation (by name or id, or
//! by the name it had when it fired), a project, an artifact collection or the whole entity,
//! filtered by status and time. An empty answer says what the filters left out; a W&B server
//! that keeps no history says so in one line and exits 1.

use super::context::Context;
use super::lookup::find;
use super::render::printable;
use super::{CliError, failure};
use crate::backend::{BackendError, BackendKind};
use crate::model::history::{Execution, History, HistoryQuery, HistoryScope, Status};
use jiff::Timestamp;

/// What `history` was asked.
pub(crate) struct HistoryArgs<'a> {
    /// An automation's name or id.
    pub(crate) target: Option<&'a str>,
    /// `ENTITY/PROJECT`: the project's history (with its collections').
    pub(crate) project: Option<&'a str>,
    /// `ENTITY/PROJECT/COLLECTION`: one artifact collection's history.
    pub(crate) collection: Option<&'a str>,
    /// Only this status.
    pub(crate) status: Option<&'a str>,
    /// Only since: a duration before now (`30m`) or an RFC 3339 time.
    pub(crate) since: Option<&'a str>,
    /// At most this many, newest first.
    pub(crate) limit: usize,
    /// As JSON.
    pub(crate) json: bool,
}

/// A duration such as `30s`, `30m`, `2h`, `7d` before `now`, or an RFC 3339 time.
fn since(text: &str, now: Timestamp) -> Result<Timestamp, CliError> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let usage = || {
        CliError::Usage(format!(
            "--since {text:?}: use e.g. 30s, 30m, 2h, 7d or an RFC 3339 time"
        ))
    };
    let (n, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = n.parse().map_err(|_| usage())?;
    let seconds = match unit {
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        _ => return Err(usage()),
    };
    now.checked_sub(jiff::SignedDuration::from_secs(seconds))
        .map_err(|_| usage())
}

/// `E/P` or `E/P/C` split in `parts` pieces, each non-empty.
fn path<'a>(text: &'a str, flag: &str, parts: usize) -> Result<Vec<&'a str>, CliError> {
    let pieces: Vec<&str> = text.splitn(parts, '/').collect();
    if pieces.len() != parts || pieces.iter().any(|p| p.is_empty()) {
        let shape = if parts == 2 {
            "ENTITY/PROJECT"
        } else {
            "ENTITY/PROJECT/COLLECTION"
        };
        return Err(CliError::Usage(format!("{flag} {text:?}: write {shape}")));
    }
    Ok(pieces)
}

/// The scope asked for, and the automation filter (an id or the name it had when it fired).
async fn scope(
    ctx: &Context,
    args: &HistoryArgs<'_>,
) -> Result<(HistoryScope, Option<String>), CliError> {
    if args.project.is_some() && args.collection.is_some() {
        return Err(CliError::Usage(
            "give --project or --collection, not both".into(),
        ));
    }
    let scope = match (args.project, args.collection) {
        (Some(p), _) => {
            let p = path(p, "--project", 2)?;
            Some(HistoryScope::Project {
                entity: p[0].into(),
                project: p[1].into(),
            })
        }
        (_, Some(c)) => {
            let c = path(c, "--collection", 3)?;
            Some(HistoryScope::Collection {
                entity: c[0].into(),
                project: c[1].into(),
                collection: c[2].into(),
            })
        }
        _ => None,
    };
    let Some(target) = args.target else {
        let entity = HistoryScope::Entity {
            entity: ctx.entity.clone(),
        };
        return Ok((scope.unwrap_or(entity), None));
    };
    // A current automation is read alone; any other name may be the one a renamed or deleted
    // automation had when it fired.
    let listing = ctx.backend.list_automations(&ctx.entity).await?;
    match (scope, find(&listing, target, None, &ctx.entity)) {
        (Some(scope), found) => {
            let filter = found.ok().and_then(|s| s.automation.id.clone());
            Ok((scope, Some(filter.unwrap_or_else(|| target.to_string()))))
        }
        (None, Ok(found)) => {
            let id = found.automation.id.clone().unwrap_or_default();
            Ok((HistoryScope::Automation { id: id.clone() }, Some(id)))
        }
        (None, Err(_)) => Ok((
            HistoryScope::Entity {
                entity: ctx.entity.clone(),
            },
            Some(target.to_string()),
        )),
    }
}

/// Whose history, in words.
fn scope_words(scope: &HistoryScope) -> String {
    match scope {
        HistoryScope::Automation { .. } => "the automation".into(),
        HistoryScope::Project { entity, project } => format!("{entity}/{project}"),
        HistoryScope::Collection {
            entity,
            project,
            collection,
        } => format!("{entity}/{project}/{collection}"),
        HistoryScope::Entity { entity } => format!("{entity}'s automations"),
    }
}

/// What an empty answer says: what the filters left out, or that nothing was recorded.
fn nothing(
    ctx: &Context,
    query: &HistoryQuery,
    history: &History,
    args: &HistoryArgs<'_>,
) -> String {
    let status = query
        .status
        .as_ref()
        .map(|s| format!("{s} "))
        .unwrap_or_default();
    let who = match (&query.automation, args.target) {
        (Some(_), Some(target)) => format!(" of {target}"),
        _ => String::new(),
    };
    if let (Some(since), Some(text)) = (query.since, args.since)
        && history.older > 0
    {
        let when = since.strftime("%Y-%m-%d %H:%M:%S UTC");
        let window = if text.parse::<Timestamp>().is_ok() {
            format!("since {when}")
        } else {
            format!("in the last {text} (since {when})")
        };
        return format!(
            "no {status}executions{who} {window}; {} older one(s) exist: widen or drop --since",
            history.older
        );
    }
    if query.status.is_some() && history.other_status > 0 {
        return format!(
            "no {status}executions{who}; {} with another status (drop --status to see them)",
            history.other_status
        );
    }
    if query.automation.is_some() && history.total > 0 {
        return format!(
            "no executions of {}; `wbauto list` shows the automations, `wbauto history` every execution",
            args.target.unwrap_or_default()
        );
    }
    match ctx.backend.info().kind {
        BackendKind::Local => "no executions yet; `wbauto emit ...` sends an event".into(),
        BackendKind::Wandb => format!(
            "W&B has recorded no executions of {} yet",
            scope_words(&query.scope)
        ),
    }
}

/// One execution's row.
fn row(e: &Execution) -> String {
    let time = e
        .created_at
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| "-".into());
    let status = if e.is_test() {
        format!("{} (test)", e.status)
    } else {
        e.status.to_string()
    };
    format!(
        "{:<19}  {:<18}  {:<24}  {:<18}  {:<26}  {:>5}  {}",
        time,
        printable(&status),
        printable(e.automation_name.as_deref().unwrap_or("-")),
        printable(e.event_type.as_deref().unwrap_or("-")),
        printable(&e.subject()),
        e.step.map(|s| s.to_string()).unwrap_or_default(),
        printable(&e.outcome()),
    )
}

/// `history [NAME|ID] [--project E/P] [--collection E/P/C] [--status S] [--since D] [--limit N]
/// [--json]`.
pub(crate) async fn run(ctx: &Context, args: &HistoryArgs<'_>) -> Result<(), CliError> {
    let status = args
        .status
        .map(|s| {
            Status::known(s).ok_or_else(|| {
                CliError::Usage(format!(
                    "--status {s:?} is not a status; use one of {}",
                    Status::KNOWN.join(", ")
                ))
            })
        })
        .transpose()?;
    let since = args.since.map(|s| since(s, Timestamp::now())).transpose()?;
    let (scope, automation) = scope(ctx, args).await?;
    let query = HistoryQuery {
        automation,
        status,
        since,
        limit: Some(args.limit),
        ..HistoryQuery::of(scope)
    };
    let history = ctx
        .backend
        .automation_history(&query)
        .await
        .map_err(|e| match e {
            BackendError::NoHistory(m) => failure(m),
            other => other.into(),
        })?;
    if args.json {
        let text = serde_json::to_string_pretty(&history.executions)
            .map_err(|e| failure(format!("cannot write the history as JSON: {e}")))?;
        println!("{text}");
        return Ok(());
    }
    if history.executions.is_empty() {
        println!("{}", nothing(ctx, &query, &history, args));
        return Ok(());
    }
    println!(
        "{:<19}  {:<18}  {:<24}  {:<18}  {:<26}  {:>5}  RESULT",
        "TIME", "STATUS", "AUTOMATION", "EVENT", "RUN / SUBJECT", "STEP"
    );
    for e in &history.executions {
        println!("{}", row(e));
    }
    if history.matched > history.executions.len() {
        println!(
            "{} of {} shown, newest first; --limit N shows more",
            history.executions.len(),
            history.matched
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_duration_or_a_time() {
        let now: Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
        for (text, then) in [
            ("30s", "2026-03-01T11:59:30Z"),
            ("30m", "2026-03-01T11:30:00Z"),
            ("2h", "2026-03-01T10:00:00Z"),
            ("7d", "2026-02-22T12:00:00Z"),
            ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        ] {
            assert_eq!(since(text, now).unwrap().to_string(), then, "{text}");
        }
        for bad in ["30", "m", "3w", "yesterday"] {
            let Err(CliError::Usage(m)) = since(bad, now) else {
                panic!("{bad}")
            };
            assert!(m.contains("use e.g. 30s"), "{m}");
        }
    }
}
