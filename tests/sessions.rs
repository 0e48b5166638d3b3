//! Sessions against the emulators, through the network: ECS Exec and SSM port forwarding
//! hand `session-manager-plugin` (the test tree's stand-in, which records its arguments)
//! exactly what the AWS CLI hands it, run side by side on the same moto; the errors exec
//! can meet say why; Kubernetes exec and port-forward go through the API emulator's
//! WebSocket subresources with the real `kube` client. The raw resource (`:json`,
//! `:yaml`) read back from both, in the APIs' own field names.

mod support;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use bosun::domain::session::{Ports, Target};
use bosun::ops::session::{Sessions, Shell};
use serde_json::Value;
use support::servers::{
    ExecFleet as Fleet, Moto, aws_backend_with_plugin, aws_env, aws_json, exec_fleet as fleet, kube_world, plugin,
    recording_plugin, repo,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";

fn ecs_target(fleet: &Fleet, task: &str, container: &str) -> Target {
    Target::Ecs {
        cluster: fleet.cluster.clone(),
        task: task.to_string(),
        container: container.into(),
        runtime_id: None,
    }
}

/// Read what a shell writes into `seen` until it holds `wanted` (10 s at most).
async fn read_until(output: &mut Box<dyn tokio::io::AsyncRead + Send + Unpin>, seen: &mut String, wanted: &str) {
    let mut buf = [0u8; 4096];
    while !seen.contains(wanted) {
        let n = tokio::time::timeout(Duration::from_secs(10), output.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("waited for {wanted:?}: {seen:?}"))
            .unwrap();
        assert!(n > 0, "the shell ended before {wanted:?}: {seen:?}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
}

/// Send `payload` through a new connection of `tunnel` and read as many bytes back.
async fn echo(tunnel: &dyn bosun::ops::session::Tunnel, payload: &[u8]) -> Vec<u8> {
    let mut io = tunnel.connect().await.expect("a connection through the tunnel");
    io.write_all(payload).await.unwrap();
    let mut back = vec![0u8; payload.len()];
    tokio::time::timeout(Duration::from_secs(10), io.read_exact(&mut back))
        .await
        .expect("the bytes come back")
        .unwrap();
    back
}

/// The plugin calls recorded in `log`, in order.
fn calls(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The sessions moto recorded.
fn sessions(moto: &Moto) -> Vec<Value> {
    let answer = moto.get("/_bosun/sessions");
    answer["sessions"]
        .as_array()
        .or(answer.as_array())
        .cloned()
        .unwrap_or_default()
}

/// The keys of a JSON object, sorted, lowercased (the plugin reads them case-insensitively).
fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().map(|k| k.to_lowercase()).collect();
    k.sort();
    k
}

/// The backend bosun would run with in `k`: its moto, its kubeconfig, the plugin stand-in.
async fn kube_backend(k: &support::servers::KubeWorld) -> bosun::source::aws::AwsBackend {
    aws_backend_with_plugin(&k.moto.endpoint(), &[REGION], plugin(), Some(&k.config)).await
}

/// The AWS CLI against `moto`, with the plugin stand-in first on its PATH, recording to
/// `log`.
fn cli_with_plugin(moto: &Moto, log: &std::path::Path) -> Command {
    let path = format!(
        "{}:{}",
        repo().join("tests/servers").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cli = Command::new(support::servers::aws_cli());
    cli.envs(aws_env(&moto.endpoint()))
        .env("PATH", path)
        .env("BOSUN_TEST_PLUGIN_LOG", log);
    cli
}

/// `aws ecs execute-command` and bosun's ECS Exec give the plugin the same arguments: the
/// session (same fields, its own values), the region, `StartSession`, the profile, the
/// `ecs:CLUSTER_TASKID_RUNTIMEID` target and the ECS endpoint. The shell answers through
/// it, and moto recorded one ExecuteCommand for each.
#[tokio::test(flavor = "multi_thread")]
async fn ecs_exec_hands_the_plugin_what_the_aws_cli_hands_it() {
    let moto = Moto::start();
    let fleet = fleet(&moto);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("plugin.log");
    let mut cli = cli_with_plugin(&moto, &log)
        .args([
            "ecs",
            "execute-command",
            "--cluster",
            "exec",
            "--task",
            &fleet.task,
            "--container",
            "app",
            "--interactive",
            "--command",
            "/bin/sh",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    cli.stdin.take().unwrap().write_all(b"hostname\nexit\n").unwrap();
    let cli_out = cli.wait_with_output().unwrap();
    assert!(cli_out.status.success(), "{}", String::from_utf8_lossy(&cli_out.stderr));

    let backend = aws_backend_with_plugin(&moto.endpoint(), &[REGION], plugin(), None).await;
    let shell = backend
        .shell(&ecs_target(&fleet, &fleet.task, "app"), "/bin/sh", (80, 24))
        .await
        .expect("a shell");
    let Shell::Program(program) = shell else {
        panic!("ECS Exec is the plugin's")
    };
    assert_eq!(program.program, plugin());
    let mut ours = Command::new(&program.program)
        .args(&program.args)
        .envs(program.env.iter().map(|(k, v)| (k, v)))
        .env("BOSUN_TEST_PLUGIN_LOG", &log)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    ours.stdin.take().unwrap().write_all(b"hostname\nexit\n").unwrap();
    let ours_out = ours.wait_with_output().unwrap();
    assert!(ours_out.status.success());
    let task_id = fleet.task.rsplit('/').next().unwrap();
    let said = String::from_utf8_lossy(&ours_out.stdout);
    assert!(
        said.contains(task_id),
        "hostname answers the task id through the session: {said}"
    );

    let calls: Vec<Value> = calls(&log).into_iter().filter(|c| c["mode"] == "shell").collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    let (cli, bosun) = (&calls[0], &calls[1]);
    let (a, b) = (cli["argv"].as_array().unwrap(), bosun["argv"].as_array().unwrap());
    assert_eq!(
        a.len(),
        6,
        "RESPONSE REGION StartSession PROFILE PARAMETERS ENDPOINT: {a:?}"
    );
    assert_eq!(b.len(), a.len(), "{b:?}");
    assert_eq!(keys(&cli["response"]), keys(&bosun["response"]));
    assert_eq!(keys(&bosun["response"]), ["sessionid", "streamurl", "tokenvalue"]);
    assert_ne!(
        cli["response"]["sessionId"], bosun["response"]["sessionId"],
        "each its own session"
    );
    assert_eq!(a[1], b[1], "region");
    assert_eq!(b[2], "StartSession");
    // The CLI ran with no --profile; bosun signs in with the fleet's profile `test`.
    assert_eq!(a[3], "");
    assert_eq!(b[3], "test");
    assert_eq!(cli["parameters"], bosun["parameters"]);
    let moto_sessions = sessions(&moto);
    let runtime = moto_sessions[0]["runtimeId"].as_str().unwrap();
    assert_eq!(
        bosun["parameters"]["Target"],
        format!("ecs:exec_{task_id}_{runtime}"),
        "the target names cluster, task and the container's runtime id"
    );
    assert_eq!(a[5], b[5], "the ECS endpoint");
    assert_eq!(b[5], moto.endpoint());
    assert_eq!(
        cli["responseFrom"], "argv",
        "the CLI puts the session on the command line"
    );
    assert_eq!(
        bosun["responseFrom"], "env",
        "bosun passes it in AWS_SSM_START_SESSION_RESPONSE: no token for `ps` to show"
    );
    assert_eq!(b[0], "AWS_SSM_START_SESSION_RESPONSE");
    let execs: Vec<&Value> = moto_sessions.iter().filter(|s| s["service"] == "ecs").collect();
    assert_eq!(execs.len(), 2, "one ExecuteCommand each: {moto_sessions:?}");
    assert_eq!(execs[1]["containerName"], "app");
    assert_eq!(execs[1]["request"]["interactive"], true);
}

/// An SSM port forward through the task: StartSession with the forwarding document, the
/// plugin given the answer in AWS_SSM_START_SESSION_RESPONSE and the request as the CLI
/// gives it; bytes sent to bosun's local port come back. Through the task to a host: the
/// ToRemoteHost document with its `host`.
#[tokio::test(flavor = "multi_thread")]
async fn an_ssm_forward_is_the_clis_and_carries_bytes() {
    let moto = Moto::start();
    let fleet = fleet(&moto);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("plugin.log");
    let recording = recording_plugin(dir.path(), &log);
    let backend = aws_backend_with_plugin(&moto.endpoint(), &[REGION], recording, None).await;
    let target = ecs_target(&fleet, &fleet.task, "app");
    let ports = Ports {
        local: 0,
        host: None,
        remote: 8080,
    };
    let tunnel = backend.tunnel(&target, &ports).await.expect("a tunnel");
    for payload in [&b"hello"[..], b"second connection"] {
        assert_eq!(echo(tunnel.as_ref(), payload).await, payload);
    }
    let remote = Ports {
        local: 0,
        host: Some("db.internal".into()),
        remote: 5432,
    };
    let through = backend.tunnel(&target, &remote).await.expect("a tunnel to a host");
    drop(through);
    drop(tunnel);

    let port_calls: Vec<Value> = calls(&log).into_iter().filter(|c| c["mode"] == "port").collect();
    assert_eq!(port_calls.len(), 2, "{port_calls:?}");
    let first = &port_calls[0];
    let argv = first["argv"].as_array().unwrap();
    assert_eq!(
        argv[0], "AWS_SSM_START_SESSION_RESPONSE",
        "the answer by the variable's name"
    );
    assert_eq!(first["responseFrom"], "env");
    assert_eq!(keys(&first["response"]), ["sessionid", "streamurl", "tokenvalue"]);
    assert_eq!(argv[1], REGION);
    assert_eq!(argv[2], "StartSession");
    assert_eq!(argv[3], "test", "the fleet's profile");
    assert_eq!(argv[5], moto.endpoint(), "the SSM endpoint");
    let described = aws_json(
        &moto.endpoint(),
        &["ecs", "describe-tasks", "--cluster", "exec", "--tasks", &fleet.task],
    );
    let runtime = described["tasks"][0]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "app")
        .unwrap()["runtimeId"]
        .as_str()
        .unwrap()
        .to_string();
    let task_id = fleet.task.rsplit('/').next().unwrap();
    let wanted_target = format!("ecs:exec_{task_id}_{runtime}");
    assert_eq!(first["parameters"]["Target"], wanted_target.as_str());
    assert_eq!(first["parameters"]["DocumentName"], "AWS-StartPortForwardingSession");
    assert_eq!(
        first["parameters"]["Parameters"]["portNumber"],
        serde_json::json!(["8080"])
    );
    let second = &port_calls[1]["parameters"];
    assert_eq!(second["DocumentName"], "AWS-StartPortForwardingSessionToRemoteHost");
    assert_eq!(second["Parameters"]["host"], serde_json::json!(["db.internal"]));
    assert_eq!(second["Parameters"]["portNumber"], serde_json::json!(["5432"]));

    // The CLI's request for the same forward: the same fields.
    let cli_log = dir.path().join("cli.log");
    let local = first["parameters"]["Parameters"]["localPortNumber"][0]
        .as_str()
        .unwrap()
        .to_string();
    let parameters = format!(r#"{{"portNumber":["8080"],"localPortNumber":["{local}"]}}"#);
    let mut cli = cli_with_plugin(&moto, &cli_log)
        .args([
            "ssm",
            "start-session",
            "--target",
            &wanted_target,
            "--document-name",
            "AWS-StartPortForwardingSession",
            "--parameters",
            &parameters,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let cli_call = loop {
        if let Some(call) = calls(&cli_log).into_iter().find(|c| c["mode"] == "port") {
            break call;
        }
        assert!(std::time::Instant::now() < deadline, "the CLI never started the plugin");
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = cli.kill();
    let _ = cli.wait();
    let cli_argv = cli_call["argv"].as_array().unwrap();
    assert_eq!(cli_argv[0], argv[0], "both pass the answer in the same variable");
    assert_eq!(cli_argv[1..3], argv[1..3]);
    assert_eq!(cli_argv[3], "", "the CLI ran with no --profile");
    assert_eq!(cli_argv[5], argv[5]);
    assert_eq!(cli_call["parameters"]["Target"], first["parameters"]["Target"]);
    assert_eq!(
        cli_call["parameters"]["DocumentName"],
        first["parameters"]["DocumentName"]
    );
    assert_eq!(cli_call["parameters"]["Parameters"], first["parameters"]["Parameters"]);
    assert_eq!(keys(&cli_call["response"]), keys(&first["response"]));
}

/// Each reason exec cannot work is one line with its fix: the plugin missing (said before
/// any call: moto records no session), access denied (names the permission and that the
/// caller needs it), the agent not connected (names the task role's ssmmessages
/// permissions), a task run without ECS Exec.
#[tokio::test(flavor = "multi_thread")]
async fn exec_errors_say_why_and_the_fix() {
    let moto = Moto::start();
    let fleet = fleet(&moto);
    let target = ecs_target(&fleet, &fleet.task, "app");

    let missing = aws_backend_with_plugin(
        &moto.endpoint(),
        &[REGION],
        "/nonexistent/session-manager-plugin".into(),
        None,
    )
    .await;
    let Err(why) = missing.shell(&target, "/bin/sh", (80, 24)).await else {
        panic!("no plugin, no shell")
    };
    assert!(why.starts_with("session-manager-plugin is not on PATH"), "{why}");
    assert!(
        why.contains("session-manager-working-with-install-plugin"),
        "where to get it: {why}"
    );
    let Err(why) = missing.tunnel(&target, &Ports::parse("8080:80").unwrap()).await else {
        panic!("no plugin, no forward")
    };
    assert!(why.starts_with("session-manager-plugin is not on PATH"), "{why}");
    assert!(sessions(&moto).is_empty(), "nothing was called");

    let backend = aws_backend_with_plugin(&moto.endpoint(), &[REGION], plugin(), None).await;
    moto.control("/_bosun/deny", serde_json::json!({"action": "ecs:ExecuteCommand"}));
    let Err(why) = backend.shell(&target, "/bin/sh", (80, 24)).await else {
        panic!("denied")
    };
    assert!(why.contains("the caller needs ecs:ExecuteCommand"), "{why}");
    assert!(
        why.contains("is not authorized to perform: ecs:ExecuteCommand"),
        "AWS's own words kept: {why}"
    );
    moto.control(
        "/_bosun/deny",
        serde_json::json!({"action": "ecs:ExecuteCommand", "denied": false}),
    );

    moto.control("/_bosun/deny", serde_json::json!({"action": "ssm:StartSession"}));
    let Err(why) = backend.tunnel(&target, &Ports::parse("8080:80").unwrap()).await else {
        panic!("denied")
    };
    assert!(why.contains("the caller needs ssm:StartSession"), "{why}");
    moto.control(
        "/_bosun/deny",
        serde_json::json!({"action": "ssm:StartSession", "denied": false}),
    );

    moto.control(
        "/_bosun/ecs/agent",
        serde_json::json!({"taskArn": fleet.task, "container": "app", "connected": false}),
    );
    let Err(why) = backend.shell(&target, "/bin/sh", (80, 24)).await else {
        panic!("not connected")
    };
    assert!(
        why.contains("the task role needs ssmmessages:CreateControlChannel"),
        "{why}"
    );

    let Err(why) = backend
        .shell(&ecs_target(&fleet, &fleet.plain, "app"), "/bin/sh", (80, 24))
        .await
    else {
        panic!("a task without ECS Exec")
    };
    assert!(why.contains("ECS Exec is not on for this task"), "{why}");
}

/// Kubernetes exec through the API server's exec subresource (WebSocket, the real `kube`
/// client): a TTY shell answers what is typed and ends with its exit; port-forward to a
/// pod's port echoes bytes back; an unknown container is the API server's own error.
#[tokio::test(flavor = "multi_thread")]
async fn kubernetes_exec_and_port_forward_through_the_api_server() {
    let k = kube_world();
    let backend = kube_backend(&k).await;
    let cluster = k.cluster.clone();
    let pod = |container: &str| Target::Pod {
        cluster: cluster.clone(),
        namespace: "shop".into(),
        pod: "checkout-6d8f9c7b5d-2xk9p".into(),
        container: container.into(),
    };

    let Ok(Shell::Stream(mut stream)) = backend.shell(&pod("checkout"), "/bin/sh", (100, 30)).await else {
        panic!("a Kubernetes exec is a stream")
    };
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    // The prompt first: the terminal's size has been sent by then.
    read_until(&mut stream.output, &mut seen, "# ").await;
    stream.input.write_all(b"echo hello from bosun\r").await.unwrap();
    // The size goes on its own channel, beside what is typed: ask until it has landed.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !(seen.contains("hello from bosun\r\n") && seen.contains("30 100")) {
        assert!(std::time::Instant::now() < deadline, "the shell answers: {seen:?}");
        stream.input.write_all(b"stty size\r").await.unwrap();
        if let Ok(read) = tokio::time::timeout(Duration::from_millis(500), stream.output.read(&mut buf)).await {
            let n = read.unwrap();
            assert!(n > 0, "the shell ended early: {seen:?}");
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }
    let resize = stream.resize.clone().expect("a TTY resizes");
    resize.send((120, 40)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stream.input.write_all(b"stty size\r").await.unwrap();
    read_until(&mut stream.output, &mut seen, "40 120").await;
    stream.input.write_all(b"exit 3\r").await.unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(10), stream.done)
        .await
        .expect("the exec ends");
    let how = ended.unwrap();
    assert!(how.contains("3") || how.contains("exit"), "how it ended: {how}");

    let Err(why) = backend.shell(&pod("nope"), "/bin/sh", (80, 24)).await else {
        panic!("no such container")
    };
    assert!(why.contains("nope"), "{why}");

    let tunnel = backend
        .tunnel(&pod("checkout"), &Ports::parse("18080:8080").unwrap())
        .await
        .expect("a pod tunnel");
    for payload in [&b"GET / HTTP/1.0\r\n\r\n"[..], b"again"] {
        assert_eq!(echo(tunnel.as_ref(), payload).await, payload);
    }
    // A Service: one of its ready pods, at the port its own port targets (a named one too).
    let service = |name: &str| Target::KubeService {
        cluster: cluster.clone(),
        namespace: "shop".into(),
        name: name.into(),
    };
    let tunnel = backend
        .tunnel(&service("checkout"), &Ports::parse("18081:80").unwrap())
        .await
        .expect("a Service tunnel");
    assert_eq!(echo(tunnel.as_ref(), b"via the service").await, b"via the service");
    let Err(why) = backend
        .tunnel(&service("checkout"), &Ports::parse("18081:81").unwrap())
        .await
    else {
        panic!("no such Service port")
    };
    assert_eq!(why, "service shop/checkout has no port 81 (it has 80)");
    let Err(why) = backend.shell(&service("checkout"), "/bin/sh", (80, 24)).await else {
        panic!("a Service has no shell")
    };
    assert!(why.contains("a shell goes into a pod"), "{why}");
    let Err(why) = backend
        .tunnel(&pod("checkout"), &Ports::parse("18080:db:5432").unwrap())
        .await
    else {
        panic!("a pod forward has no HOST")
    };
    assert!(
        why.contains("is reached on its own ports: db is for a forward through an ECS task"),
        "{why}"
    );
}

/// `:json` against moto: what the describe call returned, in AWS's field names (ECS JSON
/// as it came; ELB's XML answer as JSON, `member` lists as arrays); a resource that is not
/// there is an error that says so. `:yaml` against the Kubernetes emulator: the object as
/// the API server serves it, managedFields only when asked for, a Secret's values masked.
#[tokio::test(flavor = "multi_thread")]
async fn the_raw_resource_from_moto_and_the_api_server() {
    use bosun::domain::fetch::{Fetch, Payload};
    use bosun::domain::raw::RawTarget;
    use bosun::source::Backend;
    let k = kube_world();
    let moto = &k.moto;
    let fleet = fleet(moto);
    let seeded = moto.seed("insight");
    let config = k.config.clone();
    let backend = kube_backend(&k).await;
    let raw = |target: RawTarget| {
        let backend = &backend;
        async move {
            match backend.fetch(&Fetch::Raw { target }).await {
                Ok(Payload::Raw(doc)) => Ok(*doc),
                Ok(other) => panic!("{other:?}"),
                Err(e) => Err(e.message),
            }
        }
    };
    let task = raw(RawTarget::Task {
        cluster: fleet.cluster.clone(),
        arn: fleet.task.clone(),
    })
    .await
    .unwrap();
    assert_eq!(task.source, "ECS DescribeTasks");
    assert_eq!(task.value["taskArn"], fleet.task.as_str());
    assert_eq!(task.value["enableExecuteCommand"], true);
    assert_eq!(
        task.value["containers"][0]["managedAgents"][0]["name"],
        "ExecuteCommandAgent"
    );
    assert!(task.value["containers"][0]["runtimeId"].is_string(), "{}", task.value);

    let cluster = raw(RawTarget::EcsCluster {
        arn: fleet.cluster.clone(),
    })
    .await
    .unwrap();
    assert_eq!(cluster.value["clusterName"], "exec");
    let td = raw(RawTarget::TaskDefinition {
        arn: task.value["taskDefinitionArn"].as_str().unwrap().to_string(),
    })
    .await
    .unwrap();
    assert_eq!(td.value["taskDefinition"]["family"], "web");
    assert_eq!(td.value["taskDefinition"]["containerDefinitions"][1]["name"], "sidecar");

    let tg = seeded["target_group"].as_str().unwrap();
    let group = raw(RawTarget::TargetGroup { arn: tg.to_string() }).await.unwrap();
    assert_eq!(group.source, "ELB DescribeTargetGroups");
    assert_eq!(group.value["TargetGroupArn"], tg);
    assert_eq!(group.value["TargetGroupName"], "web-tg");
    assert_eq!(group.value["HealthCheckPath"], "/health");
    assert!(group.value["LoadBalancerArns"].is_array(), "{}", group.value);

    let repo = raw(RawTarget::Repository {
        account: "test".into(),
        region: REGION.into(),
        name: "web".into(),
    })
    .await
    .unwrap();
    assert_eq!(repo.source, "ECR DescribeRepositories");
    assert_eq!(repo.value["repositoryName"], "web");
    assert_eq!(repo.value["imageScanningConfiguration"]["scanOnPush"], true);

    let eks = raw(RawTarget::EksCluster {
        arn: format!("arn:aws:eks:{REGION}:{ACCOUNT}:cluster/platform"),
    })
    .await
    .unwrap();
    assert_eq!(eks.value["name"], "platform");

    let gone = raw(RawTarget::Task {
        cluster: fleet.cluster.clone(),
        arn: format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task/exec/0000"),
    })
    .await
    .unwrap_err();
    assert!(gone.contains("not found"), "{gone}");

    let cluster = k.cluster.clone();
    let pod = |managed: bool| RawTarget::Kube {
        cluster: cluster.clone(),
        kind: "pods".into(),
        namespace: Some("shop".into()),
        name: "checkout-6d8f9c7b5d-2xk9p".into(),
        managed,
    };
    let plain = raw(pod(false)).await.unwrap();
    assert_eq!(plain.value["kind"], "Pod");
    assert!(
        plain
            .source
            .contains("/api/v1/namespaces/shop/pods/checkout-6d8f9c7b5d-2xk9p"),
        "{}",
        plain.source
    );
    assert!(plain.value["metadata"].get("managedFields").is_none());
    // A ConfigMap written with its managedFields (as an API server keeps them): hidden
    // unless asked for.
    let client = kube::Client::try_from(
        kube::Config::from_custom_kubeconfig(
            kube::config::Kubeconfig::read_from(&config).unwrap(),
            &Default::default(),
        )
        .await
        .unwrap(),
    )
    .unwrap();
    let maps: kube::Api<k8s_openapi::api::core::v1::ConfigMap> = kube::Api::namespaced(client, "shop");
    let written: k8s_openapi::api::core::v1::ConfigMap = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "managed", "namespace": "shop", "managedFields": [{
            "manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1",
            "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:mode": {}}}
        }]},
        "data": {"mode": "on"}
    }))
    .unwrap();
    maps.create(&Default::default(), &written).await.unwrap();
    let map = |managed: bool| RawTarget::Kube {
        cluster: cluster.clone(),
        kind: "configmaps".into(),
        namespace: Some("shop".into()),
        name: "managed".into(),
        managed,
    };
    let hidden = raw(map(false)).await.unwrap();
    assert!(
        hidden.value["metadata"].get("managedFields").is_none(),
        "{}",
        hidden.value
    );
    assert_eq!(hidden.value["data"]["mode"], "on");
    let shown = raw(map(true)).await.unwrap();
    assert_eq!(
        shown.value["metadata"]["managedFields"][0]["manager"], "kubectl-client-side-apply",
        "asked for: {}",
        shown.value
    );
    let secrets = aws_secret_names();
    if let Some((ns, name)) = secrets.first() {
        let secret = raw(RawTarget::Kube {
            cluster: cluster.clone(),
            kind: "secrets".into(),
            namespace: Some(ns.clone()),
            name: name.clone(),
            managed: false,
        })
        .await
        .unwrap();
        let data = secret.value["data"].as_object().expect("a Secret with data");
        assert!(
            data.values()
                .all(|v| v.as_str().unwrap_or_default().ends_with("hidden>")),
            "{data:?}"
        );
    } else {
        panic!("the emulator's seed has a Secret");
    }
}

/// The Secrets of the emulator's seed with data, (namespace, name).
fn aws_secret_names() -> Vec<(String, String)> {
    let seed: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("tests/servers/kube_seed.json")).unwrap()).unwrap();
    seed["demo"]["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "Secret" && o["data"].is_object())
        .map(|o| {
            (
                o["metadata"]["namespace"].as_str().unwrap_or_default().to_string(),
                o["metadata"]["name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}
