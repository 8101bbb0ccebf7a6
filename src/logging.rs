//! Logging to a file under the state directory, never to the terminal.

use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Lines waiting for the writer thread before more are dropped (and counted as lost).
const QUEUED_LINES: usize = 4096;

/// Starts file logging at `level` (e.g. `info`, `debug`, `wbauto=trace`). Keep the guard alive
/// until exit so the last lines are written. Returns `None` (and logs nothing) if the directory
/// cannot be created or the level cannot be parsed.
pub fn init(dir: &Path, level: &str) -> Option<WorkerGuard> {
    crate::fsutil::create_private_dir(dir).ok()?;
    let filter = EnvFilter::try_new(level).ok()?;
    let appender = tracing_appender::rolling::daily(dir, "wbauto.log");
    // The default queue holds 128,000 lines and is laid out whole at start, which costs every
    // command megabytes of fresh pages; a few thousand lines is plenty for what wbauto logs.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(QUEUED_LINES)
        .finish(appender);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(writer)
        .try_init()
        .ok()?;
    Some(guard)
}
