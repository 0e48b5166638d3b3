//! The Kubernetes side of the simulated EKS clusters: managed node groups, a Fargate profile,
//! add-ons, nodes, pods, workloads, HPAs, events and storage, with the failures an on-call
//! engineer meets (a pod in CrashLoopBackOff, one OOMKilled, one Pending for lack of memory),
//! and a small controller so actions have the consequences Kubernetes gives them.

mod controller;
mod objects;
mod seed;

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use crate::domain::kube::{
    Addon, FargateProfile, Hpa, KubeEvent, KubeKind, KubeList, Node, NodeGroup, Pod, Pvc, StorageClass, Workload,
};
use crate::util::rng::Rng;

use seed::{Health, PendingPods};

/// One simulated EKS cluster's inside.
pub struct SimKube {
    arn: String,
    region: String,
    rng: Rng,
    pub(super) nodegroups: Vec<NodeGroup>,
    fargate: Vec<FargateProfile>,
    addons: Vec<Addon>,
    nodes: Vec<Node>,
    /// Shared with whoever read them: a read copies pointers, not pods.
    pods: Vec<Arc<Pod>>,
    workloads: Vec<Workload>,
    /// Health and requests per workload key.
    health: Vec<(String, Health, i64, i64)>,
    hpas: Vec<Hpa>,
    events: Vec<KubeEvent>,
    pvcs: Vec<Pvc>,
    classes: Vec<StorageClass>,
    /// When each crash-looping container last restarted, by pod key.
    last_crash: Vec<(String, Timestamp)>,
    /// A fleet at scale's pods not made yet: they are made the first time the cluster's
    /// API is read ([`SimKube::make_pending`]), so a run that never looks at pods does
    /// not hold them.
    pending: Option<PendingPods>,
    /// Bumped by every change: a read of an unchanged cluster compares two numbers.
    pub(super) revision: u64,
    /// The revision the workloads' ready counts were last counted at.
    counted: u64,
    /// Objects of the other kinds (services, ingresses, jobs, ...), as the API gives them.
    objects: Vec<objects::SimObject>,
}

impl SimKube {
    fn event(&mut self, at: Timestamp, kind: &str, reason: &str, object: &str, namespace: &str, message: &str) {
        if let Some(e) = self
            .events
            .iter_mut()
            .find(|e| e.object == object && e.reason == reason && e.message == message)
        {
            e.count += 1;
            e.last_seen = Some(at);
            return;
        }
        let key = format!(
            "{namespace}/{}.{}",
            object.rsplit('/').next().unwrap_or(object),
            self.rng.hex(8)
        );
        self.events.push(KubeEvent {
            key,
            namespace: namespace.into(),
            kind: kind.into(),
            reason: reason.into(),
            object: object.into(),
            message: message.into(),
            count: 1,
            last_seen: Some(at),
        });
        if self.events.len() > 300 {
            self.events.remove(0);
        }
    }

    pub fn list(&self, kind: KubeKind) -> KubeList {
        fn shared<T: Clone>(v: &[T]) -> Vec<Arc<T>> {
            v.iter().cloned().map(Arc::new).collect()
        }
        match kind {
            KubeKind::Nodes => KubeList::Nodes(shared(&self.nodes)),
            KubeKind::Pods => KubeList::Pods(self.pods.clone()),
            KubeKind::Workloads => KubeList::Workloads(shared(&self.workloads)),
            KubeKind::Hpas => KubeList::Hpas(shared(&self.hpas)),
            KubeKind::Events => KubeList::Events(shared(&self.events)),
            KubeKind::Pvcs => KubeList::Pvcs(shared(&self.pvcs)),
            KubeKind::StorageClasses => KubeList::StorageClasses(shared(&self.classes)),
        }
    }

    /// The revision of the cluster's state: it changes whenever anything in it does.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn arn(&self) -> &str {
        &self.arn
    }

    pub fn fargate(&self) -> Vec<FargateProfile> {
        self.fargate.clone()
    }

    pub fn addons(&self) -> Vec<Addon> {
        self.addons.clone()
    }

    /// The log of a pod's container: what it printed since it started, or its previous run.
    pub fn log(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        previous: bool,
        now: Timestamp,
    ) -> Result<Vec<(Timestamp, String)>, String> {
        let p = self
            .pods
            .iter()
            .find(|p| p.namespace == namespace && p.name == pod)
            .ok_or_else(|| format!("pods \"{pod}\" not found"))?;
        let c = p
            .containers
            .iter()
            .find(|c| c.name == container)
            .ok_or_else(|| format!("container {container} is not valid for pod {pod}"))?;
        if p.phase == "Pending" {
            return Err(format!(
                "container \"{container}\" in pod \"{pod}\" is waiting to start: ContainerCreating"
            ));
        }
        let start = p.created_at.unwrap_or(now);
        if previous {
            let Some(reason) = &c.last_reason else {
                return Err(format!(
                    "previous terminated container \"{container}\" in pod \"{pod}\" not found"
                ));
            };
            let mut lines = vec![
                (start, format!("INFO {container} starting")),
                (
                    start + SignedDuration::from_secs(1),
                    format!("INFO {container} listening on :8080"),
                ),
            ];
            if reason == "OOMKilled" {
                lines.push((
                    start + SignedDuration::from_secs(40),
                    "WARN heap at 96% of limit".into(),
                ));
            } else {
                lines.push((
                    start + SignedDuration::from_secs(2),
                    "ERROR cannot connect to database: dial tcp 10.0.9.14:5432: connect: connection refused".into(),
                ));
            }
            lines.push((
                start + SignedDuration::from_secs(41),
                format!(
                    "ERROR {container} terminated: {reason} (exit code {})",
                    c.last_exit_code.unwrap_or(1)
                ),
            ));
            return Ok(lines);
        }
        let mut lines = vec![
            (start, format!("INFO {container} starting")),
            (
                start + SignedDuration::from_secs(1),
                format!("INFO {container} listening on :8080"),
            ),
        ];
        if c.reason.as_deref() == Some("CrashLoopBackOff") {
            lines.push((
                start + SignedDuration::from_secs(2),
                "ERROR cannot connect to database: dial tcp 10.0.9.14:5432: connect: connection refused".into(),
            ));
            return Ok(lines);
        }
        let mut t = start + SignedDuration::from_secs(30);
        let first = (now - SignedDuration::from_mins(30)).max(t);
        let skip = first.duration_since(t).as_secs() / 30;
        t += SignedDuration::from_secs(skip * 30);
        let mut n = skip;
        while t <= now {
            n += 1;
            let ms = 2 + n % 17;
            lines.push((t, format!("INFO GET /healthz 200 {ms}ms seq={n}")));
            t += SignedDuration::from_secs(30);
        }
        Ok(lines)
    }

    // ---- actions --------------------------------------------------------------------------
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kube::WorkloadKind;

    fn cluster() -> SimKube {
        let t0: Timestamp = "2026-01-02T03:04:05Z".parse().unwrap();
        SimKube::new(
            "arn:aws:eks:us-east-1:1:cluster/platform-k8s",
            "platform-k8s",
            "us-east-1",
            7,
            t0,
        )
    }

    #[test]
    fn the_demo_cluster_has_the_failures_on_call_meets() {
        let k = cluster();
        let KubeList::Pods(pods) = k.list(KubeKind::Pods) else {
            panic!()
        };
        assert!(pods.iter().any(|p| p.status() == "CrashLoopBackOff"));
        assert!(pods.iter().any(|p| p.status() == "OOMKilled"));
        assert!(pods.iter().any(|p| p.phase == "Pending" && p.unschedulable.is_some()));
        assert!(
            pods.iter()
                .any(|p| p.node.as_deref().is_some_and(|n| n.starts_with("fargate-")))
        );
    }

    #[test]
    fn scaling_and_deleting_act_like_a_controller() {
        let mut k = cluster();
        let now: Timestamp = "2026-01-02T03:10:00Z".parse().unwrap();
        k.scale(WorkloadKind::Deployment, "shop", "checkout", 5, now).unwrap();
        assert_eq!(k.pods_of("Deployment/shop/checkout").count(), 5);
        k.scale(WorkloadKind::Deployment, "shop", "checkout", 1, now).unwrap();
        assert_eq!(k.pods_of("Deployment/shop/checkout").count(), 1);
        let pod = k.pods_of("Deployment/shop/checkout").next().unwrap().name.clone();
        let said = k.delete_pod("shop", &pod, now).unwrap();
        assert!(said.contains("replaces it"), "{said}");
        assert_eq!(k.pods_of("Deployment/shop/checkout").count(), 1);
        assert!(k.pods_of("Deployment/shop/checkout").all(|p| p.name != pod));
        assert!(k.delete_pod("shop", "nope", now).is_err());
    }
}
