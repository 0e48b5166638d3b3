//! Drawing: `render(&Store, ..)` paints the screen from the store and nothing else. No
//! I/O, no clock reads: the time is `store.now`. The header and the status bar are the
//! same on every screen; the body is the screen's own (`screens`, one module each).

pub mod colors;
pub mod commands;
pub mod keymap;
pub mod report;
pub mod screen;
pub mod screens;
pub mod theme;
pub mod widgets;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

use crate::store::Store;
use crate::store::ui::{Level, Mode};
use crate::ui::keymap::{Command, Keymap};
use crate::ui::screen::Freshness;
use crate::util::fmt_age;
use theme::Theme;

/// The smallest terminal bosun draws in.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 8;

/// Draw the whole screen.
pub fn render(frame: &mut Frame<'_>, store: &Store, theme: &Theme, keymap: &Keymap) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(buf, area, theme);
        return;
    }
    let [header_area, body, status_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    header(buf, header_area, store, theme);
    let page = store.ui.page();
    screens::get(page.route.screen).render(buf, body, store, page, theme);
    if store.ui.mode == Mode::Help {
        widgets::help::render(buf, body, store.ui.help_offset, keymap, theme);
    }
    let mut cursor = status_bar(buf, status_area, store, theme, keymap);
    if let (Mode::Dialog, Some(d)) = (store.ui.mode, &store.ui.dialog) {
        cursor = widgets::dialog::render(buf, body, store, d, theme).map(|(x, y)| Position::new(x, y));
    }
    if let Some(cursor) = cursor {
        frame.set_cursor_position(cursor);
    }
}

fn too_small(buf: &mut Buffer, area: Rect, theme: &Theme) {
    let text = format!(
        "terminal too small ({}x{}): bosun needs {MIN_WIDTH}x{MIN_HEIGHT}",
        area.width, area.height
    );
    Paragraph::new(text)
        .style(theme.status_warn)
        .wrap(ratatui::widgets::Wrap { trim: true })
        .render(area, buf);
}

/// Where the header says we are: region / cluster / service / task, as the screen says.
pub fn breadcrumb(store: &Store) -> Vec<String> {
    let route = store.ui.route();
    screens::get(route.screen).crumbs(store, route)
}

fn header(buf: &mut Buffer, area: Rect, store: &Store, theme: &Theme) {
    buf.set_style(area, theme.header);
    let sep = Span::styled(" │ ", theme.header);
    let (who, identity_failed, principal) = who(store);
    let crumbs = breadcrumb(store).join(" › ");
    let mut badges = Vec::new();
    if store.context.read_only {
        badges.push(Span::styled(" READ-ONLY ", theme.badge));
    } else if let Some(account) = viewed_account(store)
        && store.settings.read_only_accounts.contains_key(&account.name)
    {
        // Inside a read-only account of a fleet that is not all read-only.
        badges.push(Span::styled(" READ-ONLY ", theme.badge));
    }
    if store.context.demo {
        badges.push(Span::styled(" DEMO ", theme.badge));
    }
    let badge_width: usize = badges.iter().map(|b| b.width()).sum::<usize>() + badges.len().saturating_sub(1);
    // Whole segments, most important kept: never a word cut in half.
    let short_who = who.split(" · ").next().unwrap_or_default().to_string();
    let candidates = [
        vec![
            " bosun".to_string(),
            format!("{who} · {}", principal.clone().unwrap_or_default()),
            crumbs.clone(),
        ],
        vec![" bosun".to_string(), who.clone(), crumbs.clone()],
        vec![" bosun".to_string(), short_who, crumbs.clone()],
        vec![" bosun".to_string(), crumbs.clone()],
        vec![crumbs.clone()],
    ];
    let width = (area.width as usize).saturating_sub(badge_width + 2);
    let chosen = candidates
        .iter()
        .filter(|parts| principal.is_some() || parts.get(1).is_none_or(|p| !p.ends_with(" · ")))
        .find(|parts| parts.iter().map(|p| p.width()).sum::<usize>() + 3 * (parts.len() - 1) <= width)
        .cloned()
        .unwrap_or_else(|| vec![crate::util::ellipsize(&crumbs, width).into_owned()]);
    let mut spans = Vec::new();
    for (i, part) in chosen.iter().enumerate() {
        if i > 0 {
            spans.push(sep.clone());
        }
        let style = if part == " bosun" {
            theme.header_accent
        } else if identity_failed && *part == who {
            theme.header.patch(theme.status_err)
        } else {
            theme.header
        };
        spans.push(Span::styled(part.clone(), style));
    }
    Line::from(spans).render(area, buf);
    let mut x = area.right().saturating_sub(badge_width as u16);
    for badge in badges {
        buf.set_span(x, area.y, &badge, badge.width() as u16);
        x += badge.width() as u16 + 1;
    }
}

/// The account the screen is in: the one its route names (inside a cluster), else the
/// one the fleet is narrowed to, else the only one.
fn viewed_account(store: &Store) -> Option<&crate::domain::account::Account> {
    let route = store.ui.route();
    let by_route = route
        .account
        .as_deref()
        .or_else(|| route.cluster.as_deref().map(|c| store.account_name_of(c)))
        .filter(|a| !a.is_empty());
    match by_route.or(store.account_scope.as_deref()) {
        Some(name) => store.account(name),
        None => match store.context.accounts.as_slice() {
            [only] => Some(only),
            _ => None,
        },
    }
}

/// Who bosun is talking to, for the header: an account's name, id and principal when the
/// screen is in one; else how many accounts answered (`accounts 7/8`). With whether its
/// credentials failed, and the principal alone.
fn who(store: &Store) -> (String, bool, Option<String>) {
    if let Some(account) = viewed_account(store) {
        let identity = store.identity(&account.name);
        let failed = store.identities.get(&account.name).is_some_and(|c| c.error.is_some());
        let who = match identity {
            Some(i) => format!("{} · {}", account.name, i.account),
            None if failed => format!("{} · credentials failed", account.name),
            None => account.name.clone(),
        };
        let principal = identity.map(|i| crate::util::principal(&i.arn).to_string());
        return (who, failed, principal);
    }
    let total = store.context.accounts.len();
    let answered = store
        .context
        .accounts
        .iter()
        .filter(|a| store.identity(&a.name).is_some())
        .count();
    let failed = store
        .context
        .accounts
        .iter()
        .any(|a| store.identities.get(&a.name).is_some_and(|c| c.error.is_some()));
    (format!("accounts {answered}/{total}"), failed, None)
}

/// How fresh the data on screen is.
fn freshness(store: &Store) -> (String, bool) {
    let page = store.ui.page();
    let Freshness {
        at: fetched,
        failing: error,
    } = screens::get(page.route.screen).freshness(store, page);
    let refresh = store.context.refresh_secs.max(1) as i64;
    match fetched {
        None if error => ("✗ no data".into(), true),
        None => ("○ loading".into(), false),
        Some(at) => {
            let age = crate::util::secs_between(at, store.now);
            if error {
                (format!("✗ data {} old", fmt_age(at, store.now)), true)
            } else if age <= (2 * refresh).max(15) {
                (format!("● live · {refresh}s"), false)
            } else {
                (format!("◌ data {} old", fmt_age(at, store.now)), true)
            }
        }
    }
}

/// The bottom line: input while typing, else a message or key hints, and freshness.
/// Returns where the terminal cursor goes, if it shows.
fn status_bar(buf: &mut Buffer, area: Rect, store: &Store, theme: &Theme, keymap: &Keymap) -> Option<Position> {
    let ui = &store.ui;
    match ui.mode {
        Mode::Filter | Mode::Command => {
            let prompt = if ui.mode == Mode::Filter { "/" } else { ":" };
            let mut spans = vec![
                Span::styled(prompt, theme.key),
                Span::styled(ui.input.text.clone(), theme.input),
            ];
            if ui.mode == Mode::Command
                && let Some(hint) = commands::completion_hint(&ui.input.text, store)
            {
                spans.push(Span::styled(hint, theme.muted));
            }
            Line::from(spans).render(area, buf);
            let before: String = ui.input.text.chars().take(ui.input.cursor).collect();
            let x = area.x + 1 + before.width() as u16;
            return Some(Position::new(x.min(area.right().saturating_sub(1)), area.y));
        }
        Mode::Normal | Mode::Help | Mode::Dialog => {}
    }
    let (mut fresh, bad) = freshness(store);
    if let Some(calls) = store.calls_per_minute {
        fresh = format!("{calls} calls/min · {fresh}");
    }
    let fresh_style = if bad { theme.status_warn } else { theme.muted };
    let fresh_width = fresh.width() as u16 + 1;
    let left = Rect {
        width: area.width.saturating_sub(fresh_width + 1),
        ..area
    };
    let following = store.follow_line();
    match &ui.message {
        None if following.is_some() => {
            let text = crate::util::ellipsize(following.as_deref().unwrap_or_default(), left.width as usize);
            buf.set_stringn(left.x, left.y, text.as_ref(), left.width as usize, theme.status_info);
        }
        Some(message) => {
            let style = match message.level {
                Level::Info => theme.status_info,
                Level::Error => theme.status_err,
            };
            let text = crate::util::ellipsize(&message.text, left.width as usize);
            buf.set_stringn(left.x, left.y, text.as_ref(), left.width as usize, style);
        }
        None => {
            let mut spans = Vec::new();
            let screen = screens::get(ui.route().screen);
            let commands = match ui.mode {
                Mode::Help | Mode::Dialog => &[Command::Back][..],
                _ => screen.hints(),
            };
            for &command in commands {
                let Some(key) = keymap.key_label(command) else {
                    continue;
                };
                spans.push(Span::styled(format!("<{key}>"), theme.key));
                spans.push(Span::styled(
                    format!(" {} ", screen.hint_label(command).unwrap_or(command.hint())),
                    theme.muted,
                ));
            }
            // Drop hints from the end rather than cutting one in half.
            while !spans.is_empty() && spans.iter().map(|s| s.width()).sum::<usize>() > left.width as usize {
                spans.truncate(spans.len() - 2);
            }
            Line::from(spans).render(left, buf);
        }
    }
    let x = area.right().saturating_sub(fresh_width);
    buf.set_stringn(x, area.y, &fresh, fresh_width as usize, fresh_style);
    None
}
