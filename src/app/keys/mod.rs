//! The key table as data. Every command is one line of a [`commands!`] table: its name in
//! `config.toml`, its default keys, whether the footer shows it, whether it writes, its footer
//! label and what it does. Each screen and modal lists, per mode, the commands it takes and the
//! message each sends it (its key rows, next to the code that handles them). The [`Keymap`]
//! built from those rows dispatches keys, and every footer, help line, palette entry and hint is
//! made from it, so a remap shows everywhere.

pub(crate) mod chord;
pub(crate) mod defs;

use crate::config::file::{ConfigFile, ConfigWarning};
pub(crate) use chord::Chord;
use std::collections::HashMap;

/// A command: its name in `config.toml`, its default keys and its words.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Def {
    /// Its name in `config.toml` (unique).
    pub(crate) name: &'static str,
    /// Its default keys, as `config.toml` writes them.
    pub(crate) keys: &'static [&'static str],
    /// Whether the footer shows it.
    pub(crate) footer: bool,
    /// Whether it changes data (refused in read-only mode).
    pub(crate) writes: bool,
    /// One or two words for the footer.
    pub(crate) short: &'static str,
    /// What it does, for help and the palette.
    pub(crate) description: &'static str,
}

/// Commands as a table, one line each:
/// `CONST: "name" ["key", ...] footer|listed writes|reads "short" "what it does";`
macro_rules! commands {
    (@footer footer) => { true };
    (@footer listed) => { false };
    (@writes writes) => { true };
    (@writes reads) => { false };
    ($( $(#[$doc:meta])* $id:ident: $name:literal [$($key:literal),*] $shown:ident $rw:ident $short:literal $what:literal; )*) => {
        $(
            $(#[$doc])*
            pub(crate) const $id: $crate::app::keys::Def = $crate::app::keys::Def {
                name: $name,
                keys: &[$($key),*],
                footer: $crate::app::keys::commands!(@footer $shown),
                writes: $crate::app::keys::commands!(@writes $rw),
                short: $short,
                description: $what,
            };
        )*
    };
}
pub(crate) use commands;

/// What a mode's text input keeps for itself, and what the footer says about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    /// Keys only.
    Keys,
    /// A line is typed (printable characters are text): what for, and what the arrows do.
    Line {
        typing: &'static str,
        moving: Option<&'static str>,
    },
    /// A text editor: printable characters, enter and the cursor keys are its own.
    Editor,
    /// A menu chosen from with the arrows.
    Menu { moving: &'static str },
}

/// Where help lists a mode: screens first, then typing, boxes over the screen, the wizard, and
/// the terminal itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Group {
    Screen,
    Typing,
    Box,
    Wizard,
    Terminal,
}

/// Where the user is (a screen, a box, a wizard step, typing a filter): decides which rows apply.
/// Each is declared by the screen or modal it belongs to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mode {
    name: &'static str,
    title: &'static str,
    input: Input,
    group: Group,
}

impl PartialEq for Mode {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Mode {}

impl std::hash::Hash for Mode {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl Mode {
    /// A mode: its name (unique), its heading in help, its text input and its place in help.
    pub(crate) const fn new(
        name: &'static str,
        title: &'static str,
        input: Input,
        group: Group,
    ) -> Self {
        Self {
            name,
            title,
            input,
            group,
        }
    }

    /// Its name (unique).
    pub(crate) fn name(self) -> &'static str {
        self.name
    }

    /// Its heading in help.
    pub(crate) fn title(self) -> &'static str {
        self.title
    }

    /// Whether its text input keeps this key for itself, whatever the rows say.
    pub(crate) fn reserves(self, chord: Chord) -> bool {
        use chord::Key;
        match self.input {
            Input::Line { .. } => chord.printable(),
            Input::Editor => {
                chord.printable()
                    || matches!(
                        chord.code,
                        Key::Enter
                            | Key::Up
                            | Key::Down
                            | Key::Left
                            | Key::Right
                            | Key::Home
                            | Key::End
                    )
            }
            Input::Keys | Input::Menu { .. } => false,
        }
    }
}

/// One row of a mode: a command, the label the footer gives it here, whether the footer shows
/// it here, and what it sends.
#[derive(Clone, Debug)]
pub(crate) struct Row<B> {
    pub(crate) def: &'static Def,
    pub(crate) short: &'static str,
    pub(crate) footer: bool,
    pub(crate) bound: B,
}

/// A row sending `bound` for `def`.
pub(crate) fn row<B>(def: &'static Def, bound: impl Into<B>) -> Row<B> {
    Row {
        def,
        short: def.short,
        footer: def.footer,
        bound: bound.into(),
    }
}

impl<B> Row<B> {
    /// The same row, labelled otherwise in this mode's footer (back is "quit" on the list).
    pub(crate) fn labelled(self, short: &'static str) -> Self {
        Self { short, ..self }
    }

    /// The same row, shown in this mode's footer or not, whatever the command says elsewhere
    /// (the Backtest tab shows its run keys, and leaves toggling to help).
    pub(crate) fn in_footer(self, footer: bool) -> Self {
        Self { footer, ..self }
    }
}

/// The key table in force: every mode's rows (in the order help lists them) and every
/// command's keys (defaults, then the user's remaps).
#[derive(Debug)]
pub(crate) struct Keymap<B> {
    modes: Vec<(Mode, Vec<Row<B>>)>,
    keys: HashMap<&'static str, Vec<Chord>>,
}

impl<B: Clone> Keymap<B> {
    /// The table of these modes with their default keys.
    pub(crate) fn new(mut modes: Vec<(Mode, Vec<Row<B>>)>) -> Self {
        modes.sort_by_key(|(mode, _)| mode.group);
        let keys = modes
            .iter()
            .flat_map(|(_, rows)| rows)
            .map(|r| {
                let chords = r.def.keys.iter().filter_map(|k| Chord::parse(k)).collect();
                (r.def.name, chords)
            })
            .collect();
        Self { modes, keys }
    }

    /// Applies the remaps of `config.toml`. Unknown names, unreadable keys and keys that would
    /// clash with another command in a mode they share are refused; each refusal is a warning
    /// (file, line, key) and that command keeps its default keys.
    pub(crate) fn remap(&mut self, config: &ConfigFile) -> Vec<ConfigWarning> {
        let mut warnings = Vec::new();
        for remap in &config.keys {
            let (name, keys) = (remap.action.as_str(), &remap.keys);
            let warn = |problem: String, instead: String| {
                config.warning(remap.line, format!("keys.{name}"), problem, instead)
            };
            let Some(def) = self.def(name) else {
                let mut names: Vec<&str> = self.keys.keys().copied().collect();
                names.sort_unstable();
                warnings.push(warn(
                    format!("not a command; the commands are: {}", names.join(", ")),
                    "ignored".into(),
                ));
                continue;
            };
            let keeping = format!("keeping its default keys ({})", self.shown(def));
            let parsed: Option<Vec<Chord>> = keys.iter().map(|k| Chord::parse(k)).collect();
            let Some(chords) = parsed.filter(|c| !c.is_empty()) else {
                warnings.push(warn(
                    format!(
                        "{keys:?} has a key wbauto cannot read (use e.g. \"t\", \"ctrl-r\", \"space\", \"pgdn\")"
                    ),
                    keeping,
                ));
                continue;
            };
            if let Some(other) = self.clash(name, &chords) {
                warnings.push(warn(format!("would take a key of {other}"), keeping));
                continue;
            }
            self.keys.insert(def.name, chords);
        }
        warnings
    }

    fn def(&self, name: &str) -> Option<&'static Def> {
        self.modes
            .iter()
            .flat_map(|(_, rows)| rows)
            .map(|r| r.def)
            .find(|d| d.name == name)
    }

    /// Another command that has one of `chords` in a mode where `name` works.
    fn clash(&self, name: &str, chords: &[Chord]) -> Option<&'static str> {
        self.modes
            .iter()
            .filter(|(_, rows)| rows.iter().any(|r| r.def.name == name))
            .flat_map(|(_, rows)| rows)
            .filter(|r| r.def.name != name)
            .find(|r| self.keys(r.def).iter().any(|k| chords.contains(k)))
            .map(|r| r.def.name)
    }

    /// The message a key sends in a mode (none for a key the mode's text input keeps).
    pub(crate) fn lookup(&self, mode: Mode, chord: Chord) -> Option<B> {
        if mode.reserves(chord) {
            return None;
        }
        self.rows(mode)
            .iter()
            .find(|r| self.keys(r.def).contains(&chord))
            .map(|r| r.bound.clone())
    }

    /// The rows of a mode.
    pub(crate) fn rows(&self, mode: Mode) -> &[Row<B>] {
        self.modes
            .iter()
            .find(|(m, _)| *m == mode)
            .map_or(&[], |(_, rows)| rows.as_slice())
    }

    /// Every mode with its rows, in the order help lists them.
    pub(crate) fn modes(&self) -> impl Iterator<Item = &(Mode, Vec<Row<B>>)> {
        self.modes.iter()
    }

    /// A command's keys.
    pub(crate) fn keys(&self, def: &Def) -> &[Chord] {
        self.keys.get(def.name).map_or(&[], Vec::as_slice)
    }

    /// A command's keys as help shows them, e.g. `q esc`.
    pub(crate) fn shown(&self, def: &Def) -> String {
        let keys: Vec<String> = self.keys(def).iter().map(ToString::to_string).collect();
        keys.join(" ")
    }

    /// A command's keys that work in a mode (not those its text input keeps).
    pub(crate) fn keys_in(&self, def: &Def, mode: Mode) -> Vec<Chord> {
        self.keys(def)
            .iter()
            .copied()
            .filter(|k| !mode.reserves(*k))
            .collect()
    }

    /// The key to name in a hint about a command in a mode: the first that works there, else
    /// its first key ("" when it has none).
    pub(crate) fn key(&self, def: &Def, mode: Mode) -> String {
        self.keys_in(def, mode)
            .first()
            .or(self.keys(def).first())
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    /// The footer of a mode: what typing does, what the arrows do, then each command the footer
    /// shows (the writing ones left out when writes are refused), as (key, label).
    pub(crate) fn footer(&self, mode: Mode, read_only: bool) -> Vec<(String, String)> {
        let mut items = Vec::new();
        let moving = match mode.input {
            Input::Line { typing, moving } => {
                items.push(("type".to_string(), typing.to_string()));
                moving
            }
            Input::Menu { moving } => Some(moving),
            Input::Keys | Input::Editor => None,
        };
        if let Some(label) = moving {
            let last = |def: &Def| self.keys_in(def, mode).last().map(ToString::to_string);
            if let (Some(up), Some(down)) = (last(&defs::UP), last(&defs::DOWN)) {
                items.push((format!("{up}{down}"), label.to_string()));
            }
        }
        let mut seen = Vec::new();
        for r in self.rows(mode) {
            if !r.footer || (r.def.writes && read_only) || seen.contains(&r.def.name) {
                continue;
            }
            seen.push(r.def.name);
            if let Some(k) = self.keys_in(r.def, mode).first() {
                items.push((k.to_string(), r.short.to_string()));
            }
        }
        items
    }
}

/// Whether every word of `needle` (any case) is in a command's description, name or footer
/// label: the one matcher of help and the palette.
pub(crate) fn matches(def: &Def, needle: &str) -> bool {
    let haystack = format!("{} {} {}", def.description, def.name, def.short).to_lowercase();
    needle
        .to_lowercase()
        .split_whitespace()
        .all(|word| haystack.contains(word))
}
