//! The watches: one reflector per kind per cluster, started the first time a screen asks;
//! a fetch reads its cache and costs no API call.

use std::pin::pin;
use std::sync::Arc;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::storage::v1::StorageClass as K8sStorageClass;
use kube::Resource;
use kube::api::Api;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use serde::de::DeserializeOwned;
use tokio::task::AbortHandle;

use crate::domain::kube::{KubeKind, KubeList};
use crate::domain::{ErrorKind, FetchError};

use super::convert::*;
use super::{Conn, Shared, lock};

/// Whether a watch has listed and whether it is failing now.
#[derive(Debug, Default)]
pub(super) struct WatchState {
    ready: bool,
    error: Option<FetchError>,
}

/// The caches of one kind: one reflector, or three for workloads.
pub(super) enum Readers {
    Nodes(Store<core::Node>),
    Pods(Store<core::Pod>),
    Workloads(Store<Deployment>, Store<StatefulSet>, Store<DaemonSet>),
    Hpas(Store<HorizontalPodAutoscaler>),
    Events(Store<core::Event>),
    Pvcs(Store<core::PersistentVolumeClaim>),
    Classes(Store<K8sStorageClass>),
}

pub(super) struct Watch {
    readers: Readers,
    states: Vec<Shared<WatchState>>,
    tasks: Vec<AbortHandle>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Conn {
    /// The resources of `kind` as the watch has them, starting it the first time.
    pub async fn list(self: &Arc<Self>, kind: KubeKind) -> Result<KubeList, FetchError> {
        let watch = {
            let mut watches = lock(&self.watches);
            watches
                .entry(kind)
                .or_insert_with(|| Arc::new(self.start(kind)))
                .clone()
        };
        // The first list: wait for it (or its error) a little, as a read would.
        for _ in 0..200 {
            let states: Vec<(bool, Option<FetchError>)> = watch
                .states
                .iter()
                .map(|s| {
                    let s = lock(s);
                    (s.ready, s.error.clone())
                })
                .collect();
            if let Some(e) = states.iter().find_map(|(_, e)| e.clone()) {
                return Err(e);
            }
            if states.iter().all(|(ready, _)| *ready) {
                return Ok(snapshot(&watch.readers));
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        Err(FetchError::new(
            ErrorKind::Network,
            format!(
                "the Kubernetes API of {} has not answered the list of {} yet",
                self.place.cluster,
                kind.as_str()
            ),
        ))
    }

    fn start(self: &Arc<Self>, kind: KubeKind) -> Watch {
        let mut states = Vec::new();
        let mut tasks = Vec::new();
        let what = format!("list {}", kind.as_str());
        macro_rules! reflect {
            ($ty:ty) => {{
                let (store, task, state) = self.reflect::<$ty>(what.clone());
                states.push(state);
                tasks.push(task);
                store
            }};
        }
        let readers = match kind {
            KubeKind::Nodes => Readers::Nodes(reflect!(core::Node)),
            KubeKind::Pods => Readers::Pods(reflect!(core::Pod)),
            KubeKind::Workloads => Readers::Workloads(reflect!(Deployment), reflect!(StatefulSet), reflect!(DaemonSet)),
            KubeKind::Hpas => Readers::Hpas(reflect!(HorizontalPodAutoscaler)),
            KubeKind::Events => Readers::Events(reflect!(core::Event)),
            KubeKind::Pvcs => Readers::Pvcs(reflect!(core::PersistentVolumeClaim)),
            KubeKind::StorageClasses => Readers::Classes(reflect!(K8sStorageClass)),
        };
        Watch { readers, states, tasks }
    }

    fn reflect<K>(self: &Arc<Self>, what: String) -> (Store<K>, AbortHandle, Shared<WatchState>)
    where
        K: Resource + Clone + DeserializeOwned + std::fmt::Debug + Send + Sync + 'static,
        K::DynamicType: Default + Eq + std::hash::Hash + Clone,
    {
        let api: Api<K> = Api::all(self.client.clone());
        let (reader, writer) = reflector::store();
        let state: Shared<WatchState> = Arc::default();
        let (st, conn) = (state.clone(), Arc::downgrade(self));
        let stream = reflector::reflector(writer, watcher(api, watcher::Config::default()).default_backoff());
        let task = tokio::spawn(async move {
            let mut stream = pin!(stream);
            while let Some(event) = stream.next().await {
                let mut s = lock(&st);
                match event {
                    Ok(watcher::Event::InitDone) => {
                        s.ready = true;
                        s.error = None;
                    }
                    Ok(watcher::Event::Apply(_) | watcher::Event::Delete(_)) => s.error = None,
                    Ok(_) => {}
                    Err(e) => {
                        let Some(conn) = conn.upgrade() else { break };
                        if let Some(error) = conn.watch_error(&what, &e) {
                            tracing::warn!(error = %error, "kubernetes watch");
                            s.error = Some(error);
                        }
                    }
                }
            }
        })
        .abort_handle();
        (reader, task, state)
    }
}

fn snapshot(readers: &Readers) -> KubeList {
    fn all<K: Resource + Clone, T>(store: &Store<K>, f: impl Fn(&K) -> T) -> Vec<T>
    where
        K::DynamicType: Eq + std::hash::Hash + Clone,
    {
        store.state().iter().map(|k| f(k)).collect()
    }
    match readers {
        Readers::Nodes(s) => KubeList::Nodes(all(s, node)),
        Readers::Pods(s) => KubeList::Pods(all(s, pod)),
        Readers::Workloads(d, st, ds) => {
            let mut list = all(d, deployment);
            list.extend(all(st, statefulset));
            list.extend(all(ds, daemonset));
            KubeList::Workloads(list)
        }
        Readers::Hpas(s) => KubeList::Hpas(all(s, hpa)),
        Readers::Events(s) => KubeList::Events(all(s, event)),
        Readers::Pvcs(s) => KubeList::Pvcs(all(s, pvc)),
        Readers::Classes(s) => KubeList::StorageClasses(all(s, storage_class)),
    }
}
