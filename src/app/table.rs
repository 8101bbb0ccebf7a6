//! The one list-table of the dashboard: the highlighted row and the first row shown, moved by
//! `update`, and columns fitted to the width, painted by the view. The automation list, the
//! history, the runs and the integrations are tables. The first column of every table is the
//! lead: the selection and mark glyphs, then one glyph of the row's own (its state).

use super::input::Move;
use super::text::Tone;
use std::borrow::Cow;
use std::ops::Range;

/// Where a table is: the highlighted row and the first row shown, kept in sight of each other.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Table {
    selected: usize,
    offset: usize,
}

impl Table {
    /// The highlighted position.
    pub(crate) fn selected(&self) -> usize {
        self.selected
    }

    /// The first position shown.
    pub(crate) fn offset(&self) -> usize {
        self.offset
    }

    /// Highlights a position (clamped to `len` rows), scrolling so it stays in sight of `rows`.
    pub(crate) fn select(&mut self, position: isize, len: usize, rows: usize) {
        let last = len.saturating_sub(1) as isize;
        self.selected = position.clamp(0, last.max(0)) as usize;
        self.clamp(len, rows);
    }

    /// Moves the highlight; a page is `rows` rows.
    pub(crate) fn go(&mut self, by: Move, len: usize, rows: usize) {
        let to = (self.selected as isize).saturating_add(by.delta(rows));
        self.select(to, len, rows);
    }

    /// Keeps the highlight and the first row shown inside `len` rows, `rows` at a time.
    pub(crate) fn clamp(&mut self, len: usize, rows: usize) {
        let rows = rows.max(1);
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        self.offset = self.offset.min(len.saturating_sub(rows));
    }

    /// The positions shown, `rows` at a time.
    pub(crate) fn shown(&self, len: usize, rows: usize) -> Range<usize> {
        self.offset.min(len)..(self.offset + rows).min(len)
    }
}

/// A table's rows as read from the backend: `None` while they load, or why they could not be
/// read; only the answer to the newest request is kept.
#[derive(Debug)]
pub(crate) struct Fetched<T>(Option<Result<Vec<T>, String>>);

impl<T> Default for Fetched<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<T> Fetched<T> {
    /// An answer arrived; kept when it answers the newest request.
    pub(crate) fn answer(&mut self, newest: bool, result: Result<Vec<T>, String>) {
        if newest {
            self.0 = Some(result);
        }
    }

    /// Asked again: loading until the answer comes.
    pub(crate) fn reload(&mut self) {
        self.0 = None;
    }

    /// What is known: `None` while loading.
    pub(crate) fn state(&self) -> Option<Result<&[T], &str>> {
        self.0
            .as_ref()
            .map(|r| r.as_ref().map(Vec::as_slice).map_err(String::as_str))
    }

    /// The rows read (none while loading or after a failure).
    pub(crate) fn rows(&self) -> &[T] {
        match &self.0 {
            Some(Ok(rows)) => rows,
            _ => &[],
        }
    }
}

/// How a column takes width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Width {
    /// Exactly this many cells.
    Fixed(u16),
    /// A share of what the fixed columns leave, by weight.
    Fill(u16),
}

/// A column: its title and its width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Column {
    pub(crate) title: &'static str,
    pub(crate) width: Width,
}

/// A column titled `title`, `cells` wide.
pub(crate) const fn fixed(title: &'static str, cells: u16) -> Column {
    Column {
        title,
        width: Width::Fixed(cells),
    }
}

/// A column titled `title` taking a `weight` share of the room left.
pub(crate) const fn fill(title: &'static str, weight: u16) -> Column {
    Column {
        title,
        width: Width::Fill(weight),
    }
}

/// The lead column: the selection and mark glyphs, then the row's own glyph.
pub(crate) const LEAD: Column = fixed("", 3);

/// Where each column goes across `width` cells, one space apart, as (offset, width): the fixed
/// columns first, the fill columns sharing the rest by weight with their edges rounded.
pub(crate) fn fit(columns: &[Column], width: u16) -> Vec<(u16, u16)> {
    let gaps = u16::try_from(columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
    let room = width.saturating_sub(gaps);
    let fixed: u16 = columns
        .iter()
        .map(|c| match c.width {
            Width::Fixed(n) => n,
            Width::Fill(_) => 0,
        })
        .sum();
    let share = f64::from(room.saturating_sub(fixed));
    let weights: u16 = columns
        .iter()
        .map(|c| match c.width {
            Width::Fill(w) => w,
            Width::Fixed(_) => 0,
        })
        .sum();
    let mut x = 0.0_f64;
    let mut out = Vec::with_capacity(columns.len());
    for (i, c) in columns.iter().enumerate() {
        let w = match c.width {
            Width::Fixed(n) => f64::from(n),
            Width::Fill(weight) => share * f64::from(weight) / f64::from(weights.max(1)),
        };
        let (start, end) = (x.round(), (x + w).round());
        let gap = u16::try_from(i).unwrap_or(u16::MAX);
        out.push((
            (start as u16).saturating_add(gap).min(width),
            ((end - start) as u16).min(width),
        ));
        x += w;
    }
    out
}

/// A cell: its text (borrowed where the row's data lives long enough) and tone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cell<'a> {
    pub(crate) text: Cow<'a, str>,
    pub(crate) tone: Tone,
}

/// A cell of `tone`.
pub(crate) fn cell<'a>(tone: Tone, text: impl Into<Cow<'a, str>>) -> Cell<'a> {
    Cell {
        text: text.into(),
        tone,
    }
}

/// One row as painted: its lead glyph, a cell per column after the lead, its own tone (dim for a
/// disabled automation), and whether it is marked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TableRow<'a> {
    pub(crate) lead: Cell<'a>,
    pub(crate) cells: Vec<Cell<'a>>,
    pub(crate) tone: Tone,
    pub(crate) marked: bool,
}

/// Rows prepared whole (a screen with few of them), owning their text.
pub(crate) type Prepared = Vec<TableRow<'static>>;

/// The rows of a table, made for the positions shown only.
pub(crate) trait Rows {
    /// How many rows there are.
    fn count(&self) -> usize;
    /// The row at a position.
    fn row(&self, position: usize) -> TableRow<'_>;
}

impl Rows for [TableRow<'static>] {
    fn count(&self) -> usize {
        self.len()
    }

    fn row(&self, position: usize) -> TableRow<'_> {
        let Some(row) = self.get(position) else {
            return TableRow::default();
        };
        fn borrow<'b>(c: &'b Cell<'static>) -> Cell<'b> {
            Cell {
                text: Cow::Borrowed(c.text.as_ref()),
                tone: c.tone,
            }
        }
        TableRow {
            lead: borrow(&row.lead),
            cells: row.cells.iter().map(borrow).collect(),
            tone: row.tone,
            marked: row.marked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fill_the_width_one_space_apart() {
        let columns = [LEAD, fill("A", 3), fill("B", 4), fill("C", 3)];
        let fitted = fit(&columns, 80);
        assert_eq!(fitted[0], (0, 3));
        let last = fitted[3];
        assert_eq!(last.0 + last.1, 80, "{fitted:?}");
        for pair in fitted.windows(2) {
            assert_eq!(pair[0].0 + pair[0].1 + 1, pair[1].0, "{fitted:?}");
        }
    }

    #[test]
    fn the_highlight_stays_in_sight() {
        let mut t = Table::default();
        t.go(Move::Bottom, 100, 10);
        assert_eq!((t.selected(), t.offset()), (99, 90));
        t.go(Move::PageUp, 100, 10);
        assert_eq!((t.selected(), t.offset()), (89, 89));
        t.clamp(5, 10);
        assert_eq!((t.selected(), t.offset(), t.shown(5, 10)), (4, 0, 0..5));
    }
}
