//! A run's pace, for `run_stalled`: when it started, when it last logged a history row, the gaps
//! between its last rows, and whether it has been silent past a bound. Pure: times in, answers
//! out; the live engine passes its clock, a replay the records' own times.
//!
//! Progress is history rows only; any record (system stats included) only proves the run is
//! alive. A time earlier than one already seen (a clock that jumped backwards) never makes a
//! negative gap: it counts as no time passing.

use super::eval::FastMap;
use super::event::RunRef;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How many of a run's last history rows the adaptive bound looks at (so at most 19 gaps).
pub(crate) const PACE_ROWS: usize = 20;

/// How many gaps must be known before the adaptive bound uses them.
pub(crate) const PACE_MIN_GAPS: usize = 5;

/// What is remembered of a run's pace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Pace {
    /// When the run was first seen (its start, or its first event), Unix seconds.
    pub started: Option<i64>,
    /// When it last logged a history row.
    pub last_row: Option<i64>,
    /// The gaps in seconds between its last [`PACE_ROWS`] rows, oldest first.
    pub gaps: VecDeque<i64>,
    /// The latest time anything showed it alive.
    pub alive_at: Option<i64>,
}

/// A stall: the run has logged no row for `stalled_for` seconds since `since`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stall {
    /// When progress was last seen: the last row, or the start when there was none.
    pub since: i64,
    /// Seconds without a row at the moment it was judged.
    pub stalled_for: i64,
}

impl Pace {
    /// The run was seen (any record) at `t`.
    pub fn seen(&mut self, t: i64) {
        self.started.get_or_insert(t);
        self.alive_at = Some(self.alive_at.map_or(t, |a| a.max(t)));
    }

    /// The run logged a history row at `t`.
    pub fn row(&mut self, t: i64) {
        self.seen(t);
        if let Some(last) = self.last_row {
            self.gaps.push_back((t - last).max(0));
            while self.gaps.len() > PACE_ROWS - 1 {
                self.gaps.pop_front();
            }
        }
        // A clock set back restarts the measure from the new time rather than waiting for the
        // old one to come round.
        self.last_row = Some(t);
    }

    /// The median gap between the last rows, once [`PACE_MIN_GAPS`] are known.
    pub fn median_gap(&self) -> Option<f64> {
        if self.gaps.len() < PACE_MIN_GAPS {
            return None;
        }
        let mut sorted: Vec<i64> = self.gaps.iter().copied().collect();
        sorted.sort_unstable();
        let mid = sorted.len() / 2;
        Some(if sorted.len().is_multiple_of(2) {
            (sorted[mid - 1] + sorted[mid]) as f64 / 2.0
        } else {
            sorted[mid] as f64
        })
    }

    /// How long without a row is a stall: `after`, or with `adaptive` the longer of `after`
    /// and `factor` times the median gap (once enough gaps are known).
    pub fn bound(&self, after: u64, adaptive: bool, factor: f64) -> i64 {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        match self.median_gap().filter(|_| adaptive) {
            Some(median) => after.max((factor * median).ceil() as i64),
            None => after,
        }
    }

    /// When progress was last seen: the last row, or the start when there was none.
    pub fn since(&self) -> Option<i64> {
        self.last_row.or(self.started)
    }

    /// Whether the run, judged at `now`, has logged no row for at least `bound` seconds.
    pub fn stalled(&self, now: i64, bound: i64) -> Option<Stall> {
        let since = self.since()?;
        let stalled_for = now - since;
        (stalled_for > 0 && stalled_for >= bound).then_some(Stall { since, stalled_for })
    }
}

/// A running run the live engine's clock may judge, and when a stall could next fire on it.
#[derive(Clone, Debug)]
struct Watched {
    run: RunRef,
    /// The earliest time a `run_stalled` automation could fire (`i64::MAX`: none could).
    due: i64,
    /// Whether the engine's clock vouches it is alive (its writer's process on this host, or a
    /// run known from events); `false`: only its records judge it (a log written elsewhere).
    clock: bool,
}

/// The running runs, for the live stall check: which are due is one comparison per run.
#[derive(Clone, Debug, Default)]
pub(crate) struct Watchlist {
    runs: FastMap<String, Watched>,
}

impl Watchlist {
    /// Watches a running run, due at `due` (`None`: no stall could fire now).
    pub fn set(&mut self, key: &str, run: &RunRef, due: Option<i64>) {
        let due = due.unwrap_or(i64::MAX);
        match self.runs.get_mut(key) {
            Some(w) => w.due = due,
            None => {
                self.runs.insert(
                    key.to_string(),
                    Watched {
                        run: run.clone(),
                        due,
                        clock: true,
                    },
                );
            }
        }
    }

    /// Stops watching a run (it ended, or never said it was running).
    pub fn forget(&mut self, key: &str) {
        self.runs.remove(key);
    }

    /// Says whether the engine's clock may judge a run (see [`Watched`]).
    pub fn vouch(&mut self, key: &str, clock: bool) {
        if let Some(w) = self.runs.get_mut(key) {
            w.clock = clock;
        }
    }

    /// Makes every run due now (the automations changed, so their bounds may have).
    pub fn recheck(&mut self) {
        self.runs.values_mut().for_each(|w| w.due = i64::MIN);
    }

    /// The runs the clock may judge whose stall could fire at `now`.
    pub fn due(&self, now: i64) -> Vec<RunRef> {
        self.runs
            .values()
            .filter(|w| w.clock && w.due <= now)
            .map(|w| w.run.clone())
            .collect()
    }

    /// How many runs are watched.
    pub fn len(&self) -> usize {
        self.runs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steady(every: i64, rows: i64) -> Pace {
        let mut p = Pace::default();
        for i in 0..rows {
            p.row(1_000 + i * every);
        }
        p
    }

    #[test]
    fn the_adaptive_bound_follows_the_runs_median_gap_once_five_are_known() {
        let p = steady(600, 5);
        assert_eq!(p.gaps.len(), 4);
        assert_eq!(p.bound(60, true, 5.0), 60, "four gaps: after alone");
        let p = steady(600, 6);
        assert_eq!(p.bound(60, true, 5.0), 3_000);
        assert_eq!(p.bound(60, false, 5.0), 60);
        assert_eq!(p.bound(7_200, true, 5.0), 7_200, "the longer of the two");
        let p = steady(10, 100);
        assert_eq!(p.gaps.len(), PACE_ROWS - 1, "the last 20 rows only");
    }

    #[test]
    fn a_stall_is_measured_from_the_last_row_or_the_start() {
        let mut p = Pace::default();
        assert_eq!(p.stalled(10_000, 60), None, "never seen");
        p.seen(1_000);
        assert_eq!(p.stalled(1_059, 60), None);
        assert_eq!(
            p.stalled(1_060, 60),
            Some(Stall {
                since: 1_000,
                stalled_for: 60
            })
        );
        p.row(1_100);
        assert_eq!(p.stalled(1_150, 60), None);
        assert_eq!(p.stalled(1_200, 60).map(|s| s.since), Some(1_100));
    }

    #[test]
    fn a_clock_set_back_gives_no_negative_gap_and_no_stall() {
        let mut p = steady(10, 10);
        p.row(500);
        assert!(p.gaps.iter().all(|g| *g >= 0), "{:?}", p.gaps);
        assert_eq!(p.stalled(400, 60), None, "before the last row");
        assert_eq!(p.stalled(520, 60), None);
        p.seen(100);
        assert_eq!(p.alive_at, Some(1_090), "alive_at never goes back");
    }
}
