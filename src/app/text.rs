//! Text prepared for the view: lines of pieces that carry a tone (what the text means) instead
//! of a colour, so the view only maps tones to its theme and paints. Also the one measure of how
//! many terminal rows a line takes when word-wrapped, so scrolling is clamped here, not in the view.

use unicode_width::UnicodeWidthChar;

/// What a piece of text means; the view's theme gives each a style.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Ordinary text.
    #[default]
    Plain,
    /// Labels and hints.
    Dim,
    /// Headings and names.
    Title,
    /// Enabled.
    On,
    /// Disabled.
    Off,
    /// Needs attention.
    Warn,
    /// Went wrong.
    Error,
    /// A key or a value to act on.
    Key,
    /// The focused row or button.
    Selected,
}

/// A run of text with one tone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Its tone.
    pub(crate) tone: Tone,
    /// Its text.
    pub text: String,
}

impl Piece {
    /// A piece of `tone`.
    pub(crate) fn new(tone: Tone, text: impl Into<String>) -> Self {
        Self {
            tone,
            text: text.into(),
        }
    }

    /// A plain piece.
    pub(crate) fn plain(text: impl Into<String>) -> Self {
        Self::new(Tone::Plain, text)
    }
}

/// One line: pieces, and a tone for the whole line (a focused row).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextLine {
    /// The pieces, in order.
    pub pieces: Vec<Piece>,
    /// The whole line's tone, under the pieces'.
    pub(crate) tone: Tone,
}

impl TextLine {
    /// A line of pieces.
    pub(crate) fn new(pieces: Vec<Piece>) -> Self {
        Self {
            pieces,
            tone: Tone::Plain,
        }
    }

    /// A plain line.
    pub fn plain(text: impl Into<String>) -> Self {
        Self::new(vec![Piece::plain(text)])
    }

    /// A line of one tone.
    pub(crate) fn toned(tone: Tone, text: impl Into<String>) -> Self {
        Self {
            pieces: vec![Piece::plain(text)],
            tone,
        }
    }

    /// The same line with a tone for all of it.
    pub(crate) fn with_tone(mut self, tone: Tone) -> Self {
        self.tone = tone;
        self
    }

    /// Its width in terminal columns, unwrapped.
    pub(crate) fn width(&self) -> usize {
        self.pieces
            .iter()
            .flat_map(|p| p.text.chars())
            .map(|c| c.width().unwrap_or(0))
            .sum()
    }

    /// How many terminal rows it takes word-wrapped at `width` columns, leading white space kept
    /// (the view wraps the same way).
    pub fn rows(&self, width: u16) -> usize {
        wrapped_rows(
            self.pieces.iter().flat_map(|p| p.text.chars()),
            usize::from(width.max(1)),
        )
    }
}

/// Prepared text: its lines and whether the view wraps them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Doc {
    /// The lines.
    pub lines: Vec<TextLine>,
    /// Word-wrapped (prose) or cut at the edge (code).
    pub(crate) wrap: bool,
}

impl Doc {
    /// Prose, wrapped.
    pub(crate) fn prose(lines: Vec<TextLine>) -> Self {
        Self { lines, wrap: true }
    }

    /// Code, not wrapped.
    pub(crate) fn code(lines: Vec<TextLine>) -> Self {
        Self { lines, wrap: false }
    }

    /// Terminal rows the whole text takes at `width`.
    pub(crate) fn rows(&self, width: u16) -> usize {
        if self.wrap {
            self.lines.iter().map(|l| l.rows(width)).sum()
        } else {
            self.lines.len()
        }
    }

    /// How many columns it can scroll sideways in a box `width` wide (prose wraps: none).
    pub(crate) fn side_room(&self, width: u16) -> u16 {
        if self.wrap {
            return 0;
        }
        let widest = self.lines.iter().map(TextLine::width).max().unwrap_or(0);
        u16::try_from(widest.saturating_sub(usize::from(width))).unwrap_or(u16::MAX)
    }

    /// How far it can scroll in a box of `width` x `height` before its last row reaches the bottom.
    pub(crate) fn scroll_room(&self, width: u16, height: u16) -> u16 {
        u16::try_from(self.rows(width).saturating_sub(usize::from(height))).unwrap_or(u16::MAX)
    }
}

/// Spinner frames for work in flight.
const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner's glyph at an animation frame.
pub(crate) fn spinner(frame: usize) -> &'static str {
    SPINNER[frame % SPINNER.len()]
}

/// "12s", "5m", "3h", "4d", "2mo", "1y" since `then` (Unix seconds); "-" when unknown.
pub(crate) fn ago(now: i64, then: i64) -> String {
    if then <= 0 {
        return "-".into();
    }
    let s = (now - then).max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        86_400..2_592_000 => format!("{}d", s / 86_400),
        2_592_000..31_536_000 => format!("{}mo", s / 2_592_000),
        _ => format!("{}y", s / 31_536_000),
    }
}

fn is_space(c: char) -> bool {
    c == '\u{200b}' || (c.is_whitespace() && c != '\u{a0}')
}

/// Rows a line of `chars` takes when word-wrapped at `max` columns without trimming: words move
/// to the next row whole unless longer than a row, white space is kept. Follows the word
/// wrapper of ratatui's `Paragraph` (`Wrap { trim: false }`), counting instead of collecting.
fn wrapped_rows(chars: impl Iterator<Item = char>, max: usize) -> usize {
    let mut rows = 0;
    let mut line_width = 0usize;
    let mut line_empty = true;
    let mut word_width = 0usize;
    let mut word_len = 0usize;
    let mut spaces: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    let mut space_width = 0usize;
    let mut previous_was_word = false;
    for c in chars {
        let space = is_space(c);
        let width = c.width().unwrap_or(0);
        if width > max {
            continue;
        }
        let word_found = previous_was_word && space;
        let overflow = line_empty && word_width + space_width + width > max;
        if word_found || overflow {
            line_width += space_width + word_width;
            line_empty = line_empty && spaces.is_empty() && word_len == 0;
            spaces.clear();
            space_width = 0;
            word_width = 0;
            word_len = 0;
        }
        if line_width >= max || (width > 0 && line_width + space_width + word_width >= max) {
            let mut remaining = max.saturating_sub(line_width);
            rows += 1;
            line_width = 0;
            line_empty = true;
            while let Some(&w) = spaces.front() {
                if w > remaining {
                    break;
                }
                space_width -= w;
                remaining -= w;
                spaces.pop_front();
            }
            if space && spaces.is_empty() {
                continue;
            }
        }
        if space {
            space_width += width;
            spaces.push_back(width);
        } else {
            word_width += width;
            word_len += 1;
        }
        previous_was_word = !space;
    }
    let last_has_text = !line_empty || !spaces.is_empty() || word_len > 0;
    if last_has_text {
        rows += 1;
    }
    rows.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, width: u16) -> usize {
        TextLine::plain(text).rows(width)
    }

    #[test]
    fn words_wrap_whole_and_long_words_break() {
        assert_eq!(rows("", 10), 1);
        assert_eq!(rows("short", 10), 1);
        assert_eq!(rows("exactly ten", 11), 1);
        assert_eq!(rows("hello world", 5), 2);
        assert_eq!(rows("hello world again", 11), 2);
        assert_eq!(rows("abcdefghijklmnopqrstuvwxyz", 10), 3);
        assert_eq!(rows("   indented text that wraps", 10), 3);
    }
}
