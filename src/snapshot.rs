//! `bosun snapshot`: print what a view shows, as a table or JSON, and exit. The same
//! fetches, conversions and columns as the TUI; errors are an exit status, not a pane.

use anyhow::{Result, bail};
use clap::ValueEnum;

use crate::domain::Task;
use crate::domain::fetch::{DataEvent, Fetch, Payload};
use crate::domain::metrics::{SeriesKey, Window, service_series};
use crate::domain::{Cluster, FleetRow, Service};
use crate::source::{Backend, fetch_all, load_fleet};
use crate::store::Store;
use crate::store::table::{Row, RowCx};
use crate::ui::screens::tasks;
use crate::ui::widgets::table::plain;

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
}

#[derive(Debug, Clone, Default)]
pub struct Request {
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub stopped: bool,
    pub namespace: Option<String>,
    pub format: Format,
}

/// The EKS clusters a request is about: the one named, or all.
async fn chosen_eks(backend: &dyn Backend, name: Option<&str>) -> Result<Vec<crate::domain::EksCluster>> {
    let fetches = backend
        .regions()
        .into_iter()
        .map(|region| Fetch::EksClusters { region })
        .collect();
    let mut all = Vec::new();
    for event in fetch_all(backend, fetches, 8).await {
        match event.result {
            Ok(Payload::EksClusters(list)) => all.extend(list),
            Ok(_) => {}
            Err(error) => bail!("{}", error.message),
        }
    }
    all.sort_by(|a, b| (&a.region, &a.name).cmp(&(&b.region, &b.name)));
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

async fn clusters(backend: &dyn Backend) -> Result<Vec<Cluster>> {
    let fetches = backend
        .regions()
        .into_iter()
        .map(|region| Fetch::EcsClusters { region })
        .collect();
    let mut out = Vec::new();
    for event in fetch_all(backend, fetches, 8).await {
        match event.result {
            Ok(Payload::EcsClusters(list)) => out.extend(list),
            Ok(_) => {}
            Err(error) => bail!("{}", error.message),
        }
    }
    out.sort_by(|a, b| (&a.region, &a.name).cmp(&(&b.region, &b.name)));
    Ok(out)
}

/// The clusters a request is about: the one named, or all.
async fn chosen(backend: &dyn Backend, name: Option<&str>) -> Result<Vec<Cluster>> {
    let all = clusters(backend).await?;
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

/// Fetch into a store as the TUI would, failing on the first error: a snapshot with holes
/// would look complete and be wrong.
async fn load(backend: &dyn Backend, store: &mut Store, fetches: Vec<Fetch>) -> Result<()> {
    for event in fetch_all(backend, fetches, 8).await {
        if let Err(error) = &event.result {
            bail!("{}", error.message);
        }
        store.apply(event);
    }
    Ok(())
}

pub async fn run(backend: &dyn Backend, view: View, request: &Request) -> Result<String> {
    let now = backend.now();
    let cx = RowCx::at(now);
    let mut store = Store::new(Default::default(), now);
    match view {
        View::Fleet => {
            for event in load_fleet(backend, 8).await {
                if let Err(error) = &event.result {
                    bail!("{}", error.message);
                }
                store.apply(event);
            }
            let rows: Vec<&FleetRow> = store.fleet.items().iter().collect();
            output(&rows, &[], &cx, request.format)
        }
        View::Services => {
            let clusters = chosen(backend, request.cluster.as_deref()).await?;
            // Stopped tasks first: a service's health counts its recent failures.
            let stopped = clusters.iter().map(|c| Fetch::Tasks {
                cluster: c.arn.clone(),
                stopped: true,
            });
            load(backend, &mut store, stopped.collect()).await?;
            let services = clusters.iter().map(|c| Fetch::Services { cluster: c.arn.clone() });
            load(backend, &mut store, services.collect()).await?;
            // The last hour of CPU and memory, as the table's sparklines show.
            let mut metrics: Vec<SeriesKey> = Vec::new();
            for cluster in &clusters {
                for s in store
                    .cluster_data(&cluster.arn)
                    .map(|d| d.services.items())
                    .unwrap_or_default()
                {
                    metrics.extend(service_series(&cluster.region, &cluster.name, &s.name));
                }
            }
            // Metrics are extra: a snapshot without them is still right about the services.
            for chunk in metrics.chunks(crate::source::aws::QUERIES_PER_CALL) {
                let fetch = Fetch::Metrics {
                    window: Window::Hour,
                    series: chunk.to_vec(),
                };
                for event in fetch_all(backend, vec![fetch], 1).await {
                    if let Err(e) = &event.result {
                        tracing::warn!(error = %e, "snapshot: no metrics");
                    }
                    store.apply(event);
                }
            }
            let cx = RowCx {
                now,
                insight: Some(&store.insight),
            };
            let mut rows: Vec<&Service> = clusters
                .iter()
                .filter_map(|c| store.cluster_data(&c.arn))
                .flat_map(|d| d.services.items())
                .collect();
            if let Some(name) = &request.service {
                rows.retain(|s| &s.name == name);
                if rows.is_empty() {
                    bail!("no service named `{name}` in {}", names(&clusters));
                }
            }
            if request.format == Format::Json {
                // The latest CPU and memory beside each service.
                let latest = |s: &Service, which: usize| {
                    let region = crate::util::arn_region(&s.cluster_arn).unwrap_or_default();
                    let key = &service_series(region, crate::util::arn_tail(&s.cluster_arn), &s.name)[which];
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
                return Ok(serde_json::to_string_pretty(&rows)? + "\n");
            }
            output(&rows, &[], &cx, request.format)
        }
        View::Tasks => {
            let clusters = chosen(backend, request.cluster.as_deref()).await?;
            let fetches = clusters
                .iter()
                .map(|c| Fetch::Tasks {
                    cluster: c.arn.clone(),
                    stopped: request.stopped,
                })
                .collect();
            load(backend, &mut store, fetches).await?;
            let service = request.service.as_deref();
            let keep = tasks::of_service(service);
            let rows: Vec<&Task> = clusters
                .iter()
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
            output(&rows, hidden, &cx, request.format)
        }
        View::Nodegroups => {
            let clusters = chosen_eks(backend, request.cluster.as_deref()).await?;
            let fetches = clusters
                .iter()
                .map(|c| Fetch::NodeGroups { cluster: c.arn.clone() })
                .collect();
            load(backend, &mut store, fetches).await?;
            let groups: Vec<(&str, Vec<&crate::domain::kube::NodeGroup>)> = clusters
                .iter()
                .filter_map(|c| {
                    Some((
                        c.name.as_str(),
                        store.kube.get(&c.arn)?.nodegroups.items().iter().collect(),
                    ))
                })
                .collect();
            output_in_clusters(&groups, &cx, request.format)
        }
        View::Pods => {
            let clusters = chosen_eks(backend, request.cluster.as_deref()).await?;
            let fetches = clusters
                .iter()
                .map(|c| Fetch::Kube {
                    cluster: c.arn.clone(),
                    kind: crate::domain::kube::KubeKind::Pods,
                })
                .collect();
            load(backend, &mut store, fetches).await?;
            let groups: Vec<(&str, Vec<&crate::domain::kube::Pod>)> = clusters
                .iter()
                .filter_map(|c| {
                    let pods = store.kube.get(&c.arn)?.pods.items().iter();
                    let pods = pods.filter(|p| request.namespace.as_ref().is_none_or(|ns| &p.namespace == ns));
                    Some((c.name.as_str(), pods.collect()))
                })
                .collect();
            output_in_clusters(&groups, &cx, request.format)
        }
    }
}

/// [`run`], written to `out` as it goes where a view can be: the tasks of a whole fleet as
/// JSON are written a cluster at a time, so that only a few clusters' tasks are ever held
/// at once, however large the fleet. A failure part way ends the output where it failed
/// (and is returned, for the exit status).
pub async fn write(backend: &dyn Backend, view: View, request: &Request, out: &mut dyn std::io::Write) -> Result<()> {
    if view == View::Tasks && request.format == Format::Json {
        return stream_tasks(backend, request, out).await;
    }
    let text = run(backend, view, request).await?;
    out.write_all(text.as_bytes())?;
    Ok(())
}

async fn stream_tasks(backend: &dyn Backend, request: &Request, out: &mut dyn std::io::Write) -> Result<()> {
    use futures::stream::{self, StreamExt};
    use serde::ser::{SerializeSeq, Serializer};
    use std::io::Write as _;

    let clusters = chosen(backend, request.cluster.as_deref()).await?;
    let keep = tasks::of_service(request.service.as_deref());
    let mut results = stream::iter(clusters.iter().map(|c| Fetch::Tasks {
        cluster: c.arn.clone(),
        stopped: request.stopped,
    }))
    .map(|fetch| async move {
        let result = backend.fetch(&fetch).await;
        DataEvent::new(fetch, backend.now(), result)
    })
    .buffered(8);
    let mut json = serde_json::Serializer::pretty(std::io::BufWriter::new(out));
    let mut seq = json.serialize_seq(None)?;
    while let Some(event) = results.next().await {
        if let Err(error) = &event.result {
            bail!("{}", error.message);
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
    Ok(())
}

fn names(clusters: &[Cluster]) -> String {
    clusters.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// Rows of one or more EKS clusters. Names repeat between clusters (node groups, pods),
/// so with more than one cluster each row says which: a CLUSTER column first in a table,
/// a `cluster` field in JSON.
fn output_in_clusters<T: Row + serde::Serialize>(
    groups: &[(&str, Vec<&T>)],
    cx: &RowCx,
    format: Format,
) -> Result<String> {
    let rows: Vec<&T> = groups.iter().flat_map(|(_, rows)| rows.iter().copied()).collect();
    if groups.len() < 2 {
        return output(&rows, &[], cx, format);
    }
    let names = groups
        .iter()
        .flat_map(|(name, rows)| std::iter::repeat_n(*name, rows.len()));
    Ok(match format {
        Format::Table => {
            use unicode_width::UnicodeWidthStr;
            let width = groups.iter().map(|(n, _)| n.width()).fold("CLUSTER".len(), usize::max);
            let mut out = String::new();
            for (name, line) in std::iter::once("CLUSTER")
                .chain(names)
                .zip(plain(&rows, &[], cx).lines())
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

fn output<T: Row + serde::Serialize>(rows: &[&T], hidden: &[usize], cx: &RowCx, format: Format) -> Result<String> {
    Ok(match format {
        Format::Table => plain(rows, hidden, cx),
        Format::Json => {
            let mut text = serde_json::to_string_pretty(rows)?;
            text.push('\n');
            text
        }
    })
}
