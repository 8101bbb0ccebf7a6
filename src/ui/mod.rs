//! Drawing: `view(&State, &mut Frame)`, a pure function of the state. One module per screen.

pub mod chrome;
pub mod detail;
pub mod integrations;
pub mod list;
pub mod overlays;
pub mod theme;
pub mod wizard;

use crate::app::State;
use crate::app::layout::{Arrangement, MIN_HEIGHT, MIN_WIDTH, arrangement};
use crate::app::state::Overlay;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;
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
    match &state.overlay {
        Overlay::Detail { tab, scroll } => detail::full(state, theme, *tab, *scroll, frame, body),
        Overlay::Raw { scroll } => detail::raw(state, theme, *scroll, frame, body),
        Overlay::Integrations { selected } => {
            integrations::screen(state, theme, *selected, frame, body)
        }
        Overlay::Wizard(w) => wizard::draw(state, w, theme, frame, body),
        _ => main_screen(state, theme, frame, body),
    }
    chrome::footer(state, theme, frame, footer);
    overlays::draw(state, theme, frame, body);
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
            list::draw(state, theme, frame, left);
            detail::pane(state, theme, frame, right);
        }
        Arrangement::Stacked(height) => {
            let [top, bottom] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(height)]).areas(body);
            list::draw(state, theme, frame, top);
            detail::pane(state, theme, frame, bottom);
        }
        _ => list::draw(state, theme, frame, body),
    }
}

/// A rectangle of at most `width` x `height`, centred in `area`.
/// The header row, the body and the footer row.
fn screen_areas(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// How many rows `paragraph` (without a block) can scroll in `inner` before its last row reaches
/// the bottom.
fn scroll_room(paragraph: &Paragraph, inner: Rect) -> u16 {
    let rows = paragraph.line_count(inner.width.max(1));
    u16::try_from(rows.saturating_sub(usize::from(inner.height))).unwrap_or(u16::MAX)
}

/// How far the current screen's text can scroll at the state's terminal size (0 when it does
/// not scroll). `update` keeps scroll offsets within it, so `G` lands on the last page and the
/// next `k` moves at once.
pub fn scroll_limit(state: &State) -> u16 {
    let [_, body, _] = screen_areas(Rect::new(0, 0, state.width, state.height));
    let theme = Theme::new(state.mono);
    match &state.overlay {
        Overlay::Detail { tab, .. } => detail::scroll_limit(state, theme, Some(*tab), body),
        Overlay::Raw { .. } => detail::scroll_limit(state, theme, None, body),
        Overlay::Wizard(w) => wizard::review_scroll_limit(state, w, theme, body),
        Overlay::Help { filter, .. } => overlays::help_scroll_limit(state, theme, filter, body),
        _ => 0,
    }
}

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

/// "12s", "5m", "3h", "4d", "2mo", "1y" since `then` (Unix seconds); "-" when unknown.
pub fn ago(now: i64, then: i64) -> String {
    if then <= 0 {
        return "-".into();
    }
    let s = (now - then).max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        86_400..2_592_000 => format!("{}d", s / 86_400),
        2_592_000..31_536_000 => format!("{}mo", s / 2_592_000),
        _ => format!("{}y", s / 31_536_000),
    }
}
