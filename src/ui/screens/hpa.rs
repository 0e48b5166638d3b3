//! Horizontal pod autoscalers: what each scales, on what metric, and how far it is from its
//! target.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::kube::{self as k8s, text_key};
use crate::domain::fetch::Fetch;
use crate::domain::kube::{Hpa, KubeKind};
use crate::store::Store;
use crate::store::table::{Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;

pub const ID: ScreenId = ScreenId("hpa");

pub struct Hpas;

impl Screen for Hpas {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, store: &Store, route: &Route) -> Vec<String> {
        k8s::crumbs(store, route, "hpa")
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        [KubeKind::Hpas]
            .into_iter()
            .map(|kind| Fetch::kube(cluster, kind))
            .collect()
    }

    fn sync(&self, store: &mut Store) {
        k8s::sync_one(store, 0, |d| &d.hpas, |h| Some(&h.namespace));
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (Hpa::columns(), &[])
    }

    fn selection(&self, store: &Store) -> Selection {
        k8s::list_selection(store)
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(store.kube.get(page.route.cluster_arn()).map(|d| &d.hpas))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Filter, CommandLine, Help, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        k8s::hint(command)
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(&["hpa", "hpas"], "hpa", "horizontal pod autoscalers")];
        C
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        k8s::open_kind(ID, store, name, args)
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let set = store.kube.get(page.route.cluster_arn()).map(|d| &d.hpas);
        let title = k8s::scoped("hpa", store);
        let pane = k8s::Pane {
            title,
            set,
            what: "horizontal pod autoscalers",
            hidden: &[],
        };
        k8s::pane(buf, area, store, page, 0, pane, theme);
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
