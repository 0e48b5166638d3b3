//! What every Kubernetes screen shares: the cells they have in common, their tables kept
//! within the `:ns` namespace, a pane of one collection, their breadcrumbs and hints, and
//! how a `:KIND` command finds its EKS cluster.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::kube::Pod;
use crate::store::table::{self, Cell, Row, RowCx, SortKey, TableState, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::store::{Rows, Store};
use crate::ui::keymap::Command;
use crate::ui::screen::{Go, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::ui::widgets::{empty_text, error_line};
use crate::util::{arn_region, arn_tail, fmt_age};

pub fn age(t: Option<jiff::Timestamp>, cx: &RowCx) -> Cell<'static> {
    t.map_or_else(|| Cell::muted("-"), |t| Cell::new(fmt_age(t, cx.now)))
}

pub fn text_key<'a, T: Row>(row: &'a T, column: usize, cx: &RowCx) -> SortKey<'a> {
    SortKey::Text(Cow::Owned(row.cell(column, cx).text.into_owned()))
}

/// `used/total` with a percentage, warning when nearly full.
pub fn load(used: i64, total: i64, unit: &str) -> Cell<'static> {
    if total <= 0 {
        return Cell::muted("-");
    }
    let pct = used * 100 / total;
    let tone = if pct >= 90 {
        Tone::Err
    } else if pct >= 75 {
        Tone::Warn
    } else {
        Tone::Normal
    };
    let fmt = |v: i64| {
        if unit == "Gi" {
            format!("{:.1}", v as f64 / 1024.0)
        } else {
            format!("{:.1}", v as f64 / 1000.0)
        }
    };
    Cell::tone(format!("{}/{} {pct}%", fmt(used), fmt(total)), tone)
}

pub fn pod_tone(p: &Pod) -> Tone {
    match p.status().as_str() {
        "Running" if !p.failing() => Tone::Ok,
        "Succeeded" | "Completed" => Tone::Muted,
        "Pending" | "ContainerCreating" | "PodInitializing" => Tone::Warn,
        _ if p.failing() => Tone::Err,
        _ => Tone::Warn,
    }
}

/// A tag of a namespace, mixed into a collection's version.
fn namespace_tag(ns: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    ns.hash(&mut h);
    h.finish() | (1 << 63)
}

/// Keep a pane's table in step with a collection, within the `:ns` namespace.
pub fn sync_set<R: Rows>(
    state: &mut TableState,
    set: Option<&R>,
    namespace_of: impl Fn(&R::Item) -> Option<&str>,
    namespace: Option<&str>,
    cx: &RowCx,
) where
    R::Item: Row,
{
    match set {
        Some(s) => table::sync(
            state,
            s.items(),
            // Another namespace is another set of rows: a version of its own.
            s.version() ^ namespace.map_or(0, namespace_tag),
            |row| namespace.is_none_or(|ns| namespace_of(row).is_none_or(|n| n == ns)),
            cx,
        ),
        None => table::sync::<R::Item>(state, &[], 0, |_| true, cx),
    }
}

pub struct Pane<'a, R> {
    pub title: String,
    pub set: Option<&'a R>,
    pub what: &'static str,
    pub hidden: &'static [usize],
}

pub fn pane<R: Rows>(
    buf: &mut Buffer,
    area: Rect,
    store: &Store,
    page: &Page,
    index: usize,
    p: Pane<'_, R>,
    theme: &Theme,
) where
    R::Item: Row,
{
    let cx = RowCx::at(store.now);
    let state = &page.panes[index];
    let empty = p.set.map_or_else(
        || "loading…".to_string(),
        |s| empty_text(s, !state.filter.is_empty() || store.namespace.is_some(), p.what),
    );
    // A first list still arriving says how far it got.
    let title = match p.set.and_then(|s| s.listing()) {
        Some(n) => format!("{} · loading {} {}…", p.title, crate::util::thousands(n as u64), p.what),
        None => p.title.clone(),
    };
    grid::render(
        buf,
        area,
        state,
        p.set.map_or(&[][..], |s| s.items()),
        &cx,
        theme,
        grid::Frame {
            title: &title,
            focused: page.focus == index,
            error: p.set.and_then(|s| error_line(s, store.now)),
            empty: &empty,
            hidden: p.hidden,
        },
    );
}

pub fn scoped(title: &str, store: &Store) -> String {
    match &store.namespace {
        Some(ns) => format!("{title}({ns})"),
        None => format!("{title}(all)"),
    }
}

/// Hints named for what the keys do on Kubernetes: `X` deletes a pod, `D` cordons a node,
/// `R` restarts a workload, `t` shows a container's previous run.
pub fn hint(command: Command) -> Option<&'static str> {
    match command {
        Command::StopTask => Some("delete"),
        Command::Drain => Some("cordon"),
        Command::Redeploy => Some("restart"),
        Command::ToggleStopped => Some("previous"),
        _ => None,
    }
}

/// `region › cluster › [ns:NAME ›] what`.
pub fn crumbs(store: &Store, route: &Route, what: &str) -> Vec<String> {
    let cluster = route.cluster_arn();
    let mut crumbs = vec![
        arn_region(cluster).unwrap_or("?").to_string(),
        arn_tail(cluster).to_string(),
    ];
    if let Some(ns) = &store.namespace {
        crumbs.push(format!("ns:{ns}"));
    }
    crumbs.push(what.to_string());
    crumbs
}

/// A `:KIND` command: the kind's screen in the EKS cluster the user is in, above the
/// cluster's own screen.
pub fn open_kind(screen: ScreenId, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
    if !args.is_empty() {
        return Err(format!(":{name} takes no argument"));
    }
    let selection = super::selection(store);
    let cluster = super::current_eks(store, &selection)
        .ok_or("which EKS cluster? open one first (:eks NAME, or enter on it in :fleet)")?;
    let kind = Route::new(screen).cluster(&cluster);
    if store.ui.route().is(super::eks::ID) {
        Ok(Go::here(kind))
    } else {
        Ok(Go::root(vec![Route::new(super::eks::ID).cluster(&cluster), kind]))
    }
}

/// What the user is on in a list of Kubernetes objects: the selected row (its key, as `y`
/// copies it), in the page's cluster.
pub fn list_selection(store: &Store) -> Selection {
    let page = store.ui.page();
    let cluster = page.route.cluster_arn().to_string();
    let copy = page.table().selected.clone().unwrap_or_else(|| cluster.clone());
    Selection {
        console: vec![copy.clone(), cluster.clone()],
        copy: Some(copy),
        cluster: Some(cluster),
        ..Selection::default()
    }
}

/// The selected row of the focused table of a page, from a collection.
pub fn selected<'a, R: Rows>(page: &Page, set: Option<&'a R>) -> Option<&'a R::Item>
where
    R::Item: crate::domain::Keyed,
{
    table::selected(page.table(), set?.items())
}

/// Keep the page's table in step with one collection of the page's cluster.
pub fn sync_one<R: Rows>(
    store: &mut Store,
    pane: usize,
    set: impl Fn(&crate::store::kube::KubeData) -> &R,
    namespace_of: impl Fn(&R::Item) -> Option<&str>,
) where
    R::Item: Row,
{
    let Store {
        kube,
        ui,
        now,
        namespace,
        ..
    } = store;
    let cx = RowCx::at(*now);
    let page = ui.page_mut();
    let data = kube.get(page.route.cluster_arn());
    sync_set(
        &mut page.panes[pane],
        data.map(set),
        namespace_of,
        namespace.as_deref(),
        &cx,
    );
}
