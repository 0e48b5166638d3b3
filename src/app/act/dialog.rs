//! Keys in an open action dialog: answers refused in place, and a confirmation that sends
//! exactly once.

use super::confirm;
use crate::app::action::{Effect, Input};
use crate::domain::op::{Op, OpRequest, parse_count, validate};
use crate::store::ui::{Dialog, LineInput, Mode, Pending, Step};
use crate::store::{Store, revisions_key};
use crate::util::{arn_tail, task_def_family};

// ---- the dialog ---------------------------------------------------------------------------

/// The op an `Ask` answer makes, or why the answer is refused.
fn from_answer(store: &Store, then: &Pending, answer: &str) -> Result<(Op, String), String> {
    let limits = &store.settings.limits;
    let (op, name) = match then {
        Pending::Scale { cluster, service, from } => {
            let to = parse_count(answer, "desired count")?;
            if to == *from {
                return Err(format!("the desired count is already {to}"));
            }
            let op = Op::Scale {
                cluster: cluster.clone(),
                service: service.clone(),
                from: *from,
                to,
            };
            (op, arn_tail(service).to_string())
        }
        Pending::StopTask { cluster, task } => {
            let op = Op::StopTask {
                cluster: cluster.clone(),
                task: task.clone(),
                reason: answer.trim().to_string(),
            };
            (op, arn_tail(task).chars().take(8).collect())
        }
        Pending::ProtectTask { cluster, task } => {
            let minutes = parse_count(answer, "number of minutes")?;
            let op = Op::ProtectTask {
                cluster: cluster.clone(),
                task: task.clone(),
                minutes,
            };
            (op, arn_tail(task).chars().take(8).collect())
        }
        Pending::RunTask {
            cluster,
            task_definition,
            launch,
            network,
            group,
        } => {
            let count = parse_count(answer, "task count")?;
            let op = Op::RunTask {
                cluster: cluster.clone(),
                task_definition: task_definition.clone(),
                count,
                launch_type: *launch,
                network: network.clone(),
                group: group.clone(),
            };
            (op, task_def_family(task_definition).to_string())
        }
        Pending::ScalingLimits { cluster, service, from } => {
            let mut words = answer.split_whitespace();
            let (Some(min), Some(max), None) = (words.next(), words.next(), words.next()) else {
                return Err("type the minimum and the maximum, e.g. `2 10`".into());
            };
            let min = parse_count(min, "minimum")?;
            let max = parse_count(max, "maximum")?;
            let op = Op::SetScalingLimits {
                cluster: cluster.clone(),
                service: service.clone(),
                from: *from,
                min,
                max,
            };
            (op, arn_tail(service).to_string())
        }
        Pending::ScaleWorkload {
            cluster,
            kind,
            namespace,
            name,
            from,
        } => {
            let to = parse_count(answer, "replica count")?;
            if to == *from {
                return Err(format!("it already has {to} replicas"));
            }
            let op = Op::ScaleWorkload {
                cluster: cluster.clone(),
                kind: *kind,
                namespace: namespace.clone(),
                name: name.clone(),
                from: *from,
                to,
            };
            (op, name.clone())
        }
        Pending::NodeGroupSize {
            cluster,
            nodegroup,
            from,
        } => {
            let mut words = answer.split_whitespace();
            let (Some(min), Some(desired), Some(max), None) = (words.next(), words.next(), words.next(), words.next())
            else {
                return Err("type min, desired and max, e.g. `2 3 6`".into());
            };
            let to = (
                parse_count(min, "minimum")?,
                parse_count(desired, "desired size")?,
                parse_count(max, "maximum")?,
            );
            let op = Op::SetNodeGroupSize {
                cluster: cluster.clone(),
                nodegroup: nodegroup.clone(),
                from: *from,
                to,
            };
            (op, nodegroup.clone())
        }
        Pending::ScaleObject { cluster, object } => {
            let to = parse_count(answer, "replica count")?;
            if object.replicas == Some(to) {
                return Err(format!("it already has {to} replicas"));
            }
            let op = Op::ScaleObject {
                cluster: cluster.clone(),
                kind: object.kind.clone(),
                label: object.label.clone(),
                namespace: object.namespace.clone(),
                name: object.name.clone(),
                from: object.replicas,
                to,
            };
            (op, object.name.clone())
        }
        Pending::Revision { .. } => return Err("pick a revision".into()),
        Pending::Session { .. } => return Err("a session's answer is not an action".into()),
    };
    validate(&op, limits)?;
    Ok((op, name))
}

pub(super) fn submit_ask(store: &mut Store) {
    let Some(dialog) = &store.ui.dialog else { return };
    let Step::Ask { input, then, .. } = &dialog.step else {
        return;
    };
    match from_answer(store, then, &input.text) {
        Ok((op, name)) => {
            let step = confirm(store, op, name);
            if let Some(dialog) = &mut store.ui.dialog {
                dialog.step = step;
                dialog.error = None;
            }
        }
        Err(why) => {
            if let Some(dialog) = &mut store.ui.dialog {
                dialog.error = Some(why);
            }
        }
    }
}

fn submit_pick(store: &mut Store) {
    let Some(Dialog {
        step:
            Step::Pick {
                family,
                account,
                region,
                cursor,
                then,
                ..
            },
        ..
    }) = &store.ui.dialog
    else {
        return;
    };
    let Pending::Revision {
        cluster,
        service,
        from,
        rollback,
    } = then
    else {
        return;
    };
    let list = match store.revisions.get(&revisions_key(account, region, family)) {
        Some(Ok(list)) => list,
        Some(Err(e)) => {
            let message = format!("cannot list revisions: {e}");
            if let Some(d) = &mut store.ui.dialog {
                d.error = Some(message);
            }
            return;
        }
        None => return,
    };
    let Some(to) = list.get(*cursor) else { return };
    let op = Op::SetTaskDefinition {
        cluster: cluster.clone(),
        service: service.clone(),
        from: from.clone(),
        to: to.clone(),
        rollback: *rollback,
    };
    match validate(&op, &store.settings.limits) {
        Ok(()) => {
            let step = confirm(store, op, arn_tail(service).to_string());
            if let Some(dialog) = &mut store.ui.dialog {
                dialog.step = step;
                dialog.error = None;
            }
        }
        Err(why) => {
            if let Some(dialog) = &mut store.ui.dialog {
                dialog.error = Some(why);
            }
        }
    }
}

fn close(store: &mut Store) {
    store.ui.dialog = None;
    store.ui.mode = Mode::Normal;
}

/// A key in an open dialog.
pub fn input(store: &mut Store, input: Input, effects: &mut Vec<Effect>) {
    if input == Input::Cancel {
        close(store);
        store.ui.info("cancelled: nothing was sent");
        return;
    }
    let Some(dialog) = &mut store.ui.dialog else {
        store.ui.mode = Mode::Normal;
        return;
    };
    match &mut dialog.step {
        Step::Ask {
            then: Pending::Session { .. },
            ..
        } if input == Input::Submit => super::session::submit(store, effects),
        Step::Ask { input: line, .. } => match input {
            Input::Submit => submit_ask(store),
            other => edit_line(line, other),
        },
        Step::Pick {
            cursor,
            family,
            account,
            region,
            ..
        } => {
            let len = store
                .revisions
                .get(&revisions_key(account, region, family))
                .and_then(|r| r.as_ref().ok())
                .map_or(0, Vec::len);
            match input {
                Input::Up | Input::Char('k') => *cursor = cursor.saturating_sub(1),
                Input::Down | Input::Char('j') => *cursor = (*cursor + 1).min(len.saturating_sub(1)),
                Input::Submit => submit_pick(store),
                _ => {}
            }
        }
        Step::Confirm { op, name: None, .. } => match input {
            // Only `y` sends: enter does not, so a double enter never confirms by accident.
            Input::Char('y' | 'Y') => {
                let op = op.clone();
                send(store, op, effects);
            }
            Input::Char('n' | 'N') => {
                close(store);
                store.ui.info("cancelled: nothing was sent");
            }
            _ => {}
        },
        Step::Confirm {
            op,
            name: Some(name),
            typed,
        } => match input {
            Input::Submit if typed.text == *name => {
                let op = op.clone();
                send(store, op, effects);
            }
            Input::Submit => dialog.error = Some(format!("type `{name}` exactly to confirm, or esc to cancel")),
            other => edit_line(typed, other),
        },
    }
}

fn edit_line(line: &mut LineInput, input: Input) {
    match input {
        Input::Char(c) => line.insert(c),
        Input::Backspace => {
            line.backspace();
        }
        Input::DeleteWord => line.delete_word(),
        Input::Left => line.left(),
        Input::Right => line.right(),
        _ => {}
    }
}

/// Send a confirmed action: once. The dialog closes at once, so a second key press has
/// nothing to confirm; an identical action still in flight is refused.
fn send(store: &mut Store, op: Op, effects: &mut Vec<Effect>) {
    close(store);
    if store.ops.in_flight.iter().any(|(_, o)| o.key() == op.key()) {
        store.ui.error(format!(
            "{} {} is already in flight: not sent again",
            op.verb(),
            op.target()
        ));
        return;
    }
    store.ops.next_id += 1;
    let id = store.ops.next_id;
    store.ops.in_flight.push((id, op.clone()));
    store.ui.info(format!("{} {}: sent…", op.verb(), op.target()));
    let sender = store.sender(op.cluster());
    effects.push(Effect::Exec(Box::new(OpRequest {
        id,
        account_id: sender.account_id,
        profile: sender.profile,
        identity: sender.identity,
        account: sender.account,
        op,
    })));
}
