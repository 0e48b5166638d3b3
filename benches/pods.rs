//! The pods view of one EKS cluster at 150,000 pods (3,000 nodes): a frame, a filter
//! keystroke (the first after data arrives included), a sort, and a watch event (a pod
//! changed, added or deleted) applied to the store, with and without the view's re-sync.
//!
//! `cargo bench --bench pods`; figures and targets in BENCHMARKS.md.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bosun::app::{Action, Input, update};
use bosun::domain::fetch::{DataEvent, Fetch, Payload};
use bosun::domain::kube::{KubeChanges, KubeKind, KubeList, Node, NodeSource, Pod, PodContainer};
use bosun::store::table::{SortSpec, WORST_FIRST};
use bosun::store::ui::{Mode, Page, Route};
use bosun::store::{Context, Store};
use bosun::ui::keymap::{Command, Keymap};
use bosun::ui::screen::Screen;
use bosun::ui::theme::Theme;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: &[usize] = &[20_000, 150_000];
const CLUSTER: &str = "arn:aws:eks:us-east-1:123456789012:cluster/big";

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn now() -> Timestamp {
    "2026-11-02T09:30:00Z".parse().unwrap()
}

/// A pod as a Deployment of a real cluster makes them: one container, on a node, running.
fn pod(i: usize, restarts: u32) -> Arc<Pod> {
    let ns = format!("load-{:03}", i / 1000);
    let app = format!("app-{:04}", i / 10);
    let name = format!("{app}-7d9f8c6b5-{:05x}", i);
    Arc::new(Pod {
        key: format!("{ns}/{name}"),
        namespace: ns,
        phase: "Running".into(),
        node: Some(format!("ip-10-0-{}-{}.ec2.internal", i / 50 / 250, i / 50 % 250)),
        ip: Some(format!("10.1.{}.{}", i / 250 % 250, i % 250)),
        created_at: Some(now() - jiff::SignedDuration::from_mins((i % 5000) as i64)),
        containers: vec![PodContainer {
            name: app.clone(),
            image: format!("123456789012.dkr.ecr.us-east-1.amazonaws.com/{app}:v1.2.3"),
            ready: true,
            state: "running".into(),
            reason: None,
            exit_code: None,
            restarts,
            last_reason: None,
            last_exit_code: None,
            last_finished: None,
        }],
        owner: Some(format!("ReplicaSet/{app}-7d9f8c6b5")),
        req_cpu: 250,
        req_mem: 512,
        unschedulable: None,
        name,
    })
}

fn node(i: usize) -> Arc<Node> {
    Arc::new(Node {
        name: format!("ip-10-0-{}-{}.ec2.internal", i / 250, i % 250),
        ready: true,
        unschedulable: false,
        roles: vec![],
        instance_type: Some("m6i.4xlarge".into()),
        zone: Some("us-east-1a".into()),
        capacity_type: Some("ON_DEMAND".into()),
        source: NodeSource::Managed("fleet".into()),
        kubelet: Some("v1.31.4-eks".into()),
        alloc_cpu: 15_890,
        alloc_mem: 61_000,
        created_at: None,
        pods: 0,
        req_cpu: 0,
        req_mem: 0,
    })
}

fn event(kind: KubeKind, changes: KubeChanges) -> DataEvent {
    DataEvent::new(
        Fetch::Kube {
            cluster: CLUSTER.into(),
            kind,
        },
        now(),
        Ok(Payload::Kube(changes)),
    )
}

/// A store holding `n` pods of one cluster on their nodes, its pods view open as the app
/// opens it (worst first), or in the order listed (`sort = "name"`).
fn pods_view(n: usize) -> Store {
    pods_view_in(n, false)
}

fn pods_view_in(n: usize, natural_order: bool) -> Store {
    let mut store = Store::new(Context::default(), now());
    let nodes: Vec<Arc<Node>> = (0..n.div_ceil(50)).map(node).collect();
    store.apply(event(KubeKind::Nodes, KubeChanges::all(KubeList::Nodes(nodes))));
    let pods: Vec<Arc<Pod>> = (0..n).map(|i| pod(i, 0)).collect();
    store.apply(event(KubeKind::Pods, KubeChanges::all(KubeList::Pods(pods))));
    store.settings.natural_order = natural_order;
    let mut page = Page::new(Route::new(bosun::ui::screens::pods::ID).cluster(CLUSTER), 1);
    page.panes[0].sort = store.settings.default_sort();
    store.ui.stack.push(page);
    update(&mut store, Action::Resize);
    store
}

fn render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render_pods_200x60");
    let theme = Theme::default();
    let keymap = Keymap::default();
    for &n in SIZES {
        let mut store = pods_view(n);
        store.ui.page_mut().panes[0].cursor = n / 2;
        store.ui.page_mut().panes[0].touched = true;
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| bosun::ui::render(frame, black_box(&store), &theme, &keymap))
                    .unwrap();
            })
        });
    }
    group.finish();
}

fn filter(c: &mut Criterion) {
    let mut group = c.benchmark_group("pods_filter_keystroke");
    for (&n, natural) in SIZES.iter().flat_map(|n| [(n, false), (n, true)]) {
        let mut store = pods_view_in(n, natural);
        let order = if natural { "_by_name" } else { "" };
        update(&mut store, Action::Command(Command::Filter));
        assert_eq!(store.ui.mode, Mode::Filter);
        for ch in "app-01".chars() {
            update(&mut store, Action::Input(Input::Char(ch)));
        }
        let mut typed = false;
        group.bench_function(BenchmarkId::new(format!("next{order}"), n), |b| {
            b.iter(|| {
                let input = if typed { Input::Backspace } else { Input::Char('2') };
                typed = !typed;
                black_box(update(&mut store, Action::Input(input)));
            })
        });
        // The first keystroke after new data: a pod changed, then `/` and one key.
        let mut restarts = 0;
        group.bench_function(BenchmarkId::new(format!("first_after_data{order}"), n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    update(&mut store, Action::Input(Input::Cancel));
                    restarts += 1;
                    let changed = KubeChanges {
                        reset: false,
                        upsert: KubeList::Pods(vec![pod(n / 3, restarts)]),
                        removed: vec![],
                        listing: None,
                    };
                    update(&mut store, Action::Data(event(KubeKind::Pods, changed)));
                    update(&mut store, Action::Command(Command::Filter));
                    let started = Instant::now();
                    black_box(update(&mut store, Action::Input(Input::Char('a'))));
                    total += started.elapsed();
                }
                total
            })
        });
    }
    group.finish();
}

fn sort(c: &mut Criterion) {
    let mut group = c.benchmark_group("pods_sort");
    group.sample_size(20);
    for &n in SIZES {
        let mut store = pods_view(n);
        // Worst first (trouble), NAME (text), RESTARTS (a number), AGE (a time).
        for (name, column) in [("worst_first", WORST_FIRST), ("name", 1), ("restarts", 4), ("age", 5)] {
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| {
                    let state = &mut store.ui.page_mut().panes[0];
                    let descending = state.sort.is_some_and(|s| !s.descending);
                    state.sort = Some(SortSpec { column, descending });
                    state.invalidate();
                    bosun::ui::screens::pods::Pods.sync(black_box(&mut store));
                })
            });
        }
    }
    group.finish();
}

/// One watch event's change reaching the store: a pod modified (its restarts), added,
/// deleted. `store` is the store alone; `with_view` adds the pods view's re-sync that the
/// next frame does.
fn watch_event(c: &mut Criterion) {
    let mut group = c.benchmark_group("pods_watch_event");
    for &n in SIZES {
        let mut store = pods_view(n);
        let mut restarts = 0;
        for with_view in [false, true] {
            let what = if with_view { "with_view" } else { "store" };
            group.bench_function(BenchmarkId::new(format!("modified_{what}"), n), |b| {
                b.iter(|| {
                    restarts += 1;
                    let changed = KubeChanges {
                        reset: false,
                        upsert: KubeList::Pods(vec![pod(n / 2, restarts)]),
                        removed: vec![],
                        listing: None,
                    };
                    store.apply(event(KubeKind::Pods, changed));
                    if with_view {
                        bosun::ui::screens::pods::Pods.sync(&mut store);
                    }
                })
            });
            // One that sorts in the middle: the most of the set moves for it.
            let middle = pod(n / 2, 0);
            let extra = Arc::new(Pod {
                key: format!("{}-extra", middle.key),
                name: format!("{}-extra", middle.name),
                ..(*middle).clone()
            });
            let mut present = false;
            group.bench_function(BenchmarkId::new(format!("added_or_deleted_{what}"), n), |b| {
                b.iter(|| {
                    let changes = if present {
                        KubeChanges {
                            reset: false,
                            upsert: KubeList::Pods(vec![]),
                            removed: vec![extra.key.clone()],
                            listing: None,
                        }
                    } else {
                        KubeChanges {
                            reset: false,
                            upsert: KubeList::Pods(vec![extra.clone()]),
                            removed: vec![],
                            listing: None,
                        }
                    };
                    present = !present;
                    store.apply(event(KubeKind::Pods, changes));
                    if with_view {
                        bosun::ui::screens::pods::Pods.sync(&mut store);
                    }
                })
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = render, filter, sort, watch_event
}
criterion_main!(benches);
