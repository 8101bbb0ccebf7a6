//! The wizard screen: a step rail, the current step's fields with their errors and help, the live
//! sentence, and the review (sentence, automation file and the exact wire input).

use super::chrome::SPINNER;
use super::theme::Theme;
use crate::app::State;
use crate::app::wizard_screen::{OptionsState, WizardScreen, problem_matches};
use crate::file::{Format, render, to_value};
use crate::wizard::fields::{Field, Kind, fields};
use crate::wizard::variables::{for_event, preview};
use crate::wizard::{Step, Template};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

fn rail(w: &WizardScreen, theme: Theme) -> Vec<Line<'static>> {
    let current = w.wizard.step;
    Step::ALL
        .iter()
        .map(|s| {
            let (glyph, style) = match s.cmp(&current) {
                std::cmp::Ordering::Less => ("✓", theme.dim()),
                std::cmp::Ordering::Equal => ("▶", theme.title()),
                std::cmp::Ordering::Greater => (" ", theme.dim()),
            };
            Line::styled(format!("{glyph} {} {}", s.number(), s.title()), style)
        })
        .collect()
}

fn field_lines(
    w: &WizardScreen,
    field: &Field,
    focused: bool,
    theme: Theme,
    out: &mut Vec<Line<'static>>,
) {
    let marker = if focused {
        Span::styled("▶ ", theme.key())
    } else {
        Span::raw("  ")
    };
    let label = Span::styled(
        format!("{:<14}", field.label),
        if focused { theme.title() } else { theme.dim() },
    );
    match &field.kind {
        Kind::Text { suggestions } => {
            let cursor = if focused { "▏" } else { "" };
            let mut spans = vec![marker, label, Span::raw(format!("{}{cursor}", field.text))];
            if focused && !suggestions.is_empty() {
                spans.push(Span::styled(
                    format!("   ←/→ {} to pick from", suggestions.len()),
                    theme.dim(),
                ));
            }
            out.push(Line::from(spans));
        }
        Kind::Select { options, selected } => {
            let (value, greyed) = options.get(*selected).cloned().unwrap_or_default();
            let mut spans = vec![
                marker,
                label,
                Span::styled(format!("‹ {value} ›"), theme.key()),
            ];
            if let Some(reason) = greyed {
                spans.push(Span::styled(format!("  ({reason})"), theme.warn()));
            }
            out.push(Line::from(spans));
            if focused && options.len() > 1 {
                for (i, (option, reason)) in options.iter().enumerate() {
                    let text = match reason {
                        Some(r) => {
                            Line::styled(format!("                  {option} — {r}"), theme.dim())
                        }
                        None if i == *selected => {
                            Line::styled(format!("                ▸ {option}"), theme.key())
                        }
                        None => Line::raw(format!("                  {option}")),
                    };
                    out.push(text);
                }
            }
        }
        Kind::Multi { options, chosen } => {
            let mut spans = vec![marker, label];
            for (i, (option, on)) in options.iter().zip(chosen).enumerate() {
                let text = format!("[{}] {option}  ", if *on { "x" } else { " " });
                let style = if focused && i == w.cursor % options.len().max(1) {
                    theme.selected()
                } else {
                    theme.key()
                };
                spans.push(Span::styled(text, style));
            }
            out.push(Line::from(spans));
        }
        Kind::Toggle(on) => out.push(Line::from(vec![
            marker,
            label,
            Span::styled(format!("[{}]", if *on { "x" } else { " " }), theme.key()),
        ])),
        Kind::Area => {
            out.push(Line::from(vec![marker, label]));
            payload_lines(w, &field.text, focused, theme, out);
            let event = w.wizard.answers.event;
            let status = match serde_json::from_str::<serde_json::Value>(&field.text) {
                _ if field.text.trim().is_empty() => {
                    Line::styled("    no payload: W&B sends its default", theme.dim())
                }
                Ok(serde_json::Value::Object(_)) => Line::styled(
                    format!(
                        "    ✓ valid JSON · preview: {}",
                        compact(&preview(&field.text, event))
                    ),
                    theme.on(),
                ),
                Ok(_) => Line::styled("    ✗ the payload must be a JSON object", theme.error()),
                Err(e) => Line::styled(
                    format!(
                        "    ✗ not valid JSON yet: line {}, column {}",
                        e.line(),
                        e.column()
                    ),
                    theme.warn(),
                ),
            };
            out.push(status);
            if let (true, Some(selected)) = (focused, w.variables) {
                out.push(Line::styled(
                    "    insert a variable (↑/↓, enter; other keys close):",
                    theme.title(),
                ));
                for (i, v) in for_event(event).iter().enumerate() {
                    let text = format!(
                        "      {}{:<28} {} (e.g. {})",
                        if i == selected { "▶ " } else { "  " },
                        v.text,
                        v.meaning,
                        v.sample
                    );
                    out.push(if i == selected {
                        Line::styled(text, theme.selected())
                    } else {
                        Line::raw(text)
                    });
                }
            } else if focused {
                let vars: Vec<&str> = for_event(event).iter().map(|v| v.text).collect();
                out.push(Line::styled(
                    format!("    ctrl-v: insert a variable ({})", vars.join(" ")),
                    theme.dim(),
                ));
            }
        }
    }
    for problem in w
        .wizard
        .errors
        .iter()
        .filter(|p| problem_matches(p, field.key))
    {
        out.push(Line::styled(
            format!("    ✗ {}", problem.message),
            theme.error(),
        ));
    }
    if focused {
        out.push(Line::styled(format!("    {}", field.help), theme.dim()));
    }
}

/// How many payload lines the wizard shows at once; longer payloads scroll with the cursor.
const PAYLOAD_ROWS: usize = 12;

/// The payload text with the cursor drawn in, at most [`PAYLOAD_ROWS`] lines around the cursor,
/// and a note for the lines above and below that are out of sight.
fn payload_lines(
    w: &WizardScreen,
    text: &str,
    focused: bool,
    theme: Theme,
    out: &mut Vec<Line<'static>>,
) {
    if text.is_empty() {
        let shown = if focused { "▏" } else { "(no payload)" };
        out.push(Line::raw(format!("    │ {shown}")));
        return;
    }
    let (row, col) = w.payload.cursor();
    let mut lines: Vec<&str> = text.lines().collect();
    if text.ends_with('\n') {
        lines.push("");
    }
    let first = (row + 1)
        .saturating_sub(PAYLOAD_ROWS)
        .min(lines.len().saturating_sub(PAYLOAD_ROWS));
    let last = (first + PAYLOAD_ROWS).min(lines.len());
    if first > 0 {
        out.push(Line::styled(
            format!("    │ ↑ {first} more line(s)"),
            theme.dim(),
        ));
    }
    for (i, l) in lines.iter().enumerate().take(last).skip(first) {
        let shown = if focused && i == row {
            let at = l.char_indices().nth(col).map_or(l.len(), |(b, _)| b);
            format!("{}▏{}", &l[..at], &l[at..])
        } else {
            (*l).to_string()
        };
        out.push(Line::raw(format!("    │ {shown}")));
    }
    if last < lines.len() {
        out.push(Line::styled(
            format!("    │ ↓ {} more line(s)", lines.len() - last),
            theme.dim(),
        ));
    }
}

/// How many terminal rows each of `lines` takes when wrapped at `width` columns.
fn line_rows(lines: &[Line<'static>], width: u16) -> Vec<usize> {
    lines
        .iter()
        .map(|l| {
            Paragraph::new(l.clone())
                .wrap(Wrap { trim: false })
                .line_count(width.max(1))
        })
        .collect()
}

/// The first row to show so that the focused lines (`focus`, a range of line indices) are in
/// sight: their end if it fits, their start always. `rows` comes from [`line_rows`].
fn scroll_to_focus(rows: &[usize], focus: std::ops::Range<usize>, height: u16) -> usize {
    let start: usize = rows.iter().take(focus.start).sum();
    let end: usize = rows.iter().take(focus.end).sum();
    end.saturating_sub(usize::from(height)).min(start)
}

/// The note on the frame's bottom edge saying which way more of the step is out of sight.
fn more_hint(scroll: usize, total: usize, height: u16) -> Option<&'static str> {
    match (scroll > 0, total > scroll + usize::from(height)) {
        (true, true) => Some(" ↑↓ more above and below "),
        (true, false) => Some(" ↑ more above "),
        (false, true) => Some(" ↓ more below "),
        (false, false) => None,
    }
}

fn compact(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| text.to_string())
}

fn review_lines(state: &State, w: &WizardScreen, theme: Theme) -> Vec<Line<'static>> {
    let wizard = &w.wizard;
    let automation = wizard.automation();
    let mut out = vec![
        Line::styled(
            format!("In {}, {}.", automation.scope.path, wizard.sentence()),
            theme.title(),
        ),
        Line::raw(""),
    ];
    let rows = [
        automation.scope.path.to_string(),
        automation.event.kind().short().to_string(),
        crate::model::summary::event_sentence(&automation.event),
        crate::model::summary::action_sentence(&automation.action),
        format!(
            "{} ({})",
            automation.name,
            if automation.enabled {
                "enabled"
            } else {
                "disabled"
            }
        ),
    ];
    for (i, (step, text)) in WizardScreen::REVIEW_ROWS.iter().zip(rows).enumerate() {
        let marker = if w.focus == i { "▶ " } else { "  " };
        let line = Line::from(vec![
            Span::raw(marker),
            Span::styled(format!("{:<11}", step.title()), theme.dim()),
            Span::raw(text),
        ]);
        out.push(if w.focus == i {
            line.style(theme.selected())
        } else {
            line
        });
    }
    let save = if wizard.editing.is_some() {
        "Save changes"
    } else {
        "Create"
    };
    let button = if w.focus == WizardScreen::REVIEW_ROWS.len() {
        Span::styled(format!("▶ {save} ◀"), theme.selected())
    } else {
        Span::raw(format!("  {save}  "))
    };
    out.push(Line::raw(""));
    out.push(Line::from(vec![Span::raw("  "), button]));
    for problem in &wizard.errors {
        out.push(Line::styled(format!("  ✗ {problem}"), theme.error()));
    }
    out.push(Line::raw(""));
    out.push(Line::styled("Automation file", theme.title()));
    out.extend(
        render(&to_value(&automation, &state.entity, false), Format::Yaml)
            .lines()
            .map(|l| Line::raw(format!("  {l}"))),
    );
    let mut wire = automation.clone();
    wire.scope.id = Some("<scope id, resolved on save>".into());
    if let Some(i) = wire.action.integration_mut() {
        i.id = Some("<integration id, resolved on save>".into());
    }
    if let Ok(input) = crate::wire::encode::create_input(&wire) {
        out.push(Line::styled(
            "Wire input (CreateFilterTriggerInput)",
            theme.title(),
        ));
        let text = serde_json::to_string_pretty(&input).unwrap_or_default();
        out.extend(text.lines().map(|l| Line::raw(format!("  {l}"))));
    }
    out
}

/// The step's text, and the range of its lines that belong to the focused field.
fn step_lines(
    state: &State,
    w: &WizardScreen,
    theme: Theme,
) -> (Vec<Line<'static>>, std::ops::Range<usize>) {
    let step = w.wizard.step;
    let mut lines = Vec::new();
    let mut focus = 0..0;
    match &w.options_state {
        OptionsState::Loading(_) => lines.push(Line::styled(
            format!(
                "{} loading projects and integrations…",
                SPINNER[state.frame % SPINNER.len()]
            ),
            theme.warn(),
        )),
        OptionsState::Failed(e) => lines.push(Line::styled(
            format!("could not load choices ({e}); type names, or ctrl-r to retry"),
            theme.error(),
        )),
        OptionsState::Ready => {}
    }
    if w.saving {
        lines.push(Line::styled(
            format!("{} saving…", SPINNER[state.frame % SPINNER.len()]),
            theme.warn(),
        ));
    }
    match step {
        Step::Start => {
            lines.push(Line::raw(
                "What should happen? Pick a start (←/→), then enter. Everything stays editable.",
            ));
            lines.push(Line::raw(""));
            let mut choices: Vec<(String, String)> = Vec::new();
            if let Some(draft) = &w.resume {
                let when = super::ago(state.now, draft.saved_at);
                choices.push((
                    draft.label(),
                    format!("saved {when} ago; your answers as you left them"),
                ));
            }
            choices.extend(
                Template::ALL
                    .iter()
                    .map(|t| (t.title().to_string(), t.explanation().to_string())),
            );
            for (i, (title, explanation)) in choices.iter().enumerate() {
                let focused = i == w.cursor % choices.len();
                let line = Line::raw(format!("{}{title}", if focused { "▶ " } else { "  " }));
                lines.push(if focused {
                    line.style(theme.selected())
                } else {
                    line
                });
                if focused {
                    lines.push(Line::styled(format!("    {explanation}"), theme.dim()));
                }
            }
        }
        Step::Review => lines.extend(review_lines(state, w, theme)),
        _ => {
            for (i, field) in fields(&w.wizard, &w.options, &state.capabilities)
                .iter()
                .enumerate()
            {
                let start = lines.len();
                field_lines(w, field, i == w.focus, theme, &mut lines);
                if i == w.focus {
                    focus = start..lines.len();
                }
            }
            for problem in w.wizard.errors.iter().filter(|p| p.path.is_empty()) {
                lines.push(Line::styled(
                    format!("✗ {}", problem.message),
                    theme.error(),
                ));
            }
            if step == Step::Condition {
                lines.push(Line::raw(""));
                lines.push(Line::styled(w.wizard.sentence(), theme.title()));
            }
        }
    }
    (lines, focus)
}

/// The wizard's two columns: the step rail and the step.
fn columns(body: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Length(16), Constraint::Fill(1)]).areas(body)
}

/// How many rows the Review can scroll in `inner`.
fn review_room(rows: &[usize], inner: Rect) -> usize {
    rows.iter()
        .sum::<usize>()
        .saturating_sub(usize::from(inner.height))
}

/// How far the Review can scroll in the wizard drawn over `body` (0 on other steps).
pub fn review_scroll_limit(state: &State, w: &WizardScreen, theme: Theme, body: Rect) -> u16 {
    if w.wizard.step != Step::Review {
        return 0;
    }
    let inner = Block::bordered().inner(columns(body)[1]);
    let (lines, _) = step_lines(state, w, theme);
    u16::try_from(review_room(&line_rows(&lines, inner.width), inner)).unwrap_or(u16::MAX)
}

/// Draws the wizard over the body.
pub fn draw(state: &State, w: &WizardScreen, theme: Theme, frame: &mut Frame, body: Rect) {
    frame.render_widget(Clear, body);
    let [left, right] = columns(body);
    let step = w.wizard.step;
    let rail_title = format!(" {}/6 ", step.number());
    frame.render_widget(
        Paragraph::new(rail(w, theme)).block(
            Block::bordered()
                .border_style(theme.dim())
                .title(rail_title),
        ),
        left,
    );
    let title = match &w.wizard.editing {
        Some(a) => format!(" Edit {} — {} ", a.name, step.title()),
        None => format!(" New automation — {} ", step.title()),
    };
    let (lines, focus) = step_lines(state, w, theme);
    let mut block = Block::bordered()
        .border_style(theme.title())
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(right);
    let rows = line_rows(&lines, inner.width);
    let scroll = if step == Step::Review {
        usize::from(w.review_scroll).min(review_room(&rows, inner))
    } else {
        scroll_to_focus(&rows, focus, inner.height)
    };
    if let Some(hint) = more_hint(scroll, rows.iter().sum(), inner.height) {
        block = block.title_bottom(Span::styled(hint, theme.dim()));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(block),
        right,
    );
    if w.confirm_discard {
        let area = super::centered(body, 64, 6);
        frame.render_widget(Clear, area);
        let text = vec![
            Line::raw("Discard your answers?"),
            Line::raw(""),
            Line::styled(
                "esc or d discards · s keeps a draft for later · other keys go back",
                theme.dim(),
            ),
        ];
        frame.render_widget(
            Paragraph::new(text).block(
                Block::bordered()
                    .border_style(theme.warn())
                    .title(" close the wizard "),
            ),
            area,
        );
    }
}
