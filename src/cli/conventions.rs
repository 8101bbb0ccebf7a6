//! Shell completions and the manual page, both made from the same clap definitions as the
//! command line itself.

use super::{Cli, CliError, failure};
use clap::CommandFactory;
use roff::{Roff, bold, roman};
use std::io::Write;

/// Writes the completion script for `shell` to standard output.
pub(crate) fn completions(shell: clap_complete::Shell) {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "wbauto", &mut std::io::stdout());
}

/// Writes the manual page (roff) to standard output: name, synopsis, description and options
/// of the command, its commands with what each does (their options are in `wbauto COMMAND
/// --help`; there are no separate pages to point to), the exit status and the version.
pub(crate) fn man() -> Result<(), CliError> {
    let out = manual_page().map_err(|e| failure(format!("cannot render the manual page: {e}")))?;
    std::io::stdout()
        .write_all(&out)
        .map_err(|e| failure(format!("cannot write the manual page: {e}")))
}

/// What each exit code means, for the EXIT STATUS section.
const EXIT_STATUS: [(&str, &str); 4] = [
    ("0", "The command did what was asked."),
    (
        "1",
        "It could not: a name or project that does not exist, a file that does not validate, \
         a backend that refused or could not be reached, a delivery that failed. The message on \
         standard error says what and what to do.",
    ),
    (
        "2",
        "The command line is wrong (an unknown option, a missing argument); or, for plan \
         --detailed-exitcode, there are changes to apply.",
    ),
    (
        "128+N",
        "The dashboard was ended by signal N (SIGINT: 130, SIGTERM: 143), after restoring the \
         terminal.",
    ),
];

fn manual_page() -> Result<Vec<u8>, std::io::Error> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    let mut page = Roff::new();
    page.control("SH", ["COMMANDS"]);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        page.control("TP", []);
        page.text([bold(format!("wbauto {}", sub.get_name()))]);
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        page.text([roman(about)]);
    }
    page.control("PP", []);
    page.text([
        roman("Each command's options: "),
        bold("wbauto COMMAND --help"),
        roman("."),
    ]);
    page.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in EXIT_STATUS {
        page.control("TP", []);
        page.text([bold(code)]);
        page.text([roman(meaning)]);
    }
    page.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(out)
}
