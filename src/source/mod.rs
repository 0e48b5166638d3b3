//! All reads. A [`Backend`] answers [`Fetch`]es; the [`scheduler`] decides which fetches run
//! when and sends their results to the app loop as owned [`DataEvent`]s.
//!
//! Nothing here depends on the terminal UI.

pub mod aws;
pub mod scheduler;
pub mod sim;

use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;

use crate::store::insight::{CapacityProvider, Image, LogLine, Repository, Scaling, ScheduledTask, TargetGroupHealth};
use crate::store::kube::{Addon, FargateProfile, KubeKind, KubeList, NodeGroup};
use crate::store::metrics::{Alarm, MetricSeries, SeriesKey, Window};
use crate::store::{Cluster, ContainerInstance, EksCluster, FetchError, Identity, Service, Task, TaskDefinition};

/// One read of one resource set. Also the key the scheduler dedupes and schedules by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fetch {
    Identity,
    EcsClusters {
        region: String,
    },
    EksClusters {
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
    TaskDefinition {
        arn: String,
    },
    /// The ACTIVE revisions of a task definition family, newest first.
    Revisions {
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
        region: String,
    },
    /// Application Auto Scaling of the ECS services of a region: targets, policies,
    /// scheduled actions, recent activities.
    Scaling {
        region: String,
    },
    /// ECS capacity providers (by name) of a region, with their Auto Scaling groups.
    CapacityProviders {
        region: String,
        names: Vec<String>,
    },
    /// A target group and the health of its targets.
    Targets {
        target_group: String,
    },
    /// New lines of a CloudWatch Logs stream since the last fetch.
    Logs {
        region: String,
        group: String,
        stream: String,
    },
    /// ECR images of a repository, by tag, with their scan findings.
    Images {
        region: String,
        repository: String,
        tags: Vec<String>,
    },
    /// ECR repositories of a region.
    Repositories {
        region: String,
    },
    /// EventBridge rules that start ECS tasks, in a region.
    Schedules {
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
    /// New lines of one container's log (or all of its previous run's), since the last fetch.
    PodLogs {
        cluster: String,
        namespace: String,
        pod: String,
        container: String,
        previous: bool,
    },
}

impl Fetch {
    /// Whether the fleet roll-ups read this fetch's data.
    pub fn feeds_fleet(&self) -> bool {
        matches!(
            self,
            Fetch::EcsClusters { .. }
                | Fetch::EksClusters { .. }
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

    /// Whether the store keeps this fetch's data in [`crate::store::insight::Insight`].
    pub fn is_insight(&self) -> bool {
        matches!(
            self,
            Fetch::Metrics { .. }
                | Fetch::Alarms { .. }
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

    /// Whether the store keeps this fetch's data by EKS cluster in [`crate::store::kube::KubeData`].
    pub fn is_kube(&self) -> bool {
        matches!(
            self,
            Fetch::NodeGroups { .. } | Fetch::FargateProfiles { .. } | Fetch::Addons { .. } | Fetch::Kube { .. }
        )
    }

    /// The log buffer a log fetch fills: (group, stream) for CloudWatch Logs, and a
    /// `k8s:` key for a pod's container.
    pub fn log_key(&self) -> Option<(String, String)> {
        match self {
            Fetch::Logs { group, stream, .. } => Some((group.clone(), stream.clone())),
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
            Fetch::Identity => "caller identity".into(),
            Fetch::EcsClusters { region } => format!("ECS clusters in {region}"),
            Fetch::EksClusters { region } => format!("EKS clusters in {region}"),
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
            Fetch::TaskDefinition { arn } => {
                format!("task definition {}", crate::util::task_def_short(arn))
            }
            Fetch::Revisions { family, .. } => format!("revisions of {family}"),
            Fetch::Metrics { window, series } => format!("{} metric series over {}", series.len(), window.label()),
            Fetch::Alarms { region } => format!("alarms in {region}"),
            Fetch::Scaling { region } => format!("autoscaling in {region}"),
            Fetch::CapacityProviders { region, .. } => format!("capacity providers in {region}"),
            Fetch::Targets { target_group } => format!("targets of {}", crate::util::arn_tail_n(target_group, 2)),
            Fetch::Logs { stream, .. } => format!("logs of {stream}"),
            Fetch::Images { repository, .. } => format!("images of {repository}"),
            Fetch::Repositories { region } => format!("ECR repositories in {region}"),
            Fetch::Schedules { region } => format!("scheduled tasks in {region}"),
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
    /// Task definition ARNs, newest first.
    Revisions(Vec<String>),
    Metrics(Vec<MetricSeries>),
    Alarms(Vec<Alarm>),
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
    Kube(KubeList),
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
            Payload::Revisions(_) => "revisions",
            Payload::Metrics(_) => "metrics",
            Payload::Alarms(_) => "alarms",
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
        }
    }
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
                crate::store::sort_tasks(tasks, *stopped);
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

/// A place bosun reads fleets from: AWS, or the simulated fleet.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The regions this backend covers.
    fn regions(&self) -> Vec<String>;

    /// The profile name shown in the header.
    fn profile(&self) -> String;

    async fn fetch(&self, fetch: &Fetch) -> Result<Payload, FetchError>;

    /// The backend's clock: the wall clock for AWS, the simulated clock for the demo.
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }

    /// API requests sent in the last minute, where the backend makes any.
    fn calls_last_minute(&self) -> Option<u32> {
        None
    }

    /// Every API request sent so far, by operation (`ECS.ListTasks`), where it makes any.
    fn calls_by_operation(&self) -> Option<std::collections::BTreeMap<String, u64>> {
        None
    }
}

pub type SharedBackend = Arc<dyn Backend>;

/// Run `fetches` concurrently (at most `limit` at once) and return their results in the
/// order given. For headless use and tests; the TUI goes through the scheduler.
pub async fn fetch_all(backend: &dyn Backend, fetches: Vec<Fetch>, limit: usize) -> Vec<DataEvent> {
    use futures::stream::{self, StreamExt};
    stream::iter(fetches)
        .map(|fetch| async move {
            let result = backend.fetch(&fetch).await;
            DataEvent::new(fetch, backend.now(), result)
        })
        .buffered(limit.max(1))
        .collect()
        .await
}

/// Everything the fleet, services and tasks views of every cluster show: cluster lists,
/// then per cluster its services, running and stopped tasks and container instances.
pub async fn load_fleet(backend: &dyn Backend, limit: usize) -> Vec<DataEvent> {
    let mut first = vec![Fetch::Identity];
    for region in backend.regions() {
        first.push(Fetch::EcsClusters { region: region.clone() });
        first.push(Fetch::EksClusters { region });
    }
    let mut events = fetch_all(backend, first, limit).await;
    let clusters: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.result {
            Ok(Payload::EcsClusters(list)) => Some(list.iter().map(|c| c.arn.clone())),
            _ => None,
        })
        .flatten()
        .collect();
    let mut second = Vec::new();
    // An EKS cluster's row rolls up its node groups and add-ons.
    for e in &events {
        if let Ok(Payload::EksClusters(list)) = &e.result {
            for c in list {
                second.push(Fetch::NodeGroups { cluster: c.arn.clone() });
                second.push(Fetch::Addons { cluster: c.arn.clone() });
            }
        }
    }
    for cluster in clusters {
        second.push(Fetch::Services {
            cluster: cluster.clone(),
        });
        second.push(Fetch::Tasks {
            cluster: cluster.clone(),
            stopped: false,
        });
        second.push(Fetch::Tasks {
            cluster: cluster.clone(),
            stopped: true,
        });
        second.push(Fetch::ContainerInstances { cluster });
    }
    events.extend(fetch_all(backend, second, limit).await);
    events
}
