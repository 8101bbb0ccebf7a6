//! The engine's tables in the local database: what the evaluator remembers, executions and their
//! outbox, the inbox, secrets and followed run logs. Plain functions on a connection; the caller
//! decides the transaction (and checks its lease's fence in it), so a decision and its outbox
//! row are written together.

use super::error::{EngineError, db};
use super::eval::{Bucket, Memory, RunMemory, Window};
use super::request::Request;
use crate::model::{Automation, Integration};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use std::collections::HashMap;

/// Every automation of the local backend (enabled or not), from every entity.
pub fn automations(conn: &Connection) -> Result<Vec<Automation>, EngineError> {
    let mut names = conn
        .prepare("SELECT name FROM entities ORDER BY num")
        .map_err(db)?;
    let entities: Vec<String> = names
        .query_map([], |r| r.get(0))
        .map_err(db)?
        .collect::<Result<_, _>>()
        .map_err(db)?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for entity in entities {
        for saved in crate::backend::local::store::list(conn, &entity)?.automations {
            if seen.insert(saved.automation.id.clone()) {
                out.push(saved.automation);
            }
        }
    }
    Ok(out)
}

/// Every integration by id, with whether it is one of the demo's.
pub fn integrations(
    conn: &Connection,
) -> Result<HashMap<String, (Integration, bool)>, EngineError> {
    let mut stmt = conn
        .prepare("SELECT DISTINCT entity FROM integrations")
        .map_err(db)?;
    let entities: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .map_err(db)?
        .collect::<Result<_, _>>()
        .map_err(db)?;
    let mut demo = conn
        .prepare("SELECT id FROM integrations WHERE demo = 1")
        .map_err(db)?;
    let demos: Vec<String> = demo
        .query_map([], |r| r.get(0))
        .map_err(db)?
        .collect::<Result<_, _>>()
        .map_err(db)?;
    let mut out = HashMap::new();
    for entity in entities {
        for i in crate::backend::local::store::integrations(conn, &entity)? {
            let is_demo = demos.contains(&i.id);
            out.insert(i.id.clone(), (i, is_demo));
        }
    }
    Ok(out)
}

/// Loads every automation's rate-limit bucket.
pub(crate) fn load_buckets(conn: &Connection, memory: &mut Memory) -> Result<(), EngineError> {
    let mut buckets = conn
        .prepare("SELECT automation_id, tokens, at FROM engine_buckets")
        .map_err(db)?;
    for row in buckets
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Bucket {
                    tokens: r.get(1)?,
                    at: r.get(2)?,
                },
            ))
        })
        .map_err(db)?
    {
        let (id, bucket) = row.map_err(db)?;
        memory.buckets.insert(id, bucket);
    }
    Ok(())
}

/// Every (key, state) row `sql` selects whose JSON state reads as a `T` (others are skipped).
fn keyed_states<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
) -> Result<Vec<(String, T)>, EngineError> {
    let mut stmt = conn.prepare(sql).map_err(db)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        let (key, state) = row.map_err(db)?;
        if let Ok(value) = serde_json::from_str(&state) {
            out.push((key, value));
        }
    }
    Ok(out)
}

/// Every run the evaluator remembers as running (not ended), with what it remembers of it.
pub(crate) fn running_runs(conn: &Connection) -> Result<Vec<(String, RunMemory)>, EngineError> {
    let mut runs = keyed_states::<RunMemory>(conn, "SELECT run, state FROM engine_runs")?;
    runs.retain(|(_, m)| m.watched());
    Ok(runs)
}

/// Loads what the evaluator remembers of one run (its windows and its last step and state).
pub(crate) fn load_run(
    conn: &Connection,
    run: &str,
    memory: &mut Memory,
) -> Result<(), EngineError> {
    let mut windows = conn
        .prepare_cached("SELECT automation_id, state FROM engine_windows WHERE run = ?1")
        .map_err(db)?;
    let rows = windows
        .query_map([run], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(db)?;
    for row in rows {
        let (id, state) = row.map_err(db)?;
        if let Ok(w) = serde_json::from_str::<Window>(&state) {
            memory.windows.insert(id, run.to_string(), w);
        }
    }
    let state: Option<String> = conn
        .prepare_cached("SELECT state FROM engine_runs WHERE run = ?1")
        .map_err(db)?
        .query_row([run], |r| r.get(0))
        .optional()
        .map_err(db)?;
    if let Some(m) = state.and_then(|s| serde_json::from_str::<RunMemory>(&s).ok()) {
        memory.runs.insert(run.to_string(), m);
    }
    Ok(())
}

/// Stores what the evaluator remembers.
pub(crate) fn save_memory(conn: &Connection, memory: &Memory) -> Result<(), EngineError> {
    let mut w = conn
        .prepare("INSERT INTO engine_windows (automation_id, run, state) VALUES (?1, ?2, ?3) ON CONFLICT(automation_id, run) DO UPDATE SET state = ?3")
        .map_err(db)?;
    for (id, run, window) in memory.windows.iter() {
        let state = serde_json::to_string(window).unwrap_or_default();
        w.execute(params![id, run, state]).map_err(db)?;
    }
    let mut r = conn
        .prepare("INSERT INTO engine_runs (run, state) VALUES (?1, ?2) ON CONFLICT(run) DO UPDATE SET state = ?2")
        .map_err(db)?;
    for (run, m) in &memory.runs {
        r.execute(params![run, serde_json::to_string(m).unwrap_or_default()])
            .map_err(db)?;
    }
    let mut b = conn
        .prepare("INSERT INTO engine_buckets (automation_id, tokens, at) VALUES (?1, ?2, ?3) ON CONFLICT(automation_id) DO UPDATE SET tokens = ?2, at = ?3")
        .map_err(db)?;
    for (id, bucket) in &memory.buckets {
        b.execute(params![id, bucket.tokens, bucket.at])
            .map_err(db)?;
    }
    Ok(())
}

/// The status of an execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Waiting to be delivered, or being delivered.
    InProgress,
    /// Delivered (a 2xx), or a no-op.
    Success,
    /// Given up on.
    Failed,
    /// Not carried out: over the rate limit, or a demo integration.
    Skipped,
}

impl Status {
    /// Its name in history.
    pub fn name(self) -> &'static str {
        match self {
            Status::InProgress => "in_progress",
            Status::Success => "success",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

/// A new execution.
#[derive(Clone, Debug)]
pub(crate) struct NewExecution<'a> {
    /// Its id (also the delivery id).
    pub id: &'a str,
    /// The automation.
    pub automation: &'a Automation,
    /// W&B's name of the event.
    pub event_type: &'a str,
    /// The run key, for run events.
    pub run: Option<&'a str>,
    /// The step, for metric events.
    pub step: Option<i64>,
    /// The collection, for artifact events.
    pub collection: Option<String>,
    /// What made it fire (compared value and window), as JSON.
    pub values: Option<Value>,
    /// The status it starts in.
    pub status: Status,
    /// Why, for skipped and failed ones.
    pub error: Option<String>,
    /// A test fire.
    pub test: bool,
    /// The request, as shown (secrets masked).
    pub shown: Option<Value>,
    /// When (RFC 3339).
    pub at: &'a str,
}

/// An outbox row to write with an execution: what to send, who queued it, when it is due.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Queued<'a> {
    /// What to send.
    pub request: &'a Request,
    /// Who queued it (the lease holder's id), so a one-shot command delivers only its own.
    pub origin: &'a str,
    /// When it is due (Unix milliseconds).
    pub due: i64,
}

/// Records an execution; with `queued`, also its outbox row.
pub(crate) fn insert_execution(
    conn: &Connection,
    e: &NewExecution<'_>,
    queued: Option<Queued<'_>>,
) -> Result<(), EngineError> {
    let finished = (e.status != Status::InProgress).then_some(e.at);
    conn.prepare_cached(
        "INSERT INTO executions (id, automation_id, automation_name, event_type, run, step, collection, trigger_values, status, created_at, finished_at, error, test, request)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )
    .map_err(db)?
    .execute(params![
        e.id,
        e.automation.id.as_deref().unwrap_or_default(),
        e.automation.name,
        e.event_type,
        e.run,
        e.step,
        e.collection,
        e.values.as_ref().map(Value::to_string),
        e.status.name(),
        e.at,
        finished,
        e.error,
        e.test,
        e.shown.as_ref().map(Value::to_string),
    ])
    .map_err(db)?;
    if let Some(q) = queued {
        let stored = serde_json::to_string(q.request).unwrap_or_default();
        conn.prepare_cached(
            "INSERT INTO outbox (execution_id, request, next_at, receiver, origin, queued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?3)",
        )
        .map_err(db)?
        .execute(params![
            e.id,
            stored,
            q.due,
            super::deliver::receiver(&q.request.url),
            q.origin
        ])
        .map_err(db)?;
    }
    Ok(())
}

/// An outbox row.
#[derive(Clone, Debug)]
pub(crate) struct Due {
    /// The execution.
    pub execution: String,
    /// What to send, or why the stored request cannot be read.
    pub request: Result<Request, String>,
    /// Attempts made so far.
    pub attempts: u32,
    /// Where it goes (scheme, host and port), for the per-receiver limit.
    pub receiver: String,
    /// The automation's name, to say what was delivered.
    pub automation: String,
}

/// Which outbox rows a deliverer takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// All of them (`wbauto engine`).
    All,
    /// The ones this lease holder queued (`wbauto emit`).
    Origin(String),
    /// One execution (a test fire).
    Execution(String),
}

impl Scope {
    fn params(&self) -> (&str, &str) {
        match self {
            Scope::All => ("", ""),
            Scope::Origin(o) => (o, ""),
            Scope::Execution(e) => ("", e),
        }
    }
}

/// Up to `limit` outbox rows of `scope` due by `now` (Unix milliseconds), oldest first, leaving
/// out the receivers that are busy and the executions being delivered.
pub fn due(
    conn: &Connection,
    now: i64,
    limit: usize,
    scope: &Scope,
    busy: &[&str],
    in_flight: &[&str],
) -> Result<Vec<Due>, EngineError> {
    let (origin, execution) = scope.params();
    let mut stmt = conn
        .prepare_cached(
            "SELECT execution_id, request, attempts, receiver,
                    (SELECT automation_name FROM executions WHERE id = execution_id)
             FROM outbox
             WHERE next_at <= ?1 AND (?3 = '' OR origin = ?3) AND (?4 = '' OR execution_id = ?4)
               AND receiver NOT IN (SELECT value FROM json_each(?5))
               AND execution_id NOT IN (SELECT value FROM json_each(?6))
             ORDER BY next_at, rowid LIMIT ?2",
        )
        .map_err(db)?;
    let busy = serde_json::to_string(busy).unwrap_or_else(|_| "[]".into());
    let in_flight = serde_json::to_string(in_flight).unwrap_or_else(|_| "[]".into());
    let rows = stmt
        .query_map(
            params![now, limit as i64, origin, execution, busy, in_flight],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            },
        )
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        let (execution, request, attempts, receiver, automation) = row.map_err(db)?;
        out.push(Due {
            execution,
            request: serde_json::from_str(&request)
                .map_err(|e| format!("the stored request is unreadable ({e})")),
            attempts,
            receiver,
            automation: automation.unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The earliest time (Unix milliseconds) an outbox row of `scope` is due, if any is left.
pub(crate) fn next_due(conn: &Connection, scope: &Scope) -> Result<Option<i64>, EngineError> {
    let (origin, execution) = scope.params();
    conn.prepare_cached(
        "SELECT MIN(next_at) FROM outbox WHERE (?1 = '' OR origin = ?1) AND (?2 = '' OR execution_id = ?2)",
    )
    .map_err(db)?
    .query_row(params![origin, execution], |r| r.get(0))
    .map_err(db)
}

/// How many outbox rows wait, and how long the oldest has waited (seconds).
pub(crate) fn outbox_stats(conn: &Connection, now_ms: i64) -> Result<(i64, i64), EngineError> {
    conn.query_row("SELECT COUNT(*), MIN(queued_at) FROM outbox", [], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
    })
    .map(|(n, oldest)| (n, oldest.map_or(0, |t| ((now_ms - t) / 1000).max(0))))
    .map_err(db)
}

/// Records an attempt that will be tried again at `next_at`.
pub(crate) fn retry_later(
    conn: &Connection,
    execution: &str,
    attempts: u32,
    next_at: i64,
    status: Option<u16>,
    error: &str,
) -> Result<(), EngineError> {
    conn.execute(
        "UPDATE outbox SET attempts = ?2, next_at = ?3 WHERE execution_id = ?1",
        params![execution, attempts, next_at],
    )
    .map_err(db)?;
    conn.execute(
        "UPDATE executions SET attempts = ?2, response_status = ?3, error = ?4 WHERE id = ?1",
        params![execution, attempts, status, error],
    )
    .map_err(db)?;
    Ok(())
}

/// Ends an execution: delivered (`ok`) or given up; its outbox row goes.
pub fn finish(
    conn: &Connection,
    execution: &str,
    attempts: u32,
    status: Option<u16>,
    body: Option<&str>,
    error: Option<&str>,
    ok: bool,
) -> Result<(), EngineError> {
    let state = if ok { Status::Success } else { Status::Failed };
    conn.execute(
        "UPDATE executions SET status = ?2, attempts = ?3, response_status = ?4, response_body = ?5, error = ?6, finished_at = ?7 WHERE id = ?1",
        params![execution, state.name(), attempts, status, body, error, crate::backend::local::store::now()],
    )
    .map_err(db)?;
    conn.execute("DELETE FROM outbox WHERE execution_id = ?1", [execution])
        .map_err(db)?;
    Ok(())
}

/// Keeps at most `rows` executions per automation and none older than `days`, and idempotent
/// answers for a day.
pub fn prune(conn: &Connection, days: i64, rows: i64) -> Result<(), EngineError> {
    let cutoff = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(24 * days))
        .map(|t| t.to_string())
        .unwrap_or_default();
    conn.execute(
        "DELETE FROM executions WHERE status != 'in_progress' AND (created_at < ?1 OR num IN (
            SELECT num FROM (SELECT num, ROW_NUMBER() OVER (PARTITION BY automation_id ORDER BY num DESC) AS n FROM executions) WHERE n > ?2))",
        params![cutoff, rows],
    )
    .map_err(db)?;
    super::tokens::prune_answers(conn, super::now_ms())
}

/// Every secret's value by name (for a delivery round).
pub fn secrets(conn: &Connection) -> Result<HashMap<String, String>, EngineError> {
    let mut stmt = conn
        .prepare("SELECT name, value FROM secrets")
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// Sets a secret.
pub(crate) fn set_secret(conn: &Connection, name: &str, value: &str) -> Result<(), EngineError> {
    conn.execute(
        "INSERT INTO secrets (name, value, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT(name) DO UPDATE SET value = ?2, updated_at = ?3",
        params![name, value, crate::backend::local::store::now()],
    )
    .map_err(db)?;
    Ok(())
}

/// Secret names and when each was set.
pub(crate) fn secret_names(conn: &Connection) -> Result<Vec<(String, String)>, EngineError> {
    let mut stmt = conn
        .prepare("SELECT name, updated_at FROM secrets ORDER BY name")
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// Deletes a secret; whether it existed.
pub(crate) fn delete_secret(conn: &Connection, name: &str) -> Result<bool, EngineError> {
    Ok(conn
        .execute("DELETE FROM secrets WHERE name = ?1", [name])
        .map_err(db)?
        > 0)
}

/// Queues one event (its JSON text) for the engine that holds the lease; returns its number.
pub(crate) fn push_inbox(conn: &Connection, event: &str) -> Result<i64, EngineError> {
    conn.prepare_cached("INSERT INTO inbox (event) VALUES (?1)")
        .map_err(db)?
        .execute([event])
        .map_err(db)?;
    Ok(conn.last_insert_rowid())
}

/// Whether events wait in the inbox.
pub(crate) fn inbox_waiting(conn: &Connection) -> Result<bool, EngineError> {
    conn.query_row("SELECT EXISTS (SELECT 1 FROM inbox)", [], |r| r.get(0))
        .map_err(db)
}

/// Up to `limit` queued events (oldest first) and their row numbers.
pub(crate) fn peek_inbox(
    conn: &Connection,
    limit: usize,
) -> Result<Vec<(i64, String)>, EngineError> {
    let mut stmt = conn
        .prepare_cached("SELECT num, event FROM inbox ORDER BY num LIMIT ?1")
        .map_err(db)?;
    let rows = stmt
        .query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// Removes queued events up to and including `num`.
pub(crate) fn drop_inbox(conn: &Connection, num: i64) -> Result<(), EngineError> {
    conn.execute("DELETE FROM inbox WHERE num <= ?1", [num])
        .map_err(db)?;
    Ok(())
}

/// What the follower remembers of a run log, by path.
pub fn runlog(conn: &Connection, path: &str) -> Result<super::runlog::events::RunLog, EngineError> {
    let state: Option<String> = conn
        .query_row(
            "SELECT state FROM runlog_files WHERE path = ?1",
            [path],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?;
    Ok(state
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

/// Remembers a run log's state (in the transaction of its events' evaluation).
pub(crate) fn save_runlog(
    conn: &Connection,
    path: &str,
    log: &super::runlog::events::RunLog,
) -> Result<(), EngineError> {
    conn.execute(
        "INSERT INTO runlog_files (path, state) VALUES (?1, ?2) ON CONFLICT(path) DO UPDATE SET state = ?2",
        params![path, serde_json::to_string(log).unwrap_or_default()],
    )
    .map_err(db)?;
    Ok(())
}

/// Every run log followed, with its state (for the dashboard's runs).
pub fn runlogs(
    conn: &Connection,
) -> Result<Vec<(String, super::runlog::events::RunLog)>, EngineError> {
    keyed_states(conn, "SELECT path, state FROM runlog_files ORDER BY path")
}

/// The engine in words (for `doctor`): who evaluates the database, and how much it holds.
pub fn describe(conn: &Connection, now_ms: i64) -> Result<String, EngineError> {
    let who = match super::lease::holder(conn, now_ms)? {
        Some(h) if h.kind == super::lease::Kind::Engine => format!("running: {}", h.describe()),
        Some(h) => format!("not running; {} is evaluating", h.describe()),
        None => "not running (`wbauto emit` evaluates by itself)".to_string(),
    };
    let (executions, logs, tokens): (i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM executions), (SELECT COUNT(*) FROM runlog_files), (SELECT COUNT(*) FROM tokens)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(db)?;
    Ok(format!(
        "{who}; {executions} executions, {logs} run logs followed, {tokens} tokens"
    ))
}
