//! The integrations screen: the entity's Slack channels and webhooks.

use super::super::keys::Action;
use super::super::msg::Effect;
use super::super::state::State;
use super::super::store::session::RequestKind;
use super::Screen;
use crate::model::{Integration, IntegrationKind};

/// One integration as its row shows it, prepared when the list arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntegrationRow {
    /// `slack` or `webhook`.
    pub kind: &'static str,
    /// The channel or the webhook's name.
    pub name: String,
    /// The Slack workspace or the webhook's URL.
    pub target: String,
    /// Which secrets it refers to, by name (never their values), or the Slack incoming webhook.
    pub secrets: String,
    /// Its id.
    pub id: String,
}

impl IntegrationRow {
    /// The row of one integration.
    pub fn of(integration: &Integration) -> Self {
        let (kind, target, secrets) = match &integration.kind {
            IntegrationKind::Slack {
                team_name,
                webhook_url,
                ..
            } => (
                "slack",
                format!("workspace {team_name}"),
                if webhook_url.is_some() {
                    "incoming webhook".into()
                } else {
                    String::new()
                },
            ),
            IntegrationKind::Webhook {
                url,
                secret_ref,
                access_token_ref,
                ..
            } => {
                let refs: Vec<String> = [
                    secret_ref.as_ref().map(|s| format!("secret {s}")),
                    access_token_ref.as_ref().map(|t| format!("token {t}")),
                ]
                .into_iter()
                .flatten()
                .collect();
                ("webhook", url.clone(), refs.join(", "))
            }
        };
        Self {
            kind,
            name: integration.label().to_string(),
            target,
            secrets,
            id: integration.id.clone(),
        }
    }
}

/// The integrations screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntegrationsScreen {
    /// The highlighted row.
    pub selected: usize,
}

/// A new integrations request; older answers will be dropped.
pub fn request(state: &mut State) -> Effect {
    Effect::ListIntegrations {
        request: state.session.request(RequestKind::Integrations),
        entity: state.entity().to_string(),
    }
}

/// Moving, reloading and going back.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let page = state.page_rows() as isize;
    let count = state
        .integrations
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .map_or(0, Vec::len) as isize;
    let Screen::Integrations(screen) = &mut state.screen else {
        return None;
    };
    match action {
        _ if super::is_movement(action) => {
            let to = (screen.selected as isize).saturating_add(super::delta(action, page));
            screen.selected = to.clamp(0, (count - 1).max(0)) as usize;
        }
        Action::Refresh => {
            state.integrations = None;
            return Some(vec![request(state)]);
        }
        Action::Back => state.screen = Screen::List,
        _ => return None,
    }
    Some(Vec::new())
}
