//! `bosun snapshot`: print what a view shows, as a table or JSON, and exit. The same
//! fetches, conversions and columns as the TUI; errors are an exit status, not a pane.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Result, bail};
use clap::ValueEnum;

use crate::domain::Task;
use crate::domain::apprunner::AppRunnerService;
use crate::domain::fetch::{DataEvent, Fetch, Payload};
use crate::domain::kube::KubeKind;
use crate::domain::metrics::{SeriesKey, Window, place_of, service_series};
use crate::domain::{Cluster, ClusterKind, FetchError, FleetRow, Service};
use crate::source::{Backend, fetch_all, load_fleet};
use crate::store::Store;
use crate::store::table::{Row, RowCx};
use crate::ui::screens::{fleet, tasks};
use crate::ui::widgets::table::{markdown, plain};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum View {
    /// Every cluster in every region, with its health roll-ups.
    Fleet,
    /// The services of a cluster (of every cluster without --cluster).
    Services,
    /// The tasks of a cluster or service (of every cluster without --cluster).
    Tasks,
    /// The managed node groups of an EKS cluster (of every EKS cluster without --cluster).
    Nodegroups,
    /// The pods of an EKS cluster (of every EKS cluster without --cluster), --namespace N only.
    Pods,
    /// The App Runner services of every account and region (--service NAME: that one).
    Apprunner,
    /// A service's deployments as ECS records them (--cluster C --service S), newest first.
    Deployments,
}

/// What `bosun snapshot` prints: one of the views, or the objects of any kind an EKS
/// cluster serves (any name `kubectl get` takes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    View(View),
    Kind(String),
}

impl What {
    /// A view's name, else a kind's.
    pub fn parse(word: &str) -> Result<Self, String> {
        if let Ok(view) = View::from_str(word, true) {
            return Ok(What::View(view));
        }
        let kind_like = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !kind_like {
            return Err(format!(
                "`{word}` is neither a view (fleet, services, tasks, deployments, nodegroups, pods, apprunner) nor a Kubernetes kind"
            ));
        }
        Ok(What::Kind(word.to_string()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
    /// A Markdown table, to paste into an incident channel or a ticket.
    Markdown,
}

#[derive(Debug, Clone, Default)]
pub struct Request {
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub stopped: bool,
    pub namespace: Option<String>,
    /// pods: only those in trouble, of every EKS cluster (see `Pod::trouble`).
    pub trouble: bool,
    pub format: Format,
    /// Fetches in flight at once.
    pub in_flight: usize,
}

/// The accounts that did not answer, each with its first error: a snapshot prints what
/// answered and names these on stderr, exiting non-zero.
#[derive(Debug, Default)]
pub struct Missing(BTreeMap<String, String>);

impl Missing {
    pub(crate) fn has(&self, account: &str) -> bool {
        self.0.contains_key(account)
    }

    fn add(&mut self, account: &str, message: &str) {
        self.0.entry(account.to_string()).or_insert_with(|| message.to_string());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// One line per account that did not answer.
    pub fn report(&self) -> String {
        let lines: Vec<String> = self
            .0
            .iter()
            .map(|(account, message)| format!("account {account} did not answer: {message}"))
            .collect();
        lines.join("\n")
    }
}

/// The cluster lists of every account and region (ECS or EKS), and which accounts failed.
async fn lists(backend: &dyn Backend, eks: bool, limit: usize, missing: &mut Missing) -> Result<Vec<Payload>> {
    let accounts = backend.accounts();
    let mut fetches = Vec::new();
    for account in &accounts {
        for region in &account.regions {
            let (account, region) = (account.name.clone(), region.clone());
            fetches.push(if eks {
                Fetch::EksClusters { account, region }
            } else {
                Fetch::EcsClusters { account, region }
            });
        }
    }
    let mut out = Vec::new();
    for event in fetch_all(backend, fetches, limit).await {
        match (event.result, &event.fetch) {
            (Ok(payload), _) => out.push(payload),
            (Err(error), Fetch::EcsClusters { account, .. } | Fetch::EksClusters { account, .. }) => {
                missing.add(account, &error.message)
            }
            (Err(error), _) => bail!("{}", error.message),
        }
    }
    // Nothing answered: an error, not an empty table.
    if out.is_empty() && !missing.is_empty() {
        bail!("{}", missing.report());
    }
    Ok(out)
}

/// The EKS clusters a request is about: the one named, or all.
async fn chosen_eks(
    backend: &dyn Backend,
    name: Option<&str>,
    limit: usize,
    missing: &mut Missing,
) -> Result<Vec<crate::domain::EksCluster>> {
    let mut all = Vec::new();
    for payload in lists(backend, true, limit, missing).await? {
        if let Payload::EksClusters(list) = payload {
            all.extend(list);
        }
    }
    all.sort_by(|a, b| (&a.account, &a.region, &a.name).cmp(&(&b.account, &b.region, &b.name)));
    let Some(name) = name else {
        return Ok(all);
    };
    let known = all.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(", ");
    all.retain(|c| c.name == name || c.arn == name);
    if all.is_empty() {
        bail!(
            "no EKS cluster named `{name}` in {} (there: {})",
            backend.regions().join(", "),
            if known.is_empty() { "none" } else { &known }
        );
    }
    Ok(all)
}

async fn clusters(backend: &dyn Backend, limit: usize, missing: &mut Missing) -> Result<Vec<Cluster>> {
    let mut out = Vec::new();
    for payload in lists(backend, false, limit, missing).await? {
        if let Payload::EcsClusters(list) = payload {
            out.extend(list);
        }
    }
    out.sort_by(|a, b| (&a.account, &a.region, &a.name).cmp(&(&b.account, &b.region, &b.name)));
    Ok(out)
}

/// The clusters a request is about: the one named, or all.
pub(crate) async fn chosen(
    backend: &dyn Backend,
    name: Option<&str>,
    limit: usize,
    missing: &mut Missing,
) -> Result<Vec<Cluster>> {
    let all = clusters(backend, limit, missing).await?;
    let Some(name) = name else {
        return Ok(all);
    };
    let found: Vec<Cluster> = all
        .iter()
        .filter(|c| c.name == name || c.arn == name)
        .cloned()
        .collect();
    if found.is_empty() {
        let known = all.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
        bail!(
            "no ECS cluster named `{name}` in {} (there: {})",
            backend.regions().join(", "),
            if known.is_empty() { "none" } else { &known }
        );
    }
    Ok(found)
}

/// Fetch into a store as the TUI would. A failure in a cluster is its account's: the
/// account is named, its rows left out, the rest kept. `owner` gives a fetch's account.
pub(crate) async fn load(
    backend: &dyn Backend,
    store: &mut Store,
    fetches: Vec<(String, Fetch)>,
    limit: usize,
    missing: &mut Missing,
) -> Result<()> {
    let (owners, fetches): (Vec<String>, Vec<Fetch>) = fetches.into_iter().unzip();
    for (owner, event) in owners.iter().zip(fetch_all(backend, fetches, limit).await) {
        if let Err(error) = &event.result {
            missing.add(owner, &error.message);
            continue;
        }
        store.apply(event);
    }
    Ok(())
}

/// Read a kind of an EKS cluster until its first list has ended, however long that takes
/// (a list that stops making progress is an error from the backend), saying how far it
/// got on stderr when that is a terminal.
async fn whole_list(backend: &dyn Backend, store: &mut Store, cluster: &str, kind: KubeKind) -> Result<(), FetchError> {
    use std::io::{IsTerminal, Write};
    let progress = std::io::stderr().is_terminal();
    let name = crate::util::arn_tail(cluster);
    loop {
        let fetch = Fetch::kube(cluster, kind);
        let result = backend.fetch(&fetch).await;
        let listing = match &result {
            Ok(Payload::Kube(changes)) => changes.listing,
            Ok(_) => None,
            Err(e) => return Err(e.clone()),
        };
        store.apply(DataEvent::new(fetch, backend.now(), result));
        match listing {
            None => break,
            Some(n) if progress => {
                let mut err = std::io::stderr().lock();
                let _ = write!(
                    err,
                    "\rloading {} of {name}: {}…",
                    kind.as_str(),
                    crate::util::thousands(n as u64)
                );
                let _ = err.flush();
            }
            Some(_) => {}
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    if progress {
        eprint!("\r\x1b[K");
    }
    Ok(())
}

/// The last hour of `keys` into the store, a few calls at a time: extra to what a
/// snapshot shows, so a failure is logged, not fatal.
pub(crate) async fn load_metrics(backend: &dyn Backend, store: &mut Store, keys: Vec<SeriesKey>) {
    let fetches = Fetch::metrics(Window::Hour, keys, crate::source::aws::QUERIES_PER_CALL);
    for event in fetch_all(backend, fetches, 4).await {
        if let Err(e) = &event.result {
            tracing::warn!(error = %e, "snapshot: no metrics");
        }
        store.apply(event);
    }
}

/// The output and the accounts that did not answer.
pub struct Report {
    pub text: String,
    pub missing: Missing,
}

/// An empty store of the backend's accounts and regions, as of now: what a headless view
/// fills.
pub(crate) fn store_of(backend: &dyn Backend) -> Store {
    let context = crate::store::Context {
        accounts: backend.accounts(),
        regions: backend.regions(),
        ..Default::default()
    };
    Store::new(context, backend.now())
}

pub async fn run(backend: &dyn Backend, view: View, request: &Request) -> Result<Report> {
    let now = backend.now();
    let cx = RowCx::at(now);
    let mut store = store_of(backend);
    let mut missing = Missing::default();
    let text = match view {
        View::Fleet => {
            let events = load_fleet(backend, request.in_flight).await;
            // Whose cluster each later fetch is about, from the lists that answered.
            let mut owner: HashMap<String, String> = HashMap::new();
            for event in &events {
                match &event.result {
                    Ok(Payload::EcsClusters(list)) => {
                        owner.extend(list.iter().map(|c| (c.arn.clone(), c.account.clone())))
                    }
                    Ok(Payload::EksClusters(list)) => {
                        owner.extend(list.iter().map(|c| (c.arn.clone(), c.account.clone())))
                    }
                    _ => {}
                }
            }
            for event in events {
                // App Runner is read beside the clusters: a role without its permissions
                // (or an endpoint that does not serve it) leaves its rows out, said on
                // stderr, and the clusters' rows stand.
                if let (Err(error), Fetch::AppRunnerServices { account, region }) = (&event.result, &event.fetch) {
                    eprintln!("bosun: App Runner services of {account} in {region} left out: {error}");
                    continue;
                }
                if let Err(error) = &event.result {
                    let account = match &event.fetch {
                        Fetch::Identity { account }
                        | Fetch::EcsClusters { account, .. }
                        | Fetch::EksClusters { account, .. } => account.clone(),
                        other => other.cluster().and_then(|c| owner.get(c)).cloned().unwrap_or_default(),
                    };
                    missing.add(&account, &error.message);
                }
                store.apply(event);
            }
            if store.context.accounts.iter().all(|a| missing.has(&a.name)) && !missing.is_empty() {
                bail!("{}", missing.report());
            }
            let rows: Vec<&FleetRow> = store
                .fleet
                .items()
                .iter()
                .filter(|r| r.kind != ClusterKind::Account && !missing.has(&r.account))
                .collect();
            // The ACCOUNT column as the fleet screen has it: with more than one account.
            output(&rows, fleet::hidden(&store), &cx, request.format)?
        }
        View::Services => {
            let clusters = chosen(backend, request.cluster.as_deref(), request.in_flight, &mut missing).await?;
            // Stopped tasks first: a service's health counts its recent failures.
            let stopped = clusters.iter().map(|c| (c.account.clone(), Fetch::stopped(&c.arn)));
            load(backend, &mut store, stopped.collect(), request.in_flight, &mut missing).await?;
            let services = clusters.iter().map(|c| (c.account.clone(), Fetch::services(&c.arn)));
            load(backend, &mut store, services.collect(), request.in_flight, &mut missing).await?;
            let clusters: Vec<Cluster> = clusters.into_iter().filter(|c| !missing.has(&c.account)).collect();
            // The last hour of CPU and memory, as the table's sparklines show.
            let mut metrics: Vec<SeriesKey> = Vec::new();
            for cluster in &clusters {
                for s in store
                    .cluster_data(&cluster.arn)
                    .map(|d| d.services.items())
                    .unwrap_or_default()
                {
                    metrics.extend(service_series(place_of(&cluster.arn), &cluster.name, &s.name));
                }
            }
            // Metrics are extra: a snapshot without them is still right about the services.
            load_metrics(backend, &mut store, metrics).await;
            let cx = RowCx::with(now, &store.insight);
            let mut rows: Vec<&Service> = clusters
                .iter()
                .filter_map(|c| store.cluster_data(&c.arn))
                .flat_map(|d| d.services.items())
                .collect();
            if let Some(name) = &request.service {
                rows.retain(|s| &s.name == name);
                if rows.is_empty() && missing.is_empty() {
                    bail!("no service named `{name}` in {}", names(&clusters));
                }
            }
            if request.format == Format::Json {
                // The latest CPU and memory beside each service.
                let latest = |s: &Service, which: usize| {
                    let key = &service_series(place_of(&s.cluster_arn), crate::util::arn_tail(&s.cluster_arn), &s.name)
                        [which];
                    store.insight.series(key, Window::Hour).and_then(|m| m.latest())
                };
                let rows: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|s| {
                        let mut v = serde_json::to_value(s).unwrap_or_default();
                        v["cpu_percent"] = latest(s, 0).into();
                        v["memory_percent"] = latest(s, 1).into();
                        v
                    })
                    .collect();
                serde_json::to_string_pretty(&rows)? + "\n"
            } else {
                output(&rows, &[], &cx, request.format)?
            }
        }
        View::Deployments => {
            let (Some(cluster), Some(name)) = (&request.cluster, &request.service) else {
                bail!("snapshot deployments needs --cluster and --service");
            };
            let clusters = chosen(backend, Some(cluster), request.in_flight, &mut missing).await?;
            let services = clusters.iter().map(|c| (c.account.clone(), Fetch::services(&c.arn)));
            load(backend, &mut store, services.collect(), request.in_flight, &mut missing).await?;
            let Some(service) = clusters
                .iter()
                .filter_map(|c| store.cluster_data(&c.arn))
                .flat_map(|d| d.services.items())
                .find(|s| &s.name == name)
                .cloned()
            else {
                if !missing.is_empty() {
                    return Ok(Report {
                        text: String::new(),
                        missing,
                    });
                }
                bail!("no service named `{name}` in {}", names(&clusters));
            };
            let fetch = Fetch::ServiceDeployments {
                cluster: service.cluster_arn.clone(),
                service: service.arn.clone(),
            };
            let rows: Vec<crate::domain::deploy::ServiceDeployment> = match backend.fetch(&fetch).await {
                // A CODE_DEPLOY or EXTERNAL service has no ECS history: its task sets.
                Ok(crate::domain::fetch::Payload::ServiceDeployments(history))
                    if history.deployments.is_empty() && service.rollout.controller != "ECS" =>
                {
                    service
                        .deployments
                        .iter()
                        .map(crate::domain::deploy::ServiceDeployment::from_current)
                        .collect()
                }
                Ok(crate::domain::fetch::Payload::ServiceDeployments(history)) => history.deployments,
                Ok(other) => bail!("{} came back as {}", fetch.describe(), other.kind()),
                // Where the history cannot be read, the service's current deployments, and why.
                Err(error) => {
                    eprintln!("deployment history not read: {error}; showing the service's current deployments");
                    service
                        .deployments
                        .iter()
                        .map(crate::domain::deploy::ServiceDeployment::from_current)
                        .collect()
                }
            };
            let rows: Vec<&crate::domain::deploy::ServiceDeployment> = rows.iter().collect();
            output(&rows, &[], &cx, request.format)?
        }
        View::Tasks => {
            let clusters = chosen(backend, request.cluster.as_deref(), request.in_flight, &mut missing).await?;
            let fetches = clusters
                .iter()
                .map(|c| {
                    (
                        c.account.clone(),
                        Fetch::Tasks {
                            cluster: c.arn.clone(),
                            stopped: request.stopped,
                        },
                    )
                })
                .collect();
            load(backend, &mut store, fetches, request.in_flight, &mut missing).await?;
            let service = request.service.as_deref();
            let keep = tasks::of_service(service);
            let rows: Vec<&Task> = clusters
                .iter()
                .filter(|c| !missing.has(&c.account))
                .filter_map(|c| store.cluster_data(&c.arn))
                .flat_map(|d| {
                    if request.stopped {
                        d.stopped.items()
                    } else {
                        d.tasks.items()
                    }
                })
                .filter(|t| keep(t))
                .collect();
            let hidden = tasks::hidden(request.stopped, service.is_some());
            output(&rows, hidden, &cx, request.format)?
        }
        View::Apprunner => {
            let mut fetches = Vec::new();
            for account in backend.accounts() {
                for region in &account.regions {
                    fetches.extend(Fetch::apprunner_services(&account.name, region).map(|f| (account.name.clone(), f)));
                }
            }
            load(backend, &mut store, fetches, request.in_flight, &mut missing).await?;
            if store.context.accounts.iter().all(|a| missing.has(&a.name)) && !missing.is_empty() {
                bail!("{}", missing.report());
            }
            let mut rows: Vec<&AppRunnerService> = store
                .all_apprunner()
                .filter(|s| !missing.has(&s.account))
                .filter(|s| request.service.as_ref().is_none_or(|n| &s.name == n || &s.arn == n))
                .collect();
            if let Some(name) = &request.service
                && rows.is_empty()
            {
                let known: Vec<&str> = store.all_apprunner().map(|s| s.name.as_str()).collect();
                bail!(
                    "no App Runner service named `{name}` (there: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                );
            }
            rows.sort_by(|a, b| (a.health(), &a.name, &a.region).cmp(&(b.health(), &b.name, &b.region)));
            // The last hour of requests and 5xx, as the list's sparklines show: one call per
            // account and region. Extra: a snapshot without them is still right.
            let keys: Vec<SeriesKey> = rows
                .iter()
                .filter(|s| s.status != "PAUSED")
                .flat_map(|s| {
                    let series = crate::domain::metrics::apprunner_series(place_of(&s.arn), &s.name, &s.id);
                    [series[0].1.clone(), series[3].1.clone()]
                })
                .collect();
            let rows: Vec<AppRunnerService> = rows.into_iter().cloned().collect();
            load_metrics(backend, &mut store, keys).await;
            let cx = RowCx::with(now, &store.insight);
            let rows: Vec<&AppRunnerService> = rows.iter().collect();
            let hidden: &[usize] = if store.context.accounts.len() > 1 { &[] } else { &[1] };
            output(&rows, hidden, &cx, request.format)?
        }
        View::Nodegroups => {
            let clusters = chosen_eks(backend, request.cluster.as_deref(), request.in_flight, &mut missing).await?;
            let fetches = clusters
                .iter()
                .map(|c| (c.account.clone(), Fetch::NodeGroups { cluster: c.arn.clone() }))
                .collect();
            load(backend, &mut store, fetches, request.in_flight, &mut missing).await?;
            let groups: Vec<(&str, Vec<&crate::domain::kube::NodeGroup>)> = clusters
                .iter()
                .filter(|c| !missing.has(&c.account))
                .filter_map(|c| {
                    Some((
                        c.name.as_str(),
                        store.kube.get(&c.arn)?.nodegroups.items().iter().collect(),
                    ))
                })
                .collect();
            output_in_clusters(&groups, &[], &cx, request.format)?
        }
        View::Pods => {
            let clusters = chosen_eks(backend, request.cluster.as_deref(), request.in_flight, &mut missing).await?;
            for c in &clusters {
                if let Err(e) = whole_list(backend, &mut store, &c.arn, KubeKind::Pods).await {
                    missing.add(&c.account, &e.message);
                }
            }
            let groups: Vec<(&str, Vec<&crate::domain::kube::Pod>)> = clusters
                .iter()
                .filter(|c| !missing.has(&c.account))
                .filter_map(|c| {
                    let pods = store.kube.get(&c.arn)?.pods.items().iter();
                    let pods = pods.filter(|p| request.namespace.as_ref().is_none_or(|ns| &p.namespace == ns));
                    Some((c.name.as_str(), pods.map(|p| &**p).collect()))
                })
                .collect();
            output_in_clusters(&groups, &[], &cx, request.format)?
        }
    };
    Ok(Report { text, missing })
}

/// [`run`], written to `out` as it goes where a view can be: the tasks of a whole fleet as
/// JSON are written a cluster at a time, so that only a few clusters' tasks are ever held
/// at once, however large the fleet. A failure part way ends the output where it failed
/// (and is returned, for the exit status).
pub async fn write(backend: &dyn Backend, what: &What, request: &Request, out: &mut dyn std::io::Write) -> Result<()> {
    let view = match what {
        What::View(view) => *view,
        What::Kind(kind) => {
            let report = objects(backend, kind, request).await?;
            out.write_all(report.text.as_bytes())?;
            if !report.missing.is_empty() {
                out.flush()?;
                bail!("{}", report.missing.report());
            }
            return Ok(());
        }
    };
    let missing = if view == View::Tasks && request.format == Format::Json {
        stream_tasks(backend, request, out).await?
    } else if view == View::Pods && request.trouble {
        let report = trouble(backend, request).await?;
        out.write_all(report.text.as_bytes())?;
        report.missing
    } else if view == View::Pods && request.format == Format::Json {
        stream_pods(backend, request, out).await?
    } else {
        let report = run(backend, view, request).await?;
        out.write_all(report.text.as_bytes())?;
        report.missing
    };
    if !missing.is_empty() {
        out.flush()?;
        bail!("{}", missing.report());
    }
    Ok(())
}

async fn stream_tasks(backend: &dyn Backend, request: &Request, out: &mut dyn std::io::Write) -> Result<Missing> {
    use futures::stream::{self, StreamExt};
    use serde::ser::{SerializeSeq, Serializer};
    use std::io::Write as _;

    let mut missing = Missing::default();
    let clusters = chosen(backend, request.cluster.as_deref(), request.in_flight, &mut missing).await?;
    let keep = tasks::of_service(request.service.as_deref());
    let mut results = stream::iter(clusters.iter().map(|c| {
        let fetch = Fetch::Tasks {
            cluster: c.arn.clone(),
            stopped: request.stopped,
        };
        (c.account.as_str(), fetch)
    }))
    .map(|(account, fetch)| async move {
        let result = backend.fetch(&fetch).await;
        (account, DataEvent::new(fetch, backend.now(), result))
    })
    .buffered(request.in_flight.max(1));
    let mut json = serde_json::Serializer::pretty(std::io::BufWriter::new(out));
    let mut seq = json.serialize_seq(None)?;
    while let Some((account, event)) = results.next().await {
        if let Err(error) = &event.result {
            missing.add(account, &error.message);
            continue;
        }
        // A store of its own per cluster: the same order and conversions as the TUI's.
        let mut store = Store::new(Default::default(), event.at);
        let cluster = match &event.fetch {
            Fetch::Tasks { cluster, .. } => cluster.clone(),
            _ => unreachable!("only task fetches are streamed"),
        };
        store.apply(event);
        if let Some(data) = store.cluster_data(&cluster) {
            let set = if request.stopped { &data.stopped } else { &data.tasks };
            for task in set.items().iter().filter(|t| keep(t)) {
                seq.serialize_element(task)?;
            }
        }
    }
    seq.end()?;
    let mut out = json.into_inner();
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(missing)
}

/// The pods of every chosen EKS cluster as JSON, written a cluster at a time as each one's
/// list ends: never the whole output held as text. With more than one cluster each pod
/// says which (`cluster`), as [`output_in_clusters`] does.
async fn stream_pods(backend: &dyn Backend, request: &Request, out: &mut dyn std::io::Write) -> Result<Missing> {
    use serde::ser::{SerializeSeq, Serializer};
    use std::io::Write as _;

    #[derive(serde::Serialize)]
    struct InCluster<'a> {
        cluster: &'a str,
        #[serde(flatten)]
        pod: &'a crate::domain::kube::Pod,
    }

    let mut missing = Missing::default();
    let clusters = chosen_eks(backend, request.cluster.as_deref(), request.in_flight, &mut missing).await?;
    let mut json = serde_json::Serializer::pretty(std::io::BufWriter::new(out));
    let mut seq = json.serialize_seq(None)?;
    for c in &clusters {
        let mut store = Store::new(Default::default(), backend.now());
        if let Err(e) = whole_list(backend, &mut store, &c.arn, KubeKind::Pods).await {
            missing.add(&c.account, &e.message);
            continue;
        }
        let Some(data) = store.kube.get(&c.arn) else { continue };
        let pods = data.pods.items().iter();
        for pod in pods.filter(|p| request.namespace.as_ref().is_none_or(|ns| &p.namespace == ns)) {
            if clusters.len() > 1 {
                seq.serialize_element(&InCluster { cluster: &c.name, pod })?;
            } else {
                seq.serialize_element(&**pod)?;
            }
        }
    }
    seq.end()?;
    let mut out = json.into_inner();
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(missing)
}

/// The pods in trouble in every chosen EKS cluster (of every account), the worst first:
/// one paged list of each cluster's pods.
async fn trouble(backend: &dyn Backend, request: &Request) -> Result<Report> {
    let mut missing = Missing::default();
    let clusters = chosen_eks(backend, request.cluster.as_deref(), request.in_flight, &mut missing).await?;
    let fetches = clusters
        .iter()
        .filter(|c| !missing.has(&c.account))
        .map(|c| Fetch::Trouble { cluster: c.arn.clone() })
        .collect();
    let mut rows = Vec::new();
    for event in fetch_all(backend, fetches, request.in_flight.max(1)).await {
        match event.result {
            Ok(Payload::Trouble(pods)) => rows.extend(pods),
            Ok(other) => bail!("{} answered with {}", event.fetch.describe(), other.kind()),
            Err(e) => {
                let account = clusters
                    .iter()
                    .find(|c| Some(c.arn.as_str()) == event.fetch.cluster())
                    .map_or("", |c| c.account.as_str());
                missing.add(account, &format!("{}: {}", event.fetch.describe(), e.message));
            }
        }
    }
    rows.retain(|t| request.namespace.as_ref().is_none_or(|ns| &t.pod.namespace == ns));
    rows.sort_by(|a, b| (a.trouble.rank, &a.cluster, &a.pod.key).cmp(&(b.trouble.rank, &b.cluster, &b.pod.key)));
    let rows: Vec<&crate::domain::kube::TroubledPod> = rows.iter().collect();
    let text = output(&rows, &[], &RowCx::at(backend.now()), request.format)?;
    Ok(Report { text, missing })
}

/// The objects of any kind in every chosen EKS cluster (in `--namespace` only), with the
/// columns the API server prints for it. A kind the cluster does not serve is an error.
async fn objects(backend: &dyn Backend, kind: &str, request: &Request) -> Result<Report> {
    let mut missing = Missing::default();
    let clusters = chosen_eks(backend, request.cluster.as_deref(), request.in_flight, &mut missing).await?;
    let mut tables = Vec::new();
    for c in &clusters {
        if missing.has(&c.account) {
            continue;
        }
        let fetch = Fetch::KubeTable {
            cluster: c.arn.clone(),
            kind: kind.to_string(),
            namespace: request.namespace.clone(),
        };
        match backend.fetch(&fetch).await {
            Ok(Payload::KubeTable(table)) => tables.push((c.name.as_str(), table)),
            Ok(other) => bail!("{} answered with {}", fetch.describe(), other.kind()),
            Err(e) if e.kind == crate::domain::ErrorKind::NotFound => bail!("{}", e.message),
            Err(e) => missing.add(&c.account, &e.message),
        }
    }
    let groups: Vec<(&str, Vec<&crate::domain::kinds::TableRow>)> = tables
        .iter()
        .map(|(name, table)| (*name, table.rows.iter().map(|r| &**r).collect()))
        .collect();
    // As `kubectl get` prints them: the columns it shows only with `-o wide` left out.
    let namespaced = groups
        .iter()
        .flat_map(|(_, rows)| rows.first())
        .any(|r| r.namespace.is_some());
    let hidden: Vec<usize> = tables
        .first()
        .map(|(_, t)| {
            t.columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.priority > 0)
                .map(|(i, _)| i + usize::from(namespaced))
                .collect()
        })
        .unwrap_or_default();
    let cx = RowCx::at(backend.now());
    let text = output_in_clusters(&groups, &hidden, &cx, request.format)?;
    Ok(Report { text, missing })
}

fn names(clusters: &[Cluster]) -> String {
    clusters.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// Rows of one or more EKS clusters. Names repeat between clusters (node groups, pods),
/// so with more than one cluster each row says which: a CLUSTER column first in a table,
/// a `cluster` field in JSON.
fn output_in_clusters<T: Row + serde::Serialize>(
    groups: &[(&str, Vec<&T>)],
    hidden: &[usize],
    cx: &RowCx,
    format: Format,
) -> Result<String> {
    let rows: Vec<&T> = groups.iter().flat_map(|(_, rows)| rows.iter().copied()).collect();
    if groups.len() < 2 {
        return output(&rows, hidden, cx, format);
    }
    let names = groups
        .iter()
        .flat_map(|(name, rows)| std::iter::repeat_n(*name, rows.len()));
    Ok(match format {
        Format::Markdown => {
            let clusters: Vec<&str> = names.collect();
            markdown(&rows, hidden, cx, Some(("CLUSTER", &clusters)))
        }
        Format::Table => {
            use unicode_width::UnicodeWidthStr;
            let width = groups.iter().map(|(n, _)| n.width()).fold("CLUSTER".len(), usize::max);
            let mut out = String::new();
            for (name, line) in std::iter::once("CLUSTER")
                .chain(names)
                .zip(plain(&rows, hidden, cx).lines())
            {
                let pad = " ".repeat(width - name.width());
                out.push_str(&format!("{name}{pad}  {line}\n"));
            }
            out
        }
        Format::Json => {
            #[derive(serde::Serialize)]
            struct InCluster<'a, T> {
                cluster: &'a str,
                #[serde(flatten)]
                row: &'a T,
            }
            let rows: Vec<InCluster<T>> = names
                .zip(rows)
                .map(|(cluster, row)| InCluster { cluster, row })
                .collect();
            let mut text = serde_json::to_string_pretty(&rows)?;
            text.push('\n');
            text
        }
    })
}

pub(crate) fn output<T: Row + serde::Serialize>(
    rows: &[&T],
    hidden: &[usize],
    cx: &RowCx,
    format: Format,
) -> Result<String> {
    Ok(match format {
        Format::Table => plain(rows, hidden, cx),
        Format::Markdown => markdown(rows, hidden, cx, None),
        Format::Json => {
            let mut text = serde_json::to_string_pretty(rows)?;
            text.push('\n');
            text
        }
    })
}
