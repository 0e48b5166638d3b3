//! The container instances of an EC2 cluster: agent, capacity used, what runs there.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::ContainerInstance;
use crate::domain::fetch::Fetch;
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::ui::widgets::{empty_text, error_line, status_tone};
use crate::util::{arn_region, arn_tail, fmt_age};

pub const ID: ScreenId = ScreenId("instances");

pub struct Instances;

impl Screen for Instances {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        let cluster = route.cluster_arn();
        vec![
            arn_region(cluster).unwrap_or("?").to_string(),
            arn_tail(cluster).to_string(),
            "instances".into(),
        ]
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        vec![Fetch::instances(cluster), Fetch::running(cluster)]
    }

    fn sync(&self, store: &mut Store) {
        let cluster = store.ui.route().cluster_arn().to_string();
        sync_table(store, &cluster);
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (COLUMNS, &[])
    }

    fn selection(&self, store: &Store) -> Selection {
        let page = store.ui.page();
        let cluster = page.route.cluster_arn().to_string();
        let instance = store
            .cluster_data(&cluster)
            .and_then(|d| table::selected(page.table(), d.instances.items()))
            .cloned();
        let copy = instance.as_ref().map_or_else(|| cluster.clone(), |i| i.arn.clone());
        Selection {
            console: vec![copy.clone(), cluster.clone()],
            copy: Some(copy),
            cluster: Some(cluster),
            instance,
            ..Selection::default()
        }
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(store.cluster_data(page.route.cluster_arn()).map(|d| &d.instances))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Drain, Filter, Back, Help]
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["instances", "ci", "ec2"],
            "instances",
            "container instances of this cluster",
        )];
        C
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        if !args.is_empty() {
            return Err(format!(":{name} takes no argument"));
        }
        let selection = super::selection(store);
        let cluster = selection
            .ecs_cluster()
            .ok_or("no cluster here: pick one in :fleet, or :cluster NAME")?;
        Ok(Go::root(vec![
            Route::new(super::services::ID).cluster(cluster),
            Route::new(ID).cluster(cluster),
        ]))
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        draw(buf, area, store, page, page.route.cluster_arn(), theme);
    }
}

pub const COLUMNS: &[Column] = &[
    Column::new("ID", 12, 32, 0).late(),
    Column::new("EC2", 12, 20, 0),
    Column::new("STATUS", 9, 9, 0),
    Column::new("AGENT", 8, 14, 1),
    Column::new("TYPE", 10, 14, 2),
    Column::new("AZ", 11, 11, 3),
    Column::new("TASKS", 6, 7, 0).right(),
    Column::new("CPU", 10, 11, 1).right(),
    Column::new("MEM", 12, 13, 1).right(),
    Column::new("AGE", 6, 6, 2).right(),
];

/// `used/registered`, warning when nearly full.
fn usage(registered: i32, remaining: i32) -> Cell<'static> {
    let used = registered - remaining;
    let tone = if registered > 0 && used * 10 >= registered * 9 {
        Tone::Warn
    } else {
        Tone::Normal
    };
    Cell::tone(format!("{used}/{registered}"), tone)
}

impl Row for ContainerInstance {
    /// Disconnected agents and draining instances first.
    fn health_rank(&self, _cx: &RowCx<'_>) -> Option<u8> {
        Some(if !self.agent_connected {
            0
        } else if self.status != "ACTIVE" {
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
            1 => Cell::opt(self.ec2_instance_id.as_deref()),
            2 => Cell::tone(self.status.as_str(), status_tone(&self.status)),
            3 => {
                let version = self.agent_version.as_deref().unwrap_or("?");
                if self.agent_connected {
                    Cell::tone(format!("✓ {version}"), Tone::Ok)
                } else {
                    Cell::tone(format!("✗ {version}"), Tone::Err)
                }
            }
            4 => Cell::opt(self.instance_type.as_deref()),
            5 => Cell::opt(self.availability_zone.as_deref()),
            6 => Cell::new(format!("{}+{}", self.running_tasks, self.pending_tasks)),
            7 => usage(self.registered_cpu, self.remaining_cpu),
            8 => usage(self.registered_memory, self.remaining_memory),
            9 => self
                .registered_at
                .map_or_else(|| Cell::muted("-"), |t| Cell::new(fmt_age(t, cx.now))),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            6 => SortKey::num(self.running_tasks + self.pending_tasks),
            7 => SortKey::num(self.registered_cpu - self.remaining_cpu),
            8 => SortKey::num(self.registered_memory - self.remaining_memory),
            9 => SortKey::time(self.registered_at).negate(),
            _ => SortKey::Text(Cow::Owned(self.cell(column, cx).text.into_owned())),
        }
    }
}

fn sync_table(store: &mut Store, cluster: &str) {
    let Store { clusters, ui, now, .. } = store;
    let cx = RowCx::at(*now);
    let state = &mut ui.page_mut().panes[0];
    match clusters.get(cluster) {
        Some(data) => table::sync(state, data.instances.items(), data.instances.version, |_| true, &cx),
        None => table::sync::<ContainerInstance>(state, &[], 0, |_| true, &cx),
    }
}

fn draw(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, theme: &Theme) {
    let cx = RowCx::at(store.now);
    let state = &page.panes[0];
    let title = format!("instances({})", crate::util::arn_tail(cluster));
    let set = store.cluster_data(cluster).map(|d| &d.instances);
    let empty = set.map_or_else(
        || "loading…".to_string(),
        |s| {
            empty_text(
                s,
                !state.filter.is_empty(),
                "container instances: a Fargate-only cluster has none",
            )
        },
    );
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
            hidden: &[],
        },
    );
}
