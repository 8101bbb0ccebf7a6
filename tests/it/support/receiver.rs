//! A webhook receiver on loopback for engine tests: records every request and answers with a
//! scripted reply (200 once the script is used up): a status, late or not, a redirect, or a
//! huge body.
#![allow(dead_code)]

use super::fake_wandb::http::{HttpReply, serve};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as received.
#[derive(Clone, Debug)]
pub struct Received {
    /// Method and path.
    pub target: String,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Received {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the body is JSON")
    }
}

/// The replies still to give, in order.
type Script = Arc<Mutex<VecDeque<HttpReply>>>;

/// The receiver.
pub struct Receiver {
    /// Its base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    seen: Arc<Mutex<Vec<Received>>>,
    script: Script,
    late: Arc<Mutex<Option<Duration>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn plain(status: u16, delay: Option<Duration>, headers: Vec<(String, String)>) -> HttpReply {
    HttpReply::Respond {
        status,
        headers,
        body: "{\"ok\":true}".into(),
        delay,
    }
}

impl Receiver {
    /// Starts one on a free loopback port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
        let script: Script = Arc::default();
        let late: Arc<Mutex<Option<Duration>>> = Arc::default();
        let (s, q, l) = (seen.clone(), script.clone(), late.clone());
        let task = tokio::spawn(serve(listener, move |r| {
            s.lock().unwrap().push(Received {
                target: r.target.clone(),
                headers: r.headers.clone(),
                body: String::from_utf8_lossy(&r.body).into(),
            });
            q.lock()
                .unwrap()
                .pop_front()
                .unwrap_or_else(|| plain(200, *l.lock().unwrap(), Vec::new()))
        }));
        Self {
            url,
            seen,
            script,
            late,
            task,
        }
    }

    /// The next answers, in order.
    pub fn answer(&self, statuses: &[u16]) {
        self.script
            .lock()
            .unwrap()
            .extend(statuses.iter().map(|s| plain(*s, None, Vec::new())));
    }

    /// The next answer comes after `delay`.
    pub fn answer_late(&self, status: u16, delay: Duration) {
        self.script
            .lock()
            .unwrap()
            .push_back(plain(status, Some(delay), Vec::new()));
    }

    /// Every unscripted answer comes after `delay` (a receiver that hangs).
    pub fn hang(&self, delay: Duration) {
        *self.late.lock().unwrap() = Some(delay);
    }

    /// The next answer is a redirect to `location`.
    pub fn redirect(&self, status: u16, location: &str) {
        self.script.lock().unwrap().push_back(plain(
            status,
            None,
            vec![("Location".into(), location.into())],
        ));
    }

    /// The next answer is `status` with a body of `bytes` bytes.
    pub fn answer_huge(&self, status: u16, bytes: u64) {
        self.script
            .lock()
            .unwrap()
            .push_back(HttpReply::Stream { status, bytes });
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }
}
