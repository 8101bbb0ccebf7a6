//! wbauto: a keyboard-first terminal dashboard and command line for W&B Automations.
//!
//! The library is what the binary is made of: the pure domain [`model`], W&B's [`wire`] format,
//! automation [`file`]s, the [`backend`]s and the [`cli`]. Reading an automation file and building
//! the input W&B's SDK would send for it:
//!
//! ```
//! use wbauto::file::{Format, parse_text};
//! use wbauto::wire::encode::event_filter;
//!
//! let text = "
//! name: run-failed
//! scope: {project: acme/vision}
//! event: {type: run_state, states: [crashed, finished]}
//! action: {type: no_op}
//! ";
//! let automation = parse_text(text, Format::Yaml)?.remove(0);
//! assert_eq!(
//!     event_filter(&automation.event)?,
//!     r#"{"run_filter":"{\"$and\":[]}","run_state_filter":{"states":["FAILED","FINISHED"]}}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod app;
pub mod backend;
pub mod cli;
pub mod config;
pub mod demo;
pub mod engine;
pub mod file;
pub mod fsutil;
pub mod logging;
pub mod model;
pub mod ops;
pub mod tui;
pub mod ui;
pub mod wire;
pub mod wizard;
