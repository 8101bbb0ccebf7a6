//! Backtest (design §12): the live evaluator run over recorded history, to say whether an
//! automation would have fired, when, on which values, which firings the 24-hour rule or the
//! rate limit would have held back, and for runs where it never fired how close it came. Pure:
//! histories in, verdicts out; nothing is ever sent.

use super::eval::{Evaluator, Held, Memory, RateLimit};
use super::event::{EngineEvent, EventBody, RunRef};
use super::filter::{Patterns, holds};
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
    /// Firings carried out.
    pub firings: Vec<Hit>,
    /// Firings held back.
    pub suppressed: Vec<Suppressed>,
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
    /// What the reader should know (outside the scope, excluded by the run filter, the source's
    /// limits).
    pub notes: Vec<String>,
}

impl Verdict {
    /// Whether it fired at least once.
    pub fn fired(&self) -> bool {
        !self.firings.is_empty()
    }
}

/// How to backtest.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The rate limit the engine applies.
    pub limit: RateLimit,
    /// Keep every judged value for a chart.
    pub trace: bool,
}

/// Whether an automation is one a backtest can judge: run metric and run state events.
pub fn judgeable(a: &Automation) -> Result<(), String> {
    match &a.event {
        Event::RunMetric { .. } | Event::RunState { .. } => Ok(()),
        Event::Artifact { kind, .. } => Err(format!(
            "{} fires when {}, which leaves no run history to replay; a backtest judges run metric and run state automations",
            a.name,
            kind.words()
        )),
        Event::RunStalled { .. } | Event::RunMetricNonfinite { .. } => Err(format!(
            "{} is a {} automation, which a backtest does not judge yet",
            a.name,
            a.event.kind().file_name()
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

/// Runs the automation over the histories, all runs interleaved by event time as the live
/// engine would see them (so the rate limit spans runs), and gives one verdict per run.
pub fn backtest(a: &Automation, runs: Vec<RunHistory>, options: Options) -> Vec<Verdict> {
    let mut automation = a.clone();
    automation.enabled = true;
    automation.id.get_or_insert_with(|| "backtest".into());
    let automations = [automation];
    let mut patterns = Patterns::default();
    let mut verdicts = Vec::with_capacity(runs.len());
    let mut order: Vec<(i64, usize, usize)> = Vec::new();
    let mut histories = Vec::with_capacity(runs.len());
    let mut runs_judged = Vec::with_capacity(runs.len());
    for (r, mut h) in runs.into_iter().enumerate() {
        let mut notes = std::mem::take(&mut h.notes);
        if let Some(moved) = into_scope(&h.run, &a.scope.path) {
            notes.push(format!(
                "the run is in {}/{}, outside the automation's scope ({}): live, it would not be judged there",
                h.run.entity, h.run.project, a.scope.path
            ));
            runs_judged.push(moved);
        } else {
            runs_judged.push(h.run.clone());
        }
        let mut excluded = false;
        if let Some(filter) = a.event.run_filter() {
            let name = h.run.display_name.as_deref().unwrap_or(&h.run.run);
            let fields = [
                ("display_name", Some(name)),
                ("username", h.run.user.as_deref()),
            ];
            excluded = !holds(&mut patterns, filter, &fields);
        }
        order.extend(
            h.events
                .iter()
                .enumerate()
                .map(|(i, e)| (e.time.unwrap_or(0), r, i)),
        );
        verdicts.push(Verdict {
            run: h.run.clone(),
            firings: Vec::new(),
            suppressed: Vec::new(),
            closest: None,
            judged: 0,
            trace: Vec::new(),
            excluded,
            last_state: h.events.iter().rev().find_map(|e| match &e.body {
                EventBody::State(s) => Some(s.name().to_string()),
                _ => None,
            }),
            notes,
        });
        histories.push(h.events);
    }
    // Stable: a run's events keep their order, runs interleave by time (at the same time, in
    // the order the runs were given).
    if !order.is_sorted_by_key(|&(time, _, _)| time) {
        order.sort_by_key(|&(time, _, _)| time);
    }
    let mut evaluator = Evaluator::new(options.limit);
    let mut memory = Memory::default();
    let condition = match &a.event {
        Event::RunMetric { condition, .. } => Some(condition),
        _ => None,
    };
    let mut best: Vec<Option<(f64, i64, f64)>> = vec![None; verdicts.len()];
    // One event per run, its body and time moved in from the history: no run is copied per
    // event, and the run judged is the history's (moved into the scope when it was outside).
    let mut scratch: Vec<EngineEvent> = runs_judged
        .into_iter()
        .map(|run| EngineEvent {
            run: Some(run),
            body: EventBody::Metric {
                step: None,
                metrics: Vec::new(),
            },
            time: None,
        })
        .collect();
    for (_, r, i) in order {
        let event = &mut scratch[r];
        let recorded = &mut histories[r][i];
        event.time = recorded.time;
        event.body = std::mem::replace(
            &mut recorded.body,
            EventBody::Metric {
                step: None,
                metrics: Vec::new(),
            },
        );
        let event = &scratch[r];
        let v = &mut verdicts[r];
        let slot = &mut best[r];
        let firings = evaluator.evaluate_judged(&automations, &mut memory, event, &mut |j| {
            v.judged += 1;
            if options.trace {
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
        });
        for f in firings {
            let hit = Hit {
                step: f.step,
                time: f.time,
                value: f.value,
                values: f.values,
            };
            match f.held {
                None => v.firings.push(hit),
                Some(Held::OncePerDay) => v.suppressed.push(Suppressed {
                    hit,
                    why: Suppression::OncePerDay,
                }),
                Some(Held::RateLimited) => v.suppressed.push(Suppressed {
                    hit,
                    why: Suppression::RateLimited,
                }),
            }
        }
    }
    if let Some(c) = condition {
        for (v, b) in verdicts.iter_mut().zip(best) {
            if v.firings.is_empty() && v.suppressed.is_empty() {
                v.closest = b.map(|(_, step, value)| closest(c, step, value));
            }
        }
    }
    verdicts
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
pub fn compared_name(a: &Automation) -> String {
    match &a.event {
        Event::RunMetric { condition, .. } => quantity(condition),
        _ => String::new(),
    }
}

/// What is compared, in words: `loss`, `avg(loss)[5]`.
pub fn quantity(c: &MetricCondition) -> String {
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
pub fn final_state_only(run: RunRef, state: super::event::StateReport, time: i64) -> RunHistory {
    RunHistory {
        events: vec![EngineEvent {
            run: Some(run.clone()),
            body: EventBody::State(state),
            time: Some(time),
        }],
        run,
        notes: vec![
            "W&B keeps no history of a run's states: only its final state is judged, at its last heartbeat".into(),
        ],
    }
}
