//! The domain: what bosun knows about a fleet and what it can do to it, as plain data. No I/O,
//! no terminal, no store: the resources (ECS, EKS, Kubernetes, what the insight views read),
//! the reads ([`fetch::Fetch`] and what it returns), the writes ([`op::Op`] and how each one
//! ends) and the errors a person reads. Every other layer names this one.

pub mod account;
pub mod apprunner;
pub mod deploy;
pub mod ecs;
pub mod eks;
pub mod fetch;
pub mod fleet;
pub mod insight;
pub mod kinds;
pub mod kube;
pub mod metrics;
pub mod objects;
pub mod op;
pub mod raw;
pub mod session;
pub mod timeline;

use serde::Serialize;

pub use ecs::*;
pub use eks::EksCluster;
pub use fleet::{ClusterKind, FleetRow};

/// Anything kept in a collection: it has a stable key (an ARN or an id).
pub trait Keyed {
    fn key(&self) -> &str;
}

impl<T: Keyed> Keyed for std::sync::Arc<T> {
    fn key(&self) -> &str {
        (**self).key()
    }
}

/// Why a fetch failed, for the places that branch on it (backoff, messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErrorKind {
    /// Missing, expired or rejected credentials.
    Auth,
    /// Authenticated, but not allowed.
    Forbidden,
    Throttled,
    /// The endpoint could not be reached or the connection broke.
    Network,
    NotFound,
    /// The service answered with an error of its own.
    Service,
}

/// A failed fetch, as the user reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    pub kind: ErrorKind,
    pub message: String,
}

impl FetchError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        FetchError {
            kind,
            message: message.into(),
        }
    }
}

/// Who bosun is talking to AWS as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub account: String,
    pub arn: String,
}

/// Tasks in the order a person scans them: the newest first (started, or stopped), ties
/// by id for a stable order. Cheap on tasks already in order, as [`fetch::DataEvent::new`]
/// leaves them.
pub fn sort_tasks(tasks: &mut Vec<Task>, stopped: bool) {
    let when = |t: &Task| {
        if stopped {
            t.stopped_at.or(t.stopping_at)
        } else {
            t.created_at
        }
    };
    // Sort small keys and move each task once: a task is half a kilobyte, and swapping
    // 100,000 of them about in a sort costs more than the sort.
    let mut order: Vec<(Option<jiff::Timestamp>, u32)> =
        tasks.iter().enumerate().map(|(i, t)| (when(t), i as u32)).collect();
    // Ids are unique: an unstable sort gives the one order.
    order.sort_unstable_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| tasks[a.1 as usize].id.cmp(&tasks[b.1 as usize].id))
    });
    if order.iter().enumerate().all(|(k, &(_, i))| k == i as usize) {
        return;
    }
    let mut slots: Vec<Option<Task>> = std::mem::take(tasks).into_iter().map(Some).collect();
    *tasks = order
        .iter()
        .map(|&(_, i)| slots[i as usize].take().expect("each task once"))
        .collect();
}

macro_rules! keyed_by {
    ($($ty:ty => $field:ident),* $(,)?) => {
        $(impl Keyed for $ty {
            fn key(&self) -> &str {
                &self.$field
            }
        })*
    };
}

keyed_by! {
    Cluster => arn,
    EksCluster => arn,
    Service => arn,
    Task => arn,
    ContainerInstance => arn,
    Deployment => id,
    ServiceEvent => id,
    Container => name,
    FleetRow => arn,
}
