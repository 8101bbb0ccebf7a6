//! Server features and what they allow, gated exactly as the SDK gates them (wire spec 5.4).

use crate::model::{Agg, ArtifactEvent, Capabilities, Cmp, EventKind, Feature, ScopeKind};
use serde_json::Value;
use std::collections::BTreeSet;

/// Why Slack channels cannot be added from wbauto on W&B.
pub(crate) const SLACK_ON_WANDB: &str = "on W&B, Slack channels are connected by a team admin in the team's settings (Slack sign-in); once connected, wbauto lists and uses them";

/// Lists the entity's automations in one query (server v0.83.0+).
pub(crate) const QUERY_AUTOMATIONS_ON_ENTITY: &str = "QUERY_AUTOMATIONS_ON_ENTITY";
/// Team and organisation scopes.
pub(crate) const AUTOMATION_SCOPE_ENTITY: &str = "AUTOMATION_SCOPE_ENTITY";

/// Registry listing.
pub(crate) const ARTIFACT_REGISTRY_SEARCH: &str = "ARTIFACT_REGISTRY_SEARCH";

/// Why W&B cannot hold an event kind only wbauto's local engine fires.
fn local_only(kind: EventKind) -> String {
    format!(
        "{} runs on wbauto's local engine only, W&B has no such event; keep it on the local backend (--backend local) with `wbauto engine` watching your runs",
        kind.file_name()
    )
}

/// The enabled server features.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Features(pub BTreeSet<String>);

/// Events the SDK gates on a feature named `AUTOMATION_EVENT_<wire name>`.
const GATED_EVENTS: [EventKind; 6] = [
    EventKind::MetricZScore,
    EventKind::Artifact(ArtifactEvent::Unlink),
    EventKind::Artifact(ArtifactEvent::AddTag),
    EventKind::Artifact(ArtifactEvent::RemoveTag),
    EventKind::Artifact(ArtifactEvent::AddCollectionTag),
    EventKind::Artifact(ArtifactEvent::RemoveCollectionTag),
];

impl Features {
    /// Reads `serverInfo.features`; anything missing or malformed means no features.
    pub(crate) fn from_response(data: &Value) -> Self {
        let list = data
            .get("serverInfo")
            .and_then(|s| s.get("features"))
            .and_then(Value::as_array);
        Self(
            list.into_iter()
                .flatten()
                .filter(|f| f.get("isEnabled").and_then(Value::as_bool) == Some(true))
                .filter_map(|f| f.get("name").and_then(Value::as_str).map(str::to_string))
                .collect(),
        )
    }

    /// Whether a feature is on.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.0.contains(name)
    }

    /// Whether `Entity.triggers` exists (else listing walks projects).
    pub(crate) fn entity_listing(&self) -> bool {
        self.has(QUERY_AUTOMATIONS_ON_ENTITY)
    }

    /// Whether team and organisation scopes exist.
    pub(crate) fn entity_scope(&self) -> bool {
        self.has(AUTOMATION_SCOPE_ENTITY)
    }

    /// What this server accepts.
    pub fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::everything();
        if !self.entity_scope() {
            for kind in [ScopeKind::Team, ScopeKind::Org] {
                caps.deny(
                    Feature::Scope(kind),
                    format!("this W&B server has no team or organisation scopes (server feature {AUTOMATION_SCOPE_ENTITY} is off; it needs W&B v0.83.0 or later)"),
                );
            }
        }
        for kind in GATED_EVENTS {
            let flag = format!("AUTOMATION_EVENT_{}", kind.wire_name());
            if !self.has(&flag) {
                caps.deny(
                    Feature::Event(kind),
                    format!(
                        "this W&B server does not offer {} events (server feature {flag} is off)",
                        kind.file_name()
                    ),
                );
            }
        }
        for cmp in [Cmp::Eq, Cmp::Ne] {
            caps.deny(Feature::Comparator(cmp), "W&B accepts only the comparators > >= < <= (== and != work on the local backend only)");
        }
        caps.deny(Feature::Aggregation(Agg::Sum), "W&B accepts only the aggregations avg, min and max (sum works on the local backend only)");
        caps.deny(Feature::CreateSlackIntegration, SLACK_ON_WANDB);
        for kind in [EventKind::RunStalled, EventKind::MetricNonfinite] {
            caps.deny(Feature::Event(kind), local_only(kind));
        }
        caps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn gating_follows_the_sdk() {
        let f = Features::from_response(&json!({"serverInfo": {"features": [
            {"name": "AUTOMATION_EVENT_RUN_METRIC_ZSCORE", "isEnabled": true},
            {"name": "AUTOMATION_SCOPE_ENTITY", "isEnabled": false},
        ]}}));
        let caps = f.capabilities();
        assert!(
            caps.supports(Feature::Event(EventKind::MetricZScore))
                .is_ok()
        );
        assert!(
            caps.supports(Feature::Event(EventKind::Artifact(ArtifactEvent::AddTag)))
                .unwrap_err()
                .contains("AUTOMATION_EVENT_ADD_ARTIFACT_TAG")
        );
        assert!(
            caps.supports(Feature::Event(EventKind::Artifact(ArtifactEvent::Link)))
                .is_ok()
        );
        assert!(
            caps.supports(Feature::Scope(ScopeKind::Team))
                .unwrap_err()
                .contains("AUTOMATION_SCOPE_ENTITY")
        );
        assert!(caps.supports(Feature::Comparator(Cmp::Eq)).is_err());
        for kind in [EventKind::RunStalled, EventKind::MetricNonfinite] {
            let reason = caps.supports(Feature::Event(kind)).unwrap_err();
            assert!(
                reason.starts_with(kind.file_name()) && reason.contains("local engine"),
                "{reason}"
            );
        }
        assert_eq!(
            Features::from_response(&json!({"serverInfo": null})),
            Features::default()
        );
    }
}
