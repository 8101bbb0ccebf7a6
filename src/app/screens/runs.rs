//! The Runs screen (`r`): the runs the local engine follows through their run logs (name,
//! project, state, last step, last event), and, with `enter`, what fired on the highlighted one.

use super::super::keys::Action;
use super::super::msg::Effect;
use super::super::state::State;
use super::super::store::session::RequestKind;
use super::super::text::{Doc, Piece, TextLine, Tone};
use super::Screen;
use crate::ops::FollowedRun;

/// The Runs screen.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunsScreen {
    /// The runs; `None` while loading.
    pub rows: Option<Result<Vec<FollowedRun>, String>>,
    /// The highlighted run.
    pub selected: usize,
    /// The highlighted run's firings are shown.
    pub open: bool,
    /// The text shown.
    pub doc: Doc,
}

fn state_tone(state: &str) -> Tone {
    match state {
        "finished" => Tone::On,
        "failed" | "crashed" => Tone::Error,
        _ => Tone::Warn,
    }
}

impl RunsScreen {
    /// Makes the text again.
    pub fn prepare(&mut self, now: i64) {
        let ago = |t: Option<i64>| {
            t.map_or_else(|| "-".to_string(), |t| super::super::layout::ago(now, t))
        };
        self.doc = match &self.rows {
            None => Doc::prose(vec![TextLine::toned(Tone::Warn, "loading the runs…")]),
            Some(Err(e)) => Doc::prose(vec![TextLine::toned(
                Tone::Error,
                format!("could not load the runs: {e}"),
            )]),
            Some(Ok(rows)) if rows.is_empty() => Doc::prose(vec![TextLine::toned(
                Tone::Dim,
                "no run logs followed yet: `wbauto engine --watch ./wandb` or `wbauto emit --run-dir ./wandb`",
            )]),
            Some(Ok(rows)) => {
                self.selected = self.selected.min(rows.len() - 1);
                let mut lines = Vec::new();
                for (i, r) in rows.iter().enumerate() {
                    let selected = i == self.selected;
                    let line = TextLine::new(vec![
                        Piece::plain(if selected { "▶ " } else { "  " }),
                        Piece::plain(format!("{:<24} ", r.name)),
                        Piece::new(Tone::Dim, format!("{:<22} ", r.project)),
                        Piece::new(state_tone(&r.state), format!("{:<9} ", r.state)),
                        Piece::plain(format!(
                            "step {:<7} ",
                            r.last_step
                                .map(|s| s.to_string())
                                .unwrap_or_else(|| "-".into())
                        )),
                        Piece::new(Tone::Dim, format!("{:>4} ago  ", ago(r.last_time))),
                        Piece::plain(format!("{} fired", r.firings.len())),
                    ]);
                    lines.push(if selected {
                        line.with_tone(Tone::Selected)
                    } else {
                        line
                    });
                    if selected && self.open {
                        if r.firings.is_empty() {
                            lines.push(TextLine::toned(
                                Tone::Dim,
                                "      nothing fired on this run",
                            ));
                        }
                        for f in &r.firings {
                            let (glyph, tone) = super::history::glyph(&f.status);
                            let step = f.step.map(|s| format!("step {s}")).unwrap_or_default();
                            lines.push(TextLine::new(vec![
                                Piece::plain("      "),
                                Piece::new(tone, format!("{glyph} {:<11} ", f.status)),
                                Piece::plain(format!(
                                    "{:<24} {:<18} {step}",
                                    f.automation_name, f.event_type
                                )),
                            ]));
                        }
                        lines.push(TextLine::toned(Tone::Dim, format!("      {}", r.path)));
                    }
                }
                Doc::code(lines)
            }
        };
    }
}

/// A new runs request; older answers will be dropped.
pub fn request(state: &mut State) -> Effect {
    Effect::LoadRuns {
        request: state.session.request(RequestKind::Runs),
    }
}

/// Opens the Runs screen.
pub fn open(state: &mut State) -> Vec<Effect> {
    let mut screen = RunsScreen::default();
    screen.prepare(state.now);
    state.screen = Screen::Runs(screen);
    vec![request(state)]
}

/// The runs arrived.
pub fn on_loaded(state: &mut State, request: u64, result: Result<Vec<FollowedRun>, String>) {
    if !state.session.is_latest(RequestKind::Runs, request) {
        return;
    }
    let now = state.now;
    if let Screen::Runs(r) = &mut state.screen {
        r.rows = Some(result);
        r.prepare(now);
    }
}

/// The Runs screen's commands.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let now = state.now;
    let page = state.page_rows() as isize;
    let Screen::Runs(screen) = &mut state.screen else {
        return None;
    };
    match action {
        _ if super::is_movement(action) => {
            let n = match &screen.rows {
                Some(Ok(rows)) => rows.len() as isize,
                _ => 0,
            };
            let to = (screen.selected as isize).saturating_add(super::delta(action, page));
            screen.selected = to.clamp(0, (n - 1).max(0)) as usize;
        }
        Action::Open => screen.open = !screen.open,
        Action::Refresh => return Some(vec![request(state)]),
        Action::Back if screen.open => screen.open = false,
        Action::Back => {
            state.screen = Screen::List;
            return Some(Vec::new());
        }
        _ => return None,
    }
    screen.prepare(now);
    Some(Vec::new())
}
