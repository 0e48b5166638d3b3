//! After an action: its outcome, and following its effect on screen until it settles.

use crate::app::action::Effect;
use crate::domain::Task;
use crate::domain::op::{Applied, Op, OpOutcome, Outcome};
use crate::store::{Follow, Store, Watch};
use crate::util::fmt_age;

// ---- outcomes and following ------------------------------------------------------------------

pub fn outcome(store: &mut Store, outcome: OpOutcome, effects: &mut Vec<Effect>) {
    store.ops.in_flight.retain(|(id, _)| *id != outcome.id);
    let op = &outcome.op;
    let label = format!("{} {}", op.verb(), op.target());
    match outcome.outcome {
        Outcome::Refused { reason } => store.ui.error(format!("✗ {reason}")),
        Outcome::NotSent { message } => store.ui.error(format!("✗ {label} not sent: {message}")),
        Outcome::Rejected { message, .. } => store.ui.error(format!("✗ {label} failed: {message}")),
        // Sent, never answered: say so, and watch whether the change shows up.
        Outcome::Unanswered { message } => {
            store.ui.error(format!("? {label}: outcome unknown: {message}"));
            if let Some(what) = watch_of(op, None) {
                store.ops.follow = Some(Follow {
                    label,
                    since: store.now,
                    what,
                    unknown: true,
                });
            }
            effects.push(Effect::Refresh);
        }
        Outcome::Done(applied) => {
            // Followed actions speak through the progress line, then say when they settle.
            match watch_of(op, Some(&applied)) {
                Some(what) => {
                    store.ui.message = None;
                    store.ops.follow = Some(Follow {
                        label,
                        since: store.now,
                        what,
                        unknown: false,
                    });
                }
                None => store.ui.info(format!("✓ {label}: {}", applied.summary)),
            }
            effects.push(Effect::Refresh);
        }
    }
}

/// What to watch on screen to see `op` take effect; `applied` is its answer, when it came.
fn watch_of(op: &Op, applied: Option<&Applied>) -> Option<Watch> {
    let cluster = op.cluster().to_string();
    match op {
        Op::Redeploy { service, .. } | Op::SetTaskDefinition { service, .. } => Some(Watch::Rollout {
            cluster,
            service: service.clone(),
            deployment: applied.and_then(|a| a.deployment.clone()),
        }),
        Op::Scale { service, to, .. } => Some(Watch::Count {
            cluster,
            service: service.clone(),
            desired: *to,
        }),
        Op::StopTask { task, .. } => Some(Watch::Stopped {
            cluster,
            task: task.clone(),
        }),
        Op::RunTask { .. } => applied.filter(|a| !a.tasks.is_empty()).map(|a| Watch::Started {
            cluster,
            tasks: a.tasks.clone(),
        }),
        Op::ScaleWorkload {
            kind,
            namespace,
            name,
            to,
            ..
        } => Some(Watch::Workload {
            cluster,
            key: format!("{}/{namespace}/{name}", kind.as_str()),
            desired: *to,
        }),
        Op::SetInstanceState { instance, draining, .. } => Some(Watch::Instance {
            cluster,
            instance: instance.clone(),
            status: if *draining { "DRAINING" } else { "ACTIVE" }.to_string(),
        }),
        _ => None,
    }
}

/// Whether the change an unanswered action asked for shows in the store: `None` while
/// what would tell is not loaded.
fn visible(store: &Store, follow: &Follow) -> Option<bool> {
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
    }
}

/// Where the followed action stands: `None` once it has settled.
fn progress(store: &Store, follow: &Follow) -> Result<Option<String>, String> {
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
            let Some(d) = d else { return Ok(None) };
            match d.rollout_state {
                crate::domain::RolloutState::Failed => {
                    Err(format!("{}: deployment failed: {}", s.name, d.rollout_reason))
                }
                crate::domain::RolloutState::Completed if s.deployments.len() == 1 => Ok(None),
                _ => Ok(Some(format!(
                    "{}: {}",
                    s.name,
                    crate::ui::views::services::progress(d.running, d.desired)
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
pub fn follow_line(store: &Store) -> Option<String> {
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

/// How long an unanswered action is watched for its change to show.
const UNKNOWN_WATCH_SECS: i64 = 60;

/// After new data: has the followed action settled, or failed? An action whose answer was
/// lost is first watched for its change to show at all.
pub fn check_follow(store: &mut Store) {
    let Some(follow) = store.ops.follow.clone() else { return };
    let elapsed = crate::util::secs_between(follow.since, store.now);
    if follow.unknown {
        match visible(store, &follow) {
            Some(true) => {
                store.ui.info(format!(
                    "{}: it was applied (its answer was lost); following it",
                    follow.label
                ));
                if let Some(f) = store.ops.follow.as_mut() {
                    f.unknown = false;
                }
            }
            _ if elapsed > UNKNOWN_WATCH_SECS => {
                store.ops.follow = None;
                store.ui.error(format!(
                    "? {}: not seen applied after {}s: check the resource, then send it again if needed",
                    follow.label, UNKNOWN_WATCH_SECS
                ));
            }
            _ => {}
        }
        return;
    }
    match progress(store, &follow) {
        Ok(Some(_)) if elapsed > 30 * 60 => {
            store.ops.follow = None;
            store.ui.info(format!(
                "{}: still not settled after 30m; no longer followed",
                follow.label
            ));
        }
        Ok(Some(_)) => {}
        Ok(None) => {
            store.ops.follow = None;
            store.ui.info(format!(
                "✓ {}: settled in {}",
                follow.label,
                fmt_age(follow.since, store.now)
            ));
        }
        Err(why) => {
            store.ops.follow = None;
            store.ui.error(format!("✗ {why}"));
        }
    }
}
