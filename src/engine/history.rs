//! Reading executions back: `wbauto history` and the dashboard's History.

use super::error::{EngineError, db};
use crate::backend::BackendError;
use crate::model::history as model;
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// One execution as history shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Execution {
    /// Its id (also the delivery id).
    pub id: String,
    /// The automation's id.
    pub automation_id: String,
    /// The automation's name when it fired.
    pub automation_name: String,
    /// W&B's name of the event.
    pub event_type: String,
    /// `in_progress`, `success`, `failed` or `skipped`.
    pub status: String,
    /// When it was decided (RFC 3339).
    pub created_at: String,
    /// When it ended.
    pub finished_at: Option<String>,
    /// The run's id, for run events.
    pub run: Option<String>,
    /// The run's project (`ENTITY/PROJECT`), for run events.
    pub project: Option<String>,
    /// The step, for metric events.
    pub step: Option<i64>,
    /// The collection, for artifact events.
    pub collection: Option<String>,
    /// What made it fire: the value compared and the window.
    pub trigger: Option<Value>,
    /// Delivery attempts made.
    pub attempts: i64,
    /// The last HTTP status.
    pub response_status: Option<i64>,
    /// The first 2 KB of the last answer.
    pub response_body: Option<String>,
    /// What went wrong, or why it was skipped.
    pub error: Option<String>,
    /// A test fire.
    pub test: bool,
    /// The request, secrets masked.
    pub request: Option<Value>,
}

/// What to list.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// Only these automations (ids).
    pub automations: Option<Vec<String>>,
    /// Only this status.
    pub status: Option<String>,
    /// Only executions at or after this time (RFC 3339).
    pub since: Option<String>,
    /// Only executions of this run (`ENTITY/PROJECT/RUN`).
    pub run: Option<String>,
    /// Only the newest real execution (test fires left out) of each automation.
    pub newest_real: bool,
    /// At most this many, newest first.
    pub limit: usize,
}

/// Executions matching `q`, newest first.
pub fn list(conn: &Connection, q: &Query) -> Result<Vec<Execution>, EngineError> {
    let mut sql = String::from(
        "SELECT id, automation_id, automation_name, event_type, status, created_at, finished_at, run, step, collection, trigger_values, attempts, response_status, response_body, error, test, request FROM executions WHERE 1 = 1",
    );
    let mut args: Vec<String> = Vec::new();
    if let Some(ids) = &q.automations {
        let marks: Vec<String> = ids
            .iter()
            .map(|id| {
                args.push(id.clone());
                format!("?{}", args.len())
            })
            .collect();
        sql.push_str(&format!(" AND automation_id IN ({})", marks.join(", ")));
    }
    if let Some(s) = &q.status {
        args.push(s.clone());
        sql.push_str(&format!(" AND status = ?{}", args.len()));
    }
    if let Some(s) = &q.since {
        args.push(s.clone());
        sql.push_str(&format!(" AND created_at >= ?{}", args.len()));
    }
    if let Some(r) = &q.run {
        args.push(r.clone());
        sql.push_str(&format!(" AND run = ?{}", args.len()));
    }
    if q.newest_real {
        sql.push_str(
            " AND num IN (SELECT MAX(num) FROM executions WHERE test = 0 GROUP BY automation_id)",
        );
    }
    sql.push_str(&format!(" ORDER BY num DESC LIMIT {}", q.limit.max(1)));
    let mut stmt = conn.prepare(&sql).map_err(db)?;
    let rows = stmt
        .query_map(params_from_iter(args.iter()), |r| {
            let run: Option<String> = r.get(7)?;
            let (project, run) = match run.as_deref().and_then(|k| k.rsplit_once('/')) {
                Some((p, id)) => (Some(p.to_string()), Some(id.to_string())),
                None => (None, run),
            };
            let json = |i: usize| -> rusqlite::Result<Option<Value>> {
                Ok(r.get::<_, Option<String>>(i)?
                    .and_then(|t| serde_json::from_str::<Value>(&t).ok()))
            };
            Ok(Execution {
                id: r.get(0)?,
                automation_id: r.get(1)?,
                automation_name: r.get(2)?,
                event_type: r.get(3)?,
                status: r.get(4)?,
                created_at: r.get(5)?,
                finished_at: r.get(6)?,
                run,
                project,
                step: r.get(8)?,
                collection: r.get(9)?,
                trigger: json(10)?,
                attempts: r.get(11)?,
                response_status: r.get(12)?,
                response_body: r.get(13)?,
                error: r.get(14)?,
                test: r.get(15)?,
                request: json(16)?.map(masked),
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// A stored request with its URL masked as shown today (rows written before Slack paths and
/// userinfo were masked keep them in the database, never on screen).
fn masked(mut request: Value) -> Value {
    if let Some(url) = request.get_mut("url")
        && let Some(text) = url.as_str()
    {
        let shown = super::request::shown_url(text, false);
        *url = Value::String(shown);
    }
    request
}

impl Execution {
    /// This execution in the one history model both backends answer with; `run_name` is the
    /// run's display name where the engine read it from the run's log.
    pub fn into_model(self, run_name: Option<String>) -> model::Execution {
        let (project, collection) = match self.collection.as_deref().and_then(split_collection) {
            Some((project, name)) => (Some(project.to_string()), Some(name.to_string())),
            None => (self.project, None),
        };
        let mut notes = Vec::new();
        let created_at = self.created_at.parse().ok();
        if created_at.is_none() {
            notes.push(format!("its time {:?} could not be read", self.created_at));
        }
        model::Execution {
            id: Some(self.id),
            automation_id: Some(self.automation_id),
            automation_name: Some(self.automation_name),
            event_type: Some(self.event_type),
            status: model::Status::named(&self.status),
            created_at,
            finished_at: self.finished_at.and_then(|t| t.parse().ok()),
            run: self.run,
            run_name,
            project,
            collection,
            step: self.step,
            trigger: self.trigger,
            response_status: self.response_status,
            response_body: self.response_body,
            error: self.error,
            attempts: Some(self.attempts),
            test: Some(self.test),
            request: self.request,
            notes,
            ..model::Execution::unknown(model::Source::Local, model::Status::Skipped)
        }
    }
}

/// `ENTITY/PROJECT/COLLECTION` split into `ENTITY/PROJECT` and the collection's name.
fn split_collection(path: &str) -> Option<(&str, &str)> {
    path.rsplit_once('/')
        .filter(|(project, _)| project.contains('/'))
}

/// Whether an execution recorded as `e` belongs to `scope`.
fn in_scope(e: &model::Execution, scope: &model::HistoryScope) -> bool {
    let project = e.project.as_deref();
    match scope {
        model::HistoryScope::Automation { id } => e.automation_id.as_deref() == Some(id),
        model::HistoryScope::Project { entity, project: p } => {
            project == Some(format!("{entity}/{p}").as_str())
        }
        model::HistoryScope::Collection {
            entity,
            project: p,
            collection,
        } => {
            project == Some(format!("{entity}/{p}").as_str())
                && e.collection.as_deref() == Some(collection)
        }
        // The local database is one team's, with its organization's registries: an entity's
        // history is all of it (an org-scoped automation fires on the org's projects).
        model::HistoryScope::Entity { .. } => true,
    }
}

/// Whether the engine made its table `name` in this database yet.
fn has_table(conn: &Connection, name: &str) -> Result<bool, BackendError> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// The display names of the runs the engine followed, by `ENTITY/PROJECT/RUN`.
fn run_names(conn: &Connection) -> Result<HashMap<String, String>, BackendError> {
    if !has_table(conn, "runlog_files")? {
        return Ok(HashMap::new());
    }
    Ok(super::store::runlogs(conn)?
        .into_iter()
        .filter_map(|(_, log)| {
            let (entity, project, run, display) = log.run?;
            Some((format!("{entity}/{project}/{run}"), display?))
        })
        .collect())
}

/// What the local engine recorded, as the one history model, selected by `query` (newest
/// first, filtered, limited, with what the filters left out). One automation's scope and the
/// LAST column's newest-of-each are asked of the database; the other scopes are read whole and
/// kept by their project.
pub fn select(
    conn: &Connection,
    query: &model::HistoryQuery,
) -> Result<model::History, BackendError> {
    if !has_table(conn, "executions")? {
        return Ok(query.select(Vec::new()));
    }
    let asked = Query {
        automations: match &query.scope {
            model::HistoryScope::Automation { id } => Some(vec![id.clone()]),
            _ => None,
        },
        newest_real: query.newest_each,
        limit: i64::MAX as usize,
        ..Query::default()
    };
    let names = run_names(conn)?;
    let read = list(conn, &asked)?
        .into_iter()
        .map(|e| {
            let key = match (&e.project, &e.run) {
                (Some(p), Some(r)) => format!("{p}/{r}"),
                _ => String::new(),
            };
            e.into_model(names.get(&key).cloned())
        })
        .filter(|e| in_scope(e, &query.scope))
        .collect();
    Ok(query.select(read))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> model::HistoryQuery {
        model::HistoryQuery::of(model::HistoryScope::Entity {
            entity: "acme".into(),
        })
    }

    #[test]
    fn a_database_no_engine_has_used_has_no_history_yet() {
        let conn = Connection::open_in_memory().unwrap();
        let h = select(&conn, &all()).unwrap();
        assert!(h.executions.is_empty());
        assert_eq!(h.total, 0);
    }

    #[test]
    fn an_artifact_execution_is_of_its_collection_and_its_project() {
        let e = Execution {
            id: "exe_1".into(),
            automation_id: "A1".into(),
            automation_name: "on-link".into(),
            event_type: "LINK_ARTIFACT".into(),
            status: "success".into(),
            created_at: "2026-12-01T10:00:00Z".into(),
            finished_at: None,
            run: None,
            project: None,
            step: None,
            collection: Some("acme/vision/resnet-weights".into()),
            trigger: None,
            attempts: 1,
            response_status: Some(200),
            response_body: None,
            error: None,
            test: false,
            request: None,
        }
        .into_model(None);
        assert_eq!(e.project.as_deref(), Some("acme/vision"));
        assert_eq!(e.collection.as_deref(), Some("resnet-weights"));
        assert_eq!(e.source, model::Source::Local);
        let collection = |c: &str| model::HistoryScope::Collection {
            entity: "acme".into(),
            project: "vision".into(),
            collection: c.into(),
        };
        assert!(in_scope(&e, &collection("resnet-weights")));
        assert!(!in_scope(&e, &collection("other")));
        let project = |p: &str| model::HistoryScope::Project {
            entity: "acme".into(),
            project: p.into(),
        };
        assert!(in_scope(&e, &project("vision")));
        assert!(!in_scope(&e, &project("nlp")));
    }
}
