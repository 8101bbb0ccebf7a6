//! The real binary on the W&B backend, against the fake server: every subcommand works, every
//! example file sends the same `variables.input` as the `wandb` SDK (recorded by
//! tools/sdk_oracle.py), and the API key is never shown anywhere.

use crate::support::binary;
use crate::support::fake_wandb;
use crate::support::sdk;

use sdk::{normalized, oracle, with_placeholders};

use binary::{Run, examples};
use fake_wandb::{API_KEY, FakeWandb};
use std::path::{Path, PathBuf};
use wbauto::file::{Format, parse_text};

/// Runs the binary on the W&B backend against `fake` (one HTTP retry).
fn wbauto_with(
    fake: &FakeWandb,
    home: &Path,
    args: &[&str],
    key: &str,
    stdin: Option<&str>,
) -> Run {
    binary::wandb(&fake.url, home, args, key, "1", stdin)
}

fn wbauto(fake: &FakeWandb, home: &Path, args: &[&str], key: &str) -> Run {
    wbauto_with(fake, home, args, key, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_sends_what_the_sdk_sends() {
    let oracle = oracle();
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for file in examples() {
        let before = fake.variables_of("CreateAutomation").len();
        let out = wbauto(
            &fake,
            home.path(),
            &["create", "-f", file.to_str().unwrap()],
            API_KEY,
        );
        assert!(out.code == 0, "{}: {}", file.display(), out.stderr.clone());
        let sent = fake.variables_of("CreateAutomation");
        let text = std::fs::read_to_string(&file).unwrap();
        let automations = parse_text(&text, Format::for_path(&file)).unwrap();
        assert_eq!(sent.len() - before, automations.len());
        for (i, (vars, a)) in sent[before..].iter().zip(&automations).enumerate() {
            let input = with_placeholders(&vars["input"], a);
            let key = format!("{}#{i}", file.file_name().unwrap().to_string_lossy());
            let expected = &oracle["inputs"][&key];
            assert!(
                expected.is_object(),
                "no SDK input recorded for {key}; run tools/sdk_oracle.py"
            );
            assert_eq!(normalized(&input), normalized(expected), "{key}");
            compared += 1;
        }
    }
    assert_eq!(
        compared,
        oracle["inputs"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| !k.starts_with("templates/"))
            .count(),
        "every recorded SDK input was compared"
    );
    let request = fake
        .requests()
        .into_iter()
        .find(|r| r.operation == "CreateAutomation")
        .unwrap();
    assert_eq!(request.body["operationName"], "");
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert!(
        header("user-agent").starts_with("W&B Public Client "),
        "{}",
        header("user-agent")
    );
    assert_eq!(header("use-admin-privileges"), "true");
    assert!(header("authorization").starts_with("Basic "));
}

fn run_ok(fake: &FakeWandb, home: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let out = wbauto_with(fake, home, args, API_KEY, stdin);
    assert_eq!(out.code, 0, "wbauto {args:?}: {}{}", out.stdout, out.stderr);
    out.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_subcommand_works_on_wandb_and_names_resolve_across_scopes() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    assert!(
        run_ok(&fake, h, &["list", "--project", "vision"], None).contains("deploy-on-prod-alias")
    );
    assert!(
        run_ok(&fake, h, &["disable", "gpu-too-hot", "staging-link"], None)
            .contains("disabled staging-link")
    );
    assert!(run_ok(&fake, h, &["enable", "gpu-too-hot"], None).contains("enabled gpu-too-hot"));
    let shown = run_ok(&fake, h, &["show", "gpu-too-hot", "--yaml"], None);
    let edited = shown
        .replace("threshold: 85", "threshold: 90")
        .replace("name: gpu-too-hot", "name: gpu-temperature");
    assert!(
        run_ok(&fake, h, &["update", "-f", "-"], Some(&edited)).contains("updated gpu-temperature")
    );
    assert!(
        run_ok(&fake, h, &["show", "gpu-temperature"], None).contains("reaches or goes above 90")
    );
    // The same name in two scopes: an error that lists both, resolved by --project or the id.
    let copy = "name: loss-spike\nscope: {project: acme/nlp}\nevent: {type: run_state, states: [failed]}\naction: {type: no_op}\n";
    run_ok(&fake, h, &["create", "-f", "-"], Some(copy));
    let out = wbauto(&fake, h, &["show", "loss-spike"], API_KEY);
    let err = out.stderr.clone();
    assert_eq!(out.code, 1);
    assert!(
        err.contains("names 2 automations")
            && err.contains("project acme/vision")
            && err.contains("project acme/nlp"),
        "{err}"
    );
    assert!(
        run_ok(&fake, h, &["show", "loss-spike", "--project", "nlp"], None)
            .contains("a run is failed")
    );
    assert!(
        run_ok(
            &fake,
            h,
            &["delete", "loss-spike", "--project", "acme/nlp", "--yes"],
            None
        )
        .contains("deleted loss-spike (project acme/nlp)")
    );
    assert!(run_ok(&fake, h, &["integrations"], None).contains("github-dispatch"));
    assert!(
        run_ok(
            &fake,
            h,
            &[
                "integrations",
                "add-webhook",
                "pager",
                "https://pager.example.com"
            ],
            None
        )
        .contains("pager")
    );
    let out = wbauto(
        &fake,
        h,
        &[
            "integrations",
            "add-slack",
            "#x",
            "--webhook-url",
            "https://hooks.slack.com/services/a",
        ],
        API_KEY,
    );
    assert!(
        out.stderr.clone().contains("team's settings"),
        "{}",
        out.stderr.clone()
    );
    let doctor = run_ok(&fake, h, &["doctor"], None);
    assert!(
        doctor.contains("wandb (--backend wandb)")
            && doctor.contains("present (from WANDB_API_KEY)"),
        "{doctor}"
    );
    let export = h.join("out");
    assert!(
        run_ok(
            &fake,
            h,
            &["export", "--dir", export.to_str().unwrap()],
            None
        )
        .contains("exported 15")
    );
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            if e.path().is_dir() {
                files_under(&e.path())
            } else {
                vec![e.path()]
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_never_appears_in_output_logs_or_files() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let mut outputs = Vec::new();
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/automations/loss-spike.yaml");
    let export_dir = h.join("export");
    for args in [
        vec!["list"],
        vec!["list", "--json"],
        vec!["doctor"],
        vec!["show", "loss-spike", "--yaml"],
        vec!["disable", "loss-spike"],
        vec!["create", "-f", example.to_str().unwrap(), "--dry-run"],
        vec!["create", "-f", example.to_str().unwrap()],
        vec!["export", "--dir", export_dir.to_str().unwrap()],
        vec!["integrations", "--json"],
        vec!["show", "no-such-automation"],
    ] {
        outputs.push(wbauto(&fake, h, &args, API_KEY));
    }
    let wrong_key = "wrong-0123456789abcdef0123456789abcdef0123";
    let refused = wbauto(&fake, h, &["list"], wrong_key);
    assert_eq!(refused.code, 1);
    let message = refused.stderr.clone();
    assert!(
        message.contains("refused the API key") && message.contains("WANDB_API_KEY"),
        "{message}"
    );
    assert!(!message.contains(wrong_key));
    fake.fault(None, fake_wandb::state::Fault::Status(503));
    fake.fault(None, fake_wandb::state::Fault::Status(503));
    outputs.push(wbauto(&fake, h, &["list"], API_KEY));
    // A key written into --base-url as userinfo is never shown either (doctor, errors, logs).
    let with_userinfo = fake
        .url
        .replacen("http://", &format!("http://user:{API_KEY}@"), 1);
    let refused_port = format!("http://user:{API_KEY}@127.0.0.1:1");
    for (url, args) in [
        (&with_userinfo, vec!["doctor"]),
        (&with_userinfo, vec!["list"]),
        (&refused_port, vec!["list"]),
    ] {
        let run = binary::wandb(url, h, &args, API_KEY, "1", None);
        assert!(
            run.stdout.contains("***@") || run.stderr.contains("***@") || run.code == 0,
            "{}{}",
            run.stdout,
            run.stderr
        );
        outputs.push(run);
    }

    let logs = files_under(&h.join("state"));
    assert!(!logs.is_empty(), "trace logging wrote a log file");
    assert!(
        logs.iter().any(|f| std::fs::read_to_string(f)
            .unwrap_or_default()
            .contains("retrying")),
        "retries are logged"
    );
    for out in &outputs {
        for stream in [&out.stdout, &out.stderr] {
            assert!(!stream.contains(API_KEY), "the key was printed");
        }
    }
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("api:{API_KEY}"));
    for file in files_under(h) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&encoded),
            "the encoded key is in {}",
            file.display()
        );
        assert!(
            !String::from_utf8_lossy(&bytes).contains(API_KEY),
            "the key is in {}",
            file.display()
        );
        assert!(
            !String::from_utf8_lossy(&bytes).contains(wrong_key),
            "the wrong key is in {}",
            file.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_on_wandb_checks_names_first_and_says_what_a_failure_midway_left() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let batch = |names: &[&str]| {
        let items: Vec<String> = names
            .iter()
            .map(|n| format!(r#"{{"name": "{n}", "scope": {{"project": "acme/vision"}}, "event": {{"type": "run_state", "states": ["failed"]}}, "action": {{"type": "no_op"}}}}"#))
            .collect();
        format!("[{}]", items.join(","))
    };
    let clash = wbauto_with(
        &fake,
        h,
        &["create", "-f", "-"],
        API_KEY,
        Some(&batch(&["b-1", "b-2", "loss-spike", "b-4"])),
    );
    assert_eq!(clash.code, 1);
    assert!(
        clash
            .stderr
            .contains("loss-spike: the name is already used")
            && clash.stderr.contains("nothing was created"),
        "{}",
        clash.stderr
    );
    assert!(
        fake.variables_of("CreateAutomation").is_empty(),
        "no mutation was sent"
    );
    // A failure midway: the first two were created, the message says which were not.
    use fake_wandb::state::Fault;
    fake.fault(
        Some("CreateAutomation"),
        Fault::Latency(std::time::Duration::ZERO),
    );
    fake.fault(
        Some("CreateAutomation"),
        Fault::Latency(std::time::Duration::ZERO),
    );
    fake.fault(Some("CreateAutomation"), Fault::Status(500));
    fake.fault(Some("CreateAutomation"), Fault::Status(500));
    let midway = wbauto_with(
        &fake,
        h,
        &["create", "-f", "-"],
        API_KEY,
        Some(&batch(&["c-1", "c-2", "c-3", "c-4"])),
    );
    assert_eq!(midway.code, 1);
    assert!(
        midway.stdout.contains("created c-1") && midway.stdout.contains("created c-2"),
        "{}",
        midway.stdout
    );
    assert!(
        midway.stderr.contains("2 of 4 were created")
            && midway.stderr.contains("not created: c-3, c-4"),
        "{}",
        midway.stderr
    );
    // The same command again continues: the two made are skipped, the rest created.
    let before = fake.variables_of("CreateAutomation").len();
    let again = wbauto_with(
        &fake,
        h,
        &["create", "-f", "-"],
        API_KEY,
        Some(&batch(&["c-1", "c-2", "c-3", "c-4"])),
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stderr.contains("unchanged c-1") && again.stderr.contains("unchanged c-2"),
        "{}",
        again.stderr
    );
    assert!(
        again.stdout.contains("created c-3") && again.stdout.contains("created c-4"),
        "{}",
        again.stdout
    );
    assert_eq!(fake.variables_of("CreateAutomation").len() - before, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_by_the_id_of_a_deleted_automation_sends_one_update_and_says_so() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let shown = run_ok(&fake, h, &["show", "gpu-too-hot", "--yaml"], None);
    run_ok(&fake, h, &["delete", "gpu-too-hot", "--yes"], None);
    let before = fake.requests().len();
    let out = wbauto_with(&fake, h, &["update", "-f", "-"], API_KEY, Some(&shown));
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("gpu-too-hot: it was deleted elsewhere")
            && out.stderr.contains("nothing was changed"),
        "{}",
        out.stderr
    );
    let sent: Vec<String> = fake.requests()[before..]
        .iter()
        .map(|r| r.operation.clone())
        .collect();
    // The automations are listed once (an unchanged file sends nothing), then the update goes
    // by the file's id and the server says it is gone.
    let listings = sent
        .iter()
        .filter(|op| *op == "GetEntityAutomations")
        .count();
    assert_eq!(listings, 1, "{sent:?}");
    let mutations = sent.iter().filter(|op| *op == "UpdateAutomation").count();
    assert_eq!(mutations, 1, "{sent:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_of_an_unchanged_file_sends_nothing_on_wandb() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let shown = run_ok(&fake, h, &["show", "gpu-too-hot", "--yaml"], None);
    let before = fake.variables_of("UpdateAutomation").len();
    let out = run_ok(&fake, h, &["update", "-f", "-"], Some(&shown));
    assert_eq!(out, "unchanged gpu-too-hot in project acme/speech\n");
    assert_eq!(fake.variables_of("UpdateAutomation").len(), before);
    let changed = shown.replace("threshold: 85", "threshold: 86");
    let out = run_ok(&fake, h, &["update", "-f", "-"], Some(&changed));
    assert!(out.starts_with("updated gpu-too-hot"), "{out}");
    assert_eq!(fake.variables_of("UpdateAutomation").len(), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entity_w_and_b_does_not_have_is_refused_naming_the_viewers_entities() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let r = binary::run(
        home.path(),
        &[
            "--backend",
            "wandb",
            "--base-url",
            &fake.url,
            "--entity",
            "nosuch",
            "list",
        ],
        &[("WANDB_API_KEY", API_KEY)],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("there is no entity named nosuch; the entities you can use: acme"),
        "{}",
        r.stderr
    );
}
