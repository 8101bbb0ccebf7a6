//! Backtest: the same evaluator over recorded history gives what the live engine gives when the
//! same events are emitted (one property over random automations and series), and its verdicts
//! say why not: the closest approach, the 24-hour rule, the rate limit, scope and run filter.

use crate::evaluator::{condition, value};
use proptest::prelude::*;
use wbauto::backend::Backend;
use wbauto::backend::local::LocalBackend;
use wbauto::engine::backtest::{Options, RunHistory, Suppression, backtest};
use wbauto::engine::eval::RateLimit;
use wbauto::engine::event::{EngineEvent, EventBody, RunRef, StateReport};
use wbauto::engine::lease::{Kind, Lease};
use wbauto::engine::{Engine, history};
use wbauto::file::{Format, parse_text};

fn automation(event: &str) -> wbauto::model::Automation {
    let text = format!(
        "name: backtested\nscope: {{project: acme/vision}}\nevent: {event}\naction: {{type: no_op}}\n"
    );
    parse_text(&text, Format::Yaml).unwrap().remove(0)
}

/// The rate limit of the property test's engine.
const LIMIT: RateLimit = RateLimit {
    per_minute: 2.0,
    burst: 3.0,
};

/// Enough runs that their first firings overrun the rate limit (10 at once).
const RUNS: usize = 14;

fn run(i: usize) -> RunRef {
    RunRef {
        entity: "acme".into(),
        project: "vision".into(),
        run: format!("run{i}"),
        display_name: Some(format!("sweep-{i}")),
        user: None,
    }
}

/// What happens on a run: a value logged, or a state reported.
#[derive(Clone, Debug)]
enum Happening {
    Value(f64),
    State(StateReport),
}

fn happening() -> impl Strategy<Value = Happening> {
    prop_oneof![
        12 => value().prop_map(Happening::Value),
        1 => prop_oneof![
            Just(StateReport::Running),
            Just(StateReport::Finished),
            Just(StateReport::Failed),
        ].prop_map(Happening::State),
    ]
}

/// Events in time order: which run, what, and how many seconds after the previous one (now and
/// then more than a day, so the 24-hour rule both holds and lets go; mostly 1, so the rate
/// limit bites). Never 0: events at the same time on different runs have no order to agree on.
fn timeline() -> impl Strategy<Value = Vec<(usize, Happening, i64)>> {
    let gap = prop_oneof![12 => Just(1i64), 2 => 2..5i64, 1 => 80_000..100_000i64];
    proptest::collection::vec((0..RUNS, happening(), gap), 0..150)
}

fn events(timeline: &[(usize, Happening, i64)]) -> Vec<(usize, EngineEvent)> {
    let mut time = 1_700_000_000;
    let mut steps = [0i64; RUNS];
    timeline
        .iter()
        .map(|(r, h, gap)| {
            time += gap;
            let body = match h {
                Happening::Value(v) => {
                    steps[*r] += 1;
                    EventBody::Metric {
                        step: Some(steps[*r]),
                        metrics: vec![("m".into(), *v)],
                    }
                }
                Happening::State(s) => EventBody::State(*s),
            };
            (
                *r,
                EngineEvent {
                    run: Some(run(*r)),
                    body,
                    time: Some(time),
                },
            )
        })
        .collect()
}

fn any_event() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => condition(),
        1 => prop_oneof![Just("[finished]"), Just("[failed]"), Just("[running, failed]")]
            .prop_map(|s| format!("{{type: run_state, states: {s}}}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn backtest_equals_the_live_engine(event in any_event(), timeline in timeline()) {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let backend = rt.block_on(LocalBackend::open(&dir.path().join("local.db"))).unwrap();
        let a = automation(&event);
        let resolved = rt.block_on(wbauto::backend::resolve::prepare(&backend, a.clone(), "acme")).unwrap();
        let saved = rt.block_on(backend.create_automation(&resolved)).unwrap().automation;
        let id = saved.id.clone().unwrap();

        // Live: each event arriving when it happened (the engine's clock then is its time), in
        // its own transaction (memory persisted between them).
        let all = events(&timeline);
        // A tight rate limit, so random runs overrun it often.
        let settings = wbauto::config::file::EngineSettings { rate_per_minute: 2, burst: 3, ..Default::default() };
        let mut engine = Engine::new(backend.connection(), settings).unwrap();
        let lease = Lease::take(&dir.path().join("local.db"), Kind::Emit).unwrap().unwrap();
        for (_, e) in &all {
            let at = e.time.unwrap();
            engine.ingest(lease.fence(), vec![e.clone()], at).unwrap();
        }
        let query = history::Query { automations: Some(vec![id.clone()]), limit: 10_000, ..Default::default() };
        let mut live: Vec<(String, Option<i64>, String)> = engine
            .with(|c| history::list(c, &query))
            .unwrap()
            .into_iter()
            .map(|x| (x.run.unwrap_or_default(), x.step, x.status))
            .collect();
        live.sort();

        // Backtest: the same events, as one history per run.
        let histories: Vec<RunHistory> = (0..RUNS)
            .map(|r| RunHistory {
                run: run(r),
                events: all.iter().filter(|(i, _)| *i == r).map(|(_, e)| e.clone()).collect(),
                notes: Vec::new(),
            })
            .collect();
        let verdicts = backtest(&saved, histories, Options { limit: LIMIT, trace: false });
        let mut back: Vec<(String, Option<i64>, String)> = Vec::new();
        for v in &verdicts {
            for f in &v.firings {
                back.push((v.run.run.clone(), f.step, "success".into()));
            }
            for s in v.suppressed.iter().filter(|s| s.why == Suppression::RateLimited) {
                back.push((v.run.run.clone(), s.hit.step, "skipped".into()));
            }
            prop_assert!(v.fired() || v.suppressed.is_empty() || v.closest.is_none());
        }
        back.sort();
        prop_assert_eq!(back, live, "{}", event);
    }
}

fn series(values: &[f64], start: i64, every: i64) -> RunHistory {
    RunHistory {
        run: run(0),
        events: values
            .iter()
            .enumerate()
            .map(|(i, v)| EngineEvent {
                run: Some(run(0)),
                body: EventBody::Metric {
                    step: Some(i as i64 * 10),
                    metrics: vec![("loss".into(), *v)],
                },
                time: Some(start + i as i64 * every),
            })
            .collect(),
        notes: Vec::new(),
    }
}

const AVG_LOSS: &str =
    "{type: run_metric_threshold, metric: loss, agg: avg, window: 3, cmp: \">\", threshold: 0.5}";

#[test]
fn a_run_that_never_fired_gets_its_closest_approach_in_words() {
    let a = automation(AVG_LOSS);
    let v = backtest(
        &a,
        vec![series(&[0.1, 0.4, 0.5, 0.45, 0.2], 0, 60)],
        Options {
            limit: RateLimit::default(),
            trace: true,
        },
    );
    let v = &v[0];
    assert!(!v.fired());
    let c = v.closest.as_ref().unwrap();
    assert_eq!(c.step, 30);
    assert_eq!(
        c.words,
        "max avg(loss)[3] was 0.45 at step 30; it needed > 0.5"
    );
    assert_eq!(v.judged, 3);
    assert_eq!(v.trace.len(), 3);
}

#[test]
fn later_firings_on_a_run_within_a_day_are_suppressed_and_say_why() {
    let a = automation(AVG_LOSS);
    let v = backtest(
        &a,
        vec![series(&[0.9, 0.9, 0.9, 0.9, 0.9], 0, 60)],
        Options {
            limit: RateLimit::default(),
            trace: false,
        },
    );
    let v = &v[0];
    assert_eq!(v.firings.len(), 1);
    assert_eq!(v.firings[0].step, Some(20));
    assert_eq!(v.firings[0].values, vec![0.9, 0.9, 0.9]);
    assert_eq!(v.suppressed.len(), 2);
    assert!(
        v.suppressed
            .iter()
            .all(|s| s.why == Suppression::OncePerDay)
    );
    assert!(v.closest.is_none());
}

#[test]
fn runs_outside_the_scope_or_the_run_filter_say_so() {
    let mut a = automation(
        "{type: run_metric_threshold, metric: loss, cmp: \">\", threshold: 0.5, run_filter: {display_name: {$regex: \"^prod-\"}}}",
    );
    a.name = "filtered".into();
    let mut h = series(&[0.9], 0, 60);
    h.run.project = "elsewhere".into();
    let v = &backtest(
        &a,
        vec![h],
        Options {
            limit: RateLimit::default(),
            trace: false,
        },
    )[0];
    assert!(!v.fired(), "the run filter excludes sweep-0");
    assert!(
        v.notes
            .iter()
            .any(|n| n.contains("outside the automation's scope")),
        "{:?}",
        v.notes
    );
    assert!(v.excluded, "the run filter excludes sweep-0");
}

/// Each fixture automation backtested over the recorded run logs fires where the live engine
/// fires when the same logs are replayed into it (`emit --run-dir`).
#[test]
fn backtest_over_run_logs_equals_a_live_replay() {
    let logs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runlogs");
    let logs = logs.to_str().unwrap();
    let kinds = [
        "{type: run_metric_threshold, metric: loss, agg: avg, window: 5, cmp: \">\", threshold: 1.5}",
        "{type: run_metric_threshold, metric: loss, cmp: \"<\", threshold: 0.5}",
        "{type: run_metric_change, metric: loss, window: 2, direction: increase, change: absolute, amount: 0.5}",
        "{type: run_metric_zscore, metric: loss, window: 5, threshold: 2}",
        "{type: run_state, states: [failed]}",
        "{type: run_state, states: [finished]}",
    ];
    for event in kinds {
        let home = tempfile::tempdir().unwrap();
        let file = home.path().join("a.yaml");
        std::fs::write(
            &file,
            format!("name: replayed\nscope: {{project: acme/vision}}\nevent: {event}\naction: {{type: no_op}}\n"),
        )
        .unwrap();
        let f = file.to_str().unwrap();
        let run = |args: &[&str]| {
            let r = crate::support::binary::run(home.path(), args, &[], None);
            assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
            r.stdout
        };
        let verdicts: Vec<serde_json::Value> =
            serde_json::from_str(&run(&["backtest", "-f", f, "--run-dir", logs, "--json"]))
                .unwrap();
        let mut back: Vec<(String, Option<i64>)> = verdicts
            .iter()
            .filter(|v| v["project"] == "acme/vision")
            .flat_map(|v| {
                v["firings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(move |x| (v["run"].as_str().unwrap().to_string(), x["step"].as_i64()))
            })
            .collect();
        back.sort();
        run(&["create", "-f", f]);
        run(&["emit", "--run-dir", logs]);
        let history: Vec<serde_json::Value> =
            serde_json::from_str(&run(&["history", "replayed", "--json", "--limit", "1000"]))
                .unwrap();
        let mut live: Vec<(String, Option<i64>)> = history
            .iter()
            .filter(|x| x["status"] == "success")
            .map(|x| (x["run"].as_str().unwrap().to_string(), x["step"].as_i64()))
            .collect();
        live.sort();
        assert_eq!(back, live, "{event}");
        assert!(
            !live.is_empty() || event.contains("zscore"),
            "{event} fires somewhere in the fixtures"
        );
    }
}

/// A long series is streamed: its firings and suppressed firings are counted in full, and the
/// first thousand of each are kept (so memory does not grow with the series).
#[test]
fn a_long_series_keeps_the_first_thousand_suppressed_and_counts_them_all() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("a.yaml");
    std::fs::write(
        &file,
        "name: high\nscope: {project: acme/vision}\nevent: {type: run_metric_threshold, metric: loss, cmp: \">\", threshold: 1}\naction: {type: no_op}\n",
    )
    .unwrap();
    // 5,000 rows a minute apart (3.5 days), all over the threshold: once a day it fires, the
    // other rows are held back by the 24-hour rule.
    let mut csv = String::from("step,time,loss\n");
    for i in 0..5_000 {
        csv.push_str(&format!("{i},{},2\n", 1_700_000_000 + i * 60));
    }
    let series = home.path().join("long.csv");
    std::fs::write(&series, csv).unwrap();
    let args = [
        "backtest",
        "-f",
        file.to_str().unwrap(),
        "--series",
        series.to_str().unwrap(),
        "--json",
    ];
    let r = crate::support::binary::run(home.path(), &args, &[], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let verdicts: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    let v = &verdicts[0];
    assert_eq!(v["firings_total"], 4);
    assert_eq!(v["suppressed_total"], 4_996);
    assert_eq!(v["suppressed"].as_array().unwrap().len(), 1_000);
    assert_eq!(v["judged"], 5_000);
}
