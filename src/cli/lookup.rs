//! Finding automations by name or id, optionally within one project.

use super::{CliError, failure};
use crate::backend::{Listing, SavedAutomation};
use crate::model::{ScopePath, ids};

/// `--project P`: `PROJECT` (in the working entity) or `ENTITY/PROJECT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ProjectFilter {
    entity: String,
    project: String,
}

impl ProjectFilter {
    /// Parses `--project`, defaulting the entity.
    pub(crate) fn parse(text: &str, entity: &str) -> Result<Self, CliError> {
        match text.split('/').collect::<Vec<_>>().as_slice() {
            [project] if !project.is_empty() => Ok(Self {
                entity: entity.to_string(),
                project: project.to_string(),
            }),
            [e, project] if !e.is_empty() && !project.is_empty() => Ok(Self {
                entity: e.to_string(),
                project: project.to_string(),
            }),
            _ => Err(CliError::Usage(format!(
                "--project takes PROJECT or ENTITY/PROJECT, got {text:?}"
            ))),
        }
    }

    /// The project's entity.
    pub(crate) fn entity(&self) -> &str {
        &self.entity
    }

    /// The project's name.
    pub(crate) fn project(&self) -> &str {
        &self.project
    }

    /// Whether a scope is this project, a collection in it, or (for `wandb-registry-*`) the registry.
    pub(crate) fn contains(&self, path: &ScopePath) -> bool {
        path.entity() == self.entity
            && path.project_name().as_deref() == Some(self.project.as_str())
    }
}

/// The optional project filter of a command.
pub(crate) fn project_filter(
    project: Option<&str>,
    entity: &str,
) -> Result<Option<ProjectFilter>, CliError> {
    project.map(|p| ProjectFilter::parse(p, entity)).transpose()
}

/// The automations of a listing that pass the filter.
pub(crate) fn filtered<'a>(
    listing: &'a Listing,
    filter: Option<&ProjectFilter>,
) -> Vec<&'a SavedAutomation> {
    listing
        .automations
        .iter()
        .filter(|s| filter.is_none_or(|f| f.contains(&s.automation.scope.path)))
        .collect()
}

/// Finds one automation by id (base64 of `Trigger:<n>`) or by name; several matches are an error
/// that lists them.
pub(crate) fn find<'a>(
    listing: &'a Listing,
    target: &str,
    filter: Option<&ProjectFilter>,
    entity: &str,
) -> Result<&'a SavedAutomation, CliError> {
    let candidates = filtered(listing, filter);
    let where_ = match filter {
        Some(f) => format!("project {}/{}", f.entity, f.project),
        None => format!("entity {entity}"),
    };
    if ids::is_trigger_id(target) {
        return candidates
            .into_iter()
            .find(|s| s.automation.id.as_deref() == Some(target))
            .ok_or_else(|| failure(format!("no automation has the id {target} in {where_}")));
    }
    let matches: Vec<&SavedAutomation> = candidates
        .iter()
        .copied()
        .filter(|s| s.automation.name == target)
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => {
            let lower = target.to_lowercase();
            let near: Vec<&str> = candidates
                .iter()
                .map(|s| s.automation.name.as_str())
                .filter(|n| n.to_lowercase().contains(&lower) || lower.contains(&n.to_lowercase()))
                .take(3)
                .collect();
            let hint = if near.is_empty() {
                "; `wbauto list` shows them all".to_string()
            } else {
                format!("; did you mean {}?", near.join(", "))
            };
            Err(failure(format!(
                "no automation named {target:?} in {where_}{hint}"
            )))
        }
        many => Err(failure(format!(
            "{target:?} names {} automations: {}; use the id or --project",
            many.len(),
            many.iter()
                .map(|s| format!(
                    "{} ({})",
                    s.automation.scope.path,
                    s.automation.id.as_deref().unwrap_or("?")
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Every automation listed in these entities (each entity asked once, each automation kept once).
pub(crate) async fn listed(
    ctx: &super::context::Context,
    entities: impl IntoIterator<Item = String>,
) -> Result<Vec<crate::model::Automation>, CliError> {
    let mut asked: Vec<String> = Vec::new();
    let mut ids = std::collections::HashSet::new();
    let mut out = Vec::new();
    for entity in entities {
        if asked.contains(&entity) {
            continue;
        }
        for s in ctx.backend.list_automations(&entity).await?.automations {
            if ids.insert(s.automation.id.clone()) {
                out.push(s.automation);
            }
        }
        asked.push(entity);
    }
    Ok(out)
}
