//! How a write ends is a type, and the audit log records which: an ECS write and a
//! Kubernetes write whose connection drops after the request was sent are unanswered (the
//! change may have been made: here it was), not errors; a write that cannot connect was
//! not sent; a refusal carries the service's code.

mod support;

use std::sync::Arc;

use bosun::domain::op::{Guard, Op, OpRequest, Outcome};
use bosun::ops::audit::Audit;
use bosun::ops::executor::Executor;
use k8s_openapi::api::core::v1 as core;
use kube::Api;
use serde_json::{Value, json};
use support::servers::{FaultProxy, KubeServer, Moto, aws_backend, aws_backend_with_kube, aws_json, kubeconfig};

const REGION: &str = "us-east-1";
const SMALL: &str = "arn:aws:ecs:us-east-1:123456789012:cluster/small";
const EKS: &str = "arn:aws:eks:us-east-1:123456789012:cluster/platform";
const TOKEN: &str = "s3cret-test-token";

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

fn audit_lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn an_ecs_write_whose_connection_drops_after_sending_is_unknown_and_audited_so() {
    let moto = Moto::start();
    moto.seed("small");
    let faults = FaultProxy::start(&moto.endpoint());
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.log");
    support::runtime().block_on(async {
        let via_faults = Arc::new(aws_backend(&faults.endpoint(), &[REGION]).await);
        let executor = Executor::new(via_faults, Guard::default(), Some(Audit::open(&audit).unwrap()));
        let service = format!("arn:aws:ecs:{REGION}:123456789012:service/small/web");
        let desired = || {
            let out = aws_json(
                &moto.endpoint(),
                &[
                    "ecs",
                    "describe-services",
                    "--cluster",
                    "small",
                    "--services",
                    "web",
                    "--region",
                    REGION,
                ],
            );
            out["services"][0]["desiredCount"].as_u64().unwrap() as u32
        };
        let before = desired();

        // The request reaches moto, then the connection is reset before the answer.
        faults.set(json!({"reset_after": 1.0, "operations": ["ECS.UpdateService"]}));
        let scale = Op::Scale {
            cluster: SMALL.into(),
            service: service.clone(),
            from: before,
            to: before + 2,
        };
        let outcome = executor.execute(request(1, scale)).await;
        match &outcome.outcome {
            Outcome::Unanswered { message } => {
                assert!(message.contains("sent, but not answered"), "{message}");
                assert!(message.contains("it may have been applied"), "{message}");
            }
            other => panic!("expected an unknown outcome, got {other:?}"),
        }
        assert_eq!(faults.requests("ECS.UpdateService").len(), 1, "sent once");
        assert_eq!(desired(), before + 2, "the change was made, its answer lost");

        // Refused by the service: rejected, with its code; nothing changed.
        faults.calm();
        let missing = Op::Scale {
            cluster: SMALL.into(),
            service: format!("arn:aws:ecs:{REGION}:123456789012:service/small/nope"),
            from: 1,
            to: 2,
        };
        let outcome = executor.execute(request(2, missing)).await;
        assert!(
            matches!(&outcome.outcome, Outcome::Rejected { code, .. } if code == "ServiceNotFoundException"),
            "{:?}",
            outcome.outcome
        );
    });
    let lines = audit_lines(&audit);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["result"], "unknown", "{}", lines[0]);
    assert_eq!(lines[0]["action"], "scale");
    assert_eq!(lines[1]["result"], "rejected", "{}", lines[1]);
    assert_eq!(lines[1]["code"], "ServiceNotFoundException");
}

#[test]
fn a_kubernetes_write_whose_connection_drops_after_sending_is_unknown_and_one_that_cannot_connect_was_not_sent() {
    let moto = Moto::start();
    aws_json(
        &moto.endpoint(),
        &[
            "eks",
            "create-cluster",
            "--name",
            "platform",
            "--role-arn",
            "arn:aws:iam::123456789012:role/eks",
            "--resources-vpc-config",
            "subnetIds=subnet-1",
            "--region",
            REGION,
        ],
    );
    let kube = KubeServer::start(&["--token", TOKEN]);
    let faults = FaultProxy::start(&kube.endpoint());
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.log");
    let through_faults = kubeconfig(dir.path(), "platform", &faults.endpoint(), TOKEN);
    support::runtime().block_on(async {
        let backend = Arc::new(aws_backend_with_kube(&moto.endpoint(), &[REGION], &through_faults).await);
        let executor = Executor::new(backend, Guard::default(), Some(Audit::open(&audit).unwrap()));
        let direct_config = {
            let sub = dir.path().join("direct");
            std::fs::create_dir_all(&sub).unwrap();
            kubeconfig(&sub, "platform", &kube.endpoint(), TOKEN)
        };
        let config = kube::Config::from_custom_kubeconfig(
            kube::config::Kubeconfig::read_from(&direct_config).unwrap(),
            &Default::default(),
        )
        .await
        .unwrap();
        let nodes: Api<core::Node> = Api::all(kube::Client::try_from(config).unwrap());
        let node = nodes.list(&Default::default()).await.unwrap().items[0]
            .metadata
            .name
            .clone()
            .unwrap();

        // The PATCH reaches the API server, then the connection is reset.
        let patch = format!("HTTP.PATCH /api/v1/nodes/{node}");
        faults.set(json!({"reset_after": 1.0, "operations": [patch]}));
        let cordon = Op::Cordon {
            cluster: EKS.into(),
            node: node.clone(),
            cordon: true,
        };
        let outcome = executor.execute(request(1, cordon)).await;
        match &outcome.outcome {
            Outcome::Unanswered { message } => {
                assert!(message.contains("it may have been applied"), "{message}")
            }
            other => panic!("expected an unknown outcome, got {other:?}"),
        }
        assert_eq!(faults.requests(&patch).len(), 1, "sent once");
        let n = nodes.get(&node).await.unwrap();
        assert_eq!(
            n.spec.unwrap().unschedulable,
            Some(true),
            "the change was made, its answer lost"
        );
    });

    // An API server that cannot be reached: nothing was sent.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let nowhere = {
        let sub = dir.path().join("nowhere");
        std::fs::create_dir_all(&sub).unwrap();
        kubeconfig(&sub, "platform", &format!("http://127.0.0.1:{closed}"), TOKEN)
    };
    support::runtime().block_on(async {
        let backend = Arc::new(aws_backend_with_kube(&moto.endpoint(), &[REGION], &nowhere).await);
        let executor = Executor::new(backend, Guard::default(), Some(Audit::open(&audit).unwrap()));
        let uncordon = Op::Cordon {
            cluster: EKS.into(),
            node: "any".into(),
            cordon: false,
        };
        let outcome = executor.execute(request(2, uncordon)).await;
        assert!(
            matches!(outcome.outcome, Outcome::NotSent { .. }),
            "{:?}",
            outcome.outcome
        );
    });
    let lines = audit_lines(&audit);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["result"], "unknown", "{}", lines[0]);
    assert_eq!(lines[0]["action"], "cordon");
    assert_eq!(lines[1]["result"], "not_sent", "{}", lines[1]);
}
