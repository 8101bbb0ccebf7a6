//! Following run logs on disk: finding `run-*.wandb` files under a directory (recursively, new
//! ones as they appear, `latest-run` links ignored, directories of runs that ended skipped),
//! reading only what was appended since the remembered offset, and telling whether a log's
//! writer is gone. Works by polling, never inotify, so it works the same on NFS, Lustre and
//! other shared filesystems where change notices from other hosts never arrive.

use super::events::{Mapping, RunLog};
use super::framing::{FileHeader, Framer, HEADER, Step, file_header};
use super::record::decode;
use crate::engine::event::EngineEvent;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Every `run-*.wandb` under `dir`, sorted; symbolic links (such as `wandb/latest-run`) are not
/// followed, so a run is found once.
pub fn find(dir: &Path) -> Vec<PathBuf> {
    find_except(dir, &std::collections::HashSet::new())
}

/// [`find`], not looking into the directories in `skip` (those of runs that ended).
pub(crate) fn find_except(dir: &Path, skip: &std::collections::HashSet<PathBuf>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if skip.contains(&d) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() && name.starts_with("run-") && name.ends_with(".wandb") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The run id in a log's file name (`run-<id>.wandb`).
pub fn run_id(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .and_then(|n| {
            n.strip_prefix("run-")
                .and_then(|r| r.strip_suffix(".wandb"))
                .map(str::to_string)
        })
        .unwrap_or_default()
}

/// What one read of a log produced.
#[derive(Debug, Default)]
pub struct Reading {
    /// The events, in file order.
    pub events: Vec<EngineEvent>,
    /// What the follower remembers now (save it with the events).
    pub log: RunLog,
    /// Things to tell the user (skipped bytes, lost records, a file that shrank).
    pub warnings: Vec<String>,
    /// Whether there may be more to read right away (the record limit was reached).
    pub more: bool,
}

/// Reads what was appended to `path` since `log.offset`, at most `limit` records.
pub fn read(
    path: &Path,
    log: &RunLog,
    mapping: &Mapping,
    now: i64,
    limit: usize,
) -> Result<Reading, String> {
    let shown = path.display();
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot open {shown}: {e}"))?;
    let size = file
        .metadata()
        .map_err(|e| format!("cannot read {shown}: {e}"))?
        .len();
    let mut out = Reading {
        log: log.clone(),
        ..Reading::default()
    };
    if size < log.size {
        out.warnings.push(format!(
            "{shown} shrank ({} to {size} bytes): reading it again from the start",
            log.size
        ));
        out.log = RunLog::default();
    }
    if size > out.log.size || out.log.grew_at == 0 {
        // First sight: the file last grew when it was last written.
        out.log.grew_at = if out.log.size == 0 {
            modified(path).unwrap_or(now)
        } else {
            now
        };
    }
    out.log.size = size;
    let mut head = [0u8; HEADER as usize];
    let got = file
        .read(&mut head)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    match file_header(&head[..got]) {
        FileHeader::NotStarted => return Ok(out),
        FileHeader::Ok => {}
        FileHeader::Newer(v) => {
            return Err(format!(
                "{shown} was written by a newer wandb (log format {v}); this wbauto reads format 0 — upgrade wbauto"
            ));
        }
        FileHeader::Bad => {
            return Err(format!(
                "{shown} is not a W&B transaction log (bad file header)"
            ));
        }
    }
    let start = out.log.offset.max(HEADER);
    let mut framer = Framer::at(start);
    file.seek(SeekFrom::Start(start))
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    let mut chunk = vec![0u8; 1 << 20];
    let mut records = 0;
    'reading: loop {
        loop {
            match framer.next_step() {
                Step::Record { payload, end, .. } => {
                    out.log.offset = end;
                    match decode(&payload) {
                        Ok(r) => {
                            let events = out.log.on_record(r, mapping, &mut out.warnings);
                            out.events.extend(events);
                        }
                        Err(_) => out.warnings.push(format!(
                            "{shown}: a record at offset {end} could not be decoded; skipped"
                        )),
                    }
                    records += 1;
                    if records >= limit {
                        out.more = true;
                        break 'reading;
                    }
                }
                Step::Skipped { from, to, why } => {
                    out.warnings
                        .push(format!("{shown}: skipped bytes {from}..{to} ({why})"));
                }
                Step::NeedMore => break,
            }
        }
        let n = file
            .read(&mut chunk)
            .map_err(|e| format!("cannot read {shown}: {e}"))?;
        if n == 0 {
            break;
        }
        framer.push(&chunk[..n]);
    }
    out.log.offset = out.log.offset.max(framer.resume_at().min(size));
    Ok(out)
}

fn modified(path: &Path) -> Option<i64> {
    let t = std::fs::metadata(path).ok()?.modified().ok()?;
    t.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs() as i64)
}

/// This machine's host name.
/// The writer's process id from the run's `logs/debug.log` (`MainThread:<pid>`).
fn writer_pid(log: &Path) -> Option<i64> {
    let debug = log.parent()?.join("logs").join("debug.log");
    let mut text = String::new();
    std::fs::File::open(debug)
        .ok()?
        .take(4096)
        .read_to_string(&mut text)
        .ok()?;
    let at = text.find("MainThread:")? + "MainThread:".len();
    text[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Which rule found a log's writer gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gone {
    /// `wandb sync` marked the log synced.
    Synced,
    /// The writer's process on this host is gone (or its id is now another, newer process's).
    Exited(i64),
    /// The file has not grown for `secs` (the only rule for a log written on another host,
    /// whose processes cannot be seen from here).
    Stale {
        /// Seconds without growth.
        secs: i64,
        /// The host that wrote it, when the run record names one.
        host: Option<String>,
    },
}

impl Gone {
    /// The rule in words, for history.
    pub fn words(&self) -> String {
        match self {
            Gone::Synced => "the log was marked synced without an exit record".into(),
            Gone::Exited(pid) => format!("its writer (process {pid} on this host) is gone"),
            Gone::Stale { secs, host } => {
                let by = host
                    .as_deref()
                    .map(|h| format!(" (written on host {h})"))
                    .unwrap_or_default();
                format!("the log did not grow for {secs} s{by}")
            }
        }
    }
}

/// For a log written on this host by a process whose id it names: that id, and whether the
/// process is still there (and is not a newer process given the same id). `None` for a log
/// written elsewhere, or whose writer is not known.
pub fn writer_here(path: &Path, log: &RunLog) -> Option<(i64, bool)> {
    let here = log
        .host
        .as_deref()
        .is_some_and(|h| h == crate::engine::host::name());
    let pid = writer_pid(path).filter(|_| here)?;
    let alive = crate::engine::host::alive(pid);
    let started = modified(Path::new(&format!("/proc/{pid}")));
    let newer = started
        .zip(modified(path.parent().unwrap_or(path)))
        .is_some_and(|(p, d)| p > d);
    Some((pid, alive && !newer))
}

/// Whether the writer of a log (without an exit record) is gone, and by which rule: the log
/// was synced; on this host, its writer's process is not alive (a process that is alive but
/// writes nothing is a stalled run, not a crashed one); elsewhere, or with no process known,
/// the file has not grown for `stale_secs`.
pub fn writer_gone(path: &Path, log: &RunLog, now: i64, stale_secs: i64) -> Option<Gone> {
    if path.with_extension("wandb.synced").exists() {
        return Some(Gone::Synced);
    }
    if let Some((pid, alive)) = writer_here(path, log) {
        return (!alive).then_some(Gone::Exited(pid));
    }
    let secs = now - log.grew_at;
    (secs >= stale_secs).then(|| Gone::Stale {
        secs,
        host: log.host.clone(),
    })
}

/// A whole run log at once, for a backtest: its run and every event, warnings as notes. A log
/// without an exit record whose writer is gone ends with the crash. `None` when the log names
/// no run yet (nothing written).
pub(crate) fn read_whole(
    path: &Path,
    mapping: &Mapping,
    now: i64,
    stale_secs: i64,
) -> Result<Option<crate::engine::backtest::RunHistory>, String> {
    let mut log = RunLog::default();
    let mut events = Vec::new();
    let mut notes = Vec::new();
    loop {
        let reading = read(path, &log, mapping, now, 100_000)?;
        events.extend(reading.events);
        notes.extend(reading.warnings);
        log = reading.log;
        if !reading.more {
            break;
        }
    }
    if !log.ended
        && let Some(gone) = writer_gone(path, &log, now, stale_secs)
    {
        events.extend(log.crashed(&gone.words()));
    }
    let Some((entity, project, run, display_name)) = log.run.clone() else {
        return Ok(None);
    };
    Ok(Some(crate::engine::backtest::RunHistory {
        run: crate::engine::event::RunRef {
            entity,
            project,
            run,
            display_name,
            user: log.user.clone(),
        },
        events,
        notes,
    }))
}
