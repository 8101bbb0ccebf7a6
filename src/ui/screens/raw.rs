//! The raw view (`y`): the stored JSON, as prepared.

use crate::app::State;
use crate::app::screens::raw::RawScreen;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Block;

/// Draws the raw JSON of the selected automation.
pub fn draw(state: &State, screen: &RawScreen, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(item) = state.selected_item() else {
        return;
    };
    let title = format!(" {} — as stored ", item.saved.automation.name);
    let block = Block::bordered()
        .border_style(theme.dim())
        .title(Span::styled(title, theme.title()));
    frame.render_widget(
        crate::ui::paragraph(&screen.doc, theme, screen.scroll).block(block),
        area,
    );
}
