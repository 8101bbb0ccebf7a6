//! Helpers shared by the integration tests: the real binary, a demo dashboard state, the fake
//! W&B server and the SDK oracle's fixtures.

pub mod binary;
pub mod dashboard;
pub mod engine;
pub mod fake_wandb;
pub mod receiver;
pub mod sdk;
