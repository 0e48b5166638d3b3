//! The log of one container of a pod, read from the API server (`pods/log`): followed as
//! it grows, or (`t`) the previous run's, which says why a crash-looping container died.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::fetch::{Fetch, pod_log_key};
use crate::domain::kube::KubeKind;
use crate::store::Store;
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::log::{self, Located};
use crate::util::{arn_region, arn_tail};

pub const ID: ScreenId = ScreenId("pod-logs");

pub struct PodLogs;

/// `namespace/name` of the page's pod, split.
fn pod_of(route: &Route) -> (&str, &str) {
    let key = route.object.as_deref().unwrap_or_default();
    key.split_once('/').unwrap_or(("default", key))
}

/// The page's buffer: this container's log, or its previous run's.
fn located(page: &Page) -> Located {
    let (namespace, name) = pod_of(&page.route);
    Ok(pod_log_key(
        page.route.cluster_arn(),
        namespace,
        name,
        page.route.container.as_deref().unwrap_or_default(),
        page.alternate,
    ))
}

/// The log of the selected pod's container: the selected one on a pod's page, else its
/// first.
pub fn open(selection: &Selection) -> Result<Go, String> {
    let cluster = selection.eks_cluster().unwrap_or_default();
    let pod = selection.pod.as_ref().ok_or("select a pod first")?;
    let container = selection
        .container
        .clone()
        .or_else(|| pod.containers.first().map(|c| c.name.clone()))
        .ok_or("the pod has no containers")?;
    Ok(Go::here(
        Route::new(ID).cluster(cluster).object(&pod.key).container(container),
    ))
}

impl Screen for PodLogs {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        let cluster = route.cluster_arn();
        vec![
            arn_region(cluster).unwrap_or("?").to_string(),
            arn_tail(cluster).to_string(),
            route.object.clone().unwrap_or_default(),
            format!("{} logs", route.container.as_deref().unwrap_or_default()),
        ]
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        let (namespace, name) = pod_of(&page.route);
        vec![
            Fetch::kube(cluster, KubeKind::Pods),
            Fetch::PodLogs {
                cluster: cluster.to_string(),
                namespace: namespace.to_string(),
                pod: name.to_string(),
                container: page.route.container.clone().unwrap_or_default(),
                previous: page.alternate,
            },
        ]
    }

    fn scrolls(&self) -> bool {
        true
    }

    fn follows(&self) -> bool {
        true
    }

    fn selection(&self, store: &Store) -> Selection {
        let route = store.ui.route();
        let cluster = route.cluster_arn();
        let key = route.object.clone().unwrap_or_default();
        let pod = store.kube.get(cluster).and_then(|d| d.pods.get(&key)).cloned();
        // A pod has no ARN: `y` copies its `namespace/name`.
        Selection {
            copy: Some(key.clone()),
            console: vec![cluster.to_string()],
            cluster: Some(cluster.to_string()),
            container: route.container.clone(),
            pod,
            ..Selection::default()
        }
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        log::freshness(store, &located(page))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Pause, ToggleStopped, Filter, Bottom, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        (command == Command::ToggleStopped).then_some("previous")
    }

    fn key(&self, store: &mut Store, command: Command) -> bool {
        if command == Command::ToggleStopped {
            let page = store.ui.page_mut();
            page.alternate = !page.alternate;
            page.following = true;
            page.scroll = 0;
            return true;
        }
        log::key(store, command)
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let (_, name) = pod_of(&page.route);
        let heading = format!(
            " logs({name}/{}){} ",
            page.route.container.as_deref().unwrap_or_default(),
            if page.alternate { " previous run" } else { "" }
        );
        log::render(buf, area, store, page, heading, located(page), theme);
    }
}
