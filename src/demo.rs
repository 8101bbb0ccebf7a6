//! The demo team of `assets/demo.yaml`: the local backend's first-use data, also used to seed the
//! fake W&B server that tests and `cargo run --example fake_wandb` start.

use crate::backend::resolve::prepare;
use crate::backend::{Backend, BackendError};
use crate::file::read::from_value;
use crate::model::Feature;
use crate::model::validate::one_line;
use serde::Deserialize;
use serde_json::Value;

const DEMO: &str = include_str!("../assets/demo.yaml");

/// The whole demo data set.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demo {
    /// The entity shown first.
    pub default_entity: String,
    /// Users, teams and organisations.
    pub entities: Vec<DemoEntity>,
    /// `ENTITY/PROJECT` paths (registries as `ORG/wandb-registry-NAME`).
    pub projects: Vec<String>,
    /// Artifact collections.
    pub collections: Vec<DemoCollection>,
    /// Slack channels and webhooks.
    pub integrations: Vec<DemoIntegration>,
    /// Automations in the file format, with their age.
    pub(crate) automations: Vec<DemoAutomation>,
    /// Automations of kinds W&B no longer creates, stored as raw inputs.
    pub legacy: Vec<DemoLegacy>,
}

/// An entity.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoEntity {
    /// Name.
    pub name: String,
    /// `user`, `team` or `organization`.
    pub kind: String,
    /// For a team or user: the entity of the organisation it belongs to.
    pub org: Option<String>,
    /// For an organisation's entity: the organisation's own name.
    pub org_name: Option<String>,
}

/// An artifact collection.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoCollection {
    /// `ENTITY/PROJECT/COLLECTION`.
    pub path: String,
    /// Artifact type.
    #[serde(rename = "type")]
    pub artifact_type: String,
    /// Whether it is a portfolio.
    pub portfolio: bool,
}

/// A Slack channel (`slack`) or a webhook (`webhook`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoIntegration {
    /// Owning entity.
    pub entity: String,
    /// Slack channel.
    pub slack: Option<String>,
    /// Slack workspace.
    pub team: Option<String>,
    /// Slack incoming webhook.
    pub(crate) webhook_url: Option<String>,
    /// Webhook name.
    pub webhook: Option<String>,
    /// Webhook URL.
    pub url: Option<String>,
    /// Webhook signing secret name.
    pub secret_ref: Option<String>,
    /// Webhook access token secret name.
    pub access_token_ref: Option<String>,
}

/// An automation and how old it is.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoAutomation {
    /// Days since creation, e.g. `41d`.
    pub(crate) age: String,
    /// Days since the last change, if changed.
    pub(crate) changed: Option<String>,
    /// The automation file.
    pub(crate) spec: Value,
}

/// A legacy automation as stored.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoLegacy {
    /// Days since creation.
    pub(crate) age: String,
    /// Days since the last change.
    pub(crate) changed: Option<String>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// `ENTITY/PROJECT`.
    pub scope: String,
    /// Wire event type.
    pub event_type: String,
    /// Wire `eventFilter`.
    pub event_filter: String,
    /// Wire action type.
    pub action_type: String,
    /// Wire `triggeredActionConfig`, as JSON text.
    pub action_config: String,
}

/// Why the built-in demo data could not be used (a bug in wbauto).
pub(crate) fn bad_asset(message: impl std::fmt::Display) -> BackendError {
    BackendError::Storage(format!(
        "the built-in demo data is broken ({message}); please report this bug"
    ))
}

impl Demo {
    /// The built-in demo data.
    pub fn load() -> Result<Demo, BackendError> {
        serde_saphyr::from_str(DEMO).map_err(bad_asset)
    }

    /// Creates the demo automations through `backend` (whose entities, projects, collections and
    /// integrations must exist); returns each new id with its demo age.
    pub async fn create_automations(
        &self,
        backend: &dyn Backend,
    ) -> Result<Vec<(String, &DemoAutomation)>, BackendError> {
        let mut out = Vec::with_capacity(self.automations.len());
        let caps = backend.capabilities().await?;
        for entry in &self.automations {
            let mut problems = Vec::new();
            let automation = from_value(&entry.spec, "", &mut problems)
                .ok_or_else(|| bad_asset(one_line(&problems)))?;
            // What only the local engine fires is left out where the backend cannot hold it.
            let kind = automation.event.kind();
            if kind.is_local_only() && caps.supports(Feature::Event(kind)).is_err() {
                continue;
            }
            let prepared = prepare(backend, automation, &self.default_entity)
                .await
                .map_err(bad_asset)?;
            let saved = backend.create_automation(&prepared).await?;
            out.push((saved.automation.id.unwrap_or_default(), entry));
        }
        Ok(out)
    }
}
