//! The chart of one run's verdict, made when the verdict arrives (the Backtest tab and the
//! wizard's live verdict paint it): the value compared, the metric as logged, the threshold or
//! band, where it fired and where a firing was held back, thinned to what a terminal can show.

use crate::engine::backtest::{Verdict, quantity, shown};
use crate::model::{Automation, Direction, Event, MetricCondition};

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

/// The chart of a metric automation's verdict; `None` for run states or nothing judged.
pub(crate) fn chart(a: &Automation, v: &Verdict) -> Option<Chart> {
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
