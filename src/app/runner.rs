//! The effects runner: owns the backends and maps each effect to an operation of `ops` on a
//! tokio task, sending the answer back as a `Msg`. Nothing here touches the dashboard's state.

use super::msg::SaveKind;
use super::msg::{Effect, Msg};
use super::screens::detail::DetailMsg;
use super::screens::history::HistoryMsg;
use super::screens::integrations::IntegrationsMsg;
use super::screens::runs::RunsMsg;
use super::screens::wizard::WizardMsg;
use crate::backend::Backend;
use crate::model::history::{History, HistoryScope};
use crate::ops::{self, SaveMode};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Rows of a first page sent ahead of the whole listing (more than any terminal shows).
const FIRST_PAGE: usize = 200;

/// Runs effects that need a backend.
pub struct Runner {
    backends: Vec<Arc<dyn Backend>>,
    /// The local engine of each backend that has one (the local backend's database).
    engines: Vec<Option<Arc<crate::engine::Engine>>>,
    tx: UnboundedSender<Msg>,
    /// How backtests and the wizard's live verdict judge (from `config.toml`).
    backtest: crate::ops::backtest::Settings,
    /// The task in flight of each kind a newer request replaces (reading run history can take
    /// a while: a run picked next, or an edited condition, cancels the one before).
    latest: std::sync::Mutex<std::collections::HashMap<&'static str, tokio::task::AbortHandle>>,
}

impl Runner {
    /// A runner over `backends` (indexed like the state's backend choices), answering on `tx`.
    pub fn new(
        backends: Vec<Arc<dyn Backend>>,
        engines: Vec<Option<Arc<crate::engine::Engine>>>,
        backtest: crate::ops::backtest::Settings,
        tx: UnboundedSender<Msg>,
    ) -> Self {
        Self {
            backends,
            engines,
            tx,
            backtest,
            latest: std::sync::Mutex::default(),
        }
    }

    /// Like `spawn`, cancelling the task of the same `kind` still running.
    fn spawn_replacing<F>(&self, kind: &'static str, task: F)
    where
        F: std::future::Future<Output = Msg> + Send + 'static,
    {
        let handle = self.start(task);
        if let Ok(mut latest) = self.latest.lock()
            && let Some(before) = latest.insert(kind, handle.abort_handle())
        {
            before.abort();
        }
    }

    fn engine(&self, active: usize) -> Result<Arc<crate::engine::Engine>, String> {
        self.engines.get(active).cloned().flatten().ok_or_else(|| {
            "the local engine runs on the local backend only; W&B fires its own automations"
                .to_string()
        })
    }

    /// Runs an engine effect on a blocking thread (the engine's calls touch the database).
    fn engine_task<T, F>(
        &self,
        active: usize,
        work: F,
        answer: impl FnOnce(Result<T, String>) -> Msg + Send + 'static,
    ) where
        T: Send + 'static,
        F: FnOnce(&crate::engine::Engine) -> Result<T, crate::backend::BackendError>
            + Send
            + 'static,
    {
        let engine = self.engine(active);
        self.spawn(async move {
            let result = match engine {
                Ok(e) => tokio::task::spawn_blocking(move || work(&e).map_err(|e| e.to_string()))
                    .await
                    .unwrap_or_else(|e| Err(e.to_string())),
                Err(why) => Err(why),
            };
            answer(result)
        });
    }

    fn spawn<F>(&self, task: F)
    where
        F: std::future::Future<Output = Msg> + Send + 'static,
    {
        self.start(task);
    }

    /// Starts a task whose answer goes to the dashboard.
    fn start<F>(&self, task: F) -> tokio::task::JoinHandle<()>
    where
        F: std::future::Future<Output = Msg> + Send + 'static,
    {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            // The receiver only goes away when the dashboard is closing.
            let _ = tx.send(task.await);
        })
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
            Effect::List {
                request,
                entity,
                first_page,
            } => {
                let tx = self.tx.clone();
                self.spawn(async move {
                    if first_page
                        && let Ok(Some(listing)) =
                            backend.first_automations(&entity, FIRST_PAGE).await
                    {
                        let _ = tx.send(Msg::FirstPage { request, listing });
                    }
                    Msg::Listed {
                        request,
                        result: backend.list_automations(&entity).await,
                    }
                })
            }
            Effect::LoadWire { key } => self.spawn(async move {
                Msg::WireLoaded {
                    result: backend.trigger_wire(&key.0).await,
                    key,
                }
            }),
            Effect::ListIntegrations { request, entity } => self.spawn(async move {
                Msg::from(IntegrationsMsg::Loaded {
                    request,
                    result: backend.list_integrations(&entity).await,
                })
            }),
            Effect::Toggle {
                read,
                enabled,
                entity,
            } => self.spawn(async move {
                let id = read.automation.id.clone().unwrap_or_default();
                let result = ops::set_enabled(backend.as_ref(), &entity, &read, enabled).await;
                Msg::Saved {
                    id,
                    kind: SaveKind::Toggle,
                    result: result.map(|toggled| toggled.saved),
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
                Msg::from(WizardMsg::Options {
                    request,
                    result: ops::picker_options(backend.as_ref(), &entity).await,
                })
            }),
            Effect::LoadCollections {
                request,
                entity,
                project,
            } => self.spawn(async move {
                let result = ops::collection_names(backend.as_ref(), &entity, &project).await;
                Msg::from(WizardMsg::Collections { request, result })
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
                Msg::from(WizardMsg::Saved {
                    edit,
                    result: Box::new(result),
                })
            }),
            Effect::LoadActivity { request, entity } => {
                let engine = self.engine(active).ok();
                self.spawn(async move {
                    let result = ops::history::activity(backend.as_ref(), engine, &entity).await;
                    Msg::ActivityLoaded { request, result }
                })
            }
            Effect::LoadHistory { request, query } => {
                // One automation's history is the detail's History tab; any other, the screen's.
                let tab = matches!(query.scope, HistoryScope::Automation { .. });
                let tx = self.tx.clone();
                // Only the newest history request is shown: a long read before it is dropped.
                self.spawn_replacing("history", async move {
                    let so_far = move |so_far: History| {
                        let _ = tx.send(if tab {
                            Msg::from(DetailMsg::HistoryReading { request, so_far })
                        } else {
                            Msg::from(HistoryMsg::Reading { request, so_far })
                        });
                    };
                    let result = backend.automation_history_reading(&query, &so_far).await;
                    if tab {
                        Msg::from(DetailMsg::History { request, result })
                    } else {
                        Msg::from(HistoryMsg::Loaded { request, result })
                    }
                })
            }
            Effect::LoadRuns { request, entity } => {
                let engine = self.engine(active);
                self.spawn(async move {
                    let result = match engine {
                        Ok(engine) => ops::known_runs(backend.as_ref(), engine, &entity)
                            .await
                            .map_err(|e| e.to_string()),
                        Err(why) => Err(why),
                    };
                    Msg::from(RunsMsg::Loaded { request, result })
                })
            }
            Effect::LoadBacktestRuns {
                request,
                automation,
            } => {
                let engine = self.engine(active).ok();
                self.spawn_replacing("backtest runs", async move {
                    let result = crate::ops::backtest::run_choices(
                        backend.as_ref(),
                        engine.as_deref(),
                        &automation,
                    )
                    .await
                    .map_err(|e| e.to_string());
                    Msg::from(DetailMsg::BacktestRuns { request, result })
                })
            }
            Effect::JudgeRun {
                request,
                automation,
                choice,
            } => {
                let settings = self.backtest;
                self.spawn_replacing("backtest verdict", async move {
                    let result = crate::ops::backtest::judge_choice(
                        backend.as_ref(),
                        &automation,
                        &choice,
                        settings,
                    )
                    .await
                    .map_err(|e| e.to_string());
                    Msg::from(DetailMsg::BacktestJudged {
                        request,
                        result: Box::new(result),
                    })
                })
            }
            Effect::LoadPreview {
                request,
                automation,
            } => {
                let engine = self.engine(active).ok();
                let settings = self.backtest;
                self.spawn_replacing("preview runs", async move {
                    let result = crate::ops::backtest::own_histories(
                        backend.as_ref(),
                        engine.as_deref(),
                        &automation,
                        crate::ops::backtest::RECENT_RUNS,
                        settings,
                    )
                    .await
                    .map(|(histories, _)| std::sync::Arc::new(histories))
                    .map_err(|e| e.to_string());
                    Msg::from(WizardMsg::PreviewLoaded { request, result })
                })
            }
            Effect::JudgePreview {
                request,
                automation,
                histories,
            } => {
                let limit = self.backtest.limit;
                self.spawn_replacing("preview verdict", async move {
                    let options = crate::engine::backtest::Options { limit, trace: true };
                    let result =
                        crate::ops::backtest::judge(&automation, (*histories).clone(), options)
                            .await
                            .map_err(|e| e.to_string());
                    Msg::from(WizardMsg::PreviewJudged { request, result })
                })
            }
            Effect::PrepareTest { id, name } => {
                let key = id.clone();
                self.engine_task(
                    active,
                    move |e| ops::prepare_test(e, &key, None),
                    move |result| Msg::TestPrepared { id, name, result },
                )
            }
            Effect::SendTest { id, name, test } => {
                let engine = self.engine(active);
                self.spawn(async move {
                    let result = match engine {
                        Ok(e) => ops::send_test(&e, &id, &test)
                            .await
                            .map_err(|e| e.to_string()),
                        Err(why) => Err(why),
                    };
                    Msg::TestSent { name, result }
                })
            }
            Effect::LoadEntities {
                request,
                backend: index,
            } => {
                let target = self.backends.get(index).cloned();
                self.spawn(async move {
                    let result = match target {
                        Some(b) => b.entities().await.map_err(|e| e.to_string()),
                        None => Err("no such backend".into()),
                    };
                    Msg::EntitiesLoaded {
                        request,
                        backend: index,
                        result,
                    }
                })
            }
            Effect::Switch {
                request,
                backend: index,
                entity,
            } => {
                let target = self.backends.get(index).cloned();
                self.spawn(async move {
                    let (entity, result) = match target {
                        Some(b) => ops::open_entity(b.as_ref(), entity.as_deref()).await,
                        None => (
                            entity.unwrap_or_default(),
                            Err(crate::backend::BackendError::NotFound(
                                "no such backend".into(),
                            )),
                        ),
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
