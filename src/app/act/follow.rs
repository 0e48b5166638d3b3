//! After an action: its outcome, and following its effect on screen until it settles.

use crate::app::action::Effect;
use crate::ops::{self, Op, OpOutcome};
use crate::store::{Follow, Store, Task, Watch};
use crate::util::fmt_age;

// ---- outcomes and following ------------------------------------------------------------------

pub fn outcome(store: &mut Store, outcome: OpOutcome, effects: &mut Vec<Effect>) {
    store.ops.in_flight.retain(|(id, _)| *id != outcome.id);
    let op = &outcome.op;
    match outcome.result {
        Err(ops::Failure::Refused(why)) => store.ui.error(format!("✗ {why}")),
        Err(failure @ ops::Failure::Failed(_)) if failure.maybe_applied() => store.ui.error(format!(
            "? {} {}: outcome unknown: {}",
            op.verb(),
            op.target(),
            failure.message()
        )),
        Err(ops::Failure::Failed(why)) => store.ui.error(format!("✗ {} {} failed: {why}", op.verb(), op.target())),
        Ok(applied) => {
            let cluster = op.cluster().to_string();
            let what = match op {
                Op::Redeploy { service, .. } | Op::SetTaskDefinition { service, .. } => Some(Watch::Rollout {
                    cluster,
                    service: service.clone(),
                    deployment: applied.deployment.clone(),
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
                Op::RunTask { .. } if !applied.tasks.is_empty() => Some(Watch::Started {
                    cluster,
                    tasks: applied.tasks.clone(),
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
            };
            // Followed actions speak through the progress line, then say when they settle.
            match what {
                Some(what) => {
                    store.ui.message = None;
                    store.ops.follow = Some(Follow {
                        label: format!("{} {}", op.verb(), op.target()),
                        since: store.now,
                        what,
                    });
                }
                None => store
                    .ui
                    .info(format!("✓ {} {}: {}", op.verb(), op.target(), applied.summary)),
            }
            effects.push(Effect::Refresh);
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
                crate::store::RolloutState::Failed => {
                    Err(format!("{}: deployment failed: {}", s.name, d.rollout_reason))
                }
                crate::store::RolloutState::Completed if s.deployments.len() == 1 => Ok(None),
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
    let now = progress(store, follow).ok().flatten()?;
    Some(format!("⟳ {now} · {}", fmt_age(follow.since, store.now)))
}

/// After new data: has the followed action settled, or failed?
pub fn check_follow(store: &mut Store) {
    let Some(follow) = store.ops.follow.clone() else { return };
    let elapsed = crate::util::secs_between(follow.since, store.now);
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
