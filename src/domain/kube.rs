//! EKS and Kubernetes domain types: node groups, Fargate profiles, add-ons (from the EKS
//! API), and nodes, pods, workloads, HPAs, events and storage (from the cluster's own API).

use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;

use super::Keyed;

/// A managed node group of an EKS cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeGroup {
    pub name: String,
    pub status: String,
    /// ON_DEMAND or SPOT.
    pub capacity_type: String,
    pub instance_types: Vec<String>,
    pub ami_type: String,
    pub min: u32,
    pub desired: u32,
    pub max: u32,
    pub health_issues: Vec<String>,
    pub version: Option<String>,
    /// When EKS last changed it (an update, a new size).
    pub modified_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FargateProfile {
    pub name: String,
    pub status: String,
    /// `namespace` and `key=value` labels, one selector each.
    pub selectors: Vec<String>,
    pub subnets: Vec<String>,
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Addon {
    pub name: String,
    pub version: String,
    pub status: String,
    pub health_issues: Vec<String>,
    /// When EKS last changed it (an update to another version, a new configuration).
    pub modified_at: Option<Timestamp>,
}

/// Where a node comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum NodeSource {
    Managed(String),
    SelfManaged,
    Fargate,
}

impl NodeSource {
    pub fn label(&self) -> String {
        match self {
            NodeSource::Managed(group) => group.clone(),
            NodeSource::SelfManaged => "self-managed".into(),
            NodeSource::Fargate => "fargate".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub name: String,
    pub ready: bool,
    /// Cordoned: no new pods.
    pub unschedulable: bool,
    pub roles: Vec<String>,
    pub instance_type: Option<String>,
    pub zone: Option<String>,
    /// ON_DEMAND, SPOT or FARGATE.
    pub capacity_type: Option<String>,
    pub source: NodeSource,
    pub kubelet: Option<String>,
    /// Allocatable CPU in millicores and memory in MiB.
    pub alloc_cpu: i64,
    pub alloc_mem: i64,
    pub created_at: Option<Timestamp>,
    /// Derived by the store from the pods on the node.
    pub pods: u32,
    pub req_cpu: i64,
    pub req_mem: i64,
}

/// A container of a pod, as it runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodContainer {
    pub name: String,
    pub image: String,
    pub ready: bool,
    /// running, waiting or terminated.
    pub state: String,
    /// CrashLoopBackOff, ImagePullBackOff, OOMKilled, Completed, ...
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
    pub restarts: u32,
    /// Why the previous run ended, with its exit code.
    pub last_reason: Option<String>,
    pub last_exit_code: Option<i32>,
    /// When the previous run ended.
    pub last_finished: Option<Timestamp>,
}

impl PodContainer {
    /// Whether its previous run was OOMKilled less than an hour ago (or at a time the API
    /// server did not say).
    pub fn oom_killed_within_an_hour(&self, now: Timestamp) -> bool {
        self.last_reason.as_deref() == Some("OOMKilled")
            && self
                .last_finished
                .is_none_or(|t| now.duration_since(t).as_secs() < 3600)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pod {
    /// `namespace/name`.
    pub key: String,
    pub namespace: String,
    pub name: String,
    pub phase: String,
    pub node: Option<String>,
    pub ip: Option<String>,
    pub created_at: Option<Timestamp>,
    pub containers: Vec<PodContainer>,
    /// `Kind/name` of what owns it.
    pub owner: Option<String>,
    /// Requests in millicores and MiB.
    pub req_cpu: i64,
    pub req_mem: i64,
    /// Why it cannot be scheduled, for a pending pod.
    pub unschedulable: Option<String>,
}

impl Pod {
    pub fn ready_count(&self) -> (usize, usize) {
        (
            self.containers.iter().filter(|c| c.ready).count(),
            self.containers.len(),
        )
    }

    pub fn restarts(&self) -> u32 {
        self.containers.iter().map(|c| c.restarts).sum()
    }

    /// What `kubectl get pods` says in its STATUS column: the most telling container
    /// reason (CrashLoopBackOff, OOMKilled, ...), else the phase.
    pub fn status(&self) -> String {
        if let Some(reason) = self
            .containers
            .iter()
            .filter(|c| c.state != "running")
            .find_map(|c| c.reason.clone())
        {
            return reason;
        }
        if self.phase == "Running"
            && self
                .containers
                .iter()
                .any(|c| c.last_reason.as_deref() == Some("OOMKilled"))
        {
            return "OOMKilled".into();
        }
        self.phase.clone()
    }

    /// Whether a container is backing off after crashing or failing to pull its image
    /// (CrashLoopBackOff, ImagePullBackOff, Error): what makes a cluster `failing`.
    pub fn backing_off(&self) -> bool {
        self.containers.iter().any(|c| {
            c.reason
                .as_deref()
                .is_some_and(|r| r.ends_with("BackOff") || r == "Error")
        })
    }

    /// Whether the pod is in trouble: not running and ready, or restarting.
    pub fn failing(&self) -> bool {
        let (ready, total) = self.ready_count();
        (self.phase != "Succeeded" && ready < total) || self.phase == "Pending" || self.phase == "Failed"
    }

    /// Whether it is in trouble, and why, with how bad (0 the worst): a container in
    /// CrashLoopBackOff, one that cannot pull its image, the pod failed, a container
    /// OOMKilled now or in a last run that ended less than an hour ago, Pending for more than a minute, or running but not ready
    /// for more than a minute.
    pub fn trouble(&self, now: Timestamp) -> Option<Trouble> {
        let older_than_a_minute = self.created_at.is_some_and(|t| now.duration_since(t).as_secs() >= 60);
        let found = |rank: u8, why: String| Some(Trouble { rank, why });
        for c in &self.containers {
            match c.reason.as_deref() {
                Some("CrashLoopBackOff") => {
                    return found(0, format!("{}: CrashLoopBackOff ({})", c.name, restarts(c.restarts)));
                }
                Some(r @ ("ImagePullBackOff" | "ErrImagePull" | "InvalidImageName" | "CreateContainerConfigError")) => {
                    return found(1, format!("{}: {r}", c.name));
                }
                _ => {}
            }
        }
        if self.phase == "Failed" {
            return found(2, "Failed".into());
        }
        if let Some(c) = self
            .containers
            .iter()
            .find(|c| c.reason.as_deref() == Some("Error") && c.state == "terminated")
        {
            return found(2, format!("{}: Error (exit {})", c.name, c.exit_code.unwrap_or(1)));
        }
        if let Some(c) = self
            .containers
            .iter()
            .find(|c| c.reason.as_deref() == Some("OOMKilled") || c.oom_killed_within_an_hour(now))
        {
            return found(3, format!("{}: OOMKilled ({})", c.name, restarts(c.restarts)));
        }
        if self.phase == "Pending" && older_than_a_minute {
            return found(
                4,
                match &self.unschedulable {
                    Some(why) => format!("Pending: {why}"),
                    None => "Pending".into(),
                },
            );
        }
        let (ready, total) = self.ready_count();
        if self.phase == "Running" && ready < total && older_than_a_minute {
            return found(5, format!("not ready ({ready}/{total})"));
        }
        None
    }
}

/// How often a cluster's pods in trouble are listed, while they are on screen: each time
/// is a whole (paged) list of its pods.
pub const TROUBLE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

fn restarts(n: u32) -> String {
    match n {
        1 => "1 restart".into(),
        n => format!("{n} restarts"),
    }
}

/// Why a pod is in trouble.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trouble {
    /// 0 the worst.
    pub rank: u8,
    pub why: String,
}

/// A pod in trouble in one of the fleet's EKS clusters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TroubledPod {
    /// `cluster-arn namespace/name`.
    #[serde(skip)]
    pub key: String,
    /// The EKS cluster's ARN.
    pub cluster: String,
    #[serde(flatten)]
    pub trouble: Trouble,
    #[serde(flatten)]
    pub pod: Pod,
}

impl TroubledPod {
    pub fn new(cluster: &str, pod: &Pod, trouble: Trouble) -> Self {
        TroubledPod {
            key: format!("{cluster} {}", pod.key),
            cluster: cluster.to_string(),
            trouble,
            pod: pod.clone(),
        }
    }
}

impl Keyed for TroubledPod {
    fn key(&self) -> &str {
        &self.key
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
}

impl WorkloadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workload {
    /// `Kind/namespace/name`.
    pub key: String,
    pub kind: WorkloadKind,
    pub namespace: String,
    pub name: String,
    pub desired: u32,
    pub ready: u32,
    pub updated: u32,
    pub available: u32,
    pub images: Vec<String>,
    pub created_at: Option<Timestamp>,
    /// When a rollout restart was last asked for.
    pub restarted_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hpa {
    pub key: String,
    pub namespace: String,
    pub name: String,
    /// `Deployment/checkout`.
    pub target: String,
    pub min: u32,
    pub max: u32,
    pub current: u32,
    pub desired: u32,
    /// `cpu 82%/70%`, one per metric.
    pub metrics: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KubeEvent {
    pub key: String,
    pub namespace: String,
    /// Normal or Warning.
    pub kind: String,
    pub reason: String,
    /// `Pod/payments-7f9d6c5b4-zl5qd`.
    pub object: String,
    pub message: String,
    pub count: u32,
    pub last_seen: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pvc {
    pub key: String,
    pub namespace: String,
    pub name: String,
    pub status: String,
    pub volume: Option<String>,
    pub capacity: Option<String>,
    pub storage_class: Option<String>,
    pub created_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StorageClass {
    pub name: String,
    pub provisioner: String,
    pub default: bool,
    pub reclaim: String,
    pub binding: String,
}

macro_rules! keyed {
    ($($ty:ty => $field:ident),* $(,)?) => {
        $(impl Keyed for $ty {
            fn key(&self) -> &str {
                &self.$field
            }
        })*
    };
}

keyed! {
    NodeGroup => name,
    FargateProfile => name,
    Addon => name,
    Node => name,
    Pod => key,
    Workload => key,
    Hpa => key,
    KubeEvent => key,
    Pvc => key,
    StorageClass => name,
    PodContainer => name,
}

/// Which Kubernetes resources a fetch lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum KubeKind {
    Nodes,
    Pods,
    Workloads,
    Hpas,
    Events,
    Pvcs,
    StorageClasses,
}

impl KubeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KubeKind::Nodes => "nodes",
            KubeKind::Pods => "pods",
            KubeKind::Workloads => "workloads",
            KubeKind::Hpas => "horizontal pod autoscalers",
            KubeKind::Events => "events",
            KubeKind::Pvcs => "persistent volume claims",
            KubeKind::StorageClasses => "storage classes",
        }
    }
}

/// Kubernetes resources of one kind. Shared: the watch's cache and the app's store hold
/// the same objects, not a copy each.
#[derive(Debug, Clone, PartialEq)]
pub enum KubeList {
    Nodes(Vec<Arc<Node>>),
    Pods(Vec<Arc<Pod>>),
    Workloads(Vec<Arc<Workload>>),
    Hpas(Vec<Arc<Hpa>>),
    Events(Vec<Arc<KubeEvent>>),
    Pvcs(Vec<Arc<Pvc>>),
    StorageClasses(Vec<Arc<StorageClass>>),
}

impl KubeList {
    pub fn empty(kind: KubeKind) -> Self {
        match kind {
            KubeKind::Nodes => KubeList::Nodes(Vec::new()),
            KubeKind::Pods => KubeList::Pods(Vec::new()),
            KubeKind::Workloads => KubeList::Workloads(Vec::new()),
            KubeKind::Hpas => KubeList::Hpas(Vec::new()),
            KubeKind::Events => KubeList::Events(Vec::new()),
            KubeKind::Pvcs => KubeList::Pvcs(Vec::new()),
            KubeKind::StorageClasses => KubeList::StorageClasses(Vec::new()),
        }
    }

    pub fn kind(&self) -> KubeKind {
        match self {
            KubeList::Nodes(_) => KubeKind::Nodes,
            KubeList::Pods(_) => KubeKind::Pods,
            KubeList::Workloads(_) => KubeKind::Workloads,
            KubeList::Hpas(_) => KubeKind::Hpas,
            KubeList::Events(_) => KubeKind::Events,
            KubeList::Pvcs(_) => KubeKind::Pvcs,
            KubeList::StorageClasses(_) => KubeKind::StorageClasses,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            KubeList::Nodes(v) => v.len(),
            KubeList::Pods(v) => v.len(),
            KubeList::Workloads(v) => v.len(),
            KubeList::Hpas(v) => v.len(),
            KubeList::Events(v) => v.len(),
            KubeList::Pvcs(v) => v.len(),
            KubeList::StorageClasses(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What changed in one kind of a cluster since the reader last asked: a watch's events,
/// folded. The first read (and a read after the watch listed again) is the whole set.
#[derive(Debug, Clone, PartialEq)]
pub struct KubeChanges {
    /// `upsert` is everything there is: replace what the reader holds.
    pub reset: bool,
    /// Objects added or changed since the last read (every object, with `reset`).
    pub upsert: KubeList,
    /// Keys of the objects deleted since the last read.
    pub removed: Vec<String>,
    /// While the first list is still arriving: how many objects have arrived. The reader
    /// shows them as they come.
    pub listing: Option<usize>,
}

impl KubeChanges {
    /// All of `list`, replacing what the reader has.
    pub fn all(list: KubeList) -> Self {
        KubeChanges {
            reset: true,
            upsert: list,
            removed: Vec::new(),
            listing: None,
        }
    }

    /// Nothing new.
    pub fn none(kind: KubeKind) -> Self {
        KubeChanges {
            reset: false,
            upsert: KubeList::empty(kind),
            removed: Vec::new(),
            listing: None,
        }
    }

    pub fn kind(&self) -> KubeKind {
        self.upsert.kind()
    }

    pub fn is_empty(&self) -> bool {
        !self.reset && self.upsert.is_empty() && self.removed.is_empty()
    }
}

impl KubeList {
    /// What changed since `before` (a read of the same kind), as a watch would tell it.
    pub fn changes_since(&self, before: &KubeList) -> KubeChanges {
        macro_rules! kinds {
            ($($kind:ident),*) => {
                match (before, self) {
                    $((KubeList::$kind(a), KubeList::$kind(b)) => {
                        let (upsert, removed) = diff(a, b);
                        (KubeList::$kind(upsert), removed)
                    })*
                    _ => return KubeChanges::all(self.clone()),
                }
            };
        }
        let (upsert, removed) = kinds!(Nodes, Pods, Workloads, Hpas, Events, Pvcs, StorageClasses);
        KubeChanges {
            reset: false,
            upsert,
            removed,
            listing: None,
        }
    }
}

/// What changed from `old` to `new`, by key: the objects added or changed, and the keys gone.
/// Objects that are the same allocation are not compared.
pub fn diff<T: Keyed + PartialEq>(old: &[Arc<T>], new: &[Arc<T>]) -> (Vec<Arc<T>>, Vec<String>) {
    let before: std::collections::HashMap<&str, &Arc<T>> = old.iter().map(|t| (t.key(), t)).collect();
    let upsert = new
        .iter()
        .filter(|t| match before.get(t.key()) {
            Some(b) => !Arc::ptr_eq(b, t) && **b != **t,
            None => true,
        })
        .cloned()
        .collect();
    let after: std::collections::HashSet<&str> = new.iter().map(|t| t.key()).collect();
    let removed = old
        .iter()
        .filter(|t| !after.contains(t.key()))
        .map(|t| t.key().to_string())
        .collect();
    (upsert, removed)
}

/// A CPU quantity (`250m`, `1`, `0.5`) in millicores.
pub fn millicores(q: &str) -> i64 {
    match q.strip_suffix('m') {
        Some(m) => m.parse().unwrap_or(0),
        None => q.parse::<f64>().map_or(0, |c| (c * 1000.0).round() as i64),
    }
}

/// A memory quantity (`512Mi`, `2Gi`, `1000000`, `7290868Ki`) in MiB.
pub fn mebibytes(q: &str) -> i64 {
    let units: [(&str, f64); 8] = [
        ("Ki", 1.0 / 1024.0),
        ("Mi", 1.0),
        ("Gi", 1024.0),
        ("Ti", 1024.0 * 1024.0),
        ("k", 1000.0 / 1_048_576.0),
        ("M", 1_000_000.0 / 1_048_576.0),
        ("G", 1_000_000_000.0 / 1_048_576.0),
        ("", 1.0 / 1_048_576.0),
    ];
    for (suffix, factor) in units {
        if let Some(n) = q
            .strip_suffix(suffix)
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.'))
        {
            return n.parse::<f64>().map_or(0, |v| (v * factor).round() as i64);
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse() {
        assert_eq!(millicores("250m"), 250);
        assert_eq!(millicores("2"), 2000);
        assert_eq!(millicores("0.5"), 500);
        assert_eq!(mebibytes("512Mi"), 512);
        assert_eq!(mebibytes("2Gi"), 2048);
        assert_eq!(mebibytes("7290868Ki"), 7120);
        assert_eq!(mebibytes("1048576"), 1);
        assert_eq!(mebibytes("nonsense"), 0);
    }
}
