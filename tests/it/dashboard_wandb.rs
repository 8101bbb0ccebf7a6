//! The dashboard's core driven against the W&B backend on the fake server: a toggle that W&B
//! refuses with 500s leaves the row as it was, says why, and changes nothing on the server.

use crate::support::dashboard::settle;
use crate::support::fake_wandb;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fake_wandb::FakeWandb;
use fake_wandb::state::Fault;
use std::sync::Arc;
use wbauto::app::msg::Msg;
use wbauto::app::runner::Runner;
use wbauto::app::state::ToastKind;
use wbauto::app::store::session::BackendOffer;
use wbauto::app::{State, update};
use wbauto::backend::Backend;

#[tokio::test]
async fn a_toggle_refused_by_wandb_rolls_back_and_says_why() {
    let fake = FakeWandb::demo().await;
    let backend: Arc<dyn Backend> = Arc::new(fake.backend());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let runner = Runner::new(
        vec![backend.clone()],
        vec![None],
        crate::support::dashboard::backtest_defaults(),
        tx,
    );
    let choice = BackendOffer {
        info: backend.info(),
        entity: Some("acme".into()),
    };
    let mut state = State::new(
        vec![choice],
        "acme".into(),
        backend.capabilities().await.unwrap(),
        0,
    );
    update(&mut state, Msg::Resize(120, 40));
    let first = vec![update::list(&mut state)];
    settle(&mut state, &runner, &mut rx, first).await;
    assert_eq!(state.list().len(), 15);
    let name = state.selected_item().unwrap().saved.automation.name.clone();
    assert!(state.selected_item().unwrap().saved.automation.enabled);

    for _ in 0..6 {
        fake.fault(Some("UpdateAutomation"), Fault::Status(500));
    }
    let effects = update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('t'), KeyModifiers::NONE)),
    );
    assert!(
        !state.selected_item().unwrap().saved.automation.enabled,
        "optimistic"
    );
    settle(&mut state, &runner, &mut rx, effects).await;
    let row = state.selected_item().unwrap();
    assert_eq!(row.saved.automation.name, name);
    assert!(row.saved.automation.enabled, "rolled back");
    assert!(!state.writes().any_pending());
    let toast = state.toasts().back().unwrap();
    assert_eq!(toast.kind, ToastKind::Error);
    assert!(
        toast.text.starts_with(&format!("could not disable {name}"))
            && toast.text.contains("HTTP 500"),
        "{}",
        toast.text
    );
    assert!(
        enabled_on_server(backend.as_ref(), &name).await,
        "nothing changed on W&B"
    );

    // Once W&B answers again, the same key works and can be undone.
    fake.state().faults.clear();
    let effects = update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('t'), KeyModifiers::NONE)),
    );
    settle(&mut state, &runner, &mut rx, effects).await;
    assert!(!state.selected_item().unwrap().saved.automation.enabled);
    let effects = update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE)),
    );
    settle(&mut state, &runner, &mut rx, effects).await;
    assert!(
        enabled_on_server(backend.as_ref(), &name).await,
        "undone on W&B"
    );
}

/// Whether W&B has the automation `name` of acme enabled.
async fn enabled_on_server(backend: &dyn Backend, name: &str) -> bool {
    let listing = backend.list_automations("acme").await.unwrap();
    listing
        .automations
        .iter()
        .find(|s| s.automation.name == name)
        .unwrap()
        .automation
        .enabled
}
