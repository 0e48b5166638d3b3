//! Every App Runner service of the fleet, worst first: status, health, the last hour of
//! requests and 5xx as sparklines, the operation in progress or the last one, the URL.
//! `enter` opens one.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::apprunner::{AppRunnerService, operation_name};
use crate::domain::fetch::Fetch;
use crate::domain::metrics::{self, MetricSeries, SeriesKey, Window, apprunner_series, place_of};
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::ui::widgets::{health_tone, status_tone};
use crate::util::{fmt_age, words};

pub const ID: ScreenId = ScreenId("apprunners");

pub struct AppRunners;

/// The services shown, in the store's order (account, region, then name).
fn services(store: &Store) -> Vec<AppRunnerService> {
    let mut all: Vec<AppRunnerService> = store
        .all_apprunner()
        .filter(|s| store.account_scope.as_ref().is_none_or(|a| &s.account == a))
        .cloned()
        .collect();
    all.sort_by(|a, b| (a.health(), &a.name, &a.region).cmp(&(b.health(), &b.name, &b.region)));
    all
}

/// The requests (0) and 5xx (3) series of a service, as its sparklines read them.
fn series(s: &AppRunnerService, which: usize) -> SeriesKey {
    apprunner_series(place_of(&s.arn), &s.name, &s.id)[which].1.clone()
}

impl Screen for AppRunners {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, store: &Store, _route: &Route) -> Vec<String> {
        vec![store.context.regions.join(","), "App Runner".into()]
    }

    fn scope(&self, store: &Store, _page: &Page) -> Vec<Fetch> {
        let mut fetches: Vec<Fetch> = store
            .places()
            .filter_map(|(account, region)| Fetch::apprunner_services(&account, &region))
            .collect();
        // One batched read per account and region, as GetMetricData takes them.
        let keys: Vec<SeriesKey> = services(store)
            .iter()
            .filter(|s| s.status != "PAUSED")
            .flat_map(|s| [series(s, 0), series(s, 3)])
            .collect();
        fetches.extend(Fetch::metrics(Window::Hour, keys, usize::MAX));
        fetches
    }

    fn sync(&self, store: &mut Store) {
        let rows = services(store);
        let Store {
            apprunner,
            insight,
            ui,
            now,
            ..
        } = store;
        // The rows' order changes with the lists; their sparklines with the metrics.
        let version = apprunner
            .values()
            .fold(0u64, |v, c| v.wrapping_mul(31).wrapping_add(c.version))
            .wrapping_add(
                insight
                    .metrics_status
                    .fetched_at
                    .map_or(0, |t| t.as_millisecond() as u64),
            );
        let cx = RowCx::with(*now, insight);
        table::sync(&mut ui.page_mut().panes[0], &rows, version, |_| true, &cx);
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (COLUMNS, &[])
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        let rows = services(store);
        let Some(s) = table::selected(store.ui.page().table(), &rows) else {
            return Ok(None);
        };
        Ok(Some(Go::here(super::apprunner::route(store, &s.arn))))
    }

    fn selection(&self, store: &Store) -> Selection {
        let rows = services(store);
        let s = table::selected(store.ui.page().table(), &rows).cloned();
        Selection {
            console: s.iter().map(|s| s.arn.clone()).collect(),
            copy: s.as_ref().map(|s| s.arn.clone()),
            cluster: s.as_ref().map(|s| s.arn.clone()),
            apprunner: s,
            ..Selection::default()
        }
    }

    fn freshness(&self, store: &Store, _page: &Page) -> Freshness {
        Freshness {
            at: store.apprunner.values().filter_map(|c| c.fetched_at).min(),
            failing: store.apprunner.values().any(|c| c.error.is_some()),
        }
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, Redeploy, Drain, Metrics, Logs, Filter, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        match command {
            Command::Redeploy => Some("deploy"),
            Command::Drain => Some("pause/resume"),
            _ => None,
        }
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["apprunner", "ar"],
            "apprunner [NAME]",
            "every App Runner service of the fleet, or one by name",
        )];
        C
    }

    fn command(&self, store: &Store, _name: &str, args: &[&str]) -> Result<Go, String> {
        match args {
            [] => Ok(Go::root(vec![Route::new(ID)])),
            [name] => {
                let found: Vec<&AppRunnerService> = store.all_apprunner().filter(|s| s.name == *name).collect();
                match found.as_slice() {
                    [one] => Ok(Go::root(vec![Route::new(ID), super::apprunner::route(store, &one.arn)])),
                    [] => {
                        let names: Vec<&str> = store.all_apprunner().map(|s| s.name.as_str()).collect();
                        Err(format!(
                            "no App Runner service named `{name}` (there: {})",
                            if names.is_empty() {
                                "none yet".to_string()
                            } else {
                                names.join(", ")
                            }
                        ))
                    }
                    many => Err(format!(
                        "{} App Runner services are named `{name}` (in several regions or accounts): pick one from :apprunner",
                        many.len()
                    )),
                }
            }
            _ => Err("usage: :apprunner [NAME]".into()),
        }
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let rows = services(store);
        let cx = RowCx::with(store.now, &store.insight);
        let error = store
            .apprunner
            .iter()
            .find_map(|((account, region), c)| c.error.as_ref().map(|e| format!("{account} {region}: {e}")));
        let loaded = store.apprunner.values().any(|c| c.is_loaded());
        let empty = if loaded {
            "no App Runner services in the fleet's accounts and regions"
        } else {
            "loading…"
        };
        grid::render(
            buf,
            area,
            &page.panes[0],
            &rows,
            &cx,
            theme,
            grid::Frame {
                title: "App Runner",
                focused: true,
                error,
                empty,
                hidden: if store.context.accounts.len() > 1 { &[] } else { &[1] },
            },
        );
    }
}

pub const COLUMNS: &[Column] = &[
    Column::new("NAME", 12, 0, 0),
    Column::new("ACCOUNT", 8, 16, 2),
    Column::new("REGION", 10, 14, 1),
    Column::new("STATUS", 8, 21, 0),
    Column::new("HEALTH", 9, 9, 0),
    Column::new("REQ 1H", 14, 14, 1),
    Column::new("5XX 1H", 14, 14, 1),
    Column::new("LAST OPERATION", 14, 34, 2),
    Column::new("URL", 12, 60, 3),
];

/// `▂▃▅▇▆▃▂▁ 1.2k`: eight buckets of the hour and the latest value.
fn sparkline(series: Option<&MetricSeries>, paused: bool, err: bool) -> Cell<'static> {
    if paused {
        return Cell::muted("paused");
    }
    let Some(series) = series else { return Cell::muted("-") };
    let Some(latest) = series.latest() else {
        return Cell::muted("no data");
    };
    // Scaled from below the hour's lowest (by its range) to its highest, so a change shows.
    let buckets = series.buckets(8);
    let values = buckets.iter().flatten();
    let top = values.clone().fold(0.0f64, |a, b| a.max(*b));
    let bottom = values.fold(top, |a, b| a.min(*b));
    let low = (bottom - (top - bottom)).max(0.0);
    let shifted: Vec<Option<f64>> = buckets.iter().map(|b| b.map(|v| v - low)).collect();
    let bars = metrics::sparkline(&shifted, top - low);
    let text = format!("{bars} {}", series.key.unit().format(latest));
    if err && latest > 0.0 {
        Cell::tone(text, Tone::Err)
    } else {
        Cell::new(text)
    }
}

impl Row for AppRunnerService {
    fn health_rank(&self, _cx: &RowCx<'_>) -> Option<u8> {
        Some(self.health() as u8)
    }

    fn columns() -> &'static [Column] {
        COLUMNS
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        let paused = self.status == "PAUSED";
        match column {
            0 => Cell::new(self.name.as_str()),
            1 => Cell::new(self.account.as_str()),
            2 => Cell::new(self.region.as_str()),
            3 => Cell::tone(self.status.as_str(), status_tone(&self.status)),
            4 => Cell::tone(self.health().as_str(), health_tone(self.health())),
            5 | 6 => {
                let which = if column == 5 { 0 } else { 3 };
                let series = cx.insight.and_then(|i| i.series(&series(self, which), Window::Hour));
                sparkline(series, paused, column == 6)
            }
            7 => match self.operations.first() {
                Some(op) => {
                    let when = op
                        .started_at
                        .map_or_else(String::new, |t| format!(" {}", fmt_age(t, cx.now)));
                    let text = format!("{} {}{when}", operation_name(&op.kind), words(&op.status));
                    let tone = if op.failed() {
                        Tone::Err
                    } else if op.in_progress() {
                        Tone::Info
                    } else {
                        Tone::Normal
                    };
                    Cell::tone(text, tone)
                }
                None => Cell::muted("-"),
            },
            8 => self.url.as_deref().map_or_else(|| Cell::muted("-"), Cell::new),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            4 => SortKey::Num(self.health() as i64),
            _ => SortKey::Text(Cow::Owned(self.cell(column, cx).text.into_owned())),
        }
    }
}
