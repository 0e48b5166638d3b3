//! The AWS backend against moto, through the real SDK clients and the network: every
//! seeded resource appears (in the store, in `bosun snapshot`, as the aws CLI lists it),
//! lists are paginated and describes batched to the minimum number of calls, and failures
//! (a dead endpoint, bad credentials, the endpoint going away mid-run) read clearly.

mod support;

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bosun::app::{Action, update};
use bosun::domain::ErrorKind;
use bosun::domain::fetch::{DataEvent, Fetch, Scope};
use bosun::source::scheduler::{Control, Intervals, Scheduler};
use bosun::source::{Backend, load_fleet};
use bosun::store::Store;
use serde_json::Value;
use support::runtime;
use support::servers::{Moto, Proxy, aws_backend, aws_cli, aws_env};

/// One moto seeded with the `fleet` scenario, shared by the read-only tests of this file.
fn fleet() -> &'static (Moto, Value) {
    static FLEET: OnceLock<(Moto, Value)> = OnceLock::new();
    FLEET.get_or_init(|| {
        let moto = Moto::start();
        let seeded = moto.seed("fleet");
        (moto, seeded)
    })
}

fn names(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn cluster_arn(region: &str, name: &str) -> String {
    format!("arn:aws:ecs:{region}:123456789012:cluster/{name}")
}

fn bosun(endpoint: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(args)
        .arg("--log-file")
        .arg(std::env::temp_dir().join("bosun-test-aws.log"))
        .envs(aws_env(endpoint))
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap()
}

fn aws(endpoint: &str, args: &[&str]) -> Value {
    let out = Command::new(aws_cli())
        .args(args)
        .envs(aws_env(endpoint))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "aws {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A task by the ID pasted from an alert, described on its own (DescribeTasks): found
/// whether or not the cluster's tasks were listed; an ID ECS does not know is not found,
/// in ECS's word.
#[test]
fn a_task_by_its_id_alone() {
    let (moto, seeded) = fleet();
    let rt = runtime();
    let backend = rt.block_on(aws_backend(&moto.endpoint(), &["us-east-1", "eu-west-1"]));
    let cluster = cluster_arn("us-east-1", "ec2");
    let arn = names(&seeded["running"]["ec2"]).into_iter().next().unwrap();
    let id = bosun::util::arn_tail(&arn).to_string();
    let fetch = |task: &str| {
        rt.block_on(backend.fetch(&bosun::domain::fetch::Fetch::Task {
            cluster: cluster.clone(),
            task: task.into(),
        }))
    };
    match fetch(&id) {
        Ok(bosun::domain::fetch::Payload::Tasks(found)) => {
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].arn, arn);
            assert_eq!(found[0].id, id);
        }
        other => panic!("{other:?}"),
    }
    let err = fetch("0123456789abcdef0123456789abcdef").unwrap_err();
    assert_eq!(err.kind, bosun::domain::ErrorKind::NotFound, "{err}");
    assert!(
        err.message
            .contains("no task `0123456789abcdef0123456789abcdef` in ec2"),
        "{err}"
    );
    assert!(err.message.contains("MISSING"), "{err}");
}

#[test]
fn every_seeded_service_and_task_is_in_the_store() {
    let (moto, seeded) = fleet();
    let rt = runtime();
    let backend = rt.block_on(aws_backend(&moto.endpoint(), &["us-east-1", "eu-west-1"]));
    let mut store = Store::new(bosun::app::headless::context(&backend, 5, false), backend.now());
    for event in rt.block_on(load_fleet(&backend, 8)) {
        assert!(event.result.is_ok(), "{:?}: {:?}", event.fetch, event.result.err());
        update(&mut store, Action::Data(event));
    }
    assert_eq!(store.identity("test").unwrap().account, "123456789012");
    for (region, clusters) in seeded["clusters"].as_object().unwrap() {
        for name in names(clusters) {
            let arn = cluster_arn(region, &name);
            assert!(store.cluster(&arn).is_some(), "cluster {name} in {region}");
            let data = store.cluster_data(&arn).unwrap();
            let services: BTreeSet<String> = data.services.items().iter().map(|s| s.name.clone()).collect();
            assert_eq!(services, names(&seeded["services"][&name]), "services of {name}");
            let running: BTreeSet<String> = data.tasks.items().iter().map(|t| t.arn.clone()).collect();
            assert_eq!(running, names(&seeded["running"][&name]), "running tasks of {name}");
            let stopped: BTreeSet<String> = data.stopped.items().iter().map(|t| t.arn.clone()).collect();
            assert_eq!(stopped, names(&seeded["stopped"][&name]), "stopped tasks of {name}");
        }
    }
    // The big cluster needs more than one page of services and of tasks.
    let big = store.cluster_data(&cluster_arn("us-east-1", "big")).unwrap();
    assert_eq!(big.services.len(), 120);
    assert_eq!(big.tasks.len(), 250);
    // EC2 and Fargate tasks, converted at the edge.
    let fargate = &big.tasks.items()[0];
    assert_eq!(fargate.launch_type, bosun::domain::LaunchType::Fargate);
    assert!(fargate.private_ip.is_some(), "awsvpc tasks have an IP: {fargate:?}");
    let ec2 = store.cluster_data(&cluster_arn("us-east-1", "ec2")).unwrap();
    assert!(ec2.tasks.items().iter().all(|t| t.container_instance_arn.is_some()));
    assert_eq!(ec2.instances.len(), 1);
    let described = aws(
        &moto.endpoint(),
        &[
            "ecs",
            "describe-container-instances",
            "--cluster",
            "ec2",
            "--container-instances",
            &ec2.instances.items()[0].arn,
        ],
    );
    let cpu = described["containerInstances"][0]["registeredResources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "CPU")
        .unwrap()["integerValue"]
        .as_i64()
        .unwrap();
    assert_eq!(i64::from(ec2.instances.items()[0].registered_cpu), cpu);
    let stopped = &ec2.stopped.items()[0];
    assert_eq!(
        stopped.stopped_reason.as_deref(),
        Some("Essential container in task exited")
    );
    // The EKS cluster sits beside them in the fleet.
    assert!(
        store
            .fleet
            .items()
            .iter()
            .any(|r| r.name == "k8s" && r.version.as_deref() == Some("1.31"))
    );
    assert_eq!(store.fleet.len(), 4);
}

#[test]
fn snapshot_shows_exactly_what_the_aws_cli_lists() {
    let (moto, _) = fleet();
    let endpoint = moto.endpoint();
    let big = cluster_arn("us-east-1", "big");

    let out = bosun(
        &endpoint,
        &["snapshot", "services", "--cluster", "big", "--format", "json"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ours: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ours: BTreeSet<String> = ours
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["arn"].as_str().unwrap().to_string())
        .collect();
    let theirs = names(&aws(&endpoint, &["ecs", "list-services", "--cluster", &big])["serviceArns"]);
    assert_eq!(ours, theirs);
    assert_eq!(ours.len(), 120);

    let out = bosun(
        &endpoint,
        &["snapshot", "tasks", "--cluster", "big", "--format", "json"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ours: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ours: BTreeSet<String> = ours
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["arn"].as_str().unwrap().to_string())
        .collect();
    let theirs = names(&aws(&endpoint, &["ecs", "list-tasks", "--cluster", &big])["taskArns"]);
    assert_eq!(ours, theirs);
    assert_eq!(ours.len(), 250);

    let out = bosun(&endpoint, &["snapshot", "tasks", "--cluster", "ec2", "--stopped"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Essential container in task exited"), "{text}");

    // Every region given, every cluster, as a table.
    let out = bosun(&endpoint, &["snapshot", "fleet", "--region", "us-east-1,eu-west-1"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let first: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        first.iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from(["big", "ec2", "eu", "k8s"])
    );
    assert!(text.starts_with("NAME"), "{text}");
    assert!(!text.contains('\u{1b}'), "no escape codes in table output");
}

#[test]
fn calls_per_refresh_are_the_batching_minimum() {
    let (moto, _) = fleet();
    let rt = runtime();
    let backend = rt.block_on(aws_backend(&moto.endpoint(), &["us-east-1"]));
    let big = cluster_arn("us-east-1", "big");
    let count = |fetch: Fetch| {
        backend.calls().reset();
        let result = rt.block_on(backend.fetch(&fetch));
        assert!(result.is_ok(), "{fetch:?}: {:?}", result.err());
        backend.calls().by_operation()
    };
    let calls = count(Fetch::Services { cluster: big.clone() });
    // 120 services: 2 pages of 100, 12 describes of 10.
    assert_eq!(calls.get("ECS.ListServices"), Some(&2), "{calls:?}");
    assert_eq!(calls.get("ECS.DescribeServices"), Some(&12), "{calls:?}");
    assert_eq!(calls.len(), 2, "{calls:?}");

    let calls = count(Fetch::Tasks {
        cluster: big.clone(),
        stopped: false,
    });
    // 250 tasks: 3 pages of 100, 3 describes of 100.
    assert_eq!(calls.get("ECS.ListTasks"), Some(&3), "{calls:?}");
    assert_eq!(calls.get("ECS.DescribeTasks"), Some(&3), "{calls:?}");

    let calls = count(Fetch::EcsClusters {
        account: "test".into(),
        region: "us-east-1".into(),
    });
    assert_eq!(calls.get("ECS.ListClusters"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("ECS.DescribeClusters"), Some(&1), "{calls:?}");

    let calls = count(Fetch::ContainerInstances {
        cluster: cluster_arn("us-east-1", "ec2"),
    });
    assert_eq!(calls.get("ECS.ListContainerInstances"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("ECS.DescribeContainerInstances"), Some(&1), "{calls:?}");
}

#[test]
fn a_dead_endpoint_is_a_clear_error_in_the_pane_and_on_the_command_line() {
    // Nothing listens on a port we just closed.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    let rt = runtime();
    let backend = rt.block_on(aws_backend(&dead, &["us-east-1"]));
    let error = rt
        .block_on(backend.fetch(&Fetch::EcsClusters {
            account: "test".into(),
            region: "us-east-1".into(),
        }))
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Network);
    assert!(
        error
            .message
            .starts_with("ECS ListClusters in us-east-1 failed: cannot connect"),
        "{}",
        error.message
    );

    let out = bosun(&dead, &["snapshot", "fleet"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("failed: cannot connect"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_credentials_name_the_profile_and_the_fix() {
    let moto = Moto::start_with(&["--auth"]);
    let rt = runtime();
    let backend = rt.block_on(aws_backend(&moto.endpoint(), &["us-east-1"]));
    let error = rt
        .block_on(backend.fetch(&Fetch::EcsClusters {
            account: "test".into(),
            region: "us-east-1".into(),
        }))
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Auth, "{}", error.message);
    assert!(
        error.message.contains("UnrecognizedClientException") || error.message.contains("InvalidClientTokenId"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("aws sso login --profile test"),
        "{}",
        error.message
    );

    let out = bosun(&moto.endpoint(), &["snapshot", "services", "--profile", "oncall"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`oncall`"), "the profile is named: {stderr}");

    // No credentials anywhere: the chain's failure reads as such.
    let out = Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(["snapshot", "fleet", "--log-file"])
        .arg(std::env::temp_dir().join("bosun-test-aws.log"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .env("HOME", "/nonexistent")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("BOSUN_AWS_MAX_ATTEMPTS", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no usable AWS credentials for profile `default`"),
        "{stderr}"
    );
}

#[test]
fn unknown_clusters_and_missing_regions_are_refused() {
    let (moto, _) = fleet();
    let out = bosun(&moto.endpoint(), &["snapshot", "tasks", "--cluster", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no ECS cluster named `nope` in us-east-1 (there: big, ec2)"),
        "{stderr}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(["snapshot", "fleet"])
        .envs(aws_env(&moto.endpoint()))
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no AWS region: pass --region"));
}

/// Apply data events to the store until `done` says so.
async fn wait(
    what: &str,
    store: &mut Store,
    rx: &mut tokio::sync::mpsc::Receiver<DataEvent>,
    done: &dyn Fn(&Store) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(store) {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        if let Ok(Some(event)) = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {
            store.apply(event);
        }
    }
}

#[test]
fn the_endpoint_going_away_shows_an_error_beside_the_data_then_recovers() {
    let moto = Moto::start();
    moto.seed("small");
    let proxy = Proxy::start(moto.port);
    let rt = runtime();
    rt.block_on(async {
        let backend: bosun::source::SharedBackend =
            std::sync::Arc::new(aws_backend(&proxy.endpoint(), &["us-east-1"]).await);
        let mut store = Store::new(bosun::app::headless::context(backend.as_ref(), 1, false), backend.now());
        let small = cluster_arn("us-east-1", "small");
        let (scope_tx, scope_rx) = tokio::sync::watch::channel(Scope::of([Fetch::Services { cluster: small.clone() }]));
        let (control_tx, control_rx) = tokio::sync::mpsc::channel(4);
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        let intervals = Intervals {
            fast: Duration::from_millis(300),
            slow: Duration::from_secs(60),
            max_backoff: Duration::from_secs(1),
            ..Intervals::default()
        };
        tokio::spawn(Scheduler::new(backend.clone(), intervals).run(scope_rx, control_rx, tx));
        let services = |s: &Store| {
            s.cluster_data(&cluster_arn("us-east-1", "small"))
                .map(|d| (d.services.len(), d.services.error.clone()))
        };
        wait("services load", &mut store, &mut rx, &|s| {
            services(s).is_some_and(|(n, e)| n == 2 && e.is_none())
        })
        .await;

        proxy.set_up(false);
        wait("an error", &mut store, &mut rx, &|s| {
            services(s).is_some_and(|(_, e)| e.is_some())
        })
        .await;
        let (n, error) = services(&store).unwrap();
        assert_eq!(n, 2, "the last good data stays");
        let error = error.unwrap();
        assert_eq!(error.kind, ErrorKind::Network, "{}", error.message);
        assert!(
            error.message.starts_with("ECS ListServices in us-east-1 failed"),
            "{}",
            error.message
        );

        proxy.set_up(true);
        control_tx.send(Control::RefreshNow).await.unwrap();
        wait("recovery", &mut store, &mut rx, &|s| {
            services(s).is_some_and(|(n, e)| n == 2 && e.is_none())
        })
        .await;
        drop(scope_tx);
    });
}

/// `bosun report` against moto: the cluster's services as the aws CLI lists them, in one
/// Markdown document.
#[test]
fn a_report_of_a_cluster_against_moto() {
    let (moto, seeded) = fleet();
    let out = bosun(&moto.endpoint(), &["report", "--cluster", "ec2"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("# ec2: incident report"), "{text}");
    for heading in [
        "## Health",
        "## Deployments",
        "## Why tasks stopped",
        "## Alarms firing",
    ] {
        assert!(text.contains(heading), "{heading}: {text}");
    }
    for service in names(&seeded["services"]["ec2"]) {
        assert!(text.contains(&format!("| {service} |")), "{service}: {text}");
    }
}
