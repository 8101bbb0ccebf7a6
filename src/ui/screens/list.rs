//! The list screen: the automations as a table (rows made for the visible slice only) and the
//! detail pane beside or below it.

use crate::app::State;
use crate::app::layout::Layout;
use crate::app::screens::list::{ListRows, ListScreen, columns};
use crate::ui::theme::Theme;
use crate::ui::{paragraph, rect};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph};

/// Paints the list and its detail pane.
pub(crate) fn draw(
    state: &State,
    screen: &ListScreen,
    layout: &Layout,
    theme: Theme,
    frame: &mut Frame,
) {
    let area = rect(layout.list);
    if let Some(pane) = layout.pane {
        let block = Block::bordered()
            .border_style(theme.dim())
            .title(Span::styled(" detail ", theme.dim()));
        frame.render_widget(
            paragraph(screen.pane(), theme, 0).block(block),
            rect(pane.outer),
        );
    }
    let stores = &state.stores;
    if stores.list.view_len() == 0 {
        let y = area.height / 3;
        let msg = Rect {
            y: area.y + y,
            height: area.height - y,
            ..area
        };
        frame.render_widget(
            Paragraph::new(screen.empty().to_string())
                .alignment(Alignment::Center)
                .style(theme.dim()),
            msg,
        );
        return;
    }
    let columns = columns(area.width, stores.list.any_fired());
    let rows = ListRows {
        list: &stores.list,
        selection: &stores.selection,
        writes: &stores.writes,
        columns,
        now: stores.now,
        frame: stores.frame,
    };
    crate::ui::table::draw(frame, theme, area, columns, stores.selection.table(), &rows);
}
