//! One contract suite, run against the local backend and against the W&B backend on the fake
//! W&B server: the UI and the CLI must not be able to tell them apart.

use crate::support::fake_wandb;

use fake_wandb::FakeWandb;
use wbauto::backend::local::LocalBackend;
use wbauto::backend::resolve::prepare;
use wbauto::backend::{Backend, BackendError, NewWebhook, SavedAutomation};
use wbauto::file::{Format, parse_text};
use wbauto::model::{Action, ActionKind, Automation, EventKind, ScopeKind};

/// A backend under test, with whatever keeps it alive (its temporary directory or fake server).
struct Harness {
    backend: Box<dyn Backend>,
    local: bool,
    _alive: Box<dyn std::any::Any + Send>,
}

impl Harness {
    fn backend(&self) -> &dyn Backend {
        self.backend.as_ref()
    }

    fn is_local(&self) -> bool {
        self.local
    }
}

async fn local() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let backend = LocalBackend::open(&dir.path().join("local.db"))
        .await
        .unwrap();
    Harness {
        backend: Box::new(backend),
        local: true,
        _alive: Box::new(dir),
    }
}

async fn wandb() -> Harness {
    let fake = FakeWandb::demo().await;
    Harness {
        backend: Box::new(fake.backend()),
        local: false,
        _alive: Box::new(fake),
    }
}

async fn list(h: &Harness, entity: &str) -> Vec<SavedAutomation> {
    let listing = h.backend().list_automations(entity).await.unwrap();
    assert!(listing.unreadable.is_empty(), "{:?}", listing.unreadable);
    listing.automations
}

async fn named(h: &Harness, name: &str) -> Automation {
    list(h, "acme")
        .await
        .into_iter()
        .map(|s| s.automation)
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("{name} not listed"))
}

async fn create(h: &Harness, yaml: &str) -> Result<Automation, BackendError> {
    let a = parse_text(yaml, Format::Yaml).unwrap().remove(0);
    let a = prepare(h.backend(), a, "acme").await?;
    Ok(h.backend().create_automation(&a).await?.automation)
}

fn event_yaml(kind: EventKind) -> (&'static str, String) {
    let scope = match kind {
        EventKind::Artifact(wbauto::model::ArtifactEvent::Create) => {
            "collection: acme/vision/resnet-weights"
        }
        k if k.is_run_event() => "project: acme/vision",
        _ => "team: acme",
    };
    let event = match kind {
        EventKind::MetricThreshold => "{type: run_metric_threshold, metric: loss, agg: max, window: 3, cmp: '<=', threshold: 7, run_filter: {display_name: {$regex: ^a}}}".to_string(),
        EventKind::MetricChange => "{type: run_metric_change, metric: loss, window: 2, prior_window: 4, direction: decrease, change: absolute, amount: 1.5}".to_string(),
        EventKind::MetricZScore => "{type: run_metric_zscore, metric: acc, window: 12, threshold: 2.5, direction: increase}".to_string(),
        EventKind::RunState => "{type: run_state, states: [running, failed]}".to_string(),
        EventKind::RunStalled => "{type: run_stalled, after: 1h30m, adaptive: true, factor: 2.5, run_filter: {display_name: {$regex: ^sweep}}}".to_string(),
        EventKind::MetricNonfinite => "{type: run_metric_nonfinite, metric: train/*}".to_string(),
        EventKind::Artifact(a) => format!("{{type: {}, filter: {{alias: {{$regex: ^v}}}}}}", a.file_name()),
        EventKind::Raw => unreachable!(),
    };
    (scope, event)
}

fn action_yaml(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Slack => {
            "{type: slack, integration: '#oncall', title: T, message: M, severity: error}"
        }
        ActionKind::Webhook => {
            "{type: webhook, integration: ci-deploy, payload: {n: 1, f: 2.5, s: '${event_type}', nested: {list: [1, two]}}}"
        }
        ActionKind::NoOp => "{type: no_op}",
        ActionKind::Raw => unreachable!(),
    }
}

async fn lists_the_demo_team(h: Harness) {
    let acme = list(&h, "acme").await;
    // The local backend also holds the two automations only its engine fires.
    assert_eq!(acme.len(), if h.is_local() { 17 } else { 15 });
    assert!(
        acme.iter()
            .any(|s| s.automation.name == "nightly-retrain-launch" && !s.automation.is_editable())
    );
    assert!(
        acme.iter()
            .all(|s| s.automation.id.is_some() && s.automation.created_at.is_some())
    );
    for s in &acme {
        let text = match &s.wire {
            Some(carried) => carried.clone(),
            None => h
                .backend()
                .trigger_wire(s.automation.id.as_deref().unwrap())
                .await
                .unwrap(),
        };
        let wire: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(wire["id"].as_str(), s.automation.id.as_deref());
        assert_eq!(wire["name"].as_str(), Some(s.automation.name.as_str()));
    }
    let org = list(&h, "acme-corp").await;
    let scopes: Vec<ScopeKind> = org.iter().map(|s| s.automation.scope.path.kind()).collect();
    assert_eq!(scopes, [ScopeKind::Registry, ScopeKind::Org]);
    let err = h
        .backend()
        .list_automations("no-such-team")
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::NotFound(_)), "{err}");
}

async fn creates_every_event_with_every_action(h: Harness) {
    for event in EventKind::creatable() {
        for action in ActionKind::CREATABLE {
            let (scope, event_text) = event_yaml(event);
            let name = format!("{}-{}", event.file_name(), action.file_name());
            let yaml = format!(
                "name: {name}\ndescription: d\nscope: {{{scope}}}\nevent: {event_text}\naction: {}\n",
                action_yaml(action)
            );
            let expected = parse_text(&yaml, Format::Yaml).unwrap().remove(0);
            if event.is_local_only() && !h.is_local() {
                let err = create(&h, &yaml).await.unwrap_err();
                assert!(
                    err.to_string()
                        .contains("runs on wbauto's local engine only"),
                    "{name}: {err}"
                );
                continue;
            }
            let created = create(&h, &yaml)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let listed = named(&h, &name).await;
            assert_eq!(
                listed, created,
                "{name}: what create returned is what list shows"
            );
            assert_eq!(listed.event, expected.event, "{name}");
            assert_eq!(listed.scope.path, expected.scope.path, "{name}");
            assert_eq!(listed.action.kind(), action, "{name}");
            if let (Action::Webhook { payload: a, .. }, Action::Webhook { payload: b, .. }) =
                (&listed.action, &expected.action)
            {
                assert_eq!(a, b, "payload numbers keep their type");
            }
        }
    }
}

async fn pages_through_long_listings(h: Harness) {
    for i in 0..120 {
        let yaml = format!(
            "name: bulk-{i:03}\nscope: {{project: acme/speech}}\nevent: {{type: run_state, states: [finished]}}\naction: {{type: no_op}}\n"
        );
        create(&h, &yaml).await.unwrap();
    }
    let all = list(&h, "acme").await;
    assert_eq!(all.len(), if h.is_local() { 137 } else { 135 });
    let mut names: Vec<&str> = all
        .iter()
        .map(|s| s.automation.name.as_str())
        .filter(|n| n.starts_with("bulk-"))
        .collect();
    names.dedup();
    assert_eq!(names.len(), 120, "no page lost or repeated");
}

async fn updates_toggles_and_renames(h: Harness) {
    let mut a = named(&h, "gpu-too-hot").await;
    a.enabled = false;
    let toggled = h.backend().update_automation(&a).await.unwrap().automation;
    assert!(!toggled.enabled);
    assert_eq!(named(&h, "gpu-too-hot").await, toggled);
    let mut renamed = toggled.clone();
    renamed.name = "gpu-temperature".into();
    renamed.description = Some(String::new());
    let saved = h
        .backend()
        .update_automation(&renamed)
        .await
        .unwrap()
        .automation;
    assert_eq!(saved.name, "gpu-temperature");
    assert_eq!(saved.description.as_deref(), Some(""));
    assert_eq!(saved.id, a.id, "an update keeps the id");
    // A description left out is kept.
    let mut keep = saved.clone();
    keep.description = None;
    keep.enabled = true;
    let kept = h
        .backend()
        .update_automation(&keep)
        .await
        .unwrap()
        .automation;
    assert_eq!(kept.description.as_deref(), Some(""));
}

async fn refuses_conflicts_and_stale_writes(h: Harness) {
    let dup = "name: loss-spike\nscope: {project: acme/vision}\nevent: {type: run_state, states: [failed]}\naction: {type: no_op}\n";
    let err = create(&h, dup).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::Conflict(m) if m.contains("already used") && m.contains("project acme/vision")),
        "{err}"
    );
    // The same name in another scope is fine.
    create(&h, &dup.replace("acme/vision", "acme/nlp"))
        .await
        .unwrap();
    let mut rename = named(&h, "staging-link").await;
    rename.name = "loss-spike".into();
    let err = h.backend().update_automation(&rename).await.unwrap_err();
    assert!(matches!(err, BackendError::Conflict(_)), "{err}");
    // A copy read before someone else's change is refused.
    let stale = named(&h, "training-finished").await;
    let mut fresh = stale.clone();
    fresh.enabled = false;
    h.backend().update_automation(&fresh).await.unwrap();
    let mut late = stale.clone();
    late.description = Some("late".into());
    let err = h.backend().update_automation(&late).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::Conflict(m) if m.contains("changed elsewhere")),
        "{err}"
    );
}

async fn deletes_and_reports_missing_objects(h: Harness) {
    let a = named(&h, "collection-untagged").await;
    let id = a.id.clone().unwrap();
    h.backend().delete_automation(&id).await.unwrap();
    assert!(
        !list(&h, "acme")
            .await
            .iter()
            .any(|s| s.automation.id.as_deref() == Some(id.as_str()))
    );
    let err = h.backend().delete_automation(&id).await.unwrap_err();
    assert!(matches!(err, BackendError::NotFound(_)), "{err}");
    let err = h.backend().update_automation(&a).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::NotFound(m) if m.contains("deleted elsewhere")),
        "{err}"
    );
    let missing = "name: x\nscope: {collection: acme/vision/nope}\nevent: {type: create_artifact}\naction: {type: webhook, integration: nope}\n";
    let err = create(&h, missing).await.unwrap_err();
    let BackendError::Invalid(problems) = &err else {
        panic!("{err}")
    };
    assert_eq!(
        problems.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(),
        ["scope", "action.integration"]
    );
    assert!(
        problems[0]
            .message
            .contains("no collection nope in acme/vision")
            && problems[0].message.contains("resnet-weights"),
        "{err}"
    );
    let wrong_kind = missing
        .replace("collection: acme/vision/nope", "team: acme-corp")
        .replace("create_artifact", "link_artifact");
    let err = create(&h, &wrong_kind).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("acme-corp is an organisation; write org: acme-corp"),
        "{err}"
    );
}

async fn refuses_read_only_automations(h: Harness) {
    let mut legacy = named(&h, "nightly-retrain-launch").await;
    legacy.enabled = false;
    let err = h.backend().update_automation(&legacy).await.unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
}

async fn lists_and_adds_integrations(h: Harness) {
    let before = h.backend().list_integrations("acme").await.unwrap();
    let labels: Vec<&str> = before.iter().map(|i| i.label()).collect();
    assert_eq!(
        labels,
        ["#ml-alerts", "#oncall", "ci-deploy", "github-dispatch"]
    );
    let new = NewWebhook {
        name: "pager duty".into(),
        url: "https://events.example.com/x".into(),
        secret_ref: Some("PD_KEY".into()),
        access_token_ref: None,
    };
    let created = h
        .backend()
        .create_webhook_integration("acme", &new)
        .await
        .unwrap();
    assert_eq!(created.label(), "pager duty");
    assert!(
        h.backend()
            .list_integrations("acme")
            .await
            .unwrap()
            .iter()
            .any(|i| i.id == created.id)
    );
    let err = h
        .backend()
        .create_webhook_integration("acme", &new)
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::Conflict(_)), "{err}");
    let bad = NewWebhook {
        name: "bad.name".into(),
        ..new
    };
    assert!(matches!(
        h.backend().create_webhook_integration("acme", &bad).await,
        Err(BackendError::Invalid(_))
    ));
    // The new webhook is usable at once.
    create(&h, "name: paged\nscope: {project: acme/vision}\nevent: {type: run_state, states: [failed]}\naction: {type: webhook, integration: pager duty}\n").await.unwrap();
}

async fn gates_what_the_backend_cannot_accept(h: Harness) {
    let eq = "name: eq\nscope: {project: acme/vision}\nevent: {type: run_metric_threshold, metric: loss, agg: sum, cmp: '==', threshold: 1}\naction: {type: no_op}\n";
    let caps = h.backend().capabilities().await.unwrap();
    let result = create(&h, eq).await;
    if h.is_local() {
        assert!(caps.unsupported.is_empty());
        result.unwrap();
    } else {
        let err = result.unwrap_err();
        let BackendError::Invalid(problems) = &err else {
            panic!("{err}")
        };
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["event.cmp", "event.agg"], "{err}");
        assert!(err.to_string().contains("local backend only"), "{err}");
    }
}

async fn lists_registries_and_their_collections(h: Harness) {
    let registries = h.backend().list_registries("acme").await.unwrap();
    let names: Vec<(&str, &str)> = registries
        .iter()
        .map(|p| (p.entity.as_str(), p.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("acme-corp", "wandb-registry-dataset"),
            ("acme-corp", "wandb-registry-model")
        ]
    );
    assert_eq!(
        h.backend().list_registries("acme-corp").await.unwrap(),
        registries,
        "an org entity lists its own"
    );
    let collections = h
        .backend()
        .list_collections("acme-corp", "wandb-registry-model")
        .await
        .unwrap();
    assert_eq!(collections.len(), 1);
    assert!(collections[0].portfolio && collections[0].name == "prod-classifiers");
    let projects: Vec<String> = h
        .backend()
        .list_projects("acme")
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(projects, ["nlp", "speech", "vision"]);
}

/// Runs as a backtest reads them: a project's newest first and at most as many as asked, one by
/// id, a metric's history by step with its times; what does not exist said as W&B says it.
async fn lists_runs_and_reads_their_history(h: Harness) {
    let b = h.backend();
    let runs = b.list_runs("acme", "vision", 3).await.unwrap();
    assert_eq!(runs.len(), 3, "{runs:#?}");
    let created: Vec<jiff::Timestamp> = runs
        .iter()
        .map(|r| {
            let at = r.created_at.as_deref().unwrap();
            at.parse()
                .or_else(|_| format!("{at}Z").parse())
                .unwrap_or_else(|e| panic!("{at}: {e}"))
        })
        .collect();
    assert!(
        created.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {created:?}"
    );
    for r in &runs {
        assert!(
            r.display_name
                .as_deref()
                .is_some_and(|n| n.starts_with("sweep-")),
            "{r:?}"
        );
        assert!(
            ["running", "finished", "failed", "crashed"].contains(&r.state.as_str()),
            "{r:?}"
        );
    }
    let all = b.list_runs("acme", "vision", 1_000).await.unwrap();
    assert!(all.len() > 3 && all.starts_with(&runs[..1]), "{all:#?}");
    let newest = &runs[0];
    let one = b
        .run_info("acme", "vision", &newest.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((&one.id, &one.state), (&newest.id, &newest.state));
    assert_eq!(
        b.run_info("acme", "vision", "no-such-run").await.unwrap(),
        None
    );
    let loss = b
        .run_history("acme", "vision", &newest.id, "loss")
        .await
        .unwrap();
    assert!(loss.points.len() >= 100, "{}", loss.points.len());
    assert!(loss.points.windows(2).all(|w| w[0].0 < w[1].0), "by step");
    assert!(loss.points.iter().all(|p| p.1.is_some() && p.2.is_finite()));
    assert!(loss.notes.is_empty(), "{:?}", loss.notes);
    let never = b
        .run_history("acme", "vision", &newest.id, "no.such.metric")
        .await
        .unwrap();
    assert!(never.points.is_empty());
    let missing = b.list_runs("acme", "no-such-project", 5).await.unwrap_err();
    assert!(
        matches!(&missing, BackendError::NotFound(m) if m.contains("no project no-such-project in acme")),
        "{missing:?}"
    );
}

macro_rules! contract {
    ($($test:ident),* $(,)?) => {
        mod on_local {
            $(#[tokio::test] async fn $test() { super::$test(super::local().await).await })*
        }
        mod on_wandb {
            $(#[tokio::test] async fn $test() { super::$test(super::wandb().await).await })*
        }
    };
}

contract!(
    lists_the_demo_team,
    creates_every_event_with_every_action,
    pages_through_long_listings,
    updates_toggles_and_renames,
    refuses_conflicts_and_stale_writes,
    deletes_and_reports_missing_objects,
    refuses_read_only_automations,
    lists_and_adds_integrations,
    gates_what_the_backend_cannot_accept,
    lists_registries_and_their_collections,
    lists_runs_and_reads_their_history,
);
