//! The local engine: events in, W&B's evaluation semantics, actions out through a durable
//! outbox, execution history. It acts only on automations of the local backend (W&B fires its
//! own; the engine never fires them twice).
//!
//! - [`event`]: the event type and its JSON form; [`filter`] and [`eval`]: the pure evaluator;
//!   [`backtest`] and [`series`]: the evaluator over recorded history.
//! - [`request`]: what an action sends (variables filled once, Slack message, signature).
//! - [`schema`] and [`store`]: the engine's own tables; [`history`]: reading executions back.
//! - [`lease`]: one evaluator per database, every write fenced by it.
//! - [`deliver`] (one attempt) and [`pool`] (a bounded pool with a per-receiver limit).
//! - [`tokens`] and [`intake`]: who may post events, and storing a request's events whole;
//!   [`http`]: the endpoint; [`runtime`]: `wbauto engine`; [`oneshot`]: `emit` and test fires
//!   evaluating and delivering their own work when no engine runs.
//!
//! Deciding to fire writes the execution and its outbox row in the transaction that stores the
//! evaluator's memory (and takes the inbox rows it decided), so a `kill -9` at any point neither
//! loses nor doubles a decision; delivery is at-least-once with the execution id as the delivery
//! id.

pub(crate) mod activity;
pub mod backtest;
pub(crate) mod deliver;
pub mod demo;
pub mod error;
pub mod eval;
pub mod event;
pub(crate) mod filter;
mod health;
pub mod history;
mod host;
mod http;
pub(crate) mod intake;
pub mod journal;
pub mod lease;
pub(crate) mod metrics;
pub(crate) mod oneshot;
pub(crate) mod pool;
pub(crate) mod request;
pub mod runlog;
pub(crate) mod runtime;
pub(crate) mod schema;
pub(crate) mod series;
pub(crate) mod service;
pub(crate) mod stall;
pub(crate) mod store;
mod testfire;
pub(crate) mod tokens;

use crate::backend::BackendError;
use crate::config::file::EngineSettings;
use error::{EngineError, db};
use eval::{Evaluator, Firing, Held, Memory, RateLimit, run_key};
use event::EngineEvent;
use lease::Fence;
use rusqlite::{Connection, TransactionBehavior};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use store::{NewExecution, Queued, Status};

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
}

impl Report {
    /// Every execution decided.
    pub fn executions(&self) -> usize {
        self.queued + self.done + self.skipped + self.failed
    }

    fn add(&mut self, other: &Report) {
        self.events += other.events;
        self.queued += other.queued;
        self.done += other.done;
        self.skipped += other.skipped;
        self.failed += other.failed;
    }
}

/// The engine over one local database.
pub struct Engine {
    conn: Arc<Mutex<Connection>>,
    evaluator: Evaluator,
    /// Where what it decides and delivers is said and counted.
    pub(crate) activity: Arc<activity::Activity>,
    /// Run logs whose runs ended, not read again.
    finished: runlog::ingest::Finished,
    /// Delivery and retention settings.
    pub settings: EngineSettings,
}

/// Unix time in milliseconds.
pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Unix time in seconds (the engine's clock for the rate limit and for events without a time).
pub(crate) fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A fresh execution id (also the delivery id receivers use to drop repeats): the time in
/// microseconds, then 48 random bits, so ids made one after the other sort together and the
/// index on them grows at its end instead of at random pages.
pub(crate) fn execution_id() -> String {
    let micros = jiff::Timestamp::now().as_microsecond();
    format!("exe_{micros:014x}{:012x}", fastrand::u64(..) >> 16)
}

fn poisoned() -> EngineError {
    EngineError::Backend(BackendError::Storage(
        "the database connection was poisoned by an earlier failure".into(),
    ))
}

/// The rate limit the `[engine]` settings ask for (at least one per minute, one at once).
pub(crate) fn rate_limit(settings: &EngineSettings) -> RateLimit {
    RateLimit {
        per_minute: f64::from(settings.rate_per_minute.max(1)),
        burst: f64::from(settings.burst.max(1)),
    }
}

impl Engine {
    /// An engine on a connection to the local database (the backend's tables made); creates or
    /// migrates the engine's own tables.
    pub fn new(
        conn: Arc<Mutex<Connection>>,
        settings: EngineSettings,
    ) -> Result<Self, BackendError> {
        {
            let mut guard = conn.lock().map_err(|_| poisoned())?;
            schema::migrate(&mut guard)?;
        }
        Ok(Self {
            conn,
            evaluator: Evaluator::new(rate_limit(&settings)),
            activity: Arc::default(),
            finished: runlog::ingest::Finished::default(),
            settings,
        })
    }

    /// The database file.
    pub fn path(&self) -> Result<std::path::PathBuf, BackendError> {
        let guard = self.conn.lock().map_err(|_| poisoned())?;
        match guard.path() {
            Some(p) if !p.is_empty() => Ok(std::path::PathBuf::from(p)),
            _ => Err(BackendError::Storage(
                "the engine needs a database file, not one in memory".into(),
            )),
        }
    }

    /// Says what it decides and delivers through `journal` (and counts it for `/metrics`).
    pub(crate) fn say_to(&mut self, journal: journal::Journal) {
        self.activity = Arc::new(activity::Activity::new(journal));
    }

    /// The rate limit it applies per automation.
    pub fn limit(&self) -> RateLimit {
        self.evaluator.limit
    }

    /// Drops history past its retention (days, rows per automation) and idempotent answers
    /// older than a day; executions still being delivered are kept.
    pub fn prune(&self, fence: &Fence) -> Result<(), EngineError> {
        let (days, rows) = (self.settings.retention_days, self.settings.retention_rows);
        self.with_conn(|c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            fence.check(&tx)?;
            store::prune(&tx, days, rows)?;
            tx.commit().map_err(db)
        })
    }

    /// The shared connection.
    pub fn connection(&self) -> Arc<Mutex<Connection>> {
        self.conn.clone()
    }

    /// Runs `f` with the connection.
    pub fn with<T, E: Into<EngineError>>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, E>,
    ) -> Result<T, BackendError> {
        Ok(self.with_conn(|c| f(c).map_err(Into::into))?)
    }

    /// [`Engine::with`] for the engine's own calls, keeping its errors' kind (transient or not).
    pub(crate) fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        let mut guard = self.conn.lock().map_err(|_| poisoned())?;
        f(&mut guard)
    }

    /// Evaluates events (times filled in with `now` where missing; `now` is also the rate
    /// limit's clock) and stores every decision, the evaluator's memory and the outbox in one
    /// transaction fenced by the lease: all of it or none.
    pub fn ingest(
        &mut self,
        fence: &Fence,
        events: Vec<EngineEvent>,
        now: i64,
    ) -> Result<Report, EngineError> {
        self.ingest_with(fence, now, |batch| {
            for e in events {
                batch.push(e)?;
            }
            Ok::<(), EngineError>(())
        })
    }

    /// The live stall check: every watched run whose writer the engine's clock vouches for and
    /// whose silence could have reached a `run_stalled` bound by `now` is judged as alive at
    /// `now`, in one fenced transaction (what fires is kept, so it never fires twice). Costs one
    /// comparison per watched run when nothing is due.
    pub fn tick_stalls(&mut self, fence: &Fence, now: i64) -> Result<Report, EngineError> {
        let due = self.evaluator.due_stalls(now);
        if due.is_empty() {
            return Ok(Report::default());
        }
        self.ingest_with(fence, now, |batch| {
            for run in due {
                batch.push(EngineEvent {
                    run: Some(run),
                    body: event::EventBody::Alive,
                    time: Some(now),
                })?;
            }
            Ok::<(), EngineError>(())
        })
    }

    /// Puts every running run the database remembers back on the stall watch list (when the
    /// engine starts), with when each could next stall.
    pub fn watch_running(&mut self) -> Result<usize, EngineError> {
        let conn = self.conn.clone();
        let guard = conn.lock().map_err(|_| poisoned())?;
        let automations: Vec<_> = store::automations(&guard)?
            .into_iter()
            .filter(|a| a.enabled)
            .collect();
        self.evaluator.note_automations(&automations);
        for (key, remembered) in store::running_runs(&guard)? {
            let Some(run) = eval::run_of_key(&key, &remembered) else {
                continue;
            };
            let mut memory = Memory::default();
            store::load_run(&guard, &key, &mut memory)?;
            self.evaluator.stall_pass(
                &automations,
                &mut memory,
                &key,
                &run,
                None,
                0,
                &mut Vec::new(),
            );
        }
        // A run from a log is judged by its records until following the log finds its writer
        // alive on this host.
        for (_, log) in store::runlogs(&guard)? {
            if let Some(run) = log.run_ref() {
                self.evaluator.watch.vouch(&run_key(&run), false);
            }
        }
        Ok(self.evaluator.watch.len())
    }

    /// Evaluates the events queued in the inbox (up to `limit`), taking them in the
    /// transaction that decides them; events that no longer parse are dropped with a warning in
    /// the log. Takes no lock when the inbox is empty.
    pub(crate) fn ingest_inbox(
        &mut self,
        fence: &Fence,
        now: i64,
        limit: usize,
    ) -> Result<Report, EngineError> {
        if !self.with_conn(|c| store::inbox_waiting(c))? {
            return Ok(Report::default());
        }
        self.ingest_with(fence, now, |batch| {
            let queued = store::peek_inbox(batch.conn(), limit)?;
            let Some(&(last, _)) = queued.last() else {
                return Ok::<(), EngineError>(());
            };
            for (num, text) in queued {
                let parsed = serde_json::from_str(&text)
                    .map_err(|e| e.to_string())
                    .and_then(|v| EngineEvent::from_json(&v).map_err(|e| e.to_string()));
                match parsed {
                    Ok(e) => batch.push(e)?,
                    Err(e) => {
                        tracing::warn!(inbox = num, error = %e, "dropping an unreadable queued event")
                    }
                }
            }
            store::drop_inbox(batch.conn(), last)
        })
    }

    /// Evaluates what `feed` pushes, in one transaction fenced by the lease (the feed may write
    /// more in it through [`Batch::conn`]): all of it or none.
    pub(crate) fn ingest_with<E: From<EngineError>>(
        &mut self,
        fence: &Fence,
        now: i64,
        feed: impl FnOnce(&mut Batch<'_>) -> Result<(), E>,
    ) -> Result<Report, E> {
        let conn = self.conn.clone();
        let mut guard = conn.lock().map_err(|_| E::from(poisoned()))?;
        let tx = guard
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| E::from(db(e)))?;
        fence.check(&tx)?;
        let mut memory = Memory::default();
        store::load_buckets(&tx, &mut memory)?;
        let automations: Vec<_> = store::automations(&tx)?
            .into_iter()
            .filter(|a| a.enabled)
            .collect();
        self.evaluator.note_automations(&automations);
        let mut batch = Batch {
            tx: &tx,
            evaluator: &mut self.evaluator,
            automations,
            integrations: store::integrations(&tx)?,
            memory,
            loaded: HashSet::new(),
            report: Report::default(),
            now,
            at: crate::backend::local::store::now(),
            origin: fence.origin().to_string(),
            decided: Vec::new(),
            judged: None,
        };
        feed(&mut batch)?;
        store::save_memory(&tx, &batch.memory)?;
        let (report, decided) = (batch.report, batch.decided);
        tx.commit().map_err(|e| E::from(db(e)))?;
        for d in &decided {
            self.activity.decided(d);
        }
        Ok(report)
    }
}

/// Events being evaluated in one transaction.
pub(crate) struct Batch<'t> {
    tx: &'t Connection,
    evaluator: &'t mut Evaluator,
    automations: Vec<crate::model::Automation>,
    integrations: HashMap<String, (crate::model::Integration, bool)>,
    memory: Memory,
    loaded: HashSet<String>,
    report: Report,
    now: i64,
    at: String,
    origin: String,
    /// What was decided, said once the transaction commits.
    decided: Vec<journal::Decided>,
    /// Why the run of the event being pushed was judged crashed, for its history.
    judged: Option<String>,
}

impl Batch<'_> {
    /// The transaction, for writes that must commit with the evaluation (a run log's offset).
    pub fn conn(&self) -> &Connection {
        self.tx
    }

    /// [`Batch::push`] of a run's crash, its executions' history saying which rule judged the
    /// run crashed (`why`).
    pub fn push_judged(&mut self, event: EngineEvent, why: &str) -> Result<(), EngineError> {
        self.judged = Some(format!("judged crashed: {why}"));
        let pushed = self.push(event);
        self.judged = None;
        pushed
    }

    /// Evaluates one event (its time filled in with the batch's clock when missing) and writes
    /// what it decided.
    pub fn push(&mut self, mut event: EngineEvent) -> Result<(), EngineError> {
        event.time.get_or_insert(self.now);
        let run = event.run.as_ref().map(run_key);
        if let Some(key) = &run
            && self.loaded.insert(key.clone())
        {
            store::load_run(self.tx, key, &mut self.memory)?;
        }
        self.report.events += 1;
        let due = now_ms();
        let firings =
            self.evaluator
                .evaluate(&self.automations, &mut self.memory, &event, self.now);
        for firing in firings {
            if firing.held == Some(Held::OncePerDay) {
                continue;
            }
            let a = &self.automations[firing.automation];
            let id = execution_id();
            let (status, error, request, shown) = decide(
                a,
                &self.integrations,
                &event,
                &firing,
                &self.evaluator.limit,
                &id,
            );
            let said = match status {
                Status::InProgress => {
                    self.report.queued += 1;
                    "queued"
                }
                Status::Success => {
                    self.report.done += 1;
                    "success"
                }
                Status::Skipped => {
                    self.report.skipped += 1;
                    "skipped"
                }
                Status::Failed => {
                    self.report.failed += 1;
                    "failed"
                }
            };
            self.decided.push(journal::Decided {
                automation: a.name.clone(),
                subject: subject(&event),
                status: said,
                why: why(&event, &firing, self.judged.as_deref().or(error.as_deref())),
            });
            let record = NewExecution {
                id: &id,
                automation: a,
                event_type: execution_event_type(a, &event),
                run: run.as_deref(),
                step: firing.step,
                collection: event.collection_path(),
                values: trigger_values(&firing)
                    .or_else(|| self.judged.as_ref().map(|j| json!({"judged": j}))),
                status,
                error,
                test: false,
                shown,
                at: &self.at,
            };
            let queued = request
                .as_ref()
                .filter(|_| status == Status::InProgress)
                .map(|r| Queued {
                    request: r,
                    origin: &self.origin,
                    due,
                });
            store::insert_execution(self.tx, &record, queued)?;
        }
        Ok(())
    }
}

/// W&B's name of what made an execution fire: the event's, or for the local-only events their
/// own kind (a stall is judged on any record).
pub(crate) fn execution_event_type<'a>(
    a: &'a crate::model::Automation,
    event: &EngineEvent,
) -> &'a str {
    match a.event.kind().is_local_only() {
        true => a.event.wire_type(),
        false => event.kind_name(),
    }
}

/// What made an execution fire, as its history shows it: the compared value and the window; for
/// a stall, how long and when it was judged with the last step; for a non-finite metric, which
/// key and what it was (`NaN`, `Infinity`, `-Infinity`).
fn trigger_values(firing: &Firing) -> Option<serde_json::Value> {
    let judged_at = || {
        jiff::Timestamp::from_second(firing.time)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    match &firing.finding {
        Some(eval::Finding::Stall { stalled_for }) => Some(json!({
            "stalled_for": stalled_for,
            "last_step": firing.step,
            "judged_at": judged_at(),
        })),
        Some(eval::Finding::Nonfinite { metric }) => Some(json!({
            "metric": metric,
            "value": firing.value.map(event::number_json),
        })),
        None => firing
            .value
            .map(|v| json!({"value": v, "values": firing.values})),
    }
}

/// What an event was about, for a line: `ENTITY/PROJECT/RUN ("display name")` or the
/// collection.
fn subject(event: &EngineEvent) -> Option<String> {
    match &event.run {
        Some(r) => Some(match &r.display_name {
            Some(name) => format!("{}/{}/{} ({name:?})", r.entity, r.project, r.run),
            None => format!("{}/{}/{}", r.entity, r.project, r.run),
        }),
        None => event.collection_path(),
    }
}

/// What fired an execution (the event, its step and value) and why it was not queued.
fn why(event: &EngineEvent, firing: &Firing, problem: Option<&str>) -> String {
    let mut out = event.kind_name().to_string();
    if let Some(step) = firing.step {
        out.push_str(&format!(" at step {step}"));
    }
    if let Some(value) = firing.value {
        out.push_str(&format!(", value {value}"));
    }
    if let Some(p) = problem {
        out.push_str(&format!(" ({p})"));
    }
    out
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
