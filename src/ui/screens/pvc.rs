//! Persistent volume claims (in the `:ns` namespace, or all) and the cluster's storage
//! classes.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};

use super::kube::{self as k8s, Pane, age, text_key};
use crate::domain::fetch::Fetch;
use crate::domain::kube::{KubeKind, Pvc, StorageClass};
use crate::store::Store;
use crate::store::table::{Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;

pub const ID: ScreenId = ScreenId("pvc");

pub struct Pvcs;

impl Screen for Pvcs {
    fn id(&self) -> ScreenId {
        ID
    }

    fn panes(&self) -> usize {
        2
    }

    fn crumbs(&self, store: &Store, route: &Route) -> Vec<String> {
        k8s::crumbs(store, route, "storage")
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        vec![
            Fetch::kube(cluster, KubeKind::Pvcs),
            Fetch::kube(cluster, KubeKind::StorageClasses),
        ]
    }

    fn sync(&self, store: &mut Store) {
        k8s::sync_one(store, 0, |d| &d.pvcs, |p| Some(&p.namespace));
        k8s::sync_one(store, 1, |d| &d.classes, |_| None);
    }

    fn columns(&self, _store: &Store, page: &Page) -> (&'static [Column], &'static [usize]) {
        match page.focus {
            1 => (StorageClass::columns(), &[]),
            _ => (Pvc::columns(), &[]),
        }
    }

    fn selection(&self, store: &Store) -> Selection {
        k8s::list_selection(store)
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(store.kube.get(page.route.cluster_arn()).map(|d| &d.pvcs))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Filter, CommandLine, Help, Back]
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["pvc", "pvcs", "storage", "sc"],
            "pvc",
            "persistent volume claims and storage classes",
        )];
        C
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        k8s::open_kind(ID, store, name, args)
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let data = store.kube.get(page.route.cluster_arn());
        let classes = data.map_or(0, |d| d.classes.items().len()) as u16;
        let [top, bottom] =
            Layout::vertical([Constraint::Min(5), Constraint::Length((classes + 3).clamp(4, 8))]).areas(area);
        k8s::pane(
            buf,
            top,
            store,
            page,
            0,
            Pane {
                title: k8s::scoped("pvc", store),
                set: data.map(|d| &d.pvcs),
                what: "persistent volume claims",
                hidden: &[],
            },
            theme,
        );
        k8s::pane(
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
