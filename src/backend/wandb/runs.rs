//! Runs and their metric history on W&B, requested as the `wandb` SDK 0.31.0 requests them
//! (the runs research note): `Runs` pages by the last edge's cursor, newest first; a run's
//! history as `RunHistoryKeys` (its last step), `RunParquetHistory` (as wandb-core asks before a
//! scan), then `SampledHistoryPage` step windows of 1,000 with nothing down-sampled.

use super::client::GraphqlRequest;
use super::{WandbBackend, at, unexpected};
use crate::backend::{BackendError, MAX_HISTORY_STEPS, RunInfo, RunSeries};
use crate::wire::runs::{self, HISTORY_PAGE};
use serde_json::Value;

/// Runs asked per page (the SDK's `per_page` default).
const RUNS_PER_PAGE: usize = 50;

impl WandbBackend {
    pub(super) async fn newest_runs(
        &self,
        entity: &str,
        project: &str,
        last: usize,
    ) -> Result<Vec<RunInfo>, BackendError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        while out.len() < last {
            let vars = runs::runs_variables(entity, project, RUNS_PER_PAGE, cursor.as_deref());
            let data = self
                .client
                .execute(&GraphqlRequest::sdk(runs::RUNS, vars))
                .await?;
            let Some(connection) = at(&data, &["project", "runs"]) else {
                if at(&data, &["project"]).is_none() {
                    return Err(BackendError::NotFound(format!(
                        "there is no project {project} in {entity}"
                    )));
                }
                return Err(unexpected("the runs listing"));
            };
            let edges = connection
                .get("edges")
                .and_then(Value::as_array)
                .ok_or_else(|| unexpected("the runs listing"))?;
            for edge in edges {
                let node = edge
                    .get("node")
                    .ok_or_else(|| unexpected("the runs listing"))?;
                out.extend(runs::run_info(node));
            }
            let more = connection
                .pointer("/pageInfo/hasNextPage")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let next = edges
                .last()
                .and_then(|e| e.get("cursor"))
                .and_then(Value::as_str)
                .map(str::to_string);
            match next {
                Some(next) if more && cursor.as_ref() != Some(&next) => cursor = Some(next),
                _ => break,
            }
        }
        out.truncate(last);
        Ok(out)
    }

    pub(super) async fn one_run(
        &self,
        entity: &str,
        project: &str,
        run: &str,
    ) -> Result<Option<RunInfo>, BackendError> {
        let vars = runs::run_variables(entity, project, run);
        let data = self
            .client
            .execute(&GraphqlRequest::sdk(runs::RUN, vars))
            .await?;
        Ok(at(&data, &["project", "run"]).and_then(runs::run_info))
    }

    pub(super) async fn metric_history(
        &self,
        entity: &str,
        project: &str,
        run: &str,
        metric: &str,
    ) -> Result<RunSeries, BackendError> {
        let vars = runs::run_variables(entity, project, run);
        let data = self
            .client
            .execute(&GraphqlRequest::sdk(runs::RUN_HISTORY_KEYS, vars))
            .await?;
        let last = runs::last_step(at(&data, &["project", "run", "historyKeys"]));
        let mut series = RunSeries::default();
        let exported = self
            .client
            .execute(&GraphqlRequest::core(
                runs::RUN_PARQUET_HISTORY,
                runs::RUN_PARQUET_HISTORY_NAME,
                runs::parquet_variables(entity, project, run),
            ))
            .await?;
        if at(
            &exported,
            &["project", "run", "parquetHistory", "parquetUrls"],
        )
        .and_then(Value::as_array)
        .is_some_and(|urls| !urls.is_empty())
        {
            series.notes.push(
                "part of this run's history is exported to parquet files; it is read through sampledHistory, which W&B may not serve for exported steps".into(),
            );
        }
        let mut lo = 0;
        if last + 1 > MAX_HISTORY_STEPS {
            lo = last + 1 - MAX_HISTORY_STEPS;
            series.notes.push(format!(
                "the run logged {} steps; only the last {MAX_HISTORY_STEPS} are judged",
                last + 1
            ));
        }
        while lo <= last {
            let hi = (lo + HISTORY_PAGE - 1).min(last);
            let data = self
                .client
                .execute(&GraphqlRequest::core(
                    runs::SAMPLED_HISTORY_PAGE,
                    runs::SAMPLED_HISTORY_PAGE_NAME,
                    runs::page_variables(entity, project, run, metric, lo, hi),
                ))
                .await?;
            let sampled = at(&data, &["project", "run", "sampledHistory"])
                .ok_or_else(|| unexpected("a history page"))?;
            runs::page_points(sampled, metric, &mut series.points)
                .map_err(|e| BackendError::Server(format!("W&B's history page {lo}..{hi}: {e}")))?;
            lo = hi + 1;
        }
        series.points.sort_by_key(|p| p.0);
        series.points.dedup_by_key(|p| p.0);
        Ok(series)
    }
}
