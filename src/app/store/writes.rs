//! Writes in flight (so a row shows a spinner and a toggle can roll back) and the undo stack.

use crate::model::Automation;
use std::collections::HashMap;

/// A write in flight.
#[derive(Clone, Debug, PartialEq)]
pub enum Pending {
    /// Enabled was flipped optimistically; this is the automation before.
    Toggle(Box<Automation>),
    /// An edit is being saved.
    Save,
    /// A delete is in flight.
    Delete,
}

/// How to undo a change.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Undo {
    /// Put this content back (by id).
    Restore {
        label: String,
        before: Box<Automation>,
    },
    /// Create this deleted automation again.
    Recreate {
        label: String,
        deleted: Box<Automation>,
    },
}

/// The writes store.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Writes {
    pending: HashMap<String, Pending>,
    undo: Vec<Undo>,
}

impl Writes {
    /// The write in flight for an id.
    pub fn pending(&self, id: &str) -> Option<&Pending> {
        self.pending.get(id)
    }

    /// Whether any write is in flight.
    pub fn any_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Records a write in flight.
    pub(crate) fn begin(&mut self, id: &str, pending: Pending) {
        self.pending.insert(id.to_string(), pending);
    }

    /// Ends the write in flight for an id.
    pub(crate) fn finish(&mut self, id: &str) -> Option<Pending> {
        self.pending.remove(id)
    }

    /// The `enabled` an optimistic toggle in flight shows for an id.
    pub(crate) fn optimistic_enabled(&self, id: &str) -> Option<bool> {
        match self.pending.get(id) {
            Some(Pending::Toggle(before)) => Some(!before.enabled),
            _ => None,
        }
    }

    /// Remembers how to undo a change.
    pub(crate) fn push_undo(&mut self, undo: Undo) {
        self.undo.push(undo);
    }

    /// Takes the newest undo step.
    pub(crate) fn pop_undo(&mut self) -> Option<Undo> {
        self.undo.pop()
    }

    /// How many changes can be undone.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// Forgets the undo steps (a switch of entity).
    pub(crate) fn clear_undo(&mut self) {
        self.undo.clear();
    }
}
