//! One painter per screen of `app::screens`.

pub mod backtest;
pub mod detail;
pub mod history;
pub mod integrations;
pub mod list;
pub mod raw;
pub mod runs;
pub mod wizard;
