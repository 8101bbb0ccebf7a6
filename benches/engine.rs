//! Engine budgets: the pure evaluator alone, in memory, must take at least
//! 1 M metric values per second per core; framing and decoding a `.wandb` run log at least
//! 200 MB/s; a backtest of one automation over a run with 1 M logged values at most 200 ms.
//! Run with `cargo bench --bench engine`.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use wbauto::engine::backtest::{Options, RunHistory, backtest};
use wbauto::engine::eval::{Evaluator, Memory, RateLimit};
use wbauto::engine::event::{EngineEvent, EventBody, RunRef};
use wbauto::engine::runlog::framing::{Framer, Step};
use wbauto::engine::runlog::record::decode;
use wbauto::file::{Format, parse_text};

/// Ten automations on one project: thresholds with and without agg, changes, z-scores.
fn automations() -> Vec<wbauto::model::Automation> {
    let events = [
        "{type: run_metric_threshold, metric: loss, cmp: \">\", threshold: 100}",
        "{type: run_metric_threshold, metric: loss, agg: avg, window: 5, cmp: \">\", threshold: 100}",
        "{type: run_metric_threshold, metric: acc, agg: max, window: 10, cmp: \"<\", threshold: -1}",
        "{type: run_metric_change, metric: loss, agg: avg, window: 5, direction: increase, change: relative, amount: 10}",
        "{type: run_metric_change, metric: acc, window: 3, prior_window: 6, direction: any, change: absolute, amount: 100}",
        "{type: run_metric_zscore, metric: loss, window: 30, threshold: 50}",
        "{type: run_metric_zscore, metric: acc, window: 10, direction: decrease, threshold: 50}",
        "{type: run_metric_threshold, metric: lr, cmp: \"<\", threshold: 0}",
        "{type: run_metric_threshold, metric: loss, agg: min, window: 20, cmp: \"<\", threshold: -5}",
        "{type: run_metric_change, metric: lr, direction: decrease, change: absolute, amount: 5}",
    ];
    events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let text = format!(
                "name: a{i}\nscope: {{project: acme/vision}}\nevent: {e}\naction: {{type: no_op}}\n"
            );
            let mut a = parse_text(&text, Format::Yaml)
                .expect("automation")
                .remove(0);
            a.id = Some(format!("A{i}"));
            a
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let automations = automations();
    let n = 10_000usize;
    let events: Vec<EngineEvent> = (0..n)
        .map(|i| EngineEvent {
            run: Some(RunRef {
                entity: "acme".into(),
                project: "vision".into(),
                run: format!("r{}", i % 8),
                display_name: None,
                user: None,
            }),
            body: EventBody::Metric {
                step: Some(i as i64),
                metrics: vec![
                    ("loss".into(), 1.0 / (1.0 + i as f64)),
                    ("acc".into(), (i % 100) as f64 / 100.0),
                    ("lr".into(), 0.001),
                ],
            },
            time: Some(i as i64),
        })
        .collect();
    // Each event carries 3 values, each read by several of the 10 automations.
    let mut group = c.benchmark_group("evaluator");
    group.throughput(Throughput::Elements((n * 3) as u64));
    group.bench_function("10_automations_3_metrics_per_event", |b| {
        b.iter(|| {
            let mut evaluator = Evaluator::new(RateLimit::default());
            let mut memory = Memory::default();
            for e in &events {
                black_box(evaluator.evaluate(&automations, &mut memory, e, e.time.unwrap_or(0)));
            }
        });
    });
    group.finish();

    // The live stall check: 10,000 running runs followed, one `run_stalled` automation, a tick
    // at which none is due (the usual case) and one at which a tenth are.
    let stalled = parse_text(
        "name: hang\nscope: {project: acme/vision}\nevent: {type: run_stalled, after: 30m, adaptive: true}\naction: {type: no_op}\n",
        Format::Yaml,
    )
    .expect("automation")
    .remove(0);
    let stalled = vec![wbauto::model::Automation {
        id: Some("S".into()),
        ..stalled
    }];
    let mut evaluator = Evaluator::new(RateLimit::default());
    let mut memory = Memory::default();
    for i in 0..10_000i64 {
        let run = Some(RunRef {
            entity: "acme".into(),
            project: "vision".into(),
            run: format!("r{i}"),
            display_name: None,
            user: None,
        });
        let last_row = 1_700_000_000 + if i % 10 == 0 { 0 } else { 1_000 };
        for body in [
            EventBody::State(wbauto::engine::event::StateReport::Running),
            EventBody::Metric {
                step: Some(1),
                metrics: vec![("loss".into(), 1.0)],
            },
        ] {
            let e = EngineEvent {
                run: run.clone(),
                body,
                time: Some(last_row),
            };
            evaluator.evaluate(&stalled, &mut memory, &e, last_row);
        }
    }
    let mut group = c.benchmark_group("stall_check");
    group.bench_function("tick_10k_runs_none_due", |b| {
        b.iter(|| black_box(evaluator.due_stalls(1_700_000_000 + 60)))
    });
    group.bench_function("tick_10k_runs_1k_due", |b| {
        b.iter(|| black_box(evaluator.due_stalls(1_700_000_000 + 1_800)))
    });
    assert_eq!(evaluator.due_stalls(1_700_000_000 + 1_800).len(), 1_000);
    group.finish();

    // One run, 1 M logged values of the metric, an avg window that never fires (so the closest
    // approach is tracked all the way).
    let run = RunRef {
        entity: "acme".into(),
        project: "vision".into(),
        run: "long".into(),
        display_name: None,
        user: None,
    };
    let million: Vec<EngineEvent> = (0..1_000_000i64)
        .map(|i| EngineEvent {
            run: Some(run.clone()),
            body: EventBody::Metric {
                step: Some(i),
                metrics: vec![("loss".into(), ((i % 1000) as f64) / 1000.0)],
            },
            time: Some(1_700_000_000 + i),
        })
        .collect();
    let avg_loss = &automations[1..2];
    let mut group = c.benchmark_group("backtest");
    group.throughput(Throughput::Elements(million.len() as u64));
    group.sample_size(10);
    group.bench_function("one_automation_1M_values", |b| {
        b.iter_batched(
            || RunHistory {
                run: run.clone(),
                events: million.clone(),
                notes: Vec::new(),
            },
            |history| {
                black_box(backtest(
                    &avg_loss[0],
                    vec![history],
                    Options {
                        limit: RateLimit::default(),
                        trace: false,
                    },
                ))
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();

    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runlogs/multiblock");
    let log = wbauto::engine::runlog::follow::find(&dir)
        .pop()
        .expect("the multiblock fixture");
    let bytes = std::fs::read(&log).expect("the multiblock fixture");
    let mut group = c.benchmark_group("runlog");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("frame_and_decode_multiblock", |b| {
        b.iter(|| {
            let mut framer = Framer::at(7);
            framer.push(&bytes[7..]);
            let mut n = 0usize;
            while let Step::Record { payload, .. } = framer.next_step() {
                n += usize::from(decode(&payload).is_ok());
            }
            black_box(n)
        });
    });
    group.finish();
}

criterion_group! {
    name = engine_benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(engine_benches);
