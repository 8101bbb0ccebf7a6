//! The integrations screen (`i`).

use crate::app::State;
use crate::app::screens::integrations::IntegrationsScreen;
use crate::app::screens::wizard::text::spinner;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph, Row, Table, Wrap};

/// Draws the entity's integrations.
pub fn draw(
    state: &State,
    screen: &IntegrationsScreen,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let selected = screen.selected;
    let title = format!(" integrations of {} ", state.entity());
    let block = Block::bordered()
        .border_style(theme.dim())
        .title(Span::styled(title, theme.title()));
    let list = match &state.integrations {
        None => {
            let text = format!("{} loading…", spinner(state.frame));
            frame.render_widget(Paragraph::new(text).style(theme.warn()).block(block), area);
            return;
        }
        Some(Err(e)) => {
            let text = format!("could not load the integrations: {e}\nctrl-r tries again");
            frame.render_widget(
                Paragraph::new(text)
                    .style(theme.error())
                    .wrap(Wrap { trim: true })
                    .block(block),
                area,
            );
            return;
        }
        Some(Ok(list)) => list,
    };
    if list.is_empty() {
        let text = format!(
            "{} has no Slack or webhook integrations.\nAdd one with `wbauto integrations add-webhook NAME URL`.",
            state.entity()
        );
        frame.render_widget(Paragraph::new(text).style(theme.dim()).block(block), area);
        return;
    }
    let rows: Vec<Row> = list
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let glyph = if i == selected { "▶" } else { " " };
            let row = Row::new(vec![
                glyph,
                r.kind,
                r.name.as_str(),
                r.target.as_str(),
                r.secrets.as_str(),
                r.id.as_str(),
            ]);
            if i == selected {
                row.style(theme.selected())
            } else {
                row
            }
        })
        .collect();
    let widths = [
        Constraint::Length(1),
        Constraint::Length(8),
        Constraint::Fill(2),
        Constraint::Fill(4),
        Constraint::Fill(2),
        Constraint::Fill(2),
    ];
    let header = Row::new(vec!["", "KIND", "NAME", "TARGET", "SECRETS", "ID"])
        .style(theme.dim().add_modifier(Modifier::BOLD));
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block)
            .column_spacing(1),
        area,
    );
}
