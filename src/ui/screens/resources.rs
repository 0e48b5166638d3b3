//! Any kind an EKS cluster serves, CRDs included, in one table: NAMESPACE, then the columns
//! `kubectl get` prints for the kind (the API server's Table response, or the CRD's printer
//! columns), ages kept live. `:KIND` opens it with any name `kubectl get` takes; `enter`
//! opens the object.

use std::sync::Mutex;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::kube::{self as k8s, age};
use crate::domain::fetch::Fetch;
use crate::domain::kinds::{KindInfo, ObjectRef, TableColumn, TableRow, resolve};
use crate::store::Store;
use crate::store::kube::{Generic, KubeData, table_key};
use crate::store::table::{Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;

pub const ID: ScreenId = ScreenId("resources");

pub struct Resources;

/// The kind a page shows, as asked for.
fn kind_of(route: &Route) -> &str {
    route.kind.as_deref().unwrap_or_default()
}

/// The objects the page shows, if any came.
fn generic<'a>(store: &'a Store, page: &Page) -> Option<&'a Generic> {
    let data = store.kube.get(page.route.cluster_arn())?;
    data.tables
        .get(&table_key(kind_of(&page.route), store.namespace.as_deref()))
}

/// The kind's discovery entry, once the cluster's kinds are known.
fn info<'a>(data: Option<&'a KubeData>, kind: &str) -> Option<&'a KindInfo> {
    resolve(data?.kinds.items(), kind).ok()
}

/// What a kind is called in titles: its plural, or the word asked for.
fn plural(store: &Store, route: &Route) -> String {
    let kind = kind_of(route);
    info(store.kube.get(route.cluster_arn()), kind).map_or_else(|| kind.to_string(), |i| i.plural.clone())
}

impl Screen for Resources {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, store: &Store, route: &Route) -> Vec<String> {
        k8s::crumbs(store, route, &plural(store, route))
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn().to_string();
        vec![
            Fetch::KubeTable {
                cluster: cluster.clone(),
                kind: kind_of(&page.route).to_string(),
                namespace: store.namespace.clone(),
            },
            Fetch::KubeKinds { cluster },
        ]
    }

    fn sync(&self, store: &mut Store) {
        let Store {
            kube,
            ui,
            now,
            namespace,
            ..
        } = store;
        let cx = RowCx::at(*now);
        let page = ui.page_mut();
        let key = table_key(kind_of(&page.route), namespace.as_deref());
        let set = kube
            .get(page.route.cluster_arn())
            .and_then(|d| d.tables.get(&key))
            .map(|g| &g.rows);
        // The fetch is for the namespace already: every row it brought is shown.
        k8s::sync_set(&mut page.panes[0], set, |r| r.namespace.as_deref(), None, &cx);
    }

    fn columns(&self, store: &Store, page: &Page) -> (&'static [Column], &'static [usize]) {
        let columns = generic(store, page)
            .and_then(|g| g.rows.items().first())
            .map_or(&[][..], |row| row.row_columns());
        (columns, &[])
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        let page = store.ui.page();
        let Some(row) = generic(store, page).and_then(|g| k8s::selected(page, Some(&g.rows))) else {
            return Ok(None);
        };
        Ok(Some(Go::here(
            Route::new(super::object::ID)
                .cluster(page.route.cluster_arn())
                .kind(kind_of(&page.route))
                .object(&row.key),
        )))
    }

    fn selection(&self, store: &Store) -> Selection {
        let mut selection = k8s::list_selection(store);
        let page = store.ui.page();
        let row = generic(store, page).and_then(|g| k8s::selected(page, Some(&g.rows)));
        selection.object = row.map(|row| {
            let kind = kind_of(&page.route);
            let info = info(store.kube.get(page.route.cluster_arn()), kind);
            let suspended = row
                .columns
                .iter()
                .position(|c| c.name == "Suspend")
                .and_then(|i| row.cells.get(i))
                .map(|cell| cell == "True");
            let replicas = row
                .columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case("desired") || c.name.eq_ignore_ascii_case("replicas"))
                .and_then(|i| row.cells.get(i))
                .and_then(|cell| cell.parse().ok());
            ObjectRef {
                kind: info.map_or_else(|| kind.to_string(), |i| i.name.clone()),
                label: info.map_or_else(|| kind.to_string(), |i| i.kind.clone()),
                namespace: row.namespace.clone(),
                name: row.name.clone(),
                suspended,
                scale: info.is_some_and(|i| i.scale),
                replicas,
            }
        });
        selection
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(generic(store, page).map(|g| &g.rows))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, StopTask, Filter, SortNext, CommandLine, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        match command {
            Command::RunTask => Some("trigger"),
            Command::Scale => Some("scale"),
            Command::Drain => Some("suspend/resume"),
            _ => k8s::hint(command),
        }
    }

    fn commands(&self) -> &'static [CommandSpec] {
        // Not a name to type: the line `?` help shows for every kind.
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["<kind>"],
            "KIND [FILTER]",
            "in an EKS cluster: any kind, as kubectl get names it (svc, ing, cj, nodepools); names follow Kubernetes there, ECS elsewhere",
        )];
        C
    }

    fn command(&self, _store: &Store, _name: &str, _args: &[&str]) -> Result<Go, String> {
        Err("type the kind's name: :svc, :ing, :cj, :nodepools".into())
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let data = store.kube.get(page.route.cluster_arn());
        let title = match info(data, kind_of(&page.route)) {
            Some(i) if !i.namespaced => i.plural.clone(),
            _ => k8s::scoped(&plural(store, &page.route), store),
        };
        let pane = k8s::Pane {
            title,
            set: generic(store, page).map(|g| &g.rows),
            what: "objects",
            hidden: &[],
        };
        k8s::pane(buf, area, store, page, 0, pane, theme);
    }
}

/// Where a `:KIND` goes inside an EKS cluster: the screens bosun has for a kind (pods,
/// nodes, workloads, HPAs, events, PVCs), else the table of any kind. `args`, if any,
/// filter it.
pub fn open_kind(store: &Store, cluster: &str, word: &str, args: &[&str]) -> Result<Go, String> {
    let data = store.kube.get(cluster);
    // Before the cluster's kinds are known the word goes to the API server as typed,
    // which resolves it (or says it serves no such kind) in the table's pane.
    let resolved = match data.filter(|d| !d.kinds.items().is_empty()) {
        Some(d) => Some(resolve(d.kinds.items(), word)?),
        None => None,
    };
    let typed = match resolved.map(|i| i.name.as_str()) {
        Some("pods") => Some(super::pods::ID),
        Some("nodes") => Some(super::nodes::ID),
        Some("deployments.apps" | "statefulsets.apps" | "daemonsets.apps") => Some(super::workloads::ID),
        Some("horizontalpodautoscalers.autoscaling") => Some(super::hpa::ID),
        Some("events") => Some(super::events::ID),
        Some("persistentvolumeclaims") => Some(super::pvc::ID),
        _ => None,
    };
    let route = match typed {
        Some(screen) => Route::new(screen).cluster(cluster),
        None => Route::new(ID)
            .cluster(cluster)
            .kind(resolved.map_or(word, |i| i.name.as_str())),
    };
    let go = if store.ui.route().is(super::eks::ID) || store.ui.route().cluster.as_deref() == Some(cluster) {
        Go::here(route)
    } else {
        Go::root(vec![Route::new(super::eks::ID).cluster(cluster), route])
    };
    Ok(match args {
        [] => go,
        words => go.filter(words.join(" ")),
    })
}

/// The EKS cluster the user is inside (a page of it is on top), if any: where names
/// follow Kubernetes.
pub fn inside_eks(store: &Store) -> Option<String> {
    let cluster = store.ui.route().cluster.as_deref()?;
    crate::ui::screen::is_eks(cluster).then(|| cluster.to_string())
}

/// The names `:` completes to inside an EKS cluster: every kind's plural and short names.
pub fn kind_names(store: &Store) -> Vec<String> {
    let Some(data) = inside_eks(store).and_then(|c| store.kube.get(&c)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = data
        .kinds
        .items()
        .iter()
        .flat_map(|k| std::iter::once(k.plural.clone()).chain(k.short_names.iter().cloned()))
        .collect();
    names.sort();
    names.dedup();
    names
}

// ---- rows: columns as the API server prints them -----------------------------------------

/// Column sets made so far: a kind's columns become `'static` once, however often its
/// table is fetched (there are as many as kinds looked at).
static PRINTED: Mutex<Vec<Printed>> = Mutex::new(Vec::new());

/// Whether the kind is namespaced, its columns as the server prints them, and as a table
/// shows them.
type Printed = (bool, Vec<TableColumn>, &'static [Column]);

/// The table columns of a kind printed with `columns`, NAMESPACE first if it is namespaced.
/// Columns the server prints only with `-o wide` are the first to go when the terminal is
/// narrow.
fn printed(namespaced: bool, columns: &[TableColumn]) -> &'static [Column] {
    let mut made = PRINTED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, _, found)) = made.iter().find(|(n, c, _)| *n == namespaced && c == columns) {
        return found;
    }
    let mut out = Vec::with_capacity(columns.len() + 1);
    if namespaced {
        out.push(Column::new("NAMESPACE", 9, 16, 1));
    }
    for (i, c) in columns.iter().enumerate() {
        let name: &'static str = Box::leak(c.name.to_uppercase().into_boxed_str());
        // What bosun reads from the objects is why it has the kind's screen: the last of the
        // columns to go; what `kubectl get -o wide` adds, the first.
        let priority = match (c.added || KEPT.contains(&c.name.as_str()), c.priority) {
            (true, 0) => 1,
            (_, 0) => 2,
            _ => 4,
        };
        let column = match c.name.as_str() {
            _ if i == 0 => Column::new(name, 10, 48, 0),
            "Age" => Column::new(name, 5, 6, 0).right(),
            _ if c.kind == "integer" || c.kind == "number" => {
                Column::new(name, name.len() as u16, 12, priority).right()
            }
            _ => Column::new(name, name.len().min(8) as u16, 40, priority),
        };
        out.push(column);
    }
    let leaked: &'static [Column] = Box::leak(out.into_boxed_slice());
    made.push((namespaced, columns.to_vec(), leaked));
    leaked
}

impl TableRow {
    /// The API column shown in table column `column`, past NAMESPACE.
    fn api_column(&self, column: usize) -> Option<usize> {
        match self.namespace {
            Some(_) => column.checked_sub(1),
            None => Some(column),
        }
    }

    fn is_age(&self, api: usize) -> bool {
        self.columns.get(api).is_some_and(|c| c.name == "Age")
    }
}

/// The server's columns an on-call engineer looks at first: kept when the terminal is
/// narrow, like bosun's own.
const KEPT: &[&str] = &["Allowed Disruptions", "Address", "Status"];

/// A cell that is trouble by what its column means: a Service with no ready endpoint, a
/// PDB that allows no disruption (a drain hangs on it), a Job with failed pods.
fn warns(column: &str, text: &str) -> bool {
    match column {
        "Endpoints" => text.starts_with("0/"),
        "Allowed Disruptions" => text == "0",
        "Failed" => text.parse::<u32>().is_ok_and(|n| n > 0),
        _ => false,
    }
}

impl Row for TableRow {
    fn columns() -> &'static [Column] {
        &[]
    }

    fn row_columns(&self) -> &'static [Column] {
        printed(self.namespace.is_some(), &self.columns)
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        let Some(api) = self.api_column(column) else {
            return Cell::new(self.namespace.as_deref().unwrap_or_default());
        };
        if self.is_age(api) && self.created_at.is_some() {
            return age(self.created_at, cx);
        }
        let column = self.columns.get(api).map_or("", |c| c.name.as_str());
        match self.cells.get(api).map(String::as_str) {
            None | Some("") => Cell::muted("-"),
            Some(text) if warns(column, text) => Cell::tone(text, Tone::Warn),
            Some(text @ ("<none>" | "<unknown>" | "<pending>")) => Cell::muted(text),
            Some(text @ ("False" | "Failed" | "NotReady")) => Cell::tone(text, Tone::Warn),
            Some(text) => Cell::new(text),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        let Some(api) = self.api_column(column) else {
            return SortKey::Text(self.namespace.as_deref().unwrap_or_default().into());
        };
        if self.is_age(api) {
            // Youngest first ascending, as ages read.
            return SortKey::time(self.created_at).negate();
        }
        match self.cells.get(api) {
            Some(text) if self.columns.get(api).is_some_and(|c| c.kind == "integer") => {
                text.parse::<i64>().map_or(SortKey::Missing, SortKey::Num)
            }
            _ => k8s::text_key(self, column, cx),
        }
    }
}
