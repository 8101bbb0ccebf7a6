//! The W&B listing's budget: `list --json` of 1,000 automations must spend at most
//! 20 ms of CPU as a whole process and be at least 50x faster than the `wandb` SDK. This bench
//! times the part inside the process — the 21 requests of the listing against the fake W&B
//! answering from memory on loopback (its share is small), decoding every trigger, and writing
//! the `--json` text — so a regression shows here before it shows from outside. Run with
//! `cargo bench --bench wandb`; the whole-process figures come from `tools/time_wandb_list.sh`.
//!
//! The automation history the same way: 10,000 executions of one project read in 100 pages of
//! 100, decoded, sorted newest first and written as JSON (`history --json --limit 10000` must
//! take at most 1 s of wall time as a whole process).

#[path = "../tests/it/support/fake_wandb/mod.rs"]
mod fake_wandb;

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use wbauto::backend::Backend;
use wbauto::file::write::{AutomationDoc, write_json_list};
use wbauto::model::history::{HistoryQuery, HistoryScope};

/// Copies of the demo's automations that make 1,000 in the team `acme`.
const COPIES: usize = 1115;

/// A runtime and the demo fake, grown by `grow`, answering from memory.
fn fake_from_memory(
    grow: impl FnOnce(&mut fake_wandb::state::State),
) -> (tokio::runtime::Runtime, fake_wandb::FakeWandb) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let fake = rt.block_on(fake_wandb::FakeWandb::demo());
    grow(&mut fake.state());
    fake.state().memory = Some(Default::default());
    (rt, fake)
}

fn benches(c: &mut Criterion) {
    let (rt, fake) = fake_from_memory(|s| s.add_copies(COPIES));
    let backend = fake.backend();
    let listed = rt
        .block_on(backend.list_automations("acme"))
        .expect("the listing");
    assert_eq!(listed.automations.len(), 1000, "the bench lists 1,000");
    c.bench_function("wandb list --json of 1,000 automations", |b| {
        b.iter(|| {
            let listing = rt
                .block_on(backend.list_automations("acme"))
                .expect("the listing");
            let docs: Vec<AutomationDoc> = listing
                .automations
                .iter()
                .map(|s| AutomationDoc {
                    automation: &s.automation,
                    default_entity: "acme",
                    with_times: true,
                })
                .collect();
            let mut out = Vec::new();
            write_json_list(&mut out, &docs).expect("written");
            black_box(out.len())
        })
    });
}

/// Executions added to the demo's five in acme/vision: 10,000 in all.
const EXECUTIONS: usize = 9_995;

fn history(c: &mut Criterion) {
    let (rt, fake) = fake_from_memory(|s| s.add_executions("loss-spike", EXECUTIONS));
    let backend = fake.backend();
    let query = HistoryQuery {
        limit: Some(10_000),
        ..HistoryQuery::of(HistoryScope::Project {
            entity: "acme".into(),
            project: "vision".into(),
        })
    };
    let read = rt
        .block_on(backend.automation_history(&query))
        .expect("the history");
    assert_eq!(read.executions.len(), 10_000, "the bench reads 10,000");
    c.bench_function("wandb history --json of 10,000 executions", |b| {
        b.iter(|| {
            let history = rt
                .block_on(backend.automation_history(&query))
                .expect("the history");
            let out = serde_json::to_vec(&history.executions).expect("written");
            black_box(out.len())
        })
    });
}

criterion_group! {
    name = wandb;
    config = Criterion::default().sample_size(30);
    targets = benches, history
}
criterion_main!(wandb);
