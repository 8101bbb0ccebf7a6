//! The operations the command line and the dashboard share, one implementation each: the write
//! gate, enabling and disabling, saving (create or update, resolved first), deleting, keeping an
//! automation's identity when a file replaces it, and the wizard's picker options. The CLI calls
//! these and prints; the dashboard's runner calls them and turns the answer into a `Msg`.

use crate::backend::resolve::prepare;
use crate::backend::{Backend, BackendError, SavedAutomation};
use crate::model::{Automation, IntegrationKind};

/// Whether writes are allowed, and the one message that refuses them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteGate {
    reason: Option<String>,
}

impl WriteGate {
    /// A gate that refuses writes when `reason` is given (e.g. `--read-only`).
    pub fn new(reason: Option<String>) -> Self {
        Self { reason }
    }

    /// Why writes are refused, if they are.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// `Err` with the refusal when writes are off; `what` names the change, e.g. "deleting".
    pub fn check(&self, what: &str) -> Result<(), String> {
        match &self.reason {
            Some(reason) => Err(format!(
                "read-only mode ({reason}): not {what}; run without {reason} to change things"
            )),
            None => Ok(()),
        }
    }
}

/// The automation with `enabled` set, or why it cannot be changed.
pub fn with_enabled(a: &Automation, enabled: bool) -> Result<Automation, String> {
    if let Some(reason) = a.read_only_reason() {
        let verb = if enabled { "enabled" } else { "disabled" };
        return Err(format!(
            "{} cannot be {verb}: it is read-only ({reason})",
            a.name
        ));
    }
    let mut changed = a.clone();
    changed.enabled = enabled;
    Ok(changed)
}

/// Stores an already resolved automation in place of the one with its id: a toggle made by
/// [`with_enabled`], or an undo putting back what was read.
pub async fn replace(
    backend: &dyn Backend,
    changed: &Automation,
) -> Result<SavedAutomation, BackendError> {
    backend.update_automation(changed).await
}

/// How [`save`] stores an automation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveMode {
    /// A new automation.
    Create,
    /// Replace the automation of the same id.
    Update,
}

/// Validates and resolves an automation as written (paths and names), then creates or updates it.
pub async fn save(
    backend: &dyn Backend,
    automation: Automation,
    entity: &str,
    mode: SaveMode,
) -> Result<SavedAutomation, BackendError> {
    let resolved = prepare(backend, automation, entity).await?;
    match mode {
        SaveMode::Create => backend.create_automation(&resolved).await,
        SaveMode::Update => backend.update_automation(&resolved).await,
    }
}

/// Deletes an automation by id.
pub async fn delete(backend: &dyn Backend, id: &str) -> Result<(), BackendError> {
    backend.delete_automation(id).await
}

/// A file's automation aimed at an existing one: it takes that one's id and timestamps (so the
/// update is checked against what was read), or says why the existing one cannot be replaced.
pub fn retarget(mut file: Automation, existing: &Automation) -> Result<Automation, String> {
    if let Some(reason) = existing.read_only_reason() {
        return Err(format!("{}: cannot be updated: {reason}", existing.name));
    }
    file.id = existing.id.clone();
    file.updated_at = existing.updated_at.clone();
    file.created_at = existing.created_at.clone();
    Ok(file)
}

/// The automation as it was before it was deleted, ready to be created again (undo).
pub fn recreatable(deleted: &Automation) -> Automation {
    let mut again = deleted.clone();
    again.id = None;
    again.created_at = None;
    again.updated_at = None;
    again
}

/// Projects, registries and integrations of an entity, for the wizard's pickers. Registries are
/// optional (a server without registry search still gets its projects and integrations).
pub async fn picker_options(
    backend: &dyn Backend,
    entity: &str,
) -> Result<crate::wizard::fields::Options, BackendError> {
    let projects = backend.list_projects(entity).await?;
    let registries = backend.list_registries(entity).await.unwrap_or_default();
    let integrations = backend.list_integrations(entity).await?;
    let prefix = crate::model::scope::REGISTRY_PREFIX;
    let labels = |slack: bool| {
        integrations
            .iter()
            .filter(|i| matches!(i.kind, IntegrationKind::Slack { .. }) == slack)
            .filter(|i| slack || matches!(i.kind, IntegrationKind::Webhook { .. }))
            .map(|i| i.label().to_string())
            .collect()
    };
    Ok(crate::wizard::fields::Options {
        projects: projects
            .into_iter()
            .map(|p| p.name)
            .filter(|n| !n.starts_with(prefix))
            .collect(),
        registries: registries
            .into_iter()
            .map(|p| (p.name.trim_start_matches(prefix).to_string(), p.entity))
            .collect(),
        collections: Vec::new(),
        slack: labels(true),
        webhooks: labels(false),
    })
}

/// The names of a project's artifact collections.
pub async fn collection_names(
    backend: &dyn Backend,
    entity: &str,
    project: &str,
) -> Result<Vec<String>, BackendError> {
    Ok(backend
        .list_collections(entity, project)
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect())
}

/// Checks that `entity` exists on `backend` and returns what the backend accepts (switching).
pub async fn open_entity(
    backend: &dyn Backend,
    entity: &str,
) -> Result<crate::model::Capabilities, BackendError> {
    match backend.entity(entity).await? {
        Some(_) => backend.capabilities().await,
        None => Err(BackendError::NotFound(format!(
            "there is no entity named {entity}"
        ))),
    }
}
