//! Elastic Load Balancing: a service's target group and each target's health (v2), or its
//! Classic Load Balancer and each registered instance's health.

use super::error::{Call, Who};
use crate::domain::insight::{Target, TargetGroupHealth};
use crate::domain::{ErrorKind, FetchError};

fn port(p: Option<i32>) -> u16 {
    p.unwrap_or(0).clamp(0, u16::MAX as i32) as u16
}

pub async fn targets(
    client: &aws_sdk_elasticloadbalancingv2::Client,
    region: &str,
    who: &Who,
    arn: &str,
) -> Result<TargetGroupHealth, FetchError> {
    let groups = client
        .describe_target_groups()
        .target_group_arns(arn)
        .send()
        .await
        .map_err(|e| Call::new("ELB DescribeTargetGroups", region, who).of(e))?;
    let Some(group) = groups.target_groups().first() else {
        return Err(FetchError::new(
            ErrorKind::NotFound,
            format!("target group {arn} not found in {region}"),
        ));
    };
    let health = client
        .describe_target_health()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(|e| Call::new("ELB DescribeTargetHealth", region, who).of(e))?;
    Ok(TargetGroupHealth {
        arn: arn.to_string(),
        name: group.target_group_name().unwrap_or_default().to_string(),
        protocol: group.protocol().map(|p| p.as_str().to_string()).unwrap_or_default(),
        port: port(group.port()),
        load_balancers: group.load_balancer_arns().to_vec(),
        health_check: format!(
            "{} {}",
            group.health_check_protocol().map(|p| p.as_str()).unwrap_or("-"),
            group.health_check_path().unwrap_or("")
        )
        .trim()
        .to_string(),
        targets: health
            .target_health_descriptions()
            .iter()
            .map(|t| {
                let target = t.target();
                let state = t.target_health();
                Target {
                    id: target.and_then(|t| t.id()).unwrap_or_default().to_string(),
                    port: port(target.and_then(|t| t.port())),
                    state: state
                        .and_then(|s| s.state())
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    reason: state.and_then(|s| s.reason()).map(|r| r.as_str().to_string()),
                    description: state.and_then(|s| s.description()).map(str::to_string),
                }
            })
            .collect(),
    })
}

/// A Classic Load Balancer (by ARN) and its instances' health, in the shape of a target
/// group's: each instance a target at the balancer's instance port, InService or
/// OutOfService with AWS's reason code and description.
pub async fn classic_targets(
    client: &aws_sdk_elasticloadbalancing::Client,
    region: &str,
    who: &Who,
    arn: &str,
) -> Result<TargetGroupHealth, FetchError> {
    let name = crate::util::arn_tail(arn);
    let balancers = client
        .describe_load_balancers()
        .load_balancer_names(name)
        .send()
        .await
        .map_err(|e| Call::new("ELB DescribeLoadBalancers", region, who).of(e))?;
    let Some(balancer) = balancers.load_balancer_descriptions().first() else {
        return Err(FetchError::new(
            ErrorKind::NotFound,
            format!("Classic Load Balancer {name} not found in {region}"),
        ));
    };
    let listener = balancer.listener_descriptions().iter().find_map(|l| l.listener());
    let health = client
        .describe_instance_health()
        .load_balancer_name(name)
        .send()
        .await
        .map_err(|e| Call::new("ELB DescribeInstanceHealth", region, who).of(e))?;
    let instance_port = port(listener.map(|l| l.instance_port()));
    Ok(TargetGroupHealth {
        arn: arn.to_string(),
        name: name.to_string(),
        protocol: listener.map(|l| l.protocol().to_string()).unwrap_or_default(),
        port: port(listener.map(|l| l.load_balancer_port())),
        load_balancers: vec![arn.to_string()],
        health_check: balancer
            .health_check()
            .map(|h| h.target().to_string())
            .unwrap_or_default(),
        targets: health
            .instance_states()
            .iter()
            .map(|i| Target {
                id: i.instance_id().unwrap_or_default().to_string(),
                port: instance_port,
                state: i.state().unwrap_or_default().to_string(),
                reason: i.reason_code().filter(|r| *r != "N/A").map(str::to_string),
                description: i.description().filter(|d| *d != "N/A").map(str::to_string),
            })
            .collect(),
    })
}

/// Where listener rules forward: each target group's share of what they carry
/// (DescribeRules; a forward to one target group is all of it). An ECS blue/green's
/// production listener rule says how far its traffic has shifted.
pub async fn rule_traffic(
    client: &aws_sdk_elasticloadbalancingv2::Client,
    region: &str,
    who: &Who,
    rules: &[String],
) -> Result<Vec<crate::domain::deploy::Traffic>, FetchError> {
    let got = client
        .describe_rules()
        .set_rule_arns(Some(rules.to_vec()))
        .send()
        .await
        .map_err(|e| Call::new("ELB DescribeRules", region, who).of(e))?;
    let mut weights: Vec<(String, u64)> = Vec::new();
    for action in got
        .rules()
        .iter()
        .flat_map(|r| r.actions())
        .filter(|a| a.r#type() == Some(&aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum::Forward))
    {
        let groups = action.forward_config().map(|f| f.target_groups()).unwrap_or_default();
        if groups.is_empty()
            && let Some(arn) = action.target_group_arn()
        {
            weights.push((arn.to_string(), 1));
        }
        for g in groups {
            if let Some(arn) = g.target_group_arn() {
                weights.push((arn.to_string(), g.weight().unwrap_or(1).max(0) as u64));
            }
        }
    }
    let total: u64 = weights.iter().map(|(_, w)| w).sum();
    Ok(weights
        .into_iter()
        .map(|(arn, w)| crate::domain::deploy::Traffic {
            label: String::new(),
            target_group: crate::domain::metrics::target_group_name(&arn).to_string(),
            percent: (w * 100 + total / 2).checked_div(total).unwrap_or(0) as u32,
        })
        .collect())
}
