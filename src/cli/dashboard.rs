//! `wbauto` with no subcommand: the dashboard (or, without a terminal, the list).

use super::context::{BackendPick, Context, known_entity, open_backend, select};
use super::{BackendChoice, Cli, CliError, failure, manage};
use crate::app::store::session::BackendOffer as Choice;
use crate::backend::Backend;
use crate::config::file::{load, path};
use crate::config::wandb::Environment;
use crate::tui::{Setup, run};
use std::io::IsTerminal;
use std::sync::Arc;

fn choice(backend: &dyn Backend, entity: Option<String>) -> Choice {
    Choice {
        info: backend.info(),
        entity,
    }
}

/// Opens the dashboard on the selected backend; the other one, when available, can be switched to.
pub(crate) async fn open(cli: &Cli) -> Result<(), CliError> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        let ctx = Context::open(cli).await?;
        return manage::list(&ctx, None, false).await;
    }
    let env = Environment::current();
    let selection = select(cli, &env);
    let (config, warnings) = load(path().as_deref());
    // Nothing here may wait on the network: the dashboard draws at once and connects behind
    // its first frame (the entity and what the backend accepts come back as a message).
    let first = open_backend(cli, &selection, &env).await?;
    let entity = known_entity(cli, &selection, &config).map(|e| e.value);
    let first_choice = choice(first.as_ref(), entity.clone());
    let mut backends: Vec<(Arc<dyn Backend>, Choice)> = vec![(Arc::from(first), first_choice)];
    let other = match selection.choice {
        BackendChoice::Local if selection.wandb.api_key.is_some() => Some(BackendChoice::Wandb),
        BackendChoice::Wandb => Some(BackendChoice::Local),
        BackendChoice::Local => None,
    };
    if let Some(kind) = other {
        let alternative = BackendPick {
            choice: kind,
            reason: String::new(),
            wandb: selection.wandb.clone(),
        };
        match open_backend(cli, &alternative, &env).await {
            Ok(b) => {
                let c = choice(b.as_ref(), None);
                backends.push((Arc::from(b), c));
            }
            Err(e) => tracing::warn!(error = %e, "the other backend is not available"),
        }
    }
    let mut engines = Vec::new();
    for (backend, _) in &backends {
        let engine = match backend.info().kind {
            crate::backend::BackendKind::Local => {
                let local =
                    crate::backend::local::LocalBackend::open(&super::context::local_db_path(cli)?)
                        .await?;
                let engine = crate::engine::Engine::new(local.connection(), config.engine.clone())?;
                let now = jiff::Timestamp::now();
                engine.with(|c| crate::engine::demo::seed_day(c, now))?;
                Some(Arc::new(engine))
            }
            crate::backend::BackendKind::Wandb => None,
        };
        engines.push(engine);
    }
    let read_only = cli.read_only.then(|| "--read-only".to_string());
    let mono = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let draft_path = crate::config::data_dir(cli.data_dir.clone())
        .ok()
        .map(|d| d.join("wizard-draft.json"));
    let setup = Setup {
        backends,
        engines,
        entity,
        read_only,
        config,
        warnings,
        mono,
        exit_after_first_frame: cli.exit_after_first_frame,
        draft_path,
    };
    match run(setup).await.map_err(failure)? {
        Some(signal) => Err(CliError::Signal(signal)),
        None => Ok(()),
    }
}
