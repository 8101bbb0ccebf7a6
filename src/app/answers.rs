//! Answers that concern the whole dashboard rather than one screen: the listing, the stored JSON,
//! saves, deletes, undo, the edited file, a switch of backend or entity, the engine's activity
//! and test fires. Answers to a request that is no longer the newest of its kind are dropped.

use super::ctx::{Confirm, Intent, Unsaved};
use super::diff::diff_lines;
use super::modals;
use super::msg::{Msg, SaveKind};
use super::rows::file_text;
use super::screens;
use super::state::{State, ToastKind};
use super::store::list::Loading;
use super::store::session::RequestKind;
use super::store::writes::{Pending, Undo};
use crate::backend::{BackendError, Listing, SavedAutomation};
use crate::file::Format;
use crate::file::read::{located, read_located};

fn toast(queue: &mut Vec<Intent>, kind: ToastKind, text: impl Into<String>) {
    queue.push(Intent::Toast(kind, text.into(), 4));
}

/// Applies an answer that is not for one screen.
pub(crate) fn apply(state: &mut State, msg: Msg, queue: &mut Vec<Intent>) {
    match msg {
        Msg::Listed { request, result } => on_listed(state, request, result, queue),
        Msg::FirstPage { request, listing } => {
            let stores = &mut state.stores;
            let waiting = *stores.list.loading() == Loading::Loading;
            if waiting && stores.session.is_latest(RequestKind::List, request) {
                let (now, writes) = (stores.now, stores.writes.clone());
                change_list(state, |list| {
                    list.first_page(listing, now, |id| writes.optimistic_enabled(id))
                });
            }
        }
        Msg::WireLoaded { key, result } => state
            .stores
            .wire
            .loaded(key, result.map_err(|e| e.to_string())),
        Msg::Saved { id, kind, result } => on_saved(state, id, kind, result, queue),
        Msg::Recreated { label, result } => match result {
            Ok(saved) => {
                let id = saved.automation.id.clone();
                change_list_keeping(state, id.as_deref(), |list| list.upsert(saved));
                toast(queue, ToastKind::Info, format!("undid: {label}"));
            }
            Err(e) => toast(
                queue,
                ToastKind::Error,
                format!("could not undo ({label}): {e}"),
            ),
        },
        Msg::Deleted { id, result } => on_deleted(state, id, result, queue),
        Msg::Edited { id, result } => on_edited(state, id, result, queue),
        Msg::Switched {
            request,
            backend,
            entity,
            result,
        } => on_switched(state, request, backend, entity, result, queue),
        Msg::EntitiesLoaded {
            request,
            backend,
            result,
        } => {
            let session = &mut state.stores.session;
            if session.is_latest(RequestKind::Entities, request) {
                session.set_entities(backend, result);
            }
        }
        Msg::ActivityLoaded { request, result } => on_activity(state, request, result),
        Msg::TestPrepared { id, name, result } => match result {
            Ok(test) => queue.push(Intent::Push(modals::Open::Confirm(Confirm::TestFire {
                id,
                name,
                test: Box::new(test),
            }))),
            Err(e) => toast(queue, ToastKind::Error, format!("cannot test {name}: {e}")),
        },
        Msg::TestSent { name, result } => {
            match result {
                Ok(outcome) => toast(queue, ToastKind::Info, format!("test of {name}: {outcome}")),
                Err(e) => toast(
                    queue,
                    ToastKind::Error,
                    format!("test of {name} failed: {e}"),
                ),
            }
            queue.push(Intent::Effect(super::update::activity(state)));
        }
        Msg::Key(_) | Msg::Resize(..) | Msg::Tick(_) | Msg::Screen(_) => {}
    }
}

/// What fired lately: the LAST column and the engine's state. A backend that keeps no history
/// is not asked again; a failure keeps what was shown and asks later.
fn on_activity(
    state: &mut State,
    request: u64,
    result: Result<crate::ops::Activity, BackendError>,
) {
    if !state
        .stores
        .session
        .is_latest(RequestKind::Activity, request)
    {
        return;
    }
    let now = state.stores.now;
    match result {
        Ok(activity) => {
            let news = state.activity.as_ref() != Some(&activity);
            let last = activity.latest.clone();
            state.activity = Some(activity);
            change_list(state, |list| list.set_last(last));
            state.activity_poll.answered(now, news);
        }
        Err(BackendError::NoHistory(_) | BackendError::Unsupported(_)) => {
            state.activity = None;
            state.activity_poll.stop();
        }
        Err(_) => state.activity_poll.answered(now, false),
    }
}

fn change_list(state: &mut State, change: impl FnOnce(&mut super::store::list::AutomationList)) {
    let keep = state.selected_id();
    change_list_keeping(state, keep.as_deref(), change);
}

fn change_list_keeping(
    state: &mut State,
    id: Option<&str>,
    change: impl FnOnce(&mut super::store::list::AutomationList),
) {
    let stores = &mut state.stores;
    change(&mut stores.list);
    let rows = stores.layout.list_rows();
    stores.selection.keep(id, &stores.list, rows);
}

fn on_listed(
    state: &mut State,
    request: u64,
    result: Result<Listing, BackendError>,
    queue: &mut Vec<Intent>,
) {
    if !state.stores.session.is_latest(RequestKind::List, request) {
        return;
    }
    let first = *state.stores.list.loading() != Loading::Ready;
    match result {
        Ok(listing) => {
            let (now, writes) = (state.stores.now, state.stores.writes.clone());
            change_list(state, |list| {
                list.replace(listing, now, |id| writes.optimistic_enabled(id))
            });
            let n = state.stores.list.unreadable().len();
            if n > 0 && first {
                toast(
                    queue,
                    ToastKind::Error,
                    format!(
                        "{n} automation(s) could not be read; they are listed at the end of `wbauto list`"
                    ),
                );
            }
        }
        Err(e) => {
            let entity = state.entity().to_string();
            toast(
                queue,
                ToastKind::Error,
                format!("could not load {entity}: {e}"),
            );
            let now = state.stores.now;
            state.stores.list.failed(e.to_string(), now);
        }
    }
}

fn on_switched(
    state: &mut State,
    request: u64,
    backend: usize,
    entity: String,
    result: Result<crate::model::Capabilities, BackendError>,
    queue: &mut Vec<Intent>,
) {
    if !state.stores.session.is_latest(RequestKind::Switch, request) {
        return;
    }
    match result {
        Ok(capabilities) => {
            let stores = &mut state.stores;
            stores.session.switch(backend, entity, capabilities);
            stores.list.clear();
            stores.selection.reset();
            stores.writes.clear_undo();
            stores.wire.clear();
            queue.push(Intent::Open(screens::Open::List(())));
            state.activity = None;
            state.activity_poll = super::update::activity_poll(state.stores.session.kind());
            queue.push(Intent::Effect(super::global::list_request(state)));
            queue.push(Intent::Effect(super::update::activity(state)));
        }
        Err(e) if !state.stores.session.connected() => {
            // The first connection failed: say so where the list would be.
            toast(queue, ToastKind::Error, format!("could not connect: {e}"));
            let now = state.stores.now;
            state.stores.list.failed(e.to_string(), now);
        }
        Err(e) => {
            let entity = if entity.is_empty() {
                "the default entity".into()
            } else {
                entity
            };
            toast(
                queue,
                ToastKind::Error,
                format!("could not switch to {entity}: {e}"),
            );
        }
    }
}

/// The key that undoes, as the list names it.
fn undo_key(state: &State) -> String {
    state
        .stores
        .keymap
        .key(&super::rows::UNDO, super::screens::list::MODE)
}

fn on_saved(
    state: &mut State,
    id: String,
    kind: SaveKind,
    result: Result<SavedAutomation, BackendError>,
    queue: &mut Vec<Intent>,
) {
    let (action, pending) = match state.stores.writes.finish(&id) {
        Some((action, pending)) => (action, Some(pending)),
        None => (state.stores.writes.action(), None),
    };
    match (kind, result) {
        (SaveKind::Toggle, Ok(saved)) => {
            let name = saved.automation.name.clone();
            let verb = if saved.automation.enabled {
                "enabled"
            } else {
                "disabled"
            };
            let said = format!("{verb} {name}");
            let undo = match pending {
                Some(Pending::Toggle(before)) => Some(Undo::Restore {
                    label: said.clone(),
                    before,
                }),
                _ => None,
            };
            undoable(state, queue, said, undo.map(|u| (action, u)), saved);
        }
        (SaveKind::Toggle, Err(e)) => {
            if let Some(Pending::Toggle(before)) = pending
                && state.stores.list.contains(&id)
            {
                let verb = if before.enabled { "disable" } else { "enable" };
                let name = before.name.clone();
                change_list(state, |list| list.set_enabled(&id, before.enabled));
                toast(
                    queue,
                    ToastKind::Error,
                    format!("could not {verb} {name}: {e}"),
                );
            }
        }
        (SaveKind::Edit { before, .. }, Ok(saved)) => {
            let name = saved.automation.name.clone();
            let undo = Undo::Restore {
                label: format!("edit of {name}"),
                before,
            };
            let said = format!("saved {name}");
            undoable(state, queue, said, Some((action, undo)), saved);
        }
        (SaveKind::Edit { text, .. }, Err(e)) => {
            queue.push(Intent::Push(modals::Open::EditError(Unsaved {
                id,
                text,
                message: format!("not saved: {e}"),
            })));
        }
        (SaveKind::Undo { label }, Ok(saved)) => {
            change_list(state, |list| list.upsert(saved));
            toast(queue, ToastKind::Info, format!("undid: {label}"));
        }
        (SaveKind::Undo { label }, Err(e)) => toast(
            queue,
            ToastKind::Error,
            format!("could not undo ({label}): {e}"),
        ),
    }
}

/// A change that worked: `undo` kept, the list shows what is stored, and a toast says `said`
/// and how to undo it.
fn undoable(
    state: &mut State,
    queue: &mut Vec<Intent>,
    said: String,
    undo: Option<(u64, Undo)>,
    saved: SavedAutomation,
) {
    if let Some((action, undo)) = undo {
        state.stores.writes.push_undo(action, undo);
    }
    change_list(state, |list| list.upsert(saved));
    let undo = undo_key(state);
    toast(queue, ToastKind::Info, format!("{said} — {undo} to undo"));
}

fn on_deleted(
    state: &mut State,
    id: String,
    result: Result<(), BackendError>,
    queue: &mut Vec<Intent>,
) {
    let action = match state.stores.writes.finish(&id) {
        Some((action, _)) => action,
        None => state.stores.writes.action(),
    };
    let Some(name) = state
        .stores
        .list
        .get(&id)
        .map(|i| i.saved.automation.name.clone())
    else {
        return;
    };
    match result {
        Ok(()) => {
            let mut removed = None;
            change_list(state, |list| removed = list.remove(&id));
            state.stores.selection.unmark(&id);
            if let Some(item) = removed {
                let undo = Undo::Recreate {
                    label: format!("delete of {name}"),
                    deleted: Box::new(item.saved.automation),
                };
                state.stores.writes.push_undo(action, undo);
            }
            if state.screen.shows_selected() {
                queue.push(Intent::Open(screens::Open::List(())));
            }
            let undo = undo_key(state);
            toast(
                queue,
                ToastKind::Info,
                format!("deleted {name} — {undo} to undo"),
            );
        }
        Err(e) => toast(
            queue,
            ToastKind::Error,
            format!("could not delete {name}: {e}"),
        ),
    }
}

/// The editor closed: the file is read as the command line reads it (problems located by line
/// and column), checked, aimed at the automation edited, and shown as a diff to confirm.
fn on_edited(
    state: &mut State,
    id: String,
    result: Result<String, String>,
    queue: &mut Vec<Intent>,
) {
    let Some(before) = state
        .stores
        .list
        .get(&id)
        .map(|i| i.saved.automation.clone())
    else {
        toast(
            queue,
            ToastKind::Error,
            "the automation is gone (deleted elsewhere); the edit was not saved",
        );
        return;
    };
    let text = match result {
        Ok(t) => t,
        Err(e) => return toast(queue, ToastKind::Error, e),
    };
    let original = file_text(&before, state.entity());
    if text.trim() == original.trim() {
        return toast(queue, ToastKind::Info, "no changes");
    }
    let checked = read_located(&text, Format::Yaml)
        .and_then(|(_, mut list)| match list.len() {
            1 => Ok(list.remove(0)),
            n => Err(format!("the file holds {n} automations; keep exactly one")),
        })
        .and_then(|after| {
            let mut problems = crate::model::validate(&after);
            problems.extend(state.capabilities().check(&after));
            if problems.is_empty() {
                crate::ops::retarget(after, &before)
            } else {
                Err(located(&text, &problems))
            }
        });
    let open = match checked {
        Ok(after) => {
            let diff = diff_lines(&original, &text);
            modals::Open::Confirm(Confirm::SaveEdit {
                before: Box::new(before),
                after: Box::new(after),
                text,
                diff,
            })
        }
        Err(message) => modals::Open::EditError(Unsaved { id, text, message }),
    };
    queue.push(Intent::Push(open));
}
