//! EKS reads: the clusters of a region, for the fleet view.

use aws_sdk_eks::Client;
use futures::stream::{self, StreamExt, TryStreamExt};

use super::error::Failure;
use super::timestamp;
use crate::store::{EksCluster, FetchError};

pub async fn clusters(client: &Client, region: &str, profile: &str) -> Result<Vec<EksCluster>, FetchError> {
    let names: Vec<String> = client
        .list_clusters()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| Failure::new("EKS ListClusters", region, profile).of(e))?;
    stream::iter(names)
        .map(|name| async move {
            let out = client
                .describe_cluster()
                .name(&name)
                .send()
                .await
                .map_err(|e| Failure::new("EKS DescribeCluster", region, profile).of(e))?;
            let c = out.cluster();
            let vpc = c.and_then(|c| c.resources_vpc_config());
            Ok::<_, FetchError>(EksCluster {
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
            })
        })
        .buffered(8)
        .try_collect()
        .await
}
