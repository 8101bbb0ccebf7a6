//! The dashboard's stores, each with private fields and the invariants its methods keep.

pub mod list;
pub(crate) mod requests;
pub(crate) mod selection;
pub mod session;
pub mod wire;
pub mod writes;
