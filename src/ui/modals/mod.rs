//! Modal boxes drawn over the screen, one painter per modal of `app::modals`, and their registry:
//! one line per modal below.

pub(crate) mod confirm;
pub(crate) mod edit_error;
pub(crate) mod help;
pub(crate) mod palette;
pub(crate) mod switch;

use super::theme::Theme;
use crate::app::State;
use crate::app::layout::Layout;
use crate::app::modals::Modal;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// Paints a modal over the body.
pub(crate) fn draw(state: &State, layout: &Layout, modal: &Modal, theme: Theme, frame: &mut Frame) {
    let body = super::rect(layout.body);
    match modal {
        Modal::Help(m) => help::draw(m, layout, theme, frame),
        Modal::Palette(m) => palette::draw(m, theme, frame, body),
        Modal::Confirm(m) => confirm::draw(m, theme, frame, body),
        Modal::EditError(m) => edit_error::draw(m, theme, frame, body),
        Modal::Switch(m) => switch::draw(state, m, theme, frame, body),
    }
}

/// A rectangle of at most `width` x `height`, centred in `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// A bordered box of lines, wrapped, over whatever is under it.
fn boxed(frame: &mut Frame, theme: Theme, area: Rect, title: &str, lines: Vec<Line<'static>>) {
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_style(theme.title())
        .title(Span::styled(format!(" {title} "), theme.title()));
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    frame.render_widget(paragraph.block(block), area);
}

fn buttons(theme: Theme, no: &str, yes: &str, yes_focused: bool) -> Line<'static> {
    let button = |label: &str, focused: bool| {
        if focused {
            Span::styled(format!("▶ {label} ◀"), theme.selected())
        } else {
            Span::raw(format!("  {label}  "))
        }
    };
    Line::from(vec![
        Span::raw("   "),
        button(no, !yes_focused),
        Span::raw("    "),
        button(yes, yes_focused),
    ])
}

fn input_line(theme: Theme, label: &str, text: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label} "), theme.dim()),
        Span::styled(format!("{text}▏"), theme.key()),
    ])
}
