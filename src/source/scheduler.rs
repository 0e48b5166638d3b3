//! Decides which fetches run when: what is on screen fast, the rest of the fleet slowly,
//! never the same fetch twice at once, failing fetches backed off, `ctrl-r` at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until};

use super::SharedBackend;
use crate::domain::FetchError;
use crate::domain::fetch::{DataEvent, Fetch, Payload, Scope};
use crate::domain::kube::KubeKind;

/// How often to refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intervals {
    /// What is on screen.
    pub fast: Duration,
    /// Everything else: the fleet roll-ups.
    pub slow: Duration,
    /// The longest a failing fetch waits before its next try.
    pub max_backoff: Duration,
}

impl Default for Intervals {
    fn default() -> Self {
        Intervals {
            fast: Duration::from_secs(5),
            slow: Duration::from_secs(60),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// Requests from the app to the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Refresh what is on screen now, forgetting any backoff.
    RefreshNow,
}

#[derive(Debug)]
struct Job {
    next_due: Instant,
    last_started: Option<Instant>,
    in_flight: bool,
    failures: u32,
    /// An immutable resource fetched successfully: never again.
    done: bool,
}

impl Job {
    fn due_now(now: Instant) -> Self {
        Job {
            next_due: now,
            last_started: None,
            in_flight: false,
            failures: 0,
            done: false,
        }
    }

    fn idle(&self) -> bool {
        !self.in_flight && !self.done
    }
}

pub struct Scheduler {
    backend: SharedBackend,
    intervals: Intervals,
    regions: Vec<String>,
    jobs: HashMap<Fetch, Job>,
    /// ECS clusters per region, from the last good cluster list.
    clusters: BTreeMap<String, BTreeSet<String>>,
    /// EKS clusters per region, from the last good cluster list.
    eks: BTreeMap<String, BTreeSet<String>>,
    /// EKS clusters whose pods have been read: their watches run, so reading them again
    /// for the fleet's roll-up costs no API call, and is kept up off screen too.
    watched: BTreeSet<String>,
    scope: Scope,
    max_in_flight: usize,
}

type Finished = (Fetch, jiff::Timestamp, Result<Payload, FetchError>);

impl Scheduler {
    pub fn new(backend: SharedBackend, intervals: Intervals) -> Self {
        let regions = backend.regions();
        Scheduler {
            backend,
            intervals,
            regions,
            jobs: HashMap::new(),
            clusters: BTreeMap::new(),
            eks: BTreeMap::new(),
            watched: BTreeSet::new(),
            scope: Scope::default(),
            max_in_flight: 8,
        }
    }

    /// Every fetch that should be kept fresh, on screen or not.
    fn wanted(&self) -> BTreeSet<Fetch> {
        let mut wanted = BTreeSet::from([Fetch::Identity]);
        for region in &self.regions {
            wanted.insert(Fetch::EcsClusters { region: region.clone() });
            wanted.insert(Fetch::EksClusters { region: region.clone() });
            // Firing alarms roll up into the fleet view.
            wanted.insert(Fetch::Alarms { region: region.clone() });
        }
        for cluster in self.clusters.values().flatten() {
            wanted.insert(Fetch::Services {
                cluster: cluster.clone(),
            });
            wanted.insert(Fetch::Tasks {
                cluster: cluster.clone(),
                stopped: true,
            });
        }
        // Node groups and add-ons roll up into the fleet view's EKS rows; so do pods and
        // workloads, once a view has started their watches.
        for cluster in self.eks.values().flatten() {
            wanted.insert(Fetch::NodeGroups {
                cluster: cluster.clone(),
            });
            wanted.insert(Fetch::Addons {
                cluster: cluster.clone(),
            });
        }
        for cluster in &self.watched {
            for kind in [KubeKind::Pods, KubeKind::Workloads] {
                wanted.insert(Fetch::Kube {
                    cluster: cluster.clone(),
                    kind,
                });
            }
        }
        wanted.extend(self.scope.0.iter().cloned());
        wanted
    }

    fn interval(&self, fetch: &Fetch) -> Duration {
        if self.scope.contains(fetch) {
            self.intervals.fast
        } else {
            self.intervals.slow
        }
    }

    /// Add jobs for new wants (due now), drop the ones nobody wants, and pull forward
    /// jobs that just came on screen.
    fn reconcile(&mut self, now: Instant) {
        let wanted = self.wanted();
        self.jobs.retain(|fetch, job| job.in_flight || wanted.contains(fetch));
        for fetch in wanted {
            let fast = self.interval(&fetch);
            let job = self.jobs.entry(fetch).or_insert_with(|| Job::due_now(now));
            if job.failures == 0
                && let Some(started) = job.last_started
            {
                job.next_due = job.next_due.min(started + fast);
            }
        }
    }

    fn set_scope(&mut self, scope: Scope) {
        self.scope = scope;
        self.reconcile(Instant::now());
    }

    fn refresh_now(&mut self, now: Instant) {
        let mut urgent: BTreeSet<Fetch> = self.scope.0.clone();
        for region in &self.regions {
            urgent.insert(Fetch::EcsClusters { region: region.clone() });
        }
        for fetch in urgent {
            if let Some(job) = self.jobs.get_mut(&fetch) {
                job.next_due = now;
                job.failures = 0;
            }
        }
    }

    /// Book-keeping when a fetch returns: the next due time, backoff, and what the
    /// result tells about the fleet (new clusters to watch).
    fn finish(&mut self, fetch: &Fetch, result: &Result<Payload, FetchError>, now: Instant) {
        match (fetch, result) {
            (Fetch::EcsClusters { region }, Ok(Payload::EcsClusters(list))) => {
                self.clusters
                    .insert(region.clone(), list.iter().map(|c| c.arn.clone()).collect());
            }
            (Fetch::EksClusters { region }, Ok(Payload::EksClusters(list))) => {
                self.eks
                    .insert(region.clone(), list.iter().map(|c| c.arn.clone()).collect());
            }
            (
                Fetch::Kube {
                    cluster,
                    kind: KubeKind::Pods,
                },
                Ok(_),
            ) => {
                self.watched.insert(cluster.clone());
            }
            _ => {}
        }
        let interval = self.interval(fetch);
        let max_backoff = self.intervals.max_backoff.max(interval);
        let Some(job) = self.jobs.get_mut(fetch) else {
            return;
        };
        job.in_flight = false;
        match result {
            Ok(_) => {
                job.failures = 0;
                job.done = fetch.is_immutable();
                job.next_due = job.last_started.unwrap_or(now) + interval;
            }
            Err(error) => {
                job.failures += 1;
                let backoff = interval.saturating_mul(1 << job.failures.min(10)).min(max_backoff);
                tracing::warn!(fetch = %fetch.describe(), failures = job.failures, ?backoff, %error, "fetch failed");
                job.next_due = now + backoff;
            }
        }
    }

    /// Start every due fetch, on-screen ones first, up to the in-flight limit.
    fn start_due(&mut self, running: &mut JoinSet<Finished>, now: Instant) {
        let mut due: Vec<Fetch> = self
            .jobs
            .iter()
            .filter(|(_, job)| job.idle() && job.next_due <= now)
            .map(|(fetch, _)| fetch.clone())
            .collect();
        due.sort_by_key(|f| (!self.scope.contains(f), f.clone()));
        for fetch in due {
            if running.len() >= self.max_in_flight {
                break;
            }
            let job = self.jobs.get_mut(&fetch).expect("due jobs exist");
            job.in_flight = true;
            job.last_started = Some(now);
            let backend = self.backend.clone();
            running.spawn(async move {
                let result = backend.fetch(&fetch).await;
                (fetch, backend.now(), result)
            });
        }
    }

    /// Run until the app goes away (its channels close).
    pub async fn run(
        mut self,
        mut scope: watch::Receiver<Scope>,
        mut control: mpsc::Receiver<Control>,
        out: mpsc::Sender<DataEvent>,
    ) {
        self.scope = scope.borrow_and_update().clone();
        let mut running: JoinSet<Finished> = JoinSet::new();
        loop {
            let now = Instant::now();
            self.reconcile(now);
            self.start_due(&mut running, now);
            let next = self.jobs.values().filter(|j| j.idle()).map(|j| j.next_due).min();
            let at_capacity = running.len() >= self.max_in_flight;
            tokio::select! {
                _ = sleep_until(next.unwrap_or(now + Duration::from_secs(3600))), if next.is_some() && !at_capacity => {}
                changed = scope.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let new = scope.borrow_and_update().clone();
                    self.set_scope(new);
                }
                message = control.recv() => match message {
                    None => return,
                    Some(Control::RefreshNow) => self.refresh_now(Instant::now()),
                },
                Some(joined) = running.join_next(), if !running.is_empty() => {
                    let (fetch, at, result) = match joined {
                        Ok(done) => done,
                        Err(panic) => {
                            // A fetch that panicked is a bug; its job stays in flight and
                            // is not retried, but nothing else stops.
                            tracing::error!(%panic, "a fetch panicked");
                            continue;
                        }
                    };
                    self.finish(&fetch, &result, Instant::now());
                    if out.send(DataEvent::new(fetch, at, result)).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;

    use super::*;
    use crate::domain::Cluster;
    use crate::domain::ErrorKind;
    use crate::source::Backend;

    /// A backend that counts fetches and fails the ones it is told to.
    #[derive(Default)]
    struct Counting {
        calls: Mutex<Vec<Fetch>>,
        failing: Mutex<BTreeSet<Fetch>>,
    }

    #[async_trait]
    impl Backend for Counting {
        fn regions(&self) -> Vec<String> {
            vec!["us-east-1".into()]
        }
        fn profile(&self) -> String {
            "test".into()
        }
        async fn fetch(&self, fetch: &Fetch) -> Result<Payload, FetchError> {
            self.calls.lock().unwrap().push(fetch.clone());
            tokio::time::sleep(Duration::from_millis(100)).await;
            if self.failing.lock().unwrap().contains(fetch) {
                return Err(FetchError::new(ErrorKind::Network, "down"));
            }
            Ok(match fetch {
                Fetch::EcsClusters { region } => Payload::EcsClusters(vec![Cluster {
                    arn: format!("arn:aws:ecs:{region}:1:cluster/web"),
                    name: "web".into(),
                    region: region.clone(),
                    status: "ACTIVE".into(),
                    active_services: 0,
                    running_tasks: 0,
                    pending_tasks: 0,
                    container_instances: 0,
                    capacity_providers: vec![],
                }]),
                Fetch::EksClusters { region } => Payload::EksClusters(vec![crate::domain::EksCluster {
                    arn: EKS.into(),
                    name: "k8s".into(),
                    region: region.clone(),
                    status: "ACTIVE".into(),
                    version: "1.31".into(),
                    platform_version: None,
                    endpoint: None,
                    public_access: true,
                    private_access: false,
                    created_at: None,
                }]),
                Fetch::Identity => Payload::Identity(crate::domain::Identity {
                    account: "1".into(),
                    arn: "arn".into(),
                }),
                Fetch::Services { .. } => Payload::Services(vec![]),
                _ => Payload::Tasks(vec![]),
            })
        }
    }

    struct Harness {
        backend: Arc<Counting>,
        scope: watch::Sender<Scope>,
        control: mpsc::Sender<Control>,
        events: mpsc::Receiver<DataEvent>,
    }

    fn start(intervals: Intervals) -> Harness {
        let backend = Arc::new(Counting::default());
        let (scope, scope_rx) = watch::channel(Scope::default());
        let (control, control_rx) = mpsc::channel(4);
        let (tx, events) = mpsc::channel(64);
        let scheduler = Scheduler::new(backend.clone(), intervals);
        tokio::spawn(scheduler.run(scope_rx, control_rx, tx));
        Harness {
            backend,
            scope,
            control,
            events,
        }
    }

    fn count(h: &Harness, fetch: &Fetch) -> usize {
        h.backend.calls.lock().unwrap().iter().filter(|f| *f == fetch).count()
    }

    const CLUSTER: &str = "arn:aws:ecs:us-east-1:1:cluster/web";
    const EKS: &str = "arn:aws:eks:us-east-1:1:cluster/k8s";

    fn tasks() -> Fetch {
        Fetch::Tasks {
            cluster: CLUSTER.into(),
            stopped: false,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn on_screen_fast_the_rest_slow() {
        let mut h = start(Intervals::default());
        h.scope.send(Scope::of([tasks()])).unwrap();
        tokio::time::sleep(Duration::from_secs(61)).await;
        while h.events.try_recv().is_ok() {}
        let services = Fetch::Services {
            cluster: CLUSTER.into(),
        };
        // Discovered from the cluster list, then refreshed every 60 s.
        assert_eq!(count(&h, &services), 2);
        // On screen: every 5 s.
        let fast = count(&h, &tasks());
        assert!((12..=13).contains(&fast), "fast fetches: {fast}");
    }

    #[tokio::test(start_paused = true)]
    async fn errors_back_off_and_refresh_now_retries_at_once() {
        let mut h = start(Intervals::default());
        h.backend.failing.lock().unwrap().insert(tasks());
        h.scope.send(Scope::of([tasks()])).unwrap();
        tokio::time::sleep(Duration::from_secs(60)).await;
        // 0, +10, +20, +30, +30 ... instead of every 5 s.
        let tries = count(&h, &tasks());
        assert!((3..=5).contains(&tries), "tries under backoff: {tries}");
        h.backend.failing.lock().unwrap().clear();
        h.control.send(Control::RefreshNow).await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(count(&h, &tasks()), tries + 1);
        let mut last = None;
        while let Ok(ev) = h.events.try_recv() {
            if ev.fetch == tasks() {
                last = Some(ev.result.is_ok());
            }
        }
        assert_eq!(last, Some(true));
    }

    #[tokio::test(start_paused = true)]
    async fn a_fetch_in_flight_is_not_started_again() {
        let h = start(Intervals {
            fast: Duration::from_millis(10),
            ..Intervals::default()
        });
        h.scope.send(Scope::of([tasks()])).unwrap();
        // Each fetch takes 100 ms; at a 10 ms interval an undeduplicated scheduler would
        // start ten per fetch.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let n = count(&h, &tasks());
        assert!(n <= 10, "fetches of one key in 1 s: {n}");
        for _ in 0..5 {
            h.control.send(Control::RefreshNow).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(count(&h, &tasks()) <= n + 1);
    }

    #[tokio::test(start_paused = true)]
    async fn immutable_fetches_run_once() {
        let h = start(Intervals::default());
        let td = Fetch::TaskDefinition { arn: "web:1".into() };
        h.scope.send(Scope::of([td.clone()])).unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert_eq!(count(&h, &td), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn eks_node_groups_always_and_pods_once_watched_roll_up_slowly() {
        let mut h = start(Intervals::default());
        let kube = |kind| Fetch::Kube {
            cluster: EKS.into(),
            kind,
        };
        let groups = Fetch::NodeGroups { cluster: EKS.into() };
        let addons = Fetch::Addons { cluster: EKS.into() };
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!((count(&h, &groups), count(&h, &addons)), (1, 1));
        assert_eq!(count(&h, &kube(KubeKind::Pods)), 0, "no watch is started for the fleet");
        // A view reads the pods: from then on they and the workloads stay wanted, slowly.
        h.scope.send(Scope::of([kube(KubeKind::Pods)])).unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
        h.scope.send(Scope::default()).unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
        let (pods, workloads) = (count(&h, &kube(KubeKind::Pods)), count(&h, &kube(KubeKind::Workloads)));
        assert!(pods >= 1 && workloads >= 1);
        tokio::time::sleep(Duration::from_secs(120)).await;
        while h.events.try_recv().is_ok() {}
        assert_eq!(count(&h, &kube(KubeKind::Pods)), pods + 2, "off screen: every 60 s");
        assert_eq!(count(&h, &kube(KubeKind::Workloads)), workloads + 2);
        assert_eq!(count(&h, &groups), 3, "at 0, 60 and 120 s");
    }
}
