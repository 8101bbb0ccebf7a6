//! `wbauto engine`: holds the evaluator's lease, evaluates what arrives (the HTTP endpoint and
//! `wbauto emit` queue into the database's inbox), delivers the outbox, and on SIGINT/SIGTERM
//! stops taking events, finishes what is in flight (bounded) and exits 0.

use super::{Cli, CliError, failure};
use crate::engine::event::EngineEvent;
use crate::engine::{Engine, store};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use rusqlite::Connection;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The address the engine listens on by default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8642";

/// How long the lease lasts without renewal (a killed engine's lease expires by then).
const LEASE_SECS: i64 = 15;

#[derive(Clone)]
struct Shared {
    conn: Arc<Mutex<Connection>>,
}

fn problem(status: StatusCode, message: String, path: &str) -> axum::response::Response {
    (status, axum::Json(json!({"error": message, "path": path}))).into_response()
}

async fn post_events(
    State(shared): State<Shared>,
    body: axum::body::Bytes,
) -> axum::response::Response {
    if body.len() > 16 * 1024 * 1024 {
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the body is over 16 MiB".into(),
            "",
        );
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return problem(StatusCode::BAD_REQUEST, format!("not JSON: {e}"), ""),
    };
    let items = match value {
        Value::Array(items) => items,
        one => vec![one],
    };
    let now = jiff::Timestamp::now().as_second();
    let mut values = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match EngineEvent::from_json(item) {
            Ok(mut e) => {
                e.time.get_or_insert(now);
                values.push(e.to_json());
            }
            Err(e) => {
                let path = if e.path.is_empty() {
                    format!("[{i}]")
                } else {
                    format!("[{i}].{}", e.path)
                };
                return problem(StatusCode::BAD_REQUEST, e.message, &path);
            }
        }
    }
    let stored = shared
        .conn
        .lock()
        .map_err(|_| "the database connection was poisoned".to_string())
        .and_then(|c| store::push_inbox(&c, &values).map_err(|e| e.to_string()));
    match stored {
        Ok(ids) => (
            StatusCode::ACCEPTED,
            axum::Json(json!({"accepted": ids.len(), "ids": ids})),
        )
            .into_response(),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e, ""),
    }
}

async fn health(State(shared): State<Shared>) -> axum::response::Response {
    let backlog = shared
        .conn
        .lock()
        .map_err(|_| "poisoned".to_string())
        .and_then(|c| store::backlog(&c).map_err(|e| e.to_string()));
    match backlog {
        Ok((inbox, outbox)) => axum::Json(
            json!({"ok": true, "pid": std::process::id(), "inbox": inbox, "outbox": outbox}),
        )
        .into_response(),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e, ""),
    }
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {},
        _ = int.recv() => {},
    }
}

fn step(engine: &mut Engine) -> Result<(), crate::backend::BackendError> {
    loop {
        let report = engine.ingest_inbox(now(), 5_000)?;
        if report.events == 0 {
            return Ok(());
        }
        tracing::info!(?report, "evaluated queued events");
    }
}

/// How the engine runs.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Where to listen.
    pub listen: Option<String>,
    /// Listen on other addresses than loopback too.
    pub listen_any: bool,
    /// Directories whose run logs to follow.
    pub watch: Vec<std::path::PathBuf>,
    /// With `watch`: the project every run goes into.
    pub project: Option<String>,
}

/// Reads what is new in the watched run logs.
fn follow(
    engine: &mut Engine,
    watch: &[std::path::PathBuf],
    mapping: &crate::engine::runlog::events::Mapping,
) {
    for dir in watch {
        match engine.follow(dir, mapping, now()) {
            Ok(f) => {
                for w in f.warnings {
                    tracing::warn!(dir = %dir.display(), "{w}");
                    eprintln!("warning: {}", super::render::printable(&w));
                }
                if f.events > 0 {
                    tracing::info!(dir = %dir.display(), events = f.events, "run logs read");
                }
            }
            Err(e) => eprintln!("warning: {}: {e}", dir.display()),
        }
    }
}

/// Runs the engine until SIGINT or SIGTERM.
pub async fn run(cli: &Cli, options: &Options) -> Result<(), CliError> {
    let (listen, listen_any) = (options.listen.as_deref(), options.listen_any);
    let (mut engine, entity) = super::engine::open_with_entity(cli, "the engine").await?;
    let mapping = super::engine::mapping(options.project.as_deref(), &entity)?;
    for dir in &options.watch {
        if !dir.is_dir() {
            return Err(failure(format!(
                "--watch {}: not a directory",
                dir.display()
            )));
        }
    }
    let addr: SocketAddr = listen.unwrap_or(DEFAULT_LISTEN).parse().map_err(|_| {
        failure(format!(
            "--listen {:?}: give an address such as {DEFAULT_LISTEN}",
            listen.unwrap_or_default()
        ))
    })?;
    if !addr.ip().is_loopback() && !listen_any {
        return Err(failure(format!(
            "--listen {addr} is not a loopback address; the endpoint has no authentication, so add --listen-any to accept events from other hosts"
        )));
    }
    let me = format!("engine-{}", std::process::id());
    if !engine.with(|c| store::take_lease(c, &me, now(), now() + LEASE_SECS))? {
        let who = engine.with(|c| store::lease_holder(c, now()))?;
        let pid = who
            .map(|(_, p)| p.to_string())
            .unwrap_or_else(|| "?".into());
        return Err(failure(format!(
            "another process (pid {pid}) is evaluating this database; stop it first, or use another --data-dir"
        )));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| failure(format!("cannot listen on {addr}: {e}")))?;
    let bound = listener.local_addr().unwrap_or(addr);
    let shared = Shared {
        conn: engine.connection(),
    };
    let app = Router::new()
        .route("/v1/events", post(post_events))
        .route("/v1/health", get(health))
        .with_state(shared);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut server_stop = stop_rx.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = server_stop.changed().await;
            })
            .await
    });
    println!(
        "engine listening on http://{bound} (POST /v1/events, GET /v1/health); ctrl-c stops it"
    );
    let client =
        crate::engine::deliver::client(Duration::from_secs(engine.settings.timeout_secs.max(1)));
    let signal = shutdown_signal();
    tokio::pin!(signal);
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let mut renewed = Instant::now();
    let mut watched = Instant::now() - Duration::from_secs(1);
    let result: Result<(), crate::backend::BackendError> = loop {
        tokio::select! {
            _ = &mut signal => break Ok(()),
            _ = tick.tick() => {
                if let Err(e) = step(&mut engine) {
                    break Err(e);
                }
                if !options.watch.is_empty() && watched.elapsed() >= Duration::from_secs(1) {
                    watched = Instant::now();
                    follow(&mut engine, &options.watch, &mapping);
                }
                if let Err(e) = engine.deliver_due(&client).await {
                    break Err(e);
                }
                if renewed.elapsed() > Duration::from_secs(5) {
                    renewed = Instant::now();
                    if let Err(e) = engine.prune() {
                        tracing::warn!(error = %e, "cannot prune the history");
                    }
                    match engine.with(|c| store::take_lease(c, &me, now(), now() + LEASE_SECS)) {
                        Ok(true) => {}
                        Ok(false) => break Err(crate::backend::BackendError::Conflict("another process took the evaluator's lease".into())),
                        Err(e) => break Err(e),
                    }
                }
            }
        }
    };
    let _ = stop_tx.send(true);
    let _ = server.await;
    // Take what was accepted before stopping, and finish deliveries in flight (bounded).
    let _ = step(&mut engine);
    let _ = engine
        .drain(&client, Some(Instant::now() + Duration::from_secs(10)))
        .await;
    let _ = engine.with(|c| store::release_lease(c, &me));
    drop(stop_rx);
    result.map_err(CliError::from)?;
    println!("engine stopped");
    Ok(())
}
