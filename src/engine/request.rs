//! The request an action sends: W&B's `${...}` variables filled into the webhook payload as text
//! inside JSON strings (so a value with quotes never breaks it), the Slack message, and the
//! headers (`Authorization: Bearer`, `X-Wandb-Signature`, `X-Wbauto-Delivery`).
//!
//! Templates are filled once. A secret the automation's own payload names (`${ACCESS_TOKEN}`, the
//! webhook's secret) is not written into the body: its place is kept as a [`Slot`], and its value
//! goes there only at sending. So what is stored and shown never holds a secret, and a value
//! filled in (a run's name such as `${ACCESS_TOKEN}`) is never read as a template again.

use super::eval::{Finding, Firing};
use super::event::{EngineEvent, EventBody, number_json};
use crate::model::summary::event_sentence;
use crate::model::{Action, Automation, Event, Integration, IntegrationKind};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// What is shown where a secret would be.
pub(crate) const MASK: &str = "••••";

/// Where a secret's value goes in a request's body: a byte offset inside a JSON string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// The offset in the body, before which the value's JSON-escaped text is put.
    pub at: usize,
    /// The secret: `ACCESS_TOKEN` or the webhook secret's name.
    pub name: String,
}

/// A request ready to be sent, secrets still by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Where it goes.
    pub url: String,
    /// The JSON body, every variable filled in but the secrets (see `slots`).
    pub body: String,
    /// Where the secrets go in `body`, in order.
    #[serde(default)]
    pub slots: Vec<Slot>,
    /// The secret whose value becomes `Authorization: Bearer ...`.
    pub access_token_ref: Option<String>,
    /// The secret that signs the body (`X-Wandb-Signature`).
    pub secret_ref: Option<String>,
    /// The execution id, sent as `X-Wbauto-Delivery`.
    pub delivery: String,
    /// A demo integration: recorded, never sent.
    pub demo: bool,
    /// A Slack incoming webhook: its URL grants posting, so it is never shown.
    #[serde(default)]
    pub slack: bool,
}

/// W&B's name of an automation's event, as its variables render it (`LINK_ARTIFACT` for the
/// wire's `LINK_MODEL`, as W&B's docs write it).
pub(crate) fn event_type_name(a: &Automation) -> String {
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
        EventBody::Alive => put("run_status", "running".into()),
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
    match &firing.finding {
        Some(Finding::Stall { stalled_for }) => {
            put("stalled_for", stalled_for.to_string());
            put(
                "last_step",
                firing.step.map(|s| s.to_string()).unwrap_or_default(),
            );
        }
        Some(Finding::Nonfinite { metric }) => {
            put("metric_name", metric.clone());
            let value = firing.value.map(number_json).unwrap_or_default();
            put(
                "metric_value",
                value.as_str().unwrap_or_default().to_string(),
            );
        }
        None => {}
    }
    v
}

/// Writes `s` as the inside of a JSON string.
fn push_escaped(out: &mut String, s: &str) {
    let quoted = Value::String(s.to_string()).to_string();
    out.push_str(&quoted[1..quoted.len() - 1]);
}

/// A piece of a template: literal text, or a `${name}` reference.
enum Piece<'a> {
    Text(&'a str),
    Name(&'a str),
}

/// Splits a template into its pieces, in order (an unclosed `${` is literal text).
fn pieces(text: &str, mut each: impl FnMut(Piece<'_>)) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            break;
        };
        each(Piece::Text(&rest[..start]));
        each(Piece::Name(&after[..end]));
        rest = &after[end + 1..];
    }
    each(Piece::Text(rest));
}

/// Writes `text` as the inside of a JSON string with `${name}` filled in once: known names from
/// `vars`, names in `secrets` kept as slots, every other name empty (W&B's rule).
fn fill_into(
    out: &mut String,
    slots: &mut Vec<Slot>,
    text: &str,
    vars: &[(String, String)],
    secrets: &[&str],
) {
    pieces(text, |piece| match piece {
        Piece::Text(t) => push_escaped(out, t),
        Piece::Name(name) if secrets.contains(&name) => slots.push(Slot {
            at: out.len(),
            name: name.to_string(),
        }),
        Piece::Name(name) => {
            if let Some((_, value)) = vars.iter().find(|(k, _)| k == name) {
                push_escaped(out, value);
            }
        }
    });
}

/// Fills `${name}` in `text` once: known names from `vars`, every other name empty.
pub(crate) fn fill(text: &str, vars: &[(String, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    pieces(text, |piece| match piece {
        Piece::Text(t) => out.push_str(t),
        Piece::Name(name) => {
            if let Some((_, value)) = vars.iter().find(|(k, _)| k == name) {
                out.push_str(value);
            }
        }
    });
    out
}

/// Writes `value` as JSON text with its strings filled (see [`fill_into`]).
fn render(
    out: &mut String,
    slots: &mut Vec<Slot>,
    value: &Value,
    vars: &[(String, String)],
    secrets: &[&str],
) {
    match value {
        Value::String(s) => {
            out.push('"');
            fill_into(out, slots, s, vars, secrets);
            out.push('"');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                render(out, slots, item, vars, secrets);
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, v)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('"');
                push_escaped(out, k);
                out.push_str("\":");
                render(out, slots, v, vars, secrets);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The names a webhook's payload may use for its secrets: `ACCESS_TOKEN` and its secret's name.
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
            let secrets = secret_names(secret_ref.as_deref());
            let (mut body, mut slots) = (String::new(), Vec::new());
            match payload {
                Some(p) => render(
                    &mut body,
                    &mut slots,
                    &Value::Object(p.clone()),
                    &vars,
                    &secrets,
                ),
                None => {
                    body = Value::Object(
                        vars.iter()
                            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                            .collect::<Map<String, Value>>(),
                    )
                    .to_string();
                }
            }
            Some(Request {
                url: url.clone(),
                body,
                slots,
                access_token_ref: access_token_ref.clone(),
                secret_ref: secret_ref.clone(),
                delivery: delivery.to_string(),
                demo,
                slack: false,
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
            let title = fill(title, &vars);
            let message = fill(message, &vars);
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
                slots: Vec::new(),
                access_token_ref: None,
                secret_ref: None,
                delivery: delivery.to_string(),
                demo,
                slack: true,
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

/// The body with each slot's text put in its place (`text` gives it, JSON-escaped).
fn with_slots(request: &Request, text: impl Fn(&str) -> String) -> Result<String, String> {
    let body = &request.body;
    let mut out = String::with_capacity(body.len());
    let mut from = 0;
    for slot in &request.slots {
        if slot.at < from || slot.at > body.len() || !body.is_char_boundary(slot.at) {
            return Err("the stored request is damaged (a secret's place is out of order)".into());
        }
        out.push_str(&body[from..slot.at]);
        push_escaped(&mut out, &text(&slot.name));
        from = slot.at;
    }
    out.push_str(&body[from..]);
    Ok(out)
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
    let body = with_slots(request, |name| match (&key, &token) {
        (Some((k, value)), _) if k == name => value.clone(),
        (_, Some(t)) if name == "ACCESS_TOKEN" => t.clone(),
        _ => String::new(),
    })?;
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

/// A URL as people may see it: any `user:password@` masked, and a Slack incoming webhook's path
/// (which grants posting) masked; `slack` says the URL is one even when its host is not Slack's.
pub(crate) fn shown_url(url: &str, slack: bool) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return MASK.to_string();
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        let _ = parsed.set_username(MASK);
        let _ = parsed.set_password(None);
    }
    if slack || parsed.host_str() == Some("hooks.slack.com") {
        parsed.set_path(MASK);
        parsed.set_query(None);
    }
    // The URL parser percent-encodes the mask; show it as written.
    parsed.to_string().replace("%E2%80%A2", "•")
}

/// The request as people may see it (history, test fire): secrets and secret URLs masked.
pub fn shown(request: &Request) -> Value {
    let body = with_slots(request, |_| MASK.to_string())
        .ok()
        .and_then(|b| serde_json::from_str::<Value>(&b).ok())
        .unwrap_or_else(|| Value::String(MASK.to_string()));
    let mut headers = Map::new();
    headers.insert("Content-Type".into(), json!("application/json"));
    headers.insert("X-Wbauto-Delivery".into(), json!(request.delivery));
    if request.access_token_ref.is_some() {
        headers.insert("Authorization".into(), json!(format!("Bearer {MASK}")));
    }
    if request.secret_ref.is_some() {
        headers.insert("X-Wandb-Signature".into(), json!(MASK));
    }
    json!({"method": "POST", "url": shown_url(&request.url, request.slack), "headers": headers, "body": body})
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

    fn webhook_request(payload: &Value, vars: &[(String, String)]) -> Request {
        let (mut body, mut slots) = (String::new(), Vec::new());
        render(
            &mut body,
            &mut slots,
            payload,
            vars,
            &["ACCESS_TOKEN", "SIGN"],
        );
        Request {
            url: "http://127.0.0.1:1/hook".into(),
            body,
            slots,
            access_token_ref: Some("TOKEN".into()),
            secret_ref: Some("SIGN".into()),
            delivery: "exe_1".into(),
            demo: false,
            slack: false,
        }
    }

    fn secret(name: &str) -> Option<String> {
        match name {
            "TOKEN" => Some("tok-\"123\"".into()),
            "SIGN" => Some("s3cret".into()),
            _ => None,
        }
    }

    #[test]
    fn variables_fill_as_text_and_unknown_ones_are_empty() {
        let vars = vec![("run_name".to_string(), "say \"hi\"".to_string())];
        let payload = json!({"text": "run ${run_name} ${nope}!", "n": [3, true, null], "token": "${ACCESS_TOKEN}"});
        let request = webhook_request(&payload, &vars);
        let (_, body) = finish(&request, secret).unwrap();
        let sent: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(sent["text"], "run say \"hi\" !");
        assert_eq!(sent["n"], json!([3, true, null]));
        assert_eq!(
            sent["token"], "tok-\"123\"",
            "a secret the payload names is filled, escaped"
        );
        assert_eq!(shown(&request)["body"]["token"], MASK);
        assert_eq!(fill("${unclosed", &vars), "${unclosed");
        assert_eq!(fill("${run_name}${x}!", &vars), "say \"hi\"!");
    }

    #[test]
    fn a_value_filled_in_is_never_read_as_a_template_again() {
        for name in ["${ACCESS_TOKEN} ${SIGN}", "$${run_name}}", "${run_name}"] {
            let vars = vec![("run_name".to_string(), name.to_string())];
            let payload = json!({"run": "${run_name}", "token": "${ACCESS_TOKEN}"});
            let request = webhook_request(&payload, &vars);
            let (_, body) = finish(&request, secret).unwrap();
            let sent: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(
                sent["run"], name,
                "the run's name arrives as it was written"
            );
            assert_eq!(sent["token"], "tok-\"123\"");
            assert!(!sent["run"].as_str().unwrap().contains("s3cret"));
        }
    }

    #[test]
    fn urls_shown_hide_userinfo_and_slack_paths() {
        assert_eq!(
            shown_url("https://bob:pw@example.com/hook?x=1", false),
            "https://••••@example.com/hook?x=1"
        );
        assert_eq!(
            shown_url("https://hooks.slack.com/services/T1/B2/sekrit", false),
            "https://hooks.slack.com/••••"
        );
        assert_eq!(
            shown_url("http://127.0.0.1:9/slack", true),
            "http://127.0.0.1:9/••••"
        );
        assert_eq!(shown_url("not a url", false), MASK);
    }
}
