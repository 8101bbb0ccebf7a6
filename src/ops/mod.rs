//! The operations the command line and the dashboard share, one implementation each: the write
//! gate, enabling and disabling, saving (create or update, resolved first), deleting, keeping an
//! automation's identity when a file replaces it, and the wizard's picker options. The CLI calls
//! these and prints; the dashboard's runner calls them and turns the answer into a `Msg`.

pub mod backtest;
pub mod compare;
pub mod history;
pub(crate) mod plan;

use crate::backend::resolve::prepare;
use crate::backend::{Backend, BackendError, SavedAutomation};
use crate::model::{Automation, IntegrationKind};

/// Whether writes are allowed, and the one message that refuses them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct WriteGate {
    reason: Option<String>,
}

impl WriteGate {
    /// A gate that refuses writes when `reason` is given (e.g. `--read-only`).
    pub(crate) fn new(reason: Option<String>) -> Self {
        Self { reason }
    }

    /// Why writes are refused, if they are.
    pub(crate) fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// `Err` with the refusal when writes are off; `what` names the change, e.g. "deleting".
    pub(crate) fn check(&self, what: &str) -> Result<(), String> {
        match &self.reason {
            Some(reason) => Err(format!(
                "read-only mode ({reason}): not {what}; run without {reason} to change things"
            )),
            None => Ok(()),
        }
    }
}

/// The automation with `enabled` set, or why it cannot be changed.
pub fn with_enabled(a: &Automation, enabled: bool) -> Result<Automation, String> {
    if let Some(reason) = a.read_only_reason() {
        let verb = if enabled { "enabled" } else { "disabled" };
        return Err(format!(
            "{} cannot be {verb}: it is read-only ({reason})",
            a.name
        ));
    }
    let mut changed = a.clone();
    changed.enabled = enabled;
    Ok(changed)
}

/// Stores an already resolved automation in place of the one with its id: an undo putting back
/// what was read.
pub(crate) async fn replace(
    backend: &dyn Backend,
    changed: &Automation,
) -> Result<SavedAutomation, BackendError> {
    backend.update_automation(changed).await
}

/// What [`set_enabled`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct Toggled {
    /// The automation as stored now.
    pub saved: SavedAutomation,
    /// Whether it was changed (`false`: it already was so).
    pub changed: bool,
}

/// Sets `enabled` on an automation read from `entity`'s listing: the one toggle of the command
/// line and the dashboard. The change is idempotent, so when the automation changed elsewhere
/// between the read and the write, it is read again and tried again (a few times), keeping the
/// other change.
pub async fn set_enabled(
    backend: &dyn Backend,
    entity: &str,
    read: &SavedAutomation,
    enabled: bool,
) -> Result<Toggled, BackendError> {
    let mut current = read.clone();
    let mut conflicts = 0;
    loop {
        if current.automation.enabled == enabled {
            return Ok(Toggled {
                saved: current,
                changed: false,
            });
        }
        let changed = with_enabled(&current.automation, enabled)
            .map_err(|m| BackendError::Invalid(vec![crate::model::Problem::new("", m)]))?;
        match backend.update_automation(&changed).await {
            Ok(saved) => {
                return Ok(Toggled {
                    saved,
                    changed: true,
                });
            }
            Err(BackendError::Conflict(_)) if conflicts < 3 => {
                conflicts += 1;
                let id = changed.id.clone().unwrap_or_default();
                current = backend
                    .list_automations(entity)
                    .await?
                    .automations
                    .into_iter()
                    .find(|s| s.automation.id.as_deref() == Some(id.as_str()))
                    .ok_or_else(|| {
                        BackendError::NotFound(format!("{} was deleted elsewhere", changed.name))
                    })?;
            }
            Err(e) => return Err(e),
        }
    }
}

/// How [`save`] stores an automation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SaveMode {
    /// A new automation.
    Create,
    /// Replace the automation of the same id.
    Update,
}

/// Validates and resolves an automation as written (paths and names), then creates or updates it.
pub(crate) async fn save(
    backend: &dyn Backend,
    automation: Automation,
    entity: &str,
    mode: SaveMode,
) -> Result<SavedAutomation, BackendError> {
    let resolved = prepare(backend, automation, entity).await?;
    match mode {
        SaveMode::Create => backend.create_automation(&resolved).await,
        SaveMode::Update => backend.update_automation(&resolved).await,
    }
}

/// Deletes an automation by id.
pub(crate) async fn delete(backend: &dyn Backend, id: &str) -> Result<(), BackendError> {
    backend.delete_automation(id).await
}

/// A file's automation aimed at an existing one: it takes that one's id and timestamps (so the
/// update is checked against what was read), or says why the existing one cannot be replaced.
pub(crate) fn retarget(mut file: Automation, existing: &Automation) -> Result<Automation, String> {
    if let Some(reason) = existing.read_only_reason() {
        return Err(format!("{}: cannot be updated: {reason}", existing.name));
    }
    file.id = existing.id.clone();
    file.updated_at = existing.updated_at.clone();
    file.created_at = existing.created_at.clone();
    Ok(file)
}

/// The automation as it was before it was deleted, ready to be created again (undo).
pub fn recreatable(deleted: &Automation) -> Automation {
    let mut again = deleted.clone();
    again.id = None;
    again.created_at = None;
    again.updated_at = None;
    again
}

/// Projects, registries and integrations of an entity, for the wizard's pickers. Registries are
/// optional (a server without registry search still gets its projects and integrations).
pub(crate) async fn picker_options(
    backend: &dyn Backend,
    entity: &str,
) -> Result<crate::wizard::fields::PickerChoices, BackendError> {
    let projects = backend.list_projects(entity).await?;
    let registries = backend.list_registries(entity).await.unwrap_or_default();
    let integrations = backend.list_integrations(entity).await?;
    let prefix = crate::model::scope::REGISTRY_PREFIX;
    let labels = |slack: bool| {
        integrations
            .iter()
            .filter(|i| matches!(i.kind, IntegrationKind::Slack { .. }) == slack)
            .filter(|i| slack || matches!(i.kind, IntegrationKind::Webhook { .. }))
            .map(|i| i.label().to_string())
            .collect()
    };
    Ok(crate::wizard::fields::PickerChoices {
        projects: projects
            .into_iter()
            .map(|p| p.name)
            .filter(|n| !n.starts_with(prefix))
            .collect(),
        registries: registries
            .into_iter()
            .map(|p| (p.name.trim_start_matches(prefix).to_string(), p.entity))
            .collect(),
        collections: Vec::new(),
        slack: labels(true),
        webhooks: labels(false),
    })
}

/// The names of a project's artifact collections.
pub(crate) async fn collection_names(
    backend: &dyn Backend,
    entity: &str,
    project: &str,
) -> Result<Vec<String>, BackendError> {
    Ok(backend
        .list_collections(entity, project)
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect())
}

/// Settles the entity to show (the backend's default when none is given), checks that it
/// exists and returns it with what the backend accepts (connecting, switching).
pub(crate) async fn open_entity(
    backend: &dyn Backend,
    entity: Option<&str>,
) -> (String, Result<crate::model::Capabilities, BackendError>) {
    let entity = match entity {
        Some(e) => e.to_string(),
        None => match backend.default_entity().await {
            Ok(e) => e,
            Err(e) => return (String::new(), Err(e)),
        },
    };
    let result = match backend.entity(&entity).await {
        Ok(Some(_)) => backend.capabilities().await,
        Ok(None) => Err(no_entity(backend, &entity).await),
        Err(e) => Err(e),
    };
    (entity, result)
}

pub use history::{Activity, LastFired};

/// "There is no entity named X", naming the entities there are (when the backend can say).
pub(crate) async fn no_entity(backend: &dyn Backend, entity: &str) -> BackendError {
    let known = match backend.entities().await {
        Ok(names) if !names.is_empty() => {
            format!("; the entities you can use: {}", names.join(", "))
        }
        _ => String::new(),
    };
    BackendError::NotFound(format!("there is no entity named {entity}{known}"))
}

/// Whether an engine process holds the lease on the local database.
pub(crate) fn engine_running(engine: &crate::engine::Engine) -> Result<bool, BackendError> {
    let holder = engine.with(|c| crate::engine::lease::holder(c, crate::engine::now_ms()))?;
    Ok(holder.is_some_and(|h| h.kind == crate::engine::lease::Kind::Engine))
}

/// Executions, newest first: of one automation, or of all.
pub(crate) fn executions(
    engine: &crate::engine::Engine,
    automation: Option<&str>,
    limit: usize,
) -> Result<Vec<crate::engine::history::Execution>, BackendError> {
    let query = crate::engine::history::Query {
        automations: automation.map(|a| vec![a.to_string()]),
        limit,
        ..Default::default()
    };
    engine.with(|c| crate::engine::history::list(c, &query))
}

/// A test fire prepared: the request shown (secrets masked) and what sending needs.
#[derive(Clone, Debug, PartialEq)]
pub struct TestFire {
    /// The execution id it will have.
    pub id: String,
    /// The request, secrets masked, as lines of JSON; or why it cannot be sent.
    pub shown: Result<Vec<String>, String>,
    /// The sample event.
    pub event: crate::engine::event::EngineEvent,
    /// What to send (`None`: a no-op, recorded only).
    pub request: Option<crate::engine::request::Request>,
}

/// Prepares a test fire of the local automation `id` with `event`, or a sample event.
pub(crate) fn prepare_test(
    engine: &crate::engine::Engine,
    id: &str,
    event: Option<crate::engine::event::EngineEvent>,
) -> Result<TestFire, BackendError> {
    let all = engine.with(|c| crate::engine::store::automations(c))?;
    let a = all
        .iter()
        .find(|a| a.id.as_deref() == Some(id))
        .ok_or_else(|| BackendError::NotFound("the automation is gone".into()))?;
    let now = jiff::Timestamp::now().as_second();
    let mut event = event.unwrap_or_else(|| crate::engine::Engine::sample_event(a, now));
    event.time.get_or_insert(now);
    let (exec, answer) = engine.test_request(a, &event)?;
    let (shown, request) = match answer {
        Ok(Some(r)) => {
            let text = serde_json::to_string_pretty(&crate::engine::request::shown(&r))
                .unwrap_or_default();
            (Ok(text.lines().map(str::to_string).collect()), Some(r))
        }
        Ok(None) => (
            Ok(vec![
                "no-op: nothing is sent; the test is recorded".to_string(),
            ]),
            None,
        ),
        Err(why) => (Err(why), None),
    };
    Ok(TestFire {
        id: exec,
        shown,
        event,
        request,
    })
}

/// Sends a prepared test fire by the lease's rules (a running engine delivers it; else this
/// process does, alone) and waits for its delivery (bounded); returns the outcome in words.
pub(crate) async fn send_test(
    engine: &crate::engine::Engine,
    id: &str,
    test: &TestFire,
) -> Result<String, BackendError> {
    let all = engine.with(|c| crate::engine::store::automations(c))?;
    let a = all
        .iter()
        .find(|a| a.id.as_deref() == Some(id))
        .ok_or_else(|| BackendError::NotFound("the automation is gone".into()))?;
    engine.record_test(a, &test.event, &test.id, test.request.as_ref())?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    crate::engine::oneshot::deliver_one(engine, &test.id, deadline).await?;
    let rows = executions(engine, Some(id), 1)?;
    Ok(match rows.first() {
        Some(r) if r.status == "success" && test.request.is_none() => {
            "recorded (no-op)".to_string()
        }
        Some(r) if r.status == "success" => {
            format!("sent: HTTP {}", r.response_status.unwrap_or(0))
        }
        Some(r) => format!("{}: {}", r.status, r.error.clone().unwrap_or_default()),
        None => "recorded".to_string(),
    })
}

/// A run the Runs screen lists: one the local engine follows through its run log, or one
/// recorded in the local database; with what fired on it.
#[derive(Clone, Debug, PartialEq)]
pub struct KnownRun {
    /// The run's display name (its id when it has none).
    pub name: String,
    /// `ENTITY/PROJECT`.
    pub project: String,
    /// `running`, `finished`, `failed` or `crashed`.
    pub state: String,
    /// The last step logged.
    pub last_step: Option<i64>,
    /// The last event time (Unix seconds).
    pub last_time: Option<i64>,
    /// The run log followed; `None` for a recorded run.
    pub log: Option<String>,
    /// Executions on this run, newest first.
    pub firings: Vec<crate::engine::history::Execution>,
}

/// The executions on one run, newest first.
fn firings_on(
    engine: &crate::engine::Engine,
    run_key: String,
) -> Result<Vec<crate::engine::history::Execution>, BackendError> {
    let query = crate::engine::history::Query {
        run: Some(run_key),
        limit: 100,
        ..Default::default()
    };
    engine.with(|c| crate::engine::history::list(c, &query))
}

/// Most recently active first.
fn newest_first(runs: &mut [KnownRun]) {
    runs.sort_by(|a, b| {
        b.last_time
            .cmp(&a.last_time)
            .then_with(|| a.name.cmp(&b.name))
    });
}

/// The runs the engine follows, most recently active first.
pub(crate) fn followed_runs(engine: &crate::engine::Engine) -> Result<Vec<KnownRun>, BackendError> {
    let logs = engine.with(|c| crate::engine::store::runlogs(c))?;
    let mut out = Vec::new();
    for (path, log) in logs {
        let Some((entity, project, run, display)) = log.run.clone() else {
            continue;
        };
        out.push(KnownRun {
            firings: firings_on(engine, format!("{entity}/{project}/{run}"))?,
            name: display.unwrap_or(run),
            project: format!("{entity}/{project}"),
            state: log.outcome.clone().unwrap_or_else(|| "running".into()),
            last_step: log.last_step,
            last_time: log.last_time,
            log: Some(path),
        });
    }
    newest_first(&mut out);
    Ok(out)
}

/// Runs listed per project of the Runs screen.
const RUNS_PER_PROJECT: usize = 50;

/// The Runs screen's runs of `entity`: the ones the engine follows and the newest recorded in
/// the backend of each project, most recently active first.
pub(crate) async fn known_runs(
    backend: &dyn Backend,
    engine: std::sync::Arc<crate::engine::Engine>,
    entity: &str,
) -> Result<Vec<KnownRun>, BackendError> {
    let mut recorded = Vec::new();
    for project in backend.list_projects(entity).await? {
        for r in backend
            .list_runs(entity, &project.name, RUNS_PER_PROJECT)
            .await?
        {
            recorded.push((project.name.clone(), r));
        }
    }
    let entity = entity.to_string();
    tokio::task::spawn_blocking(move || {
        let mut out = followed_runs(&engine)?;
        for (project, r) in recorded {
            let time = |t: &Option<String>| t.as_deref().and_then(crate::wire::runs::wandb_time);
            out.push(KnownRun {
                firings: firings_on(&engine, format!("{entity}/{project}/{}", r.id))?,
                name: r.display_name.unwrap_or_else(|| r.id.clone()),
                project: format!("{entity}/{project}"),
                state: r.state,
                last_step: r.last_step,
                last_time: time(&r.heartbeat_at).or_else(|| time(&r.created_at)),
                log: None,
            });
        }
        newest_first(&mut out);
        Ok(out)
    })
    .await
    .map_err(|e| BackendError::Storage(format!("reading the runs stopped: {e}")))?
}
