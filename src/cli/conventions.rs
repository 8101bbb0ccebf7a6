//! Shell completions and the manual page, both made from the same clap definitions as the
//! command line itself.

use super::{Cli, CliError, failure};
use clap::CommandFactory;
use std::io::Write;

/// Writes the completion script for `shell` to standard output.
pub(crate) fn completions(shell: clap_complete::Shell) {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "wbauto", &mut std::io::stdout());
}

/// Writes the manual page (roff) to standard output: the command, then every subcommand.
pub(crate) fn man() -> Result<(), CliError> {
    let cmd = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut out)
        .map_err(|e| failure(format!("cannot render the manual page: {e}")))?;
    std::io::stdout()
        .write_all(&out)
        .map_err(|e| failure(format!("cannot write the manual page: {e}")))
}
