//! ECS reads: every list paginated to the end, every describe batched to its limit
//! (DescribeClusters and DescribeTasks 100, DescribeServices 10), and the SDK's types
//! converted to bosun's at this edge.

use aws_sdk_ecs::Client;
use aws_sdk_ecs::types as sdk;

use super::error::{Call, Who};
use super::{describe_all, timestamp};
use crate::domain::deploy::{
    Breaker, CloudMapInstance, DeploymentHistory, Discovery, HISTORY_DEPLOYMENTS, PROTECTION_TASKS_PER_CALL,
    Protection, REVISIONS_PER_CALL, RevisionRef, Rollback, RolloutConfig, ServiceDeployment, ServiceRevision, Watched,
};
use crate::domain::{
    Cluster, Container, ContainerDefinition, ContainerInstance, Deployment, EfsVolume, FetchError, LaunchType,
    LoadBalancerRef, NetworkConfig, PortMapping, RolloutState, Service, ServiceEvent, Task, TaskDefinition, Volume,
};
use crate::util::{arn_region, arn_tail, words};

pub async fn clusters(client: &Client, region: &str, who: &Who) -> Result<Vec<Cluster>, FetchError> {
    let arns: Vec<String> = client
        .list_clusters()
        .max_results(100)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("ECS ListClusters", region, who).of(e))?;
    describe_all(arns, 100, |batch| async move {
        let out = client
            .describe_clusters()
            .set_clusters(Some(batch))
            .send()
            .await
            .map_err(|e| Call::new("ECS DescribeClusters", region, who).of(e))?;
        Ok(out
            .clusters()
            .iter()
            .map(|c| cluster(c, region, &who.account))
            .collect())
    })
    .await
}

pub async fn services(client: &Client, region: &str, who: &Who, cluster: &str) -> Result<Vec<Service>, FetchError> {
    let arns: Vec<String> = client
        .list_services()
        .cluster(cluster)
        .max_results(100)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("ECS ListServices", region, who).of(e))?;
    describe_all(arns, 10, |batch| async move {
        let out = client
            .describe_services()
            .cluster(cluster)
            .set_services(Some(batch))
            .send()
            .await
            .map_err(|e| Call::new("ECS DescribeServices", region, who).of(e))?;
        Ok(out.services().iter().map(|s| service(s, cluster)).collect())
    })
    .await
}

pub async fn tasks(
    client: &Client,
    region: &str,
    who: &Who,
    cluster: &str,
    stopped: bool,
) -> Result<Vec<Task>, FetchError> {
    let desired = if stopped {
        sdk::DesiredStatus::Stopped
    } else {
        sdk::DesiredStatus::Running
    };
    let arns: Vec<String> = client
        .list_tasks()
        .cluster(cluster)
        .desired_status(desired)
        .max_results(100)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("ECS ListTasks", region, who).of(e))?;
    describe_all(arns, 100, |batch| async move {
        let out = client
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(batch))
            .send()
            .await
            .map_err(|e| Call::new("ECS DescribeTasks", region, who).of(e))?;
        Ok(out.tasks().iter().map(|t| task(t, cluster)).collect())
    })
    .await
}

/// One task by ID or ARN (DescribeTasks); a task ECS does not know (`MISSING`) is not found.
pub async fn task_by_id(client: &Client, region: &str, who: &Who, cluster: &str, id: &str) -> Result<Task, FetchError> {
    let out = client
        .describe_tasks()
        .cluster(cluster)
        .tasks(id)
        .send()
        .await
        .map_err(|e| Call::new("ECS DescribeTasks", region, who).of(e))?;
    match out.tasks().first() {
        Some(t) => Ok(task(t, cluster)),
        None => {
            let why = out
                .failures()
                .first()
                .and_then(|f| f.reason())
                .unwrap_or("MISSING")
                .to_string();
            Err(FetchError::new(
                crate::domain::ErrorKind::NotFound,
                format!(
                    "no task `{id}` in {} (ECS DescribeTasks: {why}; it takes a whole task ID or ARN)",
                    crate::util::arn_tail(cluster)
                ),
            ))
        }
    }
}

pub async fn container_instances(
    client: &Client,
    region: &str,
    who: &Who,
    cluster: &str,
) -> Result<Vec<ContainerInstance>, FetchError> {
    let arns: Vec<String> = client
        .list_container_instances()
        .cluster(cluster)
        .max_results(100)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("ECS ListContainerInstances", region, who).of(e))?;
    describe_all(arns, 100, |batch| async move {
        let out = client
            .describe_container_instances()
            .cluster(cluster)
            .set_container_instances(Some(batch))
            .send()
            .await
            .map_err(|e| Call::new("ECS DescribeContainerInstances", region, who).of(e))?;
        Ok(out.container_instances().iter().map(container_instance).collect())
    })
    .await
}

/// ACTIVE revisions of one family, newest first (ListTaskDefinitions matches a prefix:
/// `web` would also list `web-api`, so the family is checked exactly).
pub async fn revisions(client: &Client, region: &str, who: &Who, family: &str) -> Result<Vec<String>, FetchError> {
    let arns: Vec<String> = client
        .list_task_definitions()
        .family_prefix(family)
        .status(sdk::TaskDefinitionStatus::Active)
        .sort(sdk::SortOrder::Desc)
        .max_results(100)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("ECS ListTaskDefinitions", region, who).of(e))?;
    let mut exact: Vec<String> = arns
        .into_iter()
        .filter(|a| crate::util::task_def_family(a) == family)
        .collect();
    // Newest first, whatever order the endpoint kept.
    exact.sort_by_key(|a| std::cmp::Reverse(crate::util::task_def_revision(a).unwrap_or(0)));
    Ok(exact)
}

pub async fn task_definition(
    client: &Client,
    region: &str,
    who: &Who,
    arn: &str,
) -> Result<TaskDefinition, FetchError> {
    let out = client
        .describe_task_definition()
        .task_definition(arn)
        .send()
        .await
        .map_err(|e| Call::new("ECS DescribeTaskDefinition", region, who).of(e))?;
    out.task_definition().map(task_def).ok_or_else(|| {
        FetchError::new(
            crate::domain::ErrorKind::NotFound,
            format!("ECS DescribeTaskDefinition in {region} returned no task definition for {arn}"),
        )
    })
}

// ---- conversions ------------------------------------------------------------------------

fn launch_type(t: Option<&sdk::LaunchType>) -> LaunchType {
    t.map_or(LaunchType::Unknown, |t| LaunchType::parse(t.as_str()))
}

fn text(s: Option<&str>) -> String {
    s.unwrap_or_default().to_string()
}

/// An optional string, with an empty one as none: some endpoints send "" for unset.
fn opt(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_string)
}

fn count(n: i32) -> u32 {
    n.max(0) as u32
}

pub(crate) fn cluster(c: &sdk::Cluster, region: &str, account: &str) -> Cluster {
    let arn = text(c.cluster_arn());
    Cluster {
        account: account.to_string(),
        name: c
            .cluster_name()
            .map_or_else(|| arn_tail(&arn).to_string(), str::to_string),
        region: arn_region(&arn).unwrap_or(region).to_string(),
        arn,
        status: text(c.status()),
        active_services: count(c.active_services_count()),
        running_tasks: count(c.running_tasks_count()),
        pending_tasks: count(c.pending_tasks_count()),
        container_instances: count(c.registered_container_instances_count()),
        capacity_providers: c.capacity_providers().to_vec(),
    }
}

pub(crate) fn service(s: &sdk::Service, cluster: &str) -> Service {
    let launch = match s.launch_type() {
        Some(t) => launch_type(Some(t)),
        None if !s.capacity_provider_strategy().is_empty() => LaunchType::CapacityProvider,
        None => LaunchType::Unknown,
    };
    let config = s.deployment_configuration();
    Service {
        arn: text(s.service_arn()),
        name: text(s.service_name()),
        cluster_arn: s.cluster_arn().map_or_else(|| cluster.to_string(), str::to_string),
        status: text(s.status()),
        desired: count(s.desired_count()),
        running: count(s.running_count()),
        pending: count(s.pending_count()),
        launch_type: launch,
        task_definition: text(s.task_definition()),
        // A CODE_DEPLOY or EXTERNAL service deploys with task sets and has no
        // deployments[]: its task sets stand in for them, so it is never blank.
        deployments: if s.deployments().is_empty() {
            s.task_sets().iter().map(task_set).collect()
        } else {
            s.deployments().iter().map(deployment).collect()
        },
        events: s
            .events()
            .iter()
            .map(|e| ServiceEvent {
                id: text(e.id()),
                created_at: timestamp(e.created_at()),
                message: text(e.message()),
            })
            .collect(),
        load_balancers: s
            .load_balancers()
            .iter()
            .filter_map(|lb| load_balancer(lb, s.service_arn().unwrap_or_default()))
            .collect(),
        network: s
            .network_configuration()
            .and_then(|n| n.awsvpc_configuration())
            .map(|v| NetworkConfig {
                subnets: v.subnets().to_vec(),
                security_groups: v.security_groups().to_vec(),
                assign_public_ip: v.assign_public_ip() == Some(&sdk::AssignPublicIp::Enabled),
            }),
        min_healthy_percent: config.and_then(|c| c.minimum_healthy_percent()).unwrap_or(100).max(0) as u32,
        max_percent: config.and_then(|c| c.maximum_percent()).unwrap_or(200).max(0) as u32,
        created_at: timestamp(s.created_at()),
        recent_failures: 0,
        rollout: rollout(s),
        discovery: discovery(s),
        exec_enabled: s.enable_execute_command(),
        capacity_strategy: s
            .capacity_provider_strategy()
            .iter()
            .map(|c| (c.capacity_provider().to_string(), count(c.base()), count(c.weight())))
            .collect(),
    }
}

/// Its Service Connect configuration (as its newest deployment carries it) and Cloud Map
/// registries.
fn discovery(s: &sdk::Service) -> Discovery {
    let connect = s
        .deployments()
        .iter()
        .find_map(|d| d.service_connect_configuration())
        .filter(|c| c.enabled());
    Discovery {
        namespace: connect.and_then(|c| c.namespace()).map(|n| arn_tail(n).to_string()),
        endpoints: connect
            .map(|c| c.services())
            .unwrap_or_default()
            .iter()
            .map(|svc| {
                let aliases: Vec<String> = svc
                    .client_aliases()
                    .iter()
                    .map(|a| format!("{}:{}", a.dns_name().unwrap_or(svc.port_name()), a.port()))
                    .collect();
                let name = svc.discovery_name().unwrap_or(svc.port_name());
                match aliases.is_empty() {
                    true => format!("{} → {name}", svc.port_name()),
                    false => format!("{} → {name} · {}", svc.port_name(), aliases.join(", ")),
                }
            })
            .collect(),
        registries: s
            .service_registries()
            .iter()
            .filter_map(|r| r.registry_arn().map(str::to_string))
            .collect(),
    }
}

/// The service's controller and deployment configuration.
fn rollout(s: &sdk::Service) -> RolloutConfig {
    let config = s.deployment_configuration();
    RolloutConfig {
        controller: s
            .deployment_controller()
            .map_or_else(|| "ECS".to_string(), |c| c.r#type().as_str().to_string()),
        strategy: config
            .and_then(|c| c.strategy())
            .map_or_else(|| "ROLLING".to_string(), |s| s.as_str().to_string()),
        circuit_breaker: config
            .and_then(|c| c.deployment_circuit_breaker())
            .filter(|b| b.enable())
            .map(|b| b.rollback()),
        alarms: config
            .and_then(|c| c.alarms())
            .filter(|a| a.enable())
            .map(|a| (a.alarm_names().to_vec(), a.rollback())),
        bake_minutes: config.and_then(|c| c.bake_time_in_minutes()).map(|m| m.max(0) as u32),
        hooks: config
            .map(|c| c.lifecycle_hooks())
            .unwrap_or_default()
            .iter()
            .map(|h| {
                let stages: Vec<&str> = h.lifecycle_stages().iter().map(|s| s.as_str()).collect();
                format!(
                    "{} → {}",
                    stages.join(","),
                    arn_tail(h.hook_target_arn().unwrap_or("?"))
                )
            })
            .collect(),
    }
}

/// A service's deployments as ECS records them: the newest page of ListServiceDeployments
/// (at most [`HISTORY_DEPLOYMENTS`]), described in one DescribeServiceDeployments call, and
/// the revisions they refer to (DescribeServiceRevisions, twenty a call).
///
/// A service under the CODE_DEPLOY controller has none of these: its CodeDeploy
/// deployments stand in for them. While an ECS blue/green goes on, its production listener
/// rule says how far the traffic has shifted.
pub async fn deployment_history(
    c: &super::Clients,
    region: &str,
    cluster: &str,
    service: &str,
) -> Result<DeploymentHistory, FetchError> {
    let (client, who) = (&c.ecs, &c.who);
    let listed = client
        .list_service_deployments()
        .cluster(cluster)
        .service(service)
        .max_results(HISTORY_DEPLOYMENTS)
        .send()
        .await
        .map_err(|e| Call::new("ECS ListServiceDeployments", region, who).of(e));
    let arns: Vec<String> = listed
        .as_ref()
        .map(|l| {
            l.service_deployments()
                .iter()
                .filter_map(|d| d.service_deployment_arn().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if arns.is_empty() {
        // None recorded (or the call refused): a CODE_DEPLOY service has its deployments
        // in CodeDeploy; any other has none, or the refusal is the answer.
        let svc = match describe_service(client, region, who, cluster, service).await {
            Ok(svc) => svc,
            Err(e) => return Err(listed.err().unwrap_or(e)),
        };
        let by_codedeploy = svc.as_ref().and_then(|s| s.deployment_controller()).map(|d| d.r#type())
            == Some(&sdk::DeploymentControllerType::CodeDeploy);
        let Some(svc) = svc.filter(|_| by_codedeploy) else {
            listed?;
            return Ok(DeploymentHistory::default());
        };
        let task_sets: Vec<super::codedeploy::TaskSetRef> = svc
            .task_sets()
            .iter()
            .map(|t| super::codedeploy::TaskSetRef {
                id: text(t.id()),
                external_id: text(t.external_id()),
                task_definition: text(t.task_definition()),
            })
            .collect();
        let deployments = super::codedeploy::deployments(
            &c.codedeploy,
            region,
            who,
            arn_tail(cluster),
            svc.service_name().unwrap_or_default(),
            &task_sets,
        )
        .await?;
        return Ok(DeploymentHistory {
            deployments,
            revisions: Vec::new(),
        });
    }
    let described = client
        .describe_service_deployments()
        .set_service_deployment_arns(Some(arns))
        .send()
        .await
        .map_err(|e| Call::new("ECS DescribeServiceDeployments", region, who).of(e))?;
    let mut deployments: Vec<ServiceDeployment> =
        described.service_deployments().iter().map(service_deployment).collect();
    deployments.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.arn.cmp(&b.arn)));
    let mut wanted: Vec<String> = deployments
        .iter()
        .flat_map(|d| d.from.iter().chain(d.to.as_ref()))
        .map(|r| r.arn.clone())
        .chain(
            deployments
                .iter()
                .filter_map(|d| d.rollback.as_ref().map(|r| r.revision.clone())),
        )
        .filter(|a| !a.is_empty())
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut revisions = Vec::new();
    for chunk in wanted.chunks(REVISIONS_PER_CALL) {
        let out = client
            .describe_service_revisions()
            .set_service_revision_arns(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| Call::new("ECS DescribeServiceRevisions", region, who).of(e))?;
        revisions.extend(out.service_revisions().iter().map(service_revision));
    }
    let mut history = DeploymentHistory { deployments, revisions };
    history.resolve();
    if history.deployments.iter().any(ServiceDeployment::ongoing)
        && let Some(svc) = describe_service(client, region, who, cluster, service).await?
    {
        let rules: Vec<String> = svc
            .load_balancers()
            .iter()
            .filter_map(|lb| lb.advanced_configuration()?.production_listener_rule())
            .map(str::to_string)
            .collect();
        if !rules.is_empty() {
            let traffic = super::elb::rule_traffic(&c.elb, region, who, &rules).await?;
            if let Some(d) = history.deployments.iter_mut().find(|d| d.ongoing()) {
                d.traffic = traffic;
            }
        }
    }
    Ok(history)
}

/// One service, described (none when it is gone).
async fn describe_service(
    client: &Client,
    region: &str,
    who: &Who,
    cluster: &str,
    service: &str,
) -> Result<Option<sdk::Service>, FetchError> {
    let out = client
        .describe_services()
        .cluster(cluster)
        .services(service)
        .send()
        .await
        .map_err(|e| Call::new("ECS DescribeServices", region, who).of(e))?;
    Ok(out.services().first().cloned())
}

/// The instances of a Cloud Map service and their health: ListInstances (every page) and
/// GetInstancesHealthStatus (every page).
pub async fn cloud_map(
    client: &aws_sdk_servicediscovery::Client,
    region: &str,
    who: &Who,
    service: &str,
) -> Result<Vec<CloudMapInstance>, FetchError> {
    let id = arn_tail(service);
    let pages: Vec<_> = client
        .list_instances()
        .service_id(id)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("Cloud Map ListInstances", region, who).of(e))?;
    let health_pages: Vec<_> = client
        .get_instances_health_status()
        .service_id(id)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("Cloud Map GetInstancesHealthStatus", region, who).of(e))?;
    let health: std::collections::HashMap<String, String> = health_pages
        .iter()
        .flat_map(|p| p.status().into_iter().flatten())
        .map(|(id, status)| (id.clone(), status.as_str().to_string()))
        .collect();
    Ok(pages
        .iter()
        .flat_map(|p| p.instances())
        .filter_map(|i| {
            let id = i.id()?.to_string();
            let attributes = i.attributes();
            let attr = |k: &str| attributes.and_then(|a| a.get(k)).cloned();
            let address = match (attr("AWS_INSTANCE_IPV4"), attr("AWS_INSTANCE_PORT")) {
                (Some(ip), Some(port)) => format!("{ip}:{port}"),
                (Some(ip), None) => ip,
                _ => "-".into(),
            };
            Some(CloudMapInstance {
                health: health.get(&id).cloned().unwrap_or_else(|| "UNKNOWN".into()),
                id,
                address,
            })
        })
        .collect())
}

/// The scale-in protection of `tasks`, ten a GetTaskProtection call.
pub async fn task_protection(
    client: &Client,
    region: &str,
    who: &Who,
    cluster: &str,
    tasks: &[String],
) -> Result<Vec<Protection>, FetchError> {
    let mut out = Vec::new();
    for chunk in tasks.chunks(PROTECTION_TASKS_PER_CALL) {
        let got = client
            .get_task_protection()
            .cluster(cluster)
            .set_tasks(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| Call::new("ECS GetTaskProtection", region, who).of(e))?;
        out.extend(got.protected_tasks().iter().filter_map(|p| {
            Some(Protection {
                task: p.task_arn()?.to_string(),
                enabled: p.protection_enabled(),
                expires: timestamp(p.expiration_date()),
            })
        }));
    }
    Ok(out)
}

fn revision_ref(r: &sdk::ServiceRevisionSummary) -> RevisionRef {
    RevisionRef {
        arn: text(r.arn()),
        requested: count(r.requested_task_count()),
        running: count(r.running_task_count()),
        pending: count(r.pending_task_count()),
        task_definition: None,
    }
}

fn service_deployment(d: &sdk::ServiceDeployment) -> ServiceDeployment {
    ServiceDeployment {
        arn: text(d.service_deployment_arn()),
        status: d.status().map_or_else(String::new, |s| s.as_str().to_string()),
        reason: text(d.status_reason()),
        created_at: timestamp(d.created_at()),
        started_at: timestamp(d.started_at()),
        finished_at: timestamp(d.finished_at()),
        stopped_at: timestamp(d.stopped_at()),
        from: d.source_service_revisions().iter().map(revision_ref).collect(),
        to: d.target_service_revision().map(revision_ref),
        stage: d.lifecycle_stage().map(|s| s.as_str().to_string()),
        circuit_breaker: d.deployment_circuit_breaker().map(|b| Breaker {
            status: b.status().map_or_else(String::new, |s| s.as_str().to_string()),
            failures: count(b.failure_count()),
            threshold: count(b.threshold()),
        }),
        alarms: d.alarms().map(|a| Watched {
            status: a.status().map_or_else(String::new, |s| s.as_str().to_string()),
            names: a.alarm_names().to_vec(),
            triggered: a.triggered_alarm_names().to_vec(),
        }),
        rollback: d.rollback().map(|r| Rollback {
            reason: text(r.reason()),
            started_at: timestamp(r.started_at()),
            revision: text(r.service_revision_arn()),
        }),
        traffic: Vec::new(),
        code_deploy: None,
    }
}

/// Where a service's (or a revision's) load balancer sends traffic; a Classic Load
/// Balancer is named only, and gets its ARN from the service's place.
fn load_balancer(lb: &sdk::LoadBalancer, service_arn: &str) -> Option<LoadBalancerRef> {
    let arn = match (lb.target_group_arn(), lb.load_balancer_name()) {
        (Some(tg), _) => tg.to_string(),
        (None, Some(name)) => crate::domain::classic_arn(
            crate::util::arn_region(service_arn).unwrap_or_default(),
            crate::domain::account::arn_account(service_arn).unwrap_or_default(),
            name,
        ),
        (None, None) => return None,
    };
    Some(LoadBalancerRef {
        target_group_arn: arn,
        container_name: text(lb.container_name()),
        container_port: lb.container_port().unwrap_or(0).clamp(0, u16::MAX as i32) as u16,
    })
}

fn service_revision(r: &sdk::ServiceRevision) -> ServiceRevision {
    ServiceRevision {
        arn: text(r.service_revision_arn()),
        task_definition: text(r.task_definition()),
        images: r
            .container_images()
            .iter()
            .map(|i| (text(i.container_name()), text(i.image()), opt(i.image_digest())))
            .collect(),
        launch_type: r.launch_type().map(|l| l.as_str().to_string()),
        platform_version: opt(r.platform_version()),
        capacity_providers: r
            .capacity_provider_strategy()
            .iter()
            .map(|c| (c.capacity_provider().to_string(), count(c.base()), count(c.weight())))
            .collect(),
        load_balancers: r
            .load_balancers()
            .iter()
            .filter_map(|lb| load_balancer(lb, r.service_arn().unwrap_or_default()))
            .collect(),
        network: r
            .network_configuration()
            .and_then(|n| n.awsvpc_configuration())
            .map(|v| NetworkConfig {
                subnets: v.subnets().to_vec(),
                security_groups: v.security_groups().to_vec(),
                assign_public_ip: v.assign_public_ip() == Some(&sdk::AssignPublicIp::Enabled),
            }),
        created_at: timestamp(r.created_at()),
    }
}

fn deployment(d: &sdk::Deployment) -> Deployment {
    Deployment {
        id: text(d.id()),
        status: text(d.status()),
        task_definition: text(d.task_definition()),
        desired: count(d.desired_count()),
        running: count(d.running_count()),
        pending: count(d.pending_count()),
        failed: count(d.failed_tasks()),
        rollout_state: d
            .rollout_state()
            .map_or(RolloutState::Unknown, |r| RolloutState::parse(r.as_str())),
        rollout_reason: text(d.rollout_state_reason()),
        launch_type: launch_type(d.launch_type()),
        created_at: timestamp(d.created_at()),
        updated_at: timestamp(d.updated_at()),
    }
}

/// A task set (of a CODE_DEPLOY or EXTERNAL service) as a deployment: PRIMARY or ACTIVE,
/// its computed desired, running and pending counts, STABILIZING as in progress, and its
/// scale and target group in the reason column.
fn task_set(t: &sdk::TaskSet) -> Deployment {
    let scale = t
        .scale()
        .map(|s| s.value())
        .map_or_else(String::new, |v| format!(" · scale {v}%"));
    let groups: Vec<&str> = t
        .load_balancers()
        .iter()
        .filter_map(|lb| lb.target_group_arn())
        .map(crate::domain::metrics::target_group_name)
        .collect();
    let serves = if groups.is_empty() {
        String::new()
    } else {
        format!(" · serves {}", groups.join(", "))
    };
    let stability = t.stability_status().map(|s| s.as_str()).unwrap_or_default();
    Deployment {
        id: text(t.id()),
        status: text(t.status()),
        task_definition: text(t.task_definition()),
        desired: count(t.computed_desired_count()),
        running: count(t.running_count()),
        pending: count(t.pending_count()),
        failed: 0,
        rollout_state: match stability {
            "STEADY_STATE" => RolloutState::Completed,
            _ => RolloutState::InProgress,
        },
        rollout_reason: format!(
            "task set{}{scale}{serves} · {}",
            t.external_id().map_or_else(String::new, |e| format!(" {e}")),
            words(stability)
        ),
        launch_type: launch_type(t.launch_type()),
        created_at: timestamp(t.created_at()),
        updated_at: timestamp(t.updated_at()),
    }
}

/// A value of the ENI attachment of an awsvpc task.
fn eni_detail<'a>(t: &'a sdk::Task, name: &str) -> Option<&'a str> {
    t.attachments()
        .iter()
        .filter(|a| a.r#type() == Some("ElasticNetworkInterface"))
        .flat_map(|a| a.details())
        .find(|kv| kv.name() == Some(name))
        .and_then(|kv| kv.value())
}

pub(crate) fn task(t: &sdk::Task, cluster: &str) -> Task {
    let arn = text(t.task_arn());
    let private_ip = eni_detail(t, "privateIPv4Address").map(str::to_string).or_else(|| {
        t.containers()
            .iter()
            .flat_map(|c| c.network_interfaces())
            .find_map(|n| opt(n.private_ipv4_address()))
    });
    Task {
        id: arn_tail(&arn).to_string(),
        arn,
        cluster_arn: t.cluster_arn().map_or_else(|| cluster.to_string(), str::to_string),
        group: text(t.group()),
        task_definition: text(t.task_definition_arn()),
        last_status: text(t.last_status()),
        desired_status: text(t.desired_status()),
        health: t
            .health_status()
            .map_or_else(|| "UNKNOWN".to_string(), |h| h.as_str().to_string()),
        launch_type: launch_type(t.launch_type()),
        capacity_provider: opt(t.capacity_provider_name()),
        availability_zone: opt(t.availability_zone()),
        private_ip,
        subnet: eni_detail(t, "subnetId").map(str::to_string),
        eni: eni_detail(t, "networkInterfaceId").map(str::to_string),
        container_instance_arn: opt(t.container_instance_arn()),
        cpu: opt(t.cpu()),
        memory: opt(t.memory()),
        created_at: timestamp(t.created_at()),
        started_at: timestamp(t.started_at()),
        stopping_at: timestamp(t.stopping_at()),
        stopped_at: timestamp(t.stopped_at()),
        stop_code: t.stop_code().map(|c| c.as_str().to_string()),
        stopped_reason: opt(t.stopped_reason()),
        containers: t.containers().iter().map(container).collect(),
        exec_enabled: t.enable_execute_command(),
    }
}

fn container(c: &sdk::Container) -> Container {
    Container {
        name: text(c.name()),
        image: text(c.image()),
        image_digest: opt(c.image_digest()),
        last_status: text(c.last_status()),
        exit_code: c.exit_code(),
        reason: opt(c.reason()),
        health: c
            .health_status()
            .map_or_else(|| "UNKNOWN".to_string(), |h| h.as_str().to_string()),
        cpu: opt(c.cpu()),
        memory: opt(c.memory()),
        bindings: c
            .network_bindings()
            .iter()
            .filter_map(|b| Some((port(b.container_port()?), port(b.host_port()?))))
            .collect(),
        runtime_id: opt(c.runtime_id()),
        exec_agent: c
            .managed_agents()
            .iter()
            .find(|a| a.name().is_some_and(|n| n.as_str() == "ExecuteCommandAgent"))
            .map(|a| a.last_status().unwrap_or("UNKNOWN").to_string()),
    }
}

fn port(p: i32) -> u16 {
    p.clamp(0, u16::MAX as i32) as u16
}

fn resource(list: &[sdk::Resource], name: &str) -> i32 {
    list.iter()
        .find(|r| r.name() == Some(name))
        .map_or(0, |r| r.integer_value())
}

fn attribute<'a>(ci: &'a sdk::ContainerInstance, name: &str) -> Option<&'a str> {
    ci.attributes()
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
}

pub(crate) fn container_instance(ci: &sdk::ContainerInstance) -> ContainerInstance {
    let arn = text(ci.container_instance_arn());
    ContainerInstance {
        id: arn_tail(&arn).to_string(),
        arn,
        ec2_instance_id: opt(ci.ec2_instance_id()),
        status: text(ci.status()),
        agent_connected: ci.agent_connected(),
        agent_version: ci.version_info().and_then(|v| v.agent_version()).map(str::to_string),
        instance_type: attribute(ci, "ecs.instance-type").map(str::to_string),
        availability_zone: attribute(ci, "ecs.availability-zone").map(str::to_string),
        running_tasks: count(ci.running_tasks_count()),
        pending_tasks: count(ci.pending_tasks_count()),
        registered_cpu: resource(ci.registered_resources(), "CPU"),
        remaining_cpu: resource(ci.remaining_resources(), "CPU"),
        registered_memory: resource(ci.registered_resources(), "MEMORY"),
        remaining_memory: resource(ci.remaining_resources(), "MEMORY"),
        registered_at: timestamp(ci.registered_at()),
    }
}

fn container_definition(c: &sdk::ContainerDefinition) -> ContainerDefinition {
    ContainerDefinition {
        name: text(c.name()),
        image: text(c.image()),
        cpu: c.cpu(),
        memory: c.memory(),
        memory_reservation: c.memory_reservation(),
        essential: c.essential().unwrap_or(true),
        ports: c
            .port_mappings()
            .iter()
            .filter_map(|p| {
                Some(PortMapping {
                    container_port: port(p.container_port()?),
                    host_port: p.host_port().map(port),
                    protocol: p
                        .protocol()
                        .map_or_else(|| "tcp".to_string(), |p| p.as_str().to_string()),
                })
            })
            .collect(),
        environment: c
            .environment()
            .iter()
            .map(|kv| (text(kv.name()), text(kv.value())))
            .collect(),
        secrets: c
            .secrets()
            .iter()
            .map(|s| (s.name().to_string(), s.value_from().to_string()))
            .collect(),
        command: c.command().to_vec(),
        log_driver: c.log_configuration().map(|l| l.log_driver().as_str().to_string()),
        log_options: c
            .log_configuration()
            .and_then(|l| l.options())
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        health_check: c.health_check().map(|h| h.command().join(" ")),
    }
}

pub(crate) fn task_def(td: &sdk::TaskDefinition) -> TaskDefinition {
    TaskDefinition {
        arn: text(td.task_definition_arn()),
        family: text(td.family()),
        revision: count(td.revision()),
        status: td.status().map_or_else(String::new, |s| s.as_str().to_string()),
        task_role_arn: opt(td.task_role_arn()),
        execution_role_arn: opt(td.execution_role_arn()),
        network_mode: td.network_mode().map(|m| m.as_str().to_string()),
        cpu: opt(td.cpu()),
        memory: opt(td.memory()),
        compatibilities: td
            .requires_compatibilities()
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        containers: td.container_definitions().iter().map(container_definition).collect(),
        volumes: td
            .volumes()
            .iter()
            .map(|v| Volume {
                name: text(v.name()),
                host_path: v.host().and_then(|h| opt(h.source_path())),
                efs: v.efs_volume_configuration().map(|e| EfsVolume {
                    file_system_id: e.file_system_id().to_string(),
                    root_directory: opt(e.root_directory()),
                    transit_encryption: e.transit_encryption() == Some(&sdk::EfsTransitEncryption::Enabled),
                    access_point: e.authorization_config().and_then(|a| opt(a.access_point_id())),
                }),
            })
            .collect(),
        registered_at: timestamp(td.registered_at()),
    }
}
