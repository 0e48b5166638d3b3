//! The simulated fleet's resources as the AWS APIs would return them (`:json`): the
//! shapes and field names of ECS DescribeClusters / DescribeServices / DescribeTasks /
//! DescribeTaskDefinition / DescribeContainerInstances, EKS DescribeCluster /
//! DescribeNodegroup, ELB DescribeTargetGroups and App Runner DescribeService, filled from
//! the world; timestamps as epoch seconds, as the JSON protocols send them. Pods, nodes
//! and workloads as the Kubernetes API would serve them.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::world::World;
use crate::domain::raw::{RawDoc, RawTarget};
use crate::domain::{Container, Service, Task};
use crate::util::arn_tail;

fn epoch(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| json!(t.as_millisecond() as f64 / 1000.0))
}

/// Drop the fields AWS leaves out when they have no value.
fn tidy(mut value: Value) -> Value {
    if let Some(map) = value.as_object_mut() {
        map.retain(|_, v| !v.is_null());
        for v in map.values_mut() {
            *v = tidy(v.take());
        }
    } else if let Some(items) = value.as_array_mut() {
        for v in items.iter_mut() {
            *v = tidy(v.take());
        }
    }
    value
}

fn doc(value: Value, source: &str) -> RawDoc {
    RawDoc {
        value: tidy(value),
        source: format!("{source} (simulated)"),
    }
}

pub fn raw(world: &World, target: &RawTarget) -> Result<RawDoc, String> {
    match target {
        RawTarget::EcsCluster { arn } => {
            let c = world
                .ecs_cluster(arn)
                .ok_or_else(|| format!("no cluster {}", arn_tail(arn)))?;
            Ok(doc(
                json!({
                    "clusterArn": c.arn,
                    "clusterName": c.name,
                    "status": c.status,
                    "registeredContainerInstancesCount": c.container_instances,
                    "runningTasksCount": c.running_tasks,
                    "pendingTasksCount": c.pending_tasks,
                    "activeServicesCount": c.active_services,
                    "statistics": [],
                    "tags": [],
                    "settings": [{"name": "containerInsights", "value": "enabled"}],
                    "capacityProviders": c.capacity_providers,
                    "defaultCapacityProviderStrategy": [],
                }),
                "ECS DescribeClusters",
            ))
        }
        RawTarget::Service { cluster, arn } => {
            let s = world
                .services(cluster)
                .and_then(|list| list.into_iter().find(|s| s.arn == *arn))
                .ok_or_else(|| format!("no service {}", arn_tail(arn)))?;
            Ok(doc(service(&s), "ECS DescribeServices"))
        }
        RawTarget::Task { cluster, arn } => {
            let t = world
                .find_task(cluster, arn)
                .flatten()
                .ok_or_else(|| format!("no task {}", arn_tail(arn)))?;
            Ok(doc(task(&t), "ECS DescribeTasks"))
        }
        RawTarget::TaskDefinition { arn } => {
            let td = world
                .task_definition_of(arn)
                .ok_or_else(|| format!("no task definition {}", crate::util::task_def_short(arn)))?;
            let containers: Vec<Value> = td
                .containers
                .iter()
                .map(|c| {
                    json!({
                        "name": c.name,
                        "image": c.image,
                        "cpu": c.cpu,
                        "memory": c.memory,
                        "memoryReservation": c.memory_reservation,
                        "essential": c.essential,
                        "portMappings": c.ports.iter().map(|p| json!({
                            "containerPort": p.container_port,
                            "hostPort": p.host_port,
                            "protocol": p.protocol,
                        })).collect::<Vec<_>>(),
                        "environment": c.environment.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
                        "secrets": c.secrets.iter().map(|(k, v)| json!({"name": k, "valueFrom": v})).collect::<Vec<_>>(),
                        "command": if c.command.is_empty() { Value::Null } else { json!(c.command) },
                        "logConfiguration": c.log_driver.as_ref().map(|d| json!({"logDriver": d, "options": c.log_options})),
                    })
                })
                .collect();
            Ok(doc(
                json!({
                    "taskDefinition": {
                        "taskDefinitionArn": td.arn,
                        "family": td.family,
                        "revision": td.revision,
                        "status": td.status,
                        "taskRoleArn": td.task_role_arn,
                        "executionRoleArn": td.execution_role_arn,
                        "networkMode": td.network_mode,
                        "cpu": td.cpu,
                        "memory": td.memory,
                        "requiresCompatibilities": td.compatibilities,
                        "containerDefinitions": containers,
                        "registeredAt": epoch(td.registered_at),
                    },
                    "tags": [],
                }),
                "ECS DescribeTaskDefinition",
            ))
        }
        RawTarget::ContainerInstance { cluster, arn } => {
            let i = world
                .container_instances(cluster)
                .into_iter()
                .flatten()
                .find(|i| i.arn == *arn)
                .ok_or_else(|| format!("no container instance {}", arn_tail(arn)))?;
            let resources = |cpu: i32, memory: i32| {
                json!([
                    {"name": "CPU", "type": "INTEGER", "integerValue": cpu},
                    {"name": "MEMORY", "type": "INTEGER", "integerValue": memory},
                ])
            };
            Ok(doc(
                json!({
                    "containerInstanceArn": i.arn,
                    "ec2InstanceId": i.ec2_instance_id,
                    "status": i.status,
                    "agentConnected": i.agent_connected,
                    "versionInfo": {"agentVersion": i.agent_version},
                    "runningTasksCount": i.running_tasks,
                    "pendingTasksCount": i.pending_tasks,
                    "registeredResources": resources(i.registered_cpu, i.registered_memory),
                    "remainingResources": resources(i.remaining_cpu, i.remaining_memory),
                    "attributes": [
                        {"name": "ecs.instance-type", "value": i.instance_type},
                        {"name": "ecs.availability-zone", "value": i.availability_zone},
                    ],
                    "registeredAt": epoch(i.registered_at),
                }),
                "ECS DescribeContainerInstances",
            ))
        }
        RawTarget::TargetGroup { arn } => Ok(doc(
            json!({
                "TargetGroupArn": arn,
                "TargetGroupName": crate::domain::metrics::target_group_name(arn),
                "Protocol": "HTTP",
                "Port": "80",
                "TargetType": "ip",
                "HealthCheckPath": "/health",
                "HealthCheckIntervalSeconds": "30",
                "HealthyThresholdCount": "5",
                "UnhealthyThresholdCount": "2",
                "Matcher": {"HttpCode": "200"},
            }),
            "ELB DescribeTargetGroups",
        )),
        RawTarget::EksCluster { arn } => {
            let c = world
                .eks
                .iter()
                .find(|c| c.arn == *arn)
                .ok_or_else(|| format!("no EKS cluster {}", arn_tail(arn)))?;
            Ok(doc(
                json!({
                    "name": c.name,
                    "arn": c.arn,
                    "version": c.version,
                    "status": c.status,
                    "endpoint": c.endpoint,
                    "platformVersion": c.platform_version,
                    "createdAt": epoch(c.created_at),
                    "resourcesVpcConfig": {"endpointPublicAccess": c.public_access, "endpointPrivateAccess": c.private_access},
                    "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
                }),
                "EKS DescribeCluster",
            ))
        }
        RawTarget::NodeGroup { cluster, name } => {
            let g = world
                .kube(cluster)
                .map_err(|e| e.message)?
                .nodegroups
                .iter()
                .find(|g| g.name == *name)
                .ok_or_else(|| format!("no node group {name}"))?;
            Ok(doc(
                json!({
                    "nodegroupName": g.name,
                    "clusterName": arn_tail(cluster),
                    "status": g.status,
                    "capacityType": g.capacity_type,
                    "instanceTypes": g.instance_types,
                    "scalingConfig": {"minSize": g.min, "maxSize": g.max, "desiredSize": g.desired},
                    "amiType": g.ami_type,
                    "version": g.version,
                    "modifiedAt": epoch(g.modified_at),
                    "health": {"issues": g.health_issues.iter().map(|i| json!({"code": i})).collect::<Vec<_>>()},
                }),
                "EKS DescribeNodegroup",
            ))
        }
        RawTarget::AppRunner { arn } => {
            let s = world.apprunner_service(arn)?;
            Ok(doc(
                json!({
                    "ServiceName": s.name,
                    "ServiceArn": s.arn,
                    "ServiceId": s.id,
                    "ServiceUrl": s.url,
                    "Status": s.status,
                    "CreatedAt": epoch(s.created_at),
                    "UpdatedAt": epoch(s.updated_at),
                }),
                "App Runner DescribeService",
            ))
        }
        RawTarget::Repository { account, region, name } => {
            let r = world
                .repositories(account, region)
                .into_iter()
                .find(|r| r.name == *name)
                .ok_or_else(|| format!("no repository {name}"))?;
            let arn = format!(
                "arn:aws:ecr:{region}:{}:repository/{}",
                r.uri.split('.').next().unwrap_or_default(),
                r.name
            );
            Ok(doc(
                json!({
                    "repositoryArn": arn,
                    "registryId": r.uri.split('.').next(),
                    "repositoryName": r.name,
                    "repositoryUri": r.uri,
                    "createdAt": epoch(r.created_at),
                    "imageTagMutability": r.tag_mutability,
                    "imageScanningConfiguration": {"scanOnPush": r.scan_on_push},
                    "encryptionConfiguration": {"encryptionType": "AES256"},
                }),
                "ECR DescribeRepositories",
            ))
        }
        RawTarget::Kube {
            cluster,
            kind,
            namespace,
            name,
            ..
        } => {
            let value = world
                .kube(cluster)
                .map_err(|e| e.message)?
                .raw(kind, namespace.as_deref(), name)?;
            Ok(doc(value, &format!("GET {kind} {name}")))
        }
    }
}

fn container(t: &Task, c: &Container) -> Value {
    json!({
        "containerArn": format!("{}/{}", t.arn.replace(":task/", ":container/"), c.name),
        "taskArn": t.arn,
        "name": c.name,
        "image": c.image,
        "imageDigest": c.image_digest,
        "runtimeId": c.runtime_id,
        "lastStatus": c.last_status,
        "exitCode": c.exit_code,
        "reason": c.reason,
        "healthStatus": c.health,
        "cpu": c.cpu,
        "memory": c.memory,
        "networkBindings": c.bindings.iter().map(|(container, host)| json!({
            "containerPort": container, "hostPort": host, "protocol": "tcp",
        })).collect::<Vec<_>>(),
        "networkInterfaces": t.private_ip.as_ref().map(|ip| json!([{"privateIpv4Address": ip}])),
        "managedAgents": c.exec_agent.as_ref().map(|status| json!([{"name": "ExecuteCommandAgent", "lastStatus": status}])),
    })
}

fn task(t: &Task) -> Value {
    let attachments = t.eni.as_ref().map(|eni| {
        json!([{
            "type": "ElasticNetworkInterface",
            "status": "ATTACHED",
            "details": [
                {"name": "subnetId", "value": t.subnet},
                {"name": "networkInterfaceId", "value": eni},
                {"name": "privateIPv4Address", "value": t.private_ip},
            ],
        }])
    });
    json!({
        "taskArn": t.arn,
        "clusterArn": t.cluster_arn,
        "taskDefinitionArn": t.task_definition,
        "containerInstanceArn": t.container_instance_arn,
        "group": t.group,
        "lastStatus": t.last_status,
        "desiredStatus": t.desired_status,
        "healthStatus": t.health,
        "launchType": t.launch_type.as_str(),
        "capacityProviderName": t.capacity_provider,
        "availabilityZone": t.availability_zone,
        "cpu": t.cpu,
        "memory": t.memory,
        "createdAt": epoch(t.created_at),
        "startedAt": epoch(t.started_at),
        "stoppingAt": epoch(t.stopping_at),
        "stoppedAt": epoch(t.stopped_at),
        "stopCode": t.stop_code,
        "stoppedReason": t.stopped_reason,
        "enableExecuteCommand": t.exec_enabled,
        "attachments": attachments,
        "containers": t.containers.iter().map(|c| container(t, c)).collect::<Vec<_>>(),
        "tags": [],
    })
}

fn service(s: &Service) -> Value {
    let rollout = &s.rollout;
    json!({
        "serviceArn": s.arn,
        "serviceName": s.name,
        "clusterArn": s.cluster_arn,
        "status": s.status,
        "desiredCount": s.desired,
        "runningCount": s.running,
        "pendingCount": s.pending,
        "launchType": if s.capacity_strategy.is_empty() { json!(s.launch_type.as_str()) } else { Value::Null },
        "capacityProviderStrategy": s.capacity_strategy.iter().map(|(p, base, weight)| json!({
            "capacityProvider": p, "base": base, "weight": weight,
        })).collect::<Vec<_>>(),
        "taskDefinition": s.task_definition,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": rollout.circuit_breaker.map(|rollback| json!({"enable": true, "rollback": rollback})),
            "maximumPercent": s.max_percent,
            "minimumHealthyPercent": s.min_healthy_percent,
            "alarms": rollout.alarms.as_ref().map(|(names, rollback)| json!({"alarmNames": names, "enable": true, "rollback": rollback})),
        },
        "deploymentController": {"type": if rollout.controller.is_empty() { "ECS" } else { rollout.controller.as_str() }},
        "deployments": s.deployments.iter().map(|d| json!({
            "id": d.id,
            "status": d.status,
            "taskDefinition": d.task_definition,
            "desiredCount": d.desired,
            "pendingCount": d.pending,
            "runningCount": d.running,
            "failedTasks": d.failed,
            "createdAt": epoch(d.created_at),
            "updatedAt": epoch(d.updated_at),
            "launchType": d.launch_type.as_str(),
            "rolloutState": match d.rollout_state {
                crate::domain::RolloutState::InProgress => "IN_PROGRESS",
                crate::domain::RolloutState::Completed => "COMPLETED",
                crate::domain::RolloutState::Failed => "FAILED",
                crate::domain::RolloutState::Unknown => "IN_PROGRESS",
            },
            "rolloutStateReason": d.rollout_reason,
        })).collect::<Vec<_>>(),
        "events": s.events.iter().take(20).map(|e| json!({
            "id": e.id, "createdAt": epoch(e.created_at), "message": e.message,
        })).collect::<Vec<_>>(),
        "loadBalancers": s.load_balancers.iter().map(|l| if crate::domain::is_classic(&l.target_group_arn) {
            json!({"loadBalancerName": arn_tail(&l.target_group_arn), "containerName": l.container_name, "containerPort": l.container_port})
        } else {
            json!({"targetGroupArn": l.target_group_arn, "containerName": l.container_name, "containerPort": l.container_port})
        }).collect::<Vec<_>>(),
        "networkConfiguration": s.network.as_ref().map(|n| json!({"awsvpcConfiguration": {
            "subnets": n.subnets,
            "securityGroups": n.security_groups,
            "assignPublicIp": if n.assign_public_ip { "ENABLED" } else { "DISABLED" },
        }})),
        "createdAt": epoch(s.created_at),
        "schedulingStrategy": "REPLICA",
        "enableExecuteCommand": s.exec_enabled,
    })
}
