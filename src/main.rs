//! The `wbauto` binary: parses the command line, runs the command, maps errors to exit codes.

use clap::Parser;
use std::process::ExitCode;
use wbauto::cli::{Cli, run};

fn main() -> ExitCode {
    wbauto::fsutil::restrict_new_files();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if !matches!(cli.command, Some(wbauto::cli::Command::Engine { .. })) {
        // Output piped into `head` ends the process quietly, as other command-line tools do,
        // instead of a panic on a broken pipe. Sockets are unaffected (Rust sends with
        // MSG_NOSIGNAL); the engine keeps the signal ignored all the same.
        // SAFETY: setting a signal's disposition to the default at start-up, before any thread.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let _log = wbauto::config::data_dir(cli.data_dir.clone())
        .ok()
        .and_then(|dir| wbauto::logging::init(&wbauto::config::log_dir(&dir), &cli.log_level));
    // The dashboard and the engine keep several things going at once; a one-shot command only
    // waits on its requests in turn, so it runs on this thread and starts no workers.
    let long_running = matches!(
        cli.command,
        None | Some(wbauto::cli::Command::Engine { .. })
    );
    let mut builder = if long_running {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(2);
        b
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let outcome = runtime.block_on(run(cli));
    // What the command awaited is done; a read still running on a blocking thread (the rest of
    // a long listing after `q`) is abandoned instead of waited for. Writes are transactions, so
    // an abandoned one leaves nothing half-written.
    runtime.shutdown_background();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ (wbauto::cli::CliError::Signal(_) | wbauto::cli::CliError::Exit(_))) => {
            ExitCode::from(e.exit_code())
        }
        Err(e) => {
            tracing::warn!(error = %e, "command failed");
            eprintln!("error: {}", wbauto::cli::render::printable(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}
