//! The command palette: the commands of the screen under it, narrowed by what is typed with the
//! same matcher as help; enter runs the highlighted one as if its key was pressed.

use super::super::keys::Action;
use super::super::screens::list::edit_line;
use super::super::state::State;
use super::{Modal, Reply};
use crossterm::event::KeyEvent;

/// The palette.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaletteModal {
    /// What is typed.
    pub input: String,
    /// The highlighted row of `matches`.
    pub selected: usize,
    /// The commands that match, in table order.
    pub matches: Vec<Action>,
}

/// The palette with every command of the screen.
pub fn open(state: &State) -> Modal {
    Modal::Palette(PaletteModal {
        input: String::new(),
        selected: 0,
        matches: matching(state, ""),
    })
}

/// Commands of the screen's context whose words match `input`.
pub fn matching(state: &State, input: &str) -> Vec<Action> {
    let mut out = Vec::new();
    for b in state.keymap.in_context(state.screen_context()) {
        if b.matches(input) && !out.contains(&b.action) {
            out.push(b.action);
        }
    }
    out
}

impl PaletteModal {
    pub(super) fn on_action(mut self, state: &mut State, action: Action) -> Reply {
        match action {
            Action::Close => Reply::Close(Vec::new()),
            Action::Down => {
                self.selected = (self.selected + 1).min(self.matches.len().saturating_sub(1));
                Reply::Keep(Modal::Palette(self), Vec::new())
            }
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                Reply::Keep(Modal::Palette(self), Vec::new())
            }
            Action::Run => match self.matches.get(self.selected).copied() {
                Some(chosen) => Reply::Close(super::super::update::apply(state, chosen)),
                None => Reply::Close(Vec::new()),
            },
            _ => Reply::Pass(Modal::Palette(self)),
        }
    }

    pub(super) fn on_text(mut self, state: &State, key: KeyEvent) -> Reply {
        if edit_line(&mut self.input, &key) {
            self.selected = 0;
            self.matches = matching(state, &self.input);
        }
        Reply::Keep(Modal::Palette(self), Vec::new())
    }
}
