//! Operator actions in the app, without a terminal: the dialog shows the exact change,
//! refuses bad values in place, sends exactly once, and the outcome is followed on screen.

mod support;

use bosun::app::{Action, Effect, Input, update};
use bosun::domain::op::{Guard, Op, OpRequest};
use bosun::ops::executor::Executor;
use bosun::source::sim::SimBackend;
use bosun::store::Store;
use bosun::store::ui::{Mode, Step};
use bosun::ui::keymap::Command;
use jiff::SignedDuration;
use std::sync::Arc;
use support::*;

fn keys(store: &mut Store, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(update(store, Action::Input(Input::Char(c))));
    }
    effects
}

fn clear(store: &mut Store) {
    for _ in 0..8 {
        update(store, Action::Input(Input::Backspace));
    }
}

fn enter(store: &mut Store) -> Vec<Effect> {
    update(store, Action::Input(Input::Submit))
}

fn sent(effects: &[Effect]) -> Vec<OpRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Exec(request) => Some((**request).clone()),
            _ => None,
        })
        .collect()
}

fn dialog_text(store: &Store) -> String {
    screen(store, 100, 34)
}

fn on_service(name: &str) -> Store {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, &format!("svc {name}"));
    store
}

#[test]
fn scale_shows_the_exact_change_and_sends_once() {
    let mut store = on_service("cart");
    press(&mut store, Command::Scale);
    assert_eq!(store.ui.mode, Mode::Dialog);
    let text = dialog_text(&store);
    for line in [
        "Scale cart",
        "account  shop-prod (123456789012)",
        "region   us-east-1",
        "cluster  prod-web",
        "service  cart",
        "desired count (now 4",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
    clear(&mut store);
    keys(&mut store, "7");
    assert!(
        sent(&enter(&mut store)).is_empty(),
        "nothing is sent before the confirmation"
    );
    let text = dialog_text(&store);
    assert!(text.contains("desired 4 → 7"), "{text}");
    assert!(text.contains("y: send it"), "{text}");
    // Enter does not confirm: a double enter is not a yes.
    assert!(sent(&enter(&mut store)).is_empty());
    let effects = keys(&mut store, "y");
    let requests = sent(&effects);
    assert_eq!(requests.len(), 1);
    assert!(matches!(&requests[0].op, Op::Scale { from: 4, to: 7, .. }));
    assert_eq!(
        requests[0].identity.as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/OnCallEngineer/demo")
    );
    assert_eq!(store.ui.mode, Mode::Normal);
    // More presses: the dialog is gone, nothing else is sent.
    assert!(sent(&keys(&mut store, "yyy")).is_empty());
    // The same action again while the first is in flight is refused.
    press(&mut store, Command::Scale);
    clear(&mut store);
    keys(&mut store, "7");
    enter(&mut store);
    assert!(sent(&keys(&mut store, "y")).is_empty());
    assert!(store.ui.message.clone().unwrap().text.contains("already in flight"));
}

#[test]
fn invalid_values_are_refused_in_the_dialog_and_nothing_is_sent() {
    let mut store = on_service("cart");
    press(&mut store, Command::Scale);
    for (typed, why) in [
        ("-1", "cannot be negative"),
        ("seven", "is not a desired count"),
        ("500", "above the cap of 200"),
        ("4", "already 4"),
        ("", "type a desired count"),
    ] {
        clear(&mut store);
        keys(&mut store, typed);
        let effects = enter(&mut store);
        assert!(sent(&effects).is_empty(), "{typed:?} sent something");
        let dialog = store.ui.dialog.as_ref().expect("the dialog stays open");
        assert!(matches!(dialog.step, Step::Ask { .. }), "{typed:?} moved on");
        let error = dialog.error.clone().unwrap_or_default();
        assert!(error.contains(why), "{typed:?}: {error}");
        assert!(dialog_text(&store).contains(&format!("✗ {error}")));
    }
    update(&mut store, Action::Input(Input::Cancel));
    assert_eq!(store.ui.mode, Mode::Normal);
    assert!(store.ui.message.clone().unwrap().text.contains("nothing was sent"));
}

#[test]
fn read_only_refuses_before_any_dialog() {
    let mut store = on_service("cart");
    store.settings.read_only = Some("read-only mode (--read-only)".into());
    for command in [
        Command::Scale,
        Command::Redeploy,
        Command::Rollback,
        Command::Revision,
        Command::RunTask,
        Command::ScalingLimits,
        Command::StopTask,
        Command::Drain,
    ] {
        let effects = press(&mut store, command);
        assert_eq!(store.ui.mode, Mode::Normal, "{command:?} opened a dialog");
        assert!(sent(&effects).is_empty());
        let message = store.ui.message.clone().unwrap();
        assert!(
            message.text.contains("refused: read-only mode (--read-only)"),
            "{command:?}: {}",
            message.text
        );
    }
    let effects = type_line(&mut store, Command::CommandLine, "scale 9");
    assert!(sent(&effects).is_empty());
    assert!(store.ui.message.clone().unwrap().text.contains("refused"));
}

#[test]
fn confirming_by_name_needs_the_exact_name() {
    let mut store = on_service("cart");
    store.settings.confirm_by_name = true;
    press(&mut store, Command::Redeploy);
    assert!(dialog_text(&store).contains("type cart to confirm"));
    assert!(sent(&keys(&mut store, "y")).is_empty(), "y is not enough");
    let effects = enter(&mut store);
    assert!(sent(&effects).is_empty());
    assert!(
        store
            .ui
            .dialog
            .as_ref()
            .unwrap()
            .error
            .clone()
            .unwrap()
            .contains("type `cart` exactly")
    );
    update(&mut store, Action::Input(Input::Backspace));
    keys(&mut store, "cart");
    let requests = sent(&enter(&mut store));
    assert_eq!(requests.len(), 1);
    assert!(matches!(requests[0].op, Op::Redeploy { .. }));
}

#[test]
fn rollback_during_a_rollout_goes_to_the_previous_deployment() {
    let mut store = on_service("checkout");
    press(&mut store, Command::Rollback);
    let text = dialog_text(&store);
    assert!(text.contains("Roll back checkout"), "{text}");
    assert!(text.contains("checkout:11 → checkout:10"), "{text}");
    let requests = sent(&keys(&mut store, "y"));
    assert!(matches!(&requests[0].op, Op::SetTaskDefinition { rollback: true, .. }));
}

/// `B` on the deployment before catalog's last one (which moved it to Fargate Spot) puts
/// back the whole revision: the task definition and the launch type without capacity
/// providers; the world deploys it, and the new deployment's target is that revision.
#[test]
fn a_whole_service_revision_goes_back() {
    let mut store = on_service("catalog");
    press(&mut store, Command::History);
    follow_scope(&mut store);
    press(&mut store, Command::Down);
    press(&mut store, Command::Rollback);
    let text = screen(&store, 160, 34);
    for line in [
        "back to service revision",
        "task definition: catalog:27 → catalog:26",
        "launch type: - → FARGATE",
        "capacity providers: FARGATE base 2 weight 1;",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    let request = sent(&keys(&mut store, "y")).remove(0);
    let Op::RestoreRevision { restore, .. } = &request.op else {
        panic!("{:?}", request.op)
    };
    assert_eq!(
        restore.changes[2],
        (
            "capacity providers".to_string(),
            "FARGATE base 2 weight 1; FARGATE_SPOT base 0 weight 3".to_string(),
            "-".to_string()
        )
    );
    assert_eq!(restore.capacity_providers, Some(vec![]));
    assert_eq!((&restore.load_balancers, &restore.network), (&None, &None));
    let revision = restore.revision.clone();
    let (cluster, service) = (
        request.op.cluster().to_string(),
        request.op.service().unwrap().to_string(),
    );

    let backend = Arc::new(SimBackend::fixed(7, at()));
    let executor = Executor::new(backend.clone(), Guard::default(), None);
    let outcome = runtime().block_on(executor.execute(request));
    let applied = outcome.outcome.applied().cloned().expect("applied");
    assert!(
        applied.summary.contains("back on service revision"),
        "{}",
        applied.summary
    );
    update(&mut store, Action::OpDone(outcome));
    // Followed until the new deployment is done: other data arriving before the services
    // are read again (their deployments from before it was sent) does not settle it.
    let (services, others): (Vec<_>, Vec<_>) = store
        .ui
        .scope
        .0
        .iter()
        .cloned()
        .partition(|f| matches!(f, bosun::domain::fetch::Fetch::Services { .. }));
    for fetches in [others, services] {
        for event in runtime().block_on(bosun::source::fetch_all(backend.as_ref(), fetches, 4)) {
            update(&mut store, Action::Data(event));
        }
        assert!(store.ops.follow.is_some(), "{:?}", store.ui.message);
    }
    let text = screen(&store, 100, 30);
    assert!(text.contains("⟳ catalog:") && text.contains("0/6 ·"), "{text}");
    let svc = store.service(&cluster, &service).expect("catalog").clone();
    assert!(svc.capacity_strategy.is_empty(), "{:?}", svc.capacity_strategy);
    assert!(svc.task_definition.ends_with(":26"));
    let history = store.insight.deployments[&svc.arn].value.clone().unwrap();
    let newest = &history.deployments[0];
    assert_eq!(newest.status, "IN_PROGRESS");
    assert_eq!(newest.to.as_ref().map(|r| r.arn.as_str()), Some(revision.as_str()));
    // It is on that revision now: going back to it again changes nothing, and is refused.
    let current = history.current(&svc.task_definition).expect("the current revision");
    assert_eq!(current.arn, revision);
    let target = history.revision(&revision).unwrap();
    let refused = bosun::domain::deploy::Restore::new(current, target, "ROLLING").unwrap_err();
    assert!(refused.contains("on this revision already"), "{refused}");
}

#[test]
fn a_revision_is_picked_from_the_family_list() {
    let mut store = on_service("cart");
    let effects = press(&mut store, Command::Revision);
    // The dialog asks the scheduler for the family's revisions.
    let scope = effects.iter().find_map(|e| match e {
        Effect::SetScope(s) => Some(s.clone()),
        _ => None,
    });
    assert!(
        scope
            .unwrap()
            .0
            .iter()
            .any(|f| matches!(f, bosun::domain::fetch::Fetch::Revisions { family, .. } if family == "cart"))
    );
    assert!(dialog_text(&store).contains("loading the revisions of cart"));
    follow_scope(&mut store);
    let current = store
        .service(
            "arn:aws:ecs:us-east-1:123456789012:cluster/prod-web",
            "arn:aws:ecs:us-east-1:123456789012:service/prod-web/cart",
        )
        .unwrap()
        .task_definition
        .clone();
    let rev = bosun::util::task_def_revision(&current).unwrap();
    let text = dialog_text(&store);
    assert!(text.contains(&format!("cart:{rev}   (running now)")), "{text}");
    // The cursor starts on the running revision; the previous one is below it.
    update(&mut store, Action::Input(Input::Down));
    enter(&mut store);
    assert!(
        dialog_text(&store).contains(&format!("cart:{rev} → cart:{}", rev - 1)),
        "{}",
        dialog_text(&store)
    );
    assert_eq!(sent(&keys(&mut store, "y")).len(), 1);

    // By number, on the command line: an unknown revision is refused in the dialog.
    type_line(&mut store, Command::CommandLine, "revision 999");
    follow_scope(&mut store);
    let error = store.ui.dialog.as_ref().unwrap().error.clone().unwrap();
    assert!(error.contains("revision 999 of cart does not exist"), "{error}");
    assert!(
        matches!(store.ui.dialog.as_ref().unwrap().step, Step::Pick { .. }),
        "still picking"
    );
}

#[test]
fn command_line_forms_act_on_a_named_target() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, "svc cart");
    type_line(&mut store, Command::CommandLine, "scale 6");
    assert!(dialog_text(&store).contains("desired 4 → 6"));
    update(&mut store, Action::Input(Input::Cancel));

    type_line(&mut store, Command::CommandLine, "scale -3");
    let dialog = store.ui.dialog.clone().expect("the refusal is shown in the dialog");
    assert!(dialog.error.unwrap().contains("cannot be negative"));
    update(&mut store, Action::Input(Input::Cancel));

    let task = store
        .cluster_data("arn:aws:ecs:us-east-1:123456789012:cluster/prod-web")
        .unwrap()
        .tasks
        .items()[0]
        .id
        .clone();
    type_line(
        &mut store,
        Command::CommandLine,
        &format!("stop {} bad node", &task[..10]),
    );
    let text = dialog_text(&store);
    assert!(text.contains("stop, with reason: bad node"), "{text}");
    let requests = sent(&keys(&mut store, "y"));
    assert!(matches!(&requests[0].op, Op::StopTask { reason, .. } if reason == "bad node"));

    // An ID that is not loaded is looked up (DescribeTasks) before anything else.
    type_line(&mut store, Command::CommandLine, "stop zzzz");
    assert!(store.ui.message.clone().unwrap().text.contains("looking up task zzzz"));
    support::follow_scope(&mut store);
    let message = store.ui.message.clone().unwrap().text;
    assert!(message.contains("no task `zzzz` in prod-web"), "{message}");
    assert!(store.ui.dialog.is_none());

    type_line(&mut store, Command::CommandLine, "run cart 2");
    let text = dialog_text(&store);
    assert!(text.contains("run 2 tasks · FARGATE · 3 subnets"), "{text}");
    update(&mut store, Action::Input(Input::Cancel));
    type_line(&mut store, Command::CommandLine, "run cart 11");
    assert!(
        store
            .ui
            .dialog
            .as_ref()
            .unwrap()
            .error
            .clone()
            .unwrap()
            .contains("at most 10")
    );
    update(&mut store, Action::Input(Input::Cancel));

    type_line(&mut store, Command::CommandLine, "limits 5 2");
    assert!(
        store
            .ui
            .dialog
            .as_ref()
            .unwrap()
            .error
            .clone()
            .unwrap()
            .contains("min 5 is above max 2")
    );
}

#[test]
fn an_applied_action_is_followed_until_it_settles() {
    let mut store = on_service("cart");
    press(&mut store, Command::Scale);
    clear(&mut store);
    keys(&mut store, "6");
    enter(&mut store);
    let request = sent(&keys(&mut store, "y")).remove(0);

    // The executor applies it to a world of the same seed, and the store follows.
    let backend = Arc::new(SimBackend::fixed(7, at()));
    let executor = Executor::new(backend.clone(), Guard::default(), None);
    let outcome = runtime().block_on(executor.execute(request));
    assert!(outcome.outcome.applied().is_some(), "{:?}", outcome.outcome);
    let effects = update(&mut store, Action::OpDone(outcome));
    assert!(effects.contains(&Effect::Refresh));
    assert!(store.ops.follow.is_some());
    assert!(store.ops.in_flight.is_empty());
    follow_scope(&mut store);
    let text = screen(&store, 100, 30);
    assert!(text.contains("⟳ cart: 4/6 running"), "{text}");

    // Two minutes on, the new tasks run: the follow ends with a message.
    let later = SimBackend::fixed(7, at());
    later.with_world(|w| {
        w.scale("prod-web", "cart", 6).unwrap();
        w.advance_to(at() + SignedDuration::from_mins(2));
    });
    store.now = at() + SignedDuration::from_mins(2);
    for event in runtime().block_on(bosun::source::fetch_all(
        &later,
        store.ui.scope.0.iter().cloned().collect(),
        4,
    )) {
        update(&mut store, Action::Data(event));
    }
    assert!(store.ops.follow.is_none(), "settled");
    let message = store.ui.message.clone().unwrap().text;
    assert!(message.starts_with("✓ scale service cart: settled"), "{message}");
}
