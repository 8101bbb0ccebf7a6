//! Text for people: the list table and the plain-words view of one automation.

use crate::backend::{Listing, SavedAutomation};
use crate::model::Automation;
use crate::model::summary::{card, no_wandb_input, row_cells, when};

/// Text from a backend or a file made safe for a terminal: control characters (escape sequences,
/// newlines) are shown escaped instead of acting.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .flat_map(|c| {
                if c.is_control() {
                    c.escape_default().collect::<Vec<_>>()
                } else {
                    vec![c]
                }
            })
            .collect(),
    )
}

fn pad(s: &str, width: usize) -> String {
    let len = s.chars().count();
    if len >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - len))
    }
}

/// The cells of one list row: state, name, event, scope, action.
pub(crate) fn row(a: &Automation) -> [String; 5] {
    let state = if a.enabled { "on" } else { "off" };
    let cells = row_cells(a);
    [
        state.to_string(),
        printable(&a.name).into_owned(),
        printable(&cells.event).into_owned(),
        printable(&cells.scope).into_owned(),
        printable(&cells.action).into_owned(),
    ]
}

/// The list table, columns aligned, with unreadable automations at the end.
pub(crate) fn table(rows: &[&SavedAutomation], listing: &Listing) -> String {
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
            printable(u.name.as_deref().or(u.id.as_deref()).unwrap_or("(no name)")),
            printable(&u.reason)
        ));
    }
    out.join("\n")
}

/// One automation in plain words.
pub(crate) fn details(a: &Automation) -> String {
    let mut out = vec![format!(
        "{}  ({})",
        printable(&a.name),
        if a.enabled { "enabled" } else { "disabled" }
    )];
    let mut field = |k: &str, v: &str| out.push(format!("  {}{}", pad(k, 13), printable(v)));
    field("id", a.id.as_deref().unwrap_or("-"));
    for (label, value) in card(a) {
        field(label, &value);
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
    if let Some(note) = no_wandb_input(a) {
        field("W&B", &note);
    }
    out.join("\n")
}
