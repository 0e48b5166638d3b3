//! Drawing the one generic table: columns that drop by priority when the terminal is narrow,
//! the selected row, the sort indicator, the error on the border, and only the visible rows
//! touched. Its model (rows, filter, sort, selection) is `store::table`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Widget};
use unicode_width::UnicodeWidthStr;

use crate::store::table::{Align, Area, Cell, Column, Row, RowCx, TableState};
use crate::ui::theme::Theme;
use crate::util::ellipsize;

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
    let columns = crate::store::table::columns_of(rows);
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
    let (columns, cells) = texts(rows, hidden, cx);
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

/// The shown columns of `rows` and the text of each of their cells.
fn texts<'c, T: Row>(rows: &[&T], hidden: &[usize], cx: &RowCx) -> (Vec<(usize, &'c Column)>, Vec<Vec<String>>) {
    let columns: Vec<(usize, &Column)> = rows
        .first()
        .map_or_else(T::columns, |r| r.row_columns())
        .iter()
        .enumerate()
        .filter(|(i, _)| !hidden.contains(i))
        .collect();
    let cells = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|(i, _)| row.cell(*i, cx).text.into_owned())
                .collect()
        })
        .collect();
    (columns, cells)
}

/// A cell of a Markdown table: a pipe would end the cell, a line break the row.
pub fn md_cell(text: &str) -> String {
    let text = text.replace('|', "\\|").replace(['\n', '\r'], " ");
    if text.trim().is_empty() { " ".to_string() } else { text }
}

/// A Markdown table of `headers` and `rows` of text, every column left-aligned.
pub fn md_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let mut out = line(headers.iter().map(|h| md_cell(h)).collect());
    out.push_str(&format!("|{}|\n", vec![":--"; headers.len()].join("|")));
    for row in rows {
        out.push_str(&line(row.iter().map(|c| md_cell(c)).collect()));
    }
    out
}

/// `rows` as a Markdown table (GitHub's, which Slack and most tickets render too): the
/// shown columns, right-aligned where the table aligns them right; `first`, a column put
/// before them (its name, and a cell per row).
pub fn markdown<T: Row>(rows: &[&T], hidden: &[usize], cx: &RowCx, first: Option<(&str, &[&str])>) -> String {
    let (columns, cells) = texts(rows, hidden, cx);
    let cell = md_cell;
    let mut names: Vec<String> = first.iter().map(|(name, _)| cell(name)).collect();
    names.extend(columns.iter().map(|(_, c)| cell(c.name)));
    let mut rules: Vec<&str> = first.iter().map(|_| ":--").collect();
    rules.extend(columns.iter().map(|(_, c)| match c.align {
        Align::Right => "--:",
        Align::Left => ":--",
    }));
    let mut out = format!("| {} |\n|{}|\n", names.join(" | "), rules.join("|"));
    for (n, row) in cells.iter().enumerate() {
        let mut texts: Vec<String> = first
            .iter()
            .map(|(_, all)| cell(all.get(n).copied().unwrap_or("")))
            .collect();
        texts.extend(row.iter().map(|t| cell(t)));
        out.push_str(&format!("| {} |\n", texts.join(" | ")));
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
    use crate::domain::Keyed;
    use crate::store::table::sync;
    use jiff::Timestamp;

    const COLUMNS: &[Column] = &[
        Column::new("NAME", 8, 0, 0),
        Column::new("STATUS", 8, 8, 1),
        Column::new("RUNNING", 7, 7, 2).right(),
    ];

    fn cx() -> RowCx<'static> {
        RowCx::at(Timestamp::UNIX_EPOCH)
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
    fn a_markdown_table_keeps_pipes_and_line_breaks_inside_their_cells() {
        struct Line(&'static str, &'static str, u32);
        impl Keyed for Line {
            fn key(&self) -> &str {
                self.0
            }
        }
        impl Row for Line {
            fn columns() -> &'static [Column] {
                COLUMNS
            }
            fn cell(&self, column: usize, _: &RowCx) -> Cell<'_> {
                match column {
                    0 => Cell::new(self.0),
                    1 => Cell::new(self.1),
                    _ => Cell::new(self.2.to_string()),
                }
            }
        }
        let rows = [Line("web", "a|b\nc", 3), Line("api", "", 0)];
        let refs: Vec<&Line> = rows.iter().collect();
        let text = markdown(&refs, &[], &cx(), Some(("CLUSTER", &["prod", "staging"])));
        assert_eq!(
            text,
            "| CLUSTER | NAME | STATUS | RUNNING |\n|:--|:--|:--|--:|\n| prod | web | a\\|b c | 3 |\n| staging | api |   | 0 |\n"
        );
        assert_eq!(
            markdown(&refs, &[1], &cx(), None).lines().next(),
            Some("| NAME | RUNNING |")
        );
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
