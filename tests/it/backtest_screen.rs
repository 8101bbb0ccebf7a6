//! The detail's Backtest tab: snapshots of every state (loading, fired, never fired with the
//! closest approach, suppressed firings, an error) at 80x24 and 160x48, `[`/`]` switching runs
//! with the newest request winning, and stale answers dropped.

use crate::support::dashboard::{ch, demo_state, key, typed};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wbauto::app::msg::{Effect, Msg};
use wbauto::app::screens::ScreenMsg;
use wbauto::app::screens::detail::DetailMsg;
use wbauto::app::store::session::RequestKind;
use wbauto::app::{State, update};
use wbauto::engine::backtest::{Options, RunHistory, Verdict, backtest};
use wbauto::engine::eval::RateLimit;
use wbauto::engine::event::{EngineEvent, EventBody, RunRef};
use wbauto::ops::backtest::{ChoiceSource, Judged, RunChoice};

fn render(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(state.size().0, state.size().1)).unwrap();
    terminal.draw(|f| wbauto::ui::view(state, f)).unwrap();
    terminal.backend().to_string()
}

/// The loss-spike automation's full detail, on its Backtest tab; the effects of the last key.
fn open_tab(s: &mut State) -> Vec<Effect> {
    typed(s, "jjjjjjjjj");
    update(s, key(KeyCode::Enter));
    let mut effects = Vec::new();
    for _ in 0..4 {
        effects = update(s, key(KeyCode::Tab));
    }
    effects
}

fn choices() -> Vec<RunChoice> {
    (0..3)
        .map(|i| RunChoice {
            label: format!("sweep-{}", 7 - i),
            id: format!("r{}", 7 - i),
            state: "finished".into(),
            source: ChoiceSource::Recorded {
                entity: "acme".into(),
                project: "vision".into(),
            },
        })
        .collect()
}

fn runs_arrive(s: &mut State) -> Vec<Effect> {
    let request = s.session().latest(RequestKind::BacktestRuns);
    update(
        s,
        Msg::from(DetailMsg::BacktestRuns {
            request,
            result: Ok(choices()),
        }),
    )
}

/// The run the verdicts are about.
fn sweep_7() -> RunRef {
    RunRef {
        entity: "acme".into(),
        project: "vision".into(),
        run: "r7".into(),
        display_name: Some("sweep-7".into()),
        user: None,
    }
}

/// The verdict of loss-spike over 400 steps of loss decaying from 0.45, with `spike` steps of
/// +0.6 from step 200, a minute apart.
fn verdict(s: &State, spike: i64) -> Verdict {
    let a = s.selected_item().unwrap().saved.automation.clone();
    let run = sweep_7();
    let events = (0..400)
        .map(|step| {
            let base = 0.4 / (1.0 + step as f64 / 40.0) + 0.05;
            let loss = if (200..200 + spike).contains(&step) {
                base + 0.6
            } else {
                base
            };
            EngineEvent {
                run: Some(run.clone()),
                body: EventBody::Metric {
                    step: Some(step),
                    metrics: vec![("loss".into(), loss)],
                },
                time: Some(1_780_000_000 + step * 60),
            }
        })
        .collect();
    let history = RunHistory {
        run,
        events,
        notes: Vec::new(),
    };
    backtest(
        &a,
        vec![history],
        Options {
            limit: RateLimit::default(),
            trace: true,
        },
    )
    .remove(0)
}

fn judged(s: &mut State, result: Result<Verdict, String>) {
    let request = s.session().latest(RequestKind::BacktestJudge);
    update(
        s,
        Msg::from(DetailMsg::BacktestJudged {
            request,
            result: Box::new(result.map(Judged::from)),
        }),
    );
}

async fn both(name: &str, setup: impl Fn(&mut State)) {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut state = demo_state(w, h).await;
        setup(&mut state);
        insta::assert_snapshot!(format!("backtest_{name}_{w}x{h}"), render(&state));
    }
}

#[tokio::test]
async fn loading_says_what_it_waits_for() {
    both("loading_runs", |s| {
        open_tab(s);
    })
    .await;
    both("loading_history", |s| {
        open_tab(s);
        runs_arrive(s);
    })
    .await;
}

#[tokio::test]
async fn fired() {
    both("fired", |s| {
        open_tab(s);
        runs_arrive(s);
        let v = verdict(s, 6);
        judged(s, Ok(v));
    })
    .await;
}

#[tokio::test]
async fn never_fired_with_the_closest_approach() {
    both("never_fired", |s| {
        open_tab(s);
        runs_arrive(s);
        let v = verdict(s, 0);
        assert!(v.closest.is_some());
        judged(s, Ok(v));
    })
    .await;
}

#[tokio::test]
async fn suppressed_firings_are_marked() {
    both("suppressed", |s| {
        open_tab(s);
        runs_arrive(s);
        let v = verdict(s, 40);
        assert!(!v.suppressed.is_empty());
        judged(s, Ok(v));
    })
    .await;
}

#[tokio::test]
async fn an_error_says_what_went_wrong() {
    both("error", |s| {
        open_tab(s);
        runs_arrive(s);
        judged(
            s,
            Err("reading the history of run r7: W&B answered 500 (injected failure)".into()),
        );
    })
    .await;
}

#[tokio::test]
async fn brackets_switch_runs_and_the_newest_request_wins() {
    let mut s = demo_state(120, 40).await;
    let effects = open_tab(&mut s);
    assert!(
        matches!(effects.as_slice(), [Effect::LoadBacktestRuns { .. }]),
        "{effects:?}"
    );
    let effects = runs_arrive(&mut s);
    let [Effect::JudgeRun { choice, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(choice.id, "r7");
    let first = s.session().latest(RequestKind::BacktestJudge);
    let effects = update(&mut s, ch(']'));
    let [Effect::JudgeRun { choice, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(choice.id, "r6");
    // The answer for the run left behind arrives late: it is dropped.
    let late = verdict(&s, 6);
    update(
        &mut s,
        Msg::from(DetailMsg::BacktestJudged {
            request: first,
            result: Box::new(Ok(late.into())),
        }),
    );
    let screen = render(&s);
    assert!(
        screen.contains("run 2/3 sweep-6") && screen.contains("reading the history of sweep-6"),
        "{screen}"
    );
    let effects = update(&mut s, ch('['));
    assert!(matches!(effects.as_slice(), [Effect::JudgeRun { choice, .. }] if choice.id == "r7"));
    let effects = update(&mut s, ch('['));
    assert!(
        matches!(effects.as_slice(), [Effect::JudgeRun { choice, .. }] if choice.id == "r5"),
        "wraps around"
    );
}

/// Picking another run while the last one's history is still being read cancels that read: only
/// the newest answer comes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_pick_cancels_the_read_in_flight() {
    use crate::support::fake_wandb::FakeWandb;
    use crate::support::fake_wandb::state::Fault;
    use std::sync::Arc;
    let fake = FakeWandb::demo().await;
    let backend: Arc<dyn wbauto::backend::Backend> = Arc::new(fake.backend());
    let (runner, mut rx) =
        crate::support::dashboard::runner(backend, crate::support::dashboard::backtest_defaults());
    let a = wbauto::file::parse_text(
        "name: a\nscope: {project: acme/vision}\nevent: {type: run_metric_threshold, metric: loss, cmp: \">\", threshold: 0.5}\naction: {type: no_op}\n",
        wbauto::file::Format::Yaml,
    )
    .unwrap()
    .remove(0);
    fake.fault(
        Some("SampledHistoryPage"),
        Fault::Latency(std::time::Duration::from_millis(1500)),
    );
    for (request, run) in [(1, "vis024"), (2, "vis023")] {
        runner.run(
            Effect::JudgeRun {
                request,
                automation: Box::new(a.clone()),
                choice: Box::new(RunChoice {
                    label: run.into(),
                    id: run.into(),
                    state: "finished".into(),
                    source: ChoiceSource::Recorded {
                        entity: "acme".into(),
                        project: "vision".into(),
                    },
                }),
            },
            0,
        );
    }
    let mut answers = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(4);
    while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        if let Msg::Screen(ScreenMsg::Detail(DetailMsg::BacktestJudged { request, result })) = msg {
            answers.push((request, result.map(|j| j.verdict.run.run)));
        }
    }
    assert_eq!(answers, vec![(2, Ok("vis023".to_string()))]);
}

/// The dashboard judges with `config.toml`'s rate limit whichever backend is in use (on W&B it
/// used the defaults): three runs firing in the same minute, a burst of one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_judges_with_the_configured_rate_limit_on_any_backend() {
    use std::sync::Arc;
    use wbauto::engine::event::{EngineEvent, EventBody, RunRef};
    let fake = crate::support::fake_wandb::FakeWandb::demo().await;
    let backend: Arc<dyn wbauto::backend::Backend> = Arc::new(fake.backend());
    let a = wbauto::file::parse_text(
        "name: a\nscope: {project: acme/vision}\nevent: {type: run_metric_threshold, metric: loss, cmp: \">\", threshold: 0.5}\naction: {type: no_op}\n",
        wbauto::file::Format::Yaml,
    )
    .unwrap()
    .remove(0);
    let runs: Vec<wbauto::engine::backtest::RunHistory> = (1..=3)
        .map(|i| wbauto::engine::backtest::RunHistory {
            run: RunRef {
                entity: "acme".into(),
                project: "vision".into(),
                run: format!("r{i}"),
                display_name: None,
                user: None,
            },
            events: vec![EngineEvent {
                run: None,
                body: EventBody::Metric {
                    step: Some(1),
                    metrics: vec![("loss".into(), 0.9)],
                },
                time: Some(1_780_000_000 + i),
            }],
            notes: Vec::new(),
        })
        .collect();
    let histories = Arc::new(runs);
    let fired = |engine: wbauto::config::file::EngineSettings| {
        let (backend, a, histories) = (backend.clone(), a.clone(), histories.clone());
        async move {
            let settings = wbauto::ops::backtest::Settings::of(&engine);
            let (runner, mut rx) = crate::support::dashboard::runner(backend, settings);
            runner.run(
                Effect::JudgePreview {
                    request: 1,
                    automation: Box::new(a),
                    histories,
                },
                0,
            );
            match rx.recv().await {
                Some(Msg::Screen(ScreenMsg::Wizard(
                    wbauto::app::screens::wizard::WizardMsg::PreviewJudged { result, .. },
                ))) => result.unwrap().iter().filter(|v| v.fired()).count(),
                other => panic!("{other:?}"),
            }
        }
    };
    let strict = wbauto::config::file::EngineSettings {
        rate_per_minute: 1,
        burst: 1,
        ..Default::default()
    };
    assert_eq!(
        fired(strict).await,
        1,
        "a burst of one: the others are held back"
    );
    assert_eq!(fired(Default::default()).await, 3);
}

/// The stall automation's full detail (the demo's `watch-training-hangs`, the last row), on
/// its Backtest tab with runs listed.
fn open_stall_tab(s: &mut State) {
    update(s, ch('G'));
    assert_eq!(
        s.selected_item().unwrap().saved.automation.name,
        "watch-training-hangs"
    );
    update(s, key(KeyCode::Enter));
    for _ in 0..4 {
        update(s, key(KeyCode::Tab));
    }
    runs_arrive(s);
}

/// sweep-7 logs a step every 10 s for 10 minutes, hangs 45 minutes with system stats every
/// 15 s, then logs again: a stall under `after: 30m` (its pace is far shorter).
fn stalled_verdict(s: &State) -> Verdict {
    let a = s.selected_item().unwrap().saved.automation.clone();
    let run = sweep_7();
    let t0 = 1_780_000_000;
    let at = |t: i64, body: EventBody| EngineEvent {
        run: Some(run.clone()),
        body,
        time: Some(t0 + t),
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
    let mut events: Vec<EngineEvent> = (0..60).map(|i| row(i * 10, i)).collect();
    events.extend((1..=180).map(|i| at(590 + i * 15, EventBody::Alive)));
    events.extend((0..30).map(|i| row(3_300 + i * 10, 60 + i)));
    backtest(
        &a,
        vec![RunHistory {
            run,
            events,
            notes: Vec::new(),
        }],
        Options {
            limit: RateLimit::default(),
            trace: true,
        },
    )
    .remove(0)
}

#[tokio::test]
async fn a_stall_is_charted_with_its_stretch_shaded() {
    both("stalled", |s| {
        open_stall_tab(s);
        let v = stalled_verdict(s);
        assert_eq!(v.firings.len(), 1);
        assert_eq!(v.stalled.len(), 1);
        judged(s, Ok(v));
    })
    .await;
}
