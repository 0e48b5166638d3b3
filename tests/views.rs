//! Snapshots of every view, at 80x24 and 160x48, from the fixed-seed demo fleet.
//! Review changes to `tests/snapshots/` like code: they are what a person sees.

mod support;

use bosun::store::Store;
use bosun::ui::keymap::Command;
use support::*;

fn snap(name: &str, store: &Store) {
    for (w, h) in [(80, 24), (160, 48)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(store, w, h));
    }
}

#[test]
fn fleet() {
    snap("fleet", &demo_store());
}

#[test]
fn fleet_filtered() {
    let mut store = demo_store();
    type_line(&mut store, Command::Filter, "region:us-east");
    snap("fleet_filtered", &store);
}

/// Eight accounts, one whose sign-in expired: its own row, the fix on the border, the
/// header counting the accounts that answered.
#[test]
fn fleet_of_many_accounts() {
    let backend = bosun::source::sim::SimBackend::fixed_with_accounts(7, at(), 8);
    let store = runtime().block_on(bosun::app::headless::load(&backend, context(&backend)));
    snap("fleet_accounts", &store);
}

#[test]
fn services() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    snap("services", &store);
}

#[test]
fn service_rolling() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, "svc checkout");
    snap("service_rolling", &store);
}

#[test]
fn service_failing_with_tasks_focused() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, "svc payments");
    press(&mut store, Command::NextPane);
    snap("service_failing", &store);
}

#[test]
fn tasks_of_an_ec2_cluster() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-workers");
    type_line(&mut store, Command::CommandLine, "tasks");
    snap("tasks_ec2", &store);
}

#[test]
fn stopped_tasks() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, "stopped");
    snap("tasks_stopped", &store);
}

#[test]
fn stopped_task_detail() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, "stopped");
    type_line(&mut store, Command::Filter, "exit:137");
    press(&mut store, Command::Open);
    follow_scope(&mut store);
    snap("task_stopped", &store);
}

#[test]
fn help() {
    let mut store = demo_store();
    press(&mut store, Command::Help);
    snap("help", &store);
}

#[test]
fn command_line_with_completion() {
    let mut store = demo_store();
    press(&mut store, Command::CommandLine);
    for c in "cluster prod-w".chars() {
        bosun::app::update(&mut store, bosun::app::Action::Input(bosun::app::Input::Char(c)));
    }
    snap("command_line", &store);
}

#[test]
fn an_action_confirmation() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, "svc checkout");
    type_line(&mut store, Command::CommandLine, "scale 9");
    snap("confirm_scale", &store);
}

#[test]
fn a_refused_value_in_a_dialog() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, "svc checkout");
    type_line(&mut store, Command::CommandLine, "scale -2");
    snap("dialog_refused", &store);
}

#[test]
fn container_instances() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-workers");
    type_line(&mut store, Command::CommandLine, "instances");
    snap("instances", &store);
}

/// Open a view of a service, fetching what it asks for (twice: some views learn what else
/// to fetch from the first answers, like a load balancer's name for its metrics).
fn service_view(service: &str, key: Command) -> Store {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    type_line(&mut store, Command::CommandLine, &format!("svc {service}"));
    follow_scope(&mut store);
    press(&mut store, key);
    follow_scope(&mut store);
    follow_scope(&mut store);
    store
}

#[test]
fn metrics_charts() {
    snap("metrics", &service_view("payments", Command::Metrics));
}

#[test]
fn metrics_over_a_week() {
    let mut store = service_view("checkout", Command::Metrics);
    press(&mut store, Command::Window7d);
    follow_scope(&mut store);
    snap("metrics_week", &store);
}

#[test]
fn autoscaling() {
    snap("autoscaling", &service_view("frontend", Command::Autoscaling));
}

#[test]
fn load_balancer_targets() {
    snap("targets", &service_view("payments", Command::Targets));
}

#[test]
fn task_definition_and_its_diff() {
    let mut store = service_view("checkout", Command::TaskDefinition);
    snap("taskdef", &store);
    press(&mut store, Command::Compare);
    follow_scope(&mut store);
    snap("taskdef_diff", &store);
}

#[test]
fn container_logs() {
    snap("logs", &service_view("payments", Command::Logs));
}

#[test]
fn logs_of_another_driver_say_so() {
    snap("logs_firelens", &service_view("frontend", Command::Logs));
}

#[test]
fn ecr_images() {
    snap("images", &service_view("payments", Command::Images));
}

#[test]
fn services_with_sparklines() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-web");
    follow_scope(&mut store);
    snap("services_sparklines", &store);
}

#[test]
fn scheduled_tasks_and_repositories() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "cluster prod-workers");
    type_line(&mut store, Command::CommandLine, "schedules");
    follow_scope(&mut store);
    snap("schedules", &store);
    type_line(&mut store, Command::CommandLine, "repos");
    follow_scope(&mut store);
    snap("repositories", &store);
}

/// Open a Kubernetes screen of the demo EKS cluster and fetch what it shows.
fn kube_view(command: &str) -> Store {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "eks platform-k8s");
    follow_scope(&mut store);
    if !command.is_empty() {
        type_line(&mut store, Command::CommandLine, command);
        follow_scope(&mut store);
    }
    store
}

#[test]
fn eks_cluster_node_groups_fargate_addons() {
    snap("eks", &kube_view(""));
}

#[test]
fn pods_with_crash_loop_oom_and_pending() {
    snap("pods", &kube_view("pods"));
}

#[test]
fn pods_of_one_namespace() {
    let mut store = kube_view("pods");
    type_line(&mut store, Command::CommandLine, "ns shop");
    snap("pods_ns_shop", &store);
}

#[test]
fn nodes_with_requests_against_allocatable() {
    snap("nodes", &kube_view("nodes"));
}

#[test]
fn workloads_hpa_events_storage() {
    snap("workloads", &kube_view("workloads"));
    snap("hpa", &kube_view("hpa"));
    snap("events", &kube_view("events"));
    snap("pvc", &kube_view("pvc"));
}

#[test]
fn a_failing_pod_and_its_previous_log() {
    let mut store = kube_view("pods");
    type_line(&mut store, Command::Filter, "crashloop");
    press(&mut store, Command::Open);
    follow_scope(&mut store);
    snap("pod_crashloop", &store);
    press(&mut store, Command::Logs);
    press(&mut store, Command::ToggleStopped);
    follow_scope(&mut store);
    snap("pod_previous_log", &store);
}

/// Any kind through the one table (an Ingress and its ALB address), and one object whole:
/// a Service with the endpoints behind it, and a Secret whose values are hidden.
#[test]
fn any_kind_and_one_object() {
    snap("ingresses", &kube_view("ing"));
    let mut store = kube_view("svc");
    type_line(&mut store, Command::Filter, "checkout");
    press(&mut store, Command::Open);
    follow_scope(&mut store);
    snap("object_service", &store);
    let mut store = kube_view("secrets");
    type_line(&mut store, Command::Filter, "provider");
    press(&mut store, Command::Open);
    follow_scope(&mut store);
    let screen = render(&store, 160, 48);
    assert!(screen.contains("api-key: <16 bytes, hidden>"), "{screen}");
    assert!(!screen.contains("c2tfbGl2ZV9kZW1vX2tleQ"), "{screen}");
}

#[test]
fn pods_in_trouble_across_clusters() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "pods");
    follow_scope(&mut store);
    snap("trouble", &store);
}

#[test]
fn app_runner_list_and_one_service() {
    let mut store = demo_store();
    type_line(&mut store, Command::CommandLine, "apprunner");
    follow_scope(&mut store);
    snap("apprunner_list", &store);
    type_line(&mut store, Command::CommandLine, "apprunner internal-admin");
    follow_scope(&mut store);
    snap("apprunner_service", &store);
}

#[test]
fn deployment_history_with_a_rollback() {
    snap("deployments", &service_view("recommendations", Command::History));
}

#[test]
fn what_one_deployment_changed() {
    let mut store = service_view("recommendations", Command::History);
    press(&mut store, Command::Open);
    follow_scope(&mut store);
    snap("deployment", &store);
}

#[test]
fn the_fleet_timeline() {
    let mut store = demo_store();
    press(&mut store, Command::Timeline);
    follow_scope(&mut store);
    snap("timeline", &store);
}
