//! Where a backtest's history comes from, one implementation for the CLI and the dashboard:
//! the backend's runs (W&B's, or the ones recorded in the local database: the newest of a
//! project, or named ones) with their metric history, run logs under directories (each gives one
//! [`RunHistory`] per run), and series files (streamed into the backtest, so their length costs
//! no memory). With no source named, the automation's own runs: the backend's and, locally, the
//! run logs the engine follows.

use crate::backend::{Backend, BackendError, BackendKind, RunInfo};
use crate::engine::backtest::{RunHistory, final_state_only};
use crate::engine::event::{EngineEvent, EventBody, RunRef, StateReport};
use crate::engine::runlog::events::Mapping;
use crate::model::history::Source;
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

/// Where the backend's runs are kept, in words: "on W&B", "recorded in the local database".
pub(crate) fn kept_where(backend: &dyn Backend) -> &'static str {
    match backend.info().kind {
        BackendKind::Wandb => "on W&B",
        BackendKind::Local => "recorded in the local database",
    }
}

/// The backend's runs to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BackendRuns {
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
/// logged value), or the final state (a backend keeps no state history).
pub(crate) async fn backend_histories(
    backend: &dyn Backend,
    a: &Automation,
    which: &BackendRuns,
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
    histories_of(backend, a, entity, project, &runs).await
}

/// What the automation needs of these runs of `entity/project`.
async fn histories_of(
    backend: &dyn Backend,
    a: &Automation,
    entity: &str,
    project: &str,
    runs: &[RunInfo],
) -> Result<Vec<RunHistory>, BackendError> {
    let mut out = Vec::with_capacity(runs.len());
    for r in runs {
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
    /// A run the backend keeps (W&B's, or one recorded in the local database) of
    /// `entity/project`.
    Recorded {
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

/// The backend's newest runs (at most `last`) that the automation watches, newest first, each
/// with its project: its project's, or on the local backend, every project's of its entity
/// (on W&B that would be a request per project: it asks for one).
async fn recorded_runs(
    backend: &dyn Backend,
    a: &Automation,
    last: usize,
) -> Result<Vec<(String, RunInfo)>, BackendError> {
    let entity = a.scope.path.entity();
    let projects = match a.scope.path.project_name() {
        Some(p) => vec![p],
        None if backend.info().kind == BackendKind::Local => backend
            .list_projects(entity)
            .await?
            .into_iter()
            .map(|p| p.name)
            .collect(),
        None => {
            return Err(BackendError::Unsupported(format!(
                "{} is scoped to {}, not a project: say which runs with `wbauto backtest {} --runs ENTITY/PROJECT`",
                a.name, a.scope.path, a.name
            )));
        }
    };
    let mut runs = Vec::new();
    for project in projects {
        for r in backend.list_runs(entity, &project, last).await? {
            runs.push((project.clone(), r));
        }
    }
    runs.sort_by_key(|(_, r)| std::cmp::Reverse(r.created_at.as_deref().and_then(wandb_time)));
    runs.truncate(last);
    Ok(runs)
}

/// The runs to offer for an automation, most recent first: the run logs the local engine
/// follows, then the backend's runs the automation watches.
pub(crate) async fn run_choices(
    backend: &dyn Backend,
    engine: Option<&crate::engine::Engine>,
    a: &Automation,
) -> Result<Vec<RunChoice>, BackendError> {
    crate::engine::backtest::judgeable(a).map_err(BackendError::Unsupported)?;
    let mut out: Vec<RunChoice> = match engine {
        Some(engine) => crate::ops::followed_runs(engine)?
            .into_iter()
            .filter_map(|r| {
                let log = r.log?;
                Some(RunChoice {
                    id: log.clone(),
                    source: ChoiceSource::Log(PathBuf::from(log)),
                    label: r.name,
                    state: r.state,
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let entity = a.scope.path.entity().to_string();
    out.extend(
        recorded_runs(backend, a, RECENT_RUNS)
            .await?
            .into_iter()
            .map(|(project, r)| RunChoice {
                label: r.display_name.clone().unwrap_or_else(|| r.id.clone()),
                id: r.id,
                state: r.state,
                source: ChoiceSource::Recorded {
                    entity: entity.clone(),
                    project,
                },
            }),
    );
    out.truncate(RECENT_RUNS);
    Ok(out)
}

/// One run judged for the Backtest tab: the verdict, and beside it what the backend recorded
/// on that run (`None` for an automation not saved, which has no executions).
#[derive(Clone, Debug, PartialEq)]
pub struct Judged {
    /// The evaluator's verdict, with its chart's trace.
    pub verdict: crate::engine::backtest::Verdict,
    /// The verdict beside the executions recorded on the run, or why they could not be read.
    pub recorded: Option<Result<crate::ops::compare::Comparison, String>>,
    /// When the run logged each step (where a recorded execution fired in it).
    pub clock: crate::ops::compare::StepClock,
}

impl From<crate::engine::backtest::Verdict> for Judged {
    fn from(verdict: crate::engine::backtest::Verdict) -> Self {
        Judged {
            verdict,
            recorded: None,
            clock: Default::default(),
        }
    }
}

/// The executions recorded of the automation saved as `id` (on one run, when given).
pub(crate) async fn recorded(
    backend: &dyn Backend,
    id: &str,
    run: Option<&str>,
) -> Result<Vec<crate::model::history::Execution>, BackendError> {
    use crate::model::history::{HistoryQuery, HistoryScope};
    let query = HistoryQuery {
        run: run.map(str::to_string),
        ..HistoryQuery::of(HistoryScope::Automation { id: id.to_string() })
    };
    Ok(backend.automation_history(&query).await?.executions)
}

/// Whose executions `backend` answers with: W&B's own, or the local engine's.
pub(crate) fn records_of(backend: &dyn Backend) -> Source {
    match backend.info().kind {
        BackendKind::Wandb => Source::Wandb,
        BackendKind::Local => Source::Local,
    }
}

/// The verdict of one run of `a` (saved as `id`) beside the executions recorded on it.
pub(crate) async fn compare_recorded(
    backend: &dyn Backend,
    a: &Automation,
    id: &str,
    verdict: &crate::engine::backtest::Verdict,
    clock: &crate::ops::compare::StepClock,
) -> Result<crate::ops::compare::Comparison, String> {
    let recorded = recorded(backend, id, Some(&verdict.run.run))
        .await
        .map_err(|e| e.to_string())?;
    let source = records_of(backend);
    Ok(crate::ops::compare::compare(
        a, verdict, &recorded, source, clock,
    ))
}

/// Judges one run with its chart kept, beside what was recorded on it (the Backtest tab).
pub(crate) async fn judge_choice(
    backend: &dyn Backend,
    a: &Automation,
    choice: &RunChoice,
    settings: Settings,
) -> Result<Judged, BackendError> {
    let histories = match &choice.source {
        ChoiceSource::Recorded { entity, project } => {
            let which = BackendRuns {
                entity: entity.clone(),
                project: project.clone(),
                last: 1,
                ids: vec![choice.id.clone()],
            };
            backend_histories(backend, a, &which).await?
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
    let clock = histories
        .first()
        .map(crate::ops::compare::StepClock::of)
        .unwrap_or_default();
    let verdicts = judge(a, histories, options).await?;
    let verdict = verdicts.into_iter().next().ok_or_else(|| {
        BackendError::NotFound(format!("{} has no history to judge yet", choice.label))
    })?;
    let recorded = match &a.id {
        Some(id) => Some(compare_recorded(backend, a, id, &verdict, &clock).await),
        None => None,
    };
    Ok(Judged {
        verdict,
        recorded,
        clock,
    })
}

/// The histories a backtest judges when no source is named: the backend's newest `last` runs
/// that the automation watches and, on the local backend, the `last` run logs its engine
/// followed most recently;
/// with where they came from, in words. The CLI's `backtest NAME` and the wizard's live verdict
/// (read once, then judged again on every edit without reading) both take them from here.
pub(crate) async fn own_histories(
    backend: &dyn Backend,
    engine: Option<&crate::engine::Engine>,
    a: &Automation,
    last: usize,
    settings: Settings,
) -> Result<(Vec<RunHistory>, Vec<String>), BackendError> {
    crate::engine::backtest::judgeable(a).map_err(BackendError::Unsupported)?;
    let entity = a.scope.path.entity().to_string();
    let mut out = Vec::new();
    let mut from = Vec::new();
    let mut by_project: Vec<(String, Vec<RunInfo>)> = Vec::new();
    for (project, r) in recorded_runs(backend, a, last).await? {
        match by_project.iter_mut().find(|(p, _)| *p == project) {
            Some((_, runs)) => runs.push(r),
            None => by_project.push((project, vec![r])),
        }
    }
    let kept = kept_where(backend);
    for (project, runs) in by_project {
        out.extend(histories_of(backend, a, &entity, &project, &runs).await?);
        from.push(format!(
            "the newest {} run(s) of {entity}/{project} {kept}",
            runs.len()
        ));
    }
    if let Some(engine) = engine {
        let logs: Vec<PathBuf> = crate::ops::followed_runs(engine)?
            .into_iter()
            .filter_map(|r| r.log.map(PathBuf::from))
            .take(last)
            .collect();
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
            from.push("the run logs the local engine follows".into());
        }
    }
    Ok((out, from))
}
