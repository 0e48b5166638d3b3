//! The services of one ECS cluster.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::fetch::Fetch;
use crate::domain::metrics::{MetricSeries, Window, place_of, service_series};
use crate::domain::{RolloutState, Service};
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::{Arg, CommandSpec};
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::ui::widgets::{self, empty_text, error_line, health_tone, status_tone};
use crate::util::{arn_region, arn_tail, fmt_age};

pub const ID: ScreenId = ScreenId("services");

pub struct Services;

impl Screen for Services {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        let cluster = route.cluster_arn();
        vec![
            arn_region(cluster).unwrap_or("?").to_string(),
            arn_tail(cluster).to_string(),
            "services".into(),
        ]
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        let mut fetches = vec![
            Fetch::services(cluster),
            Fetch::Alarms {
                account: store.account_name_of(cluster).to_string(),
                region: arn_region(cluster).unwrap_or_default().to_string(),
            },
        ];
        fetches.extend(sparkline_metrics(store, cluster));
        fetches
    }

    fn sync(&self, store: &mut Store) {
        let cluster = store.ui.route().cluster_arn().to_string();
        sync_table(store, &cluster);
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (COLUMNS, &[])
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        let page = store.ui.page();
        let cluster = page.route.cluster_arn();
        Ok(selected(store).map(|s| Go::here(Route::new(super::service::ID).cluster(cluster).service(&s.arn))))
    }

    fn selection(&self, store: &Store) -> Selection {
        let cluster = store.ui.route().cluster_arn().to_string();
        let service = selected(store).cloned();
        let copy = service.as_ref().map_or_else(|| cluster.clone(), |s| s.arn.clone());
        Selection {
            console: vec![copy.clone(), cluster.clone()],
            copy: Some(copy),
            service,
            cluster: Some(cluster),
            ..Selection::default()
        }
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(store.cluster_data(page.route.cluster_arn()).map(|d| &d.services))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, Filter, Scale, Redeploy, Help, Back]
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[
            CommandSpec::new(&["cluster", "cl", "ctx"], "cluster NAME", "the services of a cluster")
                .completes(Arg::EcsClusters),
            CommandSpec::new(
                &["svc", "services", "service", "s"],
                "svc [NAME]",
                "services of this cluster, or one service",
            )
            .completes(Arg::Services),
        ];
        C
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        match (name, args) {
            ("cluster", [name]) => {
                let arn = find_cluster(store, name)?;
                Ok(Go::root(vec![Route::new(ID).cluster(arn)]))
            }
            ("cluster", _) => Err("usage: :cluster NAME".into()),
            (_, [] | [_]) => {
                let selection = super::selection(store);
                let cluster = selection
                    .ecs_cluster()
                    .ok_or("no cluster here: pick one in :fleet, or :cluster NAME")?;
                let mut routes = vec![Route::new(ID).cluster(cluster)];
                if let [name] = args {
                    let service = find_service(store, cluster, name)?;
                    routes.push(Route::new(super::service::ID).cluster(cluster).service(service));
                }
                Ok(Go::root(routes))
            }
            _ => Err("usage: :svc [NAME]".into()),
        }
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        draw(buf, area, store, page, page.route.cluster_arn(), theme);
    }
}

/// The selected service.
fn selected(store: &Store) -> Option<&Service> {
    let page = store.ui.page();
    let services = store.cluster_data(page.route.cluster_arn())?.services.items();
    table::selected(page.table(), services)
}

/// CPU and memory of the last hour for every service of a cluster: the table's
/// sparklines, in one batched fetch.
fn sparkline_metrics(store: &Store, cluster: &str) -> Option<Fetch> {
    let services = store.cluster_data(cluster)?.services.items();
    if services.is_empty() {
        return None;
    }
    let series = services
        .iter()
        .flat_map(|s| service_series(place_of(cluster), arn_tail(cluster), &s.name))
        .collect();
    Some(Fetch::Metrics {
        window: Window::Hour,
        series,
    })
}

/// A cluster by exact name, or by a prefix only one cluster has.
pub fn find_cluster(store: &Store, name: &str) -> Result<String, String> {
    let clusters: Vec<_> = store.all_clusters().collect();
    if let Some(c) = clusters.iter().find(|c| c.name == name || c.arn == name) {
        return Ok(c.arn.clone());
    }
    let prefixed: Vec<_> = clusters.iter().filter(|c| c.name.starts_with(name)).collect();
    match prefixed.as_slice() {
        [one] => Ok(one.arn.clone()),
        [] => Err(format!("no ECS cluster named `{name}`")),
        many => Err(format!(
            "`{name}` could be {}",
            many.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// A service of a cluster by exact name, or by a prefix only one service has.
fn find_service(store: &Store, cluster: &str, name: &str) -> Result<String, String> {
    let services = store
        .cluster_data(cluster)
        .map(|d| d.services.items())
        .unwrap_or_default();
    if let Some(s) = services.iter().find(|s| s.name == name || s.arn == name) {
        return Ok(s.arn.clone());
    }
    let prefixed: Vec<_> = services.iter().filter(|s| s.name.starts_with(name)).collect();
    match prefixed.as_slice() {
        [one] => Ok(one.arn.clone()),
        [] => Err(format!("no service `{name}` in {}", arn_tail(cluster))),
        many => Err(format!(
            "`{name}` could be {}",
            many.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

pub const COLUMNS: &[Column] = &[
    Column::new("NAME", 12, 0, 0),
    Column::new("HEALTH", 9, 9, 0),
    Column::new("TASKS", 6, 9, 0).right(),
    Column::new("PEND", 5, 5, 4).right(),
    Column::new("ROLLOUT", 10, 16, 1),
    Column::new("TASKDEF", 10, 30, 2),
    Column::new("EVENT", 6, 6, 3).right(),
    Column::new("LAUNCH", 9, 9, 4),
    Column::new("STATUS", 9, 9, 5),
    Column::new("CPU 1H", 13, 13, 1),
    Column::new("MEM 1H", 13, 13, 2),
];

const CPU: usize = 9;
const MEM: usize = 10;

/// The last hour of a service's CPU or memory, from the store's metrics.
fn usage<'a>(service: &Service, which: usize, cx: &RowCx<'a>) -> Option<&'a MetricSeries> {
    let keys = service_series(
        place_of(&service.cluster_arn),
        arn_tail(&service.cluster_arn),
        &service.name,
    );
    cx.insight?.series(&keys[which], crate::domain::metrics::Window::Hour)
}

/// `▂▃▅▇▆▃▂▁ 42%`: eight buckets of the hour, and the latest value.
fn sparkline_cell(series: Option<&crate::domain::metrics::MetricSeries>) -> Cell<'static> {
    let Some(series) = series else { return Cell::muted("-") };
    let Some(latest) = series.latest() else {
        return Cell::muted("no data");
    };
    let bars = crate::domain::metrics::sparkline(&series.buckets(8), 100.0);
    let tone = if latest >= 90.0 {
        Tone::Err
    } else if latest >= 75.0 {
        Tone::Warn
    } else {
        Tone::Normal
    };
    Cell::tone(format!("{bars} {latest:>3.0}%"), tone)
}

/// `███░░░ 3/6` while rolling, else `COMPLETED` or `FAILED`: the primary deployment.
pub fn rollout_text(service: &Service) -> (String, Tone) {
    let Some(primary) = service.primary() else {
        return ("-".into(), Tone::Muted);
    };
    let rolling = primary.rollout_state == RolloutState::InProgress || service.deployments.len() > 1;
    match primary.rollout_state {
        RolloutState::Failed => ("FAILED".into(), Tone::Err),
        _ if rolling => (widgets::progress(primary.running, primary.desired), Tone::Info),
        RolloutState::Completed => ("COMPLETED".into(), Tone::Ok),
        _ => ("-".into(), Tone::Muted),
    }
}

impl Row for Service {
    fn health_rank(&self, _cx: &RowCx<'_>) -> Option<u8> {
        Some(self.health() as u8)
    }

    fn columns() -> &'static [Column] {
        COLUMNS
    }

    fn cell(&self, column: usize, cx: &RowCx<'_>) -> Cell<'_> {
        match column {
            0 => Cell::new(self.name.as_str()),
            1 => {
                let health = self.health();
                Cell::tone(health.as_str(), health_tone(health))
            }
            2 => widgets::tasks_cell(self.running, self.desired),
            3 => match self.pending {
                0 => Cell::muted("0"),
                n => Cell::tone(n.to_string(), Tone::Warn),
            },
            4 => {
                let (text, tone) = rollout_text(self);
                Cell::tone(text, tone)
            }
            5 => Cell::new(self.revision()),
            6 => self
                .last_event_at()
                .map_or_else(|| Cell::muted("-"), |at| Cell::new(fmt_age(at, cx.now))),
            7 => Cell::new(self.launch_type.as_str()),
            8 => Cell::tone(self.status.as_str(), status_tone(&self.status)),
            CPU => sparkline_cell(usage(self, 0, cx)),
            MEM => sparkline_cell(usage(self, 1, cx)),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx<'_>) -> SortKey<'_> {
        match column {
            1 => SortKey::Num(self.health() as i64),
            // Most short of tasks first.
            2 => SortKey::Num(i64::from(self.running) - i64::from(self.desired)),
            3 => SortKey::num(self.pending),
            4 => SortKey::num(self.rollout_percent().unwrap_or(101)),
            5 => SortKey::num(crate::util::task_def_revision(&self.task_definition).unwrap_or(0)),
            // Newest event first when ascending: what changed last is what matters.
            6 => SortKey::time(self.last_event_at()).negate(),
            // Busiest first.
            CPU | MEM => usage(self, column - CPU, cx)
                .and_then(|s| s.latest())
                .map_or(SortKey::Missing, |v| SortKey::Num(-(v * 100.0) as i64)),
            _ => SortKey::Text(Cow::Owned(self.cell(column, cx).text.into_owned())),
        }
    }
}

fn sync_table(store: &mut Store, cluster: &str) {
    let Store {
        clusters,
        ui,
        now,
        insight,
        ..
    } = store;
    let cx = RowCx::with(*now, insight);
    let state = &mut ui.page_mut().panes[0];
    // New metrics re-sort a table sorted by CPU or memory.
    let metrics = insight
        .metrics_status
        .fetched_at
        .map_or(0, |t| t.as_millisecond() as u64);
    match clusters.get(cluster) {
        Some(data) => table::sync(
            state,
            data.services.items(),
            data.services.version ^ (metrics << 20),
            |_| true,
            &cx,
        ),
        None => table::sync::<Service>(state, &[], 0, |_| true, &cx),
    }
}

fn draw(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, theme: &Theme) {
    let cx = RowCx::with(store.now, &store.insight);
    let state = &page.panes[0];
    let name = crate::util::arn_tail(cluster);
    let title = format!("services({name})");
    let data = store.cluster_data(cluster);
    let services = data.map(|d| &d.services);
    let empty = services.map_or_else(
        || "loading…".to_string(),
        |s| empty_text(s, !state.filter.is_empty(), "services in this cluster"),
    );
    grid::render(
        buf,
        area,
        state,
        services.map_or(&[][..], |s| s.items()),
        &cx,
        theme,
        grid::Frame {
            title: &title,
            focused: true,
            error: services.and_then(|s| error_line(s, store.now)),
            empty: &empty,
            hidden: &[],
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_bars_fill_with_the_rollout_and_only_full_when_done() {
        assert_eq!(widgets::progress(0, 6), "░░░░░░ 0/6");
        assert_eq!(widgets::progress(3, 6), "███░░░ 3/6");
        assert_eq!(widgets::progress(5, 6), "█████░ 5/6");
        assert_eq!(widgets::progress(39, 40), "█████░ 39/40");
        assert_eq!(widgets::progress(6, 6), "██████ 6/6");
        assert_eq!(widgets::progress(0, 0), "██████ 0/0");
    }
}
