//! Recorded history from plain files, for backtests: a CSV with a `step` column and one column
//! per metric (an optional `time` or `_timestamp` column, Unix seconds or RFC 3339), or JSON Lines
//! of engine events (grouped by run). Pure: text in, histories out.

use super::backtest::RunHistory;
use super::event::{EngineEvent, EventBody, RunRef, parse_lines, parse_time};

/// The run a file without run names stands for: named after the file, in `entity/project`.
fn file_run(name: &str, entity: &str, project: &str) -> RunRef {
    RunRef {
        entity: entity.into(),
        project: project.into(),
        run: name.into(),
        display_name: Some(name.into()),
        user: None,
    }
}

/// Splits one CSV line (RFC 4180 quotes) into cells.
fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    out.push(cell);
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// A CSV series as one run named `name` (the file's name). Errors name the line and column.
pub fn from_csv(text: &str, name: &str, entity: &str, project: &str) -> Result<RunHistory, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or("the file is empty; the first line names the columns, e.g. step,loss")?;
    let header = cells(header.trim_start_matches('\u{feff}'));
    let step_col = header
        .iter()
        .position(|h| h == "step" || h == "_step")
        .ok_or_else(|| {
            format!(
                "line 1: no step column (the columns are {}); name one `step`",
                header.join(", ")
            )
        })?;
    let time_col = header.iter().position(|h| h == "time" || h == "_timestamp");
    let run = file_run(name, entity, project);
    let mut events = Vec::new();
    let mut timed = time_col.is_some();
    for (n, line) in lines {
        let row = cells(line);
        let at = |col: usize| row.get(col).map(String::as_str).unwrap_or("");
        let step = at(step_col)
            .parse::<f64>()
            .ok()
            .filter(|s| s.fract() == 0.0)
            .ok_or_else(|| {
                format!(
                    "line {}, column {}: the step {:?} is not a whole number",
                    n + 1,
                    step_col + 1,
                    at(step_col)
                )
            })? as i64;
        let time = match time_col {
            Some(col) => Some(
                parse_time(at(col))
                    .or_else(|| at(col).parse::<f64>().ok().map(|t| t as i64))
                    .ok_or_else(|| {
                        format!(
                            "line {}, column {}: {:?} is not a time (Unix seconds or RFC 3339)",
                            n + 1,
                            col + 1,
                            at(col)
                        )
                    })?,
            ),
            None => None,
        };
        timed &= time.is_some();
        let mut metrics = Vec::new();
        for (col, key) in header.iter().enumerate() {
            if col == step_col || Some(col) == time_col || at(col).is_empty() {
                continue;
            }
            let value = match at(col) {
                "NaN" | "nan" => f64::NAN,
                "Infinity" | "inf" => f64::INFINITY,
                "-Infinity" | "-inf" => f64::NEG_INFINITY,
                v => v.parse::<f64>().map_err(|_| {
                    format!(
                        "line {}, column {} ({key}): {v:?} is not a number",
                        n + 1,
                        col + 1
                    )
                })?,
            };
            metrics.push((key.clone(), value));
        }
        events.push(EngineEvent {
            run: None,
            body: EventBody::Metric {
                step: Some(step),
                metrics,
            },
            time: Some(time.unwrap_or(0)),
        });
    }
    let notes = if timed {
        Vec::new()
    } else {
        vec!["the series has no time column: every step counts as logged at one moment (the 24-hour rule and the rate limit see them together)".to_string()]
    };
    Ok(RunHistory { run, events, notes })
}

/// JSON Lines of engine events, one history per run (events without a run go to a run named
/// after the file). Events without a time count as logged at one moment.
pub fn from_jsonl(
    text: &str,
    name: &str,
    entity: &str,
    project: &str,
) -> Result<Vec<RunHistory>, String> {
    let mut out: Vec<RunHistory> = Vec::new();
    for mut e in parse_lines(text)? {
        let run = e
            .run
            .clone()
            .unwrap_or_else(|| file_run(name, entity, project));
        e.run = Some(run.clone());
        e.time.get_or_insert(0);
        match out.iter_mut().find(|h| h.run == run) {
            Some(h) => h.events.push(e),
            None => out.push(RunHistory {
                run,
                events: vec![e],
                notes: Vec::new(),
            }),
        }
    }
    if out.is_empty() {
        return Err("the file holds no events".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_csv_with_quotes_gaps_and_non_finite_values() {
        let h = from_csv(
            "step,loss,\"acc, top1\"\n0,0.9,0.1\n1,,0.2\n2,NaN,0.3\n",
            "s.csv",
            "acme",
            "vision",
        )
        .unwrap();
        assert_eq!(h.events.len(), 3);
        let EventBody::Metric { step, metrics } = &h.events[1].body else {
            panic!()
        };
        assert_eq!(*step, Some(1));
        assert_eq!(metrics, &vec![("acc, top1".to_string(), 0.2)]);
        assert_eq!(h.notes.len(), 1, "no time column is said");
        let err = from_csv("step,loss\n0,high\n", "s.csv", "acme", "vision").unwrap_err();
        assert_eq!(err, "line 2, column 2 (loss): \"high\" is not a number");
        assert!(
            from_csv("loss\n1\n", "s.csv", "a", "b")
                .unwrap_err()
                .contains("no step column")
        );
        let timed = from_csv(
            "step,time,loss\n0,1700000000,1\n1,2026-01-01T00:00:00Z,2\n",
            "t",
            "a",
            "b",
        )
        .unwrap();
        assert!(timed.notes.is_empty());
        assert_eq!(timed.events[0].time, Some(1_700_000_000));
    }
}
