//! The engine's events and their JSON form: run metrics, run states, artifact and collection-tag
//! events. Parsing checks every key and names the path of the first problem.
//! No clock (a missing time is filled in by the caller) and no files (JSON Lines come from a
//! reader the caller opens).

use crate::model::ArtifactEvent;
use serde_json::{Map, Value, json};

/// A run's state as an event reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StateReport {
    /// Started running.
    Running,
    /// Finished.
    Finished,
    /// Failed or crashed.
    Failed,
    /// Killed (never fires, as on W&B).
    Killed,
}

impl StateReport {
    /// Parses `running`, `finished`, `failed`, `crashed` (= failed) or `killed`, any case.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "running" => Self::Running,
            "finished" => Self::Finished,
            "failed" | "crashed" => Self::Failed,
            "killed" => Self::Killed,
            _ => return None,
        })
    }

    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Finished => "finished",
            Self::Failed => "failed",
            Self::Killed => "killed",
        }
    }

    /// The model's state, when it is one an automation can wait for.
    pub fn run_state(self) -> Option<crate::model::RunState> {
        use crate::model::RunState as R;
        match self {
            Self::Running => Some(R::Running),
            Self::Finished => Some(R::Finished),
            Self::Failed => Some(R::Failed),
            Self::Killed => None,
        }
    }
}

/// Who a run is: its project (`ENTITY/PROJECT`), id, display name and user.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRef {
    /// The entity.
    pub entity: String,
    /// The project's name.
    pub project: String,
    /// The run's id.
    pub run: String,
    /// Its display name, if given.
    pub display_name: Option<String>,
    /// Its user, if given.
    pub user: Option<String>,
}

/// An artifact collection: `ENTITY/PROJECT/COLLECTION`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionRef {
    /// The entity.
    pub entity: String,
    /// The project (a registry's is `wandb-registry-NAME`).
    pub project: String,
    /// The collection.
    pub collection: String,
}

impl CollectionRef {
    /// Parses `ENTITY/PROJECT/COLLECTION`.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('/');
        let (e, p, c) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || [e, p, c].iter().any(|x| x.trim().is_empty()) {
            return None;
        }
        Some(Self {
            entity: e.into(),
            project: p.into(),
            collection: c.into(),
        })
    }

    /// `ENTITY/PROJECT/COLLECTION`.
    pub fn path(&self) -> String {
        format!("{}/{}/{}", self.entity, self.project, self.collection)
    }
}

/// What happened.
#[derive(Clone, Debug, PartialEq)]
pub enum EventBody {
    /// Metrics logged at a step (NaN and ±Infinity kept, never entering a window).
    Metric {
        /// The step; `None` = the run's previous step + 1.
        step: Option<i64>,
        /// Flattened keys (`a.b`) and their values.
        metrics: Vec<(String, f64)>,
    },
    /// A run's state.
    State(StateReport),
    /// The run is alive (a record with no history row, such as system stats, or the live
    /// engine's clock vouching for it): what judges a `run_stalled` silence between rows.
    Alive,
    /// An artifact event on a version of a collection.
    Artifact {
        /// Which event (create, link, unlink, add alias, add tag, remove tag).
        kind: ArtifactEvent,
        /// The collection.
        collection: CollectionRef,
        /// The version number.
        version: Option<i64>,
        /// The alias (add_alias).
        alias: Option<String>,
        /// The tag (add_tag, remove_tag).
        tag: Option<String>,
        /// Who did it.
        author: Option<String>,
        /// The version's metadata.
        metadata: Map<String, Value>,
    },
}

/// One event.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineEvent {
    /// The run, for run events.
    pub run: Option<RunRef>,
    /// What happened.
    pub body: EventBody,
    /// Event time in Unix seconds; `None` = now (filled in when stored).
    pub time: Option<i64>,
}

/// A problem in an event, with the path of the value at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventError {
    /// Path inside the event, e.g. `metrics.loss`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for EventError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

fn err(path: &str, message: impl Into<String>) -> EventError {
    EventError {
        path: path.into(),
        message: message.into(),
    }
}

fn text(o: &Map<String, Value>, key: &str, required: bool) -> Result<Option<String>, EventError> {
    match o.get(key) {
        None | Some(Value::Null) if !required => Ok(None),
        None | Some(Value::Null) => Err(err(key, "is required")),
        Some(Value::String(s)) if s.trim().is_empty() && required => {
            Err(err(key, "must not be empty"))
        }
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(err(key, "must be a string")),
    }
}

fn integer(o: &Map<String, Value>, key: &str) -> Result<Option<i64>, EventError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or_else(|| err(key, "must be a whole number ≥ 0")),
    }
}

/// Parses an RFC 3339 time into Unix seconds.
pub(crate) fn parse_time(s: &str) -> Option<i64> {
    s.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

fn check_keys(o: &Map<String, Value>, allowed: &[&str]) -> Result<(), EventError> {
    match o.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(err(
            k,
            format!("unknown key; this event takes {}", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

/// `ENTITY/PROJECT` split in two, `None` when it is not of that form.
pub fn project(path: &str) -> Option<(String, String)> {
    let (e, p) = path.split_once('/')?;
    (!e.trim().is_empty() && !p.trim().is_empty() && !p.contains('/'))
        .then(|| (e.to_string(), p.to_string()))
}

/// Flattens nested metrics with `.` (`{"a":{"b":1}}` → `a.b`), as W&B does.
fn flatten(
    prefix: &str,
    o: &Map<String, Value>,
    out: &mut Vec<(String, f64)>,
) -> Result<(), EventError> {
    for (k, v) in o {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) => flatten(&key, inner, out)?,
            other => match crate::wire::runs::metric_value(other) {
                Some(x) => out.push((key, x)),
                None => {
                    return Err(err(
                        &format!("metrics.{key}"),
                        "must be a number (or \"NaN\", \"Infinity\", \"-Infinity\")",
                    ));
                }
            },
        }
    }
    Ok(())
}

impl EngineEvent {
    /// Parses one event from its JSON form.
    pub fn from_json(v: &Value) -> Result<Self, EventError> {
        let Value::Object(o) = v else {
            return Err(err("", "an event must be a JSON object"));
        };
        let kind = text(o, "type", true)?.unwrap_or_default();
        let time = match o.get("time") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(parse_time(s).ok_or_else(|| {
                err(
                    "time",
                    "must be an RFC 3339 time, e.g. 2026-12-01T10:00:00Z",
                )
            })?),
            Some(_) => return Err(err("time", "must be an RFC 3339 time string")),
        };
        let run_ref = |o: &Map<String, Value>| -> Result<RunRef, EventError> {
            let path = text(o, "project", true)?.unwrap_or_default();
            let (entity, project) =
                project(&path).ok_or_else(|| err("project", "must be ENTITY/PROJECT"))?;
            Ok(RunRef {
                entity,
                project,
                run: text(o, "run", true)?.unwrap_or_default(),
                display_name: text(o, "display_name", false)?,
                user: text(o, "user", false)?,
            })
        };
        match kind.as_str() {
            "run_metric" => {
                check_keys(
                    o,
                    &[
                        "type",
                        "project",
                        "run",
                        "display_name",
                        "user",
                        "step",
                        "time",
                        "metrics",
                    ],
                )?;
                let run = run_ref(o)?;
                let mut metrics = Vec::new();
                match o.get("metrics") {
                    Some(Value::Object(m)) if !m.is_empty() => flatten("", m, &mut metrics)?,
                    Some(Value::Object(_)) => return Err(err("metrics", "is empty")),
                    Some(_) => return Err(err("metrics", "must be an object of numbers")),
                    None => return Err(err("metrics", "is required")),
                }
                Ok(Self {
                    run: Some(run),
                    body: EventBody::Metric {
                        step: integer(o, "step")?,
                        metrics,
                    },
                    time,
                })
            }
            "run_state" => {
                check_keys(
                    o,
                    &[
                        "type",
                        "project",
                        "run",
                        "display_name",
                        "user",
                        "state",
                        "time",
                    ],
                )?;
                let run = run_ref(o)?;
                let state = text(o, "state", true)?.unwrap_or_default();
                let state = StateReport::parse(&state).ok_or_else(|| {
                    err(
                        "state",
                        "must be running, finished, failed, crashed or killed",
                    )
                })?;
                Ok(Self {
                    run: Some(run),
                    body: EventBody::State(state),
                    time,
                })
            }
            "run_alive" => {
                check_keys(
                    o,
                    &["type", "project", "run", "display_name", "user", "time"],
                )?;
                Ok(Self {
                    run: Some(run_ref(o)?),
                    body: EventBody::Alive,
                    time,
                })
            }
            "artifact" | "collection_tag" => {
                let collection_tag = kind == "collection_tag";
                let allowed: &[&str] = if collection_tag {
                    &["type", "event", "collection", "tag", "time"]
                } else {
                    &[
                        "type",
                        "event",
                        "collection",
                        "version",
                        "alias",
                        "tag",
                        "author",
                        "metadata",
                        "time",
                    ]
                };
                check_keys(o, allowed)?;
                let event = text(o, "event", true)?.unwrap_or_default();
                let kind = match (collection_tag, event.as_str()) {
                    (true, "add") => ArtifactEvent::AddCollectionTag,
                    (true, "remove") => ArtifactEvent::RemoveCollectionTag,
                    (true, _) => return Err(err("event", "must be add or remove")),
                    (false, "create") => ArtifactEvent::Create,
                    (false, "link") => ArtifactEvent::Link,
                    (false, "unlink") => ArtifactEvent::Unlink,
                    (false, "add_alias") => ArtifactEvent::AddAlias,
                    (false, "add_tag") => ArtifactEvent::AddTag,
                    (false, "remove_tag") => ArtifactEvent::RemoveTag,
                    (false, _) => {
                        return Err(err(
                            "event",
                            "must be create, link, unlink, add_alias, add_tag or remove_tag",
                        ));
                    }
                };
                let path = text(o, "collection", true)?.unwrap_or_default();
                let collection = CollectionRef::parse(&path)
                    .ok_or_else(|| err("collection", "must be ENTITY/PROJECT/COLLECTION"))?;
                let alias = text(o, "alias", false)?;
                let tag = text(o, "tag", false)?;
                if kind == ArtifactEvent::AddAlias && alias.is_none() {
                    return Err(err("alias", "is required for add_alias"));
                }
                let needs_tag = matches!(
                    kind,
                    ArtifactEvent::AddTag
                        | ArtifactEvent::RemoveTag
                        | ArtifactEvent::AddCollectionTag
                        | ArtifactEvent::RemoveCollectionTag
                );
                if needs_tag && tag.is_none() {
                    return Err(err("tag", format!("is required for {event}")));
                }
                let metadata = match o.get("metadata") {
                    None | Some(Value::Null) => Map::new(),
                    Some(Value::Object(m)) => m.clone(),
                    Some(_) => return Err(err("metadata", "must be an object")),
                };
                Ok(Self {
                    run: None,
                    body: EventBody::Artifact {
                        kind,
                        collection,
                        version: integer(o, "version")?,
                        alias,
                        tag,
                        author: text(o, "author", false)?,
                        metadata,
                    },
                    time,
                })
            }
            "" => Err(err("type", "is required")),
            other => Err(err(
                "type",
                format!(
                    "{other:?} is not an event type; use run_metric, run_state, artifact or collection_tag"
                ),
            )),
        }
    }

    /// The JSON form (what [`EngineEvent::from_json`] reads back), with the time if known.
    pub(crate) fn to_json(&self) -> Value {
        let mut o = Map::new();
        if let Some(run) = &self.run {
            o.insert(
                "project".into(),
                json!(format!("{}/{}", run.entity, run.project)),
            );
            o.insert("run".into(), json!(run.run));
            if let Some(d) = &run.display_name {
                o.insert("display_name".into(), json!(d));
            }
            if let Some(u) = &run.user {
                o.insert("user".into(), json!(u));
            }
        }
        match &self.body {
            EventBody::Metric { step, metrics } => {
                o.insert("type".into(), json!("run_metric"));
                if let Some(s) = step {
                    o.insert("step".into(), json!(s));
                }
                let m: Map<String, Value> = metrics
                    .iter()
                    .map(|(k, v)| (k.clone(), number_json(*v)))
                    .collect();
                o.insert("metrics".into(), Value::Object(m));
            }
            EventBody::State(s) => {
                o.insert("type".into(), json!("run_state"));
                o.insert("state".into(), json!(s.name()));
            }
            EventBody::Alive => {
                o.insert("type".into(), json!("run_alive"));
            }
            EventBody::Artifact {
                kind,
                collection,
                version,
                alias,
                tag,
                author,
                metadata,
            } => {
                let (ty, event) = match kind {
                    ArtifactEvent::AddCollectionTag => ("collection_tag", "add"),
                    ArtifactEvent::RemoveCollectionTag => ("collection_tag", "remove"),
                    ArtifactEvent::Create => ("artifact", "create"),
                    ArtifactEvent::Link => ("artifact", "link"),
                    ArtifactEvent::Unlink => ("artifact", "unlink"),
                    ArtifactEvent::AddAlias => ("artifact", "add_alias"),
                    ArtifactEvent::AddTag => ("artifact", "add_tag"),
                    _ => ("artifact", "remove_tag"),
                };
                o.insert("type".into(), json!(ty));
                o.insert("event".into(), json!(event));
                o.insert("collection".into(), json!(collection.path()));
                for (k, v) in [("alias", alias), ("tag", tag), ("author", author)] {
                    if let Some(v) = v {
                        o.insert(k.into(), json!(v));
                    }
                }
                if let Some(v) = version {
                    o.insert("version".into(), json!(v));
                }
                if !metadata.is_empty() && ty == "artifact" {
                    o.insert("metadata".into(), Value::Object(metadata.clone()));
                }
            }
        }
        if let Some(t) = self.time
            && let Ok(ts) = jiff::Timestamp::from_second(t)
        {
            o.insert("time".into(), json!(ts.to_string()));
        }
        Value::Object(o)
    }

    /// The collection (`E/P/C`) of an artifact or collection event.
    pub(crate) fn collection_path(&self) -> Option<String> {
        match &self.body {
            EventBody::Artifact { collection, .. } => Some(collection.path()),
            _ => None,
        }
    }

    /// W&B's name of what happened, e.g. `RUN_STATE`, `ADD_ARTIFACT_ALIAS`.
    pub(crate) fn kind_name(&self) -> &'static str {
        match &self.body {
            EventBody::Metric { .. } => "RUN_METRIC",
            EventBody::State(_) => "RUN_STATE",
            EventBody::Alive => "RUN_ALIVE",
            EventBody::Artifact { kind, .. } => kind.wire_name(),
        }
    }
}

/// A metric value as JSON: numbers as numbers, NaN and infinities as W&B writes them.
pub(crate) fn number_json(v: f64) -> Value {
    if v.is_nan() {
        json!("NaN")
    } else if v == f64::INFINITY {
        json!("Infinity")
    } else if v == f64::NEG_INFINITY {
        json!("-Infinity")
    } else if v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

/// The longest line of JSON Lines read.
pub(crate) const MAX_LINE: usize = 16 * 1024 * 1024;

/// Reads JSON Lines of events one line at a time (blank lines skipped; a line may hold an
/// array), giving each event to `each` with its line number; stops at the first problem, named
/// with its line (and its index in an array). Memory stays that of one line.
pub(crate) fn read_lines<E: From<String>>(
    mut reader: impl std::io::BufRead,
    mut each: impl FnMut(usize, EngineEvent) -> Result<(), E>,
) -> Result<(), E> {
    use std::io::{BufRead, Read};
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        n += 1;
        let read = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| E::from(format!("line {n}: cannot be read ({e})")))?;
        if read == 0 {
            return Ok(());
        }
        if buf.len() > MAX_LINE {
            return Err(E::from(format!(
                "line {n}: longer than {} MiB; put one event per line",
                MAX_LINE >> 20
            )));
        }
        let line =
            std::str::from_utf8(&buf).map_err(|_| E::from(format!("line {n}: not UTF-8 text")))?;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value =
            serde_json::from_str(line).map_err(|e| E::from(format!("line {n}: not JSON ({e})")))?;
        match value {
            Value::Array(items) => {
                for (j, item) in items.iter().enumerate() {
                    let e = EngineEvent::from_json(item)
                        .map_err(|e| E::from(format!("line {n}: [{j}] {e}")))?;
                    each(n, e)?;
                }
            }
            one => {
                let e =
                    EngineEvent::from_json(&one).map_err(|e| E::from(format!("line {n}: {e}")))?;
                each(n, e)?;
            }
        }
    }
}

/// Parses JSON Lines (blank lines skipped): every event, or the first problem with its line.
pub(crate) fn parse_lines(text: &str) -> Result<Vec<EngineEvent>, String> {
    let mut out = Vec::new();
    read_lines(text.as_bytes(), |_, e| {
        out.push(e);
        Ok::<(), String>(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_flattens_and_names_bad_paths() {
        let e = EngineEvent::from_json(&json!({"type":"run_metric","project":"acme/vision","run":"r1","metrics":{"loss":0.5,"val":{"acc":"NaN"}}})).unwrap();
        let EventBody::Metric { metrics, step } = &e.body else {
            panic!()
        };
        assert_eq!(step, &None);
        assert_eq!(metrics[0], ("loss".to_string(), 0.5));
        assert_eq!(metrics[1].0, "val.acc");
        assert!(metrics[1].1.is_nan());
        let bad = |v: Value| EngineEvent::from_json(&v).unwrap_err().to_string();
        assert_eq!(
            bad(
                json!({"type":"run_metric","project":"acme/vision","run":"r","metrics":{"loss":"x"}})
            ),
            "metrics.loss: must be a number (or \"NaN\", \"Infinity\", \"-Infinity\")"
        );
        assert!(
            bad(json!({"type":"run_state","project":"acme","run":"r","state":"failed"}))
                .starts_with("project:")
        );
        assert!(
            bad(json!({"type":"run_state","project":"a/b","run":"r","state":"dead"}))
                .starts_with("state:")
        );
        assert!(
            bad(json!({"type":"artifact","event":"add_alias","collection":"a/b/c"}))
                .starts_with("alias:")
        );
        assert!(
            bad(json!({"type":"run_state","project":"a/b","run":"r","state":"failed","colour":1}))
                .starts_with("colour: unknown key")
        );
        let round = EngineEvent::from_json(&e.to_json()).unwrap();
        assert_eq!(round.to_json(), e.to_json());
        assert!(parse_lines("{\"type\":\"run_state\",\"project\":\"a/b\",\"run\":\"r\",\"state\":\"killed\"}\n\nnope").unwrap_err().starts_with("line 3:"));
    }
}
