//! What the engine sends and to whom, through the real binary: templates filled once, the rate
//! limit on the engine's clock, secret URLs masked, `--read-only`, URLs parsed, redirects and
//! huge answers, and one-shot commands delivering only their own executions.

use crate::support::engine::{Engine, Setup, by_automation, finishes, hook_on, wait_for, webhook};
use crate::support::receiver::Receiver;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use std::time::Duration;

fn tag(tag: &str, time: &str) -> Value {
    json!({"type": "artifact", "event": "add_tag", "collection": "acme/vision/resnet-weights", "tag": tag, "time": time})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_name_never_pulls_a_secret_into_the_body() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.create(&webhook("failed", "{type: run_state, states: [failed]}"))
        .await;
    let names = ["${ACCESS_TOKEN} ${SIGN}", "$${run_name}}", "${run_name}"];
    let events: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, name)| json!({"type": "run_state", "project": "acme/vision", "run": format!("r{i}"), "display_name": name, "state": "failed"}))
        .collect();
    s.emit(&events).await;
    let got = receiver.requests();
    assert_eq!(got.len(), 3);
    for r in &got {
        let body = r.json();
        let run = body["run"].as_str().unwrap();
        assert!(
            names.contains(&run),
            "the run's name arrives as written: {run:?}"
        );
        assert_eq!(
            body["token"], "tok-123",
            "the payload's own ${{ACCESS_TOKEN}} is still filled"
        );
        assert!(!r.body.contains("s3cret"), "{}", r.body);
        assert_eq!(r.body.matches("tok-123").count(), 1, "{}", r.body);
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(b"s3cret").unwrap();
        mac.update(r.body.as_bytes());
        let signed = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(r.header("x-wandb-signature"), Some(signed.as_str()));
    }
    let history = serde_json::to_string(&s.history(&[]).await).unwrap();
    assert!(history.contains("$${run_name}}"), "{history}");
    assert!(!history.contains("tok-123") && !history.contains("s3cret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_runs_on_the_engine_clock() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.create(&webhook("on-tag", "{type: add_artifact_tag}"))
        .await;
    // 100 events dated a minute apart (the last a minute ago), all arriving now: the bucket
    // (10 a minute, 10 at once) lets 10 through, not 100.
    let start = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(101);
    let events: Vec<Value> = (0..100)
        .map(|i| {
            let t = start + jiff::SignedDuration::from_mins(i);
            tag(&format!("t{i}"), &t.to_string())
        })
        .collect();
    let out = s.emit(&events).await;
    assert!(out.contains("10 succeeded, 0 failed, 90 skipped"), "{out}");
    assert_eq!(receiver.requests().len(), 10);
    let skipped = s.history(&["on-tag", "--status", "skipped"]).await;
    assert!(
        skipped[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("rate limit")
    );

    // An event dated far ahead is refused with its path, and nothing is stored.
    let far = tag("x", "9000-01-01T00:00:00Z");
    let path = s.path().join("future.jsonl");
    std::fs::write(
        &path,
        format!("{}\n{far}\n", tag("y", "2026-01-01T00:00:00Z")),
    )
    .unwrap();
    let r = s.run(&["emit", "-f", path.to_str().unwrap()], None).await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("line 2: time: is more than 5 minutes ahead"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was stored"), "{}", r.stderr);
    assert_eq!(s.history(&["on-tag"]).await.len(), 100);

    // A bucket counted in the future (as event times once left it) refills from now on: empty
    // now, one execution back six seconds later.
    let db = rusqlite::Connection::open(s.db()).unwrap();
    db.execute(
        "UPDATE engine_buckets SET tokens = 0, at = 253402300799",
        [],
    )
    .unwrap();
    let now = || jiff::Timestamp::now().to_string();
    let out = s.emit(&[tag("now", &now())]).await;
    assert!(out.contains("1 skipped"), "{out}");
    std::thread::sleep(Duration::from_millis(6_500));
    let out = s.emit(&[tag("later", &now())]).await;
    assert!(out.contains("1 succeeded"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_urls_and_userinfo_are_masked_in_history_and_test() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.slack_alerts(&receiver).await;
    let with_user = receiver.url.replace("http://", "http://bob:pw@") + "/userhook";
    s.ok(
        &["integrations", "add-webhook", "userhook", &with_user],
        None,
    )
    .await;
    s.create("- name: tell-slack\n  scope: {project: acme/vision}\n  event: {type: run_state, states: [failed]}\n  action: {type: slack, integration: \"#alerts\", title: t, message: m, severity: info}\n").await;
    s.create(&hook_on(
        "userhook",
        "user-hook",
        "{type: run_state, states: [failed]}",
    ))
    .await;
    s.emit(&[
        json!({"type": "run_state", "project": "acme/vision", "run": "r1", "state": "failed"}),
    ])
    .await;
    assert_eq!(
        receiver.requests().len(),
        2,
        "both were sent to the real URLs"
    );
    let targets: Vec<String> = receiver
        .requests()
        .iter()
        .map(|r| r.target.clone())
        .collect();
    assert!(
        targets.contains(&"POST /services/T1/B2/sekrit".to_string()),
        "{targets:?}"
    );
    let history = serde_json::to_string(&s.history(&[]).await).unwrap();
    for secret in ["sekrit", "bob", ":pw@"] {
        assert!(
            !history.contains(secret),
            "history --json shows {secret}: {history}"
        );
    }
    assert!(history.contains("••••"), "{history}");
    let listed =
        s.ok(&["integrations", "--json"], None).await + &s.ok(&["integrations"], None).await;
    for secret in ["sekrit", "bob", ":pw@"] {
        assert!(
            !listed.contains(secret),
            "integrations shows {secret}: {listed}"
        );
    }
    for name in ["tell-slack", "user-hook"] {
        let shown = s.ok(&["test", name, "--yes"], None).await;
        for secret in ["sekrit", "bob", ":pw@"] {
            assert!(!shown.contains(secret), "test shows {secret}: {shown}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_refuses_everything_that_writes_or_sends() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.create(&webhook("on-tag", "{type: add_artifact_tag}"))
        .await;
    s.token("ci", &[]).await;
    let events = s.path().join("e.jsonl");
    std::fs::write(&events, tag("x", "2026-01-01T00:00:00Z").to_string()).unwrap();
    let wandb = s.path().join("wandb");
    std::fs::create_dir_all(&wandb).unwrap();
    let refused: Vec<Vec<&str>> = vec![
        vec!["emit", "-f", events.to_str().unwrap()],
        vec![
            "emit",
            "collection-tag",
            "--collection",
            "acme/vision/resnet-weights",
            "--event",
            "add",
            "--tag",
            "g",
        ],
        vec!["emit", "--run-dir", wandb.to_str().unwrap()],
        vec!["engine", "--listen", "127.0.0.1:0"],
        vec!["secrets", "set", "OTHER"],
        vec!["secrets", "delete", "SIGN"],
        vec!["tokens", "create", "more"],
        vec!["tokens", "revoke", "ci"],
        vec!["test", "on-tag", "--yes"],
    ];
    for args in refused {
        let mut all = vec!["--read-only"];
        all.extend(&args);
        let r = s.run(&all, Some("value\n")).await;
        assert_eq!(r.code, 1, "{args:?} ran: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("read-only mode"),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert!(receiver.requests().is_empty(), "nothing was sent");
    assert!(s.history(&[]).await.is_empty(), "nothing was recorded");
    for args in [
        vec!["--read-only", "history"],
        vec!["--read-only", "secrets", "list"],
        vec!["--read-only", "tokens", "list"],
    ] {
        s.ok(&args, None).await;
    }
    let secrets = s.ok(&["secrets", "list"], None).await;
    assert!(
        secrets.contains("SIGN") && !secrets.contains("OTHER"),
        "{secrets}"
    );
    assert!(s.ok(&["tokens", "list"], None).await.contains("ci"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_urls_are_parsed_and_need_a_host_and_a_valid_port() {
    let s = Setup::bare("");
    for bad in [
        "http:///x",
        "http://example.com:99999/hook",
        "https://",
        "https:// spaced.example/",
        "ftp://example.com/",
    ] {
        let r = s
            .run(&["integrations", "add-webhook", "bad", bad], None)
            .await;
        assert_eq!(r.code, 1, "{bad} was accepted");
        assert!(r.stderr.contains("url"), "{bad}: {}", r.stderr);
    }
    for bad in ["http:///services/x", "https://hooks.slack.com:0x/x"] {
        let r = s
            .run(
                &["integrations", "add-slack", "#c", "--webhook-url", bad],
                None,
            )
            .await;
        assert_eq!(r.code, 1, "{bad} was accepted");
    }
    s.ok(
        &[
            "integrations",
            "add-webhook",
            "good",
            "https://ci.example.com:8443/hook?x=1",
        ],
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_is_not_followed_and_is_called_a_redirect() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.create(&webhook("on-tag", "{type: add_artifact_tag}"))
        .await;
    receiver.redirect(302, "https://elsewhere.example/new?key=abc");
    let out = s
        .emit_failing(&[tag("x", "2026-01-01T00:00:00Z")])
        .await
        .stdout;
    assert!(out.contains("0 succeeded, 1 failed"), "{out}");
    assert_eq!(
        receiver.requests().len(),
        1,
        "the redirect was not followed"
    );
    let failed = s.history(&["on-tag", "--status", "failed"]).await;
    let error = failed[0]["error"].as_str().unwrap();
    assert!(
        error.contains("redirects to https://elsewhere.example/new")
            && error.contains("not followed"),
        "{error}"
    );
    assert!(!error.contains("refused"), "{error}");
    assert_eq!(failed[0]["attempts"], 1, "a redirect is final");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_is_read_only_as_far_as_what_is_kept() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "timeout_secs = 3\nattempts = 2\n").await;
    s.create(&webhook("on-tag", "{type: add_artifact_tag}"))
        .await;
    // An answer that would take far longer than the timeout to read whole.
    receiver.answer_huge(200, 1 << 40);
    let out = s.emit(&[tag("x", "2026-01-01T00:00:00Z")]).await;
    assert!(out.contains("1 succeeded"), "{out}");
    let done = s.history(&["on-tag"]).await;
    assert_eq!(done[0]["attempts"], 1);
    assert_eq!(done[0]["response_body"].as_str().unwrap().len(), 2048);
}

/// An outbox row left by an earlier run (a delivery due now that is not this command's).
async fn leftover(s: &Setup, receiver: &Receiver) {
    // The first attempt fails and the retry is set for much later (emit leaves it to the engine
    // instead of waiting for it); then it is made due now.
    receiver.answer(&[500]);
    let path = s.path().join("left.jsonl");
    std::fs::write(&path, tag("left", "2026-01-01T00:00:00Z").to_string()).unwrap();
    let emitted = finishes(
        s.command(&["emit", "-f", path.to_str().unwrap()]),
        Duration::from_secs(60),
    )
    .expect("emit returns within its deadline");
    assert!(
        emitted.stdout.contains("1 still in the outbox"),
        "{}",
        emitted.stdout
    );
    let db = rusqlite::Connection::open(s.db()).unwrap();
    db.execute("UPDATE outbox SET next_at = 0", []).unwrap();
    assert_eq!(s.count("SELECT COUNT(*) FROM outbox"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emit_and_test_deliver_only_their_own_executions() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "retry_base_ms = 600000\n").await;
    s.create(&webhook("on-tag", "{type: add_artifact_tag}"))
        .await;
    s.create("- name: quiet\n  scope: {project: acme/vision}\n  event: {type: run_state, states: [finished]}\n  action: {type: no_op}\n").await;
    leftover(&s, &receiver).await;
    let out = s
        .emit(&[json!({"type": "run_state", "project": "acme/vision", "run": "r1", "state": "finished"})])
        .await;
    assert!(out.contains("1 succeeded"), "{out}");
    assert_eq!(
        receiver.requests().len(),
        1,
        "emit left the older delivery alone"
    );
    let out = s.ok(&["test", "on-tag", "--yes"], None).await;
    assert!(out.contains("sent: HTTP 200"), "{out}");
    assert_eq!(receiver.requests().len(), 2, "the test sent only itself");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM outbox"),
        1,
        "the leftover waits for the engine"
    );

    // With an engine running, a test fire leaves the delivery to it.
    let engine = Engine::spawn(&s, &[]);
    engine.ready().await;
    let r = &receiver;
    tokio::task::block_in_place(|| {
        wait_for(
            "the engine to deliver the leftover",
            Duration::from_secs(20),
            || r.requests().len() == 3,
        )
    });
    let out = s.ok(&["test", "on-tag", "--yes"], None).await;
    assert!(out.contains("sent: HTTP 200"), "{out}");
    let got = by_automation(&receiver.requests());
    assert_eq!(got["on-tag"].len(), 4);
    drop(engine);
}
