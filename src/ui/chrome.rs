//! Header, footer and toasts.

use super::rect;
use super::theme::Theme;
use crate::app::State;
use crate::app::keys::defs;
use crate::app::layout::Layout;
use crate::app::screens::Screen;
use crate::app::state::ToastKind;
use crate::app::store::list::Loading;
use crate::app::text::{ago, spinner};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// The top line: app, backend, entity, counts, filter, sort, read-only, freshness.
pub(crate) fn header(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    let (list, session) = (&state.stores.list, &state.stores.session);
    let sep = || Span::styled(" │ ", theme.dim());
    let mut spans = vec![
        Span::styled(" wbauto", theme.title()),
        sep(),
        Span::raw(session.backend_label().to_string()),
        sep(),
        Span::styled(
            if state.entity().is_empty() {
                "…".to_string()
            } else {
                state.entity().to_string()
            },
            theme.title(),
        ),
        sep(),
    ];
    let (total, shown) = (list.len(), list.view_len());
    let counts = match (shown == total, area.width < 100) {
        (true, false) => format!("{total} automations"),
        (true, true) => format!("{total}"),
        (false, _) => format!("{shown}/{total} shown"),
    };
    if *list.loading() == Loading::FirstPage {
        spans.push(Span::raw(format!("first {total} by name")));
    } else {
        spans.push(Span::raw(format!("{counts} · {} off", list.disabled())));
    }
    let marks = state.stores.selection.marks().len();
    if marks > 0 {
        spans.push(Span::styled(format!(" · {marks} marked"), theme.marked()));
    }
    let narrow = area.width < 100;
    spans.push(sep());
    let arrow = if list.reverse() { "↓" } else { "↑" };
    let sort = if narrow {
        format!("{arrow}{}", list.sort().label())
    } else {
        format!("sort {} {arrow}", list.sort().label())
    };
    spans.push(Span::styled(sort, theme.dim()));
    let editing = matches!(&state.screen, Screen::List(l) if l.editing_filter());
    if !list.filter().is_empty() || editing {
        spans.push(sep());
        let cursor = if editing { "▏" } else { "" };
        spans.push(Span::styled(
            format!("/{}{cursor}", list.filter()),
            theme.key(),
        ));
    }
    if state.read_only().is_some() {
        spans.push(sep());
        spans.push(Span::styled("RO", theme.warn()));
    }
    if state.activity.as_ref().is_some_and(|a| a.engine_running) {
        spans.push(sep());
        spans.push(Span::styled("engine ●", theme.on()));
    }
    spans.push(sep());
    let frame_no = state.stores.frame;
    let fresh = match (list.loading(), list.loaded_at()) {
        (Loading::Loading, _) if !session.connected() => Span::styled(
            format!(
                "{} connecting to {}",
                spinner(frame_no),
                session.backend_label()
            ),
            theme.warn(),
        ),
        (Loading::Loading, _) => {
            Span::styled(format!("{} loading", spinner(frame_no)), theme.warn())
        }
        (Loading::FirstPage, _) => Span::styled(
            format!("{} loading the rest", spinner(frame_no)),
            theme.warn(),
        ),
        (Loading::Failed(_), _) => Span::styled(
            format!(
                "load failed ({} retries)",
                state.stores.keymap.key(
                    &crate::app::keys::defs::REFRESH,
                    crate::app::screens::list::MODE
                )
            ),
            theme.error(),
        ),
        (Loading::Ready, Some(at)) => {
            let paused = if state.paused { ", paused" } else { "" };
            let word = if narrow { "" } else { "updated " };
            Span::styled(
                format!("{word}{} ago{paused}", ago(state.stores.now, at)),
                theme.dim(),
            )
        }
        (Loading::Ready, None) => Span::raw(""),
    };
    spans.push(fresh);
    // Too wide: the backend's label goes (the switch box names it), so the age stays.
    let mut line = Line::from(spans);
    if line.width() > usize::from(area.width) {
        line.spans.drain(2..4);
    }
    frame.render_widget(Paragraph::new(line), area);
}

/// The bottom line: the keys that work now, as prepared from the registry; entries are dropped
/// from the middle until it fits, the last two (help, back) stay, and help then reads "more".
pub(crate) fn footer(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    let items = &state.footer.items;
    let width = |from: &[&(String, String)]| {
        from.iter()
            .map(|(k, d)| k.chars().count() + d.chars().count() + 3)
            .sum::<usize>()
    };
    let room = area.width as usize - if state.read_only().is_some() { 11 } else { 0 };
    let mut shown: Vec<&(String, String)> = items.iter().collect();
    while width(&shown) > room && shown.len() > 2 {
        shown.remove(shown.len() - 3);
    }
    let dropped = shown.len() < items.len();
    let mut spans = vec![Span::raw(" ")];
    for (i, (key, what)) in shown.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        let what = if dropped && what == defs::HELP.short {
            "more"
        } else {
            what
        };
        spans.push(Span::styled(key.clone(), theme.key()));
        spans.push(Span::raw(format!(" {what}")));
    }
    if state.read_only().is_some() {
        spans.push(Span::styled("  read-only", theme.warn()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Toasts, newest at the bottom, in the boxes the layout gives them (never over the wizard's
/// "discard?" box; modals are painted over them).
pub(crate) fn toasts(state: &State, layout: &Layout, theme: Theme, frame: &mut Frame) {
    let newest_first = state.toasts.iter().rev();
    let discard = matches!(&state.screen, Screen::Wizard(w) if w.confirm_discard());
    let front = discard.then_some(layout.discard.outer);
    let boxes = layout.toasts(newest_first.clone().map(|t| t.text.as_str()), front);
    for (toast, area) in newest_first.zip(boxes) {
        let area = rect(area.outer);
        let (style, title) = match toast.kind {
            ToastKind::Info => (theme.title(), " ✓ "),
            ToastKind::Error => (theme.error(), " ✗ error "),
        };
        frame.render_widget(Clear, area);
        let block = Block::bordered()
            .border_style(style)
            .title(Span::styled(title, style));
        frame.render_widget(
            Paragraph::new(toast.text.clone())
                .wrap(Wrap { trim: false })
                .block(block),
            area,
        );
    }
}
