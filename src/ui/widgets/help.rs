//! The help overlay, generated from the keymap so it can never disagree with it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Widget};

use crate::ui::keymap::{Command, Keymap, Section};
use crate::ui::theme::Theme;

/// Every line of help: key bindings by section, then the `:` commands.
pub fn lines(keymap: &Keymap, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut sections: Vec<Section> = Command::all().map(|c| c.section()).collect();
    sections.dedup();
    for section in sections {
        out.push(Line::from(Span::styled(section.title(), theme.title)));
        for command in Command::all().filter(|c| c.section() == section) {
            let keys = keymap
                .keys_for(command)
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(" ");
            out.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), theme.key),
                Span::styled(command.help(), theme.text),
            ]));
        }
        out.push(Line::default());
    }
    out.push(Line::from(Span::styled("Commands (after :)", theme.title)));
    for spec in crate::ui::commands::all() {
        out.push(Line::from(vec![
            Span::styled(format!("  {:<16}", spec.usage), theme.key),
            Span::styled(spec.help, theme.text),
        ]));
    }
    out
}

pub fn render(buf: &mut Buffer, area: Rect, offset: usize, keymap: &Keymap, theme: &Theme) {
    let lines = lines(keymap, theme);
    let width = area.width.saturating_sub(4).min(72);
    let height = area.height.saturating_sub(2).min(lines.len() as u16 + 2);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    Clear.render(popup, buf);
    let visible = height.saturating_sub(2) as usize;
    let offset = offset.min(lines.len().saturating_sub(visible));
    let more = if offset + visible < lines.len() {
        " j/k scroll "
    } else {
        ""
    };
    Paragraph::new(lines.into_iter().skip(offset).collect::<Vec<_>>())
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_type(BorderType::Rounded)
                .border_style(theme.border_focused)
                .title(Span::styled(" help ", theme.title))
                .title_bottom(Span::styled(more, theme.muted)),
        )
        .render(popup, buf);
}
