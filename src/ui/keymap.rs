//! The keymap: which key runs which command. Each command is one row of [`SPECS`]: its
//! name in the config file, its section and text in `?` help, its hint in the status bar,
//! and its default keys. Help, hints and the manual are generated from it, so they always
//! tell the truth.

use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can do in normal mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    Back,
    Open,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Filter,
    CommandLine,
    Help,
    SortNext,
    SortPrev,
    SortInvert,
    NextPane,
    PrevPane,
    ToggleStopped,
    Refresh,
    /// Copy the selection's ARN to the clipboard (OSC 52).
    CopyArn,
    /// Show the selection's AWS console URL and copy it.
    CopyUrl,
    /// Copy the screen's report, as Markdown, to the clipboard (OSC 52).
    CopyReport,
    /// What changed: the timeline of what the user is on.
    Timeline,
    /// The pods in trouble in every EKS cluster.
    Trouble,
    // Actions: capitals, so a stray key never changes the fleet.
    Scale,
    Redeploy,
    Rollback,
    Revision,
    StopTask,
    RunTask,
    Drain,
    ScalingLimits,
    /// Protect a task from scale-in.
    Protect,
    /// Turn on ECS Exec for a service's new tasks.
    EnableExec,
    /// A shell in a container.
    Shell,
    /// Forward a local port to a task or pod.
    Forward,
    /// The raw resource (JSON, YAML).
    Raw,
    // Screens one key away from a service or task.
    Metrics,
    Autoscaling,
    Targets,
    TaskDefinition,
    Logs,
    Images,
    /// A service's deployments as ECS records them.
    History,
    Window1h,
    Window3h,
    Window24h,
    Window7d,
    Pause,
    Reveal,
    Compare,
}

/// Where a command applies, for grouping in help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    General,
    Navigation,
    Tables,
    Views,
    Inspect,
    Actions,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::General => "General",
            Section::Navigation => "Navigation",
            Section::Tables => "Tables",
            Section::Views => "Views",
            Section::Inspect => "Inspect (from a service or task)",
            Section::Actions => "Actions (each asks for confirmation)",
        }
    }
}

/// One command: everything about it, in one row.
pub struct Spec {
    pub command: Command,
    /// Its name in the config file's `[keys]` table.
    pub name: &'static str,
    pub section: Section,
    /// A short label for the status bar hints.
    pub hint: &'static str,
    /// Its default keys, the first one shown in hints.
    pub keys: &'static [&'static str],
    /// What it does, for `?` help and the manual.
    pub help: &'static str,
}

macro_rules! specs {
    ($($command:ident, $name:literal, $section:ident, $hint:literal, [$($key:literal),*], $help:literal;)*) => {
        /// Every command, in the order `?` help lists them.
        pub const SPECS: &[Spec] = &[$(Spec {
            command: Command::$command,
            name: $name,
            section: Section::$section,
            hint: $hint,
            keys: &[$($key),*],
            help: $help,
        }),*];
    };
}

specs! {
    Help, "help", General, "help", ["?"], "this help";
    CommandLine, "command", General, "cmd", [":"], "command line (:fleet, :svc NAME, :tasks, :q)";
    Refresh, "refresh", General, "refresh", ["ctrl-r"], "refresh what is on screen now";
    CopyArn, "copy_arn", General, "copy", ["y"], "copy the selection's ARN or ID to the clipboard";
    CopyUrl, "copy_url", General, "console", ["u"], "show and copy the selection's AWS console URL";
    CopyReport, "copy_report", General, "report", ["Y"], "copy a report of this cluster, service or timeline (Markdown) to the clipboard";
    Quit, "quit", General, "quit", ["q"], "quit bosun";
    Open, "open", Navigation, "open", ["enter"], "open the selection";
    Back, "back", Navigation, "back", ["esc"], "back; clear the filter first";
    Up, "up", Navigation, "up", ["k", "up"], "move up";
    Down, "down", Navigation, "down", ["j", "down"], "move down";
    PageUp, "page_up", Navigation, "page_up", ["ctrl-b", "pgup"], "page up";
    PageDown, "page_down", Navigation, "page_down", ["ctrl-f", "pgdn"], "page down";
    Top, "top", Navigation, "top", ["g", "home"], "go to the first row";
    Bottom, "bottom", Navigation, "bottom", ["G", "end"], "go to the last row";
    Filter, "filter", Tables, "filter", ["/"], "filter: words, column:value, !not";
    SortNext, "sort_next", Tables, "sort", [">"], "sort by the next column";
    SortPrev, "sort_prev", Tables, "sort_prev", ["<"], "sort by the previous column";
    SortInvert, "sort_invert", Tables, "sort_invert", ["i"], "invert the sort order";
    Timeline, "timeline", Views, "changes", ["w"], "what changed: the timeline of the fleet, cluster, service or workload";
    Trouble, "trouble", Views, "trouble", ["!"], "the pods in trouble in every EKS cluster";
    NextPane, "next_pane", Views, "pane", ["tab"], "focus the next pane";
    PrevPane, "prev_pane", Views, "prev_pane", ["shift-tab"], "focus the previous pane";
    ToggleStopped, "toggle_stopped", Views, "stopped", ["t"], "tasks: show stopped / running; pod logs: the previous run";
    Metrics, "metrics", Inspect, "metrics", ["m"], "charts: CPU, memory, requests, 5xx, latency, queue";
    Autoscaling, "autoscaling", Inspect, "autoscaling", ["a"], "autoscaling: range, policies, schedule, activity";
    Targets, "targets", Inspect, "targets", ["b"], "load balancer targets and their health";
    TaskDefinition, "task_definition", Inspect, "taskdef", ["d"], "the task definition (c: diff with the previous)";
    Logs, "logs", Inspect, "logs", ["l"], "a container's log (awslogs, or a pod's)";
    Images, "images", Inspect, "images", ["r"], "ECR images: tags, push time, scan findings";
    History, "history", Inspect, "history", ["h"], "deployments as ECS records them: what each changed, circuit breaker, alarms";
    Window1h, "window_1h", Inspect, "1h", ["1"], "charts: the last hour";
    Window3h, "window_3h", Inspect, "3h", ["2"], "charts: the last 3 hours";
    Window24h, "window_24h", Inspect, "24h", ["3"], "charts: the last day";
    Window7d, "window_7d", Inspect, "7d", ["4"], "charts: the last week";
    Pause, "pause", Inspect, "pause", ["p"], "logs: pause / follow";
    Reveal, "reveal", Inspect, "reveal", ["v"], "show / mask values (task env, Secret keys)";
    Compare, "compare", Inspect, "diff", ["c"], "task definition: diff with the previous revision";
    Shell, "shell", Inspect, "shell", ["s"], "a shell in the task's or pod's container (ECS Exec, Kubernetes exec; :exec [CONTAINER] [COMMAND])";
    Forward, "forward", Inspect, "forward", ["F"], "forward a local port to the task or pod (:forward LOCAL:REMOTE or LOCAL:HOST:REMOTE; :forwards lists them)";
    Raw, "raw", Inspect, "raw", ["o"], "the raw resource: JSON as the AWS API returns it, YAML for Kubernetes (o again: $PAGER)";
    Scale, "scale", Actions, "scale", ["S"], "service, workload, any kind with a scale subresource: set the count; node group: min / desired / max";
    Redeploy, "redeploy", Actions, "redeploy", ["R"], "service: force a new deployment; deployment: rollout restart";
    Rollback, "rollback", Actions, "rollback", ["B"], "service: roll back to the previous task definition · on a past deployment: back to its whole service revision";
    Revision, "revision", Actions, "revision", ["V"], "service: deploy another task definition revision";
    StopTask, "stop_task", Actions, "stop_task", ["X"], "task: stop it; pod: delete it; any other kind: delete it, its name typed";
    RunTask, "run_task", Actions, "run_task", ["N"], "service: run a one-off task like it; CronJob: trigger it now";
    Drain, "drain", Actions, "drain", ["D"], "instance: drain / activate; node: cordon / uncordon; CronJob: suspend / resume";
    ScalingLimits, "scaling_limits", Actions, "scaling_limits", ["M"], "service: autoscaling min / max";
    Protect, "protect", Actions, "protect", ["P"], "task: protect from scale-in for N minutes (0 removes it)";
    EnableExec, "enable_exec", Actions, "enable_exec", ["E"], "service: turn on ECS Exec (enableExecuteCommand) for the tasks it starts";
}

impl Command {
    /// Every command, in the order `?` help lists them.
    pub fn all() -> impl Iterator<Item = Command> {
        SPECS.iter().map(|s| s.command)
    }

    fn spec(self) -> &'static Spec {
        SPECS
            .iter()
            .find(|s| s.command == self)
            .expect("every command has a row in SPECS (tested)")
    }

    /// The name used in the config file's `[keys]` table.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// What it does, for help.
    pub fn help(self) -> &'static str {
        self.spec().help
    }

    /// A short label for the status bar hints.
    pub fn hint(self) -> &'static str {
        self.spec().hint
    }

    pub fn section(self) -> Section {
        self.spec().section
    }

    /// Whether the command changes the fleet (refused in read-only mode).
    pub fn mutates(self) -> bool {
        self.section() == Section::Actions
    }

    pub fn from_name(name: &str) -> Option<Command> {
        SPECS.iter().find(|s| s.name == name).map(|s| s.command)
    }
}

/// A key with its modifiers, normalised so `G` and `shift-g` are the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Self {
        let mut modifiers = modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // The character already says whether shift was held.
            KeyCode::Char(c) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(if modifiers.contains(KeyModifiers::CONTROL) {
                    c.to_ascii_lowercase()
                } else {
                    c
                })
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, modifiers }
    }

    pub fn plain(c: char) -> Self {
        Key::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    pub fn ctrl(c: char) -> Self {
        Key::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    pub fn from_event(event: &KeyEvent) -> Self {
        Key::new(event.code, event.modifiers)
    }

    /// Parse `ctrl-r`, `shift-tab`, `G`, `esc`, `enter`, `pgdn`, `f1`, `?`.
    pub fn parse(text: &str) -> Result<Key, String> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (prefix_len, modifier) = if lower.starts_with("ctrl-") {
                (5, KeyModifiers::CONTROL)
            } else if lower.starts_with("alt-") {
                (4, KeyModifiers::ALT)
            } else if lower.starts_with("shift-") && rest.len() > 6 {
                (6, KeyModifiers::SHIFT)
            } else {
                break;
            };
            modifiers |= modifier;
            rest = &rest[prefix_len..];
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "esc" | "escape" => KeyCode::Esc,
            "enter" | "return" => KeyCode::Enter,
            "tab" if modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) => {
                KeyCode::F(f[1..].parse().expect("checked"))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        let c = if modifiers.contains(KeyModifiers::SHIFT) {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        };
                        KeyCode::Char(c)
                    }
                    _ => {
                        return Err(format!(
                            "`{text}` is not a key: try `q`, `G`, `ctrl-r`, `shift-tab`, `enter`, `f5`"
                        ));
                    }
                }
            }
        };
        Ok(Key::new(code, modifiers))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            write!(f, "ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            write!(f, "alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            write!(f, "shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => write!(f, "space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Esc => write!(f, "esc"),
            KeyCode::Enter => write!(f, "enter"),
            KeyCode::Tab => write!(f, "tab"),
            KeyCode::BackTab => write!(f, "shift-tab"),
            KeyCode::Up => write!(f, "↑"),
            KeyCode::Down => write!(f, "↓"),
            KeyCode::Left => write!(f, "←"),
            KeyCode::Right => write!(f, "→"),
            KeyCode::Home => write!(f, "home"),
            KeyCode::End => write!(f, "end"),
            KeyCode::PageUp => write!(f, "pgup"),
            KeyCode::PageDown => write!(f, "pgdn"),
            KeyCode::Backspace => write!(f, "backspace"),
            KeyCode::Delete => write!(f, "del"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(Key, Command)>,
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = SPECS
            .iter()
            .flat_map(|s| {
                s.keys
                    .iter()
                    .map(move |k| (Key::parse(k).expect("default keys parse"), s.command))
            })
            .collect();
        Keymap { bindings }
    }
}
impl Keymap {
    pub fn lookup(&self, event: &KeyEvent) -> Option<Command> {
        let key = Key::from_event(event);
        if key == Key::ctrl('c') {
            // Always a way out, whatever the remapping.
            return Some(Command::Quit);
        }
        self.bindings.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
    }

    /// The keys bound to a command, in binding order.
    pub fn keys_for(&self, command: Command) -> Vec<Key> {
        self.bindings
            .iter()
            .filter(|(_, c)| *c == command)
            .map(|(k, _)| *k)
            .collect()
    }

    /// The first key of a command as text, for hints.
    pub fn key_label(&self, command: Command) -> Option<String> {
        self.keys_for(command).first().map(|k| k.to_string())
    }

    /// Bind `keys` to `command` in place of its current keys; a key taken by another
    /// command moves to this one.
    pub fn rebind(&mut self, command: Command, keys: &[Key]) {
        self.bindings.retain(|(k, c)| *c != command && !keys.contains(k));
        self.bindings.extend(keys.iter().map(|k| (*k, command)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_parse_and_print_back() {
        for text in [
            "q",
            "G",
            "ctrl-r",
            "shift-tab",
            "enter",
            "esc",
            "pgdn",
            "f5",
            "?",
            "space",
            "alt-x",
        ] {
            let key = Key::parse(text).unwrap();
            assert_eq!(Key::parse(&key.to_string()).unwrap(), key, "{text}");
        }
        assert_eq!(Key::parse("shift-g").unwrap(), Key::parse("G").unwrap());
        assert!(Key::parse("ctrl-").is_err());
        assert!(Key::parse("hyper-q").is_err());
        assert!(Key::parse("f13").is_err());
    }

    #[test]
    fn terminal_events_find_their_commands() {
        let map = Keymap::default();
        assert_eq!(
            map.lookup(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Command::Bottom)
        );
        assert_eq!(
            map.lookup(&ev(KeyCode::Char('g'), KeyModifiers::NONE)),
            Some(Command::Top)
        );
        assert_eq!(
            map.lookup(&ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Command::PrevPane)
        );
        assert_eq!(
            map.lookup(&ev(KeyCode::Char('r'), KeyModifiers::CONTROL)),
            Some(Command::Refresh)
        );
        assert_eq!(
            map.lookup(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Command::Quit)
        );
        assert_eq!(map.lookup(&ev(KeyCode::Char('z'), KeyModifiers::NONE)), None);
    }

    #[test]
    fn every_command_has_one_row() {
        use std::collections::HashSet;
        let names: HashSet<&str> = SPECS.iter().map(|s| s.name).collect();
        assert_eq!(names.len(), SPECS.len(), "names are unique");
        let commands: HashSet<Command> = Command::all().collect();
        assert_eq!(commands.len(), SPECS.len(), "one row per command");
        // Every variant of the enum: a new one without a row fails here.
        let last = Command::Compare;
        assert!(commands.contains(&last));
        assert_eq!(
            commands.len(),
            51,
            "a new command needs its row in SPECS, and this count"
        );
    }

    #[test]
    fn every_command_has_a_default_key() {
        let map = Keymap::default();
        for command in Command::all() {
            assert!(!map.keys_for(command).is_empty(), "{command:?} has no key");
            assert_eq!(Command::from_name(command.name()), Some(command));
        }
    }

    #[test]
    fn rebinding_moves_a_key() {
        let mut map = Keymap::default();
        map.rebind(Command::Quit, &[Key::plain('x')]);
        assert_eq!(
            map.lookup(&ev(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some(Command::Quit)
        );
        assert_eq!(map.lookup(&ev(KeyCode::Char('q'), KeyModifiers::NONE)), None);
        map.rebind(Command::Help, &[Key::plain('j')]);
        assert_eq!(
            map.lookup(&ev(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Command::Help)
        );
        assert_eq!(map.keys_for(Command::Down), vec![Key::parse("down").unwrap()]);
    }
}
