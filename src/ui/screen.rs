//! What a screen is. Everything particular to one screen sits in its own module under
//! `ui::screens` and is reached through this trait: what it fetches, how it keeps its
//! tables in sync with the store, its columns, what `enter` opens, what the user is on (for
//! actions, `y` and `u`), its key hints, the keys only it answers, its `:` commands, how
//! fresh it is, and how it draws. The app loop and the drawing around it (header, status
//! bar, dialogs, help) are the same for every screen.

use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::domain::fetch::Fetch;
use crate::domain::kube::{Node, NodeGroup, Pod, Workload};
use crate::domain::{ContainerInstance, Service, Task};
use crate::store::table::Column;
use crate::store::ui::{Page, Route, ScreenId};
use crate::store::{Rows, Store};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::theme::Theme;

/// One screen. Implemented by a unit struct per module, listed once in `ui::screens::ALL`.
pub trait Screen: Sync {
    /// The id its routes carry.
    fn id(&self) -> ScreenId;

    /// How many tables it has (`tab` moves between them).
    fn panes(&self) -> usize {
        1
    }

    /// Where it is, for the header: `eu-west-1 › prod-web › services`.
    fn crumbs(&self, store: &Store, route: &Route) -> Vec<String>;

    /// What it shows, fetched at the fast rate while it is on screen.
    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch>;

    /// Bring its tables up to date with the store (the top page's).
    fn sync(&self, _store: &mut Store) {}

    /// The columns of the focused table, and the ones it hides: for sorting.
    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (&[], &[])
    }

    /// Whether it is text that scrolls (charts, logs, a task definition) rather than tables.
    fn scrolls(&self) -> bool {
        false
    }

    /// Whether it is a log that follows its newest line until the user scrolls up.
    fn follows(&self) -> bool {
        false
    }

    /// What `enter` on the selection opens, or why nothing does.
    fn open(&self, _store: &Store) -> Result<Option<Go>, String> {
        Ok(None)
    }

    /// What the user is on: the selected row and the resources the page is about.
    fn selection(&self, store: &Store) -> Selection;

    /// How fresh what it shows is.
    fn freshness(&self, store: &Store, page: &Page) -> Freshness;

    /// The keys worth a hint in the status bar here.
    fn hints(&self) -> &'static [Command];

    /// A hint's label where the key does something else here than its name says.
    fn hint_label(&self, _command: Command) -> Option<&'static str> {
        None
    }

    /// A key only this screen answers (a chart window, pausing a log); whether it did.
    fn key(&self, _store: &mut Store, _command: Command) -> bool {
        false
    }

    /// The `:` commands that open it.
    fn commands(&self) -> &'static [CommandSpec] {
        &[]
    }

    /// The key that opens it from what the user is on (`m` for metrics), if any.
    fn opened_by(&self) -> Option<Command> {
        None
    }

    /// Where `:NAME ARGS` (one of [`Screen::commands`], or the key of [`Screen::opened_by`]
    /// with no words) goes from where the user is.
    fn command(&self, _store: &Store, _name: &str, _args: &[&str]) -> Result<Go, String> {
        Err(format!("{} opens from a row, not a command", self.id().as_str()))
    }

    /// Draw it into `area` (the body, between the header and the status bar).
    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme);
}

/// What the user is on, as the actions, `y`, `u` and the inspect keys need it.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    /// The ECS or EKS cluster (ARN) the page is in, or the fleet row's.
    pub cluster: Option<String>,
    /// The service: the selected row, or the page's own.
    pub service: Option<Service>,
    pub task: Option<Task>,
    /// A container of the task or pod, where one is selected.
    pub container: Option<String>,
    /// A service deployment as ECS records it (the deployments screen).
    pub deployment: Option<crate::domain::deploy::ServiceDeployment>,
    /// A task definition revision (ARN): a selected deployment's, or the page's.
    pub task_definition: Option<String>,
    pub instance: Option<ContainerInstance>,
    pub workload: Option<std::sync::Arc<Workload>>,
    pub pod: Option<std::sync::Arc<Pod>>,
    pub node: Option<std::sync::Arc<Node>>,
    pub nodegroup: Option<NodeGroup>,
    /// An object of any other kind (the generic table, one object's screen).
    pub object: Option<crate::domain::kinds::ObjectRef>,
    /// An App Runner service (its fleet row, its screen).
    pub apprunner: Option<crate::domain::apprunner::AppRunnerService>,
    /// What `y` copies: the selected row's ARN or ID, else the page's resource.
    pub copy: Option<String>,
    /// Resources (ARNs) whose console page `u` opens, the most specific first.
    pub console: Vec<String>,
}

impl Selection {
    pub fn in_cluster(cluster: Option<&str>) -> Self {
        Selection {
            cluster: cluster.map(str::to_string),
            ..Selection::default()
        }
    }

    /// The ECS cluster the user is in.
    pub fn ecs_cluster(&self) -> Option<&str> {
        self.cluster
            .as_deref()
            .filter(|c| !is_eks(c) && !c.contains(":apprunner:"))
    }

    /// The EKS cluster the user is in.
    pub fn eks_cluster(&self) -> Option<&str> {
        self.cluster.as_deref().filter(|c| is_eks(c))
    }
}

/// Whether a cluster ARN is an EKS cluster's.
pub fn is_eks(arn: &str) -> bool {
    arn.contains(":eks:")
}

/// Where a command or `enter` goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Go {
    pub from: From,
    /// The pages to open, in order: the last one is shown.
    pub routes: Vec<Route>,
    /// A `/` filter for the last page's table.
    pub filter: Option<String>,
    /// Open the last page on its other list (stopped tasks).
    pub alternate: bool,
}

/// Where new pages go on the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum From {
    /// On top of this page: `esc` comes back here.
    Here,
    /// In place of this page.
    Replace,
    /// Above the fleet, whatever is open.
    Root,
}

impl Go {
    pub fn here(route: Route) -> Self {
        Go {
            from: From::Here,
            routes: vec![route],
            filter: None,
            alternate: false,
        }
    }

    pub fn root(routes: Vec<Route>) -> Self {
        Go {
            from: From::Root,
            routes,
            filter: None,
            alternate: false,
        }
    }

    pub fn replace(route: Route) -> Self {
        Go {
            from: From::Replace,
            ..Go::here(route)
        }
    }

    pub fn filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    pub fn alternate(mut self, alternate: bool) -> Self {
        self.alternate = alternate;
        self
    }
}

/// How fresh a screen's data is: when it was last fetched, and whether the last fetch failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    pub at: Option<Timestamp>,
    pub failing: bool,
}

impl Freshness {
    /// Data that is always current (built from what other screens fetched, or immutable).
    pub fn current(store: &Store) -> Self {
        Freshness {
            at: Some(store.now),
            failing: false,
        }
    }

    /// Of one value read whole (none read yet: no time, not failing).
    pub fn of_read<R: crate::store::rows::Read>(read: Option<&R>) -> Self {
        Freshness {
            at: read.and_then(|r| r.read_at()),
            failing: read.is_some_and(|r| r.read_error().is_some()),
        }
    }

    pub fn of<R: Rows>(rows: Option<&R>) -> Self {
        match rows {
            Some(c) => Freshness {
                at: c.fetched_at(),
                failing: c.error().is_some(),
            },
            None => Freshness {
                at: None,
                failing: false,
            },
        }
    }
}
