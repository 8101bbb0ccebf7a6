//! The full detail of one automation (Overview, Wire, Python), and the plain-words text the
//! list's detail pane shows. The text is prepared here when the automation or the tab changes.

use super::super::keys::Action;
use super::super::layout;
use super::super::msg::Effect;
use super::super::rows;
use super::super::state::State;
use super::super::store::list::Item;
use super::super::text::{Doc, Piece, TextLine, Tone};
use super::Screen;
use super::backtest::BacktestView;
use crate::app::store::session::RequestKind;
use crate::model::summary::{card, expr_words, when};
use crate::model::{Action as Then, Automation, Event};
use serde_json::Value;

/// The tabs of the full detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetailTab {
    /// Plain words.
    Overview,
    /// The JSON as stored.
    Wire,
    /// The same automation as `wandb.automations` code.
    Python,
    /// What the local engine did with it.
    History,
    /// Would it have fired on recent runs?
    Backtest,
}

impl DetailTab {
    /// Every tab, in order.
    pub const ALL: [DetailTab; 5] = [
        DetailTab::Overview,
        DetailTab::Wire,
        DetailTab::Python,
        DetailTab::History,
        DetailTab::Backtest,
    ];

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            DetailTab::Overview => "Overview",
            DetailTab::Wire => "Wire",
            DetailTab::Python => "Python",
            DetailTab::History => "History",
            DetailTab::Backtest => "Backtest",
        }
    }
}

/// The full detail screen.
#[derive(Clone, Debug, PartialEq)]
pub struct DetailScreen {
    /// The tab shown.
    pub tab: DetailTab,
    /// Rows scrolled down, kept within the text.
    pub scroll: u16,
    /// The tab's text.
    pub doc: Doc,
    /// What the text was made for: the automation's id, change stamp and state, the tab, and
    /// whether its stored JSON was at hand.
    made_for: (String, Option<String>, bool, DetailTab, bool),
    /// The automation's executions, once the History tab asked for them.
    history: Option<Result<Vec<crate::engine::history::Execution>, String>>,
    /// The Backtest tab (boxed: it is large and most details never open it).
    pub backtest: Box<BacktestView>,
}

impl DetailScreen {
    /// The History tab's executions arrived.
    pub fn set_history(
        &mut self,
        result: Result<Vec<crate::engine::history::Execution>, String>,
        now: i64,
    ) {
        self.history = Some(result);
        if self.tab == DetailTab::History {
            self.doc = history_doc(self.history.as_ref(), now);
        }
    }

    /// The detail of the automation `id` (the selected one), on its Overview.
    pub fn open(state: &State, id: String) -> Self {
        let mut screen = Self {
            tab: DetailTab::Overview,
            scroll: 0,
            doc: Doc::default(),
            made_for: (id, None, false, DetailTab::Wire, false),
            history: None,
            backtest: Box::default(),
        };
        screen.prepare(state);
        screen
    }

    /// Makes the tab's text again if the automation or the tab changed.
    pub fn prepare(&mut self, state: &State) {
        let Some(item) = state.selected_item() else {
            return;
        };
        let a = &item.saved.automation;
        let key = (
            item.id().to_string(),
            a.updated_at.clone(),
            a.enabled,
            self.tab,
            state.wire.text(item).is_some(),
        );
        if key == self.made_for {
            return;
        }
        self.made_for = key;
        self.doc = match self.tab {
            DetailTab::Overview => Doc::prose(overview(state.now, item, true)),
            DetailTab::Wire => Doc::code(wire_lines(state.wire.text(item))),
            DetailTab::Python => Doc::code(
                crate::wire::python::python_code(a)
                    .lines()
                    .map(TextLine::plain)
                    .collect(),
            ),
            DetailTab::History => history_doc(self.history.as_ref(), state.now),
            DetailTab::Backtest => {
                self.backtest.prepare(a);
                Doc::default()
            }
        };
        self.scroll = self.scroll.min(self.limit_at(state.width, state.height));
    }

    /// How far the text can scroll at a terminal size.
    pub fn limit_at(&self, width: u16, height: u16) -> u16 {
        let (w, h) = layout::detail_text(width, height);
        self.doc.scroll_room(w, h)
    }
}

/// The detail's commands, then those on the selected automation.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let page = state.page_rows() as isize;
    let Screen::Detail(screen) = &mut state.screen else {
        return None;
    };
    match action {
        _ if super::is_movement(action) => {
            let limit = screen.limit_at(state.width, state.height);
            super::scroll(&mut screen.scroll, super::delta(action, page), limit);
        }
        Action::NextTab | Action::PrevTab => {
            let i = DetailTab::ALL
                .iter()
                .position(|t| *t == screen.tab)
                .unwrap_or(0);
            let n = DetailTab::ALL.len();
            let step = if action == Action::NextTab { 1 } else { n - 1 };
            screen.tab = DetailTab::ALL[(i + step) % n];
            screen.scroll = 0;
            if screen.tab == DetailTab::History {
                let id = state.selected_id();
                return Some(vec![super::history::request(state, id)]);
            }
            if screen.tab == DetailTab::Backtest && screen.backtest.runs.is_none() {
                return Some(backtest_runs(state));
            }
        }
        Action::NextRun | Action::PrevRun if screen.tab == DetailTab::Backtest => {
            let by = if action == Action::NextRun { 1 } else { -1 };
            if screen.backtest.step(by) {
                return Some(judge(state));
            }
        }
        Action::Back => state.screen = Screen::List,
        _ => return rows::on_action(state, action),
    }
    Some(Vec::new())
}

/// Asks for the runs the selected automation's backtest offers.
fn backtest_runs(state: &mut State) -> Vec<Effect> {
    let Some(a) = state.selected_item().map(|i| i.saved.automation.clone()) else {
        return Vec::new();
    };
    let request = state.session.request(RequestKind::BacktestRuns);
    vec![Effect::LoadBacktestRuns {
        request,
        automation: Box::new(a),
    }]
}

/// Asks for the verdict of the run picked in the Backtest tab (the newest request wins).
fn judge(state: &mut State) -> Vec<Effect> {
    let a = state.selected_item().map(|i| i.saved.automation.clone());
    let Screen::Detail(screen) = &mut state.screen else {
        return Vec::new();
    };
    let (Some(a), Some(choice)) = (a, screen.backtest.choice().cloned()) else {
        return Vec::new();
    };
    screen.backtest.prepare(&a);
    let request = state.session.request(RequestKind::BacktestJudge);
    vec![Effect::JudgeRun {
        request,
        automation: Box::new(a),
        choice: Box::new(choice),
    }]
}

fn with_backtest(state: &mut State, change: impl FnOnce(&mut BacktestView)) {
    let a = state.selected_item().map(|i| i.saved.automation.clone());
    if let (Screen::Detail(screen), Some(a)) = (&mut state.screen, a) {
        change(&mut screen.backtest);
        screen.backtest.prepare(&a);
    }
}

/// The Backtest tab's runs arrived: the newest is judged first.
pub fn on_backtest_runs(
    state: &mut State,
    request: u64,
    result: Result<Vec<crate::ops::backtest::RunChoice>, String>,
) -> Vec<Effect> {
    if !state.session.is_latest(RequestKind::BacktestRuns, request) {
        return Vec::new();
    }
    let any = result.as_ref().is_ok_and(|r| !r.is_empty());
    with_backtest(state, |b| {
        b.runs = Some(result);
        b.selected = 0;
        b.verdict = None;
    });
    if any { judge(state) } else { Vec::new() }
}

/// A run's verdict arrived (stale answers are dropped).
pub fn on_backtest_judged(
    state: &mut State,
    request: u64,
    result: Result<crate::engine::backtest::Verdict, String>,
) {
    if state.session.is_latest(RequestKind::BacktestJudge, request) {
        with_backtest(state, |b| b.verdict = Some(result));
    }
}

fn field(key: &str, value: String) -> TextLine {
    TextLine::new(vec![
        Piece::new(Tone::Dim, format!("{key:<12}")),
        Piece::plain(value),
    ])
}

/// The plain-words lines of an automation: the pane's, and with `full` the detail's Overview.
pub fn overview(now: i64, item: &Item, full: bool) -> Vec<TextLine> {
    let a = &item.saved.automation;
    let (glyph, tone, word) = if a.enabled {
        ("●", Tone::On, "enabled")
    } else {
        ("○", Tone::Off, "disabled")
    };
    let mut lines = vec![TextLine::new(vec![
        Piece::new(tone, format!("{glyph} {word}")),
        Piece::plain(format!("  {}", a.name)),
    ])];
    if let Some(reason) = a.read_only_reason() {
        lines.push(TextLine::toned(Tone::Warn, format!("read-only: {reason}")));
    }
    lines.extend(card(a).into_iter().map(|(k, v)| field(k, v)));
    let stamp =
        when(a.updated_at.as_deref().or(a.created_at.as_deref())).unwrap_or_else(|| "-".into());
    lines.push(field(
        "updated",
        format!("{stamp} ({} ago)", layout::ago(now, item.changed)),
    ));
    if full {
        lines.extend(details(a));
    }
    lines.push(field("id", a.id.clone().unwrap_or_default()));
    lines
}

fn json_lines(value: &Value) -> Vec<TextLine> {
    serde_json::to_string_pretty(value)
        .unwrap_or_default()
        .lines()
        .map(|l| TextLine::plain(format!("  {l}")))
        .collect()
}

fn heading(text: &str) -> TextLine {
    TextLine::new(vec![Piece::new(Tone::Title, text)])
}

/// Event and action details for the full view.
fn details(a: &Automation) -> Vec<TextLine> {
    let mut lines = vec![TextLine::plain(""), heading("Event")];
    lines.push(field(
        "type",
        format!("{} ({})", a.event.kind().file_name(), a.event.wire_type()),
    ));
    match &a.event {
        Event::RunMetric { run_filter, .. } | Event::RunState { run_filter, .. } => {
            let runs = run_filter
                .as_ref()
                .map_or_else(|| "every run".to_string(), expr_words);
            lines.push(field("runs", runs));
        }
        Event::Artifact { filter, .. } => lines.push(field(
            "filter",
            filter
                .as_ref()
                .map_or_else(|| "none (every event)".to_string(), expr_words),
        )),
        Event::Raw { filter, .. } => lines.push(field("filter", filter.clone())),
    }
    lines.push(TextLine::plain(""));
    lines.push(heading("Action"));
    match &a.action {
        Then::Slack {
            integration,
            title,
            message,
            severity,
        } => {
            lines.push(field("slack", integration.display()));
            lines.push(field("severity", severity.file_name().to_string()));
            lines.push(field("title", title.clone()));
            lines.push(field("message", message.clone()));
        }
        Then::Webhook {
            integration,
            payload,
        } => {
            lines.push(field("webhook", integration.display()));
            match payload {
                Some(p) => {
                    lines.push(field("payload", String::new()));
                    lines.extend(json_lines(&Value::Object(p.clone())));
                }
                None => lines.push(field("payload", "none".into())),
            }
        }
        Then::NoOp => lines.push(field("no-op", "does nothing (for testing an event)".into())),
        Then::Raw {
            action_type,
            action,
        } => {
            lines.push(field("type", action_type.clone()));
            lines.extend(json_lines(action));
        }
    }
    lines.push(TextLine::plain(""));
    lines
}

/// The stored JSON, pretty; `None` while it loads.
pub fn wire_lines(wire: Option<Result<&str, &str>>) -> Vec<TextLine> {
    match wire {
        None => vec![TextLine::toned(Tone::Warn, "loading the stored JSON…")],
        Some(Err(e)) => vec![TextLine::toned(
            Tone::Error,
            format!("could not read the stored JSON: {e}"),
        )],
        Some(Ok(text)) => match serde_json::from_str::<Value>(text) {
            Ok(v) => serde_json::to_string_pretty(&v)
                .unwrap_or_default()
                .lines()
                .map(TextLine::plain)
                .collect(),
            Err(_) => vec![TextLine::plain(text)],
        },
    }
}

/// The History tab: the automation's executions, newest first.
fn history_doc(
    history: Option<&Result<Vec<crate::engine::history::Execution>, String>>,
    now: i64,
) -> Doc {
    match history {
        None => Doc::prose(vec![TextLine::toned(Tone::Warn, "loading the history…")]),
        Some(Err(e)) => Doc::prose(vec![TextLine::toned(Tone::Error, e.clone())]),
        Some(Ok(rows)) if rows.is_empty() => Doc::prose(vec![TextLine::toned(
            Tone::Dim,
            "it has not fired yet (X test-fires it; h shows every automation's history)",
        )]),
        Some(Ok(rows)) => Doc::code(
            rows.iter()
                .map(|r| {
                    let (glyph, tone) = super::history::glyph(&r.status);
                    let at = r.decided_at();
                    let what = r.subject();
                    let result = r.outcome();
                    TextLine::new(vec![
                        Piece::new(tone, format!("{glyph} {:<11}", r.status)),
                        Piece::new(Tone::Dim, format!("{:>4} ", layout::ago(now, at))),
                        Piece::plain(format!("{:<18} {what:<22} ", r.event_type)),
                        Piece::new(
                            Tone::Dim,
                            format!("{result}{}", if r.test { " (test)" } else { "" }),
                        ),
                    ])
                })
                .collect(),
        ),
    }
}
