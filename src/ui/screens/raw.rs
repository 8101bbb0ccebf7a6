//! The raw view: the stored JSON, as prepared.

use crate::app::State;
use crate::app::layout::Layout;
use crate::app::screens::raw::RawScreen;
use crate::ui::theme::Theme;
use crate::ui::{code_block, paragraph_at, rect};
use ratatui::Frame;

/// Paints the raw JSON of the selected automation.
pub(crate) fn draw(
    state: &State,
    screen: &RawScreen,
    layout: &Layout,
    theme: Theme,
    frame: &mut Frame,
) {
    let Some(item) = state.selected_item() else {
        return;
    };
    let title = format!(" {} — as stored ", item.saved.automation.name);
    let sideways = screen.sideways();
    frame.render_widget(
        paragraph_at(screen.doc(), theme, screen.scroll(), sideways.column())
            .block(code_block(theme, title, sideways)),
        rect(layout.screen.outer),
    );
}
