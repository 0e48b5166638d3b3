//! The ECR images behind a service: tags, push time, size, scan findings by severity.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::Keyed;
use crate::domain::fetch::Fetch;
use crate::domain::insight::{Image, ecr_image};
use crate::store::Store;
use crate::store::insight::images_key;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::describe_error;
use crate::ui::widgets::table as grid;
use crate::util::{arn_tail, fmt_age};

pub const ID: ScreenId = ScreenId("images");

pub struct Images;

impl Screen for Images {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        super::service_crumbs(route, "images")
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        let service = page.route.service.as_deref().unwrap_or_default();
        let mut fetches = vec![Fetch::services(cluster)];
        if let Some(s) = store.service(cluster, service) {
            fetches.push(Fetch::TaskDefinition {
                arn: s.task_definition.clone(),
            });
        }
        for (region, repository, _) in service_images(store, cluster, service) {
            fetches.push(Fetch::Images {
                account: store.account_name_of(cluster).to_string(),
                region,
                repository,
                tags: vec![],
            });
        }
        fetches
    }

    fn sync(&self, store: &mut Store) {
        let route = store.ui.route().clone();
        sync_table(store, route.cluster_arn(), route.service.as_deref().unwrap_or_default());
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (IMAGE_COLUMNS, &[])
    }

    fn selection(&self, store: &Store) -> Selection {
        let mut selection = super::service_page_selection(store);
        // An image is a resource of its own: `y` copies its digest.
        if let Some(digest) = store.ui.page().table().selected.clone() {
            selection.console.insert(0, digest.clone());
            selection.copy = Some(digest);
        }
        selection
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
            &["images", "ecr"],
            "images",
            "the ECR images behind the service",
        )];
        C
    }

    fn opened_by(&self) -> Option<Command> {
        Some(Command::Images)
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
        .filter_map(|(region, repo, _)| {
            let account = store.account_name_of(cluster);
            store.insight.images.get(&images_key(account, region, repo))
        })
        .filter_map(|slot| slot.value.clone())
        .flatten()
        .collect()
}

fn sync_table(store: &mut Store, cluster: &str, service: &str) {
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

fn draw(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, service: &str, theme: &Theme) {
    let wanted = service_images(store, cluster, service);
    let rows = rows(store, cluster, service);
    let in_use: Vec<&str> = wanted.iter().map(|(_, _, tag)| tag.as_str()).collect();
    let title = format!("images({}) running: {}", arn_tail(service), in_use.join(", "));
    let error = wanted
        .iter()
        .filter_map(|(region, repo, _)| {
            let account = store.account_name_of(cluster);
            store.insight.images.get(&images_key(account, region, repo))
        })
        .find_map(|s| s.error.as_ref().map(|e| describe_error(e, s.fetched_at, store.now)));
    let empty = if store.service(cluster, service).is_none() {
        "loading…".to_string()
    } else if wanted.is_empty() {
        "no container of this service runs an image from ECR".to_string()
    } else {
        "loading…".to_string()
    };
    grid::render(
        buf,
        area,
        &page.panes[0],
        &rows,
        &RowCx::at(store.now),
        theme,
        grid::Frame {
            title: &title,
            focused: true,
            error,
            empty: &empty,
            hidden: &[],
        },
    );
}
