//! What the checks before acting read, against moto through the real SDK clients:
//! CloudWatch metrics and alarms (through the test-only CBOR translator, since the SDK
//! speaks RPCv2-CBOR to CloudWatch and moto does not), Application Auto Scaling, capacity
//! providers with their Auto Scaling group, load balancer target health, a followed log
//! stream, ECR images with scan findings, and scheduled tasks.
//!
//! moto does not implement DescribeScalingActivities or DescribeAlarmHistory: the test
//! moto server does (`tests/servers/moto_deploy.py`), and a test records the activity it
//! expects.

mod support;

use std::process::Command;

use bosun::domain::fetch::{Fetch, Payload};
use bosun::domain::insight::PolicyKind;
use bosun::domain::metrics::{Place, Window, service_series};
use bosun::source::Backend;
use support::runtime;
use support::servers::{CborProxy, Moto, aws_backend, aws_backend_with_cloudwatch, aws_env, aws_json, python};

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

/// The timeline of a cluster from what moto keeps, through the real clients: the service's
/// deployment, tasks stopped (grouped by reason), an Application Auto Scaling activity and
/// the alarm that went off (DescribeAlarmHistory), newest first; the alarm history is one
/// call per region.
#[test]
fn a_cluster_timeline_from_moto() {
    use bosun::domain::timeline::Kind;
    use bosun::store::timeline::{About, fetches, gather};
    let w = world();
    let endpoint = w.moto.endpoint();
    let ecs = |args: &[&str]| support::servers::aws_json(&endpoint, args);
    // Two of web's tasks stop for the same reason, in one entry.
    let tasks = ecs(&["ecs", "list-tasks", "--cluster", "small", "--service-name", "web"]);
    let arns: Vec<String> = tasks["taskArns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert!(arns.len() >= 2, "{tasks}");
    for arn in &arns[..2] {
        ecs(&[
            "ecs",
            "stop-task",
            "--cluster",
            "small",
            "--task",
            arn,
            "--reason",
            "Scaling activity initiated by (deployment ecs-svc/1)",
        ]);
    }
    w.moto.control(
        "/_bosun/autoscaling/activity",
        serde_json::json!({
            "ServiceNamespace": "ecs",
            "ResourceId": "service/small/web",
            "ScalableDimension": "ecs:service:DesiredCount",
            "Description": "Setting desired count to 3.",
            "Cause": "monitor alarm web-cpu-high in state ALARM triggered policy web-cpu60",
            "StatusCode": "Successful",
        }),
    );

    let mut store = w.rt.block_on(bosun::app::headless::load(
        &w.backend,
        bosun::app::headless::context(&w.backend, 5, false),
    ));
    let cluster = store.all_clusters().find(|c| c.name == "small").unwrap().arn.clone();
    let about = About {
        cluster: Some(cluster.clone()),
        ..About::default()
    };
    let wanted = fetches(&store, &about);
    assert!(wanted.contains(&Fetch::AlarmHistory {
        account: store.context.accounts[0].name.clone(),
        region: "us-east-1".into(),
    }));
    w.backend.calls().reset();
    for event in w.rt.block_on(bosun::source::fetch_all(&w.backend, wanted, 4)) {
        assert!(
            event.result.is_ok(),
            "{:?}: {:?}",
            event.fetch,
            event.result.as_ref().err()
        );
        store.apply(event);
    }
    assert_eq!(
        w.backend.calls().by_operation().get("CloudWatch.DescribeAlarmHistory"),
        Some(&1)
    );
    let now = w.backend.now();
    let entries = gather(&store, &about, now - jiff::SignedDuration::from_hours(1));
    assert!(entries.windows(2).all(|p| p[0].at >= p[1].at), "newest first");
    let find = |kind: Kind, what: &str| {
        entries
            .iter()
            .find(|e| e.kind == kind && e.what.contains(what))
            .unwrap_or_else(|| panic!("no {kind:?} `{what}` in {entries:#?}"))
    };
    let alarm = find(Kind::Alarm, "OK → ALARM: Threshold Crossed: test");
    assert_eq!(alarm.resource, "web-cpu-high");
    assert_eq!(alarm.cluster.as_deref(), Some(cluster.as_str()));
    let stopped = find(Kind::Tasks, "2 tasks stopped: Scaling activity initiated by");
    assert_eq!(stopped.resource, "web");
    let scaling = find(Kind::Scaling, "Setting desired count to 3.");
    assert_eq!(scaling.resource, "web");
    find(Kind::Deploy, "deployment started: web:");
    // The other alarm never changed state: nothing about it.
    assert!(!entries.iter().any(|e| e.resource == "web-memory-high"), "{entries:#?}");
}

/// A service behind a Network Load Balancer charts AWS/NetworkELB (flows, TCP resets,
/// healthy and unhealthy hosts), not the Application Load Balancer's requests and HTTP
/// codes that an NLB never reports; the series asked for are the ones CloudWatch holds.
#[test]
fn a_service_behind_a_network_load_balancer_charts_its_metrics() {
    let w = world();
    let endpoint = w.moto.endpoint();
    let aws = |args: &[&str]| support::servers::aws_json(&endpoint, args);
    let subnets = aws(&["ec2", "describe-subnets"]);
    let subnet_ids: Vec<String> = subnets["Subnets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["SubnetId"].as_str().unwrap().to_string())
        .collect();
    let vpc = subnets["Subnets"][0]["VpcId"].as_str().unwrap().to_string();
    let mut create = vec![
        "elbv2",
        "create-load-balancer",
        "--name",
        "tcp",
        "--type",
        "network",
        "--subnets",
    ];
    create.extend(subnet_ids.iter().map(String::as_str).take(1));
    let nlb = aws(&create)["LoadBalancers"][0]["LoadBalancerArn"]
        .as_str()
        .unwrap()
        .to_string();
    let tg = aws(&[
        "elbv2",
        "create-target-group",
        "--name",
        "tcp-tg",
        "--protocol",
        "TCP",
        "--port",
        "9000",
        "--vpc-id",
        &vpc,
        "--target-type",
        "ip",
    ])["TargetGroups"][0]["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    aws(&[
        "elbv2",
        "create-listener",
        "--load-balancer-arn",
        &nlb,
        "--protocol",
        "TCP",
        "--port",
        "9000",
        "--default-actions",
        &format!("Type=forward,TargetGroupArn={tg}"),
    ]);
    let td =
        aws(&["ecs", "describe-services", "--cluster", "small", "--services", "web"])["services"][0]["taskDefinition"]
            .as_str()
            .unwrap()
            .to_string();
    aws(&[
        "ecs",
        "create-service",
        "--cluster",
        "small",
        "--service-name",
        "tcp",
        "--task-definition",
        &td,
        "--desired-count",
        "0",
        "--load-balancers",
        &format!("targetGroupArn={tg},containerName=web,containerPort=9000"),
    ]);

    let mut store = w.rt.block_on(bosun::app::headless::load(
        &w.backend,
        bosun::app::headless::context(&w.backend, 5, false),
    ));
    let cluster = store.all_clusters().find(|c| c.name == "small").unwrap().arn.clone();
    let service = store.service(
        &cluster,
        &cluster
            .replace(":cluster/", ":service/")
            .replace("/small", "/small/tcp"),
    );
    let service = service.map(|s| s.arn.clone()).expect("the tcp service");
    for event in w.rt.block_on(bosun::source::fetch_all(
        &w.backend,
        vec![Fetch::Targets {
            target_group: tg.clone(),
        }],
        1,
    )) {
        store.apply(event);
    }
    let plots = bosun::ui::screens::metrics::plots(&store, &cluster, &service);
    let titles: Vec<&str> = plots.iter().map(|p| p.title).collect();
    assert_eq!(
        titles,
        [
            "CPU",
            "Memory",
            "Active flows",
            "Target resets",
            "Healthy hosts",
            "Unhealthy hosts"
        ]
    );
    assert!(plots[2..].iter().all(|p| p.key.namespace == "AWS/NetworkELB"));

    // What CloudWatch holds for those dimensions comes back.
    let nlb_dim = nlb.split(":loadbalancer/").nth(1).unwrap();
    let tg_dim = tg.split(':').next_back().unwrap();
    let out = std::process::Command::new(python())
        .arg("-c")
        .arg(format!(
            "import boto3, datetime\n\
             cw = boto3.client('cloudwatch', endpoint_url='{endpoint}', region_name='us-east-1', \
             aws_access_key_id='testing', aws_secret_access_key='testing')\n\
             now = datetime.datetime.now(datetime.timezone.utc)\n\
             cw.put_metric_data(Namespace='AWS/NetworkELB', MetricData=[\
             {{'MetricName': 'HealthyHostCount', 'Timestamp': now - datetime.timedelta(minutes=2), 'Value': 2.0, \
             'Dimensions': [{{'Name': 'TargetGroup', 'Value': '{tg_dim}'}}, {{'Name': 'LoadBalancer', 'Value': '{nlb_dim}'}}]}},\
             {{'MetricName': 'ActiveFlowCount', 'Timestamp': now - datetime.timedelta(minutes=2), 'Value': 40.0, \
             'Dimensions': [{{'Name': 'LoadBalancer', 'Value': '{nlb_dim}'}}]}}])\n"
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let Payload::Metrics(series) = fetch(
        &w,
        Fetch::Metrics {
            window: Window::Hour,
            series: plots.iter().map(|p| p.key.clone()).collect(),
        },
    ) else {
        panic!("not metrics")
    };
    let latest = |metric: &str| series.iter().find(|s| s.key.metric == metric).and_then(|s| s.latest());
    assert_eq!(latest("HealthyHostCount"), Some(2.0));
    assert_eq!(latest("ActiveFlowCount"), Some(40.0));
}

/// A service behind a Classic Load Balancer (ECS names it by name only): its ARN made from
/// the service's place, and its registered instances' health from ELB
/// DescribeInstanceHealth, InService, and OutOfService once an instance is stopped; the
/// balancer's listener and health check from DescribeLoadBalancers.
#[test]
fn a_classic_load_balancer_and_its_instances() {
    let moto = Moto::start();
    let e = moto.endpoint();
    aws_json(&e, &["ecs", "create-cluster", "--cluster-name", "legacy"]);
    let image = aws_json(&e, &["ec2", "describe-images"])["Images"][0]["ImageId"]
        .as_str()
        .unwrap()
        .to_string();
    let run = aws_json(&e, &["ec2", "run-instances", "--image-id", &image, "--count", "2"]);
    let ids: Vec<String> = run["Instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["InstanceId"].as_str().unwrap().to_string())
        .collect();
    aws_json(
        &e,
        &[
            "elb",
            "create-load-balancer",
            "--load-balancer-name",
            "legacy-clb",
            "--listeners",
            "Protocol=HTTP,LoadBalancerPort=80,InstanceProtocol=HTTP,InstancePort=8080",
            "--availability-zones",
            "us-east-1a",
        ],
    );
    aws_json(
        &e,
        &[
            "elb",
            "configure-health-check",
            "--load-balancer-name",
            "legacy-clb",
            "--health-check",
            "Target=HTTP:8080/health,Interval=30,Timeout=5,UnhealthyThreshold=2,HealthyThreshold=2",
        ],
    );
    let mut register = vec![
        "elb",
        "register-instances-with-load-balancer",
        "--load-balancer-name",
        "legacy-clb",
        "--instances",
    ];
    register.extend(ids.iter().map(String::as_str));
    aws_json(&e, &register);
    aws_json(
        &e,
        &[
            "ecs",
            "register-task-definition",
            "--family",
            "legacy",
            "--container-definitions",
            r#"[{"name":"legacy","image":"legacy:1","cpu":128,"memory":256,"portMappings":[{"containerPort":8080,"hostPort":8080}]}]"#,
        ],
    );
    aws_json(
        &e,
        &[
            "ecs",
            "create-service",
            "--cluster",
            "legacy",
            "--service-name",
            "legacy",
            "--task-definition",
            "legacy",
            "--desired-count",
            "0",
            "--load-balancers",
            "loadBalancerName=legacy-clb,containerName=legacy,containerPort=8080",
        ],
    );
    aws_json(&e, &["ec2", "stop-instances", "--instance-ids", &ids[1]]);

    let rt = runtime();
    let backend = rt.block_on(aws_backend(&e, &["us-east-1"]));
    let cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/legacy".to_string();
    let services = match rt.block_on(backend.fetch(&Fetch::Services { cluster })) {
        Ok(Payload::Services(s)) => s,
        other => panic!("{other:?}"),
    };
    let lb = &services[0].load_balancers[0];
    assert_eq!(
        lb.target_group_arn,
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/legacy-clb"
    );
    assert!(bosun::domain::is_classic(&lb.target_group_arn));
    let health = match rt.block_on(backend.fetch(&Fetch::Targets {
        target_group: lb.target_group_arn.clone(),
    })) {
        Ok(Payload::Targets(h)) => h,
        other => panic!("{other:?}"),
    };
    assert_eq!((health.name.as_str(), health.port), ("legacy-clb", 80));
    assert_eq!(health.health_check, "HTTP:8080/health");
    let state = |id: &str| {
        health
            .targets
            .iter()
            .find(|t| t.id == id)
            .map(|t| (t.state.clone(), t.port))
    };
    assert_eq!(state(&ids[0]), Some(("InService".into(), 8080)));
    assert_eq!(state(&ids[1]), Some(("OutOfService".into(), 8080)));
}
