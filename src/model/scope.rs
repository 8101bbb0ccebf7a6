//! Where an automation applies: a project, a registry, an artifact collection, a team or an org.

use std::fmt;

/// The prefix W&B gives the project behind a registry.
pub(crate) const REGISTRY_PREFIX: &str = "wandb-registry-";

/// A scope named by its path, as in automation files.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScopePath {
    /// `ENTITY/PROJECT`
    Project {
        /// Owning entity.
        entity: String,
        /// Project name.
        project: String,
    },
    /// `ORG_ENTITY/REGISTRY`: the project `wandb-registry-REGISTRY` of the org entity.
    Registry {
        /// The organisation's entity.
        entity: String,
        /// Registry name without the `wandb-registry-` prefix.
        registry: String,
    },
    /// `ENTITY/PROJECT/COLLECTION`: an artifact collection (sequence or portfolio).
    Collection {
        /// Owning entity.
        entity: String,
        /// Project name (`wandb-registry-...` for a registry collection).
        project: String,
        /// Collection name.
        collection: String,
    },
    /// A team entity.
    Team {
        /// Team name.
        entity: String,
    },
    /// An organisation's entity.
    Org {
        /// The org entity's name.
        entity: String,
    },
}

/// The kinds of scope, for capabilities and pickers.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum ScopeKind {
    /// A project.
    Project,
    /// A registry.
    Registry,
    /// An artifact collection.
    Collection,
    /// A team.
    Team,
    /// An organisation.
    Org,
}

impl ScopeKind {
    /// Every kind.
    pub(crate) const ALL: [ScopeKind; 5] = [
        ScopeKind::Project,
        ScopeKind::Registry,
        ScopeKind::Collection,
        ScopeKind::Team,
        ScopeKind::Org,
    ];

    /// The file key (`project`, `registry`, ...).
    pub fn file_key(self) -> &'static str {
        match self {
            ScopeKind::Project => "project",
            ScopeKind::Registry => "registry",
            ScopeKind::Collection => "collection",
            ScopeKind::Team => "team",
            ScopeKind::Org => "org",
        }
    }

    /// The wire `scopeType`.
    pub(crate) fn wire_type(self) -> &'static str {
        match self {
            ScopeKind::Project | ScopeKind::Registry => "PROJECT",
            ScopeKind::Collection => "ARTIFACT_COLLECTION",
            ScopeKind::Team | ScopeKind::Org => "ENTITY",
        }
    }

    /// How the path is written, for help texts.
    pub(crate) fn path_form(self) -> &'static str {
        match self {
            ScopeKind::Project => "ENTITY/PROJECT",
            ScopeKind::Registry => "ORG_ENTITY/REGISTRY",
            ScopeKind::Collection => "ENTITY/PROJECT/COLLECTION",
            ScopeKind::Team => "TEAM",
            ScopeKind::Org => "ORG_ENTITY",
        }
    }
}

impl ScopePath {
    /// Parses the path written under a file key; the error says what form was expected.
    pub(crate) fn parse(kind: ScopeKind, text: &str) -> Result<ScopePath, String> {
        let parts: Vec<&str> = text.split('/').collect();
        let bad = || {
            format!(
                "{} must be written {}, got {text:?}",
                kind.file_key(),
                kind.path_form()
            )
        };
        if parts.iter().any(|p| p.trim().is_empty() || p.trim() != *p) {
            return Err(bad());
        }
        let s = |i: usize| parts[i].to_string();
        match (kind, parts.len()) {
            (ScopeKind::Project, 2) if parts[1].starts_with(REGISTRY_PREFIX) => {
                Ok(ScopePath::Registry {
                    entity: s(0),
                    registry: parts[1][REGISTRY_PREFIX.len()..].to_string(),
                })
            }
            (ScopeKind::Project, 2) => Ok(ScopePath::Project {
                entity: s(0),
                project: s(1),
            }),
            (ScopeKind::Registry, 2) => {
                let registry = parts[1]
                    .strip_prefix(REGISTRY_PREFIX)
                    .unwrap_or(parts[1])
                    .to_string();
                if registry.is_empty() {
                    Err(bad())
                } else {
                    Ok(ScopePath::Registry {
                        entity: s(0),
                        registry,
                    })
                }
            }
            (ScopeKind::Collection, 3) => Ok(ScopePath::Collection {
                entity: s(0),
                project: s(1),
                collection: s(2),
            }),
            (ScopeKind::Team, 1) => Ok(ScopePath::Team { entity: s(0) }),
            (ScopeKind::Org, 1) => Ok(ScopePath::Org { entity: s(0) }),
            _ => Err(bad()),
        }
    }

    /// The kind of scope.
    pub fn kind(&self) -> ScopeKind {
        match self {
            ScopePath::Project { .. } => ScopeKind::Project,
            ScopePath::Registry { .. } => ScopeKind::Registry,
            ScopePath::Collection { .. } => ScopeKind::Collection,
            ScopePath::Team { .. } => ScopeKind::Team,
            ScopePath::Org { .. } => ScopeKind::Org,
        }
    }

    /// The entity that owns the scope.
    pub fn entity(&self) -> &str {
        match self {
            ScopePath::Project { entity, .. }
            | ScopePath::Registry { entity, .. }
            | ScopePath::Collection { entity, .. }
            | ScopePath::Team { entity }
            | ScopePath::Org { entity } => entity,
        }
    }

    /// The project name behind the scope, if it is a project, registry or collection.
    pub(crate) fn project_name(&self) -> Option<String> {
        match self {
            ScopePath::Project { project, .. } | ScopePath::Collection { project, .. } => {
                Some(project.clone())
            }
            ScopePath::Registry { registry, .. } => Some(format!("{REGISTRY_PREFIX}{registry}")),
            _ => None,
        }
    }

    /// The path as written in files (without the kind).
    pub fn path(&self) -> String {
        match self {
            ScopePath::Project { entity, project } => format!("{entity}/{project}"),
            ScopePath::Registry { entity, registry } => format!("{entity}/{registry}"),
            ScopePath::Collection {
                entity,
                project,
                collection,
            } => format!("{entity}/{project}/{collection}"),
            ScopePath::Team { entity } | ScopePath::Org { entity } => entity.clone(),
        }
    }
}

impl fmt::Display for ScopePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind().file_key(), self.path())
    }
}

/// A scope: its path and, once resolved, W&B's id for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// The scope's path.
    pub path: ScopePath,
    /// W&B's id (`scopeID`), known after resolution or when read back.
    pub id: Option<String>,
}

impl Scope {
    /// An unresolved scope.
    pub(crate) fn unresolved(path: ScopePath) -> Self {
        Self { path, id: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_kind_and_rejects_bad_paths() {
        assert_eq!(
            ScopePath::parse(ScopeKind::Project, "acme/vision").unwrap(),
            ScopePath::Project {
                entity: "acme".into(),
                project: "vision".into()
            }
        );
        assert_eq!(
            ScopePath::parse(ScopeKind::Registry, "acme-corp/model").unwrap(),
            ScopePath::Registry {
                entity: "acme-corp".into(),
                registry: "model".into()
            }
        );
        assert_eq!(
            ScopePath::parse(ScopeKind::Project, "acme-corp/wandb-registry-model")
                .unwrap()
                .kind(),
            ScopeKind::Registry
        );
        assert_eq!(
            ScopePath::parse(ScopeKind::Collection, "a/b/c")
                .unwrap()
                .path(),
            "a/b/c"
        );
        assert!(
            ScopePath::parse(ScopeKind::Project, "acme")
                .unwrap_err()
                .contains("ENTITY/PROJECT")
        );
        assert!(ScopePath::parse(ScopeKind::Team, "a/b").is_err());
        assert!(ScopePath::parse(ScopeKind::Project, "acme/ ").is_err());
        assert!(ScopePath::parse(ScopeKind::Registry, "acme/wandb-registry-").is_err());
    }
}
