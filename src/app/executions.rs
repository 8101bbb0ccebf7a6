//! The executions table the History screen and the detail's History tab both show: what the
//! backend recorded (W&B's records or the local engine's), filtered by status and by
//! automation, one opened in words, and followed while shown (asked again by a poll that backs
//! off on W&B, "updated Ns ago"). The screen or tab owns one and stops following by closing it.

use super::ctx::Ctx;
use super::fired::{execution_lines, status_cell, status_glyph, step_words, why};
use super::input::{Move, scroll};
use super::msg::Effect;
use super::poll::Poll;
use super::state::ToastKind;
use super::store::session::RequestKind;
use super::table::{Column, LEAD, Prepared, Table, TableRow, cell, fill, fixed};
use super::text::{Doc, TextLine, Tone, ago};
use crate::backend::{BackendError, BackendKind};
use crate::model::history::{Execution, History, HistoryQuery, HistoryScope, Status};

/// The newest executions a view holds.
pub(crate) const SHOWN: usize = 500;

/// The columns of a view of every automation, with the step (the local engine records it).
const ALL_STEPPED: [Column; 8] = [
    LEAD,
    fixed("STATUS", 11),
    fixed("AGO", 4),
    fill("AUTOMATION", 3),
    fill("EVENT", 2),
    fill("RUN / SUBJECT", 3),
    fixed("STEP", 10),
    fill("WHY / RESULT", 4),
];
/// The columns of a view of every automation, without the step (W&B does not record it).
const ALL: [Column; 7] = [
    LEAD,
    fixed("STATUS", 11),
    fixed("AGO", 4),
    fill("AUTOMATION", 3),
    fill("EVENT", 2),
    fill("RUN / SUBJECT", 3),
    fill("WHY / RESULT", 4),
];
/// The columns of one automation's view, with the step.
const ONE_STEPPED: [Column; 7] = [
    LEAD,
    fixed("STATUS", 11),
    fixed("AGO", 4),
    fill("EVENT", 2),
    fill("RUN / SUBJECT", 3),
    fixed("STEP", 10),
    fill("WHY / RESULT", 4),
];
/// The columns of one automation's view, without the step.
const ONE: [Column; 6] = [
    LEAD,
    fixed("STATUS", 11),
    fixed("AGO", 4),
    fill("EVENT", 2),
    fill("RUN / SUBJECT", 3),
    fill("WHY / RESULT", 4),
];

/// The statuses the filter cycles through (`None` = all).
const STATUSES: [Option<Status>; 5] = [
    None,
    Some(Status::Success),
    Some(Status::Failed),
    Some(Status::Skipped),
    Some(Status::InProgress),
];

/// A run and step to open the Backtest tab on: where an execution fired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFocus {
    /// The automation that fired.
    pub automation_id: String,
    /// The run's id (or the name W&B gave when it was not found).
    pub run: String,
    /// The run's display name, when known.
    pub run_name: Option<String>,
    /// `ENTITY/PROJECT` of the run.
    pub project: Option<String>,
    /// The step it fired at, when the backend recorded it.
    pub step: Option<i64>,
    /// When it fired (Unix seconds): where it is in the run when no step was recorded.
    pub at: Option<i64>,
}

/// What an execution view is told the answer was.
pub(crate) type Answer = Result<History, BackendError>;

/// An executions table with its filters, its open execution and its poll.
#[derive(Debug)]
pub(crate) struct Executions {
    scope: HistoryScope,
    /// The executions known: the newest whole answer, or what is read so far of the first.
    history: Option<History>,
    /// The newest request's rows are still being read.
    reading: bool,
    /// Why the newest request failed; with `history` kept, it failed mid-way.
    failed: Option<BackendError>,
    /// The execution highlighted before new rows arrived (by id), to highlight again.
    keep: Option<String>,
    status: Option<Status>,
    /// Only this automation (id, name), or all.
    automation: Option<(String, String)>,
    /// Which executions the filters let through.
    shown: Vec<usize>,
    table: Table,
    rows: Prepared,
    open: bool,
    /// The open execution, or what is said instead of the table.
    doc: Doc,
    scroll: u16,
    poll: Poll,
    /// When the newest answer came (Unix seconds).
    updated: Option<i64>,
    now: i64,
    /// The rows have the step column (some execution shown recorded a step).
    stepped: bool,
}

/// How often a view asks again: the local database every 3 s; W&B every 10 s while executions
/// keep coming, backing off to 2 minutes while none do.
fn poll_for(kind: BackendKind) -> Poll {
    match kind {
        BackendKind::Local => Poll::backing_off(3, 3),
        BackendKind::Wandb => Poll::backing_off(10, 120),
    }
}

impl Executions {
    /// A view of `scope`'s executions on the backend in use; it asks at once.
    pub(crate) fn open(scope: HistoryScope, ctx: &mut Ctx) -> Self {
        let mut view = Self {
            scope,
            history: None,
            reading: false,
            failed: None,
            keep: None,
            status: None,
            automation: None,
            shown: Vec::new(),
            table: Table::default(),
            rows: Vec::new(),
            open: false,
            doc: Doc::default(),
            scroll: 0,
            poll: poll_for(ctx.session.kind()),
            updated: None,
            now: ctx.now,
            stepped: false,
        };
        view.ask(ctx);
        view
    }

    /// Asks for the executions now (the newest request wins).
    pub(crate) fn ask(&mut self, ctx: &mut Ctx) {
        if self.poll.stopped() {
            return;
        }
        let request = ctx.session.request(RequestKind::History);
        let query = HistoryQuery {
            limit: Some(SHOWN),
            ..HistoryQuery::of(self.scope.clone())
        };
        self.poll.asked(ctx.now);
        ctx.effect(Effect::LoadHistory { request, query });
    }

    /// Asks again when the poll is due (called every few seconds while shown).
    pub(crate) fn follow(&mut self, ctx: &mut Ctx) {
        if self.poll.due(ctx.now) {
            self.ask(ctx);
        }
    }

    /// What is read so far of the newest request arrived: shown unless a whole answer is (a
    /// poll keeps the rows it had until its own whole answer comes).
    pub(crate) fn reading(&mut self, request: u64, so_far: History, ctx: &Ctx) {
        let whole = self.history.is_some() && !self.reading && self.failed.is_none();
        if whole || !ctx.session.is_latest(RequestKind::History, request) {
            return;
        }
        self.show(so_far);
        self.reading = true;
        self.failed = None;
    }

    /// An answer arrived: kept when it answers the newest request. A failure after rows were
    /// shown keeps them and says what failed; a backend that keeps no history is never asked
    /// again.
    pub(crate) fn answer(&mut self, request: u64, answer: Answer, ctx: &mut Ctx) {
        if !ctx.session.is_latest(RequestKind::History, request) {
            return;
        }
        // Rows read so far are not an answer to tell news from.
        let before = self.newest().filter(|_| !self.reading);
        let midway = std::mem::replace(&mut self.reading, false);
        match answer {
            Ok(history) => {
                self.show(history);
                self.failed = None;
            }
            Err(e) => {
                if matches!(e, BackendError::NoHistory(_) | BackendError::Unsupported(_)) {
                    self.poll.stop();
                }
                if midway {
                    let read = self.history.as_ref().map_or(0, |h| h.total);
                    ctx.toast(
                        ToastKind::Error,
                        format!("reading the history stopped after {read} executions: {e}"),
                    );
                } else {
                    self.history = None;
                }
                self.failed = Some(e);
            }
        }
        self.poll.answered(ctx.now, before != self.newest());
        self.updated = Some(ctx.now);
    }

    /// Shows `history`: a highlight moved off the first row, or on an open execution, stays
    /// on its execution; on the first row it stays on the newest.
    fn show(&mut self, history: History) {
        let moved = self.table.selected() > 0 || self.open;
        self.keep = self
            .keep
            .take()
            .or_else(|| self.selected().filter(|_| moved)?.id.clone());
        self.history = Some(history);
    }

    /// What the newest answer holds (to tell news from the same again).
    fn newest(&self) -> Option<(usize, Option<String>, Status)> {
        let history = self.history()?;
        let first = history.executions.first();
        Some((
            history.total,
            first.and_then(|e| e.id.clone()),
            first.map_or(Status::Skipped, |e| e.status.clone()),
        ))
    }

    fn history(&self) -> Option<&History> {
        self.history.as_ref()
    }

    fn executions(&self) -> &[Execution] {
        self.history().map_or(&[], |h| h.executions.as_slice())
    }

    /// The highlighted execution.
    pub(crate) fn selected(&self) -> Option<&Execution> {
        let index = *self.shown.get(self.table.selected())?;
        self.executions().get(index)
    }

    /// Moves the highlight, or scrolls the open execution (`rows` table rows and `text` the
    /// open text's area).
    pub(crate) fn go(&mut self, by: Move, rows: usize, text: (u16, u16)) {
        if self.open {
            let limit = self.doc.scroll_room(text.0, text.1);
            scroll(&mut self.scroll, by.delta(usize::from(text.1)), limit);
        } else {
            self.table.go(by, self.shown.len(), rows);
        }
    }

    /// Opens the highlighted execution, or closes the open one.
    pub(crate) fn toggle_open(&mut self) {
        self.open = !self.open && self.selected().is_some();
        self.scroll = 0;
    }

    /// Closes the open execution; `false` when none was open.
    pub(crate) fn close(&mut self) -> bool {
        std::mem::replace(&mut self.open, false)
    }

    /// Shows only the next status.
    pub(crate) fn cycle_status(&mut self) {
        let i = STATUSES.iter().position(|s| *s == self.status).unwrap_or(0);
        self.status = STATUSES[(i + 1) % STATUSES.len()].clone();
        self.table = Table::default();
    }

    /// Only the highlighted execution's automation, or every one again.
    pub(crate) fn by_automation(&mut self) {
        self.automation = match self.automation.take() {
            Some(_) => None,
            None => self.selected().and_then(|e| {
                let id = e
                    .automation_id
                    .clone()
                    .or_else(|| e.automation_name.clone())?;
                Some((id, e.automation_name.clone().unwrap_or_default()))
            }),
        };
        self.table = Table::default();
    }

    /// The run and step of the highlighted execution, to judge in the Backtest tab; or why it
    /// cannot be judged.
    pub(crate) fn focus(&self) -> Result<RunFocus, String> {
        let e = self
            .selected()
            .ok_or_else(|| "no execution highlighted".to_string())?;
        let name = e.automation_name.as_deref().unwrap_or("the automation");
        let automation_id = e.automation_id.clone().ok_or_else(|| {
            format!("{name} was deleted since: there is no condition left to judge")
        })?;
        let run = e.run.clone().ok_or_else(|| {
            "only a run-metric or run-state execution can be judged in the Backtest tab".to_string()
        })?;
        Ok(RunFocus {
            automation_id,
            run,
            run_name: e.run_name.clone(),
            project: e.project.clone(),
            step: e.step,
            at: e.created_at.map(|t| t.as_second()),
        })
    }

    /// The title's words: what is shown (which automation, when the view has several) and
    /// how fresh it is.
    pub(crate) fn title(&self) -> String {
        let who = match (&self.scope, &self.automation) {
            (HistoryScope::Automation { .. }, _) => String::new(),
            (_, Some((_, name))) => format!("{name} · "),
            (_, None) => "every automation · ".into(),
        };
        let status = self.status.as_ref().map_or("every status", Status::as_str);
        let how_many = self.history.as_ref().map(|history| {
            let read = grouped(history.total);
            match (self.reading, &self.failed) {
                (true, _) => format!(" · reading… {read} so far"),
                (false, Some(_)) => format!(" · reading stopped after {read}"),
                (false, None) if history.total > history.executions.len() => format!(
                    " · newest {} of {read} executions",
                    grouped(history.executions.len())
                ),
                (false, None) => format!(" · {read} executions"),
            }
        });
        let fresh = match self.updated.filter(|_| !self.reading) {
            Some(at) => format!(" · updated {} ago", ago(self.now, at)),
            None => String::new(),
        };
        format!("{who}{status}{}{fresh}", how_many.unwrap_or_default())
    }

    /// The table's columns: the automation's when the view has several, the step's when an
    /// execution shown recorded one.
    pub(crate) fn columns(&self) -> &'static [Column] {
        let several = !matches!(self.scope, HistoryScope::Automation { .. });
        match (several, self.stepped) {
            (true, true) => &ALL_STEPPED,
            (true, false) => &ALL,
            (false, true) => &ONE_STEPPED,
            (false, false) => &ONE,
        }
    }

    /// The table and its rows, unless text is shown instead.
    pub(crate) fn table(&self) -> Option<(&Table, &[TableRow<'static>])> {
        self.doc
            .lines
            .is_empty()
            .then_some((&self.table, self.rows.as_slice()))
    }

    /// The text shown instead of the table (the open execution, loading, failed, empty).
    pub(crate) fn doc(&self) -> (&Doc, u16) {
        (&self.doc, self.scroll)
    }

    /// How far the open execution scrolls in a `width` x `height` area.
    pub(crate) fn scroll_limit(&self, width: u16, height: u16) -> u16 {
        self.doc.scroll_room(width, height)
    }

    /// Makes the rows and the text again, as `view` says how the view is shown.
    pub(crate) fn prepare(&mut self, ctx: &Ctx, view: View<'_>) {
        self.now = ctx.now;
        let all: &[Execution] = self.history.as_ref().map_or(&[], |h| &h.executions);
        let by_automation = |e: &Execution| {
            self.automation.as_ref().is_none_or(|(id, _)| {
                e.automation_id.as_deref() == Some(id) || e.automation_name.as_deref() == Some(id)
            })
        };
        let shown: Vec<usize> = all
            .iter()
            .enumerate()
            .filter(|(_, e)| by_automation(e))
            .filter(|(_, e)| self.status.as_ref().is_none_or(|s| e.status == *s))
            .map(|(i, _)| i)
            .collect();
        let kept = self.keep.take().and_then(|id| {
            shown
                .iter()
                .position(|i| all[*i].id.as_deref() == Some(id.as_str()))
        });
        match kept {
            Some(at) => self.table.select(at as isize, shown.len(), view.rows),
            None => self.table.clamp(shown.len(), view.rows),
        }
        let stepped = shown.iter().any(|i| all[*i].step.is_some());
        let several = !matches!(self.scope, HistoryScope::Automation { .. });
        self.rows = shown
            .iter()
            .map(|i| row(&all[*i], ctx, several, stepped))
            .collect();
        self.stepped = stepped;
        let empty = shown.is_empty().then(|| {
            let among: Vec<&Execution> = all.iter().filter(|e| by_automation(e)).collect();
            self.excluded(&among, view.keys)
        });
        self.shown = shown;
        self.open &= self.selected().is_some();
        self.doc = match (&self.history, &self.failed, self.selected()) {
            (None, None, _) => {
                Doc::prose(vec![TextLine::toned(Tone::Warn, "loading the history…")])
            }
            (None, Some(e @ (BackendError::NoHistory(_) | BackendError::Unsupported(_))), _) => {
                Doc::prose(vec![TextLine::toned(Tone::Warn, e.to_string())])
            }
            (None, Some(e), _) => Doc::prose(vec![
                TextLine::toned(Tone::Error, format!("could not load the history: {e}")),
                TextLine::toned(Tone::Dim, format!("{} tries again", view.keys.refresh)),
            ]),
            (_, _, Some(e)) if self.open => {
                let automation = e
                    .automation_id
                    .as_deref()
                    .and_then(|id| ctx.list.get(id))
                    .map(|i| &i.saved.automation);
                let judge = self.focus().ok().map(|f| {
                    format!(
                        "{} judges run {} in the Backtest tab",
                        view.keys.judge,
                        f.run_name.unwrap_or(f.run)
                    )
                });
                Doc::prose(execution_lines(e, automation, ctx.now, judge))
            }
            _ => match empty {
                Some(Some(said)) => Doc::prose(vec![TextLine::toned(Tone::Dim, said)]),
                Some(None) => Doc::prose(vec![TextLine::toned(Tone::Dim, view.empty)]),
                None => Doc::default(),
            },
        };
    }

    /// What the filters left out when none of `among` (the executions of the automation
    /// filtered on, or all) is shown; `None` when nothing was recorded at all.
    fn excluded(&self, among: &[&Execution], keys: &Keys) -> Option<String> {
        let who = self
            .automation
            .as_ref()
            .map(|(_, name)| format!(" of {name}"))
            .unwrap_or_default();
        let status = self.status.as_ref()?;
        if among.is_empty() && self.automation.is_none() {
            return None;
        }
        let mut counts: Vec<(String, usize)> = Vec::new();
        for e in among {
            match counts.iter_mut().find(|(s, _)| s == e.status.as_str()) {
                Some((_, n)) => *n += 1,
                None => counts.push((e.status.to_string(), 1)),
            }
        }
        let others = counts
            .iter()
            .map(|(s, n)| format!("{n} {s}"))
            .collect::<Vec<_>>()
            .join(", ");
        let others = if others.is_empty() {
            "none".to_string()
        } else {
            others
        };
        Some(format!(
            "no {status} executions{who} among the {} loaded ({others}); {} shows the next status",
            among.len(),
            keys.status
        ))
    }
}

/// The keys a view names in its text.
pub(crate) struct Keys {
    /// Reads it again.
    pub(crate) refresh: String,
    /// Shows the next status.
    pub(crate) status: String,
    /// Judges the highlighted execution in the Backtest tab.
    pub(crate) judge: String,
}

/// How a view is shown: its table rows, what it says when nothing was recorded, and the keys
/// it names.
pub(crate) struct View<'a> {
    pub(crate) rows: usize,
    pub(crate) empty: &'a str,
    pub(crate) keys: &'a Keys,
}

/// `n` with its thousands set apart: "10,012".
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// One execution's row: status, when, (automation,) event, run or collection, (step,) why it
/// fired or its outcome.
fn row(e: &Execution, ctx: &Ctx, with_automation: bool, stepped: bool) -> TableRow<'static> {
    let (glyph, tone) = status_glyph(&e.status);
    let at = e.created_at.map_or(0, |t| t.as_second());
    let automation = e
        .automation_id
        .as_deref()
        .and_then(|id| ctx.list.get(id))
        .map(|i| &i.saved.automation);
    let detail = match (&e.error, why(e, automation, false)) {
        (Some(err), _) => cell(Tone::Error, err.clone()),
        (None, Some(why)) => cell(Tone::Plain, why),
        (None, None) => cell(Tone::Dim, e.outcome()),
    };
    let mut cells = vec![
        cell(tone, status_cell(e)),
        cell(Tone::Dim, ago(ctx.now, at)),
    ];
    if with_automation {
        cells.push(cell(
            Tone::Plain,
            e.automation_name.clone().unwrap_or_default(),
        ));
    }
    cells.extend([
        cell(Tone::Dim, e.event_type.clone().unwrap_or_default()),
        cell(Tone::Plain, e.subject()),
    ]);
    if stepped {
        cells.push(cell(Tone::Plain, step_words(e)));
    }
    cells.push(detail);
    TableRow {
        lead: cell(tone, glyph),
        cells,
        tone: if e.is_test() { Tone::Dim } else { Tone::Plain },
        marked: false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_have_their_thousands_set_apart() {
        let shown: Vec<String> = [0, 999, 1_000, 10_012, 1_234_567]
            .into_iter()
            .map(super::grouped)
            .collect();
        assert_eq!(shown, ["0", "999", "1,000", "10,012", "1,234,567"]);
    }
}
