//! The app without a terminal: actions and data events in, store and effects out.

mod support;

use bosun::app::{Action, Effect, Input, update};
use bosun::domain::fetch::{DataEvent, Fetch};
use bosun::domain::{ErrorKind, FetchError};
use bosun::source::fetch_all;
use bosun::source::sim::SimBackend;
use bosun::store::Store;
use bosun::store::ui::{Mode, Route, ScreenId};
use bosun::ui::keymap::Command;
use bosun::ui::screens;
use jiff::SignedDuration;
use support::*;

const PROD_WEB: &str = "arn:aws:ecs:us-east-1:123456789012:cluster/prod-web";

fn selected_name(store: &bosun::store::Store) -> String {
    let page = store.ui.page();
    let key = page.table().selected.clone().unwrap_or_default();
    bosun::util::arn_tail(&key).to_string()
}

/// Whether the page on top is `screen`'s, and its route passes `check`.
fn on(store: &Store, screen: ScreenId, check: impl Fn(&Route) -> bool) -> bool {
    store.ui.route().is(screen) && check(store.ui.route())
}

/// The demo with one service's screen open (nothing fetched for it yet).
fn demo_service(cluster: &str, service: &str) -> Store {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, &format!("cluster {cluster}"));
    type_line(&mut store, Command::CommandLine, &format!("svc {service}"));
    store
}

#[test]
fn drill_down_from_fleet_to_task_and_back() {
    let mut store = demo_store();
    // The failing cluster sorts first.
    assert_eq!(selected_name(&store), "prod-web");
    let effects = press(&mut store, Command::Open);
    assert_eq!(
        store.ui.route(),
        &Route::new(screens::services::ID).account("shop-prod").cluster(PROD_WEB)
    );
    let scope = effects.iter().find_map(|e| match e {
        Effect::SetScope(scope) => Some(scope.clone()),
        _ => None,
    });
    let scope = scope.expect("opening a cluster changes what is polled fast");
    assert!(scope.contains(&Fetch::Services {
        cluster: PROD_WEB.into()
    }));

    // Worst first: payments (failing), checkout and recommendations (rolling: the circuit
    // breaker rolls the latter back), then the healthy by name.
    assert_eq!(selected_name(&store), "payments");
    for _ in 0..5 {
        press(&mut store, Command::Down);
    }
    assert_eq!(selected_name(&store), "cart");
    press(&mut store, Command::Open);
    assert!(on(&store, screens::service::ID, |r| r
        .service
        .as_deref()
        .is_some_and(|s| s.ends_with("/cart"))));
    press(&mut store, Command::NextPane);
    press(&mut store, Command::Open);
    assert!(
        store.ui.route().is(screens::task::ID),
        "expected a task, got {:?}",
        store.ui.route()
    );
    let task = store.ui.route().task.clone().unwrap();
    // The task page polls its task definition, for the roles.
    let td = store
        .cluster_data(PROD_WEB)
        .unwrap()
        .find_task(&task)
        .unwrap()
        .task_definition
        .clone();
    assert!(store.ui.scope.contains(&Fetch::TaskDefinition { arn: td }));

    press(&mut store, Command::Back);
    press(&mut store, Command::Back);
    assert_eq!(
        store.ui.route(),
        &Route::new(screens::services::ID).account("shop-prod").cluster(PROD_WEB)
    );
    assert_eq!(selected_name(&store), "cart", "coming back, the cursor is where it was");
    press(&mut store, Command::Back);
    press(&mut store, Command::Back);
    assert_eq!(
        store.ui.route(),
        &Route::new(ScreenId::FLEET),
        "back stops at the fleet"
    );
}

#[test]
fn filter_narrows_and_escape_clears_it_before_going_back() {
    let mut store = demo_store();
    press(&mut store, Command::Open);
    type_line(&mut store, Command::Filter, "check");
    assert_eq!(store.ui.mode, Mode::Normal);
    let table = store.ui.page().table();
    assert_eq!((table.rows.len(), table.total), (1, 9));
    assert_eq!(selected_name(&store), "checkout");
    assert!(screen(&store, 80, 24).contains("services(prod-web) [1/9] </check>"));
    press(&mut store, Command::Back);
    assert_eq!(store.ui.page().table().rows.len(), 9);
    assert!(store.ui.route().is(screens::services::ID));
    press(&mut store, Command::Back);
    assert_eq!(store.ui.route(), &Route::new(ScreenId::FLEET));
}

/// Lists with a health open worst first (then as listed, by name): the failing service,
/// the crash-looping pod. `<` `>` move the sort through the columns and back to worst
/// first; `sort = "name"` in the config opens them by name.
#[test]
fn lists_open_worst_first_unless_the_config_says_by_name() {
    let mut store = demo_store();
    press(&mut store, Command::Open);
    assert_eq!(selected_name(&store), "payments");
    let columns = screens::current(&store).columns(&store, store.ui.page()).0.len();
    press(&mut store, Command::SortNext);
    assert_eq!(selected_name(&store), "api-gateway", "by name");
    for _ in 1..=columns {
        press(&mut store, Command::SortNext);
    }
    press(&mut store, Command::Top);
    assert_eq!(selected_name(&store), "payments", "back to worst first");

    type_line(&mut store, Command::CommandLine, "eks platform-k8s");
    type_line(&mut store, Command::CommandLine, "pods");
    follow_scope(&mut store);
    let first = store.ui.page().table().selected.clone().unwrap_or_default();
    assert!(first.contains("payments-"), "the crash-looping pod first: {first}");

    let mut store = demo_store();
    store.settings.natural_order = true;
    press(&mut store, Command::Open);
    assert_eq!(selected_name(&store), "api-gateway");
}

/// `:stop ID` of a task that is not loaded (an ID pasted from an alert): described, then
/// the stop dialog as usual; an unknown ID says so, with nothing sent.
#[test]
fn stop_a_task_by_an_id_that_is_not_loaded() {
    let mut store = demo_store();
    press(&mut store, Command::Open);
    let task = store.cluster_data(PROD_WEB).unwrap().tasks.items()[0].clone();
    // As if the cluster's tasks had not been listed yet.
    store.clusters.remove(PROD_WEB);
    let effects = type_line(
        &mut store,
        Command::CommandLine,
        &format!("stop {} deploy gone wrong", task.id),
    );
    assert!(support::sent(effects).is_empty());
    assert!(store.ui.message.clone().unwrap().text.contains("looking up task"));
    let lookup = Fetch::Task {
        cluster: PROD_WEB.into(),
        task: task.id.clone(),
    };
    assert!(bosun::app::update::scope(&store).contains(&lookup));
    follow_scope(&mut store);
    let screen = support::screen(&store, 120, 30);
    assert!(screen.contains("Stop task") && screen.contains(&task.id), "{screen}");
    assert!(screen.contains("deploy gone wrong"), "{screen}");
    update(&mut store, Action::Input(Input::Cancel));

    type_line(
        &mut store,
        Command::CommandLine,
        "stop 0123456789abcdef0123456789abcdef",
    );
    follow_scope(&mut store);
    let message = store.ui.message.clone().unwrap().text;
    assert!(
        message.contains("no task `0123456789abcdef0123456789abcdef` in prod-web"),
        "{message}"
    );
    assert!(store.ui.dialog.is_none());
}

/// `:drain ID` of a container instance not loaded (the EC2 instance ID of an alert): the
/// cluster's instances are read, then the drain is confirmed as usual; `:activate` of an
/// unknown one says so, with nothing sent.
#[test]
fn drain_an_instance_by_an_id_that_is_not_loaded() {
    const WORKERS: &str = "arn:aws:ecs:us-east-1:123456789012:cluster/prod-workers";
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-workers");
    // As if its instances had not been listed (their screen was never opened).
    store.clusters.remove(WORKERS);
    // The EC2 instance ID, as CloudWatch or an EC2 alert names it.
    let backend = SimBackend::fixed(7, at());
    let listed = runtime().block_on(fetch_all(
        &backend,
        vec![Fetch::ContainerInstances {
            cluster: WORKERS.into(),
        }],
        1,
    ));
    let instance = match &listed[0].result {
        Ok(bosun::domain::fetch::Payload::ContainerInstances(list)) => list[1].clone(),
        other => panic!("{other:?}"),
    };
    let ec2 = instance.ec2_instance_id.clone().unwrap();
    let effects = type_line(&mut store, Command::CommandLine, &format!("drain {ec2}"));
    assert!(support::sent(effects).is_empty());
    assert!(store.ui.message.clone().unwrap().text.contains("looking up instance"));
    assert!(bosun::app::update::scope(&store).contains(&Fetch::ContainerInstances {
        cluster: WORKERS.into()
    }));
    follow_scope(&mut store);
    let screen = support::screen(&store, 120, 30);
    assert!(screen.contains("Drain") && screen.contains(&ec2), "{screen}");
    let ops = support::sent(update(&mut store, Action::Input(Input::Char('y'))));
    assert!(
        matches!(ops.as_slice(), [bosun::domain::op::Op::SetInstanceState { instance: i, draining: true, .. }] if *i == instance.arn),
        "{ops:?}"
    );

    type_line(&mut store, Command::CommandLine, "activate i-0000000000000000");
    follow_scope(&mut store);
    let message = store.ui.message.clone().unwrap().text;
    assert!(
        message.contains("no container instance `i-0000000000000000` in prod-workers"),
        "{message}"
    );
    assert!(store.ui.dialog.is_none());
}

/// The charts mark when each deployment started (a rolled-back one too) and draw the
/// thresholds of the alarms on their series: "did the deploy cause the spike?" in one look.
#[test]
fn charts_mark_deployments_and_alarm_thresholds() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "svc checkout");
    press(&mut store, Command::Metrics);
    follow_scope(&mut store);
    let route = store.ui.route().clone();
    let plots = screens::metrics::plots(&store, route.cluster_arn(), route.service.as_deref().unwrap());
    let service = store
        .service(route.cluster_arn(), route.service.as_deref().unwrap())
        .unwrap();
    let started: Vec<_> = service.deployments.iter().filter_map(|d| d.created_at).collect();
    assert!(!started.is_empty());
    for plot in &plots {
        let marked: Vec<_> = plot.marks.deploys.iter().map(|d| d.at).collect();
        assert_eq!(marked, started, "{}", plot.title);
    }
    let memory = plots.iter().find(|p| p.title == "Memory").unwrap();
    assert!(
        memory
            .marks
            .thresholds
            .iter()
            .any(|(t, name, _)| *t == 90.0 && name == "checkout-memory-high"),
        "{:?}",
        memory.marks
    );
    let screen = render(&store, 160, 48);
    assert!(screen.contains("│ deploy") || screen.contains("deploys"), "{screen}");
    assert!(screen.contains("checkout-memory-high 90%"), "{screen}");

    // App Runner: its deployments, the rolled-back ones included.
    type_line(&mut store, Command::CommandLine, "apprunner quotes-api");
    follow_scope(&mut store);
    press(&mut store, Command::Metrics);
    follow_scope(&mut store);
    let arn = store.ui.route().arn.clone().unwrap();
    let plots = screens::apprunner_metrics::plots(&store, &arn);
    assert!(plots[0].marks.deploys.iter().any(|d| d.failed), "{:?}", plots[0].marks);
    assert!(
        render(&store, 160, 48).contains("│ deploy"),
        "the last hour's rollback is marked"
    );
}

#[test]
fn the_selection_stays_on_its_service_when_data_refreshes() {
    let mut store = demo_store();
    press(&mut store, Command::Open);
    type_line(&mut store, Command::Filter, "");
    for _ in 0..7 {
        press(&mut store, Command::Down);
    }
    assert_eq!(selected_name(&store), "frontend");
    // Ten minutes later the rows have new counts; a service sorted first by count moves.
    press(&mut store, Command::SortNext);
    press(&mut store, Command::SortNext);
    press(&mut store, Command::SortNext);
    let later = SimBackend::fixed(7, at() + SignedDuration::from_mins(10));
    let fetch = Fetch::Services {
        cluster: PROD_WEB.into(),
    };
    for event in runtime().block_on(fetch_all(&later, vec![fetch], 1)) {
        update(&mut store, Action::Data(event));
    }
    assert_eq!(selected_name(&store), "frontend");
}

#[test]
fn an_error_shows_in_its_pane_beside_the_last_good_data() {
    let mut store = demo_store();
    press(&mut store, Command::Open);
    let before = store.cluster_data(PROD_WEB).unwrap().services.len();
    let effects = update(
        &mut store,
        Action::Data(DataEvent {
            fetch: Fetch::Services {
                cluster: PROD_WEB.into(),
            },
            at: at(),
            result: Err(FetchError::new(
                ErrorKind::Throttled,
                "ECS DescribeServices in us-east-1 failed: ThrottlingException: Rate exceeded",
            )),
            digest: None,
        }),
    );
    assert!(effects.contains(&Effect::Render));
    assert_eq!(store.cluster_data(PROD_WEB).unwrap().services.len(), before);
    let text = screen(&store, 120, 30);
    assert!(text.contains("checkout"), "the last good data stays:\n{text}");
    assert!(
        text.contains("✗ ECS DescribeServices in us-east-1 failed: ThrottlingException"),
        "{text}"
    );
    assert!(
        text.contains("✗ data"),
        "the status bar says the data is not fresh:\n{text}"
    );
    // Other clusters are untouched.
    press(&mut store, Command::Back);
    assert!(!screen(&store, 120, 30).contains("ThrottlingException"));
}

#[test]
fn identical_data_does_not_redraw() {
    let mut store = demo_store();
    let same = SimBackend::fixed(7, at());
    let fetch = Fetch::Services {
        cluster: PROD_WEB.into(),
    };
    let events = runtime().block_on(fetch_all(&same, vec![fetch], 1));
    let effects = update(&mut store, Action::Data(events.into_iter().next().unwrap()));
    assert!(!effects.contains(&Effect::Render), "{effects:?}");
}

#[test]
fn quitting_and_the_command_line() {
    let mut store = demo_store();
    assert!(press(&mut store, Command::Quit).contains(&Effect::Quit));
    assert!(type_line(&mut store, Command::CommandLine, "q").contains(&Effect::Quit));

    type_line(&mut store, Command::CommandLine, "frobnicate");
    let message = store.ui.message.clone().unwrap();
    assert!(message.text.contains("unknown command `frobnicate`"));
    assert_eq!(store.ui.route(), &Route::new(ScreenId::FLEET));

    type_line(&mut store, Command::CommandLine, "svc checkout");
    assert!(on(&store, screens::service::ID, |r| r
        .service
        .as_deref()
        .is_some_and(|s| s.ends_with("/checkout"))));
    assert_eq!(store.ui.stack.len(), 3, "fleet › services › checkout, so esc goes up");

    type_line(&mut store, Command::CommandLine, "svc nope");
    assert!(
        store
            .ui
            .message
            .clone()
            .unwrap()
            .text
            .contains("no service `nope` in prod-web")
    );

    type_line(&mut store, Command::CommandLine, "stopped");
    assert!(on(&store, screens::tasks::ID, |r| r
        .service
        .as_deref()
        .is_some_and(|s| s.ends_with("/checkout"))));
    assert!(store.ui.page().alternate);

    type_line(&mut store, Command::CommandLine, "fleet");
    assert_eq!(store.ui.route(), &Route::new(ScreenId::FLEET));
    type_line(&mut store, Command::CommandLine, "cluster prod-wor");
    assert!(on(&store, screens::services::ID, |r| r
        .cluster_arn()
        .ends_with("/prod-workers")));
}

#[test]
fn stopped_tasks_are_one_key_away() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, "tasks");
    let running = store.ui.page().table().rows.len();
    press(&mut store, Command::ToggleStopped);
    let page = store.ui.page();
    assert!(page.alternate);
    assert_ne!(page.table().rows.len(), running);
    let text = screen(&store, 120, 30);
    assert!(text.contains("stopped tasks(prod-web)"));
    assert!(text.contains("OutOfMemoryError"), "{text}");
}

#[test]
fn help_opens_and_closes_without_quitting() {
    let mut store = demo_store();
    press(&mut store, Command::Help);
    assert_eq!(store.ui.mode, Mode::Help);
    let text = screen(&store, 100, 40);
    assert!(text.contains("filter: words, column:value, !not"));
    assert!(text.contains("ctrl-r"));
    let effects = press(&mut store, Command::Quit);
    assert!(!effects.contains(&Effect::Quit), "q closes help first");
    assert_eq!(store.ui.mode, Mode::Normal);
}

#[test]
fn a_tiny_terminal_gets_a_notice_not_a_panic() {
    let store = demo_store();
    for (w, h) in [(20, 5), (39, 30), (200, 7)] {
        let text = screen(&store, w, h);
        assert!(text.contains("terminal too small"), "{w}x{h}: {text}");
    }
    for (w, h) in [(1, 1), (2, 1), (40, 8)] {
        screen(&store, w, h);
    }
}

fn click(store: &mut bosun::store::Store, column: u16, row: u16) -> Vec<Effect> {
    update(store, Action::Mouse(bosun::app::Mouse::Click { column, row }))
}

#[test]
fn a_click_selects_the_row_under_it_and_the_wheel_scrolls() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    // Before the first frame nobody knows where the rows are: a click does nothing.
    click(&mut store, 10, 5);
    assert_eq!(store.ui.page().table().cursor, 0);
    let screen_before = screen(&store, 80, 24);
    let body = store.ui.page().table().body_area.get().expect("drawn");
    let row = body.y + 3;
    let line = screen_before.lines().nth(row as usize).unwrap().to_string();
    let effects = click(&mut store, body.x + 4, row);
    assert!(effects.contains(&Effect::Render));
    assert_eq!(store.ui.page().table().cursor, 3);
    let name = selected_name(&store);
    assert!(line.contains(&name), "clicked {line:?}, selected {name}");
    // A click on the header or the border selects nothing new.
    click(&mut store, body.x + 4, body.y - 1);
    assert_eq!(store.ui.page().table().cursor, 3);
    // The wheel moves three rows a notch, and stops at the ends.
    update(
        &mut store,
        Action::Mouse(bosun::app::Mouse::Scroll {
            column: body.x + 4,
            row,
            lines: 3,
        }),
    );
    assert_eq!(store.ui.page().table().cursor, 6);
    for _ in 0..5 {
        update(
            &mut store,
            Action::Mouse(bosun::app::Mouse::Scroll {
                column: body.x + 4,
                row,
                lines: -3,
            }),
        );
    }
    assert_eq!(store.ui.page().table().cursor, 0);
    // Clicking the opened row, then enter, opens what was clicked.
    click(&mut store, body.x + 4, row);
    press(&mut store, Command::Open);
    assert!(on(&store, screens::service::ID, |r| r
        .service
        .as_deref()
        .is_some_and(|s| s.ends_with(&format!("/{name}")))));
}

#[test]
fn a_click_in_another_pane_focuses_it() {
    let mut store = demo_service("prod-web", "payments");
    assert_eq!(store.ui.page().focus, 0);
    screen(&store, 160, 48);
    let tasks = store.ui.page().panes[1]
        .body_area
        .get()
        .expect("the tasks pane is drawn");
    click(&mut store, tasks.x + 2, tasks.y + 1);
    assert_eq!(store.ui.page().focus, 1);
    assert_eq!(store.ui.page().table().cursor, 1);
    let effects = press(&mut store, Command::CopyArn);
    let copied = effects.iter().find_map(|e| match e {
        Effect::Copy(text) => Some(text.clone()),
        _ => None,
    });
    let task = store.ui.page().table().selected.clone().unwrap();
    assert!(task.contains(":task/prod-web/"), "{task}");
    assert_eq!(copied.as_deref(), Some(task.as_str()));
}

#[test]
fn copy_the_arn_and_the_console_url_of_the_selection() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::Filter, "checkout");
    let copied = |effects: Vec<Effect>| {
        effects.into_iter().find_map(|e| match e {
            Effect::Copy(text) => Some(text),
            _ => None,
        })
    };
    let arn = copied(press(&mut store, Command::CopyArn)).expect("y copies");
    assert_eq!(arn, "arn:aws:ecs:us-east-1:123456789012:service/prod-web/checkout");
    assert!(screen(&store, 120, 30).contains(&format!("copied {arn}")));
    let url = copied(press(&mut store, Command::CopyUrl)).expect("u copies");
    assert_eq!(
        url,
        "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod-web/services/checkout?region=us-east-1"
    );
    assert!(screen(&store, 120, 30).contains(&url), "the status line shows the URL");
    // The fleet: the cluster.
    type_line(&mut store, Command::CommandLine, "fleet");
    let url = copied(press(&mut store, Command::CopyUrl)).unwrap();
    assert!(
        url.ends_with("/ecs/v2/clusters/prod-web/services?region=us-east-1"),
        "{url}"
    );
    // A task definition page: the task definition.
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, "svc checkout");
    press(&mut store, Command::TaskDefinition);
    let url = copied(press(&mut store, Command::CopyUrl)).unwrap();
    assert!(url.contains("/ecs/v2/task-definitions/checkout/"), "{url}");
}

/// Kubernetes actions in the demo: the dialog shows the exact change, `y` sends it once,
/// and the simulated cluster carries it out.
#[test]
fn kubernetes_actions_from_keys() {
    use bosun::domain::op::Op;
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "eks platform-k8s");
    type_line(&mut store, Command::CommandLine, "workloads");
    follow_scope(&mut store);
    type_line(&mut store, Command::Filter, "checkout");
    press(&mut store, Command::Scale);
    // Refused in place: not a number.
    for c in "x".chars() {
        update(&mut store, Action::Input(Input::Char(c)));
    }
    update(&mut store, Action::Input(Input::Submit));
    let dialog = store.ui.dialog.as_ref().expect("the dialog stays open");
    assert!(
        dialog.error.as_deref().unwrap_or_default().contains("whole number"),
        "{dialog:?}"
    );
    for _ in 0..4 {
        update(&mut store, Action::Input(Input::Backspace));
    }
    for c in "5".chars() {
        update(&mut store, Action::Input(Input::Char(c)));
    }
    update(&mut store, Action::Input(Input::Submit));
    let screen = support::screen(&store, 100, 30);
    assert!(screen.contains("replicas 3 → 5"), "{screen}");
    assert!(screen.contains("namespace") && screen.contains("shop"), "{screen}");
    let effects = update(&mut store, Action::Input(Input::Char('y')));
    let sent: Vec<&Op> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Exec(r) => Some(&r.op),
            _ => None,
        })
        .collect();
    assert!(
        matches!(sent.as_slice(), [Op::ScaleWorkload { name, to: 5, .. }] if name == "checkout"),
        "{sent:?}"
    );
    // A second `y` sends nothing more.
    let again = update(&mut store, Action::Input(Input::Char('y')));
    assert!(!again.iter().any(|e| matches!(e, Effect::Exec(_))));

    // Delete a pod, cordon a node: each asks first.
    type_line(&mut store, Command::CommandLine, "pods");
    follow_scope(&mut store);
    type_line(&mut store, Command::Filter, "crashloop");
    press(&mut store, Command::StopTask);
    let screen = support::screen(&store, 100, 30);
    assert!(
        screen.contains("delete the pod") && screen.contains("starts a replacement"),
        "{screen}"
    );
    update(&mut store, Action::Input(Input::Cancel));
    type_line(&mut store, Command::CommandLine, "nodes");
    follow_scope(&mut store);
    press(&mut store, Command::Drain);
    let screen = support::screen(&store, 100, 30);
    assert!(screen.contains("schedulable → cordoned"), "{screen}");
}

#[test]
fn read_only_refuses_kubernetes_actions_before_any_dialog() {
    let mut store = demo_store();
    store.settings.read_only = Some("read-only mode (--read-only)".into());
    type_line(&mut store, Command::CommandLine, "eks platform-k8s");
    type_line(&mut store, Command::CommandLine, "pods");
    follow_scope(&mut store);
    press(&mut store, Command::StopTask);
    assert!(store.ui.dialog.is_none());
    let screen = support::screen(&store, 100, 30);
    assert!(screen.contains("refused: read-only mode"), "{screen}");
}

#[test]
fn eks_rows_of_the_fleet_roll_up_node_groups_add_ons_and_watched_pods() {
    let mut store = demo_store();
    let row =
        |store: &bosun::store::Store, name: &str| store.fleet.items().iter().find(|r| r.name == name).cloned().unwrap();
    // Node groups and add-ons come with the fleet: platform-k8s has a DEGRADED add-on and
    // a Spot node group that cannot launch a node.
    let platform = row(&store, "platform-k8s");
    assert_eq!(platform.degraded, Some(2), "{platform:?}");
    assert_eq!(platform.health, bosun::domain::Health::Degraded);
    // Pods and workloads are not watched yet: no counts, rather than zeros.
    assert_eq!((platform.desired, platform.services), (None, None));
    assert_eq!(row(&store, "data-k8s").health, bosun::domain::Health::Healthy);

    type_line(&mut store, Command::CommandLine, "eks platform-k8s");
    type_line(&mut store, Command::CommandLine, "workloads");
    follow_scope(&mut store);
    type_line(&mut store, Command::CommandLine, "pods");
    follow_scope(&mut store);
    let platform = row(&store, "platform-k8s");
    let data = store.kube.values().find(|k| k.pods.is_loaded()).unwrap();
    let pods = data.pods.items();
    let pending = pods.iter().filter(|p| p.phase == "Pending").count() as u32;
    assert!(pending > 0, "the demo has a pod that cannot be scheduled");
    assert_eq!(platform.pending, pending);
    assert_eq!(platform.desired, Some(pods.len() as u32));
    assert!(
        platform.running < pods.len() as u32 - pending,
        "crash-looping pods are not running"
    );
    assert_eq!(platform.services, Some(data.workloads.items().len() as u32));
    // The add-on, and the workloads short of ready replicas (crash-looping, OOMKilled once,
    // unschedulable).
    assert!(platform.degraded.unwrap() > 1, "{platform:?}");
    // A pod in CrashLoopBackOff makes the cluster failing, as failing tasks do a service.
    assert_eq!(platform.health, bosun::domain::Health::Failing);
    type_line(&mut store, Command::CommandLine, "fleet");
    let screen = support::screen(&store, 120, 30);
    let line = screen.lines().find(|l| l.contains("platform-k8s")).unwrap();
    assert!(line.contains("failing"), "{screen}");
    assert!(
        line.contains(&format!("{}/{}", platform.running, platform.desired.unwrap())),
        "{screen}"
    );
}

#[test]
fn account_narrows_the_fleet_and_opens_in_its_account() {
    let mut store = demo_store();
    // Six clusters and four App Runner services.
    assert_eq!(store.ui.page().table().total, 10);
    type_line(&mut store, Command::CommandLine, "account nosuch");
    let message = store.ui.message.clone().unwrap().text;
    assert!(
        message.contains("no account `nosuch` in this fleet: shop-prod, shop-staging, data-platform"),
        "{message}"
    );
    // By id as well as by name.
    type_line(&mut store, Command::CommandLine, "account 210987654321");
    assert_eq!(store.account_scope.as_deref(), Some("shop-staging"));
    let text = screen(&store, 100, 12);
    assert!(text.contains("shop-staging · 210987654321"), "{text}");
    assert!(text.contains("fleet [1]") && text.contains("staging"), "{text}");
    assert!(!text.contains("prod-web"), "{text}");
    press(&mut store, Command::Open);
    assert_eq!(store.ui.route().account.as_deref(), Some("shop-staging"));
    let text = screen(&store, 100, 12);
    assert!(text.contains("shop-staging · 210987654321"), "{text}");
    // `:account` alone: every account again.
    type_line(&mut store, Command::CommandLine, "account");
    assert_eq!(store.account_scope, None);
    assert_eq!(store.ui.page().table().rows.len(), 10);
    assert!(screen(&store, 100, 12).contains("accounts 3/3"));
}

/// Inside an EKS cluster `:KIND` takes what `kubectl get` takes, from the cluster's
/// discovery; names follow Kubernetes there (`:svc` is a Service) and ECS elsewhere; the
/// kinds bosun has screens for open those; a word no kind answers says what is close.
#[test]
fn kinds_by_the_names_kubectl_takes_inside_an_eks_cluster() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "eks platform-k8s");
    follow_scope(&mut store);
    let kind = |store: &Store| store.ui.route().kind.clone();

    type_line(&mut store, Command::CommandLine, "ing");
    assert!(on(&store, screens::resources::ID, |_| true), "{:?}", store.ui.route());
    assert_eq!(kind(&store).as_deref(), Some("ingresses.networking.k8s.io"));
    follow_scope(&mut store);
    assert!(render(&store, 120, 30).contains("k8s-shop-shop-4f2a9c1e7b"));

    type_line(&mut store, Command::CommandLine, "nodepools.karpenter.sh");
    assert_eq!(kind(&store).as_deref(), Some("nodepools.karpenter.sh"));
    type_line(&mut store, Command::CommandLine, "svc");
    assert_eq!(
        kind(&store).as_deref(),
        Some("services"),
        "a Kubernetes Service inside EKS"
    );
    type_line(&mut store, Command::CommandLine, "statefulset");
    assert!(
        on(&store, screens::workloads::ID, |_| true),
        "{:?} {:?}",
        store.ui.route(),
        store.ui.message
    );
    type_line(&mut store, Command::CommandLine, "po");
    assert!(on(&store, screens::pods::ID, |_| true));

    type_line(&mut store, Command::CommandLine, "nodepol");
    let message = store.ui.message.clone().unwrap();
    assert!(
        message.text.contains("did you mean") && message.text.contains("nodepools.karpenter.sh"),
        "{}",
        message.text
    );
    assert!(on(&store, screens::pods::ID, |_| true), "a refused word goes nowhere");

    // `enter` on a row opens the object whole.
    type_line(&mut store, Command::CommandLine, "cj");
    follow_scope(&mut store);
    press(&mut store, Command::Open);
    assert!(on(&store, screens::object::ID, |r| r.object.as_deref()
        == Some("batch/nightly-report")));
    follow_scope(&mut store);
    let screen = render(&store, 120, 40);
    assert!(screen.contains("schedule: 0 2 * * *"), "{screen}");

    // Back in ECS, `:svc` is ECS services again, and an unknown word is an unknown command.
    type_line(&mut store, Command::CommandLine, "fleet");
    type_line(&mut store, Command::CommandLine, "ing");
    assert!(store.ui.message.clone().unwrap().text.contains("unknown command `ing`"));
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, "svc");
    assert!(on(&store, screens::services::ID, |_| true), "{:?}", store.ui.route());
}

/// The kinds an on-call engineer reads most show what bosun reads from their objects: a
/// Service's ready endpoints, a PDB that blocks drains, a Job's failed pods, a NodePool's
/// limits; a Secret's keys with their sizes, a value shown only when `v` reveals it, one
/// key at a time.
#[test]
fn first_class_kinds_and_a_secret_revealed_one_key_at_a_time() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "eks platform-k8s");
    follow_scope(&mut store);
    let row = |screen: &str, name: &str| {
        screen
            .lines()
            .find(|l| l.contains(&format!(" {name} ")))
            .unwrap_or_else(|| panic!("no row {name}:\n{screen}"))
            .to_string()
    };

    type_line(&mut store, Command::CommandLine, "svc");
    follow_scope(&mut store);
    let screen = render(&store, 160, 30);
    assert!(screen.contains("ENDPOINTS"), "{screen}");
    // The crash-looping payments pods are behind both of its Services, none ready.
    assert!(row(&screen, "payments").contains(" 0/2 "), "{screen}");
    assert!(row(&screen, "checkout").contains(" 3/3 "), "{screen}");
    let lb = row(&screen, "payments-webhooks");
    assert!(lb.contains("LoadBalancer") && lb.contains("k8s-shop-paymentsw"), "{lb}");

    type_line(&mut store, Command::CommandLine, "pdb");
    follow_scope(&mut store);
    // At 80 columns the column that says why a drain hangs is still there.
    let screen = render(&store, 80, 24);
    assert!(screen.contains("ALLOWED DISRUPTIONS"), "{screen}");
    press(&mut store, Command::Open);
    follow_scope(&mut store);
    let screen = render(&store, 120, 30);
    assert!(screen.contains("allows 0 disruptions · min available 3"), "{screen}");
    assert!(
        screen.contains("a drain of a node running one of its pods hangs"),
        "{screen}"
    );

    type_line(&mut store, Command::CommandLine, "jobs");
    follow_scope(&mut store);
    let screen = render(&store, 160, 30);
    assert!(screen.contains("ACTIVE") && screen.contains("FAILED"), "{screen}");
    let failed = row(&screen, "nightly-report-29070000");
    assert!(
        failed.contains("Failed") && failed.trim_end_matches('│').trim_end().contains(" 7 "),
        "{failed}"
    );

    type_line(&mut store, Command::CommandLine, "nodepools");
    follow_scope(&mut store);
    let screen = render(&store, 160, 30);
    assert!(row(&screen, "default").contains("cpu 1000"), "{screen}");
    type_line(&mut store, Command::CommandLine, "nodeclaims");
    follow_scope(&mut store);
    press(&mut store, Command::Open);
    follow_scope(&mut store);
    let screen = render(&store, 120, 30);
    assert!(screen.contains("node none yet · node pool default"), "{screen}");
    assert!(screen.contains("c6i.large · spot"), "{screen}");

    type_line(&mut store, Command::CommandLine, "secrets payments-provider");
    follow_scope(&mut store);
    let screen = render(&store, 160, 30);
    assert!(
        row(&screen, "payments-provider").contains("api-key 16B, webhook-secret 10B"),
        "{screen}"
    );
    press(&mut store, Command::Open);
    follow_scope(&mut store);
    let screen = render(&store, 120, 30);
    assert!(screen.contains("api-key") && screen.contains("16 bytes"), "{screen}");
    assert!(
        !screen.contains("sk_live_demo_key") && !screen.contains("whsec_demo"),
        "{screen}"
    );
    press(&mut store, Command::Reveal);
    let screen = render(&store, 120, 30);
    assert!(
        screen.contains("sk_live_demo_key") && !screen.contains("whsec_demo"),
        "{screen}"
    );
    press(&mut store, Command::Reveal);
    let screen = render(&store, 120, 30);
    assert!(
        !screen.contains("sk_live_demo_key") && screen.contains("whsec_demo"),
        "{screen}"
    );
    // A refresh keeps what is revealed; past the last key all are masked again.
    follow_scope(&mut store);
    assert!(render(&store, 120, 30).contains("whsec_demo"));
    press(&mut store, Command::Reveal);
    let screen = render(&store, 120, 30);
    assert!(
        !screen.contains("sk_live_demo_key") && !screen.contains("whsec_demo"),
        "{screen}"
    );
}

/// App Runner in the demo: `:apprunner` lists the services worst first with their
/// sparklines, `enter` opens one (its configuration, why it fails, its operations), `m` its
/// charts, `l` its logs (`t` the service events); `R` deploys and `D` pauses or resumes,
/// each confirmed with the exact change and sent once; the wrong state and read-only mode
/// are refused before anything is sent.
#[test]
fn app_runner_services_their_screens_and_actions() {
    use bosun::domain::apprunner::AppRunnerAction;
    use bosun::domain::op::Op;
    let sent = support::sent;
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "apprunner");
    follow_scope(&mut store);
    let screen = render(&store, 140, 30);
    let rows: Vec<&str> = screen.lines().filter(|l| l.contains("https://")).collect();
    assert_eq!(rows.len(), 4, "{screen}");
    assert!(
        rows[0].contains("quotes-api") && rows[0].contains("failing"),
        "{screen}"
    );
    assert!(
        rows[3].contains("internal-admin") && rows[3].contains("paused"),
        "{screen}"
    );
    // The last hour of requests, as a sparkline and the latest value.
    assert!(rows[0].chars().any(|c| ('▁'..='█').contains(&c)), "{screen}");

    press(&mut store, Command::Open);
    follow_scope(&mut store);
    let screen = render(&store, 120, 40);
    assert!(
        screen.contains("deployment rolled back: health check failed"),
        "{screen}"
    );
    assert!(screen.contains("ROLLBACK_SUCCEEDED"), "{screen}");
    assert!(
        screen.contains("DefaultConfiguration (revision 1): 1–25 instances"),
        "{screen}"
    );

    press(&mut store, Command::Metrics);
    follow_scope(&mut store);
    let screen = render(&store, 160, 48);
    assert!(screen.contains("metrics(quotes-api)"), "{screen}");
    assert!(screen.contains(" Requests ") && screen.contains(" 5xx "), "{screen}");
    press(&mut store, Command::Back);
    press(&mut store, Command::Logs);
    follow_scope(&mut store);
    let screen = render(&store, 120, 30);
    assert!(screen.contains("logs(quotes-api application)"), "{screen}");
    assert!(screen.contains("rules cache not loaded"), "{screen}");
    press(&mut store, Command::ToggleStopped);
    follow_scope(&mut store);
    let screen = render(&store, 140, 30);
    assert!(screen.contains("logs(quotes-api service)"), "{screen}");
    assert!(screen.contains("Health check failed"), "{screen}");
    press(&mut store, Command::Back);

    // Deploy: the exact change, then one request.
    press(&mut store, Command::Redeploy);
    let screen = support::screen(&store, 120, 30);
    assert!(screen.contains("Deploy quotes-api"), "{screen}");
    assert!(screen.contains("App Runner rolls back"), "{screen}");
    let ops = sent(update(&mut store, Action::Input(Input::Char('y'))));
    assert!(
        matches!(ops.as_slice(), [Op::AppRunner { name, change: AppRunnerAction::Deploy, .. }] if name == "quotes-api"),
        "{ops:?}"
    );
    assert!(
        sent(update(&mut store, Action::Input(Input::Char('y')))).is_empty(),
        "sent twice"
    );
    // Once App Runner took it, its operation is followed: the service is read at the fast
    // rate, and nothing of ECS is asked about it.
    let op = ops[0].clone();
    let arn = op.cluster().to_string();
    update(
        &mut store,
        Action::OpDone(bosun::domain::op::OpOutcome {
            id: 1,
            op,
            outcome: bosun::domain::op::Outcome::Done(bosun::domain::op::Applied {
                summary: "quotes-api: deployment started".into(),
                deployment: Some("op-1".into()),
                tasks: vec![],
            }),
        }),
    );
    let scope = bosun::app::update::scope(&store);
    assert!(
        scope.contains(&Fetch::AppRunnerService { service: arn.clone() }),
        "{scope:?}"
    );
    assert!(!scope.0.iter().any(|f| f.cluster() == Some(arn.as_str())), "{scope:?}");

    // A paused service resumes; deploying it is refused before anything is sent.
    type_line(&mut store, Command::CommandLine, "apprunner internal-admin");
    follow_scope(&mut store);
    let ops = sent(press(&mut store, Command::Redeploy));
    assert!(ops.is_empty() && store.ui.dialog.is_none());
    let message = store.ui.message.clone().unwrap().text;
    assert!(message.contains("it is PAUSED"), "{message}");
    press(&mut store, Command::Drain);
    let screen = support::screen(&store, 120, 30);
    assert!(screen.contains("PAUSED → RUNNING"), "{screen}");
    let ops = sent(update(&mut store, Action::Input(Input::Char('y'))));
    assert!(
        matches!(
            ops.as_slice(),
            [Op::AppRunner {
                change: AppRunnerAction::Resume,
                ..
            }]
        ),
        "{ops:?}"
    );
    // `:pause` on a running one.
    type_line(&mut store, Command::CommandLine, "apprunner storefront");
    follow_scope(&mut store);
    type_line(&mut store, Command::CommandLine, "pause");
    let screen = support::screen(&store, 120, 30);
    assert!(screen.contains("RUNNING → PAUSED"), "{screen}");
    update(&mut store, Action::Input(Input::Char('n')));

    // Read-only: refused before any dialog.
    store.settings.read_only = Some("read-only mode (--read-only)".into());
    let ops = sent(press(&mut store, Command::Redeploy));
    assert!(ops.is_empty() && store.ui.dialog.is_none());
    assert!(store.ui.message.clone().unwrap().text.contains("refused"));
}

/// Any kind: `X` deletes only once its name is typed; a CronJob is triggered (`n`) and
/// suspended (`D`) with a confirmation that shows the change; read-only refuses all.
#[test]
fn actions_on_any_kind() {
    use bosun::domain::op::Op;
    let sent = support::sent;
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "eks platform-k8s");
    follow_scope(&mut store);
    type_line(&mut store, Command::CommandLine, "cm");
    follow_scope(&mut store);
    type_line(&mut store, Command::Filter, "checkout-config");
    press(&mut store, Command::StopTask);
    let screen = support::screen(&store, 100, 30);
    assert!(screen.contains("delete configmap shop/checkout-config"), "{screen}");
    // `y` is not enough: the name, typed.
    assert!(sent(update(&mut store, Action::Input(Input::Char('y')))).is_empty());
    update(&mut store, Action::Input(Input::Backspace));
    for c in "checkout-confi".chars() {
        update(&mut store, Action::Input(Input::Char(c)));
    }
    assert!(sent(update(&mut store, Action::Input(Input::Submit))).is_empty());
    update(&mut store, Action::Input(Input::Char('g')));
    let ops = sent(update(&mut store, Action::Input(Input::Submit)));
    assert!(
        matches!(ops.as_slice(), [Op::DeleteObject { kind, name, namespace: Some(ns), .. }]
            if kind == "configmaps" && name == "checkout-config" && ns == "shop"),
        "{ops:?}"
    );

    type_line(&mut store, Command::CommandLine, "cj");
    follow_scope(&mut store);
    press(&mut store, Command::RunTask);
    let screen = support::screen(&store, 120, 30);
    assert!(screen.contains("create a Job from its template now"), "{screen}");
    let ops = sent(update(&mut store, Action::Input(Input::Char('y'))));
    assert!(
        matches!(ops.as_slice(), [Op::TriggerCronJob { name, .. }] if name == "nightly-report"),
        "{ops:?}"
    );
    press(&mut store, Command::Drain);
    let screen = support::screen(&store, 120, 30);
    assert!(screen.contains("scheduled → suspended"), "{screen}");
    let ops = sent(update(&mut store, Action::Input(Input::Char('y'))));
    assert!(
        matches!(ops.as_slice(), [Op::SuspendCronJob { suspend: true, .. }]),
        "{ops:?}"
    );

    // Scale anything with a scale subresource: the count it has, refused in place when wrong.
    type_line(&mut store, Command::CommandLine, "rs");
    follow_scope(&mut store);
    type_line(&mut store, Command::Filter, "checkout");
    press(&mut store, Command::Scale);
    let screen = support::screen(&store, 120, 30);
    assert!(screen.contains("replicas (now 3)"), "{screen}");
    update(&mut store, Action::Input(Input::Submit));
    let error = store
        .ui
        .dialog
        .as_ref()
        .and_then(|d| d.error.clone())
        .unwrap_or_default();
    assert!(error.contains("already has 3"), "{error}");
    update(&mut store, Action::Input(Input::Backspace));
    update(&mut store, Action::Input(Input::Char('5')));
    update(&mut store, Action::Input(Input::Submit));
    let screen = support::screen(&store, 120, 30);
    assert!(screen.contains("replicas 3 → 5"), "{screen}");
    let ops = sent(update(&mut store, Action::Input(Input::Char('y'))));
    assert!(
        matches!(
            ops.as_slice(),
            [Op::ScaleObject {
                to: 5,
                from: Some(3),
                ..
            }]
        ),
        "{ops:?}"
    );
    // A kind without one says so.
    type_line(&mut store, Command::CommandLine, "cm");
    press(&mut store, Command::Scale);
    assert!(store.ui.message.clone().unwrap().text.contains("no scale subresource"));

    // Read-only: refused, nothing opens.
    store.settings.read_only = Some("read-only mode (--read-only)".into());
    press(&mut store, Command::StopTask);
    assert!(store.ui.dialog.is_none());
    assert!(store.ui.message.clone().unwrap().text.contains("refused"));
}

/// `:pods` at the fleet: the pods in trouble of every EKS cluster, the worst first; `enter`
/// opens the pod in its cluster; inside a cluster `:pods` is that cluster's pods.
#[test]
fn pods_in_trouble_across_the_fleet() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "pods");
    assert!(on(&store, screens::trouble::ID, |_| true), "{:?}", store.ui.route());
    follow_scope(&mut store);
    let ranks: Vec<u8> = store.trouble.items().iter().map(|t| t.trouble.rank).collect();
    assert!(!ranks.is_empty() && ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    assert!(store.trouble.items()[0].trouble.why.contains("CrashLoopBackOff"));
    let screen = render(&store, 120, 30);
    assert!(screen.contains("pods in trouble · 2 clusters"), "{screen}");
    assert!(screen.contains("Pending: 0/5 nodes are available"), "{screen}");
    press(&mut store, Command::Open);
    let first = store.trouble.items()[0].pod.key.clone();
    assert!(on(&store, screens::pod::ID, |r| r.object.as_deref()
        == Some(first.as_str())));
    type_line(&mut store, Command::CommandLine, "eks platform-k8s");
    type_line(&mut store, Command::CommandLine, "pods");
    assert!(on(&store, screens::pods::ID, |_| true));
}

/// The entries of the timeline on screen.
fn timeline(store: &Store) -> Vec<bosun::domain::timeline::Entry> {
    store.timeline.entries.items().to_vec()
}

/// What changed: `w` at the fleet gathers every kind the demo's incident has, newest
/// first: the payments deployment, its tasks stopped (grouped by reason), the service
/// events that matter, the alarms going off, scaling, the crash-looping pods' warnings,
/// the Spot node group that could not grow and the degraded add-on; an action lands in it
/// as it ends. `kind:` filters, `enter` opens what an entry is about, `:timeline 6h`
/// looks further back, a source that fails is said beside the rest.
#[test]
fn the_timeline_of_what_changed() {
    use bosun::domain::timeline::Kind;
    let mut store = demo_store();
    press(&mut store, Command::Timeline);
    assert!(on(&store, screens::timeline::ID, |r| r.cluster.is_none()));
    follow_scope(&mut store);
    let entries = timeline(&store);
    let kinds: std::collections::BTreeSet<Kind> = entries.iter().map(|e| e.kind).collect();
    for kind in [
        Kind::Deploy,
        Kind::Tasks,
        Kind::Event,
        Kind::Scaling,
        Kind::Alarm,
        Kind::K8s,
        Kind::NodeGroup,
        Kind::Addon,
    ] {
        assert!(kinds.contains(&kind), "no {kind:?} in {entries:#?}");
    }
    assert!(entries.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    assert!(entries.iter().all(|e| e.at >= at() - SignedDuration::from_hours(1)));
    // Stopped tasks grouped: one entry per service and reason, counting all of them.
    let stopped = &store.cluster_data(PROD_WEB).unwrap().stopped;
    let since = at() - SignedDuration::from_hours(1);
    let oom = stopped
        .items()
        .iter()
        .filter(|t| t.service_name() == Some("payments") && t.reason_key().contains("OutOfMemoryError"))
        .filter(|t| t.stopped_at.or(t.stopping_at).is_some_and(|s| s >= since))
        .count();
    assert!(oom > 1);
    let grouped: Vec<_> = entries
        .iter()
        .filter(|e| e.kind == Kind::Tasks && e.resource == "payments" && e.what.contains("OutOfMemoryError"))
        .collect();
    assert_eq!(grouped.len(), 1, "{grouped:?}");
    assert!(
        grouped[0].what.starts_with(&format!("{oom} tasks stopped")),
        "{grouped:?}"
    );
    let alarm = entries
        .iter()
        .find(|e| e.kind == Kind::Alarm && e.resource == "payments-memory-high")
        .expect("the alarm going off");
    assert!(alarm.what.starts_with("OK → ALARM"), "{alarm:?}");
    let spot = entries.iter().find(|e| e.kind == Kind::NodeGroup).unwrap();
    assert!(
        spot.resource == "spot-b" && spot.what.contains("AsgInstanceLaunchFailures"),
        "{spot:?}"
    );
    let text = screen(&store, 120, 40);
    assert!(text.contains("fleet › timeline 1h"), "{text}");
    assert!(text.contains("deployment started: payments:"), "{text}");

    // kind: filters; enter on the grouped tasks opens payments' stopped tasks.
    type_line(&mut store, Command::Filter, "kind:alarm");
    let table = store.ui.page().table();
    assert!(table.rows.len() >= 2);
    assert!(table.rows.iter().all(|&i| entries[i as usize].kind == Kind::Alarm));
    press(&mut store, Command::Back);
    type_line(&mut store, Command::Filter, "OutOfMemoryError");
    press(&mut store, Command::Open);
    assert!(on(&store, screens::tasks::ID, |r| r
        .service
        .as_deref()
        .is_some_and(|s| s.ends_with("/payments"))));
    assert!(store.ui.page().alternate, "the stopped tasks");
    press(&mut store, Command::Back);
    press(&mut store, Command::Back);

    // An action lands in the timeline as it ends, with who sent it.
    let service = format!("{}/payments", PROD_WEB.replace(":cluster/", ":service/"));
    update(
        &mut store,
        Action::OpDone(bosun::domain::op::OpOutcome {
            id: 7,
            op: bosun::domain::op::Op::Scale {
                cluster: PROD_WEB.into(),
                service: service.clone(),
                from: 4,
                to: 6,
            },
            outcome: bosun::domain::op::Outcome::Done(bosun::domain::op::Applied {
                summary: "payments: desired 4 → 6".into(),
                deployment: None,
                tasks: vec![],
            }),
        }),
    );
    let action = timeline(&store)
        .into_iter()
        .find(|e| e.kind == Kind::Action)
        .expect("the action");
    assert_eq!(action.resource, "service payments");
    assert!(action.what.starts_with("OnCallEngineer/demo: scale"), "{action:?}");

    // Further back; a window it cannot read is refused in place.
    type_line(&mut store, Command::CommandLine, "timeline 6h");
    assert!(on(&store, screens::timeline::ID, |r| r.minutes == Some(360)));
    assert_eq!(store.ui.stack.len(), 2, "the window changes in place");
    assert!(screen(&store, 120, 40).contains("timeline 6h"));
    type_line(&mut store, Command::CommandLine, "timeline 3w");
    assert!(store.ui.message.as_ref().unwrap().text.contains("not a window"));

    // A source that fails is said beside what the rest brought.
    let before = timeline(&store).len();
    update(
        &mut store,
        Action::Data(DataEvent {
            fetch: Fetch::AlarmHistory {
                account: "shop-prod".into(),
                region: "us-east-1".into(),
            },
            at: at(),
            result: Err(FetchError::new(
                ErrorKind::Forbidden,
                "CloudWatch DescribeAlarmHistory in us-east-1 failed: AccessDenied",
            )),
            digest: None,
        }),
    );
    let text = screen(&store, 160, 40);
    assert!(
        text.contains("alarm history of shop-prod in us-east-1 not read: CloudWatch DescribeAlarmHistory"),
        "{text}"
    );
    assert_eq!(timeline(&store).len(), before, "the last good history stays");
}

/// `w` on a service is that service's timeline; `Y` copies its report, and on the
/// timeline the timeline's, as Markdown tables.
#[test]
fn a_service_timeline_and_its_report_copied() {
    use pulldown_cmark::{Event, Parser, Tag};
    let mut store = demo_store();
    press(&mut store, Command::Open);
    press(&mut store, Command::Timeline);
    assert!(on(&store, screens::timeline::ID, |r| r
        .service
        .as_deref()
        .is_some_and(|s| s.ends_with("/payments"))));
    follow_scope(&mut store);
    let entries = timeline(&store);
    assert!(!entries.is_empty());
    assert!(
        entries
            .iter()
            .all(|e| e.cluster.as_deref() == Some(PROD_WEB) && e.resource.starts_with("payments")),
        "{entries:#?}"
    );
    // The service's deployments as ECS records them: from which revision to which.
    assert!(
        entries
            .iter()
            .any(|e| e.what.starts_with("deployment started: payments:") && e.what.contains(" → payments:")),
        "{entries:#?}"
    );
    let copied = |effects: Vec<Effect>| {
        effects
            .into_iter()
            .find_map(|e| match e {
                Effect::Copy(text) => Some(text),
                _ => None,
            })
            .expect("copied")
    };
    let tables = |text: &str| {
        Parser::new_ext(text, pulldown_cmark::Options::ENABLE_TABLES)
            .filter(|e| matches!(e, Event::Start(Tag::Table(_))))
            .count()
    };
    let text = copied(press(&mut store, Command::CopyReport));
    assert!(
        text.starts_with("# What changed: us-east-1 › prod-web › payments"),
        "{text}"
    );
    assert_eq!(tables(&text), 1, "{text}");
    assert!(text.contains("OutOfMemoryError"), "{text}");
    press(&mut store, Command::Back);
    let text = copied(press(&mut store, Command::CopyReport));
    assert!(text.starts_with("# prod-web: incident report"), "{text}");
    assert!(text.contains("## Timeline"), "{text}");
    assert!(
        store
            .ui
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("copied the report of prod-web")
    );
}

/// Triage in three keys: from launch on the demo fleet, each question an incident starts
/// with is answered in at most three keystrokes (README, "Triage in three keys"). Each
/// sequence starts from a fresh launch; the data each screen asks for arrives between keys,
/// as it would.
#[test]
fn triage_in_three_keys() {
    use Command::*;
    /// One keystroke: a key of the keymap, or `enter` in a dialog.
    #[derive(Debug, Clone, Copy)]
    enum K {
        C(Command),
        Enter,
    }
    use K::{C, Enter};
    let answers: &[(&str, &[K], &[&str])] = &[
        (
            "which service is failing",
            &[C(Open)],
            &["services(prod-web)", "payments", "failing"],
        ),
        (
            "why its tasks stopped",
            &[C(Open), C(Open), C(ToggleStopped)],
            &["why they stopped", "OutOfMemoryError"],
        ),
        (
            "is it CPU or memory",
            &[C(Open), C(Metrics)],
            &["CPU", "Memory", "payments-memory-high"],
        ),
        (
            "are its targets healthy",
            &[C(Open), C(Targets)],
            &["payments-tg", "unhealthy"],
        ),
        (
            "what did autoscaling do",
            &[C(Open), C(Autoscaling)],
            &["Setting desired count to 4"],
        ),
        (
            "what do its logs say",
            &[C(Open), C(Logs)],
            &["/payments) [", "OutOfMemoryError"],
        ),
        (
            "what changed",
            &[C(Timeline)],
            &["timeline", "deployment started: payments", "OK → ALARM"],
        ),
        (
            "which pods crash-loop in any cluster",
            &[C(Trouble)],
            &["pods in trouble", "CrashLoopBackOff"],
        ),
        (
            "which node group is short",
            &[C(Down), C(Down), C(Open)],
            &["eks(platform-k8s)", "spot-b", "AsgInstanceLaunchFailures"],
        ),
        (
            "roll it back",
            &[C(Open), C(Rollback), Enter],
            &["Roll back payments", "payments:59 → payments:58", "y: send it"],
        ),
    ];
    for (question, keys, answer) in answers {
        assert!(keys.len() <= 3, "{question}: {} keys", keys.len());
        let mut store = demo_store();
        for key in *keys {
            match key {
                C(command) => press(&mut store, *command),
                Enter => update(&mut store, Action::Input(Input::Submit)),
            };
            // What a screen asks for can depend on what arrived (a log group on the task
            // definition, a family's revisions): a few rounds, as refreshes would bring.
            for _ in 0..3 {
                follow_scope(&mut store);
            }
        }
        let text = screen(&store, 160, 48);
        for words in *answer {
            assert!(text.contains(words), "{question}: no `{words}` after {keys:?}:\n{text}");
        }
    }
}

/// A service's deployments as ECS records them (`h`): newest first with what each went
/// from and to and its circuit breaker; `enter` shows what one changed (images, digests,
/// the task definition's diff); `X` on the one in progress confirms its rollback and sends
/// it once, and on a finished one says why not.
#[test]
fn deployment_history_and_stopping_one_in_progress() {
    use bosun::domain::op::Op;
    let mut store = demo_service("prod-web", "checkout");
    press(&mut store, Command::History);
    assert!(on(&store, screens::deployments::ID, |r| r
        .service
        .as_deref()
        .is_some_and(|s| s.ends_with("/checkout"))));
    follow_scope(&mut store);
    let rows = store.deployment_rows.entries.items().to_vec();
    assert!(rows.len() >= 2, "{rows:#?}");
    assert!(rows[0].ongoing(), "the rollout going on is first: {rows:#?}");
    assert!(
        rows[1..]
            .iter()
            .all(|d| d.status == "SUCCESSFUL" || d.status == "STOPPED")
    );
    let text = screen(&store, 120, 30);
    assert!(text.contains("deployments(checkout)"), "{text}");
    assert!(
        text.contains("in progress") && text.contains(&rows[0].change()),
        "{text}"
    );
    assert!(text.contains("0/3"), "the circuit breaker's count: {text}");

    // What the finished one before it changed.
    press(&mut store, Command::Down);
    press(&mut store, Command::Open);
    follow_scope(&mut store);
    let text = screen(&store, 140, 40);
    assert!(text.contains("What it changed"), "{text}");
    assert!(text.contains("digest of checkout"), "{text}");
    assert!(text.contains("Task definition: checkout:"), "{text}");
    // Finished: nothing to stop.
    let effects = press(&mut store, Command::StopTask);
    assert!(support::sent(effects).is_empty() && store.ui.dialog.is_none());
    assert!(
        store
            .ui
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("only one in progress can be stopped")
    );
    press(&mut store, Command::Back);

    // The one in progress: its rollback, confirmed with the exact change, sent once.
    press(&mut store, Command::Top);
    press(&mut store, Command::StopTask);
    let text = screen(&store, 120, 30);
    assert!(text.contains("Roll back the deployment of checkout"), "{text}");
    assert!(text.contains(&format!("({})", rows[0].change())), "{text}");
    let ops = support::sent(update(&mut store, Action::Input(Input::Char('y'))));
    assert!(
        matches!(ops.as_slice(), [Op::StopDeployment { deployment, .. }] if *deployment == rows[0].arn),
        "{ops:?}"
    );
    assert!(
        support::sent(update(&mut store, Action::Input(Input::Char('y')))).is_empty(),
        "sent twice"
    );

    // Where a service's tasks run, by its capacity provider strategy.
    type_line(&mut store, Command::CommandLine, "svc frontend");
    follow_scope(&mut store);
    let text = screen(&store, 160, 40);
    assert!(
        text.contains("Capacity running 4 on FARGATE, 4 on FARGATE_SPOT"),
        "{text}"
    );
}

/// The simulated fleet rolls a stopped deployment back as ECS does: the deployment says
/// so (with the revision it goes back to), the service runs that revision again, and a
/// second stop of a finished deployment is refused in ECS's words.
#[test]
fn the_demo_rolls_a_stopped_deployment_back() {
    use bosun::domain::op::Op;
    use bosun::ops::Operator;
    let backend = SimBackend::fixed(7, at());
    let rt = runtime();
    let checkout = format!("{}/checkout", PROD_WEB.replace(":cluster/", ":service/"));
    let history = |b: &SimBackend| match rt.block_on(bosun::source::Backend::fetch(
        b,
        &Fetch::ServiceDeployments {
            cluster: PROD_WEB.into(),
            service: checkout.clone(),
        },
    )) {
        Ok(bosun::domain::fetch::Payload::ServiceDeployments(h)) => *h,
        other => panic!("{other:?}"),
    };
    let before = history(&backend);
    let d = before.deployments[0].clone();
    assert!(d.ongoing(), "{d:?}");
    let back = d.from[0].task_definition.clone().unwrap();
    let op = |deployment: &str| Op::StopDeployment {
        cluster: PROD_WEB.into(),
        service: checkout.clone(),
        deployment: deployment.into(),
        change: d.change(),
        back_to: Some(back.clone()),
    };
    rt.block_on(backend.apply(&op(&d.arn), "t1")).unwrap();
    let after = history(&backend);
    let rolled = after.deployments.iter().find(|x| x.arn == d.arn).unwrap();
    assert_eq!(rolled.status, "ROLLBACK_IN_PROGRESS");
    assert_eq!(rolled.rollback.as_ref().unwrap().revision, d.from[0].arn);
    let services = match rt.block_on(bosun::source::Backend::fetch(&backend, &Fetch::services(PROD_WEB))) {
        Ok(bosun::domain::fetch::Payload::Services(s)) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        services.iter().find(|s| s.arn == checkout).unwrap().task_definition,
        back
    );
    let finished = after.deployments.iter().find(|x| !x.ongoing()).unwrap();
    match rt.block_on(backend.apply(&op(&finished.arn), "t2")) {
        Err(bosun::domain::op::WriteError::Rejected { message, .. }) => {
            assert!(message.starts_with("ConflictException"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

/// Scale-in protection: the demo's queue workers have two tasks protected, shown with the
/// time left; `P` protects another for the minutes typed (too many refused in the dialog)
/// and sends it once.
#[test]
fn task_scale_in_protection() {
    use bosun::domain::op::Op;
    let mut store = demo_service("prod-workers", "order-processor");
    follow_scope(&mut store);
    let text = screen(&store, 140, 40);
    assert!(text.contains("PROTECTED"), "{text}");
    assert_eq!(
        text.matches(" 1h30m").count(),
        2,
        "two tasks protected for 90 minutes:\n{text}"
    );
    press(&mut store, Command::NextPane);
    press(&mut store, Command::Bottom);
    press(&mut store, Command::Protect);
    let text = screen(&store, 120, 30);
    assert!(
        text.contains("Protect task from scale-in") && text.contains("not protected now"),
        "{text}"
    );
    update(&mut store, Action::Input(Input::DeleteWord));
    for c in "3000".chars() {
        update(&mut store, Action::Input(Input::Char(c)));
    }
    update(&mut store, Action::Input(Input::Submit));
    let error = store.ui.dialog.as_ref().unwrap().error.clone().unwrap_or_default();
    assert!(error.contains("at most 2880 minutes"), "{error}");
    update(&mut store, Action::Input(Input::DeleteWord));
    for c in "45".chars() {
        update(&mut store, Action::Input(Input::Char(c)));
    }
    update(&mut store, Action::Input(Input::Submit));
    assert!(screen(&store, 120, 30).contains("protect it from scale-in for 45 minutes"));
    let ops = support::sent(update(&mut store, Action::Input(Input::Char('y'))));
    assert!(
        matches!(ops.as_slice(), [Op::ProtectTask { minutes: 45, .. }]),
        "{ops:?}"
    );
}

/// Where a service's deployment history cannot be read, its current deployments are shown
/// and the pane says why.
#[test]
fn without_the_history_the_current_deployments_and_why() {
    let mut store = demo_service("prod-web", "checkout");
    press(&mut store, Command::History);
    let fetch = screens::deployments::history(store.ui.route());
    update(
        &mut store,
        Action::Data(DataEvent {
            fetch,
            at: at(),
            result: Err(FetchError::new(
                ErrorKind::Forbidden,
                "ECS ListServiceDeployments in us-east-1 failed: AccessDeniedException",
            )),
            digest: None,
        }),
    );
    let rows = store.deployment_rows.entries.items().to_vec();
    assert_eq!(rows.len(), 2, "the service's deployments[]: {rows:#?}");
    let text = screen(&store, 140, 30);
    assert!(text.contains("current only"), "{text}");
    assert!(
        text.contains("deployment history not read: ECS ListServiceDeployments in us-east-1 failed: AccessDenied"),
        "{text}"
    );
}

/// The demo's European checkout deploys blue/green through CodeDeploy: its task set stands
/// in for deployments on the service, `h` lists its CodeDeploy deployments (one stopped by
/// an alarm while the traffic shifted and rolled back), `enter` shows one's lifecycle
/// events, and a redeploy or rollback is refused before any dialog, as ECS would refuse it.
#[test]
fn a_code_deploy_service_in_the_demo() {
    let mut store = demo_service("eu-prod", "checkout-eu");
    follow_scope(&mut store);
    let text = screen(&store, 160, 40);
    assert!(text.contains("codedeploy (blue/green)"), "{text}");
    press(&mut store, Command::History);
    follow_scope(&mut store);
    let text = screen(&store, 160, 40);
    assert!(text.contains("deployments(checkout-eu) · by CodeDeploy [4]"), "{text}");
    let rows = store.deployment_rows.entries.items().to_vec();
    let stopped = rows
        .iter()
        .position(|d| d.code_deploy.as_ref().is_some_and(|c| c.status == "Stopped"))
        .expect("a stopped one");
    assert_eq!(rows[stopped].status, "ROLLBACK_SUCCESSFUL");
    assert!(text.contains("rollback of d-"), "{text}");
    for _ in 0..stopped {
        press(&mut store, Command::Down);
    }
    press(&mut store, Command::Open);
    follow_scope(&mut store);
    let text = screen(&store, 160, 40);
    assert!(
        text.contains("Config          ECSLinear10PercentEvery1Minutes"),
        "{text}"
    );
    assert!(text.contains("ALARM_ACTIVE"), "{text}");
    assert!(text.contains("allow traffic             failed"), "{text}");
    assert!(text.contains("after allow traffic       pending"), "{text}");
    // Stopped already: X says so and sends nothing.
    let effects = press(&mut store, Command::StopTask);
    assert!(support::sent(effects).is_empty() && store.ui.dialog.is_none());
    press(&mut store, Command::Back);
    press(&mut store, Command::Back);
    // The running task set is the newest deployment's (CodeDeploy names it in externalId).
    let route = store.ui.route().clone();
    let service = store
        .service(route.cluster_arn(), route.service.as_deref().unwrap_or_default())
        .unwrap();
    assert!(
        service.deployments[0]
            .rollout_reason
            .starts_with(&format!("task set {} ·", rows[0].arn)),
        "{:?}",
        service.deployments[0]
    );
    for command in [Command::Redeploy, Command::Rollback] {
        let effects = press(&mut store, command);
        assert!(support::sent(effects).is_empty() && store.ui.dialog.is_none());
        assert!(
            store
                .ui
                .message
                .as_ref()
                .unwrap()
                .text
                .contains("deploys through CodeDeploy")
        );
    }
}

/// The demo opens with a deployment of `recommendations` that the circuit breaker stopped
/// (three failed tasks of a threshold of three) and is rolling back; the service's timeline
/// says so.
#[test]
fn the_demo_has_a_circuit_breaker_rollback_in_progress() {
    let mut store = demo_service("prod-web", "recommendations");
    press(&mut store, Command::History);
    follow_scope(&mut store);
    let d = store.deployment_rows.entries.items()[0].clone();
    assert_eq!(d.status, "ROLLBACK_IN_PROGRESS");
    assert_eq!(d.breaker(), "3/3");
    assert!(d.rollback.is_some());
    let text = screen(&store, 160, 40);
    assert!(text.contains("rollback in progress") && text.contains("3/3"), "{text}");
    press(&mut store, Command::Back);
    press(&mut store, Command::Timeline);
    follow_scope(&mut store);
    assert!(
        store
            .timeline
            .entries
            .items()
            .iter()
            .any(|e| e.what.contains("deployment failed: tasks failed to start")),
        "{:#?}",
        store.timeline.entries.items()
    );
}

/// How a service is found by name: the demo's web services use Service Connect in their
/// cluster's namespace and register in Cloud Map; the service screen says how many of the
/// registered instances are healthy (the failing payments: not all).
#[test]
fn service_connect_and_cloud_map_in_the_demo() {
    let mut store = demo_service("prod-web", "payments");
    follow_scope(&mut store);
    let svc = store
        .service(
            PROD_WEB,
            &format!("{}/payments", PROD_WEB.replace(":cluster/", ":service/")),
        )
        .unwrap()
        .clone();
    let registry = svc.discovery.registries[0].clone();
    let instances = store.insight.cloud_map[&registry].value.clone().unwrap();
    let healthy = instances.iter().filter(|i| i.health == "HEALTHY").count();
    assert!(!instances.is_empty() && healthy < instances.len(), "{instances:?}");
    assert_eq!(
        svc.discovery.endpoints,
        ["http → payments · payments.prod-web.local:8443"]
    );
    let text = screen(&store, 220, 40);
    assert!(
        text.contains(&format!(
            "Connect  Cloud Map {healthy}/{} healthy · prod-web.local: http → payments",
            instances.len()
        )),
        "{text}"
    );
}

/// `B` on a past deployment of the history puts the service back on the service revision
/// that deployment deployed, confirmed with each field that changes; on the one it is on,
/// it says so.
#[test]
fn back_to_a_past_deployment() {
    use bosun::domain::op::Op;
    let mut store = demo_service("prod-web", "payments");
    press(&mut store, Command::History);
    follow_scope(&mut store);
    // The newest is what runs: nothing to go back to.
    press(&mut store, Command::Rollback);
    assert!(store.ui.dialog.is_none());
    let said = store.ui.message.as_ref().unwrap().text.clone();
    assert!(said.contains("on this revision already (payments:59)"), "{said}");
    // The one before: payments:58.
    press(&mut store, Command::Down);
    press(&mut store, Command::Rollback);
    let text = screen(&store, 120, 30);
    assert!(text.contains("Roll payments back to the deployment of"), "{text}");
    assert!(text.contains("back to service revision"), "{text}");
    assert!(text.contains("task definition: payments:59 → payments:58"), "{text}");
    let ops = support::sent(update(&mut store, Action::Input(Input::Char('y'))));
    assert!(
        matches!(ops.as_slice(), [Op::RestoreRevision { restore, .. }]
            if restore.task_definition.ends_with(":58") && restore.capacity_providers.is_none()),
        "{ops:?}"
    );
}

/// The sessions a key asks for.
fn sessions_of(effects: &[Effect]) -> Vec<bosun::domain::session::Request> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Session(r) => Some((**r).clone()),
            _ => None,
        })
        .collect()
}

fn answer(store: &mut Store, text: &str) -> Vec<Effect> {
    for _ in 0..40 {
        update(store, Action::Input(Input::Backspace));
    }
    for c in text.chars() {
        update(store, Action::Input(Input::Char(c)));
    }
    update(store, Action::Input(Input::Submit))
}

/// In the demo: a service without ECS Exec says so (and `E` turns it on, the change shown
/// exactly and sent once); a task with two containers asks which, refusing a name it does
/// not have; `:exec CONTAINER COMMAND`; `F` suggests the container's port and refuses what
/// is not ports; a forward is listed at once; read-only refuses both with nothing sent.
#[test]
fn exec_and_forward_from_the_demo_fleet() {
    use bosun::domain::op::Op;
    use bosun::domain::session::{Kind, Target};
    let mut store = demo_service("prod-workers", "ledger-batch");
    follow_scope(&mut store);
    let text = screen(&store, 140, 40);
    assert!(text.contains("ECS Exec off (E turns it on)"), "{text}");
    press(&mut store, Command::NextPane);
    let effects = press(&mut store, Command::Shell);
    assert!(sessions_of(&effects).is_empty());
    let message = store.ui.message.clone().unwrap().text;
    assert!(
        message.contains("started without ECS Exec") && message.contains("E on service ledger-batch"),
        "{message}"
    );
    press(&mut store, Command::EnableExec);
    let text = screen(&store, 120, 30);
    assert!(
        text.contains("Turn on ECS Exec for ledger-batch") && text.contains("enableExecuteCommand false → true"),
        "{text}"
    );
    assert!(text.contains("only tasks started after this"), "{text}");
    let ops = sent(update(&mut store, Action::Input(Input::Char('y'))));
    assert!(matches!(ops.as_slice(), [Op::EnableExec { .. }]), "{ops:?}");
    assert!(
        sent(update(&mut store, Action::Input(Input::Char('y')))).is_empty(),
        "sent once"
    );

    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, "svc payments");
    follow_scope(&mut store);
    press(&mut store, Command::NextPane);
    let effects = press(&mut store, Command::Shell);
    assert!(sessions_of(&effects).is_empty(), "a container is asked for first");
    let text = screen(&store, 120, 30);
    assert!(text.contains("container (payments, aws-appmesh-envoy)"), "{text}");
    answer(&mut store, "nginx");
    let error = store.ui.dialog.as_ref().unwrap().error.clone().unwrap_or_default();
    assert!(
        error.contains("`nginx` is not one of payments, aws-appmesh-envoy"),
        "{error}"
    );
    let asked = sessions_of(&answer(&mut store, "aws-appmesh-envoy"));
    let [request] = asked.as_slice() else {
        panic!("{asked:?}")
    };
    assert!(
        matches!(&request.target, Target::Ecs { container, runtime_id: Some(_), .. } if container == "aws-appmesh-envoy"),
        "{request:?}"
    );
    assert_eq!(
        request.kind,
        Kind::Shell {
            command: "/bin/sh".into()
        }
    );
    assert_eq!(request.account, "shop-prod");

    let asked = sessions_of(&type_line(
        &mut store,
        Command::CommandLine,
        "exec payments ls -la /app",
    ));
    let [request] = asked.as_slice() else {
        panic!("{asked:?}")
    };
    assert_eq!(request.target.container(), "payments");
    assert_eq!(
        request.kind,
        Kind::Shell {
            command: "ls -la /app".into()
        }
    );
    // How it ended reaches the timeline, as the audit log has it.
    update(
        &mut store,
        Action::SessionEnded {
            request: Box::new(request.clone()),
            result: Ok("exit 0".into()),
        },
    );
    let last = store.actions.last().unwrap();
    assert_eq!((last.action.as_str(), last.result.as_str()), ("exec", "ended"));
    assert!(last.target.contains("payments: ls -la /app"), "{}", last.target);
    assert!(store.ui.message.clone().unwrap().text.contains("ended (exit 0)"));

    press(&mut store, Command::Forward);
    let text = screen(&store, 120, 30);
    assert!(text.contains("Forward a local port to"), "{text}");
    answer(&mut store, "8443");
    let error = store.ui.dialog.as_ref().unwrap().error.clone().unwrap_or_default();
    assert!(error.contains("LOCAL:REMOTE"), "{error}");
    let asked = sessions_of(&answer(&mut store, "18443:db.internal:5432"));
    let [request] = asked.as_slice() else {
        panic!("{asked:?}")
    };
    let Kind::Forward(ports) = &request.kind else {
        panic!("{request:?}")
    };
    assert_eq!(
        (ports.local, ports.host.as_deref(), ports.remote),
        (18443, Some("db.internal"), 5432)
    );
    type_line(&mut store, Command::CommandLine, "forwards");
    let text = screen(&store, 120, 20);
    assert!(
        text.contains("127.0.0.1:18443") && text.contains("db.internal:5432") && text.contains("starting…"),
        "{text}"
    );
    // Listening, then a connection that cannot get through: said on its row.
    use bosun::domain::session::ForwardEvent;
    let mut row = store.forwards.items()[0].clone();
    row.listening = true;
    let id = row.id;
    update(&mut store, Action::Forward(ForwardEvent::Started(Box::new(row))));
    update(
        &mut store,
        Action::Forward(ForwardEvent::Problem {
            id,
            message: "the session plugin's port 40411: connection refused".into(),
        }),
    );
    let text = screen(&store, 200, 20);
    assert!(
        text.contains("listening · last connection: the session plugin's port 40411"),
        "{text}"
    );
    update(
        &mut store,
        Action::Forward(ForwardEvent::Traffic {
            id,
            sent: 10,
            received: 20,
            connections: 2,
        }),
    );
    let text = screen(&store, 200, 20);
    assert!(
        text.contains("listening") && !text.contains("last connection"),
        "an answer clears it: {text}"
    );
    press(&mut store, Command::Back);
    let asked = sessions_of(&type_line(&mut store, Command::CommandLine, "forward 18443:8443"));
    assert!(asked.is_empty(), "the same local port twice");
    assert!(
        store
            .ui
            .message
            .clone()
            .unwrap()
            .text
            .contains("local port 18443 already forwards")
    );

    // A HOST goes through an ECS task only: to a pod, refused before any session starts.
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "eks platform-k8s");
    type_line(&mut store, Command::CommandLine, "pods");
    follow_scope(&mut store);
    let asked = sessions_of(&type_line(&mut store, Command::CommandLine, "forward 15432:db:5432"));
    assert!(asked.is_empty());
    let message = store.ui.message.clone().unwrap().text;
    assert!(
        message.contains("is reached on its own ports: db is for a forward through an ECS task"),
        "{message}"
    );

    let mut store = demo_store();
    store.settings.read_only = Some("read-only mode (--read-only)".into());
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, "tasks");
    let mut effects = press(&mut store, Command::Shell);
    let message = store.ui.message.clone().unwrap().text;
    assert!(message.contains("exec refused: read-only mode"), "{message}");
    effects.extend(type_line(&mut store, Command::CommandLine, "forward 8080:80"));
    let message = store.ui.message.clone().unwrap().text;
    assert!(message.contains("forward refused: read-only mode"), "{message}");
    effects.extend(type_line(&mut store, Command::CommandLine, "exec"));
    assert!(
        sessions_of(&effects).is_empty(),
        "nothing reaches into a container in read-only mode"
    );
}

/// `:json` and `:yaml` on every kind of selection, in the demo: each AWS resource in AWS's
/// field names, each Kubernetes object as kubectl shows it; `/` keeps the lines that match;
/// `o` on it asks for the pager with the document.
#[test]
fn the_raw_resource_of_every_kind_of_selection() {
    let mut store = demo_store();
    let raw = |store: &mut Store, command: &str| -> String {
        type_line(store, Command::CommandLine, command);
        assert!(
            store.ui.route().is(screens::raw::ID),
            "{command}: {:?}",
            store.ui.message
        );
        follow_scope(store);
        let text = format!(
            "{}\n{}",
            screen(store, 160, 60),
            screens::raw::text(store).unwrap_or_default()
        );
        update(store, Action::Command(Command::Back));
        text
    };
    // Where to go (`:` commands, `/` filters), which form, what the document has.
    let cases: &[(&[&str], &str, &[&str])] = &[
        (&[], "json", &["\"clusterArn\"", "ECS DescribeClusters"]),
        (
            &["cluster prod-web"],
            "json",
            &["\"serviceArn\"", "\"deploymentConfiguration\""],
        ),
        (
            &["tasks"],
            "json",
            &["\"taskArn\"", "\"runtimeId\"", "\"managedAgents\""],
        ),
        (&[], "yaml", &["taskArn: arn:aws:ecs:"]),
        (
            &["taskdef"],
            "json",
            &["\"taskDefinitionArn\"", "\"containerDefinitions\""],
        ),
        (
            &["cluster prod-workers", "instances"],
            "json",
            &["\"containerInstanceArn\"", "\"registeredResources\""],
        ),
        (
            &["cluster prod-web", "svc payments", "targets"],
            "json",
            &["\"TargetGroupArn\""],
        ),
        (
            &["fleet", "/platform-k8s"],
            "json",
            &["EKS DescribeCluster", "\"version\""],
        ),
        (
            &["eks platform-k8s"],
            "json",
            &["EKS DescribeNodegroup", "\"nodegroupName\""],
        ),
        (
            &["pods"],
            "yaml",
            &["apiVersion: v1", "kind: Pod", "containerStatuses:"],
        ),
        (&["workloads"], "yaml", &["apiVersion: apps/v1", "replicas:"]),
        (&["nodes"], "yaml", &["kind: Node", "kubeletVersion"]),
        (&["configmaps"], "yaml", &["kind: ConfigMap"]),
        // A Secret's values masked.
        (&["secrets"], "yaml", &["kind: Secret", "hidden>"]),
        (
            &["apprunner"],
            "json",
            &["\"ServiceArn\"", "App Runner DescribeService"],
        ),
    ];
    follow_scope(&mut store);
    for (go, form, wanted) in cases {
        walk(&mut store, go);
        let text = raw(&mut store, form);
        for w in *wanted {
            assert!(text.contains(w), "{go:?} :{form}: no {w}\n{text}");
        }
        if go.iter().any(|g| g.starts_with('/')) {
            press(&mut store, Command::Back);
        }
    }

    // `/` keeps the lines that match, numbered; `o` pages the whole document.
    type_line(&mut store, Command::CommandLine, "fleet");
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, "tasks");
    type_line(&mut store, Command::CommandLine, "json");
    follow_scope(&mut store);
    type_line(&mut store, Command::Filter, "runtimeid");
    let text = screen(&store, 160, 30);
    assert!(
        text.contains("lines match /runtimeid") && !text.contains("\"taskArn\""),
        "{text}"
    );
    let effects = press(&mut store, Command::Raw);
    let paged = effects.iter().find_map(|e| match e {
        Effect::Page(text) => Some(text.clone()),
        _ => None,
    });
    assert!(paged.is_some_and(|t| t.contains("\"taskArn\"") && t.contains("\"runtimeId\"")));
}

/// `:json` / `:yaml` from every screen, on what it has selected, in the demo: each answers
/// with a document (never "select a resource first"), and every screen but the raw one
/// itself is visited.
#[test]
fn the_raw_resource_from_every_screen() {
    use std::collections::BTreeSet;
    let mut store = demo_store();
    follow_scope(&mut store);
    // Steps: a `:` command, `>` for enter, `/x` to filter; the form to ask for last.
    let paths: &[(&[&str], &str)] = &[
        (&[], "json"),
        (&["cluster prod-web"], "json"),
        (&["cluster prod-web", "tasks"], "json"),
        (&["cluster prod-web", "tasks", ">"], "json"),
        (&["cluster prod-web", "svc payments"], "json"),
        (&["cluster prod-web", "svc payments", "metrics"], "json"),
        (&["cluster prod-web", "svc payments", "autoscaling"], "json"),
        (&["cluster prod-web", "svc payments", "targets"], "json"),
        (&["cluster prod-web", "svc payments", "taskdef"], "json"),
        (&["cluster prod-web", "svc payments", "logs"], "json"),
        (&["cluster prod-web", "svc payments", "images"], "json"),
        (&["cluster prod-web", "svc recommendations", "history"], "json"),
        (&["cluster prod-web", "svc recommendations", "history", ">"], "json"),
        (&["cluster prod-web", "svc payments", "timeline"], "json"),
        (&["cluster prod-web", "repos"], "json"),
        (&["cluster prod-web", "schedules"], "json"),
        (&["cluster prod-workers", "instances"], "json"),
        (&["eks platform-k8s"], "json"),
        (&["eks platform-k8s", "nodes"], "yaml"),
        (&["eks platform-k8s", "pods"], "yaml"),
        (&["eks platform-k8s", "pods", ">"], "yaml"),
        (&["eks platform-k8s", "pods", ">", "logs"], "yaml"),
        (&["eks platform-k8s", "workloads"], "yaml"),
        (&["eks platform-k8s", "hpa"], "yaml"),
        (&["eks platform-k8s", "events"], "yaml"),
        (&["eks platform-k8s", "pvc"], "yaml"),
        (&["eks platform-k8s", "configmaps"], "yaml"),
        (&["eks platform-k8s", "configmaps", ">"], "yaml"),
        (&["eks platform-k8s", "kinds"], "yaml"),
        (&["pods"], "yaml"),
        (&["apprunner"], "json"),
        (&["apprunner", ">"], "json"),
        (&["apprunner", ">", "metrics"], "json"),
        (&["apprunner", ">", "logs"], "json"),
        (&["cluster prod-web", "tasks", "forward 18080:8080", "forwards"], "json"),
    ];
    let mut seen = BTreeSet::new();
    let mut failed = Vec::new();
    for (steps, form) in paths {
        type_line(&mut store, Command::CommandLine, "fleet");
        walk(&mut store, steps);
        let on = store.ui.route().screen;
        seen.insert(on.as_str());
        type_line(&mut store, Command::CommandLine, form);
        if !store.ui.route().is(screens::raw::ID) {
            failed.push(format!(
                "{steps:?} ({}): :{form} gave {:?}",
                on.as_str(),
                store.ui.message
            ));
            continue;
        }
        follow_scope(&mut store);
        if screens::raw::text(&store).is_none_or(|t| t.len() <= 20) {
            failed.push(format!(
                "{steps:?} ({}): no document\n{}",
                on.as_str(),
                screen(&store, 120, 30)
            ));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
    let all: BTreeSet<&str> = screens::ALL
        .iter()
        .map(|s| s.id().as_str())
        .filter(|id| *id != "raw")
        .collect();
    let missed: Vec<&&str> = all.difference(&seen).collect();
    assert!(missed.is_empty(), "screens not visited: {missed:?}");
}

/// In the demo, `notifications` is behind a Classic Load Balancer: `b` shows its registered
/// instances InService, matched to the service's tasks by instance; its charts ask for no
/// target group metrics.
#[test]
fn a_classic_load_balancer_in_the_demo() {
    let mut store = demo_service("prod-workers", "notifications");
    follow_scope(&mut store);
    let text = screen(&store, 200, 40);
    assert!(text.contains("notifications-clb → notifications:8080"), "{text}");
    press(&mut store, Command::Targets);
    follow_scope(&mut store);
    follow_scope(&mut store);
    let text = screen(&store, 160, 30);
    assert!(
        text.contains("Classic   notifications-clb") && text.contains("Classic Load Balancer"),
        "{text}"
    );
    assert!(text.contains("InService") && text.contains("0 OutOfService"), "{text}");
    assert!(
        text.contains("no task of it here"),
        "instances without its tasks are said plainly: {text}"
    );
    let matched = text
        .lines()
        .filter(|l| l.contains("InService") && l.contains("us-east-1"))
        .count();
    assert_eq!(matched, 2, "its two tasks, each on its instance: {text}");
}

/// Go somewhere as a person would: `/TEXT` filters, `>` opens the selection, anything else
/// is typed on the command line; what each screen shows is fetched before the next step.
fn walk(store: &mut Store, steps: &[&str]) {
    for step in steps {
        match *step {
            ">" => {
                press(store, Command::Open);
            }
            s if s.starts_with('/') => {
                type_line(store, Command::Filter, &s[1..]);
            }
            s => {
                type_line(store, Command::CommandLine, s);
            }
        }
        follow_scope(store);
    }
}
