//! The nodes of an EKS cluster: ready or cordoned, node group or Fargate, requested against
//! allocatable CPU and memory.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::kube::{self as k8s, age, text_key};
use crate::domain::fetch::Fetch;
use crate::domain::kube::{KubeKind, Node};
use crate::store::Store;
use crate::store::table::{Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;

pub const ID: ScreenId = ScreenId("nodes");

pub struct Nodes;

impl Screen for Nodes {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, store: &Store, route: &Route) -> Vec<String> {
        k8s::crumbs(store, route, "nodes")
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        [KubeKind::Nodes, KubeKind::Pods]
            .into_iter()
            .map(|kind| Fetch::kube(cluster, kind))
            .collect()
    }

    fn sync(&self, store: &mut Store) {
        k8s::sync_one(store, 0, |d| &d.nodes, |_| None);
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (Node::columns(), &[])
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        let page = store.ui.page();
        let cluster = page.route.cluster_arn();
        let selected = k8s::selected(page, store.kube.get(cluster).map(|d| &d.nodes));
        Ok(selected.map(|n| Go::here(Route::new(super::pods::ID).cluster(cluster)).filter(format!("node:{}", n.name))))
    }

    fn selection(&self, store: &Store) -> Selection {
        let mut selection = k8s::list_selection(store);
        let page = store.ui.page();
        selection.node = k8s::selected(page, store.kube.get(page.route.cluster_arn()).map(|d| &d.nodes)).cloned();
        selection
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(store.kube.get(page.route.cluster_arn()).map(|d| &d.nodes))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, Drain, Filter, CommandLine, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        k8s::hint(command)
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["nodes", "node", "no"],
            "nodes",
            "Kubernetes nodes of this EKS cluster",
        )];
        C
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        k8s::open_kind(ID, store, name, args)
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let set = store.kube.get(page.route.cluster_arn()).map(|d| &d.nodes);
        let title = format!("nodes({})", crate::util::arn_tail(page.route.cluster_arn()));
        let pane = k8s::Pane {
            title,
            set,
            what: "nodes",
            hidden: &[],
        };
        k8s::pane(buf, area, store, page, 0, pane, theme);
    }
}

impl Row for Node {
    /// Not ready first, then cordoned.
    fn health_rank(&self, _cx: &RowCx<'_>) -> Option<u8> {
        Some(match (self.ready, self.unschedulable) {
            (false, _) => 0,
            (true, true) => 1,
            (true, false) => 2,
        })
    }

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
            7 => k8s::load(self.req_cpu, self.alloc_cpu, "cpu"),
            8 => k8s::load(self.req_mem, self.alloc_mem, "Gi"),
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
