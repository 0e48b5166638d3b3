//! Shared helpers for the integration tests: a demo store at a fixed time, key presses,
//! and rendering to a string.
#![allow(dead_code)]

pub mod servers;

use bosun::app::{Action, Effect, Input, update};
use bosun::source::Backend;
use bosun::source::sim::SimBackend;
use bosun::store::{Context, Store};
use bosun::ui::keymap::{Command, Keymap};
use bosun::ui::theme::Theme;
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The moment every fixed-time test world is shown at.
pub fn at() -> Timestamp {
    "2026-11-02T09:30:00Z".parse().unwrap()
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

pub fn context(backend: &dyn Backend) -> Context {
    bosun::app::headless::context(backend, 5, true)
}

/// A store holding everything the demo fleet (seed 7) shows at [`at`].
pub fn demo_store() -> Store {
    let backend = SimBackend::fixed(7, at());
    runtime().block_on(bosun::app::headless::load(&backend, context(&backend)))
}

/// Fetch what the current screen asks for, as the scheduler would, from the same
/// fixed-time world [`demo_store`] shows.
pub fn follow_scope(store: &mut Store) {
    let backend = SimBackend::fixed(7, at());
    runtime().block_on(bosun::app::headless::follow_scope(store, &backend));
}

pub fn press(store: &mut Store, command: Command) -> Vec<Effect> {
    update(store, Action::Command(command))
}

/// Type text into the filter or command line, then enter.
pub fn type_line(store: &mut Store, opener: Command, text: &str) -> Vec<Effect> {
    press(store, opener);
    for c in text.chars() {
        update(store, Action::Input(Input::Char(c)));
    }
    update(store, Action::Input(Input::Submit))
}

pub fn render(store: &Store, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| bosun::ui::render(frame, store, &Theme::default(), &Keymap::default()))
        .unwrap();
    terminal.backend().to_string()
}

/// The screen as plain lines, for asserting on what a person would read.
pub fn screen(store: &Store, width: u16, height: u16) -> String {
    render(store, width, height)
        .lines()
        .map(|l| l.trim_matches('"').trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The actions `effects` send: what a key or an answer sent to the executor.
pub fn sent(effects: Vec<Effect>) -> Vec<bosun::domain::op::Op> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Exec(r) => Some(r.op),
            _ => None,
        })
        .collect()
}
