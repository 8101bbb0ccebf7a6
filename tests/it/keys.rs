//! The key table as data: a key remapped in `config.toml` shows in every footer, help line,
//! palette entry and hint that names its command, and the old key nowhere.

use crate::support::dashboard::{self, NOW, ch, connected_state, ctrl, demo_state, key, typed};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wbauto::app::msg::{Effect, Msg};
use wbauto::app::screens::detail::DetailMsg;
use wbauto::app::screens::history::HistoryMsg;
use wbauto::app::screens::integrations::IntegrationsMsg;
use wbauto::app::screens::wizard::WizardMsg;
use wbauto::app::store::session::RequestKind;
use wbauto::app::{State, update};
use wbauto::backend::BackendError;
use wbauto::config::file::{ConfigFile, Remap};
use wbauto::model::Capabilities;

/// Every command a hint, footer or box names, remapped away from its default keys.
const REMAPS: [(&str, &str); 28] = [
    ("down", "ctrl-j"),
    ("up", "ctrl-k"),
    ("back", "x"),
    ("refresh", "ctrl-l"),
    ("switch", "W"),
    ("test_fire", "T"),
    ("history", "H"),
    ("next_run", "}"),
    ("prev_run", "{"),
    ("next_backend", "ctrl-b"),
    ("edit_again", "A"),
    ("discard", "ctrl-x"),
    ("range_mark", "V"),
    ("undo", "U"),
    ("new", "+"),
    ("help", "!"),
    ("toggle", "o"),
    ("open", "ctrl-o"),
    ("retry_choices", "ctrl-t"),
    ("choose_prev", "ctrl-left"),
    ("choose_next", "ctrl-right"),
    ("pick", "ctrl-space"),
    ("wizard_next", "ctrl-g"),
    ("discard_answers", "ctrl-q"),
    ("keep_draft", "ctrl-w"),
    ("close", "ctrl-z"),
    ("cancel", "ctrl-a"),
    ("keep_filter", "ctrl-y"),
];

/// The keys as shown: `ctrl-left` is drawn `ctrl-←`.
fn shown(key: &str) -> String {
    key.replace("left", "←").replace("right", "→")
}

fn remapped(s: &mut State) {
    let config = ConfigFile {
        keys: REMAPS
            .iter()
            .map(|(action, key)| Remap {
                action: action.to_string(),
                keys: vec![key.to_string()],
                line: 1,
            })
            .collect(),
        ..ConfigFile::default()
    };
    let warnings = s.configure(&config, false);
    assert!(warnings.is_empty(), "{warnings:?}");
}

fn render(state: &State) -> String {
    let (w, h) = state.size();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| wbauto::ui::view(state, f)).unwrap();
    terminal.backend().to_string()
}

/// The footer names each of `expected` (key, label) with its new key, and with no other.
fn footer_names(s: &State, expected: &[(&str, &str)]) {
    let items = s.footer().items();
    for (k, label) in expected {
        let keys: Vec<&str> = items
            .iter()
            .filter(|(_, l)| l == label)
            .map(|(ik, _)| ik.as_str())
            .collect();
        assert_eq!(keys, [*k], "{label} in {items:?}");
    }
}

fn chord(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::CONTROL))
}

#[tokio::test]
async fn remapped_keys_show_in_every_footer_help_line_palette_entry_and_hint() {
    let mut s = demo_state(160, 48).await;
    remapped(&mut s);
    // The list's footer.
    footer_names(
        &s,
        &[
            ("ctrl-o", "open"),
            ("o", "toggle"),
            ("+", "new"),
            ("!", "help"),
            ("x", "quit"),
        ],
    );
    // Help: every remapped command's line starts with its new key.
    update(&mut s, ch('!'));
    let lines = dashboard::help_lines(&s);
    for (name, key) in REMAPS {
        let line = lines
            .iter()
            .find(|l| l.ends_with(&format!("[{name}]")))
            .unwrap_or_else(|| panic!("help names {name}"));
        assert!(line.starts_with(&format!("{} ", shown(key))), "{line}");
    }
    footer_names(&s, &[("ctrl-kctrl-j", "scroll"), ("ctrl-z", "close")]);
    update(&mut s, ctrl('z'));
    // The palette: each entry's key is the new one.
    update(&mut s, ch(':'));
    let screen = render(&s);
    for (what, key) in [
        ("enable / disable (marked rows too)", "o"),
        ("open the detail / the execution", "ctrl-o"),
        ("undo the last change", "U"),
        ("reload now", "ctrl-l"),
        ("back; quit from the list", "x"),
        ("move down", "ctrl-j"),
    ] {
        assert!(
            screen.contains(&format!("{what:<40}{key}")),
            "{what}: {screen}"
        );
    }
    footer_names(&s, &[("ctrl-kctrl-j", "choose")]);
    update(&mut s, ctrl('z'));
    // Toasts that name keys.
    update(&mut s, ch('V'));
    assert_eq!(
        s.toasts().back().unwrap().text,
        "range starts here: move, then V again"
    );
    update(&mut s, ch('V'));
    update(&mut s, ch('x'));
    let effects = update(&mut s, ch('o'));
    let [Effect::Toggle { read, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let mut saved = (**read).clone();
    saved.automation.enabled = false;
    dashboard::toggle_answered(&mut s, Ok(saved));
    assert!(
        s.toasts().back().unwrap().text.ends_with("— U to undo"),
        "{:?}",
        s.toasts()
    );
    // Nothing matches the filter.
    update(&mut s, ch('/'));
    typed(&mut s, "zzzz");
    update(&mut s, ctrl('y'));
    assert!(render(&s).contains("x clears the filter"));
    update(&mut s, ch('x'));
    // The detail: its footer, the History tab's hint, the Backtest tab's.
    update(&mut s, ctrl('o'));
    footer_names(&s, &[("o", "toggle"), ("!", "help"), ("x", "back")]);
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Tab));
    }
    let request = s.session().latest(RequestKind::History);
    update(
        &mut s,
        Msg::from(DetailMsg::History {
            request,
            result: Ok(Default::default()),
        }),
    );
    assert!(
        render(&s).contains("it has not fired yet (T test-fires it; H shows every automation's"),
        "{}",
        render(&s)
    );
    update(&mut s, key(KeyCode::Tab));
    let request = s.session().latest(RequestKind::BacktestRuns);
    let choice = wbauto::ops::backtest::RunChoice {
        label: "sweep-8".into(),
        id: "r8".into(),
        state: "finished".into(),
        source: wbauto::ops::backtest::ChoiceSource::Recorded {
            entity: "acme".into(),
            project: "vision".into(),
        },
    };
    update(
        &mut s,
        Msg::from(DetailMsg::BacktestRuns {
            request,
            result: Ok(vec![choice]),
        }),
    );
    assert!(render(&s).contains("{ } other runs"), "{}", render(&s));
    update(&mut s, ch('x'));
    // The history and the integrations, failed.
    update(&mut s, ch('H'));
    footer_names(&s, &[("ctrl-o", "open"), ("x", "back")]);
    let request = s.session().latest(RequestKind::History);
    update(
        &mut s,
        Msg::from(HistoryMsg::Loaded {
            request,
            result: Err(BackendError::Storage("no engine".into())),
        }),
    );
    assert!(render(&s).contains("ctrl-l tries again"));
    update(&mut s, ch('x'));
    update(&mut s, ch('i'));
    let request = s.session().latest(RequestKind::Integrations);
    update(
        &mut s,
        Msg::from(IntegrationsMsg::Loaded {
            request,
            result: Err(BackendError::Network("offline".into())),
        }),
    );
    assert!(render(&s).contains("ctrl-l tries again"));
    update(&mut s, ch('x'));
    // The switch box.
    update(&mut s, ch('W'));
    assert!(render(&s).contains("backend (ctrl-b to change):"));
    footer_names(&s, &[("ctrl-b", "next backend"), ("ctrl-z", "close")]);
    update(&mut s, ctrl('z'));
    // An edit that was not saved.
    let id = s.selected_id().unwrap();
    update(
        &mut s,
        Msg::Edited {
            id,
            result: Ok("name: [broken\n".into()),
        },
    );
    assert!(render(&s).contains("A opens it again to fix it; ctrl-x discards it."));
    footer_names(&s, &[("A", "edit again"), ("ctrl-x", "discard")]);
    update(&mut s, ctrl('x'));
    // A confirmation.
    update(&mut s, ch('D'));
    footer_names(&s, &[("ctrl-a", "cancel")]);
    update(&mut s, ctrl('a'));
    assert!(s.modal().is_none());
}

#[tokio::test]
async fn remapped_keys_show_in_the_wizard_and_where_nothing_is_loaded() {
    let mut s = demo_state(160, 48).await;
    remapped(&mut s);
    let effects = update(&mut s, ch('+'));
    let [Effect::LoadOptions { request, .. }] = effects.as_slice() else {
        panic!("the remapped key opens the wizard: {effects:?}")
    };
    let request = *request;
    assert!(
        render(&s).contains("Pick a start (ctrl-k/ctrl-j), then ctrl-g."),
        "{}",
        render(&s)
    );
    footer_names(&s, &[("ctrl-g", "next")]);
    update(
        &mut s,
        Msg::from(WizardMsg::Options {
            request,
            result: Err(BackendError::Network("offline".into())),
        }),
    );
    assert!(render(&s).contains("ctrl-t to retry"), "{}", render(&s));
    // The metric threshold template: its project picker names the choose keys.
    update(&mut s, chord(KeyCode::Char('j')));
    update(&mut s, ctrl('g'));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    let screen = render(&s);
    assert!(screen.contains("ctrl-←/ctrl-→"), "{screen}");
    footer_names(&s, &[("ctrl-→", "choose"), ("ctrl-g", "next")]);
    // Closing asks first, naming the keys; keeping the draft says how to resume it.
    update(&mut s, key(KeyCode::Esc));
    assert!(
        render(&s).contains("ctrl-q    discard them")
            && render(&s).contains("ctrl-w    keep them as a draft for later"),
        "{}",
        render(&s)
    );
    footer_names(&s, &[("ctrl-q", "discard"), ("ctrl-w", "keep draft")]);
    update(&mut s, ctrl('w'));
    assert_eq!(
        s.toasts().back().unwrap().text,
        "kept as a draft: + resumes it"
    );
    // Connecting, then a failed load.
    let mut s = State::new(Vec::new(), "acme".into(), Capabilities::everything(), NOW);
    update(&mut s, Msg::Resize(100, 30));
    remapped(&mut s);
    assert!(render(&s).contains("x quits at any time"), "{}", render(&s));
    let mut s = connected_state(100, 30, Capabilities::everything());
    remapped(&mut s);
    dashboard::listing_fails(&mut s, BackendError::Network("offline".into()));
    let screen = render(&s);
    assert!(
        screen.contains("ctrl-l tries again; W switches entity or backend")
            && screen.contains("load failed (ctrl-l retries)"),
        "{screen}"
    );
}
