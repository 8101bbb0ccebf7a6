//! A plan as data (`plan --json`) and back (`apply --plan FILE`). The format is versioned
//! (`"format": "wbauto-plan/1"`); each create and update carries the automation as a file.

use crate::backend::BackendInfo;
use crate::file::read::from_value;
use crate::file::to_value;
use crate::model::{EventKind, ScopeKind, ScopePath};
use crate::ops::plan::{Change, ChangeKind, FieldDiff, LocalOnly, Plan, Seen};
use serde_json::{Value, json};

const FORMAT: &str = "wbauto-plan/1";

fn scope_json(s: &ScopePath) -> Value {
    json!({s.kind().file_key(): s.path()})
}

fn seen_json(s: &Seen) -> Value {
    json!({"id": s.id, "name": s.name, "scope": scope_json(&s.scope), "updated_at": s.updated_at})
}

fn change_json(c: &Change, entity: &str) -> Value {
    json!({
        "action": c.kind.word(),
        "name": c.name,
        "scope": scope_json(&c.scope),
        "id": c.id,
        "source": c.source,
        "updated_at": c.updated_at,
        "diff": c.diffs.iter().map(|d| json!({"path": d.path, "old": d.old, "new": d.new})).collect::<Vec<_>>(),
        "drift": c.drift.as_ref().map(|(file, server)| json!({"exported": file, "server": server})),
        "notes": c.notes,
        "desired": c.desired.as_ref().map(|a| to_value(a, entity, false)),
    })
}

/// The plan as data: every change with its field differences, what is unchanged, and what the
/// plan was made from (for `apply --plan`).
pub(crate) fn to_json(p: &Plan, info: &BackendInfo, entity: &str) -> Value {
    json!({
        "format": FORMAT,
        "backend": info.kind.to_string(),
        "endpoint": info.endpoint,
        "entity": entity,
        "prune": p.prune,
        "scopes": p.scopes.iter().map(scope_json).collect::<Vec<_>>(),
        "summary": {
            "create": p.count(ChangeKind::Create),
            "update": p.count(ChangeKind::Update),
            "delete": p.count(ChangeKind::Delete),
            "unchanged": p.unchanged.len(),
            "kept": p.kept.len(),
            "local_only": p.local_only.len(),
        },
        "changes": p.changes.iter().map(|c| change_json(c, entity)).collect::<Vec<_>>(),
        "unchanged": p.unchanged.iter().map(seen_json).collect::<Vec<_>>(),
        "kept": p.kept.iter().map(seen_json).collect::<Vec<_>>(),
        "base": p.base.iter().map(seen_json).collect::<Vec<_>>(),
        "local_only": p.local_only.iter().map(local_only_json).collect::<Vec<_>>(),
    })
}

fn local_only_json(l: &LocalOnly) -> Value {
    json!({
        "name": l.name,
        "scope": scope_json(&l.scope),
        "source": l.source,
        "event": l.kind.file_name(),
    })
}

fn local_only_from(v: &Value, at: &str) -> Result<LocalOnly, String> {
    let event = text(v, "event", at)?;
    let kind = EventKind::creatable()
        .into_iter()
        .find(|k| k.file_name() == event && k.is_local_only())
        .ok_or_else(|| format!("{at}.event: {event:?} is not a local-only event kind"))?;
    Ok(LocalOnly {
        name: text(v, "name", at)?,
        scope: scope_from(v.get("scope"), at)?,
        source: text(v, "source", at)?,
        kind,
    })
}

fn text(v: &Value, key: &str, at: &str) -> Result<String, String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("{at}.{key}: missing or not text"))
}

fn opt_text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn list<'a>(v: &'a Value, key: &str) -> Result<&'a Vec<Value>, String> {
    v.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{key}: missing or not a list"))
}

fn scope_from(v: Option<&Value>, at: &str) -> Result<ScopePath, String> {
    let m = v
        .and_then(Value::as_object)
        .filter(|m| m.len() == 1)
        .ok_or_else(|| format!("{at}.scope: not a scope"))?;
    let (key, path) = m
        .iter()
        .next()
        .ok_or_else(|| format!("{at}.scope: empty"))?;
    let kind = ScopeKind::ALL
        .into_iter()
        .find(|k| k.file_key() == key)
        .ok_or_else(|| format!("{at}.scope: unknown kind {key:?}"))?;
    ScopePath::parse(kind, path.as_str().unwrap_or_default())
        .map_err(|e| format!("{at}.scope: {e}"))
}

fn seen_from(v: &Value, at: &str) -> Result<Seen, String> {
    Ok(Seen {
        id: text(v, "id", at)?,
        name: text(v, "name", at)?,
        scope: scope_from(v.get("scope"), at)?,
        updated_at: opt_text(v, "updated_at"),
    })
}

fn change_from(v: &Value, at: &str) -> Result<Change, String> {
    let kind = match text(v, "action", at)?.as_str() {
        "create" => ChangeKind::Create,
        "update" => ChangeKind::Update,
        "delete" => ChangeKind::Delete,
        other => return Err(format!("{at}.action: unknown {other:?}")),
    };
    let desired = match v.get("desired").filter(|d| !d.is_null()) {
        Some(d) => {
            let mut problems = Vec::new();
            let a = from_value(d, &format!("{at}.desired"), &mut problems);
            match (a, problems.is_empty()) {
                (Some(a), true) => Some(a),
                _ => return Err(crate::model::validate::one_line(&problems)),
            }
        }
        None if kind == ChangeKind::Delete => None,
        None => return Err(format!("{at}.desired: missing")),
    };
    let diffs = list(v, "diff")?
        .iter()
        .map(|d| FieldDiff {
            path: opt_text(d, "path").unwrap_or_default(),
            old: d.get("old").filter(|x| !x.is_null()).cloned(),
            new: d.get("new").filter(|x| !x.is_null()).cloned(),
        })
        .collect();
    let drift = v.get("drift").filter(|d| !d.is_null()).map(|d| {
        (
            opt_text(d, "exported").unwrap_or_default(),
            opt_text(d, "server").unwrap_or_default(),
        )
    });
    let id = opt_text(v, "id");
    if kind != ChangeKind::Create && id.is_none() {
        return Err(format!("{at}.id: missing"));
    }
    Ok(Change {
        kind,
        name: text(v, "name", at)?,
        scope: scope_from(v.get("scope"), at)?,
        id,
        source: opt_text(v, "source"),
        diffs,
        desired,
        updated_at: opt_text(v, "updated_at"),
        drift,
        notes: list(v, "notes")?
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect(),
    })
}

/// Reads a saved plan, refusing one made for another backend or entity.
pub(crate) fn from_json(doc: &Value, info: &BackendInfo, entity: &str) -> Result<Plan, String> {
    if doc.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(format!(
            "not a saved plan of this version (format {FORMAT}); make one with `wbauto plan --json`"
        ));
    }
    let made_for = (
        opt_text(doc, "backend").unwrap_or_default(),
        opt_text(doc, "endpoint").unwrap_or_default(),
        opt_text(doc, "entity").unwrap_or_default(),
    );
    let here = (
        info.kind.to_string(),
        info.endpoint.clone(),
        entity.to_string(),
    );
    if made_for != here {
        return Err(format!(
            "the plan was made for {} {} (entity {}), not {} {} (entity {}); make a new plan here",
            made_for.0, made_for.1, made_for.2, here.0, here.1, here.2
        ));
    }
    let seen_list = |key: &str| -> Result<Vec<Seen>, String> {
        list(doc, key)?
            .iter()
            .enumerate()
            .map(|(i, v)| seen_from(v, &format!("{key}[{i}]")))
            .collect()
    };
    Ok(Plan {
        scopes: list(doc, "scopes")?
            .iter()
            .enumerate()
            .map(|(i, v)| scope_from(Some(v), &format!("scopes[{i}]")))
            .collect::<Result<_, _>>()?,
        prune: doc.get("prune").and_then(Value::as_bool).unwrap_or(false),
        changes: list(doc, "changes")?
            .iter()
            .enumerate()
            .map(|(i, v)| change_from(v, &format!("changes[{i}]")))
            .collect::<Result<_, _>>()?,
        unchanged: seen_list("unchanged")?,
        kept: seen_list("kept")?,
        base: seen_list("base")?,
        // Plans saved before the key existed set nothing aside.
        local_only: match doc.get("local_only") {
            None => Vec::new(),
            Some(_) => list(doc, "local_only")?
                .iter()
                .enumerate()
                .map(|(i, v)| local_only_from(v, &format!("local_only[{i}]")))
                .collect::<Result<_, _>>()?,
        },
    })
}
