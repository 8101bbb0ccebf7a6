//! Where a backtest's history comes from, one implementation for the CLI and the dashboard:
//! W&B runs (the newest of a project, or named ones) with their metric history, run logs under
//! directories (each gives one [`RunHistory`] per run), and series files (streamed into the
//! backtest, so their length costs no memory).

use crate::backend::{Backend, BackendError, RunInfo};
use crate::engine::backtest::{RunHistory, final_state_only};
use crate::engine::event::{EngineEvent, EventBody, RunRef, StateReport};
use crate::engine::runlog::events::Mapping;
use crate::model::{Automation, Event};
use crate::wire::runs::wandb_time;
use std::path::{Path, PathBuf};

/// Recorded runs, shared with the worker that judges them (the wizard's live verdict judges the
/// same runs again after every edit).
pub(crate) type Histories = std::sync::Arc<Vec<RunHistory>>;

/// What a backtest judges with, from `config.toml`'s `[engine]`: the rate limit firings are held
/// to, and how long a run log may go without growing before its run counts as crashed. The one
/// source of both for the command line and the dashboard, whichever backend is in use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// Firings per minute and burst, per automation.
    pub(crate) limit: crate::engine::eval::RateLimit,
    /// Seconds a silent run log's run stays alive.
    pub(crate) stale_secs: i64,
}

impl Settings {
    /// The settings of `[engine]`.
    pub fn of(engine: &crate::config::file::EngineSettings) -> Self {
        Self {
            limit: crate::engine::rate_limit(engine),
            stale_secs: engine.run_stale_secs,
        }
    }
}

/// Runs the backtest on a blocking thread (a long history takes a while).
pub(crate) async fn judge(
    a: &Automation,
    histories: Vec<RunHistory>,
    options: crate::engine::backtest::Options,
) -> Result<Vec<crate::engine::backtest::Verdict>, BackendError> {
    judge_with_series(a, histories, Vec::new(), options).await
}

/// [`judge`], then the series files streamed in after the histories, each in file order.
pub(crate) async fn judge_with_series(
    a: &Automation,
    histories: Vec<RunHistory>,
    series: Vec<PathBuf>,
    options: crate::engine::backtest::Options,
) -> Result<Vec<crate::engine::backtest::Verdict>, BackendError> {
    let automation = a.clone();
    tokio::task::spawn_blocking(move || {
        let mut bt = crate::engine::backtest::Backtest::new(&automation, options);
        crate::engine::backtest::feed_histories(&mut bt, histories);
        for path in &series {
            stream_series(path, &automation, &mut bt).map_err(|e| {
                BackendError::Invalid(vec![crate::model::validate::Problem::new("--series", e)])
            })?;
        }
        Ok(bt.finish())
    })
    .await
    .map_err(|e| BackendError::Storage(format!("the backtest stopped: {e}")))?
}

/// The runs to read from W&B.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WandbRuns {
    /// The project's entity.
    pub(crate) entity: String,
    /// The project.
    pub(crate) project: String,
    /// How many of the newest runs (when no ids are given).
    pub(crate) last: usize,
    /// These runs only.
    pub(crate) ids: Vec<String>,
}

fn run_ref(entity: &str, project: &str, r: &RunInfo) -> RunRef {
    RunRef {
        entity: entity.into(),
        project: project.into(),
        run: r.id.clone(),
        display_name: r.display_name.clone(),
        user: r.user.clone(),
    }
}

/// The runs of `which` with what the automation needs of them: a metric's history (every
/// logged value), or the final state (W&B keeps no state history).
pub(crate) async fn wandb_histories(
    backend: &dyn Backend,
    a: &Automation,
    which: &WandbRuns,
) -> Result<Vec<RunHistory>, BackendError> {
    let (entity, project) = (which.entity.as_str(), which.project.as_str());
    let runs = if which.ids.is_empty() {
        backend.list_runs(entity, project, which.last).await?
    } else {
        let mut found = Vec::new();
        for id in &which.ids {
            found.push(
                backend
                    .run_info(entity, project, id)
                    .await?
                    .ok_or_else(|| {
                        BackendError::NotFound(format!(
                            "there is no run {id} in {entity}/{project}"
                        ))
                    })?,
            );
        }
        found
    };
    let mut out = Vec::with_capacity(runs.len());
    for r in &runs {
        let run = run_ref(entity, project, r);
        let history = match &a.event {
            Event::RunMetric { condition, .. } => {
                let series = backend
                    .run_history(entity, project, &r.id, condition.metric())
                    .await
                    .map_err(|e| in_run(e, r))?;
                let metric = condition.metric().to_string();
                RunHistory {
                    events: series
                        .points
                        .into_iter()
                        .map(|(step, time, value)| EngineEvent {
                            run: None,
                            body: EventBody::Metric {
                                step: Some(step),
                                metrics: vec![(metric.clone(), value)],
                            },
                            time: Some(time.unwrap_or(0)),
                        })
                        .collect(),
                    run,
                    notes: series.notes,
                }
            }
            _ => {
                let time = r
                    .heartbeat_at
                    .as_deref()
                    .or(r.created_at.as_deref())
                    .and_then(wandb_time)
                    .unwrap_or(0);
                match StateReport::parse(&r.state) {
                    Some(state) => final_state_only(run, state, time),
                    None => RunHistory {
                        run,
                        events: Vec::new(),
                        notes: vec![format!(
                            "its state {:?} is not one an automation reacts to",
                            r.state
                        )],
                    },
                }
            }
        };
        out.push(history);
    }
    Ok(out)
}

/// Names the run an error happened on, keeping its kind.
fn in_run(e: BackendError, r: &RunInfo) -> BackendError {
    let said = format!("reading the history of run {}: {e}", r.id);
    match e {
        BackendError::NotFound(_) => BackendError::NotFound(said),
        BackendError::Auth(_) => BackendError::Auth(said),
        BackendError::Network(_) => BackendError::Network(said),
        _ => BackendError::Server(said),
    }
}

/// Every run log under the directories, read whole (a log whose writer is gone ends crashed).
pub(crate) fn run_dir_histories(
    dirs: &[PathBuf],
    mapping: &Mapping,
    now: i64,
    stale_secs: i64,
) -> Result<Vec<RunHistory>, String> {
    let mut out = Vec::new();
    for dir in dirs {
        if !dir.is_dir() {
            return Err(format!("{} is not a directory", dir.display()));
        }
        let logs = crate::engine::runlog::follow::find(dir);
        if logs.is_empty() {
            return Err(format!(
                "no run logs (run-*.wandb) under {}; point --run-dir at a wandb directory",
                dir.display()
            ));
        }
        out.extend(run_log_histories(&logs, mapping, now, stale_secs)?);
    }
    Ok(out)
}

/// The run logs at these paths (the ones the local engine follows), read whole.
pub(crate) fn run_log_histories(
    paths: &[PathBuf],
    mapping: &Mapping,
    now: i64,
    stale_secs: i64,
) -> Result<Vec<RunHistory>, String> {
    let mut out = Vec::new();
    for p in paths.iter().filter(|p| p.exists()) {
        out.extend(crate::engine::runlog::follow::read_whole(
            p, mapping, now, stale_secs,
        )?);
    }
    Ok(out)
}

/// A series file streamed into the backtest: `.csv` (a `step` column, one per metric) or
/// `.jsonl` (engine events); its runs go to the automation's project.
fn stream_series(
    path: &Path,
    a: &Automation,
    bt: &mut crate::engine::backtest::Backtest,
) -> Result<(), String> {
    use crate::engine::series::{Source, read_csv, read_jsonl};
    let entity = a.scope.path.entity().to_string();
    let project = a
        .scope
        .path
        .project_name()
        .unwrap_or_else(|| "uncategorized".into());
    let name = path
        .file_name()
        .map_or_else(|| "series".to_string(), |n| n.to_string_lossy().to_string());
    let shown = path.display();
    let source = Source {
        name: &name,
        entity: &entity,
        project: &project,
    };
    let open = || {
        std::fs::File::open(path)
            .map(|f| std::io::BufReader::with_capacity(1 << 16, f))
            .map_err(|e| format!("cannot read {shown}: {e}"))
    };
    match Path::new(&name).extension().and_then(|e| e.to_str()) {
        Some("csv") => read_csv(open()?, &source, bt),
        Some("jsonl" | "ndjson" | "json") => read_jsonl(open()?, &source, bt),
        _ => Err("a series is a .csv (step,metric...) or a .jsonl of events".into()),
    }
    .map_err(|e| format!("{shown}: {e}"))
}

/// Run logs as the automation's own: each run in its own project, the automation's entity for
/// runs logged without one.
fn own_runs(a: &Automation) -> Mapping {
    Mapping {
        project: None,
        default_entity: a.scope.path.entity().to_string(),
    }
}

/// A run the dashboard's Backtest tab can judge.
#[derive(Clone, Debug, PartialEq)]
pub struct RunChoice {
    /// Its name for people (display name, else id).
    pub label: String,
    /// Its id.
    pub id: String,
    /// Its state as last known.
    pub state: String,
    /// Where its history is.
    pub source: ChoiceSource,
}

/// Where a chosen run's history is read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChoiceSource {
    /// A W&B run of `entity/project`.
    Wandb {
        /// The project's entity.
        entity: String,
        /// The project.
        project: String,
    },
    /// A run log the local engine follows.
    Log(PathBuf),
}

/// How many recent runs the Backtest tab offers.
pub(crate) const RECENT_RUNS: usize = 20;

/// The runs to offer for an automation, most recent first: on W&B the newest of its project,
/// on the local backend the run logs its engine follows.
pub(crate) async fn run_choices(
    backend: &dyn Backend,
    engine: Option<&crate::engine::Engine>,
    a: &Automation,
) -> Result<Vec<RunChoice>, BackendError> {
    crate::engine::backtest::judgeable(a).map_err(BackendError::Unsupported)?;
    if backend.info().kind == crate::backend::BackendKind::Wandb {
        let Some(project) = a.scope.path.project_name() else {
            return Err(BackendError::Unsupported(format!(
                "{} is scoped to {}, not a project; `wbauto backtest {} --runs ENTITY/PROJECT` judges a project's runs",
                a.name, a.scope.path, a.name
            )));
        };
        let entity = a.scope.path.entity().to_string();
        let runs = backend.list_runs(&entity, &project, RECENT_RUNS).await?;
        return Ok(runs
            .into_iter()
            .map(|r| RunChoice {
                label: r.display_name.clone().unwrap_or_else(|| r.id.clone()),
                id: r.id,
                state: r.state,
                source: ChoiceSource::Wandb {
                    entity: entity.clone(),
                    project: project.clone(),
                },
            })
            .collect());
    }
    let Some(engine) = engine else {
        return Err(BackendError::Unsupported(
            "the local engine's runs are not readable here".into(),
        ));
    };
    let followed = crate::ops::followed_runs(engine)?;
    Ok(followed
        .into_iter()
        .take(RECENT_RUNS)
        .map(|r| RunChoice {
            id: r.path.clone(),
            label: r.name,
            state: r.state,
            source: ChoiceSource::Log(PathBuf::from(r.path)),
        })
        .collect())
}

/// Judges one run with its chart kept (the Backtest tab).
pub(crate) async fn judge_choice(
    backend: &dyn Backend,
    a: &Automation,
    choice: &RunChoice,
    settings: Settings,
) -> Result<crate::engine::backtest::Verdict, BackendError> {
    let histories = match &choice.source {
        ChoiceSource::Wandb { entity, project } => {
            let which = WandbRuns {
                entity: entity.clone(),
                project: project.clone(),
                last: 1,
                ids: vec![choice.id.clone()],
            };
            wandb_histories(backend, a, &which).await?
        }
        ChoiceSource::Log(path) => {
            let path = path.clone();
            let mapping = own_runs(a);
            let now = jiff::Timestamp::now().as_second();
            tokio::task::spawn_blocking(move || {
                run_log_histories(&[path], &mapping, now, settings.stale_secs)
            })
            .await
            .map_err(|e| BackendError::Storage(e.to_string()))?
            .map_err(BackendError::Storage)?
        }
    };
    let options = crate::engine::backtest::Options {
        limit: settings.limit,
        trace: true,
    };
    let verdicts = judge(a, histories, options).await?;
    verdicts.into_iter().next().ok_or_else(|| {
        BackendError::NotFound(format!("{} has no history to judge yet", choice.label))
    })
}

/// The recent runs of the automation's scope with their history, for the wizard's live verdict
/// (read once; the condition is then judged again on every edit without the network).
pub(crate) async fn recent_histories(
    backend: &dyn Backend,
    engine: Option<&crate::engine::Engine>,
    a: &Automation,
    settings: Settings,
) -> Result<Vec<RunHistory>, BackendError> {
    let choices = run_choices(backend, engine, a).await?;
    let mut logs = Vec::new();
    let mut wandb: Option<WandbRuns> = None;
    for c in choices {
        match c.source {
            ChoiceSource::Log(p) => logs.push(p),
            ChoiceSource::Wandb { entity, project } => wandb
                .get_or_insert_with(|| WandbRuns {
                    entity,
                    project,
                    last: RECENT_RUNS,
                    ids: Vec::new(),
                })
                .ids
                .push(c.id),
        }
    }
    let mut out = match wandb {
        Some(which) => wandb_histories(backend, a, &which).await?,
        None => Vec::new(),
    };
    if !logs.is_empty() {
        let mapping = own_runs(a);
        let stale = settings.stale_secs;
        let now = jiff::Timestamp::now().as_second();
        out.extend(
            tokio::task::spawn_blocking(move || run_log_histories(&logs, &mapping, now, stale))
                .await
                .map_err(|e| BackendError::Storage(e.to_string()))?
                .map_err(BackendError::Storage)?,
        );
    }
    Ok(out)
}
