//! Commands that work on every screen: help, the palette, reloading, pausing auto-refresh.

use super::super::keys::Action;
use super::super::modals;
use super::super::msg::Effect;
use super::super::state::{State, ToastKind};
use super::super::store::session::RequestKind;

/// A new list request; older answers will be dropped.
pub fn list_request(state: &mut State) -> Effect {
    Effect::List {
        request: state.session.request(RequestKind::List),
        entity: state.entity().to_string(),
        first_page: *state.list.loading() == super::super::store::list::Loading::Loading,
    }
}

/// The global commands; `None` for the others.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    match action {
        Action::Help => state.modals.push(modals::help::open(state)),
        Action::Palette => state.modals.push(modals::palette::open(state)),
        Action::Refresh if !state.session.connected() => {
            state.toast(ToastKind::Info, "connecting again");
            let entity = (!state.entity().is_empty()).then(|| state.entity().to_string());
            return Some(vec![super::super::update::connect(state, entity)]);
        }
        Action::Refresh => {
            state.toast(ToastKind::Info, "reloading");
            return Some(vec![list_request(state)]);
        }
        Action::PauseRefresh => {
            state.paused = !state.paused;
            let text = match (state.paused, state.refresh_every) {
                (true, _) => "auto-refresh paused".to_string(),
                (false, Some(s)) => format!("auto-refresh every {s}s"),
                (false, None) => {
                    "auto-refresh is off (set refresh_secs in config.toml)".to_string()
                }
            };
            state.toast(ToastKind::Info, text);
        }
        Action::Quit => state.quit = true,
        _ => return None,
    }
    Some(Vec::new())
}
