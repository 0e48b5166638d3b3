//! Tasks of a cluster or of one service: running ones, or (one key away) stopped ones
//! with their stop reasons and exit codes.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::Task;
use crate::domain::fetch::Fetch;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::store::{Collection, Store};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::ui::widgets::{empty_text, error_line, status_tone, text_box};
use crate::util::{arn_region, arn_tail, fmt_age};

pub const ID: ScreenId = ScreenId("tasks");

pub struct Tasks;

impl Screen for Tasks {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        let cluster = route.cluster_arn();
        let mut crumbs = vec![
            arn_region(cluster).unwrap_or("?").to_string(),
            arn_tail(cluster).to_string(),
        ];
        if let Some(service) = &route.service {
            crumbs.push(arn_tail(service).to_string());
        }
        crumbs.push("tasks".into());
        crumbs
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        let mut fetches = vec![Fetch::running(cluster), Fetch::stopped(cluster)];
        fetches.extend(protection(store, cluster, service_name(&page.route)));
        fetches
    }

    fn sync(&self, store: &mut Store) {
        let route = store.ui.route().clone();
        sync_table(store, route.cluster_arn(), service_name(&route));
    }

    fn columns(&self, _store: &Store, page: &Page) -> (&'static [Column], &'static [usize]) {
        (COLUMNS, hidden(page.alternate, page.route.service.is_some()))
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        let cluster = store.ui.route().cluster_arn();
        Ok(selected(store).map(|t| Go::here(Route::new(super::task::ID).cluster(cluster).task(&t.arn))))
    }

    fn selection(&self, store: &Store) -> Selection {
        let route = store.ui.route();
        let cluster = route.cluster_arn().to_string();
        let task = selected(store).cloned();
        let copy = task.as_ref().map_or_else(|| cluster.clone(), |t| t.arn.clone());
        let service = route.service.as_deref().and_then(|s| {
            let name = arn_tail(s);
            store
                .cluster_data(&cluster)?
                .services
                .items()
                .iter()
                .find(|x| x.name == name)
                .cloned()
        });
        Selection {
            console: vec![copy.clone(), cluster.clone()],
            copy: Some(copy),
            cluster: Some(cluster),
            service,
            task,
            ..Selection::default()
        }
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(source(store, page.route.cluster_arn(), page.alternate))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, ToggleStopped, StopTask, Filter, Help, Back]
    }

    fn key(&self, store: &mut Store, command: Command) -> bool {
        if command != Command::ToggleStopped {
            return false;
        }
        let page = store.ui.page_mut();
        page.alternate = !page.alternate;
        let table = page.table_mut();
        table.cursor = 0;
        table.selected = None;
        table.invalidate();
        true
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[
            CommandSpec::new(
                &["tasks", "task", "t"],
                "tasks",
                "running tasks of this service or cluster",
            ),
            CommandSpec::new(
                &["stopped", "st"],
                "stopped",
                "stopped tasks of this service or cluster",
            ),
        ];
        C
    }

    /// The tasks of the cluster the user is in, or of the page's service; stopped ones
    /// for `:stopped` (and `t` on a screen without a list of its own to switch).
    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        if !args.is_empty() {
            return Err(format!(":{name} takes no argument"));
        }
        let selection = super::selection(store);
        let cluster = selection
            .ecs_cluster()
            .ok_or("no cluster here: pick one in :fleet, or :cluster NAME")?;
        let mut route = Route::new(ID).cluster(cluster);
        route.service = store.ui.route().service.clone();
        let go = if store.ui.route().is(ID) {
            Go::replace(route)
        } else {
            Go::here(route)
        };
        Ok(go.alternate(name == "stopped"))
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let route = &page.route;
        draw(buf, area, store, page, route.cluster_arn(), service_name(route), theme);
    }
}

/// The name of the service whose tasks the page shows, if it is one service's.
fn service_name(route: &Route) -> Option<&str> {
    route.service.as_deref().map(arn_tail)
}

/// The selected task.
fn selected(store: &Store) -> Option<&Task> {
    let page = store.ui.page();
    let set = source(store, page.route.cluster_arn(), page.alternate)?;
    table::selected(page.table(), set.items())
}

pub const COLUMNS: &[Column] = &[
    Column::new("ID", 12, 32, 0).late(),
    Column::new("SERVICE", 10, 20, 1),
    Column::new("LAST", 8, 14, 0),
    Column::new("DESIRED", 8, 8, 4),
    Column::new("HEALTH", 9, 9, 1),
    Column::new("REVISION", 10, 24, 2),
    Column::new("AZ", 11, 11, 4),
    Column::new("IP", 13, 15, 3),
    Column::new("AGE", 6, 6, 1).right(),
    Column::new("STOPPED", 8, 8, 1).right(),
    Column::new("EXIT", 5, 5, 1).right(),
    Column::new("STOP REASON", 14, 0, 1),
    Column::new("LAUNCH", 9, 12, 5),
    Column::new("PROTECTED", 9, 9, 2),
];

/// The PROTECTED column: scale-in protection, read for a service's tasks only.
const PROTECTED: usize = 13;

/// The most tasks of a service whose scale-in protection a page reads (ten a call).
pub const PROTECTION_READ: usize = 100;

/// The read of the scale-in protection of a service's running tasks, if it has any.
pub fn protection(store: &Store, cluster: &str, service: Option<&str>) -> Option<Fetch> {
    let service = service?;
    let mut tasks: Vec<String> = store
        .cluster_data(cluster)?
        .tasks
        .items()
        .iter()
        .filter(|t| t.service_name() == Some(service))
        .map(|t| t.arn.clone())
        .collect();
    tasks.sort();
    tasks.truncate(PROTECTION_READ);
    (!tasks.is_empty()).then(|| Fetch::TaskProtection {
        cluster: cluster.to_string(),
        tasks,
    })
}

const SERVICE: usize = 1;
const STOPPED: usize = 9;
const EXIT: usize = 10;
const REASON: usize = 11;

/// Columns left out when showing running tasks: they are all about stopping.
const HIDDEN_RUNNING: &[usize] = &[STOPPED, EXIT, REASON, PROTECTED];
/// Columns left out when showing stopped tasks, to make room for why they stopped.
const HIDDEN_STOPPED: &[usize] = &[3, 4, 6, 7, 8, PROTECTED];
const HIDDEN_RUNNING_OF_SERVICE: &[usize] = &[SERVICE, STOPPED, EXIT, REASON];
const HIDDEN_STOPPED_OF_SERVICE: &[usize] = &[SERVICE, 3, 4, 6, 7, 8, PROTECTED];

/// The columns a tasks page leaves out.
pub fn hidden(stopped: bool, of_service: bool) -> &'static [usize] {
    match (stopped, of_service) {
        (false, false) => HIDDEN_RUNNING,
        (true, false) => HIDDEN_STOPPED,
        (false, true) => HIDDEN_RUNNING_OF_SERVICE,
        (true, true) => HIDDEN_STOPPED_OF_SERVICE,
    }
}
/// In a service's detail, the service column says nothing.
pub const HIDDEN_IN_SERVICE: &[usize] = &[1, 3, STOPPED, EXIT, REASON, 12];

pub fn exit_tone(code: i32) -> Tone {
    if code == 0 { Tone::Muted } else { Tone::Err }
}

impl Row for Task {
    /// Unhealthy or stopped on a failure first, then starting, then the rest.
    fn health_rank(&self, _cx: &RowCx<'_>) -> Option<u8> {
        let failed = self.health == "UNHEALTHY"
            || self
                .containers
                .iter()
                .any(|c| c.exit_code.is_some_and(|code| code != 0));
        Some(if failed {
            0
        } else if matches!(self.last_status.as_str(), "PROVISIONING" | "PENDING" | "ACTIVATING") {
            1
        } else {
            2
        })
    }

    fn columns() -> &'static [Column] {
        COLUMNS
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.id.as_str()),
            1 => Cell::new(self.service_name().unwrap_or(self.group.as_str())),
            2 => Cell::tone(self.last_status.as_str(), status_tone(&self.last_status)),
            3 => Cell::tone(self.desired_status.as_str(), status_tone(&self.desired_status)),
            4 => Cell::tone(self.health.as_str(), status_tone(&self.health)),
            5 => Cell::new(self.revision()),
            6 => Cell::opt(self.availability_zone.as_deref()),
            7 => Cell::opt(self.private_ip.as_deref()),
            8 => self
                .created_at
                .map_or_else(|| Cell::muted("-"), |t| Cell::new(fmt_age(t, cx.now))),
            STOPPED => self
                .stopped_at
                .map_or_else(|| Cell::muted("-"), |t| Cell::new(fmt_age(t, cx.now))),
            EXIT => self
                .exit_code()
                .map_or_else(|| Cell::muted("-"), |c| Cell::tone(c.to_string(), exit_tone(c))),
            REASON => match &self.stopped_reason {
                Some(reason) => {
                    let container = self.containers.iter().find_map(|c| c.reason.as_deref());
                    let text = match container {
                        Some(why) => Cow::Owned(format!("{reason}: {why}")),
                        None => Cow::Borrowed(reason.as_str()),
                    };
                    Cell::tone(text, Tone::Warn)
                }
                None => Cell::muted("-"),
            },
            // Where it runs: its capacity provider (FARGATE_SPOT), else its launch type.
            12 => Cell::new(self.capacity_provider.as_deref().unwrap_or(self.launch_type.as_str())),
            PROTECTED => match cx.insight.and_then(|i| i.protection_of(&self.cluster_arn, &self.arn)) {
                Some(p) if p.enabled => Cell::tone(
                    p.expires.map_or_else(|| "yes".to_string(), |at| fmt_age(cx.now, at)),
                    Tone::Info,
                ),
                _ => Cell::muted("-"),
            },
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            8 => SortKey::time(self.created_at).negate(),
            STOPPED => SortKey::time(self.stopped_at).negate(),
            EXIT => self.exit_code().map_or(SortKey::Missing, SortKey::num),
            _ => SortKey::Text(self.cell(column, cx).text),
        }
    }
}

/// The collection a tasks page shows.
pub fn source<'a>(store: &'a Store, cluster: &str, stopped: bool) -> Option<&'a Collection<Task>> {
    let data = store.cluster_data(cluster)?;
    Some(if stopped { &data.stopped } else { &data.tasks })
}

/// Whether a task belongs on a page about `service` (all tasks when `None`).
pub fn of_service(service: Option<&str>) -> impl Fn(&Task) -> bool + '_ {
    move |t| service.is_none_or(|s| t.service_name() == Some(s))
}

fn sync_table(store: &mut Store, cluster: &str, service: Option<&str>) {
    let Store {
        clusters,
        ui,
        now,
        insight,
        ..
    } = store;
    let cx = RowCx::with(*now, insight);
    let page = ui.page_mut();
    let stopped = page.alternate;
    let state = &mut page.panes[0];
    match clusters.get(cluster) {
        Some(data) => {
            let set = if stopped { &data.stopped } else { &data.tasks };
            // Running and stopped lists are different sources: keep their versions apart.
            let version = set.version * 2 + u64::from(stopped);
            table::sync(state, set.items(), version, of_service(service), &cx);
        }
        None => table::sync::<Task>(state, &[], 0, |_| true, &cx),
    }
}

fn draw(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, service: Option<&str>, theme: &Theme) {
    let cx = RowCx::with(store.now, &store.insight);
    let state = &page.panes[0];
    let name = crate::util::arn_tail(cluster);
    let scope = match service {
        Some(s) => format!("{name}/{s}"),
        None => name.to_string(),
    };
    let title = if page.alternate {
        format!("stopped tasks({scope})")
    } else {
        format!("tasks({scope})")
    };
    let set = source(store, cluster, page.alternate);
    let what = if page.alternate {
        "stopped tasks in the last hour"
    } else {
        "running tasks"
    };
    let empty = set.map_or_else(
        || "loading…".to_string(),
        |s| empty_text(s, !state.filter.is_empty(), what),
    );
    let mut area = area;
    if page.alternate
        && let Some(set) = set
    {
        // Why tasks stopped, most common first: the pattern before the rows.
        let groups = crate::domain::stop_reasons(set.items().iter().filter(|t| of_service(service)(t)));
        if !groups.is_empty() {
            let shown = groups.len().min(4);
            let height = (shown as u16 + 2).min(area.height / 3).max(3);
            let [top, rest] = ratatui::layout::Layout::vertical([
                ratatui::layout::Constraint::Length(height),
                ratatui::layout::Constraint::Min(3),
            ])
            .areas(area);
            let lines: Vec<ratatui::text::Line<'_>> = groups
                .iter()
                .take(height.saturating_sub(2) as usize)
                .map(|(reason, n)| {
                    ratatui::text::Line::from(vec![
                        ratatui::text::Span::styled(format!("{n:>4}× "), theme.status_warn),
                        ratatui::text::Span::styled(reason.clone(), theme.text),
                    ])
                })
                .collect();
            text_box(
                buf,
                top,
                &format!("why they stopped ({} reasons)", groups.len()),
                lines,
                theme,
            );
            area = rest;
        }
    }
    grid::render(
        buf,
        area,
        state,
        set.map_or(&[][..], |s| s.items()),
        &cx,
        theme,
        grid::Frame {
            title: &title,
            focused: true,
            error: set.and_then(|s| error_line(s, store.now)),
            empty: &empty,
            hidden: hidden(page.alternate, service.is_some()),
        },
    );
}
