//! The integrations screen: the entity's Slack channels and webhooks.

use super::super::keys::Action;
use super::super::msg::Effect;
use super::super::state::State;
use super::super::store::session::RequestKind;
use super::Screen;

/// The integrations screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntegrationsScreen {
    /// The highlighted row.
    pub selected: usize,
}

/// A new integrations request; older answers will be dropped.
pub fn request(state: &mut State) -> Effect {
    Effect::ListIntegrations {
        request: state.session.request(RequestKind::Integrations),
        entity: state.entity().to_string(),
    }
}

/// Moving, reloading and going back.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let page = state.page_rows() as isize;
    let count = state
        .integrations
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .map_or(0, Vec::len) as isize;
    let Screen::Integrations(screen) = &mut state.screen else {
        return None;
    };
    match action {
        _ if super::is_movement(action) => {
            let to = (screen.selected as isize).saturating_add(super::delta(action, page));
            screen.selected = to.clamp(0, (count - 1).max(0)) as usize;
        }
        Action::Refresh => {
            state.integrations = None;
            return Some(vec![request(state)]);
        }
        Action::Back => state.screen = Screen::List,
        _ => return None,
    }
    Some(Vec::new())
}
