//! Kubernetes objects as domain types: what the screens read of nodes, pods, workloads,
//! HPAs, events and storage.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::storage::v1::StorageClass as K8sStorageClass;

use crate::domain::kube::{
    Hpa, KubeEvent, Node, NodeSource, Pod, PodContainer, Pvc, StorageClass, Workload, WorkloadKind, mebibytes,
    millicores,
};

pub(super) fn time(t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>) -> Option<Timestamp> {
    t.map(|t| t.0)
}

pub(super) fn label<'a>(
    meta: &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    key: &str,
) -> Option<&'a String> {
    meta.labels.as_ref()?.get(key)
}

pub(super) fn node(n: &core::Node) -> Node {
    let meta = &n.metadata;
    let name = meta.name.clone().unwrap_or_default();
    let ready = n
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True");
    let roles = meta
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/").map(str::to_string))
        .collect();
    let fargate = label(meta, "eks.amazonaws.com/compute-type").is_some_and(|t| t == "fargate");
    let source = if fargate {
        NodeSource::Fargate
    } else if let Some(group) = label(meta, "eks.amazonaws.com/nodegroup") {
        NodeSource::Managed(group.clone())
    } else {
        NodeSource::SelfManaged
    };
    let capacity_type = label(meta, "eks.amazonaws.com/capacityType")
        .cloned()
        .or_else(|| label(meta, "karpenter.sh/capacity-type").map(|c| c.to_uppercase().replace('-', "_")))
        .or_else(|| fargate.then(|| "FARGATE".to_string()));
    let alloc = n.status.as_ref().and_then(|s| s.allocatable.as_ref());
    let quantity = |key: &str| alloc.and_then(|a| a.get(key)).map(|q| q.0.clone()).unwrap_or_default();
    Node {
        ready,
        unschedulable: n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false),
        roles,
        instance_type: label(meta, "node.kubernetes.io/instance-type").cloned(),
        zone: label(meta, "topology.kubernetes.io/zone").cloned(),
        capacity_type,
        source,
        kubelet: n
            .status
            .as_ref()
            .and_then(|s| s.node_info.as_ref())
            .map(|i| i.kubelet_version.clone()),
        alloc_cpu: millicores(&quantity("cpu")),
        alloc_mem: mebibytes(&quantity("memory")),
        created_at: time(meta.creation_timestamp.as_ref()),
        pods: 0,
        req_cpu: 0,
        req_mem: 0,
        name,
    }
}

pub(super) fn pod(p: &core::Pod) -> Pod {
    let meta = &p.metadata;
    let namespace = meta.namespace.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    let status = p.status.as_ref();
    let statuses = status.and_then(|s| s.container_statuses.as_deref()).unwrap_or_default();
    let spec_containers = p.spec.as_ref().map(|s| s.containers.as_slice()).unwrap_or_default();
    let containers = spec_containers
        .iter()
        .map(|c| {
            let st = statuses.iter().find(|s| s.name == c.name);
            let state = st.and_then(|s| s.state.as_ref());
            let last = st
                .and_then(|s| s.last_state.as_ref())
                .and_then(|l| l.terminated.as_ref());
            let (state_name, reason, exit_code) = match state {
                Some(s) if s.running.is_some() => ("running", None, None),
                Some(s) if s.terminated.is_some() => {
                    let t = s.terminated.as_ref();
                    ("terminated", t.and_then(|t| t.reason.clone()), t.map(|t| t.exit_code))
                }
                Some(s) => ("waiting", s.waiting.as_ref().and_then(|w| w.reason.clone()), None),
                None => ("waiting", None, None),
            };
            PodContainer {
                name: c.name.clone(),
                image: c.image.clone().unwrap_or_default(),
                ready: st.is_some_and(|s| s.ready),
                state: state_name.into(),
                reason,
                exit_code,
                restarts: st.map_or(0, |s| s.restart_count.max(0) as u32),
                last_reason: last.and_then(|t| t.reason.clone()),
                last_exit_code: last.map(|t| t.exit_code),
                last_finished: time(last.and_then(|t| t.finished_at.as_ref())),
            }
        })
        .collect();
    let requests = |key: &str| -> i64 {
        spec_containers
            .iter()
            .filter_map(|c| c.resources.as_ref()?.requests.as_ref()?.get(key))
            .map(|q| {
                if key == "cpu" {
                    millicores(&q.0)
                } else {
                    mebibytes(&q.0)
                }
            })
            .sum()
    };
    let unschedulable = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "PodScheduled" && c.status == "False"))
        .and_then(|c| c.message.clone());
    Pod {
        key: format!("{namespace}/{name}"),
        phase: status.and_then(|s| s.phase.clone()).unwrap_or_else(|| "Pending".into()),
        node: p.spec.as_ref().and_then(|s| s.node_name.clone()),
        ip: status.and_then(|s| s.pod_ip.clone()),
        created_at: time(meta.creation_timestamp.as_ref()),
        containers,
        owner: meta
            .owner_references
            .as_ref()
            .and_then(|o| o.first())
            .map(|o| format!("{}/{}", o.kind, o.name)),
        req_cpu: requests("cpu"),
        req_mem: requests("memory"),
        unschedulable,
        namespace,
        name,
    }
}

pub(super) fn images(spec: Option<&core::PodTemplateSpec>) -> Vec<String> {
    spec.and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.iter().filter_map(|c| c.image.clone()).collect())
        .unwrap_or_default()
}

pub(super) fn restarted_at(spec: Option<&core::PodTemplateSpec>) -> Option<String> {
    spec?
        .metadata
        .as_ref()?
        .annotations
        .as_ref()?
        .get("kubectl.kubernetes.io/restartedAt")
        .cloned()
}

pub(super) fn workload(
    kind: WorkloadKind,
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    counts: [i32; 4],
    template: Option<&core::PodTemplateSpec>,
) -> Workload {
    let namespace = meta.namespace.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    let [desired, ready, updated, available] = counts.map(|n| n.max(0) as u32);
    Workload {
        key: format!("{}/{namespace}/{name}", kind.as_str()),
        kind,
        desired,
        ready,
        updated,
        available,
        images: images(template),
        created_at: time(meta.creation_timestamp.as_ref()),
        restarted_at: restarted_at(template),
        namespace,
        name,
    }
}

pub(super) fn deployment(d: &Deployment) -> Workload {
    let s = d.status.as_ref();
    let spec = d.spec.as_ref();
    workload(
        WorkloadKind::Deployment,
        &d.metadata,
        [
            spec.and_then(|s| s.replicas).unwrap_or(1),
            s.and_then(|s| s.ready_replicas).unwrap_or(0),
            s.and_then(|s| s.updated_replicas).unwrap_or(0),
            s.and_then(|s| s.available_replicas).unwrap_or(0),
        ],
        spec.map(|s| &s.template),
    )
}

pub(super) fn statefulset(d: &StatefulSet) -> Workload {
    let s = d.status.as_ref();
    let spec = d.spec.as_ref();
    workload(
        WorkloadKind::StatefulSet,
        &d.metadata,
        [
            spec.and_then(|s| s.replicas).unwrap_or(1),
            s.and_then(|s| s.ready_replicas).unwrap_or(0),
            s.and_then(|s| s.updated_replicas).unwrap_or(0),
            s.and_then(|s| s.available_replicas).unwrap_or(0),
        ],
        spec.map(|s| &s.template),
    )
}

pub(super) fn daemonset(d: &DaemonSet) -> Workload {
    let s = d.status.as_ref();
    workload(
        WorkloadKind::DaemonSet,
        &d.metadata,
        [
            s.map_or(0, |s| s.desired_number_scheduled),
            s.map_or(0, |s| s.number_ready),
            s.and_then(|s| s.updated_number_scheduled).unwrap_or(0),
            s.and_then(|s| s.number_available).unwrap_or(0),
        ],
        d.spec.as_ref().map(|s| &s.template),
    )
}

pub(super) fn hpa(h: &HorizontalPodAutoscaler) -> Hpa {
    let meta = &h.metadata;
    let namespace = meta.namespace.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    let spec = h.spec.as_ref();
    let status = h.status.as_ref();
    let current: Vec<_> = status.and_then(|s| s.current_metrics.clone()).unwrap_or_default();
    let metrics = spec
        .and_then(|s| s.metrics.as_ref())
        .map(|list| {
            list.iter()
                .map(|m| {
                    let (name, target) = match m.resource.as_ref() {
                        Some(r) => (
                            r.name.clone(),
                            r.target
                                .average_utilization
                                .map(|u| format!("{u}%"))
                                .or_else(|| r.target.average_value.as_ref().map(|q| q.0.clone()))
                                .unwrap_or_default(),
                        ),
                        None => (m.type_.clone(), "?".into()),
                    };
                    let now = current
                        .iter()
                        .filter_map(|c| c.resource.as_ref())
                        .find(|r| r.name == name)
                        .and_then(|r| {
                            r.current
                                .average_utilization
                                .map(|u| format!("{u}%"))
                                .or_else(|| r.current.average_value.as_ref().map(|q| q.0.clone()))
                        })
                        .unwrap_or_else(|| "?".into());
                    format!("{name} {now}/{target}")
                })
                .collect()
        })
        .unwrap_or_default();
    Hpa {
        key: format!("{namespace}/{name}"),
        target: spec.map_or_else(String::new, |s| {
            format!("{}/{}", s.scale_target_ref.kind, s.scale_target_ref.name)
        }),
        min: spec.and_then(|s| s.min_replicas).unwrap_or(1).max(0) as u32,
        max: spec.map_or(0, |s| s.max_replicas.max(0) as u32),
        current: status.and_then(|s| s.current_replicas).unwrap_or(0).max(0) as u32,
        desired: status.map_or(0, |s| s.desired_replicas.max(0) as u32),
        metrics,
        namespace,
        name,
    }
}

pub(super) fn event(e: &core::Event) -> KubeEvent {
    let meta = &e.metadata;
    let namespace = meta.namespace.clone().unwrap_or_default();
    let o = &e.involved_object;
    KubeEvent {
        key: format!("{namespace}/{}", meta.name.clone().unwrap_or_default()),
        kind: e.type_.clone().unwrap_or_else(|| "Normal".into()),
        reason: e.reason.clone().unwrap_or_default(),
        object: format!(
            "{}/{}",
            o.kind.clone().unwrap_or_default(),
            o.name.clone().unwrap_or_default()
        ),
        message: e.message.clone().unwrap_or_default(),
        count: e.count.unwrap_or(1).max(1) as u32,
        last_seen: time(e.last_timestamp.as_ref())
            .or_else(|| e.event_time.as_ref().map(|t| t.0))
            .or_else(|| time(e.first_timestamp.as_ref()))
            .or_else(|| time(meta.creation_timestamp.as_ref())),
        namespace,
    }
}

pub(super) fn pvc(p: &core::PersistentVolumeClaim) -> Pvc {
    let meta = &p.metadata;
    let namespace = meta.namespace.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    Pvc {
        key: format!("{namespace}/{name}"),
        status: if meta.deletion_timestamp.is_some() {
            "Terminating".into()
        } else {
            p.status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_else(|| "Pending".into())
        },
        volume: p.spec.as_ref().and_then(|s| s.volume_name.clone()),
        capacity: p
            .status
            .as_ref()
            .and_then(|s| s.capacity.as_ref())
            .and_then(|c| c.get("storage"))
            .map(|q| q.0.clone()),
        storage_class: p.spec.as_ref().and_then(|s| s.storage_class_name.clone()),
        created_at: time(meta.creation_timestamp.as_ref()),
        namespace,
        name,
    }
}

pub(super) fn storage_class(c: &K8sStorageClass) -> StorageClass {
    let default = c
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("storageclass.kubernetes.io/is-default-class"))
        .is_some_and(|v| v == "true");
    StorageClass {
        name: c.metadata.name.clone().unwrap_or_default(),
        provisioner: c.provisioner.clone(),
        default,
        reclaim: c.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
        binding: c.volume_binding_mode.clone().unwrap_or_else(|| "Immediate".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pod_in_crash_loop_reads_as_kubectl_says() {
        let p: core::Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "payments-1", "namespace": "shop", "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "payments-7f9d", "uid": "u"}]},
            "spec": {"nodeName": "ip-1", "containers": [{"name": "app", "image": "payments:3",
                "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}}}]},
            "status": {"phase": "Running", "podIP": "10.0.0.9", "containerStatuses": [{
                "name": "app", "image": "payments:3", "imageID": "", "ready": false, "restartCount": 14,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}
        }))
        .unwrap();
        let p = pod(&p);
        assert_eq!(p.status(), "CrashLoopBackOff");
        assert_eq!(p.restarts(), 14);
        assert_eq!((p.req_cpu, p.req_mem), (250, 512));
        assert_eq!(p.owner.as_deref(), Some("ReplicaSet/payments-7f9d"));
        assert_eq!(p.containers[0].last_exit_code, Some(1));
    }
}
