//! Kubernetes events, newest first: warnings in the warning tone.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::kube::{self as k8s, age, text_key};
use crate::domain::fetch::Fetch;
use crate::domain::kube::{KubeEvent, KubeKind};
use crate::store::Store;
use crate::store::table::{Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;

pub const ID: ScreenId = ScreenId("events");

pub struct Events;

impl Screen for Events {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, store: &Store, route: &Route) -> Vec<String> {
        k8s::crumbs(store, route, "events")
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        [KubeKind::Events]
            .into_iter()
            .map(|kind| Fetch::kube(cluster, kind))
            .collect()
    }

    fn sync(&self, store: &mut Store) {
        k8s::sync_one(store, 0, |d| &d.events, |e| Some(&e.namespace));
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (KubeEvent::columns(), &[])
    }

    fn selection(&self, store: &Store) -> Selection {
        k8s::list_selection(store)
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(store.kube.get(page.route.cluster_arn()).map(|d| &d.events))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Filter, CommandLine, Help, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        k8s::hint(command)
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["events", "ev"],
            "events",
            "Kubernetes events, newest first (also :ev)",
        )];
        C
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        k8s::open_kind(ID, store, name, args)
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let set = store.kube.get(page.route.cluster_arn()).map(|d| &d.events);
        let title = k8s::scoped("events", store);
        let pane = k8s::Pane {
            title,
            set,
            what: "events",
            hidden: &[],
        };
        k8s::pane(buf, area, store, page, 0, pane, theme);
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
