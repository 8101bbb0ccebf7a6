//! The wizard: the step rail and the step's text as `app::screens::wizard::text` prepared them,
//! scrolled where the app put it, and the discard question over them.

use crate::app::layout::WIZARD_RAIL;
use crate::app::screens::wizard::WizardScreen;
use crate::ui::theme::Theme;
use crate::ui::{centered, lines, paragraph};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Clear, Paragraph};

/// Draws the wizard over the body.
pub fn draw(w: &WizardScreen, theme: Theme, frame: &mut Frame, body: Rect) {
    frame.render_widget(Clear, body);
    let [left, right] =
        Layout::horizontal([Constraint::Length(WIZARD_RAIL), Constraint::Fill(1)]).areas(body);
    let chrome = &w.chrome;
    frame.render_widget(
        Paragraph::new(lines(&chrome.rail, theme)).block(
            Block::bordered()
                .border_style(theme.dim())
                .title(chrome.rail_title.clone()),
        ),
        left,
    );
    let mut block = Block::bordered()
        .border_style(theme.title())
        .title(Span::styled(chrome.title.clone(), theme.title()));
    if let Some(hint) = chrome.more {
        block = block.title_bottom(Span::styled(hint, theme.dim()));
    }
    let scroll = u16::try_from(w.scroll).unwrap_or(u16::MAX);
    let inner = block.inner(right);
    frame.render_widget(block, right);
    let chart_rows = w.chart_rows(inner.height);
    let [text, chart] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(chart_rows)]).areas(inner);
    frame.render_widget(paragraph(&w.doc, theme, scroll), text);
    if let Some(c) = w.preview.chart.as_ref().filter(|_| chart_rows > 0) {
        super::backtest::plot(c, theme, frame, chart);
    }
    if let Some(text) = &chrome.discard {
        let area = centered(body, 64, 6);
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines(text, theme)).block(
                Block::bordered()
                    .border_style(theme.warn())
                    .title(" close the wizard "),
            ),
            area,
        );
    }
}
