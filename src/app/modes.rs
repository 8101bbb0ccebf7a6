//! The key table of the dashboard: every mode with its rows, gathered from the screens and the
//! modals that declare them, plus the terminal-too-small mode; quitting works in every mode.

use super::global::Global;
use super::keys::{Group, Input, Keymap, Mode, Row, defs, row};
use super::modals::{self, ModalMsg};
use super::screens::{self, ScreenMsg};
use crate::config::file::{ConfigFile, ConfigWarning};

/// What a row of the key table sends: a message to the screen, to the modal on top, or a
/// command of the dashboard itself.
#[derive(Clone, Debug)]
pub(crate) enum Bound {
    Screen(ScreenMsg),
    Modal(ModalMsg),
    Global(Global),
}

impl From<Global> for Bound {
    fn from(global: Global) -> Self {
        Bound::Global(global)
    }
}

/// The dashboard's key table.
pub(crate) type AppKeymap = Keymap<Bound>;

/// The terminal is too small to show anything: only quitting works.
pub(crate) const TOO_SMALL: Mode = Mode::new(
    "too_small",
    "terminal too small",
    Input::Keys,
    Group::Terminal,
);

/// Every mode with its rows, quitting added to each.
fn table() -> Vec<(Mode, Vec<Row<Bound>>)> {
    let mut modes = screens::keys();
    modes.extend(modals::keys());
    modes.push((TOO_SMALL, vec![row(&defs::BACK, Global::Quit)]));
    for (_, rows) in &mut modes {
        rows.push(row(&defs::QUIT, Global::Quit));
    }
    modes
}

/// The key table with the remaps of `config.toml`, and what was wrong with them.
pub(crate) fn keymap(config: &ConfigFile) -> (AppKeymap, Vec<ConfigWarning>) {
    let mut keymap = Keymap::new(table());
    let warnings = keymap.remap(config);
    (keymap, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keys::Chord;
    use std::collections::HashMap;

    #[test]
    fn the_default_table_is_consistent() {
        let modes = table();
        let mut defs: HashMap<&str, &crate::app::keys::Def> = HashMap::new();
        for (mode, rows) in &modes {
            for (i, a) in rows.iter().enumerate() {
                let same = defs.entry(a.def.name).or_insert(a.def);
                assert_eq!(*same, a.def, "two commands are named {}", a.def.name);
                for k in a.def.keys {
                    assert!(Chord::parse(k).is_some(), "{}: {k:?}", a.def.name);
                }
                for b in &rows[i + 1..] {
                    let clash = a.def.keys.iter().any(|k| b.def.keys.contains(k));
                    assert!(
                        !clash || a.def.name == b.def.name,
                        "{} and {} clash in {}",
                        a.def.name,
                        b.def.name,
                        mode.title()
                    );
                }
            }
        }
        let titles: Vec<&str> = modes.iter().map(|(m, _)| m.title()).collect();
        assert!(titles.contains(&"terminal too small"));
    }
}
