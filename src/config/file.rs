//! `config.toml`: theme, key remaps, auto-refresh and the default entity. A bad file gives
//! warnings and the defaults, never a failure.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// A key remap value: one key or several.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Keys {
    /// One key, e.g. `"T"`.
    One(String),
    /// Several keys.
    Many(Vec<String>),
}

/// The settings in `config.toml`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// `default` or `mono`.
    #[serde(default)]
    pub theme: ThemeName,
    /// Seconds between automatic reloads; 0 turns it off. Default 60.
    pub refresh_secs: Option<u64>,
    /// The entity to open when none is given.
    pub default_entity: Option<String>,
    /// Action name → key(s).
    #[serde(default)]
    pub keys: BTreeMap<String, Keys>,
    /// The local engine.
    #[serde(default)]
    pub engine: EngineSettings,
}

/// `[engine]` in `config.toml`: rate limits, delivery and history retention.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
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

impl ConfigFile {
    /// The key remaps as lists.
    pub fn remaps(&self) -> BTreeMap<String, Vec<String>> {
        self.keys
            .iter()
            .map(|(k, v)| {
                let keys = match v {
                    Keys::One(s) => vec![s.clone()],
                    Keys::Many(list) => list.clone(),
                };
                (k.clone(), keys)
            })
            .collect()
    }

    /// Seconds between reloads, `None` when off.
    pub fn refresh_every(&self) -> Option<i64> {
        match self.refresh_secs.unwrap_or(60) {
            0 => None,
            s => Some(s.min(86_400) as i64),
        }
    }
}

/// Where `config.toml` lives: `WBAUTO_CONFIG`, else the platform's config directory.
pub fn path() -> Option<PathBuf> {
    std::env::var_os("WBAUTO_CONFIG")
        .map(PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("", "", "wbauto")
                .map(|d| d.config_dir().join("config.toml"))
        })
}

/// Reads the config; a missing file is the defaults, a bad one the defaults plus a warning.
pub fn load(path: Option<&Path>) -> (ConfigFile, Vec<String>) {
    let Some(path) = path else {
        return (ConfigFile::default(), Vec::new());
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (ConfigFile::default(), Vec::new());
        }
        Err(e) => {
            return (
                ConfigFile::default(),
                vec![format!(
                    "config {}: cannot read it ({e}); using defaults",
                    path.display()
                )],
            );
        }
    };
    match toml::from_str::<ConfigFile>(&text) {
        Ok(c) => (c, Vec::new()),
        Err(e) => {
            let message = e.message().to_string();
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
            (
                ConfigFile::default(),
                vec![format!(
                    "config {}{at}: {message}; using defaults",
                    path.display()
                )],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_settings_and_survives_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(
            &p,
            "theme = \"mono\"\nrefresh_secs = 0\n[keys]\ntoggle = \"T\"\ndelete = [\"D\", \"x\"]\n",
        )
        .unwrap();
        let (c, w) = load(Some(&p));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.theme, ThemeName::Mono);
        assert_eq!(c.refresh_every(), None);
        assert_eq!(c.remaps()["delete"], ["D", "x"]);
        std::fs::write(&p, "theme = \"pink\"\n").unwrap();
        let (c, w) = load(Some(&p));
        assert_eq!(c, ConfigFile::default());
        assert!(
            w[0].contains("line 1") && w[0].contains("using defaults"),
            "{w:?}"
        );
        assert_eq!(load(Some(&dir.path().join("none.toml"))).1.len(), 0);
        assert_eq!(ConfigFile::default().refresh_every(), Some(60));
    }
}
