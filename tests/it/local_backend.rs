//! The local backend: seeding, listing, writes, conflicts between two connections, bad files.

use wbauto::backend::local::LocalBackend;
use wbauto::backend::resolve::prepare;
use wbauto::backend::{Backend, BackendError};
use wbauto::file::{Format, parse_text};
use wbauto::model::{Action, Event, EventKind};

fn db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("local.db");
    (dir, path)
}

#[tokio::test]
async fn first_use_seeds_the_demo_team() {
    let (_dir, path) = db();
    let b = LocalBackend::open(&path).await.unwrap();
    assert_eq!(b.default_entity().await.unwrap(), "acme");
    let listing = b.list_automations("acme").await.unwrap();
    assert!(listing.unreadable.is_empty(), "{:?}", listing.unreadable);
    let all = &listing.automations;
    assert!(all.len() >= 12, "{}", all.len());
    let kinds: std::collections::BTreeSet<EventKind> =
        all.iter().map(|s| s.automation.event.kind()).collect();
    for kind in EventKind::creatable() {
        assert!(kinds.contains(&kind), "demo lacks {kind:?}");
    }
    for action in ["slack", "webhook", "no_op"] {
        assert!(
            all.iter()
                .any(|s| s.automation.action.kind().file_name() == action),
            "demo lacks {action}"
        );
    }
    assert!(
        all.iter().any(|s| !s.automation.enabled),
        "demo has no disabled automation"
    );
    assert!(
        all.iter()
            .any(|s| matches!(s.automation.action, Action::Raw { .. })),
        "demo has no legacy automation"
    );
    let org = b.list_automations("acme-corp").await.unwrap();
    assert_eq!(org.automations.len(), 2);
    // Reopening does not seed again.
    drop(b);
    let b = LocalBackend::open(&path).await.unwrap();
    assert_eq!(
        b.list_automations("acme").await.unwrap().automations.len(),
        all.len()
    );
}

const FILE: &str = "
name: lr-too-high
scope: {project: acme/vision}
event: {type: run_metric_threshold, metric: lr, cmp: '>', threshold: 1}
action: {type: slack, integration: '#ml-alerts'}
";

#[tokio::test]
async fn create_update_delete_and_name_conflicts() {
    let (_dir, path) = db();
    let b = LocalBackend::open(&path).await.unwrap();
    let a = parse_text(FILE, Format::Yaml).unwrap().remove(0);
    let a = prepare(&b, a, "acme").await.unwrap();
    let saved = b.create_automation(&a).await.unwrap().automation;
    assert!(saved.id.is_some());
    assert_eq!(saved.updated_at, None);
    let err = b.create_automation(&a).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::Conflict(m) if m.contains("already used") && m.contains("project acme/vision")),
        "{err}"
    );

    let mut changed = saved.clone();
    changed.enabled = false;
    let updated = b.update_automation(&changed).await.unwrap().automation;
    assert!(!updated.enabled);
    assert!(updated.updated_at.is_some());
    // The stale copy (read before the update) is refused.
    let err = b.update_automation(&changed).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::Conflict(m) if m.contains("changed elsewhere")),
        "{err}"
    );

    b.delete_automation(updated.id.as_deref().unwrap())
        .await
        .unwrap();
    let err = b
        .delete_automation(updated.id.as_deref().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::NotFound(_)));
    let err = b.update_automation(&updated).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::NotFound(m) if m.contains("deleted elsewhere")),
        "{err}"
    );
}

#[tokio::test]
async fn two_connections_to_one_file_do_not_lose_writes() {
    let (_dir, path) = db();
    let first = LocalBackend::open(&path).await.unwrap();
    let second = LocalBackend::open(&path).await.unwrap();
    let read_by_first = first
        .list_automations("acme")
        .await
        .unwrap()
        .automations
        .remove(0)
        .automation;
    let read_by_second = second
        .list_automations("acme")
        .await
        .unwrap()
        .automations
        .remove(0)
        .automation;
    let mut a = read_by_second.clone();
    a.description = Some("changed by the second dashboard".into());
    second.update_automation(&a).await.unwrap();
    let mut b = read_by_first.clone();
    b.enabled = !b.enabled;
    let err = first.update_automation(&b).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::Conflict(m) if m.contains("changed elsewhere") && m.contains("refresh")),
        "{err}"
    );
    let now = first
        .list_automations("acme")
        .await
        .unwrap()
        .automations
        .remove(0)
        .automation;
    assert_eq!(
        now.description.as_deref(),
        Some("changed by the second dashboard")
    );
}

#[tokio::test]
async fn resolution_names_missing_parts() {
    let (_dir, path) = db();
    let b = LocalBackend::open(&path).await.unwrap();
    let text = FILE
        .replace("acme/vision", "acme/nope")
        .replace("#ml-alerts", "#nope");
    let a = parse_text(&text, Format::Yaml).unwrap().remove(0);
    let err = prepare(&b, a, "acme").await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("scope: there is no project nope in acme"),
        "{msg}"
    );
    assert!(
        msg.contains("action.integration: no Slack integration named \"#nope\""),
        "{msg}"
    );
}

#[tokio::test]
async fn a_corrupt_database_gets_a_clear_error() {
    let (_dir, path) = db();
    std::fs::write(
        &path,
        b"this is not sqlite, just some bytes that are long enough to look like a header......",
    )
    .unwrap();
    let err = LocalBackend::open(&path)
        .await
        .err()
        .expect("a corrupt file must not open");
    let msg = err.to_string();
    assert!(
        msg.contains("cannot be used") && msg.contains("mv "),
        "{msg}"
    );
}

#[tokio::test]
async fn legacy_automations_are_read_only() {
    let (_dir, path) = db();
    let b = LocalBackend::open(&path).await.unwrap();
    let legacy = b
        .list_automations("acme")
        .await
        .unwrap()
        .automations
        .into_iter()
        .find(|s| matches!(s.automation.action, Action::Raw { .. }))
        .unwrap()
        .automation;
    assert!(matches!(legacy.event, Event::Artifact { .. }));
    let mut toggled = legacy.clone();
    toggled.enabled = false;
    let err = b.update_automation(&toggled).await.unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
}

#[tokio::test]
async fn a_database_removed_or_replaced_under_us_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("local.db");
    let backend = LocalBackend::open(&path).await.unwrap();
    let listing = backend.list_automations("acme").await.unwrap();
    let mut a = listing.automations[0].automation.clone();
    a.enabled = !a.enabled;
    std::fs::remove_file(&path).unwrap();
    let err = backend.update_automation(&a).await.unwrap_err();
    assert!(err.to_string().contains("removed or replaced"), "{err}");
    // Replaced by another file at the same path: refused too.
    let _other = LocalBackend::open(&path).await.unwrap();
    let err = backend.update_automation(&a).await.unwrap_err();
    assert!(err.to_string().contains("removed or replaced"), "{err}");
}

#[tokio::test]
async fn enabling_retries_when_the_automation_changed_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("local.db");
    let ours = LocalBackend::open(&path).await.unwrap();
    let theirs = LocalBackend::open(&path).await.unwrap();
    let read = ours.list_automations("acme").await.unwrap().automations[0].clone();
    let stale = read.automation.clone();
    // Someone else edits it in between: our copy is now stale.
    let mut edited = theirs.list_automations("acme").await.unwrap().automations[0]
        .automation
        .clone();
    edited.description = Some("changed elsewhere".into());
    std::thread::sleep(std::time::Duration::from_millis(5));
    theirs.update_automation(&edited).await.unwrap();
    assert!(
        matches!(
            ours.update_automation(&wbauto::ops::with_enabled(&stale, !stale.enabled).unwrap())
                .await,
            Err(BackendError::Conflict(_))
        ),
        "a plain write of the stale copy is refused"
    );
    let toggled = wbauto::ops::set_enabled(&ours, "acme", &read, !stale.enabled)
        .await
        .unwrap();
    assert!(toggled.changed);
    let saved = toggled.saved;
    assert_eq!(saved.automation.enabled, !stale.enabled);
    assert_eq!(
        saved.automation.description.as_deref(),
        Some("changed elsewhere"),
        "their edit is kept"
    );
    let again = wbauto::ops::set_enabled(&ours, "acme", &saved, !stale.enabled)
        .await
        .unwrap();
    assert!(!again.changed);
}

/// On a first load the local backend sends the first page by name ahead of the whole listing,
/// and the dashboard draws it at once, saying the rest is loading.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_page_comes_ahead_of_the_whole_listing() {
    use std::sync::Arc;
    use wbauto::app::msg::{Effect, Msg};
    let dir = tempfile::tempdir().unwrap();
    let local = LocalBackend::open(&dir.path().join("local.db"))
        .await
        .unwrap();
    let base = local.list_automations("acme").await.unwrap().automations[0]
        .automation
        .clone();
    let copies: Vec<_> = (0..250)
        .map(|i| {
            let mut a = wbauto::ops::recreatable(&base);
            a.name = format!("copy-{i:03}");
            a
        })
        .collect();
    local.create_automations(&copies).await.unwrap();
    let backend: Arc<dyn Backend> = Arc::new(local);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let runner = wbauto::app::runner::Runner::new(
        vec![backend.clone()],
        vec![None],
        crate::support::dashboard::backtest_defaults(),
        tx,
    );
    runner.run(
        Effect::List {
            request: 7,
            entity: "acme".into(),
            first_page: true,
        },
        0,
    );
    let Some(Msg::FirstPage {
        request: 7,
        listing: first,
    }) = rx.recv().await
    else {
        panic!("the first page comes first")
    };
    let Some(Msg::Listed {
        request: 7,
        result: Ok(all),
    }) = rx.recv().await
    else {
        panic!("then the whole listing")
    };
    let mut names: Vec<String> = all
        .automations
        .iter()
        .map(|s| s.automation.name.clone())
        .collect();
    names.sort();
    let firsts: Vec<String> = first
        .automations
        .iter()
        .map(|s| s.automation.name.clone())
        .collect();
    assert_eq!(all.automations.len(), 267);
    assert_eq!(
        firsts,
        names[..200],
        "the first page is the top of the list as sorted by name"
    );

    // The dashboard shows it and says the rest is loading, then the whole list.
    let mut state = crate::support::dashboard::demo_state(120, 30).await;
    update_to_loading(&mut state);
    let request = state
        .session()
        .latest(wbauto::app::store::session::RequestKind::List);
    wbauto::app::update(
        &mut state,
        Msg::FirstPage {
            request,
            listing: first,
        },
    );
    let screen = render(&state);
    assert!(
        screen.contains("first 200 by name") && screen.contains("loading the rest"),
        "{screen}"
    );
    wbauto::app::update(
        &mut state,
        Msg::Listed {
            request,
            result: Ok(all),
        },
    );
    assert!(
        render(&state).contains("267 automations"),
        "{}",
        render(&state)
    );

    // A refresh of a loaded list asks for no first page.
    runner.run(
        Effect::List {
            request: 8,
            entity: "acme".into(),
            first_page: false,
        },
        0,
    );
    assert!(matches!(
        rx.recv().await,
        Some(Msg::Listed { request: 8, .. })
    ));
}

/// Brings a loaded dashboard back to "loading" as a switch of entity does.
fn update_to_loading(state: &mut wbauto::app::State) {
    let effect = wbauto::app::update::connect(state, Some("acme".into()));
    let wbauto::app::msg::Effect::Switch { request, .. } = effect else {
        panic!("{effect:?}")
    };
    let effects = wbauto::app::update(
        state,
        wbauto::app::msg::Msg::Switched {
            request,
            backend: 0,
            entity: "acme".into(),
            result: Ok(wbauto::model::Capabilities::everything()),
        },
    );
    assert!(
        matches!(
            effects.first(),
            Some(wbauto::app::msg::Effect::List {
                first_page: true,
                ..
            })
        ),
        "{effects:?}"
    );
}

fn render(state: &wbauto::app::State) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(
        state.size().0,
        state.size().1,
    ))
    .unwrap();
    terminal.draw(|f| wbauto::ui::view(state, f)).unwrap();
    terminal.backend().to_string()
}

/// The dashboard toggles through the same retry as `enable`/`disable`: an automation changed
/// elsewhere since it was listed is read again and toggled, keeping the other change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_toggle_retries_when_the_automation_changed_elsewhere() {
    use std::sync::Arc;
    use wbauto::app::msg::{Effect, Msg, SaveKind};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("local.db");
    let ours: Arc<dyn Backend> = Arc::new(LocalBackend::open(&path).await.unwrap());
    let theirs = LocalBackend::open(&path).await.unwrap();
    let read = ours.list_automations("acme").await.unwrap().automations[0].clone();
    let mut edited = read.automation.clone();
    edited.description = Some("changed elsewhere".into());
    std::thread::sleep(std::time::Duration::from_millis(5));
    theirs.update_automation(&edited).await.unwrap();
    let (runner, mut rx) =
        crate::support::dashboard::runner(ours, crate::support::dashboard::backtest_defaults());
    let enabled = !read.automation.enabled;
    runner.run(
        Effect::Toggle {
            read: Box::new(read.clone()),
            enabled,
            entity: "acme".into(),
        },
        0,
    );
    let Some(Msg::Saved {
        kind: SaveKind::Toggle,
        result,
        ..
    }) = rx.recv().await
    else {
        panic!("the toggle answers")
    };
    let saved = result.expect("toggled after reading it again");
    assert_eq!(saved.automation.enabled, enabled);
    assert_eq!(
        saved.automation.description.as_deref(),
        Some("changed elsewhere"),
        "their edit is kept"
    );
}

/// The demo's last day: written once, on the first start the demo seed marked, dated back from
/// it, with every kind of outcome; another start (or any other database) gets nothing.
#[tokio::test]
async fn the_demo_day_is_written_once_dated_back_from_the_first_start() {
    use wbauto::engine::history::{Query, list};
    let dir = tempfile::tempdir().unwrap();
    let local = LocalBackend::open(&dir.path().join("local.db"))
        .await
        .unwrap();
    let engine = wbauto::engine::Engine::new(local.connection(), Default::default()).unwrap();
    let start: jiff::Timestamp = "2026-12-06T08:00:00Z".parse().unwrap();
    let all = |engine: &wbauto::engine::Engine| {
        let q = Query {
            limit: 100,
            ..Query::default()
        };
        engine.with(|c| list(c, &q)).unwrap()
    };
    assert!(all(&engine).is_empty(), "nothing before the first start");
    for _ in 0..2 {
        engine
            .with(|c| wbauto::engine::demo::seed_day(c, start))
            .unwrap();
    }
    let day = all(&engine);
    assert_eq!(day.len(), 8, "{day:#?}");
    let yesterday = start
        .checked_sub(jiff::SignedDuration::from_hours(24))
        .unwrap();
    for e in &day {
        let at: jiff::Timestamp = e.created_at.parse().unwrap();
        assert!(yesterday < at && at < start, "{e:?}");
    }
    let has = |status: &str, what: &dyn Fn(&wbauto::engine::history::Execution) -> bool| {
        day.iter().any(|e| e.status == status && what(e))
    };
    assert!(has("failed", &|e| e.response_status == Some(404)
        && e.response_body.as_deref() == Some("channel_not_found")));
    assert!(has("success", &|e| e.attempts == 3), "a retried delivery");
    assert!(has("skipped", &|e| e
        .error
        .as_deref()
        .is_some_and(|w| w.starts_with("rate limit"))));
    assert!(has("skipped", &|e| e
        .error
        .as_deref()
        .is_some_and(|w| w.contains("less than 24 hours"))));
    assert!(has("success", &|e| e.test), "a test fire");
    // Newest first, as the engine's own are.
    assert_eq!(day[0].automation_name, "failed-runs");
}
