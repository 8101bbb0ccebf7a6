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
    listing_with("").await
}

/// The demo listing with the automations of `extra` (an automation file's YAML) added, with
/// fixed timestamps like [`demo_listing`].
pub async fn listing_with(extra: &str) -> Listing {
    let dir = tempfile::tempdir().unwrap();
    let backend = LocalBackend::open(&dir.path().join("local.db"))
        .await
        .unwrap();
    if !extra.is_empty() {
        for a in wbauto::file::parse_text(extra, wbauto::file::Format::Yaml).unwrap() {
            let a = wbauto::backend::resolve::prepare(&backend, a, "acme")
                .await
                .unwrap();
            backend.create_automation(&a).await.unwrap();
        }
    }
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
    state_with(width, height, capabilities, "").await
}

/// [`demo_state_on`] with the automations of `extra` added (see [`listing_with`]).
pub async fn state_with(width: u16, height: u16, capabilities: Capabilities, extra: &str) -> State {
    let mut state = connected_state(width, height, capabilities);
    let request = state
        .session()
        .latest(wbauto::app::store::session::RequestKind::List);
    update(
        &mut state,
        Msg::Listed {
            request,
            result: Ok(listing_with(extra).await),
        },
    );
    state
}

/// A `run_stalled` automation named to sort last in the demo team's list (`G` selects it).
pub const STALL_AUTOMATION: &str = "name: watch-training-hangs\ndescription: A sweep run that stops logging steps but is still alive\nscope: {project: acme/vision}\nevent: {type: run_stalled, after: 30m, adaptive: true, run_filter: {display_name: {$regex: \"^sweep-\"}}}\naction: {type: slack, integration: \"#oncall\", title: A run stopped making progress, message: \"No step for ${stalled_for} s after step ${last_step}\", severity: warn}\n";

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
