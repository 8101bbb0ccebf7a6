//! How faithful the local evaluator is to what really fired: one run's backtest verdict beside
//! the executions recorded on that run (W&B's records, or the local engine's), paired by time,
//! and whatever only one side did, said in words. Pure.

use crate::engine::backtest::{Hit, Suppression, Verdict};
use crate::model::Automation;
use crate::model::history::{Execution, Source};
use serde_json::{Value, json};

/// Seconds an execution may come after the evaluator's firing and still be that firing (W&B
/// judges a metric as it arrives, within minutes).
pub const PAIRING_WINDOW: i64 = 600;

/// Seconds an execution may seem to come before its firing (clocks differ a little).
const CLOCK_SKEW: i64 = 60;

/// The steps a run logged and when, oldest first: where a recorded execution that names no
/// step happened in the run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepClock(Vec<(i64, i64)>);

impl StepClock {
    /// From (step, time) points in the order they were logged.
    pub fn new(mut points: Vec<(i64, i64)>) -> Self {
        points.sort_by_key(|&(_, time)| time);
        Self(points)
    }

    /// The metric steps of a recorded run and when each was logged.
    pub fn of(history: &crate::engine::backtest::RunHistory) -> Self {
        Self::new(
            history
                .events
                .iter()
                .filter_map(|e| match (&e.body, e.time) {
                    (crate::engine::event::EventBody::Metric { step: Some(s), .. }, Some(t)) => {
                        Some((*s, t))
                    }
                    _ => None,
                })
                .collect(),
        )
    }

    /// The last step logged at or before `time`.
    pub fn step_at(&self, time: i64) -> Option<i64> {
        let after = self.0.partition_point(|&(_, t)| t <= time);
        after.checked_sub(1).map(|i| self.0[i].0)
    }
}

/// An execution recorded on the run, where it happened in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    /// Its id.
    pub id: Option<String>,
    /// When it fired (Unix seconds).
    pub time: i64,
    /// The step it fired at, recorded or found from its time.
    pub step: Option<i64>,
    /// Why the evaluator held a firing back there, when it did.
    pub held: Option<Suppression>,
}

/// A run's verdict beside what was recorded on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Whose records.
    pub source: Source,
    /// Firings both the evaluator and the records have.
    pub agreed: Vec<(Hit, Recorded)>,
    /// Recorded where the evaluator would not have fired (or held its firing back).
    pub only_recorded: Vec<Recorded>,
    /// The evaluator would have fired and nothing was recorded.
    pub only_evaluator: Vec<Hit>,
    /// Evaluator firings before the automation existed (nothing could be recorded then).
    pub before_automation: usize,
}

impl Comparison {
    /// Whether the two agree on this run.
    pub fn agrees(&self) -> bool {
        self.only_recorded.is_empty() && self.only_evaluator.is_empty()
    }

    /// Whose records, in words.
    pub fn who(&self) -> &'static str {
        match self.source {
            Source::Wandb => "W&B",
            Source::Local => "the local engine",
        }
    }

    /// Agreement or each disagreement, one sentence each.
    pub fn words(&self) -> Vec<String> {
        let who = self.who();
        let mut out = Vec::new();
        if self.agrees() {
            out.push(match self.agreed.len() {
                0 => format!("agrees with {who}: neither fired on this run"),
                n => format!(
                    "agrees with {who}: both fired {n} time(s), first at {}",
                    at(self.agreed[0].0.step, self.agreed[0].0.time)
                ),
            });
        }
        for r in &self.only_recorded {
            out.push(match r.held {
                Some(why) => format!(
                    "{who} fired at {} where the evaluator held its firing back ({})",
                    at(r.step, r.time),
                    why.reason()
                ),
                None => format!(
                    "{who} fired at {} where the evaluator would not have",
                    at(r.step, r.time)
                ),
            });
        }
        for h in &self.only_evaluator {
            out.push(format!(
                "the evaluator would have fired at {} and {who} did not",
                at(h.step, h.time)
            ));
        }
        if self.before_automation > 0 {
            out.push(format!(
                "{} firing(s) before the automation existed are left out",
                self.before_automation
            ));
        }
        out
    }

    /// The comparison as `backtest --compare-history --json` writes it.
    pub fn to_json(&self) -> Value {
        let recorded = |r: &Recorded| {
            json!({"execution": r.id, "time": time_json(r.time), "step": r.step,
                "held_back": r.held.map(Suppression::reason)})
        };
        let hit = |h: &Hit| json!({"step": h.step, "time": time_json(h.time)});
        json!({
            "source": self.source,
            "agrees": self.agrees(),
            "agreed": self.agreed.iter().map(|(h, r)| json!({"firing": hit(h), "recorded": recorded(r)})).collect::<Vec<_>>(),
            "only_recorded": self.only_recorded.iter().map(recorded).collect::<Vec<_>>(),
            "only_evaluator": self.only_evaluator.iter().map(hit).collect::<Vec<_>>(),
            "before_automation": self.before_automation,
        })
    }
}

fn time_json(t: i64) -> Value {
    match jiff::Timestamp::from_second(t) {
        Ok(ts) if t > 0 => json!(ts.to_string()),
        _ => Value::Null,
    }
}

/// `step 150 (2026-03-01 10:00:00)`, or the time alone.
fn at(step: Option<i64>, time: i64) -> String {
    let when = jiff::Timestamp::from_second(time)
        .ok()
        .filter(|_| time > 0)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string());
    match (step, when) {
        (Some(s), Some(w)) => format!("step {s} ({w})"),
        (Some(s), None) => format!("step {s}"),
        (None, Some(w)) => w,
        (None, None) => "an unknown time".into(),
    }
}

/// Whether a recorded execution at `time` (at `step` when recorded) is the firing `hit`: the
/// same step where both have one and the records name it, else within the pairing window.
fn pairs(hit: &Hit, recorded: &Recorded, stepped: bool, metric: bool) -> bool {
    if !metric {
        return true;
    }
    if stepped && let (Some(a), Some(b)) = (hit.step, recorded.step) {
        return a == b;
    }
    (hit.time - CLOCK_SKEW..=hit.time + PAIRING_WINDOW).contains(&recorded.time)
}

/// Compares the verdict of one run of `a` with `executions` (any of the automation's; those of
/// other runs and test fires are left out), recorded by `source` (the backend's, so a run with no
/// executions is still said to be the right side's). `clock` places an execution that names no
/// step.
pub fn compare(
    a: &Automation,
    verdict: &Verdict,
    executions: &[Execution],
    source: Source,
    clock: &StepClock,
) -> Comparison {
    let run = &verdict.run;
    let metric = matches!(a.event, crate::model::Event::RunMetric { .. });
    let mine = |e: &&Execution| {
        !e.is_test()
            && (e.on_run(&run.run) || run.display_name.as_deref().is_some_and(|n| e.on_run(n)))
    };
    let mut recorded: Vec<(Recorded, bool)> = executions
        .iter()
        .filter(mine)
        .filter_map(|e| {
            let time = e.created_at?.as_second();
            let step = e
                .step
                .or_else(|| metric.then(|| clock.step_at(time)).flatten());
            let r = Recorded {
                id: e.id.clone(),
                time,
                step,
                held: None,
            };
            Some((r, e.step.is_some()))
        })
        .collect();
    recorded.sort_by_key(|(r, _)| r.time);
    let created = a
        .created_at
        .as_deref()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map(|t| t.as_second());
    let existed = |h: &Hit| created.is_none_or(|c| h.time == 0 || h.time >= c);
    let before_automation = verdict.firings.iter().filter(|h| !existed(h)).count();
    let mut agreed = Vec::new();
    let mut only_evaluator = Vec::new();
    for hit in verdict.firings.iter().filter(|h| existed(h)) {
        match recorded
            .iter()
            .position(|(r, stepped)| pairs(hit, r, *stepped, metric))
        {
            Some(i) => agreed.push((hit.clone(), recorded.remove(i).0)),
            None => only_evaluator.push(hit.clone()),
        }
    }
    let only_recorded = recorded
        .into_iter()
        .map(|(mut r, stepped)| {
            r.held = verdict
                .suppressed
                .iter()
                .find(|s| pairs(&s.hit, &r, stepped, metric))
                .map(|s| s.why);
            r
        })
        .collect();
    Comparison {
        source,
        agreed,
        only_recorded,
        only_evaluator,
        before_automation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::RunRef;
    use crate::model::history::Status;

    fn automation(created: &str) -> Automation {
        let mut a = crate::file::read::parse_text(
            "name: loss-spike\nscope: {project: acme/vision}\nevent: {type: run_metric_threshold, metric: loss, agg: avg, window: 5, cmp: \">\", threshold: 0.5}\naction: {type: no_op}\n",
            crate::file::Format::Yaml,
        )
        .unwrap()
        .remove(0);
        a.created_at = Some(created.into());
        a
    }

    fn verdict(firings: &[(i64, i64)]) -> Verdict {
        Verdict {
            run: RunRef {
                entity: "acme".into(),
                project: "vision".into(),
                run: "vis005".into(),
                display_name: Some("sweep-5".into()),
                user: None,
            },
            firings: firings
                .iter()
                .map(|&(step, time)| Hit {
                    step: Some(step),
                    time,
                    value: Some(0.9),
                    values: Vec::new(),
                    finding: None,
                })
                .collect(),
            firings_total: firings.len(),
            suppressed: Vec::new(),
            suppressed_total: 0,
            closest: None,
            judged: 10,
            trace: Vec::new(),
            excluded: false,
            last_state: None,
            stalled: Vec::new(),
            longest_gap: None,
            metric_seen: false,
            notes: Vec::new(),
        }
    }

    fn wandb(run: &str, time: i64) -> Execution {
        Execution {
            id: Some(format!("x{time}")),
            run: Some(run.into()),
            created_at: jiff::Timestamp::from_second(time).ok(),
            ..Execution::unknown(Source::Wandb, Status::Success)
        }
    }

    const T: i64 = 1_780_000_000;

    #[test]
    fn a_recorded_execution_minutes_after_the_firing_agrees() {
        let a = automation("2026-01-01T00:00:00Z");
        let clock = StepClock::new((0..300).map(|s| (s, T + s)).collect());
        let c = compare(
            &a,
            &verdict(&[(150, T + 150)]),
            &[wandb("sweep-5", T + 200)],
            Source::Wandb,
            &clock,
        );
        assert!(c.agrees(), "{c:?}");
        assert_eq!(
            c.agreed[0].1.step,
            Some(200),
            "placed in the run by its time"
        );
        assert_eq!(
            c.words()[0],
            "agrees with W&B: both fired 1 time(s), first at step 150 (2026-05-28 20:29:10)"
        );
    }

    #[test]
    fn each_side_alone_is_a_disagreement_in_words() {
        let a = automation("2026-01-01T00:00:00Z");
        let clock = StepClock::new((0..3000).map(|s| (s, T + s)).collect());
        let executions = [
            wandb("vis005", T + 2_000),
            wandb("sweep-9", T + 150),
            Execution {
                test: Some(true),
                ..wandb("sweep-5", T + 160)
            },
        ];
        let c = compare(
            &a,
            &verdict(&[(150, T + 150)]),
            &executions,
            Source::Wandb,
            &clock,
        );
        assert!(!c.agrees());
        assert_eq!(
            c.words(),
            [
                "W&B fired at step 2000 (2026-05-28 21:00:00) where the evaluator would not have",
                "the evaluator would have fired at step 150 (2026-05-28 20:29:10) and W&B did not",
            ],
            "another run's execution and a test fire are left out"
        );
    }

    #[test]
    fn firings_before_the_automation_existed_are_left_out() {
        let a = automation("2026-05-28T20:30:00Z");
        let c = compare(
            &a,
            &verdict(&[(150, T + 150), (250, T + 250)]),
            &[],
            Source::Wandb,
            &StepClock::default(),
        );
        assert_eq!(c.before_automation, 1);
        assert_eq!(c.only_evaluator.len(), 1);
        assert_eq!(c.to_json()["only_evaluator"][0]["step"], 250);
    }

    #[test]
    fn a_run_with_no_executions_names_the_backend_that_keeps_them() {
        let a = automation("2026-01-01T00:00:00Z");
        let c = compare(
            &a,
            &verdict(&[(150, T + 150)]),
            &[],
            Source::Local,
            &StepClock::default(),
        );
        assert_eq!(
            c.words(),
            [
                "the evaluator would have fired at step 150 (2026-05-28 20:29:10) and the local engine did not"
            ],
        );
    }
}
