//! What an automation does when it fires.

use serde_json::{Map, Value};

/// Severity of a Slack notification.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    /// Informational (the default).
    #[default]
    Info,
    /// A warning.
    Warn,
    /// An error.
    Error,
}

impl Severity {
    /// Every severity.
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warn, Severity::Error];

    /// The file form (`info`, `warn`, `error`).
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Error => "error",
        }
    }

    /// The wire form (`INFO`, `WARN`, `ERROR`).
    pub(crate) fn wire_name(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warn => "WARN",
            Severity::Error => "ERROR",
        }
    }

    /// Parses either form, case-insensitively.
    pub(crate) fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|v| v.file_name().eq_ignore_ascii_case(s))
    }
}

/// A reference to a Slack or webhook integration, as written in a file and as resolved.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct IntegrationRef {
    /// W&B's id once resolved (or when the file gave `{id: ...}`).
    pub id: Option<String>,
    /// The entity the integration belongs to, when the file named it (`ENTITY/NAME`).
    pub entity: Option<String>,
    /// A webhook integration's name, or a Slack integration's channel with its `#`.
    pub label: String,
}

impl IntegrationRef {
    /// A reference by label (webhook name or `#channel`), in the default entity.
    pub fn named(label: &str) -> Self {
        Self {
            id: None,
            entity: None,
            label: label.to_string(),
        }
    }

    /// How to show the reference to people: `#channel` or the webhook's name (the id if unnamed).
    pub(crate) fn display(&self) -> String {
        match (&self.id, self.label.is_empty()) {
            (Some(id), true) => id.clone(),
            _ => self.label.clone(),
        }
    }
}

/// What an automation does.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Post a message to a Slack channel (`NOTIFICATION`).
    Slack {
        /// The Slack integration (a channel).
        integration: IntegrationRef,
        /// Message title ("" by default).
        title: String,
        /// Message body ("" by default).
        message: String,
        /// Severity (info by default).
        severity: Severity,
    },
    /// POST to a webhook (`GENERIC_WEBHOOK`).
    Webhook {
        /// The webhook integration.
        integration: IntegrationRef,
        /// The JSON object sent; `${...}` variables are plain text. `None` = no payload.
        payload: Option<Map<String, Value>>,
    },
    /// Do nothing (`NO_OP`), e.g. to test an event.
    NoOp,
    /// An action this version cannot create (QUEUE_JOB, PUSH_NOTIFICATION, a future type), as received.
    Raw {
        /// The wire action type, e.g. `QUEUE_JOB`.
        action_type: String,
        /// The saved action object, unchanged.
        action: Value,
    },
}

/// The kinds of action a user can pick, one per file `action.type`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum ActionKind {
    /// `slack`
    Slack,
    /// `webhook`
    Webhook,
    /// `no_op`
    NoOp,
    /// Anything else (read-only).
    Raw,
}

impl ActionKind {
    /// The kinds a user can create, in menu order.
    pub const CREATABLE: [ActionKind; 3] =
        [ActionKind::Slack, ActionKind::Webhook, ActionKind::NoOp];

    /// The file `action.type` value.
    pub fn file_name(self) -> &'static str {
        match self {
            ActionKind::Slack => "slack",
            ActionKind::Webhook => "webhook",
            ActionKind::NoOp => "no_op",
            ActionKind::Raw => "raw",
        }
    }

    /// The wire `triggeredActionType` value.
    pub(crate) fn wire_name(self) -> &'static str {
        match self {
            ActionKind::Slack => "NOTIFICATION",
            ActionKind::Webhook => "GENERIC_WEBHOOK",
            ActionKind::NoOp => "NO_OP",
            ActionKind::Raw => "RAW",
        }
    }
}

impl Action {
    /// The kind of this action.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Slack { .. } => ActionKind::Slack,
            Action::Webhook { .. } => ActionKind::Webhook,
            Action::NoOp => ActionKind::NoOp,
            Action::Raw { .. } => ActionKind::Raw,
        }
    }

    /// The wire `triggeredActionType`, including a raw one as received.
    pub(crate) fn wire_type(&self) -> &str {
        match self {
            Action::Raw { action_type, .. } => action_type,
            other => other.kind().wire_name(),
        }
    }

    /// The integration the action uses, if any.
    pub fn integration(&self) -> Option<&IntegrationRef> {
        match self {
            Action::Slack { integration, .. } | Action::Webhook { integration, .. } => {
                Some(integration)
            }
            _ => None,
        }
    }

    /// Mutable access to the integration the action uses, if any.
    pub fn integration_mut(&mut self) -> Option<&mut IntegrationRef> {
        match self {
            Action::Slack { integration, .. } | Action::Webhook { integration, .. } => {
                Some(integration)
            }
            _ => None,
        }
    }
}
