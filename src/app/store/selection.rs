//! Where the user is in the automation list: its table (the highlighted row and the first row
//! shown), the marks and a range being marked. Kept inside the list's view by
//! [`Selection::clamp`].

use super::list::AutomationList;
use crate::app::input::Move;
use crate::app::table::Table;
use std::collections::BTreeSet;

/// The selection store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    table: Table,
    marks: BTreeSet<String>,
    range_from: Option<usize>,
}

impl Selection {
    /// The selected view position.
    pub fn selected(&self) -> usize {
        self.table.selected()
    }

    /// The first visible view position.
    pub fn offset(&self) -> usize {
        self.table.offset()
    }

    /// The list's table.
    pub(crate) fn table(&self) -> &Table {
        &self.table
    }

    /// Marked ids.
    pub fn marks(&self) -> &BTreeSet<String> {
        &self.marks
    }

    /// Where an open range of marks started.
    pub(crate) fn range_from(&self) -> Option<usize> {
        self.range_from
    }

    /// The positions of the open range, if one is open.
    pub(crate) fn range(&self) -> Option<(usize, usize)> {
        let at = self.selected();
        self.range_from.map(|from| (from.min(at), from.max(at)))
    }

    /// Moves the selection.
    pub(crate) fn go(&mut self, by: Move, list: &AutomationList, rows: usize) {
        self.table.go(by, list.view_len(), rows);
    }

    /// Selects `id` when the view shows it, else keeps the position; then clamps.
    pub(crate) fn keep(&mut self, id: Option<&str>, list: &AutomationList, rows: usize) {
        if let Some(position) = id.and_then(|id| list.position(id)) {
            self.table.select(position as isize, list.view_len(), rows);
        }
        self.marks.retain(|m| list.contains(m));
        self.clamp(list, rows);
    }

    /// Keeps the selection and the offset inside a view of `list` showing `rows` rows.
    pub(crate) fn clamp(&mut self, list: &AutomationList, rows: usize) {
        self.table.clamp(list.view_len(), rows);
    }

    /// Back to the top with nothing marked (a new entity).
    pub(crate) fn reset(&mut self) {
        *self = Self::default();
    }

    /// Marks or unmarks an id.
    pub(crate) fn toggle_mark(&mut self, id: &str) {
        if !self.marks.remove(id) {
            self.marks.insert(id.to_string());
        }
    }

    /// Marks these ids.
    pub(crate) fn mark_all(&mut self, ids: Vec<String>) {
        self.marks.extend(ids);
    }

    /// Unmarks one id.
    pub(crate) fn unmark(&mut self, id: &str) {
        self.marks.remove(id);
    }

    /// Clears the marks and any open range.
    pub(crate) fn clear_marks(&mut self) {
        self.marks.clear();
        self.range_from = None;
    }

    /// Opens a range at the selection, or takes the open one (its start).
    pub(crate) fn toggle_range(&mut self) -> Option<usize> {
        match self.range_from.take() {
            None => {
                self.range_from = Some(self.selected());
                None
            }
            Some(from) => Some(from),
        }
    }
}
