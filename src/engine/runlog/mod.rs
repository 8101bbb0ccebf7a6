//! W&B's own transaction logs (`wandb/offline-run-*/run-<id>.wandb`, `wandb/run-*/…`) as an event
//! source: LevelDB-log framing with a W&B header, CRC-32 (IEEE) per chunk, protobuf `Record`s of
//! which a few fields are read by number.
//!
//! - [`framing`]: the LevelDB-log framing with W&B's header, streaming (pure).
//! - [`proto`], [`record`]: the few protobuf fields read, by number (pure).
//! - [`events`]: records to engine events, and what the follower remembers of a file (pure).
//! - [`follow`]: finding files, reading what was appended, telling whether a writer is gone.
//! - [`ingest`]: evaluating what is new, with where each log was left, in one transaction.

pub mod events;
pub mod follow;
pub mod framing;
pub mod ingest;
pub mod proto;
pub mod record;
