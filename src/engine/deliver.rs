//! Sending what the outbox holds: at-least-once, each attempt bounded by a timeout; timeouts,
//! connection errors, 408, 429 (honouring `Retry-After`) and 5xx are tried again with
//! exponential backoff and jitter up to the attempt limit; other answers are final.

use super::request::finish;
use super::{Engine, now_ms, store};
use crate::backend::BackendError;
use std::time::Duration;

/// What a round of deliveries did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    /// Delivered (2xx).
    pub delivered: usize,
    /// Given up on.
    pub failed: usize,
    /// To be tried again.
    pub retrying: usize,
}

/// An HTTP client for deliveries (no proxy from the environment for loopback tests is needed:
/// reqwest honours `NO_PROXY`).
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

enum Answer {
    Done(u16, String),
    Final(Option<u16>, String, String),
    Again(Option<u16>, String, Option<Duration>),
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    text.trim()
        .parse::<u64>()
        .ok()
        .map(|s| Duration::from_secs(s.min(3600)))
}

/// The first 2 KB of a body, cut at a character boundary.
fn first_2kb(mut body: String) -> String {
    if body.len() > 2048 {
        let mut cut = 2048;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
    }
    body
}

async fn send(
    client: &reqwest::Client,
    url: &str,
    headers: &[(String, String)],
    body: String,
) -> Answer {
    let mut request = client.post(url).body(body);
    for (k, v) in headers {
        request = request.header(k, v);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let wait = retry_after(response.headers());
            let text = first_2kb(response.text().await.unwrap_or_default());
            match status {
                200..=299 => Answer::Done(status, text),
                408 | 429 | 500..=599 => {
                    Answer::Again(Some(status), format!("HTTP {status}"), wait)
                }
                _ => Answer::Final(
                    Some(status),
                    text,
                    format!("HTTP {status}: the receiver refused it"),
                ),
            }
        }
        Err(e) if e.is_timeout() => Answer::Again(None, "no answer in time".into(), None),
        Err(e) => Answer::Again(
            None,
            format!("cannot reach the receiver ({})", without_url(&e)),
            None,
        ),
    }
}

/// A reqwest error in words, without the URL (it may carry a token in its query).
fn without_url(e: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut last = String::from("connection failed");
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

impl Engine {
    /// Sends every delivery due now, once each; returns what happened.
    pub async fn deliver_due(&self, client: &reqwest::Client) -> Result<Round, BackendError> {
        let now = now_ms();
        let (due, secrets) = self.with(|c| Ok((store::due(c, now, 64)?, store::secrets(c)?)))?;
        let mut round = Round::default();
        let max = self.settings.attempts.max(1);
        for d in due {
            let attempts = d.attempts + 1;
            let prepared = finish(&d.request, |name| secrets.get(name).cloned());
            let (headers, body) = match prepared {
                Ok(p) => p,
                Err(why) => {
                    self.with(|c| {
                        store::finish(c, &d.execution, attempts, None, None, Some(&why), false)
                    })?;
                    round.failed += 1;
                    continue;
                }
            };
            match send(client, &d.request.url, &headers, body).await {
                Answer::Done(status, text) => {
                    self.with(|c| {
                        store::finish(
                            c,
                            &d.execution,
                            attempts,
                            Some(status),
                            Some(&text),
                            None,
                            true,
                        )
                    })?;
                    round.delivered += 1;
                }
                Answer::Final(status, text, why) => {
                    self.with(|c| {
                        store::finish(
                            c,
                            &d.execution,
                            attempts,
                            status,
                            Some(&text),
                            Some(&why),
                            false,
                        )
                    })?;
                    round.failed += 1;
                }
                Answer::Again(status, why, _) if attempts >= max => {
                    let why = format!("{why}; gave up after {attempts} attempt(s)");
                    self.with(|c| {
                        store::finish(c, &d.execution, attempts, status, None, Some(&why), false)
                    })?;
                    round.failed += 1;
                }
                Answer::Again(status, why, wait) => {
                    let base = self.settings.retry_base_ms.max(1) as f64;
                    let backoff = base * 2f64.powi(i32::try_from(attempts - 1).unwrap_or(10));
                    let jitter = backoff * (0.75 + fastrand::f64() * 0.5);
                    let delay = wait.map_or(jitter as i64, |w| w.as_millis() as i64);
                    self.with(|c| {
                        store::retry_later(
                            c,
                            &d.execution,
                            attempts,
                            now_ms() + delay,
                            status,
                            &why,
                        )
                    })?;
                    round.retrying += 1;
                }
            }
        }
        Ok(round)
    }

    /// Delivers until the outbox is empty (waiting out backoffs), or until `deadline`.
    pub async fn drain(
        &self,
        client: &reqwest::Client,
        deadline: Option<std::time::Instant>,
    ) -> Result<(), BackendError> {
        loop {
            self.deliver_due(client).await?;
            let Some(next) = self.with(|c| store::next_due(c))? else {
                return Ok(());
            };
            let wait = Duration::from_millis(u64::try_from(next - now_ms()).unwrap_or(0));
            if deadline.is_some_and(|d| std::time::Instant::now() + wait > d) {
                return Ok(());
            }
            tokio::time::sleep(wait.min(Duration::from_secs(60))).await;
        }
    }
}
