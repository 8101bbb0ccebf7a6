//! The detail pane beside the list, the full detail (Overview, Wire, Python) and the raw view.

use super::theme::Theme;
use crate::app::State;
use crate::app::state::{DetailTab, Item};
use crate::model::summary::{action_sentence, event_sentence, expr_words};
use crate::model::{Action, Automation, Event};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Tabs, Wrap};
use serde_json::Value;

fn when(stamp: Option<&str>) -> String {
    crate::cli::render::when(stamp).unwrap_or_else(|| "-".into())
}

fn field(theme: Theme, key: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{key:<12}"), theme.dim()),
        Span::raw(value),
    ])
}

/// The plain-words lines of an automation.
fn overview(state: &State, theme: Theme, item: &Item, full: bool) -> Vec<Line<'static>> {
    let a = &item.saved.automation;
    let (glyph, style, word) = if a.enabled {
        ("●", theme.on(), "enabled")
    } else {
        ("○", theme.off(), "disabled")
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{glyph} {word}"), style),
        Span::raw(format!("  {}", a.name)),
    ])];
    if let Some(reason) = a.read_only_reason() {
        lines.push(Line::from(Span::styled(
            format!("read-only: {reason}"),
            theme.warn(),
        )));
    }
    lines.push(field(theme, "scope", a.scope.path.to_string()));
    lines.push(field(theme, "when", event_sentence(&a.event)));
    lines.push(field(theme, "then", action_sentence(&a.action)));
    if let Some(d) = a.description.as_deref().filter(|d| !d.is_empty()) {
        lines.push(field(theme, "description", d.to_string()));
    }
    lines.push(field(
        theme,
        "updated",
        format!(
            "{} ({} ago)",
            when(a.updated_at.as_deref().or(a.created_at.as_deref())),
            super::ago(state.now, item.changed)
        ),
    ));
    if full {
        lines.extend(details(theme, a));
    }
    lines.push(field(theme, "id", a.id.clone().unwrap_or_default()));
    lines
}

fn json_lines(value: &Value) -> Vec<Line<'static>> {
    serde_json::to_string_pretty(value)
        .unwrap_or_default()
        .lines()
        .map(|l| Line::raw(format!("  {l}")))
        .collect()
}

/// Event and action details for the full view.
fn details(theme: Theme, a: &Automation) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::raw(""),
        Line::from(Span::styled("Event", theme.title())),
    ];
    lines.push(field(
        theme,
        "type",
        format!("{} ({})", a.event.kind().file_name(), a.event.wire_type()),
    ));
    match &a.event {
        Event::RunMetric { run_filter, .. } | Event::RunState { run_filter, .. } => {
            let runs = run_filter
                .as_ref()
                .map_or_else(|| "every run".to_string(), expr_words);
            lines.push(field(theme, "runs", runs));
        }
        Event::Artifact { filter, .. } => {
            lines.push(field(
                theme,
                "filter",
                filter
                    .as_ref()
                    .map_or_else(|| "none (every event)".to_string(), expr_words),
            ));
        }
        Event::Raw { filter, .. } => lines.push(field(theme, "filter", filter.clone())),
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled("Action", theme.title())));
    match &a.action {
        Action::Slack {
            integration,
            title,
            message,
            severity,
        } => {
            lines.push(field(theme, "slack", integration.display()));
            lines.push(field(theme, "severity", severity.file_name().to_string()));
            lines.push(field(theme, "title", title.clone()));
            lines.push(field(theme, "message", message.clone()));
        }
        Action::Webhook {
            integration,
            payload,
        } => {
            lines.push(field(theme, "webhook", integration.display()));
            match payload {
                Some(p) => {
                    lines.push(field(theme, "payload", String::new()));
                    lines.extend(json_lines(&Value::Object(p.clone())));
                }
                None => lines.push(field(theme, "payload", "none".into())),
            }
        }
        Action::NoOp => lines.push(field(
            theme,
            "no-op",
            "does nothing (for testing an event)".into(),
        )),
        Action::Raw {
            action_type,
            action,
        } => {
            lines.push(field(theme, "type", action_type.clone()));
            lines.extend(json_lines(action));
        }
    }
    lines.push(Line::raw(""));
    lines
}

/// The pane beside (or below) the list.
pub fn pane(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    let block = Block::bordered()
        .border_style(theme.dim())
        .title(Span::styled(" detail ", theme.dim()));
    let lines = match state.selected_item() {
        Some(item) => overview(state, theme, item, false),
        None => vec![Line::styled("nothing selected", theme.dim())],
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

/// The stored JSON, pretty.
fn wire_lines(item: &Item) -> Vec<Line<'static>> {
    match serde_json::from_str::<Value>(&item.saved.wire) {
        Ok(v) => serde_json::to_string_pretty(&v)
            .unwrap_or_default()
            .lines()
            .map(|l| Line::raw(l.to_string()))
            .collect(),
        Err(_) => vec![Line::raw(item.saved.wire.clone())],
    }
}

/// The full detail with its tabs.
pub fn full(
    state: &State,
    theme: Theme,
    tab: DetailTab,
    scroll: u16,
    frame: &mut Frame,
    area: Rect,
) {
    let Some(item) = state.selected_item() else {
        return;
    };
    let [tabs_area, content] = full_areas(area);
    let titles: Vec<String> = DetailTab::ALL
        .iter()
        .map(|t| t.title().to_string())
        .collect();
    let index = DetailTab::ALL.iter().position(|t| *t == tab).unwrap_or(0);
    frame.render_widget(
        Tabs::new(titles)
            .select(index)
            .highlight_style(theme.selected())
            .divider("│"),
        tabs_area,
    );
    let title = format!(" {} ", item.saved.automation.name);
    let block = Block::bordered()
        .border_style(theme.dim())
        .title(Span::styled(title, theme.title()));
    let paragraph = full_text(state, theme, tab).unwrap_or_default();
    let scroll = scroll.min(super::scroll_room(&paragraph, block.inner(content)));
    frame.render_widget(paragraph.block(block).scroll((scroll, 0)), content);
}

/// The tab bar's row and the content below it.
fn full_areas(area: Rect) -> [Rect; 2] {
    Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area)
}

/// The text of a full-detail tab for the selected automation (Overview wraps, code does not).
fn full_text(state: &State, theme: Theme, tab: DetailTab) -> Option<Paragraph<'static>> {
    let item = state.selected_item()?;
    Some(match tab {
        DetailTab::Overview => {
            Paragraph::new(overview(state, theme, item, true)).wrap(Wrap { trim: false })
        }
        DetailTab::Wire => Paragraph::new(wire_lines(item)),
        DetailTab::Python => Paragraph::new(
            crate::wire::python::python_code(&item.saved.automation)
                .lines()
                .map(|l| Line::raw(l.to_string()))
                .collect::<Vec<_>>(),
        ),
    })
}

/// How far the full detail (`tab`) or, without a tab, the raw view can scroll in `body`.
pub fn scroll_limit(state: &State, theme: Theme, tab: Option<DetailTab>, body: Rect) -> u16 {
    let inner = |area: Rect| Block::bordered().inner(area);
    let found = match tab {
        Some(tab) => full_text(state, theme, tab).map(|p| (p, inner(full_areas(body)[1]))),
        None => state
            .selected_item()
            .map(|item| (Paragraph::new(wire_lines(item)), inner(body))),
    };
    found.map_or(0, |(paragraph, area)| super::scroll_room(&paragraph, area))
}

/// The raw JSON view (`y`).
pub fn raw(state: &State, theme: Theme, scroll: u16, frame: &mut Frame, area: Rect) {
    let Some(item) = state.selected_item() else {
        return;
    };
    let title = format!(" {} — as stored ", item.saved.automation.name);
    let block = Block::bordered()
        .border_style(theme.dim())
        .title(Span::styled(title, theme.title()));
    let paragraph = Paragraph::new(wire_lines(item));
    let scroll = scroll.min(super::scroll_room(&paragraph, block.inner(area)));
    frame.render_widget(paragraph.block(block).scroll((scroll, 0)), area);
}
