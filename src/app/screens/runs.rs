//! The Runs screen: the entity's runs, the ones the local engine follows through their run logs
//! and the ones recorded in the local database (name, project, state, last step, last event, how
//! many firings) as a table; `enter` shows what fired on the highlighted one. It asks again every
//! few seconds while open.

use super::Page;
use crate::app::ctx::Ctx;
use crate::app::fired::status_glyph;
use crate::app::global;
use crate::app::input::Move;
use crate::app::keys::{Group, Input, Mode, Row, defs, row};
use crate::app::modes::Bound;
use crate::app::msg::Effect;
use crate::app::store::session::RequestKind;
use crate::app::table::{Column, Fetched, LEAD, Prepared, Table, TableRow, cell, fill, fixed};
use crate::app::text::{Doc, Piece, TextLine, Tone, ago};
use crate::ops::KnownRun;

/// The Runs screen's mode.
pub(crate) const MODE: Mode = Mode::new("runs", "runs", Input::Keys, Group::Screen);

/// The runs' columns.
pub(crate) const COLUMNS: [Column; 7] = [
    LEAD,
    fill("RUN", 3),
    fill("PROJECT", 3),
    fixed("STATE", 9),
    fixed("STEP", 10),
    fixed("LAST", 6),
    fixed("FIRED", 6),
];

/// What the Runs screen is told.
#[derive(Clone, Debug)]
pub enum RunsMsg {
    /// A movement of the highlight or the text (line, ends, page, half page).
    Move(Move),
    /// Open the highlighted row.
    Open,
    /// Read it again now.
    Refresh,
    /// Back to the list (an open row closes first).
    Back,
    /// The runs arrived.
    Loaded {
        request: u64,
        result: Result<Vec<KnownRun>, String>,
    },
}

/// The Runs screen.
#[derive(Debug, Default)]
pub struct RunsScreen {
    /// The runs, most recently active first.
    runs: Fetched<KnownRun>,
    table: Table,
    rows: Prepared,
    /// The highlighted run's firings are shown.
    open: bool,
    /// The open run's firings, or what is said instead of the table.
    doc: Doc,
}

fn state_of(state: &str) -> (&'static str, Tone) {
    match state {
        "finished" => ("✓", Tone::On),
        "failed" | "crashed" => ("✗", Tone::Error),
        _ => ("⋯", Tone::Warn),
    }
}

impl RunsScreen {
    /// The table and its rows, unless only text is shown (loading, failed, empty).
    pub(crate) fn table(&self) -> Option<(&Table, &[TableRow<'static>])> {
        (self.open || self.doc.lines.is_empty()).then_some((&self.table, self.rows.as_slice()))
    }

    /// The highlighted run's firings under the table when it is open; else what is said
    /// instead of the table.
    pub(crate) fn doc(&self) -> &Doc {
        &self.doc
    }

    fn ask(ctx: &mut Ctx) {
        let request = ctx.session.request(RequestKind::Runs);
        let entity = ctx.entity().to_string();
        ctx.effect(Effect::LoadRuns { request, entity });
    }
}

impl Page for RunsScreen {
    type Msg = RunsMsg;
    type Open = ();
    const MODE: Mode = MODE;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        let mut rows = defs::moves(RunsMsg::Move);
        rows.push(row(&defs::OPEN, RunsMsg::Open));
        rows.extend(global::reloading(RunsMsg::Refresh, RunsMsg::Back));
        vec![(MODE, rows)]
    }

    fn open(_: (), ctx: &mut Ctx) -> Option<Self> {
        Self::ask(ctx);
        Some(Self::default())
    }

    fn update(&mut self, msg: RunsMsg, ctx: &mut Ctx) -> bool {
        match msg {
            RunsMsg::Move(_) if self.open => {}
            RunsMsg::Move(by) => self.table.go(by, self.rows.len(), ctx.layout.table_rows()),
            RunsMsg::Open => self.open = !self.open && !self.rows.is_empty(),
            RunsMsg::Refresh => Self::ask(ctx),
            RunsMsg::Back if self.open => self.open = false,
            RunsMsg::Back => ctx.back(),
            RunsMsg::Loaded { request, result } => {
                let newest = ctx.session.is_latest(RequestKind::Runs, request);
                self.runs.answer(newest, result);
            }
        }
        true
    }

    fn prepare(&mut self, ctx: &mut Ctx) {
        let runs = self.runs.rows();
        self.rows = runs.iter().map(|r| table_row(r, ctx.now)).collect();
        // An open run's firings take the lower part of the box: the highlight stays in sight.
        let seen = if self.open {
            usize::from(open_height(ctx.layout.screen.text.height, self.rows.len()))
                .saturating_sub(1)
        } else {
            ctx.layout.table_rows()
        };
        self.table.clamp(self.rows.len(), seen);
        self.open &= !runs.is_empty();
        self.doc = match self.runs.state() {
            None => Doc::prose(vec![TextLine::toned(Tone::Warn, "loading the runs…")]),
            Some(Err(e)) => Doc::prose(vec![TextLine::toned(
                Tone::Error,
                format!("could not load the runs: {e}"),
            )]),
            Some(Ok([])) => Doc::prose(vec![TextLine::toned(
                Tone::Dim,
                "no runs recorded and no run logs followed yet: `wbauto engine --watch ./wandb` or `wbauto emit --run-dir ./wandb`",
            )]),
            Some(Ok(runs)) => match runs.get(self.table.selected()) {
                Some(run) if self.open => Doc::code(firings(run)),
                _ => Doc::default(),
            },
        };
    }

    fn follow(&mut self, ctx: &mut Ctx) {
        // A backend without a local engine said so once; asking again would say it again.
        if !matches!(self.runs.state(), Some(Err(_))) {
            Self::ask(ctx);
        }
    }
}

/// The table's height, its header included, above an open run's firings: its rows, at most half
/// of the box's `height`.
pub(crate) fn open_height(height: u16, rows: usize) -> u16 {
    u16::try_from(rows + 1).unwrap_or(u16::MAX).min(height / 2)
}

fn table_row(r: &KnownRun, now: i64) -> TableRow<'static> {
    let (glyph, tone) = state_of(&r.state);
    let step = r
        .last_step
        .map_or_else(|| "-".to_string(), |s| s.to_string());
    let last = r.last_time.map_or_else(|| "-".to_string(), |t| ago(now, t));
    TableRow {
        lead: cell(tone, glyph),
        cells: vec![
            cell(Tone::Plain, r.name.clone()),
            cell(Tone::Dim, r.project.clone()),
            cell(tone, r.state.clone()),
            cell(Tone::Plain, format!("step {step}")),
            cell(Tone::Dim, last),
            cell(Tone::Plain, r.firings.len().to_string()),
        ],
        tone: Tone::Plain,
        marked: false,
    }
}

/// What fired on a run, newest first, and its log file (or that it is recorded).
fn firings(r: &KnownRun) -> Vec<TextLine> {
    let mut lines = vec![
        TextLine::toned(
            Tone::Title,
            format!("{} ({}) {}", r.name, r.project, r.state),
        ),
        TextLine::plain(""),
    ];
    if r.firings.is_empty() {
        lines.push(TextLine::toned(Tone::Dim, "nothing fired on this run"));
    }
    for f in &r.firings {
        let (glyph, tone) = status_glyph(&crate::model::history::Status::named(&f.status));
        let step = f.step.map(|s| format!("step {s}")).unwrap_or_default();
        lines.push(TextLine::new(vec![
            Piece::new(tone, format!("{glyph} {:<11} ", f.status)),
            Piece::plain(format!(
                "{:<24} {:<18} {step}",
                f.automation_name, f.event_type
            )),
        ]));
    }
    lines.push(TextLine::plain(""));
    lines.push(TextLine::toned(
        Tone::Dim,
        r.log
            .clone()
            .unwrap_or_else(|| "recorded in the local database".into()),
    ));
    lines
}
