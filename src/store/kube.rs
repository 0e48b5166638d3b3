//! What bosun keeps of each EKS cluster: node groups, add-ons and its Kubernetes resources.
//! The Kubernetes resources arrive as changes (see [`KubeChanges`]) and are kept in the
//! order screens show them, shared with the watch that made them: a change costs its own
//! objects, not a copy of the cluster.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;

use super::Collection;
use super::table::{Cell, Column, Row, RowCx, SortKey};
use crate::domain::kinds::{KindInfo, KubeObject, KubeTable, TableColumn, TableRow};
use crate::domain::kube::*;
use crate::domain::{FetchError, Keyed};

/// A batch that changes more than this share of a set rebuilds it instead of editing.
const REBUILD_SHARE: usize = 8;

/// One kind of a cluster's Kubernetes objects, in their shown order, with how fresh they
/// are and what went wrong since.
#[derive(Debug, Clone)]
pub struct KubeSet<T> {
    items: Vec<Arc<T>>,
    by_key: HashMap<String, Arc<T>>,
    pub fetched_at: Option<Timestamp>,
    pub error: Option<FetchError>,
    /// Bumped whenever the items change.
    pub version: u64,
    /// While the first list is arriving: how many objects the API server has sent.
    pub listing: Option<usize>,
}

impl<T> Default for KubeSet<T> {
    fn default() -> Self {
        KubeSet {
            items: Vec::new(),
            by_key: HashMap::new(),
            fetched_at: None,
            error: None,
            version: 0,
            listing: None,
        }
    }
}

impl<T: Keyed + Shown + PartialEq> KubeSet<T> {
    pub fn items(&self) -> &[Arc<T>] {
        &self.items
    }

    pub fn get(&self, key: &str) -> Option<&Arc<T>> {
        self.by_key.get(key)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn is_loaded(&self) -> bool {
        self.fetched_at.is_some()
    }

    fn position(&self, object: &T) -> Result<usize, usize> {
        self.items.binary_search_by(|x| T::order(x, object))
    }

    /// Apply what changed. Returns whether anything visible did.
    pub fn apply(
        &mut self,
        reset: bool,
        mut upsert: Vec<Arc<T>>,
        removed: Vec<String>,
        listing: Option<usize>,
        at: Timestamp,
    ) -> bool {
        let was_error = self.error.take().is_some();
        let first = self.fetched_at.is_none();
        let progress = self.listing != listing;
        self.fetched_at = Some(at);
        self.listing = listing;
        if reset {
            // The whole set: sorted where it was made, off the app loop.
            if !upsert.is_sorted_by(|a, b| T::order(a, b) != Ordering::Greater) {
                upsert.sort_by(|a, b| T::order(a, b));
            }
            let same = upsert.len() == self.items.len()
                && upsert.iter().zip(&self.items).all(|(a, b)| Arc::ptr_eq(a, b) || a == b);
            if same && !first {
                return was_error || progress;
            }
            self.by_key = upsert.iter().map(|t| (t.key().to_string(), t.clone())).collect();
            self.items = upsert;
            self.version += 1;
            return true;
        }
        if upsert.is_empty() && removed.is_empty() {
            return was_error || progress || first;
        }
        if upsert.len() + removed.len() > self.items.len() / REBUILD_SHARE + 64 {
            // Many changes: one pass over the set, not an edit each.
            for key in &removed {
                self.by_key.remove(key);
            }
            for t in upsert {
                self.by_key.insert(t.key().to_string(), t);
            }
            let mut items: Vec<Arc<T>> = self.by_key.values().cloned().collect();
            items.sort_by(|a, b| T::order(a, b));
            self.items = items;
            self.version += 1;
            return true;
        }
        for key in &removed {
            if let Some(old) = self.by_key.remove(key)
                && let Ok(at) = self.position(&old)
            {
                self.items.remove(at);
            }
        }
        for new in upsert {
            match self.by_key.get(new.key()).cloned() {
                Some(old) if T::order(&old, &new) == Ordering::Equal => {
                    if let Ok(at) = self.position(&old) {
                        self.items[at] = new.clone();
                    }
                }
                Some(old) => {
                    if let Ok(at) = self.position(&old) {
                        self.items.remove(at);
                    }
                    let at = self.position(&new).unwrap_or_else(|at| at);
                    self.items.insert(at, new.clone());
                }
                None => {
                    let at = self.position(&new).unwrap_or_else(|at| at);
                    self.items.insert(at, new.clone());
                }
            }
            self.by_key.insert(new.key().to_string(), new);
        }
        self.version += 1;
        true
    }

    /// Record a failed read; the items stay as they were.
    pub fn fail(&mut self, error: FetchError) -> bool {
        let changed = self.error.as_ref() != Some(&error);
        self.error = Some(error);
        changed
    }

    /// Change one object in place (its order unchanged). Bumps the version if it did.
    fn modify(&mut self, key: &str, f: impl FnOnce(&mut T) -> bool) -> bool {
        let Some(old) = self.by_key.get(key).cloned() else {
            return false;
        };
        let Ok(at) = self.position(&old) else {
            return false;
        };
        let mut new = (*old).clone_for_edit();
        if !f(&mut new) {
            return false;
        }
        debug_assert_eq!(
            T::order(&old, &new),
            Ordering::Equal,
            "an edit in place keeps the order"
        );
        let new = Arc::new(new);
        self.items[at] = new.clone();
        self.by_key.insert(key.to_string(), new);
        self.version += 1;
        true
    }
}

/// The order a kind is shown in: total (ties broken by key), so that an object can be
/// found in the set by what it is.
pub trait Shown: Sized {
    fn order(a: &Self, b: &Self) -> Ordering;

    fn clone_for_edit(&self) -> Self;
}

macro_rules! shown_by {
    ($ty:ty, |$a:ident, $b:ident| $order:expr) => {
        impl Shown for $ty {
            fn order($a: &Self, $b: &Self) -> Ordering {
                $order.then_with(|| $a.key().cmp($b.key()))
            }
            fn clone_for_edit(&self) -> Self {
                self.clone()
            }
        }
    };
}

shown_by!(Node, |a, b| crate::util::natural_cmp(&a.name, &b.name));
shown_by!(Pod, |a, b| crate::util::natural_cmp(&a.key, &b.key));
shown_by!(Workload, |a, b| (a.kind, &a.namespace, &a.name).cmp(&(
    b.kind,
    &b.namespace,
    &b.name
)));
shown_by!(Hpa, |a, b| a.key.cmp(&b.key));
shown_by!(KubeEvent, |a, b| b.last_seen.cmp(&a.last_seen));
shown_by!(Pvc, |a, b| a.key.cmp(&b.key));
shown_by!(StorageClass, |a, b| a.name.cmp(&b.name));
shown_by!(TableRow, |a, b| a
    .namespace
    .cmp(&b.namespace)
    .then_with(|| crate::util::natural_cmp(&a.name, &b.name)));

/// The objects of any kind, with the columns the API server prints them in.
#[derive(Debug, Default, Clone)]
pub struct Generic {
    pub columns: Vec<TableColumn>,
    pub rows: KubeSet<TableRow>,
}

impl Generic {
    pub fn apply(&mut self, table: KubeTable, at: Timestamp) -> bool {
        let columns_changed = self.columns != table.columns;
        self.columns = table.columns;
        let rows_changed = self.rows.apply(true, table.rows, Vec::new(), None, at);
        if columns_changed {
            self.rows.version += 1;
        }
        columns_changed || rows_changed
    }
}

/// One object read whole, and how fresh it is.
#[derive(Debug, Clone)]
pub struct Fetched<T> {
    pub value: Option<T>,
    pub fetched_at: Option<Timestamp>,
    pub error: Option<FetchError>,
}

impl<T> Default for Fetched<T> {
    fn default() -> Self {
        Fetched {
            value: None,
            fetched_at: None,
            error: None,
        }
    }
}

impl<T: PartialEq> Fetched<T> {
    pub fn set(&mut self, value: T, at: Timestamp) -> bool {
        let was_error = self.error.take().is_some();
        self.fetched_at = Some(at);
        let changed = self.value.as_ref() != Some(&value);
        self.value = Some(value);
        changed || was_error
    }

    pub fn fail(&mut self, error: FetchError) -> bool {
        let changed = self.error.as_ref() != Some(&error);
        self.error = Some(error);
        changed
    }
}

/// Where the objects of a kind (as asked for) in a namespace (or all) are kept.
pub fn table_key(kind: &str, namespace: Option<&str>) -> String {
    format!("{kind} {}", namespace.unwrap_or("*"))
}

/// Where one object is kept.
pub fn object_key(kind: &str, namespace: Option<&str>, name: &str) -> String {
    format!("{kind} {}/{name}", namespace.unwrap_or(""))
}

/// Rows shared with a watch are shown as the rows they point at.
impl<T: Row + Send + Sync + 'static> Row for Arc<T> {
    fn columns() -> &'static [Column] {
        T::columns()
    }

    fn row_columns(&self) -> &'static [Column] {
        (**self).row_columns()
    }

    fn shared(&self) -> Option<super::table::SharedRow> {
        Some(self.clone())
    }

    fn cell(&self, column: usize, cx: &RowCx<'_>) -> Cell<'_> {
        (**self).cell(column, cx)
    }

    fn sort_key(&self, column: usize, cx: &RowCx<'_>) -> SortKey<'_> {
        (**self).sort_key(column, cx)
    }

    fn health_rank(&self, cx: &RowCx<'_>) -> Option<u8> {
        (**self).health_rank(cx)
    }
}

/// What is known of one EKS cluster beyond its description.
#[derive(Debug, Default, Clone)]
pub struct KubeData {
    pub nodegroups: Collection<NodeGroup>,
    pub fargate: Collection<FargateProfile>,
    pub addons: Collection<Addon>,
    pub nodes: KubeSet<Node>,
    pub pods: KubeSet<Pod>,
    pub workloads: KubeSet<Workload>,
    pub hpas: KubeSet<Hpa>,
    pub events: KubeSet<KubeEvent>,
    pub pvcs: KubeSet<Pvc>,
    pub classes: KubeSet<StorageClass>,
    /// Every kind the cluster serves.
    pub kinds: Collection<KindInfo>,
    /// Objects of any kind, by [`table_key`].
    pub tables: HashMap<String, Generic>,
    /// Objects read whole, by [`object_key`].
    pub objects: HashMap<String, Fetched<KubeObject>>,
    /// Its pods in trouble, for the list across every cluster.
    pub trouble: Collection<TroubledPod>,
    /// Pods and requests per node, kept as pods change.
    load: HashMap<String, Load>,
}

/// What runs on a node: pods (not finished) and their requests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Load {
    pods: u32,
    cpu: i64,
    mem: i64,
}

impl Load {
    fn of(pod: &Pod) -> Option<(&str, Load)> {
        let node = pod.node.as_deref()?;
        (pod.phase != "Succeeded").then_some((
            node,
            Load {
                pods: 1,
                cpu: pod.req_cpu,
                mem: pod.req_mem,
            },
        ))
    }
}

impl KubeData {
    pub fn apply(&mut self, changes: KubeChanges, at: Timestamp) -> bool {
        let KubeChanges {
            reset,
            upsert,
            removed,
            listing,
        } = changes;
        match upsert {
            KubeList::Nodes(nodes) => {
                let keys: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
                let mut changed = self.nodes.apply(reset, nodes, removed, listing, at);
                // What runs on them comes from the pods.
                let targets = if reset {
                    self.nodes.items().iter().map(|n| n.name.clone()).collect()
                } else {
                    keys
                };
                for name in targets {
                    changed |= self.show_load(&name);
                }
                changed
            }
            KubeList::Pods(pods) => {
                // Node loads follow: the old pods' share out, the new ones' in.
                let mut touched: Vec<String> = Vec::new();
                if reset {
                    self.load.clear();
                } else {
                    let olds: Vec<Arc<Pod>> = pods
                        .iter()
                        .map(|p| p.key.as_str())
                        .chain(removed.iter().map(String::as_str))
                        .filter_map(|k| self.pods.get(k).cloned())
                        .collect();
                    for old in &olds {
                        self.count(old, -1);
                        touched.extend(old.node.clone());
                    }
                }
                let news = if reset { Vec::new() } else { pods.clone() };
                let changed = self.pods.apply(reset, pods, removed, listing, at);
                if reset {
                    let all: Vec<Arc<Pod>> = self.pods.items().to_vec();
                    for p in &all {
                        self.count(p, 1);
                    }
                    touched = self.nodes.items().iter().map(|n| n.name.clone()).collect();
                } else {
                    for p in &news {
                        self.count(p, 1);
                        touched.extend(p.node.clone());
                    }
                }
                touched.sort();
                touched.dedup();
                for name in touched {
                    self.show_load(&name);
                }
                changed
            }
            KubeList::Workloads(w) => self.workloads.apply(reset, w, removed, listing, at),
            KubeList::Hpas(h) => self.hpas.apply(reset, h, removed, listing, at),
            KubeList::Events(e) => self.events.apply(reset, e, removed, listing, at),
            KubeList::Pvcs(p) => self.pvcs.apply(reset, p, removed, listing, at),
            KubeList::StorageClasses(c) => self.classes.apply(reset, c, removed, listing, at),
        }
    }

    fn count(&mut self, pod: &Pod, sign: i64) {
        if let Some((node, load)) = Load::of(pod) {
            let total = self.load.entry(node.to_string()).or_default();
            total.pods = (total.pods as i64 + sign * load.pods as i64).max(0) as u32;
            total.cpu += sign * load.cpu;
            total.mem += sign * load.mem;
        }
    }

    /// Put a node's load on its row. Returns whether it changed.
    fn show_load(&mut self, name: &str) -> bool {
        let load = self.load.get(name).copied().unwrap_or_default();
        self.nodes.modify(name, |n| {
            let before = (n.pods, n.req_cpu, n.req_mem);
            (n.pods, n.req_cpu, n.req_mem) = (load.pods, load.cpu, load.mem);
            before != (n.pods, n.req_cpu, n.req_mem)
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, node: &str, cpu: i64) -> Arc<Pod> {
        Arc::new(Pod {
            key: format!("shop/{name}"),
            namespace: "shop".into(),
            name: name.into(),
            phase: "Running".into(),
            node: Some(node.into()),
            ip: None,
            created_at: None,
            containers: vec![],
            owner: None,
            req_cpu: cpu,
            req_mem: 0,
            unschedulable: None,
        })
    }

    fn node(name: &str) -> Arc<Node> {
        Arc::new(Node {
            name: name.into(),
            ready: true,
            unschedulable: false,
            roles: vec![],
            instance_type: None,
            zone: None,
            capacity_type: None,
            source: NodeSource::SelfManaged,
            kubelet: None,
            alloc_cpu: 2000,
            alloc_mem: 4096,
            created_at: None,
            pods: 0,
            req_cpu: 0,
            req_mem: 0,
        })
    }

    fn names(d: &KubeData) -> Vec<&str> {
        d.pods.items().iter().map(|p| p.name.as_str()).collect()
    }

    fn changes(upsert: Vec<Arc<Pod>>, removed: &[&str]) -> KubeChanges {
        KubeChanges {
            reset: false,
            upsert: KubeList::Pods(upsert),
            removed: removed.iter().map(|k| format!("shop/{k}")).collect(),
            listing: None,
        }
    }

    #[test]
    fn each_change_moves_exactly_its_row_and_the_node_loads_follow() {
        let at = Timestamp::UNIX_EPOCH;
        let mut d = KubeData::default();
        d.apply(KubeChanges::all(KubeList::Nodes(vec![node("n1"), node("n2")])), at);
        let all = vec![
            pod("web-10", "n1", 100),
            pod("web-2", "n1", 100),
            pod("api-1", "n2", 50),
        ];
        assert!(d.apply(KubeChanges::all(KubeList::Pods(all)), at));
        // Natural order: web-2 before web-10.
        assert_eq!(names(&d), ["api-1", "web-2", "web-10"]);
        let load = |d: &KubeData, n: &str| {
            let n = d.nodes.get(n).unwrap();
            (n.pods, n.req_cpu)
        };
        assert_eq!((load(&d, "n1"), load(&d, "n2")), ((2, 200), (1, 50)));
        let untouched = d.pods.get("shop/api-1").unwrap().clone();

        // Modified in place: the same row, the others the same objects.
        let version = d.pods.version;
        assert!(d.apply(changes(vec![pod("web-2", "n2", 300)], &[]), at));
        assert_eq!(names(&d), ["api-1", "web-2", "web-10"]);
        assert!(Arc::ptr_eq(d.pods.get("shop/api-1").unwrap(), &untouched));
        assert_eq!(d.pods.version, version + 1);
        assert_eq!((load(&d, "n1"), load(&d, "n2")), ((1, 100), (2, 350)));

        // Added where it sorts; deleted from where it was.
        assert!(d.apply(changes(vec![pod("web-3", "n1", 10)], &["api-1"]), at));
        assert_eq!(names(&d), ["web-2", "web-3", "web-10"]);
        assert!(d.pods.get("shop/api-1").is_none());
        assert_eq!((load(&d, "n1"), load(&d, "n2")), ((2, 110), (1, 300)));

        // Nothing changed: no new version, nothing to redraw.
        let version = d.pods.version;
        assert!(!d.apply(KubeChanges::none(KubeKind::Pods), at));
        assert_eq!(d.pods.version, version);
    }

    #[test]
    fn a_big_batch_rebuilds_and_keeps_the_order() {
        let at = Timestamp::UNIX_EPOCH;
        let mut set: KubeSet<Pod> = KubeSet::default();
        let first: Vec<Arc<Pod>> = (0..100).map(|i| pod(&format!("p-{i}"), "n", 1)).collect();
        set.apply(true, first, vec![], None, at);
        let more: Vec<Arc<Pod>> = (100..300).map(|i| pod(&format!("p-{i}"), "n", 1)).collect();
        let gone: Vec<String> = (0..50).map(|i| format!("shop/p-{i}")).collect();
        set.apply(false, more, gone, None, at);
        assert_eq!(set.len(), 250);
        assert!(
            set.items()
                .windows(2)
                .all(|w| Pod::order(&w[0], &w[1]) == Ordering::Less)
        );
        assert!(set.get("shop/p-10").is_none() && set.get("shop/p-299").is_some());
    }

    #[test]
    fn events_keep_newest_first_when_one_changes() {
        let at = Timestamp::UNIX_EPOCH;
        let event = |key: &str, secs: i64| {
            Arc::new(KubeEvent {
                key: key.into(),
                namespace: "shop".into(),
                kind: "Normal".into(),
                reason: "r".into(),
                object: "o".into(),
                message: "m".into(),
                count: 1,
                last_seen: Some(Timestamp::from_second(secs).unwrap()),
            })
        };
        let mut set: KubeSet<KubeEvent> = KubeSet::default();
        set.apply(
            true,
            vec![event("a", 1), event("b", 2), event("c", 3)],
            vec![],
            None,
            at,
        );
        let keys = |s: &KubeSet<KubeEvent>| s.items().iter().map(|e| e.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&set), ["c", "b", "a"]);
        // `a` happens again: it moves to the top.
        set.apply(false, vec![event("a", 4)], vec![], None, at);
        assert_eq!(keys(&set), ["a", "c", "b"]);
    }
}
