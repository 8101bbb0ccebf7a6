//! The engine's endpoint through the real binary: who may post (tokens, host, content type),
//! the order of the checks and their JSON answers, the body limit, idempotent retries, requests
//! stored whole, connections that stall, a locked or vanished database, TLS.

use crate::support::engine::{
    Engine, Setup, free_port, health, post, refused_at_once, wait_for, webhook,
};
use crate::support::receiver::Receiver;
use serde_json::{Value, json};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends a raw HTTP/1.1 request (the test writes every header) and reads the answer (within 30
/// s): its status and JSON body.
async fn raw(port: u16, head: &str, body: &str) -> (u16, Value) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let request = format!(
        "{head}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer))
        .await
        .expect("an answer within 30 s")
        .unwrap();
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn state(run: &str, project: &str) -> Value {
    json!({"type": "run_state", "project": project, "run": run, "state": "failed"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_is_checked_in_order_and_every_refusal_is_json() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "rate_per_minute = 100000\nburst = 100000\n").await;
    s.create(&webhook("failed", "{type: run_state, states: [failed]}"))
        .await;
    let all = s.token("all", &[]).await;
    let vision = s.token("vision", &["acme/vision"]).await;
    let engine = Engine::spawn(&s, &[]);
    engine.ready().await;
    let port = engine.port;
    let one = state("r1", "acme/vision").to_string();

    // 421 first: a foreign Host (DNS rebinding) whatever else is wrong.
    let (status, answer) = raw(
        port,
        "POST /v1/events HTTP/1.1\r\nHost: evil.example:8642\r\nContent-Type: text/plain\r\n",
        &one,
    )
    .await;
    assert_eq!(status, 421, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("evil.example"));
    // 415: a web page's simple request (text/plain, a foreign Origin), with or without a token.
    let (status, answer) = raw(
        port,
        &format!("POST /v1/events HTTP/1.1\r\nHost: localhost:{port}\r\nOrigin: https://evil.example\r\nContent-Type: text/plain\r\nAuthorization: Bearer {all}\r\n"),
        &one,
    )
    .await;
    assert_eq!(status, 415, "{answer}");
    // 401: no token, or an unknown one.
    assert_eq!(post(&engine, None, &one).await.0, 401);
    let (status, answer) = post(&engine, Some("wbt_not-a-token"), &one).await;
    assert_eq!(status, 401);
    assert!(
        answer["error"].as_str().unwrap().contains("Bearer"),
        "{answer}"
    );
    // 413 as JSON over 16 MiB; 3 MiB (over axum's old 2 MiB default) is accepted.
    let pad = "x".repeat(17 * 1024 * 1024);
    let (status, answer) = post(&engine, Some(&all), &format!("[{one}, \"{pad}\"]")).await;
    assert_eq!(status, 413, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("16 MiB"));
    let many: Vec<Value> = (0..40_000)
        .map(|i| state(&format!("bulk{i}"), "acme/vision"))
        .collect();
    let body = serde_json::to_string(&many).unwrap();
    assert!(body.len() > 3 * 1024 * 1024);
    let (status, answer) = post(&engine, Some(&all), &body).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["accepted"], 40_000);
    // 400 with the path: `time` for one event, `[3].time` in an array; a time ahead of the
    // engine's clock too.
    let bad_time = json!({"type": "run_state", "project": "acme/vision", "run": "r", "state": "failed", "time": "yesterday"});
    let (status, answer) = post(&engine, Some(&all), &bad_time.to_string()).await;
    assert_eq!((status, answer["path"].as_str()), (400, Some("time")));
    let mut array = vec![state("a", "acme/vision"); 3];
    array.push(json!({"type": "run_state", "project": "acme/vision", "run": "r", "state": "failed", "time": "9000-01-01T00:00:00Z"}));
    let (status, answer) = post(&engine, Some(&all), &Value::Array(array).to_string()).await;
    assert_eq!(
        (status, answer["path"].as_str()),
        (400, Some("[3].time")),
        "{answer}"
    );
    assert!(answer["error"].as_str().unwrap().contains("ahead"));
    // 403: a project the token does not cover; a mixed request is refused whole.
    let (status, answer) = post(
        &engine,
        Some(&vision),
        &state("refused-1", "acme/nlp").to_string(),
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    let mixed = json!([
        state("refused-2", "acme/vision"),
        state("refused-3", "acme/nlp")
    ])
    .to_string();
    let (status, answer) = post(&engine, Some(&vision), &mixed).await;
    assert_eq!(
        (status, answer["path"].as_str()),
        (403, Some("[1]")),
        "{answer}"
    );
    let registry =
        json!({"type": "artifact", "event": "create", "collection": "acme/wandb-registry-model/c"})
            .to_string();
    assert_eq!(post(&engine, Some(&vision), &registry).await.0, 403);
    let (status, answer) = post(&engine, Some(&all), &registry).await;
    assert_eq!(status, 202, "{answer}");
    let collection =
        json!({"type": "artifact", "event": "create", "collection": "acme/vision/weights"})
            .to_string();
    let (status, answer) = post(&engine, Some(&vision), &collection).await;
    assert_eq!(status, 202, "{answer}");
    let refused = s.count("SELECT COUNT(*) FROM inbox WHERE event LIKE '%refused-%'")
        + s.count("SELECT COUNT(*) FROM executions WHERE run LIKE '%refused-%'");
    assert_eq!(refused, 0, "refused requests stored nothing");
    // Unknown paths and methods answer JSON too; health says nothing private.
    let (status, answer) = raw(
        port,
        &format!("GET /admin HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"),
        "",
    )
    .await;
    assert_eq!(status, 404, "{answer}");
    let (status, _) = raw(port, "DELETE /v1/events HTTP/1.1\r\nHost: [::1]\r\n", "").await;
    assert_eq!(status, 405);
    let (_, health) = health(&engine).await;
    assert_eq!(health["status"], "ok", "{health}");
    assert!(health["outbox"]["pending"].is_i64() && health["outbox"]["oldest_secs"].is_i64());
    let text = health.to_string();
    assert!(
        !text.contains("pid") && !text.contains(s.path().to_str().unwrap()),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_shown_once_kept_as_hashes_and_revoked_within_10_seconds() {
    let s = Setup::bare("");
    let created = s
        .run(
            &["tokens", "create", "ci", "--project", "acme/vision"],
            None,
        )
        .await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    let token = created.stdout.trim();
    assert_eq!(
        created.stdout.lines().count(),
        1,
        "the token alone: {}",
        created.stdout
    );
    assert!(token.starts_with("wbt_") && token.len() > 40, "{token}");
    let again = s.run(&["tokens", "create", "ci"], None).await;
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);
    let listed = s.ok(&["tokens", "list"], None).await;
    assert!(
        listed.contains("ci") && listed.contains("acme/vision") && !listed.contains(token),
        "{listed}"
    );
    // Only a hash is kept: the token is in no file.
    for entry in std::fs::read_dir(s.path()).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            let bytes = std::fs::read(&p).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(token),
                "{} holds the token",
                p.display()
            );
        }
    }
    let engine = Engine::spawn(&s, &[]);
    engine.ready().await;
    let event = state("r", "acme/vision").to_string();
    assert_eq!(post(&engine, Some(token), &event).await.0, 202);
    s.ok(&["tokens", "revoke", "ci"], None).await;
    let revoked = Instant::now();
    loop {
        if post(&engine, Some(token), &event).await.0 == 401 {
            break;
        }
        assert!(
            revoked.elapsed() < Duration::from_secs(10),
            "still accepted 10 s after revoking"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A token made while the engine runs works at once.
    let fresh = s.token("fresh", &[]).await;
    assert_eq!(post(&engine, Some(&fresh), &event).await.0, 202);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_request_is_stored_once_across_restarts() {
    let s = Setup::bare("rate_per_minute = 100000\nburst = 100000\n");
    s.create("- name: noop\n  scope: {project: acme/vision}\n  event: {type: run_state, states: [failed]}\n  action: {type: no_op}\n").await;
    let token = s.token("ci", &[]).await;
    let mut engine = Engine::spawn(&s, &[]);
    engine.ready().await;
    let url = engine.url("/v1/events");
    let send = |key: &'static str, body: String| {
        let (url, token) = (url.clone(), token.clone());
        async move {
            let answer = reqwest::Client::new()
                .post(url)
                .header("content-type", "application/json")
                .header("idempotency-key", key)
                .bearer_auth(token)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            (status, answer.json::<Value>().await.unwrap())
        }
    };
    let body = json!([state("a", "acme/vision"), state("b", "acme/vision")]).to_string();
    let (status, first) = send("k-1", body.clone()).await;
    assert_eq!(status, 202);
    let (status, repeat) = send("k-1", body.clone()).await;
    assert_eq!((status, &repeat), (202, &first), "the first answer again");
    let (status, answer) = send("k-1", state("c", "acme/vision").to_string()).await;
    assert_eq!(status, 422, "{answer}");
    let stored = || {
        s.count("SELECT COUNT(*) FROM executions WHERE automation_name = 'noop'")
            + s.count("SELECT COUNT(*) FROM inbox")
    };
    tokio::task::block_in_place(|| {
        wait_for("the two events", Duration::from_secs(20), || stored() == 2)
    });
    // The key survives a kill -9 and a restart.
    engine.kill();
    let engine = Engine::spawn_on(&s, engine.port, &[]);
    engine.ready().await;
    let (status, again) = send("k-1", body).await;
    assert_eq!((status, &again), (202, &first));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(stored(), 2, "stored once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_posted_array_is_stored_whole_or_not_at_all_when_killed() {
    let s = Setup::bare("rate_per_minute = 1000000\nburst = 1000000\nretention_rows = 1000000\n");
    s.create("- name: noop\n  scope: {project: acme/vision}\n  event: {type: run_state, states: [failed]}\n  action: {type: no_op}\n").await;
    let token = s.token("ci", &[]).await;
    let n = 24_000;
    let body = serde_json::to_string(
        &(0..n)
            .map(|i| state(&format!("r{i}"), "acme/vision"))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let port = free_port();
    let mut total = 0;
    for delay in [1u64, 15, 40, 80, 150] {
        let mut engine = Engine::spawn_on(&s, port, &[]);
        engine.ready().await;
        let request = reqwest::Client::new()
            .post(engine.url("/v1/events"))
            .header("content-type", "application/json")
            .bearer_auth(&token)
            .body(body.clone())
            .send();
        let sending = tokio::spawn(request);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        engine.kill();
        let answered = sending
            .await
            .unwrap()
            .is_ok_and(|a| a.status().as_u16() == 202);
        let stored = s.count("SELECT COUNT(*) FROM inbox")
            + s.count("SELECT COUNT(*) FROM executions WHERE automation_name = 'noop'");
        assert!(
            stored - total == 0 || stored - total == n,
            "killed after {delay} ms: {} of {n} events stored",
            stored - total
        );
        assert!(!answered || stored - total == n, "a 202 means all of them");
        total = stored;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_half_sent_connections_time_out_and_are_capped_below_the_file_limit() {
    let s = Setup::bare("");
    let port = free_port();
    let mut cmd = Engine::command(&s, &format!("127.0.0.1:{port}"), &[]);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    // SAFETY: only setrlimit runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 256,
                rlim_max: 256,
            };
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            Ok(())
        });
    }
    let token = s.token("ci", &[]).await;
    let engine = Engine::start(cmd, port);
    engine.ready().await;
    // A request whose body stops coming halfway.
    let mut half_body = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let head = format!(
        "POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}\r\nContent-Length: 100\r\n\r\n[{{\"type\":"
    );
    half_body.write_all(head.as_bytes()).await.unwrap();
    // 400 connections that start a request and never finish its headers.
    let mut stalled = Vec::new();
    for _ in 0..400 {
        if let Ok(mut c) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            let _ = c
                .write_all(b"POST /v1/events HTTP/1.1\r\nHost: localhost\r\n")
                .await;
            stalled.push(c);
        }
    }
    // The engine still answers at once (a 503 over its cap is an answer), and stays up.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let answer = client.get(engine.url("/v1/health")).send().await.unwrap();
    let status = answer.status().as_u16();
    let text = answer.text().await.unwrap();
    let doc: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} {e}: {text:?}"));
    assert!(status == 200 || status == 503, "{status} {doc}");
    // Within the header timeout (10 s) the stalled connections are closed by the engine.
    tokio::time::sleep(Duration::from_secs(11)).await;
    let mut closed = 0;
    for c in &mut stalled {
        let mut byte = [0u8; 1];
        if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_millis(200), c.read(&mut byte)).await
        {
            closed += 1;
        } else if let Ok(Ok(_)) =
            tokio::time::timeout(Duration::from_millis(1), c.read(&mut byte)).await
        {
            closed += 1;
        }
    }
    assert_eq!(closed, stalled.len(), "every stalled connection was closed");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), half_body.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let answer = client.get(engine.url("/v1/health")).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_while_the_database_is_locked_and_a_post_waits_then_gets_503() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "").await;
    s.create(&webhook("failed", "{type: run_state, states: [failed]}"))
        .await;
    let token = s.token("ci", &[]).await;
    let mut engine = Engine::spawn(&s, &[]);
    engine.ready().await;
    // Another process holds the write lock for 14 s.
    let db = s.db();
    let (locked_tx, locked) = std::sync::mpsc::channel();
    let locker = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        locked_tx.send(()).unwrap();
        std::thread::sleep(Duration::from_secs(14));
        conn.execute_batch("ROLLBACK").unwrap();
    });
    locked.recv().unwrap();
    let started = Instant::now();
    let answer = reqwest::Client::new()
        .post(engine.url("/v1/events"))
        .header("content-type", "application/json")
        .bearer_auth(&token)
        .body(state("r1", "acme/vision").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 503);
    assert_eq!(answer.headers()["retry-after"], "5");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(4),
        "it waited {waited:?} for the lock"
    );
    // Health answers at once throughout, and says degraded while the lock holds.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let mut degraded = None;
    while started.elapsed() < Duration::from_secs(13) {
        let answer = client
            .get(engine.url("/v1/health"))
            .send()
            .await
            .expect("health answers within 2 s");
        let status = answer.status().as_u16();
        let doc: Value = answer.json().await.unwrap();
        if doc["status"] == "degraded" {
            assert_eq!(status, 503);
            degraded = Some(doc);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let degraded = degraded.expect("health said degraded while the database was locked");
    assert!(
        degraded["reason"].as_str().unwrap().contains("locked"),
        "{degraded}"
    );
    locker.join().unwrap();
    // The engine never exited; once the lock is gone it takes events again.
    assert!(
        engine.child.try_wait().unwrap().is_none(),
        "the engine exited"
    );
    assert_eq!(
        post(
            &engine,
            Some(&token),
            &state("r2", "acme/vision").to_string()
        )
        .await
        .0,
        202
    );
    let r = &receiver;
    tokio::task::block_in_place(|| {
        wait_for("the delivery", Duration::from_secs(20), || {
            r.requests().len() == 1
        })
    });
    tokio::task::block_in_place(|| {
        wait_for("health back to ok", Duration::from_secs(15), || {
            let out = std::process::Command::new("curl")
                .args(["-s", &engine.url("/v1/health")])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
                .unwrap_or_default();
            out.contains("\"ok\"") || !Path::new("/usr/bin/curl").exists()
        })
    });
    let (code, _) = engine.signal(libc::SIGTERM, Duration::from_secs(15));
    assert_eq!(code, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_or_replaced_database_stops_the_engine() {
    for how in ["deleted", "replaced"] {
        let s = Setup::bare("");
        let token = s.token("ci", &[]).await;
        let port = free_port();
        let mut cmd = Engine::command(&s, &format!("127.0.0.1:{port}"), &[]);
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut engine = Engine::start(cmd, port);
        engine.ready().await;
        let db = s.db();
        if how == "deleted" {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
        } else {
            let copy = s.path().join("copy.db");
            std::fs::copy(&db, &copy).unwrap();
            std::fs::rename(&copy, &db).unwrap();
        }
        let started = Instant::now();
        let status = loop {
            if let Some(status) = engine.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{how}: the engine kept running"
            );
            // A POST meanwhile is never answered 202 for a file that is gone.
            if let Ok(a) = reqwest::Client::new()
                .post(engine.url("/v1/events"))
                .header("content-type", "application/json")
                .bearer_auth(&token)
                .body(state("r", "acme/vision").to_string())
                .send()
                .await
            {
                let code = a.status().as_u16();
                assert!(code == 503 || code == 401, "{how}: a POST got {code}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(status.code(), Some(1), "{how}");
        let stderr = engine.stderr();
        assert!(stderr.contains("deleted or replaced"), "{how}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_loopback_it_needs_tls_or_insecure_http() {
    let s = Setup::bare("");
    let any = format!("0.0.0.0:{}", free_port());
    refused_at_once(s.command(&["engine", "--listen", &any]), "--listen-any");
    let stderr = refused_at_once(
        s.command(&["engine", "--listen", &any, "--listen-any"]),
        "--tls-cert",
    );
    assert!(stderr.contains("--insecure-http"), "{stderr}");
    let mut cmd = Engine::command(&s, &any, &["--listen-any", "--insecure-http"]);
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let port: u16 = any.rsplit(':').next().unwrap().parse().unwrap();
    let mut engine = Engine::start(cmd, port);
    engine.ready().await;
    engine.kill();
    let stderr = engine.stderr();
    assert!(stderr.contains("warning: --insecure-http"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_serves_the_endpoint() {
    let s = Setup::bare("");
    let token = s.token("ci", &[]).await;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let (cert, key) = (
        fixtures.join("localhost.crt"),
        fixtures.join("localhost.key"),
    );
    let engine = Engine::spawn(
        &s,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let url = format!("https://127.0.0.1:{}/v1/events", engine.port);
    let started = Instant::now();
    let answer = loop {
        match client
            .post(&url)
            .header("content-type", "application/json")
            .bearer_auth(&token)
            .body(state("r", "acme/vision").to_string())
            .send()
            .await
        {
            Ok(a) => break a,
            Err(_) if started.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => panic!("no TLS answer: {e}"),
        }
    };
    assert_eq!(answer.status().as_u16(), 202);
    assert!(
        reqwest::get(engine.url("/v1/health")).await.is_err(),
        "plain HTTP is not spoken on a TLS endpoint"
    );
    refused_at_once(
        s.command(&[
            "engine",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            key.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ]),
        "--tls-cert",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_degrades_the_engine_until_there_is_room_again() {
    let s = Setup::bare("");
    let token = s.token("ci", &[]).await;
    let engine = Engine::spawn(&s, &[]);
    engine.ready().await;
    // No file of the engine may grow past its size now: as good as a full disk.
    let largest = ["", "-wal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", s.db().display())).ok())
        .map(|m| m.len())
        .max()
        .unwrap();
    let set_limit = |bytes: u64| {
        let limit = libc::rlimit {
            rlim_cur: bytes,
            rlim_max: libc::RLIM_INFINITY,
        };
        // SAFETY: sets a resource limit of the child this test started.
        let done = unsafe {
            libc::prlimit(
                engine.child.id() as libc::pid_t,
                libc::RLIMIT_FSIZE,
                &limit,
                std::ptr::null_mut(),
            )
        };
        assert_eq!(done, 0, "prlimit");
    };
    set_limit(largest + 4096);
    let many: Vec<Value> = (0..20_000)
        .map(|i| state(&format!("full{i}"), "acme/vision"))
        .collect();
    let body = serde_json::to_string(&many).unwrap();
    let (status, answer) = post(&engine, Some(&token), &body).await;
    assert_eq!(status, 503, "{answer}");
    let (status, health) = health(&engine).await;
    assert_eq!(
        (status, &health["status"]),
        (503, &json!("degraded")),
        "{health}"
    );
    let reason = health["reason"].as_str().unwrap();
    assert!(
        reason.contains("cannot be written") || reason.contains("full"),
        "{reason}"
    );
    // Room again: it takes events as before, having never exited.
    set_limit(libc::RLIM_INFINITY);
    let (status, answer) = post(&engine, Some(&token), &body).await;
    assert_eq!(status, 202, "{answer}");
    let mut engine = engine;
    assert!(engine.child.try_wait().unwrap().is_none());
    let (code, _) = engine.signal(libc::SIGTERM, Duration::from_secs(15));
    assert_eq!(code, Some(0));
}
