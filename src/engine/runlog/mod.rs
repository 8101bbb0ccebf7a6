//! W&B's own transaction logs (`wandb/offline-run-*/run-<id>.wandb`, `wandb/run-*/…`) as an event
//! source (design §11; the format is in the research note on the offline format).
//!
//! - [`framing`]: the LevelDB-log framing with W&B's header, streaming (pure).
//! - [`proto`], [`record`]: the few protobuf fields read, by number (pure).
//! - [`events`]: records to engine events, and what the follower remembers of a file (pure).
//! - [`follow`]: finding files, reading what was appended, telling whether a writer is gone.

pub mod events;
pub mod follow;
pub mod framing;
pub mod proto;
pub mod record;
