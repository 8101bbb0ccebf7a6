//! `wbauto history` and `backtest --compare-history` as a user runs them: the real binary on the
//! fake W&B (every page, newest first, the filters, the awkward rows, an older server) and on the
//! local backend (the same JSON keys, the same refusals and empty states), whose dashboard reads
//! the engine's executions through the same backend method.

use crate::support::binary::{self, Run};
use crate::support::fake_wandb::{API_KEY, FakeWandb};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

/// Runs the binary on the W&B backend against `fake` (off the async runtime the fake serves on).
async fn on_wandb(fake: &FakeWandb, home: &Path, args: &[&str]) -> Run {
    let (url, home) = (fake.url.clone(), home.to_path_buf());
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        binary::wandb(&url, &home, &args, API_KEY, "1", None)
    })
    .await
    .unwrap()
}

/// `history ARGS --json` on W&B, parsed.
async fn wandb_json(fake: &FakeWandb, home: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["history", "--json"];
    all.extend_from_slice(args);
    let out = on_wandb(fake, home, &all).await;
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

/// Runs the binary on the local backend with `home` as its data directory.
fn local(home: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    binary::run(home, args, &[], stdin)
}

/// On the local backend in `h`: a no-op automation `on-fail` that fired once, on run `r1`.
fn local_firing(h: &Path) {
    let file = h.join("a.yaml");
    std::fs::write(
        &file,
        "name: on-fail\nscope: {project: acme/vision}\nevent: {type: run_state, states: [failed]}\naction: {type: no_op}\n",
    )
    .unwrap();
    let created = local(h, &["create", "-f", file.to_str().unwrap()], None);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let event =
        r#"{"type": "run_state", "project": "acme/vision", "run": "r1", "state": "failed"}"#;
    let emitted = local(h, &["emit", "-f", "-"], Some(event));
    assert_eq!(emitted.code, 0, "{}{}", emitted.stdout, emitted.stderr);
}

fn times(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["created_at"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn keys(row: &Value) -> BTreeSet<String> {
    row.as_object().unwrap().keys().cloned().collect()
}

fn one_line(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line on stderr: {stderr}");
    lines[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_on_wandb_reads_every_page_newest_first() {
    let fake = FakeWandb::demo().await;
    fake.state().add_executions("loss-spike", 250);
    let home = tempfile::tempdir().unwrap();
    let all = wandb_json(&fake, home.path(), &["--limit", "1000"]).await;
    assert_eq!(
        all.len(),
        262,
        "250 made and the 12 of the fixture, once each"
    );
    let mut sorted = times(&all);
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times(&all), sorted, "newest first");
    assert!(all.iter().all(|r| r["source"] == "wandb"));
    let pages = fake.variables_of("GetProjectAutomationHistory").len();
    assert!(pages >= 3, "the 250 of acme/vision take 3 pages: {pages}");

    let text = on_wandb(&fake, home.path(), &["history", "--limit", "5"]).await;
    assert_eq!(text.code, 0, "{}", text.stderr);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert!(lines[0].starts_with("TIME"), "{}", text.stdout);
    assert_eq!(
        lines.len(),
        7,
        "a header, 5 rows, what was left: {}",
        text.stdout
    );
    assert_eq!(
        lines[6],
        "5 of 262 shown, newest first; --limit N shows more"
    );
    assert!(
        lines[1].contains("loss-spike") && lines[1].contains("(vis"),
        "the newest, its run by display name and id where both are known: {}",
        lines[1]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_on_wandb_filters_by_status_since_name_project_and_collection() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let failed = wandb_json(&fake, h, &["--status", "failed"]).await;
    assert!(!failed.is_empty());
    assert!(failed.iter().all(|r| r["status"] == "failed"));

    let since = wandb_json(&fake, h, &["--since", "2026-03-01T10:00:00Z"]).await;
    assert_eq!(
        times(&since),
        [
            "2026-03-01T14:00:00Z",
            "2026-03-01T13:00:00Z",
            "2026-03-01T12:00:00Z",
            "2026-03-01T11:30:00Z",
            "2026-03-01T10:00:00Z"
        ]
    );

    let named = wandb_json(&fake, h, &["training-finished"]).await;
    assert_eq!(named.len(), 2);
    assert!(
        named
            .iter()
            .all(|r| r["automation_name"] == "training-finished")
    );
    let limited = wandb_json(&fake, h, &["training-finished", "--limit", "1"]).await;
    assert_eq!(times(&limited), ["2026-03-01T12:00:00Z"]);

    let project = wandb_json(&fake, h, &["--project", "acme/nlp"]).await;
    assert!(!project.is_empty());
    assert!(
        project.iter().all(|r| r["project"] == "acme/nlp"),
        "{project:?}"
    );
    let collection = wandb_json(&fake, h, &["--collection", "acme/vision/resnet-weights"]).await;
    assert_eq!(collection.len(), 1);
    assert_eq!(collection[0]["alias"], "prod");

    let entity = wandb_json(&fake, h, &[]).await;
    assert_eq!(entity.len(), 12, "the entity: every project's, once each");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_on_wandb_shows_awkward_rows_with_what_is_known() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let deleted = wandb_json(&fake, h, &["old-loss-alert"]).await;
    assert_eq!(deleted.len(), 1, "a deleted automation by the name it had");
    assert_eq!(deleted[0]["automation_id"], Value::Null);

    let all = wandb_json(&fake, h, &[]).await;
    let at = |t: &str| all.iter().find(|r| r["created_at"] == t).unwrap();
    assert_eq!(
        at("2026-03-01T05:00:00Z")["status"],
        "cancelled",
        "unknown state kept"
    );
    let no_event = at("2026-03-01T03:00:00Z");
    assert_eq!(no_event["event_type"], Value::Null);
    assert_eq!(no_event["error"], "channel_not_found");
    let http_500 = at("2026-03-01T11:30:00Z");
    assert_eq!(http_500["response_status"], 500);
    assert_eq!(http_500["status"], "failed");

    let text = on_wandb(&fake, h, &["history"]).await;
    assert_eq!(text.code, 0, "{}", text.stderr);
    for said in [
        "cancelled",
        "old-loss-alert",
        "the webhook answered HTTP 500",
        "channel_not_found",
    ] {
        assert!(text.stdout.contains(said), "{said}: {}", text.stdout);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_empty_states_say_what_the_filters_left_out() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let recent = on_wandb(&fake, h, &["history", "--since", "30s"]).await;
    assert_eq!(recent.code, 0, "{}", recent.stderr);
    let said = recent.stdout.trim();
    assert!(
        said.starts_with("no executions in the last 30s (since ")
            && said.ends_with("; 12 older one(s) exist: widen or drop --since"),
        "{said}"
    );
    let skipped = on_wandb(&fake, h, &["history", "loss-spike", "--status", "skipped"]).await;
    assert_eq!(
        skipped.stdout.trim(),
        "no skipped executions of loss-spike; 1 with another status (drop --status to see them)"
    );
    assert!(!recent.stdout.contains("emit") && !skipped.stdout.contains("emit"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_typo_is_refused_naming_the_statuses_on_both_backends() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let said =
        "--status \"sucess\" is not a status; use one of in_progress, success, failed, skipped";
    let wandb = on_wandb(&fake, home.path(), &["history", "--status", "sucess"]).await;
    assert_eq!(wandb.code, 2);
    assert!(wandb.stderr.contains(said), "{}", wandb.stderr);
    let home = tempfile::tempdir().unwrap();
    let local = local(home.path(), &["history", "--status", "sucess"], None);
    assert_eq!(local.code, 2);
    assert!(local.stderr.contains(said), "{}", local.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_json_has_the_same_keys_on_both_backends_and_says_its_source() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let wandb = wandb_json(&fake, home.path(), &["--limit", "1"]).await;

    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    local_firing(h);
    let out = local(h, &["history", "on-fail", "--json"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(keys(&rows[0]), keys(&wandb[0]), "the same keys on both");
    assert_eq!(rows[0]["source"], "local");
    assert_eq!(wandb[0]["source"], "wandb");
    assert_eq!(rows[0]["project"], "acme/vision");
    assert_eq!(rows[0]["run"], "r1");

    let future = local(
        h,
        &["history", "on-fail", "--since", "2099-01-01T00:00:00Z"],
        None,
    );
    assert_eq!(
        future.stdout.trim(),
        "no executions of on-fail since 2099-01-01 00:00:00 UTC; 1 older one(s) exist: widen or drop --since"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_on_an_older_server_is_one_line_and_exit_1_in_a_few_requests() {
    for status in [400, 200] {
        let fake = FakeWandb::demo().await;
        fake.state().history_missing = Some(status);
        let home = tempfile::tempdir().unwrap();
        let before = fake.requests().len();
        let started = Instant::now();
        let out = on_wandb(&fake, home.path(), &["history", "--json"]).await;
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(out.code, 1, "HTTP {status}: {}", out.stdout);
        assert!(out.stdout.is_empty(), "nothing on stdout: {}", out.stdout);
        let line = one_line(&out.stderr);
        assert!(
            line.contains("keeps no automation history that its API can read"),
            "{line}"
        );
        let asked = fake.requests().len() - before;
        assert!(asked <= 8, "HTTP {status}: {asked} requests");

        let compared = on_wandb(
            &fake,
            home.path(),
            &[
                "backtest",
                "loss-spike",
                "--runs",
                "acme/vision",
                "--compare-history",
            ],
        )
        .await;
        assert_eq!(compared.code, 1, "{}", compared.stdout);
        assert!(one_line(&compared.stderr).contains("keeps no automation history"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backtest_compare_history_says_where_wandb_and_the_evaluator_agree_and_where_not() {
    let fake = FakeWandb::demo().await;
    // W&B fired once where the evaluator fires (sweep-5) and once where it would not (sweep-6).
    fake.state().add_judged_executions();
    let home = tempfile::tempdir().unwrap();
    let args = [
        "backtest",
        "loss-spike",
        "--runs",
        "acme/vision",
        "--run",
        "vis005",
        "--run",
        "vis006",
        "--compare-history",
    ];
    let text = on_wandb(&fake, home.path(), &args).await;
    assert_eq!(text.code, 0, "{}", text.stderr);
    for said in [
        "Beside W&B's executions:",
        "  = sweep-5 (vis005)",
        "agrees with W&B: both fired 1 time(s), first at step 153",
        "  ≠ sweep-6 (vis006)",
        "W&B fired at step 100 (2026-05-28 20:34:20) where the evaluator would not have",
        "Agrees with W&B on 1 of 2 run(s).",
    ] {
        assert!(text.stdout.contains(said), "{said}:\n{}", text.stdout);
    }

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let out = on_wandb(&fake, home.path(), &json_args).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let runs: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    let of = |run: &str| runs.iter().find(|r| r["run"] == run).unwrap()["history"].clone();
    let agreed = of("vis005");
    assert_eq!(agreed["source"], "wandb");
    assert_eq!(agreed["agrees"], true);
    assert_eq!(agreed["agreed"][0]["firing"]["step"], 153);
    let disagreed = of("vis006");
    assert_eq!(disagreed["agrees"], false);
    assert_eq!(disagreed["only_recorded"][0]["step"], 100);
    assert_eq!(disagreed["only_evaluator"], serde_json::json!([]));

    let plain = on_wandb(&fake, home.path(), &args[..8]).await;
    assert!(!plain.stdout.contains("Beside"), "only when asked");
}

/// A local data dir where `on-fail` fired once and was then test-fired (the test fire is the
/// newest execution), opened as a backend.
async fn fired_then_test_fired(h: &Path) -> wbauto::backend::local::LocalBackend {
    local_firing(h);
    let test = local(h, &["test", "on-fail", "--yes"], None);
    assert_eq!(test.code, 0, "{}", test.stderr);
    wbauto::backend::local::LocalBackend::open(&h.join("local.db"))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_backend_answers_the_one_history_method_and_leaves_test_fires_out_of_last() {
    use wbauto::backend::Backend;
    use wbauto::model::history::{HistoryQuery, HistoryScope, Status};
    let home = tempfile::tempdir().unwrap();
    // A test fire after the real one is the newest execution, never the LAST firing.
    let backend = fired_then_test_fired(home.path()).await;
    let all = backend
        .automation_history(&HistoryQuery::of(HistoryScope::Entity {
            entity: "acme".into(),
        }))
        .await
        .unwrap();
    let mine: Vec<_> = all
        .executions
        .iter()
        .filter(|e| e.automation_name.as_deref() == Some("on-fail"))
        .collect();
    assert_eq!(mine.len(), 2);
    assert!(mine[0].is_test(), "the newest is the test fire");
    let id = mine[0].automation_id.clone().unwrap();

    let last = backend
        .automation_history(&wbauto::ops::history::last_fired_query("acme"))
        .await
        .unwrap();
    let on_fail = last
        .executions
        .iter()
        .find(|e| e.automation_id.as_deref() == Some(id.as_str()))
        .unwrap();
    assert!(!on_fail.is_test(), "LAST is the real firing");
    assert_eq!(on_fail.status, Status::Success);
    assert_eq!(on_fail.run.as_deref(), Some("r1"));

    let one = backend
        .automation_history(&HistoryQuery::of(HistoryScope::Automation { id }))
        .await
        .unwrap();
    assert_eq!(one.executions.len(), 2);
    let elsewhere = backend
        .automation_history(&HistoryQuery::of(HistoryScope::Project {
            entity: "acme".into(),
            project: "nlp".into(),
        }))
        .await
        .unwrap();
    assert!(
        elsewhere.executions.is_empty(),
        "another project's history: {:?}",
        elsewhere.executions
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_on_the_local_backend_lists_and_opens_the_engines_executions() {
    use crate::support::dashboard::{Driven, ch, render};
    let home = tempfile::tempdir().unwrap();
    let backend = fired_then_test_fired(home.path()).await;
    let now = jiff::Timestamp::now().as_second();
    let mut d = Driven::open(std::sync::Arc::new(backend), 160, 48, now).await;
    // The local backend's whole listing comes after its first page, as a second answer.
    let listed = d.rx.recv().await.unwrap();
    let effects = wbauto::app::update::update(&mut d.state, listed);
    d.settle(effects).await;
    let list = render(&d.state);
    let row = list.lines().find(|l| l.contains("on-fail")).unwrap();
    assert!(row.contains("✓ "), "LAST: the real firing: {row}");
    d.send(ch('h')).await;
    let history = render(&d.state);
    assert!(history.contains("history: every automation"), "{history}");
    let rows: Vec<&str> = history.lines().filter(|l| l.contains("on-fail")).collect();
    assert_eq!(
        rows.len(),
        2,
        "the real firing and the test fire: {history}"
    );
    assert!(
        rows[0].contains("✓ test fire") && rows[0].contains("sample-run"),
        "the test fire, marked: {history}"
    );
    assert!(
        rows[1].contains("r1") && !rows[1].contains("(t"),
        "{history}"
    );
    assert!(
        !history.contains("keeps no automation history"),
        "{history}"
    );
    d.send(ch('j')).await;
    d.press(crossterm::event::KeyCode::Enter).await;
    let open = render(&d.state);
    assert!(open.contains("the local engine"), "{open}");
    assert!(open.contains("r1 in acme/vision"), "{open}");
}
