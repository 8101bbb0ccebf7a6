//! W&B's runs and their history as the `wandb` SDK 0.31.0 reads them (the runs research note):
//! the documents byte for byte as recorded from the SDK (tests/fixtures/sdk_runs_requests.json),
//! the variables they take, and reading run nodes and history rows. Pure.

use serde_json::{Value, json};

/// Lists a project's runs (the SDK's `api.runs`, lazy: `LightweightRunFragment`).
pub(crate) const RUNS: &str = "#graphql\n        query Runs($project: String!, $entity: String!, $cursor: String, $perPage: Int = 50, $order: String, $filters: JSONString) {\n            project(name: $project, entityName: $entity) {\n                internalId\n                runCount(filters: $filters)\n                readOnly\n                runs(filters: $filters, after: $cursor, first: $perPage, order: $order) {\n                    edges {\n                        node {\n                            projectId\n                            ...LightweightRunFragment\n                        }\n                        cursor\n                    }\n                    pageInfo {\n                        endCursor\n                        hasNextPage\n                    }\n                }\n            }\n        }\n        fragment LightweightRunFragment on Run {\n    id\n    tags\n    name\n    displayName\n    sweepName\n    state\n    group\n    jobType\n    commit\n    readOnly\n    createdAt\n    heartbeatAt\n    description\n    notes\n    historyLineCount\n    user {\n        name\n        username\n    }\n}\n        ";

/// One run by its id (the SDK's `api.run`, `RunFragment`).
pub(crate) const RUN: &str = "#graphql\n        query Run($project: String!, $entity: String!, $name: String!) {\n            project(name: $project, entityName: $entity) {\n                run(name: $name) {\n                    projectId\n                    ...RunFragment\n                }\n            }\n        }\n        fragment RunFragment on Run {\n    id\n    tags\n    name\n    displayName\n    sweepName\n    state\n    config\n    group\n    jobType\n    commit\n    readOnly\n    createdAt\n    heartbeatAt\n    description\n    notes\n    systemMetrics\n    summaryMetrics\n    historyLineCount\n    user {\n        name\n        username\n    }\n    historyKeys\n}\n        ";

/// A run's history keys; `lastStep` bounds the history read.
pub(crate) const RUN_HISTORY_KEYS: &str = "\n        query RunHistoryKeys($project: String!, $entity: String!, $name: String!) {\n            project(name: $project, entityName: $entity) {\n                run(name: $name) { historyKeys }\n            }\n        }\n        ";

/// Where a run's exported history is (sent as wandb-core sends it before a scan).
pub(crate) const RUN_PARQUET_HISTORY: &str = "\nquery RunParquetHistory ($entity: String!, $project: String!, $runName: String!, $liveKeys: [String!]!) {\n\tproject(name: $project, entityName: $entity) {\n\t\trun(name: $runName) {\n\t\t\tparquetHistory(liveKeys: $liveKeys) {\n\t\t\t\tparquetUrls\n\t\t\t\tliveData\n\t\t\t}\n\t\t}\n\t}\n}\n";

/// One step window of a run's history, nothing down-sampled (wandb-core's scan page).
pub(crate) const SAMPLED_HISTORY_PAGE: &str = "\nquery SampledHistoryPage ($entity: String!, $project: String!, $run: String!, $spec: JSONString!) {\n\tproject(name: $project, entityName: $entity) {\n\t\trun(name: $run) {\n\t\t\tsampledHistory(specs: [$spec])\n\t\t}\n\t}\n}\n";

/// The operation names wandb-core sets for its own documents (the SDK's raw ones send `""`).
pub(crate) const RUN_PARQUET_HISTORY_NAME: &str = "RunParquetHistory";
/// See [`RUN_PARQUET_HISTORY_NAME`].
pub(crate) const SAMPLED_HISTORY_PAGE_NAME: &str = "SampledHistoryPage";

/// Steps per history page (the SDK's `scan_history` default `page_size`).
pub(crate) const HISTORY_PAGE: i64 = 1000;

/// The variables of one page of [`RUNS`], newest first (keys sorted, as wandb-core re-encodes
/// the SDK's variables).
pub(crate) fn runs_variables(
    entity: &str,
    project: &str,
    per_page: usize,
    cursor: Option<&str>,
) -> Value {
    json!({"cursor": cursor, "entity": entity, "filters": "{}", "order": "-created_at", "perPage": per_page, "project": project})
}

/// The variables of [`RUN`] and [`RUN_HISTORY_KEYS`].
pub(crate) fn run_variables(entity: &str, project: &str, run: &str) -> Value {
    json!({"entity": entity, "name": run, "project": project})
}

/// The variables of [`RUN_PARQUET_HISTORY`] (declaration order, as wandb-core sends them).
pub(crate) fn parquet_variables(entity: &str, project: &str, run: &str) -> Value {
    json!({"entity": entity, "project": project, "runName": run, "liveKeys": ["_step"]})
}

/// The variables of one [`SAMPLED_HISTORY_PAGE`]: steps `lo..=hi` of `metric` with `_timestamp`,
/// `_step` first and again last, as wandb-core writes the spec.
pub(crate) fn page_variables(
    entity: &str,
    project: &str,
    run: &str,
    metric: &str,
    lo: i64,
    hi: i64,
) -> Value {
    let spec = json!({"keys": ["_step", metric, "_timestamp", "_step"], "minStep": lo, "maxStep": hi, "samples": hi - lo + 1});
    json!({"entity": entity, "project": project, "run": run, "spec": spec.to_string()})
}

/// A run as a listing shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct RunInfo {
    /// The short id (`name` on the wire).
    pub id: String,
    /// The display name.
    pub display_name: Option<String>,
    /// The state as W&B reports it (`running`, `finished`, `crashed`, ...).
    pub state: String,
    /// When it was created (as W&B writes it).
    pub created_at: Option<String>,
    /// Its last heartbeat.
    pub heartbeat_at: Option<String>,
    /// Rows of history it logged.
    pub history_rows: Option<i64>,
    /// The last step it logged, where the answer says (one run's, not a listing's).
    pub last_step: Option<i64>,
    /// The user's name.
    pub user: Option<String>,
}

/// Reads a run node (both fragments).
pub(crate) fn run_info(node: &Value) -> Option<RunInfo> {
    let text = |k: &str| node.get(k).and_then(Value::as_str).map(str::to_string);
    Some(RunInfo {
        id: text("name")?,
        display_name: text("displayName"),
        state: text("state").unwrap_or_else(|| "not found".into()),
        created_at: text("createdAt"),
        heartbeat_at: text("heartbeatAt"),
        history_rows: node.get("historyLineCount").and_then(Value::as_i64),
        last_step: node
            .pointer("/historyKeys/lastStep")
            .and_then(Value::as_i64),
        user: node
            .pointer("/user/username")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// `historyKeys.lastStep`, -1 when missing (as the SDK reads it).
pub(crate) fn last_step(history_keys: Option<&Value>) -> i64 {
    history_keys
        .and_then(|k| k.get("lastStep"))
        .and_then(Value::as_i64)
        .unwrap_or(-1)
}

/// A logged value: a JSON number, or the strings W&B writes for non-finite ones (`"NaN"`,
/// `"Infinity"`, `"-Infinity"`); `null` and other text are no value.
pub(crate) fn metric_value(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => nonfinite(s),
        _ => None,
    }
}

/// A non-finite value as W&B (`NaN`, `Infinity`, `-Infinity`) or Python and NumPy (`nan`,
/// `inf`, `-inf`) write it.
pub(crate) fn nonfinite(text: &str) -> Option<f64> {
    match text {
        "NaN" | "nan" => Some(f64::NAN),
        "Infinity" | "inf" => Some(f64::INFINITY),
        "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// The (step, time, value) points of `metric` in one page's `sampledHistory` (every inner list).
pub(crate) fn page_points(
    sampled: &Value,
    metric: &str,
    out: &mut Vec<(i64, Option<i64>, f64)>,
) -> Result<(), String> {
    let lists = sampled.as_array().ok_or("sampledHistory is not a list")?;
    for list in lists {
        let rows = list
            .as_array()
            .ok_or("a sampledHistory entry is not a list of rows")?;
        for row in rows {
            let Some(step) = row.get("_step").and_then(Value::as_f64) else {
                continue;
            };
            let Some(value) = row.get(metric).and_then(metric_value) else {
                continue;
            };
            let time = row
                .get("_timestamp")
                .and_then(Value::as_f64)
                .map(|t| t as i64);
            out.push((step as i64, time, value));
        }
    }
    Ok(())
}

/// A W&B time (`2026-11-01T00:00:00`, UTC without an offset, or RFC 3339) in Unix seconds.
pub(crate) fn wandb_time(s: &str) -> Option<i64> {
    wandb_timestamp(s).map(|t| t.as_second())
}

/// A W&B time (`2026-11-01T00:00:00.123`, UTC without an offset, or RFC 3339).
pub(crate) fn wandb_timestamp(s: &str) -> Option<jiff::Timestamp> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t);
    }
    let civil = s.parse::<jiff::civil::DateTime>().ok()?;
    jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()
}
