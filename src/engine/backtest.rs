//! Backtest: the live evaluator run over recorded history, to say whether an
//! automation would have fired, when, on which values, which firings the 24-hour rule or the
//! rate limit would have held back, and for runs where it never fired how close it came. Pure:
//! histories in, verdicts out; nothing is ever sent.

use super::eval::{Evaluator, Finding, Held, Memory, RateLimit};
use super::event::{EngineEvent, EventBody, RunRef};
use super::filter::{Patterns, holds};
use crate::model::event::metric_matches;
use crate::model::{Agg, Automation, Cmp, Direction, Event, MetricCondition, ScopePath};

/// One run's recorded events (metric rows and state changes), in the order they happened.
#[derive(Clone, Debug, PartialEq)]
pub struct RunHistory {
    /// The run.
    pub run: RunRef,
    /// Its events, times filled in where known; each event's own `run` is not read (the
    /// history's is), so sources may leave it out.
    pub events: Vec<EngineEvent>,
    /// What the source could not tell (e.g. W&B keeps only a run's final state).
    pub notes: Vec<String>,
}

/// A firing the backtest found.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The step (metric events; the last step logged for a state change).
    pub step: Option<i64>,
    /// Event time (Unix seconds; 0 when the source has no times).
    pub time: i64,
    /// The value compared (aggregate, delta or z-score).
    pub value: Option<f64>,
    /// The window's values.
    pub values: Vec<f64>,
    /// For the local-only events, what they found (how long a stall, which metric key).
    pub finding: Option<Finding>,
}

/// A silence between a run's history rows, as the data shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    /// When it began: the last row (or the run's start), Unix seconds.
    pub from: i64,
    /// When it ended: the next row, or the last record that showed the run alive.
    pub to: i64,
    /// The last step before it.
    pub after_step: Option<i64>,
}

impl Gap {
    /// Its length in seconds.
    pub fn seconds(&self) -> i64 {
        self.to - self.from
    }

    /// In words: `1 minute 15 seconds after step 19 (2026-12-06 05:02:51 to 05:04:06)`.
    pub fn words(&self) -> String {
        let at = |t: i64| {
            jiff::Timestamp::from_second(t)
                .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default()
        };
        let after = self.after_step.map_or_else(
            || "from the start".to_string(),
            |s| format!("after step {s}"),
        );
        format!(
            "{} {after} ({} to {})",
            crate::model::timespan::words(self.seconds().max(0).unsigned_abs()),
            at(self.from),
            at(self.to)
        )
    }
}

/// Why a firing would have been held back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suppression {
    /// It fired on this run less than 24 hours before.
    OncePerDay,
    /// Over the automation's rate limit.
    RateLimited,
}

impl Suppression {
    /// The reason in words, as `--json` gives it.
    pub fn reason(self) -> &'static str {
        match self {
            Suppression::OncePerDay => "fired on this run less than 24 hours before",
            Suppression::RateLimited => "over the automation's rate limit",
        }
    }
}

/// A firing the 24-hour rule or the rate limit would have suppressed.
#[derive(Clone, Debug, PartialEq)]
pub struct Suppressed {
    /// The firing.
    pub hit: Hit,
    /// Why.
    pub why: Suppression,
}

/// The nearest a run came to firing.
#[derive(Clone, Debug, PartialEq)]
pub struct Closest {
    /// Where.
    pub step: i64,
    /// The value compared there.
    pub value: f64,
    /// What it needed, e.g. `> 0.5`.
    pub needed: String,
    /// The sentence: `max avg(loss)[5] was 0.48 at step 310; it needed > 0.5`.
    pub words: String,
}

/// One point of a run's chart: the value logged and, once the window is full, the value compared.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TracePoint {
    /// The step.
    pub step: i64,
    /// The metric's value logged at that step.
    pub logged: f64,
    /// The aggregate, delta or z-score compared.
    pub compared: f64,
}

/// What the automation would have done on one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The run.
    pub run: RunRef,
    /// Firings carried out (the first [`HITS_KEPT`]).
    pub firings: Vec<Hit>,
    /// How many firings there were in all.
    pub firings_total: usize,
    /// Firings held back (the first [`HITS_KEPT`]).
    pub suppressed: Vec<Suppressed>,
    /// How many were held back in all.
    pub suppressed_total: usize,
    /// For a metric automation that never fired: its closest approach.
    pub closest: Option<Closest>,
    /// Values the condition was judged on (a full window).
    pub judged: usize,
    /// The chart, when asked for.
    pub trace: Vec<TracePoint>,
    /// The run filter excludes the run: it is never judged.
    pub excluded: bool,
    /// The last state the run reported (`running`, `finished`, `failed`).
    pub last_state: Option<String>,
    /// `run_stalled`: the stretches it would have been called stalled (from the last row to
    /// the next, or to the last record), in time order.
    pub stalled: Vec<Gap>,
    /// `run_stalled`: the longest silence the data shows, for a run that never stalled.
    pub longest_gap: Option<Gap>,
    /// `run_metric_nonfinite`: whether any metric key the run logged matches the pattern.
    pub metric_seen: bool,
    /// What the reader should know (outside the scope, excluded by the run filter, the source's
    /// limits).
    pub notes: Vec<String>,
}

impl Verdict {
    /// Whether it fired at least once.
    pub fn fired(&self) -> bool {
        self.firings_total > 0
    }
}

/// How to backtest.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// The rate limit the engine applies.
    pub limit: RateLimit,
    /// Keep every judged value for a chart.
    pub trace: bool,
}

/// Whether an automation is one a backtest can judge: run events.
pub(crate) fn judgeable(a: &Automation) -> Result<(), String> {
    match &a.event {
        Event::RunMetric { .. }
        | Event::RunState { .. }
        | Event::RunStalled { .. }
        | Event::RunMetricNonfinite { .. } => Ok(()),
        Event::Artifact { kind, .. } => Err(format!(
            "{} fires when {}, which leaves no run history to replay; a backtest judges run metric and run state automations",
            a.name,
            kind.words()
        )),
        Event::Raw { event_type, .. } => Err(format!(
            "{} fires on {event_type}, which wbauto does not evaluate",
            a.name
        )),
    }
}

/// The run's entity and project as the automation's scope has them: a backtest asks what the
/// condition does on the run, wherever it was logged.
fn into_scope(run: &RunRef, scope: &ScopePath) -> Option<RunRef> {
    let (entity, project) = match scope {
        ScopePath::Project { entity, project } => (entity.clone(), Some(project.clone())),
        ScopePath::Team { entity } | ScopePath::Org { entity } => (entity.clone(), None),
        _ => return None,
    };
    if run.entity == entity && project.as_ref().is_none_or(|p| *p == run.project) {
        return None;
    }
    let mut moved = run.clone();
    moved.entity = entity;
    if let Some(p) = project {
        moved.project = p;
    }
    Some(moved)
}

/// Firings and suppressed firings kept per run (the rest are counted): a long series cannot
/// fill the memory with them.
pub(crate) const HITS_KEPT: usize = 1_000;

/// A backtest fed one event at a time: runs are added, their events given in the order the
/// live engine would take them, and the verdicts read at the end. Memory stays that of the
/// runs' windows and what is kept of their firings, however long the history.
pub struct Backtest {
    automations: [Automation; 1],
    condition: Option<MetricCondition>,
    options: Options,
    evaluator: Evaluator,
    memory: Memory,
    patterns: Patterns,
    verdicts: Vec<Verdict>,
    best: Vec<Option<(f64, i64, f64)>>,
    /// One event per run, its body and time replaced for each event fed: no run is copied per
    /// event, and the run judged is the history's (moved into the scope when it was outside).
    scratch: Vec<EngineEvent>,
    /// Per run, the silences seen so far (`run_stalled` only).
    gaps: Vec<GapWatch>,
}

/// The silence a run is in, as a backtest follows it.
#[derive(Clone, Copy, Debug, Default)]
struct GapWatch {
    /// The open silence: from the last row (or start), to the latest record so far.
    open: Option<Gap>,
    /// Whether a stall fired in the open silence.
    stalled: bool,
    /// Whether the run's first event was seen.
    begun: bool,
}

impl Backtest {
    /// A backtest of `a` (judged as if enabled).
    pub fn new(a: &Automation, options: Options) -> Self {
        let mut automation = a.clone();
        automation.enabled = true;
        automation.id.get_or_insert_with(|| "backtest".into());
        let condition = match &a.event {
            Event::RunMetric { condition, .. } => Some(condition.clone()),
            _ => None,
        };
        Self {
            automations: [automation],
            condition,
            options,
            evaluator: Evaluator::new(options.limit),
            memory: Memory::default(),
            patterns: Patterns::default(),
            verdicts: Vec::new(),
            best: Vec::new(),
            scratch: Vec::new(),
            gaps: Vec::new(),
        }
    }

    /// Adds a run with what its source could not tell; returns its number for [`Self::feed`].
    pub(crate) fn add_run(&mut self, run: RunRef, mut notes: Vec<String>) -> usize {
        let a = &self.automations[0];
        let judged = match into_scope(&run, &a.scope.path) {
            Some(moved) => {
                notes.push(format!(
                    "the run is in {}/{}, outside the automation's scope ({}): live, it would not be judged there",
                    run.entity, run.project, a.scope.path
                ));
                moved
            }
            None => run.clone(),
        };
        let excluded = a.event.run_filter().is_some_and(|filter| {
            let name = run.display_name.as_deref().unwrap_or(&run.run);
            let fields = [
                ("display_name", Some(name)),
                ("username", run.user.as_deref()),
            ];
            !holds(&mut self.patterns, filter, &fields)
        });
        self.verdicts.push(Verdict {
            run,
            firings: Vec::new(),
            firings_total: 0,
            suppressed: Vec::new(),
            suppressed_total: 0,
            closest: None,
            judged: 0,
            trace: Vec::new(),
            excluded,
            last_state: None,
            stalled: Vec::new(),
            longest_gap: None,
            metric_seen: false,
            notes,
        });
        self.gaps.push(GapWatch::default());
        self.best.push(None);
        self.scratch.push(EngineEvent {
            run: Some(judged),
            body: EventBody::Metric {
                step: None,
                metrics: Vec::new(),
            },
            time: None,
        });
        self.verdicts.len() - 1
    }

    /// Adds a note to a run's verdict.
    pub fn note(&mut self, run: usize, note: String) {
        if let Some(v) = self.verdicts.get_mut(run) {
            v.notes.push(note);
        }
    }

    /// Judges the next event of run `run` (its time, for the 24-hour rule and as the clock of
    /// the rate limit: the event as if it arrived when it happened).
    pub(crate) fn feed(&mut self, run: usize, time: Option<i64>, body: EventBody) {
        let (Some(event), Some(v), Some(slot)) = (
            self.scratch.get_mut(run),
            self.verdicts.get_mut(run),
            self.best.get_mut(run),
        ) else {
            return;
        };
        if let EventBody::State(s) = &body {
            v.last_state = Some(s.name().to_string());
        }
        let a = &self.automations[0];
        if let (Event::RunMetricNonfinite { metric, .. }, EventBody::Metric { metrics, .. }) =
            (&a.event, &body)
        {
            v.metric_seen |= metrics.iter().any(|(k, _)| metric_matches(metric, k));
        }
        let progress = matches!(body, EventBody::Metric { .. });
        let stall = matches!(a.event, Event::RunStalled { .. });
        if let (true, Some(gap)) = (stall, self.gaps.get_mut(run))
            && !gap.begun
        {
            gap.begun = true;
            if time.is_none_or(|t| t <= 0) {
                v.notes.push("the source has no timestamps, so the silences between its rows cannot be measured".into());
            }
            // A history that begins without saying so is a run that was running.
            if !matches!(body, EventBody::State(_)) {
                event.time = time;
                event.body = EventBody::State(super::event::StateReport::Running);
                let clock = time.unwrap_or(0);
                self.evaluator
                    .evaluate(&self.automations, &mut self.memory, event, clock);
            }
        }
        event.time = time;
        event.body = body;
        let clock = time.unwrap_or(0);
        let (trace, condition) = (self.options.trace, &self.condition);
        let firings = self.evaluator.evaluate_judged(
            &self.automations,
            &mut self.memory,
            event,
            clock,
            &mut |j| {
                v.judged += 1;
                if trace {
                    v.trace.push(TracePoint {
                        step: j.step,
                        logged: j.logged,
                        compared: j.compared,
                    });
                }
                if let Some(c) = condition {
                    let score = closeness(c, j.compared);
                    if slot.is_none_or(|(s, _, _)| score > s) {
                        *slot = Some((score, j.step, j.compared));
                    }
                }
            },
        );
        if let (Event::RunStalled { .. }, Some(t), Some(gap)) =
            (&self.automations[0].event, time, self.gaps.get_mut(run))
        {
            let stalled = firings.iter().any(|f| f.held.is_none());
            follow_gap(&self.memory, event, v, gap, t, progress, stalled, trace);
        }
        for f in firings {
            let hit = Hit {
                step: f.step,
                time: f.time,
                value: f.value,
                values: f.values,
                finding: f.finding,
            };
            let why = match f.held {
                None => {
                    v.firings_total += 1;
                    if v.firings.len() < HITS_KEPT {
                        v.firings.push(hit);
                    }
                    continue;
                }
                Some(Held::OncePerDay) => Suppression::OncePerDay,
                Some(Held::RateLimited) => Suppression::RateLimited,
            };
            v.suppressed_total += 1;
            if v.suppressed.len() < HITS_KEPT {
                v.suppressed.push(Suppressed { hit, why });
            }
        }
    }

    /// The verdicts, one per run in the order added.
    pub fn finish(self) -> Vec<Verdict> {
        let mut verdicts = self.verdicts;
        for (v, g) in verdicts.iter_mut().zip(&self.gaps) {
            if let Some(open) = g.open {
                close_gap(v, open, g.stalled);
            }
        }
        if let Some(c) = &self.condition {
            for (v, b) in verdicts.iter_mut().zip(self.best) {
                if v.firings_total == 0 && v.suppressed_total == 0 {
                    v.closest = b.map(|(_, step, value)| closest(c, step, value));
                }
            }
        }
        verdicts
    }
}

/// Follows a run's silences through one event at time `t` (judged already): a row closes the
/// open silence (kept as a stalled stretch when a stall fired in it, and as the longest gap)
/// and opens the next; any other record stretches it. With `trace`, the chart's points: at
/// time `t` (the x of a stall's chart is event time), the silence so far.
#[allow(clippy::too_many_arguments)]
fn follow_gap(
    memory: &Memory,
    event: &EngineEvent,
    v: &mut Verdict,
    gap: &mut GapWatch,
    t: i64,
    progress: bool,
    stalled: bool,
    trace: bool,
) {
    let point = |v: &mut Verdict, silence: i64| {
        if trace {
            let s = silence.max(0) as f64;
            v.trace.push(TracePoint {
                step: t,
                logged: s,
                compared: s,
            });
        }
    };
    gap.stalled |= stalled;
    let remembered = event
        .run
        .as_ref()
        .and_then(|r| memory.runs.get(&super::eval::run_key(r)));
    let Some(info) = remembered.filter(|i| i.watched() || progress) else {
        return;
    };
    match (&mut gap.open, progress) {
        (Some(open), false) => {
            open.to = open.to.max(t);
            point(v, t - open.from);
        }
        (Some(open), true) => {
            open.to = open.to.max(t);
            point(v, t - open.from);
            close_gap(v, *open, gap.stalled);
            gap.open = None;
            gap.stalled = false;
        }
        (None, _) => {}
    }
    if gap.open.is_none()
        && let Some(from) = info.pace.since()
    {
        gap.open = Some(Gap {
            from,
            to: t.max(from),
            after_step: info.last_step,
        });
        point(v, t - from);
    }
}

/// Keeps a closed silence: as a stalled stretch when a stall fired in it, and as the longest.
fn close_gap(v: &mut Verdict, gap: Gap, stalled: bool) {
    if stalled {
        v.stalled.push(gap);
    }
    if v.longest_gap.is_none_or(|g| gap.seconds() > g.seconds()) {
        v.longest_gap = Some(gap);
    }
}

/// Runs the automation over the histories, all runs interleaved by event time as the live
/// engine would see them (so the rate limit spans runs), and gives one verdict per run.
pub fn backtest(a: &Automation, runs: Vec<RunHistory>, options: Options) -> Vec<Verdict> {
    let mut bt = Backtest::new(a, options);
    feed_histories(&mut bt, runs);
    bt.finish()
}

/// Feeds whole histories into a backtest, interleaved by event time (stable: a run's events
/// keep their order; at the same time, runs in the order given).
pub(crate) fn feed_histories(bt: &mut Backtest, runs: Vec<RunHistory>) {
    let mut order: Vec<(i64, usize, usize)> = Vec::new();
    let mut histories = Vec::with_capacity(runs.len());
    for h in runs {
        let r = bt.add_run(h.run, h.notes);
        order.extend(
            h.events
                .iter()
                .enumerate()
                .map(|(i, e)| (e.time.unwrap_or(0), r, i)),
        );
        histories.push((r, h.events));
    }
    if !order.is_sorted_by_key(|&(time, _, _)| time) {
        order.sort_by_key(|&(time, _, _)| time);
    }
    let first = histories.first().map_or(0, |(r, _)| *r);
    for (_, r, i) in order {
        let recorded = &mut histories[r - first].1[i];
        let body = std::mem::replace(
            &mut recorded.body,
            EventBody::Metric {
                step: None,
                metrics: Vec::new(),
            },
        );
        bt.feed(r, recorded.time, body);
    }
}

/// How near a compared value is to firing: larger is nearer.
fn closeness(c: &MetricCondition, v: f64) -> f64 {
    let toward = |d: Direction, x: f64| match d {
        Direction::Increase => x,
        Direction::Decrease => -x,
        Direction::Any => x.abs(),
    };
    match c {
        MetricCondition::Threshold { cmp, threshold, .. } => {
            let t = threshold.as_f64().unwrap_or(0.0);
            match cmp {
                Cmp::Gt | Cmp::Gte => v,
                Cmp::Lt | Cmp::Lte => -v,
                Cmp::Eq => -(v - t).abs(),
                Cmp::Ne => (v - t).abs(),
            }
        }
        MetricCondition::Change { direction, .. } | MetricCondition::ZScore { direction, .. } => {
            toward(*direction, v)
        }
    }
}

fn number(n: &serde_json::Number) -> String {
    n.to_string()
}

fn agg_name(agg: Option<Agg>) -> &'static str {
    match agg {
        None => "",
        Some(Agg::Avg) => "avg",
        Some(Agg::Min) => "min",
        Some(Agg::Max) => "max",
        Some(Agg::Sum) => "sum",
    }
}

/// What a metric automation compares, in words; empty for other automations.
pub(crate) fn compared_name(a: &Automation) -> String {
    match &a.event {
        Event::RunMetric { condition, .. } => quantity(condition),
        _ => String::new(),
    }
}

/// What is compared, in words: `loss`, `avg(loss)[5]`.
pub(crate) fn quantity(c: &MetricCondition) -> String {
    match c {
        MetricCondition::Threshold {
            metric,
            agg: Some(agg),
            window,
            ..
        } => format!("{}({metric})[{window}]", agg_name(Some(*agg))),
        MetricCondition::Threshold { metric, .. } => metric.clone(),
        MetricCondition::Change {
            metric,
            agg,
            window,
            prior_window,
            change,
            ..
        } => {
            let of = match agg {
                Some(a) => format!("{}({metric})", agg_name(Some(*a))),
                None => metric.clone(),
            };
            let kind = match change {
                crate::model::ChangeType::Absolute => "change",
                crate::model::ChangeType::Relative => "relative change",
            };
            format!("{kind} of {of} over [{window}] vs the prior [{prior_window}]")
        }
        MetricCondition::ZScore { metric, window, .. } => {
            format!("z-score of {metric} against the last {window}")
        }
    }
}

/// What a condition needs, in words: `> 0.5`, `an increase of at least 0.1`, `|z| ≥ 3`.
pub fn needed(c: &MetricCondition) -> String {
    let dir = |d: Direction, what: &str, amount: String| match d {
        Direction::Increase => format!("{what} ≥ {amount}"),
        Direction::Decrease => format!("{what} ≤ -{amount}"),
        Direction::Any => format!("|{what}| ≥ {amount}"),
    };
    match c {
        MetricCondition::Threshold { cmp, threshold, .. } => {
            format!("{} {}", cmp.symbol(), number(threshold))
        }
        MetricCondition::Change {
            direction, amount, ..
        } => dir(*direction, "change", number(amount)),
        MetricCondition::ZScore {
            direction,
            threshold,
            ..
        } => dir(*direction, "z", number(threshold)),
    }
}

fn closest(c: &MetricCondition, step: i64, value: f64) -> Closest {
    let extreme = match c {
        MetricCondition::Threshold { cmp, .. } => match cmp {
            Cmp::Gt | Cmp::Gte => "max",
            Cmp::Lt | Cmp::Lte => "min",
            Cmp::Eq | Cmp::Ne => "nearest",
        },
        MetricCondition::Change { direction, .. } | MetricCondition::ZScore { direction, .. } => {
            match direction {
                Direction::Increase => "max",
                Direction::Decrease => "min",
                Direction::Any => "largest",
            }
        }
    };
    let needed = needed(c);
    Closest {
        step,
        value,
        words: format!(
            "{extreme} {} was {} at step {step}; it needed {needed}",
            quantity(c),
            shown(value)
        ),
        needed,
    }
}

/// A compared value for people: at most 4 significant decimals.
pub fn shown(v: f64) -> String {
    let text = format!("{v:.4}");
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    if trimmed.is_empty() || trimmed == "-" {
        "0".into()
    } else {
        trimmed.to_string()
    }
}

/// A run-state automation on a source that keeps only the final state (W&B): the one event
/// that can be judged, with the note that says so.
pub(crate) fn final_state_only(
    run: RunRef,
    state: super::event::StateReport,
    time: i64,
) -> RunHistory {
    RunHistory {
        events: vec![EngineEvent {
            run: Some(run.clone()),
            body: EventBody::State(state),
            time: Some(time),
        }],
        run,
        notes: vec![
            "neither W&B nor the local database keeps a history of a run's states: only its final state is judged, at its last heartbeat".into(),
        ],
    }
}
