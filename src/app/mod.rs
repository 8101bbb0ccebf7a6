//! The dashboard's core: the stores, the key table, the screens and modals, `update`, the text
//! prepared for the view, and the effects runner. No drawing here.

mod answers;
pub(crate) mod chart;
pub mod ctx;
pub(crate) mod derive;
pub(crate) mod describe;
pub mod diff;
pub mod executions;
pub(crate) mod filter;
pub(crate) mod fired;
pub(crate) mod global;
pub(crate) mod input;
pub(crate) mod keys;
pub(crate) mod layout;
pub mod modals;
pub(crate) mod modes;
pub mod msg;
pub(crate) mod poll;
pub mod rows;
pub mod runner;
pub mod screens;
pub mod state;
pub mod store;
pub(crate) mod table;
pub mod text;
pub mod update;

pub use msg::{Effect, Msg};
pub use state::State;
pub use update::update;
