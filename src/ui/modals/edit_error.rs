//! The box for an edited file that was not saved.

use super::boxed;
use crate::app::modals::edit_error::EditErrorModal;
use crate::ui::centered;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// Draws the unsaved edit's message.
pub fn draw(modal: &EditErrorModal, theme: Theme, frame: &mut Frame, body: Rect) {
    let lines = vec![
        Line::styled("The edited file was not saved:", theme.error()),
        Line::raw(modal.message.clone()),
        Line::raw(""),
        Line::raw("Your text is kept: e opens it again to fix it; esc discards it."),
    ];
    boxed(
        frame,
        theme,
        centered(body, 76, 12),
        "edit not saved",
        lines,
    );
}
