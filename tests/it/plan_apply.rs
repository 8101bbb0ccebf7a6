//! Automations as code on the real binary, local backend and fake W&B alike: export, edit,
//! `plan` shows exactly the edits with field diffs, `apply` makes them, a second plan has nothing
//! to do; drift between `plan --json` and `apply --plan`; an invalid file stops everything;
//! completions and the manual page.

use crate::support::binary;
use crate::support::fake_wandb::{API_KEY, FakeWandb};
use binary::Run;
use serde_json::Value;
use std::path::Path;

/// Runs the binary on one backend.
trait Target {
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Run;
}

struct Local(tempfile::TempDir);

impl Target for Local {
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        binary::run(self.0.path(), args, &[], stdin)
    }
}

struct Wandb {
    fake: FakeWandb,
    home: tempfile::TempDir,
}

impl Wandb {
    /// The fake W&B with the demo team, and a home for the binary.
    async fn demo() -> Self {
        Wandb {
            fake: FakeWandb::demo().await,
            home: tempfile::tempdir().unwrap(),
        }
    }
}

impl Target for Wandb {
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        binary::wandb(&self.fake.url, self.home.path(), args, API_KEY, "1", stdin)
    }
}

fn ok(t: &dyn Target, args: &[&str]) -> String {
    let r = t.run(args, None);
    assert_eq!(r.code, 0, "wbauto {args:?}: {}{}", r.stdout, r.stderr);
    r.stdout
}

fn names(t: &dyn Target) -> Vec<String> {
    let list: Vec<Value> = serde_json::from_str(&ok(t, &["list", "--json"])).unwrap();
    let mut out: Vec<String> = list
        .iter()
        .map(|a| format!("{} {}", a["scope"], a["name"].as_str().unwrap()))
        .collect();
    out.sort();
    out
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Exports acme/vision, then: a threshold edited, one renamed (its id kept), one added, one
/// removed (and the one file of a collection scope removed too). Returns the removed name.
fn export_and_edit(t: &dyn Target, dir: &Path) -> String {
    let d = dir.to_str().unwrap();
    ok(t, &["export", "--project", "acme/vision", "--dir", d]);
    edit(
        &dir.join("accuracy-anomaly.yaml"),
        "threshold: 3\n",
        "threshold: 4\n",
    );
    edit(
        &dir.join("loss-spike.yaml"),
        "name: loss-spike\n",
        "name: loss-spike-renamed\n",
    );
    let base = std::fs::read_to_string(dir.join("loss-spike.yaml")).unwrap();
    let added: String = base
        .lines()
        .filter(|l| {
            !l.starts_with("id:") && !l.starts_with("created_at:") && !l.starts_with("updated_at:")
        })
        .map(|l| {
            if l.starts_with("name:") {
                "name: brand-new".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join("brand-new.yaml"), added + "\n").unwrap();
    std::fs::remove_file(dir.join("staging-link.yaml")).unwrap();
    // The only file of its collection's scope: with it gone, no file covers that scope.
    std::fs::remove_file(dir.join("new-dataset-version.yaml")).unwrap();
    "staging-link".to_string()
}

/// A directory holding the edited export of [`export_and_edit`] under `vision/`.
fn edited(t: &dyn Target) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("vision");
    export_and_edit(t, &files);
    (dir, files)
}

/// The change lines of a plan (`  + create NAME in SCOPE ...`), without the file part.
fn change_lines(plan: &str) -> Vec<String> {
    plan.lines()
        .filter(|l| l.starts_with("  + ") || l.starts_with("  ~ ") || l.starts_with("  - "))
        .map(|l| l.split("  (").next().unwrap().trim().to_string())
        .collect()
}

fn round_trip(t: &dyn Target) {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("vision");
    let before = names(t);
    let removed = export_and_edit(t, &files);
    let f = files.to_str().unwrap();

    // Without --prune the removed one is kept, and the plan says so.
    let r = t.run(&["plan", "-f", f, "--detailed-exitcode"], None);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("1 automation(s) in these scopes are in no file and are kept"),
        "{}",
        r.stdout
    );

    let r = t.run(&["plan", "-f", f, "--prune", "--detailed-exitcode"], None);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        change_lines(&r.stdout),
        [
            "~ update accuracy-anomaly in project acme/vision",
            "~ update loss-spike-renamed in project acme/vision",
            "+ create brand-new in project acme/vision",
            &format!("- delete {removed} in project acme/vision"),
        ],
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("~ event.threshold: 3 → 4"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("~ name: \"loss-spike\" → \"loss-spike-renamed\""),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Plan: 1 to create, 2 to update, 1 to delete,"),
        "{}",
        r.stdout
    );

    // The plan as data says the same.
    let doc: Value = serde_json::from_str(&ok(t, &["plan", "-f", f, "--prune", "--json"])).unwrap();
    assert_eq!(doc["summary"]["create"], 1);
    assert_eq!(doc["summary"]["update"], 2);
    assert_eq!(doc["summary"]["delete"], 1);
    assert_eq!(doc["changes"][0]["diff"][0]["path"], "event.threshold");
    assert_eq!(doc["changes"][0]["diff"][0]["new"], 4);

    // --project covers the whole project, its collections too.
    let out = ok(t, &["plan", "-f", f, "--prune", "--project", "acme/vision"]);
    assert!(
        out.contains("- delete new-dataset-version in collection acme/vision/imagenet-subset"),
        "{out}"
    );

    // Without a terminal and without --yes, nothing is applied.
    let r = t.run(&["apply", "-f", f, "--prune"], None);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("pass --yes"), "{}", r.stderr);
    assert_eq!(names(t), before);

    let out = ok(t, &["apply", "-f", f, "--prune", "--yes"]);
    assert!(out.contains("Applied 4 change(s)."), "{out}");
    let r = t.run(&["plan", "-f", f, "--prune", "--detailed-exitcode"], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("No changes"), "{}", r.stdout);

    // Only the covered scopes changed: everything outside acme/vision is as it was.
    let after = names(t);
    let outside = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|n| !n.contains("acme/vision"))
            .cloned()
            .collect()
    };
    assert_eq!(outside(&after), outside(&before));
    assert!(after.iter().any(|n| n.ends_with(" brand-new")));
    assert!(after.iter().any(|n| n.ends_with(" loss-spike-renamed")));
    assert!(!after.iter().any(|n| n.ends_with(&format!(" {removed}"))));
    assert!(
        after.iter().any(|n| n.ends_with(" new-dataset-version")),
        "a scope no file covers is left alone"
    );
    assert_eq!(after.len(), before.len());
}

#[test]
fn local_export_edit_plan_apply_and_nothing_left() {
    round_trip(&Local(tempfile::tempdir().unwrap()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wandb_export_edit_plan_apply_and_nothing_left() {
    let t = Wandb::demo().await;
    round_trip(&t);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wandb_apply_sends_what_create_and_update_send() {
    let t = Wandb::demo().await;
    let (_dir, files) = edited(&t);
    let inputs = |args: &[&str]| -> Vec<Value> {
        match serde_json::from_str::<Value>(&ok(&t, args)).unwrap() {
            Value::Array(many) => many.into_iter().map(|v| v["input"].clone()).collect(),
            one => vec![one["input"].clone()],
        }
    };
    let mut updates = inputs(&[
        "update",
        "-f",
        files.join("accuracy-anomaly.yaml").to_str().unwrap(),
        "--dry-run",
    ]);
    updates.extend(inputs(&[
        "update",
        "-f",
        files.join("loss-spike.yaml").to_str().unwrap(),
        "--dry-run",
    ]));
    let creates = inputs(&[
        "create",
        "-f",
        files.join("brand-new.yaml").to_str().unwrap(),
        "--dry-run",
    ]);
    t.fake.state().requests.clear();
    ok(
        &t,
        &["apply", "-f", files.to_str().unwrap(), "--prune", "--yes"],
    );
    let sent = |op: &str| -> Vec<Value> {
        t.fake
            .variables_of(op)
            .into_iter()
            .map(|v| v["input"].clone())
            .collect()
    };
    assert_eq!(sent("UpdateAutomation"), updates);
    assert_eq!(sent("CreateAutomation"), creates);
    assert_eq!(t.fake.variables_of("DeleteAutomation").len(), 1);
    let order: Vec<String> = t
        .fake
        .requests()
        .into_iter()
        .map(|r| r.operation)
        .filter(|o| o.ends_with("Automation"))
        .collect();
    assert_eq!(
        order,
        [
            "UpdateAutomation",
            "UpdateAutomation",
            "CreateAutomation",
            "DeleteAutomation"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wandb_apply_stops_at_the_first_refusal_and_says_what_was_done() {
    let t = Wandb::demo().await;
    let (_dir, files) = edited(&t);
    t.fake.fault(
        Some("CreateAutomation"),
        crate::support::fake_wandb::state::Fault::Status(400),
    );
    let r = t.run(
        &["apply", "-f", files.to_str().unwrap(), "--prune", "--yes"],
        None,
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("updated accuracy-anomaly")
            && r.stdout.contains("updated loss-spike-renamed"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("create brand-new:")
            && r.stderr.contains("2 of 4 change(s) were applied (listed above), not applied: create brand-new, delete staging-link"),
        "{}",
        r.stderr
    );
    assert!(
        t.fake.variables_of("DeleteAutomation").is_empty(),
        "deletes come last and were not sent"
    );
}

fn drift_between_plan_and_apply(t: &dyn Target) {
    let (dir, files) = edited(t);
    let plan_file = dir.path().join("plan.json");
    let doc = ok(t, &["plan", "-f", files.to_str().unwrap(), "--json"]);
    std::fs::write(&plan_file, doc).unwrap();
    // Someone changes one of the automations elsewhere.
    ok(t, &["disable", "accuracy-anomaly"]);
    let before = ok(t, &["list", "--json"]);
    let r = t.run(
        &["apply", "--plan", plan_file.to_str().unwrap(), "--yes"],
        None,
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("the backend changed since the plan was made, so nothing was applied")
            && r.stderr
                .contains("\"accuracy-anomaly\" in project acme/vision was changed"),
        "{}",
        r.stderr
    );
    assert_eq!(ok(t, &["list", "--json"]), before, "nothing applied");

    // A fresh plan, saved and applied at once, goes through; then nothing is left to do.
    let doc = ok(t, &["plan", "-f", files.to_str().unwrap(), "--json"]);
    std::fs::write(&plan_file, doc).unwrap();
    let out = ok(
        t,
        &["apply", "--plan", plan_file.to_str().unwrap(), "--yes"],
    );
    assert!(out.contains("Applied 3 change(s)."), "{out}");
    let r = t.run(
        &["plan", "-f", files.to_str().unwrap(), "--detailed-exitcode"],
        None,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn local_a_change_between_plan_and_apply_applies_nothing() {
    drift_between_plan_and_apply(&Local(tempfile::tempdir().unwrap()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wandb_a_change_between_plan_and_apply_applies_nothing() {
    drift_between_plan_and_apply(&Wandb::demo().await);
}

#[test]
fn an_invalid_file_anywhere_applies_nothing_and_names_file_line_and_column() {
    let t = Local(tempfile::tempdir().unwrap());
    let (_dir, files) = edited(&t);
    let nested = files.join("more");
    std::fs::create_dir(&nested).unwrap();
    let bad = nested.join("bad.yaml");
    std::fs::write(
        &bad,
        "name: broken\nscope:\n  project: acme/vision\nevent:\n  type: run_metric_threshold\n  metric: loss\n  cmp: \">\"\n  threshold: high\naction:\n  type: no_op\n",
    )
    .unwrap();
    let before = names(&t);
    let r = t.run(&["apply", "-f", files.to_str().unwrap(), "--yes"], None);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{}: event.threshold at line 8, column 14:",
            bad.display()
        )),
        "{}",
        r.stderr
    );
    assert_eq!(names(&t), before, "nothing applied");

    std::fs::write(&bad, "name: [unclosed\n").unwrap();
    let r = t.run(&["plan", "-f", files.to_str().unwrap()], None);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(&format!(
            "{}: not valid YAML: line 1, column",
            bad.display()
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn a_rename_without_an_id_is_a_create_and_a_delete_and_the_plan_says_so() {
    let t = Local(tempfile::tempdir().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("vision");
    ok(
        &t,
        &[
            "export",
            "--project",
            "acme/vision",
            "--dir",
            files.to_str().unwrap(),
        ],
    );
    let path = files.join("loss-spike.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let renamed: String = text
        .lines()
        .filter(|l| !l.starts_with("id:"))
        .map(|l| {
            if l == "name: loss-spike" {
                "name: spike-of-loss"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&path, renamed + "\n").unwrap();
    let out = ok(&t, &["plan", "-f", files.to_str().unwrap(), "--prune"]);
    assert_eq!(
        change_lines(&out),
        [
            "+ create spike-of-loss in project acme/vision",
            "- delete loss-spike in project acme/vision"
        ],
        "{out}"
    );
    assert!(
        out.contains("looks like a rename of \"loss-spike\""),
        "{out}"
    );
    assert!(out.contains("renamed to \"spike-of-loss\""), "{out}");
}

#[test]
fn bash_loads_the_completions() {
    let home = tempfile::tempdir().unwrap();
    let script = home.path().join("wbauto.bash");
    let r = binary::run(home.path(), &["completions", "bash"], &[], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(&script, r.stdout).unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p wbauto", script.display()))
        .output()
        .expect("bash runs");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains("wbauto"),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for shell in ["zsh", "fish", "powershell"] {
        let r = binary::run(home.path(), &["completions", shell], &[], None);
        assert!(
            r.code == 0 && r.stdout.contains("plan"),
            "{shell}: {}",
            r.stderr
        );
    }
}

#[test]
fn the_manual_page_renders() {
    let home = tempfile::tempdir().unwrap();
    let page = home.path().join("wbauto.1");
    let r = binary::run(home.path(), &["man"], &[], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(&page, r.stdout).unwrap();
    let out = std::process::Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("this test needs man (.ci/run installs man-db)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("wbauto") && text.contains("plan") && text.contains("apply"),
        "{text}"
    );
    // Every command is described here: no pointers to pages that do not exist.
    assert!(!text.contains("wbauto-"), "{text}");
    assert!(text.contains("wbauto backtest"), "{text}");
    assert!(text.contains("wbauto COMMAND --help"), "{text}");
    let status = text.find("EXIT STATUS").expect("an EXIT STATUS section");
    for code in ["0", "1", "2", "128+N"] {
        assert!(
            text[status..]
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{code} "))),
            "{code}: {text}"
        );
    }
}

#[test]
fn plans_that_cannot_work_are_refused_before_anything_is_sent() {
    let t = Local(tempfile::tempdir().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("vision");
    let f = files.to_str().unwrap();
    ok(&t, &["export", "--project", "acme/vision", "--dir", f]);
    let spike = files.join("loss-spike.yaml");
    let copy = files.join("zz-copy.yaml");
    std::fs::copy(&spike, &copy).unwrap();
    let r = t.run(&["plan", "-f", f], None);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("both describe loss-spike"),
        "{}",
        r.stderr
    );
    std::fs::remove_file(&copy).unwrap();

    // A rename onto a name the scope already uses.
    edit(&spike, "name: loss-spike\n", "name: accuracy-anomaly\n");
    let r = t.run(&["apply", "-f", f, "--yes"], None);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("the name \"accuracy-anomaly\" is already used in project acme/vision"),
        "{}",
        r.stderr
    );
}

/// acme/vision exported, with loss-spike and accuracy-anomaly swapping names in the files.
fn exported_with_a_swap(t: &dyn Target) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(
        t,
        &[
            "export",
            "--project",
            "acme/vision",
            "--dir",
            dir.path().to_str().unwrap(),
        ],
    );
    let file = |name: &str| dir.path().join(format!("{name}.yaml"));
    edit(
        &file("loss-spike"),
        "name: loss-spike\n",
        "name: accuracy-anomaly\n",
    );
    edit(
        &file("accuracy-anomaly"),
        "name: accuracy-anomaly\n",
        "name: loss-spike\n",
    );
    dir
}

/// Two automations swap names and a third takes the second's old name in one apply: the renames
/// go in an order that works, one through a temporary name, and nothing is left to do.
fn names_swapped_in_one_apply(t: &dyn Target) {
    let dir = exported_with_a_swap(t);
    let d = dir.path().to_str().unwrap();
    let name_of = |file: &str| dir.path().join(file);
    edit(
        &name_of("unlink-audit.yaml"),
        "name: unlink-audit\n",
        "name: unlink-audit-old\n",
    );
    edit(
        &name_of("staging-link.yaml"),
        "name: staging-link\n",
        "name: unlink-audit\n",
    );
    let plan = ok(t, &["plan", "-f", d]);
    let mut lines = change_lines(&plan);
    // The one that takes unlink-audit's old name comes after unlink-audit's rename.
    let at = |name: &str| {
        lines
            .iter()
            .position(|l| l == &format!("~ update {name} in project acme/vision"))
    };
    assert!(at("unlink-audit-old") < at("unlink-audit"), "{plan}");
    lines.sort();
    assert_eq!(
        lines,
        [
            "~ update accuracy-anomaly in project acme/vision",
            "~ update loss-spike in project acme/vision",
            "~ update unlink-audit in project acme/vision",
            "~ update unlink-audit-old in project acme/vision",
        ],
        "{plan}"
    );
    assert!(plan.contains("(renaming)\" first, then to"), "{plan}");
    let before: Value = serde_json::from_str(&ok(t, &["show", "loss-spike", "--json"])).unwrap();
    let out = ok(t, &["apply", "-f", d, "--yes"]);
    assert!(out.contains("Applied 4 change(s)."), "{out}");
    let after: Value =
        serde_json::from_str(&ok(t, &["show", "accuracy-anomaly", "--json"])).unwrap();
    assert_eq!(after["id"], before["id"], "the automation kept its id");
    let r = t.run(&["plan", "-f", d, "--detailed-exitcode"], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!names(t).iter().any(|n| n.contains("(renaming)")));
}

#[test]
fn local_names_swap_in_one_apply() {
    names_swapped_in_one_apply(&Local(tempfile::tempdir().unwrap()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wandb_names_swap_in_one_apply() {
    names_swapped_in_one_apply(&Wandb::demo().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swap_that_stops_halfway_says_which_name_was_left_aside() {
    use crate::support::fake_wandb::state::Fault;
    let t = Wandb::demo().await;
    let dir = exported_with_a_swap(&t);
    let d = dir.path().to_str().unwrap();
    // The first update (the temporary name) goes through, the second is refused.
    t.fake.fault(
        Some("UpdateAutomation"),
        Fault::After(1, Box::new(Fault::Status(400))),
    );
    let r = t.run(&["apply", "-f", d, "--yes"], None);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("0 of 2 change(s) were applied")
            && r.stderr
                .contains("\"accuracy-anomaly\" is left named \"loss-spike (renaming)\""),
        "{}",
        r.stderr
    );
    assert!(
        names(&t)
            .iter()
            .any(|n| n.ends_with("loss-spike (renaming)"))
    );
    // Applying the same files again finishes the job.
    let out = ok(&t, &["apply", "-f", d, "--yes"]);
    assert!(out.contains("Applied 2 change(s)."), "{out}");
    assert!(!names(&t).iter().any(|n| n.contains("(renaming)")));
}

#[test]
fn every_argument_of_every_command_says_what_it_is() {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let builtin = matches!(arg.get_id().as_str(), "help" | "version");
            if !builtin && !arg.is_hide_set() && arg.get_help().is_none() {
                out.push(format!("{path} {}", arg.get_id()));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }
    let mut silent = Vec::new();
    walk(&wbauto::cli::Cli::command(), "wbauto", &mut silent);
    assert!(silent.is_empty(), "no description: {silent:#?}");
}

/// What bash offers for the last of `words` (after `wbauto`), with the script sourced and the
/// test's binary first on PATH.
fn bash_offers(home: &std::path::Path, script: &std::path::Path, words: &str) -> String {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_wbauto"));
    let line = format!(
        "source {} && COMP_WORDS=(wbauto {words}) && COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )) \
         && _wbauto_names wbauto \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\" \
         && echo \"${{COMPREPLY[*]}}\"",
        script.display()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(line)
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", bin.parent().unwrap().display()),
        )
        .env("HOME", home)
        .env("WBAUTO_DATA_DIR", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("WANDB_API_KEY")
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn bash_completes_automation_names_from_the_backend() {
    let home = tempfile::tempdir().unwrap();
    let script = home.path().join("wbauto.bash");
    let r = binary::run(home.path(), &["completions", "bash"], &[], None);
    std::fs::write(&script, r.stdout).unwrap();
    let offers = |words: &str| bash_offers(home.path(), &script, words);
    assert_eq!(offers("show loss"), "loss-spike loss-plateau");
    assert_eq!(offers("enable failed-runs gp"), "gpu-too-hot");
    assert_eq!(offers("--backend local backtest loss-s"), "loss-spike");
    // An option's value is not a name; other words are clap's.
    assert_eq!(offers("show --project lo"), "");
    assert_eq!(offers("sho"), "show");
    // A backend that does not answer gives no names and no message.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let r = binary::run(
        home.path(),
        &["--backend", "wandb", "--base-url", &url, "complete-names"],
        &[("WANDB_API_KEY", "k".repeat(40).as_str())],
        None,
    );
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
}
