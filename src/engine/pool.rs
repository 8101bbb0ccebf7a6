//! The delivery pool: outbox rows sent by a bounded number of tasks beside the evaluator, at most
//! [`PER_RECEIVER`] at once to one receiver, so a receiver that hangs delays only its own
//! deliveries. Results are written in batches, each in a transaction fenced by the lease; a
//! delivery still in flight when the pool stops stays in the outbox for the next start (with
//! the same delivery id).

use super::activity::Activity;
use super::deliver::{self, Answer};
use super::error::{EngineError, db};
use super::health::{Health, Part};
use super::journal::Delivered;
use super::lease::Fence;
use super::metrics::Delivery;
use super::store::{self, Due, Scope};
use super::{now_ms, schema};
use crate::config::file::EngineSettings;
use rusqlite::{Connection, TransactionBehavior};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc, watch};
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Delivered (2xx).
    pub delivered: usize,
    /// Given up on.
    pub failed: usize,
    /// What was given up on, in words: the automation, the receiver and why.
    pub given_up: Vec<String>,
}

/// The executions taken from the outbox and not yet written back (never taken twice), and how
/// many requests are being sent to each receiver now.
struct Flight {
    unwritten: HashSet<String>,
    sending: HashMap<String, usize>,
    /// When the rows of receivers that are not busy were last looked for past those that are.
    looked_past: Instant,
}

impl Default for Flight {
    fn default() -> Self {
        Self {
            unwritten: HashSet::new(),
            sending: HashMap::new(),
            looked_past: Instant::now() - POLL,
        }
    }
}

impl Flight {
    /// Whether it is time to look for other receivers' rows past the busy ones'.
    fn look_past_busy(&self) -> bool {
        self.looked_past.elapsed() >= POLL
    }

    /// A request to `receiver` started.
    fn send(&mut self, execution: &str, receiver: &str) {
        self.unwritten.insert(execution.to_string());
        *self.sending.entry(receiver.to_string()).or_default() += 1;
    }

    /// A request to `receiver` ended (its outcome not yet written).
    fn sent(&mut self, receiver: &str) {
        if let Some(n) = self.sending.get_mut(receiver) {
            *n = n.saturating_sub(1);
        }
    }

    /// Receivers with [`PER_RECEIVER`] requests in flight.
    fn busy(&self) -> Vec<String> {
        self.sending
            .iter()
            .filter(|(_, n)| **n >= PER_RECEIVER)
            .map(|(r, _)| r.clone())
            .collect()
    }
}

/// How one delivery ended, to be written down.
struct Outcome {
    execution: String,
    automation: String,
    receiver: String,
    attempts: u32,
    answer: Answer,
    took: Duration,
}

/// The pool over one database.
pub(crate) struct Pool {
    /// Reads the outbox.
    conn: Arc<Mutex<Connection>>,
    /// The writer's own, so reading goes on while a write waits for the disk.
    writes: Arc<Mutex<Connection>>,
    fence: Fence,
    scope: Scope,
    client: reqwest::Client,
    attempts: u32,
    retry_base_ms: u64,
    health: Arc<Health>,
    activity: Arc<Activity>,
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

/// How outcomes are written: in batches, each in one transaction fenced by the lease, on their
/// own task so sending goes on meanwhile (a write waits for the disk).
#[derive(Clone)]
struct Writer {
    conn: Arc<Mutex<Connection>>,
    fence: Fence,
    attempts: u32,
    retry_base_ms: u64,
    health: Arc<Health>,
    activity: Arc<Activity>,
}

impl Writer {
    /// Writes what arrives on `outcomes`, as many at once as have arrived, and sends each
    /// written batch back on `written` (or the error that waiting cannot mend, and stops).
    async fn run(
        self,
        mut outcomes: mpsc::UnboundedReceiver<Outcome>,
        written: mpsc::UnboundedSender<Result<Vec<Outcome>, EngineError>>,
    ) {
        while let Some(first) = outcomes.recv().await {
            let mut batch = vec![first];
            while let Ok(more) = outcomes.try_recv() {
                batch.push(more);
            }
            let mut backoff = Duration::from_millis(100);
            loop {
                match self.write(&batch).await {
                    Ok(said) => {
                        self.health.problem(Part::Delivery, None);
                        for d in &said {
                            self.activity.delivered(d);
                        }
                        let _ = written.send(Ok(batch));
                        break;
                    }
                    Err(e) if e.is_transient() => {
                        self.health.problem(Part::Delivery, Some(e.to_string()));
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                    }
                    Err(e) => {
                        let _ = written.send(Err(e));
                        return;
                    }
                }
            }
        }
    }

    /// Writes how deliveries ended, in one transaction fenced by the lease; returns them as
    /// lines to say once written.
    async fn write(&self, batch: &[Outcome]) -> Result<Vec<Delivered>, EngineError> {
        let max = self.attempts;
        let base = self.retry_base_ms as f64;
        let fence = self.fence.clone();
        let rows: Vec<(String, u32, Answer)> = batch
            .iter()
            .map(|o| (o.execution.clone(), o.attempts, o.answer.clone()))
            .collect();
        let delays = blocking(&self.conn, move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            fence.check(&tx)?;
            let mut delays = Vec::with_capacity(rows.len());
            for (execution, attempts, answer) in &rows {
                let attempts = *attempts;
                let mut delay = None;
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
                        let wait_ms = wait.map_or(jitter as i64, |w| w.as_millis() as i64);
                        delay = Some(Duration::from_millis(u64::try_from(wait_ms).unwrap_or(0)));
                        store::retry_later(
                            &tx,
                            execution,
                            attempts,
                            now_ms() + wait_ms,
                            *status,
                            why,
                        )?
                    }
                }
                delays.push(delay);
            }
            tx.commit().map_err(db)?;
            Ok(delays)
        })
        .await?;
        Ok(batch
            .iter()
            .zip(delays)
            .map(|(o, again_in)| said(o, again_in, max))
            .collect())
    }
}

/// How a delivery attempt ended (its outcome, status and reason): `again_in` is the wait
/// before the next attempt when one was planned, and `max` the attempts allowed.
fn said(o: &Outcome, again_in: Option<Duration>, max: u32) -> Delivered {
    let (outcome, status, why) = match &o.answer {
        Answer::Done(status, _) => (Delivery::Delivered, Some(*status), None),
        Answer::Final(status, _, why) => (Delivery::GivenUp, *status, Some(why.clone())),
        Answer::Again(status, why, _) if again_in.is_none() => (
            Delivery::GivenUp,
            *status,
            Some(format!("{why}; gave up after {max} attempt(s)")),
        ),
        Answer::Again(status, why, _) => (Delivery::Retried, *status, Some(why.clone())),
    };
    Delivered {
        execution: o.execution.clone(),
        automation: o.automation.clone(),
        receiver: o.receiver.clone(),
        outcome,
        status,
        attempts: o.attempts,
        why,
        again_in,
        took: o.took,
    }
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
        activity: Arc<Activity>,
    ) -> Result<Self, EngineError> {
        let connect = || -> Result<_, EngineError> {
            Ok(Arc::new(Mutex::new(schema::connect(
                path,
                Duration::from_secs(5),
            )?)))
        };
        Ok(Self {
            conn: connect()?,
            writes: connect()?,
            fence,
            scope,
            client: deliver::client(Duration::from_secs(settings.timeout_secs.max(1))),
            attempts: settings.attempts.max(1),
            retry_base_ms: settings.retry_base_ms.max(1),
            health,
            activity,
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
        let (to_write, outcomes) = mpsc::unbounded_channel();
        let (written_tx, mut written) = mpsc::unbounded_channel();
        let writer = Writer {
            conn: self.writes.clone(),
            fence: self.fence.clone(),
            attempts: self.attempts,
            retry_base_ms: self.retry_base_ms,
            health: self.health.clone(),
            activity: self.activity.clone(),
        };
        let writing = tokio::spawn(writer.run(outcomes, written_tx));
        let result = self
            .deliver(until, &mut stop, &wake, &to_write, &mut written)
            .await;
        drop(to_write);
        writing.abort();
        result
    }

    async fn deliver(
        &self,
        until: Until,
        stop: &mut watch::Receiver<bool>,
        wake: &Notify,
        to_write: &mpsc::UnboundedSender<Outcome>,
        written: &mut mpsc::UnboundedReceiver<Result<Vec<Outcome>, EngineError>>,
    ) -> Result<Tally, EngineError> {
        let mut tally = Tally::default();
        let mut tasks: JoinSet<Outcome> = JoinSet::new();
        let mut flight = Flight::default();
        let mut stopping: Option<Instant> = None;
        let ended = |done: Result<Outcome, tokio::task::JoinError>, flight: &mut Flight| {
            if let Ok(o) = done {
                flight.sent(&o.receiver);
                let _ = to_write.send(o);
            }
        };
        loop {
            while let Some(done) = tasks.try_join_next() {
                ended(done, &mut flight);
            }
            while let Ok(batch) = written.try_recv() {
                self.count(batch?, &mut flight, &mut tally);
            }
            let stop_now = *stop.borrow() || matches!(until, Until::Done(d) if Instant::now() >= d);
            if stop_now {
                let since = *stopping.get_or_insert_with(Instant::now);
                let grace = match until {
                    Until::Stopped(g) => g,
                    Until::Done(_) => Duration::ZERO,
                };
                if flight.unwritten.is_empty() {
                    break;
                }
                if since.elapsed() >= grace {
                    // What is still in flight stays in the outbox for the next start.
                    tasks.abort_all();
                    break;
                }
            } else {
                let free = TOTAL.saturating_sub(tasks.len());
                if free > 0 {
                    match self.fill(free, &mut tasks, &mut flight, to_write).await {
                        Ok(()) => {}
                        Err(e) if e.is_transient() => {
                            self.health.problem(Part::Delivery, Some(e.to_string()));
                        }
                        Err(e) => return Err(e),
                    }
                }
                if let Until::Done(deadline) = until
                    && flight.unwritten.is_empty()
                {
                    let scope = self.scope.clone();
                    match blocking(&self.conn, move |c| store::next_due(c, &scope)).await {
                        Ok(None) => break,
                        Ok(Some(at)) if at > deadline_ms(deadline) => break,
                        _ => {}
                    }
                }
            }
            let nap = match stopping {
                Some(_) => Duration::from_millis(50),
                None => POLL,
            };
            tokio::select! {
                Some(done) = tasks.join_next(), if !tasks.is_empty() => ended(done, &mut flight),
                Some(batch) = written.recv() => self.count(batch?, &mut flight, &mut tally),
                _ = tokio::time::sleep(nap) => {}
                _ = wake.notified(), if stopping.is_none() => {}
                _ = stop.changed(), if stopping.is_none() => {}
            }
        }
        Ok(tally)
    }

    /// Counts a written batch: its rows may be taken again, and delivered or given up ones are
    /// tallied.
    fn count(&self, batch: Vec<Outcome>, flight: &mut Flight, tally: &mut Tally) {
        for o in batch {
            flight.unwritten.remove(&o.execution);
            let why = match &o.answer {
                Answer::Done(..) => {
                    tally.delivered += 1;
                    continue;
                }
                Answer::Final(_, _, why) => why.clone(),
                Answer::Again(_, why, _) if o.attempts >= self.attempts => {
                    format!("{why}; gave up after {} attempt(s)", o.attempts)
                }
                Answer::Again(..) => continue,
            };
            tally.failed += 1;
            tally
                .given_up
                .push(format!("{:?} to {}: {why}", o.automation, o.receiver));
        }
    }

    /// Starts sending up to `free` due rows of receivers that have room; a row whose request
    /// cannot be read goes straight to be written as failed.
    async fn fill(
        &self,
        free: usize,
        tasks: &mut JoinSet<Outcome>,
        flight: &mut Flight,
        to_write: &mpsc::UnboundedSender<Outcome>,
    ) -> Result<(), EngineError> {
        // The oldest due rows first; when all of them are for receivers that are busy, the
        // rows of the others are looked for, but only every POLL (that reads past all of the
        // busy receivers' rows: many, behind a receiver that hangs).
        let busy = flight.busy();
        let skip_busy = flight.look_past_busy();
        let taken: Vec<String> = flight.unwritten.iter().cloned().collect();
        let scope = self.scope.clone();
        let (rows, secrets, looked_past) = blocking(&self.conn, move |c| {
            let busy: Vec<&str> = busy.iter().map(String::as_str).collect();
            let taken: Vec<&str> = taken.iter().map(String::as_str).collect();
            let mut rows = store::due(c, now_ms(), free, &scope, &[], &taken)?;
            let mut looked_past = false;
            if skip_busy
                && !rows.is_empty()
                && rows.iter().all(|r| busy.contains(&r.receiver.as_str()))
            {
                rows = store::due(c, now_ms(), free, &scope, &busy, &taken)?;
                looked_past = true;
            }
            let secrets = if rows.is_empty() {
                HashMap::new()
            } else {
                store::secrets(c)?
            };
            Ok((rows, secrets, looked_past))
        })
        .await?;
        if looked_past {
            flight.looked_past = Instant::now();
        }
        for Due {
            execution,
            request,
            attempts,
            receiver,
            automation,
        } in rows
        {
            if flight.sending.get(&receiver).copied().unwrap_or(0) >= PER_RECEIVER {
                continue;
            }
            let attempts = attempts + 1;
            let prepared = request.and_then(|r| {
                super::request::finish(&r, |name| secrets.get(name).cloned()).map(|p| (r.url, p))
            });
            let (url, (headers, body)) = match prepared {
                Ok(p) => p,
                Err(why) => {
                    flight.unwritten.insert(execution.clone());
                    let _ = to_write.send(Outcome {
                        execution,
                        automation,
                        receiver,
                        attempts,
                        answer: Answer::Final(None, None, why),
                        took: Duration::ZERO,
                    });
                    continue;
                }
            };
            flight.send(&execution, &receiver);
            let client = self.client.clone();
            tasks.spawn(async move {
                let started = Instant::now();
                let answer = deliver::attempt(&client, &url, &headers, body).await;
                Outcome {
                    execution,
                    automation,
                    receiver,
                    attempts,
                    answer,
                    took: started.elapsed(),
                }
            });
        }
        Ok(())
    }
}

fn deadline_ms(deadline: Instant) -> i64 {
    let left = deadline.saturating_duration_since(Instant::now());
    now_ms() + i64::try_from(left.as_millis()).unwrap_or(i64::MAX / 2)
}
