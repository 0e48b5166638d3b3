//! The model of the one generic table every list screen uses: its columns and cells, the `/`
//! filter (substrings, `column:value`, `!` negation), sort by any column, and a selection
//! that follows the resource across refreshes. No drawing here: `ui::widgets::table` draws
//! it, touching only the visible rows.

use std::borrow::Cow;
use std::cmp::Ordering;

use std::cell::Cell as Shared;
use std::collections::HashMap;

use foldhash::fast::FixedState;

use jiff::Timestamp;

use super::collection::{Stamps, stamps_of};
use crate::domain::Keyed;

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

impl<'a> RowCx<'a> {
    /// At `now`, with what the insight views read (sparklines, protection).
    pub fn with(now: Timestamp, insight: &'a crate::store::insight::Insight) -> Self {
        RowCx {
            now,
            insight: Some(insight),
        }
    }
}

/// A resource that can be a table row.
pub trait Row: Keyed {
    fn columns() -> &'static [Column];

    /// This row's columns: [`Row::columns`], unless they come with the data (a kind the
    /// API server prints). Every row of a table has the same.
    fn row_columns(&self) -> &'static [Column] {
        Self::columns()
    }

    /// The row itself, shared, when it is an `Arc` a watch hands out: a change replaces the
    /// `Arc`, so work kept for a row holds while its `Arc` is the one in the table.
    fn shared(&self) -> Option<SharedRow> {
        None
    }

    fn cell(&self, column: usize, cx: &RowCx<'_>) -> Cell<'_>;

    fn sort_key(&self, column: usize, cx: &RowCx<'_>) -> SortKey<'_> {
        SortKey::Text(self.cell(column, cx).text)
    }

    /// How bad it is, 0 the worst, for rows that have a health: lists open worst first.
    fn health_rank(&self, _cx: &RowCx<'_>) -> Option<u8> {
        None
    }
}

/// A row held by what keeps work for it: see [`Row::shared`].
pub type SharedRow = std::sync::Arc<dyn std::any::Any + Send + Sync>;

/// Where a shared row is: the same for as long as it is held.
fn address(row: &SharedRow) -> u64 {
    std::sync::Arc::as_ptr(row) as *const () as usize as u64
}

/// The columns of a table of `rows`.
pub fn columns_of<T: Row>(rows: &[T]) -> &'static [Column] {
    rows.first().map_or_else(T::columns, Row::row_columns)
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

/// Append a row's cells, lower-cased and joined by `\u{1f}`, to `text`.
fn push_row<T: Row>(text: &mut String, row: &T, cx: &RowCx) {
    for column in 0..row.row_columns().len() {
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
}

// ---- sync: the rows a table shows --------------------------------------------------------

/// Bring a table's rows up to date with its source: recompute filter and sort when the
/// data (`version`) or the filter or sort changed; otherwise just note which resource the
/// cursor is on, so a later refresh can find it again.
pub fn sync<T: Row>(state: &mut TableState, rows: &[T], version: u64, base: impl Fn(&T) -> bool, cx: &RowCx) {
    if state.synced != Some(version) {
        let columns = columns_of(rows);
        let filter = Filter::parse(&state.filter, columns);
        // Typing on narrows the filter: only the rows that passed can pass, in their order.
        let narrowing = state.basis.as_ref().is_some_and(|b| {
            b.version == version
                && b.len == rows.len()
                && b.sort == state.sort
                && filter.narrows(&Filter::parse(&b.filter, columns))
        });
        let mut shown: Vec<u32> = if narrowing {
            std::mem::take(&mut state.rows)
        } else {
            let all: Vec<u32> = (0..rows.len() as u32).filter(|&i| base(&rows[i as usize])).collect();
            state.total = all.len();
            all
        };
        if !filter.is_empty() {
            let hay = state.haystack.get_or_insert_with(Haystack::default);
            if hay.version != Some(version) || hay.len() != rows.len() {
                hay.update(rows, version, cx);
            }
            shown.retain(|&i| filter.matches(hay.row(i as usize)));
        }
        // With no filter the search text stays: the next filter's first keystroke then
        // redoes only the rows that changed meanwhile.
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
            let key = if column == WORST_FIRST {
                // Rows without a health keep their order.
                SortKey::Num(rows[i as usize].health_rank(cx).map_or(i64::from(u8::MAX), i64::from))
            } else {
                rows[i as usize].sort_key(column, cx)
            };
            let key = match key {
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

/// Sort by a column, ascending or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortSpec {
    pub column: usize,
    pub descending: bool,
}

/// The sort "column" that orders rows by their health, worst first (see
/// [`Row::health_rank`]); ties keep the order they are listed in.
pub const WORST_FIRST: usize = usize::MAX;

impl SortSpec {
    pub fn worst_first() -> Self {
        SortSpec {
            column: WORST_FIRST,
            descending: false,
        }
    }
}

/// The state of one table: filter, sort, the rows that pass, and the selection.
#[derive(Debug, Default)]
pub struct TableState {
    /// The filter as typed (`/` text): substrings and `column:value` terms.
    pub filter: String,
    /// `None` keeps the natural order of the data.
    pub sort: Option<SortSpec>,
    /// Indices into the source rows, filtered and sorted.
    pub rows: Vec<u32>,
    /// Rows before the `/` filter.
    pub total: usize,
    /// The key of the selected row: the selection follows the resource, not the position.
    pub selected: Option<String>,
    /// Where the selected row was among the source rows: where a refresh looks for it first.
    pub selected_source: Option<u32>,
    /// Whether the user has moved the cursor. Until then it stays on the first row while
    /// data loads and reorders, rather than following whichever row came first.
    pub touched: bool,
    pub cursor: usize,
    /// The first visible row, kept by drawing so the cursor stays on screen.
    pub offset: Shared<usize>,
    /// Rows that fit on screen at the last draw, for page up / down.
    pub height: Shared<usize>,
    /// Where the table (with its border) was last drawn, for the mouse.
    pub frame_area: Shared<Option<Area>>,
    /// Where its rows were last drawn: the first visible row is the top line.
    pub body_area: Shared<Option<Area>>,
    /// The source version `rows` was computed from; `None` forces a recompute.
    pub synced: Option<u64>,
    /// Lower-cased cell text per source row, built by the first filter and kept up to
    /// date by the next ones.
    pub haystack: Option<Haystack>,
    /// What `rows` were last computed from: a filter that only narrows this one (typing
    /// on) filters `rows` again instead of every source row, and keeps their order.
    pub basis: Option<Basis>,
}

/// The source, filter and sort a table's rows were computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    pub version: u64,
    pub len: usize,
    pub filter: String,
    pub sort: Option<SortSpec>,
}

/// A rectangle of the screen, in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Area {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
}

impl Area {
    pub fn contains(&self, column: u16, row: u16) -> bool {
        (self.x..self.x.saturating_add(self.width)).contains(&column)
            && (self.y..self.y.saturating_add(self.height)).contains(&row)
    }
}

/// A filter's view of the source rows: each row's cells, lower-cased and joined by `\u{1f}`,
/// all rows in one buffer (one allocation, read mostly in order) with where each row is.
///
/// When the rows are a large [`Collection`](super::Collection)'s items, the text of each row
/// is kept with the row's stamp (see [`Stamps`]): a refresh then costs the text of the rows
/// it changed, not of every row. Text that depends on the time (ages) is as of when the
/// row's text was made: the rows a refresh leaves as they were keep it.
#[derive(Debug, Default)]
pub struct Haystack {
    /// The source version the text is for; `None` before any.
    pub version: Option<u64>,
    text: String,
    /// Where each row's text is in `text`.
    spans: Vec<(u32, u32)>,
    /// What each row was (and a hold on them: see [`Stamps`]), when the rows were stamped
    /// and the text is theirs alone (not the metrics' too).
    stamps: Option<Stamps>,
    /// Or the rows themselves, when they are shared ([`Row::shared`]): held, so that no
    /// other row can be where one of them is while its text is kept.
    held: Vec<SharedRow>,
    /// How many rows' text the last update made (the rest it kept).
    pub made: usize,
}

impl Haystack {
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Row `i`'s cells.
    pub fn row(&self, i: usize) -> &str {
        let (start, end) = self.spans[i];
        &self.text[start as usize..end as usize]
    }

    /// Bring the text up to date with `rows`: only the rows whose stamp it does not have
    /// when it can, else every row.
    fn update<T: Row>(&mut self, rows: &[T], version: u64, cx: &RowCx) {
        // Cells that show metrics change without their row: text made with them is not kept.
        let stamps = cx.insight.is_none().then(|| stamps_of(rows)).flatten();
        let old = self.stamps.take();
        let held: Vec<SharedRow> = match stamps {
            None if cx.insight.is_none() && rows.first().is_some_and(|r| r.shared().is_some()) => {
                rows.iter().filter_map(Row::shared).collect()
            }
            _ => Vec::new(),
        };
        let was_held = std::mem::take(&mut self.held);
        match (stamps.as_deref(), old.as_deref()) {
            (Some(new), Some(old)) if !old.is_empty() && old.len() == self.spans.len() => self.keep(rows, new, old, cx),
            _ if held.len() == rows.len() && !was_held.is_empty() && was_held.len() == self.spans.len() => {
                self.keep_shared(rows, &held, &was_held, cx)
            }
            _ => {
                self.text.clear();
                self.spans.clear();
                self.text.reserve(rows.len() * 96);
                self.spans.reserve(rows.len());
                for row in rows {
                    let start = self.text.len() as u32;
                    push_row(&mut self.text, row, cx);
                    self.spans.push((start, self.text.len() as u32));
                }
                self.made = rows.len();
                // Not the room of a larger set of rows shown before.
                if self.text.capacity() > 2 * self.text.len() + (1 << 20) {
                    self.text.shrink_to(self.text.len() + self.text.len() / 4);
                    self.spans.shrink_to_fit();
                }
            }
        }
        self.stamps = stamps;
        self.held = if held.len() == rows.len() { held } else { Vec::new() };
        self.version = Some(version);
    }

    /// Keep the text of the rows still in the table as the same `Arc`; make the others'.
    /// Rows keep their order in a watch's set, so each is looked for near where the last
    /// one was found.
    fn keep_shared<T: Row>(&mut self, rows: &[T], new: &[SharedRow], old: &[SharedRow], cx: &RowCx) {
        let old: Vec<u64> = old.iter().map(address).collect();
        self.reuse(rows, cx, |i, next| {
            let stamp = address(&new[i]);
            if old.get(next) == Some(&stamp) {
                Some(next)
            } else {
                // A row changed or came (the ones after it are still where they were), or
                // a few went.
                (next.saturating_sub(8)..old.len().min(next + 9)).find(|&k| old[k] == stamp)
            }
        });
    }

    /// Keep the text of the rows whose stamp is in `old` (the stamps of the rows the text
    /// is for), make the others'.
    fn keep<T: Row>(&mut self, rows: &[T], new: &[u64], old: &[u64], cx: &RowCx) {
        // Stamps given since the text was made are larger than all of its.
        let newest = old.iter().copied().max().unwrap_or(0);
        let mut at: Option<HashMap<u64, u32, FixedState>> = None;
        self.reuse(rows, cx, |i, next| {
            let stamp = new[i];
            if old.get(next) == Some(&stamp) {
                Some(next)
            } else if stamp > newest {
                None
            } else if let Some(k) = (next + 1..old.len().min(next + 9)).find(|&k| old[k] == stamp) {
                // A few rows went.
                Some(k)
            } else {
                let at = at.get_or_insert_with(|| old.iter().enumerate().map(|(k, &s)| (s, k as u32)).collect());
                at.get(&stamp).map(|&k| k as usize)
            }
        });
    }

    /// Each row's text: the old row's that `find` names (given the row's index and where
    /// the old row after the last one kept is), else made anew at the end of the buffer;
    /// when the text of rows that went is a quarter of the buffer, the rest is copied out.
    fn reuse<T: Row>(&mut self, rows: &[T], cx: &RowCx, mut find: impl FnMut(usize, usize) -> Option<usize>) {
        let was = std::mem::take(&mut self.spans);
        let mut next = 0;
        let mut live = 0;
        self.made = 0;
        self.spans.reserve(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let span = match find(i, next) {
                Some(k) => {
                    next = k + 1;
                    was[k]
                }
                None => {
                    let start = self.text.len() as u32;
                    push_row(&mut self.text, row, cx);
                    self.made += 1;
                    (start, self.text.len() as u32)
                }
            };
            live += (span.1 - span.0) as usize;
            self.spans.push(span);
        }
        if self.text.len() - live.min(self.text.len()) > live / 4 {
            // Room for as much text again as is let go before the next copy.
            let mut text = String::with_capacity(live + live / 4 + 4096);
            for span in &mut self.spans {
                let start = text.len() as u32;
                text.push_str(&self.text[span.0 as usize..span.1 as usize]);
                *span = (start, text.len() as u32);
            }
            self.text = text;
        }
    }
}

impl TableState {
    /// Forget the computed rows so the next sync recomputes them.
    pub fn invalidate(&mut self) {
        self.synced = None;
    }

    /// Which rows may show at all changed (`:ns`, `:account`): start from every row again,
    /// not from the rows the last filter left.
    pub fn rebase(&mut self) {
        self.synced = None;
        self.basis = None;
    }

    pub fn selected_index(&self) -> Option<u32> {
        self.rows.get(self.cursor).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    // ---- search text kept across refreshes -----------------------------------------------

    use crate::store::Collection;
    use crate::store::collection::STAMPED;

    fn fleet_of(n: usize) -> Vec<Svc> {
        (0..n)
            .map(|i| svc(format!("svc-{i:05}").leak(), "ACTIVE", (i % 7) as u32))
            .collect()
    }

    /// Filter `rows` as a table would that has never filtered them before.
    fn cold(rows: &[Svc], filter: &str) -> Vec<u32> {
        let mut state = TableState {
            filter: filter.into(),
            ..Default::default()
        };
        sync(&mut state, rows, 0, |_| true, &cx());
        state.rows
    }

    /// Type `filter` into a table showing `set`; how many rows' text the search text's
    /// last update made.
    fn type_in(state: &mut TableState, set: &Collection<Svc>, filter: &str) -> usize {
        state.filter = filter.into();
        state.invalidate();
        sync(state, set.items(), set.version, |_| true, &cx());
        state.haystack.as_ref().map_or(0, |h| h.made)
    }

    const FILTERS: &[&str] = &[
        "draining",
        "active",
        "svc-0004",
        "!active",
        "status:act",
        "running:3 !svc-000",
        "new",
        "front",
        "svc-00042",
    ];

    fn check_against_cold(state: &mut TableState, set: &Collection<Svc>) {
        for filter in FILTERS {
            type_in(state, set, filter);
            assert_eq!(state.rows, cold(set.items(), filter), "filter {filter:?}");
        }
    }

    #[test]
    fn after_a_refresh_the_filter_sees_the_new_text_and_remakes_only_what_changed() {
        let mut rows = fleet_of(STAMPED + 100);
        let mut set = Collection::default();
        set.replace(rows.clone(), Timestamp::UNIX_EPOCH);
        let mut state = TableState::default();
        assert_eq!(type_in(&mut state, &set, "svc-00042"), rows.len());
        assert_eq!(names(&state, set.items()), ["svc-00042"]);
        // The filter is closed; a refresh changes a row's cell, replaces one, drops one and
        // puts a new one first (every row moves down).
        type_in(&mut state, &set, "");
        rows[42].status = "DRAINING";
        rows[43] = svc("svc-new", "ACTIVE", 1);
        rows.remove(100);
        rows.insert(0, svc("front", "ACTIVE", 1));
        assert!(set.replace(rows.clone(), Timestamp::UNIX_EPOCH));
        assert_eq!(
            type_in(&mut state, &set, "draining"),
            3,
            "the changed, the new and the first"
        );
        assert_eq!(names(&state, set.items()), ["svc-00042"]);
        type_in(&mut state, &set, "svc-00042 active");
        assert!(state.rows.is_empty(), "the old text is gone");
        check_against_cold(&mut state, &set);
        // Two refreshes before the next keystroke: both are seen.
        rows[43].status = "ACTIVE";
        assert_eq!(rows[43].name, "svc-00042");
        set.replace(rows.clone(), Timestamp::UNIX_EPOCH);
        rows[7].running = 98_765;
        rows.drain(500..520);
        set.replace(rows.clone(), Timestamp::UNIX_EPOCH);
        assert_eq!(type_in(&mut state, &set, "98765"), 2);
        assert_eq!(names(&state, set.items()), ["svc-00006"]);
        check_against_cold(&mut state, &set);
        // A refresh while the filter is open: the text follows at once.
        rows[3000].status = "DRAINING";
        set.replace(rows.clone(), Timestamp::UNIX_EPOCH);
        sync(&mut state, set.items(), set.version, |_| true, &cx());
        assert_eq!(state.haystack.as_ref().unwrap().made, 1);
        type_in(&mut state, &set, "drain");
        assert_eq!(state.rows, cold(set.items(), "drain"));
        assert_eq!(names(&state, set.items()).len(), 1);
    }

    #[test]
    fn text_is_made_again_for_other_rows_and_for_cells_with_metrics() {
        let mut running = Collection::default();
        running.replace(fleet_of(STAMPED + 1), Timestamp::UNIX_EPOCH);
        let mut stopped = Collection::default();
        let mut other = fleet_of(STAMPED + 2);
        other[1].status = "STOPPED";
        stopped.replace(other, Timestamp::UNIX_EPOCH);
        let mut state = TableState::default();
        // One table, two sets in turn (as running and stopped tasks): no text crosses over.
        for (set, version) in [(&running, 10), (&stopped, 11), (&running, 12)] {
            state.filter = "stopped".into();
            state.invalidate();
            sync(&mut state, set.items(), version, |_| true, &cx());
            assert_eq!(state.haystack.as_ref().unwrap().made, set.len());
            assert_eq!(state.rows, cold(set.items(), "stopped"));
        }
        // Rows that are not a collection's are made every time, as are cells with metrics.
        let plain = fleet_of(STAMPED + 1);
        let insight = crate::store::insight::Insight::default();
        let with_metrics = RowCx::with(Timestamp::UNIX_EPOCH, &insight);
        for (rows, cx) in [(&plain[..], cx()), (running.items(), with_metrics)] {
            let mut state = TableState::default();
            for version in 1..3 {
                state.filter = "svc".into();
                state.invalidate();
                sync(&mut state, rows, version, |_| true, &cx);
                assert_eq!(state.haystack.as_ref().unwrap().made, rows.len());
            }
        }
    }

    /// Rows shared as `Arc`s (a watch's objects) keep their text while the `Arc` is the
    /// same; a changed row (a new `Arc`), an added and a removed one cost only themselves.
    #[test]
    fn shared_rows_keep_their_text_by_the_row_they_are() {
        use std::sync::Arc;
        let mut rows: Vec<Arc<Svc>> = fleet_of(2_000).into_iter().map(Arc::new).collect();
        let mut state = TableState::default();
        let mut version = 1;
        let type_in = |state: &mut TableState, rows: &[Arc<Svc>], filter: &str, version: u64| {
            state.filter = filter.into();
            state.invalidate();
            sync(state, rows, version, |_| true, &cx());
            state.haystack.as_ref().map_or(0, |h| h.made)
        };
        assert_eq!(type_in(&mut state, &rows, "svc-00042", version), rows.len());
        type_in(&mut state, &rows, "", version);
        // A modified row (a new Arc at the same place), one added in the middle, one gone.
        rows[42] = Arc::new(Svc {
            status: "DRAINING",
            ..(*rows[42]).clone()
        });
        rows.insert(1000, Arc::new(svc("svc-inserted", "DRAINING", 1)));
        rows.remove(1500);
        version += 1;
        assert_eq!(
            type_in(&mut state, &rows, "draining", version),
            2,
            "the changed and the new"
        );
        let cold_rows: Vec<Svc> = rows.iter().map(|r| (**r).clone()).collect();
        for filter in FILTERS.iter().chain(&["draining", "inserted"]) {
            type_in(&mut state, &rows, filter, version);
            assert_eq!(state.rows, cold(&cold_rows, filter), "filter {filter:?}");
        }
        // The same rows again, as another version: nothing to make.
        version += 1;
        assert_eq!(type_in(&mut state, &rows, "svc", version), 0);
    }
}
