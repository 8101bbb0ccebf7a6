//! `wbauto engine`: its flags checked and turned into the runtime's options; the runtime itself
//! is `engine::runtime`.

use super::{Cli, CliError, failure};
use crate::engine::journal::{Format, Journal};
use crate::engine::runtime::{self, Options};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The address the engine listens on by default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8642";

/// The `engine` command's flags.
#[derive(Clone, Debug, Default)]
pub struct Flags {
    /// Where to listen.
    pub listen: Option<String>,
    /// Listen on other addresses than loopback too.
    pub listen_any: bool,
    /// TLS certificate chain (PEM).
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    pub tls_key: Option<PathBuf>,
    /// Beyond loopback without TLS.
    pub insecure_http: bool,
    /// Wait for another engine's lease.
    pub wait: bool,
    /// Directories whose run logs to follow.
    pub watch: Vec<PathBuf>,
    /// With `watch`: the project every run goes into.
    pub project: Option<String>,
    /// How its lines are written.
    pub format: Format,
    /// Only warnings and errors.
    pub quiet: bool,
}

/// Where to listen, and TLS: loopback by default; beyond it only with `--listen-any` and TLS
/// (or `--insecure-http`, said as a warning).
fn listening(flags: &Flags) -> Result<(SocketAddr, Option<(PathBuf, PathBuf)>), CliError> {
    let text = flags.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
    let addr: SocketAddr = text.parse().map_err(|_| {
        failure(format!(
            "--listen {text:?}: give an address with a port, such as {DEFAULT_LISTEN}"
        ))
    })?;
    let tls = match (&flags.tls_cert, &flags.tls_key) {
        (Some(c), Some(k)) => Some((c.clone(), k.clone())),
        (None, None) => None,
        _ => {
            return Err(failure(
                "give both --tls-cert and --tls-key (PEM files), or neither",
            ));
        }
    };
    if !addr.ip().is_loopback() {
        if !flags.listen_any {
            return Err(failure(format!(
                "--listen {addr} is not a loopback address; add --listen-any to accept events from other hosts"
            )));
        }
        if tls.is_none() && !flags.insecure_http {
            return Err(failure(format!(
                "--listen {addr} reaches beyond this machine: give --tls-cert and --tls-key so tokens and events are encrypted, or --insecure-http to send them in the clear"
            )));
        }
        if tls.is_none() {
            eprintln!(
                "warning: --insecure-http: tokens and events cross the network unencrypted; anyone on the path can read a token and post events with it"
            );
        }
    }
    Ok((addr, tls))
}

/// Runs the engine until SIGINT or SIGTERM.
pub async fn run(cli: &Cli, flags: &Flags) -> Result<(), CliError> {
    super::engine::refuse_read_only(cli, "not running the engine (it evaluates and sends)")?;
    let (listen, tls) = listening(flags)?;
    let (mut engine, entity) = super::engine::open_with_entity(cli, "the engine").await?;
    engine.say_to(Journal::stderr(flags.format, flags.quiet));
    let options = Options {
        listen,
        tls,
        watch: flags.watch.clone(),
        mapping: super::engine::mapping(flags.project.as_deref(), &entity)?,
        wait: flags.wait,
    };
    runtime::run(engine, options).await.map_err(failure)
}
