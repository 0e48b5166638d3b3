//! Fleet roll-ups: one row per cluster, from what the store holds of it.

use jiff::Timestamp;

use super::ClusterData;
use super::kube::KubeData;
use crate::domain::account::{Account, arn_account};
use crate::domain::apprunner::AppRunnerService;
use crate::domain::{Cluster, ClusterKind, EksCluster, ErrorKind, FleetRow, Health};
use crate::util;

impl FleetRow {
    /// An account's own row, when its credentials failed: one row with the error and its
    /// fix, in place of clusters bosun cannot see (its last good ones stay too).
    pub fn account(account: &Account, identity: Option<&super::Collection<super::IdentityItem>>) -> Option<Self> {
        let error = identity?.error.as_ref().filter(|e| e.kind == ErrorKind::Auth)?;
        Some(FleetRow {
            arn: format!("account/{}", account.name),
            account: account.name.clone(),
            account_id: account.id.clone().unwrap_or_default(),
            name: "(no access)".into(),
            kind: ClusterKind::Account,
            region: match account.regions.as_slice() {
                [one] => one.clone(),
                many => format!("{} regions", many.len()),
            },
            status: "NO ACCESS".into(),
            services: None,
            running: 0,
            pending: 0,
            desired: None,
            degraded: None,
            deploying: None,
            stopped_last_hour: None,
            alarms: None,
            version: None,
            health: Health::Failing,
            url: None,
            error: Some(error.message.clone()),
        })
    }

    pub fn ecs(cluster: &Cluster, data: Option<&ClusterData>, alarms: Option<u32>, now: Timestamp) -> Self {
        let services = data.filter(|d| d.services.is_loaded()).map(|d| d.services.items());
        let stopped = data.filter(|d| d.stopped.is_loaded()).map(|d| {
            d.stopped
                .items()
                .iter()
                .filter(|t| t.stopped_at.is_some_and(|at| util::secs_between(at, now) <= 3600))
                .count() as u32
        });
        let count = |f: fn(&crate::domain::Service) -> bool| services.map(|s| s.iter().filter(|s| f(s)).count() as u32);
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
            account: cluster.account.clone(),
            account_id: arn_account(&cluster.arn).unwrap_or_default().to_string(),
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
            url: None,
            error: None,
        }
    }

    /// An App Runner service's row: its status and health (a deployment rolled back is a
    /// failing health check), its URL; and why it fails, where it does.
    pub fn apprunner(s: &AppRunnerService) -> Self {
        FleetRow {
            arn: s.arn.clone(),
            account: s.account.clone(),
            account_id: arn_account(&s.arn).unwrap_or_default().to_string(),
            name: s.name.clone(),
            kind: ClusterKind::AppRunner,
            region: s.region.clone(),
            status: s.status.clone(),
            services: None,
            running: 0,
            pending: 0,
            desired: None,
            degraded: None,
            deploying: Some(u32::from(s.current_operation().is_some())),
            stopped_last_hour: None,
            alarms: None,
            version: None,
            health: s.health(),
            url: s.url.clone(),
            error: s.trouble(),
        }
    }

    /// An EKS cluster's row: node groups and add-ons from the EKS API; pods and workloads
    /// once a view has started their watches (until then their columns read `-`).
    pub fn eks(cluster: &EksCluster, kube: Option<&KubeData>) -> Self {
        fn loaded<R: super::Rows>(c: &R) -> Option<&[R::Item]> {
            c.is_loaded().then(|| c.items())
        }
        let groups = kube.and_then(|k| loaded(&k.nodegroups));
        let addons = kube.and_then(|k| loaded(&k.addons));
        let pods = kube.and_then(|k| loaded(&k.pods));
        let workloads = kube.and_then(|k| loaded(&k.workloads));
        let sum = |a: Option<u32>, b: Option<u32>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        let count = |n: usize| n as u32;
        // A node group or add-on with health issues, or in a state other than working.
        let troubled = |status: &str, issues: &[String]| !issues.is_empty() || !matches!(status, "ACTIVE" | "UPDATING");
        let groups_degraded = groups.map(|g| count(g.iter().filter(|g| troubled(&g.status, &g.health_issues)).count()));
        let addons_degraded = addons.map(|a| count(a.iter().filter(|a| troubled(&a.status, &a.health_issues)).count()));
        let short = workloads.map(|w| count(w.iter().filter(|w| w.ready < w.desired).count()));
        let degraded = sum(sum(groups_degraded, addons_degraded), short);
        let rolling = workloads.map(|w| count(w.iter().filter(|w| w.updated < w.desired).count()));
        let groups_updating = groups.map(|g| count(g.iter().filter(|g| g.status == "UPDATING").count()));
        let deploying = sum(rolling, groups_updating);
        let (mut running, mut pending, mut crashing) = (0, 0, 0);
        for pod in pods.unwrap_or_default() {
            let (ready, total) = pod.ready_count();
            match pod.phase.as_str() {
                "Running" if ready == total => running += 1,
                "Pending" => pending += 1,
                _ => {}
            }
            crashing += u32::from(pod.backing_off());
        }
        let desired = pods.map(|p| {
            count(
                p.iter()
                    .filter(|p| !matches!(p.phase.as_str(), "Succeeded" | "Failed"))
                    .count(),
            )
        });
        let health = match cluster.status.as_str() {
            "FAILED" => Health::Failing,
            "CREATING" | "UPDATING" => Health::Progressing,
            "ACTIVE" if crashing > 0 => Health::Failing,
            "ACTIVE" if degraded.unwrap_or(0) > 0 || pending > 0 => Health::Degraded,
            "ACTIVE" if deploying.unwrap_or(0) > 0 => Health::Progressing,
            "ACTIVE" => Health::Healthy,
            _ => Health::Degraded,
        };
        FleetRow {
            arn: cluster.arn.clone(),
            account: cluster.account.clone(),
            account_id: arn_account(&cluster.arn).unwrap_or_default().to_string(),
            name: cluster.name.clone(),
            kind: ClusterKind::Eks,
            region: cluster.region.clone(),
            status: cluster.status.clone(),
            services: workloads.map(|w| count(w.len())),
            running,
            pending,
            desired,
            degraded,
            deploying,
            stopped_last_hour: None,
            alarms: None,
            version: Some(cluster.version.clone()),
            health,
            url: None,
            error: None,
        }
    }
}
