//! GraphQL over HTTP to W&B: auth, the SDK's headers, a timeout on every attempt, and bounded
//! retries with exponential backoff and jitter on 429, 5xx and connection errors (never on 4xx).

use crate::backend::BackendError;
use crate::config::wandb::ApiKey;
use base64::Engine;
use reqwest::header::{
    AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The SDK version whose `User-Agent` wbauto sends (W&B gates some access on its form).
pub(crate) const SDK_VERSION: &str = "0.28.3.dev1";

/// How hard to try before giving up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Timeout of one attempt.
    pub attempt_timeout: Duration,
    /// How many times to retry after the first attempt.
    pub max_retries: u32,
    /// First backoff.
    pub wait_min: Duration,
    /// Longest backoff (and longest `Retry-After` honoured).
    pub wait_max: Duration,
    /// Give up once this much time has passed, whatever the count.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempt_timeout: Duration::from_secs(30),
            max_retries: 5,
            wait_min: Duration::from_millis(500),
            wait_max: Duration::from_secs(8),
            deadline: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The default policy adjusted by `WANDB_HTTP_TIMEOUT` (seconds per attempt, as in the SDK),
    /// `WBAUTO_HTTP_RETRIES` (count) and `WBAUTO_HTTP_DEADLINE` (seconds in all).
    pub(crate) fn from_env(vars: &std::collections::HashMap<String, String>) -> Self {
        let secs = |name: &str| {
            vars.get(name)
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| *s > 0.0)
                .map(Duration::from_secs_f64)
        };
        let mut p = Self::default();
        if let Some(t) = secs("WANDB_HTTP_TIMEOUT") {
            p.attempt_timeout = t;
        }
        if let Some(n) = vars
            .get("WBAUTO_HTTP_RETRIES")
            .and_then(|v| v.trim().parse().ok())
        {
            p.max_retries = n;
        }
        if let Some(d) = secs("WBAUTO_HTTP_DEADLINE") {
            p.deadline = d;
        }
        p
    }

    fn backoff(&self, retry: u32) -> Duration {
        let exp = self.wait_min.saturating_mul(1u32 << retry.min(16));
        exp.min(self.wait_max).mul_f64(0.5 + fastrand::f64() * 0.5)
    }
}

/// One GraphQL request.
#[derive(Clone, Debug)]
pub struct GraphqlRequest {
    /// The document.
    pub(crate) query: String,
    /// Variables (`None` sends no `variables` key, as core's own named queries do).
    pub(crate) variables: Option<Value>,
    /// `operationName` as sent: empty for SDK operations, the name for core's built-in ones.
    pub(crate) operation_name: String,
}

impl GraphqlRequest {
    /// An SDK operation: `operationName` is `""` and variables are always sent.
    pub fn sdk(query: impl Into<String>, variables: Value) -> Self {
        Self {
            query: query.into(),
            variables: Some(variables),
            operation_name: String::new(),
        }
    }

    /// One of wandb-core's own operations: named, variables in declaration order.
    pub(crate) fn core(query: impl Into<String>, name: &str, variables: Value) -> Self {
        Self {
            query: query.into(),
            variables: Some(variables),
            operation_name: name.to_string(),
        }
    }

    /// A named operation without variables (like core's `ServerFeaturesQuery`).
    pub(crate) fn named(query: impl Into<String>, name: &str) -> Self {
        Self {
            query: query.into(),
            variables: None,
            operation_name: name.to_string(),
        }
    }

    fn body(&self) -> Value {
        match &self.variables {
            Some(v) => {
                json!({"query": self.query, "variables": v, "operationName": self.operation_name})
            }
            None => json!({"query": self.query, "operationName": self.operation_name}),
        }
    }

    fn label(&self) -> &str {
        crate::wire::ops::operation_name(&self.query).unwrap_or("request")
    }
}

enum Attempt {
    Done(Box<RawValue>),
    Retry {
        reason: Failure,
        after: Option<Duration>,
    },
    Fail(BackendError),
}

enum Failure {
    Status(u16, String),
    Transport(String),
    Malformed(String),
}

/// A GraphQL answer with its `data` left as text, so that each caller decodes only what it
/// reads, straight into its own types.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    data: Option<Box<RawValue>>,
    #[serde(default)]
    errors: Option<Value>,
}

/// A GraphQL client for one W&B endpoint.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    url: String,
    /// The base URL for messages, without any userinfo.
    shown: String,
    policy: RetryPolicy,
}

fn header(name: &'static str, value: &str) -> Option<(HeaderName, HeaderValue)> {
    Some((
        HeaderName::from_static(name),
        HeaderValue::from_str(value).ok()?,
    ))
}

/// The message of a GraphQL error response: `errors[0].message`, `[m1; m2]`, or the raw body.
pub(crate) fn error_message(body: &str) -> String {
    let messages: Vec<String> = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("errors").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.get("message").and_then(Value::as_str).map(str::to_string))
        .collect();
    match messages.as_slice() {
        [] => body
            .chars()
            .take(300)
            .collect::<String>()
            .trim()
            .to_string(),
        [one] => one.clone(),
        many => format!("[{}]", many.join("; ")),
    }
}

fn graphql_errors(errors: &[Value]) -> String {
    errors
        .iter()
        .map(|e| {
            let message = e
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("unknown error");
            match e.get("path").and_then(Value::as_array) {
                Some(path) if !path.is_empty() => {
                    let path: Vec<String> = path
                        .iter()
                        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
                        .collect();
                    format!("{message} (at {})", path.join("."))
                }
                _ => message.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether a request failed because the connection was refused.
fn refused(e: &reqwest::Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// Whether a base URL is plain `http://` (a local server, a fake).
fn is_plain_http(base_url: &str) -> bool {
    base_url
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
}

impl Client {
    /// A client for `base_url` authenticating with `key`; `vars` supplies W&B's optional headers
    /// (`WANDB_USERNAME`, `WANDB_USER_EMAIL`, `WANDB__EXTRA_HTTP_HEADERS`).
    pub fn new(
        base_url: &str,
        key: &ApiKey,
        policy: RetryPolicy,
        vars: &std::collections::HashMap<String, String>,
    ) -> Result<Self, BackendError> {
        let mut headers = HeaderMap::new();
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("api:{}", key.expose()));
        let mut auth = HeaderValue::from_str(&format!("Basic {token}")).map_err(|_| {
            BackendError::Auth(
                "the W&B API key contains characters that cannot be sent; check WANDB_API_KEY"
                    .into(),
            )
        })?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let var = |n: &str| vars.get(n).cloned().unwrap_or_default();
        for (name, value) in [
            header("use-admin-privileges", "true"),
            header("x-wandb-username", &var("WANDB_USERNAME")),
            header("x-wandb-user-email", &var("WANDB_USER_EMAIL")),
        ]
        .into_iter()
        .flatten()
        {
            headers.insert(name, value);
        }
        if let Some(Value::Object(extra)) = vars
            .get("WANDB__EXTRA_HTTP_HEADERS")
            .and_then(|v| serde_json::from_str(v).ok())
        {
            for (k, v) in extra {
                if let (Ok(name), Some(Ok(value))) = (
                    HeaderName::from_bytes(k.as_bytes()),
                    v.as_str().map(HeaderValue::from_str),
                ) {
                    headers.insert(name, value);
                }
            }
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(format!("W&B Public Client {SDK_VERSION}"))
            .default_headers(headers)
            .timeout(policy.attempt_timeout)
            .connect_timeout(policy.attempt_timeout.min(Duration::from_secs(10)));
        if is_plain_http(base_url) {
            // The client only ever talks to the base URL: over plain HTTP it needs no root
            // certificates, and reading the system's takes longer than a whole listing.
            builder = builder.tls_certs_only(std::iter::empty());
        }
        let http = builder
            .build()
            .map_err(|e| BackendError::Network(format!("cannot set up HTTPS: {e}")))?;
        let base_url = base_url.trim_end_matches('/').to_string();
        Ok(Self {
            http,
            url: format!("{base_url}/graphql"),
            shown: crate::config::wandb::redact_userinfo(&base_url),
            policy,
        })
    }

    /// The base URL this client talks to.
    pub(crate) fn base_url(&self) -> &str {
        &self.shown
    }

    async fn attempt(&self, request: &GraphqlRequest, left: Duration) -> Attempt {
        // An attempt never outlives the operation's deadline.
        let timeout = self
            .policy
            .attempt_timeout
            .min(left.max(Duration::from_millis(100)));
        let sent = self
            .http
            .post(&self.url)
            .timeout(timeout)
            .json(&request.body())
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                if refused(&e) {
                    // Nothing listens there: another try in a moment would find the same.
                    return Attempt::Fail(BackendError::Network(format!(
                        "cannot reach W&B at {}: the connection was refused (nothing listens there); check --base-url or WANDB_BASE_URL",
                        self.shown
                    )));
                }
                let kind = if e.is_timeout() {
                    "no answer in time"
                } else if e.is_connect() {
                    "cannot connect"
                } else {
                    "the connection failed"
                };
                return Attempt::Retry {
                    reason: Failure::Transport(format!("{kind} ({})", e.without_url())),
                    after: None,
                };
            }
        };
        let status = response.status().as_u16();
        let after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64);
        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) => {
                return Attempt::Retry {
                    reason: Failure::Transport(format!(
                        "the answer was cut off ({})",
                        e.without_url()
                    )),
                    after: None,
                };
            }
        };
        let message = || error_message(&String::from_utf8_lossy(&body));
        match status {
            200 => {}
            401 | 403 => {
                return Attempt::Fail(BackendError::Auth(format!(
                    "W&B at {} refused the API key (HTTP {status}: {}); check WANDB_API_KEY or your ~/.netrc entry, or run `wandb login --relogin`",
                    self.shown,
                    message()
                )));
            }
            404 => return Attempt::Fail(BackendError::NotFound(message())),
            409 => return Attempt::Fail(BackendError::Conflict(message())),
            400 | 410 | 413 | 422 | 501 => {
                return Attempt::Fail(BackendError::Server(format!(
                    "W&B rejected the {} request (HTTP {status}): {}",
                    request.label(),
                    message()
                )));
            }
            _ => {
                return Attempt::Retry {
                    reason: Failure::Status(status, message()),
                    after,
                };
            }
        }
        let envelope: Envelope = match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) if e.is_data() => {
                return Attempt::Fail(BackendError::Server(format!(
                    "W&B's answer to {} is not a GraphQL answer ({e})",
                    request.label()
                )));
            }
            Err(e) => {
                return Attempt::Retry {
                    reason: Failure::Malformed(format!("the answer is not JSON ({e})")),
                    after: None,
                };
            }
        };
        if let Some(errors) = envelope
            .errors
            .as_ref()
            .and_then(Value::as_array)
            .filter(|e| !e.is_empty())
        {
            return Attempt::Fail(BackendError::Server(format!(
                "W&B answered the {} request with an error: {}",
                request.label(),
                graphql_errors(errors)
            )));
        }
        match envelope.data {
            Some(data) if data.get().starts_with('{') => Attempt::Done(data),
            _ => Attempt::Fail(BackendError::Server(format!(
                "W&B's answer to {} has no data",
                request.label()
            ))),
        }
    }

    /// Sends a request, retrying what is worth retrying; returns the response's `data`.
    pub async fn execute(&self, request: &GraphqlRequest) -> Result<Value, BackendError> {
        let data = self.execute_raw(request).await?;
        serde_json::from_str(data.get()).map_err(|e| {
            BackendError::Server(format!(
                "W&B's answer to {} cannot be read ({e})",
                request.label()
            ))
        })
    }

    /// [`Client::execute`], with the response's `data` as the text the server sent.
    pub(crate) async fn execute_raw(
        &self,
        request: &GraphqlRequest,
    ) -> Result<Box<RawValue>, BackendError> {
        let start = Instant::now();
        let mut retries = 0;
        loop {
            let left = self.policy.deadline.saturating_sub(start.elapsed());
            let (reason, after) = match self.attempt(request, left).await {
                Attempt::Done(data) => return Ok(data),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry { reason, after } => (reason, after),
            };
            let wait = after.unwrap_or_else(|| self.policy.backoff(retries));
            let out_of_time = start.elapsed() + wait > self.policy.deadline;
            if retries >= self.policy.max_retries || out_of_time {
                let tries = format!(
                    "gave up after {} attempt(s) in {:.1}s",
                    retries + 1,
                    start.elapsed().as_secs_f64()
                );
                return Err(match reason {
                    Failure::Status(status, message) => BackendError::Server(format!(
                        "W&B at {} keeps failing (HTTP {status}: {message}); {tries}",
                        self.shown
                    )),
                    Failure::Transport(message) => BackendError::Network(format!(
                        "cannot reach W&B at {}: {message}; {tries}. Check the network and --base-url",
                        self.shown
                    )),
                    Failure::Malformed(message) => BackendError::Server(format!(
                        "W&B at {} sent a broken answer: {message}; {tries}",
                        self.shown
                    )),
                });
            }
            let why = match &reason {
                Failure::Status(s, _) => format!("HTTP {s}"),
                Failure::Transport(m) | Failure::Malformed(m) => m.clone(),
            };
            tracing::info!(
                request = request.label(),
                retry = retries + 1,
                wait_ms = wait.as_millis() as u64,
                "retrying: {why}"
            );
            tokio::time::sleep(wait).await;
            retries += 1;
        }
    }
}
