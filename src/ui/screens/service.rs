//! One service: its deployments, its tasks and its event log.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;

use crate::domain::fetch::Fetch;
use crate::domain::metrics::{Window, place_of, service_series};
use crate::domain::{Deployment, RolloutState, Service, ServiceEvent, Task};
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::ui::widgets::{details, details_height, empty_text, error_line, health_tone, status_tone, text_box, toned};
use crate::util::{arn_region, arn_tail, fmt_age, task_def_short};

pub const ID: ScreenId = ScreenId("service");

/// The panes, in focus order.
pub const DEPLOYMENTS: usize = 0;
pub const TASKS: usize = 1;
pub const EVENTS: usize = 2;

pub struct ServiceScreen;

impl Screen for ServiceScreen {
    fn id(&self) -> ScreenId {
        ID
    }

    fn panes(&self) -> usize {
        3
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        let cluster = route.cluster_arn();
        vec![
            arn_region(cluster).unwrap_or("?").to_string(),
            arn_tail(cluster).to_string(),
            arn_tail(route.service.as_deref().unwrap_or_default()).to_string(),
        ]
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        let region = arn_region(cluster).unwrap_or_default().to_string();
        let series = service_series(
            place_of(cluster),
            arn_tail(cluster),
            arn_tail(page.route.service.as_deref().unwrap_or_default()),
        );
        let mut fetches = vec![
            Fetch::services(cluster),
            Fetch::running(cluster),
            Fetch::Alarms {
                account: store.account_name_of(cluster).to_string(),
                region,
            },
            Fetch::Metrics {
                window: Window::Hour,
                series: series.to_vec(),
            },
        ];
        // Its Cloud Map instances and their health.
        if let Some(s) = this(store) {
            fetches.extend(
                s.discovery
                    .registries
                    .iter()
                    .map(|r| Fetch::CloudMap { service: r.clone() }),
            );
        }
        // Its tasks' scale-in protection.
        fetches.extend(super::tasks::protection(
            store,
            cluster,
            page.route.service.as_deref().map(arn_tail),
        ));
        // While a deployment goes on: its circuit breaker's count, from the history.
        let rolling = this(store).is_some_and(|s| s.health() == crate::domain::Health::Progressing);
        if rolling {
            fetches.push(super::deployments::history(&page.route));
        }
        fetches
    }

    fn sync(&self, store: &mut Store) {
        let route = store.ui.route().clone();
        sync_tables(store, route.cluster_arn(), route.service.as_deref().unwrap_or_default());
    }

    fn columns(&self, _store: &Store, page: &Page) -> (&'static [Column], &'static [usize]) {
        match page.focus {
            DEPLOYMENTS => (DEPLOYMENT_COLUMNS, &[]),
            TASKS => (Task::columns(), super::tasks::HIDDEN_IN_SERVICE),
            _ => (EVENT_COLUMNS, &[]),
        }
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        let page = store.ui.page();
        let cluster = page.route.cluster_arn();
        let Some(service) = this(store) else { return Ok(None) };
        match page.focus {
            TASKS => {
                Ok(selected_task(store).map(|t| Go::here(Route::new(super::task::ID).cluster(cluster).task(&t.arn))))
            }
            // A deployment opens the service's tasks of that revision.
            DEPLOYMENTS => Ok(table::selected(page.table(), &service.deployments).map(|d| {
                Go::here(Route::new(super::tasks::ID).cluster(cluster).service(&service.arn))
                    .filter(format!("revision:{}", task_def_short(&d.task_definition)))
            })),
            _ => Ok(None),
        }
    }

    fn selection(&self, store: &Store) -> Selection {
        let page = store.ui.page();
        let cluster = page.route.cluster_arn().to_string();
        let service = this(store);
        let arn = page.route.service.clone().unwrap_or_default();
        let deployment = service
            .filter(|_| page.focus == DEPLOYMENTS)
            .and_then(|s| table::selected(page.table(), &s.deployments));
        // Events are part of the service; a deployment or a task is a resource of its own.
        let row = (page.focus != EVENTS).then(|| page.table().selected.clone()).flatten();
        let copy = row.unwrap_or_else(|| arn.clone());
        Selection {
            console: vec![copy.clone(), arn, cluster.clone()],
            copy: Some(copy),
            cluster: Some(cluster),
            task: selected_task(store).cloned(),
            task_definition: deployment.map(|d| d.task_definition.clone()),
            service: service.cloned(),
            ..Selection::default()
        }
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(store.cluster_data(page.route.cluster_arn()).map(|d| &d.services))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, NextPane, Metrics, Logs, Scale, Redeploy, Help]
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

/// The page's service.
fn this(store: &Store) -> Option<&Service> {
    let route = store.ui.route();
    store.service(route.cluster_arn(), route.service.as_deref()?)
}

/// The selected task, when the tasks pane has focus.
fn selected_task(store: &Store) -> Option<&Task> {
    let page = store.ui.page();
    if page.focus != TASKS {
        return None;
    }
    let tasks = store.cluster_data(page.route.cluster_arn())?.tasks.items();
    table::selected(page.table(), tasks)
}

pub const DEPLOYMENT_COLUMNS: &[Column] = &[
    Column::new("STATUS", 8, 8, 0),
    Column::new("TASKDEF", 10, 24, 0),
    Column::new("DESIRED", 8, 8, 1).right(),
    Column::new("RUN", 4, 4, 0).right(),
    Column::new("PEND", 5, 5, 2).right(),
    Column::new("FAILED", 7, 7, 1).right(),
    Column::new("ROLLOUT", 12, 12, 1),
    Column::new("CREATED", 8, 8, 2).right(),
    Column::new("UPDATED", 8, 8, 3).right(),
    Column::new("ID", 12, 0, 4),
];

impl Row for Deployment {
    fn columns() -> &'static [Column] {
        DEPLOYMENT_COLUMNS
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        let age = |t: Option<jiff::Timestamp>| t.map_or_else(|| Cell::muted("-"), |t| Cell::new(fmt_age(t, cx.now)));
        match column {
            0 => Cell::tone(self.status.as_str(), status_tone(&self.status)),
            1 => Cell::new(task_def_short(&self.task_definition)),
            2 => Cell::new(self.desired.to_string()),
            3 => Cell::new(self.running.to_string()),
            4 => Cell::new(self.pending.to_string()),
            5 => match self.failed {
                0 => Cell::muted("0"),
                n => Cell::tone(n.to_string(), Tone::Err),
            },
            6 => Cell::tone(
                self.rollout_state.as_str(),
                match self.rollout_state {
                    RolloutState::InProgress => Tone::Info,
                    RolloutState::Completed => Tone::Ok,
                    RolloutState::Failed => Tone::Err,
                    RolloutState::Unknown => Tone::Muted,
                },
            ),
            7 => age(self.created_at),
            8 => age(self.updated_at),
            9 => Cell::muted(self.id.as_str()),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            2 => SortKey::num(self.desired),
            3 => SortKey::num(self.running),
            4 => SortKey::num(self.pending),
            5 => SortKey::num(self.failed),
            7 => SortKey::time(self.created_at).negate(),
            8 => SortKey::time(self.updated_at).negate(),
            _ => SortKey::Text(Cow::Owned(self.cell(column, cx).text.into_owned())),
        }
    }
}

pub const EVENT_COLUMNS: &[Column] = &[Column::new("AGE", 6, 6, 0).right(), Column::new("MESSAGE", 20, 0, 0)];

fn event_tone(message: &str) -> Tone {
    if message.contains("unable to") || message.contains("failed") || message.contains("unhealthy") {
        Tone::Err
    } else if message.contains("steady state") || message.contains("completed") {
        Tone::Ok
    } else {
        Tone::Normal
    }
}

impl Row for ServiceEvent {
    fn columns() -> &'static [Column] {
        EVENT_COLUMNS
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        match column {
            0 => self
                .created_at
                .map_or_else(|| Cell::muted("-"), |t| Cell::new(fmt_age(t, cx.now))),
            _ => Cell::tone(crate::domain::event_text(&self.message), event_tone(&self.message)),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            0 => SortKey::time(self.created_at).negate(),
            _ => SortKey::Text(self.cell(column, cx).text),
        }
    }
}

fn sync_tables(store: &mut Store, cluster: &str, service: &str) {
    let Store {
        clusters,
        ui,
        now,
        insight,
        ..
    } = store;
    let cx = RowCx::with(*now, insight);
    let page = ui.page_mut();
    let data = clusters.get(cluster);
    let svc = data.and_then(|d| d.services.get(service));
    let version = data.map_or(0, |d| d.services.version);
    let (deployments, events) = svc.map_or((&[][..], &[][..]), |s| (&s.deployments[..], &s.events[..]));
    table::sync(&mut page.panes[DEPLOYMENTS], deployments, version, |_| true, &cx);
    table::sync(&mut page.panes[EVENTS], events, version, |_| true, &cx);
    let name = svc.map(|s| s.name.as_str());
    match data {
        Some(d) if name.is_some() => {
            table::sync(
                &mut page.panes[TASKS],
                d.tasks.items(),
                d.tasks.version,
                super::tasks::of_service(name),
                &cx,
            );
        }
        _ => table::sync::<crate::domain::Task>(&mut page.panes[TASKS], &[], 0, |_| true, &cx),
    }
}

fn summary<'a>(s: &'a Service, store: &Store, theme: &Theme) -> Vec<(&'static str, Span<'a>)> {
    let health = s.health();
    let counts = format!("running {}/{} · pending {}", s.running, s.desired, s.pending);
    let counts_tone = if s.running < s.desired {
        Tone::Warn
    } else {
        Tone::Normal
    };
    let lb = s.load_balancers.first().map_or_else(
        || "none".to_string(),
        |lb| {
            let tg = crate::domain::metrics::target_group_name(&lb.target_group_arn);
            format!("{tg} → {}:{}", lb.container_name, lb.container_port)
        },
    );
    let network = s.network.as_ref().map_or_else(
        || "host / bridge".to_string(),
        |n| {
            format!(
                "awsvpc · {} subnets · {}",
                n.subnets.len(),
                if n.assign_public_ip { "public IP" } else { "private" }
            )
        },
    );
    let rollback = s
        .previous_task_definition()
        .map_or_else(|| "-".to_string(), |td| task_def_short(td).to_string());
    let (alarm_text, alarm_tone) = alarms_of(store, s);
    vec![
        ("Health", toned(health.as_str(), health_tone(health), theme)),
        ("Tasks", toned(counts, counts_tone, theme)),
        ("Alarms", toned(alarm_text, alarm_tone, theme)),
        ("Task def", Span::styled(s.revision(), theme.text)),
        ("Previous", Span::styled(rollback, theme.text)),
        (
            "Launch",
            Span::styled(
                format!(
                    "{} · ECS Exec {}",
                    s.launch_type.as_str(),
                    if s.exec_enabled { "on" } else { "off (E turns it on)" }
                ),
                theme.text,
            ),
        ),
        (
            "Rolling",
            Span::styled(
                format!("min {}% · max {}%", s.min_healthy_percent, s.max_percent),
                theme.text,
            ),
        ),
        ("Rollout", toned(rollout(store, s), Tone::Normal, theme)),
        ("Capacity", toned(capacity(store, s), Tone::Normal, theme)),
        ("Connect", discovery(store, s, theme)),
        ("Target", Span::styled(lb, theme.text)),
        ("Network", Span::styled(network, theme.text)),
        ("Status", toned(s.status.as_str(), status_tone(&s.status), theme)),
        (
            "Created",
            Span::styled(
                s.created_at
                    .map_or_else(|| "-".into(), |t| format!("{} ago", fmt_age(t, store.now))),
                theme.text,
            ),
        ),
    ]
}

/// How it is found by name: its Service Connect namespace and endpoints, and how many of
/// the instances its Cloud Map services hold are healthy.
fn discovery<'a>(store: &Store, s: &Service, theme: &Theme) -> Span<'a> {
    let d = &s.discovery;
    if d.is_empty() {
        return toned("-", Tone::Muted, theme);
    }
    // Health first: it is what is cut on a narrow terminal otherwise.
    let mut parts = Vec::new();
    let mut tone = Tone::Normal;
    for registry in &d.registries {
        let slot = store.insight.cloud_map.get(registry);
        match (slot.and_then(|s| s.value.as_ref()), slot.and_then(|s| s.error.as_ref())) {
            (_, Some(error)) => {
                parts.push(format!("Cloud Map: {error}"));
                tone = Tone::Err;
            }
            (Some(instances), None) => {
                let healthy = instances.iter().filter(|i| i.health == "HEALTHY").count();
                if healthy < instances.len() {
                    tone = Tone::Warn;
                }
                parts.push(format!("Cloud Map {healthy}/{} healthy", instances.len()));
            }
            (None, None) => parts.push("Cloud Map …".into()),
        }
    }
    if let Some(ns) = &d.namespace {
        parts.push(format!("{ns}: {}", d.endpoints.join(", ")));
    }
    toned(parts.join(" · "), tone, theme)
}

/// Its capacity provider strategy and where its tasks run now:
/// `running 2 on FARGATE, 4 on FARGATE_SPOT · strategy FARGATE base 2 weight 1, FARGATE_SPOT
/// weight 3` (what runs first: it is what is cut on a narrow terminal).
fn capacity(store: &Store, s: &Service) -> String {
    let strategy: Vec<String> = s
        .capacity_strategy
        .iter()
        .map(|(p, base, weight)| match base {
            0 => format!("{p} weight {weight}"),
            b => format!("{p} base {b} weight {weight}"),
        })
        .collect();
    let mut on: Vec<(String, usize)> = Vec::new();
    for t in store
        .cluster_data(&s.cluster_arn)
        .map(|d| d.tasks.items())
        .unwrap_or_default()
        .iter()
        .filter(|t| t.service_name() == Some(s.name.as_str()) && t.last_status == "RUNNING")
    {
        let provider = t
            .capacity_provider
            .clone()
            .unwrap_or_else(|| t.launch_type.as_str().to_string());
        match on.iter_mut().find(|(p, _)| *p == provider) {
            Some((_, n)) => *n += 1,
            None => on.push((provider, 1)),
        }
    }
    on.sort();
    let running: Vec<String> = on.iter().map(|(p, n)| format!("{n} on {p}")).collect();
    match (strategy.is_empty(), running.is_empty()) {
        (true, true) => "-".into(),
        (true, false) => format!("running {}", running.join(", ")),
        (false, true) => strategy.join(", "),
        (false, false) => format!("running {} · strategy {}", running.join(", "), strategy.join(", ")),
    }
}

/// How the service rolls out, and while a deployment goes on, what its circuit breaker
/// counted so far.
fn rollout(store: &Store, s: &Service) -> String {
    let mut text = s.rollout.summary();
    let ongoing = store
        .insight
        .deployments
        .get(&s.arn)
        .and_then(|h| h.value.as_ref())
        .and_then(|h| h.deployments.iter().find(|d| d.ongoing()));
    if let Some(b) = ongoing.and_then(|d| d.circuit_breaker.as_ref()) {
        text.push_str(&format!(" · now {}/{} failed", b.failures, b.threshold));
    }
    if let Some(progress) = ongoing.and_then(|d| d.progress()) {
        text.push_str(&format!(" · {progress}"));
    }
    text
}

/// The alarms about a service (its cluster and service dimensions, or its target group):
/// the firing ones by name.
pub fn alarms_of(store: &Store, s: &Service) -> (String, Tone) {
    let Some(region) = crate::util::arn_region(&s.cluster_arn) else {
        return ("-".into(), Tone::Muted);
    };
    let place = crate::store::insight::place(store.account_name_of(&s.cluster_arn), region);
    let Some(alarms) = store.insight.alarms.get(&place).filter(|a| a.is_loaded()) else {
        return ("…".into(), Tone::Muted);
    };
    let cluster = crate::util::arn_tail(&s.cluster_arn);
    let groups: Vec<String> = s
        .load_balancers
        .iter()
        .filter_map(|lb| crate::domain::metrics::arn_suffix(&lb.target_group_arn, "targetgroup/"))
        .collect();
    let mine: Vec<_> = alarms
        .items()
        .iter()
        .filter(|a| {
            (a.dim("ClusterName") == Some(cluster) && a.dim("ServiceName") == Some(s.name.as_str()))
                || a.dim("TargetGroup").is_some_and(|tg| groups.iter().any(|g| g == tg))
        })
        .collect();
    let firing: Vec<&str> = mine.iter().filter(|a| a.firing()).map(|a| a.name.as_str()).collect();
    match (firing.len(), mine.len()) {
        (0, 0) => ("none".into(), Tone::Muted),
        (0, n) => (format!("{n} ok"), Tone::Ok),
        (_, _) => (format!("{} firing: {}", firing.len(), firing.join(", ")), Tone::Err),
    }
}

fn draw(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, service: &str, theme: &Theme) {
    let cx = RowCx::with(store.now, &store.insight);
    let data = store.cluster_data(cluster);
    let Some(svc) = data.and_then(|d| d.services.get(service)) else {
        let loading = data.is_none_or(|d| !d.services.is_loaded());
        let text = if loading {
            "loading…".to_string()
        } else {
            format!(
                "service {} is gone from {}",
                crate::util::arn_tail(service),
                crate::util::arn_tail(cluster)
            )
        };
        text_box(buf, area, "service", vec![text.into()], theme);
        return;
    };
    let mut pairs = summary(svc, store, theme);
    let columns = if area.width >= 150 { 3 } else { 2 };
    if area.height < 30 {
        // Small terminals get the six that matter most in an incident.
        pairs.truncate(6);
    }
    let summary_height = details_height(pairs.len(), columns);
    let deployment_rows = svc.deployments.len().clamp(1, 4) as u16;
    let [top, deps, rest] = Layout::vertical([
        Constraint::Length(summary_height),
        Constraint::Length(deployment_rows + 3),
        Constraint::Min(4),
    ])
    .areas(area);
    details(buf, top, &format!("service({})", svc.name), &pairs, columns, theme);

    let error = data.and_then(|d| error_line(&d.services, store.now));
    let pane = |n: usize| &page.panes[n];
    grid::render(
        buf,
        deps,
        pane(DEPLOYMENTS),
        &svc.deployments,
        &cx,
        theme,
        grid::Frame {
            title: "deployments",
            focused: page.focus == DEPLOYMENTS,
            error: error.clone(),
            empty: "no deployments",
            hidden: &[],
        },
    );
    let [tasks_area, events_area] = if rest.width >= 150 {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(rest)
    } else {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(rest)
    };
    let running = data.map(|d| &d.tasks);
    let state = pane(TASKS);
    let empty = running.map_or_else(
        || "loading…".to_string(),
        |t| empty_text(t, !state.filter.is_empty(), "running tasks"),
    );
    grid::render(
        buf,
        tasks_area,
        state,
        running.map_or(&[][..], |t| t.items()),
        &cx,
        theme,
        grid::Frame {
            title: "tasks",
            focused: page.focus == TASKS,
            error: running.and_then(|t| error_line(t, store.now)),
            empty: &empty,
            hidden: super::tasks::HIDDEN_IN_SERVICE,
        },
    );
    grid::render(
        buf,
        events_area,
        pane(EVENTS),
        &svc.events,
        &cx,
        theme,
        grid::Frame {
            title: "events",
            focused: page.focus == EVENTS,
            error: None,
            empty: "no events",
            hidden: &[],
        },
    );
}
