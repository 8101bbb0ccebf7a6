//! The local engine in tests: a data dir with a fast-retrying config, a webhook to a receiver
//! and its secrets; `wbauto` run in it; `wbauto engine` started on a free port, with a token, and
//! stopped by signal.
#![allow(dead_code)]

use super::binary::{self, Run};
use super::receiver::{Received, Receiver};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A data dir with a config, a webhook `hook` to a receiver (signed with `SIGN` = `s3cret`,
/// bearer `TOKEN` = `tok-123`).
pub struct Setup {
    /// The data dir (also HOME).
    pub home: tempfile::TempDir,
    /// `config.toml`.
    pub config: PathBuf,
}

impl Setup {
    /// With `engine` in the config's `[engine]` section (retries 20 ms apart unless it says).
    pub async fn new(receiver: &Receiver, engine: &str) -> Self {
        let s = Self::bare(engine);
        s.hook("hook", receiver).await;
        s.ok(&["secrets", "set", "SIGN"], Some("s3cret\n")).await;
        s.ok(&["secrets", "set", "TOKEN"], Some("tok-123\n")).await;
        s
    }

    /// A data dir without integrations.
    pub fn bare(engine: &str) -> Self {
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("config.toml");
        let fast = if engine.contains("retry_base_ms") {
            ""
        } else {
            "retry_base_ms = 20\n"
        };
        std::fs::write(&config, format!("[engine]\n{fast}{engine}")).unwrap();
        Self { home, config }
    }

    /// Adds a webhook integration `name` to `receiver`'s `/name`, signed and with a bearer.
    pub async fn hook(&self, name: &str, receiver: &Receiver) {
        let url = format!("{}/{name}", receiver.url);
        self.ok(
            &[
                "integrations",
                "add-webhook",
                name,
                &url,
                "--secret-ref",
                "SIGN",
                "--access-token-ref",
                "TOKEN",
            ],
            None,
        )
        .await;
    }

    /// `wbauto ARGS` in this data dir.
    pub async fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let (home, config) = (self.home.path().to_path_buf(), self.config.clone());
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let stdin = stdin.map(str::to_string);
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            binary::run(
                &home,
                &args,
                &[("WBAUTO_CONFIG", config.to_str().unwrap())],
                stdin.as_deref(),
            )
        })
        .await
        .unwrap()
    }

    /// `wbauto ARGS`, which must succeed; its standard output.
    pub async fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let r = self.run(args, stdin).await;
        assert_eq!(r.code, 0, "wbauto {args:?}: {}{}", r.stdout, r.stderr);
        r.stdout
    }

    /// A command for the binary in this data dir (for processes the test controls).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wbauto"));
        cmd.args(args)
            .env("HOME", self.path())
            .env("WBAUTO_DATA_DIR", self.path())
            .env("XDG_STATE_HOME", self.path().join("state"))
            .env("WBAUTO_CONFIG", &self.config)
            .env_remove("WANDB_API_KEY")
            .env_remove("WANDB_BASE_URL");
        cmd
    }

    /// Creates automations from YAML.
    pub async fn create(&self, yaml: &str) {
        let path = self.path().join("automations.yaml");
        std::fs::write(&path, yaml).unwrap();
        self.ok(&["create", "-f", path.to_str().unwrap()], None)
            .await;
    }

    /// Adds the Slack channel `#alerts` through an incoming webhook at `receiver`'s
    /// `/services/T1/B2/sekrit` (a path that must never be shown).
    pub async fn slack_alerts(&self, receiver: &Receiver) {
        let url = format!("{}/services/T1/B2/sekrit", receiver.url);
        self.ok(
            &[
                "integrations",
                "add-slack",
                "#alerts",
                "--webhook-url",
                &url,
            ],
            None,
        )
        .await;
    }

    /// `emit -f` of these events (must succeed); its output.
    pub async fn emit(&self, events: &[Value]) -> String {
        let r = self.emit_run(events).await;
        assert_eq!(r.code, 0, "emit: {}{}", r.stdout, r.stderr);
        r.stdout
    }

    /// `emit -f` of these events, whose delivery fails: it must exit 1; what it printed.
    pub async fn emit_failing(&self, events: &[Value]) -> Run {
        let r = self.emit_run(events).await;
        assert_eq!(r.code, 1, "emit: {}{}", r.stdout, r.stderr);
        r
    }

    async fn emit_run(&self, events: &[Value]) -> Run {
        let path = self.path().join("events.jsonl");
        let text: Vec<String> = events.iter().map(Value::to_string).collect();
        std::fs::write(&path, text.join("\n")).unwrap();
        self.run(&["emit", "-f", path.to_str().unwrap()], None)
            .await
    }

    /// `history --json` with `args`.
    pub async fn history(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["history", "--json", "--limit", "1000"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all, None).await).unwrap()
    }

    /// A new token (for every project, or for `projects`).
    pub async fn token(&self, name: &str, projects: &[&str]) -> String {
        let mut args = vec!["tokens", "create", name];
        for p in projects {
            args.extend(["--project", p]);
        }
        self.ok(&args, None).await.trim().to_string()
    }

    /// The data dir.
    pub fn path(&self) -> &Path {
        self.home.path()
    }

    /// The database file.
    pub fn db(&self) -> PathBuf {
        self.path().join("local.db")
    }

    /// A count from the database.
    pub fn count(&self, sql: &str) -> i64 {
        let db = rusqlite::Connection::open(self.db()).unwrap();
        db.busy_timeout(Duration::from_secs(10)).unwrap();
        db.query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

/// A webhook automation `name` on `event` posting the usual variables (and the access token).
pub fn webhook(name: &str, event: &str) -> String {
    hook_on("hook", name, event)
}

/// [`webhook`] through the integration `integration`.
pub fn hook_on(integration: &str, name: &str, event: &str) -> String {
    let scope = if event.contains("create_artifact") {
        "{collection: acme/vision/resnet-weights}"
    } else {
        "{project: acme/vision}"
    };
    format!(
        "- name: {name}\n  scope: {scope}\n  event: {event}\n  action:\n    type: webhook\n    integration: {integration}\n    payload: {{automation: \"${{automation_name}}\", run: \"${{run_name}}\", values: \"${{metric_values}}\", alias: \"${{alias}}\", tag: \"${{tag}}\", event: \"${{event_type}}\", token: \"${{ACCESS_TOKEN}}\"}}\n"
    )
}

/// The requests grouped by the automation their body names.
pub fn by_automation(requests: &[Received]) -> std::collections::BTreeMap<String, Vec<Value>> {
    let mut out: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for r in requests {
        let body = r.json();
        out.entry(body["automation"].as_str().unwrap_or_default().to_string())
            .or_default()
            .push(body);
    }
    out
}

/// Waits (polling) until `done`, failing after `timeout`.
pub fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `wbauto engine`, killed when dropped.
pub struct Engine {
    /// The process.
    pub child: Child,
    /// Its port.
    pub port: u16,
}

impl Engine {
    /// Starts `wbauto engine --listen 127.0.0.1:PORT` with `extra` flags, output discarded.
    pub fn spawn(s: &Setup, extra: &[&str]) -> Self {
        Self::spawn_on(s, free_port(), extra)
    }

    /// The same on `port`.
    pub fn spawn_on(s: &Setup, port: u16, extra: &[&str]) -> Self {
        let mut cmd = Self::command(s, &format!("127.0.0.1:{port}"), extra);
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        Self::start(cmd, port)
    }

    /// `wbauto engine --listen LISTEN EXTRA`, to adjust before [`Engine::start`].
    pub fn command(s: &Setup, listen: &str, extra: &[&str]) -> Command {
        let mut args = vec!["engine", "--listen", listen];
        args.extend_from_slice(extra);
        s.command(&args)
    }

    /// Starts `cmd`, an engine reachable on loopback at `port`.
    pub fn start(mut cmd: Command, port: u16) -> Self {
        Self {
            child: cmd.spawn().unwrap(),
            port,
        }
    }

    /// Its standard error so far, once it has exited (when it was piped).
    pub fn stderr(&mut self) -> String {
        let mut text = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut text);
        }
        text
    }

    /// `http://127.0.0.1:PORT/PATH`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Waits until its health endpoint answers.
    pub async fn ready(&self) {
        let client = reqwest::Client::new();
        let start = Instant::now();
        while client.get(self.url("/v1/health")).send().await.is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the engine did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends a signal and waits for the exit (at most `within`): its code and how long it took.
    pub fn signal(&mut self, signal: i32, within: Duration) -> (Option<i32>, Duration) {
        // SAFETY: sends a signal to the child this test started.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code(), start.elapsed());
            }
            if start.elapsed() > within {
                return (None, start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills it at once (SIGKILL).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs a command that should end by itself within `timeout`; `None` when it did not (it is
/// killed).
pub fn finishes(mut cmd: Command, timeout: Duration) -> Option<Run> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            return Some(Run {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).into(),
                stderr: String::from_utf8_lossy(&out.stderr).into(),
            });
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs a command that must exit 1 within 10 s with `expected` in its standard error; returns
/// that standard error.
pub fn refused_at_once(cmd: Command, expected: &str) -> String {
    let r = finishes(cmd, Duration::from_secs(10)).expect("it exits at once");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(expected), "{}", r.stderr);
    r.stderr
}

/// The engine's health answer: its status and JSON.
pub async fn health(engine: &Engine) -> (u16, Value) {
    let answer = reqwest::get(engine.url("/v1/health")).await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap())
}

/// POSTs `body` to the engine's events with `token` (if any) and JSON content; the status and
/// the JSON answer (failing after a minute without one).
pub async fn post(engine: &Engine, token: Option<&str>, body: &str) -> (u16, Value) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let mut req = client
        .post(engine.url("/v1/events"))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let answer = req.send().await.unwrap();
    let status = answer.status().as_u16();
    let text = answer.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The run-log fixtures made by the real SDK (every scenario, or those named in `only`), copied
/// under `dir/wandb` as `wandb` lays them out, with their logs older than the staleness limit (so
/// a run without an exit counts as crashed).
pub fn copy_runlogs(dir: &Path, only: &[&str]) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runlogs");
    let to = dir.join("wandb");
    let old = std::time::SystemTime::now() - Duration::from_secs(3_600);
    for scenario in std::fs::read_dir(&from).unwrap() {
        let scenario = scenario.unwrap().path();
        let name = scenario.file_name().unwrap().to_string_lossy().to_string();
        if !only.is_empty() && !only.contains(&name.as_str()) {
            continue;
        }
        for run in std::fs::read_dir(&scenario).unwrap() {
            let run = run.unwrap().path();
            if !run.is_dir() {
                continue;
            }
            let target = to.join(run.file_name().unwrap());
            std::fs::create_dir_all(target.join("logs")).unwrap();
            std::fs::copy(run.join("logs/debug.log"), target.join("logs/debug.log")).unwrap();
            for f in std::fs::read_dir(&run).unwrap() {
                let f = f.unwrap().path();
                if f.is_file() {
                    let dest = target.join(f.file_name().unwrap());
                    std::fs::copy(&f, &dest).unwrap();
                    std::fs::File::options()
                        .write(true)
                        .open(&dest)
                        .unwrap()
                        .set_modified(old)
                        .unwrap();
                }
            }
        }
    }
    to
}
