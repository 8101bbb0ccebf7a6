//! W&B's automation history: one automation, a project (with its collections' automations), an
//! artifact collection, or an entity: the union of the projects that hold its automations and
//! the histories of its entity-wide automations, read four at a time. Every page is read to the
//! end (W&B promises no order, so the newest are known only then); the query then drops
//! repeats, sorts newest first, filters and limits. A server without `triggerExecutions` is
//! said once, in one error, and not asked again. W&B's records name a run by its id or by its
//! display name (which one is not promised): each is looked up among the newest runs of its
//! project, so an execution carries both where the run is found.

use super::WandbBackend;
use crate::backend::{Backend, BackendError};
use crate::model::history::{Execution, History, HistoryQuery, HistoryScope};
use crate::model::{Automation, ScopePath};
use crate::wire::history as wire;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, MutexGuard, PoisonError};

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
    by_id: std::collections::HashMap<String, Option<String>>,
    by_display: std::collections::HashMap<String, Option<String>>,
}

impl RunNames {
    fn of(runs: &[crate::backend::RunInfo]) -> RunNames {
        let mut by_display = std::collections::HashMap::new();
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

impl WandbBackend {
    /// The executions `query` selects, newest first.
    pub(super) async fn history(&self, query: &HistoryQuery) -> Result<History, BackendError> {
        if self.history_absent.load(Ordering::Relaxed) {
            return Err(self.no_history());
        }
        let mut read = match &query.scope {
            HistoryScope::Automation { id } => {
                self.read_history(&Connection::Automation(id.clone()))
                    .await?
            }
            HistoryScope::Project { entity, project } => {
                self.read_history(&Connection::Project {
                    entity: entity.clone(),
                    project: project.clone(),
                })
                .await?
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
                self.read_history(&Connection::Collection { id, project })
                    .await?
            }
            HistoryScope::Entity { entity } => self.entity_history(entity).await?,
        };
        self.name_runs(&mut read).await;
        Ok(query.select(read))
    }

    /// Gives each run event's run its id and display name where its project's newest runs hold
    /// it (by id, or by a display name no other run has); a run not found keeps W&B's name, and
    /// a lookup that fails names nothing (the names are an aid, never a failure).
    async fn name_runs(&self, executions: &mut [Execution]) {
        let projects: BTreeSet<&str> = executions
            .iter()
            .filter(|e| e.run.is_some())
            .filter_map(|e| e.project.as_deref())
            .collect();
        let mut known = std::collections::HashMap::new();
        for project in projects.into_iter().take(NAMED_PROJECTS) {
            let Some((entity, name)) = project.split_once('/') else {
                continue;
            };
            if let Ok(runs) = self.list_runs(entity, name, NAMED_RUNS).await {
                known.insert(project.to_string(), RunNames::of(&runs));
            }
        }
        for e in executions.iter_mut() {
            let names = e.project.as_ref().and_then(|p| known.get(p));
            let found = match (names, e.run.as_deref()) {
                (Some(names), Some(run)) => names.find(run),
                _ => None,
            };
            if let Some((id, display)) = found {
                let (id, display) = (id.to_string(), display.map(str::to_string));
                e.run = Some(id);
                e.run_name = display;
            }
        }
    }

    /// The one error of a server without automation history.
    fn no_history(&self) -> BackendError {
        BackendError::NoHistory(format!(
            "this W&B server ({}) keeps no automation history that its API can read: it has no triggerExecutions, which newer W&B servers serve",
            self.client.base_url()
        ))
    }

    /// Every execution of one connection, every page.
    async fn read_history(&self, connection: &Connection) -> Result<Vec<Execution>, BackendError> {
        let ask = connection.ask();
        let nodes = self
            .paginate(
                ask.document,
                ask.variables,
                ask.path,
                EXECUTIONS_PER_PAGE,
                &ask.what,
            )
            .await
            .map_err(|e| match e {
                BackendError::Server(m) if wire::names_missing_field(&m) => {
                    self.history_absent.store(true, Ordering::Relaxed);
                    self.no_history()
                }
                other => other,
            })?
            .ok_or_else(|| connection.missing())?;
        Ok(nodes
            .iter()
            .map(|n| wire::execution(n.get(), ask.project.as_deref()))
            .collect())
    }

    /// The union of the histories that hold an entity's automations, four read at a time; the
    /// first failure stops the others (a server without history answers one error, not many).
    async fn entity_history(&self, entity: &str) -> Result<Vec<Execution>, BackendError> {
        let listing = self.list_automations(entity).await?;
        let connections: BTreeSet<Connection> = listing
            .automations
            .iter()
            .filter_map(|s| Connection::of(&s.automation))
            .collect();
        let queue = &Mutex::new(connections.into_iter());
        let read = &Mutex::new(Vec::new());
        let reader = || async move {
            loop {
                let next = lock(queue).next();
                let Some(connection) = next else {
                    return Ok::<(), BackendError>(());
                };
                match self.read_history(&connection).await {
                    Ok(found) => lock(read).extend(found),
                    // Deleted since the listing was read: nothing of it to show.
                    Err(BackendError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        };
        tokio::try_join!(reader(), reader(), reader(), reader())?;
        Ok(std::mem::take(&mut *lock(read)))
    }
}
