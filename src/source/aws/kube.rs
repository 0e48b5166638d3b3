//! The Kubernetes API of EKS clusters, through `kube`.
//!
//! A cluster is reached through the kubeconfig when it has a context for it (`KUBECONFIG`,
//! `--context`), else from DescribeCluster's endpoint and CA with a bearer token bosun signs
//! from the AWS credentials and renews before it expires. Resources are kept by
//! kube-runtime watchers and reflectors, one per kind per cluster, started the first time a
//! screen asks: a fetch reads the reflector's cache, and costs no API call. A watch the API
//! server answers with 410 Gone lists again inside the watcher, unseen.

use std::collections::HashMap;
use std::path::PathBuf;
use std::pin::pin;
use std::sync::{Arc, Mutex, RwLock};

use futures::{AsyncBufReadExt, StreamExt};
use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::storage::v1::StorageClass as K8sStorageClass;
use kube::api::{Api, DeleteParams, LogParams, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;
use tokio::task::AbortHandle;

use crate::domain::insight::LogLine;
use crate::domain::kube::{
    Hpa, KubeEvent, KubeKind, KubeList, Node, NodeSource, Pod, PodContainer, Pvc, StorageClass, Workload, WorkloadKind,
    mebibytes, millicores,
};
use crate::domain::op::WriteError;
use crate::domain::{ErrorKind, FetchError};

/// Where to look for a kubeconfig, and which context to prefer.
#[derive(Debug, Clone, Default)]
pub struct KubeOptions {
    /// A kubeconfig file; else `KUBECONFIG`, else `~/.kube/config`, when they exist.
    pub kubeconfig: Option<PathBuf>,
    /// Use this context for the cluster it points at.
    pub context: Option<String>,
    /// Without a kubeconfig context, send Kubernetes API requests here instead of the
    /// cluster's endpoint (`BOSUN_KUBE_ENDPOINT_URL`: a tunnel to a private endpoint, a test
    /// server). Plain `http://` goes without the cluster's CA.
    pub endpoint_url: Option<String>,
}

impl KubeOptions {
    fn kubeconfig(&self) -> Option<Kubeconfig> {
        let path = self
            .kubeconfig
            .clone()
            .or_else(|| {
                std::env::var_os("KUBECONFIG")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".kube/config")))?;
        // KUBECONFIG may list several files; the first that exists is read.
        let first = std::env::split_paths(&path).find(|p| p.is_file())?;
        match Kubeconfig::read_from(&first) {
            Ok(k) => Some(k),
            Err(e) => {
                tracing::warn!(path = %first.display(), error = %e, "cannot read the kubeconfig");
                None
            }
        }
    }
}

/// What to connect to for one EKS cluster, from DescribeCluster.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub arn: String,
    pub name: String,
    pub region: String,
    pub server: Option<String>,
    /// Base64 PEM, as DescribeCluster and kubeconfig give it.
    pub ca: Option<String>,
}

/// How bosun signs in to a cluster: a kubeconfig user, or an IAM identity's token.
#[derive(Debug, Clone)]
enum Who {
    Kubeconfig { context: String, user: String },
    Iam { identity: String },
}

impl Who {
    fn describe(&self) -> String {
        match self {
            Who::Kubeconfig { context, user } => format!("user {user} of kubeconfig context {context}"),
            Who::Iam { identity } => identity.clone(),
        }
    }
}

/// Whether a watch has listed and whether it is failing now.
#[derive(Debug, Default)]
struct WatchState {
    ready: bool,
    error: Option<FetchError>,
}

type Shared<T> = Arc<Mutex<T>>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The caches of one kind: one reflector, or three for workloads.
enum Readers {
    Nodes(Store<core::Node>),
    Pods(Store<core::Pod>),
    Workloads(Store<Deployment>, Store<StatefulSet>, Store<DaemonSet>),
    Hpas(Store<HorizontalPodAutoscaler>),
    Events(Store<core::Event>),
    Pvcs(Store<core::PersistentVolumeClaim>),
    Classes(Store<K8sStorageClass>),
}

struct Watch {
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

/// A pod container's log being followed.
struct Follow {
    lines: Shared<Vec<LogLine>>,
    ended: Shared<Option<Result<(), FetchError>>>,
    task: AbortHandle,
    started: bool,
}

impl Drop for Follow {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Who talks to which cluster where: what an error message names.
#[derive(Debug, Clone)]
struct Place {
    who: Who,
    cluster: String,
    server: String,
}

/// One connected cluster.
pub struct Conn {
    client: Client,
    place: Place,
    watches: Mutex<HashMap<KubeKind, Arc<Watch>>>,
    follows: Mutex<HashMap<String, Follow>>,
    renew: Option<AbortHandle>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(r) = &self.renew {
            r.abort();
        }
    }
}

/// Signs a fresh EKS token when asked: the AWS credentials of the backend.
pub type Signer = Arc<dyn Fn() -> futures::future::BoxFuture<'static, Result<String, String>> + Send + Sync>;

/// Connect to a cluster: its kubeconfig context if there is one, else the IAM token.
pub async fn connect(
    options: &KubeOptions,
    endpoint: &Endpoint,
    signer: Signer,
    identity: String,
) -> Result<Conn, FetchError> {
    if let Some((config, who)) = from_kubeconfig(options, endpoint).await? {
        let server = config.cluster_url.to_string();
        let client = Client::try_from(config).map_err(|e| connect_error(endpoint, &e.to_string()))?;
        return Ok(Conn::new(client, who, &endpoint.name, server, None));
    }
    let server = options
        .endpoint_url
        .clone()
        .or_else(|| endpoint.server.clone())
        .ok_or_else(|| {
            FetchError::new(
                ErrorKind::Service,
                format!(
                    "EKS cluster {} has no API endpoint yet (is it still creating?)",
                    endpoint.name
                ),
            )
        })?;
    let kubeconfig = Kubeconfig {
        clusters: vec![kube::config::NamedCluster {
            name: endpoint.name.clone(),
            cluster: Some(kube::config::Cluster {
                server: Some(server.clone()),
                certificate_authority_data: endpoint.ca.clone().filter(|_| !server.starts_with("http://")),
                ..Default::default()
            }),
            other: Default::default(),
        }],
        auth_infos: vec![kube::config::NamedAuthInfo {
            name: "bosun".into(),
            auth_info: Some(Default::default()),
            other: Default::default(),
        }],
        contexts: vec![kube::config::NamedContext {
            name: endpoint.name.clone(),
            context: Some(kube::config::Context {
                cluster: endpoint.name.clone(),
                user: Some("bosun".into()),
                ..Default::default()
            }),
            other: Default::default(),
        }],
        current_context: Some(endpoint.name.clone()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .map_err(|e| connect_error(endpoint, &e.to_string()))?;
    let first = signer().await.map_err(|e| {
        FetchError::new(
            ErrorKind::Auth,
            format!("cannot sign an EKS token for {}: {e}", endpoint.name),
        )
    })?;
    let token = Arc::new(RwLock::new(first));
    let header = token.clone();
    let bearer = tower::util::MapRequestLayer::new(move |mut req: http::Request<kube::client::Body>| {
        let value = format!("Bearer {}", header.read().unwrap_or_else(|e| e.into_inner()));
        if let Ok(v) = http::HeaderValue::from_str(&value) {
            req.headers_mut().insert(http::header::AUTHORIZATION, v);
        }
        req
    });
    let client = kube::client::ClientBuilder::try_from(config)
        .map_err(|e| connect_error(endpoint, &e.to_string()))?
        .with_layer(&bearer)
        .build();
    // Renew the token well before EKS stops accepting it.
    let renew = tokio::spawn(async move {
        loop {
            tokio::time::sleep(super::token::RENEW_AFTER).await;
            match signer().await {
                Ok(t) => *token.write().unwrap_or_else(|e| e.into_inner()) = t,
                Err(e) => tracing::warn!(error = %e, "cannot renew the EKS token"),
            }
        }
    })
    .abort_handle();
    Ok(Conn::new(
        client,
        Who::Iam { identity },
        &endpoint.name,
        server,
        Some(renew),
    ))
}

/// The kubeconfig context for this cluster: `--context` if it points at it, else one whose
/// server is the cluster's endpoint or whose name is the cluster's name or ARN.
async fn from_kubeconfig(
    options: &KubeOptions,
    endpoint: &Endpoint,
) -> Result<Option<(kube::Config, Who)>, FetchError> {
    let Some(kubeconfig) = options.kubeconfig() else {
        return Ok(None);
    };
    let server_of = |cluster: &str| {
        kubeconfig
            .clusters
            .iter()
            .find(|c| c.name == cluster)
            .and_then(|c| c.cluster.as_ref()?.server.clone())
    };
    let matches = |ctx: &kube::config::NamedContext| {
        let Some(c) = &ctx.context else { return false };
        ctx.name == endpoint.arn
            || ctx.name == endpoint.name
            || c.cluster == endpoint.arn
            || c.cluster == endpoint.name
            || (endpoint.server.is_some() && server_of(&c.cluster) == endpoint.server)
    };
    let chosen = options
        .context
        .as_ref()
        .and_then(|want| kubeconfig.contexts.iter().find(|c| &c.name == want && matches(c)))
        .or_else(|| kubeconfig.contexts.iter().find(|c| matches(c)));
    let Some(ctx) = chosen else {
        return Ok(None);
    };
    let who = Who::Kubeconfig {
        context: ctx.name.clone(),
        user: ctx.context.as_ref().and_then(|c| c.user.clone()).unwrap_or_default(),
    };
    let opts = KubeConfigOptions {
        context: Some(ctx.name.clone()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kubeconfig.clone(), &opts)
        .await
        .map_err(|e| FetchError::new(ErrorKind::Service, format!("kubeconfig context {}: {e}", ctx.name)))?;
    Ok(Some((config, who)))
}

fn connect_error(endpoint: &Endpoint, e: &str) -> FetchError {
    FetchError::new(
        ErrorKind::Network,
        format!(
            "cannot set up a client for the Kubernetes API of {}: {e}",
            endpoint.name
        ),
    )
}

impl Place {
    /// A Kubernetes error as the user reads it: who was refused what, where.
    fn error(&self, what: &str, e: &kube::Error) -> FetchError {
        let who = self.who.describe();
        match e {
            kube::Error::Api(status) if status.code == 401 => FetchError::new(
                ErrorKind::Auth,
                format!(
                    "the Kubernetes API of {} does not accept {who} (401 Unauthorized){}",
                    self.cluster,
                    match self.who {
                        Who::Iam { .. } =>
                            ": give this IAM identity an EKS access entry (or an aws-auth mapping) on the cluster",
                        Who::Kubeconfig { .. } => ": refresh the kubeconfig's credentials",
                    }
                ),
            ),
            kube::Error::Api(status) if status.code == 403 => FetchError::new(
                ErrorKind::Forbidden,
                format!(
                    "{who} may not {what} in {} (403 Forbidden): {}",
                    self.cluster, status.message
                ),
            ),
            kube::Error::Api(status) => FetchError::new(
                if status.code == 404 {
                    ErrorKind::NotFound
                } else {
                    ErrorKind::Service
                },
                format!("{what} in {}: {} ({})", self.cluster, status.message, status.code),
            ),
            other => FetchError::new(
                ErrorKind::Network,
                format!(
                    "cannot reach the Kubernetes API of {} at {}: {}",
                    self.cluster,
                    self.server,
                    root_cause(other)
                ),
            ),
        }
    }

    fn watch_error(&self, what: &str, e: &watcher::Error) -> Option<FetchError> {
        match e {
            // Gone: the watcher lists again by itself; nothing to tell.
            watcher::Error::WatchError(status) if status.code == 410 => None,
            watcher::Error::InitialListFailed(e)
            | watcher::Error::WatchStartFailed(e)
            | watcher::Error::WatchFailed(e) => Some(self.error(what, e)),
            watcher::Error::WatchError(status) => Some(self.error(what, &kube::Error::Api(status.clone()))),
            watcher::Error::NoResourceVersion => Some(FetchError::new(
                ErrorKind::Service,
                format!("{what} in {}: the API server gave no resourceVersion", self.cluster),
            )),
        }
    }
}

impl Conn {
    fn new(client: Client, who: Who, cluster: &str, server: String, renew: Option<AbortHandle>) -> Self {
        Conn {
            client,
            place: Place {
                who,
                cluster: cluster.to_string(),
                server,
            },
            watches: Mutex::default(),
            follows: Mutex::default(),
            renew,
        }
    }

    fn error(&self, what: &str, e: &kube::Error) -> FetchError {
        self.place.error(what, e)
    }

    /// How a write that did not succeed ended. The API server's own refusal is a
    /// rejection with its reason; a connection that never opened sent nothing; anything
    /// else broke after the request went out, so the change may have been made.
    fn write_error(&self, what: &str, e: kube::Error) -> WriteError {
        let message = self.error(what, &e).message;
        match &e {
            kube::Error::Api(status) => WriteError::Rejected {
                code: if status.reason.is_empty() {
                    status.code.to_string()
                } else {
                    status.reason.clone()
                },
                message,
            },
            other if never_connected(other) => WriteError::NotSent(message),
            _ => WriteError::Unanswered(format!(
                "{what} in {} sent, but not answered ({}) — it may have been applied: check before sending it again",
                self.place.cluster,
                root_cause(&e)
            )),
        }
    }

    fn watch_error(&self, what: &str, e: &watcher::Error) -> Option<FetchError> {
        self.place.watch_error(what, e)
    }

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

    // ---- logs ----------------------------------------------------------------------------

    /// New lines of a container's log since the last call (all of them the first time).
    pub async fn logs(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        previous: bool,
        key: String,
    ) -> Result<(Vec<LogLine>, bool), FetchError> {
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), namespace);
        let what = format!("read the log of {namespace}/{pod}");
        if previous {
            {
                let follows = lock(&self.follows);
                if follows.contains_key(&key) {
                    return Ok((Vec::new(), false));
                }
            }
            let params = LogParams {
                container: Some(container.to_string()),
                previous: true,
                timestamps: true,
                ..Default::default()
            };
            let text = api.logs(pod, &params).await.map_err(|e| self.error(&what, &e))?;
            let lines = text.lines().map(parse_log_line).collect();
            let done: Shared<Option<Result<(), FetchError>>> = Arc::new(Mutex::new(Some(Ok(()))));
            lock(&self.follows).insert(
                key,
                Follow {
                    lines: Arc::default(),
                    ended: done,
                    task: tokio::spawn(async {}).abort_handle(),
                    started: true,
                },
            );
            return Ok((lines, true));
        }
        let mut follows = lock(&self.follows);
        let restart = follows
            .get(&key)
            .is_none_or(|f| matches!(*lock(&f.ended), Some(Ok(()))));
        if restart {
            let lines: Shared<Vec<LogLine>> = Arc::default();
            let ended: Shared<Option<Result<(), FetchError>>> = Arc::default();
            let params = LogParams {
                container: Some(container.to_string()),
                follow: true,
                timestamps: true,
                tail_lines: Some(crate::domain::insight::DEFAULT_LOG_LINES as i64),
                ..Default::default()
            };
            let (sink, end, pod, api) = (lines.clone(), ended.clone(), pod.to_string(), api.clone());
            let place = self.place.clone();
            let task = tokio::spawn(async move {
                match api.log_stream(&pod, &params).await {
                    Ok(stream) => {
                        let mut lines = pin!(stream.lines());
                        while let Some(line) = lines.next().await {
                            match line {
                                Ok(line) => lock(&sink).push(parse_log_line(&line)),
                                Err(e) => {
                                    *lock(&end) = Some(Err(FetchError::new(ErrorKind::Network, e.to_string())));
                                    return;
                                }
                            }
                        }
                        *lock(&end) = Some(Ok(()));
                    }
                    Err(e) => *lock(&end) = Some(Err(place.error(&what, &e))),
                }
            })
            .abort_handle();
            follows.insert(
                key.clone(),
                Follow {
                    lines,
                    ended,
                    task,
                    started: false,
                },
            );
        }
        let failed = follows.get(&key).and_then(|f| match &*lock(&f.ended) {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        });
        if let Some(e) = failed {
            follows.remove(&key);
            return Err(e);
        }
        let Some(follow) = follows.get_mut(&key) else {
            return Ok((Vec::new(), false));
        };
        let lines = std::mem::take(&mut *lock(&follow.lines));
        let reset = !std::mem::replace(&mut follow.started, true);
        Ok((lines, reset))
    }

    // ---- actions ---------------------------------------------------------------------------

    pub async fn rollout_restart(
        &self,
        kind: WorkloadKind,
        namespace: &str,
        name: &str,
        at: Timestamp,
    ) -> Result<(), WriteError> {
        let patch = serde_json::json!({
            "spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": at.to_string()}}}}
        });
        let what = format!("patch {} {namespace}/{name}", kind.as_str().to_lowercase());
        let pp = PatchParams::default();
        let result = match kind {
            WorkloadKind::Deployment => Api::<Deployment>::namespaced(self.client.clone(), namespace)
                .patch(name, &pp, &Patch::Merge(&patch))
                .await
                .map(drop),
            WorkloadKind::StatefulSet => Api::<StatefulSet>::namespaced(self.client.clone(), namespace)
                .patch(name, &pp, &Patch::Merge(&patch))
                .await
                .map(drop),
            WorkloadKind::DaemonSet => Api::<DaemonSet>::namespaced(self.client.clone(), namespace)
                .patch(name, &pp, &Patch::Merge(&patch))
                .await
                .map(drop),
        };
        result.map_err(|e| self.write_error(&what, e))
    }

    pub async fn scale(&self, kind: WorkloadKind, namespace: &str, name: &str, to: u32) -> Result<(), WriteError> {
        let patch = serde_json::json!({"spec": {"replicas": to}});
        let what = format!("scale {} {namespace}/{name}", kind.as_str().to_lowercase());
        let pp = PatchParams::default();
        let result = match kind {
            WorkloadKind::Deployment => Api::<Deployment>::namespaced(self.client.clone(), namespace)
                .patch_scale(name, &pp, &Patch::Merge(&patch))
                .await
                .map(drop),
            WorkloadKind::StatefulSet => Api::<StatefulSet>::namespaced(self.client.clone(), namespace)
                .patch_scale(name, &pp, &Patch::Merge(&patch))
                .await
                .map(drop),
            WorkloadKind::DaemonSet => {
                return Err(WriteError::NotSent("a daemonset has no replica count".into()));
            }
        };
        result.map_err(|e| self.write_error(&what, e))
    }

    pub async fn delete_pod(&self, namespace: &str, name: &str) -> Result<(), WriteError> {
        Api::<core::Pod>::namespaced(self.client.clone(), namespace)
            .delete(name, &DeleteParams::default())
            .await
            .map(drop)
            .map_err(|e| self.write_error(&format!("delete pod {namespace}/{name}"), e))
    }

    pub async fn cordon(&self, node: &str, cordon: bool) -> Result<(), WriteError> {
        let patch = serde_json::json!({"spec": {"unschedulable": cordon}});
        Api::<core::Node>::all(self.client.clone())
            .patch(node, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map(drop)
            .map_err(|e| self.write_error(&format!("patch node {node}"), e))
    }
}

/// Whether a request failed before a connection to the API server was made: nothing was sent.
fn never_connected(e: &kube::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        // hyper's client names a failed connection so: `client error (Connect)`.
        if c.to_string().contains("(Connect)") {
            return true;
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::AddrNotAvailable
            )
        {
            return true;
        }
        cause = c.source();
    }
    false
}

/// The innermost cause of an error, which says what actually went wrong.
fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// `2026-01-02T03:04:05.123456789Z message` (the API server's `timestamps=true`).
fn parse_log_line(line: &str) -> LogLine {
    match line
        .split_once(' ')
        .and_then(|(t, rest)| Some((t.parse::<Timestamp>().ok()?, rest)))
    {
        Some((at, message)) => LogLine {
            at,
            message: message.to_string(),
        },
        None => LogLine {
            at: Timestamp::UNIX_EPOCH,
            message: line.to_string(),
        },
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

// ---- conversions: Kubernetes objects to domain types ------------------------------------------

fn time(t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>) -> Option<Timestamp> {
    t.map(|t| t.0)
}

fn label<'a>(meta: &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, key: &str) -> Option<&'a String> {
    meta.labels.as_ref()?.get(key)
}

fn node(n: &core::Node) -> Node {
    let meta = &n.metadata;
    let name = meta.name.clone().unwrap_or_default();
    let ready = n
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True");
    let roles = meta
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/").map(str::to_string))
        .collect();
    let fargate = label(meta, "eks.amazonaws.com/compute-type").is_some_and(|t| t == "fargate");
    let source = if fargate {
        NodeSource::Fargate
    } else if let Some(group) = label(meta, "eks.amazonaws.com/nodegroup") {
        NodeSource::Managed(group.clone())
    } else {
        NodeSource::SelfManaged
    };
    let capacity_type = label(meta, "eks.amazonaws.com/capacityType")
        .cloned()
        .or_else(|| label(meta, "karpenter.sh/capacity-type").map(|c| c.to_uppercase().replace('-', "_")))
        .or_else(|| fargate.then(|| "FARGATE".to_string()));
    let alloc = n.status.as_ref().and_then(|s| s.allocatable.as_ref());
    let quantity = |key: &str| alloc.and_then(|a| a.get(key)).map(|q| q.0.clone()).unwrap_or_default();
    Node {
        ready,
        unschedulable: n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false),
        roles,
        instance_type: label(meta, "node.kubernetes.io/instance-type").cloned(),
        zone: label(meta, "topology.kubernetes.io/zone").cloned(),
        capacity_type,
        source,
        kubelet: n
            .status
            .as_ref()
            .and_then(|s| s.node_info.as_ref())
            .map(|i| i.kubelet_version.clone()),
        alloc_cpu: millicores(&quantity("cpu")),
        alloc_mem: mebibytes(&quantity("memory")),
        created_at: time(meta.creation_timestamp.as_ref()),
        pods: 0,
        req_cpu: 0,
        req_mem: 0,
        name,
    }
}

fn pod(p: &core::Pod) -> Pod {
    let meta = &p.metadata;
    let namespace = meta.namespace.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    let status = p.status.as_ref();
    let statuses = status.and_then(|s| s.container_statuses.as_deref()).unwrap_or_default();
    let spec_containers = p.spec.as_ref().map(|s| s.containers.as_slice()).unwrap_or_default();
    let containers = spec_containers
        .iter()
        .map(|c| {
            let st = statuses.iter().find(|s| s.name == c.name);
            let state = st.and_then(|s| s.state.as_ref());
            let last = st
                .and_then(|s| s.last_state.as_ref())
                .and_then(|l| l.terminated.as_ref());
            let (state_name, reason, exit_code) = match state {
                Some(s) if s.running.is_some() => ("running", None, None),
                Some(s) if s.terminated.is_some() => {
                    let t = s.terminated.as_ref();
                    ("terminated", t.and_then(|t| t.reason.clone()), t.map(|t| t.exit_code))
                }
                Some(s) => ("waiting", s.waiting.as_ref().and_then(|w| w.reason.clone()), None),
                None => ("waiting", None, None),
            };
            PodContainer {
                name: c.name.clone(),
                image: c.image.clone().unwrap_or_default(),
                ready: st.is_some_and(|s| s.ready),
                state: state_name.into(),
                reason,
                exit_code,
                restarts: st.map_or(0, |s| s.restart_count.max(0) as u32),
                last_reason: last.and_then(|t| t.reason.clone()),
                last_exit_code: last.map(|t| t.exit_code),
            }
        })
        .collect();
    let requests = |key: &str| -> i64 {
        spec_containers
            .iter()
            .filter_map(|c| c.resources.as_ref()?.requests.as_ref()?.get(key))
            .map(|q| {
                if key == "cpu" {
                    millicores(&q.0)
                } else {
                    mebibytes(&q.0)
                }
            })
            .sum()
    };
    let unschedulable = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "PodScheduled" && c.status == "False"))
        .and_then(|c| c.message.clone());
    Pod {
        key: format!("{namespace}/{name}"),
        phase: status.and_then(|s| s.phase.clone()).unwrap_or_else(|| "Pending".into()),
        node: p.spec.as_ref().and_then(|s| s.node_name.clone()),
        ip: status.and_then(|s| s.pod_ip.clone()),
        created_at: time(meta.creation_timestamp.as_ref()),
        containers,
        owner: meta
            .owner_references
            .as_ref()
            .and_then(|o| o.first())
            .map(|o| format!("{}/{}", o.kind, o.name)),
        req_cpu: requests("cpu"),
        req_mem: requests("memory"),
        unschedulable,
        namespace,
        name,
    }
}

fn images(spec: Option<&core::PodTemplateSpec>) -> Vec<String> {
    spec.and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.iter().filter_map(|c| c.image.clone()).collect())
        .unwrap_or_default()
}

fn restarted_at(spec: Option<&core::PodTemplateSpec>) -> Option<String> {
    spec?
        .metadata
        .as_ref()?
        .annotations
        .as_ref()?
        .get("kubectl.kubernetes.io/restartedAt")
        .cloned()
}

fn workload(
    kind: WorkloadKind,
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    counts: [i32; 4],
    template: Option<&core::PodTemplateSpec>,
) -> Workload {
    let namespace = meta.namespace.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    let [desired, ready, updated, available] = counts.map(|n| n.max(0) as u32);
    Workload {
        key: format!("{}/{namespace}/{name}", kind.as_str()),
        kind,
        desired,
        ready,
        updated,
        available,
        images: images(template),
        created_at: time(meta.creation_timestamp.as_ref()),
        restarted_at: restarted_at(template),
        namespace,
        name,
    }
}

fn deployment(d: &Deployment) -> Workload {
    let s = d.status.as_ref();
    let spec = d.spec.as_ref();
    workload(
        WorkloadKind::Deployment,
        &d.metadata,
        [
            spec.and_then(|s| s.replicas).unwrap_or(1),
            s.and_then(|s| s.ready_replicas).unwrap_or(0),
            s.and_then(|s| s.updated_replicas).unwrap_or(0),
            s.and_then(|s| s.available_replicas).unwrap_or(0),
        ],
        spec.map(|s| &s.template),
    )
}

fn statefulset(d: &StatefulSet) -> Workload {
    let s = d.status.as_ref();
    let spec = d.spec.as_ref();
    workload(
        WorkloadKind::StatefulSet,
        &d.metadata,
        [
            spec.and_then(|s| s.replicas).unwrap_or(1),
            s.and_then(|s| s.ready_replicas).unwrap_or(0),
            s.and_then(|s| s.updated_replicas).unwrap_or(0),
            s.and_then(|s| s.available_replicas).unwrap_or(0),
        ],
        spec.map(|s| &s.template),
    )
}

fn daemonset(d: &DaemonSet) -> Workload {
    let s = d.status.as_ref();
    workload(
        WorkloadKind::DaemonSet,
        &d.metadata,
        [
            s.map_or(0, |s| s.desired_number_scheduled),
            s.map_or(0, |s| s.number_ready),
            s.and_then(|s| s.updated_number_scheduled).unwrap_or(0),
            s.and_then(|s| s.number_available).unwrap_or(0),
        ],
        d.spec.as_ref().map(|s| &s.template),
    )
}

fn hpa(h: &HorizontalPodAutoscaler) -> Hpa {
    let meta = &h.metadata;
    let namespace = meta.namespace.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    let spec = h.spec.as_ref();
    let status = h.status.as_ref();
    let current: Vec<_> = status.and_then(|s| s.current_metrics.clone()).unwrap_or_default();
    let metrics = spec
        .and_then(|s| s.metrics.as_ref())
        .map(|list| {
            list.iter()
                .map(|m| {
                    let (name, target) = match m.resource.as_ref() {
                        Some(r) => (
                            r.name.clone(),
                            r.target
                                .average_utilization
                                .map(|u| format!("{u}%"))
                                .or_else(|| r.target.average_value.as_ref().map(|q| q.0.clone()))
                                .unwrap_or_default(),
                        ),
                        None => (m.type_.clone(), "?".into()),
                    };
                    let now = current
                        .iter()
                        .filter_map(|c| c.resource.as_ref())
                        .find(|r| r.name == name)
                        .and_then(|r| {
                            r.current
                                .average_utilization
                                .map(|u| format!("{u}%"))
                                .or_else(|| r.current.average_value.as_ref().map(|q| q.0.clone()))
                        })
                        .unwrap_or_else(|| "?".into());
                    format!("{name} {now}/{target}")
                })
                .collect()
        })
        .unwrap_or_default();
    Hpa {
        key: format!("{namespace}/{name}"),
        target: spec.map_or_else(String::new, |s| {
            format!("{}/{}", s.scale_target_ref.kind, s.scale_target_ref.name)
        }),
        min: spec.and_then(|s| s.min_replicas).unwrap_or(1).max(0) as u32,
        max: spec.map_or(0, |s| s.max_replicas.max(0) as u32),
        current: status.and_then(|s| s.current_replicas).unwrap_or(0).max(0) as u32,
        desired: status.map_or(0, |s| s.desired_replicas.max(0) as u32),
        metrics,
        namespace,
        name,
    }
}

fn event(e: &core::Event) -> KubeEvent {
    let meta = &e.metadata;
    let namespace = meta.namespace.clone().unwrap_or_default();
    let o = &e.involved_object;
    KubeEvent {
        key: format!("{namespace}/{}", meta.name.clone().unwrap_or_default()),
        kind: e.type_.clone().unwrap_or_else(|| "Normal".into()),
        reason: e.reason.clone().unwrap_or_default(),
        object: format!(
            "{}/{}",
            o.kind.clone().unwrap_or_default(),
            o.name.clone().unwrap_or_default()
        ),
        message: e.message.clone().unwrap_or_default(),
        count: e.count.unwrap_or(1).max(1) as u32,
        last_seen: time(e.last_timestamp.as_ref())
            .or_else(|| e.event_time.as_ref().map(|t| t.0))
            .or_else(|| time(e.first_timestamp.as_ref()))
            .or_else(|| time(meta.creation_timestamp.as_ref())),
        namespace,
    }
}

fn pvc(p: &core::PersistentVolumeClaim) -> Pvc {
    let meta = &p.metadata;
    let namespace = meta.namespace.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    Pvc {
        key: format!("{namespace}/{name}"),
        status: if meta.deletion_timestamp.is_some() {
            "Terminating".into()
        } else {
            p.status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_else(|| "Pending".into())
        },
        volume: p.spec.as_ref().and_then(|s| s.volume_name.clone()),
        capacity: p
            .status
            .as_ref()
            .and_then(|s| s.capacity.as_ref())
            .and_then(|c| c.get("storage"))
            .map(|q| q.0.clone()),
        storage_class: p.spec.as_ref().and_then(|s| s.storage_class_name.clone()),
        created_at: time(meta.creation_timestamp.as_ref()),
        namespace,
        name,
    }
}

fn storage_class(c: &K8sStorageClass) -> StorageClass {
    let default = c
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("storageclass.kubernetes.io/is-default-class"))
        .is_some_and(|v| v == "true");
    StorageClass {
        name: c.metadata.name.clone().unwrap_or_default(),
        provisioner: c.provisioner.clone(),
        default,
        reclaim: c.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
        binding: c.volume_binding_mode.clone().unwrap_or_else(|| "Immediate".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_keep_their_timestamps() {
        let l = parse_log_line("2026-01-02T03:04:05.123456789Z INFO started");
        assert_eq!(l.message, "INFO started");
        assert_eq!(l.at.to_string(), "2026-01-02T03:04:05.123456789Z");
        let plain = parse_log_line("no timestamp here");
        assert_eq!(plain.message, "no timestamp here");
    }

    #[test]
    fn a_pod_in_crash_loop_reads_as_kubectl_says() {
        let p: core::Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "payments-1", "namespace": "shop", "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "payments-7f9d", "uid": "u"}]},
            "spec": {"nodeName": "ip-1", "containers": [{"name": "app", "image": "payments:3",
                "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}}}]},
            "status": {"phase": "Running", "podIP": "10.0.0.9", "containerStatuses": [{
                "name": "app", "image": "payments:3", "imageID": "", "ready": false, "restartCount": 14,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}
        }))
        .unwrap();
        let p = pod(&p);
        assert_eq!(p.status(), "CrashLoopBackOff");
        assert_eq!(p.restarts(), 14);
        assert_eq!((p.req_cpu, p.req_mem), (250, 512));
        assert_eq!(p.owner.as_deref(), Some("ReplicaSet/payments-7f9d"));
        assert_eq!(p.containers[0].last_exit_code, Some(1));
    }
}
