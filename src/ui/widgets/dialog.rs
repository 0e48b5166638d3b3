//! An action's dialog: where it lands, the exact change, and what confirms it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::store::Store;
use crate::store::revisions_key;
use crate::store::ui::{Dialog, Step};
use crate::ui::theme::Theme;
use crate::util::task_def_short;

/// Draw the dialog over `area`. Returns where the terminal cursor goes while typing.
pub fn render(buf: &mut Buffer, area: Rect, store: &Store, dialog: &Dialog, theme: &Theme) -> Option<(u16, u16)> {
    // On small screens the dialog takes the whole width: slivers of the table behind it
    // would only be noise.
    let width = if area.width < 90 { area.width } else { 76 };
    let inner_width = width.saturating_sub(4) as usize;
    let mut lines: Vec<Line<'_>> = Vec::new();
    let label_width = dialog.target.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in &dialog.target {
        lines.push(Line::from(vec![
            Span::styled(format!("{key:<label_width$}  "), theme.label),
            Span::styled(value.clone(), theme.text),
        ]));
    }
    lines.push(Line::default());
    // Where the typed text is, to place the cursor: (line index, column).
    let mut cursor: Option<(usize, usize)> = None;
    let hint: String;
    match &dialog.step {
        Step::Ask { prompt, input, .. } => {
            lines.push(Line::from(Span::styled(prompt.clone(), theme.label)));
            let before: String = input.text.chars().take(input.cursor).collect();
            cursor = Some((lines.len(), 2 + before.width()));
            lines.push(Line::from(vec![
                Span::styled("> ", theme.key),
                Span::styled(input.text.clone(), theme.input),
            ]));
            hint = "enter: next · esc: cancel".into();
        }
        Step::Pick {
            family,
            account,
            region,
            current,
            cursor: at,
            ..
        } => {
            match store.revisions.get(&revisions_key(account, region, family)) {
                None => lines.push(Line::from(Span::styled(
                    format!("loading the revisions of {family}…"),
                    theme.muted,
                ))),
                Some(Err(e)) => lines.push(Line::from(Span::styled(e.to_string(), theme.status_err))),
                Some(Ok(list)) => {
                    lines.push(Line::from(Span::styled(
                        format!("revisions of {family}, newest first"),
                        theme.label,
                    )));
                    // A window of the list around the cursor.
                    let window = 6usize;
                    let start = at.saturating_sub(window / 2).min(list.len().saturating_sub(window));
                    for (i, arn) in list.iter().enumerate().skip(start).take(window) {
                        let mut text = format!("  {}", task_def_short(arn));
                        if arn == current {
                            text.push_str("   (running now)");
                        }
                        let style = if i == *at { theme.row_selected } else { theme.text };
                        lines.push(Line::from(Span::styled(text, style)));
                    }
                }
            }
            hint = "j/k: choose · enter: next · esc: cancel".into();
        }
        Step::Confirm { op, name, typed } => {
            lines.push(Line::from(Span::styled(
                format!("{} {}", op.verb(), op.target()),
                theme.label,
            )));
            for change in op.change() {
                for row in hang(&change, inner_width, 2, 4) {
                    lines.push(Line::from(Span::styled(row, theme.title)));
                }
            }
            lines.push(Line::default());
            match name {
                None => hint = "y: send it · n or esc: cancel".into(),
                Some(name) => {
                    lines.push(Line::from(Span::styled(format!("type {name} to confirm"), theme.label)));
                    let before: String = typed.text.chars().take(typed.cursor).collect();
                    cursor = Some((lines.len(), 2 + before.width()));
                    lines.push(Line::from(vec![
                        Span::styled("> ", theme.key),
                        Span::styled(typed.text.clone(), theme.input),
                    ]));
                    hint = "enter: send it · esc: cancel".into();
                }
            }
        }
    }
    if let Some(error) = &dialog.error {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(format!("✗ {error}"), theme.status_err)));
    }

    // Wrapped lines need more rows than lines.
    let rows: u16 = lines
        .iter()
        .map(|l| (l.width().max(1)).div_ceil(inner_width.max(1)) as u16)
        .sum();
    let height = (rows + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width.saturating_sub(width)) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    };
    Clear.render(popup, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused)
        .title(Span::styled(format!(" {} ", dialog.title), theme.title))
        .title_bottom(Span::styled(format!(" {hint} "), theme.muted))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(popup);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(popup, buf);
    cursor.map(|(line, column)| (inner.x + column as u16, inner.y + line as u16))
}

/// `text` broken at spaces into rows of at most `width` columns: the first indented by
/// `first`, the rest by `rest` (a word longer than a row is left to the paragraph's wrap).
fn hang(text: &str, width: usize, first: usize, rest: usize) -> Vec<String> {
    let mut rows = Vec::new();
    let mut row = " ".repeat(first);
    let mut empty = true;
    for word in text.split(' ') {
        if !empty && row.width() + 1 + word.width() > width {
            rows.push(std::mem::replace(&mut row, " ".repeat(rest)));
            empty = true;
        }
        if !empty {
            row.push(' ');
        }
        row.push_str(word);
        empty = false;
    }
    rows.push(row);
    rows
}

#[cfg(test)]
mod tests {
    use super::hang;

    #[test]
    fn a_long_change_hangs_under_its_first_row() {
        assert_eq!(
            hang("capacity providers: FARGATE base 2 weight 1 → -", 24, 2, 4),
            ["  capacity providers:", "    FARGATE base 2", "    weight 1 → -"]
        );
        assert_eq!(hang("desired 3 → 7", 40, 2, 4), ["  desired 3 → 7"]);
    }
}
