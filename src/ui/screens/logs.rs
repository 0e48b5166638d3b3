//! The log of one container of an ECS task: the awslogs stream its task definition names,
//! followed as it grows, searchable with `/`, paused with `p`, bounded in memory.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::fetch::{Fetch, log_key};
use crate::store::Store;
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::log::{self, Located};
use crate::util::{arn_region, arn_tail};

pub const ID: ScreenId = ScreenId("logs");

pub struct Logs;

impl Screen for Logs {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        let cluster = route.cluster_arn();
        let id = arn_tail(route.task.as_deref().unwrap_or_default());
        vec![
            arn_region(cluster).unwrap_or("?").to_string(),
            arn_tail(cluster).to_string(),
            id.get(..8).unwrap_or(id).to_string(),
            format!("{} logs", route.container.as_deref().unwrap_or_default()),
        ]
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let route = &page.route;
        let cluster = route.cluster_arn();
        let task = route.task.as_deref().unwrap_or_default();
        let mut fetches = vec![Fetch::running(cluster), Fetch::stopped(cluster)];
        if let Some(t) = store.cluster_data(cluster).and_then(|d| d.find_task(task)) {
            fetches.push(Fetch::TaskDefinition {
                arn: t.task_definition.clone(),
            });
        }
        if let Ok((region, group, stream)) =
            stream_of(store, cluster, task, route.container.as_deref().unwrap_or_default())
        {
            fetches.push(Fetch::Logs {
                account: store.account_name_of(cluster).to_string(),
                region,
                group,
                stream,
            });
        }
        fetches
    }

    fn scrolls(&self) -> bool {
        true
    }

    fn follows(&self) -> bool {
        true
    }

    fn selection(&self, store: &Store) -> Selection {
        let route = store.ui.route();
        let cluster = route.cluster_arn().to_string();
        let arn = route.task.clone().unwrap_or_default();
        let task = store.cluster_data(&cluster).and_then(|d| d.find_task(&arn)).cloned();
        Selection {
            console: vec![arn.clone(), cluster.clone()],
            copy: Some(arn),
            cluster: Some(cluster),
            container: route.container.clone(),
            task,
            ..Selection::default()
        }
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        log::freshness(store, &located(store, &page.route))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Pause, Filter, Bottom, Back, Help]
    }

    fn key(&self, store: &mut Store, command: Command) -> bool {
        log::key(store, command)
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["logs", "log"],
            "logs",
            "the log of a task's (or a pod's) container",
        )];
        C
    }

    fn opened_by(&self) -> Option<Command> {
        Some(Command::Logs)
    }

    /// The log to open: in an EKS cluster, a pod's (see the pod log screen); else the
    /// selected container of a task, else the first container of the selected task, else
    /// of the service's newest running task.
    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        if !args.is_empty() {
            return Err(format!(":{name} takes no argument"));
        }
        let selection = super::selection(store);
        if let Some(s) = &selection.apprunner {
            return Ok(super::apprunner_logs::open(store, &s.arn));
        }
        if selection.eks_cluster().is_some() {
            return super::pod_logs::open(&selection);
        }
        let route = |cluster: &str, task: &str, container: &str| {
            Go::here(Route::new(ID).cluster(cluster).task(task).container(container))
        };
        let cluster = selection.ecs_cluster().unwrap_or_default().to_string();
        let cluster = cluster.as_str();
        if let Some(t) = &selection.task {
            let container = selection
                .container
                .as_deref()
                .or(t.containers.first().map(|c| c.name.as_str()))
                .ok_or("the task has no containers")?;
            return Ok(route(cluster, &t.arn, container));
        }
        let s = selection.service.ok_or("select a task or a service first")?;
        let task = store
            .cluster_data(cluster)
            .and_then(|d| {
                d.tasks
                    .items()
                    .iter()
                    .find(|t| t.service_name() == Some(s.name.as_str()))
            })
            .ok_or_else(|| format!("{} has no running task to read the log of", s.name))?;
        let container = task.containers.first().ok_or("the task has no containers")?;
        Ok(route(cluster, &task.arn, &container.name))
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let route = &page.route;
        let id = arn_tail(route.task.as_deref().unwrap_or_default());
        let heading = format!(
            " logs({}/{}) ",
            id.get(..8).unwrap_or(id),
            route.container.as_deref().unwrap_or_default()
        );
        log::render(buf, area, store, page, heading, located(store, route), theme);
    }
}

/// The buffer the page reads.
fn located(store: &Store, route: &Route) -> Located {
    stream_of(
        store,
        route.cluster_arn(),
        route.task.as_deref().unwrap_or_default(),
        route.container.as_deref().unwrap_or_default(),
    )
    .map(|(_, group, stream)| log_key(store.account_name_of(route.cluster_arn()), &group, &stream))
}

/// Where a container's log is: the awslogs group and stream, or why it cannot be read.
pub fn stream_of(
    store: &Store,
    cluster: &str,
    task: &str,
    container: &str,
) -> Result<(String, String, String), String> {
    let t = store
        .cluster_data(cluster)
        .and_then(|d| d.find_task(task))
        .ok_or_else(|| "loading the task…".to_string())?;
    let td = match store.task_definitions.get(&t.task_definition) {
        Some(Ok(td)) => td,
        Some(Err(e)) => return Err(format!("cannot read the task definition: {e}")),
        None => return Err("loading the task definition…".to_string()),
    };
    let def = td.containers.iter().find(|c| c.name == container).ok_or_else(|| {
        format!(
            "container {container} is not in {}",
            crate::util::task_def_short(&td.arn)
        )
    })?;
    match def.awslogs_stream(&t.id) {
        Some((group, stream)) => {
            let region = def
                .log_options
                .get("awslogs-region")
                .cloned()
                .unwrap_or_else(|| arn_region(cluster).unwrap_or_default().to_string());
            Ok((region, group, stream))
        }
        None => Err(match def.log_driver.as_deref() {
            Some(driver) => format!(
                "container {container} logs with the `{driver}` driver: bosun reads the awslogs driver (CloudWatch Logs) only; \
                 look where {driver} sends them"
            ),
            None => format!("container {container} has no log configuration: its output goes nowhere bosun can read"),
        }),
    }
}
