//! The scheduled tasks of a cluster: EventBridge rules that start its tasks.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::fetch::Fetch;
use crate::domain::insight::ScheduledTask;
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::ui::widgets::{error_line, status_tone};
use crate::util::{arn_region, arn_tail, task_def_short};

pub const ID: ScreenId = ScreenId("schedules");

pub struct Schedules;

impl Screen for Schedules {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        let cluster = route.cluster_arn();
        vec![
            arn_region(cluster).unwrap_or("?").to_string(),
            arn_tail(cluster).to_string(),
            "schedules".into(),
        ]
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        let (account, region) = store.place(cluster);
        vec![Fetch::services(cluster), Fetch::Schedules { account, region }]
    }

    fn sync(&self, store: &mut Store) {
        let cluster = store.ui.route().cluster_arn().to_string();
        sync_table(store, &cluster);
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (SCHEDULE_COLUMNS, &[])
    }

    fn selection(&self, store: &Store) -> Selection {
        let cluster = store.ui.route().cluster_arn().to_string();
        let copy = store
            .ui
            .page()
            .table()
            .selected
            .clone()
            .unwrap_or_else(|| cluster.clone());
        Selection {
            console: vec![copy.clone(), cluster.clone()],
            copy: Some(copy),
            cluster: Some(cluster),
            ..Selection::default()
        }
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(store.insight.schedules.get(&store.place(page.route.cluster_arn())))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Filter, Back, Help]
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["schedules", "cron", "rules"],
            "schedules",
            "EventBridge rules that start tasks here",
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
        Ok(Go::here(Route::new(ID).cluster(cluster)))
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        draw(buf, area, store, page, page.route.cluster_arn(), theme);
    }
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
    store
        .insight
        .schedules
        .get(&store.place(cluster))
        .map(|s| s.items().iter().filter(|t| t.cluster_arn == cluster).collect())
        .unwrap_or_default()
}

fn sync_table(store: &mut Store, cluster: &str) {
    let rows: Vec<ScheduledTask> = schedules_of(store, cluster).into_iter().cloned().collect();
    let version = store
        .insight
        .schedules
        .get(&store.place(cluster))
        .map_or(0, |s| s.version);
    let cx = RowCx::at(store.now);
    table::sync(&mut store.ui.page_mut().panes[0], &rows, version, |_| true, &cx);
}

fn draw(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, theme: &Theme) {
    let set = store.insight.schedules.get(&store.place(cluster));
    let rows: Vec<ScheduledTask> = schedules_of(store, cluster).into_iter().cloned().collect();
    let empty = match set {
        None => "loading…".to_string(),
        Some(_) => format!("no EventBridge rule starts tasks in {}", arn_tail(cluster)),
    };
    grid::render(
        buf,
        area,
        &page.panes[0],
        &rows,
        &RowCx::at(store.now),
        theme,
        grid::Frame {
            title: &format!("schedules({})", arn_tail(cluster)),
            focused: true,
            error: set.and_then(|s| error_line(s, store.now)),
            empty: &empty,
            hidden: &[],
        },
    );
}
