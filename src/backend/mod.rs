//! One async trait, [`Backend`], with the W&B and local implementations behind it.

pub mod local;
pub mod resolve;
pub mod wandb;

use crate::model::history::{History, HistoryQuery};
use crate::model::validate::one_line;
use crate::model::{Automation, Capabilities, Integration, Problem, ScopePath};
use async_trait::async_trait;
use std::fmt;

/// Why a backend call failed; every variant's text says what happened and what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The automation, scope or integration does not exist (any more).
    #[error("{0}")]
    NotFound(String),
    /// A name is taken, or the automation changed since it was read.
    #[error("{0}")]
    Conflict(String),
    /// The request is not valid; each problem names its field.
    #[error("{}", one_line(.0))]
    Invalid(Vec<Problem>),
    /// The backend does not offer this (e.g. a feature the server lacks).
    #[error("{0}")]
    Unsupported(String),
    /// Credentials are missing or were refused.
    #[error("{0}")]
    Auth(String),
    /// The server could not be reached or did not answer in time.
    #[error("{0}")]
    Network(String),
    /// The server answered with an error or with data that makes no sense.
    #[error("{0}")]
    Server(String),
    /// The local database could not be read or written.
    #[error("{0}")]
    Storage(String),
    /// The server keeps no automation history that its API can read (a W&B server older than
    /// `triggerExecutions`): said once, never retried, every other call unaffected.
    #[error("{0}")]
    NoHistory(String),
}

/// A batch that stopped: what was created before the failure, and the failure.
#[derive(Debug)]
pub struct BatchError {
    /// Created before it failed (empty where the batch is all or nothing).
    pub(crate) done: Vec<SavedAutomation>,
    /// The index of the automation that failed.
    pub(crate) index: usize,
    /// Why.
    pub(crate) error: BackendError,
}

/// `Ok` when there are no problems, else [`BackendError::Invalid`] with all of them.
pub(crate) fn ensure_valid(problems: Vec<Problem>) -> Result<(), BackendError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(BackendError::Invalid(problems))
    }
}

/// Which backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    /// The embedded SQLite backend.
    Local,
    /// W&B's GraphQL API.
    Wandb,
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BackendKind::Local => "local",
            BackendKind::Wandb => "wandb",
        })
    }
}

/// Which backend is in use and where it points, for headers and `doctor`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendInfo {
    /// The kind.
    pub kind: BackendKind,
    /// The database file or the base URL.
    pub endpoint: String,
}

/// A saved automation with the trigger JSON it was read from (for the Wire view).
#[derive(Clone, Debug, PartialEq)]
pub struct SavedAutomation {
    /// The parsed automation.
    pub automation: Automation,
    /// The trigger JSON as stored, compact, where the listing carries it (W&B); `None` where the
    /// backend renders it only when asked ([`Backend::trigger_wire`], the local database).
    pub wire: Option<String>,
}

/// A saved automation that could not be read, kept so the rest of a listing still shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// Its id, if that much could be read.
    pub(crate) id: Option<String>,
    /// Its name, if that much could be read.
    pub name: Option<String>,
    /// What was wrong.
    pub reason: String,
    /// The JSON as received.
    pub(crate) wire: String,
}

/// An entity's automations.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listing {
    /// Everything that parsed.
    pub automations: Vec<SavedAutomation>,
    /// Everything that did not.
    pub unreadable: Vec<Unreadable>,
}

/// A project (or a registry's project) of an entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectInfo {
    /// W&B's id (the `scopeID` of a PROJECT scope).
    pub(crate) id: String,
    /// Owning entity.
    pub entity: String,
    /// Project name (`wandb-registry-NAME` for a registry).
    pub name: String,
}

/// An artifact collection of a project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionInfo {
    /// W&B's id (the `scopeID` of an ARTIFACT_COLLECTION scope).
    pub(crate) id: String,
    /// Collection name.
    pub name: String,
    /// Whether it is a portfolio (linked versions, e.g. a registry collection).
    pub portfolio: bool,
    /// The artifact type, e.g. `model`.
    pub(crate) artifact_type: String,
}

/// The kind of an entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntityKind {
    /// A personal entity.
    User,
    /// A team.
    Team,
    /// An organisation's entity (owns registries).
    Organization,
}

impl EntityKind {
    /// The wire `entityType`.
    pub(crate) fn wire_name(self) -> &'static str {
        match self {
            EntityKind::User => "user",
            EntityKind::Team => "team",
            EntityKind::Organization => "organization",
        }
    }

    /// Parses the wire `entityType`.
    pub(crate) fn parse(s: &str) -> Option<EntityKind> {
        [EntityKind::User, EntityKind::Team, EntityKind::Organization]
            .into_iter()
            .find(|k| k.wire_name() == s)
    }
}

/// An entity (user, team or organisation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityInfo {
    /// W&B's id (the `scopeID` of an ENTITY scope).
    pub(crate) id: String,
    /// Name.
    pub(crate) name: String,
    /// Kind.
    pub(crate) kind: EntityKind,
}

/// A new webhook integration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWebhook {
    /// Name (≤ 64 characters, words of letters, digits, `_`, `-`).
    pub name: String,
    /// Where to POST.
    pub url: String,
    /// Team secret used to sign requests.
    pub secret_ref: Option<String>,
    /// Team secret sent as a bearer token.
    pub access_token_ref: Option<String>,
}

/// A new Slack integration (local backend: an incoming webhook).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSlack {
    /// The channel, with its `#`.
    pub(crate) channel: String,
    /// The Slack workspace's name.
    pub(crate) team_name: String,
    /// The incoming-webhook URL.
    pub(crate) webhook_url: String,
}

pub use crate::wire::runs::RunInfo;

/// The most steps of one run's history read (the most recent ones): 2 M values of one metric.
pub(crate) const MAX_HISTORY_STEPS: i64 = 2_000_000;

/// One metric of one run, as logged.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunSeries {
    /// (step, Unix seconds if logged, value), by step.
    pub points: Vec<(i64, Option<i64>, f64)>,
    /// What the reader should know (history cut to the most recent steps, exported history).
    pub notes: Vec<String>,
}

/// Where a history still being read is reported: the query's selection of what is read so far.
pub type SoFar<'a> = &'a (dyn Fn(History) + Send + Sync);

/// A store of automations: W&B or the local database. The UI and CLI never know which.
#[async_trait]
pub trait Backend: Send + Sync {
    /// Which backend and where it points.
    fn info(&self) -> BackendInfo;

    /// What this backend accepts.
    async fn capabilities(&self) -> Result<Capabilities, BackendError>;

    /// The entity used when none is given.
    async fn default_entity(&self) -> Result<String, BackendError>;

    /// The entities the user can work in, by name (on W&B: their own and their teams').
    async fn entities(&self) -> Result<Vec<String>, BackendError> {
        Ok(vec![self.default_entity().await?])
    }

    /// Every automation of an entity (its projects, collections and itself).
    async fn list_automations(&self, entity: &str) -> Result<Listing, BackendError>;

    /// The first `n` automations of an entity by name, where the backend gives them much sooner
    /// than the whole listing (the local database), so a first page can be drawn at once;
    /// `None` where it cannot.
    async fn first_automations(
        &self,
        _entity: &str,
        _n: usize,
    ) -> Result<Option<Listing>, BackendError> {
        Ok(None)
    }

    /// Creates a resolved, validated automation.
    async fn create_automation(
        &self,
        automation: &Automation,
    ) -> Result<SavedAutomation, BackendError>;

    /// Creates several resolved, validated automations. Where the backend has transactions (the
    /// local one) it is all or nothing; elsewhere (W&B) they are created in order and a failure
    /// says which were created before it.
    async fn create_automations(
        &self,
        automations: &[Automation],
    ) -> Result<Vec<SavedAutomation>, BatchError> {
        let mut done = Vec::with_capacity(automations.len());
        for (index, a) in automations.iter().enumerate() {
            match self.create_automation(a).await {
                Ok(saved) => done.push(saved),
                Err(error) => return Err(BatchError { done, index, error }),
            }
        }
        Ok(done)
    }

    /// Replaces a saved automation (by its id) with this one; `updated_at` is the one read.
    async fn update_automation(
        &self,
        automation: &Automation,
    ) -> Result<SavedAutomation, BackendError>;

    /// Deletes an automation by id.
    async fn delete_automation(&self, id: &str) -> Result<(), BackendError>;

    /// The trigger JSON of one automation, compact, for a listing that left it out.
    async fn trigger_wire(&self, id: &str) -> Result<String, BackendError> {
        Err(BackendError::NotFound(format!(
            "the listing carried no stored JSON for {id}; ctrl-r reloads it"
        )))
    }

    /// The newest runs of a project, newest first, at most `last` (W&B's runs; the local
    /// database's recorded ones). A project that does not exist is [`BackendError::NotFound`].
    async fn list_runs(
        &self,
        entity: &str,
        project: &str,
        last: usize,
    ) -> Result<Vec<RunInfo>, BackendError>;

    /// One run by its id, `None` when the project has no such run.
    async fn run_info(
        &self,
        entity: &str,
        project: &str,
        run: &str,
    ) -> Result<Option<RunInfo>, BackendError>;

    /// Every logged value of `metric` on a run, by step, nothing down-sampled (bounded by
    /// [`MAX_HISTORY_STEPS`]); none when the run logged none or does not exist.
    async fn run_history(
        &self,
        entity: &str,
        project: &str,
        run: &str,
        metric: &str,
    ) -> Result<RunSeries, BackendError>;

    /// The executions a query selects from what the backend recorded, newest first.
    async fn automation_history(&self, _query: &HistoryQuery) -> Result<History, BackendError> {
        Err(BackendError::Unsupported(format!(
            "the {} backend keeps no automation history",
            self.info().kind
        )))
    }

    /// The same answer, telling `so_far` the query's selection of what has been read while a
    /// long history is still being read (W&B's pages); a backend that answers at once tells it
    /// nothing.
    async fn automation_history_reading(
        &self,
        query: &HistoryQuery,
        _so_far: SoFar<'_>,
    ) -> Result<History, BackendError> {
        self.automation_history(query).await
    }

    /// An entity's Slack and webhook integrations.
    async fn list_integrations(&self, entity: &str) -> Result<Vec<Integration>, BackendError>;

    /// Adds a webhook integration to an entity.
    async fn create_webhook_integration(
        &self,
        entity: &str,
        new: &NewWebhook,
    ) -> Result<Integration, BackendError>;

    /// Adds a Slack integration to an entity (local backend only).
    async fn create_slack_integration(
        &self,
        entity: &str,
        new: &NewSlack,
    ) -> Result<Integration, BackendError>;

    /// An entity's projects, by name.
    async fn list_projects(&self, entity: &str) -> Result<Vec<ProjectInfo>, BackendError>;

    /// The registries of the organisation that `entity` is or belongs to, as the org entity's
    /// `wandb-registry-*` projects.
    async fn list_registries(&self, entity: &str) -> Result<Vec<ProjectInfo>, BackendError>;

    /// A project's artifact collections, by name.
    async fn list_collections(
        &self,
        entity: &str,
        project: &str,
    ) -> Result<Vec<CollectionInfo>, BackendError>;

    /// An entity by name, if it exists.
    async fn entity(&self, name: &str) -> Result<Option<EntityInfo>, BackendError>;

    /// One project by name, if it exists.
    async fn project(&self, entity: &str, name: &str) -> Result<Option<ProjectInfo>, BackendError> {
        Ok(self
            .list_projects(entity)
            .await?
            .into_iter()
            .find(|p| p.name == name))
    }

    /// W&B's id for a scope path; the error names the missing part.
    async fn resolve_scope(&self, path: &ScopePath) -> Result<String, BackendError> {
        resolve::scope_id(self, path).await
    }
}
