//! What makes an automation fire: run metric conditions, run states and artifact events.

use super::expr::Expr;
use super::timespan::TimeSpan;
use serde_json::Number;

/// Aggregation over a window of logged metric values.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Agg {
    /// Average of the window (`AVERAGE` on the wire).
    Avg,
    /// Minimum of the window.
    Min,
    /// Maximum of the window.
    Max,
    /// Sum of the window (local backend only).
    Sum,
}

impl Agg {
    /// Every aggregation, in display order.
    pub const ALL: [Agg; 4] = [Agg::Avg, Agg::Min, Agg::Max, Agg::Sum];

    /// The file form (`avg`, `min`, `max`, `sum`).
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Agg::Avg => "avg",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Sum => "sum",
        }
    }

    /// The wire form (`AVERAGE`, `MIN`, `MAX`, `SUM`).
    pub(crate) fn wire_name(self) -> &'static str {
        match self {
            Agg::Avg => "AVERAGE",
            Agg::Min => "MIN",
            Agg::Max => "MAX",
            Agg::Sum => "SUM",
        }
    }

    /// Parses the file form or the wire form, case-insensitively.
    pub(crate) fn parse(s: &str) -> Option<Agg> {
        let lower = s.to_ascii_lowercase();
        Agg::ALL
            .into_iter()
            .find(|a| a.file_name() == lower || a.wire_name().eq_ignore_ascii_case(&lower))
    }
}

/// Comparison of a metric with a threshold.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Cmp {
    /// `>`
    Gt,
    /// `>=`
    Gte,
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `==` (local backend only)
    Eq,
    /// `!=` (local backend only)
    Ne,
}

impl Cmp {
    /// Every comparator, in display order.
    pub const ALL: [Cmp; 6] = [Cmp::Gt, Cmp::Gte, Cmp::Lt, Cmp::Lte, Cmp::Eq, Cmp::Ne];

    /// The file form (`>`, `>=`, ...).
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Cmp::Gt => ">",
            Cmp::Gte => ">=",
            Cmp::Lt => "<",
            Cmp::Lte => "<=",
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
        }
    }

    /// The wire form (`$gt`, `$gte`, ...).
    pub(crate) fn wire_name(self) -> &'static str {
        match self {
            Cmp::Gt => "$gt",
            Cmp::Gte => "$gte",
            Cmp::Lt => "$lt",
            Cmp::Lte => "$lte",
            Cmp::Eq => "$eq",
            Cmp::Ne => "$ne",
        }
    }

    /// Plain words, e.g. "goes above".
    pub(crate) fn words(self) -> &'static str {
        match self {
            Cmp::Gt => "goes above",
            Cmp::Gte => "reaches or goes above",
            Cmp::Lt => "goes below",
            Cmp::Lte => "reaches or goes below",
            Cmp::Eq => "equals",
            Cmp::Ne => "differs from",
        }
    }

    /// Parses the file form or the wire form.
    pub(crate) fn parse(s: &str) -> Option<Cmp> {
        Cmp::ALL
            .into_iter()
            .find(|c| c.symbol() == s || c.wire_name() == s)
    }
}

/// Direction of a change or of a z-score excursion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Direction {
    /// Going up.
    Increase,
    /// Going down.
    Decrease,
    /// Either way.
    Any,
}

impl Direction {
    /// Every direction.
    pub const ALL: [Direction; 3] = [Direction::Increase, Direction::Decrease, Direction::Any];

    /// The file form (`increase`, `decrease`, `any`).
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Direction::Increase => "increase",
            Direction::Decrease => "decrease",
            Direction::Any => "any",
        }
    }

    /// The wire form (`INCREASE`, ...).
    pub(crate) fn wire_name(self) -> &'static str {
        match self {
            Direction::Increase => "INCREASE",
            Direction::Decrease => "DECREASE",
            Direction::Any => "ANY",
        }
    }

    /// Parses either form, case-insensitively.
    pub(crate) fn parse(s: &str) -> Option<Direction> {
        Direction::ALL
            .into_iter()
            .find(|d| d.file_name().eq_ignore_ascii_case(s))
    }
}

/// Whether a change is measured as a difference or as a fraction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ChangeType {
    /// Arithmetic difference.
    Absolute,
    /// Fractional change (0.25 = 25 %).
    Relative,
}

impl ChangeType {
    /// Both change types.
    pub const ALL: [ChangeType; 2] = [ChangeType::Absolute, ChangeType::Relative];

    /// The file form.
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            ChangeType::Absolute => "absolute",
            ChangeType::Relative => "relative",
        }
    }

    /// The wire form.
    pub(crate) fn wire_name(self) -> &'static str {
        match self {
            ChangeType::Absolute => "ABSOLUTE",
            ChangeType::Relative => "RELATIVE",
        }
    }

    /// Parses either form, case-insensitively.
    pub(crate) fn parse(s: &str) -> Option<ChangeType> {
        ChangeType::ALL
            .into_iter()
            .find(|c| c.file_name().eq_ignore_ascii_case(s))
    }
}

/// A reported run state. Ordered alphabetically by wire name, the order W&B is sent.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum RunState {
    /// The run failed or crashed.
    Failed,
    /// The run finished.
    Finished,
    /// The run started running.
    Running,
}

impl RunState {
    /// Every state.
    pub const ALL: [RunState; 3] = [RunState::Failed, RunState::Finished, RunState::Running];

    /// The file form (`failed`, `finished`, `running`).
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            RunState::Failed => "failed",
            RunState::Finished => "finished",
            RunState::Running => "running",
        }
    }

    /// The wire form (`FAILED`, ...).
    pub(crate) fn wire_name(self) -> &'static str {
        match self {
            RunState::Failed => "FAILED",
            RunState::Finished => "FINISHED",
            RunState::Running => "RUNNING",
        }
    }

    /// Parses a state in any case; `crashed` means failed.
    pub(crate) fn parse(s: &str) -> Option<RunState> {
        if s.eq_ignore_ascii_case("crashed") {
            return Some(RunState::Failed);
        }
        RunState::ALL
            .into_iter()
            .find(|r| r.file_name().eq_ignore_ascii_case(s))
    }
}

/// A condition on a logged run metric.
#[derive(Clone, Debug, PartialEq)]
pub enum MetricCondition {
    /// The metric (or its aggregate over a window) crosses a threshold (`RUN_METRIC`).
    Threshold {
        /// Metric key, e.g. `loss`.
        metric: String,
        /// Aggregation over the window; `None` = the latest value.
        agg: Option<Agg>,
        /// Number of logged values aggregated (ignored without `agg`).
        window: i64,
        /// Comparison with the threshold.
        cmp: Cmp,
        /// The threshold; keeps its JSON type (integer or float).
        threshold: Number,
    },
    /// The metric changes by at least an amount between two tumbling windows (`RUN_METRIC_CHANGE`).
    Change {
        /// Metric key.
        metric: String,
        /// Aggregation over each window; `None` = the latest value.
        agg: Option<Agg>,
        /// Size of the current window.
        window: i64,
        /// Size of the prior window.
        prior_window: i64,
        /// Which way the change must go.
        direction: Direction,
        /// Absolute difference or fraction.
        change: ChangeType,
        /// How much it must change (> 0); keeps its JSON type.
        amount: Number,
    },
    /// The metric's z-score over a window goes beyond a threshold (`RUN_METRIC_ZSCORE`).
    ZScore {
        /// Metric key.
        metric: String,
        /// Window the mean and deviation are computed over.
        window: i64,
        /// Z-score threshold (> 0); keeps its JSON type (`3` is sent as `3`, as the SDK does).
        threshold: Number,
        /// Which way the excursion must go.
        direction: Direction,
    },
}

impl MetricCondition {
    /// The metric key the condition watches.
    pub fn metric(&self) -> &str {
        match self {
            MetricCondition::Threshold { metric, .. }
            | MetricCondition::Change { metric, .. }
            | MetricCondition::ZScore { metric, .. } => metric,
        }
    }
}

/// The artifact events W&B knows, including the one that can only be read back.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum ArtifactEvent {
    /// A new artifact version is created in a collection.
    Create,
    /// An artifact version is linked to a collection (e.g. a registry).
    Link,
    /// An artifact version is unlinked.
    Unlink,
    /// An alias is added to an artifact version.
    AddAlias,
    /// A tag is added to an artifact version.
    AddTag,
    /// A tag is removed from an artifact version.
    RemoveTag,
    /// A tag is added to a collection.
    AddCollectionTag,
    /// A tag is removed from a collection.
    RemoveCollectionTag,
    /// An alias is updated (legacy; cannot be created or updated).
    UpdateAlias,
}

impl ArtifactEvent {
    /// Every artifact event.
    pub const ALL: [ArtifactEvent; 9] = [
        ArtifactEvent::Create,
        ArtifactEvent::Link,
        ArtifactEvent::Unlink,
        ArtifactEvent::AddAlias,
        ArtifactEvent::AddTag,
        ArtifactEvent::RemoveTag,
        ArtifactEvent::AddCollectionTag,
        ArtifactEvent::RemoveCollectionTag,
        ArtifactEvent::UpdateAlias,
    ];

    /// The file form, e.g. `add_artifact_alias`.
    pub fn file_name(self) -> &'static str {
        match self {
            ArtifactEvent::Create => "create_artifact",
            ArtifactEvent::Link => "link_artifact",
            ArtifactEvent::Unlink => "unlink_artifact",
            ArtifactEvent::AddAlias => "add_artifact_alias",
            ArtifactEvent::AddTag => "add_artifact_tag",
            ArtifactEvent::RemoveTag => "remove_artifact_tag",
            ArtifactEvent::AddCollectionTag => "add_collection_tag",
            ArtifactEvent::RemoveCollectionTag => "remove_collection_tag",
            ArtifactEvent::UpdateAlias => "update_artifact_alias",
        }
    }

    /// The wire form, e.g. `ADD_ARTIFACT_ALIAS` (linking is `LINK_MODEL`).
    pub(crate) fn wire_name(self) -> &'static str {
        match self {
            ArtifactEvent::Create => "CREATE_ARTIFACT",
            ArtifactEvent::Link => "LINK_MODEL",
            ArtifactEvent::Unlink => "UNLINK_ARTIFACT",
            ArtifactEvent::AddAlias => "ADD_ARTIFACT_ALIAS",
            ArtifactEvent::AddTag => "ADD_ARTIFACT_TAG",
            ArtifactEvent::RemoveTag => "REMOVE_ARTIFACT_TAG",
            ArtifactEvent::AddCollectionTag => "ADD_COLLECTION_TAG",
            ArtifactEvent::RemoveCollectionTag => "REMOVE_COLLECTION_TAG",
            ArtifactEvent::UpdateAlias => "UPDATE_ARTIFACT_ALIAS",
        }
    }

    /// Plain words for what happens, e.g. "an artifact version gets an alias".
    pub(crate) fn words(self) -> &'static str {
        match self {
            ArtifactEvent::Create => "a new artifact version is created",
            ArtifactEvent::Link => "an artifact version is linked",
            ArtifactEvent::Unlink => "an artifact version is unlinked",
            ArtifactEvent::AddAlias => "an artifact version gets an alias",
            ArtifactEvent::AddTag => "an artifact version gets a tag",
            ArtifactEvent::RemoveTag => "a tag is removed from an artifact version",
            ArtifactEvent::AddCollectionTag => "a collection gets a tag",
            ArtifactEvent::RemoveCollectionTag => "a tag is removed from a collection",
            ArtifactEvent::UpdateAlias => "an artifact alias is updated",
        }
    }

    /// Whether W&B accepts this event on create and update.
    pub(crate) fn creatable(self) -> bool {
        self != ArtifactEvent::UpdateAlias
    }

    /// Parses the file form.
    pub(crate) fn from_file_name(s: &str) -> Option<ArtifactEvent> {
        ArtifactEvent::ALL.into_iter().find(|e| e.file_name() == s)
    }
}

/// What makes an automation fire.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A logged run metric meets a condition.
    RunMetric {
        /// Which runs count; `None` = every run.
        run_filter: Option<Expr>,
        /// The condition on the metric.
        condition: MetricCondition,
    },
    /// A run reaches one of the given states.
    RunState {
        /// Which runs count; `None` = every run.
        run_filter: Option<Expr>,
        /// Sorted, without duplicates, never empty when valid.
        states: Vec<RunState>,
    },
    /// Something happens to an artifact or a collection.
    Artifact {
        /// Which artifact event.
        kind: ArtifactEvent,
        /// Condition on `alias` / `tag`; `None` = every such event.
        filter: Option<Expr>,
    },
    /// A run that is alive has logged no history row for a while (local engine only: W&B has
    /// no such event).
    RunStalled {
        /// Which runs count; `None` = every run.
        run_filter: Option<Expr>,
        /// How long without a history row is a stall (1 minute to 30 days).
        after: TimeSpan,
        /// Whether the bound stretches to the run's own pace: `factor` times the median gap
        /// between its last 20 history rows, when that is longer than `after`.
        adaptive: bool,
        /// The multiple of the median gap an adaptive bound uses (at least 1; 5 by default).
        factor: Number,
    },
    /// A metric logged as NaN, +Inf or -Inf (local engine only: W&B's evaluator skips them).
    RunMetricNonfinite {
        /// Which runs count; `None` = every run.
        run_filter: Option<Expr>,
        /// The metric key, or a glob such as `train/*` (`*` any text, `?` one character).
        metric: String,
    },
    /// An event this version does not model (e.g. `WEAVE_METRIC_THRESHOLD`), kept as received.
    Raw {
        /// The wire `eventType`.
        event_type: String,
        /// The saved `filter` string, byte for byte.
        filter: String,
    },
}

/// The kinds of event a user can pick, one per file `event.type`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum EventKind {
    /// `run_metric_threshold`
    MetricThreshold,
    /// `run_metric_change`
    MetricChange,
    /// `run_metric_zscore`
    MetricZScore,
    /// `run_state`
    RunState,
    /// `run_stalled` (local engine only)
    RunStalled,
    /// `run_metric_nonfinite` (local engine only)
    MetricNonfinite,
    /// One of the artifact events.
    Artifact(ArtifactEvent),
    /// Anything unmodelled.
    Raw,
}

impl EventKind {
    /// Every kind a user can create, in menu order.
    pub fn creatable() -> Vec<EventKind> {
        let mut out = vec![
            EventKind::MetricThreshold,
            EventKind::MetricChange,
            EventKind::MetricZScore,
            EventKind::RunState,
            EventKind::RunStalled,
            EventKind::MetricNonfinite,
        ];
        out.extend(
            ArtifactEvent::ALL
                .into_iter()
                .filter(|a| a.creatable())
                .map(EventKind::Artifact),
        );
        out
    }

    /// The file `event.type` value.
    pub fn file_name(self) -> &'static str {
        match self {
            EventKind::MetricThreshold => "run_metric_threshold",
            EventKind::MetricChange => "run_metric_change",
            EventKind::MetricZScore => "run_metric_zscore",
            EventKind::RunState => "run_state",
            EventKind::RunStalled => "run_stalled",
            EventKind::MetricNonfinite => "run_metric_nonfinite",
            EventKind::Artifact(a) => a.file_name(),
            EventKind::Raw => "raw",
        }
    }

    /// The wire `eventType` value (`RAW` for the unmodelled kind; the local-only kinds have a
    /// name only the local backend stores).
    pub(crate) fn wire_name(self) -> &'static str {
        match self {
            EventKind::MetricThreshold => "RUN_METRIC",
            EventKind::MetricChange => "RUN_METRIC_CHANGE",
            EventKind::MetricZScore => "RUN_METRIC_ZSCORE",
            EventKind::RunState => "RUN_STATE",
            EventKind::RunStalled => "RUN_STALLED",
            EventKind::MetricNonfinite => "RUN_METRIC_NONFINITE",
            EventKind::Artifact(a) => a.wire_name(),
            EventKind::Raw => "RAW",
        }
    }

    /// Whether the event concerns runs (and so takes a run filter and a project or entity scope).
    pub fn is_run_event(self) -> bool {
        matches!(
            self,
            EventKind::MetricThreshold
                | EventKind::MetricChange
                | EventKind::MetricZScore
                | EventKind::RunState
                | EventKind::RunStalled
                | EventKind::MetricNonfinite
        )
    }

    /// Whether only the local engine can fire it (W&B has no such event).
    pub fn is_local_only(self) -> bool {
        matches!(self, EventKind::RunStalled | EventKind::MetricNonfinite)
    }

    /// A short label for lists, e.g. "metric threshold", "alias added".
    pub(crate) fn short(self) -> &'static str {
        match self {
            EventKind::MetricThreshold => "metric threshold",
            EventKind::MetricChange => "metric change",
            EventKind::MetricZScore => "metric z-score",
            EventKind::RunState => "run state",
            EventKind::RunStalled => "run stalled",
            EventKind::MetricNonfinite => "metric NaN/inf",
            EventKind::Artifact(a) => match a {
                ArtifactEvent::Create => "artifact created",
                ArtifactEvent::Link => "artifact linked",
                ArtifactEvent::Unlink => "artifact unlinked",
                ArtifactEvent::AddAlias => "alias added",
                ArtifactEvent::AddTag => "tag added",
                ArtifactEvent::RemoveTag => "tag removed",
                ArtifactEvent::AddCollectionTag => "collection tag added",
                ArtifactEvent::RemoveCollectionTag => "collection tag removed",
                ArtifactEvent::UpdateAlias => "alias updated",
            },
            EventKind::Raw => "unknown event",
        }
    }
}

impl Event {
    /// The kind of this event.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::RunMetric { condition, .. } => match condition {
                MetricCondition::Threshold { .. } => EventKind::MetricThreshold,
                MetricCondition::Change { .. } => EventKind::MetricChange,
                MetricCondition::ZScore { .. } => EventKind::MetricZScore,
            },
            Event::RunState { .. } => EventKind::RunState,
            Event::RunStalled { .. } => EventKind::RunStalled,
            Event::RunMetricNonfinite { .. } => EventKind::MetricNonfinite,
            Event::Artifact { kind, .. } => EventKind::Artifact(*kind),
            Event::Raw { .. } => EventKind::Raw,
        }
    }

    /// The wire `eventType`, including the raw one as received.
    pub fn wire_type(&self) -> &str {
        match self {
            Event::Raw { event_type, .. } => event_type,
            other => other.kind().wire_name(),
        }
    }

    /// The run filter of a run event.
    pub(crate) fn run_filter(&self) -> Option<&Expr> {
        match self {
            Event::RunMetric { run_filter, .. }
            | Event::RunState { run_filter, .. }
            | Event::RunStalled { run_filter, .. }
            | Event::RunMetricNonfinite { run_filter, .. } => run_filter.as_ref(),
            _ => None,
        }
    }
}

/// The default multiple of a run's median gap an adaptive stall bound uses.
pub const DEFAULT_STALL_FACTOR: u64 = 5;

/// Whether a metric key matches a name or a glob: `*` stands for any text (`/` and `.`
/// included), `?` for one character, anything else for itself.
pub fn metric_matches(pattern: &str, key: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let k: Vec<char> = key.chars().collect();
    // Greedy matching with one backtrack point: linear for the patterns people write.
    let (mut pi, mut ki) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ki < k.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ki));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == k[ki] => {
                pi += 1;
                ki += 1;
            }
            _ => match star {
                Some((sp, sk)) => {
                    pi = sp + 1;
                    ki = sk + 1;
                    star = Some((sp, sk + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Whether a metric pattern is a glob (has `*` or `?`) rather than one key.
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_globs_match_keys() {
        assert!(metric_matches("loss", "loss"));
        assert!(!metric_matches("loss", "val_loss"));
        assert!(metric_matches("train/*", "train/loss"));
        assert!(metric_matches("train/*", "train/a/b"));
        assert!(!metric_matches("train/*", "val/loss"));
        assert!(metric_matches("*loss", "val.loss"));
        assert!(metric_matches("l?ss", "loss"));
        assert!(metric_matches("*", "anything"));
        assert!(metric_matches("a*b*c", "aXbYbZc"));
        assert!(!metric_matches("a*b*c", "aXbYbZ"));
        assert!(is_glob("train/*") && !is_glob("loss"));
    }

    #[test]
    fn local_only_kinds_are_run_events_w_and_b_does_not_have() {
        for kind in [EventKind::RunStalled, EventKind::MetricNonfinite] {
            assert!(kind.is_local_only() && kind.is_run_event());
            assert!(EventKind::creatable().contains(&kind));
        }
        assert!(!EventKind::RunState.is_local_only());
        assert_eq!(EventKind::RunStalled.file_name(), "run_stalled");
        assert_eq!(
            EventKind::MetricNonfinite.file_name(),
            "run_metric_nonfinite"
        );
    }
}
