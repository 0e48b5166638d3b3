//! The ECR repositories of a region.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::fetch::Fetch;
use crate::domain::insight::Repository;
use crate::store::Store;
use crate::store::insight::Place;
use crate::store::table::{self, Cell, Column, Row, RowCx, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::ui::widgets::{empty_text, error_line};
use crate::util::fmt_age;

pub const ID: ScreenId = ScreenId("repos");

pub struct Repos;

impl Screen for Repos {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, store: &Store, route: &Route) -> Vec<String> {
        let mut crumbs = Vec::new();
        if store.context.accounts.len() > 1 {
            crumbs.push(route.account.clone().unwrap_or_default());
        }
        crumbs.extend([route.region.clone().unwrap_or_default(), "repositories".into()]);
        crumbs
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        vec![Fetch::Repositories {
            account: page.route.account.clone().unwrap_or_default(),
            region: page.route.region.clone().unwrap_or_default(),
        }]
    }

    fn sync(&self, store: &mut Store) {
        let place = place_of(store.ui.route());
        sync_table(store, &place);
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (REPOSITORY_COLUMNS, &[])
    }

    fn selection(&self, store: &Store) -> Selection {
        let copy = store.ui.page().table().selected.clone();
        Selection {
            console: copy.clone().into_iter().collect(),
            copy,
            ..Selection::default()
        }
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
            &["repos", "repositories"],
            "repos",
            "the ECR repositories of the region",
        )];
        C
    }

    /// The region of the cluster the user is in, else the first region.
    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        if !args.is_empty() {
            return Err(format!(":{name} takes no argument"));
        }
        let selection = super::selection(store);
        let (account, region) = match selection.ecs_cluster() {
            Some(cluster) => store.place(cluster),
            None => {
                let account = store
                    .context
                    .accounts
                    .first()
                    .ok_or("no account to list repositories in")?;
                let region = account.regions.first().ok_or("no region to list repositories in")?;
                (account.name.clone(), region.clone())
            }
        };
        Ok(Go::here(Route::new(ID).account(account).region(region)))
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        draw(buf, area, store, page, &place_of(&page.route), theme);
    }
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

/// The account and region the page lists.
fn place_of(route: &Route) -> Place {
    (
        route.account.clone().unwrap_or_default(),
        route.region.clone().unwrap_or_default(),
    )
}

fn sync_table(store: &mut Store, place: &Place) {
    let Store { insight, ui, now, .. } = store;
    let cx = RowCx::at(*now);
    let state = &mut ui.page_mut().panes[0];
    match insight.repositories.get(place) {
        Some(set) => table::sync(state, set.items(), set.version, |_| true, &cx),
        None => table::sync::<Repository>(state, &[], 0, |_| true, &cx),
    }
}

fn draw(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, place: &Place, theme: &Theme) {
    let region = &place.1;
    let set = store.insight.repositories.get(place);
    let state = &page.panes[0];
    let empty = set.map_or_else(
        || "loading…".to_string(),
        |s| empty_text(s, !state.filter.is_empty(), "ECR repositories"),
    );
    grid::render(
        buf,
        area,
        state,
        set.map_or(&[][..], |s| s.items()),
        &RowCx::at(store.now),
        theme,
        grid::Frame {
            title: &format!("repositories({region})"),
            focused: true,
            error: set.and_then(|s| error_line(s, store.now)),
            empty: &empty,
            hidden: &[],
        },
    );
}
