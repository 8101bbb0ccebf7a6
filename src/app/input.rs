//! Moving and typing, shared by every screen and box: the movement commands, scrolling a text
//! within its limit, and editing a one-line text input.

use super::text::Doc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A movement command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// One row down.
    Down,
    /// One row up.
    Up,
    /// The first row.
    Top,
    /// The last row.
    Bottom,
    /// A page down.
    PageDown,
    /// A page up.
    PageUp,
    /// Half a page down.
    HalfDown,
    /// Half a page up.
    HalfUp,
}

impl Move {
    /// How far it moves, in rows, with pages of `page` rows.
    pub(crate) fn delta(self, page: usize) -> isize {
        let page = isize::try_from(page).unwrap_or(isize::MAX / 4);
        match self {
            Move::Down => 1,
            Move::Up => -1,
            Move::PageDown => page,
            Move::PageUp => -page,
            Move::HalfDown => (page / 2).max(1),
            Move::HalfUp => -(page / 2).max(1),
            Move::Top => isize::MIN / 2,
            Move::Bottom => isize::MAX / 2,
        }
    }
}

/// Scrolls `value` by `by` rows, within `0..=limit`.
pub(crate) fn scroll(value: &mut u16, by: isize, limit: u16) {
    let to = (*value as isize).saturating_add(by.clamp(-100_000, 100_000));
    *value = to.clamp(0, limit as isize) as u16;
}

/// Sideways scrolling of a text cut at its box's edge (code, JSON), as `less -S` does: the
/// first column shown, kept within the widest line, half a box per step, and the hint on the
/// box's edge saying which way more is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Sideways {
    column: u16,
    hint: Option<String>,
}

impl Sideways {
    /// The first column shown.
    pub(crate) fn column(&self) -> u16 {
        self.column
    }

    /// Which way more of the text is, with the keys, for the box's edge.
    pub(crate) fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// Moves half a box left (`-1`) or right (`1`) within `doc` in a box `width` wide.
    pub(crate) fn go(&mut self, way: isize, doc: &Doc, width: u16) {
        let by = way.saturating_mul(isize::try_from((width / 2).max(1)).unwrap_or(1));
        scroll(&mut self.column, by, doc.side_room(width));
    }

    /// Back to the first column (another text).
    pub(crate) fn reset(&mut self) {
        self.column = 0;
    }

    /// Keeps the column within `doc` at `width` and makes the hint naming `keys`.
    pub(crate) fn prepare(&mut self, doc: &Doc, width: u16, keys: &str) {
        let room = doc.side_room(width);
        self.column = self.column.min(room);
        self.hint = match (room, self.column) {
            (0, _) => None,
            (_, 0) => Some(format!(" {keys}: more to the right ▸ ")),
            (r, c) if c >= r => Some(format!(" ◂ more to the left ({keys}) ")),
            _ => Some(format!(" ◂ {keys} ▸ ")),
        };
    }
}

/// Edits a one-line text input; returns whether the key was a text edit.
pub(crate) fn edit_line(text: &mut String, key: &KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('u') if ctrl => text.clear(),
        KeyCode::Char(c) if !ctrl => text.push(c),
        KeyCode::Backspace => {
            text.pop();
        }
        _ => return false,
    }
    true
}
