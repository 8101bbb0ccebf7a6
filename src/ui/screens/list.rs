//! The automation list: rows are built for the visible slice only.

use crate::app::State;
use crate::app::screens::wizard::text::spinner;
use crate::app::store::list::{Item, Loading};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

fn state_cell(state: &State, item: &Item, theme: Theme) -> Span<'static> {
    if state.writes.pending(item.id()).is_some() {
        return Span::styled(spinner(state.frame), theme.warn());
    }
    if item.saved.automation.enabled {
        Span::styled("●", theme.on())
    } else {
        Span::styled("○", theme.off())
    }
}

/// `text` cut to `width` characters, with `…` when cut.
fn fit(text: &str, width: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(width) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
            out.push('…');
            std::borrow::Cow::Owned(out)
        }
    }
}

/// Draws the list in `area`. Rows are written straight into the buffer, only for the visible
/// slice, with the columns laid out once per frame.
pub fn draw(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    if state.list.view_len() == 0 {
        let text = match (state.list.loading(), state.list.is_empty()) {
            (Loading::Loading, _) if !state.session.connected() => format!(
                "{} connecting to {}…\nq quits at any time",
                spinner(state.frame),
                state.session.backend_label()
            ),
            (Loading::Loading, _) => format!(
                "{} loading the automations of {}…",
                spinner(state.frame),
                state.entity()
            ),
            (Loading::Failed(e), true) => format!(
                "could not load the automations of {}:\n{e}\n\nctrl-r tries again; @ switches entity or backend",
                state.entity()
            ),
            (_, true) => format!("{} has no automations yet.", state.entity()),
            (_, false) => format!(
                "nothing matches /{}\nesc clears the filter",
                state.list.filter()
            ),
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
    let last = wide && state.shows_last();
    let constraints = if wide {
        let mut c = vec![
            Constraint::Length(3),
            Constraint::Fill(3),
            Constraint::Fill(3),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(4),
        ];
        if last {
            c.insert(5, Constraint::Length(6));
        }
        c
    } else {
        vec![
            Constraint::Length(3),
            Constraint::Fill(3),
            Constraint::Fill(4),
            Constraint::Fill(3),
        ]
    };
    let columns = Layout::horizontal(constraints)
        .spacing(1)
        .split(Rect { height: 1, ..area });
    let titles: &[&str] = if last {
        &["", "NAME", "EVENT", "SCOPE", "ACTION", "LAST", "UPD"]
    } else if wide {
        &["", "NAME", "EVENT", "SCOPE", "ACTION", "UPD"]
    } else {
        &["", "NAME", "EVENT", "ACTION"]
    };
    let buf = frame.buffer_mut();
    let header_style = theme.dim().add_modifier(Modifier::BOLD);
    for (title, column) in titles.iter().zip(columns.iter()) {
        buf.set_stringn(column.x, area.y, title, column.width as usize, header_style);
    }
    let rows_visible = area.height.saturating_sub(1) as usize;
    let (offset, at) = (state.selection.offset(), state.selection.selected());
    let range = state
        .selection
        .range_from()
        .map(|from| (from.min(at), from.max(at)));
    for (line, item) in state.list.rows(offset, offset + rows_visible).enumerate() {
        let pos = offset + line;
        let y = area.y + 1 + line as u16;
        let a = &item.saved.automation;
        let selected = pos == at;
        let marked = state.selection.marks().contains(item.id())
            || range.is_some_and(|(lo, hi)| (lo..=hi).contains(&pos));
        let row_style = if selected {
            theme.selected()
        } else if !a.enabled {
            theme.dim()
        } else {
            Style::default()
        };
        if row_style != Style::default() {
            buf.set_style(
                Rect {
                    x: area.x,
                    y,
                    width: area.width,
                    height: 1,
                },
                row_style,
            );
        }
        let glyph = match (selected, marked) {
            (true, true) => "▶✓",
            (true, false) => "▶ ",
            (false, true) => " ✓",
            (false, false) => "  ",
        };
        let x = columns[0].x;
        buf.set_string(x, y, glyph, theme.marked().patch(row_style));
        let state_glyph = state_cell(state, item, theme);
        buf.set_string(
            x + 2,
            y,
            state_glyph.content.as_ref(),
            row_style.patch(state_glyph.style),
        );
        let ago = crate::app::layout::ago(state.now, item.changed);
        let (fired, fired_style) = match state.last_execution(item.id()) {
            Some((status, at)) => {
                let (glyph, tone) = crate::app::screens::history::glyph(status);
                let when = crate::app::layout::ago(state.now, at);
                (format!("{glyph} {when}"), theme.tone(tone))
            }
            None => ("-".to_string(), theme.dim()),
        };
        let cells: [&str; 6] = [
            &a.name,
            &item.event,
            &item.scope,
            &item.action,
            &ago,
            &fired,
        ];
        let shown: &[usize] = match (last, wide) {
            (true, _) => &[0, 1, 2, 3, 5, 4],
            (false, true) => &[0, 1, 2, 3, 4],
            (false, false) => &[0, 1, 3],
        };
        for (column, &cell) in columns[1..].iter().zip(shown) {
            let style = match cell {
                4 => theme.dim().patch(row_style),
                5 => fired_style.patch(row_style),
                _ => row_style,
            };
            buf.set_stringn(
                column.x,
                y,
                fit(cells[cell], column.width as usize),
                column.width as usize,
                style,
            );
        }
    }
}
