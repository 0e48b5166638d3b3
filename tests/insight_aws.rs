//! What the checks before acting read, against moto through the real SDK clients:
//! CloudWatch metrics and alarms (through the test-only CBOR translator, since the SDK
//! speaks RPCv2-CBOR to CloudWatch and moto does not), Application Auto Scaling, capacity
//! providers with their Auto Scaling group, load balancer target health, a followed log
//! stream, ECR images with scan findings, and scheduled tasks.
//!
//! moto does not implement DescribeScalingActivities: the fetch reports none rather than
//! failing (the simulated fleet's activities are covered by the view snapshots).

mod support;

use std::process::Command;

use bosun::domain::fetch::{Fetch, Payload};
use bosun::domain::insight::PolicyKind;
use bosun::domain::metrics::{Place, Window, service_series};
use bosun::source::Backend;
use support::runtime;
use support::servers::{CborProxy, Moto, aws_backend_with_cloudwatch, aws_env, python};

struct World {
    rt: tokio::runtime::Runtime,
    backend: bosun::source::aws::AwsBackend,
    seeded: serde_json::Value,
    moto: Moto,
    _proxy: CborProxy,
}

fn world() -> World {
    let moto = Moto::start();
    let seeded = moto.seed("insight");
    let proxy = CborProxy::start(&moto.endpoint());
    let rt = runtime();
    let backend = rt.block_on(aws_backend_with_cloudwatch(
        &moto.endpoint(),
        &proxy.endpoint(),
        &["us-east-1"],
    ));
    World {
        rt,
        backend,
        seeded,
        moto,
        _proxy: proxy,
    }
}

fn fetch(w: &World, fetch: Fetch) -> Payload {
    match w.rt.block_on(w.backend.fetch(&fetch)) {
        Ok(p) => p,
        Err(e) => panic!("{fetch:?}: {}", e.message),
    }
}

#[test]
fn metrics_and_alarms_come_back_from_cloudwatch() {
    let w = world();
    let keys = service_series(
        Place {
            account: "123456789012",
            region: "us-east-1",
        },
        "small",
        "web",
    )
    .to_vec();
    w.backend.calls().reset();
    let Payload::Metrics(series) = fetch(
        &w,
        Fetch::Metrics {
            window: Window::Hour,
            series: keys.clone(),
        },
    ) else {
        panic!("not metrics")
    };
    // Both series in one GetMetricData call.
    assert_eq!(
        w.backend.calls().by_operation().get("CloudWatch.GetMetricData"),
        Some(&1)
    );
    assert_eq!(series.len(), 2);
    let cpu = &series[0];
    assert_eq!(cpu.key, keys[0]);
    // 30 one-minute points were put, valued 30 (oldest) down to 1 (newest).
    assert!(cpu.points.len() >= 28, "{} points", cpu.points.len());
    assert_eq!(cpu.latest(), Some(1.0));
    assert!(cpu.points.windows(2).all(|p| p[0].0 < p[1].0), "oldest first");
    // Nothing was put for memory: a series with no points, not zeros.
    assert!(series[1].points.is_empty());

    let Payload::Alarms(alarms) = fetch(
        &w,
        Fetch::Alarms {
            account: "test".into(),
            region: "us-east-1".into(),
        },
    ) else {
        panic!()
    };
    let cpu = alarms.iter().find(|a| a.name == "web-cpu-high").unwrap();
    assert!(cpu.firing());
    assert_eq!(cpu.dim("ServiceName"), Some("web"));
    assert_eq!(cpu.threshold, Some(80.0));
    let mem = alarms.iter().find(|a| a.name == "web-memory-high").unwrap();
    assert!(!mem.firing());
}

#[test]
fn autoscaling_capacity_providers_targets_logs_images_and_schedules() {
    let w = world();
    let Payload::Scaling(scaling) = fetch(
        &w,
        Fetch::Scaling {
            account: "test".into(),
            region: "us-east-1".into(),
        },
    ) else {
        panic!()
    };
    let target = scaling.target("service/small/web").expect("the scalable target");
    assert_eq!((target.min, target.max), (1, 6));
    let policy = scaling
        .policies
        .iter()
        .find(|p| p.resource_id == "service/small/web")
        .unwrap();
    assert_eq!(
        policy.kind,
        PolicyKind::TargetTracking {
            metric: "ECSServiceAverageCPUUtilization".into(),
            target: 60.0,
            queue: None
        }
    );
    let action = &scaling.scheduled[0];
    assert_eq!(
        (action.schedule.as_str(), action.min, action.max),
        ("cron(0 8 * * ? *)", Some(3), Some(9))
    );
    assert!(
        scaling.activities.is_empty(),
        "moto has no DescribeScalingActivities: none, not an error"
    );

    let Payload::CapacityProviders(providers) = fetch(
        &w,
        Fetch::CapacityProviders {
            account: "test".into(),
            region: "us-east-1".into(),
            names: vec!["small-asg-cp".into()],
        },
    ) else {
        panic!()
    };
    let cp = providers
        .iter()
        .find(|p| p.name == "small-asg-cp")
        .expect("the capacity provider");
    assert_eq!(cp.asg, Some((1, 2, 5)), "the group's min / desired / max");
    assert_eq!(cp.managed_scaling, Some(("ENABLED".into(), 90)));

    let tg = w.seeded["target_group"].as_str().unwrap().to_string();
    let Payload::Targets(health) = fetch(&w, Fetch::Targets { target_group: tg }) else {
        panic!()
    };
    assert_eq!(health.name, "web-tg");
    assert_eq!(health.health_check, "HTTP /health");
    assert_eq!(health.load_balancers.len(), 1);
    let ids: Vec<&str> = health.targets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["10.0.1.10", "10.0.1.11"]);
    assert!(health.targets.iter().all(|t| t.state == "healthy" && t.port == 8080));

    // A log stream: its lines, then only what is new.
    let logs = Fetch::Logs {
        account: "test".into(),
        region: "us-east-1".into(),
        group: "/ecs/web".into(),
        stream: "ecs/web/abc123".into(),
    };
    let Payload::Logs { lines, reset } = fetch(&w, logs.clone()) else {
        panic!()
    };
    assert!(reset);
    assert_eq!(
        lines.iter().map(|l| l.message.as_str()).collect::<Vec<_>>(),
        ["line 0", "line 1", "line 2", "line 3", "line 4"]
    );
    let Payload::Logs { lines, reset } = fetch(&w, logs.clone()) else {
        panic!()
    };
    assert!(!reset);
    assert!(lines.is_empty(), "nothing new: {lines:?}");
    let put = Command::new(python())
        .args([
            "-c",
            "import boto3,sys,time; c=boto3.client('logs',endpoint_url=sys.argv[1],region_name='us-east-1',aws_access_key_id='t',aws_secret_access_key='t'); \
             c.put_log_events(logGroupName='/ecs/web',logStreamName='ecs/web/abc123',logEvents=[{'timestamp':int(time.time()*1000),'message':'line 5'}])",
            &w.moto.endpoint(),
        ])
        .envs(aws_env(&w.moto.endpoint()))
        .status()
        .unwrap();
    assert!(put.success());
    let Payload::Logs { lines, .. } = fetch(&w, logs) else {
        panic!()
    };
    assert_eq!(lines.iter().map(|l| l.message.as_str()).collect::<Vec<_>>(), ["line 5"]);

    let images = Fetch::Images {
        account: "test".into(),
        region: "us-east-1".into(),
        repository: "web".into(),
        tags: vec!["v1.0.0".into()],
    };
    let Payload::Images(images) = fetch(&w, images) else {
        panic!()
    };
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].tags, ["v1.0.0"]);
    assert!(images[0].digest.starts_with("sha256:"));
    assert!(images[0].pushed_at.is_some());
    let Payload::Repositories(repos) = fetch(
        &w,
        Fetch::Repositories {
            account: "test".into(),
            region: "us-east-1".into(),
        },
    ) else {
        panic!()
    };
    assert!(repos.iter().any(|r| r.name == "web" && r.scan_on_push));

    let Payload::Schedules(schedules) = fetch(
        &w,
        Fetch::Schedules {
            account: "test".into(),
            region: "us-east-1".into(),
        },
    ) else {
        panic!()
    };
    let nightly = schedules
        .iter()
        .find(|s| s.rule == "web-nightly")
        .expect("the scheduled task");
    assert_eq!(nightly.schedule.as_deref(), Some("cron(0 2 * * ? *)"));
    assert_eq!(nightly.count, 2);
    assert_eq!(nightly.cluster_arn, "arn:aws:ecs:us-east-1:123456789012:cluster/small");
    assert!(nightly.task_definition.contains("task-definition/web:"));
}
