//! Automation history in the fake W&B: `triggerExecutions` at the query root (one automation), on
//! a project (`projectOnly`) and on an artifact collection, as Relay pages of at most 100
//! whatever `first` asks, with `totalCount` when asked, in the order executions were stored (not
//! newest first: W&B promises no order). Strict like the rest of the fake: the documents must
//! use the official client's aliases; a switch makes it a server older than the field, another
//! makes its cursors go round; `add_executions` makes N for timing.

use super::state::{Outcome, State, encode, error, ok, page_info, window};
use serde_json::{Map, Value, json};
use std::time::Duration;
use wbauto::model::IntegrationKind;

/// The most executions one page holds.
pub const PAGE_CAP: usize = 100;

/// An execution the fake serves: its node as W&B sends it, and where it belongs.
#[derive(Clone, Debug)]
pub struct FakeExecution {
    /// The `TriggerExecution` node, keys as the official client's aliases name them.
    pub node: Value,
    /// The automation's id (`None` once it was deleted).
    pub trigger_id: Option<String>,
    /// The project it happened in.
    pub project_id: String,
    /// The artifact collection of a collection-scoped automation.
    pub collection_id: Option<String>,
}

/// What the documents must say for the fake's answers to fit them (the SDK's aliases).
const REQUIRED: &[&str] = &[
    "on TriggerExecution",
    "automationID: triggerID",
    "automationName: triggerName",
    "triggeredAt: createdAt",
    "edges {",
    "pageInfo {",
];

/// One execution of the fixture, of a project of the team `acme`.
struct Fixture {
    /// The automation's name (looked up), or a deleted one's name when it fired.
    automation: &'static str,
    deleted: bool,
    at: String,
    state: &'static str,
    project: &'static str,
    event: Value,
    result: Value,
}

fn run_metric(kind: &str, run: &str, project: &str, metric: &str, values: &[f64]) -> Value {
    json!({"__typename": "TriggerEvent", "eventType": kind, "data": {"__typename": "RunMetricEventDetails",
        "runName": run, "projectName": project, "entityName": "acme", "metricName": metric, "metricValues": values}})
}

fn run_state(run: &str, project: &str, state: &str) -> Value {
    json!({"__typename": "TriggerEvent", "eventType": "RUN_STATE", "data": {"__typename": "RunStateEventDetails",
        "runName": run, "projectName": project, "entityName": "acme", "newRunState": state}})
}

/// An artifact event: `extra` is `("alias", "prod")`, `("tag", ...)` or none.
fn artifact(
    kind: &str,
    collection: &str,
    project: &str,
    version: i64,
    metadata: &str,
    extra: Option<(&str, &str)>,
) -> Value {
    let typename = match extra {
        Some(("alias", _)) => "ArtifactAliasEventDetails",
        Some(_) => "ArtifactTagEventDetails",
        None => "ArtifactEventDetails",
    };
    let mut data = json!({"__typename": typename, "artifactMetadata": metadata, "artifactVersionIndex": version,
        "artifactCollectionName": collection, "projectName": project, "entityName": "acme"});
    if let Some((key, value)) = extra {
        data[key] = json!(value);
    }
    json!({"__typename": "TriggerEvent", "eventType": kind, "data": data})
}

fn default_result(error: Option<&str>) -> Value {
    json!({"__typename": "TriggerResult", "resultType": "DEFAULT", "data": {"__typename": "DefaultTriggerResultDetails",
        "error": error.map(|m| json!({"__typename": "TriggerError", "message": m}))}})
}

fn http_result(status: i64, body: &str, error: Option<&str>) -> Value {
    json!({"__typename": "TriggerResult", "resultType": "HTTP_RESPONSE", "data": {"__typename": "HttpTriggerResultDetails",
        "error": error.map(|m| json!({"__typename": "TriggerError", "message": m})),
        "status": if status < 400 { "SUCCESS" } else { "FAILURE" }, "statusCode": status, "body": body}})
}

/// The demo team's executions: every kind of event and result, and the awkward cases (a deleted
/// automation, an unknown state, an unknown union member, a null event), times out of order.
fn fixture() -> Vec<Fixture> {
    let f = |automation, at: &str, state, project, event, result| Fixture {
        automation,
        deleted: false,
        at: at.to_string(),
        state,
        project,
        event,
        result,
    };
    vec![
        f(
            "loss-spike",
            "2026-03-01T10:00:00Z",
            "FINISHED",
            "vision",
            run_metric(
                "RUN_METRIC",
                "sweep-7",
                "vision",
                "loss",
                &[0.61, 0.58, 0.72, 0.55, 0.66],
            ),
            default_result(None),
        ),
        f(
            "failed-runs",
            "2026-03-01T09:00:00Z",
            "FINISHED",
            "speech",
            run_state("asr-3", "speech", "FAILED"),
            default_result(None),
        ),
        f(
            "training-finished",
            "2026-03-01T12:00:00Z",
            "FINISHED",
            "nlp",
            run_state("release-2", "nlp", "FINISHED"),
            http_result(200, "{\"ok\":true}", None),
        ),
        f(
            "training-finished",
            "2026-03-01T11:30:00Z",
            "FAILED",
            "nlp",
            run_state("release-1", "nlp", "FINISHED"),
            http_result(
                500,
                "upstream exploded",
                Some("the webhook answered HTTP 500"),
            ),
        ),
        f(
            "new-dataset-version",
            "2026-03-01T13:00:00Z",
            "PENDING",
            "vision",
            artifact(
                "CREATE_ARTIFACT",
                "imagenet-subset",
                "vision",
                3,
                "{\"rows\": 1000}",
                None,
            ),
            Value::Null,
        ),
        f(
            "deploy-on-prod-alias",
            "2026-03-01T08:00:00Z",
            "FINISHED",
            "vision",
            artifact(
                "ADD_ARTIFACT_ALIAS",
                "resnet-weights",
                "vision",
                7,
                "{}",
                Some(("alias", "prod")),
            ),
            http_result(204, "", None),
        ),
        f(
            "europe-tagged",
            "2026-03-01T07:00:00Z",
            "FINISHED",
            "nlp",
            artifact(
                "ADD_ARTIFACT_TAG",
                "tokenizer",
                "nlp",
                2,
                "{not json",
                Some(("tag", "europe-west")),
            ),
            http_result(200, "synced", None),
        ),
        Fixture {
            deleted: true,
            ..f(
                "old-loss-alert",
                "2026-03-01T06:00:00Z",
                "FINISHED",
                "vision",
                run_metric("RUN_METRIC", "sweep-2", "vision", "loss", &[0.9]),
                default_result(None),
            )
        },
        f(
            "gpu-too-hot",
            "2026-03-01T05:00:00Z",
            "CANCELLED",
            "speech",
            run_metric(
                "RUN_METRIC",
                "asr-big-1",
                "speech",
                "system.gpu.0.temp",
                &[86.0, 88.0],
            ),
            Value::Null,
        ),
        f(
            "accuracy-anomaly",
            "2026-03-01T04:00:00Z",
            "FINISHED",
            "vision",
            json!({"__typename": "TriggerEvent", "eventType": "RUN_METRIC_ZSCORE",
                   "data": {"__typename": "RunMetricZScoreEventDetails"}}),
            default_result(None),
        ),
        f(
            "loss-plateau",
            "2026-03-01T03:00:00Z",
            "FAILED",
            "nlp",
            Value::Null,
            default_result(Some("channel_not_found")),
        ),
        f(
            "loss-plateau",
            "2026-03-01T14:00:00Z",
            "FINISHED",
            "nlp",
            run_metric(
                "RUN_METRIC_CHANGE",
                "bert-base-4",
                "nlp",
                "val_loss",
                &[0.41, 0.44, 0.47],
            ),
            default_result(None),
        ),
    ]
}

/// When the demo's run `vis00N` (`sweep-N`) starts: it logs step `s` at this plus `s` seconds.
fn run_start(n: i64) -> i64 {
    1_780_000_000 + n * 60
}

impl State {
    /// The action a trigger has now, as an execution's `action` records it.
    fn fired_action(&self, action_type: &str, config: &Value) -> Value {
        let integration = |input: &Value| {
            let id = input["integrationID"].as_str().unwrap_or_default();
            self.integrations.iter().find(|i| i.id == id).map(|i| match &i.kind {
                IntegrationKind::Slack { team_name, channel, .. } => json!({"__typename": "SlackIntegration", "id": i.id, "teamName": team_name, "channelName": channel}),
                IntegrationKind::Webhook { name, url, .. } => json!({"__typename": "GenericWebhookIntegration", "id": i.id, "name": name, "urlEndpoint": url}),
            })
        };
        let data = match action_type {
            "NOTIFICATION" => {
                let input = &config["notificationActionInput"];
                json!({"__typename": "SlackNotificationActionArgs", "integration": integration(input),
                       "title": input["title"], "text": input["message"], "severity": input["severity"], "titleURL": null})
            }
            "GENERIC_WEBHOOK" => {
                let input = &config["genericWebhookActionInput"];
                json!({"__typename": "GenericWebhookActionArgs", "integration": integration(input), "requestPayload": input["requestPayload"]})
            }
            "QUEUE_JOB" => {
                let input = &config["queueJobActionInput"];
                json!({"__typename": "QueueJobActionArgs", "runSpec": input["template"], "priority": null})
            }
            _ => json!({"__typename": "NoOpActionArgs", "noOp": true}),
        };
        json!({"__typename": "TriggerAction", "actionType": action_type, "data": data})
    }

    /// The scope object of an execution of an automation scoped to `scope_id`.
    fn execution_scope(&self, scope_id: &str) -> Value {
        if let Some(c) = self.collections.iter().find(|c| c.id == scope_id) {
            let typename = if c.portfolio {
                "ArtifactPortfolio"
            } else {
                "ArtifactSequence"
            };
            return json!({"__typename": typename, "id": c.id, "name": c.name});
        }
        match self.projects.iter().find(|p| p.id == scope_id) {
            Some(p) => json!({"__typename": "Project", "id": p.id, "name": p.name}),
            None => Value::Null,
        }
    }

    fn project_id(&self, entity: &str, name: &str) -> Option<String> {
        self.projects
            .iter()
            .find(|p| p.entity == entity && p.name == name)
            .map(|p| p.id.clone())
    }

    /// Stores one execution of the automation named `automation` (or, `deleted`, of one that no
    /// longer exists: no id, and a Slack action as it was).
    fn add_execution(&mut self, f: Fixture) {
        let trigger = self
            .triggers
            .iter()
            .find(|t| !f.deleted && t.stored.name == f.automation);
        let project_id = self.project_id("acme", f.project).unwrap_or_default();
        let (trigger_id, scope, action, collection_id) = match trigger {
            Some(t) => (
                Some(t.stored.id.clone()),
                self.execution_scope(&t.scope_id),
                self.fired_action(&t.stored.action_type, &t.stored.action_config),
                self.collections
                    .iter()
                    .any(|c| c.id == t.scope_id)
                    .then(|| t.scope_id.clone()),
            ),
            None => (
                None,
                self.execution_scope(&project_id),
                json!({"__typename": "TriggerAction", "actionType": "NOTIFICATION", "data": {"__typename": "SlackNotificationActionArgs",
                    "integration": {"__typename": "SlackIntegration", "id": encode("Integration:0"), "teamName": "acme-ml", "channelName": "#ml-alerts"},
                    "title": "Loss is high", "text": "loss above 0.8", "severity": "WARN", "titleURL": null}}),
                None,
            ),
        };
        let id = encode(&format!("TriggerExecution:{}", self.executions.len() + 1));
        let node = json!({"__typename": "TriggerExecution", "id": id, "automationID": trigger_id, "automationName": f.automation,
            "triggeredAt": f.at, "state": f.state, "scope": scope, "event": f.event, "action": action, "result": f.result});
        self.executions.push(super::history::FakeExecution {
            node,
            trigger_id,
            project_id,
            collection_id,
        });
    }

    /// Seeds the demo team's executions (after its automations were created).
    pub fn seed_history(&mut self) {
        for f in fixture() {
            self.add_execution(f);
        }
    }

    /// Adds one finished execution of `automation` (a run-metric automation of acme/vision) on
    /// the run W&B names `run`, at `second` (Unix seconds), having judged `values` of loss.
    pub fn add_metric_execution(
        &mut self,
        automation: &'static str,
        run: &str,
        second: i64,
        values: &[f64],
    ) {
        let at = jiff::Timestamp::from_second(second)
            .map(|t| t.to_string())
            .unwrap_or_default();
        self.add_execution(Fixture {
            automation,
            deleted: false,
            at,
            state: "FINISHED",
            project: "vision",
            event: run_metric("RUN_METRIC", run, "vision", "loss", values),
            result: default_result(None),
        });
    }

    /// W&B's executions of `loss-spike` on two of the demo's runs, for judging: on `sweep-5`,
    /// whose loss spikes at step 150 (the evaluator fires at step 153), 7 s after it; on
    /// `vis006` (`sweep-6`), which never spikes, at its step 100. The run `vis00N` logs step `s`
    /// at [`run_start`]`(N) + s` seconds.
    pub fn add_judged_executions(&mut self) {
        self.add_metric_execution(
            "loss-spike",
            "sweep-5",
            run_start(5) + 160,
            &[0.13, 0.73, 0.73, 0.73, 0.73],
        );
        self.add_metric_execution("loss-spike", "vis006", run_start(6) + 100, &[0.2]);
    }

    /// Adds `n` executions of `automation` (a run-metric automation of acme/vision), every
    /// tenth failed with HTTP 500, at times in a scrambled order: for timing long histories.
    pub fn add_executions(&mut self, automation: &'static str, n: usize) {
        for i in 0..n {
            let second = 1_780_000_000 + (i * 7919 % n.max(1)) as i64;
            let at = jiff::Timestamp::from_second(second)
                .map(|t| t.to_string())
                .unwrap_or_default();
            let failed = i % 10 == 9;
            self.add_execution(Fixture {
                automation,
                deleted: false,
                at,
                state: if failed { "FAILED" } else { "FINISHED" },
                project: "vision",
                event: run_metric(
                    "RUN_METRIC",
                    &format!("sweep-{}", i % 50),
                    "vision",
                    "loss",
                    &[0.5 + (i % 7) as f64 / 10.0],
                ),
                result: if failed {
                    http_result(500, "busy", Some("the receiver answered HTTP 500"))
                } else {
                    default_result(None)
                },
            });
        }
    }

    /// A document's check, before anything is looked up: an older server does not know the
    /// field `triggerExecutions` on `on`, and the fake's answers fit only the SDK's aliases and
    /// the `scope` alias (`scoped`: the field the connection hangs from).
    fn check_history(&self, doc: &str, on: &str, scoped: Option<&str>) -> Result<(), Outcome> {
        if let Some(status) = self.history_missing {
            return Err(error(
                status,
                format!("Cannot query field \"triggerExecutions\" on type \"{on}\"."),
            ));
        }
        let scope = scoped.map(|field| format!("scope: {field}("));
        match REQUIRED
            .iter()
            .copied()
            .chain(scope.as_deref())
            .find(|r| !doc.contains(*r))
        {
            Some(missing) => Err(error(
                400,
                format!("the fake answers history documents that select {missing:?}"),
            )),
            None => Ok(()),
        }
    }

    /// One page of the executions `keep` selects.
    fn executions_page(
        &self,
        doc: &str,
        vars: &Map<String, Value>,
        keep: impl Fn(&FakeExecution) -> bool,
    ) -> Result<Value, Outcome> {
        let selected: Vec<&Value> = self
            .executions
            .iter()
            .filter(|e| keep(e))
            .map(|e| &e.node)
            .collect();
        let (start, end) = window(selected.len(), vars, PAGE_CAP)?;
        let mut info = page_info(end, selected.len());
        if self.history_cursors_loop && start >= 2 * (end - start) && end < selected.len() {
            info["endCursor"] = json!(encode(&format!("cursor:{}", end - start)));
        }
        let edges: Vec<Value> = selected[start..end]
            .iter()
            .map(|n| json!({"__typename": "TriggerExecutionEdge", "node": n}))
            .collect();
        let mut connection =
            json!({"__typename": "TriggerExecutionConnection", "pageInfo": info, "edges": edges});
        if doc.contains("totalCount") {
            connection["totalCount"] = json!(selected.len());
        }
        Ok(connection)
    }

    /// How long a history page waits before it is answered (`history_delay`).
    pub(super) fn history_page_delay(&self, operation: &str, body: &Value) -> Option<Duration> {
        let (from, delay) = self.history_delay?;
        let history = operation.ends_with("AutomationHistory");
        let cursor = body.pointer("/variables/cursor").unwrap_or(&Value::Null);
        let start = super::state::decode_cursor(cursor).ok()?;
        (history && start >= from).then_some(delay)
    }

    pub(super) fn automation_history(
        &self,
        doc: &str,
        vars: &Map<String, Value>,
    ) -> Result<Outcome, Outcome> {
        self.check_history(doc, "Query", None)?;
        let id = Self::var(vars, "id");
        if !self.triggers.iter().any(|t| t.stored.id == id) {
            return Ok(ok(json!({"triggerExecutions": null})));
        }
        let page = self.executions_page(doc, vars, |e| e.trigger_id.as_deref() == Some(id))?;
        Ok(ok(json!({"triggerExecutions": page})))
    }

    pub(super) fn project_history(
        &self,
        doc: &str,
        vars: &Map<String, Value>,
    ) -> Result<Outcome, Outcome> {
        self.check_history(doc, "Project", Some("project"))?;
        let project_only = match vars.get("projectOnly") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(error(
                    400,
                    format!("Variable \"$projectOnly\" got invalid value {other}"),
                ));
            }
        };
        let Some(id) = self.project_id(Self::var(vars, "entity"), Self::var(vars, "project"))
        else {
            return Ok(ok(json!({"scope": null})));
        };
        let page = self.executions_page(doc, vars, |e| {
            e.project_id == id && (!project_only || e.collection_id.is_none())
        })?;
        Ok(ok(
            json!({"scope": {"__typename": "Project", "triggerExecutions": page}}),
        ))
    }

    pub(super) fn collection_history(
        &self,
        doc: &str,
        vars: &Map<String, Value>,
    ) -> Result<Outcome, Outcome> {
        self.check_history(doc, "ArtifactCollection", Some("artifactCollection"))?;
        let id = Self::var(vars, "id");
        let Some(c) = self.collections.iter().find(|c| c.id == id) else {
            return Ok(ok(json!({"scope": null})));
        };
        let typename = if c.portfolio {
            "ArtifactPortfolio"
        } else {
            "ArtifactSequence"
        };
        let page = self.executions_page(doc, vars, |e| e.collection_id.as_deref() == Some(id))?;
        Ok(ok(
            json!({"scope": {"__typename": typename, "triggerExecutions": page}}),
        ))
    }
}
