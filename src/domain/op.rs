//! Writes: an [`Op`] is one operator action with its exact parameters, checked by the
//! [`Guard`] before anything is sent; an [`Outcome`] says how it ended, as a type: done,
//! refused before sending, not sent, rejected by the service, or unanswered.

use serde::Serialize;

use super::apprunner::AppRunnerAction;
use super::fetch::Fetch;
use super::kube::{KubeKind, WorkloadKind};
use super::{LaunchType, NetworkConfig};
use crate::util::{arn_region, arn_tail, task_def_short};

/// One operator action, with everything needed to carry it out and to show the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Op {
    /// Force a new deployment: every task replaced, same task definition.
    Redeploy {
        cluster: String,
        service: String,
        task_definition: String,
    },
    /// Move a service to another task definition revision (a rollback when going back).
    SetTaskDefinition {
        cluster: String,
        service: String,
        from: String,
        to: String,
        rollback: bool,
    },
    Scale {
        cluster: String,
        service: String,
        from: u32,
        to: u32,
    },
    StopTask {
        cluster: String,
        task: String,
        reason: String,
    },
    /// A one-off task, with the launch type and network of a service.
    RunTask {
        cluster: String,
        task_definition: String,
        count: u32,
        launch_type: LaunchType,
        network: Option<NetworkConfig>,
        group: Option<String>,
    },
    SetInstanceState {
        cluster: String,
        instance: String,
        draining: bool,
    },
    /// Turn on ECS Exec for the tasks a service starts from now on (UpdateService
    /// enableExecuteCommand).
    EnableExec { cluster: String, service: String },
    /// Protect a task from scale-in for `minutes` (UpdateTaskProtection); 0 removes the
    /// protection.
    ProtectTask {
        cluster: String,
        task: String,
        minutes: u32,
    },
    /// Stop a service deployment in progress and roll it back to the revision it came
    /// from (StopServiceDeployment, stopType ROLLBACK); for a CODE_DEPLOY service, its
    /// CodeDeploy deployment (StopDeployment with autoRollbackEnabled).
    StopDeployment {
        cluster: String,
        service: String,
        /// The service deployment's ARN, or the CodeDeploy deployment's ID.
        deployment: String,
        /// `payments:58 → payments:59`, for the confirmation.
        change: String,
        /// The task definition it goes back to, when known.
        back_to: Option<String>,
    },
    /// Put a service back on a past service revision (UpdateService with its task
    /// definition and each other field of it that differs from now): capacity providers,
    /// load balancers, network, platform version.
    RestoreRevision {
        cluster: String,
        service: String,
        restore: Box<super::deploy::Restore>,
    },
    /// The Application Auto Scaling min / max of a service.
    SetScalingLimits {
        cluster: String,
        service: String,
        from: Option<(u32, u32)>,
        min: u32,
        max: u32,
    },
    /// `kubectl rollout restart`: every pod of a workload replaced, as its strategy allows.
    /// `cluster` is the EKS cluster's ARN, as in every Kubernetes action.
    RolloutRestart {
        cluster: String,
        kind: WorkloadKind,
        namespace: String,
        name: String,
    },
    ScaleWorkload {
        cluster: String,
        kind: WorkloadKind,
        namespace: String,
        name: String,
        from: u32,
        to: u32,
    },
    DeletePod {
        cluster: String,
        namespace: String,
        name: String,
        /// `ReplicaSet/checkout-7c9f` when a controller will replace it.
        owner: Option<String>,
    },
    /// Cordon (no new pods) or uncordon a node.
    Cordon {
        cluster: String,
        node: String,
        cordon: bool,
    },
    /// A managed node group's scaling: (min, desired, max) from and to.
    SetNodeGroupSize {
        cluster: String,
        nodegroup: String,
        from: (u32, u32, u32),
        to: (u32, u32, u32),
    },
    /// Delete an object of any kind (pods have [`Op::DeletePod`]); what it owns goes with it.
    DeleteObject {
        cluster: String,
        /// The kind's `plural.group`.
        kind: String,
        /// The kind as a person names it: `Ingress`.
        label: String,
        namespace: Option<String>,
        name: String,
    },
    /// Set the replicas of an object of any kind with a scale subresource.
    ScaleObject {
        cluster: String,
        /// The kind's `plural.group`.
        kind: String,
        /// The kind as a person names it: `ReplicaSet`.
        label: String,
        namespace: Option<String>,
        name: String,
        /// What the table showed, if it showed the count.
        from: Option<u32>,
        to: u32,
    },
    /// `kubectl create job --from=cronjob/NAME`: a Job from the CronJob's template, now.
    TriggerCronJob {
        cluster: String,
        namespace: String,
        name: String,
    },
    /// Stop or restart a CronJob's schedule.
    SuspendCronJob {
        cluster: String,
        namespace: String,
        name: String,
        suspend: bool,
    },
    /// Start a deployment of an App Runner service, or pause or resume it.
    AppRunner {
        /// The service's ARN.
        service: String,
        name: String,
        change: AppRunnerAction,
    },
}

impl Op {
    /// What the action is called, in messages and the audit log.
    pub fn verb(&self) -> &'static str {
        match self {
            Op::Redeploy { .. } => "redeploy",
            Op::SetTaskDefinition { rollback: true, .. } => "roll back",
            Op::SetTaskDefinition { .. } => "change revision",
            Op::Scale { .. } => "scale",
            Op::StopTask { .. } => "stop task",
            Op::RunTask { .. } => "run task",
            Op::SetInstanceState { draining: true, .. } => "drain",
            Op::SetInstanceState { .. } => "activate",
            Op::SetScalingLimits { .. } => "set scaling limits",
            Op::StopDeployment { .. } => "roll back deployment",
            Op::RestoreRevision { .. } => "restore revision",
            Op::EnableExec { .. } => "enable exec",
            Op::ProtectTask { minutes: 0, .. } => "unprotect",
            Op::ProtectTask { .. } => "protect",
            Op::RolloutRestart { .. } => "rollout restart",
            Op::ScaleWorkload { .. } => "scale",
            Op::DeletePod { .. } => "delete pod",
            Op::Cordon { cordon: true, .. } => "cordon",
            Op::Cordon { .. } => "uncordon",
            Op::SetNodeGroupSize { .. } => "resize node group",
            Op::DeleteObject { .. } => "delete",
            Op::ScaleObject { .. } => "scale",
            Op::TriggerCronJob { .. } => "trigger",
            Op::SuspendCronJob { suspend: true, .. } => "suspend",
            Op::SuspendCronJob { .. } => "resume",
            Op::AppRunner { change, .. } => change.verb(),
        }
    }

    pub fn cluster(&self) -> &str {
        match self {
            Op::Redeploy { cluster, .. }
            | Op::SetTaskDefinition { cluster, .. }
            | Op::Scale { cluster, .. }
            | Op::StopTask { cluster, .. }
            | Op::RunTask { cluster, .. }
            | Op::SetInstanceState { cluster, .. }
            | Op::SetScalingLimits { cluster, .. }
            | Op::StopDeployment { cluster, .. }
            | Op::RestoreRevision { cluster, .. }
            | Op::ProtectTask { cluster, .. }
            | Op::EnableExec { cluster, .. }
            | Op::RolloutRestart { cluster, .. }
            | Op::ScaleWorkload { cluster, .. }
            | Op::DeletePod { cluster, .. }
            | Op::Cordon { cluster, .. }
            | Op::SetNodeGroupSize { cluster, .. }
            | Op::DeleteObject { cluster, .. }
            | Op::ScaleObject { cluster, .. }
            | Op::TriggerCronJob { cluster, .. }
            | Op::SuspendCronJob { cluster, .. } => cluster,
            // Not a cluster: the service, whose ARN says its account and region.
            Op::AppRunner { service, .. } => service,
        }
    }

    pub fn region(&self) -> &str {
        arn_region(self.cluster()).unwrap_or("-")
    }

    /// The service ARN, for actions on a service.
    pub fn service(&self) -> Option<&str> {
        match self {
            Op::Redeploy { service, .. }
            | Op::SetTaskDefinition { service, .. }
            | Op::Scale { service, .. }
            | Op::SetScalingLimits { service, .. }
            | Op::EnableExec { service, .. }
            | Op::StopDeployment { service, .. }
            | Op::RestoreRevision { service, .. } => Some(service),
            _ => None,
        }
    }

    /// The resource acted on, as a person names it.
    pub fn target(&self) -> String {
        match self {
            Op::StopTask { task, .. } | Op::ProtectTask { task, .. } => format!("task {}", arn_tail(task)),
            Op::RunTask { task_definition, .. } => format!("task definition {}", task_def_short(task_definition)),
            Op::SetInstanceState { instance, .. } => format!("instance {}", arn_tail(instance)),
            Op::RolloutRestart {
                kind, namespace, name, ..
            }
            | Op::ScaleWorkload {
                kind, namespace, name, ..
            } => format!("{} {namespace}/{name}", kind.as_str().to_lowercase()),
            Op::DeletePod { namespace, name, .. } => format!("pod {namespace}/{name}"),
            Op::Cordon { node, .. } => format!("node {node}"),
            Op::SetNodeGroupSize { nodegroup, .. } => format!("node group {nodegroup}"),
            Op::DeleteObject {
                label, namespace, name, ..
            }
            | Op::ScaleObject {
                label, namespace, name, ..
            } => match namespace {
                Some(ns) => format!("{} {ns}/{name}", label.to_lowercase()),
                None => format!("{} {name}", label.to_lowercase()),
            },
            Op::TriggerCronJob { namespace, name, .. } | Op::SuspendCronJob { namespace, name, .. } => {
                format!("cronjob {namespace}/{name}")
            }
            Op::AppRunner { name, .. } => format!("App Runner service {name}"),
            op => format!("service {}", arn_tail(op.service().unwrap_or_default())),
        }
    }

    /// The exact change, line by line, for the confirmation.
    pub fn change(&self) -> Vec<String> {
        match self {
            Op::Redeploy { task_definition, .. } => vec![
                format!("force a new deployment of {}", task_def_short(task_definition)),
                "every task is replaced, within the service's minimum healthy and maximum percent".into(),
            ],
            Op::SetTaskDefinition { from, to, .. } => {
                vec![format!("{} → {}", task_def_short(from), task_def_short(to))]
            }
            Op::Scale { from, to, .. } => vec![format!("desired {from} → {to}")],
            Op::StopTask { reason, .. } => vec![format!("stop, with reason: {reason}")],
            Op::RunTask {
                count,
                launch_type,
                network,
                ..
            } => vec![format!(
                "run {count} task{} · {}{}",
                if *count == 1 { "" } else { "s" },
                launch_type.as_str(),
                network
                    .as_ref()
                    .map_or(String::new(), |n| format!(" · {} subnets", n.subnets.len()))
            )],
            Op::SetInstanceState { draining: true, .. } => vec![
                "ACTIVE → DRAINING".into(),
                "its service tasks are replaced on other instances; nothing new is placed on it".into(),
            ],
            Op::SetInstanceState { draining: false, .. } => vec!["DRAINING → ACTIVE".into()],
            Op::EnableExec { .. } => vec![
                "enableExecuteCommand false → true".into(),
                "only tasks started after this have ECS Exec: running ones keep what they started with (R redeploys)"
                    .into(),
            ],
            Op::ProtectTask { minutes: 0, .. } => vec!["remove its scale-in protection".into()],
            Op::ProtectTask { minutes, .. } => vec![
                format!("protect it from scale-in for {minutes} minutes"),
                "scale-in stops other tasks first; a deployment still replaces it".into(),
            ],
            Op::StopDeployment {
                deployment,
                change,
                back_to,
                ..
            } if !super::deploy::is_service_deployment(deployment) => vec![
                format!("stop CodeDeploy deployment {deployment} ({change})"),
                "roll back: CodeDeploy puts the production traffic back on the original task set and removes the replacement".into(),
            ],
            Op::StopDeployment {
                deployment,
                change,
                back_to,
                ..
            } => vec![
                format!("stop deployment {} ({change})", arn_tail(deployment)),
                match back_to {
                    Some(td) => format!("roll back to {}: ECS replaces its new tasks", task_def_short(td)),
                    None => "roll back to the revision it came from: ECS replaces its new tasks".into(),
                },
            ],
            Op::RestoreRevision { restore, .. } => {
                let mut lines = vec![format!(
                    "back to service revision {}, as a new deployment",
                    arn_tail(&restore.revision)
                )];
                lines.extend(restore.changes.iter().map(|(field, now, then)| format!("{field}: {now} → {then}")));
                lines.extend(restore.kept.iter().cloned());
                lines
            }
            Op::SetScalingLimits { from, min, max, .. } => match from {
                Some((old_min, old_max)) => vec![format!("min {old_min} → {min} · max {old_max} → {max}")],
                None => vec![format!(
                    "min {min} · max {max} (registers the service with Application Auto Scaling)"
                )],
            },
            Op::RolloutRestart { kind, .. } => vec![
                format!("restart every pod of the {}", kind.as_str().to_lowercase()),
                "pods are replaced as its update strategy allows (kubectl rollout restart)".into(),
            ],
            Op::ScaleWorkload { from, to, .. } => vec![format!("replicas {from} → {to}")],
            Op::DeletePod { owner: Some(owner), .. } => {
                vec!["delete the pod".into(), format!("{owner} starts a replacement")]
            }
            Op::DeletePod { owner: None, .. } => {
                vec![
                    "delete the pod".into(),
                    "it has no controller: nothing replaces it".into(),
                ]
            }
            Op::Cordon { cordon: true, .. } => {
                vec![
                    "schedulable → cordoned".into(),
                    "running pods stay; no new pods land on it".into(),
                ]
            }
            Op::Cordon { cordon: false, .. } => vec!["cordoned → schedulable".into()],
            Op::SetNodeGroupSize { from, to, .. } => vec![format!(
                "min {} → {} · desired {} → {} · max {} → {}",
                from.0, to.0, from.1, to.1, from.2, to.2
            )],
            Op::DeleteObject { .. } => vec!["what it owns is deleted with it; this cannot be undone".into()],
            Op::ScaleObject {
                from: Some(from), to, ..
            } => vec![format!("replicas {from} → {to}")],
            Op::ScaleObject { from: None, to, .. } => vec![format!("replicas → {to}")],
            Op::TriggerCronJob { name, .. } => vec![
                format!("create a Job from its template now (kubectl create job --from=cronjob/{name})"),
                "its schedule is unchanged".into(),
            ],
            Op::SuspendCronJob { suspend: true, .. } => vec![
                "scheduled → suspended".into(),
                "jobs running now finish; no new ones start until it is resumed".into(),
            ],
            Op::SuspendCronJob { suspend: false, .. } => vec![
                "suspended → scheduled".into(),
                "the next job starts at its next scheduled time".into(),
            ],
            Op::AppRunner {
                change: AppRunnerAction::Deploy,
                ..
            } => vec![
                "deploy the latest image (or commit) of its source now".into(),
                "if the new version fails its health check, App Runner rolls back to the current one".into(),
            ],
            Op::AppRunner {
                change: AppRunnerAction::Pause,
                ..
            } => vec![
                "RUNNING → PAUSED".into(),
                "its URL stops serving; instances are released (no compute charge) until resumed".into(),
            ],
            Op::AppRunner {
                change: AppRunnerAction::Resume,
                ..
            } => vec![
                "PAUSED → RUNNING".into(),
                "instances start at the auto scaling minimum; the URL serves again".into(),
            ],
        }
    }

    /// Two requests with the same key would do the same thing: only one is in flight.
    pub fn key(&self) -> String {
        format!("{} {} {}", self.verb(), self.cluster(), self.target())
    }

    /// What to refresh to see the action take effect.
    pub fn refreshes(&self) -> Vec<Fetch> {
        let cluster = self.cluster().to_string();
        let kube = |kinds: &[KubeKind]| {
            kinds
                .iter()
                .map(|&kind| Fetch::Kube {
                    cluster: cluster.clone(),
                    kind,
                })
                .collect()
        };
        match self {
            Op::RolloutRestart { .. } | Op::ScaleWorkload { .. } | Op::DeletePod { .. } => {
                kube(&[KubeKind::Workloads, KubeKind::Pods])
            }
            Op::Cordon { .. } => kube(&[KubeKind::Nodes]),
            Op::DeleteObject { kind, namespace, .. } | Op::ScaleObject { kind, namespace, .. } => {
                let table = |namespace: Option<String>| Fetch::KubeTable {
                    cluster: cluster.clone(),
                    kind: kind.clone(),
                    namespace,
                };
                vec![table(None), table(namespace.clone())]
            }
            Op::TriggerCronJob { namespace, .. } | Op::SuspendCronJob { namespace, .. } => {
                ["cronjobs.batch", "jobs.batch"]
                    .into_iter()
                    .flat_map(|kind| {
                        [None, Some(namespace.clone())].map(|namespace| Fetch::KubeTable {
                            cluster: cluster.clone(),
                            kind: kind.into(),
                            namespace,
                        })
                    })
                    .collect()
            }
            Op::SetNodeGroupSize { .. } => vec![Fetch::NodeGroups { cluster }],
            Op::AppRunner { service, .. } => vec![Fetch::AppRunnerService {
                service: service.clone(),
            }],
            Op::SetInstanceState { .. } => vec![
                Fetch::ContainerInstances {
                    cluster: cluster.clone(),
                },
                Fetch::Tasks {
                    cluster,
                    stopped: false,
                },
            ],
            Op::StopTask { .. } | Op::RunTask { .. } => vec![
                Fetch::Tasks {
                    cluster: cluster.clone(),
                    stopped: false,
                },
                Fetch::Tasks { cluster, stopped: true },
            ],
            _ => vec![
                Fetch::Services {
                    cluster: cluster.clone(),
                },
                Fetch::Tasks {
                    cluster,
                    stopped: false,
                },
            ],
        }
    }
}

/// What an applied action reports back.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Applied {
    /// One line for the status bar.
    pub summary: String,
    /// The deployment the action started, to follow.
    pub deployment: Option<String>,
    /// Tasks it started.
    pub tasks: Vec<String>,
}

/// How a sent action ended, when it did not end done: what the service or the network said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum WriteError {
    /// The request never left: the connection failed before it was sent. Nothing changed.
    #[error("{0}")]
    NotSent(String),
    /// Sent, and the service said no: its error code, and the message as a person reads it.
    #[error("{message}")]
    Rejected { code: String, message: String },
    /// Sent, and no answer came back: the change may or may not have been made.
    #[error("{0}")]
    Unanswered(String),
}

/// How an action ended. Callers and the audit log branch on this, never on a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Sent and done.
    Done(Applied),
    /// Refused before anything was sent: read-only mode, or a value out of bounds.
    Refused { reason: String },
    /// Not sent: the connection failed before the request left. Nothing changed.
    NotSent { message: String },
    /// Sent, and the service refused it (its error code). Nothing changed.
    Rejected { code: String, message: String },
    /// Sent, and no answer came back: it may have been applied, or not.
    Unanswered { message: String },
}

impl Outcome {
    /// What the operator's answer means.
    pub fn of(result: Result<Applied, WriteError>) -> Self {
        match result {
            Ok(applied) => Outcome::Done(applied),
            Err(WriteError::NotSent(message)) => Outcome::NotSent { message },
            Err(WriteError::Rejected { code, message }) => Outcome::Rejected { code, message },
            Err(WriteError::Unanswered(message)) => Outcome::Unanswered { message },
        }
    }

    /// One word for the audit log and for tests.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Done(_) => "ok",
            Outcome::Refused { .. } => "refused",
            Outcome::NotSent { .. } => "not_sent",
            Outcome::Rejected { .. } => "rejected",
            Outcome::Unanswered { .. } => "unknown",
        }
    }

    /// What a person reads: the summary, the refusal or the error.
    pub fn message(&self) -> &str {
        match self {
            Outcome::Done(applied) => &applied.summary,
            Outcome::Refused { reason: m }
            | Outcome::NotSent { message: m }
            | Outcome::Rejected { message: m, .. }
            | Outcome::Unanswered { message: m } => m,
        }
    }

    pub fn applied(&self) -> Option<&Applied> {
        match self {
            Outcome::Done(applied) => Some(applied),
            _ => None,
        }
    }
}

/// One line of the audit log as the timeline reads it back: who did what, where, and how
/// it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionRecord {
    pub at: jiff::Timestamp,
    pub identity: Option<String>,
    /// The account by its name in the fleet.
    pub account: String,
    /// `redeploy`, `scale`, `stop task`, ...
    pub action: String,
    /// The resource as a person names it: `service payments`.
    pub target: String,
    /// The cluster (ARN) it was in (an App Runner service's own ARN), when written down.
    pub cluster: Option<String>,
    /// The ECS service (ARN), for actions on a service.
    pub service: Option<String>,
    /// ok, refused, not_sent, rejected, unknown.
    pub result: String,
    pub message: String,
}

impl ActionRecord {
    /// What an action that just ended adds to the log.
    pub fn of(op: &Op, outcome: &Outcome, account: &str, identity: Option<&str>, at: jiff::Timestamp) -> Self {
        ActionRecord {
            at,
            identity: identity.map(str::to_string),
            account: account.to_string(),
            action: op.verb().to_string(),
            target: op.target(),
            cluster: Some(op.cluster().to_string()),
            service: op.service().map(str::to_string),
            result: outcome.word().to_string(),
            message: outcome.message().to_string(),
        }
    }
}

/// A request to the executor: the action and who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpRequest {
    pub id: u64,
    pub op: Op,
    /// The account it lands in, by its name in the fleet, and its id when known.
    pub account: String,
    pub account_id: Option<String>,
    /// The profile that signs in to the account.
    pub profile: String,
    /// Who sends it: the account's caller identity, when known.
    pub identity: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OpOutcome {
    pub id: u64,
    pub op: Op,
    pub outcome: Outcome,
}

/// Limits on what an action may ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest desired count (or autoscaling maximum) bosun will send.
    pub max_desired: u32,
    /// The largest one-off task count (ECS runs at most 10 per call).
    pub max_run: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_desired: 200,
            max_run: 10,
        }
    }
}

/// Decides whether an action may be sent at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    /// Why every action is refused, in read-only mode.
    pub read_only: Option<String>,
    /// Why actions in an account are refused, by its name: accounts read-only in the
    /// config.
    pub accounts: std::collections::BTreeMap<String, String>,
    pub limits: Limits,
}

impl Guard {
    /// Whether a request may be sent: not in read-only mode, not into a read-only
    /// account, and its values within bounds.
    pub fn check(&self, request: &OpRequest) -> Result<(), String> {
        let op = &request.op;
        if let Some(why) = self.refusal(&request.account) {
            return Err(format!("{} refused: {why}", op.verb()));
        }
        validate(op, &self.limits)
    }

    /// Why actions into `account` are refused, if they are.
    pub fn refusal(&self, account: &str) -> Option<&str> {
        self.read_only
            .as_deref()
            .or_else(|| self.accounts.get(account).map(String::as_str))
    }
}

/// Values an action must have, whatever mode bosun is in.
pub fn validate(op: &Op, limits: &Limits) -> Result<(), String> {
    match op {
        Op::Scale { to, .. } if *to > limits.max_desired => Err(format!(
            "desired count {to} is above the cap of {} (max_desired in the config)",
            limits.max_desired
        )),
        Op::RunTask { count, .. } if *count == 0 => Err("run at least 1 task".into()),
        Op::RunTask { count, .. } if *count > limits.max_run => {
            Err(format!("at most {} tasks at a time ({count} asked)", limits.max_run))
        }
        Op::StopTask { reason, .. } if reason.trim().is_empty() => Err("a stop reason is needed".into()),
        Op::ProtectTask { minutes, .. } if *minutes > super::deploy::PROTECTION_MAX_MINUTES => Err(format!(
            "at most {} minutes (two days), as ECS allows",
            super::deploy::PROTECTION_MAX_MINUTES
        )),
        Op::StopTask { reason, .. } if reason.chars().count() > 255 => {
            Err("a stop reason has at most 255 characters".into())
        }
        Op::SetScalingLimits { min, max, .. } if min > max => Err(format!("min {min} is above max {max}")),
        Op::SetScalingLimits { max, .. } if *max > limits.max_desired => Err(format!(
            "max {max} is above the cap of {} (max_desired in the config)",
            limits.max_desired
        )),
        Op::ScaleWorkload { to, .. } | Op::ScaleObject { to, .. } if *to > limits.max_desired => Err(format!(
            "{to} replicas is above the cap of {} (max_desired in the config)",
            limits.max_desired
        )),
        Op::ScaleWorkload { kind, .. } if *kind == WorkloadKind::DaemonSet => {
            Err("a daemonset runs one pod per node: it has no replica count".into())
        }
        Op::SetNodeGroupSize {
            to: (min, desired, max),
            ..
        } if min > desired || desired > max => Err(format!(
            "need min ≤ desired ≤ max (min {min}, desired {desired}, max {max})"
        )),
        Op::SetNodeGroupSize { to: (_, _, 0), .. } => Err("max must be at least 1".into()),
        Op::SetNodeGroupSize { to: (_, _, max), .. } if *max > limits.max_desired => Err(format!(
            "max {max} is above the cap of {} (max_desired in the config)",
            limits.max_desired
        )),
        Op::SetNodeGroupSize { from, to, .. } if from == to => Err("nothing changes".into()),
        Op::SetTaskDefinition { from, to, .. } if from == to => {
            Err(format!("{} is already the task definition", task_def_short(to)))
        }
        _ => Ok(()),
    }
}

/// A whole number typed into a dialog, or why it is not one.
pub fn parse_count(text: &str, what: &str) -> Result<u32, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("type a {what}"));
    }
    if text.starts_with('-') {
        return Err(format!("a {what} cannot be negative"));
    }
    text.parse::<u32>()
        .map_err(|_| format!("`{text}` is not a {what}: type a whole number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale(to: u32) -> Op {
        Op::Scale {
            cluster: "arn:aws:ecs:us-east-1:1:cluster/c".into(),
            service: "arn:aws:ecs:us-east-1:1:service/c/web".into(),
            from: 3,
            to,
        }
    }

    #[test]
    fn the_change_is_exact() {
        assert_eq!(scale(7).change(), vec!["desired 3 → 7"]);
        assert_eq!(scale(7).target(), "service web");
        assert_eq!(scale(7).region(), "us-east-1");
        let op = Op::SetTaskDefinition {
            cluster: "c".into(),
            service: "s".into(),
            from: "arn:aws:ecs:us-east-1:1:task-definition/web:41".into(),
            to: "arn:aws:ecs:us-east-1:1:task-definition/web:42".into(),
            rollback: false,
        };
        assert_eq!(op.change(), vec!["web:41 → web:42"]);
    }

    fn request(op: Op, account: &str) -> OpRequest {
        OpRequest {
            id: 1,
            op,
            account: account.into(),
            account_id: None,
            profile: account.into(),
            identity: None,
        }
    }

    #[test]
    fn the_guard_refuses_read_only_and_bad_values() {
        let guard = Guard::default();
        assert!(guard.check(&request(scale(7), "prod")).is_ok());
        assert!(
            guard
                .check(&request(scale(201), "prod"))
                .unwrap_err()
                .contains("above the cap of 200")
        );
        let read_only = Guard {
            read_only: Some("read-only mode (--read-only)".into()),
            ..Guard::default()
        };
        assert_eq!(
            read_only.check(&request(scale(7), "prod")).unwrap_err(),
            "scale refused: read-only mode (--read-only)"
        );
    }

    #[test]
    fn a_read_only_account_refuses_and_the_others_do_not() {
        let guard = Guard {
            accounts: [(
                "prod".to_string(),
                "account `prod` is read-only in the config".to_string(),
            )]
            .into(),
            ..Guard::default()
        };
        assert_eq!(
            guard.check(&request(scale(7), "prod")).unwrap_err(),
            "scale refused: account `prod` is read-only in the config"
        );
        assert!(guard.check(&request(scale(7), "staging")).is_ok());
    }

    #[test]
    fn counts_parse_or_say_why_not() {
        assert_eq!(parse_count(" 7 ", "desired count"), Ok(7));
        assert!(
            parse_count("-1", "desired count")
                .unwrap_err()
                .contains("cannot be negative")
        );
        assert!(
            parse_count("seven", "desired count")
                .unwrap_err()
                .contains("not a desired count")
        );
        assert!(parse_count("", "desired count").unwrap_err().contains("type a"));
        assert!(parse_count("99999999999", "count").is_err());
    }
}
