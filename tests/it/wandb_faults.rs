//! The W&B backend under load and faults: long listings, retries, give-ups, bad data, old servers.

use crate::support::fake_wandb;

use fake_wandb::state::{Fault, State};
use fake_wandb::{API_KEY, FakeWandb, fast_policy};
use serde_json::json;
use std::time::{Duration, Instant};
use wbauto::backend::wandb::WandbBackend;
use wbauto::backend::wandb::client::{Client, RetryPolicy};
use wbauto::backend::{Backend, BackendError};
use wbauto::config::wandb::ApiKey;

/// A fake with one team, one project and `n` automations stored directly.
async fn team_with(n: usize) -> FakeWandb {
    let mut s = State::new(API_KEY);
    s.viewer_entity = "big".into();
    s.add_entity("big", "team");
    let project = s.add_project("big", "p");
    for i in 0..n {
        s.insert_raw(&json!({
            "name": format!("a-{i:04}"), "enabled": i % 3 != 0, "scopeType": "PROJECT", "scopeID": project,
            "triggeringEventType": "RUN_STATE", "eventFilter": "{\"run_filter\":\"{\\\"$and\\\":[]}\",\"run_state_filter\":{\"states\":[\"FAILED\"]}}",
            "triggeredActionType": "NO_OP", "triggeredActionConfig": {"noOpActionInput": {"noOp": true}},
        }));
    }
    FakeWandb::start(s).await
}

fn page_requests(fake: &FakeWandb) -> usize {
    fake.variables_of("GetEntityAutomations").len()
}

#[tokio::test]
async fn a_thousand_automations_over_twenty_pages() {
    let fake = team_with(1000).await;
    let listing = fake.backend().list_automations("big").await.unwrap();
    assert_eq!(listing.automations.len(), 1000);
    assert!(listing.unreadable.is_empty());
    assert_eq!(page_requests(&fake), 20);
    let cursors: Vec<_> = fake
        .variables_of("GetEntityAutomations")
        .iter()
        .map(|v| v["cursor"].clone())
        .collect();
    assert!(cursors[0].is_null(), "the first page sends cursor null");
    assert!(
        fake.variables_of("GetEntityAutomations")
            .iter()
            .all(|v| v["perPage"] == 50)
    );
}

#[tokio::test]
async fn survives_two_503s_and_a_429() {
    let fake = team_with(120).await;
    fake.fault(Some("GetEntityAutomations"), Fault::Status(503));
    fake.fault(
        Some("GetEntityAutomations"),
        Fault::TooMany { retry_after: 1 },
    );
    fake.fault(Some("GetEntityAutomations"), Fault::Status(503));
    let start = Instant::now();
    let listing = fake.backend().list_automations("big").await.unwrap();
    assert_eq!(listing.automations.len(), 120);
    assert_eq!(
        page_requests(&fake),
        3 + 3,
        "three pages plus three retried attempts"
    );
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "Retry-After: 1 was honoured"
    );
}

#[tokio::test]
async fn recovers_from_malformed_json_dropped_connections_and_slow_answers() {
    let fake = team_with(10).await;
    fake.fault(Some("GetEntityAutomations"), Fault::MalformedJson);
    fake.fault(Some("GetEntityAutomations"), Fault::Drop);
    fake.fault(
        Some("GetEntityAutomations"),
        Fault::Latency(Duration::from_millis(300)),
    );
    let listing = fake.backend().list_automations("big").await.unwrap();
    assert_eq!(listing.automations.len(), 10);
    assert_eq!(page_requests(&fake), 3);
}

#[tokio::test]
async fn gives_up_within_its_bound_and_says_why() {
    let fake = team_with(10).await;
    for _ in 0..10 {
        fake.fault(Some("GetEntityAutomations"), Fault::Status(503));
    }
    let start = Instant::now();
    let err = fake.backend().list_automations("big").await.unwrap_err();
    assert!(start.elapsed() < fast_policy().deadline);
    let msg = err.to_string();
    assert!(matches!(err, BackendError::Server(_)), "{msg}");
    assert!(
        msg.contains("keeps failing (HTTP 503") && msg.contains("gave up after 4 attempt(s)"),
        "{msg}"
    );
    assert_eq!(page_requests(&fake), 4, "max_retries = 3");
}

#[tokio::test]
async fn a_slow_server_times_out_each_attempt() {
    let fake = team_with(1).await;
    for _ in 0..3 {
        fake.fault(
            Some("GetEntityAutomations"),
            Fault::Latency(Duration::from_secs(3)),
        );
    }
    let policy = RetryPolicy {
        attempt_timeout: Duration::from_millis(200),
        max_retries: 2,
        ..fast_policy()
    };
    let start = Instant::now();
    let err = fake
        .backend_with(policy)
        .list_automations("big")
        .await
        .unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "timeouts cut each attempt short"
    );
    assert!(
        matches!(&err, BackendError::Network(m) if m.contains("no answer in time") && m.contains("gave up after 3")),
        "{err}"
    );
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let fake = team_with(1).await;
    fake.fault(Some("GetEntityAutomations"), Fault::Status(400));
    let err = fake.backend().list_automations("big").await.unwrap_err();
    assert!(err.to_string().contains("HTTP 400"), "{err}");
    assert_eq!(page_requests(&fake), 1);
}

#[tokio::test]
async fn a_refused_key_says_how_to_fix_it_and_is_not_retried() {
    let fake = team_with(1).await;
    let client = Client::new(
        &fake.url,
        &ApiKey::new("wrong"),
        fast_policy(),
        &Default::default(),
    )
    .unwrap();
    let err = WandbBackend::new(client)
        .list_automations("big")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::Auth(m) if m.contains("wandb login")),
        "{err}"
    );
    assert_eq!(
        fake.requests().len(),
        1,
        "only the features query was tried"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_network_error() {
    let policy = RetryPolicy {
        max_retries: 1,
        ..fast_policy()
    };
    let client = Client::new(
        "http://127.0.0.1:9",
        &ApiKey::new(API_KEY),
        policy,
        &Default::default(),
    )
    .unwrap();
    let err = WandbBackend::new(client)
        .list_automations("x")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::Network(m) if m.contains("cannot reach W&B at http://127.0.0.1:9")),
        "{err}"
    );
}

#[tokio::test]
async fn a_malformed_trigger_is_unreadable_and_the_rest_still_lists() {
    let fake = team_with(5).await;
    fake.state().triggers[2].scope_id = "no-such-scope".into();
    let listing = fake.backend().list_automations("big").await.unwrap();
    // The trigger whose scope vanished is no longer listed under the team; corrupt one in place.
    assert_eq!(listing.automations.len(), 4);
    {
        let mut s = fake.state();
        s.triggers[2].scope_id = s.projects[0].id.clone();
        s.triggers[1].stored.event_filter = "{not json".into();
        s.triggers[3].stored.action_config =
            json!({"notificationActionInput": {"integrationID": "gone"}});
        s.triggers[3].stored.action_type = "NOTIFICATION".into();
        s.triggers[4].stored.created_at = String::new();
    }
    let listing = fake.backend().list_automations("big").await.unwrap();
    assert_eq!(
        listing.automations.len(),
        5,
        "odd data is kept raw, not dropped"
    );
    let raw_event = &listing.automations[1].automation;
    assert!(
        matches!(raw_event.event, wbauto::model::Event::Raw { .. }) && !raw_event.is_editable()
    );
    assert!(matches!(
        listing.automations[3].automation.action,
        wbauto::model::Action::Raw { .. }
    ));
    // A trigger whose scope cannot be read is listed as unreadable, with the rest kept.
    fake.set_feature("AUTOMATION_SCOPE_ENTITY", false);
    {
        let mut s = fake.state();
        let team = s.entities[0].id.clone();
        s.triggers[0].scope_type = "ENTITY".into();
        s.triggers[0].scope_id = team;
    }
    // A new backend, so that the feature flags are asked again.
    let listing = fake.backend().list_automations("big").await.unwrap();
    assert_eq!(listing.automations.len(), 4);
    assert_eq!(listing.unreadable.len(), 1);
    assert_eq!(listing.unreadable[0].name.as_deref(), Some("a-0000"));
    assert!(
        listing.unreadable[0].reason.contains("scope"),
        "{}",
        listing.unreadable[0].reason
    );
}

#[tokio::test]
async fn old_servers_walk_projects_and_gate_features() {
    let fake = FakeWandb::demo().await;
    fake.set_feature("QUERY_AUTOMATIONS_ON_ENTITY", false);
    fake.set_feature("AUTOMATION_SCOPE_ENTITY", false);
    fake.set_feature("AUTOMATION_EVENT_RUN_METRIC_ZSCORE", false);
    let backend = fake.backend();
    let listing = backend.list_automations("acme").await.unwrap();
    assert!(fake.variables_of("GetEntityAutomations").is_empty());
    assert!(!fake.variables_of("GetEntityAutomationsLegacy").is_empty());
    // Walking projects finds project- and collection-scoped automations, not team-scoped ones.
    assert_eq!(listing.automations.len(), 13);
    let caps = backend.capabilities().await.unwrap();
    let zscore = caps
        .supports(wbauto::model::Feature::Event(
            wbauto::model::EventKind::MetricZScore,
        ))
        .unwrap_err();
    assert!(
        zscore.contains("AUTOMATION_EVENT_RUN_METRIC_ZSCORE"),
        "{zscore}"
    );
    let a = wbauto::file::parse_text(
        "name: z\nscope: {team: acme}\nevent: {type: run_metric_zscore, metric: acc}\naction: {type: no_op}\n",
        wbauto::file::Format::Yaml,
    )
    .unwrap()
    .remove(0);
    let err = wbauto::backend::resolve::prepare(&backend, a, "acme")
        .await
        .unwrap_err();
    let BackendError::Invalid(problems) = &err else {
        panic!("{err}")
    };
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["scope", "event.type"], "{err}");
    assert!(err.to_string().contains("AUTOMATION_SCOPE_ENTITY"), "{err}");
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.operation == "ServerFeaturesQuery")
            .count(),
        1,
        "features are asked once"
    );
}

#[tokio::test]
async fn the_fake_is_as_strict_as_wandb() {
    use wbauto::backend::wandb::client::GraphqlRequest;
    use wbauto::wire::ops;
    let fake = FakeWandb::demo().await;
    let client = Client::new(
        &fake.url,
        &ApiKey::new(API_KEY),
        fast_policy(),
        &Default::default(),
    )
    .unwrap();
    let project = fake.state().projects[0].id.clone();
    let good = json!({
        "name": "x", "enabled": true, "scopeType": "PROJECT", "scopeID": project, "triggeringEventType": "RUN_STATE",
        "eventFilter": "{\"run_filter\":\"{\\\"$and\\\":[]}\",\"run_state_filter\":{\"states\":[\"FAILED\"]}}",
        "triggeredActionType": "NO_OP", "triggeredActionConfig": {"noOpActionInput": {"noOp": true}},
    });
    let send = |input: serde_json::Value| {
        let client = client.clone();
        async move {
            client
                .execute(&GraphqlRequest::sdk(
                    ops::create_automation(true),
                    json!({"input": input}),
                ))
                .await
        }
    };
    let mut cases: Vec<(serde_json::Value, &str)> = Vec::new();
    let mut with = |key: &str, value: serde_json::Value, expected: &'static str| {
        let mut v = good.clone();
        v[key] = value;
        cases.push((v, expected));
    };
    with("colour", json!("red"), "Field \"colour\" is not defined");
    with("name", json!("n".repeat(256)), "at most 255 characters");
    with("triggeringEventType", json!("RUN_STAT"), "is not one of");
    with(
        "eventFilter",
        json!("{\"run_filter\":\"{not json\",\"run_state_filter\":{\"states\":[\"FAILED\"]}}"),
        "run_filter is not valid JSON",
    );
    with(
        "eventFilter",
        json!({"run_filter": "{}"}),
        "eventFilter must be a JSON string",
    );
    with(
        "triggeredActionConfig",
        json!({"notificationActionInput": {"integrationID": "x"}}),
        "TriggeredActionConfig",
    );
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("enabled");
    cases.push((missing, "CreateFilterTriggerInput.enabled"));
    for (input, expected) in cases {
        let err = send(input).await.unwrap_err().to_string();
        assert!(err.contains(expected), "expected {expected:?} in {err}");
    }
    send(good.clone()).await.unwrap();
    let err = send(good).await.unwrap_err();
    assert!(matches!(err, BackendError::Conflict(_)), "{err}");
    let typo = client
        .execute(&GraphqlRequest::sdk(
            "query GetDefaultEntity {\n  viewer {\n    idd\n  }\n}\n",
            json!({}),
        ))
        .await
        .unwrap_err();
    assert!(
        typo.to_string().contains("Cannot query field \"idd\""),
        "{typo}"
    );
    let extra = client
        .execute(&GraphqlRequest::sdk(
            ops::ENTITY,
            json!({"name": "acme", "bogus": 1}),
        ))
        .await
        .unwrap_err();
    assert!(extra.to_string().contains("$bogus"), "{extra}");
}

fn list_against(
    url: &str,
    deadline_secs: &str,
) -> (crate::support::binary::Run, std::time::Duration) {
    let home = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    let run = crate::support::binary::run(
        home.path(),
        &[
            "--backend",
            "wandb",
            "--base-url",
            url,
            "--entity",
            "acme",
            "list",
        ],
        &[
            ("WANDB_API_KEY", "k".repeat(40).as_str()),
            ("WBAUTO_HTTP_DEADLINE", deadline_secs),
        ],
        None,
    );
    (run, start.elapsed())
}

#[test]
fn a_refused_port_fails_at_once_and_a_silent_server_gets_one_deadline() {
    // Nothing listens: one attempt, the reason in words.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (run, took) = list_against(&format!("http://127.0.0.1:{port}"), "30");
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("connection was refused"),
        "{}",
        run.stderr
    );
    assert!(
        took < std::time::Duration::from_secs(15),
        "a refused port is not retried for {took:?}"
    );
    // Accepts and never answers: the server-features probe and the listing share one deadline.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let hold = std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in silent.incoming().take(16) {
            held.push(s);
        }
    });
    let (run, took) = list_against(&url, "4");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("gave up after"), "{}", run.stderr);
    assert!(
        took < std::time::Duration::from_secs(8),
        "two deadlines were spent: {took:?}"
    );
    drop(hold);
}
