//! What goes into `update`, and what comes out.

use jiff::Timestamp;

use crate::domain::fetch::{DataEvent, Scope};
use crate::ui::keymap::Command;

/// Editing keys while typing a filter or a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Char(char),
    Backspace,
    DeleteWord,
    Left,
    Right,
    Submit,
    Cancel,
    Complete,
    Up,
    Down,
}

#[derive(Debug)]
pub enum Action {
    Command(Command),
    Input(Input),
    Data(DataEvent),
    /// The clock moved: ages and "stopped in the last hour" change.
    Tick(Timestamp),
    Resize,
    /// API calls the backend made in the last minute.
    Calls(u32),
    /// The executor's answer to an action.
    OpDone(crate::domain::op::OpOutcome),
    /// A shell ended (how), or could not open (why).
    SessionEnded {
        request: Box<crate::domain::session::Request>,
        result: Result<String, String>,
    },
    /// A forward started, moved bytes, or stopped.
    Forward(crate::domain::session::ForwardEvent),
    Mouse(Mouse),
}

/// A mouse event bosun acts on, at a cell of the screen (0-based column and row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mouse {
    /// The left button went down: select the row (and focus the pane) under it.
    Click { column: u16, row: u16 },
    /// The wheel turned: `lines` up (negative) or down, over this cell.
    Scroll { column: u16, row: u16, lines: i64 },
}

/// What `update` asks the loop to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Something visible changed: draw a frame.
    Render,
    Quit,
    /// What is on screen changed: tell the scheduler.
    SetScope(Scope),
    /// Refresh what is on screen now.
    Refresh,
    /// Send an action to the executor.
    Exec(Box<crate::domain::op::OpRequest>),
    /// Put text on the terminal's clipboard (OSC 52).
    Copy(String),
    /// Open a shell (the terminal handed over) or start a forward.
    Session(Box<crate::domain::session::Request>),
    /// Stop a forward, by id.
    StopForward(u64),
    /// Show text in `$PAGER`, the terminal handed over (a raw resource).
    Page(String),
}
