//! Writing automation files: every key, defaults included, so a round trip changes nothing.

use super::Format;
use crate::model::expr::Expr;
use crate::model::{Action, Automation, Event, IntegrationRef, MetricCondition};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

/// A map of one entry (a scope's `{kind: path}`).
struct Entry<'a, V>(&'a str, V);

impl<V: Serialize> Serialize for Entry<'_, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.0, &self.1)?;
        m.end()
    }
}

fn filter_value(filter: Option<&Expr>) -> Value {
    filter.map_or(Value::Null, Expr::to_json)
}

/// The file form of an event (every key of its type), written as it is serialized.
struct EventDoc<'a>(&'a Event);

impl Serialize for EventDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let event = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", event.kind().file_name())?;
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
                        m.serialize_entry("metric", metric)?;
                        m.serialize_entry("agg", &agg.map(|a| a.file_name()))?;
                        m.serialize_entry("window", window)?;
                        m.serialize_entry("cmp", cmp.symbol())?;
                        m.serialize_entry("threshold", threshold)?;
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
                        m.serialize_entry("metric", metric)?;
                        m.serialize_entry("agg", &agg.map(|a| a.file_name()))?;
                        m.serialize_entry("window", window)?;
                        m.serialize_entry("prior_window", prior_window)?;
                        m.serialize_entry("direction", direction.file_name())?;
                        m.serialize_entry("change", change.file_name())?;
                        m.serialize_entry("amount", amount)?;
                    }
                    MetricCondition::ZScore {
                        metric,
                        window,
                        threshold,
                        direction,
                    } => {
                        m.serialize_entry("metric", metric)?;
                        m.serialize_entry("window", window)?;
                        m.serialize_entry("threshold", threshold)?;
                        m.serialize_entry("direction", direction.file_name())?;
                    }
                }
                m.serialize_entry("run_filter", &filter_value(run_filter.as_ref()))?;
            }
            Event::RunState { run_filter, states } => {
                let states: Vec<&str> = states.iter().map(|s| s.file_name()).collect();
                m.serialize_entry("states", &states)?;
                m.serialize_entry("run_filter", &filter_value(run_filter.as_ref()))?;
            }
            Event::RunStalled {
                run_filter,
                after,
                adaptive,
                factor,
            } => {
                m.serialize_entry("after", &after.to_string())?;
                m.serialize_entry("adaptive", adaptive)?;
                m.serialize_entry("factor", factor)?;
                m.serialize_entry("run_filter", &filter_value(run_filter.as_ref()))?;
            }
            Event::RunMetricNonfinite { run_filter, metric } => {
                m.serialize_entry("metric", metric)?;
                m.serialize_entry("run_filter", &filter_value(run_filter.as_ref()))?;
            }
            Event::Artifact { filter, .. } => {
                m.serialize_entry("filter", &filter_value(filter.as_ref()))?;
            }
            Event::Raw { event_type, filter } => {
                m.serialize_entry("wire_event_type", event_type)?;
                m.serialize_entry("wire_filter", filter)?;
            }
        }
        m.end()
    }
}

/// The file form of an event (every key of its type).
pub(crate) fn event_value(event: &Event) -> Value {
    tree(&EventDoc(event))
}

fn integration_value(r: &IntegrationRef, default_entity: &str) -> Value {
    match (&r.entity, r.label.is_empty(), &r.id) {
        (_, true, Some(id)) => json!({"id": id}),
        (Some(e), false, _) if e != default_entity => json!(format!("{e}/{}", r.label)),
        _ => json!(r.label),
    }
}

/// The file form of an action (every key of its type), written as it is serialized.
struct ActionDoc<'a> {
    action: &'a Action,
    default_entity: &'a str,
}

impl Serialize for ActionDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", self.action.kind().file_name())?;
        match self.action {
            Action::Slack {
                integration,
                title,
                message,
                severity,
            } => {
                m.serialize_entry(
                    "integration",
                    &integration_value(integration, self.default_entity),
                )?;
                m.serialize_entry("title", title)?;
                m.serialize_entry("message", message)?;
                m.serialize_entry("severity", severity.file_name())?;
            }
            Action::Webhook {
                integration,
                payload,
            } => {
                m.serialize_entry(
                    "integration",
                    &integration_value(integration, self.default_entity),
                )?;
                m.serialize_entry("payload", payload)?;
            }
            Action::NoOp => {}
            Action::Raw {
                action_type,
                action,
            } => {
                m.serialize_entry("wire_action_type", action_type)?;
                m.serialize_entry("wire_action", action)?;
            }
        }
        m.end()
    }
}

/// The file form of an automation, serialized straight to text (as `list --json` does) or
/// made a tree by [`to_value`]. `default_entity` is left out of integration references;
/// `with_times` adds `created_at` / `updated_at`.
pub struct AutomationDoc<'a> {
    /// The automation.
    pub automation: &'a Automation,
    /// The entity integration references are relative to.
    pub default_entity: &'a str,
    /// Whether to write `created_at` and `updated_at`.
    pub with_times: bool,
}

impl Serialize for AutomationDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let a = self.automation;
        let mut m = s.serialize_map(None)?;
        if let Some(id) = &a.id {
            m.serialize_entry("id", id)?;
        }
        m.serialize_entry("name", &a.name)?;
        m.serialize_entry("description", &a.description)?;
        m.serialize_entry("enabled", &a.enabled)?;
        m.serialize_entry(
            "scope",
            &Entry(a.scope.path.kind().file_key(), a.scope.path.path()),
        )?;
        m.serialize_entry("event", &EventDoc(&a.event))?;
        m.serialize_entry(
            "action",
            &ActionDoc {
                action: &a.action,
                default_entity: self.default_entity,
            },
        )?;
        if self.with_times {
            m.serialize_entry("created_at", &a.created_at)?;
            m.serialize_entry("updated_at", &a.updated_at)?;
        }
        m.end()
    }
}

/// A document as a tree. Its maps have string keys and its numbers are finite, so this cannot
/// fail.
fn tree(doc: &impl Serialize) -> Value {
    serde_json::to_value(doc).unwrap_or(Value::Null)
}

/// The file form of an automation (see [`AutomationDoc`]).
pub fn to_value(a: &Automation, default_entity: &str, with_times: bool) -> Value {
    tree(&AutomationDoc {
        automation: a,
        default_entity,
        with_times,
    })
}

/// Writes automations as pretty JSON with a final newline, without building a tree or a text
/// of the whole.
pub fn write_json_list(
    out: &mut impl std::io::Write,
    docs: &[AutomationDoc<'_>],
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, docs)?;
    out.write_all(b"\n")?;
    out.flush()
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
