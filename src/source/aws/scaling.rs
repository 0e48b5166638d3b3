//! Application Auto Scaling of ECS services, and the capacity providers of clusters with
//! their Auto Scaling groups.

use aws_sdk_applicationautoscaling::types::ServiceNamespace;

use super::error::{Call, Who};
use super::timestamp;
use crate::domain::FetchError;
use crate::domain::insight::{
    CapacityProvider, PolicyKind, ScalableTarget, Scaling, ScalingActivity, ScalingPolicy, ScheduledAction,
    StepAdjustment,
};

fn count(n: i32) -> u32 {
    n.max(0) as u32
}

pub async fn scaling(
    client: &aws_sdk_applicationautoscaling::Client,
    region: &str,
    who: &Who,
) -> Result<Scaling, FetchError> {
    let fail = |what| Call::new(what, region, who);
    let targets: Vec<_> = client
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| fail("Application Auto Scaling DescribeScalableTargets").of(e))?;
    let policies: Vec<_> = client
        .describe_scaling_policies()
        .service_namespace(ServiceNamespace::Ecs)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| fail("Application Auto Scaling DescribeScalingPolicies").of(e))?;
    let scheduled: Vec<_> = client
        .describe_scheduled_actions()
        .service_namespace(ServiceNamespace::Ecs)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| fail("Application Auto Scaling DescribeScheduledActions").of(e))?;
    // Activities are history: without them the rest still tells what scaling will do.
    let activities: Vec<_> = match client
        .describe_scaling_activities()
        .service_namespace(ServiceNamespace::Ecs)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(list) => list,
        Err(e) => {
            let error = fail("Application Auto Scaling DescribeScalingActivities").of(e);
            tracing::warn!(%error, "scaling activities unavailable");
            Vec::new()
        }
    };
    Ok(Scaling {
        targets: targets
            .iter()
            .map(|t| ScalableTarget {
                resource_id: t.resource_id().to_string(),
                min: count(t.min_capacity()),
                max: count(t.max_capacity()),
                suspended: t.suspended_state().is_some_and(|s| {
                    s.dynamic_scaling_in_suspended().unwrap_or(false)
                        || s.dynamic_scaling_out_suspended().unwrap_or(false)
                }),
            })
            .collect(),
        policies: policies
            .iter()
            .map(|p| {
                let kind = match (
                    p.target_tracking_scaling_policy_configuration(),
                    p.step_scaling_policy_configuration(),
                ) {
                    (Some(tt), _) => {
                        let predefined = tt
                            .predefined_metric_specification()
                            .map(|m| m.predefined_metric_type().as_str().to_string());
                        let custom = tt.customized_metric_specification();
                        let queue = custom.and_then(|c| {
                            (c.namespace() == Some("AWS/SQS"))
                                .then(|| c.dimensions().iter().find(|d| d.name() == "QueueName"))
                                .flatten()
                                .map(|d| d.value().to_string())
                        });
                        let metric = predefined
                            .or_else(|| custom.and_then(|c| c.metric_name().map(str::to_string)))
                            .unwrap_or_else(|| "custom".into());
                        PolicyKind::TargetTracking {
                            metric,
                            target: tt.target_value(),
                            queue,
                        }
                    }
                    (None, Some(step)) => PolicyKind::Step {
                        adjustment_type: step
                            .adjustment_type()
                            .map(|a| a.as_str().to_string())
                            .unwrap_or_default(),
                        steps: step
                            .step_adjustments()
                            .iter()
                            .map(|s| StepAdjustment {
                                lower: s.metric_interval_lower_bound(),
                                upper: s.metric_interval_upper_bound(),
                                adjustment: i64::from(s.scaling_adjustment()),
                            })
                            .collect(),
                        alarms: p.alarms().iter().map(|a| a.alarm_name().to_string()).collect(),
                    },
                    (None, None) => PolicyKind::Step {
                        adjustment_type: String::new(),
                        steps: vec![],
                        alarms: vec![],
                    },
                };
                ScalingPolicy {
                    name: p.policy_name().to_string(),
                    resource_id: p.resource_id().to_string(),
                    kind,
                }
            })
            .collect(),
        scheduled: scheduled
            .iter()
            .map(|s| ScheduledAction {
                name: s.scheduled_action_name().to_string(),
                resource_id: s.resource_id().to_string(),
                schedule: s.schedule().to_string(),
                min: s.scalable_target_action().and_then(|a| a.min_capacity()).map(count),
                max: s.scalable_target_action().and_then(|a| a.max_capacity()).map(count),
                next_run: None,
            })
            .collect(),
        activities: activities
            .iter()
            .map(|a| ScalingActivity {
                resource_id: a.resource_id().to_string(),
                status: a.status_code().as_str().to_string(),
                cause: a.cause().to_string(),
                description: a.description().to_string(),
                start: timestamp(Some(a.start_time())),
            })
            .collect(),
    })
}

pub async fn capacity_providers(
    ecs: &aws_sdk_ecs::Client,
    asg: &aws_sdk_autoscaling::Client,
    region: &str,
    who: &Who,
    names: &[String],
) -> Result<Vec<CapacityProvider>, FetchError> {
    let mut providers = Vec::new();
    let mut token = None;
    loop {
        let out = ecs
            .describe_capacity_providers()
            .set_capacity_providers(Some(names.to_vec()))
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| Call::new("ECS DescribeCapacityProviders", region, who).of(e))?;
        providers.extend(out.capacity_providers().iter().cloned());
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let group_of = |arn: &str| arn.rsplit("autoScalingGroupName/").next().map(str::to_string);
    let names: Vec<String> = providers
        .iter()
        .filter_map(|p| p.auto_scaling_group_provider())
        .filter_map(|a| group_of(a.auto_scaling_group_arn()))
        .collect();
    let groups: Vec<_> = if names.is_empty() {
        Vec::new()
    } else {
        asg.describe_auto_scaling_groups()
            .set_auto_scaling_group_names(Some(names))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| Call::new("Auto Scaling DescribeAutoScalingGroups", region, who).of(e))?
    };
    Ok(providers
        .iter()
        .map(|p| {
            let provider = p.auto_scaling_group_provider();
            let asg_arn = provider.map(|a| a.auto_scaling_group_arn().to_string());
            let group_name = asg_arn.as_deref().and_then(group_of);
            let group = groups
                .iter()
                .find(|g| g.auto_scaling_group_name() == group_name.as_deref());
            CapacityProvider {
                name: p.name().unwrap_or_default().to_string(),
                status: p.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                asg_arn,
                managed_scaling: provider.and_then(|a| a.managed_scaling()).map(|m| {
                    (
                        m.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                        m.target_capacity().unwrap_or(100).max(0) as u32,
                    )
                }),
                asg: group.map(|g| {
                    (
                        count(g.min_size().unwrap_or(0)),
                        count(g.desired_capacity().unwrap_or(0)),
                        count(g.max_size().unwrap_or(0)),
                    )
                }),
            }
        })
        .collect())
}
