//! Commands of the dashboard itself, the same on every screen that offers them: help, the
//! palette, reloading, pausing auto-refresh, switching, quitting and opening a screen from the
//! list.

use super::ctx::Intent;
use super::keys::{Row, defs, row};
use super::modals;
use super::modes::Bound;
use super::msg::Effect;
use super::screens;
use super::state::{State, ToastKind};
use super::store::list::Loading;
use super::store::session::RequestKind;

/// A command of the dashboard itself.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Global {
    Help,
    Palette,
    /// Reload the list (connect again when the first connection failed).
    Refresh,
    PauseRefresh,
    Switch,
    Quit,
    Open(screens::Open),
}

/// The rows a screen ends with: help, the palette, and `back`.
pub(crate) fn closing(back: impl Into<Bound>) -> Vec<Row<Bound>> {
    vec![
        row(&defs::HELP, Global::Help),
        row(&defs::PALETTE, Global::Palette),
        row(&defs::BACK, back),
    ]
}

/// The rows of a screen that reloads what it shows: `refresh`, pausing auto-refresh, then
/// [`closing`].
pub(crate) fn reloading(refresh: impl Into<Bound>, back: impl Into<Bound>) -> Vec<Row<Bound>> {
    let mut rows = vec![
        row(&defs::REFRESH, refresh),
        row(&defs::PAUSE, Global::PauseRefresh),
    ];
    rows.extend(closing(back));
    rows
}

/// A new list request; older answers will be dropped.
pub(crate) fn list_request(state: &mut State) -> Effect {
    Effect::List {
        request: state.stores.session.request(RequestKind::List),
        entity: state.entity().to_string(),
        first_page: *state.stores.list.loading() == Loading::Loading,
    }
}

/// Connects to the backend: settles the entity (its default when `entity` is `None`) and what
/// the backend accepts, then lists.
pub(crate) fn connect(state: &mut State, entity: Option<String>) -> Effect {
    Effect::Switch {
        request: state.stores.session.request(RequestKind::Switch),
        backend: state.stores.session.backend(),
        entity,
    }
}

/// What a global command asks for.
pub(crate) fn intents(state: &mut State, command: Global) -> Vec<Intent> {
    let toast = |text: String| Intent::Toast(ToastKind::Info, text, 4);
    match command {
        Global::Help => vec![Intent::Push(modals::Open::Help(state.mode()))],
        Global::Palette => vec![Intent::Push(modals::Open::Palette(state.screen.mode()))],
        Global::Switch => vec![Intent::Push(modals::Open::Switch(()))],
        Global::Refresh if !state.stores.session.connected() => {
            let entity = (!state.entity().is_empty()).then(|| state.entity().to_string());
            vec![
                toast("connecting again".into()),
                Intent::Effect(connect(state, entity)),
            ]
        }
        Global::Refresh => vec![
            toast("reloading".into()),
            Intent::Effect(list_request(state)),
        ],
        Global::PauseRefresh => {
            state.paused = !state.paused;
            let text = match (state.paused, state.refresh_every) {
                (true, _) => "auto-refresh paused".to_string(),
                (false, Some(s)) => format!("auto-refresh every {s}s"),
                (false, None) => "auto-refresh is off (set refresh_secs in config.toml)".into(),
            };
            vec![toast(text)]
        }
        Global::Quit => vec![Intent::Quit],
        Global::Open(open) => vec![Intent::Open(open)],
    }
}
