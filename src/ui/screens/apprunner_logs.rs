//! The logs of an App Runner service: its application's output (every instance's stream,
//! interleaved) or, with `t`, its service events (deployments, health checks, rollbacks).
//! Followed as they grow, searchable with `/`, paused with `p`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::apprunner::name_of;
use crate::domain::fetch::{Fetch, log_key};
use crate::domain::insight::{ALL_STREAMS, apprunner_log_group};
use crate::store::Store;
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::log::{self, Located};

pub const ID: ScreenId = ScreenId("apprunner-logs");

pub struct AppRunnerLogs;

fn arn_of(route: &Route) -> &str {
    route.arn.as_deref().unwrap_or_default()
}

/// The log group a page shows: the application's, or (its other list) the service's.
fn group(page: &Page) -> String {
    let arn = arn_of(&page.route);
    let id = arn.rsplit('/').next().unwrap_or_default();
    apprunner_log_group(name_of(arn), id, page.alternate)
}

/// `l` on an App Runner service.
pub fn open(store: &Store, arn: &str) -> Go {
    Go::here(Route::new(ID).account(store.account_name_of(arn)).arn(arn))
}

fn located(store: &Store, page: &Page) -> Located {
    Ok(log_key(
        store.account_name_of(arn_of(&page.route)),
        &group(page),
        ALL_STREAMS,
    ))
}

impl Screen for AppRunnerLogs {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        super::apprunner::crumbs(route, Some("logs"))
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let arn = arn_of(&page.route);
        vec![Fetch::Logs {
            account: store.account_name_of(arn).to_string(),
            region: crate::util::arn_region(arn).unwrap_or_default().to_string(),
            group: group(page),
            stream: ALL_STREAMS.to_string(),
        }]
    }

    fn scrolls(&self) -> bool {
        true
    }

    fn follows(&self) -> bool {
        true
    }

    fn selection(&self, store: &Store) -> Selection {
        super::apprunner::page_selection(store)
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        log::freshness(store, &located(store, page))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[ToggleStopped, Pause, Filter, Bottom, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        (command == Command::ToggleStopped).then_some("application/service")
    }

    fn key(&self, store: &mut Store, command: Command) -> bool {
        if command == Command::ToggleStopped {
            let page = store.ui.page_mut();
            page.alternate = !page.alternate;
            page.scroll = 0;
            page.following = true;
            return true;
        }
        log::key(store, command)
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let which = if page.alternate { "service" } else { "application" };
        let heading = format!(" logs({} {which}) ", name_of(arn_of(&page.route)));
        log::render(buf, area, store, page, heading, located(store, page), theme);
    }
}
