//! Running the real `wbauto` binary in tests, with a clean W&B environment.
// Each test crate uses a different part of this module.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a run of the binary produced.
pub struct Run {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `wbauto ARGS` with `home` as HOME, data and state directory, no W&B settings but `envs`,
/// and `stdin` as standard input.
pub fn run(home: &Path, args: &[&str], envs: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wbauto"));
    cmd.args(args)
        .env("HOME", home)
        .env("WBAUTO_DATA_DIR", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("WANDB_API_KEY")
        .env_remove("WANDB_BASE_URL")
        .env_remove("WANDB_ENTITY")
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the wbauto binary runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("wbauto finishes");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

/// The example automation files, sorted.
pub fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/automations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("examples")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

/// Runs `wbauto ARGS` on the W&B backend at `url` (a fake server), as `--entity acme` with trace
/// logging, with `key` as the API key and `retries` HTTP retries.
pub fn wandb(
    url: &str,
    home: &Path,
    args: &[&str],
    key: &str,
    retries: &str,
    stdin: Option<&str>,
) -> Run {
    let mut all = vec![
        "--backend",
        "wandb",
        "--base-url",
        url,
        "--entity",
        "acme",
        "--log-level",
        "trace",
    ];
    all.extend_from_slice(args);
    run(
        home,
        &all,
        &[("WANDB_API_KEY", key), ("WBAUTO_HTTP_RETRIES", retries)],
        stdin,
    )
}
