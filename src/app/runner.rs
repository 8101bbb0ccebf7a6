//! The effects runner: owns the backends and maps each effect to an operation of `ops` on a
//! tokio task, sending the answer back as a `Msg`. Nothing here touches the dashboard's state.

use super::msg::{Effect, Msg};
use crate::backend::Backend;
use crate::ops::{self, SaveMode};
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
                    result: ops::replace(backend.as_ref(), &automation).await,
                }
            }),
            Effect::SaveFile {
                id,
                automation,
                entity,
                kind,
            } => self.spawn(async move {
                let result =
                    ops::save(backend.as_ref(), *automation, &entity, SaveMode::Update).await;
                Msg::Saved { id, kind, result }
            }),
            Effect::Recreate {
                automation,
                entity,
                label,
            } => self.spawn(async move {
                let result =
                    ops::save(backend.as_ref(), *automation, &entity, SaveMode::Create).await;
                Msg::Recreated { label, result }
            }),
            Effect::Delete { id } => self.spawn(async move {
                let result = ops::delete(backend.as_ref(), &id).await;
                Msg::Deleted { id, result }
            }),
            Effect::LoadOptions { request, entity } => self.spawn(async move {
                Msg::OptionsLoaded {
                    request,
                    result: ops::picker_options(backend.as_ref(), &entity).await,
                }
            }),
            Effect::LoadCollections {
                request,
                entity,
                project,
            } => self.spawn(async move {
                let result = ops::collection_names(backend.as_ref(), &entity, &project).await;
                Msg::CollectionsLoaded { request, result }
            }),
            Effect::SaveWizard {
                automation,
                entity,
                edit,
            } => self.spawn(async move {
                let mode = if edit {
                    SaveMode::Update
                } else {
                    SaveMode::Create
                };
                let result = ops::save(backend.as_ref(), *automation, &entity, mode).await;
                Msg::WizardSaved { edit, result }
            }),
            Effect::Switch {
                request,
                backend: index,
                entity,
            } => {
                let target = self.backends.get(index).cloned();
                self.spawn(async move {
                    let result = match target {
                        Some(b) => ops::open_entity(b.as_ref(), &entity).await,
                        None => Err(crate::backend::BackendError::NotFound(
                            "no such backend".into(),
                        )),
                    };
                    Msg::Switched {
                        request,
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
