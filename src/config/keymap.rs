//! The keymap: which key runs which command. Help and the status bar hints are generated
//! from it, so they always tell the truth.

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
    // Actions: capitals, so a stray key never changes the fleet.
    Scale,
    Redeploy,
    Rollback,
    Revision,
    StopTask,
    RunTask,
    Drain,
    ScalingLimits,
    // Views one key away from a service or task.
    Metrics,
    Autoscaling,
    Targets,
    TaskDefinition,
    Logs,
    Images,
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

impl Command {
    pub const ALL: &'static [Command] = &[
        Command::Help,
        Command::CommandLine,
        Command::Refresh,
        Command::CopyArn,
        Command::CopyUrl,
        Command::Quit,
        Command::Open,
        Command::Back,
        Command::Up,
        Command::Down,
        Command::PageUp,
        Command::PageDown,
        Command::Top,
        Command::Bottom,
        Command::Filter,
        Command::SortNext,
        Command::SortPrev,
        Command::SortInvert,
        Command::NextPane,
        Command::PrevPane,
        Command::ToggleStopped,
        Command::Metrics,
        Command::Autoscaling,
        Command::Targets,
        Command::TaskDefinition,
        Command::Logs,
        Command::Images,
        Command::Window1h,
        Command::Window3h,
        Command::Window24h,
        Command::Window7d,
        Command::Pause,
        Command::Reveal,
        Command::Compare,
        Command::Scale,
        Command::Redeploy,
        Command::Rollback,
        Command::Revision,
        Command::StopTask,
        Command::RunTask,
        Command::Drain,
        Command::ScalingLimits,
    ];

    /// The name used in the config file's `[keys]` table.
    pub fn name(self) -> &'static str {
        match self {
            Command::Quit => "quit",
            Command::Back => "back",
            Command::Open => "open",
            Command::Up => "up",
            Command::Down => "down",
            Command::PageUp => "page_up",
            Command::PageDown => "page_down",
            Command::Top => "top",
            Command::Bottom => "bottom",
            Command::Filter => "filter",
            Command::CommandLine => "command",
            Command::Help => "help",
            Command::SortNext => "sort_next",
            Command::SortPrev => "sort_prev",
            Command::SortInvert => "sort_invert",
            Command::NextPane => "next_pane",
            Command::PrevPane => "prev_pane",
            Command::ToggleStopped => "toggle_stopped",
            Command::Refresh => "refresh",
            Command::CopyArn => "copy_arn",
            Command::CopyUrl => "copy_url",
            Command::Scale => "scale",
            Command::Redeploy => "redeploy",
            Command::Rollback => "rollback",
            Command::Revision => "revision",
            Command::StopTask => "stop_task",
            Command::RunTask => "run_task",
            Command::Drain => "drain",
            Command::ScalingLimits => "scaling_limits",
            Command::Metrics => "metrics",
            Command::Autoscaling => "autoscaling",
            Command::Targets => "targets",
            Command::TaskDefinition => "task_definition",
            Command::Logs => "logs",
            Command::Images => "images",
            Command::Window1h => "window_1h",
            Command::Window3h => "window_3h",
            Command::Window24h => "window_24h",
            Command::Window7d => "window_7d",
            Command::Pause => "pause",
            Command::Reveal => "reveal",
            Command::Compare => "compare",
        }
    }

    /// Whether the command changes the fleet (refused in read-only mode).
    pub fn mutates(self) -> bool {
        self.section() == Section::Actions
    }

    pub fn from_name(name: &str) -> Option<Command> {
        Command::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// What it does, for help.
    pub fn help(self) -> &'static str {
        match self {
            Command::Quit => "quit bosun",
            Command::Back => "back; clear the filter first",
            Command::Open => "open the selection",
            Command::Up => "move up",
            Command::Down => "move down",
            Command::PageUp => "page up",
            Command::PageDown => "page down",
            Command::Top => "go to the first row",
            Command::Bottom => "go to the last row",
            Command::Filter => "filter: words, column:value, !not",
            Command::CommandLine => "command line (:fleet, :svc NAME, :tasks, :q)",
            Command::Help => "this help",
            Command::SortNext => "sort by the next column",
            Command::SortPrev => "sort by the previous column",
            Command::SortInvert => "invert the sort order",
            Command::NextPane => "focus the next pane",
            Command::PrevPane => "focus the previous pane",
            Command::ToggleStopped => "tasks: show stopped / running; pod logs: the previous run",
            Command::Refresh => "refresh what is on screen now",
            Command::CopyArn => "copy the selection's ARN or ID to the clipboard",
            Command::CopyUrl => "show and copy the selection's AWS console URL",
            Command::Scale => "service, deployment: set the count; node group: min / desired / max",
            Command::Redeploy => "service: force a new deployment; deployment: rollout restart",
            Command::Rollback => "service: roll back to the previous revision",
            Command::Revision => "service: deploy another task definition revision",
            Command::StopTask => "task: stop it; pod: delete it (its controller replaces it)",
            Command::RunTask => "service: run a one-off task like it",
            Command::Drain => "instance: drain / activate; node: cordon / uncordon",
            Command::ScalingLimits => "service: autoscaling min / max",
            Command::Metrics => "charts: CPU, memory, requests, 5xx, latency, queue",
            Command::Autoscaling => "autoscaling: range, policies, schedule, activity",
            Command::Targets => "load balancer targets and their health",
            Command::TaskDefinition => "the task definition (c: diff with the previous)",
            Command::Logs => "a container's log (awslogs, or a pod's)",
            Command::Images => "ECR images: tags, push time, scan findings",
            Command::Window1h => "charts: the last hour",
            Command::Window3h => "charts: the last 3 hours",
            Command::Window24h => "charts: the last day",
            Command::Window7d => "charts: the last week",
            Command::Pause => "logs: pause / follow",
            Command::Reveal => "task definition: show / mask environment values",
            Command::Compare => "task definition: diff with the previous revision",
        }
    }

    /// A short label for the status bar hints.
    pub fn hint(self) -> &'static str {
        match self {
            Command::Quit => "quit",
            Command::Back => "back",
            Command::Open => "open",
            Command::Filter => "filter",
            Command::CommandLine => "cmd",
            Command::Help => "help",
            Command::NextPane => "pane",
            Command::ToggleStopped => "stopped",
            Command::SortNext => "sort",
            Command::Refresh => "refresh",
            Command::CopyArn => "copy",
            Command::CopyUrl => "console",
            Command::TaskDefinition => "taskdef",
            Command::Window1h => "1h",
            Command::Window3h => "3h",
            Command::Window24h => "24h",
            Command::Window7d => "7d",
            Command::Pause => "pause",
            Command::Reveal => "reveal",
            Command::Compare => "diff",
            _ => self.name(),
        }
    }

    pub fn section(self) -> Section {
        match self {
            Command::Quit
            | Command::Help
            | Command::CommandLine
            | Command::Refresh
            | Command::CopyArn
            | Command::CopyUrl => Section::General,
            Command::Open
            | Command::Back
            | Command::Up
            | Command::Down
            | Command::PageUp
            | Command::PageDown
            | Command::Top
            | Command::Bottom => Section::Navigation,
            Command::Filter | Command::SortNext | Command::SortPrev | Command::SortInvert => Section::Tables,
            Command::NextPane | Command::PrevPane | Command::ToggleStopped => Section::Views,
            Command::Scale
            | Command::Redeploy
            | Command::Rollback
            | Command::Revision
            | Command::StopTask
            | Command::RunTask
            | Command::Drain
            | Command::ScalingLimits => Section::Actions,
            Command::Metrics
            | Command::Autoscaling
            | Command::Targets
            | Command::TaskDefinition
            | Command::Logs
            | Command::Images
            | Command::Window1h
            | Command::Window3h
            | Command::Window24h
            | Command::Window7d
            | Command::Pause
            | Command::Reveal
            | Command::Compare => Section::Inspect,
        }
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
        use Command::*;
        let table: &[(&str, Command)] = &[
            ("?", Help),
            (":", CommandLine),
            ("ctrl-r", Refresh),
            ("y", CopyArn),
            ("u", CopyUrl),
            ("q", Quit),
            ("enter", Open),
            ("esc", Back),
            ("k", Up),
            ("up", Up),
            ("j", Down),
            ("down", Down),
            ("ctrl-b", PageUp),
            ("pgup", PageUp),
            ("ctrl-f", PageDown),
            ("pgdn", PageDown),
            ("g", Top),
            ("home", Top),
            ("G", Bottom),
            ("end", Bottom),
            ("/", Filter),
            (">", SortNext),
            ("<", SortPrev),
            ("i", SortInvert),
            ("tab", NextPane),
            ("shift-tab", PrevPane),
            ("t", ToggleStopped),
            ("S", Scale),
            ("R", Redeploy),
            ("B", Rollback),
            ("V", Revision),
            ("X", StopTask),
            ("N", RunTask),
            ("D", Drain),
            ("M", ScalingLimits),
            ("m", Metrics),
            ("a", Autoscaling),
            ("b", Targets),
            ("d", TaskDefinition),
            ("l", Logs),
            ("r", Images),
            ("1", Window1h),
            ("2", Window3h),
            ("3", Window24h),
            ("4", Window7d),
            ("p", Pause),
            ("v", Reveal),
            ("c", Compare),
        ];
        Keymap {
            bindings: table
                .iter()
                .map(|(k, c)| (Key::parse(k).expect("default keys parse"), *c))
                .collect(),
        }
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
    fn every_command_has_a_default_key() {
        let map = Keymap::default();
        for &command in Command::ALL {
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
