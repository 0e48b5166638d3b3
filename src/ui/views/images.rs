//! The ECR images behind a service (tags, push time, size, scan findings by severity),
//! the repositories of a region, and the scheduled tasks (EventBridge rules) of a cluster.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{empty_text, error_line, status_tone};
use crate::domain::Keyed;
use crate::domain::insight::{Image, Repository, ScheduledTask, ecr_image};
use crate::store::Store;
use crate::store::ui::Page;
use crate::ui::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::ui::theme::Theme;
use crate::util::{arn_region, arn_tail, fmt_age, task_def_short};

impl Keyed for Image {
    fn key(&self) -> &str {
        &self.digest
    }
}

pub const IMAGE_COLUMNS: &[Column] = &[
    Column::new("REPOSITORY", 10, 24, 1),
    Column::new("TAGS", 8, 24, 0),
    Column::new("DIGEST", 14, 19, 2),
    Column::new("PUSHED", 7, 7, 1).right(),
    Column::new("SIZE", 7, 7, 3).right(),
    Column::new("SCAN", 9, 11, 3),
    Column::new("CRIT", 5, 5, 0).right(),
    Column::new("HIGH", 5, 5, 0).right(),
    Column::new("MED", 4, 4, 2).right(),
    Column::new("LOW", 4, 4, 3).right(),
];

fn findings(image: &Image, severity: &str, tone: Tone) -> Cell<'static> {
    match image.findings.get(severity).copied().unwrap_or(0) {
        0 => Cell::muted("0"),
        n => Cell::tone(n.to_string(), tone),
    }
}

impl Row for Image {
    fn columns() -> &'static [Column] {
        IMAGE_COLUMNS
    }

    fn cell(&self, column: usize, cx: &RowCx<'_>) -> Cell<'_> {
        match column {
            0 => Cell::new(self.repository.as_str()),
            1 => Cell::new(self.tags.join(",")),
            2 => Cell::muted(self.digest.get(..19).unwrap_or(&self.digest)),
            3 => self
                .pushed_at
                .map_or_else(|| Cell::muted("-"), |t| Cell::new(fmt_age(t, cx.now))),
            4 => self.size_bytes.map_or_else(
                || Cell::muted("-"),
                |b| Cell::new(format!("{:.0}MB", b as f64 / 1_000_000.0)),
            ),
            5 => Cell::opt(self.scan_status.as_deref()),
            6 => findings(self, "CRITICAL", Tone::Err),
            7 => findings(self, "HIGH", Tone::Err),
            8 => findings(self, "MEDIUM", Tone::Warn),
            9 => findings(self, "LOW", Tone::Normal),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx<'_>) -> SortKey<'_> {
        let n = |s: &str| SortKey::num(self.findings.get(s).copied().unwrap_or(0));
        match column {
            3 => SortKey::time(self.pushed_at).negate(),
            4 => SortKey::Num(self.size_bytes.unwrap_or(0)),
            6 => n("CRITICAL"),
            7 => n("HIGH"),
            8 => n("MEDIUM"),
            9 => n("LOW"),
            _ => SortKey::Text(Cow::Owned(self.cell(column, cx).text.into_owned())),
        }
    }
}

/// The ECR repositories and tags of a service's containers: `(region, repository, tag)`.
pub fn service_images(store: &Store, cluster: &str, service: &str) -> Vec<(String, String, String)> {
    let Some(svc) = store.service(cluster, service) else {
        return vec![];
    };
    let Some(Ok(td)) = store.task_definitions.get(&svc.task_definition) else {
        return vec![];
    };
    let mut out: Vec<_> = td.containers.iter().filter_map(|c| ecr_image(&c.image)).collect();
    out.dedup();
    out
}

/// Every image of the service's repositories, newest first.
fn rows(store: &Store, cluster: &str, service: &str) -> Vec<Image> {
    service_images(store, cluster, service)
        .iter()
        .filter_map(|(region, repo, _)| store.insight.images.get(&format!("{region}/{repo}")))
        .filter_map(|slot| slot.value.clone())
        .flatten()
        .collect()
}

pub fn sync(store: &mut Store, cluster: &str, service: &str) {
    let rows = rows(store, cluster, service);
    let version = rows.len() as u64
        ^ store
            .insight
            .images
            .values()
            .filter_map(|s| s.fetched_at)
            .map(|t| t.as_millisecond() as u64)
            .sum::<u64>();
    let cx = RowCx::at(store.now);
    table::sync(&mut store.ui.page_mut().panes[0], &rows, version, |_| true, &cx);
}

pub fn render(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, service: &str, theme: &Theme) {
    let wanted = service_images(store, cluster, service);
    let rows = rows(store, cluster, service);
    let in_use: Vec<&str> = wanted.iter().map(|(_, _, tag)| tag.as_str()).collect();
    let title = format!("images({}) running: {}", arn_tail(service), in_use.join(", "));
    let error = wanted
        .iter()
        .filter_map(|(region, repo, _)| store.insight.images.get(&format!("{region}/{repo}")))
        .find_map(|s| {
            s.error
                .as_ref()
                .map(|e| super::describe_error(e, s.fetched_at, store.now))
        });
    let empty = if store.service(cluster, service).is_none() {
        "loading…".to_string()
    } else if wanted.is_empty() {
        "no container of this service runs an image from ECR".to_string()
    } else {
        "loading…".to_string()
    };
    table::render(
        buf,
        area,
        &page.panes[0],
        &rows,
        &RowCx::at(store.now),
        theme,
        table::Frame {
            title: &title,
            focused: true,
            error,
            empty: &empty,
            hidden: &[],
        },
    );
}

pub const REPOSITORY_COLUMNS: &[Column] = &[
    Column::new("NAME", 12, 0, 0),
    Column::new("SCAN ON PUSH", 13, 13, 1),
    Column::new("TAGS", 10, 10, 2),
    Column::new("CREATED", 8, 8, 2).right(),
    Column::new("URI", 20, 0, 3),
];

impl Row for Repository {
    fn columns() -> &'static [Column] {
        REPOSITORY_COLUMNS
    }

    fn cell(&self, column: usize, cx: &RowCx<'_>) -> Cell<'_> {
        match column {
            0 => Cell::new(self.name.as_str()),
            1 => {
                if self.scan_on_push {
                    Cell::tone("yes", Tone::Ok)
                } else {
                    Cell::tone("no", Tone::Warn)
                }
            }
            2 => Cell::new(self.tag_mutability.as_str()),
            3 => self
                .created_at
                .map_or_else(|| Cell::muted("-"), |t| Cell::new(fmt_age(t, cx.now))),
            4 => Cell::muted(self.uri.as_str()),
            _ => Cell::muted("-"),
        }
    }
}

pub fn sync_repositories(store: &mut Store, region: &str) {
    let Store { insight, ui, now, .. } = store;
    let cx = RowCx::at(*now);
    let state = &mut ui.page_mut().panes[0];
    match insight.repositories.get(region) {
        Some(set) => table::sync(state, set.items(), set.version, |_| true, &cx),
        None => table::sync::<Repository>(state, &[], 0, |_| true, &cx),
    }
}

pub fn render_repositories(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, region: &str, theme: &Theme) {
    let set = store.insight.repositories.get(region);
    let state = &page.panes[0];
    let empty = set.map_or_else(
        || "loading…".to_string(),
        |s| empty_text(s, !state.filter.is_empty(), "ECR repositories"),
    );
    table::render(
        buf,
        area,
        state,
        set.map_or(&[][..], |s| s.items()),
        &RowCx::at(store.now),
        theme,
        table::Frame {
            title: &format!("repositories({region})"),
            focused: true,
            error: set.and_then(|s| error_line(s, store.now)),
            empty: &empty,
            hidden: &[],
        },
    );
}

pub const SCHEDULE_COLUMNS: &[Column] = &[
    Column::new("RULE", 12, 0, 0),
    Column::new("SCHEDULE", 12, 24, 0),
    Column::new("STATE", 9, 9, 0),
    Column::new("TASKDEF", 10, 28, 1),
    Column::new("COUNT", 6, 6, 2).right(),
    Column::new("LAUNCH", 9, 9, 3),
];

impl Row for ScheduledTask {
    fn columns() -> &'static [Column] {
        SCHEDULE_COLUMNS
    }

    fn cell(&self, column: usize, _: &RowCx<'_>) -> Cell<'_> {
        match column {
            0 => Cell::new(self.rule.as_str()),
            1 => Cell::opt(self.schedule.as_deref()),
            2 => Cell::tone(
                self.state.as_str(),
                if self.state == "ENABLED" {
                    Tone::Ok
                } else {
                    status_tone(&self.state)
                },
            ),
            3 => Cell::new(task_def_short(&self.task_definition)),
            4 => Cell::new(self.count.to_string()),
            5 => Cell::opt(self.launch_type.as_deref()),
            _ => Cell::muted("-"),
        }
    }
}

fn schedules_of<'a>(store: &'a Store, cluster: &str) -> Vec<&'a ScheduledTask> {
    let region = arn_region(cluster).unwrap_or_default();
    store
        .insight
        .schedules
        .get(region)
        .map(|s| s.items().iter().filter(|t| t.cluster_arn == cluster).collect())
        .unwrap_or_default()
}

pub fn sync_schedules(store: &mut Store, cluster: &str) {
    let region = arn_region(cluster).unwrap_or_default().to_string();
    let rows: Vec<ScheduledTask> = schedules_of(store, cluster).into_iter().cloned().collect();
    let version = store.insight.schedules.get(&region).map_or(0, |s| s.version);
    let cx = RowCx::at(store.now);
    table::sync(&mut store.ui.page_mut().panes[0], &rows, version, |_| true, &cx);
}

pub fn render_schedules(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, theme: &Theme) {
    let region = arn_region(cluster).unwrap_or_default();
    let set = store.insight.schedules.get(region);
    let rows: Vec<ScheduledTask> = schedules_of(store, cluster).into_iter().cloned().collect();
    let empty = match set {
        None => "loading…".to_string(),
        Some(_) => format!("no EventBridge rule starts tasks in {}", arn_tail(cluster)),
    };
    table::render(
        buf,
        area,
        &page.panes[0],
        &rows,
        &RowCx::at(store.now),
        theme,
        table::Frame {
            title: &format!("schedules({})", arn_tail(cluster)),
            focused: true,
            error: set.and_then(|s| error_line(s, store.now)),
            empty: &empty,
            hidden: &[],
        },
    );
}
