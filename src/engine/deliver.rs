//! One delivery attempt: the request POSTed within a timeout, the answer's status and at most
//! the first 2 KB of its body kept (reading stops there, so a huge answer costs nothing), sorted
//! into delivered, final or worth another try. Redirects are never followed: the request, its
//! token and its signature go only to the URL configured.

use std::time::Duration;

/// How much of an answer's body is kept (and read).
pub(crate) const KEPT: usize = 2048;

/// An HTTP client for deliveries: no redirects, a timeout per attempt.
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

/// Where a URL's requests go, for the per-receiver limit: its scheme, host and port.
pub fn receiver(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A 2xx: delivered (the status and the body kept).
    Done(u16, String),
    /// Not delivered and not worth trying again (the status, the body kept, why).
    Final(Option<u16>, Option<String>, String),
    /// Not delivered; worth another try (the status, why, how long the receiver asked to wait).
    Again(Option<u16>, String, Option<Duration>),
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    text.trim()
        .parse::<u64>()
        .ok()
        .map(|s| Duration::from_secs(s.min(3600)))
}

/// Reads at most [`KEPT`] bytes of the body, cut at a character boundary; the rest is never
/// read (the connection is dropped). A body that stops coming keeps what came.
async fn kept_body(mut response: reqwest::Response) -> String {
    let mut kept: Vec<u8> = Vec::new();
    while kept.len() < KEPT {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = KEPT - kept.len();
                kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    let mut text = String::from_utf8_lossy(&kept).into_owned();
    let mut cut = text.len().min(KEPT);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    text
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

/// Checks a URL before sending: http or https, a host, a valid port.
fn usable(url: &str) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("the URL cannot be used ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err("the URL cannot be used: it needs http:// or https:// and a host".into());
    }
    Ok(())
}

/// POSTs `body` with `headers` to `url` once.
pub async fn attempt(
    client: &reqwest::Client,
    url: &str,
    headers: &[(String, String)],
    body: String,
) -> Answer {
    if let Err(why) = usable(url) {
        return Answer::Final(None, None, why);
    }
    let mut request = client.post(url).body(body);
    for (k, v) in headers {
        request = request.header(k, v);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let wait = retry_after(response.headers());
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .map(|l| super::request::shown_url(l, false));
            let text = kept_body(response).await;
            match status {
                200..=299 => Answer::Done(status, text),
                408 | 429 | 500..=599 => {
                    Answer::Again(Some(status), format!("HTTP {status}"), wait)
                }
                300..=399 => Answer::Final(
                    Some(status),
                    Some(text),
                    format!(
                        "HTTP {status}: the receiver redirects to {}; redirects are not followed (the request, its token and its signature go only to the URL configured), so nothing was delivered: point the integration at the final URL",
                        location.unwrap_or_else(|| "another address".into())
                    ),
                ),
                _ => Answer::Final(
                    Some(status),
                    Some(text),
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
