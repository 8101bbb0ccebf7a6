//! `wbauto engine`: holds the evaluator's lease and runs, each on its own, the endpoint, the
//! evaluator (a thread taking the inbox in fenced transactions), the delivery pool and a watcher
//! that keeps the health answer current and notices the database file deleted or replaced.
//!
//! Transient database trouble (a lock held by another process, a full disk) is waited out with
//! backoff and reported as `degraded`, never a reason to exit. On SIGINT/SIGTERM it stops taking
//! events, gives deliveries in flight at most [`GRACE`], leaves the rest in the outbox and exits
//! 0. A lost lease or a database file deleted or replaced stops it with an error. SIGHUP is
//! answered with a line saying settings are read at start (a restart applies them) and changes
//! nothing.
//!
//! What it does is said through the engine's [`Activity`] (lines on standard error, counts for
//! `GET /metrics`); under systemd it reports readiness and feeds the watchdog ([`service`]).

use super::activity::Activity;
use super::error::EngineError;
use super::health::{Health, Part};
use super::http::{self, Shared, TokenCache};
use super::lease::{self, Holder, Kind, Lease};
use super::metrics::Source;
use super::pool::{Pool, Until};
use super::runlog::events::Mapping;
use super::service::{self, Heartbeat};
use super::store::{self, Scope};
use super::{Engine, now_ms, now_secs, schema};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc, watch};

/// How long deliveries in flight get to finish once the engine is asked to stop.
pub(crate) const GRACE: Duration = Duration::from_secs(10);

/// Events evaluated per transaction: at most this many, fewer when a transaction takes longer
/// than [`BATCH_TIME`] (it holds the database's write lock, which POSTs wait for).
const BATCH: usize = 5_000;

/// The evaluator's page cache (negative: KiB), beside the 256 KiB other connections keep.
const EVALUATOR_CACHE_KIB: i64 = -16 * 1024;

/// How long one evaluation transaction should hold the write lock, at most.
const BATCH_TIME: Duration = Duration::from_millis(100);

/// How long the evaluator lets POSTs in progress go first before its next transaction.
const POSTS_FIRST: Duration = Duration::from_millis(100);

/// How the engine runs.
pub struct Options {
    /// Where to listen.
    pub listen: SocketAddr,
    /// TLS for the endpoint, from a PEM certificate chain and key.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Directories whose run logs to follow, and where their runs go.
    pub watch: Vec<PathBuf>,
    /// How runs found in watched logs map to projects.
    pub mapping: Mapping,
    /// Wait for another engine's lease instead of exiting.
    pub wait: bool,
}

/// Wakes the evaluator thread early and tells it to stop.
#[derive(Default)]
struct Control {
    stop: AtomicBool,
    woken: Mutex<bool>,
    bell: Condvar,
}

impl Control {
    fn wake(&self) {
        if let Ok(mut w) = self.woken.lock() {
            *w = true;
            self.bell.notify_one();
        }
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake();
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Sleeps until woken or `timeout`.
    fn nap(&self, timeout: Duration) {
        if let Ok(mut w) = self.woken.lock() {
            if !*w {
                w = match self.bell.wait_timeout(w, timeout) {
                    Ok((guard, _)) => guard,
                    Err(_) => return,
                };
            }
            *w = false;
        }
    }
}

/// What the evaluator thread answers to: the runtime (wake, stop) and the endpoint's POSTs,
/// which store before the next batch is evaluated.
struct Turn {
    control: Arc<Control>,
    posting: Arc<http::Posting>,
    heartbeat: Arc<Heartbeat>,
    watching: Watching,
}

/// Takes the lease: at once, or (with `wait`, or while a one-shot command holds it) when it is
/// let go or lapses; an engine holding it is an error naming it.
async fn take_lease(path: &Path, wait: bool, say: &Activity) -> Result<Lease, String> {
    let mut told: Option<Holder> = None;
    loop {
        let taken = {
            let path = path.to_path_buf();
            tokio::task::spawn_blocking(move || Lease::take(&path, Kind::Engine))
                .await
                .map_err(|e| e.to_string())?
        };
        let holder = match taken {
            Ok(Ok(lease)) => return Ok(lease),
            Ok(Err(h)) => h,
            Err(e) if e.is_transient() => {
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
            Err(e) => return Err(e.to_string()),
        };
        if holder.kind == Kind::Engine && !wait {
            return Err(format!(
                "{} is evaluating this database; stop it first, use another --data-dir, or add --wait to take over when it stops",
                holder.describe()
            ));
        }
        if told.as_ref() != Some(&holder) {
            let left = (holder.until - now_ms()).max(0) / 1000;
            say.notice(&format!(
                "waiting for {} to let the lease go (it lapses in {left} s unless renewed)",
                holder.describe()
            ));
            told = Some(holder);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// SIGINT and SIGTERM (stop) and SIGHUP (answered, changes nothing), listened for from the
/// start (so one that comes early is not missed, and SIGHUP never ends the process).
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    fn listen() -> Result<Self, String> {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind| signal(kind).map_err(|e| format!("cannot listen for signals: {e}"));
        Ok(Self {
            term: listen(SignalKind::terminate())?,
            int: listen(SignalKind::interrupt())?,
            hup: listen(SignalKind::hangup())?,
        })
    }

    async fn stop(&mut self) {
        while !self.next().await {}
    }

    /// The next signal: `true` to stop, `false` for SIGHUP.
    async fn next(&mut self) -> bool {
        tokio::select! {
            _ = self.term.recv() => true,
            _ = self.int.recv() => true,
            _ = self.hup.recv() => false,
        }
    }
}

/// Waits out a transient error (reported as the evaluator's problem, with a doubling backoff);
/// any other error is returned.
fn wait_out(
    e: EngineError,
    health: &Health,
    control: &Control,
    backoff: &mut Duration,
) -> Result<(), EngineError> {
    if !e.is_transient() {
        return Err(e);
    }
    tracing::warn!(error = %e, "waiting out a database problem");
    health.problem(Part::Evaluator, Some(e.to_string()));
    control.nap(*backoff);
    *backoff = (*backoff * 2).min(Duration::from_secs(5));
    Ok(())
}

/// The evaluator thread: takes the inbox in fenced transactions until told to stop; waits out
/// transient trouble; returns an error only for what waiting cannot mend.
fn evaluate(
    mut engine: Engine,
    fence: &lease::Fence,
    turn: &mut Turn,
    health: &Health,
    pool: &Notify,
    options: &Options,
    say: &Activity,
) -> Result<(), EngineError> {
    let mut backoff = Duration::from_millis(200);
    let mut followed = Instant::now() - Duration::from_secs(1);
    let mut pruned = Instant::now();
    let control = turn.control.clone();
    let control = &*control;
    let mut batch = 500;
    let watched = engine.watch_running()?;
    tracing::info!(watched, "running runs watched for stalls");
    while !control.stopping() {
        turn.heartbeat.beat();
        turn.posting.wait_for_posts(POSTS_FIRST);
        let started = Instant::now();
        let taken = engine.ingest_inbox(fence, now_secs(), batch);
        if let Ok(report) = &taken
            && report.events > 0
        {
            // As many as take about BATCH_TIME at the pace just seen.
            let each = started.elapsed().as_secs_f64() / report.events as f64;
            batch = ((BATCH_TIME.as_secs_f64() / each.max(1e-7)) as usize).clamp(50, BATCH);
        }
        match taken {
            Ok(report) => {
                health.problem(Part::Evaluator, None);
                backoff = Duration::from_millis(200);
                if report.queued > 0 {
                    pool.notify_one();
                }
                if report.events > 0 {
                    say.taken(Source::Inbox, &report);
                    continue;
                }
            }
            Err(e) => {
                wait_out(e, health, control, &mut backoff)?;
                continue;
            }
        }
        if !options.watch.is_empty() && followed.elapsed() >= Duration::from_secs(1) {
            followed = Instant::now();
            for dir in turn.watching.present(say) {
                match engine.follow(fence, &dir, &options.mapping, now_secs()) {
                    Ok(f) => {
                        for w in f.warnings {
                            tracing::warn!(dir = %dir.display(), "{w}");
                            say.warn(&w);
                        }
                        say.taken(Source::RunLog, &f.report);
                        if f.report.queued > 0 {
                            pool.notify_one();
                        }
                    }
                    Err(e) => wait_out(e, health, control, &mut backoff)?,
                }
            }
        }
        match engine.tick_stalls(fence, now_secs()) {
            Ok(report) if report.queued > 0 => pool.notify_one(),
            Ok(_) => {}
            Err(e) => wait_out(e, health, control, &mut backoff)?,
        }
        if pruned.elapsed() >= Duration::from_secs(60) {
            pruned = Instant::now();
            if let Err(e) = engine.prune(fence) {
                wait_out(e, health, control, &mut backoff)?;
            }
        }
        control.nap(Duration::from_millis(200));
    }
    Ok(())
}

/// The watched directories, and which of them do not exist yet: said once when the engine
/// starts waiting for one and once when it appears.
struct Watching {
    dirs: Vec<(PathBuf, bool)>,
}

impl Watching {
    fn new(dirs: &[PathBuf], say: &Activity) -> Self {
        let dirs = dirs
            .iter()
            .map(|d| {
                let there = d.is_dir();
                if !there {
                    say.notice(&format!(
                        "--watch {}: not there yet; waiting for it to appear (the first training run makes it)",
                        d.display()
                    ));
                }
                (d.clone(), there)
            })
            .collect();
        Self { dirs }
    }

    /// The directories there now (saying which just appeared).
    fn present(&mut self, say: &Activity) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for (dir, there) in &mut self.dirs {
            if !*there && dir.is_dir() {
                *there = true;
                say.notice(&format!(
                    "--watch {}: appeared; following its run logs",
                    dir.display()
                ));
            }
            if *there {
                out.push(dir.clone());
            }
        }
        out
    }
}

/// Keeps the health answer and the tokens current; says why the engine must stop when the
/// database file is gone or replaced.
async fn watch_over(
    path: PathBuf,
    opened: Option<(u64, u64)>,
    health: Arc<Health>,
    tokens: Arc<TokenCache>,
    activity: Arc<Activity>,
    fatal: mpsc::UnboundedSender<String>,
) {
    let conn = match schema::connect(&path, Duration::from_secs(1)) {
        Ok(c) => Arc::new(Mutex::new(c)),
        Err(e) => {
            let _ = fatal.send(format!("cannot watch the database: {e}"));
            return;
        }
    };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut round = 0u64;
    loop {
        tick.tick().await;
        round += 1;
        if schema::identity(&path) != opened {
            let _ = fatal.send(replaced(&path));
            return;
        }
        let c = conn.clone();
        let stats = tokio::task::spawn_blocking(move || {
            let guard = c
                .lock()
                .map_err(|_| EngineError::Transient("poisoned".into()))?;
            store::outbox_stats(&guard, now_ms())
        })
        .await;
        match stats {
            Ok(Ok((pending, oldest))) => {
                health.outbox(pending, oldest);
                activity.metrics.outbox(pending, oldest);
                health.problem(Part::Database, None);
            }
            Ok(Err(e)) => health.problem(Part::Database, Some(e.to_string())),
            Err(_) => {}
        }
        activity.metrics.degraded(health.answer().0 != 200);
        if round.is_multiple_of(2) {
            let _ = tokens.refresh().await;
        }
    }
}

fn replaced(path: &Path) -> String {
    format!(
        "the database file {} was deleted or replaced while the engine ran; it stopped taking events (start it again to use the file there now)",
        path.display()
    )
}

/// Runs the engine until SIGINT/SIGTERM (`Ok`) or until it cannot go on (`Err`, in words).
pub async fn run(engine: Engine, options: Options) -> Result<(), String> {
    let path = engine.path().map_err(|e| e.to_string())?;
    let say = engine.activity.clone();
    for dir in &options.watch {
        if dir.exists() && !dir.is_dir() {
            return Err(format!(
                "--watch {}: a file, not a directory; give the directory run logs are written under (e.g. ./wandb)",
                dir.display()
            ));
        }
    }
    let tls = match &options.tls {
        Some((cert, key)) => Some(http::tls(cert, key)?),
        None => None,
    };
    let watching = Watching::new(&options.watch, &say);
    let mut signals = Signals::listen()?;
    // A file-size limit reached is, for the engine, a full disk: a write fails and is tried
    // again later, instead of the signal ending the process.
    // SAFETY: ignoring a signal changes only its disposition.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    // The evaluator writes all day: a page cache that holds the indexes it appends to.
    engine
        .with_conn(|c| {
            c.pragma_update(None, "cache_size", EVALUATOR_CACHE_KIB)
                .map_err(super::error::db)
        })
        .map_err(|e| e.to_string())?;
    let lease = tokio::select! {
        lease = take_lease(&path, options.wait, &say) => lease?,
        _ = signals.stop() => {
            say.notice("stopped before taking the lease");
            return Ok(());
        }
    };
    say.metrics.lease_held(true);
    let opened = schema::identity(&path);
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let bound = listener.local_addr().unwrap_or(options.listen);
    let connect = |busy| schema::connect(&path, busy).map_err(|e| e.to_string());
    let health = Arc::new(Health::default());
    let tokens =
        Arc::new(TokenCache::new(connect(Duration::from_secs(1))?).map_err(|e| e.to_string())?);
    let control = Arc::new(Control::default());
    let (fatal_tx, mut fatal) = mpsc::unbounded_channel::<String>();
    let (stop_tx, stop) = watch::channel(false);
    let pool_wake = Arc::new(Notify::new());
    let posting = Arc::new(http::Posting::default());

    let shared = Arc::new(Shared {
        intake: Arc::new(tokio::sync::Mutex::new(connect(http::STORE_WAIT)?)),
        tokens: tokens.clone(),
        health: health.clone(),
        activity: say.clone(),
        bound,
        stored: {
            let (path, control, fatal) = (path.clone(), control.clone(), fatal_tx.clone());
            Box::new(move || {
                if schema::identity(&path) == opened {
                    control.wake();
                    true
                } else {
                    let _ = fatal.send(replaced(&path));
                    false
                }
            })
        },
        bodies: tokio::sync::Semaphore::new(http::BODY_SLOTS),
        posting: posting.clone(),
    });
    let server = tokio::spawn(http::serve(listener, tls.clone(), shared, stop.clone()));
    let scheme = if tls.is_some() { "https" } else { "http" };
    let listening = format!("engine listening on {scheme}://{bound}");
    say.notice(&format!(
        "{listening} (POST /v1/events with a token, GET /v1/health, GET /metrics); ctrl-c stops it"
    ));

    let pool = Pool::new(
        &path,
        lease.fence().clone(),
        Scope::All,
        &engine.settings,
        health.clone(),
        say.clone(),
    )
    .map_err(|e| e.to_string())?;
    let delivering = {
        let (stop, wake, fatal) = (stop.clone(), pool_wake.clone(), fatal_tx.clone());
        tokio::spawn(async move {
            if let Err(e) = pool.run(Until::Stopped(GRACE), stop, wake).await {
                let _ = fatal.send(e.to_string());
            }
        })
    };
    let heartbeat = Arc::new(Heartbeat::default());
    heartbeat.beat();
    let evaluator = {
        let (fence, health, wake, fatal, say) = (
            lease.fence().clone(),
            health.clone(),
            pool_wake.clone(),
            fatal_tx.clone(),
            say.clone(),
        );
        let options = Arc::new(options);
        let mut turn = Turn {
            control: control.clone(),
            posting: posting.clone(),
            heartbeat: heartbeat.clone(),
            watching,
        };
        std::thread::Builder::new()
            .name("evaluator".into())
            .spawn(move || {
                if let Err(e) = evaluate(engine, &fence, &mut turn, &health, &wake, &options, &say)
                {
                    let _ = fatal.send(e.to_string());
                }
            })
            .map_err(|e| format!("cannot start the evaluator: {e}"))?
    };
    let watcher = tokio::spawn(watch_over(
        path.clone(),
        opened,
        health.clone(),
        tokens,
        say.clone(),
        fatal_tx.clone(),
    ));
    service::ready(&listening);
    let watchdog = tokio::spawn(service::feed_watchdog(heartbeat));
    let mut lease_state = lease.state();
    let mut renewing = true;
    let outcome: Result<(), String> = loop {
        tokio::select! {
            stop = signals.next() => match stop {
                true => break Ok(()),
                false => say.notice(
                    "SIGHUP: nothing to reload; config.toml is read when the engine starts, so restart it to apply changes (systemctl restart wbauto-engine)"
                ),
            },
            Some(why) = fatal.recv() => break Err(why),
            changed = lease_state.changed(), if renewing => {
                if changed.is_err() {
                    renewing = false;
                }
                match lease_state.borrow_and_update().clone() {
                    lease::State::Lost(why) => {
                        say.metrics.lease_held(false);
                        break Err(why);
                    }
                    lease::State::Troubled(why) => health.problem(Part::Lease, Some(why)),
                    lease::State::Held => health.problem(Part::Lease, None),
                }
            }
        }
    };
    // Stop taking events; deliveries in flight get GRACE; the rest stays in the outbox.
    service::stopping();
    watchdog.abort();
    control.stop();
    let _ = stop_tx.send(true);
    watcher.abort();
    let _ = server.await;
    let _ = delivering.await;
    let _ = tokio::task::spawn_blocking(move || evaluator.join()).await;
    tokio::task::spawn_blocking(move || lease.release())
        .await
        .map_err(|e| e.to_string())?;
    outcome?;
    say.notice("engine stopped");
    Ok(())
}
