//! What bosun keeps of the insight views: metrics, alarms, autoscaling, targets, logs,
//! images, scheduled tasks, each with its freshness and last error.

use std::collections::{BTreeMap, HashMap, VecDeque};

use jiff::Timestamp;

use super::Collection;
use crate::domain::FetchError;
use crate::domain::fetch::{Fetch, Payload};
use crate::domain::insight::*;
use crate::domain::metrics::{Alarm, AlarmChange, MetricSeries, SeriesKey, Window};

/// One fetched value with when it was fetched and its last error, like a [`super::Collection`]
/// for things that are not lists.
#[derive(Debug, Clone)]
pub struct Slot<T> {
    pub value: Option<T>,
    pub fetched_at: Option<Timestamp>,
    pub error: Option<FetchError>,
    /// Bumped whenever the value or the error changes.
    pub version: u64,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot {
            value: None,
            fetched_at: None,
            error: None,
            version: 0,
        }
    }
}

impl<T: PartialEq> Slot<T> {
    pub fn set(&mut self, value: T, at: Timestamp) -> bool {
        let changed = self.error.take().is_some() || self.value.as_ref() != Some(&value);
        self.value = Some(value);
        self.fetched_at = Some(at);
        if changed {
            self.version += 1;
        }
        changed
    }

    pub fn fail(&mut self, error: FetchError) -> bool {
        let changed = self.error.as_ref() != Some(&error);
        self.error = Some(error);
        if changed {
            self.version += 1;
        }
        changed
    }
}

/// The lines of one log stream, oldest first, bounded: the oldest go when it is full.
#[derive(Debug, Clone)]
pub struct LogBuffer {
    pub lines: VecDeque<LogLine>,
    pub cap: usize,
    /// Lines dropped from the front to stay within `cap`.
    pub dropped: u64,
    pub fetched_at: Option<Timestamp>,
    pub error: Option<FetchError>,
    pub version: u64,
}

impl LogBuffer {
    pub fn new(cap: usize) -> Self {
        LogBuffer {
            lines: VecDeque::new(),
            cap: cap.max(1),
            dropped: 0,
            fetched_at: None,
            error: None,
            version: 0,
        }
    }

    /// Append new lines (or start over with them); returns whether anything changed.
    pub fn push(&mut self, lines: Vec<LogLine>, reset: bool, at: Timestamp) -> bool {
        let changed = reset || !lines.is_empty() || self.error.is_some();
        self.error = None;
        self.fetched_at = Some(at);
        if reset {
            self.lines.clear();
            self.dropped = 0;
        }
        for line in lines {
            if self.lines.len() == self.cap {
                self.lines.pop_front();
                self.dropped += 1;
            }
            self.lines.push_back(line);
        }
        if changed {
            self.version += 1;
        }
        changed
    }
}

/// An account (by name) and a region: where per-region data is kept.
pub type Place = (String, String);

pub fn place(account: &str, region: &str) -> Place {
    (account.to_string(), region.to_string())
}

/// Where the images of a repository are kept.
pub fn images_key(account: &str, region: &str, repository: &str) -> String {
    format!("{account}/{region}/{repository}")
}

/// Everything issue-by-issue views check before acting, each with its freshness and error.
#[derive(Debug)]
pub struct Insight {
    pub metrics: HashMap<(SeriesKey, Window), MetricSeries>,
    /// When metrics last arrived, and the last metrics error.
    pub metrics_status: Slot<()>,
    /// By account and region, as the rest of the per-region data.
    pub alarms: BTreeMap<Place, Collection<Alarm>>,
    /// Cloud Map services' instances, by service ARN.
    pub cloud_map: HashMap<String, Slot<Vec<crate::domain::deploy::CloudMapInstance>>>,
    /// Tasks' scale-in protection, by cluster ARN.
    pub protection: HashMap<String, Slot<Vec<crate::domain::deploy::Protection>>>,
    /// Services' deployments as ECS records them, by service ARN.
    pub deployments: HashMap<String, Slot<crate::domain::deploy::DeploymentHistory>>,
    /// Alarm state changes of the last day, newest first.
    pub alarm_history: BTreeMap<Place, Slot<Vec<AlarmChange>>>,
    pub scaling: BTreeMap<Place, Slot<Scaling>>,
    pub capacity: BTreeMap<Place, Collection<CapacityProvider>>,
    pub targets: HashMap<String, Slot<TargetGroupHealth>>,
    /// By (group, stream).
    pub logs: HashMap<(String, String), LogBuffer>,
    pub log_lines: usize,
    /// By `account/region/repository`.
    pub images: HashMap<String, Slot<Vec<Image>>>,
    pub repositories: BTreeMap<Place, Collection<Repository>>,
    pub schedules: BTreeMap<Place, Collection<ScheduledTask>>,
}

impl Default for Insight {
    fn default() -> Self {
        Insight {
            metrics: HashMap::new(),
            metrics_status: Slot::default(),
            alarms: BTreeMap::new(),
            alarm_history: BTreeMap::new(),
            deployments: HashMap::new(),
            protection: HashMap::new(),
            cloud_map: HashMap::new(),
            scaling: BTreeMap::new(),
            capacity: BTreeMap::new(),
            targets: HashMap::new(),
            logs: HashMap::new(),
            log_lines: DEFAULT_LOG_LINES,
            images: HashMap::new(),
            repositories: BTreeMap::new(),
            schedules: BTreeMap::new(),
        }
    }
}

impl Insight {
    /// A task's scale-in protection, where it was read.
    pub fn protection_of(&self, cluster: &str, task: &str) -> Option<&crate::domain::deploy::Protection> {
        self.protection
            .get(cluster)?
            .value
            .as_ref()?
            .iter()
            .find(|p| p.task == task)
    }

    pub fn series(&self, key: &SeriesKey, window: Window) -> Option<&MetricSeries> {
        self.metrics.get(&(key.clone(), window))
    }

    pub fn log(&self, group: &str, stream: &str) -> Option<&LogBuffer> {
        self.logs.get(&(group.to_string(), stream.to_string()))
    }

    /// Firing alarms about a cluster (its ClusterName dimension), in its account's region.
    pub fn firing_in_cluster(&self, account: &str, region: &str, cluster: &str) -> Option<u32> {
        let alarms = self.alarms.get(&place(account, region)).filter(|a| a.is_loaded())?;
        Some(
            alarms
                .items()
                .iter()
                .filter(|a| a.firing() && a.dim("ClusterName") == Some(cluster))
                .count() as u32,
        )
    }

    /// Apply a fetch of this part of the store ([`Fetch::is_insight`]).
    pub fn apply_ok(&mut self, fetch: &Fetch, payload: Payload, at: Timestamp) -> bool {
        match (fetch, payload) {
            (Fetch::Metrics { .. }, Payload::Metrics(list)) => {
                let mut changed = self.metrics_status.set((), at);
                for series in list {
                    let key = (series.key.clone(), series.window);
                    if self.metrics.get(&key) != Some(&series) {
                        self.metrics.insert(key, series);
                        changed = true;
                    }
                }
                changed
            }
            (Fetch::Alarms { account, region }, Payload::Alarms(mut list)) => {
                list.sort_by(|a, b| (!a.firing(), &a.name).cmp(&(!b.firing(), &b.name)));
                self.alarms.entry(place(account, region)).or_default().replace(list, at)
            }
            (Fetch::CloudMap { service }, Payload::CloudMap(list)) => {
                self.cloud_map.entry(service.clone()).or_default().set(list, at)
            }
            (Fetch::TaskProtection { cluster, .. }, Payload::TaskProtection(list)) => {
                self.protection.entry(cluster.clone()).or_default().set(list, at)
            }
            (Fetch::ServiceDeployments { service, .. }, Payload::ServiceDeployments(history)) => {
                self.deployments.entry(service.clone()).or_default().set(*history, at)
            }
            (Fetch::AlarmHistory { account, region }, Payload::AlarmHistory(list)) => self
                .alarm_history
                .entry(place(account, region))
                .or_default()
                .set(list, at),
            (Fetch::Scaling { account, region }, Payload::Scaling(scaling)) => self
                .scaling
                .entry(place(account, region))
                .or_default()
                .set(*scaling, at),
            (Fetch::CapacityProviders { account, region, .. }, Payload::CapacityProviders(list)) => self
                .capacity
                .entry(place(account, region))
                .or_default()
                .replace(list, at),
            (Fetch::Targets { target_group }, Payload::Targets(health)) => {
                self.targets.entry(target_group.clone()).or_default().set(*health, at)
            }
            (Fetch::Logs { .. } | Fetch::PodLogs { .. }, Payload::Logs { lines, reset }) => {
                let cap = self.log_lines;
                self.logs
                    .entry(fetch.log_key().unwrap_or_default())
                    .or_insert_with(|| LogBuffer::new(cap))
                    .push(lines, reset, at)
            }
            (
                Fetch::Images {
                    account,
                    region,
                    repository,
                    ..
                },
                Payload::Images(list),
            ) => self
                .images
                .entry(images_key(account, region, repository))
                .or_default()
                .set(list, at),
            (Fetch::Repositories { account, region }, Payload::Repositories(list)) => self
                .repositories
                .entry(place(account, region))
                .or_default()
                .replace(list, at),
            (Fetch::Schedules { account, region }, Payload::Schedules(list)) => self
                .schedules
                .entry(place(account, region))
                .or_default()
                .replace(list, at),
            (fetch, payload) => {
                tracing::error!(?fetch, payload = payload.kind(), "payload does not match fetch");
                false
            }
        }
    }

    pub fn apply_err(&mut self, fetch: &Fetch, error: FetchError) -> bool {
        match fetch {
            Fetch::Metrics { .. } => self.metrics_status.fail(error),
            Fetch::Alarms { account, region } => self.alarms.entry(place(account, region)).or_default().fail(error),
            Fetch::AlarmHistory { account, region } => self
                .alarm_history
                .entry(place(account, region))
                .or_default()
                .fail(error),
            Fetch::Scaling { account, region } => self.scaling.entry(place(account, region)).or_default().fail(error),
            Fetch::ServiceDeployments { service, .. } => {
                self.deployments.entry(service.clone()).or_default().fail(error)
            }
            Fetch::TaskProtection { cluster, .. } => self.protection.entry(cluster.clone()).or_default().fail(error),
            Fetch::CloudMap { service } => self.cloud_map.entry(service.clone()).or_default().fail(error),
            Fetch::CapacityProviders { account, region, .. } => {
                self.capacity.entry(place(account, region)).or_default().fail(error)
            }
            Fetch::Targets { target_group } => self.targets.entry(target_group.clone()).or_default().fail(error),
            Fetch::Logs { .. } | Fetch::PodLogs { .. } => {
                let cap = self.log_lines;
                let buffer = self
                    .logs
                    .entry(fetch.log_key().unwrap_or_default())
                    .or_insert_with(|| LogBuffer::new(cap));
                let changed = buffer.error.as_ref() != Some(&error);
                buffer.error = Some(error);
                changed
            }
            Fetch::Images {
                account,
                region,
                repository,
                ..
            } => self
                .images
                .entry(images_key(account, region, repository))
                .or_default()
                .fail(error),
            Fetch::Repositories { account, region } => {
                self.repositories.entry(place(account, region)).or_default().fail(error)
            }
            Fetch::Schedules { account, region } => {
                self.schedules.entry(place(account, region)).or_default().fail(error)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_buffers_are_bounded() {
        let at: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let mut buf = LogBuffer::new(3);
        let line = |m: &str| LogLine { at, message: m.into() };
        buf.push(vec![line("a"), line("b")], false, at);
        buf.push(vec![line("c"), line("d")], false, at);
        assert_eq!(
            buf.lines.iter().map(|l| l.message.as_str()).collect::<Vec<_>>(),
            ["b", "c", "d"]
        );
        assert_eq!(buf.dropped, 1);
        assert!(!buf.push(vec![], false, at), "nothing new is no change");
        buf.push(vec![line("x")], true, at);
        assert_eq!(buf.lines.len(), 1);
    }
}
