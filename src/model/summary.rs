//! Plain-words summaries of events, filters, actions and whole automations.

use super::action::Action;
use super::automation::Automation;
use super::event::{Agg, ChangeType, Direction, Event, MetricCondition, is_glob};
use super::expr::Expr;
use super::timespan::words;
use serde_json::{Number, Value};

fn value_words(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_words).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn field_words(field: &str) -> &str {
    match field {
        "display_name" => "the run's name",
        "alias" => "the alias",
        "tag" => "the tag",
        other => other,
    }
}

fn op_words(op: &str, v: &Value) -> String {
    let val = value_words(v);
    match op {
        "$eq" if v.is_array() => format!("is [{val}]"),
        "$eq" => format!("is {val}"),
        "$ne" => format!("is not {val}"),
        "$gt" => format!("is above {val}"),
        "$gte" => format!("is at least {val}"),
        "$lt" => format!("is below {val}"),
        "$lte" => format!("is at most {val}"),
        "$in" => format!("is one of {val}"),
        "$nin" => format!("is none of {val}"),
        "$regex" => format!("matches {val}"),
        "$contains" => format!("contains {val}"),
        "$exists" if v == &Value::Bool(true) => "is set".to_string(),
        "$exists" => "is not set".to_string(),
        "$size" => format!("has {val} items"),
        "$not" => match v {
            Value::Object(m) => format!(
                "does not hold that it {}",
                m.iter()
                    .map(|(o, x)| op_words(o, x))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            _ => format!("not {val}"),
        },
        other => format!("{other} {val}"),
    }
}

/// A filter in plain words, e.g. "the alias matches ^prod$ and the tag is gold".
pub(crate) fn expr_words(e: &Expr) -> String {
    let list = |items: &[Expr], sep: &str| {
        items
            .iter()
            .map(|i| match i {
                Expr::And(_) | Expr::Or(_) => format!("({})", expr_words(i)),
                _ => expr_words(i),
            })
            .collect::<Vec<_>>()
            .join(sep)
    };
    match e {
        Expr::And(items) if items.is_empty() => "always".to_string(),
        Expr::And(items) => list(items, " and "),
        Expr::Or(items) => list(items, " or "),
        Expr::Nor(items) => format!("none of ({})", list(items, "; ")),
        Expr::Not(inner) => format!("not ({})", expr_words(inner)),
        Expr::Field { field, ops } => {
            let subject = field_words(field);
            ops.iter()
                .map(|(op, v)| format!("{subject} {}", op_words(op, v)))
                .collect::<Vec<_>>()
                .join(" and ")
        }
    }
}

fn number(n: &Number) -> String {
    n.to_string()
}

fn percent(n: &Number) -> String {
    let pct = n.as_f64().unwrap_or(0.0) * 100.0;
    let text = format!("{pct:.4}");
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    format!("{trimmed}%")
}

fn aggregate_words(agg: Option<Agg>, metric: &str, window: i64) -> String {
    match agg {
        None => metric.to_string(),
        Some(agg) => {
            let name = match agg {
                Agg::Avg => "the average",
                Agg::Min => "the minimum",
                Agg::Max => "the maximum",
                Agg::Sum => "the sum",
            };
            let values = if window == 1 {
                "the last value".to_string()
            } else {
                format!("the last {window} values")
            };
            format!("{name} of {metric} over {values}")
        }
    }
}

fn direction_words(d: Direction) -> &'static str {
    match d {
        Direction::Increase => "rises",
        Direction::Decrease => "falls",
        Direction::Any => "changes",
    }
}

/// A compact summary for list rows, e.g. `avg(loss)[5] > 0.5` or `alias added: alias ~ ^prod$`.
pub(crate) fn event_short(event: &Event) -> String {
    match event {
        Event::RunMetric { condition, .. } => match condition {
            MetricCondition::Threshold {
                metric,
                agg,
                window,
                cmp,
                threshold,
            } => {
                let lhs = match agg {
                    Some(a) => format!("{}({metric})[{window}]", a.file_name()),
                    None => metric.clone(),
                };
                format!("{lhs} {} {}", cmp.symbol(), number(threshold))
            }
            MetricCondition::Change {
                metric,
                agg,
                direction,
                change,
                amount,
                ..
            } => {
                let amount = match change {
                    ChangeType::Absolute => number(amount),
                    ChangeType::Relative => percent(amount),
                };
                let lhs = agg
                    .map(|a| format!("{}({metric})", a.file_name()))
                    .unwrap_or_else(|| metric.clone());
                let arrow = match direction {
                    Direction::Increase => "+",
                    Direction::Decrease => "-",
                    Direction::Any => "±",
                };
                format!("{lhs} Δ {arrow}{amount}")
            }
            MetricCondition::ZScore {
                metric,
                window,
                threshold,
                direction,
            } => {
                let arrow = match direction {
                    Direction::Increase => "> +",
                    Direction::Decrease => "< -",
                    Direction::Any => "beyond ±",
                };
                format!("z({metric})[{window}] {arrow}{threshold}")
            }
        },
        Event::RunState { states, .. } => {
            let names: Vec<&str> = states.iter().map(|s| s.file_name()).collect();
            format!("run {}", names.join("|"))
        }
        Event::RunStalled {
            after,
            adaptive,
            factor,
            ..
        } => match adaptive {
            false => format!("no step for {after}"),
            true => format!("no step for {after} or {factor}× its pace"),
        },
        Event::RunMetricNonfinite { metric, .. } => format!("{metric} NaN/inf"),
        Event::Artifact { kind, filter } => {
            let label = super::event::EventKind::Artifact(*kind).short();
            match filter {
                None => label.to_string(),
                Some(f) => format!("{label}: {}", expr_words(f)),
            }
        }
        Event::Raw { event_type, .. } => event_type.clone(),
    }
}

/// A full sentence of what fires, e.g. "the average of loss over the last 5 values goes above 0.5,
/// for runs whose name matches ^sweep-".
pub(crate) fn event_sentence(event: &Event) -> String {
    let main = match event {
        Event::RunMetric { condition, .. } => match condition {
            MetricCondition::Threshold {
                metric,
                agg,
                window,
                cmp,
                threshold,
            } => {
                format!(
                    "{} {} {}",
                    aggregate_words(*agg, metric, *window),
                    cmp.words(),
                    number(threshold)
                )
            }
            MetricCondition::Change {
                metric,
                agg,
                window,
                prior_window,
                direction,
                change,
                amount,
            } => {
                let by = match change {
                    ChangeType::Absolute => format!("by at least {}", number(amount)),
                    ChangeType::Relative => format!("by at least {}", percent(amount)),
                };
                let what = match agg {
                    None => metric.clone(),
                    Some(_) => aggregate_words(*agg, metric, *window),
                };
                let prior = if *prior_window == 1 {
                    "the value before".to_string()
                } else {
                    format!("the {prior_window} values before")
                };
                format!(
                    "{what} {} {by} compared with {prior}",
                    direction_words(*direction)
                )
            }
            MetricCondition::ZScore {
                metric,
                window,
                threshold,
                direction,
            } => {
                let side = match direction {
                    Direction::Increase => format!("goes above +{threshold}"),
                    Direction::Decrease => format!("goes below -{threshold}"),
                    Direction::Any => format!("goes beyond ±{threshold}"),
                };
                format!("the z-score of {metric} over the last {window} values {side}")
            }
        },
        Event::RunState { states, .. } => {
            let names: Vec<&str> = states.iter().map(|s| s.file_name()).collect();
            match names.as_slice() {
                [] => "a run changes state (no state picked)".to_string(),
                [one] => format!("a run is {one}"),
                many => format!(
                    "a run is {} or {}",
                    many[..many.len() - 1].join(", "),
                    many[many.len() - 1]
                ),
            }
        }
        Event::RunStalled {
            after,
            adaptive,
            factor,
            ..
        } => {
            let bound = words(after.secs());
            let pace = match adaptive {
                false => String::new(),
                true => format!(
                    ", or for {} times its usual gap between steps when that is longer",
                    number(factor)
                ),
            };
            format!(
                "a run that is still alive logs no step for {bound}{pace} (checked by the local engine)"
            )
        }
        Event::RunMetricNonfinite { metric, .. } => {
            let what = if is_glob(metric) {
                format!("a metric matching {metric}")
            } else {
                metric.clone()
            };
            format!("{what} is logged as NaN or infinite (checked by the local engine)")
        }
        Event::Artifact { kind, filter } => match filter {
            None => kind.words().to_string(),
            Some(f) => format!("{}, when {}", kind.words(), expr_words(f)),
        },
        Event::Raw { event_type, .. } => {
            format!("a {event_type} event happens (not modelled by wbauto)")
        }
    };
    match event.run_filter() {
        Some(f) => format!("{main}, for runs where {}", expr_words(f)),
        None => main,
    }
}

/// What the action does, e.g. "post to Slack #ml-alerts (warn): Loss spiked".
pub(crate) fn action_sentence(action: &Action) -> String {
    match action {
        Action::Slack {
            integration,
            title,
            severity,
            ..
        } => {
            let title = if title.is_empty() {
                String::new()
            } else {
                format!(": {title}")
            };
            format!(
                "post to Slack {} ({}){title}",
                integration.display(),
                severity.file_name()
            )
        }
        Action::Webhook {
            integration,
            payload,
        } => match payload {
            Some(p) => format!(
                "call the webhook {} with a {}-key payload",
                integration.display(),
                p.len()
            ),
            None => format!("call the webhook {}", integration.display()),
        },
        Action::NoOp => "do nothing (a test automation)".to_string(),
        Action::Raw { action_type, .. } => {
            format!("run a {action_type} action (not editable in wbauto)")
        }
    }
}

/// A compact action label for list rows, e.g. `slack #ml-alerts`.
pub(crate) fn action_short(action: &Action) -> String {
    match action {
        Action::Slack { integration, .. } => format!("slack {}", integration.display()),
        Action::Webhook { integration, .. } => format!("webhook {}", integration.display()),
        Action::NoOp => "no-op".to_string(),
        Action::Raw { action_type, .. } => action_type.to_lowercase(),
    }
}

/// The cells of one list row, the same in `wbauto list` and the dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RowCells {
    /// The event, short: `avg(loss)[5] > 0.5`.
    pub(crate) event: String,
    /// The scope: `project acme/vision`.
    pub(crate) scope: String,
    /// The action, short, marked when read-only: `slack #ml-alerts`.
    pub(crate) action: String,
}

/// The row cells of an automation.
pub(crate) fn row_cells(a: &Automation) -> RowCells {
    let mut action = action_short(&a.action);
    if !a.is_editable() {
        action.push_str(" (read-only)");
    }
    RowCells {
        event: event_short(&a.event),
        scope: a.scope.path.to_string(),
        action,
    }
}

/// For an automation only the local engine fires: that W&B has no input for it, in one sentence.
pub(crate) fn no_wandb_input(a: &Automation) -> Option<String> {
    let kind = a.event.kind();
    kind.is_local_only().then(|| {
        format!(
            "there is no W&B input for {}: it runs on wbauto's local engine only",
            kind.file_name()
        )
    })
}

/// The labelled lines both detail views show: scope, when, then and the description if any.
pub(crate) fn card(a: &Automation) -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("scope", a.scope.path.to_string()),
        ("when", event_sentence(&a.event)),
        ("then", action_sentence(&a.action)),
    ];
    if let Some(d) = a.description.as_deref().filter(|d| !d.is_empty()) {
        out.push(("description", d.to_string()));
    }
    out
}

/// A stored timestamp for people, e.g. `2026-10-16 09:20 UTC`; unparsable text is shown as is.
pub(crate) fn when(stamp: Option<&str>) -> Option<String> {
    let stamp = stamp?;
    Some(match stamp.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => stamp.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event::Cmp;
    use serde_json::json;

    #[test]
    fn threshold_sentence_reads_naturally() {
        let e = Event::RunMetric {
            run_filter: Some(Expr::field("display_name", "$regex", json!("^sweep-"))),
            condition: MetricCondition::Threshold {
                metric: "loss".into(),
                agg: Some(Agg::Avg),
                window: 5,
                cmp: Cmp::Gt,
                threshold: serde_json::Number::from_f64(0.5).unwrap(),
            },
        };
        assert_eq!(
            event_sentence(&e),
            "the average of loss over the last 5 values goes above 0.5, for runs where the run's name matches ^sweep-"
        );
        assert_eq!(event_short(&e), "avg(loss)[5] > 0.5");
    }

    #[test]
    fn change_uses_percent_for_relative_amounts() {
        let e = Event::RunMetric {
            run_filter: None,
            condition: MetricCondition::Change {
                metric: "loss".into(),
                agg: None,
                window: 1,
                prior_window: 1,
                direction: Direction::Decrease,
                change: ChangeType::Relative,
                amount: serde_json::Number::from_f64(0.25).unwrap(),
            },
        };
        assert_eq!(
            event_sentence(&e),
            "loss falls by at least 25% compared with the value before"
        );
    }

    #[test]
    fn local_only_events_read_in_plain_words() {
        let stalled = Event::RunStalled {
            run_filter: Some(Expr::field("display_name", "$regex", json!("^sweep-"))),
            after: crate::model::TimeSpan::from_secs(5400),
            adaptive: true,
            factor: serde_json::Number::from(5),
        };
        assert_eq!(
            event_sentence(&stalled),
            "a run that is still alive logs no step for 1 hour 30 minutes, or for 5 times its usual gap between steps when that is longer (checked by the local engine), for runs where the run's name matches ^sweep-"
        );
        assert_eq!(event_short(&stalled), "no step for 1h30m or 5× its pace");
        let nan = Event::RunMetricNonfinite {
            run_filter: None,
            metric: "train/*".into(),
        };
        assert_eq!(
            event_sentence(&nan),
            "a metric matching train/* is logged as NaN or infinite (checked by the local engine)"
        );
        assert_eq!(event_short(&nan), "train/* NaN/inf");
    }

    #[test]
    fn filters_in_words() {
        let f = Expr::And(vec![
            Expr::field("alias", "$regex", json!("^prod$")),
            Expr::Or(vec![
                Expr::field("tag", "$in", json!(["a", "b"])),
                Expr::field("tag", "$exists", json!(false)),
            ]),
        ]);
        assert_eq!(
            expr_words(&f),
            "the alias matches ^prod$ and (the tag is one of a, b or the tag is not set)"
        );
    }
}
