//! What changed: one list, newest first, of what happened to the fleet, an account, an ECS
//! cluster or service, an EKS cluster or a workload in a window (`1h` unless
//! `:timeline 6h`): deployments started and ended, tasks stopped (grouped by reason),
//! service events that matter, scaling activities, alarm state changes, Kubernetes warning
//! events, node group and add-on updates, and bosun's own actions. `w` opens it on what the
//! user is on (the fleet from the fleet view); `enter` opens what an entry is about;
//! `/` and `kind:deploy` filter.
//!
//! What it costs: the services and stopped tasks of every ECS cluster and the node groups
//! and add-ons of every EKS cluster are what the fleet view reads anyway; the timeline adds
//! one DescribeAlarmHistory call per account and region every 30 s (one page, the last
//! day's 100 newest state changes), the region's scaling activities (one
//! DescribeScalingActivities page) and each EKS cluster's events (one watch). Of one
//! cluster it reads that cluster's services and stopped tasks at the fast rate.

use jiff::SignedDuration;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::kube::{age, text_key};
use crate::domain::fetch::Fetch;
use crate::domain::timeline::{self, Entry, Level, Open};
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::timeline::About;
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::util::arn_tail;

pub const ID: ScreenId = ScreenId("timeline");

/// The CLUSTER column: hidden on a timeline of one cluster.
const CLUSTER: usize = 3;

pub struct TimelineScreen;

/// What a page's timeline is about, from its route.
pub fn about(route: &Route) -> About {
    About {
        account: route.account.clone(),
        cluster: route.cluster.clone(),
        service: route.service.clone(),
        workload: route.object.clone(),
    }
}

/// How far back a page's timeline looks.
pub fn window(route: &Route) -> SignedDuration {
    route
        .minutes
        .map_or(timeline::DEFAULT_SINCE, |m| SignedDuration::from_mins(i64::from(m)))
}

/// Where the timeline of what the user is on goes: the fleet (or the account it is
/// scoped to) from the fleet view, else the service, workload or cluster selected.
pub fn route_for(store: &Store) -> Route {
    let route = Route::new(ID);
    if store.ui.route().is(ScreenId::FLEET) {
        return match &store.account_scope {
            Some(account) => route.account(account),
            None => route,
        };
    }
    let selection = super::selection(store);
    if let Some(service) = &selection.service {
        return route.cluster(&service.cluster_arn).service(&service.arn);
    }
    if let (Some(cluster), Some(w)) = (selection.eks_cluster(), &selection.workload) {
        return route
            .cluster(cluster)
            .object(format!("{}/{}/{}", w.kind.as_str(), w.namespace, w.name));
    }
    match &selection.cluster {
        Some(cluster) if !cluster.contains(":apprunner:") => route.cluster(cluster),
        _ => route,
    }
}

impl Screen for TimelineScreen {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, store: &Store, route: &Route) -> Vec<String> {
        let mut crumbs = match (&route.cluster, &route.account) {
            (Some(cluster), _) => vec![
                crate::util::arn_region(cluster).unwrap_or("?").to_string(),
                arn_tail(cluster).to_string(),
            ],
            (None, Some(account)) => vec![account.clone()],
            (None, None) => vec![match &store.account_scope {
                Some(account) => account.clone(),
                None => "fleet".to_string(),
            }],
        };
        if let Some(service) = &route.service {
            crumbs.push(arn_tail(service).to_string());
        }
        if let Some(workload) = &route.object {
            crumbs.push(workload.clone());
        }
        crumbs.push(format!("timeline {}", timeline::human(window(route))));
        crumbs
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        crate::store::timeline::fetches(store, &about(&page.route))
    }

    fn sync(&self, store: &mut Store) {
        let route = store.ui.route().clone();
        let about = about(&route);
        // To the minute: the window moves with the clock, not with every frame.
        let since = (store.now - window(&route))
            .round(
                jiff::TimestampRound::new()
                    .smallest(jiff::Unit::Minute)
                    .mode(jiff::RoundMode::Floor),
            )
            .unwrap_or(store.now - window(&route));
        let from = {
            use std::hash::{BuildHasher, Hash, Hasher};
            let mut h = foldhash::quality::FixedState::with_seed(3).build_hasher();
            crate::store::timeline::fingerprint(store, &about, since).hash(&mut h);
            route.hash(&mut h);
            h.finish()
        };
        if store.timeline.from != Some(from) {
            let entries = crate::store::timeline::gather(store, &about, since);
            let errors = crate::store::timeline::errors(store, &about);
            let now = store.now;
            let t = &mut store.timeline;
            t.entries.replace(entries, now);
            t.entries.error = errors;
            t.from = Some(from);
        }
        let Store { timeline, ui, now, .. } = store;
        let cx = RowCx::at(*now);
        let page = ui.page_mut();
        table::sync(
            &mut page.panes[0],
            timeline.entries.items(),
            timeline.entries.version,
            |_| true,
            &cx,
        );
    }

    fn columns(&self, _store: &Store, page: &Page) -> (&'static [Column], &'static [usize]) {
        (Entry::columns(), hidden(&page.route))
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        let page = store.ui.page();
        let Some(entry) = table::selected(page.table(), store.timeline.entries.items()) else {
            return Ok(None);
        };
        let route = match &entry.open {
            Open::Service { cluster, service } => Route::new(super::service::ID).cluster(cluster).service(service),
            Open::StoppedTasks { cluster, service } => {
                let route = Route::new(super::tasks::ID).cluster(cluster);
                let route = match service {
                    Some(name) => match store
                        .cluster_data(cluster)
                        .and_then(|d| d.services.items().iter().find(|s| &s.name == name))
                    {
                        Some(s) => route.service(&s.arn),
                        None => route,
                    },
                    None => route,
                };
                return Ok(Some(Go::here(route).alternate(true)));
            }
            Open::Autoscaling { cluster, service } => {
                Route::new(super::autoscaling::ID).cluster(cluster).service(service)
            }
            Open::Metrics { cluster, service } => Route::new(super::metrics::ID).cluster(cluster).service(service),
            Open::Object { cluster, kind, object } if kind == "Pod" => {
                Route::new(super::pod::ID).cluster(cluster).object(object)
            }
            Open::Object { cluster, kind, object } => Route::new(super::object::ID)
                .cluster(cluster)
                .kind(kind.to_lowercase())
                .object(object),
            Open::Eks { cluster } => Route::new(super::eks::ID).cluster(cluster),
            Open::Cluster { cluster } => Route::new(super::services::ID).cluster(cluster),
            Open::AppRunner { service } => Route::new(super::apprunner::ID).arn(service),
            Open::Nothing => return Err("nothing to open: the resource is not in the fleet".into()),
        };
        Ok(Some(Go::here(route)))
    }

    fn selection(&self, store: &Store) -> Selection {
        let page = store.ui.page();
        let Some(entry) = table::selected(page.table(), store.timeline.entries.items()) else {
            return Selection::in_cluster(page.route.cluster.as_deref());
        };
        let mut selection = Selection::in_cluster(entry.cluster.as_deref().or(page.route.cluster.as_deref()));
        if let Open::Service { cluster, service }
        | Open::Metrics { cluster, service }
        | Open::Autoscaling { cluster, service } = &entry.open
        {
            selection.service = store.service(cluster, service).cloned();
            selection.console = vec![service.clone(), cluster.clone()];
        }
        // `y` copies the entry as a line for the incident notes.
        selection.copy = Some(format!(
            "{} {} {} {}: {}",
            entry.at.strftime("%H:%M:%SZ"),
            entry.kind.as_str(),
            entry.cluster.as_deref().map(arn_tail).unwrap_or("-"),
            entry.resource,
            entry.what
        ));
        selection
    }

    fn freshness(&self, store: &Store, _page: &Page) -> Freshness {
        Freshness::of(Some(&store.timeline.entries))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, Filter, CopyReport, CopyArn, CommandLine, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        (command == Command::CopyArn).then_some("copy line")
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["timeline", "tl"],
            "timeline",
            "what changed, newest first (:timeline 6h; :timeline fleet)",
        )];
        C
    }

    fn opened_by(&self) -> Option<Command> {
        Some(Command::Timeline)
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        let mut route = route_for(store);
        for arg in args {
            if *arg == "fleet" {
                route = Route::new(ID);
                continue;
            }
            let since = timeline::parse_since(arg).map_err(|e| format!(":{name}: {e}"))?;
            route = route.minutes(since.as_mins() as u32);
        }
        // Asked again where it is open: in its place, with the new window.
        if store.ui.route().is(ID) {
            let here = store.ui.route();
            let mut again = here.clone();
            if route.minutes.is_some() {
                again.minutes = route.minutes;
            }
            if args.contains(&"fleet") {
                again = route;
            }
            return Ok(Go::replace(again));
        }
        Ok(Go::here(route))
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let cx = RowCx::at(store.now);
        let set = &store.timeline.entries;
        let title = format!("timeline · last {}", timeline::human(window(&page.route)));
        let empty = if set.fetched_at.is_none() {
            "loading…".to_string()
        } else if !page.panes[0].filter.is_empty() {
            "nothing matches the filter".to_string()
        } else {
            format!(
                "nothing changed in the last {} (:timeline 6h looks further back)",
                timeline::human(window(&page.route))
            )
        };
        grid::render(
            buf,
            area,
            &page.panes[0],
            set.items(),
            &cx,
            theme,
            grid::Frame {
                title: &title,
                focused: true,
                error: set
                    .error
                    .as_ref()
                    .map(|e| crate::ui::widgets::describe_error(e, set.fetched_at, store.now)),
                empty: &empty,
                hidden: hidden(&page.route),
            },
        );
    }
}

/// The columns a page leaves out: the cluster, on a timeline of one.
fn hidden(route: &Route) -> &'static [usize] {
    if route.cluster.is_some() { &[CLUSTER] } else { &[] }
}

fn tone(level: Level) -> Tone {
    match level {
        Level::Bad => Tone::Err,
        Level::Warn => Tone::Warn,
        Level::Good => Tone::Ok,
        Level::Info => Tone::Normal,
    }
}

impl Row for Entry {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("AGE", 5, 6, 0).right(),
            Column::new("UTC", 5, 5, 2),
            Column::new("KIND", 4, 9, 0),
            Column::new("CLUSTER", 7, 16, 1),
            Column::new("RESOURCE", 8, 26, 0),
            Column::new("WHAT", 30, 0, 0).late(),
        ];
        C
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        match column {
            0 => age(Some(self.at), cx),
            1 => Cell::muted(self.at.strftime("%H:%M").to_string()),
            2 => Cell::tone(
                self.kind.as_str(),
                if self.level == Level::Bad {
                    Tone::Err
                } else {
                    Tone::Muted
                },
            ),
            3 => Cell::new(self.cluster.as_deref().map(arn_tail).unwrap_or("-")),
            4 => Cell::new(self.resource.as_str()),
            5 => Cell::tone(self.what.as_str(), tone(self.level)),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            0 | 1 => SortKey::time(Some(self.at)).negate(),
            _ => text_key(self, column, cx),
        }
    }
}
