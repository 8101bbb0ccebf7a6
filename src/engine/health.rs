//! What a running engine says about itself at `GET /v1/health`: kept up to date by its tasks, so
//! the answer never waits on the database (a locked database is exactly when it is asked).

use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// The part of the engine a problem is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Part {
    /// The database file itself.
    Database,
    /// Renewing the evaluator's lease.
    Lease,
    /// Evaluating queued events.
    Evaluator,
    /// Storing posted events.
    Intake,
    /// Recording deliveries.
    Delivery,
}

#[derive(Default)]
struct Inner {
    problems: BTreeMap<Part, String>,
    pending: i64,
    oldest_secs: i64,
}

/// The engine's health: a problem per part (none: ok) and the outbox.
#[derive(Default)]
pub(crate) struct Health(Mutex<Inner>);

impl Health {
    /// Sets (or, with `None`, clears) the problem of `part`.
    pub(crate) fn problem(&self, part: Part, why: Option<String>) {
        if let Ok(mut inner) = self.0.lock() {
            match why {
                Some(w) => {
                    inner.problems.insert(part, w);
                }
                None => {
                    inner.problems.remove(&part);
                }
            }
        }
    }

    /// The outbox as last counted.
    pub(crate) fn outbox(&self, pending: i64, oldest_secs: i64) {
        if let Ok(mut inner) = self.0.lock() {
            inner.pending = pending;
            inner.oldest_secs = oldest_secs;
        }
    }

    /// The HTTP status (200 ok, 503 degraded) and the JSON answer: no process id, no paths.
    pub(crate) fn answer(&self) -> (u16, serde_json::Value) {
        let Ok(inner) = self.0.lock() else {
            return (
                503,
                json!({"status": "degraded", "reason": "the engine's state is unreadable", "outbox": null}),
            );
        };
        let reason = inner.problems.values().next();
        let doc = json!({
            "status": if reason.is_some() { "degraded" } else { "ok" },
            "reason": reason,
            "outbox": {"pending": inner.pending, "oldest_secs": inner.oldest_secs},
        });
        (if reason.is_some() { 503 } else { 200 }, doc)
    }
}
