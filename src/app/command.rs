//! The `:` command line: parsing, and completion from the names in the store.

use crate::config::keymap::Command;
use crate::domain::kube::KubeKind;
use crate::store::Store;
use crate::store::ui::Route;

/// Every command, for help: usage and what it does.
pub const COMMANDS: &[(&str, &str)] = &[
    ("fleet", "every cluster in every region"),
    ("cluster NAME", "the services of a cluster"),
    ("svc [NAME]", "services of this cluster, or one service"),
    ("tasks", "running tasks of this service or cluster"),
    ("stopped", "stopped tasks of this service or cluster"),
    ("instances", "container instances of this cluster"),
    ("metrics", "charts of the service"),
    ("autoscaling", "the service's autoscaling"),
    ("targets", "the service's load balancer targets"),
    ("taskdef", "the task definition (of a service or task)"),
    ("logs", "the log of a task's container"),
    ("images", "the ECR images behind the service"),
    ("repos", "the ECR repositories of the region"),
    ("schedules", "EventBridge rules that start tasks here"),
    ("scale N", "set the service's desired count"),
    ("redeploy", "force a new deployment of the service"),
    ("rollback", "roll the service back a revision"),
    ("revision N", "deploy revision N of the service's family"),
    ("stop ID [REASON]", "stop a task of this cluster"),
    ("run TASKDEF [N]", "run one-off tasks, like the service"),
    ("drain [ID]", "drain a container instance"),
    ("activate [ID]", "activate a draining instance"),
    ("limits MIN MAX", "set the service's autoscaling range"),
    ("eks [NAME]", "an EKS cluster: node groups, Fargate, add-ons"),
    ("nodes", "Kubernetes nodes of this EKS cluster"),
    ("pods", "pods (in the :ns namespace, or all)"),
    ("workloads", "deployments, statefulsets, daemonsets (also :wl)"),
    ("hpa", "horizontal pod autoscalers"),
    ("events", "Kubernetes events, newest first (also :ev)"),
    ("pvc", "persistent volume claims and storage classes"),
    ("ns [NAME]", "only namespace NAME in Kubernetes views; :ns alone: all"),
    ("help", "this help"),
    ("quit", "quit bosun (also :q)"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    Fleet,
    Cluster(String),
    Services(Option<String>),
    Tasks {
        stopped: bool,
    },
    Instances,
    /// A view one key away, by its command.
    Inspect(crate::config::keymap::Command),
    Repositories,
    Schedules,
    Act(super::act::ActCmd),
    Eks(Option<String>),
    Kube(crate::domain::kube::KubeKind),
    Namespace(Option<String>),
    Help,
    Quit,
}

/// The words each command answers to; the first is its name.
/// Builds a command from the rest of the line (words after the command's name).
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

use super::act::ActCmd;

/// The words each command answers to; the first is its name.
const NAMES: &[(&[&str], Build)] = &[
    (&["fleet", "clusters", "fl"], |a| none("fleet", a, Cmd::Fleet)),
    (&["cluster", "cl", "ctx"], |a| one(a, "cluster NAME").map(Cmd::Cluster)),
    (&["svc", "services", "service", "s"], |a| {
        optional(a, "svc [NAME]").map(Cmd::Services)
    }),
    (&["tasks", "task", "t"], |a| {
        none("tasks", a, Cmd::Tasks { stopped: false })
    }),
    (&["stopped", "st"], |a| none("stopped", a, Cmd::Tasks { stopped: true })),
    (&["instances", "ci", "ec2"], |a| none("instances", a, Cmd::Instances)),
    (&["metrics", "charts"], |a| {
        none("metrics", a, Cmd::Inspect(Command::Metrics))
    }),
    (&["autoscaling", "scaling", "as"], |a| {
        none("autoscaling", a, Cmd::Inspect(Command::Autoscaling))
    }),
    (&["targets", "tg", "lb"], |a| {
        none("targets", a, Cmd::Inspect(Command::Targets))
    }),
    (&["taskdef", "td"], |a| {
        none("taskdef", a, Cmd::Inspect(Command::TaskDefinition))
    }),
    (&["logs", "log"], |a| none("logs", a, Cmd::Inspect(Command::Logs))),
    (&["images", "ecr"], |a| none("images", a, Cmd::Inspect(Command::Images))),
    (&["repos", "repositories"], |a| none("repos", a, Cmd::Repositories)),
    (&["schedules", "cron", "rules"], |a| {
        none("schedules", a, Cmd::Schedules)
    }),
    (&["scale"], |a| one(a, "scale N").map(|n| Cmd::Act(ActCmd::Scale(n)))),
    (&["redeploy", "deploy"], |a| {
        none("redeploy", a, Cmd::Act(ActCmd::Redeploy))
    }),
    (&["rollback", "undo"], |a| {
        none("rollback", a, Cmd::Act(ActCmd::Rollback))
    }),
    (&["revision", "rev"], |a| {
        one(a, "revision N").map(|n| Cmd::Act(ActCmd::Revision(n)))
    }),
    (&["stop", "kill"], |a| match a {
        [task] => Ok(Cmd::Act(ActCmd::Stop {
            task: task.to_string(),
            reason: None,
        })),
        [task, reason @ ..] => Ok(Cmd::Act(ActCmd::Stop {
            task: task.to_string(),
            reason: Some(reason.join(" ")),
        })),
        [] => Err("usage: :stop TASK-ID [REASON]".into()),
    }),
    (&["run"], |a| match a {
        [td] => Ok(Cmd::Act(ActCmd::Run {
            task_definition: td.to_string(),
            count: None,
        })),
        [td, count] => Ok(Cmd::Act(ActCmd::Run {
            task_definition: td.to_string(),
            count: Some(count.to_string()),
        })),
        _ => Err("usage: :run TASKDEF [COUNT]".into()),
    }),
    (&["drain"], |a| {
        optional(a, "drain [INSTANCE-ID]").map(|id| Cmd::Act(ActCmd::Drain(id)))
    }),
    (&["activate"], |a| {
        optional(a, "activate [INSTANCE-ID]").map(|id| Cmd::Act(ActCmd::Activate(id)))
    }),
    (&["limits"], |a| match a {
        [min, max] => Ok(Cmd::Act(ActCmd::Limits(min.to_string(), max.to_string()))),
        _ => Err("usage: :limits MIN MAX".into()),
    }),
    (&["eks", "k8s"], |a| optional(a, "eks [NAME]").map(Cmd::Eks)),
    (&["nodes", "node", "no"], |a| {
        none("nodes", a, Cmd::Kube(KubeKind::Nodes))
    }),
    (&["pods", "pod", "po"], |a| none("pods", a, Cmd::Kube(KubeKind::Pods))),
    (&["workloads", "wl", "deployments", "sts", "ds"], |a| {
        none("workloads", a, Cmd::Kube(KubeKind::Workloads))
    }),
    (&["hpa", "hpas"], |a| none("hpa", a, Cmd::Kube(KubeKind::Hpas))),
    (&["events", "ev"], |a| none("events", a, Cmd::Kube(KubeKind::Events))),
    (&["pvc", "pvcs", "storage", "sc"], |a| {
        none("pvc", a, Cmd::Kube(KubeKind::Pvcs))
    }),
    (&["ns", "namespace"], |a| {
        optional(a, "ns [NAME]").map(|n| Cmd::Namespace(n.filter(|n| n != "all" && n != "-A")))
    }),
    (&["help", "h", "?"], |a| none("help", a, Cmd::Help)),
    (&["quit", "q", "q!", "exit"], |a| none("quit", a, Cmd::Quit)),
];

/// Whether `word` names a built-in command (or one of its short forms).
pub fn is_builtin(word: &str) -> bool {
    let lower = word.to_lowercase();
    NAMES.iter().any(|(names, _)| names.contains(&lower.as_str()))
}

/// Replace an alias from the config (`[aliases] dp = "svc payments"`) by what it stands
/// for; words after it are kept.
pub fn expand(text: &str, aliases: &std::collections::BTreeMap<String, String>) -> String {
    let trimmed = text.trim_start();
    let (first, rest) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
    match aliases.get(first) {
        Some(expansion) if rest.trim().is_empty() => expansion.clone(),
        Some(expansion) => format!("{expansion} {}", rest.trim()),
        None => text.to_string(),
    }
}

pub fn parse(text: &str) -> Result<Cmd, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some((name, args)) = words.split_first() else {
        return Err("type a command: fleet, cluster NAME, svc [NAME], tasks, stopped, quit".into());
    };
    let lower = name.to_lowercase();
    NAMES
        .iter()
        .find(|(names, _)| names.contains(&lower.as_str()))
        .map(|(_, build)| build(args))
        .unwrap_or_else(|| {
            Err(format!(
                "unknown command `{name}`: try fleet, cluster NAME, svc [NAME], tasks, stopped, quit (? lists all)"
            ))
        })
}

/// Names the argument of a command can take, from what is loaded.
fn candidates(command: &str, store: &Store) -> Vec<String> {
    match command {
        "cluster" | "cl" | "ctx" => store.all_clusters().map(|c| c.name.clone()).collect(),
        "eks" | "k8s" => store.all_eks().map(|c| c.name.clone()).collect(),
        "ns" | "namespace" => current_eks(store)
            .and_then(|c| store.kube.get(&c))
            .map(|d| {
                let mut names: Vec<String> = d.pods.items().iter().map(|p| p.namespace.clone()).collect();
                names.sort();
                names.dedup();
                names
            })
            .unwrap_or_default(),
        "svc" | "services" | "service" | "s" => current_cluster(store)
            .and_then(|c| store.cluster_data(&c))
            .map(|d| d.services.items().iter().map(|s| s.name.clone()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The words that could finish what is being typed, and the part already typed.
fn matches<'t>(text: &'t str, store: &Store) -> (Vec<String>, &'t str) {
    let words: Vec<&str> = text.split(' ').collect();
    let (options, partial): (Vec<String>, &str) = match words.as_slice() {
        [word] => (
            NAMES
                .iter()
                .map(|(names, _)| names[0].to_string())
                .chain(store.settings.aliases.keys().cloned())
                .collect(),
            word,
        ),
        [command, arg] => (candidates(&command.to_lowercase(), store), arg),
        _ => return (Vec::new(), ""),
    };
    let found = options.into_iter().filter(|o| o.starts_with(partial)).collect();
    (found, partial)
}

/// The rest of the word being typed, if exactly one thing completes it.
fn completion(text: &str, store: &Store) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    match matches(text, store) {
        (found, partial) if found.len() == 1 => Some(found[0][partial.len()..].to_string()),
        _ => None,
    }
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

/// Complete the word being typed (tab).
pub fn complete(text: &str, store: &Store) -> Option<String> {
    let rest = completion(text, store)?;
    let mut out = format!("{text}{rest}");
    if !text.contains(' ')
        && NAMES
            .iter()
            .any(|(n, _)| n[0] == out && n[0] != "fleet" && n[0] != "quit")
    {
        out.push(' ');
    }
    Some(out)
}

/// The cluster the user is "in": the route's, or the selected row of the fleet.
pub fn current_cluster(store: &Store) -> Option<String> {
    let page = store.ui.page();
    match &page.route {
        Route::Fleet => {
            let row = crate::ui::table::selected(page.table(), store.fleet.items())?;
            (row.kind == crate::domain::ClusterKind::Ecs).then(|| row.arn.clone())
        }
        route => route.cluster().filter(|c| !is_eks(c)).map(str::to_string),
    }
}

pub fn is_eks(arn: &str) -> bool {
    arn.starts_with("arn:aws:eks:") || arn.contains(":eks:")
}

/// The EKS cluster the user is on: the page's, the fleet's selected row, or the only one.
pub fn current_eks(store: &Store) -> Option<String> {
    let page = store.ui.page();
    if let Some(c) = page.route.cluster().filter(|c| is_eks(c)) {
        return Some(c.to_string());
    }
    if let Route::Fleet = &page.route
        && let Some(row) = crate::ui::table::selected(page.table(), store.fleet.items())
        && row.kind == crate::domain::ClusterKind::Eks
    {
        return Some(row.arn.clone());
    }
    let mut all = store.all_eks();
    match (all.next(), all.next()) {
        (Some(only), None) => Some(only.arn.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_with_aliases() {
        assert_eq!(parse("fleet"), Ok(Cmd::Fleet));
        assert_eq!(parse(" q "), Ok(Cmd::Quit));
        assert_eq!(parse("svc"), Ok(Cmd::Services(None)));
        assert_eq!(parse("svc checkout"), Ok(Cmd::Services(Some("checkout".into()))));
        assert_eq!(parse("CL prod-web"), Ok(Cmd::Cluster("prod-web".into())));
        assert_eq!(parse("stopped"), Ok(Cmd::Tasks { stopped: true }));
        assert!(parse("cluster").unwrap_err().contains("usage"));
        assert!(
            parse("frobnicate")
                .unwrap_err()
                .contains("unknown command `frobnicate`")
        );
        assert!(parse("svc a b").is_err());
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
        assert!(parse("fleet now").is_err());
        assert!(parse("").is_err());
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
