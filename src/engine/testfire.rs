//! A test fire's parts: a sample event for an automation, the request it would send, and its
//! execution recorded (marked `test`) with its outbox row. Sending it follows the lease's rules
//! (see [`super::oneshot`]).

use super::eval::{Finding, Firing, run_key};
use super::event::{self, EngineEvent, EventBody};
use super::store::{self, NewExecution, Queued, Status};
use super::{Engine, decide, execution_id, now_ms, request};
use crate::backend::BackendError;

impl Engine {
    /// A sample event for an automation (what `wbauto test` sends without `--event`).
    pub(crate) fn sample_event(a: &crate::model::Automation, now: i64) -> EngineEvent {
        use crate::model::{ArtifactEvent, Event, ScopePath};
        let (entity, project, collection) = match &a.scope.path {
            ScopePath::Project { entity, project } => (
                entity.clone(),
                project.clone(),
                "sample-collection".to_string(),
            ),
            ScopePath::Collection {
                entity,
                project,
                collection,
            } => (entity.clone(), project.clone(), collection.clone()),
            ScopePath::Registry { entity, registry } => (
                entity.clone(),
                format!("{}{registry}", crate::model::scope::REGISTRY_PREFIX),
                "sample-collection".to_string(),
            ),
            ScopePath::Team { entity } | ScopePath::Org { entity } => (
                entity.clone(),
                "sample-project".to_string(),
                "sample-collection".to_string(),
            ),
        };
        let run = Some(event::RunRef {
            entity: entity.clone(),
            project: project.clone(),
            run: "sample-run".into(),
            display_name: Some("sample-run".into()),
            user: Some("wbauto-test".into()),
        });
        let body = match &a.event {
            Event::RunMetric { condition, .. } => EventBody::Metric {
                step: Some(0),
                metrics: vec![(condition.metric().to_string(), 1.0)],
            },
            Event::RunState { states, .. } => EventBody::State(match states.first() {
                Some(crate::model::RunState::Finished) => event::StateReport::Finished,
                Some(crate::model::RunState::Running) => event::StateReport::Running,
                _ => event::StateReport::Failed,
            }),
            Event::Artifact { kind, .. } => EventBody::Artifact {
                kind: if *kind == ArtifactEvent::UpdateAlias {
                    ArtifactEvent::AddAlias
                } else {
                    *kind
                },
                collection: event::CollectionRef {
                    entity,
                    project,
                    collection,
                },
                version: Some(1),
                alias: Some("prod".into()),
                tag: Some("sample-tag".into()),
                author: Some("wbauto-test".into()),
                metadata: serde_json::Map::new(),
            },
            Event::RunStalled { .. } => EventBody::Alive,
            Event::RunMetricNonfinite { metric, .. } => EventBody::Metric {
                step: Some(0),
                metrics: vec![(sample_key(metric), f64::NAN)],
            },
            Event::Raw { .. } => EventBody::State(event::StateReport::Finished),
        };
        let is_run = matches!(
            body,
            EventBody::Metric { .. } | EventBody::State(_) | EventBody::Alive
        );
        EngineEvent {
            run: run.filter(|_| is_run),
            body,
            time: Some(now),
        }
    }

    /// The request a test fire of `a` with `event` would send (`None`: a no-op, or why not).
    pub(crate) fn test_request(
        &self,
        a: &crate::model::Automation,
        event: &EngineEvent,
    ) -> Result<(String, Result<Option<request::Request>, String>), BackendError> {
        let integrations = self.with(|c| store::integrations(c))?;
        let id = execution_id();
        let firing = test_firing(a, event);
        let (status, error, request, shown) =
            decide(a, &integrations, event, &firing, &self.evaluator.limit, &id);
        let answer = match (status, request, shown) {
            (Status::InProgress, Some(r), _) => Ok(Some(r)),
            (Status::Success, _, _) => Ok(None),
            (_, _, Some(shown)) => Err(format!(
                "{}; it would send:\n{}",
                error.unwrap_or_default(),
                serde_json::to_string_pretty(&shown).unwrap_or_default()
            )),
            _ => Err(error.unwrap_or_default()),
        };
        Ok((id, answer))
    }

    /// Records a test execution of `a` (marked `test`) and queues its request, if any.
    pub(crate) fn record_test(
        &self,
        a: &crate::model::Automation,
        event: &EngineEvent,
        id: &str,
        request: Option<&request::Request>,
    ) -> Result<(), BackendError> {
        let firing = test_firing(a, event);
        let at = crate::backend::local::store::now();
        let run = event.run.as_ref().map(run_key);
        let record = NewExecution {
            id,
            automation: a,
            event_type: super::execution_event_type(a, event),
            run: run.as_deref(),
            step: firing.step,
            collection: event.collection_path(),
            values: None,
            status: if request.is_some() {
                Status::InProgress
            } else {
                Status::Success
            },
            error: None,
            test: true,
            shown: request.map(request::shown),
            at: &at,
        };
        let queued = request.map(|r| Queued {
            request: r,
            origin: "",
            due: now_ms(),
        });
        self.with(|c| store::insert_execution(c, &record, queued))
    }
}

/// A metric key a pattern matches: the pattern with `*` as `sample` and `?` as `x`.
fn sample_key(pattern: &str) -> String {
    pattern.replace('*', "sample").replace('?', "x")
}

/// The firing a test fire stands for: what the event carries, and for the local-only events
/// a sample of what they find (a stall as long as its bound, the metric's key as NaN).
fn test_firing(a: &crate::model::Automation, event: &EngineEvent) -> Firing {
    use crate::model::Event;
    let (step, values) = match &event.body {
        EventBody::Metric { step, metrics } => (*step, metrics.iter().map(|(_, v)| *v).collect()),
        _ => (None, Vec::new()),
    };
    let (step, finding) = match (&a.event, &event.body) {
        (Event::RunStalled { after, .. }, _) => (
            Some(step.unwrap_or(0)),
            Some(Finding::Stall {
                stalled_for: i64::try_from(after.secs()).unwrap_or(i64::MAX),
            }),
        ),
        (Event::RunMetricNonfinite { .. }, EventBody::Metric { metrics, .. }) => (
            step,
            metrics.first().map(|(metric, _)| Finding::Nonfinite {
                metric: metric.clone(),
            }),
        ),
        _ => (step, None),
    };
    Firing {
        automation: 0,
        step,
        time: event.time.unwrap_or(0),
        value: values.first().copied(),
        values,
        held: None,
        finding,
    }
}
