//! Property tests: whatever the model can express survives encoding and parsing unchanged.

use proptest::prelude::*;
use serde_json::{Map, Number, Value, json};
use std::collections::HashMap;
use wbauto::file::read::from_document;
use wbauto::file::to_value;
use wbauto::model::expr::{Expr, normalize};
use wbauto::model::{
    Action, Agg, ArtifactEvent, Automation, ChangeType, Cmp, Direction, Event, IntegrationRef,
    MetricCondition, RunState, Scope, ScopePath, Severity, TimeSpan,
};
use wbauto::wire::encode::{action_config, create_input, event_filter};
use wbauto::wire::parse::{ParseContext, parse_event, parse_trigger};
use wbauto::wire::saved::{StoredTrigger, saved_filter, stored_automation, trigger_json};

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,12}"
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i32>().prop_map(Number::from),
        (-1.0e6f64..1.0e6).prop_map(|f| Number::from_f64(f).unwrap()),
    ]
}

fn positive_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        (1u32..1000).prop_map(Number::from),
        (0.001f64..100.0).prop_map(|f| Number::from_f64(f).unwrap())
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(Value::String),
        number().prop_map(Value::Number),
        any::<bool>().prop_map(Value::Bool)
    ]
}

fn condition(fields: &'static [&'static str]) -> impl Strategy<Value = Expr> {
    let field = prop::sample::select(fields);
    let op = prop_oneof![
        scalar().prop_map(|v| ("$eq", v)),
        scalar().prop_map(|v| ("$ne", v)),
        number().prop_map(|n| ("$gt", Value::Number(n))),
        number().prop_map(|n| ("$lte", Value::Number(n))),
        prop::collection::vec(scalar(), 0..3).prop_map(|v| ("$in", Value::Array(v))),
        prop::collection::vec(scalar(), 0..3).prop_map(|v| ("$nin", Value::Array(v))),
        text().prop_map(|s| ("$regex", Value::String(s))),
        text().prop_map(|s| ("$contains", Value::String(s))),
        any::<bool>().prop_map(|b| ("$exists", Value::Bool(b))),
    ];
    (field, op).prop_map(|(f, (op, v))| Expr::field(f, op, v))
}

fn expr(fields: &'static [&'static str]) -> impl Strategy<Value = Option<Expr>> {
    let leaf = condition(fields);
    let tree = leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Expr::And),
            prop::collection::vec(inner.clone(), 1..4).prop_map(Expr::Or),
            prop::collection::vec(inner.clone(), 1..4).prop_map(Expr::Nor),
            inner.prop_map(|e| Expr::Not(Box::new(e))),
        ]
    });
    prop::option::of(tree).prop_map(normalize)
}

fn agg() -> impl Strategy<Value = Option<Agg>> {
    prop::option::of(prop::sample::select(Agg::ALL.to_vec()))
}

fn direction() -> impl Strategy<Value = Direction> {
    prop::sample::select(Direction::ALL.to_vec())
}

fn metric_condition() -> impl Strategy<Value = MetricCondition> {
    prop_oneof![
        (
            text(),
            agg(),
            1i64..500,
            prop::sample::select(Cmp::ALL.to_vec()),
            number()
        )
            .prop_map(
                |(metric, agg, window, cmp, threshold)| MetricCondition::Threshold {
                    metric,
                    agg,
                    window,
                    cmp,
                    threshold
                }
            ),
        (
            text(),
            agg(),
            1i64..500,
            1i64..500,
            direction(),
            prop::sample::select(ChangeType::ALL.to_vec()),
            positive_number()
        )
            .prop_map(
                |(metric, agg, window, prior_window, direction, change, amount)| {
                    MetricCondition::Change {
                        metric,
                        agg,
                        window,
                        prior_window,
                        direction,
                        change,
                        amount,
                    }
                }
            ),
        (text(), 1i64..500, 0.01f64..50.0, any::<bool>(), direction()).prop_map(
            |(metric, window, threshold, whole, direction)| MetricCondition::ZScore {
                metric,
                window,
                // Whole thresholds stay integers, as written (`3` is sent as `3`).
                threshold: if whole {
                    serde_json::Number::from(threshold.ceil() as i64)
                } else {
                    serde_json::Number::from_f64(threshold).unwrap()
                },
                direction
            }
        ),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    const RUN: &[&str] = &["display_name"];
    const ARTIFACT: &[&str] = &["alias", "tag"];
    prop_oneof![
        (expr(RUN), metric_condition()).prop_map(|(run_filter, condition)| Event::RunMetric {
            run_filter,
            condition
        }),
        (
            expr(RUN),
            prop::sample::subsequence(RunState::ALL.to_vec(), 1..=3)
        )
            .prop_map(|(run_filter, states)| Event::RunState { run_filter, states }),
        (
            prop::sample::select(ArtifactEvent::ALL.to_vec()),
            expr(ARTIFACT)
        )
            .prop_map(|(kind, filter)| Event::Artifact { kind, filter }),
        (
            expr(RUN),
            60u64..=30 * 86_400,
            any::<bool>(),
            prop_oneof![
                (1u32..100).prop_map(Number::from),
                (1.0f64..50.0).prop_map(|f| Number::from_f64(f).unwrap())
            ]
        )
            .prop_map(|(run_filter, secs, adaptive, factor)| Event::RunStalled {
                run_filter,
                after: TimeSpan::from_secs(secs),
                adaptive,
                factor
            }),
        (expr(RUN), text())
            .prop_map(|(run_filter, metric)| Event::RunMetricNonfinite { run_filter, metric }),
    ]
}

fn payload() -> impl Strategy<Value = Option<Map<String, Value>>> {
    prop::option::of(
        prop::collection::vec((text(), scalar()), 0..4)
            .prop_map(|kv| kv.into_iter().collect::<Map<_, _>>()),
    )
}

fn action() -> impl Strategy<Value = Action> {
    let slack = (text(), text(), prop::sample::select(Severity::ALL.to_vec())).prop_map(
        |(title, message, severity)| Action::Slack {
            integration: IntegrationRef {
                id: Some("SW50ZWdyYXRpb246MQ==".into()),
                entity: None,
                label: "#ch".into(),
            },
            title,
            message,
            severity,
        },
    );
    let hook = payload().prop_map(|payload| Action::Webhook {
        integration: IntegrationRef {
            id: Some("SW50ZWdyYXRpb246Mg==".into()),
            entity: None,
            label: "hook".into(),
        },
        payload,
    });
    prop_oneof![slack, hook, Just(Action::NoOp)]
}

fn integrations(id: &str) -> Option<Value> {
    match id {
        "SW50ZWdyYXRpb246MQ==" => Some(
            json!({"__typename": "SlackIntegration", "id": id, "teamName": "t", "channelName": "#ch"}),
        ),
        "SW50ZWdyYXRpb246Mg==" => Some(
            json!({"__typename": "GenericWebhookIntegration", "id": id, "name": "hook", "urlEndpoint": "https://x"}),
        ),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn events_round_trip_through_the_saved_filter(e in event()) {
        let input = event_filter(&e).unwrap();
        let saved = saved_filter(e.wire_type(), &input);
        prop_assert_eq!(parse_event(e.wire_type(), &saved), e);
    }

    #[test]
    fn whole_triggers_round_trip(e in event(), a in action(), name in text(), description in prop::option::of(text()), enabled in any::<bool>()) {
        let path = ScopePath::Project { entity: "acme".into(), project: "vision".into() };
        let automation = Automation {
            id: Some("VHJpZ2dlcjo3".into()),
            name,
            description,
            enabled,
            scope: Scope { path: path.clone(), id: Some("UHJvamVjdDox".into()) },
            event: e,
            action: a,
            created_at: Some("2026-01-02T03:04:05Z".into()),
            updated_at: None,
        };
        prop_assume!(automation.is_editable(), "read-only kinds cannot be sent");
        let input = create_input(&automation).unwrap();
        let stored = StoredTrigger {
            id: "VHJpZ2dlcjo3".into(),
            name: automation.name.clone(),
            description: automation.description.clone(),
            enabled,
            created_at: "2026-01-02T03:04:05Z".into(),
            updated_at: None,
            scope: json!({"__typename": "Project", "id": "UHJvamVjdDox", "name": "vision"}),
            event_type: input["triggeringEventType"].as_str().unwrap().into(),
            event_filter: input["eventFilter"].as_str().unwrap().into(),
            action_type: input["triggeredActionType"].as_str().unwrap().into(),
            action_config: action_config(&automation.action).unwrap(),
        };
        let wire = trigger_json(&stored, &integrations);
        let paths = HashMap::from([("UHJvamVjdDox".to_string(), path)]);
        let ctx = ParseContext { entity: "acme", paths: &paths };
        let parsed = parse_trigger(&wire, &ctx).unwrap();
        prop_assert_eq!(&parsed, &automation);
        // The local listing's shortcut reads the same automation from the columns.
        prop_assert_eq!(&stored_automation(&stored, &integrations, &ctx).unwrap(), &parsed);
        // And the automation file form reads back to the same automation.
        let file = to_value(&parsed, "acme", false);
        let mut back = from_document(&file).map_err(|e| TestCaseError::fail(e.to_string()))?.remove(0);
        back.scope.id = parsed.scope.id.clone();
        back.created_at = parsed.created_at.clone();
        if let (Some(b), Some(p)) = (back.action.integration_mut(), parsed.action.integration()) {
            b.id = p.id.clone();
        }
        prop_assert_eq!(back, parsed);
    }
}
