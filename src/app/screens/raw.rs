//! The raw view: the selected automation's JSON as stored, prepared once when opened.

use super::super::keys::Action;
use super::super::layout;
use super::super::msg::Effect;
use super::super::rows;
use super::super::state::State;
use super::super::store::wire::{WireKey, key_of};
use super::super::text::Doc;
use super::Screen;

/// The raw JSON screen.
#[derive(Clone, Debug, PartialEq)]
pub struct RawScreen {
    /// Rows scrolled down, kept within the text.
    pub scroll: u16,
    /// The JSON, pretty.
    pub doc: Doc,
    /// What the text was made for: the automation as it was, and whether its JSON was at hand.
    made_for: Option<(WireKey, bool)>,
}

impl RawScreen {
    /// The raw view of the selected automation.
    pub fn open(state: &State, _id: String) -> Self {
        let mut screen = Self {
            scroll: 0,
            doc: Doc::default(),
            made_for: None,
        };
        screen.prepare(state);
        screen
    }

    /// Makes the text again when the automation changed or its stored JSON arrived.
    pub fn prepare(&mut self, state: &State) {
        let Some(item) = state.selected_item() else {
            return;
        };
        let wire = state.wire.text(item);
        let key = Some((key_of(item), wire.is_some()));
        if key != self.made_for {
            self.made_for = key;
            self.doc = Doc::code(super::detail::wire_lines(wire));
        }
    }
}

/// Scrolling and going back; the rest are the commands on the selected automation.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let page = state.page_rows() as isize;
    let (w, h) = layout::raw_text(state.width, state.height);
    let Screen::Raw(screen) = &mut state.screen else {
        return None;
    };
    match action {
        _ if super::is_movement(action) => {
            let limit = screen.doc.scroll_room(w, h);
            super::scroll(&mut screen.scroll, super::delta(action, page), limit);
        }
        Action::Back => state.screen = Screen::List,
        _ => return rows::on_action(state, action),
    }
    Some(Vec::new())
}
