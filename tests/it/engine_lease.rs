//! One evaluator per database: the lease taken atomically, renewed on its own schedule whatever
//! the engine is busy with, fencing every write; deliveries beside the loop, so a hanging
//! receiver holds up only its own; SIGTERM bounded.

use crate::support::engine::{
    Engine, Setup, free_port, hook_on, post, refused_at_once, wait_for, webhook,
};
use crate::support::receiver::Receiver;
use serde_json::json;
use std::process::Stdio;
use std::time::{Duration, Instant};
use wbauto::backend::local::LocalBackend;
use wbauto::engine::error::EngineError;
use wbauto::engine::event::EngineEvent;
use wbauto::engine::lease::{Kind, Lease};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_engines_started_together_one_runs_and_the_other_names_it() {
    let s = Setup::bare("");
    // The database made before the race.
    s.ok(&["history"], None).await;
    for trial in 0..5 {
        let mut engines: Vec<Engine> = (0..2)
            .map(|_| {
                let port = free_port();
                let mut cmd = Engine::command(&s, &format!("127.0.0.1:{port}"), &[]);
                cmd.stdout(Stdio::null()).stderr(Stdio::piped());
                Engine::start(cmd, port)
            })
            .collect();
        let started = Instant::now();
        let loser = loop {
            if let Some(i) = engines
                .iter_mut()
                .position(|e| e.child.try_wait().unwrap().is_some())
            {
                break i;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "trial {trial}: both engines run"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let mut lost = engines.remove(loser);
        assert_eq!(lost.child.wait().unwrap().code(), Some(1), "trial {trial}");
        let stderr = lost.stderr();
        assert!(
            stderr.contains("a running `wbauto engine` (pid"),
            "trial {trial}: {stderr}"
        );
        let mut winner = engines.remove(0);
        winner.ready().await;
        assert!(winner.child.try_wait().unwrap().is_none(), "trial {trial}");
        let (code, _) = winner.signal(libc::SIGTERM, Duration::from_secs(15));
        assert_eq!(code, Some(0));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_wait_a_second_engine_takes_over_when_the_first_stops() {
    let s = Setup::bare("");
    let mut first = Engine::spawn(&s, &[]);
    first.ready().await;
    let second = Engine::spawn(&s, &["--wait"]);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        reqwest::get(second.url("/v1/health")).await.is_err(),
        "the second waits without listening"
    );
    let (code, _) = first.signal(libc::SIGTERM, Duration::from_secs(15));
    assert_eq!(code, Some(0));
    second.ready().await;
    let text = reqwest::get(second.url("/v1/health"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("\"ok\""), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_receiver_delays_only_its_own_deliveries_and_sigterm_exits_in_time() {
    let slow = Receiver::start().await;
    let fast = Receiver::start().await;
    // Each attempt may take 30 s: longer than the lease's 15 s TTL.
    let s = Setup::new(
        &slow,
        "timeout_secs = 30\nrate_per_minute = 1000\nburst = 1000\n",
    )
    .await;
    s.hook("fast", &fast).await;
    slow.hang(Duration::from_secs(120));
    s.create(&webhook("to-slow", "{type: add_artifact_tag}"))
        .await;
    s.create(&hook_on(
        "fast",
        "to-fast",
        "{type: run_state, states: [failed]}",
    ))
    .await;
    let token = s.token("ci", &[]).await;
    let mut engine = Engine::spawn(&s, &[]);
    engine.ready().await;
    let tags: Vec<_> = (0..20)
        .map(|i| json!({"type": "artifact", "event": "add_tag", "collection": "acme/vision/resnet-weights", "tag": format!("t{i}")}))
        .collect();
    let posted = Instant::now();
    assert_eq!(
        post(&engine, Some(&token), &json!(tags).to_string())
            .await
            .0,
        202
    );
    let state =
        json!({"type": "run_state", "project": "acme/vision", "run": "r1", "state": "failed"});
    assert_eq!(post(&engine, Some(&token), &state.to_string()).await.0, 202);
    let f = &fast;
    tokio::task::block_in_place(|| {
        wait_for(
            "the other receiver's delivery",
            Duration::from_secs(5),
            || !f.requests().is_empty(),
        )
    });
    assert!(
        slow.requests().len() <= 8,
        "at most 8 at once to one receiver"
    );
    // The lease is renewed on its own schedule while deliveries hang past its TTL.
    tokio::time::sleep(Duration::from_secs(17).saturating_sub(posted.elapsed())).await;
    refused_at_once(
        Engine::command(&s, &format!("127.0.0.1:{}", free_port()), &[]),
        "a running `wbauto engine`",
    );
    // SIGTERM: bounded wait for what is in flight; the rest stays in the outbox.
    let (code, took) = engine.signal(libc::SIGTERM, Duration::from_secs(15));
    assert_eq!(code, Some(0), "exit 0 within 15 s (took {took:?})");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM outbox"),
        20,
        "left for the next start"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_that_lost_the_lease_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("local.db");
    let backend = LocalBackend::open(&path).await.unwrap();
    let mut engine = wbauto::engine::Engine::new(backend.connection(), Default::default()).unwrap();
    let event = || {
        EngineEvent::from_json(
            &json!({"type": "run_state", "project": "acme/vision", "run": "r1", "state": "failed"}),
        )
        .unwrap()
    };
    let first = Lease::take(&path, Kind::Emit).unwrap().unwrap();
    // Its lease lapses (a pause longer than the TTL) and another process takes it.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE lease SET until = 0", [])
        .unwrap();
    let second = Lease::take(&path, Kind::Engine).unwrap().unwrap();
    let lost = engine.ingest(first.fence(), vec![event()], 1_000);
    assert!(matches!(lost, Err(EngineError::LeaseLost(_))), "{lost:?}");
    assert!(matches!(
        engine.prune(first.fence()),
        Err(EngineError::LeaseLost(_))
    ));
    let count = |sql: &str| -> i64 {
        rusqlite::Connection::open(&path)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM executions"),
        0,
        "nothing written"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM engine_runs"),
        0,
        "no memory written"
    );
    let report = engine.ingest(second.fence(), vec![event()], 1_000).unwrap();
    assert!(report.executions() > 0);
    drop(first);
    second.release();
}
