//! The wizard: the step rail and the step's text as `app::screens::wizard` prepared them,
//! scrolled where the app put it, and the discard question over them.

use crate::app::State;
use crate::app::layout::Layout;
use crate::app::screens::wizard::WizardScreen;
use crate::ui::theme::Theme;
use crate::ui::{lines, paragraph, rect};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// Paints the wizard over the body.
pub(crate) fn draw(_: &State, w: &WizardScreen, layout: &Layout, theme: Theme, frame: &mut Frame) {
    frame.render_widget(Clear, rect(layout.body));
    let chrome = w.chrome();
    frame.render_widget(
        Paragraph::new(lines(&chrome.rail, theme)).block(
            Block::bordered()
                .border_style(theme.dim())
                .title(chrome.rail_title.clone()),
        ),
        rect(layout.rail),
    );
    let mut block = Block::bordered()
        .border_style(theme.title())
        .title(Span::styled(chrome.title.clone(), theme.title()));
    if let Some(hint) = chrome.more {
        block = block.title_bottom(Span::styled(hint, theme.dim()));
    }
    frame.render_widget(block, rect(layout.wizard.outer));
    let inner = rect(layout.wizard.text);
    let chart_rows = w.chart_rows(inner.height);
    let text = Rect {
        height: inner.height - chart_rows,
        ..inner
    };
    let scroll = u16::try_from(w.scroll()).unwrap_or(u16::MAX);
    frame.render_widget(paragraph(w.doc(), theme, scroll), text);
    if let Some(c) = w.chart(inner.height) {
        let chart = Rect {
            y: text.y + text.height,
            height: chart_rows,
            ..inner
        };
        super::backtest::plot(c, theme, frame, chart);
    }
    if let Some(text) = &chrome.discard {
        let area = rect(layout.discard.outer);
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines(text, theme))
                .wrap(Wrap { trim: false })
                .block(
                    Block::bordered()
                        .border_style(theme.warn())
                        .title(" close the wizard "),
                ),
            area,
        );
    }
}
