//! The one table painter: column titles, then the rows shown, written straight into the buffer
//! with the columns `app::table::fit` placed. The automation list, the history, the runs and the
//! integrations are painted here.

use super::theme::Theme;
use crate::app::table::{Column, Rows, Table, fit};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

/// `text` cut to `width` characters, with `…` when cut.
fn cut(text: &str, width: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(width) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
            out.push('…');
            std::borrow::Cow::Owned(out)
        }
    }
}

/// Paints a table into `area`: its titles on the first row, its rows under them.
pub(crate) fn draw<R: Rows + ?Sized>(
    frame: &mut Frame,
    theme: Theme,
    area: Rect,
    columns: &[Column],
    table: &Table,
    rows: &R,
) {
    let placed = fit(columns, area.width);
    let buf = frame.buffer_mut();
    let titles = theme.dim().add_modifier(Modifier::BOLD);
    for (column, (x, width)) in columns.iter().zip(&placed) {
        buf.set_stringn(
            area.x + x,
            area.y,
            column.title,
            usize::from(*width),
            titles,
        );
    }
    let visible = usize::from(area.height.saturating_sub(1));
    let at = table.selected();
    for (line, position) in table.shown(rows.count(), visible).enumerate() {
        let row = rows.row(position);
        let y = area.y + 1 + line as u16;
        let row_style = if position == at {
            theme.selected()
        } else {
            theme.tone(row.tone)
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
        let glyph = match (position == at, row.marked) {
            (true, true) => "▶✓",
            (true, false) => "▶ ",
            (false, true) => " ✓",
            (false, false) => "  ",
        };
        let x = area.x + placed.first().map_or(0, |p| p.0);
        buf.set_string(x, y, glyph, theme.marked().patch(row_style));
        buf.set_string(
            x + 2,
            y,
            &row.lead.text,
            row_style.patch(theme.tone(row.lead.tone)),
        );
        for (cell, (cx, width)) in row.cells.iter().zip(placed.iter().skip(1)) {
            let width = usize::from(*width);
            let style = theme.tone(cell.tone).patch(row_style);
            buf.set_stringn(area.x + cx, y, cut(&cell.text, width), width, style);
        }
    }
}
