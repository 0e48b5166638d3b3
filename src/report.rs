//! `bosun report`: one Markdown document about a cluster (or one of its services) to paste
//! into an incident channel or a ticket: the services' health with the last hour of CPU and
//! memory as sparklines, their deployments, why their tasks stopped, the alarms firing, and
//! the recent service events. The same fetches and conversions as the TUI and `snapshot`.

use anyhow::{Result, bail};
use jiff::{SignedDuration, Timestamp};

use crate::domain::fetch::Fetch;
use crate::domain::metrics::{place_of, service_series};
use crate::domain::{Cluster, Service};
use crate::snapshot::{Format, Missing, chosen, load, load_metrics, output, store_of};
use crate::source::Backend;
use crate::store::Store;
use crate::store::table::RowCx;
use crate::ui::widgets::table::md_table;
use crate::util::{fmt_age, task_def_short};

/// What a report is about.
#[derive(Debug, Clone)]
pub struct Request {
    pub cluster: String,
    pub service: Option<String>,
    /// How far back stopped tasks and events go.
    pub since: SignedDuration,
    pub in_flight: usize,
}

/// `30m`, `1h`, `6h`, `2d`: how far back a report looks.
pub fn parse_since(text: &str) -> Result<SignedDuration, String> {
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: i64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: a number and m, h or d (30m, 1h, 2d)"))?;
    let minutes = match unit {
        "m" => n,
        "h" => n * 60,
        "d" => n * 60 * 24,
        _ => {
            return Err(format!(
                "`{text}` is not a duration: a number and m, h or d (30m, 1h, 2d)"
            ));
        }
    };
    if n == 0 || minutes > 14 * 24 * 60 {
        return Err(format!("`{text}`: from 1m to 14d"));
    }
    Ok(SignedDuration::from_mins(minutes))
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
    // Alarms are extra: a report without them says why and is still right about the rest.
    let alarm_lists = clusters.iter().map(|c| Fetch::Alarms {
        account: c.account.clone(),
        region: c.region.clone(),
    });
    for event in crate::source::fetch_all(backend, alarm_lists.collect(), request.in_flight).await {
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

    let since = now - request.since;
    let mut out = String::new();
    for c in &clusters {
        let mut services = chosen_services(&store, c);
        if services.is_empty() {
            match &request.service {
                Some(name) => bail!("no service named `{name}` in {}", c.name),
                None => continue,
            }
        }
        // Worst first, as the lists open.
        services.sort_by_key(|s| s.health() as u8);
        let title = match &request.service {
            Some(name) => format!("{name} in {}", c.name),
            None => c.name.clone(),
        };
        out.push_str(&format!("# {title}: incident report\n\n"));
        out.push_str(&format!(
            "{} · account {} · {} · the last {}\n\n",
            now.strftime("%Y-%m-%d %H:%M UTC"),
            c.account,
            c.region,
            human(request.since)
        ));
        health(&mut out, &store, &services, now)?;
        deployments(&mut out, &services, now);
        stopped(&mut out, &store, c, &services, since);
        alarms(&mut out, &store, c, now);
        events(&mut out, &services, since, now);
    }
    if out.is_empty() {
        bail!("no services in {}", request.cluster);
    }
    Ok(out)
}

fn human(d: SignedDuration) -> String {
    let mins = d.as_mins();
    match mins {
        m if m % (24 * 60) == 0 => format!("{}d", m / (24 * 60)),
        m if m % 60 == 0 => format!("{}h", m / 60),
        m => format!("{m}m"),
    }
}

fn health(out: &mut String, store: &Store, services: &[Service], now: Timestamp) -> Result<()> {
    let failing: Vec<&str> = services
        .iter()
        .filter(|s| s.health() == crate::domain::Health::Failing)
        .map(|s| s.name.as_str())
        .collect();
    out.push_str("## Health\n\n");
    if !failing.is_empty() {
        out.push_str(&format!("Failing: **{}**.\n\n", failing.join("**, **")));
    }
    let cx = RowCx {
        now,
        insight: Some(&store.insight),
    };
    let rows: Vec<&Service> = services.iter().collect();
    out.push_str(&output(&rows, &[], &cx, Format::Markdown)?);
    out.push('\n');
    Ok(())
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
        for (reason, n) in crate::ui::screens::tasks::reasons(of.into_iter()) {
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

fn events(out: &mut String, services: &[Service], since: Timestamp, now: Timestamp) {
    let mut rows: Vec<(Timestamp, Vec<String>)> = services
        .iter()
        .flat_map(|s| {
            s.events.iter().filter_map(|e| {
                let at = e.created_at.filter(|t| *t >= since)?;
                Some((
                    at,
                    vec![format!("{} ago", fmt_age(at, now)), s.name.clone(), e.message.clone()],
                ))
            })
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    rows.truncate(20);
    out.push_str("## Service events\n\n");
    if rows.is_empty() {
        out.push_str("None.\n");
        return;
    }
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(_, r)| r).collect();
    out.push_str(&md_table(&["WHEN", "SERVICE", "EVENT"], &rows));
}
