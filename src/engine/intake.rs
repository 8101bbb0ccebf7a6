//! What a `POST /v1/events` does once it is known who sent it: every event checked (with the
//! path of the first problem, and no time more than [`FUTURE_SECS`] ahead of the engine's clock),
//! every event's project covered by the token, then all of them stored in one transaction with
//! the answer kept under the request's `Idempotency-Key`, so a retried request is stored once.

use super::error::{EngineError, db};
use super::event::EngineEvent;
use super::store;
use super::tokens::{self, Place, Token};
use rusqlite::{Connection, TransactionBehavior};
use serde_json::{Value, json};

/// How far ahead of the engine's clock an event's time may be, in seconds.
pub(crate) const FUTURE_SECS: i64 = 300;

/// An answer: the HTTP status and its JSON.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Reply {
    /// The status.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
}

impl Reply {
    /// A problem: `{"error": ..., "path": ...}`.
    pub fn problem(status: u16, error: impl Into<String>, path: &str) -> Self {
        Self {
            status,
            body: json!({"error": error.into(), "path": path}),
        }
    }
}

/// Refuses an event dated more than [`FUTURE_SECS`] after `now` (Unix seconds); the error's
/// path is `time`.
pub(crate) fn check_time(event: &EngineEvent, now: i64) -> Result<(), super::event::EventError> {
    match event.time {
        Some(t) if t > now + FUTURE_SECS => Err(super::event::EventError {
            path: "time".into(),
            message: format!(
                "is more than {} minutes ahead of this machine's clock ({}); give the time the event happened",
                FUTURE_SECS / 60,
                jiff::Timestamp::from_second(now)
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            ),
        }),
        _ => Ok(()),
    }
}

/// Checks a request's events: `Err` is the answer (400 with the path, or 403); `Ok` the events'
/// JSON, times filled in with `now`, ready to store.
pub fn check(body: &[u8], token: &Token, now: i64) -> Result<Vec<String>, Reply> {
    let not_json =
        |e: serde_json::Error| Reply::problem(400, format!("the body is not JSON: {e}"), "");
    // An array's items are kept as slices of the body and read one at a time, so checking
    // costs little more memory than the body itself.
    let array = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let raw: Vec<&serde_json::value::RawValue> = if array {
        serde_json::from_slice(body).map_err(not_json)?
    } else {
        vec![serde_json::from_slice(body).map_err(not_json)?]
    };
    if raw.is_empty() {
        return Err(Reply::problem(400, "the array holds no events", ""));
    }
    let at = |i: usize, path: &str| match (array, path.is_empty()) {
        (false, _) => path.to_string(),
        (true, true) => format!("[{i}]"),
        (true, false) => format!("[{i}].{path}"),
    };
    // Every event is checked (a 400 wins over a 403 wherever it is); each is kept only as the
    // JSON to store.
    let mut uncovered: Option<Reply> = None;
    let mut out = Vec::with_capacity(raw.len());
    for (i, item) in raw.iter().enumerate() {
        let value: Value = serde_json::from_str(item.get()).map_err(not_json)?;
        let mut e = EngineEvent::from_json(&value)
            .and_then(|e| check_time(&e, now).map(|()| e))
            .map_err(|e| Reply::problem(400, e.message, &at(i, &e.path)))?;
        let place = Place::of(&e);
        if uncovered.is_none() && !token.covers(&place) {
            uncovered = Some(Reply::problem(
                403,
                format!(
                    "the token {} covers {}, not {}; nothing in this request was stored",
                    token.name,
                    token.scope_words(),
                    place.words()
                ),
                &at(i, ""),
            ));
        }
        e.time.get_or_insert(now);
        out.push(e.to_json().to_string());
    }
    match uncovered {
        Some(reply) => Err(reply),
        None => Ok(out),
    }
}

/// Stores checked events in one transaction and answers 202 with their ids; with `key`, a
/// repeat of the same body within a day answers the first answer and stores nothing, and the
/// same key with another body is refused (422).
pub fn store(
    conn: &mut Connection,
    token: &Token,
    key: Option<&str>,
    body: &[u8],
    events: &[String],
    now_ms: i64,
) -> Result<Reply, EngineError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    let body_hash = key.map(|_| tokens::hash(&String::from_utf8_lossy(body)));
    if let (Some(key), Some(hash)) = (key, &body_hash)
        && let Some((first_hash, answer)) = tokens::answer_for(&tx, &token.name, key, now_ms)?
    {
        return Ok(if first_hash == *hash {
            Reply {
                status: 202,
                body: serde_json::from_str(&answer).unwrap_or(Value::Null),
            }
        } else {
            Reply::problem(
                422,
                "this Idempotency-Key came with another body less than a day ago; nothing was stored (use a new key for a new request)",
                "",
            )
        });
    }
    let mut ids = Vec::with_capacity(events.len());
    for e in events {
        ids.push(store::push_inbox(&tx, e)?);
    }
    let body = json!({"accepted": ids.len(), "ids": ids});
    if let (Some(key), Some(hash)) = (key, &body_hash) {
        tokens::remember_answer(&tx, &token.name, key, hash, &body.to_string(), now_ms)?;
    }
    tx.commit().map_err(db)?;
    Ok(Reply { status: 202, body })
}
