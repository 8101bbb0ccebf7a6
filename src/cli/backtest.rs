//! `backtest`: would an automation have fired, when, and why not — over W&B runs, run logs or
//! series files. Nothing is ever sent.

use super::context::Context;
use super::lookup::{find, project_filter};
use super::render::printable;
use super::{CliError, failure};
use crate::engine::backtest::{
    Gap, Options, RunHistory, Verdict, compared_name, judgeable, needed, quantity, shown,
};
use crate::engine::eval::Finding;
use crate::model::{Automation, Event};
use crate::ops::backtest::{
    BackendRuns, backend_histories, kept_where, own_histories, run_dir_histories,
};
use crate::ops::compare::{Comparison, StepClock};
use serde_json::{Value, json};
use std::path::PathBuf;

/// Suppressed firings listed per run in words (the first thousand in `--json`).
const SUPPRESSED_SHOWN: usize = 3;

/// What `backtest` was asked.
pub(crate) struct BacktestArgs {
    /// The automation's name or id.
    pub(crate) target: Option<String>,
    /// Or an automation file.
    pub(crate) file: Option<PathBuf>,
    /// Where to look the name up.
    pub(crate) project: Option<String>,
    /// Run logs under these directories.
    pub(crate) run_dirs: Vec<PathBuf>,
    /// The runs of this project (`ENTITY/PROJECT`), W&B's or recorded locally.
    pub(crate) runs: Option<String>,
    /// How many of the newest runs (and, locally, of the run logs followed).
    pub(crate) last: usize,
    /// These runs only.
    pub(crate) run_ids: Vec<String>,
    /// Series files.
    pub(crate) series: Vec<PathBuf>,
    /// Beside each run's verdict, what the backend recorded firing on it.
    pub(crate) compare_history: bool,
    /// As JSON.
    pub(crate) json: bool,
}

async fn automation(ctx: &Context, req: &BacktestArgs) -> Result<Automation, CliError> {
    match (&req.target, &req.file) {
        (Some(_), Some(_)) => Err(CliError::Usage(
            "give an automation's NAME or ID, or -f FILE, not both".into(),
        )),
        (None, None) => Err(CliError::Usage(
            "which automation? give its NAME or ID, or -f FILE".into(),
        )),
        (None, Some(path)) => {
            let mut parsed = super::files::parse_file(path)?;
            if parsed.len() != 1 {
                return Err(failure(format!(
                    "{}: the file holds {} automations; a backtest takes one (export one with `wbauto show NAME --yaml`)",
                    path.display(),
                    parsed.len()
                )));
            }
            Ok(parsed.remove(0).automation)
        }
        (Some(target), None) => {
            let filter = project_filter(req.project.as_deref(), &ctx.entity)?;
            let listing = ctx.backend.list_automations(&ctx.entity).await?;
            Ok(find(&listing, target, filter.as_ref(), &ctx.entity)?
                .automation
                .clone())
        }
    }
}

fn project_of(text: &str) -> Result<(String, String), CliError> {
    crate::engine::event::project(text)
        .ok_or_else(|| CliError::Usage(format!("--runs {text:?}: write ENTITY/PROJECT")))
}

/// The histories the request names; with none named, the automation's own: the backend's
/// newest runs of its project (W&B's, or the local database's recorded ones) and, locally, the
/// run logs the engine follows.
async fn histories(
    cli: &super::Cli,
    ctx: &Context,
    a: &Automation,
    req: &BacktestArgs,
    settings: crate::ops::backtest::Settings,
) -> Result<(Vec<RunHistory>, String), CliError> {
    let now = jiff::Timestamp::now().as_second();
    let mapping = super::engine::mapping(None, &ctx.entity)?;
    let mut out = Vec::new();
    let mut from = Vec::new();
    if !req.run_dirs.is_empty() {
        let dirs = req.run_dirs.clone();
        let m = mapping.clone();
        let stale = settings.stale_secs;
        out.extend(
            tokio::task::spawn_blocking(move || run_dir_histories(&dirs, &m, now, stale))
                .await
                .map_err(|e| failure(e.to_string()))?
                .map_err(failure)?,
        );
        from.push(format!("run logs under {}", shown_paths(&req.run_dirs)));
    }
    if !req.series.is_empty() {
        // Streamed into the backtest later, not read here.
        from.push(shown_paths(&req.series));
    }
    let named = match &req.runs {
        Some(p) => Some(project_of(p)?),
        None if from.is_empty() && !req.run_ids.is_empty() => {
            let p = a.scope.path.project_name().ok_or_else(|| {
                failure(format!(
                    "{} is scoped to {}, not a project: say whose runs with --runs ENTITY/PROJECT",
                    a.name, a.scope.path
                ))
            })?;
            Some((a.scope.path.entity().to_string(), p))
        }
        None => None,
    };
    if let Some((entity, project)) = named {
        let which = BackendRuns {
            entity: entity.clone(),
            project: project.clone(),
            last: req.last,
            ids: req.run_ids.clone(),
        };
        out.extend(backend_histories(ctx.backend.as_ref(), a, &which).await?);
        let kept = kept_where(ctx.backend.as_ref());
        from.push(match req.run_ids.len() {
            0 => format!("the newest {} runs of {entity}/{project} {kept}", req.last),
            n => format!("{n} run(s) of {entity}/{project} {kept}"),
        });
    }
    if from.is_empty() {
        let engine = match ctx.backend.info().kind {
            crate::backend::BackendKind::Local => {
                Some(super::engine::open_with_entity(cli, "backtest").await?.0)
            }
            crate::backend::BackendKind::Wandb => None,
        };
        let (own, own_from) =
            own_histories(ctx.backend.as_ref(), engine.as_ref(), a, req.last, settings).await?;
        if own.is_empty() {
            return Err(failure(format!(
                "no history to backtest {} over: its project has no runs and no run logs are followed; give --run-dir DIR (wandb run logs), --series FILE (.csv or .jsonl), or --runs ENTITY/PROJECT",
                a.name
            )));
        }
        out.extend(own);
        from.extend(own_from);
    }
    Ok((out, from.join(", ")))
}

fn shown_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn time_json(t: i64) -> Value {
    match (t > 0)
        .then(|| jiff::Timestamp::from_second(t).ok())
        .flatten()
    {
        Some(ts) => json!(ts.to_string()),
        None => Value::Null,
    }
}

fn number_json(v: f64) -> Value {
    crate::engine::event::number_json(v)
}

/// One verdict as `--json` gives it.
pub(crate) fn verdict_json(v: &Verdict) -> Value {
    json!({
        "run": v.run.run,
        "display_name": v.run.display_name,
        "project": format!("{}/{}", v.run.entity, v.run.project),
        "fired": v.fired(),
        "firings": v.firings.iter().map(|f| {
            let mut hit = json!({
                "step": f.step, "time": time_json(f.time),
                "value": f.value.map(number_json),
                "values": f.values.iter().copied().map(number_json).collect::<Vec<_>>(),
            });
            match &f.finding {
                Some(Finding::Stall { stalled_for }) => hit["stalled_for"] = json!(stalled_for),
                Some(Finding::Nonfinite { metric }) => hit["metric"] = json!(metric),
                None => {}
            }
            hit
        }).collect::<Vec<_>>(),
        "firings_total": v.firings_total,
        "suppressed": v.suppressed.iter().map(|s| json!({
            "step": s.hit.step, "time": time_json(s.hit.time), "reason": s.why.reason(),
        })).collect::<Vec<_>>(),
        "suppressed_total": v.suppressed_total,
        "closest": v.closest.as_ref().map(|c| json!({"step": c.step, "value": number_json(c.value), "needed": c.needed})),
        "judged": v.judged,
        "excluded_by_run_filter": v.excluded,
        "last_state": v.last_state,
        "stalled": v.stalled.iter().map(gap_json).collect::<Vec<_>>(),
        "longest_gap": v.longest_gap.as_ref().map(gap_json),
        "notes": v.notes,
    })
}

fn gap_json(g: &Gap) -> Value {
    json!({
        "from": time_json(g.from),
        "to": time_json(g.to),
        "seconds": g.seconds(),
        "after_step": g.after_step,
    })
}

fn when(step: Option<i64>, time: i64) -> String {
    let at = step
        .map(|s| format!("step {s}"))
        .unwrap_or_else(|| "the end".into());
    match (time > 0)
        .then(|| jiff::Timestamp::from_second(time).ok())
        .flatten()
    {
        Some(t) => format!("{at} ({})", t.strftime("%Y-%m-%d %H:%M:%S")),
        None => at,
    }
}

/// What the automation judges, in words: `avg(loss)[5] > 0.5`, `the run finished or failed`.
pub(crate) fn condition_words(a: &Automation) -> String {
    match &a.event {
        Event::RunMetric { condition, .. } => {
            format!("{} {}", quantity(condition), needed(condition))
        }
        Event::RunState { states, .. } => {
            let names: Vec<String> = states
                .iter()
                .map(|s| s.wire_name().to_lowercase())
                .collect();
            format!("the run becomes {}", names.join(" or "))
        }
        Event::RunStalled { .. } | Event::RunMetricNonfinite { .. } => {
            crate::model::summary::event_short(&a.event)
        }
        _ => String::new(),
    }
}

/// The verdicts in words, one block per run, then the count.
pub(crate) fn describe(a: &Automation, verdicts: &[Verdict], from: &str) -> String {
    let mut out = format!(
        "{}: {}, over {} run(s) from {from}\n",
        printable(&a.name),
        condition_words(a),
        verdicts.len()
    );
    for v in verdicts {
        let name = v
            .run
            .display_name
            .clone()
            .unwrap_or_else(|| v.run.run.clone());
        // The id where it says more than the name; else the project, as runs of an entity's
        // projects may share a name.
        let aside = if name == v.run.run {
            format!("{}/{}", v.run.entity, v.run.project)
        } else {
            v.run.run.clone()
        };
        let head = format!(
            "  {} {} ({})",
            if v.fired() { '●' } else { '○' },
            printable(&name),
            printable(&aside)
        );
        match v.firings.as_slice() {
            [] if v.suppressed.is_empty() => {
                let why = match &v.closest {
                    _ if v.excluded => {
                        "never judged: the automation's run filter excludes this run".into()
                    }
                    None if matches!(a.event, Event::RunStalled { .. }) => match &v.longest_gap {
                        Some(g) => {
                            format!("never stalled: the longest silence was {}", g.words())
                        }
                        None => "never stalled: no silence could be measured".into(),
                    },
                    None if matches!(a.event, Event::RunMetricNonfinite { .. }) => {
                        "never fired: no matching metric was NaN or infinite".into()
                    }
                    Some(c) => c.words.clone(),
                    None if v.judged == 0 => match &a.event {
                        Event::RunMetric { condition, .. } => format!(
                            "never judged: it needs {} logged value(s) of {} in a row",
                            crate::engine::eval::needed(condition),
                            condition.metric()
                        ),
                        _ => match &v.last_state {
                            Some(state) => format!(
                                "never fired: its last state was {state}; it needed {}",
                                condition_words(a)
                            ),
                            None => "never fired: it reported no state".into(),
                        },
                    },
                    None => "it never fired".into(),
                };
                let verb = if v.judged == 0 { "" } else { "never fired: " };
                out.push_str(&format!("{head}  {verb}{}\n", printable(&why)));
            }
            firings => {
                out.push_str(&format!("{head}  fired {} time(s)\n", v.firings_total));
                for f in firings {
                    let value = match &f.finding {
                        Some(Finding::Stall { stalled_for }) => Some(format!(
                            ": no step for {}",
                            crate::model::timespan::words(stalled_for.unsigned_abs())
                        )),
                        Some(Finding::Nonfinite { metric }) => f.value.map(|x| {
                            format!(
                                ": {metric} = {}",
                                number_json(x).as_str().unwrap_or_default()
                            )
                        }),
                        None => None,
                    };
                    let value = value
                        .or_else(|| {
                            f.value.map(|x| {
                                format!(
                                    ": {} = {} [{}]",
                                    compared_name(a),
                                    shown(x),
                                    f.values
                                        .iter()
                                        .map(|x| shown(*x))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            })
                        })
                        .unwrap_or_default();
                    out.push_str(&format!(
                        "      fired at {}{}\n",
                        when(f.step, f.time),
                        printable(&value)
                    ));
                }
            }
        }
        for g in &v.stalled {
            out.push_str(&format!("      stalled {}\n", g.words()));
        }
        for s in v.suppressed.iter().take(SUPPRESSED_SHOWN) {
            out.push_str(&format!(
                "      suppressed at {}: {}\n",
                when(s.hit.step, s.hit.time),
                s.why.reason()
            ));
        }
        if let Some(more) = v
            .firings_total
            .checked_sub(v.firings.len())
            .filter(|n| *n > 0)
        {
            out.push_str(&format!("      ... and {more} more firings\n"));
        }
        if let Some(more) = v
            .suppressed_total
            .checked_sub(SUPPRESSED_SHOWN)
            .filter(|n| *n > 0)
        {
            out.push_str(&format!(
                "      ... and {more} more suppressed (--json lists the first {})\n",
                crate::engine::backtest::HITS_KEPT
            ));
        }
        for n in &v.notes {
            out.push_str(&format!("      note: {}\n", printable(n)));
        }
    }
    let fired = verdicts.iter().filter(|v| v.fired()).count();
    out.push_str(&format!(
        "Would have fired on {fired} of {} run(s). Nothing was sent.\n",
        verdicts.len()
    ));
    out
}

/// `backtest NAME|ID|-f FILE [sources] [--json]`.
pub(crate) async fn run(
    cli: &super::Cli,
    ctx: &Context,
    req: &BacktestArgs,
) -> Result<(), CliError> {
    let a = automation(ctx, req).await?;
    judgeable(&a).map_err(failure)?;
    // Read first: an older server says so before any run is read.
    let recorded = match (req.compare_history, &a.id) {
        (false, _) => None,
        (true, None) => {
            return Err(CliError::Usage(
                "--compare-history needs a saved automation (its executions): name it instead of -f FILE".into(),
            ));
        }
        (true, Some(id)) => Some(
            crate::ops::backtest::recorded(ctx.backend.as_ref(), id, None)
                .await
                .map_err(no_history)?,
        ),
    };
    let settings = crate::ops::backtest::Settings::of(&ctx.config.engine);
    let (runs, from) = histories(cli, ctx, &a, req, settings).await?;
    let path = |r: &crate::engine::event::RunRef| format!("{}/{}/{}", r.entity, r.project, r.run);
    let clocks: std::collections::HashMap<String, StepClock> = runs
        .iter()
        .map(|h| (path(&h.run), StepClock::of(h)))
        .collect();
    let options = Options {
        limit: settings.limit,
        trace: false,
    };
    let verdicts =
        crate::ops::backtest::judge_with_series(&a, runs, req.series.clone(), options).await?;
    if let Event::RunMetricNonfinite { metric, .. } = &a.event
        && !verdicts.iter().any(|v| v.metric_seen)
    {
        eprintln!(
            "note: {} matches no metric in the data; nothing was judged",
            printable(metric)
        );
    }
    let unstepped = StepClock::default();
    let source = crate::ops::backtest::records_of(ctx.backend.as_ref());
    let compared: Option<Vec<Comparison>> = recorded.map(|recorded| {
        verdicts
            .iter()
            .map(|v| {
                let clock = clocks.get(&path(&v.run)).unwrap_or(&unstepped);
                crate::ops::compare::compare(&a, v, &recorded, source, clock)
            })
            .collect()
    });
    if req.json {
        let doc: Vec<Value> = verdicts
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut one = verdict_json(v);
                if let Some(c) = compared.as_ref().and_then(|c| c.get(i)) {
                    one["history"] = c.to_json();
                }
                one
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        print!("{}", describe(&a, &verdicts, &from));
        if let Some(compared) = &compared {
            print!("{}", comparison_words(&verdicts, compared));
        }
    }
    Ok(())
}

/// A W&B server that keeps no history says so in its one line (exit 1).
fn no_history(e: crate::backend::BackendError) -> CliError {
    match e {
        crate::backend::BackendError::NoHistory(m) => failure(m),
        other => other.into(),
    }
}

/// Each run's verdict beside what was recorded on it: agreement, or each disagreement.
fn comparison_words(verdicts: &[Verdict], compared: &[Comparison]) -> String {
    let who = compared.first().map_or("the records", Comparison::who);
    let agreeing = compared.iter().filter(|c| c.agrees()).count();
    let mut out = format!("Beside {who}'s executions:\n");
    for (v, c) in verdicts.iter().zip(compared) {
        let name = v.run.display_name.as_deref().unwrap_or(&v.run.run);
        let mark = if c.agrees() { '=' } else { '≠' };
        out.push_str(&format!(
            "  {mark} {} ({})\n",
            printable(name),
            printable(&v.run.run)
        ));
        for line in c.words() {
            out.push_str(&format!("      {}\n", printable(&line)));
        }
    }
    out.push_str(&format!(
        "Agrees with {who} on {agreeing} of {} run(s).\n",
        compared.len()
    ));
    out
}
