//! `bosun report`: one Markdown document about a cluster (or one of its services) to paste
//! into an incident channel or a ticket: the services' health with the last hour of CPU and
//! memory as sparklines, their deployments, why their tasks stopped, the alarms firing, and
//! the timeline. The same fetches and conversions as the TUI and `snapshot`; the document is
//! drawn as `Y` draws it in the TUI (`ui::report`).

use anyhow::{Result, bail};
use jiff::SignedDuration;

use crate::domain::fetch::Fetch;
use crate::domain::metrics::{place_of, service_series};
use crate::domain::{Cluster, Service};
use crate::snapshot::{Missing, chosen, load, load_metrics, store_of};
use crate::source::Backend;
use crate::store::Store;

/// What a report is about.
#[derive(Debug, Clone)]
pub struct Request {
    pub cluster: String,
    pub service: Option<String>,
    /// How far back stopped tasks and events go.
    pub since: SignedDuration,
    pub in_flight: usize,
}

/// The report, as Markdown.
pub async fn report(backend: &dyn Backend, request: &Request) -> Result<String> {
    let now = backend.now();
    let mut store = store_of(backend);
    let mut missing = Missing::default();
    let clusters = chosen(backend, Some(&request.cluster), request.in_flight, &mut missing).await?;
    let stopped_tasks = clusters.iter().map(|c| (c.account.clone(), Fetch::stopped(&c.arn)));
    load(
        backend,
        &mut store,
        stopped_tasks.collect(),
        request.in_flight,
        &mut missing,
    )
    .await?;
    // Alarms, their history and scaling activities are extra: a report without them says
    // why and is still right about the rest.
    let mut extra: Vec<Fetch> = clusters
        .iter()
        .flat_map(|c| crate::store::timeline::of_region(&c.account, &c.region, true))
        .collect();
    extra.sort();
    extra.dedup();
    for event in crate::source::fetch_all(backend, extra, request.in_flight).await {
        store.apply(event);
    }
    let services = clusters.iter().map(|c| (c.account.clone(), Fetch::services(&c.arn)));
    load(backend, &mut store, services.collect(), request.in_flight, &mut missing).await?;
    if !missing.is_empty() {
        bail!("{}", missing.report());
    }
    let chosen_services = |store: &Store, c: &Cluster| -> Vec<Service> {
        store
            .cluster_data(&c.arn)
            .map(|d| d.services.items().to_vec())
            .unwrap_or_default()
            .into_iter()
            .filter(|s| request.service.as_ref().is_none_or(|n| &s.name == n))
            .collect()
    };
    let mut keys = Vec::new();
    for c in &clusters {
        for s in chosen_services(&store, c) {
            keys.extend(service_series(place_of(&c.arn), &c.name, &s.name));
        }
    }
    load_metrics(backend, &mut store, keys).await;

    let mut out = String::new();
    for c in &clusters {
        match crate::ui::report::cluster(&store, c, request.service.as_deref(), request.since, now) {
            Ok(text) => out.push_str(&text),
            Err(error) if request.service.is_some() => bail!("{error}"),
            Err(_) => continue,
        }
    }
    if out.is_empty() {
        bail!("no services in {}", request.cluster);
    }
    Ok(out)
}
