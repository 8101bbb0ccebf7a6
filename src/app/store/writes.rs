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

/// The writes store. Every write belongs to the user's action that began it (one key, one
/// confirmed box), and one undo takes back a whole action, however many rows it changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Writes {
    pending: HashMap<String, (u64, Pending)>,
    undo: Vec<(u64, Undo)>,
    /// The newest action's number.
    actions: u64,
}

impl Writes {
    /// The write in flight for an id.
    pub fn pending(&self, id: &str) -> Option<&Pending> {
        self.pending.get(id).map(|(_, p)| p)
    }

    /// Starts an action of the user: the writes begun from now on are undone together. Its
    /// number.
    pub(crate) fn action(&mut self) -> u64 {
        self.actions += 1;
        self.actions
    }

    /// Whether any write is in flight.
    pub fn any_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Records a write in flight, part of the newest action.
    pub(crate) fn begin(&mut self, id: &str, pending: Pending) {
        self.pending.insert(id.to_string(), (self.actions, pending));
    }

    /// Ends the write in flight for an id: the action it belonged to, and the write.
    pub(crate) fn finish(&mut self, id: &str) -> Option<(u64, Pending)> {
        self.pending.remove(id)
    }

    /// The `enabled` an optimistic toggle in flight shows for an id.
    pub(crate) fn optimistic_enabled(&self, id: &str) -> Option<bool> {
        match self.pending.get(id) {
            Some((_, Pending::Toggle(before))) => Some(!before.enabled),
            _ => None,
        }
    }

    /// Remembers how to undo a change made by `action`.
    pub(crate) fn push_undo(&mut self, action: u64, undo: Undo) {
        self.undo.push((action, undo));
    }

    /// Takes the undo steps of the newest action undone (every row it changed).
    pub(crate) fn pop_undo(&mut self) -> Vec<Undo> {
        let Some(&(newest, _)) = self.undo.last() else {
            return Vec::new();
        };
        let (taken, kept) = std::mem::take(&mut self.undo)
            .into_iter()
            .partition(|(action, _)| *action == newest);
        self.undo = kept;
        taken.into_iter().map(|(_, undo)| undo).collect()
    }

    /// How many actions can be undone.
    pub fn undo_len(&self) -> usize {
        let mut actions: Vec<u64> = self.undo.iter().map(|(a, _)| *a).collect();
        actions.dedup();
        actions.len()
    }

    /// Forgets the undo steps (a switch of entity).
    pub(crate) fn clear_undo(&mut self) {
        self.undo.clear();
    }
}
