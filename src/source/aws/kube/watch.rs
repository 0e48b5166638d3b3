//! The watches: one watcher per kind per cluster (three for workloads), started the first
//! time a screen asks. Each keeps what bosun shows of its objects, projected as the
//! events arrive (the API's objects, with their managed fields and whole specs, are
//! dropped at once), and what changed since the app last read: a read costs no API call
//! and copies nothing while nothing changes.
//!
//! The first list is watch-list streaming where the API server offers it (the WatchList
//! feature), pages of 500 where it refuses it; either way its objects are shown as they
//! arrive, with no deadline: only a list that stops making progress is an error.

use std::collections::HashMap;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::storage::v1::StorageClass as K8sStorageClass;
use kube::Resource;
use kube::api::Api;
use kube::runtime::{WatchStreamExt, watcher};
use serde::de::DeserializeOwned;
use tokio::task::AbortHandle;

use crate::domain::kube::{KubeChanges, KubeKind, KubeList};
use crate::domain::{ErrorKind, FetchError, Keyed};

use super::convert::*;
use super::{Conn, Shared, lock};

/// A first list that has brought nothing new for this long is stuck, and says so.
pub(super) const STALLED: Duration = Duration::from_secs(60);

/// Objects a page of a paged first list holds.
const PAGE: u32 = 500;

/// One watcher's objects as bosun shows them, and what changed since the last read.
pub(super) struct Cache<T> {
    items: HashMap<String, Arc<T>>,
    /// Since the last read, by key: the object added or changed, or `None`: deleted.
    pending: HashMap<String, Option<Arc<T>>>,
    /// The next read gives everything: nothing was read yet, or the watch listed again.
    reset: bool,
    /// A list after the first (the watch lost its place): its objects so far, compared
    /// with `items` when it ends.
    relist: Option<HashMap<String, Arc<T>>>,
    /// Whether the first list has ended.
    listed: bool,
    /// When the first list last brought something (or started).
    progress: Instant,
    error: Option<FetchError>,
}

impl<T: Keyed + PartialEq> Cache<T> {
    fn new() -> Self {
        Cache {
            items: HashMap::new(),
            pending: HashMap::new(),
            reset: true,
            relist: None,
            listed: false,
            progress: Instant::now(),
            error: None,
        }
    }

    /// One watcher event, its object already projected.
    fn apply(&mut self, event: watcher::Event<Arc<T>>) {
        self.error = None;
        match event {
            watcher::Event::Init => {
                self.progress = Instant::now();
                if self.listed {
                    self.relist = Some(HashMap::new());
                }
            }
            watcher::Event::InitApply(object) => {
                self.progress = Instant::now();
                match &mut self.relist {
                    Some(relist) => {
                        relist.insert(object.key().to_string(), object);
                    }
                    // The first list is shown as it arrives.
                    None => self.upsert(object),
                }
            }
            watcher::Event::InitDone => {
                self.listed = true;
                if let Some(relist) = self.relist.take() {
                    let gone: Vec<String> = self
                        .items
                        .keys()
                        .filter(|k| !relist.contains_key(*k))
                        .cloned()
                        .collect();
                    for key in gone {
                        self.delete(&key);
                    }
                    for (_, object) in relist {
                        self.upsert(object);
                    }
                }
            }
            watcher::Event::Apply(object) => self.upsert(object),
            watcher::Event::Delete(object) => self.delete(object.key()),
        }
    }

    fn upsert(&mut self, object: Arc<T>) {
        if self.items.get(object.key()).is_some_and(|old| **old == *object) {
            return;
        }
        let key = object.key().to_string();
        self.pending.insert(key.clone(), Some(object.clone()));
        self.items.insert(key, object);
    }

    fn delete(&mut self, key: &str) {
        if self.items.remove(key).is_some() {
            self.pending.insert(key.to_string(), None);
        }
    }

    /// What changed since the last read (everything, the first time), leaving nothing
    /// pending. `wrap` makes the list of its kind.
    fn take(&mut self) -> (bool, Vec<Arc<T>>, Vec<String>) {
        if std::mem::take(&mut self.reset) {
            self.pending.clear();
            return (true, self.items.values().cloned().collect(), Vec::new());
        }
        let mut upsert = Vec::new();
        let mut removed = Vec::new();
        for (key, change) in self.pending.drain() {
            match change {
                Some(object) => upsert.push(object),
                None => removed.push(key),
            }
        }
        (false, upsert, removed)
    }
}

/// A cache that any of the kinds' caches can stand behind, for what the reads share.
trait Progress {
    fn listed(&self) -> bool;
    fn count(&self) -> usize;
    fn since(&self) -> Instant;
    fn error(&self) -> Option<FetchError>;
    fn started_over(&mut self);
}

impl<T: Keyed + PartialEq> Progress for Cache<T> {
    fn listed(&self) -> bool {
        self.listed
    }
    fn count(&self) -> usize {
        self.items.len()
    }
    fn since(&self) -> Instant {
        self.progress
    }
    fn error(&self) -> Option<FetchError> {
        self.error.clone()
    }
    /// The next read gives everything.
    fn started_over(&mut self) {
        self.reset = true;
    }
}

/// The caches of one kind: one watcher's, or three for workloads.
pub(super) enum Caches {
    Nodes(Shared<Cache<crate::domain::kube::Node>>),
    Pods(Shared<Cache<crate::domain::kube::Pod>>),
    Workloads([Shared<Cache<crate::domain::kube::Workload>>; 3]),
    Hpas(Shared<Cache<crate::domain::kube::Hpa>>),
    Events(Shared<Cache<crate::domain::kube::KubeEvent>>),
    Pvcs(Shared<Cache<crate::domain::kube::Pvc>>),
    Classes(Shared<Cache<crate::domain::kube::StorageClass>>),
}

pub(super) struct Watch {
    caches: Caches,
    tasks: Vec<AbortHandle>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Watch {
    /// Run `f` over every cache of the kind, for what their reads share.
    fn each<R>(&self, mut f: impl FnMut(&mut dyn Progress) -> R) -> Vec<R> {
        fn one<T: Keyed + PartialEq, R>(c: &Shared<Cache<T>>, f: &mut impl FnMut(&mut dyn Progress) -> R) -> R {
            f(&mut *lock(c))
        }
        match &self.caches {
            Caches::Nodes(c) => vec![one(c, &mut f)],
            Caches::Pods(c) => vec![one(c, &mut f)],
            Caches::Workloads(all) => all.iter().map(|c| one(c, &mut f)).collect(),
            Caches::Hpas(c) => vec![one(c, &mut f)],
            Caches::Events(c) => vec![one(c, &mut f)],
            Caches::Pvcs(c) => vec![one(c, &mut f)],
            Caches::Classes(c) => vec![one(c, &mut f)],
        }
    }

    /// What changed since the last read, of every cache of the kind.
    fn take(&self) -> (bool, KubeList, Vec<String>) {
        macro_rules! one {
            ($cache:expr, $kind:ident) => {{
                let (reset, items, removed) = lock($cache).take();
                (reset, KubeList::$kind(items), removed)
            }};
        }
        match &self.caches {
            Caches::Nodes(c) => one!(c, Nodes),
            Caches::Pods(c) => one!(c, Pods),
            Caches::Hpas(c) => one!(c, Hpas),
            Caches::Events(c) => one!(c, Events),
            Caches::Pvcs(c) => one!(c, Pvcs),
            Caches::Classes(c) => one!(c, StorageClasses),
            Caches::Workloads(all) => {
                // One of the three listed again: give all three whole.
                if all.iter().any(|c| lock(c).reset) {
                    for c in all {
                        lock(c).reset = true;
                    }
                }
                let (mut reset, mut items, mut removed) = (false, Vec::new(), Vec::new());
                for c in all {
                    let (r, i, gone) = lock(c).take();
                    reset |= r;
                    items.extend(i);
                    removed.extend(gone);
                }
                (reset, KubeList::Workloads(items), removed)
            }
        }
    }
}

impl Conn {
    /// Every pod, if the pods' watch has listed them all.
    pub(super) fn listed_pods(&self) -> Option<Vec<Arc<crate::domain::kube::Pod>>> {
        let watch = lock(&self.watches).get(&KubeKind::Pods).cloned()?;
        match &watch.caches {
            Caches::Pods(cache) => {
                let cache = lock(cache);
                cache.listed.then(|| cache.items.values().cloned().collect())
            }
            _ => None,
        }
    }

    /// What changed in `kind` since the last read (everything, the first time), starting
    /// its watch the first time it is asked for. While the first list is arriving, what
    /// has arrived so far, and how much.
    pub async fn changes(self: &Arc<Self>, kind: KubeKind) -> Result<KubeChanges, FetchError> {
        let (watch, new) = {
            let mut watches = lock(&self.watches);
            match watches.get(&kind) {
                Some(w) => (w.clone(), false),
                None => {
                    let w = Arc::new(self.start(kind));
                    watches.insert(kind, w.clone());
                    (w, true)
                }
            }
        };
        if new {
            // A first page, or the answer that there is none, usually comes quickly: wait
            // for it a little rather than show an empty table for one refresh.
            for _ in 0..20 {
                let any = watch.each(|c| c.listed() || c.count() > 0 || c.error().is_some());
                if any.iter().all(|a| *a) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let states = watch.each(|c| (c.listed(), c.count(), c.since(), c.error()));
        let listed = states.iter().all(|s| s.0);
        let count: usize = states.iter().map(|s| s.1).sum();
        if let Some(error) = states.iter().find_map(|s| s.3.clone()) {
            return Err(error);
        }
        if !listed
            && let Some(since) = states.iter().filter(|s| !s.0).map(|s| s.2).min()
            && since.elapsed() >= STALLED
        {
            return Err(FetchError::new(
                ErrorKind::Network,
                format!(
                    "the list of {} of {} has brought nothing for {} s ({count} so far): the API server may be overloaded",
                    kind.as_str(),
                    self.place.cluster,
                    since.elapsed().as_secs()
                ),
            ));
        }
        let (reset, upsert, removed) = watch.take();
        Ok(KubeChanges {
            reset,
            upsert,
            removed,
            listing: (!listed).then_some(count),
        })
    }

    fn start(self: &Arc<Self>, kind: KubeKind) -> Watch {
        let mut tasks = Vec::new();
        let what = format!("list {}", kind.as_str());
        macro_rules! watch {
            ($ty:ty, $project:expr) => {{
                let (cache, task) = self.watch::<$ty, _>(what.clone(), $project);
                tasks.push(task);
                cache
            }};
        }
        let caches = match kind {
            KubeKind::Nodes => Caches::Nodes(watch!(core::Node, node)),
            KubeKind::Pods => Caches::Pods(watch!(core::Pod, pod)),
            KubeKind::Workloads => Caches::Workloads([
                watch!(Deployment, deployment),
                watch!(StatefulSet, statefulset),
                watch!(DaemonSet, daemonset),
            ]),
            KubeKind::Hpas => Caches::Hpas(watch!(HorizontalPodAutoscaler, hpa)),
            KubeKind::Events => Caches::Events(watch!(core::Event, event)),
            KubeKind::Pvcs => Caches::Pvcs(watch!(core::PersistentVolumeClaim, pvc)),
            KubeKind::StorageClasses => Caches::Classes(watch!(K8sStorageClass, storage_class)),
        };
        Watch { caches, tasks }
    }

    /// A watcher of `K` into a cache of what `project` keeps of each object.
    fn watch<K, T>(self: &Arc<Self>, what: String, project: fn(&K) -> T) -> (Shared<Cache<T>>, AbortHandle)
    where
        K: Resource + Clone + DeserializeOwned + std::fmt::Debug + Send + Sync + 'static,
        K::DynamicType: Default + Eq + std::hash::Hash + Clone,
        T: Keyed + PartialEq + Send + Sync + 'static,
    {
        let api: Api<K> = Api::all(self.client.clone());
        let cache: Shared<Cache<T>> = Arc::new(std::sync::Mutex::new(Cache::new()));
        let (out, conn) = (cache.clone(), Arc::downgrade(self));
        let streaming = self.streaming.clone();
        let task = tokio::spawn(async move {
            loop {
                let streams = streaming.load(Ordering::Relaxed);
                let config = if streams {
                    watcher::Config::default().streaming_lists()
                } else {
                    watcher::Config::default().page_size(PAGE)
                };
                let stream = watcher(api.clone(), config).default_backoff();
                let mut stream = pin!(stream);
                let mut refused = false;
                while let Some(event) = stream.next().await {
                    match event {
                        Ok(event) => {
                            let event = event.modify_into(project);
                            lock(&out).apply(event);
                        }
                        Err(e) => {
                            // An API server without the WatchList feature refuses a
                            // streaming first list (422): list in pages instead, here and
                            // for the cluster's other kinds.
                            if streams && !lock(&out).listed && is_watch_list_refusal(&e) {
                                tracing::info!(%what, "no watch-list on this API server: listing in pages");
                                streaming.store(false, Ordering::Relaxed);
                                refused = true;
                                break;
                            }
                            let Some(conn) = conn.upgrade() else { return };
                            if let Some(error) = conn.watch_error(&what, &e) {
                                tracing::warn!(error = %error, "kubernetes watch");
                                lock(&out).error = Some(error);
                            }
                        }
                    }
                }
                if !refused {
                    return;
                }
                let mut c = lock(&out);
                c.progress = Instant::now();
                c.started_over();
            }
        })
        .abort_handle();
        (cache, task)
    }
}

/// A watch request an API server without the WatchList feature refuses: `sendInitialEvents`
/// is invalid there (422), or unknown to an older one (400).
fn is_watch_list_refusal(e: &watcher::Error) -> bool {
    let status = match e {
        watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::InitialListFailed(kube::Error::Api(s)) => Some(s.code),
        watcher::Error::WatchError(s) => Some(s.code),
        watcher::Error::WatchFailed(kube::Error::Api(s)) => Some(s.code),
        _ => None,
    };
    matches!(status, Some(400 | 422))
}

/// The streaming-list choice a connection starts with.
pub(super) fn streams() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(true))
}

/// Events whose objects are projected as they come: nothing else of them is kept.
trait Project<K> {
    fn modify_into<T>(self, project: fn(&K) -> T) -> watcher::Event<Arc<T>>;
}

impl<K> Project<K> for watcher::Event<K> {
    fn modify_into<T>(self, project: fn(&K) -> T) -> watcher::Event<Arc<T>> {
        match self {
            watcher::Event::Apply(k) => watcher::Event::Apply(Arc::new(project(&k))),
            watcher::Event::Delete(k) => watcher::Event::Delete(Arc::new(project(&k))),
            watcher::Event::Init => watcher::Event::Init,
            watcher::Event::InitApply(k) => watcher::Event::InitApply(Arc::new(project(&k))),
            watcher::Event::InitDone => watcher::Event::InitDone,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kube::Pod;

    fn pod(name: &str, phase: &str) -> Arc<Pod> {
        Arc::new(Pod {
            key: format!("default/{name}"),
            namespace: "default".into(),
            name: name.into(),
            phase: phase.into(),
            node: None,
            ip: None,
            created_at: None,
            containers: vec![],
            owner: None,
            req_cpu: 0,
            req_mem: 0,
            unschedulable: None,
        })
    }

    fn keys(v: &[Arc<Pod>]) -> Vec<String> {
        let mut k: Vec<String> = v.iter().map(|p| format!("{}={}", p.name, p.phase)).collect();
        k.sort();
        k
    }

    #[test]
    fn each_event_changes_exactly_its_object() {
        use watcher::Event::*;
        let mut c: Cache<Pod> = Cache::new();
        c.apply(Init);
        c.apply(InitApply(pod("a", "Running")));
        // Shown as it arrives: the first read is everything so far, the list not over.
        let (reset, items, _) = c.take();
        assert!(reset && !c.listed);
        assert_eq!(keys(&items), ["a=Running"]);
        c.apply(InitApply(pod("b", "Pending")));
        c.apply(InitDone);
        let (reset, items, removed) = c.take();
        assert!(!reset && c.listed && removed.is_empty());
        assert_eq!(keys(&items), ["b=Pending"]);
        // Nothing happened: nothing to read.
        assert_eq!(c.take(), (false, vec![], vec![]));
        // Modified, added, deleted: each exactly itself.
        c.apply(Apply(pod("b", "Running")));
        let (_, items, removed) = c.take();
        assert_eq!((keys(&items), removed.len()), (vec!["b=Running".to_string()], 0));
        c.apply(Apply(pod("c", "Pending")));
        assert_eq!(keys(&c.take().1), ["c=Pending"]);
        c.apply(Delete(pod("a", "Running")));
        assert_eq!(c.take(), (false, vec![], vec!["default/a".to_string()]));
        // An event that changes nothing shown is no change.
        c.apply(Apply(pod("c", "Pending")));
        assert_eq!(c.take(), (false, vec![], vec![]));
        // A change and then its deletion before the read: only the deletion.
        c.apply(Apply(pod("c", "Running")));
        c.apply(Delete(pod("c", "Running")));
        assert_eq!(c.take(), (false, vec![], vec!["default/c".to_string()]));
    }

    #[test]
    fn a_relist_gives_only_what_differs() {
        use watcher::Event::*;
        let mut c: Cache<Pod> = Cache::new();
        for e in [
            Init,
            InitApply(pod("a", "Running")),
            InitApply(pod("b", "Running")),
            InitDone,
        ] {
            c.apply(e);
        }
        c.take();
        // The watch lost its place and lists again: a is the same, b changed, d is new,
        // and what the new list lacks is gone.
        for e in [
            Init,
            InitApply(pod("a", "Running")),
            InitApply(pod("b", "Failed")),
            InitApply(pod("d", "Pending")),
        ] {
            c.apply(e);
        }
        // Nothing shows until the list ends.
        assert_eq!(c.take(), (false, vec![], vec![]));
        c.apply(InitDone);
        let (reset, items, removed) = c.take();
        assert!(!reset && removed.is_empty());
        assert_eq!(keys(&items), ["b=Failed", "d=Pending"]);
        for e in [Init, InitApply(pod("a", "Running")), InitDone] {
            c.apply(e);
        }
        let (_, items, mut removed) = c.take();
        removed.sort();
        assert!(items.is_empty());
        assert_eq!(removed, ["default/b", "default/d"]);
    }
}
