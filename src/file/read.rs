//! Reading automation files: YAML or JSON, one automation or a list.

use super::fields::{Fields, child, kind_of};
use super::{FileError, Format};
use crate::model::event::DEFAULT_STALL_FACTOR;
use crate::model::expr::{ExprError, normalize};
use crate::model::validate::stall_problems;
use crate::model::{
    Action, Agg, ArtifactEvent, Automation, ChangeType, Cmp, Direction, Event, Expr,
    IntegrationRef, MetricCondition, Problem, RunState, Scope, ScopeKind, ScopePath, Severity,
    TimeSpan,
};
use serde_json::Value;

const TOP_KEYS: [&str; 10] = [
    "id",
    "name",
    "description",
    "enabled",
    "scope",
    "event",
    "action",
    "created_at",
    "updated_at",
    "backend",
];

/// Whether a digit at `i` starts a value (a number, not part of a word such as `sweep-12`).
fn starts_value(chars: &[char], i: usize) -> bool {
    let before = match i.checked_sub(1).map(|j| chars[j]) {
        Some('-') => i.checked_sub(2).map(|j| chars[j]),
        other => other,
    };
    before.is_none_or(|c| matches!(c, ' ' | '\t' | ':' | '[' | '{' | ','))
}

/// The first bare integer literal (outside quotes and comments) too large for 64 bits, with its
/// line and column: it would silently become a float.
fn inexact_integer(text: &str) -> Option<(usize, usize, String)> {
    for (n, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut quote: Option<char> = None;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) if c == '\\' => i += 1,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None if c == '#' => break,
                None if c.is_ascii_digit() && starts_value(&chars, i) => {
                    let start = i;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                    let next = chars.get(i).copied();
                    let integer = !matches!(next, Some('.' | 'e' | 'E'))
                        && !next.is_some_and(char::is_alphanumeric);
                    let digits: String = chars[start..i].iter().collect();
                    if integer && digits.parse::<u64>().is_err() {
                        let negative = start > 0 && chars[start - 1] == '-';
                        let fits = negative && format!("-{digits}").parse::<i64>().is_ok();
                        if !fits {
                            return Some((n + 1, start + 1, digits));
                        }
                    }
                    continue;
                }
                None => {}
            }
            i += 1;
        }
    }
    None
}

/// Parses a document's text into a JSON value (YAML is a superset of JSON).
pub fn parse_value(text: &str, format: Format) -> Result<Value, FileError> {
    let format = match format {
        Format::Detect if text.trim_start().starts_with(['{', '[']) => Format::Json,
        Format::Detect => Format::Yaml,
        other => other,
    };
    if let Some((line, column, digits)) = inexact_integer(text) {
        return Err(FileError::Syntax {
            format: if format == Format::Json {
                "JSON"
            } else {
                "YAML"
            },
            line,
            column,
            message: format!(
                "the number {digits} has more digits than can be kept exactly (at most 64 bits); write it as a float, e.g. 1.2e29, if that is what you mean"
            ),
        });
    }
    match format {
        Format::Json => serde_json::from_str(text).map_err(|e| FileError::Syntax {
            format: "JSON",
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        }),
        _ => serde_saphyr::from_str_with_options::<Value>(text, yaml_options()).map_err(|e| {
            let location = e.location();
            FileError::Syntax {
                format: "YAML",
                line: location.map_or(0, |l| l.line() as usize),
                column: location.map_or(0, |l| l.column() as usize),
                message: strip_position(
                    e.without_snippet()
                        .to_string()
                        .lines()
                        .next()
                        .unwrap_or("invalid YAML"),
                ),
            }
        }),
    }
}

/// YAML 1.2 booleans only, so names such as `n`, `no` or `on` stay text.
fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! { strict_booleans: true }
}

fn strip_position(message: &str) -> String {
    let cut = message.find(" at line ").map_or(message, |i| &message[..i]);
    cut.trim().to_string()
}

/// Parses a whole automation file into automations (scopes and integrations unresolved).
pub fn parse_text(text: &str, format: Format) -> Result<Vec<Automation>, FileError> {
    from_document(&parse_value(text, format)?)
}

/// Reads an automation file's text as the command line and the dashboard both do: the document
/// and its automations, or one line naming each problem (the first five) with its line and
/// column in `text`.
pub(crate) fn read_located(text: &str, format: Format) -> Result<(Value, Vec<Automation>), String> {
    let doc = parse_value(text, format).map_err(|e| e.to_string())?;
    match from_document(&doc) {
        Ok(automations) => Ok((doc, automations)),
        Err(FileError::Invalid(problems)) => Err(located(text, &problems)),
        Err(e) => Err(e.to_string()),
    }
}

/// Problems of a file's automations in one line, the first five, each with its line and column
/// in `text` where it can be found.
pub(crate) fn located(text: &str, problems: &[Problem]) -> String {
    let shown: Vec<String> = problems
        .iter()
        .take(5)
        .map(|p| match super::locate::locate(text, &p.path) {
            Some((line, column)) => {
                format!("{} at line {line}, column {column}: {}", p.path, p.message)
            }
            None => p.to_string(),
        })
        .collect();
    let more = problems.len().saturating_sub(5);
    let tail = if more > 0 {
        format!("; and {more} more")
    } else {
        String::new()
    };
    format!("{}{tail}", shown.join("; "))
}

/// Turns a parsed document (one automation or a list) into automations; all problems at once.
pub fn from_document(doc: &Value) -> Result<Vec<Automation>, FileError> {
    let mut problems = Vec::new();
    let out = match doc {
        Value::Array(items) if items.is_empty() => return Err(FileError::Empty),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| from_value(v, &format!("[{i}]"), &mut problems))
            .collect(),
        Value::Null => return Err(FileError::Empty),
        single => from_value(single, "", &mut problems).into_iter().collect(),
    };
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(FileError::Invalid(problems))
    }
}

/// Reads one automation mapping at `path`, adding its problems to `problems`.
pub(crate) fn from_value(v: &Value, path: &str, problems: &mut Vec<Problem>) -> Option<Automation> {
    let before = problems.len();
    let mut f = Fields::open(v, path, problems)?;
    f.deny_unknown(&TOP_KEYS);
    let id = f.opt_str("id");
    let name = f.req_str("name", "every automation needs a name, unique in its scope");
    let description = f.opt_str("description");
    let enabled = f.opt_bool("enabled").unwrap_or(true);
    let _ = (
        f.opt_str("created_at"),
        f.opt_str("updated_at"),
        f.opt_str("backend"),
    );
    let scope = read_scope(f.get("scope"), &f.path_of("scope"), f.problems);
    let event = read_event(f.get("event"), &f.path_of("event"), f.problems);
    let action = read_action(f.get("action"), &f.path_of("action"), f.problems);
    let automation = Automation {
        id,
        name,
        description,
        enabled,
        scope: scope?,
        event: event?,
        action: action?,
        created_at: None,
        updated_at: None,
    };
    if problems.len() > before {
        // Report the model's problems too, so a file is fixed in one round; skip duplicates.
        for p in crate::model::validate(&automation) {
            let path = child(path, &p.path);
            if !problems[before..].iter().any(|q| q.path == path) {
                problems.push(Problem::new(path, p.message));
            }
        }
        return None;
    }
    Some(automation)
}

fn missing(v: Option<&Value>, path: &str, problems: &mut Vec<Problem>, hint: &str) -> bool {
    if v.is_none() {
        problems.push(Problem::new(path, format!("missing; {hint}")));
        return true;
    }
    false
}

fn read_scope(v: Option<&Value>, path: &str, problems: &mut Vec<Problem>) -> Option<Scope> {
    let keys: Vec<&str> = ScopeKind::ALL.iter().map(|k| k.file_key()).collect();
    let hint = format!(
        "give exactly one of {} (e.g. project: acme/vision)",
        keys.join(", ")
    );
    if missing(v, path, problems, &hint) {
        return None;
    }
    let mut f = Fields::open(v?, path, problems)?;
    f.deny_unknown(&keys);
    let present: Vec<ScopeKind> = ScopeKind::ALL
        .into_iter()
        .filter(|k| f.get(k.file_key()).is_some())
        .collect();
    let [kind] = present.as_slice() else {
        f.problems.push(Problem::new(
            path,
            format!("{} scopes given; {hint}", present.len()),
        ));
        return None;
    };
    let text = f.opt_str(kind.file_key())?;
    match ScopePath::parse(*kind, &text) {
        Ok(p) => Some(Scope::unresolved(p)),
        Err(message) => {
            f.problem(kind.file_key(), message);
            None
        }
    }
}

fn expr_problem(path: &str, e: ExprError) -> Problem {
    Problem::new(child(path, &e.path), e.message)
}

fn read_filter(f: &mut Fields<'_>, key: &str) -> Option<Expr> {
    let v = f.get(key)?;
    match Expr::from_file(v) {
        Ok(e) => normalize(Some(e)),
        Err(e) => {
            let problem = expr_problem(&f.path_of(key), e);
            f.problems.push(problem);
            None
        }
    }
}

const AGGS: &str = "avg, min, max, sum";
const CMPS: &str = "\">\", \">=\", \"<\", \"<=\", \"==\", \"!=\"";
const DIRECTIONS: &str = "increase, decrease, any";

fn read_event(v: Option<&Value>, path: &str, problems: &mut Vec<Problem>) -> Option<Event> {
    let types: Vec<&str> = crate::model::EventKind::creatable()
        .iter()
        .map(|k| k.file_name())
        .collect();
    if missing(
        v,
        path,
        problems,
        &format!("say what fires it, with type: one of {}", types.join(", ")),
    ) {
        return None;
    }
    let mut f = Fields::open(v?, path, problems)?;
    let ty = f.req_str("type", &format!("use one of {}", types.join(", ")));
    let metric_hint = "name the metric, e.g. metric: loss";
    let event = match ty.as_str() {
        "run_metric_threshold" => {
            f.deny_unknown(&[
                "type",
                "metric",
                "agg",
                "window",
                "cmp",
                "threshold",
                "run_filter",
            ]);
            let condition = MetricCondition::Threshold {
                metric: f.req_str("metric", metric_hint),
                agg: f.opt_enum("agg", AGGS, Agg::parse),
                window: f.opt_int("window").unwrap_or(1),
                cmp: f.req_enum("cmp", CMPS, Cmp::parse).unwrap_or(Cmp::Gt),
                threshold: f.req_number(
                    "threshold",
                    "give the value to compare with, e.g. threshold: 0.5",
                ),
            };
            Event::RunMetric {
                run_filter: read_filter(&mut f, "run_filter"),
                condition,
            }
        }
        "run_metric_change" => {
            f.deny_unknown(&[
                "type",
                "metric",
                "agg",
                "window",
                "prior_window",
                "direction",
                "change",
                "amount",
                "run_filter",
            ]);
            let window = f.opt_int("window").unwrap_or(1);
            let condition = MetricCondition::Change {
                metric: f.req_str("metric", metric_hint),
                agg: f.opt_enum("agg", AGGS, Agg::parse),
                window,
                prior_window: f.opt_int("prior_window").unwrap_or(window),
                direction: f
                    .req_enum("direction", DIRECTIONS, Direction::parse)
                    .unwrap_or(Direction::Any),
                change: f
                    .req_enum("change", "absolute, relative", ChangeType::parse)
                    .unwrap_or(ChangeType::Absolute),
                amount: f.req_number("amount", "give how much it must change, e.g. amount: 0.25"),
            };
            Event::RunMetric {
                run_filter: read_filter(&mut f, "run_filter"),
                condition,
            }
        }
        "run_metric_zscore" => {
            f.deny_unknown(&[
                "type",
                "metric",
                "window",
                "threshold",
                "direction",
                "run_filter",
            ]);
            let condition = MetricCondition::ZScore {
                metric: f.req_str("metric", metric_hint),
                window: f.opt_int("window").unwrap_or(30),
                threshold: f.opt_number("threshold").unwrap_or_else(|| {
                    serde_json::Number::from_f64(3.0).unwrap_or_else(|| serde_json::Number::from(3))
                }),
                direction: f
                    .opt_enum("direction", DIRECTIONS, Direction::parse)
                    .unwrap_or(Direction::Any),
            };
            Event::RunMetric {
                run_filter: read_filter(&mut f, "run_filter"),
                condition,
            }
        }
        "run_state" => {
            f.deny_unknown(&["type", "states", "run_filter"]);
            let states = read_states(&mut f);
            Event::RunState {
                run_filter: read_filter(&mut f, "run_filter"),
                states,
            }
        }
        "run_stalled" => {
            f.deny_unknown(&["type", "after", "adaptive", "factor", "run_filter"]);
            let after = read_span(&mut f, "after");
            let adaptive = f.opt_bool("adaptive").unwrap_or(false);
            let factor = f
                .opt_number("factor")
                .unwrap_or_else(|| serde_json::Number::from(DEFAULT_STALL_FACTOR));
            // Checked as read, so each problem gets its line and column.
            if let Some(after) = after {
                for (key, message) in stall_problems(after, &factor) {
                    f.problem(key, message);
                }
            }
            Event::RunStalled {
                run_filter: read_filter(&mut f, "run_filter"),
                after: after?,
                adaptive,
                factor,
            }
        }
        "run_metric_nonfinite" => {
            f.deny_unknown(&["type", "metric", "run_filter"]);
            let metric = f.req_str(
                "metric",
                "name the metric to watch for NaN or infinity, e.g. metric: loss (or a glob such as train/*)",
            );
            Event::RunMetricNonfinite {
                run_filter: read_filter(&mut f, "run_filter"),
                metric,
            }
        }
        "raw" => {
            f.deny_unknown(&["type", "wire_event_type", "wire_filter"]);
            Event::Raw {
                event_type: f.req_str("wire_event_type", "the eventType as W&B stores it"),
                filter: f.req_str("wire_filter", "the saved filter string"),
            }
        }
        "" => return None,
        other => match ArtifactEvent::from_file_name(other) {
            Some(kind) => {
                f.deny_unknown(&["type", "filter"]);
                Event::Artifact {
                    kind,
                    filter: read_filter(&mut f, "filter"),
                }
            }
            None => {
                f.problem(
                    "type",
                    format!(
                        "unknown event type {other:?}; use one of {}",
                        types.join(", ")
                    ),
                );
                return None;
            }
        },
    };
    Some(event)
}

/// A duration such as `30m` at `key` (required); a number without a unit is refused.
fn read_span(f: &mut Fields<'_>, key: &str) -> Option<TimeSpan> {
    let hint = "give how long without a logged step counts as stuck, e.g. after: 30m (units s, m, h, d; 1m to 30d)";
    match f.get(key) {
        None => {
            f.problem(key, format!("missing; {hint}"));
            None
        }
        Some(Value::String(text)) => match TimeSpan::parse(text) {
            Ok(span) => Some(span),
            Err(message) => {
                f.problem(key, message);
                None
            }
        },
        Some(other) => {
            let message = format!(
                "expected a duration with its unit, got {} ({other}); {hint}",
                kind_of(other)
            );
            f.problem(key, message);
            None
        }
    }
}

fn read_states(f: &mut Fields<'_>) -> Vec<RunState> {
    let hint = "list the run states that fire it, e.g. states: [failed]";
    let Some(v) = f.get("states") else {
        f.problem("states", format!("missing; {hint}"));
        return Vec::new();
    };
    let Value::Array(items) = v else {
        f.problem(
            "states",
            format!("expected a list, got {}; {hint}", kind_of(v)),
        );
        return Vec::new();
    };
    let mut states = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str().and_then(RunState::parse) {
            Some(s) => states.push(s),
            None => f.problem(
                &format!("states[{i}]"),
                format!("{item} is not a run state; use running, finished or failed"),
            ),
        }
    }
    states.sort();
    states.dedup();
    states
}

fn read_integration(f: &mut Fields<'_>) -> IntegrationRef {
    let hint = "name a webhook integration, or a Slack channel as \"#channel\" (ENTITY/NAME for another entity, or {id: ...})";
    match f.get("integration") {
        None => {
            f.problem("integration", format!("missing; {hint}"));
            IntegrationRef::default()
        }
        Some(Value::String(s)) => match s.split_once('/') {
            Some((entity, label)) if !entity.is_empty() && !label.is_empty() => IntegrationRef {
                id: None,
                entity: Some(entity.to_string()),
                label: label.to_string(),
            },
            _ => IntegrationRef::named(s),
        },
        Some(Value::Object(m)) if m.len() == 1 && m.get("id").is_some_and(Value::is_string) => {
            IntegrationRef {
                id: m.get("id").and_then(Value::as_str).map(str::to_string),
                entity: None,
                label: String::new(),
            }
        }
        Some(other) => {
            let message = format!(
                "expected text or {{id: ...}}, got {}; {hint}",
                kind_of(other)
            );
            f.problem("integration", message);
            IntegrationRef::default()
        }
    }
}

fn read_action(v: Option<&Value>, path: &str, problems: &mut Vec<Problem>) -> Option<Action> {
    let types = "slack, webhook, no_op";
    if missing(
        v,
        path,
        problems,
        &format!("say what it does, with type: one of {types}"),
    ) {
        return None;
    }
    let mut f = Fields::open(v?, path, problems)?;
    let ty = f.req_str("type", &format!("use one of {types}"));
    let action = match ty.as_str() {
        "slack" => {
            f.deny_unknown(&["type", "integration", "title", "message", "severity"]);
            Action::Slack {
                integration: read_integration(&mut f),
                title: f.opt_str("title").unwrap_or_default(),
                message: f.opt_str("message").unwrap_or_default(),
                severity: f
                    .opt_enum("severity", "info, warn, error", Severity::parse)
                    .unwrap_or_default(),
            }
        }
        "webhook" => {
            f.deny_unknown(&["type", "integration", "payload"]);
            let integration = read_integration(&mut f);
            let payload = match f.get("payload") {
                None => None,
                Some(Value::Object(m)) => Some(m.clone()),
                Some(other) => {
                    let message = format!(
                        "the payload must be a JSON object (a mapping), got {}",
                        kind_of(other)
                    );
                    f.problem("payload", message);
                    None
                }
            };
            Action::Webhook {
                integration,
                payload,
            }
        }
        "no_op" => {
            f.deny_unknown(&["type"]);
            Action::NoOp
        }
        "raw" => {
            f.deny_unknown(&["type", "wire_action_type", "wire_action"]);
            Action::Raw {
                action_type: f.req_str("wire_action_type", "the action type as W&B stores it"),
                action: f.get("wire_action").cloned().unwrap_or(Value::Null),
            }
        }
        "" => return None,
        other => {
            f.problem(
                "type",
                format!("unknown action type {other:?}; use one of {types}"),
            );
            return None;
        }
    };
    Some(action)
}

#[cfg(test)]
mod exactness {
    use super::inexact_integer;

    #[test]
    fn only_bare_integers_over_64_bits_are_caught() {
        assert_eq!(
            inexact_integer("threshold: 123456789012345678901234567890").map(|x| x.1),
            Some(12)
        );
        assert_eq!(
            inexact_integer("[1, 18446744073709551616]").map(|x| x.0),
            Some(1)
        );
        assert!(
            inexact_integer("threshold: 18446744073709551615").is_none(),
            "u64::MAX is exact"
        );
        assert!(
            inexact_integer("threshold: -9223372036854775808").is_none(),
            "i64::MIN is exact"
        );
        assert!(
            inexact_integer("threshold: 123456789012345678901234567890.0").is_none(),
            "a float as written"
        );
        assert!(inexact_integer("threshold: 1.2e29").is_none());
        assert!(
            inexact_integer("name: \"123456789012345678901234567890\"").is_none(),
            "in quotes"
        );
        assert!(
            inexact_integer("name: sweep-123456789012345678901234567890").is_none(),
            "part of a word"
        );
        assert!(
            inexact_integer("x: 1 # 123456789012345678901234567890").is_none(),
            "in a comment"
        );
    }
}
