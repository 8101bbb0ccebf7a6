//! The embedded local backend: an SQLite file in the user's data directory, seeded with a demo team.

mod demo_runs;
mod runs;
pub(crate) mod schema;
pub(crate) mod seed;
pub(crate) mod store;

use super::{
    Backend, BackendError, BackendInfo, BackendKind, CollectionInfo, EntityInfo, Listing, NewSlack,
    NewWebhook, ProjectInfo, RunInfo, RunSeries, SavedAutomation,
};
use crate::model::history::{History, HistoryQuery};
use crate::model::integration::{validate_slack, validate_webhook};
use crate::model::{Automation, Capabilities, Integration, IntegrationKind, Problem};
use crate::wire::encode::{create_input, update_input};
use async_trait::async_trait;
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The local backend. Cheap to share: the connection lives behind an `Arc`.
pub struct LocalBackend {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
    /// The file opened (device, inode, birth time), to notice it being removed or replaced.
    identity: Option<(u64, u64, Option<std::time::SystemTime>)>,
}

fn identity(path: &Path) -> Option<(u64, u64, Option<std::time::SystemTime>)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.dev(), m.ino(), m.created().ok()))
}

fn invalid(message: impl Into<String>) -> BackendError {
    BackendError::Invalid(vec![Problem::new("", message)])
}

impl LocalBackend {
    /// Opens the database at `path`, creating and seeding it with the demo team on first use.
    ///
    /// A new database is seeded in a temporary file next to it and moved into place only when
    /// complete, so an interrupted first start leaves nothing half-written.
    pub async fn open(path: &Path) -> Result<Self, BackendError> {
        if !path.exists() {
            seed::create_seeded(path).await?;
        }
        let backend = Self::open_unseeded(path)?;
        if backend
            .run(
                |conn| Ok(store::meta(conn, "default_entity")?.is_none() && store::is_empty(conn)?),
            )
            .await?
        {
            // The schema without the demo: a file truncated to 0 bytes, or made by hand.
            tracing::warn!(path = %path.display(), "the local database had no data; seeding the demo team");
            eprintln!(
                "note: the local database {} had no data (empty or truncated); it now holds the demo team again",
                path.display()
            );
            backend.close()?;
            seed::reseed(path).await?;
            return Self::open_unseeded(path);
        }
        Ok(backend)
    }

    /// Opens (creating an empty schema if needed) without seeding.
    pub(crate) fn open_unseeded(path: &Path) -> Result<Self, BackendError> {
        let (conn, _) = schema::open(path)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            path: path.to_path_buf(),
            identity: identity(path),
        })
    }

    /// The connection, shared with the local engine (which keeps its own tables in this file).
    pub fn connection(&self) -> Arc<Mutex<Connection>> {
        self.conn.clone()
    }

    /// Closes the connection, checkpointing the write-ahead log into the file.
    pub(crate) fn close(self) -> Result<(), BackendError> {
        let conn = Arc::try_unwrap(self.conn)
            .map_err(|_| BackendError::Storage("the database is still in use".into()))?
            .into_inner()
            .map_err(|_| BackendError::Storage("the database connection was poisoned".into()))?;
        conn.close()
            .map_err(|(_, e)| schema::storage_error(&self.path, e))
    }

    /// Refuses to write when the file opened was removed or replaced (the write would be lost).
    fn same_file(&self) -> Result<(), BackendError> {
        if identity(&self.path) != self.identity {
            return Err(BackendError::Storage(format!(
                "the database file {} was removed or replaced since wbauto opened it; nothing was saved. Restart wbauto to use the file that is there now",
                self.path.display()
            )));
        }
        Ok(())
    }

    /// Runs `f` with the connection on a blocking thread.
    async fn run<T, F>(&self, f: F) -> Result<T, BackendError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, BackendError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| {
                BackendError::Storage(
                    "the database connection was poisoned by an earlier failure; restart wbauto"
                        .into(),
                )
            })?;
            f(&mut guard)
        })
        .await
        .map_err(|e| BackendError::Storage(format!("a database task failed: {e}")))?
    }

    /// Runs `f` inside a write transaction (taken at once, so concurrent writers queue).
    async fn write<T, F>(&self, f: F) -> Result<T, BackendError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, BackendError> + Send + 'static,
    {
        self.same_file()?;
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    /// Runs seeding steps in one write transaction (used by [`seed`]).
    pub(crate) async fn write_raw<T, F>(&self, f: F) -> Result<T, BackendError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, BackendError> + Send + 'static,
    {
        self.write(f).await
    }

    async fn save(
        &self,
        input: serde_json::Value,
        expected: Option<store::Precondition>,
    ) -> Result<SavedAutomation, BackendError> {
        self.same_file()?;
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let id = match &expected {
                None => store::insert(&tx, &input)?,
                Some(precondition) => store::update(&tx, &input, precondition)?,
            };
            tx.commit()?;
            store::get(conn, &id)?.ok_or_else(|| {
                BackendError::Storage(format!("automation {id} vanished right after it was saved"))
            })
        })
        .await
    }
}

#[async_trait]
impl Backend for LocalBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: BackendKind::Local,
            endpoint: self.path.display().to_string(),
        }
    }

    async fn capabilities(&self) -> Result<Capabilities, BackendError> {
        Ok(Capabilities::everything())
    }

    async fn default_entity(&self) -> Result<String, BackendError> {
        self.run(|conn| {
            store::meta(conn, "default_entity")?.ok_or_else(|| {
                BackendError::NotFound(
                    "the local database has no default entity; pass --entity".into(),
                )
            })
        })
        .await
    }

    async fn first_automations(
        &self,
        entity: &str,
        n: usize,
    ) -> Result<Option<Listing>, BackendError> {
        let entity = entity.to_string();
        self.run(move |conn| store::first_by_name(conn, &entity, n).map(Some))
            .await
    }

    async fn entities(&self) -> Result<Vec<String>, BackendError> {
        self.run(|conn| store::entity_names(conn)).await
    }

    async fn list_automations(&self, entity: &str) -> Result<Listing, BackendError> {
        let entity = entity.to_string();
        self.run(move |conn| {
            if store::entity(conn, &entity)?.is_none() {
                return Err(BackendError::NotFound(format!(
                    "there is no entity named {entity} in the local database"
                )));
            }
            store::list(conn, &entity)
        })
        .await
    }

    async fn create_automation(
        &self,
        automation: &Automation,
    ) -> Result<SavedAutomation, BackendError> {
        super::resolve::check(self, automation).await?;
        let input = create_input(automation).map_err(|e| invalid(e.0))?;
        self.save(input, None).await
    }

    async fn create_automations(
        &self,
        automations: &[Automation],
    ) -> Result<Vec<SavedAutomation>, super::BatchError> {
        let fail = |index, error| super::BatchError {
            done: Vec::new(),
            index,
            error,
        };
        let mut inputs = Vec::with_capacity(automations.len());
        for (i, a) in automations.iter().enumerate() {
            super::resolve::check(self, a)
                .await
                .map_err(|e| fail(i, e))?;
            inputs.push(create_input(a).map_err(|e| fail(i, invalid(e.0)))?);
        }
        self.same_file().map_err(|e| fail(0, e))?;
        // One transaction: every name and reference is checked against the database and the
        // automations before it; the first problem rolls all of it back.
        self.run(move |conn| Ok(insert_all(conn, &inputs)))
            .await
            .map_err(|e| fail(0, e))?
            .map_err(|(i, e): (usize, BackendError)| fail(i, e))
    }

    async fn update_automation(
        &self,
        automation: &Automation,
    ) -> Result<SavedAutomation, BackendError> {
        super::resolve::check(self, automation).await?;
        let input = update_input(automation).map_err(|e| invalid(e.0))?;
        let precondition = if automation.is_unread() {
            store::Precondition::Unread
        } else {
            store::Precondition::Unchanged(automation.updated_at.clone())
        };
        self.save(input, Some(precondition)).await
    }

    async fn trigger_wire(&self, id: &str) -> Result<String, BackendError> {
        let id = id.to_string();
        self.run(move |conn| store::wire(conn, &id)).await
    }

    async fn delete_automation(&self, id: &str) -> Result<(), BackendError> {
        let id = id.to_string();
        self.write(move |conn| store::delete(conn, &id)).await
    }

    async fn list_runs(
        &self,
        entity: &str,
        project: &str,
        last: usize,
    ) -> Result<Vec<RunInfo>, BackendError> {
        let (entity, project) = (entity.to_string(), project.to_string());
        self.run(move |conn| runs::newest(conn, &entity, &project, last))
            .await
    }

    async fn run_info(
        &self,
        entity: &str,
        project: &str,
        run: &str,
    ) -> Result<Option<RunInfo>, BackendError> {
        let (entity, project, run) = (entity.to_string(), project.to_string(), run.to_string());
        self.run(move |conn| runs::one(conn, &entity, &project, &run))
            .await
    }

    async fn run_history(
        &self,
        entity: &str,
        project: &str,
        run: &str,
        metric: &str,
    ) -> Result<RunSeries, BackendError> {
        let args = [entity, project, run, metric].map(str::to_string);
        self.run(move |conn| {
            let [entity, project, run, metric] = &args;
            runs::history(conn, entity, project, run, metric)
        })
        .await
    }

    async fn automation_history(&self, query: &HistoryQuery) -> Result<History, BackendError> {
        let query = query.clone();
        self.run(move |conn| crate::engine::history::select(conn, &query))
            .await
    }

    async fn list_integrations(&self, entity: &str) -> Result<Vec<Integration>, BackendError> {
        let entity = entity.to_string();
        self.run(move |conn| store::integrations(conn, &entity))
            .await
    }

    async fn create_webhook_integration(
        &self,
        entity: &str,
        new: &NewWebhook,
    ) -> Result<Integration, BackendError> {
        super::ensure_valid(validate_webhook(&new.name, &new.url))?;
        let kind = IntegrationKind::Webhook {
            name: new.name.clone(),
            url: new.url.clone(),
            secret_ref: new.secret_ref.clone(),
            access_token_ref: new.access_token_ref.clone(),
        };
        let entity = entity.to_string();
        self.write(move |conn| store::insert_integration(conn, &entity, &kind))
            .await
    }

    async fn create_slack_integration(
        &self,
        entity: &str,
        new: &NewSlack,
    ) -> Result<Integration, BackendError> {
        super::ensure_valid(validate_slack(&new.channel, &new.webhook_url))?;
        let channel = format!("#{}", new.channel.trim_start_matches('#'));
        let kind = IntegrationKind::Slack {
            team_name: new.team_name.clone(),
            channel,
            webhook_url: Some(new.webhook_url.clone()),
        };
        let entity = entity.to_string();
        self.write(move |conn| store::insert_integration(conn, &entity, &kind))
            .await
    }

    async fn list_projects(&self, entity: &str) -> Result<Vec<ProjectInfo>, BackendError> {
        let entity = entity.to_string();
        self.run(move |conn| store::projects(conn, &entity)).await
    }

    async fn list_registries(&self, entity: &str) -> Result<Vec<ProjectInfo>, BackendError> {
        let entity = entity.to_string();
        self.run(move |conn| store::registries(conn, &entity)).await
    }

    async fn list_collections(
        &self,
        entity: &str,
        project: &str,
    ) -> Result<Vec<CollectionInfo>, BackendError> {
        let (entity, project) = (entity.to_string(), project.to_string());
        self.run(move |conn| store::collections(conn, &entity, &project))
            .await
    }

    async fn entity(&self, name: &str) -> Result<Option<EntityInfo>, BackendError> {
        let name = name.to_string();
        self.run(move |conn| store::entity(conn, &name)).await
    }
}

/// Inserts every input in one transaction; the first failure (with its index) rolls all back.
fn insert_all(
    conn: &mut Connection,
    inputs: &[serde_json::Value],
) -> Result<Vec<SavedAutomation>, (usize, BackendError)> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| (0, BackendError::from(e)))?;
    let mut ids = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        ids.push(store::insert(&tx, input).map_err(|e| (i, e))?);
    }
    tx.commit().map_err(|e| (0, BackendError::from(e)))?;
    let mut saved = Vec::with_capacity(ids.len());
    for id in ids {
        saved.push(store::get(conn, &id).map_err(|e| (0, e))?.ok_or_else(|| {
            (
                0,
                BackendError::Storage(format!("automation {id} vanished right after it was saved")),
            )
        })?);
    }
    Ok(saved)
}
