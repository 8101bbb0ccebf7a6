//! The command palette: the commands of the screen under it, narrowed by what is typed with the
//! same matcher as help; enter runs the highlighted one as if its key was pressed.

use super::{Dialog, Reply};
use crate::app::ctx::{Ctx, Intent};
use crate::app::input::{Move, edit_line};
use crate::app::keys::{Group, Input, Mode, Row, defs, matches, row};
use crate::app::modes::{AppKeymap, Bound};
use crossterm::event::KeyEvent;

/// The palette's mode.
pub(crate) const MODE: Mode = Mode::new(
    "palette",
    "palette",
    Input::Line {
        typing: "to filter",
        moving: Some("choose"),
    },
    Group::Box,
);

/// What the palette is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PaletteMsg {
    Move(Move),
    Run,
    Close,
}

/// One command the palette offers: what it does, its key on the screen, and what it sends.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) key: String,
    bound: Bound,
}

/// The palette.
#[derive(Debug)]
pub struct PaletteModal {
    input: String,
    selected: usize,
    /// The screen's mode, whose commands it offers.
    under: Mode,
    matches: Vec<Entry>,
}

impl PaletteModal {
    /// What is typed.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The highlighted row of the matches.
    pub fn selected(&self) -> usize {
        self.selected.min(self.matches.len().saturating_sub(1))
    }

    /// The names of the commands that match, in the key table's order.
    pub fn names(&self) -> Vec<&'static str> {
        self.matches.iter().map(|e| e.name).collect()
    }

    /// The commands that match.
    pub(crate) fn matches(&self) -> &[Entry] {
        &self.matches
    }
}

/// Commands of `mode` whose words match `input`.
fn matching(keymap: &AppKeymap, mode: Mode, input: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for r in keymap.rows(mode) {
        if matches(r.def, input) && !out.iter().any(|e| e.name == r.def.name) {
            out.push(Entry {
                name: r.def.name,
                description: r.def.description,
                key: keymap
                    .keys_in(r.def, mode)
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                bound: r.bound.clone(),
            });
        }
    }
    out
}

impl Dialog for PaletteModal {
    type Msg = PaletteMsg;
    type Open = Mode;
    const MODE: Mode = MODE;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        let mut rows = defs::up_down(PaletteMsg::Move);
        rows.extend([
            row(&defs::RUN, PaletteMsg::Run),
            row(&defs::CLOSE, PaletteMsg::Close),
        ]);
        vec![(MODE, rows)]
    }

    fn open(under: Mode, ctx: &mut Ctx) -> Self {
        Self {
            input: String::new(),
            selected: 0,
            under,
            matches: matching(ctx.keymap, under, ""),
        }
    }

    fn update(&mut self, msg: PaletteMsg, ctx: &mut Ctx) -> Reply {
        match msg {
            PaletteMsg::Close => return Reply::Close,
            PaletteMsg::Move(Move::Down) => {
                self.selected = (self.selected + 1).min(self.matches.len().saturating_sub(1));
            }
            PaletteMsg::Move(_) => self.selected = self.selected.saturating_sub(1),
            PaletteMsg::Run => {
                if let Some(entry) = self.matches.get(self.selected) {
                    ctx.intend(Intent::Press(entry.bound.clone()));
                }
                return Reply::Close;
            }
        }
        Reply::Keep
    }

    fn on_text(&mut self, key: &KeyEvent, ctx: &mut Ctx) -> Reply {
        if edit_line(&mut self.input, key) {
            self.selected = 0;
            self.matches = matching(ctx.keymap, self.under, &self.input);
        }
        Reply::Keep
    }
}
