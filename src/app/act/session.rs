//! Sessions, app side: `s` / `:exec` opens a shell in the selected container, `F` /
//! `:forward` forwards a local port to it. Read-only refuses both before any call (they
//! reach into production); a container is asked for when the task or pod has several;
//! ECS Exec's preconditions are checked first. The loop carries the session out
//! (`Effect::Session`).

use super::{open, place, refusal};
use crate::app::action::Effect;
use crate::domain::session::{self, Kind, Ports, Request, Target};
use crate::store::Store;
use crate::store::ui::{LineInput, Pending, Step};
use crate::ui::screen::Selection;
use crate::ui::screens;

/// What a session is aimed at before its container is chosen: the target with an empty
/// container, and the containers to choose from.
fn aim(selection: &Selection) -> Result<(Target, Vec<String>), String> {
    if let (Some(pod), Some(cluster)) = (&selection.pod, selection.eks_cluster()) {
        let containers = pod.containers.iter().map(|c| c.name.clone()).collect();
        return Ok((
            Target::Pod {
                cluster: cluster.to_string(),
                namespace: pod.namespace.clone(),
                pod: pod.name.clone(),
                container: String::new(),
            },
            containers,
        ));
    }
    if let (Some(object), Some(cluster)) = (&selection.object, selection.eks_cluster())
        && object.kind.split('.').next() == Some("services")
        && let Some(namespace) = &object.namespace
    {
        return Ok((
            Target::KubeService {
                cluster: cluster.to_string(),
                namespace: namespace.clone(),
                name: object.name.clone(),
            },
            Vec::new(),
        ));
    }
    if let Some(task) = &selection.task {
        let containers = task.containers.iter().map(|c| c.name.clone()).collect();
        let cluster = selection.ecs_cluster().unwrap_or(&task.cluster_arn).to_string();
        return Ok((
            Target::Ecs {
                cluster,
                task: task.arn.clone(),
                container: String::new(),
                runtime_id: None,
            },
            containers,
        ));
    }
    Err("select a task or a pod first (or one of its containers)".into())
}

/// Aim `target` at `container`, with what the store knows of it (an ECS container's
/// runtime id); or say why exec cannot reach it.
fn with_container(
    store: &Store,
    selection: &Selection,
    target: &Target,
    container: &str,
    shell: bool,
) -> Result<Target, String> {
    match target {
        Target::Pod { .. } => Ok(target.with_container(container)),
        Target::KubeService { .. } if shell => Err(session::NO_SERVICE_SHELL.into()),
        Target::KubeService { .. } => Ok(target.clone()),
        Target::Ecs { cluster, task, .. } => {
            let t = selection.task.as_ref().ok_or("select a task first")?;
            let c = t
                .containers
                .iter()
                .find(|c| c.name == container)
                .ok_or_else(|| format!("task {} has no container {container}", t.id))?;
            let service_exec = t.service_name().and_then(|name| {
                store
                    .cluster_data(cluster)?
                    .services
                    .items()
                    .iter()
                    .find(|s| s.name == name)
                    .map(|s| s.exec_enabled)
            });
            // A forward goes through the same agent as a shell.
            if let Some(why) = session::ecs_exec_refusal(t, c, service_exec) {
                return Err(if shell { why } else { format!("cannot forward: {why}") });
            }
            Ok(Target::Ecs {
                cluster: cluster.clone(),
                task: task.clone(),
                container: container.to_string(),
                runtime_id: c.runtime_id.clone(),
            })
        }
    }
}

fn refused(store: &Store, selection: &Selection, verb: &str) -> Option<String> {
    refusal(store, selection).map(|why| format!("{verb} refused: {why} (a session reaches into the container)"))
}

/// `s`, or `:exec [CONTAINER] [COMMAND]`: a shell in the container.
pub fn exec(store: &mut Store, words: &[&str], effects: &mut Vec<Effect>) {
    let selection = screens::selection(store);
    if let Some(why) = refused(store, &selection, "exec") {
        store.ui.error(why);
        return;
    }
    let (target, containers) = match aim(&selection) {
        Ok((Target::KubeService { .. }, _)) => return store.ui.error(session::NO_SERVICE_SHELL),
        Ok(aimed) => aimed,
        Err(why) => return store.ui.error(why),
    };
    // The first word names a container when it is one; the rest is the command.
    let (named, command) = match words.split_first() {
        Some((first, rest)) if containers.iter().any(|c| c == first) => (Some(first.to_string()), rest.join(" ")),
        _ => (None, words.join(" ")),
    };
    let command = match (command.trim(), store.settings.exec_command.trim()) {
        ("", "") => session::DEFAULT_COMMAND.to_string(),
        ("", configured) => configured.to_string(),
        (typed, _) => typed.to_string(),
    };
    let chosen = named.or_else(|| chosen(&selection, &containers));
    match chosen {
        Some(container) => start(store, &selection, &target, &container, Kind::Shell { command }, effects),
        None => ask_container(store, target, containers, Kind::Shell { command }),
    }
}

/// `F`, or `:forward LOCAL:REMOTE` / `:forward LOCAL:HOST:REMOTE [CONTAINER]`.
pub fn forward(store: &mut Store, words: &[&str], effects: &mut Vec<Effect>) {
    let selection = screens::selection(store);
    if let Some(why) = refused(store, &selection, "forward") {
        store.ui.error(why);
        return;
    }
    let (target, containers) = match aim(&selection) {
        Ok(aimed) => aimed,
        Err(why) => return store.ui.error(why),
    };
    let named = words.get(1).map(|w| w.to_string());
    if let Some(name) = &named
        && !containers.contains(name)
    {
        return store
            .ui
            .error(format!("no container {name} here (it has {})", containers.join(", ")));
    }
    let container = named
        .or_else(|| chosen(&selection, &containers))
        .or_else(|| containers.first().cloned())
        .unwrap_or_default();
    match words.first() {
        Some(ports) => match Ports::parse(ports) {
            Ok(ports) => start(store, &selection, &target, &container, Kind::Forward(ports), effects),
            Err(why) => store.ui.error(why),
        },
        None => {
            let suggested = suggested_ports(store, &selection, &container);
            let title = format!("Forward a local port to {}", target_name(&target, &container));
            let prompt = "ports: LOCAL:REMOTE, or LOCAL:HOST:REMOTE through the task".to_string();
            let then = Pending::Session {
                target,
                container,
                containers: vec![],
                kind: None,
            };
            open_ask(store, title, prompt, &suggested, then);
        }
    }
}

/// The container the user is on, or the only one.
fn chosen(selection: &Selection, containers: &[String]) -> Option<String> {
    selection
        .container
        .clone()
        .filter(|c| containers.contains(c))
        .or_else(|| match containers {
            [only] => Some(only.clone()),
            _ => None,
        })
}

fn target_name(target: &Target, container: &str) -> String {
    target.with_container(container).label()
}

/// The container's port as `PORT:PORT`: the one its service's load balancer sends to, else
/// the first of its task definition (where that is loaded).
fn suggested_ports(store: &Store, selection: &Selection, container: &str) -> String {
    let Some(task) = &selection.task else {
        return String::new();
    };
    let balanced = task.service_name().and_then(|name| {
        store
            .cluster_data(&task.cluster_arn)?
            .services
            .items()
            .iter()
            .find(|s| s.name == name)?
            .load_balancers
            .iter()
            .find(|lb| lb.container_name == container)
            .map(|lb| lb.container_port)
    });
    let defined = || match store.task_definitions.get(&task.task_definition) {
        Some(Ok(td)) => td
            .containers
            .iter()
            .find(|c| c.name == container)
            .and_then(|c| c.ports.first())
            .map(|p| p.container_port),
        _ => None,
    };
    balanced
        .or_else(defined)
        .map(|port| format!("{port}:{port}"))
        .unwrap_or_default()
}

fn ask_container(store: &mut Store, target: Target, containers: Vec<String>, kind: Kind) {
    let title = format!("Shell in {}", target_name(&target, "…"));
    let prompt = format!("container ({})", containers.join(", "));
    let first = containers.first().cloned().unwrap_or_default();
    let then = Pending::Session {
        target,
        container: String::new(),
        containers,
        kind: Some(kind),
    };
    open_ask(store, title, prompt, &first, then);
}

fn open_ask(store: &mut Store, title: String, prompt: String, value: &str, then: Pending) {
    let Pending::Session { target, .. } = &then else {
        return;
    };
    let mut place = place(store, target.cluster());
    match target {
        Target::Ecs { task, .. } => place.push(("task", crate::util::arn_tail(task).to_string())),
        Target::Pod { namespace, pod, .. } => place.push(("pod", format!("{namespace}/{pod}"))),
        Target::KubeService { namespace, name, .. } => place.push(("service", format!("{namespace}/{name}"))),
    }
    let mut input = LineInput::default();
    input.set(value);
    open(store, title, place, Step::Ask { prompt, input, then });
}

/// The answer of a session dialog: a container chosen, or ports typed. Refused in the
/// dialog when it is not one of the container's, or not ports.
pub fn submit(store: &mut Store, effects: &mut Vec<Effect>) {
    let Some(dialog) = &store.ui.dialog else { return };
    let Step::Ask {
        input,
        then:
            Pending::Session {
                target,
                container,
                containers,
                kind,
            },
        ..
    } = &dialog.step
    else {
        return;
    };
    let answer = input.text.trim().to_string();
    let result = match kind {
        Some(kind) if containers.contains(&answer) => Ok((target.clone(), answer, kind.clone())),
        Some(_) => Err(format!("`{answer}` is not one of {}", containers.join(", "))),
        None => Ports::parse(&answer).map(|ports| (target.clone(), container.clone(), Kind::Forward(ports))),
    };
    match result {
        Ok((target, container, kind)) => {
            let selection = screens::selection(store);
            store.ui.dialog = None;
            store.ui.mode = crate::store::ui::Mode::Normal;
            start(store, &selection, &target, &container, kind, effects);
        }
        Err(why) => {
            if let Some(dialog) = &mut store.ui.dialog {
                dialog.error = Some(why);
            }
        }
    }
}

/// Check, then hand the session to the loop: once.
fn start(
    store: &mut Store,
    selection: &Selection,
    target: &Target,
    container: &str,
    kind: Kind,
    effects: &mut Vec<Effect>,
) {
    let shell = matches!(kind, Kind::Shell { .. });
    let target = match with_container(store, selection, target, container, shell) {
        Ok(target) => target,
        Err(why) => return store.ui.error(why),
    };
    if let Kind::Forward(ports) = &kind
        && let Err(why) = ports.fit(&target)
    {
        return store.ui.error(why);
    }
    if let Kind::Forward(ports) = &kind
        && let Some(f) = store
            .forwards
            .items()
            .iter()
            .find(|f| f.ports.local == ports.local && f.failed.is_none())
    {
        return store.ui.error(format!(
            "local port {} already forwards to {} (:forwards)",
            ports.local,
            f.target.label()
        ));
    }
    let sender = store.sender(target.cluster());
    store.next_session += 1;
    let request = Request {
        id: store.next_session,
        target,
        kind,
        profile: sender.profile,
        identity: sender.identity,
        account: sender.account,
    };
    if let Kind::Forward(ports) = &request.kind {
        let starting = session::Forward::starting(request.id, request.target.clone(), ports.clone(), store.now);
        let mut rows = store.forwards.items().to_vec();
        rows.push(starting);
        store.forwards.replace(rows, store.now);
    }
    store
        .ui
        .info(format!("{} {}: opening…", request.verb(), request.describe()));
    effects.push(Effect::Session(Box::new(request)));
}
