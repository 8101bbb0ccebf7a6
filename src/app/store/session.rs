//! What the dashboard is connected to: the backends on offer, the one in use, the entity, what
//! it accepts, the write gate, and the request ids (an answer to anything but the newest request
//! of its kind is dropped, so the last thing asked for wins).

use super::requests::Requests;
use crate::backend::BackendInfo;
use crate::model::Capabilities;
use crate::ops::WriteGate;

/// A backend the dashboard can switch to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendOffer {
    /// Which and where.
    pub info: BackendInfo,
    /// Its default entity, if known.
    pub entity: Option<String>,
}

/// Kinds of request whose newest answer alone counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RequestKind {
    /// The automation list.
    List,
    /// The integrations screen.
    Integrations,
    /// A switch of entity or backend.
    Switch,
    /// The local engine's activity.
    Activity,
    /// Executions for the history.
    History,
    /// The runs the engine follows.
    Runs,
    /// The runs a backtest offers.
    BacktestRuns,
    /// One run judged by a backtest.
    BacktestJudge,
    /// The entities a backend knows.
    Entities,
}

/// The entities one backend knows, as last asked: the backend's index and its answer.
pub(crate) type KnownEntities = (usize, Result<Vec<String>, String>);

/// The session store.
#[derive(Debug)]
pub struct Session {
    backends: Vec<BackendOffer>,
    backend: usize,
    entity: String,
    capabilities: Capabilities,
    gate: WriteGate,
    requests: Requests<RequestKind>,
    /// "local local.db", "wandb https://api.wandb.ai": one per backend, for the header and switch.
    labels: Vec<String>,
    /// The backend answered the first connection (the entity and capabilities are known).
    connected: bool,
    /// The entities a backend knows, once asked (the switch box).
    entities: Option<KnownEntities>,
}

fn label(info: &BackendInfo) -> String {
    let endpoint = match info.kind {
        crate::backend::BackendKind::Local => info.endpoint.rsplit('/').next().unwrap_or_default(),
        _ => &info.endpoint,
    };
    format!("{} {endpoint}", info.kind)
}

impl Session {
    /// A session on `backends[0]` and `entity`.
    pub(crate) fn new(
        backends: Vec<BackendOffer>,
        entity: String,
        capabilities: Capabilities,
    ) -> Self {
        let labels = backends.iter().map(|b| label(&b.info)).collect();
        Self {
            entities: None,
            connected: false,
            labels,
            backends,
            backend: 0,
            entity,
            capabilities,
            gate: WriteGate::default(),
            requests: Requests::default(),
        }
    }

    /// The backends on offer.
    pub(crate) fn backends(&self) -> &[BackendOffer] {
        &self.backends
    }

    /// The index of the backend in use.
    pub fn backend(&self) -> usize {
        self.backend
    }

    /// The kind of the backend in use.
    pub(crate) fn kind(&self) -> crate::backend::BackendKind {
        self.backends
            .get(self.backend)
            .map_or(crate::backend::BackendKind::Local, |b| b.info.kind)
    }

    /// The backend in use as the header shows it, e.g. `local local.db`.
    pub(crate) fn backend_label(&self) -> &str {
        self.labels.get(self.backend).map_or("", String::as_str)
    }

    /// Every backend on offer with its full endpoint, for the switch box.
    pub(crate) fn choices(&self) -> impl Iterator<Item = String> + '_ {
        self.backends
            .iter()
            .map(|b| format!("{} {}", b.info.kind, b.info.endpoint))
    }

    /// The entity shown.
    pub(crate) fn entity(&self) -> &str {
        &self.entity
    }

    /// What the backend in use accepts.
    pub(crate) fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// Whether writes are allowed.
    pub(crate) fn gate(&self) -> &WriteGate {
        &self.gate
    }

    /// Refuses writes from now on, for `reason`.
    pub(crate) fn set_read_only(&mut self, reason: Option<String>) {
        self.gate = WriteGate::new(reason);
    }

    /// Moves to another backend and entity (also the first connection).
    pub(crate) fn switch(&mut self, backend: usize, entity: String, capabilities: Capabilities) {
        self.backend = backend;
        self.entity = entity;
        self.capabilities = capabilities;
        self.connected = true;
    }

    /// The entities a backend knows, once asked.
    pub(crate) fn entities(&self) -> Option<&KnownEntities> {
        self.entities.as_ref()
    }

    /// Keeps the entities backend `backend` knows.
    pub(crate) fn set_entities(&mut self, backend: usize, result: Result<Vec<String>, String>) {
        self.entities = Some((backend, result));
    }

    /// Whether the backend has answered the first connection.
    pub(crate) fn connected(&self) -> bool {
        self.connected
    }

    /// A fresh id for a request its asker keeps to compare (the wizard's).
    pub(crate) fn request_id(&mut self) -> u64 {
        self.requests.fresh()
    }

    /// A fresh id that becomes the newest of its kind.
    pub(crate) fn request(&mut self, kind: RequestKind) -> u64 {
        self.requests.ask(kind)
    }

    /// The newest request of a kind (0 before the first).
    pub fn latest(&self, kind: RequestKind) -> u64 {
        self.requests.newest(kind)
    }

    /// Whether `id` is the newest request of its kind.
    pub(crate) fn is_latest(&self, kind: RequestKind, id: u64) -> bool {
        self.requests.is_newest(kind, id)
    }
}
