//! The screens, one module each: what each holds and how it answers the commands of its
//! context. `update` routes a command to the top modal first, then to the screen, then to the
//! commands that work on every screen (`global`).

pub mod backtest;
pub mod detail;
pub mod global;
pub mod history;
pub mod integrations;
pub mod list;
pub mod raw;
pub mod runs;
pub mod wizard;

use super::keys::{Action, Context};
use super::msg::Effect;
use super::state::State;

/// The screen shown under any modals.
#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    /// The automation list with its detail pane.
    List,
    /// The full detail of the selected automation.
    Detail(detail::DetailScreen),
    /// The stored JSON of the selected automation.
    Raw(raw::RawScreen),
    /// The integrations of the entity.
    Integrations(integrations::IntegrationsScreen),
    /// What the local engine fired.
    History(history::HistoryScreen),
    /// The runs the engine follows through their run logs.
    Runs(runs::RunsScreen),
    /// The creation wizard.
    Wizard(Box<wizard::WizardScreen>),
}

impl Screen {
    /// The context its keys are looked up in.
    pub fn context(&self) -> Context {
        match self {
            Screen::List => Context::List,
            Screen::Detail(_) => Context::Detail,
            Screen::Raw(_) => Context::Raw,
            Screen::Integrations(_) => Context::Integrations,
            Screen::History(_) => Context::History,
            Screen::Runs(_) => Context::Runs,
            Screen::Wizard(w) => w.context(),
        }
    }

    /// Whether it shows a spinner.
    pub fn animated(&self) -> bool {
        match self {
            Screen::Wizard(w) => w.animated(),
            Screen::Detail(d) => {
                d.tab == detail::DetailTab::Backtest && d.backtest.waiting.is_some()
            }
            _ => false,
        }
    }
}

/// Runs a command on the screen, then as a global one; `None` when neither takes it.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let taken = match &state.screen {
        Screen::List => list::on_action(state, action),
        Screen::Detail(_) => detail::on_action(state, action),
        Screen::Raw(_) => raw::on_action(state, action),
        Screen::Integrations(_) => integrations::on_action(state, action),
        Screen::History(_) => history::on_action(state, action),
        Screen::Runs(_) => runs::on_action(state, action),
        Screen::Wizard(_) => wizard::on_action(state, action),
    };
    taken.or_else(|| global::on_action(state, action))
}

/// A key no command took: the screen's text input, if it has one.
pub fn on_text(state: &mut State, key: crossterm::event::KeyEvent) -> Vec<Effect> {
    if state.selection.editing_filter() {
        return list::on_filter_text(state, key);
    }
    match &state.screen {
        Screen::Wizard(_) => wizard::on_text(state, key),
        _ => Vec::new(),
    }
}

/// How far a movement command moves, in rows.
pub fn delta(action: Action, page: isize) -> isize {
    match action {
        Action::Down => 1,
        Action::Up => -1,
        Action::PageDown => page,
        Action::PageUp => -page,
        Action::HalfDown => (page / 2).max(1),
        Action::HalfUp => -(page / 2).max(1),
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => 0,
    }
}

/// Whether a command moves.
pub fn is_movement(action: Action) -> bool {
    delta(action, 2) != 0
}

/// Scrolls `value` by `by`, within `0..=limit`.
pub fn scroll(value: &mut u16, by: isize, limit: u16) {
    let to = (*value as isize).saturating_add(by.clamp(-100_000, 100_000));
    *value = to.clamp(0, limit as isize) as u16;
}
