//! Commands on the selected automation, or on the marked ones: toggle, delete, undo, edit (in
//! the wizard or as a file), copy, the raw view and a test fire. The list and the detail both
//! take them (their rows come from here). Each write is checked by the session's write gate and
//! started optimistically where it can be.

use super::ctx::{Confirm, Ctx, WizardStart};
use super::keys::{Def, Row, commands, row};
use super::modals;
use super::msg::{Effect, SaveKind};
use super::screens::Open;
use super::state::ToastKind;
use super::store::writes::{Pending, Undo};
use crate::file::{Format, render, to_value};
use crate::model::Automation;

commands! {
    TOGGLE: "toggle" ["t"] footer writes "toggle" "enable / disable (marked rows too)";
    EDIT: "edit" ["e"] footer writes "edit" "edit in the wizard";
    DUPLICATE: "duplicate" ["N"] listed writes "copy" "duplicate in the wizard";
    EDIT_FILE: "edit_file" ["E"] listed writes "edit file" "edit as a file in $EDITOR";
    RAW: "raw" ["y"] listed reads "raw" "raw JSON as stored";
    COPY_NAME: "copy_name" ["c"] listed reads "copy" "copy the name";
    COPY_JSON: "copy_json" ["C"] listed reads "copy json" "copy as a JSON automation file";
    DELETE: "delete" ["D"] footer writes "delete" "delete (marked rows too)";
    UNDO: "undo" ["z"] listed writes "undo" "undo the last change";
    TEST_FIRE: "test_fire" ["X"] listed writes "test" "test-fire: show the request, send on yes";
}

/// A command on the selected (or marked) automations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowMsg {
    /// Enable or disable.
    Toggle,
    /// Edit in the wizard.
    Edit,
    /// Duplicate in the wizard.
    Duplicate,
    /// Edit as a file in `$VISUAL`/`$EDITOR`.
    EditFile,
    /// The raw JSON as stored.
    Raw,
    /// Copy the name.
    CopyName,
    /// Copy as a JSON automation file.
    CopyJson,
    /// Delete.
    Delete,
    /// Undo the last change.
    Undo,
    /// Test-fire: show the request, send on yes.
    TestFire,
}

impl RowMsg {
    /// Every row command, in the key table's order.
    pub(crate) const ALL: [RowMsg; 10] = [
        RowMsg::Toggle,
        RowMsg::Edit,
        RowMsg::Duplicate,
        RowMsg::EditFile,
        RowMsg::Raw,
        RowMsg::CopyName,
        RowMsg::CopyJson,
        RowMsg::Delete,
        RowMsg::Undo,
        RowMsg::TestFire,
    ];

    /// Its command.
    fn def(self) -> &'static Def {
        match self {
            RowMsg::Toggle => &TOGGLE,
            RowMsg::Edit => &EDIT,
            RowMsg::Duplicate => &DUPLICATE,
            RowMsg::EditFile => &EDIT_FILE,
            RowMsg::Raw => &RAW,
            RowMsg::CopyName => &COPY_NAME,
            RowMsg::CopyJson => &COPY_JSON,
            RowMsg::Delete => &DELETE,
            RowMsg::Undo => &UNDO,
            RowMsg::TestFire => &TEST_FIRE,
        }
    }
}

/// Rows for these row commands, each sending `wrap` of it.
pub(crate) fn keys<B, M: Into<B>>(wrap: impl Fn(RowMsg) -> M, which: &[RowMsg]) -> Vec<Row<B>> {
    which.iter().map(|m| row(m.def(), wrap(*m))).collect()
}

/// The automation file shown in the editor.
pub fn file_text(a: &Automation, entity: &str) -> String {
    render(&to_value(a, entity, false), Format::Yaml)
}

/// Ids a command applies to: the marked rows and an open range (as the list draws them),
/// else the selected one.
fn targets(ctx: &Ctx) -> Vec<String> {
    let mut ids: std::collections::BTreeSet<String> = ctx.selection.marks().clone();
    if let Some((from, to)) = ctx.selection.range() {
        ids.extend(ctx.list.ids_between(from, to));
    }
    if ids.is_empty() {
        ctx.selected_id().into_iter().collect()
    } else {
        ids.into_iter().collect()
    }
}

fn names_of(ctx: &Ctx, ids: &[String]) -> Vec<String> {
    ids.iter()
        .filter_map(|id| ctx.list.get(id))
        .map(|i| i.saved.automation.name.clone())
        .collect()
}

/// Carries out a row command.
pub(crate) fn update(msg: RowMsg, ctx: &mut Ctx) {
    match msg {
        RowMsg::Toggle if !ctx.refused("toggling") => {
            let ids = targets(ctx);
            if ids.len() > 1 {
                let names = names_of(ctx, &ids);
                ctx.push(modals::Open::Confirm(Confirm::Toggle { ids, names }));
            } else {
                start_toggle(ctx, &ids);
            }
        }
        RowMsg::Delete if !ctx.refused("deleting") => {
            let ids = targets(ctx);
            if !ids.is_empty() {
                let names = names_of(ctx, &ids);
                ctx.push(modals::Open::Confirm(Confirm::Delete { ids, names }));
            }
        }
        RowMsg::Undo if !ctx.refused("undoing") => undo(ctx),
        RowMsg::Edit => ctx.open(Open::Wizard(WizardStart::Edit)),
        RowMsg::Duplicate => ctx.open(Open::Wizard(WizardStart::Duplicate)),
        RowMsg::EditFile if !ctx.refused("editing") => edit_file(ctx),
        RowMsg::Raw if ctx.selected_item().is_some() => ctx.open(Open::Raw(())),
        RowMsg::CopyName | RowMsg::CopyJson => copy(ctx, msg),
        RowMsg::TestFire if !ctx.refused("test-firing") => {
            if let Some(item) = ctx.selected_item() {
                let effect = Effect::PrepareTest {
                    id: item.id().to_string(),
                    name: item.saved.automation.name.clone(),
                };
                ctx.effect(effect);
            }
        }
        _ => {}
    }
}

fn edit_file(ctx: &mut Ctx) {
    let Some(item) = ctx.selected_item() else {
        return;
    };
    let a = &item.saved.automation;
    if let Some(reason) = a.read_only_reason() {
        let message = format!("{} is read-only: {reason}", a.name);
        ctx.toast(ToastKind::Error, message);
        return;
    }
    let effect = Effect::Edit {
        id: item.id().to_string(),
        text: file_text(a, ctx.entity()),
    };
    ctx.effect(effect);
}

fn copy(ctx: &mut Ctx, msg: RowMsg) {
    let Some(item) = ctx.selected_item() else {
        return;
    };
    let a = &item.saved.automation;
    let (text, what) = match msg {
        RowMsg::CopyName => (a.name.clone(), "name"),
        _ => (
            render(&to_value(a, ctx.entity(), false), Format::Json),
            "automation as JSON",
        ),
    };
    let message = format!(
        "copied the {what} of {} (OSC 52: your terminal must allow clipboard writes)",
        a.name
    );
    ctx.toast(ToastKind::Info, message);
    ctx.effect(Effect::Copy { text });
}

/// Flips `enabled` of these automations at once, as one action (one undo takes it back); each
/// row shows a spinner until the backend answers, retrying there when the automation changed
/// elsewhere.
pub(crate) fn start_toggle(ctx: &mut Ctx, ids: &[String]) {
    ctx.writes.action();
    for id in ids {
        toggle_one(ctx, id);
    }
}

fn toggle_one(ctx: &mut Ctx, id: &str) {
    let Some(read) = ctx.list.get(id).map(|i| i.saved.clone()) else {
        return;
    };
    if ctx.writes.pending(id).is_some() {
        ctx.toast(
            ToastKind::Error,
            "a change to this automation is still being saved",
        );
        return;
    }
    let enabled = !read.automation.enabled;
    if let Err(message) = crate::ops::with_enabled(&read.automation, enabled) {
        ctx.toast(ToastKind::Error, message);
        return;
    }
    ctx.writes
        .begin(id, Pending::Toggle(Box::new(read.automation.clone())));
    ctx.change_list(|list| list.set_enabled(id, enabled));
    let entity = ctx.entity().to_string();
    ctx.effect(Effect::Toggle {
        read: Box::new(read),
        enabled,
        entity,
    });
}

/// Starts deleting the ids still loaded, as one action (one undo brings them all back).
pub(crate) fn start_delete(ctx: &mut Ctx, ids: &[String]) {
    ctx.writes.action();
    for id in ids {
        if ctx.list.contains(id) {
            ctx.writes.begin(id, Pending::Delete);
            ctx.effect(Effect::Delete { id: id.clone() });
        }
    }
}

/// Undoes the newest action: every row it changed.
fn undo(ctx: &mut Ctx) {
    let steps = ctx.writes.pop_undo();
    if steps.is_empty() {
        ctx.toast(ToastKind::Info, "nothing to undo");
        return;
    }
    ctx.writes.action();
    for step in steps {
        undo_step(ctx, step);
    }
}

fn undo_step(ctx: &mut Ctx, step: Undo) {
    match step {
        Undo::Restore { label, before } => {
            let id = before.id.clone().unwrap_or_default();
            let Some(item) = ctx.list.get(&id) else {
                ctx.toast(
                    ToastKind::Error,
                    format!("cannot undo {label}: the automation is gone"),
                );
                return;
            };
            let mut restored = *before;
            restored.updated_at = item.saved.automation.updated_at.clone();
            ctx.writes.begin(&id, Pending::Save);
            ctx.effect(Effect::Update {
                automation: Box::new(restored),
                kind: SaveKind::Undo { label },
            });
        }
        Undo::Recreate { label, deleted } => {
            let entity = ctx.entity().to_string();
            ctx.effect(Effect::Recreate {
                automation: Box::new(crate::ops::recreatable(&deleted)),
                entity,
                label,
            });
        }
    }
}
