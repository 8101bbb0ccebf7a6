//! The event kinds only the local engine fires (`run_stalled`, `run_metric_nonfinite`) on the
//! real binary: files read, checked with line and column and written back; W&B refusing them
//! before any mutation; `plan` and `apply` setting them aside under `local_only`.

use crate::support::binary;
use crate::support::fake_wandb::{API_KEY, FakeWandb};
use serde_json::{Value, json};
use std::path::Path;

const STALLED: &str = "name: training-hangs\nscope:\n  project: acme/vision\nevent:\n  type: run_stalled\n  after: 1h30m\n  adaptive: true\n  factor: 5\n  run_filter:\n    display_name:\n      $regex: ^sweep-\naction:\n  type: no_op\n";
const NONFINITE: &str = "name: loss-goes-nan\nscope:\n  project: acme/vision\nevent:\n  type: run_metric_nonfinite\n  metric: train/*\naction:\n  type: no_op\n";
const ORDINARY: &str = "name: brand-new\nscope:\n  project: acme/vision\nevent:\n  type: run_state\n  states: [failed]\naction:\n  type: no_op\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn wandb(fake: &FakeWandb, home: &Path, args: &[&str]) -> binary::Run {
    binary::wandb(&fake.url, home, args, API_KEY, "1", None)
}

#[test]
fn local_files_round_trip_and_say_there_is_no_wandb_input() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| binary::run(home.path(), args, &[], None);
    let stalled = write(home.path(), "stalled.yaml", STALLED);
    let nonfinite = write(home.path(), "nonfinite.yaml", NONFINITE);

    let dry = run(&["create", "-f", &stalled, "--dry-run"]);
    assert_eq!(dry.code, 0, "{}{}", dry.stdout, dry.stderr);
    let doc: Value = serde_json::from_str(&dry.stdout).unwrap();
    assert_eq!(doc["local_only"]["event"]["after"], "1h30m", "{doc}");
    assert!(doc.get("input").is_none(), "no W&B input: {doc}");
    assert!(
        dry.stderr.contains(
            "note: training-hangs: there is no W&B input for run_stalled: it runs on wbauto's local engine only"
        ),
        "{}",
        dry.stderr
    );

    for file in [&stalled, &nonfinite] {
        let r = run(&["create", "-f", file]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    }
    let shown = run(&["show", "training-hangs"]);
    assert!(
        shown
            .stdout
            .contains("no step for 1 hour 30 minutes, or for 5 times its usual gap")
            && shown
                .stdout
                .contains("there is no W&B input for run_stalled"),
        "{}",
        shown.stdout
    );
    let yaml = run(&["show", "loss-goes-nan", "--yaml"]);
    assert!(
        yaml.stdout.contains("type: run_metric_nonfinite"),
        "{}",
        yaml.stdout
    );
    assert!(
        yaml.stderr
            .contains("no W&B input for run_metric_nonfinite"),
        "{}",
        yaml.stderr
    );

    let out = home.path().join("out");
    let exported = run(&["export", "--dir", out.to_str().unwrap()]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    assert_eq!(
        exported.stderr.matches("no W&B input").count(),
        4,
        "these two and the demo's two: {}",
        exported.stderr
    );
    let plan = run(&["plan", "-f", out.to_str().unwrap()]);
    assert!(
        plan.stdout.contains("No changes") && !plan.stdout.contains("local only"),
        "what the local backend holds round-trips through its files: {}",
        plan.stdout
    );
    let again: Value =
        serde_json::from_str(&run(&["show", "training-hangs", "--json"]).stdout).unwrap();
    assert_eq!(
        again["event"],
        json!({"type": "run_stalled", "after": "1h30m", "adaptive": true, "factor": 5, "run_filter": {"display_name": {"$regex": "^sweep-"}}})
    );
}

#[test]
fn bad_stall_files_name_line_and_column() {
    let home = tempfile::tempdir().unwrap();
    let cases = [
        (
            "after: 1h30m",
            "after: 0m",
            "event.after at line 6, column 10: a stall needs a length",
        ),
        (
            "after: 1h30m",
            "after: -5m",
            "event.after at line 6, column 10: \"-5m\" is negative",
        ),
        (
            "after: 1h30m",
            "after: 30s",
            "event.after at line 6, column 10: 30s is under a minute",
        ),
        (
            "after: 1h30m",
            "after: 31d",
            "event.after at line 6, column 10: 31d is over 30 days",
        ),
        (
            "after: 1h30m",
            "after: 30",
            "event.after at line 6, column 10: expected a duration with its unit",
        ),
        (
            "factor: 5",
            "factor: 0.5",
            "event.factor at line 8, column 11: the factor multiplies",
        ),
    ];
    for (from, to, expected) in cases {
        let file = write(home.path(), "bad.yaml", &STALLED.replace(from, to));
        let r = binary::run(home.path(), &["create", "-f", &file], &[], None);
        assert_eq!(r.code, 1, "{to}: {}", r.stdout);
        assert!(r.stderr.contains(expected), "{to}: {}", r.stderr);
    }
    let file = write(
        home.path(),
        "bad.yaml",
        &NONFINITE.replace("  metric: train/*\n", ""),
    );
    let r = binary::run(home.path(), &["create", "-f", &file], &[], None);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("event.metric at line 5, column 3: missing; name the metric"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wandb_refuses_them_before_any_mutation() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let stalled = write(home.path(), "stalled.yaml", STALLED);
    let nonfinite = write(home.path(), "nonfinite.yaml", NONFINITE);
    // An update aimed at an automation W&B has, turned into a stall.
    let shown = wandb(&fake, home.path(), &["show", "gpu-too-hot", "--json"]);
    let mut existing: Value = serde_json::from_str(&shown.stdout).unwrap();
    existing["event"] = json!({"type": "run_stalled", "after": "30m"});
    let update = write(home.path(), "update.json", &existing.to_string());
    fake.state().requests.clear();
    for (args, kind) in [
        (vec!["create", "-f", &stalled], "run_stalled"),
        (vec!["create", "-f", &stalled, "--dry-run"], "run_stalled"),
        (vec!["create", "-f", &nonfinite], "run_metric_nonfinite"),
        (vec!["update", "-f", &update], "run_stalled"),
    ] {
        let r = wandb(&fake, home.path(), &args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stdout);
        assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!("{kind} runs on wbauto's local engine only")),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert_eq!(fake.mutations(), Vec::<String>::new(), "nothing sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wandb_plan_lists_them_under_local_only_and_apply_sends_the_rest() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("automations");
    std::fs::create_dir(&dir).unwrap();
    write(&dir, "stalled.yaml", STALLED);
    write(&dir, "nonfinite.yaml", NONFINITE);
    write(&dir, "new.yaml", ORDINARY);
    let dir = dir.to_str().unwrap();

    let plan = wandb(&fake, home.path(), &["plan", "-f", dir, "--json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let doc: Value = serde_json::from_str(&plan.stdout).unwrap();
    assert_eq!(doc["summary"]["create"], 1, "{doc}");
    assert_eq!(doc["summary"]["local_only"], 2, "{doc}");
    let aside: Vec<(&str, &str)> = doc["local_only"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["name"].as_str().unwrap(), l["event"].as_str().unwrap()))
        .collect();
    assert_eq!(
        aside,
        [
            ("loss-goes-nan", "run_metric_nonfinite"),
            ("training-hangs", "run_stalled")
        ]
    );
    assert_eq!(
        doc["local_only"][1]["scope"],
        json!({"project": "acme/vision"})
    );
    let changes: Vec<&str> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["brand-new"], "never a change");

    let text = wandb(&fake, home.path(), &["plan", "-f", dir]);
    assert!(
        text.stdout
            .contains("! local only: training-hangs in project acme/vision")
            && text
                .stdout
                .contains("run_stalled runs on wbauto's local engine only; not sent"),
        "{}",
        text.stdout
    );

    let saved = home.path().join("plan.json");
    std::fs::write(&saved, &plan.stdout).unwrap();
    fake.state().requests.clear();
    let applied = wandb(
        &fake,
        home.path(),
        &["apply", "--plan", saved.to_str().unwrap(), "--yes"],
    );
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(
        applied.stdout.contains("! local only: loss-goes-nan"),
        "{}",
        applied.stdout
    );
    assert_eq!(fake.mutations(), ["CreateAutomation"]);
    let again = wandb(&fake, home.path(), &["apply", "-f", dir, "--yes"]);
    assert!(again.stdout.contains("No changes"), "{}", again.stdout);
    assert_eq!(fake.mutations(), ["CreateAutomation"], "nothing more sent");
}

#[test]
fn the_wizard_builds_both_kinds_checks_their_answers_and_w_and_b_refuses_them() {
    use wbauto::backend::wandb::features::Features;
    use wbauto::model::{Capabilities, Event, TimeSpan};
    use wbauto::wizard::{Step, Template, Wizard};
    let local = Capabilities::everything();
    let mut w = Wizard::new("acme");
    w.start_from(Template::TrainingHangs);
    w.answers.project = "vision".into();
    let a = w.automation();
    assert_eq!(
        a.event,
        Event::RunStalled {
            run_filter: None,
            after: TimeSpan::from_secs(1_800),
            adaptive: true,
            factor: serde_json::Number::from(5),
        }
    );
    assert!(w.problems(Step::Condition, &local).is_empty());
    assert!(
        w.sentence()
            .contains("logs no step for 30 minutes, or for 5 times its usual gap"),
        "{}",
        w.sentence()
    );
    for (after, factor, path, words) in [
        ("30s", "5", "event.after", "under a minute"),
        ("half an hour", "5", "event.after", "not a duration"),
        ("31d", "5", "event.after", "over 30 days"),
        ("30m", "0.5", "event.factor", "1 or more"),
    ] {
        (w.answers.after, w.answers.factor) = (after.into(), factor.into());
        let problems = w.problems(Step::Condition, &local);
        assert!(
            problems
                .iter()
                .any(|p| p.path == path && p.message.contains(words)),
            "{after} {factor}: {problems:?}"
        );
    }
    (w.answers.after, w.answers.factor) = ("1h30m".into(), "2.5".into());
    let again = Wizard::from_automation(&w.automation(), true, &[]).unwrap();
    assert_eq!(
        (
            again.answers.after.as_str(),
            again.answers.adaptive,
            again.answers.factor.as_str()
        ),
        ("1h30m", true, "2.5"),
        "an automation fills the wizard back"
    );
    // On W&B the kind is greyed at the Event step with the reason.
    let wandb = Features::default().capabilities();
    let refused = w.problems(Step::Event, &wandb);
    assert!(
        refused[0]
            .message
            .contains("run_stalled runs on wbauto's local engine only"),
        "{refused:?}"
    );

    let mut nan = Wizard::new("acme");
    nan.start_from(Template::LossNan);
    nan.answers.project = "vision".into();
    assert_eq!(
        nan.automation().event,
        Event::RunMetricNonfinite {
            run_filter: None,
            metric: "loss".into()
        }
    );
    assert_eq!(nan.answers.name, "loss-nan");
    nan.answers.metric.clear();
    assert_eq!(
        nan.problems(Step::Condition, &local)[0].path,
        "event.metric"
    );
}
