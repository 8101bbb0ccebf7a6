//! Who may post events: tokens made at random (32 bytes from the operating system), shown once
//! and stored only as their SHA-256 (a token is as long as a key, so no password hashing is
//! needed), each for every project or for some; and the answers given to requests with an
//! `Idempotency-Key`, kept a day so a retried request is stored once.

use super::error::{EngineError, db};
use super::event::{EngineEvent, EventBody};
use crate::backend::BackendError;
use base64::Engine as _;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::Digest;
use std::collections::HashMap;

/// How long an idempotent answer is kept, in milliseconds.
pub(crate) const ANSWERS_KEPT_MS: i64 = 24 * 3_600_000;

/// A token as stored: its name and the projects it covers (none listed: every project).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    /// Its name.
    pub name: String,
    /// `(entity, project)` pairs; empty for a token that covers every project.
    pub projects: Vec<(String, String)>,
    /// When it was made (RFC 3339).
    pub created_at: String,
}

/// Where an event happens, as tokens cover it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// A project: a run's, or an artifact collection's (`E/P` of `E/P/C`).
    Project(String, String),
    /// A registry's collection: only a token for every project covers it.
    Registry(String),
}

impl Place {
    /// Where `event` happens.
    pub fn of(event: &EngineEvent) -> Place {
        match (&event.run, &event.body) {
            (_, EventBody::Artifact { collection, .. })
                if collection
                    .project
                    .starts_with(crate::model::scope::REGISTRY_PREFIX) =>
            {
                Place::Registry(format!("{}/{}", collection.entity, collection.project))
            }
            (_, EventBody::Artifact { collection, .. }) => {
                Place::Project(collection.entity.clone(), collection.project.clone())
            }
            (Some(run), _) => Place::Project(run.entity.clone(), run.project.clone()),
            (None, _) => Place::Registry(String::new()),
        }
    }

    /// The place in words, e.g. `project acme/vision`.
    pub fn words(&self) -> String {
        match self {
            Place::Project(e, p) => format!("project {e}/{p}"),
            Place::Registry(r) => format!("registry {r}"),
        }
    }
}

impl Token {
    /// Whether the token may post events that happen at `place`.
    pub fn covers(&self, place: &Place) -> bool {
        match place {
            _ if self.projects.is_empty() => true,
            Place::Project(e, p) => self.projects.iter().any(|(te, tp)| te == e && tp == p),
            Place::Registry(_) => false,
        }
    }

    /// The projects it covers, in words.
    pub(crate) fn scope_words(&self) -> String {
        if self.projects.is_empty() {
            return "every project".into();
        }
        self.projects
            .iter()
            .map(|(e, p)| format!("{e}/{p}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A token's hash as stored (hex SHA-256).
pub fn hash(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_token() -> Result<String, EngineError> {
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| {
            BackendError::Storage(format!(
                "cannot read random bytes from the operating system: {e}"
            ))
        })?;
    Ok(format!(
        "wbt_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

fn invalid(message: String) -> EngineError {
    EngineError::Backend(BackendError::Conflict(message))
}

/// Makes a token named `name` for `projects` (`ENTITY/PROJECT` each; none: every project) and
/// returns it: the only time it is ever seen, as only its hash is kept.
pub fn create(conn: &Connection, name: &str, projects: &[String]) -> Result<String, EngineError> {
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !name_ok {
        return Err(invalid(format!(
            "{name:?} cannot name a token: use up to 64 letters, digits, _, - or . (e.g. ci-runner)"
        )));
    }
    let mut pairs = Vec::new();
    for p in projects {
        let pair = super::event::project(p).ok_or_else(|| {
            invalid(format!(
                "--project {p:?}: write ENTITY/PROJECT, e.g. acme/vision"
            ))
        })?;
        if !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }
    let token = random_token()?;
    let stored: Vec<String> = pairs.iter().map(|(e, p)| format!("{e}/{p}")).collect();
    let inserted = conn
        .execute(
            "INSERT INTO tokens (name, hash, projects, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(name) DO NOTHING",
            params![
                name,
                hash(&token),
                serde_json::to_string(&stored).unwrap_or_else(|_| "[]".into()),
                crate::backend::local::store::now()
            ],
        )
        .map_err(db)?;
    if inserted == 0 {
        return Err(invalid(format!(
            "a token named {name} exists already; revoke it first (`wbauto tokens revoke {name}`) or choose another name"
        )));
    }
    Ok(token)
}

/// Every token by hash (what the endpoint checks a bearer token against).
pub(crate) fn by_hash(conn: &Connection) -> Result<HashMap<String, Token>, EngineError> {
    let mut stmt = conn
        .prepare("SELECT hash, name, projects, created_at FROM tokens ORDER BY name")
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .map_err(db)?;
    let mut out = HashMap::new();
    for row in rows {
        let (hash, name, projects, created_at) = row.map_err(db)?;
        let projects = serde_json::from_str::<Vec<String>>(&projects)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| super::event::project(p))
            .collect();
        out.insert(
            hash,
            Token {
                name,
                projects,
                created_at,
            },
        );
    }
    Ok(out)
}

/// Every token (never the token itself: it is not kept), by name.
pub fn list(conn: &Connection) -> Result<Vec<Token>, EngineError> {
    let mut all: Vec<Token> = by_hash(conn)?.into_values().collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

/// Revokes a token; whether it existed.
pub fn revoke(conn: &Connection, name: &str) -> Result<bool, EngineError> {
    Ok(conn
        .execute("DELETE FROM tokens WHERE name = ?1", [name])
        .map_err(db)?
        > 0)
}

/// The answer given to a request with this token and key: (the body's hash, the answer).
pub(crate) fn answer_for(
    conn: &Connection,
    token: &str,
    key: &str,
    now_ms: i64,
) -> Result<Option<(String, String)>, EngineError> {
    conn.prepare_cached(
        "SELECT body_hash, answer FROM idempotency WHERE token = ?1 AND key = ?2 AND at > ?3",
    )
    .map_err(db)?
    .query_row(params![token, key, now_ms - ANSWERS_KEPT_MS], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()
    .map_err(db)
}

/// Keeps the answer given to a request with this token and key (in the request's transaction).
pub(crate) fn remember_answer(
    conn: &Connection,
    token: &str,
    key: &str,
    body_hash: &str,
    answer: &str,
    now_ms: i64,
) -> Result<(), EngineError> {
    conn.prepare_cached(
        "INSERT INTO idempotency (token, key, body_hash, answer, at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(token, key) DO UPDATE SET body_hash = ?3, answer = ?4, at = ?5",
    )
    .map_err(db)?
    .execute(params![token, key, body_hash, answer, now_ms])
    .map_err(db)?;
    Ok(())
}

/// Forgets idempotent answers older than a day.
pub(crate) fn prune_answers(conn: &Connection, now_ms: i64) -> Result<(), EngineError> {
    conn.execute(
        "DELETE FROM idempotency WHERE at <= ?1",
        [now_ms - ANSWERS_KEPT_MS],
    )
    .map_err(db)?;
    Ok(())
}
