//! One pod: its status, node, owner and requests; its containers; its own events.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;

use super::kube::{self as k8s, Pane, pod_tone, text_key};
use crate::domain::fetch::Fetch;
use crate::domain::kube::{KubeEvent, KubeKind, Pod, PodContainer};
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::ui::widgets::{details, details_height, error_line, text_box, toned};
use crate::util::fmt_age;

pub const ID: ScreenId = ScreenId("pod");

/// The panes, in focus order.
pub const CONTAINERS: usize = 0;
pub const EVENTS: usize = 1;

/// The events of one pod leave out what they all share: namespace and object.
pub const POD_EVENTS_HIDDEN: &[usize] = &[2, 4];

pub struct PodScreen;

impl Screen for PodScreen {
    fn id(&self) -> ScreenId {
        ID
    }

    fn panes(&self) -> usize {
        2
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        let cluster = route.cluster_arn();
        vec![
            crate::util::arn_region(cluster).unwrap_or("?").to_string(),
            crate::util::arn_tail(cluster).to_string(),
            route.object.clone().unwrap_or_default(),
        ]
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        vec![
            Fetch::kube(cluster, KubeKind::Pods),
            Fetch::kube(cluster, KubeKind::Events),
        ]
    }

    fn sync(&self, store: &mut Store) {
        let Store { kube, ui, now, .. } = store;
        let cx = RowCx::at(*now);
        let page = ui.page_mut();
        let key = page.route.object.clone().unwrap_or_default();
        let data = kube.get(page.route.cluster_arn());
        match data.and_then(|d| d.pods.get(&key)) {
            Some(p) => table::sync(
                &mut page.panes[CONTAINERS],
                &p.containers,
                data.map_or(0, |d| d.pods.version),
                |_| true,
                &cx,
            ),
            None => table::sync::<PodContainer>(&mut page.panes[CONTAINERS], &[], 0, |_| true, &cx),
        }
        let (namespace, name) = key.split_once('/').unwrap_or_default();
        let object = format!("Pod/{name}");
        match data {
            Some(d) => table::sync(
                &mut page.panes[EVENTS],
                d.events.items(),
                d.events.version,
                |e| e.namespace == namespace && e.object == object,
                &cx,
            ),
            None => table::sync::<KubeEvent>(&mut page.panes[EVENTS], &[], 0, |_| true, &cx),
        }
    }

    fn columns(&self, _store: &Store, page: &Page) -> (&'static [Column], &'static [usize]) {
        match page.focus {
            EVENTS => (KubeEvent::columns(), POD_EVENTS_HIDDEN),
            _ => (PodContainer::columns(), &[]),
        }
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        if store.ui.page().focus != CONTAINERS {
            return Ok(None);
        }
        let selection = self.selection(store);
        if selection.pod.is_none() || selection.container.is_none() {
            return Ok(None);
        }
        super::pod_logs::open(&selection).map(Some)
    }

    fn selection(&self, store: &Store) -> Selection {
        let page = store.ui.page();
        let cluster = page.route.cluster_arn().to_string();
        let key = page.route.object.clone().unwrap_or_default();
        let pod = this(store, &page.route);
        let container = pod
            .filter(|_| page.focus == CONTAINERS)
            .and_then(|p| table::selected(page.table(), &p.containers));
        // Containers and events are parts of the pod: `y` copies its `namespace/name`.
        Selection {
            copy: Some(key),
            console: vec![cluster.clone()],
            cluster: Some(cluster),
            container: container.map(|c| c.name.clone()),
            pod: store
                .kube
                .get(page.route.cluster_arn())
                .and_then(|d| d.pods.get(page.route.object.as_deref()?))
                .cloned(),
            ..Selection::default()
        }
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(store.kube.get(page.route.cluster_arn()).map(|d| &d.pods))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, Logs, Shell, StopTask, Back, Help]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        k8s::hint(command)
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        render_pod(
            buf,
            area,
            store,
            page,
            page.route.cluster_arn(),
            page.route.object.as_deref().unwrap_or_default(),
            theme,
        );
    }
}

/// The page's pod.
fn this<'a>(store: &'a Store, route: &Route) -> Option<&'a Pod> {
    store
        .kube
        .get(route.cluster_arn())?
        .pods
        .get(route.object.as_deref()?)
        .map(|p| &**p)
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

fn render_pod(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, key: &str, theme: &Theme) {
    let cx = RowCx::at(store.now);
    let data = store.kube.get(cluster);
    let Some(p) = data.and_then(|d| d.pods.get(key)) else {
        let text = if data.is_none_or(|d| !d.pods.is_loaded()) {
            "loading…".to_string()
        } else {
            format!("pod {key} is gone: deleted, or replaced by its controller")
        };
        text_box(buf, area, "pod", vec![text.into()], theme);
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
    let height = details_height(pairs.len(), columns);
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
    grid::render(
        buf,
        containers,
        &page.panes[0],
        &p.containers,
        &cx,
        theme,
        grid::Frame {
            title: "containers",
            focused: page.focus == 0,
            error: data.and_then(|d| error_line(&d.pods, store.now)),
            empty: "no containers",
            hidden: &[],
        },
    );
    k8s::pane(
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
