//! The real binary in a real terminal (tmux): open on a temporary data dir, toggle an automation,
//! check with `wbauto list --json` that it is stored, quit, and check the terminal was restored.

use crate::support::binary;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Asserts the pane left the alternate screen and shows its cursor again.
    fn assert_restored(&self, what: &str) {
        let status = self.run(&[
            "display",
            "-p",
            "-t",
            "e2e",
            "#{alternate_on} #{cursor_flag}",
        ]);
        assert_eq!(
            status.trim(),
            "0 1",
            "{what}: alternate screen left and cursor shown again"
        );
    }

    /// Filters the list to loss-spike, opens its detail and goes to the Backtest tab.
    fn open_loss_spike_backtest(&self) {
        self.keys(&["/"]);
        self.keys(&["loss-spike"]);
        self.keys(&["Enter"]);
        self.wait_for("the filtered list", |s| s.contains("1/17 shown"));
        self.keys(&["Enter"]);
        self.wait_for("the detail", |s| s.contains("Backtest"));
        for _ in 0..4 {
            self.keys(&["Tab"]);
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.run(&args);
        std::thread::sleep(Duration::from_millis(150));
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

/// Starts wbauto in a fresh tmux server on a temporary data dir; `env` adds variables. After
/// wbauto exits, the shell prints its status and waits, so the terminal's state (alternate
/// screen, cursor) can be read from a live pane.
fn start(name: &str, h: &Path, env: &str) -> Tmux {
    start_then(name, h, env, "")
}

/// [`start`], running `after` in the shell once wbauto has exited.
fn start_then(name: &str, h: &Path, env: &str, after: &str) -> Tmux {
    let version = Command::new("tmux").arg("-V").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "this test needs tmux (.ci/run installs it)"
    );
    let tmux = Tmux {
        socket: format!("wbauto-{name}-{}", std::process::id()),
    };
    let command = format!(
        "env -u WANDB_API_KEY HOME={home} WBAUTO_DATA_DIR={home} XDG_STATE_HOME={home}/state XDG_CONFIG_HOME={home}/config {env} {bin}; echo \"wbauto exited with $?\"; {after} sleep 30",
        home = shell_quote(h),
        bin = shell_quote(Path::new(env!("CARGO_BIN_EXE_wbauto")))
    );
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "120",
        "-y",
        "40",
        &command,
    ]);
    tmux
}

#[test]
fn toggle_in_a_real_terminal_is_stored_and_the_terminal_is_restored() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let tmux = start("toggle", h, "");
    let first = tmux.wait_for("the demo list", |s| {
        s.contains("gpu-too-hot") && s.contains("enter open")
    });
    assert!(
        first.contains("local local.db") && first.contains("acme"),
        "{first}"
    );
    assert_eq!(
        tmux.run(&["display", "-p", "-t", "e2e", "#{alternate_on}"])
            .trim(),
        "1",
        "the dashboard uses the alternate screen"
    );

    tmux.keys(&["/"]);
    tmux.keys(&["gpu"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the filtered list", |s| {
        s.contains("1/17 shown") || s.contains("/gpu")
    });
    tmux.keys(&["t"]);
    let toggled = tmux.wait_for("the toggle's toast", |s| s.contains("disabled gpu-too-hot"));
    assert!(
        toggled.contains("○"),
        "the row shows the off glyph:\n{toggled}"
    );

    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    let after = tmux.wait_for("wbauto to exit", |s| s.contains("wbauto exited with"));
    assert!(after.contains("wbauto exited with 0"), "{after}");
    assert!(
        !after.contains("gpu-too-hot"),
        "the dashboard's screen is gone:\n{after}"
    );
    tmux.assert_restored("q");

    let listed = binary::run(h, &["list", "--json"], &[], None);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let all: Vec<serde_json::Value> = serde_json::from_str(&listed.stdout).unwrap();
    let gpu = all.iter().find(|a| a["name"] == "gpu-too-hot").unwrap();
    assert_eq!(gpu["enabled"], false, "the toggle was stored");
    assert!(
        all.iter()
            .filter(|a| a["name"] != "gpu-too-hot")
            .all(|a| a["enabled"] == (a["name"] != "unlink-audit")),
        "nothing else changed"
    );
}

#[test]
fn edit_as_a_file_in_the_editor_saves_after_review() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let editor = h.join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsed -i 's/threshold: 85/threshold: 90/' \"$1\"\n",
    )
    .unwrap();
    Command::new("chmod")
        .arg("755")
        .arg(&editor)
        .status()
        .unwrap();
    let tmux = start("edit", h, &format!("EDITOR={}", shell_quote(&editor)));
    tmux.wait_for("the demo list", |s| {
        s.contains("gpu-too-hot") && s.contains("enter open")
    });
    tmux.keys(&["/"]);
    tmux.keys(&["gpu"]);
    tmux.keys(&["Enter"]);
    tmux.keys(&["E"]);
    let review = tmux.wait_for("the review", |s| s.contains("review edit"));
    assert!(
        review.contains("-   threshold: 85") && review.contains("+   threshold: 90"),
        "{review}"
    );
    tmux.keys(&["Tab"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the saved toast", |s| s.contains("saved gpu-too-hot"));
    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    let after = tmux.wait_for("wbauto to exit", |s| s.contains("wbauto exited with"));
    assert!(after.contains("wbauto exited with 0"), "{after}");
    let shown = binary::run(h, &["show", "gpu-too-hot", "--json"], &[], None);
    let json: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(json["event"]["threshold"], 90);
}

/// From the demo list: `n`, the start template reached with `to_template`, and the first
/// project picked on the Scope step.
fn open_wizard_on_a_project(tmux: &Tmux, to_template: &[&str]) {
    tmux.wait_for("the demo list", |s| {
        s.contains("gpu-too-hot") && s.contains("enter open")
    });
    tmux.keys(&["n"]);
    tmux.wait_for("the start step", |s| {
        s.contains("Slack me when a run fails")
    });
    if !to_template.is_empty() {
        tmux.keys(to_template);
    }
    tmux.keys(&["Enter"]);
    tmux.wait_for("the scope step", |s| s.contains("New automation — Scope"));
    tmux.keys(&["Tab"]);
    tmux.keys(&["Tab"]);
    tmux.wait_for("the project choices", |s| s.contains("to pick from"));
    tmux.keys(&["Right"]);
}

#[test]
fn the_wizard_creates_an_automation_with_keys_only() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let tmux = start("wizard", h, "");
    open_wizard_on_a_project(&tmux, &[]);
    for step in ["Event", "Condition", "Action"] {
        tmux.keys(&["PageDown"]);
        tmux.wait_for(step, |s| s.contains(&format!("New automation — {step}")));
    }
    tmux.keys(&["Tab"]);
    tmux.keys(&["Right"]);
    tmux.keys(&["PageDown"]);
    tmux.wait_for("Details", |s| s.contains("New automation — Details"));
    tmux.keys(&["BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace"]);
    tmux.keys(&["e2e-failed"]);
    tmux.keys(&["PageDown"]);
    let review = tmux.wait_for("Review", |s| s.contains("New automation — Review"));
    assert!(
        review.contains("In project acme/nlp, fires when a run is failed"),
        "{review}"
    );
    tmux.keys(&["BTab"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the created toast", |s| {
        s.contains("created run-e2e-failed")
    });
    tmux.keys(&["q"]);
    tmux.wait_for("wbauto to exit", |s| s.contains("wbauto exited with 0"));
    let shown = binary::run(h, &["show", "run-e2e-failed", "--json"], &[], None);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let json: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(json["scope"]["project"], "acme/nlp");
    assert_eq!(json["event"]["states"], serde_json::json!(["failed"]));
    assert_eq!(json["action"]["integration"], "#ml-alerts");
    assert_eq!(json["action"]["severity"], "error");
}

#[test]
fn a_wizard_killed_midway_is_offered_back_on_the_next_start() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let tmux = start("draft", h, "");
    open_wizard_on_a_project(&tmux, &["Down"]);
    tmux.keys(&["PageDown"]);
    tmux.keys(&["PageDown"]);
    tmux.wait_for("the condition step", |s| {
        s.contains("New automation — Condition")
    });
    tmux.keys(&["_killed"]);
    std::thread::sleep(Duration::from_millis(500));
    // The terminal session drops: SIGHUP to wbauto's process group, as when SSH goes away.
    let pid = tmux.run(&["display", "-p", "-t", "e2e", "#{pane_pid}"]);
    Command::new("pkill")
        .args(["-KILL", "-P", pid.trim()])
        .status()
        .unwrap();
    tmux.wait_for("wbauto to die", |s| s.contains("wbauto exited with"));
    assert!(
        h.join("wizard-draft.json").exists(),
        "the draft was saved before the crash"
    );
    drop(tmux);
    let tmux = start("draft2", h, "");
    tmux.wait_for("the list again", |s| {
        s.contains("gpu-too-hot") && s.contains("enter open")
    });
    tmux.keys(&["n"]);
    let offered = tmux.wait_for("the draft offered", |s| s.contains("Resume the draft"));
    assert!(
        offered.contains("Resume the draft: loss_killed-threshold (at Condition)"),
        "{offered}"
    );
    tmux.keys(&["Enter"]);
    let resumed = tmux.wait_for("the condition step", |s| {
        s.contains("New automation — Condition")
    });
    assert!(resumed.contains("loss_killed"), "{resumed}");
}

/// The process id of wbauto, the child of the pane's shell.
fn wbauto_pid(tmux: &Tmux) -> i32 {
    let shell = tmux.run(&["display", "-p", "-t", "e2e", "#{pane_pid}"]);
    let shell = shell.trim();
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
    children.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn sigterm_sighup_and_sigint_restore_the_terminal() {
    for (signal, name, code) in [
        (libc::SIGTERM, "term", 143),
        (libc::SIGHUP, "hup", 129),
        (libc::SIGINT, "int", 130),
    ] {
        let home = tempfile::tempdir().unwrap();
        let stty = home.path().join("stty.txt");
        let after = format!("stty -a > {};", shell_quote(&stty));
        let tmux = start_then(&format!("sig{name}"), home.path(), "", &after);
        tmux.wait_for("the demo list", |s| s.contains("gpu-too-hot"));
        // SAFETY: sends a signal to the wbauto process this test started.
        unsafe {
            libc::kill(wbauto_pid(&tmux), signal);
        }
        let after = tmux.wait_for("wbauto to exit", |s| s.contains("wbauto exited with"));
        assert!(
            after.contains(&format!("wbauto exited with {code}")),
            "{name}: {after}"
        );
        // The shell writes the modes just after the exit line: wait for them.
        let start = Instant::now();
        let modes = loop {
            let modes = std::fs::read_to_string(&stty).unwrap_or_default();
            if modes.contains("echo") || start.elapsed() > Duration::from_secs(10) {
                break modes;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let words: Vec<&str> = modes.split([' ', ';', '\n']).collect();
        for mode in ["isig", "icanon", "echo"] {
            assert!(
                words.contains(&mode),
                "{name}: {mode} is off, the tty is still raw:\n{modes}"
            );
        }
        tmux.assert_restored(name);
    }
}

#[test]
fn keys_do_nothing_on_the_too_small_screen() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let tmux = start("small", h, "");
    tmux.wait_for("the demo list", |s| s.contains("gpu-too-hot"));
    tmux.run(&["resize-window", "-t", "e2e", "-x", "40", "-y", "10"]);
    tmux.wait_for("the too-small note", |s| s.contains("too small"));
    for keys in [["t"], ["D"], ["Tab"], ["Enter"]] {
        tmux.keys(&keys);
    }
    tmux.run(&["resize-window", "-t", "e2e", "-x", "120", "-y", "40"]);
    tmux.wait_for("the list again", |s| s.contains("gpu-too-hot"));
    tmux.keys(&["q"]);
    tmux.wait_for("wbauto to exit", |s| s.contains("wbauto exited with 0"));
    let listed = binary::run(h, &["list", "--json"], &[], None);
    let all: Vec<serde_json::Value> = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(all.len(), 17, "nothing was deleted");
    assert_eq!(
        all.iter().filter(|a| a["enabled"] == false).count(),
        1,
        "nothing was toggled"
    );
}

#[test]
fn the_first_frame_comes_at_once_and_q_works_while_w_and_b_does_not_answer() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let hold = std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in silent.incoming().take(8) {
            held.push(s);
        }
    });
    let home = tempfile::tempdir().unwrap();
    let env = format!("WANDB_API_KEY={} WANDB_BASE_URL={url}", "k".repeat(40));
    let tmux = start("silent", home.path(), &env);
    let start = Instant::now();
    let first = tmux.wait_for("the first frame", |s| s.contains("connecting to"));
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "waited {:?} for the first frame",
        start.elapsed()
    );
    assert!(
        first.contains("wandb http://127.0.0.1"),
        "the header says what it waits for:\n{first}"
    );
    tmux.keys(&["j", "k"]);
    tmux.keys(&["q"]);
    let after = tmux.wait_for("wbauto to exit", |s| s.contains("wbauto exited with"));
    assert!(after.contains("wbauto exited with 0"), "{after}");
    assert!(
        !after.contains("jk"),
        "typed keys did not reach the shell:\n{after}"
    );
    drop(hold);
}

#[test]
fn a_refused_port_is_said_on_the_first_screen_and_q_quits() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let home = tempfile::tempdir().unwrap();
    let env = format!(
        "WANDB_API_KEY={} WANDB_BASE_URL=http://127.0.0.1:{port}",
        "k".repeat(40)
    );
    let tmux = start("refused", home.path(), &env);
    let start = Instant::now();
    let screen = tmux.wait_for("the reason", |s| s.contains("refused"));
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
    assert!(screen.contains("could not"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("wbauto to exit", |s| s.contains("wbauto exited with 0"));
}

#[test]
fn the_backtest_tab_judges_the_runs_the_engine_follows() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runlogs");
    let replay = binary::run(h, &["emit", "--run-dir", logs.to_str().unwrap()], &[], None);
    assert_eq!(replay.code, 0, "{}", replay.stderr);
    let tmux = start("backtest", h, "");
    tmux.wait_for("the demo list", |s| {
        s.contains("loss-spike") && s.contains("enter open")
    });
    tmux.open_loss_spike_backtest();
    let judged = tmux.wait_for("a run judged", |s| {
        s.contains("run 1/")
            && (s.contains("would have fired")
                || s.contains("would not have fired")
                || s.contains("never judged"))
    });
    assert!(judged.contains("[ ] other runs"), "{judged}");
    tmux.keys(&["]"]);
    tmux.wait_for("the next run", |s| s.contains("run 2/"));
    // Back to the list, the filter cleared, quit.
    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    let after = tmux.wait_for("wbauto to exit", |s| s.contains("wbauto exited with"));
    assert!(after.contains("wbauto exited with 0"), "{after}");
}

#[test]
fn history_on_wandb_in_a_real_terminal_lists_and_opens_wandbs_executions() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(crate::support::fake_wandb::FakeWandb::demo());
    let home = tempfile::tempdir().unwrap();
    let env = format!(
        "WANDB_API_KEY={} WANDB_BASE_URL={} WANDB_ENTITY=acme",
        crate::support::fake_wandb::API_KEY,
        fake.url
    );
    let tmux = start("history-wandb", home.path(), &env);
    tmux.wait_for("the W&B list", |s| {
        s.contains("wandb http://127.0.0.1") && s.contains("loss-spike")
    });
    tmux.keys(&["h"]);
    let history = tmux.wait_for("W&B's executions", |s| {
        s.contains("history: every automation") && s.contains("release-1")
    });
    assert!(history.contains("sweep-7 (vis007)"), "{history}");
    assert!(history.contains("updated"), "{history}");
    tmux.keys(&["G"]);
    tmux.keys(&["Enter"]);
    let open = tmux.wait_for("an execution opened", |s| s.contains("W&B's records"));
    assert!(open.contains("channel_not_found"), "the oldest: {open}");
    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    let after = tmux.wait_for("wbauto to exit", |s| s.contains("wbauto exited with"));
    assert!(after.contains("wbauto exited with 0"), "{after}");
    tmux.assert_restored("q");
}

#[test]
fn a_broken_config_is_said_in_the_dashboard_naming_file_line_and_setting() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let config = h.join("config.toml");
    std::fs::write(&config, "theme = \"pink\"\n[keys]\nnonsense = \"x\"\n").unwrap();
    let tmux = start(
        "config",
        h,
        &format!("WBAUTO_CONFIG={}", shell_quote(&config)),
    );
    let screen = tmux.wait_for("the config's warnings", |s| {
        s.contains("line 1, theme") && s.contains("line 3, keys.nonsense")
    });
    assert!(screen.contains("config.toml"), "{screen}");
    assert!(screen.contains("default theme"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("wbauto to exit", |s| s.contains("wbauto exited with 0"));
}

/// A new user's first minute, from an empty data directory and no W&B key: the list shows what
/// the demo's engine did in the last day (LAST), History lists it, an execution opens with the
/// receiver's answer, and q leaves.
#[test]
fn a_new_users_first_minute_shows_the_demo_day() {
    let home = tempfile::tempdir().unwrap();
    let tmux = start("first-minute", home.path(), "");
    let list = tmux.wait_for("the demo list with its LAST column", |s| {
        s.contains("LAST") && s.contains("enter open")
    });
    assert!(
        list.contains("✗ 5h"),
        "accuracy-anomaly failed 5 h ago:\n{list}"
    );
    // The Backtest tab charts loss-spike over the demo's recorded runs.
    tmux.open_loss_spike_backtest();
    let chart = tmux.wait_for("the demo's chart", |s| {
        s.contains("run 1/6 sweep-7") && s.contains("would have fired 1 time(s)")
    });
    for words in [
        "█ fired",
        "first at step 1200",
        "✓ agrees with the local engine: both fired 1 time(s), first at step 1200",
    ] {
        assert!(chart.contains(words), "{words}:\n{chart}");
    }
    tmux.keys(&["]"]);
    tmux.wait_for("the next run", |s| s.contains("run 2/6 sweep-5"));
    // Back to the list, the filter cleared.
    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    tmux.wait_for("the whole list", |s| s.contains("17 automations"));
    tmux.keys(&["h"]);
    let history = tmux.wait_for("the demo day in History", |s| {
        s.contains("history:") && s.contains("Slack refused")
    });
    for words in ["test fire", "rate limit", "less", "HTTP 200"] {
        assert!(history.contains(words), "{words}:\n{history}");
    }
    tmux.keys(&["j", "j", "Enter"]);
    let open = tmux.wait_for("the failed execution", |s| {
        s.contains("✗ failed · HTTP 404 · 4 attempt(s)")
    });
    assert!(open.contains("channel_not_found"), "{open}");
    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    tmux.wait_for("wbauto to exit", |s| s.contains("wbauto exited with 0"));
}
