//! `tokens`: who may post events to the engine. A token is printed once, alone on standard
//! output, and kept only as a hash; a running engine stops accepting a revoked one within 10 s.

use super::{Cli, CliError, failure};
use crate::engine::tokens;
use clap::Subcommand;

/// `tokens` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Makes a token and prints it (once: only its hash is kept).
    Create {
        /// A name for it, e.g. ci-runner.
        name: String,
        /// Only events of this project (repeatable); without it, every project.
        #[arg(long = "project", value_name = "ENTITY/PROJECT")]
        projects: Vec<String>,
    },
    /// Token names and the projects each covers (never a token).
    List,
    /// Ends a token (a running engine refuses it within 10 s).
    Revoke {
        /// The token's name.
        name: String,
    },
}

/// `tokens`.
pub async fn run(cli: &Cli, command: &TokensCommand) -> Result<(), CliError> {
    if !matches!(command, TokensCommand::List) {
        super::engine::refuse_read_only(cli, "not changing tokens")?;
    }
    let engine = super::engine::open(cli, "tokens").await?;
    match command {
        TokensCommand::Create { name, projects } => {
            let token = engine.with(|c| tokens::create(c, name, projects))?;
            println!("{token}");
            let scope = match projects.len() {
                0 => "every project".to_string(),
                _ => projects.join(", "),
            };
            eprintln!(
                "made the token {name} for {scope}; it is shown this once: keep it now (`wbauto tokens revoke {name}` ends it)"
            );
        }
        TokensCommand::List => {
            let all = engine.with(|c| tokens::list(c))?;
            if all.is_empty() {
                println!("no tokens; `wbauto tokens create NAME` makes one");
            }
            for t in all {
                let when = crate::model::summary::when(Some(&t.created_at)).unwrap_or_default();
                println!(
                    "{}  {}  (made {when})",
                    super::render::printable(&t.name),
                    t.scope_words()
                );
            }
        }
        TokensCommand::Revoke { name } => {
            if engine.with(|c| tokens::revoke(c, name))? {
                println!("revoked {name}; a running engine refuses it within 10 s");
            } else {
                return Err(failure(format!(
                    "there is no token named {name}; `wbauto tokens list` shows them"
                )));
            }
        }
    }
    Ok(())
}
