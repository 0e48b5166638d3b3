//! `y` and `u`: the selection's ARN (or ID), and its AWS console URL, onto the clipboard
//! of the terminal in front of the user (OSC 52, so it works over ssh).

use super::action::Effect;
use crate::store::Store;
use crate::store::ui::{Route, service_panes};
use crate::util::console;

/// The resource a page is about, whatever row is selected.
fn page_resource(route: &Route) -> Option<&str> {
    match route {
        Route::Fleet | Route::Repositories { .. } => None,
        Route::Service { service, .. }
        | Route::Metrics { service, .. }
        | Route::Scaling { service, .. }
        | Route::Targets { service, .. }
        | Route::Images { service, .. } => Some(service.as_str()),
        Route::Task { task, .. } | Route::Logs { task, .. } => Some(task.as_str()),
        Route::TaskDefinition { arn } => Some(arn.as_str()),
        Route::Services { cluster }
        | Route::Tasks { cluster, .. }
        | Route::Instances { cluster }
        | Route::Schedules { cluster }
        | Route::Eks { cluster }
        | Route::Kube { cluster, .. } => Some(cluster.as_str()),
        // A pod has no ARN: its `namespace/name`.
        Route::Pod { pod, .. } | Route::PodLogs { pod, .. } => Some(pod.as_str()),
    }
}

/// What `y` copies: the selected row's ARN or ID where the row is a resource, else the
/// resource the page is about.
pub fn selection(store: &Store) -> Option<String> {
    let page = store.ui.page();
    let row_is_resource = match &page.route {
        // Containers, metrics, targets and events are parts of the page's resource.
        Route::Task { .. }
        | Route::Logs { .. }
        | Route::Pod { .. }
        | Route::PodLogs { .. }
        | Route::TaskDefinition { .. }
        | Route::Metrics { .. }
        | Route::Scaling { .. }
        | Route::Targets { .. } => false,
        Route::Service { .. } => page.focus != service_panes::EVENTS,
        _ => true,
    };
    let row = row_is_resource.then(|| page.table().selected.clone()).flatten();
    row.or_else(|| page_resource(&page.route).map(str::to_string))
}

/// The console URL of the selection, else of the page's resource, else of its cluster.
pub fn console_url(store: &Store) -> Option<String> {
    let route = store.ui.route();
    let cluster = route.cluster();
    [
        selection(store),
        page_resource(route).map(str::to_string),
        cluster.map(str::to_string),
    ]
    .into_iter()
    .flatten()
    .find_map(|arn| console::url(&arn, cluster))
}

/// `y`: copy the selection's ARN or ID.
pub fn copy_arn(store: &mut Store, effects: &mut Vec<Effect>) {
    match selection(store) {
        Some(text) => {
            store.ui.info(format!("copied {text}"));
            effects.push(Effect::Copy(text));
        }
        None => store.ui.info("nothing selected to copy"),
    }
}

/// `u`: show the console URL of the selection in the status line, and copy it.
pub fn copy_url(store: &mut Store, effects: &mut Vec<Effect>) {
    match console_url(store) {
        Some(url) => {
            // The URL first: on a narrow terminal what is cut is the note, not the path.
            store.ui.info(format!("{url} (copied)"));
            effects.push(Effect::Copy(url));
        }
        None => store.ui.info("no AWS console page for this"),
    }
}
