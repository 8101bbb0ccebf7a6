//! The W&B listing's budget: `list --json` of 1,000 automations must spend at most
//! 20 ms of CPU as a whole process and be at least 50x faster than the `wandb` SDK. This bench
//! times the part inside the process — the 21 requests of the listing against the fake W&B
//! answering from memory on loopback (its share is small), decoding every trigger, and writing
//! the `--json` text — so a regression shows here before it shows from outside. Run with
//! `cargo bench --bench wandb`; the whole-process figures come from `tools/time_wandb_list.sh`.

#[path = "../tests/it/support/fake_wandb/mod.rs"]
mod fake_wandb;

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use wbauto::backend::Backend;
use wbauto::file::write::{AutomationDoc, write_json_list};

/// Copies of the demo's automations that make 1,000 in the team `acme`.
const COPIES: usize = 1115;

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let fake = rt.block_on(fake_wandb::FakeWandb::demo());
    fake.state().add_copies(COPIES);
    fake.state().memory = Some(Default::default());
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

criterion_group! {
    name = wandb;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(wandb);
