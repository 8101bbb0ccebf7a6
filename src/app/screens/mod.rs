//! The screens, one module each, and their registry. A screen owns its state (private fields),
//! its key rows and its message type, and handles them through a [`Ctx`]; it reaches other
//! screens and the modals only by queueing intents. One line of [`registry!`] below adds a
//! screen: its variant of [`Screen`], of [`ScreenMsg`] and of [`Open`], its rows in the key
//! table, and the command that opens it from the list when it has one.

pub mod detail;
pub mod history;
pub mod integrations;
pub(crate) mod list;
pub(crate) mod raw;
pub mod runs;
pub mod wizard;

use super::ctx::Ctx;
use super::global::Global;
use super::keys::{Mode, Row, row};
use super::layout::Layout;
use super::modes::Bound;
use crossterm::event::KeyEvent;

/// What every screen is: how it opens, its modes and rows, and how it answers.
pub(crate) trait Page: Sized {
    /// What it is told: its commands and the answers it asked for (named again in its registry
    /// line).
    type Msg: Clone + std::fmt::Debug;
    /// What opening it takes.
    type Open: Clone + std::fmt::Debug + PartialEq + Default;
    /// Its modes with their rows, in the key table's order.
    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)>;
    /// Opens it; `None` when it cannot open (a toast says why).
    fn open(args: Self::Open, ctx: &mut Ctx) -> Option<Self>;
    /// Its first mode (the one help lists its commands under).
    const MODE: Mode;
    /// The mode its keys are looked up in now.
    fn mode(&self) -> Mode {
        Self::MODE
    }
    /// Handles a message; `false` for a command it does not take (the key goes on as text).
    fn update(&mut self, msg: Self::Msg, ctx: &mut Ctx) -> bool;
    /// A key no row took: its text input, if it has one.
    fn on_text(&mut self, _key: &KeyEvent, _ctx: &mut Ctx) {}
    /// Makes its prepared text again where what it shows changed (after every message).
    fn prepare(&mut self, _ctx: &mut Ctx) {}
    /// Every few seconds while a local engine is there: a screen that follows it asks again.
    fn follow(&mut self, _ctx: &mut Ctx) {}
    /// Time passed (a spinner moves).
    fn on_tick(&mut self) {}
    /// The terminal changed size.
    fn on_resize(&mut self) {}
    /// Whether something on it moves by itself (a spinner).
    fn animated(&self) -> bool {
        false
    }
    /// How far its text can scroll at this layout (0 when it does not scroll).
    fn scroll_limit(&self, _layout: &Layout) -> u16 {
        0
    }
    /// Whether it shows the selected automation's stored JSON.
    fn shows_wire(&self) -> bool {
        false
    }
    /// Whether it shows the selected automation (it closes when that one is deleted).
    fn shows_selected(&self) -> bool {
        false
    }
}

macro_rules! registry {
    ($( $(#[$doc:meta])* $name:ident($module:ident::$ty:ident, $msg:ty) $(opened by $opener:ident)?, )*) => {
        /// The screen shown under any modals.
        #[derive(Debug)]
        pub enum Screen {
            $( $(#[$doc])* $name(Box<$module::$ty>), )*
        }

        /// A message for one screen (dropped when that screen is no longer shown).
        #[derive(Clone, Debug)]
        pub enum ScreenMsg {
            $( $(#[$doc])* $name($msg), )*
        }

        /// A screen to open, with what it opens with.
        #[derive(Clone, Debug, PartialEq)]
        pub(crate) enum Open {
            $( $(#[$doc])* $name(<$module::$ty as Page>::Open), )*
        }

        $(
            impl From<$msg> for Bound {
                fn from(msg: $msg) -> Self {
                    Bound::Screen(ScreenMsg::$name(msg))
                }
            }

            impl From<$msg> for super::msg::Msg {
                fn from(msg: $msg) -> Self {
                    super::msg::Msg::Screen(ScreenMsg::$name(msg))
                }
            }
        )*

        impl Screen {
            /// Opens a screen; `None` when it cannot open.
            pub(crate) fn open(open: Open, ctx: &mut Ctx) -> Option<Screen> {
                match open {
                    $( Open::$name(args) => {
                        $module::$ty::open(args, ctx).map(|s| Screen::$name(Box::new(s)))
                    } )*
                }
            }

            /// Hands a message to the screen it is for, if shown; `false` when not taken.
            pub(crate) fn update(&mut self, msg: ScreenMsg, ctx: &mut Ctx) -> bool {
                match (self, msg) {
                    $( (Screen::$name(s), ScreenMsg::$name(m)) => s.update(m, ctx), )*
                    _ => false,
                }
            }

            /// The mode its keys are looked up in.
            pub(crate) fn mode(&self) -> Mode {
                match self { $( Screen::$name(s) => s.mode(), )* }
            }

            /// A key no row took.
            pub(crate) fn on_text(&mut self, key: &KeyEvent, ctx: &mut Ctx) {
                match self { $( Screen::$name(s) => s.on_text(key, ctx), )* }
            }

            /// Makes its prepared text again.
            pub(crate) fn prepare(&mut self, ctx: &mut Ctx) {
                match self { $( Screen::$name(s) => s.prepare(ctx), )* }
            }

            /// Asks again what it follows.
            pub(crate) fn follow(&mut self, ctx: &mut Ctx) {
                match self { $( Screen::$name(s) => s.follow(ctx), )* }
            }

            /// Time passed.
            pub(crate) fn on_tick(&mut self) {
                match self { $( Screen::$name(s) => s.on_tick(), )* }
            }

            /// The terminal changed size.
            pub(crate) fn on_resize(&mut self) {
                match self { $( Screen::$name(s) => s.on_resize(), )* }
            }

            /// Whether it shows a spinner.
            pub(crate) fn animated(&self) -> bool {
                match self { $( Screen::$name(s) => s.animated(), )* }
            }

            /// How far its text can scroll.
            pub(crate) fn scroll_limit(&self, layout: &Layout) -> u16 {
                match self { $( Screen::$name(s) => s.scroll_limit(layout), )* }
            }

            /// Whether it shows the selected automation's stored JSON.
            pub(crate) fn shows_wire(&self) -> bool {
                match self { $( Screen::$name(s) => s.shows_wire(), )* }
            }

            /// Whether it shows the selected automation.
            pub(crate) fn shows_selected(&self) -> bool {
                match self { $( Screen::$name(s) => s.shows_selected(), )* }
            }
        }

        /// Every screen's modes with their rows.
        pub(crate) fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
            let mut all = Vec::new();
            $( all.extend(<$module::$ty as Page>::keys()); )*
            all
        }

        /// The commands that open a screen from the list.
        pub(crate) fn openers() -> Vec<Row<Bound>> {
            vec![ $( $( row(&super::keys::defs::$opener, Global::Open(Open::$name(Default::default()))), )? )* ]
        }
    };
}

registry! {
    /// The automation list with its detail pane.
    List(list::ListScreen, list::ListMsg),
    /// The full detail of the selected automation.
    Detail(detail::DetailScreen, detail::DetailMsg),
    /// The stored JSON of the selected automation.
    Raw(raw::RawScreen, raw::RawMsg),
    /// The integrations of the entity.
    Integrations(integrations::IntegrationsScreen, integrations::IntegrationsMsg) opened by INTEGRATIONS,
    /// The runs the engine follows through their run logs.
    Runs(runs::RunsScreen, runs::RunsMsg) opened by RUNS,
    /// What the local engine fired.
    History(history::HistoryScreen, history::HistoryMsg) opened by HISTORY,
    /// The creation wizard.
    Wizard(wizard::WizardScreen, wizard::WizardMsg),
}
