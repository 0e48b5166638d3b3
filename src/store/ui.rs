//! UI state: the page stack, input modes, dialogs. Pure data: no terminal types.
//! `app::update` changes it; `ui::render` reads it (the table's scroll offset is the one
//! thing drawing writes back, through a `Cell`).
//!
//! A page names its screen by id and says what it is about in a [`Route`]; what a screen
//! does with it lives in the screen's own module (`ui::screens`).

use super::table::TableState;
use crate::domain::metrics::Window;

/// A screen, by the id its module registers under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScreenId(pub &'static str);

impl ScreenId {
    /// The screen at the bottom of the stack: every cluster of the fleet.
    pub const FLEET: ScreenId = ScreenId("fleet");

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// Where a page is: its screen, and the resource it is about, outermost first. A screen
/// reads the fields it needs; the others stay `None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    pub screen: ScreenId,
    /// An account (by name), for screens of a whole account's region.
    pub account: Option<String>,
    /// A region, for screens of a whole region.
    pub region: Option<String>,
    /// The ECS or EKS cluster, by ARN.
    pub cluster: Option<String>,
    /// The ECS service, by ARN.
    pub service: Option<String>,
    /// The ECS task, by ARN.
    pub task: Option<String>,
    /// A Kubernetes kind, as it was asked for (`svc`, `cronjobs.batch`).
    pub kind: Option<String>,
    /// A Kubernetes object of the cluster, `namespace/name`.
    pub object: Option<String>,
    /// A container of the task or pod.
    pub container: Option<String>,
    /// Another resource, by ARN (a task definition).
    pub arn: Option<String>,
    /// How far back it looks, in minutes (a timeline's window).
    pub minutes: Option<u32>,
    /// A resource shown raw, and how (`:json`, `:yaml`).
    pub raw: Option<(crate::domain::raw::RawTarget, crate::domain::raw::RawFormat)>,
}

impl Route {
    pub fn new(screen: ScreenId) -> Self {
        Route {
            screen,
            account: None,
            region: None,
            cluster: None,
            service: None,
            task: None,
            kind: None,
            object: None,
            container: None,
            arn: None,
            minutes: None,
            raw: None,
        }
    }

    pub fn account(mut self, name: impl Into<String>) -> Self {
        self.account = Some(name.into());
        self
    }

    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    pub fn cluster(mut self, arn: impl Into<String>) -> Self {
        self.cluster = Some(arn.into());
        self
    }

    pub fn service(mut self, arn: impl Into<String>) -> Self {
        self.service = Some(arn.into());
        self
    }

    pub fn task(mut self, arn: impl Into<String>) -> Self {
        self.task = Some(arn.into());
        self
    }

    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    pub fn object(mut self, key: impl Into<String>) -> Self {
        self.object = Some(key.into());
        self
    }

    pub fn container(mut self, name: impl Into<String>) -> Self {
        self.container = Some(name.into());
        self
    }

    pub fn arn(mut self, arn: impl Into<String>) -> Self {
        self.arn = Some(arn.into());
        self
    }

    pub fn minutes(mut self, minutes: u32) -> Self {
        self.minutes = Some(minutes);
        self
    }

    pub fn is(&self, screen: ScreenId) -> bool {
        self.screen == screen
    }

    /// The cluster, or `""` where the screen has none.
    pub fn cluster_arn(&self) -> &str {
        self.cluster.as_deref().unwrap_or_default()
    }
}

/// One screen on the page stack, with the state of its tables.
#[derive(Debug)]
pub struct Page {
    pub route: Route,
    /// One table state per pane; a text screen keeps one it does not use.
    pub panes: Vec<TableState>,
    pub focus: usize,
    /// The screen's other list: stopped tasks instead of running ones, a container's
    /// previous run instead of the current one.
    pub alternate: bool,
    /// Charts: how far back they look.
    pub window: Window,
    /// Text screens: the first line shown.
    pub scroll: usize,
    /// Logs: keep the newest line on screen.
    pub following: bool,
    /// Values masked until asked for (environment values of a task definition).
    pub reveal: bool,
    /// The one value shown of several masked (a Secret's key), by its place.
    pub revealed: Option<usize>,
    /// What the page is compared against (a task definition revision).
    pub compare: Option<String>,
}

impl Page {
    pub fn new(route: Route, panes: usize) -> Self {
        Page {
            route,
            panes: (0..panes.max(1)).map(|_| TableState::default()).collect(),
            focus: 0,
            alternate: false,
            window: Window::default(),
            scroll: 0,
            following: true,
            reveal: false,
            revealed: None,
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

/// The pages, the fleet at the bottom: never empty, by construction.
#[derive(Debug)]
pub struct Stack {
    root: Page,
    above: Vec<Page>,
}

impl Stack {
    pub fn new(root: Page) -> Self {
        Stack {
            root,
            above: Vec::new(),
        }
    }

    pub fn top(&self) -> &Page {
        self.above.last().unwrap_or(&self.root)
    }

    pub fn top_mut(&mut self) -> &mut Page {
        self.above.last_mut().unwrap_or(&mut self.root)
    }

    pub fn push(&mut self, page: Page) {
        self.above.push(page);
    }

    /// Drop the top page, unless it is the root; whether one was dropped.
    pub fn pop(&mut self) -> bool {
        self.above.pop().is_some()
    }

    /// Back to the root page.
    pub fn to_root(&mut self) {
        self.above.clear();
    }

    /// How many pages, the root included.
    pub fn len(&self) -> usize {
        1 + self.above.len()
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// Every page, bottom first.
    pub fn iter(&self) -> impl Iterator<Item = &Page> {
        std::iter::once(&self.root).chain(&self.above)
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Page> {
        std::iter::once(&mut self.root).chain(&mut self.above)
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
    pub stack: Stack,
    pub mode: Mode,
    pub input: LineInput,
    pub message: Option<Message>,
    pub help_offset: usize,
    /// What the scheduler was last told is on screen.
    pub scope: crate::domain::fetch::Scope,
    /// `--cluster NAME`, until the cluster lists arrive.
    pub pending_cluster: Option<String>,
    /// `:stop ID` of a task not loaded: looked up (DescribeTasks) before its dialog opens.
    pub pending_stop: Option<PendingStop>,
    /// `:drain ID` / `:activate ID` of a container instance not loaded: its cluster's
    /// instances are read, then it is confirmed as if it had been.
    pub pending_instance: Option<PendingInstance>,
    /// The open action dialog (in [`Mode::Dialog`]).
    pub dialog: Option<Dialog>,
}

/// A task to stop, by the ID typed, while it is described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingStop {
    pub cluster: String,
    pub task: String,
    pub reason: Option<String>,
}

/// A container instance to drain or activate, by the ID typed, while its cluster's
/// instances are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInstance {
    pub cluster: String,
    pub id: String,
    pub draining: bool,
    /// When the instances had last been read as it was asked: a read after that answers.
    pub asked: Option<jiff::Timestamp>,
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
        account: String,
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
    ProtectTask {
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
    ScaleObject {
        cluster: String,
        object: crate::domain::kinds::ObjectRef,
    },
    /// A shell's container to choose (`kind` set, one of `containers`), or a forward's
    /// ports to type (`kind` none, for `container`).
    Session {
        target: crate::domain::session::Target,
        container: String,
        containers: Vec<String>,
        kind: Option<crate::domain::session::Kind>,
    },
}

impl Default for Ui {
    fn default() -> Self {
        Ui {
            stack: Stack::new(Page::new(Route::new(ScreenId::FLEET), 1)),
            mode: Mode::Normal,
            input: LineInput::default(),
            message: None,
            help_offset: 0,
            scope: Default::default(),
            pending_cluster: None,
            pending_stop: None,
            pending_instance: None,
            dialog: None,
        }
    }
}

impl Ui {
    pub fn page(&self) -> &Page {
        self.stack.top()
    }

    pub fn page_mut(&mut self) -> &mut Page {
        self.stack.top_mut()
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
