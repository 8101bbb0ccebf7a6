//! Commands on the selected automation, or on the marked ones: toggle, delete, undo, edit (in
//! the wizard or as a file), copy and the raw view. The list and the detail share them. Each
//! write is checked by the session's write gate and started optimistically where it can be.

use super::keys::Action;
use super::modals::Modal;
use super::modals::confirm::{Confirm, ConfirmModal};
use super::msg::{Effect, SaveKind};
use super::screens::Screen;
use super::screens::raw::RawScreen;
use super::state::{State, ToastKind};
use super::store::writes::{Pending, Undo};
use crate::file::{Format, render, to_value};
use crate::model::Automation;

/// The automation file shown in the editor.
pub fn file_text(a: &Automation, entity: &str) -> String {
    render(&to_value(a, entity, false), Format::Yaml)
}

/// `true` (and a toast saying so) when writes are refused.
pub fn refused(state: &mut State, what: &str) -> bool {
    match state.session.gate().check(what) {
        Ok(()) => false,
        Err(message) => {
            state.toast(ToastKind::Error, message);
            true
        }
    }
}

/// Ids a command applies to: the marked rows and an open range (as the list draws them),
/// else the selected one.
fn targets(state: &State) -> Vec<String> {
    let mut ids: std::collections::BTreeSet<String> = state.selection.marks().clone();
    if let Some(from) = state.selection.range_from() {
        let at = state.selection.selected();
        ids.extend(state.list.ids_between(from.min(at), from.max(at)));
    }
    if ids.is_empty() {
        state.selected_id().into_iter().collect()
    } else {
        ids.into_iter().collect()
    }
}

fn names_of(state: &State, ids: &[String]) -> Vec<String> {
    ids.iter()
        .filter_map(|id| state.list.get(id))
        .map(|i| i.saved.automation.name.clone())
        .collect()
}

/// The row commands; `None` for the others.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    use Action as A;
    let effects = match action {
        A::Toggle => {
            if refused(state, "toggling") {
                return Some(Vec::new());
            }
            let ids = targets(state);
            if ids.len() > 1 {
                let names = names_of(state, &ids);
                state
                    .modals
                    .push(Modal::Confirm(ConfirmModal::new(Confirm::Toggle {
                        ids,
                        names,
                    })));
                Vec::new()
            } else {
                ids.first()
                    .and_then(|id| start_toggle(state, id))
                    .into_iter()
                    .collect()
            }
        }
        A::Delete => {
            if refused(state, "deleting") {
                return Some(Vec::new());
            }
            let ids = targets(state);
            if !ids.is_empty() {
                let names = names_of(state, &ids);
                state
                    .modals
                    .push(Modal::Confirm(ConfirmModal::new(Confirm::Delete {
                        ids,
                        names,
                        typed: String::new(),
                    })));
            }
            Vec::new()
        }
        A::Undo => {
            if refused(state, "undoing") {
                return Some(Vec::new());
            }
            undo(state)
        }
        A::Edit | A::Duplicate => super::screens::wizard::open(state, action),
        A::EditFile => edit_file(state),
        A::Raw => {
            if let Some(id) = state.selected_id() {
                state.screen = Screen::Raw(RawScreen::open(state, id));
            }
            Vec::new()
        }
        A::CopyName | A::CopyJson => copy(state, action),
        A::TestFire => {
            if refused(state, "test-firing") {
                return Some(Vec::new());
            }
            match state.selected_item() {
                Some(item) => vec![Effect::PrepareTest {
                    id: item.id().to_string(),
                    name: item.saved.automation.name.clone(),
                }],
                None => Vec::new(),
            }
        }
        _ => return None,
    };
    Some(effects)
}

fn edit_file(state: &mut State) -> Vec<Effect> {
    if refused(state, "editing") {
        return Vec::new();
    }
    let Some(item) = state.selected_item() else {
        return Vec::new();
    };
    let a = &item.saved.automation;
    if let Some(reason) = a.read_only_reason() {
        let message = format!("{} is read-only: {reason}", a.name);
        state.toast(ToastKind::Error, message);
        return Vec::new();
    }
    vec![Effect::Edit {
        id: item.id().to_string(),
        text: file_text(a, state.entity()),
    }]
}

fn copy(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(item) = state.selected_item() else {
        return Vec::new();
    };
    let a = &item.saved.automation;
    let (text, what) = match action {
        Action::CopyName => (a.name.clone(), "name"),
        _ => (
            render(&to_value(a, state.entity(), false), Format::Json),
            "automation as JSON",
        ),
    };
    let message = format!(
        "copied the {what} of {} (OSC 52: your terminal must allow clipboard writes)",
        a.name
    );
    state.toast(ToastKind::Info, message);
    vec![Effect::Copy { text }]
}

/// Flips `enabled` at once (the row shows a spinner until the backend answers).
pub fn start_toggle(state: &mut State, id: &str) -> Option<Effect> {
    let before = state.list.get(id)?.saved.automation.clone();
    if state.writes.pending(id).is_some() {
        state.toast(
            ToastKind::Error,
            "a change to this automation is still being saved",
        );
        return None;
    }
    let after = match crate::ops::with_enabled(&before, !before.enabled) {
        Ok(after) => after,
        Err(message) => {
            state.toast(ToastKind::Error, message);
            return None;
        }
    };
    state.writes.begin(id, Pending::Toggle(Box::new(before)));
    state.change_list(|list| list.set_enabled(id, after.enabled));
    Some(Effect::Update {
        automation: Box::new(after),
        kind: SaveKind::Toggle,
    })
}

/// Starts deleting the ids still loaded.
pub fn start_delete(state: &mut State, ids: &[String]) -> Vec<Effect> {
    ids.iter()
        .filter(|id| state.list.contains(id))
        .map(|id| {
            state.writes.begin(id, Pending::Delete);
            Effect::Delete { id: id.clone() }
        })
        .collect()
}

fn undo(state: &mut State) -> Vec<Effect> {
    let Some(step) = state.writes.pop_undo() else {
        state.toast(ToastKind::Info, "nothing to undo");
        return Vec::new();
    };
    match step {
        Undo::Restore { label, before } => {
            let id = before.id.clone().unwrap_or_default();
            let Some(item) = state.list.get(&id) else {
                state.toast(
                    ToastKind::Error,
                    format!("cannot undo {label}: the automation is gone"),
                );
                return Vec::new();
            };
            let mut restored = *before;
            restored.updated_at = item.saved.automation.updated_at.clone();
            state.writes.begin(&id, Pending::Save);
            vec![Effect::Update {
                automation: Box::new(restored),
                kind: SaveKind::Undo { label },
            }]
        }
        Undo::Recreate { label, deleted } => vec![Effect::Recreate {
            automation: Box::new(crate::ops::recreatable(&deleted)),
            entity: state.entity().to_string(),
            label,
        }],
    }
}
