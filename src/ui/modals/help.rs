//! The help box: the key table's commands as prepared by `app::modals::help`.

use crate::app::layout::Layout;
use crate::app::modals::help::HelpModal;
use crate::ui::theme::Theme;
use crate::ui::{paragraph, rect};
use ratatui::Frame;
use ratatui::text::Span;
use ratatui::widgets::{Block, Clear};

/// Paints help.
pub(crate) fn draw(modal: &HelpModal, layout: &Layout, theme: Theme, frame: &mut Frame) {
    let area = rect(layout.help.outer);
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_style(theme.title())
        .title(Span::styled(" help ", theme.title()));
    frame.render_widget(
        paragraph(modal.doc(), theme, modal.scroll()).block(block),
        area,
    );
}
