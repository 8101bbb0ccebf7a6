//! Backtest over W&B runs on the real binary against the fake server: a project of 120 runs and
//! a run of 100k history rows judged correctly; the listing and history requests are the ones the
//! `wandb` SDK sends (recorded by tools/sdk_runs_oracle.py); a 500 midway is an error, never a
//! partial verdict.

use crate::support::binary;
use crate::support::fake_wandb::runs::{FakeRun, run_with};
use crate::support::fake_wandb::state::{Fault, Recorded};
use crate::support::fake_wandb::{API_KEY, FakeWandb};
use binary::Run;
use serde_json::Value;
use std::path::Path;

const AVG_LOSS: &str = "name: loss-avg\nscope: {project: acme/vision}\nevent: {type: run_metric_threshold, metric: loss, agg: avg, window: 5, cmp: \">\", threshold: 0.5}\naction: {type: no_op}\n";

/// `backtest -f FILE --runs acme/vision EXTRA...` on the W&B backend.
fn backtest_vision(
    fake: &FakeWandb,
    home: &Path,
    file: &Path,
    extra: &[&str],
    retries: &str,
) -> Run {
    let mut args = vec![
        "backtest",
        "-f",
        file.to_str().unwrap(),
        "--runs",
        "acme/vision",
    ];
    args.extend_from_slice(extra);
    wbauto(fake, home, &args, retries)
}

fn wbauto(fake: &FakeWandb, home: &Path, args: &[&str], retries: &str) -> Run {
    binary::wandb(&fake.url, home, args, API_KEY, retries, None)
}

/// The long run: 100k steps of loss 0.1 with a spike to 0.9 at steps 77,777..=77,781, and a NaN
/// at step 500 (written as the string "NaN", never entering a window).
fn long_run() -> FakeRun {
    let loss = (0..100_000).map(|s| match s {
        500 => Some(f64::NAN),
        77_777..=77_781 => Some(0.9),
        _ => Some(0.1),
    });
    run_with("acme/vision", "run-7", "sweep-7", "finished", 7, loss)
}

/// 120 runs (`run-1` oldest … `run-120` newest) as the SDK oracle had them: `run-4` with 2,500
/// rows of loss 1/(s+1), the rest small, `run-7` long.
fn project_of_120() -> Vec<FakeRun> {
    (1..=120)
        .map(|i| match i {
            7 => long_run(),
            4 => run_with(
                "acme/vision",
                "run-4",
                "sweep-4",
                "finished",
                4,
                (0..2500).map(|s| Some(1.0 / (s as f64 + 1.0))),
            ),
            _ => run_with(
                "acme/vision",
                &format!("run-{i}"),
                &format!("sweep-{i}"),
                "finished",
                i,
                (0..8).map(|_| Some(0.2)),
            ),
        })
        .collect()
}

async fn fake_with_runs() -> (FakeWandb, tempfile::TempDir, std::path::PathBuf) {
    let fake = FakeWandb::demo().await;
    fake.state().runs = project_of_120();
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("a.yaml");
    std::fs::write(&file, AVG_LOSS).unwrap();
    (fake, home, file)
}

/// The parts of a request that must equal the SDK's: the document, the operation name and the
/// variables (a history spec compared as JSON: wandb-core writes its keys in random order).
fn comparable(body: &Value) -> Value {
    let mut b = body.clone();
    if let Some(spec) = b.pointer("/variables/spec").and_then(Value::as_str) {
        let parsed: Value = serde_json::from_str(spec).unwrap();
        b["variables"]["spec"] = parsed;
    }
    serde_json::json!({"query": b["query"], "operationName": b["operationName"], "variables": b["variables"]})
}

fn oracle() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sdk_runs_requests.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn sent(fake: &FakeWandb, ops: &[&str]) -> Vec<Value> {
    fake.requests()
        .iter()
        .filter(|r: &&Recorded| ops.contains(&r.operation.as_str()))
        .map(|r| comparable(&r.body))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_of_120_runs_and_a_run_of_100k_rows_backtest_correctly_with_the_sdks_requests() {
    let (fake, home, file) = fake_with_runs().await;
    let r = backtest_vision(&fake, home.path(), &file, &["--last", "120", "--json"], "1");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let verdicts: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(verdicts.len(), 120);
    assert_eq!(verdicts[0]["run"], "run-120", "newest first");
    let long = verdicts.iter().find(|v| v["run"] == "run-7").unwrap();
    assert_eq!(long["fired"], true);
    assert_eq!(long["firings"].as_array().unwrap().len(), 1);
    assert_eq!(long["firings"][0]["step"], 77_779);
    assert_eq!(long["firings"][0]["value"].as_f64().unwrap(), 0.58);
    assert_eq!(
        long["firings"][0]["values"],
        serde_json::json!([0.1, 0.1, 0.9, 0.9, 0.9])
    );
    let held: Vec<i64> = long["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_i64().unwrap())
        .collect();
    assert_eq!(held, [77_780, 77_781, 77_782, 77_783]);
    assert_eq!(
        long["judged"],
        100_000 - 1 - 4,
        "the NaN never enters a window"
    );
    let quiet = verdicts.iter().find(|v| v["run"] == "run-9").unwrap();
    assert_eq!(quiet["fired"], false);
    assert_eq!(
        quiet["closest"],
        serde_json::json!({"step": 4, "value": 0.2, "needed": "> 0.5"})
    );
    assert_eq!(
        verdicts.iter().filter(|v| v["fired"] == true).count(),
        1,
        "only run-7 fires"
    );

    // The listing went as the SDK's: three pages of 50 by the last edge's cursor.
    assert_eq!(
        sent(&fake, &["Runs"]),
        oracle()["listing"]
            .as_array()
            .unwrap()
            .iter()
            .map(comparable)
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_runs_history_is_read_as_the_sdk_reads_it() {
    let (fake, home, file) = fake_with_runs().await;
    let r = backtest_vision(&fake, home.path(), &file, &["--run", "run-4"], "1");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "○ sweep-4 (run-4)  never fired: max avg(loss)[5] was 0.4567 at step 4; it needed > 0.5"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Would have fired on 0 of 1 run(s). Nothing was sent."),
        "{}",
        r.stdout
    );
    let ops = [
        "Run",
        "RunHistoryKeys",
        "RunParquetHistory",
        "SampledHistoryPage",
    ];
    let expected: Vec<Value> = oracle()["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(comparable)
        .collect();
    assert_eq!(sent(&fake, &ops), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_midway_is_an_error_and_no_verdict_is_shown() {
    let (fake, home, file) = fake_with_runs().await;
    fake.fault(
        Some("SampledHistoryPage"),
        Fault::After(40, Box::new(Fault::Status(500))),
    );
    let r = backtest_vision(
        &fake,
        home.path(),
        &file,
        &["--run", "run-7", "--json"],
        "0",
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty(), "no partial verdict: {}", r.stdout);
    assert!(
        r.stderr
            .starts_with("error: reading the history of run run-7:"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_state_automations_on_wandb_judge_the_final_state_and_say_so() {
    let fake = FakeWandb::demo().await;
    let home = tempfile::tempdir().unwrap();
    let r = wbauto(
        &fake,
        home.path(),
        &[
            "backtest",
            "failed-runs",
            "--runs",
            "acme/vision",
            "--last",
            "6",
        ],
        "1",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("the newest 6 runs of acme/vision on W&B"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("● sweep-21 (vis021)  fired 1 time(s)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("○ sweep-23 (vis023)  never fired: its last state was finished"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("neither W&B nor the local database keeps a history of a run's states: only its final state is judged"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Would have fired on 2 of 6 run(s)."),
        "{}",
        r.stdout
    );
}
