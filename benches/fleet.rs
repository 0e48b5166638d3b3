//! bosun at fleet size: drawing a frame, a filter keystroke (also the first one after a
//! refresh), a sort and a refresh of the tasks view of one cluster holding every task of a
//! scaled simulated fleet.
//!
//! `cargo bench --bench fleet`; figures and targets in BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bosun::app::{Action, Input, update};
use bosun::domain::Task;
use bosun::domain::fetch::{DataEvent, Fetch, Payload};
use bosun::source::sim::World;
use bosun::source::sim::scale::Scale;
use bosun::store::table::SortSpec;
use bosun::store::ui::{Mode, Page, Route};
use bosun::store::{Context, Store};
use bosun::ui::keymap::Keymap;
use bosun::ui::screen::Screen;
use bosun::ui::theme::Theme;
use criterion::{BatchSize, BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: &[usize] = &[1_000, 100_000];

/// The binary's allocator, so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn start() -> Timestamp {
    "2026-11-02T09:30:00Z".parse().unwrap()
}

/// A store holding one cluster with `tasks` running tasks, its tasks view open, and the
/// running tasks as the backend last returned them (for refreshes).
fn tasks_view(tasks: usize) -> (Store, String, Vec<Task>) {
    let world = World::scaled(7, start(), Scale::one_cluster(tasks));
    let now = world.now();
    let mut store = Store::new(Context::default(), now);
    let region = "us-east-1".to_string();
    let account = "shop-prod".to_string();
    let clusters = world.ecs_clusters(&account, &region);
    let cluster = clusters[0].arn.clone();
    let event = |fetch: Fetch, payload: Payload| DataEvent::new(fetch, now, Ok(payload));
    store.apply(event(
        Fetch::EcsClusters { account, region },
        Payload::EcsClusters(clusters),
    ));
    let services = world.services(&cluster).unwrap();
    store.apply(event(
        Fetch::Services {
            cluster: cluster.clone(),
        },
        Payload::Services(services),
    ));
    let running = world.tasks(&cluster, false).unwrap();
    assert_eq!(running.len(), tasks);
    store.apply(event(
        Fetch::Tasks {
            cluster: cluster.clone(),
            stopped: false,
        },
        Payload::Tasks(running.clone()),
    ));
    store.ui.stack.push(Page::new(
        Route::new(bosun::ui::screens::tasks::ID).cluster(&cluster),
        1,
    ));
    update(&mut store, Action::Resize);
    (store, cluster, running)
}

fn render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render_tasks_200x60");
    let theme = Theme::default();
    let keymap = Keymap::default();
    for &n in SIZES {
        let (mut store, _, _) = tasks_view(n);
        // Somewhere in the middle, as after scrolling.
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

/// One keystroke in the `/` filter, typing or deleting: each runs the filter over every row.
fn filter(c: &mut Criterion) {
    let mut group = c.benchmark_group("filter_keystroke");
    for &n in SIZES {
        let (mut store, _, _) = tasks_view(n);
        update(&mut store, Action::Command(bosun::ui::keymap::Command::Filter));
        assert_eq!(store.ui.mode, Mode::Filter);
        for ch in "paym".chars() {
            update(&mut store, Action::Input(Input::Char(ch)));
        }
        let mut typed = false;
        group.bench_function(BenchmarkId::new("next", n), |b| {
            b.iter(|| {
                let input = if typed { Input::Backspace } else { Input::Char('e') };
                typed = !typed;
                black_box(update(&mut store, Action::Input(input)));
            })
        });
        assert!(!store.ui.page().panes[0].rows.is_empty());
        // The first keystroke on a table that has never been filtered: the filter's view
        // of every row is made then.
        group.bench_function(BenchmarkId::new("first", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    update(&mut store, Action::Input(Input::Cancel));
                    update(&mut store, Action::Command(bosun::ui::keymap::Command::Filter));
                    let state = &mut store.ui.page_mut().panes[0];
                    state.haystack = None;
                    state.basis = None;
                    let started = Instant::now();
                    black_box(update(&mut store, Action::Input(Input::Char('p'))));
                    total += started.elapsed();
                }
                total
            })
        });
    }
    group.finish();
}

/// The running tasks as a refresh that changed `changed` of them (their health) returns
/// them, in an event made as the scheduler makes it (sorted and hashed, off the app loop).
fn refreshed(fetch: &Fetch, running: &[Task], changed: usize) -> DataEvent {
    let mut tasks = running.to_vec();
    let step = (tasks.len() / changed.max(1)).max(1);
    for task in tasks.iter_mut().step_by(step).take(changed) {
        task.health = if task.health == "UNHEALTHY" {
            "HEALTHY"
        } else {
            "UNHEALTHY"
        }
        .into();
    }
    DataEvent::new(fetch.clone(), start(), Ok(Payload::Tasks(tasks)))
}

/// The first keystroke after data arrives: the table was filtered before (the filter is
/// closed now), a refresh that changed some tasks is applied to the store, then `/` and
/// one keystroke, which alone is timed. Refreshes alternate between the changed tasks and
/// the tasks as they were, so that each changes as many.
fn filter_after_refresh(c: &mut Criterion) {
    let mut group = c.benchmark_group("filter_keystroke");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(1));
    for &n in SIZES {
        for (name, changed) in [
            ("first_after_refresh_of_1", 1),
            ("first_after_refresh_of_1pct", n / 100),
        ] {
            let (mut store, cluster, running) = tasks_view(n);
            let fetch = Fetch::Tasks {
                cluster: cluster.clone(),
                stopped: false,
            };
            let events = [refreshed(&fetch, &running, changed), refreshed(&fetch, &running, 0)];
            let version = |store: &Store| store.cluster_data(&cluster).map(|d| d.tasks.version);
            let open = |store: &mut Store| {
                update(store, Action::Command(bosun::ui::keymap::Command::Filter));
                assert_eq!(store.ui.mode, Mode::Filter);
            };
            // Filtered once, then closed.
            open(&mut store);
            update(&mut store, Action::Input(Input::Char('p')));
            update(&mut store, Action::Input(Input::Cancel));
            let mut turn = 0;
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let was = version(&store);
                        update(&mut store, Action::Data(events[turn % 2].clone()));
                        turn += 1;
                        assert_ne!(version(&store), was, "the refresh changed tasks");
                        open(&mut store);
                        let started = Instant::now();
                        black_box(update(&mut store, Action::Input(Input::Char('p'))));
                        total += started.elapsed();
                        assert!(!store.ui.page().panes[0].rows.is_empty());
                        update(&mut store, Action::Input(Input::Cancel));
                    }
                    total
                })
            });
        }
    }
    group.finish();
}

/// Sorting every row by a column: text (the service), time (the age).
fn sort(c: &mut Criterion) {
    let mut group = c.benchmark_group("sort");
    for &n in SIZES {
        let (mut store, _, _) = tasks_view(n);
        for (name, column) in [("service", 1), ("age", 8)] {
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| {
                    let state = &mut store.ui.page_mut().panes[0];
                    let descending = state.sort.is_some_and(|s| !s.descending);
                    state.sort = Some(SortSpec { column, descending });
                    state.invalidate();
                    bosun::ui::screens::tasks::Tasks.sync(black_box(&mut store));
                })
            });
        }
    }
    group.finish();
}

/// A refresh of every task of the view arriving in the store, with the view re-synced
/// and the selection kept: the same tasks, and the same with one task replaced.
fn refresh(c: &mut Criterion) {
    let mut group = c.benchmark_group("refresh_apply");
    group.sample_size(20);
    for &n in SIZES {
        let (mut store, cluster, running) = tasks_view(n);
        let selected = {
            let state = &mut store.ui.page_mut().panes[0];
            state.cursor = n / 3;
            state.touched = true;
            bosun::ui::screens::tasks::Tasks.sync(&mut store);
            store.ui.page().panes[0].selected.clone().unwrap()
        };
        let mut changed = running.clone();
        let last = changed.len() - 1;
        changed[last].health = "UNHEALTHY".into();
        changed[0].arn.push_str("-replaced");
        changed[0].id.push_str("-replaced");
        let fetch = Fetch::Tasks {
            cluster: cluster.clone(),
            stopped: false,
        };
        // Made as the scheduler makes it, off the app loop: sorted and hashed there.
        let event = |tasks: &Vec<Task>| DataEvent::new(fetch.clone(), start(), Ok(Payload::Tasks(tasks.clone())));
        // The same tasks again: compared, found unchanged, nothing redrawn.
        group.bench_function(BenchmarkId::new("unchanged", n), |b| {
            b.iter_batched(
                || event(&running),
                |event| black_box(update(&mut store, Action::Data(event))),
                BatchSize::LargeInput,
            )
        });
        // Every other refresh has a task replaced and one unhealthy, and back.
        let mut flip = false;
        group.bench_function(BenchmarkId::new("changed", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    flip = !flip;
                    let event = event(if flip { &changed } else { &running });
                    let started = Instant::now();
                    black_box(update(&mut store, Action::Data(event)));
                    total += started.elapsed();
                }
                total
            })
        });
        assert_eq!(store.ui.page().panes[0].selected.as_ref(), Some(&selected));
        // The same, on a table filtered before (its search text is kept, and the store
        // finds which tasks changed), and on one with the filter open (its search text
        // follows the refresh at once).
        update(&mut store, Action::Command(bosun::ui::keymap::Command::Filter));
        update(&mut store, Action::Input(Input::Char('1')));
        for (name, close) in [("changed_filter_open", false), ("changed_after_filter", true)] {
            if close {
                update(&mut store, Action::Input(Input::Cancel));
            }
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        flip = !flip;
                        let event = event(if flip { &changed } else { &running });
                        let started = Instant::now();
                        black_box(update(&mut store, Action::Data(event)));
                        total += started.elapsed();
                    }
                    total
                })
            });
            assert_eq!(store.ui.page().panes[0].filter.is_empty(), close);
        }
        // What the fetch's side does before the event goes to the app loop.
        group.bench_function(BenchmarkId::new("prepare_off_loop", n), |b| {
            b.iter_batched(
                || running.clone(),
                |tasks| black_box(DataEvent::new(fetch.clone(), start(), Ok(Payload::Tasks(tasks)))),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// Gathering the fleet's timeline (every cluster's services, their deployments and events,
/// stopped tasks, alarms and scaling) from a store holding a scaled fleet: what the
/// timeline screen does when what it reads changes.
fn timeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("timeline_gather_fleet");
    group.sampling_mode(SamplingMode::Flat);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for &n in SIZES {
        let backend = bosun::source::sim::SimBackend::scaled(7, Scale::of(n));
        let context = bosun::app::headless::context(&backend, 5, true);
        let mut store = runtime.block_on(bosun::app::headless::load(&backend, context));
        let about = bosun::store::timeline::About::default();
        let wanted = bosun::store::timeline::fetches(&store, &about);
        for event in runtime.block_on(bosun::source::fetch_all(&backend, wanted, 8)) {
            store.apply(event);
        }
        let since = store.now - jiff::SignedDuration::from_hours(1);
        let services: usize = store.clusters.values().map(|d| d.services.len()).sum();
        assert!(services > 0);
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| black_box(bosun::store::timeline::gather(&store, &about, since)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = render, filter, filter_after_refresh, sort, refresh, timeline
}
criterion_main!(benches);
