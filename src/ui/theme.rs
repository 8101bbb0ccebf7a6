//! Styles. The default theme uses the terminal's own 16 colours; `mono` (and `NO_COLOR`) uses
//! none. Nothing is told by colour alone: state and selection also have glyphs.

use ratatui::style::{Color, Modifier, Style};

/// The styles the screens use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Theme {
    mono: bool,
}

impl Theme {
    /// The theme for `mono` (or colour).
    pub(crate) fn new(mono: bool) -> Self {
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
    pub(crate) fn title(self) -> Style {
        self.color(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Secondary text.
    pub(crate) fn dim(self) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default().fg(Color::DarkGray)
        }
    }

    /// An enabled automation's state glyph.
    pub(crate) fn on(self) -> Style {
        self.color(Color::Green)
    }

    /// A disabled automation's state glyph.
    pub(crate) fn off(self) -> Style {
        self.color(Color::DarkGray)
    }

    /// Errors.
    pub(crate) fn error(self) -> Style {
        self.color(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// Warnings and read-only marks.
    pub(crate) fn warn(self) -> Style {
        self.color(Color::Yellow)
    }

    /// Keys in the footer and help.
    pub(crate) fn key(self) -> Style {
        self.color(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The selected row.
    pub(crate) fn selected(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    /// Marked rows.
    pub(crate) fn marked(self) -> Style {
        self.color(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// Added lines in a diff.
    pub(crate) fn added(self) -> Style {
        self.color(Color::Green)
    }

    /// Removed lines in a diff.
    pub(crate) fn removed(self) -> Style {
        self.color(Color::Red)
    }

    /// The style of a tone of prepared text.
    pub(crate) fn tone(self, tone: crate::app::text::Tone) -> Style {
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
        }
    }
}
