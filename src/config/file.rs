//! The config file: `$BOSUN_CONFIG`, else `~/.config/bosun/config.toml`. Every key is
//! optional; a malformed file names the file, line and column, and bosun exits. A key bosun
//! does not know is a warning, not an error: a config written for a newer bosun still works.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use serde::Deserialize;
use toml::de::{DeTable, DeValue};

use super::FileError;
use crate::domain::op::{Guard, Limits};
use crate::ui::keymap::{Command, Key, Keymap};

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
pub struct Exec {
    /// The command a shell in a container runs (`/bin/sh` when not set).
    pub command: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Actions {
    pub confirm: Confirm,
    /// The largest desired count or autoscaling maximum bosun sends.
    pub max_desired: Option<u32>,
}

/// `[accounts.NAME]` (or `[profiles.NAME]`): settings of one account of the fleet, by its
/// name (a profile's, or an organization account's name or id).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub read_only: Option<bool>,
    /// The regions to show in this account, in place of the top-level `regions`.
    pub regions: Option<Vec<String>>,
}

/// `profiles`: a list of profiles (and globs) to read, or, as before lists, a table of
/// settings per profile (`[profiles.prod] read_only = true`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Profiles {
    List(Vec<String>),
    Table(BTreeMap<String, Profile>),
}

impl Default for Profiles {
    fn default() -> Self {
        Profiles::Table(BTreeMap::new())
    }
}

/// `[organization]`: the active accounts of an AWS Organization, listed with `profile`'s
/// credentials, each reached by assuming `role_name` in it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Organization {
    pub profile: String,
    pub role_name: String,
    /// Only these accounts, by id or name (globs); empty: all.
    pub include: Vec<String>,
    /// Not these.
    pub exclude: Vec<String>,
    /// Regions of its accounts; default: the fleet's `regions`.
    pub regions: Option<Vec<String>>,
}

/// `[fleet]`: how the fleet is read.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Fleet {
    /// Fetches in flight at once over every account and region.
    pub max_in_flight: Option<usize>,
}

/// How often to refresh, in seconds.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Refresh {
    /// What is on screen.
    pub fast: Option<u64>,
    /// The rest of the fleet.
    pub slow: Option<u64>,
}

/// The order lists open in: `sort = "health"` (the default: worst first, then as listed,
/// by name) or `sort = "name"` (as listed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Health,
    Name,
}

/// The screen bosun opens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    /// Every cluster in every region.
    Fleet,
    /// The services of `cluster`.
    Services,
}

/// `[keys] quit = "x"` or `quit = ["x", "ctrl-q"]`: the keys that replace a command's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub command: Command,
    pub keys: Vec<Key>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Refuse every action, whatever the profile.
    pub read_only: bool,
    /// The AWS profile to use when neither `--profile` nor `AWS_PROFILE` says.
    pub profile: Option<String>,
    /// `profiles = ["prod-*", "staging"]`: the profiles (or globs) to read when neither
    /// `--profile` nor `AWS_PROFILE` says, each an account of the fleet.
    #[serde(rename = "profiles")]
    profiles_key: Profiles,
    /// The regions to show when neither `--region` nor `BOSUN_REGION` says.
    pub regions: Option<Vec<String>>,
    pub refresh: Refresh,
    /// `fleet`, or `services` (of `cluster`).
    pub default_view: Option<View>,
    /// The ECS cluster whose services bosun opens on.
    pub cluster: Option<String>,
    /// A built-in theme's name or a theme file's path.
    pub theme: Option<String>,
    /// The order lists open in.
    pub sort: Sort,
    pub actions: Actions,
    /// Per account: `[accounts.prod] read_only = true` (and `[profiles.prod]`, as before).
    pub accounts: BTreeMap<String, Profile>,
    pub organization: Option<Organization>,
    pub fleet: Fleet,
    /// `[exec] command = "/bin/bash"`: what `s` runs in a container.
    pub exec: Exec,
    /// The list `profiles = [...]` gives.
    #[serde(skip)]
    pub profiles: Vec<String>,
    /// Key remapping, checked against the default keymap (`[keys]`).
    #[serde(skip)]
    pub keys: Vec<Binding>,
    /// Short names for `:` commands (`[aliases] dp = "svc payments"`).
    #[serde(skip)]
    pub aliases: BTreeMap<String, String>,
    /// Keys bosun does not know: `path:line:column: unknown key ...`, to show, not to fail on.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// The keys each table may hold; `None`: any key (checked elsewhere).
const KNOWN: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "read_only",
            "profile",
            "regions",
            "refresh",
            "default_view",
            "cluster",
            "theme",
            "sort",
            "actions",
            "profiles",
            "accounts",
            "organization",
            "fleet",
            "exec",
            "keys",
            "aliases",
        ],
    ),
    ("exec", &["command"]),
    ("refresh", &["fast", "slow"]),
    ("actions", &["confirm", "max_desired"]),
    ("profiles.*", &["read_only", "regions"]),
    ("accounts.*", &["read_only", "regions"]),
    (
        "organization",
        &["profile", "role_name", "include", "exclude", "regions"],
    ),
    ("fleet", &["max_in_flight"]),
];

impl Config {
    pub fn parse(path: &str, text: &str) -> Result<Config, FileError> {
        let at = |span: Range<usize>, message: String| FileError::at(path, text, span.start, message);
        let table = DeTable::parse(text).map_err(|e| FileError::from_toml(path, text, &e))?;
        let mut config: Config = toml::from_str(text).map_err(|e| FileError::from_toml(path, text, &e))?;
        let root = table.get_ref();
        config.warnings = unknown_keys(root, "")
            .into_iter()
            .map(|(span, name)| at(span, format!("unknown key `{name}` (ignored)")).to_string())
            .collect();
        if let Some(refresh) = table_of(root, "refresh") {
            for (name, value) in refresh.iter() {
                if let DeValue::Integer(_) = value.get_ref()
                    && config_secs(&config.refresh, name.get_ref()) == Some(0)
                {
                    return Err(at(
                        value.span(),
                        format!("refresh.{} must be at least 1 second", name.get_ref()),
                    ));
                }
            }
        }
        if config.default_view == Some(View::Services) && config.cluster.is_none() {
            let span = root.get("default_view").map_or(0..0, |v| v.span());
            return Err(at(
                span,
                "default_view = \"services\" needs a cluster: add cluster = \"NAME\"".into(),
            ));
        }
        match std::mem::take(&mut config.profiles_key) {
            Profiles::List(list) => config.profiles = list,
            Profiles::Table(table) => {
                for (name, entry) in table {
                    if config.accounts.contains_key(&name) {
                        let span = root.get("profiles").map_or(0..0, |v| v.span());
                        return Err(at(
                            span,
                            format!("[profiles.{name}] and [accounts.{name}] both set `{name}`: keep one"),
                        ));
                    }
                    config.accounts.insert(name, entry);
                }
            }
        }
        if let Some(org) = &config.organization {
            let span = |key: &str| {
                table_of(root, "organization")
                    .and_then(|t| t.get(key).map(|v| v.span()))
                    .or_else(|| root.get("organization").map(|v| v.span()))
                    .unwrap_or(0..0)
            };
            if org.profile.trim().is_empty() {
                return Err(at(
                    span("profile"),
                    "[organization] needs profile = \"NAME\": the AWS profile that lists the organization's accounts"
                        .into(),
                ));
            }
            if org.role_name.trim().is_empty() {
                return Err(at(
                    span("role_name"),
                    "[organization] needs role_name = \"NAME\": the role to assume in each account, like \"OrganizationAccountAccessRole\""
                        .into(),
                ));
            }
        }
        if config.fleet.max_in_flight == Some(0) {
            let span = table_of(root, "fleet")
                .and_then(|t| t.get("max_in_flight").map(|v| v.span()))
                .unwrap_or(0..0);
            return Err(at(span, "fleet.max_in_flight must be at least 1".into()));
        }
        if let Some(keys) = table_of(root, "keys") {
            config.keys = bindings(keys).map_err(|(span, message)| at(span, message))?;
        }
        if let Some(aliases) = table_of(root, "aliases") {
            config.aliases = aliases_of(aliases).map_err(|(span, message)| at(span, message))?;
        }
        Ok(config)
    }

    /// Whether actions are refused in an account (by its name: a profile's, or an
    /// organization account's), and why: the flag, then the environment
    /// (`BOSUN_READ_ONLY`), then the account's entry, then the file's top level. A latch:
    /// the flag and the environment can make a session read-only but never lift a
    /// `read_only` the config sets, so a `BOSUN_READ_ONLY=0` left in a shell cannot
    /// unlock a production profile. Lifting it is an edit of the config.
    pub fn read_only_reason(&self, profile: &str, flag: bool) -> Option<String> {
        self.read_only_layered(profile, flag, None)
    }

    pub fn read_only_layered(&self, profile: &str, flag: bool, env: Option<bool>) -> Option<String> {
        if flag {
            return Some("read-only mode (--read-only)".into());
        }
        if env == Some(true) {
            return Some("read-only mode (BOSUN_READ_ONLY)".into());
        }
        match self.accounts.get(profile).and_then(|p| p.read_only) {
            Some(true) => return Some(format!("account `{profile}` is read-only in the config")),
            Some(false) => return None,
            None => {}
        }
        self.read_only
            .then(|| "read-only mode (read_only = true in the config)".into())
    }

    /// [`Config::read_only_layered`] for an account of the fleet: its entry by name, else
    /// by id (`[accounts."111111111111"]`).
    pub fn read_only_for(
        &self,
        account: &crate::domain::account::Account,
        flag: bool,
        env: Option<bool>,
    ) -> Option<String> {
        let key = match &account.id {
            Some(id) if !self.accounts.contains_key(&account.name) && self.accounts.contains_key(id) => id.as_str(),
            _ => account.name.as_str(),
        };
        self.read_only_layered(key, flag, env)
    }

    /// What actions may be sent into the fleet's accounts: refused everywhere by the flag
    /// or the environment (`BOSUN_READ_ONLY`), else per account as its entry (or the top
    /// level) says; within the file's limits.
    pub fn guard(&self, accounts: &[crate::domain::account::Account], flag: bool, env: Option<bool>) -> Guard {
        let mut limits = Limits::default();
        if let Some(max) = self.actions.max_desired {
            limits.max_desired = max;
        }
        let read_only = if flag {
            Some("read-only mode (--read-only)".to_string())
        } else if env == Some(true) {
            Some("read-only mode (BOSUN_READ_ONLY)".to_string())
        } else {
            None
        };
        Guard {
            read_only,
            accounts: accounts
                .iter()
                .filter_map(|a| Some((a.name.clone(), self.read_only_for(a, flag, env)?)))
                .collect(),
            limits,
        }
    }

    /// The default keymap with the file's `[keys]` applied.
    pub fn keymap(&self) -> Keymap {
        let mut keymap = Keymap::default();
        for binding in &self.keys {
            keymap.rebind(binding.command, &binding.keys);
        }
        keymap
    }
}

fn config_secs(refresh: &Refresh, name: &str) -> Option<u64> {
    match name {
        "fast" => refresh.fast,
        "slow" => refresh.slow,
        _ => None,
    }
}

fn table_of<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a DeTable<'i>> {
    match table.get(key)?.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => None,
    }
}

/// Keys of `table` (at `prefix`) that bosun does not read, with where they are.
fn unknown_keys(table: &DeTable<'_>, prefix: &str) -> Vec<(Range<usize>, String)> {
    let pattern = match prefix.split_once('.') {
        Some((head, _)) => format!("{head}.*"),
        None => prefix.to_string(),
    };
    let Some((_, known)) = KNOWN.iter().find(|(p, _)| *p == pattern) else {
        return Vec::new(); // free-form tables: [keys], [aliases]
    };
    let mut found = Vec::new();
    for (key, value) in table.iter() {
        let name = key.get_ref().as_ref();
        let full = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        if !known.contains(&name) {
            found.push((key.span(), full));
            continue;
        }
        if let DeValue::Table(inner) = value.get_ref() {
            if full == "profiles" || full == "accounts" {
                for (profile, entry) in inner.iter() {
                    if let DeValue::Table(entry) = entry.get_ref() {
                        found.extend(unknown_keys(entry, &format!("{full}.{}", profile.get_ref())));
                    }
                }
            } else {
                found.extend(unknown_keys(inner, &full));
            }
        }
    }
    found.sort_by_key(|(span, _)| span.start);
    found
}

type Located<T> = Result<T, (Range<usize>, String)>;

/// `[keys]`: each name a command, each value a key or a list of keys; no key for two
/// commands, and none taken from a command the file does not also rebind.
fn bindings(table: &DeTable<'_>) -> Located<Vec<Binding>> {
    let defaults = Keymap::default();
    let mut out: Vec<(Binding, Vec<Range<usize>>)> = Vec::new();
    for (name, value) in table.iter() {
        let command = Command::from_name(name.get_ref()).ok_or_else(|| {
            (
                name.span(),
                format!(
                    "`{}` is not a command; commands are: {}",
                    name.get_ref(),
                    Command::all().map(|c| c.name()).collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
        let items: Vec<(Range<usize>, &DeValue<'_>)> = match value.get_ref() {
            DeValue::Array(list) => list.iter().map(|v| (v.span(), v.get_ref())).collect(),
            other => vec![(value.span(), other)],
        };
        if items.is_empty() {
            return Err((value.span(), format!("`{}` needs at least one key", command.name())));
        }
        let mut keys = Vec::new();
        let mut spans = Vec::new();
        for (span, item) in items {
            let DeValue::String(text) = item else {
                return Err((span, "a key is a string, like \"q\" or \"ctrl-r\"".into()));
            };
            let key = Key::parse(text).map_err(|e| (span.clone(), e))?;
            if key == Key::ctrl('c') && command != Command::Quit {
                return Err((span, "ctrl-c always quits: pick another key".into()));
            }
            keys.push(key);
            spans.push(span);
        }
        out.push((Binding { command, keys }, spans));
    }
    // In the file's order, so a conflict is reported where it is made: on the later line.
    out.sort_by_key(|(_, spans)| spans.first().map_or(0, |s| s.start));
    let rebound: Vec<Command> = out.iter().map(|(b, _)| b.command).collect();
    let mut taken: BTreeMap<String, Command> = BTreeMap::new();
    for (binding, spans) in &out {
        for (key, span) in binding.keys.iter().zip(spans) {
            let label = key.to_string();
            if let Some(other) = taken.insert(label.clone(), binding.command)
                && other != binding.command
            {
                return Err((
                    span.clone(),
                    format!(
                        "`{label}` is bound to both `{}` and `{}`",
                        other.name(),
                        binding.command.name()
                    ),
                ));
            }
            let event = ratatui::crossterm::event::KeyEvent::new(key.code, key.modifiers);
            if let Some(owner) = defaults.lookup(&event)
                && owner != binding.command
                && !rebound.contains(&owner)
            {
                return Err((
                    span.clone(),
                    format!(
                        "`{label}` is already `{}`: bind `{}` to another key in [keys] too, or pick another key",
                        owner.name(),
                        owner.name()
                    ),
                ));
            }
        }
    }
    Ok(out.into_iter().map(|(b, _)| b).collect())
}

/// `[aliases]`: a short name for a `:` command line; it may not hide a built-in command.
fn aliases_of(table: &DeTable<'_>) -> Located<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (name, value) in table.iter() {
        let alias = name.get_ref().to_string();
        if alias.is_empty() || alias.contains(char::is_whitespace) {
            return Err((name.span(), format!("alias `{alias}` must be one word")));
        }
        if crate::ui::commands::is_builtin(&alias) {
            return Err((
                name.span(),
                format!("alias `{alias}` would hide the built-in command :{alias}"),
            ));
        }
        let DeValue::String(text) = value.get_ref() else {
            return Err((
                value.span(),
                format!("alias `{alias}` must be a string, like \"svc payments\""),
            ));
        };
        let first = text.split_whitespace().next().unwrap_or_default();
        if !crate::ui::commands::is_builtin(first) {
            return Err((
                value.span(),
                format!("alias `{alias}`: `{first}` is not a command (aliases expand to built-in commands)"),
            ));
        }
        out.insert(alias, text.to_string());
    }
    Ok(out)
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
                .contains("account `prod`")
        );
        assert_eq!(config.read_only_reason("dev", false), None);
        assert!(config.read_only_reason("dev", true).unwrap().contains("--read-only"));
        let all = Config::parse("c.toml", "read_only = true\n[profiles.dev]\nread_only = false\n").unwrap();
        assert!(all.read_only_reason("prod", false).is_some());
        assert_eq!(all.read_only_reason("dev", false), None);
        // The environment cannot lift what the config sets.
        assert!(config.read_only_layered("prod", false, Some(false)).is_some());
        assert!(all.read_only_layered("eu", false, Some(false)).is_some());
        assert!(
            config
                .read_only_layered("dev", false, Some(true))
                .unwrap()
                .contains("BOSUN_READ_ONLY")
        );
        assert!(config.read_only_layered("dev", true, Some(false)).is_some());
    }

    #[test]
    fn read_only_per_account_by_name_or_id() {
        use crate::domain::account::Account;
        let config = Config::parse(
            "c.toml",
            "profiles = [\"prod-*\", \"dev\"]\n[accounts.prod-a]\nread_only = true\n[accounts.\"222222222222\"]\nread_only = true\n",
        )
        .unwrap();
        assert_eq!(config.profiles, ["prod-*", "dev"]);
        let mut by_id = Account::named("team-b", vec![]);
        by_id.id = Some("222222222222".into());
        let accounts = [Account::named("prod-a", vec![]), Account::named("dev", vec![]), by_id];
        let guard = config.guard(&accounts, false, None);
        assert_eq!(guard.read_only, None);
        assert!(guard.accounts["prod-a"].contains("account `prod-a` is read-only"));
        assert!(guard.accounts["team-b"].contains("222222222222"));
        assert!(!guard.accounts.contains_key("dev"));
        // The environment cannot lift an account's read-only, and can set every account's.
        assert!(
            config
                .guard(&accounts, false, Some(false))
                .accounts
                .contains_key("prod-a")
        );
        assert!(config.guard(&accounts, false, Some(true)).read_only.is_some());
        // [profiles.NAME], as before, is an account's entry too; not both for one name.
        let old = Config::parse("c.toml", "[profiles.prod]\nread_only = true\n").unwrap();
        assert!(
            old.guard(&[Account::named("prod", vec![])], false, None)
                .accounts
                .contains_key("prod")
        );
        let both = Config::parse(
            "c.toml",
            "[profiles.prod]\nread_only = true\n[accounts.prod]\nread_only = false\n",
        );
        assert!(both.unwrap_err().message.contains("keep one"));
    }

    #[test]
    fn organization_and_fleet_settings_are_checked() {
        let config = Config::parse(
            "c.toml",
            "[organization]\nprofile = \"mgmt\"\nrole_name = \"OrganizationAccountAccessRole\"\nexclude = [\"111111111111\", \"sandbox-*\"]\n[fleet]\nmax_in_flight = 32\n",
        )
        .unwrap();
        let org = config.organization.unwrap();
        assert_eq!((org.profile.as_str(), org.exclude.len()), ("mgmt", 2));
        assert_eq!(config.fleet.max_in_flight, Some(32));
        let err = Config::parse("c.toml", "[organization]\nprofile = \"mgmt\"\n").unwrap_err();
        assert!(err.message.contains("needs role_name"), "{err}");
        assert_eq!(err.line, 1);
        let err = Config::parse("c.toml", "\n[fleet]\nmax_in_flight = 0\n").unwrap_err();
        assert!(err.message.contains("at least 1"), "{err}");
        assert_eq!(err.line, 3);
        let err = Config::parse("c.toml", "profiles = [1]\n").unwrap_err();
        assert_eq!(err.line, 1, "{err}");
    }

    #[test]
    fn a_bad_value_names_the_line() {
        let err = Config::parse("c.toml", "[actions]\nconfirm = \"maybe\"\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().starts_with("c.toml:2:"), "{err}");
        let err = Config::parse("c.toml", "regions = [\"us-east-1\"]\nsort = \"worst\"\n").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        assert!(err.message.contains("health") && err.message.contains("name"), "{err}");
        assert_eq!(Config::parse("c.toml", "sort = \"name\"\n").unwrap().sort, Sort::Name);
        assert_eq!(Config::parse("c.toml", "").unwrap().sort, Sort::Health);
    }

    #[test]
    fn every_setting_parses() {
        let text = r#"
profile = "prod"
regions = ["us-east-1", "eu-west-1"]
default_view = "services"
cluster = "checkout"
theme = "light"

[refresh]
fast = 3
slow = 120

[profiles.dev]
regions = ["eu-central-1"]

[keys]
quit = "x"
help = ["?", "f1"]

[aliases]
dp = "svc payments"
"#;
        let config = Config::parse("c.toml", text).unwrap();
        assert_eq!(config.profile.as_deref(), Some("prod"));
        assert_eq!(config.regions, Some(vec!["us-east-1".into(), "eu-west-1".into()]));
        assert_eq!(
            config.refresh,
            Refresh {
                fast: Some(3),
                slow: Some(120)
            }
        );
        assert_eq!(config.default_view, Some(View::Services));
        assert_eq!(config.theme.as_deref(), Some("light"));
        assert_eq!(config.accounts["dev"].regions, Some(vec!["eu-central-1".into()]));
        assert_eq!(config.aliases["dp"], "svc payments");
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
        let keymap = config.keymap();
        assert_eq!(keymap.keys_for(Command::Quit), vec![Key::plain('x')]);
        assert_eq!(
            keymap.keys_for(Command::Help),
            vec![Key::plain('?'), Key::parse("f1").unwrap()]
        );
    }

    #[test]
    fn unknown_keys_are_warnings_with_their_place() {
        let text = "refresh_rate = 5\n[refresh]\nfast = 2\nfastest = 1\n[profiles.prod]\nreadonly = true\n";
        let config = Config::parse("c.toml", text).unwrap();
        assert_eq!(
            config.warnings,
            vec![
                "c.toml:1:1: unknown key `refresh_rate` (ignored)",
                "c.toml:4:1: unknown key `refresh.fastest` (ignored)",
                "c.toml:6:1: unknown key `profiles.prod.readonly` (ignored)",
            ]
        );
        assert_eq!(config.refresh.fast, Some(2));
    }

    #[test]
    fn bad_keys_are_refused_with_their_place() {
        let cases = [
            ("[keys]\nfly = \"f\"\n", 2, 1, "`fly` is not a command"),
            ("[keys]\nquit = \"hyper-q\"\n", 2, 8, "`hyper-q` is not a key"),
            (
                "[keys]\nquit = \"x\"\nhelp = \"x\"\n",
                3,
                8,
                "`x` is bound to both `quit` and `help`",
            ),
            ("[keys]\nquit = \"j\"\n", 2, 8, "`j` is already `down`"),
            ("[keys]\nquit = []\n", 2, 8, "needs at least one key"),
            ("[keys]\nhelp = \"ctrl-c\"\n", 2, 8, "ctrl-c always quits"),
            ("[keys]\nquit = 5\n", 2, 8, "a key is a string"),
        ];
        for (text, line, column, message) in cases {
            let err = Config::parse("c.toml", text).unwrap_err();
            assert_eq!((err.line, err.column), (line, column), "{text}: {err}");
            assert!(err.message.contains(message), "{text}: {err}");
        }
        // Moving a key is fine when its owner gets another.
        let swap = Config::parse("c.toml", "[keys]\nquit = \"j\"\ndown = [\"n\", \"down\"]\n").unwrap();
        let keymap = swap.keymap();
        assert_eq!(keymap.keys_for(Command::Quit), vec![Key::plain('j')]);
        assert_eq!(
            keymap.keys_for(Command::Down),
            vec![Key::plain('n'), Key::parse("down").unwrap()]
        );
    }

    #[test]
    fn aliases_expand_to_commands_and_hide_none() {
        let err = Config::parse("c.toml", "[aliases]\nq = \"fleet\"\n").unwrap_err();
        assert!(err.message.contains("would hide the built-in command :q"), "{err}");
        assert_eq!(err.line, 2);
        let err = Config::parse("c.toml", "[aliases]\ndp = \"deploy-payments\"\n").unwrap_err();
        assert!(err.message.contains("`deploy-payments` is not a command"), "{err}");
        let err = Config::parse("c.toml", "[aliases]\ndp = 1\n").unwrap_err();
        assert!(err.message.contains("must be a string"), "{err}");
    }

    #[test]
    fn views_and_refresh_are_checked() {
        let err = Config::parse("c.toml", "default_view = \"services\"\n").unwrap_err();
        assert!(err.message.contains("needs a cluster"), "{err}");
        let err = Config::parse("c.toml", "default_view = \"pods\"\n").unwrap_err();
        assert_eq!(err.line, 1);
        let err = Config::parse("c.toml", "[refresh]\nfast = 0\n").unwrap_err();
        assert!(err.message.contains("at least 1 second"), "{err}");
        assert_eq!(err.line, 2);
        let err = Config::parse("c.toml", "[refresh]\nfast = \"5s\"\n").unwrap_err();
        assert_eq!(err.line, 2);
    }
}
