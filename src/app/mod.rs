//! The dashboard's core: the stores, the command registry, the screens and modals, `update`,
//! the text prepared for the view, and the effects runner. No drawing here.

pub mod derive;
pub mod diff;
pub mod filter;
pub mod keys;
pub mod layout;
pub mod modals;
pub mod msg;
pub mod rows;
pub mod runner;
pub mod screens;
pub mod state;
pub mod store;
pub mod text;
pub mod update;

pub use msg::{Effect, Msg};
pub use state::State;
pub use update::update;
