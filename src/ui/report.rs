//! A report of a cluster or one of its services, and of a timeline, as Markdown: for the
//! incident channel or a ticket. Drawn from the store, whoever filled it: `bosun report`
//! after its reads, `Y` in the TUI with what is on hand.

use jiff::{SignedDuration, Timestamp};

use crate::domain::timeline::{self, Entry};
use crate::domain::{Cluster, Service};
use crate::store::Store;
use crate::store::table::RowCx;
use crate::store::timeline::About;
use crate::ui::widgets::table::{markdown, md_table};
use crate::util::{arn_tail, fmt_age, task_def_short};

/// How many timeline entries a report lists, newest first.
pub const TIMELINE_ROWS: usize = 40;

/// The report of `cluster` (or its service named `service`) over the last `window`: its
/// services' health (worst first) with CPU and memory as sparklines, deployments, why tasks
/// stopped, firing alarms and the timeline. `Err` names what is not there.
pub fn cluster(
    store: &Store,
    cluster: &Cluster,
    service: Option<&str>,
    window: SignedDuration,
    now: Timestamp,
) -> Result<String, String> {
    let mut services: Vec<Service> = store
        .cluster_data(&cluster.arn)
        .map(|d| d.services.items().to_vec())
        .unwrap_or_default()
        .into_iter()
        .filter(|s| service.is_none_or(|n| s.name == n))
        .collect();
    if services.is_empty() {
        return Err(match service {
            Some(name) => format!("no service named `{name}` in {}", cluster.name),
            None => format!("no services in {}", cluster.name),
        });
    }
    // Worst first, as the lists open.
    services.sort_by_key(|s| s.health() as u8);
    let title = match service {
        Some(name) => format!("{name} in {}", cluster.name),
        None => cluster.name.clone(),
    };
    let since = now - window;
    let mut out = format!("# {title}: incident report\n\n");
    out.push_str(&format!(
        "{} · account {} · {} · the last {}\n\n",
        now.strftime("%Y-%m-%d %H:%M UTC"),
        cluster.account,
        cluster.region,
        timeline::human(window)
    ));
    health(&mut out, store, &services, now);
    deployments(&mut out, &services, now);
    stopped(&mut out, store, cluster, &services, since);
    alarms(&mut out, store, cluster, now);
    let about = About {
        cluster: Some(cluster.arn.clone()),
        service: services.first().filter(|_| service.is_some()).map(|s| s.arn.clone()),
        ..About::default()
    };
    out.push_str("## Timeline\n\n");
    out.push_str(&timeline_table(store, &about, since, now));
    Ok(out)
}

/// A timeline as a report of its own: a heading, what it covers, the entries.
pub fn timeline(store: &Store, about: &About, title: &str, window: SignedDuration, now: Timestamp) -> String {
    let mut out = format!("# What changed: {title}\n\n");
    out.push_str(&format!(
        "{} · the last {}\n\n",
        now.strftime("%Y-%m-%d %H:%M UTC"),
        timeline::human(window)
    ));
    out.push_str(&timeline_table(store, about, now - window, now));
    out
}

/// The entries of a timeline, newest first, as a Markdown table (the first
/// [`TIMELINE_ROWS`], and how many more there were).
fn timeline_table(store: &Store, about: &About, since: Timestamp, now: Timestamp) -> String {
    let entries = crate::store::timeline::gather(store, about, since);
    let mut out = String::new();
    if let Some(error) = crate::store::timeline::errors(store, about) {
        out.push_str(&format!("Not all of it: {error}.\n\n"));
    }
    if entries.is_empty() {
        out.push_str("Nothing changed.\n");
        return out;
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .take(TIMELINE_ROWS)
        .map(|e: &Entry| {
            vec![
                e.at.strftime("%H:%M:%S").to_string(),
                format!("{} ago", fmt_age(e.at, now)),
                e.kind.as_str().to_string(),
                e.cluster.as_deref().map(arn_tail).unwrap_or("-").to_string(),
                e.resource.clone(),
                e.what.clone(),
            ]
        })
        .collect();
    out.push_str(&md_table(&["UTC", "AGO", "KIND", "CLUSTER", "RESOURCE", "WHAT"], &rows));
    if entries.len() > TIMELINE_ROWS {
        out.push_str(&format!("\n…and {} older.\n", entries.len() - TIMELINE_ROWS));
    }
    out
}

fn health(out: &mut String, store: &Store, services: &[Service], now: Timestamp) {
    let failing: Vec<&str> = services
        .iter()
        .filter(|s| s.health() == crate::domain::Health::Failing)
        .map(|s| s.name.as_str())
        .collect();
    out.push_str("## Health\n\n");
    if !failing.is_empty() {
        out.push_str(&format!("Failing: **{}**.\n\n", failing.join("**, **")));
    }
    let cx = RowCx::with(now, &store.insight);
    let rows: Vec<&Service> = services.iter().collect();
    out.push_str(&markdown(&rows, &[], &cx, None));
    out.push('\n');
}

fn deployments(out: &mut String, services: &[Service], now: Timestamp) {
    let rows: Vec<Vec<String>> = services
        .iter()
        .flat_map(|s| {
            s.deployments.iter().map(|d| {
                vec![
                    s.name.clone(),
                    d.status.clone(),
                    task_def_short(&d.task_definition).to_string(),
                    format!("{}/{}", d.running, d.desired),
                    format!("{:?}", d.rollout_state).to_uppercase(),
                    d.created_at
                        .map_or_else(|| "-".into(), |t| format!("{} ago", fmt_age(t, now))),
                    d.rollout_reason.clone(),
                ]
            })
        })
        .collect();
    out.push_str("## Deployments\n\n");
    out.push_str(&md_table(
        &[
            "SERVICE",
            "STATUS",
            "TASK DEFINITION",
            "RUNNING",
            "ROLLOUT",
            "STARTED",
            "REASON",
        ],
        &rows,
    ));
    out.push('\n');
}

fn stopped(out: &mut String, store: &Store, c: &Cluster, services: &[Service], since: Timestamp) {
    let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
    let tasks: Vec<&crate::domain::Task> = store
        .cluster_data(&c.arn)
        .map(|d| d.stopped.items())
        .unwrap_or_default()
        .iter()
        .filter(|t| t.service_name().is_some_and(|n| names.contains(&n)))
        .filter(|t| t.stopped_at.or(t.stopping_at).is_some_and(|at| at >= since))
        .collect();
    out.push_str("## Why tasks stopped\n\n");
    if tasks.is_empty() {
        out.push_str("No task stopped.\n\n");
        return;
    }
    let mut rows = Vec::new();
    for name in &names {
        let of: Vec<&crate::domain::Task> = tasks
            .iter()
            .copied()
            .filter(|t| t.service_name() == Some(name))
            .collect();
        for (reason, n) in crate::domain::stop_reasons(of.into_iter()) {
            rows.push(vec![name.to_string(), n.to_string(), reason]);
        }
    }
    out.push_str(&md_table(&["SERVICE", "TASKS", "REASON"], &rows));
    out.push('\n');
}

fn alarms(out: &mut String, store: &Store, c: &Cluster, now: Timestamp) {
    let place = crate::store::insight::place(&c.account, &c.region);
    let listed = store.insight.alarms.get(&place);
    if let Some(error) = listed.and_then(|a| a.error.as_ref()) {
        out.push_str(&format!("## Alarms firing\n\nNot read: {error}\n\n"));
        return;
    }
    let firing: Vec<Vec<String>> = listed
        .map(|a| a.items())
        .unwrap_or_default()
        .iter()
        .filter(|a| a.firing() && a.dim("ClusterName") == Some(c.name.as_str()))
        .map(|a| {
            vec![
                a.name.clone(),
                format!("{}/{}", a.namespace, a.metric),
                a.threshold
                    .map_or_else(|| "-".into(), |t| format!("{} {t}", a.comparison)),
                a.updated
                    .map_or_else(|| "-".into(), |t| format!("{} ago", fmt_age(t, now))),
                a.reason.clone(),
            ]
        })
        .collect();
    out.push_str("## Alarms firing\n\n");
    if firing.is_empty() {
        out.push_str("None.\n\n");
    } else {
        out.push_str(&md_table(&["ALARM", "METRIC", "THRESHOLD", "SINCE", "REASON"], &firing));
        out.push('\n');
    }
}
