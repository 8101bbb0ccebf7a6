//! The local engine's commands: `emit`, `history`, `secrets` and `test`. They always use the
//! local database (W&B fires its own automations; the engine never fires them twice).

use super::context::local_db_path;
use super::{Cli, CliError, failure};
use crate::backend::local::LocalBackend;
use crate::engine::event::{EngineEvent, parse_lines};
use crate::engine::oneshot::{self, Emitted, OneshotError, Sink};
use crate::engine::{Engine, store};
use crate::model::Automation;
use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// The run a run event is about, as `emit` takes it from flags.
#[derive(Debug, Args)]
pub struct RunFlags {
    /// The run's project, e.g. acme/vision.
    #[arg(long, value_name = "ENTITY/PROJECT")]
    project: String,
    /// The run's id, e.g. 3x9k2ab1.
    #[arg(long, value_name = "ID")]
    run: String,
    /// The run's display name.
    #[arg(long, value_name = "DISPLAY")]
    name: Option<String>,
    /// Who started the run (`${event_author}`).
    #[arg(long, value_name = "USER")]
    user: Option<String>,
    /// RFC 3339; default now.
    #[arg(long, value_name = "TIME")]
    time: Option<String>,
}

impl RunFlags {
    /// Puts the run's fields into an event object.
    fn put_into(&self, o: &mut Map<String, Value>) {
        o.insert("project".into(), json!(self.project));
        o.insert("run".into(), json!(self.run));
        put(o, "display_name", self.name.as_ref().map(|n| json!(n)));
        put(o, "user", self.user.as_ref().map(|u| json!(u)));
        put(o, "time", self.time.as_ref().map(|t| json!(t)));
    }
}

/// The kinds of event `emit` builds from flags.
#[derive(Debug, Subcommand)]
pub enum EmitKind {
    /// Metrics logged by a run: KEY=VALUE pairs.
    RunMetric {
        #[command(flatten)]
        run: RunFlags,
        /// The step the metrics were logged at; default one after the run's last.
        #[arg(long, value_name = "N")]
        step: Option<i64>,
        /// e.g. loss=0.7 val/acc=0.5
        #[arg(required = true, value_name = "KEY=VALUE")]
        metrics: Vec<String>,
    },
    /// A run's state: running, finished, failed, crashed or killed.
    RunState {
        #[command(flatten)]
        run: RunFlags,
        /// running, finished, failed, crashed or killed.
        #[arg(long)]
        state: String,
    },
    /// An artifact event: create, link, unlink, add_alias, add_tag, remove_tag.
    Artifact {
        /// The artifact's collection, e.g. acme/vision/resnet-weights.
        #[arg(long, value_name = "ENTITY/PROJECT/COLLECTION")]
        collection: String,
        /// create, link, unlink, add_alias, add_tag or remove_tag.
        #[arg(long)]
        event: String,
        /// The version number (3 for v3).
        #[arg(long, value_name = "N")]
        version: Option<i64>,
        /// The alias added (add_alias).
        #[arg(long)]
        alias: Option<String>,
        /// The tag added or removed (add_tag, remove_tag).
        #[arg(long)]
        tag: Option<String>,
        /// Who caused it (`${event_author}`).
        #[arg(long)]
        author: Option<String>,
        /// A JSON object.
        #[arg(long, value_name = "JSON")]
        metadata: Option<String>,
        /// RFC 3339; default now.
        #[arg(long, value_name = "TIME")]
        time: Option<String>,
    },
    /// A collection's tag added or removed.
    CollectionTag {
        /// The collection, e.g. acme/vision/resnet-weights.
        #[arg(long, value_name = "ENTITY/PROJECT/COLLECTION")]
        collection: String,
        /// add_tag or remove_tag.
        #[arg(long)]
        event: String,
        /// The tag.
        #[arg(long)]
        tag: String,
        /// RFC 3339; default now.
        #[arg(long, value_name = "TIME")]
        time: Option<String>,
    },
}

/// `secrets` subcommands.
#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Sets a secret: asked on a terminal, else one line of standard input (never an argument).
    Set {
        /// The secret's name, as payloads write it: `${NAME}`.
        name: String,
    },
    /// Secret names (never their values).
    List,
    /// Deletes a secret.
    Delete {
        /// The secret's name.
        name: String,
    },
}

/// Refuses under `--read-only`, saying what was not done.
pub(crate) fn refuse_read_only(cli: &Cli, what: &str) -> Result<(), CliError> {
    if cli.read_only {
        return Err(failure(format!(
            "read-only mode (--read-only): {what}; run without --read-only to change things"
        )));
    }
    Ok(())
}

fn refuse_wandb(cli: &Cli, what: &str) -> Result<(), CliError> {
    if cli.backend == Some(super::BackendChoice::Wandb) {
        return Err(failure(format!(
            "{what} works on the local backend only: W&B fires its own automations. Drop --backend wandb"
        )));
    }
    Ok(())
}

/// The local engine with the settings of `config.toml`.
pub async fn open(cli: &Cli, what: &str) -> Result<Engine, CliError> {
    Ok(open_with_entity(cli, what).await?.0)
}

/// The local engine, and the entity runs logged without one belong to.
pub async fn open_with_entity(cli: &Cli, what: &str) -> Result<(Engine, String), CliError> {
    use crate::backend::Backend;
    refuse_wandb(cli, what)?;
    let backend = LocalBackend::open(&local_db_path(cli)?).await?;
    let config = super::context::config();
    let entity = match cli.entity.clone().or(config.default_entity.clone()) {
        Some(e) => e,
        None => backend.default_entity().await?,
    };
    Ok((Engine::new(backend.connection(), config.engine)?, entity))
}

/// `--project ENTITY/PROJECT` for run logs.
pub fn mapping(
    project: Option<&str>,
    default_entity: &str,
) -> Result<crate::engine::runlog::events::Mapping, CliError> {
    let project = match project {
        Some(p) => Some(
            crate::engine::event::project(p)
                .ok_or_else(|| failure(format!("--project {p:?}: write ENTITY/PROJECT")))?,
        ),
        None => None,
    };
    Ok(crate::engine::runlog::events::Mapping {
        project,
        default_entity: default_entity.to_string(),
    })
}

/// The outcome of a one-shot evaluation in words: `N execution(s): A succeeded, …`.
fn outcome(report: &crate::engine::Report, tally: &crate::engine::pool::Tally) -> String {
    let ok = report.done + tally.delivered;
    let failed = report.failed + tally.failed;
    let left = report.queued.saturating_sub(tally.delivered + tally.failed);
    let mut line = format!(
        "{} execution(s): {ok} succeeded, {failed} failed, {} skipped",
        report.executions(),
        report.skipped
    );
    if left > 0 {
        line.push_str(&format!(
            ", {left} still in the outbox (`wbauto engine` delivers them)"
        ));
    }
    line
}

fn oneshot_failure(e: OneshotError) -> CliError {
    failure(e.to_string())
}

/// The engine for a one-shot command, saying each execution and delivery on standard error as
/// it happens (so a slow receiver is not waited on in silence).
async fn open_saying(cli: &Cli, what: &str) -> Result<(Engine, String), CliError> {
    let (mut engine, entity) = open_with_entity(cli, what).await?;
    engine.say_to(crate::engine::journal::Journal::stderr(
        crate::engine::journal::Format::Text,
        false,
    ));
    Ok((engine, entity))
}

/// Prints what a one-shot command did; an error (exit 1) naming what failed when any
/// execution failed or a delivery was given up.
fn finish_oneshot(
    summary: String,
    report: &crate::engine::Report,
    tally: &crate::engine::pool::Tally,
) -> Result<(), CliError> {
    println!("{summary}");
    if report.failed == 0 && tally.failed == 0 {
        return Ok(());
    }
    let mut lines = Vec::new();
    if report.failed > 0 {
        lines.push(format!(
            "{} execution(s) failed before sending (the lines above say why; `wbauto history --status failed` keeps them)",
            report.failed
        ));
    }
    for which in &tally.given_up {
        lines.push(format!(
            "not delivered: {}",
            super::render::printable(which)
        ));
    }
    Err(failure(lines.join("\n")))
}

/// `emit --run-dir`: reads what is in the run logs now, evaluates, delivers its own executions,
/// and exits; a second replay of the same directory fires nothing new (where each log was left
/// is remembered).
pub async fn replay(cli: &Cli, dir: &Path, project: Option<&str>) -> Result<(), CliError> {
    refuse_read_only(cli, "not replaying run logs (it evaluates and sends)")?;
    if !dir.is_dir() {
        return Err(failure(format!("{} is not a directory", dir.display())));
    }
    let (mut engine, entity) = open_saying(cli, "emit --run-dir").await?;
    let mapping = mapping(project, &entity)?;
    let (followed, tally) = oneshot::replay(&mut engine, dir, &mapping)
        .await
        .map_err(oneshot_failure)?;
    for w in &followed.warnings {
        eprintln!("warning: {}", super::render::printable(w));
    }
    let summary = format!(
        "{} run log(s), {} new event(s), {} (`wbauto history` shows them)",
        followed.files,
        followed.events,
        outcome(&followed.report, &tally)
    );
    finish_oneshot(summary, &followed.report, &tally)
}

fn put(o: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        o.insert(key.into(), v);
    }
}

fn metric_pair(pair: &str) -> Result<(String, Value), CliError> {
    let (k, v) = pair.split_once('=').ok_or_else(|| {
        failure(format!(
            "{pair:?}: write metrics as KEY=VALUE, e.g. loss=0.7"
        ))
    })?;
    let value = match v {
        "NaN" | "Infinity" | "-Infinity" => json!(v),
        _ => serde_json::from_str::<serde_json::Number>(v)
            .map(Value::Number)
            .map_err(|_| failure(format!("{pair:?}: {v:?} is not a number")))?,
    };
    Ok((k.to_string(), value))
}

/// The JSON form of an event given by flags (then checked like any other event).
fn flags_event(kind: &EmitKind) -> Result<Value, CliError> {
    let mut o = Map::new();
    match kind {
        EmitKind::RunMetric { run, step, metrics } => {
            o.insert("type".into(), json!("run_metric"));
            run.put_into(&mut o);
            put(&mut o, "step", step.map(|s| json!(s)));
            let m: Map<String, Value> = metrics
                .iter()
                .map(|p| metric_pair(p))
                .collect::<Result<_, _>>()?;
            o.insert("metrics".into(), Value::Object(m));
        }
        EmitKind::RunState { run, state } => {
            o.insert("type".into(), json!("run_state"));
            run.put_into(&mut o);
            o.insert("state".into(), json!(state));
        }
        EmitKind::Artifact {
            collection,
            event,
            version,
            alias,
            tag,
            author,
            metadata,
            time,
        } => {
            o.insert("type".into(), json!("artifact"));
            o.insert("event".into(), json!(event));
            o.insert("collection".into(), json!(collection));
            put(&mut o, "version", version.map(|v| json!(v)));
            put(&mut o, "alias", alias.as_ref().map(|v| json!(v)));
            put(&mut o, "tag", tag.as_ref().map(|v| json!(v)));
            put(&mut o, "author", author.as_ref().map(|v| json!(v)));
            put(&mut o, "time", time.as_ref().map(|t| json!(t)));
            if let Some(m) = metadata {
                let v: Value = serde_json::from_str(m)
                    .map_err(|e| failure(format!("--metadata is not JSON ({e})")))?;
                o.insert("metadata".into(), v);
            }
        }
        EmitKind::CollectionTag {
            collection,
            event,
            tag,
            time,
        } => {
            o.insert("type".into(), json!("collection_tag"));
            o.insert("event".into(), json!(event));
            o.insert("collection".into(), json!(collection));
            o.insert("tag".into(), json!(tag));
            put(&mut o, "time", time.as_ref().map(|t| json!(t)));
        }
    }
    Ok(Value::Object(o))
}

/// One event from a file (a test fire's `--event`).
fn test_event(path: &Path) -> Result<EngineEvent, CliError> {
    let text =
        crate::fsutil::read_input(path, crate::engine::event::MAX_LINE as u64).map_err(failure)?;
    let mut events = parse_lines(&text).map_err(|e| failure(format!("{}: {e}", path.display())))?;
    if events.len() != 1 {
        return Err(failure(format!(
            "{}: holds {} events; a test fire takes exactly one",
            path.display(),
            events.len()
        )));
    }
    Ok(events.remove(0))
}

/// Streams the events of a JSON Lines file (`-`: standard input) into `sink`, each checked,
/// none dated more than a few minutes ahead of this machine's clock.
fn feed_file(path: &Path, sink: &mut Sink<'_, '_>) -> Result<(), OneshotError> {
    let name = if path == Path::new("-") {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    let reader: Box<dyn std::io::BufRead> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| OneshotError::Input(format!("cannot read {name}: {e}")))?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, file))
    };
    let now = crate::engine::now_secs();
    let input = |e: String| OneshotError::Input(format!("{name}: {e}; nothing was stored"));
    crate::engine::event::read_lines(reader, |line, event| {
        crate::engine::intake::check_time(&event, now)
            .map_err(|e| input(format!("line {line}: {e}")))?;
        sink.push(event).map_err(OneshotError::from)
    })
    .map_err(|e| match e {
        OneshotError::Input(m) if !m.contains("nothing was stored") => input(m),
        other => other,
    })
}

/// `emit`: evaluates the events and delivers its own executions itself, unless an engine holds
/// the lease: then they are queued for it. Nothing is stored when any event is wrong.
pub async fn emit(cli: &Cli, file: Option<&Path>, kind: Option<&EmitKind>) -> Result<(), CliError> {
    refuse_read_only(
        cli,
        "not emitting events (they would be evaluated and sent)",
    )?;
    let one = match (file, kind) {
        (Some(_), None) => None,
        (None, Some(kind)) => {
            let event =
                EngineEvent::from_json(&flags_event(kind)?).map_err(|e| failure(e.to_string()))?;
            crate::engine::intake::check_time(&event, crate::engine::now_secs())
                .map_err(|e| failure(e.to_string()))?;
            Some(event)
        }
        _ => {
            return Err(CliError::Usage(
                "give an event kind (run-metric, run-state, artifact, collection-tag) or -f FILE"
                    .into(),
            ));
        }
    };
    let (mut engine, _) = open_saying(cli, "emit").await?;
    let emitted = oneshot::emit(&mut engine, |sink| match (one, file) {
        (Some(event), _) => sink.push(event).map_err(OneshotError::from),
        (None, Some(path)) => feed_file(path, sink),
        (None, None) => Ok(()),
    })
    .await
    .map_err(oneshot_failure)?;
    match emitted {
        Emitted::Queued { events, engine } => {
            println!(
                "queued {events} event(s) for the running engine ({}): left to it to evaluate and deliver (`wbauto history` shows what fired)",
                engine.describe()
            );
            Ok(())
        }
        Emitted::Here { report, tally } => {
            let summary = format!(
                "{} event(s), {} (`wbauto history` shows them)",
                report.events,
                outcome(&report, &tally)
            );
            finish_oneshot(summary, &report, &tally)
        }
    }
}

/// The automations a NAME or ID names, among the local ones.
fn matching(all: &[Automation], target: &str) -> Result<Vec<String>, CliError> {
    let ids: Vec<String> = all
        .iter()
        .filter(|a| a.id.as_deref() == Some(target) || a.name == target)
        .filter_map(|a| a.id.clone())
        .collect();
    if ids.is_empty() {
        return Err(failure(format!(
            "no local automation is named or has the id {target:?}; `wbauto list` shows them"
        )));
    }
    Ok(ids)
}

/// Reads a secret's value: from the terminal without echo, else one line of standard input.
fn read_secret(name: &str) -> Result<String, CliError> {
    let stdin = std::io::stdin();
    let mut line = String::new();
    if stdin.is_terminal() {
        eprint!("value of {name} (not shown): ");
        let _ = std::io::stderr().flush();
        let echo = EchoOff::new();
        stdin
            .read_line(&mut line)
            .map_err(|e| failure(format!("cannot read the value: {e}")))?;
        drop(echo);
        eprintln!();
    } else {
        stdin
            .read_line(&mut line)
            .map_err(|e| failure(format!("cannot read the value from standard input: {e}")))?;
    }
    let value = line.trim_end_matches(['\n', '\r']).to_string();
    if value.is_empty() {
        return Err(failure(format!(
            "no value given for {name}; nothing was stored"
        )));
    }
    Ok(value)
}

/// Turns the terminal's echo off while alive.
struct EchoOff(Option<libc::termios>);

impl EchoOff {
    fn new() -> Self {
        // SAFETY: termios is plain data; tcgetattr fills it for the terminal on fd 0.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut t) != 0 {
                return Self(None);
            }
            let saved = t;
            t.c_lflag &= !libc::ECHO;
            libc::tcsetattr(0, libc::TCSANOW, &t);
            Self(Some(saved))
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(t) = self.0 {
            // SAFETY: restores the settings read in `new`.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, &t);
            }
        }
    }
}

fn check_secret_name(name: &str) -> Result<(), CliError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(failure(format!(
            "{name:?} cannot name a secret: use letters, digits, _ and - (e.g. GITHUB_TOKEN)"
        )))
    }
}

/// `secrets`.
pub async fn secrets(cli: &Cli, command: &SecretsCommand) -> Result<(), CliError> {
    let engine = open(cli, "secrets").await?;
    match command {
        SecretsCommand::Set { name } => {
            check_secret_name(name)?;
            refuse_read_only(cli, "not setting a secret")?;
            let value = read_secret(name)?;
            engine.with(|c| store::set_secret(c, name, &value))?;
            println!("set {name}");
        }
        SecretsCommand::List => {
            let names = engine.with(|c| store::secret_names(c))?;
            if names.is_empty() {
                println!("no secrets; `wbauto secrets set NAME` adds one");
            }
            for (name, at) in names {
                let when = crate::model::summary::when(Some(&at)).unwrap_or_default();
                println!("{name}  (set {when})");
            }
        }
        SecretsCommand::Delete { name } => {
            refuse_read_only(cli, "not deleting a secret")?;
            if engine.with(|c| store::delete_secret(c, name))? {
                println!("deleted {name}");
            } else {
                return Err(failure(format!("there is no secret named {name}")));
            }
        }
    }
    Ok(())
}

/// `test`: shows the request a firing of the automation would send (secrets masked), sends it
/// on confirmation and records it in history as a test.
pub async fn test_fire(
    cli: &Cli,
    target: &str,
    event_file: Option<&Path>,
    yes: bool,
) -> Result<(), CliError> {
    let engine = open(cli, "test").await?;
    let all = engine.with(|c| store::automations(c))?;
    let ids = matching(&all, target)?;
    if ids.len() > 1 {
        return Err(failure(format!(
            "{target:?} names {} automations in different scopes; give the id (`wbauto list --json` shows ids)",
            ids.len()
        )));
    }
    let Some(a) = all
        .iter()
        .find(|a| a.id.as_deref() == ids.first().map(String::as_str))
    else {
        return Err(failure(format!("no local automation {target:?}")));
    };
    let now = jiff::Timestamp::now().as_second();
    let event = match event_file {
        Some(path) => {
            let mut e = test_event(path)?;
            e.time.get_or_insert(now);
            e
        }
        None => Engine::sample_event(a, now),
    };
    let name = super::render::printable(&a.name).to_string();
    let id = a.id.clone().unwrap_or_default();
    let test = crate::ops::prepare_test(&engine, &id, Some(event))?;
    let lines = match &test.shown {
        Ok(lines) => lines,
        Err(why) => {
            println!("{name}: not sent: {why}");
            return Ok(());
        }
    };
    println!("{}", lines.join("\n"));
    refuse_read_only(cli, "not sending or recording a test")?;
    if test.request.is_some() {
        super::prompt::confirm(
            &format!("Send this test of {name}?"),
            yes,
            "send",
            "nothing sent",
        )?;
    }
    let outcome = crate::ops::send_test(&engine, &id, &test).await?;
    if outcome.starts_with("sent") || outcome.starts_with("recorded") {
        println!("{outcome}");
        Ok(())
    } else {
        Err(failure(format!("the test was not delivered: {outcome}")))
    }
}
