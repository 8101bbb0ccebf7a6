//! W&B's JSON: building trigger inputs, rendering and parsing saved triggers. Knows no transport.

pub mod encode;
pub mod history;
pub mod ops;
pub mod parse;
pub(crate) mod python;
pub(crate) mod runs;
pub mod saved;

/// Why something could not be encoded for, or parsed from, W&B's wire format.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WireError(pub String);

impl WireError {
    /// A wire error with a message.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
