//! The evaluator against a naive reference over random series: the same firings for every
//! condition kind, NaN and infinities never entering a window, the 24-hour rule in event time.

use proptest::prelude::*;
use wbauto::engine::eval::{Evaluator, Held, Memory, RateLimit};
use wbauto::engine::event::{EngineEvent, EventBody, RunRef};
use wbauto::file::{Format, parse_text};
use wbauto::model::{Agg, ChangeType, Cmp, Direction, MetricCondition};

fn automation(event: &str) -> wbauto::model::Automation {
    let text = format!(
        "name: a\nscope: {{project: acme/vision}}\nevent: {event}\naction: {{type: no_op}}\n"
    );
    let mut a = parse_text(&text, Format::Yaml).unwrap().remove(0);
    a.id = Some("A".into());
    a
}

fn agg(agg: Option<Agg>, v: &[f64]) -> f64 {
    match agg {
        None => *v.last().unwrap(),
        Some(Agg::Avg) => v.iter().sum::<f64>() / v.len() as f64,
        Some(Agg::Sum) => v.iter().sum(),
        Some(Agg::Min) => v.iter().cloned().fold(f64::MAX, f64::min),
        Some(Agg::Max) => v.iter().cloned().fold(f64::MIN, f64::max),
    }
}

fn dir(d: Direction, x: f64, amount: f64) -> bool {
    match d {
        Direction::Increase => x >= amount,
        Direction::Decrease => x <= -amount,
        Direction::Any => x.abs() >= amount,
    }
}

/// The indexes of `series` at which the condition holds, recomputed from the whole prefix.
fn reference(c: &MetricCondition, series: &[f64]) -> Vec<usize> {
    let mut seen: Vec<f64> = Vec::new();
    let mut out = Vec::new();
    for (i, &x) in series.iter().enumerate() {
        if !x.is_finite() {
            continue;
        }
        seen.push(x);
        let n = seen.len();
        let fires = match c {
            MetricCondition::Threshold {
                agg: a,
                window,
                cmp,
                threshold,
                ..
            } => {
                let w = if a.is_some() { *window as usize } else { 1 };
                n >= w && {
                    let v = agg(*a, &seen[n - w..]);
                    let t = threshold.as_f64().unwrap();
                    match cmp {
                        Cmp::Gt => v > t,
                        Cmp::Gte => v >= t,
                        Cmp::Lt => v < t,
                        Cmp::Lte => v <= t,
                        Cmp::Eq => v == t,
                        Cmp::Ne => v != t,
                    }
                }
            }
            MetricCondition::Change {
                agg: a,
                window,
                prior_window,
                direction,
                change,
                amount,
                ..
            } => {
                let (w, p) = (*window as usize, *prior_window as usize);
                n >= w + p && {
                    let now = agg(*a, &seen[n - w..]);
                    let before = agg(*a, &seen[n - w - p..n - w]);
                    let amount = amount.as_f64().unwrap();
                    match change {
                        ChangeType::Absolute => dir(*direction, now - before, amount),
                        ChangeType::Relative => {
                            before != 0.0 && dir(*direction, (now - before) / before.abs(), amount)
                        }
                    }
                }
            }
            MetricCondition::ZScore {
                window,
                threshold,
                direction,
                ..
            } => {
                let w = *window as usize;
                w >= 2 && n > w && {
                    let hist = &seen[n - 1 - w..n - 1];
                    let mean = hist.iter().sum::<f64>() / w as f64;
                    let sd = (hist.iter().map(|h| (h - mean).powi(2)).sum::<f64>()
                        / (w - 1) as f64)
                        .sqrt();
                    sd != 0.0
                        && dir(
                            *direction,
                            (seen[n - 1] - mean) / sd,
                            threshold.as_f64().unwrap(),
                        )
                }
            }
        };
        if fires {
            out.push(i);
        }
    }
    out
}

fn event(step: usize, value: f64, time: i64) -> EngineEvent {
    EngineEvent {
        run: Some(RunRef {
            entity: "acme".into(),
            project: "vision".into(),
            run: "r".into(),
            display_name: None,
            user: None,
        }),
        body: EventBody::Metric {
            step: Some(step as i64),
            metrics: vec![("m".into(), value)],
        },
        time: Some(time),
    }
}

/// A random metric condition (the `event` of an automation file), every kind and option.
pub fn condition() -> impl Strategy<Value = String> {
    let agg = prop_oneof![
        Just(""),
        Just("agg: avg,"),
        Just("agg: min,"),
        Just("agg: max,"),
        Just("agg: sum,")
    ];
    let cmp = prop_oneof![
        Just(">"),
        Just(">="),
        Just("<"),
        Just("<="),
        Just("=="),
        Just("!=")
    ];
    let d = prop_oneof![Just("increase"), Just("decrease"), Just("any")];
    prop_oneof![
        (agg.clone(), 1..6i64, cmp, -3..4i64).prop_map(|(a, w, c, t)| format!("{{type: run_metric_threshold, metric: m, {a} window: {w}, cmp: \"{c}\", threshold: {t}}}")),
        (agg, 1..5i64, 1..5i64, d.clone(), prop_oneof![Just("absolute"), Just("relative")], 1..4i64)
            .prop_map(|(a, w, p, d, c, x)| format!("{{type: run_metric_change, metric: m, {a} window: {w}, prior_window: {p}, direction: {d}, change: {c}, amount: {}}}", x as f64 / 2.0)),
        (2..8i64, d, 1..4i64).prop_map(|(w, d, t)| format!("{{type: run_metric_zscore, metric: m, window: {w}, direction: {d}, threshold: {t}}}")),
    ]
}

/// A random logged value: mostly small numbers, sometimes NaN or infinity.
pub fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        20 => (-40i32..40).prop_map(|v| f64::from(v) / 8.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_evaluator_equals_the_reference(cond in condition(), series in proptest::collection::vec(value(), 0..60)) {
        let a = automation(&cond);
        let wbauto::model::Event::RunMetric { condition, .. } = &a.event else { unreachable!() };
        let expected = reference(condition, &series);
        let mut evaluator = Evaluator::new(RateLimit { per_minute: 1e9, burst: 1e9 });
        let mut memory = Memory::default();
        let automations = vec![a.clone()];
        let mut fired = Vec::new();
        for (i, &x) in series.iter().enumerate() {
            // Two days apart: the 24-hour rule never holds a firing back here.
            let t = i as i64 * 172_800;
            let firings = evaluator.evaluate(&automations, &mut memory, &event(i, x, t), t);
            for f in firings {
                prop_assert_eq!(f.held, None);
                fired.push(f.step.unwrap() as usize);
            }
        }
        prop_assert_eq!(&fired, &expected, "{}", cond);
        // All at once: only the first firing goes out; the rest are held by the 24-hour rule.
        let mut memory = Memory::default();
        let mut out = Vec::new();
        for (i, &x) in series.iter().enumerate() {
            out.extend(evaluator.evaluate(&automations, &mut memory, &event(i, x, 1_000), 1_000));
        }
        let sent: Vec<_> = out.iter().filter(|f| f.held.is_none()).collect();
        prop_assert_eq!(sent.len(), usize::from(!expected.is_empty()));
        prop_assert!(out.iter().skip(1).all(|f| f.held == Some(Held::OncePerDay)));
    }
}
