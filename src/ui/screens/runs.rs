//! The Runs screen: the runs as a table, with what fired on the open one under it, as
//! `app::screens::runs` prepared them.

use crate::app::State;
use crate::app::layout::Layout;
use crate::app::screens::runs::{COLUMNS, RunsScreen, open_height};
use crate::ui::theme::Theme;
use crate::ui::{block, paragraph, rect};
use ratatui::Frame;
use ratatui::layout::Rect;

/// Paints the runs.
pub(crate) fn draw(
    _: &State,
    screen: &RunsScreen,
    layout: &Layout,
    theme: Theme,
    frame: &mut Frame,
) {
    let boxed = layout.screen;
    frame.render_widget(block(theme, " runs ".into()), rect(boxed.outer));
    let area = rect(boxed.text);
    let doc = screen.doc();
    match screen.table() {
        Some((table, rows)) if doc.lines.is_empty() => {
            crate::ui::table::draw(frame, theme, area, &COLUMNS, table, rows)
        }
        Some((table, rows)) => {
            let height = open_height(area.height, rows.len());
            let top = Rect { height, ..area };
            let rest = Rect {
                y: area.y + height + 1,
                height: area.height.saturating_sub(height + 1),
                ..area
            };
            crate::ui::table::draw(frame, theme, top, &COLUMNS, table, rows);
            frame.render_widget(paragraph(doc, theme, 0), rest);
        }
        None => frame.render_widget(paragraph(doc, theme, 0), area),
    }
}
