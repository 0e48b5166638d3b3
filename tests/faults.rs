//! Under faults: a proxy between bosun and moto (`tests/servers/fault_proxy.py`) throttles,
//! answers 500 and 503, waits 2 s and resets connections, at rates set while the test runs.
//! The dashboard keeps its last good data and says how old it is, backs off, and is current
//! again once the faults stop; an action is sent once and its outcome reported as it is.
//!
//! The issue asks for 60 s of 50% throttling. The window is `BOSUN_FAULT_SECS` seconds
//! (20 by default, to keep the suite short; `BOSUN_FAULT_SECS=60 scripts/test --test faults`
//! runs the full minute).

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bosun::app::{Action, Effect, update};
use bosun::domain::fetch::{DataEvent, Fetch, Payload, Scope};
use bosun::domain::op::{Guard, Limits, Op, OpRequest, Outcome};
use bosun::ops::executor::Executor;
use bosun::source::scheduler::{Control, Intervals, Scheduler};
use bosun::source::{Backend, SharedBackend};
use bosun::store::Store;
use bosun::store::ui::Level;
use serde_json::json;
use support::runtime;
use support::servers::{FaultProxy, Moto, aws_backend};
use tokio::sync::{mpsc, watch};

const SMALL: &str = "arn:aws:ecs:us-east-1:123456789012:cluster/small";

fn window() -> Duration {
    let secs = std::env::var("BOSUN_FAULT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    Duration::from_secs(secs)
}

/// The app loop without a terminal: data events go through `update`, scope changes to the
/// scheduler, as `App::run` does.
struct Headless {
    store: Store,
    backend: SharedBackend,
    events: mpsc::Receiver<DataEvent>,
    scope: watch::Sender<Scope>,
    /// Kept open: the scheduler stops when it closes.
    _control: mpsc::Sender<Control>,
    /// Every finished fetch of the services of `small`: when, and whether it worked.
    services_fetches: Vec<(jiff::Timestamp, Result<(), String>)>,
}

impl Headless {
    fn start(backend: SharedBackend, intervals: Intervals) -> Headless {
        let mut store = Store::new(
            bosun::app::headless::context(backend.as_ref(), intervals.fast.as_secs(), false),
            backend.now(),
        );
        store.ui.pending_cluster = Some("small".into());
        let (scope, scope_rx) = watch::channel(Scope::default());
        let (control, control_rx) = mpsc::channel(4);
        let (tx, events) = mpsc::channel(256);
        tokio::spawn(Scheduler::new(backend.clone(), intervals).run(scope_rx, control_rx, tx));
        let mut headless = Headless {
            store,
            backend,
            events,
            scope,
            _control: control,
            services_fetches: Vec::new(),
        };
        let effects = update(&mut headless.store, Action::Resize);
        headless.effects(effects);
        headless
    }

    fn effects(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            if let Effect::SetScope(scope) = effect {
                self.scope.send_replace(scope);
            }
        }
    }

    /// Apply what arrives for `for_at_most`, checking `invariant` after every event, until
    /// `done` holds. Returns whether it did.
    async fn pump(
        &mut self,
        for_at_most: Duration,
        invariant: &mut dyn FnMut(&Store),
        done: &dyn Fn(&Store) -> bool,
    ) -> bool {
        let deadline = Instant::now() + for_at_most;
        while Instant::now() < deadline {
            if done(&self.store) {
                return true;
            }
            let Ok(Some(event)) = tokio::time::timeout(Duration::from_millis(100), self.events.recv()).await else {
                continue;
            };
            if event.fetch == (Fetch::Services { cluster: SMALL.into() }) {
                let result = event.result.as_ref().map(|_| ()).map_err(|e| e.message.clone());
                self.services_fetches.push((event.at, result));
            }
            self.store.now = self.backend.now();
            let effects = update(&mut self.store, Action::Data(event));
            self.effects(effects);
            invariant(&self.store);
        }
        done(&self.store)
    }
}

fn services(store: &Store) -> Option<(usize, Option<String>, Option<jiff::Timestamp>)> {
    store.cluster_data(SMALL).map(|d| {
        (
            d.services.len(),
            d.services.error.as_ref().map(|e| e.message.clone()),
            d.services.fetched_at,
        )
    })
}

#[test]
fn under_throttling_the_dashboard_keeps_its_data_backs_off_and_recovers() {
    let moto = Moto::start();
    moto.seed("small");
    let faults = FaultProxy::start(&moto.endpoint());
    let intervals = Intervals {
        fast: Duration::from_secs(1),
        slow: Duration::from_secs(30),
        max_backoff: Duration::from_secs(4),
        ..Intervals::default()
    };
    let rt = runtime();
    rt.block_on(async {
        let backend: SharedBackend = Arc::new(aws_backend(&faults.endpoint(), &["us-east-1"]).await);
        let mut app = Headless::start(backend, intervals);
        let loaded = app
            .pump(Duration::from_secs(20), &mut |_| {}, &|s| {
                services(s).is_some_and(|(n, e, _)| n == 2 && e.is_none())
            })
            .await;
        assert!(loaded, "the services of `small` did not load");
        assert!(
            support::screen(&app.store, 100, 20).contains("services(small) [2]"),
            "{}",
            support::screen(&app.store, 100, 20)
        );

        // 50% of every call throttled, as AWS does when an account is over its rate.
        faults.set(json!({"throttle": 0.5}));
        let started = app.services_fetches.len();
        let mut shown_with_error = None;
        let mut errors = 0;
        let mut invariant = |store: &Store| {
            let (n, error, fetched_at) = services(store).expect("the cluster stays in the store");
            assert_eq!(n, 2, "the last good data stays on screen");
            if let Some(error) = error {
                errors += 1;
                assert!(
                    error.contains("ECS") && error.contains("ThrottlingException: Rate exceeded"),
                    "{error}"
                );
                assert!(fetched_at.is_some(), "the age of the last good data is known");
                if shown_with_error.is_none() {
                    shown_with_error = Some(support::screen(store, 180, 12));
                }
            }
            // Every state the store passes through must draw.
            let _ = support::screen(store, 100, 20);
        };
        app.pump(window(), &mut invariant, &|_| false).await;
        assert!(errors > 0, "50% throttling for {:?} showed no error", window());
        let screen = shown_with_error.unwrap();
        assert!(
            screen.contains("web") && screen.contains("api"),
            "the data stays beside the error:\n{screen}"
        );
        assert!(
            screen.contains("ThrottlingException") && screen.contains("showing data from") && screen.contains("✗ data"),
            "the error and the age of the data are on screen:\n{screen}"
        );

        // Backing off: after k failures in a row the next try waits fast * 2^k (at most
        // max_backoff), measured between the fetches' own finishing times.
        let during: Vec<_> = app.services_fetches[started..].to_vec();
        let mut streak = 0u32;
        let mut backed_off = 0;
        for pair in during.windows(2) {
            let ((at, result), (next, _)) = (&pair[0], &pair[1]);
            if result.is_err() {
                streak += 1;
                let wait = intervals
                    .fast
                    .saturating_mul(1 << streak.min(10))
                    .min(intervals.max_backoff.max(intervals.fast));
                let gap = next.duration_since(*at).unsigned_abs();
                assert!(
                    gap + Duration::from_millis(100) >= wait,
                    "after {streak} failures the next try came {gap:?} later, not {wait:?}"
                );
                backed_off += 1;
            } else {
                streak = 0;
            }
        }
        assert!(backed_off > 0, "no failed fetch of the services in {:?}", window());
        let tries = during.len() as f64;
        let without_backoff = window().as_secs_f64() / intervals.fast.as_secs_f64();
        assert!(
            tries < 0.8 * without_backoff,
            "{tries} fetches in {:?}: throttling did not slow them",
            window()
        );
        eprintln!(
            "{} fetches of the services in {:?} of 50% throttling ({} failed); {without_backoff} without backoff",
            during.len(),
            window(),
            during.iter().filter(|(_, r)| r.is_err()).count()
        );

        // The faults stop: the next try works, and that is at most one backoff away.
        faults.calm();
        let calm = jiff::Timestamp::now();
        let since = Instant::now();
        let first_after = app.services_fetches.len();
        let recovered = app
            .pump(
                intervals.max_backoff + intervals.fast + Duration::from_secs(3),
                &mut |s| assert_eq!(services(s).unwrap().0, 2),
                &|s| services(s).is_some_and(|(n, e, at)| n == 2 && e.is_none() && at.is_some_and(|at| at > calm)),
            )
            .await;
        assert!(recovered, "not current {:?} after the faults stopped", since.elapsed());
        // A request in flight when the faults stopped may still bring back its throttle;
        // every one after it works.
        let after = &app.services_fetches[first_after..];
        let failed = after.iter().take_while(|(_, r)| r.is_err()).count();
        assert!(
            failed <= 1 && after[failed..].iter().all(|(_, r)| r.is_ok()),
            "a fetch failed after the faults stopped: {after:?}"
        );
        let screen = support::screen(&app.store, 100, 20);
        assert!(screen.contains("● live"), "{screen}");
        assert!(!screen.contains('✗'), "{screen}");
    });
}

fn scale(id: u64, service: &str, from: u32, to: u32) -> OpRequest {
    OpRequest {
        id,
        op: Op::Scale {
            cluster: SMALL.into(),
            service: service.into(),
            from,
            to,
        },
        account: "test".into(),
        account_id: None,
        profile: "test".into(),
        identity: None,
    }
}

#[test]
fn an_action_under_faults_is_sent_once_and_reported_as_it_went() {
    let moto = Moto::start();
    moto.seed("ops");
    let faults = FaultProxy::start(&moto.endpoint());
    let mut store = support::demo_store();
    let rt = runtime();
    rt.block_on(async {
        let direct = aws_backend(&moto.endpoint(), &["us-east-1"]).await;
        let desired = || async {
            match direct.fetch(&Fetch::Services { cluster: SMALL.into() }).await {
                Ok(Payload::Services(list)) => {
                    let web = list.into_iter().find(|s| s.name == "web").unwrap();
                    (web.arn, web.desired)
                }
                other => panic!("{other:?}"),
            }
        };
        let via_faults = Arc::new(aws_backend(&faults.endpoint(), &["us-east-1"]).await);
        let executor = Executor::new(
            via_faults,
            Guard {
                limits: Limits::default(),
                ..Guard::default()
            },
            None,
        );
        let sent = || faults.requests("ECS.UpdateService").len();

        // Each kind of fault on every UpdateService: sent once, and the outcome says what
        // happened to the fleet.
        let cases = [
            ("throttle", "rejected", "ThrottlingException", Some(false)),
            ("error500", "rejected", "InternalFailure", Some(false)),
            ("error503", "rejected", "ServiceUnavailable", Some(false)),
            // The connection dies after the request is read: unknown to bosun, and in fact
            // not applied (the proxy never passed it on) ...
            ("reset", "unknown", "it may have been applied", None),
            // ... or applied, its answer lost.
            ("reset_after", "unknown", "it may have been applied", None),
            ("latency", "ok", "", Some(true)),
        ];
        for (i, (fault, word, says, applied)) in cases.into_iter().enumerate() {
            faults.calm();
            faults.set(json!({fault: 1.0, "operations": ["ECS.UpdateService"]}));
            let (arn, before) = desired().await;
            let to = before + 1;
            let count = sent();
            let started = Instant::now();
            let outcome = executor.execute(scale(i as u64, &arn, before, to)).await;
            assert_eq!(sent(), count + 1, "{fault}: UpdateService sent once");
            let (_, after) = desired().await;
            assert_eq!(outcome.outcome.word(), word, "{fault}: {:?}", outcome.outcome);
            match (&outcome.outcome, applied) {
                (Outcome::Done(applied), Some(true)) => {
                    assert_eq!(after, to, "{fault}: reported done, so done");
                    assert!(
                        applied.summary.contains(&format!("desired {to}")),
                        "{}",
                        applied.summary
                    );
                    assert!(
                        started.elapsed() >= Duration::from_secs(2),
                        "{fault}: the latency was there"
                    );
                }
                (Outcome::Rejected { code, message }, Some(false)) => {
                    assert_eq!(after, before, "{fault}: reported failed, so not done");
                    assert!(code.contains(says), "{fault}: code {code}");
                    assert!(message.contains(says), "{fault}: {message}");
                }
                (Outcome::Unanswered { message }, None) => {
                    assert!(message.contains(says), "{fault}: {message}");
                    let proxy_passed_it_on = faults.requests("ECS.UpdateService").last().unwrap()["forwarded"] == true;
                    assert_eq!(after == to, proxy_passed_it_on, "{fault}");
                }
                (outcome, _) => panic!("{fault}: unexpected {outcome:?}"),
            }
            // What the person at the keyboard reads: the error, or the change being followed
            // on screen until it settles.
            store.ui.message = None;
            store.ops.follow = None;
            update(&mut store, Action::OpDone(outcome));
            let message = store.ui.message.clone();
            match applied {
                Some(true) => {
                    assert!(message.is_none(), "{fault}: {message:?}");
                    let follow = store.ops.follow.as_ref().expect("a done action is followed");
                    assert!(follow.label.starts_with("scale"), "{}", follow.label);
                    assert!(!follow.unknown);
                }
                Some(false) => {
                    let message = message.expect("a failure is reported");
                    assert_eq!(message.level, Level::Error);
                    assert!(message.text.contains("failed"), "{}", message.text);
                    assert!(store.ops.follow.is_none());
                }
                None => {
                    let message = message.expect("an unknown outcome is reported");
                    assert_eq!(message.level, Level::Error);
                    assert!(message.text.contains("outcome unknown"), "{}", message.text);
                    assert!(!message.text.contains("failed:"), "{}", message.text);
                    // ... and the screen watches whether the change shows up.
                    let follow = store.ops.follow.as_ref().expect("an unknown outcome is watched");
                    assert!(follow.unknown, "{follow:?}");
                }
            }
        }

        // Everything at once, on every call: still once each, and never "done" when not.
        faults.calm();
        faults.set(json!({"throttle": 0.5, "error503": 0.1, "reset_after": 0.1, "latency": 0.1}));
        let mut outcomes = Vec::new();
        for i in 0..6u64 {
            let (arn, before) = desired().await;
            let to = before + 1;
            let count = sent();
            let outcome = executor.execute(scale(100 + i, &arn, before, to)).await;
            assert_eq!(sent(), count + 1, "sent once");
            let (_, after) = desired().await;
            match &outcome.outcome {
                Outcome::Done(_) => assert_eq!(after, to, "reported done, so done"),
                Outcome::Unanswered { .. } => {}
                other => assert_eq!(after, before, "reported failed, so not done: {other:?}"),
            }
            outcomes.push(outcome.outcome.word());
        }
        eprintln!("scales under mixed faults, done or not: {outcomes:?}");
    });
}
