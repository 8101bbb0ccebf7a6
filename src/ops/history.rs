//! What fired, for the command line and the dashboard alike, through the one trait method both
//! backends answer (`Backend::automation_history`): the list's LAST column (the newest real
//! execution of each automation, test fires left out) and whether a local engine is running.

use crate::backend::{Backend, BackendError};
use crate::model::history::{HistoryQuery, HistoryScope, Status};
use std::collections::HashMap;
use std::sync::Arc;

/// The newest real execution of an automation, as the LAST column shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastFired {
    /// How it ended.
    pub status: Status,
    /// When it fired (Unix seconds; 0 when the backend did not say).
    pub at: i64,
}

/// What fired lately: the newest real execution of each automation, and whether a local engine
/// process is evaluating the database.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Activity {
    /// Automation id → its newest real execution.
    pub latest: HashMap<String, LastFired>,
    /// An engine process holds the lease on the local database.
    pub engine_running: bool,
}

/// The query of the LAST column: the newest real execution of each of `entity`'s automations.
pub fn last_fired_query(entity: &str) -> HistoryQuery {
    HistoryQuery {
        newest_each: true,
        ..HistoryQuery::of(HistoryScope::Entity {
            entity: entity.to_string(),
        })
    }
}

/// The activity of `entity` on `backend`; with the local engine, whether it is running too.
pub(crate) async fn activity(
    backend: &dyn Backend,
    engine: Option<Arc<crate::engine::Engine>>,
    entity: &str,
) -> Result<Activity, BackendError> {
    let history = backend
        .automation_history(&last_fired_query(entity))
        .await?;
    let latest = history
        .executions
        .into_iter()
        .filter_map(|e| {
            let at = e.created_at.map_or(0, |t| t.as_second());
            Some((
                e.automation_id?,
                LastFired {
                    status: e.status,
                    at,
                },
            ))
        })
        .collect();
    let engine_running = match engine {
        Some(engine) => tokio::task::spawn_blocking(move || super::engine_running(&engine))
            .await
            .map_err(|e| BackendError::Storage(e.to_string()))??,
        None => false,
    };
    Ok(Activity {
        latest,
        engine_running,
    })
}
