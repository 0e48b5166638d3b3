//! The simulated clusters as they start: node groups, nodes, workloads and their pods,
//! with the failures on call meets; and a fleet at scale's pods, made when first read.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use crate::domain::kube::{
    Addon, FargateProfile, Hpa, Node, NodeGroup, NodeSource, Pod, PodContainer, Pvc, StorageClass, Workload,
    WorkloadKind,
};
use crate::util::rng::Rng;

use super::SimKube;

/// How a workload's pods behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Health {
    Good,
    /// Every pod crashes on start and is restarted with back-off.
    CrashLoop,
    /// One pod was OOMKilled once and runs again.
    OomOnce,
    /// The last pod cannot be scheduled.
    Unschedulable,
    /// The last pod's image tag does not exist: it waits in ImagePullBackOff.
    BadImage,
}

struct WorkloadSpec {
    kind: WorkloadKind,
    namespace: &'static str,
    name: &'static str,
    replicas: u32,
    image: &'static str,
    cpu: i64,
    mem: i64,
    health: Health,
}

macro_rules! w {
    ($kind:expr, $ns:expr, $name:expr, $replicas:expr, $image:expr, $cpu:expr, $mem:expr, $health:expr $(,)?) => {
        WorkloadSpec {
            kind: $kind,
            namespace: $ns,
            name: $name,
            replicas: $replicas,
            image: $image,
            cpu: $cpu,
            mem: $mem,
            health: $health,
        }
    };
}

use Health::*;
use WorkloadKind::*;

const PLATFORM: &[WorkloadSpec] = &[
    w!(Deployment, "shop", "checkout", 3, "checkout:2.14.1", 250, 512, Good),
    w!(Deployment, "shop", "cart", 2, "cart:1.9.0", 250, 384, OomOnce),
    w!(Deployment, "shop", "payments", 2, "payments:3.2.0", 500, 512, CrashLoop),
    w!(Deployment, "shop", "catalog", 2, "catalog:5.0.3", 200, 256, Good),
    w!(
        StatefulSet,
        "data",
        "postgres",
        2,
        "postgres:16.4",
        1000,
        6144,
        Unschedulable,
    ),
    w!(
        Deployment,
        "kube-system",
        "coredns",
        2,
        "coredns:v1.11.3-eksbuild.2",
        100,
        70,
        Good,
    ),
    w!(
        DaemonSet,
        "kube-system",
        "aws-node",
        0,
        "amazon-k8s-cni:v1.19.0",
        25,
        64,
        Good,
    ),
    w!(
        DaemonSet,
        "kube-system",
        "fluent-bit",
        0,
        "aws-for-fluent-bit:2.32.4",
        50,
        100,
        Good,
    ),
];

const DATA: &[WorkloadSpec] = &[
    w!(
        Deployment,
        "analytics",
        "spark-driver",
        1,
        "spark:3.5.2",
        1000,
        4096,
        Good,
    ),
    w!(StatefulSet, "analytics", "kafka", 3, "kafka:3.8.0", 500, 2048, Good),
    w!(
        Deployment,
        "analytics",
        "ingest",
        2,
        "ingest:0.42.0",
        250,
        512,
        BadImage
    ),
    w!(
        Deployment,
        "kube-system",
        "coredns",
        2,
        "coredns:v1.11.3-eksbuild.2",
        100,
        70,
        Good,
    ),
    w!(
        DaemonSet,
        "kube-system",
        "aws-node",
        0,
        "amazon-k8s-cni:v1.19.0",
        25,
        64,
        Good,
    ),
];

/// A managed node group: name, capacity type, instance types, min, desired, max.
type GroupSpec = (&'static str, &'static str, &'static [&'static str], u32, u32, u32);

/// What a fleet at scale still has to make in a cluster.
pub(super) struct PendingPods {
    pods: usize,
    apps: Vec<&'static str>,
    at: Timestamp,
}

/// Pods to a node in a fleet at scale (an m6i.2xlarge with prefix delegation holds 58).
const PODS_PER_NODE: usize = 50;
/// Pods to a workload in a fleet at scale.
const PODS_PER_WORKLOAD: usize = 5;
/// The namespaces a fleet at scale's workloads are spread over.
const SCALED_NAMESPACES: &[&str] = &[
    "checkout", "payments", "catalog", "search", "identity", "growth", "ml", "data", "edge", "platform",
];

impl SimKube {
    pub fn new(arn: &str, name: &str, region: &str, seed: u64, t0: Timestamp) -> Self {
        let mut k = SimKube {
            arn: arn.to_string(),
            region: region.to_string(),
            rng: Rng::new(seed ^ 0x6b75_6265),
            nodegroups: Vec::new(),
            fargate: Vec::new(),
            addons: Vec::new(),
            nodes: Vec::new(),
            pods: Vec::new(),
            workloads: Vec::new(),
            health: Vec::new(),
            hpas: Vec::new(),
            events: Vec::new(),
            pvcs: Vec::new(),
            classes: vec![
                StorageClass {
                    name: "gp3".into(),
                    provisioner: "ebs.csi.aws.com".into(),
                    default: true,
                    reclaim: "Delete".into(),
                    binding: "WaitForFirstConsumer".into(),
                },
                StorageClass {
                    name: "gp2".into(),
                    provisioner: "kubernetes.io/aws-ebs".into(),
                    default: false,
                    reclaim: "Delete".into(),
                    binding: "WaitForFirstConsumer".into(),
                },
            ],
            last_crash: Vec::new(),
            pending: None,
            revision: 0,
            counted: u64::MAX,
            objects: Vec::new(),
        };
        let platform = name.starts_with("platform");
        let groups: &[GroupSpec] = if platform {
            &[
                ("general-a", "ON_DEMAND", &["m6i.xlarge"], 2, 3, 6),
                ("spot-b", "SPOT", &["m6i.large", "m5.large"], 0, 3, 10),
            ]
        } else {
            &[("analytics", "ON_DEMAND", &["r6i.2xlarge"], 2, 3, 4)]
        };
        for &(group, capacity, types, min, desired, max) in groups {
            k.nodegroups.push(NodeGroup {
                name: group.into(),
                status: "ACTIVE".into(),
                capacity_type: capacity.into(),
                instance_types: types.iter().map(|t| t.to_string()).collect(),
                ami_type: "AL2023_x86_64_STANDARD".into(),
                min,
                desired,
                max,
                health_issues: Vec::new(),
                version: Some(if platform { "1.31" } else { "1.30" }.into()),
                // The Spot group was resized during the incident; the rest long ago.
                modified_at: Some(if capacity == "SPOT" {
                    t0 - SignedDuration::from_mins(5)
                } else {
                    t0 - SignedDuration::from_hours(24 * 12)
                }),
            });
            // The Spot group was scaled up during the incident and could not launch its
            // third node: short of capacity, with the issue EKS reports for it.
            let short = capacity == "SPOT";
            if short {
                let group = k.nodegroups.last_mut().expect("just pushed");
                group.health_issues = vec![
                    "AsgInstanceLaunchFailures: Could not launch Spot Instances. UnfulfillableCapacity - Unable to \
                     fulfill capacity due to your request configuration."
                        .into(),
                ];
            }
            for _ in 0..desired - u32::from(short) {
                k.add_node(group, t0 - SignedDuration::from_hours(24 * 12));
            }
        }
        if platform {
            k.fargate.push(FargateProfile {
                name: "batch".into(),
                status: "ACTIVE".into(),
                selectors: vec!["namespace=batch".into()],
                subnets: vec!["subnet-0a1b2c3d4e5f60001".into(), "subnet-0a1b2c3d4e5f60002".into()],
                role: Some("arn:aws:iam::123456789012:role/eks-fargate-pods".into()),
            });
            let node = format!("fargate-ip-10-0-4-{}.ec2.internal", 112);
            k.nodes.push(Node {
                name: node.clone(),
                ready: true,
                unschedulable: false,
                roles: vec![],
                instance_type: None,
                zone: Some(format!("{region}b")),
                capacity_type: Some("FARGATE".into()),
                source: NodeSource::Fargate,
                kubelet: Some("v1.31.2-eks-1a2b3c4".into()),
                alloc_cpu: 2000,
                alloc_mem: 4096,
                created_at: Some(t0 - SignedDuration::from_mins(40)),
                pods: 0,
                req_cpu: 0,
                req_mem: 0,
            });
            let pod = Pod {
                key: "batch/nightly-report-29071440-x7k2p".into(),
                namespace: "batch".into(),
                name: "nightly-report-29071440-x7k2p".into(),
                phase: "Running".into(),
                node: Some(node),
                ip: Some("10.0.4.112".into()),
                created_at: Some(t0 - SignedDuration::from_mins(40)),
                containers: vec![container("report", "reports:1.4.0", true, 0)],
                owner: Some("Job/nightly-report-29071440".into()),
                req_cpu: 1000,
                req_mem: 2048,
                unschedulable: None,
            };
            k.pods.push(Arc::new(pod));
        }
        for (addon, version) in [
            ("vpc-cni", "v1.19.0-eksbuild.1"),
            ("coredns", "v1.11.3-eksbuild.2"),
            ("kube-proxy", "v1.31.2-eksbuild.3"),
            ("aws-ebs-csi-driver", "v1.37.0-eksbuild.1"),
        ] {
            k.addons.push(Addon {
                name: addon.into(),
                version: version.into(),
                status: "ACTIVE".into(),
                health_issues: Vec::new(),
                modified_at: Some(t0 - SignedDuration::from_hours(24 * 12)),
            });
        }
        if platform {
            // Updated during the incident, and not well since.
            k.addons[3].modified_at = Some(t0 - SignedDuration::from_mins(15));
            k.addons[3].status = "DEGRADED".into();
            k.addons[3].health_issues = vec!["InsufficientNumberOfReplicas: 1 of 2 replicas available".into()];
        }
        let specs = if platform { PLATFORM } else { DATA };
        for spec in specs {
            k.add_workload(spec, t0);
        }
        k.seed_objects(platform, t0);
        if platform {
            k.hpas.push(Hpa {
                key: "shop/checkout".into(),
                namespace: "shop".into(),
                name: "checkout".into(),
                target: "Deployment/checkout".into(),
                min: 3,
                max: 12,
                current: 3,
                desired: 3,
                metrics: vec!["cpu 64%/70%".into()],
            });
            for (i, status) in ["Bound", "Pending"].iter().enumerate() {
                k.pvcs.push(Pvc {
                    key: format!("data/data-postgres-{i}"),
                    namespace: "data".into(),
                    name: format!("data-postgres-{i}"),
                    status: status.to_string(),
                    volume: (i == 0).then(|| "pvc-3f1e0c2a-7d4b-4c1e-9a55-0b6f2d8e1a90".into()),
                    capacity: (i == 0).then(|| "100Gi".into()),
                    storage_class: Some("gp3".into()),
                    created_at: Some(t0 - SignedDuration::from_hours(24 * 30)),
                });
            }
        }
        k.event(
            t0,
            "Normal",
            "ScalingReplicaSet",
            "Deployment/checkout",
            "shop",
            "Scaled up replica set to 3",
        );
        k
    }

    /// Grow the cluster to hold `pods` more pods, for a fleet at scale: a managed node
    /// group `fleet` with a node for every 50 pods and a Deployment for every 5, named
    /// after `apps`. The node group is made now; its nodes, the workloads and the pods
    /// when the cluster's API is first read.
    pub(in crate::source::sim) fn add_scaled(&mut self, pods: usize, apps: Vec<&'static str>, at: Timestamp) {
        if pods == 0 || apps.is_empty() {
            return;
        }
        let nodes = pods.div_ceil(PODS_PER_NODE) as u32;
        self.nodegroups.push(NodeGroup {
            name: "fleet".into(),
            status: "ACTIVE".into(),
            capacity_type: "ON_DEMAND".into(),
            instance_types: vec!["m6i.2xlarge".into()],
            ami_type: "AL2023_x86_64_STANDARD".into(),
            min: nodes,
            desired: nodes,
            max: nodes * 2,
            health_issues: Vec::new(),
            version: Some("1.31".into()),
            modified_at: Some(at),
        });
        self.pending = Some(PendingPods { pods, apps, at });
    }

    /// Make the nodes, workloads and pods [`SimKube::add_scaled`] left for later. About
    /// three pods in a thousand crash-loop and four in a thousand were OOMKilled once, so
    /// a filter for trouble finds some.
    pub(in crate::source::sim) fn make_pending(&mut self) {
        // Only making them changes the cluster: a read that finds them made moves nothing.
        let Some(PendingPods { pods, apps, at }) = self.pending.take() else {
            return;
        };
        self.revision += 1;
        let first_node = self.nodes.len();
        let nodes = pods.div_ceil(PODS_PER_NODE);
        let zones = ["a", "b", "c"];
        for n in 0..nodes {
            let ip = scaled_ip(20, n);
            self.nodes.push(Node {
                name: format!("ip-{}.{}.compute.internal", ip.replace('.', "-"), self.region),
                ready: true,
                unschedulable: false,
                roles: vec![],
                instance_type: Some("m6i.2xlarge".into()),
                zone: Some(format!("{}{}", self.region, zones[n % 3])),
                capacity_type: Some("ON_DEMAND".into()),
                source: NodeSource::Managed("fleet".into()),
                kubelet: Some("v1.31.2-eks-1a2b3c4".into()),
                alloc_cpu: 7910,
                alloc_mem: 29_000,
                created_at: Some(at - SignedDuration::from_hours(24 * 9)),
                pods: 0,
                req_cpu: 0,
                req_mem: 0,
            });
        }
        let workloads = pods.div_ceil(PODS_PER_WORKLOAD);
        let mut p = 0usize;
        for w in 0..workloads {
            let app = apps[w % apps.len()];
            let namespace = SCALED_NAMESPACES[w % SCALED_NAMESPACES.len()];
            let name = format!("{app}-{w:05}");
            let replicas = (pods / workloads + usize::from(w < pods % workloads)) as u32;
            let image = format!("123456789012.dkr.ecr.{}.amazonaws.com/{app}:1.{}.0", self.region, w % 7);
            let hash = self.rng.hex(10);
            for _ in 0..replicas {
                let pod = format!("{name}-{hash}-{}", self.rng.hex(5));
                let mut c = container(app, &image, true, 0);
                let roll = self.rng.range(0, 999);
                if roll < 3 {
                    c.ready = false;
                    c.state = "waiting".into();
                    c.reason = Some("CrashLoopBackOff".into());
                    c.restarts = self.rng.range(8, 40) as u32;
                    c.last_reason = Some("Error".into());
                    c.last_exit_code = Some(1);
                } else if roll < 7 {
                    c.restarts = 1;
                    c.last_reason = Some("OOMKilled".into());
                    c.last_exit_code = Some(137);
                    c.last_finished = Some(at - SignedDuration::from_mins(self.rng.range(1, 50) as i64));
                }
                self.pods.push(Arc::new(Pod {
                    key: format!("{namespace}/{pod}"),
                    namespace: namespace.into(),
                    name: pod,
                    phase: "Running".into(),
                    node: Some(self.nodes[first_node + p % nodes].name.clone()),
                    ip: Some(scaled_ip(64, p)),
                    created_at: Some(at - SignedDuration::from_mins(30 + (p % 5000) as i64)),
                    containers: vec![c],
                    owner: Some(format!("ReplicaSet/{name}-{hash}")),
                    req_cpu: 250,
                    req_mem: 512,
                    unschedulable: None,
                }));
                p += 1;
            }
            self.workloads.push(Workload {
                key: format!("Deployment/{namespace}/{name}"),
                kind: Deployment,
                namespace: namespace.into(),
                name,
                desired: replicas,
                ready: replicas,
                updated: replicas,
                available: replicas,
                images: vec![image],
                created_at: Some(at - SignedDuration::from_hours(24 * 20)),
                restarted_at: None,
            });
        }
    }

    pub(super) fn add_node(&mut self, group: &str, at: Timestamp) -> String {
        let n = self.nodes.len() as u64 + 1;
        let ip = format!("10.0.{}.{}", n % 3 + 1, self.rng.range(10, 250));
        let name = format!("ip-{}.{}.compute.internal", ip.replace('.', "-"), self.region);
        let ng = self.nodegroups.iter().find(|g| g.name == group);
        let instance = ng.and_then(|g| g.instance_types.first().cloned());
        let capacity = ng.map(|g| g.capacity_type.clone());
        let (cpu, mem) = match instance.as_deref() {
            Some("m6i.xlarge") => (3920, 14_336),
            Some("r6i.2xlarge") => (7910, 60_000),
            _ => (1930, 7_120),
        };
        let zones = ["a", "b", "c"];
        self.nodes.push(Node {
            name: name.clone(),
            ready: true,
            unschedulable: false,
            roles: vec![],
            instance_type: instance,
            zone: Some(format!("{}{}", self.region, zones[(n % 3) as usize])),
            capacity_type: capacity,
            source: NodeSource::Managed(group.to_string()),
            kubelet: Some("v1.31.2-eks-1a2b3c4".into()),
            alloc_cpu: cpu,
            alloc_mem: mem,
            created_at: Some(at),
            pods: 0,
            req_cpu: 0,
            req_mem: 0,
        });
        name
    }

    fn add_workload(&mut self, spec: &WorkloadSpec, t0: Timestamp) {
        let key = format!("{}/{}/{}", spec.kind.as_str(), spec.namespace, spec.name);
        let replicas = match spec.kind {
            DaemonSet => self.ec2_nodes().len() as u32,
            _ => spec.replicas,
        };
        self.workloads.push(Workload {
            key: key.clone(),
            kind: spec.kind,
            namespace: spec.namespace.into(),
            name: spec.name.into(),
            desired: replicas,
            ready: 0,
            updated: replicas,
            available: 0,
            images: vec![format!(
                "123456789012.dkr.ecr.{}.amazonaws.com/{}",
                self.region, spec.image
            )],
            created_at: Some(t0 - SignedDuration::from_hours(24 * 20)),
            restarted_at: None,
        });
        self.health.push((key.clone(), spec.health, spec.cpu, spec.mem));
        let hash = self.rng.hex(10);
        for i in 0..replicas {
            let started = t0 - SignedDuration::from_hours(self.rng.range(2, 72) as i64);
            self.add_pod(&key, &hash, i, started, t0);
        }
    }

    fn ec2_nodes(&self) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|n| n.source != NodeSource::Fargate)
            .map(|n| n.name.clone())
            .collect()
    }

    /// Start pod number `i` of a workload at `at` (the world's time is `now`).
    pub(super) fn add_pod(&mut self, workload: &str, hash: &str, i: u32, at: Timestamp, now: Timestamp) {
        let Some(w) = self.workloads.iter().find(|w| w.key == workload) else {
            return;
        };
        let Some(&(_, health, cpu, mem)) = self.health.iter().find(|h| h.0 == workload) else {
            return;
        };
        let (kind, namespace, name, image) = (w.kind, w.namespace.clone(), w.name.clone(), w.images[0].clone());
        let (pod_name, owner) = match kind {
            Deployment => (
                format!("{name}-{hash}-{}", self.rng.hex(5)),
                format!("ReplicaSet/{name}-{hash}"),
            ),
            StatefulSet => (format!("{name}-{i}"), format!("StatefulSet/{name}")),
            DaemonSet => (format!("{name}-{}", self.rng.hex(5)), format!("DaemonSet/{name}")),
        };
        let nodes = self.ec2_nodes();
        let schedulable: Vec<&String> = nodes
            .iter()
            .filter(|n| self.nodes.iter().any(|m| &&m.name == n && !m.unschedulable))
            .collect();
        let last = i + 1 == w.desired;
        let unschedulable = health == Unschedulable && last;
        let node = match kind {
            DaemonSet => nodes.get(i as usize).cloned(),
            _ if unschedulable || schedulable.is_empty() => None,
            _ => Some(schedulable[(self.rng.next_u64() % schedulable.len() as u64) as usize].clone()),
        };
        let mut c = container(&name, &image, true, 0);
        let mut phase = "Running";
        let mut why = None;
        match health {
            CrashLoop => {
                c.ready = false;
                c.state = "waiting".into();
                c.reason = Some("CrashLoopBackOff".into());
                c.restarts = self.rng.range(8, 30) as u32;
                c.last_reason = Some("Error".into());
                c.last_exit_code = Some(1);
                self.last_crash.push((format!("{namespace}/{pod_name}"), at));
            }
            OomOnce if i == 0 => {
                c.restarts = 1;
                c.last_reason = Some("OOMKilled".into());
                c.last_exit_code = Some(137);
                // Recently enough to be in trouble for the demo's first half hour.
                c.last_finished = Some(now - SignedDuration::from_mins(12));
            }
            BadImage if last && node.is_some() => {
                c.image = format!("{}-rc1", c.image);
                c.ready = false;
                c.state = "waiting".into();
                c.reason = Some("ImagePullBackOff".into());
                phase = "Pending";
            }
            _ if node.is_none() => {
                c.ready = false;
                c.state = "waiting".into();
                c.reason = None;
                phase = "Pending";
                let total = nodes.len();
                why = Some(format!(
                    "0/{total} nodes are available: {total} Insufficient memory. preemption: 0/{total} nodes are available: {total} No preemption victims found for incoming pod."
                ));
            }
            _ => {}
        }
        let c_waiting = c.reason.as_deref() == Some("ImagePullBackOff");
        let ip = node
            .as_ref()
            .map(|_| format!("10.0.{}.{}", self.rng.range(1, 4), self.rng.range(10, 250)));
        self.pods.push(Arc::new(Pod {
            key: format!("{namespace}/{pod_name}"),
            namespace: namespace.clone(),
            name: pod_name.clone(),
            phase: phase.into(),
            node,
            ip,
            created_at: Some(at),
            containers: vec![c],
            owner: Some(owner),
            req_cpu: cpu,
            req_mem: mem,
            unschedulable: why.clone(),
        }));
        if let Some(why) = why {
            self.event(
                at,
                "Warning",
                "FailedScheduling",
                &format!("Pod/{pod_name}"),
                &namespace,
                &why,
            );
        }
        if health == CrashLoop {
            self.event(
                at,
                "Warning",
                "BackOff",
                &format!("Pod/{pod_name}"),
                &namespace,
                "Back-off restarting failed container",
            );
        }
        if health == BadImage && last && c_waiting {
            let image = format!("{image}-rc1");
            self.event(
                at,
                "Warning",
                "Failed",
                &format!("Pod/{pod_name}"),
                &namespace,
                &format!("Failed to pull image \"{image}\": not found"),
            );
        }
        if health == OomOnce && i == 0 {
            self.event(
                at,
                "Warning",
                "OOMKilling",
                &format!("Pod/{pod_name}"),
                &namespace,
                &format!("Memory cgroup out of memory: Killed process ({name})"),
            );
        }
    }
}

/// The `n`th address of a /10 starting at `10.{first}.0.0`: unique for a fleet at scale.
fn scaled_ip(first: usize, n: usize) -> String {
    format!("10.{}.{}.{}", first + n / 65_536, n / 256 % 256, n % 256)
}

fn container(name: &str, image: &str, ready: bool, restarts: u32) -> PodContainer {
    PodContainer {
        name: name.into(),
        image: image.into(),
        ready,
        state: "running".into(),
        reason: None,
        exit_code: None,
        restarts,
        last_reason: None,
        last_exit_code: None,
        last_finished: None,
    }
}
