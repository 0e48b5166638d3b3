//! The `:` command line: one list of every command (each screen's, from its module, and
//! the general ones here), read by the parser, by completion and by `?` help alike.

use std::collections::BTreeMap;

use crate::store::Store;
use crate::store::ui::ScreenId;

/// A `:` command: the words it answers to (the first is its name), its usage and what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    pub names: &'static [&'static str],
    pub usage: &'static str,
    pub help: &'static str,
    /// What its first argument names, for `tab` completion.
    pub arg: Arg,
}

impl CommandSpec {
    pub const fn new(names: &'static [&'static str], usage: &'static str, help: &'static str) -> Self {
        CommandSpec {
            names,
            usage,
            help,
            arg: Arg::None,
        }
    }

    pub const fn completes(mut self, arg: Arg) -> Self {
        self.arg = arg;
        self
    }

    pub fn name(&self) -> &'static str {
        self.names[0]
    }

    fn answers(&self, word: &str) -> bool {
        self.names.contains(&word)
    }
}

/// What a command's argument names, for completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    None,
    EcsClusters,
    EksClusters,
    /// The services of the cluster the user is in.
    Services,
    /// The namespaces of the EKS cluster the user is in.
    Namespaces,
    /// The accounts of the fleet.
    Accounts,
}

/// An action asked for on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActCmd {
    Scale(String),
    Stop {
        task: String,
        reason: Option<String>,
    },
    Redeploy,
    Rollback,
    Revision(String),
    Run {
        task_definition: String,
        count: Option<String>,
    },
    Drain(Option<String>),
    Activate(Option<String>),
    Limits(String, String),
    /// Start a CronJob's Job now.
    Trigger,
    /// Suspend (true) or resume a CronJob.
    Suspend(bool),
}

/// A parsed `:` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    /// A screen's command: which screen, the name it was called by, the words after it.
    Screen {
        screen: ScreenId,
        name: &'static str,
        args: Vec<String>,
    },
    Act(ActCmd),
    /// `:exec [CONTAINER] [COMMAND]`: a shell in the selected task's or pod's container.
    Exec(Vec<String>),
    /// `:forward LOCAL:REMOTE [CONTAINER]`.
    Forward(Vec<String>),
    /// A word no command answers: inside an EKS cluster, a Kubernetes kind.
    Kind {
        word: String,
        args: Vec<String>,
    },
    Namespace(Option<String>),
    /// Narrow the fleet to one account; `None`: all.
    Account(Option<String>),
    Help,
    Quit,
}

/// Builds a general command from the words after its name.
type Build = fn(&[&str]) -> Result<Cmd, String>;

fn none(name: &str, args: &[&str], cmd: Cmd) -> Result<Cmd, String> {
    match args {
        [] => Ok(cmd),
        _ => Err(format!(":{name} takes no argument")),
    }
}

fn one(args: &[&str], usage: &str) -> Result<String, String> {
    match args {
        [one] => Ok(one.to_string()),
        _ => Err(format!("usage: :{usage}")),
    }
}

fn optional(args: &[&str], usage: &str) -> Result<Option<String>, String> {
    match args {
        [] => Ok(None),
        [one] => Ok(Some(one.to_string())),
        _ => Err(format!("usage: :{usage}")),
    }
}

/// The commands that are not a screen's: actions, the namespace, help, quit.
const GENERAL: &[(CommandSpec, Build)] = &[
    (
        CommandSpec::new(&["scale"], "scale N", "set the service's desired count"),
        |a| one(a, "scale N").map(|n| Cmd::Act(ActCmd::Scale(n))),
    ),
    (
        CommandSpec::new(
            &["redeploy", "deploy"],
            "redeploy",
            "force a new deployment of the service",
        ),
        |a| none("redeploy", a, Cmd::Act(ActCmd::Redeploy)),
    ),
    (
        CommandSpec::new(&["rollback", "undo"], "rollback", "roll the service back a revision"),
        |a| none("rollback", a, Cmd::Act(ActCmd::Rollback)),
    ),
    (
        CommandSpec::new(
            &["revision", "rev"],
            "revision N",
            "deploy revision N of the service's family",
        ),
        |a| one(a, "revision N").map(|n| Cmd::Act(ActCmd::Revision(n))),
    ),
    (
        CommandSpec::new(&["stop", "kill"], "stop ID [REASON]", "stop a task of this cluster"),
        |a| match a {
            [task] => Ok(Cmd::Act(ActCmd::Stop {
                task: task.to_string(),
                reason: None,
            })),
            [task, reason @ ..] => Ok(Cmd::Act(ActCmd::Stop {
                task: task.to_string(),
                reason: Some(reason.join(" ")),
            })),
            [] => Err("usage: :stop TASK-ID [REASON]".into()),
        },
    ),
    (
        CommandSpec::new(&["run"], "run TASKDEF [N]", "run one-off tasks, like the service"),
        |a| match a {
            [td] => Ok(Cmd::Act(ActCmd::Run {
                task_definition: td.to_string(),
                count: None,
            })),
            [td, count] => Ok(Cmd::Act(ActCmd::Run {
                task_definition: td.to_string(),
                count: Some(count.to_string()),
            })),
            _ => Err("usage: :run TASKDEF [COUNT]".into()),
        },
    ),
    (
        CommandSpec::new(&["drain"], "drain [ID]", "drain a container instance"),
        |a| optional(a, "drain [INSTANCE-ID]").map(|id| Cmd::Act(ActCmd::Drain(id))),
    ),
    (
        CommandSpec::new(&["activate"], "activate [ID]", "activate a draining instance"),
        |a| optional(a, "activate [INSTANCE-ID]").map(|id| Cmd::Act(ActCmd::Activate(id))),
    ),
    (
        CommandSpec::new(&["limits"], "limits MIN MAX", "set the service's autoscaling range"),
        |a| match a {
            [min, max] => Ok(Cmd::Act(ActCmd::Limits(min.to_string(), max.to_string()))),
            _ => Err("usage: :limits MIN MAX".into()),
        },
    ),
    (
        CommandSpec::new(
            &["ns", "namespace"],
            "ns [NAME]",
            "only namespace NAME in Kubernetes views; :ns alone: all",
        )
        .completes(Arg::Namespaces),
        |a| optional(a, "ns [NAME]").map(|n| Cmd::Namespace(n.filter(|n| n != "all" && n != "-A"))),
    ),
    (
        CommandSpec::new(
            &["account", "acct"],
            "account [NAME]",
            "only account NAME in the fleet; :account alone: all",
        )
        .completes(Arg::Accounts),
        |a| optional(a, "account [NAME]").map(|n| Cmd::Account(n.filter(|n| n != "all"))),
    ),
    (
        CommandSpec::new(
            &["exec", "sh", "shell"],
            "exec [CONTAINER] [COMMAND]",
            "a shell (or COMMAND) in the task's or pod's container: ECS Exec, Kubernetes exec",
        ),
        |a| Ok(Cmd::Exec(a.iter().map(|w| w.to_string()).collect())),
    ),
    (
        CommandSpec::new(
            &["forward", "port-forward"],
            "forward LOCAL:[HOST:]REMOTE [CONTAINER]",
            "forward a local port to the task or pod (HOST: through the task to a host it reaches)",
        ),
        |a| match a {
            [_] | [_, _] => Ok(Cmd::Forward(a.iter().map(|w| w.to_string()).collect())),
            _ => Err("usage: :forward LOCAL:REMOTE or LOCAL:HOST:REMOTE [CONTAINER]".into()),
        },
    ),
    (
        CommandSpec::new(&["trigger"], "trigger", "run the CronJob now: a Job from its template"),
        |a| none("trigger", a, Cmd::Act(ActCmd::Trigger)),
    ),
    (
        CommandSpec::new(
            &["suspend", "pause"],
            "suspend",
            "suspend the CronJob's schedule; pause the App Runner service (also :pause)",
        ),
        |a| none("suspend", a, Cmd::Act(ActCmd::Suspend(true))),
    ),
    (
        CommandSpec::new(
            &["resume"],
            "resume",
            "resume the CronJob's schedule, or the App Runner service",
        ),
        |a| none("resume", a, Cmd::Act(ActCmd::Suspend(false))),
    ),
    (CommandSpec::new(&["help", "h", "?"], "help", "this help"), |a| {
        none("help", a, Cmd::Help)
    }),
    (
        CommandSpec::new(&["quit", "q", "q!", "exit"], "quit", "quit bosun (also :q)"),
        |a| none("quit", a, Cmd::Quit),
    ),
];

/// Every command, for help: each screen's in the registry's order, then the general ones.
pub fn all() -> impl Iterator<Item = &'static CommandSpec> {
    super::screens::ALL
        .iter()
        .flat_map(|s| s.commands())
        .chain(GENERAL.iter().map(|(spec, _)| spec))
}

/// Whether `word` names a built-in command (or one of its short forms).
pub fn is_builtin(word: &str) -> bool {
    let lower = word.to_lowercase();
    all().any(|spec| spec.answers(&lower))
}

/// Replace an alias from the config (`[aliases] dp = "svc payments"`) by what it stands
/// for; words after it are kept.
pub fn expand(text: &str, aliases: &BTreeMap<String, String>) -> String {
    let trimmed = text.trim_start();
    let (first, rest) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
    match aliases.get(first) {
        Some(expansion) if rest.trim().is_empty() => expansion.clone(),
        Some(expansion) => format!("{expansion} {}", rest.trim()),
        None => text.to_string(),
    }
}

const SUGGEST: &str = "fleet, cluster NAME, svc [NAME], tasks, stopped, quit";

pub fn parse(text: &str) -> Result<Cmd, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some((name, args)) = words.split_first() else {
        return Err(format!("type a command: {SUGGEST}"));
    };
    let lower = name.to_lowercase();
    for screen in super::screens::ALL {
        if let Some(spec) = screen.commands().iter().find(|s| s.answers(&lower)) {
            return Ok(Cmd::Screen {
                screen: screen.id(),
                name: spec.name(),
                args: args.iter().map(|a| a.to_string()).collect(),
            });
        }
    }
    match GENERAL.iter().find(|(spec, _)| spec.answers(&lower)) {
        Some((_, build)) => build(args),
        None => Ok(Cmd::Kind {
            word: name.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
        }),
    }
}

/// What a word that names no command and no kind gets.
pub fn unknown(word: &str) -> String {
    format!("unknown command `{word}`: try {SUGGEST} (? lists all)")
}

/// Names the argument of a command can take, from what is loaded.
fn candidates(command: &str, store: &Store) -> Vec<String> {
    let Some(spec) = all().find(|s| s.answers(command)) else {
        return Vec::new();
    };
    let selection = super::screens::selection(store);
    match spec.arg {
        Arg::None => Vec::new(),
        Arg::EcsClusters => store.all_clusters().map(|c| c.name.clone()).collect(),
        Arg::EksClusters => store.all_eks().map(|c| c.name.clone()).collect(),
        Arg::Namespaces => super::screens::current_eks(store, &selection)
            .and_then(|c| store.kube.get(&c))
            .map(|d| {
                let mut names: Vec<String> = d.pods.items().iter().map(|p| p.namespace.clone()).collect();
                names.sort();
                names.dedup();
                names
            })
            .unwrap_or_default(),
        Arg::Accounts => store.context.accounts.iter().map(|a| a.name.clone()).collect(),
        Arg::Services => selection
            .ecs_cluster()
            .and_then(|c| store.cluster_data(c))
            .map(|d| d.services.items().iter().map(|s| s.name.clone()).collect())
            .unwrap_or_default(),
    }
}

/// The words that could finish what is being typed, and the part already typed.
fn matches<'t>(text: &'t str, store: &Store) -> (Vec<String>, &'t str) {
    let words: Vec<&str> = text.split(' ').collect();
    let (options, partial): (Vec<String>, &str) = match words.as_slice() {
        [word] => (
            all()
                .map(|spec| spec.name().to_string())
                .chain(store.settings.aliases.keys().cloned())
                .chain(super::screens::resources::kind_names(store))
                .collect(),
            word,
        ),
        [command, arg] => (candidates(&command.to_lowercase(), store), arg),
        _ => return (Vec::new(), ""),
    };
    let found = options.into_iter().filter(|o| o.starts_with(partial)).collect();
    (found, partial)
}

/// Grey text after the cursor: the one completion, or the choices when there are a few.
pub fn completion_hint(text: &str, store: &Store) -> Option<String> {
    if text.is_empty() {
        return Some("fleet · cluster NAME · svc [NAME] · tasks · stopped · quit".into());
    }
    let (found, partial) = matches(text, store);
    match found.len() {
        0 => None,
        1 => Some(found[0][partial.len()..].to_string()).filter(|r| !r.is_empty()),
        2..=6 => Some(format!("   {}", found.join(" · "))),
        n => Some(format!("   {n} choices")),
    }
}

/// Complete the word being typed (tab), if exactly one thing completes it.
pub fn complete(text: &str, store: &Store) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    let (found, partial) = matches(text, store);
    let [only] = found.as_slice() else { return None };
    let mut out = format!("{text}{}", &only[partial.len()..]);
    // A command that takes words gets its space.
    if !text.contains(' ') && all().any(|spec| spec.name() == out && spec.usage.contains(' ')) {
        out.push(' ');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_with_their_short_forms() {
        let screen = |id: &'static str, name: &'static str, args: &[&str]| Cmd::Screen {
            screen: ScreenId(id),
            name,
            args: args.iter().map(|a| a.to_string()).collect(),
        };
        assert_eq!(parse("fleet"), Ok(screen("fleet", "fleet", &[])));
        assert_eq!(parse(" q "), Ok(Cmd::Quit));
        assert_eq!(parse("svc"), Ok(screen("services", "svc", &[])));
        assert_eq!(parse("svc checkout"), Ok(screen("services", "svc", &["checkout"])));
        assert_eq!(parse("CL prod-web"), Ok(screen("services", "cluster", &["prod-web"])));
        assert_eq!(parse("stopped"), Ok(screen("tasks", "stopped", &[])));
        assert_eq!(
            parse("ing shop"),
            Ok(Cmd::Kind {
                word: "ing".into(),
                args: vec!["shop".into()]
            })
        );
        assert_eq!(parse("scale 7"), Ok(Cmd::Act(ActCmd::Scale("7".into()))));
        assert_eq!(
            parse("stop 0f3c bad deploy"),
            Ok(Cmd::Act(ActCmd::Stop {
                task: "0f3c".into(),
                reason: Some("bad deploy".into())
            }))
        );
        assert_eq!(
            parse("run web:3 2"),
            Ok(Cmd::Act(ActCmd::Run {
                task_definition: "web:3".into(),
                count: Some("2".into())
            }))
        );
        assert_eq!(parse("drain"), Ok(Cmd::Act(ActCmd::Drain(None))));
        assert!(parse("limits 1").unwrap_err().contains("usage: :limits MIN MAX"));
        assert!(parse("").is_err());
    }

    #[test]
    fn every_word_names_one_command() {
        let mut seen = std::collections::HashSet::new();
        for spec in all() {
            for name in spec.names {
                assert!(seen.insert(*name), "`{name}` names two commands");
            }
        }
    }

    #[test]
    fn aliases_expand_before_parsing() {
        let aliases = [
            ("dp".to_string(), "svc payments".to_string()),
            ("up".to_string(), "scale".to_string()),
        ]
        .into_iter()
        .collect();
        assert_eq!(expand("dp", &aliases), "svc payments");
        assert_eq!(
            parse(&expand("up 4", &aliases)),
            Ok(Cmd::Act(ActCmd::Scale("4".into())))
        );
        assert_eq!(expand("fleet", &aliases), "fleet");
        assert!(is_builtin("svc") && is_builtin("Q") && !is_builtin("dp"));
    }
}
