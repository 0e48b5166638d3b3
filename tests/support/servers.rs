//! The emulators the tests run against: moto (AWS) from the venv `scripts/test` makes, and
//! a TCP proxy that can drop the connection, for "the endpoint went away".

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bosun::source::aws::{AwsBackend, AwsOptions};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's Python: `BOSUN_TEST_PYTHON`, else `.venv-test/bin/python`.
pub fn python() -> PathBuf {
    let python = std::env::var_os("BOSUN_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-test/bin/python"));
    assert!(
        python.exists(),
        "the test servers are not set up ({} is missing): run scripts/test, which makes the venv \
         from tests/servers/requirements.txt",
        python.display()
    );
    python
}

/// The `aws` CLI of the venv, to compare bosun with.
pub fn aws_cli() -> PathBuf {
    python().with_file_name("aws")
}

/// A test server started from `tests/servers/`: it prints `PORT <n>` once it listens on
/// 127.0.0.1, and serves until its stdin closes. Stopped when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn spawn(script: &str, args: &[&str], what: &str) -> Server {
        let mut child = Command::new(python())
            .arg(repo().join("tests/servers").join(script))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("{what} did not say its port: {line:?}"));
        Server { child, port }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The servers below are a [`Server`] each, with what their tests need of them.
macro_rules! server {
    ($name:ident) => {
        impl std::ops::Deref for $name {
            type Target = Server;
            fn deref(&self) -> &Server {
                &self.0
            }
        }
    };
}

/// A moto server on a free 127.0.0.1 port, stopped when dropped (or when the test process
/// ends: it serves until its stdin closes).
pub struct Moto(Server);
server!(Moto);

impl Moto {
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    /// `--auth` makes moto refuse unknown keys, as AWS refuses bad credentials.
    pub fn start_with(args: &[&str]) -> Moto {
        Moto(Server::spawn("moto_server.py", args, "moto"))
    }

    /// Seed a scenario of `tests/servers/seed.py`; returns what it made.
    pub fn seed(&self, scenario: &str) -> serde_json::Value {
        seed(&self.endpoint(), scenario)
    }

    /// POST to one of the test server's control endpoints (`/_bosun/...`, see
    /// `tests/servers/moto_deploy.py`) and parse its answer.
    pub fn control(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        request_json(self.port, "POST", path, &body.to_string())
    }

    /// GET one of the test server's control endpoints (`/_bosun/sessions`).
    pub fn get(&self, path: &str) -> serde_json::Value {
        request_json(self.port, "GET", path, "")
    }
}

/// A `session-manager-plugin` in `dir` that runs the stand-in with its calls recorded in
/// `log` (whoever starts it, whatever their environment).
pub fn recording_plugin(dir: &Path, log: &Path) -> PathBuf {
    let path = dir.join("session-manager-plugin");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nBOSUN_TEST_PLUGIN_LOG='{}' exec '{}' \"$@\"\n",
            log.display(),
            plugin().display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

pub fn seed(endpoint: &str, scenario: &str) -> serde_json::Value {
    let out = Command::new(python())
        .arg(repo().join("tests/servers/seed.py"))
        .args([endpoint, scenario])
        .output()
        .expect("run the seed script");
    assert!(
        out.status.success(),
        "seeding failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the seed script prints JSON")
}

/// The CloudWatch CBOR → JSON translator in front of a moto (test only: the SDK speaks
/// RPCv2-CBOR to CloudWatch, moto does not).
pub struct CborProxy(Server);
server!(CborProxy);

impl CborProxy {
    pub fn start(upstream: &str) -> CborProxy {
        CborProxy(Server::spawn("cbor_proxy.py", &[upstream], "the CBOR proxy"))
    }
}

/// The environment that points the real binary (and the aws CLI) at an endpoint.
pub fn aws_env(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", endpoint.to_string()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_DEFAULT_REGION", "us-east-1".into()),
        ("AWS_CONFIG_FILE", "/dev/null".into()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("BOSUN_AWS_MAX_ATTEMPTS", "1".into()),
        // moto does not serve App Runner: its own tests use its emulator (and say "0").
        ("BOSUN_NO_APPRUNNER", "1".into()),
    ]
}

/// Run the venv's `aws` CLI against `endpoint` and parse its JSON answer.
pub fn aws_json(endpoint: &str, args: &[&str]) -> serde_json::Value {
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

/// What every test backend shares: fixed keys, one attempt per call (moto answers what it
/// lacks with 500s that retries would only repeat), everything sent to `endpoint`.
fn test_options(endpoint: &str, regions: &[&str]) -> AwsOptions {
    AwsOptions {
        profiles: vec!["test".into()],
        regions: regions.iter().map(|r| r.to_string()).collect(),
        max_attempts: Some(1),
        endpoint_url: Some(endpoint.to_string()),
        static_keys: Some(("testing".into(), "testing".into())),
        kube: Default::default(),
        // moto does not serve App Runner: its own tests use its emulator.
        no_apprunner: true,
        ..AwsOptions::default()
    }
}

async fn backend_of(options: AwsOptions) -> AwsBackend {
    AwsBackend::new(options).await.expect("an AWS backend")
}

/// The stand-in `session-manager-plugin` of the test tree.
pub fn plugin() -> PathBuf {
    repo().join("tests/servers/session-manager-plugin")
}

/// [`aws_backend`] that runs `plugin` as `session-manager-plugin`, and reaches
/// Kubernetes through `kubeconfig` when given.
pub async fn aws_backend_with_plugin(
    endpoint: &str,
    regions: &[&str],
    plugin: PathBuf,
    kubeconfig: Option<&Path>,
) -> AwsBackend {
    let mut options = test_options(endpoint, regions);
    options.session_plugin = Some(plugin);
    if let Some(config) = kubeconfig {
        options.kube.kubeconfig = Some(config.to_path_buf());
    }
    backend_of(options).await
}

/// A backend on the real SDK clients, pointed at `endpoint`.
pub async fn aws_backend(endpoint: &str, regions: &[&str]) -> AwsBackend {
    backend_of(test_options(endpoint, regions)).await
}

/// [`aws_backend`] that reaches Kubernetes through `kubeconfig`.
pub async fn aws_backend_with_kube(endpoint: &str, regions: &[&str], kubeconfig: &Path) -> AwsBackend {
    let mut options = test_options(endpoint, regions);
    options.kube.kubeconfig = Some(kubeconfig.to_path_buf());
    backend_of(options).await
}

/// [`aws_backend`] that signs in to Kubernetes with an EKS IAM token, at `server` instead of
/// the cluster's endpoint (moto's is not a real server).
pub async fn aws_backend_with_eks_token(endpoint: &str, regions: &[&str], server: &str) -> AwsBackend {
    let mut options = test_options(endpoint, regions);
    // A file that does not exist: no kubeconfig context, whatever this machine has.
    options.kube.kubeconfig = Some(PathBuf::from("/nonexistent/kubeconfig"));
    options.kube.endpoint_url = Some(server.to_string());
    backend_of(options).await
}

/// [`aws_backend`] with CloudWatch through a [`CborProxy`].
pub async fn aws_backend_with_cloudwatch(endpoint: &str, cloudwatch: &str, regions: &[&str]) -> AwsBackend {
    let mut options = test_options(endpoint, regions);
    options.cloudwatch_endpoint = Some(cloudwatch.to_string());
    backend_of(options).await
}

/// [`aws_backend`] with CloudWatch through a [`CborProxy`] and App Runner at its emulator.
pub async fn aws_backend_with_apprunner(
    endpoint: &str,
    cloudwatch: &str,
    apprunner: &str,
    regions: &[&str],
) -> AwsBackend {
    let mut options = test_options(endpoint, regions);
    options.cloudwatch_endpoint = Some(cloudwatch.to_string());
    options.apprunner_endpoint = Some(apprunner.to_string());
    options.no_apprunner = false;
    backend_of(options).await
}

/// The App Runner emulator (`tests/servers/apprunner_server.py`) on a free port.
pub struct AppRunner(Server);
server!(AppRunner);

impl AppRunner {
    pub fn start(args: &[&str]) -> AppRunner {
        AppRunner(Server::spawn("apprunner_server.py", args, "the App Runner emulator"))
    }

    /// POST a control request (`/_control/health`, ...) and parse its answer.
    pub fn control(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        request_json(self.port, "POST", path, &body.to_string())
    }
}

/// One HTTP/1.1 request to a test server's control endpoint, its JSON answer (a 200).
fn request_json(port: u16, method: &str, path: &str, body: &str) -> serde_json::Value {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("reach the test server");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    assert!(head.starts_with("HTTP/1.1 200"), "{method} {path}: {answer}");
    serde_json::from_str(body).expect("a JSON answer")
}

/// The Kubernetes API emulator (`tests/servers/kube_server.py`, kmock) on a free port.
pub struct KubeServer(Server);
server!(KubeServer);

impl KubeServer {
    pub fn start(args: &[&str]) -> KubeServer {
        KubeServer(Server::spawn("kube_server.py", args, "the Kubernetes emulator"))
    }
}

/// A kubeconfig whose context `context` reaches `server` with a bearer token.
pub fn kubeconfig(dir: &Path, context: &str, server: &str, token: &str) -> PathBuf {
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\n\
         users:\n- name: oncall\n  user:\n    token: {token}\n\
         contexts:\n- name: {context}\n  context:\n    cluster: c\n    user: oncall\n\
         current-context: {context}\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A TCP proxy in front of a server that can be switched off: while down, it refuses
/// every connection and cuts the open ones.
pub struct Proxy {
    pub port: u16,
    up: Arc<AtomicBool>,
}

impl Proxy {
    pub fn start(target: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let flag = up.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !flag.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(server) = std::net::TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    let flag = flag.clone();
                    std::thread::spawn(move || {
                        from.set_read_timeout(Some(Duration::from_millis(100))).ok();
                        let mut buf = [0u8; 16 * 1024];
                        loop {
                            if !flag.load(Ordering::SeqCst) {
                                let _ = from.shutdown(std::net::Shutdown::Both);
                                let _ = to.shutdown(std::net::Shutdown::Both);
                                return;
                            }
                            match std::io::Read::read(&mut from, &mut buf) {
                                Ok(0) => {
                                    let _ = to.shutdown(std::net::Shutdown::Write);
                                    return;
                                }
                                Ok(n) => {
                                    if std::io::Write::write_all(&mut to, &buf[..n]).is_err() {
                                        return;
                                    }
                                }
                                Err(e)
                                    if matches!(
                                        e.kind(),
                                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                                    ) => {}
                                Err(_) => return,
                            }
                        }
                    });
                }
            }
        });
        Proxy { port, up }
    }

    pub fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// A proxy in front of moto that injects faults at rates set at run time: throttling
/// (`ThrottlingException`, as AWS sends it), 500 and 503 answers, 2 s of latency, reset
/// connections (`tests/servers/fault_proxy.py`).
pub struct FaultProxy(Server);
server!(FaultProxy);

impl FaultProxy {
    pub fn start(upstream: &str) -> FaultProxy {
        FaultProxy(Server::spawn("fault_proxy.py", &[upstream], "the fault proxy"))
    }

    /// Change some settings (`{"throttle": 0.5}`); returns all of them.
    pub fn set(&self, settings: serde_json::Value) -> serde_json::Value {
        self.control("POST", "config", &settings.to_string())
    }

    /// No more faults.
    pub fn calm(&self) {
        self.set(serde_json::json!({
            "throttle": 0, "error500": 0, "error503": 0, "reset": 0, "reset_after": 0,
            "latency": 0, "operations": []
        }));
    }

    /// Every request so far: `{"t", "op", "cluster", "fault", "delay", "forwarded"}`.
    pub fn log(&self) -> Vec<serde_json::Value> {
        match self.control("GET", "log", "") {
            serde_json::Value::Array(list) => list,
            other => panic!("the fault proxy's log: {other}"),
        }
    }

    /// Requests of one operation (`ECS.UpdateService`) so far.
    pub fn requests(&self, op: &str) -> Vec<serde_json::Value> {
        self.log().into_iter().filter(|e| e["op"] == op).collect()
    }

    fn control(&self, method: &str, name: &str, body: &str) -> serde_json::Value {
        request_json(self.port, method, &format!("/__faults__/{name}"), body)
    }
}

/// A Fargate task run with ECS Exec in cluster `exec` (and one without): their ARNs.
pub struct ExecFleet {
    pub cluster: String,
    pub task: String,
    pub plain: String,
}
pub fn exec_fleet(moto: &Moto) -> ExecFleet {
    let e = moto.endpoint();
    aws_json(&e, &["ecs", "create-cluster", "--cluster-name", "exec"]);
    let vpc = aws_json(&e, &["ec2", "create-vpc", "--cidr-block", "10.0.0.0/16"])["Vpc"]["VpcId"]
        .as_str()
        .unwrap()
        .to_string();
    let out = Command::new(aws_cli())
        .args([
            "ec2",
            "modify-vpc-attribute",
            "--vpc-id",
            &vpc,
            "--enable-dns-hostnames",
        ])
        .envs(aws_env(&e))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let subnet = aws_json(
        &e,
        &[
            "ec2",
            "create-subnet",
            "--vpc-id",
            &vpc,
            "--cidr-block",
            "10.0.1.0/24",
            "--availability-zone",
            "us-east-1a",
        ],
    )["Subnet"]["SubnetId"]
        .as_str()
        .unwrap()
        .to_string();
    let group = aws_json(
        &e,
        &[
            "ec2",
            "create-security-group",
            "--group-name",
            "tasks",
            "--description",
            "tasks",
            "--vpc-id",
            &vpc,
        ],
    )["GroupId"]
        .as_str()
        .unwrap()
        .to_string();
    let containers = r#"[{"name":"app","image":"app:1","cpu":128,"memory":256,"essential":true},
                         {"name":"sidecar","image":"sidecar:1","cpu":128,"memory":256,"essential":false}]"#;
    aws_json(
        &e,
        &[
            "ecs",
            "register-task-definition",
            "--family",
            "web",
            "--requires-compatibilities",
            "FARGATE",
            "--network-mode",
            "awsvpc",
            "--cpu",
            "256",
            "--memory",
            "512",
            "--container-definitions",
            containers,
        ],
    );
    let network =
        format!("awsvpcConfiguration={{subnets=[{subnet}],securityGroups=[{group}],assignPublicIp=DISABLED}}");
    let run = |exec: bool| {
        let mut args = vec![
            "ecs",
            "run-task",
            "--cluster",
            "exec",
            "--task-definition",
            "web",
            "--launch-type",
            "FARGATE",
            "--network-configuration",
            &network,
        ];
        if exec {
            args.push("--enable-execute-command");
        }
        aws_json(&e, &args)["tasks"][0]["taskArn"].as_str().unwrap().to_string()
    };
    ExecFleet {
        cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/exec".to_string(),
        task: run(true),
        plain: run(false),
    }
}

/// An EKS cluster named `name` in moto (its API is the Kubernetes emulator's, through a
/// kubeconfig).
pub fn eks_cluster(moto: &Moto, name: &str) {
    aws_json(
        &moto.endpoint(),
        &[
            "eks",
            "create-cluster",
            "--name",
            name,
            "--role-arn",
            "arn:aws:iam::123456789012:role/eks",
            "--resources-vpc-config",
            "subnetIds=subnet-1,subnet-2",
        ],
    );
}

/// Send `payload` to 127.0.0.1:`port` and read as many bytes back.
pub fn echo_through(port: u16, payload: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).expect("the forward listens");
    conn.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    conn.write_all(payload).unwrap();
    let mut back = vec![0u8; payload.len()];
    conn.read_exact(&mut back).expect("the bytes come back");
    back
}

/// moto with an EKS cluster `platform` whose API is the Kubernetes emulator, reached
/// through a kubeconfig.
pub struct KubeWorld {
    pub moto: Moto,
    _kube: KubeServer,
    _dir: tempfile::TempDir,
    pub config: PathBuf,
    /// The EKS cluster's ARN.
    pub cluster: String,
}

pub fn kube_world() -> KubeWorld {
    const TOKEN: &str = "s3cret-test-token";
    let moto = Moto::start();
    eks_cluster(&moto, "platform");
    let kube = KubeServer::start(&["--token", TOKEN]);
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), "platform", &kube.endpoint(), TOKEN);
    KubeWorld {
        moto,
        _kube: kube,
        _dir: dir,
        config,
        cluster: "arn:aws:eks:us-east-1:123456789012:cluster/platform".to_string(),
    }
}
