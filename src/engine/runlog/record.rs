//! The few kinds of `wandb_internal.Record` the engine reads, decoded by field number (the
//! numbers are in the research note on the offline format; no `.proto` is vendored).

use super::proto::{Malformed, Value, fields, text};

/// A decoded record.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// A logged row: its step and its items (flattened key, `value_json`).
    History {
        /// `HistoryStep.num` (0 when the step is present but empty).
        step: Option<i64>,
        /// Items: the key (nested keys joined with `.`) and the value as JSON text.
        items: Vec<(String, String)>,
    },
    /// The run's identity.
    Run {
        /// Run id.
        id: String,
        /// Entity (empty offline without `entity=`).
        entity: String,
        /// Project (`uncategorized` when none was given).
        project: String,
        /// Display name (empty unless `name=`).
        display_name: String,
        /// The writer's host.
        host: String,
        /// Start time, Unix seconds.
        start: Option<i64>,
    },
    /// The exit: code 0 finished, anything else failed; `not_complete` defers to the primary.
    Exit {
        /// The exit code.
        code: i32,
        /// Written by a secondary writer.
        not_complete: bool,
    },
    /// System stats: the run is alive, though it may have logged no row.
    Stats {
        /// When they were sampled, Unix seconds.
        time: Option<i64>,
    },
    /// A preemption notice.
    Preempting,
    /// The writer's environment.
    Environment {
        /// `WANDB_USERNAME` or the viewer.
        username: String,
        /// The host.
        host: String,
    },
    /// Anything else (skipped).
    Other,
}

/// A record and its sequence number.
#[derive(Clone, Debug, PartialEq)]
pub struct Numbered {
    /// `Record.num`: 1, 2, 3, … over every persisted record.
    pub num: i64,
    /// What it holds.
    pub record: Record,
}

fn item(bytes: &[u8]) -> Result<(String, String), Malformed> {
    let (mut key, mut nested, mut value) = (String::new(), Vec::new(), String::new());
    for f in fields(bytes) {
        match f? {
            (1, Value::Bytes(b)) => key = text(b),
            (2, Value::Bytes(b)) => nested.push(text(b)),
            (16, Value::Bytes(b)) => value = text(b),
            _ => {}
        }
    }
    if !nested.is_empty() {
        key = nested.join(".");
    }
    Ok((key, value))
}

fn history(bytes: &[u8]) -> Result<Record, Malformed> {
    let (mut items, mut step) = (Vec::new(), None);
    for f in fields(bytes) {
        match f? {
            (1, Value::Bytes(b)) => items.push(item(b)?),
            (2, Value::Bytes(b)) => {
                let mut num = 0;
                for g in fields(b) {
                    if let (1, Value::Varint(v)) = g? {
                        num = v as i64;
                    }
                }
                step = Some(num);
            }
            _ => {}
        }
    }
    Ok(Record::History { step, items })
}

fn run(bytes: &[u8]) -> Result<Record, Malformed> {
    let (mut id, mut entity, mut project, mut display_name, mut host) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    let mut start = None;
    for f in fields(bytes) {
        match f? {
            (1, Value::Bytes(b)) => id = text(b),
            (2, Value::Bytes(b)) => entity = text(b),
            (3, Value::Bytes(b)) => project = text(b),
            (8, Value::Bytes(b)) => display_name = text(b),
            (13, Value::Bytes(b)) => host = text(b),
            (17, Value::Bytes(b)) => {
                for g in fields(b) {
                    if let (1, Value::Varint(v)) = g? {
                        start = Some(v as i64);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(Record::Run {
        id,
        entity,
        project,
        display_name,
        host,
        start,
    })
}

fn exit(bytes: &[u8]) -> Result<Record, Malformed> {
    let (mut code, mut not_complete) = (0, false);
    for f in fields(bytes) {
        match f? {
            // An int32 is sign-extended to 64 bits on the wire.
            (1, Value::Varint(v)) => code = v as i64 as i32,
            (3, Value::Varint(v)) => not_complete = v != 0,
            _ => {}
        }
    }
    Ok(Record::Exit { code, not_complete })
}

fn environment(bytes: &[u8]) -> Result<Record, Malformed> {
    let (mut username, mut host) = (String::new(), String::new());
    for f in fields(bytes) {
        match f? {
            (12, Value::Bytes(b)) => host = text(b),
            (13, Value::Bytes(b)) => username = text(b),
            _ => {}
        }
    }
    Ok(Record::Environment { username, host })
}

fn stats(bytes: &[u8]) -> Result<Record, Malformed> {
    let mut time = None;
    for f in fields(bytes) {
        if let (2, Value::Bytes(b)) = f? {
            for g in fields(b) {
                if let (1, Value::Varint(v)) = g? {
                    time = Some(v as i64);
                }
            }
        }
    }
    Ok(Record::Stats { time })
}

/// Decodes a record's payload.
pub fn decode(payload: &[u8]) -> Result<Numbered, Malformed> {
    let mut num = 0;
    let mut record = Record::Other;
    for f in fields(payload) {
        match f? {
            (1, Value::Varint(v)) => num = v as i64,
            (2, Value::Bytes(b)) => record = history(b)?,
            (7, Value::Bytes(b)) => record = stats(b)?,
            (17, Value::Bytes(b)) => record = run(b)?,
            (18, Value::Bytes(b)) => record = exit(b)?,
            (23, Value::Bytes(_)) => record = Record::Preempting,
            (26, Value::Bytes(b)) => record = environment(b)?,
            _ => {}
        }
    }
    Ok(Numbered { num, record })
}

/// A `value_json` as a metric value: plain numbers and W&B's `NaN`, `Infinity`, `-Infinity`;
/// strings, booleans, null and lists are not metrics.
pub fn number(value_json: &str) -> Option<f64> {
    let v = value_json.trim();
    match v {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ if v.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => v.parse().ok(),
        _ => None,
    }
}
