//! An executions table (the History screen's and the detail's History tab), or the open
//! execution, as `app::executions` prepared it.

use crate::app::executions::Executions;
use crate::ui::paragraph;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;

/// Paints the view into `area`.
pub(crate) fn draw(view: &Executions, theme: Theme, frame: &mut Frame, area: Rect) {
    match view.table() {
        Some((table, rows)) => {
            crate::ui::table::draw(frame, theme, area, view.columns(), table, rows)
        }
        None => {
            let (doc, scroll) = view.doc();
            frame.render_widget(paragraph(doc, theme, scroll), area);
        }
    }
}
