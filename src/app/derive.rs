//! Text derived from the state, made again after every message where what it depends on
//! changed: the footer for the mode, and the screen's prepared text. The view only paints it.

use super::msg::Effect;
use super::state::State;
use super::store::wire::key_of;

/// Brings every derived text up to date.
pub(crate) fn refresh(state: &mut State) {
    let (mode, read_only) = (state.mode(), state.read_only().is_some());
    state.footer.refresh(&state.stores.keymap, mode, read_only);
    let mut none = Vec::new();
    let mut ctx = state.stores.ctx(&mut none);
    state.screen.prepare(&mut ctx);
    debug_assert!(none.is_empty(), "preparing text asks for nothing");
}

/// The stored JSON to ask the backend for: the selected automation's, when the screen shows it
/// and the listing left it out.
pub(crate) fn wire_request(state: &mut State) -> Option<Effect> {
    if !state.screen.shows_wire() {
        return None;
    }
    let stores = &mut state.stores;
    let item = stores
        .list
        .at(stores.selection.selected())
        .filter(|i| i.saved.wire.is_none())?;
    let key = key_of(item);
    stores
        .wire
        .mark_asked(key)
        .map(|key| Effect::LoadWire { key })
}
