//! An edited automation file that was not saved: the text is kept, to open again or discard.

use super::{Dialog, Reply};
use crate::app::ctx::{Ctx, Unsaved};
use crate::app::keys::{Group, Input, Mode, Row, commands, row};
use crate::app::modes::Bound;
use crate::app::msg::Effect;
use crate::app::state::ToastKind;

/// The mode of the unsaved edit's box.
pub(crate) const MODE: Mode = Mode::new("edit_error", "edit not saved", Input::Keys, Group::Box);

commands! {
    EDIT_AGAIN: "edit_again" ["e", "enter"] footer reads "edit again" "open your text in the editor again";
    DISCARD: "discard" ["esc", "q"] footer reads "discard" "throw the edit away";
}

/// What the box is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EditErrorMsg {
    EditAgain,
    Discard,
}

/// The edit that was not saved, and the keys its box names.
#[derive(Debug)]
pub struct EditErrorModal {
    unsaved: Unsaved,
    hint: String,
}

impl EditErrorModal {
    /// The edit that was not saved.
    pub fn unsaved(&self) -> &Unsaved {
        &self.unsaved
    }

    /// The line saying which keys open the text again or discard it.
    pub(crate) fn hint(&self) -> &str {
        &self.hint
    }
}

impl Dialog for EditErrorModal {
    type Msg = EditErrorMsg;
    type Open = Unsaved;
    const MODE: Mode = MODE;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        vec![(
            MODE,
            vec![
                row(&EDIT_AGAIN, EditErrorMsg::EditAgain),
                row(&DISCARD, EditErrorMsg::Discard),
            ],
        )]
    }

    fn open(unsaved: Unsaved, ctx: &mut Ctx) -> Self {
        let hint = format!(
            "Your text is kept: {} opens it again to fix it; {} discards it.",
            ctx.keymap.key(&EDIT_AGAIN, MODE),
            ctx.keymap.key(&DISCARD, MODE)
        );
        Self { unsaved, hint }
    }

    fn update(&mut self, msg: EditErrorMsg, ctx: &mut Ctx) -> Reply {
        match msg {
            EditErrorMsg::EditAgain => ctx.effect(Effect::Edit {
                id: self.unsaved.id.clone(),
                text: self.unsaved.text.clone(),
            }),
            EditErrorMsg::Discard => ctx.toast(ToastKind::Info, "edit discarded"),
        }
        Reply::Close
    }
}
