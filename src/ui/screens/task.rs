//! One task: its containers, its network, and which role it runs as.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;

use crate::domain::fetch::Fetch;
use crate::domain::{Container, Task, TaskDefinition};
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::ui::widgets::{details, role_name, status_tone, toned};
use crate::util::{arn_region, arn_tail, fmt_age};

pub const ID: ScreenId = ScreenId("task");

pub struct TaskScreen;

impl Screen for TaskScreen {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, store: &Store, route: &Route) -> Vec<String> {
        let cluster = route.cluster_arn();
        let task = route.task.as_deref().unwrap_or_default();
        let mut crumbs = vec![
            arn_region(cluster).unwrap_or("?").to_string(),
            arn_tail(cluster).to_string(),
        ];
        if let Some(service) = this(store, route).and_then(|t| t.service_name()) {
            crumbs.push(service.to_string());
        }
        let id = arn_tail(task);
        crumbs.push(id.get(..8).unwrap_or(id).to_string());
        crumbs
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        let mut fetches = vec![Fetch::running(cluster), Fetch::stopped(cluster)];
        if let Some(t) = this(store, &page.route) {
            fetches.push(Fetch::TaskDefinition {
                arn: t.task_definition.clone(),
            });
            if t.container_instance_arn.is_some() {
                fetches.push(Fetch::instances(cluster));
            }
        }
        fetches
    }

    fn sync(&self, store: &mut Store) {
        let route = store.ui.route().clone();
        sync_table(store, route.cluster_arn(), route.task.as_deref().unwrap_or_default());
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (CONTAINER_COLUMNS, &[])
    }

    fn selection(&self, store: &Store) -> Selection {
        let page = store.ui.page();
        let cluster = page.route.cluster_arn().to_string();
        let task = this(store, &page.route);
        let container = task.and_then(|t| table::selected(page.table(), &t.containers));
        // Containers are parts of the task: `y` copies the task's ARN.
        let arn = page.route.task.clone().unwrap_or_default();
        Selection {
            console: vec![arn.clone(), cluster.clone()],
            copy: Some(arn),
            cluster: Some(cluster),
            container: container.map(|c| c.name.clone()),
            task_definition: task.map(|t| t.task_definition.clone()),
            task: task.cloned(),
            ..Selection::default()
        }
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(store.cluster_data(page.route.cluster_arn()).map(|d| &d.tasks))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Shell, Forward, StopTask, Back, Help]
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let route = &page.route;
        draw(
            buf,
            area,
            store,
            page,
            route.cluster_arn(),
            route.task.as_deref().unwrap_or_default(),
            theme,
        );
    }
}

/// The page's task, running or stopped.
fn this<'a>(store: &'a Store, route: &Route) -> Option<&'a Task> {
    store
        .cluster_data(route.cluster_arn())?
        .find_task(route.task.as_deref()?)
}

pub const CONTAINER_COLUMNS: &[Column] = &[
    Column::new("NAME", 10, 24, 0),
    Column::new("STATUS", 9, 9, 0),
    Column::new("EXIT", 5, 5, 0).right(),
    Column::new("HEALTH", 9, 9, 1),
    Column::new("IMAGE", 16, 0, 1),
    Column::new("REASON", 12, 0, 1),
    Column::new("EXEC", 7, 8, 4),
    Column::new("CPU", 5, 5, 3).right(),
    Column::new("MEM", 5, 6, 3).right(),
];

impl Row for Container {
    fn columns() -> &'static [Column] {
        CONTAINER_COLUMNS
    }

    fn cell(&self, column: usize, _: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.name.as_str()),
            1 => Cell::tone(self.last_status.as_str(), status_tone(&self.last_status)),
            2 => self.exit_code.map_or_else(
                || Cell::muted("-"),
                |c| Cell::tone(c.to_string(), super::tasks::exit_tone(c)),
            ),
            3 => Cell::tone(self.health.as_str(), status_tone(&self.health)),
            // The registry host says little: show repository and tag.
            4 => Cell::new(self.image.split_once('/').map_or(self.image.as_str(), |(_, r)| r)),
            5 => match &self.reason {
                Some(r) => Cell::tone(r.as_str(), Tone::Warn),
                None => Cell::muted("-"),
            },
            // The ECS Exec agent: RUNNING is what a shell needs.
            6 => match self.exec_agent.as_deref() {
                Some("RUNNING") => Cell::tone("RUNNING", Tone::Ok),
                Some(status) => Cell::tone(status, Tone::Warn),
                None => Cell::muted("off"),
            },
            7 => Cell::opt(self.cpu.as_deref()),
            8 => Cell::opt(self.memory.as_deref()),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            2 => self.exit_code.map_or(SortKey::Missing, SortKey::num),
            _ => SortKey::Text(Cow::Owned(self.cell(column, cx).text.into_owned())),
        }
    }
}

fn sync_table(store: &mut Store, cluster: &str, task: &str) {
    let Store { clusters, ui, now, .. } = store;
    let cx = RowCx::at(*now);
    let state = &mut ui.page_mut().panes[0];
    let data = clusters.get(cluster);
    match data.and_then(|d| d.find_task(task)) {
        Some(t) => {
            let version = data.map_or(0, |d| d.tasks.version + d.stopped.version * 1_000_000);
            table::sync(state, &t.containers, version, |_| true, &cx);
        }
        None => table::sync::<Container>(state, &[], 0, |_| true, &cx),
    }
}

fn summary<'a>(
    t: &'a Task,
    td: Option<&'a TaskDefinition>,
    store: &Store,
    theme: &Theme,
) -> Vec<(&'static str, Span<'a>)> {
    let now = store.now;
    let text = |s: Cow<'a, str>| Span::styled(s, theme.text);
    let age = |at: Option<jiff::Timestamp>| at.map_or_else(|| "-".to_string(), |t| format!("{} ago", fmt_age(t, now)));
    let status = if t.last_status == t.desired_status {
        t.last_status.clone()
    } else {
        format!("{} → {}", t.last_status, t.desired_status)
    };
    let mut pairs = vec![
        ("Status", toned(status, status_tone(&t.last_status), theme)),
        ("Health", toned(t.health.as_str(), status_tone(&t.health), theme)),
        ("Task def", text(t.revision().into())),
        ("Service", text(t.service_name().unwrap_or(&t.group).into())),
        ("Launch", text(t.launch_type.as_str().into())),
        (
            "CPU / mem",
            text(
                format!(
                    "{} / {}",
                    t.cpu.as_deref().unwrap_or("-"),
                    t.memory.as_deref().unwrap_or("-")
                )
                .into(),
            ),
        ),
        ("AZ", text(t.availability_zone.as_deref().unwrap_or("-").into())),
        ("IP", text(t.private_ip.as_deref().unwrap_or("-").into())),
        ("Subnet", text(t.subnet.as_deref().unwrap_or("-").into())),
        ("ENI", text(t.eni.as_deref().unwrap_or("-").into())),
    ];
    if let Some(ci) = &t.container_instance_arn {
        pairs.push(("Instance", text(arn_tail(ci).into())));
    }
    let (task_role, exec_role) = match td {
        Some(td) => (
            role_name(td.task_role_arn.as_deref()),
            role_name(td.execution_role_arn.as_deref()),
        ),
        None => ("…".to_string(), "…".to_string()),
    };
    pairs.extend([
        ("Task role", text(task_role.into())),
        ("Exec role", text(exec_role.into())),
        ("Created", text(age(t.created_at).into())),
        ("Started", text(age(t.started_at).into())),
    ]);
    if t.stopped_at.is_some() || t.stopping_at.is_some() {
        pairs.push(("Stopped", text(age(t.stopped_at.or(t.stopping_at)).into())));
        pairs.push((
            "Stop code",
            toned(t.stop_code.as_deref().unwrap_or("-"), Tone::Warn, theme),
        ));
    }
    pairs
}

fn draw(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, task: &str, theme: &Theme) {
    let cx = RowCx::at(store.now);
    let data = store.cluster_data(cluster);
    let Some(t) = data.and_then(|d| d.find_task(task)) else {
        let loading = data.is_none_or(|d| !d.tasks.is_loaded());
        let text = if loading {
            "loading…".to_string()
        } else {
            format!(
                "task {} is no longer listed: ECS forgets stopped tasks after about an hour",
                arn_tail(task)
            )
        };
        crate::ui::widgets::text_box(buf, area, "task", vec![text.into()], theme);
        return;
    };
    let td = match store.task_definitions.get(&t.task_definition) {
        Some(Ok(td)) => Some(td),
        _ => None,
    };
    let pairs = summary(t, td, store, theme);
    let reason_height = if t.stopped_reason.is_some() { 3 } else { 0 };
    let columns = if area.width >= 150 { 3 } else { 2 };
    let summary_height = crate::ui::widgets::details_height(pairs.len(), columns);
    let [top, reason_area, rest] = Layout::vertical([
        Constraint::Length(summary_height.min(area.height.saturating_sub(6))),
        Constraint::Length(reason_height),
        Constraint::Min(4),
    ])
    .areas(area);
    details(buf, top, &format!("task({})", t.id), &pairs, columns, theme);
    if let Some(reason) = &t.stopped_reason {
        crate::ui::widgets::text_box(
            buf,
            reason_area,
            "stopped reason",
            vec![toned(reason.as_str(), Tone::Warn, theme).into()],
            theme,
        );
    }
    let error = match store.task_definitions.get(&t.task_definition) {
        Some(Err(e)) => Some(format!("task definition: {e}")),
        _ => None,
    };
    grid::render(
        buf,
        rest,
        &page.panes[0],
        &t.containers,
        &cx,
        theme,
        grid::Frame {
            title: "containers",
            focused: true,
            error,
            empty: "no containers",
            hidden: &[],
        },
    );
}
