//! Confirmations: delete (the count typed when several), toggle several, send a test fire, save
//! an edited file. Each carries what it confirms and starts it on "yes"; Cancel has the focus
//! first.

use super::{Dialog, Reply};
use crate::app::ctx::{Confirm, Ctx};
use crate::app::input::edit_line;
use crate::app::keys::{Group, Input, Mode, Row, commands, row};
use crate::app::modes::Bound;
use crate::app::msg::{Effect, SaveKind};
use crate::app::rows::{start_delete, start_toggle};
use crate::app::state::ToastKind;
use crate::app::store::writes::Pending;
use crossterm::event::KeyEvent;

/// A confirmation's mode.
pub(crate) const MODE: Mode = Mode::new("confirm", "confirmation", Input::Keys, Group::Box);
/// A confirmation that needs the count typed.
pub(crate) const COUNT: Mode = Mode::new(
    "confirm_count",
    "confirmation",
    Input::Line {
        typing: "the count",
        moving: None,
    },
    Group::Box,
);

commands! {
    SWITCH_BUTTON: "switch_button" ["tab", "backtab", "left", "right"] footer reads "switch button" "move between the buttons";
    CHOOSE: "choose" ["enter"] footer reads "choose" "press the focused button";
    CANCEL: "cancel" ["esc"] footer reads "cancel" "cancel";
}

/// What a confirmation is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ConfirmMsg {
    SwitchButton,
    Choose,
    Cancel,
}

/// A confirmation box.
#[derive(Debug)]
pub struct ConfirmModal {
    what: Confirm,
    /// Whether the "yes" button has focus.
    yes: bool,
    /// The count typed, when several are deleted.
    typed: String,
}

impl ConfirmModal {
    /// What it confirms.
    pub fn what(&self) -> &Confirm {
        &self.what
    }

    /// Whether the "yes" button has focus.
    pub fn yes(&self) -> bool {
        self.yes
    }

    /// The count typed so far.
    pub(crate) fn typed(&self) -> &str {
        &self.typed
    }

    /// Whether the count must be typed (deleting several).
    fn needs_count(&self) -> bool {
        matches!(&self.what, Confirm::Delete { ids, .. } if ids.len() > 1)
    }

    fn carry_out(&mut self, ctx: &mut Ctx) {
        match &self.what {
            Confirm::Delete { ids, .. } => {
                ctx.selection.clear_marks();
                start_delete(ctx, ids);
            }
            Confirm::Toggle { ids, .. } => {
                ctx.selection.clear_marks();
                start_toggle(ctx, ids);
            }
            Confirm::TestFire { id, name, test } if test.shown.is_ok() => {
                ctx.effect(Effect::SendTest {
                    id: id.clone(),
                    name: name.clone(),
                    test: test.clone(),
                });
            }
            Confirm::TestFire { .. } => {}
            Confirm::SaveEdit {
                before,
                after,
                text,
                ..
            } => {
                let id = before.id.clone().unwrap_or_default();
                ctx.writes.action();
                ctx.writes.begin(&id, Pending::Save);
                let entity = ctx.entity().to_string();
                ctx.effect(Effect::SaveFile {
                    id,
                    automation: after.clone(),
                    entity,
                    kind: SaveKind::Edit {
                        before: before.clone(),
                        text: text.clone(),
                    },
                });
            }
        }
    }
}

impl Dialog for ConfirmModal {
    type Msg = ConfirmMsg;
    type Open = Confirm;
    const MODE: Mode = MODE;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        let rows = || {
            vec![
                row(&SWITCH_BUTTON, ConfirmMsg::SwitchButton),
                row(&CHOOSE, ConfirmMsg::Choose),
                row(&CANCEL, ConfirmMsg::Cancel),
            ]
        };
        vec![(MODE, rows()), (COUNT, rows())]
    }

    fn open(what: Confirm, _: &mut Ctx) -> Self {
        Self {
            what,
            yes: false,
            typed: String::new(),
        }
    }

    fn mode(&self) -> Mode {
        if self.needs_count() { COUNT } else { MODE }
    }

    fn update(&mut self, msg: ConfirmMsg, ctx: &mut Ctx) -> Reply {
        match msg {
            ConfirmMsg::Cancel => Reply::Close,
            ConfirmMsg::SwitchButton => {
                self.yes = !self.yes;
                Reply::Keep
            }
            ConfirmMsg::Choose if !self.yes => Reply::Close,
            ConfirmMsg::Choose => {
                if let Confirm::Delete { ids, .. } = &self.what
                    && ids.len() > 1
                    && self.typed.trim() != ids.len().to_string()
                {
                    let n = ids.len();
                    ctx.toast(
                        ToastKind::Error,
                        format!("type {n} to delete {n} automations"),
                    );
                    return Reply::Keep;
                }
                self.carry_out(ctx);
                Reply::Close
            }
        }
    }

    /// Typing the count.
    fn on_text(&mut self, key: &KeyEvent, _: &mut Ctx) -> Reply {
        if self.needs_count() {
            edit_line(&mut self.typed, key);
        }
        Reply::Keep
    }
}
