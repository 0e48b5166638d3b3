//! The simulated fleet (`bosun --demo`): an in-process world with ECS and EKS clusters,
//! services that roll, tasks that crash and are replaced. It answers the same [`Fetch`]es
//! as AWS does, so everything above the [`Backend`] trait runs unchanged on it.

pub mod actions;
mod apprunner;
mod build;
mod history;
mod insight;
pub mod kube;
mod raw;
pub mod scale;
mod spec;
mod step;
mod taskdefs;
mod world;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};

pub use world::{ACCOUNT, DEMO_ACCOUNTS, World};

use super::Backend;
use crate::domain::account::Account;
use crate::domain::fetch::{Fetch, Payload};
use crate::domain::kube::{KubeChanges, KubeKind, KubeList};
use crate::domain::{ErrorKind, FetchError, Identity};

/// The seed of the demo fleet when `--seed` is not given.
pub const DEFAULT_SEED: u64 = 7;

/// How simulated time relates to the wall clock.
#[derive(Debug, Clone, Copy)]
enum Clock {
    /// Simulated time moves with the wall clock from `start`.
    Live { start: Timestamp, since: Instant },
    /// Time stands still (tests, snapshots).
    Fixed(Timestamp),
}

pub struct SimBackend {
    world: Mutex<World>,
    clock: Clock,
    /// Where each followed log stream is up to, as CloudWatch Logs' forward token would be.
    log_cursors: Mutex<HashMap<(String, String), Timestamp>>,
    /// What each cluster's kinds were when last read, and at which revision: a read gives
    /// what changed since, as a watch does.
    kube_seen: Mutex<HashMap<(String, KubeKind), (u64, KubeList)>>,
}

impl SimBackend {
    /// A live demo fleet: starts now, and time moves.
    pub fn live(seed: u64) -> Self {
        SimBackend::live_with_accounts(seed, DEMO_ACCOUNTS)
    }

    /// A live demo fleet over `accounts` accounts (`--demo-accounts`).
    pub fn live_with_accounts(seed: u64, accounts: usize) -> Self {
        let start = Timestamp::now();
        SimBackend {
            world: Mutex::new(World::with_accounts(seed, start, accounts)),
            clock: Clock::Live {
                start,
                since: Instant::now(),
            },
            log_cursors: Mutex::default(),
            kube_seen: Mutex::default(),
        }
    }

    /// A live fleet at scale (`--demo-scale`): see [`scale`].
    pub fn scaled(seed: u64, scale: scale::Scale) -> Self {
        let start = Timestamp::now();
        SimBackend {
            world: Mutex::new(World::scaled(seed, start, scale)),
            clock: Clock::Live {
                start,
                since: Instant::now(),
            },
            log_cursors: Mutex::default(),
            kube_seen: Mutex::default(),
        }
    }

    /// A frozen demo fleet at `at`: the same answers every time.
    pub fn fixed(seed: u64, at: Timestamp) -> Self {
        SimBackend::fixed_with_accounts(seed, at, DEMO_ACCOUNTS)
    }

    /// [`SimBackend::fixed`] over `accounts` accounts.
    pub fn fixed_with_accounts(seed: u64, at: Timestamp, accounts: usize) -> Self {
        SimBackend {
            world: Mutex::new(World::with_accounts(seed, at, accounts)),
            clock: Clock::Fixed(at),
            log_cursors: Mutex::default(),
            kube_seen: Mutex::default(),
        }
    }

    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        // A panic while holding the lock leaves a world that is still consistent enough
        // to read: every step finishes its writes before the next one starts.
        let mut world = self.world.lock().unwrap_or_else(|e| e.into_inner());
        world.advance_to(self.now());
        world
    }

    /// Run a closure on the world, as of now.
    pub fn with_world<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        f(&mut self.world())
    }
}

fn cluster_not_found(cluster: &str) -> FetchError {
    FetchError::new(
        ErrorKind::NotFound,
        format!(
            "ClusterNotFoundException: cluster {} not found",
            crate::util::arn_tail(cluster)
        ),
    )
}

#[async_trait]
impl Backend for SimBackend {
    fn accounts(&self) -> Vec<Account> {
        let world = self.world();
        let regions = world.regions();
        world
            .accounts()
            .iter()
            .map(|a| Account {
                name: a.name.clone(),
                id: (!a.expired).then(|| a.id.clone()),
                via: format!("the simulated fleet ({})", a.name),
                profile: None,
                role: None,
                regions: regions.clone(),
            })
            .collect()
    }

    fn now(&self) -> Timestamp {
        match self.clock {
            Clock::Live { start, since } => start + SignedDuration::try_from(since.elapsed()).unwrap_or_default(),
            Clock::Fixed(at) => at,
        }
    }

    async fn fetch(&self, fetch: &Fetch) -> Result<Payload, FetchError> {
        let mut world = self.world();
        if let Fetch::Identity { account } | Fetch::EcsClusters { account, .. } | Fetch::EksClusters { account, .. } =
            fetch
            && world.accounts().iter().any(|a| &a.name == account && a.expired)
        {
            return Err(FetchError::new(
                ErrorKind::Auth,
                format!(
                    "{} failed: ExpiredToken: The security token included in the request is expired — run \
                     `aws sso login --profile {account}`, or check the credentials of profile `{account}`",
                    fetch.describe()
                ),
            ));
        }
        match fetch {
            Fetch::Identity { account } => {
                let id = world.account_id(account).to_string();
                Ok(Payload::Identity(Identity {
                    arn: format!("arn:aws:sts::{id}:assumed-role/OnCallEngineer/demo"),
                    account: id,
                }))
            }
            Fetch::EcsClusters { account, region } => Ok(Payload::EcsClusters(world.ecs_clusters(account, region))),
            Fetch::EksClusters { account, region } => Ok(Payload::EksClusters(world.eks_clusters(account, region))),
            Fetch::AppRunnerServices { account, region } => {
                Ok(Payload::AppRunnerServices(world.apprunner_services(account, region)))
            }
            Fetch::AppRunnerService { service } => world
                .apprunner_service(service)
                .map(|s| Payload::AppRunnerService(Box::new(s)))
                .map_err(|m| FetchError::new(ErrorKind::NotFound, m)),
            Fetch::Services { cluster } => world
                .services(cluster)
                .map(Payload::Services)
                .ok_or_else(|| cluster_not_found(cluster)),
            Fetch::Tasks { cluster, stopped } => world
                .tasks(cluster, *stopped)
                .map(Payload::Tasks)
                .ok_or_else(|| cluster_not_found(cluster)),
            Fetch::Task { cluster, task } => world
                .find_task(cluster, task)
                .ok_or_else(|| cluster_not_found(cluster))?
                .map(|t| Payload::Tasks(vec![t]))
                .ok_or_else(|| {
                    FetchError::new(
                        ErrorKind::NotFound,
                        format!(
                            "no task `{task}` in {} (ECS DescribeTasks: MISSING; it takes a whole task ID or ARN)",
                            crate::util::arn_tail(cluster)
                        ),
                    )
                }),
            Fetch::ContainerInstances { cluster } => world
                .container_instances(cluster)
                .map(Payload::ContainerInstances)
                .ok_or_else(|| cluster_not_found(cluster)),
            Fetch::Revisions {
                account,
                region,
                family,
            } => Ok(Payload::Revisions(world.revisions(account, region, family))),
            Fetch::Metrics { window, series } => Ok(Payload::Metrics(world.metrics(*window, series))),
            Fetch::Alarms { account, region } => Ok(Payload::Alarms(world.alarms(account, region))),
            Fetch::CloudMap { service } => Ok(Payload::CloudMap(world.cloud_map_instances(service))),
            Fetch::TaskProtection { tasks, .. } => Ok(Payload::TaskProtection(world.task_protection(tasks))),
            Fetch::ServiceDeployments { cluster, service } => world
                .service_history(cluster, service)
                .map(|h| Payload::ServiceDeployments(Box::new(h))),
            Fetch::AlarmHistory { account, region } => Ok(Payload::AlarmHistory(world.alarm_history(account, region))),
            Fetch::Scaling { account, region } => Ok(Payload::Scaling(Box::new(world.scaling(account, region)))),
            Fetch::CapacityProviders { account, region, .. } => {
                Ok(Payload::CapacityProviders(world.capacity_providers(account, region)))
            }
            Fetch::Targets { target_group } => world
                .targets(target_group)
                .map(|t| Payload::Targets(Box::new(t)))
                .ok_or_else(|| {
                    FetchError::new(
                        ErrorKind::NotFound,
                        format!("TargetGroupNotFound: One or more target groups not found: {target_group}"),
                    )
                }),
            Fetch::Logs { group, stream, .. } => {
                let key = fetch.log_key().unwrap_or_default();
                let mut cursors = self.log_cursors.lock().unwrap_or_else(|e| e.into_inner());
                let after = cursors.get(&key).copied();
                let lines = world.log_lines(group, stream, after, 200);
                cursors.insert(key, world.now());
                Ok(Payload::Logs {
                    lines,
                    reset: after.is_none(),
                })
            }
            Fetch::Images {
                account,
                region,
                repository,
                ..
            } => Ok(Payload::Images(world.images(account, region, repository))),
            Fetch::Repositories { account, region } => Ok(Payload::Repositories(world.repositories(account, region))),
            Fetch::Schedules { account, region } => Ok(Payload::Schedules(world.schedules(account, region))),
            Fetch::NodeGroups { cluster } => Ok(Payload::NodeGroups(world.kube(cluster)?.nodegroups.clone())),
            Fetch::FargateProfiles { cluster } => Ok(Payload::FargateProfiles(world.kube(cluster)?.fargate())),
            Fetch::Addons { cluster } => Ok(Payload::Addons(world.kube(cluster)?.addons())),
            Fetch::Kube { cluster, kind } => {
                world.make_pods(cluster);
                let kube = world.kube(cluster)?;
                let mut seen = self.kube_seen.lock().unwrap_or_else(|e| e.into_inner());
                let key = (cluster.clone(), *kind);
                let changes = match seen.get(&key) {
                    Some((revision, _)) if *revision == kube.revision() => KubeChanges::none(*kind),
                    Some((_, before)) => {
                        let now = kube.list(*kind);
                        let changes = now.changes_since(before);
                        seen.insert(key, (kube.revision(), now));
                        changes
                    }
                    None => {
                        let now = kube.list(*kind);
                        seen.insert(key, (kube.revision(), now.clone()));
                        KubeChanges::all(now)
                    }
                };
                Ok(Payload::Kube(changes))
            }
            Fetch::KubeKinds { cluster } => Ok(Payload::KubeKinds(world.kube(cluster)?.kinds())),
            Fetch::Trouble { cluster } => Ok(Payload::Trouble(world.kube(cluster)?.trouble(cluster, world.now))),
            Fetch::KubeTable {
                cluster,
                kind,
                namespace,
            } => world
                .kube(cluster)?
                .table(kind, namespace.as_deref(), world.now)
                .map(|t| Payload::KubeTable(Box::new(t)))
                .map_err(|m| FetchError::new(ErrorKind::NotFound, m)),
            Fetch::KubeObject {
                cluster,
                kind,
                namespace,
                name,
            } => world
                .kube(cluster)?
                .object(kind, namespace.as_deref(), name, world.now)
                .map(|o| Payload::KubeObject(Box::new(o)))
                .map_err(|m| FetchError::new(ErrorKind::NotFound, m)),
            Fetch::PodLogs {
                cluster,
                namespace,
                pod,
                container,
                previous,
            } => {
                let all = world
                    .kube(cluster)?
                    .log(namespace, pod, container, *previous, world.now())
                    .map_err(|m| FetchError::new(ErrorKind::Service, m))?;
                let key = fetch.log_key().unwrap_or_default();
                let mut cursors = self.log_cursors.lock().unwrap_or_else(|e| e.into_inner());
                let after = cursors.get(&key).copied();
                let lines = all
                    .into_iter()
                    .filter(|(at, _)| after.is_none_or(|a| *at > a))
                    .map(|(at, message)| crate::domain::insight::LogLine { at, message })
                    .collect::<Vec<_>>();
                if let Some(last) = lines.last() {
                    cursors.insert(key, last.at);
                }
                Ok(Payload::Logs {
                    lines,
                    reset: after.is_none(),
                })
            }
            Fetch::Raw { target } => raw::raw(&world, target)
                .map(|d| Payload::Raw(Box::new(d)))
                .map_err(|m| FetchError::new(ErrorKind::NotFound, m)),
            Fetch::TaskDefinition { arn } => world
                .task_definition_of(arn)
                .map(|td| Payload::TaskDefinition(Box::new(td)))
                .ok_or_else(|| {
                    FetchError::new(
                        ErrorKind::NotFound,
                        format!("ClientException: Unable to describe task definition {arn}"),
                    )
                }),
        }
    }
}
