//! EKS against moto, and Kubernetes against the API emulator, through the network: node
//! groups and Fargate profiles as the aws CLI lists them; list then watch; a 410 re-list;
//! every Kubernetes action read back; 401, 403 and an unreachable API server.

mod support;

use std::time::Duration;

use bosun::domain::ErrorKind;
use bosun::domain::FetchError;
use bosun::domain::fetch::{Fetch, Payload};
use bosun::domain::kube::{KubeKind, Pod, WorkloadKind};
use bosun::domain::op::{Op, WriteError};
use bosun::ops::Operator;
use bosun::source::Backend;
use bosun::store::kube::KubeData;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1 as core;
use kube::Api;
use std::sync::Arc;
use support::servers::{
    KubeServer, Moto, aws_backend, aws_backend_with_eks_token, aws_backend_with_kube, aws_json, kubeconfig,
};

const REGION: &str = "us-east-1";
const CLUSTER: &str = "arn:aws:eks:us-east-1:123456789012:cluster/platform";
const TOKEN: &str = "s3cret-test-token";

/// An EKS cluster in moto with a node group and a Fargate profile.
fn seed_eks(moto: &Moto) {
    let e = moto.endpoint();
    let role = "arn:aws:iam::123456789012:role/eks";
    aws_json(
        &e,
        &[
            "eks",
            "create-cluster",
            "--name",
            "platform",
            "--role-arn",
            role,
            "--resources-vpc-config",
            "subnetIds=subnet-1,subnet-2",
            "--region",
            REGION,
        ],
    );
    aws_json(
        &e,
        &[
            "eks",
            "create-nodegroup",
            "--cluster-name",
            "platform",
            "--nodegroup-name",
            "general",
            "--node-role",
            role,
            "--subnets",
            "subnet-1",
            "--scaling-config",
            "minSize=1,maxSize=4,desiredSize=2",
            "--capacity-type",
            "SPOT",
            "--instance-types",
            "m6i.large",
            "m5.large",
            "--region",
            REGION,
        ],
    );
    aws_json(
        &e,
        &[
            "eks",
            "create-fargate-profile",
            "--cluster-name",
            "platform",
            "--fargate-profile-name",
            "batch",
            "--pod-execution-role-arn",
            role,
            "--selectors",
            "namespace=batch",
            "--region",
            REGION,
        ],
    );
}

/// moto with the EKS cluster, the Kubernetes emulator that takes [`TOKEN`], and a
/// kubeconfig for it in a directory of the test's own.
struct Emulators {
    moto: Moto,
    kube: KubeServer,
    dir: tempfile::TempDir,
    config: std::path::PathBuf,
}

fn emulators() -> Emulators {
    let moto = Moto::start();
    seed_eks(&moto);
    let kube = KubeServer::start(&["--token", TOKEN]);
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), "platform", &kube.endpoint(), TOKEN);
    Emulators {
        moto,
        kube,
        dir,
        config,
    }
}

fn kube_fetch(kind: KubeKind) -> Fetch {
    Fetch::Kube {
        cluster: CLUSTER.into(),
        kind,
    }
}

/// Read what changed in `kind` and apply it as the app's store does, to what earlier reads
/// of the same backend gave: a read returns only what changed since the last one.
async fn read(backend: &dyn Backend, kind: KubeKind) -> Result<KubeData, FetchError> {
    static HELD: std::sync::Mutex<Vec<(usize, KubeData)>> = std::sync::Mutex::new(Vec::new());
    let changes = match backend.fetch(&kube_fetch(kind)).await? {
        Payload::Kube(changes) => changes,
        other => panic!("{kind:?}: {other:?}"),
    };
    let id = backend as *const dyn Backend as *const () as usize;
    let mut held = HELD.lock().unwrap();
    if !held.iter().any(|(b, _)| *b == id) {
        held.push((id, KubeData::default()));
    }
    let data = &mut held.iter_mut().find(|(b, _)| *b == id).unwrap().1;
    data.apply(changes, jiff::Timestamp::now());
    Ok(data.clone())
}

async fn pods(backend: &dyn Backend) -> Vec<Arc<Pod>> {
    match read(backend, KubeKind::Pods).await {
        Ok(data) => data.pods.items().to_vec(),
        Err(e) => panic!("pods: {e}"),
    }
}

/// A client of our own for reading back, straight from the kubeconfig.
async fn reader(config: &std::path::Path) -> kube::Client {
    let kc = kube::config::Kubeconfig::read_from(config).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    kube::Client::try_from(config).unwrap()
}

/// Poll `check` until it holds (the watch delivers changes asynchronously).
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} never happened");
}

#[test]
fn node_groups_and_fargate_profiles_match_the_aws_cli() {
    let moto = Moto::start();
    seed_eks(&moto);
    let cli = aws_json(
        &moto.endpoint(),
        &[
            "eks",
            "describe-nodegroup",
            "--cluster-name",
            "platform",
            "--nodegroup-name",
            "general",
            "--region",
            REGION,
        ],
    );
    support::runtime().block_on(async {
        let backend = aws_backend(&moto.endpoint(), &[REGION]).await;
        let Ok(Payload::EksClusters(clusters)) = backend
            .fetch(&Fetch::EksClusters {
                account: "test".into(),
                region: REGION.into(),
            })
            .await
        else {
            panic!("eks clusters")
        };
        assert_eq!(clusters.len(), 1);
        assert_eq!(clusters[0].arn, CLUSTER);
        let Ok(Payload::NodeGroups(groups)) = backend
            .fetch(&Fetch::NodeGroups {
                cluster: CLUSTER.into(),
            })
            .await
        else {
            panic!("node groups")
        };
        assert_eq!(groups.len(), 1);
        let g = &groups[0];
        let ng = &cli["nodegroup"];
        assert_eq!(g.name, ng["nodegroupName"].as_str().unwrap());
        assert_eq!(g.capacity_type, "SPOT");
        assert_eq!(g.instance_types, vec!["m6i.large", "m5.large"]);
        assert_eq!((g.min, g.desired, g.max), (1, 2, 4));
        assert_eq!(g.status, ng["status"].as_str().unwrap());
        let Ok(Payload::FargateProfiles(profiles)) = backend
            .fetch(&Fetch::FargateProfiles {
                cluster: CLUSTER.into(),
            })
            .await
        else {
            panic!("fargate profiles")
        };
        assert_eq!(profiles.len(), 1);
        assert_eq!(profiles[0].selectors, vec!["namespace=batch"]);

        // Resizing a node group reads back through the aws CLI.
        let op = Op::SetNodeGroupSize {
            cluster: CLUSTER.into(),
            nodegroup: "general".into(),
            from: (1, 2, 4),
            to: (2, 3, 6),
        };
        backend.apply(&op, "t").await.expect("resize");
    });
    let after = aws_json(
        &moto.endpoint(),
        &[
            "eks",
            "describe-nodegroup",
            "--cluster-name",
            "platform",
            "--nodegroup-name",
            "general",
            "--region",
            REGION,
        ],
    );
    let scaling = &after["nodegroup"]["scalingConfig"];
    assert_eq!(
        (
            scaling["minSize"].as_i64(),
            scaling["desiredSize"].as_i64(),
            scaling["maxSize"].as_i64()
        ),
        (Some(2), Some(3), Some(6))
    );

    // The headless snapshot lists the same node group.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(["snapshot", "nodegroups", "--cluster", "platform", "--region", REGION])
        .envs(support::servers::aws_env(&moto.endpoint()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("general") && text.contains("SPOT") && text.contains("m6i.large"),
        "{text}"
    );
}

#[test]
fn pods_are_listed_then_watched_and_a_410_relists_unseen() {
    let Emulators {
        moto,
        kube: _kube,
        dir: _dir,
        config,
    } = emulators();
    support::runtime().block_on(async {
        let backend = aws_backend_with_kube(&moto.endpoint(), &[REGION], &config).await;
        let list = pods(&backend).await;
        let status = |name: &str| {
            list.iter()
                .find(|p| p.name.starts_with(name))
                .map(|p| p.status())
                .unwrap_or_else(|| panic!("no pod {name} in {list:?}"))
        };
        assert_eq!(status("payments-7f9d6c5b4-zl5qd"), "CrashLoopBackOff");
        assert_eq!(status("cart-5b7c9d8f6-w9xzt"), "OOMKilled");
        assert_eq!(status("postgres-1"), "Pending");
        let pending = list.iter().find(|p| p.name == "postgres-1").unwrap();
        assert!(pending.unschedulable.is_some(), "{pending:?}");

        // A change made behind bosun's back arrives by the watch.
        let client = reader(&config).await;
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), "shop");
        let patch = serde_json::json!({"metadata": {"labels": {"touched": "yes"}}});
        let pod_api: Api<core::Pod> = Api::namespaced(client.clone(), "shop");
        let name = list
            .iter()
            .find(|p| p.name.starts_with("checkout-"))
            .unwrap()
            .name
            .clone();
        pod_api
            .patch(&name, &Default::default(), &kube::api::Patch::Merge(&patch))
            .await
            .unwrap();
        pod_api.delete(&name, &Default::default()).await.unwrap();
        eventually("the deleted pod leaves the list", || async {
            !pods(&backend).await.iter().any(|p| p.name == name)
        })
        .await;

        // The API server forgets history: the watch is answered 410 Gone and lists again,
        // with no error on the way.
        let expire = http::Request::post("/_control/expire-watches")
            .body(Vec::new())
            .unwrap();
        client.request_text(expire).await.unwrap();
        let scale = serde_json::json!({"spec": {"replicas": 4}});
        deployments
            .patch("checkout", &Default::default(), &kube::api::Patch::Merge(&scale))
            .await
            .unwrap();
        for _ in 0..20 {
            let r = read(&backend, KubeKind::Workloads).await;
            assert!(r.is_ok(), "an error after a 410: {:?}", r.err());
            if let Ok(data) = r
                && data
                    .workloads
                    .items()
                    .iter()
                    .any(|w| w.name == "checkout" && w.desired == 4)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the scaled deployment never arrived after the 410");
    });
}

#[test]
fn every_kubernetes_action_reads_back() {
    let Emulators {
        moto,
        kube: _kube,
        dir: _dir,
        config,
    } = emulators();
    support::runtime().block_on(async {
        let backend = aws_backend_with_kube(&moto.endpoint(), &[REGION], &config).await;
        let client = reader(&config).await;
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), "shop");

        let scale = Op::ScaleWorkload {
            cluster: CLUSTER.into(),
            kind: WorkloadKind::Deployment,
            namespace: "shop".into(),
            name: "checkout".into(),
            from: 3,
            to: 5,
        };
        backend.apply(&scale, "t").await.expect("scale");
        let d = deployments.get("checkout").await.unwrap();
        assert_eq!(d.spec.unwrap().replicas, Some(5));

        let restart = Op::RolloutRestart {
            cluster: CLUSTER.into(),
            kind: WorkloadKind::Deployment,
            namespace: "shop".into(),
            name: "cart".into(),
        };
        backend.apply(&restart, "t").await.expect("restart");
        let d = deployments.get("cart").await.unwrap();
        let annotations = d.spec.unwrap().template.metadata.unwrap().annotations.unwrap();
        assert!(annotations.contains_key("kubectl.kubernetes.io/restartedAt"));

        let pod_api: Api<core::Pod> = Api::namespaced(client.clone(), "shop");
        let victim = pods(&backend)
            .await
            .into_iter()
            .find(|p| p.name.starts_with("payments-"))
            .unwrap();
        let delete = Op::DeletePod {
            cluster: CLUSTER.into(),
            namespace: "shop".into(),
            name: victim.name.clone(),
            owner: victim.owner.clone(),
        };
        backend.apply(&delete, "t").await.expect("delete");
        assert!(pod_api.get_opt(&victim.name).await.unwrap().is_none());

        let nodes: Api<core::Node> = Api::all(client.clone());
        let cordon = Op::Cordon {
            cluster: CLUSTER.into(),
            node: "ip-10-0-1-23.ec2.internal".into(),
            cordon: true,
        };
        let node_name = nodes.list(&Default::default()).await.unwrap().items[0]
            .metadata
            .name
            .clone()
            .unwrap();
        let cordon = match cordon {
            Op::Cordon { cluster, cordon, .. } => Op::Cordon {
                cluster,
                node: node_name.clone(),
                cordon,
            },
            op => op,
        };
        backend.apply(&cordon, "t").await.expect("cordon");
        let n = nodes.get(&node_name).await.unwrap();
        assert_eq!(n.spec.unwrap().unschedulable, Some(true));

        // The watch brings the cordon to the store's view of nodes.
        eventually("the node shows cordoned", || async {
            match read(&backend, KubeKind::Nodes).await {
                Ok(data) => data
                    .nodes
                    .items()
                    .iter()
                    .any(|n| n.name == node_name && n.unschedulable),
                _ => false,
            }
        })
        .await;

        // Any kind: delete by discovery's name; a CronJob triggered (a Job from its
        // template, owned by it) and suspended.
        let delete = Op::DeleteObject {
            cluster: CLUSTER.into(),
            kind: "configmaps".into(),
            label: "ConfigMap".into(),
            namespace: Some("shop".into()),
            name: "checkout-config".into(),
        };
        backend.apply(&delete, "t").await.expect("delete a configmap");
        let maps: Api<core::ConfigMap> = Api::namespaced(client.clone(), "shop");
        assert!(maps.get_opt("checkout-config").await.unwrap().is_none());
        let jobs: Api<k8s_openapi::api::batch::v1::Job> = Api::namespaced(client.clone(), "data");
        let before = jobs.list(&Default::default()).await.unwrap().items.len();
        let trigger = Op::TriggerCronJob {
            cluster: CLUSTER.into(),
            namespace: "data".into(),
            name: "nightly-backup".into(),
        };
        let applied = backend.apply(&trigger, "t").await.expect("trigger");
        assert!(
            applied.summary.contains("nightly-backup-manual-"),
            "{}",
            applied.summary
        );
        let all = jobs.list(&Default::default()).await.unwrap().items;
        assert_eq!(all.len(), before + 1);
        let job = all
            .iter()
            .find(|j| {
                j.metadata
                    .name
                    .as_deref()
                    .unwrap_or_default()
                    .starts_with("nightly-backup-manual-")
            })
            .expect("the job");
        let owner = &job.metadata.owner_references.as_ref().unwrap()[0];
        assert_eq!(
            (owner.kind.as_str(), owner.name.as_str()),
            ("CronJob", "nightly-backup")
        );
        assert_eq!(
            job.metadata.annotations.as_ref().unwrap()["cronjob.kubernetes.io/instantiate"],
            "manual"
        );
        assert!(
            job.spec.as_ref().unwrap().template.spec.is_some(),
            "the template's pod spec"
        );
        let suspend = Op::SuspendCronJob {
            cluster: CLUSTER.into(),
            namespace: "data".into(),
            name: "nightly-backup".into(),
            suspend: true,
        };
        backend.apply(&suspend, "t").await.expect("suspend");
        let cronjobs: Api<k8s_openapi::api::batch::v1::CronJob> = Api::namespaced(client.clone(), "data");
        let cj = cronjobs.get("nightly-backup").await.unwrap();
        assert_eq!(cj.spec.unwrap().suspend, Some(true));
        // Any kind with a scale subresource, through it.
        let sets: Api<k8s_openapi::api::apps::v1::ReplicaSet> = Api::namespaced(client.clone(), "shop");
        let set = sets.list(&Default::default()).await.unwrap().items[0].clone();
        let set_name = set.metadata.name.clone().unwrap();
        let scale = Op::ScaleObject {
            cluster: CLUSTER.into(),
            kind: "replicasets.apps".into(),
            label: "ReplicaSet".into(),
            namespace: Some("shop".into()),
            name: set_name.clone(),
            from: set.spec.as_ref().and_then(|s| s.replicas).map(|n| n as u32),
            to: 7,
        };
        backend.apply(&scale, "t").await.expect("scale a replicaset");
        assert_eq!(sets.get(&set_name).await.unwrap().spec.unwrap().replicas, Some(7));
        let gone = Op::DeleteObject {
            cluster: CLUSTER.into(),
            kind: "configmaps".into(),
            label: "ConfigMap".into(),
            namespace: Some("shop".into()),
            name: "nope".into(),
        };
        match backend.apply(&gone, "t").await.unwrap_err() {
            WriteError::Rejected { code, .. } => assert_eq!(code, "NotFound"),
            other => panic!("{other:?}"),
        }

        // An action on something that is not there reports the API's refusal.
        let missing = Op::ScaleWorkload {
            cluster: CLUSTER.into(),
            kind: WorkloadKind::Deployment,
            namespace: "shop".into(),
            name: "nope".into(),
            from: 1,
            to: 2,
        };
        match backend.apply(&missing, "t").await.unwrap_err() {
            WriteError::Rejected { code, message } => {
                assert_eq!(code, "NotFound", "{message}");
                assert!(message.contains("404"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn refusals_name_who_and_where_and_an_unreachable_api_server_stays_in_its_pane() {
    let moto = Moto::start();
    seed_eks(&moto);
    let dir = tempfile::tempdir().unwrap();

    // 401: the token is not accepted.
    let kube = KubeServer::start(&["--token", TOKEN, "--forbid", "list:pods", "--forbid", "watch:pods"]);
    let config = kubeconfig(dir.path(), "platform", &kube.endpoint(), "wrong-token");
    support::runtime().block_on(async {
        let backend = aws_backend_with_kube(&moto.endpoint(), &[REGION], &config).await;
        let err = backend.fetch(&kube_fetch(KubeKind::Nodes)).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Auth, "{err}");
        assert!(err.message.contains("401"), "{err}");
        assert!(
            err.message.contains("user oncall of kubeconfig context platform"),
            "{err}"
        );
        assert!(err.message.contains("platform"), "{err}");
    });

    // 403: the user may neither list nor watch pods (a watch-list is a watch); nodes still work.
    let config = kubeconfig(dir.path(), "platform", &kube.endpoint(), TOKEN);
    support::runtime().block_on(async {
        let backend = aws_backend_with_kube(&moto.endpoint(), &[REGION], &config).await;
        let err = backend.fetch(&kube_fetch(KubeKind::Pods)).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Forbidden, "{err}");
        assert!(err.message.contains("may not list pods in platform"), "{err}");
        assert!(err.message.contains("oncall"), "{err}");
        assert!(backend.fetch(&kube_fetch(KubeKind::Nodes)).await.is_ok());
    });

    // Unreachable: an error for the Kubernetes panes, the EKS API still answers.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let config = kubeconfig(dir.path(), "platform", &dead, TOKEN);
    support::runtime().block_on(async {
        let backend = aws_backend_with_kube(&moto.endpoint(), &[REGION], &config).await;
        let err = backend.fetch(&kube_fetch(KubeKind::Pods)).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Network, "{err}");
        assert!(
            err.message.contains("cannot reach the Kubernetes API of platform"),
            "{err}"
        );
        let groups = backend
            .fetch(&Fetch::NodeGroups {
                cluster: CLUSTER.into(),
            })
            .await;
        assert!(
            matches!(groups, Ok(Payload::NodeGroups(ref g)) if g.len() == 1),
            "{groups:?}"
        );
    });
}

#[test]
fn pod_logs_follow_and_the_previous_run_reads_once() {
    let moto = Moto::start();
    seed_eks(&moto);
    let kube = KubeServer::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), "platform", &kube.endpoint(), TOKEN);
    support::runtime().block_on(async {
        let backend = aws_backend_with_kube(&moto.endpoint(), &[REGION], &config).await;
        let list = pods(&backend).await;
        let cart = list.iter().find(|p| p.name == "cart-5b7c9d8f6-w9xzt").unwrap();
        let container = cart.containers[0].name.clone();
        let fetch = |previous| Fetch::PodLogs {
            cluster: CLUSTER.into(),
            namespace: "shop".into(),
            pod: cart.name.clone(),
            container: container.clone(),
            previous,
        };
        let mut seen = Vec::new();
        let mut first = true;
        for _ in 0..40 {
            match backend.fetch(&fetch(false)).await {
                Ok(Payload::Logs { lines, reset }) => {
                    assert_eq!(reset, first, "only the first answer starts the buffer over");
                    first = false;
                    seen.extend(lines);
                }
                other => panic!("logs: {other:?}"),
            }
            if seen.iter().any(|l| l.message.contains("seq=")) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        assert!(seen.iter().any(|l| l.message.contains("started")), "{seen:?}");
        assert!(
            seen.iter().any(|l| l.message.contains("seq=")),
            "follow brings new lines: {seen:?}"
        );

        let Ok(Payload::Logs { lines, reset: true }) = backend.fetch(&fetch(true)).await else {
            panic!("previous logs")
        };
        assert!(lines.iter().any(|l| l.message.contains("out of memory")), "{lines:?}");
        let Ok(Payload::Logs { lines, .. }) = backend.fetch(&fetch(true)).await else {
            panic!("previous logs again")
        };
        assert!(lines.is_empty(), "the previous run is read once");
    });
}

#[test]
fn read_only_refuses_every_kubernetes_action_and_nothing_changes() {
    use bosun::domain::op::{Guard, OpRequest, Outcome};
    use bosun::ops::audit::Audit;
    use bosun::ops::executor::Executor;
    let Emulators {
        moto,
        kube: _kube,
        dir,
        config,
    } = emulators();
    let audit_path = dir.path().join("audit.log");
    support::runtime().block_on(async {
        let backend = std::sync::Arc::new(aws_backend_with_kube(&moto.endpoint(), &[REGION], &config).await);
        let client = reader(&config).await;
        let victim = pods(backend.as_ref()).await[0].clone();
        let ops = [
            Op::ScaleWorkload {
                cluster: CLUSTER.into(),
                kind: WorkloadKind::Deployment,
                namespace: "shop".into(),
                name: "checkout".into(),
                from: 3,
                to: 9,
            },
            Op::RolloutRestart {
                cluster: CLUSTER.into(),
                kind: WorkloadKind::Deployment,
                namespace: "shop".into(),
                name: "checkout".into(),
            },
            Op::DeletePod {
                cluster: CLUSTER.into(),
                namespace: victim.namespace.clone(),
                name: victim.name.clone(),
                owner: None,
            },
            Op::Cordon {
                cluster: CLUSTER.into(),
                node: "any".into(),
                cordon: true,
            },
            Op::SetNodeGroupSize {
                cluster: CLUSTER.into(),
                nodegroup: "general".into(),
                from: (1, 2, 4),
                to: (0, 0, 1),
            },
        ];
        let guard = Guard {
            read_only: Some("read-only mode (--read-only)".into()),
            ..Guard::default()
        };
        let executor = Executor::new(backend.clone(), guard, Some(Audit::open(&audit_path).unwrap()));
        backend.calls().reset();
        for (id, op) in ops.iter().enumerate() {
            let outcome = executor
                .execute(OpRequest {
                    id: id as u64,
                    op: op.clone(),
                    account: "test".into(),
                    account_id: None,
                    profile: "test".into(),
                    identity: None,
                })
                .await;
            assert!(
                matches!(outcome.outcome, Outcome::Refused { .. }),
                "{}: {:?}",
                op.verb(),
                outcome.outcome
            );
        }
        assert!(
            backend.calls().by_operation().is_empty(),
            "{:?}",
            backend.calls().by_operation()
        );
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), "shop");
        let d = deployments.get("checkout").await.unwrap();
        assert_eq!(d.spec.as_ref().unwrap().replicas, Some(3));
        let pod_api: Api<core::Pod> = Api::namespaced(client.clone(), &victim.namespace);
        assert!(pod_api.get_opt(&victim.name).await.unwrap().is_some());
    });
    let log = std::fs::read_to_string(&audit_path).unwrap();
    assert_eq!(log.lines().count(), 5);
    assert!(log.lines().all(|l| l.contains("\"result\":\"refused\"")), "{log}");
    assert!(!log.contains(TOKEN), "no credentials in the audit log");
}

#[test]
fn without_a_kubeconfig_bosun_signs_in_with_an_eks_token_from_the_aws_credentials() {
    let moto = Moto::start();
    seed_eks(&moto);
    // The emulator accepts only a well-formed EKS IAM token for us-east-1.
    let kube = KubeServer::start(&["--eks-token", REGION]);
    support::runtime().block_on(async {
        let backend = aws_backend_with_eks_token(&moto.endpoint(), &[REGION], &kube.endpoint()).await;
        let list = pods(&backend).await;
        assert!(list.iter().any(|p| p.name == "postgres-1"), "{list:?}");
        // DescribeCluster told bosun where the cluster is: one call, and no more per refresh.
        let calls = backend.calls().by_operation();
        assert_eq!(calls.get("EKS.DescribeCluster"), Some(&1), "{calls:?}");
        pods(&backend).await;
        assert_eq!(backend.calls().by_operation().get("EKS.DescribeCluster"), Some(&1));
    });
    // A token of the wrong region is refused by the same emulator: the check is real.
    let other = KubeServer::start(&["--eks-token", "eu-west-1"]);
    support::runtime().block_on(async {
        let backend = aws_backend_with_eks_token(&moto.endpoint(), &[REGION], &other.endpoint()).await;
        let err = backend.fetch(&kube_fetch(KubeKind::Pods)).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Auth, "{err}");
        assert!(
            err.message.contains("arn:aws:sts::123456789012:user/moto"),
            "the identity: {err}"
        );
        assert!(err.message.contains("access entry"), "{err}");
    });
}

/// An API server without watch-list that pages slowly: bosun falls back to paging, shows
/// the first pages as they come with how many so far, and never calls the slow list an
/// error; the whole list arrives in the end.
#[test]
fn a_slow_first_list_is_shown_as_it_arrives() {
    let moto = Moto::start();
    seed_eks(&moto);
    let kube = KubeServer::start(&["--no-watch-list", "--pods", "6000", "--page-delay", "0.5"]);
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), "platform", &kube.endpoint(), TOKEN);
    support::runtime().block_on(async {
        let backend = aws_backend_with_kube(&moto.endpoint(), &[REGION], &config).await;
        let mut data = KubeData::default();
        let mut seen = Vec::new();
        let started = std::time::Instant::now();
        loop {
            let changes = match backend.fetch(&kube_fetch(KubeKind::Pods)).await {
                Ok(Payload::Kube(c)) => c,
                other => panic!("a slow list is not an error: {other:?}"),
            };
            let listing = changes.listing;
            data.apply(changes, jiff::Timestamp::now());
            seen.push((listing, data.pods.len()));
            if listing.is_none() {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "{seen:?}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        // 6,000 generated pods and the demo's, in 13 pages of 500 half a second apart.
        let total = data.pods.len();
        assert!(total > 6000, "{total}");
        let partial: Vec<usize> = seen.iter().filter(|(l, _)| l.is_some()).map(|(_, n)| *n).collect();
        assert!(partial.len() >= 5, "progress while listing: {seen:?}");
        assert!(
            partial[0] > 0 && partial[0] < total,
            "the first page shows before the rest: {seen:?}"
        );
        assert!(partial.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        assert!(
            seen.iter().all(|(l, n)| l.is_none_or(|l| l == *n)),
            "the count said is the count held: {seen:?}"
        );
        // The node loads follow the pods.
        loop {
            let changes = match backend.fetch(&kube_fetch(KubeKind::Nodes)).await {
                Ok(Payload::Kube(c)) => c,
                other => panic!("{other:?}"),
            };
            let done = changes.listing.is_none();
            data.apply(changes, jiff::Timestamp::now());
            if done {
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let on_nodes: u32 = data.nodes.items().iter().map(|n| n.pods).sum();
        let running = data
            .pods
            .items()
            .iter()
            .filter(|p| p.node.is_some() && p.phase != "Succeeded")
            .count();
        assert_eq!(on_nodes as usize, running);
    });
}

/// Where the API server streams the first list (watch-list), bosun uses it: pages that
/// would take minutes are not asked for.
#[test]
fn a_watch_list_server_streams_the_first_list() {
    let moto = Moto::start();
    seed_eks(&moto);
    let kube = KubeServer::start(&["--pods", "6000", "--page-delay", "5"]);
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), "platform", &kube.endpoint(), TOKEN);
    support::runtime().block_on(async {
        let backend = aws_backend_with_kube(&moto.endpoint(), &[REGION], &config).await;
        let started = std::time::Instant::now();
        loop {
            match backend.fetch(&kube_fetch(KubeKind::Pods)).await {
                Ok(Payload::Kube(c)) if c.listing.is_none() => break,
                Ok(_) => {}
                Err(e) => panic!("{e}"),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // Paging 6,000 pods at 5 s a page would take over a minute.
        assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    });
}

/// `snapshot pods` waits for a list that takes longer than the old 10 s deadline, and
/// prints every pod.
#[test]
fn a_snapshot_of_a_list_slower_than_ten_seconds_succeeds() {
    let moto = Moto::start();
    seed_eks(&moto);
    let kube = KubeServer::start(&[
        "--token",
        TOKEN,
        "--no-watch-list",
        "--pods",
        "3000",
        "--page-delay",
        "1.6",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), "platform", &kube.endpoint(), TOKEN);
    let started = std::time::Instant::now();
    let out = snapshot(
        &moto.endpoint(),
        &config,
        dir.path(),
        &["pods", "--cluster", "platform", "--region", REGION, "--format", "json"],
    );
    let took = started.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pods: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(pods.len() > 3000, "{}", pods.len());
    assert!(pods.iter().any(|p| p["name"] == "postgres-1"));
    // Seven pages 1.6 s apart: longer than the deadline there used to be.
    assert!(took > Duration::from_secs(10), "{took:?}");
}

/// A CRD of the test's own, registered by the emulator as an API server registers it, with
/// a printer column, and one object of it.
fn widgets_seed(dir: &std::path::Path) -> std::path::PathBuf {
    let seed = serde_json::json!([
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "scope": "Namespaced",
                "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wdg"]},
                "versions": [{
                    "name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                    "additionalPrinterColumns": [
                        {"name": "Colour", "type": "string", "jsonPath": ".spec.colour"},
                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
                    ]
                }]
            }
        },
        {
            "apiVersion": "example.com/v1",
            "kind": "Widget",
            "metadata": {"name": "sprocket", "namespace": "shop", "creationTimestamp": "2026-11-01T10:00:00Z"},
            "spec": {"colour": "teal"}
        }
    ]);
    let path = dir.join("widgets.json");
    std::fs::write(&path, seed.to_string()).unwrap();
    path
}

/// Any kind by the names `kubectl get` takes, from the cluster's discovery (CRDs included),
/// listed with the columns the API server prints (the Table response), and one object
/// whole: its YAML with a Secret's values hidden, its owner, a Service's endpoints.
#[test]
fn any_kind_by_discovery_with_the_columns_the_server_prints() {
    let moto = Moto::start();
    seed_eks(&moto);
    let dir = tempfile::tempdir().unwrap();
    let seed = widgets_seed(dir.path());
    let kube = KubeServer::start(&["--token", TOKEN, "--seed-file", seed.to_str().unwrap()]);
    let config = kubeconfig(dir.path(), "platform", &kube.endpoint(), TOKEN);
    support::runtime().block_on(async {
        let backend = aws_backend_with_kube(&moto.endpoint(), &[REGION], &config).await;
        let kinds = match backend
            .fetch(&Fetch::KubeKinds {
                cluster: CLUSTER.into(),
            })
            .await
        {
            Ok(Payload::KubeKinds(kinds)) => kinds,
            other => panic!("{other:?}"),
        };
        let names: Vec<&str> = kinds.iter().map(|k| k.name.as_str()).collect();
        for name in [
            "services",
            "cronjobs.batch",
            "ingresses.networking.k8s.io",
            "nodepools.karpenter.sh",
            "widgets.example.com",
        ] {
            assert!(names.contains(&name), "{name} not in {names:?}");
        }
        let table = |kind: &str, namespace: Option<&str>| Fetch::KubeTable {
            cluster: CLUSTER.into(),
            kind: kind.into(),
            namespace: namespace.map(str::to_string),
        };
        // A CRD of the test's own, by its short name, with its printer column.
        let widgets = match backend.fetch(&table("wdg", None)).await {
            Ok(Payload::KubeTable(t)) => t,
            other => panic!("{other:?}"),
        };
        assert_eq!(widgets.kind, "widgets.example.com");
        let columns: Vec<&str> = widgets.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(columns, ["Name", "Colour", "Age"]);
        assert_eq!(widgets.rows.len(), 1);
        assert_eq!(widgets.rows[0].key, "shop/sprocket");
        assert_eq!(widgets.rows[0].cells[1], "teal");
        // Karpenter's, cluster-scoped; and a built-in kind in one namespace by `kind.group`.
        let pools = match backend.fetch(&table("nodepools", None)).await {
            Ok(Payload::KubeTable(t)) => t,
            other => panic!("{other:?}"),
        };
        let mut names: Vec<&str> = pools.rows.iter().map(|r| r.name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["default", "gpu"]);
        assert!(pools.rows.iter().all(|r| r.namespace.is_none()));
        let jobs = match backend.fetch(&table("job.batch", Some("shop"))).await {
            Ok(Payload::KubeTable(t)) => t,
            other => panic!("{other:?}"),
        };
        assert!(
            jobs.rows.iter().all(|r| r.namespace.as_deref() == Some("shop")),
            "{jobs:?}"
        );
        assert_eq!(jobs.columns[1].name, "Status");
        // A word no kind answers is refused with what is close.
        let err = backend.fetch(&table("nodepol", None)).await.unwrap_err();
        assert!(err.message.contains("nodepools.karpenter.sh"), "{err}");

        let object = |kind: &str, ns: &str, name: &str| Fetch::KubeObject {
            cluster: CLUSTER.into(),
            kind: kind.into(),
            namespace: Some(ns.into()),
            name: name.into(),
        };
        let secret = match backend.fetch(&object("secret", "shop", "payments-stripe")).await {
            Ok(Payload::KubeObject(o)) => o,
            other => panic!("{other:?}"),
        };
        assert!(secret.yaml.contains("bytes, hidden>"), "{}", secret.yaml);
        assert!(!secret.yaml.contains("managedFields"));
        let raw: core::Secret = Api::namespaced(reader(&config).await, "shop")
            .get("payments-stripe")
            .await
            .unwrap();
        for value in raw.data.unwrap_or_default().values() {
            let encoded = base64_of(&value.0);
            assert!(!secret.yaml.contains(&encoded), "a secret value shows: {encoded}");
        }
        let service = match backend.fetch(&object("svc", "shop", "checkout")).await {
            Ok(Payload::KubeObject(o)) => o,
            other => panic!("{other:?}"),
        };
        assert!(service.yaml.contains("kind: Service"), "{}", service.yaml);
        assert!(
            service
                .owned
                .iter()
                .any(|e| e.starts_with("Endpoint/") && e.contains(":8080 ready (checkout-")),
            "{:?}",
            service.owned
        );
        let missing = backend.fetch(&object("svc", "shop", "nope")).await.unwrap_err();
        assert_eq!(missing.kind, ErrorKind::NotFound, "{missing}");
    });

    // Headless: any kind, as a table and as JSON; a kind the cluster does not serve fails.
    let snapshot = |args: &[&str]| {
        let args = [args, &["--cluster", "platform", "--region", REGION]].concat();
        snapshot(&moto.endpoint(), &config, dir.path(), &args)
    };
    let out = snapshot(&["wdg", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["namespace"], "shop");
    assert_eq!(rows[0]["name"], "sprocket");
    assert_eq!(rows[0]["Colour"], "teal");
    let out = snapshot(&["nodepools.karpenter.sh"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    let header = table.lines().next().unwrap_or_default();
    assert!(header.starts_with("NAME") && header.ends_with("AGE"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("gpu ")), "{table}");
    let out = snapshot(&["secrets", "--namespace", "shop"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("payments-stripe"));
    let out = snapshot(&["nodepol"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nodepools.karpenter.sh"));
}

/// The kinds an on-call engineer reads most, with what bosun reads from their objects
/// (asked for whole in the same Table responses): a Service's ready endpoints counted as
/// its EndpointSlices say, an Ingress's backends and address, a Secret's keys and sizes
/// (values only in the object's entries, never in a table), a Job's failed pods, a PDB that
/// blocks drains, a NodePool's limits and a NodeClaim's instance.
#[test]
fn first_class_kinds_read_from_their_objects() {
    use k8s_openapi::api::discovery::v1::EndpointSlice;
    let moto = Moto::start();
    seed_eks(&moto);
    let dir = tempfile::tempdir().unwrap();
    let kube = KubeServer::start(&["--token", TOKEN]);
    let config = kubeconfig(dir.path(), "platform", &kube.endpoint(), TOKEN);
    support::runtime().block_on(async {
        let backend = aws_backend_with_kube(&moto.endpoint(), &[REGION], &config).await;
        let table = |kind: &str| {
            let backend = &backend;
            let fetch = Fetch::KubeTable {
                cluster: CLUSTER.into(),
                kind: kind.into(),
                namespace: None,
            };
            async move {
                match backend.fetch(&fetch).await {
                    Ok(Payload::KubeTable(t)) => t,
                    other => panic!("{other:?}"),
                }
            }
        };
        let cell = |t: &bosun::domain::kinds::KubeTable, key: &str, column: &str| {
            let i = t
                .columns
                .iter()
                .position(|c| c.name == column)
                .unwrap_or_else(|| panic!("no {column}: {t:?}"));
            let row = t
                .rows
                .iter()
                .find(|r| r.key == key)
                .unwrap_or_else(|| panic!("no {key}: {t:?}"));
            row.cells[i].clone()
        };

        // Endpoints, as the slices the API server holds count them.
        let slices: Vec<EndpointSlice> = Api::all(reader(&config).await)
            .list(&Default::default())
            .await
            .unwrap()
            .items;
        let services = table("svc").await;
        let names: Vec<&str> = services.columns.iter().map(|c| c.name.as_str()).collect();
        let age = names.iter().position(|n| *n == "Age").unwrap();
        assert_eq!(names[age - 1], "Endpoints", "added columns go before Age: {names:?}");
        let mut checked = 0;
        for row in &services.rows {
            let mine: Vec<&EndpointSlice> = slices
                .iter()
                .filter(|s| {
                    s.metadata.namespace == row.namespace
                        && s.metadata
                            .labels
                            .as_ref()
                            .and_then(|l| l.get("kubernetes.io/service-name"))
                            == Some(&row.name)
                })
                .collect();
            if mine.is_empty() {
                continue;
            }
            let all: usize = mine.iter().flat_map(|s| &s.endpoints).map(|e| e.addresses.len()).sum();
            let ready: usize = mine
                .iter()
                .flat_map(|s| &s.endpoints)
                .filter(|e| e.conditions.as_ref().and_then(|c| c.ready) != Some(false))
                .map(|e| e.addresses.len())
                .sum();
            assert_eq!(
                cell(&services, &row.key, "Endpoints"),
                format!("{ready}/{all}"),
                "{}",
                row.key
            );
            checked += 1;
        }
        assert!(checked >= 5, "{checked}");
        // The fixture has a Service with an endpoint not ready.
        assert_eq!(cell(&services, "shop/payments", "Endpoints"), "1/2");

        let ingresses = table("ing").await;
        assert_eq!(cell(&ingresses, "shop/shop", "Backends"), "/cart→cart:80 /→checkout:80");

        let secrets = table("secrets").await;
        let keys = cell(&secrets, "data/postgres-credentials", "Keys");
        assert_eq!(keys, "password 14B, username 3B");
        let raw = format!("{:?}", secrets.rows);
        assert!(
            !raw.contains("YXBw") && !raw.contains("s3cr3t"),
            "a secret value in a table: {raw}"
        );

        let jobs = table("jobs").await;
        assert_ne!(cell(&jobs, "shop/schema-migrate-v42", "Failed"), "0");
        assert_eq!(cell(&jobs, "data/nightly-backup-29933400", "Failed"), "0");
        let pdbs = table("pdb").await;
        assert_eq!(cell(&pdbs, "data/postgres", "Allowed Disruptions"), "0");
        assert_eq!(cell(&pdbs, "data/postgres", "Healthy"), "1/2");
        let pools = table("nodepools").await;
        assert_eq!(cell(&pools, "default", "Limits"), "cpu 1000, memory 1000Gi");
        assert_eq!(cell(&pools, "gpu", "Disruption"), "WhenEmpty after 30m, budget 10%");
        let cronjobs = table("cj").await;
        assert_ne!(cell(&cronjobs, "data/nightly-backup", "Last Success"), "<none>");

        let object = |kind: &str, ns: Option<&str>, name: &str| {
            let backend = &backend;
            let fetch = Fetch::KubeObject {
                cluster: CLUSTER.into(),
                kind: kind.into(),
                namespace: ns.map(str::to_string),
                name: name.into(),
            };
            async move {
                match backend.fetch(&fetch).await {
                    Ok(Payload::KubeObject(o)) => o,
                    other => panic!("{other:?}"),
                }
            }
        };
        let secret = object("secret", Some("data"), "postgres-credentials").await;
        let raw: core::Secret = Api::namespaced(reader(&config).await, "data")
            .get("postgres-credentials")
            .await
            .unwrap();
        let data = raw.data.unwrap_or_default();
        assert_eq!(secret.secret.len(), data.len());
        for entry in &secret.secret {
            let value = &data[&entry.key].0;
            assert_eq!(entry.value.as_bytes(), value.as_slice(), "{}", entry.key);
            assert_eq!(entry.bytes, value.len());
            assert!(!secret.yaml.contains(&base64_of(value)), "a value in the YAML");
            if entry.bytes > 8 {
                assert!(!secret.yaml.contains(&entry.value), "a value in the YAML");
            }
        }
        let pdb = object("pdb", Some("data"), "postgres").await;
        assert_eq!(
            pdb.summary[0],
            "allows 0 disruptions · max unavailable 1 · 1 of 2 pods healthy, 1 needed"
        );
        assert!(pdb.summary[1].contains("drain"), "{:?}", pdb.summary);
        let ingress = object("ing", Some("shop"), "shop").await;
        assert!(
            ingress
                .summary
                .contains(&"address k8s-shop-shop-4f6a1b2c3d-1187654321.us-east-1.elb.amazonaws.com".to_string()),
            "{:?}",
            ingress.summary
        );
        let claim = object("nodeclaims", None, "default-x7k2p").await;
        assert_eq!(
            claim.summary[1], "instance i-0f9e8d7c6b5a49382 · m6i.xlarge · spot · us-east-1c",
            "{:?}",
            claim.summary
        );
        let job = object("jobs", Some("shop"), "schema-migrate-v42").await;
        assert!(
            job.summary.iter().any(|l| l.starts_with("Failed: ")),
            "{:?}",
            job.summary
        );
    });

    // Headless: the added columns are in the JSON by name; values never.
    let out = snapshot(
        &moto.endpoint(),
        &config,
        dir.path(),
        &[
            "secrets",
            "--format",
            "json",
            "--cluster",
            "platform",
            "--region",
            REGION,
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let creds = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "postgres-credentials")
        .unwrap();
    assert_eq!(creds["Keys"], "password 14B, username 3B");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("YXBw"));
}

/// `bosun snapshot ARGS` against moto, reaching Kubernetes through `config`, logging in `dir`.
fn snapshot(moto: &str, config: &std::path::Path, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_bosun"))
        .arg("snapshot")
        .args(args)
        .arg("--log-file")
        .arg(dir.join("bosun.log"))
        .envs(support::servers::aws_env(moto))
        .env("KUBECONFIG", config)
        .output()
        .unwrap()
}

fn base64_of(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The pods in trouble across clusters: two EKS clusters, each its own API server, in one
/// list, the worst first, each row naming its cluster; headless as JSON.
#[test]
fn pods_in_trouble_across_two_clusters() {
    let moto = Moto::start();
    seed_eks(&moto);
    aws_json(
        &moto.endpoint(),
        &[
            "eks",
            "create-cluster",
            "--name",
            "data",
            "--role-arn",
            "arn:aws:iam::123456789012:role/eks",
            "--resources-vpc-config",
            "subnetIds=subnet-1,subnet-2",
            "--region",
            REGION,
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    // A pod whose container was OOMKilled ten minutes ago: in trouble for the next fifty.
    // (The scenario's `cart` pod was OOMKilled weeks ago: no longer.)
    let finished = (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(10)).to_string();
    let started = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2)).to_string();
    let oom = serde_json::json!([{
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "etl-7f9c-oom", "namespace": "data", "creationTimestamp": started},
        "spec": {"nodeName": "ip-10-0-1-23.ec2.internal", "containers": [{"name": "etl", "image": "etl:2.1"}]},
        "status": {"phase": "Running", "startTime": started, "containerStatuses": [{
            "name": "etl", "image": "etl:2.1", "imageID": "", "ready": true, "restartCount": 1, "started": true,
            "state": {"running": {"startedAt": finished}},
            "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137, "startedAt": started, "finishedAt": finished}}}]}
    }]);
    let seed = dir.path().join("oom.json");
    std::fs::write(&seed, oom.to_string()).unwrap();
    let platform = KubeServer::start(&["--token", TOKEN]);
    let data = KubeServer::start(&["--token", TOKEN, "--seed-file", seed.to_str().unwrap()]);
    let config = dir.path().join("kubeconfig");
    let mut text = String::from("apiVersion: v1\nkind: Config\nusers:\n- name: oncall\n  user:\n    token: ");
    text.push_str(TOKEN);
    text.push_str("\nclusters:\n");
    for (name, server) in [("platform", &platform), ("data", &data)] {
        text.push_str(&format!(
            "- name: {name}\n  cluster:\n    server: {}\n",
            server.endpoint()
        ));
    }
    text.push_str("contexts:\n");
    for name in ["platform", "data"] {
        text.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: {name}\n    user: oncall\n"
        ));
    }
    text.push_str("current-context: platform\n");
    std::fs::write(&config, text).unwrap();

    let out = snapshot(
        &moto.endpoint(),
        &config,
        dir.path(),
        &["pods", "--trouble", "--region", REGION, "--format", "json"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let clusters: std::collections::BTreeSet<&str> = rows.iter().filter_map(|r| r["cluster"].as_str()).collect();
    assert_eq!(
        clusters.into_iter().collect::<Vec<_>>(),
        [
            "arn:aws:eks:us-east-1:123456789012:cluster/data",
            "arn:aws:eks:us-east-1:123456789012:cluster/platform"
        ],
        "{rows:#?}"
    );
    // The worst first, and only pods in trouble.
    let ranks: Vec<u64> = rows.iter().map(|r| r["rank"].as_u64().unwrap()).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    assert!(rows.iter().all(|r| r["phase"] != "Succeeded"));
    assert!(
        rows.iter()
            .any(|r| r["why"].as_str().unwrap_or_default().contains("CrashLoopBackOff")),
        "{rows:#?}"
    );
    assert!(
        rows.iter().all(|r| r["name"] != "checkout-6d8f9c7b5d-2xk9p"),
        "a healthy pod"
    );
    let oom = rows
        .iter()
        .find(|r| r["name"] == "etl-7f9c-oom")
        .expect("OOMKilled ten minutes ago");
    assert_eq!(oom["why"], "etl: OOMKilled (1 restart)");
    assert_eq!(oom["cluster"], "arn:aws:eks:us-east-1:123456789012:cluster/data");
    assert!(
        rows.iter()
            .all(|r| !r["name"].as_str().unwrap_or_default().starts_with("cart-")),
        "OOMKilled weeks ago is not trouble now: {rows:#?}"
    );
}

/// The timeline of an EKS cluster from the emulator: warning events that arrive by the
/// watch, grouped by object and reason with their counts summed; normal events and the
/// seeded ones older than the window are left out; `enter` on one opens its object.
#[test]
fn warning_events_in_the_timeline() {
    use bosun::domain::timeline::{Kind, Open};
    use bosun::store::timeline::{About, gather};
    let Emulators {
        moto,
        kube: _kube,
        dir: _dir,
        config,
    } = emulators();
    support::runtime().block_on(async {
        let backend = aws_backend_with_kube(&moto.endpoint(), &[REGION], &config).await;
        let mut store = bosun::store::Store::new(bosun::app::headless::context(&backend, 5, false), backend.now());
        let apply = |store: &mut bosun::store::Store, result| {
            store.apply(bosun::domain::fetch::DataEvent {
                fetch: kube_fetch(KubeKind::Events),
                at: jiff::Timestamp::now(),
                result,
                digest: None,
            })
        };
        apply(&mut store, backend.fetch(&kube_fetch(KubeKind::Events)).await);
        let about = About {
            cluster: Some(CLUSTER.into()),
            ..About::default()
        };
        let hour_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
        assert!(
            gather(&store, &about, hour_ago).iter().all(|e| e.kind != Kind::K8s),
            "the seeded events are weeks old"
        );

        // Two warnings about one pod (one event each, as two kubelets would report them)
        // and a normal event, made now.
        let client = reader(&config).await;
        let events: Api<core::Event> = Api::namespaced(client, "shop");
        let now = k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(jiff::Timestamp::now());
        for (name, kind, count) in [("a", "Warning", 3), ("b", "Warning", 2), ("c", "Normal", 1)] {
            let event = core::Event {
                metadata: kube::api::ObjectMeta {
                    name: Some(format!("cart-5b7c9d8f6-w9xzt.{name}")),
                    namespace: Some("shop".into()),
                    ..Default::default()
                },
                involved_object: core::ObjectReference {
                    kind: Some("Pod".into()),
                    name: Some("cart-5b7c9d8f6-w9xzt".into()),
                    namespace: Some("shop".into()),
                    ..Default::default()
                },
                type_: Some(kind.into()),
                reason: Some(if kind == "Warning" { "FailedMount" } else { "Pulled" }.into()),
                message: Some(format!("MountVolume.SetUp failed for volume \"config\" ({name})")),
                count: Some(count),
                last_timestamp: Some(now.clone()),
                first_timestamp: Some(now.clone()),
                ..Default::default()
            };
            events.create(&Default::default(), &event).await.unwrap();
        }
        // They arrive by the watch, in a moment.
        let mut arrived = false;
        for _ in 0..100 {
            apply(&mut store, backend.fetch(&kube_fetch(KubeKind::Events)).await);
            arrived = gather(&store, &about, hour_ago)
                .iter()
                .any(|e| e.kind == Kind::K8s && e.what.starts_with("FailedMount ×5"));
            if arrived {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(arrived, "the warnings never arrived by the watch");
        // The node group moto just made (EKS's modifiedAt), with its size.
        let groups = Fetch::NodeGroups {
            cluster: CLUSTER.into(),
        };
        let result = backend.fetch(&groups).await;
        store.apply(bosun::domain::fetch::DataEvent {
            fetch: groups,
            at: jiff::Timestamp::now(),
            result,
            digest: None,
        });
        let entries = gather(&store, &about, hour_ago);
        let group = entries
            .iter()
            .find(|e| e.kind == Kind::NodeGroup)
            .expect("the node group");
        assert_eq!(group.resource, "general");
        assert!(group.what.contains("min 1 / desired 2 / max 4"), "{group:?}");
        let warnings: Vec<_> = entries.iter().filter(|e| e.kind == Kind::K8s).collect();
        assert_eq!(warnings.len(), 1, "one entry per object and reason: {warnings:#?}");
        let w = warnings[0];
        assert_eq!(w.resource, "Pod shop/cart-5b7c9d8f6-w9xzt");
        assert!(w.what.contains("MountVolume.SetUp failed"), "{w:?}");
        assert_eq!(
            w.open,
            Open::Object {
                cluster: CLUSTER.into(),
                kind: "Pod".into(),
                object: "shop/cart-5b7c9d8f6-w9xzt".into(),
            }
        );
    });
}
