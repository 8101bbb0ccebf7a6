//! The box for an edited file that was not saved.

use super::{boxed, centered};
use crate::app::modals::edit_error::EditErrorModal;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// Paints the unsaved edit's message.
pub(crate) fn draw(modal: &EditErrorModal, theme: Theme, frame: &mut Frame, body: Rect) {
    let lines = vec![
        Line::styled("The edited file was not saved:", theme.error()),
        Line::raw(modal.unsaved().message.clone()),
        Line::raw(""),
        Line::raw(modal.hint().to_string()),
    ];
    boxed(
        frame,
        theme,
        centered(body, 76, 12),
        "edit not saved",
        lines,
    );
}
