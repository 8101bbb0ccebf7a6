//! The demo team of `assets/demo.yaml`, written through the backend's own create path, and its
//! recorded runs (generated, dated back from the seeding).

use super::{LocalBackend, demo_runs, runs, store};
use crate::backend::{BackendError, EntityKind};
use crate::demo::{Demo, bad_asset};
use crate::model::IntegrationKind;
use jiff::{Span, Timestamp};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn ago(now: Timestamp, age: &str) -> Result<String, BackendError> {
    let days: i64 = age
        .strip_suffix('d')
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| bad_asset(format!("age {age:?}")))?;
    let minutes = (days * 7919) % 600;
    now.checked_sub(Span::new().hours(days * 24).minutes(minutes))
        .map(|t| t.to_string())
        .map_err(bad_asset)
}

/// Writes the demo team into an open, empty database.
pub(crate) async fn seed(backend: &LocalBackend) -> Result<(), BackendError> {
    let demo = Demo::load()?;
    let default_entity = demo.default_entity.clone();
    let now = Timestamp::now();
    let base = (
        demo.entities.clone(),
        demo.projects.clone(),
        demo.collections.clone(),
        demo.integrations.clone(),
    );
    backend
        .write_raw(move |conn| {
            store::set_meta(conn, "default_entity", &default_entity)?;
            // The engine writes the demo's last day when the dashboard first starts on it.
            store::set_meta(conn, crate::engine::demo::PENDING, "1")?;
            let (entities, projects, collections, integrations) = base;
            for e in entities {
                store::insert_entity(
                    conn,
                    &e.name,
                    EntityKind::parse(&e.kind).ok_or_else(|| bad_asset(&e.kind))?,
                    e.org.as_deref(),
                )?;
            }
            for p in projects {
                let (entity, name) = p.split_once('/').ok_or_else(|| bad_asset(&p))?;
                store::insert_project(conn, entity, name)?;
            }
            for run in demo_runs::runs(now) {
                runs::insert(conn, &run)?;
            }
            for c in collections {
                let mut parts = c.path.splitn(3, '/');
                let (Some(entity), Some(project), Some(name)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    return Err(bad_asset(&c.path));
                };
                let project_id = store::projects(conn, entity)?
                    .into_iter()
                    .find(|p| p.name == project)
                    .ok_or_else(|| bad_asset(&c.path))?
                    .id;
                store::insert_collection(conn, &project_id, name, c.portfolio, &c.artifact_type)?;
            }
            for i in integrations {
                let kind = match (i.slack, i.webhook) {
                    (Some(channel), None) => IntegrationKind::Slack {
                        team_name: i.team.unwrap_or_default(),
                        channel,
                        webhook_url: i.webhook_url,
                    },
                    (None, Some(name)) => IntegrationKind::Webhook {
                        name,
                        url: i.url.unwrap_or_default(),
                        secret_ref: i.secret_ref,
                        access_token_ref: i.access_token_ref,
                    },
                    _ => return Err(bad_asset("an integration must be slack or webhook")),
                };
                store::insert_integration(conn, &i.entity, &kind)?;
            }
            // The demo's integrations point at no real host: the engine records, never sends.
            conn.execute("UPDATE integrations SET demo = 1", [])?;
            Ok(())
        })
        .await?;
    for (id, entry) in demo.create_automations(backend).await? {
        let (created, changed) = (
            ago(now, &entry.age)?,
            entry.changed.as_deref().map(|c| ago(now, c)).transpose()?,
        );
        backend
            .write_raw(move |conn| store::set_times(conn, &id, &created, changed.as_deref()))
            .await?;
    }
    for legacy in demo.legacy.clone() {
        let created = ago(now, &legacy.age)?;
        let changed = legacy.changed.map(|c| ago(now, &c)).transpose()?;
        backend
            .write_raw(move |conn| {
                let (entity, project) = legacy
                    .scope
                    .split_once('/')
                    .ok_or_else(|| bad_asset(&legacy.scope))?;
                let scope_id = store::projects(conn, entity)?
                    .into_iter()
                    .find(|p| p.name == project)
                    .ok_or_else(|| bad_asset(&legacy.scope))?
                    .id;
                let config: Value =
                    serde_json::from_str(&legacy.action_config).map_err(bad_asset)?;
                let input = serde_json::json!({
                    "name": legacy.name, "description": legacy.description, "enabled": true,
                    "scopeType": "PROJECT", "scopeID": scope_id,
                    "triggeringEventType": legacy.event_type, "eventFilter": legacy.event_filter,
                    "triggeredActionType": legacy.action_type, "triggeredActionConfig": config,
                });
                let id = store::insert(conn, &input)?;
                store::set_times(conn, &id, &created, changed.as_deref())
            })
            .await?;
    }
    Ok(())
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".seeding-{}", std::process::id()));
    path.with_file_name(name)
}

/// Creates a seeded database at `path` without ever exposing a half-written one: the demo is
/// written to a temporary file, closed (checkpointing its log), then linked into place. If
/// another process got there first, its database is kept.
pub(crate) async fn create_seeded(path: &Path) -> Result<(), BackendError> {
    seed_into(path, false).await
}

/// Replaces a database that has the schema but no demo (a file truncated to 0 bytes, say) with
/// a freshly seeded one, made aside and moved into place.
pub(crate) async fn reseed(path: &Path) -> Result<(), BackendError> {
    seed_into(path, true).await
}

async fn seed_into(path: &Path, replace: bool) -> Result<(), BackendError> {
    let tmp = temp_path(path);
    let _ = std::fs::remove_file(&tmp);
    let result = async {
        let backend = LocalBackend::open_unseeded(&tmp)?;
        seed(&backend).await?;
        backend.close()?;
        if replace {
            return std::fs::rename(&tmp, path).map_err(|e| super::schema::storage_error(path, e));
        }
        match std::fs::hard_link(&tmp, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(_) => {
                std::fs::rename(&tmp, path).map_err(|e| super::schema::storage_error(path, e))
            }
        }
    }
    .await;
    let _ = std::fs::remove_file(&tmp);
    result
}
