//! What every command needs: the backend, the entity, and whether writes are allowed.

use super::{BackendChoice, Cli, CliError, failure};
use crate::backend::Backend;
use crate::backend::local::LocalBackend;
use crate::backend::wandb::WandbBackend;
use crate::backend::wandb::client::{Client, RetryPolicy};
use crate::config;
use crate::config::file::ConfigFile;
use crate::config::wandb::{Environment, Sourced, WandbSettings, check_base_url, discover};
use crate::model::Capabilities;
use std::path::PathBuf;

/// An opened backend and the entity commands work in.
pub(crate) struct Context {
    /// The backend.
    pub(crate) backend: Box<dyn Backend>,
    /// The entity whose automations are listed and where integrations are looked up.
    pub(crate) entity: String,
    /// Whether writes are refused.
    pub(crate) gate: crate::ops::WriteGate,
    /// The backend's capabilities, asked once.
    pub(crate) capabilities: Capabilities,
    /// `config.toml`, read once (its problems already reported).
    pub(crate) config: ConfigFile,
}

/// Which backend to use and why, before anything is opened.
pub(crate) struct BackendPick {
    /// The backend kind.
    pub(crate) choice: BackendChoice,
    /// Why, in words (for `doctor`).
    pub(crate) reason: String,
    /// The W&B settings (also for the local backend, so `doctor` can show them).
    pub(crate) wandb: WandbSettings,
}

/// `config.toml` for a command: every problem in it is printed on stderr as a warning (file,
/// line, setting, and what is used instead), then the settings are returned.
pub(crate) fn config() -> ConfigFile {
    let (config, warnings) = crate::config::file::load(crate::config::file::path().as_deref());
    for w in warnings {
        eprintln!("warning: {}", super::render::printable(&w.to_string()));
    }
    config
}

/// Decides the backend: `--backend`, else W&B when an API key is found, else local.
pub(crate) fn select(cli: &Cli, env: &Environment) -> BackendPick {
    let wandb = discover(cli.base_url.as_deref(), cli.entity.as_deref(), env);
    let (choice, reason) = match (cli.backend, &wandb.api_key) {
        (Some(BackendChoice::Local), _) => (BackendChoice::Local, "--backend local".to_string()),
        (Some(BackendChoice::Wandb), _) => (BackendChoice::Wandb, "--backend wandb".to_string()),
        (None, Some(key)) => (
            BackendChoice::Wandb,
            format!("a W&B API key was found in {}", key.source),
        ),
        (None, None) => (
            BackendChoice::Local,
            format!(
                "no W&B API key was found (looked in {})",
                wandb.key_searched.join(", ")
            ),
        ),
    };
    BackendPick {
        choice,
        reason,
        wandb,
    }
}

/// The local database path for the command line's settings.
pub(crate) fn local_db_path(cli: &Cli) -> Result<PathBuf, CliError> {
    let dir = config::data_dir(cli.data_dir.clone()).map_err(failure)?;
    crate::fsutil::create_private_dir(&dir).map_err(|e| {
        failure(format!(
            "cannot create the data directory {}: {e}",
            dir.display()
        ))
    })?;
    Ok(dir.join(config::DB_FILE))
}

/// Opens the selected backend.
pub(crate) async fn open_backend(
    cli: &Cli,
    selection: &BackendPick,
    env: &Environment,
) -> Result<Box<dyn Backend>, CliError> {
    Ok(match selection.choice {
        BackendChoice::Local => Box::new(LocalBackend::open(&local_db_path(cli)?).await?),
        BackendChoice::Wandb => {
            let settings = &selection.wandb;
            check_base_url(&settings.base_url.value)
                .map_err(|e| failure(format!("{e} (from {})", settings.base_url.source)))?;
            let Some(Sourced { value: key, .. }) = &settings.api_key else {
                return Err(failure(format!(
                    "no W&B API key for {}: set WANDB_API_KEY, run `wandb login`, or add a ~/.netrc entry (looked in {})",
                    settings.base_url.value,
                    settings.key_searched.join(", ")
                )));
            };
            let client = Client::new(
                &settings.base_url.value,
                key,
                RetryPolicy::from_env(&env.vars),
                &env.vars,
            )?;
            Box::new(WandbBackend::new(client))
        }
    })
}

/// The entity to work in: `--entity`, then (W&B) `WANDB_ENTITY` or the settings files, then the
/// config file's `default_entity`, then the backend's default.
pub(crate) async fn entity_for(
    cli: &Cli,
    selection: &BackendPick,
    config: &ConfigFile,
    backend: &dyn Backend,
) -> Result<String, CliError> {
    match known_entity(cli, selection, config) {
        Some(e) => Ok(e.value),
        None => Ok(backend.default_entity().await?),
    }
}

/// The entity given by flag, environment, settings or config, without asking the backend, and
/// where it came from.
pub(crate) fn known_entity(
    cli: &Cli,
    selection: &BackendPick,
    config: &ConfigFile,
) -> Option<Sourced<String>> {
    let from = |value: &String, source: &str| {
        Some(Sourced {
            value: value.clone(),
            source: source.to_string(),
        })
    };
    match (
        &cli.entity,
        selection.choice,
        &selection.wandb.entity,
        &config.default_entity,
    ) {
        (Some(e), _, _, _) => from(e, "--entity"),
        (None, BackendChoice::Wandb, Some(e), _) => Some(e.clone()),
        (None, _, _, Some(e)) => from(e, "default_entity in config.toml"),
        _ => None,
    }
}

impl Context {
    /// Opens the backend the command line asks for and settles the entity.
    pub(crate) async fn open(cli: &Cli) -> Result<Self, CliError> {
        let env = Environment::current();
        let selection = select(cli, &env);
        let config = config();
        let backend = open_backend(cli, &selection, &env).await?;
        let given = known_entity(cli, &selection, &config).is_some();
        let entity = entity_for(cli, &selection, &config, backend.as_ref()).await?;
        // A given entity is checked beside the capabilities request, so it costs no waiting.
        let (capabilities, found) = tokio::join!(backend.capabilities(), async {
            match given {
                true => backend.entity(&entity).await.map(|e| e.is_some()),
                false => Ok(true),
            }
        });
        if !found? {
            return Err(crate::ops::no_entity(backend.as_ref(), &entity)
                .await
                .into());
        }
        let capabilities = capabilities?;
        Ok(Self {
            backend,
            entity,
            gate: crate::ops::WriteGate::new(cli.read_only.then(|| "--read-only".to_string())),
            capabilities,
            config,
        })
    }

    /// Fails if writes are not allowed, naming what would have changed.
    pub(crate) fn check_writable(&self, what: &str) -> Result<(), CliError> {
        self.gate.check(what).map_err(failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn env(vars: &[(&str, &str)]) -> Environment {
        let home = std::env::temp_dir().join("wbauto-no-home");
        Environment {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            home: Some(home.clone()),
            cwd: home,
        }
    }

    #[test]
    fn a_found_key_selects_wandb_unless_told_otherwise() {
        let plain = Cli::parse_from(["wbauto"]);
        let s = select(&plain, &env(&[("WANDB_API_KEY", "k")]));
        assert_eq!(
            (s.choice, s.reason.as_str()),
            (
                BackendChoice::Wandb,
                "a W&B API key was found in WANDB_API_KEY"
            )
        );
        let s = select(&plain, &env(&[]));
        assert_eq!(s.choice, BackendChoice::Local);
        assert!(
            s.reason
                .starts_with("no W&B API key was found (looked in WANDB_API_KEY"),
            "{}",
            s.reason
        );
        let forced = Cli::parse_from(["wbauto", "--backend", "local"]);
        assert_eq!(
            select(&forced, &env(&[("WANDB_API_KEY", "k")])).choice,
            BackendChoice::Local
        );
    }
}
