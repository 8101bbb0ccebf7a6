//! Moving a team's automations from the local engine onto W&B (the fake): `export --backend
//! local`, then `plan` / `apply` with `--backend wandb`: integrations matched by name, a missing
//! one named with how to add it, what W&B cannot hold refused before anything is sent.

use crate::support::binary::{self, Run};
use crate::support::fake_wandb::{API_KEY, FakeWandb};

const TEAM: &str = "\
- name: to-ci
  scope: {project: acme/speech}
  event: {type: run_state, states: [failed]}
  action: {type: webhook, integration: ci-deploy}
- name: to-pager
  scope: {project: acme/speech}
  event: {type: run_state, states: [finished]}
  action: {type: webhook, integration: pager}
- name: sum-high
  scope: {project: acme/speech}
  event: {type: run_metric_threshold, metric: loss, agg: sum, window: 5, cmp: \">\", threshold: 3}
  action: {type: no_op}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_team_moves_to_wandb_by_integration_name_and_nothing_is_half_applied() {
    let local = tempfile::tempdir().unwrap();
    let on_local = |args: &[&str]| {
        let r = binary::run(local.path(), args, &[], None);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
    };
    on_local(&[
        "integrations",
        "add-webhook",
        "pager",
        "http://127.0.0.1:9/pager",
    ]);
    let file = local.path().join("team.yaml");
    std::fs::write(&file, TEAM).unwrap();
    on_local(&["create", "-f", file.to_str().unwrap()]);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("speech");
    let d = dir.to_str().unwrap();
    on_local(&[
        "export",
        "--backend",
        "local",
        "--project",
        "acme/speech",
        "--dir",
        d,
    ]);

    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let on_wandb =
        |args: &[&str]| -> Run { binary::wandb(&fake.url, home.path(), args, API_KEY, "1", None) };
    for refused in [
        on_wandb(&["plan", "-f", d]),
        on_wandb(&["apply", "-f", d, "--yes"]),
    ] {
        assert_eq!(refused.code, 1, "{}", refused.stdout);
        let said = &refused.stderr;
        assert!(
            said.contains("to-pager")
                && said.contains("no webhook integration named \"pager\"")
                && said.contains("add it with `wbauto integrations add-webhook \"pager\" URL`"),
            "{said}"
        );
        assert!(
            said.contains("sum-high") && said.contains("sum works on the local backend only"),
            "{said}"
        );
        assert!(
            said.contains("nothing was planned or sent: 2 file(s)"),
            "{said}"
        );
    }
    assert_eq!(
        fake.mutations(),
        Vec::<String>::new(),
        "nothing sent to W&B"
    );

    // The team keeps those two on the local engine; the rest moves.
    std::fs::remove_file(dir.join("to-pager.yaml")).unwrap();
    std::fs::remove_file(dir.join("sum-high.yaml")).unwrap();
    let plan = on_wandb(&["plan", "-f", d]);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
    let lines: Vec<&str> = plan
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with(['+', '~', '-']))
        .collect();
    assert_eq!(lines.len(), 1, "only to-ci is new on W&B: {}", plan.stdout);
    assert!(lines[0].contains("to-ci"), "{}", plan.stdout);
    let applied = on_wandb(&["apply", "-f", d, "--yes"]);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert_eq!(
        fake.mutations().len(),
        1,
        "one automation created: {:?}",
        fake.mutations()
    );
    let integrations = on_wandb(&["integrations", "--json"]);
    let all: serde_json::Value = serde_json::from_str(&integrations.stdout).unwrap();
    let ci = all
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "ci-deploy")
        .unwrap_or_else(|| panic!("{all}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sent = fake.variables_of(&fake.mutations()[0]);
    assert!(
        sent[0].to_string().contains(&format!("\"{ci}\"")),
        "matched by name to W&B's own ci-deploy ({ci}): {}",
        sent[0]
    );
    let again = on_wandb(&["plan", "-f", d]);
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("No changes"), "{}", again.stdout);
}
