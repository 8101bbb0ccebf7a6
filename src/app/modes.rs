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

    #[test]
    fn remaps_apply_and_bad_ones_are_refused_with_the_line() {
        use crate::config::file::Remap;
        let remap = |action: &str, key: &str, line| Remap {
            action: action.into(),
            keys: vec![key.into()],
            line,
        };
        let config = ConfigFile {
            keys: vec![
                remap("toggle", "T", 1),
                remap("delete", "j", 2),
                remap("nonsense", "x", 3),
                remap("raw", "ctrl-", 4),
            ],
            ..ConfigFile::default()
        };
        let (map, warnings) = keymap(&config);
        let list = crate::app::screens::list::MODE;
        let send = |c: &str| {
            map.lookup(list, Chord::parse(c).unwrap())
                .map(|b| format!("{b:?}"))
        };
        assert!(
            send("T").is_some_and(|b| b.contains("Toggle")),
            "{:?}",
            send("T")
        );
        assert_eq!(send("t"), None);
        assert!(
            send("D").is_some_and(|b| b.contains("Delete")),
            "a clashing remap keeps the default"
        );
        let warnings: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(
            warnings[0].contains(
                "line 2, keys.delete: would take a key of down; keeping its default keys (D)"
            ),
            "{warnings:?}"
        );
        assert!(
            warnings[1].contains("line 3, keys.nonsense: not a command"),
            "{warnings:?}"
        );
        assert!(warnings[2].contains("line 4, keys.raw: "), "{warnings:?}");
    }
}
