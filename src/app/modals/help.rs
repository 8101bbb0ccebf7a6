//! Help: the commands of the mode it was opened from first, then every other command of the key
//! table under the first mode it works in, with its keys and its name for `config.toml`; typing
//! narrows it with the same matcher as the palette.

use super::{Dialog, Reply};
use crate::app::ctx::Ctx;
use crate::app::input::{Move, edit_line, scroll};
use crate::app::keys::chord::Chord;
use crate::app::keys::{Group, Input, Mode, Row, defs, matches, row};
use crate::app::layout::Layout;
use crate::app::modes::{AppKeymap, Bound};
use crate::app::text::{Doc, Piece, TextLine, Tone};
use crossterm::event::KeyEvent;

/// Help's mode.
pub(crate) const MODE: Mode = Mode::new(
    "help",
    "help",
    Input::Line {
        typing: "to filter",
        moving: Some("scroll"),
    },
    Group::Box,
);

/// What help is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HelpMsg {
    Move(Move),
    Close,
}

/// The help box.
#[derive(Debug)]
pub struct HelpModal {
    /// The mode it was opened from, whose commands come first.
    here: Mode,
    filter: String,
    scroll: u16,
    doc: Doc,
}

impl HelpModal {
    /// What is typed.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Rows scrolled down.
    pub fn scroll(&self) -> u16 {
        self.scroll
    }

    /// The text for the filter.
    pub fn doc(&self) -> &Doc {
        &self.doc
    }
}

/// The keys column is this wide; longer keys push the description one space on.
const KEYS_WIDTH: usize = 14;

/// The help's text: the filter, the commands of the mode it was opened from (`here`), every
/// other matching command under the first mode it works in, and two hints.
fn lines(keymap: &AppKeymap, here: Mode, read_only: bool, filter: &str) -> Doc {
    let mut out = vec![
        TextLine::new(vec![
            Piece::new(Tone::Dim, "filter: "),
            Piece::new(Tone::Key, format!("{filter}▏")),
        ]),
        TextLine::plain(""),
    ];
    let mut seen: Vec<&str> = Vec::new();
    let here_rows = (here, keymap.rows(here));
    let others = keymap
        .modes()
        .filter(|(mode, _)| *mode != here)
        .map(|(mode, rows)| (*mode, rows.as_slice()));
    for (i, (mode, rows)) in std::iter::once(here_rows).chain(others).enumerate() {
        let mut section = Vec::new();
        for r in rows {
            if seen.contains(&r.def.name) {
                continue;
            }
            seen.push(r.def.name);
            if !matches(r.def, filter) {
                continue;
            }
            let keys = keymap.shown(r.def);
            let mut pieces = vec![
                Piece::new(
                    Tone::Key,
                    format!("{keys:<width$} ", width = KEYS_WIDTH - 1),
                ),
                Piece::plain(r.def.description),
            ];
            if r.def.writes && read_only {
                pieces.push(Piece::new(Tone::Warn, "  (read-only)"));
            }
            pieces.push(Piece::new(Tone::Dim, format!("  [{}]", r.def.name)));
            section.push(TextLine::new(pieces));
        }
        if section.is_empty() {
            continue;
        }
        if out.len() > 2 {
            out.push(TextLine::plain(""));
        }
        let heading = if i == 0 {
            format!("{} — keys here", mode.title())
        } else {
            mode.title().to_string()
        };
        out.push(TextLine::toned(Tone::Title, heading));
        out.extend(section);
    }
    out.push(TextLine::plain(""));
    out.push(TextLine::toned(
        Tone::Dim,
        "In the filter: event:X scope:X action:X on: off: and fuzzy words.",
    ));
    out.push(TextLine::toned(
        Tone::Dim,
        "Keys are remapped in config.toml under [keys] by the names in brackets.",
    ));
    Doc::prose(out)
}

impl Dialog for HelpModal {
    type Msg = HelpMsg;
    type Open = Mode;
    const MODE: Mode = MODE;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        let mut rows = defs::up_down(HelpMsg::Move);
        rows.push(row(&defs::CLOSE, HelpMsg::Close));
        vec![(MODE, rows)]
    }

    fn open(here: Mode, ctx: &mut Ctx) -> Self {
        let read_only = ctx.session.gate().reason().is_some();
        Self {
            here,
            filter: String::new(),
            scroll: 0,
            doc: lines(ctx.keymap, here, read_only, ""),
        }
    }

    fn update(&mut self, msg: HelpMsg, ctx: &mut Ctx) -> Reply {
        match msg {
            HelpMsg::Close => Reply::Close,
            HelpMsg::Move(by) => {
                let limit = self.scroll_limit(ctx.layout);
                scroll(&mut self.scroll, by.delta(1), limit);
                Reply::Keep
            }
        }
    }

    /// Typing narrows the help; the help key closes it while nothing is typed.
    fn on_text(&mut self, key: &KeyEvent, ctx: &mut Ctx) -> Reply {
        let help_key =
            Chord::from_event(key).is_some_and(|c| ctx.keymap.keys(&defs::HELP).contains(&c));
        if help_key && self.filter.is_empty() {
            return Reply::Close;
        }
        if edit_line(&mut self.filter, key) {
            let read_only = ctx.session.gate().reason().is_some();
            self.doc = lines(ctx.keymap, self.here, read_only, &self.filter);
            self.scroll = 0;
        }
        Reply::Keep
    }

    fn scroll_limit(&self, layout: &Layout) -> u16 {
        let text = layout.help.text;
        self.doc.scroll_room(text.width, text.height)
    }
}
