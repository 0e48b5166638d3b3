//! The `:` command line: parsing, and completion from the names in the store.

use crate::store::Store;
use crate::store::ui::Route;

/// Every command, for help: usage and what it does.
pub const COMMANDS: &[(&str, &str)] = &[
    ("fleet", "every cluster in every region"),
    ("cluster NAME", "the services of a cluster"),
    ("svc [NAME]", "services of this cluster, or one service"),
    ("tasks", "running tasks of this service or cluster"),
    ("stopped", "stopped tasks of this service or cluster"),
    ("help", "this help"),
    ("quit", "quit bosun (also :q)"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    Fleet,
    Cluster(String),
    Services(Option<String>),
    Tasks { stopped: bool },
    Help,
    Quit,
}

/// The words each command answers to; the first is its name.
/// Builds a command from its argument.
type Build = fn(Option<String>) -> Result<Cmd, String>;

const NAMES: &[(&[&str], Build)] = &[
    (&["fleet", "clusters", "fl"], |_| Ok(Cmd::Fleet)),
    (&["cluster", "cl", "ctx"], |arg| {
        arg.map(Cmd::Cluster)
            .ok_or_else(|| "usage: :cluster NAME".to_string())
    }),
    (&["svc", "services", "service", "s"], |arg| {
        Ok(Cmd::Services(arg))
    }),
    (&["tasks", "task", "t"], |_| {
        Ok(Cmd::Tasks { stopped: false })
    }),
    (&["stopped", "st"], |_| Ok(Cmd::Tasks { stopped: true })),
    (&["help", "h", "?"], |_| Ok(Cmd::Help)),
    (&["quit", "q", "q!", "exit"], |_| Ok(Cmd::Quit)),
];

pub fn parse(text: &str) -> Result<Cmd, String> {
    let mut words = text.split_whitespace();
    let Some(name) = words.next() else {
        return Err("type a command: fleet, cluster NAME, svc [NAME], tasks, stopped, quit".into());
    };
    let arg = words.next().map(str::to_string);
    if words.next().is_some() {
        return Err(format!("`{text}`: too many words"));
    }
    let lower = name.to_lowercase();
    NAMES
        .iter()
        .find(|(names, _)| names.contains(&lower.as_str()))
        .map(|(_, build)| build(arg))
        .unwrap_or_else(|| {
            Err(format!(
                "unknown command `{name}`: try fleet, cluster NAME, svc [NAME], tasks, stopped, quit"
            ))
        })
}

/// Names the argument of a command can take, from what is loaded.
fn candidates(command: &str, store: &Store) -> Vec<String> {
    match command {
        "cluster" | "cl" | "ctx" => store.all_clusters().map(|c| c.name.clone()).collect(),
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
                .collect(),
            word,
        ),
        [command, arg] => (candidates(&command.to_lowercase(), store), arg),
        _ => return (Vec::new(), ""),
    };
    let found = options
        .into_iter()
        .filter(|o| o.starts_with(partial))
        .collect();
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
            (row.kind == crate::store::ClusterKind::Ecs).then(|| row.arn.clone())
        }
        route => route.cluster().map(str::to_string),
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
        assert_eq!(
            parse("svc checkout"),
            Ok(Cmd::Services(Some("checkout".into())))
        );
        assert_eq!(parse("CL prod-web"), Ok(Cmd::Cluster("prod-web".into())));
        assert_eq!(parse("stopped"), Ok(Cmd::Tasks { stopped: true }));
        assert!(parse("cluster").unwrap_err().contains("usage"));
        assert!(
            parse("frobnicate")
                .unwrap_err()
                .contains("unknown command `frobnicate`")
        );
        assert!(parse("svc a b").is_err());
        assert!(parse("").is_err());
    }
}
