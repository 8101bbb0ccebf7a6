//! The evaluator's lease: exactly one process evaluates a database at a time.
//!
//! It is taken in one statement (free when it has expired or was let go), renewed every
//! [`RENEW_EVERY`] by its own thread whatever the holder is busy with, and lapses [`TTL_MS`] after
//! the last renewal (so a `kill -9`'d holder's lease is free by then; at once when the holder was
//! a process of this host, which can be seen to be gone). Each taking raises an
//! epoch; every write of the holder checks its [`Fence`] inside the write's own transaction, so a
//! holder that lost the lease (paused, cut off, slower than its TTL) writes nothing.

use super::error::{EngineError, db};
use super::schema;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::watch;

/// How long a lease lasts without renewal, in milliseconds.
pub(crate) const TTL_MS: i64 = 15_000;

/// How often the holder renews it.
pub(crate) const RENEW_EVERY: Duration = Duration::from_secs(5);

/// How soon a failed renewal is tried again.
const RETRY_EVERY: Duration = Duration::from_secs(1);

/// Who may hold the lease.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `wbauto engine`, for as long as it runs.
    Engine,
    /// `wbauto emit` (or a replay), while it evaluates and delivers its own executions.
    Emit,
    /// A test fire, while it delivers its one execution.
    Test,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Engine => "engine",
            Kind::Emit => "emit",
            Kind::Test => "test",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Kind::Engine, Kind::Emit, Kind::Test]
            .into_iter()
            .find(|k| k.name() == s)
    }

    fn words(self) -> &'static str {
        match self {
            Kind::Engine => "a running `wbauto engine`",
            Kind::Emit => "`wbauto emit`",
            Kind::Test => "a test fire",
        }
    }
}

/// Who holds the lease, and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    /// What kind of process.
    pub kind: Kind,
    /// Its process id on `host`.
    pub pid: i64,
    /// The host it runs on.
    pub host: String,
    /// When the lease lapses unless renewed (Unix milliseconds).
    pub until: i64,
}

impl Holder {
    /// `a running `wbauto engine` (pid 4242 on build-7)`.
    pub fn describe(&self) -> String {
        format!("{} (pid {} on {})", self.kind.words(), self.pid, self.host)
    }
}

/// Proof of holding the lease at one epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fence {
    id: String,
    epoch: i64,
}

impl Fence {
    /// The holder's id, which marks the outbox rows it queued.
    pub(crate) fn origin(&self) -> &str {
        &self.id
    }

    /// Fails unless the lease is still this holder's at this epoch; called inside each write
    /// transaction, so the check and the write are one.
    pub fn check(&self, conn: &Connection) -> Result<(), EngineError> {
        let held: Option<i64> = conn
            .query_row(
                "SELECT 1 FROM lease WHERE name = 'evaluator' AND id = ?1 AND epoch = ?2",
                params![self.id, self.epoch],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        match held {
            Some(_) => Ok(()),
            None => Err(EngineError::LeaseLost(lost_words(conn))),
        }
    }
}

fn lost_words(conn: &Connection) -> String {
    match holder(conn, super::now_ms()) {
        Ok(Some(h)) => format!(
            "another process took the evaluator's lease: {}; this one stops and writes nothing more",
            h.describe()
        ),
        _ => "the evaluator's lease was lost; this one stops and writes nothing more".into(),
    }
}

/// Who holds the lease now, if anyone (an expired lease is held by no one).
pub(crate) fn holder(conn: &Connection, now_ms: i64) -> Result<Option<Holder>, EngineError> {
    let row: Option<(String, i64, String, i64)> = conn
        .query_row(
            "SELECT kind, pid, host, until FROM lease WHERE name = 'evaluator' AND until >= ?1",
            [now_ms],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(db)?;
    Ok(row.and_then(|(kind, pid, host, until)| {
        Some(Holder {
            kind: Kind::parse(&kind)?,
            pid,
            host,
            until,
        })
    }))
}

/// The id of the lease's holder when it is a process of this host that is gone (killed before
/// it could let go): its lease is free at once rather than after its TTL.
fn dead_here(conn: &Connection) -> Result<Option<String>, EngineError> {
    let row: Option<(String, i64, String)> = conn
        .query_row(
            "SELECT id, pid, host FROM lease WHERE name = 'evaluator'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(db)?;
    Ok(row
        .filter(|(_, pid, host)| *host == host_name() && !super::host::alive(*pid))
        .map(|(id, _, _)| id))
}

fn host_name() -> String {
    match super::host::name() {
        n if n.is_empty() => "this host".to_string(),
        n => n,
    }
}

/// Takes the lease in one statement if it is free (never taken, expired, let go, or held by a
/// process of this host that is gone); otherwise says who holds it.
pub(crate) fn try_take(
    conn: &Connection,
    kind: Kind,
    now_ms: i64,
) -> Result<Result<Fence, Holder>, EngineError> {
    let id = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let dead = dead_here(conn)?.unwrap_or_default();
    let epoch: Option<i64> = conn
        .query_row(
            "INSERT INTO lease (name, id, kind, pid, host, until, epoch)
             VALUES ('evaluator', ?1, ?2, ?3, ?4, ?5, 1)
             ON CONFLICT(name) DO UPDATE SET id = excluded.id, kind = excluded.kind,
                 pid = excluded.pid, host = excluded.host, until = excluded.until,
                 epoch = lease.epoch + 1
             WHERE lease.until < ?6 OR lease.id = ?7
             RETURNING epoch",
            params![
                id,
                kind.name(),
                i64::from(std::process::id()),
                host_name(),
                now_ms + TTL_MS,
                now_ms,
                dead
            ],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?;
    if let Some(epoch) = epoch {
        return Ok(Ok(Fence { id, epoch }));
    }
    // Held: by whom (it may have been let go in between; then it is free on the next try).
    Ok(Err(holder(conn, now_ms)?.unwrap_or(Holder {
        kind,
        pid: 0,
        host: "?".into(),
        until: now_ms,
    })))
}

/// Renews the lease for another TTL; `false` when another process holds it now.
fn renew(conn: &Connection, fence: &Fence, now_ms: i64) -> Result<bool, EngineError> {
    let changed = conn
        .execute(
            "UPDATE lease SET until = ?3 WHERE name = 'evaluator' AND id = ?1 AND epoch = ?2",
            params![fence.id, fence.epoch, now_ms + TTL_MS],
        )
        .map_err(db)?;
    Ok(changed == 1)
}

/// Lets the lease go at once (if still held at this epoch).
fn release(conn: &Connection, fence: &Fence) -> Result<(), EngineError> {
    conn.execute(
        "UPDATE lease SET until = 0 WHERE name = 'evaluator' AND id = ?1 AND epoch = ?2",
        params![fence.id, fence.epoch],
    )
    .map_err(db)?;
    Ok(())
}

/// How the lease is faring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Held and renewed on time.
    Held,
    /// Held, but the last renewal failed (a locked database): tried again every second.
    Troubled(String),
    /// Another process holds it now: stop.
    Lost(String),
}

/// A lease held by this process, renewed by its own thread until released or dropped.
pub struct Lease {
    fence: Fence,
    path: PathBuf,
    state: watch::Receiver<State>,
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Lease {
    /// Takes the lease on the database at `path` and starts renewing it, or says who holds it.
    pub fn take(path: &Path, kind: Kind) -> Result<Result<Lease, Holder>, EngineError> {
        let conn = schema::connect(path, Duration::from_secs(5))?;
        let fence = match try_take(&conn, kind, super::now_ms())? {
            Ok(f) => f,
            Err(h) => return Ok(Err(h)),
        };
        let (tx, state) = watch::channel(State::Held);
        let (stop, stopped) = mpsc::channel::<()>();
        let renewing = fence.clone();
        let thread = std::thread::Builder::new()
            .name("lease".into())
            .spawn(move || renew_until_stopped(&conn, &renewing, &tx, &stopped))
            .map_err(|e| {
                EngineError::Backend(crate::backend::BackendError::Storage(format!(
                    "cannot start the lease's thread: {e}"
                )))
            })?;
        Ok(Ok(Lease {
            fence,
            path: path.to_path_buf(),
            state,
            stop: Some(stop),
            thread: Some(thread),
        }))
    }

    /// The proof every write checks.
    pub fn fence(&self) -> &Fence {
        &self.fence
    }

    /// How the lease is faring, as it changes.
    pub fn state(&self) -> watch::Receiver<State> {
        self.state.clone()
    }

    fn stop_renewing(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Stops renewing and lets the lease go, so the next process need not wait for its TTL.
    pub fn release(mut self) {
        self.stop_renewing();
        if let Ok(conn) = schema::connect(&self.path, Duration::from_secs(2)) {
            let _ = release(&conn, &self.fence);
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.stop_renewing();
    }
}

fn renew_until_stopped(
    conn: &Connection,
    fence: &Fence,
    state: &watch::Sender<State>,
    stopped: &mpsc::Receiver<()>,
) {
    let mut wait = RENEW_EVERY;
    loop {
        match stopped.recv_timeout(wait) {
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            _ => return,
        }
        match renew(conn, fence, super::now_ms()) {
            Ok(true) => {
                wait = RENEW_EVERY;
                state.send_if_modified(|s| {
                    let changed = *s != State::Held;
                    *s = State::Held;
                    changed
                });
            }
            Ok(false) => {
                let _ = state.send(State::Lost(lost_words(conn)));
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot renew the evaluator's lease");
                wait = RETRY_EVERY;
                let _ = state.send(State::Troubled(format!(
                    "cannot renew the evaluator's lease: {e}"
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_with_lease() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); CREATE TABLE outbox (execution_id TEXT PRIMARY KEY, request TEXT NOT NULL, next_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);")
            .unwrap();
        schema::migrate(&mut conn).unwrap();
        conn
    }

    #[test]
    fn one_taker_at_a_time_until_it_lapses_and_the_loser_is_fenced() {
        let conn = db_with_lease();
        let first = try_take(&conn, Kind::Engine, 1_000).unwrap().unwrap();
        let held = try_take(&conn, Kind::Emit, 2_000).unwrap().unwrap_err();
        assert_eq!(held.kind, Kind::Engine);
        assert_eq!(held.until, 1_000 + TTL_MS);
        first.check(&conn).unwrap();
        assert!(renew(&conn, &first, 5_000).unwrap());
        // Past its TTL without renewal: free; the new holder's epoch fences the old one.
        let second = try_take(&conn, Kind::Engine, 5_000 + TTL_MS + 1)
            .unwrap()
            .unwrap();
        assert!(matches!(first.check(&conn), Err(EngineError::LeaseLost(_))));
        assert!(!renew(&conn, &first, 30_000).unwrap());
        release(&conn, &first).unwrap();
        second.check(&conn).unwrap();
        release(&conn, &second).unwrap();
        assert_eq!(holder(&conn, 30_000).unwrap(), None);
        try_take(&conn, Kind::Test, 30_000).unwrap().unwrap();
    }
}
