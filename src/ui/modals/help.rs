//! The help box: the registry's commands as prepared by `app::modals::help`.

use super::boxed_doc;
use crate::app::layout::help_box;
use crate::app::modals::help::HelpModal;
use crate::ui::centered;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;

/// Draws help.
pub fn draw(modal: &HelpModal, theme: Theme, frame: &mut Frame, body: Rect) {
    let (w, h) = help_box(body.width, body.height + 2);
    boxed_doc(
        frame,
        theme,
        centered(body, w, h),
        "help",
        &modal.doc,
        modal.scroll,
    );
}
