//! The delivery pool: outbox rows sent by a bounded number of tasks beside the evaluator, at most
//! [`PER_RECEIVER`] at once to one receiver, so a receiver that hangs delays only its own
//! deliveries. Results are written in batches, each in a transaction fenced by the lease; a
//! delivery still in flight when the pool stops stays in the outbox for the next start (with
//! the same delivery id).

use super::deliver::{self, Answer};
use super::error::{EngineError, db};
use super::health::{Health, Part};
use super::lease::Fence;
use super::store::{self, Due, Scope};
use super::{now_ms, schema};
use crate::config::file::EngineSettings;
use rusqlite::{Connection, TransactionBehavior};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

/// Deliveries in flight at once, in all.
pub(crate) const TOTAL: usize = 64;

/// Deliveries in flight at once to one receiver (scheme, host and port).
pub(crate) const PER_RECEIVER: usize = 8;

/// How often the outbox is looked at when nothing wakes the pool.
const POLL: Duration = Duration::from_millis(200);

/// When the pool stops.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Until {
    /// When `stop` turns true; then deliveries in flight get at most this long to finish.
    Stopped(Duration),
    /// When nothing of the pool's scope is left to send, or at this deadline.
    Done(Instant),
}

/// What the pool did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Delivered (2xx).
    pub delivered: usize,
    /// Given up on.
    pub failed: usize,
}

/// How one delivery ended, to be written down.
struct Outcome {
    execution: String,
    receiver: String,
    attempts: u32,
    answer: Answer,
}

/// The pool over one database.
pub(crate) struct Pool {
    conn: Arc<Mutex<Connection>>,
    fence: Fence,
    scope: Scope,
    client: reqwest::Client,
    attempts: u32,
    retry_base_ms: u64,
    health: Arc<Health>,
}

fn poisoned() -> EngineError {
    EngineError::Transient("the delivery pool's connection was poisoned".into())
}

/// Runs `f` with the connection on a blocking thread.
async fn blocking<T: Send + 'static>(
    conn: &Arc<Mutex<Connection>>,
    f: impl FnOnce(&mut Connection) -> Result<T, EngineError> + Send + 'static,
) -> Result<T, EngineError> {
    let conn = conn.clone();
    tokio::task::spawn_blocking(move || {
        let mut guard = conn.lock().map_err(|_| poisoned())?;
        f(&mut guard)
    })
    .await
    .map_err(|e| EngineError::Transient(format!("a delivery task failed: {e}")))?
}

impl Pool {
    /// A pool delivering `scope` from the database at `path` (its own connection) under the
    /// lease `fence`.
    pub(crate) fn new(
        path: &Path,
        fence: Fence,
        scope: Scope,
        settings: &EngineSettings,
        health: Arc<Health>,
    ) -> Result<Self, EngineError> {
        Ok(Self {
            conn: Arc::new(Mutex::new(schema::connect(path, Duration::from_secs(5))?)),
            fence,
            scope,
            client: deliver::client(Duration::from_secs(settings.timeout_secs.max(1))),
            attempts: settings.attempts.max(1),
            retry_base_ms: settings.retry_base_ms.max(1),
            health,
        })
    }

    /// Delivers until `until`; `wake` says there may be new rows. Ends early with an error only
    /// when the lease is lost; transient database errors are waited out.
    pub(crate) async fn run(
        self,
        until: Until,
        mut stop: watch::Receiver<bool>,
        wake: Arc<Notify>,
    ) -> Result<Tally, EngineError> {
        let mut tally = Tally::default();
        let mut tasks: JoinSet<Outcome> = JoinSet::new();
        let mut in_flight: HashMap<String, String> = HashMap::new();
        let mut per_receiver: HashMap<String, usize> = HashMap::new();
        let mut finished: Vec<Outcome> = Vec::new();
        let mut stopping: Option<Instant> = None;
        let mut backoff = Duration::from_millis(100);
        loop {
            while let Some(done) = tasks.try_join_next() {
                finished.extend(done.ok());
            }
            if !finished.is_empty() {
                let batch = std::mem::take(&mut finished);
                match self.write(&batch).await {
                    Ok(()) => {
                        self.health.problem(Part::Delivery, None);
                        backoff = Duration::from_millis(100);
                        for o in &batch {
                            in_flight.remove(&o.execution);
                            if let Some(n) = per_receiver.get_mut(&o.receiver) {
                                *n = n.saturating_sub(1);
                            }
                            match o.answer {
                                Answer::Done(..) => tally.delivered += 1,
                                Answer::Final(..) => tally.failed += 1,
                                Answer::Again(..) if o.attempts >= self.attempts => {
                                    tally.failed += 1
                                }
                                Answer::Again(..) => {}
                            }
                        }
                    }
                    Err(e) if e.is_transient() => {
                        self.health.problem(Part::Delivery, Some(e.to_string()));
                        finished = batch;
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
            let stop_now = *stop.borrow() || matches!(until, Until::Done(d) if Instant::now() >= d);
            if stop_now {
                let since = *stopping.get_or_insert_with(Instant::now);
                let grace = match until {
                    Until::Stopped(g) => g,
                    Until::Done(_) => Duration::ZERO,
                };
                if tasks.is_empty() && finished.is_empty() {
                    break;
                }
                if since.elapsed() >= grace {
                    // What is still in flight stays in the outbox for the next start.
                    tasks.abort_all();
                    break;
                }
            } else {
                let free = TOTAL.saturating_sub(tasks.len());
                let started = if free > 0 {
                    self.fill(
                        free,
                        &mut tasks,
                        &mut in_flight,
                        &mut per_receiver,
                        &mut finished,
                    )
                    .await
                } else {
                    Ok(0)
                };
                match started {
                    Ok(_) => {}
                    Err(e) if e.is_transient() => {
                        self.health.problem(Part::Delivery, Some(e.to_string()));
                    }
                    Err(e) => return Err(e),
                }
                if let Until::Done(deadline) = until
                    && tasks.is_empty()
                    && finished.is_empty()
                {
                    let scope = self.scope.clone();
                    match blocking(&self.conn, move |c| store::next_due(c, &scope)).await {
                        Ok(None) => break,
                        Ok(Some(at)) if at > deadline_ms(deadline) => break,
                        _ => {}
                    }
                }
            }
            if !finished.is_empty() {
                continue;
            }
            let nap = match stopping {
                Some(_) => Duration::from_millis(50),
                None => POLL,
            };
            tokio::select! {
                Some(done) = tasks.join_next(), if !tasks.is_empty() => finished.extend(done.ok()),
                _ = tokio::time::sleep(nap) => {}
                _ = wake.notified(), if stopping.is_none() => {}
                _ = stop.changed(), if stopping.is_none() => {}
            }
        }
        Ok(tally)
    }

    /// Starts sending up to `free` due rows of receivers that have room.
    async fn fill(
        &self,
        free: usize,
        tasks: &mut JoinSet<Outcome>,
        in_flight: &mut HashMap<String, String>,
        per_receiver: &mut HashMap<String, usize>,
        finished: &mut Vec<Outcome>,
    ) -> Result<usize, EngineError> {
        let busy: Vec<String> = per_receiver
            .iter()
            .filter(|(_, n)| **n >= PER_RECEIVER)
            .map(|(r, _)| r.clone())
            .collect();
        let flying: Vec<String> = in_flight.keys().cloned().collect();
        let scope = self.scope.clone();
        let (rows, secrets) = blocking(&self.conn, move |c| {
            let busy: Vec<&str> = busy.iter().map(String::as_str).collect();
            let flying: Vec<&str> = flying.iter().map(String::as_str).collect();
            let rows = store::due(c, now_ms(), free, &scope, &busy, &flying)?;
            let secrets = if rows.is_empty() {
                HashMap::new()
            } else {
                store::secrets(c)?
            };
            Ok((rows, secrets))
        })
        .await?;
        let mut started = 0;
        for Due {
            execution,
            request,
            attempts,
            receiver,
        } in rows
        {
            let count = per_receiver.entry(receiver.clone()).or_default();
            if *count >= PER_RECEIVER {
                continue;
            }
            *count += 1;
            in_flight.insert(execution.clone(), receiver.clone());
            let attempts = attempts + 1;
            let prepared = request.and_then(|r| {
                super::request::finish(&r, |name| secrets.get(name).cloned()).map(|p| (r.url, p))
            });
            let ((url, (headers, body)), client) = match prepared {
                Ok(p) => (p, self.client.clone()),
                Err(why) => {
                    finished.push(Outcome {
                        execution,
                        receiver,
                        attempts,
                        answer: Answer::Final(None, None, why),
                    });
                    continue;
                }
            };
            started += 1;
            tasks.spawn(async move {
                let answer = deliver::attempt(&client, &url, &headers, body).await;
                Outcome {
                    execution,
                    receiver,
                    attempts,
                    answer,
                }
            });
        }
        Ok(started)
    }

    /// Writes how deliveries ended, in one transaction fenced by the lease.
    async fn write(&self, batch: &[Outcome]) -> Result<(), EngineError> {
        let max = self.attempts;
        let base = self.retry_base_ms as f64;
        let fence = self.fence.clone();
        let rows: Vec<(String, u32, Answer)> = batch
            .iter()
            .map(|o| (o.execution.clone(), o.attempts, o.answer.clone()))
            .collect();
        blocking(&self.conn, move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            fence.check(&tx)?;
            for (execution, attempts, answer) in &rows {
                let attempts = *attempts;
                match answer {
                    Answer::Done(status, text) => store::finish(
                        &tx,
                        execution,
                        attempts,
                        Some(*status),
                        Some(text),
                        None,
                        true,
                    )?,
                    Answer::Final(status, text, why) => store::finish(
                        &tx,
                        execution,
                        attempts,
                        *status,
                        text.as_deref(),
                        Some(why),
                        false,
                    )?,
                    Answer::Again(status, why, _) if attempts >= max => {
                        let why = format!("{why}; gave up after {attempts} attempt(s)");
                        store::finish(&tx, execution, attempts, *status, None, Some(&why), false)?
                    }
                    Answer::Again(status, why, wait) => {
                        let backoff = base * 2f64.powi(i32::try_from(attempts - 1).unwrap_or(10));
                        let jitter = backoff * (0.75 + fastrand::f64() * 0.5);
                        let delay = wait.map_or(jitter as i64, |w| w.as_millis() as i64);
                        store::retry_later(
                            &tx,
                            execution,
                            attempts,
                            now_ms() + delay,
                            *status,
                            why,
                        )?
                    }
                }
            }
            tx.commit().map_err(db)
        })
        .await
    }
}

fn deadline_ms(deadline: Instant) -> i64 {
    let left = deadline.saturating_duration_since(Instant::now());
    now_ms() + i64::try_from(left.as_millis()).unwrap_or(i64::MAX / 2)
}
