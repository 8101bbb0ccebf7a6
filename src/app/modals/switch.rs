//! Switching entity and backend: the entity typed, the backend chosen with a key.

use super::super::keys::Action;
use super::super::msg::Effect;
use super::super::screens::list::edit_line;
use super::super::state::{State, ToastKind};
use super::super::store::session::RequestKind;
use super::{Modal, Reply};
use crossterm::event::KeyEvent;

/// The switch box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwitchModal {
    /// The entity typed.
    pub input: String,
    /// The backend chosen (an index of the session's backends).
    pub backend: usize,
}

/// The switch box on the current entity and backend.
pub fn open(state: &State) -> Modal {
    Modal::Switch(SwitchModal {
        input: state.entity().to_string(),
        backend: state.session.backend(),
    })
}

impl SwitchModal {
    pub(super) fn on_action(mut self, state: &mut State, action: Action) -> Reply {
        match action {
            Action::Close => Reply::Close(Vec::new()),
            Action::NextBackend => {
                self.backend = (self.backend + 1) % state.session.backends().len().max(1);
                Reply::Keep(Modal::Switch(self), Vec::new())
            }
            Action::Run => {
                let entity = self.input.trim().to_string();
                if entity.is_empty() {
                    state.toast(ToastKind::Error, "type an entity name");
                    return Reply::Close(Vec::new());
                }
                let request = state.session.request(RequestKind::Switch);
                Reply::Close(vec![Effect::Switch {
                    request,
                    backend: self.backend,
                    entity: Some(entity),
                }])
            }
            _ => Reply::Pass(Modal::Switch(self)),
        }
    }

    pub(super) fn on_text(mut self, key: KeyEvent) -> Reply {
        edit_line(&mut self.input, &key);
        Reply::Keep(Modal::Switch(self), Vec::new())
    }
}
