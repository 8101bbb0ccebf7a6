//! The evaluator: W&B's semantics over events, per run and per automation, in event order. Pure —
//! events, a clock and state in, decisions out — so the live engine, a replay and a backtest give
//! the same answers; the state is plain data the store persists between batches.
//!
//! Two clocks: an event's own time serves only W&B's once-per-run-per-24-hours rule (so a replay
//! judges a run as it happened); the rate limit runs on the clock the caller gives — the engine's
//! when live, so a sender cannot spend or block an automation's budget by dating its events.

use super::event::{EngineEvent, EventBody, RunRef};
use super::filter::{Patterns, holds};
use crate::model::{
    Agg, Automation, ChangeType, Cmp, Direction, Event, MetricCondition, ScopePath,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
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
}

/// What the evaluator remembers of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct RunMemory {
    /// The last step logged.
    pub last_step: Option<i64>,
    /// The last state reported (lower case).
    pub state: Option<String>,
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
}

/// The run key of a run.
pub(crate) fn run_key(run: &RunRef) -> String {
    format!("{}/{}/{}", run.entity, run.project, run.run)
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
                let info = memory.runs.get_mut(&key).expect("inserted above");
                let step = step.unwrap_or_else(|| info.last_step.map_or(0, |s| s + 1));
                info.last_step = Some(step);
                for (i, a) in automations.iter().enumerate() {
                    let Event::RunMetric { condition, .. } = &a.event else {
                        continue;
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
                        };
                        out.push(self.decide(memory, a, Some(&key), firing, clock));
                    }
                }
                self.last_key = key;
            }
            (EventBody::State(state), Some(run)) => {
                let key = run_key(run);
                let info = memory.runs.entry(key.clone()).or_default();
                let repeated = info.state.as_deref() == Some(state.name());
                info.state = Some(state.name().to_string());
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
