//! Operator actions, app side: from a key or a `:` command to a dialog, from the dialog's
//! confirmation to exactly one `Effect::Exec`, and from the outcome to following the change
//! on screen until it settles or fails.

mod dialog;
mod follow;
pub mod session;

pub use dialog::input;
use dialog::submit_ask;
pub use follow::{check_follow, outcome};

use crate::domain::apprunner::{AppRunnerAction, AppRunnerService};
use crate::domain::kube::WorkloadKind;
use crate::domain::op::Op;
use crate::domain::{ContainerInstance, LaunchType, Service, Task};
use crate::store::ui::{Dialog, LineInput, Mode, Pending, Step};
use crate::store::{Store, revisions_key};
use crate::ui::commands::ActCmd;
use crate::ui::keymap::Command;
use crate::ui::screen::Selection;
use crate::ui::screens;
use crate::util::{arn_region, arn_tail, task_def_family, task_def_revision, task_def_short, words};

// ---- targets -----------------------------------------------------------------------------

/// The service the user is on: the selected row, or the page's own service.
fn selected_service(selection: &Selection) -> Result<(String, Service), String> {
    let service = selection
        .service
        .clone()
        .ok_or("select a service first (this acts on a service)")?;
    Ok((service.cluster_arn.clone(), service))
}

fn selected_task(selection: &Selection) -> Result<(String, Task), String> {
    let task = selection
        .task
        .clone()
        .ok_or("select a task first (tab to the tasks pane, or open :tasks)")?;
    let cluster = selection.ecs_cluster().unwrap_or(&task.cluster_arn).to_string();
    Ok((cluster, task))
}

fn selected_instance(selection: &Selection) -> Result<(String, ContainerInstance), String> {
    let instance = selection
        .instance
        .clone()
        .ok_or("select a container instance first (:instances)")?;
    Ok((selection.ecs_cluster().unwrap_or_default().to_string(), instance))
}

/// Where an action lands: account, region, cluster, and the resource.
fn target(store: &Store, cluster: &str, what: &'static str, name: String) -> Vec<(&'static str, String)> {
    let mut t = place(store, cluster);
    t.push((what, name));
    t
}

/// Account (name and id), who sends it, region and cluster of an action.
fn place(store: &Store, cluster: &str) -> Vec<(&'static str, String)> {
    let account = store.account_of(cluster);
    let name = account.map_or("", |a| a.name.as_str());
    let id = account
        .and_then(|a| a.id.as_deref())
        .or_else(|| crate::domain::account::arn_account(cluster))
        .unwrap_or("unknown");
    let label = if name.is_empty() || name == id {
        id.to_string()
    } else {
        format!("{name} ({id})")
    };
    let sender = store
        .identity(name)
        .map_or_else(|| "unknown (identity not loaded)".to_string(), |i| i.arn.clone());
    vec![
        ("account", label),
        ("as", sender),
        ("region", arn_region(cluster).unwrap_or("?").to_string()),
        ("cluster", arn_tail(cluster).to_string()),
    ]
}

/// Why actions are refused where the user is, if they are: read-only mode, or the
/// selection's account read-only in the config.
fn refusal(store: &Store, selection: &Selection) -> Option<String> {
    if let Some(why) = &store.settings.read_only {
        return Some(why.clone());
    }
    let cluster = selection.cluster.as_deref()?;
    let account = store.account_of(cluster)?;
    store.settings.read_only_accounts.get(&account.name).cloned()
}

fn open(store: &mut Store, title: String, target: Vec<(&'static str, String)>, step: Step) {
    store.ui.dialog = Some(Dialog {
        title,
        target,
        step,
        error: None,
    });
    store.ui.mode = Mode::Dialog;
}

fn ask(prompt: String, value: &str, then: Pending) -> Step {
    let mut input = LineInput::default();
    input.set(value);
    Step::Ask { prompt, input, then }
}

/// The confirmation step for `op`: `y`, or the resource's name where the config asks.
pub(super) fn confirm(store: &Store, op: Op, name: String) -> Step {
    Step::Confirm {
        op,
        name: store.settings.confirm_by_name.then_some(name),
        typed: LineInput::default(),
    }
}

fn default_reason(store: &Store, cluster: &str) -> String {
    match store.identity(store.account_name_of(cluster)) {
        Some(identity) => format!("Stopped by {} with bosun", crate::util::principal(&identity.arn)),
        None => "Stopped by an operator with bosun".to_string(),
    }
}

// ---- starting an action ------------------------------------------------------------------

/// Start an action from its key, on the selection.
pub fn begin(store: &mut Store, command: Command) {
    let selection = screens::selection(store);
    if let Some(why) = refusal(store, &selection) {
        store.ui.error(format!("{} refused: {why}", command.hint()));
        return;
    }
    if let Some(service) = selection.apprunner.clone() {
        if let Err(message) = begin_apprunner(store, command, service, None) {
            store.ui.error(message);
        }
        return;
    }
    if selection.eks_cluster().is_some() {
        if let Err(message) = begin_kube(store, command, &selection) {
            store.ui.error(message);
        }
        return;
    }
    // ECS refuses a new deployment or revision of a service CodeDeploy deploys: say so
    // before any dialog.
    if let (Command::Redeploy | Command::Rollback | Command::Revision, Some(s)) = (command, &selection.service)
        && s.rollout.controller == "CODE_DEPLOY"
    {
        store.ui.error(format!(
            "{} deploys through CodeDeploy: ECS refuses a new deployment or revision of it (start one in CodeDeploy)",
            s.name
        ));
        return;
    }
    let result = match command {
        Command::Scale => selected_service(&selection).map(|(c, s)| scale_dialog(store, c, s, None)),
        Command::Redeploy => selected_service(&selection).map(|(c, s)| {
            let op = Op::Redeploy {
                cluster: c.clone(),
                service: s.arn.clone(),
                task_definition: s.task_definition.clone(),
            };
            let step = confirm(store, op, s.name.clone());
            open(
                store,
                format!("Redeploy {}", s.name),
                target(store, &c, "service", s.name.clone()),
                step,
            );
        }),
        // On a past deployment of the history: back to the service revision it deployed.
        Command::Rollback if selection.deployment.as_ref().is_some_and(|d| !d.ongoing()) => {
            let d = selection.deployment.clone().expect("checked");
            selected_service(&selection).and_then(|(c, s)| back_to_deployment(store, c, s, &d))
        }
        Command::Rollback => selected_service(&selection).map(|(c, s)| rollback_dialog(store, c, s)),
        Command::Revision => selected_service(&selection).map(|(c, s)| revision_dialog(store, c, s, None, false)),
        Command::StopTask if selection.deployment.is_some() => {
            let d = selection.deployment.clone().expect("checked");
            selected_service(&selection).and_then(|(c, s)| stop_deployment_dialog(store, c, s, d))
        }
        Command::StopTask => selected_task(&selection).map(|(c, t)| stop_dialog(store, c, t, None)),
        Command::Protect => selected_task(&selection).map(|(c, t)| protect_dialog(store, c, t)),
        Command::EnableExec => selected_service(&selection).and_then(|(c, s)| {
            if s.exec_enabled {
                return Err(format!(
                    "ECS Exec is already on for {}: tasks started since have it (R redeploys the rest)",
                    s.name
                ));
            }
            let op = Op::EnableExec {
                cluster: c.clone(),
                service: s.arn.clone(),
            };
            let step = confirm(store, op, s.name.clone());
            open(
                store,
                format!("Turn on ECS Exec for {}", s.name),
                target(store, &c, "service", s.name.clone()),
                step,
            );
            Ok(())
        }),
        Command::RunTask => {
            selected_service(&selection).map(|(c, s)| run_dialog(store, c, &s.task_definition, Some(&s), None))
        }
        Command::Drain => selected_instance(&selection).map(|(c, i)| drain_dialog(store, c, i, None)),
        Command::ScalingLimits => selected_service(&selection).map(|(c, s)| limits_dialog(store, c, s, None)),
        _ => Ok(()),
    };
    if let Err(message) = result {
        store.ui.error(message);
    }
}

/// Where a Kubernetes action lands: account, region, cluster, namespace and the object.
fn kube_target(
    store: &Store,
    cluster: &str,
    namespace: Option<&str>,
    what: &'static str,
    name: &str,
) -> Vec<(&'static str, String)> {
    let mut t = place(store, cluster);
    if let Some(ns) = namespace {
        t.push(("namespace", ns.to_string()));
    }
    t.push((what, name.to_string()));
    t
}

/// Trigger (`suspend` none) or suspend / resume a CronJob.
fn cronjob_dialog(
    store: &mut Store,
    cluster: &str,
    o: &crate::domain::kinds::ObjectRef,
    suspend: Option<bool>,
) -> Result<(), String> {
    if o.kind != "cronjobs.batch" {
        return Err(format!("{} {} is not a CronJob", o.label, o.name));
    }
    let namespace = o.namespace.clone().unwrap_or_default();
    let (op, title) = match suspend {
        None => (
            Op::TriggerCronJob {
                cluster: cluster.to_string(),
                namespace: namespace.clone(),
                name: o.name.clone(),
            },
            format!("Trigger {}", o.name),
        ),
        Some(suspend) => (
            Op::SuspendCronJob {
                cluster: cluster.to_string(),
                namespace: namespace.clone(),
                name: o.name.clone(),
                suspend,
            },
            format!("{} {}", if suspend { "Suspend" } else { "Resume" }, o.name),
        ),
    };
    let target = kube_target(store, cluster, Some(&namespace), "cronjob", &o.name);
    let step = confirm(store, op, o.name.clone());
    open(store, title, target, step);
    Ok(())
}

/// App Runner actions, from their keys: `R` starts a deployment, `D` pauses a running
/// service or resumes a paused one (or as `pause` says, from `:pause` / `:resume`).
fn begin_apprunner(
    store: &mut Store,
    command: Command,
    s: AppRunnerService,
    pause: Option<bool>,
) -> Result<(), String> {
    let change = match (command, pause) {
        (Command::Redeploy, _) => AppRunnerAction::Deploy,
        (Command::Drain, Some(true)) => AppRunnerAction::Pause,
        (Command::Drain, Some(false)) => AppRunnerAction::Resume,
        (Command::Drain, None) => match s.status.as_str() {
            "RUNNING" => AppRunnerAction::Pause,
            "PAUSED" => AppRunnerAction::Resume,
            other => {
                return Err(format!(
                    "{} is {other}: only a RUNNING service pauses and a PAUSED one resumes",
                    s.name
                ));
            }
        },
        (other, _) => {
            return Err(format!(
                "{} does not act on an App Runner service: R deploys, D pauses or resumes",
                other.name()
            ));
        }
    };
    // Refused in the dialog's stead, as App Runner would refuse it: nothing is sent.
    let needs = if change == AppRunnerAction::Resume {
        "PAUSED"
    } else {
        "RUNNING"
    };
    if s.status != needs {
        return Err(format!(
            "cannot {} {}: it is {}, and App Runner only does that to a {needs} service",
            change.verb(),
            s.name,
            s.status
        ));
    }
    let title = match change {
        AppRunnerAction::Deploy => format!("Deploy {}", s.name),
        AppRunnerAction::Pause => format!("Pause {}", s.name),
        AppRunnerAction::Resume => format!("Resume {}", s.name),
    };
    let mut t = place(store, &s.arn);
    t.retain(|(label, _)| *label != "cluster");
    t.push(("service", s.name.clone()));
    t.push(("source", s.source.describe()));
    let op = Op::AppRunner {
        service: s.arn.clone(),
        name: s.name.clone(),
        change,
    };
    let step = confirm(store, op, s.name.clone());
    open(store, title, t, step);
    Ok(())
}

/// Kubernetes actions, from their keys: the same keys as their ECS kin.
fn begin_kube(store: &mut Store, command: Command, selection: &Selection) -> Result<(), String> {
    let cluster = selection.eks_cluster().unwrap_or_default().to_string();
    match command {
        Command::Scale | Command::Redeploy if selection.workload.is_some() => {
            let w = selection.workload.clone().expect("checked");
            let target = kube_target(store, &cluster, Some(&w.namespace), w.kind.as_str(), &w.name);
            if command == Command::Redeploy {
                let op = Op::RolloutRestart {
                    cluster: cluster.clone(),
                    kind: w.kind,
                    namespace: w.namespace.clone(),
                    name: w.name.clone(),
                };
                let step = confirm(store, op, w.name.clone());
                open(store, format!("Rollout restart {}", w.name), target, step);
                return Ok(());
            }
            if w.kind == WorkloadKind::DaemonSet {
                return Err(format!("{} is a daemonset: one pod per node, no replica count", w.name));
            }
            let then = Pending::ScaleWorkload {
                cluster: cluster.clone(),
                kind: w.kind,
                namespace: w.namespace.clone(),
                name: w.name.clone(),
                from: w.desired,
            };
            let prompt = format!("replicas (now {}, ready {})", w.desired, w.ready);
            open(
                store,
                format!("Scale {}", w.name),
                target,
                ask(prompt, &w.desired.to_string(), then),
            );
            Ok(())
        }
        Command::StopTask if selection.object.is_some() => {
            let o = selection.object.clone().expect("checked");
            let op = Op::DeleteObject {
                cluster: cluster.clone(),
                kind: o.kind.clone(),
                label: o.label.clone(),
                namespace: o.namespace.clone(),
                name: o.name.clone(),
            };
            let mut target = place(store, &cluster);
            if let Some(ns) = &o.namespace {
                target.push(("namespace", ns.clone()));
            }
            target.push(("kind", o.label.clone()));
            target.push(("name", o.name.clone()));
            // Anything but a pod is deleted only by typing its name.
            let step = Step::Confirm {
                op,
                name: Some(o.name.clone()),
                typed: LineInput::default(),
            };
            open(store, format!("Delete {} {}", o.label, o.name), target, step);
            Ok(())
        }
        Command::Scale if selection.object.is_some() => {
            let o = selection.object.clone().expect("checked");
            if !o.scale {
                return Err(format!("a {} has no scale subresource: nothing to scale", o.label));
            }
            let prompt = match o.replicas {
                Some(n) => format!("replicas (now {n})"),
                None => "replicas".to_string(),
            };
            let value = o.replicas.map(|n| n.to_string()).unwrap_or_default();
            let target = kube_target(
                store,
                &cluster,
                o.namespace.as_deref(),
                "object",
                &format!("{} {}", o.label, o.name),
            );
            let then = Pending::ScaleObject {
                cluster: cluster.clone(),
                object: o.clone(),
            };
            open(store, format!("Scale {}", o.name), target, ask(prompt, &value, then));
            Ok(())
        }
        Command::RunTask | Command::Drain if selection.object.is_some() => {
            let o = selection.object.clone().expect("checked");
            let suspend = match command {
                Command::RunTask => None,
                _ => Some(!o.suspended.ok_or("suspend or resume it with :suspend or :resume")?),
            };
            cronjob_dialog(store, &cluster, &o, suspend)
        }
        Command::StopTask if selection.pod.is_some() => {
            let pod = selection.pod.clone().expect("checked");
            let owner = pod.owner.clone().filter(|o| !o.starts_with("Node/"));
            let op = Op::DeletePod {
                cluster: cluster.clone(),
                namespace: pod.namespace.clone(),
                name: pod.name.clone(),
                owner,
            };
            let target = kube_target(store, &cluster, Some(&pod.namespace), "pod", &pod.name);
            let step = confirm(store, op, pod.name.clone());
            open(store, format!("Delete pod {}", pod.name), target, step);
            Ok(())
        }
        Command::Drain if selection.node.is_some() => {
            let node = selection.node.clone().expect("checked");
            let cordon = !node.unschedulable;
            let op = Op::Cordon {
                cluster: cluster.clone(),
                node: node.name.clone(),
                cordon,
            };
            let target = kube_target(store, &cluster, None, "node", &node.name);
            let step = confirm(store, op, node.name.clone());
            let verb = if cordon { "Cordon" } else { "Uncordon" };
            open(store, format!("{verb} {}", node.name), target, step);
            Ok(())
        }
        Command::Scale if selection.nodegroup.is_some() => {
            let g = selection.nodegroup.clone().expect("checked");
            let then = Pending::NodeGroupSize {
                cluster: cluster.clone(),
                nodegroup: g.name.clone(),
                from: (g.min, g.desired, g.max),
            };
            let prompt = format!("min desired max (now {} {} {})", g.min, g.desired, g.max);
            let value = format!("{} {} {}", g.min, g.desired, g.max);
            let target = kube_target(store, &cluster, None, "node group", &g.name);
            open(
                store,
                format!("Resize node group {}", g.name),
                target,
                ask(prompt, &value, then),
            );
            Ok(())
        }
        Command::Scale if store.ui.route().is(screens::eks::ID) => {
            Err("select a node group first (the node groups pane)".into())
        }
        Command::Scale => Err("select a deployment (:deploy) or a node group (:eks) to scale".into()),
        Command::Redeploy => Err("select a deployment (:deploy) to restart".into()),
        Command::StopTask => Err("select a pod (:pods) to delete".into()),
        Command::Drain => Err("select a node (:nodes) to cordon or uncordon".into()),
        _ => Err(format!("{} acts on ECS services and tasks", command.name())),
    }
}

fn scale_dialog(store: &mut Store, cluster: String, s: Service, typed: Option<&str>) {
    let then = Pending::Scale {
        cluster: cluster.clone(),
        service: s.arn.clone(),
        from: s.desired,
    };
    let value = typed.map_or_else(|| s.desired.to_string(), str::to_string);
    let prompt = format!("desired count (now {}, running {})", s.desired, s.running);
    open(
        store,
        format!("Scale {}", s.name),
        target(store, &cluster, "service", s.name.clone()),
        ask(prompt, &value, then),
    );
}

fn stop_dialog(store: &mut Store, cluster: String, t: Task, reason: Option<String>) {
    let then = Pending::StopTask {
        cluster: cluster.clone(),
        task: t.arn.clone(),
    };
    let what = match t.service_name() {
        Some(service) => format!("{} ({service}, {})", t.id, t.last_status),
        None => format!("{} ({})", t.id, t.last_status),
    };
    let reason = reason.unwrap_or_else(|| default_reason(store, &cluster));
    open(
        store,
        "Stop task".into(),
        target(store, &cluster, "task", what),
        ask("reason (recorded on the task)".into(), &reason, then),
    );
}

/// Protect a task from scale-in for a number of minutes (0 removes it), its protection
/// now in the prompt.
fn protect_dialog(store: &mut Store, cluster: String, t: Task) {
    let now = store
        .insight
        .protection_of(&cluster, &t.arn)
        .filter(|p| p.enabled)
        .and_then(|p| p.expires)
        .map_or_else(
            || "not protected now".to_string(),
            |at| format!("protected until {} UTC", at.strftime("%H:%M")),
        );
    let then = Pending::ProtectTask {
        cluster: cluster.clone(),
        task: t.arn.clone(),
    };
    let what = match t.service_name() {
        Some(service) => format!("{} ({service})", t.id),
        None => t.id.clone(),
    };
    open(
        store,
        "Protect task from scale-in".into(),
        target(store, &cluster, "task", what),
        ask(format!("minutes of protection, 0 removes it ({now})"), "60", then),
    );
}

fn run_dialog(store: &mut Store, cluster: String, task_definition: &str, like: Option<&Service>, count: Option<&str>) {
    let launch = like.map_or(LaunchType::Unknown, |s| s.launch_type);
    let then = Pending::RunTask {
        cluster: cluster.clone(),
        task_definition: task_definition.to_string(),
        launch,
        network: like.and_then(|s| s.network.clone()),
        group: None,
    };
    let max = store.settings.limits.max_run;
    let title = format!("Run {} as a one-off task", task_def_short(task_definition));
    let target = target(
        store,
        &cluster,
        "like service",
        like.map_or("-".to_string(), |s| s.name.clone()),
    );
    open(
        store,
        title,
        target,
        ask(format!("how many tasks (1-{max})"), count.unwrap_or("1"), then),
    );
}

fn limits_dialog(store: &mut Store, cluster: String, s: Service, typed: Option<String>) {
    let then = Pending::ScalingLimits {
        cluster: cluster.clone(),
        service: s.arn.clone(),
        from: None,
    };
    let value = typed.unwrap_or_else(|| format!("{} {}", s.desired, s.desired.max(1) * 2));
    open(
        store,
        format!("Autoscaling limits of {}", s.name),
        target(store, &cluster, "service", s.name.clone()),
        ask("min max (two whole numbers)".into(), &value, then),
    );
}

fn drain_dialog(store: &mut Store, cluster: String, i: ContainerInstance, draining: Option<bool>) {
    let draining = draining.unwrap_or(i.status != "DRAINING");
    let name = i.ec2_instance_id.clone().unwrap_or_else(|| i.id.clone());
    let op = Op::SetInstanceState {
        cluster: cluster.clone(),
        instance: i.arn.clone(),
        draining,
    };
    let title = format!("{} instance {name}", if draining { "Drain" } else { "Activate" });
    let what = format!("{name} ({} running tasks)", i.running_tasks);
    let step = confirm(store, op, name.clone());
    open(store, title, target(store, &cluster, "instance", what), step);
}

fn revision_dialog(store: &mut Store, cluster: String, s: Service, want: Option<u32>, rollback: bool) {
    let family = task_def_family(&s.task_definition).to_string();
    let region = arn_region(&cluster).unwrap_or_default().to_string();
    let then = Pending::Revision {
        cluster: cluster.clone(),
        service: s.arn.clone(),
        from: s.task_definition.clone(),
        rollback,
    };
    let title = if rollback {
        format!("Roll back {}", s.name)
    } else {
        format!("Deploy a revision of {}", s.name)
    };
    let want = match (want, rollback) {
        (Some(n), _) => Some(n),
        // A rollback goes to the revision before the current one.
        (None, true) => task_def_revision(&s.task_definition).map(|r| r.saturating_sub(1)),
        (None, false) => task_def_revision(&s.task_definition),
    };
    let step = Step::Pick {
        family,
        account: store.account_name_of(&cluster).to_string(),
        region,
        current: s.task_definition.clone(),
        cursor: 0,
        want,
        then,
    };
    open(store, title, target(store, &cluster, "service", s.name.clone()), step);
    settle_pick(store);
}

/// Stop a service deployment in progress and roll it back: only an ongoing one can be.
fn stop_deployment_dialog(
    store: &mut Store,
    cluster: String,
    s: Service,
    d: crate::domain::deploy::ServiceDeployment,
) -> Result<(), String> {
    if !d.ongoing() {
        return Err(format!(
            "deployment {} is {}: only one in progress can be stopped",
            arn_tail(&d.arn),
            words(&d.status)
        ));
    }
    if !d.recorded() {
        return Err("this deployment is not in the service's deployment history: roll back with B".into());
    }
    let op = Op::StopDeployment {
        cluster: cluster.clone(),
        service: s.arn.clone(),
        deployment: d.arn.clone(),
        change: d.change(),
        back_to: d.from.first().and_then(|r| r.task_definition.clone()),
    };
    let step = confirm(store, op, s.name.clone());
    open(
        store,
        format!("Roll back the deployment of {}", s.name),
        target(store, &cluster, "service", s.name.clone()),
        step,
    );
    Ok(())
}

/// Put the service back on what a past deployment deployed: its whole service revision
/// (task definition, capacity providers, load balancers, network, platform version), each
/// field that differs from the revision it is on now confirmed. A deployment known only by
/// its task definition (the history not read) goes back to that.
fn back_to_deployment(
    store: &mut Store,
    cluster: String,
    s: Service,
    d: &crate::domain::deploy::ServiceDeployment,
) -> Result<(), String> {
    use crate::domain::deploy::{Restore, ServiceRevision};
    let to =
        d.to.as_ref()
            .and_then(|r| r.task_definition.clone())
            .ok_or("this deployment's revision was not described: nothing to roll back to")?;
    let history = store
        .insight
        .deployments
        .get(&s.arn)
        .and_then(|slot| slot.value.as_ref());
    let revision = d.to.as_ref().and_then(|r| history?.revision(&r.arn));
    let op = match revision {
        Some(revision) => {
            let current = history
                .and_then(|h| h.current(&s.task_definition))
                .cloned()
                .unwrap_or_else(|| ServiceRevision::of_service(&s));
            let restore =
                Restore::new(&current, revision, &s.rollout.strategy).map_err(|why| format!("{}: {why}", s.name))?;
            Op::RestoreRevision {
                cluster: cluster.clone(),
                service: s.arn.clone(),
                restore: Box::new(restore),
            }
        }
        None if to == s.task_definition => {
            return Err(format!("{} already runs {}", s.name, task_def_short(&to)));
        }
        None => Op::SetTaskDefinition {
            cluster: cluster.clone(),
            service: s.arn.clone(),
            from: s.task_definition.clone(),
            to,
            rollback: true,
        },
    };
    let step = confirm(store, op, s.name.clone());
    let title = match d.started_at.or(d.created_at) {
        Some(at) => format!(
            "Roll {} back to the deployment of {} ago",
            s.name,
            crate::util::fmt_age(at, store.now)
        ),
        None => format!("Roll {} back to a past deployment", s.name),
    };
    open(store, title, target(store, &cluster, "service", s.name.clone()), step);
    Ok(())
}

fn rollback_dialog(store: &mut Store, cluster: String, s: Service) {
    match s.previous_task_definition() {
        // During a rollout the previous deployment's revision is known: confirm it at once.
        Some(previous) => {
            let op = Op::SetTaskDefinition {
                cluster: cluster.clone(),
                service: s.arn.clone(),
                from: s.task_definition.clone(),
                to: previous.to_string(),
                rollback: true,
            };
            let step = confirm(store, op, s.name.clone());
            open(
                store,
                format!("Roll back {}", s.name),
                target(store, &cluster, "service", s.name.clone()),
                step,
            );
        }
        // Otherwise the revision before the current one, picked from the family's list.
        None => revision_dialog(store, cluster, s, None, true),
    }
}

/// Once a family's revisions are loaded, place the picker's cursor on the wanted revision;
/// a wanted revision that does not exist is refused in the dialog.
pub fn settle_pick(store: &mut Store) {
    let Some(Dialog {
        step:
            Step::Pick {
                family,
                account,
                region,
                cursor,
                want,
                ..
            },
        error,
        ..
    }) = &mut store.ui.dialog
    else {
        return;
    };
    let Some(wanted) = *want else { return };
    let Some(Ok(list)) = store.revisions.get(&revisions_key(account, region, family)) else {
        return;
    };
    *want = None;
    match list.iter().position(|arn| task_def_revision(arn) == Some(wanted)) {
        Some(i) => *cursor = i,
        None => {
            let newest = list
                .first()
                .map_or("none".to_string(), |a| task_def_short(a).to_string());
            *error = Some(format!(
                "revision {wanted} of {family} does not exist or is inactive (newest: {newest})"
            ));
        }
    }
}

// ---- the `:` forms -------------------------------------------------------------------------

pub fn command(store: &mut Store, cmd: ActCmd) {
    let selection = screens::selection(store);
    if let Some(why) = refusal(store, &selection) {
        store.ui.error(format!("refused: {why}"));
        return;
    }
    let result = match cmd {
        ActCmd::Scale(n) => selected_service(&selection).map(|(c, s)| {
            scale_dialog(store, c, s, Some(&n));
            submit_ask(store);
        }),
        ActCmd::Stop { task, reason } => match find_task(store, &selection, &task) {
            Ok((c, t)) => {
                stop_dialog(store, c, t, reason);
                submit_ask(store);
                Ok(())
            }
            // Not loaded (an ID pasted from an alert): described first, then confirmed.
            Err(_) if !task.is_empty() && selection.ecs_cluster().is_some() => {
                let cluster = selection.ecs_cluster().unwrap_or_default().to_string();
                store
                    .ui
                    .info(format!("looking up task {task} in {}…", arn_tail(&cluster)));
                store.ui.pending_stop = Some(crate::store::ui::PendingStop { cluster, task, reason });
                Ok(())
            }
            Err(e) => Err(e),
        },
        ActCmd::Redeploy => {
            begin(store, Command::Redeploy);
            Ok(())
        }
        ActCmd::Suspend(pause) if selection.apprunner.is_some() => {
            let service = selection.apprunner.clone().expect("checked");
            begin_apprunner(store, Command::Drain, service, Some(pause))
        }
        ActCmd::Trigger | ActCmd::Suspend(_) => match (selection.eks_cluster(), &selection.object) {
            (Some(cluster), Some(o)) => {
                let suspend = match cmd {
                    ActCmd::Suspend(suspend) => Some(suspend),
                    _ => None,
                };
                cronjob_dialog(store, cluster, o, suspend)
            }
            _ => Err("select a CronJob first (:cj)".into()),
        },
        ActCmd::Rollback => {
            begin(store, Command::Rollback);
            Ok(())
        }
        ActCmd::Revision(n) => match n.trim_start_matches('#').parse::<u32>() {
            Ok(n) => selected_service(&selection).map(|(c, s)| revision_dialog(store, c, s, Some(n), false)),
            Err(_) => Err(format!("`{n}` is not a revision number")),
        },
        ActCmd::Run { task_definition, count } => current_cluster(&selection).map(|cluster| {
            let services = store
                .cluster_data(&cluster)
                .map(|d| d.services.items().to_vec())
                .unwrap_or_default();
            let family = task_def_family(&task_definition).to_string();
            let like = selected_service(&selection)
                .ok()
                .map(|(_, s)| s)
                .filter(|s| task_def_family(&s.task_definition) == family)
                .or_else(|| {
                    services
                        .into_iter()
                        .find(|s| task_def_family(&s.task_definition) == family)
                });
            let td = match (&like, task_definition.contains(':')) {
                (_, true) => task_definition.clone(),
                (Some(s), false) => s.task_definition.clone(),
                (None, false) => task_definition.clone(),
            };
            run_dialog(store, cluster, &td, like.as_ref(), count.as_deref());
            submit_ask(store);
        }),
        ActCmd::Drain(ref id) | ActCmd::Activate(ref id) => {
            let draining = matches!(cmd, ActCmd::Drain(_));
            let id = id.clone();
            match instance_for(store, &selection, id.as_deref()) {
                Ok((c, i)) => {
                    drain_dialog(store, c, i, Some(draining));
                    Ok(())
                }
                // Not loaded, or not when they were last read a while ago (an instance
                // ID from an alert): the cluster's instances are read, then it is
                // confirmed.
                Err(_) if id.is_some() && selection.ecs_cluster().is_some() && !instances_fresh(store, &selection) => {
                    let cluster = selection.ecs_cluster().unwrap_or_default().to_string();
                    let id = id.unwrap_or_default();
                    store
                        .ui
                        .info(format!("looking up instance {id} in {}…", arn_tail(&cluster)));
                    let asked = store.cluster_data(&cluster).and_then(|d| d.instances.fetched_at);
                    store.ui.pending_instance = Some(crate::store::ui::PendingInstance {
                        cluster,
                        id,
                        draining,
                        asked,
                    });
                    Ok(())
                }
                Err(e) => Err(e.replace(" (open :instances to load them)", "")),
            }
        }
        ActCmd::Limits(min, max) => selected_service(&selection).map(|(c, s)| {
            limits_dialog(store, c, s, Some(format!("{min} {max}")));
            submit_ask(store);
        }),
    };
    if let Err(message) = result {
        store.ui.error(message);
    }
}

/// A `:stop ID` whose task has been described: its dialog (as if it had been loaded), or
/// why it cannot be stopped.
pub fn open_pending_stop(store: &mut Store) {
    let Some(pending) = store.ui.pending_stop.clone() else {
        return;
    };
    let key = crate::store::task_key(&pending.cluster, &pending.task);
    let Some(found) = store.described.get(&key).cloned() else {
        return;
    };
    store.ui.pending_stop = None;
    match found {
        Ok(t) if t.last_status == "STOPPED" => store.ui.error(format!(
            "task {} is already stopped: {}",
            t.id,
            t.stopped_reason.as_deref().unwrap_or("no reason given")
        )),
        Ok(t) => {
            if store.ui.mode == Mode::Normal {
                stop_dialog(store, pending.cluster, t, pending.reason);
                submit_ask(store);
            }
        }
        Err(e) => store.ui.error(e.message),
    }
}

/// Whether the instances of the user's cluster were read in the last minute: an ID not
/// among them is not there.
fn instances_fresh(store: &Store, selection: &Selection) -> bool {
    selection
        .ecs_cluster()
        .and_then(|c| store.cluster_data(c)?.instances.fetched_at)
        .is_some_and(|at| store.now.duration_since(at) < jiff::SignedDuration::from_mins(1))
}

/// A `:drain ID` / `:activate ID` whose cluster's instances have been read since it was
/// asked: its dialog, or why there is none.
pub fn open_pending_instance(store: &mut Store) {
    let Some(pending) = store.ui.pending_instance.clone() else {
        return;
    };
    let Some(data) = store.cluster_data(&pending.cluster) else {
        return;
    };
    let instances = &data.instances;
    if instances.fetched_at == pending.asked {
        // Not read since: unless the read failed, wait.
        if let Some(error) = &instances.error {
            let message = error.message.clone();
            store.ui.pending_instance = None;
            store.ui.error(message);
        }
        return;
    }
    store.ui.pending_instance = None;
    let selection = Selection::in_cluster(Some(&pending.cluster));
    match find_instance(store, &selection, &pending.id) {
        Ok((c, i)) if store.ui.mode == Mode::Normal => drain_dialog(store, c, i, Some(pending.draining)),
        Ok(_) => {}
        Err(e) => store.ui.error(e.replace(" (open :instances to load them)", "")),
    }
}

/// The named instance, or the selected one.
fn instance_for(store: &Store, selection: &Selection, id: Option<&str>) -> Result<(String, ContainerInstance), String> {
    match id {
        Some(id) => find_instance(store, selection, id),
        None => selected_instance(selection),
    }
}

fn current_cluster(selection: &Selection) -> Result<String, String> {
    selection
        .ecs_cluster()
        .map(str::to_string)
        .ok_or_else(|| "no cluster here: open one first (:cluster NAME)".to_string())
}

/// A task of the current cluster by id, or by a prefix only it has.
fn find_task(store: &Store, selection: &Selection, id: &str) -> Result<(String, Task), String> {
    let cluster = current_cluster(selection)?;
    let data = store
        .cluster_data(&cluster)
        .ok_or("the cluster's tasks are not loaded yet")?;
    let matches: Vec<&Task> = data
        .all_tasks()
        .filter(|t| t.id.starts_with(id) || t.arn == id)
        .collect();
    match matches.as_slice() {
        [one] => Ok((cluster.clone(), (*one).clone())),
        [] => Err(format!(
            "no task `{id}` in {} (open :tasks to see them)",
            arn_tail(&cluster)
        )),
        many => Err(format!("`{id}` matches {} tasks: type more of the id", many.len())),
    }
}

fn find_instance(store: &Store, selection: &Selection, id: &str) -> Result<(String, ContainerInstance), String> {
    let cluster = current_cluster(selection)?;
    let data = store.cluster_data(&cluster).ok_or("the cluster is not loaded yet")?;
    let matches: Vec<&ContainerInstance> = data
        .instances
        .items()
        .iter()
        .filter(|i| i.id.starts_with(id) || i.arn == id || i.ec2_instance_id.as_deref() == Some(id))
        .collect();
    match matches.as_slice() {
        [one] => Ok((cluster.clone(), (*one).clone())),
        [] => Err(format!(
            "no container instance `{id}` in {} (open :instances to load them)",
            arn_tail(&cluster)
        )),
        many => Err(format!("`{id}` matches {} instances: type more of the id", many.len())),
    }
}
