//! `update`: the only place the dashboard's state changes. Pure: effects are returned, not run.
//! A key is looked up in the registry for the current context and routed to the top modal, else
//! the screen, else the global commands; a key none takes goes to the context's text input.
//! Backend answers are applied here, dropping those of requests that are no longer the newest.

use super::diff::diff_lines;
use super::keys::{Action, Chord, Context};
use super::modals::confirm::{Confirm, ConfirmModal};
use super::modals::edit_error::EditErrorModal;
use super::modals::{self, Modal};
use super::msg::{Effect, Msg, SaveKind};
use super::rows::file_text;
use super::screens::integrations::IntegrationRow;
use super::screens::{self, Screen, global, wizard};
use super::state::{State, ToastKind};
use super::store::session::RequestKind;
use super::store::writes::{Pending, Undo};
use crate::backend::{BackendError, Listing, SavedAutomation};
use crate::file::Format;
use crate::file::read::read_located;
use crossterm::event::{KeyEvent, KeyEventKind};

/// Applies a message; returns what must happen outside.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut effects = match msg {
        Msg::Key(key) if key.kind == KeyEventKind::Press => on_key(state, key),
        Msg::Key(_) => Vec::new(),
        Msg::Resize(w, h) => {
            state.width = w;
            state.height = h;
            let rows = state.page_rows();
            state.selection.clamp(&state.list, rows);
            if let Screen::Wizard(w) = &mut state.screen {
                w.stale = true;
            }
            Vec::new()
        }
        Msg::Tick(now) => on_tick(state, now),
        Msg::Listed { request, result } => on_listed(state, request, result),
        Msg::FirstPage { request, listing } => {
            let waiting = *state.list.loading() == super::store::list::Loading::Loading;
            if waiting && state.session.is_latest(RequestKind::List, request) {
                let (now, writes) = (state.now, state.writes.clone());
                state.change_list(|list| {
                    list.first_page(listing, now, |id| writes.optimistic_enabled(id))
                });
            }
            Vec::new()
        }
        Msg::WireLoaded { key, result } => {
            state.wire.loaded(key, result.map_err(|e| e.to_string()));
            Vec::new()
        }
        Msg::IntegrationsLoaded { request, result } => {
            if state.session.is_latest(RequestKind::Integrations, request) {
                state.integrations = Some(
                    result
                        .map(|list| list.iter().map(IntegrationRow::of).collect())
                        .map_err(|e| e.to_string()),
                );
            }
            Vec::new()
        }
        Msg::Saved { id, kind, result } => on_saved(state, id, kind, result),
        Msg::Recreated { label, result } => {
            match result {
                Ok(saved) => {
                    let id = saved.automation.id.clone();
                    state.change_list_keeping(id.as_deref(), |list| list.upsert(saved));
                    state.toast(ToastKind::Info, format!("undid: {label}"));
                }
                Err(e) => state.toast(ToastKind::Error, format!("could not undo ({label}): {e}")),
            }
            Vec::new()
        }
        Msg::Deleted { id, result } => on_deleted(state, id, result),
        Msg::Edited { id, result } => on_edited(state, id, result),
        Msg::Switched {
            request,
            backend,
            entity,
            result,
        } => on_switched(state, request, backend, entity, result),
        Msg::OptionsLoaded { request, result } => {
            wizard::on_options(state, request, result);
            Vec::new()
        }
        Msg::CollectionsLoaded { request, result } => {
            wizard::on_collections(state, request, result);
            Vec::new()
        }
        Msg::WizardSaved { edit, result } => wizard::on_saved(state, edit, result),
        Msg::ActivityLoaded { request, result } => {
            if state.session.is_latest(RequestKind::Activity, request) {
                match result {
                    Ok(activity) => state.activity = Some(activity),
                    Err(_) => {
                        state.activity = None;
                        state.engine_available = false;
                    }
                }
            }
            Vec::new()
        }
        Msg::RunsLoaded { request, result } => {
            screens::runs::on_loaded(state, request, result);
            Vec::new()
        }
        Msg::PreviewLoaded { request, result } => {
            screens::wizard::on_preview_loaded(state, request, result)
        }
        Msg::PreviewJudged { request, result } => {
            screens::wizard::on_preview_judged(state, request, result);
            Vec::new()
        }
        Msg::BacktestRuns { request, result } => {
            screens::detail::on_backtest_runs(state, request, result)
        }
        Msg::BacktestJudged { request, result } => {
            screens::detail::on_backtest_judged(state, request, result);
            Vec::new()
        }
        Msg::HistoryLoaded { request, result } => {
            screens::history::on_loaded(state, request, result);
            Vec::new()
        }
        Msg::TestPrepared { id, name, result } => {
            match result {
                Ok(test) => {
                    state
                        .modals
                        .push(Modal::Confirm(ConfirmModal::new(Confirm::TestFire {
                            id,
                            name,
                            test: Box::new(test),
                        })))
                }
                Err(e) => state.toast(ToastKind::Error, format!("cannot test {name}: {e}")),
            }
            Vec::new()
        }
        Msg::TestSent { name, result } => {
            match result {
                Ok(outcome) => state.toast(ToastKind::Info, format!("test of {name}: {outcome}")),
                Err(e) => state.toast(ToastKind::Error, format!("test of {name} failed: {e}")),
            }
            vec![activity(state)]
        }
    };
    super::derive::refresh(state);
    effects.extend(super::derive::wire_request(state));
    effects
}

/// A new list request; older answers will be dropped.
pub fn list(state: &mut State) -> Effect {
    global::list_request(state)
}

/// Connects to the first backend behind the first frame: settles the entity (its default when
/// `entity` is `None`) and what the backend accepts, then lists.
pub fn connect(state: &mut State, entity: Option<String>) -> Effect {
    Effect::Switch {
        request: state.session.request(RequestKind::Switch),
        backend: state.session.backend(),
        entity,
    }
}

/// A new request for the local engine's activity.
pub fn activity(state: &mut State) -> Effect {
    Effect::LoadActivity {
        request: state.session.request(RequestKind::Activity),
    }
}

/// Seconds between looks at the local engine's activity (and the open history).
const ACTIVITY_EVERY: i64 = 3;

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let context = state.context();
    if let Some(action) = Chord::from_event(&key).and_then(|c| state.keymap.action(context, c))
        && let Some(effects) = dispatch(state, context, action)
    {
        return effects;
    }
    match context {
        Context::TooSmall => Vec::new(),
        _ if !state.modals.is_empty() => modals::on_text(state, key),
        _ => screens::on_text(state, key),
    }
}

/// Routes a command: quitting anywhere, nothing else while nothing is shown, then the top
/// modal, the filter being typed, the screen and the global commands.
fn dispatch(state: &mut State, context: Context, action: Action) -> Option<Vec<Effect>> {
    if action == Action::Quit || (context == Context::TooSmall && action == Action::Back) {
        state.quit = true;
        return Some(Vec::new());
    }
    match context {
        Context::TooSmall => Some(Vec::new()),
        _ if !state.modals.is_empty() => modals::on_action(state, action),
        Context::Filter => screens::list::on_filter_action(state, action),
        _ => screens::on_action(state, action),
    }
}

/// Runs a command as if its key was pressed on the screen (the palette).
pub fn apply(state: &mut State, action: Action) -> Vec<Effect> {
    let context = state.screen_context();
    dispatch(state, context, action).unwrap_or_default()
}

fn on_tick(state: &mut State, now: i64) -> Vec<Effect> {
    state.now = now;
    state.frame = state.frame.wrapping_add(1);
    state.toasts.retain(|t| t.until > now);
    if let Screen::Wizard(w) = &mut state.screen
        && w.animated()
    {
        w.stale = true;
    }
    let mut effects = Vec::new();
    if state.engine_available && now % ACTIVITY_EVERY == 0 && now != state.activity_polled {
        state.activity_polled = now;
        effects.push(activity(state));
        let follow = match &state.screen {
            Screen::History(_) => Some(None),
            Screen::Detail(d) if d.tab == screens::detail::DetailTab::History => {
                Some(state.selected_id())
            }
            _ => None,
        };
        if let Some(automation) = follow {
            effects.push(screens::history::request(state, automation));
        }
        if matches!(state.screen, Screen::Runs(_)) {
            effects.push(screens::runs::request(state));
        }
    }
    let due = match (state.refresh_every, state.list.loaded_at()) {
        (Some(every), Some(at)) => !state.paused && now >= at + every,
        _ => false,
    };
    let ready = *state.list.loading() == super::store::list::Loading::Ready;
    if due && !state.writes.any_pending() && ready {
        effects.push(list(state));
    }
    effects
}

fn on_listed(
    state: &mut State,
    request: u64,
    result: Result<Listing, BackendError>,
) -> Vec<Effect> {
    if !state.session.is_latest(RequestKind::List, request) {
        return Vec::new();
    }
    let first = *state.list.loading() != super::store::list::Loading::Ready;
    match result {
        Ok(listing) => {
            let now = state.now;
            let writes = state.writes.clone();
            state
                .change_list(|list| list.replace(listing, now, |id| writes.optimistic_enabled(id)));
            let n = state.list.unreadable().len();
            if n > 0 && first {
                state.toast(ToastKind::Error, format!("{n} automation(s) could not be read; they are listed at the end of `wbauto list`"));
            }
        }
        Err(e) => {
            let entity = state.entity().to_string();
            state.toast(ToastKind::Error, format!("could not load {entity}: {e}"));
            let now = state.now;
            state.list.failed(e.to_string(), now);
        }
    }
    Vec::new()
}

fn on_switched(
    state: &mut State,
    request: u64,
    backend: usize,
    entity: String,
    result: Result<crate::model::Capabilities, BackendError>,
) -> Vec<Effect> {
    if !state.session.is_latest(RequestKind::Switch, request) {
        return Vec::new();
    }
    match result {
        Ok(capabilities) => {
            state.session.switch(backend, entity, capabilities);
            state.list.clear();
            state.selection.reset();
            state.writes.clear_undo();
            state.integrations = None;
            state.wire.clear();
            state.screen = Screen::List;
            state.activity = None;
            state.engine_available = true;
            vec![list(state), activity(state)]
        }
        Err(e) if !state.session.connected() => {
            // The first connection failed: say so where the list would be.
            state.toast(ToastKind::Error, format!("could not connect: {e}"));
            let now = state.now;
            state.list.failed(e.to_string(), now);
            Vec::new()
        }
        Err(e) => {
            let entity = if entity.is_empty() {
                "the default entity".into()
            } else {
                entity
            };
            state.toast(
                ToastKind::Error,
                format!("could not switch to {entity}: {e}"),
            );
            Vec::new()
        }
    }
}

fn undo_hint(state: &State) -> String {
    state.keymap.key_of(Action::Undo)
}

fn on_saved(
    state: &mut State,
    id: String,
    kind: SaveKind,
    result: Result<SavedAutomation, BackendError>,
) -> Vec<Effect> {
    let pending = state.writes.finish(&id);
    match (kind, result) {
        (SaveKind::Toggle, Ok(saved)) => {
            let name = saved.automation.name.clone();
            let verb = if saved.automation.enabled {
                "enabled"
            } else {
                "disabled"
            };
            if let Some(Pending::Toggle(before)) = pending {
                state.writes.push_undo(Undo::Restore {
                    label: format!("{verb} {name}"),
                    before,
                });
            }
            state.change_list(|list| list.upsert(saved));
            let undo = undo_hint(state);
            state.toast(ToastKind::Info, format!("{verb} {name} — {undo} to undo"));
        }
        (SaveKind::Toggle, Err(e)) => {
            if let Some(Pending::Toggle(before)) = pending
                && state.list.contains(&id)
            {
                let verb = if before.enabled { "disable" } else { "enable" };
                let name = before.name.clone();
                state.change_list(|list| list.set_enabled(&id, before.enabled));
                state.toast(ToastKind::Error, format!("could not {verb} {name}: {e}"));
            }
        }
        (SaveKind::Edit { before, .. }, Ok(saved)) => {
            let name = saved.automation.name.clone();
            state.writes.push_undo(Undo::Restore {
                label: format!("edit of {name}"),
                before,
            });
            state.change_list(|list| list.upsert(saved));
            let undo = undo_hint(state);
            state.toast(ToastKind::Info, format!("saved {name} — {undo} to undo"));
        }
        (SaveKind::Edit { text, .. }, Err(e)) => {
            state.modals.push(Modal::EditError(EditErrorModal {
                id,
                text,
                message: format!("not saved: {e}"),
            }));
        }
        (SaveKind::Undo { label }, Ok(saved)) => {
            state.change_list(|list| list.upsert(saved));
            state.toast(ToastKind::Info, format!("undid: {label}"));
        }
        (SaveKind::Undo { label }, Err(e)) => {
            state.toast(ToastKind::Error, format!("could not undo ({label}): {e}"))
        }
    }
    Vec::new()
}

fn on_deleted(state: &mut State, id: String, result: Result<(), BackendError>) -> Vec<Effect> {
    state.writes.finish(&id);
    let Some(name) = state.list.get(&id).map(|i| i.saved.automation.name.clone()) else {
        return Vec::new();
    };
    match result {
        Ok(()) => {
            let mut removed = None;
            state.change_list(|list| removed = list.remove(&id));
            state.selection.unmark(&id);
            if let Some(item) = removed {
                state.writes.push_undo(Undo::Recreate {
                    label: format!("delete of {name}"),
                    deleted: Box::new(item.saved.automation),
                });
            }
            if matches!(state.screen, Screen::Detail(_) | Screen::Raw(_)) {
                state.screen = Screen::List;
            }
            let undo = undo_hint(state);
            state.toast(ToastKind::Info, format!("deleted {name} — {undo} to undo"));
        }
        Err(e) => state.toast(ToastKind::Error, format!("could not delete {name}: {e}")),
    }
    Vec::new()
}

fn on_edited(state: &mut State, id: String, result: Result<String, String>) -> Vec<Effect> {
    let Some(before) = state.list.get(&id).map(|i| i.saved.automation.clone()) else {
        state.toast(
            ToastKind::Error,
            "the automation is gone (deleted elsewhere); the edit was not saved",
        );
        return Vec::new();
    };
    let text = match result {
        Ok(t) => t,
        Err(e) => {
            state.toast(ToastKind::Error, e);
            return Vec::new();
        }
    };
    let original = file_text(&before, state.entity());
    if text.trim() == original.trim() {
        state.toast(ToastKind::Info, "no changes");
        return Vec::new();
    }
    let refuse = |state: &mut State, text: String, message: String| {
        state.modals.push(Modal::EditError(EditErrorModal {
            id: id.clone(),
            text,
            message,
        }));
        Vec::new()
    };
    let parsed = read_located(&text, Format::Yaml).and_then(|(_, mut list)| match list.len() {
        1 => Ok(list.remove(0)),
        n => Err(format!("the file holds {n} automations; keep exactly one")),
    });
    let after = match parsed {
        Ok(a) => a,
        Err(message) => return refuse(state, text, message),
    };
    let mut problems = crate::model::validate(&after);
    problems.extend(state.capabilities().check(&after));
    if !problems.is_empty() {
        let message = crate::file::read::located(&text, &problems);
        return refuse(state, text, message);
    }
    let after = match crate::ops::retarget(after, &before) {
        Ok(a) => a,
        Err(message) => return refuse(state, text, message),
    };
    let diff = diff_lines(&original, &text);
    state
        .modals
        .push(Modal::Confirm(ConfirmModal::new(Confirm::SaveEdit {
            before: Box::new(before),
            after: Box::new(after),
            text,
            diff,
        })));
    Vec::new()
}

/// The sort label for the header, e.g. `name ↑`.
pub fn sort_label(key: super::store::list::SortKey, reverse: bool) -> String {
    format!("{} {}", key.label(), if reverse { "↓" } else { "↑" })
}
