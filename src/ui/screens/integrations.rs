//! The integrations screen: the entity's integrations as a table, as
//! `app::screens::integrations` prepared them.

use crate::app::State;
use crate::app::layout::Layout;
use crate::app::screens::integrations::{COLUMNS, IntegrationsScreen};
use crate::ui::theme::Theme;
use crate::ui::{block, paragraph, rect};
use ratatui::Frame;

/// Paints the integrations.
pub(crate) fn draw(
    state: &State,
    screen: &IntegrationsScreen,
    layout: &Layout,
    theme: Theme,
    frame: &mut Frame,
) {
    let boxed = layout.screen;
    let title = format!(" integrations of {} ", state.entity());
    frame.render_widget(block(theme, title), rect(boxed.outer));
    match screen.table() {
        Some((table, rows)) => {
            crate::ui::table::draw(frame, theme, rect(boxed.text), &COLUMNS, table, rows)
        }
        None => frame.render_widget(paragraph(screen.doc(), theme, 0), rect(boxed.text)),
    }
}
