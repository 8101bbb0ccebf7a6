//! One execution in words, from either backend: its status glyph, why it fired ("avg(loss) over
//! 5 was 0.62 > 0.5 at step 173", said from the automation's condition where it is still
//! known), and the whole execution opened: the event, the action as it was when it fired, and
//! the answer (status, the body cut for display, the error).

use super::text::{Piece, TextLine, Tone, ago};
use crate::engine::backtest::{needed, quantity, shown};
use crate::model::history::{Execution, FiredAction, Source, Status};
use crate::model::{Automation, Event, MetricCondition};
use serde_json::Value;

/// Characters of a receiver's answer shown (the whole of it is in `history --json`).
const BODY_SHOWN: usize = 1_000;
/// Lines of a receiver's answer shown.
const BODY_LINES: usize = 20;
/// Values of a metric listed.
const VALUES_SHOWN: usize = 8;

/// The glyph and tone of an execution's status, shown beside it (nothing depends on colour).
/// A skipped execution and one that never happened never look alike: the latter shows nothing.
pub(crate) fn status_glyph(status: &Status) -> (&'static str, Tone) {
    match status {
        Status::Success => ("✓", Tone::On),
        Status::Failed => ("✗", Tone::Error),
        Status::Skipped => ("⊘", Tone::Dim),
        Status::InProgress | Status::Other(_) => ("⋯", Tone::Warn),
    }
}

/// The status as a row shows it: `success`, `success (test)`.
pub(crate) fn status_words(e: &Execution) -> String {
    if e.is_test() {
        format!("{} (test)", e.status)
    } else {
        e.status.to_string()
    }
}

/// The status as a table's cell shows it: a test fire is `test fire` (its glyph says how it
/// ended), a mark of its own that fits the column.
pub(crate) fn status_cell(e: &Execution) -> String {
    if e.is_test() {
        "test fire".into()
    } else {
        e.status.to_string()
    }
}

/// Values listed: the first few, then how many more.
fn values_words(values: &[f64]) -> String {
    let mut out: Vec<String> = values
        .iter()
        .take(VALUES_SHOWN)
        .map(|v| shown(*v))
        .collect();
    if values.len() > VALUES_SHOWN {
        out.push(format!("… {} more", values.len() - VALUES_SHOWN));
    }
    out.join(", ")
}

/// What a threshold condition compared, in words: `avg(loss) over 5`, `loss`.
fn compared_words(c: &MetricCondition) -> String {
    match c {
        MetricCondition::Threshold {
            metric,
            agg: Some(agg),
            window,
            ..
        } => format!("{}({metric}) over {window}", agg.file_name()),
        other => quantity(other),
    }
}

/// The metric's condition, when `a` is the metric automation this execution is of.
fn condition_of<'a>(e: &Execution, a: Option<&'a Automation>) -> Option<&'a MetricCondition> {
    match &a?.event {
        Event::RunMetric { condition, .. }
            if e.metric.as_deref().is_none_or(|m| m == condition.metric()) =>
        {
            Some(condition)
        }
        _ => None,
    }
}

/// Why a metric execution fired: the value compared and what it needed, else the values;
/// `at` is ` at step N` or nothing.
fn metric_why(e: &Execution, a: Option<&Automation>, at: &str) -> Option<String> {
    let recorded = e.trigger.as_ref();
    let values: Vec<f64> = match (&e.metric_values, recorded.and_then(|t| t.get("values"))) {
        (Some(v), _) => v.clone(),
        (None, Some(Value::Array(v))) => v.iter().filter_map(Value::as_f64).collect(),
        _ => Vec::new(),
    };
    let value = recorded
        .and_then(|t| t.get("value"))
        .and_then(Value::as_f64);
    let condition = condition_of(e, a);
    let compared =
        value.or_else(|| condition.and_then(|c| crate::engine::eval::check(c, &values).1));
    let metric = e.metric.as_deref();
    let mut words = match (condition, compared) {
        (Some(c @ MetricCondition::Threshold { .. }), Some(v)) => {
            format!("{} was {} {}{at}", compared_words(c), shown(v), needed(c))
        }
        (Some(c), Some(v)) => format!(
            "{} was {}{at}; it needed {}",
            quantity(c),
            shown(v),
            needed(c)
        ),
        (None, Some(v)) => format!("{} was {}{at}", metric.unwrap_or("the value"), shown(v)),
        (_, None) if values.is_empty() => return None,
        (_, None) => format!(
            "{} values {}{at}",
            metric.unwrap_or("the metric's"),
            values_words(&values)
        ),
    };
    if compared.is_some() && !values.is_empty() {
        words.push_str(&format!(" (values {})", values_words(&values)));
    }
    Some(words)
}

/// Why an artifact execution fired, in words.
fn artifact_why(e: &Execution) -> Option<String> {
    let collection = e.collection.as_deref()?;
    let version = e
        .version
        .as_deref()
        .map_or_else(|| collection.to_string(), |v| format!("{collection}:{v}"));
    Some(match (&e.alias, &e.tag, e.event_type.as_deref()) {
        (Some(alias), _, _) => format!("alias {alias} was added to {version}"),
        (_, Some(tag), Some(kind)) if kind.contains("REMOVE") => {
            format!("tag {tag} was removed from {version}")
        }
        (_, Some(tag), _) => format!("tag {tag} was added to {version}"),
        (_, _, Some("LINK_ARTIFACT")) => format!("{version} was linked"),
        (_, _, Some("UNLINK_ARTIFACT")) => format!("{version} was unlinked"),
        _ => format!("{version} was created"),
    })
}

/// Why it fired, in words; `a` is its automation when it still exists (it says what the
/// values were compared with); `with_step` says where in the run (a table shows the step in a
/// column of its own).
pub(crate) fn why(e: &Execution, a: Option<&Automation>, with_step: bool) -> Option<String> {
    if let Some(state) = &e.run_state {
        return Some(format!("the run became {}", state.to_lowercase()));
    }
    let at = match e.step {
        Some(step) if with_step => format!(" at step {step}"),
        _ => String::new(),
    };
    metric_why(e, a, &at).or_else(|| artifact_why(e))
}

/// The execution's run or collection and its step, for a row.
pub(crate) fn step_words(e: &Execution) -> String {
    e.step.map(|s| format!("step {s}")).unwrap_or_default()
}

fn field(key: &str, value: impl Into<String>) -> TextLine {
    TextLine::new(vec![
        Piece::new(Tone::Dim, format!("{key:<12}")),
        Piece::plain(value.into()),
    ])
}

fn heading(text: &str) -> TextLine {
    TextLine::new(vec![Piece::new(Tone::Title, text)])
}

fn stamp(t: Option<jiff::Timestamp>, now: i64) -> String {
    match t {
        Some(t) => format!(
            "{} ({} ago)",
            t.strftime("%Y-%m-%d %H:%M:%S UTC"),
            ago(now, t.as_second())
        ),
        None => "not known".into(),
    }
}

fn opt(text: &Option<String>) -> String {
    text.clone().unwrap_or_else(|| "-".into())
}

/// The action as it was when it fired.
fn action_lines(action: Option<&FiredAction>) -> Vec<TextLine> {
    let Some(action) = action else {
        return vec![field("action", "not recorded")];
    };
    match action {
        FiredAction::Slack {
            team,
            channel,
            title,
            text,
            severity,
            title_url,
        } => {
            let mut out = vec![
                field(
                    "slack",
                    format!("{} in {}", opt(channel), opt(team))
                        .trim()
                        .to_string(),
                ),
                field("severity", opt(severity)),
                field("title", opt(title)),
                field("message", opt(text)),
            ];
            if let Some(url) = title_url {
                out.push(field("title link", url.clone()));
            }
            out
        }
        FiredAction::Webhook { name, url, payload } => {
            let mut out = vec![field("webhook", format!("{} → {}", opt(name), opt(url)))];
            match payload {
                Some(p) => {
                    out.push(field("payload", ""));
                    out.extend(json_text(p));
                }
                None => out.push(field("payload", "none")),
            }
            out
        }
        FiredAction::NoOp => vec![field("no-op", "nothing is sent")],
        FiredAction::QueueJob { run_spec, priority } => vec![
            field(
                "launch job",
                run_spec
                    .as_ref()
                    .map_or_else(|| "-".to_string(), Value::to_string),
            ),
            field(
                "priority",
                priority.map_or_else(|| "-".to_string(), |p| p.to_string()),
            ),
        ],
        FiredAction::Other { name } => vec![field("action", format!("{name} (not known here)"))],
    }
}

/// JSON text indented, pretty when it parses.
fn json_text(text: &str) -> Vec<TextLine> {
    let pretty = serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string());
    pretty
        .lines()
        .map(|l| TextLine::plain(format!("  {l}")))
        .collect()
}

/// A receiver's answer cut for display, saying how much was left out.
fn body_lines(body: &str) -> Vec<TextLine> {
    if body.is_empty() {
        return vec![TextLine::toned(Tone::Dim, "  (empty)")];
    }
    let cut: String = body.chars().take(BODY_SHOWN).collect();
    let mut out: Vec<TextLine> = cut
        .lines()
        .take(BODY_LINES)
        .map(|l| TextLine::plain(format!("  {l}")))
        .collect();
    let kept: usize = out
        .iter()
        .flat_map(|l| &l.pieces)
        .map(|p| p.text.chars().count().saturating_sub(2))
        .sum();
    let total = body.chars().count();
    if kept < total {
        out.push(TextLine::toned(
            Tone::Dim,
            format!(
                "  … cut for display: {total} characters in all (`wbauto history --json` has the whole answer)"
            ),
        ));
    }
    out
}

/// The answer: status, HTTP status, attempts, error, body.
fn answer_lines(e: &Execution) -> Vec<TextLine> {
    let mut head = status_words(e);
    if let Some(code) = e.response_status {
        head.push_str(&format!(" · HTTP {code}"));
    }
    if let Some(n) = e.attempts {
        head.push_str(&format!(" · {n} attempt(s)"));
    }
    let (glyph, tone) = status_glyph(&e.status);
    let mut out = vec![TextLine::new(vec![
        Piece::new(Tone::Dim, format!("{:<12}", "status")),
        Piece::new(tone, format!("{glyph} {head}")),
    ])];
    if let Some(err) = &e.error {
        out.push(TextLine::new(vec![
            Piece::new(Tone::Dim, format!("{:<12}", "error")),
            Piece::new(Tone::Error, err.clone()),
        ]));
    }
    if let Some(q) = &e.queue_item {
        out.push(field("queued", q.clone()));
    }
    if let Some(body) = &e.response_body {
        out.push(field("body", ""));
        out.extend(body_lines(body));
    }
    out
}

/// The event: its kind, the run or artifact, and why it fired.
fn event_lines(e: &Execution, a: Option<&Automation>) -> Vec<TextLine> {
    let mut out = vec![field("type", opt(&e.event_type))];
    if let Some(run) = e.run_shown() {
        let project = e
            .project
            .as_deref()
            .map(|p| format!(" in {p}"))
            .unwrap_or_default();
        out.push(field("run", format!("{run}{project}")));
    } else if let Some(p) = &e.project {
        out.push(field("project", p.clone()));
    }
    if let Some(why) = why(e, a, true) {
        out.push(field("why", why));
    }
    if let Some(m) = &e.artifact_metadata {
        out.push(field("metadata", m.to_string()));
    }
    out
}

/// The whole execution, opened: when, the event and why, the answer, the action as it fired,
/// what could not be read, and (`judge`) how to judge it in the Backtest tab.
pub(crate) fn execution_lines(
    e: &Execution,
    a: Option<&Automation>,
    now: i64,
    judge: Option<String>,
) -> Vec<TextLine> {
    let name = opt(&e.automation_name);
    let name = if e.automation_id.is_none() && e.source == Source::Wandb {
        format!("{name} (deleted since)")
    } else {
        name
    };
    let source = match e.source {
        Source::Wandb => "W&B's records",
        Source::Local => "the local engine",
    };
    let mut out = vec![
        field("automation", name),
        field("fired", stamp(e.created_at, now)),
    ];
    if e.finished_at.is_some() {
        out.push(field("finished", stamp(e.finished_at, now)));
    }
    out.push(field("from", format!("{source}, id {}", opt(&e.id))));
    out.push(TextLine::plain(""));
    out.push(heading("Event"));
    out.extend(event_lines(e, a));
    out.push(TextLine::plain(""));
    out.push(heading("Answer"));
    out.extend(answer_lines(e));
    out.push(TextLine::plain(""));
    out.push(heading("Action, as it was when it fired"));
    if e.action.is_some() || e.request.is_none() {
        out.extend(action_lines(e.action.as_ref()));
    }
    if let Some(request) = &e.request {
        out.push(field("request", "(secrets masked)"));
        out.extend(json_text(&request.to_string()));
    }
    if !e.notes.is_empty() {
        out.push(TextLine::plain(""));
        out.push(heading("Not read"));
        out.extend(
            e.notes
                .iter()
                .map(|n| TextLine::toned(Tone::Dim, format!("  {n}"))),
        );
    }
    if let Some(judge) = judge {
        out.push(TextLine::plain(""));
        out.push(TextLine::toned(Tone::Dim, judge));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::history::Source;

    fn loss_spike() -> Automation {
        crate::file::read::parse_text(
            "name: loss-spike\nscope: {project: acme/vision}\nevent: {type: run_metric_threshold, metric: loss, agg: avg, window: 5, cmp: \">\", threshold: 0.5}\naction: {type: no_op}\n",
            crate::file::Format::Yaml,
        )
        .unwrap()
        .remove(0)
    }

    fn metric(values: &[f64]) -> Execution {
        Execution {
            metric: Some("loss".into()),
            metric_values: Some(values.to_vec()),
            event_type: Some("RUN_METRIC".into()),
            ..Execution::unknown(Source::Wandb, Status::Success)
        }
    }

    #[test]
    fn why_a_metric_fired_is_said_from_the_condition() {
        let a = loss_spike();
        let e = metric(&[0.61, 0.58, 0.72, 0.55, 0.66]);
        assert_eq!(
            why(&e, Some(&a), true).as_deref(),
            Some("avg(loss) over 5 was 0.624 > 0.5 (values 0.61, 0.58, 0.72, 0.55, 0.66)")
        );
        assert_eq!(
            why(&e, None, true).as_deref(),
            Some("loss values 0.61, 0.58, 0.72, 0.55, 0.66"),
            "a deleted automation's values are listed as they were"
        );
    }

    #[test]
    fn why_the_local_engine_fired_uses_the_value_it_compared_and_the_step() {
        let a = loss_spike();
        let e = Execution {
            trigger: Some(serde_json::json!({"value": 0.51, "values": [0.5, 0.52]})),
            step: Some(173),
            metric: None,
            metric_values: None,
            ..metric(&[])
        };
        assert_eq!(
            why(&e, Some(&a), true).as_deref(),
            Some("avg(loss) over 5 was 0.51 > 0.5 at step 173 (values 0.5, 0.52)")
        );
        assert_eq!(
            why(&e, Some(&a), false).as_deref(),
            Some("avg(loss) over 5 was 0.51 > 0.5 (values 0.5, 0.52)"),
            "a row shows the step in its own column"
        );
    }

    #[test]
    fn why_a_run_state_or_an_artifact_fired() {
        let state = Execution {
            run_state: Some("FAILED".into()),
            ..Execution::unknown(Source::Wandb, Status::Success)
        };
        assert_eq!(
            why(&state, None, true).as_deref(),
            Some("the run became failed")
        );
        let alias = Execution {
            collection: Some("resnet-weights".into()),
            version: Some("v7".into()),
            alias: Some("prod".into()),
            ..Execution::unknown(Source::Wandb, Status::Success)
        };
        assert_eq!(
            why(&alias, None, true).as_deref(),
            Some("alias prod was added to resnet-weights:v7")
        );
    }

    #[test]
    fn a_long_answer_is_cut_for_display_and_says_so() {
        let lines = body_lines(&"y".repeat(2 << 20));
        assert_eq!(lines.len(), 2);
        assert!(
            lines[1].pieces[0]
                .text
                .contains("2097152 characters in all")
        );
    }
}
