//! The engine's own tables in the local database, created and migrated by the engine (its version
//! is kept in the backend's `meta` table under `engine_schema`), and the connections it opens:
//! each task of a running engine has its own, so one waiting on a lock never holds up another.

use super::error::{EngineError, db};
use rusqlite::{Connection, OptionalExtension};
use std::path::Path;
use std::time::Duration;

/// Version 1: the tables as the local backend used to create them (kept `IF NOT EXISTS`, so a
/// database made by an earlier wbauto is taken as it is). Secrets by name; what the evaluator
/// remembers per run and per automation; executions (history) and their outbox; events waiting
/// for the engine; run logs followed, with where reading stopped in each.
const ENGINE_V1: &str = "
CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS engine_windows (
    automation_id TEXT NOT NULL,
    run TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (automation_id, run)
);
CREATE TABLE IF NOT EXISTS engine_runs (run TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS engine_buckets (automation_id TEXT PRIMARY KEY, tokens REAL NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS executions (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    automation_id TEXT NOT NULL,
    automation_name TEXT NOT NULL,
    event_type TEXT NOT NULL,
    run TEXT,
    step INTEGER,
    collection TEXT,
    trigger_values TEXT,
    status TEXT NOT NULL CHECK (status IN ('in_progress', 'success', 'failed', 'skipped')),
    created_at TEXT NOT NULL,
    finished_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    response_body TEXT,
    error TEXT,
    test INTEGER NOT NULL DEFAULT 0,
    request TEXT
);
CREATE INDEX IF NOT EXISTS executions_automation ON executions (automation_id, num);
CREATE TABLE IF NOT EXISTS outbox (
    execution_id TEXT PRIMARY KEY REFERENCES executions(id),
    request TEXT NOT NULL,
    next_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS inbox (num INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runlog_files (path TEXT PRIMARY KEY, state TEXT NOT NULL);
";

/// Version 2: a lease with an epoch that fences every write and the kind of process holding it
/// (replacing the earlier lease, whose holder was recognised by a name prefix); outbox rows that
/// know their receiver (for the per-receiver limit), who queued them and when; the endpoint's
/// tokens (hashes only) and the answers given to idempotent requests; the evaluator's windows
/// found by run (each batch loads the runs it sees) without reading them all.
const ENGINE_V2: &str = "
DROP TABLE IF EXISTS lease;
CREATE TABLE lease (
    name TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    until INTEGER NOT NULL,
    epoch INTEGER NOT NULL
);
ALTER TABLE outbox ADD COLUMN receiver TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN queued_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_due ON outbox (next_at);
CREATE TABLE tokens (
    name TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    projects TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE idempotency (
    token TEXT NOT NULL,
    key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    answer TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (token, key)
);
CREATE INDEX idempotency_at ON idempotency (at);
CREATE INDEX engine_windows_run ON engine_windows (run);
";

const STEPS: [&str; 2] = [ENGINE_V1, ENGINE_V2];

/// Creates or migrates the engine's tables (in one transaction; another process migrating at
/// the same time is waited for and not repeated).
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), EngineError> {
    let version = |c: &Connection| -> Result<usize, EngineError> {
        let text: Option<String> = c
            .query_row(
                "SELECT value FROM meta WHERE key = 'engine_schema'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        Ok(text.and_then(|t| t.parse().ok()).unwrap_or(0))
    };
    if version(conn)? >= STEPS.len() {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db)?;
    let now = version(&tx)?;
    for step in STEPS.iter().skip(now) {
        tx.execute_batch(step).map_err(db)?;
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('engine_schema', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1",
        [STEPS.len().to_string()],
    )
    .map_err(db)?;
    tx.commit().map_err(db)
}

/// Another connection to the database at `path` (already made and migrated), waiting at most
/// `busy` for another writer's lock.
pub(crate) fn connect(path: &Path, busy: Duration) -> Result<Connection, EngineError> {
    let conn = Connection::open(path).map_err(db)?;
    conn.busy_timeout(busy).map_err(db)?;
    conn.pragma_update(None, "cache_size", -256).map_err(db)?;
    Ok(conn)
}

/// Which file a path names now (device and inode), to notice the database deleted or replaced
/// under a running engine; `None` when nothing is there.
pub(crate) fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}
