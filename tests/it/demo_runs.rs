//! The demo's recorded runs on first start: `backtest NAME` with no source judges them, the
//! detail's Backtest tab charts them and Runs lists them, through the runner and `ops` as the
//! dashboard does (snapshots at 80x24 and 160x48).

use crate::support::binary;
use crate::support::dashboard::{NOW, ch, demo_state, key, render, typed};
use crossterm::event::KeyCode;
use std::sync::Arc;
use wbauto::app::msg::{Effect, Msg};
use wbauto::app::screens::ScreenMsg;
use wbauto::app::screens::runs::RunsMsg;
use wbauto::app::{State, update};
use wbauto::backend::Backend;
use wbauto::backend::local::LocalBackend;
use wbauto::engine::Engine;

#[test]
fn backtest_with_no_source_judges_the_demo_runs_on_a_fresh_data_dir() {
    let home = tempfile::tempdir().unwrap();
    let r = binary::run(home.path(), &["backtest", "loss-spike"], &[], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for words in [
        "over 6 run(s) from the newest 6 run(s) of acme/vision recorded in the local database",
        "● sweep-7 (acme/vision)  fired 1 time(s)",
        "fired at step 1200",
        "suppressed at step 1210 (",
        "fired on this run less than 24 hours before",
        "● sweep-5 (acme/vision)  fired 1 time(s)",
        "○ sweep-6 (acme/vision)  never fired: max avg(loss)[5] was 0.4798 at step 1450; it needed > 0.5",
        "○ baseline-resnet50 (acme/vision)  never judged: the automation's run filter excludes this run",
        "Would have fired on 2 of 6 run(s). Nothing was sent.",
    ] {
        assert!(r.stdout.contains(words), "{words}:\n{}", r.stdout);
    }
    // The other metric automations fire on some runs and nearly on others.
    let json = |name: &str| -> Vec<serde_json::Value> {
        let r = binary::run(home.path(), &["backtest", name, "--json"], &[], None);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        serde_json::from_str(&r.stdout).unwrap()
    };
    for (name, fired, near) in [
        ("accuracy-anomaly", "sweep-4", "sweep-3"),
        ("loss-plateau", "sweep-2", "sweep-3"),
        ("gpu-too-hot", "train-large", "train-small"),
    ] {
        let verdicts = json(name);
        let of = |run: &str| {
            verdicts
                .iter()
                .find(|v| v["run"] == run)
                .unwrap_or_else(|| panic!("{name}: {run} judged: {verdicts:#?}"))
        };
        assert_eq!(of(fired)["fired"], true, "{name}: {:#}", of(fired));
        assert_eq!(of(near)["fired"], false, "{name}: {:#}", of(near));
        assert!(of(near)["closest"].is_object(), "{name}: {:#}", of(near));
    }
}

/// A seeded demo database with the engine's day of executions, a runner over it, and the moment
/// it was seeded.
async fn demo_runner() -> (
    tempfile::TempDir,
    wbauto::app::runner::Runner,
    tokio::sync::mpsc::UnboundedReceiver<Msg>,
    i64,
) {
    let dir = tempfile::tempdir().unwrap();
    let seeded = jiff::Timestamp::now();
    let local = LocalBackend::open(&dir.path().join("local.db"))
        .await
        .unwrap();
    let engine = Engine::new(local.connection(), Default::default()).unwrap();
    engine
        .with(|c| wbauto::engine::demo::seed_day(c, seeded))
        .unwrap();
    let backend: Arc<dyn Backend> = Arc::new(local);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let runner = wbauto::app::runner::Runner::new(
        vec![backend],
        vec![Some(Arc::new(engine))],
        crate::support::dashboard::backtest_defaults(),
        tx,
    );
    (dir, runner, rx, seeded.as_second())
}

/// Carries out `effects` with the runner and gives the state each answer, until none is left.
async fn settle(
    s: &mut State,
    runner: &wbauto::app::runner::Runner,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>,
    mut effects: Vec<Effect>,
    answer: impl Fn(Msg) -> Msg,
) {
    while !effects.is_empty() {
        let mut asked = 0;
        for e in effects.drain(..) {
            if runner.run(e, 0).is_none() {
                asked += 1;
            }
        }
        for _ in 0..asked {
            let msg = tokio::time::timeout(std::time::Duration::from_secs(20), rx.recv())
                .await
                .expect("an answer in time")
                .expect("the runner answers");
            effects.extend(update(s, answer(msg)));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backtest_tab_charts_the_demo_runs_on_first_start() {
    // The demo is dated from the real clock: its times are masked, their width kept.
    let clock = regex::Regex::new(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").unwrap();
    for (w, h) in [(80, 24), (160, 48)] {
        let (_dir, runner, mut rx, _) = demo_runner().await;
        let mut s = demo_state(w, h).await;
        update(&mut s, ch('/'));
        typed(&mut s, "loss-spike");
        update(&mut s, key(KeyCode::Enter));
        update(&mut s, key(KeyCode::Enter));
        let mut effects = Vec::new();
        for _ in 0..4 {
            effects = update(&mut s, key(KeyCode::Tab));
        }
        settle(&mut s, &runner, &mut rx, effects, |m| m).await;
        let screen = clock
            .replace_all(&render(&s), "YYYY-MM-DD hh:mm:ss")
            .into_owned();
        assert!(
            screen.contains("run 1/6 sweep-7") && screen.contains("would have fired 1 time"),
            "{screen}"
        );
        insta::assert_snapshot!(format!("demo_backtest_{w}x{h}"), screen);
    }
}

/// Runs' times moved from the moment the demo was seeded to the fixtures' fixed now, to the
/// minute, so the LAST column reads the same on every run of the test.
fn dated_at_now(msg: Msg, seeded: i64) -> Msg {
    match msg {
        Msg::Screen(ScreenMsg::Runs(RunsMsg::Loaded {
            request,
            result: Ok(mut runs),
        })) => {
            for r in &mut runs {
                r.last_time = r
                    .last_time
                    .map(|t| NOW + ((t - seeded) as f64 / 60.0).round() as i64 * 60);
            }
            Msg::from(RunsMsg::Loaded {
                request,
                result: Ok(runs),
            })
        }
        other => other,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_lists_the_demo_runs_with_what_fired_on_them() {
    for (w, h) in [(80, 24), (160, 48)] {
        let (_dir, runner, mut rx, seeded) = demo_runner().await;
        let mut s = demo_state(w, h).await;
        let effects = update(&mut s, ch('r'));
        settle(&mut s, &runner, &mut rx, effects, |m| {
            dated_at_now(m, seeded)
        })
        .await;
        let screen = render(&s);
        for run in ["sweep-7", "train-large", "baseline-resnet50"] {
            assert!(screen.contains(run) || h < 48, "{run} listed:\n{screen}");
        }
        insta::assert_snapshot!(format!("demo_runs_{w}x{h}"), screen);
        // The last run opened: its row stays in sight above what fired on it.
        update(&mut s, ch('G'));
        update(&mut s, key(KeyCode::Enter));
        let open = render(&s);
        assert!(
            open.contains("▶ ✓ baseline-resnet50")
                && open.contains("baseline-resnet50 (acme/vision) finished"),
            "{open}"
        );
    }
}
