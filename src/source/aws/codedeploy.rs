//! CodeDeploy reads: the blue/green deployments of a service under the CODE_DEPLOY
//! controller, each as a row of the service's deployment history (with what CodeDeploy
//! says of it: status, lifecycle events, the traffic on each task set).
//!
//! The deployment group is found from the service's task sets (CodeDeploy names its
//! deployment in the `externalId` of the task set it creates); a service whose task sets
//! name none (its last deployment rolled back, say) is looked for in the ECS applications'
//! deployment groups.

use aws_sdk_codedeploy::Client;
use aws_sdk_codedeploy::types as sdk;

use super::error::{Call, Who};
use super::timestamp;
use crate::domain::FetchError;
use crate::domain::deploy::{
    CodeDeploy, HISTORY_DEPLOYMENTS, HookEvent, RevisionRef, ServiceDeployment, Traffic, appspec_task_definition,
};

/// BatchGetDeployments and BatchGetDeploymentTargets take at most 25 IDs.
const PER_CALL: usize = 25;
/// How far back a deployment group's deployments are listed.
const HISTORY_DAYS: i64 = 30;

/// A task set of the service: (id, external id, task definition).
pub struct TaskSetRef {
    pub id: String,
    pub external_id: String,
    pub task_definition: String,
}

/// The CodeDeploy deployments of the ECS service `service` of `cluster` (names), newest
/// first, the ongoing and the newest one with their target (lifecycle events, traffic).
pub async fn deployments(
    client: &Client,
    region: &str,
    who: &Who,
    cluster: &str,
    service: &str,
    task_sets: &[TaskSetRef],
) -> Result<Vec<ServiceDeployment>, FetchError> {
    let mut ids: Vec<String> = task_sets
        .iter()
        .map(|t| t.external_id.clone())
        .filter(|id| !id.is_empty())
        .collect();
    let mut infos = describe(client, region, who, &ids).await?;
    let group = match infos.first() {
        Some(d) => Some((text(d.application_name()), text(d.deployment_group_name()))),
        None => find_group(client, region, who, cluster, service).await?,
    };
    if let Some((application, group)) = group {
        let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * HISTORY_DAYS);
        let listed: Vec<String> = client
            .list_deployments()
            .application_name(&application)
            .deployment_group_name(&group)
            .create_time_range(
                sdk::TimeRange::builder()
                    .start(aws_smithy_types::DateTime::from_secs(since.as_second()))
                    .build(),
            )
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| Call::new("CodeDeploy ListDeployments", region, who).of(e))?;
        let known: Vec<String> = infos.iter().map(|d| text(d.deployment_id())).collect();
        ids = listed.into_iter().filter(|id| !known.contains(id)).collect();
        infos.extend(describe(client, region, who, &ids).await?);
    }
    infos.sort_by_key(|d| std::cmp::Reverse(timestamp(d.create_time())));
    infos.truncate(HISTORY_DEPLOYMENTS as usize);
    let mut out = Vec::new();
    for (i, info) in infos.iter().enumerate() {
        let ongoing = !matches!(
            info.status(),
            Some(sdk::DeploymentStatus::Succeeded | sdk::DeploymentStatus::Failed | sdk::DeploymentStatus::Stopped)
        );
        let target = if ongoing || i == 0 {
            ecs_target(client, region, who, &text(info.deployment_id())).await?
        } else {
            None
        };
        out.push(row(info, target.as_ref(), task_sets));
    }
    Ok(out)
}

fn text(s: Option<&str>) -> String {
    s.unwrap_or_default().to_string()
}

fn count(n: i64) -> u32 {
    n.clamp(0, u32::MAX as i64) as u32
}

async fn describe(
    client: &Client,
    region: &str,
    who: &Who,
    ids: &[String],
) -> Result<Vec<sdk::DeploymentInfo>, FetchError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(PER_CALL) {
        let got = client
            .batch_get_deployments()
            .set_deployment_ids(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| Call::new("CodeDeploy BatchGetDeployments", region, who).of(e))?;
        out.extend(got.deployments_info().iter().cloned());
    }
    Ok(out)
}

/// The (application, deployment group) that deploys `cluster:service`, looked for among the
/// ECS applications.
async fn find_group(
    client: &Client,
    region: &str,
    who: &Who,
    cluster: &str,
    service: &str,
) -> Result<Option<(String, String)>, FetchError> {
    let applications: Vec<String> = client
        .list_applications()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("CodeDeploy ListApplications", region, who).of(e))?;
    for chunk in applications.chunks(100) {
        let got = client
            .batch_get_applications()
            .set_application_names(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| Call::new("CodeDeploy BatchGetApplications", region, who).of(e))?;
        for app in got
            .applications_info()
            .iter()
            .filter(|a| a.compute_platform() == Some(&sdk::ComputePlatform::Ecs))
        {
            let name = text(app.application_name());
            let groups: Vec<String> = client
                .list_deployment_groups()
                .application_name(&name)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(|e| Call::new("CodeDeploy ListDeploymentGroups", region, who).of(e))?;
            for group in groups {
                let got = client
                    .get_deployment_group()
                    .application_name(&name)
                    .deployment_group_name(&group)
                    .send()
                    .await
                    .map_err(|e| Call::new("CodeDeploy GetDeploymentGroup", region, who).of(e))?;
                let deploys = got.deployment_group_info().is_some_and(|g| {
                    g.ecs_services()
                        .iter()
                        .any(|s| s.cluster_name() == Some(cluster) && s.service_name() == Some(service))
                });
                if deploys {
                    return Ok(Some((name, group)));
                }
            }
        }
    }
    Ok(None)
}

/// The service as the deployment's target: its lifecycle events and task sets.
async fn ecs_target(client: &Client, region: &str, who: &Who, id: &str) -> Result<Option<sdk::EcsTarget>, FetchError> {
    // An ECS deployment has one target, the service: the first page has it.
    let listed = client
        .list_deployment_targets()
        .deployment_id(id)
        .send()
        .await
        .map_err(|e| Call::new("CodeDeploy ListDeploymentTargets", region, who).of(e))?;
    let Some(first) = listed.target_ids().first() else {
        return Ok(None);
    };
    let got = client
        .batch_get_deployment_targets()
        .deployment_id(id)
        .target_ids(first)
        .send()
        .await
        .map_err(|e| Call::new("CodeDeploy BatchGetDeploymentTargets", region, who).of(e))?;
    Ok(got.deployment_targets().iter().find_map(|t| t.ecs_target().cloned()))
}

/// One CodeDeploy deployment as a row of the service's history.
fn row(info: &sdk::DeploymentInfo, target: Option<&sdk::EcsTarget>, task_sets: &[TaskSetRef]) -> ServiceDeployment {
    let id = text(info.deployment_id());
    let rollback = info.rollback_info();
    let code = CodeDeploy {
        id: id.clone(),
        application: text(info.application_name()),
        group: text(info.deployment_group_name()),
        config: text(info.deployment_config_name()),
        status: info.status().map_or_else(String::new, |s| s.as_str().to_string()),
        creator: info.creator().map_or_else(String::new, |c| c.as_str().to_string()),
        description: text(info.description()),
        error: info.error_information().and_then(|e| {
            let message = text(e.message());
            match e.code() {
                Some(code) => Some(format!("{}: {message}", code.as_str())),
                None if !message.is_empty() => Some(message),
                None => None,
            }
        }),
        rolled_back_by: rollback.and_then(|r| r.rollback_deployment_id()).map(str::to_string),
        rollback_of: rollback
            .and_then(|r| r.rollback_triggering_deployment_id())
            .map(str::to_string),
        events: target
            .map(|t| {
                t.lifecycle_events()
                    .iter()
                    .map(|e| HookEvent {
                        name: text(e.lifecycle_event_name()),
                        status: e.status().map_or_else(String::new, |s| s.as_str().to_string()),
                        started_at: timestamp(e.start_time()),
                        ended_at: timestamp(e.end_time()),
                        message: e
                            .diagnostics()
                            .and_then(|d| d.message())
                            .filter(|m| !m.is_empty())
                            .map(str::to_string),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let sets = target.map(|t| t.task_sets_info()).unwrap_or_default();
    let labelled = |label: sdk::TargetLabel| sets.iter().find(|s| s.task_set_label() == Some(&label));
    let task_definition = |s: &sdk::EcsTaskSet| {
        task_sets
            .iter()
            .find(|t| Some(t.id.as_str()) == s.identifer())
            .map(|t| t.task_definition.clone())
    };
    let revision = |s: Option<&sdk::EcsTaskSet>, td: Option<String>| RevisionRef {
        arn: String::new(),
        requested: s.map_or(0, |s| count(s.desired_count())),
        running: s.map_or(0, |s| count(s.running_count())),
        pending: s.map_or(0, |s| count(s.pending_count())),
        task_definition: td,
    };
    let blue = labelled(sdk::TargetLabel::Blue);
    let green = labelled(sdk::TargetLabel::Green);
    // What it deploys, from its AppSpec (the green task set's, where the AppSpec is elsewhere).
    let to_td = info
        .revision()
        .and_then(|r| r.app_spec_content())
        .and_then(|c| c.content())
        .and_then(appspec_task_definition)
        .or_else(|| green.and_then(task_definition))
        .or_else(|| {
            task_sets
                .iter()
                .find(|t| t.external_id == id)
                .map(|t| t.task_definition.clone())
        });
    let reason = code
        .error
        .clone()
        .or_else(|| code.rolled_back_by.as_ref().map(|by| format!("rolled back by {by}")))
        .or_else(|| code.rollback_of.as_ref().map(|of| format!("rollback of {of}")))
        .unwrap_or_else(|| code.description.clone());
    ServiceDeployment {
        arn: id,
        status: code.ecs_status().to_string(),
        reason,
        created_at: timestamp(info.create_time()),
        started_at: timestamp(info.start_time()).or(timestamp(info.create_time())),
        finished_at: timestamp(info.complete_time()),
        stopped_at: None,
        from: blue
            .map(|b| revision(Some(b), task_definition(b)))
            .into_iter()
            .collect(),
        to: Some(revision(green, to_td)),
        stage: code.ongoing().then(|| code.stage().map(str::to_string)).flatten(),
        circuit_breaker: None,
        alarms: None,
        rollback: None,
        traffic: if code.ongoing() {
            sets.iter()
                .map(|s| Traffic {
                    label: s
                        .task_set_label()
                        .map_or_else(String::new, |l| l.as_str().to_lowercase()),
                    target_group: s.target_group().and_then(|g| g.name()).unwrap_or_default().to_string(),
                    percent: s.traffic_weight().round().clamp(0.0, 100.0) as u32,
                })
                .collect()
        } else {
            Vec::new()
        },
        code_deploy: Some(Box::new(code)),
    }
}
