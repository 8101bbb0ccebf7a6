//! Reading executions back: `wbauto history` and the dashboard's History.

use super::error::{EngineError, db};
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;
use serde_json::Value;

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

impl Execution {
    /// When it was decided, in Unix seconds (0 if the stored time cannot be read).
    pub(crate) fn decided_at(&self) -> i64 {
        self.created_at
            .parse::<jiff::Timestamp>()
            .map_or(0, |t| t.as_second())
    }

    /// What it fired on: the run, else the collection.
    pub(crate) fn subject(&self) -> &str {
        self.run
            .as_deref()
            .or(self.collection.as_deref())
            .unwrap_or_default()
    }

    /// Its outcome in a few words: what went wrong, else the last HTTP status, else `no-op` for
    /// a success that sent nothing.
    pub fn outcome(&self) -> String {
        match (&self.error, self.response_status) {
            (Some(e), _) => e.clone(),
            (None, Some(s)) => format!("HTTP {s}"),
            (None, None) if self.status == "success" => "no-op".into(),
            _ => String::new(),
        }
    }
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

/// The newest execution of each automation: (automation id, status, created_at).
pub fn latest(conn: &Connection) -> Result<Vec<(String, String, String)>, EngineError> {
    let mut stmt = conn
        .prepare("SELECT automation_id, status, created_at FROM executions WHERE num IN (SELECT MAX(num) FROM executions GROUP BY automation_id)")
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}
