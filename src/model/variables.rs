//! The `${...}` variables a webhook payload can name, per event kind: the ones W&B documents and
//! the ones the local engine fills in too: the list the wizard's menu and validation share (the
//! engine's renderer fills the same names for each event). A name without lower-case letters
//! is a secret of the webhook (`${ACCESS_TOKEN}`, `${SECRET_NAME}`), filled in at sending.

use super::event::EventKind;

/// A payload variable: its name, what it means, a sample value for previews, and whether W&B
/// documents it (the others are filled in by the local engine only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variable {
    /// The name inside `${...}`, e.g. `event_type`.
    pub name: &'static str,
    /// What is put there.
    pub meaning: &'static str,
    /// A sample value.
    pub sample: &'static str,
    /// Documented by W&B (else filled in by the local engine only).
    pub wandb: bool,
}

impl Variable {
    /// As written in a payload, e.g. `${event_type}`.
    pub fn text(&self) -> String {
        format!("${{{}}}", self.name)
    }
}

const fn var(
    name: &'static str,
    meaning: &'static str,
    sample: &'static str,
    wandb: bool,
) -> Variable {
    Variable {
        name,
        meaning,
        sample,
        wandb,
    }
}

const GENERAL: [Variable; 5] = [
    var("project_name", "the project of the change", "vision", true),
    var(
        "entity_name",
        "the entity (team) of the change",
        "acme",
        true,
    ),
    var("event_type", "the event that fired", "RUN_METRIC", true),
    var("event_author", "the user who caused it", "ada", true),
    var(
        "automation_name",
        "the automation that fired",
        "loss-spike",
        false,
    ),
];

const RUN: [Variable; 2] = [
    var(
        "run_name",
        "the run's display name (else its id)",
        "sweep-7",
        false,
    ),
    var(
        "run_status",
        "the run's state: running, finished or failed",
        "running",
        false,
    ),
];

const METRIC: [Variable; 3] = [
    var("metric_name", "the metric watched", "loss", false),
    var(
        "metric_values",
        "the window's values that fired",
        "[0.61, 0.72]",
        false,
    ),
    var(
        "metric_filter",
        "the condition in words",
        "the average of loss over the last 5 values goes above 0.5",
        false,
    ),
];

const STALL: [Variable; 2] = [
    var(
        "stalled_for",
        "whole seconds without a logged step when it was judged stalled",
        "1805",
        false,
    ),
    var("last_step", "the last step the run logged", "1240", false),
];

const NONFINITE: Variable = var(
    "metric_value",
    "the value logged: NaN, Infinity or -Infinity",
    "NaN",
    false,
);

const ARTIFACT: [Variable; 6] = [
    var(
        "artifact_collection_name",
        "the collection the version is in",
        "resnet-weights",
        true,
    ),
    var(
        "artifact_version",
        "the wandb.Artifact of the version",
        "wandb-artifact://_id/QXJ0aWZhY3Q6NTE3ODg5ODg3",
        true,
    ),
    var(
        "artifact_version_string",
        "entity/project/name:alias of the version",
        "acme/vision/resnet-weights:v12",
        true,
    ),
    var(
        "artifact_metadata.KEY",
        "a top-level metadata value of the version",
        "0.93",
        true,
    ),
    var(
        "alias",
        "the alias added (blank for other events)",
        "prod",
        true,
    ),
    var(
        "tag",
        "the tag added or removed (blank for other events)",
        "gold",
        true,
    ),
];

/// The prefix of the metadata variables (`${artifact_metadata.accuracy}`).
const METADATA: &str = "artifact_metadata.";

/// The variables an event kind fills in.
pub fn for_event(kind: EventKind) -> Vec<Variable> {
    let mut out = GENERAL.to_vec();
    match kind {
        EventKind::Artifact(_) => out.extend(ARTIFACT),
        EventKind::RunState => out.extend(RUN),
        EventKind::RunStalled => {
            out.extend(RUN);
            out.extend(STALL);
        }
        EventKind::MetricNonfinite => {
            out.extend(RUN);
            out.extend(METRIC);
            out.push(NONFINITE);
        }
        k if k.is_run_event() => {
            out.extend(RUN);
            out.extend(METRIC);
        }
        _ => {}
    }
    out
}

/// Whether `name` is a secret of the webhook (no lower-case letters: `ACCESS_TOKEN`).
pub fn is_secret(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(char::is_lowercase)
}

/// Whether `name` is filled in for an event kind (its variables, or a secret).
pub fn is_known(name: &str, kind: EventKind) -> bool {
    is_secret(name)
        || for_event(kind).iter().any(|v| {
            v.name == name
                || (v.name.starts_with(METADATA)
                    && name.strip_prefix(METADATA).is_some_and(|k| !k.is_empty()))
        })
}

/// Every `${name}` written in `text`, in order (an unclosed `${` names nothing).
pub fn named(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

/// The names `text` writes that an event kind does not fill in, each once, in order.
pub fn unknown(text: &str, kind: EventKind) -> Vec<&str> {
    names_where(text, |name| !is_known(name, kind))
}

/// The names `text` writes that no event fills in (a typo, `${run_id}`), each once, in order:
/// what validation refuses. A name of another event is only blank, as W&B sends it.
pub fn undefined(text: &str) -> Vec<&str> {
    let kinds = EventKind::creatable();
    names_where(text, |name| !kinds.iter().any(|k| is_known(name, *k)))
}

fn names_where(text: &str, pick: impl Fn(&str) -> bool) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for name in named(text) {
        if pick(name) && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The sentence for names an event kind does not fill in: what they are and which names it has.
pub fn unknown_message(unknown: &[&str], kind: EventKind) -> String {
    let written: Vec<String> = unknown.iter().map(|n| format!("${{{n}}}")).collect();
    let known: Vec<String> = for_event(kind).iter().map(Variable::text).collect();
    format!(
        "{} {} not a variable of a {} event (it would be sent empty); its variables are {} and the webhook's secrets (${{ACCESS_TOKEN}}, ${{SECRET_NAME}})",
        written.join(", "),
        if unknown.len() == 1 { "is" } else { "are" },
        kind.short(),
        known.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_and_judged_per_event() {
        assert_eq!(
            named("a ${run_name} b ${run_id} ${unclosed"),
            ["run_name", "run_id"]
        );
        let metric = EventKind::MetricThreshold;
        assert!(is_known("run_name", metric) && is_known("metric_values", metric));
        assert!(is_known("ACCESS_TOKEN", metric) && is_known("MY_SECRET", metric));
        assert!(!is_known("run_id", metric) && !is_known("alias", metric));
        let alias = EventKind::Artifact(crate::model::ArtifactEvent::AddAlias);
        assert!(is_known("alias", alias) && is_known("artifact_metadata.acc", alias));
        assert!(!is_known("artifact_metadata.", alias) && !is_known("run_name", alias));
        assert_eq!(
            unknown("${run_id} ${alias} ${run_id} ${run_nam}", metric),
            ["run_id", "alias", "run_nam"]
        );
        assert_eq!(
            undefined("${run_id} ${alias} ${artifact_version} ${run_name}"),
            ["run_id"]
        );
        let stalled = EventKind::RunStalled;
        assert!(is_known("stalled_for", stalled) && is_known("last_step", stalled));
        assert!(!is_known("metric_value", stalled) && !is_known("stalled_for", metric));
        let nonfinite = EventKind::MetricNonfinite;
        assert!(is_known("metric_value", nonfinite) && is_known("metric_name", nonfinite));
        assert_eq!(
            undefined("${stalled_for} ${metric_value}"),
            Vec::<&str>::new()
        );
        let message = unknown_message(&["run_id"], metric);
        assert!(
            message.starts_with("${run_id} is not a variable of a metric threshold event")
                && message.contains("${run_name}"),
            "{message}"
        );
    }
}
