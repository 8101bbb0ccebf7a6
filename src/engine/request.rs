//! The request an action sends: W&B's `${...}` variables filled into the webhook payload as text
//! inside JSON strings (so a value with quotes never breaks it), the Slack message, and the
//! headers (`Authorization: Bearer`, `X-Wandb-Signature`, `X-Wbauto-Delivery`). Secrets stay
//! as names until the moment of sending, so what is stored and shown never holds them.

use super::eval::Firing;
use super::event::{EngineEvent, EventBody, number_json};
use crate::model::summary::event_sentence;
use crate::model::{Action, Automation, Event, Integration, IntegrationKind};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// What is shown where a secret would be.
pub const MASK: &str = "••••";

/// A request ready to be sent, secrets still by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Where it goes.
    pub url: String,
    /// The JSON body; `${ACCESS_TOKEN}` and `${SECRET_NAME}` are filled in when sent.
    pub body: String,
    /// The secret whose value becomes `Authorization: Bearer ...`.
    pub access_token_ref: Option<String>,
    /// The secret that signs the body (`X-Wandb-Signature`).
    pub secret_ref: Option<String>,
    /// The execution id, sent as `X-Wbauto-Delivery`.
    pub delivery: String,
    /// A demo integration: recorded, never sent.
    pub demo: bool,
}

/// W&B's name of an automation's event, as its variables render it (`LINK_ARTIFACT` for the
/// wire's `LINK_MODEL`, as W&B's docs write it).
pub fn event_type_name(a: &Automation) -> String {
    match a.event.wire_type() {
        "LINK_MODEL" => "LINK_ARTIFACT".to_string(),
        other => other.to_string(),
    }
}

fn list_text(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|v| number_json(*v).to_string()).collect();
    format!("[{}]", items.join(", "))
}

/// The variables of an execution (without the secret ones), by name.
pub fn variables(a: &Automation, event: &EngineEvent, firing: &Firing) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = vec![
        ("automation_name".into(), a.name.clone()),
        ("event_type".into(), event_type_name(a)),
    ];
    let mut put = |k: &str, val: String| v.push((k.to_string(), val));
    if let Some(run) = &event.run {
        put("entity_name", run.entity.clone());
        put("project_name", run.project.clone());
        put(
            "run_name",
            run.display_name.clone().unwrap_or_else(|| run.run.clone()),
        );
        put("event_author", run.user.clone().unwrap_or_default());
    }
    match &event.body {
        EventBody::Metric { .. } => {
            if let Event::RunMetric { condition, .. } = &a.event {
                put("metric_name", condition.metric().to_string());
            }
            put("metric_values", list_text(&firing.values));
            put("metric_filter", event_sentence(&a.event));
            put("run_status", "running".into());
        }
        EventBody::State(s) => put("run_status", s.name().into()),
        EventBody::Artifact {
            collection,
            version,
            alias,
            tag,
            author,
            metadata,
            ..
        } => {
            put("entity_name", collection.entity.clone());
            put("project_name", collection.project.clone());
            put("artifact_collection_name", collection.collection.clone());
            if let Some(n) = version {
                put("artifact_version", format!("v{n}"));
                put(
                    "artifact_version_string",
                    format!("{}:v{n}", collection.path()),
                );
            }
            put("alias", alias.clone().unwrap_or_default());
            put("tag", tag.clone().unwrap_or_default());
            put("event_author", author.clone().unwrap_or_default());
            for (k, value) in metadata {
                let text = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                put(&format!("artifact_metadata.{k}"), text);
            }
        }
    }
    v
}

/// Fills `${name}` in `text`: known names from `vars`, names in `keep` left as written (secrets,
/// filled at sending), every other name empty (W&B's rule).
pub fn fill(text: &str, vars: &[(String, String)], keep: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        if keep.contains(&name) {
            out.push_str(&rest[start..start + 3 + end]);
        } else if let Some((_, value)) = vars.iter().find(|(k, _)| k == name) {
            out.push_str(value);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn fill_json(value: &Value, vars: &[(String, String)], keep: &[&str]) -> Value {
    match value {
        Value::String(s) => Value::String(fill(s, vars, keep)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| fill_json(i, vars, keep)).collect())
        }
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), fill_json(v, vars, keep)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The names a webhook keeps for sending time: `ACCESS_TOKEN` and its secret's name.
fn secret_names(secret_ref: Option<&str>) -> Vec<&str> {
    let mut names = vec!["ACCESS_TOKEN"];
    names.extend(secret_ref);
    names
}

/// The request an execution sends, or `None` for a no-op (or a kind it cannot send).
pub fn build(
    a: &Automation,
    integration: Option<(&Integration, bool)>,
    event: &EngineEvent,
    firing: &Firing,
    delivery: &str,
) -> Option<Request> {
    let vars = variables(a, event, firing);
    let (integration, demo) = integration?;
    match (&a.action, &integration.kind) {
        (
            Action::Webhook { payload, .. },
            IntegrationKind::Webhook {
                url,
                secret_ref,
                access_token_ref,
                ..
            },
        ) => {
            let keep = secret_names(secret_ref.as_deref());
            let body = match payload {
                Some(p) => fill_json(&Value::Object(p.clone()), &vars, &keep),
                None => Value::Object(
                    vars.iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect::<Map<String, Value>>(),
                ),
            };
            Some(Request {
                url: url.clone(),
                body: body.to_string(),
                access_token_ref: access_token_ref.clone(),
                secret_ref: secret_ref.clone(),
                delivery: delivery.to_string(),
                demo,
            })
        }
        (
            Action::Slack {
                title,
                message,
                severity,
                ..
            },
            IntegrationKind::Slack {
                webhook_url: Some(url),
                ..
            },
        ) => {
            let title = fill(title, &vars, &[]);
            let message = fill(message, &vars, &[]);
            let what = match &event.run {
                Some(run) => format!(
                    "{} on run {} in {}/{}",
                    event.kind_name(),
                    run.display_name.as_deref().unwrap_or(&run.run),
                    run.entity,
                    run.project
                ),
                None => event.kind_name().to_string(),
            };
            let heading = if title.is_empty() {
                a.name.clone()
            } else {
                title
            };
            let text = format!("[{}] {heading}: {message}", severity.file_name());
            let body = json!({
                "text": text,
                "blocks": [
                    {"type": "header", "text": {"type": "plain_text", "text": heading}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": message}},
                    {"type": "context", "elements": [{"type": "mrkdwn", "text": format!(
                        "severity *{}* · automation *{}* · {what}", severity.file_name(), a.name
                    )}]}
                ]
            });
            Some(Request {
                url: url.clone(),
                body: body.to_string(),
                access_token_ref: None,
                secret_ref: None,
                delivery: delivery.to_string(),
                demo,
            })
        }
        _ => None,
    }
}

/// The signature W&B sends: base64(HMAC-SHA256(secret, body)).
pub fn signature(secret: &str, body: &str) -> String {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(body.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The headers and body as sent, secrets filled in from `secret` (a lookup by name).
pub fn finish(
    request: &Request,
    secret: impl Fn(&str) -> Option<String>,
) -> Result<(Vec<(String, String)>, String), String> {
    let missing =
        |name: &str| format!("the secret {name} is not set; run `wbauto secrets set {name}`");
    let token = match &request.access_token_ref {
        Some(name) => Some(secret(name).ok_or_else(|| missing(name))?),
        None => None,
    };
    let key = match &request.secret_ref {
        Some(name) => Some((name.clone(), secret(name).ok_or_else(|| missing(name))?)),
        None => None,
    };
    let mut vars = vec![(
        "ACCESS_TOKEN".to_string(),
        token.clone().unwrap_or_default(),
    )];
    if let Some((name, value)) = &key {
        vars.push((name.clone(), value.clone()));
    }
    let body: Value = serde_json::from_str(&request.body)
        .map_err(|e| format!("the stored body is not JSON ({e})"))?;
    let body = fill_json(&body, &vars, &[]).to_string();
    let mut headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("X-Wbauto-Delivery".to_string(), request.delivery.clone()),
    ];
    if let Some(token) = token {
        headers.push(("Authorization".into(), format!("Bearer {token}")));
    }
    if let Some((_, value)) = key {
        headers.push(("X-Wandb-Signature".into(), signature(&value, &body)));
    }
    Ok((headers, body))
}

/// The request as people may see it (history, test fire): secrets masked.
pub fn shown(request: &Request) -> Value {
    let mut keep = vec![("ACCESS_TOKEN".to_string(), MASK.to_string())];
    if let Some(name) = &request.secret_ref {
        keep.push((name.clone(), MASK.to_string()));
    }
    let body = serde_json::from_str::<Value>(&request.body)
        .map(|b| fill_json(&b, &keep, &[]))
        .unwrap_or(Value::String(request.body.clone()));
    let mut headers = Map::new();
    headers.insert("Content-Type".into(), json!("application/json"));
    headers.insert("X-Wbauto-Delivery".into(), json!(request.delivery));
    if request.access_token_ref.is_some() {
        headers.insert("Authorization".into(), json!(format!("Bearer {MASK}")));
    }
    if request.secret_ref.is_some() {
        headers.insert("X-Wandb-Signature".into(), json!(MASK));
    }
    json!({"method": "POST", "url": request.url, "headers": headers, "body": body})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_known_vector() {
        assert_eq!(
            signature("k", "body"),
            "xtgR7zrrAkN81CPxq+EyCQQYZGML3E4sBN71x7ADGiM="
        );
    }

    #[test]
    fn variables_fill_as_text_and_unknown_ones_are_empty() {
        let vars = vec![("run_name".to_string(), "say \"hi\"".to_string())];
        let body = json!({"text": "run ${run_name} ${nope}!", "n": 3, "token": "${ACCESS_TOKEN}"});
        let filled = fill_json(&body, &vars, &["ACCESS_TOKEN"]);
        assert_eq!(filled["text"], "run say \"hi\" !");
        assert_eq!(filled["token"], "${ACCESS_TOKEN}");
        let text = filled.to_string();
        assert!(serde_json::from_str::<Value>(&text).is_ok(), "{text}");
        assert_eq!(fill("${unclosed", &vars, &[]), "${unclosed");
    }
}
