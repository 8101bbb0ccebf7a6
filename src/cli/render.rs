//! Text for people: the list table and the plain-words view of one automation.

use crate::backend::{Listing, SavedAutomation};
use crate::model::Automation;
use crate::model::summary::{action_sentence, action_short, event_sentence, event_short};

fn pad(s: &str, width: usize) -> String {
    let len = s.chars().count();
    if len >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - len))
    }
}

/// The cells of one list row: state, name, event, scope, action.
pub fn row(a: &Automation) -> [String; 5] {
    let state = if a.enabled { "on" } else { "off" };
    let mut action = action_short(&a.action);
    if !a.is_editable() {
        action.push_str(" (read-only)");
    }
    [
        state.to_string(),
        a.name.clone(),
        event_short(&a.event),
        a.scope.path.to_string(),
        action,
    ]
}

/// The list table, columns aligned, with unreadable automations at the end.
pub fn table(rows: &[&SavedAutomation], listing: &Listing) -> String {
    let header = ["STATE", "NAME", "EVENT", "SCOPE", "ACTION"].map(String::from);
    let body: Vec<[String; 5]> = rows.iter().map(|s| row(&s.automation)).collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for r in &body {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |r: &[String; 5]| {
        let cells: Vec<String> = r
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| if i == 4 { c.clone() } else { pad(c, w) })
            .collect();
        cells.join("  ").trim_end().to_string()
    };
    let mut out = vec![line(&header)];
    out.extend(body.iter().map(line));
    for u in &listing.unreadable {
        out.push(format!(
            "?      {}  unreadable: {}",
            u.name.as_deref().or(u.id.as_deref()).unwrap_or("(no name)"),
            u.reason
        ));
    }
    out.join("\n")
}

/// A stored timestamp for people, e.g. `2026-10-16 09:20 UTC`; unparsable text is shown as is.
pub fn when(stamp: Option<&str>) -> Option<String> {
    let stamp = stamp?;
    Some(match stamp.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => stamp.to_string(),
    })
}

/// One automation in plain words.
pub fn details(a: &Automation) -> String {
    let mut out = vec![format!(
        "{}  ({})",
        a.name,
        if a.enabled { "enabled" } else { "disabled" }
    )];
    let mut field = |k: &str, v: &str| out.push(format!("  {}{v}", pad(k, 13)));
    field("id", a.id.as_deref().unwrap_or("-"));
    field("scope", &a.scope.path.to_string());
    field("when", &event_sentence(&a.event));
    field("then", &action_sentence(&a.action));
    if let Some(d) = a.description.as_deref().filter(|d| !d.is_empty()) {
        field("description", d);
    }
    field(
        "created",
        &when(a.created_at.as_deref()).unwrap_or_else(|| "-".into()),
    );
    field(
        "updated",
        &when(a.updated_at.as_deref()).unwrap_or_else(|| "never".into()),
    );
    if let Some(reason) = a.read_only_reason() {
        field("read-only", &reason);
    }
    out.join("\n")
}
