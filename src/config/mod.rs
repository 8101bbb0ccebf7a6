//! Settings from flags and the environment: where data, logs and config live, which backend.

pub mod file;
pub mod wandb;

use directories::ProjectDirs;
use std::path::PathBuf;

/// The database file name inside the data directory.
pub(crate) const DB_FILE: &str = "local.db";

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "wbauto")
}

/// The data directory: the override if given, else the platform's (e.g. `~/.local/share/wbauto`).
pub fn data_dir(overridden: Option<PathBuf>) -> Result<PathBuf, String> {
    overridden
        .or_else(|| project_dirs().map(|d| d.data_dir().to_path_buf()))
        .ok_or_else(|| "cannot find a home directory for wbauto's data; pass --data-dir DIR or set WBAUTO_DATA_DIR".to_string())
}

/// Where log files go: the platform's state directory, else `logs` under the data directory.
pub fn log_dir(data_dir: &std::path::Path) -> PathBuf {
    project_dirs()
        .and_then(|d| d.state_dir().map(|s| s.to_path_buf()))
        .unwrap_or_else(|| data_dir.join("logs"))
}
