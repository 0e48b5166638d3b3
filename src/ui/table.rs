//! The one generic table every list view uses: columns that drop by priority when the
//! terminal is narrow, sort by any column, `/` filter (substrings, `column:value`, `!`
//! negation), a selection that follows the resource across refreshes, and drawing that
//! touches only the visible rows.

use std::borrow::Cow;
use std::cmp::Ordering;

use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Widget};
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use crate::domain::Keyed;
use crate::store::ui::{Area, Basis, Haystack, TableState};
use crate::util::ellipsize;

/// The semantic colour of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Normal,
    Muted,
    Ok,
    Warn,
    Err,
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A column: its header, its width range (`max == 0`: takes what is left), and its
/// priority (0 always shows; higher numbers drop first on narrow terminals).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub min: u16,
    pub max: u16,
    pub priority: u8,
    pub align: Align,
    /// Grows only with what is left once every column that fits has its content: for
    /// long identifiers whose first characters already tell rows apart.
    pub late: bool,
}

impl Column {
    pub const fn new(name: &'static str, min: u16, max: u16, priority: u8) -> Self {
        Column {
            name,
            min,
            max,
            priority,
            align: Align::Left,
            late: false,
        }
    }

    pub const fn right(mut self) -> Self {
        self.align = Align::Right;
        self
    }

    pub const fn late(mut self) -> Self {
        self.late = true;
        self
    }
}

pub struct Cell<'a> {
    pub text: Cow<'a, str>,
    pub tone: Tone,
}

impl<'a> Cell<'a> {
    pub fn new(text: impl Into<Cow<'a, str>>) -> Self {
        Cell {
            text: text.into(),
            tone: Tone::Normal,
        }
    }

    pub fn tone(text: impl Into<Cow<'a, str>>, tone: Tone) -> Self {
        Cell {
            text: text.into(),
            tone,
        }
    }

    pub fn muted(text: impl Into<Cow<'a, str>>) -> Self {
        Cell::tone(text, Tone::Muted)
    }

    /// An optional value, `-` when missing.
    pub fn opt(value: Option<&'a str>) -> Self {
        match value {
            Some(v) if !v.is_empty() => Cell::new(v),
            _ => Cell::muted("-"),
        }
    }
}

/// What sorts a column: numbers and times as numbers, the rest as text.
#[derive(Debug, PartialEq, PartialOrd)]
pub enum SortKey<'a> {
    /// Missing values sort first ascending, last descending.
    Missing,
    Num(i64),
    Text(Cow<'a, str>),
}

impl SortKey<'_> {
    pub fn time(t: Option<Timestamp>) -> Self {
        t.map_or(SortKey::Missing, |t| SortKey::Num(t.as_millisecond()))
    }

    pub fn num(n: impl Into<i64>) -> Self {
        SortKey::Num(n.into())
    }

    /// Reverse a numeric key, so that ascending puts the largest first.
    pub fn negate(self) -> Self {
        match self {
            SortKey::Num(n) => SortKey::Num(-n),
            other => other,
        }
    }

    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (SortKey::Num(a), SortKey::Num(b)) => a.cmp(b),
            (SortKey::Text(a), SortKey::Text(b)) => crate::util::natural_cmp(a, b),
            (SortKey::Missing, SortKey::Missing) => Ordering::Equal,
            (SortKey::Missing, _) => Ordering::Less,
            (_, SortKey::Missing) => Ordering::Greater,
            (SortKey::Num(_), SortKey::Text(_)) => Ordering::Less,
            (SortKey::Text(_), SortKey::Num(_)) => Ordering::Greater,
        }
    }
}

/// What cells may depend on besides the row itself.
#[derive(Debug, Clone, Copy)]
pub struct RowCx<'a> {
    pub now: Timestamp,
    /// Metrics and the like, for cells that show them.
    pub insight: Option<&'a crate::store::insight::Insight>,
}

impl RowCx<'static> {
    pub fn at(now: Timestamp) -> Self {
        RowCx { now, insight: None }
    }
}

/// A resource that can be a table row.
pub trait Row: Keyed {
    fn columns() -> &'static [Column];

    fn cell(&self, column: usize, cx: &RowCx<'_>) -> Cell<'_>;

    fn sort_key(&self, column: usize, cx: &RowCx<'_>) -> SortKey<'_> {
        SortKey::Text(self.cell(column, cx).text)
    }
}

// ---- filter -----------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Term {
    Any(String),
    Column(usize, String),
}

/// A parsed `/` filter: every term must match (a `!term` must not).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    terms: Vec<(bool, Term)>,
}

impl Filter {
    /// Parse filter text against a table's columns. `status:running` matches the STATUS
    /// column (any column whose name starts with `status`); other words match anywhere.
    pub fn parse(text: &str, columns: &[Column]) -> Self {
        let terms = text
            .split_whitespace()
            .filter_map(|word| {
                let (negated, word) = match word.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, word),
                };
                let word = word.to_lowercase();
                if word.is_empty() {
                    return None;
                }
                let term = word
                    .split_once(':')
                    .and_then(|(name, value)| {
                        let column = column_named(columns, name)?;
                        Some(Term::Column(column, value.to_string()))
                    })
                    .unwrap_or(Term::Any(word));
                Some((negated, term))
            })
            .collect();
        Filter { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether every row this filter passes also passes `wider`: each of `wider`'s terms
    /// follows from one of this filter's (`paym` from `pay`, `status:run` from `status:r`).
    pub fn narrows(&self, wider: &Filter) -> bool {
        wider.terms.iter().all(|(was_negated, was)| {
            self.terms.iter().any(|(negated, term)| {
                if negated != was_negated {
                    return false;
                }
                let (column, needle) = match term {
                    Term::Any(n) => (None, n),
                    Term::Column(c, n) => (Some(*c), n),
                };
                let (was_column, was_needle) = match was {
                    Term::Any(n) => (None, n),
                    Term::Column(c, n) => (Some(*c), n),
                };
                if *negated {
                    // Not containing a shorter text means not containing a longer one, in
                    // the same place or a narrower one.
                    (column.is_none() || column == was_column) && was_needle.contains(needle.as_str())
                } else {
                    (was_column.is_none() || column == was_column) && needle.contains(was_needle.as_str())
                }
            })
        })
    }

    /// Whether a row's haystack (its cells, lower-cased, joined by `\u{1f}`) passes.
    pub fn matches(&self, haystack: &str) -> bool {
        self.terms.iter().all(|(negated, term)| {
            let hit = match term {
                Term::Any(needle) => haystack.contains(needle.as_str()),
                Term::Column(column, needle) => haystack
                    .split('\u{1f}')
                    .nth(*column)
                    .is_some_and(|cell| cell.contains(needle.as_str())),
            };
            hit != *negated
        })
    }
}

/// The column a filter or command names: exact header match, else a unique-enough prefix.
pub fn column_named(columns: &[Column], name: &str) -> Option<usize> {
    let norm = |s: &str| s.to_lowercase().replace([' ', '-', '_', '/'], "");
    let name = norm(name);
    if name.is_empty() {
        return None;
    }
    columns
        .iter()
        .position(|c| norm(c.name) == name)
        .or_else(|| columns.iter().position(|c| norm(c.name).starts_with(&name)))
}

/// Every row's cells, lower-cased, into one buffer.
fn haystack_of<T: Row>(rows: &[T], version: u64, cx: &RowCx) -> Haystack {
    let columns = T::columns().len();
    let mut text = String::with_capacity(rows.len() * 96);
    let mut ends = Vec::with_capacity(rows.len());
    for row in rows {
        for column in 0..columns {
            if column > 0 {
                text.push('\u{1f}');
            }
            let cell = row.cell(column, cx).text;
            if cell.is_ascii() {
                let from = text.len();
                text.push_str(&cell);
                text[from..].make_ascii_lowercase();
            } else {
                text.push_str(&cell.to_lowercase());
            }
        }
        ends.push(text.len() as u32);
    }
    Haystack { version, text, ends }
}

// ---- sync: the rows a table shows --------------------------------------------------------

/// Bring a table's rows up to date with its source: recompute filter and sort when the
/// data (`version`) or the filter or sort changed; otherwise just note which resource the
/// cursor is on, so a later refresh can find it again.
pub fn sync<T: Row>(state: &mut TableState, rows: &[T], version: u64, base: impl Fn(&T) -> bool, cx: &RowCx) {
    if state.synced != Some(version) {
        let filter = Filter::parse(&state.filter, T::columns());
        // Typing on narrows the filter: only the rows that passed can pass, in their order.
        let narrowing = state.basis.as_ref().is_some_and(|b| {
            b.version == version
                && b.len == rows.len()
                && b.sort == state.sort
                && filter.narrows(&Filter::parse(&b.filter, T::columns()))
        });
        let mut shown: Vec<u32> = if narrowing {
            std::mem::take(&mut state.rows)
        } else {
            let all: Vec<u32> = (0..rows.len() as u32).filter(|&i| base(&rows[i as usize])).collect();
            state.total = all.len();
            all
        };
        if !filter.is_empty() {
            let fresh = state
                .haystack
                .as_ref()
                .is_some_and(|h| h.version == version && h.len() == rows.len());
            if !fresh {
                state.haystack = Some(haystack_of(rows, version, cx));
            }
            let hay = state.haystack.as_ref().expect("built above");
            shown.retain(|&i| filter.matches(hay.row(i as usize)));
        } else {
            state.haystack = None;
        }
        if let Some(sort) = state.sort.filter(|_| !narrowing) {
            shown = sorted(rows, shown, sort.column, sort.descending, cx);
        }
        state.rows = shown;
        state.synced = Some(version);
        state.basis = Some(Basis {
            version,
            len: rows.len(),
            filter: state.filter.clone(),
            sort: state.sort,
        });
        let found = state.selected.as_deref().filter(|_| state.touched).and_then(|key| {
            // Where it was or near it, as a refresh mostly leaves rows; else anywhere.
            let was = state.selected_source.map_or(0, |i| i as usize);
            let near = (was.saturating_sub(8)..(was + 9).min(rows.len())).find(|&i| rows[i].key() == key);
            let source = near.or_else(|| (0..rows.len()).find(|&i| rows[i].key() == key))? as u32;
            state.rows.iter().position(|&i| i == source)
        });
        if let Some(position) = found {
            state.cursor = position;
        }
    }
    state.cursor = state.cursor.min(state.rows.len().saturating_sub(1));
    state.selected_source = state.rows.get(state.cursor).copied();
    if state.selected.as_deref() != state.selected_source.map(|i| rows[i as usize].key()) {
        state.selected = state.selected_source.map(|i| rows[i as usize].key().to_string());
    }
}

/// A sort key with its text copied next to the others': comparing keys then reads one
/// small block of memory instead of chasing a pointer into every row (at 100,000 rows,
/// most of the time of a sort).
#[derive(Clone, Copy)]
enum Flat {
    Missing,
    Num(i64),
    Text(u32, u32),
}

/// `shown` ordered by a column; the row index breaks ties, so an unstable sort gives the
/// order a stable one would.
fn sorted<T: Row>(rows: &[T], shown: Vec<u32>, column: usize, descending: bool, cx: &RowCx) -> Vec<u32> {
    let mut text = String::new();
    let mut keyed: Vec<(Flat, u32)> = shown
        .into_iter()
        .map(|i| {
            let key = match rows[i as usize].sort_key(column, cx) {
                SortKey::Missing => Flat::Missing,
                SortKey::Num(n) => Flat::Num(n),
                SortKey::Text(t) => {
                    let start = text.len() as u32;
                    text.push_str(&t);
                    Flat::Text(start, text.len() as u32)
                }
            };
            (key, i)
        })
        .collect();
    // ASCII texts sort by byte keys in natural order: a comparison is then a memcmp.
    let mut bytes = Vec::new();
    let encoded: Option<Vec<Flat>> = if text.is_ascii() {
        keyed
            .iter()
            .map(|&(flat, _)| match flat {
                Flat::Text(a, b) => {
                    let start = bytes.len() as u32;
                    crate::util::natural_key(&text[a as usize..b as usize], &mut bytes)
                        .then_some(Flat::Text(start, bytes.len() as u32))
                }
                other => Some(other),
            })
            .collect()
    } else {
        None
    };
    if let Some(encoded) = encoded {
        for ((flat, _), key) in keyed.iter_mut().zip(encoded) {
            *flat = key;
        }
        let rank = |flat: &Flat| match flat {
            Flat::Missing => 0,
            Flat::Num(_) => 1,
            Flat::Text(..) => 2,
        };
        keyed.sort_unstable_by(|(a, i), (b, j)| {
            let order = match (a, b) {
                (Flat::Num(x), Flat::Num(y)) => x.cmp(y),
                (Flat::Text(a0, a1), Flat::Text(b0, b1)) => {
                    bytes[*a0 as usize..*a1 as usize].cmp(&bytes[*b0 as usize..*b1 as usize])
                }
                _ => rank(a).cmp(&rank(b)),
            };
            order.then(i.cmp(j))
        });
    } else {
        let key = |flat: Flat| match flat {
            Flat::Missing => SortKey::Missing,
            Flat::Num(n) => SortKey::Num(n),
            Flat::Text(a, b) => SortKey::Text(Cow::Borrowed(&text[a as usize..b as usize])),
        };
        keyed.sort_unstable_by(|a, b| key(a.0).cmp(&key(b.0)).then(a.1.cmp(&b.1)));
    }
    if descending {
        keyed.reverse();
    }
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// The selected row of a synced table.
pub fn selected<'a, T>(state: &TableState, rows: &'a [T]) -> Option<&'a T> {
    state.rows.get(state.cursor).and_then(|&i| rows.get(i as usize))
}

// ---- layout and drawing ------------------------------------------------------------------

/// Column widths for `width` cells. Most important first, each column takes what its
/// content needs (`wanted`, within its minimum and maximum) if that fits, else its
/// minimum, else it is left out; what is left goes to the flexible columns.
pub fn layout(columns: &[Column], hidden: &[usize], wanted: &[u16], width: u16) -> Vec<(usize, u16)> {
    let mut by_priority: Vec<usize> = (0..columns.len()).filter(|i| !hidden.contains(i)).collect();
    by_priority.sort_by_key(|&i| (columns[i].priority, i));
    let mut widths: Vec<(usize, u16)> = Vec::new();
    let mut used = 0u16;
    let mut cut_at: Option<u8> = None;
    for i in by_priority {
        let column = &columns[i];
        if cut_at.is_some_and(|p| column.priority > p) {
            break;
        }
        let gap = u16::from(!widths.is_empty());
        let want = if column.late {
            column.min
        } else {
            want_of(column, wanted.get(i))
        };
        let take = if used + gap + want <= width {
            want
        } else if used + gap + column.min <= width {
            cut_at = Some(column.priority);
            column.min
        } else if widths.is_empty() {
            // The first column shows however narrow the table.
            width
        } else {
            continue;
        };
        used += gap + take;
        widths.push((i, take));
    }
    // What is left goes to columns cut short of their content, most important first and
    // late ones last; past that, blank space stays on the right rather than pushing
    // columns apart.
    let mut spare = width.saturating_sub(used);
    let mut order: Vec<usize> = (0..widths.len()).collect();
    order.sort_by_key(|&k| (columns[widths[k].0].late, columns[widths[k].0].priority, widths[k].0));
    for k in order {
        let (i, w) = &mut widths[k];
        let grow = want_of(&columns[*i], wanted.get(*i)).saturating_sub(*w).min(spare);
        *w += grow;
        spare -= grow;
    }
    widths.sort_unstable();
    widths
}

/// What a column's content needs, within its minimum and maximum.
fn want_of(column: &Column, wanted: Option<&u16>) -> u16 {
    let want = wanted.copied().unwrap_or(column.min).max(column.min);
    if column.max == 0 { want } else { want.min(column.max) }
}

/// How a table is framed: its title, whether it has focus, its error, its empty text.
pub struct Frame<'a> {
    pub title: &'a str,
    pub focused: bool,
    /// The error of the last fetch, with the age of the data shown: drawn on the border.
    pub error: Option<String>,
    /// What to say when there are no rows.
    pub empty: &'a str,
    /// Columns this view leaves out.
    pub hidden: &'a [usize],
}

/// Draw a table of `rows` as `state` says: only the visible rows are touched.
pub fn render<T: Row>(
    buf: &mut Buffer,
    area: Rect,
    state: &TableState,
    rows: &[T],
    cx: &RowCx,
    theme: &Theme,
    frame: Frame<'_>,
) {
    let columns = T::columns();
    let count = if state.filter.is_empty() {
        format!("[{}]", state.rows.len())
    } else {
        format!("[{}/{}]", state.rows.len(), state.total)
    };
    let mut title = vec![
        Span::styled(format!(" {} ", frame.title), theme.title),
        Span::styled(format!("{count} "), theme.text),
    ];
    if !state.filter.is_empty() {
        title.push(Span::styled(format!("</{}> ", state.filter), theme.status_info));
    }
    let border = if frame.focused {
        theme.border_focused
    } else {
        theme.border
    };
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(border)
        .title(Line::from(title));
    if let Some(error) = &frame.error {
        let width = area.width.saturating_sub(4) as usize;
        block = block.title_bottom(Line::from(Span::styled(
            format!(" {} ", ellipsize(&format!("✗ {error}"), width.saturating_sub(2))),
            theme.status_err,
        )));
    }
    let inner = block.inner(area);
    block.render(area, buf);
    state.frame_area.set(None);
    state.body_area.set(None);
    if inner.height == 0 || inner.width < 2 {
        return;
    }
    let content = Rect {
        x: inner.x + 1,
        width: inner.width - 1,
        ..inner
    };
    let body = Rect {
        y: content.y + 1,
        height: content.height.saturating_sub(1),
        ..content
    };
    let height = body.height as usize;
    state.height.set(height);
    let area_of = |r: Rect| Area {
        x: r.x,
        y: r.y,
        width: r.width,
        height: r.height,
    };
    state.frame_area.set(Some(area_of(area)));
    state.body_area.set(Some(area_of(Rect {
        x: inner.x,
        width: inner.width,
        ..body
    })));
    let mut offset = state.offset.get();
    if state.cursor < offset {
        offset = state.cursor;
    } else if height > 0 && state.cursor >= offset + height {
        offset = state.cursor + 1 - height;
    }
    offset = offset.min(state.rows.len().saturating_sub(height));
    state.offset.set(offset);

    // The cells of the visible rows, once: to size the columns and to draw them.
    let visible: Vec<(usize, Vec<Cell<'_>>)> = state
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(position, &index)| {
            let row = &rows[index as usize];
            let cells = (0..columns.len())
                .map(|c| {
                    if frame.hidden.contains(&c) {
                        Cell::new("")
                    } else {
                        row.cell(c, cx)
                    }
                })
                .collect();
            (position, cells)
        })
        .collect();
    let wanted: Vec<u16> = columns
        .iter()
        .enumerate()
        .map(|(c, column)| {
            let header = column.name.width() as u16 + 1;
            visible
                .iter()
                .map(|(_, cells)| crate::util::printable(&cells[c].text).width() as u16)
                .fold(header, u16::max)
        })
        .collect();
    let widths = layout(columns, frame.hidden, &wanted, content.width);

    // Header.
    let mut x = content.x;
    for &(column, width) in &widths {
        let mut name = columns[column].name.to_string();
        if let Some(sort) = state.sort.filter(|s| s.column == column) {
            name.push(if sort.descending { '↓' } else { '↑' });
        }
        let style = if state.sort.is_some_and(|s| s.column == column) {
            theme.sort_indicator.add_modifier(Modifier::BOLD)
        } else {
            theme.table_header
        };
        put(buf, x, content.y, width, &name, columns[column].align, style);
        x += width + 1;
    }

    if state.rows.is_empty() {
        if body.height > 0 {
            let text = ellipsize(frame.empty, body.width as usize);
            buf.set_string(body.x, body.y, text.as_ref(), theme.muted);
        }
        return;
    }
    for (line, (position, cells)) in visible.iter().enumerate() {
        let y = body.y + line as u16;
        // Only the focused table shows its cursor: one highlight on screen, where keys go.
        let selected = *position == state.cursor && frame.focused;
        if selected {
            buf.set_style(
                Rect {
                    x: inner.x,
                    y,
                    width: inner.width,
                    height: 1,
                },
                theme.row_selected,
            );
        }
        let mut x = content.x;
        for &(column, width) in &widths {
            let cell = &cells[column];
            let style = if selected {
                theme.row_selected
            } else {
                theme.tone(cell.tone)
            };
            put(buf, x, y, width, &cell.text, columns[column].align, style);
            x += width + 1;
        }
    }
}

/// Rows as plain text, every cell whole, columns two spaces apart: for `bosun snapshot`.
pub fn plain<T: Row>(rows: &[&T], hidden: &[usize], cx: &RowCx) -> String {
    let columns: Vec<(usize, &Column)> = T::columns()
        .iter()
        .enumerate()
        .filter(|(i, _)| !hidden.contains(i))
        .collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|(i, _)| row.cell(*i, cx).text.into_owned())
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(k, (_, c))| cells.iter().map(|r| r[k].width()).fold(c.name.width(), usize::max))
        .collect();
    let mut out = String::new();
    let mut line = |texts: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (k, cell) in texts.enumerate() {
            if k > 0 {
                text.push_str("  ");
            }
            let pad = widths[k].saturating_sub(cell.width());
            match columns[k].1.align {
                Align::Right => {
                    text.push_str(&" ".repeat(pad));
                    text.push_str(cell);
                }
                Align::Left => {
                    text.push_str(cell);
                    text.push_str(&" ".repeat(pad));
                }
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut columns.iter().map(|(_, c)| c.name));
    for row in &cells {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

/// Write `text` into `width` cells at (x, y), cut with `…` if it does not fit.
fn put(buf: &mut Buffer, x: u16, y: u16, width: u16, text: &str, align: Align, style: Style) {
    let text = crate::util::printable(text);
    let text = ellipsize(&text, width as usize);
    let w = text.width() as u16;
    let x = match align {
        Align::Left => x,
        Align::Right => x + width.saturating_sub(w),
    };
    buf.set_stringn(x, y, text.as_ref(), width as usize, style);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ui::SortSpec;

    #[derive(Debug, Clone, PartialEq)]
    struct Svc {
        arn: String,
        name: &'static str,
        status: &'static str,
        running: u32,
    }

    impl Keyed for Svc {
        fn key(&self) -> &str {
            &self.arn
        }
    }

    const COLUMNS: &[Column] = &[
        Column::new("NAME", 8, 0, 0),
        Column::new("STATUS", 8, 8, 1),
        Column::new("RUNNING", 7, 7, 2).right(),
    ];

    impl Row for Svc {
        fn columns() -> &'static [Column] {
            COLUMNS
        }
        fn cell(&self, column: usize, _: &RowCx) -> Cell<'_> {
            match column {
                0 => Cell::new(self.name),
                1 => Cell::new(self.status),
                _ => Cell::new(self.running.to_string()),
            }
        }
        fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
            match column {
                2 => SortKey::num(self.running),
                _ => SortKey::Text(self.cell(column, cx).text),
            }
        }
    }

    fn svc(name: &'static str, status: &'static str, running: u32) -> Svc {
        Svc {
            arn: format!("arn/{name}"),
            name,
            status,
            running,
        }
    }

    fn cx() -> RowCx<'static> {
        RowCx::at(Timestamp::UNIX_EPOCH)
    }

    fn names(state: &TableState, rows: &[Svc]) -> Vec<&'static str> {
        state.rows.iter().map(|&i| rows[i as usize].name).collect()
    }

    fn data() -> Vec<Svc> {
        vec![
            svc("checkout", "ACTIVE", 6),
            svc("cart", "ACTIVE", 12),
            svc("payments", "DRAINING", 1),
            svc("search", "ACTIVE", 3),
        ]
    }

    #[test]
    fn filter_by_substring_column_and_negation() {
        let rows = data();
        let mut state = TableState::default();
        for (filter, want) in [
            ("c", vec!["checkout", "cart", "search"]),
            ("CART", vec!["cart"]),
            ("status:drain", vec!["payments"]),
            ("stat:active !ch", vec!["cart"]),
            ("running:12", vec!["cart"]),
            ("nosuchcolumn:x", vec![]),
        ] {
            state.filter = filter.into();
            state.invalidate();
            sync(&mut state, &rows, 1, |_| true, &cx());
            assert_eq!(names(&state, &rows), want, "filter {filter:?}");
            assert_eq!(state.total, 4);
        }
    }

    #[test]
    fn typing_on_filters_the_rows_that_passed_with_the_same_result() {
        let rows = data();
        let sorted = Some(SortSpec {
            column: 2,
            descending: true,
        });
        for steps in [
            &["c", "ca", "car", "cart"][..],
            &["a", "ac", "act", "acti", "!ch", "stat:active !ch", "stat:active !c"],
            &["s", "st", "status:", "status:a", "status:ac x", "status:ac"],
            &["!c", "!ca", "!c", "c"],
        ] {
            let mut typed = TableState {
                sort: sorted,
                ..Default::default()
            };
            sync(&mut typed, &rows, 1, |_| true, &cx());
            for filter in steps {
                typed.filter = filter.to_string();
                typed.invalidate();
                sync(&mut typed, &rows, 1, |_| true, &cx());
                let mut fresh = TableState {
                    sort: sorted,
                    filter: filter.to_string(),
                    ..Default::default()
                };
                sync(&mut fresh, &rows, 1, |_| true, &cx());
                assert_eq!(typed.rows, fresh.rows, "filter {filter:?} after {steps:?}");
                assert_eq!(typed.total, 4);
            }
        }
        let f = |text: &str| Filter::parse(text, COLUMNS);
        assert!(f("paym").narrows(&f("pay")));
        assert!(f("pay x").narrows(&f("pay")));
        assert!(f("status:drain").narrows(&f("status:dr")));
        assert!(f("status:drain").narrows(&f("dr")));
        assert!(!f("dr").narrows(&f("status:dr")));
        assert!(f("!pa").narrows(&f("!pay")));
        assert!(!f("!pay").narrows(&f("!pa")));
        assert!(!f("pa").narrows(&f("pay")));
        assert!(f("anything").narrows(&f("")));
    }

    #[test]
    fn sort_numbers_as_numbers_and_invert() {
        let rows = data();
        let mut state = TableState {
            sort: Some(SortSpec {
                column: 2,
                descending: false,
            }),
            ..Default::default()
        };
        sync(&mut state, &rows, 1, |_| true, &cx());
        assert_eq!(names(&state, &rows), ["payments", "search", "checkout", "cart"]);
        state.sort = Some(SortSpec {
            column: 0,
            descending: true,
        });
        state.invalidate();
        sync(&mut state, &rows, 1, |_| true, &cx());
        assert_eq!(names(&state, &rows), ["search", "payments", "checkout", "cart"]);
    }

    #[test]
    fn the_selection_follows_the_resource_across_refreshes() {
        let mut rows = data();
        let mut state = TableState::default();
        sync(&mut state, &rows, 1, |_| true, &cx());
        // Untouched, the cursor stays on top while rows arrive above the first one.
        rows.insert(0, svc("api", "ACTIVE", 2));
        sync(&mut state, &rows, 2, |_| true, &cx());
        assert_eq!(state.cursor, 0);
        assert_eq!(selected(&state, &rows).unwrap().name, "api");
        rows.remove(0);
        state.cursor = 2;
        state.touched = true;
        sync(&mut state, &rows, 1, |_| true, &cx());
        assert_eq!(state.selected.as_deref(), Some("arn/payments"));
        // A new service appears above it: the cursor moves with payments.
        rows.insert(0, svc("auth", "ACTIVE", 2));
        sync(&mut state, &rows, 2, |_| true, &cx());
        assert_eq!(state.cursor, 3);
        assert_eq!(selected(&state, &rows).unwrap().name, "payments");
        // It disappears: the cursor stays where it was, on a real row.
        rows.retain(|s| s.name != "payments");
        sync(&mut state, &rows, 3, |_| true, &cx());
        assert_eq!(state.cursor, 3);
        assert_eq!(selected(&state, &rows).unwrap().name, "search");
        // Everything goes: no selection, no panic.
        sync::<Svc>(&mut state, &[], 4, |_| true, &cx());
        assert_eq!(state.selected, None);
    }

    #[test]
    fn narrow_tables_drop_the_least_important_columns() {
        let all = layout(COLUMNS, &[], &[], 40);
        assert_eq!(all.iter().map(|c| c.0).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(
            all.iter().map(|c| c.1).sum::<u16>() + 2,
            8 + 8 + 7 + 2,
            "no content: minimums"
        );
        let narrow = layout(COLUMNS, &[], &[], 18);
        assert_eq!(narrow.iter().map(|c| c.0).collect::<Vec<_>>(), [0, 1]);
        let tiny = layout(COLUMNS, &[], &[], 3);
        assert_eq!(tiny.iter().map(|c| c.0).collect::<Vec<_>>(), [0]);
        let hidden = layout(COLUMNS, &[1], &[], 40);
        assert_eq!(hidden.iter().map(|c| c.0).collect::<Vec<_>>(), [0, 2]);
    }

    #[test]
    fn columns_grow_to_their_content_before_the_flexible_one_takes_the_rest() {
        const COLS: &[Column] = &[
            Column::new("NAME", 4, 0, 0),
            Column::new("TASKDEF", 8, 30, 1),
            Column::new("REASON", 6, 0, 2),
        ];
        // Everyone gets what they need, and no more.
        let widths = layout(COLS, &[], &[10, 20, 6], 60);
        assert_eq!(widths, vec![(0, 10), (1, 20), (2, 6)]);
        // A long flexible column cut to its minimum gets back what is left.
        let widths = layout(COLS, &[], &[10, 20, 90], 60);
        assert_eq!(widths, vec![(0, 10), (1, 20), (2, 28)]);
        // Narrower: the important columns keep their content, the last one its minimum.
        let widths = layout(COLS, &[], &[10, 20, 9], 38);
        assert_eq!(widths, vec![(0, 10), (1, 20), (2, 6)]);
        // A column cut short keeps anything less important off the screen.
        let widths = layout(COLS, &[], &[10, 40, 6], 40);
        assert_eq!(widths, vec![(0, 10), (1, 29)]);
        // Narrower still: the least important goes before the others are cut.
        let widths = layout(COLS, &[], &[10, 20, 6], 25);
        assert_eq!(widths, vec![(0, 10), (1, 14)]);
    }

    #[test]
    fn late_columns_grow_only_with_what_is_left() {
        const COLS: &[Column] = &[
            Column::new("ID", 12, 32, 0).late(),
            Column::new("STATUS", 8, 8, 1),
            Column::new("REVISION", 8, 20, 2),
        ];
        assert_eq!(layout(COLS, &[], &[32, 8, 14], 40), vec![(0, 16), (1, 8), (2, 14)]);
        assert_eq!(layout(COLS, &[], &[32, 8, 14], 80), vec![(0, 32), (1, 8), (2, 14)]);
    }

    #[test]
    fn drawing_touches_only_the_visible_rows() {
        struct Counted(String, std::cell::Cell<u32>);
        impl Keyed for Counted {
            fn key(&self) -> &str {
                &self.0
            }
        }
        impl Row for Counted {
            fn columns() -> &'static [Column] {
                const ID: &[Column] = &[Column::new("ID", 4, 0, 0)];
                ID
            }
            fn cell(&self, _: usize, _: &RowCx) -> Cell<'_> {
                self.1.set(self.1.get() + 1);
                Cell::new(self.0.as_str())
            }
        }
        let rows: Vec<Counted> = (0..100_000).map(|i| Counted(i.to_string(), 0.into())).collect();
        let mut state = TableState::default();
        sync(&mut state, &rows, 1, |_| true, &cx());
        state.cursor = 50_000;
        let area = Rect::new(0, 0, 40, 12);
        let mut buf = Buffer::empty(area);
        let frame = Frame {
            title: "tasks",
            focused: true,
            error: None,
            empty: "",
            hidden: &[],
        };
        render(&mut buf, area, &state, &rows, &cx(), &Theme::default(), frame);
        let drawn: u32 = rows.iter().map(|r| r.1.get()).sum();
        assert_eq!(drawn, 9, "10 inner rows less the header, each cell made once");
        assert_eq!(state.offset.get(), 50_000 - 8);
    }
}
