//! The saved `Trigger` object as W&B returns it (TriggerFields), built from what was sent.
//!
//! The local backend stores what a client sent (the create/update input) and returns it in W&B's
//! response shape, so both backends go through the same parser ([`stored_automation`] takes the
//! same steps from the columns, without the whole tree).

use super::WireError;
use super::encode::compact;
use super::parse::{ParseContext, parse_action, parse_event, parse_scope};
use crate::model::{Automation, Integration, IntegrationKind};
use serde_json::{Value, json};

/// Event types whose saved filter W&B wraps one level deeper in a `filter` key.
pub(crate) const MUTATION_EVENTS: [&str; 9] = [
    "CREATE_ARTIFACT",
    "LINK_MODEL",
    "UNLINK_ARTIFACT",
    "ADD_ARTIFACT_ALIAS",
    "UPDATE_ARTIFACT_ALIAS",
    "ADD_ARTIFACT_TAG",
    "REMOVE_ARTIFACT_TAG",
    "ADD_COLLECTION_TAG",
    "REMOVE_COLLECTION_TAG",
];

/// Whether W&B wraps this event type's saved filter in `{"filter": ...}`.
pub fn is_mutation_event(event_type: &str) -> bool {
    MUTATION_EVENTS.contains(&event_type)
}

/// The saved `filter` string for an input `eventFilter` string.
pub fn saved_filter(event_type: &str, event_filter: &str) -> String {
    if is_mutation_event(event_type) {
        compact(&json!({"filter": event_filter}))
    } else {
        event_filter.to_string()
    }
}

/// The input `eventFilter` for a saved `filter` string (the SDK unwraps mutation filters on update).
pub fn input_filter(event_type: &str, saved: &str) -> Option<String> {
    if !is_mutation_event(event_type) {
        return Some(saved.to_string());
    }
    let v: Value = serde_json::from_str(saved).ok()?;
    match v.get("filter") {
        None => Some(r#"{"$and":[]}"#.to_string()),
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(compact(other)),
    }
}

/// An integration as W&B returns it (SlackIntegrationFields / WebhookIntegrationFields).
pub fn integration_json(i: &Integration) -> Value {
    match &i.kind {
        IntegrationKind::Slack {
            team_name, channel, ..
        } => {
            json!({"__typename": "SlackIntegration", "id": i.id, "teamName": team_name, "channelName": channel})
        }
        IntegrationKind::Webhook { name, url, .. } => {
            json!({"__typename": "GenericWebhookIntegration", "id": i.id, "name": name, "urlEndpoint": url})
        }
    }
}

/// Everything needed to render one stored trigger.
#[derive(Clone, Debug)]
pub struct StoredTrigger {
    /// Trigger id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description, if set.
    pub description: Option<String>,
    /// Enabled flag.
    pub enabled: bool,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339), if ever changed.
    pub updated_at: Option<String>,
    /// The scope object (`{__typename, id, name[, entityType]}`).
    pub scope: Value,
    /// `triggeringEventType` as sent.
    pub event_type: String,
    /// `eventFilter` as sent.
    pub event_filter: String,
    /// `triggeredActionType` as sent.
    pub action_type: String,
    /// `triggeredActionConfig` as sent.
    pub action_config: Value,
}

/// The automation a stored trigger is, read straight from its columns: what parsing its
/// [`trigger_json`] gives, without building and walking the whole tree.
pub fn stored_automation(
    t: &StoredTrigger,
    integration: &dyn Fn(&str) -> Option<Value>,
    ctx: &ParseContext<'_>,
) -> Result<Automation, WireError> {
    Ok(Automation {
        id: Some(t.id.clone()),
        name: t.name.clone(),
        description: t.description.clone(),
        enabled: t.enabled,
        scope: parse_scope(&t.scope, ctx)?,
        event: parse_event(&t.event_type, &saved_filter(&t.event_type, &t.event_filter)),
        action: parse_action(&action_json(t, integration)),
        created_at: Some(t.created_at.clone()),
        updated_at: t.updated_at.clone(),
    })
}

/// The `TriggerFields` object for a stored trigger; `integration` looks integrations up by id.
pub fn trigger_json(t: &StoredTrigger, integration: &dyn Fn(&str) -> Option<Value>) -> Value {
    json!({
        "__typename": "Trigger",
        "id": t.id,
        "createdAt": t.created_at,
        "updatedAt": t.updated_at,
        "name": t.name,
        "description": t.description,
        "enabled": t.enabled,
        "scope": t.scope,
        "event": {
            "__typename": "FilterEventTriggeringCondition",
            "eventType": t.event_type,
            "filter": saved_filter(&t.event_type, &t.event_filter),
        },
        "action": action_json(t, integration),
    })
}

/// The `action` object of a stored trigger, its integration looked up by id.
fn action_json(t: &StoredTrigger, integration: &dyn Fn(&str) -> Option<Value>) -> Value {
    let config = |key: &str| t.action_config.get(key).cloned().unwrap_or(Value::Null);
    let lookup = |cfg: &Value, fallback: &str| {
        let id = cfg
            .get("integrationID")
            .and_then(Value::as_str)
            .unwrap_or_default();
        integration(id).unwrap_or_else(|| json!({"__typename": fallback}))
    };
    match t.action_type.as_str() {
        "NOTIFICATION" => {
            let c = config("notificationActionInput");
            json!({
                "__typename": "NotificationTriggeredAction",
                "integration": lookup(&c, "SlackIntegration"),
                "title": c.get("title").cloned().unwrap_or(Value::Null),
                "message": c.get("message").cloned().unwrap_or(Value::Null),
                "severity": c.get("severity").cloned().unwrap_or(Value::Null),
            })
        }
        "GENERIC_WEBHOOK" => {
            let c = config("genericWebhookActionInput");
            json!({
                "__typename": "GenericWebhookTriggeredAction",
                "integration": lookup(&c, "GenericWebhookIntegration"),
                "requestPayload": c.get("requestPayload").cloned().unwrap_or(Value::Null),
            })
        }
        "NO_OP" => json!({"__typename": "NoOpTriggeredAction", "noOp": true}),
        "QUEUE_JOB" => {
            let c = config("queueJobActionInput");
            json!({
                "__typename": "QueueJobTriggeredAction",
                "queue": {"id": c.get("queueID").cloned().unwrap_or(Value::Null), "name": c.get("queueName").cloned().unwrap_or(Value::Null)},
                "template": c.get("template").cloned().unwrap_or(Value::Null),
            })
        }
        "PUSH_NOTIFICATION" => json!({"__typename": "PushNotificationTriggeredAction"}),
        other => json!({"__typename": format!("{other}TriggeredAction")}),
    }
}
