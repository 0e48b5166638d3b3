//! The store: every resource bosun knows about, with when it was fetched and its last error,
//! plus the UI state. Only the app loop mutates it (see `app::update`).

mod collection;
pub mod fleet;
pub mod follow;
pub mod insight;
pub mod kube;
pub mod rows;
pub mod table;
pub mod timeline;
pub mod ui;

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use serde::Serialize;

pub use collection::Collection;
pub use follow::{Follow, Watch};
pub use rows::Rows;

use crate::domain::account::Account;
use crate::domain::apprunner::AppRunnerService;
use crate::domain::fetch::{DataEvent, Fetch, Payload};
use crate::domain::kube::TroubledPod;
use crate::domain::*;
use crate::util::natural_cmp;

/// Everything known about one ECS cluster beyond its description.
#[derive(Debug, Default)]
pub struct ClusterData {
    pub services: Collection<Service>,
    /// Tasks whose desired status is RUNNING.
    pub tasks: Collection<Task>,
    /// Tasks whose desired status is STOPPED: ECS keeps them for about an hour.
    pub stopped: Collection<Task>,
    pub instances: Collection<ContainerInstance>,
}

impl ClusterData {
    /// Running and stopped tasks of the cluster, the running ones first.
    pub fn all_tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks.items().iter().chain(self.stopped.items())
    }

    pub fn find_task(&self, arn: &str) -> Option<&Task> {
        self.tasks.get(arn).or_else(|| self.stopped.get(arn))
    }
}

/// Where bosun is pointed: shown in the header.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// The accounts of the fleet, their ids filled in as their identities arrive.
    pub accounts: Vec<Account>,
    /// Every region of every account, once each.
    pub regions: Vec<String>,
    pub demo: bool,
    pub read_only: bool,
    /// The fast refresh interval, for the status bar.
    pub refresh_secs: u64,
    /// Where chart times are shown: the system's zone in the app, UTC in tests.
    #[serde(skip)]
    pub tz: jiff::tz::TimeZone,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            accounts: Vec::new(),
            regions: Vec::new(),
            demo: false,
            read_only: false,
            refresh_secs: 5,
            tz: jiff::tz::TimeZone::UTC,
        }
    }
}

#[derive(Debug)]
pub struct Store {
    pub context: Context,
    /// Who bosun is, per account (by name).
    pub identities: BTreeMap<String, Collection<IdentityItem>>,
    /// ECS clusters, one collection per account and region, so one region's error (or
    /// one account's) blanks nothing else.
    pub ecs: BTreeMap<(String, String), Collection<Cluster>>,
    pub eks: BTreeMap<(String, String), Collection<EksCluster>>,
    /// App Runner services, per account and region, with their latest operations.
    pub apprunner: BTreeMap<(String, String), Collection<AppRunnerService>>,
    /// App Runner services read one by one (a service's screen; after an action), by ARN.
    pub apprunner_detail: HashMap<String, kube::Fetched<AppRunnerService>>,
    /// Services, tasks and instances, by cluster ARN.
    pub clusters: HashMap<String, ClusterData>,
    pub task_definitions: HashMap<String, Result<TaskDefinition, FetchError>>,
    /// Tasks described one by one (`:stop ID` of a task not loaded), by [`task_key`].
    pub described: HashMap<String, Result<Task, FetchError>>,
    /// Rows of the fleet view, derived from the clusters and their services and tasks.
    pub fleet: Collection<FleetRow>,
    /// The wall clock as of the last tick: views use it for ages, never the system clock.
    pub now: Timestamp,
    /// API calls in the last minute, where the backend makes any.
    pub calls_per_minute: Option<u32>,
    /// Revisions of task definition families, newest first, by `account/region/family`.
    pub revisions: HashMap<String, Result<Vec<String>, FetchError>>,
    /// Metrics, alarms, autoscaling, targets, logs, images, scheduled tasks.
    pub insight: insight::Insight,
    /// Node groups, add-ons and Kubernetes resources, by EKS cluster ARN.
    pub kube: HashMap<String, kube::KubeData>,
    /// The pods in trouble in every EKS cluster, the worst first.
    pub trouble: Collection<TroubledPod>,
    /// Kubernetes views: only this namespace (`:ns`); all when `None`.
    pub namespace: Option<String>,
    /// The fleet: only this account (`:account`); all when `None`.
    pub account_scope: Option<String>,
    /// Actions sent and being followed.
    pub ops: OpsState,
    /// Actions of the audit log (this session's, and the recent ones before it), oldest
    /// first: the timeline shows them.
    pub actions: Vec<crate::domain::op::ActionRecord>,
    /// Bumped when an action is added.
    pub actions_version: u64,
    /// The timeline on screen, gathered again when what it reads changes.
    pub timeline: Derived<crate::domain::timeline::Entry>,
    /// The deployments of the service on screen: its history, or its current deployments
    /// where the history cannot be read.
    pub deployment_rows: Derived<crate::domain::deploy::ServiceDeployment>,
    /// Port forwards of this session, oldest first (`:forwards`), stopped ones included.
    pub forwards: Collection<crate::domain::session::Forward>,
    /// The last session's id (shells and forwards).
    pub next_session: u64,
    /// Raw resources (`:json`, `:yaml`) by what was asked.
    pub raw: HashMap<crate::domain::raw::RawTarget, kube::Fetched<crate::domain::raw::RawDoc>>,
    pub settings: Settings,
    pub ui: ui::Ui,
}

/// Who an action or a session is sent as (see [`Store::sender`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub account: String,
    pub account_id: Option<String>,
    pub profile: String,
    pub identity: Option<String>,
}

/// How actions behave: set from flags and the config file.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Confirm an action by typing the resource's name instead of `y`.
    pub confirm_by_name: bool,
    pub limits: crate::domain::op::Limits,
    /// Why actions are refused, in read-only mode.
    pub read_only: Option<String>,
    /// Why actions into an account (by name) are refused: accounts read-only in the config.
    pub read_only_accounts: std::collections::BTreeMap<String, String>,
    /// `:` command aliases from the config.
    pub aliases: std::collections::BTreeMap<String, String>,
    /// Lists open in the order they are listed in (by name) rather than worst first
    /// (`sort = "name"` in the config).
    pub natural_order: bool,
    /// What `s` runs in a container (`[exec] command` in the config); empty: `/bin/sh`.
    pub exec_command: String,
}

impl Settings {
    /// The order a list opens in, and `<` `>` come back to past the last column.
    pub fn default_sort(&self) -> Option<table::SortSpec> {
        (!self.natural_order).then(table::SortSpec::worst_first)
    }
}

/// Rows a screen puts together from other data (the timeline, a service's deployments),
/// and a fingerprint of what they were made from: made again only when that changes.
#[derive(Debug)]
pub struct Derived<T> {
    pub entries: Collection<T>,
    pub from: Option<u64>,
}

impl<T> Default for Derived<T> {
    fn default() -> Self {
        Derived {
            entries: Collection::default(),
            from: None,
        }
    }
}

/// How many actions of the audit log the timeline keeps.
pub const ACTIONS_KEPT: usize = 1_000;

/// Actions in flight, and the one being followed until it settles.
#[derive(Debug, Default)]
pub struct OpsState {
    pub next_id: u64,
    /// Sent and not yet answered, by request id.
    pub in_flight: Vec<(u64, crate::domain::op::Op)>,
    pub follow: Option<Follow>,
}

/// The identity as a one-element collection, so it carries fetched_at and error like the rest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentityItem(pub Identity);

impl Keyed for IdentityItem {
    fn key(&self) -> &str {
        &self.0.arn
    }
}

impl Store {
    pub fn new(context: Context, now: Timestamp) -> Self {
        Store {
            context,
            identities: BTreeMap::new(),
            ecs: BTreeMap::new(),
            eks: BTreeMap::new(),
            apprunner: BTreeMap::new(),
            apprunner_detail: HashMap::new(),
            clusters: HashMap::new(),
            task_definitions: HashMap::new(),
            described: HashMap::new(),
            fleet: Collection::default(),
            now,
            calls_per_minute: None,
            revisions: HashMap::new(),
            insight: insight::Insight::default(),
            kube: HashMap::new(),
            trouble: Collection::default(),
            namespace: None,
            account_scope: None,
            ops: OpsState::default(),
            actions: Vec::new(),
            actions_version: 0,
            timeline: Derived::default(),
            deployment_rows: Derived::default(),
            forwards: Collection::default(),
            next_session: 0,
            raw: HashMap::new(),
            settings: Settings::default(),
            ui: ui::Ui::default(),
        }
    }

    /// An action that ended, for the timeline.
    pub fn record_action(&mut self, record: crate::domain::op::ActionRecord) {
        self.actions.push(record);
        if self.actions.len() > ACTIONS_KEPT {
            self.actions.remove(0);
        }
        self.actions_version += 1;
    }

    /// Who bosun talks to an account as.
    pub fn identity(&self, account: &str) -> Option<&Identity> {
        self.identities.get(account)?.items().first().map(|i| &i.0)
    }

    /// Every (account, region) the fleet is read in, as per-region data is keyed.
    pub fn places(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.context
            .accounts
            .iter()
            .flat_map(|a| a.regions.iter().map(move |r| (a.name.clone(), r.clone())))
    }

    /// An account of the fleet by name.
    pub fn account(&self, name: &str) -> Option<&Account> {
        self.context.accounts.iter().find(|a| a.name == name)
    }

    /// The account a resource (by ARN) is in: its cluster's, or the one with its id.
    pub fn account_of(&self, arn: &str) -> Option<&Account> {
        if let [only] = self.context.accounts.as_slice() {
            return Some(only);
        }
        let name = self
            .cluster(arn)
            .map(|c| c.account.as_str())
            .or_else(|| self.eks_cluster(arn).map(|c| c.account.as_str()));
        match name {
            Some(name) => self.account(name),
            None => {
                let id = crate::domain::account::arn_account(arn)?;
                self.context.accounts.iter().find(|a| a.id.as_deref() == Some(id))
            }
        }
    }

    /// The account (by name) and region of a resource, as per-region data is kept.
    pub fn place(&self, arn: &str) -> insight::Place {
        insight::place(
            self.account_name_of(arn),
            crate::util::arn_region(arn).unwrap_or_default(),
        )
    }

    /// Who something done in `arn`'s account is done as: the account's name in the fleet,
    /// its id, the profile that signs in, and the caller identity when known.
    pub fn sender(&self, arn: &str) -> Sender {
        let account = self.account_of(arn);
        let name = account.map_or_else(String::new, |a| a.name.clone());
        Sender {
            account_id: account
                .and_then(|a| a.id.clone())
                .or_else(|| crate::domain::account::arn_account(arn).map(str::to_string)),
            profile: account.and_then(|a| a.profile.clone()).unwrap_or_else(|| name.clone()),
            identity: self.identity(&name).map(|i| i.arn.clone()),
            account: name,
        }
    }

    /// The name of the account a resource is in, or `""` when none is known.
    pub fn account_name_of(&self, arn: &str) -> &str {
        self.account_of(arn).map_or("", |a| a.name.as_str())
    }

    /// An ECS cluster by ARN, from whichever account and region holds it.
    pub fn cluster(&self, arn: &str) -> Option<&Cluster> {
        let region = crate::util::arn_region(arn)?;
        self.ecs
            .iter()
            .filter(|((_, r), _)| r == region)
            .find_map(|(_, c)| c.get(arn))
    }

    pub fn eks_cluster(&self, arn: &str) -> Option<&EksCluster> {
        let region = crate::util::arn_region(arn)?;
        self.eks
            .iter()
            .filter(|((_, r), _)| r == region)
            .find_map(|(_, c)| c.get(arn))
    }

    pub fn cluster_data(&self, arn: &str) -> Option<&ClusterData> {
        self.clusters.get(arn)
    }

    pub fn service(&self, cluster: &str, service: &str) -> Option<&Service> {
        self.clusters.get(cluster)?.services.get(service)
    }

    /// Every ECS cluster in every region.
    pub fn all_clusters(&self) -> impl Iterator<Item = &Cluster> {
        self.ecs.values().flat_map(|c| c.items())
    }

    /// Apply a fetch result. Returns whether anything visible changed.
    pub fn apply(&mut self, event: DataEvent) -> bool {
        let DataEvent {
            fetch,
            at,
            result,
            digest,
        } = event;
        let changed = match result {
            Ok(payload) => self.apply_ok(&fetch, payload, at, digest),
            Err(error) => self.apply_err(&fetch, error),
        };
        if changed && fetch.feeds_fleet() {
            self.rebuild_fleet();
        }
        changed
    }

    fn apply_ok(&mut self, fetch: &Fetch, payload: Payload, at: Timestamp, digest: Option<u64>) -> bool {
        if fetch.is_insight() {
            return self.insight.apply_ok(fetch, payload, at);
        }
        let payload = match (fetch, payload) {
            (Fetch::Trouble { cluster }, Payload::Trouble(pods)) => {
                let changed = self.kube.entry(cluster.clone()).or_default().trouble.replace(pods, at);
                if changed {
                    self.gather_trouble(at);
                }
                return changed;
            }
            (_, payload) => payload,
        };
        if fetch.is_kube() {
            let data = self.kube.entry(fetch_cluster(fetch)).or_default();
            return match (fetch, payload) {
                (Fetch::NodeGroups { .. }, Payload::NodeGroups(mut list)) => {
                    list.sort_by(|a, b| natural_cmp(&a.name, &b.name));
                    data.nodegroups.replace(list, at)
                }
                (Fetch::FargateProfiles { .. }, Payload::FargateProfiles(mut list)) => {
                    list.sort_by(|a, b| natural_cmp(&a.name, &b.name));
                    data.fargate.replace(list, at)
                }
                (Fetch::Addons { .. }, Payload::Addons(mut list)) => {
                    list.sort_by(|a, b| natural_cmp(&a.name, &b.name));
                    data.addons.replace(list, at)
                }
                (Fetch::Kube { .. }, Payload::Kube(list)) => data.apply(list, at),
                (Fetch::KubeKinds { .. }, Payload::KubeKinds(kinds)) => data.kinds.replace(kinds, at),
                (Fetch::KubeTable { kind, namespace, .. }, Payload::KubeTable(table)) => data
                    .tables
                    .entry(kube::table_key(kind, namespace.as_deref()))
                    .or_default()
                    .apply(*table, at),
                (
                    Fetch::KubeObject {
                        kind, namespace, name, ..
                    },
                    Payload::KubeObject(object),
                ) => data
                    .objects
                    .entry(kube::object_key(kind, namespace.as_deref(), name))
                    .or_default()
                    .set(*object, at),
                (fetch, payload) => {
                    tracing::error!(?fetch, payload = payload.kind(), "payload does not match fetch");
                    false
                }
            };
        }
        match (fetch, payload) {
            (Fetch::Identity { account }, Payload::Identity(identity)) => {
                if let Some(a) = self.context.accounts.iter_mut().find(|a| &a.name == account)
                    && !identity.account.is_empty()
                {
                    a.id = Some(identity.account.clone());
                }
                self.identities
                    .entry(account.clone())
                    .or_default()
                    .replace(vec![IdentityItem(identity)], at)
            }
            (Fetch::EcsClusters { account, region }, Payload::EcsClusters(mut clusters)) => {
                clusters.sort_by(|a, b| natural_cmp(&a.name, &b.name));
                self.ecs
                    .entry((account.clone(), region.clone()))
                    .or_default()
                    .replace(clusters, at)
            }
            (Fetch::EksClusters { account, region }, Payload::EksClusters(mut clusters)) => {
                clusters.sort_by(|a, b| natural_cmp(&a.name, &b.name));
                self.eks
                    .entry((account.clone(), region.clone()))
                    .or_default()
                    .replace(clusters, at)
            }
            (Fetch::AppRunnerServices { account, region }, Payload::AppRunnerServices(mut services)) => {
                services.sort_by(|a, b| natural_cmp(&a.name, &b.name));
                self.apprunner
                    .entry((account.clone(), region.clone()))
                    .or_default()
                    .replace(services, at)
            }
            (Fetch::AppRunnerService { service }, Payload::AppRunnerService(found)) => {
                // The fleet's row follows it at once, its operations trimmed as the list has them.
                let mut row = (*found).clone();
                row.operations.truncate(5);
                let listed = self
                    .apprunner
                    .values_mut()
                    .map(|c| {
                        c.modify(|s| {
                            if s.arn == row.arn && *s != row {
                                *s = row.clone();
                                true
                            } else {
                                false
                            }
                        })
                    })
                    .fold(false, |a, b| a | b);
                let detail = self
                    .apprunner_detail
                    .entry(service.clone())
                    .or_default()
                    .set(*found, at);
                listed | detail
            }
            (Fetch::Task { cluster, task }, Payload::Tasks(mut found)) => match found.pop() {
                Some(t) => {
                    self.described.insert(task_key(cluster, task), Ok(t));
                    true
                }
                None => false,
            },
            (Fetch::Services { cluster }, Payload::Services(mut services)) => {
                services.sort_by(|a, b| natural_cmp(&a.name, &b.name));
                let now = self.now;
                let data = self.data_mut(cluster);
                let failures = recent_failures(data.stopped.items(), now);
                for s in &mut services {
                    s.recent_failures = failures.get(s.name.as_str()).copied().unwrap_or(0);
                }
                data.services.replace(services, at)
            }
            (Fetch::Tasks { cluster, stopped }, Payload::Tasks(mut tasks)) => {
                // An event made by `DataEvent::new` (it has a digest) is sorted already.
                if digest.is_none() {
                    sort_tasks(&mut tasks, *stopped);
                }
                let now = self.now;
                let data = self.data_mut(cluster);
                if !*stopped {
                    return data.tasks.replace_hashed(tasks, at, digest);
                }
                let mut changed = data.stopped.replace_hashed(tasks, at, digest);
                let failures = recent_failures(data.stopped.items(), now);
                changed |= data.services.modify(|s| {
                    let n = failures.get(s.name.as_str()).copied().unwrap_or(0);
                    std::mem::replace(&mut s.recent_failures, n) != n
                });
                changed
            }
            (Fetch::ContainerInstances { cluster }, Payload::ContainerInstances(mut list)) => {
                list.sort_by(|a, b| a.id.cmp(&b.id));
                self.data_mut(cluster).instances.replace(list, at)
            }
            (Fetch::Raw { target }, Payload::Raw(doc)) => self.raw.entry(target.clone()).or_default().set(*doc, at),
            (Fetch::TaskDefinition { arn }, Payload::TaskDefinition(td)) => {
                self.task_definitions.insert(arn.clone(), Ok(*td));
                true
            }
            (
                Fetch::Revisions {
                    account,
                    region,
                    family,
                },
                Payload::Revisions(list),
            ) => {
                let key = revisions_key(account, region, family);
                let new = Ok(list);
                let changed = self.revisions.get(&key) != Some(&new);
                self.revisions.insert(key, new);
                changed
            }
            (fetch, payload) => {
                tracing::error!(?fetch, payload = payload.kind(), "payload does not match fetch");
                false
            }
        }
    }

    fn apply_err(&mut self, fetch: &Fetch, error: FetchError) -> bool {
        if fetch.is_insight() {
            return self.insight.apply_err(fetch, error);
        }
        if let Fetch::Trouble { cluster } = fetch {
            // Shown beside the list of every cluster, naming the cluster.
            let named = FetchError::new(
                error.kind,
                format!("{}: {}", crate::util::arn_tail(cluster), error.message),
            );
            let changed = self.kube.entry(cluster.clone()).or_default().trouble.fail(error);
            return self.trouble.fail(named) || changed;
        }
        if fetch.is_kube() {
            let data = self.kube.entry(fetch_cluster(fetch)).or_default();
            return match fetch {
                Fetch::NodeGroups { .. } => data.nodegroups.fail(error),
                Fetch::FargateProfiles { .. } => data.fargate.fail(error),
                Fetch::Addons { .. } => data.addons.fail(error),
                Fetch::Kube { kind, .. } => data.fail(*kind, error),
                Fetch::KubeKinds { .. } => data.kinds.fail(error),
                Fetch::KubeTable { kind, namespace, .. } => data
                    .tables
                    .entry(kube::table_key(kind, namespace.as_deref()))
                    .or_default()
                    .rows
                    .fail(error),
                Fetch::KubeObject {
                    kind, namespace, name, ..
                } => data
                    .objects
                    .entry(kube::object_key(kind, namespace.as_deref(), name))
                    .or_default()
                    .fail(error),
                _ => false,
            };
        }
        match fetch {
            Fetch::Identity { account } => self.identities.entry(account.clone()).or_default().fail(error),
            Fetch::EcsClusters { account, region } => self
                .ecs
                .entry((account.clone(), region.clone()))
                .or_default()
                .fail(error),
            Fetch::EksClusters { account, region } => self
                .eks
                .entry((account.clone(), region.clone()))
                .or_default()
                .fail(error),
            Fetch::AppRunnerServices { account, region } => self
                .apprunner
                .entry((account.clone(), region.clone()))
                .or_default()
                .fail(error),
            Fetch::AppRunnerService { service } => {
                self.apprunner_detail.entry(service.clone()).or_default().fail(error)
            }
            Fetch::Services { cluster } => self.data_mut(cluster).services.fail(error),
            Fetch::Task { cluster, task } => {
                self.described.insert(task_key(cluster, task), Err(error));
                true
            }
            Fetch::Tasks { cluster, stopped } => {
                let data = self.data_mut(cluster);
                if *stopped {
                    data.stopped.fail(error)
                } else {
                    data.tasks.fail(error)
                }
            }
            Fetch::ContainerInstances { cluster } => self.data_mut(cluster).instances.fail(error),
            Fetch::Revisions {
                account,
                region,
                family,
            } => {
                let key = revisions_key(account, region, family);
                if matches!(self.revisions.get(&key), Some(Ok(_))) {
                    return false;
                }
                self.revisions.insert(key, Err(error));
                true
            }
            Fetch::Raw { target } => self.raw.entry(target.clone()).or_default().fail(error),
            Fetch::TaskDefinition { arn } => {
                // A good copy never goes stale: keep it over a later error.
                if matches!(self.task_definitions.get(arn), Some(Ok(_))) {
                    return false;
                }
                self.task_definitions.insert(arn.clone(), Err(error));
                true
            }
            // Kept by `insight`, above.
            _ => false,
        }
    }

    /// Every EKS cluster in every region.
    /// The pods in trouble of every EKS cluster in one list, the worst first.
    fn gather_trouble(&mut self, at: Timestamp) {
        let mut all: Vec<TroubledPod> = self
            .kube
            .values()
            .flat_map(|d| d.trouble.items().iter().cloned())
            .collect();
        all.sort_by(|a, b| (a.trouble.rank, &a.cluster, &a.pod.key).cmp(&(b.trouble.rank, &b.cluster, &b.pod.key)));
        self.trouble.replace(all, at);
    }

    pub fn all_apprunner(&self) -> impl Iterator<Item = &AppRunnerService> {
        self.apprunner.values().flat_map(|c| c.items())
    }

    /// An App Runner service by ARN: as read on its own if it was, else as listed.
    pub fn apprunner_service(&self, arn: &str) -> Option<&AppRunnerService> {
        let detail = self.apprunner_detail.get(arn).filter(|f| f.value.is_some());
        let listed = self
            .apprunner
            .values()
            .find_map(|c| c.get(arn).map(|s| (s, c.fetched_at)));
        match (detail, listed) {
            // Whichever was read last: the list goes on being read off the service's screen.
            (Some(d), Some((s, at))) if at > d.fetched_at => Some(s),
            (Some(d), _) => d.value.as_ref(),
            (None, listed) => listed.map(|(s, _)| s),
        }
    }

    pub fn all_eks(&self) -> impl Iterator<Item = &EksCluster> {
        self.eks.values().flat_map(|c| c.items())
    }

    /// An EKS cluster by ARN or name.
    pub fn find_eks(&self, name_or_arn: &str) -> Option<&EksCluster> {
        self.all_eks().find(|c| c.arn == name_or_arn || c.name == name_or_arn)
    }

    fn data_mut(&mut self, cluster: &str) -> &mut ClusterData {
        self.clusters.entry(cluster.to_string()).or_default()
    }

    /// Recompute the fleet rows from the clusters and what is known of their services and tasks.
    pub fn rebuild_fleet(&mut self) {
        let mut rows = Vec::new();
        for account in &self.context.accounts {
            if let Some(row) = FleetRow::account(account, self.identities.get(&account.name)) {
                rows.push(row);
            }
        }
        for cluster in self.all_clusters() {
            let alarms = self
                .insight
                .firing_in_cluster(&cluster.account, &cluster.region, &cluster.name);
            rows.push(FleetRow::ecs(
                cluster,
                self.clusters.get(&cluster.arn),
                alarms,
                self.now,
            ));
        }
        for cluster in self.eks.values().flat_map(|c| c.items()) {
            rows.push(FleetRow::eks(cluster, self.kube.get(&cluster.arn)));
        }
        for service in self.all_apprunner() {
            rows.push(FleetRow::apprunner(service));
        }
        rows.sort_by(|a, b| {
            (a.health, &a.region, &a.name, &a.account).cmp(&(b.health, &b.region, &b.name, &b.account))
        });
        let at = self.fleet.fetched_at.unwrap_or(self.now).max(self.now);
        self.fleet.replace(rows, at);
    }
}

/// Where a task described on its own is kept.
pub fn task_key(cluster: &str, task: &str) -> String {
    format!("{cluster}|{task}")
}

/// Where the revisions of a task definition family are kept.
pub fn revisions_key(account: &str, region: &str, family: &str) -> String {
    format!("{account}/{region}/{family}")
}

/// The EKS cluster a Kubernetes fetch is about.
fn fetch_cluster(fetch: &Fetch) -> String {
    fetch.cluster().unwrap_or_default().to_string()
}

/// Failed tasks per service name, among tasks stopped in the last few minutes.
fn recent_failures(stopped: &[Task], now: Timestamp) -> HashMap<&str, u32> {
    let mut counts = HashMap::new();
    for task in stopped {
        let recent = task
            .stopped_at
            .or(task.stopping_at)
            .is_some_and(|at| crate::util::secs_between(at, now) <= ecs::RECENT_FAILURE_SECS);
        if recent
            && task.failed()
            && let Some(service) = task.service_name()
        {
            *counts.entry(service).or_insert(0) += 1;
        }
    }
    counts
}
