//! The workloads of an EKS cluster: deployments, statefulsets and daemonsets, with their
//! replicas ready, up to date and available.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::kube::{self as k8s, age, text_key};
use crate::domain::fetch::Fetch;
use crate::domain::kube::{KubeKind, Workload};
use crate::store::Store;
use crate::store::table::{Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;

pub const ID: ScreenId = ScreenId("workloads");

pub struct Workloads;

impl Screen for Workloads {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, store: &Store, route: &Route) -> Vec<String> {
        k8s::crumbs(store, route, "workloads")
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        [KubeKind::Workloads]
            .into_iter()
            .map(|kind| Fetch::kube(cluster, kind))
            .collect()
    }

    fn sync(&self, store: &mut Store) {
        k8s::sync_one(store, 0, |d| &d.workloads, |w| Some(&w.namespace));
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (Workload::columns(), &[])
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        let page = store.ui.page();
        let cluster = page.route.cluster_arn();
        let selected = k8s::selected(page, store.kube.get(cluster).map(|d| &d.workloads));
        Ok(selected.map(|w| {
            Go::here(Route::new(super::pods::ID).cluster(cluster))
                .filter(format!("namespace:{} {}", w.namespace, w.name))
        }))
    }

    fn selection(&self, store: &Store) -> Selection {
        let mut selection = k8s::list_selection(store);
        let page = store.ui.page();
        selection.workload =
            k8s::selected(page, store.kube.get(page.route.cluster_arn()).map(|d| &d.workloads)).cloned();
        selection
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(store.kube.get(page.route.cluster_arn()).map(|d| &d.workloads))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, Scale, Redeploy, Filter, CommandLine, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        k8s::hint(command)
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["workloads", "wl", "deployments", "sts", "ds"],
            "workloads",
            "deployments, statefulsets, daemonsets (also :wl)",
        )];
        C
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        k8s::open_kind(ID, store, name, args)
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let set = store.kube.get(page.route.cluster_arn()).map(|d| &d.workloads);
        let title = k8s::scoped("workloads", store);
        let pane = k8s::Pane {
            title,
            set,
            what: "deployments, statefulsets or daemonsets",
            hidden: &[],
        };
        k8s::pane(buf, area, store, page, 0, pane, theme);
    }
}

impl Row for Workload {
    /// None ready first, then short of ready, then rolling, then the rest.
    fn health_rank(&self, _cx: &RowCx<'_>) -> Option<u8> {
        Some(if self.desired > 0 && self.ready == 0 {
            0
        } else if self.ready < self.desired {
            1
        } else if self.updated < self.desired {
            2
        } else {
            3
        })
    }

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
