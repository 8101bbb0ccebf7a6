//! Opening the local database: pragmas, schema migrations by `PRAGMA user_version`, clear errors.

use crate::backend::BackendError;
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 5;

const SCHEMA_V1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entities (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'team', 'organization')),
    org_entity TEXT
);
CREATE TABLE projects (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    entity TEXT NOT NULL REFERENCES entities(name),
    name TEXT NOT NULL,
    UNIQUE (entity, name)
);
CREATE TABLE collections (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE,
    project_id TEXT NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    portfolio INTEGER NOT NULL,
    artifact_type TEXT NOT NULL,
    UNIQUE (project_id, name)
);
CREATE TABLE integrations (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE,
    entity TEXT NOT NULL REFERENCES entities(name),
    kind TEXT NOT NULL CHECK (kind IN ('slack', 'webhook')),
    name TEXT,
    channel TEXT,
    team_name TEXT,
    url TEXT,
    secret_ref TEXT,
    access_token_ref TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE automations (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE,
    scope_type TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    enabled INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    event_filter TEXT NOT NULL,
    action_type TEXT NOT NULL,
    action_config TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT,
    UNIQUE (scope_type, scope_id, name)
);
CREATE INDEX automations_scope ON automations (scope_id);
";

/// Version 2: demo integrations are marked, so the local engine records their executions without
/// sending anything. (The engine's own tables were created here once; the engine now creates and
/// migrates them itself, `CREATE TABLE IF NOT EXISTS`, so databases made then keep working.)
const SCHEMA_V2: &str = "
ALTER TABLE integrations ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
UPDATE integrations SET demo = 1 WHERE url LIKE 'https://hooks.slack.com/services/T0DEMO/%'
    OR url IN ('https://ci.example.com/hooks/wandb', 'https://audit.example.com/wandb',
               'https://api.github.com/repos/acme/deploy/dispatches');
";

/// Version 3: nothing any more (it created the engine's run-log table, which the engine now owns).
const SCHEMA_V3: &str = "";

/// Version 4: automations by name, so the dashboard's first page comes without a full scan.
const SCHEMA_V4: &str = "
CREATE INDEX automations_name ON automations (name);
";

/// Version 5: recorded runs and their metric histories, which the backend answers as W&B
/// answers its runs (the demo team's are written by the seed). A history is one row per run and
/// metric, its points as JSON `[[step, unix_seconds, value], ...]` in step order: read whole,
/// never queried by step, and a tenth of the size of a row per point.
const SCHEMA_V5: &str = "
CREATE TABLE runs (
    entity TEXT NOT NULL,
    project TEXT NOT NULL,
    id TEXT NOT NULL,
    display_name TEXT,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    heartbeat_at TEXT,
    user_name TEXT,
    PRIMARY KEY (entity, project, id),
    FOREIGN KEY (entity, project) REFERENCES projects(entity, name)
);
CREATE INDEX runs_newest ON runs (entity, project, created_at);
CREATE TABLE run_metrics (
    entity TEXT NOT NULL,
    project TEXT NOT NULL,
    run TEXT NOT NULL,
    metric TEXT NOT NULL,
    points TEXT NOT NULL,
    PRIMARY KEY (entity, project, run, metric),
    FOREIGN KEY (entity, project, run) REFERENCES runs(entity, project, id) ON DELETE CASCADE
);
";

/// A storage error that names the file and says what to do.
pub fn storage_error(path: &Path, e: impl std::fmt::Display) -> BackendError {
    let p = path.display();
    BackendError::Storage(format!(
        "the local database {p} cannot be used ({e}); it may be damaged or not a wbauto database. \
         Move it aside (mv {p} {p}.bak) and run wbauto again to start from the demo data"
    ))
}

/// Opens (creating if needed) and migrates the database; returns whether it was new.
pub fn open(path: &Path) -> Result<(Connection, bool), BackendError> {
    let mut conn = Connection::open(path).map_err(|e| storage_error(path, e))?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(|e| storage_error(path, e))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| storage_error(path, e))?;
    if version > SCHEMA_VERSION {
        return Err(BackendError::Storage(format!(
            "the local database {} was written by a newer wbauto (schema {version}; this build knows {SCHEMA_VERSION}); upgrade wbauto or use another --data-dir",
            path.display()
        )));
    }
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
        .map_err(|e| storage_error(path, e))?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(|e| storage_error(path, e))?;
    // 256 KiB of page cache instead of SQLite's 2 MiB: the listing reads the table once, in
    // order, and the OS keeps the file cached anyway; 10k automations then fit in 30 MB.
    conn.pragma_update(None, "cache_size", -256)
        .map_err(|e| storage_error(path, e))?;
    let fresh = version == 0;
    if version < SCHEMA_VERSION {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| storage_error(path, e))?;
        // Another process may have migrated while this one waited for the lock.
        let now: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| storage_error(path, e))?;
        let steps = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4, SCHEMA_V5];
        for step in steps.iter().skip(usize::try_from(now).unwrap_or(0)) {
            tx.execute_batch(step).map_err(|e| storage_error(path, e))?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(|e| storage_error(path, e))?;
        tx.commit().map_err(|e| storage_error(path, e))?;
    }
    Ok((conn, fresh))
}
