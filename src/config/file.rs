//! The config file: `$BOSUN_CONFIG`, else `~/.config/bosun/config.toml`. Every key is
//! optional; a malformed file names the file, line and column, and bosun exits.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::FileError;

/// How an action is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confirm {
    /// Press `y`.
    #[default]
    Y,
    /// Type the resource's name.
    Name,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Actions {
    pub confirm: Confirm,
    /// The largest desired count or autoscaling maximum bosun sends.
    pub max_desired: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub read_only: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Refuse every action, whatever the profile.
    pub read_only: bool,
    pub actions: Actions,
    /// Per AWS profile: `[profiles.prod] read_only = true`.
    pub profiles: BTreeMap<String, Profile>,
}

impl Config {
    pub fn parse(path: &str, text: &str) -> Result<Config, FileError> {
        toml::from_str(text).map_err(|e| FileError::from_toml(path, text, &e))
    }

    /// Whether actions are refused for `profile`, and why.
    pub fn read_only_reason(&self, profile: &str, flag: bool) -> Option<String> {
        if flag {
            return Some("read-only mode (--read-only)".into());
        }
        match self.profiles.get(profile).and_then(|p| p.read_only) {
            Some(true) => return Some(format!("profile `{profile}` is read-only in the config")),
            Some(false) => return None,
            None => {}
        }
        self.read_only
            .then(|| "read-only mode (read_only = true in the config)".into())
    }
}

/// Where the config file is.
pub fn path() -> PathBuf {
    std::env::var_os("BOSUN_CONFIG")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| super::config_dir().join("config.toml"))
}

/// Load the config file: none is fine, a broken one is an error.
pub fn load() -> Result<(Config, Option<PathBuf>), FileError> {
    let path = path();
    match std::fs::read_to_string(&path) {
        Ok(text) => Config::parse(&path.display().to_string(), &text).map(|c| (c, Some(path))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((Config::default(), None)),
        Err(e) => Err(FileError {
            path: path.display().to_string(),
            line: 0,
            column: 0,
            message: format!("cannot read it: {e}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_by_flag_profile_or_file() {
        let config = Config::parse(
            "c.toml",
            "read_only = false\n[actions]\nconfirm = \"name\"\nmax_desired = 50\n[profiles.prod]\nread_only = true\n",
        )
        .unwrap();
        assert_eq!(config.actions.confirm, Confirm::Name);
        assert_eq!(config.actions.max_desired, Some(50));
        assert!(
            config
                .read_only_reason("prod", false)
                .unwrap()
                .contains("profile `prod`")
        );
        assert_eq!(config.read_only_reason("dev", false), None);
        assert!(config.read_only_reason("dev", true).unwrap().contains("--read-only"));
        let all = Config::parse("c.toml", "read_only = true\n[profiles.dev]\nread_only = false\n").unwrap();
        assert!(all.read_only_reason("prod", false).is_some());
        assert_eq!(all.read_only_reason("dev", false), None);
    }

    #[test]
    fn a_bad_value_names_the_line() {
        let err = Config::parse("c.toml", "[actions]\nconfirm = \"maybe\"\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().starts_with("c.toml:2:"), "{err}");
    }
}
