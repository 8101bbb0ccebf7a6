//! Builds `CreateFilterTriggerInput` / `UpdateFilterTriggerInput` exactly as the `wandb` SDK does
//! (wire spec 4.2, 4.4, 4.6): compact JSON-in-JSON strings in the SDK's key order, `null`s where
//! the SDK writes them, integers kept as integers, input keys sorted as W&B's core sends them.

use super::WireError;
use crate::model::expr::{Expr, conjuncts};
use crate::model::{Action, Automation, Event, MetricCondition};
use serde_json::{Map, Value, json};

/// Compact JSON text, as the SDK writes it (no spaces, raw UTF-8).
pub(crate) fn compact(v: &Value) -> String {
    v.to_string()
}

/// `{"$and":[...]}` around a run filter (always, after simplification).
pub(crate) fn wrap_run_filter(filter: Option<&Expr>) -> Value {
    json!({"$and": conjuncts(filter).iter().map(Expr::to_json).collect::<Vec<_>>()})
}

/// `{"$or":[{"$and":[...]}]}` around an artifact filter (always, after simplification).
pub(crate) fn wrap_artifact_filter(filter: Option<&Expr>) -> Value {
    json!({"$or": [wrap_run_filter(filter)]})
}

/// The `run_metric_filter` object of a metric condition, keys in the SDK's order.
pub(crate) fn metric_filter_json(condition: &MetricCondition) -> Result<Value, WireError> {
    let mut inner = Map::new();
    let key = match condition {
        MetricCondition::Threshold {
            metric,
            agg,
            window,
            cmp,
            threshold,
        } => {
            inner.insert("name".into(), json!(metric));
            inner.insert(
                "agg_op".into(),
                agg.map_or(Value::Null, |a| json!(a.wire_name())),
            );
            inner.insert("window_size".into(), json!(window));
            inner.insert("cmp_op".into(), json!(cmp.wire_name()));
            inner.insert("threshold".into(), Value::Number(threshold.clone()));
            "threshold_filter"
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
            inner.insert("name".into(), json!(metric));
            inner.insert(
                "agg_op".into(),
                agg.map_or(Value::Null, |a| json!(a.wire_name())),
            );
            inner.insert("current_window_size".into(), json!(window));
            inner.insert("change_amount".into(), Value::Number(amount.clone()));
            inner.insert("prior_window_size".into(), json!(prior_window));
            inner.insert("change_type".into(), json!(change.wire_name()));
            inner.insert("change_dir".into(), json!(direction.wire_name()));
            "change_filter"
        }
        MetricCondition::ZScore {
            metric,
            window,
            threshold,
            direction,
        } => {
            inner.insert("name".into(), json!(metric));
            inner.insert("window_size".into(), json!(window));
            inner.insert("threshold".into(), Value::Number(threshold.clone()));
            inner.insert("change_dir".into(), json!(direction.wire_name()));
            "zscore_filter"
        }
    };
    let mut outer = Map::new();
    outer.insert(key.into(), Value::Object(inner));
    Ok(Value::Object(outer))
}

/// `{"run_filter": "...", KEY: VALUE}`: a run event's filter beside its own condition.
fn run_event_filter(run_filter: Option<&Expr>, key: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(
        "run_filter".into(),
        json!(compact(&wrap_run_filter(run_filter))),
    );
    m.insert(key.into(), value);
    Value::Object(m)
}

/// The `eventFilter` string the SDK sends on create and update (for the local-only kinds, the
/// form only the local backend stores).
pub fn event_filter(event: &Event) -> Result<String, WireError> {
    let value = match event {
        Event::RunMetric {
            run_filter,
            condition,
        } => {
            let mut m = Map::new();
            m.insert(
                "run_filter".into(),
                json!(compact(&wrap_run_filter(run_filter.as_ref()))),
            );
            m.insert("run_metric_filter".into(), metric_filter_json(condition)?);
            m.insert("metric_filter".into(), Value::Null);
            Value::Object(m)
        }
        Event::RunState { run_filter, states } => {
            let mut states: Vec<_> = states.clone();
            states.sort();
            states.dedup();
            run_event_filter(
                run_filter.as_ref(),
                "run_state_filter",
                json!({"states": states.iter().map(|s| s.wire_name()).collect::<Vec<_>>()}),
            )
        }
        Event::RunStalled {
            run_filter,
            after,
            adaptive,
            factor,
        } => run_event_filter(
            run_filter.as_ref(),
            "run_stalled_filter",
            json!({"after_seconds": after.secs(), "adaptive": adaptive, "factor": factor}),
        ),
        Event::RunMetricNonfinite { run_filter, metric } => run_event_filter(
            run_filter.as_ref(),
            "run_metric_nonfinite_filter",
            json!({"name": metric}),
        ),
        Event::Artifact { filter, .. } => wrap_artifact_filter(filter.as_ref()),
        Event::Raw { event_type, .. } => {
            return Err(WireError::new(format!(
                "{event_type} events cannot be sent to W&B by wbauto"
            )));
        }
    };
    Ok(compact(&value))
}

fn integration_id(action: &Action) -> Result<String, WireError> {
    action
        .integration()
        .and_then(|i| i.id.clone())
        .ok_or_else(|| WireError::new("the action's integration has not been resolved to an id"))
}

/// The `triggeredActionConfig` object (exactly one key, members sorted, `null`s dropped).
pub fn action_config(action: &Action) -> Result<Value, WireError> {
    Ok(match action {
        Action::Slack {
            title,
            message,
            severity,
            ..
        } => json!({"notificationActionInput": {
            "integrationID": integration_id(action)?,
            "message": message,
            "severity": severity.wire_name(),
            "title": title,
        }}),
        Action::Webhook { payload, .. } => {
            let mut m = Map::new();
            m.insert("integrationID".into(), json!(integration_id(action)?));
            if let Some(p) = payload {
                m.insert(
                    "requestPayload".into(),
                    json!(compact(&Value::Object(p.clone()))),
                );
            }
            json!({"genericWebhookActionInput": Value::Object(m)})
        }
        Action::NoOp => json!({"noOpActionInput": {"noOp": true}}),
        Action::Raw { action_type, .. } => {
            return Err(WireError::new(format!(
                "'{action_type}' actions cannot be assigned to automations"
            )));
        }
    })
}

fn input(a: &Automation, id: Option<&str>) -> Result<Value, WireError> {
    if let Some(reason) = a.read_only_reason() {
        return Err(WireError::new(format!(
            "this automation is read-only: {reason}"
        )));
    }
    let scope_id = a.scope.id.clone().ok_or_else(|| {
        WireError::new(format!(
            "the scope {} has not been resolved to an id",
            a.scope.path
        ))
    })?;
    // Keys in sorted order, as W&B's core re-encodes them.
    let mut m = Map::new();
    if let Some(d) = &a.description {
        m.insert("description".into(), json!(d));
    }
    m.insert("enabled".into(), json!(a.enabled));
    m.insert("eventFilter".into(), json!(event_filter(&a.event)?));
    if let Some(id) = id {
        m.insert("id".into(), json!(id));
    }
    m.insert("name".into(), json!(a.name));
    m.insert("scopeID".into(), json!(scope_id));
    m.insert("scopeType".into(), json!(a.scope.path.kind().wire_type()));
    m.insert("triggeredActionConfig".into(), action_config(&a.action)?);
    m.insert("triggeredActionType".into(), json!(a.action.wire_type()));
    m.insert("triggeringEventType".into(), json!(a.event.wire_type()));
    Ok(Value::Object(m))
}

/// `CreateFilterTriggerInput` for a resolved automation (the automation's own id is ignored).
pub fn create_input(a: &Automation) -> Result<Value, WireError> {
    input(a, None)
}

/// `UpdateFilterTriggerInput`: the whole automation plus its id, as the SDK sends it.
pub fn update_input(a: &Automation) -> Result<Value, WireError> {
    let id =
        a.id.as_deref()
            .ok_or_else(|| WireError::new("an update needs the automation's id"))?;
    input(a, Some(id))
}
