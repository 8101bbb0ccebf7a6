//! The detail's Backtest tab: the runs to pick from (loaded async, newest first), the verdict of
//! the one picked, and its chart, all prepared here when an answer arrives or the run changes;
//! the view only paints it.

use crate::app::chart::{Chart, chart};
use crate::app::text::{Piece, TextLine, Tone};
use crate::engine::backtest::{Verdict, compared_name, needed, quantity, shown};
use crate::model::{Automation, Event};
use crate::ops::backtest::RunChoice;

/// The Backtest tab's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct BacktestView {
    /// The runs offered (`None` while they load).
    pub(super) runs: Option<Result<Vec<RunChoice>, String>>,
    /// The run picked.
    pub(super) selected: usize,
    /// Its verdict (`None` while it is judged).
    pub(super) verdict: Option<Result<Verdict, String>>,
    /// The line above the chart: which run, and how to pick another.
    pub(crate) header: Vec<TextLine>,
    /// What it is waiting for, if anything (painted with a spinner).
    pub(crate) waiting: Option<String>,
    /// The chart, once there is one.
    pub(crate) chart: Option<Chart>,
    /// The verdict in words, notes and errors.
    pub(crate) lines: Vec<TextLine>,
}

impl BacktestView {
    /// The run picked, if the runs are in.
    pub(super) fn choice(&self) -> Option<&RunChoice> {
        match &self.runs {
            Some(Ok(runs)) => runs.get(self.selected),
            _ => None,
        }
    }

    /// Moves the pick by `by` (wrapping); `true` when it moved to another run.
    pub(super) fn step(&mut self, by: isize) -> bool {
        let n = match &self.runs {
            Some(Ok(runs)) if runs.len() > 1 => runs.len() as isize,
            _ => return false,
        };
        self.selected = (self.selected as isize + by).rem_euclid(n) as usize;
        self.verdict = None;
        true
    }

    /// Makes the header, chart and lines again from what is known; `other` names the keys that
    /// pick another run.
    pub(super) fn prepare(&mut self, a: &Automation, other: &str) {
        self.chart = None;
        self.lines.clear();
        self.header.clear();
        self.waiting = None;
        let runs = match &self.runs {
            None => {
                self.waiting = Some(match &a.scope.path.project_name() {
                    Some(p) => format!("loading the recent runs of {}/{p}…", a.scope.path.entity()),
                    None => "loading the recent runs…".into(),
                });
                return;
            }
            Some(Err(e)) => {
                self.lines.push(TextLine::toned(Tone::Error, e.clone()));
                return;
            }
            Some(Ok(runs)) if runs.is_empty() => {
                self.lines.push(TextLine::toned(
                    Tone::Dim,
                    "no runs to judge yet: on W&B the project has none; locally, `wbauto engine --watch DIR` follows run logs (or backtest from the CLI with --run-dir)",
                ));
                return;
            }
            Some(Ok(runs)) => runs,
        };
        let Some(choice) = runs.get(self.selected) else {
            return;
        };
        self.header.push(TextLine::new(vec![
            Piece::new(
                Tone::Title,
                format!("run {}/{} ", self.selected + 1, runs.len()),
            ),
            Piece::plain(format!("{} ", choice.label)),
            Piece::new(
                Tone::Dim,
                format!("({}) {}", short(&choice.id), choice.state),
            ),
            Piece::new(Tone::Dim, format!("   {other} other runs")),
        ]));
        match &self.verdict {
            None => self.waiting = Some(format!("reading the history of {}…", choice.label)),
            Some(Err(e)) => self.lines.push(TextLine::toned(Tone::Error, e.clone())),
            Some(Ok(v)) => {
                self.chart = chart(a, v);
                self.lines = verdict_lines(a, v);
            }
        }
    }
}

/// A run log's path shortened to its file name; a W&B id as it is.
fn short(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// The verdict in words: fired or not, the first firing, what was held back, the closest
/// approach, the notes.
fn verdict_lines(a: &Automation, v: &Verdict) -> Vec<TextLine> {
    let mut out = Vec::new();
    match v.firings.first() {
        Some(first) => {
            let at = first
                .step
                .map_or_else(|| "the end".to_string(), |s| format!("step {s}"));
            let value = first
                .value
                .map(|x| format!(" ({} = {})", compared_name(a), shown(x)))
                .unwrap_or_default();
            out.push(TextLine::new(vec![
                Piece::new(
                    Tone::On,
                    format!("● would have fired {} time(s)", v.firings.len()),
                ),
                Piece::plain(format!("; first at {at}{value}")),
            ]));
        }
        None if v.excluded => out.push(TextLine::toned(
            Tone::Off,
            "○ never judged: the automation's run filter excludes this run",
        )),
        None => {
            let why = match (&v.closest, &a.event) {
                (Some(c), _) => c.words.clone(),
                (None, Event::RunState { .. }) => match &v.last_state {
                    Some(s) => format!("its last state was {s}"),
                    None => "it reported no state".into(),
                },
                (None, Event::RunMetric { condition, .. }) => format!(
                    "no full window of {} ({} values in a row); it needs {}",
                    condition.metric(),
                    crate::engine::eval::needed(condition),
                    needed(condition)
                ),
                (None, Event::RunStalled { .. }) => match &v.longest_gap {
                    Some(g) => format!("never stalled; the longest silence was {}", g.words()),
                    None => "no silence could be measured".into(),
                },
                (None, Event::RunMetricNonfinite { .. }) => {
                    "no matching metric was NaN or infinite".into()
                }
                _ => String::new(),
            };
            out.push(TextLine::new(vec![
                Piece::new(Tone::Off, "○ would not have fired: "),
                Piece::plain(why),
            ]));
        }
    }
    if !v.suppressed.is_empty() {
        let day = v
            .suppressed
            .iter()
            .filter(|s| s.why == crate::engine::backtest::Suppression::OncePerDay)
            .count();
        let rate = v.suppressed.len() - day;
        out.push(TextLine::toned(
            Tone::Warn,
            format!(
                "  {} more held back: {day} by the once-a-day rule, {rate} by the rate limit",
                v.suppressed.len()
            ),
        ));
    }
    for g in &v.stalled {
        out.push(TextLine::toned(
            Tone::Warn,
            format!("  stalled {}", g.words()),
        ));
    }
    if let Event::RunStalled { after, .. } = &a.event {
        out.push(TextLine::new(vec![
            Piece::new(Tone::Dim, "  ── "),
            Piece::plain("seconds without a step"),
            Piece::new(
                Tone::Dim,
                format!("   ── after {after}   ⣿ stalled   █ fired"),
            ),
        ]));
    }
    if let Event::RunMetric { condition, .. } = &a.event {
        out.push(TextLine::new(vec![
            Piece::new(Tone::Dim, "  ── "),
            Piece::plain(quantity(condition)),
            Piece::new(
                Tone::Dim,
                format!(
                    "   ── {}   █ fired   • held back   {} values judged",
                    needed(condition),
                    v.judged
                ),
            ),
        ]));
    }
    for n in &v.notes {
        out.push(TextLine::toned(Tone::Dim, format!("  note: {n}")));
    }
    out
}
