//! Charts of an App Runner service (AWS/AppRunner): requests, 2xx / 4xx / 5xx, latency,
//! active instances, CPU and memory, over the 1h / 3h / 24h / 7d windows.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::metrics::{Plot, draw_plots, window_key};
use crate::domain::apprunner::name_of;
use crate::domain::fetch::Fetch;
use crate::domain::metrics::{Deploy, apprunner_series, place_of};
use crate::store::Store;
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;

pub const ID: ScreenId = ScreenId("apprunner-metrics");

pub struct AppRunnerMetrics;

fn arn_of(route: &Route) -> &str {
    route.arn.as_deref().unwrap_or_default()
}

/// The service's charts, named from its ARN (`…:service/NAME/ID`), with its deployments
/// (the operations that deployed a version) and the alarms on them marked.
pub fn plots(store: &Store, arn: &str) -> Vec<Plot> {
    let id = arn.rsplit('/').next().unwrap_or_default();
    let mut plots: Vec<Plot> = apprunner_series(place_of(arn), name_of(arn), id)
        .into_iter()
        .map(|(title, key)| Plot::new(title, key))
        .collect();
    let deploys: Vec<Deploy> = store
        .apprunner_service(arn)
        .map(|s| {
            s.operations
                .iter()
                .filter(|o| o.deploys())
                .filter_map(|o| {
                    Some(Deploy {
                        at: o.started_at?,
                        failed: o.failed(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    super::metrics::mark(store, arn, &mut plots, &deploys);
    plots
}

/// `m` on an App Runner service.
pub fn open(store: &Store, arn: &str) -> Go {
    Go::here(Route::new(ID).account(store.account_name_of(arn)).arn(arn))
}

impl Screen for AppRunnerMetrics {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        super::apprunner::crumbs(route, Some("metrics"))
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let arn = arn_of(&page.route);
        vec![
            Fetch::AppRunnerService {
                service: arn.to_string(),
            },
            Fetch::Alarms {
                account: store.account_name_of(arn).to_string(),
                region: crate::util::arn_region(arn).unwrap_or_default().to_string(),
            },
            Fetch::Metrics {
                window: page.window,
                series: plots(store, arn).into_iter().map(|p| p.key).collect(),
            },
        ]
    }

    fn scrolls(&self) -> bool {
        true
    }

    fn selection(&self, store: &Store) -> Selection {
        super::apprunner::page_selection(store)
    }

    fn freshness(&self, store: &Store, _page: &Page) -> Freshness {
        super::metrics::freshness(store)
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Window1h, Window24h, Window7d, Back, Help]
    }

    fn key(&self, store: &mut Store, command: Command) -> bool {
        window_key(store, command)
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let arn = arn_of(&page.route);
        draw_plots(buf, area, store, page, name_of(arn), &plots(store, arn), theme);
    }
}
