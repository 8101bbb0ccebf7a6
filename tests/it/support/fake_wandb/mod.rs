//! The fake W&B server: in-process, stateful, on `127.0.0.1`, strict like W&B, with switchable
//! feature flags and fault injection. Used by the tests and by `cargo run --example fake_wandb`.
// Each test crate uses a different part of the fake, so some items are unused in any one of them.
#![allow(dead_code)]

pub mod history;
pub mod http;
pub mod runs;
pub mod state;
pub mod strict;

use base64::Engine;
use http::{HttpReply, HttpRequest};
use serde_json::{Value, json};
use state::{Fault, Recorded, State};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::task::JoinHandle;
use wbauto::backend::wandb::WandbBackend;
use wbauto::backend::wandb::client::{Client, RetryPolicy};
use wbauto::config::wandb::ApiKey;
use wbauto::demo::Demo;
use wbauto::model::IntegrationKind;

/// The API key the fake accepts (not a real W&B key).
pub const API_KEY: &str = "fake-4f2a9c1e7b3d5a8f0e6c2b9d4a7f1e3c5b8d0a2f";

/// A running fake W&B server; stops when dropped.
pub struct FakeWandb {
    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl Drop for FakeWandb {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Retries fast enough for tests.
pub fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        attempt_timeout: Duration::from_secs(5),
        max_retries: 3,
        wait_min: Duration::from_millis(10),
        wait_max: Duration::from_millis(300),
        deadline: Duration::from_secs(15),
    }
}

fn handle(state: &Mutex<State>, req: HttpRequest) -> HttpReply {
    let Ok(mut s) = state.lock() else {
        return HttpReply::Drop;
    };
    let remembered = s.memory.as_ref().and_then(|m| m.get(&req.body));
    if let Some((_, answer)) =
        remembered.filter(|(auth, _)| req.header("authorization") == Some(auth))
    {
        let delay = s.history_delay.and_then(|_| {
            let body: Value = serde_json::from_slice(&req.body).ok()?;
            let query = body.get("query").and_then(Value::as_str)?;
            s.history_page_delay(wbauto::wire::ops::operation_name(query)?, &body)
        });
        return HttpReply::Respond {
            status: 200,
            headers: vec![],
            body: answer.clone(),
            delay,
        };
    }
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let operation = body
        .get("query")
        .and_then(Value::as_str)
        .and_then(wbauto::wire::ops::operation_name)
        .unwrap_or_default()
        .to_string();
    s.requests.push(Recorded {
        operation: operation.clone(),
        body: body.clone(),
        headers: req.headers.clone(),
        at: std::time::Instant::now(),
    });
    let position = s
        .faults
        .iter()
        .position(|(op, _)| op.as_ref().is_none_or(|o| *o == operation));
    let fault = match position {
        Some(i) => match &mut s.faults[i].1 {
            Fault::After(0, _) => match s.faults.remove(i) {
                Some((_, Fault::After(_, inner))) => Some(*inner),
                _ => None,
            },
            Fault::After(n, _) => {
                *n -= 1;
                None
            }
            _ => s.faults.remove(i).map(|(_, f)| f),
        },
        None => None,
    };
    let respond = |status: u16,
                   body: String,
                   headers: Vec<(String, String)>,
                   delay: Option<Duration>| HttpReply::Respond {
        status,
        headers,
        body,
        delay,
    };
    let mut delay = None;
    match fault {
        Some(Fault::Status(code)) => {
            return respond(
                code,
                json!({"errors": [{"message": "injected failure"}]}).to_string(),
                vec![],
                None,
            );
        }
        Some(Fault::TooMany { retry_after }) => {
            return respond(
                429,
                json!({"errors": [{"message": "rate limited"}]}).to_string(),
                vec![("Retry-After".into(), retry_after.to_string())],
                None,
            );
        }
        Some(Fault::MalformedJson) => {
            return respond(200, "{\"data\": {\"scope\": [".into(), vec![], None);
        }
        Some(Fault::Drop) => return HttpReply::Drop,
        Some(Fault::Latency(d)) => delay = Some(d),
        Some(Fault::After(..)) | None => {}
    }
    if req.target != "POST /graphql" {
        return respond(
            404,
            json!({"errors": [{"message": "not found"}]}).to_string(),
            vec![],
            None,
        );
    }
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("api:{}", s.api_key))
    );
    if req.header("authorization") != Some(expected.as_str()) {
        return respond(
            401,
            json!({"errors": [{"message": "user is not logged in"}]}).to_string(),
            vec![],
            None,
        );
    }
    let (status, out) = s.graphql(&body);
    let delay = delay.or_else(|| s.history_page_delay(&operation, &body));
    let out = out.to_string();
    let is_query = body
        .get("query")
        .and_then(Value::as_str)
        .is_some_and(|q| !q.trim_start().starts_with("mutation"));
    if let Some(memory) = s.memory.as_mut().filter(|_| status == 200 && is_query) {
        memory.insert(req.body, (expected, out.clone()));
    }
    respond(status, out, vec![], delay)
}

impl FakeWandb {
    /// Starts a server with `state` on `port` (0 = any free port).
    pub async fn start_on(port: u16, state: State) -> std::io::Result<FakeWandb> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(state));
        let shared = state.clone();
        let task = tokio::spawn(http::serve(listener, move |req| handle(&shared, req)));
        Ok(FakeWandb { url, state, task })
    }

    /// Starts an empty server on a free port.
    pub async fn start(state: State) -> FakeWandb {
        Self::start_on(0, state).await.expect("bind 127.0.0.1")
    }

    /// Starts a server seeded like the local backend's demo team, on `port` (0 = any).
    pub async fn demo_on(port: u16) -> Result<FakeWandb, String> {
        let demo = Demo::load().map_err(|e| e.to_string())?;
        let mut s = State::new(API_KEY);
        s.viewer_entity = demo.default_entity.clone();
        for e in &demo.entities {
            s.add_entity(&e.name, &e.kind);
        }
        for e in &demo.entities {
            if let Some(org) = &e.org {
                let org_name = demo
                    .entities
                    .iter()
                    .find(|o| &o.name == org)
                    .and_then(|o| o.org_name.clone())
                    .unwrap_or_else(|| org.clone());
                s.join_org(&e.name, org, &org_name);
            }
        }
        for p in &demo.projects {
            let (entity, name) = p.split_once('/').ok_or("bad project")?;
            s.add_project(entity, name);
        }
        for c in &demo.collections {
            let parts: Vec<&str> = c.path.splitn(3, '/').collect();
            let project = s
                .projects
                .iter()
                .find(|p| p.entity == parts[0] && p.name == parts[1])
                .ok_or("bad collection")?
                .id
                .clone();
            s.add_collection(&project, parts[2], c.portfolio, &c.artifact_type);
        }
        for i in &demo.integrations {
            let kind = match (&i.slack, &i.webhook) {
                (Some(channel), _) => IntegrationKind::Slack {
                    team_name: i.team.clone().unwrap_or_default(),
                    channel: channel.clone(),
                    webhook_url: None,
                },
                (_, Some(name)) => IntegrationKind::Webhook {
                    name: name.clone(),
                    url: i.url.clone().unwrap_or_default(),
                    secret_ref: i.secret_ref.clone(),
                    access_token_ref: i.access_token_ref.clone(),
                },
                _ => return Err("bad integration".into()),
            };
            s.add_integration(&i.entity, kind);
        }
        let fake = Self::start_on(port, s).await.map_err(|e| e.to_string())?;
        demo.create_automations(&fake.backend())
            .await
            .map_err(|e| e.to_string())?;
        for l in &demo.legacy {
            let (entity, project) = l.scope.split_once('/').ok_or("bad legacy scope")?;
            let mut s = fake.state();
            let scope_id = s
                .projects
                .iter()
                .find(|p| p.entity == entity && p.name == project)
                .ok_or("bad legacy scope")?
                .id
                .clone();
            let config: Value =
                serde_json::from_str(&l.action_config).map_err(|e| e.to_string())?;
            s.insert_raw(&json!({"name": l.name, "description": l.description, "enabled": true, "scopeType": "PROJECT", "scopeID": scope_id,
                "triggeringEventType": l.event_type, "eventFilter": l.event_filter, "triggeredActionType": l.action_type, "triggeredActionConfig": config}));
        }
        fake.state().runs = runs::demo_runs();
        fake.state().seed_history();
        fake.state().requests.clear();
        Ok(fake)
    }

    /// Starts a demo server on a free port.
    pub async fn demo() -> FakeWandb {
        Self::demo_on(0).await.expect("the demo fake starts")
    }

    /// The server's state, to inspect or change.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("fake state")
    }

    /// A W&B backend talking to this server with the test retry policy.
    pub fn backend(&self) -> WandbBackend {
        self.backend_with(fast_policy())
    }

    /// A W&B backend talking to this server with a given retry policy.
    pub fn backend_with(&self, policy: RetryPolicy) -> WandbBackend {
        let client = Client::new(
            &self.url,
            &ApiKey::new(API_KEY),
            policy,
            &Default::default(),
        )
        .expect("client");
        WandbBackend::new(client)
    }

    /// Turns a feature flag on or off.
    pub fn set_feature(&self, name: &str, on: bool) {
        self.state().features.insert(name.to_string(), on);
    }

    /// Injects a fault into the next request (of `operation`, if given).
    pub fn fault(&self, operation: Option<&str>, fault: Fault) {
        self.state()
            .faults
            .push_back((operation.map(str::to_string), fault));
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state().requests.clone()
    }

    /// The operations received so far that would change something (create, update, delete).
    pub fn mutations(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .map(|r| r.operation)
            .filter(|o| {
                ["Create", "Update", "Delete"]
                    .iter()
                    .any(|verb| o.starts_with(verb))
            })
            .collect()
    }

    /// The `variables` of every request of one operation.
    pub fn variables_of(&self, operation: &str) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| r.operation == operation)
            .map(|r| r.body["variables"].clone())
            .collect()
    }
}
