//! Text derived from the state, made again only when what it depends on changed: the detail
//! pane, the footer, the full detail's tab and the wizard's step. `update` calls [`refresh`]
//! after every message, so the view only paints what is here.

use super::keys::Context;
use super::msg::Effect;
use super::screens::Screen;
use super::screens::detail::{DetailTab, overview};
use super::state::{PaneKey, State};
use super::store::wire::key_of;
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
        Screen::Raw(mut r) => {
            r.prepare(state);
            state.screen = Screen::Raw(r);
        }
        other => state.screen = other,
    }
}

/// The stored JSON to ask the backend for: the selected automation's, when the Wire tab or the
/// raw view shows it and the listing left it out.
pub fn wire_request(state: &mut State) -> Option<Effect> {
    let shows = match &state.screen {
        Screen::Detail(d) => d.tab == DetailTab::Wire,
        Screen::Raw(_) => true,
        _ => false,
    };
    let item = state
        .selected_item()
        .filter(|i| shows && i.saved.wire.is_none())?;
    let key = key_of(item);
    state.wire.to_ask(key).map(|key| Effect::LoadWire { key })
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
