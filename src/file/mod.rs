//! Automation files: one automation or a list, as YAML or JSON.

pub(crate) mod fields;
pub(crate) mod locate;
pub mod read;
pub mod write;

use crate::model::Problem;
use crate::model::validate::one_line;
use std::path::Path;

pub use read::{parse_text, parse_value};
pub use write::{render, to_value};

/// A file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// YAML (`.yaml`, `.yml`).
    Yaml,
    /// JSON (`.json`).
    Json,
    /// Decide from the content (standard input).
    Detect,
}

impl Format {
    /// The format for a path: by extension, or detected for `-` and unknown extensions.
    pub fn for_path(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => Format::Json,
            Some("yaml" | "yml") => Format::Yaml,
            _ => Format::Detect,
        }
    }
}

/// Why a file could not be read as automations.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// The text is not valid YAML or JSON.
    #[error("not valid {format}: line {line}, column {column}: {message}")]
    Syntax {
        /// `YAML` or `JSON`.
        format: &'static str,
        /// 1-based line (0 if unknown).
        line: usize,
        /// 1-based column (0 if unknown).
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The document is empty.
    #[error("the file holds no automation")]
    Empty,
    /// The document is valid YAML/JSON but not a valid automation file.
    #[error("{}", one_line(.0))]
    Invalid(Vec<Problem>),
}
