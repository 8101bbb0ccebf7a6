//! An automation: scope + event → action, with its name and state.

use super::action::Action;
use super::event::{ArtifactEvent, Event};
use super::scope::Scope;

/// One automation (W&B calls it a trigger).
#[derive(Clone, Debug, PartialEq)]
pub struct Automation {
    /// W&B's id (`Trigger:<n>` in base64); `None` before it is created.
    pub id: Option<String>,
    /// Name, unique within its scope, 1..255 characters.
    pub name: String,
    /// Free text; `None` = not set (an update keeps the old one), `Some("")` clears it.
    pub description: Option<String>,
    /// Whether it fires.
    pub enabled: bool,
    /// Where it applies.
    pub scope: Scope,
    /// What makes it fire.
    pub event: Event,
    /// What it does.
    pub action: Action,
    /// When it was created (RFC 3339), for saved automations.
    pub created_at: Option<String>,
    /// When it was last changed (RFC 3339), for saved automations; also the edit precondition
    /// (see [`Automation::is_unread`]).
    pub updated_at: Option<String>,
}

impl Automation {
    /// Whether it was never read from a backend (a file that names an id): it then carries no
    /// version to check, and an update is sent as the SDK sends it, without a precondition.
    pub(crate) fn is_unread(&self) -> bool {
        self.created_at.is_none()
    }

    /// Why this automation cannot be created or changed by wbauto, or `None` if it can.
    pub fn read_only_reason(&self) -> Option<String> {
        match (&self.event, &self.action) {
            (Event::Raw { event_type, .. }, _) => {
                Some(format!("its event type {event_type} is not one wbauto can edit; it is shown as stored"))
            }
            (Event::Artifact { kind: ArtifactEvent::UpdateAlias, .. }, _) => {
                Some("UPDATE_ARTIFACT_ALIAS events cannot be assigned to automations any more (W&B refuses them)".into())
            }
            (_, Action::Raw { action_type, .. }) => {
                Some(format!("its action type {action_type} cannot be assigned to automations by W&B's API; it is shown as stored"))
            }
            _ => None,
        }
    }

    /// Whether it can be edited (not a legacy or unknown kind).
    pub fn is_editable(&self) -> bool {
        self.read_only_reason().is_none()
    }
}
