//! ECS domain types: what the rest of bosun sees of ECS, whichever backend produced it.
//!
//! SDK types are converted into these at the edge (`source/aws`); the simulated fleet
//! builds them directly.

use jiff::Timestamp;
use serde::Serialize;

use crate::util;

/// How a service or task gets its compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LaunchType {
    Ec2,
    Fargate,
    External,
    /// Placed by a capacity provider strategy rather than a launch type.
    CapacityProvider,
    Unknown,
}

impl LaunchType {
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchType::Ec2 => "EC2",
            LaunchType::Fargate => "FARGATE",
            LaunchType::External => "EXTERNAL",
            LaunchType::CapacityProvider => "CAPACITY",
            LaunchType::Unknown => "-",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "EC2" => LaunchType::Ec2,
            "FARGATE" => LaunchType::Fargate,
            "EXTERNAL" => LaunchType::External,
            _ => LaunchType::Unknown,
        }
    }
}

/// An ECS cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    pub arn: String,
    /// The account it is in, by its name in the fleet.
    pub account: String,
    pub name: String,
    pub region: String,
    pub status: String,
    pub active_services: u32,
    pub running_tasks: u32,
    pub pending_tasks: u32,
    pub container_instances: u32,
    pub capacity_providers: Vec<String>,
}

/// How far a deployment's rollout has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RolloutState {
    InProgress,
    Completed,
    Failed,
    Unknown,
}

impl RolloutState {
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutState::InProgress => "IN_PROGRESS",
            RolloutState::Completed => "COMPLETED",
            RolloutState::Failed => "FAILED",
            RolloutState::Unknown => "-",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "IN_PROGRESS" => RolloutState::InProgress,
            "COMPLETED" => RolloutState::Completed,
            "FAILED" => RolloutState::Failed,
            _ => RolloutState::Unknown,
        }
    }
}

/// One deployment of a service: PRIMARY is the one being rolled towards, ACTIVE ones are
/// draining, INACTIVE ones are history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deployment {
    pub id: String,
    pub status: String,
    pub task_definition: String,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub failed: u32,
    pub rollout_state: RolloutState,
    pub rollout_reason: String,
    pub launch_type: LaunchType,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
}

impl Deployment {
    pub fn is_primary(&self) -> bool {
        self.status == "PRIMARY"
    }
}

/// A line of a service's event log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceEvent {
    pub id: String,
    pub created_at: Option<Timestamp>,
    pub message: String,
}

/// An event message without the `(service NAME) ` every line starts with.
pub fn event_text(message: &str) -> &str {
    message
        .strip_prefix("(service ")
        .and_then(|rest| rest.split_once(") "))
        .map_or(message, |(_, text)| text)
}

/// Where a service's load balancer sends traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadBalancerRef {
    /// The target group's ARN; behind a Classic Load Balancer, the balancer's own
    /// (`arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/NAME`, see [`classic_arn`]).
    pub target_group_arn: String,
    pub container_name: String,
    pub container_port: u16,
}

/// The ARN of a Classic Load Balancer, which ECS names by name only.
pub fn classic_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{name}")
}

/// Whether a load balancer ARN is a Classic Load Balancer's (not a target group's, not an
/// Application, Network or Gateway Load Balancer's).
pub fn is_classic(arn: &str) -> bool {
    arn.split_once(":loadbalancer/")
        .is_some_and(|(_, rest)| !rest.contains('/'))
}

/// The awsvpc network configuration of a service or a task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NetworkConfig {
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub assign_public_ip: bool,
}

/// An ECS service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    pub arn: String,
    pub name: String,
    pub cluster_arn: String,
    pub status: String,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub launch_type: LaunchType,
    pub task_definition: String,
    pub deployments: Vec<Deployment>,
    /// Newest first, as ECS returns them.
    pub events: Vec<ServiceEvent>,
    pub load_balancers: Vec<LoadBalancerRef>,
    pub network: Option<NetworkConfig>,
    pub min_healthy_percent: u32,
    pub max_percent: u32,
    pub created_at: Option<Timestamp>,
    /// Tasks of this service that failed in the last [`RECENT_FAILURE_SECS`]: derived by
    /// the store from the stopped tasks, zero from the sources.
    pub recent_failures: u32,
    /// What decides how its deployments roll out.
    pub rollout: super::deploy::RolloutConfig,
    /// Its capacity provider strategy: (provider, base, weight).
    pub capacity_strategy: Vec<(String, u32, u32)>,
    /// Service Connect and Cloud Map: how it is found by name.
    pub discovery: super::deploy::Discovery,
    /// `enableExecuteCommand`: the tasks it starts can be reached with ECS Exec.
    pub exec_enabled: bool,
}

/// How far back a task failure still counts against a service's health.
pub const RECENT_FAILURE_SECS: i64 = 15 * 60;

/// A roll-up of how a service is doing, worst first when sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Health {
    Failing,
    Degraded,
    Progressing,
    Healthy,
    Idle,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Failing => "failing",
            Health::Degraded => "degraded",
            Health::Progressing => "rolling",
            Health::Healthy => "healthy",
            Health::Idle => "idle",
        }
    }
}

impl Service {
    pub fn primary(&self) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.is_primary())
    }

    /// The rollout state of the primary deployment.
    pub fn rollout(&self) -> RolloutState {
        self.primary().map_or(RolloutState::Unknown, |d| d.rollout_state)
    }

    /// True while a deployment is rolling (more than one deployment, or the primary not complete).
    pub fn is_deploying(&self) -> bool {
        self.deployments.len() > 1 || self.rollout() == RolloutState::InProgress
    }

    /// Rollout progress of the primary deployment as running / desired, in percent.
    pub fn rollout_percent(&self) -> Option<u32> {
        let primary = self.primary()?;
        if primary.desired == 0 {
            return None;
        }
        Some((primary.running * 100 / primary.desired).min(100))
    }

    pub fn health(&self) -> Health {
        // Tasks that keep dying make a service failing, whatever its counts say this second.
        if self.rollout() == RolloutState::Failed || self.recent_failures >= 3 {
            return Health::Failing;
        }
        if self.desired == 0 && self.running == 0 {
            return Health::Idle;
        }
        if self.is_deploying() {
            return Health::Progressing;
        }
        if self.running < self.desired || self.recent_failures > 0 {
            return Health::Degraded;
        }
        Health::Healthy
    }

    pub fn last_event_at(&self) -> Option<Timestamp> {
        self.events.iter().filter_map(|e| e.created_at).max()
    }

    /// The task definition of the deployment before the primary one, the target of a rollback.
    pub fn previous_task_definition(&self) -> Option<&str> {
        let primary = self.primary()?;
        self.deployments
            .iter()
            .filter(|d| !d.is_primary() && d.task_definition != primary.task_definition)
            .max_by_key(|d| d.created_at)
            .map(|d| d.task_definition.as_str())
    }

    pub fn revision(&self) -> &str {
        util::task_def_short(&self.task_definition)
    }
}

/// A container of a task, as it runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub image_digest: Option<String>,
    pub last_status: String,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    pub health: String,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    /// Bridge and host networking: (container port, host port) pairs.
    pub bindings: Vec<(u16, u16)>,
    /// The container's id on its host (ECS Exec's target names it).
    pub runtime_id: Option<String>,
    /// The last status of its ECS Exec agent (`ExecuteCommandAgent`), where it has one.
    pub exec_agent: Option<String>,
}

/// An ECS task.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Task {
    pub arn: String,
    pub id: String,
    pub cluster_arn: String,
    /// `service:NAME` for service tasks, `family:NAME` for one-off tasks.
    pub group: String,
    pub task_definition: String,
    pub last_status: String,
    pub desired_status: String,
    pub health: String,
    pub launch_type: LaunchType,
    pub availability_zone: Option<String>,
    pub private_ip: Option<String>,
    pub subnet: Option<String>,
    pub eni: Option<String>,
    pub container_instance_arn: Option<String>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub created_at: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub stopping_at: Option<Timestamp>,
    pub stopped_at: Option<Timestamp>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub containers: Vec<Container>,
    /// The capacity provider it runs on (FARGATE, FARGATE_SPOT, an Auto Scaling group's).
    pub capacity_provider: Option<String>,
    /// Started with `enableExecuteCommand`: ECS Exec can reach its containers.
    pub exec_enabled: bool,
}

impl Task {
    /// The service this task belongs to, from its group.
    pub fn service_name(&self) -> Option<&str> {
        self.group.strip_prefix("service:")
    }

    pub fn is_stopped(&self) -> bool {
        self.last_status == "STOPPED"
    }

    pub fn revision(&self) -> &str {
        util::task_def_short(&self.task_definition)
    }

    /// Whether the task stopped because something was wrong with it, rather than being
    /// scaled in, replaced by a deployment, or interrupted.
    pub fn failed(&self) -> bool {
        let code = self.stop_code.as_deref().unwrap_or_default();
        let reason = self.stopped_reason.as_deref().unwrap_or_default();
        match code {
            "TaskFailedToStart" => true,
            "EssentialContainerExited" => self.exit_code().is_some_and(|c| c != 0),
            _ => reason.contains("failed ELB health checks") || reason.contains("failed container health checks"),
        }
    }

    /// The first non-zero exit code among the containers, else the first exit code.
    pub fn exit_code(&self) -> Option<i32> {
        let codes = self.containers.iter().filter_map(|c| c.exit_code);
        codes.clone().find(|c| *c != 0).or_else(|| codes.min())
    }

    /// Its stop reason with what varies between tasks (target group ARNs, task ids) left
    /// out, so that tasks that stopped for the same reason group together.
    pub fn reason_key(&self) -> String {
        if let Some(why) = self.containers.iter().find_map(|c| c.reason.as_deref()) {
            return why.to_string();
        }
        let reason = self.stopped_reason.as_deref().unwrap_or("no reason given");
        let reason = reason.split(" (target-group").next().unwrap_or(reason);
        let reason = reason.split(" in (target-group").next().unwrap_or(reason);
        match self.exit_code() {
            Some(code) if code != 0 && reason.starts_with("Essential container") => format!("{reason} (exit {code})"),
            _ => reason.trim_end_matches(" in").to_string(),
        }
    }
}

/// Stopped tasks counted by [`Task::reason_key`], most common first.
pub fn stop_reasons<'a>(tasks: impl Iterator<Item = &'a Task>) -> Vec<(String, usize)> {
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for t in tasks {
        *counts.entry(t.reason_key()).or_default() += 1;
    }
    let mut groups: Vec<(String, usize)> = counts.into_iter().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    groups
}

/// An EC2 (or external) instance registered to a cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContainerInstance {
    pub arn: String,
    pub id: String,
    pub ec2_instance_id: Option<String>,
    pub status: String,
    pub agent_connected: bool,
    pub agent_version: Option<String>,
    pub instance_type: Option<String>,
    pub availability_zone: Option<String>,
    pub running_tasks: u32,
    pub pending_tasks: u32,
    pub registered_cpu: i32,
    pub remaining_cpu: i32,
    pub registered_memory: i32,
    pub remaining_memory: i32,
    pub registered_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortMapping {
    pub container_port: u16,
    /// 0 or none on bridge networking: a dynamic host port.
    pub host_port: Option<u16>,
    pub protocol: String,
}

/// A container definition of a task definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContainerDefinition {
    pub name: String,
    pub image: String,
    pub cpu: i32,
    pub memory: Option<i32>,
    pub memory_reservation: Option<i32>,
    pub essential: bool,
    pub ports: Vec<PortMapping>,
    /// Plain environment variables: shown masked until revealed.
    pub environment: Vec<(String, String)>,
    /// Secrets: the name and where the value comes from (never the value).
    pub secrets: Vec<(String, String)>,
    pub command: Vec<String>,
    pub log_driver: Option<String>,
    pub log_options: std::collections::BTreeMap<String, String>,
    pub health_check: Option<String>,
}

impl ContainerDefinition {
    /// The CloudWatch Logs group and stream of a task's container, for the awslogs driver.
    pub fn awslogs_stream(&self, task_id: &str) -> Option<(String, String)> {
        if self.log_driver.as_deref() != Some("awslogs") {
            return None;
        }
        let group = self.log_options.get("awslogs-group")?.clone();
        let prefix = self.log_options.get("awslogs-stream-prefix")?;
        Some((group, format!("{prefix}/{}/{task_id}", self.name)))
    }
}

/// A volume of a task definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Volume {
    pub name: String,
    pub host_path: Option<String>,
    pub efs: Option<EfsVolume>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EfsVolume {
    pub file_system_id: String,
    pub root_directory: Option<String>,
    pub transit_encryption: bool,
    pub access_point: Option<String>,
}

/// A task definition revision. Immutable once registered, so cached forever.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskDefinition {
    pub arn: String,
    pub family: String,
    pub revision: u32,
    pub status: String,
    pub task_role_arn: Option<String>,
    pub execution_role_arn: Option<String>,
    pub network_mode: Option<String>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub compatibilities: Vec<String>,
    pub containers: Vec<ContainerDefinition>,
    pub volumes: Vec<Volume>,
    pub registered_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn deployment(status: &str, td: &str, desired: u32, running: u32) -> Deployment {
        Deployment {
            id: format!("ecs-svc/{status}{td}"),
            status: status.into(),
            task_definition: td.into(),
            desired,
            running,
            pending: 0,
            failed: 0,
            rollout_state: if status == "PRIMARY" && running == desired {
                RolloutState::Completed
            } else {
                RolloutState::InProgress
            },
            rollout_reason: String::new(),
            launch_type: LaunchType::Fargate,
            created_at: None,
            updated_at: None,
        }
    }

    fn service(desired: u32, running: u32, deployments: Vec<Deployment>) -> Service {
        Service {
            arn: "arn:aws:ecs:us-east-1:1:service/c/web".into(),
            name: "web".into(),
            cluster_arn: "arn:aws:ecs:us-east-1:1:cluster/c".into(),
            status: "ACTIVE".into(),
            desired,
            running,
            pending: 0,
            launch_type: LaunchType::Fargate,
            task_definition: "arn:aws:ecs:us-east-1:1:task-definition/web:3".into(),
            deployments,
            events: vec![],
            load_balancers: vec![],
            network: None,
            min_healthy_percent: 100,
            max_percent: 200,
            created_at: None,
            recent_failures: 0,
            rollout: Default::default(),
            capacity_strategy: Vec::new(),
            discovery: Default::default(),
            exec_enabled: false,
        }
    }

    #[test]
    fn health_rolls_up_deployments_and_counts() {
        let healthy = service(2, 2, vec![deployment("PRIMARY", "web:3", 2, 2)]);
        assert_eq!(healthy.health(), Health::Healthy);

        let rolling = service(
            2,
            3,
            vec![
                deployment("PRIMARY", "web:3", 2, 1),
                deployment("ACTIVE", "web:2", 2, 2),
            ],
        );
        assert_eq!(rolling.health(), Health::Progressing);
        assert_eq!(rolling.previous_task_definition(), Some("web:2"));
        assert_eq!(rolling.rollout_percent(), Some(50));

        let mut crashing = service(3, 3, vec![deployment("PRIMARY", "web:3", 3, 3)]);
        crashing.recent_failures = 1;
        assert_eq!(crashing.health(), Health::Degraded);
        crashing.recent_failures = 3;
        assert_eq!(crashing.health(), Health::Failing);
        assert_eq!(
            service(3, 1, vec![deployment("PRIMARY", "web:3", 3, 1)]).health(),
            Health::Progressing
        );
        let mut short = deployment("PRIMARY", "web:3", 3, 1);
        short.rollout_state = RolloutState::Completed;
        assert_eq!(service(3, 1, vec![short]).health(), Health::Degraded);

        assert_eq!(service(0, 0, vec![]).health(), Health::Idle);
    }

    #[test]
    fn event_text_drops_the_service_prefix() {
        assert_eq!(
            event_text("(service web) has reached a steady state."),
            "has reached a steady state."
        );
        assert_eq!(event_text("something else"), "something else");
    }

    #[test]
    fn exit_code_prefers_the_failure() {
        let c = |code| Container {
            exit_code: code,
            ..fixtures::container("c", "STOPPED")
        };
        let task = fixtures::task("STOPPED", vec![c(Some(0)), c(Some(137)), c(None)]);
        assert_eq!(task.exit_code(), Some(137));
        assert_eq!(task.service_name(), Some("web"));
    }
}

/// A task and a container with everything but what a test sets left empty.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub fn container(name: &str, status: &str) -> Container {
        Container {
            name: name.into(),
            image: format!("{name}:1"),
            image_digest: None,
            last_status: status.into(),
            exit_code: None,
            reason: None,
            health: "UNKNOWN".into(),
            cpu: None,
            memory: None,
            bindings: vec![],
            runtime_id: None,
            exec_agent: None,
        }
    }

    /// A task of service `web` in cluster `c`.
    pub fn task(status: &str, containers: Vec<Container>) -> Task {
        Task {
            arn: "arn:aws:ecs:us-east-1:1:task/c/0123456789".into(),
            id: "0123456789".into(),
            cluster_arn: "arn:aws:ecs:us-east-1:1:cluster/c".into(),
            group: "service:web".into(),
            task_definition: "arn:aws:ecs:us-east-1:1:task-definition/web:1".into(),
            last_status: status.into(),
            desired_status: status.into(),
            health: "UNKNOWN".into(),
            launch_type: LaunchType::Fargate,
            availability_zone: None,
            private_ip: None,
            subnet: None,
            eni: None,
            container_instance_arn: None,
            cpu: None,
            memory: None,
            created_at: None,
            started_at: None,
            stopping_at: None,
            stopped_at: None,
            stop_code: None,
            stopped_reason: None,
            containers,
            capacity_provider: None,
            exec_enabled: true,
        }
    }
}
