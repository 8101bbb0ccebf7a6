//! The commands several screens and boxes share, and those that open a screen from the list.
//! Commands of one screen or box are in its own module.

use super::{Row, row};
use crate::app::input::Move;

super::commands! {
    DOWN: "down" ["j", "down"] listed reads "down" "move down";
    UP: "up" ["k", "up"] listed reads "up" "move up";
    TOP: "top" ["g", "home"] listed reads "top" "go to the top";
    BOTTOM: "bottom" ["G", "end"] listed reads "bottom" "go to the bottom";
    PAGE_DOWN: "page_down" ["pgdn"] listed reads "page" "one page down";
    PAGE_UP: "page_up" ["pgup"] listed reads "page up" "one page up";
    HALF_DOWN: "half_page_down" ["ctrl-d"] listed reads "half page" "half a page down";
    HALF_UP: "half_page_up" ["ctrl-u"] listed reads "half up" "half a page up";
    SCROLL_LEFT: "scroll_left" ["h", "left"] listed reads "left" "scroll long lines left (Wire, Python, raw JSON)";
    SCROLL_RIGHT: "scroll_right" ["l", "right"] listed reads "right" "scroll long lines right (Wire, Python, raw JSON)";
    OPEN: "open" ["enter"] footer reads "open" "open the detail / the execution";
    NEW: "new" ["n"] footer writes "new" "new automation (wizard)";
    INTEGRATIONS: "integrations" ["i"] footer reads "integrations" "Slack and webhook integrations";
    RUNS: "runs" ["r"] listed reads "runs" "recorded runs and the run logs followed";
    HISTORY: "history" ["h"] footer reads "history" "what fired: W&B's records or the local engine's (history)";
    STATUS_FILTER: "status_filter" ["f"] footer reads "status" "show only one status (all, success, failed, skipped…)";
    JUDGE: "judge" ["b"] footer reads "judge" "open the Backtest tab on this execution's run and step";
    REFRESH: "refresh" ["ctrl-r"] listed reads "refresh" "reload now";
    PAUSE: "pause_refresh" ["p"] listed reads "pause" "pause / resume auto-refresh";
    HELP: "help" ["?"] footer reads "help" "help";
    PALETTE: "palette" [":"] listed reads "palette" "command palette";
    BACK: "back" ["q", "esc"] footer reads "back" "back; quit from the list";
    QUIT: "quit" ["ctrl-c"] listed reads "quit" "quit";
    RUN: "run" ["enter"] footer reads "run" "run the highlighted command / switch";
    CLOSE: "close" ["esc"] footer reads "close" "close the box";
}

/// Every movement: line, ends, page and half page.
pub(crate) fn moves<B, M: Into<B>>(wrap: impl Fn(Move) -> M) -> Vec<Row<B>> {
    [
        (&DOWN, Move::Down),
        (&UP, Move::Up),
        (&TOP, Move::Top),
        (&BOTTOM, Move::Bottom),
        (&PAGE_DOWN, Move::PageDown),
        (&PAGE_UP, Move::PageUp),
        (&HALF_DOWN, Move::HalfDown),
        (&HALF_UP, Move::HalfUp),
    ]
    .into_iter()
    .map(|(def, m)| row(def, wrap(m)))
    .collect()
}

/// Scrolling long lines left and right, sending `wrap(-1)` and `wrap(1)`.
pub(crate) fn sideways<B, M: Into<B>>(wrap: impl Fn(isize) -> M) -> Vec<Row<B>> {
    vec![row(&SCROLL_LEFT, wrap(-1)), row(&SCROLL_RIGHT, wrap(1))]
}

/// The keys of [`sideways`] as a hint names them (`h/l`).
pub(crate) fn sideways_keys<B: Clone>(keymap: &super::Keymap<B>, mode: super::Mode) -> String {
    format!(
        "{}/{}",
        keymap.key(&SCROLL_LEFT, mode),
        keymap.key(&SCROLL_RIGHT, mode)
    )
}

/// Down and up only (menus and typed lines, where the letters are typed).
pub(crate) fn up_down<B, M: Into<B>>(wrap: impl Fn(Move) -> M) -> Vec<Row<B>> {
    vec![row(&DOWN, wrap(Move::Down)), row(&UP, wrap(Move::Up))]
}
