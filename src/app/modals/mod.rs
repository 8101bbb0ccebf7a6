//! Modals: boxes over the screen that take the keys while open, one module each, and their
//! registry. They sit on a stack in the state; the top one answers first. A modal owns its state,
//! its key rows and its message type like a screen, and reaches the rest only through its
//! [`Ctx`] and the intents it queues. One line of [`registry!`] below adds a modal.

pub(crate) mod confirm;
pub(crate) mod edit_error;
pub(crate) mod help;
pub(crate) mod palette;
pub(crate) mod switch;

use super::ctx::Ctx;
use super::keys::{Mode, Row};
use super::layout::Layout;
use super::modes::Bound;
use crossterm::event::KeyEvent;

/// What a modal did with a message.
pub(crate) enum Reply {
    /// It stays open.
    Keep,
    /// It closed.
    Close,
    /// It did not take the command (the key goes on to its text input).
    Pass,
}

/// What every modal is: how it opens, its modes and rows, and how it answers.
pub(crate) trait Dialog: Sized {
    /// What it is told.
    type Msg: Clone + std::fmt::Debug;
    /// What opening it takes.
    type Open: Clone + std::fmt::Debug + PartialEq;
    /// Its modes with their rows.
    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)>;
    /// Opens it.
    fn open(args: Self::Open, ctx: &mut Ctx) -> Self;
    /// Its first mode.
    const MODE: Mode;
    /// The mode its keys are looked up in.
    fn mode(&self) -> Mode {
        Self::MODE
    }
    /// Handles a command.
    fn update(&mut self, msg: Self::Msg, ctx: &mut Ctx) -> Reply;
    /// A key no row took.
    fn on_text(&mut self, _key: &KeyEvent, _ctx: &mut Ctx) -> Reply {
        Reply::Keep
    }
    /// How far its text can scroll at this layout.
    fn scroll_limit(&self, _layout: &Layout) -> u16 {
        0
    }
}

macro_rules! registry {
    ($( $(#[$doc:meta])* $name:ident($module:ident::$ty:ident), )*) => {
        /// A modal.
        #[derive(Debug)]
        pub enum Modal {
            $( $(#[$doc])* $name($module::$ty), )*
        }

        /// A message for the modal on top.
        #[derive(Clone, Debug)]
        pub(crate) enum ModalMsg {
            $( $(#[$doc])* $name(<$module::$ty as Dialog>::Msg), )*
        }

        /// A modal to open, with what it opens with.
        #[derive(Clone, Debug, PartialEq)]
        pub(crate) enum Open {
            $( $(#[$doc])* $name(<$module::$ty as Dialog>::Open), )*
        }

        $(
            impl From<<$module::$ty as Dialog>::Msg> for Bound {
                fn from(msg: <$module::$ty as Dialog>::Msg) -> Self {
                    Bound::Modal(ModalMsg::$name(msg))
                }
            }
        )*

        impl Modal {
            /// Opens a modal.
            pub(crate) fn open(open: Open, ctx: &mut Ctx) -> Modal {
                match open {
                    $( Open::$name(args) => Modal::$name($module::$ty::open(args, ctx)), )*
                }
            }

            /// Hands it a message; one for another modal is not taken.
            pub(crate) fn update(&mut self, msg: ModalMsg, ctx: &mut Ctx) -> Reply {
                match (self, msg) {
                    $( (Modal::$name(m), ModalMsg::$name(msg)) => m.update(msg, ctx), )*
                    _ => Reply::Pass,
                }
            }

            /// The mode its keys are looked up in.
            pub(crate) fn mode(&self) -> Mode {
                match self { $( Modal::$name(m) => m.mode(), )* }
            }

            /// A key no row took.
            pub(crate) fn on_text(&mut self, key: &KeyEvent, ctx: &mut Ctx) -> Reply {
                match self { $( Modal::$name(m) => m.on_text(key, ctx), )* }
            }

            /// How far its text can scroll.
            pub(crate) fn scroll_limit(&self, layout: &Layout) -> u16 {
                match self { $( Modal::$name(m) => m.scroll_limit(layout), )* }
            }
        }

        /// Every modal's modes with their rows.
        pub(crate) fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
            let mut all = Vec::new();
            $( all.extend(<$module::$ty as Dialog>::keys()); )*
            all
        }
    };
}

registry! {
    /// Help, filtered by what is typed.
    Help(help::HelpModal),
    /// The command palette.
    Palette(palette::PaletteModal),
    /// A question with Cancel focused first.
    Confirm(confirm::ConfirmModal),
    /// An automation file that did not validate, kept so nothing typed is lost.
    EditError(edit_error::EditErrorModal),
    /// Switching entity or backend.
    Switch(switch::SwitchModal),
}
