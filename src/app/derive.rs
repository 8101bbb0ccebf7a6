//! Text derived from the state, made again only when what it depends on changed: the detail
//! pane, the footer, the full detail's tab and the wizard's step. `update` calls [`refresh`]
//! after every message, so the view only paints what is here.

use super::keys::Context;
use super::screens::Screen;
use super::screens::detail::overview;
use super::state::{PaneKey, State};
use super::text::{Doc, TextLine, Tone};

/// Brings every derived text up to date.
pub fn refresh(state: &mut State) {
    pane(state);
    let context = state.context();
    let on_list = context == Context::List;
    let ro = state.read_only().is_some();
    let typing = match state.modal() {
        Some(super::modals::Modal::Confirm(m)) if m.needs_count() => Some("the count"),
        _ => None,
    };
    state
        .footer
        .refresh(&state.keymap, (context, typing), on_list, ro);
    match std::mem::replace(&mut state.screen, Screen::List) {
        Screen::Detail(mut d) => {
            d.prepare(state);
            state.screen = Screen::Detail(d);
        }
        Screen::Wizard(mut w) => {
            w.prepare(state);
            state.screen = Screen::Wizard(w);
        }
        other => state.screen = other,
    }
}

fn pane(state: &mut State) {
    let key = state.selected_item().map(|item| PaneKey {
        id: Some(item.id().to_string()),
        stamp: item.saved.automation.updated_at.clone(),
        enabled: item.enabled(),
        now: state.now,
    });
    let key = key.unwrap_or(PaneKey {
        id: None,
        stamp: None,
        enabled: false,
        now: 0,
    });
    if state.pane_for.as_ref() == Some(&key) {
        return;
    }
    state.pane = match state.selected_item() {
        Some(item) => Doc::prose(overview(state.now, item, false)),
        None => Doc::prose(vec![TextLine::toned(Tone::Dim, "nothing selected")]),
    };
    state.pane_for = Some(key);
}
