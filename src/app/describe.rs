//! An automation and an execution in words, as the detail pane, the full detail and the raw
//! view show them: prepared text with tones, never colours.

use super::store::list::Item;
use super::text::{Piece, TextLine, Tone, ago};
use crate::model::summary::{card, expr_words, when};
use crate::model::{Action as Then, Automation, Event};
use serde_json::Value;

/// A dim label padded to a column, then its value.
pub(crate) fn field(key: &str, value: String) -> TextLine {
    TextLine::new(vec![
        Piece::new(Tone::Dim, format!("{key:<12}")),
        Piece::plain(value),
    ])
}

/// The plain-words lines of an automation: the pane's, and with `full` the detail's Overview.
pub(crate) fn overview(now: i64, item: &Item, full: bool) -> Vec<TextLine> {
    let a = &item.saved.automation;
    let (glyph, tone, word) = if a.enabled {
        ("●", Tone::On, "enabled")
    } else {
        ("○", Tone::Off, "disabled")
    };
    let mut lines = vec![TextLine::new(vec![
        Piece::new(tone, format!("{glyph} {word}")),
        Piece::plain(format!("  {}", a.name)),
    ])];
    if let Some(reason) = a.read_only_reason() {
        lines.push(TextLine::toned(Tone::Warn, format!("read-only: {reason}")));
    }
    lines.extend(card(a).into_iter().map(|(k, v)| field(k, v)));
    let stamp =
        when(a.updated_at.as_deref().or(a.created_at.as_deref())).unwrap_or_else(|| "-".into());
    lines.push(field(
        "updated",
        format!("{stamp} ({} ago)", ago(now, item.changed)),
    ));
    if full {
        lines.extend(details(a));
    }
    lines.push(field("id", a.id.clone().unwrap_or_default()));
    lines
}

fn json_lines(value: &Value) -> Vec<TextLine> {
    serde_json::to_string_pretty(value)
        .unwrap_or_default()
        .lines()
        .map(|l| TextLine::plain(format!("  {l}")))
        .collect()
}

fn heading(text: &str) -> TextLine {
    TextLine::new(vec![Piece::new(Tone::Title, text)])
}

fn runs_field(run_filter: Option<&crate::model::Expr>) -> TextLine {
    field(
        "runs",
        run_filter.map_or_else(|| "every run".to_string(), expr_words),
    )
}

/// Event and action details for the full view.
fn details(a: &Automation) -> Vec<TextLine> {
    let mut lines = vec![TextLine::plain(""), heading("Event")];
    lines.push(field(
        "type",
        format!("{} ({})", a.event.kind().file_name(), a.event.wire_type()),
    ));
    if a.event.kind().is_local_only() {
        lines.push(field(
            "engine",
            "local only: W&B has no such event, the local engine fires it".into(),
        ));
    }
    match &a.event {
        Event::RunMetric { run_filter, .. }
        | Event::RunState { run_filter, .. }
        | Event::RunMetricNonfinite { run_filter, .. } => {
            lines.push(runs_field(run_filter.as_ref()));
        }
        Event::RunStalled {
            run_filter,
            after,
            adaptive,
            factor,
        } => {
            lines.push(runs_field(run_filter.as_ref()));
            lines.push(field("after", format!("{after} without a logged step")));
            let pace = match adaptive {
                true => format!("{factor} × the median gap of the last 20 steps, when longer"),
                false => "no (the bound is `after` alone)".into(),
            };
            lines.push(field("adaptive", pace));
        }
        Event::Artifact { filter, .. } => lines.push(field(
            "filter",
            filter
                .as_ref()
                .map_or_else(|| "none (every event)".to_string(), expr_words),
        )),
        Event::Raw { filter, .. } => lines.push(field("filter", filter.clone())),
    }
    lines.push(TextLine::plain(""));
    lines.push(heading("Action"));
    match &a.action {
        Then::Slack {
            integration,
            title,
            message,
            severity,
        } => {
            lines.push(field("slack", integration.display()));
            lines.push(field("severity", severity.file_name().to_string()));
            lines.push(field("title", title.clone()));
            lines.push(field("message", message.clone()));
        }
        Then::Webhook {
            integration,
            payload,
        } => {
            lines.push(field("webhook", integration.display()));
            match payload {
                Some(p) => {
                    lines.push(field("payload", String::new()));
                    lines.extend(json_lines(&Value::Object(p.clone())));
                }
                None => lines.push(field("payload", "none".into())),
            }
        }
        Then::NoOp => lines.push(field("no-op", "does nothing (for testing an event)".into())),
        Then::Raw {
            action_type,
            action,
        } => {
            lines.push(field("type", action_type.clone()));
            lines.extend(json_lines(action));
        }
    }
    lines.push(TextLine::plain(""));
    lines
}

/// The stored JSON, pretty; `None` while it loads.
pub(crate) fn wire_lines(wire: Option<Result<&str, &str>>) -> Vec<TextLine> {
    match wire {
        None => vec![TextLine::toned(Tone::Warn, "loading the stored JSON…")],
        Some(Err(e)) => vec![TextLine::toned(
            Tone::Error,
            format!("could not read the stored JSON: {e}"),
        )],
        Some(Ok(text)) => match serde_json::from_str::<Value>(text) {
            Ok(v) => {
                let mut out: Vec<TextLine> = serde_json::to_string_pretty(&v)
                    .unwrap_or_default()
                    .lines()
                    .map(TextLine::plain)
                    .collect();
                out.extend(decoded_filter(&v));
                out
            }
            Err(_) => vec![TextLine::plain(text)],
        },
    }
}

/// The event's filter, which W&B stores as JSON inside a string (its run filter a string again
/// inside that), decoded and laid out so it reads at any width.
fn decoded_filter(wire: &Value) -> Vec<TextLine> {
    fn decode(v: &Value) -> Value {
        match v {
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(inner @ (Value::Object(_) | Value::Array(_))) => decode(&inner),
                _ => v.clone(),
            },
            Value::Array(items) => Value::Array(items.iter().map(decode).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), decode(v))).collect())
            }
            other => other.clone(),
        }
    }
    let Some(filter) = wire.pointer("/event/filter").filter(|f| f.is_string()) else {
        return Vec::new();
    };
    let decoded = decode(filter);
    if decoded.is_string() {
        return Vec::new();
    }
    let mut out = vec![
        TextLine::plain(""),
        TextLine::toned(
            Tone::Dim,
            "event.filter, the JSON W&B keeps inside that string, decoded:",
        ),
    ];
    out.extend(
        serde_json::to_string_pretty(&decoded)
            .unwrap_or_default()
            .lines()
            .map(TextLine::plain),
    );
    out
}
