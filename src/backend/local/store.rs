//! The SQL behind the local backend. Synchronous; called on blocking threads only.
//!
//! Automations are stored as W&B receives them (the create/update input) and returned as W&B
//! returns them (TriggerFields), checked with the same rules: scopes and integrations must exist,
//! names are unique per scope, and an update of a row that changed since it was read is refused.

use crate::backend::{
    BackendError, CollectionInfo, EntityInfo, EntityKind, Listing, ProjectInfo, SavedAutomation,
    Unreadable,
};
use crate::model::{Integration, IntegrationKind, ScopePath, ids};
use crate::wire::parse::ParseContext;
use crate::wire::saved::{StoredTrigger, integration_json, stored_automation, trigger_json};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Value, json};
use std::collections::HashMap;

impl From<rusqlite::Error> for BackendError {
    fn from(e: rusqlite::Error) -> Self {
        BackendError::Storage(format!("local database error: {e}"))
    }
}

/// The current time as W&B writes it (RFC 3339, UTC, sub-second precision).
pub(crate) fn now() -> String {
    let now = jiff::Timestamp::now();
    now.round(jiff::Unit::Millisecond)
        .unwrap_or(now)
        .to_string()
}

/// What the database holds, in words (for `doctor`): its schema and how many of each thing.
pub(crate) fn describe(conn: &Connection) -> Result<String, BackendError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let count = |table: &str| -> Result<i64, BackendError> {
        Ok(conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?)
    };
    let demo = meta(conn, "default_entity")?.is_some();
    Ok(format!(
        "schema {version}, {} entities, {} automations, {} integrations, {} recorded runs{}",
        count("entities")?,
        count("automations")?,
        count("integrations")?,
        count("runs")?,
        if demo {
            ""
        } else {
            "; no default entity (pass --entity)"
        }
    ))
}

/// Whether the database holds nothing: no entity, no automation.
pub(crate) fn is_empty(conn: &Connection) -> Result<bool, BackendError> {
    let n: i64 = conn.query_row(
        "SELECT (SELECT COUNT(*) FROM entities) + (SELECT COUNT(*) FROM automations)",
        [],
        |r| r.get(0),
    )?;
    Ok(n == 0)
}

/// Reads a metadata value.
pub(crate) fn meta(conn: &Connection, key: &str) -> Result<Option<String>, BackendError> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// Writes a metadata value.
pub(crate) fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<(), BackendError> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
        [key, value],
    )?;
    Ok(())
}

fn assign_id(conn: &Connection, table: &str, prefix: &str) -> Result<String, BackendError> {
    let num = conn.last_insert_rowid();
    let id = ids::encode(&format!("{prefix}:{num}"));
    conn.execute(
        &format!("UPDATE {table} SET id = ?1 WHERE num = ?2"),
        params![id, num],
    )?;
    Ok(id)
}

/// Adds an entity; `org_entity` is the entity of the organisation a team or user belongs to.
pub(crate) fn insert_entity(
    conn: &Connection,
    name: &str,
    kind: EntityKind,
    org_entity: Option<&str>,
) -> Result<String, BackendError> {
    conn.execute(
        "INSERT INTO entities (name, kind, org_entity) VALUES (?1, ?2, ?3)",
        params![name, kind.wire_name(), org_entity],
    )?;
    assign_id(conn, "entities", "Entity")
}

/// Adds a project; its id has W&B's form `Project:v1:NAME:ENTITY`.
pub(crate) fn insert_project(
    conn: &Connection,
    entity: &str,
    name: &str,
) -> Result<String, BackendError> {
    let id = ids::encode(&format!("Project:v1:{name}:{entity}"));
    conn.execute(
        "INSERT INTO projects (id, entity, name) VALUES (?1, ?2, ?3)",
        [&id, entity, name],
    )?;
    Ok(id)
}

/// Adds an artifact collection to a project.
pub(crate) fn insert_collection(
    conn: &Connection,
    project_id: &str,
    name: &str,
    portfolio: bool,
    artifact_type: &str,
) -> Result<String, BackendError> {
    conn.execute(
        "INSERT INTO collections (project_id, name, portfolio, artifact_type) VALUES (?1, ?2, ?3, ?4)",
        params![project_id, name, portfolio, artifact_type],
    )?;
    assign_id(conn, "collections", "ArtifactCollection")
}

/// Adds an integration; the caller has validated it.
pub(crate) fn insert_integration(
    conn: &Connection,
    entity: &str,
    kind: &IntegrationKind,
) -> Result<Integration, BackendError> {
    if self::entity(conn, entity)?.is_none() {
        return Err(BackendError::NotFound(format!(
            "there is no entity named {entity}"
        )));
    }
    let taken: Option<String> = match kind {
        IntegrationKind::Slack { channel, .. } => conn
            .query_row(
                "SELECT id FROM integrations WHERE entity = ?1 AND kind = 'slack' AND channel = ?2",
                [entity, channel],
                |r| r.get(0),
            )
            .optional()?,
        IntegrationKind::Webhook { name, .. } => conn
            .query_row(
                "SELECT id FROM integrations WHERE entity = ?1 AND kind = 'webhook' AND name = ?2",
                [entity, name],
                |r| r.get(0),
            )
            .optional()?,
    };
    if taken.is_some() {
        let label = match kind {
            IntegrationKind::Slack { channel, .. } => format!("Slack channel {channel}"),
            IntegrationKind::Webhook { name, .. } => format!("webhook {name}"),
        };
        return Err(BackendError::Conflict(format!(
            "{entity} already has a {label} integration"
        )));
    }
    match kind {
        IntegrationKind::Slack { team_name, channel, webhook_url } => conn.execute(
            "INSERT INTO integrations (entity, kind, channel, team_name, url, created_at) VALUES (?1, 'slack', ?2, ?3, ?4, ?5)",
            params![entity, channel, team_name, webhook_url, now()],
        )?,
        IntegrationKind::Webhook { name, url, secret_ref, access_token_ref } => conn.execute(
            "INSERT INTO integrations (entity, kind, name, url, secret_ref, access_token_ref, created_at) VALUES (?1, 'webhook', ?2, ?3, ?4, ?5, ?6)",
            params![entity, name, url, secret_ref, access_token_ref, now()],
        )?,
    };
    let id = assign_id(conn, "integrations", "Integration")?;
    Ok(Integration {
        id,
        entity: entity.to_string(),
        kind: kind.clone(),
    })
}

fn integration_from_row(r: &Row<'_>) -> rusqlite::Result<Integration> {
    let kind: String = r.get("kind")?;
    let kind = if kind == "slack" {
        IntegrationKind::Slack {
            team_name: r.get::<_, Option<String>>("team_name")?.unwrap_or_default(),
            channel: r.get::<_, Option<String>>("channel")?.unwrap_or_default(),
            webhook_url: r.get("url")?,
        }
    } else {
        IntegrationKind::Webhook {
            name: r.get::<_, Option<String>>("name")?.unwrap_or_default(),
            url: r.get::<_, Option<String>>("url")?.unwrap_or_default(),
            secret_ref: r.get("secret_ref")?,
            access_token_ref: r.get("access_token_ref")?,
        }
    };
    Ok(Integration {
        id: r.get("id")?,
        entity: r.get("entity")?,
        kind,
    })
}

/// An entity's integrations, oldest first.
pub(crate) fn integrations(
    conn: &Connection,
    entity: &str,
) -> Result<Vec<Integration>, BackendError> {
    let mut stmt = conn.prepare("SELECT * FROM integrations WHERE entity = ?1 ORDER BY num")?;
    let rows = stmt.query_map([entity], integration_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An entity by name.
pub(crate) fn entity(conn: &Connection, name: &str) -> Result<Option<EntityInfo>, BackendError> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT id, kind FROM entities WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.map(|(id, kind)| EntityInfo {
        id,
        name: name.to_string(),
        kind: EntityKind::parse(&kind).unwrap_or(EntityKind::Team),
    }))
}

/// The names of the users and teams (organizations hold registries, not work), by name.
pub(crate) fn entity_names(conn: &Connection) -> Result<Vec<String>, BackendError> {
    let mut stmt =
        conn.prepare("SELECT name FROM entities WHERE kind != 'organization' ORDER BY name")?;
    let names = stmt.query_map([], |r| r.get(0))?;
    Ok(names.collect::<Result<_, _>>()?)
}

/// An entity's projects, by name.
pub(crate) fn projects(conn: &Connection, entity: &str) -> Result<Vec<ProjectInfo>, BackendError> {
    let mut stmt =
        conn.prepare("SELECT id, entity, name FROM projects WHERE entity = ?1 ORDER BY name")?;
    let rows = stmt.query_map([entity], |r| {
        Ok(ProjectInfo {
            id: r.get(0)?,
            entity: r.get(1)?,
            name: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The registries of the organisation `entity` is or belongs to (its `wandb-registry-*` projects).
pub(crate) fn registries(
    conn: &Connection,
    entity: &str,
) -> Result<Vec<ProjectInfo>, BackendError> {
    let org: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT kind, org_entity FROM entities WHERE name = ?1",
            [entity],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let org_entity = match org {
        None => {
            return Err(BackendError::NotFound(format!(
                "there is no entity named {entity}"
            )));
        }
        Some((kind, _)) if kind == "organization" => entity.to_string(),
        Some((_, Some(org))) => org,
        Some((_, None)) => return Ok(Vec::new()),
    };
    Ok(projects(conn, &org_entity)?
        .into_iter()
        .filter(|p| p.name.starts_with(crate::model::scope::REGISTRY_PREFIX))
        .collect())
}

/// A project's collections, by name.
pub(crate) fn collections(
    conn: &Connection,
    entity: &str,
    project: &str,
) -> Result<Vec<CollectionInfo>, BackendError> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.name, c.portfolio, c.artifact_type FROM collections c JOIN projects p ON c.project_id = p.id
         WHERE p.entity = ?1 AND p.name = ?2 ORDER BY c.name",
    )?;
    let rows = stmt.query_map([entity, project], |r| {
        Ok(CollectionInfo {
            id: r.get(0)?,
            name: r.get(1)?,
            portfolio: r.get(2)?,
            artifact_type: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every scope: its path and the object W&B returns for it, by scope id.
struct Scopes {
    paths: HashMap<String, ScopePath>,
    objects: HashMap<String, Value>,
}

fn scopes(conn: &Connection) -> Result<Scopes, BackendError> {
    let mut s = Scopes {
        paths: HashMap::new(),
        objects: HashMap::new(),
    };
    let mut stmt = conn.prepare("SELECT id, name, kind FROM entities")?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (id, name, kind) = row?;
        let path = if kind == "organization" {
            ScopePath::Org {
                entity: name.clone(),
            }
        } else {
            ScopePath::Team {
                entity: name.clone(),
            }
        };
        s.objects.insert(
            id.clone(),
            json!({"__typename": "Entity", "id": id, "name": name, "entityType": kind}),
        );
        s.paths.insert(id, path);
    }
    let mut stmt = conn.prepare("SELECT id, entity, name FROM projects")?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (id, entity, name) = row?;
        let path = ScopePath::parse(
            crate::model::ScopeKind::Project,
            &format!("{entity}/{name}"),
        )
        .unwrap_or(ScopePath::Project {
            entity,
            project: name.clone(),
        });
        s.objects.insert(
            id.clone(),
            json!({"__typename": "Project", "id": id, "name": name}),
        );
        s.paths.insert(id, path);
    }
    let mut stmt = conn.prepare("SELECT c.id, p.entity, p.name, c.name, c.portfolio FROM collections c JOIN projects p ON c.project_id = p.id")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, bool>(4)?,
        ))
    })?;
    for row in rows {
        let (id, entity, project, name, portfolio) = row?;
        let typename = if portfolio {
            "ArtifactPortfolio"
        } else {
            "ArtifactSequence"
        };
        s.objects.insert(
            id.clone(),
            json!({"__typename": typename, "id": id, "name": name}),
        );
        s.paths.insert(
            id,
            ScopePath::Collection {
                entity,
                project,
                collection: name,
            },
        );
    }
    Ok(s)
}

/// The columns `stored_from_row` reads, in its order (read by position: a name lookup per
/// field was a tenth of a 10k listing).
const TRIGGER_COLUMNS: &str = "a.id, a.name, a.description, a.enabled, a.created_at, a.updated_at, \
     a.event_type, a.event_filter, a.action_type, a.action_config, a.scope_id";

fn stored_from_row(r: &Row<'_>) -> rusqlite::Result<(StoredTrigger, String)> {
    let config: String = r.get(9)?;
    Ok((
        StoredTrigger {
            id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            enabled: r.get(3)?,
            created_at: r.get(4)?,
            updated_at: r.get(5)?,
            scope: Value::Null,
            event_type: r.get(6)?,
            event_filter: r.get(7)?,
            action_type: r.get(8)?,
            action_config: serde_json::from_str(&config).unwrap_or(Value::String(config)),
        },
        r.get(10)?,
    ))
}

/// Renders stored rows as W&B returns them and parses them, one row at a time (so a long listing
/// never holds every intermediate JSON tree at once). The JSON text is kept only with `keep_wire`
/// (one automation); a listing leaves it to [`wire`], which the Wire view asks for.
fn render(
    conn: &Connection,
    rows: impl Iterator<Item = rusqlite::Result<(StoredTrigger, String)>>,
    entity: &str,
    keep_wire: bool,
) -> Result<Listing, BackendError> {
    let scopes = scopes(conn)?;
    let mut all_integrations: HashMap<String, Integration> = HashMap::new();
    let mut stmt = conn.prepare("SELECT * FROM integrations")?;
    for i in stmt.query_map([], integration_from_row)? {
        let i = i?;
        all_integrations.insert(i.id.clone(), i);
    }
    let lookup = |id: &str| all_integrations.get(id).map(integration_json);
    let ctx = ParseContext {
        entity,
        paths: &scopes.paths,
    };
    let mut listing = Listing::default();
    for row in rows {
        let (mut stored, scope_id) = row?;
        stored.scope = scopes
            .objects
            .get(&scope_id)
            .cloned()
            .unwrap_or_else(|| json!({"id": scope_id}));
        match stored_automation(&stored, &lookup, &ctx) {
            Ok(mut automation) => {
                if let Some(r) = automation.action.integration_mut() {
                    r.entity =
                        r.id.as_ref()
                            .and_then(|id| all_integrations.get(id))
                            .map(|i| i.entity.clone());
                }
                listing.automations.push(SavedAutomation {
                    automation,
                    wire: keep_wire.then(|| trigger_json(&stored, &lookup).to_string()),
                });
            }
            Err(e) => listing.unreadable.push(Unreadable {
                id: Some(stored.id.clone()),
                name: Some(stored.name.clone()),
                reason: e.to_string(),
                wire: trigger_json(&stored, &lookup).to_string(),
            }),
        }
    }
    Ok(listing)
}

/// Every automation of an entity: on its projects, their collections, and the entity itself.
pub(crate) fn list(conn: &Connection, entity: &str) -> Result<Listing, BackendError> {
    select(conn, entity, "ORDER BY a.num")
}

/// The first `n` automations of an entity by name (byte order, as the dashboard sorts them).
pub(crate) fn first_by_name(
    conn: &Connection,
    entity: &str,
    n: usize,
) -> Result<Listing, BackendError> {
    select(conn, entity, &format!("ORDER BY a.name LIMIT {n}"))
}

fn select(conn: &Connection, entity: &str, order: &str) -> Result<Listing, BackendError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {TRIGGER_COLUMNS} FROM automations a WHERE
            (a.scope_type = 'PROJECT' AND a.scope_id IN (SELECT id FROM projects WHERE entity = ?1))
         OR (a.scope_type = 'ARTIFACT_COLLECTION' AND a.scope_id IN
                (SELECT c.id FROM collections c JOIN projects p ON c.project_id = p.id WHERE p.entity = ?1))
         OR (a.scope_type = 'ENTITY' AND a.scope_id IN (SELECT id FROM entities WHERE name = ?1))
         {order}"
    ))?;
    let rows = stmt.query_map([entity], stored_from_row)?;
    render(conn, rows, entity, false)
}

/// One automation by id.
pub(crate) fn get(conn: &Connection, id: &str) -> Result<Option<SavedAutomation>, BackendError> {
    let row = conn
        .query_row(
            &format!("SELECT {TRIGGER_COLUMNS} FROM automations a WHERE a.id = ?1"),
            [id],
            stored_from_row,
        )
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let mut listing = render(conn, std::iter::once(Ok(row)), "", true)?;
    match (listing.automations.pop(), listing.unreadable.pop()) {
        (Some(saved), _) => Ok(Some(saved)),
        (None, Some(u)) => Err(BackendError::Server(format!(
            "automation {id} is stored but cannot be read back: {}",
            u.reason
        ))),
        (None, None) => Err(BackendError::Server(format!(
            "automation {id} is stored but cannot be read back"
        ))),
    }
}

/// The trigger JSON of one automation as W&B would return it, compact.
pub(crate) fn wire(conn: &Connection, id: &str) -> Result<String, BackendError> {
    match get(conn, id)? {
        Some(SavedAutomation {
            wire: Some(wire), ..
        }) => Ok(wire),
        _ => Err(BackendError::NotFound(format!(
            "it was deleted elsewhere (no automation has the id {id} any more)"
        ))),
    }
}

fn field<'a>(input: &'a Value, key: &str) -> Result<&'a Value, BackendError> {
    input
        .get(key)
        .ok_or_else(|| BackendError::Server(format!("the request has no {key}")))
}

fn text<'a>(input: &'a Value, key: &str) -> Result<&'a str, BackendError> {
    field(input, key)?
        .as_str()
        .ok_or_else(|| BackendError::Server(format!("the request's {key} is not text")))
}

/// Checks what W&B checks on the server: the scope exists and has the given type, and the action's
/// integration exists with the right kind. Returns the scope's path, for messages.
fn check_references(conn: &Connection, input: &Value) -> Result<ScopePath, BackendError> {
    let scope_type = text(input, "scopeType")?;
    let scope_id = text(input, "scopeID")?;
    let scopes = scopes(conn)?;
    let path = scopes.paths.get(scope_id).cloned();
    let wire_type_ok = path
        .as_ref()
        .is_some_and(|p| p.kind().wire_type() == scope_type);
    let Some(path) = path.filter(|_| wire_type_ok) else {
        return Err(BackendError::NotFound(format!(
            "no {scope_type} scope has the id {scope_id}; it may have been deleted"
        )));
    };
    let config = field(input, "triggeredActionConfig")?;
    let wanted = match text(input, "triggeredActionType")? {
        "NOTIFICATION" => Some(("notificationActionInput", "slack")),
        "GENERIC_WEBHOOK" => Some(("genericWebhookActionInput", "webhook")),
        _ => None,
    };
    if let Some((key, kind)) = wanted {
        let integration_id = config
            .get(key)
            .and_then(|c| c.get("integrationID"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let found: Option<String> = conn
            .query_row(
                "SELECT kind FROM integrations WHERE id = ?1",
                [integration_id],
                |r| r.get(0),
            )
            .optional()?;
        if found.as_deref() != Some(kind) {
            return Err(BackendError::NotFound(format!(
                "there is no {kind} integration with the id {integration_id}; it may have been deleted"
            )));
        }
    }
    Ok(path)
}

fn ensure_name_free(
    conn: &Connection,
    input: &Value,
    except_id: Option<&str>,
    path: &ScopePath,
) -> Result<(), BackendError> {
    let name = text(input, "name")?;
    let taken: Option<String> = conn
        .query_row(
            "SELECT id FROM automations WHERE scope_type = ?1 AND scope_id = ?2 AND name = ?3",
            [text(input, "scopeType")?, text(input, "scopeID")?, name],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(id) if Some(id.as_str()) != except_id => Err(BackendError::Conflict(format!(
            "the name {name:?} is already used by another automation in {path}; pick another name"
        ))),
        _ => Ok(()),
    }
}

/// The columns of an automation row, read from a create or update input.
struct Columns {
    scope_type: String,
    scope_id: String,
    name: String,
    description: Option<String>,
    enabled: bool,
    event_type: String,
    event_filter: String,
    action_type: String,
    action_config: String,
    stamp: String,
}

impl Columns {
    fn from_input(input: &Value, stamp: String) -> Result<Self, BackendError> {
        Ok(Self {
            scope_type: text(input, "scopeType")?.to_string(),
            scope_id: text(input, "scopeID")?.to_string(),
            name: text(input, "name")?.to_string(),
            description: input
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            enabled: input
                .get("enabled")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            event_type: text(input, "triggeringEventType")?.to_string(),
            event_filter: text(input, "eventFilter")?.to_string(),
            action_type: text(input, "triggeredActionType")?.to_string(),
            action_config: field(input, "triggeredActionConfig")?.to_string(),
            stamp,
        })
    }

    /// Named parameters for the statements below.
    fn params(&self) -> Vec<(&'static str, &dyn rusqlite::ToSql)> {
        vec![
            (":scope_type", &self.scope_type),
            (":scope_id", &self.scope_id),
            (":name", &self.name),
            (":description", &self.description),
            (":enabled", &self.enabled),
            (":event_type", &self.event_type),
            (":event_filter", &self.event_filter),
            (":action_type", &self.action_type),
            (":action_config", &self.action_config),
            (":stamp", &self.stamp),
        ]
    }
}

/// Stores a `CreateFilterTriggerInput`; returns the new id. Run inside a write transaction.
pub(crate) fn insert(conn: &Connection, input: &Value) -> Result<String, BackendError> {
    let path = check_references(conn, input)?;
    ensure_name_free(conn, input, None, &path)?;
    conn.execute(
        "INSERT INTO automations (scope_type, scope_id, name, description, enabled, event_type, event_filter, action_type, action_config, created_at)
         VALUES (:scope_type, :scope_id, :name, :description, :enabled, :event_type, :event_filter, :action_type, :action_config, :stamp)",
        Columns::from_input(input, now())?.params().as_slice(),
    )?;
    assign_id(conn, "automations", "Trigger")
}

/// What an update checks before it writes.
pub(crate) enum Precondition {
    /// The row must still carry this `updated_at` (`None`: it was never updated).
    Unchanged(Option<String>),
    /// Nothing: the caller read no version (an update by id from a file, as the SDK sends it).
    Unread,
}

/// Applies an `UpdateFilterTriggerInput` if its precondition holds. A missing description keeps
/// the stored one. Run inside a write transaction.
pub(crate) fn update(
    conn: &Connection,
    input: &Value,
    precondition: &Precondition,
) -> Result<String, BackendError> {
    let id = text(input, "id")?.to_string();
    let current: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT name, updated_at FROM automations WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((old_name, stored_updated_at)) = current else {
        return Err(BackendError::NotFound(format!(
            "it was deleted elsewhere (no automation has the id {id} any more)"
        )));
    };
    if let Precondition::Unchanged(expected) = precondition
        && stored_updated_at != *expected
    {
        return Err(BackendError::Conflict(format!(
            "{old_name:?} was changed elsewhere (at {}) since it was read; refresh and try again",
            stored_updated_at.as_deref().unwrap_or("an unknown time")
        )));
    }
    let path = check_references(conn, input)?;
    ensure_name_free(conn, input, Some(&id), &path)?;
    let mut stamp = now();
    while stored_updated_at.as_deref() == Some(stamp.as_str()) {
        stamp = now();
    }
    let columns = Columns::from_input(input, stamp)?;
    let mut params = columns.params();
    params.push((":id", &id));
    conn.execute(
        "UPDATE automations SET scope_type = :scope_type, scope_id = :scope_id, name = :name,
            description = COALESCE(:description, description), enabled = :enabled, event_type = :event_type,
            event_filter = :event_filter, action_type = :action_type, action_config = :action_config, updated_at = :stamp
         WHERE id = :id",
        params.as_slice(),
    )?;
    Ok(id)
}

/// Deletes an automation; not found is an error, as on W&B.
pub(crate) fn delete(conn: &Connection, id: &str) -> Result<(), BackendError> {
    match conn.execute("DELETE FROM automations WHERE id = ?1", [id])? {
        0 => Err(BackendError::NotFound(format!(
            "no automation has the id {id}; it may have been deleted already"
        ))),
        _ => Ok(()),
    }
}

/// Sets an automation's timestamps (demo seeding only).
pub(crate) fn set_times(
    conn: &Connection,
    id: &str,
    created_at: &str,
    updated_at: Option<&str>,
) -> Result<(), BackendError> {
    conn.execute(
        "UPDATE automations SET created_at = ?1, updated_at = ?2 WHERE id = ?3",
        params![created_at, updated_at, id],
    )?;
    Ok(())
}
