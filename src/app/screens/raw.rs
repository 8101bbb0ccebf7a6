//! The raw view: the selected automation's JSON as stored, prepared when it opens and again
//! when the automation changes or its stored JSON arrives.

use super::Page;
use crate::app::ctx::Ctx;
use crate::app::describe::wire_lines;
use crate::app::global;
use crate::app::input::{Move, Sideways, scroll};
use crate::app::keys::{Group, Input, Mode, Row, defs};
use crate::app::layout::Layout;
use crate::app::modes::Bound;
use crate::app::store::wire::{WireKey, key_of};
use crate::app::text::Doc;

/// The raw view's mode.
pub(crate) const MODE: Mode = Mode::new("raw", "raw JSON", Input::Keys, Group::Screen);

/// What the raw view is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawMsg {
    /// A movement of the highlight or the text (line, ends, page, half page).
    Move(Move),
    /// Half a box left (`-1`) or right (`1`) along long lines.
    Sideways(isize),
    /// Back to the list.
    Back,
}

/// The raw JSON screen.
#[derive(Debug)]
pub struct RawScreen {
    scroll: u16,
    sideways: Sideways,
    doc: Doc,
    /// What the text was made for: the automation as it was, and whether its JSON was at hand.
    made_for: Option<(WireKey, bool)>,
}

impl RawScreen {
    /// Rows scrolled down.
    pub fn scroll(&self) -> u16 {
        self.scroll
    }

    /// The JSON, pretty.
    pub fn doc(&self) -> &Doc {
        &self.doc
    }

    /// How far long lines are scrolled sideways.
    pub(crate) fn sideways(&self) -> &Sideways {
        &self.sideways
    }

    fn limit(&self, layout: &Layout) -> u16 {
        let text = layout.screen.text;
        self.doc.scroll_room(text.width, text.height)
    }
}

impl Page for RawScreen {
    type Msg = RawMsg;
    type Open = ();
    const MODE: Mode = MODE;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        let mut rows = defs::moves(RawMsg::Move);
        rows.extend(defs::sideways(RawMsg::Sideways));
        rows.extend(global::closing(RawMsg::Back));
        vec![(MODE, rows)]
    }

    fn open(_: (), ctx: &mut Ctx) -> Option<Self> {
        ctx.selected_item()?;
        Some(Self {
            scroll: 0,
            sideways: Sideways::default(),
            doc: Doc::default(),
            made_for: None,
        })
    }

    fn update(&mut self, msg: RawMsg, ctx: &mut Ctx) -> bool {
        match msg {
            RawMsg::Move(by) => {
                let page = usize::from(ctx.layout.screen.text.height);
                let limit = self.limit(ctx.layout);
                scroll(&mut self.scroll, by.delta(page), limit);
            }
            RawMsg::Sideways(way) => {
                let width = ctx.layout.screen.text.width;
                self.sideways.go(way, &self.doc, width);
            }
            RawMsg::Back => ctx.back(),
        }
        true
    }

    fn prepare(&mut self, ctx: &mut Ctx) {
        let Some(item) = ctx.selected_item() else {
            return;
        };
        let wire = ctx.wire.text(item);
        let key = Some((key_of(item), wire.is_some()));
        if key != self.made_for {
            self.made_for = key;
            self.doc = Doc::code(wire_lines(wire));
        }
        let keys = defs::sideways_keys(ctx.keymap, MODE);
        let width = ctx.layout.screen.text.width;
        self.sideways.prepare(&self.doc, width, &keys);
    }

    fn scroll_limit(&self, layout: &Layout) -> u16 {
        self.limit(layout)
    }

    fn shows_selected(&self) -> bool {
        true
    }

    fn shows_wire(&self) -> bool {
        true
    }
}
