//! The real binary on a temporary data directory: every subcommand, exit codes and one-line errors.

use serde_json::Value;
use std::path::Path;
use wbauto::file::{Format, parse_text};

use crate::support::binary;

use binary::{Run, examples};

fn wbauto(data: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    binary::run(data, args, &[], stdin)
}

fn ok(data: &Path, args: &[&str]) -> String {
    let r = wbauto(data, args, None);
    assert_eq!(
        r.code, 0,
        "wbauto {args:?} failed: {}{}",
        r.stdout, r.stderr
    );
    r.stdout
}

fn fails(data: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let r = wbauto(data, args, stdin);
    assert_eq!(
        r.code, 1,
        "wbauto {args:?} should fail with 1: {}{}",
        r.stdout, r.stderr
    );
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    assert_eq!(
        r.stderr.trim_end().lines().count(),
        1,
        "one-line error expected: {}",
        r.stderr
    );
    r.stderr
}

fn ok_stdin(data: &Path, args: &[&str], stdin: &str) -> String {
    let r = wbauto(data, args, Some(stdin));
    assert_eq!(
        r.code, 0,
        "wbauto {args:?} failed: {}{}",
        r.stdout, r.stderr
    );
    r.stdout
}

fn count(data: &Path, entity: &str) -> usize {
    let out = ok(data, &["list", "--json", "--entity", entity]);
    serde_json::from_str::<Vec<Value>>(&out).unwrap().len()
}

#[test]
fn bare_wbauto_and_list_show_the_demo_team() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &[]);
    assert!(
        out.contains("loss-spike") && out.contains("project acme/vision"),
        "{out}"
    );
    let list = ok(dir.path(), &["list"]);
    assert!(list.lines().count() >= 13, "{list}");
    let json: Vec<Value> = serde_json::from_str(&ok(dir.path(), &["list", "--json"])).unwrap();
    assert!(
        json.iter()
            .all(|a| a["id"].is_string() && a["created_at"].is_string())
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("local.db"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn every_example_creates_and_shows_back_as_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    for file in examples() {
        let path = file.to_str().unwrap();
        let dry = ok(dir.path(), &["create", "-f", path, "--dry-run"]);
        assert!(
            dry.contains("\"input\"") && dry.contains("eventFilter"),
            "{dry}"
        );
        let created = ok(dir.path(), &["create", "-f", path]);
        assert!(created.starts_with("created "), "{created}");
        let text = std::fs::read_to_string(&file).unwrap();
        for original in parse_text(&text, Format::for_path(&file)).unwrap() {
            let entity = original.scope.path.entity().to_string();
            let shown = ok(
                dir.path(),
                &["show", &original.name, "--yaml", "--entity", &entity],
            );
            let mut back = parse_text(&shown, Format::Yaml).unwrap().remove(0);
            assert!(back.id.take().is_some(), "show writes the id");
            let mut expected = original.clone();
            if let (Some(a), Some(b)) = (
                expected.action.integration_mut(),
                back.action.integration_mut(),
            ) {
                assert_eq!(
                    a.label.trim_start_matches(&format!("{entity}/")),
                    b.label,
                    "{path}"
                );
                *a = b.clone();
            }
            assert_eq!(back, expected, "{path} did not round-trip:\n{shown}");
        }
    }
}

#[test]
fn bad_files_get_one_line_errors_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let before = count(dir.path(), "acme");
    let base = "name: x\nscope: {project: acme/vision}\nevent: {type: run_metric_threshold, metric: loss, cmp: '>', threshold: 1}\naction: {type: slack, integration: '#ml-alerts'}\n";
    let cases = [
        (
            base.replace("name: x", "name: x\ncolour: red"),
            "colour: unknown key",
        ),
        (
            base.replace("threshold: 1}", "threshold: 1, window: -3}"),
            "event.window: a window counts logged values",
        ),
        (
            base.replace("#ml-alerts", "#nowhere"),
            "action.integration: no Slack integration named \"#nowhere\"",
        ),
        (
            base.replace("name: x", "name: loss-spike"),
            "already used by another automation in project acme/vision",
        ),
        (
            base.replace("acme/vision", "acme/nope"),
            "scope: there is no project nope in acme",
        ),
        ("name: [unclosed\n".to_string(), "not valid YAML: line"),
        (
            base.replace("cmp: '>'", "cmp: '=>'"),
            "event.cmp: \"=>\" is not one of",
        ),
    ];
    // Problems point at their line and column; the words are checked without them.
    let located = regex::Regex::new(r" at line \d+, column \d+:").unwrap();
    for (text, expected) in cases {
        let err = fails(dir.path(), &["create", "-f", "-"], Some(&text));
        let words = located.replace_all(&err, ":");
        assert!(words.contains(expected), "expected {expected:?} in {err}");
    }
    let json_err = fails(
        dir.path(),
        &["create", "-f", "-"],
        Some("{\"name\": \"x\",\n  \"scope\": }"),
    );
    assert!(
        json_err.contains("not valid JSON: line 2, column"),
        "{json_err}"
    );
    assert_eq!(
        count(dir.path(), "acme"),
        before,
        "a failed create must not write"
    );
}

#[test]
fn a_list_file_is_checked_whole_before_anything_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let before = count(dir.path(), "acme");
    let batch = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/automations/batch.json"),
    )
    .unwrap();
    let broken = batch.replace("\"ci-deploy\"", "\"no-such-hook\"");
    let err = fails(dir.path(), &["create", "-f", "-"], Some(&broken));
    assert!(
        err.contains("[0] dataset-created") && err.contains("no webhook integration named"),
        "{err}"
    );
    assert_eq!(count(dir.path(), "acme"), before);
    // Run again after a fix, and once more: what exists as the file says is skipped.
    let made = wbauto(dir.path(), &["create", "-f", "-"], Some(&batch));
    assert_eq!(made.code, 0, "{}", made.stderr);
    let after = count(dir.path(), "acme");
    assert!(after > before);
    let again = wbauto(dir.path(), &["create", "-f", "-"], Some(&batch));
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.contains("nothing to create")
            && again.stderr.contains("unchanged dataset-created"),
        "{}{}",
        again.stdout,
        again.stderr
    );
    // A different automation under a taken name is still refused, before anything is written.
    let changed = batch.replacen("\"ci-deploy\"", "\"github-dispatch\"", 1);
    assert_ne!(changed, batch);
    let err = fails(dir.path(), &["create", "-f", "-"], Some(&changed));
    assert!(
        err.contains("already used") && err.contains("nothing was created"),
        "{err}"
    );
    assert_eq!(count(dir.path(), "acme"), after);
}

#[test]
fn a_corrupt_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("local.db"), vec![7u8; 4096]).unwrap();
    let err = fails(dir.path(), &["list"], None);
    assert!(
        err.contains("cannot be used") && err.contains("mv "),
        "{err}"
    );
}

#[test]
fn enable_disable_delete_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(ok(d, &["disable", "loss-spike"]).contains("disabled loss-spike"));
    assert!(ok(d, &["disable", "loss-spike"]).contains("already disabled"));
    let shown: Value = serde_json::from_str(&ok(d, &["show", "loss-spike", "--json"])).unwrap();
    assert_eq!(shown["enabled"], false);
    let id = shown["id"].as_str().unwrap().to_string();
    assert!(ok(d, &["enable", &id]).contains("enabled loss-spike"));
    let err = fails(d, &["disable", "nightly-retrain-launch"], None);
    assert!(err.contains("read-only"), "{err}");
    let err = fails(d, &["enable", "loss"], None);
    assert!(
        err.contains("no automation named \"loss\"") && err.contains("did you mean"),
        "{err}"
    );
    // Without a terminal and without --yes, nothing is deleted.
    let err = fails(d, &["delete", "loss-spike"], None);
    assert!(err.contains("--yes"), "{err}");
    assert!(ok(d, &["show", "loss-spike"]).contains("loss-spike"));
    assert!(ok(d, &["delete", "loss-spike", "--yes"]).contains("deleted loss-spike"));
    fails(d, &["show", "loss-spike"], None);
    // Read-only mode refuses writes.
    let err = fails(d, &["--read-only", "disable", "gpu-too-hot"], None);
    assert!(err.contains("read-only mode"), "{err}");
    // Usage errors exit 2.
    assert_eq!(wbauto(d, &["frobnicate"], None).code, 2);
    assert_eq!(wbauto(d, &["list", "--bogus"], None).code, 2);
    assert_eq!(wbauto(d, &["list", "--project", "a/b/c"], None).code, 2);
}

#[test]
fn update_by_id_renames_and_by_name_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shown = ok(d, &["show", "gpu-too-hot", "--yaml"]);
    let renamed = shown
        .replace("name: gpu-too-hot", "name: gpu-temperature")
        .replace("threshold: 85", "threshold: 90");
    let dry = wbauto(d, &["update", "-f", "-", "--dry-run"], Some(&renamed));
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains("\"id\"") && dry.stdout.contains("\\\"threshold\\\":90"),
        "{}",
        dry.stdout
    );
    let r = wbauto(d, &["update", "-f", "-"], Some(&renamed));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(ok(d, &["show", "gpu-temperature"]).contains("reaches or goes above 90"));
    fails(d, &["show", "gpu-too-hot"], None);
    // Without an id, the name in the scope picks the automation; a missing one says to create it.
    let by_name = renamed
        .lines()
        .filter(|l| !l.starts_with("id:"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("threshold: 90", "threshold: 95");
    let r = wbauto(d, &["update", "-f", "-"], Some(&by_name));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let err = fails(
        d,
        &["update", "-f", "-"],
        Some(&by_name.replace("gpu-temperature", "never-made")),
    );
    assert!(err.contains("use `wbauto create -f`"), "{err}");
    // By the id of an automation deleted elsewhere: the store says so, nothing is made.
    let gone = ok(d, &["show", "gpu-temperature", "--json"]);
    ok(d, &["delete", "gpu-temperature", "--yes"]);
    let err = fails(d, &["update", "-f", "-"], Some(&renamed));
    assert!(
        err.contains("gpu-temperature: it was deleted elsewhere") && err.contains("create -f"),
        "{err}"
    );
    fails(d, &["show", "gpu-temperature"], None);
    // In a list, the message says which were updated before it.
    let kept =
        ok(d, &["show", "loss-spike", "--json"]).replace("\"enabled\": true", "\"enabled\": false");
    assert!(kept.contains("\"enabled\": false"), "{kept}");
    let err = fails(
        d,
        &["update", "-f", "-"],
        Some(&format!("[{kept}, {gone}]")),
    );
    assert!(
        err.contains("gpu-temperature: it was deleted elsewhere")
            && err.contains("the 1 above were updated, the rest were not"),
        "{err}"
    );
}

#[test]
fn update_of_an_unchanged_file_sends_nothing_and_keeps_updated_at() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shown = ok(d, &["show", "gpu-too-hot", "--yaml"]);
    let stamp = |d: &Path| {
        let json: Value = serde_json::from_str(&ok(d, &["show", "gpu-too-hot", "--json"])).unwrap();
        json["updated_at"].clone()
    };
    let before = stamp(d);
    let out = ok_stdin(d, &["update", "-f", "-"], &shown);
    assert_eq!(out, "unchanged gpu-too-hot in project acme/speech\n");
    assert_eq!(stamp(d), before, "nothing was sent");
    // Without the id, by name: the same.
    let by_name: String = shown
        .lines()
        .filter(|l| !l.starts_with("id:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let out = ok_stdin(d, &["update", "-f", "-"], &by_name);
    assert_eq!(out, "unchanged gpu-too-hot in project acme/speech\n");
    let out = ok_stdin(
        d,
        &["update", "-f", "-"],
        &shown.replace("threshold: 85", "threshold: 86"),
    );
    assert!(out.starts_with("updated gpu-too-hot"), "{out}");
}

#[test]
fn a_payload_variable_the_event_lacks_is_refused_naming_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = "name: with-run-id
scope:
  project: acme/nlp
event:
  type: run_state
  states: [finished]
action:
  type: webhook
  integration: ci-deploy
  payload:
    run: ${run_name}
    id: ${run_id}
";
    for command in ["create", "update"] {
        let err = fails(d, &[command, "-f", "-"], Some(file));
        assert!(
            err.contains("${run_id} is not a variable of a run state event")
                && err.contains("${run_name}"),
            "{err}"
        );
    }
    let fine = file.replace("    id: ${run_id}\n", "");
    ok_stdin(d, &["create", "-f", "-"], &fine);
}

#[test]
fn export_writes_private_files_that_create_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("exported");
    assert!(
        ok(
            d,
            &[
                "export",
                "--project",
                "acme/vision",
                "--dir",
                out.to_str().unwrap()
            ]
        )
        .contains("exported 9")
    );
    let file = out.join("loss-spike.yaml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("name: loss-spike", "name: loss-spike-copy");
    let r = wbauto(d, &["create", "-f", "-"], Some(&text));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("the file's id is ignored"),
        "{}",
        r.stderr
    );
    let all = ok(d, &["export"]);
    assert!(parse_text(&all, Format::Yaml).unwrap().len() >= 16);
}

#[test]
fn integrations_list_and_add() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let list = ok(d, &["integrations"]);
    assert!(
        list.contains("#ml-alerts") && list.contains("ci-deploy"),
        "{list}"
    );
    assert!(
        !list.contains("hooks.slack.com"),
        "Slack webhook URLs are secrets: {list}"
    );
    assert!(
        ok(
            d,
            &[
                "integrations",
                "add-webhook",
                "pager duty",
                "https://events.example.com/x"
            ]
        )
        .contains("pager duty")
    );
    let err = fails(
        d,
        &["integrations", "add-webhook", "bad.name", "ftp://x"],
        None,
    );
    assert!(
        err.contains("not a valid webhook name") && err.contains("https://"),
        "{err}"
    );
    let err = fails(
        d,
        &[
            "integrations",
            "add-webhook",
            "ci-deploy",
            "https://x.example.com",
        ],
        None,
    );
    assert!(err.contains("already has a webhook ci-deploy"), "{err}");
    assert!(
        ok(
            d,
            &[
                "integrations",
                "add-slack",
                "#new",
                "--webhook-url",
                "https://hooks.slack.com/services/a/b/c"
            ]
        )
        .contains("#new")
    );
    let json: Vec<Value> = serde_json::from_str(&ok(d, &["integrations", "--json"])).unwrap();
    assert_eq!(json.len(), 6);
    let doctor = ok(d, &["doctor"]);
    assert!(
        doctor.contains("local (no W&B API key was found")
            && doctor.contains("in acme (0 unreadable)"),
        "{doctor}"
    );
}

#[test]
fn control_characters_are_refused_on_input_and_escaped_on_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["list"]);
    let file = d.join("bad.json");
    std::fs::write(
        &file,
        r#"{"name": "qa\u001b[31mred", "scope": {"project": "acme/vision"}, "event": {"type": "run_state", "states": ["failed"]}, "action": {"type": "no_op"}}"#,
    )
    .unwrap();
    let err = fails(d, &["create", "-f", file.to_str().unwrap()], None);
    assert!(err.contains("control character"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "the error itself is escaped: {err:?}"
    );
    // A name with an escape already stored (by another client) is shown escaped, one line a row.
    let db = rusqlite::Connection::open(d.join("local.db")).unwrap();
    db.execute("UPDATE automations SET name = 'qa' || char(27) || '[31mred' || char(10) || 'x' WHERE name = 'loss-spike'", []).unwrap();
    drop(db);
    let listed = ok(d, &["list"]);
    assert!(!listed.contains('\u{1b}'), "{listed:?}");
    assert!(listed.contains("qa\\u{1b}[31mred\\nx"), "{listed}");
    assert_eq!(
        listed.lines().count(),
        18,
        "one line a row, plus the header"
    );
    let shown = ok(d, &["show", "qa\u{1b}[31mred\nx"]);
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
}

#[test]
fn an_invalid_regex_is_refused_with_the_regex_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("bad.yaml");
    std::fs::write(
        &file,
        "name: bad-regex\nscope: {project: acme/vision}\nevent: {type: run_state, states: [failed], run_filter: {display_name: {$regex: \"sweep-(\"}}}\naction: {type: no_op}\n",
    )
    .unwrap();
    let err = fails(d, &["create", "-f", file.to_str().unwrap()], None);
    assert!(
        err.contains("not a valid regular expression") && err.contains("unclosed group"),
        "{err}"
    );
}

#[test]
fn a_database_truncated_to_nothing_gets_the_demo_back() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["list"]);
    std::fs::write(d.join("local.db"), b"").unwrap();
    let r = wbauto(d, &["list", "--json"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("had no data"), "{}", r.stderr);
    let all: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(all.len(), 17);
    let again = wbauto(d, &["list"], None);
    assert!(again.stderr.is_empty(), "seeded once: {}", again.stderr);
    // doctor says what it found.
    std::fs::write(d.join("local.db"), b"").unwrap();
    let doctor = wbauto(d, &["doctor"], None);
    assert_eq!(doctor.code, 0, "{}", doctor.stderr);
    assert!(doctor.stderr.contains("had no data"), "{}", doctor.stderr);
    assert!(
        doctor.stdout.contains(
            "database      schema 5, 3 entities, 19 automations, 5 integrations, 14 recorded runs"
        ),
        "{}",
        doctor.stdout
    );
}

fn batch_of(n: usize, taken_at: Option<usize>) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            let name = if Some(i) == taken_at { "loss-spike".to_string() } else { format!("batch-{i:04}") };
            format!(r#"{{"name": "{name}", "scope": {{"project": "acme/vision"}}, "event": {{"type": "run_state", "states": ["failed"]}}, "action": {{"type": "no_op"}}}}"#)
        })
        .collect();
    format!("[{}]", items.join(",\n"))
}

#[test]
fn a_batch_with_a_taken_name_in_the_middle_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let before = count(d, "acme");
    let err = fails(d, &["create", "-f", "-"], Some(&batch_of(5, Some(2))));
    assert!(
        err.contains("loss-spike") && err.contains("nothing was created"),
        "{err}"
    );
    assert_eq!(count(d, "acme"), before, "all or nothing");
    // The same file without the clash creates all of it, in one go.
    let out = ok_stdin(d, &["create", "-f", "-"], &batch_of(5, None));
    assert_eq!(out.lines().count(), 5);
    assert_eq!(count(d, "acme"), before + 5);
}

#[test]
fn a_batch_killed_midway_stores_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let before = count(d, "acme");
    let file = d.join("batch.json");
    std::fs::write(&file, batch_of(500, None)).unwrap();
    for delay in [10u64, 60, 150, 300, 600] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wbauto"))
            .args(["create", "-f", file.to_str().unwrap()])
            .env("HOME", d)
            .env("WBAUTO_DATA_DIR", d)
            .env_remove("WANDB_API_KEY")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let now = count(d, "acme");
        assert!(
            now == before || now == before + 500,
            "after {delay} ms: {} of 500 created",
            now - before
        );
        if status.success() {
            break;
        }
    }
}

#[test]
fn endless_input_is_refused_at_its_cap() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails(dir.path(), &["create", "-f", "/dev/zero"], None);
    assert!(err.contains("over 16 MiB"), "{err}");
}

/// A broken `config.toml` is reported by every command that reads it (file, line, setting and
/// what is used instead), and the command still runs on the defaults of what was wrong.
#[test]
fn a_broken_config_is_reported_by_list_doctor_and_engine() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "theme = \"pink\"\ndefault_entity = \"acme\"\n[engine]\nburst = \"lots\"\n",
    )
    .unwrap();
    let file = config.display().to_string();
    let expected = [
        format!("warning: config {file}, line 4, engine.burst: "),
        format!("warning: config {file}, line 1, theme: "),
    ];
    let reported = |stderr: &str, command: &str| {
        for e in &expected {
            assert!(stderr.contains(e.as_str()), "{command}: {e:?} in {stderr}");
        }
        assert!(
            stderr.contains("; using its default, 10"),
            "{command}: {stderr}"
        );
        assert!(
            stderr.contains("; using the default theme"),
            "{command}: {stderr}"
        );
    };
    let envs = [("WBAUTO_CONFIG", file.as_str())];
    for args in [&["list"][..], &["doctor"], &["history"]] {
        let r = binary::run(dir.path(), args, &envs, None);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
        reported(&r.stderr, args[0]);
    }
    let doctor = binary::run(dir.path(), &["doctor"], &envs, None).stdout;
    assert!(
        doctor.contains(&format!("config        {file}")),
        "{doctor}"
    );
    assert!(
        doctor.contains("acme (from default_entity in config.toml)"),
        "the rest of the file counts: {doctor}"
    );
    // The engine says so at start, then runs.
    let mut engine = std::process::Command::new(env!("CARGO_BIN_EXE_wbauto"))
        .args(["engine", "--listen", "127.0.0.1:0"])
        .env("HOME", dir.path())
        .env("WBAUTO_DATA_DIR", dir.path())
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("WBAUTO_CONFIG", &config)
        .env_remove("WANDB_API_KEY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = engine.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while lines.len() < 2 {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => lines.push(line),
            Err(_) => break,
        }
    }
    engine.kill().unwrap();
    engine.wait().unwrap();
    reported(&lines.join("\n"), "engine");
}

#[test]
fn an_entity_that_does_not_exist_is_refused_naming_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--entity", "nosuch", "list"][..],
        &["show", "loss-spike", "--entity", "nosuch"],
    ] {
        let err = fails(dir.path(), args, None);
        assert!(
            err.contains("there is no entity named nosuch; the entities you can use: acme, ada"),
            "{err}"
        );
    }
    assert!(ok(dir.path(), &["--entity", "ada", "list"]).contains("no automations in ada"));
}

#[test]
fn listing_a_project_that_does_not_exist_fails_and_an_empty_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["list", "--project", "nosuch"][..],
        &["list", "--project", "acme/nosuch", "--json"],
    ] {
        let err = fails(dir.path(), args, None);
        assert!(
            err.contains("no project acme/nosuch")
                && err.contains("the projects of acme: nlp, speech, vision"),
            "{err}"
        );
    }
    let out = ok(dir.path(), &["list", "--project", "speech", "--json"]);
    let names: Vec<String> = serde_json::from_str::<Vec<Value>>(&out)
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    let mut delete = vec!["delete", "--yes"];
    delete.extend(names.iter().map(String::as_str));
    ok(dir.path(), &delete);
    let out = ok(dir.path(), &["list", "--project", "speech"]);
    assert!(
        out.contains("no automations in acme (project speech)"),
        "{out}"
    );
}
