//! A timeline gathered from what the store keeps: for the fleet, an account, an ECS
//! cluster or service, an EKS cluster or one of its workloads. Nothing here fetches: the
//! timeline screen asks for what it needs (see its module), and `bosun report` reads
//! the same way.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::Store;
use crate::domain::FetchError;
use crate::domain::fetch::Fetch;
use crate::domain::kube::KubeKind;
use crate::domain::metrics::Alarm;
use crate::domain::timeline::{self, Entry, Open};
use crate::util::arn_tail;

/// What a timeline is about. Nothing set: the whole fleet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct About {
    /// Only this account (by name).
    pub account: Option<String>,
    /// An ECS or EKS cluster (ARN).
    pub cluster: Option<String>,
    /// An ECS service (ARN) of the cluster.
    pub service: Option<String>,
    /// A workload of the EKS cluster: `Deployment/shop/cart`.
    pub workload: Option<String>,
}

/// What the timeline of `about` reads, beyond what the fleet keeps fresh anyway (the
/// services and stopped tasks of every ECS cluster, node groups and add-ons of every EKS
/// cluster, the alarms of every region): each region's alarm history and scaling
/// activities, and each EKS cluster's events (a watch).
pub fn fetches(store: &Store, about: &About) -> Vec<Fetch> {
    let mut out = Vec::new();
    let mut places = std::collections::BTreeSet::new();
    for c in clusters(store, about, false) {
        places.insert((c.account.clone(), c.region.clone(), true));
        if let Some(service) = &about.service {
            // One service: its deployments as ECS records them.
            out.push(Fetch::ServiceDeployments {
                cluster: c.arn.clone(),
                service: service.clone(),
            });
        }
        if about.cluster.is_some() {
            // One cluster: its own reads at the fast rate while it is on screen.
            out.push(Fetch::services(&c.arn));
            out.push(Fetch::Tasks {
                cluster: c.arn.clone(),
                stopped: true,
            });
        }
    }
    for c in clusters(store, about, true) {
        places.insert((c.account.clone(), c.region.clone(), false));
        out.push(Fetch::kube(&c.arn, KubeKind::Events));
        if about.workload.is_none() && about.cluster.is_some() {
            out.push(Fetch::NodeGroups { cluster: c.arn.clone() });
            out.push(Fetch::Addons { cluster: c.arn.clone() });
        }
    }
    for (account, region, ecs) in places {
        out.extend(of_region(&account, &region, ecs));
    }
    out.sort();
    out.dedup();
    out
}

/// What a timeline reads of a region: its alarms (what each watches), their history, and
/// where it has ECS clusters, its scaling activities.
pub fn of_region(account: &str, region: &str, ecs: bool) -> Vec<Fetch> {
    let (account, region) = (account.to_string(), region.to_string());
    let mut out = vec![
        Fetch::Alarms {
            account: account.clone(),
            region: region.clone(),
        },
        Fetch::AlarmHistory {
            account: account.clone(),
            region: region.clone(),
        },
    ];
    if ecs {
        out.push(Fetch::Scaling { account, region });
    }
    out
}

fn in_account(store: &Store, about: &About, account: &str) -> bool {
    about.account.as_deref().is_none_or(|a| a == account) && store.account_scope.as_deref().is_none_or(|a| a == account)
}

/// A cluster of a timeline: its ARN, account (by name) and region.
struct Of {
    arn: String,
    account: String,
    region: String,
}

/// The ECS (or, `eks`, EKS) clusters of a timeline: the one it is about, or every one of
/// the fleet (or the account).
fn clusters(store: &Store, about: &About, eks: bool) -> Vec<Of> {
    if let Some(arn) = &about.cluster {
        if arn.contains(":eks:") != eks {
            return Vec::new();
        }
        let (account, region) = store.place(arn);
        return vec![Of {
            arn: arn.clone(),
            account,
            region,
        }];
    }
    let of = |arn: &str, account: &str, region: &str| Of {
        arn: arn.to_string(),
        account: account.to_string(),
        region: region.to_string(),
    };
    if eks {
        store
            .all_eks()
            .filter(|c| in_account(store, about, &c.account))
            .map(|c| of(&c.arn, &c.account, &c.region))
            .collect()
    } else {
        store
            .all_clusters()
            .filter(|c| in_account(store, about, &c.account))
            .map(|c| of(&c.arn, &c.account, &c.region))
            .collect()
    }
}

/// A fingerprint of everything a timeline of `about` reads: when it changes, the timeline
/// is gathered again.
pub fn fingerprint(store: &Store, about: &About, since: Timestamp) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = foldhash::quality::FixedState::with_seed(11).build_hasher();
    since.hash(&mut h);
    store.actions_version.hash(&mut h);
    if let Some(s) = about.service.as_ref().and_then(|s| store.insight.deployments.get(s)) {
        s.version.hash(&mut h);
    }
    for c in clusters(store, about, false) {
        if let Some(d) = store.cluster_data(&c.arn) {
            (d.services.version, d.stopped.version).hash(&mut h);
            (d.services.error.is_some(), d.stopped.error.is_some()).hash(&mut h);
        }
    }
    for c in clusters(store, about, true) {
        if let Some(d) = store.kube.get(&c.arn) {
            (d.events.version, d.nodegroups.version, d.addons.version).hash(&mut h);
            d.events.error.is_some().hash(&mut h);
        }
    }
    for place in store.places() {
        if let Some(a) = store.insight.alarms.get(&place) {
            a.version.hash(&mut h);
        }
        if let Some(s) = store.insight.alarm_history.get(&place) {
            (s.fetched_at, s.version).hash(&mut h);
        }
        if let Some(s) = store.insight.scaling.get(&place) {
            (s.fetched_at, s.version).hash(&mut h);
        }
    }
    h.finish()
}

/// Everything that happened to `about` since `since`, newest first.
pub fn gather(store: &Store, about: &About, since: Timestamp) -> Vec<Entry> {
    let mut out = Vec::new();
    let service_name = about.service.as_deref().map(arn_tail);
    // Which cluster and service an alarm is about, by its dimensions: ECS alarms by
    // ClusterName and ServiceName, load balancer alarms by the target group a service uses.
    let mut by_target_group: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut places: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for c in clusters(store, about, false) {
        places
            .entry((c.account.clone(), c.region.clone()))
            .or_default()
            .push(c.arn.clone());
        let Some(data) = store.cluster_data(&c.arn) else {
            continue;
        };
        let services: Vec<_> = data
            .services
            .items()
            .iter()
            .filter(|s| about.service.as_deref().is_none_or(|arn| s.arn == arn))
            .collect();
        for s in &services {
            // Its history where it was read (a service's timeline), else `deployments[]`.
            match store
                .insight
                .deployments
                .get(&s.arn)
                .and_then(|h| h.value.as_ref())
                .filter(|h| !h.deployments.is_empty())
            {
                Some(history) => out.extend(timeline::recorded_deployments(s, history, since)),
                None => out.extend(timeline::deployments(s, since)),
            }
            out.extend(timeline::service_events(s, since));
            for lb in &s.load_balancers {
                if let Some(tg) = crate::domain::metrics::arn_suffix(&lb.target_group_arn, "targetgroup/") {
                    by_target_group.insert(tg.to_string(), (c.arn.clone(), s.arn.clone()));
                }
            }
        }
        let stopped = data
            .stopped
            .items()
            .iter()
            .filter(|t| service_name.is_none_or(|n| t.service_name() == Some(n)));
        out.extend(timeline::stopped_tasks(&c.arn, stopped, since));
        if let Some(scaling) = store
            .insight
            .scaling
            .get(&super::insight::place(&c.account, &c.region))
            .and_then(|s| s.value.as_ref())
        {
            let names: BTreeMap<&str, &str> = services.iter().map(|s| (s.name.as_str(), s.arn.as_str())).collect();
            out.extend(timeline::scaling(&c.arn, &names, &scaling.activities, since));
        }
    }
    for c in clusters(store, about, true) {
        places
            .entry((c.account.clone(), c.region.clone()))
            .or_default()
            .push(c.arn.clone());
        let Some(data) = store.kube.get(&c.arn) else {
            continue;
        };
        let events = data
            .events
            .items()
            .iter()
            .map(|e| &**e)
            .filter(|e| match &about.workload {
                Some(w) => of_workload(w, &e.namespace, &e.object),
                None => true,
            });
        out.extend(timeline::kube_warnings(&c.arn, events, since));
        if about.workload.is_none() {
            out.extend(timeline::nodegroups(&c.arn, data.nodegroups.items(), since));
            out.extend(timeline::addons(&c.arn, data.addons.items(), since));
        }
    }
    if about.workload.is_none() {
        for ((account, region), clusters) in &places {
            let place = super::insight::place(account, region);
            let Some(changes) = store.insight.alarm_history.get(&place).and_then(|s| s.value.as_ref()) else {
                continue;
            };
            let alarms = store.insight.alarms.get(&place).map(|a| a.items()).unwrap_or_default();
            let belongs = |alarm: Option<&Alarm>| alarm_place(store, about, clusters, &by_target_group, alarm);
            out.extend(timeline::alarm_changes(changes, alarms, since, belongs));
        }
    }
    let actions = store.actions.iter().filter(|r| {
        in_account(store, about, &r.account)
            && about.cluster.as_ref().is_none_or(|c| r.cluster.as_ref() == Some(c))
            && about.service.as_ref().is_none_or(|s| of_service(store, r, s))
            && about.workload.as_ref().is_none_or(|w| workload_target(w) == r.target)
    });
    out.extend(timeline::actions(actions, since));
    timeline::sort(&mut out);
    out
}

/// The cluster and service an alarm is about, if it is one of the timeline's: `None` to
/// leave it out.
fn alarm_place(
    store: &Store,
    about: &About,
    clusters: &[String],
    by_target_group: &BTreeMap<String, (String, String)>,
    alarm: Option<&Alarm>,
) -> Option<(Option<String>, Open)> {
    let of_cluster = |name: &str| clusters.iter().find(|arn| arn_tail(arn) == name).cloned();
    let (cluster, service) = match alarm {
        Some(a) => match (a.dim("ClusterName"), a.dim("ServiceName"), a.dim("TargetGroup")) {
            (Some(cluster), service, _) => {
                let cluster = of_cluster(cluster)?;
                let service = service.and_then(|name| {
                    store
                        .cluster_data(&cluster)?
                        .services
                        .items()
                        .iter()
                        .find(|s| s.name == name)
                        .map(|s| s.arn.clone())
                });
                (Some(cluster), service)
            }
            (None, _, Some(tg)) => match by_target_group.get(tg) {
                Some((cluster, service)) => (Some(cluster.clone()), Some(service.clone())),
                None => (None, None),
            },
            _ => (None, None),
        },
        // Deleted since, or not described: only the fleet's and account's timelines.
        None => (None, None),
    };
    if about.cluster.is_some() && cluster.as_ref() != about.cluster.as_ref() {
        return None;
    }
    if about.service.is_some() && service.as_ref() != about.service.as_ref() {
        return None;
    }
    let open = match (&cluster, &service) {
        (Some(c), Some(s)) => Open::Metrics {
            cluster: c.clone(),
            service: s.clone(),
        },
        (Some(c), None) => Open::Cluster { cluster: c.clone() },
        _ => Open::Nothing,
    };
    Some((cluster, open))
}

/// Whether an action was on the service (ARN), or on one of its tasks.
fn of_service(store: &Store, record: &crate::domain::op::ActionRecord, service: &str) -> bool {
    if record.service.as_deref() == Some(service) {
        return true;
    }
    let (Some(cluster), Some(task)) = (&record.cluster, record.target.strip_prefix("task ")) else {
        return false;
    };
    store
        .cluster_data(cluster)
        .and_then(|d| d.all_tasks().find(|t| t.id == task))
        .is_some_and(|t| t.service_name() == Some(arn_tail(service)))
}

/// Whether an event's object is the workload (`Deployment/shop/cart`) or one of its pods
/// or ReplicaSets (named after it).
fn of_workload(workload: &str, namespace: &str, object: &str) -> bool {
    let mut parts = workload.splitn(3, '/');
    let (Some(kind), Some(ns), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    if ns != namespace {
        return false;
    }
    let (object_kind, object_name) = object.split_once('/').unwrap_or(("", object));
    (object_kind == kind && object_name == name) || object_name.starts_with(&format!("{name}-"))
}

/// How the audit log names a workload: `deployment shop/cart`.
fn workload_target(workload: &str) -> String {
    let mut parts = workload.splitn(2, '/');
    let kind = parts.next().unwrap_or_default().to_lowercase();
    format!("{kind} {}", parts.next().unwrap_or_default())
}

/// What a timeline of `about` could not read, said once: the first source that failed
/// (and how many more did), beside the entries of the rest.
pub fn errors(store: &Store, about: &About) -> Option<FetchError> {
    let mut failed: Vec<(String, &FetchError)> = Vec::new();
    for fetch in fetches(store, about) {
        let error = match &fetch {
            Fetch::AlarmHistory { account, region } => store
                .insight
                .alarm_history
                .get(&super::insight::place(account, region))
                .and_then(|s| s.error.as_ref()),
            Fetch::Scaling { account, region } => store
                .insight
                .scaling
                .get(&super::insight::place(account, region))
                .and_then(|s| s.error.as_ref()),
            Fetch::Services { cluster } => store.cluster_data(cluster).and_then(|d| d.services.error.as_ref()),
            Fetch::Tasks { cluster, .. } => store.cluster_data(cluster).and_then(|d| d.stopped.error.as_ref()),
            Fetch::Kube { cluster, .. } => store.kube.get(cluster).and_then(|d| d.events.error.as_ref()),
            _ => None,
        };
        if let Some(error) = error {
            failed.push((fetch.describe(), error));
        }
    }
    let (what, first) = failed.first()?;
    let more = match failed.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    Some(FetchError::new(
        first.kind,
        format!("{what} not read: {}{more}", first.message),
    ))
}
