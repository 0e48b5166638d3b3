//! Every screen, one module each, and the registry that lists them.
//!
//! To add a screen: write its module (a unit struct implementing [`Screen`], with its
//! `ID`, rows, commands and drawing), and add it to [`ALL`]. Nothing else names it.

pub mod apprunner;
pub mod apprunner_logs;
pub mod apprunner_metrics;
pub mod apprunners;
pub mod autoscaling;
pub mod deployment;
pub mod deployments;
pub mod eks;
pub mod events;
pub mod fleet;
pub mod forwards;
pub mod hpa;
pub mod images;
pub mod instances;
pub mod kube;
pub mod logs;
pub mod metrics;
pub mod nodes;
pub mod object;
pub mod pod;
pub mod pod_logs;
pub mod pods;
pub mod pvc;
pub mod raw;
pub mod repos;
pub mod resources;
pub mod schedules;
pub mod service;
pub mod services;
pub mod targets;
pub mod task;
pub mod taskdef;
pub mod tasks;
pub mod timeline;
pub mod trouble;
pub mod workloads;

use crate::domain::fetch::Fetch;
use crate::store::Store;
use crate::store::ui::{Route, ScreenId};
use crate::ui::screen::{Go, Screen, Selection};
use crate::util::{arn_region, arn_tail};

/// Every screen. `?` help lists their `:` commands in this order.
pub static ALL: &[&dyn Screen] = &[
    &fleet::Fleet,
    &services::Services,
    &tasks::Tasks,
    &instances::Instances,
    &metrics::Metrics,
    &autoscaling::Autoscaling,
    &targets::Targets,
    &taskdef::TaskDef,
    &logs::Logs,
    &images::Images,
    &repos::Repos,
    &schedules::Schedules,
    &eks::Eks,
    &nodes::Nodes,
    &pods::Pods,
    &workloads::Workloads,
    &hpa::Hpas,
    &events::Events,
    &pvc::Pvcs,
    &resources::Resources,
    &service::ServiceScreen,
    &deployments::Deployments,
    &deployment::DeploymentScreen,
    &task::TaskScreen,
    &pod::PodScreen,
    &pod_logs::PodLogs,
    &object::ObjectScreen,
    &trouble::Trouble,
    &timeline::TimelineScreen,
    &apprunners::AppRunners,
    &apprunner::AppRunnerScreen,
    &apprunner_metrics::AppRunnerMetrics,
    &apprunner_logs::AppRunnerLogs,
    &raw::Raw,
    &forwards::Forwards,
];

/// The screen with this id. Routes are only ever made from registered ids; an unknown one
/// (a bug) shows the fleet rather than nothing.
pub fn get(id: ScreenId) -> &'static dyn Screen {
    ALL.iter().copied().find(|s| s.id() == id).unwrap_or(ALL[0])
}

/// The screen on top of the stack.
pub fn current(store: &Store) -> &'static dyn Screen {
    get(store.ui.route().screen)
}

/// What the user is on, on the screen on top.
pub fn selection(store: &Store) -> Selection {
    current(store).selection(store)
}

/// The EKS cluster the user is in: the page's, the fleet row's, or the only one there is.
pub fn current_eks(store: &Store, selection: &Selection) -> Option<String> {
    if let Some(cluster) = selection.eks_cluster() {
        return Some(cluster.to_string());
    }
    let mut all = store.all_eks();
    match (all.next(), all.next()) {
        (Some(only), None) => Some(only.arn.clone()),
        _ => None,
    }
}

/// `region › cluster › service › what`, for the screens about one service.
fn service_crumbs(route: &Route, what: &str) -> Vec<String> {
    let cluster = route.cluster_arn();
    vec![
        arn_region(cluster).unwrap_or("?").to_string(),
        arn_tail(cluster).to_string(),
        arn_tail(route.service.as_deref().unwrap_or_default()).to_string(),
        what.to_string(),
    ]
}

/// On a screen about one service, the user is on that service; `y` copies its ARN.
fn service_page_selection(store: &Store) -> Selection {
    let route = store.ui.route();
    let cluster = route.cluster_arn().to_string();
    let arn = route.service.clone().unwrap_or_default();
    Selection {
        service: store.service(&cluster, &arn).cloned(),
        console: vec![arn.clone(), cluster.clone()],
        copy: Some(arn),
        cluster: Some(cluster),
        ..Selection::default()
    }
}

/// Open a screen about the service the user is on (`m`, `a`, `b`, `r`).
fn open_for_service(screen: ScreenId, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
    if !args.is_empty() {
        return Err(format!(":{name} takes no argument"));
    }
    let selection = selection(store);
    let service = selection
        .service
        .ok_or("select a service first (this acts on a service)")?;
    Ok(Go::here(
        Route::new(screen).cluster(&service.cluster_arn).service(&service.arn),
    ))
}

/// The target groups of a service, to fetch their health.
fn target_groups(store: &Store, cluster: &str, service: &str) -> Vec<Fetch> {
    store
        .service(cluster, service)
        .map(|s| {
            s.load_balancers
                .iter()
                .map(|lb| Fetch::Targets {
                    target_group: lb.target_group_arn.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_screen_has_its_own_id() {
        let mut ids: Vec<&str> = ALL.iter().map(|s| s.id().as_str()).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "two screens share an id");
        assert_eq!(get(ScreenId::FLEET).id(), ScreenId::FLEET);
    }
}
