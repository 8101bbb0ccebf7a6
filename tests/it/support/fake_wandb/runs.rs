//! Runs and their history in the fake W&B, strict like the rest of it: the runs listing pages by
//! the last edge's cursor, history pages must ask for a step window with `samples` covering it
//! (else the fake down-samples, as the server would), and every variable is checked.

use super::state::{Outcome, State, bad, ok};
use serde_json::{Map, Value, json};

/// A run the fake knows, with its logged history of one or more metrics.
#[derive(Clone, Debug)]
pub struct FakeRun {
    /// `ENTITY/PROJECT`.
    pub project: String,
    /// The short id.
    pub name: String,
    /// The display name.
    pub display_name: String,
    /// `running`, `finished`, `crashed`, ...
    pub state: String,
    /// Creation order (the listing is newest first by this).
    pub created: i64,
    /// Its history.
    pub rows: Vec<HistoryRow>,
}

/// One row of a run's history.
#[derive(Clone, Debug)]
pub struct HistoryRow {
    /// `_step`.
    pub step: i64,
    /// `_timestamp` (Unix seconds).
    pub time: f64,
    /// Metric values (`None`: logged as null; NaN is written as the string "NaN").
    pub values: Vec<(String, Option<f64>)>,
}

impl FakeRun {
    fn node(&self) -> Value {
        let time = |secs: i64| {
            jiff::Timestamp::from_second(secs)
                .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S").to_string())
                .unwrap_or_default()
        };
        json!({
            "projectId": 7, "id": format!("UnVu{}", self.name), "name": self.name,
            "displayName": self.display_name, "sweepName": null, "state": self.state,
            "tags": [], "group": null, "jobType": null, "commit": null, "readOnly": false,
            "createdAt": time(1_780_000_000 + self.created * 60),
            "heartbeatAt": time(1_780_000_000 + self.created * 60 + 3_600),
            "description": null, "notes": null, "historyLineCount": self.rows.len(),
            "user": {"name": "Ada", "username": "ada"},
            "config": "{}", "summaryMetrics": "{}", "systemMetrics": "{}",
            "historyKeys": {"lastStep": self.last_step()},
        })
    }

    fn last_step(&self) -> i64 {
        self.rows.last().map_or(-1, |r| r.step)
    }
}

fn text<'a>(vars: &'a Map<String, Value>, name: &str) -> &'a str {
    vars.get(name).and_then(Value::as_str).unwrap_or_default()
}

impl State {
    fn find_run(&self, vars: &Map<String, Value>, key: &str) -> Option<&FakeRun> {
        let project = format!("{}/{}", text(vars, "entity"), text(vars, "project"));
        self.runs
            .iter()
            .find(|r| r.project == project && r.name == text(vars, key))
    }

    fn has_project(&self, vars: &Map<String, Value>) -> bool {
        self.projects
            .iter()
            .any(|p| p.entity == text(vars, "entity") && p.name == text(vars, "project"))
    }

    pub(super) fn runs_page(&self, vars: &Map<String, Value>) -> Result<Outcome, Outcome> {
        if !self.has_project(vars) {
            return Ok(ok(json!({"project": null})));
        }
        if text(vars, "filters") != "{}" || text(vars, "order") != "-created_at" {
            return Err(bad(format!(
                "the fake answers filters \"{{}}\" ordered -created_at only, got {:?} {:?}",
                vars.get("filters"),
                vars.get("order")
            )));
        }
        let per_page = vars
            .get("perPage")
            .and_then(Value::as_u64)
            .ok_or_else(|| bad("perPage must be an Int"))? as usize;
        let start = match vars.get("cursor") {
            None | Some(Value::Null) => 0,
            Some(Value::String(c)) => c
                .strip_prefix("run-cursor:")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| bad(format!("invalid cursor {c:?}")))?,
            Some(_) => return Err(bad("cursor must be a String")),
        };
        let project = format!("{}/{}", text(vars, "entity"), text(vars, "project"));
        let mut runs: Vec<&FakeRun> = self.runs.iter().filter(|r| r.project == project).collect();
        runs.sort_by_key(|r| std::cmp::Reverse(r.created));
        let page: Vec<Value> = runs
            .iter()
            .enumerate()
            .skip(start)
            .take(per_page)
            .map(|(i, r)| json!({"node": r.node(), "cursor": format!("run-cursor:{}", i + 1)}))
            .collect();
        let more = start + page.len() < runs.len();
        Ok(ok(
            json!({"project": {"internalId": "UHJvamVjdDo3", "runCount": runs.len(), "readOnly": false,
            "runs": {"edges": page, "pageInfo": {"endCursor": "not-the-cursor-to-use", "hasNextPage": more}}}}),
        ))
    }

    pub(super) fn run_node(&self, vars: &Map<String, Value>) -> Outcome {
        ok(
            json!({"project": self.has_project(vars).then(|| json!({"run": self.find_run(vars, "name").map(FakeRun::node)}))}),
        )
    }

    pub(super) fn history_keys(&self, vars: &Map<String, Value>) -> Outcome {
        let keys = self
            .find_run(vars, "name")
            .map(|r| json!({"historyKeys": {"lastStep": r.last_step()}}));
        ok(json!({"project": {"run": keys}}))
    }

    pub(super) fn parquet_history(&self, vars: &Map<String, Value>) -> Result<Outcome, Outcome> {
        if vars.get("liveKeys") != Some(&json!(["_step"])) {
            return Err(bad("liveKeys must be [\"_step\"]"));
        }
        let found = self.find_run(vars, "runName").is_some();
        Ok(ok(
            json!({"project": {"run": found.then(|| json!({"parquetHistory": {"parquetUrls": [], "liveData": []}}))}}),
        ))
    }

    pub(super) fn sampled_history_page(
        &self,
        vars: &Map<String, Value>,
    ) -> Result<Outcome, Outcome> {
        let spec: Value = serde_json::from_str(text(vars, "spec"))
            .map_err(|_| bad("spec must be a JSONString"))?;
        let keys: Vec<&str> = spec["keys"]
            .as_array()
            .ok_or_else(|| bad("spec.keys must be a list"))?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let (Some(lo), Some(hi), Some(samples)) = (
            spec["minStep"].as_i64(),
            spec["maxStep"].as_i64(),
            spec["samples"].as_i64(),
        ) else {
            return Err(bad("spec needs minStep, maxStep and samples"));
        };
        let Some(run) = self.find_run(vars, "run") else {
            return Ok(ok(json!({"project": {"run": null}})));
        };
        let rows: Vec<Value> = run
            .rows
            .iter()
            .filter(|r| (lo..=hi).contains(&r.step))
            .filter_map(|HistoryRow { step, time, values }| {
                let mut row = Map::new();
                for key in &keys {
                    match *key {
                        "_step" => {
                            row.insert("_step".into(), json!(step));
                        }
                        "_timestamp" => {
                            row.insert("_timestamp".into(), json!(time));
                        }
                        k => {
                            let v = values.iter().find(|(n, _)| n == k)?.1;
                            row.insert(
                                k.into(),
                                v.map_or(json!(null), |x| {
                                    if x.is_nan() { json!("NaN") } else { json!(x) }
                                }),
                            );
                        }
                    }
                }
                Some(Value::Object(row))
            })
            .collect();
        // More rows than samples: the server down-samples; so does the fake (every n-th row).
        let every = rows.len().div_ceil(samples.max(1) as usize).max(1);
        let rows: Vec<Value> = rows.into_iter().step_by(every).collect();
        Ok(ok(json!({"project": {"run": {"sampledHistory": [rows]}}})))
    }
}

/// A run of `project` with one metric logged at steps 0.., a second apart from `start`.
pub fn run_with(
    project: &str,
    name: &str,
    display: &str,
    state: &str,
    created: i64,
    loss: impl IntoIterator<Item = Option<f64>>,
) -> FakeRun {
    FakeRun {
        project: project.into(),
        name: name.into(),
        display_name: display.into(),
        state: state.into(),
        created,
        rows: loss
            .into_iter()
            .enumerate()
            .map(|(i, v)| HistoryRow {
                step: i as i64,
                time: 1_780_000_000.0 + created as f64 * 60.0 + i as f64,
                values: vec![("loss".into(), v)],
            })
            .collect(),
    }
}

/// The demo team's runs: 24 runs of acme/vision, newest first `sweep-24`; every fifth one's
/// loss spikes around step 150, every third one failed.
pub fn demo_runs() -> Vec<FakeRun> {
    (1..=24)
        .map(|i| {
            let spike = i % 5 == 0;
            let loss = (0..300).map(move |s| {
                let base = 0.4 / (1.0 + s as f64 / 30.0) + 0.05 + (i as f64) * 0.002;
                Some(if spike && (150..158).contains(&s) {
                    base + 0.6
                } else {
                    base
                })
            });
            let state = match i % 3 {
                0 => "failed",
                _ if i == 24 => "running",
                _ => "finished",
            };
            run_with(
                "acme/vision",
                &format!("vis{i:03}"),
                &format!("sweep-{i}"),
                state,
                i,
                loss,
            )
        })
        .collect()
}
