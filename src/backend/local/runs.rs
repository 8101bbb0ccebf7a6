//! Recorded runs and their metric histories in the local database, answered as W&B answers its
//! runs: newest first, one by id, a metric's every logged value by step. Synchronous; called on
//! blocking threads only.

use crate::backend::{BackendError, RunInfo, RunSeries};
use rusqlite::{Connection, OptionalExtension, Row, params};

/// A metric's logged points: (step, Unix seconds, value), by step.
pub(crate) type Points = Vec<(i64, i64, f64)>;

/// A run to record, with its histories.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RecordedRun {
    /// `ENTITY`, `PROJECT`.
    pub(crate) entity: String,
    pub(crate) project: String,
    /// How the run is shown and listed.
    pub(crate) info: RunInfo,
    /// Each metric with its points.
    pub(crate) metrics: Vec<(String, Points)>,
}

/// Records a run and its histories (the project must exist).
pub(crate) fn insert(conn: &Connection, run: &RecordedRun) -> Result<(), BackendError> {
    let i = &run.info;
    conn.execute(
        "INSERT INTO runs (entity, project, id, display_name, state, created_at, heartbeat_at, user_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            run.entity,
            run.project,
            i.id,
            i.display_name,
            i.state,
            i.created_at,
            i.heartbeat_at,
            i.user
        ],
    )?;
    let mut stmt = conn.prepare(
        "INSERT INTO run_metrics (entity, project, run, metric, points) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (metric, points) in &run.metrics {
        let text = serde_json::to_string(points)
            .map_err(|e| BackendError::Storage(format!("a run's history: {e}")))?;
        stmt.execute(params![run.entity, run.project, i.id, metric, text])?;
    }
    Ok(())
}

fn has_project(conn: &Connection, entity: &str, project: &str) -> Result<bool, BackendError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM projects WHERE entity = ?1 AND name = ?2",
            [entity, project],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn no_project(entity: &str, project: &str) -> BackendError {
    BackendError::NotFound(format!("there is no project {project} in {entity}"))
}

/// A run's columns, then its most rows and last step over its metrics.
const COLUMNS: &str = "id, display_name, state, created_at, heartbeat_at, user_name,
    (SELECT MAX(json_array_length(points)) FROM run_metrics m
      WHERE m.entity = runs.entity AND m.project = runs.project AND m.run = runs.id),
    (SELECT MAX(json_extract(points, '$[#-1][0]')) FROM run_metrics m
      WHERE m.entity = runs.entity AND m.project = runs.project AND m.run = runs.id)";

fn info(r: &Row) -> rusqlite::Result<RunInfo> {
    Ok(RunInfo {
        id: r.get(0)?,
        display_name: r.get(1)?,
        state: r.get(2)?,
        created_at: r.get(3)?,
        heartbeat_at: r.get(4)?,
        user: r.get(5)?,
        history_rows: r.get(6)?,
        last_step: r.get(7)?,
    })
}

/// The newest `last` runs of a project, newest first; a project that does not exist is
/// [`BackendError::NotFound`], as on W&B.
pub(crate) fn newest(
    conn: &Connection,
    entity: &str,
    project: &str,
    last: usize,
) -> Result<Vec<RunInfo>, BackendError> {
    if !has_project(conn, entity, project)? {
        return Err(no_project(entity, project));
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM runs WHERE entity = ?1 AND project = ?2
         ORDER BY created_at DESC, id LIMIT ?3"
    ))?;
    let limit = i64::try_from(last).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![entity, project, limit], info)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One run by id; `None` when the project has no such run.
pub(crate) fn one(
    conn: &Connection,
    entity: &str,
    project: &str,
    run: &str,
) -> Result<Option<RunInfo>, BackendError> {
    if !has_project(conn, entity, project)? {
        return Err(no_project(entity, project));
    }
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM runs WHERE entity = ?1 AND project = ?2 AND id = ?3"),
            [entity, project, run],
            info,
        )
        .optional()?)
}

/// Every logged value of `metric` on a run, by step; none when the run never logged it or does
/// not exist (as W&B answers).
pub(crate) fn history(
    conn: &Connection,
    entity: &str,
    project: &str,
    run: &str,
    metric: &str,
) -> Result<RunSeries, BackendError> {
    let text: Option<String> = conn
        .query_row(
            "SELECT points FROM run_metrics WHERE entity = ?1 AND project = ?2 AND run = ?3 AND metric = ?4",
            [entity, project, run, metric],
            |r| r.get(0),
        )
        .optional()?;
    let Some(text) = text else {
        return Ok(RunSeries::default());
    };
    let points: Points = serde_json::from_str(&text).map_err(|e| {
        BackendError::Storage(format!(
            "the recorded history of {metric} on run {run} in {entity}/{project} cannot be read ({e})"
        ))
    })?;
    Ok(RunSeries {
        points: points
            .into_iter()
            .map(|(s, t, v)| (s, Some(t), v))
            .collect(),
        notes: Vec::new(),
    })
}
