//! UI state: the navigation stack, input modes and the state of each table.
//!
//! Pure data: no terminal types. `app::update` changes it; `ui::render` reads it (the
//! table's scroll offset is the one thing drawing writes back, through a `Cell`).

use std::cell::Cell;

/// A screen, and what it is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Route {
    Fleet,
    Services {
        cluster: String,
    },
    Service {
        cluster: String,
        service: String,
    },
    Tasks {
        cluster: String,
        /// The service name, when the tasks are one service's.
        service: Option<String>,
    },
    Task {
        cluster: String,
        task: String,
    },
    /// The container instances of an EC2 cluster.
    Instances {
        cluster: String,
    },
    /// Charts of a service's metrics.
    Metrics {
        cluster: String,
        service: String,
    },
    /// A service's autoscaling, and its cluster's capacity providers.
    Scaling {
        cluster: String,
        service: String,
    },
    /// The load balancer targets of a service.
    Targets {
        cluster: String,
        service: String,
    },
    /// The log of one container of a task.
    Logs {
        cluster: String,
        task: String,
        container: String,
    },
    /// A task definition revision.
    TaskDefinition {
        arn: String,
    },
    /// The ECR images behind a service.
    Images {
        cluster: String,
        service: String,
    },
    /// The ECR repositories of a region.
    Repositories {
        region: String,
    },
    /// EventBridge rules that start tasks in a cluster.
    Schedules {
        cluster: String,
    },
    /// An EKS cluster (by ARN): managed node groups, Fargate profiles, add-ons.
    Eks {
        cluster: String,
    },
    /// Kubernetes resources of an EKS cluster.
    Kube {
        cluster: String,
        kind: crate::domain::kube::KubeKind,
    },
    /// One pod (`namespace/name`) and its containers.
    Pod {
        cluster: String,
        pod: String,
    },
    /// The log of one container of a pod; `previous` is its last run's.
    PodLogs {
        cluster: String,
        pod: String,
        container: String,
        previous: bool,
    },
}

/// The panes of the service detail, in focus order.
pub mod service_panes {
    pub const DEPLOYMENTS: usize = 0;
    pub const TASKS: usize = 1;
    pub const EVENTS: usize = 2;
}

impl Route {
    /// How many tables the screen has.
    pub fn pane_count(&self) -> usize {
        match self {
            Route::Service { .. } | Route::Eks { .. } => 3,
            // Containers, and the pod's events.
            Route::Pod { .. } => 2,
            Route::Kube {
                kind: crate::domain::kube::KubeKind::Pvcs | crate::domain::kube::KubeKind::StorageClasses,
                ..
            } => 2,
            _ => 1,
        }
    }

    pub fn cluster(&self) -> Option<&str> {
        match self {
            Route::Fleet => None,
            Route::Services { cluster }
            | Route::Service { cluster, .. }
            | Route::Tasks { cluster, .. }
            | Route::Task { cluster, .. }
            | Route::Instances { cluster }
            | Route::Metrics { cluster, .. }
            | Route::Scaling { cluster, .. }
            | Route::Targets { cluster, .. }
            | Route::Logs { cluster, .. }
            | Route::Images { cluster, .. }
            | Route::Schedules { cluster }
            | Route::Eks { cluster }
            | Route::Kube { cluster, .. }
            | Route::Pod { cluster, .. }
            | Route::PodLogs { cluster, .. } => Some(cluster),
            Route::TaskDefinition { .. } | Route::Repositories { .. } => None,
        }
    }
}

/// One screen on the navigation stack, with the state of its tables.
#[derive(Debug)]
pub struct Page {
    pub route: Route,
    pub panes: Vec<TableState>,
    pub focus: usize,
    /// Tasks view: show stopped tasks instead of running ones.
    pub show_stopped: bool,
    /// Metrics view: how far back the charts look.
    pub window: crate::domain::metrics::Window,
    /// Text views (logs, task definition, autoscaling): the first line shown.
    pub scroll: usize,
    /// Logs view: keep the newest line on screen.
    pub following: bool,
    /// Task definition view: show environment values.
    pub reveal: bool,
    /// Task definition view: the revision compared against.
    pub compare: Option<String>,
}

impl Page {
    pub fn new(route: Route) -> Self {
        let panes = (0..route.pane_count()).map(|_| TableState::default()).collect();
        Page {
            route,
            panes,
            focus: 0,
            show_stopped: false,
            window: Default::default(),
            scroll: 0,
            following: true,
            reveal: false,
            compare: None,
        }
    }

    pub fn table(&self) -> &TableState {
        &self.panes[self.focus]
    }

    pub fn table_mut(&mut self) -> &mut TableState {
        &mut self.panes[self.focus]
    }
}

/// Sort by a column, ascending or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortSpec {
    pub column: usize,
    pub descending: bool,
}

/// The state of one table: filter, sort, the rows that pass, and the selection.
#[derive(Debug, Default)]
pub struct TableState {
    /// The filter as typed (`/` text): substrings and `column:value` terms.
    pub filter: String,
    /// `None` keeps the natural order of the data.
    pub sort: Option<SortSpec>,
    /// Indices into the source rows, filtered and sorted.
    pub rows: Vec<u32>,
    /// Rows before the `/` filter.
    pub total: usize,
    /// The key of the selected row: the selection follows the resource, not the position.
    pub selected: Option<String>,
    /// Where the selected row was among the source rows: where a refresh looks for it first.
    pub selected_source: Option<u32>,
    /// Whether the user has moved the cursor. Until then it stays on the first row while
    /// data loads and reorders, rather than following whichever row came first.
    pub touched: bool,
    pub cursor: usize,
    /// The first visible row, kept by drawing so the cursor stays on screen.
    pub offset: Cell<usize>,
    /// Rows that fit on screen at the last draw, for page up / down.
    pub height: Cell<usize>,
    /// Where the table (with its border) was last drawn, for the mouse.
    pub frame_area: Cell<Option<Area>>,
    /// Where its rows were last drawn: the first visible row is the top line.
    pub body_area: Cell<Option<Area>>,
    /// The source version `rows` was computed from; `None` forces a recompute.
    pub synced: Option<u64>,
    /// Lower-cased cell text per source row, built while a filter is active.
    pub haystack: Option<Haystack>,
    /// What `rows` were last computed from: a filter that only narrows this one (typing
    /// on) filters `rows` again instead of every source row, and keeps their order.
    pub basis: Option<Basis>,
}

/// The source, filter and sort a table's rows were computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    pub version: u64,
    pub len: usize,
    pub filter: String,
    pub sort: Option<SortSpec>,
}

/// A rectangle of the screen, in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Area {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
}

impl Area {
    pub fn contains(&self, column: u16, row: u16) -> bool {
        (self.x..self.x.saturating_add(self.width)).contains(&column)
            && (self.y..self.y.saturating_add(self.height)).contains(&row)
    }
}

/// A filter's view of the source rows: each row's cells, lower-cased and joined by `\u{1f}`,
/// all rows in one buffer (one allocation, read in order) with where each row ends.
#[derive(Debug, Default)]
pub struct Haystack {
    pub version: u64,
    pub text: String,
    pub ends: Vec<u32>,
}

impl Haystack {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Row `i`'s cells.
    pub fn row(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

impl TableState {
    /// Forget the computed rows so the next sync recomputes them.
    pub fn invalidate(&mut self) {
        self.synced = None;
    }

    pub fn selected_index(&self) -> Option<u32> {
        self.rows.get(self.cursor).copied()
    }
}

/// What keys do right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Normal,
    /// Typing a `/` filter.
    Filter,
    /// Typing a `:` command.
    Command,
    /// The help overlay is open.
    Help,
    /// An action's dialog is open: keys go to it.
    Dialog,
}

/// A one-line text input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    pub text: String,
    /// Cursor position in chars.
    pub cursor: usize,
}

impl LineInput {
    pub fn set(&mut self, text: &str) {
        self.text = text.to_string();
        self.cursor = text.chars().count();
    }

    pub fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    pub fn backspace(&mut self) -> bool {
        if self.cursor == 0 {
            return false;
        }
        self.cursor -= 1;
        let at = self.byte_at(self.cursor);
        self.text.remove(at);
        true
    }

    pub fn delete_word(&mut self) {
        while self.cursor > 0 && self.char_before() == Some(' ') {
            self.backspace();
        }
        while self.cursor > 0 && self.char_before().is_some_and(|c| c != ' ') {
            self.backspace();
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }

    fn char_before(&self) -> Option<char> {
        self.text.chars().nth(self.cursor.checked_sub(1)?)
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text.char_indices().nth(chars).map_or(self.text.len(), |(i, _)| i)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// A one-line message in the status bar, until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub level: Level,
    pub text: String,
}

#[derive(Debug)]
pub struct Ui {
    pub stack: Vec<Page>,
    pub mode: Mode,
    pub input: LineInput,
    pub message: Option<Message>,
    pub help_offset: usize,
    /// What the scheduler was last told is on screen.
    pub scope: crate::domain::fetch::Scope,
    /// `--cluster NAME`, until the cluster lists arrive.
    pub pending_cluster: Option<String>,
    /// The open action dialog (in [`Mode::Dialog`]).
    pub dialog: Option<Dialog>,
}

/// An action being prepared: what it acts on, and where the user is in saying how.
#[derive(Debug, Clone, PartialEq)]
pub struct Dialog {
    pub title: String,
    /// account, region, cluster, and the service, task or instance.
    pub target: Vec<(&'static str, String)>,
    pub step: Step,
    /// Why the last answer was refused; nothing was sent.
    pub error: Option<String>,
}

/// Where a dialog is.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A value to type (a count, a reason).
    Ask {
        prompt: String,
        input: LineInput,
        then: Pending,
    },
    /// A task definition revision to pick from the family's list (loaded by the scheduler).
    Pick {
        family: String,
        region: String,
        current: String,
        cursor: usize,
        /// A revision asked for by number: the cursor goes there once the list is loaded.
        want: Option<u32>,
        then: Pending,
    },
    /// The exact change: `y` sends it; or, where the config asks, typing the resource's name.
    Confirm {
        op: crate::domain::op::Op,
        name: Option<String>,
        typed: LineInput,
    },
}

/// What the answer of an `Ask` or `Pick` step becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    Scale {
        cluster: String,
        service: String,
        from: u32,
    },
    StopTask {
        cluster: String,
        task: String,
    },
    RunTask {
        cluster: String,
        task_definition: String,
        launch: crate::domain::LaunchType,
        network: Option<crate::domain::NetworkConfig>,
        group: Option<String>,
    },
    ScalingLimits {
        cluster: String,
        service: String,
        from: Option<(u32, u32)>,
    },
    Revision {
        cluster: String,
        service: String,
        from: String,
        rollback: bool,
    },
    ScaleWorkload {
        cluster: String,
        kind: crate::domain::kube::WorkloadKind,
        namespace: String,
        name: String,
        from: u32,
    },
    NodeGroupSize {
        cluster: String,
        nodegroup: String,
        from: (u32, u32, u32),
    },
}

impl Default for Ui {
    fn default() -> Self {
        Ui {
            stack: vec![Page::new(Route::Fleet)],
            mode: Mode::Normal,
            input: LineInput::default(),
            message: None,
            help_offset: 0,
            scope: Default::default(),
            pending_cluster: None,
            dialog: None,
        }
    }
}

impl Ui {
    pub fn page(&self) -> &Page {
        self.stack.last().expect("the stack always holds the fleet page")
    }

    pub fn page_mut(&mut self) -> &mut Page {
        self.stack.last_mut().expect("the stack always holds the fleet page")
    }

    pub fn route(&self) -> &Route {
        &self.page().route
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            level: Level::Info,
            text: text.into(),
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            level: Level::Error,
            text: text.into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_input_edits_by_char() {
        let mut input = LineInput::default();
        for c in "svc é".chars() {
            input.insert(c);
        }
        assert_eq!(input.text, "svc é");
        input.left();
        input.insert('x');
        assert_eq!(input.text, "svc xé");
        input.right();
        assert!(input.backspace());
        assert_eq!(input.text, "svc x");
        input.delete_word();
        assert_eq!(input.text, "svc ");
        input.delete_word();
        assert_eq!(input.text, "");
        assert!(!input.backspace());
    }
}
