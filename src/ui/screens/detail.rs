//! The detail pane beside the list and the full detail with its tabs: the text is prepared in
//! `app::screens::detail`; this paints it.

use crate::app::State;
use crate::app::screens::detail::{DetailScreen, DetailTab};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Tabs};

/// The pane beside (or below) the list.
pub fn pane(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    let block = Block::bordered()
        .border_style(theme.dim())
        .title(Span::styled(" detail ", theme.dim()));
    frame.render_widget(
        crate::ui::paragraph(&state.pane, theme, 0).block(block),
        area,
    );
}

/// The full detail with its tabs.
pub fn full(state: &State, screen: &DetailScreen, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(item) = state.selected_item() else {
        return;
    };
    let [tabs_area, content] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let titles: Vec<&str> = DetailTab::ALL.iter().map(|t| t.title()).collect();
    let index = DetailTab::ALL
        .iter()
        .position(|t| *t == screen.tab)
        .unwrap_or(0);
    frame.render_widget(
        Tabs::new(titles)
            .select(index)
            .highlight_style(theme.selected())
            .divider("│"),
        tabs_area,
    );
    let title = format!(" {} ", item.saved.automation.name);
    let block = Block::bordered()
        .border_style(theme.dim())
        .title(Span::styled(title, theme.title()));
    if screen.tab == DetailTab::Backtest {
        let inner = block.inner(content);
        frame.render_widget(block, content);
        super::backtest::draw(&screen.backtest, state.frame, theme, frame, inner);
        return;
    }
    frame.render_widget(
        crate::ui::paragraph(&screen.doc, theme, screen.scroll).block(block),
        content,
    );
}
