//! A service's deployments as ECS records them (`h`, `:history`): newest first, each
//! with its status, the revisions it went from and to, its tasks, what its circuit breaker
//! counted against its threshold, the alarms it watched, how long it took and why it ended.
//! Where the history cannot be read (an older region, a missing permission) the service's
//! current `deployments[]`, and the reason. `enter` shows what one changed; `X` stops one in
//! progress and rolls it back.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::kube::{age, text_key};
use crate::domain::deploy::ServiceDeployment;
use crate::domain::fetch::Fetch;
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::util::{arn_tail, fmt_secs, words};

pub const ID: ScreenId = ScreenId("deployments");

pub struct Deployments;

/// The fetch of a service's history.
pub fn history(route: &Route) -> Fetch {
    Fetch::ServiceDeployments {
        cluster: route.cluster_arn().to_string(),
        service: route.service.clone().unwrap_or_default(),
    }
}

/// Bring the page's service's deployment rows up to date: its history, or its current
/// deployments where the history failed and none was read before.
pub fn refresh_rows(store: &mut Store) {
    let route = store.ui.route().clone();
    let service = route.service.clone().unwrap_or_default();
    let slot = store.insight.deployments.get(&service);
    let current = store.service(route.cluster_arn(), &service);
    let from = {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut h = foldhash::quality::FixedState::with_seed(5).build_hasher();
        service.hash(&mut h);
        slot.map(|s| (s.fetched_at, s.version)).hash(&mut h);
        if slot.is_none_or(|s| s.value.is_none()) {
            current
                .map(|s| {
                    (
                        s.deployments.len(),
                        s.deployments.first().map(|d| (d.updated_at, d.running)),
                    )
                })
                .hash(&mut h);
        }
        h.finish()
    };
    if store.deployment_rows.from == Some(from) {
        return;
    }
    // A service deployed by CodeDeploy or an external controller has no ECS history: its
    // task sets are what it has.
    let by_others = current.is_some_and(|s| !s.rollout.controller.is_empty() && s.rollout.controller != "ECS");
    let rows = match slot.and_then(|s| s.value.as_ref()) {
        Some(history) if !(history.deployments.is_empty() && by_others) => history.deployments.clone(),
        _ => current
            .map(|s| s.deployments.iter().map(ServiceDeployment::from_current).collect())
            .unwrap_or_default(),
    };
    let error = slot.and_then(|s| s.error.clone());
    let now = store.now;
    let fetched = slot.and_then(|s| s.fetched_at).or(error.as_ref().map(|_| now));
    let rows_set = &mut store.deployment_rows;
    if let Some(at) = fetched {
        rows_set.entries.replace(rows, at);
    }
    rows_set.entries.error = error;
    rows_set.from = Some(from);
}

impl Screen for Deployments {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        super::service_crumbs(route, "deployments")
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        vec![history(&page.route), Fetch::services(page.route.cluster_arn())]
    }

    fn sync(&self, store: &mut Store) {
        refresh_rows(store);
        let Store {
            deployment_rows,
            ui,
            now,
            ..
        } = store;
        let cx = RowCx::at(*now);
        let page = ui.page_mut();
        table::sync(
            &mut page.panes[0],
            deployment_rows.entries.items(),
            deployment_rows.entries.version,
            |_| true,
            &cx,
        );
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (ServiceDeployment::columns(), &[])
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        let page = store.ui.page();
        let Some(d) = table::selected(page.table(), store.deployment_rows.entries.items()) else {
            return Ok(None);
        };
        if !d.recorded() {
            return Err(
                "no revisions to compare: the deployment history is not read (d shows the task definition)".into(),
            );
        }
        let route = &page.route;
        Ok(Some(Go::here(
            Route::new(super::deployment::ID)
                .cluster(route.cluster_arn())
                .service(route.service.clone().unwrap_or_default())
                .arn(&d.arn),
        )))
    }

    fn selection(&self, store: &Store) -> Selection {
        let mut selection = super::service_page_selection(store);
        let page = store.ui.page();
        if let Some(d) = table::selected(page.table(), store.deployment_rows.entries.items()) {
            selection.task_definition = d.to.as_ref().and_then(|r| r.task_definition.clone());
            if d.recorded() {
                selection.copy = Some(d.arn.clone());
            }
            selection.deployment = Some(d.clone());
        }
        selection
    }

    fn freshness(&self, store: &Store, _page: &Page) -> Freshness {
        Freshness::of(Some(&store.deployment_rows.entries))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, StopTask, TaskDefinition, Rollback, CommandLine, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        match command {
            Command::Open => Some("what it changed"),
            Command::StopTask => Some("stop+roll back"),
            Command::Rollback => Some("restore"),
            _ => None,
        }
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["history", "rollouts"],
            "history",
            "a service's deployments as ECS records them (also :rollouts)",
        )];
        C
    }

    fn opened_by(&self) -> Option<Command> {
        Some(Command::History)
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        super::open_for_service(ID, store, name, args)
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let cx = RowCx::at(store.now);
        let set = &store.deployment_rows.entries;
        let service = arn_tail(page.route.service.as_deref().unwrap_or_default());
        let history = store
            .insight
            .deployments
            .get(page.route.service.as_deref().unwrap_or_default())
            .is_some_and(|s| s.value.is_some());
        let controller = store
            .service(
                page.route.cluster_arn(),
                page.route.service.as_deref().unwrap_or_default(),
            )
            .map(|s| s.rollout.controller.as_str())
            .filter(|c| !c.is_empty() && *c != "ECS");
        let by_codedeploy = set.items().iter().any(|d| d.code_deploy.is_some());
        let title = if by_codedeploy {
            format!("deployments({service}) · by CodeDeploy")
        } else if let Some(controller) = controller {
            format!("task sets({service}) · deployed by {controller}")
        } else if history || set.error.is_none() {
            format!("deployments({service})")
        } else {
            format!("deployments({service}) · current only")
        };
        let error = set.error.as_ref().map(|e| {
            if history {
                crate::ui::widgets::describe_error(e, set.fetched_at, store.now)
            } else {
                format!("deployment history not read: {e} · showing the service's current deployments")
            }
        });
        let empty = if set.fetched_at.is_none() {
            "loading…"
        } else {
            "no deployments recorded"
        };
        grid::render(
            buf,
            area,
            &page.panes[0],
            set.items(),
            &cx,
            theme,
            grid::Frame {
                title: &title,
                focused: true,
                error,
                empty,
                hidden: &[],
            },
        );
    }
}

/// How a deployment's status reads: green when it went through, red when it was stopped
/// or rolled back, in the info tone while it goes on.
pub fn status_tone(d: &ServiceDeployment) -> Tone {
    match d.status.as_str() {
        "SUCCESSFUL" => Tone::Ok,
        "ROLLBACK_SUCCESSFUL" => Tone::Warn,
        _ if d.failed() => Tone::Err,
        _ => Tone::Info,
    }
}

impl Row for ServiceDeployment {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("STARTED", 7, 7, 0).right(),
            Column::new("STATUS", 10, 20, 0),
            Column::new("TASKS", 5, 7, 0).right(),
            Column::new("BREAKER", 7, 7, 0).right(),
            // What it changed takes what the counts leave.
            Column::new("CHANGE", 12, 44, 0),
            Column::new("ALARMS", 6, 30, 3),
            Column::new("TOOK", 5, 7, 2).right(),
            Column::new("REASON", 12, 0, 2).late(),
        ];
        C
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        match column {
            0 => age(self.started_at.or(self.created_at), cx),
            1 => Cell::tone(words(&self.status), status_tone(self)),
            4 => Cell::new(self.change()),
            2 => match &self.to {
                Some(t) => Cell::tone(
                    format!("{}/{}", t.running, t.requested),
                    if t.running < t.requested && self.ongoing() {
                        Tone::Warn
                    } else {
                        Tone::Normal
                    },
                ),
                None => Cell::muted("-"),
            },
            3 => match &self.circuit_breaker {
                Some(b) => Cell::tone(
                    self.breaker(),
                    if b.status == "TRIGGERED" || b.failures > 0 {
                        Tone::Err
                    } else {
                        Tone::Normal
                    },
                ),
                None => Cell::muted("-"),
            },
            5 => match &self.alarms {
                Some(a) if !a.triggered.is_empty() => Cell::tone(a.triggered.join(", "), Tone::Err),
                Some(a) if !a.names.is_empty() => Cell::new(words(&a.status)),
                _ => Cell::muted("-"),
            },
            6 => match (self.started_at, self.finished_at.or(self.stopped_at)) {
                (Some(start), Some(end)) => Cell::new(fmt_secs(end.duration_since(start).as_secs())),
                (Some(_), None) if self.ongoing() => Cell::muted("…"),
                _ => Cell::muted("-"),
            },
            7 if let Some(progress) = self.progress() => Cell::tone(progress, Tone::Info),
            7 => match &self.rollback {
                Some(r) if self.reason.is_empty() => Cell::tone(format!("rollback: {}", r.reason), Tone::Warn),
                _ if self.reason.is_empty() => Cell::muted("-"),
                _ => Cell::new(self.reason.as_str()),
            },
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            0 => SortKey::time(self.started_at.or(self.created_at)).negate(),
            _ => text_key(self, column, cx),
        }
    }
}
