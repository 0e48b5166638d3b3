//! Sessions into a container: a shell (ECS Exec, Kubernetes exec) and port forwarding (SSM
//! through an ECS task, Kubernetes natively). What a session is aimed at, what it asks for,
//! and why one cannot start, decided before any call.

use jiff::Timestamp;

use super::{Container, Task};
use crate::util::arn_tail;

/// The command a shell runs when none is given (`exec_command` in the config).
pub const DEFAULT_COMMAND: &str = "/bin/sh";

/// Where a session goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A container of an ECS task (cluster and task by ARN).
    Ecs {
        cluster: String,
        task: String,
        container: String,
        /// The container's runtime id: ECS Exec's SSM target names it.
        runtime_id: Option<String>,
    },
    /// A container of a pod of an EKS cluster (by ARN).
    Pod {
        cluster: String,
        namespace: String,
        pod: String,
        container: String,
    },
    /// A Kubernetes Service: a forward goes to one of its ready pods, at the port its
    /// own port targets.
    KubeService {
        cluster: String,
        namespace: String,
        name: String,
    },
}

impl Target {
    /// The same target aimed at `container` (a Service has none).
    pub fn with_container(&self, container: &str) -> Target {
        let mut t = self.clone();
        match &mut t {
            Target::Ecs { container: c, .. } | Target::Pod { container: c, .. } => *c = container.to_string(),
            Target::KubeService { .. } => {}
        }
        t
    }

    /// The ECS or EKS cluster (ARN).
    pub fn cluster(&self) -> &str {
        match self {
            Target::Ecs { cluster, .. } | Target::Pod { cluster, .. } | Target::KubeService { cluster, .. } => cluster,
        }
    }

    /// `prod-web/1a2b3c4d…/app` or `shop/web-5d8f/app`: short enough for a status line.
    pub fn label(&self) -> String {
        match self {
            Target::Ecs {
                cluster,
                task,
                container,
                ..
            } => {
                let id = arn_tail(task);
                format!("{}/{}/{container}", arn_tail(cluster), &id[..id.len().min(8)])
            }
            Target::Pod {
                namespace,
                pod,
                container,
                ..
            } => format!("{namespace}/{pod}/{container}"),
            Target::KubeService { namespace, name, .. } => format!("service {namespace}/{name}"),
        }
    }

    /// The container, `""` for a Service.
    pub fn container(&self) -> &str {
        match self {
            Target::Ecs { container, .. } | Target::Pod { container, .. } => container,
            Target::KubeService { .. } => "",
        }
    }
}

/// A forward's ports: `LOCAL:REMOTE`, or `LOCAL:HOST:REMOTE` through the task to a host
/// only it can reach.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ports {
    pub local: u16,
    pub host: Option<String>,
    pub remote: u16,
}

impl Ports {
    /// `8080:80`, `15432:db.internal:5432`; a port is 1 to 65535.
    pub fn parse(text: &str) -> Result<Ports, String> {
        let port = |p: &str| -> Result<u16, String> {
            match p.trim().parse::<u16>() {
                Ok(0) | Err(_) => Err(format!("`{p}` is not a port (1 to 65535)")),
                Ok(n) => Ok(n),
            }
        };
        let parts: Vec<&str> = text.trim().split(':').collect();
        match parts.as_slice() {
            [local, remote] => Ok(Ports {
                local: port(local)?,
                host: None,
                remote: port(remote)?,
            }),
            [local, host, remote] if !host.trim().is_empty() => Ok(Ports {
                local: port(local)?,
                host: Some(host.trim().to_string()),
                remote: port(remote)?,
            }),
            _ => Err(format!(
                "`{text}`: give LOCAL:REMOTE (8080:80) or LOCAL:HOST:REMOTE (15432:db.internal:5432)"
            )),
        }
    }

    /// Whether these ports can be forwarded to `target`: a HOST is reached through an ECS
    /// task only; a pod or a Service is reached on its own ports.
    pub fn fit(&self, target: &Target) -> Result<(), String> {
        match (&self.host, target) {
            (Some(host), Target::Pod { .. } | Target::KubeService { .. }) => Err(format!(
                "{} is reached on its own ports: {host} is for a forward through an ECS task",
                target.label()
            )),
            _ => Ok(()),
        }
    }

    /// `80`, or `db.internal:5432`: what the forward reaches.
    pub fn remote_label(&self) -> String {
        match &self.host {
            Some(host) => format!("{host}:{}", self.remote),
            None => self.remote.to_string(),
        }
    }
}

/// What a session does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An interactive shell (or any command) with the terminal handed to it.
    Shell { command: String },
    /// A local port forwarded to the target, in the background.
    Forward(Ports),
}

/// A session the user asked for, with who asks (as the audit log records it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: u64,
    pub target: Target,
    pub kind: Kind,
    /// The account it goes into, by its name in the fleet; the profile that signs in; the
    /// caller identity when known.
    pub account: String,
    pub profile: String,
    pub identity: Option<String>,
}

impl Request {
    /// `exec` or `forward`, as the audit log and the timeline name it.
    pub fn verb(&self) -> &'static str {
        match self.kind {
            Kind::Shell { .. } => "exec",
            Kind::Forward(_) => "forward",
        }
    }

    /// `prod-web/1a2b3c4d/app: /bin/sh` or `prod-web/1a2b3c4d/app 8080 → 80`.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Shell { command } => format!("{}: {command}", self.target.label()),
            Kind::Forward(p) => describe_forward(&self.target, p),
        }
    }
}

/// A forward as the audit log and the timeline say it: `TARGET LOCAL → REMOTE`.
pub fn describe_forward(target: &Target, ports: &Ports) -> String {
    format!("{} {} → {}", target.label(), ports.local, ports.remote_label())
}

/// Why ECS Exec cannot reach `container` of `task`, known before any call, with the fix;
/// `service_exec` is whether the task's service has `enableExecuteCommand` now.
pub fn ecs_exec_refusal(task: &Task, container: &Container, service_exec: Option<bool>) -> Option<String> {
    let id = &task.id;
    if task.last_status != "RUNNING" {
        return Some(format!(
            "task {id} is {}: ECS Exec reaches running tasks only",
            task.last_status
        ));
    }
    if !task.exec_enabled {
        return Some(match (task.service_name(), service_exec) {
            (Some(service), Some(true)) => format!(
                "task {id} was started before ECS Exec was turned on for {service}: only tasks started since have it (R redeploys the service)"
            ),
            (Some(service), _) => format!(
                "task {id} was started without ECS Exec (enableExecuteCommand): E on service {service} turns it on, for the tasks it starts after that"
            ),
            (None, _) => format!(
                "task {id} was started without ECS Exec: run it again with enableExecuteCommand (RunTask --enable-execute-command)"
            ),
        });
    }
    match container.exec_agent.as_deref() {
        Some("RUNNING") | None => None,
        Some(status) => Some(format!(
            "the ECS Exec agent of container {} is {status}: wait for it to be RUNNING; if it never is, the task role needs ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel",
            container.name
        )),
    }
}

/// A shell asked for on a Kubernetes Service.
pub const NO_SERVICE_SHELL: &str = "a shell goes into a pod: a Service has none of its own (open its pods, then s)";

/// Where to get `session-manager-plugin`, for the error that says it is missing.
pub const PLUGIN_MISSING: &str = "session-manager-plugin is not on PATH: ECS Exec and port forwarding go through it, as the AWS CLI's do. Install it (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html) or name it in BOSUN_SESSION_MANAGER_PLUGIN";

/// An AWS error of ECS ExecuteCommand or SSM StartSession as one line that says which
/// permission is missing and which role needs it.
pub fn explain_aws_error(code: &str, message: &str) -> String {
    match code {
        "AccessDeniedException" if message.contains("ssm:StartSession") => {
            format!("not allowed: the caller needs ssm:StartSession on the task (your role's IAM policy): {message}")
        }
        "AccessDeniedException" | "AccessDenied" => {
            format!("not allowed: the caller needs ecs:ExecuteCommand on the task (your role's IAM policy): {message}")
        }
        "TargetNotConnectedException" | "TargetNotConnected" => format!(
            "the task's ECS Exec agent is not connected to SSM: the task role needs ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel, and the task a route to ssmmessages ({code}: {message})"
        ),
        "InvalidParameterException" if message.contains("execute command was not enabled") => format!(
            "ECS Exec is not on for this task, or its agent is not running: E on the service turns it on for new tasks ({message})"
        ),
        _ => format!("{code}: {message}"),
    }
}

/// A forward running in the background, as the `:forwards` screen lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forward {
    /// Its id as text (the table's key).
    pub key: String,
    pub id: u64,
    pub target: Target,
    pub ports: Ports,
    /// Bytes sent to the target and received from it.
    pub sent: u64,
    pub received: u64,
    /// Connections accepted so far.
    pub connections: u64,
    pub since: Timestamp,
    /// Why it stopped, if it did on its own.
    pub failed: Option<String>,
    /// Listening on its local port (not yet while it starts).
    pub listening: bool,
    /// Why the last connection could not reach the target, if it could not.
    pub problem: Option<String>,
}

impl Forward {
    /// What a forward starting looks like, before it listens.
    pub fn starting(id: u64, target: Target, ports: Ports, since: Timestamp) -> Forward {
        Forward {
            key: id.to_string(),
            id,
            target,
            ports,
            sent: 0,
            received: 0,
            connections: 0,
            since,
            failed: None,
            listening: false,
            problem: None,
        }
    }

    /// `listening`, `starting…`, or why it failed.
    pub fn state(&self) -> String {
        match (&self.failed, self.listening) {
            (Some(why), _) => format!("failed: {why}"),
            (None, true) if self.problem.is_some() => format!(
                "listening · last connection: {}",
                self.problem.as_deref().unwrap_or_default()
            ),
            (None, true) => "listening".into(),
            (None, false) => "starting…".into(),
        }
    }
}

/// What a forward reports to the app loop.
#[derive(Debug, Clone)]
pub enum ForwardEvent {
    /// Listening on its local port.
    Started(Box<Forward>),
    /// Bytes and connections so far.
    Traffic {
        id: u64,
        sent: u64,
        received: u64,
        connections: u64,
    },
    /// A connection could not reach the target; the forward goes on listening.
    Problem { id: u64, message: String },
    /// It stopped: asked to, or failed (the reason).
    Ended { id: u64, failed: Option<String> },
}

impl super::Keyed for Forward {
    fn key(&self) -> &str {
        &self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_parse_both_forms_and_refuse_the_rest() {
        assert_eq!(
            Ports::parse("8080:80"),
            Ok(Ports {
                local: 8080,
                host: None,
                remote: 80
            })
        );
        let remote = Ports::parse("15432:db.internal:5432").unwrap();
        assert_eq!(remote.host.as_deref(), Some("db.internal"));
        assert_eq!(remote.remote_label(), "db.internal:5432");
        for bad in ["8080", "0:80", "8080:70000", "a:b", "1::2", ""] {
            assert!(Ports::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    fn task(status: &str, exec: bool, agent: Option<&str>) -> (Task, Container) {
        use crate::domain::ecs::fixtures;
        let container = Container {
            runtime_id: Some("abc-1".into()),
            exec_agent: agent.map(str::to_string),
            ..fixtures::container("app", status)
        };
        let mut task = fixtures::task(status, vec![container.clone()]);
        task.exec_enabled = exec;
        (task, container)
    }

    /// Each reason exec cannot work is said before any call, with its fix.
    #[test]
    fn exec_refusals_say_why_and_the_fix() {
        let (t, c) = task("RUNNING", true, Some("RUNNING"));
        assert_eq!(ecs_exec_refusal(&t, &c, Some(true)), None);
        let (t, c) = task("PENDING", true, Some("PENDING"));
        assert!(ecs_exec_refusal(&t, &c, Some(true)).unwrap().contains("is PENDING"));
        let (t, c) = task("RUNNING", false, None);
        let why = ecs_exec_refusal(&t, &c, Some(false)).unwrap();
        assert!(
            why.contains("enableExecuteCommand") && why.contains("E on service web"),
            "{why}"
        );
        let why = ecs_exec_refusal(&t, &c, Some(true)).unwrap();
        assert!(why.contains("only tasks started since"), "{why}");
        let (t, c) = task("RUNNING", true, Some("STOPPED"));
        let why = ecs_exec_refusal(&t, &c, Some(true)).unwrap();
        assert!(
            why.contains("agent of container app is STOPPED") && why.contains("task role"),
            "{why}"
        );
    }

    #[test]
    fn aws_errors_name_the_permission_and_the_role() {
        let denied = explain_aws_error(
            "AccessDeniedException",
            "User: arn:aws:iam::1:user/x is not authorized to perform: ecs:ExecuteCommand on resource: t",
        );
        assert!(denied.contains("caller needs ecs:ExecuteCommand"), "{denied}");
        let ssm = explain_aws_error(
            "AccessDeniedException",
            "User: u is not authorized to perform: ssm:StartSession on resource: t",
        );
        assert!(ssm.contains("caller needs ssm:StartSession"), "{ssm}");
        let agent = explain_aws_error("TargetNotConnectedException", "internal error");
        assert!(agent.contains("task role needs ssmmessages:"), "{agent}");
    }
}
