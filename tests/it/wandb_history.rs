//! W&B's automation history through the backend, against the fake W&B: every page read, newest
//! first, the filters and the limit, one automation, a project, a collection, the entity's
//! union, the awkward rows, an older server and cursors that go round.

use crate::support::fake_wandb::FakeWandb;
use crate::support::fake_wandb::state::Fault;
use serde_json::json;
use std::time::{Duration, Instant};
use wbauto::backend::{Backend, BackendError};
use wbauto::model::history::{Execution, FiredAction, History, HistoryQuery, HistoryScope, Status};

const PROJECT_OP: &str = "GetProjectAutomationHistory";
const AUTOMATION_OP: &str = "GetAutomationHistory";
const COLLECTION_OP: &str = "GetCollectionAutomationHistory";

fn project(name: &str) -> HistoryQuery {
    HistoryQuery::of(HistoryScope::Project {
        entity: "acme".into(),
        project: name.into(),
    })
}

fn acme() -> HistoryQuery {
    HistoryQuery::of(HistoryScope::Entity {
        entity: "acme".into(),
    })
}

fn collection(name: &str) -> HistoryQuery {
    HistoryQuery::of(HistoryScope::Collection {
        entity: "acme".into(),
        project: "vision".into(),
        collection: name.into(),
    })
}

/// The message of the `NotFound` a query of something W&B does not have gives.
async fn not_found(fake: &FakeWandb, query: HistoryQuery) -> String {
    match fake.backend().automation_history(&query).await {
        Err(BackendError::NotFound(m)) => m,
        other => panic!("{query:?} is not found, not {other:?}"),
    }
}

async fn read(fake: &FakeWandb, query: &HistoryQuery) -> History {
    fake.backend()
        .automation_history(query)
        .await
        .unwrap_or_else(|e| panic!("the history of {query:?}: {e}"))
}

/// The execution of `automation` that fired at `at`.
fn row<'h>(h: &'h History, automation: &str, at: &str) -> &'h Execution {
    h.executions
        .iter()
        .find(|e| {
            e.automation_name.as_deref() == Some(automation)
                && e.created_at.map(|t| t.to_string()).as_deref() == Some(at)
        })
        .unwrap_or_else(|| panic!("no execution of {automation} at {at}"))
}

fn times(h: &History) -> Vec<String> {
    h.executions
        .iter()
        .map(|e| e.created_at.map(|t| t.to_string()).unwrap_or_default())
        .collect()
}

fn trigger_id(fake: &FakeWandb, name: &str) -> String {
    fake.state()
        .triggers
        .iter()
        .find(|t| t.stored.name == name)
        .map(|t| t.stored.id.clone())
        .unwrap_or_else(|| panic!("no automation {name}"))
}

#[tokio::test]
async fn every_page_is_read_and_the_newest_come_first() {
    let fake = FakeWandb::demo().await;
    fake.state().add_executions("loss-spike", 250);
    let served: Vec<String> = fake
        .state()
        .executions
        .iter()
        .map(|e| {
            e.node["triggeredAt"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert!(
        served.windows(2).any(|w| w[0] < w[1]),
        "the fake serves them out of order"
    );
    let h = read(&fake, &project("vision")).await;
    assert_eq!(h.executions.len(), 255, "250 made and 5 of the fixture");
    assert_eq!(h.matched, 255);
    let got = times(&h);
    let mut sorted = got.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(got, sorted, "newest first");
    let pages = fake.variables_of(PROJECT_OP);
    assert_eq!(pages.len(), 3, "pages of 100, 100 and 55");
    assert!(pages[0]["cursor"].is_null());
    for v in &pages {
        assert_eq!(v["perPage"], 100);
        assert_eq!(v["projectOnly"], false);
        assert_eq!(
            (v["entity"].clone(), v["project"].clone()),
            (json!("acme"), json!("vision"))
        );
    }
    assert_eq!(
        row(&h, "new-dataset-version", "2026-03-01T13:00:00Z")
            .collection
            .as_deref(),
        Some("imagenet-subset"),
        "a collection's automation is in its project's history"
    );
}

#[tokio::test]
async fn the_limit_status_since_and_automation_filters_apply_to_the_whole_history() {
    let fake = FakeWandb::demo().await;
    let all = read(&fake, &project("nlp")).await;
    assert_eq!(
        times(&all),
        [
            "2026-03-01T14:00:00Z",
            "2026-03-01T12:00:00Z",
            "2026-03-01T11:30:00Z",
            "2026-03-01T07:00:00Z",
            "2026-03-01T03:00:00Z"
        ]
    );
    let limited = read(
        &fake,
        &HistoryQuery {
            limit: Some(2),
            ..project("nlp")
        },
    )
    .await;
    assert_eq!(
        times(&limited),
        ["2026-03-01T14:00:00Z", "2026-03-01T12:00:00Z"]
    );
    assert_eq!(limited.matched, 5);
    let failed = read(
        &fake,
        &HistoryQuery {
            status: Some(Status::named("failed")),
            ..project("nlp")
        },
    )
    .await;
    assert_eq!(
        times(&failed),
        ["2026-03-01T11:30:00Z", "2026-03-01T03:00:00Z"]
    );
    let since = read(
        &fake,
        &HistoryQuery {
            since: "2026-03-01T11:30:00Z".parse().ok(),
            ..project("nlp")
        },
    )
    .await;
    assert_eq!(since.executions.len(), 3);
    let by_name = read(
        &fake,
        &HistoryQuery {
            automation: Some("training-finished".into()),
            ..project("nlp")
        },
    )
    .await;
    assert_eq!(
        times(&by_name),
        ["2026-03-01T12:00:00Z", "2026-03-01T11:30:00Z"]
    );
    let by_id = read(
        &fake,
        &HistoryQuery {
            automation: Some(trigger_id(&fake, "loss-plateau")),
            ..project("nlp")
        },
    )
    .await;
    assert_eq!(
        times(&by_id),
        ["2026-03-01T14:00:00Z", "2026-03-01T03:00:00Z"]
    );
}

#[tokio::test]
async fn one_automation_by_its_id() {
    let fake = FakeWandb::demo().await;
    let id = trigger_id(&fake, "training-finished");
    let h = read(
        &fake,
        &HistoryQuery::of(HistoryScope::Automation { id: id.clone() }),
    )
    .await;
    assert_eq!(h.executions.len(), 2);
    assert!(
        h.executions
            .iter()
            .all(|e| e.automation_id.as_deref() == Some(id.as_str()))
    );
    assert_eq!(
        fake.variables_of(AUTOMATION_OP),
        [json!({"id": id, "cursor": null, "perPage": 100})]
    );
    let missing = HistoryQuery::of(HistoryScope::Automation {
        id: "VHJpZ2dlcjo5OTk=".into(),
    });
    let message = not_found(&fake, missing).await;
    assert!(
        message.contains("no automation with the id VHJpZ2dlcjo5OTk="),
        "{message}"
    );
}

#[tokio::test]
async fn one_artifact_collection_by_its_path() {
    let fake = FakeWandb::demo().await;
    let h = read(&fake, &collection("resnet-weights")).await;
    assert_eq!(h.executions.len(), 1);
    let e = &h.executions[0];
    assert_eq!(e.automation_name.as_deref(), Some("deploy-on-prod-alias"));
    assert_eq!(
        (
            e.event_type.as_deref(),
            e.version.as_deref(),
            e.alias.as_deref()
        ),
        (Some("ADD_ARTIFACT_ALIAS"), Some("v7"), Some("prod"))
    );
    assert_eq!(
        (e.response_status, e.response_body.as_deref()),
        (Some(204), Some(""))
    );
    assert_eq!(e.project.as_deref(), Some("acme/vision"));
    let asked = fake.variables_of(COLLECTION_OP);
    assert_eq!(asked.len(), 1);
    assert!(asked[0]["id"].as_str().is_some_and(|id| !id.is_empty()));
    let message = not_found(&fake, collection("no-such")).await;
    assert!(message.contains("no collection no-such"), "{message}");
}

#[tokio::test]
async fn the_entity_is_the_union_of_its_projects_and_entity_wide_automations_once_each() {
    let fake = FakeWandb::demo().await;
    let h = read(&fake, &acme()).await;
    assert_eq!(h.executions.len(), 12, "the whole fixture, once each");
    let mut ids: Vec<_> = h.executions.iter().map(|e| e.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
    let mut projects: Vec<String> = fake
        .variables_of(PROJECT_OP)
        .iter()
        .map(|v| {
            format!(
                "{}/{}",
                v["entity"].as_str().unwrap_or_default(),
                v["project"].as_str().unwrap_or_default()
            )
        })
        .collect();
    projects.sort();
    assert_eq!(
        projects,
        ["acme/nlp", "acme/speech", "acme/vision"],
        "each project that holds automations, once"
    );
    assert_eq!(
        fake.variables_of(AUTOMATION_OP).len(),
        2,
        "the team's two entity-wide automations"
    );
    let failed_run = row(&h, "failed-runs", "2026-03-01T09:00:00Z");
    assert_eq!(
        (failed_run.run.as_deref(), failed_run.run_state.as_deref()),
        (Some("asr-3"), Some("FAILED")),
        "read from both acme/speech and its automation, shown once"
    );
    let newest = read(
        &fake,
        &HistoryQuery {
            limit: Some(1),
            ..acme()
        },
    )
    .await;
    assert_eq!(times(&newest), ["2026-03-01T14:00:00Z"]);
}

#[tokio::test]
async fn an_entity_reads_four_histories_at_a_time() {
    let fake = FakeWandb::demo().await;
    let slow = Duration::from_millis(400);
    for (op, n) in [(PROJECT_OP, 3), (AUTOMATION_OP, 2)] {
        for _ in 0..n {
            fake.fault(Some(op), Fault::Latency(slow));
        }
    }
    read(&fake, &acme()).await;
    let arrived: Vec<Instant> = fake
        .requests()
        .iter()
        .filter(|r| [PROJECT_OP, AUTOMATION_OP].contains(&r.operation.as_str()))
        .map(|r| r.at)
        .collect();
    assert_eq!(
        arrived.len(),
        5,
        "three projects and two entity-wide automations"
    );
    assert!(
        arrived[3] - arrived[0] < slow,
        "the first four are asked together, not one after another"
    );
    assert!(
        arrived[4] - arrived[0] >= slow,
        "the fifth waits until one of the four is answered"
    );
}

#[tokio::test]
async fn awkward_rows_are_shown_with_what_is_known() {
    let fake = FakeWandb::demo().await;
    let megabytes = "y".repeat(2 << 20);
    fake.state().executions[3].node["result"]["data"]["body"] = json!(megabytes);
    let h = read(&fake, &acme()).await;

    let deleted = row(&h, "old-loss-alert", "2026-03-01T06:00:00Z");
    assert_eq!(deleted.automation_id, None, "deleted since");
    assert!(
        matches!(&deleted.action, Some(FiredAction::Slack { channel: Some(c), .. }) if c == "#ml-alerts")
    );

    let cancelled = row(&h, "gpu-too-hot", "2026-03-01T05:00:00Z");
    assert_eq!(cancelled.status, Status::Other("cancelled".into()));
    assert_eq!(
        serde_json::to_value(cancelled).unwrap()["status"],
        "cancelled"
    );

    let no_event = row(&h, "loss-plateau", "2026-03-01T03:00:00Z");
    assert_eq!(
        (no_event.event_type.as_deref(), no_event.run.as_deref()),
        (None, None)
    );
    assert_eq!(no_event.status, Status::Failed);
    assert_eq!(no_event.error.as_deref(), Some("channel_not_found"));
    assert!(
        no_event.notes.iter().any(|n| n.contains("no event")),
        "{:?}",
        no_event.notes
    );
    assert_eq!(
        no_event.project.as_deref(),
        Some("acme/nlp"),
        "the project it was read from"
    );

    let unknown_member = row(&h, "accuracy-anomaly", "2026-03-01T04:00:00Z");
    assert_eq!(
        unknown_member.event_type.as_deref(),
        Some("RUN_METRIC_ZSCORE")
    );
    assert!(
        unknown_member
            .notes
            .iter()
            .any(|n| n.contains("RunMetricZScoreEventDetails"))
    );

    let failed = row(&h, "training-finished", "2026-03-01T11:30:00Z");
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(failed.response_status, Some(500));
    assert_eq!(
        failed.response_body.as_ref().map(String::len),
        Some(2 << 20),
        "kept whole"
    );
    assert_eq!(
        failed.error.as_deref(),
        Some("the webhook answered HTTP 500")
    );
    assert!(
        matches!(&failed.action, Some(FiredAction::Webhook { name: Some(n), .. }) if n == "ci-deploy")
    );

    let ok = row(&h, "training-finished", "2026-03-01T12:00:00Z");
    assert_eq!(
        (ok.status.as_str(), ok.response_status),
        ("success", Some(200))
    );
    assert_eq!(ok.response_body.as_deref(), Some("{\"ok\":true}"));

    let pending = row(&h, "new-dataset-version", "2026-03-01T13:00:00Z");
    assert_eq!(pending.status, Status::InProgress);
    assert_eq!(
        (pending.response_status, pending.error.as_deref()),
        (None, None)
    );
    assert_eq!(
        (pending.event_type.as_deref(), pending.version.as_deref()),
        (Some("CREATE_ARTIFACT"), Some("v3"))
    );
    assert_eq!(pending.artifact_metadata, Some(json!({"rows": 1000})));

    let tagged = row(&h, "europe-tagged", "2026-03-01T07:00:00Z");
    assert_eq!(tagged.tag.as_deref(), Some("europe-west"));
    assert_eq!(
        tagged.artifact_metadata,
        Some(json!("{not json")),
        "kept as sent"
    );

    let metric = row(&h, "loss-spike", "2026-03-01T10:00:00Z");
    assert_eq!(
        (
            metric.run.as_deref(),
            metric.run_name.as_deref(),
            metric.metric.as_deref()
        ),
        (Some("vis007"), Some("sweep-7"), Some("loss")),
        "W&B named the run by its display name: its id is found among the project's runs"
    );
    assert_eq!(
        (
            failed_run_of(&h).run.as_deref(),
            failed_run_of(&h).run_name.as_deref()
        ),
        (Some("asr-3"), None),
        "a run not found keeps the name W&B gave"
    );
    assert_eq!(
        metric.metric_values,
        Some(vec![0.61, 0.58, 0.72, 0.55, 0.66])
    );
    assert_eq!(metric.source, wbauto::model::history::Source::Wandb);
}

fn failed_run_of(h: &History) -> &Execution {
    row(h, "failed-runs", "2026-03-01T09:00:00Z")
}

#[tokio::test]
async fn a_run_named_by_its_id_gets_its_display_name() {
    let fake = FakeWandb::demo().await;
    let id = trigger_id(&fake, "loss-spike");
    fake.state().executions[0].node["event"]["data"]["runName"] = json!("vis005");
    let h = read(
        &fake,
        &HistoryQuery {
            run: Some("sweep-5".into()),
            ..HistoryQuery::of(HistoryScope::Automation { id })
        },
    )
    .await;
    let e = &h.executions[0];
    assert_eq!(
        (e.run.as_deref(), e.run_name.as_deref()),
        (Some("vis005"), Some("sweep-5"))
    );
    assert_eq!(e.run_shown().as_deref(), Some("sweep-5 (vis005)"));
    assert_eq!(h.matched, 1, "the run filter takes the display name too");
}

#[tokio::test]
async fn an_older_server_says_so_once_in_a_few_requests() {
    for status in [400, 200] {
        let fake = FakeWandb::demo().await;
        fake.state().history_missing = Some(status);
        let backend = fake.backend();
        let first = backend.automation_history(&acme()).await;
        let Err(BackendError::NoHistory(message)) = &first else {
            panic!("HTTP {status}: {first:?}")
        };
        assert!(
            message.contains("keeps no automation history that its API can read"),
            "{message}"
        );
        assert!(!message.contains('\n'), "one line: {message}");
        let history_asks =
            fake.variables_of(PROJECT_OP).len() + fake.variables_of(AUTOMATION_OP).len();
        assert!(
            (1..=4).contains(&history_asks),
            "HTTP {status}: {history_asks} history requests"
        );
        assert!(
            fake.requests().len() <= 6,
            "HTTP {status}: {} requests",
            fake.requests().len()
        );
        let asked = fake.requests().len();
        let again = backend.automation_history(&project("vision")).await;
        assert!(
            matches!(again, Err(BackendError::NoHistory(_))),
            "{again:?}"
        );
        assert_eq!(fake.requests().len(), asked, "not asked again");
        assert!(
            backend.list_automations("acme").await.is_ok(),
            "everything else keeps working"
        );
        let one = HistoryQuery::of(HistoryScope::Automation {
            id: trigger_id(&fake, "loss-spike"),
        });
        for query in [one, collection("resnet-weights")] {
            let fresh = fake.backend().automation_history(&query).await;
            assert!(
                matches!(fresh, Err(BackendError::NoHistory(_))),
                "{query:?}: {fresh:?}"
            );
        }
    }
}

#[tokio::test]
async fn cursors_that_go_round_stop_with_an_error_that_says_so() {
    let fake = FakeWandb::demo().await;
    fake.state().add_executions("loss-spike", 400);
    fake.state().history_cursors_loop = true;
    let result = fake.backend().automation_history(&project("vision")).await;
    let Err(BackendError::Server(message)) = &result else {
        panic!("{result:?}")
    };
    assert!(
        message.contains("a second time") && message.contains("circle"),
        "{message}"
    );
    assert_eq!(
        fake.variables_of(PROJECT_OP).len(),
        3,
        "stopped at the first repeat"
    );
}

#[test]
fn history_json_keeps_every_key_the_local_engine_writes() {
    let local = wbauto::engine::history::Execution {
        id: "d1".into(),
        automation_id: "a1".into(),
        automation_name: "loss-spike".into(),
        event_type: "RUN_METRIC".into(),
        status: "success".into(),
        created_at: "2026-03-01T10:00:00Z".into(),
        finished_at: None,
        run: None,
        project: None,
        step: None,
        collection: None,
        trigger: None,
        attempts: 1,
        response_status: None,
        response_body: None,
        error: None,
        test: false,
        request: None,
    };
    let local = serde_json::to_value(&local).unwrap();
    let shared = serde_json::to_value(Execution::unknown(
        wbauto::model::history::Source::Local,
        Status::Success,
    ))
    .unwrap();
    let missing: Vec<&String> = local
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !shared.as_object().unwrap().contains_key(*k))
        .collect();
    assert!(missing.is_empty(), "history --json would lose {missing:?}");
}
