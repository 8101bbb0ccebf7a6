//! Parses saved triggers (wire spec 4.3) by dispatching on `eventType`, never guessing from shape.
//!
//! A filter or action we model is parsed and then checked: encoding it again must give the same
//! JSON (up to key order, number form and W&B's optional defaults). Anything else — an unknown
//! event or action type, an extra key, an odd nesting — is kept raw, byte for byte.

use super::WireError;
use super::encode::{compact, event_filter};
use super::saved::{is_mutation_event, saved_filter};
use crate::model::expr::{Expr, from_conjuncts, normalize};
use crate::model::scope::REGISTRY_PREFIX;
use crate::model::{
    Action, Agg, ArtifactEvent, Automation, ChangeType, Cmp, Direction, Event, Integration,
    IntegrationKind, IntegrationRef, MetricCondition, RunState, Scope, ScopePath, Severity,
    TimeSpan,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value, json};
use std::collections::HashMap;

/// What the parser needs to name scopes: W&B's scope objects carry only an id and a name.
#[derive(Clone, Copy, Debug)]
pub struct ParseContext<'a> {
    /// The entity whose automations are being listed (owner of project scopes by default).
    pub entity: &'a str,
    /// Known scope paths by scope id; unknown ids fall back to the listing entity.
    pub paths: &'a HashMap<String, ScopePath>,
}

fn get_str<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

/// A saved trigger as W&B sends it (`TriggerFields`), decoded straight from the text; what it
/// must have is checked when it becomes an [`Automation`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TriggerFields {
    id: Option<String>,
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    enabled: Option<bool>,
    scope: Option<ScopeFields>,
    event: Option<EventFields>,
    #[serde(default)]
    action: Option<Box<RawValue>>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

/// A saved scope object (`Project`, `ArtifactSequence`, `ArtifactPortfolio`, `Entity`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopeFields {
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(rename = "__typename")]
    typename: Option<String>,
    #[serde(default)]
    entity_type: Option<String>,
    /// Owners, when the query selected them (wbauto's documents do; the SDK's do not).
    #[serde(default)]
    project: Option<Owner>,
    #[serde(default)]
    entity: Option<Owner>,
}

/// A project or entity named in a scope, with the entity that owns it.
#[derive(Deserialize)]
struct Owner {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    entity: Option<Box<Owner>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventFields {
    event_type: Option<String>,
    /// A JSON text in a string, as W&B stores it (an object from odd servers).
    #[serde(default)]
    filter: Option<Box<RawValue>>,
}

/// Parses one `TriggerFields` object into an automation.
pub fn parse_trigger(v: &Value, ctx: &ParseContext<'_>) -> Result<Automation, WireError> {
    let fields = TriggerFields::deserialize(v).map_err(unreadable)?;
    from_fields(fields, ctx)
}

/// [`parse_trigger`] from the trigger's JSON text, without building a tree of it.
pub(crate) fn parse_trigger_json(
    text: &str,
    ctx: &ParseContext<'_>,
) -> Result<Automation, WireError> {
    let fields: TriggerFields = serde_json::from_str(text).map_err(unreadable)?;
    from_fields(fields, ctx)
}

fn unreadable(e: serde_json::Error) -> WireError {
    WireError::new(format!("the trigger cannot be read: {e}"))
}

fn from_fields(t: TriggerFields, ctx: &ParseContext<'_>) -> Result<Automation, WireError> {
    let required = |v: Option<String>, key: &str| {
        v.ok_or_else(|| WireError::new(format!("the trigger has no `{key}`")))
    };
    let id = required(t.id, "id")?;
    let name = required(t.name, "name")?;
    let enabled = t
        .enabled
        .ok_or_else(|| WireError::new("the trigger has no `enabled` flag"))?;
    let scope = scope_from(t.scope, ctx)?;
    let event = t
        .event
        .ok_or_else(|| WireError::new("the trigger has no `event`"))?;
    let event_type = event
        .event_type
        .ok_or_else(|| WireError::new("the trigger's event has no `eventType`"))?;
    let filter = match event.filter {
        None => String::new(),
        Some(raw) if raw.get().starts_with('"') => {
            serde_json::from_str(raw.get()).map_err(unreadable)?
        }
        Some(raw) => serde_json::from_str::<Value>(raw.get())
            .map(|v| compact(&v))
            .map_err(unreadable)?,
    };
    Ok(Automation {
        id: Some(id),
        name,
        description: t.description,
        enabled,
        scope,
        event: parse_event(&event_type, &filter),
        action: t.action.map_or_else(
            || parse_action(&Value::Null),
            |raw| parse_action_json(raw.get()),
        ),
        created_at: t.created_at,
        updated_at: t.updated_at,
    })
}

/// Parses a saved scope object (`Project`, `ArtifactSequence`, `ArtifactPortfolio`, `Entity`).
pub(crate) fn parse_scope(v: &Value, ctx: &ParseContext<'_>) -> Result<Scope, WireError> {
    let scope = Option::<ScopeFields>::deserialize(v)
        .map_err(|e| WireError::new(format!("the trigger's scope cannot be read: {e}")))?;
    scope_from(scope, ctx)
}

fn scope_from(scope: Option<ScopeFields>, ctx: &ParseContext<'_>) -> Result<Scope, WireError> {
    let scope = scope.ok_or_else(|| WireError::new("the trigger has no `scope`"))?;
    let id = scope
        .id
        .ok_or_else(|| WireError::new("the trigger's scope has no id"))?;
    if let Some(path) = ctx.paths.get(&id) {
        return Ok(Scope {
            path: path.clone(),
            id: Some(id),
        });
    }
    let name = scope.name.unwrap_or_default();
    let project_owner = scope.project.as_ref().and_then(|p| p.entity.as_ref());
    let entity = scope
        .entity
        .and_then(|e| e.name)
        .or_else(|| project_owner.and_then(|e| e.name.clone()))
        .unwrap_or_else(|| ctx.entity.to_string());
    let project_name = scope
        .project
        .and_then(|p| p.name)
        .unwrap_or_else(|| "?".into());
    let path = match scope.typename.as_deref() {
        Some("Project") => match name.strip_prefix(REGISTRY_PREFIX) {
            Some(registry) if !registry.is_empty() => ScopePath::Registry {
                entity,
                registry: registry.to_string(),
            },
            _ => ScopePath::Project {
                entity,
                project: name,
            },
        },
        Some("ArtifactSequence" | "ArtifactPortfolio") => ScopePath::Collection {
            entity,
            project: project_name,
            collection: name,
        },
        Some("Entity") if scope.entity_type.as_deref() == Some("organization") => {
            ScopePath::Org { entity: name }
        }
        Some("Entity") => ScopePath::Team { entity: name },
        Some(other) => return Err(WireError::new(format!("unknown scope type {other}"))),
        None => return Err(WireError::new("the trigger's scope has no __typename")),
    };
    Ok(Scope { path, id: Some(id) })
}

/// Parses a saved event; anything not modelled exactly becomes [`Event::Raw`].
pub fn parse_event(event_type: &str, filter: &str) -> Event {
    match try_event(event_type, filter) {
        Some(event) if round_trips(&event, event_type, filter) => event,
        _ => Event::Raw {
            event_type: event_type.to_string(),
            filter: filter.to_string(),
        },
    }
}

fn parse_json_maybe_string(v: &Value) -> Option<Value> {
    match v {
        Value::String(s) => serde_json::from_str(s).ok(),
        other => Some(other.clone()),
    }
}

/// `{"$and":[items]}` → the filter those items mean.
fn unwrap_and(v: &Value) -> Option<Option<Expr>> {
    let obj = v.as_object()?;
    if obj.len() != 1 {
        return None;
    }
    let items = obj.get("$and")?.as_array()?;
    let exprs = items
        .iter()
        .map(Expr::from_wire)
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    Some(normalize(from_conjuncts(exprs)))
}

fn try_event(event_type: &str, filter: &str) -> Option<Event> {
    let v: Value = serde_json::from_str(filter).ok()?;
    let obj = v.as_object()?;
    if let Some(kind) = ArtifactEvent::ALL
        .into_iter()
        .find(|k| k.wire_name() == event_type)
    {
        if obj.keys().any(|k| k != "filter") {
            return None;
        }
        let inner = match obj.get("filter") {
            None => return Some(Event::Artifact { kind, filter: None }),
            Some(f) => parse_json_maybe_string(f)?,
        };
        let or = inner
            .as_object()
            .filter(|m| m.len() == 1)?
            .get("$or")?
            .as_array()?;
        let [and] = or.as_slice() else { return None };
        return Some(Event::Artifact {
            kind,
            filter: unwrap_and(and)?,
        });
    }
    let allowed = [
        "run_filter",
        "run_metric_filter",
        "run_state_filter",
        "run_stalled_filter",
        "run_metric_nonfinite_filter",
        "metric_filter",
    ];
    if obj.keys().any(|k| !allowed.contains(&k.as_str()))
        || !obj.get("metric_filter").is_none_or(Value::is_null)
    {
        return None;
    }
    let run_filter = match obj.get("run_filter") {
        None => None,
        Some(f) => unwrap_and(&parse_json_maybe_string(f)?)?,
    };
    match event_type {
        "RUN_STATE" => {
            let states = obj
                .get("run_state_filter")?
                .as_object()
                .filter(|m| m.len() == 1)?
                .get("states")?
                .as_array()?;
            let mut states = states
                .iter()
                .map(|s| s.as_str().and_then(RunState::parse))
                .collect::<Option<Vec<_>>>()?;
            states.sort();
            states.dedup();
            Some(Event::RunState { run_filter, states })
        }
        "RUN_STALLED" => {
            let stall = obj.get("run_stalled_filter")?.as_object()?;
            Some(Event::RunStalled {
                run_filter,
                after: TimeSpan::from_secs(stall.get("after_seconds")?.as_u64()?),
                adaptive: stall.get("adaptive")?.as_bool()?,
                factor: number(stall, "factor")?,
            })
        }
        "RUN_METRIC_NONFINITE" => {
            let metric = obj.get("run_metric_nonfinite_filter")?.as_object()?;
            Some(Event::RunMetricNonfinite {
                run_filter,
                metric: get_str(metric, "name")?.to_string(),
            })
        }
        "RUN_METRIC" | "RUN_METRIC_CHANGE" | "RUN_METRIC_ZSCORE" => {
            let metric = obj
                .get("run_metric_filter")?
                .as_object()
                .filter(|m| m.len() == 1)?;
            let (key, inner) = metric.iter().next()?;
            let condition = match (event_type, key.as_str()) {
                ("RUN_METRIC", "threshold_filter") => threshold(inner.as_object()?)?,
                ("RUN_METRIC_CHANGE", "change_filter") => change(inner.as_object()?)?,
                ("RUN_METRIC_ZSCORE", "zscore_filter") => zscore(inner.as_object()?)?,
                _ => return None,
            };
            Some(Event::RunMetric {
                run_filter,
                condition,
            })
        }
        _ => None,
    }
}

fn int_or(obj: &Map<String, Value>, key: &str, default: i64) -> Option<i64> {
    match obj.get(key) {
        None | Some(Value::Null) => Some(default),
        Some(v) => v.as_i64(),
    }
}

fn agg_of(obj: &Map<String, Value>) -> Option<Option<Agg>> {
    match obj.get("agg_op") {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Agg::parse(s).map(Some),
        Some(_) => None,
    }
}

fn number(obj: &Map<String, Value>, key: &str) -> Option<Number> {
    match obj.get(key)? {
        Value::Number(n) => Some(n.clone()),
        _ => None,
    }
}

fn threshold(obj: &Map<String, Value>) -> Option<MetricCondition> {
    Some(MetricCondition::Threshold {
        metric: get_str(obj, "name")?.to_string(),
        agg: agg_of(obj)?,
        window: int_or(obj, "window_size", 1)?,
        cmp: Cmp::parse(get_str(obj, "cmp_op")?)?,
        threshold: number(obj, "threshold")?,
    })
}

fn change(obj: &Map<String, Value>) -> Option<MetricCondition> {
    let window = int_or(obj, "current_window_size", 1)?;
    Some(MetricCondition::Change {
        metric: get_str(obj, "name")?.to_string(),
        agg: agg_of(obj)?,
        window,
        prior_window: int_or(obj, "prior_window_size", window)?,
        direction: Direction::parse(get_str(obj, "change_dir")?)?,
        change: ChangeType::parse(get_str(obj, "change_type")?)?,
        amount: number(obj, "change_amount")?,
    })
}

fn zscore(obj: &Map<String, Value>) -> Option<MetricCondition> {
    Some(MetricCondition::ZScore {
        metric: get_str(obj, "name")?.to_string(),
        window: int_or(obj, "window_size", 30)?,
        threshold: match obj.get("threshold") {
            None | Some(Value::Null) => Number::from_f64(3.0)?,
            Some(Value::Number(n)) => n.clone(),
            Some(_) => return None,
        },
        direction: match get_str(obj, "change_dir") {
            None => Direction::Any,
            Some(d) => Direction::parse(d)?,
        },
    })
}

/// The saved filter with its inner JSON strings parsed, W&B's optional defaults dropped and
/// numbers compared by value, so that two encodings of one meaning compare equal.
fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, val) in m {
                let parsed: Option<Value> = match (k.as_str(), val) {
                    ("filter" | "run_filter", Value::String(s)) => serde_json::from_str(s).ok(),
                    _ => None,
                };
                let val = parsed.as_ref().unwrap_or(val);
                let empty_run_filter = k == "run_filter" && is_empty_and(val);
                if (k == "metric_filter" && val.is_null()) || empty_run_filter {
                    continue;
                }
                out.insert(k.clone(), canonical(val));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        Value::Number(n) => n
            .as_f64()
            .and_then(Number::from_f64)
            .map_or_else(|| v.clone(), Value::Number),
        other => other.clone(),
    }
}

/// `{"$and": []}`: the run filter that lets every run through.
fn is_empty_and(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.len() == 1
            && m.get("$and")
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
    })
}

fn round_trips(event: &Event, event_type: &str, filter: &str) -> bool {
    let Ok(encoded) = event_filter(event) else {
        return false;
    };
    // Fast path: what wbauto and the SDK write comes back byte for byte.
    let saved = saved_filter(event_type, &encoded);
    if saved == filter {
        return true;
    }
    let Ok(original) = serde_json::from_str::<Value>(filter) else {
        return false;
    };
    let original = match &original {
        Value::Object(m) if is_mutation_event(event_type) && !m.contains_key("filter") => {
            json!({"filter": {"$or": [{"$and": []}]}})
        }
        _ => original,
    };
    let Ok(again) = serde_json::from_str::<Value>(&saved) else {
        return false;
    };
    canonical(&original) == canonical(&again)
}

/// The wire action type for a saved action's `__typename` (`QueueJobTriggeredAction` → `QUEUE_JOB`).
pub(crate) fn action_type_of(typename: &str) -> String {
    let stem = typename.strip_suffix("TriggeredAction").unwrap_or(typename);
    let mut out = String::new();
    for (i, c) in stem.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// A saved action (`NotificationTriggeredAction`, `GenericWebhookTriggeredAction`, ...) as the
/// fields wbauto models; one that does not decode into them is kept raw.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionFields {
    #[serde(rename = "__typename")]
    typename: Option<String>,
    #[serde(default)]
    integration: Option<IntegrationFields>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    request_payload: Option<String>,
}

/// The integration an action names (`SlackIntegration` or `GenericWebhookIntegration`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntegrationFields {
    #[serde(rename = "__typename")]
    typename: Option<String>,
    id: Option<String>,
    #[serde(default)]
    channel_name: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

fn integration_ref(
    fields: Option<IntegrationFields>,
    typename: &str,
    label: fn(IntegrationFields) -> Option<String>,
) -> Option<IntegrationRef> {
    let fields = fields.filter(|f| f.typename.as_deref() == Some(typename))?;
    let id = fields.id.clone()?;
    Some(IntegrationRef {
        id: Some(id),
        entity: None,
        label: label(fields)?,
    })
}

fn action_from(a: ActionFields) -> Option<Action> {
    match a.typename.as_deref()? {
        "NotificationTriggeredAction" => Some(Action::Slack {
            integration: integration_ref(a.integration, "SlackIntegration", |i| i.channel_name)?,
            title: a.title.unwrap_or_default(),
            message: a.message.unwrap_or_default(),
            severity: match a.severity {
                None => Severity::Info,
                Some(s) => Severity::parse(&s)?,
            },
        }),
        "GenericWebhookTriggeredAction" => Some(Action::Webhook {
            integration: integration_ref(a.integration, "GenericWebhookIntegration", |i| i.name)?,
            payload: match a.request_payload {
                None => None,
                Some(s) => match serde_json::from_str(&s).ok()? {
                    Value::Object(m) => Some(m),
                    _ => return None,
                },
            },
        }),
        "NoOpTriggeredAction" => Some(Action::NoOp),
        _ => None,
    }
}

fn raw_action(v: Value) -> Action {
    let action_type = v
        .get("__typename")
        .and_then(Value::as_str)
        .map_or_else(|| "UNKNOWN".to_string(), action_type_of);
    Action::Raw {
        action_type,
        action: v,
    }
}

/// Parses a saved action; an unknown or incomplete one becomes [`Action::Raw`].
pub(crate) fn parse_action(v: &Value) -> Action {
    ActionFields::deserialize(v)
        .ok()
        .and_then(action_from)
        .unwrap_or_else(|| raw_action(v.clone()))
}

/// [`parse_action`] from the action's JSON text.
fn parse_action_json(text: &str) -> Action {
    serde_json::from_str(text)
        .ok()
        .and_then(action_from)
        .unwrap_or_else(|| raw_action(serde_json::from_str(text).unwrap_or(Value::Null)))
}

/// Parses an integration node of `IntegrationsByEntity`; other kinds (e.g. GitHub) give `None`.
pub(crate) fn parse_integration(v: &Value, entity: &str) -> Option<Integration> {
    let obj = v.as_object()?;
    let id = get_str(obj, "id")?.to_string();
    let kind = match get_str(obj, "__typename")? {
        "SlackIntegration" => IntegrationKind::Slack {
            team_name: get_str(obj, "teamName").unwrap_or_default().to_string(),
            channel: get_str(obj, "channelName")?.to_string(),
            webhook_url: None,
        },
        "GenericWebhookIntegration" => IntegrationKind::Webhook {
            name: get_str(obj, "name")?.to_string(),
            url: get_str(obj, "urlEndpoint").unwrap_or_default().to_string(),
            secret_ref: None,
            access_token_ref: None,
        },
        _ => return None,
    };
    Some(Integration {
        id,
        entity: entity.to_string(),
        kind,
    })
}
