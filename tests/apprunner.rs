//! App Runner against its emulator (`tests/servers/apprunner_server.py`) through the real
//! SDK client: the services of a region with their configuration, auto scaling, VPC
//! connector and operations; the fleet rows they make (a rolled-back deployment is a failing
//! health check); each action, followed until its operation settles, and refused in the
//! wrong state as App Runner refuses it; the metrics (moto's CloudWatch, through the CBOR
//! translator) and the logs (moto's CloudWatch Logs, every instance's stream at once); and
//! the headless `snapshot apprunner` and `snapshot fleet`.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use bosun::domain::apprunner::{AppRunnerAction, AppRunnerService, Source};
use bosun::domain::fetch::{Fetch, Payload};
use bosun::domain::metrics::{Window, apprunner_series, place_of};
use bosun::domain::op::{Op, WriteError};
use bosun::domain::{ClusterKind, Health};
use bosun::ops::Operator;
use bosun::source::Backend;
use support::runtime;
use support::servers::{AppRunner, CborProxy, Moto, aws_backend_with_apprunner, aws_env, python};

const REGION: &str = "us-east-1";

struct World {
    rt: tokio::runtime::Runtime,
    backend: bosun::source::aws::AwsBackend,
    apprunner: AppRunner,
    moto: Moto,
    proxy: CborProxy,
}

fn world() -> World {
    let apprunner = AppRunner::start(&["--operation-seconds", "0.5"]);
    let moto = Moto::start();
    let proxy = CborProxy::start(&moto.endpoint());
    let rt = runtime();
    let backend = rt.block_on(aws_backend_with_apprunner(
        &moto.endpoint(),
        &proxy.endpoint(),
        &apprunner.endpoint(),
        &[REGION],
    ));
    World {
        rt,
        backend,
        apprunner,
        moto,
        proxy,
    }
}

impl World {
    fn fetch(&self, fetch: Fetch) -> Payload {
        match self.rt.block_on(self.backend.fetch(&fetch)) {
            Ok(p) => p,
            Err(e) => panic!("{fetch:?}: {}", e.message),
        }
    }

    fn services(&self) -> Vec<AppRunnerService> {
        match self.fetch(Fetch::AppRunnerServices {
            account: "test".into(),
            region: REGION.into(),
        }) {
            Payload::AppRunnerServices(list) => list,
            other => panic!("{}", other.kind()),
        }
    }

    fn service(&self, arn: &str) -> AppRunnerService {
        match self.fetch(Fetch::AppRunnerService { service: arn.into() }) {
            Payload::AppRunnerService(s) => *s,
            other => panic!("{}", other.kind()),
        }
    }

    fn named(&self, name: &str) -> AppRunnerService {
        self.services()
            .into_iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no service {name}"))
    }

    fn act(&self, s: &AppRunnerService, change: AppRunnerAction) -> Result<String, WriteError> {
        let op = Op::AppRunner {
            service: s.arn.clone(),
            name: s.name.clone(),
            change,
        };
        self.rt
            .block_on(self.backend.apply(&op, "token"))
            .map(|a| a.deployment.expect("the operation's id"))
    }

    /// The service once its operation `id` has settled (not in progress).
    fn settled(&self, arn: &str, id: &str) -> AppRunnerService {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.service(arn);
            let op = s.operations.iter().find(|o| o.id == id).cloned();
            if op.as_ref().is_some_and(|o| !o.in_progress()) {
                return s;
            }
            assert!(Instant::now() < deadline, "operation {id} never settled: {op:?}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

#[test]
fn services_with_their_configuration_make_fleet_rows() {
    let w = world();
    w.backend.calls().reset();
    let services = w.services();
    let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["storefront", "pricing-api", "internal-admin", "docs-site"]);
    let calls = w.backend.calls().by_operation();
    assert_eq!(calls.get("AppRunner.ListServices"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("AppRunner.DescribeService"), Some(&4), "{calls:?}");
    assert_eq!(calls.get("AppRunner.ListOperations"), Some(&4), "{calls:?}");
    let by_name = |n: &str| services.iter().find(|s| s.name == n).unwrap();

    let storefront = by_name("storefront");
    assert_eq!(storefront.status, "RUNNING");
    assert_eq!(storefront.health(), Health::Healthy);
    assert!(
        storefront.url.as_deref().is_some_and(|u| u.starts_with("https://")),
        "{storefront:?}"
    );
    assert!(matches!(&storefront.source, Source::Image { repository_type, port, .. }
        if repository_type == "ECR" && port.as_deref() == Some("8080")));
    assert!(storefront.auto_deployments);
    let scaling = storefront.scaling.as_ref().unwrap();
    assert_eq!(
        (
            scaling.name.as_str(),
            scaling.revision,
            scaling.min_size,
            scaling.max_size,
            scaling.max_concurrency
        ),
        ("high-availability", 2, 3, 10, 50)
    );
    assert_eq!(storefront.health_check.protocol, "HTTP");
    assert_eq!(storefront.health_check.path.as_deref(), Some("/healthz"));
    assert_eq!(storefront.operations.len(), 3);
    assert_eq!(storefront.operations[0].kind, "START_DEPLOYMENT");

    // Its last two deployments were rolled back: a failing health check.
    let pricing = by_name("pricing-api");
    assert_eq!(pricing.status, "RUNNING");
    assert_eq!(pricing.operations[0].status, "ROLLBACK_SUCCEEDED");
    assert_eq!(pricing.health(), Health::Failing);
    assert!(pricing.trouble().unwrap().contains("health check"));

    let admin = by_name("internal-admin");
    assert_eq!(admin.status, "PAUSED");
    assert_eq!(admin.health(), Health::Idle);
    assert!(!admin.network.public);
    assert_eq!(admin.network.egress, "VPC");
    let connector = admin.network.vpc_connector.as_ref().unwrap();
    assert_eq!(connector.name, "internal-vpc");
    assert_eq!(connector.subnets.len(), 2);
    assert_eq!(connector.security_groups.len(), 1);
    assert!(admin.kms_key.is_some());

    let docs = by_name("docs-site");
    assert!(matches!(&docs.source, Source::Code { branch, runtime, .. }
        if branch == "main" && runtime.as_deref() == Some("NODEJS_18")));

    // Auto scaling configurations and VPC connectors are read once: a revision never changes.
    w.backend.calls().reset();
    w.services();
    let calls = w.backend.calls().by_operation();
    assert_eq!(
        calls.get("AppRunner.DescribeAutoScalingConfiguration"),
        None,
        "{calls:?}"
    );
    assert_eq!(calls.get("AppRunner.DescribeVpcConnector"), None, "{calls:?}");

    // In the fleet: one row each, the failing one first.
    let mut store = bosun::store::Store::new(support::context(&w.backend), support::at());
    store.apply(bosun::domain::fetch::DataEvent::new(
        Fetch::AppRunnerServices {
            account: "test".into(),
            region: REGION.into(),
        },
        support::at(),
        Ok(Payload::AppRunnerServices(services.clone())),
    ));
    store.rebuild_fleet();
    let rows: Vec<_> = store
        .fleet
        .items()
        .iter()
        .filter(|r| r.kind == ClusterKind::AppRunner)
        .collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].name, "pricing-api");
    assert_eq!(rows[0].health, Health::Failing);
    assert_eq!(rows[0].url, pricing.url);

    // An error names the call and the region; the emulator's fault is App Runner's own.
    w.apprunner.control(
        "/_control/fail",
        serde_json::json!({"Operation": "ListServices", "Count": 1, "Error": "InvalidRequestException", "Message": "boom"}),
    );
    let err =
        w.rt.block_on(w.backend.fetch(&Fetch::AppRunnerServices {
            account: "test".into(),
            region: REGION.into(),
        }))
        .unwrap_err();
    assert!(err.message.contains("App Runner ListServices"), "{err}");
    assert!(err.message.contains("InvalidRequestException"), "{err}");
}

#[test]
fn each_action_is_followed_until_its_operation_settles() {
    let w = world();
    let storefront = w.named("storefront");

    let id = w.act(&storefront, AppRunnerAction::Deploy).unwrap();
    let during = w.service(&storefront.arn);
    assert_eq!(during.status, "OPERATION_IN_PROGRESS");
    assert_eq!(during.health(), Health::Progressing);
    let after = w.settled(&storefront.arn, &id);
    assert_eq!(after.operations[0].status, "SUCCEEDED");
    assert_eq!(after.status, "RUNNING");

    let id = w.act(&after, AppRunnerAction::Pause).unwrap();
    let paused = w.settled(&storefront.arn, &id);
    assert_eq!(paused.status, "PAUSED");
    assert_eq!(paused.operations[0].kind, "PAUSE_SERVICE");

    // The wrong state is refused by App Runner, with its code, and nothing changes.
    match w.act(&paused, AppRunnerAction::Deploy) {
        Err(WriteError::Rejected { code, message }) => {
            assert_eq!(code, "InvalidRequestException");
            assert!(message.contains("isn't in RUNNING state"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    match w.act(&paused, AppRunnerAction::Pause) {
        Err(WriteError::Rejected { code, .. }) => assert_eq!(code, "InvalidStateException"),
        other => panic!("{other:?}"),
    }
    assert_eq!(w.service(&storefront.arn).status, "PAUSED");

    let id = w.act(&paused, AppRunnerAction::Resume).unwrap();
    assert_eq!(w.settled(&storefront.arn, &id).status, "RUNNING");

    // A service whose health check fails: its deployment is rolled back.
    let pricing = w.named("pricing-api");
    let id = w.act(&pricing, AppRunnerAction::Deploy).unwrap();
    let rolled = w.settled(&pricing.arn, &id);
    assert_eq!(rolled.operations[0].status, "ROLLBACK_SUCCEEDED");
    assert_eq!(rolled.status, "RUNNING");
    assert_eq!(rolled.health(), Health::Failing);
}

/// Put CloudWatch points and log events with boto3 (the venv's), as App Runner would.
fn put(w: &World, script: &str, args: &[&str]) {
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .envs(aws_env(&w.moto.endpoint()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn metrics_and_logs_of_a_service() {
    let w = world();
    let s = w.named("storefront");
    put(
        &w,
        "import boto3,sys,datetime as d\n\
         c=boto3.client('cloudwatch',endpoint_url=sys.argv[1],region_name='us-east-1')\n\
         now=d.datetime.now(d.timezone.utc)\n\
         dims=[{'Name':'ServiceName','Value':sys.argv[2]},{'Name':'ServiceID','Value':sys.argv[3]}]\n\
         c.put_metric_data(Namespace='AWS/AppRunner',MetricData=[{'MetricName':'Requests','Dimensions':dims,'Timestamp':now-d.timedelta(minutes=m),'Value':100+m} for m in range(1,11)])\n\
         c.put_metric_data(Namespace='AWS/AppRunner',MetricData=[{'MetricName':'5xxStatusResponses','Dimensions':dims,'Timestamp':now-d.timedelta(minutes=m),'Value':3} for m in range(1,6)])",
        &[&w.moto.endpoint(), &s.name, &s.id],
    );
    let keys: Vec<_> = apprunner_series(place_of(&s.arn), &s.name, &s.id)
        .into_iter()
        .map(|(_, k)| k)
        .collect();
    w.backend.calls().reset();
    let Payload::Metrics(series) = w.fetch(Fetch::Metrics {
        window: Window::Hour,
        series: keys.clone(),
    }) else {
        panic!()
    };
    // Eight series of one service: one GetMetricData call.
    assert_eq!(
        w.backend.calls().by_operation().get("CloudWatch.GetMetricData"),
        Some(&1)
    );
    let requests = series.iter().find(|m| m.key.metric == "Requests").unwrap();
    assert!(requests.points.len() >= 9, "{requests:?}");
    assert_eq!(requests.latest(), Some(101.0));
    let errors = series.iter().find(|m| m.key.metric == "5xxStatusResponses").unwrap();
    assert_eq!(errors.latest(), Some(3.0));
    assert!(
        series
            .iter()
            .find(|m| m.key.metric == "ActiveInstances")
            .unwrap()
            .points
            .is_empty()
    );

    // Two instances' streams of the application log, read as one, then what is new.
    let group = bosun::domain::insight::apprunner_log_group(&s.name, &s.id, false);
    put(
        &w,
        "import boto3,sys,time\n\
         c=boto3.client('logs',endpoint_url=sys.argv[1],region_name='us-east-1')\n\
         c.create_log_group(logGroupName=sys.argv[2])\n\
         now=int(time.time()*1000)\n\
         for i,stream in enumerate(['instance/a1','instance/b2']):\n\
         \x20   c.create_log_stream(logGroupName=sys.argv[2],logStreamName=stream)\n\
         \x20   c.put_log_events(logGroupName=sys.argv[2],logStreamName=stream,logEvents=[{'timestamp':now-60000+k*2000+i*1000,'message':f'{stream} line {k}'} for k in range(3)])",
        &[&w.moto.endpoint(), &group],
    );
    let logs = Fetch::Logs {
        account: "test".into(),
        region: REGION.into(),
        group: group.clone(),
        stream: bosun::domain::insight::ALL_STREAMS.into(),
    };
    let Payload::Logs { lines, reset } = w.fetch(logs.clone()) else {
        panic!()
    };
    assert!(reset);
    let messages: Vec<&str> = lines.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "instance/a1 line 0",
            "instance/b2 line 0",
            "instance/a1 line 1",
            "instance/b2 line 1",
            "instance/a1 line 2",
            "instance/b2 line 2"
        ]
    );
    let Payload::Logs { lines, reset } = w.fetch(logs.clone()) else {
        panic!()
    };
    assert!(!reset);
    assert!(lines.is_empty(), "nothing new: {lines:?}");
    put(
        &w,
        "import boto3,sys,time\n\
         c=boto3.client('logs',endpoint_url=sys.argv[1],region_name='us-east-1')\n\
         c.put_log_events(logGroupName=sys.argv[2],logStreamName='instance/b2',logEvents=[{'timestamp':int(time.time()*1000),'message':'new'}])",
        &[&w.moto.endpoint(), &group],
    );
    let Payload::Logs { lines, .. } = w.fetch(logs) else {
        panic!()
    };
    assert_eq!(lines.iter().map(|l| l.message.as_str()).collect::<Vec<_>>(), ["new"]);
}

#[test]
fn headless_apprunner_and_the_fleet() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let snapshot = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_bosun"))
            .arg("snapshot")
            .args(args)
            .args(["--region", REGION])
            .arg("--log-file")
            .arg(dir.path().join("bosun.log"))
            .envs(aws_env(&w.moto.endpoint()))
            .env("AWS_ENDPOINT_URL_APPRUNNER", w.apprunner.endpoint())
            .env("BOSUN_NO_APPRUNNER", "0")
            .env("AWS_ENDPOINT_URL_CLOUDWATCH", w.proxy.endpoint())
            .output()
            .unwrap()
    };
    let out = snapshot(&["apprunner"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("STATUS") && lines[0].contains("URL"),
        "{table}"
    );
    // Worst first: the failing health check, then the healthy ones, the paused last.
    assert!(
        lines[1].starts_with("pricing-api ") && lines[1].contains("failing"),
        "{table}"
    );
    assert!(
        lines[4].starts_with("internal-admin ") && lines[4].contains("PAUSED"),
        "{table}"
    );

    let out = snapshot(&["apprunner", "--service", "internal-admin", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["status"], "PAUSED");
    assert_eq!(json[0]["network"]["vpc_connector"]["name"], "internal-vpc");
    let out = snapshot(&["apprunner", "--service", "nope"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no App Runner service named `nope`"));

    let out = snapshot(&["fleet", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let apprunner: Vec<&serde_json::Value> = rows.iter().filter(|r| r["kind"] == "AppRunner").collect();
    assert_eq!(apprunner.len(), 4, "{rows:#?}");
    let pricing = apprunner.iter().find(|r| r["name"] == "pricing-api").unwrap();
    assert_eq!(pricing["health"], "Failing");
    assert!(pricing["url"].as_str().unwrap().starts_with("https://"));
}
