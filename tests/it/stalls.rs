//! `run_stalled` and `run_metric_nonfinite` on the evaluator with a fake clock (times passed in):
//! a stall fires once, again after a resume; a slow but steady run with `adaptive` never fires;
//! finished and crashed runs never fire; NaN, +Inf and -Inf fire once per 24 hours per metric
//! key; a clock set back gives no firing; and on the engine with its database, a restarted
//! engine does not fire a stall twice.

use serde_json::json;
use wbauto::backend::Backend;
use wbauto::backend::local::LocalBackend;
use wbauto::engine::eval::{Evaluator, Finding, Firing, Held, Memory, RateLimit};
use wbauto::engine::event::{EngineEvent, EventBody, RunRef, StateReport};
use wbauto::file::{Format, parse_text};
use wbauto::model::Automation;

const T0: i64 = 1_796_533_000;

fn automation(id: &str, event: &str) -> Automation {
    let text = format!(
        "name: {id}\nscope: {{project: acme/vision}}\nevent: {event}\naction: {{type: no_op}}\n"
    );
    let mut a = parse_text(&text, Format::Yaml).unwrap().remove(0);
    a.id = Some(id.into());
    a
}

fn run(id: &str) -> RunRef {
    RunRef {
        entity: "acme".into(),
        project: "vision".into(),
        run: id.into(),
        display_name: Some(format!("sweep-{id}")),
        user: None,
    }
}

fn event(r: &str, body: EventBody, t: i64) -> EngineEvent {
    EngineEvent {
        run: Some(run(r)),
        body,
        time: Some(t),
    }
}

fn row(r: &str, step: i64, t: i64) -> EngineEvent {
    let metrics = vec![("loss".to_string(), 1.0 / (step + 1) as f64)];
    event(
        r,
        EventBody::Metric {
            step: Some(step),
            metrics,
        },
        t,
    )
}

fn alive(r: &str, t: i64) -> EngineEvent {
    event(r, EventBody::Alive, t)
}

fn state(r: &str, s: StateReport, t: i64) -> EngineEvent {
    event(r, EventBody::State(s), t)
}

/// Feeds events in order with the clock at each event's time; every firing with its time.
struct Bench {
    automations: Vec<Automation>,
    evaluator: Evaluator,
    memory: Memory,
}

impl Bench {
    fn new(automations: Vec<Automation>) -> Self {
        Self {
            automations,
            evaluator: Evaluator::new(RateLimit {
                per_minute: 1_000.0,
                burst: 1_000.0,
            }),
            memory: Memory::default(),
        }
    }

    fn feed(&mut self, events: &[EngineEvent]) -> Vec<Firing> {
        let mut out = Vec::new();
        for e in events {
            let t = e.time.unwrap();
            out.extend(
                self.evaluator
                    .evaluate(&self.automations, &mut self.memory, e, t),
            );
        }
        out
    }
}

fn stalled_for(f: &Firing) -> i64 {
    match &f.finding {
        Some(Finding::Stall { stalled_for }) => *stalled_for,
        other => panic!("not a stall: {other:?}"),
    }
}

/// The engine's clock checking a run every `every` seconds from `from` to `to`.
fn ticks(r: &str, from: i64, to: i64, every: i64) -> Vec<EngineEvent> {
    (0..)
        .map(|i| from + i * every)
        .take_while(|t| *t <= to)
        .map(|t| alive(r, t))
        .collect()
}

#[test]
fn a_stall_fires_once_and_again_after_the_run_resumes_and_stalls_again() {
    let mut b = Bench::new(vec![automation("hang", "{type: run_stalled, after: 1m}")]);
    let mut events = vec![state("r1", StateReport::Running, T0)];
    events.extend((0..20).map(|s| row("r1", s, T0 + s)));
    // Silent from T0 + 19; the clock ticks every 5 s for three minutes.
    events.extend(ticks("r1", T0 + 20, T0 + 200, 5));
    let fired = b.feed(&events);
    assert_eq!(fired.len(), 1, "once per stall: {fired:?}");
    assert_eq!(
        fired[0].time,
        T0 + 80,
        "the first tick a minute after the last row"
    );
    assert_eq!(stalled_for(&fired[0]), 61, "from the last row's time");
    assert_eq!(fired[0].step, Some(19), "the last step");
    assert_eq!(fired[0].held, None);

    // Resumes, then hangs again.
    let mut more: Vec<EngineEvent> = (20..25).map(|s| row("r1", s, T0 + 300 + s)).collect();
    more.extend(ticks("r1", T0 + 330, T0 + 600, 10));
    let again = b.feed(&more);
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0].step, Some(24));
    assert_eq!(again[0].time, T0 + 390);
    assert_eq!(stalled_for(&again[0]), 66);
}

#[test]
fn a_run_with_no_row_yet_is_measured_from_its_start() {
    let mut b = Bench::new(vec![automation("hang", "{type: run_stalled, after: 2m}")]);
    let mut events = vec![state("r1", StateReport::Running, T0)];
    events.extend(ticks("r1", T0 + 30, T0 + 300, 30));
    let fired = b.feed(&events);
    assert_eq!(fired.len(), 1);
    assert_eq!((fired[0].time, fired[0].step), (T0 + 120, None));
}

#[test]
fn a_slow_but_steady_run_with_adaptive_never_fires() {
    // A row every 10 minutes, and now and then a 15-minute gap (an evaluation pass).
    let mut events = vec![state("r1", StateReport::Running, T0)];
    let mut t = T0;
    for step in 0..30 {
        t += if step % 7 == 6 { 900 } else { 600 };
        events.extend(ticks("r1", t - 590, t - 10, 60));
        events.push(row("r1", step, t));
    }
    let adaptive = automation(
        "adaptive",
        "{type: run_stalled, after: 11m, adaptive: true}",
    );
    assert_eq!(Bench::new(vec![adaptive]).feed(&events), Vec::new());
    // The same run with a fixed bound is called stuck at every long gap: the test can fail.
    let fixed = automation("fixed", "{type: run_stalled, after: 11m}");
    assert_eq!(Bench::new(vec![fixed]).feed(&events).len(), 4);
}

#[test]
fn finished_and_crashed_runs_and_runs_never_said_running_never_fire() {
    let mut b = Bench::new(vec![automation("hang", "{type: run_stalled, after: 1m}")]);
    let mut events = Vec::new();
    for (r, end) in [
        ("done", Some(StateReport::Finished)),
        ("dead", Some(StateReport::Failed)),
        ("emitted", None),
    ] {
        if end.is_some() {
            events.push(state(r, StateReport::Running, T0));
        }
        events.push(row(r, 0, T0 + 1));
        if let Some(end) = end {
            events.push(state(r, end, T0 + 30));
        }
        events.extend(ticks(r, T0 + 60, T0 + 3_600, 60));
    }
    assert_eq!(b.feed(&events), Vec::new());
}

#[test]
fn a_clock_set_back_gives_no_negative_gap_and_no_firing() {
    let mut b = Bench::new(vec![automation(
        "hang",
        "{type: run_stalled, after: 1m, adaptive: true}",
    )]);
    let mut events = vec![state("r1", StateReport::Running, T0)];
    events.extend((0..10).map(|s| row("r1", s, T0 + 10 * s)));
    // The clock jumps an hour back, then the run goes on every 10 s.
    events.extend((10..20).map(|s| row("r1", s, T0 - 3_600 + 10 * s)));
    // Ticks up to 55 s after the last row: short of the bound, however the hour is counted.
    events.extend(ticks("r1", T0 - 3_600 + 195, T0 - 3_600 + 245, 5));
    assert_eq!(b.feed(&events), Vec::new());
}

#[test]
fn nan_and_infinities_fire_once_per_24_hours_per_metric_key() {
    let mut b = Bench::new(vec![automation(
        "nan",
        "{type: run_metric_nonfinite, metric: \"train/*\"}",
    )]);
    let metric = |step: i64, key: &str, v: f64, t: i64| {
        event(
            "r1",
            EventBody::Metric {
                step: Some(step),
                metrics: vec![(key.to_string(), v), ("train/acc".to_string(), 0.5)],
            },
            t,
        )
    };
    let fired = b.feed(&[
        metric(0, "train/loss", 1.0, T0),
        metric(1, "train/loss", f64::NAN, T0 + 10),
        metric(2, "train/loss", f64::INFINITY, T0 + 20),
        metric(3, "train/loss", f64::NEG_INFINITY, T0 + 30),
        metric(4, "train/grad", f64::INFINITY, T0 + 40),
        metric(5, "val/loss", f64::NAN, T0 + 50),
        metric(6, "train/loss", f64::NEG_INFINITY, T0 + 86_410),
    ]);
    let seen: Vec<(Option<i64>, String, String, Option<Held>)> = fired
        .iter()
        .map(|f| {
            let Some(Finding::Nonfinite { metric }) = &f.finding else {
                panic!("{f:?}")
            };
            let value = f.value.unwrap();
            (f.step, metric.clone(), format!("{value}"), f.held.clone())
        })
        .collect();
    let held = Some(Held::OncePerDay);
    assert_eq!(
        seen,
        [
            (Some(1), "train/loss".into(), "NaN".into(), None),
            (Some(2), "train/loss".into(), "inf".into(), held.clone()),
            (Some(3), "train/loss".into(), "-inf".into(), held),
            (Some(4), "train/grad".into(), "inf".into(), None),
            (Some(6), "train/loss".into(), "-inf".into(), None),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_engine_does_not_fire_a_stall_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("local.db");
    let backend = LocalBackend::open(&path).await.unwrap();
    let a = parse_text(
        "name: hang\nscope: {project: acme/vision}\nevent: {type: run_stalled, after: 1m}\naction: {type: no_op}\n",
        Format::Yaml,
    )
    .unwrap()
    .remove(0);
    let a = wbauto::backend::resolve::prepare(&backend, a, "acme")
        .await
        .unwrap();
    backend.create_automation(&a).await.unwrap();
    let executions = |path: &std::path::Path| -> Vec<(String, Option<i64>, serde_json::Value)> {
        let c = rusqlite::Connection::open(path).unwrap();
        let mut s = c
            .prepare("SELECT event_type, step, trigger_values FROM executions WHERE automation_name = 'hang' ORDER BY created_at")
            .unwrap();
        s.query_map([], |r| {
            let values: Option<String> = r.get(2)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                values.map_or(json!(null), |v| serde_json::from_str(&v).unwrap()),
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    // A start: a new evaluator, only the database remembering.
    let start = || {
        let mut engine =
            wbauto::engine::Engine::new(backend.connection(), Default::default()).unwrap();
        let watched = engine.watch_running().unwrap();
        (engine, watched)
    };
    let (mut engine, watched) = start();
    let lease = wbauto::engine::lease::Lease::take(&path, wbauto::engine::lease::Kind::Engine)
        .unwrap()
        .unwrap();
    assert_eq!(watched, 0);
    let mut events = vec![state("r1", StateReport::Running, T0)];
    events.extend((0..5).map(|s| row("r1", s, T0 + s)));
    engine.ingest(lease.fence(), events, T0 + 5).unwrap();
    engine.tick_stalls(lease.fence(), T0 + 30).unwrap();
    assert!(executions(&path).is_empty(), "not yet");
    engine.tick_stalls(lease.fence(), T0 + 70).unwrap();
    engine.tick_stalls(lease.fence(), T0 + 75).unwrap();
    let fired = executions(&path);
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!(fired[0].0, "RUN_STALLED");
    assert_eq!(fired[0].1, Some(4), "the last step");
    assert_eq!(
        fired[0].2,
        json!({"stalled_for": 66, "last_step": 4, "judged_at": "2026-12-06T04:57:50Z"})
    );
    drop(engine);

    let (mut engine, watched) = start();
    assert_eq!(watched, 1, "the running run is watched again");
    engine.tick_stalls(lease.fence(), T0 + 200).unwrap();
    assert_eq!(executions(&path).len(), 1, "not fired twice");
    engine
        .ingest(lease.fence(), vec![row("r1", 5, T0 + 300)], T0 + 300)
        .unwrap();
    engine.tick_stalls(lease.fence(), T0 + 400).unwrap();
    assert_eq!(
        executions(&path).len(),
        2,
        "a new stall after the run resumed"
    );
}

const PAYLOAD: &str = "{automation: \"${automation_name}\", run: \"${run_name}\", stalled_for: \"${stalled_for}\", last_step: \"${last_step}\", metric: \"${metric_name}\", value: \"${metric_value}\", event: \"${event_type}\"}";

fn fixture_automations() -> String {
    let hook = |name: &str, event: &str| {
        format!(
            "- name: {name}\n  scope: {{project: acme/vision}}\n  event: {event}\n  action:\n    type: webhook\n    integration: hook\n    payload: {PAYLOAD}\n"
        )
    };
    hook("hangs", "{type: run_stalled, after: 1m}")
        + &hook("goes-nan", "{type: run_metric_nonfinite, metric: loss}")
        + &hook(
            "never-nan",
            "{type: run_metric_nonfinite, metric: \"val/*\"}",
        )
}

/// What fired, as `history --json` tells it: (automation, run, step, trigger).
async fn fired(s: &crate::support::engine::Setup) -> Vec<(String, String, i64, serde_json::Value)> {
    let mut out: Vec<_> = s
        .history(&[])
        .await
        .into_iter()
        // The demo's own watch-* automations fire on these runs too; these are the test's.
        .filter(|e| !e["automation_name"].as_str().unwrap().starts_with("watch-"))
        .map(|e| {
            (
                e["automation_name"].as_str().unwrap().to_string(),
                e["run"].as_str().unwrap_or_default().to_string(),
                e["step"].as_i64().unwrap_or(-1),
                e["trigger"].clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| (&a.0, a.2).cmp(&(&b.0, b.2)));
    out
}

fn expected_firings() -> Vec<(String, String, i64, serde_json::Value)> {
    vec![
        (
            "goes-nan".into(),
            "nan00001".into(),
            2,
            json!({"metric": "loss", "value": "NaN"}),
        ),
        (
            "hangs".into(),
            "stl00001".into(),
            19,
            json!({"stalled_for": 60, "last_step": 19, "judged_at": "2026-12-06T05:03:51Z"}),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fixtures_replayed_watched_and_backtested_say_the_same() {
    use crate::support::engine::{Engine, Setup, copy_runlogs, wait_for};
    use crate::support::receiver::Receiver;
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.create(&fixture_automations()).await;
    let wandb = copy_runlogs(s.path(), &["stalled", "nonfinite"]);

    // Replayed.
    s.ok(&["emit", "--run-dir", wandb.to_str().unwrap()], None)
        .await;
    let replayed = fired(&s).await;
    assert_eq!(replayed, expected_firings());
    let bodies: Vec<serde_json::Value> = receiver.requests().iter().map(|r| r.json()).collect();
    let hang = bodies.iter().find(|b| b["automation"] == "hangs").unwrap();
    assert_eq!(
        hang,
        &json!({"automation": "hangs", "run": "sweep-11", "stalled_for": "60", "last_step": "19", "metric": "", "value": "", "event": "RUN_STALLED"})
    );
    let nan = bodies
        .iter()
        .find(|b| b["automation"] == "goes-nan")
        .unwrap();
    assert_eq!(
        (&nan["metric"], &nan["value"], &nan["event"]),
        (
            &json!("loss"),
            &json!("NaN"),
            &json!("RUN_METRIC_NONFINITE")
        )
    );

    // Watched by a running engine, from a fresh database.
    let w = Setup::new(&receiver, "").await;
    w.create(&fixture_automations()).await;
    let watch = copy_runlogs(w.path(), &["stalled", "nonfinite"]);
    let mut engine = Engine::spawn(&w, &["--watch", watch.to_str().unwrap()]);
    engine.ready().await;
    tokio::task::block_in_place(|| {
        wait_for("both firings", std::time::Duration::from_secs(30), || {
            w.count("SELECT COUNT(*) FROM executions WHERE automation_name NOT LIKE 'watch-%'") >= 2
        })
    });
    std::thread::sleep(std::time::Duration::from_millis(1_500));
    let (code, _) = engine.signal(libc::SIGTERM, std::time::Duration::from_secs(15));
    assert_eq!(code, Some(0));
    assert_eq!(fired(&w).await, expected_firings(), "engine --watch");

    // Backtested.
    let backtest = |name: &'static str| {
        let s = &s;
        let wandb = wandb.clone();
        async move {
            let r = s
                .run(
                    &[
                        "backtest",
                        name,
                        "--run-dir",
                        wandb.to_str().unwrap(),
                        "--json",
                    ],
                    None,
                )
                .await;
            assert_eq!(r.code, 0, "{}", r.stderr);
            let doc: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
            (doc, r.stderr)
        }
    };
    let (hangs, _) = backtest("hangs").await;
    let stl = hangs.iter().find(|v| v["run"] == "stl00001").unwrap();
    assert_eq!(stl["firings"].as_array().unwrap().len(), 1, "{stl}");
    assert_eq!(
        (
            &stl["firings"][0]["step"],
            &stl["firings"][0]["stalled_for"]
        ),
        (&json!(19), &json!(60))
    );
    assert_eq!(stl["firings"][0]["time"], "2026-12-06T05:03:51Z");
    assert_eq!(
        stl["stalled"],
        json!([{"from": "2026-12-06T05:02:51Z", "to": "2026-12-06T05:04:06Z", "seconds": 75, "after_step": 19}])
    );
    let nan_run = hangs.iter().find(|v| v["run"] == "nan00001").unwrap();
    assert_eq!(nan_run["fired"], false);
    assert!(
        nan_run["longest_gap"]["seconds"].as_i64().unwrap() < 60,
        "{nan_run}"
    );
    let (nans, stderr) = backtest("goes-nan").await;
    let nan_run = nans.iter().find(|v| v["run"] == "nan00001").unwrap();
    assert_eq!(
        nan_run["firings"],
        json!([{"step": 2, "time": nan_run["firings"][0]["time"], "value": "NaN", "values": ["NaN"], "metric": "loss"}])
    );
    let held: Vec<&serde_json::Value> = nan_run["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["step"])
        .collect();
    assert_eq!(
        held,
        [&json!(4), &json!(5)],
        "Infinity and -Infinity held back by the 24-hour rule"
    );
    assert!(stderr.is_empty(), "{stderr}");
    let (_, stderr) = backtest("never-nan").await;
    assert!(
        stderr.contains("note: val/* matches no metric in the data"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_fire_fills_the_stall_and_metric_variables_once() {
    use crate::support::engine::Setup;
    use crate::support::receiver::Receiver;
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.create(&fixture_automations()).await;
    for name in ["hangs", "never-nan"] {
        s.ok(&["test", name, "--yes"], None).await;
    }
    let bodies: Vec<serde_json::Value> = receiver.requests().iter().map(|r| r.json()).collect();
    assert_eq!(
        bodies,
        [
            json!({"automation": "hangs", "run": "sample-run", "stalled_for": "60", "last_step": "0", "metric": "", "value": "", "event": "RUN_STALLED"}),
            json!({"automation": "never-nan", "run": "sample-run", "stalled_for": "", "last_step": "", "metric": "val/sample", "value": "NaN", "event": "RUN_METRIC_NONFINITE"}),
        ]
    );
    let history = s.history(&[]).await;
    let types: Vec<&str> = history
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"RUN_STALLED") && types.contains(&"RUN_METRIC_NONFINITE"),
        "{types:?}"
    );
}
