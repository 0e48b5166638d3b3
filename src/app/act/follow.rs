//! After an action: its outcome, and following its effect on screen until it settles.

use crate::app::action::Effect;
use crate::domain::op::{Applied, Op, OpOutcome, Outcome};
use crate::store::follow::{progress, visible};
use crate::store::{Follow, Store, Watch};
use crate::util::fmt_age;

// ---- outcomes and following ------------------------------------------------------------------

pub fn outcome(store: &mut Store, outcome: OpOutcome, effects: &mut Vec<Effect>) {
    store.ops.in_flight.retain(|(id, _)| *id != outcome.id);
    let op = &outcome.op;
    // The timeline shows it beside what it changed, as the audit log has it.
    let account = store.account_name_of(op.cluster()).to_string();
    let identity = store.identity(&account).map(|i| i.arn.clone());
    let record = crate::domain::op::ActionRecord::of(op, &outcome.outcome, &account, identity.as_deref(), store.now);
    store.record_action(record);
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
        Op::Redeploy { service, .. }
        | Op::SetTaskDefinition { service, .. }
        | Op::StopDeployment { service, .. }
        | Op::RestoreRevision { service, .. } => Some(Watch::Rollout {
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
        Op::AppRunner { service, .. } => Some(Watch::AppRunner {
            service: service.clone(),
            operation: applied.and_then(|a| a.deployment.clone()),
        }),
        Op::SetInstanceState { instance, draining, .. } => Some(Watch::Instance {
            cluster,
            instance: instance.clone(),
            status: if *draining { "DRAINING" } else { "ACTIVE" }.to_string(),
        }),
        _ => None,
    }
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
