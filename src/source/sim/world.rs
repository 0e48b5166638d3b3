//! The simulated world: clusters, services, tasks and instances that live and change as
//! simulated time moves, one second per step, deterministically for a seed.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::{Deref, Index, IndexMut};

use jiff::{SignedDuration, Timestamp};

use super::spec::{self, Behavior};
use crate::domain::{Cluster, ContainerInstance, EksCluster, LaunchType, Service, Task, TaskDefinition};
use crate::util::rng::Rng;

/// The first account's id: where a fleet at scale runs, and the default.
pub const ACCOUNT: &str = "123456789012";

/// How many accounts the demo fleet has unless `--demo-accounts` says otherwise.
pub const DEMO_ACCOUNTS: usize = 3;
/// How long simulated history runs before the world is shown.
pub const WARM_UP_SECS: i64 = 20 * 60;
/// ECS keeps a stopped task visible for about an hour.
pub(super) const STOPPED_RETENTION_SECS: i64 = 3600;
/// A world that fell further behind than this (a laptop asleep) jumps instead of replaying.
const MAX_CATCH_UP_STEPS: i64 = 3600;

/// Why a simulated task dies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crash {
    OutOfMemory,
    AppExit,
    ElbHealthCheck,
    ContainerHealthCheck,
}

#[derive(Clone)]
pub(super) struct SimTask {
    pub task: Task,
    /// The deployment that started it.
    pub deployment: String,
    /// When the task moves to its next state.
    pub next: Option<Timestamp>,
    /// When and how a running task dies, for tasks of a failing service.
    pub crash: Option<(Timestamp, Crash)>,
    /// Started by a failing service: it will crash once running.
    pub fragile: bool,
}

impl SimTask {
    pub(super) fn is_serving(&self) -> bool {
        self.task.desired_status == "RUNNING" && self.task.last_status == "RUNNING" && self.task.health == "HEALTHY"
    }
}

pub(super) struct SimService {
    pub svc: Service,
    pub behavior: Behavior,
    pub next_deploy: Option<Timestamp>,
    pub next_launch: Timestamp,
    pub steady_reported: bool,
    /// Tasks that failed since the service last said it cannot start tasks.
    pub failures_since_warning: u32,
    /// Application Auto Scaling min / max, once registered.
    pub limits: Option<(u32, u32)>,
    /// Its deployments and revisions, as ECS records them.
    pub history: crate::domain::deploy::DeploymentHistory,
}

pub(super) struct SimCluster {
    pub info: Cluster,
    pub launch: LaunchType,
    pub services: Vec<SimService>,
    /// The tasks held as they are: every task of the demo fleet. At scale, none until an
    /// action is taken on the cluster (see [`Clusters`]), then all of them.
    pub tasks: Vec<SimTask>,
    /// The tasks of a fleet at scale, kept as what makes them (a service's seed, count and
    /// task definition) and made each time they are read; all running. They come before
    /// the held ones, in the order they were made.
    pub generated: Vec<super::scale::Generated>,
    pub instances: Vec<ContainerInstance>,
    pub azs: Vec<String>,
}

impl SimCluster {
    /// The cluster with its counts now: services, running and pending tasks, instances.
    fn summary(&self) -> Cluster {
        let mut info = self.info.clone();
        info.active_services = self.services.iter().filter(|s| s.svc.status == "ACTIVE").count() as u32;
        let held = self.tasks.iter().filter(|t| t.task.last_status == "RUNNING").count();
        info.running_tasks = (self.generated_count() + held) as u32;
        info.pending_tasks = self
            .tasks
            .iter()
            .filter(|t| matches!(t.task.last_status.as_str(), "PROVISIONING" | "PENDING" | "ACTIVATING"))
            .count() as u32;
        info.container_instances = self.instances.len() as u32;
        info
    }
}

impl SimCluster {
    /// The 12-digit id of the account the cluster is in.
    pub(super) fn account_id(&self) -> &str {
        crate::domain::account::arn_account(&self.info.arn).unwrap_or(ACCOUNT)
    }

    /// A stand-in while the real one is taken out of the world to be worked on.
    pub(super) fn empty() -> Self {
        SimCluster {
            info: Cluster {
                arn: String::new(),
                account: String::new(),
                name: String::new(),
                region: String::new(),
                status: String::new(),
                active_services: 0,
                running_tasks: 0,
                pending_tasks: 0,
                container_instances: 0,
                capacity_providers: Vec::new(),
            },
            launch: LaunchType::Unknown,
            services: Vec::new(),
            tasks: Vec::new(),
            generated: Vec::new(),
            instances: Vec::new(),
            azs: Vec::new(),
        }
    }

    /// How many tasks are generated (all running).
    pub(super) fn generated_count(&self) -> usize {
        self.generated.iter().map(|g| g.count()).sum()
    }

    /// Every task of the cluster, in order: the generated ones (made now), then the held.
    #[cfg(test)]
    pub(super) fn all_tasks(&self) -> impl Iterator<Item = Cow<'_, SimTask>> {
        self.generated
            .iter()
            .flat_map(|g| g.tasks(self))
            .map(Cow::Owned)
            .chain(self.tasks.iter().map(Cow::Borrowed))
    }

    /// The tasks of one service, in the cluster's order.
    pub(super) fn service_tasks<'a>(&'a self, service: &'a str) -> impl Iterator<Item = Cow<'a, SimTask>> {
        self.generated
            .iter()
            .filter(move |g| g.service() == service)
            .flat_map(|g| g.tasks(self))
            .map(Cow::Owned)
            .chain(
                self.tasks
                    .iter()
                    .filter(move |t| t.task.service_name() == Some(service))
                    .map(Cow::Borrowed),
            )
    }

    /// Make the generated tasks held ones, the same tasks in the same order: done before
    /// anything changes the cluster's tasks.
    pub(super) fn materialize(&mut self) {
        if self.generated.is_empty() {
            return;
        }
        let held = std::mem::take(&mut self.tasks);
        let mut tasks = Vec::with_capacity(self.generated_count() + held.len());
        let generated = std::mem::take(&mut self.generated);
        tasks.extend(generated.iter().flat_map(|g| g.tasks(self)));
        tasks.extend(held);
        self.tasks = tasks;
    }
}

/// The world's ECS clusters. Reading them is free; taking one to change (`clusters[i]` as
/// a place, `iter_mut`) first makes its generated tasks held ones ([`SimCluster::materialize`]),
/// so that an action or a step finds, changes, adds and removes tasks as it always has.
/// A step takes every cluster to change, so a world that runs (the TUI) holds every task
/// after its first second; a snapshot, which reads without stepping, holds none.
#[derive(Default)]
pub(super) struct Clusters(Vec<SimCluster>);

impl Clusters {
    pub(super) fn push(&mut self, cluster: SimCluster) {
        self.0.push(cluster);
    }

    pub(super) fn clear(&mut self) {
        self.0.clear();
    }

    /// Every cluster to change, its tasks all held.
    pub(super) fn iter_mut(&mut self) -> std::slice::IterMut<'_, SimCluster> {
        for c in &mut self.0 {
            c.materialize();
        }
        self.0.iter_mut()
    }
}

impl Deref for Clusters {
    type Target = [SimCluster];

    fn deref(&self) -> &[SimCluster] {
        &self.0
    }
}

impl Index<usize> for Clusters {
    type Output = SimCluster;

    fn index(&self, i: usize) -> &SimCluster {
        &self.0[i]
    }
}

impl IndexMut<usize> for Clusters {
    fn index_mut(&mut self, i: usize) -> &mut SimCluster {
        let cluster = &mut self.0[i];
        cluster.materialize();
        cluster
    }
}

impl<'a> IntoIterator for &'a Clusters {
    type Item = &'a SimCluster;
    type IntoIter = std::slice::Iter<'a, SimCluster>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// One account of the simulated fleet.
#[derive(Debug, Clone)]
pub struct SimAccount {
    pub name: String,
    pub id: String,
    /// Its sign-in has expired: every read of it is refused, as AWS refuses an expired
    /// SSO session, until `aws sso login`.
    pub expired: bool,
}

pub struct World {
    pub(super) accounts: Vec<SimAccount>,
    pub(super) now: Timestamp,
    pub(super) rng: Rng,
    pub(super) clusters: Clusters,
    pub(super) eks: Vec<EksCluster>,
    /// The inside of each EKS cluster, in the order of `eks`.
    pub(super) kube: Vec<super::kube::SimKube>,
    pub(super) task_defs: BTreeMap<String, TaskDefinition>,
    /// RunTask client tokens already answered, with the tasks they started.
    pub(super) run_tokens: std::collections::HashMap<String, Vec<String>>,
    /// Time passes but nothing happens (the fleet at scale, see `scale`).
    pub(super) still: bool,
    pub(super) apprunner: Vec<super::apprunner::SimAppRunner>,
    /// Tasks protected from scale-in, by ARN: until when.
    pub(super) protection: BTreeMap<String, Timestamp>,
}

impl World {
    /// The demo fleet for `seed` in its default accounts, with twenty minutes of history
    /// behind `start`.
    pub fn new(seed: u64, start: Timestamp) -> Self {
        World::with_accounts(seed, start, DEMO_ACCOUNTS)
    }

    /// The demo fleet over `accounts` accounts (`--demo-accounts`).
    pub fn with_accounts(seed: u64, start: Timestamp, accounts: usize) -> Self {
        let t0 = start - SignedDuration::from_secs(WARM_UP_SECS);
        let (clusters, eks) = spec::demo_fleet(accounts);
        let count = accounts.max(1);
        let accounts: Vec<SimAccount> = (0..count)
            .map(|i| {
                let (name, id) = spec::demo_account(i);
                // In a fleet of four or more, the last account's session has expired:
                // the demo shows one account failing while the rest work.
                SimAccount {
                    name,
                    id,
                    expired: count >= 4 && i == count - 1,
                }
            })
            .collect();
        let mut world = World {
            accounts: accounts.clone(),
            now: t0,
            rng: Rng::new(seed),
            clusters: Clusters::default(),
            eks: eks
                .iter()
                .map(|e| EksCluster {
                    arn: format!("arn:aws:eks:{}:{}:cluster/{}", e.region, accounts[e.account].id, e.name),
                    account: accounts[e.account].name.clone(),
                    name: e.name.to_string(),
                    region: e.region.to_string(),
                    status: "ACTIVE".into(),
                    version: e.version.to_string(),
                    platform_version: Some(format!("eks.{}", 12)),
                    endpoint: Some(format!(
                        "https://{}.gr7.{}.eks.amazonaws.com",
                        e.name.to_uppercase().replace('-', ""),
                        e.region
                    )),
                    public_access: false,
                    private_access: true,
                    created_at: Some(t0 - SignedDuration::from_hours(24 * 200)),
                })
                .collect(),
            kube: Vec::new(),
            task_defs: BTreeMap::new(),
            run_tokens: Default::default(),
            still: false,
            apprunner: Vec::new(),
            protection: BTreeMap::new(),
        };
        // App Runner in the first account, beside its ECS and EKS.
        if let Some(first) = accounts.first() {
            world.apprunner = super::apprunner::demo(&first.name, &first.id, &["us-east-1", "eu-west-1"], t0);
        }
        world.kube = world
            .eks
            .iter()
            .enumerate()
            .map(|(i, c)| super::kube::SimKube::new(&c.arn, &c.name, &c.region, seed.wrapping_add(i as u64), t0))
            .collect();
        for spec in &clusters {
            let cluster = world.build_cluster(spec, start);
            world.clusters.push(cluster);
        }
        // The queue workers keep two tasks protected from scale-in while they drain a batch.
        let workers: Vec<String> = world
            .clusters
            .iter()
            .flat_map(|c| c.tasks.iter())
            .filter(|t| t.task.service_name() == Some("order-processor"))
            .take(2)
            .map(|t| t.task.arn.clone())
            .collect();
        for arn in workers {
            world.protection.insert(arn, start + SignedDuration::from_mins(90));
        }
        world.advance_to(start);
        // A deployment the circuit breaker is rolling back, as the demo opens.
        if let Some(cluster) = world.clusters.iter().find(|c| c.info.name == "prod-web") {
            let arn = cluster.info.arn.clone();
            world.seed_circuit_breaker_rollback(&arn, "recommendations");
        }
        world
    }

    /// The instances a Cloud Map service holds: the running tasks of the service that
    /// registers in it, healthy as their health checks say.
    pub fn cloud_map_instances(&self, registry: &str) -> Vec<crate::domain::deploy::CloudMapInstance> {
        let Some((cluster, service)) = self.clusters.iter().find_map(|c| {
            c.services
                .iter()
                .find(|s| s.svc.discovery.registries.iter().any(|r| r == registry))
                .map(|s| (c, s))
        }) else {
            return Vec::new();
        };
        let port = service.svc.load_balancers.first().map_or(0, |lb| lb.container_port);
        cluster
            .tasks
            .iter()
            .filter(|t| t.task.service_name() == Some(service.svc.name.as_str()) && t.task.last_status == "RUNNING")
            .map(|t| crate::domain::deploy::CloudMapInstance {
                id: t.task.id.clone(),
                address: format!("{}:{port}", t.task.private_ip.as_deref().unwrap_or("-")),
                health: match t.task.health.as_str() {
                    "HEALTHY" => "HEALTHY",
                    "UNHEALTHY" => "UNHEALTHY",
                    _ => "UNKNOWN",
                }
                .into(),
            })
            .collect()
    }

    /// The scale-in protection of `tasks`, as GetTaskProtection answers it.
    pub fn task_protection(&self, tasks: &[String]) -> Vec<crate::domain::deploy::Protection> {
        tasks
            .iter()
            .map(|task| {
                let until = self.protection.get(task).copied().filter(|at| *at > self.now);
                crate::domain::deploy::Protection {
                    task: task.clone(),
                    enabled: until.is_some(),
                    expires: until,
                }
            })
            .collect()
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Run the world forward, one second a step, until `t`.
    pub fn advance_to(&mut self, t: Timestamp) {
        let behind = t.duration_since(self.now).as_secs();
        if behind <= 0 {
            return;
        }
        if self.still {
            self.now = t;
            return;
        }
        if behind > MAX_CATCH_UP_STEPS {
            self.now = t - SignedDuration::from_secs(MAX_CATCH_UP_STEPS);
        }
        while self.now < t {
            self.step();
        }
    }

    pub fn regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = self.clusters.iter().map(|c| c.info.region.clone()).collect();
        regions.extend(self.eks.iter().map(|c| c.region.clone()));
        regions.sort();
        regions.dedup();
        regions
    }
}

impl World {
    // ---- reads ------------------------------------------------------------------------

    /// The accounts of the fleet, by name and id.
    pub fn accounts(&self) -> &[SimAccount] {
        &self.accounts
    }

    /// The id of an account, by name (the first account's for a name it does not know).
    pub(super) fn account_id(&self, name: &str) -> &str {
        self.accounts
            .iter()
            .find(|a| a.name == name)
            .map_or(ACCOUNT, |a| a.id.as_str())
    }

    /// Whether an ARN is of a resource in `account` (by name) and `region`.
    pub(super) fn is_in(&self, arn: &str, account: &str, region: &str) -> bool {
        crate::util::arn_region(arn) == Some(region)
            && crate::domain::account::arn_account(arn) == Some(self.account_id(account))
    }

    pub fn ecs_clusters(&self, account: &str, region: &str) -> Vec<Cluster> {
        self.clusters
            .iter()
            .filter(|c| c.info.region == region && c.info.account == account)
            .map(SimCluster::summary)
            .collect()
    }

    /// One cluster as DescribeClusters gives it.
    pub fn ecs_cluster(&self, arn: &str) -> Option<Cluster> {
        self.cluster(arn).map(SimCluster::summary)
    }

    /// A task of `cluster` by ID or ARN, running or stopped; `None` when there is no such
    /// cluster.
    pub fn find_task(&self, cluster: &str, task: &str) -> Option<Option<Task>> {
        let running = self.tasks(cluster, false)?;
        let stopped = self.tasks(cluster, true).unwrap_or_default();
        Some(
            running
                .into_iter()
                .chain(stopped)
                .find(|t| t.id == task || t.arn == task),
        )
    }

    /// The inside of an EKS cluster, by ARN or name.
    pub fn kube(&self, cluster: &str) -> Result<&super::kube::SimKube, crate::domain::FetchError> {
        self.kube
            .iter()
            .find(|k| k.arn() == cluster || crate::util::arn_tail(k.arn()) == cluster)
            .ok_or_else(|| {
                crate::domain::FetchError::new(
                    crate::domain::ErrorKind::NotFound,
                    format!(
                        "ResourceNotFoundException: No cluster found for name: {}.",
                        crate::util::arn_tail(cluster)
                    ),
                )
            })
    }

    /// Make the pods a fleet at scale left for the first read of `cluster`'s API.
    pub fn make_pods(&mut self, cluster: &str) {
        let _ = self.kube_mut(cluster);
    }

    /// The inside of an EKS cluster to change, its pods all made.
    pub fn kube_mut(&mut self, cluster: &str) -> Result<&mut super::kube::SimKube, String> {
        let kube = self
            .kube
            .iter_mut()
            .find(|k| k.arn() == cluster || crate::util::arn_tail(k.arn()) == cluster)
            .ok_or_else(|| {
                format!(
                    "ResourceNotFoundException: No cluster found for name: {}.",
                    crate::util::arn_tail(cluster)
                )
            })?;
        kube.make_pending();
        Ok(kube)
    }

    pub fn eks_clusters(&self, account: &str, region: &str) -> Vec<EksCluster> {
        self.eks
            .iter()
            .filter(|c| c.region == region && c.account == account)
            .cloned()
            .collect()
    }

    pub(super) fn cluster(&self, arn: &str) -> Option<&SimCluster> {
        self.clusters.iter().find(|c| c.info.arn == arn || c.info.name == arn)
    }

    pub fn services(&self, cluster: &str) -> Option<Vec<Service>> {
        Some(self.cluster(cluster)?.services.iter().map(|s| s.svc.clone()).collect())
    }

    /// A service's deployments and revisions, as ECS records them.
    pub fn service_history(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<crate::domain::deploy::DeploymentHistory, crate::domain::FetchError> {
        self.cluster(cluster)
            .and_then(|c| {
                c.services
                    .iter()
                    .find(|s| s.svc.arn == service || s.svc.name == service)
            })
            .map(|s| s.history.clone())
            .ok_or_else(|| {
                crate::domain::FetchError::new(
                    crate::domain::ErrorKind::NotFound,
                    format!("ServiceNotFoundException: no service {service}"),
                )
            })
    }

    pub fn tasks(&self, cluster: &str, stopped: bool) -> Option<Vec<Task>> {
        let c = self.cluster(cluster)?;
        let want = if stopped { "STOPPED" } else { "RUNNING" };
        let held = c.tasks.iter().filter(|t| t.task.desired_status == want);
        if stopped {
            // Generated tasks are all running: only held ones can be stopped.
            return Some(held.map(|t| exec_view(t.task.clone())).collect());
        }
        let mut out = Vec::with_capacity(c.generated_count() + c.tasks.len());
        out.extend(c.generated.iter().flat_map(|g| g.tasks(c)).map(|t| t.task));
        out.extend(held.map(|t| t.task.clone()));
        Some(out.into_iter().map(exec_view).collect())
    }

    pub fn container_instances(&self, cluster: &str) -> Option<Vec<ContainerInstance>> {
        Some(self.cluster(cluster)?.instances.clone())
    }

    /// ACTIVE revisions of a family, newest first.
    pub fn revisions(&self, account: &str, region: &str, family: &str) -> Vec<String> {
        let mut list: Vec<&TaskDefinition> = self
            .task_defs
            .values()
            .filter(|t| t.family == family && t.status == "ACTIVE" && self.is_in(&t.arn, account, region))
            .collect();
        list.sort_by_key(|t| std::cmp::Reverse(t.revision));
        list.into_iter().map(|t| t.arn.clone()).collect()
    }

    pub fn task_definition_of(&self, arn: &str) -> Option<TaskDefinition> {
        self.task_defs
            .get(arn)
            .or_else(|| {
                // `family:revision` works as well as an ARN, as it does in ECS.
                self.task_defs
                    .values()
                    .find(|td| format!("{}:{}", td.family, td.revision) == arn)
            })
            .cloned()
    }
}

/// The task has started: its containers run and its instance counts it as running.
pub(super) fn mark_running(instances: &mut [ContainerInstance], t: &mut SimTask, at: Timestamp) {
    t.task.last_status = "RUNNING".into();
    t.task.started_at = Some(at);
    for c in &mut t.task.containers {
        c.last_status = "RUNNING".into();
    }
    if let Some(inst) = instance_of(instances, &t.task) {
        inst.pending_tasks = inst.pending_tasks.saturating_sub(1);
        inst.running_tasks += 1;
    }
}

pub(super) fn mark_healthy(t: &mut SimTask) {
    t.task.health = "HEALTHY".into();
    for c in &mut t.task.containers {
        c.health = "HEALTHY".into();
    }
}

pub(super) fn instance_of<'a>(
    instances: &'a mut [ContainerInstance],
    task: &Task,
) -> Option<&'a mut ContainerInstance> {
    let arn = task.container_instance_arn.as_deref()?;
    instances.iter_mut().find(|i| i.arn == arn)
}

/// The digest an image tag points at: stable, so the registry and the tasks agree.
pub(super) fn image_digest(image: &str) -> String {
    let mut out = String::from("sha256:");
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for round in 0..4u64 {
        for b in image.bytes().chain(round.to_le_bytes()) {
            h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

/// A stable subnet id for an availability zone.
pub(super) fn subnet_of(az: &str) -> String {
    let hash = az.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    format!("subnet-0{:016x}", hash)[..24].to_string()
}

/// A task as ECS reports what ECS Exec needs of it: each container's runtime id (Fargate's
/// `<task id>-<10 digits>`, a 64 hex digit Docker id on EC2) and, for a task started with
/// ECS Exec, its agent's status, which follows the container's.
fn exec_view(mut task: Task) -> Task {
    let fargate = task.container_instance_arn.is_none();
    for c in &mut task.containers {
        // FNV-1a of the task and container: the same id at every read, no random draw.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in task.id.bytes().chain(c.name.bytes()) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        c.runtime_id = Some(if fargate {
            format!("{}-{:010}", task.id.replace('-', ""), hash % 10_000_000_000)
        } else {
            format!("{hash:016x}").repeat(4)
        });
        c.exec_agent = task.exec_enabled.then(|| {
            match c.last_status.as_str() {
                "RUNNING" => "RUNNING",
                "STOPPED" => "STOPPED",
                _ => "PENDING",
            }
            .to_string()
        });
    }
    task
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RolloutState;

    pub(crate) fn start() -> Timestamp {
        "2026-11-02T09:30:00Z".parse().unwrap()
    }

    #[test]
    fn a_seed_makes_the_same_world() {
        let a = World::new(7, start());
        let b = World::new(7, start());
        let c = World::new(8, start());
        let arns =
            |w: &World| -> Vec<String> { w.tasks("prod-web", false).unwrap().into_iter().map(|t| t.arn).collect() };
        assert_eq!(arns(&a), arns(&b));
        assert_ne!(arns(&a), arns(&c));
    }

    #[test]
    fn the_demo_fleet_has_the_promised_shape() {
        let w = World::new(1, start());
        let regions = w.regions();
        assert!(regions.len() >= 2);
        let places: Vec<(&str, &String)> = w
            .accounts
            .iter()
            .flat_map(|a| regions.iter().map(move |r| (a.name.as_str(), r)))
            .collect();
        let ecs: Vec<Cluster> = places.iter().flat_map(|(a, r)| w.ecs_clusters(a, r)).collect();
        assert!(ecs.len() >= 3);
        assert!(
            ecs.iter().any(|c| c.account != w.accounts[0].name),
            "clusters in more than one account"
        );
        let eks: Vec<EksCluster> = places.iter().flat_map(|(a, r)| w.eks_clusters(a, r)).collect();
        assert!(eks.len() >= 2);
        let services: Vec<Service> = ecs.iter().flat_map(|c| w.services(&c.arn).unwrap()).collect();
        assert!(services.len() >= 20);
        assert!(services.iter().any(|s| s.desired == 0 && s.running == 0));
        assert!(ecs.iter().any(|c| c.container_instances > 0));
        let launch: Vec<LaunchType> = services.iter().map(|s| s.launch_type).collect();
        assert!(launch.contains(&LaunchType::Ec2) && launch.contains(&LaunchType::Fargate));
    }

    #[test]
    fn the_rolling_service_progresses_and_completes() {
        let mut w = World::new(1, start());
        let checkout = |w: &World| {
            w.services("prod-web")
                .unwrap()
                .into_iter()
                .find(|s| s.name == "checkout")
                .unwrap()
        };
        let s = checkout(&w);
        assert_eq!(s.deployments.len(), 2, "a rollout is under way at start");
        assert_eq!(s.rollout(), RolloutState::InProgress);
        let before = s.primary().unwrap().running;
        w.advance_to(start() + SignedDuration::from_secs(90));
        let mid = checkout(&w);
        assert!(
            mid.primary().unwrap().running > before,
            "new tasks come up: {before} -> {mid:?}"
        );
        assert!(
            mid.running <= mid.desired * mid.max_percent / 100,
            "within maximum percent"
        );
        w.advance_to(start() + SignedDuration::from_mins(3));
        let done = checkout(&w);
        assert_eq!(done.deployments.len(), 1);
        assert_eq!(done.rollout(), RolloutState::Completed);
        assert_eq!(done.running, done.desired);
        assert!(done.events[0].message.contains("steady state") || done.events[0].message.contains("completed"));
    }

    #[test]
    fn the_failing_service_stops_tasks_with_reasons_and_replaces_them() {
        let w = World::new(1, start());
        let stopped = w.tasks("prod-web", true).unwrap();
        let payments: Vec<&Task> = stopped.iter().filter(|t| t.group == "service:payments").collect();
        assert!(payments.len() >= 3, "twenty minutes of crashes leave stopped tasks");
        for t in &payments {
            assert!(t.stopped_reason.is_some());
            assert!(t.stop_code.is_some());
        }
        assert!(payments.iter().any(|t| t.exit_code() == Some(137)));
        let running = w.tasks("prod-web", false).unwrap();
        assert!(
            running.iter().any(|t| t.group == "service:payments"),
            "replacements started"
        );
    }

    #[test]
    fn ec2_tasks_are_placed_on_instances_and_use_their_resources() {
        let w = World::new(1, start());
        let instances = w.container_instances("prod-workers").unwrap();
        let tasks = w.tasks("prod-workers", false).unwrap();
        assert!(tasks.iter().all(|t| t.container_instance_arn.is_some()));
        let used: i32 = instances.iter().map(|i| i.registered_memory - i.remaining_memory).sum();
        assert_eq!(used, tasks.len() as i32 * 512);
        let running: u32 = instances.iter().map(|i| i.running_tasks + i.pending_tasks).sum();
        assert_eq!(running as usize, tasks.len());
    }

    #[test]
    fn stopped_tasks_age_out_after_an_hour() {
        let mut w = World::new(1, start());
        w.advance_to(start() + SignedDuration::from_mins(90));
        let now = w.now();
        for t in w.tasks("prod-web", true).unwrap() {
            if let Some(at) = t.stopped_at {
                assert!(now.duration_since(at).as_secs() <= STOPPED_RETENTION_SECS);
            }
        }
    }
}
