//! Where W&B is and who we are there: base URL, API key and entity, found as the `wandb` SDK finds
//! them (wire spec 1.5–1.7). The key is kept in [`ApiKey`], which never prints itself.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// W&B's default API endpoint.
pub(crate) const DEFAULT_BASE_URL: &str = "https://api.wandb.ai";

/// A W&B API key. Its `Debug` form is redacted and it has no `Display`: use [`ApiKey::expose`]
/// only to build the `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The secret itself, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// The process environment as settings discovery sees it (a map, so tests can supply one).
#[derive(Clone, Debug, Default)]
pub(crate) struct Environment {
    /// Environment variables.
    pub(crate) vars: HashMap<String, String>,
    /// The home directory.
    pub(crate) home: Option<PathBuf>,
    /// The working directory (for W&B's workspace settings file).
    pub(crate) cwd: PathBuf,
}

impl Environment {
    /// The real environment of this process.
    pub(crate) fn current() -> Self {
        Self {
            vars: std::env::vars().collect(),
            home: directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()),
            cwd: std::env::current_dir().unwrap_or_default(),
        }
    }

    fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn expand(&self, p: &str) -> PathBuf {
        match (p.strip_prefix("~/"), &self.home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(p),
        }
    }
}

/// A value and where it came from, for `doctor`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sourced<T> {
    /// The value.
    pub(crate) value: T,
    /// Where it was found, e.g. `WANDB_BASE_URL` or `~/.netrc`.
    pub(crate) source: String,
}

/// The W&B settings in force.
#[derive(Clone, Debug)]
pub(crate) struct WandbSettings {
    /// Base URL without a trailing `/`.
    pub(crate) base_url: Sourced<String>,
    /// The API key, if one was found.
    pub(crate) api_key: Option<Sourced<ApiKey>>,
    /// Where the key was looked for, when none was found.
    pub(crate) key_searched: Vec<String>,
    /// The entity from flags, environment or settings files (else the viewer's default).
    pub(crate) entity: Option<Sourced<String>>,
}

/// Reads `[default]` keys of an INI settings file.
fn settings_file(path: &Path) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    let mut section = String::new();
    let mut out = HashMap::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_string();
        } else if let Some((k, v)) = line.split_once('=').filter(|_| section == "default") {
            out.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    out
}

fn settings_files(env: &Environment) -> Vec<(PathBuf, String)> {
    let global = match env.var("WANDB_CONFIG_DIR") {
        Some(dir) => env.expand(dir).join("settings"),
        None => env
            .home
            .clone()
            .unwrap_or_default()
            .join(".config/wandb/settings"),
    };
    let workspace = if env.cwd.join(".wandb").is_dir() {
        env.cwd.join(".wandb/settings")
    } else {
        env.cwd.join("wandb/settings")
    };
    // Highest precedence first.
    vec![
        (workspace.clone(), workspace.display().to_string()),
        (global.clone(), global.display().to_string()),
    ]
}

fn from_settings(env: &Environment, key: &str) -> Option<Sourced<String>> {
    settings_files(env).into_iter().find_map(|(path, shown)| {
        settings_file(&path)
            .remove(key)
            .filter(|v| !v.is_empty())
            .map(|value| Sourced {
                value,
                source: shown,
            })
    })
}

/// `host[:port]` of a URL: the `.netrc` machine name W&B uses.
pub(crate) fn netloc(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    Some(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// The password of `machine` in a `.netrc` text, or of its `default` entry.
pub(crate) fn netrc_password(text: &str, machine: &str) -> Option<String> {
    let mut tokens = Vec::new();
    let mut in_macro = false;
    for line in text.lines() {
        if in_macro {
            in_macro = !line.trim().is_empty();
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first() == Some(&"macdef") {
            in_macro = true;
            continue;
        }
        tokens.extend(words);
    }
    let (mut current, mut found, mut fallback): (Option<&str>, Option<String>, Option<String>) =
        (None, None, None);
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i] {
            "machine" => {
                current = tokens.get(i + 1).copied();
                i += 1;
            }
            "default" => current = Some(""),
            "password" => {
                let pw = tokens.get(i + 1).map(|s| s.to_string());
                match current {
                    Some("") => fallback = fallback.or(pw),
                    Some(m) if m == machine => found = found.or(pw),
                    _ => {}
                }
                i += 1;
            }
            "login" | "account" => i += 1,
            _ => {}
        }
        i += 1;
    }
    found.or(fallback)
}

fn netrc_candidates(env: &Environment) -> Vec<PathBuf> {
    if let Some(p) = env.var("NETRC") {
        return vec![env.expand(p)];
    }
    let home = env.home.clone().unwrap_or_default();
    let (dot, under) = (home.join(".netrc"), home.join("_netrc"));
    if dot.exists() {
        vec![dot]
    } else if under.exists() {
        vec![under]
    } else {
        vec![dot]
    }
}

/// Checks a base URL the way the SDK does; the error says what to use instead.
/// A URL for people: any `user:password@` in it is replaced by `***@`, so a key written into
/// `--base-url` is never printed or logged.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***@{}", &url[..scheme_end], &rest[at + 1..]),
        None => url.to_string(),
    }
}

pub(crate) fn check_base_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| format!("{url:?} is not a URL ({e}); use e.g. {DEFAULT_BASE_URL}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!("{url:?} must be an http:// or https:// address"));
    }
    let host = parsed.host_str().unwrap_or_default();
    if host.ends_with("wandb.ai") && (!host.starts_with("api.") || parsed.scheme() != "https") {
        return Err(format!(
            "{url:?} is W&B's web address, not its API; did you mean {DEFAULT_BASE_URL}?"
        ));
    }
    Ok(())
}

/// Finds the W&B settings: `flag_base_url` and `flag_entity` come from the command line.
pub(crate) fn discover(
    flag_base_url: Option<&str>,
    flag_entity: Option<&str>,
    env: &Environment,
) -> WandbSettings {
    let base_url = match (flag_base_url, env.var("WANDB_BASE_URL")) {
        (Some(u), _) => Sourced {
            value: u.to_string(),
            source: "--base-url".into(),
        },
        (None, Some(u)) => Sourced {
            value: u.to_string(),
            source: "WANDB_BASE_URL".into(),
        },
        (None, None) => from_settings(env, "base_url").unwrap_or_else(|| Sourced {
            value: DEFAULT_BASE_URL.to_string(),
            source: "default".into(),
        }),
    };
    let base_url = Sourced {
        value: base_url.value.trim_end_matches('/').to_string(),
        source: base_url.source,
    };
    let mut key_searched = vec!["WANDB_API_KEY".to_string()];
    let api_key = match env.var("WANDB_API_KEY") {
        Some(k) => Some(Sourced {
            value: ApiKey::new(k),
            source: "WANDB_API_KEY".into(),
        }),
        None => {
            let machine = netloc(&base_url.value).unwrap_or_default();
            netrc_candidates(env).into_iter().find_map(|path| {
                key_searched.push(format!("{} (machine {machine})", path.display()));
                let text = std::fs::read_to_string(&path).ok()?;
                netrc_password(&text, &machine).map(|pw| Sourced {
                    value: ApiKey::new(pw),
                    source: path.display().to_string(),
                })
            })
        }
    };
    let entity = match (flag_entity, env.var("WANDB_ENTITY")) {
        (Some(e), _) => Some(Sourced {
            value: e.to_string(),
            source: "--entity".into(),
        }),
        (None, Some(e)) => Some(Sourced {
            value: e.to_string(),
            source: "WANDB_ENTITY".into(),
        }),
        (None, None) => from_settings(env, "entity"),
    };
    WandbSettings {
        base_url,
        api_key,
        key_searched,
        entity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)], home: &Path) -> Environment {
        Environment {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            home: Some(home.to_path_buf()),
            cwd: home.join("work"),
        }
    }

    #[test]
    fn netrc_matches_host_and_port_and_falls_back_to_default() {
        let text = "machine api.wandb.ai\n  login user\n  password k1\nmachine w.corp:8080 login u password k2\ndefault login x password k3\n";
        assert_eq!(netrc_password(text, "api.wandb.ai").as_deref(), Some("k1"));
        assert_eq!(netrc_password(text, "w.corp:8080").as_deref(), Some("k2"));
        assert_eq!(netrc_password(text, "w.corp").as_deref(), Some("k3"));
        assert_eq!(
            netrc_password("macdef init\ncd /\n\nmachine h password p\n", "h").as_deref(),
            Some("p")
        );
        assert_eq!(
            netloc("http://w.corp:8080/x").as_deref(),
            Some("w.corp:8080")
        );
    }

    #[test]
    fn discovery_precedence() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".config/wandb")).unwrap();
        std::fs::write(
            home.path().join(".config/wandb/settings"),
            "[default]\nbase_url = https://w.corp/\nentity = team-x\n",
        )
        .unwrap();
        std::fs::write(
            home.path().join(".netrc"),
            "machine w.corp password from-netrc\n",
        )
        .unwrap();
        let s = discover(None, None, &env(&[], home.path()));
        assert_eq!(s.base_url.value, "https://w.corp");
        assert_eq!(s.api_key.as_ref().unwrap().value.expose(), "from-netrc");
        assert_eq!(s.entity.unwrap().value, "team-x");
        let s = discover(
            Some("http://127.0.0.1:9/"),
            Some("e"),
            &env(
                &[("WANDB_API_KEY", "k"), ("WANDB_BASE_URL", "https://x")],
                home.path(),
            ),
        );
        assert_eq!(
            (s.base_url.value.as_str(), s.base_url.source.as_str()),
            ("http://127.0.0.1:9", "--base-url")
        );
        assert_eq!(s.api_key.unwrap().source, "WANDB_API_KEY");
        assert!(format!("{:?}", ApiKey::new("secret")).contains("redacted"));
    }

    #[test]
    fn web_addresses_are_refused_with_the_fix() {
        assert!(
            check_base_url("https://wandb.ai")
                .unwrap_err()
                .contains("did you mean https://api.wandb.ai")
        );
        assert!(check_base_url("https://api.wandb.ai").is_ok());
        assert!(check_base_url("ftp://x").is_err());
    }
}
