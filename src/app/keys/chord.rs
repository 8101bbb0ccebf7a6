//! A key with its modifiers (`ctrl-r`, `D`, `space`): read from a key event, parsed from
//! `config.toml`, and shown to users in the same words.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// A key with its modifiers, e.g. `ctrl-r`, `D`, `space`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Chord {
    /// The key.
    pub(crate) code: Key,
    /// Control held.
    pub(crate) ctrl: bool,
}

/// A key a chord can bind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Key {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
}

/// Names of the keys that are not characters, as written in `config.toml` and shown.
const NAMED: [(&str, Key, &str); 13] = [
    ("space", Key::Char(' '), "space"),
    ("enter", Key::Enter, "enter"),
    ("esc", Key::Esc, "esc"),
    ("tab", Key::Tab, "tab"),
    ("backtab", Key::BackTab, "backtab"),
    ("up", Key::Up, "↑"),
    ("down", Key::Down, "↓"),
    ("left", Key::Left, "←"),
    ("right", Key::Right, "→"),
    ("pgup", Key::PageUp, "pgup"),
    ("pgdn", Key::PageDown, "pgdn"),
    ("home", Key::Home, "home"),
    ("end", Key::End, "end"),
];

impl Chord {
    /// The chord of a key event, if it is one the table can bind.
    pub(crate) fn from_event(e: &KeyEvent) -> Option<Self> {
        let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        let code = match e.code {
            KeyCode::Char(c) => Key::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            KeyCode::Enter => Key::Enter,
            KeyCode::Esc => Key::Esc,
            KeyCode::Tab => Key::Tab,
            KeyCode::BackTab => Key::BackTab,
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            KeyCode::Left => Key::Left,
            KeyCode::Right => Key::Right,
            KeyCode::PageUp => Key::PageUp,
            KeyCode::PageDown => Key::PageDown,
            KeyCode::Home => Key::Home,
            KeyCode::End => Key::End,
            _ => return None,
        };
        Some(Self { code, ctrl })
    }

    /// Parses `t`, `D`, `ctrl-r`, `space`, `enter`, `esc`, `tab`, `backtab`, `up`, `down`,
    /// `left`, `right`, `pgup`, `pgdn`, `home`, `end`.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let (ctrl, rest) = match s.strip_prefix("ctrl-") {
            Some(r) => (true, r),
            None => (false, s),
        };
        let code = match NAMED.iter().find(|(name, _, _)| *name == rest) {
            Some((_, key, _)) => *key,
            None if rest.chars().count() == 1 => Key::Char(rest.chars().next()?),
            None => return None,
        };
        Some(Self { code, ctrl })
    }

    /// Whether it is a character typed without control (what a text input keeps for itself).
    pub(crate) fn printable(self) -> bool {
        matches!(self.code, Key::Char(_)) && !self.ctrl
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        match NAMED.iter().find(|(_, key, _)| *key == self.code) {
            Some((_, _, shown)) => f.write_str(shown),
            None => match self.code {
                Key::Char(c) => write!(f, "{c}"),
                _ => Ok(()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chords_parse_and_show() {
        assert_eq!(
            Chord::parse("ctrl-r"),
            Some(Chord {
                code: Key::Char('r'),
                ctrl: true
            })
        );
        for (written, shown) in [
            ("ctrl-r", "ctrl-r"),
            ("space", "space"),
            ("down", "↓"),
            ("D", "D"),
        ] {
            assert_eq!(
                Chord::parse(written).map(|c| c.to_string()).as_deref(),
                Some(shown)
            );
        }
        assert_eq!(Chord::parse("ctrl-"), None);
        assert_eq!(Chord::parse("shift"), None);
    }
}
