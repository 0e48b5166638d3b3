//! Actions on AWS. Writes are sent once: the SDK's retries are off for them, so a timeout
//! is reported as such rather than silently sent again. RunTask carries a client token.

use async_trait::async_trait;
use aws_config::retry::RetryConfig;
use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
use aws_sdk_ecs::types as ecs;

use super::Operator;
use crate::domain::apprunner::AppRunnerAction;
use crate::domain::deploy::Restore;
use crate::domain::op::{Applied, Op, WriteError};
use crate::domain::{LaunchType, NetworkConfig};
use crate::source::aws::AwsBackend;
use crate::source::aws::error::Call;
use crate::util::{arn_tail, task_def_short};

fn once_ecs() -> aws_sdk_ecs::config::Builder {
    aws_sdk_ecs::config::Builder::default().retry_config(RetryConfig::disabled())
}

fn once_codedeploy() -> aws_sdk_codedeploy::config::Builder {
    aws_sdk_codedeploy::config::Builder::default().retry_config(RetryConfig::disabled())
}

fn once_autoscaling() -> aws_sdk_applicationautoscaling::config::Builder {
    aws_sdk_applicationautoscaling::config::Builder::default().retry_config(RetryConfig::disabled())
}

/// Send a write once: the SDK's retries off for it (`$config`), its error as the write
/// error of `$fail`. A macro, as each SDK has its own customizable operation type.
macro_rules! send_once {
    ($call:expr, $config:expr, $fail:expr) => {
        $call
            .customize()
            .config_override($config)
            .send()
            .await
            .map_err(|e| $fail.write_error(e))
    };
}

/// A service's or a task's awsvpc network, as ECS takes it.
fn awsvpc(n: &NetworkConfig) -> Result<ecs::NetworkConfiguration, WriteError> {
    let vpc = ecs::AwsVpcConfiguration::builder()
        .set_subnets(Some(n.subnets.clone()))
        .set_security_groups(Some(n.security_groups.clone()))
        .assign_public_ip(if n.assign_public_ip {
            ecs::AssignPublicIp::Enabled
        } else {
            ecs::AssignPublicIp::Disabled
        })
        .build()
        .map_err(|e| WriteError::NotSent(e.to_string()))?;
    Ok(ecs::NetworkConfiguration::builder().awsvpc_configuration(vpc).build())
}

/// UpdateService's fields for going back to a past service revision: its task definition,
/// and what else differs (a Classic Load Balancer by its name).
fn restore_request(
    mut call: aws_sdk_ecs::operation::update_service::builders::UpdateServiceFluentBuilder,
    restore: &Restore,
) -> Result<aws_sdk_ecs::operation::update_service::builders::UpdateServiceFluentBuilder, WriteError> {
    call = call.task_definition(&restore.task_definition);
    if let Some(providers) = &restore.capacity_providers {
        // The strategy "doesn't trigger a new service deployment": ECS refuses a change of
        // it unless one is forced.
        call = call.force_new_deployment(true);
        let items = providers
            .iter()
            .map(|(name, base, weight)| {
                ecs::CapacityProviderStrategyItem::builder()
                    .capacity_provider(name)
                    .base(*base as i32)
                    .weight(*weight as i32)
                    .build()
                    .map_err(|e| WriteError::NotSent(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        call = call.set_capacity_provider_strategy(Some(items));
    }
    if let Some(balancers) = &restore.load_balancers {
        let items = balancers
            .iter()
            .map(|lb| {
                let item = ecs::LoadBalancer::builder()
                    .container_name(&lb.container_name)
                    .container_port(i32::from(lb.container_port));
                if crate::domain::is_classic(&lb.target_group_arn) {
                    item.load_balancer_name(arn_tail(&lb.target_group_arn))
                } else {
                    item.target_group_arn(&lb.target_group_arn)
                }
                .build()
            })
            .collect();
        call = call.set_load_balancers(Some(items));
    }
    if let Some(n) = &restore.network {
        call = call.network_configuration(awsvpc(n)?);
    }
    if let Some(version) = &restore.platform_version {
        call = call.platform_version(version);
    }
    Ok(call)
}

/// The deployment an UpdateService answer made primary.
fn primary(service: Option<&ecs::Service>) -> Option<String> {
    service?
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .and_then(|d| d.id())
        .map(str::to_string)
}

#[async_trait]
impl Operator for AwsBackend {
    async fn apply(&self, op: &Op, token: &str) -> Result<Applied, WriteError> {
        let (region, clients) = self
            .clients_for(op.cluster())
            .await
            .map_err(|e| WriteError::NotSent(e.message))?;
        let fail = |what: &'static str| Call::new(what, region, &clients.who).write();
        let client = &clients.ecs;
        match op {
            Op::Redeploy { cluster, service, .. } => {
                let out = send_once!(
                    client
                        .update_service()
                        .cluster(cluster)
                        .service(service)
                        .force_new_deployment(true),
                    once_ecs(),
                    fail("ECS UpdateService")
                )?;
                Ok(Applied {
                    summary: format!("new deployment of {}", arn_tail(service)),
                    deployment: primary(out.service()),
                    tasks: vec![],
                })
            }
            Op::SetTaskDefinition {
                cluster, service, to, ..
            } => {
                let out = send_once!(
                    client
                        .update_service()
                        .cluster(cluster)
                        .service(service)
                        .task_definition(to),
                    once_ecs(),
                    fail("ECS UpdateService")
                )?;
                Ok(Applied {
                    summary: format!("{} now runs {}", arn_tail(service), task_def_short(to)),
                    deployment: primary(out.service()),
                    tasks: vec![],
                })
            }
            Op::RestoreRevision {
                cluster,
                service,
                restore,
            } => {
                let call = client.update_service().cluster(cluster).service(service);
                let out = send_once!(restore_request(call, restore)?, once_ecs(), fail("ECS UpdateService"))?;
                Ok(Applied {
                    summary: format!(
                        "{} back on service revision {} ({})",
                        arn_tail(service),
                        arn_tail(&restore.revision),
                        task_def_short(&restore.task_definition)
                    ),
                    deployment: primary(out.service()),
                    tasks: vec![],
                })
            }
            Op::EnableExec { cluster, service } => {
                send_once!(
                    client
                        .update_service()
                        .cluster(cluster)
                        .service(service)
                        .enable_execute_command(true),
                    once_ecs(),
                    fail("ECS UpdateService")
                )?;
                Ok(Applied {
                    summary: format!("ECS Exec is on for the tasks {} starts from now", arn_tail(service)),
                    deployment: None,
                    tasks: vec![],
                })
            }
            Op::ProtectTask { cluster, task, minutes } => {
                let mut call = client
                    .update_task_protection()
                    .cluster(cluster)
                    .tasks(task)
                    .protection_enabled(*minutes > 0);
                if *minutes > 0 {
                    call = call.expires_in_minutes(*minutes as i32);
                }
                let out = send_once!(call, once_ecs(), fail("ECS UpdateTaskProtection"))?;
                if let Some(failure) = out.failures().first() {
                    return Err(WriteError::Rejected {
                        code: failure.reason().unwrap_or("Failure").to_string(),
                        message: failure.detail().or(failure.reason()).unwrap_or_default().to_string(),
                    });
                }
                let until = out
                    .protected_tasks()
                    .first()
                    .and_then(|p| p.expiration_date())
                    .and_then(|d| jiff::Timestamp::from_second(d.secs()).ok())
                    .map_or_else(String::new, |t| format!(" until {} UTC", t.strftime("%H:%M")));
                Ok(Applied {
                    summary: if *minutes > 0 {
                        format!("task {} protected from scale-in{until}", arn_tail(task))
                    } else {
                        format!("task {} no longer protected", arn_tail(task))
                    },
                    deployment: None,
                    tasks: vec![],
                })
            }
            Op::StopDeployment {
                service, deployment, ..
            } if !crate::domain::deploy::is_service_deployment(deployment) => {
                let out = send_once!(
                    clients
                        .codedeploy
                        .stop_deployment()
                        .deployment_id(deployment)
                        .auto_rollback_enabled(true),
                    once_codedeploy(),
                    fail("CodeDeploy StopDeployment")
                )?;
                Ok(Applied {
                    summary: format!(
                        "{}: CodeDeploy deployment {deployment} {} and rolling back",
                        arn_tail(service),
                        match out.status() {
                            Some(aws_sdk_codedeploy::types::StopStatus::Pending) => "stopping",
                            _ => "stopped",
                        }
                    ),
                    deployment: None,
                    tasks: vec![],
                })
            }
            Op::StopDeployment {
                service, deployment, ..
            } => {
                send_once!(
                    client
                        .stop_service_deployment()
                        .service_deployment_arn(deployment)
                        .stop_type(aws_sdk_ecs::types::StopServiceDeploymentStopType::Rollback),
                    once_ecs(),
                    fail("ECS StopServiceDeployment")
                )?;
                Ok(Applied {
                    summary: format!(
                        "{}: deployment {} rolling back",
                        arn_tail(service),
                        arn_tail(deployment)
                    ),
                    deployment: None,
                    tasks: vec![],
                })
            }
            Op::Scale {
                cluster, service, to, ..
            } => {
                send_once!(
                    client
                        .update_service()
                        .cluster(cluster)
                        .service(service)
                        .desired_count(*to as i32),
                    once_ecs(),
                    fail("ECS UpdateService")
                )?;
                Ok(Applied {
                    summary: format!("{} desired {to}", arn_tail(service)),
                    ..Applied::default()
                })
            }
            Op::StopTask { cluster, task, reason } => {
                send_once!(
                    client.stop_task().cluster(cluster).task(task).reason(reason),
                    once_ecs(),
                    fail("ECS StopTask")
                )?;
                Ok(Applied {
                    summary: format!("task {} stopping", arn_tail(task)),
                    ..Applied::default()
                })
            }
            Op::RunTask {
                cluster,
                task_definition,
                count,
                launch_type,
                network,
                group,
            } => {
                let mut request = client
                    .run_task()
                    .cluster(cluster)
                    .task_definition(task_definition)
                    .count(*count as i32)
                    .started_by("bosun")
                    .client_token(token)
                    .set_group(group.clone());
                match launch_type {
                    LaunchType::Ec2 => request = request.launch_type(ecs::LaunchType::Ec2),
                    LaunchType::Fargate => request = request.launch_type(ecs::LaunchType::Fargate),
                    LaunchType::External => request = request.launch_type(ecs::LaunchType::External),
                    LaunchType::CapacityProvider | LaunchType::Unknown => {}
                }
                if let Some(n) = network {
                    request = request.network_configuration(awsvpc(n)?);
                }
                let out = send_once!(request, once_ecs(), fail("ECS RunTask"))?;
                // ECS answered, and started nothing: refused, with its reason as the code.
                if let Some(failure) = out.failures().first() {
                    let reason = failure.reason().unwrap_or("failed");
                    return Err(WriteError::Rejected {
                        code: reason.to_string(),
                        message: format!(
                            "ECS RunTask in {region}: {reason}: {}",
                            failure.detail().or(failure.arn()).unwrap_or_default()
                        ),
                    });
                }
                let tasks: Vec<String> = out
                    .tasks()
                    .iter()
                    .filter_map(|t| t.task_arn())
                    .map(str::to_string)
                    .collect();
                Ok(Applied {
                    summary: format!(
                        "started {} task{} of {}",
                        tasks.len(),
                        if tasks.len() == 1 { "" } else { "s" },
                        task_def_short(task_definition)
                    ),
                    deployment: None,
                    tasks,
                })
            }
            Op::SetInstanceState {
                cluster,
                instance,
                draining,
            } => {
                let status = if *draining {
                    ecs::ContainerInstanceStatus::Draining
                } else {
                    ecs::ContainerInstanceStatus::Active
                };
                let out = send_once!(
                    client
                        .update_container_instances_state()
                        .cluster(cluster)
                        .container_instances(instance)
                        .status(status),
                    once_ecs(),
                    fail("ECS UpdateContainerInstancesState")
                )?;
                if let Some(failure) = out.failures().first() {
                    let reason = failure.reason().unwrap_or("failed");
                    return Err(WriteError::Rejected {
                        code: reason.to_string(),
                        message: format!("ECS UpdateContainerInstancesState in {region}: {reason}"),
                    });
                }
                Ok(Applied {
                    summary: format!(
                        "instance {} {}",
                        arn_tail(instance),
                        if *draining { "draining" } else { "active" }
                    ),
                    ..Applied::default()
                })
            }
            Op::SetScalingLimits {
                cluster,
                service,
                min,
                max,
                ..
            } => {
                send_once!(
                    clients
                        .autoscaling
                        .register_scalable_target()
                        .service_namespace(ServiceNamespace::Ecs)
                        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
                        .resource_id(format!("service/{}/{}", arn_tail(cluster), arn_tail(service)))
                        .min_capacity(*min as i32)
                        .max_capacity(*max as i32),
                    once_autoscaling(),
                    fail("Application Auto Scaling RegisterScalableTarget")
                )?;
                Ok(Applied {
                    summary: format!("{} scales between {min} and {max}", arn_tail(service)),
                    ..Applied::default()
                })
            }
            Op::SetNodeGroupSize {
                cluster, nodegroup, to, ..
            } => {
                let (min, desired, max) = *to;
                send_once!(
                    clients
                        .eks
                        .update_nodegroup_config()
                        .cluster_name(arn_tail(cluster))
                        .nodegroup_name(nodegroup)
                        .scaling_config(
                            aws_sdk_eks::types::NodegroupScalingConfig::builder()
                                .min_size(min as i32)
                                .desired_size(desired as i32)
                                .max_size(max as i32)
                                .build(),
                        ),
                    aws_sdk_eks::config::Builder::default().retry_config(RetryConfig::disabled()),
                    fail("EKS UpdateNodegroupConfig")
                )?;
                Ok(Applied {
                    summary: format!("node group {nodegroup}: min {min} · desired {desired} · max {max}"),
                    ..Applied::default()
                })
            }
            Op::RolloutRestart { .. }
            | Op::ScaleWorkload { .. }
            | Op::DeletePod { .. }
            | Op::Cordon { .. }
            | Op::DeleteObject { .. }
            | Op::ScaleObject { .. }
            | Op::TriggerCronJob { .. }
            | Op::SuspendCronJob { .. } => self.apply_kube(op).await,
            Op::AppRunner {
                service, name, change, ..
            } => {
                let client = &clients.apprunner;
                let once = || aws_sdk_apprunner::config::Builder::default().retry_config(RetryConfig::disabled());
                let operation = match change {
                    AppRunnerAction::Deploy => send_once!(
                        client.start_deployment().service_arn(service),
                        once(),
                        fail("App Runner StartDeployment")
                    )?
                    .operation_id()
                    .to_string(),
                    AppRunnerAction::Pause => send_once!(
                        client.pause_service().service_arn(service),
                        once(),
                        fail("App Runner PauseService")
                    )?
                    .operation_id()
                    .unwrap_or_default()
                    .to_string(),
                    AppRunnerAction::Resume => send_once!(
                        client.resume_service().service_arn(service),
                        once(),
                        fail("App Runner ResumeService")
                    )?
                    .operation_id()
                    .unwrap_or_default()
                    .to_string(),
                };
                Ok(Applied {
                    summary: format!("{name}: {} (operation {operation})", change.started()),
                    deployment: Some(operation),
                    ..Applied::default()
                })
            }
        }
    }
}

impl AwsBackend {
    /// Kubernetes actions, through the cluster's API server. kube sends each request once.
    async fn apply_kube(&self, op: &Op) -> Result<Applied, WriteError> {
        let conn = self
            .kube(op.cluster())
            .await
            .map_err(|e| WriteError::NotSent(e.message))?;
        let summary = match op {
            Op::RolloutRestart {
                kind, namespace, name, ..
            } => {
                conn.rollout_restart(*kind, namespace, name, jiff::Timestamp::now())
                    .await?;
                format!("{} {namespace}/{name} restarting", kind.as_str().to_lowercase())
            }
            Op::ScaleWorkload {
                kind,
                namespace,
                name,
                to,
                ..
            } => {
                conn.scale(*kind, namespace, name, *to).await?;
                format!("{namespace}/{name} scaled to {to}")
            }
            Op::DeletePod { namespace, name, .. } => {
                conn.delete_pod(namespace, name).await?;
                format!("pod {namespace}/{name} deleted")
            }
            Op::Cordon { node, cordon, .. } => {
                conn.cordon(node, *cordon).await?;
                format!("node {node} {}", if *cordon { "cordoned" } else { "uncordoned" })
            }
            Op::DeleteObject {
                kind, namespace, name, ..
            } => {
                conn.delete_object(kind, namespace.as_deref(), name).await?;
                format!("{} deleted", op.target())
            }
            Op::ScaleObject {
                kind,
                namespace,
                name,
                to,
                ..
            } => {
                conn.scale_object(kind, namespace.as_deref(), name, *to).await?;
                format!("{} scaled to {to}", op.target())
            }
            Op::TriggerCronJob { namespace, name, .. } => {
                let job = conn.trigger_cronjob(namespace, name, jiff::Timestamp::now()).await?;
                format!("job {namespace}/{job} created from cronjob {name}")
            }
            Op::SuspendCronJob {
                namespace,
                name,
                suspend,
                ..
            } => {
                conn.suspend_cronjob(namespace, name, *suspend).await?;
                format!(
                    "cronjob {namespace}/{name} {}",
                    if *suspend { "suspended" } else { "resumed" }
                )
            }
            _ => return Err(WriteError::NotSent(format!("{} is not a Kubernetes action", op.verb()))),
        };
        Ok(Applied {
            summary,
            ..Applied::default()
        })
    }
}
