//! Where the user is in the list: the selected row, the scroll offset, marks, a range being
//! marked and the filter being typed. Positions are kept inside the view by [`Selection::clamp`].

use super::list::AutomationList;
use std::collections::BTreeSet;

/// The selection store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    selected: usize,
    offset: usize,
    marks: BTreeSet<String>,
    range_from: Option<usize>,
    /// While the filter is typed: the text to restore on Esc.
    filter_restore: Option<String>,
}

impl Selection {
    /// The selected view position.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The first visible view position.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Marked ids.
    pub fn marks(&self) -> &BTreeSet<String> {
        &self.marks
    }

    /// Where an open range of marks started.
    pub fn range_from(&self) -> Option<usize> {
        self.range_from
    }

    /// Whether the filter is being typed.
    pub fn editing_filter(&self) -> bool {
        self.filter_restore.is_some()
    }

    /// Selects a view position (clamped), scrolling so it stays in sight.
    pub fn select(&mut self, position: isize, list: &AutomationList, rows: usize) {
        let last = list.view_len().saturating_sub(1) as isize;
        self.selected = position.clamp(0, last.max(0)) as usize;
        self.clamp(list, rows);
    }

    /// Selects `id` when the view shows it, else keeps the position; then clamps.
    pub fn keep(&mut self, id: Option<&str>, list: &AutomationList, rows: usize) {
        if let Some(position) = id.and_then(|id| list.position(id)) {
            self.selected = position;
        }
        self.marks.retain(|m| list.contains(m));
        self.clamp(list, rows);
    }

    /// Keeps the selection and the offset inside a view of `list` showing `rows` rows.
    pub fn clamp(&mut self, list: &AutomationList, rows: usize) {
        let len = list.view_len();
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        self.offset = self.offset.min(len.saturating_sub(rows));
    }

    /// Back to the top with nothing marked (a new entity).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Marks or unmarks an id.
    pub fn toggle_mark(&mut self, id: &str) {
        if !self.marks.remove(id) {
            self.marks.insert(id.to_string());
        }
    }

    /// Marks these ids.
    pub fn mark_all(&mut self, ids: Vec<String>) {
        self.marks.extend(ids);
    }

    /// Unmarks one id.
    pub fn unmark(&mut self, id: &str) {
        self.marks.remove(id);
    }

    /// Clears the marks and any open range.
    pub fn clear_marks(&mut self) {
        self.marks.clear();
        self.range_from = None;
    }

    /// Opens a range at the selection, or takes the open one (its start).
    pub fn toggle_range(&mut self) -> Option<usize> {
        match self.range_from.take() {
            None => {
                self.range_from = Some(self.selected);
                None
            }
            Some(from) => Some(from),
        }
    }

    /// Starts typing the filter; `current` is restored by [`Selection::cancel_filter`].
    pub fn begin_filter(&mut self, current: &str) {
        self.filter_restore = Some(current.to_string());
    }

    /// Keeps the typed filter.
    pub fn keep_filter(&mut self) {
        self.filter_restore = None;
    }

    /// Stops typing the filter; returns the text to restore.
    pub fn cancel_filter(&mut self) -> String {
        self.filter_restore.take().unwrap_or_default()
    }
}
