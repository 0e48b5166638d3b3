//! What changed, in one order: the entries of a timeline, each read from what bosun already
//! keeps (deployments, stopped tasks, service events, scaling activities, alarm history,
//! Kubernetes warning events, node group and add-on updates, the audit log of actions), and
//! the window it looks back over. Plain functions of the resources: the store gathers them,
//! the screen and `bosun report` show them.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::insight::ScalingActivity;
use super::kube::{Addon, KubeEvent, NodeGroup};
use super::metrics::{Alarm, AlarmChange};
use super::op::ActionRecord;
use super::{RolloutState, Service, Task};
use crate::util::{arn_tail, task_def_short};

/// How far back a timeline looks unless told (`:timeline 6h`).
pub const DEFAULT_SINCE: SignedDuration = SignedDuration::from_hours(1);

/// The longest window: what ECS and CloudWatch keep is shorter for most sources anyway.
pub const MAX_SINCE: SignedDuration = SignedDuration::from_hours(24 * 14);

/// `30m`, `1h`, `6h`, `2d`: how far back to look.
pub fn parse_since(text: &str) -> Result<SignedDuration, String> {
    let text = text.trim();
    let bad = || format!("`{text}` is not a window: try 30m, 1h, 6h or 2d");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let minutes = match unit {
        "m" | "min" => n,
        "h" => n * 60,
        "d" => n * 60 * 24,
        _ => return Err(bad()),
    };
    if minutes <= 0 {
        return Err(bad());
    }
    let since = SignedDuration::from_mins(minutes);
    if since > MAX_SINCE {
        return Err(format!("`{text}` is too far back: at most 14d"));
    }
    Ok(since)
}

/// `1h`, `90m`, `2d`: a window as `parse_since` reads it.
pub fn human(since: SignedDuration) -> String {
    let minutes = since.as_mins();
    if minutes % (60 * 24) == 0 {
        format!("{}d", minutes / (60 * 24))
    } else if minutes % 60 == 0 {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    }
}

/// What an entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Deploy,
    Tasks,
    Event,
    Scaling,
    Alarm,
    K8s,
    NodeGroup,
    Addon,
    Action,
}

impl Kind {
    /// The word in the KIND column (and for `kind:` filters).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Deploy => "deploy",
            Kind::Tasks => "tasks",
            Kind::Event => "event",
            Kind::Scaling => "scaling",
            Kind::Alarm => "alarm",
            Kind::K8s => "k8s",
            Kind::NodeGroup => "nodegroup",
            Kind::Addon => "addon",
            Kind::Action => "action",
        }
    }
}

/// How an entry reads: trouble, a warning, trouble over, or just news.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Bad,
    Warn,
    Good,
    Info,
}

/// What `enter` on an entry opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Open {
    Service {
        cluster: String,
        service: String,
    },
    StoppedTasks {
        cluster: String,
        service: Option<String>,
    },
    Autoscaling {
        cluster: String,
        service: String,
    },
    Metrics {
        cluster: String,
        service: String,
    },
    /// A Kubernetes object: its kind as `kubectl get` takes it, and `namespace/name`.
    Object {
        cluster: String,
        kind: String,
        object: String,
    },
    /// An EKS cluster's screen (node groups, add-ons).
    Eks {
        cluster: String,
    },
    Cluster {
        cluster: String,
    },
    AppRunner {
        service: String,
    },
    Nothing,
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub at: Timestamp,
    pub kind: Kind,
    pub level: Level,
    /// The cluster (ARN) it happened in, when it did in one.
    pub cluster: Option<String>,
    /// What it happened to, as a person names it: `payments`, `Pod shop/cart-7d…`.
    pub resource: String,
    /// One line of what happened.
    pub what: String,
    #[serde(skip)]
    pub open: Open,
    /// Unique in a timeline: the selection stays on it across refreshes.
    #[serde(skip)]
    pub key: String,
}

impl super::Keyed for Entry {
    fn key(&self) -> &str {
        &self.key
    }
}

/// Newest first, then by kind and resource: the order a timeline shows.
pub fn sort(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        b.at.cmp(&a.at)
            .then(a.kind.cmp(&b.kind))
            .then_with(|| a.resource.cmp(&b.resource))
            .then_with(|| a.key.cmp(&b.key))
    });
}

// ---- ECS --------------------------------------------------------------------------------

/// A service's deployments that started or ended since `since`: started (from → to
/// revision), completed, failed, rolled back.
pub fn deployments(service: &Service, since: Timestamp) -> Vec<Entry> {
    let cluster = &service.cluster_arn;
    let open = Open::Service {
        cluster: cluster.clone(),
        service: service.arn.clone(),
    };
    // What the deployments replaced: the one before each, by start time.
    let mut by_start: Vec<_> = service.deployments.iter().collect();
    by_start.sort_by_key(|d| d.created_at);
    let mut out = Vec::new();
    for (i, d) in by_start.iter().enumerate() {
        let to = task_def_short(&d.task_definition);
        let rolled_back = rolled_back(&d.rollout_reason);
        if let Some(at) = d.created_at.filter(|t| *t >= since) {
            let what = match i.checked_sub(1).map(|p| by_start[p]) {
                Some(before) if before.task_definition != d.task_definition => {
                    format!("deployment started: {} → {to}", task_def_short(&before.task_definition))
                }
                Some(_) => format!("deployment started: {to} again (forced)"),
                None => format!("deployment started: {to}"),
            };
            let what = if rolled_back {
                format!("{what} (rollback: {})", d.rollout_reason)
            } else {
                what
            };
            out.push(entry(
                at,
                Kind::Deploy,
                if rolled_back { Level::Bad } else { Level::Info },
                cluster,
                &service.name,
                what,
                open.clone(),
                format!("deploy/{}/{}/start", service.arn, d.id),
            ));
        }
        let ended = match d.rollout_state {
            RolloutState::Completed => Some((Level::Good, format!("deployment completed: {to}"))),
            RolloutState::Failed => Some((
                Level::Bad,
                if d.rollout_reason.is_empty() {
                    format!("deployment failed: {to}")
                } else {
                    format!("deployment failed: {to}: {}", d.rollout_reason)
                },
            )),
            _ => None,
        };
        if let (Some((level, what)), Some(at)) = (ended, d.updated_at.filter(|t| *t >= since)) {
            // A deployment that completed the moment it was created is the service's
            // first: its start says it all.
            if d.created_at != Some(at) {
                out.push(entry(
                    at,
                    Kind::Deploy,
                    level,
                    cluster,
                    &service.name,
                    what,
                    open.clone(),
                    format!("deploy/{}/{}/end", service.arn, d.id),
                ));
            }
        }
    }
    out
}

/// A service's deployments as ECS records them (its history) that started or ended since
/// `since`: started (from → to), completed, stopped, rolled back, and what stopped them (the
/// circuit breaker, alarms that went off).
pub fn recorded_deployments(
    service: &Service,
    history: &super::deploy::DeploymentHistory,
    since: Timestamp,
) -> Vec<Entry> {
    let cluster = &service.cluster_arn;
    let open = Open::Service {
        cluster: cluster.clone(),
        service: service.arn.clone(),
    };
    let mut out = Vec::new();
    for d in &history.deployments {
        let id = arn_tail(&d.arn);
        if let Some(at) = d.started_at.or(d.created_at).filter(|t| *t >= since) {
            out.push(entry(
                at,
                Kind::Deploy,
                Level::Info,
                cluster,
                &service.name,
                format!("deployment started: {}", d.change()),
                open.clone(),
                format!("deploy/{}/{id}/start", service.arn),
            ));
        }
        let Some(at) = d.finished_at.or(d.stopped_at).filter(|t| *t >= since) else {
            continue;
        };
        let why = {
            let mut why = Vec::new();
            if let Some(b) = d.circuit_breaker.as_ref().filter(|b| b.status == "TRIGGERED") {
                why.push(format!(
                    "circuit breaker: {} of {} tasks failed",
                    b.failures, b.threshold
                ));
            }
            if let Some(a) = d.alarms.as_ref().filter(|a| !a.triggered.is_empty()) {
                why.push(format!("alarms went off: {}", a.triggered.join(", ")));
            }
            if let Some(r) = &d.rollback {
                why.push(r.reason.clone());
            } else if !d.reason.is_empty() {
                why.push(d.reason.clone());
            }
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join("; "))
            }
        };
        let (level, what) = match d.status.as_str() {
            "SUCCESSFUL" => (Level::Good, "deployment completed"),
            "ROLLBACK_SUCCESSFUL" => (Level::Bad, "deployment rolled back"),
            "ROLLBACK_FAILED" => (Level::Bad, "deployment's rollback failed"),
            "STOPPED" => (Level::Warn, "deployment stopped"),
            _ => continue,
        };
        out.push(entry(
            at,
            Kind::Deploy,
            level,
            cluster,
            &service.name,
            format!("{what}: {}{why}", d.change()),
            open.clone(),
            format!("deploy/{}/{id}/end", service.arn),
        ));
    }
    out
}

fn rolled_back(reason: &str) -> bool {
    let reason = reason.to_ascii_lowercase();
    reason.contains("rolling back") || reason.contains("rolled back") || reason.contains("rollback")
}

/// What makes a service event worth a line: trouble (and the steady state that ends it).
fn event_level(message: &str) -> Option<Level> {
    let m = message.to_ascii_lowercase();
    if m.contains("unable to place")
        || m.contains("unable to consistently start")
        || m.contains("deployment failed")
        || m.contains("failed to start")
        || m.contains("insufficient")
    {
        Some(Level::Bad)
    } else if m.contains("unhealthy") || m.contains("failed") || m.contains("throttl") || m.contains("was unable") {
        Some(Level::Warn)
    } else if m.contains("steady state") {
        Some(Level::Good)
    } else {
        None
    }
}

/// A service event's text with what varies between repeats (task ids, target group
/// ARNs) left out, so that repeats group together.
fn event_shape(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('(') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find(')') else {
            rest = &rest[open..];
            break;
        };
        let inner = &rest[open + 1..open + close];
        if inner.starts_with("task ") || inner.contains("arn:") || inner.starts_with("instance ") {
            out.push_str("(…)");
        } else {
            out.push_str(&rest[open..=open + close]);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// A service event as one line of a timeline: the service's name (the resource column says
/// it) and, for repeats, the task left out; a target group named rather than its ARN.
fn tidy(message: &str, repeated: bool) -> String {
    let message = super::event_text(message);
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        out.push_str(&rest[..open]);
        let inner = &rest[open + 1..open + close];
        if let Some(task) = inner.strip_prefix("task ") {
            if !repeated {
                out.push_str(&format!("task {}", &task[..task.len().min(8)]));
            }
        } else if let Some(arn) = inner.strip_prefix("target-group ") {
            out.push_str(&format!(
                "target group {}",
                crate::domain::metrics::target_group_name(arn)
            ));
        } else {
            out.push_str(&rest[open..=open + close]);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// A service's events that matter since `since`: unable to place, unhealthy targets, failed
/// health checks, and the steady state reached after them; repeats of one event counted on
/// its newest line.
pub fn service_events(service: &Service, since: Timestamp) -> Vec<Entry> {
    let open = Open::Service {
        cluster: service.cluster_arn.clone(),
        service: service.arn.clone(),
    };
    // Oldest first, to know whether a steady state ends trouble.
    let mut events: Vec<_> = service
        .events
        .iter()
        .filter_map(|e| Some((e.created_at.filter(|t| *t >= since)?, e)))
        .collect();
    events.sort_by_key(|(at, _)| *at);
    let mut groups: BTreeMap<String, (Timestamp, usize, Level, String, String)> = BTreeMap::new();
    let mut troubled = false;
    for (at, e) in events {
        let Some(level) = event_level(&e.message) else {
            continue;
        };
        if level == Level::Good {
            if !std::mem::replace(&mut troubled, false) {
                continue;
            }
        } else {
            troubled = true;
        }
        let shape = event_shape(&e.message);
        let group = groups
            .entry(shape)
            .or_insert_with(|| (at, 0, level, e.message.clone(), e.id.clone()));
        group.0 = at;
        group.1 += 1;
        group.3 = e.message.clone();
        group.4 = e.id.clone();
    }
    groups
        .into_values()
        .map(|(at, n, level, message, id)| {
            let message = tidy(&message, n > 1);
            let what = if n > 1 { format!("{n}× {message}") } else { message };
            entry(
                at,
                Kind::Event,
                level,
                &service.cluster_arn,
                &service.name,
                what,
                open.clone(),
                format!("event/{}/{id}", service.arn),
            )
        })
        .collect()
}

/// The tasks of a cluster that stopped since `since`, one entry per service and reason:
/// "12 tasks stopped: OutOfMemoryError", at the newest of them. Tasks stopped on purpose
/// (scaled in, replaced by a deployment) count too, as what they are.
pub fn stopped_tasks<'a>(cluster: &str, tasks: impl IntoIterator<Item = &'a Task>, since: Timestamp) -> Vec<Entry> {
    let mut groups: BTreeMap<(String, String), (Timestamp, usize, bool)> = BTreeMap::new();
    for t in tasks {
        let Some(at) = t.stopped_at.or(t.stopping_at).filter(|at| *at >= since) else {
            continue;
        };
        let owner = t.service_name().map(str::to_string).unwrap_or_else(|| t.group.clone());
        let group = groups.entry((owner, t.reason_key())).or_insert((at, 0, false));
        group.0 = group.0.max(at);
        group.1 += 1;
        group.2 |= t.failed();
    }
    groups
        .into_iter()
        .map(|((owner, reason), (at, n, failed))| {
            let service = owner.strip_prefix("family:").is_none().then(|| owner.clone());
            let what = format!("{n} task{} stopped: {reason}", if n == 1 { "" } else { "s" });
            entry(
                at,
                Kind::Tasks,
                if failed { Level::Bad } else { Level::Info },
                cluster,
                &owner,
                what,
                Open::StoppedTasks {
                    cluster: cluster.to_string(),
                    service,
                },
                format!("tasks/{cluster}/{owner}/{reason}"),
            )
        })
        .collect()
}

/// Application Auto Scaling activities of a cluster's services since `since`.
/// `services` names the cluster's services (name → ARN) for `enter`.
pub fn scaling<'a>(
    cluster: &str,
    services: &BTreeMap<&str, &str>,
    activities: impl IntoIterator<Item = &'a ScalingActivity>,
    since: Timestamp,
) -> Vec<Entry> {
    let prefix = format!("service/{}/", arn_tail(cluster));
    activities
        .into_iter()
        .filter_map(|a| {
            let at = a.start.filter(|t| *t >= since)?;
            let name = a.resource_id.strip_prefix(&prefix)?;
            let service = services.get(name)?;
            let ok = a.status == "Successful" || a.status == "InProgress" || a.status == "Pending";
            let what = if ok {
                a.description.clone()
            } else {
                format!("{} ({})", a.description, a.status)
            };
            Some(entry(
                at,
                Kind::Scaling,
                if ok { Level::Info } else { Level::Warn },
                cluster,
                name,
                what,
                Open::Autoscaling {
                    cluster: cluster.to_string(),
                    service: service.to_string(),
                },
                format!("scaling/{}/{at}/{}", a.resource_id, a.description),
            ))
        })
        .collect()
}

/// Alarm state changes since `since`. `alarms` (the region's, as described) say what each
/// alarm watches: `belongs` keeps the ones of the timeline's scope and names the cluster
/// and service each is about.
pub fn alarm_changes<'a>(
    changes: impl IntoIterator<Item = &'a AlarmChange>,
    alarms: &[Alarm],
    since: Timestamp,
    belongs: impl Fn(Option<&Alarm>) -> Option<(Option<String>, Open)>,
) -> Vec<Entry> {
    changes
        .into_iter()
        .filter(|c| c.at >= since)
        .filter_map(|c| {
            let alarm = alarms.iter().find(|a| a.name == c.alarm);
            let (cluster, open) = belongs(alarm)?;
            let level = match c.to.as_str() {
                "ALARM" => Level::Bad,
                "OK" => Level::Good,
                _ => Level::Warn,
            };
            let what = match &c.reason {
                Some(reason) if c.to == "ALARM" => format!("{} → {}: {reason}", c.from, c.to),
                _ => format!("{} → {}", c.from, c.to),
            };
            Some(Entry {
                at: c.at,
                kind: Kind::Alarm,
                level,
                cluster,
                resource: c.alarm.clone(),
                what,
                open,
                key: format!("alarm/{}/{}", c.alarm, c.at),
            })
        })
        .collect()
}

// ---- EKS --------------------------------------------------------------------------------

/// Kubernetes warning events since `since`, one entry per object and reason (counts
/// summed): "BackOff ×12 Back-off restarting failed container".
pub fn kube_warnings<'a>(
    cluster: &str,
    events: impl IntoIterator<Item = &'a KubeEvent>,
    since: Timestamp,
) -> Vec<Entry> {
    let mut groups: BTreeMap<(String, String, String), (Timestamp, u32, String)> = BTreeMap::new();
    for e in events {
        if e.kind != "Warning" {
            continue;
        }
        let Some(at) = e.last_seen.filter(|t| *t >= since) else {
            continue;
        };
        let group = groups
            .entry((e.namespace.clone(), e.object.clone(), e.reason.clone()))
            .or_insert((at, 0, e.message.clone()));
        if at >= group.0 {
            group.0 = at;
            group.2 = e.message.clone();
        }
        group.1 += e.count.max(1);
    }
    groups
        .into_iter()
        .map(|((namespace, object, reason), (at, count, message))| {
            let (kind, name) = object.split_once('/').unwrap_or(("", &object));
            let times = if count > 1 {
                format!(" ×{count}")
            } else {
                String::new()
            };
            let open = if kind.is_empty() {
                Open::Eks {
                    cluster: cluster.to_string(),
                }
            } else {
                Open::Object {
                    cluster: cluster.to_string(),
                    kind: kind.to_string(),
                    object: if namespace.is_empty() {
                        name.to_string()
                    } else {
                        format!("{namespace}/{name}")
                    },
                }
            };
            let resource = if namespace.is_empty() {
                object.clone()
            } else {
                format!("{kind} {namespace}/{name}")
            };
            entry(
                at,
                Kind::K8s,
                Level::Warn,
                cluster,
                &resource,
                format!("{reason}{times}: {message}"),
                open,
                format!("k8s/{cluster}/{namespace}/{object}/{reason}"),
            )
        })
        .collect()
}

/// Node groups changed since `since` (an update, a scaling, a version), as EKS last
/// modified them, with what they are doing now.
pub fn nodegroups<'a>(cluster: &str, groups: impl IntoIterator<Item = &'a NodeGroup>, since: Timestamp) -> Vec<Entry> {
    groups
        .into_iter()
        .filter_map(|g| {
            let at = g.modified_at.filter(|t| *t >= since)?;
            let mut what = format!(
                "{}: min {} / desired {} / max {}",
                g.status.to_lowercase(),
                g.min,
                g.desired,
                g.max
            );
            if let Some(version) = &g.version {
                what.push_str(&format!(", Kubernetes {version}"));
            }
            if let Some(issue) = g.health_issues.first() {
                what.push_str(&format!("; {issue}"));
            }
            let level = match g.status.as_str() {
                "ACTIVE" if g.health_issues.is_empty() => Level::Info,
                "UPDATING" | "CREATING" => Level::Info,
                _ => Level::Warn,
            };
            Some(entry(
                at,
                Kind::NodeGroup,
                level,
                cluster,
                &g.name,
                what,
                Open::Eks {
                    cluster: cluster.to_string(),
                },
                format!("nodegroup/{cluster}/{}", g.name),
            ))
        })
        .collect()
}

/// Add-ons changed since `since`, with their version and status.
pub fn addons<'a>(cluster: &str, addons: impl IntoIterator<Item = &'a Addon>, since: Timestamp) -> Vec<Entry> {
    addons
        .into_iter()
        .filter_map(|a| {
            let at = a.modified_at.filter(|t| *t >= since)?;
            let mut what = format!("{} {}", a.status.to_lowercase(), a.version);
            if let Some(issue) = a.health_issues.first() {
                what.push_str(&format!("; {issue}"));
            }
            let level = if a.status == "ACTIVE" || a.status == "UPDATING" || a.status == "CREATING" {
                Level::Info
            } else {
                Level::Warn
            };
            Some(entry(
                at,
                Kind::Addon,
                level,
                cluster,
                &a.name,
                what,
                Open::Eks {
                    cluster: cluster.to_string(),
                },
                format!("addon/{cluster}/{}", a.name),
            ))
        })
        .collect()
}

// ---- bosun's own actions ----------------------------------------------------------------

/// Actions of the audit log since `since`: who did what, and how it ended.
pub fn actions<'a>(records: impl IntoIterator<Item = &'a ActionRecord>, since: Timestamp) -> Vec<Entry> {
    records
        .into_iter()
        .filter(|r| r.at >= since)
        .map(|r| {
            let who = r.identity.as_deref().map(crate::util::principal).unwrap_or("someone");
            let result = match r.result.as_str() {
                "ok" => String::new(),
                "unknown" => " (no answer: it may have been applied)".to_string(),
                other => format!(" ({}: {})", other.replace('_', " "), r.message),
            };
            let level = match r.result.as_str() {
                "ok" => Level::Info,
                "refused" => Level::Info,
                _ => Level::Warn,
            };
            let open = match (&r.cluster, &r.service) {
                (Some(cluster), Some(service)) => Open::Service {
                    cluster: cluster.clone(),
                    service: service.clone(),
                },
                (Some(cluster), None) if cluster.contains(":apprunner:") => Open::AppRunner {
                    service: cluster.clone(),
                },
                (Some(cluster), None) if cluster.contains(":eks:") => Open::Eks {
                    cluster: cluster.clone(),
                },
                (Some(cluster), None) => Open::Cluster {
                    cluster: cluster.clone(),
                },
                _ => Open::Nothing,
            };
            Entry {
                at: r.at,
                kind: Kind::Action,
                level,
                cluster: r.cluster.clone(),
                resource: r.target.clone(),
                what: format!("{who}: {}{result}", r.action),
                open,
                key: format!("action/{}/{}/{}", r.at, r.action, r.target),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn entry(
    at: Timestamp,
    kind: Kind,
    level: Level,
    cluster: &str,
    resource: &str,
    what: String,
    open: Open,
    key: String,
) -> Entry {
    Entry {
        at,
        kind,
        level,
        cluster: Some(cluster.to_string()),
        resource: resource.to_string(),
        what,
        open,
        key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_and_print_alike() {
        for text in ["30m", "1h", "6h", "2d", "90m"] {
            assert_eq!(human(parse_since(text).unwrap()), text);
        }
        assert!(parse_since("15d").unwrap_err().contains("at most 14d"));
        assert!(parse_since("0h").is_err());
        assert!(parse_since("h").is_err());
        assert!(parse_since("1w").unwrap_err().contains("not a window"));
    }

    #[test]
    fn events_read_as_one_line() {
        let m = "(service payments) (task 916b7382014c2cd7bd8b17d8b5299f82) failed ELB health checks in \
                 (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/payments-tg/1e43cacba4fc151f).";
        assert_eq!(
            tidy(m, false),
            "task 916b7382 failed ELB health checks in target group payments-tg."
        );
        assert_eq!(tidy(m, true), "failed ELB health checks in target group payments-tg.");
    }

    #[test]
    fn repeated_events_group_on_their_shape() {
        assert_eq!(
            event_shape("(service x) (task 1a2b) failed container health checks."),
            event_shape("(service x) (task 9f8e) failed container health checks.")
        );
        assert_ne!(
            event_shape("(service x) (port 80) is unhealthy"),
            event_shape("(service x) (port 81) is unhealthy")
        );
    }
}
