//! ECR images behind a service (tags, push time, size, scan findings) and repositories;
//! EventBridge rules that start ECS tasks.

use std::collections::BTreeMap;

use aws_sdk_ecr::types::ImageIdentifier;

use super::error::{Call, Who};
use super::timestamp;
use crate::domain::FetchError;
use crate::domain::insight::{Image, Repository, ScheduledTask};

pub async fn images(
    client: &aws_sdk_ecr::Client,
    region: &str,
    who: &Who,
    repository: &str,
    tags: &[String],
) -> Result<Vec<Image>, FetchError> {
    let ids: Vec<ImageIdentifier> = tags
        .iter()
        .map(|t| {
            if t.starts_with("sha256:") {
                ImageIdentifier::builder().image_digest(t).build()
            } else {
                ImageIdentifier::builder().image_tag(t).build()
            }
        })
        .collect();
    let request = client.describe_images().repository_name(repository);
    let request = if ids.is_empty() {
        request
    } else {
        request.set_image_ids(Some(ids))
    };
    let details: Vec<_> = request
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("ECR DescribeImages", region, who).of(e))?;
    let mut images = Vec::new();
    for d in details {
        let digest = d.image_digest().unwrap_or_default().to_string();
        let mut findings = BTreeMap::new();
        let mut scan_status = d
            .image_scan_status()
            .and_then(|s| s.status())
            .map(|s| s.as_str().to_string());
        if d.image_scan_findings_summary().is_some() {
            let out = client
                .describe_image_scan_findings()
                .repository_name(repository)
                .image_id(ImageIdentifier::builder().image_digest(&digest).build())
                .send()
                .await;
            match out {
                Ok(out) => {
                    if let Some(f) = out.image_scan_findings() {
                        for (severity, n) in f.finding_severity_counts().into_iter().flatten() {
                            findings.insert(severity.as_str().to_string(), (*n).max(0) as u32);
                        }
                    }
                    if let Some(s) = out.image_scan_status().and_then(|s| s.status()) {
                        scan_status = Some(s.as_str().to_string());
                    }
                }
                Err(e) => return Err(Call::new("ECR DescribeImageScanFindings", region, who).of(e)),
            }
        }
        images.push(Image {
            repository: repository.to_string(),
            digest,
            tags: d.image_tags().to_vec(),
            pushed_at: timestamp(d.image_pushed_at()),
            size_bytes: d.image_size_in_bytes(),
            scan_status,
            findings,
        });
    }
    images.sort_by_key(|i| std::cmp::Reverse(i.pushed_at));
    Ok(images)
}

pub async fn repositories(
    client: &aws_sdk_ecr::Client,
    region: &str,
    who: &Who,
) -> Result<Vec<Repository>, FetchError> {
    let repos: Vec<_> = client
        .describe_repositories()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("ECR DescribeRepositories", region, who).of(e))?;
    let mut out: Vec<Repository> = repos
        .iter()
        .map(|r| Repository {
            name: r.repository_name().unwrap_or_default().to_string(),
            uri: r.repository_uri().unwrap_or_default().to_string(),
            created_at: timestamp(r.created_at()),
            scan_on_push: r.image_scanning_configuration().is_some_and(|c| c.scan_on_push()),
            tag_mutability: r
                .image_tag_mutability()
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
        })
        .collect();
    out.sort_by(|a, b| crate::util::natural_cmp(&a.name, &b.name));
    Ok(out)
}

pub async fn schedules(
    client: &aws_sdk_eventbridge::Client,
    region: &str,
    who: &Who,
) -> Result<Vec<ScheduledTask>, FetchError> {
    let mut rules = Vec::new();
    let mut token = None;
    loop {
        let out = client
            .list_rules()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| Call::new("EventBridge ListRules", region, who).of(e))?;
        rules.extend(out.rules().iter().cloned());
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let mut tasks = Vec::new();
    for rule in rules {
        let name = rule.name().unwrap_or_default();
        let mut token = None;
        loop {
            let out = client
                .list_targets_by_rule()
                .rule(name)
                .set_event_bus_name(rule.event_bus_name().map(str::to_string))
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| Call::new("EventBridge ListTargetsByRule", region, who).of(e))?;
            for target in out.targets() {
                if let Some(ecs) = target.ecs_parameters() {
                    tasks.push(ScheduledTask {
                        rule: name.to_string(),
                        schedule: rule.schedule_expression().map(str::to_string),
                        state: rule.state().map(|s| s.as_str().to_string()).unwrap_or_default(),
                        cluster_arn: target.arn().to_string(),
                        task_definition: ecs.task_definition_arn().to_string(),
                        count: ecs.task_count().unwrap_or(1).max(0) as u32,
                        launch_type: ecs.launch_type().map(|l| l.as_str().to_string()),
                    });
                }
            }
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(tasks)
}
