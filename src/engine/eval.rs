//! The evaluator: W&B's semantics over events, per run and per automation, in event order. Pure —
//! events, a clock and state in, decisions out — so the live engine, a replay and a backtest give
//! the same answers; the state is plain data the store persists between batches.
//!
//! Two clocks: an event's own time serves only W&B's once-per-run-per-24-hours rule (so a replay
//! judges a run as it happened); the rate limit runs on the clock the caller gives — the engine's
//! when live, so a sender cannot spend or block an automation's budget by dating its events.

use super::event::{EngineEvent, EventBody, RunRef};
use super::filter::{Patterns, holds};
use super::stall::{Pace, Watchlist};
use crate::model::event::{DEFAULT_STALL_FACTOR, metric_matches};
use crate::model::{
    Agg, Automation, ChangeType, Cmp, Direction, Event, MetricCondition, ScopePath,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: the evaluator looks up a few short keys (automation ids, run keys) per value, where
/// the standard SipHash costs more than the evaluation itself. The keys are the user's own data,
/// so flooding is not a concern.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A map keyed by short text, hashed with [`Fnv`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// A metric condition judged on one value, fired or not: what a backtest charts and measures
/// the closest approach with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Judged {
    /// The automation's index in the slice evaluated.
    pub automation: usize,
    /// The step.
    pub step: i64,
    /// The value logged.
    pub logged: f64,
    /// The value compared (aggregate, delta or z-score).
    pub compared: f64,
}

/// W&B's rule: a run event fires at most once per run per 24 hours (in event time).
pub(crate) const ONCE_PER: i64 = 86_400;

/// The rate limit per automation: a token bucket on the evaluator's clock.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Executions per minute, refilled continuously.
    pub per_minute: f64,
    /// Executions allowed at once.
    pub burst: f64,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            per_minute: 10.0,
            burst: 10.0,
        }
    }
}

/// What the evaluator remembers of one automation on one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Window {
    /// The most recent finite values of the automation's metric, oldest first.
    pub values: VecDeque<f64>,
    /// When it last fired on this run (event time).
    pub last_fired: Option<i64>,
    /// `run_stalled`: the progress time (last row, or start) of the stall it fired for, so it
    /// fires once per stall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stalled_since: Option<i64>,
    /// `run_metric_nonfinite`: when it last fired for each metric key (event time).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub nonfinite: BTreeMap<String, i64>,
}

/// What the evaluator remembers of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct RunMemory {
    /// The last step logged.
    pub last_step: Option<i64>,
    /// The last state reported (lower case).
    pub state: Option<String>,
    /// Its pace, for `run_stalled`.
    #[serde(default)]
    pub pace: Pace,
    /// Its display name and user as last reported (the live stall check names the run by them).
    #[serde(default)]
    pub display_name: Option<String>,
    /// See `display_name`.
    #[serde(default)]
    pub user: Option<String>,
}

impl RunMemory {
    /// Whether a stall can be judged: the run said it is running and has not ended.
    pub fn watched(&self) -> bool {
        self.state.as_deref() == Some("running")
    }
}

/// A rate-limit bucket.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Bucket {
    /// Tokens left.
    pub tokens: f64,
    /// When they were counted (the evaluator's clock, Unix seconds).
    pub at: i64,
}

/// The windows of every automation on every run: automation id → run key → window, so the
/// evaluator finds one without making a key per value.
#[derive(Clone, Debug, Default)]
pub(crate) struct Windows(FastMap<String, FastMap<String, Window>>);

impl Windows {
    /// The window of an automation on a run, made empty on first use.
    pub fn get_mut(&mut self, id: &str, run: &str) -> &mut Window {
        if !self.0.contains_key(id) {
            self.0.insert(id.to_string(), FastMap::default());
        }
        let runs = self.0.get_mut(id).expect("inserted above");
        if !runs.contains_key(run) {
            runs.insert(run.to_string(), Window::default());
        }
        runs.get_mut(run).expect("inserted above")
    }

    /// Puts a window (loading memory).
    pub fn insert(&mut self, id: String, run: String, window: Window) {
        self.0.entry(id).or_default().insert(run, window);
    }

    /// Every (automation id, run key, window).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &Window)> {
        self.0.iter().flat_map(|(id, runs)| {
            runs.iter()
                .map(move |(run, w)| (id.as_str(), run.as_str(), w))
        })
    }
}

/// Everything the evaluator remembers, keyed by automation id and run key (`ENTITY/PROJECT/RUN`).
#[derive(Clone, Debug, Default)]
pub struct Memory {
    /// Windows by automation id and run key.
    pub(crate) windows: Windows,
    /// Runs by run key.
    pub(crate) runs: FastMap<String, RunMemory>,
    /// Buckets by automation id.
    pub(crate) buckets: FastMap<String, Bucket>,
}

/// Why a firing was not carried out.
#[derive(Clone, Debug, PartialEq)]
pub enum Held {
    /// Over the automation's rate limit.
    RateLimited,
    /// It fired on this run less than 24 hours before (event time).
    OncePerDay,
}

/// What an event only the local engine fires found, beyond a step and values.
#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    /// `run_stalled`: no history row for `stalled_for` seconds when judged (at the firing's time).
    Stall {
        /// Whole seconds since the last row (or the start) at the moment it was judged.
        stalled_for: i64,
    },
    /// `run_metric_nonfinite`: this key was logged as the firing's value (NaN or ±Inf).
    Nonfinite {
        /// The metric key.
        metric: String,
    },
}

/// A decision to fire (or why not).
#[derive(Clone, Debug, PartialEq)]
pub struct Firing {
    /// The automation's index in the slice evaluated.
    pub automation: usize,
    /// The step of a metric event.
    pub step: Option<i64>,
    /// Event time.
    pub time: i64,
    /// The value compared (aggregate, delta or z-score), for metric events.
    pub value: Option<f64>,
    /// The window's values, for metric events.
    pub values: Vec<f64>,
    /// `None` when it fires; else why it is held back.
    pub held: Option<Held>,
    /// For the local-only events, what they found.
    pub finding: Option<Finding>,
}

/// The run key of a run.
pub(crate) fn run_key(run: &RunRef) -> String {
    format!("{}/{}/{}", run.entity, run.project, run.run)
}

/// The run a run key names, with its name and user as remembered.
pub(crate) fn run_of_key(key: &str, remembered: &RunMemory) -> Option<RunRef> {
    let mut parts = key.splitn(3, '/');
    Some(RunRef {
        entity: parts.next()?.to_string(),
        project: parts.next()?.to_string(),
        run: parts.next()?.to_string(),
        display_name: remembered.display_name.clone(),
        user: remembered.user.clone(),
    })
}

/// Whether an automation's scope contains a run of `entity/project`.
fn scope_has_run(scope: &ScopePath, entity: &str, project: &str) -> bool {
    match scope {
        ScopePath::Project {
            entity: e,
            project: p,
        } => e == entity && p == project,
        ScopePath::Team { entity: e } | ScopePath::Org { entity: e } => e == entity,
        _ => false,
    }
}

/// Whether an automation's scope contains a collection.
fn scope_has_collection(scope: &ScopePath, c: &super::event::CollectionRef) -> bool {
    match scope {
        ScopePath::Project { entity, project } => *entity == c.entity && *project == c.project,
        ScopePath::Collection {
            entity,
            project,
            collection,
        } => *entity == c.entity && *project == c.project && *collection == c.collection,
        ScopePath::Registry { entity, registry } => {
            *entity == c.entity
                && c.project == format!("{}{registry}", crate::model::scope::REGISTRY_PREFIX)
        }
        ScopePath::Team { entity } | ScopePath::Org { entity } => *entity == c.entity,
    }
}

/// How many recent values a condition needs.
pub fn needed(c: &MetricCondition) -> usize {
    let n = |w: i64| usize::try_from(w.max(1)).unwrap_or(1);
    match c {
        MetricCondition::Threshold { agg: None, .. } => 1,
        MetricCondition::Threshold { window, .. } => n(*window),
        MetricCondition::Change {
            window,
            prior_window,
            ..
        } => n(*window) + n(*prior_window),
        MetricCondition::ZScore { window, .. } => n(*window) + 1,
    }
}

fn aggregate(agg: Option<Agg>, values: &[f64]) -> f64 {
    match agg {
        None => values.last().copied().unwrap_or(f64::NAN),
        Some(Agg::Avg) => values.iter().sum::<f64>() / values.len() as f64,
        Some(Agg::Sum) => values.iter().sum(),
        Some(Agg::Min) => values.iter().copied().fold(f64::INFINITY, f64::min),
        Some(Agg::Max) => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

fn compare(cmp: Cmp, a: f64, b: f64) -> bool {
    match cmp {
        Cmp::Gt => a > b,
        Cmp::Gte => a >= b,
        Cmp::Lt => a < b,
        Cmp::Lte => a <= b,
        Cmp::Eq => a == b,
        Cmp::Ne => a != b,
    }
}

fn beyond(direction: Direction, delta: f64, amount: f64) -> bool {
    match direction {
        Direction::Increase => delta >= amount,
        Direction::Decrease => -delta >= amount,
        Direction::Any => delta.abs() >= amount,
    }
}

/// Checks a condition over a run's recent values: (the value compared if it holds, the value
/// compared whether or not it holds — a backtest's closest approach); both `None` until the
/// window is full, or when the condition cannot be judged (a relative change from 0, a flat
/// window for a z-score).
pub fn check(c: &MetricCondition, all: &[f64]) -> (Option<f64>, Option<f64>) {
    if all.len() < needed(c) {
        return (None, None);
    }
    let tail = |n: usize| &all[all.len() - n..];
    let n = |w: i64| usize::try_from(w.max(1)).unwrap_or(1);
    match c {
        MetricCondition::Threshold {
            agg,
            window,
            cmp,
            threshold,
            ..
        } => {
            let size = if agg.is_some() { n(*window) } else { 1 };
            let v = aggregate(*agg, tail(size));
            let t = threshold.as_f64().unwrap_or(f64::NAN);
            (compare(*cmp, v, t).then_some(v), Some(v))
        }
        MetricCondition::Change {
            agg,
            window,
            prior_window,
            direction,
            change,
            amount,
            ..
        } => {
            let (w, p) = (n(*window), n(*prior_window));
            let recent = tail(w + p);
            let (prior, current) = recent.split_at(p);
            let (now, before) = (aggregate(*agg, current), aggregate(*agg, prior));
            let delta = match change {
                ChangeType::Absolute => now - before,
                ChangeType::Relative if before == 0.0 => return (None, None),
                ChangeType::Relative => (now - before) / before.abs(),
            };
            let amount = amount.as_f64().unwrap_or(f64::NAN);
            (
                beyond(*direction, delta, amount).then_some(delta),
                Some(delta),
            )
        }
        MetricCondition::ZScore {
            window,
            threshold,
            direction,
            ..
        } => {
            let w = n(*window);
            if w < 2 {
                return (None, None);
            }
            let recent = tail(w + 1);
            let (history, newest) = recent.split_at(w);
            let mean = history.iter().sum::<f64>() / w as f64;
            let var = history.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (w - 1) as f64;
            let sd = var.sqrt();
            if sd == 0.0 {
                return (None, None);
            }
            let z = (newest[0] - mean) / sd;
            let threshold = threshold.as_f64().unwrap_or(f64::NAN);
            (beyond(*direction, z, threshold).then_some(z), Some(z))
        }
    }
}

/// The evaluator over a set of automations (the enabled ones of the local backend).
#[derive(Debug, Default)]
pub struct Evaluator {
    patterns: Patterns,
    /// The rate limit per automation.
    pub limit: RateLimit,
    /// The run key of the last metric event (runs come in long stretches: not made again).
    last_key: String,
    /// Running runs and when a `run_stalled` automation could next fire on each (what the
    /// live engine's clock checks between events).
    pub(crate) watch: Watchlist,
    /// The `run_stalled` automations last evaluated.
    stall_automations: Vec<Automation>,
}

/// Whether `key` is the run key of `run`, without making one.
fn is_key_of(key: &str, run: &RunRef) -> bool {
    let parts = [run.entity.as_str(), run.project.as_str(), run.run.as_str()];
    key.len() == parts.iter().map(|p| p.len()).sum::<usize>() + 2 && {
        let mut rest = key;
        parts.iter().enumerate().all(|(i, p)| {
            let Some(after) = rest.strip_prefix(p) else {
                return false;
            };
            rest = if i < 2 {
                match after.strip_prefix('/') {
                    Some(r) => r,
                    None => return false,
                }
            } else {
                after
            };
            true
        }) && rest.is_empty()
    }
}

impl Evaluator {
    /// An evaluator with a rate limit.
    pub fn new(limit: RateLimit) -> Self {
        Self {
            patterns: Patterns::default(),
            limit,
            last_key: String::new(),
            watch: Watchlist::default(),
            stall_automations: Vec::new(),
        }
    }

    /// The watched runs the engine's clock may judge whose silence could reach a `run_stalled`
    /// bound by `now`: what the live engine checks on every tick (one comparison per run).
    pub fn due_stalls(&self, now: i64) -> Vec<RunRef> {
        self.watch.due(now)
    }

    /// Takes note of the automations evaluated: when the `run_stalled` ones changed, every
    /// watched run is checked again at the next tick (their bounds may have moved).
    pub(crate) fn note_automations(&mut self, automations: &[Automation]) {
        let stalls: Vec<&Automation> = automations
            .iter()
            .filter(|a| matches!(a.event, Event::RunStalled { .. }))
            .collect();
        let same = stalls.len() == self.stall_automations.len()
            && stalls
                .iter()
                .zip(&self.stall_automations)
                .all(|(a, b)| *a == b);
        if !same {
            self.stall_automations = stalls.into_iter().cloned().collect();
            self.watch.recheck();
        }
    }

    /// `run_stalled` on one run: with `judge_at`, fires each automation whose bound the silence
    /// up to that time reached (once per stall: only the rate limit applies, not the 24-hour
    /// rule); then, always, puts the run on the watch list with the earliest time another could
    /// fire, or takes it off when it is not running.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn stall_pass(
        &mut self,
        automations: &[Automation],
        memory: &mut Memory,
        key: &str,
        run: &RunRef,
        judge_at: Option<i64>,
        clock: i64,
        out: &mut Vec<Firing>,
    ) {
        let Some(info) = memory.runs.get_mut(key) else {
            return;
        };
        if !info.watched() {
            self.watch.forget(key);
            return;
        }
        if info.display_name != run.display_name || info.user != run.user {
            info.display_name.clone_from(&run.display_name);
            info.user.clone_from(&run.user);
        }
        let mut next: Option<i64> = None;
        for (i, a) in automations.iter().enumerate() {
            let Event::RunStalled {
                after,
                adaptive,
                factor,
                ..
            } = &a.event
            else {
                continue;
            };
            if !a.enabled
                || !scope_has_run(&a.scope.path, &run.entity, &run.project)
                || !self.run_matches(a, run)
            {
                continue;
            }
            let Some(info) = memory.runs.get(key) else {
                return;
            };
            let factor = factor.as_f64().unwrap_or(DEFAULT_STALL_FACTOR as f64);
            let bound = info.pace.bound(after.secs(), *adaptive, factor);
            let (Some(since), step) = (info.pace.since(), info.last_step) else {
                continue;
            };
            let id = a.id.as_deref().unwrap_or_default();
            let window = memory.windows.get_mut(id, key);
            if window.stalled_since == Some(since) {
                continue;
            }
            let stall = judge_at.and_then(|t| memory.runs.get(key)?.pace.stalled(t, bound));
            let Some(stall) = stall else {
                next = Some(next.map_or(since + bound, |n| n.min(since + bound)));
                continue;
            };
            memory.windows.get_mut(id, key).stalled_since = Some(stall.since);
            let firing = Firing {
                automation: i,
                step,
                time: judge_at.unwrap_or(clock),
                value: None,
                values: Vec::new(),
                held: None,
                finding: Some(Finding::Stall {
                    stalled_for: stall.stalled_for,
                }),
            };
            out.push(self.decide(memory, a, None, firing, clock));
        }
        self.watch.set(key, run, next);
    }

    /// `run_metric_nonfinite` on one row: each matching key logged as NaN or ±Inf fires, once
    /// per run and key per 24 hours of event time (a later one in that time is held back).
    #[allow(clippy::too_many_arguments)]
    fn nonfinite(
        &mut self,
        a: &Automation,
        index: usize,
        pattern: &str,
        metrics: &[(String, f64)],
        memory: &mut Memory,
        key: &str,
        step: i64,
        time: i64,
        clock: i64,
        out: &mut Vec<Firing>,
    ) {
        let id = a.id.as_deref().unwrap_or_default();
        for (metric, value) in metrics {
            if value.is_finite() || !metric_matches(pattern, metric) {
                continue;
            }
            let window = memory.windows.get_mut(id, key);
            let recent = window
                .nonfinite
                .get(metric)
                .is_some_and(|t| time - t < ONCE_PER);
            if !recent {
                window.nonfinite.insert(metric.clone(), time);
            }
            let firing = Firing {
                automation: index,
                step: Some(step),
                time,
                value: Some(*value),
                values: vec![*value],
                held: recent.then_some(Held::OncePerDay),
                finding: Some(Finding::Nonfinite {
                    metric: metric.clone(),
                }),
            };
            out.push(match recent {
                true => firing,
                false => self.decide(memory, a, None, firing, clock),
            });
        }
    }

    fn run_matches(&mut self, a: &Automation, run: &RunRef) -> bool {
        let Some(filter) = a.event.run_filter() else {
            return true;
        };
        let name = run.display_name.as_deref().unwrap_or(&run.run);
        holds(
            &mut self.patterns,
            filter,
            &[
                ("display_name", Some(name)),
                ("username", run.user.as_deref()),
            ],
        )
    }

    fn take_token(&self, memory: &mut Memory, id: &str, clock: i64) -> bool {
        let bucket = memory.buckets.entry(id.to_string()).or_insert(Bucket {
            tokens: self.limit.burst,
            at: clock,
        });
        // A bucket counted in the future (a clock set back, or a bucket kept from when event
        // times ran it) refills from now on instead of staying empty until then.
        let elapsed = (clock - bucket.at).max(0) as f64;
        bucket.tokens =
            (bucket.tokens + elapsed * self.limit.per_minute / 60.0).min(self.limit.burst);
        bucket.at = clock;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Applies the 24-hour rule (run events, in event time) and the rate limit (on `clock`) to a
    /// firing.
    fn decide(
        &self,
        memory: &mut Memory,
        a: &Automation,
        run: Option<&str>,
        mut f: Firing,
        clock: i64,
    ) -> Firing {
        let id = a.id.as_deref().unwrap_or_default();
        if let Some(run) = run {
            let window = memory.windows.get_mut(id, run);
            if window.last_fired.is_some_and(|t| f.time - t < ONCE_PER) {
                f.held = Some(Held::OncePerDay);
                return f;
            }
            window.last_fired = Some(f.time);
        }
        if !self.take_token(memory, id, clock) {
            f.held = Some(Held::RateLimited);
        }
        f
    }

    /// Evaluates one event (its time filled in) against `automations` at `clock` (Unix seconds,
    /// for the rate limit), updating `memory`. Disabled automations are never evaluated. Returns
    /// every firing, held ones included.
    pub fn evaluate(
        &mut self,
        automations: &[Automation],
        memory: &mut Memory,
        event: &EngineEvent,
        clock: i64,
    ) -> Vec<Firing> {
        self.evaluate_judged(automations, memory, event, clock, &mut |_| {})
    }

    /// [`Evaluator::evaluate`], telling `judged` every metric condition judged, fired or not.
    pub(crate) fn evaluate_judged(
        &mut self,
        automations: &[Automation],
        memory: &mut Memory,
        event: &EngineEvent,
        clock: i64,
        judged: &mut dyn FnMut(Judged),
    ) -> Vec<Firing> {
        let time = event.time.unwrap_or(0);
        let mut out = Vec::new();
        match (&event.body, &event.run) {
            (EventBody::Metric { step, metrics }, Some(run)) => {
                let mut key = std::mem::take(&mut self.last_key);
                if !is_key_of(&key, run) {
                    key = run_key(run);
                }
                if !memory.runs.contains_key(&key) {
                    memory.runs.insert(key.clone(), RunMemory::default());
                }
                // A row ends a silence: judged first, as of the row's time.
                self.stall_pass(automations, memory, &key, run, Some(time), clock, &mut out);
                let info = memory.runs.get_mut(&key).expect("inserted above");
                info.pace.row(time);
                let step = step.unwrap_or_else(|| info.last_step.map_or(0, |s| s + 1));
                info.last_step = Some(step);
                for (i, a) in automations.iter().enumerate() {
                    let condition = match &a.event {
                        Event::RunMetric { condition, .. } => condition,
                        Event::RunMetricNonfinite { metric, .. } => {
                            if a.enabled
                                && scope_has_run(&a.scope.path, &run.entity, &run.project)
                                && self.run_matches(a, run)
                            {
                                self.nonfinite(
                                    a, i, metric, metrics, memory, &key, step, time, clock,
                                    &mut out,
                                );
                            }
                            continue;
                        }
                        _ => continue,
                    };
                    if !a.enabled
                        || !scope_has_run(&a.scope.path, &run.entity, &run.project)
                        || !self.run_matches(a, run)
                    {
                        continue;
                    }
                    let Some(&(_, value)) = metrics.iter().find(|(k, _)| k == condition.metric())
                    else {
                        continue;
                    };
                    if !value.is_finite() {
                        continue;
                    }
                    let id = a.id.as_deref().unwrap_or_default();
                    let window = memory.windows.get_mut(id, &key);
                    window.values.push_back(value);
                    while window.values.len() > needed(condition) {
                        window.values.pop_front();
                    }
                    let (fired, compared) = check(condition, window.values.make_contiguous());
                    if let Some(compared) = compared {
                        judged(Judged {
                            automation: i,
                            step,
                            logged: value,
                            compared,
                        });
                    }
                    if let Some(v) = fired {
                        let values = window.values.iter().copied().collect();
                        let firing = Firing {
                            automation: i,
                            step: Some(step),
                            time,
                            value: Some(v),
                            values,
                            held: None,
                            finding: None,
                        };
                        out.push(self.decide(memory, a, Some(&key), firing, clock));
                    }
                }
                self.stall_pass(automations, memory, &key, run, None, clock, &mut out);
                self.last_key = key;
            }
            (EventBody::Alive, Some(run)) => {
                let key = run_key(run);
                memory.runs.entry(key.clone()).or_default().pace.seen(time);
                self.stall_pass(automations, memory, &key, run, Some(time), clock, &mut out);
            }
            (EventBody::State(state), Some(run)) => {
                let key = run_key(run);
                let info = memory.runs.entry(key.clone()).or_default();
                let repeated = info.state.as_deref() == Some(state.name());
                info.state = Some(state.name().to_string());
                if *state == super::event::StateReport::Running {
                    info.pace.seen(time);
                }
                self.stall_pass(automations, memory, &key, run, None, clock, &mut out);
                let Some(reached) = state.run_state().filter(|_| !repeated) else {
                    return out;
                };
                for (i, a) in automations.iter().enumerate() {
                    let Event::RunState { states, .. } = &a.event else {
                        continue;
                    };
                    if !a.enabled
                        || !states.contains(&reached)
                        || !scope_has_run(&a.scope.path, &run.entity, &run.project)
                        || !self.run_matches(a, run)
                    {
                        continue;
                    }
                    let firing = Firing {
                        automation: i,
                        step: memory.runs.get(&key).and_then(|r| r.last_step),
                        time,
                        value: None,
                        values: Vec::new(),
                        held: None,
                        finding: None,
                    };
                    out.push(self.decide(memory, a, Some(&key), firing, clock));
                }
            }
            (
                EventBody::Artifact {
                    kind,
                    collection,
                    alias,
                    tag,
                    ..
                },
                _,
            ) => {
                for (i, a) in automations.iter().enumerate() {
                    let Event::Artifact {
                        kind: wanted,
                        filter,
                    } = &a.event
                    else {
                        continue;
                    };
                    if !a.enabled
                        || wanted != kind
                        || !scope_has_collection(&a.scope.path, collection)
                    {
                        continue;
                    }
                    let fields = [("alias", alias.as_deref()), ("tag", tag.as_deref())];
                    if filter
                        .as_ref()
                        .is_some_and(|f| !holds(&mut self.patterns, f, &fields))
                    {
                        continue;
                    }
                    let firing = Firing {
                        automation: i,
                        step: None,
                        time,
                        value: None,
                        values: Vec::new(),
                        held: None,
                        finding: None,
                    };
                    out.push(self.decide(memory, a, None, firing, clock));
                }
            }
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{RunRef, is_key_of, run_key};

    #[test]
    fn a_run_key_is_recognised_without_being_made() {
        let run = |e: &str, p: &str, r: &str| RunRef {
            entity: e.into(),
            project: p.into(),
            run: r.into(),
            display_name: None,
            user: None,
        };
        let a = run("acme", "vision", "r1");
        assert!(is_key_of(&run_key(&a), &a));
        for other in [
            run("acme", "vision", "r2"),
            run("acm", "evision", "r1"),
            run("acme", "vision/r", "1"),
            run("acme", "vision", "r1x"),
        ] {
            assert!(
                !is_key_of(&run_key(&a), &other) || run_key(&other) == run_key(&a),
                "{other:?}"
            );
        }
        assert!(!is_key_of("", &a));
    }
}
