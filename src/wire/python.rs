//! The same automation as `wandb.automations` code a user can paste (the detail view's Python tab).
//! It builds the SDK objects from ids, exactly as tools/sdk_oracle.py does, so it sends what
//! wbauto sends.

use super::encode::metric_filter_json;
use crate::model::expr::{Expr, conjuncts};
use crate::model::{Action, ArtifactEvent, Automation, Event, ScopePath};
use serde_json::{Map, Value, json};

fn py(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(py).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", py(&json!(k)), py(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn filter_value(filter: Option<&Expr>) -> Option<Value> {
    filter.map(|_| json!({"$and": conjuncts(filter).iter().map(Expr::to_json).collect::<Vec<_>>()}))
}

fn scope_code(a: &Automation) -> (String, String) {
    let id = json!(a.scope.id.clone().unwrap_or_else(|| "<scope id>".into()));
    match &a.scope.path {
        ScopePath::Project { project, .. } => (
            "ProjectScope".into(),
            format!(
                "ProjectScope.model_validate({})",
                py(&json!({"__typename": "Project", "id": id, "name": project}))
            ),
        ),
        ScopePath::Registry { registry, .. } => (
            "RegistryScope".into(),
            format!(
                "RegistryScope.model_validate({})",
                py(
                    &json!({"__typename": "Project", "id": id, "full_name": format!("{}{registry}", crate::model::scope::REGISTRY_PREFIX)})
                )
            ),
        ),
        ScopePath::Collection { collection, .. } => (
            "ArtifactCollectionScope".into(),
            format!(
                "TypeAdapter(ArtifactCollectionScope).validate_python({})",
                py(&json!({"__typename": "ArtifactSequence", "id": id, "name": collection}))
            ),
        ),
        ScopePath::Team { entity } => (
            "TeamScope".into(),
            format!(
                "TeamScope.model_validate({})",
                py(
                    &json!({"__typename": "Entity", "id": id, "name": entity, "entityType": "team"})
                )
            ),
        ),
        ScopePath::Org { entity } => (
            "OrgScope".into(),
            format!(
                "OrgScope.model_validate({})",
                py(
                    &json!({"__typename": "Entity", "id": id, "name": entity, "entityType": "organization"})
                )
            ),
        ),
    }
}

fn event_code(event: &Event, scope: &str) -> Option<(String, String)> {
    let with_run_filter = |mut m: Map<String, Value>, run_filter: Option<&Expr>| {
        if let Some(f) = filter_value(run_filter) {
            m.insert("run_filter".into(), f);
        }
        Value::Object(m)
    };
    Some(match event {
        Event::RunMetric {
            run_filter,
            condition,
        } => {
            let mut m = Map::new();
            m.insert(
                "run_metric_filter".into(),
                metric_filter_json(condition).ok()?,
            );
            (
                "OnRunMetric".into(),
                format!(
                    "OnRunMetric(scope={scope}, filter={})",
                    py(&with_run_filter(m, run_filter.as_ref()))
                ),
            )
        }
        Event::RunState { run_filter, states } => {
            let mut m = Map::new();
            m.insert(
                "run_state_filter".into(),
                json!({"states": states.iter().map(|s| s.file_name()).collect::<Vec<_>>()}),
            );
            (
                "OnRunState".into(),
                format!(
                    "OnRunState(scope={scope}, filter={})",
                    py(&with_run_filter(m, run_filter.as_ref()))
                ),
            )
        }
        Event::Artifact { kind, filter } => {
            let class = match kind {
                ArtifactEvent::Create => "OnCreateArtifact",
                ArtifactEvent::Link => "OnLinkArtifact",
                ArtifactEvent::Unlink => "OnUnlinkArtifact",
                ArtifactEvent::AddAlias => "OnAddArtifactAlias",
                ArtifactEvent::AddTag => "OnAddArtifactTag",
                ArtifactEvent::RemoveTag => "OnRemoveArtifactTag",
                ArtifactEvent::AddCollectionTag => "OnAddCollectionTag",
                ArtifactEvent::RemoveCollectionTag => "OnRemoveCollectionTag",
                ArtifactEvent::UpdateAlias => return None,
            };
            let args = match filter_value(filter.as_ref()) {
                Some(f) => format!("scope={scope}, filter={}", py(&f)),
                None => format!("scope={scope}"),
            };
            (class.into(), format!("{class}({args})"))
        }
        Event::RunStalled { .. } | Event::RunMetricNonfinite { .. } | Event::Raw { .. } => {
            return None;
        }
    })
}

fn action_code(action: &Action) -> Option<(String, String)> {
    let id = |a: &Action| {
        json!(
            a.integration()
                .and_then(|i| i.id.clone())
                .unwrap_or_else(|| "<integration id>".into())
        )
    };
    Some(match action {
        Action::Slack {
            title,
            message,
            severity,
            ..
        } => (
            "SendNotification".into(),
            format!(
                "SendNotification(integration_id={}, title={}, message={}, severity={})",
                py(&id(action)),
                py(&json!(title)),
                py(&json!(message)),
                py(&json!(severity.wire_name()))
            ),
        ),
        Action::Webhook { payload, .. } => {
            let payload = payload.clone().map_or(Value::Null, Value::Object);
            (
                "SendWebhook".into(),
                format!(
                    "SendWebhook(integration_id={}, request_payload={})",
                    py(&id(action)),
                    py(&payload)
                ),
            )
        }
        Action::NoOp => ("DoNothing".into(), "DoNothing()".into()),
        Action::Raw { .. } => return None,
    })
}

/// Python that creates this automation with the `wandb` SDK, or why it cannot.
pub(crate) fn python_code(a: &Automation) -> String {
    if let Some(reason) = a.read_only_reason() {
        return format!("# The wandb SDK cannot create this automation: {reason}.\n");
    }
    let kind = a.event.kind();
    if kind.is_local_only() {
        return format!(
            "# There is no wandb.automations equivalent: W&B has no {} event.\n# wbauto's local engine fires it (wbauto engine, or wbauto emit).\n",
            kind.file_name()
        );
    }
    let (scope_class, scope) = scope_code(a);
    let (Some((event_class, event)), Some((action_class, action))) =
        (event_code(&a.event, "scope"), action_code(&a.action))
    else {
        return "# The wandb SDK cannot create this automation.\n".into();
    };
    let mut imports = vec![scope_class.clone(), event_class, action_class];
    imports.sort();
    imports.dedup();
    let adapter = if scope_class == "ArtifactCollectionScope" {
        "from pydantic import TypeAdapter\n"
    } else {
        ""
    };
    let mut kwargs = vec![format!("name={}", py(&json!(a.name)))];
    if let Some(d) = &a.description {
        kwargs.push(format!("description={}", py(&json!(d))));
    }
    kwargs.push(format!("enabled={}", py(&json!(a.enabled))));
    format!(
        "# The same automation with the W&B SDK (pip install wandb).\nimport wandb\n{adapter}from wandb.automations import {}\n\napi = wandb.Api()\nscope = {scope}\nevent = {event}\naction = {action}\napi.create_automation(event >> action, {})\n",
        imports.join(", "),
        kwargs.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{Format, parse_text};

    #[test]
    fn local_only_kinds_have_no_sdk_equivalent() {
        let a = parse_text(
            "name: n\nscope: {project: acme/vision}\nevent: {type: run_stalled, after: 30m}\naction: {type: no_op}\n",
            Format::Yaml,
        )
        .unwrap()
        .remove(0);
        let code = python_code(&a);
        assert!(
            code.starts_with(
                "# There is no wandb.automations equivalent: W&B has no run_stalled event."
            ),
            "{code}"
        );
        assert!(!code.contains("import"), "{code}");
    }

    #[test]
    fn threshold_to_slack() {
        let mut a = parse_text(
            "name: n\nscope: {project: acme/vision}\nevent: {type: run_metric_threshold, metric: loss, agg: avg, window: 5, cmp: '>', threshold: 0.5, run_filter: {display_name: {$regex: ^s}}}\naction: {type: slack, integration: '#a', severity: warn}\n",
            Format::Yaml,
        )
        .unwrap()
        .remove(0);
        a.scope.id = Some("P1".into());
        a.action.integration_mut().unwrap().id = Some("I1".into());
        let code = python_code(&a);
        assert!(
            code.contains(
                "from wandb.automations import OnRunMetric, ProjectScope, SendNotification"
            ),
            "{code}"
        );
        assert!(code.contains(r#"scope = ProjectScope.model_validate({"__typename": "Project", "id": "P1", "name": "vision"})"#), "{code}");
        assert!(
            code.contains(r#""run_filter": {"$and": [{"display_name": {"$regex": "^s"}}]}"#),
            "{code}"
        );
        assert!(
            code.contains(
                r#"SendNotification(integration_id="I1", title="", message="", severity="WARN")"#
            ),
            "{code}"
        );
        assert!(
            code.ends_with("api.create_automation(event >> action, name=\"n\", enabled=True)\n"),
            "{code}"
        );
    }
}
