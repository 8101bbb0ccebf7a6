//! `integrations` (list and add) and `doctor`.

use super::context::{Context, local_db_path};
use super::{Cli, CliError, IntegrationsCommand, failure};
use crate::backend::local::LocalBackend;
use crate::backend::{Backend, NewSlack, NewWebhook};
use crate::config;
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
            "id": i.id, "entity": i.entity, "type": "webhook", "name": name, "url": url,
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
            format!("webhook  {name:<24} {url}  ({})", i.id)
        }
    }
}

/// `integrations [--json]` and its `add-*` subcommands.
pub async fn run(
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

/// `doctor`: settings in force and whether the backend answers. Never prints a secret.
pub async fn doctor(cli: &Cli) -> Result<(), CliError> {
    let data_dir = config::data_dir(cli.data_dir.clone()).map_err(failure)?;
    line("backend", "local (the embedded database)");
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
    let path = local_db_path(cli)?;
    let backend = LocalBackend::open(&path)
        .await
        .map_err(|e| failure(format!("database: {e}")))?;
    let entity = match &cli.entity {
        Some(e) => format!("{e} (--entity)"),
        None => format!(
            "{} (the database's default)",
            backend.default_entity().await?
        ),
    };
    line("entity", &entity);
    let name = cli
        .entity
        .clone()
        .unwrap_or(backend.default_entity().await?);
    match backend.list_automations(&name).await {
        Ok(l) => line(
            "database",
            format!(
                "{} ok, {} automation(s) in {name}",
                path.display(),
                l.automations.len()
            ),
        ),
        Err(e) => return Err(failure(format!("database {}: {e}", path.display()))),
    }
    Ok(())
}
