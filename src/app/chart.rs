//! The chart of one run's verdict, made when the verdict arrives (the Backtest tab and the
//! wizard's live verdict paint it): the value compared, the metric as logged, the threshold or
//! band, where it fired and where a firing was held back, thinned to what a terminal can show.

use crate::engine::backtest::{Verdict, quantity, shown};
use crate::engine::eval::Finding;
use crate::model::{Automation, Direction, Event, MetricCondition, TimeSpan};

/// Points a chart keeps (spikes survive: each bucket keeps its lowest and highest point).
const CHART_POINTS: usize = 600;

/// The chart of one run, ready to paint.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Chart {
    /// The metric as logged (absent when it is what is compared).
    pub(crate) logged: Vec<(f64, f64)>,
    /// The value compared: the aggregate, the change or the z-score.
    pub(crate) compared: Vec<(f64, f64)>,
    /// What `compared` is called.
    pub(crate) compared_name: String,
    /// Levels to draw across: the threshold, or the band.
    pub(crate) levels: Vec<Vec<(f64, f64)>>,
    /// Where it fired.
    pub(crate) fired: Vec<(f64, f64)>,
    /// Where a firing was held back.
    pub(crate) held: Vec<(f64, f64)>,
    /// Stretches shaded (a stall's): columns from the bottom to the top, close together.
    pub(crate) shaded: Vec<(f64, f64)>,
    /// A line across the chart at the step of the execution being judged (empty: none).
    pub(crate) focus: Vec<(f64, f64)>,
    /// Where the backend recorded an execution (W&B's, or the local engine's).
    pub(crate) recorded: Vec<(f64, f64)>,
    /// The x bounds (steps) and their labels.
    pub(crate) x: [f64; 2],
    /// The x labels.
    pub(crate) x_labels: Vec<String>,
    /// The y bounds.
    pub(crate) y: [f64; 2],
    /// The y labels.
    pub(crate) y_labels: Vec<String>,
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

/// Columns a shaded stretch is drawn with, across the chart's width.
const SHADE_COLUMNS: f64 = 400.0;

/// A `run_stalled` verdict's chart: the silence since the last row over time (a saw that drops
/// at each row), the bound `after`, the stretches it would have been called stalled shaded, and
/// where it fired. The x axis is time since the run's first event.
fn stall_chart(after: u64, v: &Verdict) -> Option<Chart> {
    let origin = v.trace.first()?.step;
    let x_of = |t: i64| (t - origin) as f64;
    let compared: Vec<(f64, f64)> = v.trace.iter().map(|p| (x_of(p.step), p.compared)).collect();
    let end = compared.last().map_or(1.0, |p| p.0).max(1.0);
    let top = compared.iter().map(|p| p.1).fold(after as f64, f64::max) * 1.05;
    let step = end / SHADE_COLUMNS;
    let shaded = v
        .stalled
        .iter()
        .flat_map(|g| {
            let (from, to) = (x_of(g.from), x_of(g.to));
            (0..)
                .map(move |i| from + f64::from(i) * step)
                .take_while(move |x| *x <= to)
                .map(move |x| (x, top))
        })
        .collect();
    let fired = v
        .firings
        .iter()
        .filter_map(|f| match f.finding {
            Some(Finding::Stall { stalled_for }) => Some((x_of(f.time), stalled_for as f64)),
            _ => None,
        })
        .collect();
    let span = |x: f64| TimeSpan::from_secs(x.max(0.0) as u64).to_string();
    Some(Chart {
        logged: Vec::new(),
        compared: thin(&compared, CHART_POINTS),
        compared_name: "seconds without a step".into(),
        levels: vec![vec![(0.0, after as f64), (end, after as f64)]],
        fired,
        held: Vec::new(),
        shaded,
        focus: Vec::new(),
        recorded: Vec::new(),
        x: [0.0, end],
        x_labels: [0.0, end / 2.0, end].iter().map(|x| span(*x)).collect(),
        y: [0.0, top],
        y_labels: [0.0, top / 2.0, top].iter().map(|y| span(*y)).collect(),
    })
}

impl Chart {
    /// Marks `step` with a line across the chart (within its bounds).
    pub(crate) fn mark_step(&mut self, step: i64) {
        let x = (step as f64).clamp(self.x[0], self.x[1]);
        self.focus = vec![(x, self.y[0]), (x, self.y[1])];
    }

    /// Marks where executions were recorded, on the value compared at their steps.
    pub(crate) fn mark_recorded(&mut self, v: &Verdict, steps: impl Iterator<Item = i64>) {
        self.recorded = steps
            .filter_map(|step| {
                let at = v.trace.partition_point(|t| t.step <= step).checked_sub(1)?;
                Some((step as f64, v.trace[at].compared))
            })
            .collect();
    }
}

/// The chart of a metric or stall automation's verdict; `None` for other kinds or nothing
/// judged.
pub(crate) fn chart(a: &Automation, v: &Verdict) -> Option<Chart> {
    let condition = match &a.event {
        Event::RunMetric { condition, .. } => condition,
        Event::RunStalled { after, .. } => return stall_chart(after.secs(), v),
        _ => return None,
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
        shaded: Vec::new(),
        focus: Vec::new(),
        recorded: Vec::new(),
        x,
        x_labels: [x[0], (x[0] + x[1]) / 2.0, x[1]]
            .iter()
            .map(|v| format!("{v:.0}"))
            .collect(),
        y,
        y_labels: vec![shown(y[0]), shown((y[0] + y[1]) / 2.0), shown(y[1])],
    })
}

#[cfg(test)]
mod tests {
    use super::{chart, thin};
    use crate::engine::backtest::{Options, RunHistory, backtest};
    use crate::engine::event::{EngineEvent, EventBody, RunRef};

    #[test]
    fn a_stall_chart_shades_the_stalled_stretch_and_marks_where_it_fired() {
        let a = crate::file::parse_text(
            "name: hang\nscope: {project: acme/vision}\nevent: {type: run_stalled, after: 1m}\naction: {type: no_op}\n",
            crate::file::Format::Yaml,
        )
        .unwrap()
        .remove(0);
        let run = RunRef {
            entity: "acme".into(),
            project: "vision".into(),
            run: "r1".into(),
            display_name: None,
            user: None,
        };
        let at = |t: i64, body: EventBody| EngineEvent {
            run: Some(run.clone()),
            body,
            time: Some(1_000 + t),
        };
        let row = |t: i64, step: i64| {
            at(
                t,
                EventBody::Metric {
                    step: Some(step),
                    metrics: vec![("loss".into(), 1.0)],
                },
            )
        };
        // Rows every 5 s to 50 s, alive every 10 s to 150 s, rows again from 160 s.
        let mut events: Vec<EngineEvent> = (0..=10).map(|i| row(i * 5, i)).collect();
        events.extend((6..=15).map(|i| at(i * 10, EventBody::Alive)));
        events.extend((0..4).map(|i| row(160 + i * 5, 11 + i)));
        let history = RunHistory {
            run: run.clone(),
            events,
            notes: Vec::new(),
        };
        let options = Options {
            trace: true,
            ..Options::default()
        };
        let v = backtest(&a, vec![history], options).remove(0);
        let c = chart(&a, &v).unwrap();
        assert_eq!(c.fired, [(110.0, 60.0)], "a minute after the row at 50 s");
        assert!(!c.shaded.is_empty());
        assert!(
            c.shaded.iter().all(|(x, _)| (50.0..=160.0).contains(x)),
            "{:?}",
            c.shaded.first()
        );
        assert!(c.compared.contains(&(160.0, 110.0)) && c.compared.contains(&(160.0, 0.0)));
        assert_eq!(c.levels, [vec![(0.0, 60.0), (175.0, 60.0)]]);
        assert_eq!(c.x_labels, ["0s", "1m27s", "2m55s"]);
    }

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
