//! Sessions: a shell in a container, and port forwards. A [`Sessions`] (AWS and the
//! Kubernetes API, or the simulated fleet) opens them; the app loop hands the terminal
//! over for a shell, and runs forwards in the background with [`serve_forward`]. Like
//! actions, they are refused in read-only mode before any call and written to the audit
//! log (see [`super::audit::Audit::record_session`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::domain::session::{Forward, ForwardEvent, Ports, Target};

/// A byte stream both ways: one forwarded connection's far end.
pub trait Duplex: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Duplex for T {}

pub type Io = Box<dyn Duplex>;

/// An open shell.
pub enum Shell {
    /// A program that takes the terminal over (`session-manager-plugin`), run as given.
    Program(Program),
    /// Bytes bosun carries between the terminal and the remote command (Kubernetes exec,
    /// the demo's shell).
    Stream(Stream),
}

/// A program to run in the foreground with the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl Program {
    /// The command that runs it (killed if bosun drops it); the caller adds its stdio.
    pub fn command(&self) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.program);
        command
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .kill_on_drop(true);
        command
    }

    /// Why it did not start.
    pub fn cannot_start(&self, error: std::io::Error) -> String {
        format!("cannot start {}: {error}", self.program.display())
    }
}

pub struct Stream {
    /// What the user types goes here.
    pub input: Box<dyn AsyncWrite + Send + Unpin>,
    /// What the remote command writes (stdout, with stderr on a TTY).
    pub output: Box<dyn AsyncRead + Send + Unpin>,
    /// Where the terminal's new size (columns, rows) goes when it changes.
    pub resize: Option<mpsc::Sender<(u16, u16)>>,
    /// Ends when the remote command does: how it ended, for the audit log.
    pub done: BoxFuture<'static, Result<String, String>>,
}

/// The far end of a forward: one connection to the target per local connection.
#[async_trait]
pub trait Tunnel: Send + Sync {
    async fn connect(&self) -> Result<Io, String>;

    /// Why the far end cannot be reached any more, once it cannot (its plugin exited).
    fn gone(&self) -> Option<String> {
        None
    }
}

/// A place sessions are opened: AWS and the Kubernetes API, or the simulated fleet.
#[async_trait]
pub trait Sessions: Send + Sync + 'static {
    /// Open a shell running `command` in the container, the terminal `size` (columns,
    /// rows) big.
    async fn shell(&self, target: &Target, command: &str, size: (u16, u16)) -> Result<Shell, String>;

    /// Reach `ports` of the target: what a forward connects each local connection to.
    async fn tunnel(&self, target: &Target, ports: &Ports) -> Result<Box<dyn Tunnel>, String>;
}

/// The plugin AWS's Session Manager sessions go through: `BOSUN_SESSION_MANAGER_PLUGIN`,
/// else `session-manager-plugin` on `PATH`.
pub fn find_plugin() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("BOSUN_SESSION_MANAGER_PLUGIN").filter(|v| !v.is_empty()) {
        let path = PathBuf::from(named);
        return is_executable(&path).then_some(path);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("session-manager-plugin"))
        .find(|p| is_executable(p))
}

pub fn is_executable(path: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    path.is_file()
}

/// Listen on the forward's local port (127.0.0.1), or say it is taken.
pub async fn listen(ports: &Ports) -> Result<TcpListener, String> {
    TcpListener::bind(("127.0.0.1", ports.local)).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "local port {} is in use: pick another (:forward OTHER:{})",
                ports.local,
                ports.remote_label()
            )
        } else {
            format!("cannot listen on local port {}: {e}", ports.local)
        }
    })
}

/// How often a forward reports its bytes, at most.
const TRAFFIC_EVERY: Duration = Duration::from_millis(500);

/// Serve a forward until aborted (dropping it stops every connection and the tunnel):
/// each connection accepted on `listener` goes through a new connection of `tunnel`, its
/// bytes counted and reported.
pub async fn serve_forward(
    forward: Forward,
    listener: TcpListener,
    tunnel: Box<dyn Tunnel>,
    events: mpsc::Sender<ForwardEvent>,
) {
    let id = forward.id;
    let tunnel: Arc<dyn Tunnel> = Arc::from(tunnel);
    let counts = Arc::new(Counts::default());
    let _ = events.send(ForwardEvent::Started(Box::new(forward))).await;
    let mut connections = tokio::task::JoinSet::new();
    let mut tick = tokio::time::interval(TRAFFIC_EVERY);
    let mut reported = (0, 0, 0);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (local, _) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        let _ = events.send(ForwardEvent::Ended { id, failed: Some(format!("stopped accepting: {e}")) }).await;
                        return;
                    }
                };
                counts.connections.fetch_add(1, Ordering::Relaxed);
                let (tunnel, counts, events) = (tunnel.clone(), counts.clone(), events.clone());
                connections.spawn(async move {
                    match tunnel.connect().await {
                        Ok(remote) => carry(local, remote, &counts).await,
                        Err(message) => {
                            tracing::warn!(error = %message, "a forwarded connection could not reach its target");
                            // Said on the forward's row; a full queue drops it, never blocks.
                            let _ = events.try_send(ForwardEvent::Problem { id, message });
                        }
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = tick.tick() => {
                if let Some(why) = tunnel.gone() {
                    let _ = events.send(ForwardEvent::Ended { id, failed: Some(why) }).await;
                    return;
                }
                let now = counts.snapshot();
                if now != reported {
                    reported = now;
                    let (sent, received, connections) = now;
                    if events.send(ForwardEvent::Traffic { id, sent, received, connections }).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

#[derive(Default)]
struct Counts {
    sent: AtomicU64,
    received: AtomicU64,
    connections: AtomicU64,
}

impl Counts {
    fn snapshot(&self) -> (u64, u64, u64) {
        (
            self.sent.load(Ordering::Relaxed),
            self.received.load(Ordering::Relaxed),
            self.connections.load(Ordering::Relaxed),
        )
    }
}

/// Copy both ways until both sides are done, counting.
async fn carry(local: tokio::net::TcpStream, remote: Io, counts: &Counts) {
    let (mut local_read, mut local_write) = local.into_split();
    let (mut remote_read, mut remote_write) = tokio::io::split(remote);
    let out = pump(&mut local_read, &mut remote_write, &counts.sent);
    let back = pump(&mut remote_read, &mut local_write, &counts.received);
    let _ = tokio::join!(out, back);
}

async fn pump<R, W>(from: &mut R, to: &mut W, count: &AtomicU64) -> std::io::Result<()>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = from.read(&mut buf).await?;
        if n == 0 {
            return to.shutdown().await;
        }
        to.write_all(&buf[..n]).await?;
        to.flush().await?;
        count.fetch_add(n as u64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tunnel whose far end echoes: what a forward carries comes back, counted.
    struct Echo;

    /// A tunnel whose far end cannot be reached.
    struct Unreachable;

    #[async_trait]
    impl Tunnel for Unreachable {
        async fn connect(&self) -> Result<Io, String> {
            Err("pod web-1 is not running".into())
        }
    }

    /// A connection that cannot reach the target is said, and the forward goes on.
    #[tokio::test]
    async fn a_connection_that_fails_is_reported_and_the_forward_goes_on() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let target = Target::Pod {
            cluster: "c".into(),
            namespace: "ns".into(),
            pod: "web-1".into(),
            container: "app".into(),
        };
        let ports = Ports {
            local: port,
            host: None,
            remote: 80,
        };
        let forward = Forward::starting(7, target, ports, jiff::Timestamp::UNIX_EPOCH);
        let (tx, mut rx) = mpsc::channel(16);
        let task = tokio::spawn(serve_forward(forward, listener, Box::new(Unreachable), tx));
        let _conn = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        loop {
            match rx.recv().await {
                Some(ForwardEvent::Problem { id, message }) => {
                    assert_eq!((id, message.as_str()), (7, "pod web-1 is not running"));
                    break;
                }
                Some(ForwardEvent::Ended { .. }) | None => panic!("the forward stopped"),
                Some(_) => {}
            }
        }
        assert!(!task.is_finished(), "still listening");
        task.abort();
    }

    #[async_trait]
    impl Tunnel for Echo {
        async fn connect(&self) -> Result<Io, String> {
            let (near, mut far) = tokio::io::duplex(1024);
            tokio::spawn(async move {
                let mut buf = [0u8; 64];
                while let Ok(n) = far.read(&mut buf).await {
                    if n == 0 || far.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
            Ok(Box::new(near))
        }
    }

    #[tokio::test]
    async fn a_forward_carries_bytes_both_ways_and_counts_them() {
        let ports = Ports {
            local: 0,
            host: None,
            remote: 80,
        };
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let target = Target::Pod {
            cluster: "c".into(),
            namespace: "ns".into(),
            pod: "p".into(),
            container: "app".into(),
        };
        let forward = Forward::starting(1, target, ports, jiff::Timestamp::UNIX_EPOCH);
        let (tx, mut rx) = mpsc::channel(16);
        let task = tokio::spawn(serve_forward(forward, listener, Box::new(Echo), tx));
        assert!(matches!(rx.recv().await, Some(ForwardEvent::Started(_))));
        let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        conn.write_all(b"ping").await.unwrap();
        let mut back = [0u8; 4];
        conn.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"ping");
        loop {
            match rx.recv().await {
                Some(ForwardEvent::Traffic {
                    sent,
                    received,
                    connections,
                    ..
                }) if sent == 4 && received == 4 => {
                    assert_eq!(connections, 1);
                    break;
                }
                Some(_) => {}
                None => panic!("the forward ended"),
            }
        }
        task.abort();
    }

    #[tokio::test]
    async fn a_local_port_in_use_is_named() {
        let taken = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = taken.local_addr().unwrap().port();
        let error = listen(&Ports {
            local: port,
            host: None,
            remote: 80,
        })
        .await
        .unwrap_err();
        assert!(error.contains(&format!("local port {port} is in use")), "{error}");
    }
}
