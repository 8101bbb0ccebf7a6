//! W&B's automation history, `triggerExecutions`: the three documents the official client's
//! `automation_history()` sends (one automation, a project, an artifact collection; a narrower
//! selection, `__typename` in every selection set, the SDK's aliases), and one execution node read
//! into the history model defensively: whatever cannot be read is left unknown and noted, so a
//! node always gives a row and a page never fails because of one.

use crate::model::history::{Execution, FiredAction, Source, Status};
use crate::wire::ops::PAGE_INFO;
use crate::wire::runs::{metric_value, wandb_timestamp};
use serde_json::{Value, json};
use std::sync::LazyLock;

/// Where the connection is in the answer to [`AUTOMATION_HISTORY`].
pub const AUTOMATION_PATH: &[&str] = &["triggerExecutions"];
/// Where the connection is in the answers to [`PROJECT_HISTORY`] and [`COLLECTION_HISTORY`].
pub const SCOPE_PATH: &[&str] = &["scope", "triggerExecutions"];

/// The selection of one page of executions.
const CONNECTION: &str = "{\n  __typename\n  pageInfo {\n    __typename\n    ...PageInfoFields\n  }\n  edges {\n    __typename\n    node {\n      ...TriggerExecutionFields\n    }\n  }\n}";

/// One execution, with the event, the action as it was and the result.
const EXECUTION_FIELDS: &str = "fragment TriggerExecutionFields on TriggerExecution {
  __typename
  id
  automationID: triggerID
  automationName: triggerName
  triggeredAt: createdAt
  state
  scope {
    __typename
    ... on ArtifactSequence {
      name
    }
    ... on ArtifactPortfolio {
      name
    }
  }
  event {
    __typename
    eventType
    data {
      __typename
      ... on ArtifactEventDetails {
        artifactMetadata
        artifactVersionIndex
        artifactCollectionName
        projectName
        entityName
      }
      ... on ArtifactAliasEventDetails {
        artifactMetadata
        artifactVersionIndex
        artifactCollectionName
        projectName
        entityName
        alias
      }
      ... on ArtifactTagEventDetails {
        artifactMetadata
        artifactVersionIndex
        artifactCollectionName
        projectName
        entityName
        tag
      }
      ... on RunMetricEventDetails {
        runName
        projectName
        entityName
        metricName
        metricValues
      }
      ... on RunStateEventDetails {
        runName
        projectName
        entityName
        newRunState
      }
    }
  }
  action {
    __typename
    actionType
    data {
      __typename
      ... on SlackNotificationActionArgs {
        integration {
          __typename
          teamName
          channelName
        }
        title
        text
        severity
        titleURL
      }
      ... on GenericWebhookActionArgs {
        integration {
          __typename
          name
          urlEndpoint
        }
        requestPayload
      }
      ... on NoOpActionArgs {
        noOp
      }
      ... on QueueJobActionArgs {
        runSpec
        priority
      }
    }
  }
  result {
    __typename
    data {
      __typename
      ... on DefaultTriggerResultDetails {
        error {
          __typename
          message
        }
      }
      ... on HttpTriggerResultDetails {
        error {
          __typename
          message
        }
        statusCode
        body
      }
      ... on QueuedJobTriggerResultDetails {
        error {
          __typename
          message
        }
        runQueueItemID
      }
    }
  }
}
";

/// `text` with every line after the first indented by `by` spaces.
fn indent(text: &str, by: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(by)))
}

/// A history document: `signature` declares the operation, `scope` (if any) is the aliased
/// field the connection hangs from, `arguments` are the connection's.
fn document(signature: &str, scope: Option<&str>, arguments: &str) -> String {
    let field = match scope {
        None => format!("  triggerExecutions({arguments}) {}", indent(CONNECTION, 2)),
        Some(scope) => format!(
            "  scope: {scope} {{\n    __typename\n    triggerExecutions({arguments}) {}\n  }}",
            indent(CONNECTION, 4)
        ),
    };
    format!("query {signature} {{\n{field}\n}}\n\n{PAGE_INFO}\n{EXECUTION_FIELDS}")
}

/// `GetAutomationHistory`: one automation's executions, at the query root.
pub static AUTOMATION_HISTORY: LazyLock<String> = LazyLock::new(|| {
    document(
        "GetAutomationHistory($id: ID!, $cursor: String, $perPage: Int)",
        None,
        "triggerID: $id, after: $cursor, first: $perPage",
    )
});

/// `GetProjectAutomationHistory`: a project's executions; with `projectOnly: false` also those
/// of the automations of its artifact collections.
pub static PROJECT_HISTORY: LazyLock<String> = LazyLock::new(|| {
    document(
        "GetProjectAutomationHistory($project: String!, $entity: String!, $cursor: String, $perPage: Int, $projectOnly: Boolean = false)",
        Some("project(name: $project, entityName: $entity)"),
        "projectOnly: $projectOnly, after: $cursor, first: $perPage",
    )
});

/// `GetCollectionAutomationHistory`: an artifact collection's executions.
pub static COLLECTION_HISTORY: LazyLock<String> = LazyLock::new(|| {
    document(
        "GetCollectionAutomationHistory($id: ID!, $cursor: String, $perPage: Int)",
        Some("artifactCollection(id: $id)"),
        "after: $cursor, first: $perPage",
    )
});

/// The variables of [`AUTOMATION_HISTORY`] and [`COLLECTION_HISTORY`] (the pager adds `cursor`
/// and `perPage`).
pub fn id_variables(id: &str) -> Value {
    json!({"id": id})
}

/// The variables of [`PROJECT_HISTORY`]: the project with its collections' automations.
pub fn project_variables(entity: &str, project: &str) -> Value {
    json!({"entity": entity, "project": project, "projectOnly": false})
}

/// Whether a GraphQL error message says the server has no `triggerExecutions` field (a server
/// older than automation history). Validation errors quote the field's name; an error *at* the
/// field (say, a permission refused) names it in its path, unquoted, and is not this.
pub fn names_missing_field(message: &str) -> bool {
    message.contains("\"triggerExecutions\"")
}

/// A string field; a number is taken as its text (ids).
fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Moves a string field out (a receiver's body may be megabytes: it is not copied again).
fn take_text(v: &mut Value, key: &str) -> Option<String> {
    match v.get_mut(key).map(Value::take)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON-encoded string field as JSON, else as the text sent (with a note).
fn json_text(v: &Value, key: &str, what: &str, notes: &mut Vec<String>) -> Option<Value> {
    match v.get(key)? {
        Value::Null => None,
        Value::String(s) => Some(serde_json::from_str(s).unwrap_or_else(|_| {
            notes.push(format!("{what} is not JSON; kept as W&B sent it"));
            Value::String(s.clone())
        })),
        other => Some(other.clone()),
    }
}

/// An object field, `None` when missing or null.
fn object<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key).filter(|o| o.is_object())
}

fn typename(v: &Value) -> &str {
    v.get("__typename")
        .and_then(Value::as_str)
        .unwrap_or("an unnamed type")
}

const EVENT_DETAILS: &[&str] = &[
    "ArtifactEventDetails",
    "ArtifactAliasEventDetails",
    "ArtifactTagEventDetails",
    "RunMetricEventDetails",
    "RunStateEventDetails",
];

const RESULT_DETAILS: &[&str] = &[
    "DefaultTriggerResultDetails",
    "HttpTriggerResultDetails",
    "QueuedJobTriggerResultDetails",
];

/// The event's details: the run, metric and values, new state, artifact version, alias, tag.
fn read_event(e: &mut Execution, event: &Value) {
    e.event_type = text(event, "eventType");
    let Some(data) = object(event, "data") else {
        e.notes.push("W&B gave no details of the event".into());
        return;
    };
    if !EVENT_DETAILS.contains(&typename(data)) {
        e.notes.push(format!(
            "the event's details are a {}, which wbauto does not read",
            typename(data)
        ));
    }
    e.run = text(data, "runName");
    if let (Some(entity), Some(project)) = (text(data, "entityName"), text(data, "projectName")) {
        e.project = Some(format!("{entity}/{project}"));
    }
    e.metric = text(data, "metricName");
    e.metric_values = data
        .get("metricValues")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .map(|v| metric_value(v).unwrap_or(f64::NAN))
                .collect()
        });
    e.run_state = text(data, "newRunState");
    if let Some(name) = text(data, "artifactCollectionName") {
        e.collection = Some(name);
    }
    e.version = data
        .get("artifactVersionIndex")
        .and_then(Value::as_i64)
        .map(|i| format!("v{i}"));
    e.alias = text(data, "alias");
    e.tag = text(data, "tag");
    e.artifact_metadata = json_text(
        data,
        "artifactMetadata",
        "the artifact's metadata",
        &mut e.notes,
    );
}

/// The action as it was when it fired; without details, its kind from `actionType`.
fn read_action(action: &Value, notes: &mut Vec<String>) -> Option<FiredAction> {
    let Some(data) = object(action, "data") else {
        return match text(action, "actionType")?.as_str() {
            "NOTIFICATION" => Some(FiredAction::Slack {
                team: None,
                channel: None,
                title: None,
                text: None,
                severity: None,
                title_url: None,
            }),
            "GENERIC_WEBHOOK" => Some(FiredAction::Webhook {
                name: None,
                url: None,
                payload: None,
            }),
            "NO_OP" => Some(FiredAction::NoOp),
            "QUEUE_JOB" => Some(FiredAction::QueueJob {
                run_spec: None,
                priority: None,
            }),
            other => Some(FiredAction::Other { name: other.into() }),
        };
    };
    let integration = object(data, "integration").unwrap_or(&Value::Null);
    Some(match typename(data) {
        "SlackNotificationActionArgs" => FiredAction::Slack {
            team: text(integration, "teamName"),
            channel: text(integration, "channelName"),
            title: text(data, "title"),
            text: text(data, "text"),
            severity: text(data, "severity"),
            title_url: text(data, "titleURL"),
        },
        "GenericWebhookActionArgs" => FiredAction::Webhook {
            name: text(integration, "name"),
            url: text(integration, "urlEndpoint"),
            payload: text(data, "requestPayload"),
        },
        "NoOpActionArgs" => FiredAction::NoOp,
        "QueueJobActionArgs" => FiredAction::QueueJob {
            run_spec: json_text(data, "runSpec", "the job's run spec", notes),
            priority: data.get("priority").and_then(Value::as_i64),
        },
        other => FiredAction::Other {
            name: text(action, "actionType").unwrap_or_else(|| other.to_string()),
        },
    })
}

/// The answer: the HTTP status and body, the error, the queued run.
fn read_result(e: &mut Execution, result: &mut Value) {
    let Some(data) = result.get_mut("data").filter(|d| d.is_object()) else {
        return;
    };
    if !RESULT_DETAILS.contains(&typename(data)) {
        e.notes.push(format!(
            "the result is a {}, which wbauto does not read",
            typename(data)
        ));
    }
    e.error = data
        .get("error")
        .and_then(|err| text(err, "message"))
        .filter(|m| !m.is_empty());
    e.response_status = data.get("statusCode").and_then(Value::as_i64);
    e.response_body = take_text(data, "body");
    e.queue_item = text(data, "runQueueItemID");
}

/// One `TriggerExecution` node as W&B sent it. `project` (`ENTITY/PROJECT`) is the project the
/// history was asked of, used when the event does not name one.
pub fn execution(node: &str, project: Option<&str>) -> Execution {
    let mut e = Execution::unknown(Source::Wandb, Status::Other("unknown".into()));
    e.project = project.map(str::to_string);
    let mut v: Value = match serde_json::from_str(node) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            e.notes
                .push("W&B sent an execution that is not an object".into());
            return e;
        }
    };
    e.id = text(&v, "id");
    if e.id.is_none() {
        e.notes.push("W&B gave no id".into());
    }
    e.automation_id = text(&v, "automationID");
    e.automation_name = text(&v, "automationName");
    match text(&v, "state") {
        Some(state) => e.status = Status::from_wandb(&state),
        None => e.notes.push("W&B gave no state".into()),
    }
    match text(&v, "triggeredAt") {
        Some(t) => {
            e.created_at = wandb_timestamp(&t);
            if e.created_at.is_none() {
                e.notes
                    .push(format!("W&B's time {t:?} cannot be read; it sorts last"));
            }
        }
        None => e.notes.push("W&B gave no time; it sorts last".into()),
    }
    if let Some(scope) = object(&v, "scope")
        && matches!(typename(scope), "ArtifactSequence" | "ArtifactPortfolio")
    {
        e.collection = text(scope, "name");
    }
    match object(&v, "event") {
        Some(event) => read_event(&mut e, event),
        None => e.notes.push("W&B recorded no event for it".into()),
    }
    if let Some(action) = object(&v, "action") {
        e.action = read_action(action, &mut e.notes);
    }
    if let Some(result) = v.get_mut("result").filter(|r| r.is_object()) {
        read_result(&mut e, result);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(extra: Value) -> String {
        let mut base = json!({
            "__typename": "TriggerExecution", "id": "VHJpZ2dlckV4ZWN1dGlvbjox",
            "automationID": "VHJpZ2dlcjox", "automationName": "loss-spike",
            "triggeredAt": "2026-03-01T10:00:00Z", "state": "FINISHED",
            "scope": {"__typename": "Project"},
            "event": {"__typename": "TriggerEvent", "eventType": "RUN_METRIC", "data": {
                "__typename": "RunMetricEventDetails", "runName": "sweep-7", "projectName": "vision",
                "entityName": "acme", "metricName": "loss", "metricValues": [0.61, "NaN", 0.72]}},
            "action": {"__typename": "TriggerAction", "actionType": "NOTIFICATION", "data": {
                "__typename": "SlackNotificationActionArgs",
                "integration": {"__typename": "SlackIntegration", "teamName": "acme-ml", "channelName": "#ml-alerts"},
                "title": "Loss spiked", "text": "avg(loss) > 0.5", "severity": "WARN", "titleURL": null}},
            "result": {"__typename": "TriggerResult", "data": {
                "__typename": "DefaultTriggerResultDetails", "error": null}},
        });
        for (k, v) in extra.as_object().into_iter().flatten() {
            base[k] = v.clone();
        }
        base.to_string()
    }

    #[test]
    fn a_run_metric_execution_reads_whole() {
        let e = execution(&node(json!({})), None);
        assert_eq!(e.id.as_deref(), Some("VHJpZ2dlckV4ZWN1dGlvbjox"));
        assert_eq!(e.automation_name.as_deref(), Some("loss-spike"));
        assert_eq!(e.status, Status::Success);
        assert_eq!(e.event_type.as_deref(), Some("RUN_METRIC"));
        assert_eq!(e.run.as_deref(), Some("sweep-7"));
        assert_eq!(e.project.as_deref(), Some("acme/vision"));
        assert_eq!(e.metric.as_deref(), Some("loss"));
        let values = e.metric_values.clone().unwrap();
        assert_eq!((values[0], values[2]), (0.61, 0.72));
        assert!(values[1].is_nan());
        assert_eq!(
            e.created_at.map(|t| t.to_string()).as_deref(),
            Some("2026-03-01T10:00:00Z")
        );
        let Some(FiredAction::Slack {
            channel, severity, ..
        }) = &e.action
        else {
            panic!("a Slack action: {:?}", e.action)
        };
        assert_eq!(
            (channel.as_deref(), severity.as_deref()),
            (Some("#ml-alerts"), Some("WARN"))
        );
        assert_eq!(e.error, None);
        assert!(e.notes.is_empty(), "{:?}", e.notes);
    }

    #[test]
    fn an_http_result_keeps_a_megabyte_body_whole() {
        let body = "x".repeat(3 << 20);
        let e = execution(
            &node(
                json!({"state": "FAILED", "result": {"__typename": "TriggerResult", "data": {
                "__typename": "HttpTriggerResultDetails", "error": {"message": "HTTP 500"},
                "statusCode": 500, "body": body}}}),
            ),
            None,
        );
        assert_eq!(e.status, Status::Failed);
        assert_eq!(e.response_status, Some(500));
        assert_eq!(e.response_body.as_ref().map(String::len), Some(3 << 20));
        assert_eq!(e.error.as_deref(), Some("HTTP 500"));
    }

    #[test]
    fn what_cannot_be_read_is_left_unknown_and_noted() {
        let e = execution(
            &node(
                json!({"state": "CANCELLED", "automationID": null, "event": null,
                         "action": {"actionType": "PUSH_NOTIFICATION", "data": {"__typename": "PushNotificationActionArgs"}},
                         "result": null, "triggeredAt": "yesterday"}),
            ),
            Some("acme/nlp"),
        );
        assert_eq!(e.status, Status::Other("cancelled".into()));
        assert_eq!(e.automation_id, None);
        assert_eq!(e.automation_name.as_deref(), Some("loss-spike"));
        assert_eq!(e.event_type, None);
        assert_eq!(e.project.as_deref(), Some("acme/nlp"), "the asked project");
        assert_eq!(
            e.action,
            Some(FiredAction::Other {
                name: "PUSH_NOTIFICATION".into()
            })
        );
        assert_eq!(e.created_at, None);
        assert_eq!(e.notes.len(), 2, "{:?}", e.notes);
        assert!(e.notes[1].contains("no event"), "{:?}", e.notes);
        let not_object = execution("[1]", None);
        assert_eq!(not_object.id, None);
        assert_eq!(not_object.notes.len(), 1);
    }

    #[test]
    fn artifact_events_name_the_version_alias_tag_and_metadata() {
        let e = execution(
            &node(
                json!({"scope": {"__typename": "ArtifactSequence", "name": "tokenizer"},
                "event": {"eventType": "ADD_ARTIFACT_TAG", "data": {"__typename": "ArtifactTagEventDetails",
                "artifactMetadata": "{not json", "artifactVersionIndex": 2, "artifactCollectionName": null,
                "projectName": "nlp", "entityName": "acme", "tag": "europe-west"}},
                "action": {"actionType": "GENERIC_WEBHOOK", "data": null}}),
            ),
            None,
        );
        assert_eq!(e.collection.as_deref(), Some("tokenizer"), "from the scope");
        assert_eq!(e.version.as_deref(), Some("v2"));
        assert_eq!(e.tag.as_deref(), Some("europe-west"));
        assert_eq!(e.artifact_metadata, Some(json!("{not json")));
        assert_eq!(e.notes.len(), 1, "{:?}", e.notes);
        assert!(matches!(
            e.action,
            Some(FiredAction::Webhook { name: None, .. })
        ));
        let alias = execution(
            &node(
                json!({"event": {"eventType": "ADD_ARTIFACT_ALIAS", "data": {"__typename": "ArtifactAliasEventDetails",
                "artifactMetadata": "{\"rows\": 10}", "artifactVersionIndex": 7, "artifactCollectionName": "resnet-weights",
                "alias": "prod"}}}),
            ),
            None,
        );
        assert_eq!(alias.alias.as_deref(), Some("prod"));
        assert_eq!(alias.collection.as_deref(), Some("resnet-weights"));
        assert_eq!(alias.artifact_metadata, Some(json!({"rows": 10})));
    }

    #[test]
    fn an_unknown_event_kind_keeps_the_rest_of_the_row() {
        let e = execution(
            &node(
                json!({"event": {"eventType": "WEAVE_METRIC_THRESHOLD", "data": {"__typename": "WeaveEventDetails"}}}),
            ),
            None,
        );
        assert_eq!(e.event_type.as_deref(), Some("WEAVE_METRIC_THRESHOLD"));
        assert_eq!(e.status, Status::Success);
        assert!(e.notes[0].contains("WeaveEventDetails"), "{:?}", e.notes);
    }

    #[test]
    fn the_documents_follow_the_sdk_names_and_ask_every_typename() {
        for (doc, name) in [
            (&*AUTOMATION_HISTORY, "GetAutomationHistory"),
            (&*PROJECT_HISTORY, "GetProjectAutomationHistory"),
            (&*COLLECTION_HISTORY, "GetCollectionAutomationHistory"),
        ] {
            assert_eq!(crate::wire::ops::operation_name(doc), Some(name));
            let opened = doc.matches('{').count();
            let typenames = doc.matches("__typename").count();
            // Every selection set asks `__typename` but three (the operation's own; `node`,
            // whose fragment asks it; the `PageInfoFields` fragment, whose spread's set asks
            // it) and the inline `... on` sets (whose union's set asks it).
            let inline = doc.matches("... on ").count();
            assert_eq!(opened, typenames + inline + 3, "{doc}");
        }
        assert!(PROJECT_HISTORY.contains("scope: project("));
        assert!(COLLECTION_HISTORY.contains("scope: artifactCollection("));
        assert!(names_missing_field(
            "Cannot query field \"triggerExecutions\" on type \"Project\"."
        ));
        assert!(!names_missing_field(
            "permission denied (at scope.triggerExecutions)"
        ));
    }
}
