//! Moving and typing, shared by every screen and box: the movement commands, scrolling a text
//! within its limit, and editing a one-line text input.

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
