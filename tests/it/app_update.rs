//! `update()` for every key action: what changes in the state and which effects are asked for.

use crate::support::dashboard;

use crossterm::event::KeyCode;
use dashboard::{NOW, ch, ctrl, demo_listing, demo_state, key, selected, typed};
use dashboard::{Overlay, overlay, set_filter};
use wbauto::app::ctx::Confirm;
use wbauto::app::msg::{Effect, Msg, SaveKind};
use wbauto::app::screens::detail::DetailTab;
use wbauto::app::screens::integrations::IntegrationsMsg;
use wbauto::app::state::ToastKind;
use wbauto::app::store::list::{Loading, SortKey};
use wbauto::app::store::session::RequestKind;
use wbauto::app::store::writes::Pending;
use wbauto::app::update;
use wbauto::backend::{BackendError, SavedAutomation};

fn saved_with(
    state: &wbauto::app::State,
    f: impl Fn(&mut wbauto::model::Automation),
) -> SavedAutomation {
    let mut saved = state.selected_item().unwrap().saved.clone();
    f(&mut saved.automation);
    saved.automation.updated_at = Some("2026-11-26T12:00:01Z".into());
    saved
}

#[tokio::test]
async fn movement_keys() {
    let mut s = demo_state(160, 48).await;
    assert_eq!(selected(&s), "accuracy-anomaly");
    update(&mut s, ch('j'));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.selection().selected(), 2);
    update(&mut s, ch('k'));
    assert_eq!(s.selection().selected(), 1);
    update(&mut s, ch('G'));
    assert_eq!(s.selection().selected(), s.list().view_len() - 1);
    update(&mut s, ch('g'));
    assert_eq!(s.selection().selected(), 0);
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(
        s.selection().selected(),
        16,
        "a page is longer than the list here"
    );
    update(&mut s, key(KeyCode::Home));
    update(&mut s, ctrl('d'));
    assert!(s.selection().selected() > 0);
    update(&mut s, ctrl('u'));
    assert_eq!(s.selection().selected(), 0);
    update(&mut s, key(KeyCode::Up));
    assert_eq!(s.selection().selected(), 0, "never above the top");
}

#[tokio::test]
async fn paging_scrolls_a_short_terminal() {
    let mut s = demo_state(80, 16).await;
    let rows = s.page_rows();
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(s.selection().selected(), rows);
    assert!(
        s.selection().offset() > 0 && s.selection().selected() < s.selection().offset() + rows,
        "the selection stays visible"
    );
}

#[tokio::test]
async fn open_tabs_raw_and_back() {
    let mut s = demo_state(80, 24).await;
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        overlay(&s),
        Overlay::Detail {
            tab: DetailTab::Overview,
            scroll: 0
        }
    );
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    assert!(matches!(
        overlay(&s),
        Overlay::Detail {
            tab: DetailTab::Python,
            ..
        }
    ));
    update(&mut s, key(KeyCode::BackTab));
    assert!(matches!(
        overlay(&s),
        Overlay::Detail {
            tab: DetailTab::Wire,
            ..
        }
    ));
    update(&mut s, ch('j'));
    assert!(
        matches!(overlay(&s), Overlay::Detail { scroll: 1, .. }),
        "j scrolls in the detail"
    );
    update(&mut s, ch('q'));
    assert_eq!(overlay(&s), Overlay::None);
    update(&mut s, ch('y'));
    assert_eq!(overlay(&s), Overlay::Raw { scroll: 0 });
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(overlay(&s), Overlay::None);
    assert!(!s.quitting());
    update(&mut s, ch('q'));
    assert!(s.quitting(), "q quits from the list");
}

#[tokio::test]
async fn ctrl_c_quits_from_anywhere() {
    let mut s = demo_state(80, 24).await;
    update(&mut s, ch('/'));
    update(&mut s, ctrl('c'));
    assert!(s.quitting());
}

#[tokio::test]
async fn filter_typing_narrows_keeps_and_restores() {
    let mut s = demo_state(160, 48).await;
    update(&mut s, ch('/'));
    typed(&mut s, "loss");
    let names = dashboard::shown_names(&s);
    assert_eq!(names, ["loss-plateau", "loss-spike", "watch-loss-nan"]);
    update(&mut s, key(KeyCode::Backspace));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.list().filter(), "los");
    assert!(!dashboard::editing_filter(&s));
    update(&mut s, ch('/'));
    typed(&mut s, " off:");
    assert_eq!(s.list().view_len(), 0);
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(
        s.list().filter(),
        "los",
        "esc restores the filter from before"
    );
    update(&mut s, ch('/'));
    update(&mut s, ctrl('u'));
    typed(&mut s, "event:zscore");
    assert_eq!(s.list().view_len(), 1);
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, ch('q'));
    assert!(
        s.list().filter().is_empty() && !s.quitting(),
        "q first clears the filter"
    );
    for (filter, count) in [
        ("scope:team", 2),
        ("action:webhook", 4),
        ("on: action:no", 1),
        ("off:", 1),
        ("action:queue", 1),
    ] {
        set_filter(&mut s, filter);
        assert_eq!(s.list().view_len(), count, "{filter}");
    }
}

#[tokio::test]
async fn sort_and_reverse() {
    let mut s = demo_state(160, 48).await;
    update(&mut s, ch('s'));
    assert_eq!(s.list().sort(), SortKey::Updated);
    assert_eq!(
        selected(&s),
        "accuracy-anomaly",
        "the selection follows its row"
    );
    update(&mut s, ch('g'));
    assert_eq!(selected(&s), "loss-spike", "newest change first");
    update(&mut s, ch('S'));
    assert!(s.list().reverse());
    update(&mut s, ch('s'));
    assert_eq!(s.list().sort(), SortKey::Last, "then by the last firing");
    for _ in 0..4 {
        update(&mut s, ch('s'));
    }
    assert_eq!(s.list().sort(), SortKey::Name);
}

#[tokio::test]
async fn toggle_is_optimistic_and_confirmed() {
    let mut s = demo_state(160, 48).await;
    let effects = update(&mut s, ch('t'));
    let [
        Effect::Toggle {
            read,
            enabled: false,
            entity,
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert!(
        read.automation.enabled && entity == "acme",
        "the toggle starts from the automation as read, and retries from its entity's listing"
    );
    assert!(
        !s.selected_item().unwrap().saved.automation.enabled,
        "the row flips at once"
    );
    assert!(matches!(
        s.writes().pending(s.selected_item().unwrap().id()),
        Some(Pending::Toggle(_))
    ));
    assert!(
        update(&mut s, ch('t')).is_empty(),
        "a second toggle waits for the first"
    );
    let saved = saved_with(&s, |a| a.enabled = false);
    dashboard::toggle_answered(&mut s, Ok(saved));
    assert!(!s.writes().any_pending());
    assert_eq!(
        s.selected_item()
            .unwrap()
            .saved
            .automation
            .updated_at
            .as_deref(),
        Some("2026-11-26T12:00:01Z")
    );
    assert!(
        s.toasts()
            .back()
            .unwrap()
            .text
            .starts_with("disabled accuracy-anomaly")
    );
    assert_eq!(s.writes().undo_len(), 1);
}

#[tokio::test]
async fn a_failed_toggle_rolls_back_and_says_why() {
    let mut s = demo_state(160, 48).await;
    update(&mut s, ch('t'));
    dashboard::toggle_answered(&mut s, Err(BackendError::Server("HTTP 500".into())));
    let item = s.selected_item().unwrap();
    assert!(item.saved.automation.enabled, "rolled back");
    assert!(!s.writes().any_pending());
    let toast = s.toasts().back().unwrap();
    assert_eq!(toast.kind, ToastKind::Error);
    assert_eq!(toast.text, "could not disable accuracy-anomaly: HTTP 500");
    assert!(s.writes().undo_len() == 0);
}

#[tokio::test]
async fn read_only_kinds_and_read_only_mode_refuse_writes() {
    let mut s = demo_state(160, 48).await;
    set_filter(&mut s, "nightly");
    assert!(update(&mut s, ch('t')).is_empty());
    assert!(s.toasts().back().unwrap().text.contains("read-only"));
    assert!(update(&mut s, ch('E')).is_empty());
    s.set_read_only(Some("--read-only".into()));
    for c in ['t', 'D', 'E', 'z'] {
        assert!(update(&mut s, ch(c)).is_empty(), "{c}");
        assert!(
            s.toasts()
                .back()
                .unwrap()
                .text
                .starts_with("read-only mode (--read-only): not "),
            "{c}"
        );
        assert_eq!(overlay(&s), Overlay::None);
    }
}

#[tokio::test]
async fn marks_ranges_and_bulk_toggle() {
    let mut s = demo_state(160, 48).await;
    update(&mut s, ch(' '));
    update(&mut s, ch(' '));
    assert_eq!(s.selection().marks().len(), 2);
    assert_eq!(s.selection().selected(), 2);
    update(&mut s, ch('v'));
    typed(&mut s, "jj");
    update(&mut s, ch('v'));
    assert_eq!(s.selection().marks().len(), 5);
    update(&mut s, ch('t'));
    let Overlay::Confirm {
        what: Confirm::Toggle { ids, .. },
        yes: false,
    } = overlay(&s)
    else {
        panic!("{:?}", overlay(&s))
    };
    assert_eq!(ids.len(), 5);
    update(&mut s, key(KeyCode::Tab));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(effects.len(), 5);
    assert!(s.selection().marks().is_empty());
    update(&mut s, ch(' '));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.selection().marks().is_empty(), "esc clears marks first");
    assert!(!s.quitting());
}

#[tokio::test]
async fn delete_focuses_cancel_and_bulk_needs_the_count() {
    let mut s = demo_state(160, 48).await;
    update(&mut s, ch('D'));
    assert!(matches!(
        overlay(&s),
        Overlay::Confirm {
            what: Confirm::Delete { .. },
            yes: false
        }
    ));
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "enter on Cancel cancels"
    );
    assert_eq!(overlay(&s), Overlay::None);
    update(&mut s, ch('D'));
    update(&mut s, key(KeyCode::Right));
    let effects = update(&mut s, key(KeyCode::Enter));
    let [Effect::Delete { id }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(s.writes().pending(id), Some(&Pending::Delete));
    let name = selected(&s);
    update(
        &mut s,
        Msg::Deleted {
            id: id.clone(),
            result: Ok(()),
        },
    );
    assert_eq!(s.list().len(), 16);
    assert!(
        s.toasts()
            .back()
            .unwrap()
            .text
            .starts_with(&format!("deleted {name}"))
    );
    // Undo creates it again.
    let effects = update(&mut s, ch('z'));
    let [Effect::Recreate { automation, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(automation.name, name);
    assert!(automation.id.is_none());
    // Several marked: the count must be typed.
    typed(&mut s, "   ");
    update(&mut s, ch('D'));
    update(&mut s, key(KeyCode::Tab));
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    assert!(s.toasts().back().unwrap().text.contains("type 3"));
    typed(&mut s, "3");
    assert_eq!(update(&mut s, key(KeyCode::Enter)).len(), 3);
}

#[tokio::test]
async fn a_failed_delete_keeps_the_row() {
    let mut s = demo_state(160, 48).await;
    update(&mut s, ch('D'));
    update(&mut s, key(KeyCode::Tab));
    let effects = update(&mut s, key(KeyCode::Enter));
    let [Effect::Delete { id }] = effects.as_slice() else {
        panic!()
    };
    update(
        &mut s,
        Msg::Deleted {
            id: id.clone(),
            result: Err(BackendError::NotFound("gone".into())),
        },
    );
    assert_eq!(s.list().len(), 17);
    assert!(!s.writes().any_pending());
    assert_eq!(s.toasts().back().unwrap().kind, ToastKind::Error);
}

#[tokio::test]
async fn undo_restores_the_previous_content_with_the_new_stamp() {
    let mut s = demo_state(160, 48).await;
    update(&mut s, ch('t'));
    let saved = saved_with(&s, |a| a.enabled = false);
    dashboard::toggle_answered(&mut s, Ok(saved));
    let effects = update(&mut s, ch('z'));
    let [
        Effect::Update {
            automation,
            kind: SaveKind::Undo { .. },
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert!(automation.enabled);
    assert_eq!(
        automation.updated_at.as_deref(),
        Some("2026-11-26T12:00:01Z"),
        "the precondition is the latest stamp"
    );
    assert!(update(&mut s, ch('z')).is_empty());
    assert_eq!(s.toasts().back().unwrap().text, "nothing to undo");
}

#[tokio::test]
async fn one_undo_takes_back_a_whole_bulk_toggle_and_a_bulk_delete() {
    let mut s = demo_state(160, 48).await;
    update(&mut s, ch(' '));
    update(&mut s, ch(' '));
    update(&mut s, ch('t'));
    update(&mut s, key(KeyCode::Tab));
    let effects = update(&mut s, key(KeyCode::Enter));
    let toggled: Vec<SavedAutomation> = effects
        .iter()
        .map(|e| match e {
            Effect::Toggle { read, enabled, .. } => {
                let mut saved = (**read).clone();
                saved.automation.enabled = *enabled;
                saved
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(toggled.len(), 2);
    for saved in toggled {
        let id = saved.automation.id.clone().unwrap();
        let kind = SaveKind::Toggle;
        update(
            &mut s,
            Msg::Saved {
                id,
                kind,
                result: Ok(saved),
            },
        );
    }
    assert_eq!(s.writes().undo_len(), 1, "one action");
    let effects = update(&mut s, ch('z'));
    let restored: Vec<&str> = effects
        .iter()
        .map(|e| match e {
            Effect::Update {
                automation,
                kind: SaveKind::Undo { .. },
            } if automation.enabled => automation.name.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(restored.len(), 2, "one z restores both: {effects:?}");
    assert_eq!(s.writes().undo_len(), 0);
    // Two rows deleted in one box come back with one z too.
    update(&mut s, ch(' '));
    update(&mut s, ch(' '));
    update(&mut s, ch('D'));
    typed(&mut s, "2");
    update(&mut s, key(KeyCode::Tab));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(effects.len(), 2, "{effects:?}");
    for effect in effects {
        let Effect::Delete { id } = effect else {
            panic!("{effect:?}")
        };
        update(&mut s, Msg::Deleted { id, result: Ok(()) });
    }
    let effects = update(&mut s, ch('z'));
    assert_eq!(effects.len(), 2, "{effects:?}");
    assert!(
        effects.iter().all(|e| matches!(e, Effect::Recreate { .. })),
        "{effects:?}"
    );
}

#[tokio::test]
async fn edit_as_file_flow() {
    let mut s = demo_state(160, 48).await;
    let effects = update(&mut s, ch('E'));
    let [Effect::Edit { id, text }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(text.contains("name: accuracy-anomaly") && text.contains("type: run_metric_zscore"));
    let (id, text) = (id.clone(), text.clone());
    update(
        &mut s,
        Msg::Edited {
            id: id.clone(),
            result: Ok(text.clone()),
        },
    );
    assert_eq!(s.toasts().back().unwrap().text, "no changes");
    // A broken file keeps the text for another try.
    let broken = text.replace("window: 30", "window: -2");
    update(
        &mut s,
        Msg::Edited {
            id: id.clone(),
            result: Ok(broken.clone()),
        },
    );
    let Overlay::EditError {
        text: kept,
        message,
        ..
    } = overlay(&s)
    else {
        panic!("{:?}", overlay(&s))
    };
    assert_eq!(kept, broken);
    assert!(
        message.contains("event.window at line ") && message.contains(", column "),
        "the problem is located in the text: {message}"
    );
    let effects = update(&mut s, ch('e'));
    assert!(matches!(effects.as_slice(), [Effect::Edit { text, .. }] if *text == broken));
    // A good edit shows a diff, then saves through the backend on confirmation.
    let good = text.replace("window: 30", "window: 50");
    update(
        &mut s,
        Msg::Edited {
            id: id.clone(),
            result: Ok(good.clone()),
        },
    );
    let Overlay::Confirm {
        what: Confirm::SaveEdit { diff, .. },
        ..
    } = overlay(&s)
    else {
        panic!("{:?}", overlay(&s))
    };
    assert_eq!(
        diff.iter()
            .filter(|d| !matches!(d, wbauto::app::diff::DiffLine::Same(_)))
            .count(),
        2
    );
    update(&mut s, key(KeyCode::Tab));
    let effects = update(&mut s, key(KeyCode::Enter));
    let [
        Effect::SaveFile {
            automation,
            kind: SaveKind::Edit { .. },
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(automation.id.as_deref(), Some(id.as_str()));
    assert!(automation.updated_at.is_some() || automation.created_at.is_some());
    // The server refuses: the text comes back, nothing typed is lost.
    let kind = SaveKind::Edit {
        before: Box::new(s.selected_item().unwrap().saved.automation.clone()),
        text: good.clone(),
    };
    update(
        &mut s,
        Msg::Saved {
            id: id.clone(),
            kind,
            result: Err(BackendError::Conflict("changed elsewhere".into())),
        },
    );
    assert!(
        matches!(&overlay(&s), Overlay::EditError { text, message, .. } if *text == good && message.contains("changed elsewhere"))
    );
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(overlay(&s), Overlay::None);
    // The editor could not run.
    update(
        &mut s,
        Msg::Edited {
            id,
            result: Err("cannot run the editor \"nope\"".into()),
        },
    );
    assert_eq!(s.toasts().back().unwrap().kind, ToastKind::Error);
}

#[tokio::test]
async fn copy_integrations_switch_refresh_and_pause() {
    let mut s = demo_state(160, 48).await;
    assert!(
        matches!(update(&mut s, ch('c')).as_slice(), [Effect::Copy { text }] if text == "accuracy-anomaly")
    );
    assert!(
        matches!(update(&mut s, ch('C')).as_slice(), [Effect::Copy { text }] if text.contains("\"type\": \"run_metric_zscore\""))
    );
    let effects = update(&mut s, ch('i'));
    assert!(
        matches!(effects.as_slice(), [Effect::ListIntegrations { entity, .. }] if entity == "acme")
    );
    let request = s.session().latest(RequestKind::Integrations);
    update(
        &mut s,
        Msg::from(IntegrationsMsg::Loaded {
            request: request - 1,
            result: Ok(Vec::new()),
        }),
    );
    assert_eq!(
        overlay(&s),
        Overlay::Integrations { loaded: false },
        "a stale answer is dropped"
    );
    update(
        &mut s,
        Msg::from(IntegrationsMsg::Loaded {
            request,
            result: Ok(Vec::new()),
        }),
    );
    assert_eq!(overlay(&s), Overlay::Integrations { loaded: true });
    assert_eq!(
        update(&mut s, ctrl('r')).len(),
        1,
        "ctrl-r reloads the integrations here"
    );
    update(&mut s, ch('q'));
    update(&mut s, ch('@'));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, ctrl('u'));
    typed(&mut s, "acme-corp");
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        effects,
        [Effect::Switch {
            request: s.session().latest(RequestKind::Switch),
            backend: 1,
            entity: Some("acme-corp".into())
        }]
    );
    let request = s.session().latest(RequestKind::Switch);
    let effects = update(
        &mut s,
        Msg::Switched {
            request,
            backend: 1,
            entity: "acme-corp".into(),
            result: Ok(Default::default()),
        },
    );
    assert!(
        matches!(effects.as_slice(), [Effect::List { entity, .. }, Effect::LoadActivity { .. }] if entity == "acme-corp")
    );
    assert_eq!(
        (s.session().backend(), s.entity(), s.list().len()),
        (1, "acme-corp", 0)
    );
    let stale = s.session().latest(RequestKind::List) - 1;
    update(
        &mut s,
        Msg::Listed {
            request: stale,
            result: Ok(demo_listing().await),
        },
    );
    assert!(
        s.list().is_empty(),
        "an answer to an older request is dropped"
    );
    update(&mut s, ch('p'));
    assert!(s.paused());
}

#[tokio::test]
async fn auto_refresh_and_load_errors() {
    let mut s = demo_state(160, 48).await;
    let config = wbauto::config::file::ConfigFile {
        refresh_secs: Some(30),
        ..Default::default()
    };
    s.configure(&config, false);
    let now = s.now();
    assert!(update(&mut s, Msg::Tick(now + 10)).is_empty());
    let effects = update(&mut s, Msg::Tick(now + 31));
    assert!(matches!(effects.as_slice(), [Effect::List { .. }]));
    update(&mut s, ch('p'));
    let paused = update(&mut s, Msg::Tick(now + 100));
    assert!(
        !paused.iter().any(|e| matches!(e, Effect::List { .. })),
        "{paused:?}"
    );
    dashboard::listing_fails(&mut s, BackendError::Network("offline".into()));
    assert_eq!(
        s.list().loading().clone(),
        Loading::Failed("offline".into())
    );
    assert_eq!(s.list().len(), 17, "the last good listing stays");
    assert!(s.toasts().back().unwrap().text.contains("offline"));
    update(&mut s, Msg::Tick(now + 200));
    assert!(s.toasts().is_empty(), "toasts expire");
}

#[tokio::test]
async fn help_and_palette_run_actions() {
    let mut s = demo_state(160, 48).await;
    update(&mut s, ch('?'));
    typed(&mut s, "copy");
    assert!(matches!(&overlay(&s), Overlay::Help { filter, .. } if filter == "copy"));
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, ch(':'));
    typed(&mut s, "raw");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        overlay(&s),
        Overlay::Raw { scroll: 0 },
        "the palette ran the raw view"
    );
    update(&mut s, ch('q'));
    update(&mut s, ch(':'));
    typed(&mut s, "sort");
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Enter));
    assert!(
        s.list().reverse(),
        "the second match (reverse the sort) ran"
    );
}

#[tokio::test]
async fn a_refresh_keeps_the_selection_and_in_flight_toggles() {
    let mut s = demo_state(160, 48).await;
    typed(&mut s, "jjj");
    let name = selected(&s);
    update(&mut s, ch('t'));
    let effects = update(&mut s, ctrl('r'));
    let [Effect::List { request, .. }] = effects.as_slice() else {
        panic!()
    };
    let mut listing = demo_listing().await;
    listing.automations.reverse();
    update(
        &mut s,
        Msg::Listed {
            request: *request,
            result: Ok(listing),
        },
    );
    assert_eq!(selected(&s), name, "selection kept by id");
    assert!(
        !s.selected_item().unwrap().saved.automation.enabled,
        "the pending toggle is not undone by the refresh"
    );
}

#[tokio::test]
async fn scrolling_stops_at_the_last_page() {
    let mut s = demo_state(80, 24).await;
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, ch('G'));
    let Overlay::Detail { scroll: bottom, .. } = overlay(&s) else {
        panic!("{:?}", overlay(&s))
    };
    assert!(bottom > 0, "the wire JSON is longer than 80x24 shows");
    assert_eq!(bottom, s.scroll_limit());
    update(&mut s, ch('j'));
    assert_eq!(
        overlay(&s),
        Overlay::Detail {
            tab: DetailTab::Wire,
            scroll: bottom
        },
        "j at the end stays"
    );
    update(&mut s, ch('k'));
    assert_eq!(
        overlay(&s),
        Overlay::Detail {
            tab: DetailTab::Wire,
            scroll: bottom - 1
        },
        "k moves at once after G"
    );
    update(&mut s, ch('q'));
    update(&mut s, ch('y'));
    update(&mut s, ch('G'));
    assert_eq!(
        overlay(&s),
        Overlay::Raw {
            scroll: s.scroll_limit()
        }
    );
    update(&mut s, Msg::Resize(400, 200));
    assert_eq!(s.scroll_limit(), 0, "nothing to scroll when all fits");
}

#[tokio::test]
async fn the_help_scrolls_no_further_than_its_end() {
    let mut s = demo_state(80, 24).await;
    update(&mut s, ch('?'));
    let limit = s.scroll_limit();
    assert!(limit > 0, "the help is longer than 80x24 shows");
    for _ in 0..limit + 20 {
        update(&mut s, key(KeyCode::Down));
    }
    assert!(matches!(overlay(&s), Overlay::Help { scroll, .. } if scroll == limit));
    update(&mut s, key(KeyCode::Up));
    assert!(matches!(overlay(&s), Overlay::Help { scroll, .. } if scroll == limit - 1));
}

#[tokio::test]
async fn an_open_range_is_acted_on_as_it_is_drawn() {
    let mut s = demo_state(160, 48).await;
    update(&mut s, ch('v'));
    typed(&mut s, "jj");
    update(&mut s, ch('t'));
    let Overlay::Confirm {
        what: Confirm::Toggle { ids, .. },
        ..
    } = overlay(&s)
    else {
        panic!("{:?}", overlay(&s))
    };
    assert_eq!(ids.len(), 3, "the three rows of the open range");
}

/// The text of the screen on top (the detail's tab or the raw view).
fn screen_text(s: &wbauto::app::State) -> String {
    let doc = match s.screen() {
        wbauto::app::screens::Screen::Detail(d) => d.doc(),
        wbauto::app::screens::Screen::Raw(r) => r.doc(),
        other => panic!("{other:?}"),
    };
    doc.lines
        .iter()
        .flat_map(|l| l.pieces.iter().map(|p| p.text.as_str()))
        .collect()
}

fn asked_wire(effects: &[Effect]) -> Option<wbauto::app::store::wire::WireKey> {
    effects.iter().find_map(|e| match e {
        Effect::LoadWire { key } => Some(key.clone()),
        _ => None,
    })
}

#[tokio::test]
async fn the_wire_view_asks_for_json_the_listing_left_out_once_and_again_when_it_changed() {
    let mut s = demo_state(160, 48).await;
    // As the local listing sends it: no stored JSON carried.
    let mut listing = demo_listing().await;
    listing.automations.iter_mut().for_each(|a| a.wire = None);
    let Effect::List { request, .. } = update::list(&mut s) else {
        panic!()
    };
    update(
        &mut s,
        Msg::Listed {
            request,
            result: Ok(listing),
        },
    );
    assert!(
        asked_wire(&update(&mut s, key(KeyCode::Enter))).is_none(),
        "the Overview needs none"
    );
    let key_asked = asked_wire(&update(&mut s, key(KeyCode::Tab))).expect("the Wire tab asks");
    assert_eq!(key_asked.0, s.selected_id().unwrap());
    assert!(
        screen_text(&s).contains("loading the stored JSON"),
        "{}",
        screen_text(&s)
    );
    assert!(
        asked_wire(&update(&mut s, Msg::Tick(NOW + 1))).is_none(),
        "asked once"
    );
    // A late answer for something else is dropped; the right one is shown.
    let mut other = key_asked.clone();
    other.0 = "Trigger:else".into();
    update(
        &mut s,
        Msg::WireLoaded {
            key: other,
            result: Ok("{\"name\":\"else\"}".into()),
        },
    );
    assert!(screen_text(&s).contains("loading"));
    update(
        &mut s,
        Msg::WireLoaded {
            key: key_asked.clone(),
            result: Ok("{\"name\":\"from-the-db\"}".into()),
        },
    );
    assert!(
        screen_text(&s).contains("\"name\": \"from-the-db\""),
        "{}",
        screen_text(&s)
    );
    // A toggle changes the automation: its JSON is asked for again.
    let toggled = saved_with(&s, |a| a.enabled = !a.enabled);
    let effects = dashboard::toggle_answered(&mut s, Ok(toggled));
    assert!(screen_text(&s).contains("loading"), "{}", screen_text(&s));
    let again = asked_wire(&effects).expect("asked again");
    assert_ne!(again, key_asked);
    assert!(asked_wire(&update(&mut s, Msg::Tick(NOW + 2))).is_none());
    update(
        &mut s,
        Msg::WireLoaded {
            key: again,
            result: Err(BackendError::NotFound("gone".into())),
        },
    );
    assert!(
        screen_text(&s).contains("could not read the stored JSON: "),
        "{}",
        screen_text(&s)
    );
}
