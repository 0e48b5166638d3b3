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

    /// A service's deployment history, as the history screen fetches it.
    fn history(&self, cluster: &str, service: &str) -> bosun::domain::deploy::DeploymentHistory {
        match self.rt.block_on(self.backend.fetch(&Fetch::ServiceDeployments {
            cluster: cluster.into(),
            service: service.into(),
        })) {
            Ok(Payload::ServiceDeployments(h)) => *h,
            other => panic!("{other:?}"),
        }
    }

    /// The AWS CLI against this world's moto: its JSON answer.
    fn aws(&self, args: &[&str]) -> Value {
        support::servers::aws_json(&self._moto.endpoint(), args)
    }

    /// A Fargate service of two tasks of `td` in `small`, made with the AWS CLI (and
    /// `extra` arguments of create-service).
    fn create_service(&self, name: &str, td: &str, extra: &[&str]) -> Value {
        let mut args = vec![
            "ecs",
            "create-service",
            "--cluster",
            "small",
            "--service-name",
            name,
            "--task-definition",
            td,
            "--desired-count",
            "2",
            "--launch-type",
            "FARGATE",
        ];
        args.extend(extra);
        self.aws(&args)
    }

    /// UpdateService of `name` in `small` with the AWS CLI, with `args`.
    fn update_service(&self, name: &str, args: &[&str]) -> Value {
        let mut all = vec!["ecs", "update-service", "--cluster", "small", "--service", name];
        all.extend(args);
        self.aws(&all)
    }

    /// The VPC of the seeded subnets.
    fn vpc(&self) -> String {
        self.aws(&["ec2", "describe-subnets"])["Subnets"][0]["VpcId"]
            .as_str()
            .unwrap()
            .to_string()
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
    let another = w.tasks(SMALL, false)[1].arn.clone();
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
        Op::ProtectTask {
            cluster: SMALL.into(),
            task: another,
            minutes: 30,
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

    let protected = match &ops[7] {
        Op::ProtectTask { task, .. } => task.clone(),
        _ => unreachable!(),
    };
    let protection = match w.rt.block_on(w.backend.fetch(&Fetch::TaskProtection {
        cluster: SMALL.into(),
        tasks: vec![protected.clone()],
    })) {
        Ok(Payload::TaskProtection(list)) => list,
        other => panic!("{other:?}"),
    };
    let p = &protection[0];
    assert!(p.task == protected && p.enabled, "{p:?}");
    let left = p.expires.unwrap().duration_since(jiff::Timestamp::now()).as_mins();
    assert!((28..=30).contains(&left), "protected for 30 minutes: {left}");

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

/// A service's deployments from the test moto server's history (ListServiceDeployments,
/// DescribeServiceDeployments, DescribeServiceRevisions): the rollout configuration
/// DescribeServices carries, a deployment in progress with its circuit breaker's count,
/// what it changed revision against revision; then StopServiceDeployment rolls it back, a
/// finished one is refused with ECS's code, and `bosun snapshot deployments` prints it.
#[test]
fn deployment_history_and_a_rollback_against_moto() {
    use bosun::domain::deploy::changes;
    let w = World::new();
    let endpoint = w._moto.endpoint();
    // The circuit breaker with rollback, and an alarm: no deployment by itself.
    w.update_service(
        "web",
        &[
            "--deployment-configuration",
            "deploymentCircuitBreaker={enable=true,rollback=true},alarms={alarmNames=[web-5xx],enable=true,rollback=true},maximumPercent=200,minimumHealthyPercent=100",
        ],
    );
    let web = w.service(SMALL, "web");
    let history = |w: &World| w.history(SMALL, &web.arn);
    assert_eq!(history(&w).deployments.len(), 1);
    // Fargate Spot: a change of capacity providers needs a forced deployment.
    w.update_service(
        "web",
        &[
            "--force-new-deployment",
            "--capacity-provider-strategy",
            "capacityProvider=FARGATE,base=1,weight=1",
            "capacityProvider=FARGATE_SPOT,weight=3",
        ],
    );
    let web = w.service(SMALL, "web");
    assert_eq!(
        web.capacity_strategy,
        [("FARGATE".to_string(), 1, 1), ("FARGATE_SPOT".to_string(), 0, 3)]
    );
    assert_eq!(
        web.rollout.summary(),
        "rolling · circuit breaker with rollback · alarms web-5xx (rollback)"
    );
    let history = |w: &World| w.history(SMALL, &web.arn);
    let first = history(&w);
    assert_eq!(first.deployments.len(), 2, "{first:#?}");
    w._moto.control(
        "/_bosun/ecs/service-deployment",
        serde_json::json!({"serviceDeploymentArn": first.deployments[0].arn, "status": "SUCCESSFUL"}),
    );

    // A new revision: a deployment in progress, two tasks failed so far.
    let next = w.seeded["revisions"]["web"][0].as_str().unwrap().to_string();
    let executor = Executor::new(w.backend.clone(), Guard::default(), None);
    let deploy = Op::SetTaskDefinition {
        cluster: SMALL.into(),
        service: web.arn.clone(),
        from: web.task_definition.clone(),
        to: next.clone(),
        rollback: false,
    };
    let outcome = w.rt.block_on(executor.execute(request(1, deploy))).outcome;
    assert!(matches!(outcome, Outcome::Done(_)), "{outcome:?}");
    let ongoing = history(&w).deployments[0].clone();
    w._moto.control(
        "/_bosun/ecs/service-deployment",
        serde_json::json!({"serviceDeploymentArn": ongoing.arn, "failureCount": 2}),
    );
    let h = history(&w);
    let d = &h.deployments[0];
    assert_eq!(d.status, "IN_PROGRESS");
    assert!(d.ongoing());
    assert_eq!(
        d.change(),
        format!(
            "{} → {}",
            bosun::util::task_def_short(&web.task_definition),
            bosun::util::task_def_short(&next)
        )
    );
    let breaker = d.circuit_breaker.clone().unwrap();
    assert_eq!((breaker.status.as_str(), breaker.failures), ("MONITORING", 2));
    assert_eq!(d.breaker(), format!("2/{}", breaker.threshold));
    assert_eq!(d.alarms.as_ref().unwrap().names, ["web-5xx"]);
    let (from, to) = (
        h.revision(&d.from[0].arn).expect("the source revision described"),
        h.revision(&d.to.as_ref().unwrap().arn)
            .expect("the target revision described"),
    );
    let changed = changes(from, to);
    assert!(
        changed.iter().any(|(name, ..)| name == "task definition"),
        "{changed:?}"
    );
    assert!(to.images.iter().all(|(_, _, digest)| digest.is_some()), "{to:?}");

    // Stopped and rolled back: once, as ECS takes it; a finished one is refused.
    let stop = |deployment: &str| Op::StopDeployment {
        cluster: SMALL.into(),
        service: web.arn.clone(),
        deployment: deployment.into(),
        change: d.change(),
        back_to: from.task_definition.clone().into(),
    };
    let outcome = w.rt.block_on(executor.execute(request(2, stop(&d.arn)))).outcome;
    assert!(matches!(outcome, Outcome::Done(_)), "{outcome:?}");
    let after = history(&w);
    let stopped = after.deployments.iter().find(|x| x.arn == d.arn).unwrap();
    assert_eq!(stopped.status, "ROLLBACK_REQUESTED");
    assert_eq!(stopped.rollback.as_ref().unwrap().revision, from.arn);
    let done = after
        .deployments
        .iter()
        .find(|x| !x.ongoing())
        .expect("a finished deployment");
    match w.rt.block_on(executor.execute(request(3, stop(&done.arn)))).outcome {
        Outcome::Rejected { code, .. } => assert_eq!(code, "ConflictException"),
        other => panic!("{other:?}"),
    }

    // Protecting a task that is not there: ECS's failure reason, as the code.
    let bogus = Op::ProtectTask {
        cluster: SMALL.into(),
        task: "arn:aws:ecs:us-east-1:123456789012:task/small/0123456789abcdef0123456789abcdef".into(),
        minutes: 10,
    };
    match w.rt.block_on(executor.execute(request(4, bogus))).outcome {
        Outcome::Rejected { code, .. } => assert_eq!(code, "MISSING"),
        other => panic!("{other:?}"),
    }

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(["snapshot", "deployments", "--cluster", "small", "--service", "web"])
        .arg("--log-file")
        .arg(std::env::temp_dir().join("bosun-test-deployments.log"))
        .envs(support::servers::aws_env(&endpoint))
        .env("BOSUN_NO_APPRUNNER", "1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("rollback requested"), "{text}");
    assert!(text.contains(&format!("2/{}", breaker.threshold)), "{text}");
}

/// Going back to a whole service revision: after a deployment that changed the task
/// definition, the target group, the security group, the platform version and moved the
/// service to Fargate Spot, `B` on the deployment before sends one UpdateService with each
/// of them as the old revision had it (an empty strategy: back to the launch type); the
/// service reads back as it was, its newest deployment's revision equals the old one
/// field by field, and read-only refuses it with no call sent.
#[test]
fn a_whole_service_revision_goes_back_against_moto() {
    use bosun::domain::deploy::Restore;
    let w = World::new();
    let endpoint = w._moto.endpoint();
    let aws = |args: &[&str]| w.aws(args);
    let vpc = w.vpc();
    let subnet = aws(&["ec2", "describe-subnets"])["Subnets"][0]["SubnetId"]
        .as_str()
        .unwrap()
        .to_string();
    let group = |name: &str| {
        aws(&[
            "ec2",
            "create-security-group",
            "--group-name",
            name,
            "--description",
            name,
            "--vpc-id",
            &vpc,
        ])["GroupId"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (old_sg, new_sg) = (group("rev-old"), group("rev-new"));
    let (old_tg, new_tg) = (
        target_group(&endpoint, &vpc, "rev-old"),
        target_group(&endpoint, &vpc, "rev-new"),
    );
    let td = w.service(SMALL, "web").task_definition;
    let next = w.seeded["revisions"]["web"][0].as_str().unwrap().to_string();
    let container =
        aws(&["ecs", "describe-task-definition", "--task-definition", &td])["taskDefinition"]["containerDefinitions"]
            [0]["name"]
            .as_str()
            .unwrap()
            .to_string();
    let network =
        |sg: &str| format!("awsvpcConfiguration={{subnets=[{subnet}],securityGroups=[{sg}],assignPublicIp=DISABLED}}");
    let balancer = |tg: &str| format!("targetGroupArn={tg},containerName={container},containerPort=8080");
    w.create_service(
        "rev",
        &td,
        &[
            "--platform-version",
            "1.3.0",
            "--network-configuration",
            &network(&old_sg),
            "--load-balancers",
            &balancer(&old_tg),
        ],
    );
    w.update_service(
        "rev",
        &[
            "--task-definition",
            &next,
            "--platform-version",
            "1.4.0",
            "--network-configuration",
            &network(&new_sg),
            "--load-balancers",
            &balancer(&new_tg),
            "--force-new-deployment",
            "--capacity-provider-strategy",
            "capacityProvider=FARGATE_SPOT,weight=1",
        ],
    );
    let rev = w.service(SMALL, "rev");
    let history = w.history(SMALL, &rev.arn);
    assert_eq!(history.deployments.len(), 2, "{history:#?}");
    let current = history.current(&rev.task_definition).expect("the current revision");
    let before = history
        .revision(&history.deployments[1].to.as_ref().unwrap().arn)
        .expect("the first revision described")
        .clone();
    let restore = Restore::new(current, &before, "ROLLING").unwrap();
    let fields: Vec<&str> = restore.changes.iter().map(|(f, ..)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "task definition",
            "launch type",
            "platform version",
            "capacity providers",
            "load balancers",
            "network"
        ]
    );
    assert_eq!(restore.capacity_providers, Some(vec![]));
    assert_eq!(restore.platform_version.as_deref(), Some("1.3.0"));
    assert_eq!(
        restore.load_balancers.as_ref().map(|l| l[0].target_group_arn.clone()),
        Some(old_tg.clone())
    );
    assert_eq!(
        restore.network.as_ref().map(|n| n.security_groups.clone()),
        Some(vec![old_sg.clone()])
    );
    let op = Op::RestoreRevision {
        cluster: SMALL.into(),
        service: rev.arn.clone(),
        restore: Box::new(restore),
    };

    // Read-only: refused, nothing sent.
    let read_only = Executor::new(
        w.backend.clone(),
        Guard {
            read_only: Some("read-only mode (--read-only)".into()),
            ..Guard::default()
        },
        None,
    );
    w.backend.calls().reset();
    let outcome = w.rt.block_on(read_only.execute(request(1, op.clone()))).outcome;
    assert!(matches!(outcome, Outcome::Refused { .. }), "{outcome:?}");
    assert!(w.backend.calls().by_operation().is_empty());

    // Sent once, audited with the change.
    let dir = tempfile::tempdir().unwrap();
    let audit_path = dir.path().join("audit.log");
    let executor = Executor::new(
        w.backend.clone(),
        Guard::default(),
        Some(Audit::open(&audit_path).unwrap()),
    );
    let outcome = w.rt.block_on(executor.execute(request(2, op))).outcome;
    let applied = outcome.applied().cloned().unwrap_or_else(|| panic!("{outcome:?}"));
    assert!(applied.deployment.is_some(), "{applied:?}");
    assert_eq!(w.backend.calls().by_operation().get("ECS.UpdateService"), Some(&1));
    let log = std::fs::read_to_string(&audit_path).unwrap();
    let line: Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(line["action"], "restore revision");
    assert_eq!(line["result"], "ok");
    assert_eq!(
        line["parameters"]["restore"]["changes"].as_array().map(Vec::len),
        Some(6)
    );

    let back = w.service(SMALL, "rev");
    assert_eq!(back.task_definition, td);
    assert!(back.capacity_strategy.is_empty(), "{:?}", back.capacity_strategy);
    assert_eq!(back.launch_type, LaunchType::Fargate);
    assert_eq!(back.load_balancers[0].target_group_arn, old_tg);
    assert_eq!(back.network.as_ref().unwrap().security_groups, [old_sg]);
    let after = w.history(SMALL, &rev.arn);
    assert_eq!(after.deployments.len(), 3);
    let now = after.current(&back.task_definition).expect("the new current revision");
    assert_ne!(now.arn, before.arn, "a new revision");
    let mut same = now.clone();
    (same.arn, same.created_at) = (before.arn.clone(), before.created_at);
    assert_eq!(same, before, "the new revision is the old one, field by field");
    assert!(
        Restore::new(now, &before, "ROLLING").is_err(),
        "nothing left to put back"
    );
}

/// A CODE_DEPLOY service has no `deployments[]`: its task sets stand in for them (PRIMARY,
/// the computed desired count, running and pending, stabilizing until steady, its scale),
/// so its service screen is never blank.
#[test]
fn a_code_deploy_service_shows_its_task_sets() {
    let w = World::new();
    let endpoint = w._moto.endpoint();
    let td = w.service(SMALL, "web").task_definition;
    let created = w.create_service("blue", &td, &["--deployment-controller", "type=CODE_DEPLOY"]);
    let blue = w.service(SMALL, "blue");
    assert_eq!(blue.rollout.controller, "CODE_DEPLOY");
    let [set] = blue.deployments.as_slice() else {
        panic!("one task set: {:?} ({created})", blue.deployments)
    };
    assert_eq!(set.status, "PRIMARY");
    assert_eq!((set.desired, set.running), (2, 0));
    assert!(set.rollout_reason.starts_with("task set"), "{}", set.rollout_reason);
    assert!(set.rollout_reason.contains("scale 100"), "{}", set.rollout_reason);
    assert_eq!(
        set.rollout_state,
        bosun::domain::RolloutState::InProgress,
        "stabilizing"
    );

    // Its tasks come up: steady.
    let arn = support::servers::aws_json(
        &endpoint,
        &["ecs", "describe-task-sets", "--cluster", "small", "--service", "blue"],
    )["taskSets"][0]["taskSetArn"]
        .as_str()
        .unwrap()
        .to_string();
    w._moto.control(
        "/_bosun/ecs/task-set",
        serde_json::json!({"taskSetArn": arn, "runningCount": 2, "pendingCount": 0}),
    );
    let blue = w.service(SMALL, "blue");
    assert_eq!(blue.deployments[0].running, 2);
    assert_eq!(
        blue.deployments[0].rollout_state,
        bosun::domain::RolloutState::Completed
    );
    assert!(blue.deployments[0].rollout_reason.ends_with("steady state"));
}

/// Service Connect (as the service's deployments carry it) and a Cloud Map service it
/// registers in, with its instances' addresses and health: ListInstances and
/// GetInstancesHealthStatus against moto's Cloud Map.
#[test]
fn service_connect_and_cloud_map() {
    let w = World::new();
    let endpoint = w._moto.endpoint();
    let aws = |args: &[&str]| w.aws(args);
    aws(&["servicediscovery", "create-http-namespace", "--name", "shop.local"]);
    let namespace = aws(&["servicediscovery", "list-namespaces"])["Namespaces"][0].clone();
    let namespace_arn = namespace["Arn"].as_str().unwrap().to_string();
    let created = aws(&[
        "servicediscovery",
        "create-service",
        "--name",
        "web",
        "--namespace-id",
        namespace["Id"].as_str().unwrap(),
        "--health-check-custom-config",
        "FailureThreshold=1",
    ]);
    let (service_id, registry) = (
        created["Service"]["Id"].as_str().unwrap().to_string(),
        created["Service"]["Arn"].as_str().unwrap().to_string(),
    );
    for (id, ip) in [("a", "10.0.1.5"), ("b", "10.0.1.6")] {
        aws(&[
            "servicediscovery",
            "register-instance",
            "--service-id",
            &service_id,
            "--instance-id",
            id,
            "--attributes",
            &format!("AWS_INSTANCE_IPV4={ip},AWS_INSTANCE_PORT=8080"),
        ]);
    }
    let out = std::process::Command::new(support::servers::aws_cli())
        .args([
            "servicediscovery",
            "update-instance-custom-health-status",
            "--service-id",
            &service_id,
            "--instance-id",
            "b",
            "--status",
            "UNHEALTHY",
        ])
        .envs(support::servers::aws_env(&endpoint))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    w.update_service(
        "web",
        &[
            "--service-connect-configuration",
            &format!(
                "enabled=true,namespace={namespace_arn},services=[{{portName=http,discoveryName=web,clientAliases=[{{port=80,dnsName=web.internal}}]}}]"
            ),
            "--service-registries",
            &format!("registryArn={registry}"),
        ],
    );

    let web = w.service(SMALL, "web");
    assert_eq!(
        web.discovery.namespace.as_deref(),
        Some(bosun::util::arn_tail(&namespace_arn))
    );
    assert_eq!(web.discovery.endpoints, ["http → web · web.internal:80"]);
    assert_eq!(web.discovery.registries, std::slice::from_ref(&registry));
    let instances = match w.rt.block_on(w.backend.fetch(&Fetch::CloudMap { service: registry })) {
        Ok(Payload::CloudMap(list)) => list,
        other => panic!("{other:?}"),
    };
    let mut seen: Vec<(String, String, String)> = instances.into_iter().map(|i| (i.id, i.address, i.health)).collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("a".into(), "10.0.1.5:8080".into(), "HEALTHY".into()),
            ("b".into(), "10.0.1.6:8080".into(), "UNHEALTHY".into())
        ]
    );
}

/// An IP target group in `vpc`, made with the AWS CLI: its ARN.
fn target_group(endpoint: &str, vpc: &str, name: &str) -> String {
    support::servers::aws_json(
        endpoint,
        &[
            "elbv2",
            "create-target-group",
            "--name",
            name,
            "--protocol",
            "HTTP",
            "--port",
            "8080",
            "--vpc-id",
            vpc,
            "--target-type",
            "ip",
        ],
    )["TargetGroups"][0]["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A CODE_DEPLOY service's blue/green through CodeDeploy, against the test moto server's
/// CodeDeploy: the deployment found from the green task set's external ID, in progress with
/// its stage, traffic and lifecycle events; `X` stops it and rolls it back (StopDeployment),
/// after which the deployment group is found by its ECS service (the green task set, and
/// with it the ID, is gone); a finished one is refused with CodeDeploy's code; `bosun
/// snapshot deployments` prints it.
#[test]
fn a_code_deploy_blue_green_against_moto() {
    let w = World::new();
    let endpoint = w._moto.endpoint();
    let aws = |args: &[&str]| w.aws(args);
    let vpc = w.vpc();
    let blue_tg = target_group(&endpoint, &vpc, "shop-blue");
    target_group(&endpoint, &vpc, "shop-green");
    let td = w.service(SMALL, "web").task_definition;
    let next = w.seeded["revisions"]["web"][0].as_str().unwrap().to_string();
    w.create_service(
        "shop",
        &td,
        &[
            "--deployment-controller",
            "type=CODE_DEPLOY",
            "--load-balancers",
            &format!("targetGroupArn={blue_tg},containerName=web,containerPort=8080"),
        ],
    );
    aws(&[
        "deploy",
        "create-application",
        "--application-name",
        "shop",
        "--compute-platform",
        "ECS",
    ]);
    aws(&[
        "deploy",
        "create-deployment-group",
        "--application-name",
        "shop",
        "--deployment-group-name",
        "shop-bg",
        "--service-role-arn",
        "arn:aws:iam::123456789012:role/codedeploy",
        "--deployment-config-name",
        "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        "--ecs-services",
        "serviceName=shop,clusterName=small",
        "--load-balancer-info",
        r#"{"targetGroupPairInfoList":[{"targetGroups":[{"name":"shop-blue"},{"name":"shop-green"}],"prodTrafficRoute":{"listenerArns":[]}}]}"#,
        "--deployment-style",
        "deploymentType=BLUE_GREEN,deploymentOption=WITH_TRAFFIC_CONTROL",
    ]);
    let appspec = format!(
        "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        \
         TaskDefinition: \"{next}\"\n        LoadBalancerInfo:\n          ContainerName: web\n          ContainerPort: 8080\n"
    );
    let revision = serde_json::json!({"revisionType": "AppSpecContent", "appSpecContent": {"content": appspec}});
    let id = aws(&[
        "deploy",
        "create-deployment",
        "--application-name",
        "shop",
        "--deployment-group-name",
        "shop-bg",
        "--revision",
        &revision.to_string(),
    ])["deploymentId"]
        .as_str()
        .unwrap()
        .to_string();
    w._moto.control(
        "/_bosun/codedeploy/deployment",
        serde_json::json!({
            "deploymentId": id, "status": "InProgress", "trafficWeight": 30, "greenRunningCount": 2,
            "lifecycleEvents": {"BeforeInstall": "Succeeded", "Install": "Succeeded", "AfterInstall": "Succeeded",
                                "AllowTestTraffic": "Succeeded", "AfterAllowTestTraffic": "Succeeded",
                                "BeforeAllowTraffic": "Succeeded", "AllowTraffic": "InProgress"}}),
    );
    let shop = w.service(SMALL, "shop");
    let history = |w: &World| w.history(SMALL, &shop.arn);
    let h = history(&w);
    let [d] = h.deployments.as_slice() else {
        panic!("one CodeDeploy deployment: {h:#?}")
    };
    let cd = d.code_deploy.as_ref().expect("CodeDeploy's own account of it");
    assert_eq!((d.arn.as_str(), d.status.as_str()), (id.as_str(), "IN_PROGRESS"));
    assert!(d.ongoing());
    assert_eq!(
        (cd.status.as_str(), cd.application.as_str(), cd.group.as_str()),
        ("InProgress", "shop", "shop-bg")
    );
    assert_eq!(cd.config, "CodeDeployDefault.ECSLinear10PercentEvery1Minutes");
    assert_eq!(d.stage.as_deref(), Some("AllowTraffic"));
    assert_eq!(
        bosun::domain::deploy::traffic_text(&d.traffic),
        "blue shop-blue 70% · green shop-green 30%"
    );
    assert_eq!(
        d.change(),
        format!(
            "{} → {}",
            bosun::util::task_def_short(&td),
            bosun::util::task_def_short(&next)
        )
    );
    assert_eq!(d.to.as_ref().map(|t| (t.running, t.requested)), Some((2, 2)));
    let events: Vec<(&str, &str)> = cd.events.iter().map(|e| (e.name.as_str(), e.status.as_str())).collect();
    assert_eq!(events.len(), 8, "{events:?}");
    assert_eq!(events[6], ("AllowTraffic", "InProgress"));
    assert_eq!(events[7], ("AfterAllowTraffic", "Pending"));

    // X: stopped and rolled back through CodeDeploy, once.
    let executor = Executor::new(w.backend.clone(), Guard::default(), None);
    let stop = |deployment: &str| Op::StopDeployment {
        cluster: SMALL.into(),
        service: shop.arn.clone(),
        deployment: deployment.into(),
        change: d.change(),
        back_to: Some(td.clone()),
    };
    let outcome = w.rt.block_on(executor.execute(request(1, stop(&id)))).outcome;
    assert!(matches!(outcome, Outcome::Done(_)), "{outcome:?}");
    let after = history(&w);
    let stopped = after
        .deployments
        .iter()
        .find(|x| x.arn == id)
        .expect("found by its group");
    let cd = stopped.code_deploy.as_ref().unwrap();
    assert_eq!(
        (cd.status.as_str(), stopped.status.as_str()),
        ("Stopped", "ROLLBACK_SUCCESSFUL")
    );
    let back = cd.rolled_back_by.clone().expect("the rollback deployment");
    let rollback = after.deployments.iter().find(|x| x.arn == back).expect("listed too");
    assert_eq!(
        rollback.code_deploy.as_ref().and_then(|c| c.rollback_of.clone()),
        Some(id.clone())
    );
    assert!(stopped.traffic.is_empty(), "no traffic once it ended");
    match w.rt.block_on(executor.execute(request(2, stop(&id)))).outcome {
        Outcome::Rejected { code, .. } => assert_eq!(code, "DeploymentAlreadyCompletedException"),
        other => panic!("{other:?}"),
    }

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args([
            "snapshot",
            "deployments",
            "--cluster",
            "small",
            "--service",
            "shop",
            "--format",
            "json",
        ])
        .arg("--log-file")
        .arg(std::env::temp_dir().join("bosun-test-codedeploy.log"))
        .envs(support::servers::aws_env(&endpoint))
        .env("BOSUN_NO_APPRUNNER", "1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = json.as_array().expect("rows");
    assert!(
        rows.iter()
            .any(|r| r["arn"] == id.as_str() && r["code_deploy"]["status"] == "Stopped"),
        "{json:#}"
    );
}

/// An ECS blue/green in progress: how far its traffic has shifted, from the weights of the
/// production listener rule its load balancer names (DescribeRules).
#[test]
fn an_ecs_blue_green_shows_its_traffic_shift() {
    let w = World::new();
    let endpoint = w._moto.endpoint();
    let aws = |args: &[&str]| w.aws(args);
    let vpc = w.vpc();
    let subnets: Vec<String> = aws(&["ec2", "describe-subnets"])["Subnets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["SubnetId"].as_str().map(str::to_string))
        .collect();
    let mut args = vec!["elbv2", "create-load-balancer", "--name", "bg-front", "--subnets"];
    args.extend(subnets.iter().map(String::as_str));
    let lb = aws(&args)["LoadBalancers"][0]["LoadBalancerArn"]
        .as_str()
        .unwrap()
        .to_string();
    let (blue, green) = (
        target_group(&endpoint, &vpc, "web-blue"),
        target_group(&endpoint, &vpc, "web-green"),
    );
    let listener = aws(&[
        "elbv2",
        "create-listener",
        "--load-balancer-arn",
        &lb,
        "--protocol",
        "HTTP",
        "--port",
        "80",
        "--default-actions",
        &format!("Type=forward,TargetGroupArn={blue}"),
    ])["Listeners"][0]["ListenerArn"]
        .as_str()
        .unwrap()
        .to_string();
    let rule = aws(&[
        "elbv2",
        "create-rule",
        "--listener-arn",
        &listener,
        "--priority",
        "1",
        "--conditions",
        "Field=path-pattern,Values=/*",
        "--actions",
        &serde_json::json!([{"Type": "forward", "ForwardConfig": {"TargetGroups": [
            {"TargetGroupArn": blue, "Weight": 80}, {"TargetGroupArn": green, "Weight": 20}]}}])
        .to_string(),
    ])["Rules"][0]["RuleArn"]
        .as_str()
        .unwrap()
        .to_string();
    let web = w.service(SMALL, "web");
    let next = w.seeded["revisions"]["web"][0].as_str().unwrap().to_string();
    let lbs = serde_json::json!([{"targetGroupArn": blue, "containerName": "web", "containerPort": 8080,
        "advancedConfiguration": {"alternateTargetGroupArn": green, "productionListenerRule": rule,
                                  "roleArn": "arn:aws:iam::123456789012:role/ecs-bg"}}]);
    w.update_service(
        "web",
        &[
            "--task-definition",
            &next,
            "--load-balancers",
            &lbs.to_string(),
            "--deployment-configuration",
            "strategy=BLUE_GREEN,bakeTimeInMinutes=5",
        ],
    );
    let history = w.history(SMALL, &web.arn);
    let ongoing = history
        .deployments
        .iter()
        .find(|d| d.ongoing())
        .expect("one in progress");
    assert_eq!(
        bosun::domain::deploy::traffic_text(&ongoing.traffic),
        "web-blue 80% · web-green 20%"
    );
    assert!(
        history
            .deployments
            .iter()
            .filter(|d| !d.ongoing())
            .all(|d| d.traffic.is_empty()),
        "only the one going on"
    );
}
