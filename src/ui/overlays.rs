//! Modal boxes drawn over the screen: help, palette, confirmations, edit errors, switching.

use super::centered;
use super::theme::Theme;
use crate::app::State;
use crate::app::state::{Confirm, DiffLine, Overlay};
use crate::app::update::palette_actions;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

fn boxed(
    frame: &mut Frame,
    theme: Theme,
    area: Rect,
    title: &str,
    lines: Vec<Line<'static>>,
    scroll: u16,
) {
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_style(theme.title())
        .title(Span::styled(format!(" {title} "), theme.title()));
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let scroll = scroll.min(super::scroll_room(&paragraph, block.inner(area)));
    frame.render_widget(paragraph.block(block).scroll((scroll, 0)), area);
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

/// Draws the overlay of the state, if it is a modal one.
pub fn draw(state: &State, theme: Theme, frame: &mut Frame, body: Rect) {
    match &state.overlay {
        Overlay::Help { filter, scroll } => help(state, theme, filter, *scroll, frame, body),
        Overlay::Palette { input, selected } => {
            palette(state, theme, input, *selected, frame, body)
        }
        Overlay::Confirm { what, yes } => confirm(theme, what, *yes, frame, body),
        Overlay::EditError { message, .. } => {
            let lines = vec![
                Line::styled("The edited file was not saved:", theme.error()),
                Line::raw(message.clone()),
                Line::raw(""),
                Line::raw("Your text is kept: e opens it again to fix it; esc discards it."),
            ];
            boxed(
                frame,
                theme,
                centered(body, 76, 12),
                "edit not saved",
                lines,
                0,
            );
        }
        Overlay::Switch { input, backend } => {
            let mut lines = vec![Line::styled("backend (tab to change):", theme.dim())];
            for (i, choice) in state.backends.iter().enumerate() {
                let glyph = if i == *backend { "▶ " } else { "  " };
                let style = if i == *backend {
                    theme.selected()
                } else {
                    theme.dim()
                };
                lines.push(Line::styled(
                    format!("{glyph}{} {}", choice.info.kind, choice.info.endpoint),
                    style,
                ));
            }
            lines.push(Line::raw(""));
            lines.push(input_line(theme, "entity:", input));
            let height = lines.len() as u16 + 2;
            boxed(frame, theme, centered(body, 70, height), "switch", lines, 0);
        }
        _ => {}
    }
}

fn help(state: &State, theme: Theme, filter: &str, scroll: u16, frame: &mut Frame, body: Rect) {
    let lines = help_lines(state, theme, filter);
    boxed(frame, theme, help_area(body), "help", lines, scroll);
}

/// Where the help box sits in the body.
fn help_area(body: Rect) -> Rect {
    centered(body, 84, body.height.saturating_sub(2))
}

/// How far the help (narrowed by `filter`) can scroll in `body`.
pub fn help_scroll_limit(state: &State, theme: Theme, filter: &str, body: Rect) -> u16 {
    let paragraph = Paragraph::new(help_lines(state, theme, filter)).wrap(Wrap { trim: false });
    super::scroll_room(&paragraph, Block::bordered().inner(help_area(body)))
}

/// The help's text: the filter, every binding that matches it, and two hints.
fn help_lines(state: &State, theme: Theme, filter: &str) -> Vec<Line<'static>> {
    let needle = filter.to_lowercase();
    let mut lines = vec![input_line(theme, "filter:", filter), Line::raw("")];
    for b in state
        .keymap
        .bindings
        .iter()
        .filter(|b| b.description.contains(&needle) || b.name.contains(&needle))
    {
        let keys: Vec<String> = b.keys.iter().map(ToString::to_string).collect();
        let mut spans = vec![
            Span::styled(format!("{:<14}", keys.join(" ")), theme.key()),
            Span::raw(b.description.to_string()),
        ];
        if b.writes && state.read_only.is_some() {
            spans.push(Span::styled("  (read-only)", theme.warn()));
        }
        spans.push(Span::styled(format!("  [{}]", b.name), theme.dim()));
        lines.push(Line::from(spans));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "In the filter: event:X scope:X action:X on: off: and fuzzy words.",
        theme.dim(),
    ));
    lines.push(Line::styled(
        "Keys are remapped in config.toml under [keys] by the names in brackets.",
        theme.dim(),
    ));
    lines
}

fn palette(
    state: &State,
    theme: Theme,
    input: &str,
    selected: usize,
    frame: &mut Frame,
    body: Rect,
) {
    let actions = palette_actions(state, input);
    let selected = selected.min(actions.len().saturating_sub(1));
    let mut lines = vec![input_line(theme, ":", input), Line::raw("")];
    for (i, action) in actions.iter().enumerate() {
        let Some(b) = state.keymap.binding(*action) else {
            continue;
        };
        let glyph = if i == selected { "▶ " } else { "  " };
        let line = Line::from(vec![
            Span::raw(glyph),
            Span::raw(format!("{:<40}", b.description)),
            Span::styled(
                b.keys.first().map(ToString::to_string).unwrap_or_default(),
                theme.key(),
            ),
        ]);
        lines.push(if i == selected {
            line.style(theme.selected())
        } else {
            line
        });
    }
    if actions.is_empty() {
        lines.push(Line::styled("no action matches", theme.dim()));
    }
    let height = (lines.len() as u16 + 2).min(body.height);
    boxed(
        frame,
        theme,
        centered(body, 64, height),
        "palette",
        lines,
        0,
    );
}

fn confirm(theme: Theme, what: &Confirm, yes: bool, frame: &mut Frame, body: Rect) {
    let list = |names: &[String]| {
        let mut lines: Vec<Line<'static>> = names
            .iter()
            .take(8)
            .map(|n| Line::raw(format!("  • {n}")))
            .collect();
        if names.len() > 8 {
            lines.push(Line::raw(format!("  … and {} more", names.len() - 8)));
        }
        lines
    };
    match what {
        Confirm::Delete { names, typed, ids } => {
            let mut lines = vec![Line::styled(
                format!(
                    "Delete {} automation(s)? This cannot be undone on W&B once you quit.",
                    ids.len()
                ),
                theme.error(),
            )];
            lines.extend(list(names));
            lines.push(Line::raw(""));
            if ids.len() > 1 {
                lines.push(input_line(
                    theme,
                    &format!("type {} to confirm:", ids.len()),
                    typed,
                ));
                lines.push(Line::raw(""));
            }
            lines.push(buttons(theme, "Cancel", "Delete", yes));
            let height = lines.len() as u16 + 2;
            boxed(frame, theme, centered(body, 72, height), "delete", lines, 0);
        }
        Confirm::Toggle { names, ids } => {
            let mut lines = vec![Line::raw(format!(
                "Enable or disable {} automations (each flips)?",
                ids.len()
            ))];
            lines.extend(list(names));
            lines.push(Line::raw(""));
            lines.push(buttons(theme, "Cancel", "Toggle", yes));
            let height = lines.len() as u16 + 2;
            boxed(frame, theme, centered(body, 64, height), "toggle", lines, 0);
        }
        Confirm::SaveEdit { after, diff, .. } => {
            let mut lines = vec![
                Line::raw(format!("Save these changes to {}?", after.name)),
                Line::raw(""),
            ];
            let changed: Vec<&DiffLine> = diff
                .iter()
                .filter(|d| !matches!(d, DiffLine::Same(_)))
                .collect();
            for d in changed.iter().take(body.height.saturating_sub(8) as usize) {
                lines.push(match d {
                    DiffLine::Added(l) => Line::styled(format!("+ {l}"), theme.added()),
                    DiffLine::Removed(l) => Line::styled(format!("- {l}"), theme.removed()),
                    DiffLine::Same(l) => Line::raw(format!("  {l}")),
                });
            }
            lines.push(Line::raw(""));
            lines.push(buttons(theme, "Cancel", "Save", yes));
            let height = (lines.len() as u16 + 2).min(body.height);
            boxed(
                frame,
                theme,
                centered(body, 90, height),
                "review edit",
                lines,
                0,
            );
        }
    }
}
