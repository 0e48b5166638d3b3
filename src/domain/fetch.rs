//! Reads: a [`Fetch`] names one read of one resource set, a [`Payload`] is what it returns,
//! and a [`DataEvent`] carries the result, owned, from a source to the app loop.

use std::collections::BTreeSet;

use jiff::Timestamp;

use super::apprunner::AppRunnerService;
use super::insight::{CapacityProvider, Image, LogLine, Repository, Scaling, ScheduledTask, TargetGroupHealth};
use super::kinds::{KindInfo, KubeObject, KubeTable};
use super::kube::{Addon, FargateProfile, KubeChanges, KubeKind, NodeGroup};
use super::metrics::{Alarm, AlarmChange, MetricSeries, SeriesKey, Window};
use super::{Cluster, ContainerInstance, EksCluster, FetchError, Identity, Service, Task, TaskDefinition};

/// One read of one resource set. Also the key the scheduler dedupes and schedules by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fetch {
    /// Who bosun talks to an account as (STS GetCallerIdentity).
    Identity {
        account: String,
    },
    EcsClusters {
        account: String,
        region: String,
    },
    EksClusters {
        account: String,
        region: String,
    },
    Services {
        cluster: String,
    },
    /// Tasks whose desired status is RUNNING, or STOPPED.
    Tasks {
        cluster: String,
        stopped: bool,
    },
    ContainerInstances {
        cluster: String,
    },
    /// The instances of a Cloud Map service (by ARN) and their health.
    CloudMap {
        service: String,
    },
    /// The scale-in protection of tasks of a cluster (ARNs, sorted).
    TaskProtection {
        cluster: String,
        tasks: Vec<String>,
    },
    /// A service's deployments as ECS records them, and the revisions they refer to.
    ServiceDeployments {
        cluster: String,
        service: String,
    },
    /// One task by its ID or ARN, described wherever it is (loaded or not): an ID pasted
    /// from an alert.
    Task {
        cluster: String,
        task: String,
    },
    TaskDefinition {
        arn: String,
    },
    /// A resource as its API returns it (`:json`, `:yaml`).
    Raw {
        target: super::raw::RawTarget,
    },
    /// The ACTIVE revisions of a task definition family, newest first.
    Revisions {
        account: String,
        region: String,
        family: String,
    },
    /// CloudWatch series over a window: what is on screen, batched into as few
    /// GetMetricData calls as the API allows (500 queries each).
    Metrics {
        window: Window,
        series: Vec<SeriesKey>,
    },
    /// CloudWatch alarms of a region.
    Alarms {
        account: String,
        region: String,
    },
    /// The alarm state changes of a region (CloudWatch DescribeAlarmHistory, StateUpdate),
    /// newest first: one page of at most [`ALARM_HISTORY_ITEMS`] over the last
    /// [`ALARM_HISTORY_HOURS`].
    AlarmHistory {
        account: String,
        region: String,
    },
    /// Application Auto Scaling of the ECS services of a region: targets, policies,
    /// scheduled actions, recent activities.
    Scaling {
        account: String,
        region: String,
    },
    /// ECS capacity providers (by name) of a region, with their Auto Scaling groups.
    CapacityProviders {
        account: String,
        region: String,
        names: Vec<String>,
    },
    /// A target group and the health of its targets.
    Targets {
        target_group: String,
    },
    /// New lines of a CloudWatch Logs stream since the last fetch.
    Logs {
        account: String,
        region: String,
        group: String,
        stream: String,
    },
    /// ECR images of a repository, by tag, with their scan findings.
    Images {
        account: String,
        region: String,
        repository: String,
        tags: Vec<String>,
    },
    /// ECR repositories of a region.
    Repositories {
        account: String,
        region: String,
    },
    /// EventBridge rules that start ECS tasks, in a region.
    Schedules {
        account: String,
        region: String,
    },
    /// Managed node groups of an EKS cluster (by ARN).
    NodeGroups {
        cluster: String,
    },
    FargateProfiles {
        cluster: String,
    },
    Addons {
        cluster: String,
    },
    /// Kubernetes resources of an EKS cluster, as its watch keeps them: reading this costs
    /// no API call once the watch runs.
    Kube {
        cluster: String,
        kind: KubeKind,
    },
    /// Every kind an EKS cluster's API serves (its discovery).
    KubeKinds {
        cluster: String,
    },
    /// The objects of any kind (by a name `kubectl get` takes), as the API server prints
    /// them; in a namespace, or all.
    KubeTable {
        cluster: String,
        kind: String,
        namespace: Option<String>,
    },
    /// One object of any kind, whole.
    KubeObject {
        cluster: String,
        kind: String,
        namespace: Option<String>,
        name: String,
    },
    /// The pods in trouble in an EKS cluster (see [`Pod::trouble`](super::kube::Pod::trouble)).
    Trouble {
        cluster: String,
    },
    /// The App Runner services of a region, each with its latest operations.
    AppRunnerServices {
        account: String,
        region: String,
    },
    /// One App Runner service (by ARN) with its recent operations.
    AppRunnerService {
        service: String,
    },
    /// New lines of one container's log (or all of its previous run's), since the last fetch.
    PodLogs {
        cluster: String,
        namespace: String,
        pod: String,
        container: String,
        previous: bool,
    },
}

/// The most alarm state changes one alarm history read brings, per region.
pub const ALARM_HISTORY_ITEMS: i32 = 100;
/// How far back an alarm history read looks.
pub const ALARM_HISTORY_HOURS: i64 = 24;
/// How often the alarm history is read while a timeline shows it.
pub const ALARM_HISTORY_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

impl Fetch {
    /// The reads of `keys` over `window`: one per account and region (a GetMetricData call
    /// holds series of one place), of at most `per_call` series each.
    pub fn metrics(window: Window, mut keys: Vec<SeriesKey>, per_call: usize) -> Vec<Fetch> {
        keys.sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
        keys.chunk_by(|a, b| (&a.account, &a.region) == (&b.account, &b.region))
            .flat_map(|place| place.chunks(per_call.max(1)))
            .map(|chunk| Fetch::Metrics {
                window,
                series: chunk.to_vec(),
            })
            .collect()
    }

    /// The App Runner services of an account's region, where App Runner is offered.
    pub fn apprunner_services(account: &str, region: &str) -> Option<Self> {
        super::apprunner::serves(region).then(|| Fetch::AppRunnerServices {
            account: account.to_string(),
            region: region.to_string(),
        })
    }

    pub fn services(cluster: &str) -> Self {
        Fetch::Services {
            cluster: cluster.to_string(),
        }
    }

    /// The running tasks of a cluster (desired status RUNNING).
    pub fn running(cluster: &str) -> Self {
        Fetch::Tasks {
            cluster: cluster.to_string(),
            stopped: false,
        }
    }

    /// The stopped tasks of a cluster, as ECS keeps them for about an hour.
    pub fn stopped(cluster: &str) -> Self {
        Fetch::Tasks {
            cluster: cluster.to_string(),
            stopped: true,
        }
    }

    pub fn instances(cluster: &str) -> Self {
        Fetch::ContainerInstances {
            cluster: cluster.to_string(),
        }
    }

    /// Kubernetes resources of an EKS cluster, as its watch keeps them.
    pub fn kube(cluster: &str, kind: KubeKind) -> Self {
        Fetch::Kube {
            cluster: cluster.to_string(),
            kind,
        }
    }

    /// The cluster (by ARN) a fetch is about, where it is about one.
    pub fn cluster(&self) -> Option<&str> {
        match self {
            Fetch::Services { cluster }
            | Fetch::Tasks { cluster, .. }
            | Fetch::Task { cluster, .. }
            | Fetch::ServiceDeployments { cluster, .. }
            | Fetch::TaskProtection { cluster, .. }
            | Fetch::ContainerInstances { cluster }
            | Fetch::NodeGroups { cluster }
            | Fetch::FargateProfiles { cluster }
            | Fetch::Addons { cluster }
            | Fetch::Kube { cluster, .. }
            | Fetch::KubeKinds { cluster }
            | Fetch::KubeTable { cluster, .. }
            | Fetch::KubeObject { cluster, .. }
            | Fetch::Trouble { cluster }
            | Fetch::PodLogs { cluster, .. } => Some(cluster),
            _ => None,
        }
    }

    /// The interval this fetch is never read more often than, on screen or not: the reads
    /// that are costly (a whole list of a cluster's pods) or change slowly (a page of
    /// alarm history).
    pub fn least_interval(&self) -> Option<std::time::Duration> {
        match self {
            Fetch::Trouble { .. } => Some(super::kube::TROUBLE_INTERVAL),
            Fetch::AlarmHistory { .. } => Some(ALARM_HISTORY_INTERVAL),
            _ => None,
        }
    }

    /// Whether the fleet roll-ups read this fetch's data.
    pub fn feeds_fleet(&self) -> bool {
        matches!(
            self,
            Fetch::EcsClusters { .. }
                | Fetch::EksClusters { .. }
                | Fetch::AppRunnerServices { .. }
                | Fetch::AppRunnerService { .. }
                | Fetch::Services { .. }
                | Fetch::Tasks { stopped: true, .. }
                | Fetch::Alarms { .. }
                | Fetch::NodeGroups { .. }
                | Fetch::Addons { .. }
                | Fetch::Kube {
                    kind: KubeKind::Pods | KubeKind::Workloads,
                    ..
                }
        )
    }

    /// Whether this fetch feeds the insight views (metrics, autoscaling, targets, logs, images).
    pub fn is_insight(&self) -> bool {
        matches!(
            self,
            Fetch::Metrics { .. }
                | Fetch::Alarms { .. }
                | Fetch::AlarmHistory { .. }
                | Fetch::ServiceDeployments { .. }
                | Fetch::TaskProtection { .. }
                | Fetch::CloudMap { .. }
                | Fetch::Scaling { .. }
                | Fetch::CapacityProviders { .. }
                | Fetch::Targets { .. }
                | Fetch::Logs { .. }
                | Fetch::Images { .. }
                | Fetch::Repositories { .. }
                | Fetch::Schedules { .. }
                | Fetch::PodLogs { .. }
        )
    }

    /// Whether this fetch reads an EKS cluster's node groups, add-ons or Kubernetes resources.
    pub fn is_kube(&self) -> bool {
        matches!(
            self,
            Fetch::NodeGroups { .. }
                | Fetch::FargateProfiles { .. }
                | Fetch::Addons { .. }
                | Fetch::Kube { .. }
                | Fetch::KubeKinds { .. }
                | Fetch::KubeTable { .. }
                | Fetch::KubeObject { .. }
                | Fetch::Trouble { .. }
        )
    }

    /// The log buffer a log fetch fills: (group, stream) for CloudWatch Logs, and a
    /// `k8s:` key for a pod's container.
    pub fn log_key(&self) -> Option<(String, String)> {
        match self {
            Fetch::Logs {
                account, group, stream, ..
            } => Some(log_key(account, group, stream)),
            Fetch::PodLogs {
                cluster,
                namespace,
                pod,
                container,
                previous,
            } => Some(pod_log_key(cluster, namespace, pod, container, *previous)),
            _ => None,
        }
    }

    /// Whether the data behind this fetch can change; a task definition revision cannot.
    pub fn is_immutable(&self) -> bool {
        matches!(self, Fetch::TaskDefinition { .. })
    }

    /// A short human name, for logs and error messages.
    pub fn describe(&self) -> String {
        match self {
            Fetch::KubeKinds { cluster } => format!("the kinds of {}", crate::util::arn_tail(cluster)),
            Fetch::Trouble { cluster } => format!("the pods in trouble in {}", crate::util::arn_tail(cluster)),
            Fetch::KubeTable { cluster, kind, .. } => format!("{kind} of {}", crate::util::arn_tail(cluster)),
            Fetch::KubeObject {
                cluster, kind, name, ..
            } => format!("{kind} {name} of {}", crate::util::arn_tail(cluster)),
            Fetch::Identity { account } => format!("the caller identity of {account}"),
            Fetch::EcsClusters { account, region } => format!("ECS clusters of {account} in {region}"),
            Fetch::EksClusters { account, region } => format!("EKS clusters of {account} in {region}"),
            Fetch::AppRunnerServices { account, region } => format!("App Runner services of {account} in {region}"),
            Fetch::AppRunnerService { service } => format!("App Runner service {}", super::apprunner::name_of(service)),
            Fetch::Services { cluster } => {
                format!("services of {}", crate::util::arn_tail(cluster))
            }
            Fetch::Tasks { cluster, stopped } => format!(
                "{} tasks of {}",
                if *stopped { "stopped" } else { "running" },
                crate::util::arn_tail(cluster)
            ),
            Fetch::ContainerInstances { cluster } => {
                format!("container instances of {}", crate::util::arn_tail(cluster))
            }
            Fetch::Task { cluster, task } => format!(
                "task {} of {}",
                crate::util::arn_tail(task),
                crate::util::arn_tail(cluster)
            ),
            Fetch::TaskDefinition { arn } => {
                format!("task definition {}", crate::util::task_def_short(arn))
            }
            Fetch::Raw { target } => format!("{} as its API returns it", target.label()),
            Fetch::Revisions { family, .. } => format!("revisions of {family}"),
            Fetch::Metrics { window, series } => format!("{} metric series over {}", series.len(), window.label()),
            Fetch::Alarms { account, region } => format!("alarms of {account} in {region}"),
            Fetch::AlarmHistory { account, region } => format!("alarm history of {account} in {region}"),
            Fetch::ServiceDeployments { service, .. } => {
                format!("the deployments of {}", crate::util::arn_tail(service))
            }
            Fetch::TaskProtection { cluster, .. } => {
                format!("task protection in {}", crate::util::arn_tail(cluster))
            }
            Fetch::CloudMap { service } => format!("Cloud Map service {}", crate::util::arn_tail(service)),
            Fetch::Scaling { account, region } => format!("autoscaling of {account} in {region}"),
            Fetch::CapacityProviders { account, region, .. } => format!("capacity providers of {account} in {region}"),
            Fetch::Targets { target_group } => format!("targets of {}", crate::util::arn_tail_n(target_group, 2)),
            Fetch::Logs { stream, .. } => format!("logs of {stream}"),
            Fetch::Images { repository, .. } => format!("images of {repository}"),
            Fetch::Repositories { account, region } => format!("ECR repositories of {account} in {region}"),
            Fetch::Schedules { account, region } => format!("scheduled tasks of {account} in {region}"),
            Fetch::NodeGroups { cluster } => format!("node groups of {}", crate::util::arn_tail(cluster)),
            Fetch::FargateProfiles { cluster } => format!("Fargate profiles of {}", crate::util::arn_tail(cluster)),
            Fetch::Addons { cluster } => format!("add-ons of {}", crate::util::arn_tail(cluster)),
            Fetch::Kube { cluster, kind } => format!("{} of {}", kind.as_str(), crate::util::arn_tail(cluster)),
            Fetch::PodLogs {
                pod,
                container,
                previous,
                ..
            } => format!("{}logs of {pod}/{container}", if *previous { "previous " } else { "" }),
        }
    }
}

/// What a fetch returns.
#[derive(Debug, Clone)]
pub enum Payload {
    Identity(Identity),
    EcsClusters(Vec<Cluster>),
    EksClusters(Vec<EksCluster>),
    Services(Vec<Service>),
    Tasks(Vec<Task>),
    ContainerInstances(Vec<ContainerInstance>),
    TaskDefinition(Box<TaskDefinition>),
    Raw(Box<super::raw::RawDoc>),
    /// Task definition ARNs, newest first.
    Revisions(Vec<String>),
    Metrics(Vec<MetricSeries>),
    Alarms(Vec<Alarm>),
    ServiceDeployments(Box<super::deploy::DeploymentHistory>),
    TaskProtection(Vec<super::deploy::Protection>),
    CloudMap(Vec<super::deploy::CloudMapInstance>),
    AlarmHistory(Vec<AlarmChange>),
    Scaling(Box<Scaling>),
    CapacityProviders(Vec<CapacityProvider>),
    Targets(Box<TargetGroupHealth>),
    /// Log lines; `reset` when they start the stream over rather than follow on.
    Logs {
        lines: Vec<LogLine>,
        reset: bool,
    },
    Images(Vec<Image>),
    Repositories(Vec<Repository>),
    Schedules(Vec<ScheduledTask>),
    NodeGroups(Vec<NodeGroup>),
    FargateProfiles(Vec<FargateProfile>),
    Addons(Vec<Addon>),
    Kube(KubeChanges),
    KubeKinds(Vec<KindInfo>),
    KubeTable(Box<KubeTable>),
    KubeObject(Box<KubeObject>),
    Trouble(Vec<super::kube::TroubledPod>),
    AppRunnerServices(Vec<AppRunnerService>),
    AppRunnerService(Box<AppRunnerService>),
}

impl Payload {
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Identity(_) => "identity",
            Payload::EcsClusters(_) => "ecs clusters",
            Payload::EksClusters(_) => "eks clusters",
            Payload::Services(_) => "services",
            Payload::Tasks(_) => "tasks",
            Payload::ContainerInstances(_) => "container instances",
            Payload::TaskDefinition(_) => "task definition",
            Payload::Raw(_) => "raw resource",
            Payload::Revisions(_) => "revisions",
            Payload::Metrics(_) => "metrics",
            Payload::Alarms(_) => "alarms",
            Payload::AlarmHistory(_) => "alarm history",
            Payload::ServiceDeployments(_) => "service deployments",
            Payload::TaskProtection(_) => "task protection",
            Payload::CloudMap(_) => "cloud map instances",
            Payload::Scaling(_) => "scaling",
            Payload::CapacityProviders(_) => "capacity providers",
            Payload::Targets(_) => "targets",
            Payload::Logs { .. } => "logs",
            Payload::Images(_) => "images",
            Payload::Repositories(_) => "repositories",
            Payload::Schedules(_) => "schedules",
            Payload::NodeGroups(_) => "node groups",
            Payload::FargateProfiles(_) => "fargate profiles",
            Payload::Addons(_) => "add-ons",
            Payload::Kube(_) => "kubernetes resources",
            Payload::KubeKinds(_) => "kubernetes kinds",
            Payload::KubeTable(_) => "kubernetes objects",
            Payload::KubeObject(_) => "kubernetes object",
            Payload::Trouble(_) => "pods in trouble",
            Payload::AppRunnerServices(_) => "app runner services",
            Payload::AppRunnerService(_) => "app runner service",
        }
    }
}

/// The log buffer key of a CloudWatch Logs stream of an account.
pub fn log_key(account: &str, group: &str, stream: &str) -> (String, String) {
    (format!("{account}:{group}"), stream.to_string())
}

/// The log buffer key of a pod container's log.
pub fn pod_log_key(cluster: &str, namespace: &str, pod: &str, container: &str, previous: bool) -> (String, String) {
    (
        format!("k8s:{cluster}"),
        format!(
            "{namespace}/{pod}/{container}{}",
            if previous { " (previous)" } else { "" }
        ),
    )
}

/// A fetch's result, owned, on its way to the app loop.
#[derive(Debug, Clone)]
pub struct DataEvent {
    pub fetch: Fetch,
    pub at: Timestamp,
    pub result: Result<Payload, FetchError>,
    /// A hash of a large payload, made where the event is made (see [`DataEvent::new`]):
    /// the store compares it with the last one's instead of comparing every item.
    pub digest: Option<u64>,
}

impl DataEvent {
    /// An event ready for the store. Tasks are put in the store's order and hashed here,
    /// on the fetch's side, so that the app loop does not spend its time on them.
    pub fn new(fetch: Fetch, at: Timestamp, mut result: Result<Payload, FetchError>) -> Self {
        let digest = match (&fetch, &mut result) {
            (Fetch::Tasks { stopped, .. }, Ok(Payload::Tasks(tasks))) => {
                super::sort_tasks(tasks, *stopped);
                use std::hash::BuildHasher;
                Some(foldhash::quality::FixedState::with_seed(0x0062_6f73_756e).hash_one(&*tasks))
            }
            _ => None,
        };
        DataEvent {
            fetch,
            at,
            result,
            digest,
        }
    }
}

/// What is on screen: these fetches run at the fast rate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope(pub BTreeSet<Fetch>);

impl Scope {
    pub fn of(fetches: impl IntoIterator<Item = Fetch>) -> Self {
        Scope(fetches.into_iter().collect())
    }

    pub fn contains(&self, fetch: &Fetch) -> bool {
        self.0.contains(fetch)
    }
}
