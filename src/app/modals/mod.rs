//! Modals: boxes over the screen that take the keys while open, one module each. They sit on a
//! stack in the state; the top one answers first. A confirmation carries the effect it confirms.

pub mod confirm;
pub mod edit_error;
pub mod help;
pub mod palette;
pub mod switch;

use super::keys::{Action, Context};
use super::msg::Effect;
use super::state::State;
use crossterm::event::KeyEvent;

/// A modal.
#[derive(Clone, Debug, PartialEq)]
pub enum Modal {
    /// Help, filtered by what is typed.
    Help(help::HelpModal),
    /// The command palette.
    Palette(palette::PaletteModal),
    /// A question with Cancel focused first.
    Confirm(confirm::ConfirmModal),
    /// An automation file that did not validate, kept so nothing typed is lost.
    EditError(edit_error::EditErrorModal),
    /// Switching entity or backend.
    Switch(switch::SwitchModal),
}

/// What a modal did with a key.
pub enum Reply {
    /// It stays open; these effects run.
    Keep(Modal, Vec<Effect>),
    /// It closed; these effects run.
    Close(Vec<Effect>),
    /// It did not take the command (it goes on to the modal's text input).
    Pass(Modal),
}

impl Modal {
    /// The context its keys are looked up in.
    pub fn context(&self) -> Context {
        match self {
            Modal::Help(_) => Context::Help,
            Modal::Palette(_) => Context::Palette,
            Modal::Confirm(_) => Context::Confirm,
            Modal::EditError(_) => Context::EditError,
            Modal::Switch(_) => Context::Switch,
        }
    }
}

fn settle(state: &mut State, reply: Reply) -> Option<Vec<Effect>> {
    match reply {
        Reply::Keep(modal, effects) => {
            state.modals.push(modal);
            Some(effects)
        }
        Reply::Close(effects) => Some(effects),
        Reply::Pass(modal) => {
            state.modals.push(modal);
            None
        }
    }
}

/// Runs a command on the top modal; `None` when it does not take it.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let modal = state.modals.pop()?;
    let reply = match modal {
        Modal::Help(m) => m.on_action(state, action),
        Modal::Palette(m) => m.on_action(state, action),
        Modal::Confirm(m) => m.on_action(state, action),
        Modal::EditError(m) => m.on_action(state, action),
        Modal::Switch(m) => m.on_action(state, action),
    };
    settle(state, reply)
}

/// A key no command took, for the top modal's text input.
pub fn on_text(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(modal) = state.modals.pop() else {
        return Vec::new();
    };
    let reply = match modal {
        Modal::Help(m) => m.on_text(state, key),
        Modal::Palette(m) => m.on_text(state, key),
        Modal::Confirm(m) => m.on_text(key),
        Modal::Switch(m) => m.on_text(key),
        other => Reply::Keep(other, Vec::new()),
    };
    settle(state, reply).unwrap_or_default()
}
