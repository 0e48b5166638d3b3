//! Snapshots of every view, at 80x24 and 160x48, from the fixed-seed demo fleet.
//! Review changes to `tests/snapshots/` like code: they are what a person sees.

mod support;

use bosun::config::keymap::Command;
use bosun::store::Store;
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
