//! Confirmations: delete (the count typed when several), toggle several, save an edited file.
//! Each carries what it confirms and starts it on "yes".

use super::super::keys::Action;
use super::super::msg::{Effect, SaveKind};
use super::super::rows::{start_delete, start_toggle};
use super::super::screens::list::edit_line;
use super::super::state::{State, ToastKind};
use super::super::store::writes::Pending;
use super::{Modal, Reply};
use crate::model::Automation;
use crossterm::event::KeyEvent;

/// A line of a diff between two automation files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffLine {
    /// Unchanged.
    Same(String),
    /// Removed.
    Removed(String),
    /// Added.
    Added(String),
}

/// What a confirmation is about.
#[derive(Clone, Debug, PartialEq)]
pub enum Confirm {
    /// Delete these automations (ids and names). More than one needs the count typed.
    Delete {
        ids: Vec<String>,
        names: Vec<String>,
        typed: String,
    },
    /// Enable or disable these automations.
    Toggle {
        ids: Vec<String>,
        names: Vec<String>,
    },
    /// Send a test fire, whose request the box shows.
    TestFire {
        id: String,
        name: String,
        test: Box<crate::ops::TestFire>,
    },
    /// Save an automation edited as a file.
    SaveEdit {
        before: Box<Automation>,
        after: Box<Automation>,
        text: String,
        diff: Vec<DiffLine>,
    },
}

/// A confirmation box; `yes` says which button has focus (Cancel first).
#[derive(Clone, Debug, PartialEq)]
pub struct ConfirmModal {
    /// What it confirms.
    pub what: Confirm,
    /// Whether the "yes" button has focus.
    pub yes: bool,
}

impl ConfirmModal {
    /// A question with Cancel focused.
    pub fn new(what: Confirm) -> Self {
        Self { what, yes: false }
    }

    /// Whether the count must be typed (deleting several).
    pub fn needs_count(&self) -> bool {
        matches!(&self.what, Confirm::Delete { ids, .. } if ids.len() > 1)
    }

    pub(super) fn on_action(mut self, state: &mut State, action: Action) -> Reply {
        match action {
            Action::Cancel => Reply::Close(Vec::new()),
            Action::SwitchButton => {
                self.yes = !self.yes;
                Reply::Keep(Modal::Confirm(self), Vec::new())
            }
            Action::Choose if !self.yes => Reply::Close(Vec::new()),
            Action::Choose => {
                if let Confirm::Delete { ids, typed, .. } = &self.what
                    && ids.len() > 1
                    && typed.trim() != ids.len().to_string()
                {
                    let n = ids.len();
                    state.toast(
                        ToastKind::Error,
                        format!("type {n} to delete {n} automations"),
                    );
                    return Reply::Keep(Modal::Confirm(self), Vec::new());
                }
                Reply::Close(self.carry_out(state))
            }
            _ => Reply::Pass(Modal::Confirm(self)),
        }
    }

    /// Typing the count.
    pub(super) fn on_text(mut self, key: KeyEvent) -> Reply {
        if self.needs_count()
            && let Confirm::Delete { typed, .. } = &mut self.what
        {
            edit_line(typed, &key);
        }
        Reply::Keep(Modal::Confirm(self), Vec::new())
    }

    fn carry_out(self, state: &mut State) -> Vec<Effect> {
        match self.what {
            Confirm::Delete { ids, .. } => {
                state.selection.clear_marks();
                start_delete(state, &ids)
            }
            Confirm::Toggle { ids, .. } => {
                state.selection.clear_marks();
                ids.iter()
                    .filter_map(|id| start_toggle(state, id))
                    .collect()
            }
            Confirm::TestFire { id, name, test } if test.shown.is_ok() => {
                vec![Effect::SendTest { id, name, test }]
            }
            Confirm::TestFire { .. } => Vec::new(),
            Confirm::SaveEdit {
                before,
                after,
                text,
                ..
            } => {
                let id = before.id.clone().unwrap_or_default();
                state.writes.begin(&id, Pending::Save);
                vec![Effect::SaveFile {
                    id,
                    automation: after,
                    entity: state.entity().to_string(),
                    kind: SaveKind::Edit { before, text },
                }]
            }
        }
    }
}
