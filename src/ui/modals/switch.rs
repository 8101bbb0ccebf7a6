//! The switch box: the backends on offer and the entity typed.

use super::{boxed, input_line};
use crate::app::State;
use crate::app::modals::switch::SwitchModal;
use crate::ui::centered;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// Draws the switch box.
pub fn draw(state: &State, modal: &SwitchModal, theme: Theme, frame: &mut Frame, body: Rect) {
    let mut lines = vec![Line::styled("backend (tab to change):", theme.dim())];
    for (i, choice) in state.session.choices().enumerate() {
        let (glyph, style) = if i == modal.backend {
            ("▶ ", theme.selected())
        } else {
            ("  ", theme.dim())
        };
        lines.push(Line::styled(format!("{glyph}{choice}"), style));
    }
    lines.push(Line::raw(""));
    lines.push(input_line(theme, "entity:", &modal.input));
    let height = lines.len() as u16 + 2;
    boxed(frame, theme, centered(body, 70, height), "switch", lines);
}
