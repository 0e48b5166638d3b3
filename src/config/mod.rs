//! Configuration files: where they are, and errors that name the file, line and column.

pub mod file;
pub mod layers;

pub use crate::util::file_error::{FileError, line_col};

use std::path::PathBuf;

/// `$XDG_STATE_HOME/bosun` or `~/.local/state/bosun`: logs and the audit log.
pub fn state_dir() -> PathBuf {
    xdg_dir("XDG_STATE_HOME", ".local/state")
}

/// `$XDG_CONFIG_HOME/bosun` or `~/.config/bosun`.
pub fn config_dir() -> PathBuf {
    xdg_dir("XDG_CONFIG_HOME", ".config")
}

fn xdg_dir(var: &str, fallback: &str) -> PathBuf {
    let base = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(fallback)))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("bosun")
}
