//! An action being followed on screen: what to watch for, where it stands, and whether
//! the change an unanswered action asked for shows at all.

use jiff::Timestamp;

use super::Store;
use crate::domain::{RolloutState, Task};
use crate::util::{fmt_age, words};

/// An applied action, watched on screen until its effect shows (or fails).
#[derive(Debug, Clone, PartialEq)]
pub struct Follow {
    pub label: String,
    pub since: Timestamp,
    pub what: Watch,
    /// Sent but never answered: watched first for whether the change shows at all.
    pub unknown: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Watch {
    /// A deployment's rollout, to COMPLETED or FAILED.
    Rollout {
        cluster: String,
        service: String,
        deployment: Option<String>,
    },
    /// A service reaching its desired count.
    Count {
        cluster: String,
        service: String,
        desired: u32,
    },
    /// A task reaching STOPPED.
    Stopped { cluster: String, task: String },
    /// Tasks started by RunTask reaching RUNNING (or stopping).
    Started { cluster: String, tasks: Vec<String> },
    /// An instance's status.
    Instance {
        cluster: String,
        instance: String,
        status: String,
    },
    /// A Kubernetes workload (`Kind/namespace/name`) reaching its replica count, all ready.
    Workload { cluster: String, key: String, desired: u32 },
    /// An App Runner operation (by id, where the answer gave it) of a service (by ARN)
    /// settling: succeeded, failed or rolled back.
    AppRunner { service: String, operation: Option<String> },
}

impl Watch {
    pub fn cluster(&self) -> &str {
        match self {
            Watch::Rollout { cluster, .. }
            | Watch::Count { cluster, .. }
            | Watch::Stopped { cluster, .. }
            | Watch::Started { cluster, .. }
            | Watch::Instance { cluster, .. }
            | Watch::Workload { cluster, .. } => cluster,
            Watch::AppRunner { service, .. } => service,
        }
    }
}

/// Whether the change an unanswered action asked for shows in the store: `None` while
/// what would tell is not loaded.
pub fn visible(store: &Store, follow: &Follow) -> Option<bool> {
    let data = store.cluster_data(follow.what.cluster());
    match &follow.what {
        Watch::Rollout { service, .. } => {
            let s = data?.services.get(service)?;
            // A deployment that started after the request was sent.
            Some(s.deployments.iter().any(|d| {
                d.created_at
                    .is_some_and(|at| at >= follow.since - jiff::SignedDuration::from_secs(5))
            }))
        }
        Watch::Count { service, desired, .. } => Some(data?.services.get(service)?.desired == *desired),
        Watch::Stopped { task, .. } => Some(data?.find_task(task)?.desired_status == "STOPPED"),
        Watch::Started { .. } => None,
        Watch::Instance { instance, status, .. } => Some(&data?.instances.get(instance)?.status == status),
        Watch::Workload { cluster, key, desired } => {
            Some(store.kube.get(cluster)?.workloads.get(key)?.desired == *desired)
        }
        Watch::AppRunner { service, .. } => {
            let s = store.apprunner_service(service)?;
            // An operation that started after the request was sent.
            Some(s.operations.iter().any(|o| {
                o.started_at
                    .is_some_and(|at| at >= follow.since - jiff::SignedDuration::from_secs(5))
            }))
        }
    }
}

/// Where the followed action stands: `None` once it has settled.
pub fn progress(store: &Store, follow: &Follow) -> Result<Option<String>, String> {
    let data = store.cluster_data(follow.what.cluster());
    match &follow.what {
        Watch::Rollout {
            service, deployment, ..
        } => {
            let Some(s) = data.and_then(|d| d.services.get(service)) else {
                return Ok(Some("waiting…".into()));
            };
            let d = match deployment {
                Some(id) => s.deployments.iter().find(|d| &d.id == id),
                None => s.primary(),
            };
            let Some(d) = d else {
                // Not listed yet (the services were read before the action), or gone: a
                // newer deployment replaced it.
                return if visible(store, follow) == Some(true) {
                    Ok(None)
                } else {
                    Ok(Some("waiting…".into()))
                };
            };
            match d.rollout_state {
                RolloutState::Failed => Err(format!("{}: deployment failed: {}", s.name, d.rollout_reason)),
                RolloutState::Completed if s.deployments.len() == 1 => Ok(None),
                _ => Ok(Some(format!(
                    "{}: {}",
                    s.name,
                    crate::util::progress(d.running, d.desired)
                ))),
            }
        }
        Watch::Count { service, desired, .. } => {
            let Some(s) = data.and_then(|d| d.services.get(service)) else {
                return Ok(Some("waiting…".into()));
            };
            if s.desired == *desired && s.running == *desired && s.pending == 0 {
                Ok(None)
            } else {
                Ok(Some(format!(
                    "{}: {}/{} running, {} pending",
                    s.name, s.running, desired, s.pending
                )))
            }
        }
        Watch::Stopped { task, .. } => match data.and_then(|d| d.find_task(task)) {
            Some(t) if t.last_status == "STOPPED" => Ok(None),
            Some(t) => Ok(Some(format!("task {}: {}", t.id, t.last_status))),
            None => Ok(Some("waiting…".into())),
        },
        Watch::Started { tasks, .. } => {
            let found: Vec<&Task> = tasks.iter().filter_map(|a| data.and_then(|d| d.find_task(a))).collect();
            if let Some(stopped) = found.iter().find(|t| t.desired_status == "STOPPED") {
                return Err(format!(
                    "task {} stopped: {}",
                    stopped.id,
                    stopped.stopped_reason.as_deref().unwrap_or("no reason given")
                ));
            }
            let running = found.iter().filter(|t| t.last_status == "RUNNING").count();
            if running == tasks.len() {
                Ok(None)
            } else {
                Ok(Some(format!("{running}/{} tasks running", tasks.len())))
            }
        }
        Watch::Instance { instance, status, .. } => match data.and_then(|d| d.instances.get(instance)) {
            Some(i) if &i.status == status && (status != "DRAINING" || i.running_tasks == 0) => Ok(None),
            Some(i) => Ok(Some(format!(
                "instance {}: {} · {} tasks left",
                i.id, i.status, i.running_tasks
            ))),
            None => Ok(Some("waiting…".into())),
        },
        Watch::AppRunner { service, operation } => {
            let Some(s) = store.apprunner_service(service) else {
                return Ok(Some("waiting…".into()));
            };
            let op = match operation {
                Some(id) => s.operations.iter().find(|o| &o.id == id),
                None => s.operations.first(),
            };
            let Some(op) = op else {
                return Ok(Some(format!("{}: waiting for the operation…", s.name)));
            };
            let what = crate::domain::apprunner::operation_name(&op.kind);
            if op.in_progress() {
                Ok(Some(format!("{}: {what} {}", s.name, op.status.to_lowercase())))
            } else if op.failed() {
                Err(format!(
                    "{}: {what} {}{}",
                    s.name,
                    words(&op.status),
                    if op.status.starts_with("ROLLBACK") {
                        ": health check failed; the old version serves"
                    } else {
                        ""
                    }
                ))
            } else {
                Ok(None)
            }
        }
        Watch::Workload { cluster, key, desired } => {
            let found = store.kube.get(cluster).and_then(|d| d.workloads.get(key));
            match found {
                Some(w) if w.desired == *desired && w.ready == *desired && w.updated == *desired => Ok(None),
                Some(w) => Ok(Some(format!("{}: {}/{} ready", w.name, w.ready, desired))),
                None => Ok(Some("waiting…".into())),
            }
        }
    }
}

/// The status-bar line of the followed action, while it is under way.
impl Store {
    /// The status-bar line of the followed action, while it is under way.
    pub fn follow_line(&self) -> Option<String> {
        let store = self;
        let follow = store.ops.follow.as_ref()?;
        if follow.unknown {
            return Some(format!(
                "? {}: outcome unknown, watching for it · {}",
                follow.label,
                fmt_age(follow.since, store.now)
            ));
        }
        let now = progress(store, follow).ok().flatten()?;
        Some(format!("⟳ {now} · {}", fmt_age(follow.since, store.now)))
    }
}
