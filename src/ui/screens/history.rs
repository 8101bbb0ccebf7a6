//! The History screen: the executions (or the open one) as `app::screens::history` prepared them.

use crate::app::screens::history::HistoryScreen;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;

/// Draws the history.
pub fn draw(screen: &HistoryScreen, theme: Theme, frame: &mut Frame, area: Rect) {
    let focus = (!screen.open).then_some(screen.selected);
    crate::ui::titled(
        frame,
        theme,
        area,
        &screen.title(),
        &screen.doc,
        focus,
        screen.scroll,
    );
}
