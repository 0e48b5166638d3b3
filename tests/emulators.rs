//! The emulators themselves, checked through the clients that define the wire formats
//! (boto3 with botocore's service models, the AWS CLI, aiohttp): what each adds to moto or
//! emulates on its own answers as the AWS or Kubernetes API reference says. Each selftest
//! starts its own servers on free 127.0.0.1 ports and prints `N passed, M failed`.

mod support;

use std::process::Command;

use support::servers::{python, repo};

fn selftest(script: &str) {
    let out = Command::new(python())
        .arg(repo().join("tests/servers").join(script))
        .current_dir(repo().join("tests/servers"))
        .output()
        .unwrap_or_else(|e| panic!("run {script}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default().to_string();
    assert!(
        out.status.success() && last.ends_with(" 0 failed"),
        "{script}: {last}\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{script}: {last}");
}

#[test]
fn moto_with_ecs_exec_and_ssm_sessions() {
    selftest("selftest_moto_exec.py");
}

#[test]
fn moto_with_deployment_history_protection_and_alarm_history() {
    selftest("selftest_moto_deploy.py");
}

#[test]
fn the_app_runner_emulator() {
    selftest("selftest_apprunner.py");
}

#[test]
fn the_kubernetes_emulator() {
    selftest("selftest_kube.py");
}
