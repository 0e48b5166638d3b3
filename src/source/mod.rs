//! All reads. A [`Backend`] answers [`Fetch`]es; the [`scheduler`] decides which fetches run
//! when and sends their results to the app loop as owned [`DataEvent`]s.
//!
//! Nothing here depends on the terminal UI.

pub mod aws;
pub mod scheduler;
pub mod sim;

use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;

use crate::domain::FetchError;
use crate::domain::account::Account;
use crate::domain::fetch::{DataEvent, Fetch, Payload};

/// A place bosun reads fleets from: AWS, or the simulated fleet.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The accounts this backend covers, each with its regions.
    fn accounts(&self) -> Vec<Account>;

    /// Every region of every account, once each, in the order first named.
    fn regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = Vec::new();
        for region in self.accounts().into_iter().flat_map(|a| a.regions) {
            if !regions.contains(&region) {
                regions.push(region);
            }
        }
        regions
    }

    async fn fetch(&self, fetch: &Fetch) -> Result<Payload, FetchError>;

    /// The backend's clock: the wall clock for AWS, the simulated clock for the demo.
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }

    /// API requests sent in the last minute, where the backend makes any.
    fn calls_last_minute(&self) -> Option<u32> {
        None
    }

    /// Every API request sent so far, by operation (`ECS.ListTasks`), where it makes any.
    fn calls_by_operation(&self) -> Option<std::collections::BTreeMap<String, u64>> {
        None
    }
}

pub type SharedBackend = Arc<dyn Backend>;

/// Run `fetches` concurrently (at most `limit` at once) and return their results in the
/// order given. For headless use and tests; the TUI goes through the scheduler.
pub async fn fetch_all(backend: &dyn Backend, fetches: Vec<Fetch>, limit: usize) -> Vec<DataEvent> {
    use futures::stream::{self, StreamExt};
    stream::iter(fetches)
        .map(|fetch| async move {
            let result = backend.fetch(&fetch).await;
            DataEvent::new(fetch, backend.now(), result)
        })
        .buffered(limit.max(1))
        .collect()
        .await
}

/// Everything the fleet, services and tasks views of every cluster show: cluster lists,
/// then per cluster its services, running and stopped tasks and container instances.
pub async fn load_fleet(backend: &dyn Backend, limit: usize) -> Vec<DataEvent> {
    let mut first = Vec::new();
    for account in backend.accounts() {
        first.push(Fetch::Identity {
            account: account.name.clone(),
        });
        for region in account.regions {
            first.push(Fetch::EcsClusters {
                account: account.name.clone(),
                region: region.clone(),
            });
            first.extend(Fetch::apprunner_services(&account.name, &region));
            first.push(Fetch::EksClusters {
                account: account.name.clone(),
                region,
            });
        }
    }
    let mut events = fetch_all(backend, first, limit).await;
    let clusters: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.result {
            Ok(Payload::EcsClusters(list)) => Some(list.iter().map(|c| c.arn.clone())),
            _ => None,
        })
        .flatten()
        .collect();
    let mut second = Vec::new();
    // An EKS cluster's row rolls up its node groups and add-ons.
    for e in &events {
        if let Ok(Payload::EksClusters(list)) = &e.result {
            for c in list {
                second.push(Fetch::NodeGroups { cluster: c.arn.clone() });
                second.push(Fetch::Addons { cluster: c.arn.clone() });
            }
        }
    }
    for cluster in clusters {
        second.push(Fetch::Services {
            cluster: cluster.clone(),
        });
        second.push(Fetch::Tasks {
            cluster: cluster.clone(),
            stopped: false,
        });
        second.push(Fetch::Tasks {
            cluster: cluster.clone(),
            stopped: true,
        });
        second.push(Fetch::ContainerInstances { cluster });
    }
    events.extend(fetch_all(backend, second, limit).await);
    events
}
