//! Decides which fetches run when: what is on screen fast, the rest of the fleet slowly,
//! never the same fetch twice at once, failing fetches backed off, `ctrl-r` at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until};

use super::SharedBackend;
use crate::domain::account::Account;
use crate::domain::fetch::{DataEvent, Fetch, Payload, Scope};
use crate::domain::kube::KubeKind;
use crate::domain::{ErrorKind, FetchError};

/// How soon a Kubernetes list that is still arriving is read again.
const LISTING_POLL: Duration = Duration::from_millis(300);

/// How often to refresh, and how much at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intervals {
    /// What is on screen.
    pub fast: Duration,
    /// Everything else: the fleet roll-ups.
    pub slow: Duration,
    /// The longest a failing fetch waits before its next try.
    pub max_backoff: Duration,
    /// Fetches in flight at once over every account and region (`[fleet] max_in_flight`).
    pub max_in_flight: usize,
}

/// Fetches in flight at once unless the config says otherwise: 50 accounts of 4 regions
/// list their clusters in about a dozen round trips, without a burst that throttles.
pub const MAX_IN_FLIGHT: usize = 16;

impl Default for Intervals {
    fn default() -> Self {
        Intervals {
            fast: Duration::from_secs(5),
            slow: Duration::from_secs(60),
            max_backoff: Duration::from_secs(30),
            max_in_flight: MAX_IN_FLIGHT,
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
    /// Whether it has been fetched successfully once: its later refreshes keep their phase.
    refreshed: bool,
}

impl Job {
    fn due_now(now: Instant) -> Self {
        Job {
            next_due: now,
            last_started: None,
            in_flight: false,
            failures: 0,
            done: false,
            refreshed: false,
        }
    }

    fn idle(&self) -> bool {
        !self.in_flight && !self.done
    }
}

pub struct Scheduler {
    backend: SharedBackend,
    intervals: Intervals,
    accounts: Vec<Account>,
    jobs: HashMap<Fetch, Job>,
    /// ECS clusters per account and region, from the last good cluster list.
    clusters: BTreeMap<(String, String), BTreeSet<String>>,
    /// EKS clusters per account and region, from the last good cluster list.
    eks: BTreeMap<(String, String), BTreeSet<String>>,
    /// The account of each cluster listed, by ARN.
    account_of_cluster: HashMap<String, String>,
    /// Accounts whose credentials failed: only their identity is asked again (at its
    /// backoff) until it answers, so an expired sign-in costs one call an interval, not
    /// one for every region and cluster.
    locked: BTreeSet<String>,
    /// EKS clusters whose pods have been read: their watches run, so reading them again
    /// for the fleet's roll-up costs no API call, and is kept up off screen too.
    watched: BTreeSet<String>,
    scope: Scope,
    max_in_flight: usize,
}

type Finished = (Fetch, jiff::Timestamp, Result<Payload, FetchError>);

impl Scheduler {
    pub fn new(backend: SharedBackend, intervals: Intervals) -> Self {
        let accounts = backend.accounts();
        Scheduler {
            backend,
            intervals,
            accounts,
            jobs: HashMap::new(),
            clusters: BTreeMap::new(),
            eks: BTreeMap::new(),
            account_of_cluster: HashMap::new(),
            locked: BTreeSet::new(),
            watched: BTreeSet::new(),
            scope: Scope::default(),
            max_in_flight: intervals.max_in_flight.max(1),
        }
    }

    /// Every fetch that should be kept fresh, on screen or not.
    fn wanted(&self) -> BTreeSet<Fetch> {
        let mut wanted = BTreeSet::new();
        for account in &self.accounts {
            let name = &account.name;
            wanted.insert(Fetch::Identity { account: name.clone() });
            for region in &account.regions {
                wanted.insert(Fetch::EcsClusters {
                    account: name.clone(),
                    region: region.clone(),
                });
                wanted.insert(Fetch::EksClusters {
                    account: name.clone(),
                    region: region.clone(),
                });
                wanted.extend(Fetch::apprunner_services(name, region));
                // Firing alarms roll up into the fleet view.
                wanted.insert(Fetch::Alarms {
                    account: name.clone(),
                    region: region.clone(),
                });
            }
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

    /// The account a fetch reads: named in it, or its cluster's.
    fn account_of(&self, fetch: &Fetch) -> Option<String> {
        match fetch {
            Fetch::Identity { account }
            | Fetch::EcsClusters { account, .. }
            | Fetch::EksClusters { account, .. }
            | Fetch::AppRunnerServices { account, .. }
            | Fetch::Revisions { account, .. }
            | Fetch::Alarms { account, .. }
            | Fetch::AlarmHistory { account, .. }
            | Fetch::Scaling { account, .. }
            | Fetch::CapacityProviders { account, .. }
            | Fetch::Logs { account, .. }
            | Fetch::Images { account, .. }
            | Fetch::Repositories { account, .. }
            | Fetch::Schedules { account, .. } => Some(account.clone()),
            Fetch::Metrics { series, .. } => series.first().map(|k| k.account.clone()),
            Fetch::AppRunnerService { service } => self.account_of_cluster.get(service).cloned(),
            // The rest by their cluster; a task definition or target group has none.
            other => self.account_of_cluster.get(other.cluster()?).cloned(),
        }
    }

    /// Where in the slow interval a fetch's refreshes fall: the same place each time, and
    /// spread evenly over the fleet's fetches. What is on screen is never delayed.
    fn spread(&self, fetch: &Fetch, interval: Duration) -> Duration {
        if self.scope.contains(fetch) || interval.is_zero() {
            return Duration::ZERO;
        }
        use std::hash::BuildHasher;
        let hash = foldhash::quality::FixedState::with_seed(7).hash_one(fetch);
        interval.mul_f64((hash % 1000) as f64 / 1000.0)
    }

    fn interval(&self, fetch: &Fetch) -> Duration {
        if let Some(least) = fetch.least_interval() {
            self.intervals.fast.max(least)
        } else if self.scope.contains(fetch) {
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
            let on_screen = self.scope.contains(&fetch);
            let fast = self.intervals.fast;
            let job = self.jobs.entry(fetch).or_insert_with(|| Job::due_now(now));
            // Just came on screen: due a fast interval after it last ran. The rest keep
            // their place in the slow interval.
            if on_screen
                && job.failures == 0
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
        for account in &self.accounts {
            urgent.insert(Fetch::Identity {
                account: account.name.clone(),
            });
            for region in &account.regions {
                urgent.insert(Fetch::EcsClusters {
                    account: account.name.clone(),
                    region: region.clone(),
                });
            }
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
            (Fetch::EcsClusters { account, region }, Ok(Payload::EcsClusters(list))) => {
                for c in list {
                    self.account_of_cluster.insert(c.arn.clone(), account.clone());
                }
                self.clusters.insert(
                    (account.clone(), region.clone()),
                    list.iter().map(|c| c.arn.clone()).collect(),
                );
            }
            (Fetch::EksClusters { account, region }, Ok(Payload::EksClusters(list))) => {
                for c in list {
                    self.account_of_cluster.insert(c.arn.clone(), account.clone());
                }
                self.eks.insert(
                    (account.clone(), region.clone()),
                    list.iter().map(|c| c.arn.clone()).collect(),
                );
            }
            (Fetch::AppRunnerServices { account, .. }, Ok(Payload::AppRunnerServices(list))) => {
                for s in list {
                    self.account_of_cluster.insert(s.arn.clone(), account.clone());
                }
            }
            (Fetch::Identity { account }, Ok(_)) => {
                self.locked.remove(account);
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
        let spread = self.spread(fetch, interval);
        if let Err(error) = result
            && error.kind == ErrorKind::Auth
            && let Some(account) = self.account_of(fetch)
        {
            self.locked.insert(account);
        }
        let Some(job) = self.jobs.get_mut(fetch) else {
            return;
        };
        job.in_flight = false;
        match result {
            Ok(_) => {
                job.failures = 0;
                job.done = fetch.is_immutable();
                // The first slow refresh of a fetch lands somewhere in the interval, not
                // with all the others: a fleet of many accounts does not burst.
                let phase = if job.refreshed { Duration::ZERO } else { spread };
                job.refreshed = true;
                job.next_due = job.last_started.unwrap_or(now) + interval + phase;
                // A first list still arriving is read again soon, so that it shows as it
                // comes and is whole on screen as soon as it ends (each read takes only what
                // came since the last).
                if let Ok(Payload::Kube(changes)) = result
                    && changes.listing.is_some()
                {
                    job.next_due = job.next_due.min(now + LISTING_POLL);
                }
            }
            Err(error) => {
                job.failures += 1;
                let backoff = interval.saturating_mul(1 << job.failures.min(10)).min(max_backoff);
                tracing::warn!(fetch = %fetch.describe(), failures = job.failures, ?backoff, %error, "fetch failed");
                job.next_due = now + backoff;
            }
        }
    }

    /// Whether a fetch may run now: not while its account cannot sign in (then only who it
    /// is gets asked, until that works).
    fn may_run(&self, fetch: &Fetch) -> bool {
        matches!(fetch, Fetch::Identity { .. }) || self.account_of(fetch).is_none_or(|a| !self.locked.contains(&a))
    }

    /// When the next fetch that may run is due.
    fn next_due(&self) -> Option<Instant> {
        self.jobs
            .iter()
            .filter(|(fetch, job)| job.idle() && self.may_run(fetch))
            .map(|(_, job)| job.next_due)
            .min()
    }

    /// Start every due fetch, on-screen ones first, up to the in-flight limit.
    fn start_due(&mut self, running: &mut JoinSet<Finished>, now: Instant) {
        let mut due: Vec<Fetch> = self
            .jobs
            .iter()
            .filter(|(fetch, job)| job.idle() && job.next_due <= now && self.may_run(fetch))
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
            // Not a locked account's jobs: they are due but wait, and would wake the loop
            // again at once, for ever.
            let next = self.next_due();
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
        /// When each call started.
        started: Mutex<Vec<Instant>>,
        failing: Mutex<BTreeSet<Fetch>>,
        /// Fetches that fail as an expired sign-in does.
        auth_failing: Mutex<BTreeSet<Fetch>>,
        /// Accounts past the first (`test`): `acct-1`, ...
        more_accounts: usize,
    }

    #[async_trait]
    impl Backend for Counting {
        fn accounts(&self) -> Vec<Account> {
            let regions = || vec!["us-east-1".to_string()];
            std::iter::once(Account::named("test", regions()))
                .chain((1..=self.more_accounts).map(|i| Account::named(&format!("acct-{i}"), regions())))
                .collect()
        }
        async fn fetch(&self, fetch: &Fetch) -> Result<Payload, FetchError> {
            self.calls.lock().unwrap().push(fetch.clone());
            self.started.lock().unwrap().push(Instant::now());
            tokio::time::sleep(Duration::from_millis(100)).await;
            if self.failing.lock().unwrap().contains(fetch) {
                return Err(FetchError::new(ErrorKind::Network, "down"));
            }
            if self.auth_failing.lock().unwrap().contains(fetch) {
                return Err(FetchError::new(ErrorKind::Auth, "ExpiredToken"));
            }
            Ok(match fetch {
                Fetch::EcsClusters { region, account } => Payload::EcsClusters(vec![Cluster {
                    account: account.clone(),
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
                Fetch::EksClusters { region, account } => Payload::EksClusters(vec![crate::domain::EksCluster {
                    account: account.clone(),
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
                Fetch::Identity { .. } => Payload::Identity(crate::domain::Identity {
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
        // On screen: every 5 s.
        let fast = count(&h, &tasks());
        assert!((12..=13).contains(&fast), "fast fetches: {fast}");
        // Discovered from the cluster list, then refreshed every 60 s (its second time
        // somewhere in the minute after the first).
        let slow = count(&h, &services);
        assert!((1..=2).contains(&slow), "slow fetches in a minute: {slow}");
        tokio::time::sleep(Duration::from_secs(120)).await;
        while h.events.try_recv().is_ok() {}
        assert_eq!(count(&h, &services), slow + 2, "then once a minute");
    }

    /// Many accounts: the first load goes as fast as the in-flight limit allows, then each
    /// fetch keeps its own place in the slow interval, so the refreshes do not come in one
    /// burst a minute.
    #[tokio::test(start_paused = true)]
    async fn the_slow_refresh_spreads_over_its_interval() {
        let backend = Arc::new(Counting {
            more_accounts: 49,
            ..Counting::default()
        });
        let (_scope, scope_rx) = watch::channel(Scope::default());
        let (_control, control_rx) = mpsc::channel(4);
        let (tx, mut events) = mpsc::channel(1024);
        let t0 = Instant::now();
        tokio::spawn(Scheduler::new(backend.clone(), Intervals::default()).run(scope_rx, control_rx, tx));
        tokio::spawn(async move { while events.recv().await.is_some() {} });
        tokio::time::sleep(Duration::from_secs(300)).await;
        let started = backend.started.lock().unwrap().clone();
        // The steady state: minutes two to five, in 5 s buckets.
        let mut buckets = [0usize; 36];
        for at in &started {
            let secs = at.duration_since(t0).as_secs();
            if (120..300).contains(&secs) {
                buckets[((secs - 120) / 5) as usize] += 1;
            }
        }
        let total: usize = buckets.iter().sum();
        // 50 accounts: identity, ECS and EKS cluster lists, App Runner services, alarms;
        // services and stopped tasks of the ECS cluster, node groups and add-ons of the EKS
        // cluster, that every account lists. Three minutes of each, once a minute.
        assert_eq!(total, 3 * (50 * 5 + 4), "{buckets:?}");
        let mean = total as f64 / buckets.len() as f64;
        let busiest = *buckets.iter().max().unwrap();
        assert!(
            busiest as f64 <= 3.0 * mean,
            "a burst: {busiest} in 5 s against {mean:.1} on average: {buckets:?}"
        );
        assert!(buckets.iter().filter(|&&n| n > 0).count() >= 30, "{buckets:?}");
    }

    /// An account whose sign-in failed: only who it is gets asked, with backoff; its other
    /// fetches wait, and do not keep the scheduler awake while they wait.
    #[tokio::test(start_paused = true)]
    async fn a_locked_account_waits_without_spinning() {
        let backend = Arc::new(Counting {
            more_accounts: 1,
            ..Counting::default()
        });
        let identity = Fetch::Identity {
            account: "acct-1".into(),
        };
        let clusters = Fetch::EcsClusters {
            account: "acct-1".into(),
            region: "us-east-1".into(),
        };
        backend.failing.lock().unwrap().insert(identity.clone());
        backend.auth_failing.lock().unwrap().insert(clusters.clone());
        let mut scheduler = Scheduler::new(backend.clone(), Intervals::default());
        let (tx, mut events) = mpsc::channel(1024);
        let (_scope, scope_rx) = watch::channel(Scope::default());
        let (_control, control_rx) = mpsc::channel(4);
        // Both fail once; the account's clusters fail as an expired sign-in does.
        scheduler.locked.insert("acct-1".into());
        let now = Instant::now();
        scheduler.reconcile(now);
        // Everything is due now, but acct-1's cluster list may not run: it is not what
        // the loop waits for once the rest has run.
        for job in scheduler.jobs.values_mut() {
            job.next_due = now + Duration::from_secs(30);
        }
        scheduler.jobs.get_mut(&clusters).unwrap().next_due = now;
        assert_eq!(scheduler.next_due(), Some(now + Duration::from_secs(30)));
        tokio::spawn(scheduler.run(scope_rx, control_rx, tx));
        tokio::spawn(async move { while events.recv().await.is_some() {} });
        tokio::time::sleep(Duration::from_secs(120)).await;
        assert_eq!(
            count_calls(&backend, &clusters),
            0,
            "a locked account's clusters are not asked for"
        );
        let tries = count_calls(&backend, &identity);
        assert!((2..=6).contains(&tries), "who it is, with backoff: {tries}");
    }

    fn count_calls(backend: &Counting, fetch: &Fetch) -> usize {
        backend.calls.lock().unwrap().iter().filter(|f| *f == fetch).count()
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
        // The workloads' first slow refresh falls at their own place in the minute.
        let more = count(&h, &kube(KubeKind::Workloads)) - workloads;
        assert!((1..=2).contains(&more), "workload refreshes in 120 s: {more}");
        // At 0 s, then once a minute at its own place in the minute.
        let groups = count(&h, &groups);
        assert!((2..=3).contains(&groups), "node group refreshes in 131 s: {groups}");
    }

    /// A first Kubernetes list still arriving is read again within a fraction of a second;
    /// once whole, at the fast interval.
    #[tokio::test(start_paused = true)]
    async fn a_list_still_arriving_is_read_again_soon() {
        use crate::domain::kube::{KubeChanges, KubeList};
        let mut scheduler = Scheduler::new(Arc::new(Counting::default()), Intervals::default());
        let pods = Fetch::Kube {
            cluster: EKS.into(),
            kind: KubeKind::Pods,
        };
        scheduler.scope = Scope(std::iter::once(pods.clone()).collect());
        let now = Instant::now();
        scheduler.reconcile(now);
        let changes = |listing| KubeChanges {
            listing,
            ..KubeChanges::all(KubeList::Pods(Vec::new()))
        };
        for (listing, within) in [(Some(500), LISTING_POLL), (None, Intervals::default().fast)] {
            let job = scheduler.jobs.get_mut(&pods).unwrap();
            job.in_flight = true;
            job.last_started = Some(now);
            scheduler.finish(&pods, &Ok(Payload::Kube(changes(listing))), now);
            assert_eq!(scheduler.jobs[&pods].next_due, now + within, "listing {listing:?}");
        }
    }
}
