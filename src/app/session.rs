//! Carrying sessions out, loop side: a shell with the terminal handed over (a program such
//! as `session-manager-plugin` in the foreground, or bytes bosun carries for Kubernetes
//! exec and the demo), `$PAGER` for a raw resource, and forwards in the background. Each
//! session's start and end go to the audit log.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use super::Away;
use super::handover::{key_bytes, resume, say, suspend};
use crate::domain::session::{Forward, ForwardEvent, Kind, Request};
use crate::ops::audit::Audit;
use crate::ops::session::{Program, Sessions, Shell, Stream, listen, serve_forward};

pub(super) fn record(audit: Option<&Audit>, request: &Request, result: &str, message: &str) {
    if let Some(audit) = audit
        && let Err(error) = audit.record_session(request, result, message)
    {
        tracing::error!(%error, "cannot write the audit log");
    }
}

/// Open a shell and give it the terminal until it ends: how it ended, or why it did not
/// open (the terminal untouched then).
pub async fn shell(
    sessions: &dyn Sessions,
    terminal: &mut DefaultTerminal,
    mouse: bool,
    request: &Request,
    command: &str,
    audit: Option<&Audit>,
    away: &mut Away<'_>,
) -> Result<String, String> {
    let size = terminal.size().map(|s| (s.width, s.height)).unwrap_or((80, 24));
    let opened = away.meanwhile(sessions.shell(&request.target, command, size)).await;
    let shell = match opened {
        Ok(shell) => shell,
        Err(why) => {
            record(audit, request, "failed", &why);
            return Err(why);
        }
    };
    record(audit, request, "started", "");
    let raw = matches!(shell, Shell::Stream(_));
    // Keys pressed while it opened were meant for bosun, not the container.
    while event::poll(Duration::ZERO).unwrap_or(false) {
        let _ = event::read();
    }
    if let Err(error) = suspend(mouse, raw) {
        tracing::warn!(%error, "cannot hand the terminal over");
    }
    say(&format!(
        "{} in {} ({})",
        command,
        request.target.label(),
        if raw {
            "exit ends it and returns to bosun; ctrl-] leaves it"
        } else {
            "exit ends it and returns to bosun"
        }
    ));
    let result = match shell {
        Shell::Program(program) => run_program(&program, away).await,
        Shell::Stream(stream) => carry(stream, away).await,
    };
    if let Err(error) = resume(terminal, mouse) {
        tracing::warn!(%error, "cannot take the terminal back");
    }
    let message = match &result {
        Ok(how) | Err(how) => how.clone(),
    };
    record(audit, request, "ended", &message);
    result
}

/// Run a program in the foreground with the terminal as it is (cooked): the plugin sets
/// it up itself, as under the AWS CLI. Ctrl-C goes to it; bosun ignores its own SIGINT.
async fn run_program(program: &Program, away: &mut Away<'_>) -> Result<String, String> {
    let mut child = program.command().spawn().map_err(|e| program.cannot_start(e))?;
    #[cfg(unix)]
    let mut interrupts = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    let status = away
        .meanwhile(async {
            loop {
                #[cfg(unix)]
                if let Some(i) = interrupts.as_mut() {
                    tokio::select! {
                        status = child.wait() => return status,
                        _ = i.recv() => continue,
                    }
                }
                return child.wait().await;
            }
        })
        .await
        .map_err(|e| format!("{}: {e}", program.program.display()))?;
    match status.code() {
        Some(0) => Ok("exit 0".into()),
        Some(code) => Err(format!(
            "{} exited with {code}",
            program.program.file_name().unwrap_or_default().to_string_lossy()
        )),
        None => Err("the session ended by a signal".into()),
    }
}

/// What the keyboard thread reads.
enum Typed {
    Bytes(Vec<u8>),
    Resize(u16, u16),
    /// ctrl-]: leave the session (as telnet's escape), whatever the remote side does.
    Detach,
}

/// Carry bytes between the terminal (raw) and the remote command until it ends. Keys are
/// read on a thread of their own (the app's reader is stopped), as the bytes a terminal
/// sends; a resize goes to the remote TTY.
async fn carry(stream: Stream, away: &mut Away<'_>) -> Result<String, String> {
    let Stream {
        mut input,
        mut output,
        resize,
        mut done,
    } = stream;
    let stop = Arc::new(AtomicBool::new(false));
    let (typed_tx, mut typed) = mpsc::channel::<Typed>(64);
    let reader = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match event::poll(Duration::from_millis(50)) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(_) => return,
                }
                let sent = match event::read() {
                    Ok(Event::Key(key))
                        if key.kind != KeyEventKind::Release
                            // The terminal sends 0x1d, which crossterm reads as ctrl-5.
                            && matches!(key.code, KeyCode::Char(']' | '5'))
                            && key.modifiers.contains(KeyModifiers::CONTROL) =>
                    {
                        typed_tx.blocking_send(Typed::Detach)
                    }
                    Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => {
                        typed_tx.blocking_send(Typed::Bytes(key_bytes(&key)))
                    }
                    Ok(Event::Resize(w, h)) => typed_tx.blocking_send(Typed::Resize(w, h)),
                    Ok(_) => Ok(()),
                    Err(_) => return,
                };
                if sent.is_err() {
                    return;
                }
            }
        })
    };
    let mut out = tokio::io::stdout();
    let mut buf = vec![0u8; 16 * 1024];
    let mut output_open = true;
    let result = away
        .meanwhile(async {
            loop {
                tokio::select! {
                    read = output.read(&mut buf), if output_open => match read {
                        Ok(0) | Err(_) => output_open = false,
                        Ok(n) => {
                            let _ = out.write_all(&buf[..n]).await;
                            let _ = out.flush().await;
                        }
                    },
                    t = typed.recv() => match t {
                        Some(Typed::Bytes(bytes)) => {
                            if input.write_all(&bytes).await.is_err() || input.flush().await.is_err() {
                                // The remote side is gone: what is left is its end.
                            }
                        }
                        Some(Typed::Resize(w, h)) => {
                            if let Some(r) = &resize {
                                let _ = r.try_send((w, h));
                            }
                        }
                        Some(Typed::Detach) => return Ok("left with ctrl-]".to_string()),
                        // The keyboard cannot be read any more (the terminal went away).
                        None => return Err("the terminal went away".to_string()),
                    },
                    ended = &mut done => {
                        // What it wrote last, then its end.
                        while output_open {
                            match tokio::time::timeout(Duration::from_millis(200), output.read(&mut buf)).await {
                                Ok(Ok(n)) if n > 0 => {
                                    let _ = out.write_all(&buf[..n]).await;
                                }
                                _ => output_open = false,
                            }
                        }
                        let _ = out.flush().await;
                        return ended;
                    }
                }
            }
        })
        .await;
    stop.store(true, Ordering::Relaxed);
    // A key the session never took must not hold the thread in a full channel.
    drop(typed);
    let _ = tokio::task::spawn_blocking(move || reader.join()).await;
    result
}

/// Show `text` in `$PAGER` (else `less`), from a file only its owner can read.
pub async fn page(terminal: &mut DefaultTerminal, mouse: bool, text: &str, away: &mut Away<'_>) -> Result<(), String> {
    let path = std::env::temp_dir().join(format!(
        "bosun-{}-{}.txt",
        std::process::id(),
        jiff::Timestamp::now().as_millisecond()
    ));
    if let Err(e) = write_private(&path, text) {
        let _ = std::fs::remove_file(&path);
        return Err(format!("cannot write {}: {e}", path.display()));
    }
    let pager = std::env::var("PAGER")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "less".into());
    let program = Program {
        program: "/bin/sh".into(),
        args: vec![
            "-c".into(),
            format!("{pager} \"$1\""),
            "sh".into(),
            path.display().to_string(),
        ],
        env: vec![],
    };
    if let Err(error) = suspend(mouse, false) {
        tracing::warn!(%error, "cannot hand the terminal over");
    }
    let result = run_program(&program, away).await;
    let _ = resume(terminal, mouse);
    let _ = std::fs::remove_file(&path);
    result.map(|_| ()).map_err(|why| format!("$PAGER ({pager}): {why}"))
}

/// Write a new file only its owner can read.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o400);
    }
    options.open(path)?.write_all(text.as_bytes())
}

/// Run a forward until aborted: listen on its local port (or say it is taken), open the
/// tunnel, then carry connections.
pub async fn forward(
    sessions: Arc<dyn Sessions>,
    request: Request,
    audit: Option<Arc<Audit>>,
    events: mpsc::Sender<ForwardEvent>,
) {
    let Kind::Forward(ports) = &request.kind else { return };
    let id = request.id;
    let fail = |why: String| {
        record(audit.as_deref(), &request, "failed", &why);
        ForwardEvent::Ended { id, failed: Some(why) }
    };
    let listener = match listen(ports).await {
        Ok(l) => l,
        Err(why) => {
            let _ = events.send(fail(why)).await;
            return;
        }
    };
    let tunnel = match sessions.tunnel(&request.target, ports).await {
        Ok(t) => t,
        Err(why) => {
            let _ = events.send(fail(why)).await;
            return;
        }
    };
    record(audit.as_deref(), &request, "started", "");
    let mut forward = Forward::starting(id, request.target.clone(), ports.clone(), jiff::Timestamp::now());
    forward.listening = true;
    serve_forward(forward, listener, tunnel, events).await;
}
