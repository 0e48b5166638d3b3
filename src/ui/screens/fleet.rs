//! The fleet: every cluster, ECS and EKS, in every account and region, worst first. The
//! root of the page stack.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::fetch::Fetch;
use crate::domain::{ClusterKind, FleetRow};
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::ui::widgets::{health_tone, status_tone};

pub const ID: ScreenId = ScreenId::FLEET;

pub struct Fleet;

impl Screen for Fleet {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, store: &Store, _route: &Route) -> Vec<String> {
        match &store.account_scope {
            Some(account) => vec![account.clone(), store.context.regions.join(","), "fleet".into()],
            None => vec![store.context.regions.join(","), "fleet".into()],
        }
    }

    fn scope(&self, store: &Store, _page: &Page) -> Vec<Fetch> {
        store
            .places()
            .filter(|(account, _)| store.account_scope.as_ref().is_none_or(|a| a == account))
            .flat_map(|(account, region)| {
                let apprunner = Fetch::apprunner_services(&account, &region);
                [
                    Fetch::EcsClusters {
                        account: account.clone(),
                        region: region.clone(),
                    },
                    Fetch::EksClusters { account, region },
                ]
                .into_iter()
                .chain(apprunner)
            })
            .collect()
    }

    fn sync(&self, store: &mut Store) {
        let Store {
            fleet,
            ui,
            now,
            account_scope,
            ..
        } = store;
        let cx = RowCx::at(*now);
        let keep = |r: &FleetRow| account_scope.as_ref().is_none_or(|a| &r.account == a);
        table::sync(&mut ui.page_mut().panes[0], fleet.items(), fleet.version, keep, &cx);
    }

    fn columns(&self, store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (COLUMNS, hidden(store))
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        let Some(row) = table::selected(store.ui.page().table(), store.fleet.items()) else {
            return Ok(None);
        };
        let screen = match row.kind {
            ClusterKind::AppRunner => return Ok(Some(Go::here(super::apprunner::route(store, &row.arn)))),
            ClusterKind::Ecs => super::services::ID,
            ClusterKind::Eks => super::eks::ID,
            // Nothing to open: say what failed and how to fix it.
            ClusterKind::Account => {
                return Err(format!(
                    "account {}: {}",
                    row.account,
                    row.error.as_deref().map_or_else(|| "no access".into(), fix_first)
                ));
            }
        };
        Ok(Some(Go::here(
            Route::new(screen).account(&row.account).cluster(&row.arn),
        )))
    }

    fn selection(&self, store: &Store) -> Selection {
        let row =
            table::selected(store.ui.page().table(), store.fleet.items()).filter(|r| r.kind != ClusterKind::Account);
        Selection {
            apprunner: row
                .filter(|r| r.kind == ClusterKind::AppRunner)
                .and_then(|r| store.apprunner_service(&r.arn).cloned()),
            cluster: row.map(|r| r.arn.clone()),
            copy: row.map(|r| r.arn.clone()),
            console: row.map(|r| r.arn.clone()).into_iter().collect(),
            ..Selection::default()
        }
    }

    fn freshness(&self, store: &Store, _page: &Page) -> Freshness {
        let shown = |(account, _): &&(String, String)| store.account_scope.as_ref().is_none_or(|a| a == account);
        Freshness {
            at: store
                .ecs
                .iter()
                .filter(|(k, _)| shown(k))
                .filter_map(|(_, c)| c.fetched_at)
                .min(),
            failing: store
                .ecs
                .iter()
                .filter(|(k, _)| shown(k))
                .any(|(_, c)| c.error.is_some())
                || store
                    .eks
                    .iter()
                    .filter(|(k, _)| shown(k))
                    .any(|(_, c)| c.error.is_some())
                || store
                    .apprunner
                    .iter()
                    .filter(|(k, _)| shown(k))
                    .any(|(_, c)| c.error.is_some()),
        }
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, Filter, CommandLine, Help, Quit]
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["fleet", "clusters", "fl"],
            "fleet",
            "every cluster in every region",
        )];
        C
    }

    fn command(&self, _store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        match args {
            [] => Ok(Go::root(Vec::new())),
            _ => Err(format!(":{name} takes no argument")),
        }
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        draw(buf, area, store, page, theme);
    }
}

pub const COLUMNS: &[Column] = &[
    Column::new("ACCOUNT", 8, 16, 1),
    Column::new("NAME", 12, 0, 0),
    Column::new("TYPE", 8, 10, 2),
    Column::new("REGION", 10, 14, 1),
    Column::new("HEALTH", 9, 9, 0),
    Column::new("SVCS", 5, 5, 3).right(),
    Column::new("TASKS", 6, 11, 0).right(),
    Column::new("PEND", 5, 5, 4).right(),
    Column::new("DEGRADED", 9, 9, 1).right(),
    Column::new("DEPLOYING", 10, 10, 3).right(),
    Column::new("STOPPED/1H", 11, 11, 2).right(),
    Column::new("STATUS", 9, 10, 5),
    Column::new("ALARMS", 7, 7, 1).right(),
    Column::new("URL", 12, 60, 5),
];

fn count(n: Option<u32>) -> Cell<'static> {
    n.map_or_else(|| Cell::muted("-"), |n| Cell::new(n.to_string()))
}

fn alarm(n: Option<u32>, tone: Tone) -> Cell<'static> {
    match n {
        Some(0) => Cell::muted("0"),
        Some(n) => Cell::tone(n.to_string(), tone),
        None => Cell::muted("-"),
    }
}

impl Row for FleetRow {
    fn columns() -> &'static [Column] {
        COLUMNS
    }

    fn cell(&self, column: usize, _: &RowCx) -> Cell<'_> {
        let ecs = self.kind == ClusterKind::Ecs;
        match column {
            0 => Cell::new(self.account.as_str()),
            1 => Cell::new(self.name.as_str()),
            2 => match &self.version {
                Some(v) => Cell::new(format!("{} {v}", self.kind.as_str())),
                None => Cell::new(self.kind.as_str()),
            },
            3 => Cell::new(self.region.as_str()),
            4 => Cell::tone(self.health.as_str(), health_tone(self.health)),
            5 => count(self.services),
            6 => match self.desired {
                Some(desired) => crate::ui::widgets::tasks_cell(self.running, desired),
                None if ecs => Cell::new(self.running.to_string()),
                None => Cell::muted("-"),
            },
            7 if ecs || self.desired.is_some() => alarm(Some(self.pending), Tone::Warn),
            8 => alarm(self.degraded, Tone::Warn),
            9 => alarm(self.deploying, Tone::Info),
            10 => alarm(self.stopped_last_hour, Tone::Warn),
            11 => Cell::tone(self.status.as_str(), status_tone(&self.status)),
            12 => alarm(self.alarms, Tone::Err),
            13 => match &self.url {
                Some(url) => Cell::new(url.as_str()),
                None => Cell::muted(""),
            },
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        let opt = |n: Option<u32>| n.map_or(SortKey::Missing, SortKey::num);
        match column {
            4 => SortKey::Num(self.health as i64),
            5 => opt(self.services),
            6 => SortKey::num(self.running),
            7 => SortKey::num(self.pending),
            8 => opt(self.degraded),
            9 => opt(self.deploying),
            10 => opt(self.stopped_last_hour),
            12 => opt(self.alarms),
            _ => SortKey::Text(Cow::Owned(self.cell(column, cx).text.into_owned())),
        }
    }
}

/// A sign-in failure as a narrow border shows it: the fix, then the error's code
/// (`run aws sso login --profile X … (ExpiredToken)`), where the message has both.
fn fix_first(message: &str) -> String {
    let Some((what, fix)) = message.split_once(" — ") else {
        return message.to_string();
    };
    let after = what.rsplit_once("failed: ").map_or(what, |(_, after)| after);
    let code = after.split(':').next().unwrap_or(after).trim();
    format!("{fix} ({code})")
}

/// The ACCOUNT column shows only when the fleet has more than one account.
pub fn hidden(store: &Store) -> &'static [usize] {
    if store.context.accounts.len() > 1 { &[] } else { &[0] }
}

fn draw(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
    let cx = RowCx::at(store.now);
    let state = &page.panes[0];
    let many = store.context.accounts.len() > 1;
    let place = |(account, region): &(String, String)| {
        if many {
            format!("{account} {region}")
        } else {
            region.clone()
        }
    };
    let shown = |(account, _): &(String, String)| store.account_scope.as_ref().is_none_or(|a| a == account);
    // An account whose credentials failed has its own row; its regions' errors would
    // only repeat it.
    let locked = |(account, _): &(String, String)| {
        store
            .identities
            .get(account)
            .and_then(|c| c.error.as_ref())
            .is_some_and(|e| e.kind == crate::domain::ErrorKind::Auth)
    };
    // One failing region must not hide the others: name each failure on the border,
    // the accounts that cannot be read at all first.
    let errors: Vec<String> = store
        .context
        .accounts
        .iter()
        .filter(|a| shown(&(a.name.clone(), String::new())))
        .filter_map(|a| {
            let error = store.identities.get(&a.name)?.error.as_ref()?;
            (error.kind == crate::domain::ErrorKind::Auth).then(|| format!("{}: {}", a.name, fix_first(&error.message)))
        })
        .chain(
            store
                .ecs
                .iter()
                .filter(|(k, _)| shown(k) && !locked(k))
                .filter_map(|(k, c)| c.error.as_ref().map(|e| format!("ECS {}: {e}", place(k)))),
        )
        .chain(
            store
                .eks
                .iter()
                .filter(|(k, _)| shown(k) && !locked(k))
                .filter_map(|(k, c)| c.error.as_ref().map(|e| format!("EKS {}: {e}", place(k)))),
        )
        .chain(
            store
                .apprunner
                .iter()
                .filter(|(k, _)| shown(k) && !locked(k))
                .filter_map(|(k, c)| c.error.as_ref().map(|e| format!("App Runner {}: {e}", place(k)))),
        )
        .collect();
    let error = match errors.len() {
        0 => None,
        1 => Some(errors[0].clone()),
        n => Some(format!("{} (and {} more)", errors[0], n - 1)),
    };
    let loaded = store.ecs.values().any(|c| c.is_loaded()) || store.eks.values().any(|c| c.is_loaded());
    let empty = if !loaded && error.is_some() {
        "could not list clusters: see the error below".to_string()
    } else if !loaded {
        "loading…".to_string()
    } else if !state.filter.is_empty() {
        "nothing matches the filter".to_string()
    } else if let Some(account) = &store.account_scope {
        format!("no clusters or App Runner services in account {account} (:account for all)")
    } else {
        let who: Vec<&str> = store.context.accounts.iter().map(|a| a.name.as_str()).collect();
        format!(
            "no clusters or App Runner services in {} ({} {}): try another --region or --profile",
            store.context.regions.join(", "),
            if who.len() == 1 { "profile" } else { "profiles" },
            who.join(", ")
        )
    };
    grid::render(
        buf,
        area,
        state,
        store.fleet.items(),
        &cx,
        theme,
        grid::Frame {
            title: "fleet",
            focused: true,
            error,
            empty: &empty,
            hidden: hidden(store),
        },
    );
}
