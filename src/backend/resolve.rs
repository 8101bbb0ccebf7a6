//! Turning an automation as written (paths, names) into one a backend can store (ids), with checks.

use super::{Backend, BackendError, EntityKind};
use crate::model::integration::{find, missing};
use crate::model::{Action, Automation, Feature, Problem, ScopePath, validate};

fn not_found(what: String, known: Vec<String>) -> BackendError {
    let hint = if known.is_empty() {
        String::new()
    } else {
        format!(" (known: {})", known.join(", "))
    };
    BackendError::NotFound(format!("{what}{hint}"))
}

/// The scope id for a path, through the backend's listing calls.
pub(crate) async fn scope_id<B: Backend + ?Sized>(
    backend: &B,
    path: &ScopePath,
) -> Result<String, BackendError> {
    match path {
        ScopePath::Team { entity } | ScopePath::Org { entity } => {
            let info = backend.entity(entity).await?.ok_or_else(|| {
                BackendError::NotFound(format!("there is no entity named {entity}"))
            })?;
            let want_org = matches!(path, ScopePath::Org { .. });
            match (info.kind, want_org) {
                (EntityKind::Organization, false) => Err(BackendError::NotFound(format!(
                    "{entity} is an organisation; write org: {entity}"
                ))),
                (EntityKind::Team | EntityKind::User, true) => Err(BackendError::NotFound(
                    format!("{entity} is not an organisation; write team: {entity}"),
                )),
                _ => Ok(info.id),
            }
        }
        _ => {
            let entity = path.entity();
            let project = path.project_name().unwrap_or_default();
            let Some(found) = backend.project(entity, &project).await? else {
                let what = match path {
                    ScopePath::Registry { registry, .. } => {
                        format!("there is no registry {registry} in {entity}")
                    }
                    _ => format!("there is no project {project} in {entity}"),
                };
                let known = backend.list_projects(entity).await.unwrap_or_default();
                return Err(not_found(what, known.into_iter().map(|p| p.name).collect()));
            };
            let ScopePath::Collection { collection, .. } = path else {
                return Ok(found.id.clone());
            };
            let collections = backend.list_collections(entity, &project).await?;
            match collections.iter().find(|c| &c.name == collection) {
                Some(c) => Ok(c.id.clone()),
                None => Err(not_found(
                    format!("there is no collection {collection} in {entity}/{project}"),
                    collections.into_iter().map(|c| c.name).collect(),
                )),
            }
        }
    }
}

/// Resolves the scope and the integration of an automation; problems name the field.
pub(crate) async fn resolve(
    backend: &dyn Backend,
    mut a: Automation,
    default_entity: &str,
) -> Result<Automation, BackendError> {
    let mut problems = Vec::new();
    if a.scope.id.is_none() {
        match backend.resolve_scope(&a.scope.path).await {
            Ok(id) => a.scope.id = Some(id),
            Err(BackendError::NotFound(m)) => problems.push(Problem::new("scope", m)),
            Err(other) => return Err(other),
        }
    }
    let want_slack = matches!(a.action, Action::Slack { .. });
    if let Some(reference) = a.action.integration_mut() {
        let entity = reference
            .entity
            .clone()
            .unwrap_or_else(|| default_entity.to_string());
        let integrations = backend.list_integrations(&entity).await?;
        match find(reference, &integrations, want_slack) {
            Ok(found) => {
                reference.id = Some(found.id.clone());
                reference.label = found.label().to_string();
                reference.entity = Some(found.entity.clone());
            }
            Err(m) => {
                let how = if missing(reference, &integrations) {
                    how_to_add(backend, want_slack, &reference.label).await?
                } else {
                    String::new()
                };
                problems.push(Problem::new(
                    "action.integration",
                    format!("{m} (in entity {entity}){how}"),
                ))
            }
        }
    }
    super::ensure_valid(problems)?;
    Ok(a)
}

/// How to add a missing integration named `label` to this backend, as a sentence's end: the
/// command when wbauto can add it here, else who can (a Slack channel on W&B).
async fn how_to_add(
    backend: &dyn Backend,
    slack: bool,
    label: &str,
) -> Result<String, BackendError> {
    let (feature, command) = if slack {
        (
            Feature::CreateSlackIntegration,
            format!("wbauto integrations add-slack {label:?} --webhook-url URL"),
        )
    } else {
        (
            Feature::CreateWebhookIntegration,
            format!("wbauto integrations add-webhook {label:?} URL"),
        )
    };
    Ok(match backend.capabilities().await?.supports(feature) {
        Ok(()) => format!("; add it with `{command}` on this backend (the same --backend)"),
        Err(who) => format!("; {who}"),
    })
}

/// Checks an automation against the model's rules and the backend's capabilities.
pub(crate) async fn check<B: Backend + ?Sized>(
    backend: &B,
    a: &Automation,
) -> Result<(), BackendError> {
    let mut problems = validate(a);
    problems.extend(backend.capabilities().await?.check(a));
    super::ensure_valid(problems)
}

/// Validates an automation (model rules and the backend's capabilities), then resolves it.
pub async fn prepare(
    backend: &dyn Backend,
    a: Automation,
    default_entity: &str,
) -> Result<Automation, BackendError> {
    check(backend, &a).await?;
    resolve(backend, a, default_entity).await
}
