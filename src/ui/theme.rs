//! Styles. The default theme uses the terminal's own 16 colours; `mono` (and `NO_COLOR`) uses
//! none. Nothing is told by colour alone: state and selection also have glyphs.

use ratatui::style::{Color, Modifier, Style};

/// The styles the screens use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    mono: bool,
}

impl Theme {
    /// The theme for `mono` (or colour).
    pub fn new(mono: bool) -> Self {
        Self { mono }
    }

    fn color(self, c: Color) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }

    /// Titles and the app name.
    pub fn title(self) -> Style {
        self.color(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Secondary text.
    pub fn dim(self) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default().fg(Color::DarkGray)
        }
    }

    /// An enabled automation's state glyph.
    pub fn on(self) -> Style {
        self.color(Color::Green)
    }

    /// A disabled automation's state glyph.
    pub fn off(self) -> Style {
        self.color(Color::DarkGray)
    }

    /// Errors.
    pub fn error(self) -> Style {
        self.color(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// Warnings and read-only marks.
    pub fn warn(self) -> Style {
        self.color(Color::Yellow)
    }

    /// Keys in the footer and help.
    pub fn key(self) -> Style {
        self.color(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The selected row.
    pub fn selected(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    /// Marked rows.
    pub fn marked(self) -> Style {
        self.color(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// Added lines in a diff.
    pub fn added(self) -> Style {
        self.color(Color::Green)
    }

    /// Removed lines in a diff.
    pub fn removed(self) -> Style {
        self.color(Color::Red)
    }

    /// The style of a tone of prepared text.
    pub fn tone(self, tone: crate::app::text::Tone) -> Style {
        use crate::app::text::Tone as T;
        match tone {
            T::Plain => Style::default(),
            T::Dim => self.dim(),
            T::Title => self.title(),
            T::On => self.on(),
            T::Off => self.off(),
            T::Warn => self.warn(),
            T::Error => self.error(),
            T::Key => self.key(),
            T::Selected => self.selected(),
            T::Marked => self.marked(),
            T::Added => self.added(),
            T::Removed => self.removed(),
        }
    }
}
