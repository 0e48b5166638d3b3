//! Fleet roll-ups: one row per cluster, ECS or EKS, with the health of what runs in it.

use jiff::Timestamp;
use serde::Serialize;

use super::{Cluster, ClusterData, EksCluster, Health};
use crate::util;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ClusterKind {
    Ecs,
    Eks,
}

impl ClusterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterKind::Ecs => "ECS",
            ClusterKind::Eks => "EKS",
        }
    }
}

/// One line of the fleet view. Counts are `None` until the data behind them has been fetched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FleetRow {
    pub arn: String,
    pub name: String,
    pub kind: ClusterKind,
    pub region: String,
    pub status: String,
    pub services: Option<u32>,
    pub running: u32,
    pub pending: u32,
    pub desired: Option<u32>,
    pub degraded: Option<u32>,
    pub deploying: Option<u32>,
    pub stopped_last_hour: Option<u32>,
    /// Firing CloudWatch alarms about the cluster.
    pub alarms: Option<u32>,
    /// The Kubernetes version of an EKS cluster.
    pub version: Option<String>,
    pub health: Health,
}

impl FleetRow {
    pub fn ecs(cluster: &Cluster, data: Option<&ClusterData>, alarms: Option<u32>, now: Timestamp) -> Self {
        let services = data.filter(|d| d.services.is_loaded()).map(|d| d.services.items());
        let stopped = data.filter(|d| d.stopped.is_loaded()).map(|d| {
            d.stopped
                .items()
                .iter()
                .filter(|t| t.stopped_at.is_some_and(|at| util::secs_between(at, now) <= 3600))
                .count() as u32
        });
        let count = |f: fn(&super::Service) -> bool| services.map(|s| s.iter().filter(|s| f(s)).count() as u32);
        let degraded = count(|s| matches!(s.health(), Health::Failing | Health::Degraded));
        let failing = count(|s| s.health() == Health::Failing);
        let deploying = count(|s| s.is_deploying());
        let health = if cluster.status != "ACTIVE" {
            Health::Degraded
        } else if failing.unwrap_or(0) > 0 || alarms.unwrap_or(0) > 0 {
            Health::Failing
        } else if degraded.unwrap_or(0) > 0 {
            Health::Degraded
        } else if deploying.unwrap_or(0) > 0 {
            Health::Progressing
        } else if cluster.active_services == 0 && cluster.running_tasks == 0 {
            Health::Idle
        } else {
            Health::Healthy
        };
        FleetRow {
            arn: cluster.arn.clone(),
            name: cluster.name.clone(),
            kind: ClusterKind::Ecs,
            region: cluster.region.clone(),
            status: cluster.status.clone(),
            services: Some(services.map_or(cluster.active_services, |s| s.len() as u32)),
            // The cluster's own counts include tasks that belong to no service.
            running: cluster.running_tasks,
            pending: cluster.pending_tasks,
            desired: services.map(|s| s.iter().map(|s| s.desired).sum()),
            degraded,
            deploying,
            stopped_last_hour: stopped,
            alarms,
            version: None,
            health,
        }
    }

    pub fn eks(cluster: &EksCluster) -> Self {
        let health = match cluster.status.as_str() {
            "ACTIVE" => Health::Healthy,
            "FAILED" => Health::Failing,
            "CREATING" | "UPDATING" => Health::Progressing,
            _ => Health::Degraded,
        };
        FleetRow {
            arn: cluster.arn.clone(),
            name: cluster.name.clone(),
            kind: ClusterKind::Eks,
            region: cluster.region.clone(),
            status: cluster.status.clone(),
            services: None,
            running: 0,
            pending: 0,
            desired: None,
            degraded: None,
            deploying: None,
            stopped_last_hour: None,
            alarms: None,
            version: Some(cluster.version.clone()),
            health,
        }
    }
}
