//! A log, drawn: the newest lines followed as they come, or where the user scrolled to;
//! the `/` filter; what was dropped to stay within bounds; the error beside the last lines.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Widget};

use crate::domain::insight::LogLine;
use crate::store::Store;
use crate::store::insight::LogBuffer;
use crate::store::ui::Page;
use crate::ui::keymap::Command;
use crate::ui::screen::Freshness;
use crate::ui::theme::Theme;
use crate::util::ellipsize;

/// A log buffer's key, (group, stream), or why there is none.
pub type Located = Result<(String, String), String>;

/// The lines the view shows: all, or those matching the filter.
pub fn visible<'a>(buffer: &'a LogBuffer, filter: &str) -> Vec<&'a LogLine> {
    let needle = filter.to_lowercase();
    buffer
        .lines
        .iter()
        .filter(|l| needle.is_empty() || l.message.to_lowercase().contains(&needle))
        .collect()
}

/// `p` pauses and resumes following the newest lines.
pub fn key(store: &mut Store, command: Command) -> bool {
    if command != Command::Pause {
        return false;
    }
    let page = store.ui.page_mut();
    page.following = !page.following;
    true
}

/// How fresh a log is.
pub fn freshness(store: &Store, located: &Located) -> Freshness {
    match located {
        Ok((group, stream)) => Freshness::of_read(store.insight.log(group, stream)),
        Err(_) => Freshness::current(store),
    }
}

/// A log screen's body: `heading` on the border, the lines of the buffer `located` names
/// (or why there is none), filtered by the page's `/` filter, followed or paused.
pub fn render(
    buf: &mut Buffer,
    area: Rect,
    store: &Store,
    page: &Page,
    heading: String,
    located: Located,
    theme: &Theme,
) {
    let filter = &page.table().filter;
    let mut title = vec![Span::styled(heading, theme.title)];
    let buffer = located.as_ref().ok().and_then(|(g, s)| store.insight.log(g, s));
    if let Some(b) = buffer {
        let shown = visible(b, filter).len();
        title.push(Span::styled(
            if filter.is_empty() {
                format!("[{shown}] ")
            } else {
                format!("[{shown}/{}] ", b.lines.len())
            },
            theme.text,
        ));
    }
    if !filter.is_empty() {
        title.push(Span::styled(format!("</{filter}> "), theme.status_info));
    }
    title.push(if page.following {
        Span::styled("following ", theme.status_ok)
    } else {
        Span::styled("paused (p: follow) ", theme.status_warn)
    });
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused)
        .title(Line::from(title));
    if let Some(b) = buffer {
        if let Some(e) = &b.error {
            block = block.title_bottom(Span::styled(
                format!(" ✗ {} ", super::describe_error(e, b.fetched_at, store.now)),
                theme.status_err,
            ));
        } else if b.dropped > 0 {
            block = block.title_bottom(Span::styled(
                format!(" keeping the last {} lines ({} older dropped) ", b.cap, b.dropped),
                theme.muted,
            ));
        }
    }
    let inner = block.inner(area);
    block.render(area, buf);
    let lines = match (&located, buffer) {
        (Err(why), _) => {
            let text = ellipsize(
                why,
                (inner.width as usize).saturating_sub(2) * inner.height.max(1) as usize,
            );
            ratatui::widgets::Paragraph::new(text.into_owned())
                .style(theme.status_warn)
                .wrap(ratatui::widgets::Wrap { trim: true })
                .render(
                    Rect {
                        x: inner.x + 1,
                        width: inner.width.saturating_sub(2),
                        ..inner
                    },
                    buf,
                );
            return;
        }
        (Ok(_), None) => {
            buf.set_string(inner.x + 1, inner.y, "loading…", theme.muted);
            return;
        }
        (Ok(_), Some(b)) => visible(b, filter),
    };
    let height = inner.height as usize;
    if lines.is_empty() {
        let text = if filter.is_empty() {
            "no log lines yet"
        } else {
            "no line matches the filter"
        };
        buf.set_string(inner.x + 1, inner.y, text, theme.muted);
        return;
    }
    // Following: the newest lines; paused: where the user scrolled to.
    let last_start = lines.len().saturating_sub(height);
    let first = if page.following {
        last_start
    } else {
        page.scroll.min(last_start)
    };
    let tz = &store.context.tz;
    for (row, line) in lines.iter().skip(first).take(height).enumerate() {
        let y = inner.y + row as u16;
        let stamp = line.at.to_zoned(tz.clone()).strftime("%H:%M:%S").to_string();
        buf.set_string(inner.x + 1, y, &stamp, theme.muted);
        let x = inner.x + 2 + stamp.len() as u16;
        let width = inner.right().saturating_sub(x) as usize;
        let style = if line.message.contains("ERROR") || line.message.contains("Exception") {
            theme.status_err
        } else if line.message.contains("WARN") {
            theme.status_warn
        } else {
            theme.text
        };
        buf.set_stringn(x, y, ellipsize(&line.message, width).as_ref(), width, style);
    }
}
