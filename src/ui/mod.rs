//! Drawing: `view(&State, &mut Frame)` paints what the state holds, prepared, into the areas of
//! the layout `update` computed; it computes nothing and changes nothing. One painter per screen
//! (`screens/`) and per modal (`modals/`), mirroring `app`, the one table painter (`table`), the
//! header, footer and toasts (`chrome`) and the theme.

pub(crate) mod chrome;
pub(crate) mod modals;
pub(crate) mod screens;
pub(crate) mod table;
pub(crate) mod theme;

use crate::app::State;
use crate::app::input::Sideways;
use crate::app::layout::{Area, Layout, MIN_HEIGHT, MIN_WIDTH};
use crate::app::text::{Doc, TextLine};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use theme::Theme;

/// Draws the whole screen.
pub fn view(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let theme = Theme::new(state.mono);
    let computed;
    let layout = if state.size() == (area.width, area.height) {
        &state.stores.layout
    } else {
        // A frame drawn before the resize reached `update`.
        computed = Layout::new(area.width, area.height);
        &computed
    };
    if layout.too_small() {
        let text = format!(
            "terminal too small: {}x{}\nwbauto needs at least {MIN_WIDTH}x{MIN_HEIGHT}",
            area.width, area.height
        );
        let y = area.height / 2;
        let msg = Rect {
            y: area.y + y.saturating_sub(1),
            height: 2.min(area.height),
            ..area
        };
        frame.render_widget(
            Paragraph::new(text)
                .alignment(Alignment::Center)
                .style(theme.warn()),
            msg,
        );
        return;
    }
    chrome::header(state, theme, frame, rect(layout.header));
    screens::draw(state, layout, theme, frame);
    chrome::footer(state, theme, frame, rect(layout.footer));
    // Toasts under the modals: a box waiting for an answer is never covered.
    chrome::toasts(state, layout, theme, frame);
    for modal in &state.modals {
        modals::draw(state, layout, modal, theme, frame);
    }
}

/// The rectangle of a layout area.
pub(crate) fn rect(a: Area) -> Rect {
    Rect {
        x: a.x,
        y: a.y,
        width: a.width,
        height: a.height,
    }
}

/// A prepared line in the theme's styles.
pub(crate) fn line(text: &TextLine, theme: Theme) -> Line<'static> {
    Line::from(
        text.pieces
            .iter()
            .map(|p| Span::styled(p.text.clone(), theme.tone(p.tone)))
            .collect::<Vec<_>>(),
    )
    .style(theme.tone(text.tone))
}

/// Prepared lines in the theme's styles.
pub(crate) fn lines(lines: &[TextLine], theme: Theme) -> Vec<Line<'static>> {
    lines.iter().map(|l| line(l, theme)).collect()
}

/// A prepared text as a paragraph, wrapped when it is prose, scrolled by `scroll` rows.
pub(crate) fn paragraph(doc: &Doc, theme: Theme, scroll: u16) -> Paragraph<'static> {
    paragraph_at(doc, theme, scroll, 0)
}

/// A prepared text as [`paragraph`] makes it, code scrolled `column` columns sideways too.
pub(crate) fn paragraph_at(
    doc: &Doc,
    theme: Theme,
    scroll: u16,
    column: u16,
) -> Paragraph<'static> {
    let p = Paragraph::new(lines(&doc.lines, theme)).scroll((scroll, column));
    if doc.wrap {
        p.wrap(Wrap { trim: false })
    } else {
        p
    }
}

/// A box around a code view, its bottom edge saying which way its long lines go on.
pub(crate) fn code_block(theme: Theme, title: String, sideways: &Sideways) -> Block<'static> {
    let block = block(theme, title);
    match sideways.hint() {
        Some(hint) => block.title_bottom(Span::styled(hint.to_string(), theme.dim())),
        None => block,
    }
}

/// A bordered box with a title.
pub(crate) fn block(theme: Theme, title: String) -> Block<'static> {
    Block::bordered()
        .border_style(theme.dim())
        .title(Span::styled(title, theme.title()))
}
