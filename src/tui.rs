//! The terminal loop: the only place that ties the app core to the screen. Input comes from
//! crossterm's event stream; effects go to the runner; drawing happens only when something
//! changed, at most once per 10 ms. The terminal is restored on every way out.

use crate::app::msg::{Effect, Msg};
use crate::app::runner::Runner;
use crate::app::state::ToastKind;
use crate::app::store::list::Loading;
use crate::app::store::session::BackendOffer;
use crate::app::{State, update};
use crate::backend::Backend;
use crate::config::file::{ConfigFile, ConfigWarning};
use crate::model::Capabilities;
use crate::wizard::draft::Draft;
use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Everything the dashboard starts with.
pub(crate) struct Setup {
    /// Backends to offer; the first is opened.
    pub(crate) backends: Vec<(Arc<dyn Backend>, BackendOffer)>,
    /// The local engine of each backend that has one (indexed like `backends`).
    pub(crate) engines: Vec<Option<Arc<crate::engine::Engine>>>,
    /// The entity to show, when known without asking the backend (else its default, asked for
    /// behind the first frame).
    pub(crate) entity: Option<String>,
    /// Why writes are refused, if they are.
    pub(crate) read_only: Option<String>,
    /// `config.toml`.
    pub(crate) config: ConfigFile,
    /// Problems found in the config, shown as toasts.
    pub(crate) warnings: Vec<ConfigWarning>,
    /// Draw without colour.
    pub(crate) mono: bool,
    /// Exit right after the first frame with the list on screen (start-up measurements).
    pub(crate) exit_after_first_frame: bool,
    /// Where the wizard keeps its draft (`None`: no drafts).
    pub(crate) draft_path: Option<PathBuf>,
}

/// Reads the wizard's draft, if one was left; a broken one is set aside with a warning.
fn load_draft(path: Option<&Path>) -> (Option<Draft>, Option<String>) {
    let Some(path) = path else {
        return (None, None);
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        return (None, None);
    };
    match Draft::from_text(&text) {
        Ok(draft) => (Some(draft), None),
        Err(e) => {
            let _ = std::fs::rename(path, path.with_extension("json.broken"));
            (None, Some(e))
        }
    }
}

/// The number of the newest draft write asked for; older ones still queued are skipped.
static DRAFT_GENERATION: AtomicU64 = AtomicU64::new(0);
/// Draft writes run one at a time, so a slower older write never lands after a newer one.
static DRAFT_WRITER: Mutex<()> = Mutex::new(());

/// Writes or removes the draft off the UI thread (the write is atomic and private). Writes
/// happen one at a time and only the newest one asked for is carried out.
fn store_draft(path: Option<&Path>, text: Option<String>) {
    let Some(path) = path.map(Path::to_path_buf) else {
        return;
    };
    let generation = DRAFT_GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
    tokio::task::spawn_blocking(move || {
        let _writer = DRAFT_WRITER.lock().unwrap_or_else(PoisonError::into_inner);
        if DRAFT_GENERATION.load(Ordering::SeqCst) != generation {
            return;
        }
        let result = match text {
            Some(text) => crate::fsutil::write_private(&path, text.as_bytes()),
            None => std::fs::remove_file(&path).or_else(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(e)
                }
            }),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, path = %path.display(), "cannot store the wizard draft");
        }
    });
}

const MIN_FRAME: Duration = Duration::from_millis(10);

fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Builds the initial state from the setup.
pub(crate) fn initial_state(setup: &Setup, now: i64) -> State {
    let choices = setup.backends.iter().map(|(_, c)| c.clone()).collect();
    let mut state = State::new(
        choices,
        setup.entity.clone().unwrap_or_default(),
        Capabilities::default(),
        now,
    );
    state.set_read_only(setup.read_only.clone());
    let remaps = state.configure(&setup.config, setup.mono);
    for w in setup.warnings.iter().chain(&remaps) {
        state.toast_for(ToastKind::Error, w.to_string(), 12);
    }
    state
}

/// Runs the dashboard until the user quits, or until SIGTERM, SIGHUP (a dropped SSH session) or
/// SIGINT; the terminal is restored on every way out. Returns the signal that ended it, if any.
pub(crate) async fn run(setup: Setup) -> Result<Option<i32>, String> {
    let mut terminal =
        ratatui::try_init().map_err(|e| format!("cannot start the terminal UI: {e}"))?;
    let result = event_loop(&mut terminal, setup).await;
    ratatui::restore();
    result
}

/// A stream of one signal (one that never fires when it cannot be installed).
fn signal(kind: tokio::signal::unix::SignalKind) -> Option<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(kind).ok()
}

async fn next(signal: &mut Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}

fn suspend() {
    ratatui::restore();
}

/// Takes the terminal back after an editor ran. `Terminal::clear` would ask the terminal for the
/// cursor position, which races with the event reader just stopped; so the screen is cleared
/// directly and an empty frame makes ratatui forget what it last drew.
fn resume(terminal: &mut DefaultTerminal) -> Result<(), String> {
    use crossterm::terminal::{Clear, ClearType, EnterAlternateScreen, enable_raw_mode};
    enable_raw_mode().map_err(|e| e.to_string())?;
    crossterm::execute!(
        std::io::stdout(),
        EnterAlternateScreen,
        Clear(ClearType::All),
        crossterm::cursor::Hide
    )
    .map_err(|e| e.to_string())?;
    terminal.draw(|_| {}).map(|_| ()).map_err(|e| e.to_string())
}

/// Opens `text` in `$VISUAL`/`$EDITOR` (else `vi`) in a private temporary file; returns the text saved.
fn run_editor(id: &str, text: &str) -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| std::env::var("EDITOR").ok())
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi").to_string();
    let safe: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
    let path = std::env::temp_dir().join(format!("wbauto-{}-{safe}.yaml", std::process::id()));
    crate::fsutil::write_private(&path, text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let status = std::process::Command::new(&program)
        .args(words)
        .arg(&path)
        .status();
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read back {}: {e}", path.display())),
        Ok(s) => Err(format!(
            "the editor {program:?} exited with {s}; nothing was saved"
        )),
        Err(e) => Err(format!(
            "cannot run the editor {program:?} ({e}); set $VISUAL or $EDITOR"
        )),
    };
    let _ = std::fs::remove_file(&path);
    result
}

/// Writes an OSC 52 clipboard sequence (works over SSH when the terminal allows it).
fn copy(text: &str) {
    let mut out = std::io::stdout();
    let _ = crossterm::execute!(
        out,
        crossterm::clipboard::CopyToClipboard::to_clipboard_from(text.as_bytes())
    );
    let _ = out.flush();
}

async fn event_loop(terminal: &mut DefaultTerminal, setup: Setup) -> Result<Option<i32>, String> {
    use tokio::signal::unix::SignalKind;
    let mut term = signal(SignalKind::terminate());
    let mut hangup = signal(SignalKind::hangup());
    let mut interrupt = signal(SignalKind::interrupt());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let exit_after_first_frame = setup.exit_after_first_frame;
    let mut state = initial_state(&setup, now_secs());
    let draft_path = setup.draft_path.clone();
    let (draft, problem) = load_draft(draft_path.as_deref());
    state.offer_draft(draft);
    if let Some(problem) = problem {
        state.toast_for(ToastKind::Error, problem, 4);
    }
    let runner = Runner::new(
        setup.backends.into_iter().map(|(b, _)| b).collect(),
        setup.engines,
        crate::ops::backtest::Settings::of(&setup.config.engine),
        tx,
    );
    let size = terminal.size().map_err(|e| e.to_string())?;
    update(&mut state, Msg::Resize(size.width, size.height));
    let mut effects = vec![update::connect(&mut state, setup.entity.clone())];
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(Duration::from_millis(250));
    let mut dirty = true;
    let mut last_draw = Instant::now() - MIN_FRAME;
    loop {
        for effect in std::mem::take(&mut effects) {
            match runner.run(effect, state.session().backend()) {
                Some(Effect::Copy { text }) => copy(&text),
                Some(Effect::Edit { id, text }) => {
                    drop(events);
                    suspend();
                    let result = run_editor(&id, &text);
                    resume(terminal)?;
                    events = EventStream::new();
                    effects.extend(update(&mut state, Msg::Edited { id, result }));
                    dirty = true;
                }
                Some(Effect::SaveDraft { text }) => store_draft(draft_path.as_deref(), Some(text)),
                Some(Effect::ClearDraft) => store_draft(draft_path.as_deref(), None),
                Some(other) => tracing::warn!(?other, "an effect had no backend to run on"),
                None => {}
            }
        }
        if state.quitting() {
            return Ok(None);
        }
        if !effects.is_empty() {
            continue;
        }
        if dirty && last_draw.elapsed() >= MIN_FRAME {
            terminal
                .draw(|frame| crate::ui::view(&state, frame))
                .map_err(|e| format!("cannot draw: {e}"))?;
            dirty = false;
            last_draw = Instant::now();
            if exit_after_first_frame && *state.list().loading() != Loading::Loading {
                return Ok(None);
            }
        }
        let wait = MIN_FRAME.saturating_sub(last_draw.elapsed());
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("cannot read the terminal: {e}")),
                None => return Ok(None),
            },
            _ = next(&mut term) => return Ok(Some(libc::SIGTERM)),
            _ = next(&mut hangup) => return Ok(Some(libc::SIGHUP)),
            _ = next(&mut interrupt) => return Ok(Some(libc::SIGINT)),
            Some(msg) = rx.recv() => msg,
            _ = ticker.tick() => Msg::Tick(now_secs()),
            _ = tokio::time::sleep(wait), if dirty => continue,
        };
        let animated = state.animated();
        let second = state.now();
        let tick = matches!(msg, Msg::Tick(_));
        effects = update(&mut state, msg);
        dirty |= !tick || animated || state.now() != second;
    }
}
