//! Following run logs into the engine: what is new in each log is evaluated, and where the log
//! was left is saved in the same fenced transaction, so a restart neither re-fires nor misses.

use super::follow;
use crate::engine::error::EngineError;
use crate::engine::eval::run_key;
use crate::engine::lease::Fence;
use crate::engine::{Engine, Report, store};

/// What following run logs did.
#[derive(Clone, Debug, Default)]
pub struct Followed {
    /// Log files found.
    pub files: usize,
    /// Events taken from them.
    pub events: usize,
    /// What was decided.
    pub report: Report,
    /// Things to tell the user.
    pub warnings: Vec<String>,
}

impl Engine {
    /// Reads what is new in every run log under `dir`, evaluates it and remembers where each
    /// log was left, in one transaction per batch; a run without an exit record whose writer is
    /// gone ends as failed (crashed). Unknown projects are created in a known entity; runs of an
    /// unknown entity are reported once and skipped. The records keep their own times (for the
    /// 24-hour rule); the rate limit runs on `now`.
    pub fn follow(
        &mut self,
        fence: &Fence,
        dir: &std::path::Path,
        mapping: &super::events::Mapping,
        now: i64,
    ) -> Result<Followed, EngineError> {
        let mut out = Followed::default();
        for path in follow::find(dir) {
            out.files += 1;
            let key = std::fs::canonicalize(&path)
                .unwrap_or(path.clone())
                .display()
                .to_string();
            let mut log = self.with_conn(|c| store::runlog(c, &key))?;
            loop {
                let reading = match follow::read(&path, &log, mapping, now, 20_000) {
                    Ok(r) => r,
                    Err(e) => {
                        out.warnings.push(e);
                        break;
                    }
                };
                out.warnings.extend(reading.warnings);
                let mut next = reading.log;
                let mut events = reading.events;
                if !reading.more
                    && follow::writer_gone(&path, &next, now, self.settings.run_stale_secs)
                {
                    events.extend(next.crashed());
                }
                let (entity, project) = next
                    .run
                    .as_ref()
                    .map(|(e, p, _, _)| (e.clone(), p.clone()))
                    .unwrap_or_default();
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
                }
                if next != log || !events.is_empty() {
                    out.events += events.len();
                    let report = self.ingest_with(fence, now, |batch| {
                        for e in events {
                            batch.push(e)?;
                        }
                        let tx = batch.conn();
                        if known
                            && !crate::backend::local::store::projects(tx, &entity)?
                                .iter()
                                .any(|p| p.name == project)
                        {
                            crate::backend::local::store::insert_project(tx, &entity, &project)?;
                        }
                        store::save_runlog(tx, &key, &next)
                    })?;
                    out.report.add(&report);
                }
                // Only a writer seen alive on this host lets the engine's clock judge a silence;
                // a log written elsewhere is judged by its own records.
                if let Some(run) = next.run_ref() {
                    let here = !next.ended && follow::writer_here(&path, &next) == Some(true);
                    self.evaluator.watch.vouch(&run_key(&run), here);
                }
                log = next;
                if !reading.more {
                    break;
                }
            }
        }
        Ok(out)
    }
}
