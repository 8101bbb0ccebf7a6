//! What the engine says it does, one line each: a batch of events taken, an execution decided,
//! a delivery's outcome, and notices (listening, waiting, warnings); in words for people or as
//! one JSON object per line for log shippers. `--quiet` keeps only warnings.
//!
//! A line names automations, runs, receivers (scheme, host and port), statuses and reasons:
//! never a URL's path, a header or a body, so no secret (a Slack webhook's path, an access
//! token) can be in one. Names are shown as given, control characters escaped.

use super::Report;
use super::metrics::{Delivery, Source};
use serde_json::json;
use std::time::Duration;

/// How lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Words, for people.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// An execution decided.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Decided {
    /// The automation's name.
    pub automation: String,
    /// The run (`ENTITY/PROJECT/RUN`) or collection the event was about.
    pub subject: Option<String>,
    /// `queued`, `success`, `skipped` or `failed`.
    pub status: &'static str,
    /// What fired it (the event, its step and value) and, when not queued, why not.
    pub why: String,
}

/// A delivery attempt's outcome.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Delivered {
    /// The execution (the delivery id receivers see).
    pub execution: String,
    /// The automation's name.
    pub automation: String,
    /// Scheme, host and port.
    pub receiver: String,
    /// How it ended.
    pub outcome: Delivery,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Attempts made so far.
    pub attempts: u32,
    /// Why it did not succeed.
    pub why: Option<String>,
    /// When retried: how long until the next attempt.
    pub again_in: Option<Duration>,
    /// How long the attempt took.
    pub took: Duration,
}

/// One thing to say.
pub(crate) enum Line<'a> {
    /// Something worth knowing (listening, waiting for a directory, stopped).
    Notice(&'a str),
    /// Something wrong that the engine works around.
    Warning(&'a str),
    /// A batch of events taken and evaluated.
    Taken {
        /// Where they came from.
        source: Source,
        /// What the batch decided.
        report: &'a Report,
    },
    /// An execution decided.
    Decided(&'a Decided),
    /// A delivery attempt ended.
    Delivered(&'a Delivered),
}

/// Where lines go, in which format, and whether only warnings are said.
pub(crate) struct Journal {
    format: Format,
    quiet: bool,
    write: Box<dyn Fn(&str) + Send + Sync>,
}

impl Journal {
    /// Lines on standard error (a closed or full one loses the line, never the engine).
    pub(crate) fn stderr(format: Format, quiet: bool) -> Self {
        Self::to(
            format,
            quiet,
            Box::new(|line| {
                use std::io::Write;
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }),
        )
    }

    /// Lines handed to `write`.
    pub(crate) fn to(format: Format, quiet: bool, write: Box<dyn Fn(&str) + Send + Sync>) -> Self {
        Self {
            format,
            quiet,
            write,
        }
    }

    /// Says `line` (unless quiet and it is not a warning).
    pub(crate) fn say(&self, line: &Line<'_>) {
        if self.quiet && !matches!(line, Line::Warning(_)) {
            return;
        }
        (self.write)(&render(line, self.format, jiff::Timestamp::now()));
    }
}

/// Control characters escaped, so a name cannot move the cursor or clear the terminal.
fn shown(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// A wait in words: milliseconds under a second, else seconds.
fn wait(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_secs())
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// `line` in `format`, said at `at`.
pub(crate) fn render(line: &Line<'_>, format: Format, at: jiff::Timestamp) -> String {
    match format {
        Format::Text => text(line),
        Format::Json => {
            let mut doc = json_doc(line);
            if let Some(o) = doc.as_object_mut() {
                o.insert("time".into(), json!(at.to_string()));
            }
            doc.to_string()
        }
    }
}

fn counts(report: &Report) -> String {
    let parts: Vec<String> = [
        (report.queued, "queued"),
        (report.done, "succeeded"),
        (report.skipped, "skipped"),
        (report.failed, "failed"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        "nothing fired".into()
    } else {
        format!("{} execution(s): {}", report.executions(), parts.join(", "))
    }
}

fn text(line: &Line<'_>) -> String {
    match line {
        Line::Notice(m) => shown(m),
        Line::Warning(m) => format!("warning: {}", shown(m)),
        Line::Taken { source, report } => format!(
            "took {} event(s) from {}: {}",
            report.events,
            source.name(),
            counts(report)
        ),
        Line::Decided(d) => {
            let subject = d
                .subject
                .as_deref()
                .map(|s| format!(" for {}", shown(s)))
                .unwrap_or_default();
            format!(
                "fired {:?}{subject}: {}: {}",
                shown(&d.automation),
                shown(&d.why),
                d.status
            )
        }
        Line::Delivered(d) => {
            let head = format!(
                "{} ({:?}) to {}",
                d.execution,
                shown(&d.automation),
                shown(&d.receiver)
            );
            let why = d.why.as_deref().map(shown).unwrap_or_default();
            match d.outcome {
                Delivery::Delivered => format!(
                    "delivered {head}: answered {} in {} ms",
                    d.status.unwrap_or_default(),
                    millis(d.took)
                ),
                Delivery::Retried => format!(
                    "retrying {head}: {why} (attempt {}; again in {})",
                    d.attempts,
                    wait(d.again_in.unwrap_or_default())
                ),
                Delivery::GivenUp => {
                    format!("gave up {head}: {why} ({} attempt(s))", d.attempts)
                }
            }
        }
    }
}

fn json_doc(line: &Line<'_>) -> serde_json::Value {
    match line {
        Line::Notice(m) => json!({"level": "info", "kind": "notice", "message": m}),
        Line::Warning(m) => json!({"level": "warn", "kind": "notice", "message": m}),
        Line::Taken { source, report } => json!({
            "level": "info",
            "kind": "taken",
            "source": source.name(),
            "events": report.events,
            "executions": report.executions(),
            "queued": report.queued,
            "succeeded": report.done,
            "skipped": report.skipped,
            "failed": report.failed,
        }),
        Line::Decided(d) => json!({
            "level": "info",
            "kind": "execution",
            "automation": d.automation,
            "subject": d.subject,
            "status": d.status,
            "why": d.why,
        }),
        Line::Delivered(d) => json!({
            "level": if d.outcome == Delivery::Delivered { "info" } else { "warn" },
            "kind": "delivery",
            "execution": d.execution,
            "automation": d.automation,
            "receiver": d.receiver,
            "outcome": d.outcome.name(),
            "status": d.status,
            "attempts": d.attempts,
            "why": d.why,
            "again_in_secs": d.again_in.map(|w| w.as_secs()),
            "took_ms": millis(d.took),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> jiff::Timestamp {
        "2026-05-01T08:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_name_cannot_steer_the_terminal() {
        let d = Decided {
            automation: "a\u{1b}[2Jb".into(),
            subject: Some("acme/p/r\nfake line".into()),
            status: "queued",
            why: "run_metric".into(),
        };
        let line = render(&Line::Decided(&d), Format::Text, at());
        assert!(!line.contains('\u{1b}') && !line.contains('\n'), "{line}");
    }

    #[test]
    fn json_lines_are_one_object_each_with_the_time() {
        let report = Report {
            events: 3,
            queued: 1,
            ..Report::default()
        };
        let line = render(
            &Line::Taken {
                source: Source::Http,
                report: &report,
            },
            Format::Json,
            at(),
        );
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["time"], "2026-05-01T08:00:00Z");
        assert_eq!(v["events"], 3);
        assert!(!line.contains('\n'));
    }
}
