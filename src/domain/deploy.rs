//! A service's deployments as ECS records them (ListServiceDeployments,
//! DescribeServiceDeployments): each one's status, the service revisions it went from and
//! to (DescribeServiceRevisions: task definition, images with digests, launch, capacity
//! providers, load balancers, network), what its circuit breaker and alarms saw, and its
//! rollback; and what decides a rollout (the service's deployment configuration).

use jiff::Timestamp;
use serde::Serialize;

use super::{LoadBalancerRef, NetworkConfig, Service};
use crate::util::{arn_tail, task_def_short, words};

/// How a service's deployments roll out: its controller and deployment configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RolloutConfig {
    /// ECS, CODE_DEPLOY or EXTERNAL.
    pub controller: String,
    /// ROLLING, BLUE_GREEN, LINEAR, CANARY.
    pub strategy: String,
    /// The deployment circuit breaker, when on: whether it also rolls back.
    pub circuit_breaker: Option<bool>,
    /// CloudWatch alarms that fail a deployment, when on: their names, and whether a
    /// failure rolls back.
    pub alarms: Option<(Vec<String>, bool)>,
    /// How long a blue/green deployment waits after the shift before it ends.
    pub bake_minutes: Option<u32>,
    /// Lifecycle hooks: `STAGE,STAGE → function`.
    pub hooks: Vec<String>,
}

impl RolloutConfig {
    /// One line: `rolling · circuit breaker with rollback · alarms a, b (rollback)`.
    pub fn summary(&self) -> String {
        let mut parts = vec![match self.strategy.as_str() {
            "" => "rolling".to_string(),
            s => s.to_lowercase().replace('_', "/"),
        }];
        if !self.controller.is_empty() && self.controller != "ECS" {
            parts[0] = format!("{} ({})", self.controller.to_lowercase().replace('_', ""), parts[0]);
        }
        parts.push(match self.circuit_breaker {
            Some(true) => "circuit breaker with rollback".into(),
            Some(false) => "circuit breaker (no rollback)".into(),
            None => "no circuit breaker".into(),
        });
        if let Some((names, rollback)) = &self.alarms {
            parts.push(format!(
                "alarms {}{}",
                names.join(", "),
                if *rollback { " (rollback)" } else { "" }
            ));
        }
        if let Some(bake) = self
            .bake_minutes
            .filter(|_| self.strategy != "ROLLING" && !self.strategy.is_empty())
        {
            parts.push(format!("bake {bake} min"));
        }
        if !self.hooks.is_empty() {
            parts.push(format!(
                "{} lifecycle hook{}",
                self.hooks.len(),
                plural(self.hooks.len())
            ));
        }
        parts.join(" · ")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A service revision a deployment refers to, with its task counts then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevisionRef {
    pub arn: String,
    pub requested: u32,
    pub running: u32,
    pub pending: u32,
    /// Its task definition, once the revision is described.
    pub task_definition: Option<String>,
}

/// One deployment of a service, as ECS records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceDeployment {
    pub arn: String,
    /// PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED, ROLLBACK_REQUESTED,
    /// ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED.
    pub status: String,
    pub reason: String,
    pub created_at: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub stopped_at: Option<Timestamp>,
    pub from: Vec<RevisionRef>,
    pub to: Option<RevisionRef>,
    /// Where a blue/green deployment is: BAKE_TIME, TEST_TRAFFIC_SHIFT, ...
    pub stage: Option<String>,
    pub circuit_breaker: Option<Breaker>,
    pub alarms: Option<Watched>,
    pub rollback: Option<Rollback>,
    /// Where a blue/green's production traffic goes while it shifts: each target group's
    /// share, from the listener rule (ECS blue/green) or from CodeDeploy.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub traffic: Vec<Traffic>,
    /// For a CODE_DEPLOY service: the CodeDeploy deployment this row is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_deploy: Option<Box<CodeDeploy>>,
}

/// One target group's share of a blue/green's production traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Traffic {
    /// `blue` or `green` where the deployment says which, else empty.
    pub label: String,
    pub target_group: String,
    pub percent: u32,
}

/// `blue shop-blue 70% · green shop-green 30%`.
pub fn traffic_text(traffic: &[Traffic]) -> String {
    traffic
        .iter()
        .map(|t| {
            let label = if t.label.is_empty() {
                String::new()
            } else {
                format!("{} ", t.label)
            };
            format!("{label}{} {}%", t.target_group, t.percent)
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A CodeDeploy deployment of a CODE_DEPLOY service, as CodeDeploy tells it (GetDeployment,
/// and the service as its target: BatchGetDeploymentTargets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeDeploy {
    pub id: String,
    pub application: String,
    pub group: String,
    /// The deployment configuration: `CodeDeployDefault.ECSLinear10PercentEvery1Minutes`.
    pub config: String,
    /// CodeDeploy's own status: Created, Queued, InProgress, Baking, Ready, Succeeded,
    /// Failed, Stopped.
    pub status: String,
    /// user, codeDeployRollback, CodeDeploy, CloudFormation...
    pub creator: String,
    pub description: String,
    /// `CODE: message`, when it failed.
    pub error: Option<String>,
    /// The deployment that rolled this one back, or the one this one rolls back.
    pub rolled_back_by: Option<String>,
    pub rollback_of: Option<String>,
    /// The service's lifecycle events as its target, in order.
    pub events: Vec<HookEvent>,
}

/// One lifecycle event of a CodeDeploy deployment (BeforeInstall ... AfterAllowTraffic).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HookEvent {
    pub name: String,
    /// Pending, InProgress, Succeeded, Failed, Skipped, Unknown.
    pub status: String,
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    /// What its hook said, when it failed.
    pub message: Option<String>,
}

impl CodeDeploy {
    /// Still going: StopDeployment takes it.
    pub fn ongoing(&self) -> bool {
        matches!(
            self.status.as_str(),
            "Created" | "Queued" | "InProgress" | "Baking" | "Ready"
        )
    }

    /// The lifecycle event going on now, else the last one that ended.
    pub fn stage(&self) -> Option<&str> {
        self.events
            .iter()
            .find(|e| e.status == "InProgress")
            .or_else(|| self.events.iter().rev().find(|e| e.status != "Pending"))
            .map(|e| e.name.as_str())
    }

    /// Its status in ECS's words (so a CodeDeploy row reads and tones as a service
    /// deployment does): `Succeeded` is SUCCESSFUL, a stopped or failed one that was rolled
    /// back is ROLLBACK_SUCCESSFUL, `Failed` without a rollback STOPPED.
    pub fn ecs_status(&self) -> &'static str {
        match self.status.as_str() {
            "Created" | "Queued" => "PENDING",
            "InProgress" | "Baking" | "Ready" => "IN_PROGRESS",
            "Succeeded" => "SUCCESSFUL",
            _ if self.rolled_back_by.is_some() => "ROLLBACK_SUCCESSFUL",
            _ => "STOPPED",
        }
    }
}

/// The task definition an ECS AppSpec deploys (`Resources[0].TargetService.Properties.
/// TaskDefinition`), from its JSON or its YAML (where the key has a line of its own).
pub fn appspec_task_definition(content: &str) -> Option<String> {
    if let Ok(doc) = serde_json::from_str::<serde_json::Value>(content) {
        return doc
            .pointer("/Resources/0/TargetService/Properties/TaskDefinition")
            .and_then(|v| v.as_str())
            .map(str::to_string);
    }
    content.lines().find_map(|line| {
        let value = line.trim().strip_prefix("TaskDefinition:")?;
        let value = value.split(" #").next().unwrap_or_default().trim();
        let value = value.trim_matches(|c| c == '"' || c == '\'');
        (!value.is_empty()).then(|| value.to_string())
    })
}

/// A deployment's circuit breaker: its status, the failed tasks it counted, its threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breaker {
    /// MONITORING, MONITORING_COMPLETE, TRIGGERED, DISABLED.
    pub status: String,
    pub failures: u32,
    pub threshold: u32,
}

/// The alarms a deployment watched: their status, names, and the ones that went off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Watched {
    pub status: String,
    pub names: Vec<String>,
    pub triggered: Vec<String>,
}

/// A deployment's rollback: why, when it started, the revision it goes back to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rollback {
    pub reason: String,
    pub started_at: Option<Timestamp>,
    pub revision: String,
}

impl super::Keyed for ServiceDeployment {
    fn key(&self) -> &str {
        &self.arn
    }
}

/// A service deployment's ARN (as against a CodeDeploy deployment's ID).
pub fn is_service_deployment(deployment: &str) -> bool {
    deployment.contains(":service-deployment/")
}

impl ServiceDeployment {
    /// Recorded by ECS or CodeDeploy (not one of the service's current `deployments[]`
    /// standing in for a history that was not read): it can be opened, copied, stopped.
    pub fn recorded(&self) -> bool {
        is_service_deployment(&self.arn) || self.code_deploy.is_some()
    }

    /// While it goes on, where it stands: `allow traffic · traffic blue a 70% · green b 30%`.
    pub fn progress(&self) -> Option<String> {
        if !self.ongoing() {
            return None;
        }
        let mut parts: Vec<String> = self.stage.iter().map(|s| words(s)).collect();
        if !self.traffic.is_empty() {
            parts.push(format!("traffic {}", traffic_text(&self.traffic)));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    /// Still going: it can be stopped (StopServiceDeployment takes only these).
    pub fn ongoing(&self) -> bool {
        matches!(
            self.status.as_str(),
            "PENDING" | "IN_PROGRESS" | "STOP_REQUESTED" | "ROLLBACK_REQUESTED" | "ROLLBACK_IN_PROGRESS"
        )
    }

    /// Ended badly: stopped, rolled back, or its rollback failed.
    pub fn failed(&self) -> bool {
        self.status == "STOPPED" || self.status.starts_with("ROLLBACK")
    }

    /// `payments:58 → payments:59`, as far as the revisions are known.
    pub fn change(&self) -> String {
        let td = |r: &RevisionRef| {
            r.task_definition.as_deref().map_or_else(
                || format!("revision {}", arn_tail(&r.arn)),
                |t| task_def_short(t).to_string(),
            )
        };
        let to = self.to.as_ref().map_or_else(|| "?".to_string(), td);
        match self.from.as_slice() {
            [] => to,
            from => format!("{} → {to}", from.iter().map(td).collect::<Vec<_>>().join(", ")),
        }
    }

    /// The circuit breaker's count: `2/10`, or `off`.
    pub fn breaker(&self) -> String {
        match &self.circuit_breaker {
            Some(b) if b.status == "DISABLED" => "off".into(),
            Some(b) => format!("{}/{}", b.failures, b.threshold),
            None => "-".into(),
        }
    }
}

impl ServiceDeployment {
    /// One of the service's current `deployments[]`, where its history cannot be read:
    /// what it says of itself (no revisions, no circuit breaker count).
    pub fn from_current(d: &super::Deployment) -> Self {
        use super::RolloutState;
        let (status, finished) = match d.rollout_state {
            RolloutState::Completed => ("SUCCESSFUL", d.updated_at),
            RolloutState::Failed => ("STOPPED", d.updated_at),
            _ => ("IN_PROGRESS", None),
        };
        ServiceDeployment {
            arn: d.id.clone(),
            status: status.into(),
            reason: d.rollout_reason.clone(),
            created_at: d.created_at,
            started_at: d.created_at,
            finished_at: finished,
            stopped_at: None,
            from: Vec::new(),
            to: Some(RevisionRef {
                arn: String::new(),
                requested: d.desired,
                running: d.running,
                pending: d.pending,
                task_definition: Some(d.task_definition.clone()),
            }),
            stage: None,
            circuit_breaker: None,
            alarms: None,
            rollback: None,
            traffic: Vec::new(),
            code_deploy: None,
        }
    }
}

/// A service revision: what a deployment deploys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceRevision {
    pub arn: String,
    pub task_definition: String,
    /// (container, image, digest).
    pub images: Vec<(String, String, Option<String>)>,
    pub launch_type: Option<String>,
    pub platform_version: Option<String>,
    /// (provider, base, weight).
    pub capacity_providers: Vec<(String, u32, u32)>,
    pub load_balancers: Vec<LoadBalancerRef>,
    pub network: Option<NetworkConfig>,
    pub created_at: Option<Timestamp>,
}

impl ServiceRevision {
    /// Every field a person compares, as (name, value) lines, in a fixed order.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut out = vec![(
            "task definition".to_string(),
            task_def_short(&self.task_definition).to_string(),
        )];
        for (container, image, digest) in &self.images {
            out.push((format!("image of {container}"), image.clone()));
            out.push((
                format!("digest of {container}"),
                digest.clone().unwrap_or_else(|| "-".into()),
            ));
        }
        out.push((
            "launch type".into(),
            self.launch_type.clone().unwrap_or_else(|| "-".into()),
        ));
        out.push((
            "platform version".into(),
            self.platform_version.clone().unwrap_or_else(|| "-".into()),
        ));
        let providers: Vec<String> = self
            .capacity_providers
            .iter()
            .map(|(name, base, weight)| format!("{name} base {base} weight {weight}"))
            .collect();
        out.push(("capacity providers".into(), none_or(&providers)));
        out.push((
            "load balancers".into(),
            balancers_text(&self.load_balancers, super::metrics::target_group_name),
        ));
        out.push(("network".into(), network_text(self.network.as_ref())));
        out
    }

    /// What a service has now, where its current revision was not described: its own
    /// fields (no images, no resolved platform version).
    pub fn of_service(s: &Service) -> Self {
        ServiceRevision {
            arn: String::new(),
            task_definition: s.task_definition.clone(),
            images: Vec::new(),
            launch_type: s
                .capacity_strategy
                .is_empty()
                .then(|| s.launch_type.as_str().to_string()),
            platform_version: None,
            capacity_providers: s.capacity_strategy.clone(),
            load_balancers: s.load_balancers.clone(),
            network: s.network.clone(),
            created_at: None,
        }
    }
}

/// Load balancers as `TARGET GROUP → container:port`, each target group named by `name`
/// (of its ARN).
fn balancers_text(balancers: &[LoadBalancerRef], name: fn(&str) -> &str) -> String {
    let lines: Vec<String> = balancers
        .iter()
        .map(|lb| {
            format!(
                "{} → {}:{}",
                name(&lb.target_group_arn),
                lb.container_name,
                lb.container_port
            )
        })
        .collect();
    none_or(&lines)
}

/// A target group ARN's `NAME/ID`: where the names alone are the same.
fn target_group_id(arn: &str) -> &str {
    arn.split_once('/').map_or(arn, |(_, id)| id)
}

fn network_text(network: Option<&NetworkConfig>) -> String {
    network.map_or_else(
        || "-".to_string(),
        |n| {
            format!(
                "subnets {} · security groups {} · {}",
                n.subnets.join(","),
                n.security_groups.join(","),
                if n.assign_public_ip { "public IP" } else { "private" }
            )
        },
    )
}

fn none_or(list: &[String]) -> String {
    if list.is_empty() { "-".into() } else { list.join("; ") }
}

/// What a deployment changed: each field whose value differs between the revision it
/// went from and the one it went to, (name, from, to).
pub fn changes(from: &ServiceRevision, to: &ServiceRevision) -> Vec<(String, String, String)> {
    let before = from.fields();
    let after = to.fields();
    let mut out = Vec::new();
    for (name, new) in &after {
        let old = before.iter().find(|(n, _)| n == name).map_or("-", |(_, v)| v.as_str());
        if old != new {
            out.push((name.clone(), old.to_string(), new.clone()));
        }
    }
    for (name, old) in &before {
        if !after.iter().any(|(n, _)| n == name) {
            out.push((name.clone(), old.clone(), "-".into()));
        }
    }
    out
}

/// Going back to a past service revision with UpdateService: the task definition, and each
/// other field of the revision that differs from the service's current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restore {
    /// The revision gone back to (its ARN).
    pub revision: String,
    pub task_definition: String,
    /// The capacity provider strategy to send; empty goes back to the launch type.
    pub capacity_providers: Option<Vec<(String, u32, u32)>>,
    /// The load balancers to send; empty removes them.
    pub load_balancers: Option<Vec<LoadBalancerRef>>,
    pub network: Option<NetworkConfig>,
    pub platform_version: Option<String>,
    /// What changes, (field, now, then), for the confirmation and the audit.
    pub changes: Vec<(String, String, String)>,
    /// What differs and UpdateService cannot put back, said in the confirmation.
    pub kept: Vec<String>,
}

impl Restore {
    /// Put a service now on `current` back on `target`; refused when nothing would change.
    /// `strategy` is the service's deployment strategy: an ECS blue/green (BLUE_GREEN,
    /// LINEAR, CANARY) keeps its load balancers, whose alternate target groups and listener
    /// rules a revision does not record.
    pub fn new(current: &ServiceRevision, target: &ServiceRevision, strategy: &str) -> Result<Restore, String> {
        // Images follow the task definition (the deployment's screen shows them): what
        // changes is what UpdateService is sent.
        let mut changes = changes(current, target);
        changes.retain(|(name, ..)| !name.starts_with("image of ") && !name.starts_with("digest of "));
        let mut kept = Vec::new();
        let capacity_providers =
            (current.capacity_providers != target.capacity_providers).then(|| target.capacity_providers.clone());
        if current.launch_type != target.launch_type
            && current.capacity_providers.is_empty()
            && target.capacity_providers.is_empty()
        {
            kept.push(format!(
                "launch type stays {}: UpdateService cannot change it",
                current.launch_type.as_deref().unwrap_or("-")
            ));
            changes.retain(|(name, ..)| name != "launch type");
        }
        let mut load_balancers = None;
        if current.load_balancers != target.load_balancers {
            if matches!(strategy, "ROLLING" | "") {
                load_balancers = Some(target.load_balancers.clone());
                // The same target group names on other target groups (made again): said by
                // their IDs, as the names alone would show no change.
                if !changes.iter().any(|(name, ..)| name == "load balancers") {
                    changes.push((
                        "load balancers".into(),
                        balancers_text(&current.load_balancers, target_group_id),
                        balancers_text(&target.load_balancers, target_group_id),
                    ));
                }
            } else {
                kept.push(
                    "load balancers stay: a blue/green's are set with its alternate target groups and listener rules"
                        .into(),
                );
                changes.retain(|(name, ..)| name != "load balancers");
            }
        }
        let mut network = None;
        if current.network != target.network {
            match &target.network {
                Some(n) => network = Some(n.clone()),
                None => {
                    kept.push("network stays: the revision had none, and awsvpc cannot be removed".into());
                    changes.retain(|(name, ..)| name != "network");
                }
            }
        }
        // Sent when both are known (resolved: 1.4.0, not LATEST) and differ; a move between
        // Fargate and EC2 comes with the capacity providers.
        let platform_version = match (&current.platform_version, &target.platform_version) {
            (Some(now), Some(then)) if now != then => Some(then.clone()),
            (None, Some(then)) => {
                kept.push(format!(
                    "platform version stays as the service has it (the revision ran {then})"
                ));
                changes.retain(|(name, ..)| name != "platform version");
                None
            }
            _ => {
                changes.retain(|(name, ..)| name != "platform version");
                None
            }
        };
        if changes.is_empty() {
            return Err(format!(
                "the service is on this revision already ({})",
                task_def_short(&target.task_definition)
            ));
        }
        Ok(Restore {
            revision: target.arn.clone(),
            task_definition: target.task_definition.clone(),
            capacity_providers,
            load_balancers,
            network,
            platform_version,
            changes,
            kept,
        })
    }
}

/// A service's deployments, newest first, and the revisions they refer to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeploymentHistory {
    pub deployments: Vec<ServiceDeployment>,
    pub revisions: Vec<ServiceRevision>,
}

impl DeploymentHistory {
    pub fn revision(&self, arn: &str) -> Option<&ServiceRevision> {
        self.revisions.iter().find(|r| r.arn == arn)
    }

    /// The revision a service running `task_definition` is on: the newest deployment's
    /// target (its source, once it rolls back), if that is the task definition it runs.
    pub fn current(&self, task_definition: &str) -> Option<&ServiceRevision> {
        let newest = self.deployments.iter().find(|d| d.code_deploy.is_none())?;
        let arn = if newest.status.starts_with("ROLLBACK") {
            newest
                .rollback
                .as_ref()
                .map(|r| r.revision.as_str())
                .filter(|a| !a.is_empty())
                .or_else(|| newest.from.first().map(|r| r.arn.as_str()))
        } else {
            newest.to.as_ref().map(|r| r.arn.as_str())
        }?;
        self.revision(arn).filter(|r| r.task_definition == task_definition)
    }

    /// Fill in each deployment's revisions' task definitions from the revisions described.
    pub fn resolve(&mut self) {
        let revisions = std::mem::take(&mut self.revisions);
        for d in &mut self.deployments {
            for r in d.from.iter_mut().chain(d.to.as_mut()) {
                r.task_definition = revisions
                    .iter()
                    .find(|x| x.arn == r.arn)
                    .map(|x| x.task_definition.clone());
            }
        }
        self.revisions = revisions;
    }
}

/// How a service is reached by name: its Service Connect configuration (the namespace,
/// each port's discovery name and the client aliases other services call it by), and the
/// Cloud Map services it registers its tasks in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Discovery {
    /// The Service Connect namespace, when Service Connect is on.
    pub namespace: Option<String>,
    /// `port name → discovery name · alias:port, …`.
    pub endpoints: Vec<String>,
    /// Cloud Map service ARNs (serviceRegistries).
    pub registries: Vec<String>,
}

impl Discovery {
    pub fn is_empty(&self) -> bool {
        self.namespace.is_none() && self.registries.is_empty()
    }
}

/// An instance registered in a Cloud Map service, and its health there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CloudMapInstance {
    pub id: String,
    /// `10.0.1.12:8080`, from AWS_INSTANCE_IPV4 and AWS_INSTANCE_PORT.
    pub address: String,
    /// HEALTHY, UNHEALTHY or UNKNOWN.
    pub health: String,
}

/// A task's scale-in protection (GetTaskProtection): a protected task is not stopped when
/// its service scales in, until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Protection {
    pub task: String,
    pub enabled: bool,
    pub expires: Option<Timestamp>,
}

/// How many tasks one GetTaskProtection or UpdateTaskProtection call takes.
pub const PROTECTION_TASKS_PER_CALL: usize = 10;
/// The longest protection UpdateTaskProtection sets, in minutes (two days).
pub const PROTECTION_MAX_MINUTES: u32 = 2_880;

/// How many deployments a history read lists (ListServiceDeployments' largest page, the
/// newest), and how many revisions one DescribeServiceRevisions call takes.
pub const HISTORY_DEPLOYMENTS: i32 = 20;
pub const REVISIONS_PER_CALL: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;

    fn revision(td: &str, digest: &str) -> ServiceRevision {
        ServiceRevision {
            arn: format!("arn:aws:ecs:us-east-1:1:service-revision/c/s/{td}"),
            task_definition: format!("arn:aws:ecs:us-east-1:1:task-definition/{td}"),
            images: vec![("app".into(), "repo/app:1".into(), Some(digest.into()))],
            launch_type: Some("FARGATE".into()),
            platform_version: Some("LATEST".into()),
            capacity_providers: vec![],
            load_balancers: vec![],
            network: None,
            created_at: None,
        }
    }

    #[test]
    fn an_appspec_names_its_task_definition_in_json_or_yaml() {
        let td = "arn:aws:ecs:us-east-1:1:task-definition/shop:7";
        let json = format!(
            r#"{{"version":0.0,"Resources":[{{"TargetService":{{"Type":"AWS::ECS::Service","Properties":{{"TaskDefinition":"{td}"}}}}}}]}}"#
        );
        assert_eq!(appspec_task_definition(&json).as_deref(), Some(td));
        let yaml = format!(
            "version: 0.0\nResources:\n  - TargetService:\n      Properties:\n        TaskDefinition: \"{td}\" # v7\n"
        );
        assert_eq!(appspec_task_definition(&yaml).as_deref(), Some(td));
        assert_eq!(appspec_task_definition("{}"), None);
        assert_eq!(appspec_task_definition("version: 0.0\n"), None);
    }

    #[test]
    fn traffic_reads_in_one_line() {
        let traffic = [
            Traffic {
                label: "blue".into(),
                target_group: "shop-blue".into(),
                percent: 70,
            },
            Traffic {
                label: String::new(),
                target_group: "shop-green".into(),
                percent: 30,
            },
        ];
        assert_eq!(traffic_text(&traffic), "blue shop-blue 70% · shop-green 30%");
    }

    #[test]
    fn a_deployment_changes_what_differs() {
        let changes = changes(&revision("app:1", "sha256:a"), &revision("app:2", "sha256:b"));
        assert_eq!(
            changes,
            vec![
                ("task definition".into(), "app:1".into(), "app:2".into()),
                ("digest of app".into(), "sha256:a".into(), "sha256:b".into()),
            ]
        );
    }

    #[test]
    fn a_restore_sends_what_differs_and_says_what_it_cannot() {
        let lb = |tg: &str| LoadBalancerRef {
            target_group_arn: format!("arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/{tg}/abc"),
            container_name: "app".into(),
            container_port: 8080,
        };
        let net = |sg: &str| NetworkConfig {
            subnets: vec!["subnet-1".into()],
            security_groups: vec![sg.into()],
            assign_public_ip: false,
        };
        let mut now = revision("app:2", "sha256:b");
        now.capacity_providers = vec![("FARGATE".into(), 2, 1), ("FARGATE_SPOT".into(), 0, 3)];
        now.launch_type = None;
        now.load_balancers = vec![lb("web-v2")];
        now.network = Some(net("sg-new"));
        let mut then = revision("app:1", "sha256:a");
        then.load_balancers = vec![lb("web")];
        then.network = Some(net("sg-old"));
        let restore = Restore::new(&now, &then, "ROLLING").unwrap();
        assert_eq!(restore.task_definition, then.task_definition);
        // Back to the launch type: an empty strategy.
        assert_eq!(restore.capacity_providers, Some(vec![]));
        assert_eq!(restore.load_balancers, Some(vec![lb("web")]));
        assert_eq!(restore.network, Some(net("sg-old")));
        assert_eq!(restore.platform_version, None);
        let fields: Vec<&str> = restore.changes.iter().map(|(f, ..)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "task definition",
                "launch type",
                "capacity providers",
                "load balancers",
                "network"
            ]
        );
        assert!(restore.kept.is_empty());

        // The same revision: nothing to do, refused.
        assert!(
            Restore::new(&then, &then, "ROLLING")
                .unwrap_err()
                .contains("on this revision already")
        );

        // Only the task definition differs: nothing else is sent.
        let restore = Restore::new(&revision("app:2", "sha256:b"), &then_plain(), "ROLLING").unwrap();
        assert_eq!(
            (restore.capacity_providers, restore.load_balancers, restore.network),
            (None, None, None)
        );

        // EC2 to Fargate by launch type, a network removed: said, not sent.
        let mut ec2 = revision("app:2", "sha256:b");
        ec2.launch_type = Some("EC2".into());
        ec2.images.clear();
        ec2.network = Some(net("sg-new"));
        let restore = Restore::new(&ec2, &then_plain(), "ROLLING").unwrap();
        assert_eq!(
            restore.kept,
            [
                "launch type stays EC2: UpdateService cannot change it",
                "network stays: the revision had none, and awsvpc cannot be removed"
            ]
        );
        assert_eq!(
            restore.changes,
            [("task definition".into(), "app:2".into(), "app:1".into())]
        );

        // A blue/green keeps its load balancers; a target group made again under the same
        // name is told by its ID.
        let restore = Restore::new(&now, &then, "BLUE_GREEN").unwrap();
        assert_eq!(restore.load_balancers, None);
        assert!(restore.kept[0].starts_with("load balancers stay"), "{:?}", restore.kept);
        let mut again = then_plain();
        again.load_balancers = vec![lb("web")];
        let mut made_again = again.clone();
        made_again.load_balancers[0].target_group_arn =
            made_again.load_balancers[0].target_group_arn.replace("abc", "def");
        let restore = Restore::new(&made_again, &again, "ROLLING").unwrap();
        assert_eq!(
            restore.changes,
            [(
                "load balancers".into(),
                "web/def → app:8080".into(),
                "web/abc → app:8080".into()
            )]
        );

        // A platform version the revision ran, not known now: said, not sent.
        let mut unknown = then_plain();
        unknown.platform_version = None;
        unknown.task_definition = now.task_definition.clone();
        let restore = Restore::new(&unknown, &then_plain(), "ROLLING").unwrap();
        assert_eq!(restore.platform_version, None);
        assert_eq!(
            restore.kept,
            ["platform version stays as the service has it (the revision ran LATEST)"]
        );
    }

    fn then_plain() -> ServiceRevision {
        revision("app:1", "sha256:a")
    }

    #[test]
    fn the_current_revision_is_the_newest_deployments() {
        let at = |td: &str| RevisionRef {
            arn: revision(td, "").arn,
            requested: 1,
            running: 1,
            pending: 0,
            task_definition: None,
        };
        let deployment = |status: &str| ServiceDeployment {
            arn: "d".into(),
            status: status.into(),
            reason: String::new(),
            created_at: None,
            started_at: None,
            finished_at: None,
            stopped_at: None,
            from: vec![at("app:1")],
            to: Some(at("app:2")),
            stage: None,
            circuit_breaker: None,
            alarms: None,
            rollback: None,
            traffic: vec![],
            code_deploy: None,
        };
        let mut history = DeploymentHistory {
            deployments: vec![deployment("SUCCESSFUL")],
            revisions: vec![revision("app:1", "sha256:a"), revision("app:2", "sha256:b")],
        };
        let td = |n: &str| format!("arn:aws:ecs:us-east-1:1:task-definition/{n}");
        assert_eq!(
            history.current(&td("app:2")).map(|r| r.arn.as_str()),
            Some(at("app:2").arn.as_str())
        );
        // Changed since outside of what was listed: not known.
        assert_eq!(history.current(&td("app:3")), None);
        history.deployments[0].status = "ROLLBACK_SUCCESSFUL".into();
        assert_eq!(
            history.current(&td("app:1")).map(|r| r.arn.as_str()),
            Some(at("app:1").arn.as_str())
        );
    }

    #[test]
    fn the_rollout_reads_in_one_line() {
        let config = RolloutConfig {
            controller: "ECS".into(),
            strategy: "ROLLING".into(),
            circuit_breaker: Some(true),
            alarms: Some((vec!["5xx".into()], true)),
            bake_minutes: None,
            hooks: vec![],
        };
        assert_eq!(
            config.summary(),
            "rolling · circuit breaker with rollback · alarms 5xx (rollback)"
        );
        let blue_green = RolloutConfig {
            strategy: "BLUE_GREEN".into(),
            bake_minutes: Some(10),
            ..RolloutConfig::default()
        };
        assert_eq!(blue_green.summary(), "blue/green · no circuit breaker · bake 10 min");
    }
}
