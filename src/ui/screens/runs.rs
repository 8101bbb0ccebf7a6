//! The Runs screen: the followed runs as `app::screens::runs` prepared them.

use crate::app::screens::runs::RunsScreen;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;

/// Draws the runs.
pub fn draw(screen: &RunsScreen, theme: Theme, frame: &mut Frame, area: Rect) {
    crate::ui::titled(
        frame,
        theme,
        area,
        " runs followed ",
        &screen.doc,
        Some(screen.selected),
        0,
    );
}
