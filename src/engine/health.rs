//! What a running engine says about itself at `GET /v1/health`: kept up to date by its tasks, so
//! the answer never waits on the database (a locked database is exactly when it is asked).
//!
//! It is `degraded` (503) while a part has a problem (the database busy or locked, the disk
//! full, the lease not renewed) or while the outbox backs up: its oldest delivery has waited
//! [`BACKING_UP_SECS`] or more (retries of a failing receiver wait seconds to a minute, so
//! five minutes means deliveries are not keeping up or a receiver has been down that long).

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

/// How long the oldest delivery may wait in the outbox before health says it backs up.
pub(crate) const BACKING_UP_SECS: i64 = 300;

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
        let backing_up = (inner.oldest_secs >= BACKING_UP_SECS).then(|| {
            format!(
                "the outbox is backing up: {} deliveries wait, the oldest for {} s (over {BACKING_UP_SECS} s)",
                inner.pending, inner.oldest_secs
            )
        });
        let reason = inner.problems.values().next().cloned().or(backing_up);
        let doc = json!({
            "status": if reason.is_some() { "degraded" } else { "ok" },
            "reason": reason,
            "outbox": {
                "pending": inner.pending,
                "oldest_secs": inner.oldest_secs,
                "backing_up_after_secs": BACKING_UP_SECS,
            },
        });
        (if reason.is_some() { 503 } else { 200 }, doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outbox_whose_oldest_waited_five_minutes_is_degraded() {
        let health = Health::default();
        health.outbox(3, BACKING_UP_SECS - 1);
        assert_eq!(health.answer().0, 200);
        health.outbox(3, BACKING_UP_SECS);
        let (status, doc) = health.answer();
        assert_eq!(status, 503);
        assert!(
            doc["reason"].as_str().unwrap().contains("backing up"),
            "{doc}"
        );
        health.problem(Part::Database, Some("database is locked".into()));
        assert_eq!(health.answer().1["reason"], "database is locked");
    }
}
