//! The detail's Backtest tab: the runs to pick from (loaded async, newest first), the verdict of
//! the one picked, and its chart, all prepared here when an answer arrives or the run changes;
//! the view only paints it.

use crate::app::chart::{Chart, chart};
use crate::app::executions::RunFocus;
use crate::app::text::{Piece, TextLine, Tone};
use crate::engine::backtest::{Verdict, compared_name, needed, quantity, shown};
use crate::model::{Automation, Event};
use crate::ops::backtest::{ChoiceSource, Judged, RunChoice};
use crate::ops::compare::Comparison;

/// The Backtest tab's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct BacktestView {
    /// The runs offered (`None` while they load).
    pub(super) runs: Option<Result<Vec<RunChoice>, String>>,
    /// The run picked.
    pub(super) selected: usize,
    /// Its verdict beside what was recorded on it (`None` while it is judged).
    pub(super) verdict: Option<Result<Judged, String>>,
    /// The line above the chart: which run, and how to pick another.
    pub(crate) header: Vec<TextLine>,
    /// What it is waiting for, if anything (painted with a spinner).
    pub(crate) waiting: Option<String>,
    /// The chart, once there is one.
    pub(crate) chart: Option<Chart>,
    /// The verdict in words, notes and errors.
    pub(crate) lines: Vec<TextLine>,
    /// The run and step an execution fired at, to show when the runs arrive.
    focus: Option<RunFocus>,
}

impl BacktestView {
    /// The run picked, if the runs are in.
    pub(super) fn choice(&self) -> Option<&RunChoice> {
        match &self.runs {
            Some(Ok(runs)) => runs.get(self.selected),
            _ => None,
        }
    }

    /// Shows this run next: picked now if the runs are in, else when they arrive.
    pub(super) fn focus_on(&mut self, focus: RunFocus) {
        self.focus = Some(focus);
        self.verdict = None;
        self.pick_focus();
    }

    /// The runs offered arrived: the focused run is picked (added when it is not among the
    /// recent ones), else the newest.
    pub(super) fn runs_arrived(&mut self, runs: Result<Vec<RunChoice>, String>) {
        self.runs = Some(runs);
        self.selected = 0;
        self.verdict = None;
        self.pick_focus();
    }

    fn pick_focus(&mut self) {
        let (Some(focus), Some(Ok(runs))) = (&self.focus, &mut self.runs) else {
            return;
        };
        let named = |c: &RunChoice| {
            c.id == focus.run || Some(&c.label) == focus.run_name.as_ref() || c.label == focus.run
        };
        self.selected = match runs.iter().position(named) {
            Some(i) => i,
            None => match focus.project.as_deref().and_then(|p| p.split_once('/')) {
                Some((entity, project))
                    if runs
                        .iter()
                        .all(|c| matches!(c.source, ChoiceSource::Recorded { .. })) =>
                {
                    runs.insert(
                        0,
                        RunChoice {
                            label: focus.run_name.clone().unwrap_or_else(|| focus.run.clone()),
                            id: focus.run.clone(),
                            state: "not among the recent runs".into(),
                            source: ChoiceSource::Recorded {
                                entity: entity.to_string(),
                                project: project.to_string(),
                            },
                        },
                    );
                    0
                }
                _ => 0,
            },
        };
    }

    /// The step to mark on the chart: where the focused execution fired (placed by its time
    /// when it recorded no step), when this run is its run.
    fn focus_step(&self, judged: &Judged) -> Option<i64> {
        let focus = self.focus.as_ref()?;
        let choice = self.choice()?;
        let same = choice.id == focus.run
            || Some(&choice.label) == focus.run_name.as_ref()
            || choice.label == focus.run;
        if !same {
            return None;
        }
        focus
            .step
            .or_else(|| focus.at.and_then(|t| judged.clock.step_at(t)))
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
                    "no runs to judge yet: the project has none, and no run logs are followed (`wbauto engine --watch DIR` follows them; from the CLI, `wbauto backtest NAME --run-dir DIR`)",
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
            Piece::new(Tone::Dim, format!("({}) {}", aside(choice), choice.state)),
            Piece::new(Tone::Dim, format!("   {other} other runs")),
        ]));
        match &self.verdict {
            None => self.waiting = Some(format!("reading the history of {}…", choice.label)),
            Some(Err(e)) => self.lines.push(TextLine::toned(Tone::Error, e.clone())),
            Some(Ok(judged)) => {
                let v = &judged.verdict;
                let compared = judged.recorded.as_ref().and_then(|r| r.as_ref().ok());
                self.chart = chart(a, v).map(|mut c| {
                    if let Some(step) = self.focus_step(judged) {
                        c.mark_step(step);
                    }
                    if let Some(compared) = compared {
                        c.mark_recorded(v, recorded_steps(compared));
                    }
                    c
                });
                // The verdict's first line, then whether it agrees with what was recorded.
                let mut lines = verdict_lines(a, v, compared.map(Comparison::who));
                let rest = lines.split_off(lines.len().min(1));
                lines.extend(comparison_lines(judged.recorded.as_ref()));
                lines.extend(rest);
                self.lines = lines;
            }
        }
    }
}

/// The steps of the executions recorded on the run.
fn recorded_steps(c: &Comparison) -> impl Iterator<Item = i64> + '_ {
    c.agreed
        .iter()
        .map(|(_, r)| r)
        .chain(&c.only_recorded)
        .filter_map(|r| r.step)
}

/// The verdict beside what was recorded, in words: agreement, or each disagreement.
fn comparison_lines(recorded: Option<&Result<Comparison, String>>) -> Vec<TextLine> {
    match recorded {
        None => Vec::new(),
        Some(Err(e)) => vec![TextLine::toned(
            Tone::Dim,
            format!("  nothing recorded to compare with: {e}"),
        )],
        Some(Ok(c)) => {
            let (glyph, tone) = if c.agrees() {
                ("✓", Tone::On)
            } else {
                ("✗", Tone::Error)
            };
            c.words()
                .into_iter()
                .map(|w| TextLine::toned(tone, format!("{glyph} {w}")))
                .collect()
        }
    }
}

/// What is said beside a run's name: a run log's file name; a recorded run's id, or its project
/// where the id is the name.
fn aside(choice: &RunChoice) -> String {
    match &choice.source {
        ChoiceSource::Recorded { entity, project } if choice.id == choice.label => {
            format!("{entity}/{project}")
        }
        _ => choice
            .id
            .rsplit('/')
            .next()
            .unwrap_or(&choice.id)
            .to_string(),
    }
}

/// The verdict in words: fired or not, the first firing, what was held back, the closest
/// approach, the chart's legend (with `recorded`, whose executions it marks), the notes.
fn verdict_lines(a: &Automation, v: &Verdict, recorded: Option<&str>) -> Vec<TextLine> {
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
        let marked = recorded
            .map(|who| format!("▄ fired on {who}   "))
            .unwrap_or_default();
        out.push(TextLine::new(vec![
            Piece::new(Tone::Dim, "  ── "),
            Piece::plain(quantity(condition)),
            Piece::new(
                Tone::Dim,
                format!(
                    "   ── {}   █ fired   • held back   {marked}{} values judged",
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
