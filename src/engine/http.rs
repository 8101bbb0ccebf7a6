//! The engine's endpoint: `POST /v1/events`, `GET /v1/health` and `GET /metrics` over HTTP/1.1,
//! with TLS when asked.
//!
//! `GET /v1/health` and `GET /metrics` answer loopback callers without a token (a local check
//! or a Prometheus beside the engine) and others only with a known bearer token (Prometheus
//! sends one with `authorization: {credentials_file: ...}`): the counts name no automation, but
//! how much a team trains and alerts is not for everyone who can reach the port.
//!
//! Every request's `Host` must name this engine (`localhost`, `127.0.0.1`, `[::1]` or the
//! address listened on, with or without the port) or it is refused with 421, so a web page whose
//! name resolves to this machine cannot reach it. A POST is then checked in this order, each
//! refusal answered as JSON with the reason: content type not `application/json` (415, which also
//! stops a page's form or `text/plain` request), no known bearer token (401), a body over
//! [`BODY_LIMIT`] (413), an invalid event (400 with its path), a project the token does not cover
//! (403). Connections are capped below the file limit, and each must send its headers within
//! [`HEADER_TIMEOUT`] and keep its body coming, so idle or half-sent requests cannot pile up.

use super::activity::Activity;
use super::error::EngineError;
use super::health::{Health, Part};
use super::intake::{self, Reply};
use super::metrics::{self, Source};
use super::tokens::{self, Token};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode, header};
use hyper_util::rt::{TokioIo, TokioTimer};
use rusqlite::Connection;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

/// The largest body a POST may have.
pub(crate) const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// How long a client has to send a request's headers (on a new or an idle kept-alive connection).
pub(crate) const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of a body over [`BODY_LIMIT`] is read and dropped so its sender gets the 413.
const DISCARD_LIMIT: usize = 4 * BODY_LIMIT;

/// How long a whole body may take to arrive.
const BODY_TIME: Duration = Duration::from_secs(60);

/// How long a body may stop coming before the request is dropped.
const BODY_IDLE: Duration = Duration::from_secs(10);

/// How long a POST waits for the database before answering 503.
pub(crate) const STORE_WAIT: Duration = Duration::from_secs(5);

/// Connections over the cap being answered 503 at once.
const REFUSERS: usize = 64;

/// How long a refused connection is read from before and after its answer.
const REFUSE_WAIT: Duration = Duration::from_millis(50);

/// Bodies read and checked at once (each up to [`BODY_LIMIT`]), so memory stays bounded.
pub(crate) const BODY_SLOTS: usize = 2;

/// How often a token not found makes the tokens be read again, at most.
const TOKENS_FRESH: Duration = Duration::from_millis(250);

/// The tokens as last read, by hash.
pub(crate) struct TokenCache {
    by_hash: RwLock<(HashMap<String, Token>, Instant)>,
    conn: Arc<Mutex<Connection>>,
    refreshing: tokio::sync::Mutex<()>,
}

impl TokenCache {
    /// A cache reading through `conn`.
    pub(crate) fn new(conn: Connection) -> Result<Self, EngineError> {
        let all = tokens::by_hash(&conn)?;
        Ok(Self {
            by_hash: RwLock::new((all, Instant::now())),
            conn: Arc::new(Mutex::new(conn)),
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    /// Reads the tokens again (a revoked one stops working here), on a blocking thread.
    pub(crate) async fn refresh(&self) -> Result<(), EngineError> {
        let conn = self.conn.clone();
        let all = tokio::task::spawn_blocking(move || {
            let conn = conn.lock().map_err(|_| {
                EngineError::Transient("the tokens' connection was poisoned".into())
            })?;
            tokens::by_hash(&conn)
        })
        .await
        .map_err(|e| EngineError::Transient(format!("reading the tokens failed: {e}")))??;
        if let Ok(mut guard) = self.by_hash.write() {
            *guard = (all, Instant::now());
        }
        Ok(())
    }

    fn find(&self, presented: &str) -> Option<Token> {
        let guard = self.by_hash.read().ok()?;
        guard.0.get(&tokens::hash(presented)).cloned()
    }

    fn read_at(&self) -> Instant {
        self.by_hash.read().map_or_else(|_| Instant::now(), |g| g.1)
    }

    /// A token not found: looked up again in tokens read after `asked` (so one made a moment
    /// ago works), the tokens read at most every [`TOKENS_FRESH`] however many ask.
    async fn find_fresh(&self, presented: &str, asked: Instant) -> Option<Token> {
        let _one_at_a_time = self.refreshing.lock().await;
        let read = self.read_at();
        if read < asked {
            tokio::time::sleep(TOKENS_FRESH.saturating_sub(read.elapsed())).await;
            let _ = self.refresh().await;
        }
        self.find(presented)
    }
}

/// How many POSTs are being read, checked or stored right now. The evaluator lets them go
/// first (a little while), so a backlog being evaluated does not starve the endpoint of the
/// database's write lock.
#[derive(Default)]
pub(crate) struct Posting(AtomicUsize);

impl Posting {
    /// Waits (at most `max`) while POSTs are in progress.
    pub(crate) fn wait_for_posts(&self, max: Duration) {
        let start = Instant::now();
        while self.0.load(Ordering::SeqCst) > 0 && start.elapsed() < max {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Counts a POST in progress until the returned guard is dropped.
    fn enter(this: &Arc<Posting>) -> PostInProgress {
        this.0.fetch_add(1, Ordering::SeqCst);
        PostInProgress(this.clone())
    }
}

/// A POST being read, checked or stored.
struct PostInProgress(Arc<Posting>);

impl Drop for PostInProgress {
    fn drop(&mut self) {
        self.0.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What the endpoint shares with the rest of the engine.
pub(crate) struct Shared {
    /// The intake's own connection (waits at most [`STORE_WAIT`] for a lock).
    pub(crate) intake: Arc<tokio::sync::Mutex<Connection>>,
    /// The tokens.
    pub(crate) tokens: Arc<TokenCache>,
    /// The engine's health.
    pub(crate) health: Arc<Health>,
    /// What the engine did (its metrics).
    pub(crate) activity: Arc<Activity>,
    /// The address listened on.
    pub(crate) bound: SocketAddr,
    /// Called after events are stored: `false` when the database file is no longer the one the
    /// engine opened (the engine then stops).
    pub(crate) stored: Box<dyn Fn() -> bool + Send + Sync>,
    /// Bodies being read and checked.
    pub(crate) bodies: Semaphore,
    /// POSTs storing events.
    pub(crate) posting: Arc<Posting>,
}

/// The most connections served at once: below the process's file limit, with room left for
/// the database, the log and deliveries.
pub(crate) fn connection_cap() -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit fills the struct it is given.
    let soft = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
        usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX)
    } else {
        1024
    };
    // Kept for the rest: the refusers, the delivery pool's connections, and the database, the
    // log and the listener.
    let reserve = REFUSERS + super::pool::TOTAL + 64;
    soft.saturating_sub(reserve).clamp(8, 4096)
}

/// TLS from a PEM certificate chain and private key.
pub(crate) fn tls(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, String> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    use tokio_rustls::rustls;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("--tls-cert {}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("--tls-cert {}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "--tls-cert {}: no certificate in it (a PEM file with BEGIN CERTIFICATE)",
            cert.display()
        ));
    }
    let private = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("--tls-key {}: {e}", key.display()))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS: {e}"))?
    .with_no_client_auth()
    .with_single_cert(certs, private)
    .map_err(|e| format!("--tls-cert and --tls-key do not make a usable pair: {e}"))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Serves until `stop` turns true, then lets requests in flight finish (at most 10 s).
pub(crate) async fn serve(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let cap = connection_cap();
    let slots = Arc::new(Semaphore::new(cap));
    let refusing = Arc::new(Semaphore::new(REFUSERS));
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.changed() => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of files, most likely: wait for connections to end instead of spinning.
                tracing::warn!(error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            // Over the cap: answered 503 by a few refusers; while they are all busy, the next
            // connections wait in the listen queue instead of being dropped unanswered.
            if let Ok(refuser) = refusing.clone().acquire_owned().await {
                tokio::spawn(refuse_busy(stream, refuser));
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let local = stream.local_addr().unwrap_or(shared.bound);
        let (shared, tls, stop) = (shared.clone(), tls.clone(), stop.clone());
        tokio::spawn(async move {
            let info = Peer { peer, local };
            match tls {
                None => serve_one(TokioIo::new(stream), shared, info, stop).await,
                Some(acceptor) => {
                    if let Ok(Ok(s)) =
                        tokio::time::timeout(HEADER_TIMEOUT, acceptor.accept(stream)).await
                    {
                        serve_one(TokioIo::new(s), shared, info, stop).await;
                    }
                }
            }
            drop(permit);
        });
    }
    // Wait (bounded) for the connections still open to finish what they are doing.
    let all = u32::try_from(cap).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(10), slots.acquire_many(all)).await;
}

/// Answers a connection over the cap with 503 and closes it, reading what it sent before and
/// after (briefly) so the answer is not lost to a reset.
async fn refuse_busy(mut stream: TcpStream, _refuser: tokio::sync::OwnedSemaphorePermit) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = json!({"error": "the engine is serving as many connections as it allows; try again shortly", "path": ""}).to_string();
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut buf = [0u8; 16 * 1024];
    let _ = tokio::time::timeout(REFUSE_WAIT, stream.read(&mut buf)).await;
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.shutdown().await;
    let _ = tokio::time::timeout(REFUSE_WAIT, async {
        while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
    })
    .await;
}

#[derive(Clone, Copy)]
struct Peer {
    peer: SocketAddr,
    local: SocketAddr,
}

async fn serve_one<I>(io: I, shared: Arc<Shared>, info: Peer, mut stop: watch::Receiver<bool>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| {
        let shared = shared.clone();
        async move { Ok::<_, std::convert::Infallible>(answer(&shared, info, req).await) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(64 * 1024);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(10), conn.as_mut()).await;
        }
    }
}

/// The metrics in the text format.
fn metrics_response(shared: &Shared) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(shared.activity.metrics.encode())));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(metrics::CONTENT_TYPE),
    );
    response
}

/// A reply as an HTTP response, with `Retry-After` on 503s.
fn respond(reply: Reply) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(reply.body.to_string())));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    match reply.status {
        503 => {
            headers.insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
        }
        401 => {
            headers.insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        405 => {
            headers.insert(header::ALLOW, header::HeaderValue::from_static("GET, POST"));
        }
        _ => {}
    }
    response
}

async fn answer(shared: &Shared, info: Peer, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if !host_is_ours(&host, shared.bound, info.local) {
        return respond(Reply::problem(
            421,
            format!(
                "this engine answers to localhost, 127.0.0.1, [::1] or {}, not to the host {host:?}",
                shared.bound
            ),
            "",
        ));
    }
    let reply = match (req.method(), req.uri().path()) {
        (&Method::GET, path @ ("/v1/health" | "/metrics")) => {
            let allowed = info.peer.ip().is_loopback() || bearer(shared, &req).await.is_some();
            match (allowed, path) {
                (false, _) => unauthorized(),
                (true, "/metrics") => return metrics_response(shared),
                (true, _) => {
                    let (status, body) = shared.health.answer();
                    Reply { status, body }
                }
            }
        }
        (&Method::POST, "/v1/events") => post(shared, req).await,
        (_, "/v1/health" | "/v1/events" | "/metrics") => Reply::problem(
            405,
            "use GET /v1/health, GET /metrics or POST /v1/events",
            "",
        ),
        (_, path) => Reply::problem(
            404,
            format!(
                "{path}: nothing here; the engine answers POST /v1/events, GET /v1/health and GET /metrics"
            ),
            "",
        ),
    };
    respond(reply)
}

/// Whether a `Host` header names this engine: a loopback name or the address listened on (or
/// the one this connection reached, when listening on every address), with or without the
/// port.
fn host_is_ours(host: &str, bound: SocketAddr, local: SocketAddr) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let (name, port) = match host.rsplit_once(':') {
        Some((n, p)) if !n.is_empty() && (n.ends_with(']') || !n.contains(':')) => (n, Some(p)),
        _ => (host.as_str(), None),
    };
    if port.is_some_and(|p| p != bound.port().to_string()) {
        return false;
    }
    let literal = |a: SocketAddr| match a {
        SocketAddr::V4(v4) => v4.ip().to_string(),
        SocketAddr::V6(v6) => format!("[{}]", v6.ip()),
    };
    ["localhost", "127.0.0.1", "[::1]"].contains(&name)
        || name == literal(bound)
        || (bound.ip().is_unspecified() && name == literal(local))
}

fn unauthorized() -> Reply {
    Reply::problem(
        401,
        "send Authorization: Bearer <token>; `wbauto tokens create NAME` makes a token",
        "",
    )
}

/// The token the request carries, if it is a known one.
async fn bearer(shared: &Shared, req: &Request<Incoming>) -> Option<Token> {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())?
        .to_string();
    match shared.tokens.find(&presented) {
        Some(t) => Some(t),
        None => shared.tokens.find_fresh(&presented, Instant::now()).await,
    }
}

fn json_content(req: &Request<Incoming>) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

fn too_large() -> Reply {
    Reply::problem(
        413,
        format!(
            "the body is over {} MiB; send the events in smaller arrays",
            BODY_LIMIT >> 20
        ),
        "",
    )
}

/// Reads the body, at most [`BODY_LIMIT`] bytes, failing when it stops coming. A body over the
/// limit is read on and dropped (up to [`DISCARD_LIMIT`]) so the client, still sending, gets
/// the 413.
async fn read_body(mut body: Incoming) -> Result<Vec<u8>, Reply> {
    let mut out = Vec::new();
    let mut seen = 0usize;
    loop {
        let frame = tokio::time::timeout(BODY_IDLE, body.frame())
            .await
            .map_err(|_| {
                Reply::problem(
                    408,
                    "the body stopped coming for 10 s; nothing was stored",
                    "",
                )
            })?;
        match frame {
            None if seen > BODY_LIMIT => return Err(too_large()),
            None => return Ok(out),
            Some(Err(e)) => {
                return Err(Reply::problem(
                    400,
                    format!("the body could not be read: {e}"),
                    "",
                ));
            }
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    seen += data.len();
                    if seen > DISCARD_LIMIT {
                        return Err(too_large());
                    }
                    if seen > BODY_LIMIT {
                        out = Vec::new();
                    } else {
                        out.extend_from_slice(&data);
                    }
                }
            }
        }
    }
}

fn idempotency_key(req: &Request<Incoming>) -> Result<Option<String>, Reply> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(k) if !k.is_empty() && k.len() <= 255 => Ok(Some(k.to_string())),
        _ => Err(Reply::problem(
            400,
            "the Idempotency-Key header must be 1 to 255 visible ASCII characters",
            "",
        )),
    }
}

async fn post(shared: &Shared, req: Request<Incoming>) -> Reply {
    if !json_content(&req) {
        return Reply::problem(
            415,
            "send the events with Content-Type: application/json",
            "",
        );
    }
    let Some(token) = bearer(shared, &req).await else {
        return unauthorized();
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.parse::<u64>().ok());
    if declared.is_some_and(|n| n > DISCARD_LIMIT as u64) {
        return too_large();
    }
    let key = match idempotency_key(&req) {
        Ok(k) => k,
        Err(reply) => return reply,
    };
    let in_progress = Posting::enter(&shared.posting);
    let busy = Reply::problem(
        503,
        "the engine is reading as many requests as it allows; nothing was stored: try again",
        "",
    );
    let Ok(Ok(_slot)) = tokio::time::timeout(STORE_WAIT, shared.bodies.acquire()).await else {
        return busy;
    };
    let body = match tokio::time::timeout(BODY_TIME, read_body(req.into_body())).await {
        Ok(Ok(b)) => b,
        Ok(Err(reply)) => return reply,
        Err(_) => {
            return Reply::problem(
                408,
                format!(
                    "the body took over {} s to arrive; nothing was stored",
                    BODY_TIME.as_secs()
                ),
                "",
            );
        }
    };
    let now = super::now_secs();
    let checked = {
        let token = token.clone();
        let body = body.clone();
        tokio::task::spawn_blocking(move || intake::check(&body, &token, now)).await
    };
    let events = match checked {
        Ok(Ok(events)) => events,
        Ok(Err(reply)) => return reply,
        Err(e) => return Reply::problem(500, format!("checking the events failed: {e}"), ""),
    };
    let Ok(conn) = tokio::time::timeout(STORE_WAIT, shared.intake.clone().lock_owned()).await
    else {
        shared.health.problem(
            Part::Intake,
            Some("storing posted events waits on the database".into()),
        );
        return Reply::problem(
            503,
            "the engine is still storing earlier events; nothing was stored: try again",
            "",
        );
    };
    let count = events.len();
    let stored = tokio::task::spawn_blocking(move || {
        let mut conn = conn;
        let now = super::now_ms();
        let stored = intake::store(&mut conn, &token, key.as_deref(), &body, &events, now);
        drop(in_progress);
        stored
    })
    .await;
    match stored {
        Ok(Ok(reply)) => {
            shared.health.problem(Part::Intake, None);
            if reply.status == 202 {
                shared.activity.metrics.taken(Source::Http, count);
            }
            if (shared.stored)() {
                reply
            } else {
                Reply::problem(
                    503,
                    "the engine's database file was deleted or replaced; the engine is stopping",
                    "",
                )
            }
        }
        Ok(Err(e)) if e.is_transient() => {
            shared.health.problem(Part::Intake, Some(e.to_string()));
            Reply::problem(503, format!("{e}; nothing was stored: try again"), "")
        }
        Ok(Err(e)) => Reply::problem(500, format!("the events were not stored: {e}"), ""),
        Err(e) => Reply::problem(500, format!("storing the events failed: {e}"), ""),
    }
}

#[cfg(test)]
mod tests {
    use super::host_is_ours;

    #[test]
    fn only_this_engines_names_are_its_hosts() {
        let bound = "127.0.0.1:8642".parse().unwrap();
        for ok in [
            "localhost",
            "localhost:8642",
            "127.0.0.1",
            "127.0.0.1:8642",
            "[::1]",
            "[::1]:8642",
            "LOCALHOST",
        ] {
            assert!(host_is_ours(ok, bound, bound), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "evil.example:8642",
            "localhost:9999",
            "localhost.evil.example",
            "10.0.0.5",
        ] {
            assert!(!host_is_ours(bad, bound, bound), "{bad}");
        }
        let any = "0.0.0.0:8642".parse().unwrap();
        let reached = "10.0.0.5:8642".parse().unwrap();
        assert!(host_is_ours("10.0.0.5:8642", any, reached));
        assert!(!host_is_ours("10.0.0.6", any, reached));
    }
}
