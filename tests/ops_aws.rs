//! Every action against moto through the real SDK clients: the change is read back with
//! the SDK, read-only mode refuses every kind of action with zero calls sent, every action
//! leaves a line in the audit log, and RunTask is idempotent for its client token.

mod support;

use std::sync::Arc;

use bosun::domain::fetch::{Fetch, Payload};
use bosun::domain::op::{Guard, Op, OpRequest, Outcome};
use bosun::domain::{LaunchType, Service, Task};
use bosun::ops::Operator;
use bosun::ops::audit::Audit;
use bosun::ops::executor::Executor;
use bosun::source::Backend;
use bosun::source::aws::AwsBackend;
use serde_json::Value;
use support::runtime;
use support::servers::{Moto, aws_backend};

const SMALL: &str = "arn:aws:ecs:us-east-1:123456789012:cluster/small";
const EC2: &str = "arn:aws:ecs:us-east-1:123456789012:cluster/ec2";

fn request(id: u64, op: Op) -> OpRequest {
    OpRequest {
        id,
        op,
        account: "test".into(),
        account_id: None,
        profile: "test".into(),
        identity: Some("arn:aws:iam::123456789012:user/oncall".into()),
    }
}

struct World {
    rt: tokio::runtime::Runtime,
    backend: Arc<AwsBackend>,
    seeded: Value,
    _moto: Moto,
}

impl World {
    fn new() -> World {
        let moto = Moto::start();
        let seeded = moto.seed("ops");
        let rt = runtime();
        let backend = Arc::new(rt.block_on(aws_backend(&moto.endpoint(), &["us-east-1"])));
        World {
            rt,
            backend,
            seeded,
            _moto: moto,
        }
    }

    fn services(&self, cluster: &str) -> Vec<Service> {
        match self.rt.block_on(self.backend.fetch(&Fetch::Services {
            cluster: cluster.into(),
        })) {
            Ok(Payload::Services(list)) => list,
            other => panic!("{other:?}"),
        }
    }

    fn service(&self, cluster: &str, name: &str) -> Service {
        self.services(cluster).into_iter().find(|s| s.name == name).unwrap()
    }

    fn tasks(&self, cluster: &str, stopped: bool) -> Vec<Task> {
        match self.rt.block_on(self.backend.fetch(&Fetch::Tasks {
            cluster: cluster.into(),
            stopped,
        })) {
            Ok(Payload::Tasks(list)) => list,
            other => panic!("{other:?}"),
        }
    }
}

fn every_kind_of_action(w: &World) -> Vec<Op> {
    let web = w.service(SMALL, "web");
    let task = w.tasks(SMALL, false)[0].arn.clone();
    let instance = w.seeded["instances"]["ec2"][0].as_str().unwrap().to_string();
    vec![
        Op::Scale {
            cluster: SMALL.into(),
            service: web.arn.clone(),
            from: 1,
            to: 3,
        },
        Op::SetTaskDefinition {
            cluster: SMALL.into(),
            service: web.arn.clone(),
            from: web.task_definition.clone(),
            to: w.seeded["revisions"]["web"][0].as_str().unwrap().into(),
            rollback: false,
        },
        Op::Redeploy {
            cluster: SMALL.into(),
            service: web.arn.clone(),
            task_definition: web.task_definition.clone(),
        },
        Op::StopTask {
            cluster: SMALL.into(),
            task,
            reason: "stuck on a bad node".into(),
        },
        Op::RunTask {
            cluster: SMALL.into(),
            task_definition: web.task_definition.clone(),
            count: 2,
            launch_type: LaunchType::Fargate,
            network: web.network.clone(),
            group: None,
        },
        Op::SetInstanceState {
            cluster: EC2.into(),
            instance,
            draining: true,
        },
        Op::SetScalingLimits {
            cluster: SMALL.into(),
            service: web.arn.clone(),
            from: None,
            min: 2,
            max: 8,
        },
    ]
}

#[test]
fn every_action_is_applied_and_reads_back() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    let audit_path = dir.path().join("state/bosun/audit.log");
    let executor = Executor::new(
        w.backend.clone(),
        Guard::default(),
        Some(Audit::open(&audit_path).unwrap()),
    );
    let before = w.service(SMALL, "web");
    let running_before = w.tasks(SMALL, false).len();
    let ops = every_kind_of_action(&w);
    for (n, op) in ops.iter().enumerate() {
        let outcome = w.rt.block_on(executor.execute(request(n as u64 + 1, op.clone())));
        assert!(
            outcome.outcome.applied().is_some(),
            "{}: {:?}",
            op.verb(),
            outcome.outcome
        );
    }

    let web = w.service(SMALL, "web");
    assert_eq!(web.desired, 3, "scale");
    assert!(
        web.task_definition.ends_with("task-definition/web:2"),
        "revision: {}",
        web.task_definition
    );
    let primary = web.primary().unwrap();
    assert_ne!(
        Some(primary.id.as_str()),
        before.primary().map(|d| d.id.as_str()),
        "redeploy made a new deployment"
    );

    let stopped = w.tasks(SMALL, true);
    let stop = match &ops[3] {
        Op::StopTask { task, .. } => task.clone(),
        _ => unreachable!(),
    };
    let stopped = stopped
        .iter()
        .find(|t| t.arn == stop)
        .expect("the stopped task is listed as stopped");
    assert_eq!(stopped.desired_status, "STOPPED");
    assert_eq!(stopped.stopped_reason.as_deref(), Some("stuck on a bad node"));

    assert_eq!(
        w.tasks(SMALL, false).len(),
        running_before - 1 + 2,
        "run task started two"
    );

    let instances = match w
        .rt
        .block_on(w.backend.fetch(&Fetch::ContainerInstances { cluster: EC2.into() }))
    {
        Ok(Payload::ContainerInstances(list)) => list,
        other => panic!("{other:?}"),
    };
    assert_eq!(instances[0].status, "DRAINING");

    let targets = support::servers::aws_json(
        &w._moto.endpoint(),
        &[
            "application-autoscaling",
            "describe-scalable-targets",
            "--service-namespace",
            "ecs",
        ],
    );
    let target = &targets["ScalableTargets"][0];
    assert_eq!(target["ResourceId"], "service/small/web");
    assert_eq!(
        (target["MinCapacity"].as_i64(), target["MaxCapacity"].as_i64()),
        (Some(2), Some(8))
    );

    // A failure is reported with the API's words, and audited too.
    let missing = Op::Scale {
        cluster: SMALL.into(),
        service: "nope".into(),
        from: 1,
        to: 2,
    };
    let outcome = w.rt.block_on(executor.execute(request(99, missing)));
    match outcome.outcome {
        Outcome::Rejected { code, message } => {
            assert_eq!(code, "ServiceNotFoundException");
            assert!(message.contains("ServiceNotFoundException"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    let log = std::fs::read_to_string(&audit_path).unwrap();
    let lines: Vec<Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), ops.len() + 1);
    for (line, op) in lines.iter().zip(&ops) {
        assert_eq!(line["result"], "ok", "{line}");
        assert_eq!(line["action"], op.verb());
        assert_eq!(line["identity"], "arn:aws:iam::123456789012:user/oncall");
        assert_eq!(line["profile"], "test");
        assert_eq!(line["region"], "us-east-1");
    }
    assert_eq!(lines[0]["parameters"]["to"], 3);
    assert_eq!(lines.last().unwrap()["result"], "rejected");
    assert_eq!(lines.last().unwrap()["code"], "ServiceNotFoundException");
    assert!(!log.contains("testing"), "no credentials in the audit log");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&audit_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn read_only_refuses_every_kind_of_action_with_no_call_sent() {
    let w = World::new();
    let ops = every_kind_of_action(&w);
    let dir = tempfile::tempdir().unwrap();
    let audit_path = dir.path().join("audit.log");
    let guard = Guard {
        read_only: Some("read-only mode (--read-only)".into()),
        ..Guard::default()
    };
    let executor = Executor::new(w.backend.clone(), guard, Some(Audit::open(&audit_path).unwrap()));
    w.backend.calls().reset();
    for (n, op) in ops.iter().enumerate() {
        let outcome = w.rt.block_on(executor.execute(request(n as u64, op.clone())));
        match outcome.outcome {
            Outcome::Refused { reason } => {
                assert!(reason.ends_with("refused: read-only mode (--read-only)"), "{reason}")
            }
            other => panic!("{}: {other:?}", op.verb()),
        }
    }
    assert!(
        w.backend.calls().by_operation().is_empty(),
        "calls sent: {:?}",
        w.backend.calls().by_operation()
    );
    let log = std::fs::read_to_string(&audit_path).unwrap();
    assert_eq!(log.lines().count(), ops.len());
    assert!(log.lines().all(|l| l.contains("\"result\":\"refused\"")));

    // Bad values are refused by the executor too, whatever the UI let through.
    let executor = Executor::new(w.backend.clone(), Guard::default(), None);
    let web = w.service(SMALL, "web");
    w.backend.calls().reset();
    let too_many = Op::Scale {
        cluster: SMALL.into(),
        service: web.arn,
        from: 1,
        to: 100_000,
    };
    assert!(matches!(
        w.rt.block_on(executor.execute(request(1, too_many))).outcome,
        Outcome::Refused { .. }
    ));
    assert!(w.backend.calls().by_operation().is_empty());
}

#[test]
fn run_task_is_sent_with_a_client_token_and_a_retry_starts_nothing_new() {
    let w = World::new();
    let web = w.service(SMALL, "web");
    let op = Op::RunTask {
        cluster: SMALL.into(),
        task_definition: web.task_definition.clone(),
        count: 1,
        launch_type: LaunchType::Fargate,
        network: web.network.clone(),
        group: None,
    };
    let before = w.tasks(SMALL, false).len();
    let first = w.rt.block_on(w.backend.apply(&op, "bosun-test-token-1")).unwrap();
    let again = w.rt.block_on(w.backend.apply(&op, "bosun-test-token-1")).unwrap();
    assert_eq!(first.tasks, again.tasks);
    assert_eq!(w.tasks(SMALL, false).len(), before + 1);
    let other = w.rt.block_on(w.backend.apply(&op, "bosun-test-token-2")).unwrap();
    assert_ne!(first.tasks, other.tasks);
    assert_eq!(w.tasks(SMALL, false).len(), before + 2);
}
