//! The pods in trouble in every EKS cluster of the fleet (of every account), the worst
//! first: CrashLoopBackOff, image pulls failing, failed, OOMKilled, Pending or not ready for
//! more than a minute. `:pods` at the fleet level; `enter` opens the pod.
//!
//! It does not watch every pod of every cluster: each cluster is read with one paged list
//! of its pods (those that did not succeed) every
//! [`TROUBLE_INTERVAL`](crate::domain::kube::TROUBLE_INTERVAL) while this screen is open,
//! and not at all where the cluster's pods are watched already (its pods view was opened):
//! the watch's cache answers.

use std::sync::Arc;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::kube::{self as k8s, age, pod_tone, text_key};
use crate::domain::fetch::Fetch;
use crate::domain::kube::TroubledPod;
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::util::arn_tail;

pub const ID: ScreenId = ScreenId("trouble");

pub struct Trouble;

impl Screen for Trouble {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, _route: &Route) -> Vec<String> {
        vec!["every EKS cluster".into(), "pods in trouble".into()]
    }

    fn scope(&self, store: &Store, _page: &Page) -> Vec<Fetch> {
        store
            .all_eks()
            .filter(|c| store.account_scope.as_ref().is_none_or(|a| &c.account == a))
            .map(|c| Fetch::Trouble { cluster: c.arn.clone() })
            .collect()
    }

    fn sync(&self, store: &mut Store) {
        let Store { trouble, ui, now, .. } = store;
        let cx = RowCx::at(*now);
        let page = ui.page_mut();
        table::sync(&mut page.panes[0], trouble.items(), trouble.version, |_| true, &cx);
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (TroubledPod::columns(), &[])
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        let page = store.ui.page();
        Ok(table::selected(page.table(), store.trouble.items())
            .map(|t| Go::here(Route::new(super::pod::ID).cluster(&t.cluster).object(&t.pod.key))))
    }

    fn selection(&self, store: &Store) -> Selection {
        let page = store.ui.page();
        match table::selected(page.table(), store.trouble.items()) {
            Some(t) => Selection {
                cluster: Some(t.cluster.clone()),
                pod: Some(Arc::new(t.pod.clone())),
                copy: Some(t.pod.key.clone()),
                console: vec![t.cluster.clone()],
                ..Selection::default()
            },
            None => Selection::default(),
        }
    }

    fn freshness(&self, store: &Store, _page: &Page) -> Freshness {
        Freshness::of(Some(&store.trouble))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, Logs, StopTask, Filter, CommandLine, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        k8s::hint(command)
    }

    fn opened_by(&self) -> Option<Command> {
        Some(Command::Trouble)
    }

    /// `!` from anywhere: every cluster's pods in trouble.
    fn command(&self, _store: &Store, _name: &str, _args: &[&str]) -> Result<Go, String> {
        Ok(Go::here(Route::new(ID)))
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let clusters = self.scope(store, page).len();
        let pane = k8s::Pane {
            title: format!(
                "pods in trouble · {clusters} cluster{}",
                if clusters == 1 { "" } else { "s" }
            ),
            set: Some(&store.trouble),
            what: "pods in trouble",
            hidden: &[],
        };
        k8s::pane(buf, area, store, page, 0, pane, theme);
    }
}

impl Row for TroubledPod {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("ACCOUNT", 7, 12, 1),
            Column::new("CLUSTER", 7, 20, 0),
            Column::new("NAMESPACE", 9, 16, 2),
            Column::new("POD", 10, 44, 0),
            Column::new("TROUBLE", 12, 70, 0).late(),
            Column::new("RESTARTS", 8, 8, 2).right(),
            Column::new("AGE", 5, 6, 1).right(),
        ];
        C
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::muted(crate::domain::account::arn_account(&self.cluster).unwrap_or("-")),
            1 => Cell::new(arn_tail(&self.cluster)),
            2 => Cell::new(self.pod.namespace.as_str()),
            3 => Cell::new(self.pod.name.as_str()),
            4 => Cell::tone(self.trouble.why.as_str(), pod_tone(&self.pod)),
            5 => match self.pod.restarts() {
                0 => Cell::muted("0"),
                n => Cell::tone(n.to_string(), Tone::Warn),
            },
            6 => age(self.pod.created_at, cx),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            4 => SortKey::num(self.trouble.rank),
            5 => SortKey::num(self.pod.restarts()),
            6 => SortKey::time(self.pod.created_at).negate(),
            _ => text_key(self, column, cx),
        }
    }
}
