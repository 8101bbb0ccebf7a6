//! The demo team's last day of executions, written once into a new demo database when the
//! dashboard first starts on it, so History and the list's LAST column show what the engine does
//! before it has run: deliveries that went through, one a receiver refused, one that went through
//! on its third attempt, one held back by the rate limit, one held back by the once-a-day rule,
//! and a test fire. Dated back from that start; nothing is sent. The demo seed marks a new
//! database with [`PENDING`]; writing the day removes the mark, so it happens once.

use super::error::{EngineError, db};
use super::store::{self, NewExecution, Status};
use crate::backend::local::store::{meta, set_meta};
use crate::model::Automation;
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, params};
use serde_json::{Value, json};

/// The meta key the demo seed sets on a new database: its demo day is still to be written.
pub const PENDING: &str = "demo_day_pending";

/// One execution of the demo day.
struct DemoExecution {
    /// The automation, by name.
    automation: &'static str,
    /// How long before the first start it happened.
    minutes_ago: i64,
    event_type: &'static str,
    run: Option<&'static str>,
    step: Option<i64>,
    values: Option<Value>,
    status: Status,
    error: Option<&'static str>,
    test: bool,
    /// Delivery attempts and the receiver's answer (status, body).
    attempts: i64,
    answer: Option<(i64, &'static str)>,
}

fn day() -> Vec<DemoExecution> {
    let run = |automation, minutes_ago, event_type, run| DemoExecution {
        automation,
        minutes_ago,
        event_type,
        run: Some(run),
        step: None,
        values: None,
        status: Status::Success,
        error: None,
        test: false,
        attempts: 1,
        answer: Some((200, "ok")),
    };
    vec![
        DemoExecution {
            step: Some(1_920),
            values: Some(json!({"value": 0.62, "values": [0.48, 0.55, 0.61, 0.69, 0.77]})),
            ..run(
                "loss-plateau",
                23 * 60 + 10,
                "RUN_METRIC",
                "acme/nlp/sweep-2",
            )
        },
        DemoExecution {
            status: Status::Skipped,
            error: Some("fired on this run less than 24 hours before"),
            attempts: 0,
            answer: None,
            step: Some(1_940),
            ..run(
                "loss-plateau",
                20 * 60 + 45,
                "RUN_METRIC",
                "acme/nlp/sweep-2",
            )
        },
        DemoExecution {
            attempts: 3,
            ..run(
                "training-finished",
                14 * 60 + 5,
                "RUN_STATE",
                "acme/nlp/release-2",
            )
        },
        DemoExecution {
            step: Some(310),
            values: Some(json!({"value": 91.0, "values": [84.0, 86.5, 88.0, 91.0]})),
            ..run(
                "gpu-too-hot",
                9 * 60 + 30,
                "RUN_METRIC",
                "acme/speech/train-large",
            )
        },
        DemoExecution {
            status: Status::Skipped,
            error: Some("rate limit: at most 10 per minute (burst 10) for this automation"),
            attempts: 0,
            answer: None,
            step: Some(312),
            values: Some(json!({"value": 92.5, "values": [86.5, 88.0, 91.0, 92.5]})),
            ..run(
                "gpu-too-hot",
                9 * 60 + 29,
                "RUN_METRIC",
                "acme/speech/train-large",
            )
        },
        DemoExecution {
            status: Status::Failed,
            error: Some("Slack refused the message: channel_not_found (gave up after 4 attempts)"),
            attempts: 4,
            answer: Some((404, "channel_not_found")),
            step: Some(2_450),
            values: Some(json!({"value": -3.4, "values": [0.91, 0.92, 0.90, 0.71]})),
            ..run(
                "accuracy-anomaly",
                5 * 60 + 20,
                "RUN_METRIC",
                "acme/vision/sweep-4",
            )
        },
        DemoExecution {
            step: Some(1_200),
            values: Some(json!({"value": 0.58, "values": [0.41, 0.47, 0.52, 0.60, 0.58]})),
            ..run(
                "loss-spike",
                2 * 60 + 15,
                "RUN_METRIC",
                "acme/vision/sweep-7",
            )
        },
        DemoExecution {
            test: true,
            ..run("failed-runs", 40, "RUN_STATE", "acme/vision/sweep-5")
        },
    ]
}

/// Writes the demo day, dated back from `first_start`, into a database the engine has opened,
/// if the demo seed left it [`PENDING`]; otherwise (any other database, or a second start)
/// nothing.
pub fn seed_day(conn: &mut Connection, first_start: Timestamp) -> Result<(), EngineError> {
    let tx = conn.transaction().map_err(db)?;
    if meta(&tx, PENDING)?.is_none_or(|v| v.is_empty()) {
        return Ok(());
    }
    let automations = store::automations(&tx)?;
    for (n, e) in day().into_iter().enumerate() {
        if let Some(a) = automations.iter().find(|a| a.name == e.automation) {
            write(&tx, a, &e, first_start, n)?;
        }
    }
    set_meta(&tx, PENDING, "")?;
    tx.commit().map_err(db)
}

fn write(
    tx: &Connection,
    a: &Automation,
    e: &DemoExecution,
    first_start: Timestamp,
    n: usize,
) -> Result<(), EngineError> {
    let at = first_start
        .checked_sub(SignedDuration::from_mins(e.minutes_ago))
        .unwrap_or(first_start);
    // The engine's ids sort by time: the moment's microseconds, then a number.
    let id = format!("exe_{:014x}{n:012x}", at.as_microsecond());
    let at_text = at.to_string();
    // What a delivery sent, as history shows it: the receiver's address masked like a secret.
    let shown = (e.attempts > 0).then(|| {
        json!({
            "method": "POST",
            "url": format!("https://receiver.example/{}", super::request::MASK),
            "headers": {"Content-Type": "application/json"},
            "body": {"automation": a.name, "run": e.run, "event": e.event_type},
        })
    });
    let record = NewExecution {
        id: &id,
        automation: a,
        event_type: e.event_type,
        run: e.run,
        step: e.step,
        collection: None,
        values: e.values.clone(),
        status: e.status,
        error: e.error.map(str::to_string),
        test: e.test,
        shown,
        at: &at_text,
    };
    store::insert_execution(tx, &record, None)?;
    let (response_status, response_body) = e.answer.unzip();
    tx.execute(
        "UPDATE executions SET attempts = ?2, response_status = ?3, response_body = ?4 WHERE id = ?1",
        params![id, e.attempts, response_status, response_body],
    )
    .map_err(db)?;
    Ok(())
}
