//! Automations as code: what it takes to make a backend hold what a set of files says (a plan of
//! creates, updates and deletes with field-level differences), and carrying a plan out in a
//! dependency-safe order. Matching is by id when a file has one, else by name within the scope.
//! The plan itself is pure; [`apply`] sends it through the same backend calls `create` and
//! `update` use.

use crate::backend::{Backend, BackendError, SavedAutomation};
use crate::file::to_value;
use crate::model::{Automation, EventKind, ScopePath};
use crate::wire::encode::update_input;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};

/// One automation a file asks for, resolved against the backend.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Desired {
    /// The automation, scope and integration resolved.
    pub(crate) automation: Automation,
    /// Where it was written (`dir/a.yaml`, `dir/all.yaml [2]`).
    pub(crate) source: String,
    /// The `updated_at` the file carries (written by `export`; `Some(None)`: exported before
    /// any update), to tell drift. `None` when the file does not say.
    pub(crate) exported_at: Option<Option<String>>,
}

/// What a change does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChangeKind {
    /// A new automation.
    Create,
    /// An existing automation replaced by the file's content.
    Update,
    /// An automation in a covered scope that no file names (only with prune).
    Delete,
}

impl ChangeKind {
    /// The word in plans: `create`, `update`, `delete`.
    pub(crate) fn word(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Update => "update",
            ChangeKind::Delete => "delete",
        }
    }

    /// The mark in a plan: `+`, `~`, `-`.
    pub(crate) fn mark(self) -> char {
        match self {
            ChangeKind::Create => '+',
            ChangeKind::Update => '~',
            ChangeKind::Delete => '-',
        }
    }
}

/// One field that differs, in file terms (`event.threshold`, `action.payload.text`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FieldDiff {
    /// The dotted path of the field in the automation file.
    pub(crate) path: String,
    /// What the backend has (`None`: the field is not there).
    pub(crate) old: Option<Value>,
    /// What the file says (`None`: the field goes away).
    pub(crate) new: Option<Value>,
}

/// One change of a plan.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Change {
    /// What it does.
    pub(crate) kind: ChangeKind,
    /// The automation's name after the change (before it, for a delete).
    pub(crate) name: String,
    /// Its scope.
    pub(crate) scope: ScopePath,
    /// The id of the automation changed (none for a create).
    pub(crate) id: Option<String>,
    /// The file it comes from (none for a delete).
    pub(crate) source: Option<String>,
    /// Field-level differences (updates).
    pub(crate) diffs: Vec<FieldDiff>,
    /// The automation as the file wants it (creates and updates; an update's carries the id and
    /// timestamps read).
    pub(crate) desired: Option<Automation>,
    /// The backend's `updated_at` of the automation changed.
    pub(crate) updated_at: Option<String>,
    /// Changed on the server since the file was exported: (the file's time, the server's).
    pub(crate) drift: Option<(String, String)>,
    /// Anything else a reader should know (a likely rename, a vanished id).
    pub(crate) notes: Vec<String>,
}

/// An automation as the plan saw it: what `apply --plan` checks is still so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Seen {
    /// Its id.
    pub(crate) id: String,
    /// Its name.
    pub(crate) name: String,
    /// Its scope.
    pub(crate) scope: ScopePath,
    /// Its `updated_at`.
    pub(crate) updated_at: Option<String>,
}

/// An automation a file asks for that this backend cannot hold because only wbauto's local
/// engine fires its event (e.g. `run_stalled` on W&B): listed, never a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LocalOnly {
    /// Its name.
    pub(crate) name: String,
    /// Its scope.
    pub(crate) scope: ScopePath,
    /// The file it comes from.
    pub(crate) source: String,
    /// Its event kind.
    pub(crate) kind: EventKind,
}

/// What it takes to make the backend hold what the files say.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Plan {
    /// The scopes it covers (the files' scopes and `--project`'s), sorted.
    pub(crate) scopes: Vec<ScopePath>,
    /// Whether automations no file names are deleted.
    pub(crate) prune: bool,
    /// Updates first, then creates, then deletes: the order they are applied in.
    pub(crate) changes: Vec<Change>,
    /// Automations the files name that already are as they say.
    pub(crate) unchanged: Vec<Seen>,
    /// Automations in covered scopes that no file names and are kept (no prune).
    pub(crate) kept: Vec<Seen>,
    /// Every automation in the covered scopes when the plan was made.
    pub(crate) base: Vec<Seen>,
    /// What the files ask for that only the local engine fires: set aside, never sent.
    pub(crate) local_only: Vec<LocalOnly>,
}

impl Plan {
    /// How many changes of a kind.
    pub(crate) fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }
}

/// Which scopes a plan covers besides the files' own.
pub(crate) type Covers<'a> = &'a dyn Fn(&ScopePath) -> bool;

fn seen(a: &Automation) -> Seen {
    Seen {
        id: a.id.clone().unwrap_or_default(),
        name: a.name.clone(),
        scope: a.scope.path.clone(),
        updated_at: a.updated_at.clone(),
    }
}

/// The plan that makes `existing` (everything listed in the entities involved) hold `desired`.
/// `also_covers` adds scopes (e.g. `--project`) whose automations no file names are pruned.
/// `local_only` are the files' automations this backend cannot hold (set aside before resolving).
pub(crate) fn make(
    desired: Vec<Desired>,
    local_only: Vec<LocalOnly>,
    existing: &[Automation],
    also_covers: Covers,
    prune: bool,
    default_entity: &str,
) -> Result<Plan, String> {
    let scopes: BTreeSet<ScopePath> = desired
        .iter()
        .map(|d| d.automation.scope.path.clone())
        .chain(
            existing
                .iter()
                .map(|a| a.scope.path.clone())
                .filter(|p| also_covers(p)),
        )
        .collect();
    let covered: Vec<&Automation> = existing
        .iter()
        .filter(|a| scopes.contains(&a.scope.path))
        .collect();
    let by_id: HashMap<&str, &Automation> = existing
        .iter()
        .filter_map(|a| a.id.as_deref().map(|id| (id, a)))
        .collect();
    let mut claimed: HashMap<String, String> = HashMap::new();
    let (mut updates, mut creates, mut unchanged) = (Vec::new(), Vec::new(), Vec::new());
    for d in desired {
        let target = match d.automation.id.as_deref() {
            Some(id) => by_id.get(id).copied(),
            None => covered
                .iter()
                .copied()
                .find(|e| e.scope.path == d.automation.scope.path && e.name == d.automation.name),
        };
        let Some(current) = target else {
            if let Some(reason) = d.automation.read_only_reason() {
                return Err(format!("{}: cannot be created: {reason}", d.source));
            }
            creates.push(creation(d));
            continue;
        };
        let id = current.id.clone().unwrap_or_default();
        if let Some(other) = claimed.insert(id.clone(), d.source.clone()) {
            return Err(format!(
                "{} and {other} both describe {} ({}); keep one",
                d.source, current.name, current.scope.path
            ));
        }
        match compare(d, current, default_entity)? {
            Some(change) => updates.push(change),
            None => unchanged.push(seen(current)),
        }
    }
    let unclaimed: Vec<&Automation> = covered
        .iter()
        .copied()
        .filter(|a| !claimed.contains_key(a.id.as_deref().unwrap_or_default()))
        .collect();
    let mut deletes = Vec::new();
    let mut kept = Vec::new();
    for a in &unclaimed {
        if prune {
            deletes.push(deletion(a));
        } else {
            kept.push(seen(a));
        }
    }
    note_renames(
        &mut creates,
        &mut deletes,
        &unclaimed,
        prune,
        default_entity,
    );
    check_names(&updates, &creates, &covered)?;
    let mut changes = in_rename_order(updates);
    for step in steps(&changes) {
        if let Some(temporary) = step.temporary {
            let c = &mut changes[step.change];
            c.notes.push(format!(
                "its new name is taken by another rename of this plan, which waits for its old name: it is renamed to {temporary:?} first, then to {:?}",
                c.name
            ));
        }
    }
    changes.append(&mut creates);
    changes.append(&mut deletes);
    Ok(Plan {
        scopes: scopes.into_iter().collect(),
        prune,
        changes,
        unchanged,
        kept,
        base: covered.into_iter().map(seen).collect(),
        local_only,
    })
}

fn creation(d: Desired) -> Change {
    let mut notes = Vec::new();
    let mut automation = d.automation;
    if let Some(id) = automation.id.take() {
        notes.push(format!(
            "the file's id {id} is not on the server (deleted elsewhere?): it is created anew"
        ));
    }
    Change {
        kind: ChangeKind::Create,
        name: automation.name.clone(),
        scope: automation.scope.path.clone(),
        id: None,
        source: Some(d.source),
        diffs: Vec::new(),
        desired: Some(automation),
        updated_at: None,
        drift: None,
        notes,
    }
}

fn deletion(a: &Automation) -> Change {
    Change {
        kind: ChangeKind::Delete,
        name: a.name.clone(),
        scope: a.scope.path.clone(),
        id: a.id.clone(),
        source: None,
        diffs: Vec::new(),
        desired: None,
        updated_at: a.updated_at.clone(),
        drift: None,
        notes: vec!["no file names it".into()],
    }
}

/// The update that makes `current` what the file says, or `None` when it already is.
fn compare(
    d: Desired,
    current: &Automation,
    default_entity: &str,
) -> Result<Option<Change>, String> {
    if let Some(reason) = current.read_only_reason() {
        // What wbauto cannot write it can still find as the file says.
        let mut want = d.automation.clone();
        want.description = want.description.or_else(|| current.description.clone());
        if file_form(&want, default_entity) == file_form(current, default_entity) {
            return Ok(None);
        }
        return Err(format!("{}: cannot be updated: {reason}", d.source));
    }
    let mut want =
        crate::ops::retarget(d.automation, current).map_err(|e| format!("{}: {e}", d.source))?;
    // A file without a description sends none, and an update then keeps the stored one.
    if want.description.is_none() {
        want.description = current.description.clone();
    }
    let same = match (update_input(&want), update_input(current)) {
        (Ok(x), Ok(y)) => x == y,
        (Err(e), _) => return Err(format!("{}: {}", d.source, e.0)),
        (_, Err(_)) => false,
    };
    if same {
        return Ok(None);
    }
    let mut diffs = Vec::new();
    diff_values(
        "",
        &file_form(current, default_entity),
        &file_form(&want, default_entity),
        &mut diffs,
    );
    if diffs.is_empty() {
        // The same in file terms, yet not on the wire: an integration of the same name was
        // replaced by another one.
        diffs.push(FieldDiff {
            path: "action.integration (id)".into(),
            old: current
                .action
                .integration()
                .and_then(|r| r.id.clone())
                .map(Value::String),
            new: want
                .action
                .integration()
                .and_then(|r| r.id.clone())
                .map(Value::String),
        });
    }
    let drift = match (&d.exported_at, &current.updated_at) {
        (Some(file), Some(server)) if file.as_ref() != Some(server) => Some((
            file.clone().unwrap_or_else(|| "never updated".into()),
            server.clone(),
        )),
        _ => None,
    };
    Ok(Some(Change {
        kind: ChangeKind::Update,
        name: want.name.clone(),
        scope: want.scope.path.clone(),
        id: current.id.clone(),
        source: Some(d.source),
        diffs,
        updated_at: current.updated_at.clone(),
        desired: Some(want),
        drift,
        notes: Vec::new(),
    }))
}

/// The automation file form without id and times, for field differences.
fn file_form(a: &Automation, default_entity: &str) -> Value {
    let mut v = to_value(a, default_entity, false);
    if let Value::Object(m) = &mut v {
        m.remove("id");
    }
    v
}

/// Every leaf that differs between two file forms, by dotted path; lists are compared whole
/// except lists of objects, which are compared item by item (`[i]`).
pub(crate) fn diff_values(path: &str, old: &Value, new: &Value, out: &mut Vec<FieldDiff>) {
    let join = |key: &str| crate::file::fields::child(path, key);
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) => diff_values(&join(k), va, vb, out),
                    None => out.push(FieldDiff {
                        path: join(k),
                        old: Some(va.clone()),
                        new: None,
                    }),
                }
            }
            for (k, vb) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                out.push(FieldDiff {
                    path: join(k),
                    old: None,
                    new: Some(vb.clone()),
                });
            }
        }
        (Value::Null, Value::Object(b)) if !b.is_empty() => {
            diff_values(path, &Value::Object(Map::new()), new, out)
        }
        (Value::Object(a), Value::Null) if !a.is_empty() => {
            diff_values(path, old, &Value::Object(Map::new()), out)
        }
        (a, b) if a != b => out.push(FieldDiff {
            path: path.to_string(),
            old: (!a.is_null()).then(|| a.clone()),
            new: (!b.is_null()).then(|| b.clone()),
        }),
        _ => {}
    }
}

/// A create without an id next to an automation no file names, in the same scope and with the
/// same event and action, is most likely a rename: say so on both.
fn note_renames(
    creates: &mut [Change],
    deletes: &mut [Change],
    unclaimed: &[&Automation],
    prune: bool,
    default_entity: &str,
) {
    let body = |a: &Automation| {
        let mut v = file_form(a, default_entity);
        if let Value::Object(m) = &mut v {
            for key in ["name", "description", "enabled"] {
                m.remove(key);
            }
        }
        v
    };
    for create in creates.iter_mut() {
        let Some(new) = create.desired.as_ref() else {
            continue;
        };
        let Some(old) = unclaimed
            .iter()
            .find(|a| a.scope.path == new.scope.path && body(a) == body(new))
        else {
            continue;
        };
        let fate = if prune {
            "deleted"
        } else {
            "kept (no --prune)"
        };
        create.notes.push(format!(
            "looks like a rename of {:?}: the file has no id, so this is a new automation and {:?} is {fate}; add `id: {}` to the file to rename it in place",
            old.name,
            old.name,
            old.id.as_deref().unwrap_or("?")
        ));
        if let Some(d) = deletes.iter_mut().find(|d| d.id == old.id) {
            d.notes.push(format!(
                "renamed to {:?} in {}?",
                new.name,
                create.source.as_deref().unwrap_or("a file")
            ));
        }
    }
}

/// Names stay unique in their scope after the plan (deletes run last, so a deleted automation
/// still holds its name while creates and updates run).
fn check_names(
    updates: &[Change],
    creates: &[Change],
    covered: &[&Automation],
) -> Result<(), String> {
    let updated: HashMap<&str, &Change> = updates
        .iter()
        .filter_map(|c| c.id.as_deref().map(|id| (id, c)))
        .collect();
    let mut owner: HashMap<(&ScopePath, &str), String> = HashMap::new();
    let stays = covered
        .iter()
        .filter(|a| !updated.contains_key(a.id.as_deref().unwrap_or_default()))
        .map(|a| {
            (
                &a.scope.path,
                a.name.as_str(),
                format!("{:?} on the server", a.name),
            )
        });
    let after = updates.iter().chain(creates).map(|c| {
        (
            &c.scope,
            c.name.as_str(),
            c.source.clone().unwrap_or_default(),
        )
    });
    for (scope, name, from) in stays.chain(after) {
        if let Some(first) = owner.insert((scope, name), from.clone()) {
            return Err(format!(
                "{from}: the name {name:?} is already used in {scope} by {first}; names are unique in a scope (to reuse the name of an automation this plan deletes, rename or delete it in an apply of its own first)"
            ));
        }
    }
    Ok(())
}

/// One request of an apply: a change, or the first half of a rename that goes through a
/// temporary name because the name it takes is held by a rename that waits for its own.
struct Step {
    /// The change's index.
    change: usize,
    /// The temporary name this request gives it (the change itself follows later).
    temporary: Option<String>,
}

/// The name an update gives up: a rename's old name, from its diff.
fn given_up(c: &Change) -> Option<&str> {
    if c.kind != ChangeKind::Update {
        return None;
    }
    c.diffs
        .iter()
        .find(|d| d.path == "name")?
        .old
        .as_ref()?
        .as_str()
}

/// A name no automation of the plan has, for the first half of a swap: the old name with a
/// suffix, cut to W&B's length limit.
fn temporary_name(c: &Change) -> String {
    const SUFFIX: &str = " (renaming)";
    let old = given_up(c).unwrap_or(&c.name);
    let keep = crate::model::validate::MAX_NAME_CHARS - SUFFIX.chars().count();
    old.chars().take(keep).chain(SUFFIX.chars()).collect()
}

/// The requests that carry out `changes` in their order, except that an update taking a name
/// another update gives up comes after that one, and in a cycle of such renames (a swap) one
/// member is first renamed to a temporary name.
fn steps(changes: &[Change]) -> Vec<Step> {
    // The update each rename waits for: the one holding, in the same scope, the name it takes.
    let giving_up: HashMap<(&ScopePath, &str), usize> = changes
        .iter()
        .enumerate()
        .filter_map(|(j, c)| Some(((&c.scope, given_up(c)?), j)))
        .collect();
    let waits_for: Vec<Option<usize>> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            given_up(c)?;
            giving_up
                .get(&(&c.scope, c.name.as_str()))
                .copied()
                .filter(|&j| j != i)
        })
        .collect();
    let mut placed = vec![false; changes.len()];
    let mut out: Vec<Step> = Vec::with_capacity(changes.len());
    let step = |change: usize| Step {
        change,
        temporary: None,
    };
    for start in 0..changes.len() {
        if placed[start] {
            continue;
        }
        // Follow who waits for whom until a change that waits for nothing (or for one already
        // placed), or until the chain comes back on itself.
        let mut chain = vec![start];
        let mut cycle_from = None;
        let mut next = waits_for[start];
        while let Some(j) = next.filter(|&j| !placed[j]) {
            if let Some(at) = chain.iter().position(|&k| k == j) {
                cycle_from = Some(at);
                break;
            }
            chain.push(j);
            next = waits_for[j];
        }
        match cycle_from {
            None => out.extend(chain.iter().rev().map(|&k| step(k))),
            Some(at) => {
                // chain[at] moves aside, which frees the name the cycle's last member takes;
                // then each member in turn back to chain[at], then those waiting on the cycle.
                let first = chain[at];
                out.push(Step {
                    change: first,
                    temporary: Some(temporary_name(&changes[first])),
                });
                out.extend(chain[at + 1..].iter().rev().map(|&k| step(k)));
                out.push(step(first));
                out.extend(chain[..at].iter().rev().map(|&k| step(k)));
            }
        }
        for &k in &chain {
            placed[k] = true;
        }
    }
    out
}

/// The updates reordered so that each rename comes after the one whose name it takes.
fn in_rename_order(updates: Vec<Change>) -> Vec<Change> {
    let order: Vec<usize> = steps(&updates)
        .into_iter()
        .filter(|s| s.temporary.is_none())
        .map(|s| s.change)
        .collect();
    let mut slots: Vec<Option<Change>> = updates.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// How far an apply got.
#[derive(Debug)]
pub(crate) struct Applied {
    /// The changes done, in order, with what the backend stored (none for a delete).
    pub(crate) done: Vec<(Change, Option<SavedAutomation>)>,
    /// The change that was refused and why, and the ones not tried after it.
    pub(crate) stopped: Option<(Change, BackendError, Vec<Change>)>,
    /// Automations an apply that stopped left under a temporary name: (the name the plan gives
    /// it, the name it has now).
    pub(crate) renamed: Vec<(String, String)>,
}

async fn send(
    backend: &dyn Backend,
    change: &Change,
    desired: Option<&Automation>,
) -> Result<Option<SavedAutomation>, BackendError> {
    match (&change.kind, desired, &change.id) {
        (ChangeKind::Update, Some(a), _) => backend.update_automation(a).await.map(Some),
        (ChangeKind::Create, Some(a), _) => backend.create_automation(a).await.map(Some),
        (ChangeKind::Delete, _, Some(id)) => crate::ops::delete(backend, id).await.map(|()| None),
        _ => Err(BackendError::Invalid(vec![crate::model::Problem::new(
            "",
            "the plan's change is incomplete",
        )])),
    }
}

/// Carries out a plan's changes in order (updates, creates, deletes; a rename after the one
/// whose name it takes, a swap through a temporary name), stopping at the first refusal.
/// `progress` sees each change as it is done.
pub(crate) async fn apply(
    backend: &dyn Backend,
    changes: Vec<Change>,
    mut progress: impl FnMut(&Change, Option<&SavedAutomation>),
) -> Applied {
    let order = steps(&changes);
    let mut done = Vec::new();
    // What each automation's stamp is after a request of this apply, so that the second half
    // of a swap is not taken for a change made elsewhere.
    let mut stamps: HashMap<&str, Option<String>> = HashMap::new();
    let mut aside: Vec<(usize, String)> = Vec::new();
    for (at, step) in order.iter().enumerate() {
        let change = &changes[step.change];
        let desired = change.desired.clone().map(|mut a| {
            if let Some(stamp) = change.id.as_deref().and_then(|id| stamps.get(id)) {
                a.updated_at = stamp.clone();
            }
            if let Some(name) = &step.temporary {
                a.name = name.clone();
            }
            a
        });
        match send(backend, change, desired.as_ref()).await {
            Ok(saved) => {
                if let (Some(id), Some(s)) = (change.id.as_deref(), &saved) {
                    stamps.insert(id, s.automation.updated_at.clone());
                }
                match &step.temporary {
                    Some(name) => aside.push((step.change, name.clone())),
                    None => {
                        aside.retain(|(k, _)| *k != step.change);
                        progress(change, saved.as_ref());
                        done.push((change.clone(), saved));
                    }
                }
            }
            Err(e) => {
                let rest = order[at + 1..]
                    .iter()
                    .filter(|s| s.temporary.is_none() && s.change != step.change)
                    .map(|s| changes[s.change].clone())
                    .collect();
                let renamed = aside
                    .into_iter()
                    .map(|(k, name)| (changes[k].name.clone(), name))
                    .collect();
                return Applied {
                    done,
                    stopped: Some((change.clone(), e, rest)),
                    renamed,
                };
            }
        }
    }
    Applied {
        done,
        stopped: None,
        renamed: Vec::new(),
    }
}

/// What changed since a plan was made: the automations in its scopes now, against its base.
/// Empty when the backend still matches.
pub(crate) fn drifted(base: &[Seen], now: &[Automation], scopes: &[ScopePath]) -> Vec<String> {
    let now: Vec<Seen> = now
        .iter()
        .filter(|a| scopes.contains(&a.scope.path))
        .map(seen)
        .collect();
    let mut out = Vec::new();
    for b in base {
        match now.iter().find(|n| n.id == b.id) {
            None => out.push(format!("{:?} in {} was deleted", b.name, b.scope)),
            Some(n) if n != b => out.push(format!(
                "{:?} in {} was changed (updated {}; the plan saw {})",
                n.name,
                n.scope,
                n.updated_at.as_deref().unwrap_or("at an unknown time"),
                b.updated_at.as_deref().unwrap_or("no time")
            )),
            Some(_) => {}
        }
    }
    for n in now.iter().filter(|n| !base.iter().any(|b| b.id == n.id)) {
        out.push(format!("{:?} in {} was created", n.name, n.scope));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An update renaming `from` to `to` in acme/vision.
    fn rename(from: &str, to: &str) -> Change {
        Change {
            kind: ChangeKind::Update,
            name: to.into(),
            scope: ScopePath::Project {
                entity: "acme".into(),
                project: "vision".into(),
            },
            id: Some(format!("id-{from}")),
            source: None,
            diffs: vec![FieldDiff {
                path: "name".into(),
                old: Some(Value::from(from)),
                new: Some(Value::from(to)),
            }],
            desired: None,
            updated_at: None,
            drift: None,
            notes: Vec::new(),
        }
    }

    /// The requests as `name` or `name~` (the temporary half).
    fn order(changes: &[Change]) -> Vec<String> {
        steps(changes)
            .iter()
            .map(|s| {
                let name = &changes[s.change].name;
                match &s.temporary {
                    Some(t) => format!("{name}~{t}"),
                    None => name.clone(),
                }
            })
            .collect()
    }

    #[test]
    fn renames_that_free_no_taken_name_keep_their_order() {
        let changes = [rename("a", "x"), rename("b", "y")];
        assert_eq!(order(&changes), ["x", "y"]);
    }

    #[test]
    fn a_rename_waits_for_the_one_whose_name_it_takes() {
        // c takes b's name, b takes a's: a first, then b, then c.
        let changes = [rename("b", "c"), rename("c", "d"), rename("a", "b")];
        assert_eq!(order(&changes), ["d", "c", "b"]);
    }

    #[test]
    fn a_cycle_goes_through_one_temporary_name() {
        let swap = [rename("a", "b"), rename("b", "a")];
        assert_eq!(order(&swap), ["b~a (renaming)", "a", "b"]);
        let three = [
            rename("a", "b"),
            rename("b", "c"),
            rename("c", "a"),
            rename("z", "c2"),
        ];
        assert_eq!(
            order(&three),
            ["b~a (renaming)", "a", "c", "b", "c2"],
            "a→b waits for b→c, which waits for c→a, which waits for a's name"
        );
        // One waiting on the cycle comes after it.
        let tail = [
            rename("x", "a2"),
            rename("a", "b"),
            rename("b", "a"),
            rename("a2", "x2"),
        ];
        let got = order(&tail);
        assert!(
            got.iter().position(|n| n == "x2") < got.iter().position(|n| n == "a2"),
            "{got:?}"
        );
    }

    #[test]
    fn a_temporary_name_stays_within_the_length_limit() {
        let long = "n".repeat(crate::model::validate::MAX_NAME_CHARS);
        let name = temporary_name(&rename(&long, "b"));
        assert_eq!(name.chars().count(), crate::model::validate::MAX_NAME_CHARS);
        assert!(name.ends_with(" (renaming)"));
    }
}
