//! The History screen: the executions (or the open one) as `app::screens::history` prepared them.

use crate::app::screens::history::HistoryScreen;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Block;

/// Draws the history.
pub fn draw(screen: &HistoryScreen, theme: Theme, frame: &mut Frame, area: Rect) {
    let block = Block::bordered()
        .border_style(theme.dim())
        .title(Span::styled(screen.title(), theme.title()));
    let scroll = if screen.open { screen.scroll } else { 0 };
    let mut paragraph = crate::ui::paragraph(&screen.doc, theme, scroll);
    if !screen.open {
        // Keep the highlighted row in sight.
        let rows = area.height.saturating_sub(2) as usize;
        let first = (screen.selected + 1).saturating_sub(rows);
        paragraph = paragraph.scroll((u16::try_from(first).unwrap_or(u16::MAX), 0));
    }
    frame.render_widget(paragraph.block(block), area);
}
