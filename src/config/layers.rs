//! Where each setting comes from. Later layers win: built-in defaults, then the config
//! file, then the environment (`BOSUN_REFRESH`, `BOSUN_REGION`, `BOSUN_READ_ONLY`,
//! `AWS_PROFILE`), then the command line's flags.

use std::time::Duration;

use super::file::{Config, View};
use crate::source::scheduler::Intervals;

/// What the command line said (`None` / empty / `false`: nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    pub demo: bool,
    pub profile: Option<String>,
    pub regions: Vec<String>,
    pub refresh: Option<u64>,
    pub read_only: bool,
    pub cluster: Option<String>,
}

/// What the environment said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    /// `AWS_PROFILE`.
    pub profile: Option<String>,
    /// `BOSUN_REGION`: one region or several, separated by commas.
    pub regions: Vec<String>,
    /// `BOSUN_REFRESH`: seconds between refreshes of what is on screen.
    pub refresh: Option<u64>,
    /// `BOSUN_READ_ONLY`: `1`/`true`/`yes`/`on`, or `0`/`false`/`no`/`off`.
    pub read_only: Option<bool>,
}

impl Env {
    /// Read the variables through `get` (empty values count as unset).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Env, String> {
        let get = |name: &str| get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let refresh = match get("BOSUN_REFRESH") {
            None => None,
            Some(text) => match text.parse::<u64>() {
                Ok(secs) if (1..=3600).contains(&secs) => Some(secs),
                _ => {
                    return Err(format!(
                        "BOSUN_REFRESH={text}: expected seconds between 1 and 3600, like BOSUN_REFRESH=10"
                    ));
                }
            },
        };
        let read_only = match get("BOSUN_READ_ONLY") {
            None => None,
            Some(text) => match text.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Some(true),
                "0" | "false" | "no" | "off" => Some(false),
                _ => return Err(format!("BOSUN_READ_ONLY={text}: expected 1 or 0 (true or false)")),
            },
        };
        let regions = get("BOSUN_REGION")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Env {
            profile: get("AWS_PROFILE"),
            regions,
            refresh,
            read_only,
        })
    }

    /// The process's environment.
    pub fn current() -> Result<Env, String> {
        Env::from_vars(|name| std::env::var(name).ok())
    }
}

/// Every setting, with its layers applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The AWS profile to ask for; `None`: the SDK's default chain.
    pub profile: Option<String>,
    /// Regions to show; empty: the profile's or the environment's region (`AWS_REGION`).
    pub regions: Vec<String>,
    pub intervals: Intervals,
    /// Why actions are refused, if they are.
    pub read_only: Option<String>,
    /// The ECS cluster whose services bosun opens on; `None`: the fleet.
    pub cluster: Option<String>,
    /// The theme to load: a built-in name or a file; `None`: the default.
    pub theme: Option<String>,
}

pub fn resolve(file: &Config, env: &Env, flags: &Flags) -> Resolved {
    let profile = flags
        .profile
        .clone()
        .or_else(|| env.profile.clone())
        .or_else(|| file.profile.clone());
    let profile_name = profile.clone().unwrap_or_else(|| "default".to_string());
    let entry = file.profiles.get(&profile_name);

    let regions = [
        flags.regions.clone(),
        env.regions.clone(),
        entry.and_then(|p| p.regions.clone()).unwrap_or_default(),
        file.regions.clone().unwrap_or_default(),
    ]
    .into_iter()
    .find(|r| !r.is_empty())
    .unwrap_or_default();

    let mut intervals = Intervals::default();
    if flags.demo {
        // The demo fleet is local and cheap to ask: let it look alive.
        intervals.fast = Duration::from_secs(2);
        intervals.slow = Duration::from_secs(10);
    }
    if let Some(secs) = file.refresh.fast {
        intervals.fast = Duration::from_secs(secs);
    }
    if let Some(secs) = file.refresh.slow {
        intervals.slow = Duration::from_secs(secs);
    }
    if let Some(secs) = flags.refresh.or(env.refresh) {
        intervals.fast = Duration::from_secs(secs);
    }
    // The rest of the fleet is never refreshed more often than what is on screen.
    intervals.slow = intervals.slow.max(intervals.fast);

    let cluster = flags.cluster.clone().or_else(|| match file.default_view {
        Some(View::Fleet) => None,
        Some(View::Services) | None => file.cluster.clone(),
    });

    Resolved {
        read_only: file.read_only_layered(&profile_name, flags.read_only, env.read_only),
        profile,
        regions,
        intervals,
        cluster,
        theme: file.theme.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Env::from_vars(|k| vars.get(k).cloned()).unwrap()
    }

    fn file(text: &str) -> Config {
        Config::parse("c.toml", text).unwrap()
    }

    const FILE: &str = r#"
profile = "stage"
regions = ["eu-west-1"]
read_only = true
cluster = "checkout"
theme = "light"
[refresh]
fast = 7
slow = 90
[profiles.prod]
regions = ["us-east-1", "us-west-2"]
"#;

    #[test]
    fn defaults_when_nothing_is_said() {
        let r = resolve(&Config::default(), &Env::default(), &Flags::default());
        assert_eq!(r.profile, None);
        assert!(r.regions.is_empty());
        assert_eq!(r.intervals, Intervals::default());
        assert_eq!(r.read_only, None);
        assert_eq!(r.cluster, None);
        assert_eq!(r.theme, None);
        let demo = resolve(
            &Config::default(),
            &Env::default(),
            &Flags {
                demo: true,
                ..Flags::default()
            },
        );
        assert_eq!(demo.intervals.fast, Duration::from_secs(2));
    }

    #[test]
    fn the_file_over_the_defaults() {
        let r = resolve(&file(FILE), &Env::default(), &Flags::default());
        assert_eq!(r.profile.as_deref(), Some("stage"));
        assert_eq!(r.regions, ["eu-west-1"]);
        assert_eq!(r.intervals.fast, Duration::from_secs(7));
        assert_eq!(r.intervals.slow, Duration::from_secs(90));
        assert!(r.read_only.unwrap().contains("read_only = true"));
        assert_eq!(r.cluster.as_deref(), Some("checkout"));
        assert_eq!(r.theme.as_deref(), Some("light"));
        // The demo's quick refresh is a default too: the file wins over it.
        let demo = resolve(
            &file(FILE),
            &Env::default(),
            &Flags {
                demo: true,
                ..Flags::default()
            },
        );
        assert_eq!(demo.intervals.fast, Duration::from_secs(7));
        // default_view = "fleet" keeps the cluster for later, not for the start.
        let fleet = resolve(
            &file("cluster = \"checkout\"\ndefault_view = \"fleet\"\n"),
            &Env::default(),
            &Flags::default(),
        );
        assert_eq!(fleet.cluster, None);
    }

    #[test]
    fn the_environment_over_the_file() {
        let e = env(&[
            ("AWS_PROFILE", "prod"),
            ("BOSUN_REFRESH", "3"),
            ("BOSUN_READ_ONLY", "0"),
        ]);
        let r = resolve(&file(FILE), &e, &Flags::default());
        assert_eq!(r.profile.as_deref(), Some("prod"));
        // The profile's own regions, over the file's top level.
        assert_eq!(r.regions, ["us-east-1", "us-west-2"]);
        assert_eq!(r.intervals.fast, Duration::from_secs(3));
        assert_eq!(r.intervals.slow, Duration::from_secs(90));
        // Read-only is a latch: BOSUN_READ_ONLY=0 does not lift the file's `read_only`.
        assert!(r.read_only.unwrap().contains("read_only = true"));
        let e = env(&[("BOSUN_REGION", "ap-south-1, eu-north-1"), ("BOSUN_READ_ONLY", "yes")]);
        let r = resolve(&Config::default(), &e, &Flags::default());
        assert_eq!(r.regions, ["ap-south-1", "eu-north-1"]);
        assert!(r.read_only.unwrap().contains("BOSUN_READ_ONLY"));
    }

    #[test]
    fn flags_over_everything() {
        let e = env(&[
            ("AWS_PROFILE", "prod"),
            ("BOSUN_REGION", "ap-south-1"),
            ("BOSUN_REFRESH", "3"),
            ("BOSUN_READ_ONLY", "0"),
        ]);
        let flags = Flags {
            demo: false,
            profile: Some("dev".into()),
            regions: vec!["sa-east-1".into()],
            refresh: Some(11),
            read_only: true,
            cluster: Some("billing".into()),
        };
        let r = resolve(&file(FILE), &e, &flags);
        assert_eq!(r.profile.as_deref(), Some("dev"));
        assert_eq!(r.regions, ["sa-east-1"]);
        assert_eq!(r.intervals.fast, Duration::from_secs(11));
        assert!(r.read_only.unwrap().contains("--read-only"));
        assert_eq!(r.cluster.as_deref(), Some("billing"));
    }

    #[test]
    fn a_bad_environment_says_which_variable() {
        let bad = |k: &str, v: &str| Env::from_vars(|n| (n == k).then(|| v.to_string())).unwrap_err();
        assert!(bad("BOSUN_REFRESH", "fast").starts_with("BOSUN_REFRESH=fast"));
        assert!(bad("BOSUN_REFRESH", "0").contains("between 1 and 3600"));
        assert!(bad("BOSUN_READ_ONLY", "maybe").starts_with("BOSUN_READ_ONLY=maybe"));
        assert_eq!(Env::from_vars(|_| Some(" ".into())).unwrap(), Env::default());
    }
}
