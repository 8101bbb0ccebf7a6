//! `config.toml`: theme, key remaps, auto-refresh, the default entity and the local engine's
//! settings. Every setting is read on its own: a bad one is a warning naming the file, the line,
//! the key and what is used instead (its default), and the rest of the file still counts. A file
//! that is not TOML at all is a warning and the defaults. Reading it never fails.

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// Colour themes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    /// Built from the terminal's own 16 colours.
    #[default]
    Default,
    /// No colour at all (also what `NO_COLOR` gives).
    Mono,
}

/// One `[keys]` entry: an action's new keys, and the line it was written on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remap {
    /// The action's name (`toggle`, `refresh`...).
    pub action: String,
    /// The keys as written (`"T"`, `"ctrl-r"`).
    pub keys: Vec<String>,
    /// Where it was written (1-based).
    pub line: usize,
}

/// The settings in `config.toml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigFile {
    /// Where it was read from (`None`: no file, the defaults).
    pub path: Option<PathBuf>,
    /// `default` or `mono`.
    pub theme: ThemeName,
    /// Seconds between automatic reloads; 0 turns it off. Default 60.
    pub refresh_secs: Option<u64>,
    /// The entity to open when none is given.
    pub default_entity: Option<String>,
    /// `[keys]`: action name → key(s), in the order written.
    pub keys: Vec<Remap>,
    /// `[engine]`: the local engine.
    pub engine: EngineSettings,
}

/// `[engine]` in `config.toml`: rate limits, delivery and history retention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineSettings {
    /// Executions per minute per automation.
    pub rate_per_minute: u32,
    /// Executions allowed at once per automation.
    pub burst: u32,
    /// Attempts per delivery.
    pub attempts: u32,
    /// Seconds one attempt may take.
    pub timeout_secs: u64,
    /// The first retry's delay in milliseconds (doubling, with jitter).
    pub retry_base_ms: u64,
    /// Days of history kept.
    pub retention_days: i64,
    /// Executions kept per automation.
    pub retention_rows: i64,
    /// Seconds a run log may go without growing before its run counts as crashed (when no exit
    /// record came and no live writer is known).
    pub run_stale_secs: i64,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            rate_per_minute: 10,
            burst: 10,
            attempts: 5,
            timeout_secs: 10,
            retry_base_ms: 1000,
            retention_days: 90,
            retention_rows: 10_000,
            run_stale_secs: 60,
        }
    }
}

/// Something wrong in `config.toml`: where, which setting, what, and what is used instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The file, as shown.
    pub(crate) file: String,
    /// The line (1-based), when known.
    pub(crate) line: Option<usize>,
    /// The setting (`theme`, `engine.burst`, `keys.toggle`), or the text of a line that is not TOML.
    pub(crate) key: String,
    /// What is wrong with it.
    pub(crate) problem: String,
    /// What is used instead.
    pub(crate) instead: String,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "config {}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if !self.key.is_empty() {
            write!(f, ", {}", self.key)?;
        }
        write!(f, ": {}; {}", self.problem, self.instead)
    }
}

impl ConfigFile {
    /// Seconds between reloads, `None` when off.
    pub(crate) fn refresh_every(&self) -> Option<i64> {
        match self.refresh_secs.unwrap_or(60) {
            0 => None,
            s => Some(s.min(86_400) as i64),
        }
    }

    /// A warning about this file (for settings checked after reading, like `[keys]`).
    pub(crate) fn warning(
        &self,
        line: usize,
        key: String,
        problem: String,
        instead: String,
    ) -> ConfigWarning {
        ConfigWarning {
            file: shown(self.path.as_deref()),
            line: Some(line),
            key,
            problem,
            instead,
        }
    }
}

/// Where `config.toml` lives: `WBAUTO_CONFIG`, else the platform's config directory.
pub(crate) fn path() -> Option<PathBuf> {
    std::env::var_os("WBAUTO_CONFIG")
        .map(PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("", "", "wbauto")
                .map(|d| d.config_dir().join("config.toml"))
        })
}

fn shown(path: Option<&Path>) -> String {
    path.map_or_else(|| "config.toml".to_string(), |p| p.display().to_string())
}

/// Reads the config at `path`: a missing file is the defaults; every problem is a warning, with
/// its default used instead.
pub(crate) fn load(path: Option<&Path>) -> (ConfigFile, Vec<ConfigWarning>) {
    let Some(path) = path else {
        return (ConfigFile::default(), Vec::new());
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (ConfigFile::default(), Vec::new());
        }
        Err(e) => {
            let warning = ConfigWarning {
                file: shown(Some(path)),
                line: None,
                key: String::new(),
                problem: format!("cannot read it ({e})"),
                instead: "using the defaults".into(),
            };
            return (ConfigFile::default(), vec![warning]);
        }
    };
    let mut reader = Reader {
        text: &text,
        file: shown(Some(path)),
        warnings: Vec::new(),
    };
    let mut config = reader.document();
    config.path = Some(path.to_path_buf());
    (config, reader.warnings)
}

/// Reads one document, collecting warnings.
struct Reader<'t> {
    text: &'t str,
    file: String,
    warnings: Vec<ConfigWarning>,
}

type Entry<'i> = (Spanned<std::borrow::Cow<'i, str>>, Spanned<DeValue<'i>>);

impl<'t> Reader<'t> {
    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn warn(&mut self, offset: usize, key: &str, problem: String, instead: String) {
        let line = Some(self.line_of(offset));
        self.warnings.push(ConfigWarning {
            file: self.file.clone(),
            line,
            key: key.to_string(),
            problem,
            instead,
        });
    }

    fn document(&mut self) -> ConfigFile {
        let mut config = ConfigFile::default();
        let table = match DeTable::parse(self.text) {
            Ok(t) => t.into_inner(),
            Err(e) => {
                let at = e.span().map_or(0, |s| s.start);
                let line = self.line_of(at);
                let written = self.text.lines().nth(line - 1).unwrap_or_default();
                let key = written.split('=').next().unwrap_or_default().trim();
                self.warn(
                    at,
                    key,
                    format!("not valid TOML ({})", e.message().trim()),
                    "using the defaults for the whole file".into(),
                );
                return config;
            }
        };
        for (key, value) in table {
            let name = key.get_ref().to_string();
            let at = key.span().start;
            match name.as_str() {
                "theme" => {
                    self.set(&mut config.theme, (key, value), "the default theme");
                }
                "refresh_secs" => {
                    let mut secs = 60;
                    if self.set(&mut secs, (key, value), "a reload every 60 seconds") {
                        config.refresh_secs = Some(secs);
                    }
                }
                "default_entity" => {
                    let mut entity = String::new();
                    if self.set(&mut entity, (key, value), "the backend's default entity") {
                        config.default_entity = Some(entity);
                    }
                }
                "keys" => config.keys = self.keys(value),
                "engine" => config.engine = self.engine(value),
                _ => self.warn(
                    at,
                    &name,
                    "not a setting wbauto knows (theme, refresh_secs, default_entity, [keys], [engine])"
                        .into(),
                    "ignored".into(),
                ),
            }
        }
        config
    }

    /// Reads one value into `slot`; on a bad value warns and leaves the default. `true` if read.
    fn set<T: for<'de> Deserialize<'de>>(
        &mut self,
        slot: &mut T,
        (key, value): Entry<'_>,
        default: &str,
    ) -> bool {
        self.set_named(slot, key.get_ref(), value, default)
    }

    fn set_named<T: for<'de> Deserialize<'de>>(
        &mut self,
        slot: &mut T,
        name: &str,
        value: Spanned<DeValue<'_>>,
        default: &str,
    ) -> bool {
        let at = value.span().start;
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(v) => {
                *slot = v;
                true
            }
            Err(e) => {
                self.warn(
                    at,
                    name,
                    e.message().trim().to_string(),
                    format!("using {default}"),
                );
                false
            }
        }
    }

    /// The entries of a table value; a value that is not a table is a warning.
    fn table<'i>(
        &mut self,
        name: &str,
        value: Spanned<DeValue<'i>>,
        instead: &str,
    ) -> Vec<Entry<'i>> {
        let at = value.span().start;
        match value.into_inner() {
            DeValue::Table(t) => t.into_iter().collect(),
            _ => {
                self.warn(
                    at,
                    name,
                    format!("must be a table ([{name}])"),
                    instead.into(),
                );
                Vec::new()
            }
        }
    }

    fn keys(&mut self, value: Spanned<DeValue<'_>>) -> Vec<Remap> {
        let mut out = Vec::new();
        for (action, value) in self.table("keys", value, "keeping every default key") {
            let line = self.line_of(action.span().start);
            let at = value.span().start;
            match Vec::<String>::deserialize(ValueDeserializer::from(value.clone()))
                .or_else(|_| String::deserialize(ValueDeserializer::from(value)).map(|k| vec![k]))
            {
                Ok(keys) => out.push(Remap {
                    action: action.get_ref().to_string(),
                    keys,
                    line,
                }),
                Err(_) => self.warn(
                    at,
                    &format!("keys.{}", action.get_ref()),
                    "must be a key or a list of keys, e.g. \"T\" or [\"T\", \"ctrl-t\"]".into(),
                    format!("keeping the default keys of {}", action.get_ref()),
                ),
            }
        }
        out
    }

    fn engine(&mut self, value: Spanned<DeValue<'_>>) -> EngineSettings {
        let mut s = EngineSettings::default();
        let d = EngineSettings::default();
        for (key, value) in self.table("engine", value, "using the engine's defaults") {
            let name = format!("engine.{}", key.get_ref());
            let at = key.span().start;
            let _ = match key.get_ref().as_ref() {
                "rate_per_minute" => self.number(&mut s.rate_per_minute, &name, value),
                "burst" => self.number(&mut s.burst, &name, value),
                "attempts" => self.number(&mut s.attempts, &name, value),
                "timeout_secs" => self.number(&mut s.timeout_secs, &name, value),
                "retry_base_ms" => self.number(&mut s.retry_base_ms, &name, value),
                "retention_days" => self.number(&mut s.retention_days, &name, value),
                "retention_rows" => self.number(&mut s.retention_rows, &name, value),
                "run_stale_secs" => self.number(&mut s.run_stale_secs, &name, value),
                _ => {
                    self.warn(
                        at,
                        &name,
                        format!(
                            "not an engine setting (rate_per_minute = {}, burst = {}, attempts = {}, timeout_secs = {}, retry_base_ms = {}, retention_days = {}, retention_rows = {}, run_stale_secs = {})",
                            d.rate_per_minute,
                            d.burst,
                            d.attempts,
                            d.timeout_secs,
                            d.retry_base_ms,
                            d.retention_days,
                            d.retention_rows,
                            d.run_stale_secs
                        ),
                        "ignored".into(),
                    );
                    false
                }
            };
        }
        s
    }

    /// A number setting whose default is what `slot` holds.
    fn number<T: for<'de> Deserialize<'de> + fmt::Display>(
        &mut self,
        slot: &mut T,
        name: &str,
        value: Spanned<DeValue<'_>>,
    ) -> bool {
        let default = format!("its default, {slot}");
        self.set_named(slot, name, value, &default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (ConfigFile, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, text).unwrap();
        let (c, w) = load(Some(&p));
        let shown = w
            .iter()
            .map(|w| w.to_string().replace(&p.display().to_string(), "FILE"))
            .collect();
        (c, shown)
    }

    #[test]
    fn reads_settings() {
        let (c, w) = read(
            "theme = \"mono\"\nrefresh_secs = 0\n[keys]\ntoggle = \"T\"\ndelete = [\"D\", \"x\"]\n[engine]\nburst = 3\n",
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.theme, ThemeName::Mono);
        assert_eq!(c.refresh_every(), None);
        assert_eq!(c.keys[0].action, "delete");
        assert_eq!(
            (c.keys[0].keys.clone(), c.keys[0].line),
            (vec!["D".into(), "x".into()], 5)
        );
        assert_eq!(c.engine.burst, 3);
        assert_eq!(c.engine.attempts, 5);
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(Some(&dir.path().join("none.toml"))).1.len(), 0);
        assert_eq!(ConfigFile::default().refresh_every(), Some(60));
    }

    #[test]
    fn a_bad_setting_is_named_with_its_line_and_its_default_is_used() {
        let (c, w) = read(
            "refresh_secs = 5\ntheme = \"pink\"\n[engine]\nburst = \"lots\"\nattempts = 2\nspeed = 3\n[keys]\nhelp = 4\n",
        );
        assert_eq!(c.theme, ThemeName::Default);
        assert_eq!(
            (c.refresh_secs, c.engine.burst, c.engine.attempts),
            (Some(5), 10, 2)
        );
        assert!(c.keys.is_empty());
        assert_eq!(w.len(), 4, "{w:?}");
        assert!(
            w[0].starts_with("config FILE, line 4, engine.burst: "),
            "{w:?}"
        );
        assert!(w[0].ends_with("; using its default, 10"), "{w:?}");
        assert!(w[1].starts_with("config FILE, line 6, engine.speed: not an engine setting"));
        assert!(
            w[2].starts_with("config FILE, line 8, keys.help: "),
            "{w:?}"
        );
        assert!(w[2].ends_with("keeping the default keys of help"), "{w:?}");
        assert!(w[3].starts_with("config FILE, line 2, theme: "), "{w:?}");
        assert!(w[3].contains("pink") && w[3].ends_with("; using the default theme"));
    }

    #[test]
    fn a_file_that_is_not_toml_gives_the_defaults() {
        let (c, w) = read("theme = \"mono\"\nrefresh_secs = = 3\n");
        assert_eq!((c.theme, c.refresh_secs), (ThemeName::Default, None));
        assert_eq!(w.len(), 1);
        assert!(
            w[0].starts_with("config FILE, line 2, refresh_secs: not valid TOML"),
            "{w:?}"
        );
        assert!(w[0].ends_with("using the defaults for the whole file"));
    }
}
