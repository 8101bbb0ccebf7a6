//! The History screen: what the local engine fired, newest first, as a table filtered by status
//! and by automation; `enter` shows the highlighted execution's request and answer. It asks
//! again every few seconds while open, so it follows a running engine.

use super::Page;
use crate::app::ctx::Ctx;
use crate::app::describe::status_glyph;
use crate::app::global;
use crate::app::input::{Move, scroll};
use crate::app::keys::{Group, Input, Mode, Row, commands, defs, row};
use crate::app::layout::Layout;
use crate::app::modes::Bound;
use crate::app::msg::Effect;
use crate::app::store::session::RequestKind;
use crate::app::table::{Column, Fetched, LEAD, Prepared, Table, TableRow, cell, fill, fixed};
use crate::app::text::{Doc, Piece, TextLine, Tone, ago};
use crate::engine::history::Execution;

/// The History screen's mode.
pub(crate) const MODE: Mode = Mode::new("history", "history", Input::Keys, Group::Screen);

commands! {
    STATUS_FILTER: "status_filter" ["f"] footer reads "status" "show only one status (all, success, failed, skipped…)";
    BY_AUTOMATION: "by_automation" ["a"] footer reads "this automation" "only this row's automation / all";
}

/// The statuses the filter cycles through (`None` = all).
const STATUSES: [Option<&str>; 5] = [
    None,
    Some("success"),
    Some("failed"),
    Some("skipped"),
    Some("in_progress"),
];

/// The history's columns after the lead (the status glyph).
pub(crate) const COLUMNS: [Column; 8] = [
    LEAD,
    fixed("STATUS", 11),
    fixed("AGO", 4),
    fill("AUTOMATION", 3),
    fill("EVENT", 2),
    fill("SUBJECT", 3),
    fixed("STEP", 10),
    fill("RESULT", 3),
];

/// What the History screen is told.
#[derive(Clone, Debug)]
pub enum HistoryMsg {
    /// A movement of the highlight or the text (line, ends, page, half page).
    Move(Move),
    /// Open the highlighted row.
    Open,
    /// Show only the next status (all, success, failed, skipped, in progress).
    CycleStatus,
    /// Only the highlighted row's automation, or all again.
    ByAutomation,
    /// Read it again now.
    Refresh,
    /// Back to the list (an open row closes first).
    Back,
    /// The executions arrived.
    Loaded {
        request: u64,
        result: Result<Vec<Execution>, String>,
    },
}

/// The History screen.
#[derive(Debug, Default)]
pub struct HistoryScreen {
    /// Only this automation (id, name), or all.
    automation: Option<(String, String)>,
    /// Only this status, or all.
    status: Option<&'static str>,
    /// The executions loaded (all statuses), newest first.
    executions: Fetched<Execution>,
    /// Which of them the filters let through.
    shown: Vec<usize>,
    table: Table,
    rows: Prepared,
    /// The highlighted execution's request and answer are open.
    open: bool,
    /// The open execution, or what is said instead of the table (loading, failed, empty).
    doc: Doc,
    scroll: u16,
}

impl HistoryScreen {
    /// The title: what is shown.
    pub(crate) fn title(&self) -> String {
        let who = self
            .automation
            .as_ref()
            .map_or_else(|| "every automation".to_string(), |(_, n)| n.clone());
        let status = self.status.unwrap_or("every status");
        format!(" history: {who} · {status} ")
    }

    /// The table and its rows, unless text is shown instead.
    pub(crate) fn table(&self) -> Option<(&Table, &[TableRow<'static>])> {
        (self.doc.lines.is_empty()).then_some((&self.table, self.rows.as_slice()))
    }

    /// The text shown instead of the table (the open execution, loading, failed, empty).
    pub(crate) fn doc(&self) -> (&Doc, u16) {
        (&self.doc, self.scroll)
    }

    fn execution(&self) -> Option<&Execution> {
        let index = *self.shown.get(self.table.selected())?;
        self.executions.rows().get(index)
    }

    fn ask(ctx: &mut Ctx) {
        let request = ctx.session.request(RequestKind::History);
        ctx.effect(Effect::LoadHistory { request });
    }
}

impl Page for HistoryScreen {
    type Msg = HistoryMsg;
    type Open = ();
    const MODE: Mode = MODE;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        let mut rows = defs::moves(HistoryMsg::Move);
        rows.extend([
            row(&defs::OPEN, HistoryMsg::Open),
            row(&STATUS_FILTER, HistoryMsg::CycleStatus),
            row(&BY_AUTOMATION, HistoryMsg::ByAutomation),
        ]);
        rows.extend(global::reloading(HistoryMsg::Refresh, HistoryMsg::Back));
        vec![(MODE, rows)]
    }

    fn open(_: (), ctx: &mut Ctx) -> Option<Self> {
        Self::ask(ctx);
        Some(Self::default())
    }

    fn update(&mut self, msg: HistoryMsg, ctx: &mut Ctx) -> bool {
        let rows = ctx.layout.table_rows();
        match msg {
            HistoryMsg::Move(by) if self.open => {
                let text = ctx.layout.screen.text;
                let limit = self.doc.scroll_room(text.width, text.height);
                scroll(&mut self.scroll, by.delta(usize::from(text.height)), limit);
            }
            HistoryMsg::Move(by) => self.table.go(by, self.shown.len(), rows),
            HistoryMsg::Open => {
                self.open = !self.open && self.execution().is_some();
                self.scroll = 0;
            }
            HistoryMsg::CycleStatus => {
                let i = STATUSES.iter().position(|s| *s == self.status).unwrap_or(0);
                self.status = STATUSES[(i + 1) % STATUSES.len()];
                self.table = Table::default();
            }
            HistoryMsg::ByAutomation => {
                self.automation = match self.automation.take() {
                    Some(_) => None,
                    None => self
                        .execution()
                        .map(|r| (r.automation_id.clone(), r.automation_name.clone())),
                };
                self.table = Table::default();
            }
            HistoryMsg::Refresh => Self::ask(ctx),
            HistoryMsg::Back if self.open => self.open = false,
            HistoryMsg::Back => ctx.back(),
            HistoryMsg::Loaded { request, result } => {
                let newest = ctx.session.is_latest(RequestKind::History, request);
                self.executions.answer(newest, result);
            }
        }
        true
    }

    fn prepare(&mut self, ctx: &mut Ctx) {
        let all = self.executions.rows();
        self.shown = all
            .iter()
            .enumerate()
            .filter(|(_, r)| self.status.is_none_or(|s| r.status == s))
            .filter(|(_, r)| {
                self.automation
                    .as_ref()
                    .is_none_or(|(id, _)| r.automation_id == *id)
            })
            .map(|(i, _)| i)
            .collect();
        self.table.clamp(self.shown.len(), ctx.layout.table_rows());
        self.rows = self
            .shown
            .iter()
            .map(|i| table_row(&all[*i], ctx.now))
            .collect();
        self.open &= self.execution().is_some();
        let refresh = ctx.keymap.key(&defs::REFRESH, MODE);
        self.doc = match (self.executions.state(), self.execution()) {
            (None, _) => Doc::prose(vec![TextLine::toned(Tone::Warn, "loading the history…")]),
            (Some(Err(e)), _) => Doc::prose(vec![
                TextLine::toned(Tone::Error, format!("could not load the history: {e}")),
                TextLine::toned(Tone::Dim, format!("{refresh} tries again")),
            ]),
            (_, Some(execution)) if self.open => Doc::code(execution_lines(execution)),
            _ if self.shown.is_empty() => Doc::prose(vec![TextLine::toned(
                Tone::Dim,
                "nothing fired yet. `wbauto emit ...` sends an event (README: Make it fire)",
            )]),
            _ => Doc::default(),
        };
    }

    fn follow(&mut self, ctx: &mut Ctx) {
        Self::ask(ctx);
    }

    fn scroll_limit(&self, layout: &Layout) -> u16 {
        let text = layout.screen.text;
        self.doc.scroll_room(text.width, text.height)
    }
}

fn table_row(r: &Execution, now: i64) -> TableRow<'static> {
    let (glyph, tone) = status_glyph(&r.status);
    let test = if r.test { " (test)" } else { "" };
    TableRow {
        lead: cell(tone, glyph),
        cells: vec![
            cell(tone, r.status.clone()),
            cell(Tone::Dim, ago(now, r.decided_at())),
            cell(Tone::Plain, r.automation_name.clone()),
            cell(Tone::Dim, r.event_type.clone()),
            cell(Tone::Plain, r.subject().to_string()),
            cell(
                Tone::Plain,
                r.step.map(|s| format!("step {s}")).unwrap_or_default(),
            ),
            cell(Tone::Dim, format!("{}{test}", r.outcome())),
        ],
        tone: Tone::Plain,
        marked: false,
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
