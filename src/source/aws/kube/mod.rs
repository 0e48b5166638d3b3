//! The Kubernetes API of EKS clusters, through `kube`.
//!
//! A cluster is reached through the kubeconfig when it has a context for it (`KUBECONFIG`,
//! `--context`), else from DescribeCluster's endpoint and CA with a bearer token bosun signs
//! from the AWS credentials and renews before it expires. Resources are kept by
//! kube-runtime watchers, one per kind per cluster, started the first time a screen asks,
//! into caches of what bosun shows of them (see [`watch`]): a fetch reads what changed, and
//! costs no API call. A watch the API server answers with 410 Gone lists again inside the
//! watcher; only what differs reaches the app.

mod convert;
mod error;
mod kinds;
mod logs;
mod trouble;
mod watch;
mod writes;

use logs::Follow;
use watch::Watch;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use kube::Client;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::watcher;
use tokio::task::AbortHandle;

use crate::domain::kube::KubeKind;
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

type Shared<T> = Arc<Mutex<T>>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
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
    /// The kinds the cluster serves, and when they were read.
    discovery: Mutex<Option<(std::time::Instant, Arc<Vec<crate::domain::kinds::KindInfo>>)>>,
    /// Whether first lists stream (watch-list); off once the API server refuses it.
    streaming: Arc<std::sync::atomic::AtomicBool>,
    follows: Mutex<HashMap<String, Follow>>,
    renew: Option<AbortHandle>,
}

impl Conn {
    /// The client, for what goes through `kube`'s own API (exec, port-forward).
    pub(crate) fn client(&self) -> Client {
        self.client.clone()
    }
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
            streaming: watch::streams(),
            discovery: Mutex::default(),
            follows: Mutex::default(),
            renew,
        }
    }

    fn error(&self, what: &str, e: &kube::Error) -> FetchError {
        self.place.error(what, e)
    }

    fn watch_error(&self, what: &str, e: &watcher::Error) -> Option<FetchError> {
        self.place.watch_error(what, e)
    }
}
