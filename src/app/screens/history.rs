//! The History screen (`h`): what the local engine fired, newest first, filtered by status and
//! by automation; `enter` shows the highlighted execution's request and answer. It reloads
//! itself while open, so it follows a running engine.

use super::super::keys::Action;
use super::super::msg::Effect;
use super::super::state::State;
use super::super::store::session::RequestKind;
use super::super::text::{Doc, Piece, TextLine, Tone};
use super::Screen;
use crate::engine::history::Execution;

/// The statuses the filter cycles through (`None` = all).
pub const STATUSES: [Option<&str>; 5] = [
    None,
    Some("success"),
    Some("failed"),
    Some("skipped"),
    Some("in_progress"),
];

/// The History screen.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryScreen {
    /// Only this automation (id, name), or all.
    pub automation: Option<(String, String)>,
    /// Only this status, or all.
    pub status: Option<&'static str>,
    /// The executions loaded (all statuses), newest first; `None` while loading.
    pub rows: Option<Result<Vec<Execution>, String>>,
    /// The highlighted row of the shown ones.
    pub selected: usize,
    /// The highlighted execution's request and answer are open.
    pub open: bool,
    /// The text shown: the rows, or the open execution.
    pub doc: Doc,
    /// Rows scrolled in the open execution.
    pub scroll: u16,
}

/// The glyph of a status, shown beside it (nothing depends on colour).
pub fn glyph(status: &str) -> (&'static str, Tone) {
    match status {
        "success" => ("✓", Tone::On),
        "failed" => ("✗", Tone::Error),
        "skipped" => ("–", Tone::Dim),
        _ => ("⋯", Tone::Warn),
    }
}

impl HistoryScreen {
    /// The rows the filters let through.
    pub fn shown(&self) -> Vec<&Execution> {
        match &self.rows {
            Some(Ok(rows)) => rows
                .iter()
                .filter(|r| self.status.is_none_or(|s| r.status == s))
                .filter(|r| {
                    self.automation
                        .as_ref()
                        .is_none_or(|(id, _)| r.automation_id == *id)
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Makes the text again after the rows, the filters or the selection changed.
    pub fn prepare(&mut self, now: i64) {
        let count = self.shown().len();
        self.selected = self.selected.min(count.saturating_sub(1));
        let shown = self.shown();
        let doc = match (&self.rows, self.open, shown.get(self.selected)) {
            (None, _, _) => Doc::prose(vec![TextLine::toned(Tone::Warn, "loading the history…")]),
            (Some(Err(e)), _, _) => Doc::prose(vec![
                TextLine::toned(Tone::Error, format!("could not load the history: {e}")),
                TextLine::toned(Tone::Dim, "ctrl-r tries again"),
            ]),
            (_, true, Some(row)) => Doc::code(execution_lines(row)),
            _ if shown.is_empty() => Doc::prose(vec![TextLine::toned(
                Tone::Dim,
                "nothing fired yet. `wbauto emit ...` sends an event (README: Make it fire)",
            )]),
            _ => Doc::code(
                shown
                    .iter()
                    .enumerate()
                    .map(|(i, r)| row_line(r, now, i == self.selected))
                    .collect(),
            ),
        };
        self.doc = doc;
    }

    /// The title: what is shown.
    pub fn title(&self) -> String {
        let who = self
            .automation
            .as_ref()
            .map_or_else(|| "every automation".to_string(), |(_, n)| n.clone());
        let status = self.status.unwrap_or("every status");
        format!(" history: {who} · {status} ")
    }
}

fn row_line(r: &Execution, now: i64, selected: bool) -> TextLine {
    let (glyph, tone) = glyph(&r.status);
    let at = r.decided_at();
    let what = r.subject();
    let step = r.step.map(|s| format!("step {s}")).unwrap_or_default();
    let result = r.outcome();
    let test = if r.test { " (test)" } else { "" };
    let line = TextLine::new(vec![
        Piece::plain(if selected { "▶ " } else { "  " }),
        Piece::new(tone, format!("{glyph} {:<11}", r.status)),
        Piece::new(
            Tone::Dim,
            format!("{:>4} ", super::super::layout::ago(now, at)),
        ),
        Piece::plain(format!("{:<24} ", r.automation_name)),
        Piece::new(Tone::Dim, format!("{:<18} ", r.event_type)),
        Piece::plain(format!("{what:<22} {step:<10} ")),
        Piece::new(Tone::Dim, format!("{result}{test}")),
    ]);
    if selected {
        line.with_tone(Tone::Selected)
    } else {
        line
    }
}

fn execution_lines(r: &Execution) -> Vec<TextLine> {
    let field = |k: &str, v: String| {
        TextLine::new(vec![
            Piece::new(Tone::Dim, format!("{k:<12}")),
            Piece::plain(v),
        ])
    };
    let mut out = vec![
        field("automation", r.automation_name.clone()),
        field(
            "status",
            format!("{}{}", r.status, if r.test { " (test)" } else { "" }),
        ),
        field("event", r.event_type.clone()),
        field("id", r.id.clone()),
        field("at", r.created_at.clone()),
        field(
            "finished",
            r.finished_at.clone().unwrap_or_else(|| "-".into()),
        ),
        field("attempts", r.attempts.to_string()),
    ];
    if let Some(run) = &r.run {
        out.push(field(
            "run",
            format!("{} {}", r.project.clone().unwrap_or_default(), run),
        ));
    }
    if let Some(step) = r.step {
        out.push(field("step", step.to_string()));
    }
    if let Some(c) = &r.collection {
        out.push(field("collection", c.clone()));
    }
    if let Some(t) = &r.trigger {
        out.push(field("values", t.to_string()));
    }
    if let Some(e) = &r.error {
        out.push(TextLine::new(vec![
            Piece::new(Tone::Dim, format!("{:<12}", "error")),
            Piece::new(Tone::Error, e.clone()),
        ]));
    }
    out.push(TextLine::plain(""));
    out.push(TextLine::toned(Tone::Title, "Request (secrets masked)"));
    match &r.request {
        Some(req) => out.extend(
            serde_json::to_string_pretty(req)
                .unwrap_or_default()
                .lines()
                .map(|l| TextLine::plain(format!("  {l}"))),
        ),
        None => out.push(TextLine::toned(Tone::Dim, "  none (nothing to send)")),
    }
    out.push(TextLine::plain(""));
    out.push(TextLine::toned(
        Tone::Title,
        format!(
            "Answer{}",
            r.response_status
                .map(|s| format!(" (HTTP {s})"))
                .unwrap_or_default()
        ),
    ));
    out.push(TextLine::plain(format!(
        "  {}",
        r.response_body.clone().unwrap_or_else(|| "none".into())
    )));
    out
}

/// A new history request; older answers will be dropped.
pub fn request(state: &mut State, automation: Option<String>) -> Effect {
    Effect::LoadHistory {
        request: state.session.request(RequestKind::History),
        automation,
    }
}

/// Opens the History of every automation of the local engine.
pub fn open(state: &mut State) -> Vec<Effect> {
    let mut screen = HistoryScreen::default();
    screen.prepare(state.now);
    state.screen = Screen::History(screen);
    vec![request(state, None)]
}

/// The executions arrived (for this screen or the detail's History tab).
pub fn on_loaded(state: &mut State, request: u64, result: Result<Vec<Execution>, String>) {
    if !state.session.is_latest(RequestKind::History, request) {
        return;
    }
    let now = state.now;
    match &mut state.screen {
        Screen::History(h) => {
            h.rows = Some(result);
            h.prepare(now);
        }
        Screen::Detail(d) => d.set_history(result, now),
        _ => {}
    }
}

/// The History screen's commands.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let now = state.now;
    let page = state.page_rows() as isize;
    let (w, h) = super::super::layout::raw_text(state.width, state.height);
    let Screen::History(screen) = &mut state.screen else {
        return None;
    };
    match action {
        _ if super::is_movement(action) && screen.open => {
            let limit = screen.doc.scroll_room(w, h);
            super::scroll(&mut screen.scroll, super::delta(action, page), limit);
            return Some(Vec::new());
        }
        _ if super::is_movement(action) => {
            let n = screen.shown().len() as isize;
            let to = (screen.selected as isize).saturating_add(super::delta(action, page));
            screen.selected = to.clamp(0, (n - 1).max(0)) as usize;
        }
        Action::Open => {
            screen.open = !screen.open;
            screen.scroll = 0;
        }
        Action::CycleStatus => {
            let i = STATUSES
                .iter()
                .position(|s| *s == screen.status)
                .unwrap_or(0);
            screen.status = STATUSES[(i + 1) % STATUSES.len()];
            screen.selected = 0;
        }
        Action::ByAutomation => {
            screen.automation = match screen.automation.take() {
                Some(_) => None,
                None => screen
                    .shown()
                    .get(screen.selected)
                    .map(|r| (r.automation_id.clone(), r.automation_name.clone())),
            };
            screen.selected = 0;
        }
        Action::Refresh => return Some(vec![request(state, None)]),
        Action::Back if screen.open => screen.open = false,
        Action::Back => state.screen = Screen::List,
        _ => return None,
    }
    if let Screen::History(screen) = &mut state.screen {
        screen.prepare(now);
    }
    Some(Vec::new())
}
