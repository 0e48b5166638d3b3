//! What the simulated fleet shows beyond ECS itself: metrics that move (and a failing
//! service that looks it), alarms, autoscaling, load balancer targets, logs, images,
//! scheduled tasks. Deterministic functions of the world and the clock.

use std::collections::{BTreeMap, HashMap};

use jiff::{SignedDuration, Timestamp};

use super::world::{World, image_digest};
use crate::domain::insight::{
    CapacityProvider, Image, LogLine, PolicyKind, Repository, ScalableTarget, Scaling, ScalingActivity, ScalingPolicy,
    ScheduledAction, ScheduledTask, StepAdjustment, Target, TargetGroupHealth,
};
use crate::domain::metrics::{Alarm, AlarmChange, MetricSeries, SeriesKey, Window};

/// A stable pseudo-random number in 0..1 for a string and a step.
fn noise(seed: &str, step: i64) -> f64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in seed.bytes().chain(step.to_le_bytes()) {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// The value of a series at time `t`, or none (a gap).
fn value(key: &SeriesKey, t: i64, service_running: bool) -> Option<f64> {
    let service = key.dim("ServiceName").unwrap_or_default();
    let tg = key.dim("TargetGroup").unwrap_or_default();
    let id = format!("{}{}{}", key.metric, service, tg);
    // A scaled-to-zero service reports nothing.
    if key.namespace == "AWS/ECS" && !service_running {
        return None;
    }
    // Now and then a period is missing, as in CloudWatch.
    if noise(&id, t / 60 + 7) < 0.015 {
        return None;
    }
    let minutes = t as f64 / 60.0;
    let day = (minutes / 1440.0 * std::f64::consts::TAU).sin();
    let base = 0.3 + 0.4 * noise(&id, 0);
    let jitter = noise(&id, t / 60) - 0.5;
    let failing = service.starts_with("payments") || tg.contains("payments");
    if key.namespace == "AWS/AppRunner" {
        return apprunner_value(key, t, service_running, base, day, jitter);
    }
    Some(match key.metric.as_str() {
        "CPUUtilization" => {
            let v = base * 100.0 + 12.0 * day + 8.0 * jitter;
            if failing { v + 25.0 * noise(&id, t / 300) } else { v }.clamp(1.0, 100.0)
        }
        "MemoryUtilization" => {
            if failing {
                // Memory climbs until the container is killed, then starts over.
                40.0 + 58.0 * ((t % 420) as f64 / 420.0)
            } else {
                (base * 80.0 + 10.0 + 3.0 * jitter).clamp(1.0, 100.0)
            }
        }
        "RequestCountPerTarget" => (400.0 + 900.0 * base + 350.0 * day + 120.0 * jitter).max(0.0).round(),
        "HTTPCode_Target_5XX_Count" => {
            if failing {
                (20.0 + 30.0 * noise(&id, t / 60)).round()
            } else if noise(&id, t / 60 + 1) < 0.05 {
                1.0
            } else {
                0.0
            }
        }
        "TargetResponseTime" => {
            if failing {
                0.9 + 0.8 * noise(&id, t / 60)
            } else {
                0.04 + 0.12 * base + 0.02 * jitter.abs()
            }
        }
        "ApproximateNumberOfMessagesVisible" => (1800.0 + 1600.0 * day + 400.0 * jitter).max(0.0).round(),
        _ => base * 100.0,
    })
}

/// An App Runner series at `t`: the quotes API answers 5xx while its rolled-back
/// deployments keep failing their health check; a paused service reports nothing.
fn apprunner_value(key: &SeriesKey, t: i64, running: bool, base: f64, day: f64, jitter: f64) -> Option<f64> {
    if !running {
        return None;
    }
    let failing = key.dim("ServiceName") == Some("quotes-api");
    let requests = (600.0 + 900.0 * base + 300.0 * day + 80.0 * jitter).max(0.0).round();
    let id = format!("{}{}", key.metric, key.dim("ServiceName").unwrap_or_default());
    Some(match key.metric.as_str() {
        "Requests" => requests,
        "2xxStatusResponses" if failing => (requests * 0.82).round(),
        "2xxStatusResponses" => (requests * 0.985).round(),
        "4xxStatusResponses" => (requests * 0.012).round(),
        "5xxStatusResponses" if failing => (requests * (0.12 + 0.1 * noise(&id, t / 60))).round(),
        "5xxStatusResponses" => f64::from(u8::from(noise(&id, t / 60) < 0.04)),
        "RequestLatency" if failing => 420.0 + 300.0 * noise(&id, t / 60),
        "RequestLatency" => 35.0 + 40.0 * base + 10.0 * jitter.abs(),
        "ActiveInstances" => (1.0 + 3.0 * (base + 0.3 * day).max(0.0)).round(),
        "CPUUtilization" => (base * 70.0 + 10.0 * day + 6.0 * jitter).clamp(1.0, 100.0),
        "MemoryUtilization" => (base * 60.0 + 15.0 + 3.0 * jitter).clamp(1.0, 100.0),
        _ => base * 100.0,
    })
}

impl World {
    fn service_running(&self, cluster: &str, service: &str) -> bool {
        self.cluster(cluster)
            .and_then(|c| c.services.iter().find(|s| s.svc.name == service))
            .is_none_or(|s| s.svc.running > 0 || s.svc.desired > 0)
    }

    pub fn metrics(&self, window: Window, keys: &[SeriesKey]) -> Vec<MetricSeries> {
        let period = window.period();
        let now = self.now().as_second();
        let end_secs = now - now.rem_euclid(period) + period;
        let start_secs = end_secs - window.secs();
        let start = Timestamp::from_second(start_secs).unwrap_or(self.now());
        let end = Timestamp::from_second(end_secs).unwrap_or(self.now());
        keys.iter()
            .map(|key| {
                let running = match (key.dim("ClusterName"), key.dim("ServiceName"), key.dim("ServiceID")) {
                    (Some(c), Some(s), _) => self.service_running(c, s),
                    (None, Some(s), Some(_)) => self
                        .apprunner
                        .iter()
                        .any(|a| a.svc.name == s && a.svc.status != "PAUSED"),
                    _ => true,
                };
                let points = (start_secs / period..end_secs.min(now) / period)
                    .filter_map(|i| {
                        let t = i * period;
                        let v = value(key, t, running)?;
                        Some((Timestamp::from_second(t).ok()?, v))
                    })
                    .collect();
                MetricSeries {
                    key: key.clone(),
                    window,
                    start,
                    end,
                    points,
                }
            })
            .collect()
    }

    pub fn alarms(&self, account: &str, region: &str) -> Vec<Alarm> {
        let mut alarms = Vec::new();
        let updated = Some(self.now() - SignedDuration::from_mins(14));
        for c in self
            .clusters
            .iter()
            .filter(|c| c.info.region == region && c.info.account == account)
        {
            for s in &c.services {
                let name = &s.svc.name;
                let failing = s.behavior == super::spec::Behavior::Failing;
                let dims = vec![
                    ("ClusterName".to_string(), c.info.name.clone()),
                    ("ServiceName".to_string(), name.clone()),
                ];
                if s.svc.desired == 0 {
                    continue;
                }
                alarms.push(Alarm {
                    name: format!("{name}-memory-high"),
                    state: if failing { "ALARM" } else { "OK" }.into(),
                    namespace: "AWS/ECS".into(),
                    metric: "MemoryUtilization".into(),
                    dims: dims.clone(),
                    threshold: Some(90.0),
                    comparison: "GreaterThanThreshold".into(),
                    reason: if failing {
                        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (90.0)."
                            .into()
                    } else {
                        "Threshold Crossed: no datapoint was greater than the threshold (90.0).".into()
                    },
                    updated,
                });
                if let Some(lb) = s.svc.load_balancers.first() {
                    let tg =
                        crate::domain::metrics::arn_suffix(&lb.target_group_arn, "targetgroup/").unwrap_or_default();
                    alarms.push(Alarm {
                        name: format!("{name}-5xx"),
                        state: if failing { "ALARM" } else { "OK" }.into(),
                        namespace: "AWS/ApplicationELB".into(),
                        metric: "HTTPCode_Target_5XX_Count".into(),
                        dims: vec![("TargetGroup".into(), tg)],
                        threshold: Some(10.0),
                        comparison: "GreaterThanThreshold".into(),
                        reason: format!(
                            "Threshold Crossed: 1 datapoint [{}] was {} the threshold (10.0).",
                            if failing { 37 } else { 0 },
                            if failing { "greater than" } else { "not greater than" }
                        ),
                        updated,
                    });
                }
            }
        }
        alarms
    }

    /// The alarms' state changes: each alarm firing went from OK to ALARM when it was last
    /// updated.
    pub fn alarm_history(&self, account: &str, region: &str) -> Vec<AlarmChange> {
        let mut changes: Vec<AlarmChange> = self
            .alarms(account, region)
            .into_iter()
            .filter(|a| a.firing())
            .filter_map(|a| {
                Some(AlarmChange {
                    at: a.updated?,
                    from: "OK".into(),
                    to: a.state.clone(),
                    reason: Some(a.reason.clone()),
                    alarm: a.name,
                })
            })
            .collect();
        changes.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.alarm.cmp(&b.alarm)));
        changes
    }

    pub fn scaling(&self, account: &str, region: &str) -> Scaling {
        let mut scaling = Scaling::default();
        let now = self.now();
        for c in self
            .clusters
            .iter()
            .filter(|c| c.info.region == region && c.info.account == account)
        {
            for s in &c.services {
                let rid = crate::domain::insight::resource_id(&c.info.name, &s.svc.name);
                let (min, max) = match s.limits {
                    Some(limits) => limits,
                    None => match s.svc.name.as_str() {
                        "checkout" | "catalog" | "frontend" | "api-gateway" | "checkout-eu" => {
                            (s.svc.desired.max(1) / 2 + 1, s.svc.desired * 3 + 2)
                        }
                        "order-processor" => (2, 12),
                        "payments" => (4, 8),
                        _ => continue,
                    },
                };
                scaling.targets.push(ScalableTarget {
                    resource_id: rid.clone(),
                    min,
                    max,
                    suspended: false,
                });
                let kind = match s.svc.name.as_str() {
                    "order-processor" => PolicyKind::TargetTracking {
                        metric: "ApproximateNumberOfMessagesVisible".into(),
                        target: 500.0,
                        queue: Some("orders-queue".into()),
                    },
                    "payments" => PolicyKind::Step {
                        adjustment_type: "ChangeInCapacity".into(),
                        steps: vec![
                            StepAdjustment {
                                lower: Some(0.0),
                                upper: Some(15.0),
                                adjustment: 1,
                            },
                            StepAdjustment {
                                lower: Some(15.0),
                                upper: None,
                                adjustment: 3,
                            },
                        ],
                        alarms: vec!["payments-memory-high".into()],
                    },
                    "frontend" | "api-gateway" => PolicyKind::TargetTracking {
                        metric: "ALBRequestCountPerTarget".into(),
                        target: 1000.0,
                        queue: None,
                    },
                    _ => PolicyKind::TargetTracking {
                        metric: "ECSServiceAverageCPUUtilization".into(),
                        target: 60.0,
                        queue: None,
                    },
                };
                scaling.policies.push(ScalingPolicy {
                    name: format!("{}-scaling", s.svc.name),
                    resource_id: rid.clone(),
                    kind,
                });
                if s.svc.name == "frontend" {
                    let tomorrow = now + SignedDuration::from_hours(24);
                    let next = tomorrow.to_zoned(jiff::tz::TimeZone::UTC).date().at(8, 0, 0, 0);
                    scaling.scheduled.push(ScheduledAction {
                        name: "frontend-morning-peak".into(),
                        resource_id: rid.clone(),
                        schedule: "cron(0 8 * * ? *)".into(),
                        min: Some(8),
                        max: Some(30),
                        next_run: next.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp()),
                    });
                }
                scaling.activities.push(ScalingActivity {
                    resource_id: rid.clone(),
                    status: "Successful".into(),
                    cause: format!(
                        "monitor alarm TargetTracking-{rid}-AlarmHigh in state ALARM triggered policy {}-scaling",
                        s.svc.name
                    ),
                    description: format!("Setting desired count to {}.", s.svc.desired),
                    start: Some(now - SignedDuration::from_mins(37)),
                });
            }
        }
        scaling.activities.sort_by_key(|a| std::cmp::Reverse(a.start));
        scaling
    }

    pub fn capacity_providers(&self, account: &str, region: &str) -> Vec<CapacityProvider> {
        let mut out = vec![
            CapacityProvider {
                name: "FARGATE".into(),
                status: "ACTIVE".into(),
                asg_arn: None,
                managed_scaling: None,
                asg: None,
            },
            CapacityProvider {
                name: "FARGATE_SPOT".into(),
                status: "ACTIVE".into(),
                asg_arn: None,
                managed_scaling: None,
                asg: None,
            },
        ];
        for c in self
            .clusters
            .iter()
            .filter(|c| c.info.region == region && c.info.account == account && !c.instances.is_empty())
        {
            let n = c.instances.len() as u32;
            out.push(CapacityProvider {
                name: format!("{}-asg", c.info.name),
                status: "ACTIVE".into(),
                asg_arn: Some(format!(
                    "arn:aws:autoscaling:{region}:{}:autoScalingGroup:0f1e2d3c:autoScalingGroupName/{}-asg",
                    c.account_id(),
                    c.info.name
                )),
                managed_scaling: Some(("ENABLED".into(), 100)),
                asg: Some((n.saturating_sub(2).max(1), n, n * 2)),
            });
        }
        out
    }

    /// A Classic Load Balancer's instances: every container instance of the cluster of the
    /// service behind it, OutOfService while draining.
    fn classic_targets(&self, arn: &str) -> Option<TargetGroupHealth> {
        let c = self.clusters.iter().find(|c| {
            c.services
                .iter()
                .any(|s| s.svc.load_balancers.iter().any(|lb| lb.target_group_arn == arn))
        })?;
        let targets = c
            .instances
            .iter()
            .filter_map(|i| {
                let id = i.ec2_instance_id.clone()?;
                let out = i.status == "DRAINING";
                Some(Target {
                    id,
                    port: 8080,
                    state: if out { "OutOfService" } else { "InService" }.into(),
                    reason: out.then(|| "Instance".to_string()),
                    description: out.then(|| {
                        "Instance has failed at least the UnhealthyThreshold number of health checks consecutively."
                            .to_string()
                    }),
                })
            })
            .collect();
        Some(TargetGroupHealth {
            arn: arn.to_string(),
            name: crate::util::arn_tail(arn).to_string(),
            protocol: "HTTP".into(),
            port: 80,
            load_balancers: vec![arn.to_string()],
            health_check: "HTTP:8080/health".into(),
            targets,
        })
    }

    pub fn targets(&self, target_group: &str) -> Option<TargetGroupHealth> {
        if crate::domain::is_classic(target_group) {
            return self.classic_targets(target_group);
        }
        for c in &self.clusters {
            for s in &c.services {
                let Some(lb) = s
                    .svc
                    .load_balancers
                    .iter()
                    .find(|lb| lb.target_group_arn == target_group)
                else {
                    continue;
                };
                let failing = s.behavior == super::spec::Behavior::Failing;
                let targets = c
                    .service_tasks(&s.svc.name)
                    .filter(|t| t.task.last_status != "STOPPED")
                    .filter_map(|t| {
                        let (state, reason, description) = if t.task.desired_status == "STOPPED" {
                            (
                                "draining",
                                Some("Target.DeregistrationInProgress"),
                                Some("Target deregistration is in progress"),
                            )
                        } else if t.task.last_status != "RUNNING" {
                            return None;
                        } else if t.task.health != "HEALTHY" {
                            (
                                "initial",
                                Some("Elb.RegistrationInProgress"),
                                Some("Target registration is in progress"),
                            )
                        } else if failing && noise(&t.task.id, 1) < 0.5 {
                            (
                                "unhealthy",
                                Some("Target.ResponseCodeMismatch"),
                                Some("Health checks failed with these codes: [502]"),
                            )
                        } else {
                            ("healthy", None, None)
                        };
                        Some(Target {
                            id: t.task.private_ip.clone().unwrap_or_default(),
                            port: lb.container_port,
                            state: state.into(),
                            reason: reason.map(str::to_string),
                            description: description.map(str::to_string),
                        })
                    })
                    .collect();
                let lb_name = if c.info.region == "eu-west-1" {
                    "front-eu"
                } else {
                    "front"
                };
                return Some(TargetGroupHealth {
                    arn: target_group.to_string(),
                    name: format!("{}-tg", s.svc.name),
                    protocol: "HTTP".into(),
                    port: lb.container_port,
                    load_balancers: vec![format!(
                        "arn:aws:elasticloadbalancing:{}:{}:loadbalancer/app/{lb_name}/5f2e8c1a9b3d7e40",
                        c.info.region,
                        c.account_id()
                    )],
                    health_check: "HTTP /health".into(),
                    targets,
                });
            }
        }
        None
    }

    /// The lines of a container's log up to now (a line every few seconds), from `after`.
    pub fn log_lines(&self, group: &str, stream: &str, after: Option<Timestamp>, first: usize) -> Vec<LogLine> {
        if let Some(rest) = group.strip_prefix("/aws/apprunner/") {
            return self.apprunner_log_lines(rest, after, first);
        }
        let service = group.trim_start_matches("/ecs/");
        let failing = service.starts_with("payments");
        self.log_ticks(3, after, first)
            .map(|(i, t)| {
                let r = noise(stream, i);
                let message = if failing && r < 0.12 {
                    "ERROR java.lang.OutOfMemoryError: Java heap space".to_string()
                } else if failing && r < 0.25 {
                    format!(
                        "WARN upstream ledger timed out after {}ms; retrying",
                        900 + (r * 1000.0) as i64
                    )
                } else if r < 0.03 {
                    format!("WARN slow query on {service}-db took {}ms", 300 + (r * 10000.0) as i64)
                } else {
                    let paths = [
                        "/api/items",
                        "/api/cart",
                        "/health",
                        "/api/orders",
                        "/api/search?q=shoes",
                    ];
                    let path = paths[(r * 100.0) as usize % paths.len()];
                    format!("INFO {service} GET {path} 200 {}ms", 3 + (r * 80.0) as i64)
                };
                LogLine { at: t, message }
            })
            .collect()
    }

    /// When a simulated log writes a line: every `step` seconds up to now, after `after`
    /// (or the last `first` of them), with the tick's number for its noise.
    fn log_ticks(&self, step: i64, after: Option<Timestamp>, first: usize) -> impl Iterator<Item = (i64, Timestamp)> {
        let now = self.now().as_second();
        let from = match after {
            Some(t) => t.as_second() / step + 1,
            None => now / step - first as i64 + 1,
        };
        (from..=now / step).filter_map(move |i| Some((i, Timestamp::from_second(i * step).ok()?)))
    }

    /// An App Runner service's log (`NAME/ID/application` or `NAME/ID/service`): requests,
    /// and for the failing quotes API its health checks; its service events.
    fn apprunner_log_lines(&self, group: &str, after: Option<Timestamp>, first: usize) -> Vec<LogLine> {
        let mut parts = group.split('/');
        let (name, _id, kind) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let Some(service) = self.apprunner.iter().find(|s| s.svc.name == name) else {
            return Vec::new();
        };
        if kind == "service" {
            // Service events: one line per phase of each operation.
            let mut lines: Vec<LogLine> = Vec::new();
            for op in service.svc.operations.iter().rev() {
                let what = crate::domain::apprunner::operation_name(&op.kind);
                if let Some(at) = op.started_at {
                    lines.push(LogLine {
                        at,
                        message: format!("[AppRunner] {what} with operation ID {} started.", op.id),
                    });
                    if service.failing && op.deploys() && op.status.starts_with("ROLLBACK") {
                        lines.push(LogLine {
                            at: at + SignedDuration::from_secs(190),
                            message: "[AppRunner] Health check failed on protocol `TCP` [Port: '8080']. Check your configured port number.".into(),
                        });
                        lines.push(LogLine {
                            at: at + SignedDuration::from_secs(200),
                            message: format!(
                                "[AppRunner] {what} with operation ID {} failed. Rolling back to the previous version.",
                                op.id
                            ),
                        });
                    }
                }
                if let Some(at) = op.ended_at {
                    lines.push(LogLine {
                        at,
                        message: format!(
                            "[AppRunner] {what} with operation ID {} {}.",
                            op.id,
                            crate::util::words(&op.status)
                        ),
                    });
                }
            }
            lines.retain(|l| after.is_none_or(|a| l.at > a) && l.at <= self.now());
            lines.sort_by_key(|l| l.at);
            return lines;
        }
        self.log_ticks(4, after, first)
            .map(|(i, t)| {
                let r = noise(name, i);
                let instance = ["a1f3", "7c2e", "e90b"][(i % 3) as usize];
                let message = if service.failing && r < 0.2 {
                    format!("instance/{instance} ERROR quote engine: rules cache not loaded (feature flag QUOTES_V5 missing)")
                } else {
                    let path = ["/", "/products", "/cart", "/healthz", "/api/prices"][(r * 100.0) as usize % 5];
                    let status = if service.failing && r < 0.3 { 503 } else { 200 };
                    format!("instance/{instance} {name} GET {path} {status} {}ms", 4 + (r * 60.0) as i64)
                };
                LogLine { at: t, message }
            })
            .collect()
    }

    /// Images of a repository: the tags the task definitions use, and a few older ones.
    pub fn images(&self, account: &str, region: &str, repository: &str) -> Vec<Image> {
        let mut by_tag: BTreeMap<String, (String, Timestamp)> = BTreeMap::new();
        for td in self.task_defs.values().filter(|t| self.is_in(&t.arn, account, region)) {
            for c in &td.containers {
                if let Some((r, repo, tag)) = crate::domain::insight::ecr_image(&c.image)
                    && r == region
                    && repo == repository
                {
                    let at = td.registered_at.unwrap_or(self.now());
                    let entry = by_tag.entry(tag).or_insert((c.image.clone(), at));
                    entry.1 = entry.1.min(at);
                }
            }
        }
        let vulnerable = repository == "payments";
        let mut images: Vec<Image> = by_tag
            .into_iter()
            .map(|(tag, (uri, pushed))| {
                let r = noise(&uri, 3);
                let mut findings = BTreeMap::new();
                if vulnerable {
                    findings.insert("CRITICAL".to_string(), 2);
                    findings.insert("HIGH".to_string(), 5);
                }
                findings.insert("MEDIUM".to_string(), 1 + (r * 6.0) as u32);
                findings.insert("LOW".to_string(), 3 + (r * 12.0) as u32);
                Image {
                    repository: repository.to_string(),
                    digest: image_digest(&uri),
                    tags: vec![tag],
                    pushed_at: Some(pushed - SignedDuration::from_mins(20)),
                    size_bytes: Some(80_000_000 + (r * 320_000_000.0) as i64),
                    scan_status: Some("COMPLETE".into()),
                    findings,
                }
            })
            .collect();
        images.sort_by_key(|i| std::cmp::Reverse(i.pushed_at));
        images
    }

    pub fn repositories(&self, account: &str, region: &str) -> Vec<Repository> {
        let mut seen: HashMap<String, Timestamp> = HashMap::new();
        for td in self.task_defs.values().filter(|t| self.is_in(&t.arn, account, region)) {
            for c in &td.containers {
                if let Some((r, repo, _)) = crate::domain::insight::ecr_image(&c.image)
                    && r == region
                {
                    let at = td.registered_at.unwrap_or(self.now());
                    let first = seen.entry(repo).or_insert(at);
                    *first = (*first).min(at);
                }
            }
        }
        let mut repos: Vec<Repository> = seen
            .into_iter()
            .map(|(name, at)| Repository {
                uri: format!("{}.dkr.ecr.{region}.amazonaws.com/{name}", self.account_id(account)),
                name,
                created_at: Some(at - SignedDuration::from_hours(24 * 300)),
                scan_on_push: true,
                tag_mutability: "IMMUTABLE".into(),
            })
            .collect();
        repos.sort_by(|a, b| crate::util::natural_cmp(&a.name, &b.name));
        repos
    }

    pub fn schedules(&self, account: &str, region: &str) -> Vec<ScheduledTask> {
        let latest = |family: &str| self.revisions(account, region, family).into_iter().next();
        let mut out = Vec::new();
        for c in self
            .clusters
            .iter()
            .filter(|c| c.info.region == region && c.info.account == account)
        {
            let plan: &[(&str, &str, &str, u32, &str)] = match c.info.name.as_str() {
                "prod-workers" => &[
                    (
                        "nightly-ledger-reconcile",
                        "cron(0 2 * * ? *)",
                        "ledger-batch",
                        1,
                        "ENABLED",
                    ),
                    ("hourly-legacy-report", "rate(1 hour)", "legacy-reports", 1, "DISABLED"),
                ],
                "eu-prod" => &[("cart-cleanup", "rate(15 minutes)", "cart-eu", 2, "ENABLED")],
                _ => &[],
            };
            for (rule, schedule, family, count, state) in plan {
                if let Some(td) = latest(family) {
                    out.push(ScheduledTask {
                        rule: rule.to_string(),
                        schedule: Some(schedule.to_string()),
                        state: state.to_string(),
                        cluster_arn: c.info.arn.clone(),
                        task_definition: td,
                        count: *count,
                        launch_type: Some(c.launch.as_str().to_string()),
                    });
                }
            }
        }
        out
    }
}
