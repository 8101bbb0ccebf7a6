//! What every command needs: the backend, the entity, and whether writes are allowed.

use super::{BackendChoice, Cli, CliError, failure};
use crate::backend::Backend;
use crate::backend::local::LocalBackend;
use crate::config;
use crate::model::Capabilities;
use std::path::PathBuf;

/// An opened backend and the entity commands work in.
pub struct Context {
    /// The backend.
    pub backend: Box<dyn Backend>,
    /// The entity whose automations are listed and where integrations are looked up.
    pub entity: String,
    /// Whether writes are refused.
    pub read_only: bool,
    /// The backend's capabilities, asked once.
    pub capabilities: Capabilities,
}

/// The local database path for the command line's settings.
pub fn local_db_path(cli: &Cli) -> Result<PathBuf, CliError> {
    let dir = config::data_dir(cli.data_dir.clone()).map_err(failure)?;
    crate::fsutil::create_private_dir(&dir).map_err(|e| {
        failure(format!(
            "cannot create the data directory {}: {e}",
            dir.display()
        ))
    })?;
    Ok(dir.join(config::DB_FILE))
}

impl Context {
    /// Opens the backend the command line asks for.
    pub async fn open(cli: &Cli) -> Result<Self, CliError> {
        let backend: Box<dyn Backend> = match cli.backend.unwrap_or(BackendChoice::Local) {
            BackendChoice::Local => Box::new(LocalBackend::open(&local_db_path(cli)?).await?),
            BackendChoice::Wandb => {
                return Err(failure(
                    "the W&B backend is not part of this build yet; use --backend local",
                ));
            }
        };
        let entity = match &cli.entity {
            Some(e) => e.clone(),
            None => backend.default_entity().await?,
        };
        let capabilities = backend.capabilities().await?;
        Ok(Self {
            backend,
            entity,
            read_only: cli.read_only,
            capabilities,
        })
    }

    /// Fails if writes are not allowed, naming what would have changed.
    pub fn check_writable(&self, what: &str) -> Result<(), CliError> {
        if self.read_only {
            return Err(failure(format!(
                "read-only mode (--read-only): not {what}; run without --read-only to change things"
            )));
        }
        Ok(())
    }
}
