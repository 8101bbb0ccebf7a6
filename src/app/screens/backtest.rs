//! The detail's Backtest tab: the runs to pick from (loaded async, newest first), the verdict of
//! the one picked, and its chart, all prepared here when an answer arrives or the run changes;
//! `ui::screens::backtest` only paints it.

use super::super::text::{Piece, TextLine, Tone};
use crate::engine::backtest::{Verdict, compared_name, needed, quantity, shown};
use crate::model::{Automation, Direction, Event, MetricCondition};
use crate::ops::backtest::RunChoice;

/// Points a chart keeps (spikes survive: each bucket keeps its lowest and highest point).
const CHART_POINTS: usize = 600;

/// The chart of one run, ready to paint.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chart {
    /// The metric as logged (absent when it is what is compared).
    pub logged: Vec<(f64, f64)>,
    /// The value compared: the aggregate, the change or the z-score.
    pub compared: Vec<(f64, f64)>,
    /// What `compared` is called.
    pub compared_name: String,
    /// Levels to draw across: the threshold, or the band.
    pub levels: Vec<Vec<(f64, f64)>>,
    /// Where it fired.
    pub fired: Vec<(f64, f64)>,
    /// Where a firing was held back.
    pub held: Vec<(f64, f64)>,
    /// The x bounds (steps) and their labels.
    pub x: [f64; 2],
    /// The x labels.
    pub x_labels: Vec<String>,
    /// The y bounds.
    pub y: [f64; 2],
    /// The y labels.
    pub y_labels: Vec<String>,
}

/// The Backtest tab's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BacktestView {
    /// The runs offered (`None` while they load).
    pub runs: Option<Result<Vec<RunChoice>, String>>,
    /// The run picked.
    pub selected: usize,
    /// Its verdict (`None` while it is judged).
    pub verdict: Option<Result<Verdict, String>>,
    /// The line above the chart: which run, and how to pick another.
    pub header: Vec<TextLine>,
    /// What it is waiting for, if anything (painted with a spinner).
    pub waiting: Option<String>,
    /// The chart, once there is one.
    pub chart: Option<Chart>,
    /// The verdict in words, notes and errors.
    pub lines: Vec<TextLine>,
}

impl BacktestView {
    /// The run picked, if the runs are in.
    pub fn choice(&self) -> Option<&RunChoice> {
        match &self.runs {
            Some(Ok(runs)) => runs.get(self.selected),
            _ => None,
        }
    }

    /// Moves the pick by `by` (wrapping); `true` when it moved to another run.
    pub fn step(&mut self, by: isize) -> bool {
        let n = match &self.runs {
            Some(Ok(runs)) if runs.len() > 1 => runs.len() as isize,
            _ => return false,
        };
        self.selected = (self.selected as isize + by).rem_euclid(n) as usize;
        self.verdict = None;
        true
    }

    /// Makes the header, chart and lines again from what is known.
    pub fn prepare(&mut self, a: &Automation) {
        self.chart = None;
        self.lines.clear();
        self.header.clear();
        self.waiting = None;
        let runs = match &self.runs {
            None => {
                self.waiting = Some(match &a.scope.path.project_name() {
                    Some(p) => format!("loading the recent runs of {}/{p}…", a.scope.path.entity()),
                    None => "loading the recent runs…".into(),
                });
                return;
            }
            Some(Err(e)) => {
                self.lines.push(TextLine::toned(Tone::Error, e.clone()));
                return;
            }
            Some(Ok(runs)) if runs.is_empty() => {
                self.lines.push(TextLine::toned(
                    Tone::Dim,
                    "no runs to judge yet: on W&B the project has none; locally, `wbauto engine --watch DIR` follows run logs (or backtest from the CLI with --run-dir)",
                ));
                return;
            }
            Some(Ok(runs)) => runs,
        };
        let Some(choice) = runs.get(self.selected) else {
            return;
        };
        self.header.push(TextLine::new(vec![
            Piece::new(
                Tone::Title,
                format!("run {}/{} ", self.selected + 1, runs.len()),
            ),
            Piece::plain(format!("{} ", choice.label)),
            Piece::new(
                Tone::Dim,
                format!("({}) {}", short(&choice.id), choice.state),
            ),
            Piece::new(Tone::Dim, "   [ ] other runs"),
        ]));
        match &self.verdict {
            None => self.waiting = Some(format!("reading the history of {}…", choice.label)),
            Some(Err(e)) => self.lines.push(TextLine::toned(Tone::Error, e.clone())),
            Some(Ok(v)) => {
                self.chart = chart(a, v);
                self.lines = verdict_lines(a, v);
            }
        }
    }
}

/// A run log's path shortened to its file name; a W&B id as it is.
fn short(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// At most `max` points, keeping each bucket's lowest and highest in step order.
fn thin(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max {
        return points.to_vec();
    }
    let size = points.len().div_ceil(max / 2);
    let mut out = Vec::with_capacity(max);
    for bucket in points.chunks(size) {
        let lo = bucket
            .iter()
            .copied()
            .fold(bucket[0], |m, p| if p.1 < m.1 { p } else { m });
        let hi = bucket
            .iter()
            .copied()
            .fold(bucket[0], |m, p| if p.1 > m.1 { p } else { m });
        if lo.0 <= hi.0 {
            out.extend([lo, hi]);
        } else {
            out.extend([hi, lo]);
        }
    }
    out.dedup();
    out
}

fn levels_of(c: &MetricCondition) -> Vec<f64> {
    let at = |n: &serde_json::Number| n.as_f64().unwrap_or(0.0);
    match c {
        MetricCondition::Threshold { threshold, .. } => vec![at(threshold)],
        MetricCondition::Change {
            direction, amount, ..
        } => band(*direction, at(amount)),
        MetricCondition::ZScore {
            direction,
            threshold,
            ..
        } => band(*direction, at(threshold)),
    }
}

fn band(d: Direction, x: f64) -> Vec<f64> {
    match d {
        Direction::Increase => vec![x],
        Direction::Decrease => vec![-x],
        Direction::Any => vec![x, -x],
    }
}

/// The chart of a metric automation's verdict; `None` for run states or nothing judged.
pub fn chart(a: &Automation, v: &Verdict) -> Option<Chart> {
    let Event::RunMetric { condition, .. } = &a.event else {
        return None;
    };
    if v.trace.is_empty() {
        return None;
    }
    let compared: Vec<(f64, f64)> = v
        .trace
        .iter()
        .map(|t| (t.step as f64, t.compared))
        .collect();
    let same = matches!(condition, MetricCondition::Threshold { agg: None, .. });
    let logged: Vec<(f64, f64)> = if same || !matches!(condition, MetricCondition::Threshold { .. })
    {
        Vec::new()
    } else {
        v.trace.iter().map(|t| (t.step as f64, t.logged)).collect()
    };
    let point = |step: Option<i64>, value: Option<f64>| Some((step? as f64, value?));
    let fired: Vec<(f64, f64)> = v
        .firings
        .iter()
        .filter_map(|f| point(f.step, f.value))
        .collect();
    let held: Vec<(f64, f64)> = v
        .suppressed
        .iter()
        .filter_map(|s| point(s.hit.step, s.hit.value))
        .collect();
    let x = [
        compared[0].0,
        compared[compared.len() - 1].0.max(compared[0].0 + 1.0),
    ];
    let levels: Vec<f64> = levels_of(condition);
    let ys = compared
        .iter()
        .chain(&logged)
        .map(|p| p.1)
        .chain(levels.iter().copied())
        .filter(|y| y.is_finite());
    let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
        (lo.min(y), hi.max(y))
    });
    let pad = ((hi - lo) * 0.05).max(1e-9);
    let y = [lo - pad, hi + pad];
    Some(Chart {
        logged: thin(&logged, CHART_POINTS),
        compared: thin(&compared, CHART_POINTS),
        compared_name: quantity(condition),
        levels: levels
            .iter()
            .map(|l| vec![(x[0], *l), (x[1], *l)])
            .collect(),
        fired,
        held,
        x,
        x_labels: [x[0], (x[0] + x[1]) / 2.0, x[1]]
            .iter()
            .map(|v| format!("{v:.0}"))
            .collect(),
        y,
        y_labels: vec![shown(y[0]), shown((y[0] + y[1]) / 2.0), shown(y[1])],
    })
}

/// The verdict in words: fired or not, the first firing, what was held back, the closest
/// approach, the notes.
pub fn verdict_lines(a: &Automation, v: &Verdict) -> Vec<TextLine> {
    let mut out = Vec::new();
    match v.firings.first() {
        Some(first) => {
            let at = first
                .step
                .map_or_else(|| "the end".to_string(), |s| format!("step {s}"));
            let value = first
                .value
                .map(|x| format!(" ({} = {})", compared_name(a), shown(x)))
                .unwrap_or_default();
            out.push(TextLine::new(vec![
                Piece::new(
                    Tone::On,
                    format!("● would have fired {} time(s)", v.firings.len()),
                ),
                Piece::plain(format!("; first at {at}{value}")),
            ]));
        }
        None if v.excluded => out.push(TextLine::toned(
            Tone::Off,
            "○ never judged: the automation's run filter excludes this run",
        )),
        None => {
            let why = match (&v.closest, &a.event) {
                (Some(c), _) => c.words.clone(),
                (None, Event::RunState { .. }) => match &v.last_state {
                    Some(s) => format!("its last state was {s}"),
                    None => "it reported no state".into(),
                },
                (None, Event::RunMetric { condition, .. }) => format!(
                    "no full window of {} ({} values in a row); it needs {}",
                    condition.metric(),
                    crate::engine::eval::needed(condition),
                    needed(condition)
                ),
                _ => String::new(),
            };
            out.push(TextLine::new(vec![
                Piece::new(Tone::Off, "○ would not have fired: "),
                Piece::plain(why),
            ]));
        }
    }
    if !v.suppressed.is_empty() {
        let day = v
            .suppressed
            .iter()
            .filter(|s| s.why == crate::engine::backtest::Suppression::OncePerDay)
            .count();
        let rate = v.suppressed.len() - day;
        out.push(TextLine::toned(
            Tone::Warn,
            format!(
                "  {} more held back: {day} by the once-a-day rule, {rate} by the rate limit",
                v.suppressed.len()
            ),
        ));
    }
    if let Event::RunMetric { condition, .. } = &a.event {
        out.push(TextLine::new(vec![
            Piece::new(Tone::Dim, "  ── "),
            Piece::plain(quantity(condition)),
            Piece::new(
                Tone::Dim,
                format!(
                    "   ── {}   █ fired   • held back   {} values judged",
                    needed(condition),
                    v.judged
                ),
            ),
        ]));
    }
    for n in &v.notes {
        out.push(TextLine::toned(Tone::Dim, format!("  note: {n}")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thin;

    #[test]
    fn thinning_keeps_spikes_and_order() {
        let mut points: Vec<(f64, f64)> = (0..10_000).map(|i| (i as f64, 0.1)).collect();
        points[7_777].1 = 9.0;
        points[1_234].1 = -3.0;
        let thinned = thin(&points, 200);
        assert!(thinned.len() <= 200);
        assert!(thinned.contains(&(7_777.0, 9.0)) && thinned.contains(&(1_234.0, -3.0)));
        assert!(thinned.windows(2).all(|w| w[0].0 <= w[1].0));
    }
}
