//! Drawing: `view(&State, &mut Frame)` paints what the state holds, prepared; it computes
//! nothing and changes nothing. One module per screen (`screens/`) and per modal (`modals/`),
//! mirroring `app`, plus the header, footer and toasts (`chrome`) and the theme.

pub mod chrome;
pub mod modals;
pub mod screens;
pub mod theme;

use crate::app::State;
use crate::app::layout::{Arrangement, MIN_HEIGHT, MIN_WIDTH, arrangement};
use crate::app::screens::Screen;
use crate::app::text::{Doc, TextLine};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use theme::Theme;

/// Draws the whole screen.
pub fn view(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let theme = Theme::new(state.mono);
    if arrangement(area.width, area.height) == Arrangement::TooSmall {
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
    let [header, body, footer] = screen_areas(area);
    chrome::header(state, theme, frame, header);
    match &state.screen {
        Screen::Detail(d) => screens::detail::full(state, d, theme, frame, body),
        Screen::Raw(r) => screens::raw::draw(state, r, theme, frame, body),
        Screen::Integrations(i) => screens::integrations::draw(state, i, theme, frame, body),
        Screen::History(h) => screens::history::draw(h, theme, frame, body),
        Screen::Runs(r) => screens::runs::draw(r, theme, frame, body),
        Screen::Wizard(w) => screens::wizard::draw(w, theme, frame, body),
        Screen::List => main_screen(state, theme, frame, body),
    }
    chrome::footer(state, theme, frame, footer);
    for modal in &state.modals {
        modals::draw(state, modal, theme, frame, body);
    }
    chrome::toasts(state, theme, frame, body);
}

fn main_screen(state: &State, theme: Theme, frame: &mut Frame, body: Rect) {
    match arrangement(body.width, body.height + 2) {
        Arrangement::SideBySide => {
            let [left, right] = Layout::horizontal([
                Constraint::Fill(1),
                Constraint::Length((body.width * 36 / 100).clamp(36, 64)),
            ])
            .areas(body);
            screens::list::draw(state, theme, frame, left);
            screens::detail::pane(state, theme, frame, right);
        }
        Arrangement::Stacked(height) => {
            let [top, bottom] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(height)]).areas(body);
            screens::list::draw(state, theme, frame, top);
            screens::detail::pane(state, theme, frame, bottom);
        }
        _ => screens::list::draw(state, theme, frame, body),
    }
}

/// The header row, the body and the footer row.
fn screen_areas(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// A prepared line in the theme's styles.
pub fn line(text: &TextLine, theme: Theme) -> Line<'static> {
    Line::from(
        text.pieces
            .iter()
            .map(|p| Span::styled(p.text.clone(), theme.tone(p.tone)))
            .collect::<Vec<_>>(),
    )
    .style(theme.tone(text.tone))
}

/// Prepared lines in the theme's styles.
pub fn lines(lines: &[TextLine], theme: Theme) -> Vec<Line<'static>> {
    lines.iter().map(|l| line(l, theme)).collect()
}

/// A prepared text as a paragraph, wrapped when it is prose, scrolled by `scroll` rows.
pub fn paragraph(doc: &Doc, theme: Theme, scroll: u16) -> Paragraph<'static> {
    let p = Paragraph::new(lines(&doc.lines, theme)).scroll((scroll, 0));
    if doc.wrap {
        p.wrap(Wrap { trim: false })
    } else {
        p
    }
}

/// Prepared text in a titled box: with `focus`, scrolled so that line is in sight, else by
/// `scroll` rows.
pub fn titled(
    frame: &mut Frame,
    theme: Theme,
    area: Rect,
    title: &str,
    doc: &Doc,
    focus: Option<usize>,
    scroll: u16,
) {
    let block = ratatui::widgets::Block::bordered()
        .border_style(theme.dim())
        .title(Span::styled(title.to_string(), theme.title()));
    let rows = area.height.saturating_sub(2) as usize;
    let scroll = match focus {
        Some(line) => u16::try_from((line + 1).saturating_sub(rows)).unwrap_or(u16::MAX),
        None => scroll,
    };
    frame.render_widget(paragraph(doc, theme, scroll).block(block), area);
}

/// A rectangle of at most `width` x `height`, centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
