//! The automation list: rows are built for the visible slice only.

use super::chrome::SPINNER;
use super::theme::Theme;
use crate::app::State;
use crate::app::state::{Item, Loading};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

fn state_cell(state: &State, item: &Item, theme: Theme) -> Span<'static> {
    if state.pending.contains_key(item.id()) {
        return Span::styled(SPINNER[state.frame % SPINNER.len()], theme.warn());
    }
    if item.saved.automation.enabled {
        Span::styled("●", theme.on())
    } else {
        Span::styled("○", theme.off())
    }
}

/// `text` cut to `width` characters, with `…` when cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Draws the list in `area`.
pub fn draw(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    if state.view.is_empty() {
        let text = match (&state.loading, state.items.is_empty()) {
            (Loading::Loading, _) => format!(
                "{} loading the automations of {}…",
                SPINNER[state.frame % SPINNER.len()],
                state.entity
            ),
            (Loading::Failed(e), true) => format!(
                "could not load the automations of {}:\n{e}\n\nctrl-r tries again; @ switches entity or backend",
                state.entity
            ),
            (_, true) => format!("{} has no automations yet.", state.entity),
            (_, false) => format!("nothing matches /{}\nesc clears the filter", state.filter),
        };
        let y = area.height / 3;
        let msg = Rect {
            y: area.y + y,
            height: area.height - y,
            ..area
        };
        frame.render_widget(
            Paragraph::new(text)
                .alignment(Alignment::Center)
                .style(theme.dim()),
            msg,
        );
        return;
    }
    let wide = area.width >= 70;
    let constraints = if wide {
        vec![
            Constraint::Length(3),
            Constraint::Fill(3),
            Constraint::Fill(3),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(4),
        ]
    } else {
        vec![
            Constraint::Length(3),
            Constraint::Fill(3),
            Constraint::Fill(4),
            Constraint::Fill(3),
        ]
    };
    let widths: Vec<usize> = Layout::horizontal(constraints.clone())
        .spacing(1)
        .split(area)
        .iter()
        .map(|r| r.width as usize)
        .collect();
    let fit =
        |text: &str, column: usize| Cell::from(fit(text, widths.get(column).copied().unwrap_or(0)));
    let rows_visible = area.height.saturating_sub(1) as usize;
    let end = (state.offset + rows_visible).min(state.view.len());
    let range_lo_hi = state
        .range_from
        .map(|from| (from.min(state.selected), from.max(state.selected)));
    let rows: Vec<Row> = (state.offset..end)
        .map(|pos| {
            let item = &state.items[state.view[pos]];
            let a = &item.saved.automation;
            let selected = pos == state.selected;
            let marked = state.marks.contains(item.id())
                || range_lo_hi.is_some_and(|(lo, hi)| (lo..=hi).contains(&pos));
            let glyph = match (selected, marked) {
                (true, true) => "▶✓",
                (true, false) => "▶ ",
                (false, true) => " ✓",
                (false, false) => "  ",
            };
            let mut cells = vec![
                Cell::from(Line::from(vec![
                    Span::styled(glyph, theme.marked()),
                    state_cell(state, item, theme),
                ])),
                fit(&a.name, 1),
                fit(&item.event, 2),
            ];
            if wide {
                cells.push(fit(&item.scope, 3));
            }
            cells.push(fit(&item.action, if wide { 4 } else { 3 }));
            if wide {
                cells.push(Cell::from(Span::styled(
                    super::ago(state.now, item.changed),
                    theme.dim(),
                )));
            }
            let row = Row::new(cells);
            if selected {
                row.style(theme.selected())
            } else if !a.enabled {
                row.style(theme.dim())
            } else {
                row
            }
        })
        .collect();
    let titles = if wide {
        vec!["", "NAME", "EVENT", "SCOPE", "ACTION", "UPD"]
    } else {
        vec!["", "NAME", "EVENT", "ACTION"]
    };
    let header = Row::new(titles).style(theme.dim().add_modifier(Modifier::BOLD));
    frame.render_widget(
        Table::new(rows, constraints)
            .header(header)
            .column_spacing(1),
        area,
    );
}
