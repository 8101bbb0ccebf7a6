//! The command palette: the commands `app::modals::palette` matched, the highlighted one marked.

use super::{boxed, input_line};
use crate::app::State;
use crate::app::modals::palette::PaletteModal;
use crate::ui::centered;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Draws the palette.
pub fn draw(state: &State, modal: &PaletteModal, theme: Theme, frame: &mut Frame, body: Rect) {
    let context = state.screen_context();
    let selected = modal.selected.min(modal.matches.len().saturating_sub(1));
    let mut lines = vec![input_line(theme, ":", &modal.input), Line::raw("")];
    for (i, action) in modal.matches.iter().enumerate() {
        let Some(b) = state.keymap.binding(*action) else {
            continue;
        };
        let glyph = if i == selected { "▶ " } else { "  " };
        let line = Line::from(vec![
            Span::raw(glyph),
            Span::raw(format!("{:<40}", b.description)),
            Span::styled(state.keymap.key_in(*action, context), theme.key()),
        ]);
        lines.push(if i == selected {
            line.style(theme.selected())
        } else {
            line
        });
    }
    if modal.matches.is_empty() {
        lines.push(Line::styled("no action matches", theme.dim()));
    }
    let height = (lines.len() as u16 + 2).min(body.height);
    boxed(frame, theme, centered(body, 64, height), "palette", lines);
}
