//! The dashboard's History screen, the detail's History tab and the LAST column on W&B, driven
//! through the real runner against the fake server: W&B's executions listed and opened, a
//! status filter that says what it left out, following with a poll that backs off and stops
//! when closed, an older server said in one line, and the judge key opening the Backtest tab on
//! the execution's run. Snapshots at 80x24 and 160x48.

use crate::support::dashboard::{Driven, NOW, ch, flat, render, shown};
use crate::support::fake_wandb::FakeWandb;
use crossterm::event::KeyCode;
use serde_json::json;
use std::sync::Arc;
use wbauto::app::msg::{Effect, Msg};
use wbauto::app::screens::Screen;
use wbauto::app::screens::detail::DetailTab;
use wbauto::backend::Backend;

async fn driven(fake: &FakeWandb, width: u16, height: u16) -> Driven {
    let backend: Arc<dyn Backend> = Arc::new(fake.backend());
    Driven::open(backend, width, height, NOW).await
}

/// Moves the History screen's highlight to the row that shows every one of `texts`.
async fn highlight(d: &mut Driven, texts: &[&str]) {
    for _ in 0..40 {
        let screen = render(&d.state);
        let line = screen.lines().find(|l| l.contains('▶')).unwrap_or_default();
        if texts.iter().all(|t| line.contains(t)) {
            return;
        }
        d.send(ch('j')).await;
    }
    panic!("no row shows {texts:?}:\n{}", render(&d.state));
}

#[tokio::test]
async fn the_history_screen_shows_wandb_executions_and_opens_one() {
    for (w, h) in [(80, 24), (160, 48)] {
        let fake = FakeWandb::demo().await;
        fake.state().executions[3].node["result"]["data"]["body"] = json!("y".repeat(2 << 20));
        let mut d = driven(&fake, w, h).await;
        d.send(ch('h')).await;
        let table = shown(&d);
        insta::assert_snapshot!(format!("history_wandb_{w}x{h}"), table);
        assert!(table.contains("updated 0s ago"), "{table}");
        assert!(!table.contains("nothing fired yet"), "{table}");
        highlight(&mut d, &["✗", "training-f"]).await;
        d.press(KeyCode::Enter).await;
        let open = shown(&d);
        insta::assert_snapshot!(format!("history_wandb_open_{w}x{h}"), open);
        assert!(open.contains("HTTP 500"), "{open}");
        if h == 48 {
            assert!(open.contains("2097152 characters in all"), "{open}");
        }
    }
}

#[tokio::test]
async fn an_execution_says_why_it_fired_from_the_automations_condition() {
    let fake = FakeWandb::demo().await;
    let mut d = driven(&fake, 160, 48).await;
    d.send(ch('h')).await;
    highlight(&mut d, &["loss-spike"]).await;
    let table = render(&d.state);
    assert!(
        table.contains("sweep-7 (vis007)"),
        "the run by its display name with its id:\n{table}"
    );
    d.press(KeyCode::Enter).await;
    let open = render(&d.state);
    for said in [
        "avg(loss) over 5 was 0.624 > 0.5 (values 0.61, 0.58, 0.72, 0.55, 0.66)",
        "W&B's records",
        "slack       #ml-alerts in acme-ml",
        "b judges run sweep-7 in the Backtest tab",
    ] {
        assert!(open.contains(said), "{said}:\n{open}");
    }
}

#[tokio::test]
async fn a_status_filter_with_no_match_says_what_it_left_out() {
    for (w, h) in [(80, 24), (160, 48)] {
        let fake = FakeWandb::demo().await;
        let mut d = driven(&fake, w, h).await;
        d.send(ch('h')).await;
        for _ in 0..3 {
            d.send(ch('f')).await;
        }
        let screen = shown(&d);
        insta::assert_snapshot!(format!("history_wandb_no_skipped_{w}x{h}"), screen);
        let said = flat(&screen);
        assert!(
            said.contains("no skipped executions among the 12 loaded (")
                && said.contains("f shows the next status"),
            "{screen}"
        );
        assert!(!said.contains("nothing fired yet"), "{screen}");
    }
}

/// A tick at `NOW + t`, settled; whether it asked for the open history again.
async fn tick(d: &mut Driven, t: i64) -> bool {
    let effects = wbauto::app::update(&mut d.state, Msg::Tick(NOW + t));
    let asked = effects
        .iter()
        .any(|e| matches!(e, Effect::LoadHistory { .. }));
    d.settle(effects).await;
    asked
}

#[tokio::test]
async fn an_open_history_follows_new_executions_and_stops_when_closed() {
    let fake = FakeWandb::demo().await;
    let mut d = driven(&fake, 160, 48).await;
    d.send(ch('h')).await;
    fake.state().add_executions("loss-spike", 1);
    // Every 3 s the screen is asked to follow; on W&B it asks again after 10 s.
    assert!(!tick(&mut d, 3).await, "not before 10 s");
    assert!(tick(&mut d, 12).await, "asked again after 10 s");
    let screen = render(&d.state);
    assert!(screen.contains("updated 0s ago"), "{screen}");
    assert!(screen.contains("sweep-0"), "the new execution:\n{screen}");
    // News: 10 s again; then nothing new: twice as long before the next look.
    assert!(tick(&mut d, 24).await);
    assert!(!tick(&mut d, 36).await, "backed off to 20 s");
    assert!(render(&d.state).contains("updated 12s ago"));
    assert!(tick(&mut d, 45).await);
    // Closed: no more requests for it.
    d.send(ch('q')).await;
    assert!(matches!(d.state.screen(), Screen::List(_)));
    for t in (48..400).step_by(3) {
        assert!(!tick(&mut d, t).await, "asked at +{t}s after it closed");
    }
}

#[tokio::test]
async fn an_older_server_is_said_in_one_line_and_everything_else_works() {
    for (w, h) in [(80, 24), (160, 48)] {
        let fake = FakeWandb::demo().await;
        fake.state().history_missing = Some(400);
        let mut d = driven(&fake, w, h).await;
        assert_eq!(d.state.list().len(), 15, "the list loads");
        d.send(ch('h')).await;
        let screen = shown(&d);
        insta::assert_snapshot!(format!("history_wandb_old_server_{w}x{h}"), screen);
        let said = flat(&screen);
        assert!(
            said.contains("keeps no automation history that its API can read"),
            "{screen}"
        );
        assert!(!said.contains("tries again"), "{screen}");
        let asked = fake.requests().len();
        for t in (3..600).step_by(3) {
            d.send(Msg::Tick(NOW + t)).await;
        }
        assert_eq!(fake.requests().len(), asked, "never asked again");
        d.send(ch('q')).await;
        d.press(KeyCode::Enter).await;
        assert!(matches!(d.state.screen(), Screen::Detail(_)), "the detail");
    }
}

#[tokio::test]
async fn the_last_column_shows_wandb_executions() {
    let fake = FakeWandb::demo().await;
    let d = driven(&fake, 160, 48).await;
    let screen = render(&d.state);
    let row = |name: &str| {
        screen
            .lines()
            .find(|l| l.contains(&format!(" {name} ")))
            .unwrap_or_else(|| panic!("{name}:\n{screen}"))
            .to_string()
    };
    assert!(row("training-finished").contains("✓ 9mo"), "{screen}");
    assert!(
        row("loss-plateau").contains("✓ 8mo"),
        "the newer of two: {screen}"
    );
    assert!(row("gpu-too-hot").contains("⋯ 9mo"), "{screen}");
    let never = row("staging-link");
    assert!(
        !never.contains(['✓', '✗', '⊘', '⋯']),
        "never fired: nothing, unlike a skipped firing: {never}"
    );
}

#[tokio::test]
async fn the_detail_history_tab_lists_and_opens_the_automations_executions() {
    for (w, h) in [(80, 24), (160, 48)] {
        let fake = FakeWandb::demo().await;
        let mut d = driven(&fake, w, h).await;
        d.open_detail("training-finished", 3).await;
        let tab = shown(&d);
        insta::assert_snapshot!(format!("detail_history_wandb_{w}x{h}"), tab);
        assert_eq!(tab.matches("release-").count(), 2, "{tab}");
        d.send(ch('j')).await;
        d.press(KeyCode::Enter).await;
        let open = shown(&d);
        insta::assert_snapshot!(format!("detail_history_wandb_open_{w}x{h}"), open);
        assert!(open.contains("upstream exploded"), "{open}");
        d.send(ch('q')).await;
        let Screen::Detail(detail) = d.state.screen() else {
            panic!("q closes the execution first")
        };
        assert_eq!(detail.tab(), DetailTab::History);
    }
}

#[tokio::test]
async fn the_judge_key_opens_the_backtest_tab_on_the_executions_run() {
    let fake = FakeWandb::demo().await;
    let mut d = driven(&fake, 160, 48).await;
    d.send(ch('h')).await;
    highlight(&mut d, &["loss-spike"]).await;
    d.send(ch('b')).await;
    let Screen::Detail(detail) = d.state.screen() else {
        panic!("the detail:\n{}", render(&d.state))
    };
    assert_eq!(detail.tab(), DetailTab::Backtest);
    assert_eq!(
        d.state.selected_item().unwrap().saved.automation.name,
        "loss-spike"
    );
    let shown = render(&d.state);
    assert!(shown.contains("sweep-7 (vis007)"), "{shown}");
    // A deleted automation's execution cannot be judged: said, nothing opens.
    d.send(ch('q')).await;
    d.send(ch('h')).await;
    highlight(&mut d, &["old-loss-a"]).await;
    d.send(ch('b')).await;
    assert!(matches!(d.state.screen(), Screen::History(_)));
    let toast = &d.state.toasts().back().unwrap().text;
    assert!(toast.contains("was deleted since"), "{toast}");
}

#[tokio::test]
async fn the_backtest_marks_a_wandb_execution_it_agrees_with_and_one_it_does_not() {
    for (w, h) in [(80, 24), (160, 48)] {
        let fake = FakeWandb::demo().await;
        // W&B fired once where the evaluator fires (sweep-5) and once where it would not (sweep-6).
        fake.state().add_judged_executions();
        let mut d = driven(&fake, w, h).await;
        d.send(ch('h')).await;
        highlight(&mut d, &["sweep-5"]).await;
        d.send(ch('b')).await;
        let agreed = shown(&d);
        insta::assert_snapshot!(format!("backtest_wandb_agrees_{w}x{h}"), agreed);
        let said = flat(&agreed);
        assert!(
            said.contains("agrees with W&B: both fired 1 time(s), first at step 153"),
            "{agreed}"
        );
        assert!(agreed.contains('▄'), "W&B's execution is marked: {agreed}");
        d.send(ch('q')).await;
        d.send(ch('h')).await;
        highlight(&mut d, &["sweep-6"]).await;
        d.send(ch('b')).await;
        let disagreed = shown(&d);
        insta::assert_snapshot!(format!("backtest_wandb_disagrees_{w}x{h}"), disagreed);
        assert!(
            flat(&disagreed).contains(
                "W&B fired at step 100 (2026-05-28 20:34:20) where the evaluator would not have"
            ),
            "{disagreed}"
        );
    }
}
