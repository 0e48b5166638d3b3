//! EKS and Kubernetes screens: a cluster's node groups, Fargate profiles and add-ons; its
//! nodes, pods, workloads, HPAs, events and storage; one pod and its containers.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;

use super::{details, empty_text, error_line, status_tone, toned};
use crate::domain::kube::{
    Addon, FargateProfile, Hpa, KubeEvent, KubeKind, Node, NodeGroup, Pod, PodContainer, Pvc, StorageClass, Workload,
};
use crate::store::kube::KubeData;
use crate::store::ui::{Page, Route};
use crate::store::{Collection, Store};
use crate::ui::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::ui::theme::Theme;
use crate::util::{arn_tail, fmt_age};

/// The panes of the EKS cluster screen, in focus order.
pub mod eks_panes {
    pub const NODEGROUPS: usize = 0;
    pub const FARGATE: usize = 1;
    pub const ADDONS: usize = 2;
}

fn age(t: Option<jiff::Timestamp>, cx: &RowCx) -> Cell<'static> {
    t.map_or_else(|| Cell::muted("-"), |t| Cell::new(fmt_age(t, cx.now)))
}

fn text_key<'a, T: Row>(row: &'a T, column: usize, cx: &RowCx) -> SortKey<'a> {
    SortKey::Text(Cow::Owned(row.cell(column, cx).text.into_owned()))
}

/// `used/total` with a percentage, warning when nearly full.
fn load(used: i64, total: i64, unit: &str) -> Cell<'static> {
    if total <= 0 {
        return Cell::muted("-");
    }
    let pct = used * 100 / total;
    let tone = if pct >= 90 {
        Tone::Err
    } else if pct >= 75 {
        Tone::Warn
    } else {
        Tone::Normal
    };
    let fmt = |v: i64| {
        if unit == "Gi" {
            format!("{:.1}", v as f64 / 1024.0)
        } else {
            format!("{:.1}", v as f64 / 1000.0)
        }
    };
    Cell::tone(format!("{}/{} {pct}%", fmt(used), fmt(total)), tone)
}

pub fn pod_tone(p: &Pod) -> Tone {
    match p.status().as_str() {
        "Running" if !p.failing() => Tone::Ok,
        "Succeeded" | "Completed" => Tone::Muted,
        "Pending" | "ContainerCreating" | "PodInitializing" => Tone::Warn,
        _ if p.failing() => Tone::Err,
        _ => Tone::Warn,
    }
}

// ---- rows ---------------------------------------------------------------------------------------

impl Row for NodeGroup {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("NAME", 10, 28, 0),
            Column::new("STATUS", 8, 16, 0),
            Column::new("CAPACITY", 9, 9, 0),
            Column::new("INSTANCE TYPES", 12, 30, 1),
            Column::new("AMI", 10, 24, 3),
            Column::new("MIN", 3, 4, 0).right(),
            Column::new("DESIRED", 7, 7, 0).right(),
            Column::new("MAX", 3, 4, 0).right(),
            Column::new("VERSION", 7, 8, 2),
            Column::new("HEALTH", 8, 60, 1).late(),
        ];
        C
    }

    fn cell(&self, column: usize, _cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.name.as_str()),
            1 => Cell::tone(self.status.as_str(), status_tone(&self.status)),
            2 => Cell::tone(
                self.capacity_type.as_str(),
                if self.capacity_type == "SPOT" {
                    Tone::Info
                } else {
                    Tone::Normal
                },
            ),
            3 => Cell::new(self.instance_types.join(",")),
            4 => Cell::new(self.ami_type.as_str()),
            5 => Cell::new(self.min.to_string()),
            6 => Cell::new(self.desired.to_string()),
            7 => Cell::new(self.max.to_string()),
            8 => Cell::opt(self.version.as_deref()),
            9 if self.health_issues.is_empty() => Cell::tone("ok", Tone::Ok),
            9 => Cell::tone(self.health_issues.join("; "), Tone::Err),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            5 => SortKey::num(self.min),
            6 => SortKey::num(self.desired),
            7 => SortKey::num(self.max),
            _ => text_key(self, column, cx),
        }
    }
}

impl Row for FargateProfile {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("NAME", 10, 28, 0),
            Column::new("STATUS", 8, 16, 0),
            Column::new("SELECTORS", 16, 60, 0),
            Column::new("SUBNETS", 10, 60, 2).late(),
            Column::new("POD ROLE", 10, 40, 1).late(),
        ];
        C
    }

    fn cell(&self, column: usize, _cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.name.as_str()),
            1 => Cell::tone(self.status.as_str(), status_tone(&self.status)),
            2 => Cell::new(self.selectors.join(" · ")),
            3 => Cell::new(self.subnets.join(",")),
            4 => Cell::new(super::role_name(self.role.as_deref())),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        text_key(self, column, cx)
    }
}

impl Row for Addon {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("NAME", 10, 28, 0),
            Column::new("VERSION", 10, 24, 0),
            Column::new("STATUS", 8, 16, 0),
            Column::new("HEALTH", 8, 80, 1).late(),
        ];
        C
    }

    fn cell(&self, column: usize, _cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.name.as_str()),
            1 => Cell::new(self.version.as_str()),
            2 => Cell::tone(self.status.as_str(), status_tone(&self.status)),
            3 if self.health_issues.is_empty() => Cell::tone("ok", Tone::Ok),
            3 => Cell::tone(self.health_issues.join("; "), Tone::Err),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        text_key(self, column, cx)
    }
}

impl Row for Node {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("NAME", 22, 44, 0).late(),
            Column::new("STATUS", 5, 24, 0),
            Column::new("GROUP", 8, 20, 1),
            Column::new("TYPE", 9, 12, 1),
            Column::new("CAPACITY", 8, 9, 2),
            Column::new("ZONE", 10, 11, 3),
            Column::new("PODS", 4, 5, 0).right(),
            Column::new("CPU REQ", 13, 16, 0).right(),
            Column::new("MEM REQ (Gi)", 14, 18, 1).right(),
            Column::new("KUBELET", 7, 20, 4),
            Column::new("AGE", 6, 6, 2).right(),
        ];
        C
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.name.as_str()),
            1 => match (self.ready, self.unschedulable) {
                (true, false) => Cell::tone("Ready", Tone::Ok),
                (true, true) => Cell::tone("Ready,SchedulingDisabled", Tone::Warn),
                (false, false) => Cell::tone("NotReady", Tone::Err),
                (false, true) => Cell::tone("NotReady,SchedulingDisabled", Tone::Err),
            },
            2 => Cell::new(self.source.label()),
            3 => Cell::opt(self.instance_type.as_deref()),
            4 => Cell::opt(self.capacity_type.as_deref()),
            5 => Cell::opt(self.zone.as_deref()),
            6 => Cell::new(self.pods.to_string()),
            7 => load(self.req_cpu, self.alloc_cpu, "cpu"),
            8 => load(self.req_mem, self.alloc_mem, "Gi"),
            9 => Cell::opt(self.kubelet.as_deref()),
            10 => age(self.created_at, cx),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            6 => SortKey::num(self.pods),
            7 => SortKey::num(self.req_cpu * 1000 / self.alloc_cpu.max(1)),
            8 => SortKey::num(self.req_mem * 1000 / self.alloc_mem.max(1)),
            10 => SortKey::time(self.created_at).negate(),
            _ => text_key(self, column, cx),
        }
    }
}

impl Row for Pod {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("NAMESPACE", 9, 16, 1),
            Column::new("NAME", 16, 48, 0),
            Column::new("READY", 5, 5, 0).right(),
            Column::new("STATUS", 9, 18, 0),
            Column::new("RESTARTS", 8, 8, 0).right(),
            Column::new("AGE", 4, 6, 0).right(),
            Column::new("IP", 10, 15, 3),
            Column::new("NODE", 12, 44, 2),
        ];
        C
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.namespace.as_str()),
            1 => Cell::new(self.name.as_str()),
            2 => {
                let (ready, total) = self.ready_count();
                Cell::tone(
                    format!("{ready}/{total}"),
                    if ready == total { Tone::Normal } else { Tone::Warn },
                )
            }
            3 => Cell::tone(self.status(), pod_tone(self)),
            4 => {
                let n = self.restarts();
                Cell::tone(n.to_string(), if n > 0 { Tone::Warn } else { Tone::Normal })
            }
            5 => age(self.created_at, cx),
            6 => Cell::opt(self.ip.as_deref()),
            7 => Cell::opt(self.node.as_deref()),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            4 => SortKey::num(self.restarts()),
            5 => SortKey::time(self.created_at).negate(),
            _ => text_key(self, column, cx),
        }
    }
}

impl Row for PodContainer {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("NAME", 8, 24, 0),
            Column::new("IMAGE", 12, 70, 1),
            Column::new("READY", 5, 5, 0),
            Column::new("STATE", 7, 10, 0),
            Column::new("REASON", 8, 18, 0),
            Column::new("RESTARTS", 8, 8, 0).right(),
            Column::new("LAST EXIT", 9, 24, 0),
        ];
        C
    }

    fn cell(&self, column: usize, _cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.name.as_str()),
            1 => Cell::new(self.image.as_str()),
            2 if self.ready => Cell::tone("✓", Tone::Ok),
            2 => Cell::tone("✗", Tone::Err),
            3 => Cell::new(self.state.as_str()),
            4 => match &self.reason {
                Some(r) => Cell::tone(r.as_str(), Tone::Err),
                None => Cell::muted("-"),
            },
            5 => Cell::tone(
                self.restarts.to_string(),
                if self.restarts > 0 { Tone::Warn } else { Tone::Normal },
            ),
            6 => match (&self.last_reason, self.last_exit_code) {
                (Some(r), Some(code)) => Cell::tone(format!("{r} ({code})"), Tone::Warn),
                (Some(r), None) => Cell::tone(r.as_str(), Tone::Warn),
                _ => Cell::muted("-"),
            },
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            5 => SortKey::num(self.restarts),
            _ => text_key(self, column, cx),
        }
    }
}

impl Row for Workload {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("KIND", 9, 11, 0),
            Column::new("NAMESPACE", 9, 16, 1),
            Column::new("NAME", 10, 40, 0),
            Column::new("READY", 5, 7, 0).right(),
            Column::new("UP-TO-DATE", 10, 10, 1).right(),
            Column::new("AVAILABLE", 9, 9, 2).right(),
            Column::new("IMAGES", 10, 60, 3).late(),
            Column::new("AGE", 4, 6, 1).right(),
        ];
        C
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.kind.as_str()),
            1 => Cell::new(self.namespace.as_str()),
            2 => Cell::new(self.name.as_str()),
            3 => Cell::tone(
                format!("{}/{}", self.ready, self.desired),
                if self.ready >= self.desired {
                    Tone::Ok
                } else if self.ready == 0 && self.desired > 0 {
                    Tone::Err
                } else {
                    Tone::Warn
                },
            ),
            4 => Cell::new(self.updated.to_string()),
            5 => Cell::new(self.available.to_string()),
            6 => Cell::new(
                self.images
                    .iter()
                    .map(|i| i.rsplit('/').next().unwrap_or(i))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            7 => age(self.created_at, cx),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            3 => SortKey::num(i64::from(self.ready) - i64::from(self.desired)),
            7 => SortKey::time(self.created_at).negate(),
            _ => text_key(self, column, cx),
        }
    }
}

impl Row for Hpa {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("NAMESPACE", 9, 16, 1),
            Column::new("NAME", 10, 30, 0),
            Column::new("TARGET", 10, 36, 0),
            Column::new("METRICS", 12, 50, 0),
            Column::new("MIN", 3, 4, 0).right(),
            Column::new("MAX", 3, 4, 0).right(),
            Column::new("REPLICAS", 8, 10, 0).right(),
        ];
        C
    }

    fn cell(&self, column: usize, _cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.namespace.as_str()),
            1 => Cell::new(self.name.as_str()),
            2 => Cell::new(self.target.as_str()),
            3 => Cell::new(self.metrics.join(" · ")),
            4 => Cell::new(self.min.to_string()),
            5 => Cell::new(self.max.to_string()),
            6 if self.desired != self.current => Cell::tone(format!("{} → {}", self.current, self.desired), Tone::Info),
            6 if self.current >= self.max => Cell::tone(format!("{} (max)", self.current), Tone::Warn),
            6 => Cell::new(self.current.to_string()),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            4 => SortKey::num(self.min),
            5 => SortKey::num(self.max),
            6 => SortKey::num(self.current),
            _ => text_key(self, column, cx),
        }
    }
}

impl Row for KubeEvent {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("LAST SEEN", 9, 9, 0).right(),
            Column::new("TYPE", 7, 7, 0),
            Column::new("NAMESPACE", 9, 16, 2),
            Column::new("REASON", 8, 22, 0),
            Column::new("OBJECT", 12, 44, 1),
            Column::new("COUNT", 5, 5, 1).right(),
            Column::new("MESSAGE", 20, 0, 0).late(),
        ];
        C
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        match column {
            0 => age(self.last_seen, cx),
            1 => Cell::tone(
                self.kind.as_str(),
                if self.kind == "Warning" {
                    Tone::Warn
                } else {
                    Tone::Normal
                },
            ),
            2 => Cell::new(self.namespace.as_str()),
            3 => Cell::new(self.reason.as_str()),
            4 => Cell::new(self.object.as_str()),
            5 => Cell::new(self.count.to_string()),
            6 => Cell::new(self.message.as_str()),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            0 => SortKey::time(self.last_seen).negate(),
            5 => SortKey::num(self.count),
            _ => text_key(self, column, cx),
        }
    }
}

impl Row for Pvc {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("NAMESPACE", 9, 16, 1),
            Column::new("NAME", 10, 40, 0),
            Column::new("STATUS", 7, 11, 0),
            Column::new("VOLUME", 10, 44, 2),
            Column::new("CAPACITY", 8, 8, 0).right(),
            Column::new("CLASS", 5, 16, 1),
            Column::new("AGE", 4, 6, 1).right(),
        ];
        C
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.namespace.as_str()),
            1 => Cell::new(self.name.as_str()),
            2 => Cell::tone(
                self.status.as_str(),
                match self.status.as_str() {
                    "Bound" => Tone::Ok,
                    "Lost" => Tone::Err,
                    _ => Tone::Warn,
                },
            ),
            3 => Cell::opt(self.volume.as_deref()),
            4 => Cell::opt(self.capacity.as_deref()),
            5 => Cell::opt(self.storage_class.as_deref()),
            6 => age(self.created_at, cx),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            6 => SortKey::time(self.created_at).negate(),
            _ => text_key(self, column, cx),
        }
    }
}

impl Row for StorageClass {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("NAME", 8, 30, 0),
            Column::new("PROVISIONER", 12, 40, 0),
            Column::new("RECLAIM", 7, 8, 1),
            Column::new("BINDING", 9, 22, 1),
            Column::new("DEFAULT", 7, 7, 0),
        ];
        C
    }

    fn cell(&self, column: usize, _cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.name.as_str()),
            1 => Cell::new(self.provisioner.as_str()),
            2 => Cell::new(self.reclaim.as_str()),
            3 => Cell::new(self.binding.as_str()),
            4 if self.default => Cell::tone("yes", Tone::Ok),
            4 => Cell::muted("-"),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        text_key(self, column, cx)
    }
}

// ---- sync -------------------------------------------------------------------------------------

/// A tag of a namespace, mixed into a collection's version.
fn namespace_tag(ns: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    ns.hash(&mut h);
    h.finish() | (1 << 63)
}

/// Keep a pane's table in step with a collection, within the `:ns` namespace.
fn sync_set<T: Row>(
    state: &mut crate::store::ui::TableState,
    set: Option<&Collection<T>>,
    namespace_of: impl Fn(&T) -> Option<&str>,
    namespace: Option<&str>,
    cx: &RowCx,
) {
    match set {
        Some(s) => table::sync(
            state,
            s.items(),
            // Another namespace is another set of rows: a version of its own.
            s.version ^ namespace.map_or(0, namespace_tag),
            |row| namespace.is_none_or(|ns| namespace_of(row).is_none_or(|n| n == ns)),
            cx,
        ),
        None => table::sync::<T>(state, &[], 0, |_| true, cx),
    }
}

pub fn sync(store: &mut Store) {
    let Store {
        kube,
        ui,
        now,
        namespace,
        ..
    } = store;
    let cx = RowCx::at(*now);
    let ns = namespace.as_deref();
    let page = ui.page_mut();
    match page.route.clone() {
        Route::Eks { cluster } => {
            let data = kube.get(&cluster);
            sync_set(&mut page.panes[0], data.map(|d| &d.nodegroups), |_| None, None, &cx);
            sync_set(&mut page.panes[1], data.map(|d| &d.fargate), |_| None, None, &cx);
            sync_set(&mut page.panes[2], data.map(|d| &d.addons), |_| None, None, &cx);
        }
        Route::Kube { cluster, kind } => {
            let data = kube.get(&cluster);
            let state = &mut page.panes[0];
            match kind {
                KubeKind::Nodes => sync_set(state, data.map(|d| &d.nodes), |_| None, None, &cx),
                KubeKind::Pods => sync_set(state, data.map(|d| &d.pods), |p| Some(&p.namespace), ns, &cx),
                KubeKind::Workloads => sync_set(state, data.map(|d| &d.workloads), |w| Some(&w.namespace), ns, &cx),
                KubeKind::Hpas => sync_set(state, data.map(|d| &d.hpas), |h| Some(&h.namespace), ns, &cx),
                KubeKind::Events => sync_set(state, data.map(|d| &d.events), |e| Some(&e.namespace), ns, &cx),
                KubeKind::Pvcs | KubeKind::StorageClasses => {
                    sync_set(state, data.map(|d| &d.pvcs), |p| Some(&p.namespace), ns, &cx);
                    sync_set(&mut page.panes[1], data.map(|d| &d.classes), |_| None, None, &cx);
                }
            }
        }
        Route::Pod { cluster, pod } => {
            let data = kube.get(&cluster);
            match data.and_then(|d| d.pods.get(&pod)) {
                Some(p) => table::sync(
                    &mut page.panes[0],
                    &p.containers,
                    data.map_or(0, |d| d.pods.version),
                    |_| true,
                    &cx,
                ),
                None => table::sync::<PodContainer>(&mut page.panes[0], &[], 0, |_| true, &cx),
            }
            let (namespace, name) = pod.split_once('/').unwrap_or_default();
            let object = format!("Pod/{name}");
            match data {
                Some(d) => table::sync(
                    &mut page.panes[1],
                    d.events.items(),
                    d.events.version,
                    |e| e.namespace == namespace && e.object == object,
                    &cx,
                ),
                None => table::sync::<KubeEvent>(&mut page.panes[1], &[], 0, |_| true, &cx),
            }
        }
        _ => {}
    }
}

/// The columns of the focused table of a Kubernetes screen.
pub fn columns(route: &Route, focus: usize) -> &'static [Column] {
    match route {
        Route::Eks { .. } => match focus {
            eks_panes::NODEGROUPS => NodeGroup::columns(),
            eks_panes::FARGATE => FargateProfile::columns(),
            _ => Addon::columns(),
        },
        Route::Kube { kind, .. } => match kind {
            KubeKind::Nodes => Node::columns(),
            KubeKind::Pods => Pod::columns(),
            KubeKind::Workloads => Workload::columns(),
            KubeKind::Hpas => Hpa::columns(),
            KubeKind::Events => KubeEvent::columns(),
            KubeKind::Pvcs | KubeKind::StorageClasses if focus == 1 => StorageClass::columns(),
            KubeKind::Pvcs | KubeKind::StorageClasses => Pvc::columns(),
        },
        Route::Pod { .. } if focus == 1 => KubeEvent::columns(),
        Route::Pod { .. } => PodContainer::columns(),
        _ => &[],
    }
}

/// The selected row of the focused table, by type.
pub fn selected<'a, T: crate::domain::Keyed>(page: &Page, set: Option<&'a Collection<T>>) -> Option<&'a T> {
    table::selected(page.table(), set?.items())
}

// ---- render -----------------------------------------------------------------------------------

struct Pane<'a, T> {
    title: String,
    set: Option<&'a Collection<T>>,
    what: &'static str,
    hidden: &'static [usize],
}

/// The events of one pod leave out what they all share: namespace and object.
pub const POD_EVENTS_HIDDEN: &[usize] = &[2, 4];

fn pane<T: Row>(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, index: usize, p: Pane<'_, T>, theme: &Theme) {
    let cx = RowCx::at(store.now);
    let state = &page.panes[index];
    let empty = p.set.map_or_else(
        || "loading…".to_string(),
        |s| empty_text(s, !state.filter.is_empty() || store.namespace.is_some(), p.what),
    );
    table::render(
        buf,
        area,
        state,
        p.set.map_or(&[][..], |s| s.items()),
        &cx,
        theme,
        table::Frame {
            title: &p.title,
            focused: page.focus == index,
            error: p.set.and_then(|s| error_line(s, store.now)),
            empty: &empty,
            hidden: p.hidden,
        },
    );
}

fn scoped(title: &str, store: &Store) -> String {
    match &store.namespace {
        Some(ns) => format!("{title}({ns})"),
        None => format!("{title}(all)"),
    }
}

pub fn render(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
    match &page.route {
        Route::Eks { cluster } => render_eks(buf, area, store, page, cluster, theme),
        Route::Kube { cluster, kind } => {
            let data = store.kube.get(cluster);
            match kind {
                KubeKind::Nodes => pane(
                    buf,
                    area,
                    store,
                    page,
                    0,
                    Pane {
                        title: format!("nodes({})", arn_tail(cluster)),
                        set: data.map(|d| &d.nodes),
                        what: "nodes",
                        hidden: &[],
                    },
                    theme,
                ),
                KubeKind::Pods => pane(
                    buf,
                    area,
                    store,
                    page,
                    0,
                    Pane {
                        title: scoped("pods", store),
                        set: data.map(|d| &d.pods),
                        what: "pods",
                        hidden: &[],
                    },
                    theme,
                ),
                KubeKind::Workloads => pane(
                    buf,
                    area,
                    store,
                    page,
                    0,
                    Pane {
                        title: scoped("workloads", store),
                        set: data.map(|d| &d.workloads),
                        what: "deployments, statefulsets or daemonsets",
                        hidden: &[],
                    },
                    theme,
                ),
                KubeKind::Hpas => pane(
                    buf,
                    area,
                    store,
                    page,
                    0,
                    Pane {
                        title: scoped("hpa", store),
                        set: data.map(|d| &d.hpas),
                        what: "horizontal pod autoscalers",
                        hidden: &[],
                    },
                    theme,
                ),
                KubeKind::Events => pane(
                    buf,
                    area,
                    store,
                    page,
                    0,
                    Pane {
                        title: scoped("events", store),
                        set: data.map(|d| &d.events),
                        what: "events",
                        hidden: &[],
                    },
                    theme,
                ),
                KubeKind::Pvcs | KubeKind::StorageClasses => {
                    let classes = data.map_or(0, |d| d.classes.items().len()) as u16;
                    let [top, bottom] =
                        Layout::vertical([Constraint::Min(5), Constraint::Length((classes + 3).clamp(4, 8))])
                            .areas(area);
                    pane(
                        buf,
                        top,
                        store,
                        page,
                        0,
                        Pane {
                            title: scoped("pvc", store),
                            set: data.map(|d| &d.pvcs),
                            what: "persistent volume claims",
                            hidden: &[],
                        },
                        theme,
                    );
                    pane(
                        buf,
                        bottom,
                        store,
                        page,
                        1,
                        Pane {
                            title: "storage classes".into(),
                            set: data.map(|d| &d.classes),
                            what: "storage classes",
                            hidden: &[],
                        },
                        theme,
                    );
                }
            }
        }
        Route::Pod { cluster, pod } => render_pod(buf, area, store, page, cluster, pod, theme),
        _ => {}
    }
}

fn render_eks(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, theme: &Theme) {
    let data: Option<&KubeData> = store.kube.get(cluster);
    let info = store.eks_cluster(cluster);
    let text = |s: String| Span::styled(s, theme.text);
    let mut pairs: Vec<(&str, Span<'_>)> = Vec::new();
    if let Some(c) = info {
        pairs.push(("Status", toned(c.status.as_str(), status_tone(&c.status), theme)));
        pairs.push((
            "Version",
            text(format!(
                "{} ({})",
                c.version,
                c.platform_version.as_deref().unwrap_or("-")
            )),
        ));
        let access = match (c.public_access, c.private_access) {
            (true, true) => "public and private",
            (true, false) => "public",
            (false, true) => "private",
            (false, false) => "-",
        };
        pairs.push(("Endpoint", text(access.to_string())));
        if let Some(d) = data {
            let nodes = d.nodes.items();
            let ready = nodes.iter().filter(|n| n.ready).count();
            let pods = d.pods.items();
            let failing = pods.iter().filter(|p| p.failing()).count();
            pairs.push(("Nodes", text(format!("{ready}/{} ready", nodes.len()))));
            pairs.push((
                "Pods",
                toned(
                    format!("{} · {failing} failing", pods.len()),
                    if failing > 0 { Tone::Warn } else { Tone::Normal },
                    theme,
                ),
            ));
        }
    }
    pairs.push(("Views", Span::styled(":pods :nodes :wl :hpa :ev :pvc", theme.muted)));
    let columns = 2;
    let height = super::details_height(pairs.len(), columns);
    let groups = data.map_or(0, |d| d.nodegroups.items().len()) as u16;
    let fargate = data.map_or(0, |d| d.fargate.items().len()) as u16;
    let [top, groups, profiles, extra] = Layout::vertical([
        Constraint::Length(height),
        Constraint::Length((groups + 3).clamp(4, 12)),
        Constraint::Length((fargate + 3).clamp(4, 7)),
        Constraint::Min(4),
    ])
    .areas(area);
    details(buf, top, &format!("eks({})", arn_tail(cluster)), &pairs, columns, theme);
    pane(
        buf,
        groups,
        store,
        page,
        eks_panes::NODEGROUPS,
        Pane {
            title: "node groups".into(),
            set: data.map(|d| &d.nodegroups),
            what: "managed node groups",
            hidden: &[],
        },
        theme,
    );
    pane(
        buf,
        profiles,
        store,
        page,
        eks_panes::FARGATE,
        Pane {
            title: "fargate profiles".into(),
            set: data.map(|d| &d.fargate),
            what: "Fargate profiles",
            hidden: &[],
        },
        theme,
    );
    pane(
        buf,
        extra,
        store,
        page,
        eks_panes::ADDONS,
        Pane {
            title: "add-ons".into(),
            set: data.map(|d| &d.addons),
            what: "add-ons",
            hidden: &[],
        },
        theme,
    );
}

fn render_pod(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, key: &str, theme: &Theme) {
    let cx = RowCx::at(store.now);
    let data = store.kube.get(cluster);
    let Some(p) = data.and_then(|d| d.pods.get(key)) else {
        let text = if data.is_none_or(|d| !d.pods.is_loaded()) {
            "loading…".to_string()
        } else {
            format!("pod {key} is gone: deleted, or replaced by its controller")
        };
        super::text_box(buf, area, "pod", vec![text.into()], theme);
        return;
    };
    let text = |s: String| Span::styled(s, theme.text);
    let (ready, total) = p.ready_count();
    let mut pairs: Vec<(&str, Span<'_>)> = vec![
        ("Status", toned(p.status(), pod_tone(p), theme)),
        ("Ready", text(format!("{ready}/{total}"))),
        ("Restarts", text(p.restarts().to_string())),
        ("Node", text(p.node.clone().unwrap_or_else(|| "-".into()))),
        ("IP", text(p.ip.clone().unwrap_or_else(|| "-".into()))),
        ("Owner", text(p.owner.clone().unwrap_or_else(|| "-".into()))),
        ("Requests", text(format!("{}m CPU · {}Mi", p.req_cpu, p.req_mem))),
        (
            "Age",
            text(p.created_at.map_or_else(|| "-".into(), |t| fmt_age(t, store.now))),
        ),
    ];
    if let Some(why) = &p.unschedulable {
        pairs.push(("Pending", toned(why.clone(), Tone::Warn, theme)));
    }
    let columns = if area.width >= 150 { 3 } else { 2 };
    let height = super::details_height(pairs.len(), columns);
    let [top, rest] = Layout::vertical([
        Constraint::Length(height.min(area.height.saturating_sub(5))),
        Constraint::Min(4),
    ])
    .areas(area);
    details(buf, top, &format!("pod({})", p.key), &pairs, columns, theme);
    let [containers, events] = Layout::vertical([
        Constraint::Length((p.containers.len() as u16 + 3).clamp(4, 10)),
        Constraint::Min(4),
    ])
    .areas(rest);
    table::render(
        buf,
        containers,
        &page.panes[0],
        &p.containers,
        &cx,
        theme,
        table::Frame {
            title: "containers",
            focused: page.focus == 0,
            error: data.and_then(|d| error_line(&d.pods, store.now)),
            empty: "no containers",
            hidden: &[],
        },
    );
    pane(
        buf,
        events,
        store,
        page,
        1,
        Pane {
            title: "events".into(),
            set: data.map(|d| &d.events),
            what: "events for this pod",
            hidden: POD_EVENTS_HIDDEN,
        },
        theme,
    );
}
