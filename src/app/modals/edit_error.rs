//! An edited automation file that was not saved: the text is kept, to open again or discard.

use super::super::keys::Action;
use super::super::msg::Effect;
use super::super::state::{State, ToastKind};
use super::{Modal, Reply};

/// The edit that was not saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditErrorModal {
    /// The automation's id.
    pub id: String,
    /// The text as the user left it.
    pub text: String,
    /// Why it was not saved.
    pub message: String,
}

impl EditErrorModal {
    pub(super) fn on_action(self, state: &mut State, action: Action) -> Reply {
        match action {
            Action::EditAgain => Reply::Close(vec![Effect::Edit {
                id: self.id,
                text: self.text,
            }]),
            Action::Discard => {
                state.toast(ToastKind::Info, "edit discarded");
                Reply::Close(Vec::new())
            }
            _ => Reply::Keep(Modal::EditError(self), Vec::new()),
        }
    }
}
