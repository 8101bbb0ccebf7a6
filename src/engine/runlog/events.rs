//! Turning a run log's records into engine events: the run record gives the run and
//! `running`; each history row a `run_metric` at its `_step` with every numeric item (keys
//! starting with `_` skipped, nested keys joined with `.`); the exit record `finished` (code 0)
//! or `failed`; a log whose writer is gone without an exit, `failed` (crashed); a system-stats
//! record that the run is alive (what tells a stalled run from a dead one). Pure: what the
//! follower remembers of a file is plain data the store persists with the offset.

use super::record::{Numbered, Record, number};
use crate::engine::event::{EngineEvent, EventBody, RunRef, StateReport};
use serde::{Deserialize, Serialize};

/// Where runs go: every run into one project, or each into its own (an empty entity meaning the
/// default entity, an empty project `uncategorized`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// `--project ENTITY/PROJECT`.
    pub project: Option<(String, String)>,
    /// The entity for runs logged without one.
    pub default_entity: String,
}

/// What the follower remembers of one log file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunLog {
    /// The next record's start (absolute file offset).
    pub offset: u64,
    /// The last record number read (a gap means lost data).
    pub last_num: i64,
    /// The run, once its run record was read.
    pub run: Option<(String, String, String, Option<String>)>,
    /// The writer's user.
    pub user: Option<String>,
    /// The writer's host.
    pub host: Option<String>,
    /// `running` was sent.
    pub started: bool,
    /// The run ended (exit record, or crash) and its state was sent.
    pub ended: bool,
    /// The last event time seen (Unix seconds), for the state events.
    pub last_time: Option<i64>,
    /// The file's size when last read.
    pub size: u64,
    /// When the file last grew (Unix seconds).
    pub grew_at: i64,
    /// The run's entity is unknown here: its events are skipped (reported once).
    pub skipped: bool,
    /// How the run ended: `finished`, `failed` or `crashed` (`None` while running).
    #[serde(default)]
    pub outcome: Option<String>,
    /// The last step logged.
    #[serde(default)]
    pub last_step: Option<i64>,
    /// Why a run without an exit record was judged crashed (which rule decided).
    #[serde(default)]
    pub judged: Option<String>,
}

impl RunLog {
    /// The run, once known.
    pub(crate) fn run_ref(&self) -> Option<RunRef> {
        let (entity, project, run, display_name) = self.run.clone()?;
        Some(RunRef {
            entity,
            project,
            run,
            display_name,
            user: self.user.clone(),
        })
    }

    fn state(&self, state: StateReport, time: Option<i64>) -> Option<EngineEvent> {
        Some(EngineEvent {
            run: Some(self.run_ref()?),
            body: EventBody::State(state),
            time: time.or(self.last_time),
        })
    }

    /// The events of one record (with the lost-data warning when its number skips ahead).
    pub fn on_record(
        &mut self,
        r: Numbered,
        mapping: &Mapping,
        warn: &mut Vec<String>,
    ) -> Vec<EngineEvent> {
        if self.last_num > 0 && r.num > self.last_num + 1 {
            warn.push(format!(
                "records {}..{} are missing (lost data)",
                self.last_num + 1,
                r.num - 1
            ));
        }
        self.last_num = self.last_num.max(r.num);
        match r.record {
            Record::Run {
                id,
                entity,
                project,
                display_name,
                host,
                start,
            } => {
                if self.started {
                    return Vec::new();
                }
                let (entity, project) = mapping.project.clone().unwrap_or_else(|| {
                    let e = if entity.is_empty() {
                        mapping.default_entity.clone()
                    } else {
                        entity
                    };
                    let p = if project.is_empty() {
                        "uncategorized".to_string()
                    } else {
                        project
                    };
                    (e, p)
                });
                let name = (!display_name.is_empty()).then_some(display_name);
                self.run = Some((entity, project, id, name));
                if !host.is_empty() {
                    self.host = Some(host);
                }
                self.started = true;
                self.last_time = start.or(self.last_time);
                self.state(StateReport::Running, start)
                    .into_iter()
                    .collect()
            }
            Record::Environment { username, host } => {
                if !username.is_empty() {
                    self.user = Some(username);
                }
                if self.host.is_none() && !host.is_empty() {
                    self.host = Some(host);
                }
                Vec::new()
            }
            Record::History { step, items } => {
                let mut at_step = step;
                let mut time = None;
                let mut metrics = Vec::new();
                for (key, value) in items {
                    match key.as_str() {
                        "_step" => at_step = number(&value).map(|v| v as i64).or(at_step),
                        "_timestamp" => {
                            time = number(&value).filter(|t| t.is_finite()).map(|t| t as i64)
                        }
                        k if k.starts_with('_') => {}
                        _ => {
                            if let Some(v) = number(&value) {
                                metrics.push((key, v));
                            }
                        }
                    }
                }
                if time.is_some() {
                    self.last_time = time;
                }
                let Some(run) = self.run_ref() else {
                    return Vec::new();
                };
                if at_step.is_some() {
                    self.last_step = at_step;
                }
                if metrics.is_empty() {
                    return Vec::new();
                }
                metrics.sort_by(|a, b| a.0.cmp(&b.0));
                vec![EngineEvent {
                    run: Some(run),
                    body: EventBody::Metric {
                        step: at_step,
                        metrics,
                    },
                    time: time.or(self.last_time),
                }]
            }
            Record::Exit { code, not_complete } => {
                if not_complete || self.ended {
                    return Vec::new();
                }
                self.ended = true;
                let state = if code == 0 {
                    StateReport::Finished
                } else {
                    StateReport::Failed
                };
                self.outcome = Some(state.name().to_string());
                self.state(state, None).into_iter().collect()
            }
            Record::Stats { time } => {
                if time.is_some() {
                    self.last_time = time;
                }
                match (self.run_ref(), self.started && !self.ended) {
                    (Some(run), true) => vec![EngineEvent {
                        run: Some(run),
                        body: EventBody::Alive,
                        time: time.or(self.last_time),
                    }],
                    _ => Vec::new(),
                }
            }
            Record::Preempting | Record::Other => Vec::new(),
        }
    }

    /// The run crashed: its writer is gone (`why`, the rule that decided) and no exit record
    /// came.
    pub fn crashed(&mut self, why: &str) -> Option<EngineEvent> {
        if self.ended || self.run.is_none() {
            return None;
        }
        self.ended = true;
        self.outcome = Some("crashed".into());
        self.judged = Some(why.to_string());
        self.state(StateReport::Failed, None)
    }
}
