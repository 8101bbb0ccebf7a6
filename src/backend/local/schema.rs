//! Opening the local database: pragmas, schema migrations by `PRAGMA user_version`, clear errors.

use crate::backend::BackendError;
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 1;

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
    let fresh = version == 0;
    if fresh {
        let tx = conn.transaction().map_err(|e| storage_error(path, e))?;
        tx.execute_batch(SCHEMA_V1)
            .map_err(|e| storage_error(path, e))?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(|e| storage_error(path, e))?;
        tx.commit().map_err(|e| storage_error(path, e))?;
    }
    Ok((conn, fresh))
}
