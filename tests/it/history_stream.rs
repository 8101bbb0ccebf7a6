//! A long W&B history drawn as its pages arrive, through the real runner against the fake
//! server whose later pages are slow: the History screen and the detail's History tab show the
//! rows read so far, newest first, with the header saying it is still reading, and the filters
//! apply to them; a highlight moved off the first row stays on its execution while newer rows
//! arrive; a page that fails keeps the rows read and says what failed. Snapshots of the reading
//! state at 80x24 and 160x48.

use crate::support::dashboard::{Driven, NOW, ch, flat, reading, render, shown};
use crate::support::fake_wandb::FakeWandb;
use crate::support::fake_wandb::state::Fault;
use crossterm::event::KeyCode;
use std::sync::Arc;
use std::time::Duration;
use wbauto::app::msg::Msg;
use wbauto::app::screens::ScreenMsg;
use wbauto::app::screens::detail::DetailMsg;
use wbauto::app::screens::history::HistoryMsg;
use wbauto::app::update;
use wbauto::backend::Backend;

/// Executions of loss-spike added to the demo's: `run-000` … `run-249`, each a minute newer
/// than the one before and all newer than the demo's, three pages of its history.
const ADDED: usize = 250;

/// How long the fake waits before answering a history page after a connection's first.
const SLOW: Duration = Duration::from_millis(800);

/// The demo W&B with loss-spike's long history; its later history pages slow once `slow`.
async fn long_history() -> FakeWandb {
    let fake = FakeWandb::demo().await;
    for i in 0..ADDED {
        let second = NOW - 90_000 + 60 * i as i64;
        fake.state()
            .add_metric_execution("loss-spike", &format!("run-{i:03}"), second, &[0.9]);
    }
    fake
}

async fn driven(fake: &FakeWandb, width: u16, height: u16) -> Driven {
    let backend: Arc<dyn Backend> = Arc::new(fake.backend());
    Driven::open(backend, width, height, NOW).await
}

/// Whether a message is a history's whole answer.
fn whole(msg: &Msg) -> bool {
    matches!(
        msg,
        Msg::Screen(ScreenMsg::History(HistoryMsg::Loaded { .. }))
            | Msg::Screen(ScreenMsg::Detail(DetailMsg::History { .. }))
    )
}

/// Sends a message and starts what it asks for, without waiting for the answers.
fn start(d: &mut Driven, msg: Msg) {
    for effect in update(&mut d.state, msg) {
        assert!(d.runner.run(effect, d.state.session().backend()).is_none());
    }
}

/// The next history message, applied (other answers are applied on the way); whether it was
/// what is read so far (else the whole answer).
async fn next_history(d: &mut Driven) -> bool {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(20), d.rx.recv())
            .await
            .expect("an answer in time")
            .expect("the runner is there");
        let (so_far, answer) = (reading(&msg), whole(&msg));
        start(d, msg);
        if so_far || answer {
            return so_far;
        }
    }
}

/// The line of the history's box title.
fn title(screen: &str) -> &str {
    screen
        .lines()
        .find(|l| l.contains("history: "))
        .unwrap_or_default()
}

/// How many executions of loss-spike the fake holds.
fn of_loss_spike(fake: &FakeWandb) -> usize {
    let state = fake.state();
    let named = |e: &&crate::support::fake_wandb::history::FakeExecution| {
        e.node["automationName"] == "loss-spike"
    };
    state.executions.iter().filter(named).count()
}

/// The added run on the highlighted row.
fn highlighted_run(screen: &str) -> String {
    let line = screen.lines().find(|l| l.contains('▶')).unwrap_or_default();
    let run = regex::Regex::new(r"run-\d{3}").unwrap();
    run.find(line)
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| panic!("no added run highlighted:\n{screen}"))
}

/// Whether the fake was asked for a history page starting at or after `offset`, among its
/// requests after the first `before`.
fn asked_from(fake: &FakeWandb, before: usize, offset: usize) -> bool {
    fake.requests().iter().skip(before).any(|r| {
        r.operation.ends_with("AutomationHistory")
            && r.body
                .pointer("/variables/cursor")
                .and_then(|c| c.as_str())
                .is_some_and(|c| cursor_offset(c) >= offset)
    })
}

/// The offset a fake cursor stands for.
fn cursor_offset(cursor: &str) -> usize {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .unwrap();
    String::from_utf8(text).unwrap()["cursor:".len()..]
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_history_screen_shows_pages_as_they_arrive_and_keeps_the_highlight_on_its_execution() {
    let fake = long_history().await;
    let mut d = driven(&fake, 160, 48).await;
    fake.state().history_delay = Some((100, SLOW));
    let before = fake.requests().len();
    start(&mut d, ch('h'));
    // The first page of loss-spike's project holds run-000 … run-0xx, the oldest added.
    let first = loop {
        assert!(
            next_history(&mut d).await,
            "the whole answer came before any page was shown"
        );
        let screen = render(&d.state);
        if screen.contains("run-0") {
            break screen;
        }
    };
    assert!(
        first.contains("reading… ") && first.contains(" so far"),
        "{first}"
    );
    assert!(!title(&first).contains("updated"), "{first}");
    assert!(
        !first.contains("run-2"),
        "no row of the last page yet:\n{first}"
    );
    assert!(
        !asked_from(&fake, before, 200),
        "the last page was not asked yet"
    );
    // The newest first: the newest added run read so far is on top.
    d.send(ch('j')).await;
    d.send(ch('j')).await;
    let chosen = highlighted_run(&render(&d.state));
    let mut pages_shown = 0;
    while next_history(&mut d).await {
        pages_shown += 1;
        let screen = render(&d.state);
        assert_eq!(highlighted_run(&screen), chosen, "{screen}");
    }
    assert!(pages_shown >= 1, "the second page was shown before the end");
    let last = render(&d.state);
    assert_eq!(highlighted_run(&last), chosen, "{last}");
    assert!(!last.contains("reading…"), "{last}");
    assert!(last.contains(" executions · updated 0s ago"), "{last}");
    // Newer rows came above it: the view scrolled with it.
    let lines: Vec<&str> = last.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains('▶'))
        .unwrap_or_default();
    let newer: usize = chosen["run-".len()..].parse().unwrap();
    let above = format!("run-{:03}", newer + 1);
    assert!(lines[at - 1].contains(&above), "{last}");
}

#[tokio::test]
async fn the_detail_history_tab_shows_its_first_page_while_reading() {
    for (w, h) in [(80, 24), (160, 48)] {
        let fake = long_history().await;
        let mut d = driven(&fake, w, h).await;
        fake.state().history_delay = Some((100, SLOW));
        d.open_detail("loss-spike", 2).await;
        let before = fake.requests().len();
        start(&mut d, crate::support::dashboard::key(KeyCode::Tab));
        assert!(next_history(&mut d).await, "a page before the whole answer");
        let screen = render(&d.state);
        insta::assert_snapshot!(format!("detail_history_reading_{w}x{h}"), shown(&d));
        assert!(screen.contains("reading… 100 so far"), "{screen}");
        // The filters apply to the rows read so far.
        d.send(ch('f')).await;
        d.send(ch('f')).await;
        let filtered = flat(&render(&d.state));
        assert!(
            filtered.contains("no failed executions among the 100 loaded (100 success)"),
            "{filtered}"
        );
        for _ in 0..3 {
            d.send(ch('f')).await;
        }
        assert!(
            !asked_from(&fake, before, 200),
            "the last page was not asked yet"
        );
        while next_history(&mut d).await {}
        let screen = render(&d.state);
        let total = of_loss_spike(&fake);
        assert!(
            title(&screen).contains(&format!("· {total} executions · updated 0s ago")),
            "{screen}"
        );
    }
}

#[tokio::test]
async fn a_page_that_fails_keeps_the_rows_read_and_says_what_failed() {
    let fake = long_history().await;
    let mut d = driven(&fake, 160, 48).await;
    d.open_detail("loss-spike", 2).await;
    fake.fault(
        Some("GetAutomationHistory"),
        Fault::After(2, Box::new(Fault::Status(400))),
    );
    start(&mut d, crate::support::dashboard::key(KeyCode::Tab));
    while next_history(&mut d).await {}
    let screen = render(&d.state);
    assert!(
        title(&screen).contains("reading stopped after 200 ·"),
        "{screen}"
    );
    assert!(
        screen.contains("run-1") && !screen.contains("run-2"),
        "the rows of pages 1-2:\n{screen}"
    );
    assert!(!screen.contains("could not load"), "{screen}");
    let toast = &d.state.toasts().back().expect("a toast").text;
    assert!(
        toast.contains("reading the history stopped after 200 executions")
            && toast.contains("injected failure"),
        "{toast}"
    );
    // Read again: the rows stay until the new pages come, then the whole history.
    d.send(crate::support::dashboard::ctrl('r')).await;
    let screen = render(&d.state);
    let total = of_loss_spike(&fake);
    assert!(
        title(&screen).contains(&format!("· {total} executions ·")),
        "{screen}"
    );
    assert!(screen.contains("run-249"), "{screen}");
}
