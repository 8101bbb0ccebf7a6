//! The run-log reader against fixtures made by the real wandb SDK 0.31.0 (tools/runlog_fixtures.py)
//! and their goldens decoded with the SDK's own protobuf classes.

use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use wbauto::engine::runlog::framing::{Framer, HEADER, Step};
use wbauto::engine::runlog::record::{Record, decode};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runlogs")
}

/// The log file and golden of a scenario.
fn scenario(name: &str) -> (Vec<u8>, Value) {
    let dir = fixtures().join(name);
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("golden.json")).unwrap()).unwrap();
    let run_dir = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    let log = std::fs::read_dir(&run_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "wandb"))
        .unwrap();
    (std::fs::read(log).unwrap(), golden)
}

const SCENARIOS: [&str; 10] = [
    "finished",
    "exception",
    "sysexit",
    "ctrlc",
    "preempted",
    "sigkill-small",
    "sigkill-after-flush",
    "multiblock",
    "bigrecord",
    "valuetypes",
];

/// Records read from `bytes` as one push: (start, end, payload), and whether anything was skipped.
fn read(bytes: &[u8]) -> (Vec<(u64, u64, Vec<u8>)>, usize) {
    let mut f = Framer::at(HEADER);
    if bytes.len() > HEADER as usize {
        f.push(&bytes[HEADER as usize..]);
    }
    let (mut out, mut skipped) = (Vec::new(), 0);
    loop {
        match f.next_step() {
            Step::Record {
                start,
                end,
                payload,
            } => out.push((start, end, payload)),
            Step::Skipped { .. } => skipped += 1,
            Step::NeedMore => return (out, skipped),
        }
    }
}

#[test]
fn every_fixture_decodes_to_its_golden() {
    for name in SCENARIOS {
        let (bytes, golden) = scenario(name);
        assert_eq!(
            bytes.len() as u64,
            golden["size"].as_u64().unwrap(),
            "{name}"
        );
        let (records, skipped) = read(&bytes);
        assert_eq!(skipped, 0, "{name}");
        let expected = golden["records"].as_array().unwrap();
        assert_eq!(records.len(), expected.len(), "{name}");
        for ((start, _, payload), want) in records.iter().zip(expected) {
            assert_eq!(*start, want["offset"].as_u64().unwrap(), "{name}");
            let r = decode(payload).unwrap();
            assert_eq!(r.num, want["num"].as_i64().unwrap(), "{name}");
            match (want["type"].as_str().unwrap(), &r.record) {
                ("history", Record::History { step, items }) => {
                    assert_eq!(step.unwrap_or(0), want["step"].as_i64().unwrap(), "{name}");
                    let mut got: Vec<Value> = items
                        .iter()
                        .map(|(k, v)| serde_json::json!([k, v]))
                        .collect();
                    got.sort_by_key(|v| v.to_string());
                    let mut expected_items = want["items"].as_array().unwrap().clone();
                    expected_items.sort_by_key(|v| v.to_string());
                    assert_eq!(got, expected_items, "{name} record {}", r.num);
                }
                (
                    "run",
                    Record::Run {
                        id,
                        entity,
                        project,
                        display_name,
                        ..
                    },
                ) => {
                    let run = &want["run"];
                    assert_eq!(id, run["id"].as_str().unwrap());
                    assert_eq!(entity, run["entity"].as_str().unwrap());
                    assert_eq!(project, run["project"].as_str().unwrap());
                    assert_eq!(display_name, run["display_name"].as_str().unwrap());
                }
                ("exit", Record::Exit { code, .. }) => {
                    assert_eq!(
                        i64::from(*code),
                        want["exit_code"].as_i64().unwrap(),
                        "{name}"
                    );
                }
                ("preempting", Record::Preempting)
                | ("environment", Record::Environment { .. }) => {}
                ("history" | "run" | "exit" | "preempting" | "environment", other) => {
                    panic!("{name} record {}: {other:?}, golden {want}", r.num)
                }
                (_, Record::Other) => {}
                (kind, other) => panic!("{name}: golden {kind}, read {other:?}"),
            }
        }
    }
}

#[test]
fn every_prefix_yields_exactly_the_records_that_end_before_the_cut() {
    for name in SCENARIOS {
        let (bytes, _) = scenario(name);
        let (all, _) = read(&bytes);
        let ends: Vec<u64> = all.iter().map(|r| r.1).collect();
        let check = |cut: usize| {
            let (got, skipped) = read(&bytes[..cut]);
            assert_eq!(skipped, 0, "{name} cut at {cut}");
            let want = ends.iter().filter(|&&e| e <= cut as u64).count();
            assert_eq!(got.len(), want, "{name} cut at {cut}");
        };
        if bytes.len() < 8_000 {
            for cut in 0..=bytes.len() {
                check(cut);
            }
        } else {
            let mut cuts: Vec<usize> = Vec::new();
            for boundary in (32_768..bytes.len()).step_by(32_768) {
                cuts.extend(boundary.saturating_sub(9)..=(boundary + 9).min(bytes.len()));
            }
            for e in ends.iter().step_by(97) {
                let e = *e as usize;
                cuts.extend(e.saturating_sub(9)..=(e + 9).min(bytes.len()));
            }
            for cut in cuts {
                check(cut);
            }
        }
    }
}

#[test]
fn a_flipped_byte_loses_a_few_records_and_the_reader_resynchronises() {
    let (mut bytes, golden) = scenario("multiblock");
    let total = golden["records"].as_array().unwrap().len();
    bytes[5_000] ^= 0x40;
    let (records, skipped) = read(&bytes);
    assert!(skipped >= 1, "the damage is reported");
    assert!(
        total - records.len() < 200,
        "lost {} records",
        total - records.len()
    );
    let (all, _) = read(&scenario("multiblock").0);
    assert_eq!(records.last(), all.last(), "the last record is still read");
}

#[test]
fn pieces_of_any_size_give_the_same_records() {
    for name in ["multiblock", "bigrecord", "finished"] {
        let (bytes, _) = scenario(name);
        let (whole, _) = read(&bytes);
        for piece in [1usize, 3, 7, 100, 4_093, 32_768] {
            let mut f = Framer::at(HEADER);
            let mut got = Vec::new();
            let mut at = HEADER as usize;
            while at < bytes.len() {
                let to = (at + piece).min(bytes.len());
                f.push(&bytes[at..to]);
                at = to;
                while let Step::Record {
                    start,
                    end,
                    payload,
                } = f.next_step()
                {
                    got.push((start, end, payload));
                }
            }
            assert_eq!(got, whole, "{name} in pieces of {piece}");
        }
    }
}

#[test]
fn value_types_are_numeric_only_when_they_are_numbers() {
    use wbauto::engine::runlog::record::number;
    assert_eq!(number("3"), Some(3.0));
    assert_eq!(number("4611686018427387904"), Some(4.611686018427388e18));
    assert!(number("NaN").unwrap().is_nan());
    assert_eq!(number("-Infinity"), Some(f64::NEG_INFINITY));
    for not in ["true", "null", "\"hi\"", "[1,2]", "\"0.5\""] {
        assert_eq!(number(not), None, "{not}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn damage_never_panics(cut in 0usize..80_000, flips in proptest::collection::vec((0usize..80_000, 0u8..8), 0..6)) {
        let (mut bytes, _) = scenario("bigrecord");
        for (at, bit) in flips {
            if at < bytes.len() {
                bytes[at] ^= 1 << bit;
            }
        }
        bytes.truncate(cut.min(bytes.len()));
        let (records, _) = read(&bytes);
        for (_, _, payload) in records {
            let _ = decode(&payload);
        }
    }
}

#[test]
fn rows_become_metrics_with_joined_keys_and_hidden_underscores() {
    use wbauto::engine::event::EventBody;
    use wbauto::engine::runlog::events::{Mapping, RunLog};
    let (bytes, _) = scenario("valuetypes");
    let mapping = Mapping {
        project: None,
        default_entity: "acme".into(),
    };
    let mut log = RunLog::default();
    let mut warnings = Vec::new();
    let mut events = Vec::new();
    for (_, _, payload) in read(&bytes).0 {
        events.extend(log.on_record(decode(&payload).unwrap(), &mapping, &mut warnings));
    }
    assert!(warnings.is_empty(), "{warnings:?}");
    let metric = events
        .iter()
        .find_map(|e| match &e.body {
            EventBody::Metric { metrics, step } => Some((metrics.clone(), *step)),
            _ => None,
        })
        .unwrap();
    let names: Vec<&str> = metric.0.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "big", "dict.y.z", "float", "inf", "int", "nan", "ninf", "one"
        ]
    );
    assert_eq!(metric.1, Some(0));
    let run = events[0].run.as_ref().unwrap();
    assert_eq!(
        (
            run.entity.as_str(),
            run.project.as_str(),
            run.display_name.as_deref()
        ),
        ("acme", "vision", Some("sweep-10"))
    );
    assert_eq!(
        run.user.as_deref(),
        None,
        "the environment record comes after the run record"
    );
    assert!(matches!(
        events.last().unwrap().body,
        EventBody::State(wbauto::engine::event::StateReport::Finished)
    ));
}

#[test]
fn finding_logs_shrinking_files_and_gone_writers() {
    use wbauto::engine::runlog::events::{Mapping, RunLog};
    use wbauto::engine::runlog::follow;
    let dir = tempfile::tempdir().unwrap();
    let wandb = dir.path().join("wandb");
    let (bytes, golden) = scenario("finished");
    let run = wandb.join("offline-run-20261201_092455-fin00001-1");
    std::fs::create_dir_all(run.join("logs")).unwrap();
    let log_path = run.join("run-fin00001.wandb");
    std::fs::write(&log_path, &bytes).unwrap();
    std::os::unix::fs::symlink(&run, wandb.join("latest-run")).unwrap();
    assert_eq!(
        follow::find(&wandb),
        std::slice::from_ref(&log_path),
        "the -1 suffix is fine; latest-run is not followed"
    );
    assert_eq!(follow::run_id(&log_path), "fin00001");
    let mapping = Mapping {
        project: None,
        default_entity: "acme".into(),
    };
    let first = follow::read(&log_path, &RunLog::default(), &mapping, 1_000, 1_000_000).unwrap();
    assert_eq!(
        first.log.last_num,
        golden["records"].as_array().unwrap().len() as i64
    );
    assert!(first.log.ended);
    // Replaced by a shorter file: read again from the start, with a note.
    std::fs::write(&log_path, &bytes[..bytes.len() / 2]).unwrap();
    let again = follow::read(&log_path, &first.log, &mapping, 1_001, 1_000_000).unwrap();
    assert!(
        again.warnings.iter().any(|w| w.contains("shrank")),
        "{:?}",
        again.warnings
    );
    assert!(!again.events.is_empty() && !again.log.ended);
    // A newer format is refused in words.
    std::fs::write(&log_path, b":W&B\xe1\xbe\x01").unwrap();
    let err = follow::read(&log_path, &RunLog::default(), &mapping, 1, 10).unwrap_err();
    assert!(err.contains("newer wandb"), "{err}");
    // A writer on this host: alive keeps the run going; gone (or a synced log) ends it.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let mut alive = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let live = wandb.join("offline-run-20261201_100000-liv00001");
    std::fs::create_dir_all(live.join("logs")).unwrap();
    let live_log = live.join("run-liv00001.wandb");
    std::fs::write(&live_log, &bytes[..7]).unwrap();
    let debug = |pid: u32| {
        std::fs::write(live.join("logs/debug.log"), format!("2026-12-01 10:00:00,000 INFO    MainThread:{pid} [wandb_setup.py:_flush():81] Configure stats pid to {pid}\n")).unwrap()
    };
    let now = jiff::Timestamp::now().as_second();
    let here = RunLog {
        host: Some(host.trim().to_string()),
        grew_at: now,
        ..RunLog::default()
    };
    debug(alive.id());
    assert!(
        follow::writer_gone(&live_log, &here, now, 60).is_none(),
        "a live writer"
    );
    let mut dead = std::process::Command::new("true").spawn().unwrap();
    dead.wait().unwrap();
    debug(dead.id());
    assert!(
        follow::writer_gone(&live_log, &here, now, 60).is_some(),
        "a dead writer"
    );
    debug(alive.id());
    assert!(
        follow::writer_gone(&live_log, &here, now + 3_600, 60).is_none(),
        "a live writer that stopped writing is a stalled run, not a crashed one"
    );
    let elsewhere = RunLog {
        host: Some("another-host".into()),
        ..here.clone()
    };
    assert!(
        follow::writer_gone(&live_log, &elsewhere, now + 59, 60).is_none(),
        "a log written elsewhere, still growing"
    );
    assert!(
        follow::writer_gone(&live_log, &elsewhere, now + 61, 60).is_some(),
        "written elsewhere: no growth for too long"
    );
    std::fs::write(live.join("run-liv00001.wandb.synced"), b"").unwrap();
    assert_eq!(
        follow::writer_gone(&live_log, &here, now, 60),
        Some(follow::Gone::Synced)
    );
    alive.kill().unwrap();
    let _ = alive.wait();
}
