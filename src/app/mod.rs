//! The dashboard's core: state, messages, `update` and the effects runner. No drawing here.

pub mod diff;
pub mod filter;
pub mod keys;
pub mod layout;
pub mod msg;
pub mod runner;
pub mod state;
pub mod update;
pub mod wizard_screen;

pub use msg::{Effect, Msg};
pub use state::State;
pub use update::update;
