//! The engine's tables in the local database: what the evaluator remembers, executions and their
//! outbox, the inbox, secrets and the evaluator's lease. Plain functions on a connection; the
//! caller decides the transaction, so a decision and its outbox row are written together.

use super::eval::{Bucket, Memory, RunMemory, Window};
use super::request::Request;
use crate::backend::BackendError;
use crate::model::{Automation, Integration};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use std::collections::HashMap;

/// A database error in words.
pub fn db(e: rusqlite::Error) -> BackendError {
    BackendError::Storage(format!("the local database failed: {e}"))
}

/// Every automation of the local backend (enabled or not), from every entity.
pub fn automations(conn: &Connection) -> Result<Vec<Automation>, BackendError> {
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
) -> Result<HashMap<String, (Integration, bool)>, BackendError> {
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

/// Loads what the evaluator remembers of these runs and of every automation's bucket.
pub fn load_memory(conn: &Connection, runs: &[String]) -> Result<Memory, BackendError> {
    let mut memory = Memory::default();
    let mut windows = conn
        .prepare("SELECT automation_id, state FROM engine_windows WHERE run = ?1")
        .map_err(db)?;
    let mut run_rows = conn
        .prepare("SELECT state FROM engine_runs WHERE run = ?1")
        .map_err(db)?;
    for run in runs {
        let rows = windows
            .query_map([run], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(db)?;
        for row in rows {
            let (id, state) = row.map_err(db)?;
            if let Ok(w) = serde_json::from_str::<Window>(&state) {
                memory.windows.insert(id, run.clone(), w);
            }
        }
        let state: Option<String> = run_rows
            .query_row([run], |r| r.get(0))
            .optional()
            .map_err(db)?;
        if let Some(m) = state.and_then(|s| serde_json::from_str::<RunMemory>(&s).ok()) {
            memory.runs.insert(run.clone(), m);
        }
    }
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
    Ok(memory)
}

/// Stores what the evaluator remembers.
pub fn save_memory(conn: &Connection, memory: &Memory) -> Result<(), BackendError> {
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

    /// Parses a name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Status::InProgress,
            Status::Success,
            Status::Failed,
            Status::Skipped,
        ]
        .into_iter()
        .find(|x| x.name() == s)
    }
}

/// A new execution.
#[derive(Clone, Debug)]
pub struct NewExecution<'a> {
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

/// Records an execution; with `request`, also its outbox row, due at `due` (Unix seconds).
pub fn insert_execution(
    conn: &Connection,
    e: &NewExecution<'_>,
    request: Option<&Request>,
    due: i64,
) -> Result<(), BackendError> {
    let finished = (e.status != Status::InProgress).then_some(e.at);
    conn.execute(
        "INSERT INTO executions (id, automation_id, automation_name, event_type, run, step, collection, trigger_values, status, created_at, finished_at, error, test, request)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
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
        ],
    )
    .map_err(db)?;
    if let Some(request) = request {
        let stored = serde_json::to_string(request).unwrap_or_default();
        conn.execute(
            "INSERT INTO outbox (execution_id, request, next_at) VALUES (?1, ?2, ?3)",
            params![e.id, stored, due],
        )
        .map_err(db)?;
    }
    Ok(())
}

/// An outbox row.
#[derive(Clone, Debug)]
pub struct Due {
    /// The execution.
    pub execution: String,
    /// What to send.
    pub request: Request,
    /// Attempts made so far.
    pub attempts: u32,
}

/// Outbox rows due by `now`, oldest first.
pub fn due(conn: &Connection, now: i64, limit: usize) -> Result<Vec<Due>, BackendError> {
    let mut stmt = conn
        .prepare("SELECT execution_id, request, attempts FROM outbox WHERE next_at <= ?1 ORDER BY next_at, rowid LIMIT ?2")
        .map_err(db)?;
    let rows = stmt
        .query_map(params![now, limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u32>(2)?,
            ))
        })
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        let (execution, request, attempts) = row.map_err(db)?;
        match serde_json::from_str(&request) {
            Ok(request) => out.push(Due {
                execution,
                request,
                attempts,
            }),
            Err(e) => {
                finish(
                    conn,
                    &execution,
                    attempts,
                    None,
                    None,
                    Some(&format!("the stored request is unreadable ({e})")),
                    false,
                )?;
            }
        }
    }
    Ok(out)
}

/// The earliest time an outbox row is due, if any is left.
pub fn next_due(conn: &Connection) -> Result<Option<i64>, BackendError> {
    conn.query_row("SELECT MIN(next_at) FROM outbox", [], |r| r.get(0))
        .map_err(db)
}

/// Records an attempt that will be tried again at `next_at`.
pub fn retry_later(
    conn: &Connection,
    execution: &str,
    attempts: u32,
    next_at: i64,
    status: Option<u16>,
    error: &str,
) -> Result<(), BackendError> {
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
) -> Result<(), BackendError> {
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

/// How many of these executions ended in each status: (success, failed, skipped, in progress).
pub fn tally(conn: &Connection, ids: &[String]) -> Result<[usize; 4], BackendError> {
    let mut stmt = conn
        .prepare("SELECT status FROM executions WHERE id = ?1")
        .map_err(db)?;
    let mut out = [0usize; 4];
    for id in ids {
        let status: Option<String> = stmt.query_row([id], |r| r.get(0)).optional().map_err(db)?;
        match status.as_deref().and_then(Status::parse) {
            Some(Status::Success) => out[0] += 1,
            Some(Status::Failed) => out[1] += 1,
            Some(Status::Skipped) => out[2] += 1,
            Some(Status::InProgress) => out[3] += 1,
            None => {}
        }
    }
    Ok(out)
}

/// Keeps at most `rows` executions per automation and none older than `days`.
pub fn prune(conn: &Connection, days: i64, rows: i64) -> Result<(), BackendError> {
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
    Ok(())
}

/// A secret's value.
pub fn secret(conn: &Connection, name: &str) -> Result<Option<String>, BackendError> {
    conn.query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .optional()
    .map_err(db)
}

/// Every secret's value by name (for a delivery round).
pub fn secrets(conn: &Connection) -> Result<HashMap<String, String>, BackendError> {
    let mut stmt = conn
        .prepare("SELECT name, value FROM secrets")
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// Sets a secret.
pub fn set_secret(conn: &Connection, name: &str, value: &str) -> Result<(), BackendError> {
    conn.execute(
        "INSERT INTO secrets (name, value, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT(name) DO UPDATE SET value = ?2, updated_at = ?3",
        params![name, value, crate::backend::local::store::now()],
    )
    .map_err(db)?;
    Ok(())
}

/// Secret names and when each was set.
pub fn secret_names(conn: &Connection) -> Result<Vec<(String, String)>, BackendError> {
    let mut stmt = conn
        .prepare("SELECT name, updated_at FROM secrets ORDER BY name")
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// Deletes a secret; whether it existed.
pub fn delete_secret(conn: &Connection, name: &str) -> Result<bool, BackendError> {
    Ok(conn
        .execute("DELETE FROM secrets WHERE name = ?1", [name])
        .map_err(db)?
        > 0)
}

/// Queues events for the engine that holds the lease; returns their ids.
pub fn push_inbox(conn: &Connection, events: &[Value]) -> Result<Vec<i64>, BackendError> {
    let mut stmt = conn
        .prepare("INSERT INTO inbox (event) VALUES (?1)")
        .map_err(db)?;
    let mut ids = Vec::with_capacity(events.len());
    for e in events {
        stmt.execute([e.to_string()]).map_err(db)?;
        ids.push(conn.last_insert_rowid());
    }
    Ok(ids)
}

/// How many rows wait in the inbox and the outbox.
pub fn backlog(conn: &Connection) -> Result<(i64, i64), BackendError> {
    conn.query_row(
        "SELECT (SELECT COUNT(*) FROM inbox), (SELECT COUNT(*) FROM outbox)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .map_err(db)
}

/// Takes up to `limit` queued events (oldest first) and their row numbers.
pub fn peek_inbox(conn: &Connection, limit: usize) -> Result<Vec<(i64, String)>, BackendError> {
    let mut stmt = conn
        .prepare("SELECT num, event FROM inbox ORDER BY num LIMIT ?1")
        .map_err(db)?;
    let rows = stmt
        .query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// Removes queued events up to and including `num`.
pub fn drop_inbox(conn: &Connection, num: i64) -> Result<(), BackendError> {
    conn.execute("DELETE FROM inbox WHERE num <= ?1", [num])
        .map_err(db)?;
    Ok(())
}

/// Whether a process is alive on this host.
pub fn alive(pid: i64) -> bool {
    i32::try_from(pid).is_ok_and(|pid| {
        // SAFETY: signal 0 only checks that the process exists; it sends nothing.
        pid > 0
            && (unsafe { libc::kill(pid, 0) } == 0
                || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM))
    })
}

/// The evaluator's lease: who holds it (holder, pid) if anyone alive does.
pub fn lease_holder(conn: &Connection, now: i64) -> Result<Option<(String, i64)>, BackendError> {
    let row: Option<(String, i64, i64)> = conn
        .query_row(
            "SELECT holder, pid, until FROM lease WHERE name = 'evaluator'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(db)?;
    Ok(row
        .filter(|(_, pid, until)| *until >= now && alive(*pid))
        .map(|(h, p, _)| (h, p)))
}

/// Takes (or renews) the lease for `holder` until `until`; `false` when another live holder has it.
pub fn take_lease(
    conn: &Connection,
    holder: &str,
    now: i64,
    until: i64,
) -> Result<bool, BackendError> {
    if let Some((other, _)) = lease_holder(conn, now)?
        && other != holder
    {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO lease (name, holder, pid, until) VALUES ('evaluator', ?1, ?2, ?3) ON CONFLICT(name) DO UPDATE SET holder = ?1, pid = ?2, until = ?3",
        params![holder, i64::from(std::process::id()), until],
    )
    .map_err(db)?;
    Ok(true)
}

/// Gives the lease up.
pub fn release_lease(conn: &Connection, holder: &str) -> Result<(), BackendError> {
    conn.execute(
        "DELETE FROM lease WHERE name = 'evaluator' AND holder = ?1",
        [holder],
    )
    .map_err(db)?;
    Ok(())
}

/// What the follower remembers of a run log, by path.
pub fn runlog(
    conn: &Connection,
    path: &str,
) -> Result<super::runlog::events::RunLog, BackendError> {
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
pub fn save_runlog(
    conn: &Connection,
    path: &str,
    log: &super::runlog::events::RunLog,
) -> Result<(), BackendError> {
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
) -> Result<Vec<(String, super::runlog::events::RunLog)>, BackendError> {
    let mut stmt = conn
        .prepare("SELECT path, state FROM runlog_files ORDER BY path")
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        let (path, state) = row.map_err(db)?;
        if let Ok(log) = serde_json::from_str(&state) {
            out.push((path, log));
        }
    }
    Ok(out)
}
