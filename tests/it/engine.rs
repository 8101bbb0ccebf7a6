//! The local engine, driven only through the real binary: events in with `wbauto emit` (and the
//! engine's HTTP endpoint), deliveries to a loopback receiver the test starts, history out.

use crate::support::engine::{Engine, Setup, by_automation, copy_runlogs, post, wait_for, webhook};
use crate::support::receiver::Receiver;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

fn metric(run: &str, name: &str, step: i64, metrics: Value) -> Value {
    json!({"type": "run_metric", "project": "acme/vision", "run": run, "display_name": name, "step": step, "time": "2026-12-01T10:00:00Z", "metrics": metrics})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receiver_gets_exactly_what_w_and_b_semantics_predict() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    let mut yaml = String::new();
    yaml += &webhook(
        "thr-latest",
        "{type: run_metric_threshold, metric: a, cmp: \">\", threshold: 1}",
    );
    yaml += &webhook(
        "thr-avg",
        "{type: run_metric_threshold, metric: b, agg: avg, window: 3, cmp: \">=\", threshold: 2}",
    );
    yaml += &webhook(
        "chg-abs-up",
        "{type: run_metric_change, metric: c, direction: increase, change: absolute, amount: 1}",
    );
    yaml += &webhook(
        "chg-rel-down",
        "{type: run_metric_change, metric: d, direction: decrease, change: relative, amount: 0.5}",
    );
    yaml += &webhook(
        "zscore",
        "{type: run_metric_zscore, metric: e, window: 3, threshold: 2, direction: increase}",
    );
    yaml += &webhook(
        "sweeps-only",
        "{type: run_metric_threshold, metric: f, cmp: \">\", threshold: 0, run_filter: {display_name: {$regex: \"^sweep-\"}}}",
    );
    yaml += &webhook("finished", "{type: run_state, states: [finished]}");
    yaml += &webhook("crashed", "{type: run_state, states: [crashed]}");
    yaml += &webhook("on-create", "{type: create_artifact}");
    yaml += &webhook("on-link", "{type: link_artifact}");
    yaml += &webhook("on-unlink", "{type: unlink_artifact}");
    yaml += &webhook(
        "on-prod",
        "{type: add_artifact_alias, filter: {alias: prod}}",
    );
    yaml += &webhook("on-tag", "{type: add_artifact_tag}");
    yaml += &webhook("on-untag", "{type: remove_artifact_tag}");
    yaml += &webhook("on-col-tag", "{type: add_collection_tag}");
    yaml += &webhook("on-col-untag", "{type: remove_collection_tag}");
    yaml += &webhook("disabled", "{type: create_artifact}")
        .replace("  scope:", "  enabled: false\n  scope:");
    yaml += "- name: team-wide\n  scope: {team: acme}\n  event: {type: run_state, states: [failed]}\n  action: {type: webhook, integration: hook, payload: {automation: \"${automation_name}\", run: \"${run_name}\"}}\n";
    yaml += "- name: other-project\n  scope: {project: acme/nlp}\n  event: {type: run_metric_threshold, metric: a, cmp: \">\", threshold: 1}\n  action: {type: webhook, integration: hook, payload: {automation: \"${automation_name}\"}}\n";
    s.create(&yaml).await;
    let col = "acme/vision/resnet-weights";
    let mut events = vec![
        metric("r1", "sweep-1", 0, json!({"a": 0.5})),
        metric("r1", "sweep-1", 1, json!({"a": 1.5})),
        metric("r2", "sweep-2", 0, json!({"b": 1})),
        metric("r2", "sweep-2", 1, json!({"b": 2})),
        metric("r2", "sweep-2", 2, json!({"b": 3})),
        metric("r3", "sweep-3", 0, json!({"c": 1})),
        metric("r3", "sweep-3", 1, json!({"c": 2.5})),
        metric("r4", "sweep-4", 0, json!({"d": 4})),
        metric("r4", "sweep-4", 1, json!({"d": 1})),
        metric("r5", "sweep-5", 0, json!({"e": 1})),
        metric("r5", "sweep-5", 1, json!({"e": 1.1})),
        metric("r5", "sweep-5", 2, json!({"e": 0.9})),
        metric("r5", "sweep-5", 3, json!({"e": "NaN"})),
        metric("r5", "sweep-5", 4, json!({"e": 10})),
        metric("r6", "other", 0, json!({"f": 1})),
        metric("r7", "sweep-7", 0, json!({"f": 1})),
    ];
    for state in ["running", "finished", "finished", "killed"] {
        events.push(json!({"type": "run_state", "project": "acme/vision", "run": "r8", "display_name": "say \"hi\"", "state": state}));
    }
    events
        .push(json!({"type": "run_state", "project": "acme/nlp", "run": "r9", "state": "crashed"}));
    events.push(
        json!({"type": "run_state", "project": "acme/vision", "run": "r10", "state": "crashed"}),
    );
    for (event, extra) in [
        ("create", json!({})),
        ("link", json!({})),
        ("unlink", json!({})),
        ("add_alias", json!({"alias": "staging"})),
        ("add_alias", json!({"alias": "prod"})),
        ("add_tag", json!({"tag": "gold"})),
        ("remove_tag", json!({"tag": "gold"})),
    ] {
        let mut e = json!({"type": "artifact", "event": event, "collection": col, "version": 3});
        e.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        events.push(e);
    }
    events
        .push(json!({"type": "collection_tag", "event": "add", "collection": col, "tag": "gold"}));
    events.push(
        json!({"type": "collection_tag", "event": "remove", "collection": col, "tag": "gold"}),
    );
    s.emit(&events).await;

    let got = by_automation(&receiver.requests());
    let count = |name: &str| got.get(name).map_or(0, Vec::len);
    let expected = [
        ("thr-latest", 1),
        ("thr-avg", 1),
        ("chg-abs-up", 1),
        ("chg-rel-down", 1),
        ("zscore", 1),
        ("sweeps-only", 1),
        ("finished", 1),
        ("crashed", 1),
        ("team-wide", 2),
        ("on-create", 1),
        ("on-link", 1),
        ("on-unlink", 1),
        ("on-prod", 1),
        ("on-tag", 1),
        ("on-untag", 1),
        ("on-col-tag", 1),
        ("on-col-untag", 1),
        ("disabled", 0),
        ("other-project", 0),
    ];
    for (name, n) in expected {
        assert_eq!(count(name), n, "{name}: {:?}", got.get(name));
    }
    assert_eq!(got.len(), 17, "{:?}", got.keys().collect::<Vec<_>>());
    assert_eq!(got["thr-avg"][0]["values"], "[1, 2, 3]");
    assert_eq!(got["on-prod"][0]["alias"], "prod");
    assert_eq!(got["on-link"][0]["event"], "LINK_ARTIFACT");
    assert!(
        got["sweeps-only"][0]["run"]
            .as_str()
            .unwrap()
            .starts_with("sweep-")
    );
    assert_eq!(
        got["finished"][0]["run"], "say \"hi\"",
        "a name with quotes stays valid JSON"
    );
    assert_eq!(
        got["team-wide"][0]["run"], "r9",
        "no display name: the run's id"
    );
    for r in receiver.requests() {
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(b"s3cret").unwrap();
        mac.update(r.body.as_bytes());
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(
            r.header("x-wandb-signature"),
            Some(expected.as_str()),
            "the signature verifies"
        );
        assert_eq!(r.header("authorization"), Some("Bearer tok-123"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(
            r.header("x-wbauto-delivery")
                .is_some_and(|d| d.starts_with("exe_"))
        );
        if let Some(token) = r.json().get("token") {
            assert_eq!(token, "tok-123", "the access token is filled in when sent");
        }
    }
    // History has every execution, the secret nowhere.
    let history = s.history(&[]).await;
    let ours: Vec<&Value> = history
        .iter()
        .filter(|h| got.contains_key(h["automation_name"].as_str().unwrap()))
        .collect();
    assert_eq!(ours.len(), 18);
    assert!(
        ours.iter()
            .all(|h| h["status"] == "success" && h["attempts"] == 1)
    );
    let text = serde_json::to_string(&history).unwrap();
    assert!(
        !text.contains("tok-123") && !text.contains("s3cret"),
        "no secret in history"
    );
    let keys = [
        "id",
        "automation_id",
        "automation_name",
        "event_type",
        "status",
        "created_at",
        "finished_at",
        "run",
        "step",
        "attempts",
        "response_status",
        "error",
        "test",
    ];
    for k in keys {
        assert!(history[0].get(k).is_some(), "history --json has {k}");
    }
    // A second emit of the same run state fires nothing new.
    let before = receiver.requests().len();
    s.emit(&[
        json!({"type": "run_state", "project": "acme/vision", "run": "r8", "state": "killed"}),
    ])
    .await;
    assert_eq!(receiver.requests().len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_until_success_with_one_delivery_id_and_a_400_is_final() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.create(&webhook("on-create", "{type: create_artifact}"))
        .await;
    receiver.answer(&[500, 503, 200]);
    let create =
        json!({"type": "artifact", "event": "create", "collection": "acme/vision/resnet-weights"});
    s.emit(std::slice::from_ref(&create)).await;
    let requests = receiver.requests();
    assert_eq!(requests.len(), 3);
    let ids: std::collections::BTreeSet<&str> = requests
        .iter()
        .filter_map(|r| r.header("x-wbauto-delivery"))
        .collect();
    assert_eq!(ids.len(), 1, "one delivery id across retries");
    let history = s.history(&["on-create"]).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["status"], "success");
    assert_eq!(history[0]["attempts"], 3);
    assert_eq!(history[0]["response_status"], 200);

    receiver.answer(&[400]);
    let refused = s.emit_failing(&[create]).await;
    assert!(
        refused
            .stderr
            .contains("not delivered: \"on-create\" to http://127.0.0.1:")
            && refused.stderr.contains("HTTP 400"),
        "emit says which delivery failed: {}",
        refused.stderr
    );
    assert_eq!(receiver.requests().len(), 4, "a 400 is tried once");
    let history = s.history(&["on-create", "--status", "failed"]).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["attempts"], 1);
    assert_eq!(history[0]["response_status"], 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_over_the_rate_limit_is_skipped() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.create(&webhook("on-tag", "{type: add_artifact_tag}"))
        .await;
    let events: Vec<Value> = (0..15)
        .map(|i| json!({"type": "artifact", "event": "add_tag", "collection": "acme/vision/resnet-weights", "tag": format!("t{i}"), "time": "2026-12-01T10:00:00Z"}))
        .collect();
    let out = s.emit(&events).await;
    assert!(out.contains("10 succeeded, 0 failed, 5 skipped"), "{out}");
    assert_eq!(receiver.requests().len(), 10);
    let skipped = s.history(&["on-tag", "--status", "skipped"]).await;
    assert_eq!(skipped.len(), 5);
    assert!(
        skipped[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("rate limit")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_events_store_nothing_and_say_where() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.create(&webhook("on-create", "{type: create_artifact}"))
        .await;
    let path = s.path().join("bad.jsonl");
    std::fs::write(
        &path,
        "{\"type\":\"artifact\",\"event\":\"create\",\"collection\":\"acme/vision/resnet-weights\"}\n{\"type\":\"run_metric\",\"project\":\"acme/vision\",\"run\":\"r\",\"metrics\":{\"loss\":\"high\"}}\n",
    )
    .unwrap();
    let r = s.run(&["emit", "-f", path.to_str().unwrap()], None).await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("line 2: metrics.loss: must be a number"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was stored"), "{}", r.stderr);
    assert!(receiver.requests().is_empty());
    assert!(s.history(&[]).await.is_empty());
    let r = s
        .run(
            &[
                "emit",
                "run-metric",
                "--project",
                "acme/vision",
                "--run",
                "r",
                "loss",
            ],
            None,
        )
        .await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("KEY=VALUE"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_engine_resumes_its_delivery_with_the_same_id() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "timeout_secs = 2\n").await;
    s.create(&webhook("on-create", "{type: create_artifact}"))
        .await;
    // The first answer never comes in time; the engine is killed while waiting for it.
    receiver.answer_late(200, Duration::from_secs(30));
    let token = s.token("ci", &[]).await;
    let engine = Engine::spawn(&s, &[]);
    engine.ready().await;
    let (status, _) = post(
        &engine,
        Some(&token),
        r#"{"type":"artifact","event":"create","collection":"acme/vision/resnet-weights"}"#,
    )
    .await;
    assert_eq!(status, 202);
    let (status, problem) = post(
        &engine,
        Some(&token),
        r#"[{"type":"artifact","event":"nope","collection":"a/b/c"}]"#,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(problem["path"], "[0].event");
    let r2 = &receiver;
    tokio::task::block_in_place(|| {
        wait_for("the first attempt", Duration::from_secs(20), || {
            !r2.requests().is_empty()
        })
    });
    // SIGKILL while the delivery is in flight; a new engine takes over at once (the killed
    // one's lease is seen to be free) and resumes the delivery with the same id.
    let port = engine.port;
    drop(engine);
    let mut engine = Engine::spawn_on(&s, port, &[]);
    tokio::task::block_in_place(|| {
        wait_for("the resumed delivery", Duration::from_secs(30), || {
            let h = s
                .command(&["history", "on-create", "--json"])
                .output()
                .unwrap();
            let rows: Vec<Value> = serde_json::from_slice(&h.stdout).unwrap_or_default();
            rows.len() == 1 && rows[0]["status"] == "success"
        })
    });
    let (code, _) = engine.signal(libc::SIGTERM, Duration::from_secs(15));
    assert_eq!(code, Some(0), "SIGTERM: exit 0");
    let ids: std::collections::BTreeSet<String> = receiver
        .requests()
        .iter()
        .filter_map(|r| r.header("x-wbauto-delivery").map(str::to_string))
        .collect();
    assert_eq!(ids.len(), 1, "the receiver saw one delivery id");
    assert_eq!(s.history(&["on-create"]).await.len(), 1, "one history row");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emit_of_a_large_file_killed_midway_stores_all_or_nothing() {
    let receiver = Receiver::start().await;
    let s = Setup::new(
        &receiver,
        "rate_per_minute = 1000000\nburst = 1000000\nretention_rows = 1000000\n",
    )
    .await;
    s.create("- name: noop\n  scope: {collection: acme/vision/resnet-weights}\n  event: {type: create_artifact}\n  action: {type: no_op}\n").await;
    let n = 20_000;
    let line = r#"{"type":"artifact","event":"create","collection":"acme/vision/resnet-weights","time":"2026-12-01T10:00:00Z"}"#;
    let path = s.path().join("many.jsonl");
    std::fs::write(&path, vec![line; n].join("\n")).unwrap();
    // Kills spread over the run (about 0.6 s in a debug build), then one run left to finish.
    for delay in [5u64, 150, 300, 450, 550, 650, 800, 60_000] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wbauto"))
            .args(["emit", "-f", path.to_str().unwrap()])
            .env("HOME", s.path())
            .env("WBAUTO_DATA_DIR", s.path())
            .env("WBAUTO_CONFIG", &s.config)
            .env_remove("WANDB_API_KEY")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        if delay == 60_000 {
            assert!(child.wait().unwrap().success());
        } else {
            std::thread::sleep(Duration::from_millis(delay));
            let _ = child.kill();
            let _ = child.wait();
        }
        let db = rusqlite::Connection::open(s.path().join("local.db")).unwrap();
        let stored: i64 = db
            .query_row(
                "SELECT COUNT(*) FROM executions WHERE automation_name = 'noop'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            stored % n as i64 == 0,
            "after {delay} ms: {stored} executions stored, not a whole file"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_fire_shows_the_masked_request_sends_it_and_no_secret_leaks() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.create(&webhook("on-tag", "{type: add_artifact_tag}"))
        .await;
    let refused = s.run(&["test", "on-tag"], None).await;
    assert_eq!(refused.code, 1, "no terminal and no --yes: nothing is sent");
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert!(receiver.requests().is_empty());
    let out = s.ok(&["test", "on-tag", "--yes"], None).await;
    assert!(
        out.contains("Bearer ••••") && out.contains("sent: HTTP 200"),
        "{out}"
    );
    assert_eq!(receiver.requests().len(), 1);
    assert_eq!(
        receiver.requests()[0].header("authorization"),
        Some("Bearer tok-123")
    );
    let history = s.history(&["on-tag"]).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["test"], true);
    // The secrets appear in no output and in no file but the database that holds them.
    let mut outputs = vec![out];
    for args in [
        vec!["secrets", "list"],
        vec!["history"],
        vec!["history", "--json"],
        vec!["integrations", "--json"],
        vec!["doctor"],
    ] {
        let r = s.run(&args, None).await;
        outputs.push(r.stdout + &r.stderr);
    }
    s.emit(&[json!({"type": "artifact", "event": "add_tag", "collection": "acme/vision/resnet-weights", "tag": "x"})]).await;
    for text in &outputs {
        assert!(
            !text.contains("tok-123") && !text.contains("s3cret"),
            "{text}"
        );
    }
    let mut stack = vec![s.path().to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else if !p
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("local.db")
        {
            let bytes = std::fs::read(&p).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains("tok-123") && !text.contains("s3cret"),
                "{} holds a secret",
                p.display()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_posts_to_its_incoming_webhook_and_emit_queues_for_a_running_engine() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.slack_alerts(&receiver).await;
    s.create("- name: tell-slack\n  scope: {project: acme/vision}\n  event: {type: run_state, states: [failed]}\n  action: {type: slack, integration: \"#alerts\", title: \"Run ${run_name} failed\", message: \"state ${run_status}\", severity: error}\n").await;
    let mut engine = Engine::spawn(&s, &[]);
    engine.ready().await;
    let out = s
        .ok(
            &[
                "emit",
                "run-state",
                "--project",
                "acme/vision",
                "--run",
                "r1",
                "--name",
                "sweep-1",
                "--state",
                "crashed",
            ],
            None,
        )
        .await;
    assert!(
        out.contains("queued 1 event(s) for the running engine"),
        "{out}"
    );
    let r2 = &receiver;
    tokio::task::block_in_place(|| {
        wait_for("the Slack post", Duration::from_secs(20), || {
            !r2.requests().is_empty()
        })
    });
    let post = &receiver.requests()[0];
    assert_eq!(post.target, "POST /services/T1/B2/sekrit");
    let body = post.json();
    assert_eq!(body["text"], "[error] Run sweep-1 failed: state failed");
    assert_eq!(body["blocks"][0]["text"]["text"], "Run sweep-1 failed");
    let (code, _) = engine.signal(libc::SIGINT, Duration::from_secs(15));
    assert_eq!(code, Some(0), "SIGINT: exit 0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_and_org_scopes_and_history_retention() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "retention_rows = 3\n").await;
    let hook = "action: {type: webhook, integration: acme/hook, payload: {automation: \"${automation_name}\", project: \"${project_name}\", version: \"${artifact_version_string}\"}}";
    s.create(&format!(
        "- name: in-registry\n  scope: {{registry: acme-corp/model}}\n  event: {{type: link_artifact}}\n  {hook}\n\
         - name: in-org\n  scope: {{org: acme-corp}}\n  event: {{type: add_artifact_tag}}\n  {hook}\n"
    ))
    .await;
    let registry = "acme-corp/wandb-registry-model/prod-classifiers";
    s.emit(&[
        json!({"type": "artifact", "event": "link", "collection": registry, "version": 7}),
        json!({"type": "artifact", "event": "link", "collection": "acme/vision/resnet-weights", "version": 1}),
        json!({"type": "artifact", "event": "add_tag", "collection": "acme-corp/wandb-registry-dataset/eval-sets", "tag": "gold"}),
        json!({"type": "artifact", "event": "add_tag", "collection": "acme/vision/resnet-weights", "tag": "gold"}),
    ])
    .await;
    let got = by_automation(&receiver.requests());
    assert_eq!(
        got["in-registry"].len(),
        1,
        "only the registry's collections"
    );
    assert_eq!(got["in-registry"][0]["project"], "wandb-registry-model");
    assert_eq!(got["in-registry"][0]["version"], format!("{registry}:v7"));
    assert_eq!(got["in-org"].len(), 1, "only the org entity's projects");
    // History keeps at most retention_rows executions per automation.
    let tags: Vec<Value> = (0..5)
        .map(|i| json!({"type": "artifact", "event": "add_tag", "collection": "acme-corp/wandb-registry-dataset/eval-sets", "tag": format!("t{i}")}))
        .collect();
    s.emit(&tags).await;
    assert_eq!(s.history(&["in-org"]).await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_spans_separate_emits() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.create(&webhook(
        "avg3",
        "{type: run_metric_threshold, metric: b, agg: avg, window: 3, cmp: \">=\", threshold: 2}",
    ))
    .await;
    s.emit(&[
        metric("r1", "sweep-1", 0, json!({"b": 1})),
        metric("r1", "sweep-1", 1, json!({"b": 2})),
    ])
    .await;
    assert!(receiver.requests().is_empty(), "the window is not full yet");
    // Another process, the same memory: the third value completes the window.
    s.emit(&[metric("r1", "sweep-1", 2, json!({"b": 3}))]).await;
    let got = by_automation(&receiver.requests());
    assert_eq!(got["avg3"].len(), 1);
    assert_eq!(got["avg3"][0]["values"], "[1, 2, 3]");
}

fn run_state_hooks() -> String {
    let mut yaml = String::new();
    yaml += &webhook("ended-finished", "{type: run_state, states: [finished]}");
    yaml += &webhook("ended-failed", "{type: run_state, states: [failed]}");
    yaml += &webhook("started", "{type: run_state, states: [running]}");
    yaml += &webhook(
        "loss-over-5",
        "{type: run_metric_threshold, metric: loss, cmp: \">\", threshold: 5}",
    );
    yaml
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replaying_run_logs_fires_what_each_scenario_predicts_once() {
    let receiver = Receiver::start().await;
    // Eleven runs start within one replay: more than the default burst on the engine's clock.
    let s = Setup::new(&receiver, "rate_per_minute = 1000\nburst = 1000\n").await;
    s.create(&run_state_hooks()).await;
    let wandb = copy_runlogs(s.path(), &[]);
    let replay = [
        "emit",
        "--run-dir",
        wandb.to_str().unwrap(),
        "--project",
        "acme/vision",
    ];
    let out = s.ok(&replay, None).await;
    assert!(out.starts_with("12 run log(s)"), "{out}");
    let got = by_automation(&receiver.requests());
    let runs = |name: &str| {
        let mut r: Vec<String> = got
            .get(name)
            .map(|v| {
                v.iter()
                    .map(|b| b["run"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        r.sort();
        r
    };
    assert_eq!(
        runs("ended-finished"),
        [
            "sweep-1", "sweep-10", "sweep-11", "sweep-12", "sweep-5", "sweep-8", "sweep-9"
        ],
        "exit 0 (a stall and non-finite values included), preempted then finished"
    );
    assert_eq!(
        runs("ended-failed"),
        ["sweep-2", "sweep-3", "sweep-4", "sweep-7"],
        "exit 1, 3, 255, and a SIGKILL (the run killed before its run record is never filed)"
    );
    assert_eq!(runs("started").len(), 11, "every run with a run record");
    assert_eq!(runs("loss-over-5"), ["sweep-8"]);
    let history = s.history(&["loss-over-5"]).await;
    assert_eq!(
        history[0]["step"], 1234,
        "the threshold crossed at its step in the multi-block run"
    );
    // A second replay fires nothing new.
    let before = receiver.requests().len();
    let again = s.ok(&replay, None).await;
    assert!(again.contains(" 0 new event(s)"), "{again}");
    assert_eq!(receiver.requests().len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_log_written_piece_by_piece_fires_once_across_a_kill() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.create(&run_state_hooks()).await;
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runlogs/multiblock");
    let run = std::fs::read_dir(&fixture)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    let bytes = std::fs::read(run.join("run-mul00001.wandb")).unwrap();
    let watch = s.path().join("wandb");
    let dir = watch.join(run.file_name().unwrap());
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    std::fs::copy(run.join("logs/debug.log"), dir.join("logs/debug.log")).unwrap();
    let log = dir.join("run-mul00001.wandb");
    let port = crate::support::engine::free_port();
    let start_engine = || Engine::spawn_on(&s, port, &["--watch", watch.to_str().unwrap()]);
    let mut engine = start_engine();
    // Write 90% of the log (step 1234 is in it) in pieces of 1, 7, 4093 and 32768 bytes.
    let mut file = std::fs::File::create(&log).unwrap();
    let cut = bytes.len() * 9 / 10;
    let (mut at, mut i) = (0usize, 0usize);
    while at < cut {
        let n = [1, 7, 4093, 32_768][i % 4].min(cut - at);
        std::io::Write::write_all(&mut file, &bytes[at..at + n]).unwrap();
        at += n;
        i += 1;
        std::thread::sleep(Duration::from_millis(15));
    }
    let r = &receiver;
    // Executions, not requests: a kill right after the receiver got a request but before the
    // engine recorded the answer redelivers it with the same delivery id (at least once).
    let fired = |name: &str| {
        let mut ids: Vec<String> = r
            .requests()
            .iter()
            .filter(|q| q.json()["automation"] == name)
            .filter_map(|q| q.header("x-wbauto-delivery").map(str::to_string))
            .collect();
        ids.sort();
        ids.dedup();
        ids.len()
    };
    tokio::task::block_in_place(|| {
        wait_for("the threshold", Duration::from_secs(30), || {
            fired("loss-over-5") == 1
        })
    });
    // SIGKILL mid-file, write the rest, start again: nothing missed, nothing repeated.
    engine.kill();
    std::io::Write::write_all(&mut file, &bytes[cut..]).unwrap();
    drop(file);
    let mut engine = start_engine();
    tokio::task::block_in_place(|| {
        wait_for("the finished run", Duration::from_secs(30), || {
            fired("ended-finished") == 1
        })
    });
    std::thread::sleep(Duration::from_millis(1500));
    let (code, _) = engine.signal(libc::SIGTERM, Duration::from_secs(15));
    assert_eq!(code, Some(0));
    assert_eq!(fired("loss-over-5"), 1);
    assert_eq!(fired("started"), 1);
    assert_eq!(fired("ended-finished"), 1);
    assert_eq!(fired("ended-failed"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_go_to_their_own_project_which_is_created_in_a_known_entity() {
    let receiver = Receiver::start().await;
    // Eleven runs start within one replay: more than the default burst on the engine's clock.
    let s = Setup::new(&receiver, "rate_per_minute = 1000\nburst = 1000\n").await;
    s.create(&webhook("started", "{type: run_state, states: [running]}"))
        .await;
    let wandb = copy_runlogs(s.path(), &[]);
    s.ok(&["emit", "--run-dir", wandb.to_str().unwrap()], None)
        .await;
    // The fixtures were logged to acme/vision; the SIGKILLed one without a run record is never
    // filed, so no `uncategorized` project is made for it.
    let got = by_automation(&receiver.requests());
    assert_eq!(got["started"].len(), 11);
    let db = rusqlite::Connection::open(s.path().join("local.db")).unwrap();
    let created: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM projects WHERE entity = 'acme' AND name = 'uncategorized'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        created, 0,
        "no project guessed for a log without a run record"
    );
    // Runs of an unknown entity are reported and skipped (other copies of the logs: new files).
    let other = copy_runlogs(&s.path().join("elsewhere"), &[]);
    let r = s
        .run(
            &[
                "emit",
                "--run-dir",
                other.to_str().unwrap(),
                "--project",
                "nobody/vision",
            ],
            None,
        )
        .await;
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains("\"nobody\" is not in the local database"),
        "{}",
        r.stderr
    );
}
