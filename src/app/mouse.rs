//! The mouse: a click selects the row under it (and focuses its pane), the wheel scrolls
//! the table or text under it. Where the tables are comes from the last frame drawn.

use super::action::Mouse;
use crate::store::Store;
use crate::store::ui::Mode;
use crate::ui::screens;

/// Rows the wheel moves per notch.
pub const WHEEL_LINES: i64 = 3;

pub fn handle(store: &mut Store, mouse: Mouse) {
    match (store.ui.mode, mouse) {
        (Mode::Help, Mouse::Scroll { lines, .. }) => {
            store.ui.help_offset = (store.ui.help_offset as i64 + lines).max(0) as usize;
        }
        (Mode::Help, Mouse::Click { .. }) => store.ui.mode = Mode::Normal,
        (Mode::Normal, Mouse::Click { column, row }) => click(store, column, row),
        (Mode::Normal, Mouse::Scroll { column, row, lines }) => scroll(store, column, row, lines),
        // Typing or answering a dialog: the keyboard has the floor.
        _ => {}
    }
}

/// Focus the pane under (column, row); whether there was one.
fn focus_at(store: &mut Store, column: u16, row: u16) -> bool {
    let page = store.ui.page_mut();
    let hit = page
        .panes
        .iter()
        .position(|p| p.frame_area.get().is_some_and(|a| a.contains(column, row)));
    if let Some(pane) = hit {
        page.focus = pane;
    }
    hit.is_some()
}

fn click(store: &mut Store, column: u16, row: u16) {
    if !focus_at(store, column, row) {
        return;
    }
    let table = store.ui.page_mut().table_mut();
    let Some(body) = table.body_area.get().filter(|b| b.contains(column, row)) else {
        return;
    };
    let position = table.offset.get() + usize::from(row - body.y);
    if position < table.rows.len() {
        table.cursor = position;
        table.touched = true;
    }
}

fn scroll(store: &mut Store, column: u16, row: u16, lines: i64) {
    if screens::current(store).scrolls() {
        super::update::scroll(store, lines);
        return;
    }
    focus_at(store, column, row);
    let table = store.ui.page_mut().table_mut();
    let last = table.rows.len().saturating_sub(1) as i64;
    table.cursor = (table.cursor as i64 + lines).clamp(0, last.max(0)) as usize;
    table.touched = true;
}
