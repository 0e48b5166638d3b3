//! Fleet roll-ups: one row per cluster, ECS or EKS, with the health of what runs in it.

use serde::Serialize;

use super::Health;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ClusterKind {
    Ecs,
    Eks,
    /// An App Runner service: not a cluster, a row of its own.
    AppRunner,
    /// Not a cluster: an account that cannot be read at all (its credentials failed), one
    /// row in place of its clusters, with what failed and the fix.
    Account,
}

impl ClusterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterKind::Ecs => "ECS",
            ClusterKind::Eks => "EKS",
            ClusterKind::AppRunner => "App Runner",
            ClusterKind::Account => "ACCOUNT",
        }
    }
}

/// One line of the fleet view. Counts are `None` until the data behind them has been fetched.
/// For an EKS cluster, services are its workloads, tasks its pods (running and ready of
/// those not finished), degraded its node groups, add-ons and workloads in trouble.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FleetRow {
    pub arn: String,
    /// The account's name in the fleet, and its id.
    pub account: String,
    pub account_id: String,
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
    /// An App Runner service's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What failed, for an account's row: the error and its fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
