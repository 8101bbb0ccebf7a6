//! One painter per screen of `app::screens`, and their registry: one line per screen below.

pub(crate) mod backtest;
pub(crate) mod detail;
pub(crate) mod executions;
pub(crate) mod history;
pub(crate) mod integrations;
pub(crate) mod list;
pub(crate) mod raw;
pub(crate) mod runs;
pub(crate) mod wizard;

use super::theme::Theme;
use crate::app::State;
use crate::app::layout::Layout;
use crate::app::screens::Screen;
use ratatui::Frame;

/// Paints the screen shown into the body.
pub(crate) fn draw(state: &State, layout: &Layout, theme: Theme, frame: &mut Frame) {
    match &state.screen {
        Screen::List(s) => list::draw(state, s, layout, theme, frame),
        Screen::Detail(s) => detail::draw(state, s, layout, theme, frame),
        Screen::Raw(s) => raw::draw(state, s, layout, theme, frame),
        Screen::Integrations(s) => integrations::draw(state, s, layout, theme, frame),
        Screen::Runs(s) => runs::draw(state, s, layout, theme, frame),
        Screen::History(s) => history::draw(state, s, layout, theme, frame),
        Screen::Wizard(s) => wizard::draw(state, s, layout, theme, frame),
    }
}
