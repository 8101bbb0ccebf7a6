//! The full detail with its tabs: the text is prepared in `app::screens::detail`; this paints it.

use crate::app::State;
use crate::app::layout::Layout;
use crate::app::screens::detail::{DetailScreen, DetailTab};
use crate::ui::theme::Theme;
use crate::ui::{block, code_block, paragraph_at, rect};
use ratatui::Frame;
use ratatui::widgets::Tabs;

/// Paints the full detail.
pub(crate) fn draw(
    state: &State,
    screen: &DetailScreen,
    layout: &Layout,
    theme: Theme,
    frame: &mut Frame,
) {
    let Some(item) = state.selected_item() else {
        return;
    };
    let titles: Vec<&str> = DetailTab::ALL.iter().map(|t| t.title()).collect();
    let index = DetailTab::ALL
        .iter()
        .position(|t| *t == screen.tab())
        .unwrap_or(0);
    frame.render_widget(
        Tabs::new(titles)
            .select(index)
            .highlight_style(theme.selected())
            .divider("│"),
        rect(layout.tabs),
    );
    let name = &item.saved.automation.name;
    if let Some(view) = screen.history() {
        let block = block(theme, format!(" {name} · history: {} ", view.title()));
        frame.render_widget(block, rect(layout.detail.outer));
        let text = rect(layout.detail.text);
        super::executions::draw(view, theme, frame, text);
        return;
    }
    let sideways = screen.sideways();
    let block = code_block(theme, format!(" {name} "), sideways);
    if screen.tab() == DetailTab::Backtest {
        frame.render_widget(block, rect(layout.detail.outer));
        let text = rect(layout.detail.text);
        super::backtest::draw(screen.backtest(), state.stores.frame, theme, frame, text);
        return;
    }
    frame.render_widget(
        paragraph_at(screen.doc(), theme, screen.scroll(), sideways.column()).block(block),
        rect(layout.detail.outer),
    );
}
