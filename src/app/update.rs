//! `update`: the only place the dashboard's state changes. Pure: effects are returned, not run.

use super::diff::diff_lines;
use super::keys::{Action, Chord, Context};
use super::msg::{Effect, Msg, SaveKind};
use super::state::{
    Confirm, DetailTab, Item, Loading, Overlay, Pending, SortKey, State, ToastKind, Undo,
};
use super::wizard_screen::{OptionsState, Outcome, WizardScreen};
use crate::backend::BackendError;
use crate::file::{Format, parse_text, render, to_value};
use crate::model::Automation;
use crate::wizard::{Step, Wizard};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Applies a message; returns what must happen outside.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) if key.kind == KeyEventKind::Press => on_key(state, key),
        Msg::Key(_) => Vec::new(),
        Msg::OptionsLoaded { request, result } => {
            if let Overlay::Wizard(w) = &mut state.overlay
                && w.options_state == OptionsState::Loading(request)
            {
                match result {
                    Ok(options) => {
                        let collections = std::mem::take(&mut w.options.collections);
                        w.options = options;
                        w.options.collections = collections;
                        w.options_state = OptionsState::Ready;
                    }
                    Err(e) => w.options_state = OptionsState::Failed(e.to_string()),
                }
            }
            Vec::new()
        }
        Msg::CollectionsLoaded { request, result } => {
            if let Overlay::Wizard(w) = &mut state.overlay
                && w.collections_request == Some(request)
            {
                w.collections_request = None;
                match result {
                    Ok(names) => w.options.collections = names,
                    Err(e) => w.options_state = OptionsState::Failed(e.to_string()),
                }
            }
            Vec::new()
        }
        Msg::WizardSaved { edit, result } => on_wizard_saved(state, edit, result),
        Msg::Resize(w, h) => {
            state.width = w;
            state.height = h;
            state.clamp_selection();
            Vec::new()
        }
        Msg::Tick(now) => on_tick(state, now),
        Msg::Listed { request, result } => on_listed(state, request, result),
        Msg::IntegrationsLoaded { request, result } => {
            if request == state.integrations_request {
                state.integrations = Some(result.map_err(|e| e.to_string()));
            }
            Vec::new()
        }
        Msg::Saved { id, kind, result } => on_saved(state, id, kind, result),
        Msg::Recreated { label, result } => {
            match result {
                Ok(saved) => {
                    let id = saved.automation.id.clone();
                    state.items.push(Item::new(saved));
                    state.recompute_keeping(id.as_deref());
                    state.toast(ToastKind::Info, format!("undid: {label}"));
                }
                Err(e) => state.toast(ToastKind::Error, format!("could not undo ({label}): {e}")),
            }
            Vec::new()
        }
        Msg::Deleted { id, result } => on_deleted(state, id, result),
        Msg::Edited { id, result } => on_edited(state, id, result),
        Msg::Switched {
            backend,
            entity,
            result,
        } => match result {
            Ok(capabilities) => {
                state.backend = backend;
                state.entity = entity;
                state.capabilities = capabilities;
                state.items.clear();
                state.unreadable.clear();
                state.view.clear();
                state.marks.clear();
                state.undo.clear();
                state.integrations = None;
                state.selected = 0;
                state.offset = 0;
                state.loading = Loading::Loading;
                vec![list(state)]
            }
            Err(e) => {
                state.toast(
                    ToastKind::Error,
                    format!("could not switch to {entity}: {e}"),
                );
                Vec::new()
            }
        },
    }
}

/// A new list request; older answers will be dropped.
pub fn list(state: &mut State) -> Effect {
    state.list_request = state.request_id();
    Effect::List {
        request: state.list_request,
        entity: state.entity.clone(),
    }
}

fn on_tick(state: &mut State, now: i64) -> Vec<Effect> {
    state.now = now;
    state.frame = state.frame.wrapping_add(1);
    state.toasts.retain(|t| t.until > now);
    let due = match (state.refresh_every, state.loaded_at) {
        (Some(every), Some(at)) => !state.paused && now >= at + every,
        _ => false,
    };
    if due && state.pending.is_empty() && state.loading == Loading::Ready {
        state.loaded_at = Some(now);
        return vec![list(state)];
    }
    Vec::new()
}

fn on_listed(
    state: &mut State,
    request: u64,
    result: Result<crate::backend::Listing, BackendError>,
) -> Vec<Effect> {
    if request != state.list_request {
        return Vec::new();
    }
    match result {
        Ok(listing) => {
            let keep = state.selected_item().map(|i| i.id().to_string());
            state.items = listing
                .automations
                .into_iter()
                .map(|mut saved| {
                    // A toggle still in flight keeps its optimistic value.
                    let id = saved.automation.id.clone().unwrap_or_default();
                    if let Some(Pending::Toggle(before)) = state.pending.get(&id) {
                        saved.automation.enabled = !before.enabled;
                    }
                    Item::new(saved)
                })
                .collect();
            state.unreadable = listing.unreadable;
            state
                .marks
                .retain(|id| state.items.iter().any(|i| i.id() == id));
            state.recompute_keeping(keep.as_deref());
            if !state.unreadable.is_empty() && state.loading != Loading::Ready {
                let n = state.unreadable.len();
                state.toast(ToastKind::Error, format!("{n} automation(s) could not be read; they are listed at the end of `wbauto list`"));
            }
            state.loading = Loading::Ready;
            state.loaded_at = Some(state.now);
        }
        Err(e) => {
            state.toast(
                ToastKind::Error,
                format!("could not load {}: {e}", state.entity),
            );
            state.loading = Loading::Failed(e.to_string());
            state.loaded_at = Some(state.now);
        }
    }
    Vec::new()
}

fn replace_item(state: &mut State, saved: crate::backend::SavedAutomation) {
    let id = saved.automation.id.clone().unwrap_or_default();
    match state.index_of(&id) {
        Some(i) => state.items[i] = Item::new(saved),
        None => state.items.push(Item::new(saved)),
    }
    state.recompute();
}

fn on_saved(
    state: &mut State,
    id: String,
    kind: SaveKind,
    result: Result<crate::backend::SavedAutomation, BackendError>,
) -> Vec<Effect> {
    let pending = state.pending.remove(&id);
    match (kind, result) {
        (SaveKind::Toggle, Ok(saved)) => {
            let name = saved.automation.name.clone();
            let verb = if saved.automation.enabled {
                "enabled"
            } else {
                "disabled"
            };
            if let Some(Pending::Toggle(before)) = pending {
                state.undo.push(Undo::Restore {
                    label: format!("{verb} {name}"),
                    before,
                });
            }
            replace_item(state, saved);
            let undo = state.keymap.key_of(Action::Undo);
            state.toast(ToastKind::Info, format!("{verb} {name} — {undo} to undo"));
        }
        (SaveKind::Toggle, Err(e)) => {
            if let (Some(Pending::Toggle(before)), Some(i)) = (pending, state.index_of(&id)) {
                let verb = if before.enabled { "disable" } else { "enable" };
                let name = before.name.clone();
                state.items[i].saved.automation = *before;
                state.items[i] = Item::new(state.items[i].saved.clone());
                state.recompute();
                state.toast(ToastKind::Error, format!("could not {verb} {name}: {e}"));
            }
        }
        (SaveKind::Edit { before, .. }, Ok(saved)) => {
            let name = saved.automation.name.clone();
            state.undo.push(Undo::Restore {
                label: format!("edit of {name}"),
                before,
            });
            replace_item(state, saved);
            state.toast(
                ToastKind::Info,
                format!(
                    "saved {name} — {} to undo",
                    state.keymap.key_of(Action::Undo)
                ),
            );
        }
        (SaveKind::Edit { text, .. }, Err(e)) => {
            state.overlay = Overlay::EditError {
                id,
                text,
                message: format!("not saved: {e}"),
            };
        }
        (SaveKind::Undo { label }, Ok(saved)) => {
            replace_item(state, saved);
            state.toast(ToastKind::Info, format!("undid: {label}"));
        }
        (SaveKind::Undo { label }, Err(e)) => {
            state.toast(ToastKind::Error, format!("could not undo ({label}): {e}"))
        }
    }
    Vec::new()
}

fn on_deleted(state: &mut State, id: String, result: Result<(), BackendError>) -> Vec<Effect> {
    state.pending.remove(&id);
    let Some(i) = state.index_of(&id) else {
        return Vec::new();
    };
    match result {
        Ok(()) => {
            let item = state.items.remove(i);
            let name = item.saved.automation.name.clone();
            state.marks.remove(&id);
            state.undo.push(Undo::Recreate {
                label: format!("delete of {name}"),
                deleted: Box::new(item.saved.automation),
            });
            state.recompute();
            state.toast(
                ToastKind::Info,
                format!(
                    "deleted {name} — {} to undo",
                    state.keymap.key_of(Action::Undo)
                ),
            );
        }
        Err(e) => {
            let name = state.items[i].saved.automation.name.clone();
            state.toast(ToastKind::Error, format!("could not delete {name}: {e}"));
        }
    }
    Vec::new()
}

/// The automation file shown in the editor.
pub fn file_text(a: &Automation, entity: &str) -> String {
    render(&to_value(a, entity, false), Format::Yaml)
}

fn on_edited(state: &mut State, id: String, result: Result<String, String>) -> Vec<Effect> {
    let Some(i) = state.index_of(&id) else {
        state.toast(
            ToastKind::Error,
            "the automation is gone (deleted elsewhere); the edit was not saved",
        );
        return Vec::new();
    };
    let before = state.items[i].saved.automation.clone();
    let text = match result {
        Ok(t) => t,
        Err(e) => {
            state.toast(ToastKind::Error, e);
            return Vec::new();
        }
    };
    let original = file_text(&before, &state.entity);
    if text.trim() == original.trim() {
        state.toast(ToastKind::Info, "no changes");
        return Vec::new();
    }
    let parsed = parse_text(&text, Format::Yaml)
        .map_err(|e| e.to_string())
        .and_then(|mut list| {
            if list.len() == 1 {
                Ok(list.remove(0))
            } else {
                Err(format!(
                    "the file holds {} automations; keep exactly one",
                    list.len()
                ))
            }
        });
    let mut after = match parsed {
        Ok(a) => a,
        Err(message) => {
            state.overlay = Overlay::EditError { id, text, message };
            return Vec::new();
        }
    };
    let mut problems = crate::model::validate(&after);
    problems.extend(state.capabilities.check(&after));
    if !problems.is_empty() {
        state.overlay = Overlay::EditError {
            id,
            text,
            message: crate::model::validate::one_line(&problems),
        };
        return Vec::new();
    }
    after.id = before.id.clone();
    after.updated_at = before.updated_at.clone();
    after.created_at = before.created_at.clone();
    let diff = diff_lines(&original, &text);
    state.overlay = Overlay::Confirm {
        what: Confirm::SaveEdit {
            before: Box::new(before),
            after: Box::new(after),
            text,
            diff,
        },
        yes: false,
    };
    Vec::new()
}

fn refuse_if_read_only(state: &mut State, what: &str) -> bool {
    if let Some(reason) = state.read_only.clone() {
        state.toast(
            ToastKind::Error,
            format!("read-only ({reason}): not {what}"),
        );
        return true;
    }
    false
}

/// Ids the action applies to: the marked rows, else the selected one.
fn targets(state: &State) -> Vec<String> {
    if state.marks.is_empty() {
        state
            .selected_item()
            .map(|i| vec![i.id().to_string()])
            .unwrap_or_default()
    } else {
        state.marks.iter().cloned().collect()
    }
}

fn names_of(state: &State, ids: &[String]) -> Vec<String> {
    ids.iter()
        .filter_map(|id| state.index_of(id))
        .map(|i| state.items[i].saved.automation.name.clone())
        .collect()
}

fn start_toggle(state: &mut State, id: &str) -> Option<Effect> {
    let i = state.index_of(id)?;
    if state.pending.contains_key(id) {
        state.toast(
            ToastKind::Error,
            "a change to this automation is still being saved",
        );
        return None;
    }
    let before = state.items[i].saved.automation.clone();
    if let Some(reason) = before.read_only_reason() {
        state.toast(
            ToastKind::Error,
            format!("{} is read-only: {reason}", before.name),
        );
        return None;
    }
    let mut after = before.clone();
    after.enabled = !before.enabled;
    state.items[i].saved.automation.enabled = after.enabled;
    state
        .pending
        .insert(id.to_string(), Pending::Toggle(Box::new(before)));
    state.recompute();
    Some(Effect::Update {
        automation: Box::new(after),
        kind: SaveKind::Toggle,
    })
}

fn start_delete(state: &mut State, ids: &[String]) -> Vec<Effect> {
    let present: Vec<String> = ids
        .iter()
        .filter(|id| state.index_of(id).is_some())
        .cloned()
        .collect();
    present
        .into_iter()
        .map(|id| {
            state.pending.insert(id.clone(), Pending::Delete);
            Effect::Delete { id }
        })
        .collect()
}

fn undo(state: &mut State) -> Vec<Effect> {
    let Some(step) = state.undo.pop() else {
        state.toast(ToastKind::Info, "nothing to undo");
        return Vec::new();
    };
    match step {
        Undo::Restore { label, before } => {
            let id = before.id.clone().unwrap_or_default();
            let Some(i) = state.index_of(&id) else {
                state.toast(
                    ToastKind::Error,
                    format!("cannot undo {label}: the automation is gone"),
                );
                return Vec::new();
            };
            let mut restored = *before;
            restored.updated_at = state.items[i].saved.automation.updated_at.clone();
            state.pending.insert(id.clone(), Pending::Save);
            vec![Effect::Update {
                automation: Box::new(restored),
                kind: SaveKind::Undo { label },
            }]
        }
        Undo::Recreate { label, deleted } => {
            let mut again = *deleted;
            again.id = None;
            again.created_at = None;
            again.updated_at = None;
            vec![Effect::Recreate {
                automation: Box::new(again),
                entity: state.entity.clone(),
                label,
            }]
        }
    }
}

fn move_selection(state: &mut State, to: isize) {
    let last = state.view.len().saturating_sub(1) as isize;
    state.selected = to.clamp(0, last.max(0)) as usize;
    state.clamp_selection();
}

fn scroll(value: &mut u16, by: isize) {
    *value = (*value as isize + by).clamp(0, u16::MAX as isize) as u16;
}

fn movement(state: &mut State, action: Action) {
    let page = state.page_rows() as isize;
    let delta = match action {
        Action::Down => 1,
        Action::Up => -1,
        Action::PageDown => page,
        Action::PageUp => -page,
        Action::HalfDown => (page / 2).max(1),
        Action::HalfUp => -(page / 2).max(1),
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => 0,
    };
    let limit = crate::ui::scroll_limit(state);
    match &mut state.overlay {
        Overlay::Detail { scroll: s, .. } | Overlay::Raw { scroll: s } => {
            scroll(s, delta.clamp(-10_000, 10_000));
            *s = (*s).min(limit);
        }
        Overlay::Integrations { selected } => {
            let n = state
                .integrations
                .as_ref()
                .and_then(|r| r.as_ref().ok())
                .map_or(0, Vec::len) as isize;
            *selected = (*selected as isize + delta).clamp(0, (n - 1).max(0)) as usize;
        }
        _ => {
            let to = (state.selected as isize).saturating_add(delta);
            move_selection(state, to);
        }
    }
}

/// Runs an action as if its key was pressed.
pub fn apply(state: &mut State, action: Action) -> Vec<Effect> {
    use Action as A;
    let selected_id = state.selected_item().map(|i| i.id().to_string());
    match action {
        A::New | A::Edit | A::Duplicate => {
            if refuse_if_read_only(state, "creating or editing") {
                return Vec::new();
            }
            let wizard = match (action, state.selected_item()) {
                (A::New, _) => Ok(Wizard::new(&state.entity)),
                (_, Some(item)) => {
                    let taken: Vec<String> = state
                        .items
                        .iter()
                        .map(|i| i.saved.automation.name.clone())
                        .collect();
                    Wizard::from_automation(&item.saved.automation, action == A::Edit, &taken)
                }
                (_, None) => return Vec::new(),
            };
            match wizard {
                Ok(wizard) => {
                    let request = state.request_id();
                    let mut screen = WizardScreen::new(wizard, request);
                    if action == A::New {
                        screen.resume = state.draft.clone();
                    }
                    state.overlay = Overlay::Wizard(Box::new(screen));
                    return vec![Effect::LoadOptions {
                        request,
                        entity: state.entity.clone(),
                    }];
                }
                Err(message) => state.toast(ToastKind::Error, message),
            }
        }
        A::Down
        | A::Up
        | A::Top
        | A::Bottom
        | A::PageDown
        | A::PageUp
        | A::HalfDown
        | A::HalfUp => movement(state, action),
        A::Open => {
            if selected_id.is_some() {
                state.overlay = Overlay::Detail {
                    tab: DetailTab::Overview,
                    scroll: 0,
                };
            }
        }
        A::Back => match state.overlay {
            Overlay::None if state.range_from.is_some() || !state.marks.is_empty() => {
                state.range_from = None;
                state.marks.clear();
            }
            Overlay::None if !state.filter.is_empty() => {
                state.filter.clear();
                state.refilter();
            }
            Overlay::None => state.quit = true,
            _ => state.overlay = Overlay::None,
        },
        A::Quit => state.quit = true,
        A::Filter => state.filter_editing = Some(state.filter.clone()),
        A::Sort => {
            state.sort = state.sort.next();
            state.reverse = false;
            state.recompute();
        }
        A::SortReverse => {
            state.reverse = !state.reverse;
            state.recompute();
        }
        A::Toggle => {
            if refuse_if_read_only(state, "toggling") {
                return Vec::new();
            }
            let ids = targets(state);
            if ids.len() > 1 {
                let names = names_of(state, &ids);
                state.overlay = Overlay::Confirm {
                    what: Confirm::Toggle { ids, names },
                    yes: false,
                };
            } else if let Some(id) = ids.first() {
                return start_toggle(state, id).into_iter().collect();
            }
        }
        A::Mark => {
            if let Some(id) = selected_id {
                if !state.marks.remove(&id) {
                    state.marks.insert(id);
                }
                move_selection(state, state.selected as isize + 1);
            }
        }
        A::RangeMark => match state.range_from.take() {
            None => {
                state.range_from = Some(state.selected);
                state.toast(
                    ToastKind::Info,
                    format!(
                        "range starts here: move, then {} again",
                        state.keymap.key_of(A::RangeMark)
                    ),
                );
            }
            Some(from) => {
                let (a, b) = (from.min(state.selected), from.max(state.selected));
                let ids: Vec<String> = state.view[a..=b.min(state.view.len().saturating_sub(1))]
                    .iter()
                    .map(|&i| state.items[i].id().to_string())
                    .collect();
                state.marks.extend(ids);
            }
        },
        A::EditFile => {
            if refuse_if_read_only(state, "editing") {
                return Vec::new();
            }
            if let Some(item) = state.selected_item() {
                let a = &item.saved.automation;
                if let Some(reason) = a.read_only_reason() {
                    let message = format!("{} is read-only: {reason}", a.name);
                    state.toast(ToastKind::Error, message);
                } else {
                    return vec![Effect::Edit {
                        id: item.id().to_string(),
                        text: file_text(a, &state.entity),
                    }];
                }
            }
        }
        A::Raw => {
            if selected_id.is_some() {
                state.overlay = Overlay::Raw { scroll: 0 };
            }
        }
        A::CopyName | A::CopyJson => {
            if let Some(item) = state.selected_item() {
                let a = &item.saved.automation;
                let (text, what) = match action {
                    A::CopyName => (a.name.clone(), "name"),
                    _ => (
                        render(&to_value(a, &state.entity, false), Format::Json),
                        "automation as JSON",
                    ),
                };
                let message = format!(
                    "copied the {what} of {} (OSC 52: your terminal must allow clipboard writes)",
                    a.name
                );
                state.toast(ToastKind::Info, message);
                return vec![Effect::Copy { text }];
            }
        }
        A::Delete => {
            if refuse_if_read_only(state, "deleting") {
                return Vec::new();
            }
            let ids = targets(state);
            if !ids.is_empty() {
                let names = names_of(state, &ids);
                state.overlay = Overlay::Confirm {
                    what: Confirm::Delete {
                        ids,
                        names,
                        typed: String::new(),
                    },
                    yes: false,
                };
            }
        }
        A::Undo => {
            if refuse_if_read_only(state, "undoing") {
                return Vec::new();
            }
            return undo(state);
        }
        A::Integrations => {
            state.overlay = Overlay::Integrations { selected: 0 };
            if state.integrations.is_none() {
                return vec![integrations_request(state)];
            }
        }
        A::Switch => {
            state.overlay = Overlay::Switch {
                input: state.entity.clone(),
                backend: state.backend,
            };
        }
        A::Refresh => {
            if matches!(state.overlay, Overlay::Integrations { .. }) {
                state.integrations = None;
                return vec![integrations_request(state)];
            }
            state.toast(ToastKind::Info, "reloading");
            return vec![list(state)];
        }
        A::PauseRefresh => {
            state.paused = !state.paused;
            let text = match (state.paused, state.refresh_every) {
                (true, _) => "auto-refresh paused".to_string(),
                (false, Some(s)) => format!("auto-refresh every {s}s"),
                (false, None) => {
                    "auto-refresh is off (set refresh_secs in config.toml)".to_string()
                }
            };
            state.toast(ToastKind::Info, text);
        }
        A::Help => {
            state.overlay = Overlay::Help {
                filter: String::new(),
                scroll: 0,
            }
        }
        A::Palette => {
            state.overlay = Overlay::Palette {
                input: String::new(),
                selected: 0,
            }
        }
        A::NextTab | A::PrevTab => {
            if let Overlay::Detail { tab, scroll } = &mut state.overlay {
                let i = DetailTab::ALL.iter().position(|t| t == tab).unwrap_or(0);
                let n = DetailTab::ALL.len();
                *tab = DetailTab::ALL[if action == A::NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }];
                *scroll = 0;
            }
        }
    }
    Vec::new()
}

fn integrations_request(state: &mut State) -> Effect {
    state.integrations_request = state.request_id();
    Effect::ListIntegrations {
        request: state.integrations_request,
        entity: state.entity.clone(),
    }
}

/// Edits a one-line text input; returns whether the key was a text edit.
fn edit_text(text: &mut String, key: &KeyEvent) -> bool {
    match key.code {
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            text.push(c);
            true
        }
        KeyCode::Backspace => {
            text.pop();
            true
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            text.clear();
            true
        }
        _ => false,
    }
}

fn on_filter_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Enter => state.filter_editing = None,
        KeyCode::Esc => {
            state.filter = state.filter_editing.take().unwrap_or_default();
            state.refilter();
        }
        KeyCode::Down => move_selection(state, state.selected as isize + 1),
        KeyCode::Up => move_selection(state, state.selected as isize - 1),
        _ => {
            let before = state.filter.clone();
            if edit_text(&mut state.filter, &key) {
                // More plain text can only narrow; a term (`event:`...) may widen, so recompute.
                if state.filter.starts_with(&before)
                    && !before.is_empty()
                    && !state.filter.contains(':')
                {
                    state.narrow();
                } else {
                    state.refilter();
                }
            }
        }
    }
    Vec::new()
}

fn on_confirm_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Overlay::Confirm { what, yes } = &mut state.overlay else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => state.overlay = Overlay::None,
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Left | KeyCode::Right => *yes = !*yes,
        KeyCode::Enter if !*yes => state.overlay = Overlay::None,
        KeyCode::Enter => {
            if let Confirm::Delete { ids, typed, .. } = what
                && ids.len() > 1
                && typed.trim() != ids.len().to_string()
            {
                let n = ids.len();
                state.toast(
                    ToastKind::Error,
                    format!("type {n} to delete {n} automations"),
                );
                return Vec::new();
            }
            let Overlay::Confirm { what, .. } =
                std::mem::replace(&mut state.overlay, Overlay::None)
            else {
                return Vec::new();
            };
            return match what {
                Confirm::Delete { ids, .. } => {
                    state.marks.clear();
                    start_delete(state, &ids)
                }
                Confirm::Toggle { ids, .. } => {
                    state.marks.clear();
                    ids.iter()
                        .filter_map(|id| start_toggle(state, id))
                        .collect()
                }
                Confirm::SaveEdit {
                    before,
                    after,
                    text,
                    ..
                } => {
                    let id = before.id.clone().unwrap_or_default();
                    state.pending.insert(id.clone(), Pending::Save);
                    vec![Effect::SaveFile {
                        id,
                        automation: after,
                        entity: state.entity.clone(),
                        kind: SaveKind::Edit { before, text },
                    }]
                }
            };
        }
        _ => {
            if let Confirm::Delete { typed, ids, .. } = what
                && ids.len() > 1
            {
                edit_text(typed, &key);
            }
        }
    }
    Vec::new()
}

/// Actions the palette offers now: those of the current context, by description.
pub fn palette_actions(state: &State, input: &str) -> Vec<Action> {
    let needle = input.to_lowercase();
    let context = match state.overlay {
        Overlay::Palette { .. } => Context::List,
        _ => state.context(),
    };
    state
        .keymap
        .in_context(context)
        .filter(|b| b.description.to_lowercase().contains(&needle) || b.name.contains(&needle))
        .map(|b| b.action)
        .collect()
}

fn on_overlay_text_key(state: &mut State, key: KeyEvent) -> Option<Vec<Effect>> {
    let help_limit = match &state.overlay {
        Overlay::Help { .. } if key.code == KeyCode::Down => crate::ui::scroll_limit(state),
        _ => 0,
    };
    match &mut state.overlay {
        Overlay::Help { filter, scroll } => {
            match key.code {
                KeyCode::Esc => state.overlay = Overlay::None,
                KeyCode::Down => *scroll = scroll.saturating_add(1).min(help_limit),
                KeyCode::Up => *scroll = scroll.saturating_sub(1),
                KeyCode::Char('?') if filter.is_empty() => state.overlay = Overlay::None,
                _ => {
                    edit_text(filter, &key);
                    *scroll = 0;
                }
            }
            Some(Vec::new())
        }
        Overlay::Palette { input, selected } => {
            match key.code {
                KeyCode::Esc => state.overlay = Overlay::None,
                KeyCode::Down => *selected = selected.saturating_add(1),
                KeyCode::Up => *selected = selected.saturating_sub(1),
                KeyCode::Enter => {
                    let (input, selected) = (input.clone(), *selected);
                    let actions = palette_actions(state, &input);
                    state.overlay = Overlay::None;
                    if let Some(action) = actions.get(selected.min(actions.len().saturating_sub(1)))
                    {
                        return Some(apply(state, *action));
                    }
                }
                _ => {
                    edit_text(input, &key);
                    *selected = 0;
                }
            }
            Some(Vec::new())
        }
        Overlay::Switch { input, backend } => {
            match key.code {
                KeyCode::Esc => state.overlay = Overlay::None,
                KeyCode::Tab => *backend = (*backend + 1) % state.backends.len().max(1),
                KeyCode::Enter => {
                    let (entity, backend) = (input.trim().to_string(), *backend);
                    state.overlay = Overlay::None;
                    if entity.is_empty() {
                        state.toast(ToastKind::Error, "type an entity name");
                        return Some(Vec::new());
                    }
                    return Some(vec![Effect::Switch { backend, entity }]);
                }
                _ => {
                    edit_text(input, &key);
                }
            }
            Some(Vec::new())
        }
        Overlay::EditError { id, text, .. } => {
            match key.code {
                KeyCode::Char('e') | KeyCode::Enter => {
                    let effect = Effect::Edit {
                        id: id.clone(),
                        text: text.clone(),
                    };
                    state.overlay = Overlay::None;
                    return Some(vec![effect]);
                }
                KeyCode::Esc | KeyCode::Char('q') => {
                    state.overlay = Overlay::None;
                    state.toast(ToastKind::Info, "edit discarded");
                }
                _ => {}
            }
            Some(Vec::new())
        }
        Overlay::Confirm { .. } => Some(on_confirm_key(state, key)),
        Overlay::Wizard(_) => Some(on_wizard_key(state, key)),
        _ => None,
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        state.quit = true;
        return Vec::new();
    }
    if state.filter_editing.is_some() {
        return on_filter_key(state, key);
    }
    if let Some(effects) = on_overlay_text_key(state, key) {
        return effects;
    }
    let Some(chord) = Chord::from_event(&key) else {
        return Vec::new();
    };
    match state.keymap.action(state.context(), chord) {
        Some(action) => apply(state, action),
        None => Vec::new(),
    }
}

/// How far a key scrolls the wizard's Review (`j`/`k` a row, `g`/`G` to either end), if it is
/// on screen and nothing else takes the key.
fn review_scroll_key(state: &State, key: KeyEvent) -> Option<i32> {
    let Overlay::Wizard(w) = &state.overlay else {
        return None;
    };
    if w.wizard.step != Step::Review || w.confirm_discard || w.saving {
        return None;
    }
    match key.code {
        KeyCode::Char('j') => Some(1),
        KeyCode::Char('k') => Some(-1),
        KeyCode::Char('g') => Some(-i32::from(u16::MAX)),
        KeyCode::Char('G') => Some(i32::from(u16::MAX)),
        _ => None,
    }
}

fn on_wizard_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if let Some(by) = review_scroll_key(state, key) {
        let limit = i32::from(crate::ui::scroll_limit(state));
        if let Overlay::Wizard(w) = &mut state.overlay {
            let to = (i32::from(w.review_scroll) + by).clamp(0, limit);
            w.review_scroll = u16::try_from(to).unwrap_or(0);
        }
        return Vec::new();
    }
    let entity = state.entity.clone();
    let caps = state.capabilities.clone();
    let mut next = state.next_request;
    let Overlay::Wizard(w) = &mut state.overlay else {
        return Vec::new();
    };
    let step = w.wizard.step;
    let outcome = w.key(key, &caps, &entity, &mut || {
        next += 1;
        next - 1
    });
    if w.wizard.step != step {
        w.review_scroll = 0;
    }
    state.next_request = next;
    match outcome {
        Outcome::Stay(mut effects) => {
            let now = state.now;
            if let Overlay::Wizard(w) = &mut state.overlay
                && let Some(draft) = w.draft_if_changed(now)
            {
                effects.push(Effect::SaveDraft {
                    text: draft.to_text(),
                });
                state.draft = Some(draft);
            }
            effects
        }
        Outcome::Close { discard } => {
            state.overlay = Overlay::None;
            if discard && state.draft.take().is_some() {
                return vec![Effect::ClearDraft];
            }
            if state.draft.is_some() {
                let key = state.keymap.key_of(Action::New);
                state.toast(
                    ToastKind::Info,
                    format!("kept as a draft: {key} resumes it"),
                );
            }
            Vec::new()
        }
        Outcome::Save { automation, edit } => vec![Effect::SaveWizard {
            automation,
            entity,
            edit,
        }],
    }
}

fn on_wizard_saved(
    state: &mut State,
    edit: bool,
    result: Result<crate::backend::SavedAutomation, BackendError>,
) -> Vec<Effect> {
    let Overlay::Wizard(w) = &mut state.overlay else {
        return Vec::new();
    };
    w.saving = false;
    match result {
        Ok(saved) => {
            let before = w.wizard.editing.clone();
            let name = saved.automation.name.clone();
            let id = saved.automation.id.clone();
            state.overlay = Overlay::None;
            if let (true, Some(before)) = (edit, before) {
                state.undo.push(Undo::Restore {
                    label: format!("edit of {name}"),
                    before: Box::new(before),
                });
            }
            match id.as_deref().and_then(|id| state.index_of(id)) {
                Some(i) => state.items[i] = Item::new(saved),
                None => state.items.push(Item::new(saved)),
            }
            state.recompute_keeping(id.as_deref());
            let verb = if edit { "saved" } else { "created" };
            state.toast(ToastKind::Info, format!("{verb} {name}"));
            if !edit && state.draft.take().is_some() {
                return vec![Effect::ClearDraft];
            }
        }
        Err(BackendError::Invalid(problems)) => w.wizard.show_problems(problems),
        Err(BackendError::Conflict(message)) => w
            .wizard
            .show_problems(vec![crate::model::Problem::new("name", message)]),
        Err(BackendError::NotFound(message)) => w
            .wizard
            .show_problems(vec![crate::model::Problem::new("scope", message)]),
        Err(e) => {
            let message = format!("not saved: {e}");
            state.toast(ToastKind::Error, message);
        }
    }
    Vec::new()
}

/// The sort label for the header, e.g. `name ↑`.
pub fn sort_label(key: SortKey, reverse: bool) -> String {
    format!("{} {}", key.label(), if reverse { "↓" } else { "↑" })
}
