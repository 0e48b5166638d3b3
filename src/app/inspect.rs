//! Views one key away from a service or a task: metrics, autoscaling, targets, the task
//! definition, logs, images; and the keys of those views.

use crate::config::keymap::Command;
use crate::domain::metrics::Window;
use crate::store::Store;
use crate::store::ui::{Page, Route, service_panes};
use crate::ui::table;

use super::act;

/// Open the view `command` names, for what the user is on.
pub fn open(store: &mut Store, command: Command) {
    let route = match command {
        Command::Metrics => act::selected_service(store).map(|(cluster, s)| Route::Metrics {
            cluster,
            service: s.arn,
        }),
        Command::Autoscaling => act::selected_service(store).map(|(cluster, s)| Route::Scaling {
            cluster,
            service: s.arn,
        }),
        Command::Targets => act::selected_service(store).map(|(cluster, s)| Route::Targets {
            cluster,
            service: s.arn,
        }),
        Command::Images => act::selected_service(store).map(|(cluster, s)| Route::Images {
            cluster,
            service: s.arn,
        }),
        Command::TaskDefinition => task_definition(store).map(|arn| Route::TaskDefinition { arn }),
        Command::Logs => match store.ui.route() {
            Route::Kube { .. } | Route::Pod { .. } => pod_logs(store),
            _ => logs(store),
        },
        _ => return,
    };
    match route {
        Ok(route) => {
            store.ui.page_mut().table_mut().touched = true;
            store.ui.stack.push(Page::new(route));
        }
        Err(message) => store.ui.error(message),
    }
}

/// The log of the selected pod's container (the first, or the one selected in a pod).
fn pod_logs(store: &Store) -> Result<Route, String> {
    let page = store.ui.page();
    let cluster = page.route.cluster().unwrap_or_default().to_string();
    let data = store.kube.get(&cluster);
    let (pod, container) = match &page.route {
        Route::Pod { pod, .. } => {
            let p = data.and_then(|d| d.pods.get(pod)).ok_or("the pod is gone")?;
            let c = table::selected(&page.panes[0], &p.containers).or(p.containers.first());
            (p.key.clone(), c.map(|c| c.name.clone()))
        }
        _ => {
            let p = crate::ui::views::kube::selected(page, data.map(|d| &d.pods)).ok_or("select a pod first")?;
            (p.key.clone(), p.containers.first().map(|c| c.name.clone()))
        }
    };
    let container = container.ok_or("the pod has no containers")?;
    Ok(Route::PodLogs {
        cluster,
        pod,
        container,
        previous: false,
    })
}

/// The task definition of what is selected: a deployment, a task, or a service.
fn task_definition(store: &Store) -> Result<String, String> {
    let page = store.ui.page();
    if let Route::Service { cluster, service } = &page.route
        && page.focus == service_panes::DEPLOYMENTS
        && let Some(s) = store.service(cluster, service)
        && let Some(d) = table::selected(page.table(), &s.deployments)
    {
        return Ok(d.task_definition.clone());
    }
    if let Ok((_, t)) = act::selected_task(store) {
        return Ok(t.task_definition);
    }
    act::selected_service(store)
        .map(|(_, s)| s.task_definition)
        .map_err(|_| "select a service, a deployment or a task first".to_string())
}

/// The log to open: the selected container of a task, else the first container of the
/// selected task, else of the service's newest running task.
fn logs(store: &Store) -> Result<Route, String> {
    let page = store.ui.page();
    if let Route::Task { cluster, task } = &page.route {
        let t = store
            .cluster_data(cluster)
            .and_then(|d| d.find_task(task))
            .ok_or("loading the task…")?;
        let container = table::selected(page.table(), &t.containers)
            .or(t.containers.first())
            .ok_or("the task has no containers")?;
        return Ok(Route::Logs {
            cluster: cluster.clone(),
            task: task.clone(),
            container: container.name.clone(),
        });
    }
    if let Ok((cluster, t)) = act::selected_task(store) {
        let container = t.containers.first().ok_or("the task has no containers")?;
        return Ok(Route::Logs {
            cluster,
            task: t.arn.clone(),
            container: container.name.clone(),
        });
    }
    let (cluster, s) = act::selected_service(store).map_err(|_| "select a task or a service first".to_string())?;
    let task = store
        .cluster_data(&cluster)
        .and_then(|d| {
            d.tasks
                .items()
                .iter()
                .find(|t| t.service_name() == Some(s.name.as_str()))
        })
        .ok_or_else(|| format!("{} has no running task to read the log of", s.name))?;
    let container = task.containers.first().ok_or("the task has no containers")?;
    Ok(Route::Logs {
        cluster,
        task: task.arn.clone(),
        container: container.name.clone(),
    })
}

/// Keys that only mean something in one view.
pub fn view_key(store: &mut Store, command: Command) {
    let page = store.ui.page_mut();
    let window = match command {
        Command::Window1h => Some(Window::Hour),
        Command::Window3h => Some(Window::ThreeHours),
        Command::Window24h => Some(Window::Day),
        Command::Window7d => Some(Window::Week),
        _ => None,
    };
    match (&page.route, command) {
        (Route::Metrics { .. }, _) if window.is_some() => page.window = window.unwrap_or_default(),
        (Route::Logs { .. } | Route::PodLogs { .. }, Command::Pause) => page.following = !page.following,
        (Route::TaskDefinition { .. }, Command::Reveal) => page.reveal = !page.reveal,
        (Route::TaskDefinition { arn }, Command::Compare) => {
            page.compare = match page.compare {
                Some(_) => None,
                None => crate::ui::views::taskdef::previous(arn),
            };
            page.scroll = 0;
            if page.compare.is_none() && crate::util::task_def_revision(arn) == Some(1) {
                store.ui.info("revision 1 has no previous revision to compare with");
            }
        }
        _ => store.ui.info(format!("`{}` does nothing here", command.name())),
    }
}

/// Move through a text view; in the logs, moving up pauses following.
pub fn scroll(store: &mut Store, delta: i64) {
    let page = store.ui.page_mut();
    if let Route::Logs { .. } | Route::PodLogs { .. } = page.route
        && page.following
    {
        if delta >= 0 {
            return;
        }
        page.following = false;
        // Start from the bottom: the view clamps a large offset to the last page.
        page.scroll = usize::MAX / 2;
    }
    page.scroll = (page.scroll as i64 + delta).clamp(0, i64::MAX / 4) as usize;
}
