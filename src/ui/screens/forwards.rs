//! The port forwards of this session (`:forwards`): local port, where it goes, state,
//! connections and bytes each way, since when. `X` stops the selected one (a local
//! listener: no confirmation); all stop when bosun quits.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::kube as k8s;
use crate::domain::fetch::Fetch;
use crate::domain::session::Forward;
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::util::arn_tail;

pub const ID: ScreenId = ScreenId("forwards");

pub struct Forwards;

/// The forward the cursor is on.
pub fn selected(store: &Store) -> Option<&Forward> {
    table::selected(store.ui.page().table(), store.forwards.items())
}

impl Screen for Forwards {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, _route: &Route) -> Vec<String> {
        vec!["port forwards".into()]
    }

    fn scope(&self, _store: &Store, _page: &Page) -> Vec<Fetch> {
        Vec::new()
    }

    fn sync(&self, store: &mut Store) {
        let Store { forwards, ui, now, .. } = store;
        let cx = RowCx::at(*now);
        table::sync(
            &mut ui.page_mut().panes[0],
            forwards.items(),
            forwards.version,
            |_| true,
            &cx,
        );
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (Forward::columns(), &[])
    }

    fn selection(&self, store: &Store) -> Selection {
        match selected(store) {
            Some(f) => Selection {
                cluster: Some(f.target.cluster().to_string()),
                copy: Some(format!("127.0.0.1:{}", f.ports.local)),
                ..Selection::default()
            },
            None => Selection::default(),
        }
    }

    fn freshness(&self, store: &Store, _page: &Page) -> Freshness {
        Freshness::current(store)
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[StopTask, CopyArn, Filter, Back, Help]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        match command {
            Command::StopTask => Some("stop"),
            Command::CopyArn => Some("copy address"),
            _ => None,
        }
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["forwards", "pf"],
            "forwards",
            "the port forwards of this session (X stops one)",
        )];
        C
    }

    fn command(&self, _store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        if !args.is_empty() {
            return Err(format!(":{name} takes no argument (:forward LOCAL:REMOTE starts one)"));
        }
        Ok(Go::here(Route::new(ID)))
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let listening = store.forwards.items().iter().filter(|f| f.listening).count();
        let pane = k8s::Pane {
            title: format!("port forwards · {listening} listening"),
            set: Some(&store.forwards),
            what: "forwards: :forward LOCAL:REMOTE on a task or pod starts one",
            hidden: &[],
        };
        k8s::pane(buf, area, store, page, 0, pane, theme);
    }
}

fn bytes(n: u64) -> String {
    match n {
        0..1_024 => format!("{n} B"),
        1_024..1_048_576 => format!("{:.1} KiB", n as f64 / 1_024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}

impl Row for Forward {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("LOCAL", 5, 15, 0),
            Column::new("CLUSTER", 7, 20, 2),
            Column::new("TARGET", 10, 44, 0),
            Column::new("REMOTE", 6, 30, 0),
            Column::new("STATE", 9, 0, 0),
            Column::new("CONN", 4, 5, 1).right(),
            Column::new("SENT", 6, 10, 1).right(),
            Column::new("RECEIVED", 8, 10, 1).right(),
            Column::new("SINCE", 5, 6, 1).right(),
        ];
        C
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(format!("127.0.0.1:{}", self.ports.local)),
            1 => Cell::new(arn_tail(self.target.cluster())),
            2 => Cell::new(self.target.label()),
            3 => Cell::new(self.ports.remote_label()),
            4 => match (&self.failed, self.listening) {
                (Some(why), _) if why == "stopped" => Cell::muted("stopped"),
                (Some(_), _) => Cell::tone(self.state(), Tone::Err),
                (None, true) if self.problem.is_some() => Cell::tone(self.state(), Tone::Warn),
                (None, true) => Cell::tone("listening", Tone::Ok),
                (None, false) => Cell::tone("starting…", Tone::Info),
            },
            5 => Cell::new(self.connections.to_string()),
            6 => Cell::new(bytes(self.sent)),
            7 => Cell::new(bytes(self.received)),
            8 => k8s::age(Some(self.since), cx),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            5 => SortKey::num(self.connections as i64),
            6 => SortKey::num(self.sent as i64),
            7 => SortKey::num(self.received as i64),
            8 => SortKey::time(Some(self.since)).negate(),
            _ => k8s::text_key(self, column, cx),
        }
    }
}
