//! W&B's automation history: one automation, a project (with its collections' automations), an
//! artifact collection, or an entity: the union of the projects that hold its automations and
//! the histories of its entity-wide automations, read four at a time. Every page is read to the
//! end (W&B promises no order, so the newest are known only then); the query then drops
//! repeats, sorts newest first, filters and limits. A server without `triggerExecutions` is
//! said once, in one error, and not asked again. W&B's records name a run by its id or by its
//! display name (which one is not promised): each is looked up among the newest runs of its
//! project, so an execution carries both where the run is found.

use super::{Paged, Pager, WandbBackend};
use crate::backend::{Backend, BackendError, SoFar};
use crate::model::history::{Execution, History, HistoryQuery, HistoryScope};
use crate::model::{Automation, ScopePath};
use crate::wire::history as wire;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Executions asked per page: the most a W&B page holds. The SDK asks 50; 100 halves the
/// requests of a long history (10,000 executions in 100 requests) and a smaller page from the
/// server is followed by its cursor all the same.
const EXECUTIONS_PER_PAGE: u64 = 100;

/// Projects whose runs are looked up to name the runs of one history (the rest keep the name
/// W&B gave).
const NAMED_PROJECTS: usize = 4;

/// The newest runs of a project looked up to name executions' runs (two pages).
const NAMED_RUNS: usize = 100;

/// One history connection, read whole.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Connection {
    /// One automation's executions, by its id.
    Automation(String),
    /// A project's, with its collections' automations.
    Project { entity: String, project: String },
    /// An artifact collection's, by its id; `project` is its `ENTITY/PROJECT`.
    Collection { id: String, project: String },
}

/// How one connection is asked for.
struct Ask {
    document: &'static str,
    variables: Value,
    /// Where the connection is in the answer.
    path: &'static [&'static str],
    /// The `ENTITY/PROJECT` it is of, when known (for events that do not name theirs).
    project: Option<String>,
    /// How messages name it.
    what: String,
}

impl Connection {
    fn ask(&self) -> Ask {
        match self {
            Connection::Automation(id) => Ask {
                document: wire::AUTOMATION_HISTORY.as_str(),
                variables: wire::id_variables(id),
                path: wire::AUTOMATION_PATH,
                project: None,
                what: format!("the history of the automation {id}"),
            },
            Connection::Project { entity, project } => Ask {
                document: wire::PROJECT_HISTORY.as_str(),
                variables: wire::project_variables(entity, project),
                path: wire::SCOPE_PATH,
                project: Some(format!("{entity}/{project}")),
                what: format!("the history of {entity}/{project}"),
            },
            Connection::Collection { id, project } => Ask {
                document: wire::COLLECTION_HISTORY.as_str(),
                variables: wire::id_variables(id),
                path: wire::SCOPE_PATH,
                project: Some(project.clone()),
                what: format!("the history of a collection of {project}"),
            },
        }
    }

    /// The error when W&B has no such automation, project or collection.
    fn missing(&self) -> BackendError {
        BackendError::NotFound(match self {
            Connection::Automation(id) => {
                format!("W&B has no automation with the id {id}; `wbauto list` shows the ids")
            }
            Connection::Project { entity, project } => {
                format!("there is no project {project} in {entity}; check the path")
            }
            Connection::Collection { project, .. } => {
                format!("the collection was not found in {project}; check the path")
            }
        })
    }

    /// Where the executions of a listed automation are: its project's history (which holds its
    /// collections' too), or for an entity-wide automation its own.
    fn of(automation: &Automation) -> Option<Connection> {
        let path = &automation.scope.path;
        match path {
            ScopePath::Team { .. } | ScopePath::Org { .. } => {
                automation.id.clone().map(Connection::Automation)
            }
            _ => Some(Connection::Project {
                entity: path.entity().to_string(),
                project: path.project_name()?,
            }),
        }
    }
}

/// A project's runs by id and by display name (names two runs share are left out).
struct RunNames {
    by_id: HashMap<String, Option<String>>,
    by_display: HashMap<String, Option<String>>,
}

impl RunNames {
    fn of(runs: &[crate::backend::RunInfo]) -> RunNames {
        let mut by_display = HashMap::new();
        for r in runs {
            if let Some(display) = &r.display_name {
                by_display
                    .entry(display.clone())
                    .and_modify(|shared: &mut Option<String>| *shared = None)
                    .or_insert_with(|| Some(r.id.clone()));
            }
        }
        RunNames {
            by_id: runs
                .iter()
                .map(|r| (r.id.clone(), r.display_name.clone()))
                .collect(),
            by_display,
        }
    }

    /// The id and display name of the run W&B named `run`.
    fn find<'a>(&'a self, run: &'a str) -> Option<(&'a str, Option<&'a str>)> {
        if let Some((id, display)) = self.by_id.get_key_value(run) {
            return Some((id, display.as_deref()));
        }
        let id = self.by_display.get(run)?.as_deref()?;
        Some((id, Some(run)))
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The runs looked up per project to name executions' runs (`None`: the lookup failed).
type Names = HashMap<String, Option<RunNames>>;

/// How often a long history still being read is reported: each report sorts everything read
/// so far, so past [`REPORTED_EVERY_PAGE`] executions a page is reported only when the last
/// report is this old.
const REPORT_EVERY: Duration = Duration::from_millis(100);

/// Up to this many executions read, every page is reported (the first pages of every
/// connection of an entity come at once, and sorting a few is cheap).
const REPORTED_EVERY_PAGE: usize = 1_000;

/// One history read: the executions read so far, from every connection, and whom to tell.
struct Reading<'a> {
    query: &'a HistoryQuery,
    so_far: Option<SoFar<'a>>,
    read: Mutex<Vec<Execution>>,
    /// One report at a time: when the last was sent, and the runs looked up so far.
    reported: tokio::sync::Mutex<(Option<Instant>, Names)>,
}

impl<'a> Reading<'a> {
    fn new(query: &'a HistoryQuery, so_far: Option<SoFar<'a>>) -> Self {
        Self {
            query,
            so_far,
            read: Mutex::new(Vec::new()),
            reported: tokio::sync::Mutex::new((None, Names::new())),
        }
    }

    /// A page was read: kept, and reported when a report is due (one report at a time).
    async fn add(&self, backend: &WandbBackend, page: Vec<Execution>) {
        let young = {
            let mut read = lock(&self.read);
            read.extend(page);
            read.len() <= REPORTED_EVERY_PAGE
        };
        let Some(so_far) = self.so_far else {
            return;
        };
        let mut reported = self.reported.lock().await;
        let (last, names) = &mut *reported;
        if !young && last.is_some_and(|at| at.elapsed() < REPORT_EVERY) {
            return;
        }
        let (mut selected, projects) = {
            let read = lock(&self.read);
            (self.query.select_copy(&read), named_projects(&read))
        };
        look_up_runs(backend, &projects, names).await;
        name_runs(&mut selected.executions, &projects, names);
        so_far(selected);
        *last = Some(Instant::now());
    }

    /// Everything read, its runs named.
    async fn finish(self, backend: &WandbBackend) -> Vec<Execution> {
        let mut read = self
            .read
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let names = &mut self.reported.into_inner().1;
        let projects = named_projects(&read);
        look_up_runs(backend, &projects, names).await;
        name_runs(&mut read, &projects, names);
        read
    }
}

/// The projects whose newest runs name the executions' runs: the first few (by name) of those
/// whose run events are among `read`.
fn named_projects(read: &[Execution]) -> Vec<String> {
    let projects: BTreeSet<&str> = read
        .iter()
        .filter(|e| e.run.is_some())
        .filter_map(|e| e.project.as_deref())
        .collect();
    projects
        .into_iter()
        .take(NAMED_PROJECTS)
        .map(str::to_string)
        .collect()
}

/// Looks up the newest runs of each of `projects` not looked up yet; a lookup that fails names
/// nothing (the names are an aid, never a failure).
async fn look_up_runs(backend: &WandbBackend, projects: &[String], names: &mut Names) {
    for project in projects {
        if names.contains_key(project) {
            continue;
        }
        let runs = match project.split_once('/') {
            Some((entity, name)) => backend.list_runs(entity, name, NAMED_RUNS).await.ok(),
            None => None,
        };
        names.insert(project.clone(), runs.as_deref().map(RunNames::of));
    }
}

/// Gives each run event's run of `projects` its id and display name where its project's newest
/// runs hold it (by id, or by a display name no other run has); a run not found keeps W&B's
/// name.
fn name_runs(executions: &mut [Execution], projects: &[String], names: &Names) {
    for e in executions.iter_mut() {
        let runs = e
            .project
            .as_ref()
            .filter(|p| projects.contains(p))
            .and_then(|p| names.get(p)?.as_ref());
        let found = match (runs, e.run.as_deref()) {
            (Some(runs), Some(run)) => runs.find(run),
            _ => None,
        };
        if let Some((id, display)) = found {
            let (id, display) = (id.to_string(), display.map(str::to_string));
            e.run = Some(id);
            e.run_name = display;
        }
    }
}

impl WandbBackend {
    /// The executions `query` selects, newest first; `so_far`, when given, is told the
    /// selection of what is read so far while the pages come.
    pub(super) async fn history(
        &self,
        query: &HistoryQuery,
        so_far: Option<SoFar<'_>>,
    ) -> Result<History, BackendError> {
        if self.history_absent.load(Ordering::Relaxed) {
            return Err(self.no_history());
        }
        let reading = Reading::new(query, so_far);
        match &query.scope {
            HistoryScope::Automation { id } => {
                self.read_history(&Connection::Automation(id.clone()), &reading)
                    .await?
            }
            HistoryScope::Project { entity, project } => {
                let connection = Connection::Project {
                    entity: entity.clone(),
                    project: project.clone(),
                };
                self.read_history(&connection, &reading).await?
            }
            HistoryScope::Collection {
                entity,
                project,
                collection,
            } => {
                let id = self
                    .resolve_scope(&ScopePath::Collection {
                        entity: entity.clone(),
                        project: project.clone(),
                        collection: collection.clone(),
                    })
                    .await?;
                let project = format!("{entity}/{project}");
                self.read_history(&Connection::Collection { id, project }, &reading)
                    .await?
            }
            HistoryScope::Entity { entity } => self.entity_history(entity, &reading).await?,
        }
        Ok(query.select(reading.finish(self).await))
    }

    /// The one error of a server without automation history.
    fn no_history(&self) -> BackendError {
        BackendError::NoHistory(format!(
            "this W&B server ({}) keeps no automation history that its API can read: it has no triggerExecutions, which newer W&B servers serve",
            self.client.base_url()
        ))
    }

    /// Every execution of one connection, every page, each page added to `reading` as it
    /// arrives.
    async fn read_history(
        &self,
        connection: &Connection,
        reading: &Reading<'_>,
    ) -> Result<(), BackendError> {
        let ask = connection.ask();
        let mut pager = Pager::new(
            ask.document,
            ask.variables,
            ask.path,
            EXECUTIONS_PER_PAGE,
            &ask.what,
        );
        loop {
            let paged = pager.next(self).await.map_err(|e| match e {
                BackendError::Server(m) if wire::names_missing_field(&m) => {
                    self.history_absent.store(true, Ordering::Relaxed);
                    self.no_history()
                }
                other => other,
            })?;
            let nodes = match paged {
                Paged::Nodes(nodes) => nodes,
                Paged::Missing => return Err(connection.missing()),
                Paged::End => return Ok(()),
            };
            let page = nodes
                .iter()
                .map(|n| wire::execution(n.get(), ask.project.as_deref()))
                .collect();
            reading.add(self, page).await;
        }
    }

    /// The union of the histories that hold an entity's automations, four read at a time; the
    /// first failure stops the others (a server without history answers one error, not many).
    async fn entity_history(
        &self,
        entity: &str,
        reading: &Reading<'_>,
    ) -> Result<(), BackendError> {
        let listing = self.list_automations(entity).await?;
        let connections: BTreeSet<Connection> = listing
            .automations
            .iter()
            .filter_map(|s| Connection::of(&s.automation))
            .collect();
        let queue = &Mutex::new(connections.into_iter());
        let reader = || async move {
            loop {
                let next = lock(queue).next();
                let Some(connection) = next else {
                    return Ok::<(), BackendError>(());
                };
                match self.read_history(&connection, reading).await {
                    // Deleted since the listing was read: nothing of it to show.
                    Ok(()) | Err(BackendError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        };
        tokio::try_join!(reader(), reader(), reader(), reader())?;
        Ok(())
    }
}
