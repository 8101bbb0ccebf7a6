//! Asking before a change: on a terminal a yes/no question, without one a refusal that says how
//! to go ahead (`--yes`).

use super::{CliError, failure};
use std::io::{BufRead, IsTerminal, Write};

/// Asks `question` unless `yes`; `Err` when there is no terminal to ask on (`doing` names the
/// change: "delete", "send") or the answer is not yes (`declined`: "nothing deleted").
pub(crate) fn confirm(
    question: &str,
    yes: bool,
    doing: &str,
    declined: &str,
) -> Result<(), CliError> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(failure(format!(
            "refusing to {doing} without confirmation: there is no terminal to ask on; pass --yes"
        )));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let agreed = std::io::stdin().lock().read_line(&mut answer).is_ok()
        && matches!(answer.trim().to_lowercase().as_str(), "y" | "yes");
    if agreed {
        Ok(())
    } else {
        Err(failure(declined))
    }
}
