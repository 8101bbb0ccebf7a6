//! The switch box: the backends on offer and the entity typed.

use super::{boxed, centered, input_line};
use crate::app::State;
use crate::app::modals::switch::SwitchModal;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// Paints the switch box.
pub(crate) fn draw(
    state: &State,
    modal: &SwitchModal,
    theme: Theme,
    frame: &mut Frame,
    body: Rect,
) {
    let mut lines = vec![Line::styled(modal.hint().to_string(), theme.dim())];
    for (i, choice) in state.session().choices().enumerate() {
        let (glyph, style) = if i == modal.backend() {
            ("▶ ", theme.selected())
        } else {
            ("  ", theme.dim())
        };
        lines.push(Line::styled(format!("{glyph}{choice}"), style));
    }
    lines.push(Line::raw(""));
    lines.push(input_line(theme, "entity:", modal.input()));
    let height = lines.len() as u16 + 2;
    boxed(frame, theme, centered(body, 70, height), "switch", lines);
}
