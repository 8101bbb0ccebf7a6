//! The effects runner: owns the backends and runs their calls on tokio tasks, sending each answer
//! back as a `Msg`. Nothing here touches the dashboard's state.

use super::msg::{Effect, Msg};
use crate::backend::Backend;
use crate::backend::resolve::prepare;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Runs effects that need a backend.
pub struct Runner {
    backends: Vec<Arc<dyn Backend>>,
    tx: UnboundedSender<Msg>,
}

impl Runner {
    /// A runner over `backends` (indexed like the state's backend choices), answering on `tx`.
    pub fn new(backends: Vec<Arc<dyn Backend>>, tx: UnboundedSender<Msg>) -> Self {
        Self { backends, tx }
    }

    fn spawn<F>(&self, task: F)
    where
        F: std::future::Future<Output = Msg> + Send + 'static,
    {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            // The receiver only goes away when the dashboard is closing.
            let _ = tx.send(task.await);
        });
    }

    /// Starts a backend effect on the backend `active`; returns effects that belong to the
    /// terminal (copying, editing), which the caller runs.
    pub fn run(&self, effect: Effect, active: usize) -> Option<Effect> {
        let Some(backend) = self.backends.get(active).cloned() else {
            return Some(effect);
        };
        match effect {
            Effect::Copy { .. }
            | Effect::Edit { .. }
            | Effect::SaveDraft { .. }
            | Effect::ClearDraft => return Some(effect),
            Effect::List { request, entity } => self.spawn(async move {
                Msg::Listed {
                    request,
                    result: backend.list_automations(&entity).await,
                }
            }),
            Effect::ListIntegrations { request, entity } => self.spawn(async move {
                Msg::IntegrationsLoaded {
                    request,
                    result: backend.list_integrations(&entity).await,
                }
            }),
            Effect::Update { automation, kind } => self.spawn(async move {
                let id = automation.id.clone().unwrap_or_default();
                Msg::Saved {
                    id,
                    kind,
                    result: backend.update_automation(&automation).await,
                }
            }),
            Effect::SaveFile {
                id,
                automation,
                entity,
                kind,
            } => self.spawn(async move {
                let result = match prepare(backend.as_ref(), *automation, &entity).await {
                    Ok(resolved) => backend.update_automation(&resolved).await,
                    Err(e) => Err(e),
                };
                Msg::Saved { id, kind, result }
            }),
            Effect::Recreate {
                automation,
                entity,
                label,
            } => self.spawn(async move {
                let result = match prepare(backend.as_ref(), *automation, &entity).await {
                    Ok(resolved) => backend.create_automation(&resolved).await,
                    Err(e) => Err(e),
                };
                Msg::Recreated { label, result }
            }),
            Effect::Delete { id } => self.spawn(async move {
                let result = backend.delete_automation(&id).await;
                Msg::Deleted { id, result }
            }),
            Effect::LoadOptions { request, entity } => self.spawn(async move {
                Msg::OptionsLoaded {
                    request,
                    result: load_options(backend.as_ref(), &entity).await,
                }
            }),
            Effect::LoadCollections {
                request,
                entity,
                project,
            } => self.spawn(async move {
                let result = backend
                    .list_collections(&entity, &project)
                    .await
                    .map(|c| c.into_iter().map(|c| c.name).collect());
                Msg::CollectionsLoaded { request, result }
            }),
            Effect::SaveWizard {
                automation,
                entity,
                edit,
            } => self.spawn(async move {
                let result = match prepare(backend.as_ref(), *automation, &entity).await {
                    Ok(resolved) if edit => backend.update_automation(&resolved).await,
                    Ok(resolved) => backend.create_automation(&resolved).await,
                    Err(e) => Err(e),
                };
                Msg::WizardSaved { edit, result }
            }),
            Effect::Switch {
                backend: index,
                entity,
            } => {
                let target = self.backends.get(index).cloned();
                self.spawn(async move {
                    let result = match target {
                        Some(b) => match b.entity(&entity).await {
                            Ok(Some(_)) => b.capabilities().await,
                            Ok(None) => Err(crate::backend::BackendError::NotFound(format!(
                                "there is no entity named {entity}"
                            ))),
                            Err(e) => Err(e),
                        },
                        None => Err(crate::backend::BackendError::NotFound(
                            "no such backend".into(),
                        )),
                    };
                    Msg::Switched {
                        backend: index,
                        entity,
                        result,
                    }
                })
            }
        }
        None
    }
}

/// Projects, registries and integrations of an entity, for the wizard's pickers. Registries are
/// optional (a server without registry search still gets its projects and integrations).
async fn load_options(
    backend: &dyn Backend,
    entity: &str,
) -> Result<crate::wizard::fields::Options, crate::backend::BackendError> {
    use crate::model::IntegrationKind;
    let projects = backend.list_projects(entity).await?;
    let registries = backend.list_registries(entity).await.unwrap_or_default();
    let integrations = backend.list_integrations(entity).await?;
    let prefix = crate::model::scope::REGISTRY_PREFIX;
    Ok(crate::wizard::fields::Options {
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
        slack: integrations
            .iter()
            .filter(|i| matches!(i.kind, IntegrationKind::Slack { .. }))
            .map(|i| i.label().to_string())
            .collect(),
        webhooks: integrations
            .iter()
            .filter(|i| matches!(i.kind, IntegrationKind::Webhook { .. }))
            .map(|i| i.label().to_string())
            .collect(),
    })
}
