//! The simulated fleet's deployment history, as ECS records it: a service revision for
//! each task definition a service ran, and a service deployment for each rollout, moved
//! along as the rollout goes (in progress, successful, superseded, rolled back).

use jiff::Timestamp;

use super::world::{SimService, World};
use crate::domain::deploy::{
    Breaker, CodeDeploy, HookEvent, RevisionRef, Rollback, ServiceDeployment, ServiceRevision, Watched,
};

/// A stable hex id for `seed`: the same text, the same id (no draw from the world's
/// random numbers, so the rest of the world does not change with the history).
pub(super) fn id_of(seed: &str, len: usize) -> String {
    use std::hash::BuildHasher;
    let mut out = String::new();
    let mut round = 0u64;
    while out.len() < len {
        let hash = foldhash::quality::FixedState::with_seed(round).hash_one(seed);
        out.push_str(&format!("{hash:016x}"));
        round += 1;
    }
    out.truncate(len);
    out
}

fn region_account(service_arn: &str) -> (&str, &str) {
    (
        crate::util::arn_region(service_arn).unwrap_or("us-east-1"),
        crate::util::arn_account(service_arn).unwrap_or("123456789012"),
    )
}

/// The lifecycle events of an ECS blue/green deployment through CodeDeploy, in order.
const ECS_HOOKS: [&str; 8] = [
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
];

/// A CodeDeploy deployment of `s` from `from` to `to`, started at `at`: its events a
/// minute each up to `failed_at` (that one failed with `error`, the rest left pending).
fn code_deploy_row(
    s: &SimService,
    from: &str,
    to: &str,
    at: Timestamp,
    status: &str,
    creator: &str,
    failed_at: Option<(usize, &str)>,
) -> ServiceDeployment {
    let id = format!("d-{}", id_of(&format!("{}{to}{at}", s.svc.arn), 9).to_uppercase());
    let minute = |i: usize| at + jiff::SignedDuration::from_mins(i as i64);
    let events: Vec<HookEvent> = ECS_HOOKS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let (status, message) = match failed_at {
                Some((f, _)) if i == f => ("Failed", Some("the deployment was stopped while this ran".to_string())),
                Some((f, _)) if i > f => ("Pending", None),
                _ => ("Succeeded", None),
            };
            HookEvent {
                name: name.to_string(),
                status: status.into(),
                started_at: (status != "Pending").then(|| minute(i)),
                ended_at: (status != "Pending").then(|| minute(i + 1)),
                message,
            }
        })
        .collect();
    let ended = minute(failed_at.map_or(ECS_HOOKS.len(), |(f, _)| f + 1));
    let revision = |td: &str, running: u32| RevisionRef {
        arn: String::new(),
        requested: s.svc.desired,
        running,
        pending: 0,
        task_definition: Some(td.to_string()),
    };
    let name = &s.svc.name;
    let code = CodeDeploy {
        id: id.clone(),
        application: name.clone(),
        group: format!("{name}-bg"),
        config: "CodeDeployDefault.ECSLinear10PercentEvery1Minutes".into(),
        status: status.into(),
        creator: creator.into(),
        description: String::new(),
        error: failed_at.map(|(_, said)| format!("ALARM_ACTIVE: {said}")),
        rolled_back_by: None,
        rollback_of: None,
        events,
    };
    ServiceDeployment {
        arn: id,
        status: code.ecs_status().into(),
        reason: code.error.clone().unwrap_or_default(),
        created_at: Some(at),
        started_at: Some(at),
        finished_at: Some(ended),
        stopped_at: None,
        from: vec![revision(from, if status == "Succeeded" { 0 } else { s.svc.desired })],
        to: Some(revision(to, if status == "Succeeded" { s.svc.desired } else { 0 })),
        stage: None,
        circuit_breaker: None,
        alarms: None,
        rollback: None,
        traffic: Vec::new(),
        code_deploy: Some(Box::new(code)),
    }
}

impl World {
    /// What CodeDeploy recorded for a CODE_DEPLOY service that runs `current`, deployed at
    /// `at` from `previous`: that deployment; two days before it, the same change stopped by
    /// an alarm while the traffic shifted and rolled back; and the one before. Newest first;
    /// answers the ID of the deployment that made the running task set.
    pub(super) fn record_code_deploys(s: &mut SimService, previous: &str, current: &str, at: Timestamp) -> String {
        let day = jiff::SignedDuration::from_hours(24);
        let older = previous
            .rsplit_once(':')
            .and_then(|(base, n)| Some(format!("{base}:{}", n.parse::<u32>().ok()?.saturating_sub(1))))
            .unwrap_or_else(|| previous.to_string());
        let alarm = format!("{}-5xx", s.svc.name);
        let said = format!("One or more alarms have been activated: {alarm}. The deployment was stopped.");
        let mut stopped = code_deploy_row(s, previous, current, at - day * 2, "Stopped", "user", Some((6, &said)));
        let mut back = code_deploy_row(
            s,
            current,
            previous,
            at - day * 2 + jiff::SignedDuration::from_mins(7),
            "Succeeded",
            "codeDeployRollback",
            None,
        );
        if let (Some(a), Some(b)) = (stopped.code_deploy.as_mut(), back.code_deploy.as_mut()) {
            a.rolled_back_by = Some(b.id.clone());
            b.rollback_of = Some(a.id.clone());
            stopped.status = a.ecs_status().into();
            back.reason = format!("rollback of {}", a.id);
        }
        let last = code_deploy_row(s, previous, current, at, "Succeeded", "user", None);
        let first = code_deploy_row(s, &older, previous, at - day * 9, "Succeeded", "user", None);
        let id = last.arn.clone();
        s.history.deployments = vec![last, back, stopped, first];
        id
    }

    /// The revision of `s` running `td` as the service is placed now (capacity providers,
    /// load balancers, network): made (and kept) the first time it is asked for.
    fn revision_of(&mut self, s: &mut SimService, td: &str, at: Timestamp) -> RevisionRef {
        let (region, account) = region_account(&s.svc.arn);
        let cluster = crate::util::arn_tail(&s.svc.cluster_arn);
        let placement = format!(
            "{:?}{:?}{:?}",
            s.svc.capacity_strategy, s.svc.load_balancers, s.svc.network
        );
        let arn = format!(
            "arn:aws:ecs:{region}:{account}:service-revision/{cluster}/{}/{}",
            s.svc.name,
            id_of(&format!("{}{td}{placement}", s.svc.arn), 19)
                .chars()
                .filter(char::is_ascii_hexdigit)
                .collect::<String>()
        );
        if s.history.revision(&arn).is_none() {
            let images = self
                .task_defs
                .get(td)
                .map(|t| {
                    t.containers
                        .iter()
                        .map(|c| {
                            (
                                c.name.clone(),
                                c.image.clone(),
                                Some(format!("sha256:{}", id_of(&c.image, 64))),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            s.history.revisions.push(ServiceRevision {
                arn: arn.clone(),
                task_definition: td.to_string(),
                images,
                launch_type: s
                    .svc
                    .capacity_strategy
                    .is_empty()
                    .then(|| s.svc.launch_type.as_str().to_string()),
                platform_version: (s.svc.launch_type == crate::domain::LaunchType::Fargate).then(|| "1.4.0".into()),
                capacity_providers: s.svc.capacity_strategy.clone(),
                load_balancers: s.svc.load_balancers.clone(),
                network: s.svc.network.clone(),
                created_at: Some(at),
            });
        }
        RevisionRef {
            arn,
            requested: s.svc.desired,
            running: 0,
            pending: 0,
            task_definition: Some(td.to_string()),
        }
    }

    /// The revision `s` is on: its newest deployment's target (or, rolled back, its
    /// source) while that is the task definition it runs; else one as it is placed now.
    pub(super) fn current_revision(&mut self, s: &mut SimService, at: Timestamp) -> RevisionRef {
        let td = s.svc.task_definition.clone();
        let recorded = s.history.deployments.first().and_then(|d| {
            if d.status.starts_with("ROLLBACK") {
                d.from.first()
            } else {
                d.to.as_ref()
            }
        });
        match recorded {
            Some(r) if r.task_definition.as_deref() == Some(td.as_str()) && s.history.revision(&r.arn).is_some() => {
                r.clone()
            }
            _ => self.revision_of(s, &td, at),
        }
    }

    /// Record a deployment of `s` from `from` (none for its first) to `to`, started at
    /// `at`: in progress, or (`done`) successful four minutes later.
    pub(super) fn record_deployment(
        &mut self,
        s: &mut SimService,
        from: Option<&str>,
        to: &str,
        at: Timestamp,
        done: bool,
    ) {
        let source = from.map(|td| self.revision_of(s, td, at));
        self.record_deployment_from(s, source, to, at, done);
    }

    /// [`World::record_deployment`] from a revision already known (the one the service
    /// was on before its placement changed).
    pub(super) fn record_deployment_from(
        &mut self,
        s: &mut SimService,
        source: Option<RevisionRef>,
        to: &str,
        at: Timestamp,
        done: bool,
    ) {
        // A rollout still going when a newer one starts is superseded; a rollback goes on.
        for d in s.history.deployments.iter_mut().filter(|d| d.ongoing()) {
            if !d.status.starts_with("ROLLBACK") {
                d.status = "STOPPED".into();
                d.reason = "Superseded by a newer deployment.".into();
                d.stopped_at = Some(at);
                d.finished_at = Some(at);
            }
        }
        let mut target = self.revision_of(s, to, at);
        if done {
            target.running = target.requested;
        }
        let (region, account) = region_account(&s.svc.arn);
        let cluster = crate::util::arn_tail(&s.svc.cluster_arn);
        let arn = format!(
            "arn:aws:ecs:{region}:{account}:service-deployment/{cluster}/{}/{}",
            s.svc.name,
            id_of(&format!("{}{to}{at}", s.svc.arn), 22)
        );
        let status = if done { "MONITORING_COMPLETE" } else { "MONITORING" };
        let breaker = s.svc.rollout.circuit_breaker.map(|_| Breaker {
            status: status.into(),
            failures: 0,
            threshold: threshold(s.svc.desired),
        });
        let alarms = s.svc.rollout.alarms.as_ref().map(|(names, _)| Watched {
            status: status.into(),
            names: names.clone(),
            triggered: Vec::new(),
        });
        s.history.deployments.insert(
            0,
            ServiceDeployment {
                arn,
                status: if done { "SUCCESSFUL" } else { "IN_PROGRESS" }.into(),
                reason: String::new(),
                created_at: Some(at),
                started_at: Some(at),
                finished_at: done.then(|| at + jiff::SignedDuration::from_mins(4)),
                stopped_at: None,
                from: source.into_iter().collect(),
                to: Some(target),
                stage: None,
                circuit_breaker: breaker,
                alarms,
                rollback: None,
                traffic: Vec::new(),
                code_deploy: None,
            },
        );
        s.history
            .deployments
            .truncate(crate::domain::deploy::HISTORY_DEPLOYMENTS as usize);
    }

    /// The newest deployment of `s` is done: successful, or (a rollback) rolled back.
    pub(super) fn finish_deployment(s: &mut SimService, at: Timestamp) {
        for d in s.history.deployments.iter_mut().filter(|d| d.ongoing()) {
            d.finished_at = Some(at);
            if let Some(b) = &mut d.circuit_breaker {
                b.status = "MONITORING_COMPLETE".into();
            }
            if let Some(a) = &mut d.alarms {
                a.status = "MONITORING_COMPLETE".into();
            }
            if let Some(to) = &mut d.to {
                to.running = to.requested;
            }
            d.status = if d.status.starts_with("ROLLBACK") {
                "ROLLBACK_SUCCESSFUL"
            } else {
                "SUCCESSFUL"
            }
            .into();
        }
    }

    /// `StopServiceDeployment` with ROLLBACK: the deployment rolls back to the revision it
    /// came from; the rollback goes on as a new rollout of that task definition.
    pub(super) fn roll_back_deployment(&mut self, s: &mut SimService, deployment: &str) -> Result<String, String> {
        let now = self.now;
        let Some(d) = s.history.deployments.iter_mut().find(|d| d.arn == deployment) else {
            return Err(format!("ServiceDeploymentNotFoundException: {deployment}"));
        };
        if !d.ongoing() {
            return Err(format!(
                "ConflictException: the service deployment is {} and cannot be stopped",
                d.status
            ));
        }
        let Some(back) = d.from.first().cloned() else {
            return Err("ConflictException: the deployment has no revision to roll back to".into());
        };
        d.status = "ROLLBACK_IN_PROGRESS".into();
        d.reason = "Rollback requested by StopServiceDeployment.".into();
        d.rollback = Some(Rollback {
            reason: "StopServiceDeployment".into(),
            started_at: Some(now),
            revision: back.arn.clone(),
        });
        let td = back.task_definition.unwrap_or_default();
        self.start_deployment_only(s, &td);
        Ok(td)
    }
}

impl World {
    /// A deployment of `service` that the circuit breaker stopped as the world is shown:
    /// its new revision's tasks failed to start, three of a threshold of three, and the
    /// rollback to the revision before is going on (and settles as the demo runs).
    pub(super) fn seed_circuit_breaker_rollback(&mut self, cluster: &str, service: &str) {
        let now = self.now;
        let _ = self.with_service(cluster, service, |w, _, s| {
            let old = s.svc.task_definition.clone();
            let new = w.register_next_revision(&old);
            let started = now - jiff::SignedDuration::from_mins(6);
            w.record_deployment(s, Some(&old), &new, started, false);
            let rollback_at = now - jiff::SignedDuration::from_mins(1);
            if let Some(d) = s.history.deployments.first_mut() {
                d.status = "ROLLBACK_IN_PROGRESS".into();
                d.reason = "ECS deployment circuit breaker: tasks failed to start.".into();
                if let Some(b) = &mut d.circuit_breaker {
                    b.status = "TRIGGERED".into();
                    b.failures = b.threshold;
                }
                if let Some(to) = &mut d.to {
                    to.running = 0;
                }
                d.rollback = Some(Rollback {
                    reason: "circuit breaker: tasks failed to start".into(),
                    started_at: Some(rollback_at),
                    revision: d.from.first().map(|r| r.arn.clone()).unwrap_or_default(),
                });
            }
            // deployments[]: the failed one, and a new primary of the revision before.
            let failed_id = w.deployment_id();
            w.start_deployment_only(s, &old);
            let name = s.svc.name.clone();
            let back_id = s.svc.deployments.first().map(|d| d.id.clone()).unwrap_or_default();
            if let Some(primary) = s.svc.deployments.first_mut() {
                primary.rollout_reason =
                    format!("ECS deployment circuit breaker: rolling back to deployment {back_id}.");
                primary.created_at = Some(rollback_at);
            }
            s.svc.deployments.insert(
                1,
                crate::domain::Deployment {
                    id: failed_id.clone(),
                    status: "ACTIVE".into(),
                    task_definition: new.clone(),
                    desired: s.svc.desired,
                    running: 0,
                    pending: 0,
                    failed: 3,
                    rollout_state: crate::domain::RolloutState::Failed,
                    rollout_reason: "ECS deployment circuit breaker: tasks failed to start.".into(),
                    launch_type: s.svc.launch_type,
                    created_at: Some(started),
                    updated_at: Some(rollback_at),
                },
            );
            w.event(
                s,
                format!("(service {name}) (deployment {failed_id}) deployment failed: tasks failed to start."),
            );
            w.event(s, format!("(service {name}) rolling back to deployment {back_id}."));
            Ok(())
        });
    }
}

/// The circuit breaker's threshold for `desired` tasks, as ECS documents it: half the
/// desired count, at least 3 and at most 200.
fn threshold(desired: u32) -> u32 {
    desired.div_ceil(2).clamp(3, 200)
}
