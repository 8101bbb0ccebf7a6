//! Slack channels and webhooks that actions post to.

use super::action::IntegrationRef;
use super::validate::Problem;

/// The longest webhook integration name W&B accepts.
pub(crate) const MAX_WEBHOOK_NAME: usize = 64;

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// W&B's rule for webhook names: words of letters, digits, `_` or `-`, separated by spaces.
pub fn webhook_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_WEBHOOK_NAME
        && !name.starts_with(' ')
        && !name.ends_with(' ')
        && name.chars().all(|c| is_word_char(c) || c == ' ')
}

/// Whether `url` is an http or https address with a host (and, if given, a valid port):
/// parsed, not checked by prefix (`http:///x` has no host; port 99999 does not exist).
fn url_ok(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    // The parser would take `http:///x` as host `x`; an address written that way has none.
    if rest.is_empty() || rest.starts_with('/') || url.contains(char::is_whitespace) {
        return false;
    }
    url::Url::parse(url).is_ok_and(|u| u.host_str().is_some_and(|h| !h.is_empty()))
}

/// Checks a new webhook integration's name and URL.
pub(crate) fn validate_webhook(name: &str, url: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    if !webhook_name_ok(name) {
        out.push(Problem::new(
            "name",
            format!("{name:?} is not a valid webhook name: use up to {MAX_WEBHOOK_NAME} letters, digits, _ or -, words separated by spaces"),
        ));
    }
    if !url_ok(url) {
        out.push(Problem::new(
            "url",
            format!(
                "{url:?} is not a web address: it needs https:// (or http://), a host and, if given, a port up to 65535"
            ),
        ));
    }
    out
}

/// Checks a new Slack integration's channel and incoming-webhook URL.
pub(crate) fn validate_slack(channel: &str, webhook_url: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let bare = channel.trim_start_matches('#');
    if bare.is_empty() || bare.contains(char::is_whitespace) {
        out.push(Problem::new(
            "channel",
            format!("{channel:?} is not a Slack channel; write it like #ml-alerts"),
        ));
    }
    // Plain http only to this machine (a local relay or a test receiver), never across a network.
    let loopback = url::Url::parse(webhook_url).is_ok_and(|u| {
        u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
    });
    if !(webhook_url.starts_with("https://") || loopback) || !url_ok(webhook_url) {
        out.push(Problem::new(
            "webhook_url",
            "give the channel's Slack incoming-webhook URL (https://hooks.slack.com/services/...; plain http only to 127.0.0.1 or localhost)",
        ));
    }
    out
}

/// What kind of integration, with its kind-specific fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntegrationKind {
    /// A Slack channel in a Slack workspace.
    Slack {
        /// The Slack workspace (W&B calls it `teamName`).
        team_name: String,
        /// The channel, usually with its leading `#`.
        channel: String,
        /// An incoming-webhook URL (local backend only; W&B keeps Slack credentials itself).
        webhook_url: Option<String>,
    },
    /// A generic webhook.
    Webhook {
        /// The integration's name (≤ 64 characters, words of letters, digits, `_`, `-`).
        name: String,
        /// Where W&B POSTs.
        url: String,
        /// Name of the team secret used to sign requests, if any.
        secret_ref: Option<String>,
        /// Name of the team secret sent as a bearer token, if any.
        access_token_ref: Option<String>,
    },
}

/// A Slack or webhook integration of an entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Integration {
    /// W&B's id.
    pub id: String,
    /// The entity (team) the integration belongs to.
    pub entity: String,
    /// Kind and details.
    pub kind: IntegrationKind,
}

impl Integration {
    /// The label used in files: the webhook's name or the Slack channel.
    pub fn label(&self) -> &str {
        match &self.kind {
            IntegrationKind::Slack { channel, .. } => channel,
            IntegrationKind::Webhook { name, .. } => name,
        }
    }

    /// Whether this is a Slack integration.
    pub(crate) fn is_slack(&self) -> bool {
        matches!(self.kind, IntegrationKind::Slack { .. })
    }

    /// Where it posts, for display: the webhook URL or `workspace #channel`.
    pub(crate) fn target(&self) -> String {
        match &self.kind {
            IntegrationKind::Slack {
                team_name, channel, ..
            } => format!("{team_name} {channel}"),
            IntegrationKind::Webhook { url, .. } => url.clone(),
        }
    }
}

fn channel_key(s: &str) -> &str {
    s.trim_start_matches('#')
}

/// Finds the integration a reference means among `candidates` (the entity's integrations).
///
/// `want_slack` says which kind the action needs. A reference with an id must match that id;
/// otherwise a `#channel` matches Slack channels (with or without `#`) and a name matches webhook
/// names. No match, a match of the wrong kind and two matches are errors that say what to do.
/// Whether `i` is the integration a file names `label` (a Slack channel with its `#`, a
/// webhook by name).
fn named(i: &Integration, label: &str) -> bool {
    match &i.kind {
        IntegrationKind::Slack { channel, .. } => {
            label.starts_with('#') && channel_key(channel) == channel_key(label)
        }
        IntegrationKind::Webhook { name, .. } => name == label,
    }
}

/// Whether no integration among `candidates` has the name `reference` gives (by id, whether
/// the id is there).
pub(crate) fn missing(reference: &IntegrationRef, candidates: &[Integration]) -> bool {
    match &reference.id {
        Some(id) => !candidates.iter().any(|i| &i.id == id),
        None => !candidates.iter().any(|i| named(i, &reference.label)),
    }
}

pub(crate) fn find<'a>(
    reference: &IntegrationRef,
    candidates: &'a [Integration],
    want_slack: bool,
) -> Result<&'a Integration, String> {
    let kind_word = if want_slack { "Slack" } else { "webhook" };
    if let Some(id) = &reference.id {
        let found = candidates
            .iter()
            .find(|i| &i.id == id)
            .ok_or_else(|| format!("no integration has the id {id}"))?;
        if found.is_slack() != want_slack {
            return Err(format!(
                "integration {id} ({}) is not a {kind_word} integration",
                found.label()
            ));
        }
        return Ok(found);
    }
    let label = reference.label.as_str();
    let matches: Vec<&Integration> = candidates.iter().filter(|i| named(i, label)).collect();
    match matches.as_slice() {
        [] => {
            let names: Vec<&str> = candidates
                .iter()
                .filter(|i| i.is_slack() == want_slack)
                .map(|i| i.label())
                .collect();
            let hint = if names.is_empty() {
                format!(
                    "there is no {kind_word} integration yet; add one first (`wbauto integrations`)"
                )
            } else {
                format!("known {kind_word} integrations: {}", names.join(", "))
            };
            let written = if want_slack && !label.starts_with('#') {
                " (Slack channels are written with their #)"
            } else {
                ""
            };
            Err(format!(
                "no {kind_word} integration named {label:?}{written}; {hint}"
            ))
        }
        [one] if one.is_slack() != want_slack => Err(format!(
            "{label:?} is a {} integration, but this action needs a {kind_word} integration",
            if one.is_slack() { "Slack" } else { "webhook" }
        )),
        [one] => Ok(one),
        many => Err(format!(
            "{label:?} matches {} integrations ({}); write {{id: ...}} to pick one",
            many.len(),
            many.iter()
                .map(|i| format!("{} {}", i.id, i.target()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slack(id: &str, channel: &str) -> Integration {
        Integration {
            id: id.into(),
            entity: "acme".into(),
            kind: IntegrationKind::Slack {
                team_name: "acme-ml".into(),
                channel: channel.into(),
                webhook_url: None,
            },
        }
    }

    fn hook(id: &str, name: &str) -> Integration {
        Integration {
            id: id.into(),
            entity: "acme".into(),
            kind: IntegrationKind::Webhook {
                name: name.into(),
                url: "https://x".into(),
                secret_ref: None,
                access_token_ref: None,
            },
        }
    }

    #[test]
    fn webhook_names_follow_wandb_rules() {
        assert!(webhook_name_ok("ok name-1_x"));
        assert!(!webhook_name_ok("dots.bad"));
        assert!(!webhook_name_ok(" lead"));
        assert!(!webhook_name_ok(&"x".repeat(65)));
        assert_eq!(validate_webhook("a.b", "ftp://x").len(), 2);
        assert!(validate_slack("#ok", "https://hooks.slack.com/services/x").is_empty());
        assert_eq!(validate_slack("# bad", "http://x").len(), 2);
        for bad in ["http:///x", "https://x:99999/", "https://", "http://a b/"] {
            assert_eq!(validate_webhook("ok", bad).len(), 1, "{bad}");
        }
        assert!(validate_webhook("ok", "https://ci.example.com:8443/h?x=1").is_empty());
        assert_eq!(
            validate_slack("#ok", "http://127.0.0.1.evil.example/services/x").len(),
            1,
            "plain http only to this machine, by host, not by prefix"
        );
        assert!(validate_slack("#ok", "http://127.0.0.1:9/services/x").is_empty());
    }

    #[test]
    fn finds_by_channel_with_or_without_hash_and_by_name() {
        let all = vec![
            slack("s1", "#ml-alerts"),
            slack("s2", "ops"),
            hook("w1", "ci-deploy"),
        ];
        assert_eq!(
            find(&IntegrationRef::named("#ml-alerts"), &all, true)
                .unwrap()
                .id,
            "s1"
        );
        assert_eq!(
            find(&IntegrationRef::named("#ops"), &all, true).unwrap().id,
            "s2"
        );
        assert_eq!(
            find(&IntegrationRef::named("ci-deploy"), &all, false)
                .unwrap()
                .id,
            "w1"
        );
    }

    #[test]
    fn explains_missing_wrong_kind_and_ambiguous() {
        let all = vec![slack("s1", "#a"), slack("s2", "a"), hook("w1", "hook")];
        let err = find(&IntegrationRef::named("#a"), &all, true).unwrap_err();
        assert!(err.contains("matches 2 integrations"), "{err}");
        let err = find(&IntegrationRef::named("hook"), &all, true).unwrap_err();
        assert!(err.contains("is a webhook integration"), "{err}");
        let err = find(&IntegrationRef::named("nope"), &all, false).unwrap_err();
        assert!(err.contains("known webhook integrations: hook"), "{err}");
        let id_ref = IntegrationRef {
            id: Some("zz".into()),
            ..Default::default()
        };
        assert!(
            find(&id_ref, &all, true)
                .unwrap_err()
                .contains("no integration has the id zz")
        );
    }
}
