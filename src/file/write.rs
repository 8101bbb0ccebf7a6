//! Writing automation files: every key, defaults included, so a round trip changes nothing.

use super::Format;
use crate::model::expr::Expr;
use crate::model::{Action, Automation, Event, IntegrationRef, MetricCondition};
use serde_json::{Map, Value, json};

fn filter_value(filter: Option<&Expr>) -> Value {
    filter.map_or(Value::Null, Expr::to_json)
}

/// The file form of an event (every key of its type).
pub fn event_value(event: &Event) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!(event.kind().file_name()));
    match event {
        Event::RunMetric {
            run_filter,
            condition,
        } => {
            match condition {
                MetricCondition::Threshold {
                    metric,
                    agg,
                    window,
                    cmp,
                    threshold,
                } => {
                    m.insert("metric".into(), json!(metric));
                    m.insert(
                        "agg".into(),
                        agg.map_or(Value::Null, |a| json!(a.file_name())),
                    );
                    m.insert("window".into(), json!(window));
                    m.insert("cmp".into(), json!(cmp.symbol()));
                    m.insert("threshold".into(), Value::Number(threshold.clone()));
                }
                MetricCondition::Change {
                    metric,
                    agg,
                    window,
                    prior_window,
                    direction,
                    change,
                    amount,
                } => {
                    m.insert("metric".into(), json!(metric));
                    m.insert(
                        "agg".into(),
                        agg.map_or(Value::Null, |a| json!(a.file_name())),
                    );
                    m.insert("window".into(), json!(window));
                    m.insert("prior_window".into(), json!(prior_window));
                    m.insert("direction".into(), json!(direction.file_name()));
                    m.insert("change".into(), json!(change.file_name()));
                    m.insert("amount".into(), Value::Number(amount.clone()));
                }
                MetricCondition::ZScore {
                    metric,
                    window,
                    threshold,
                    direction,
                } => {
                    m.insert("metric".into(), json!(metric));
                    m.insert("window".into(), json!(window));
                    m.insert("threshold".into(), json!(threshold));
                    m.insert("direction".into(), json!(direction.file_name()));
                }
            }
            m.insert("run_filter".into(), filter_value(run_filter.as_ref()));
        }
        Event::RunState { run_filter, states } => {
            m.insert(
                "states".into(),
                json!(states.iter().map(|s| s.file_name()).collect::<Vec<_>>()),
            );
            m.insert("run_filter".into(), filter_value(run_filter.as_ref()));
        }
        Event::Artifact { filter, .. } => {
            m.insert("filter".into(), filter_value(filter.as_ref()));
        }
        Event::Raw { event_type, filter } => {
            m.insert("wire_event_type".into(), json!(event_type));
            m.insert("wire_filter".into(), json!(filter));
        }
    }
    Value::Object(m)
}

fn integration_value(r: &IntegrationRef, default_entity: &str) -> Value {
    match (&r.entity, r.label.is_empty(), &r.id) {
        (_, true, Some(id)) => json!({"id": id}),
        (Some(e), false, _) if e != default_entity => json!(format!("{e}/{}", r.label)),
        _ => json!(r.label),
    }
}

/// The file form of an action (every key of its type).
pub fn action_value(action: &Action, default_entity: &str) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!(action.kind().file_name()));
    match action {
        Action::Slack {
            integration,
            title,
            message,
            severity,
        } => {
            m.insert(
                "integration".into(),
                integration_value(integration, default_entity),
            );
            m.insert("title".into(), json!(title));
            m.insert("message".into(), json!(message));
            m.insert("severity".into(), json!(severity.file_name()));
        }
        Action::Webhook {
            integration,
            payload,
        } => {
            m.insert(
                "integration".into(),
                integration_value(integration, default_entity),
            );
            m.insert(
                "payload".into(),
                payload.clone().map_or(Value::Null, Value::Object),
            );
        }
        Action::NoOp => {}
        Action::Raw {
            action_type,
            action,
        } => {
            m.insert("wire_action_type".into(), json!(action_type));
            m.insert("wire_action".into(), action.clone());
        }
    }
    Value::Object(m)
}

/// The file form of an automation. `default_entity` is left out of integration references;
/// `with_times` adds `created_at` / `updated_at` (for `list --json`).
pub fn to_value(a: &Automation, default_entity: &str, with_times: bool) -> Value {
    let mut m = Map::new();
    if let Some(id) = &a.id {
        m.insert("id".into(), json!(id));
    }
    m.insert("name".into(), json!(a.name));
    m.insert(
        "description".into(),
        a.description.as_ref().map_or(Value::Null, |d| json!(d)),
    );
    m.insert("enabled".into(), json!(a.enabled));
    m.insert(
        "scope".into(),
        json!({a.scope.path.kind().file_key(): a.scope.path.path()}),
    );
    m.insert("event".into(), event_value(&a.event));
    m.insert("action".into(), action_value(&a.action, default_entity));
    if with_times {
        m.insert(
            "created_at".into(),
            a.created_at.as_ref().map_or(Value::Null, |t| json!(t)),
        );
        m.insert(
            "updated_at".into(),
            a.updated_at.as_ref().map_or(Value::Null, |t| json!(t)),
        );
    }
    Value::Object(m)
}

/// Renders a document as YAML or pretty JSON (with a final newline).
pub fn render(doc: &Value, format: Format) -> String {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(doc).unwrap_or_else(|_| doc.to_string());
            s.push('\n');
            s
        }
        _ => {
            let mut s = serde_saphyr::to_string(doc)
                .unwrap_or_else(|e| format!("# could not render YAML: {e}\n"));
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s
        }
    }
}
