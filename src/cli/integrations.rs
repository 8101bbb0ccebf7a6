//! `integrations` (list and add) and `doctor`.

use super::context::{Context, open_backend, select};
use super::{BackendChoice, Cli, CliError, IntegrationsCommand, failure};
use crate::backend::{NewSlack, NewWebhook};
use crate::config;
use crate::config::wandb::Environment;
use crate::file::{Format, render};
use crate::model::{Feature, Integration, IntegrationKind};
use serde_json::{Value, json};

fn integration_json(i: &Integration) -> Value {
    match &i.kind {
        IntegrationKind::Slack {
            team_name,
            channel,
            webhook_url,
        } => json!({
            "id": i.id, "entity": i.entity, "type": "slack", "channel": channel, "team_name": team_name,
            "incoming_webhook": webhook_url.is_some(),
        }),
        IntegrationKind::Webhook {
            name,
            url,
            secret_ref,
            access_token_ref,
        } => json!({
            "id": i.id, "entity": i.entity, "type": "webhook", "name": name,
            "url": crate::engine::request::shown_url(url, false),
            "secret_ref": secret_ref, "access_token_ref": access_token_ref,
        }),
    }
}

fn integration_line(i: &Integration) -> String {
    match &i.kind {
        IntegrationKind::Slack {
            team_name, channel, ..
        } => format!("slack    {channel:<24} workspace {team_name}  ({})", i.id),
        IntegrationKind::Webhook { name, url, .. } => {
            let url = crate::engine::request::shown_url(url, false);
            format!("webhook  {name:<24} {url}  ({})", i.id)
        }
    }
}

/// `integrations [--json]` and its `add-*` subcommands.
pub(crate) async fn run(
    ctx: &Context,
    json: bool,
    action: Option<IntegrationsCommand>,
) -> Result<(), CliError> {
    let created = match action {
        None => {
            let all = ctx.backend.list_integrations(&ctx.entity).await?;
            if json {
                print!(
                    "{}",
                    render(
                        &Value::Array(all.iter().map(integration_json).collect()),
                        Format::Json
                    )
                );
            } else if all.is_empty() {
                println!("{} has no Slack or webhook integrations", ctx.entity);
            } else {
                all.iter().for_each(|i| println!("{}", integration_line(i)));
            }
            return Ok(());
        }
        Some(IntegrationsCommand::AddWebhook {
            name,
            url,
            secret_ref,
            access_token_ref,
        }) => {
            ctx.check_writable("adding an integration")?;
            ctx.capabilities
                .supports(Feature::CreateWebhookIntegration)
                .map_err(|r| failure(format!("cannot add a webhook here: {r}")))?;
            let new = NewWebhook {
                name,
                url,
                secret_ref,
                access_token_ref,
            };
            ctx.backend
                .create_webhook_integration(&ctx.entity, &new)
                .await?
        }
        Some(IntegrationsCommand::AddSlack {
            channel,
            webhook_url,
            team_name,
        }) => {
            ctx.check_writable("adding an integration")?;
            ctx.capabilities
                .supports(Feature::CreateSlackIntegration)
                .map_err(|r| failure(format!("cannot add a Slack channel here: {r}")))?;
            let new = NewSlack {
                channel,
                team_name,
                webhook_url,
            };
            ctx.backend
                .create_slack_integration(&ctx.entity, &new)
                .await?
        }
    };
    if json {
        print!("{}", render(&integration_json(&created), Format::Json));
    } else {
        println!("added {}", integration_line(&created));
    }
    Ok(())
}

fn line(key: &str, value: impl std::fmt::Display) {
    println!("{key:<14}{value}");
}

/// `doctor`: the settings in force, which backend and why, and whether it answers.
/// The API key is shown as present or absent, never itself.
pub(crate) async fn doctor(cli: &Cli) -> Result<(), CliError> {
    let env = Environment::current();
    let selection = select(cli, &env);
    let settings = super::context::config();
    let data_dir = config::data_dir(cli.data_dir.clone()).map_err(failure)?;
    let w = &selection.wandb;
    line(
        "backend",
        format!(
            "{} ({})",
            match selection.choice {
                BackendChoice::Local => "local",
                BackendChoice::Wandb => "wandb",
            },
            selection.reason
        ),
    );
    line(
        "W&B URL",
        format!(
            "{} (from {})",
            crate::config::wandb::redact_userinfo(&w.base_url.value),
            w.base_url.source
        ),
    );
    line(
        "W&B API key",
        match &w.api_key {
            Some(k) => format!("present (from {})", k.source),
            None => "absent".to_string(),
        },
    );
    line(
        "config",
        match (&settings.path, crate::config::file::path()) {
            (Some(p), _) => p.display().to_string(),
            (None, Some(p)) => format!("{} (none there: the defaults)", p.display()),
            (None, None) => "none (the defaults)".to_string(),
        },
    );
    line("data dir", data_dir.display());
    line("log dir", config::log_dir(&data_dir).display());
    line(
        "read-only",
        if cli.read_only {
            "yes (--read-only)"
        } else {
            "no"
        },
    );
    let backend = open_backend(cli, &selection, &env).await?;
    line("endpoint", backend.info().endpoint);
    let (entity, source) = match super::context::known_entity(cli, &selection, &settings) {
        Some(e) => (e.value, e.source),
        None => (
            backend.default_entity().await?,
            "the backend's default".to_string(),
        ),
    };
    line("entity", format!("{entity} (from {source})"));
    let caps = backend.capabilities().await?;
    let off: Vec<&str> = caps
        .unsupported
        .values()
        .map(String::as_str)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if off.is_empty() {
        line("features", "everything wbauto can create is available");
    } else {
        line("unavailable", off.join("\n              "));
    }
    let listing = backend
        .list_automations(&entity)
        .await
        .map_err(|e| failure(format!("listing {entity}: {e}")))?;
    line(
        "automations",
        format!(
            "{} in {entity} ({} unreadable)",
            listing.automations.len(),
            listing.unreadable.len()
        ),
    );
    if backend.info().kind == crate::backend::BackendKind::Local {
        let local =
            crate::backend::local::LocalBackend::open(&super::context::local_db_path(cli)?).await?;
        let engine = crate::engine::Engine::new(local.connection(), Default::default())?;
        line(
            "database",
            engine.with(|c| crate::backend::local::store::describe(c))?,
        );
        let engine = engine.with(|c| crate::engine::store::describe(c, crate::engine::now_ms()))?;
        line("engine", engine);
    }
    Ok(())
}
