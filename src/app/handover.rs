//! Handing the terminal over, and taking it back: for a shell in a container and for
//! `$PAGER`. Over: mouse reporting off, the alternate screen left, the cursor shown, raw
//! mode off for a program that sets up the terminal itself (`session-manager-plugin`, a
//! pager) or kept on where bosun carries the bytes (Kubernetes exec, the demo's shell:
//! the remote TTY echoes). Back: the reverse, and a full redraw.

use std::io::Write;

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::crossterm::{cursor, execute, terminal};

/// Give the terminal away; `raw`: keep raw mode (bosun forwards every key). Every step is
/// tried even when one fails, so a terminal is never left half handed over; the first
/// failure is returned.
pub fn suspend(mouse: bool, raw: bool) -> std::io::Result<()> {
    let mut out = std::io::stdout();
    let mut first = Ok(());
    let mut keep = |r: std::io::Result<()>| {
        if first.is_ok() {
            first = r;
        }
    };
    if mouse {
        keep(out.write_all(super::MOUSE_OFF.as_bytes()));
    }
    keep(execute!(out, terminal::LeaveAlternateScreen, cursor::Show));
    if !raw {
        keep(terminal::disable_raw_mode());
    }
    keep(out.flush());
    first
}

/// Take the terminal back and draw everything again, every step tried as in [`suspend`].
/// The screen is cleared here and a blank frame drawn, so the next frame is drawn whole
/// (ratatui's own `clear` asks the terminal where its cursor is, which a terminal just
/// handed back may not answer in time).
pub fn resume(terminal: &mut DefaultTerminal, mouse: bool) -> std::io::Result<()> {
    let mut out = std::io::stdout();
    let mut first = Ok(());
    let mut keep = |r: std::io::Result<()>| {
        if first.is_ok() {
            first = r;
        }
    };
    keep(terminal::enable_raw_mode());
    keep(execute!(
        out,
        terminal::EnterAlternateScreen,
        terminal::Clear(terminal::ClearType::All),
        cursor::Hide
    ));
    if mouse {
        keep(out.write_all(super::MOUSE_ON.as_bytes()));
    }
    keep(out.flush());
    keep(
        terminal
            .draw(|frame| frame.render_widget(ratatui::widgets::Clear, frame.area()))
            .map(|_| ()),
    );
    first
}

/// A line said on the plain screen before the session starts (`\r\n`: raw mode may be on).
pub fn say(line: &str) {
    let mut out = std::io::stdout();
    let _ = write!(out, "\r\nbosun: {line}\r\n").and_then(|()| out.flush());
}

/// The bytes a terminal sends for a key, as a remote TTY expects them (xterm's encoding).
pub fn key_bytes(key: &KeyEvent) -> Vec<u8> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let mut bytes = match key.code {
        KeyCode::Char(c) if ctrl => match c.to_ascii_lowercase() {
            c @ 'a'..='z' => vec![c as u8 - b'a' + 1],
            '@' | ' ' | '2' => vec![0],
            '[' | '3' => vec![0x1b],
            '\\' | '4' => vec![0x1c],
            ']' | '5' => vec![0x1d],
            '^' | '6' => vec![0x1e],
            '_' | '7' | '/' => vec![0x1f],
            _ => return Vec::new(),
        },
        KeyCode::Char(c) => c.to_string().into_bytes(),
        KeyCode::Enter => vec![b'\r'],
        KeyCode::Tab => vec![b'\t'],
        KeyCode::BackTab => b"\x1b[Z".to_vec(),
        KeyCode::Backspace => vec![0x7f],
        KeyCode::Esc => vec![0x1b],
        KeyCode::Up => b"\x1b[A".to_vec(),
        KeyCode::Down => b"\x1b[B".to_vec(),
        KeyCode::Right => b"\x1b[C".to_vec(),
        KeyCode::Left => b"\x1b[D".to_vec(),
        KeyCode::Home => b"\x1b[H".to_vec(),
        KeyCode::End => b"\x1b[F".to_vec(),
        KeyCode::PageUp => b"\x1b[5~".to_vec(),
        KeyCode::PageDown => b"\x1b[6~".to_vec(),
        KeyCode::Delete => b"\x1b[3~".to_vec(),
        KeyCode::Insert => b"\x1b[2~".to_vec(),
        KeyCode::F(n @ 1..=4) => vec![0x1b, b'O', b'P' + (n - 1)],
        KeyCode::F(n) => {
            let code = match n {
                5 => 15,
                6 => 17,
                7 => 18,
                8 => 19,
                9 => 20,
                10 => 21,
                11 => 23,
                12 => 24,
                _ => return Vec::new(),
            };
            format!("\x1b[{code}~").into_bytes()
        }
        _ => Vec::new(),
    };
    if alt && !bytes.is_empty() {
        bytes.insert(0, 0x1b);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_become_the_bytes_a_terminal_sends() {
        assert_eq!(key_bytes(&key(KeyCode::Char('c'), KeyModifiers::CONTROL)), vec![3]);
        assert_eq!(key_bytes(&key(KeyCode::Char('D'), KeyModifiers::CONTROL)), vec![4]);
        assert_eq!(key_bytes(&key(KeyCode::Char('é'), KeyModifiers::NONE)), "é".as_bytes());
        assert_eq!(key_bytes(&key(KeyCode::Enter, KeyModifiers::NONE)), b"\r");
        assert_eq!(key_bytes(&key(KeyCode::Backspace, KeyModifiers::NONE)), vec![0x7f]);
        assert_eq!(key_bytes(&key(KeyCode::Up, KeyModifiers::NONE)), b"\x1b[A");
        assert_eq!(key_bytes(&key(KeyCode::Char('b'), KeyModifiers::ALT)), b"\x1bb");
        assert_eq!(key_bytes(&key(KeyCode::F(5), KeyModifiers::NONE)), b"\x1b[15~");
    }
}
