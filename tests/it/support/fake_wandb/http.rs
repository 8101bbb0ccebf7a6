//! A minimal HTTP/1.1 server on loopback: connections kept alive as W&B's are (until the client
//! asks to close or a fault drops one), full control over faults.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as received.
pub struct HttpRequest {
    /// Method and path, e.g. `POST /graphql`.
    pub target: String,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What to send back.
pub enum HttpReply {
    /// A response.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
        delay: Option<Duration>,
    },
    /// A status with a body of `bytes` bytes, written as it goes (until the client stops
    /// reading).
    Stream { status: u16, bytes: u64 },
    /// Close the connection without answering.
    Drop,
}

/// Writes a status and `bytes` bytes of body in 64 KiB pieces; `false` once the client is gone.
async fn stream_body(stream: &mut TcpStream, status: u16, bytes: u64) -> bool {
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain\r\nContent-Length: {bytes}\r\n\r\n",
        reason(status)
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return false;
    }
    let piece = vec![b'x'; 64 * 1024];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(piece.len() as u64) as usize;
        if stream.write_all(&piece[..n]).await.is_err() {
            return false;
        }
        left -= n as u64;
    }
    true
}

async fn read_request(stream: &mut TcpStream) -> Option<HttpRequest> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 1 << 20 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[header_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    let target = request_line
        .rsplit_once(' ')
        .map(|(t, _)| t.to_string())
        .unwrap_or_default();
    Some(HttpRequest {
        target,
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Serves `handler` on a listener until the task is aborted.
pub async fn serve<H>(listener: TcpListener, handler: H)
where
    H: Fn(HttpRequest) -> HttpReply + Send + Sync + Clone + 'static,
{
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let handler = handler.clone();
        tokio::spawn(async move {
            while let Some(request) = read_request(&mut stream).await {
                let close = request
                    .header("connection")
                    .is_some_and(|v| v.eq_ignore_ascii_case("close"));
                let (status, headers, body, delay) = match handler(request) {
                    HttpReply::Respond {
                        status,
                        headers,
                        body,
                        delay,
                    } => (status, headers, body, delay),
                    HttpReply::Stream { status, bytes } => {
                        if stream_body(&mut stream, status, bytes).await && !close {
                            continue;
                        }
                        return;
                    }
                    HttpReply::Drop => return,
                };
                if let Some(d) = delay {
                    tokio::time::sleep(d).await;
                }
                let mut head = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
                    reason(status),
                    body.len()
                );
                if close {
                    head.push_str("Connection: close\r\n");
                }
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                head.push_str(&body);
                if stream.write_all(head.as_bytes()).await.is_err() || close {
                    let _ = stream.shutdown().await;
                    return;
                }
            }
        });
    }
}
