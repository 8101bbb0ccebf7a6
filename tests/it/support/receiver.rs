//! A webhook receiver on loopback for engine tests: records every request and answers with a
//! scripted status (200 once the script is used up), optionally after a delay.
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

/// The answers still to give: a status and how long to wait before it.
type Script = Arc<Mutex<VecDeque<(u16, Option<Duration>)>>>;

/// The receiver.
pub struct Receiver {
    /// Its base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    seen: Arc<Mutex<Vec<Received>>>,
    script: Script,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// Starts one on a free loopback port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
        let script: Script = Arc::default();
        let (s, q) = (seen.clone(), script.clone());
        let task = tokio::spawn(serve(listener, move |r| {
            s.lock().unwrap().push(Received {
                target: r.target.clone(),
                headers: r.headers.clone(),
                body: String::from_utf8_lossy(&r.body).into(),
            });
            let (status, delay) = q.lock().unwrap().pop_front().unwrap_or((200, None));
            HttpReply::Respond {
                status,
                headers: Vec::new(),
                body: "{\"ok\":true}".into(),
                delay,
            }
        }));
        Self {
            url,
            seen,
            script,
            task,
        }
    }

    /// The next answers, in order.
    pub fn answer(&self, statuses: &[u16]) {
        self.script
            .lock()
            .unwrap()
            .extend(statuses.iter().map(|s| (*s, None)));
    }

    /// The next answer comes after `delay`.
    pub fn answer_late(&self, status: u16, delay: Duration) {
        self.script.lock().unwrap().push_back((status, Some(delay)));
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }
}
