//! The load balancer targets of a service: each target's health and reason, matched to the
//! task behind it by IP and port (awsvpc), or by instance and host port (bridge networking,
//! dynamic host ports). Behind a Classic Load Balancer, its registered instances, InService
//! or OutOfService.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;

use crate::domain::fetch::Fetch;
use crate::domain::insight::Target;
use crate::domain::{Keyed, Task};
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::ui::widgets::{details, toned};
use crate::util::arn_tail;

pub const ID: ScreenId = ScreenId("targets");

pub struct Targets;

impl Screen for Targets {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        super::service_crumbs(route, "targets")
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        let service = page.route.service.as_deref().unwrap_or_default();
        let mut fetches = vec![Fetch::services(cluster), Fetch::running(cluster)];
        fetches.extend(super::target_groups(store, cluster, service));
        if store.cluster(cluster).is_some_and(|c| c.container_instances > 0) {
            fetches.push(Fetch::instances(cluster));
        }
        fetches
    }

    fn sync(&self, store: &mut Store) {
        let route = store.ui.route().clone();
        sync_table(store, route.cluster_arn(), route.service.as_deref().unwrap_or_default());
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (COLUMNS, &[])
    }

    fn selection(&self, store: &Store) -> Selection {
        // Targets are parts of the service's load balancing: `y` copies the service.
        super::service_page_selection(store)
    }

    fn freshness(&self, store: &Store, _page: &Page) -> Freshness {
        Freshness::current(store)
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Filter, Back, Help]
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["targets", "tg", "lb"],
            "targets",
            "the service's load balancer targets",
        )];
        C
    }

    fn opened_by(&self) -> Option<Command> {
        Some(Command::Targets)
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        super::open_for_service(ID, store, name, args)
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let route = &page.route;
        draw(
            buf,
            area,
            store,
            page,
            route.cluster_arn(),
            route.service.as_deref().unwrap_or_default(),
            theme,
        );
    }
}

/// A target with the task it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    pub key: String,
    pub target_group: String,
    pub target: Target,
    pub task: Option<String>,
    pub task_status: Option<String>,
    pub az: Option<String>,
    /// Behind a Classic Load Balancer: an instance, where a task of the service may not run.
    pub classic: bool,
}

impl Keyed for TargetRow {
    fn key(&self) -> &str {
        &self.key
    }
}

pub const COLUMNS: &[Column] = &[
    Column::new("TARGET", 12, 24, 0),
    Column::new("STATE", 9, 11, 0),
    Column::new("TASK", 10, 32, 1).late(),
    Column::new("AZ", 11, 11, 3),
    Column::new("REASON", 12, 0, 1),
    Column::new("GROUP", 10, 24, 4),
];

fn state_tone(state: &str) -> Tone {
    match state {
        "healthy" | "InService" => Tone::Ok,
        "unhealthy" | "OutOfService" => Tone::Err,
        "initial" | "draining" => Tone::Warn,
        _ => Tone::Muted,
    }
}

/// Healthy (a target group's `healthy`, a Classic Load Balancer's `InService`).
fn is_healthy(state: &str) -> bool {
    matches!(state, "healthy" | "InService")
}

fn is_unhealthy(state: &str) -> bool {
    matches!(state, "unhealthy" | "unavailable" | "OutOfService")
}

impl Row for TargetRow {
    /// Unhealthy first, then draining or starting, then healthy.
    fn health_rank(&self, _cx: &RowCx<'_>) -> Option<u8> {
        Some(match self.target.state.as_str() {
            s if is_unhealthy(s) => 0,
            s if is_healthy(s) => 2,
            _ => 1,
        })
    }

    fn columns() -> &'static [Column] {
        COLUMNS
    }

    fn cell(&self, column: usize, _: &RowCx<'_>) -> Cell<'_> {
        match column {
            0 => Cell::new(format!("{}:{}", self.target.id, self.target.port)),
            1 => Cell::tone(self.target.state.as_str(), state_tone(&self.target.state)),
            2 => match &self.task {
                Some(id) => Cell::new(id.as_str()),
                None if self.classic => Cell::muted("no task of it here"),
                None => Cell::tone("no task matches", Tone::Warn),
            },
            3 => Cell::opt(self.az.as_deref()),
            4 => match (&self.target.reason, &self.target.description) {
                (Some(r), Some(d)) => Cell::tone(Cow::Owned(format!("{r}: {d}")), state_tone(&self.target.state)),
                (Some(r), None) => Cell::tone(r.as_str(), state_tone(&self.target.state)),
                _ => Cell::muted("-"),
            },
            5 => Cell::new(self.target_group.as_str()),
            _ => Cell::muted("-"),
        }
    }
}

/// Does `task` stand behind `target`? Behind a Classic Load Balancer (`classic`), which
/// sends to the instance, any task on it does.
fn serves(task: &Task, target: &Target, instance_of: &dyn Fn(&str) -> Option<String>, classic: bool) -> bool {
    if task.private_ip.as_deref() == Some(target.id.as_str()) {
        return true;
    }
    let on_instance = task
        .container_instance_arn
        .as_deref()
        .and_then(instance_of)
        .is_some_and(|ec2| ec2 == target.id);
    on_instance
        && (classic
            || task
                .containers
                .iter()
                .any(|c| c.bindings.iter().any(|(_, host)| *host == target.port)))
}

/// The targets of a service's target groups, each matched to its task.
pub fn rows(store: &Store, cluster: &str, service: &str) -> Vec<TargetRow> {
    let Some(svc) = store.service(cluster, service) else {
        return vec![];
    };
    let data = store.cluster_data(cluster);
    let tasks: Vec<&Task> = data.map(|d| d.all_tasks().collect()).unwrap_or_default();
    let instance_of = |arn: &str| {
        data.and_then(|d| d.instances.get(arn))
            .and_then(|i| i.ec2_instance_id.clone())
    };
    let mut out = Vec::new();
    for lb in &svc.load_balancers {
        let Some(health) = store
            .insight
            .targets
            .get(&lb.target_group_arn)
            .and_then(|s| s.value.as_ref())
        else {
            continue;
        };
        let classic = crate::domain::is_classic(&lb.target_group_arn);
        for target in &health.targets {
            let task = tasks
                .iter()
                .filter(|t| t.service_name() == Some(svc.name.as_str()))
                .find(|t| serves(t, target, &instance_of, classic));
            out.push(TargetRow {
                key: format!("{}/{}:{}", health.name, target.id, target.port),
                target_group: health.name.clone(),
                target: target.clone(),
                task: task.map(|t| t.id.clone()),
                task_status: task.map(|t| t.last_status.clone()),
                az: task.and_then(|t| t.availability_zone.clone()),
                classic,
            });
        }
    }
    out
}

fn sync_table(store: &mut Store, cluster: &str, service: &str) {
    let rows = rows(store, cluster, service);
    let version = store
        .insight
        .targets
        .values()
        .filter_map(|s| s.fetched_at)
        .map(|t| t.as_millisecond() as u64)
        .sum::<u64>()
        ^ store.cluster_data(cluster).map_or(0, |d| d.tasks.version);
    let cx = RowCx::at(store.now);
    table::sync(&mut store.ui.page_mut().panes[0], &rows, version, |_| true, &cx);
}

fn draw(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, service: &str, theme: &Theme) {
    let Some(svc) = store.service(cluster, service) else {
        crate::ui::widgets::text_box(buf, area, "targets", vec!["loading…".into()], theme);
        return;
    };
    if svc.load_balancers.is_empty() {
        crate::ui::widgets::text_box(
            buf,
            area,
            "targets",
            vec![format!("{} is behind no load balancer", svc.name).into()],
            theme,
        );
        return;
    }
    let lb = &svc.load_balancers[0];
    let slot = store.insight.targets.get(&lb.target_group_arn);
    let health = slot.and_then(|s| s.value.as_ref());
    let count = |pick: fn(&str) -> bool| health.map_or(0, |h| h.targets.iter().filter(|t| pick(&t.state)).count());
    let (healthy, unhealthy) = (count(is_healthy), count(is_unhealthy));
    let classic = crate::domain::is_classic(&lb.target_group_arn);
    let (good, bad) = if classic {
        ("InService", "OutOfService")
    } else {
        ("healthy", "unhealthy")
    };
    let summary = format!(
        "{healthy} {good} · {unhealthy} {bad} · {} other",
        health.map_or(0, |h| h.targets.len()) - healthy - unhealthy
    );
    let balancer = match health.and_then(|h| h.load_balancers.first()) {
        Some(_) if classic => "Classic Load Balancer".to_string(),
        Some(arn) => crate::util::arn_tail_n(arn, 2).to_string(),
        None => "-".to_string(),
    };
    let pairs = vec![
        (
            if classic { "Classic" } else { "Group" },
            Span::styled(
                health.map_or(arn_tail(&lb.target_group_arn).to_string(), |h| h.name.clone()),
                theme.text,
            ),
        ),
        (
            "Targets",
            toned(summary, if unhealthy > 0 { Tone::Err } else { Tone::Ok }, theme),
        ),
        (
            "Listens",
            Span::styled(
                health.map_or("-".to_string(), |h| format!("{} {}", h.protocol, h.port)),
                theme.text,
            ),
        ),
        (
            "Health",
            Span::styled(health.map_or("-".to_string(), |h| h.health_check.clone()), theme.text),
        ),
        ("Balancer", Span::styled(balancer, theme.text)),
        (
            "Container",
            Span::styled(format!("{}:{}", lb.container_name, lb.container_port), theme.text),
        ),
    ];
    let columns = if area.width >= 120 { 3 } else { 2 };
    let [top, rest] = Layout::vertical([
        Constraint::Length(crate::ui::widgets::details_height(pairs.len(), columns)),
        Constraint::Min(3),
    ])
    .areas(area);
    details(buf, top, &format!("targets({})", svc.name), &pairs, columns, theme);
    let rows = rows(store, cluster, service);
    let cx = RowCx::at(store.now);
    let empty = match slot {
        None => "loading…",
        Some(s) if s.value.is_none() && s.error.is_some() => "could not load: see the error below",
        _ => "no targets registered",
    };
    let hidden: &[usize] = if svc.load_balancers.len() > 1 { &[] } else { &[5] };
    grid::render(
        buf,
        rest,
        &page.panes[0],
        &rows,
        &cx,
        theme,
        grid::Frame {
            title: "targets",
            focused: true,
            error: slot
                .and_then(|s| s.error.as_ref())
                .map(|e| crate::ui::widgets::describe_error(e, slot.and_then(|s| s.fetched_at), store.now)),
            empty,
            hidden,
        },
    );
}
