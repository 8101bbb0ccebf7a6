//! Dashboard budgets: `view()` of the list at 200x50 within 0.5 ms at any size, one filter
//! keystroke (recompute + view) within 2 ms at 10k automations and 10 ms at 100k, and one toggle
//! with no full re-sort. Run with `cargo bench --bench dashboard`.

#[path = "../tests/it/support/dashboard.rs"]
mod dashboard;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use wbauto::app::msg::Msg;
use wbauto::app::store::session::RequestKind;
use wbauto::app::{State, update};

/// A demo state with `n` automations (the demo team's, repeated under distinct names and ids).
fn state_with(n: usize) -> State {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut state = runtime.block_on(dashboard::demo_state(200, 50));
    let mut listing = runtime.block_on(dashboard::demo_listing());
    let demo = std::mem::take(&mut listing.automations);
    listing.automations = (0..n)
        .map(|i| {
            let mut saved = demo[i % demo.len()].clone();
            saved.automation.name = format!("{}-{i:06}", saved.automation.name);
            saved.automation.id = Some(format!("id-{i}"));
            saved
        })
        .collect();
    update(&mut state, dashboard::ctrl('r'));
    let request = state.session().latest(RequestKind::List);
    update(
        &mut state,
        Msg::Listed {
            request,
            result: Ok(listing),
        },
    );
    state
}

fn benches(c: &mut Criterion) {
    for n in [10_000, 100_000] {
        let mut state = state_with(n);
        let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
        update(&mut state, dashboard::key(KeyCode::PageDown));
        c.bench_with_input(BenchmarkId::new("view_200x50", n), &n, |b, _| {
            b.iter(|| {
                terminal
                    .draw(|f| wbauto::ui::view(black_box(&state), f))
                    .expect("draw");
            });
        });
        c.bench_with_input(BenchmarkId::new("toggle", n), &n, |b, _| {
            b.iter(|| {
                update(&mut state, dashboard::ch('t'));
                let id = state.selected_id().expect("a row");
                let automation = state.selected_item().expect("a row").saved.clone();
                update(
                    &mut state,
                    Msg::Saved {
                        id,
                        kind: wbauto::app::msg::SaveKind::Toggle,
                        result: Ok(automation),
                    },
                );
            });
        });
        update(&mut state, dashboard::ch('/'));
        // One keystroke that widens (recompute of every row) and one that narrows, each with a view.
        c.bench_with_input(BenchmarkId::new("filter_keystroke_pair", n), &n, |b, _| {
            b.iter(|| {
                update(&mut state, dashboard::ch('5'));
                terminal
                    .draw(|f| wbauto::ui::view(&state, f))
                    .expect("draw");
                update(
                    &mut state,
                    Msg::Key(crossterm::event::KeyEvent::from(KeyCode::Backspace)),
                );
                terminal
                    .draw(|f| wbauto::ui::view(&state, f))
                    .expect("draw");
            });
        });
        update(&mut state, dashboard::ch('l'));
        c.bench_with_input(
            BenchmarkId::new("filter_narrowing_keystroke", n),
            &n,
            |b, _| {
                b.iter(|| {
                    update(&mut state, dashboard::ch('o'));
                    terminal
                        .draw(|f| wbauto::ui::view(&state, f))
                        .expect("draw");
                    update(
                        &mut state,
                        Msg::Key(crossterm::event::KeyEvent::from(KeyCode::Backspace)),
                    );
                });
            },
        );
    }
}

criterion_group! {
    name = dashboard_benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(dashboard_benches);
