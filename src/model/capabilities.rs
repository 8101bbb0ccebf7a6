//! What a backend accepts: scopes, events, actions, comparators and aggregations.

use super::action::ActionKind;
use super::automation::Automation;
use super::event::{Agg, Cmp, Event, EventKind, MetricCondition};
use super::scope::ScopeKind;
use super::validate::Problem;
use std::collections::BTreeMap;

/// One thing a backend may or may not accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feature {
    /// A kind of scope.
    Scope(ScopeKind),
    /// A kind of event.
    Event(EventKind),
    /// A kind of action.
    Action(ActionKind),
    /// A threshold comparator.
    Comparator(Cmp),
    /// A metric aggregation.
    Aggregation(Agg),
    /// Creating Slack integrations from wbauto.
    CreateSlackIntegration,
    /// Creating webhook integrations from wbauto.
    CreateWebhookIntegration,
}

/// What a backend accepts. Everything is accepted unless listed with the reason it is not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Features that are not accepted, each with a sentence saying why.
    pub unsupported: BTreeMap<Feature, String>,
}

impl Capabilities {
    /// Accepts everything.
    pub fn everything() -> Self {
        Self::default()
    }

    /// Marks a feature as not accepted, with the reason shown to users.
    pub(crate) fn deny(&mut self, feature: Feature, reason: impl Into<String>) {
        self.unsupported.insert(feature, reason.into());
    }

    /// `Ok` if the feature is accepted, else the reason it is not.
    pub fn supports(&self, feature: Feature) -> Result<(), &str> {
        match self.unsupported.get(&feature) {
            Some(reason) => Err(reason),
            None => Ok(()),
        }
    }

    /// Checks an automation against these capabilities; one problem per unsupported part.
    pub(crate) fn check(&self, a: &Automation) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut need = |path: &str, feature: Feature, what: String| {
            if let Err(reason) = self.supports(feature) {
                out.push(Problem::new(
                    path,
                    format!("{what} is not available here: {reason}"),
                ));
            }
        };
        let scope = a.scope.path.kind();
        need(
            "scope",
            Feature::Scope(scope),
            format!("a {} scope", scope.file_key()),
        );
        let kind = a.event.kind();
        need(
            "event.type",
            Feature::Event(kind),
            format!("the {} event", kind.file_name()),
        );
        let action = a.action.kind();
        need(
            "action.type",
            Feature::Action(action),
            format!("the {} action", action.file_name()),
        );
        if let Event::RunMetric { condition, .. } = &a.event {
            let agg = match condition {
                MetricCondition::Threshold { agg, cmp, .. } => {
                    need(
                        "event.cmp",
                        Feature::Comparator(*cmp),
                        format!("the comparator {}", cmp.symbol()),
                    );
                    *agg
                }
                MetricCondition::Change { agg, .. } => *agg,
                MetricCondition::ZScore { .. } => None,
            };
            if let Some(agg) = agg {
                need(
                    "event.agg",
                    Feature::Aggregation(agg),
                    format!("the aggregation {}", agg.file_name()),
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denied_features_carry_their_reason() {
        let mut caps = Capabilities::everything();
        assert!(caps.supports(Feature::Comparator(Cmp::Eq)).is_ok());
        caps.deny(
            Feature::Comparator(Cmp::Eq),
            "W&B's API accepts only > >= < <=",
        );
        assert_eq!(
            caps.supports(Feature::Comparator(Cmp::Eq)),
            Err("W&B's API accepts only > >= < <=")
        );
    }
}
