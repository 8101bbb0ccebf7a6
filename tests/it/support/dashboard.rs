//! A deterministic dashboard state with the demo team, for `update` tests and snapshots.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use wbauto::app::ctx::Confirm;
use wbauto::app::modals::Modal;
use wbauto::app::msg::{Effect, Msg};
use wbauto::app::screens::Screen;
use wbauto::app::screens::detail::DetailTab;
use wbauto::app::store::session::BackendOffer;
use wbauto::app::{State, update};
use wbauto::backend::local::LocalBackend;
use wbauto::backend::{Backend, BackendInfo, BackendKind, Listing};
use wbauto::model::Capabilities;

/// 2026-11-26T12:00:00Z: the fixed "now" of every fixture.
pub const NOW: i64 = 1_795_694_400;

/// The demo listing with fixed timestamps (a day apart, newest first by list order).
pub async fn demo_listing() -> Listing {
    let dir = tempfile::tempdir().unwrap();
    let backend = LocalBackend::open(&dir.path().join("local.db"))
        .await
        .unwrap();
    let mut listing = backend.list_automations("acme").await.unwrap();
    for (i, saved) in listing.automations.iter_mut().enumerate() {
        let created = jiff::Timestamp::from_second(NOW - 86_400 * (40 + i as i64)).unwrap();
        let updated = jiff::Timestamp::from_second(NOW - 3_600 * (5 + 7 * i as i64)).unwrap();
        saved.automation.created_at = Some(created.to_string());
        saved.automation.updated_at = (i % 3 != 2).then(|| updated.to_string());
        // Carried, as W&B's listing carries it (the local listing leaves it to the Wire view).
        let id = saved.automation.id.clone().unwrap();
        let text = backend.trigger_wire(&id).await.unwrap();
        let mut wire: serde_json::Value = serde_json::from_str(&text).unwrap();
        wire["createdAt"] = saved.automation.created_at.clone().into();
        wire["updatedAt"] = saved.automation.updated_at.clone().into();
        saved.wire = Some(wire.to_string());
    }
    listing
}

/// A loaded state at `width` x `height`.
pub async fn demo_state(width: u16, height: u16) -> State {
    demo_state_on(width, height, Capabilities::everything()).await
}

/// A state connected to a backend that accepts `capabilities`, before its listing arrives.
pub fn connected_state(width: u16, height: u16, capabilities: Capabilities) -> State {
    let info = BackendInfo {
        kind: BackendKind::Local,
        endpoint: "/home/ada/.local/share/wbauto/local.db".into(),
    };
    let wandb = BackendInfo {
        kind: BackendKind::Wandb,
        endpoint: "https://api.wandb.ai".into(),
    };
    let choices = vec![
        BackendOffer {
            info,
            entity: Some("acme".into()),
        },
        BackendOffer {
            info: wandb,
            entity: None,
        },
    ];
    let mut state = State::new(choices, "acme".into(), Capabilities::everything(), NOW);
    update(&mut state, Msg::Resize(width, height));
    // Connect as the terminal loop does: the backend answers with the entity and capabilities.
    let Effect::Switch { request, .. } = update::connect(&mut state, Some("acme".into())) else {
        panic!("connecting switches")
    };
    let effects = update(
        &mut state,
        Msg::Switched {
            request,
            backend: 0,
            entity: "acme".into(),
            result: Ok(capabilities),
        },
    );
    assert!(
        matches!(effects.first(), Some(Effect::List { .. })),
        "{effects:?}"
    );
    state
}

/// A loaded state at `width` x `height` on a backend that accepts `capabilities`.
pub async fn demo_state_on(width: u16, height: u16, capabilities: Capabilities) -> State {
    let mut state = connected_state(width, height, capabilities);
    let request = state
        .session()
        .latest(wbauto::app::store::session::RequestKind::List);
    update(
        &mut state,
        Msg::Listed {
            request,
            result: Ok(demo_listing().await),
        },
    );
    state
}

/// A key press.
pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A character key press.
pub fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

/// Control plus a character.
pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Presses the keys of `text`, one by one; returns the effects of the last.
pub fn typed(state: &mut State, text: &str) -> Vec<Effect> {
    let mut last = Vec::new();
    for c in text.chars() {
        last = update(state, ch(c));
    }
    last
}

/// The selected automation's name.
pub fn selected(state: &State) -> String {
    state
        .selected_item()
        .map(|i| i.saved.automation.name.clone())
        .unwrap_or_default()
}

/// What covers the list, summarised from the screen and the top modal, for assertions.
#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    /// The list.
    None,
    /// The full detail.
    Detail { tab: DetailTab, scroll: u16 },
    /// The raw view.
    Raw { scroll: u16 },
    /// The integrations screen, and whether its list arrived.
    Integrations { loaded: bool },
    /// Help.
    Help { filter: String, scroll: u16 },
    /// The palette.
    Palette { input: String, selected: usize },
    /// A confirmation.
    Confirm { what: Confirm, yes: bool },
    /// An unsaved edit.
    EditError {
        id: String,
        text: String,
        message: String,
    },
    /// The switch box.
    Switch { input: String, backend: usize },
    /// The wizard.
    Wizard,
    /// The engine's history.
    History,
    /// The runs followed.
    Runs,
}

/// What the state shows: the top modal, else the screen.
pub fn overlay(s: &State) -> Overlay {
    match s.modal() {
        Some(Modal::Help(m)) => Overlay::Help {
            filter: m.filter().to_string(),
            scroll: m.scroll(),
        },
        Some(Modal::Palette(m)) => Overlay::Palette {
            input: m.input().to_string(),
            selected: m.selected(),
        },
        Some(Modal::Confirm(m)) => Overlay::Confirm {
            what: m.what().clone(),
            yes: m.yes(),
        },
        Some(Modal::EditError(m)) => Overlay::EditError {
            id: m.unsaved().id.clone(),
            text: m.unsaved().text.clone(),
            message: m.unsaved().message.clone(),
        },
        Some(Modal::Switch(m)) => Overlay::Switch {
            input: m.input().to_string(),
            backend: m.backend(),
        },
        None => match s.screen() {
            Screen::List(_) => Overlay::None,
            Screen::Detail(d) => Overlay::Detail {
                tab: d.tab(),
                scroll: d.scroll(),
            },
            Screen::Raw(r) => Overlay::Raw { scroll: r.scroll() },
            Screen::Integrations(i) => Overlay::Integrations { loaded: i.loaded() },
            Screen::Wizard(_) => Overlay::Wizard,
            Screen::History(_) => Overlay::History,
            Screen::Runs(_) => Overlay::Runs,
        },
    }
}

/// Sets the filter as if typed and kept.
pub fn set_filter(s: &mut State, text: &str) {
    update(s, key(KeyCode::Char('/')));
    update(s, ctrl('u'));
    typed(s, text);
    update(s, key(KeyCode::Enter));
}

/// Names in the order the list shows them.
pub fn shown_names(s: &State) -> Vec<String> {
    s.list()
        .rows(0, usize::MAX)
        .map(|i| i.saved.automation.name.clone())
        .collect()
}

/// A runner over one backend with no local engine, judging backtests with `settings`, and where
/// its answers arrive.
pub fn runner(
    backend: std::sync::Arc<dyn Backend>,
    settings: wbauto::ops::backtest::Settings,
) -> (
    wbauto::app::runner::Runner,
    tokio::sync::mpsc::UnboundedReceiver<Msg>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let runner = wbauto::app::runner::Runner::new(vec![backend], vec![None], settings, tx);
    (runner, rx)
}

/// The backtest settings of an empty `config.toml`.
pub fn backtest_defaults() -> wbauto::ops::backtest::Settings {
    wbauto::ops::backtest::Settings::of(&Default::default())
}

/// The text of the help box on top, line by line.
pub fn help_lines(s: &State) -> Vec<String> {
    let Some(Modal::Help(help)) = s.modal() else {
        panic!("no help: {:?}", overlay(s))
    };
    help.doc()
        .lines
        .iter()
        .map(|l| l.pieces.iter().map(|p| p.text.as_str()).collect())
        .collect()
}

/// The newest listing request fails with `error`.
pub fn listing_fails(s: &mut State, error: wbauto::backend::BackendError) {
    let request = s
        .session()
        .latest(wbauto::app::store::session::RequestKind::List);
    update(
        s,
        Msg::Listed {
            request,
            result: Err(error),
        },
    );
}

/// Whether the list's filter is being typed.
pub fn editing_filter(s: &State) -> bool {
    matches!(s.screen(), Screen::List(l) if l.editing_filter())
}

/// The backend's answer to a toggle of the selected automation.
pub fn toggle_answered(
    s: &mut State,
    result: Result<wbauto::backend::SavedAutomation, wbauto::backend::BackendError>,
) -> Vec<Effect> {
    let id = s.selected_id().expect("a selected automation");
    let kind = wbauto::app::msg::SaveKind::Toggle;
    update(s, Msg::Saved { id, kind, result })
}

/// Whether a message is what is read so far of a history (more messages follow for its request).
pub fn reading(msg: &Msg) -> bool {
    use wbauto::app::screens::ScreenMsg;
    matches!(
        msg,
        Msg::Screen(ScreenMsg::History(
            wbauto::app::screens::history::HistoryMsg::Reading { .. }
        )) | Msg::Screen(ScreenMsg::Detail(
            wbauto::app::screens::detail::DetailMsg::HistoryReading { .. }
        ))
    )
}

/// Runs effects through the runner and feeds answers back until nothing is in flight.
pub async fn settle(
    state: &mut State,
    runner: &wbauto::app::runner::Runner,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>,
    mut effects: Vec<Effect>,
) {
    let mut in_flight = 0;
    loop {
        for e in effects.drain(..) {
            assert!(
                runner.run(e, state.session().backend()).is_none(),
                "no terminal effects expected"
            );
            in_flight += 1;
        }
        if in_flight == 0 {
            return;
        }
        let msg = tokio::time::timeout(std::time::Duration::from_secs(20), rx.recv())
            .await
            .expect("an answer")
            .expect("channel open");
        in_flight -= usize::from(!reading(&msg));
        effects = update(state, msg);
    }
}

/// The dashboard's core on a W&B backend, with the runner that answers its effects.
pub struct Driven {
    /// The state.
    pub state: State,
    /// The runner over the backend.
    pub runner: wbauto::app::runner::Runner,
    /// Its answers.
    pub rx: tokio::sync::mpsc::UnboundedReceiver<Msg>,
}

impl Driven {
    /// A dashboard at `width` x `height` on `backend` and the entity `acme`, at `now`, connected
    /// and listed.
    pub async fn open(
        backend: std::sync::Arc<dyn Backend>,
        width: u16,
        height: u16,
        now: i64,
    ) -> Driven {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let runner = wbauto::app::runner::Runner::new(
            vec![backend.clone()],
            vec![None],
            backtest_defaults(),
            tx,
        );
        let choice = BackendOffer {
            info: backend.info(),
            entity: Some("acme".into()),
        };
        let caps = backend.capabilities().await.unwrap();
        let mut state = State::new(vec![choice], "acme".into(), caps, now);
        update(&mut state, Msg::Resize(width, height));
        let mut driven = Driven { state, runner, rx };
        let connect = vec![update::connect(&mut driven.state, Some("acme".into()))];
        driven.settle(connect).await;
        driven
    }

    /// Runs the effects and their answers' effects until nothing is in flight.
    pub async fn settle(&mut self, effects: Vec<Effect>) {
        settle(&mut self.state, &self.runner, &mut self.rx, effects).await;
    }

    /// Sends a message, then settles what it asked for.
    pub async fn send(&mut self, msg: Msg) {
        let effects = update(&mut self.state, msg);
        self.settle(effects).await;
    }

    /// Presses a key, then settles what it asked for.
    pub async fn press(&mut self, code: KeyCode) {
        self.send(key(code)).await;
    }

    /// Opens the detail of the automation `name`, `tabs` tabs on from the Overview.
    pub async fn open_detail(&mut self, name: &str, tabs: usize) {
        let position = self
            .state
            .list()
            .rows(0, usize::MAX)
            .position(|i| i.saved.automation.name == name)
            .unwrap_or_else(|| panic!("no automation named {name}"));
        for _ in 0..position {
            self.send(ch('j')).await;
        }
        self.press(KeyCode::Enter).await;
        for _ in 0..tabs {
            self.press(KeyCode::Tab).await;
        }
    }
}

/// The screen with the fake W&B's port (random, always five digits) written as `#####`.
pub fn shown(d: &Driven) -> String {
    let port = regex::Regex::new(r"127\.0\.0\.1:\d{5}").unwrap();
    port.replace_all(&render(&d.state), "127.0.0.1:#####")
        .into_owned()
}

/// The screen's text without its box, lines joined (for sentences the view wraps).
pub fn flat(screen: &str) -> String {
    screen
        .lines()
        .map(|l| l.trim_matches('"').trim_matches('│').trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The screen as the terminal shows it, one quoted line per row.
pub fn render(state: &State) -> String {
    let (width, height) = state.size();
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal.draw(|f| wbauto::ui::view(state, f)).unwrap();
    terminal.backend().to_string()
}
