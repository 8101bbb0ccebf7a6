//! The Condition step's live verdict: the scope's recent runs are read once (per scope and
//! metric), then the condition is judged again on a worker after every edit, the newest answer
//! winning. Prepared here; the wizard's painter shows the lines and the small chart.

use crate::app::chart::{Chart, chart};
use crate::app::msg::Effect;
use crate::app::text::{Piece, TextLine, Tone};
use crate::engine::backtest::Verdict;
use crate::model::{Automation, Event};
use crate::ops::backtest::Histories;

/// Rows of the small chart under the Condition step, when the box has room for it.
pub(crate) const CHART_ROWS: u16 = 8;

/// The live verdict's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Preview {
    /// What the histories are of: the scope and the metric (or "states").
    source: Option<(String, String)>,
    /// The recent runs (`None` while they load).
    histories: Option<Result<Histories, String>>,
    /// The newest request for them.
    loading: Option<u64>,
    /// The condition last sent to be judged.
    judged: Option<String>,
    /// The newest judging request.
    judging: Option<u64>,
    /// The verdicts, per run, newest run first.
    verdicts: Option<Result<Vec<Verdict>, String>>,
    /// The lines shown under the sentence.
    pub(super) lines: Vec<TextLine>,
    /// The chart of the run the summary names.
    pub(super) chart: Option<Chart>,
}

fn source_of(a: &Automation) -> Option<(String, String)> {
    let what = match &a.event {
        Event::RunMetric { condition, .. } => condition.metric().to_string(),
        Event::RunState { .. } => "states".to_string(),
        _ => return None,
    };
    Some((a.scope.path.to_string(), what))
}

/// The condition as judged: its scope and event (edits elsewhere change nothing).
fn judged_key(a: &Automation) -> String {
    format!(
        "{} {}",
        a.scope.path,
        crate::file::write::event_value(&a.event)
    )
}

impl Preview {
    /// What to ask for after the condition changed: the runs when the scope or metric moved,
    /// else a judging of the new condition. `valid` is whether the step has no problems;
    /// `typing_metric` holds a new metric back until its field is left (no read per keystroke).
    pub(super) fn effects(
        &mut self,
        a: &Automation,
        valid: bool,
        typing_metric: bool,
        request: &mut dyn FnMut() -> u64,
    ) -> Vec<Effect> {
        let Some(source) = source_of(a) else {
            *self = Preview::default();
            return Vec::new();
        };
        let mut out = Vec::new();
        let moved = self.source.as_ref() != Some(&source);
        if moved && typing_metric && self.source.is_some() {
            self.prepare(a, valid);
            self.chart = None;
            self.lines.push(TextLine::toned(
                Tone::Dim,
                "the verdict on recent runs follows when you leave the metric field",
            ));
            return out;
        }
        if moved {
            let id = request();
            *self = Preview {
                source: Some(source),
                loading: Some(id),
                ..Preview::default()
            };
            out.push(Effect::LoadPreview {
                request: id,
                automation: Box::new(a.clone()),
            });
        } else if let (Some(Ok(histories)), true) = (&self.histories, valid) {
            let key = judged_key(a);
            if self.judged.as_ref() != Some(&key) {
                let id = request();
                self.judged = Some(key);
                self.judging = Some(id);
                out.push(Effect::JudgePreview {
                    request: id,
                    automation: Box::new(a.clone()),
                    histories: histories.clone(),
                });
            }
        }
        self.prepare(a, valid);
        out
    }

    /// The runs arrived; `true` if they were the newest asked for.
    pub(super) fn loaded(&mut self, request: u64, result: Result<Histories, String>) -> bool {
        if self.loading != Some(request) {
            return false;
        }
        self.loading = None;
        self.histories = Some(result);
        self.judged = None;
        true
    }

    /// A verdict arrived; stale ones are dropped. `true` if it was kept.
    pub(super) fn judged(&mut self, request: u64, result: Result<Vec<Verdict>, String>) -> bool {
        if self.judging != Some(request) {
            return false;
        }
        self.judging = None;
        self.verdicts = Some(result);
        true
    }

    /// Makes the lines and the chart from what is known.
    pub(super) fn prepare(&mut self, a: &Automation, valid: bool) {
        self.chart = None;
        self.lines.clear();
        let line = |tone: Tone, text: String| TextLine::toned(tone, text);
        match (&self.histories, &self.verdicts) {
            (None, _) => self.lines.push(line(
                Tone::Warn,
                "reading the scope's recent runs to show what this condition would have done…"
                    .into(),
            )),
            (Some(Err(e)), _) => self
                .lines
                .push(line(Tone::Dim, format!("no verdict on recent runs: {e}"))),
            (Some(Ok(h)), _) if h.is_empty() => self.lines.push(line(
                Tone::Dim,
                "no recent runs in this scope to judge the condition on".into(),
            )),
            _ if !valid => self.lines.push(line(
                Tone::Dim,
                "fix the condition to see what it would have done on recent runs".into(),
            )),
            (Some(Ok(_)), None) => self
                .lines
                .push(line(Tone::Warn, "judging the recent runs…".into())),
            (Some(Ok(_)), Some(Err(e))) => self.lines.push(line(Tone::Error, e.clone())),
            (Some(Ok(_)), Some(Ok(verdicts))) => {
                let fired: Vec<&Verdict> = verdicts.iter().filter(|v| v.fired()).collect();
                let first = fired.iter().min_by_key(|v| v.firings[0].time).copied();
                let mut pieces = vec![Piece::new(
                    if fired.is_empty() {
                        Tone::Off
                    } else {
                        Tone::On
                    },
                    format!(
                        "would have fired on {} of the last {} runs",
                        fired.len(),
                        verdicts.len()
                    ),
                )];
                if let Some(v) = first {
                    let at = v.firings[0]
                        .step
                        .map_or_else(|| "the end".into(), |s| format!("step {s}"));
                    let name = v
                        .run
                        .display_name
                        .clone()
                        .unwrap_or_else(|| v.run.run.clone());
                    pieces.push(Piece::plain(format!("; first: {name} at {at}")));
                }
                if self.judging.is_some() {
                    pieces.push(Piece::new(Tone::Dim, " (judging the edit…)"));
                }
                self.lines.push(TextLine::new(pieces));
                let shown = first.or(verdicts.first());
                if let Some(v) = shown {
                    let name = v
                        .run
                        .display_name
                        .clone()
                        .unwrap_or_else(|| v.run.run.clone());
                    if let Some(c) = v.closest.as_ref().filter(|_| !v.fired()) {
                        self.lines
                            .push(line(Tone::Dim, format!("{name}: {}", c.words)));
                    }
                    self.chart = chart(a, v);
                }
            }
        }
    }
}
