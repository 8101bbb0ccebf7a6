//! Modal boxes drawn over the screen, one module per modal of `app::modals`.

pub mod confirm;
pub mod edit_error;
pub mod help;
pub mod palette;
pub mod switch;

use super::theme::Theme;
use crate::app::State;
use crate::app::modals::Modal;
use crate::app::text::Doc;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// Draws a modal over the body.
pub fn draw(state: &State, modal: &Modal, theme: Theme, frame: &mut Frame, body: Rect) {
    match modal {
        Modal::Help(m) => help::draw(m, theme, frame, body),
        Modal::Palette(m) => palette::draw(state, m, theme, frame, body),
        Modal::Confirm(m) => confirm::draw(m, theme, frame, body),
        Modal::EditError(m) => edit_error::draw(m, theme, frame, body),
        Modal::Switch(m) => switch::draw(state, m, theme, frame, body),
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

/// A bordered box of prepared text, scrolled.
fn boxed_doc(frame: &mut Frame, theme: Theme, area: Rect, title: &str, doc: &Doc, scroll: u16) {
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_style(theme.title())
        .title(Span::styled(format!(" {title} "), theme.title()));
    frame.render_widget(crate::ui::paragraph(doc, theme, scroll).block(block), area);
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
