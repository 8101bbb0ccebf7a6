//! The command line: the same operations as the dashboard, as plain subcommands for scripts.

pub(crate) mod backtest;
pub(crate) mod context;
pub(crate) mod conventions;
pub(crate) mod dashboard;
pub(crate) mod engine;
pub(crate) mod files;
pub(crate) mod history;
pub(crate) mod integrations;
pub(crate) mod lookup;
pub(crate) mod manage;
pub(crate) mod plan;
pub(crate) mod plan_json;
pub(crate) mod prompt;
pub mod render;
pub(crate) mod serve;
pub(crate) mod tokens;

use crate::backend::BackendError;
use clap::{Parser, Subcommand, ValueEnum};
use context::Context;
use std::path::PathBuf;

/// Which backend to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum BackendChoice {
    /// The embedded SQLite database (offline; seeded with a demo team).
    Local,
    /// W&B's GraphQL API (cloud or self-hosted).
    Wandb,
}

/// wbauto: browse, read and change W&B Automations from the terminal.
#[derive(Debug, Parser)]
#[command(name = "wbauto", version, about, long_about = None)]
pub struct Cli {
    /// Backend: `local` (embedded database) or `wandb`; default: wandb when a W&B API key is found.
    #[arg(long, global = true, value_enum)]
    pub(crate) backend: Option<BackendChoice>,
    /// W&B base URL (default: WANDB_BASE_URL, W&B's settings file, https://api.wandb.ai).
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// Entity (team or user) to work in; default: the backend's default entity.
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) entity: Option<String>,
    /// Directory of the local database (default: the platform data directory).
    #[arg(long, global = true, env = "WBAUTO_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Refuse every change, saying why.
    #[arg(long, global = true)]
    pub(crate) read_only: bool,
    /// Log level for the log file (error, warn, info, debug, trace).
    #[arg(long, global = true, default_value = "info", value_name = "LEVEL")]
    pub log_level: String,
    /// Exit right after the first frame is drawn (for start-up measurements).
    #[arg(long, hide = true)]
    pub(crate) exit_after_first_frame: bool,
    /// What to do; without a command, the dashboard opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// A subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// One line per automation.
    List {
        /// Only automations in this project (PROJECT or ENTITY/PROJECT).
        #[arg(long, value_name = "PROJECT")]
        project: Option<String>,
        /// An array of automation files with ids and timestamps.
        #[arg(long)]
        json: bool,
    },
    /// One automation in plain words, or as an automation file.
    Show {
        /// Name or id.
        target: String,
        /// Look only in this project.
        #[arg(long, value_name = "PROJECT")]
        project: Option<String>,
        /// As a JSON automation file.
        #[arg(long, conflicts_with = "yaml")]
        json: bool,
        /// As a YAML automation file.
        #[arg(long)]
        yaml: bool,
    },
    /// Turn automations on.
    Enable {
        /// Names or ids.
        #[arg(required = true)]
        targets: Vec<String>,
        /// Look only in this project.
        #[arg(long, value_name = "PROJECT")]
        project: Option<String>,
    },
    /// Turn automations off.
    Disable {
        /// Names or ids.
        #[arg(required = true)]
        targets: Vec<String>,
        /// Look only in this project.
        #[arg(long, value_name = "PROJECT")]
        project: Option<String>,
    },
    /// Delete automations (asks first on a terminal).
    Delete {
        /// Names or ids.
        #[arg(required = true)]
        targets: Vec<String>,
        /// Look only in this project.
        #[arg(long, value_name = "PROJECT")]
        project: Option<String>,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Create automations from a file (YAML or JSON; `-` reads standard input).
    Create {
        /// The automation file.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: PathBuf,
        /// Print the GraphQL input that would be sent, and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Replace automations with a file's content (matched by id, else by name in the scope).
    Update {
        /// The automation file.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: PathBuf,
        /// Print the GraphQL input that would be sent, and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write automations as files (to standard output, or one file each into a directory).
    Export {
        /// Only automations in this project.
        #[arg(long, value_name = "PROJECT")]
        project: Option<String>,
        /// Write NAME.yaml files into this directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// What it takes to make the backend hold what automation files say (nothing is changed).
    Plan {
        /// Automation files or directories of them (searched recursively; `-`: standard input).
        #[arg(short = 'f', long = "file", value_name = "PATH", required = true)]
        files: Vec<PathBuf>,
        /// Also cover this project: with --prune, what no file names in it is deleted.
        #[arg(long, value_name = "PROJECT")]
        project: Option<String>,
        /// Delete automations that no file names, in the scopes the files cover.
        #[arg(long)]
        prune: bool,
        /// The plan as JSON (what `apply --plan` reads).
        #[arg(long)]
        json: bool,
        /// Exit 0 when there is nothing to change, 2 when there is, 1 on an error.
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Make the backend hold what automation files say: shows the plan, asks, applies.
    Apply {
        /// Automation files or directories of them (searched recursively; `-`: standard input).
        #[arg(
            short = 'f',
            long = "file",
            value_name = "PATH",
            required_unless_present = "plan",
            conflicts_with = "plan"
        )]
        files: Vec<PathBuf>,
        /// Also cover this project: with --prune, what no file names in it is deleted.
        #[arg(long, value_name = "PROJECT")]
        project: Option<String>,
        /// Delete automations that no file names, in the scopes the files cover.
        #[arg(long)]
        prune: bool,
        /// Apply a saved `plan --json`, only if the backend still holds what it was made from.
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Would an automation have fired on recorded runs, when, and why not (nothing is sent).
    Backtest {
        /// The automation's name or id (or -f FILE).
        target: Option<String>,
        /// An automation file (one automation) instead of a saved one.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: Option<PathBuf>,
        /// Look the name up only in this project.
        #[arg(long, value_name = "PROJECT")]
        project: Option<String>,
        /// The run logs (run-*.wandb) under a directory, e.g. ./wandb (repeatable).
        #[arg(long = "run-dir", value_name = "DIR")]
        run_dirs: Vec<PathBuf>,
        /// The runs of this project (W&B's, or those recorded locally); default: its own project.
        #[arg(long, value_name = "ENTITY/PROJECT")]
        runs: Option<String>,
        /// How many of the newest runs (and, locally, of the run logs followed).
        #[arg(long, default_value_t = 20, value_name = "N")]
        last: usize,
        /// Only this run of the project (repeatable).
        #[arg(long = "run", value_name = "ID")]
        run_ids: Vec<String>,
        /// A series: a .csv with a step column and one per metric, or .jsonl events (repeatable).
        #[arg(long, value_name = "FILE")]
        series: Vec<PathBuf>,
        /// Beside each run's verdict, what the backend recorded firing on that run (W&B's
        /// executions, or the local engine's): agreement, or each side's firing alone.
        #[arg(long)]
        compare_history: bool,
        /// One object per run: run, display_name, fired, firings, suppressed, closest (and
        /// history with --compare-history).
        #[arg(long)]
        json: bool,
    },
    /// Shell completions for bash, zsh, fish or powershell, on standard output.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// The manual page (roff), on standard output: `wbauto man | man -l -`.
    Man,
    /// Automation names, one a line, for shell completion (nothing when the backend is slow).
    #[command(hide = true)]
    CompleteNames,
    /// Slack and webhook integrations.
    Integrations {
        /// As JSON.
        #[arg(long)]
        json: bool,
        /// Add an integration.
        #[command(subcommand)]
        action: Option<IntegrationsCommand>,
    },
    /// Settings in force, reachability and features.
    Doctor,
    /// Sends events to the local engine (evaluated and delivered at once when no engine runs).
    Emit {
        /// JSON Lines of events (`-` for standard input).
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: Option<PathBuf>,
        /// Replay the run logs (`run-*.wandb`) under a directory, e.g. ./wandb.
        #[arg(long, value_name = "DIR")]
        run_dir: Option<PathBuf>,
        /// With --run-dir: put every run found into this project.
        #[arg(long, value_name = "ENTITY/PROJECT", requires = "run_dir")]
        project: Option<String>,
        #[command(subcommand)]
        kind: Option<engine::EmitKind>,
    },
    /// What fired: W&B's records or the local engine's, newest first.
    History {
        /// An automation's name or id (or the name it had when it fired).
        target: Option<String>,
        /// Only this project's history (with its collections'): ENTITY/PROJECT.
        #[arg(long, value_name = "ENTITY/PROJECT")]
        project: Option<String>,
        /// Only this artifact collection's history: ENTITY/PROJECT/COLLECTION.
        #[arg(long, value_name = "ENTITY/PROJECT/COLLECTION")]
        collection: Option<String>,
        /// in_progress, success, failed or skipped.
        #[arg(long)]
        status: Option<String>,
        /// e.g. 30m, 2h, 7d, or an RFC 3339 time.
        #[arg(long, value_name = "DURATION")]
        since: Option<String>,
        /// At most this many, newest first.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// One object per execution: the same keys on both backends, and `source`.
        #[arg(long)]
        json: bool,
    },
    /// Secrets for webhooks (access tokens, signing keys), by name.
    Secrets {
        #[command(subcommand)]
        action: engine::SecretsCommand,
    },
    /// Test-fires an automation: shows the request (secrets masked), sends it on confirmation.
    Test {
        /// An automation's name or id.
        target: String,
        /// One event (JSON) instead of a sample.
        #[arg(long, value_name = "FILE")]
        event: Option<PathBuf>,
        /// Send without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Tokens that may post events to the engine.
    Tokens {
        #[command(subcommand)]
        action: tokens::TokensCommand,
    },
    /// Runs the local engine until SIGINT/SIGTERM: POST /v1/events, GET /v1/health.
    Engine {
        /// Where to listen (loopback only unless --listen-any).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Accept events from other hosts too (needs TLS or --insecure-http).
        #[arg(long)]
        listen_any: bool,
        /// TLS certificate chain (PEM) for the endpoint.
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// TLS private key (PEM) for the endpoint.
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// With --listen-any: accept plain HTTP from other hosts (tokens cross the network unencrypted).
        #[arg(long)]
        insecure_http: bool,
        /// When another engine holds the database, wait and take over when it stops.
        #[arg(long)]
        wait: bool,
        /// Follow the run logs under a directory (repeatable), e.g. ./wandb.
        #[arg(long, value_name = "DIR")]
        watch: Vec<PathBuf>,
        /// With --watch: put every run found into this project.
        #[arg(long, value_name = "ENTITY/PROJECT")]
        project: Option<String>,
        /// How lines on standard error are written: words, or one JSON object per line.
        #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
        log_format: LogFormat,
        /// Say nothing but warnings and errors (no line per batch, execution or delivery).
        #[arg(long)]
        quiet: bool,
    },
}

/// How the engine writes its lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Words, for people.
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Adding integrations.
#[derive(Debug, Subcommand)]
pub enum IntegrationsCommand {
    /// Add a webhook integration.
    AddWebhook {
        /// Name (letters, digits, _ or -, words separated by spaces; at most 64 characters).
        name: String,
        /// Where W&B POSTs.
        url: String,
        /// Team secret used to sign requests.
        #[arg(long, value_name = "SECRET")]
        secret_ref: Option<String>,
        /// Team secret sent as a bearer token.
        #[arg(long, value_name = "SECRET")]
        access_token_ref: Option<String>,
    },
    /// Add a Slack channel through an incoming webhook (local backend).
    AddSlack {
        /// The channel, e.g. '#ml-alerts'.
        channel: String,
        /// The channel's Slack incoming-webhook URL.
        #[arg(long, value_name = "URL")]
        webhook_url: String,
        /// The Slack workspace's name, for display.
        #[arg(long, value_name = "NAME", default_value = "slack")]
        team_name: String,
    },
}

/// A failed command: a one-line message and its exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Exit 1: the command could not do what was asked.
    #[error("{0}")]
    Failure(String),
    /// Exit 2: the command line itself is wrong.
    #[error("{0}")]
    Usage(String),
    /// An exit code with nothing more to say (`plan --detailed-exitcode`: 2 = there are changes).
    #[error("exit {0}")]
    Exit(u8),
    /// Ended by a signal (the dashboard, after restoring the terminal): exit 128 + the signal.
    #[error("stopped by signal {0}")]
    Signal(i32),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Failure(_) => 1,
            CliError::Usage(_) => 2,
            CliError::Exit(code) => *code,
            CliError::Signal(n) => u8::try_from(128 + n).unwrap_or(1),
        }
    }
}

impl From<BackendError> for CliError {
    fn from(e: BackendError) -> Self {
        CliError::Failure(e.to_string())
    }
}

/// Fails with a message.
pub(crate) fn failure(message: impl Into<String>) -> CliError {
    CliError::Failure(message.into())
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Some(Command::Doctor) => return integrations::doctor(&cli).await,
        Some(Command::Completions { shell }) => {
            conventions::completions(shell);
            return Ok(());
        }
        Some(Command::Man) => return conventions::man(),
        Some(Command::CompleteNames) => return conventions::complete_names(&cli).await,
        Some(Command::Backtest {
            ref target,
            ref file,
            ref project,
            ref run_dirs,
            ref runs,
            last,
            ref run_ids,
            ref series,
            compare_history,
            json,
        }) => {
            let req = backtest::BacktestArgs {
                target: target.clone(),
                file: file.clone(),
                project: project.clone(),
                run_dirs: run_dirs.clone(),
                runs: runs.clone(),
                last,
                run_ids: run_ids.clone(),
                series: series.clone(),
                compare_history,
                json,
            };
            let ctx = Context::open(&cli).await?;
            return backtest::run(&cli, &ctx, &req).await;
        }
        Some(Command::Emit {
            ref file,
            ref run_dir,
            ref project,
            ref kind,
        }) => {
            return match run_dir {
                Some(dir) if file.is_none() && kind.is_none() => {
                    engine::replay(&cli, dir, project.as_deref()).await
                }
                Some(_) => Err(CliError::Usage(
                    "--run-dir replays run logs; give it without -f or an event kind".into(),
                )),
                None => engine::emit(&cli, file.as_deref(), kind.as_ref()).await,
            };
        }
        Some(Command::Secrets { ref action }) => return engine::secrets(&cli, action).await,
        Some(Command::Test {
            ref target,
            ref event,
            yes,
        }) => return engine::test_fire(&cli, target, event.as_deref(), yes).await,
        Some(Command::Tokens { ref action }) => return tokens::run(&cli, action).await,
        Some(Command::Engine {
            ref listen,
            listen_any,
            ref tls_cert,
            ref tls_key,
            insecure_http,
            wait,
            ref watch,
            ref project,
            log_format,
            quiet,
        }) => {
            let flags = serve::Flags {
                listen: listen.clone(),
                listen_any,
                tls_cert: tls_cert.clone(),
                tls_key: tls_key.clone(),
                insecure_http,
                wait,
                watch: watch.clone(),
                project: project.clone(),
                format: match log_format {
                    LogFormat::Text => crate::engine::journal::Format::Text,
                    LogFormat::Json => crate::engine::journal::Format::Json,
                },
                quiet,
            };
            return serve::run(&cli, &flags).await;
        }
        None => return dashboard::open(&cli).await,
        _ => {}
    }
    let ctx = Context::open(&cli).await?;
    match cli.command {
        None => Ok(()),
        Some(Command::List { project, json }) => manage::list(&ctx, project.as_deref(), json).await,
        Some(Command::Show {
            target,
            project,
            json,
            yaml,
        }) => manage::show(&ctx, &target, project.as_deref(), json, yaml).await,
        Some(Command::Enable { targets, project }) => {
            manage::set_enabled(&ctx, &targets, project.as_deref(), true).await
        }
        Some(Command::Disable { targets, project }) => {
            manage::set_enabled(&ctx, &targets, project.as_deref(), false).await
        }
        Some(Command::Delete {
            targets,
            project,
            yes,
        }) => manage::delete(&ctx, &targets, project.as_deref(), yes).await,
        Some(Command::Create { file, dry_run }) => files::create(&ctx, &file, dry_run).await,
        Some(Command::Update { file, dry_run }) => files::update(&ctx, &file, dry_run).await,
        Some(Command::Export { project, dir }) => {
            files::export(&ctx, project.as_deref(), dir.as_deref()).await
        }
        Some(Command::Integrations { json, action }) => integrations::run(&ctx, json, action).await,
        Some(Command::History {
            target,
            project,
            collection,
            status,
            since,
            limit,
            json,
        }) => {
            let args = history::HistoryArgs {
                target: target.as_deref(),
                project: project.as_deref(),
                collection: collection.as_deref(),
                status: status.as_deref(),
                since: since.as_deref(),
                limit,
                json,
            };
            history::run(&ctx, &args).await
        }
        Some(Command::Plan {
            files,
            project,
            prune,
            json,
            detailed_exitcode,
        }) => {
            let req = plan::PlanArgs {
                paths: &files,
                project: project.as_deref(),
                prune,
            };
            plan::run_plan(&ctx, &req, json, detailed_exitcode).await
        }
        Some(Command::Apply {
            files,
            project,
            prune,
            plan: saved,
            yes,
        }) => {
            let req = plan::PlanArgs {
                paths: &files,
                project: project.as_deref(),
                prune,
            };
            plan::run_apply(&ctx, &req, saved.as_deref(), yes).await
        }
        Some(
            Command::Doctor
            | Command::Completions { .. }
            | Command::Backtest { .. }
            | Command::Man
            | Command::CompleteNames
            | Command::Emit { .. }
            | Command::Secrets { .. }
            | Command::Test { .. }
            | Command::Tokens { .. }
            | Command::Engine { .. },
        ) => Ok(()),
    }
}
