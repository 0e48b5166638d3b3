//! AWS App Runner: services (a container image or a source repository behind a URL, with
//! their instance size, auto scaling, health check and network), and the operations that
//! changed them. The API has no health field: a health check that fails shows as a
//! deployment that App Runner rolled back, which is how bosun reads it.

use jiff::Timestamp;
use serde::Serialize;

use super::{Health, Keyed};

/// One App Runner service, as DescribeService gives it, with its auto scaling, its VPC
/// connector and its latest operations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppRunnerService {
    pub arn: String,
    pub id: String,
    pub name: String,
    /// The account's name in the fleet.
    pub account: String,
    pub region: String,
    /// `https://…awsapprunner.com`, once it has one.
    pub url: Option<String>,
    /// RUNNING, OPERATION_IN_PROGRESS, PAUSED, CREATE_FAILED, DELETE_FAILED, DELETED.
    pub status: String,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub source: Source,
    pub auto_deployments: bool,
    /// vCPU and memory as App Runner writes them: `1024`, `2048` (or `1 vCPU`, `2 GB`).
    pub cpu: String,
    pub memory: String,
    pub instance_role: Option<String>,
    pub scaling: Option<AutoScaling>,
    pub health_check: HealthCheck,
    pub network: Network,
    /// Tracing, where an observability configuration is on.
    pub observability: Option<String>,
    /// The customer-managed KMS key, where there is one.
    pub kms_key: Option<String>,
    /// The newest first.
    pub operations: Vec<Operation>,
}

/// Where a service's code comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Source {
    Image {
        /// `123456789012.dkr.ecr.us-east-1.amazonaws.com/storefront:1.8.2`.
        image: String,
        /// ECR, ECR_PUBLIC.
        repository_type: String,
        port: Option<String>,
    },
    Code {
        repository: String,
        branch: String,
        /// REPOSITORY (apprunner.yaml) or API.
        configuration: Option<String>,
        runtime: Option<String>,
        port: Option<String>,
    },
    Unknown,
}

impl Source {
    /// One line: `ECR 123…/storefront:1.8.2`, `github.com/acme/docs@main`.
    pub fn describe(&self) -> String {
        match self {
            Source::Image {
                image, repository_type, ..
            } => format!("{repository_type} {image}"),
            Source::Code { repository, branch, .. } => format!("{repository}@{branch}"),
            Source::Unknown => "-".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AutoScaling {
    pub name: String,
    pub revision: i32,
    pub min_size: i32,
    pub max_size: i32,
    pub max_concurrency: i32,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct HealthCheck {
    /// TCP or HTTP.
    pub protocol: String,
    pub path: Option<String>,
    pub interval: i32,
    pub timeout: i32,
    pub healthy: i32,
    pub unhealthy: i32,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Network {
    /// DEFAULT (the internet) or VPC.
    pub egress: String,
    pub vpc_connector: Option<VpcConnector>,
    pub public: bool,
    /// IPV4 or DUAL_STACK.
    pub ip: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VpcConnector {
    pub arn: String,
    pub name: String,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
}

/// An operation on a service: create, deployment, update, pause, resume, delete.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    pub id: String,
    /// START_DEPLOYMENT, CREATE_SERVICE, PAUSE_SERVICE, RESUME_SERVICE, DELETE_SERVICE,
    /// UPDATE_SERVICE.
    pub kind: String,
    /// PENDING, IN_PROGRESS, FAILED, SUCCEEDED, ROLLBACK_IN_PROGRESS, ROLLBACK_FAILED,
    /// ROLLBACK_SUCCEEDED.
    pub status: String,
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
}

impl Operation {
    /// The operations that put a new version in place, whose failure means its health
    /// check failed (or its build, or its image).
    pub fn deploys(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "START_DEPLOYMENT" | "UPDATE_SERVICE" | "CREATE_SERVICE"
        )
    }

    pub fn failed(&self) -> bool {
        matches!(
            self.status.as_str(),
            "FAILED" | "ROLLBACK_SUCCEEDED" | "ROLLBACK_FAILED"
        )
    }

    pub fn in_progress(&self) -> bool {
        matches!(self.status.as_str(), "PENDING" | "IN_PROGRESS" | "ROLLBACK_IN_PROGRESS")
    }
}

impl Keyed for AppRunnerService {
    fn key(&self) -> &str {
        &self.arn
    }
}

impl Keyed for Operation {
    fn key(&self) -> &str {
        &self.id
    }
}

impl AppRunnerService {
    /// The last operation that deployed a version, if any.
    pub fn last_deployment(&self) -> Option<&Operation> {
        self.operations.iter().find(|o| o.deploys())
    }

    /// The operation running now, if any.
    pub fn current_operation(&self) -> Option<&Operation> {
        self.operations.first().filter(|o| o.in_progress())
    }

    /// How it is: failing if it could not be created or deleted, or its last deployment
    /// failed or was rolled back (its health check failed); rolling during an operation;
    /// idle when paused.
    pub fn health(&self) -> Health {
        match self.status.as_str() {
            "CREATE_FAILED" | "DELETE_FAILED" => Health::Failing,
            _ if self
                .last_deployment()
                .is_some_and(|o| o.failed() || o.status == "ROLLBACK_IN_PROGRESS") =>
            {
                Health::Failing
            }
            "OPERATION_IN_PROGRESS" => Health::Progressing,
            "PAUSED" | "DELETED" => Health::Idle,
            "RUNNING" => Health::Healthy,
            _ => Health::Degraded,
        }
    }

    /// Why it is failing, in a line, if it is.
    pub fn trouble(&self) -> Option<String> {
        match self.status.as_str() {
            "CREATE_FAILED" => {
                return Some("the service could not be created (its health check or build failed)".into());
            }
            "DELETE_FAILED" => return Some("the service could not be deleted".into()),
            _ => {}
        }
        let last = self.last_deployment()?;
        match last.status.as_str() {
            "ROLLBACK_SUCCEEDED" => Some(format!(
                "{} rolled back: health check failed; the old version serves",
                operation_name(&last.kind)
            )),
            "ROLLBACK_IN_PROGRESS" => Some(format!(
                "{} rolling back: the new version failed its health check",
                operation_name(&last.kind)
            )),
            "ROLLBACK_FAILED" => Some(format!(
                "the last {} failed and could not be rolled back",
                operation_name(&last.kind)
            )),
            "FAILED" => Some(format!("the last {} failed", operation_name(&last.kind))),
            _ => None,
        }
    }

    /// `1 vCPU · 2 GB`.
    pub fn size(&self) -> String {
        format!("{} · {}", vcpu(&self.cpu), memory(&self.memory))
    }
}

/// The regions App Runner is offered in (the AWS General Reference's App Runner
/// endpoints): bosun reads it there only, and nowhere else sends a request that cannot
/// be answered.
pub const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
];

/// Whether App Runner is offered in a region.
pub fn serves(region: &str) -> bool {
    REGIONS.contains(&region)
}

/// A service's name from its ARN (`…:service/NAME/ID`).
pub fn name_of(arn: &str) -> &str {
    arn.split_once(":service/")
        .map_or(arn, |(_, rest)| rest.split('/').next().unwrap_or(rest))
}

/// An operation's type as a person says it: `START_DEPLOYMENT` → `deployment`.
pub fn operation_name(kind: &str) -> &str {
    match kind {
        "START_DEPLOYMENT" => "deployment",
        "CREATE_SERVICE" => "create",
        "UPDATE_SERVICE" => "update",
        "PAUSE_SERVICE" => "pause",
        "RESUME_SERVICE" => "resume",
        "DELETE_SERVICE" => "delete",
        other => other,
    }
}

/// `1024` → `1 vCPU`; `0.25 vCPU` stays.
fn vcpu(cpu: &str) -> String {
    match cpu.parse::<f64>() {
        Ok(units) => format!("{} vCPU", units / 1024.0),
        Err(_) => cpu.to_string(),
    }
}

/// `2048` → `2 GB`; `0.5 GB` stays.
fn memory(mem: &str) -> String {
    match mem.parse::<f64>() {
        Ok(mb) => format!("{} GB", mb / 1024.0),
        Err(_) => mem.to_string(),
    }
}

/// What an action does to a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppRunnerAction {
    /// StartDeployment: the latest image (or commit) of its source, built and deployed.
    Deploy,
    Pause,
    Resume,
}

impl AppRunnerAction {
    /// What the status bar says once App Runner took it.
    pub fn started(self) -> &'static str {
        match self {
            AppRunnerAction::Deploy => "deployment started",
            AppRunnerAction::Pause => "pausing",
            AppRunnerAction::Resume => "resuming",
        }
    }

    pub fn verb(self) -> &'static str {
        match self {
            AppRunnerAction::Deploy => "start deployment",
            AppRunnerAction::Pause => "pause",
            AppRunnerAction::Resume => "resume",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(status: &str, ops: &[(&str, &str)]) -> AppRunnerService {
        AppRunnerService {
            arn: "arn:aws:apprunner:us-east-1:123456789012:service/web/0123".into(),
            id: "0123".into(),
            name: "web".into(),
            account: "prod".into(),
            region: "us-east-1".into(),
            url: None,
            status: status.into(),
            created_at: None,
            updated_at: None,
            source: Source::Unknown,
            auto_deployments: false,
            cpu: "1024".into(),
            memory: "2048".into(),
            instance_role: None,
            scaling: None,
            health_check: HealthCheck::default(),
            network: Network::default(),
            observability: None,
            kms_key: None,
            operations: ops
                .iter()
                .enumerate()
                .map(|(i, (kind, status))| Operation {
                    id: i.to_string(),
                    kind: kind.to_string(),
                    status: status.to_string(),
                    started_at: None,
                    ended_at: None,
                    updated_at: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_rolled_back_deployment_is_a_failing_health_check() {
        let s = service(
            "RUNNING",
            &[
                ("START_DEPLOYMENT", "ROLLBACK_SUCCEEDED"),
                ("CREATE_SERVICE", "SUCCEEDED"),
            ],
        );
        assert_eq!(s.health(), Health::Failing);
        assert!(s.trouble().unwrap().contains("health check failed"));
        // A pause after it does not hide it.
        let s = service(
            "PAUSED",
            &[
                ("PAUSE_SERVICE", "SUCCEEDED"),
                ("START_DEPLOYMENT", "ROLLBACK_SUCCEEDED"),
            ],
        );
        assert_eq!(s.health(), Health::Failing);
    }

    #[test]
    fn health_follows_status_otherwise() {
        let ok = [("START_DEPLOYMENT", "SUCCEEDED")];
        assert_eq!(service("RUNNING", &ok).health(), Health::Healthy);
        assert_eq!(service("PAUSED", &ok).health(), Health::Idle);
        assert_eq!(
            service("OPERATION_IN_PROGRESS", &[("START_DEPLOYMENT", "IN_PROGRESS")]).health(),
            Health::Progressing
        );
        assert_eq!(service("CREATE_FAILED", &[]).health(), Health::Failing);
        assert_eq!(service("RUNNING", &ok).size(), "1 vCPU · 2 GB");
    }
}
