//! wbauto: a keyboard-first terminal dashboard and command line for W&B Automations.

pub mod backend;
pub mod file;
pub mod model;
pub mod wire;
