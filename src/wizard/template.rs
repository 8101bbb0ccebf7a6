//! Start templates: common automations pre-filled for newcomers, editable afterwards.

use super::answers::Answers;
use crate::model::{
    ActionKind, Agg, ArtifactEvent, ChangeType, Cmp, Direction, EventKind, RunState, ScopeKind,
    Severity,
};

/// A starting point of the wizard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// Slack when a run fails.
    FailedRuns,
    /// Slack when a metric crosses a threshold.
    MetricThreshold,
    /// Tell me when loss stops improving (a change condition).
    LossPlateau,
    /// Alert on a metric anomaly (z-score).
    Anomaly,
    /// Call a webhook (GitHub repository_dispatch) when an artifact gets the alias prod.
    ProdAliasWebhook,
    /// Tell me when training hangs (a stall, local engine only).
    TrainingHangs,
    /// Tell me when loss goes NaN (local engine only).
    LossNan,
    /// Start blank.
    Blank,
}

/// The GitHub `repository_dispatch` payload of the W&B docs (wire spec 6.2).
pub(crate) const GITHUB_DISPATCH: &str = r#"{
  "event_type": "BUILD_AND_DEPLOY",
  "client_payload": {
    "event_author": "${event_author}",
    "artifact_version": "${artifact_version}",
    "artifact_version_string": "${artifact_version_string}",
    "artifact_collection_name": "${artifact_collection_name}",
    "project_name": "${project_name}",
    "entity_name": "${entity_name}"
  }
}"#;

impl Template {
    /// Every template, in menu order.
    pub const ALL: [Template; 8] = [
        Template::FailedRuns,
        Template::MetricThreshold,
        Template::LossPlateau,
        Template::Anomaly,
        Template::TrainingHangs,
        Template::LossNan,
        Template::ProdAliasWebhook,
        Template::Blank,
    ];

    /// The menu label.
    pub(crate) fn title(self) -> &'static str {
        match self {
            Template::FailedRuns => "Slack me when a run fails",
            Template::MetricThreshold => "Slack when a metric crosses a threshold",
            Template::LossPlateau => "Tell me when loss stops improving",
            Template::Anomaly => "Alert on a metric anomaly",
            Template::ProdAliasWebhook => "Call a webhook when an artifact gets the alias prod",
            Template::TrainingHangs => "Tell me when training hangs",
            Template::LossNan => "Tell me when loss goes NaN",
            Template::Blank => "Start blank",
        }
    }

    /// One line on what it does.
    pub(crate) fn explanation(self) -> &'static str {
        match self {
            Template::FailedRuns => {
                "a run state event: fires once when a run of the project fails or crashes"
            }
            Template::MetricThreshold => {
                "fires when the average of the last 5 logged values of loss goes above 0.5"
            }
            Template::LossPlateau => {
                "a change condition: the last 10 values of val_loss average 5% above the 50 before"
            }
            Template::Anomaly => {
                "a z-score: accuracy moves more than 3 standard deviations from its mean over 30 values"
            }
            Template::ProdAliasWebhook => {
                "starts a GitHub Actions workflow (repository_dispatch) for the version that got prod"
            }
            Template::TrainingHangs => {
                "a run still alive logs no step for 30 minutes, or 5 times its usual pace (local engine only)"
            }
            Template::LossNan => {
                "loss is logged as NaN or infinite; once per run per day (local engine only)"
            }
            Template::Blank => "every step starts empty",
        }
    }

    /// The answers this template starts with, in `entity`.
    pub(crate) fn answers(self, entity: &str) -> Answers {
        let mut a = Answers::blank(entity);
        match self {
            Template::FailedRuns => {
                a.event = EventKind::RunState;
                a.states.insert(RunState::Failed);
                a.action = ActionKind::Slack;
                a.severity = Severity::Error;
                a.title = "A run failed".into();
                a.message = "A run of the project failed or crashed.".into();
                a.name = "run-failed".into();
            }
            Template::MetricThreshold => {
                a.metric = "loss".into();
                a.agg = Some(Agg::Avg);
                a.window = "5".into();
                a.cmp = Cmp::Gt;
                a.threshold = "0.5".into();
                a.severity = Severity::Warn;
                a.title = "loss went above 0.5".into();
                a.name = "loss-threshold".into();
            }
            Template::LossPlateau => {
                a.event = EventKind::MetricChange;
                a.metric = "val_loss".into();
                a.agg = Some(Agg::Avg);
                a.window = "10".into();
                a.prior_window = "50".into();
                a.direction = Direction::Increase;
                a.change = ChangeType::Relative;
                a.amount = "0.05".into();
                a.title = "val_loss stopped improving".into();
                a.name = "loss-plateau".into();
            }
            Template::Anomaly => {
                a.event = EventKind::MetricZScore;
                a.metric = "accuracy".into();
                a.window = "30".into();
                a.zscore = "3.0".into();
                a.direction = Direction::Any;
                a.severity = Severity::Error;
                a.title = "accuracy anomaly".into();
                a.name = "accuracy-anomaly".into();
            }
            Template::ProdAliasWebhook => {
                a.scope_kind = ScopeKind::Collection;
                a.event = EventKind::Artifact(ArtifactEvent::AddAlias);
                a.artifact_pattern = "^prod$".into();
                a.action = ActionKind::Webhook;
                a.payload = GITHUB_DISPATCH.into();
                a.name = "deploy-on-prod".into();
            }
            Template::TrainingHangs => {
                a.event = EventKind::RunStalled;
                a.after = "30m".into();
                a.adaptive = true;
                a.severity = Severity::Warn;
                a.title = "A run stopped making progress".into();
                a.message = "No step for ${stalled_for} s after step ${last_step}.".into();
                a.name = "training-hangs".into();
            }
            Template::LossNan => {
                a.event = EventKind::MetricNonfinite;
                a.metric = "loss".into();
                a.severity = Severity::Error;
                a.title = "loss went NaN".into();
                a.name = "loss-nan".into();
            }
            Template::Blank => {}
        }
        a.title_follows = self != Template::Blank;
        a.name_follows = self != Template::Blank;
        a
    }
}

/// The title a template's answers suggest for what they watch (`loss went above 0.5`), or
/// `None` where the condition says nothing to name (artifact events, no metric yet).
pub(crate) fn suggested_title(a: &Answers) -> Option<String> {
    let metric = a.metric.trim();
    let named = !metric.is_empty() || a.event == EventKind::RunState;
    named.then_some(())?;
    Some(match a.event {
        EventKind::MetricThreshold => {
            let went = match a.cmp {
                Cmp::Gt => "went above",
                Cmp::Gte => "reached",
                Cmp::Lt => "went below",
                Cmp::Lte => "fell to",
                Cmp::Eq => "equals",
                Cmp::Ne => "moved off",
            };
            format!("{metric} {went} {}", a.threshold.trim())
        }
        EventKind::MetricChange => {
            let moved = match a.direction {
                Direction::Increase => "rose",
                Direction::Decrease => "fell",
                Direction::Any => "changed",
            };
            let amount = a.amount.trim();
            let by = match (a.change, amount.parse::<f64>()) {
                (ChangeType::Relative, Ok(f)) => format!("{}%", f * 100.0),
                _ => amount.to_string(),
            };
            format!("{metric} {moved} by {by}")
        }
        EventKind::MetricZScore => format!("{metric} anomaly"),
        EventKind::RunState => format!("A run {}", states(a, " or ")),
        EventKind::MetricNonfinite => format!("{metric} went NaN"),
        _ => return None,
    })
}

/// The name a template's answers suggest (`loss-threshold`), like [`suggested_title`].
pub(crate) fn suggested_name(a: &Answers) -> Option<String> {
    let metric = a.metric.trim();
    match a.event {
        EventKind::MetricThreshold if !metric.is_empty() => Some(format!("{metric}-threshold")),
        EventKind::MetricChange if !metric.is_empty() => Some(format!("{metric}-change")),
        EventKind::MetricZScore if !metric.is_empty() => Some(format!("{metric}-anomaly")),
        EventKind::RunState => Some(format!("run-{}", states(a, "-"))),
        EventKind::MetricNonfinite if !metric.is_empty() => {
            Some(format!("{}-nan", metric.replace(['*', '?', '/'], "-")))
        }
        _ => None,
    }
}

/// The run states picked, joined by `sep` (`state-change` for none).
fn states(a: &Answers, sep: &str) -> String {
    if a.states.is_empty() {
        return "state-change".into();
    }
    let names: Vec<&str> = a.states.iter().map(|s| s.file_name()).collect();
    names.join(sep)
}

/// `base`, else `base-2`, `base-3`, ... : the first not in `taken`.
pub(crate) fn free_name(base: &str, taken: &[String]) -> String {
    (1..)
        .map(|n| {
            if n == 1 {
                base.to_string()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|c| !taken.contains(c))
        .unwrap_or_else(|| base.to_string())
}
