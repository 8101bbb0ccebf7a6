//! Help: every command of the registry, by context, with its keys and its name for
//! `config.toml`; typing narrows it with the same matcher as the palette.

use super::super::keys::{Action, Context};
use super::super::layout;
use super::super::screens::list::edit_line;
use super::super::state::State;
use super::super::text::{Doc, Piece, TextLine, Tone};
use super::{Modal, Reply};
use crossterm::event::KeyEvent;

/// The help box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpModal {
    /// What is typed.
    pub filter: String,
    /// Rows scrolled down, kept within the text.
    pub scroll: u16,
    /// The text for the filter.
    pub doc: Doc,
}

/// Help, unfiltered.
pub fn open(state: &State) -> Modal {
    Modal::Help(HelpModal {
        filter: String::new(),
        scroll: 0,
        doc: lines(state, ""),
    })
}

/// The help's text: the filter, every matching command under its first context, two hints.
fn lines(state: &State, filter: &str) -> Doc {
    let mut out = vec![
        TextLine::new(vec![
            Piece::new(Tone::Dim, "filter: "),
            Piece::new(Tone::Key, format!("{filter}▏")),
        ]),
        TextLine::plain(""),
    ];
    let first_context = |contexts: &[Context]| contexts.first().copied();
    for context in Context::ALL {
        let rows: Vec<TextLine> = state
            .keymap
            .bindings
            .iter()
            .filter(|b| first_context(b.contexts) == Some(context) && b.matches(filter))
            .map(|b| {
                let keys: Vec<String> = b.keys.iter().map(ToString::to_string).collect();
                let mut pieces = vec![
                    Piece::new(Tone::Key, format!("{:<14}", keys.join(" "))),
                    Piece::plain(b.description),
                ];
                if b.writes && state.read_only().is_some() {
                    pieces.push(Piece::new(Tone::Warn, "  (read-only)"));
                }
                pieces.push(Piece::new(Tone::Dim, format!("  [{}]", b.name)));
                TextLine::new(pieces)
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        if context != Context::List {
            out.push(TextLine::plain(""));
            out.push(TextLine::toned(Tone::Title, context.title()));
        }
        out.extend(rows);
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

impl HelpModal {
    fn limit(&self, state: &State) -> u16 {
        let (w, h) = layout::help_text(state.width, state.height);
        self.doc.scroll_room(w, h)
    }

    pub(super) fn on_action(mut self, state: &mut State, action: Action) -> Reply {
        match action {
            Action::Close => Reply::Close(Vec::new()),
            Action::Down | Action::Up => {
                let by = if action == Action::Down { 1 } else { -1 };
                let limit = self.limit(state);
                super::super::screens::scroll(&mut self.scroll, by, limit);
                Reply::Keep(Modal::Help(self), Vec::new())
            }
            _ => Reply::Pass(Modal::Help(self)),
        }
    }

    /// Typing narrows the help; the help key closes it while nothing is typed.
    pub(super) fn on_text(mut self, state: &mut State, key: KeyEvent) -> Reply {
        let help_key = super::super::keys::Chord::from_event(&key).is_some_and(|c| {
            state
                .keymap
                .keys_in(Action::Help, Context::List)
                .contains(&c)
        });
        if help_key && self.filter.is_empty() {
            return Reply::Close(Vec::new());
        }
        if edit_line(&mut self.filter, &key) {
            self.doc = lines(state, &self.filter);
            self.scroll = 0;
        }
        Reply::Keep(Modal::Help(self), Vec::new())
    }
}
