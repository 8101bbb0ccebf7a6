//! The local engine (design §10): events in, W&B's evaluation semantics, actions out through a
//! durable outbox, execution history. It acts only on automations of the local backend.
//!
//! - [`event`]: the event type and its JSON form; [`filter`] and [`eval`]: the pure evaluator.
//! - [`request`]: what an action sends (variables, Slack message, signature).
//! - [`store`]: the engine's tables; [`deliver`]: sending with retries; [`history`]: reading
//!   executions back.
//!
//! Deciding to fire writes the execution and its outbox row in the transaction that stores the
//! evaluator's memory, so a `kill -9` at any point neither loses nor doubles a decision;
//! delivery is at-least-once with the execution id as the delivery id.

pub mod backtest;
pub mod deliver;
pub mod eval;
pub mod event;
pub mod filter;
pub mod history;
pub mod request;
pub mod runlog;
pub mod series;
pub mod store;

use crate::backend::BackendError;
use crate::config::file::EngineSettings;
use eval::{Evaluator, Firing, Held, RateLimit, run_key};
use event::{EngineEvent, EventBody};
use rusqlite::{Connection, TransactionBehavior};
use serde_json::json;
use std::sync::{Arc, Mutex};
use store::{NewExecution, Status};

/// What one batch of events did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Events evaluated.
    pub events: usize,
    /// Executions queued for delivery.
    pub queued: usize,
    /// Executions finished at once (no-ops).
    pub done: usize,
    /// Executions skipped (rate limit, demo integration).
    pub skipped: usize,
    /// Executions that failed at once (a missing integration).
    pub failed: usize,
    /// The ids of every execution decided.
    pub ids: Vec<String>,
}

/// The engine over one local database.
pub struct Engine {
    conn: Arc<Mutex<Connection>>,
    evaluator: Evaluator,
    /// Delivery and retention settings.
    pub settings: EngineSettings,
}

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// A fresh execution id (also the delivery id receivers use to drop repeats).
pub fn execution_id() -> String {
    format!("exe_{:016x}{:08x}", fastrand::u64(..), fastrand::u32(..))
}

fn poisoned() -> BackendError {
    BackendError::Storage("the database connection was poisoned by an earlier failure".into())
}

/// The rate limit the `[engine]` settings ask for (at least one per minute, one at once).
pub fn rate_limit(settings: &EngineSettings) -> RateLimit {
    RateLimit {
        per_minute: f64::from(settings.rate_per_minute.max(1)),
        burst: f64::from(settings.burst.max(1)),
    }
}

impl Engine {
    /// An engine on a connection to the local database (already migrated).
    pub fn new(conn: Arc<Mutex<Connection>>, settings: EngineSettings) -> Self {
        Self {
            conn,
            evaluator: Evaluator::new(rate_limit(&settings)),
            settings,
        }
    }

    /// The rate limit it applies per automation.
    pub fn limit(&self) -> RateLimit {
        self.evaluator.limit
    }

    /// Drops history past its retention (days, rows per automation); executions still being
    /// delivered are kept.
    pub fn prune(&self) -> Result<(), BackendError> {
        let (days, rows) = (self.settings.retention_days, self.settings.retention_rows);
        self.with(|c| store::prune(c, days, rows))
    }

    /// The shared connection (the HTTP endpoint queues events through it).
    pub fn connection(&self) -> Arc<Mutex<Connection>> {
        self.conn.clone()
    }

    /// Runs `f` with the connection.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, BackendError>,
    ) -> Result<T, BackendError> {
        let mut guard = self.conn.lock().map_err(|_| poisoned())?;
        f(&mut guard)
    }

    /// Evaluates events (times filled in with `now` where missing) and stores every decision,
    /// the evaluator's memory and the outbox in one transaction: all of it or none.
    pub fn ingest(&mut self, events: Vec<EngineEvent>, now: i64) -> Result<Report, BackendError> {
        self.ingest_from(events, now, None, |_| Ok(()))
    }

    /// Evaluates the events queued in the inbox (up to `limit`), removing them in the same
    /// transaction; events that no longer parse are dropped with a warning in the log.
    pub fn ingest_inbox(&mut self, now: i64, limit: usize) -> Result<Report, BackendError> {
        let queued = self.with(|c| store::peek_inbox(c, limit))?;
        let Some(&(last, _)) = queued.last() else {
            return Ok(Report::default());
        };
        let events = queued
            .iter()
            .filter_map(|(num, text)| {
                let parsed = serde_json::from_str(text)
                    .map_err(|e| e.to_string())
                    .and_then(|v| EngineEvent::from_json(&v).map_err(|e| e.to_string()));
                parsed
                    .map_err(|e| tracing::warn!(inbox = num, error = %e, "dropping an unreadable queued event"))
                    .ok()
            })
            .collect();
        self.ingest_from(events, now, Some(last), |_| Ok(()))
    }

    /// Evaluates events and, in the same transaction, runs `also` (a run log's new offset).
    pub fn ingest_from(
        &mut self,
        mut events: Vec<EngineEvent>,
        now: i64,
        inbox_upto: Option<i64>,
        also: impl FnOnce(&Connection) -> Result<(), BackendError>,
    ) -> Result<Report, BackendError> {
        for e in &mut events {
            e.time.get_or_insert(now);
        }
        let conn = self.conn.clone();
        let mut guard = conn.lock().map_err(|_| poisoned())?;
        let tx = guard
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(store::db)?;
        let automations: Vec<_> = store::automations(&tx)?
            .into_iter()
            .filter(|a| a.enabled)
            .collect();
        let integrations = store::integrations(&tx)?;
        let mut runs: Vec<String> = events
            .iter()
            .filter_map(|e| e.run.as_ref().map(run_key))
            .collect();
        runs.sort();
        runs.dedup();
        let mut memory = store::load_memory(&tx, &runs)?;
        let mut report = Report {
            events: events.len(),
            ..Report::default()
        };
        let at = crate::backend::local::store::now();
        let due = now_ms();
        for event in &events {
            for firing in self.evaluator.evaluate(&automations, &mut memory, event) {
                if firing.held == Some(Held::OncePerDay) {
                    continue;
                }
                let a = &automations[firing.automation];
                let id = execution_id();
                let (status, error, request, shown) =
                    decide(a, &integrations, event, &firing, &self.evaluator.limit, &id);
                match status {
                    Status::InProgress => report.queued += 1,
                    Status::Success => report.done += 1,
                    Status::Skipped => report.skipped += 1,
                    Status::Failed => report.failed += 1,
                }
                report.ids.push(id.clone());
                let run = event.run.as_ref().map(run_key);
                let record = NewExecution {
                    id: &id,
                    automation: a,
                    event_type: event.kind_name(),
                    run: run.as_deref(),
                    step: firing.step,
                    collection: match &event.body {
                        EventBody::Artifact { collection, .. } => Some(collection.path()),
                        _ => None,
                    },
                    values: firing
                        .value
                        .map(|v| json!({"value": v, "values": firing.values})),
                    status,
                    error,
                    test: false,
                    shown,
                    at: &at,
                };
                let queued = request.filter(|_| status == Status::InProgress);
                store::insert_execution(&tx, &record, queued.as_ref(), due)?;
            }
        }
        store::save_memory(&tx, &memory)?;
        if let Some(num) = inbox_upto {
            store::drop_inbox(&tx, num)?;
        }
        also(&tx)?;
        store::prune(
            &tx,
            self.settings.retention_days,
            self.settings.retention_rows,
        )?;
        tx.commit().map_err(store::db)?;
        Ok(report)
    }
}

impl Engine {
    /// A sample event for an automation (what `wbauto test` sends without `--event`).
    pub fn sample_event(a: &crate::model::Automation, now: i64) -> EngineEvent {
        use crate::model::{ArtifactEvent, Event, ScopePath};
        let (entity, project, collection) = match &a.scope.path {
            ScopePath::Project { entity, project } => (
                entity.clone(),
                project.clone(),
                "sample-collection".to_string(),
            ),
            ScopePath::Collection {
                entity,
                project,
                collection,
            } => (entity.clone(), project.clone(), collection.clone()),
            ScopePath::Registry { entity, registry } => (
                entity.clone(),
                format!("{}{registry}", crate::model::scope::REGISTRY_PREFIX),
                "sample-collection".to_string(),
            ),
            ScopePath::Team { entity } | ScopePath::Org { entity } => (
                entity.clone(),
                "sample-project".to_string(),
                "sample-collection".to_string(),
            ),
        };
        let run = Some(event::RunRef {
            entity: entity.clone(),
            project: project.clone(),
            run: "sample-run".into(),
            display_name: Some("sample-run".into()),
            user: Some("wbauto-test".into()),
        });
        let body = match &a.event {
            Event::RunMetric { condition, .. } => EventBody::Metric {
                step: Some(0),
                metrics: vec![(condition.metric().to_string(), 1.0)],
            },
            Event::RunState { states, .. } => EventBody::State(match states.first() {
                Some(crate::model::RunState::Finished) => event::StateReport::Finished,
                Some(crate::model::RunState::Running) => event::StateReport::Running,
                _ => event::StateReport::Failed,
            }),
            Event::Artifact { kind, .. } => EventBody::Artifact {
                kind: if *kind == ArtifactEvent::UpdateAlias {
                    ArtifactEvent::AddAlias
                } else {
                    *kind
                },
                collection: event::CollectionRef {
                    entity,
                    project,
                    collection,
                },
                version: Some(1),
                alias: Some("prod".into()),
                tag: Some("sample-tag".into()),
                author: Some("wbauto-test".into()),
                metadata: serde_json::Map::new(),
            },
            Event::RunStalled { .. } | Event::RunMetricNonfinite { .. } | Event::Raw { .. } => {
                EventBody::State(event::StateReport::Finished)
            }
        };
        let is_run = matches!(body, EventBody::Metric { .. } | EventBody::State(_));
        EngineEvent {
            run: run.filter(|_| is_run),
            body,
            time: Some(now),
        }
    }

    /// The request a test fire of `a` with `event` would send (`None`: a no-op, or why not).
    pub fn test_request(
        &self,
        a: &crate::model::Automation,
        event: &EngineEvent,
    ) -> Result<(String, Result<Option<request::Request>, String>), BackendError> {
        let integrations = self.with(|c| store::integrations(c))?;
        let id = execution_id();
        let firing = test_firing(event);
        let (status, error, request, shown) =
            decide(a, &integrations, event, &firing, &self.evaluator.limit, &id);
        let answer = match (status, request, shown) {
            (Status::InProgress, Some(r), _) => Ok(Some(r)),
            (Status::Success, _, _) => Ok(None),
            (_, _, Some(shown)) => Err(format!(
                "{}; it would send:\n{}",
                error.unwrap_or_default(),
                serde_json::to_string_pretty(&shown).unwrap_or_default()
            )),
            _ => Err(error.unwrap_or_default()),
        };
        Ok((id, answer))
    }

    /// Records a test execution of `a` (marked `test`) and queues its request, if any.
    pub fn record_test(
        &self,
        a: &crate::model::Automation,
        event: &EngineEvent,
        id: &str,
        request: Option<&request::Request>,
    ) -> Result<(), BackendError> {
        let firing = test_firing(event);
        let at = crate::backend::local::store::now();
        let run = event.run.as_ref().map(run_key);
        let record = NewExecution {
            id,
            automation: a,
            event_type: event.kind_name(),
            run: run.as_deref(),
            step: firing.step,
            collection: match &event.body {
                EventBody::Artifact { collection, .. } => Some(collection.path()),
                _ => None,
            },
            values: None,
            status: if request.is_some() {
                Status::InProgress
            } else {
                Status::Success
            },
            error: None,
            test: true,
            shown: request.map(request::shown),
            at: &at,
        };
        self.with(|c| store::insert_execution(c, &record, request, now_ms()))
    }
}

fn test_firing(event: &EngineEvent) -> Firing {
    let values = match &event.body {
        EventBody::Metric { metrics, .. } => metrics.iter().map(|(_, v)| *v).collect(),
        _ => Vec::new(),
    };
    Firing {
        automation: 0,
        step: match &event.body {
            EventBody::Metric { step, .. } => *step,
            _ => None,
        },
        time: event.time.unwrap_or(0),
        value: values.first().copied(),
        values,
        held: None,
    }
}

/// What following run logs did.
#[derive(Clone, Debug, Default)]
pub struct Followed {
    /// Log files found.
    pub files: usize,
    /// Events taken from them.
    pub events: usize,
    /// The ids of the executions decided.
    pub ids: Vec<String>,
    /// Things to tell the user.
    pub warnings: Vec<String>,
}

impl Engine {
    /// Reads what is new in every run log under `dir`, evaluates it and remembers where each
    /// log was left, in one transaction per batch; a run without an exit record whose writer is
    /// gone ends as failed (crashed). Unknown projects are created in a known entity; runs of an
    /// unknown entity are reported once and skipped.
    pub fn follow(
        &mut self,
        dir: &std::path::Path,
        mapping: &runlog::events::Mapping,
        now: i64,
    ) -> Result<Followed, BackendError> {
        use runlog::follow;
        let mut out = Followed::default();
        for path in follow::find(dir) {
            out.files += 1;
            let key = std::fs::canonicalize(&path)
                .unwrap_or(path.clone())
                .display()
                .to_string();
            let mut log = self.with(|c| store::runlog(c, &key))?;
            loop {
                let reading = match follow::read(&path, &log, mapping, now, 20_000) {
                    Ok(r) => r,
                    Err(e) => {
                        out.warnings.push(e);
                        break;
                    }
                };
                out.warnings.extend(reading.warnings);
                let mut next = reading.log;
                let mut events = reading.events;
                if !reading.more
                    && follow::writer_gone(&path, &next, now, self.settings.run_stale_secs)
                {
                    events.extend(next.crashed());
                }
                let (entity, project) = next
                    .run
                    .as_ref()
                    .map(|(e, p, _, _)| (e.clone(), p.clone()))
                    .unwrap_or_default();
                let known = self
                    .with(|c| crate::backend::local::store::entity(c, &entity))?
                    .is_some();
                if !known {
                    if !next.skipped {
                        out.warnings.push(format!(
                            "{}: the run's entity {entity:?} is not in the local database; its events are skipped (use --project ENTITY/PROJECT)",
                            path.display()
                        ));
                    }
                    next.skipped = true;
                    events.clear();
                }
                if next != log || !events.is_empty() {
                    out.events += events.len();
                    let saved = next.clone();
                    let key = key.clone();
                    let report = self.ingest_from(events, now, None, move |tx| {
                        if known
                            && !crate::backend::local::store::projects(tx, &entity)?
                                .iter()
                                .any(|p| p.name == project)
                        {
                            crate::backend::local::store::insert_project(tx, &entity, &project)?;
                        }
                        store::save_runlog(tx, &key, &saved)
                    })?;
                    out.ids.extend(report.ids);
                }
                log = next;
                if !reading.more {
                    break;
                }
            }
        }
        Ok(out)
    }
}

type Decision = (
    Status,
    Option<String>,
    Option<request::Request>,
    Option<serde_json::Value>,
);

/// What an execution does: queue a request, finish at once (no-op), or why not.
fn decide(
    a: &crate::model::Automation,
    integrations: &std::collections::HashMap<String, (crate::model::Integration, bool)>,
    event: &EngineEvent,
    firing: &Firing,
    limit: &RateLimit,
    id: &str,
) -> Decision {
    if firing.held == Some(Held::RateLimited) {
        let why = format!(
            "rate limit: at most {} per minute (burst {}) for this automation",
            limit.per_minute, limit.burst
        );
        return (Status::Skipped, Some(why), None, None);
    }
    let reference = match &a.action {
        crate::model::Action::NoOp => return (Status::Success, None, None, None),
        crate::model::Action::Slack { integration, .. }
        | crate::model::Action::Webhook { integration, .. } => integration,
        crate::model::Action::Raw { action_type, .. } => {
            let why = format!("the local engine cannot run {action_type} actions");
            return (Status::Failed, Some(why), None, None);
        }
    };
    let found = reference
        .id
        .as_deref()
        .and_then(|id| integrations.get(id))
        .map(|(i, demo)| (i, *demo));
    let Some(found) = found else {
        let why = format!("the integration {} no longer exists", reference.display());
        return (Status::Failed, Some(why), None, None);
    };
    match request::build(a, Some(found), event, firing, id) {
        Some(r) if r.demo => {
            let shown = request::shown(&r);
            (
                Status::Skipped,
                Some("demo integration: not sent".into()),
                None,
                Some(shown),
            )
        }
        Some(r) => {
            let shown = request::shown(&r);
            (Status::InProgress, None, Some(r), Some(shown))
        }
        None => (
            Status::Failed,
            Some("the Slack integration has no incoming-webhook URL; add one with `wbauto integrations add-slack`".into()),
            None,
            None,
        ),
    }
}
