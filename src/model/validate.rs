//! Validation: every problem at once, each with its field path and a sentence a newcomer understands.

use super::action::Action;
use super::automation::Automation;
use super::event::{ArtifactEvent, Event, EventKind, MetricCondition};
use super::expr::Expr;
use super::scope::ScopeKind;
use super::timespan::{MAX_STALL_SECS, MIN_STALL_SECS, TimeSpan};
use super::variables;
use serde_json::Number;
use std::fmt;

/// The longest automation name W&B accepts, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 255;

/// One thing wrong with an automation, an automation file or a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where, as a dotted path: `event.window`, `action.integration`, `scope`.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// How many problems one line names before it only counts the rest.
const PROBLEMS_PER_LINE: usize = 10;

/// Joins problems into one line, for one-line error output; past the first few it counts the
/// rest, so a 10,000-item file with one mistake repeated stays readable.
pub(crate) fn one_line(problems: &[Problem]) -> String {
    let mut line = problems
        .iter()
        .take(PROBLEMS_PER_LINE)
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    if let Some(more) = problems
        .len()
        .checked_sub(PROBLEMS_PER_LINE)
        .filter(|n| *n > 0)
    {
        line.push_str(&format!("; and {more} more"));
    }
    line
}

/// The largest webhook payload accepted, in bytes of JSON.
pub(crate) const MAX_PAYLOAD_BYTES: usize = 64 * 1024;

/// The longest description accepted, in characters.
pub(crate) const MAX_DESCRIPTION_CHARS: usize = 10_000;

/// Which scopes an event kind may use (as W&B's SDK allows them).
pub(crate) fn scopes_for(kind: EventKind) -> &'static [ScopeKind] {
    match kind {
        EventKind::Artifact(ArtifactEvent::Create) => &[ScopeKind::Collection],
        k if k.is_run_event() => &[ScopeKind::Project, ScopeKind::Team, ScopeKind::Org],
        _ => &ScopeKind::ALL,
    }
}

/// The filter fields an event kind accepts.
pub(crate) fn filter_fields_for(kind: EventKind) -> &'static [&'static str] {
    if kind.is_run_event() {
        &["display_name"]
    } else {
        &["alias", "tag"]
    }
}

/// Checks everything about an automation that does not need a backend.
pub fn validate(a: &Automation) -> Vec<Problem> {
    let mut out = Vec::new();
    let chars = a.name.chars().count();
    if a.name.chars().any(char::is_control) {
        out.push(Problem::new(
            "name",
            "the name has a control character (a newline, tab or escape); W&B names are one line of plain text",
        ));
    } else if a.name.trim().is_empty() {
        out.push(Problem::new(
            "name",
            "give the automation a name (1 to 255 characters)",
        ));
    } else if chars > MAX_NAME_CHARS {
        out.push(Problem::new(
            "name",
            format!("the name is {chars} characters long; W&B accepts at most {MAX_NAME_CHARS}"),
        ));
    }
    if let Some(d) = &a.description {
        let n = d.chars().count();
        if n > MAX_DESCRIPTION_CHARS {
            out.push(Problem::new(
                "description",
                format!(
                    "the description is {n} characters long; keep it to {MAX_DESCRIPTION_CHARS}"
                ),
            ));
        } else if d.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            out.push(Problem::new(
                "description",
                "the description has a control character (an escape sequence); use plain text",
            ));
        }
    }
    if let Some(reason) = a.read_only_reason() {
        out.push(Problem::new(
            "",
            format!("this automation is read-only: {reason}"),
        ));
        return out;
    }
    let kind = a.event.kind();
    let allowed = scopes_for(kind);
    if !allowed.contains(&a.scope.path.kind()) {
        let names: Vec<&str> = allowed.iter().map(|k| k.file_key()).collect();
        out.push(Problem::new(
            "scope",
            format!(
                "{} events cannot use a {} scope; use {}",
                kind.file_name(),
                a.scope.path.kind().file_key(),
                names.join(" or ")
            ),
        ));
    }
    validate_event(&a.event, &mut out);
    validate_action(&a.action, &mut out);
    validate_variables(&a.action, kind, &mut out);
    out
}

/// A webhook payload naming a variable no event fills in (it would be sent empty).
fn validate_variables(action: &Action, kind: EventKind, out: &mut Vec<Problem>) {
    let Action::Webhook {
        payload: Some(p), ..
    } = action
    else {
        return;
    };
    let text = serde_json::to_string(p).unwrap_or_default();
    let unknown = variables::undefined(&text);
    if !unknown.is_empty() {
        out.push(Problem::new(
            "action.payload",
            variables::unknown_message(&unknown, kind),
        ));
    }
}

fn positive_window(path: &str, value: i64, out: &mut Vec<Problem>) {
    if value < 1 {
        out.push(Problem::new(
            path,
            format!("a window counts logged values, so it must be 1 or more (got {value})"),
        ));
    }
}

fn positive_number(path: &str, what: &str, value: f64, out: &mut Vec<Problem>) {
    if value.is_nan() || value <= 0.0 || value.is_infinite() {
        out.push(Problem::new(
            path,
            format!("{what} must be a number above 0 (got {value})"),
        ));
    }
}

fn finite(path: &str, n: &Number, out: &mut Vec<Problem>) {
    if !n.as_f64().is_some_and(f64::is_finite) {
        out.push(Problem::new(path, "must be a finite number"));
    }
}

fn metric_name(metric: &str, out: &mut Vec<Problem>) {
    if metric.trim().is_empty() {
        out.push(Problem::new(
            "event.metric",
            "name the metric to watch, as logged with wandb.log (e.g. loss)",
        ));
    }
}

fn validate_event(event: &Event, out: &mut Vec<Problem>) {
    let kind = event.kind();
    match event {
        Event::RunMetric {
            run_filter,
            condition,
        } => {
            metric_name(condition.metric(), out);
            match condition {
                MetricCondition::Threshold {
                    window, threshold, ..
                } => {
                    positive_window("event.window", *window, out);
                    finite("event.threshold", threshold, out);
                }
                MetricCondition::Change {
                    window,
                    prior_window,
                    amount,
                    ..
                } => {
                    positive_window("event.window", *window, out);
                    positive_window("event.prior_window", *prior_window, out);
                    positive_number(
                        "event.amount",
                        "the change amount",
                        amount.as_f64().unwrap_or(f64::NAN),
                        out,
                    );
                }
                MetricCondition::ZScore {
                    window, threshold, ..
                } => {
                    positive_window("event.window", *window, out);
                    positive_number(
                        "event.threshold",
                        "a z-score threshold",
                        threshold.as_f64().unwrap_or(f64::NAN),
                        out,
                    );
                }
            }
            validate_filter("event.run_filter", run_filter.as_ref(), kind, out);
        }
        Event::RunState { run_filter, states } => {
            if states.is_empty() {
                out.push(Problem::new(
                    "event.states",
                    "pick at least one run state: running, finished or failed",
                ));
            }
            validate_filter("event.run_filter", run_filter.as_ref(), kind, out);
        }
        Event::RunStalled {
            run_filter,
            after,
            factor,
            ..
        } => {
            for (key, message) in stall_problems(*after, factor) {
                out.push(Problem::new(format!("event.{key}"), message));
            }
            validate_filter("event.run_filter", run_filter.as_ref(), kind, out);
        }
        Event::RunMetricNonfinite { run_filter, metric } => {
            if metric.trim().is_empty() {
                out.push(Problem::new(
                    "event.metric",
                    "name the metric to watch for NaN or infinity, as logged with wandb.log (e.g. loss, or a glob such as train/*)",
                ));
            }
            validate_filter("event.run_filter", run_filter.as_ref(), kind, out);
        }
        Event::Artifact { filter, .. } => {
            validate_filter("event.filter", filter.as_ref(), kind, out)
        }
        Event::Raw { .. } => {}
    }
}

/// What is wrong with a stall's bound (`after`: 1 minute to 30 days) and its adaptive factor
/// (`factor`: 1 or more), by key under `event`.
pub(crate) fn stall_problems(after: TimeSpan, factor: &Number) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let secs = after.secs();
    if secs == 0 {
        out.push((
            "after",
            "a stall needs a length: give at least 1m (e.g. after: 30m)".to_string(),
        ));
    } else if secs < MIN_STALL_SECS {
        out.push((
            "after",
            format!(
                "{after} is under a minute; the SDK writes its log only every ~15 s, so give at least 1m"
            ),
        ));
    } else if secs > MAX_STALL_SECS {
        out.push((
            "after",
            format!("{after} is over 30 days; give at most 30d"),
        ));
    }
    if !factor.as_f64().is_some_and(|f| f.is_finite() && f >= 1.0) {
        out.push((
            "factor",
            format!(
                "the factor multiplies the run's usual gap between steps, so it must be 1 or more (got {factor})"
            ),
        ));
    }
    out
}

fn validate_filter(path: &str, filter: Option<&Expr>, kind: EventKind, out: &mut Vec<Problem>) {
    let Some(filter) = filter else { return };
    for pattern in filter.patterns() {
        if let Err(e) = regex::Regex::new(pattern) {
            let why = e.to_string();
            let last = why
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .trim_start_matches("error: ");
            out.push(Problem::new(
                path,
                format!("$regex {pattern:?} is not a valid regular expression: {last}"),
            ));
        }
    }
    let allowed = filter_fields_for(kind);
    for field in filter.fields() {
        if !allowed.contains(&field) {
            let hint = if kind.is_run_event() {
                "run filters match the run's name, written display_name"
            } else {
                "artifact filters match alias or tag"
            };
            out.push(Problem::new(
                path,
                format!("unknown field {field:?}: {hint}"),
            ));
        }
    }
}

fn validate_action(action: &Action, out: &mut Vec<Problem>) {
    if let Some(integration) = action.integration()
        && integration.id.is_none()
        && integration.label.trim().is_empty()
    {
        out.push(Problem::new(
            "action.integration",
            "name the integration to use (a webhook name or a Slack #channel)",
        ));
    }
    if let Action::Webhook {
        payload: Some(p), ..
    } = action
    {
        let size = serde_json::to_string(p).map_or(0, |t| t.len());
        if size > MAX_PAYLOAD_BYTES {
            out.push(Problem::new(
                "action.payload",
                format!("the payload is {size} bytes; keep it to {MAX_PAYLOAD_BYTES}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::action::{IntegrationRef, Severity};
    use crate::model::event::{Cmp, RunState};
    use crate::model::scope::{Scope, ScopePath};
    use serde_json::json;

    #[test]
    fn one_line_names_the_first_problems_and_counts_the_rest() {
        let problems: Vec<Problem> = (0..12)
            .map(|i| Problem::new(format!("[{i}].name"), "is empty"))
            .collect();
        let line = one_line(&problems);
        assert!(line.starts_with("[0].name: is empty; [1].name"), "{line}");
        assert!(
            line.contains("[9].name") && !line.contains("[10].name"),
            "{line}"
        );
        assert!(line.ends_with("; and 2 more"), "{line}");
        assert_eq!(one_line(&problems[..10]).matches("is empty").count(), 10);
    }

    fn base() -> Automation {
        Automation {
            id: None,
            name: "x".into(),
            description: None,
            enabled: true,
            scope: Scope::unresolved(ScopePath::Project {
                entity: "a".into(),
                project: "p".into(),
            }),
            event: Event::RunState {
                run_filter: None,
                states: vec![RunState::Failed],
            },
            action: Action::Slack {
                integration: IntegrationRef::named("#c"),
                title: String::new(),
                message: String::new(),
                severity: Severity::Info,
            },
            created_at: None,
            updated_at: None,
        }
    }

    #[test]
    fn control_characters_bad_regexes_and_sizes_are_refused() {
        let mut a = base();
        a.name = "qa\u{1b}[31mred".into();
        assert_eq!(validate(&a)[0].path, "name");
        a.name = "two\nlines".into();
        assert_eq!(validate(&a)[0].path, "name");
        a.name = "ok".into();
        a.description = Some("x".repeat(MAX_DESCRIPTION_CHARS + 1));
        assert_eq!(validate(&a)[0].path, "description");
        a.description = Some("multi\nline is fine".into());
        assert!(validate(&a).is_empty());
        a.event = Event::RunState {
            run_filter: Some(Expr::field("display_name", "$regex", json!("sweep-("))),
            states: vec![RunState::Failed],
        };
        let p = validate(&a);
        assert_eq!(p[0].path, "event.run_filter");
        assert!(
            p[0].message.contains("not a valid regular expression"),
            "{}",
            p[0].message
        );
    }

    #[test]
    fn a_valid_automation_has_no_problems() {
        assert!(validate(&base()).is_empty());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut a = base();
        a.name = "n".repeat(256);
        a.event = Event::RunMetric {
            run_filter: Some(Expr::field("alias", "$eq", json!("x"))),
            condition: MetricCondition::Change {
                metric: " ".into(),
                agg: None,
                window: -3,
                prior_window: 0,
                direction: crate::model::event::Direction::Any,
                change: crate::model::event::ChangeType::Absolute,
                amount: Number::from(0),
            },
        };
        a.action = Action::Webhook {
            integration: IntegrationRef::default(),
            payload: None,
        };
        let paths: Vec<String> = validate(&a).into_iter().map(|p| p.path).collect();
        assert_eq!(
            paths,
            [
                "name",
                "event.metric",
                "event.window",
                "event.prior_window",
                "event.amount",
                "event.run_filter",
                "action.integration"
            ]
        );
    }

    #[test]
    fn scope_must_fit_the_event() {
        let mut a = base();
        a.scope = Scope::unresolved(ScopePath::Collection {
            entity: "a".into(),
            project: "p".into(),
            collection: "c".into(),
        });
        let p = validate(&a);
        assert_eq!(p[0].path, "scope");
        assert!(
            p[0].message
                .contains("run_state events cannot use a collection scope"),
            "{}",
            p[0].message
        );
        a.event = Event::RunMetric {
            run_filter: None,
            condition: MetricCondition::Threshold {
                metric: "loss".into(),
                agg: None,
                window: 1,
                cmp: Cmp::Gt,
                threshold: Number::from(1),
            },
        };
        assert_eq!(validate(&a).len(), 1);
        a.event = Event::Artifact {
            kind: ArtifactEvent::Create,
            filter: None,
        };
        assert!(validate(&a).is_empty());
        a.scope = Scope::unresolved(ScopePath::Team { entity: "a".into() });
        assert!(validate(&a)[0].message.contains("use collection"));
    }

    #[test]
    fn stall_bounds_factors_and_nonfinite_metrics_are_checked() {
        let mut a = base();
        let stalled = |secs: u64, factor: f64| Event::RunStalled {
            run_filter: None,
            after: TimeSpan::from_secs(secs),
            adaptive: true,
            factor: Number::from_f64(factor).unwrap(),
        };
        for (secs, factor, path, words) in [
            (0, 5.0, "event.after", "needs a length"),
            (59, 5.0, "event.after", "under a minute"),
            (30 * 86_400 + 1, 5.0, "event.after", "over 30 days"),
            (60, 0.5, "event.factor", "1 or more"),
        ] {
            a.event = stalled(secs, factor);
            let p = validate(&a);
            assert_eq!(p.len(), 1, "{secs} {factor}: {p:?}");
            assert_eq!(p[0].path, path);
            assert!(p[0].message.contains(words), "{}", p[0].message);
        }
        a.event = stalled(60, 1.0);
        assert!(validate(&a).is_empty());
        a.event = stalled(30 * 86_400, 5.0);
        assert!(validate(&a).is_empty());
        a.event = Event::RunMetricNonfinite {
            run_filter: None,
            metric: " ".into(),
        };
        assert_eq!(validate(&a)[0].path, "event.metric");
        a.event = Event::RunMetricNonfinite {
            run_filter: None,
            metric: "train/*".into(),
        };
        assert!(validate(&a).is_empty());
    }

    #[test]
    fn empty_states_and_read_only_kinds_are_refused() {
        let mut a = base();
        a.event = Event::RunState {
            run_filter: None,
            states: vec![],
        };
        assert_eq!(validate(&a)[0].path, "event.states");
        a.event = Event::Artifact {
            kind: ArtifactEvent::UpdateAlias,
            filter: None,
        };
        assert!(validate(&a)[0].message.contains("read-only"));
        a.event = Event::RunState {
            run_filter: None,
            states: vec![RunState::Running],
        };
        a.action = Action::Raw {
            action_type: "QUEUE_JOB".into(),
            action: json!({}),
        };
        assert!(validate(&a)[0].message.contains("QUEUE_JOB"));
    }
}
