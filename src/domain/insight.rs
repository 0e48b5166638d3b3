//! What an on-call engineer checks before acting: autoscaling, load balancer targets, logs,
//! container images, scheduled tasks.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::Keyed;
use super::metrics::Alarm;

/// The default bound of a log buffer, in lines.
pub const DEFAULT_LOG_LINES: usize = 10_000;

/// An Application Auto Scaling target: a service's desired count range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalableTarget {
    /// `service/CLUSTER/SERVICE`.
    pub resource_id: String,
    pub min: u32,
    pub max: u32,
    pub suspended: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepAdjustment {
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub adjustment: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PolicyKind {
    TargetTracking {
        /// `ECSServiceAverageCPUUtilization`, or the custom metric's name.
        metric: String,
        target: f64,
        /// The SQS queue of a custom metric on a queue, if it is one.
        queue: Option<String>,
    },
    Step {
        adjustment_type: String,
        steps: Vec<StepAdjustment>,
        alarms: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalingPolicy {
    pub name: String,
    pub resource_id: String,
    pub kind: PolicyKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduledAction {
    pub name: String,
    pub resource_id: String,
    /// `cron(...)`, `rate(...)` or `at(...)`.
    pub schedule: String,
    pub min: Option<u32>,
    pub max: Option<u32>,
    pub next_run: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalingActivity {
    pub resource_id: String,
    pub status: String,
    pub cause: String,
    pub description: String,
    pub start: Option<Timestamp>,
}

/// Autoscaling of the ECS services of a region.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scaling {
    pub targets: Vec<ScalableTarget>,
    pub policies: Vec<ScalingPolicy>,
    pub scheduled: Vec<ScheduledAction>,
    /// Newest first.
    pub activities: Vec<ScalingActivity>,
}

impl Scaling {
    pub fn target(&self, resource_id: &str) -> Option<&ScalableTarget> {
        self.targets.iter().find(|t| t.resource_id == resource_id)
    }

    /// The queue a service scales on, from its policies.
    pub fn queue_of(&self, resource_id: &str) -> Option<&str> {
        self.policies
            .iter()
            .filter(|p| p.resource_id == resource_id)
            .find_map(|p| match &p.kind {
                PolicyKind::TargetTracking { queue, .. } => queue.as_deref(),
                PolicyKind::Step { .. } => None,
            })
    }
}

/// `service/CLUSTER/SERVICE`: how Application Auto Scaling names a service.
pub fn resource_id(cluster: &str, service: &str) -> String {
    format!(
        "service/{}/{}",
        crate::util::arn_tail(cluster),
        crate::util::arn_tail(service)
    )
}

/// A cluster capacity provider and, for EC2, its Auto Scaling group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityProvider {
    pub name: String,
    pub status: String,
    pub asg_arn: Option<String>,
    /// Managed scaling status and target capacity percent.
    pub managed_scaling: Option<(String, u32)>,
    /// The group's min / desired / max.
    pub asg: Option<(u32, u32, u32)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// An IP (awsvpc) or an instance id (bridge, host).
    pub id: String,
    pub port: u16,
    pub state: String,
    pub reason: Option<String>,
    pub description: Option<String>,
}

/// A target group of a service and the health of each of its targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetGroupHealth {
    pub arn: String,
    pub name: String,
    pub protocol: String,
    pub port: u16,
    pub load_balancers: Vec<String>,
    pub health_check: String,
    pub targets: Vec<Target>,
}

/// The stream name that asks for every stream of a log group, interleaved in time.
pub const ALL_STREAMS: &str = "*";

/// App Runner's log groups of a service: its application's output and its service events.
pub fn apprunner_log_group(name: &str, id: &str, service_events: bool) -> String {
    let kind = if service_events { "service" } else { "application" };
    format!("/aws/apprunner/{name}/{id}/{kind}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    pub at: Timestamp,
    pub message: String,
}

/// An image in ECR, with what its scan found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Image {
    pub repository: String,
    pub digest: String,
    pub tags: Vec<String>,
    pub pushed_at: Option<Timestamp>,
    pub size_bytes: Option<i64>,
    pub scan_status: Option<String>,
    /// Findings by severity: CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNDEFINED.
    pub findings: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repository {
    pub name: String,
    pub uri: String,
    pub created_at: Option<Timestamp>,
    pub scan_on_push: bool,
    pub tag_mutability: String,
}

/// An EventBridge rule that starts ECS tasks: a scheduled task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduledTask {
    pub rule: String,
    pub schedule: Option<String>,
    pub state: String,
    pub cluster_arn: String,
    pub task_definition: String,
    pub count: u32,
    pub launch_type: Option<String>,
}

/// The ECR repository and tag of an image URI, if it lives in ECR.
pub fn ecr_image(uri: &str) -> Option<(String, String, String)> {
    let (host, rest) = uri.split_once('/')?;
    let region = host
        .strip_suffix(".amazonaws.com")?
        .split(".dkr.ecr.")
        .nth(1)?
        .to_string();
    let (repo, tag) = match rest.split_once('@') {
        Some((repo, digest)) => (repo, digest),
        None => rest.rsplit_once(':').unwrap_or((rest, "latest")),
    };
    Some((region, repo.to_string(), tag.to_string()))
}

impl Keyed for Alarm {
    fn key(&self) -> &str {
        &self.name
    }
}

impl Keyed for CapacityProvider {
    fn key(&self) -> &str {
        &self.name
    }
}

impl Keyed for Repository {
    fn key(&self) -> &str {
        &self.name
    }
}

impl Keyed for ScheduledTask {
    fn key(&self) -> &str {
        &self.rule
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_uris_are_recognised() {
        assert_eq!(
            ecr_image("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web:v1.2.3"),
            Some(("eu-west-1".into(), "team/web".into(), "v1.2.3".into()))
        );
        assert_eq!(ecr_image("public.ecr.aws/datadog/agent:7"), None);
        assert_eq!(ecr_image("nginx:latest"), None);
    }
}
