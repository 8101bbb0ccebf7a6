//! The engine as a team's service, through the binary: the lines it says (words, JSON, quiet)
//! with no secret in any, `GET /metrics` parsed by a Prometheus text parser, systemd's notify
//! protocol and SIGHUP, the unit checked by `systemd-analyze`, and run logs followed as on a
//! shared filesystem (a directory not there yet, a log another host writes, finished logs not
//! read again).

use crate::support::engine::copy_runlogs;
use crate::support::engine::{Engine, Setup, free_port, hook_on, post, wait_for};
use crate::support::receiver::Receiver;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// `wbauto engine EXTRA` with its standard error piped (to read once it stops).
fn spawn_piped(s: &Setup, extra: &[&str], env: &[(&str, &str)]) -> Engine {
    let port = free_port();
    let mut cmd = Engine::command(s, &format!("127.0.0.1:{port}"), extra);
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    Engine::start(cmd, port)
}

/// `wbauto engine --watch WANDB --project acme/vision`, ready.
async fn watching(s: &Setup, wandb: &Path) -> Engine {
    let engine = spawn_piped(
        s,
        &[
            "--watch",
            wandb.to_str().unwrap(),
            "--project",
            "acme/vision",
        ],
        &[],
    );
    engine.ready().await;
    engine
}

/// How many requests the automation `name` has sent to `receiver`.
fn fired(receiver: &Receiver, name: &str) -> usize {
    crate::support::engine::by_automation(&receiver.requests())
        .get(name)
        .map_or(0, Vec::len)
}

/// Stops it with SIGTERM (it must exit 0) and returns what it said on standard error.
fn stop(mut engine: Engine) -> String {
    let (code, _) = engine.signal(libc::SIGTERM, Duration::from_secs(15));
    assert_eq!(code, Some(0));
    engine.stderr()
}

/// A data dir with an engine token, a webhook automation `on-fail` (whose body carries the
/// `TOKEN` secret) and a Slack one `tell-slack` whose incoming-webhook URL's path is secret.
async fn service_setup(receiver: &Receiver) -> (Setup, String) {
    let s = Setup::new(receiver, "").await;
    s.slack_alerts(receiver).await;
    s.create(&hook_on(
        "hook",
        "on-fail",
        "{type: run_state, states: [failed]}",
    ))
    .await;
    s.create("- name: tell-slack\n  scope: {project: acme/vision}\n  event: {type: run_state, states: [failed]}\n  action: {type: slack, integration: \"#alerts\", title: t, message: m, severity: info}\n").await;
    let token = s.token("ci", &[]).await;
    (s, token)
}

/// A failed run whose display name is a secret's variable.
fn failed_run(run: &str) -> String {
    json!([{"type": "run_state", "project": "acme/vision", "run": run, "display_name": "${ACCESS_TOKEN}", "state": "failed"}]).to_string()
}

/// Posts a failed run and waits until the receiver has `total` requests.
async fn fire(engine: &Engine, token: &str, run: &str, receiver: &Receiver, total: usize) {
    engine.ready().await;
    let (status, answer) = post(engine, Some(token), &failed_run(run)).await;
    assert_eq!(status, 202, "{answer}");
    tokio::task::block_in_place(|| {
        wait_for("the deliveries", Duration::from_secs(30), || {
            receiver.requests().len() >= total
        })
    });
    // The outcomes are said once written.
    tokio::time::sleep(Duration::from_millis(600)).await;
}

fn no_secret_in(text: &str) {
    for secret in ["tok-123", "s3cret", "sekrit", "/services/T1"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_says_each_batch_execution_and_delivery_and_never_a_secret() {
    let receiver = Receiver::start().await;
    let (s, token) = service_setup(&receiver).await;
    // The first delivery is answered 500 and retried.
    receiver.answer(&[500]);
    let engine = spawn_piped(&s, &[], &[]);
    fire(&engine, &token, "r1", &receiver, 3).await;
    let said = stop(engine);
    no_secret_in(&said);
    assert!(
        said.contains("engine listening on http://127.0.0.1:"),
        "{said}"
    );
    assert!(
        said.contains("took 1 event(s) from inbox: 3 execution(s): 2 queued, 1 skipped"),
        "{said}"
    );
    assert!(
        said.contains(
            "fired \"on-fail\" for acme/vision/r1 (\"${ACCESS_TOKEN}\"): RUN_STATE: queued"
        ),
        "{said}"
    );
    assert!(
        said.contains("fired \"tell-slack\" for acme/vision/r1"),
        "{said}"
    );
    let receiver_at = receiver.url.trim_start_matches("http://");
    assert!(
        said.contains(&format!("to http://{receiver_at}: HTTP 500"))
            && said.contains("retrying exe_"),
        "{said}"
    );
    assert_eq!(said.matches("delivered exe_").count(), 2, "{said}");
    assert!(said.contains(": answered 200 in "), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lines_for_log_shippers_and_quiet_says_nothing_of_the_work() {
    let receiver = Receiver::start().await;
    let (s, token) = service_setup(&receiver).await;
    let engine = spawn_piped(&s, &["--log-format", "json"], &[]);
    fire(&engine, &token, "r1", &receiver, 2).await;
    let said = stop(engine);
    no_secret_in(&said);
    let lines: Vec<Value> = said
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let kinds: Vec<&str> = lines.iter().filter_map(|l| l["kind"].as_str()).collect();
    for kind in ["notice", "taken", "execution", "delivery"] {
        assert!(kinds.contains(&kind), "{kind} in {said}");
    }
    assert!(lines.iter().all(|l| l["time"].is_string()), "{said}");
    let delivered: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "delivery").collect();
    assert_eq!(delivered.len(), 2);
    assert!(
        delivered
            .iter()
            .all(|d| d["outcome"] == "delivered" && d["status"] == 200)
    );

    let engine = spawn_piped(&s, &["--quiet"], &[]);
    fire(&engine, &token, "r2", &receiver, 4).await;
    let said = stop(engine);
    assert!(
        !said.contains("took") && !said.contains("fired") && !said.contains("delivered"),
        "{said}"
    );
}

/// The value of the sample `name` with `label` (`None`: any labels), from a parsed scrape.
fn sample(scrape: &prometheus_parse::Scrape, name: &str, label: Option<(&str, &str)>) -> f64 {
    let found = scrape
        .samples
        .iter()
        .find(|s| s.metric == name && label.is_none_or(|(k, v)| s.labels.get(k) == Some(v)))
        .unwrap_or_else(|| panic!("no {name} {label:?} in {:?}", scrape.samples));
    match &found.value {
        prometheus_parse::Value::Counter(v)
        | prometheus_parse::Value::Gauge(v)
        | prometheus_parse::Value::Untyped(v) => *v,
        prometheus_parse::Value::Histogram(buckets) => {
            buckets.iter().map(|b| b.count).fold(0.0, f64::max)
        }
        prometheus_parse::Value::Summary(_) => panic!("{name} is a summary"),
    }
}

async fn scrape(engine: &Engine, token: Option<&str>) -> (u16, String, String) {
    let mut req = reqwest::Client::new().get(engine.url("/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let answer = req.send().await.unwrap();
    let status = answer.status().as_u16();
    let kind = answer
        .headers()
        .get("content-type")
        .map(|h| h.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, kind, answer.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_scraped_and_parsed_as_prometheus_text() {
    let receiver = Receiver::start().await;
    let (s, token) = service_setup(&receiver).await;
    receiver.answer(&[500]);
    let engine = spawn_piped(&s, &[], &[]);
    fire(&engine, &token, "r1", &receiver, 3).await;
    let (status, kind, text) = scrape(&engine, None).await;
    assert_eq!(status, 200, "{text}");
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    no_secret_in(&text);
    let parsed = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap();
    let at = |name: &str, label| sample(&parsed, name, label);
    assert_eq!(
        at("wbauto_events_taken_total", Some(("source", "http"))),
        1.0
    );
    assert_eq!(at("wbauto_events_evaluated_total", None), 1.0);
    assert_eq!(
        at("wbauto_executions_total", Some(("status", "queued"))),
        2.0
    );
    assert_eq!(
        at("wbauto_deliveries_total", Some(("outcome", "delivered"))),
        2.0
    );
    assert_eq!(
        at("wbauto_deliveries_total", Some(("outcome", "retried"))),
        1.0
    );
    assert_eq!(
        at("wbauto_delivery_seconds", None),
        3.0,
        "three attempts timed"
    );
    assert_eq!(at("wbauto_lease_held", None), 1.0);
    assert_eq!(at("wbauto_runs_followed", None), 0.0);
    assert_eq!(at("wbauto_degraded", None), 0.0);
    tokio::task::block_in_place(|| {
        wait_for("the outbox counted empty", Duration::from_secs(5), || {
            let (_, _, text) = tokio::runtime::Handle::current().block_on(scrape(&engine, None));
            text.contains("wbauto_outbox_pending 0")
        })
    });
    assert!(text.contains("wbauto_outbox_oldest_seconds"), "{text}");
    // A token works too (what a scraper on another host sends); a wrong one is refused even
    // from loopback only when no loopback rule applies, so the token path is checked here.
    let (status, _, _) = scrape(&engine, Some(&token)).await;
    assert_eq!(status, 200);
    let (health, doc) = crate::support::engine::health(&engine).await;
    assert_eq!(health, 200, "{doc}");
    assert_eq!(doc["outbox"]["backing_up_after_secs"], 300);
    stop(engine);
}

/// Reads notify messages from `socket` until one contains `what` (failing after `within`).
fn heard(socket: &std::os::unix::net::UnixDatagram, what: &str, within: Duration) -> String {
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        assert!(start.elapsed() < within, "no {what} within {within:?}");
        if let Ok(n) = socket.recv(&mut buf) {
            let message = String::from_utf8_lossy(&buf[..n]).to_string();
            if message.contains(what) {
                return message;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn systemd_hears_ready_watchdog_and_stopping_and_sighup_changes_nothing() {
    let receiver = Receiver::start().await;
    let (s, _) = service_setup(&receiver).await;
    let path = s.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let engine = spawn_piped(
        &s,
        &[],
        &[
            ("NOTIFY_SOCKET", path.to_str().unwrap()),
            ("WATCHDOG_USEC", "1000000"),
        ],
    );
    let ready = tokio::task::block_in_place(|| heard(&socket, "READY=1", Duration::from_secs(20)));
    assert!(
        ready.contains("STATUS=engine listening on http://127.0.0.1:"),
        "{ready}"
    );
    // Half the watchdog's period: fed while the evaluator goes round.
    tokio::task::block_in_place(|| heard(&socket, "WATCHDOG=1", Duration::from_secs(3)));
    tokio::task::block_in_place(|| heard(&socket, "WATCHDOG=1", Duration::from_secs(3)));
    // SIGHUP does not end it (its default would) and changes nothing.
    // SAFETY: sends a signal to the child this test started.
    unsafe {
        libc::kill(engine.child.id() as i32, libc::SIGHUP);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, doc) = crate::support::engine::health(&engine).await;
    assert_eq!(status, 200, "{doc}");
    // SAFETY: as above.
    unsafe {
        libc::kill(engine.child.id() as i32, libc::SIGTERM);
    }
    tokio::task::block_in_place(|| heard(&socket, "STOPPING=1", Duration::from_secs(10)));
    let said = stop(engine);
    assert!(
        said.contains("SIGHUP: nothing to reload; config.toml is read when the engine starts"),
        "{said}"
    );
}

#[test]
fn the_unit_passes_systemd_analyze_verify() {
    let unit = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/wbauto-engine.service");
    let text = std::fs::read_to_string(&unit).unwrap();
    for needed in [
        "Type=notify",
        "WatchdogSec=",
        "User=wbauto",
        "StateDirectory=wbauto",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
    ] {
        assert!(text.contains(needed), "{needed} in the unit");
    }
    let Ok(found) = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
    else {
        eprintln!("systemd-analyze is not installed here: the unit was not verified");
        return;
    };
    assert!(found.status.success());
    // Verified as installed, with the binary this build made where ExecStart points.
    let dir = tempfile::tempdir().unwrap();
    let installed = dir.path().join("wbauto-engine.service");
    std::fs::write(
        &installed,
        text.replace("/usr/local/bin/wbauto", env!("CARGO_BIN_EXE_wbauto")),
    )
    .unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&installed)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        !said.contains("wbauto-engine.service:"),
        "a warning about the unit: {said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_directory_not_there_yet_is_waited_for_and_finished_logs_are_not_read_again() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "rate_per_minute = 1000\nburst = 1000\n").await;
    s.create(&hook_on(
        "hook",
        "started",
        "{type: run_state, states: [running]}",
    ))
    .await;
    s.create(&hook_on(
        "hook",
        "ended",
        "{type: run_state, states: [finished]}",
    ))
    .await;
    let wandb = s.path().join("wandb");
    let engine = watching(&s, &wandb).await;
    // The first training run makes the directory: it appears whole.
    let staging = copy_runlogs(&s.path().join("staging"), &[]);
    std::fs::rename(&staging, &wandb).unwrap();
    let fired = |name: &str| fired(&receiver, name);
    tokio::task::block_in_place(|| {
        wait_for("every run's start and end", Duration::from_secs(30), || {
            fired("started") == 11 && fired("ended") == 7
        })
    });
    // Finished logs are never read again: what lands in them now is not even looked at (the
    // log killed before its run record is the one left, unfiled, and is not touched).
    for log in wbauto::engine::runlog::follow::find(&wandb) {
        if !log.ends_with("run-kil00001.wandb") {
            let mut f = std::fs::File::options().append(true).open(&log).unwrap();
            std::io::Write::write_all(&mut f, &[0xff; 40_000]).unwrap();
        }
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (_, _, text) = scrape(&engine, None).await;
    let said = stop(engine);
    assert!(
        said.contains("not there yet; waiting for it to appear"),
        "{said}"
    );
    assert!(said.contains("appeared; following its run logs"), "{said}");
    assert!(
        !said.contains("skipped bytes"),
        "finished logs were read again: {said}"
    );
    assert_eq!(fired("started"), 11);
    assert_eq!(fired("ended"), 7);
    assert!(text.contains("wbauto_runs_followed"), "{text}");
    let db = rusqlite::Connection::open(s.path().join("local.db")).unwrap();
    let uncategorized: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM projects WHERE name = 'uncategorized'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(uncategorized, 0, "no run filed under a guessed project");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_another_host_writes_is_alive_while_it_grows_and_history_says_why_it_crashed() {
    let receiver = Receiver::start().await;
    let s = Setup::new(&receiver, "run_stale_secs = 3\n").await;
    s.create(&hook_on(
        "hook",
        "crashed",
        "{type: run_state, states: [failed]}",
    ))
    .await;
    // A run SIGKILLed on `fixture-host` after its records were flushed: no exit record.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runlogs/sigkill-after-flush/offline-run-20261201_092457-kil00002");
    let bytes = std::fs::read(fixture.join("run-kil00002.wandb")).unwrap();
    let wandb = s.path().join("wandb");
    let run = wandb.join("offline-run-20261201_092457-kil00002");
    std::fs::create_dir_all(run.join("logs")).unwrap();
    // Its debug log names a process id that is not alive here: on another host it means nothing.
    std::fs::write(
        run.join("logs/debug.log"),
        "2026-12-01 09:24:57,000 INFO    MainThread:4194000 [wandb_setup.py:_flush():81] x\n",
    )
    .unwrap();
    let log = run.join("run-kil00002.wandb");
    let quarter = bytes.len() / 4;
    std::fs::write(&log, &bytes[..quarter]).unwrap();
    let engine = watching(&s, &wandb).await;
    let crashed = || fired(&receiver, "crashed");
    // Growing for longer than run_stale_secs: alive all along.
    let rest = &bytes[quarter..];
    let step = rest.len().div_ceil(5);
    for chunk in rest.chunks(step) {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let mut f = std::fs::File::options().append(true).open(&log).unwrap();
        std::io::Write::write_all(&mut f, chunk).unwrap();
        assert_eq!(crashed(), 0, "a growing log's run is alive");
    }
    let grew = Instant::now();
    tokio::task::block_in_place(|| {
        wait_for("the crash", Duration::from_secs(20), || crashed() == 1)
    });
    assert!(
        grew.elapsed() >= Duration::from_secs(3),
        "judged before run_stale_secs"
    );
    stop(engine);
    let history = s.history(&["crashed"]).await;
    let judged = history[0]["trigger"]["judged"].as_str().unwrap_or_default();
    assert!(
        judged.contains("the log did not grow for")
            && judged.contains("(written on host fixture-host)"),
        "{}",
        history[0]
    );
}
