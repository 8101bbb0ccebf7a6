//! Recorded history from plain files, for backtests, read as a stream into a [`Backtest`]: a CSV
//! with a `step` column and one column per metric (an optional `time` or `_timestamp` column,
//! Unix seconds or RFC 3339), or JSON Lines of engine events (one run per run named), judged in
//! file order as `emit -f` would hand them to the engine. Memory stays that of one line. No
//! files are opened here: the caller gives a reader.

use super::backtest::Backtest;
use super::event::{EngineEvent, EventBody, MAX_LINE, RunRef, parse_time, read_lines};
use std::collections::HashMap;
use std::io::BufRead;

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

/// Where a series file's runs go: the file's name (for a file without run names) and the
/// automation's entity and project.
pub(crate) struct Source<'a> {
    /// The file's name.
    pub name: &'a str,
    /// The entity runs go to.
    pub entity: &'a str,
    /// The project runs go to.
    pub project: &'a str,
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

/// Reads the next line (at most [`MAX_LINE`] bytes) into `buf`; `false` at the end.
fn next_line(reader: &mut impl BufRead, buf: &mut Vec<u8>, n: usize) -> Result<bool, String> {
    use std::io::Read;
    buf.clear();
    let read = (&mut *reader)
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', buf)
        .map_err(|e| format!("line {n}: cannot be read ({e})"))?;
    if buf.len() > MAX_LINE {
        return Err(format!("line {n}: longer than {} MiB", MAX_LINE >> 20));
    }
    Ok(read > 0)
}

/// Streams a CSV series into the backtest as one run named after the file. Errors name the line
/// and column.
pub(crate) fn read_csv(
    mut reader: impl BufRead,
    source: &Source<'_>,
    bt: &mut Backtest,
) -> Result<(), String> {
    let mut buf = Vec::new();
    let mut n = 0usize;
    let header = loop {
        n += 1;
        if !next_line(&mut reader, &mut buf, n)? {
            return Err(
                "the file is empty; the first line names the columns, e.g. step,loss".into(),
            );
        }
        let line = String::from_utf8_lossy(&buf);
        if !line.trim().is_empty() {
            break cells(
                line.trim_end_matches(['\r', '\n'])
                    .trim_start_matches('\u{feff}'),
            );
        }
    };
    let step_col = header
        .iter()
        .position(|h| h == "step" || h == "_step")
        .ok_or_else(|| {
            format!(
                "line {n}: no step column (the columns are {}); name one `step`",
                header.join(", ")
            )
        })?;
    let time_col = header.iter().position(|h| h == "time" || h == "_timestamp");
    let run = bt.add_run(
        file_run(source.name, source.entity, source.project),
        Vec::new(),
    );
    let mut timed = time_col.is_some();
    loop {
        n += 1;
        if !next_line(&mut reader, &mut buf, n)? {
            break;
        }
        let line = String::from_utf8_lossy(&buf);
        if line.trim().is_empty() {
            continue;
        }
        let row = cells(line.trim_end_matches(['\r', '\n']));
        let (time, body) = csv_row(&header, &row, step_col, time_col, n)?;
        timed &= time.is_some();
        bt.feed(run, Some(time.unwrap_or(0)), body);
    }
    if !timed {
        bt.note(run, "the series has no time column: every step counts as logged at one moment (the 24-hour rule and the rate limit see them together)".to_string());
    }
    Ok(())
}

/// One CSV row: its time (if the file has a time column) and its metrics at its step.
fn csv_row(
    header: &[String],
    row: &[String],
    step_col: usize,
    time_col: Option<usize>,
    n: usize,
) -> Result<(Option<i64>, EventBody), String> {
    let at = |col: usize| row.get(col).map(String::as_str).unwrap_or("");
    let step = at(step_col)
        .parse::<f64>()
        .ok()
        .filter(|s| s.fract() == 0.0)
        .ok_or_else(|| {
            format!(
                "line {n}, column {}: the step {:?} is not a whole number",
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
                        "line {n}, column {}: {:?} is not a time (Unix seconds or RFC 3339)",
                        col + 1,
                        at(col)
                    )
                })?,
        ),
        None => None,
    };
    let mut metrics = Vec::new();
    for (col, key) in header.iter().enumerate() {
        if col == step_col || Some(col) == time_col || at(col).is_empty() {
            continue;
        }
        let value = match crate::wire::runs::nonfinite(at(col)) {
            Some(x) => x,
            None => at(col).parse::<f64>().map_err(|_| {
                format!(
                    "line {n}, column {} ({key}): {:?} is not a number",
                    col + 1,
                    at(col)
                )
            })?,
        };
        metrics.push((key.clone(), value));
    }
    Ok((
        time,
        EventBody::Metric {
            step: Some(step),
            metrics,
        },
    ))
}

/// Streams JSON Lines of engine events into the backtest, one run per run named (events without
/// a run go to a run named after the file). Events without a time count as logged at one moment.
pub(crate) fn read_jsonl(
    reader: impl BufRead,
    source: &Source<'_>,
    bt: &mut Backtest,
) -> Result<(), String> {
    let mut runs: HashMap<String, usize> = HashMap::new();
    read_lines(reader, |_, e: EngineEvent| {
        let run = e
            .run
            .unwrap_or_else(|| file_run(source.name, source.entity, source.project));
        let key = super::eval::run_key(&run);
        let index = match runs.get(&key) {
            Some(i) => *i,
            None => {
                let i = bt.add_run(run, Vec::new());
                runs.insert(key, i);
                i
            }
        };
        bt.feed(index, Some(e.time.unwrap_or(0)), e.body);
        Ok::<(), String>(())
    })?;
    if runs.is_empty() {
        return Err("the file holds no events".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::backtest::Options;

    fn automation() -> crate::model::Automation {
        crate::file::parse_text(
            "name: a\nscope: {project: acme/vision}\nevent: {type: run_metric_threshold, metric: acc, cmp: \">\", threshold: 0.15}\naction: {type: no_op}\n",
            crate::file::Format::Yaml,
        )
        .unwrap()
        .remove(0)
    }

    fn csv(text: &str) -> Result<Vec<crate::engine::backtest::Verdict>, String> {
        let mut bt = Backtest::new(&automation(), Options::default());
        let source = Source {
            name: "s.csv",
            entity: "acme",
            project: "vision",
        };
        read_csv(text.as_bytes(), &source, &mut bt)?;
        Ok(bt.finish())
    }

    #[test]
    fn reads_a_csv_with_quotes_gaps_and_non_finite_values() {
        let v =
            csv("step,loss,\"acc, top1\",acc\n0,0.9,0.1,0.1\n1,,0.2,0.2\n2,NaN,0.3,0.3\n").unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].judged, 3);
        assert_eq!(v[0].firings[0].step, Some(1), "fired on the second row");
        assert_eq!(v[0].notes.len(), 1, "no time column is said");
        let err = csv("step,acc\n0,high\n").unwrap_err();
        assert_eq!(err, "line 2, column 2 (acc): \"high\" is not a number");
        assert!(csv("loss\n1\n").unwrap_err().contains("no step column"));
        let timed = csv("step,time,acc\n0,1700000000,1\n1,2026-01-01T00:00:00Z,2\n").unwrap();
        assert!(timed[0].notes.is_empty());
        assert_eq!(timed[0].firings[0].time, 1_700_000_000);
    }
}
