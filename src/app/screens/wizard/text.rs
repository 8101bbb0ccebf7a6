//! The wizard's text, prepared for the view after every change: the step rail, the step's
//! fields with their errors and help (keys named from the key table), the live sentence, and the
//! Review (sentence, automation file and the exact wire input, built once per change, not per
//! frame). Also where the step is scrolled so the focused field is in sight.

use super::steps::{OptionsState, REVIEW_ROWS, problem_matches};
use super::{
    CHOOSE_NEXT, CHOOSE_PREV, DISCARD, DISCARD_ANSWERS, FIELDS, INSERT, KEEP_DRAFT, NEXT, PAYLOAD,
    PICK, RETRY, START, VARIABLES, VARIABLES_KEY, WizardScreen,
};
use crate::app::ctx::Ctx;
use crate::app::keys::{Def, Mode, defs};
use crate::app::modes::AppKeymap;
use crate::app::text::{Doc, Piece, TextLine, Tone, ago, spinner};
use crate::file::{Format, render, to_value};
use crate::model::variables::{unknown, unknown_message};
use crate::wizard::fields::{Field, FieldKeys, Kind, fields};
use crate::wizard::variables::{for_event, preview};
use crate::wizard::{Step, Template};

fn styled(text: impl Into<String>, tone: Tone) -> TextLine {
    TextLine::toned(tone, text)
}

fn span(text: impl Into<String>, tone: Tone) -> Piece {
    Piece::new(tone, text)
}

/// The wizard's frame around the step: the rail, titles, the scroll hint and the discard box.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Chrome {
    /// One line per step, the current one marked.
    pub(crate) rail: Vec<TextLine>,
    /// The rail box's title, e.g. ` 3/6 `.
    pub(crate) rail_title: String,
    /// The step box's title.
    pub(crate) title: String,
    /// Which way more of the step is out of sight, for the box's bottom edge.
    pub(crate) more: Option<&'static str>,
    /// The "discard your answers?" box, when it is open.
    pub(crate) discard: Option<Vec<TextLine>>,
}

/// Keys the wizard's text names, from the key table in force.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Hints {
    choose: String,
    pick: String,
    variables: String,
    menu: String,
    insert: String,
    retry: String,
    start_move: String,
    start_next: String,
    discard: String,
    keep: String,
}

impl Hints {
    /// The keys of `keymap`.
    fn new(keymap: &AppKeymap) -> Self {
        let k = |def: &Def, mode: Mode| keymap.key(def, mode);
        let arrows = |mode: Mode| {
            let last = |def: &Def| {
                keymap
                    .keys_in(def, mode)
                    .last()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            };
            format!("{}/{}", last(&defs::UP), last(&defs::DOWN))
        };
        let discard: Vec<String> = keymap
            .keys_in(&DISCARD_ANSWERS, DISCARD)
            .iter()
            .map(ToString::to_string)
            .collect();
        Self {
            choose: format!("{}/{}", k(&CHOOSE_PREV, FIELDS), k(&CHOOSE_NEXT, FIELDS)),
            pick: k(&PICK, FIELDS),
            variables: k(&VARIABLES_KEY, PAYLOAD),
            menu: arrows(VARIABLES),
            insert: k(&INSERT, VARIABLES),
            retry: k(&RETRY, FIELDS),
            start_move: arrows(START),
            start_next: k(&NEXT, START),
            discard: discard.join(" or "),
            keep: k(&KEEP_DRAFT, DISCARD),
        }
    }

    /// A field's help with the keys it names.
    fn help(&self, field: &Field) -> String {
        match field.keys {
            FieldKeys::None => field.help.to_string(),
            FieldKeys::Choose => format!("{} {}", self.choose, field.help),
            FieldKeys::Pick => format!("{} move, {} picks; {}", self.choose, self.pick, field.help),
            FieldKeys::Flip => format!("{} {}", self.pick, field.help),
            FieldKeys::Payload => {
                format!("{}, {} inserts a ${{variable}}", field.help, self.variables)
            }
        }
    }
}

impl WizardScreen {
    /// Makes the step's text again when something changed (`stale`), then settles the scroll
    /// for the terminal's size.
    pub(super) fn prepare_text(&mut self, ctx: &Ctx) {
        let text = ctx.layout.wizard.text;
        let height = text.height - self.chart_rows(text.height);
        if self.stale || self.doc.lines.is_empty() {
            self.stale = false;
            let hints = Hints::new(ctx.keymap);
            let (lines, focus) = step_lines(ctx, self, &hints);
            self.focus_lines = focus;
            self.doc = Doc::prose(lines);
            self.rows = line_rows(&self.doc.lines, text.width);
            self.chrome = chrome(self, &hints);
        }
        let total: usize = self.rows.iter().sum();
        let room = total.saturating_sub(usize::from(height));
        if self.wizard.step == Step::Review {
            self.review_scroll = self
                .review_scroll
                .min(u16::try_from(room).unwrap_or(u16::MAX));
            self.scroll = usize::from(self.review_scroll);
        } else {
            self.scroll = scroll_to_focus(&self.rows, self.focus_lines.clone(), height);
        }
        self.chrome.more = more_hint(self.scroll, total, height);
    }
}

fn chrome(w: &WizardScreen, hints: &Hints) -> Chrome {
    let step = w.wizard.step;
    Chrome {
        rail: rail(w),
        rail_title: format!(" {}/6 ", step.number()),
        title: match &w.wizard.editing {
            Some(a) => format!(" Edit {} — {} ", a.name, step.title()),
            None => format!(" New automation — {} ", step.title()),
        },
        more: None,
        discard: w.confirm_discard.then(|| {
            let keys = |key: &str, what: &str| {
                TextLine::new(vec![
                    span(format!("{key:<10}"), Tone::Key),
                    Piece::plain(what.to_string()),
                ])
            };
            vec![
                TextLine::plain("Discard your answers?"),
                TextLine::plain(""),
                keys(&hints.discard, "discard them"),
                keys(&hints.keep, "keep them as a draft for later"),
                styled("any other key goes back to the wizard", Tone::Dim),
            ]
        }),
    }
}

fn rail(w: &WizardScreen) -> Vec<TextLine> {
    let current = w.wizard.step;
    Step::ALL
        .iter()
        .map(|s| {
            let (glyph, style) = match s.cmp(&current) {
                std::cmp::Ordering::Less => ("✓", Tone::Dim),
                std::cmp::Ordering::Equal => ("▶", Tone::Title),
                std::cmp::Ordering::Greater => (" ", Tone::Dim),
            };
            styled(format!("{glyph} {} {}", s.number(), s.title()), style)
        })
        .collect()
}

fn field_lines(
    w: &WizardScreen,
    field: &Field,
    focused: bool,
    hints: &Hints,
    out: &mut Vec<TextLine>,
) {
    let marker = if focused {
        span("▶ ", Tone::Key)
    } else {
        Piece::plain("  ")
    };
    let label = span(
        format!("{:<14}", field.label),
        if focused { Tone::Title } else { Tone::Dim },
    );
    match &field.kind {
        Kind::Text { suggestions } => {
            let cursor = if focused { "▏" } else { "" };
            let mut spans = vec![
                marker,
                label,
                Piece::plain(format!("{}{cursor}", field.text)),
            ];
            if focused && !suggestions.is_empty() {
                spans.push(span(
                    format!("   {} {} to pick from", hints.choose, suggestions.len()),
                    Tone::Dim,
                ));
            }
            out.push(TextLine::new(spans));
        }
        Kind::Select { options, selected } => {
            let (value, greyed) = options.get(*selected).cloned().unwrap_or_default();
            let mut spans = vec![marker, label, span(format!("‹ {value} ›"), Tone::Key)];
            if let Some(reason) = greyed {
                spans.push(span(format!("  ({reason})"), Tone::Warn));
            }
            out.push(TextLine::new(spans));
            if focused && options.len() > 1 {
                for (i, (option, reason)) in options.iter().enumerate() {
                    let text = match reason {
                        Some(r) => styled(format!("                  {option} — {r}"), Tone::Dim),
                        None if i == *selected => {
                            styled(format!("                ▸ {option}"), Tone::Key)
                        }
                        None => TextLine::plain(format!("                  {option}")),
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
                    Tone::Selected
                } else {
                    Tone::Key
                };
                spans.push(span(text, style));
            }
            out.push(TextLine::new(spans));
        }
        Kind::Toggle(on) => out.push(TextLine::new(vec![
            marker,
            label,
            span(format!("[{}]", if *on { "x" } else { " " }), Tone::Key),
        ])),
        Kind::Area => {
            out.push(TextLine::new(vec![marker, label]));
            payload_lines(w, &field.text, focused, out);
            let event = w.wizard.answers.event;
            let status = match serde_json::from_str::<serde_json::Value>(&field.text) {
                _ if field.text.trim().is_empty() => {
                    styled("    no payload: W&B sends its default", Tone::Dim)
                }
                Ok(serde_json::Value::Object(_)) if !unknown(&field.text, event).is_empty() => {
                    styled(
                        format!(
                            "    ⚠ {}",
                            unknown_message(&unknown(&field.text, event), event)
                        ),
                        Tone::Warn,
                    )
                }
                Ok(serde_json::Value::Object(_)) => styled(
                    format!(
                        "    ✓ valid JSON · preview: {}",
                        compact(&preview(&field.text, event))
                    ),
                    Tone::On,
                ),
                Ok(_) => styled("    ✗ the payload must be a JSON object", Tone::Error),
                Err(e) => styled(
                    format!(
                        "    ✗ not valid JSON yet: line {}, column {}",
                        e.line(),
                        e.column()
                    ),
                    Tone::Warn,
                ),
            };
            out.push(status);
            if let (true, Some(selected)) = (focused, w.variables) {
                out.push(styled(
                    format!(
                        "    insert a variable ({}, {}; other keys close):",
                        hints.menu, hints.insert
                    ),
                    Tone::Title,
                ));
                for (i, v) in for_event(event).iter().enumerate() {
                    let text = format!(
                        "      {}{:<28} {} (e.g. {}){}",
                        if i == selected { "▶ " } else { "  " },
                        v.text(),
                        v.meaning,
                        v.sample,
                        if v.wandb { "" } else { "; local engine only" }
                    );
                    out.push(if i == selected {
                        styled(text, Tone::Selected)
                    } else {
                        TextLine::plain(text)
                    });
                }
            } else if focused {
                let vars: Vec<String> = for_event(event).iter().map(|v| v.text()).collect();
                out.push(styled(
                    format!(
                        "    {}: insert a variable ({})",
                        hints.variables,
                        vars.join(" ")
                    ),
                    Tone::Dim,
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
        out.push(styled(format!("    ✗ {}", problem.message), Tone::Error));
    }
    if focused {
        out.push(styled(format!("    {}", hints.help(field)), Tone::Dim));
    }
}

/// How many payload lines the wizard shows at once; longer payloads scroll with the cursor.
const PAYLOAD_ROWS: usize = 12;

/// The payload text with the cursor drawn in, at most [`PAYLOAD_ROWS`] lines around the cursor,
/// and a note for the lines above and below that are out of sight.
fn payload_lines(w: &WizardScreen, text: &str, focused: bool, out: &mut Vec<TextLine>) {
    if text.is_empty() {
        let shown = if focused { "▏" } else { "(no payload)" };
        out.push(TextLine::plain(format!("    │ {shown}")));
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
        out.push(styled(format!("    │ ↑ {first} more line(s)"), Tone::Dim));
    }
    for (i, l) in lines.iter().enumerate().take(last).skip(first) {
        let shown = if focused && i == row {
            let at = l.char_indices().nth(col).map_or(l.len(), |(b, _)| b);
            format!("{}▏{}", &l[..at], &l[at..])
        } else {
            (*l).to_string()
        };
        out.push(TextLine::plain(format!("    │ {shown}")));
    }
    if last < lines.len() {
        out.push(styled(
            format!("    │ ↓ {} more line(s)", lines.len() - last),
            Tone::Dim,
        ));
    }
}

/// How many terminal rows each of `lines` takes when wrapped at `width` columns.
fn line_rows(lines: &[TextLine], width: u16) -> Vec<usize> {
    lines.iter().map(|l| l.rows(width)).collect()
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

fn review_lines(ctx: &Ctx, w: &WizardScreen) -> Vec<TextLine> {
    let wizard = &w.wizard;
    let automation = wizard.automation();
    let caps = ctx.capabilities();
    let unready: Vec<_> = REVIEW_ROWS
        .iter()
        .map(|step| wizard.problems(*step, caps).into_iter().next())
        .collect();
    let headline = match unready.iter().flatten().count() {
        0 => styled(
            format!("In {}, {}.", automation.scope.path, wizard.sentence()),
            Tone::Title,
        ),
        n => styled(
            format!("Not ready: {n} step(s) to finish (✗ below); enter on a row goes to its step."),
            Tone::Warn,
        ),
    };
    let mut out = vec![headline, TextLine::plain("")];
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
    for (i, ((step, text), problem)) in REVIEW_ROWS.iter().zip(rows).zip(unready).enumerate() {
        let marker = if w.focus == i { "▶ " } else { "  " };
        let text = match problem {
            Some(p) => span(format!("✗ {}", p.message), Tone::Error),
            None => Piece::plain(text),
        };
        let line = TextLine::new(vec![
            Piece::plain(marker),
            span(format!("{:<11}", step.title()), Tone::Dim),
            text,
        ]);
        out.push(if w.focus == i {
            line.with_tone(Tone::Selected)
        } else {
            line
        });
    }
    let save = if wizard.editing.is_some() {
        "Save changes"
    } else {
        "Create"
    };
    let button = if w.focus == REVIEW_ROWS.len() {
        span(format!("▶ {save} ◀"), Tone::Selected)
    } else {
        Piece::plain(format!("  {save}  "))
    };
    out.push(TextLine::plain(""));
    out.push(TextLine::new(vec![Piece::plain("  "), button]));
    for problem in &wizard.errors {
        out.push(styled(format!("  ✗ {problem}"), Tone::Error));
    }
    out.push(TextLine::plain(""));
    out.push(styled("Automation file", Tone::Title));
    out.extend(
        render(&to_value(&automation, ctx.entity(), false), Format::Yaml)
            .lines()
            .map(|l| TextLine::plain(format!("  {l}"))),
    );
    let mut wire = automation.clone();
    wire.scope.id = Some("<scope id, resolved on save>".into());
    if let Some(i) = wire.action.integration_mut() {
        i.id = Some("<integration id, resolved on save>".into());
    }
    if let Ok(input) = crate::wire::encode::create_input(&wire) {
        out.push(styled("Wire input (CreateFilterTriggerInput)", Tone::Title));
        let text = serde_json::to_string_pretty(&input).unwrap_or_default();
        out.extend(text.lines().map(|l| TextLine::plain(format!("  {l}"))));
    }
    out
}

/// What the condition fires on in words; while an answer does not parse, what is wrong with it
/// instead (never a sentence made up from defaults).
fn condition_sentence(ctx: &Ctx, w: &WizardScreen) -> TextLine {
    let caps = ctx.capabilities();
    let problems = w.wizard.problems(Step::Condition, caps);
    let Some(first) = problems.first() else {
        return styled(w.wizard.sentence(), Tone::Title);
    };
    let label = fields(&w.wizard, &w.options, caps)
        .into_iter()
        .find(|f| problem_matches(first, f.key))
        .map_or(first.path.clone(), |f| f.label.to_string());
    styled(
        format!("no sentence yet: {label}: {}", first.message),
        Tone::Warn,
    )
}

/// The step's text, and the range of its lines that belong to the focused field.
fn step_lines(
    ctx: &Ctx,
    w: &WizardScreen,
    hints: &Hints,
) -> (Vec<TextLine>, std::ops::Range<usize>) {
    let step = w.wizard.step;
    let mut lines = Vec::new();
    let mut focus = 0..0;
    match &w.options_state {
        OptionsState::Loading(_) => lines.push(styled(
            format!("{} loading projects and integrations…", spinner(ctx.frame)),
            Tone::Warn,
        )),
        OptionsState::Failed(e) => lines.push(styled(
            format!(
                "could not load choices ({e}); type names, or {} to retry",
                hints.retry
            ),
            Tone::Error,
        )),
        OptionsState::Ready => {}
    }
    if w.saving {
        lines.push(styled(
            format!("{} saving…", spinner(ctx.frame)),
            Tone::Warn,
        ));
    }
    match step {
        Step::Start => {
            lines.push(TextLine::plain(format!(
                "What should happen? Pick a start ({}), then {}. Everything stays editable.",
                hints.start_move, hints.start_next
            )));
            lines.push(TextLine::plain(""));
            let mut choices: Vec<(String, String)> = Vec::new();
            if let Some(draft) = &w.resume {
                let when = ago(ctx.now, draft.saved_at);
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
                let line = TextLine::plain(format!("{}{title}", if focused { "▶ " } else { "  " }));
                lines.push(if focused {
                    line.with_tone(Tone::Selected)
                } else {
                    line
                });
                if focused {
                    lines.push(styled(format!("    {explanation}"), Tone::Dim));
                }
            }
        }
        Step::Review => lines.extend(review_lines(ctx, w)),
        _ => {
            for (i, field) in fields(&w.wizard, &w.options, ctx.capabilities())
                .iter()
                .enumerate()
            {
                let start = lines.len();
                field_lines(w, field, i == w.focus, hints, &mut lines);
                if i == w.focus {
                    focus = start..lines.len();
                }
            }
            for problem in w.wizard.errors.iter().filter(|p| p.path.is_empty()) {
                lines.push(styled(format!("✗ {}", problem.message), Tone::Error));
            }
            if step == Step::Condition {
                lines.push(TextLine::plain(""));
                lines.push(condition_sentence(ctx, w));
                lines.extend(w.preview.lines.iter().cloned());
            }
        }
    }
    (lines, focus)
}
