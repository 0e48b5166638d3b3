//! The app loop: one `tokio::select!` over terminal input, data from the sources and a
//! slow clock. It is the only place the store is mutated (through [`update`]), and it draws
//! only when something changed.

pub mod act;
pub mod action;
pub mod handover;
pub mod headless;
pub mod mouse;
pub mod session;
pub mod update;

use std::time::Duration;

use anyhow::Result;
use futures::StreamExt;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use tokio::sync::{mpsc, watch};

pub use action::{Action, Effect, Input, Mouse};
pub use update::update;

use crate::domain::fetch::Scope;
use crate::domain::session::Kind;
use crate::ops::executor::Executor;
use crate::source::SharedBackend;
use crate::source::scheduler::{Control, Intervals, Scheduler};
use crate::store::Store;
use crate::store::ui::Mode;
use crate::ui::keymap::Keymap;
use crate::ui::theme::Theme;

/// Ages are shown to the minute: a clock tick this often keeps them honest without
/// redrawing an idle screen every second.
const CLOCK: Duration = Duration::from_secs(30);

/// When the process started, set first thing by `main`: the log says how long the first
/// frame took from there.
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

pub struct App {
    pub store: Store,
    pub theme: Theme,
    pub keymap: Keymap,
    pub backend: SharedBackend,
    pub intervals: Intervals,
    /// Where actions go, behind the guard and the audit log.
    pub executor: Executor,
    /// Where shells and forwards are opened.
    pub sessions: std::sync::Arc<dyn crate::ops::session::Sessions>,
    /// Whether mouse reporting is on (off while the terminal is handed over).
    pub mouse: bool,
}

/// Turn a key press into an action, by mode: the keymap in normal mode, editing keys
/// while typing.
pub fn translate(mode: Mode, keymap: &Keymap, key: &KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match mode {
        Mode::Normal | Mode::Help => keymap.lookup(key).map(Action::Command),
        Mode::Filter | Mode::Command | Mode::Dialog => {
            let input = match key.code {
                KeyCode::Char('c') if ctrl => return keymap.lookup(key).map(Action::Command),
                KeyCode::Char('w') if ctrl => Input::DeleteWord,
                KeyCode::Char('u') if ctrl => Input::Cancel,
                KeyCode::Char(c) if !ctrl => Input::Char(c),
                KeyCode::Backspace => Input::Backspace,
                KeyCode::Left => Input::Left,
                KeyCode::Right => Input::Right,
                KeyCode::Enter => Input::Submit,
                KeyCode::Esc => Input::Cancel,
                KeyCode::Tab => Input::Complete,
                KeyCode::Up => Input::Up,
                KeyCode::Down => Input::Down,
                _ => return None,
            };
            Some(Action::Input(input))
        }
    }
}

/// The mouse events bosun acts on: left clicks and the wheel.
pub fn translate_mouse(event: &MouseEvent) -> Option<Mouse> {
    let (column, row) = (event.column, event.row);
    match event.kind {
        MouseEventKind::Down(MouseButton::Left) => Some(Mouse::Click { column, row }),
        MouseEventKind::ScrollUp => Some(Mouse::Scroll {
            column,
            row,
            lines: -mouse::WHEEL_LINES,
        }),
        MouseEventKind::ScrollDown => Some(Mouse::Scroll {
            column,
            row,
            lines: mouse::WHEEL_LINES,
        }),
        _ => None,
    }
}

/// Mouse reporting on while alive: clicks and the wheel only (no motion events, which
/// would flood a slow ssh link), in SGR encoding; off again when dropped, and before a
/// panic message is printed.
pub struct MouseCapture(());

/// X10-compatible button reports (1000) in SGR encoding (1006).
pub(crate) const MOUSE_ON: &str = "\x1b[?1000h\x1b[?1006h";
pub(crate) const MOUSE_OFF: &str = "\x1b[?1006l\x1b[?1000l";

impl MouseCapture {
    pub fn enable() -> std::io::Result<MouseCapture> {
        use std::io::Write as _;
        let mut out = std::io::stdout();
        out.write_all(MOUSE_ON.as_bytes())?;
        out.flush()?;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            disable_mouse();
            previous(info);
        }));
        Ok(MouseCapture(()))
    }
}

fn disable_mouse() {
    use std::io::Write as _;
    let mut out = std::io::stdout();
    let _ = out.write_all(MOUSE_OFF.as_bytes()).and_then(|()| out.flush());
}

impl Drop for MouseCapture {
    fn drop(&mut self) {
        disable_mouse();
    }
}

impl App {
    /// Run until the user quits. The terminal is set up and restored by the caller.
    pub async fn run(mut self, terminal: &mut DefaultTerminal) -> Result<Store> {
        let (data_tx, mut data_rx) = mpsc::channel(256);
        let (scope_tx, scope_rx) = watch::channel(Scope::default());
        let (control_tx, control_rx) = mpsc::channel(8);
        let scheduler = Scheduler::new(self.backend.clone(), self.intervals);
        let scheduler = tokio::spawn(scheduler.run(scope_rx, control_rx, data_tx));
        // Actions are few and each one matters: an unbounded queue never drops one.
        let (op_tx, op_rx) = mpsc::unbounded_channel();
        let (outcome_tx, mut outcome_rx) = mpsc::channel(16);
        let audit = self.executor.audit();
        let executor = tokio::spawn(self.executor.run(op_rx, outcome_tx));
        let (forward_tx, mut forward_rx) = mpsc::channel(64);
        let mut forwards = Forwards {
            running: Default::default(),
            audit: audit.clone(),
        };

        let mut events = Some(EventStream::new());
        let mut clock = tokio::time::interval(CLOCK);
        clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        clock.tick().await;
        let mut signals = Signals::new()?;

        // The first frame, before any data: the layout and "loading…".
        self.store.now = self.backend.now();
        let mut effects = update(&mut self.store, Action::Resize);
        let mut frames = 0u64;
        let mut data_shown = false;
        'outer: loop {
            let mut render = false;
            while !effects.is_empty() {
                for effect in std::mem::take(&mut effects) {
                    match effect {
                        Effect::Render => render = true,
                        Effect::Quit => break 'outer,
                        Effect::SetScope(scope) => {
                            scope_tx.send_replace(scope);
                        }
                        Effect::Refresh => {
                            // A full channel means a refresh is already queued.
                            let _ = control_tx.try_send(Control::RefreshNow);
                        }
                        Effect::Exec(request) => {
                            if op_tx.send(*request).is_err() {
                                tracing::error!("the executor is gone: action not sent");
                            }
                        }
                        Effect::Copy(text) => {
                            use std::io::Write as _;
                            let backend = terminal.backend_mut();
                            let sequence = crate::util::console::osc52(&text);
                            if let Err(error) = backend.write_all(sequence.as_bytes()).and_then(|()| backend.flush()) {
                                tracing::warn!(%error, "cannot write to the terminal's clipboard");
                            }
                        }
                        Effect::Session(request) => match &request.kind {
                            Kind::Shell { command } => {
                                // Nothing else reads the keyboard while the shell has it.
                                drop(events.take());
                                let command = command.clone();
                                let mut away = Away {
                                    store: &mut self.store,
                                    data: &mut data_rx,
                                    forwards: &mut forward_rx,
                                };
                                let result = session::shell(
                                    self.sessions.as_ref(),
                                    terminal,
                                    self.mouse,
                                    &request,
                                    &command,
                                    audit.as_deref(),
                                    &mut away,
                                )
                                .await;
                                events = Some(EventStream::new());
                                effects.extend(update(&mut self.store, Action::SessionEnded { request, result }));
                            }
                            Kind::Forward(_) => {
                                forwards.start(self.sessions.clone(), *request, forward_tx.clone());
                            }
                        },
                        Effect::StopForward(id) => forwards.stop(id),
                        Effect::Page(text) => {
                            drop(events.take());
                            let mut away = Away {
                                store: &mut self.store,
                                data: &mut data_rx,
                                forwards: &mut forward_rx,
                            };
                            let result = session::page(terminal, self.mouse, &text, &mut away).await;
                            events = Some(EventStream::new());
                            if let Err(why) = result {
                                self.store.ui.error(why);
                            }
                            effects.push(Effect::Render);
                        }
                    }
                }
            }
            if render {
                self.store.now = self.backend.now();
                terminal.draw(|frame| crate::ui::render(frame, &self.store, &self.theme, &self.keymap))?;
                frames += 1;
                let since_start = STARTED.get().map(|t| t.elapsed().as_secs_f64() * 1000.0);
                tracing::debug!(frames, "frame drawn");
                if frames == 1 {
                    tracing::info!(ms = since_start, "first frame");
                }
                if !data_shown && self.store.fleet.is_loaded() {
                    data_shown = true;
                    tracing::info!(ms = since_start, "first frame with data");
                }
            }
            let keys = events.as_mut().expect("the keyboard is read again once a session ends");
            let action = tokio::select! {
                event = keys.next() => match event {
                    Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                        translate(self.store.ui.mode, &self.keymap, &key)
                    }
                    Some(Ok(Event::Mouse(mouse))) => translate_mouse(&mouse).map(Action::Mouse),
                    Some(Ok(Event::Resize(..))) => Some(Action::Resize),
                    Some(Ok(_)) => None,
                    Some(Err(error)) => return Err(error.into()),
                    None => break,
                },
                Some(data) = data_rx.recv() => Some(Action::Data(data)),
                Some(outcome) = outcome_rx.recv() => Some(Action::OpDone(outcome)),
                Some(event) = forward_rx.recv() => Some(Action::Forward(event)),
                _ = clock.tick() => Some(Action::Tick(self.backend.now())),
                _ = signals.recv() => break,
            };
            if let Some(action) = action {
                self.store.now = self.backend.now();
                effects = update(&mut self.store, action);
            }
            // Collapse a burst of data into one frame.
            while let Ok(data) = data_rx.try_recv() {
                effects.extend(update(&mut self.store, Action::Data(data)));
            }
            if let Some(calls) = self.backend.calls_last_minute()
                && self.store.calls_per_minute != Some(calls)
            {
                effects.extend(update(&mut self.store, Action::Calls(calls)));
            }
        }
        scheduler.abort();
        // Forwards stop with bosun; each end is recorded. A plugin asked to stop is given a
        // moment to end its SSM session before the runtime goes.
        if forwards.stop_all() > 0 {
            tokio::time::sleep(Duration::from_millis(800)).await;
        }
        // An action already sent is left to finish: its outcome lands in the audit log.
        drop(op_tx);
        let _ = tokio::time::timeout(Duration::from_secs(5), executor).await;
        Ok(self.store)
    }
}

/// What keeps going while the terminal is handed over: data and forwards still land in the
/// store, so the screen is current when bosun takes the terminal back.
pub struct Away<'a> {
    pub store: &'a mut Store,
    pub data: &'a mut mpsc::Receiver<crate::domain::fetch::DataEvent>,
    pub forwards: &'a mut mpsc::Receiver<crate::domain::session::ForwardEvent>,
}

impl Away<'_> {
    /// Take in whatever arrives, until `until` ends.
    pub async fn meanwhile<F: std::future::Future>(&mut self, until: F) -> F::Output {
        tokio::pin!(until);
        loop {
            tokio::select! {
                out = &mut until => return out,
                Some(data) = self.data.recv() => {
                    update(self.store, Action::Data(data));
                }
                Some(event) = self.forwards.recv() => {
                    update(self.store, Action::Forward(event));
                }
            }
        }
    }
}

/// The forwards running, by id.
struct Forwards {
    running: std::collections::HashMap<u64, (tokio::task::JoinHandle<()>, crate::domain::session::Request)>,
    audit: Option<std::sync::Arc<crate::ops::audit::Audit>>,
}

impl Forwards {
    fn start(
        &mut self,
        sessions: std::sync::Arc<dyn crate::ops::session::Sessions>,
        request: crate::domain::session::Request,
        events: mpsc::Sender<crate::domain::session::ForwardEvent>,
    ) {
        let id = request.id;
        let task = tokio::spawn(session::forward(sessions, request.clone(), self.audit.clone(), events));
        self.running.insert(id, (task, request));
    }

    fn stop(&mut self, id: u64) {
        if let Some((task, request)) = self.running.remove(&id) {
            let was_running = !task.is_finished();
            task.abort();
            if was_running {
                session::record(self.audit.as_deref(), &request, "ended", "stopped");
            }
        }
    }

    /// Stop every forward; how many there were.
    fn stop_all(&mut self) -> usize {
        let ids: Vec<u64> = self.running.keys().copied().collect();
        for &id in &ids {
            self.stop(id);
        }
        ids.len()
    }
}

/// SIGTERM and SIGHUP (an ssh session that drops) end bosun as `q` would.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                hup: signal(SignalKind::hangup())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hup.recv() => {}
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}
