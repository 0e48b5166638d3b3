//! One Kubernetes object of any kind, whole: what owns it and what it owns (for a Service,
//! the endpoints behind it), its events, then the object as `kubectl get -o yaml` shows it
//! (managed fields left out, a Secret's values hidden).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::kube as k8s;
use crate::domain::fetch::Fetch;
use crate::domain::kinds::KubeObject;
use crate::store::Store;
use crate::store::kube::{Fetched, object_key};
use crate::store::table::Tone;
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Screen, Selection};
use crate::ui::theme::Theme;
use crate::util::fmt_age;

pub const ID: ScreenId = ScreenId("object");

pub struct ObjectScreen;

/// The kind, namespace and name a page is about.
fn parts(route: &Route) -> (&str, Option<&str>, &str) {
    let kind = route.kind.as_deref().unwrap_or_default();
    let key = route.object.as_deref().unwrap_or_default();
    match key.split_once('/') {
        Some((ns, name)) => (kind, Some(ns), name),
        None => (kind, None, key),
    }
}

fn fetched<'a>(store: &'a Store, route: &Route) -> Option<&'a Fetched<KubeObject>> {
    let (kind, namespace, name) = parts(route);
    store
        .kube
        .get(route.cluster_arn())?
        .objects
        .get(&object_key(kind, namespace, name))
}

impl Screen for ObjectScreen {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, store: &Store, route: &Route) -> Vec<String> {
        let (kind, _, name) = parts(route);
        let mut crumbs = k8s::crumbs(store, route, kind);
        crumbs.push(name.to_string());
        crumbs
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        let (kind, namespace, name) = parts(&page.route);
        vec![Fetch::KubeObject {
            cluster: page.route.cluster_arn().to_string(),
            kind: kind.to_string(),
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
        }]
    }

    fn scrolls(&self) -> bool {
        true
    }

    fn selection(&self, store: &Store) -> Selection {
        let route = store.ui.route();
        let cluster = route.cluster_arn().to_string();
        let (kind, _, _) = parts(route);
        let copy = format!("{kind}/{}", route.object.as_deref().unwrap_or_default());
        let (_, namespace, name) = parts(route);
        let value = fetched(store, route).and_then(|f| f.value.as_ref());
        let info = store
            .kube
            .get(&cluster)
            .and_then(|d| crate::domain::kinds::resolve(d.kinds.items(), kind).ok());
        let object = crate::domain::kinds::ObjectRef {
            kind: value.map_or_else(|| kind.to_string(), |o| o.kind.clone()),
            label: info.map_or_else(|| kind.to_string(), |i| i.kind.clone()),
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
            suspended: None,
            scale: info.is_some_and(|i| i.scale),
            replicas: None,
        };
        Selection {
            console: vec![cluster.clone()],
            copy: Some(copy),
            cluster: Some(cluster),
            object: Some(object),
            ..Selection::default()
        }
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of_read(fetched(store, &page.route))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Up, Down, StopTask, CopyArn, CommandLine, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        k8s::hint(command)
    }

    /// `v` on a Secret shows one key's value at a time, the next at each press, then none.
    fn key(&self, store: &mut Store, command: Command) -> bool {
        if command != Command::Reveal {
            return false;
        }
        let keys = fetched(store, store.ui.route())
            .and_then(|f| f.value.as_ref())
            .map_or(0, |o| o.secret.len());
        let page = store.ui.page_mut();
        page.revealed = match page.revealed {
            _ if keys == 0 => None,
            None => Some(0),
            Some(i) if i + 1 < keys => Some(i + 1),
            Some(_) => None,
        };
        true
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let (kind, _, name) = parts(&page.route);
        let f = fetched(store, &page.route);
        // `ingresses/shop`, as kubectl names it, once the object says what its kind is.
        let kind = f
            .and_then(|f| f.value.as_ref())
            .map_or(kind, |o| o.kind.split('.').next().unwrap_or(kind));
        let mut lines: Vec<Line<'_>> = Vec::new();
        if let Some(e) = f.and_then(|f| f.error.as_ref()) {
            lines.push(Line::from(Span::styled(e.to_string(), theme.status_err)));
        }
        match f.and_then(|f| f.value.as_ref()) {
            None if lines.is_empty() => lines.push(Line::from(Span::styled("loading…", theme.muted))),
            None => {}
            Some(o) => {
                for (line, tone) in text(o, store.now, page.revealed) {
                    lines.push(Line::from(Span::styled(line, theme.tone(tone))));
                }
            }
        }
        let title = Line::from(Span::styled(format!(" {kind}/{name} "), theme.title));
        crate::ui::widgets::scrolled(buf, area, title, None, lines, page.scroll, theme);
    }
}

/// The object as lines with a tone each: what bosun reads from it, a Secret's keys (one
/// value shown if `revealed`), owners, what it owns, events, then its YAML.
pub fn text(o: &KubeObject, now: jiff::Timestamp, revealed: Option<usize>) -> Vec<(String, Tone)> {
    let mut out: Vec<(String, Tone)> = o.summary.iter().map(|l| (l.clone(), Tone::Info)).collect();
    if !o.secret.is_empty() {
        out.push(("keys (v shows one value at a time)".into(), Tone::Muted));
        let width = o.secret.iter().map(|e| e.key.len()).max().unwrap_or(0);
        for (i, e) in o.secret.iter().enumerate() {
            let size = format!("{} bytes", e.bytes);
            if revealed == Some(i) {
                let mut lines = e.value.lines();
                let first = lines.next().unwrap_or_default();
                out.push((format!("  {:<width$}  {size:>10}  {first}", e.key), Tone::Warn));
                let indent = width + 16;
                out.extend(lines.map(|l| (format!("{:indent$}{l}", ""), Tone::Warn)));
            } else {
                out.push((format!("  {:<width$}  {size:>10}  ••••••", e.key), Tone::Normal));
            }
        }
    }
    if !o.owners.is_empty() {
        out.push((format!("owned by   {}", o.owners.join(", ")), Tone::Info));
    }
    if !o.owned.is_empty() {
        for (i, owned) in o.owned.iter().enumerate() {
            let label = if i == 0 { "owns" } else { "" };
            let tone = if owned.contains(" not ready") {
                Tone::Warn
            } else {
                Tone::Info
            };
            out.push((format!("{label:<10} {owned}"), tone));
        }
    }
    if !o.events.is_empty() {
        out.push(("events".into(), Tone::Muted));
        for e in &o.events {
            let when = e.last_seen.map_or_else(|| "-".into(), |t| fmt_age(t, now));
            let tone = if e.kind == "Warning" { Tone::Warn } else { Tone::Normal };
            out.push((
                format!(
                    "  {when:>6} {:<7} {:<18} {} (×{})",
                    e.kind, e.reason, e.message, e.count
                ),
                tone,
            ));
        }
    }
    if !out.is_empty() {
        out.push((String::new(), Tone::Normal));
    }
    out.extend(o.yaml.lines().map(|l| (l.to_string(), Tone::Normal)));
    out
}
