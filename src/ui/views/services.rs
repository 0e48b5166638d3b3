//! The services of one ECS cluster.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{empty_text, error_line, health_tone};
use crate::domain::{RolloutState, Service};
use crate::store::Store;
use crate::store::ui::Page;
use crate::ui::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::ui::theme::Theme;
use crate::util::fmt_age;

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
fn usage<'a>(service: &Service, which: usize, cx: &RowCx<'a>) -> Option<&'a crate::domain::metrics::MetricSeries> {
    let region = crate::util::arn_region(&service.cluster_arn)?;
    let keys =
        crate::domain::metrics::service_series(region, crate::util::arn_tail(&service.cluster_arn), &service.name);
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
        _ if rolling => (progress(primary.running, primary.desired), Tone::Info),
        RolloutState::Completed => ("COMPLETED".into(), Tone::Ok),
        _ => ("-".into(), Tone::Muted),
    }
}

/// A six-cell bar and the count: `███░░░ 3/6`.
pub fn progress(done: u32, of: u32) -> String {
    const CELLS: u32 = 6;
    let filled = if of == 0 {
        CELLS
    } else {
        (done.min(of) * CELLS).div_ceil(of).min(CELLS)
    };
    let filled = if done < of { filled.min(CELLS - 1) } else { filled };
    format!(
        "{}{} {done}/{of}",
        "█".repeat(filled as usize),
        "░".repeat((CELLS - filled) as usize)
    )
}

/// `running/desired`, warning when short.
pub fn tasks_cell(running: u32, desired: u32) -> Cell<'static> {
    let tone = if running < desired { Tone::Warn } else { Tone::Normal };
    Cell::tone(format!("{running}/{desired}"), tone)
}

impl Row for Service {
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
            2 => tasks_cell(self.running, self.desired),
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
            8 => Cell::tone(self.status.as_str(), super::status_tone(&self.status)),
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

pub fn sync(store: &mut Store, cluster: &str) {
    let Store {
        clusters,
        ui,
        now,
        insight,
        ..
    } = store;
    let cx = RowCx {
        now: *now,
        insight: Some(insight),
    };
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

pub fn render(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, theme: &Theme) {
    let cx = RowCx {
        now: store.now,
        insight: Some(&store.insight),
    };
    let state = &page.panes[0];
    let name = crate::util::arn_tail(cluster);
    let title = format!("services({name})");
    let data = store.cluster_data(cluster);
    let services = data.map(|d| &d.services);
    let empty = services.map_or_else(
        || "loading…".to_string(),
        |s| empty_text(s, !state.filter.is_empty(), "services in this cluster"),
    );
    table::render(
        buf,
        area,
        state,
        services.map_or(&[][..], |s| s.items()),
        &cx,
        theme,
        table::Frame {
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
        assert_eq!(progress(0, 6), "░░░░░░ 0/6");
        assert_eq!(progress(3, 6), "███░░░ 3/6");
        assert_eq!(progress(5, 6), "█████░ 5/6");
        assert_eq!(progress(39, 40), "█████░ 39/40");
        assert_eq!(progress(6, 6), "██████ 6/6");
        assert_eq!(progress(0, 0), "██████ 0/0");
    }
}
