//! Golden tests: every encoding example of the wire spec (sections 2, 4), byte for byte.

use serde_json::{Value, json};
use std::collections::HashMap;
use wbauto::file::{Format, parse_text};
use wbauto::model::{Action, Automation, Event};
use wbauto::wire::encode::{action_config, create_input, event_filter, update_input};
use wbauto::wire::parse::{ParseContext, parse_event, parse_trigger};
use wbauto::wire::saved::{input_filter, saved_filter};

/// An automation from a file snippet, with its scope and integration resolved to the given ids.
fn automation(
    scope: &str,
    event: &str,
    action: &str,
    scope_id: &str,
    integration_id: &str,
) -> Automation {
    let text = format!("name: n\nscope: {{{scope}}}\nevent: {event}\naction: {action}\n");
    let mut a = parse_text(&text, Format::Yaml)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .remove(0);
    a.scope.id = Some(scope_id.into());
    if let Some(i) = a.action.integration_mut() {
        i.id = Some(integration_id.into());
    }
    a
}

fn event(scope: &str, event: &str) -> Event {
    automation(scope, event, "{type: no_op}", "S", "I").event
}

const COLLECTION: &str = "collection: acme/vision/resnet";
const PROJECT: &str = "project: acme/vision";

#[test]
fn mutation_event_filters() {
    let cases = [
        (
            "{type: link_artifact, filter: {alias: staging}}",
            r#"{"$or":[{"$and":[{"alias":{"$eq":"staging"}}]}]}"#,
        ),
        ("{type: unlink_artifact}", r#"{"$or":[{"$and":[]}]}"#),
        (
            "{type: add_artifact_alias, filter: {alias: {$regex: ^prod$}}}",
            r#"{"$or":[{"$and":[{"alias":{"$regex":"^prod$"}}]}]}"#,
        ),
        ("{type: create_artifact}", r#"{"$or":[{"$and":[]}]}"#),
        (
            "{type: add_artifact_tag, filter: {tag: {$regex: ^europe.*}}}",
            r#"{"$or":[{"$and":[{"tag":{"$regex":"^europe.*"}}]}]}"#,
        ),
        (
            "{type: remove_artifact_tag, filter: {tag: deprecated}}",
            r#"{"$or":[{"$and":[{"tag":{"$eq":"deprecated"}}]}]}"#,
        ),
        (
            "{type: add_collection_tag, filter: {tag: {$in: [gold, silver]}}}",
            r#"{"$or":[{"$and":[{"tag":{"$in":["gold","silver"]}}]}]}"#,
        ),
        ("{type: remove_collection_tag}", r#"{"$or":[{"$and":[]}]}"#),
        (
            "{type: add_artifact_alias, filter: {$and: [{alias: a}, {tag: b}]}}",
            r#"{"$or":[{"$and":[{"alias":{"$eq":"a"}},{"tag":{"$eq":"b"}}]}]}"#,
        ),
        (
            "{type: add_artifact_alias, filter: {$or: [{alias: a}, {alias: b}]}}",
            r#"{"$or":[{"$and":[{"$or":[{"alias":{"$eq":"a"}},{"alias":{"$eq":"b"}}]}]}]}"#,
        ),
    ];
    for (file, wire) in cases {
        let e = event(COLLECTION, file);
        assert_eq!(event_filter(&e).unwrap(), wire, "{file}");
        let kind = e.wire_type().to_string();
        assert_eq!(
            parse_event(&kind, &saved_filter(&kind, wire)),
            e,
            "parse back {file}"
        );
    }
}

#[test]
fn run_event_filters() {
    let cases = [
        (
            "{type: run_metric_threshold, metric: loss, agg: avg, window: 5, cmp: '>', threshold: 0.5, run_filter: {display_name: {$contains: sweep}}}",
            r#"{"run_filter":"{\"$and\":[{\"display_name\":{\"$contains\":\"sweep\"}}]}","run_metric_filter":{"threshold_filter":{"name":"loss","agg_op":"AVERAGE","window_size":5,"cmp_op":"$gt","threshold":0.5}},"metric_filter":null}"#,
        ),
        (
            "{type: run_metric_threshold, metric: acc, cmp: '<=', threshold: 3, run_filter: {display_name: {$regex: ^exp-}}}",
            r#"{"run_filter":"{\"$and\":[{\"display_name\":{\"$regex\":\"^exp-\"}}]}","run_metric_filter":{"threshold_filter":{"name":"acc","agg_op":null,"window_size":1,"cmp_op":"$lte","threshold":3}},"metric_filter":null}"#,
        ),
        (
            "{type: run_metric_change, metric: loss, agg: avg, window: 10, direction: decrease, change: relative, amount: 0.25}",
            r#"{"run_filter":"{\"$and\":[]}","run_metric_filter":{"change_filter":{"name":"loss","agg_op":"AVERAGE","current_window_size":10,"change_amount":0.25,"prior_window_size":10,"change_type":"RELATIVE","change_dir":"DECREASE"}},"metric_filter":null}"#,
        ),
        (
            "{type: run_metric_change, metric: loss, direction: any, change: absolute, amount: 2}",
            r#"{"run_filter":"{\"$and\":[]}","run_metric_filter":{"change_filter":{"name":"loss","agg_op":null,"current_window_size":1,"change_amount":2,"prior_window_size":1,"change_type":"ABSOLUTE","change_dir":"ANY"}},"metric_filter":null}"#,
        ),
        (
            // Like every number, the threshold keeps the type written: the SDK sends 2 for 2.
            "{type: run_metric_zscore, metric: accuracy, threshold: 2}",
            r#"{"run_filter":"{\"$and\":[]}","run_metric_filter":{"zscore_filter":{"name":"accuracy","window_size":30,"threshold":2,"change_dir":"ANY"}},"metric_filter":null}"#,
        ),
        (
            "{type: run_metric_zscore, metric: accuracy, threshold: 2.0}",
            r#"{"run_filter":"{\"$and\":[]}","run_metric_filter":{"zscore_filter":{"name":"accuracy","window_size":30,"threshold":2.0,"change_dir":"ANY"}},"metric_filter":null}"#,
        ),
        (
            "{type: run_state, states: [finished, crashed, FAILED]}",
            r#"{"run_filter":"{\"$and\":[]}","run_state_filter":{"states":["FAILED","FINISHED"]}}"#,
        ),
        (
            "{type: run_state, states: [running], run_filter: {display_name: {$contains: my-run}}}",
            r#"{"run_filter":"{\"$and\":[{\"display_name\":{\"$contains\":\"my-run\"}}]}","run_state_filter":{"states":["RUNNING"]}}"#,
        ),
    ];
    for (file, wire) in cases {
        let e = event(PROJECT, file);
        assert_eq!(event_filter(&e).unwrap(), wire, "{file}");
        assert_eq!(parse_event(e.wire_type(), wire), e, "parse back {file}");
    }
}

#[test]
fn action_configs() {
    let slack = automation(
        PROJECT,
        "{type: run_state, states: [failed]}",
        "{type: slack, integration: '#training-alerts', title: Loss too high, message: Average loss over the last 5 steps exceeded 0.5, severity: WARN}",
        "S",
        "SW50ZWdyYXRpb246NDM=",
    );
    assert_eq!(
        action_config(&slack.action).unwrap().to_string(),
        r#"{"notificationActionInput":{"integrationID":"SW50ZWdyYXRpb246NDM=","message":"Average loss over the last 5 steps exceeded 0.5","severity":"WARN","title":"Loss too high"}}"#
    );
    let hook = automation(
        PROJECT,
        "{type: run_state, states: [failed]}",
        r#"{type: webhook, integration: ci, payload: {"event_type": "${event_type}", "author": "${event_author}"}}"#,
        "S",
        "SW50ZWdyYXRpb246NDI=",
    );
    assert_eq!(
        action_config(&hook.action).unwrap(),
        json!({"genericWebhookActionInput": {"integrationID": "SW50ZWdyYXRpb246NDI=", "requestPayload": "{\"event_type\":\"${event_type}\",\"author\":\"${event_author}\"}"}})
    );
    let bare = automation(
        PROJECT,
        "{type: run_state, states: [failed]}",
        "{type: webhook, integration: ci}",
        "S",
        "W",
    );
    assert_eq!(
        action_config(&bare.action).unwrap().to_string(),
        r#"{"genericWebhookActionInput":{"integrationID":"W"}}"#
    );
    assert_eq!(
        action_config(&Action::NoOp).unwrap().to_string(),
        r#"{"noOpActionInput":{"noOp":true}}"#
    );
    let defaults = automation(
        PROJECT,
        "{type: run_state, states: [failed]}",
        "{type: slack, integration: '#a'}",
        "S",
        "I",
    );
    assert_eq!(
        action_config(&defaults.action).unwrap().to_string(),
        r#"{"notificationActionInput":{"integrationID":"I","message":"","severity":"INFO","title":""}}"#
    );
}

#[test]
fn create_input_of_section_2_5() {
    let mut a = automation(
        COLLECTION,
        "{type: add_artifact_alias, filter: {alias: {$regex: ^prod$}}}",
        r#"{type: webhook, integration: ci-deploy, payload: {"event_type": "BUILD_AND_DEPLOY", "client_payload": {"artifact_version_string": "${artifact_version_string}", "event_author": "${event_author}"}}}"#,
        "QXJ0aWZhY3RDb2xsZWN0aW9uOjk4NzY1",
        "SW50ZWdyYXRpb246NDI=",
    );
    a.name = "deploy-on-prod-alias".into();
    a.description = Some("POST to CI when a version gets the prod alias".into());
    let expected = json!({
        "description": "POST to CI when a version gets the prod alias",
        "enabled": true,
        "eventFilter": "{\"$or\":[{\"$and\":[{\"alias\":{\"$regex\":\"^prod$\"}}]}]}",
        "name": "deploy-on-prod-alias",
        "scopeID": "QXJ0aWZhY3RDb2xsZWN0aW9uOjk4NzY1",
        "scopeType": "ARTIFACT_COLLECTION",
        "triggeredActionConfig": {
            "genericWebhookActionInput": {
                "integrationID": "SW50ZWdyYXRpb246NDI=",
                "requestPayload": "{\"event_type\":\"BUILD_AND_DEPLOY\",\"client_payload\":{\"artifact_version_string\":\"${artifact_version_string}\",\"event_author\":\"${event_author}\"}}"
            }
        },
        "triggeredActionType": "GENERIC_WEBHOOK",
        "triggeringEventType": "ADD_ARTIFACT_ALIAS"
    });
    let got = create_input(&a).unwrap();
    assert_eq!(got, expected);
    // Keys are sorted, as W&B's core re-encodes them.
    let keys: Vec<&String> = got.as_object().unwrap().keys().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn full_create_request_of_section_4_6() {
    let mut a = automation(
        PROJECT,
        "{type: run_state, states: [failed]}",
        "{type: slack, integration: '#training-alerts'}",
        "UHJvamVjdDp2MTpteS1wcm9qZWN0Om15LXRlYW0=",
        "SW50ZWdyYXRpb246NDM=",
    );
    a.name = "run-failure-alert".into();
    a.description = Some("Notify the team when a run fails.".into());
    assert_eq!(
        create_input(&a).unwrap(),
        json!({
            "enabled": true,
            "eventFilter": "{\"run_filter\":\"{\\\"$and\\\":[]}\",\"run_state_filter\":{\"states\":[\"FAILED\"]}}",
            "name": "run-failure-alert",
            "description": "Notify the team when a run fails.",
            "scopeID": "UHJvamVjdDp2MTpteS1wcm9qZWN0Om15LXRlYW0=",
            "scopeType": "PROJECT",
            "triggeredActionConfig": {"notificationActionInput": {"integrationID": "SW50ZWdyYXRpb246NDM=", "message": "", "severity": "INFO", "title": ""}},
            "triggeredActionType": "NOTIFICATION",
            "triggeringEventType": "RUN_STATE"
        })
    );
}

/// The two saved triggers of wire spec section 2.0.
fn saved_examples() -> [Value; 2] {
    [
        json!({
            "__typename": "Trigger", "id": "VHJpZ2dlcjoxMjM0NQ==", "createdAt": "2025-11-03T17:42:10Z", "updatedAt": "2025-11-05T09:01:44Z",
            "name": "deploy-on-prod-alias", "description": "POST to CI when a version gets the prod alias", "enabled": true,
            "scope": {"__typename": "ArtifactPortfolio", "id": "QXJ0aWZhY3RDb2xsZWN0aW9uOjk4NzY1", "name": "my-model"},
            "event": {"__typename": "FilterEventTriggeringCondition", "eventType": "ADD_ARTIFACT_ALIAS",
                      "filter": "{\"filter\":\"{\\\"$or\\\":[{\\\"$and\\\":[{\\\"alias\\\":{\\\"$regex\\\":\\\"^prod$\\\"}}]}]}\"}"},
            "action": {"__typename": "GenericWebhookTriggeredAction",
                       "integration": {"__typename": "GenericWebhookIntegration", "id": "SW50ZWdyYXRpb246NDI=", "name": "ci-deploy", "urlEndpoint": "https://ci.example.com/hooks/wandb"},
                       "requestPayload": "{\"event_type\":\"BUILD_AND_DEPLOY\",\"client_payload\":{\"artifact_version_string\":\"${artifact_version_string}\",\"event_author\":\"${event_author}\"}}"}
        }),
        json!({
            "__typename": "Trigger", "id": "VHJpZ2dlcjoxMjM0Ng==", "createdAt": "2025-11-04T08:00:00Z", "updatedAt": null,
            "name": "loss-too-high", "description": null, "enabled": true,
            "scope": {"__typename": "Project", "id": "UHJvamVjdDp2MTpteS1wcm9qZWN0Om15LXRlYW0=", "name": "my-project"},
            "event": {"__typename": "FilterEventTriggeringCondition", "eventType": "RUN_METRIC",
                      "filter": "{\"run_filter\":\"{\\\"$and\\\":[{\\\"display_name\\\":{\\\"$contains\\\":\\\"sweep\\\"}}]}\",\"run_metric_filter\":{\"threshold_filter\":{\"name\":\"loss\",\"agg_op\":\"AVERAGE\",\"window_size\":5,\"cmp_op\":\"$gt\",\"threshold\":0.5}},\"metric_filter\":null}"},
            "action": {"__typename": "NotificationTriggeredAction",
                       "integration": {"__typename": "SlackIntegration", "id": "SW50ZWdyYXRpb246NDM=", "teamName": "acme-ml", "channelName": "#training-alerts"},
                       "title": "Loss too high", "message": "Average loss over the last 5 steps exceeded 0.5", "severity": "WARN"}
        }),
    ]
}

#[test]
fn saved_triggers_of_section_2_0_parse_and_re_encode_as_the_update_of_section_2_6() {
    let paths = HashMap::new();
    let ctx = ParseContext {
        entity: "my-team",
        paths: &paths,
    };
    let [alias, metric] = saved_examples();
    let alias = parse_trigger(&alias, &ctx).unwrap();
    assert!(
        matches!(alias.event, Event::Artifact { .. }),
        "{:?}",
        alias.event
    );
    assert_eq!(
        alias.scope.path.to_string(),
        "collection my-team/?/my-model"
    );
    assert_eq!(alias.updated_at.as_deref(), Some("2025-11-05T09:01:44Z"));

    let mut metric = parse_trigger(&metric, &ctx).unwrap();
    assert_eq!(metric.scope.path.to_string(), "project my-team/my-project");
    assert_eq!(metric.description, None);
    metric.enabled = false;
    assert_eq!(
        update_input(&metric).unwrap(),
        json!({
            "enabled": false,
            "eventFilter": "{\"run_filter\":\"{\\\"$and\\\":[{\\\"display_name\\\":{\\\"$contains\\\":\\\"sweep\\\"}}]}\",\"run_metric_filter\":{\"threshold_filter\":{\"name\":\"loss\",\"agg_op\":\"AVERAGE\",\"window_size\":5,\"cmp_op\":\"$gt\",\"threshold\":0.5}},\"metric_filter\":null}",
            "id": "VHJpZ2dlcjoxMjM0Ng==",
            "name": "loss-too-high",
            "scopeID": "UHJvamVjdDp2MTpteS1wcm9qZWN0Om15LXRlYW0=",
            "scopeType": "PROJECT",
            "triggeredActionConfig": {"notificationActionInput": {"integrationID": "SW50ZWdyYXRpb246NDM=", "message": "Average loss over the last 5 steps exceeded 0.5", "severity": "WARN", "title": "Loss too high"}},
            "triggeredActionType": "NOTIFICATION",
            "triggeringEventType": "RUN_METRIC"
        })
    );
}

#[test]
fn saved_filters_of_section_4_3_in_both_inner_forms() {
    let as_string = r#"{"filter":"{\"$or\":[{\"$and\":[{\"alias\":{\"$regex\":\"^prod$\"}}]}]}"}"#;
    let as_object = r#"{"filter":{"$or":[{"$and":[{"alias":{"$eq":"latest"}}]}]}}"#;
    for saved in [as_string, as_object] {
        let e = parse_event("ADD_ARTIFACT_ALIAS", saved);
        assert!(
            matches!(
                e,
                Event::Artifact {
                    filter: Some(_),
                    ..
                }
            ),
            "{saved}: {e:?}"
        );
    }
    assert_eq!(
        input_filter("ADD_ARTIFACT_ALIAS", as_string).unwrap(),
        r#"{"$or":[{"$and":[{"alias":{"$regex":"^prod$"}}]}]}"#
    );
    assert_eq!(
        input_filter("ADD_ARTIFACT_ALIAS", "{}").unwrap(),
        r#"{"$and":[]}"#
    );
    assert!(matches!(
        parse_event("CREATE_ARTIFACT", "{}"),
        Event::Artifact { filter: None, .. }
    ));
    let run_object =
        r#"{"run_filter":{"$and":[]},"run_state_filter":{"states":["FAILED","FINISHED"]}}"#;
    assert!(matches!(
        parse_event("RUN_STATE", run_object),
        Event::RunState { .. }
    ));
    for saved in [
        r#"{"run_filter":"{\"$and\":[]}","run_metric_filter":{"change_filter":{"name":"loss","agg_op":"AVERAGE","current_window_size":10,"change_amount":0.25,"prior_window_size":10,"change_type":"RELATIVE","change_dir":"DECREASE"}},"metric_filter":null}"#,
        r#"{"run_filter":"{\"$and\":[]}","run_metric_filter":{"zscore_filter":{"name":"accuracy","window_size":30,"threshold":2.0,"change_dir":"ANY"}},"metric_filter":null}"#,
    ] {
        let ty = if saved.contains("change_filter") {
            "RUN_METRIC_CHANGE"
        } else {
            "RUN_METRIC_ZSCORE"
        };
        assert!(
            matches!(parse_event(ty, saved), Event::RunMetric { .. }),
            "{saved}"
        );
    }
}

#[test]
fn unknown_and_odd_shapes_are_kept_raw_byte_for_byte() {
    let odd = [
        ("WEAVE_METRIC_THRESHOLD", r#"{"weave":{"x":1}}"#),
        // The SDK's lossy fixture: a change filter with the wrong key.
        (
            "RUN_METRIC_CHANGE",
            r#"{"run_filter":"{\"$and\":[]}","run_metric_filter":{"change_filter":{"name":"loss","window_size":5,"change_type":"ABSOLUTE","change_dir":"ANY","change_amount":1}},"metric_filter":null}"#,
        ),
        // A legacy filter with only metric_filter.
        ("RUN_METRIC", r#"{"metric_filter":"{\"name\":\"loss\"}"}"#),
        // A metric filter that does not match its event type.
        (
            "RUN_METRIC",
            r#"{"run_filter":"{\"$and\":[]}","run_metric_filter":{"zscore_filter":{"name":"a","window_size":3,"threshold":2.0,"change_dir":"ANY"}}}"#,
        ),
        // Two branches under $or: not the wrapping the SDK writes.
        (
            "ADD_ARTIFACT_ALIAS",
            r#"{"filter":"{\"$or\":[{\"$and\":[]},{\"$and\":[]}]}"}"#,
        ),
        ("RUN_STATE", "not json"),
    ];
    for (ty, filter) in odd {
        assert_eq!(
            parse_event(ty, filter),
            Event::Raw {
                event_type: ty.into(),
                filter: filter.into()
            },
            "{ty} {filter}"
        );
    }
}

#[test]
fn unknown_actions_are_kept_raw_and_listed() {
    let paths = HashMap::new();
    let ctx = ParseContext {
        entity: "t",
        paths: &paths,
    };
    let [mut t, _] = saved_examples();
    for (action, ty) in [
        (
            json!({"__typename": "QueueJobTriggeredAction", "queue": {"id": "q", "name": "gpu"}, "template": "{}"}),
            "QUEUE_JOB",
        ),
        (
            json!({"__typename": "PushNotificationTriggeredAction"}),
            "PUSH_NOTIFICATION",
        ),
        (
            json!({"__typename": "AriaTriggeredAction", "prompt": "hi"}),
            "ARIA",
        ),
        (json!({}), "UNKNOWN"),
    ] {
        t["action"] = action.clone();
        let a = parse_trigger(&t, &ctx).unwrap();
        assert_eq!(
            a.action,
            Action::Raw {
                action_type: ty.into(),
                action
            }
        );
        assert!(a.read_only_reason().is_some());
        assert!(update_input(&a).is_err());
    }
}
