//! Sessions in the simulated fleet: a small shell in the demo container (a few commands
//! answer, `exit` returns), and forwards whose far end answers HTTP (or echoes anything
//! else). Nothing leaves the process.

use async_trait::async_trait;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

use super::session::{Io, Sessions, Shell, Stream, Tunnel};
use crate::domain::session::{NO_SERVICE_SHELL, Ports, Target};
use crate::source::sim::SimBackend;
use crate::util::arn_tail;

#[async_trait]
impl Sessions for SimBackend {
    async fn shell(&self, target: &Target, command: &str, _size: (u16, u16)) -> Result<Shell, String> {
        let program = command.split_whitespace().next().unwrap_or_default();
        if !matches!(program, "sh" | "/bin/sh" | "bash" | "/bin/bash" | "ash") {
            return Err(format!(
                "the demo container runs a shell only (/bin/sh or bash), not `{program}`"
            ));
        }
        let (near, far) = tokio::io::duplex(4096);
        let (output, input) = tokio::io::split(near);
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        let host = match target {
            Target::Ecs { task, .. } => arn_tail(task).to_string(),
            Target::Pod { pod, .. } => pod.clone(),
            Target::KubeService { .. } => return Err(NO_SERVICE_SHELL.into()),
        };
        let region = crate::util::arn_region(target.cluster())
            .unwrap_or("us-east-1")
            .to_string();
        let shell = DemoShell {
            host,
            region,
            container: command.to_string(),
        };
        tokio::spawn(async move {
            let code = shell.run(far).await;
            let _ = done_tx.send(code);
        });
        Ok(Shell::Stream(Stream {
            input: Box::new(input),
            output: Box::new(output),
            resize: None,
            done: Box::pin(async move { Ok(format!("exit {}", done_rx.await.unwrap_or(0))) }),
        }))
    }

    async fn tunnel(&self, target: &Target, ports: &Ports) -> Result<Box<dyn Tunnel>, String> {
        ports.fit(target)?;
        Ok(Box::new(DemoTunnel {
            what: format!("{} port {}", target.label(), ports.remote_label()),
        }))
    }
}

/// The demo container's shell, over one end of a duplex stream that stands for a TTY: it
/// echoes what is typed, edits the line (backspace, ctrl-u, ctrl-c), and answers a few
/// commands.
struct DemoShell {
    host: String,
    region: String,
    /// The command it was started as (for `ps`).
    container: String,
}

impl DemoShell {
    async fn run(self, mut tty: DuplexStream) -> i32 {
        let prompt = "/app # ";
        if tty.write_all(prompt.as_bytes()).await.is_err() {
            return 0;
        }
        let mut line = String::new();
        let mut buf = [0u8; 256];
        loop {
            let n = match tty.read(&mut buf).await {
                Ok(0) | Err(_) => return 0,
                Ok(n) => n,
            };
            let mut out = Vec::new();
            for ch in String::from_utf8_lossy(&buf[..n]).chars() {
                match ch {
                    '\r' | '\n' => {
                        out.extend_from_slice(b"\r\n");
                        let command = std::mem::take(&mut line);
                        match self.answer(command.trim()) {
                            Answer::Exit(code) => {
                                let _ = tty.write_all(&out).await;
                                let _ = tty.write_all(b"exit\r\n").await;
                                return code;
                            }
                            Answer::Text(text) => {
                                for l in text.lines() {
                                    out.extend_from_slice(l.as_bytes());
                                    out.extend_from_slice(b"\r\n");
                                }
                            }
                        }
                        out.extend_from_slice(prompt.as_bytes());
                    }
                    '\u{7f}' | '\u{8}' if line.pop().is_some() => out.extend_from_slice(b"\x08 \x08"),
                    '\u{3}' => {
                        line.clear();
                        out.extend_from_slice(b"^C\r\n");
                        out.extend_from_slice(prompt.as_bytes());
                    }
                    '\u{4}' if line.is_empty() => {
                        let _ = tty.write_all(b"exit\r\n").await;
                        return 0;
                    }
                    '\u{15}' => {
                        for _ in 0..line.chars().count() {
                            out.extend_from_slice(b"\x08 \x08");
                        }
                        line.clear();
                    }
                    c if !c.is_control() => {
                        line.push(c);
                        let mut utf8 = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                    }
                    _ => {}
                }
            }
            if tty.write_all(&out).await.is_err() {
                return 0;
            }
        }
    }

    fn answer(&self, command: &str) -> Answer {
        let mut words = command.split_whitespace();
        let Some(program) = words.next() else {
            return Answer::Text(String::new());
        };
        let rest: Vec<&str> = words.collect();
        Answer::Text(match program {
            "exit" | "logout" => return Answer::Exit(rest.first().and_then(|c| c.parse().ok()).unwrap_or(0)),
            "echo" => rest.join(" "),
            "hostname" => self.host.clone(),
            "whoami" => "root".into(),
            "id" => "uid=0(root) gid=0(root) groups=0(root)".into(),
            "pwd" => "/app".into(),
            "ls" => "config.yaml\nserver\nstatic".into(),
            "uname" => "Linux".into(),
            "date" => jiff::Timestamp::now().strftime("%a %b %e %H:%M:%S UTC %Y").to_string(),
            "env" | "printenv" => format!(
                "AWS_REGION={}\nHOSTNAME={}\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOME=/root",
                self.region, self.host
            ),
            "ps" => format!(
                "PID   USER     COMMAND\n    1 root     /app/server\n   27 root     {}\n   31 root     ps",
                self.container
            ),
            "cat" if rest.first() == Some(&"/etc/os-release") => {
                "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3".into()
            }
            "cat" => format!("cat: {}: No such file or directory", rest.first().unwrap_or(&"")),
            "curl" | "wget" => "{\"status\":\"ok\"}".into(),
            "help" => "this demo shell knows: echo hostname whoami id pwd ls uname date env ps cat curl exit".into(),
            other => format!("sh: {other}: not found"),
        })
    }
}

enum Answer {
    Text(String),
    Exit(i32),
}

/// The far end of a demo forward: an HTTP answer to a request, an echo of anything else.
struct DemoTunnel {
    what: String,
}

#[async_trait]
impl Tunnel for DemoTunnel {
    async fn connect(&self) -> Result<Io, String> {
        let (near, mut far) = tokio::io::duplex(16 * 1024);
        let what = self.what.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 8192];
            let mut first = true;
            while let Ok(n) = far.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                let http = first && buf[..n].split(|b| *b == b' ').next().is_some_and(is_method);
                first = false;
                if http {
                    let body = format!("{{\"status\":\"ok\",\"from\":\"{what} (bosun demo)\"}}\n");
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = far.write_all(answer.as_bytes()).await;
                    break;
                }
                if far.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        });
        Ok(Box::new(near))
    }
}

fn is_method(word: &[u8]) -> bool {
    matches!(
        word,
        b"GET" | b"HEAD" | b"POST" | b"PUT" | b"DELETE" | b"PATCH" | b"OPTIONS"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell() -> DemoShell {
        DemoShell {
            host: "0123abcd".into(),
            region: "us-east-1".into(),
            container: "/bin/sh".into(),
        }
    }

    /// What is typed is echoed and answered; `exit 3` ends the shell with its code.
    #[tokio::test]
    async fn the_demo_shell_answers_and_exits() {
        let (mut near, far) = tokio::io::duplex(4096);
        let run = tokio::spawn(shell().run(far));
        near.write_all(b"hostname\rexit 3\r").await.unwrap();
        let code = run.await.unwrap();
        assert_eq!(code, 3);
        let mut seen = String::new();
        near.read_to_string(&mut seen).await.unwrap();
        assert!(
            seen.starts_with("/app # hostname\r\n0123abcd\r\n/app # exit 3\r\n"),
            "{seen:?}"
        );
    }

    #[tokio::test]
    async fn a_demo_forward_answers_http_and_echoes_the_rest() {
        let tunnel = DemoTunnel { what: "t".into() };
        let mut io = tunnel.connect().await.unwrap();
        io.write_all(b"ping").await.unwrap();
        let mut back = [0u8; 4];
        io.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"ping");
        let mut io = tunnel.connect().await.unwrap();
        io.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        let mut answer = String::new();
        io.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    }
}
