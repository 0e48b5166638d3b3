//! The fleet of many accounts through the real scheduler and SDK clients, against a moto
//! that `bench/accounts` starts and seeds: time to the first full fleet (every account's
//! and region's cluster lists, every cluster's services and stopped tasks), API calls per
//! slow refresh against the batching minimum, the busiest second of the steady state, and
//! peak RSS. Not a criterion benchmark: one measured run, printed.
//!
//! Environment (set by `bench/accounts`): BOSUN_BENCH_AWS_CONFIG and
//! BOSUN_BENCH_AWS_CREDENTIALS (the profile files), BOSUN_BENCH_PROFILES (a glob),
//! BOSUN_BENCH_REGIONS (comma-separated), BOSUN_BENCH_SLOW_SECS (the slow interval),
//! BOSUN_BENCH_CYCLES (slow intervals to count calls over, after two to settle: each
//! fetch's first slow refresh falls at its own place in the interval),
//! BOSUN_BENCH_CLOUDWATCH (the CBOR proxy in front of moto).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bosun::domain::fetch::{Fetch, Payload, Scope};
use bosun::source::Backend;
use bosun::source::aws::{AwsBackend, AwsOptions};
use bosun::source::scheduler::{Intervals, Scheduler};

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run bench/accounts"))
}

fn total(calls: &BTreeMap<String, u64>) -> u64 {
    calls.values().sum()
}

/// Calls by operation made between two counts.
fn delta(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(op, n)| (op.clone(), n - before.get(op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    // `cargo bench` passes --bench; this is not criterion, so only run when asked by the
    // script.
    if std::env::var_os("BOSUN_BENCH_AWS_CONFIG").is_none() {
        eprintln!("benches/accounts: run bench/accounts (it starts and seeds moto)");
        return;
    }
    let regions: Vec<String> = var("BOSUN_BENCH_REGIONS").split(',').map(str::to_string).collect();
    let slow = Duration::from_secs(var("BOSUN_BENCH_SLOW_SECS").parse().unwrap());
    let cycles: u32 = var("BOSUN_BENCH_CYCLES").parse().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let started = Instant::now();
        let backend = Arc::new(
            AwsBackend::new(AwsOptions {
                profiles: vec![var("BOSUN_BENCH_PROFILES")],
                regions: regions.clone(),
                profile_files: Some((var("BOSUN_BENCH_AWS_CONFIG").into(), var("BOSUN_BENCH_AWS_CREDENTIALS").into())),
                // moto answers CloudWatch in JSON, the SDK asks in CBOR: through the
                // translating proxy.
                cloudwatch_endpoint: std::env::var("BOSUN_BENCH_CLOUDWATCH").ok(),
                ..AwsOptions::default()
            })
            .await
            .expect("the accounts resolve"),
        );
        let resolved = started.elapsed();
        let accounts = backend.accounts();
        let places = accounts.len() * regions.len();
        let intervals = Intervals {
            slow,
            ..Intervals::default()
        };
        let (_scope_tx, scope_rx) = tokio::sync::watch::channel(Scope::default());
        let (_control_tx, control_rx) = tokio::sync::mpsc::channel(1);
        let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
        tokio::spawn(Scheduler::new(backend.clone(), intervals).run(scope_rx, control_rx, tx));

        // Until every account's and region's cluster lists and alarms have answered, and
        // every cluster's services and stopped tasks: every cell of the fleet's rows.
        let mut lists: BTreeSet<Fetch> = BTreeSet::new();
        let mut clusters: BTreeSet<String> = BTreeSet::new();
        let mut loaded: BTreeSet<Fetch> = BTreeSet::new();
        let mut errors = 0;
        while lists.len() < 3 * places || loaded.len() < 2 * clusters.len() {
            let event = rx.recv().await.expect("the scheduler runs");
            if let Err(e) = &event.result {
                errors += 1;
                if errors <= 3 {
                    eprintln!("error: {}", e.message);
                }
                continue;
            }
            match (&event.fetch, &event.result) {
                (Fetch::EcsClusters { .. }, Ok(Payload::EcsClusters(list))) => {
                    clusters.extend(list.iter().map(|c| c.arn.clone()));
                    lists.insert(event.fetch.clone());
                }
                (Fetch::EksClusters { .. } | Fetch::Alarms { .. }, _) => {
                    lists.insert(event.fetch.clone());
                }
                (Fetch::Services { .. } | Fetch::Tasks { stopped: true, .. }, _) => {
                    loaded.insert(event.fetch.clone());
                }
                _ => {}
            }
        }
        let first = started.elapsed();
        let at_first = backend.calls_by_operation().unwrap_or_default();

        // The steady state, once every fetch has had its first slow refresh at its place
        // in the interval: calls over whole slow intervals, sampled every 250 ms for the
        // busiest second.
        let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
        tokio::time::sleep(slow * 2).await;
        let window_start = backend.calls_by_operation().unwrap_or_default();
        let mut samples = vec![total(&window_start)];
        let end = Instant::now() + slow * cycles;
        while Instant::now() < end {
            tokio::time::sleep(Duration::from_millis(250)).await;
            samples.push(total(&backend.calls_by_operation().unwrap_or_default()));
        }
        let window_end = backend.calls_by_operation().unwrap_or_default();
        drain.abort();
        let busiest = samples.windows(5).map(|w| w[4] - w[0]).max().unwrap_or(0);
        let steady = delta(&window_start, &window_end);

        println!("accounts {} × regions {} = {places} places, {} ECS clusters", accounts.len(), regions.len(), clusters.len());
        println!("accounts resolved (profiles read, clients made) in {:.2} s", resolved.as_secs_f64());
        println!("first full fleet in {:.2} s, {} API calls, {errors} errors", first.as_secs_f64(), total(&at_first));
        for (op, n) in &at_first {
            println!("  first load {op:<40} {n}");
        }
        let per_cycle = total(&steady) as f64 / cycles as f64;
        println!(
            "steady state: {per_cycle:.1} calls per slow refresh ({} s × {cycles}), busiest second {busiest} calls (mean {:.1}/s)",
            slow.as_secs(),
            per_cycle / slow.as_secs_f64()
        );
        for (op, n) in &steady {
            println!("  per slow refresh {op:<34} {:.1}", *n as f64 / cycles as f64);
        }
        println!("peak RSS {:.1} MiB", peak_rss_mib());
    });
}
