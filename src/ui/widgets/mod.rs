//! The drawing every screen shares: the table, detail boxes, text boxes, tones for
//! statuses, what an empty or failing pane says; dialogs and help.

pub mod dialog;
pub mod help;
pub mod log;
pub mod table;

use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Widget, Wrap};

use crate::domain::{FetchError, Health};
use crate::store::Rows;
use crate::store::table::{Cell, Tone};
use crate::ui::theme::Theme;
use crate::util::fmt_age;

/// The error line for a pane: what failed and how old the data shown is.
pub fn error_line<R: Rows>(rows: &R, now: Timestamp) -> Option<String> {
    let error = rows.error()?;
    Some(describe_error(error, rows.fetched_at(), now))
}

pub fn describe_error(error: &FetchError, fetched_at: Option<Timestamp>, now: Timestamp) -> String {
    match fetched_at {
        Some(at) => format!("{error} · showing data from {} ago", fmt_age(at, now)),
        None => error.to_string(),
    }
}

/// What an empty table says: still loading, filtered out, or really empty.
pub fn empty_text<R: Rows>(rows: &R, filtered: bool, what: &'static str) -> String {
    if rows.error().is_some() && !rows.is_loaded() {
        "could not load: see the error below".to_string()
    } else if !rows.is_loaded() || rows.listing().is_some() {
        "loading…".to_string()
    } else if filtered {
        "nothing matches the filter".to_string()
    } else {
        format!("no {what}")
    }
}

pub fn health_tone(health: Health) -> Tone {
    match health {
        Health::Failing => Tone::Err,
        Health::Degraded => Tone::Warn,
        Health::Progressing => Tone::Info,
        Health::Healthy => Tone::Ok,
        Health::Idle => Tone::Muted,
    }
}

pub fn status_tone(status: &str) -> Tone {
    match status {
        "RUNNING" | "ACTIVE" | "HEALTHY" | "COMPLETED" | "PRIMARY" => Tone::Ok,
        "STOPPED" | "UNHEALTHY" | "FAILED" | "INACTIVE" => Tone::Err,
        "PROVISIONING" | "PENDING" | "ACTIVATING" | "IN_PROGRESS" | "DRAINING" | "DEACTIVATING" | "STOPPING"
        | "DEPROVISIONING" | "DEGRADED" | "UPDATING" | "CREATING" | "DELETING" => Tone::Warn,
        "CREATE_FAILED" | "DELETE_FAILED" => Tone::Err,
        "UNKNOWN" | "-" | "" => Tone::Muted,
        _ => Tone::Normal,
    }
}

/// A bordered box of `label value` pairs in `columns` columns, filled top to bottom.
pub fn details(buf: &mut Buffer, area: Rect, title: &str, pairs: &[(&str, Span<'_>)], columns: u16, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width < 4 || inner.height == 0 || pairs.is_empty() {
        return;
    }
    let columns = columns.max(1);
    let label_width = pairs.iter().map(|(l, _)| l.len()).max().unwrap_or(0) as u16 + 1;
    let col_width = inner.width / columns;
    let per_column = pairs.len().div_ceil(columns as usize);
    for (n, (label, value)) in pairs.iter().enumerate() {
        let col = (n / per_column) as u16;
        let row = (n % per_column) as u16;
        if row >= inner.height {
            continue;
        }
        let x = inner.x + 1 + col * col_width;
        let y = inner.y + row;
        let width = col_width.saturating_sub(2);
        buf.set_stringn(x, y, label, label_width as usize, theme.label);
        let value_width = width.saturating_sub(label_width) as usize;
        let text = crate::util::ellipsize(&value.content, value_width);
        buf.set_stringn(x + label_width, y, text.as_ref(), value_width, value.style);
    }
}

/// Rows a [`details`] box needs for `pairs` pairs in `columns` columns, borders included.
pub fn details_height(pairs: usize, columns: u16) -> u16 {
    pairs.div_ceil(columns.max(1) as usize) as u16 + 2
}

/// A bordered box of wrapped text.
pub fn text_box(buf: &mut Buffer, area: Rect, title: &str, lines: Vec<Line<'_>>, theme: &Theme) {
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_type(BorderType::Rounded)
                .border_style(theme.border)
                .padding(ratatui::widgets::Padding::horizontal(1))
                .title(Span::styled(format!(" {title} "), theme.title)),
        )
        .render(area, buf);
}

/// A focused bordered box of lines that scroll: from line `scroll`, kept so that the last
/// line is at the bottom at most; `hint` on the bottom border.
pub fn scrolled(
    buf: &mut Buffer,
    area: Rect,
    title: Line<'_>,
    hint: Option<Span<'_>>,
    lines: Vec<Line<'_>>,
    scroll: usize,
    theme: &Theme,
) {
    let height = area.height.saturating_sub(2) as usize;
    let first = scroll.min(lines.len().saturating_sub(height));
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused)
        .padding(ratatui::widgets::Padding::horizontal(1))
        .title(title);
    if let Some(hint) = hint {
        block = block.title_bottom(hint);
    }
    Paragraph::new(lines.into_iter().skip(first).collect::<Vec<_>>())
        .block(block)
        .render(area, buf);
}

/// A value span in a tone.
pub fn toned<'a>(text: impl Into<std::borrow::Cow<'a, str>>, tone: Tone, theme: &Theme) -> Span<'a> {
    Span::styled(text, theme.tone(tone))
}

/// The name of an IAM role from its ARN.
pub fn role_name(arn: Option<&str>) -> String {
    arn.map_or_else(|| "-".to_string(), |a| a.rsplit('/').next().unwrap_or(a).to_string())
}

pub use crate::util::progress;

/// `running/desired`, warning when short.
pub fn tasks_cell(running: u32, desired: u32) -> Cell<'static> {
    let tone = if running < desired { Tone::Warn } else { Tone::Normal };
    Cell::tone(format!("{running}/{desired}"), tone)
}
