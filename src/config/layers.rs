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
    /// `--profile`, repeated or separated with commas; names or globs.
    pub profiles: Vec<String>,
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
    /// The AWS profiles to read (names or globs), each an account; empty: the SDK's
    /// default chain (or the organization's accounts).
    pub profiles: Vec<String>,
    /// Regions for every account, from the flag or the environment; empty: each
    /// account's own.
    pub regions: Vec<String>,
    /// An account's regions by its name, from its entry in the config.
    pub account_regions: std::collections::BTreeMap<String, Vec<String>>,
    /// The config's top-level `regions`: for an account with none of its own.
    pub default_regions: Vec<String>,
    pub organization: Option<super::file::Organization>,
    pub intervals: Intervals,
    /// The ECS cluster whose services bosun opens on; `None`: the fleet.
    pub cluster: Option<String>,
    /// The theme to load: a built-in name or a file; `None`: the default.
    pub theme: Option<String>,
}

pub fn resolve(file: &Config, env: &Env, flags: &Flags) -> Resolved {
    // `AWS_PROFILE` is the SDK's default chain's to read, as the AWS CLI does: keys in
    // the environment win over it. A profile named on the command line or in the config
    // is read with its own credentials only.
    let profiles = if !flags.profiles.is_empty() {
        flags.profiles.clone()
    } else if env.profile.is_some() {
        Vec::new()
    } else if !file.profiles.is_empty() {
        file.profiles.clone()
    } else {
        file.profile.iter().cloned().collect()
    };
    let regions = [flags.regions.clone(), env.regions.clone()]
        .into_iter()
        .find(|r| !r.is_empty())
        .unwrap_or_default();
    let account_regions = file
        .accounts
        .iter()
        .filter_map(|(name, entry)| Some((name.clone(), entry.regions.clone()?)))
        .collect();

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
    if let Some(n) = file.fleet.max_in_flight {
        intervals.max_in_flight = n;
    }
    // The rest of the fleet is never refreshed more often than what is on screen.
    intervals.slow = intervals.slow.max(intervals.fast);

    let cluster = flags.cluster.clone().or_else(|| match file.default_view {
        Some(View::Fleet) => None,
        Some(View::Services) | None => file.cluster.clone(),
    });

    Resolved {
        profiles,
        regions,
        account_regions,
        default_regions: file.regions.clone().unwrap_or_default(),
        organization: file.organization.clone(),
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
        assert!(r.profiles.is_empty());
        assert!(r.regions.is_empty());
        assert_eq!(r.intervals.max_in_flight, crate::source::scheduler::MAX_IN_FLIGHT);
        assert_eq!(r.intervals, Intervals::default());
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
        assert_eq!(r.profiles, ["stage"]);
        // The file's regions are each account's unless its entry has its own.
        assert!(r.regions.is_empty());
        assert_eq!(r.default_regions, ["eu-west-1"]);
        assert_eq!(r.account_regions["prod"], ["us-east-1", "us-west-2"]);
        assert_eq!(r.intervals.fast, Duration::from_secs(7));
        assert_eq!(r.intervals.slow, Duration::from_secs(90));
        // The file's read-only is per account, once accounts are known.
        assert!(
            file(FILE)
                .read_only_layered("stage", false, None)
                .unwrap()
                .contains("read_only = true")
        );
        // A list of profiles, over the single one.
        let list = resolve(
            &file("profile = \"a\"\nprofiles = [\"prod-*\", \"stage\"]\n"),
            &Env::default(),
            &Flags::default(),
        );
        assert_eq!(list.profiles, ["prod-*", "stage"]);
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
        // AWS_PROFILE is the default chain's to read (keys in the environment win over
        // it, as with the AWS CLI), not a profile named to bosun.
        assert!(r.profiles.is_empty());
        assert_eq!(r.intervals.fast, Duration::from_secs(3));
        assert_eq!(r.intervals.slow, Duration::from_secs(90));
        // Read-only is a latch: BOSUN_READ_ONLY=0 does not lift the file's `read_only`.
        assert!(file(FILE).read_only_layered("prod", false, e.read_only).is_some());
        let e = env(&[("BOSUN_REGION", "ap-south-1, eu-north-1"), ("BOSUN_READ_ONLY", "yes")]);
        let r = resolve(&Config::default(), &e, &Flags::default());
        assert_eq!(r.regions, ["ap-south-1", "eu-north-1"]);
        let guard = Config::default().guard(&[], false, e.read_only);
        assert!(guard.read_only.unwrap().contains("BOSUN_READ_ONLY"));
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
            profiles: vec!["dev".into(), "ops-*".into()],
            regions: vec!["sa-east-1".into()],
            refresh: Some(11),
            read_only: true,
            cluster: Some("billing".into()),
        };
        let r = resolve(&file(FILE), &e, &flags);
        assert_eq!(r.profiles, ["dev", "ops-*"]);
        assert_eq!(r.regions, ["sa-east-1"]);
        assert_eq!(r.intervals.fast, Duration::from_secs(11));
        let guard = file(FILE).guard(&[], flags.read_only, e.read_only);
        assert!(guard.read_only.unwrap().contains("--read-only"));
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
