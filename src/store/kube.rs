//! What bosun keeps of each EKS cluster: node groups, add-ons and its Kubernetes resources.

use jiff::Timestamp;

use super::Collection;
use crate::domain::FetchError;
use crate::domain::kube::*;

/// What is known of one EKS cluster beyond its description.
#[derive(Debug, Default)]
pub struct KubeData {
    pub nodegroups: Collection<NodeGroup>,
    pub fargate: Collection<FargateProfile>,
    pub addons: Collection<Addon>,
    pub nodes: Collection<Node>,
    pub pods: Collection<Pod>,
    pub workloads: Collection<Workload>,
    pub hpas: Collection<Hpa>,
    pub events: Collection<KubeEvent>,
    pub pvcs: Collection<Pvc>,
    pub classes: Collection<StorageClass>,
}

impl KubeData {
    pub fn apply(&mut self, list: KubeList, at: Timestamp) -> bool {
        match list {
            KubeList::Nodes(mut nodes) => {
                nodes.sort_by(|a, b| crate::util::natural_cmp(&a.name, &b.name));
                derive_node_load(&mut nodes, self.pods.items());
                self.nodes.replace(nodes, at)
            }
            KubeList::Pods(mut pods) => {
                pods.sort_by(|a, b| crate::util::natural_cmp(&a.key, &b.key));
                let changed = self.pods.replace(pods, at);
                if changed {
                    let pods = self.pods.items();
                    self.nodes.modify(|n| {
                        let before = (n.pods, n.req_cpu, n.req_mem);
                        derive_node_load(std::slice::from_mut(n), pods);
                        before != (n.pods, n.req_cpu, n.req_mem)
                    });
                }
                changed
            }
            KubeList::Workloads(mut w) => {
                w.sort_by(|a, b| (a.kind, &a.namespace, &a.name).cmp(&(b.kind, &b.namespace, &b.name)));
                self.workloads.replace(w, at)
            }
            KubeList::Hpas(mut h) => {
                h.sort_by(|a, b| a.key.cmp(&b.key));
                self.hpas.replace(h, at)
            }
            KubeList::Events(mut e) => {
                e.sort_by_key(|e| std::cmp::Reverse(e.last_seen));
                self.events.replace(e, at)
            }
            KubeList::Pvcs(mut p) => {
                p.sort_by(|a, b| a.key.cmp(&b.key));
                self.pvcs.replace(p, at)
            }
            KubeList::StorageClasses(mut c) => {
                c.sort_by(|a, b| a.name.cmp(&b.name));
                self.classes.replace(c, at)
            }
        }
    }

    pub fn fail(&mut self, kind: KubeKind, error: FetchError) -> bool {
        match kind {
            KubeKind::Nodes => self.nodes.fail(error),
            KubeKind::Pods => self.pods.fail(error),
            KubeKind::Workloads => self.workloads.fail(error),
            KubeKind::Hpas => self.hpas.fail(error),
            KubeKind::Events => self.events.fail(error),
            KubeKind::Pvcs => self.pvcs.fail(error),
            KubeKind::StorageClasses => self.classes.fail(error),
        }
    }
}

/// Pods and requests per node, from the pods scheduled on it.
fn derive_node_load(nodes: &mut [Node], pods: &[Pod]) {
    for node in nodes {
        let mine = pods
            .iter()
            .filter(|p| p.node.as_deref() == Some(node.name.as_str()) && p.phase != "Succeeded");
        let (mut n, mut cpu, mut mem) = (0, 0, 0);
        for p in mine {
            n += 1;
            cpu += p.req_cpu;
            mem += p.req_mem;
        }
        node.pods = n;
        node.req_cpu = cpu;
        node.req_mem = mem;
    }
}
