//! What the user has answered so far, as typed (numbers stay text until validated).

use crate::model::{
    ActionKind, Agg, ChangeType, Cmp, Direction, EventKind, RunState, ScopeKind, Severity,
};
use std::collections::BTreeSet;

/// Every answer of the wizard. Text fields hold what was typed, so nothing is lost while invalid.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Answers {
    /// Scope kind.
    pub scope_kind: ScopeKind,
    /// Entity owning the scope (team, org entity for registries).
    pub entity: String,
    /// Project name (projects and collections).
    pub project: String,
    /// Registry name, without `wandb-registry-`.
    pub registry: String,
    /// Collection name.
    pub collection: String,
    /// The event kind.
    pub event: EventKind,
    /// Metric key.
    pub metric: String,
    /// Aggregation; `None` = latest value.
    pub agg: Option<Agg>,
    /// Window (values), as typed.
    pub window: String,
    /// Prior window of a change condition, as typed.
    pub prior_window: String,
    /// Threshold comparator.
    pub cmp: Cmp,
    /// Threshold, as typed (an integer stays an integer).
    pub threshold: String,
    /// Direction of a change or z-score.
    pub(crate) direction: Direction,
    /// Absolute or relative change.
    pub(crate) change: ChangeType,
    /// Change amount, as typed.
    pub amount: String,
    /// Z-score threshold, as typed.
    pub zscore: String,
    /// Run states.
    pub states: BTreeSet<RunState>,
    /// How long without a logged step is a stall (`run_stalled`), as typed: `30m`, `1h30m`.
    #[serde(default = "default_after")]
    pub after: String,
    /// Whether the stall bound stretches to the run's own pace.
    #[serde(default)]
    pub adaptive: bool,
    /// The multiple of the run's median gap an adaptive bound uses, as typed.
    #[serde(default = "default_factor")]
    pub factor: String,
    /// Regular expression on the run's name (run events); empty = every run.
    pub run_name: String,
    /// Regular expression on the alias or tag (artifact events); empty = every event.
    pub artifact_pattern: String,
    /// A filter loaded from an existing automation that a single pattern cannot express (e.g.
    /// `$in`); kept as it is while the pattern fields stay empty.
    pub(crate) kept_filter: Option<crate::model::Expr>,
    /// The action kind.
    pub action: ActionKind,
    /// Integration: a webhook's name or a Slack `#channel`.
    pub integration: String,
    /// Slack title.
    pub(crate) title: String,
    /// Slack message.
    pub(crate) message: String,
    /// Slack severity.
    pub(crate) severity: Severity,
    /// Webhook payload as JSON text; empty = no payload.
    pub payload: String,
    /// Automation name.
    pub name: String,
    /// Description; empty = none.
    pub(crate) description: String,
    /// Enabled when saved.
    pub(crate) enabled: bool,
    /// The Slack title is the template's and follows the condition until the user types one.
    #[serde(default)]
    pub(crate) title_follows: bool,
    /// The name is the template's and follows the condition until the user types one.
    #[serde(default)]
    pub(crate) name_follows: bool,
}

fn default_after() -> String {
    "30m".into()
}

fn default_factor() -> String {
    crate::model::event::DEFAULT_STALL_FACTOR.to_string()
}

impl Answers {
    /// A blank wizard in `entity`, with the SDK's defaults.
    pub(crate) fn blank(entity: &str) -> Self {
        Self {
            scope_kind: ScopeKind::Project,
            entity: entity.to_string(),
            project: String::new(),
            registry: String::new(),
            collection: String::new(),
            event: EventKind::MetricThreshold,
            metric: String::new(),
            agg: None,
            window: "1".into(),
            prior_window: String::new(),
            cmp: Cmp::Gt,
            threshold: String::new(),
            direction: Direction::Any,
            change: ChangeType::Absolute,
            amount: String::new(),
            zscore: "3.0".into(),
            states: BTreeSet::new(),
            after: default_after(),
            adaptive: false,
            factor: default_factor(),
            run_name: String::new(),
            artifact_pattern: String::new(),
            kept_filter: None,
            action: ActionKind::Slack,
            integration: String::new(),
            title: String::new(),
            message: String::new(),
            severity: Severity::Info,
            payload: String::new(),
            name: String::new(),
            description: String::new(),
            enabled: true,
            title_follows: false,
            name_follows: false,
        }
    }
}
