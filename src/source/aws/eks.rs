//! EKS reads: the clusters of a region, their managed node groups, Fargate profiles and
//! add-ons, and what it takes to reach a cluster's Kubernetes API.

use super::error::{Call, Who};
use super::{describe_all, timestamp};
use crate::domain::kube::{Addon, FargateProfile, NodeGroup};
use crate::domain::{EksCluster, FetchError};
use aws_sdk_eks::Client;

pub async fn clusters(client: &Client, region: &str, who: &Who) -> Result<Vec<EksCluster>, FetchError> {
    let names: Vec<String> = client
        .list_clusters()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("EKS ListClusters", region, who).of(e))?;
    // One name a call: the describe calls take one.
    describe_all(names, 1, |batch| async move {
        let name = batch.into_iter().next().unwrap_or_default();
        let out = client
            .describe_cluster()
            .name(&name)
            .send()
            .await
            .map_err(|e| Call::new("EKS DescribeCluster", region, who).of(e))?;
        let c = out.cluster();
        let vpc = c.and_then(|c| c.resources_vpc_config());
        Ok(vec![EksCluster {
            account: who.account.clone(),
            arn: c.and_then(|c| c.arn()).unwrap_or_default().to_string(),
            name: c.and_then(|c| c.name()).unwrap_or(&name).to_string(),
            region: region.to_string(),
            status: c
                .and_then(|c| c.status())
                .map_or_else(String::new, |s| s.as_str().to_string()),
            version: c.and_then(|c| c.version()).unwrap_or_default().to_string(),
            platform_version: c.and_then(|c| c.platform_version()).map(str::to_string),
            endpoint: c.and_then(|c| c.endpoint()).map(str::to_string),
            public_access: vpc.is_some_and(|v| v.endpoint_public_access()),
            private_access: vpc.is_some_and(|v| v.endpoint_private_access()),
            created_at: timestamp(c.and_then(|c| c.created_at())),
        }])
    })
    .await
}

/// Health issues as `Code: message` lines.
fn issues<I>(list: &[I], parts: impl Fn(&I) -> (Option<&str>, Option<&str>)) -> Vec<String> {
    list.iter()
        .map(|i| {
            let (code, message) = parts(i);
            format!("{}: {}", code.unwrap_or("Issue"), message.unwrap_or_default())
        })
        .collect()
}

fn cluster_name(cluster: &str) -> &str {
    crate::util::arn_tail(cluster)
}

pub async fn nodegroups(client: &Client, region: &str, who: &Who, cluster: &str) -> Result<Vec<NodeGroup>, FetchError> {
    let name = cluster_name(cluster);
    let names: Vec<String> = client
        .list_nodegroups()
        .cluster_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("EKS ListNodegroups", region, who).of(e))?;
    // One name a call: the describe calls take one.
    describe_all(names, 1, |batch| async move {
        let group = batch.into_iter().next().unwrap_or_default();
        let out = client
            .describe_nodegroup()
            .cluster_name(name)
            .nodegroup_name(&group)
            .send()
            .await
            .map_err(|e| Call::new("EKS DescribeNodegroup", region, who).of(e))?;
        let g = out.nodegroup();
        let scaling = g.and_then(|g| g.scaling_config());
        let count = |n: Option<i32>| n.unwrap_or(0).max(0) as u32;
        Ok(vec![NodeGroup {
            name: g.and_then(|g| g.nodegroup_name()).unwrap_or(&group).to_string(),
            status: g
                .and_then(|g| g.status())
                .map_or_else(String::new, |s| s.as_str().to_string()),
            capacity_type: g
                .and_then(|g| g.capacity_type())
                .map_or_else(|| "ON_DEMAND".to_string(), |c| c.as_str().to_string()),
            instance_types: g.map(|g| g.instance_types().to_vec()).unwrap_or_default(),
            ami_type: g
                .and_then(|g| g.ami_type())
                .map_or_else(String::new, |a| a.as_str().to_string()),
            min: count(scaling.and_then(|s| s.min_size())),
            desired: count(scaling.and_then(|s| s.desired_size())),
            max: count(scaling.and_then(|s| s.max_size())),
            health_issues: g
                .and_then(|g| g.health())
                .map(|h| issues(h.issues(), |i| (i.code().map(|c| c.as_str()), i.message())))
                .unwrap_or_default(),
            version: g.and_then(|g| g.version()).map(str::to_string),
            modified_at: timestamp(g.and_then(|g| g.modified_at())),
        }])
    })
    .await
}

pub async fn fargate_profiles(
    client: &Client,
    region: &str,
    who: &Who,
    cluster: &str,
) -> Result<Vec<FargateProfile>, FetchError> {
    let name = cluster_name(cluster);
    let names: Vec<String> = client
        .list_fargate_profiles()
        .cluster_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("EKS ListFargateProfiles", region, who).of(e))?;
    // One name a call: the describe calls take one.
    describe_all(names, 1, |batch| async move {
        let fp = batch.into_iter().next().unwrap_or_default();
        let out = client
            .describe_fargate_profile()
            .cluster_name(name)
            .fargate_profile_name(&fp)
            .send()
            .await
            .map_err(|e| Call::new("EKS DescribeFargateProfile", region, who).of(e))?;
        let p = out.fargate_profile();
        Ok(vec![FargateProfile {
            name: p.and_then(|p| p.fargate_profile_name()).unwrap_or(&fp).to_string(),
            status: p
                .and_then(|p| p.status())
                .map_or_else(String::new, |s| s.as_str().to_string()),
            selectors: p
                .map(|p| {
                    p.selectors()
                        .iter()
                        .map(|s| {
                            let mut parts = vec![format!("namespace={}", s.namespace().unwrap_or("*"))];
                            let mut labels: Vec<_> = s.labels().into_iter().flatten().collect();
                            labels.sort();
                            parts.extend(labels.into_iter().map(|(k, v)| format!("{k}={v}")));
                            parts.join(",")
                        })
                        .collect()
                })
                .unwrap_or_default(),
            subnets: p.map(|p| p.subnets().to_vec()).unwrap_or_default(),
            role: p.and_then(|p| p.pod_execution_role_arn()).map(str::to_string),
        }])
    })
    .await
}

/// Add-ons; an endpoint that does not implement them (some emulators) reads as none.
pub async fn addons(client: &Client, region: &str, who: &Who, cluster: &str) -> Result<Vec<Addon>, FetchError> {
    let name = cluster_name(cluster);
    let names: Vec<String> = match client
        .list_addons()
        .cluster_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(names) => names,
        Err(e) => {
            // No such route: a 404 that is not an AWS error (no error code in the body).
            let unrouted = e.raw_response().is_some_and(|r| r.status().as_u16() == 404)
                && aws_sdk_eks::error::ProvideErrorMetadata::code(&e).is_none();
            let e = Call::new("EKS ListAddons", region, who).of(e);
            if unrouted || e.message.contains("not yet implemented") || e.message.contains("NotImplemented") {
                return Ok(Vec::new());
            }
            return Err(e);
        }
    };
    // One name a call: the describe calls take one.
    describe_all(names, 1, |batch| async move {
        let addon = batch.into_iter().next().unwrap_or_default();
        let out = client
            .describe_addon()
            .cluster_name(name)
            .addon_name(&addon)
            .send()
            .await
            .map_err(|e| Call::new("EKS DescribeAddon", region, who).of(e))?;
        let a = out.addon();
        Ok(vec![Addon {
            name: a.and_then(|a| a.addon_name()).unwrap_or(&addon).to_string(),
            version: a.and_then(|a| a.addon_version()).unwrap_or_default().to_string(),
            status: a
                .and_then(|a| a.status())
                .map_or_else(String::new, |s| s.as_str().to_string()),
            health_issues: a
                .and_then(|a| a.health())
                .map(|h| issues(h.issues(), |i| (i.code().map(|c| c.as_str()), i.message())))
                .unwrap_or_default(),
            modified_at: timestamp(a.and_then(|a| a.modified_at())),
        }])
    })
    .await
}

/// The API endpoint and CA of a cluster, to connect to its Kubernetes API.
pub async fn endpoint(
    client: &Client,
    region: &str,
    who: &Who,
    cluster: &str,
) -> Result<super::kube::Endpoint, FetchError> {
    let name = cluster_name(cluster);
    let out = client
        .describe_cluster()
        .name(name)
        .send()
        .await
        .map_err(|e| Call::new("EKS DescribeCluster", region, who).of(e))?;
    let c = out.cluster();
    Ok(super::kube::Endpoint {
        arn: c.and_then(|c| c.arn()).unwrap_or(cluster).to_string(),
        name: name.to_string(),
        region: region.to_string(),
        server: c.and_then(|c| c.endpoint()).map(str::to_string),
        ca: c
            .and_then(|c| c.certificate_authority())
            .and_then(|a| a.data())
            .map(str::to_string),
    })
}
