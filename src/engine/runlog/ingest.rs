//! Following run logs into the engine: what is new in each log is evaluated, and where the log
//! was left is saved in the same fenced transaction, so a restart neither re-fires nor misses.
//!
//! A log is filed only once its run record has been read (the run's entity and project come
//! from it, never from a guess), and a log whose run has ended is not read again: its file and
//! its run's directory are remembered, so following thousands of finished runs costs a
//! directory listing per round.

use super::follow;
use crate::engine::error::EngineError;
use crate::engine::eval::run_key;
use crate::engine::lease::Fence;
use crate::engine::{Engine, Report, store};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What following run logs did.
#[derive(Clone, Debug, Default)]
pub struct Followed {
    /// Log files found (finished ones included).
    pub files: usize,
    /// Events taken from them.
    pub events: usize,
    /// Runs being followed that have not ended.
    pub live: usize,
    /// What was decided.
    pub report: Report,
    /// Things to tell the user.
    pub warnings: Vec<String>,
}

/// Where a log stands after a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    /// No run record yet: nothing filed.
    NoRun,
    /// Its run goes on.
    Live,
    /// Its run ended.
    Ended,
}

/// The logs whose runs ended, and their directories: never read or listed again.
#[derive(Debug, Default)]
pub(crate) struct Finished {
    files: HashSet<PathBuf>,
    dirs: HashSet<PathBuf>,
}

impl Finished {
    fn add(&mut self, path: &Path, top: &Path) {
        self.files.insert(path.to_path_buf());
        // The run's own directory (`wandb/run-…/`), not the watched one itself.
        if let Some(parent) = path.parent()
            && parent != top
        {
            self.dirs.insert(parent.to_path_buf());
        }
    }
}

impl Engine {
    /// Reads what is new in every run log under `dir`, evaluates it and remembers where each
    /// log was left, in one transaction per batch; a run without an exit record whose writer is
    /// gone ends as failed (crashed), history saying which rule decided. A log without a run
    /// record yet is left alone. Unknown projects are created in a known entity; runs of an
    /// unknown entity are reported once and skipped. The records keep their own times (for the
    /// 24-hour rule); the rate limit runs on `now`.
    pub fn follow(
        &mut self,
        fence: &Fence,
        dir: &Path,
        mapping: &super::events::Mapping,
        now: i64,
    ) -> Result<Followed, EngineError> {
        let mut out = Followed::default();
        for path in follow::find_except(dir, &self.finished.dirs) {
            out.files += 1;
            if self.finished.files.contains(&path) {
                continue;
            }
            let key = std::fs::canonicalize(&path)
                .unwrap_or(path.clone())
                .display()
                .to_string();
            let log = self.with_conn(|c| store::runlog(c, &key))?;
            match self.follow_one(fence, &path, &key, log, mapping, now, &mut out)? {
                Standing::Ended => self.finished.add(&path, dir),
                Standing::Live => out.live += 1,
                Standing::NoRun => {}
            }
        }
        self.activity.metrics.runs_followed(out.live);
        Ok(out)
    }

    /// Follows one log from `log` (what was remembered of it).
    #[allow(clippy::too_many_arguments)]
    fn follow_one(
        &mut self,
        fence: &Fence,
        path: &Path,
        key: &str,
        mut log: super::events::RunLog,
        mapping: &super::events::Mapping,
        now: i64,
        out: &mut Followed,
    ) -> Result<Standing, EngineError> {
        while !log.ended {
            let reading = match follow::read(path, &log, mapping, now, 20_000) {
                Ok(r) => r,
                Err(e) => {
                    out.warnings.push(e);
                    return Ok(Standing::Live);
                }
            };
            out.warnings.extend(reading.warnings);
            let mut next = reading.log;
            let Some((entity, project, _, _)) = next.run.clone() else {
                // No run record yet: nothing is filed, and the log is read from its start
                // again once it has one.
                return Ok(Standing::NoRun);
            };
            let mut events = reading.events;
            let mut crash = None;
            if !reading.more
                && let Some(gone) =
                    follow::writer_gone(path, &next, now, self.settings.run_stale_secs)
            {
                crash = next.crashed(&gone.words());
            }
            let known = self
                .with_conn(|c| Ok(crate::backend::local::store::entity(c, &entity)?))?
                .is_some();
            if !known {
                if !next.skipped {
                    out.warnings.push(format!(
                        "{}: the run's entity {entity:?} is not in the local database; its events are skipped (use --project ENTITY/PROJECT)",
                        path.display()
                    ));
                }
                next.skipped = true;
                events.clear();
                crash = None;
            }
            if next != log || !events.is_empty() || crash.is_some() {
                out.events += events.len() + usize::from(crash.is_some());
                let judged = next.judged.clone().unwrap_or_default();
                let report = self.ingest_with(fence, now, |batch| {
                    let tx = batch.conn();
                    if known
                        && !crate::backend::local::store::projects(tx, &entity)?
                            .iter()
                            .any(|p| p.name == project)
                    {
                        crate::backend::local::store::insert_project(tx, &entity, &project)?;
                    }
                    for e in events {
                        batch.push(e)?;
                    }
                    if let Some(c) = crash {
                        batch.push_judged(c, &judged)?;
                    }
                    store::save_runlog(batch.conn(), key, &next)
                })?;
                out.report.add(&report);
            }
            // Only a writer seen alive on this host lets the engine's clock judge a silence;
            // a log written elsewhere is judged by its own records.
            if let Some(run) = next.run_ref() {
                let here =
                    !next.ended && follow::writer_here(path, &next).is_some_and(|(_, alive)| alive);
                self.evaluator.watch.vouch(&run_key(&run), here);
            }
            log = next;
            if !reading.more {
                break;
            }
        }
        Ok(if log.ended {
            Standing::Ended
        } else {
            Standing::Live
        })
    }
}
