//! The History screen: the executions as a table, or the open one, as
//! `app::screens::history` prepared them.

use crate::app::State;
use crate::app::layout::Layout;
use crate::app::screens::history::HistoryScreen;
use crate::ui::theme::Theme;
use crate::ui::{block, rect};
use ratatui::Frame;

/// Paints the history.
pub(crate) fn draw(
    _: &State,
    screen: &HistoryScreen,
    layout: &Layout,
    theme: Theme,
    frame: &mut Frame,
) {
    let boxed = layout.screen;
    frame.render_widget(block(theme, screen.title()), rect(boxed.outer));
    super::executions::draw(screen.view(), theme, frame, rect(boxed.text));
}
