//! Header, footer and toasts.

use super::theme::Theme;
use crate::app::State;
use crate::app::keys::Action;
use crate::app::state::{Confirm, Loading, Overlay, ToastKind};
use crate::app::update::sort_label;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// Spinner frames for work in flight.
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The top line: app, backend, entity, counts, filter, sort, read-only, freshness.
pub fn header(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    let info = state.backend_info();
    let endpoint = info
        .endpoint
        .rsplit('/')
        .next()
        .filter(|_| info.kind == crate::backend::BackendKind::Local)
        .unwrap_or(&info.endpoint);
    let sep = || Span::styled(" │ ", theme.dim());
    let mut spans = vec![
        Span::styled(" wbauto", theme.title()),
        sep(),
        Span::raw(format!("{} {endpoint}", info.kind)),
        sep(),
        Span::styled(state.entity.clone(), theme.title()),
        sep(),
    ];
    let off = state
        .items
        .iter()
        .filter(|i| !i.saved.automation.enabled)
        .count();
    let total = state.items.len();
    let shown = match (state.view.len() == total, area.width < 100) {
        (true, false) => format!("{total} automations"),
        (true, true) => format!("{total}"),
        (false, _) => format!("{}/{total} shown", state.view.len()),
    };
    spans.push(Span::raw(format!("{shown} · {off} off")));
    if !state.marks.is_empty() {
        spans.push(Span::styled(
            format!(" · {} marked", state.marks.len()),
            theme.marked(),
        ));
    }
    if !state.filter.is_empty() || state.filter_editing.is_some() {
        spans.push(sep());
        let cursor = if state.filter_editing.is_some() {
            "▏"
        } else {
            ""
        };
        spans.push(Span::styled(
            format!("/{}{cursor}", state.filter),
            theme.key(),
        ));
    }
    let narrow = area.width < 100;
    if !narrow {
        spans.push(sep());
        spans.push(Span::styled(
            format!("sort {}", sort_label(state.sort, state.reverse)),
            theme.dim(),
        ));
    }
    if state.read_only.is_some() {
        spans.push(sep());
        spans.push(Span::styled("RO", theme.warn()));
    }
    spans.push(sep());
    let fresh = match (&state.loading, state.loaded_at) {
        (Loading::Loading, _) => Span::styled(
            format!("{} loading", SPINNER[state.frame % SPINNER.len()]),
            theme.warn(),
        ),
        (Loading::Failed(_), _) => Span::styled("load failed (ctrl-r retries)", theme.error()),
        (Loading::Ready, Some(at)) => {
            let paused = if state.paused { ", paused" } else { "" };
            let word = if narrow { "" } else { "updated " };
            Span::styled(
                format!("{word}{} ago{paused}", super::ago(state.now, at)),
                theme.dim(),
            )
        }
        (Loading::Ready, None) => Span::raw(""),
    };
    spans.push(fresh);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn pairs(theme: Theme, items: &[(String, &str)]) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for (i, (key, what)) in items.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(key.clone(), theme.key()));
        spans.push(Span::raw(format!(" {what}")));
    }
    Line::from(spans)
}

/// The bottom line: the keys that work now.
pub fn footer(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    let fixed = |items: &[(&str, &'static str)]| {
        items
            .iter()
            .map(|(k, d)| (k.to_string(), *d))
            .collect::<Vec<_>>()
    };
    let items: Vec<(String, &str)> = if state.filter_editing.is_some() {
        fixed(&[
            ("enter", "keep filter"),
            ("esc", "restore"),
            ("↑↓", "move"),
            ("", "event: scope: action: on: off:"),
        ])
    } else {
        match &state.overlay {
            Overlay::Help { .. } => {
                fixed(&[("type", "to filter"), ("↑↓", "scroll"), ("esc", "close")])
            }
            Overlay::Palette { .. } => fixed(&[
                ("type", "to filter"),
                ("↑↓", "choose"),
                ("enter", "run"),
                ("esc", "close"),
            ]),
            Overlay::Confirm {
                what: Confirm::Delete { ids, .. },
                ..
            } if ids.len() > 1 => fixed(&[
                ("type", "the count"),
                ("tab", "switch button"),
                ("enter", "choose"),
                ("esc", "cancel"),
            ]),
            Overlay::Confirm { .. } => fixed(&[
                ("tab", "switch button"),
                ("enter", "choose"),
                ("esc", "cancel"),
            ]),
            Overlay::EditError { .. } => fixed(&[("e", "edit again"), ("esc", "discard")]),
            Overlay::Switch { .. } => fixed(&[
                ("type", "entity"),
                ("tab", "next backend"),
                ("enter", "switch"),
                ("esc", "cancel"),
            ]),
            Overlay::Wizard(w) if w.wizard.step == crate::wizard::Step::Review => fixed(&[
                ("↑/↓", "row"),
                ("enter", "go to step / save"),
                ("j/k", "scroll"),
                ("pgup", "back"),
                ("esc", "close"),
            ]),
            Overlay::Wizard(_) => fixed(&[
                ("tab/↓", "next field"),
                ("←/→", "choose"),
                ("enter", "next"),
                ("pgdn", "next step"),
                ("pgup", "back"),
                ("ctrl-s", "review"),
                ("esc", "close"),
            ]),
            _ => state
                .keymap
                .in_context(state.context())
                .filter(|b| b.in_footer && !(b.writes && state.read_only.is_some()))
                .filter_map(|b| {
                    let label = if b.action == Action::Back && state.overlay == Overlay::None {
                        "quit"
                    } else {
                        b.short
                    };
                    b.keys.first().map(|k| (k.to_string(), label))
                })
                .collect(),
        }
    };
    let mut items = items;
    let width = |items: &[(String, &str)]| {
        items
            .iter()
            .map(|(k, d)| k.chars().count() + d.chars().count() + 3)
            .sum::<usize>()
    };
    let room = area.width as usize - if state.read_only.is_some() { 11 } else { 0 };
    // Drop entries from the middle until it fits; the last two (help, back/quit) stay.
    while width(&items) > room && items.len() > 2 {
        items.remove(items.len() - 3);
    }
    let mut line = pairs(theme, &items);
    if state.read_only.is_some() {
        line.spans.push(Span::styled("  read-only", theme.warn()));
    }
    frame.render_widget(Paragraph::new(line), area);
}

/// Toasts, newest at the bottom, over the lower right of the body.
pub fn toasts(state: &State, theme: Theme, frame: &mut Frame, body: Rect) {
    let mut bottom = body.y + body.height;
    for toast in state.toasts.iter().rev() {
        let width = (toast.text.chars().count() as u16 + 4)
            .min(body.width.saturating_sub(2))
            .min(70);
        let inner = width.saturating_sub(2).max(1);
        let lines = (toast.text.chars().count() as u16)
            .div_ceil(inner)
            .clamp(1, 4);
        let height = lines + 2;
        if bottom < body.y + height {
            break;
        }
        bottom -= height;
        let area = Rect {
            x: body.x + body.width - width - 1,
            y: bottom,
            width,
            height,
        };
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
                .wrap(Wrap { trim: true })
                .block(block),
            area,
        );
    }
}
