//! Commands that evaluate and deliver by themselves when no engine runs: `emit` (events from
//! flags or a file), a replay of run logs, and a test fire. Each takes the evaluator's lease for
//! as long as it works (waiting while another one-shot command holds it), delivers only what it
//! queued itself, within [`DEADLINE`], and leaves the rest in the outbox for the engine. When an
//! engine holds the lease, events are queued for it instead.

use super::error::EngineError;
use super::event::EngineEvent;
use super::health::Health;
use super::lease::{Fence, Holder, Kind, Lease};
use super::metrics::Source;
use super::pool::{Pool, Tally, Until};
use super::runlog::events::Mapping;
use super::runlog::ingest::Followed;
use super::store::{self, Scope};
use super::{Batch, Engine, Report, now_secs};
use rusqlite::Connection;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a one-shot command delivers its own executions before leaving them to the engine.
pub(crate) const DEADLINE: Duration = Duration::from_secs(30);

/// How long a one-shot command waits for another one to let the lease go.
const WAIT_FOR_ONESHOT: Duration = Duration::from_secs(120);

/// Where a one-shot command's events go: evaluated here, or queued for the running engine.
pub(crate) enum Sink<'s, 't> {
    /// Evaluated in this batch.
    Here(&'s mut Batch<'t>),
    /// Queued in the inbox (the transaction), with how many so far.
    Inbox(&'s Connection, usize),
}

impl Sink<'_, '_> {
    /// Takes one event.
    pub fn push(&mut self, event: EngineEvent) -> Result<(), EngineError> {
        match self {
            Sink::Here(batch) => batch.push(event),
            Sink::Inbox(conn, n) => {
                let mut event = event;
                event.time.get_or_insert(now_secs());
                store::push_inbox(conn, &event.to_json().to_string())?;
                *n += 1;
                Ok(())
            }
        }
    }
}

/// A one-shot command's failure: its input, or the engine.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OneshotError {
    /// The events given are wrong (nothing was stored).
    #[error("{0}")]
    Input(String),
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl From<String> for OneshotError {
    fn from(message: String) -> Self {
        OneshotError::Input(message)
    }
}

/// What `emit` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Emitted {
    /// Queued for the engine that holds the lease.
    Queued {
        /// Events queued.
        events: usize,
        /// The engine.
        engine: Holder,
    },
    /// Evaluated here, and its own executions delivered (within the deadline).
    Here {
        /// What was decided.
        report: Report,
        /// What was delivered.
        tally: Tally,
    },
}

/// The lease for a one-shot command: taken, or the engine that holds it; waits while another
/// one-shot command holds it.
async fn lease(engine: &Engine, kind: Kind) -> Result<Result<Lease, Holder>, OneshotError> {
    let path = engine.path().map_err(EngineError::from)?;
    let started = Instant::now();
    loop {
        match Lease::take(&path, kind)? {
            Ok(lease) => return Ok(Ok(lease)),
            Err(h) if h.kind == Kind::Engine => return Ok(Err(h)),
            Err(h) if started.elapsed() > WAIT_FOR_ONESHOT => {
                return Err(OneshotError::Input(format!(
                    "{} has held the evaluator's lease for over {} s; try again when it is done",
                    h.describe(),
                    WAIT_FOR_ONESHOT.as_secs()
                )));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Delivers what the holder of `fence` queued (or one execution), until `deadline`.
async fn deliver_own(
    engine: &Engine,
    fence: &Fence,
    scope: Scope,
    deadline: Instant,
) -> Result<Tally, EngineError> {
    let pool = Pool::new(
        &engine.path()?,
        fence.clone(),
        scope,
        &engine.settings,
        Arc::new(Health::default()),
        engine.activity.clone(),
    )?;
    let (_keep, stop) = tokio::sync::watch::channel(false);
    pool.run(
        Until::Done(deadline),
        stop,
        Arc::new(tokio::sync::Notify::new()),
    )
    .await
}

/// `emit`: evaluates what `feed` pushes (all of it or nothing) and delivers its own
/// executions, unless an engine holds the lease; then queues the events for it (all or nothing
/// too).
pub async fn emit(
    engine: &mut Engine,
    feed: impl FnOnce(&mut Sink<'_, '_>) -> Result<(), OneshotError>,
) -> Result<Emitted, OneshotError> {
    let lease = match lease(engine, Kind::Emit).await? {
        Ok(lease) => lease,
        Err(holder) => {
            let events = engine.with_conn(|c| {
                let tx = c.transaction().map_err(super::error::db)?;
                let mut sink = Sink::Inbox(&tx, 0);
                let fed = feed(&mut sink);
                let Sink::Inbox(_, n) = sink else {
                    return Ok(Err(OneshotError::Input("the events went astray".into())));
                };
                if let Err(e) = fed {
                    return Ok(Err(e));
                }
                tx.commit().map_err(super::error::db)?;
                Ok(Ok(n))
            })??;
            return Ok(Emitted::Queued {
                events,
                engine: holder,
            });
        }
    };
    let fence = lease.fence().clone();
    let result = async {
        let report =
            engine.ingest_with(&fence, now_secs(), |batch| feed(&mut Sink::Here(batch)))?;
        engine.activity.taken(Source::Emit, &report);
        let own = Scope::Origin(fence.origin().to_string());
        let tally = deliver_own(engine, &fence, own, Instant::now() + DEADLINE).await?;
        engine.prune(&fence)?;
        Ok::<_, OneshotError>(Emitted::Here { report, tally })
    }
    .await;
    lease.release();
    result
}

/// `emit --run-dir`: reads the run logs under `dir` now, evaluates them and delivers its own
/// executions; refused while an engine holds the lease (give it `--watch DIR` instead).
pub async fn replay(
    engine: &mut Engine,
    dir: &std::path::Path,
    mapping: &Mapping,
) -> Result<(Followed, Tally), OneshotError> {
    let lease = match lease(engine, Kind::Emit).await? {
        Ok(lease) => lease,
        Err(holder) => {
            return Err(OneshotError::Input(format!(
                "{} is evaluating this database; give it --watch DIR instead of replaying here",
                holder.describe()
            )));
        }
    };
    let fence = lease.fence().clone();
    let result = async {
        let followed = engine.follow(&fence, dir, mapping, now_secs())?;
        let own = Scope::Origin(fence.origin().to_string());
        let tally = deliver_own(engine, &fence, own, Instant::now() + DEADLINE).await?;
        engine.prune(&fence)?;
        Ok::<_, OneshotError>((followed, tally))
    }
    .await;
    lease.release();
    result
}

/// Delivers one recorded execution (a test fire) by the lease's rules: the running engine
/// delivers it (this waits for that); else this process takes the lease and delivers it alone.
/// Waits at most until `deadline`.
pub async fn deliver_one(
    engine: &Engine,
    execution: &str,
    deadline: Instant,
) -> Result<(), EngineError> {
    let path = engine.path()?;
    let pending = |engine: &Engine| {
        engine.with_conn(|c| {
            Ok(store::next_due(c, &Scope::Execution(execution.to_string()))?.is_some())
        })
    };
    while pending(engine)? && Instant::now() < deadline {
        match Lease::take(&path, Kind::Test)? {
            Ok(lease) => {
                let fence = lease.fence().clone();
                let one = Scope::Execution(execution.to_string());
                let done = deliver_own(engine, &fence, one, deadline).await;
                lease.release();
                done?;
                return Ok(());
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    Ok(())
}
