//! The command palette: the commands `app::modals::palette` matched, the highlighted one marked.

use super::{boxed, centered, input_line};
use crate::app::modals::palette::PaletteModal;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Paints the palette.
pub(crate) fn draw(modal: &PaletteModal, theme: Theme, frame: &mut Frame, body: Rect) {
    let selected = modal.selected();
    let mut lines = vec![input_line(theme, ":", modal.input()), Line::raw("")];
    for (i, entry) in modal.matches().iter().enumerate() {
        let glyph = if i == selected { "▶ " } else { "  " };
        let line = Line::from(vec![
            Span::raw(glyph),
            Span::raw(format!("{:<40}", entry.description)),
            Span::styled(entry.key.clone(), theme.key()),
        ]);
        lines.push(if i == selected {
            line.style(theme.selected())
        } else {
            line
        });
    }
    if modal.matches().is_empty() {
        lines.push(Line::styled("no action matches", theme.dim()));
    }
    let height = (lines.len() as u16 + 2).min(body.height);
    boxed(frame, theme, centered(body, 64, height), "palette", lines);
}
