//! The pods of an EKS cluster (in the `:ns` namespace, or all): status, readiness, restarts, node.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::kube::{self as k8s, age, text_key};
use crate::domain::fetch::Fetch;
use crate::domain::kube::{KubeKind, Pod};
use crate::store::Store;
use crate::store::table::{Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;

pub const ID: ScreenId = ScreenId("pods");

pub struct Pods;

impl Screen for Pods {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, store: &Store, route: &Route) -> Vec<String> {
        k8s::crumbs(store, route, "pods")
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        [KubeKind::Pods]
            .into_iter()
            .map(|kind| Fetch::kube(cluster, kind))
            .collect()
    }

    fn sync(&self, store: &mut Store) {
        k8s::sync_one(store, 0, |d| &d.pods, |p| Some(&p.namespace));
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (Pod::columns(), &[])
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        let page = store.ui.page();
        let cluster = page.route.cluster_arn();
        let selected = k8s::selected(page, store.kube.get(cluster).map(|d| &d.pods));
        Ok(selected.map(|p| Go::here(Route::new(super::pod::ID).cluster(cluster).object(&p.key))))
    }

    fn selection(&self, store: &Store) -> Selection {
        let mut selection = k8s::list_selection(store);
        let page = store.ui.page();
        selection.pod = k8s::selected(page, store.kube.get(page.route.cluster_arn()).map(|d| &d.pods)).cloned();
        selection
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(store.kube.get(page.route.cluster_arn()).map(|d| &d.pods))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, Logs, StopTask, Filter, CommandLine, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        k8s::hint(command)
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["pods", "pod", "po"],
            "pods",
            "pods of the EKS cluster (in the :ns namespace, or all); at the fleet: the pods in trouble in every cluster",
        )];
        C
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        // At the fleet: every cluster's pods in trouble.
        if store.ui.route().is(crate::store::ui::ScreenId::FLEET) {
            let go = Go::here(Route::new(super::trouble::ID));
            return Ok(match args {
                [] => go,
                words => go.filter(words.join(" ")),
            });
        }
        k8s::open_kind(ID, store, name, args)
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let set = store.kube.get(page.route.cluster_arn()).map(|d| &d.pods);
        let title = k8s::scoped("pods", store);
        let pane = k8s::Pane {
            title,
            set,
            what: "pods",
            hidden: &[],
        };
        k8s::pane(buf, area, store, page, 0, pane, theme);
    }
}

impl Row for Pod {
    /// In trouble first, the worst trouble first (see [`Pod::trouble`]).
    fn health_rank(&self, cx: &RowCx<'_>) -> Option<u8> {
        Some(self.trouble(cx.now).map_or(u8::MAX - 1, |t| t.rank))
    }

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
            3 => Cell::tone(self.status(), k8s::pod_tone(self)),
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
