//! One second of simulated time: tasks move through their lifecycle, and each service's
//! scheduler starts, replaces and retires tasks the way ECS does, within the service's
//! minimum healthy and maximum percent.

use jiff::SignedDuration;

use super::spec::Behavior;
use super::world::{
    Crash, STOPPED_RETENTION_SECS, SimCluster, SimService, SimTask, World, instance_of, mark_healthy, mark_running,
};
use crate::domain::{Deployment, LaunchType, RolloutState, ServiceEvent};

const MAX_EVENTS: usize = 100;

/// Why a task is being stopped.
#[derive(Debug, Clone)]
pub enum StopCause {
    Crash(Crash),
    /// Scaled in by a deployment.
    Scale(String),
    SpotInterruption,
    /// Stopped by an operator, with their reason.
    User(String),
}

impl World {
    pub(super) fn step(&mut self) {
        let now = self.now;
        for k in &mut self.kube {
            k.step(now);
        }
        for s in &mut self.apprunner {
            s.step(now);
        }
        self.now += SignedDuration::from_secs(1);
        let mut clusters = std::mem::take(&mut self.clusters);
        for cluster in clusters.iter_mut() {
            self.step_cluster(cluster);
        }
        self.clusters = clusters;
    }

    fn step_cluster(&mut self, c: &mut SimCluster) {
        let now = self.now;
        let mut notes: Vec<(String, String)> = Vec::new();
        for i in 0..c.tasks.len() {
            let crash_due = c.tasks[i]
                .crash
                .filter(|(at, _)| *at <= now)
                .filter(|_| c.tasks[i].task.desired_status == "RUNNING");
            if let Some((_, kind)) = crash_due {
                let t = &c.tasks[i].task;
                let service = t.service_name().unwrap_or_default().to_string();
                match kind {
                    Crash::ElbHealthCheck => {
                        let tg = tg_of(c, &service);
                        notes.push((
                            service.clone(),
                            format!(
                                "(service {service}) (task {}) failed ELB health checks in (target-group {tg}).",
                                t.id
                            ),
                        ));
                    }
                    Crash::ContainerHealthCheck => notes.push((
                        service.clone(),
                        format!("(service {service}) (task {}) failed container health checks.", t.id),
                    )),
                    _ => {}
                }
                self.stop_task_at(c, i, StopCause::Crash(kind));
                if let Some(s) = c.services.iter_mut().find(|s| s.svc.name == service) {
                    let dep = c.tasks[i].deployment.clone();
                    if let Some(d) = s.svc.deployments.iter_mut().find(|d| d.id == dep) {
                        d.failed += 1;
                    }
                    s.failures_since_warning += 1;
                }
            } else if c.tasks[i].next.is_some_and(|n| n <= now) {
                self.advance_task(c, i);
            }
        }
        self.drain_step(c);
        let mut services = std::mem::take(&mut c.services);
        for (service, message) in notes {
            if let Some(s) = services.iter_mut().find(|s| s.svc.name == service) {
                self.event(s, message);
            }
        }
        for s in &mut services {
            self.step_service(c, s);
            recount(c, s);
        }
        c.services = services;
        c.tasks.retain(|t| {
            t.task
                .stopped_at
                .is_none_or(|at| now.duration_since(at).as_secs() <= STOPPED_RETENTION_SECS)
        });
    }

    /// Move a task to its next lifecycle state.
    fn advance_task(&mut self, c: &mut SimCluster, i: usize) {
        let now = self.now;
        let status = c.tasks[i].task.last_status.clone();
        match status.as_str() {
            "PROVISIONING" => {
                c.tasks[i].task.last_status = "PENDING".into();
                c.tasks[i].next = Some(now + self.secs(10, 25));
            }
            "PENDING" => {
                mark_running(&mut c.instances, &mut c.tasks[i], now);
                // Health checks need a few passes before the task counts as healthy.
                c.tasks[i].next = Some(now + self.secs(15, 40));
            }
            "RUNNING" => {
                let t = &mut c.tasks[i];
                mark_healthy(t);
                t.next = None;
                if t.fragile {
                    let fate = self.crash_fate(now);
                    c.tasks[i].crash = Some(fate);
                }
            }
            "DEACTIVATING" | "STOPPING" => {
                let was_running = c.tasks[i].task.started_at.is_some();
                let t = &mut c.tasks[i].task;
                t.last_status = "STOPPED".into();
                t.stopped_at = Some(now);
                for container in &mut t.containers {
                    container.last_status = "STOPPED".into();
                }
                c.tasks[i].next = None;
                let task = &c.tasks[i].task;
                if let Some(inst) = instance_of(&mut c.instances, task) {
                    if was_running {
                        inst.running_tasks = inst.running_tasks.saturating_sub(1);
                    } else {
                        inst.pending_tasks = inst.pending_tasks.saturating_sub(1);
                    }
                    inst.remaining_cpu += task.cpu.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0);
                    inst.remaining_memory += task.memory.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0);
                }
            }
            _ => c.tasks[i].next = None,
        }
    }

    /// Begin stopping task `i`: desired STOPPED now, STOPPED a few seconds later.
    pub(super) fn stop_task_at(&mut self, c: &mut SimCluster, i: usize, cause: StopCause) {
        let now = self.now;
        let awsvpc = c.launch == LaunchType::Fargate;
        let service = c.tasks[i].task.service_name().unwrap_or_default().to_string();
        let tg = tg_of(c, &service);
        let delay = self.secs(4, 15);
        let st = &mut c.tasks[i];
        st.next = Some(now + delay);
        st.crash = None;
        let t = &mut st.task;
        t.desired_status = "STOPPED".into();
        t.last_status = if awsvpc { "DEACTIVATING" } else { "STOPPING" }.into();
        t.stopping_at = Some(now);
        let (code, reason, main_exit, main_reason, others_exit) = match cause {
            StopCause::Crash(Crash::OutOfMemory) => (
                "EssentialContainerExited",
                "Essential container in task exited".to_string(),
                137,
                Some("OutOfMemoryError: Container killed due to memory usage"),
                143,
            ),
            StopCause::Crash(Crash::AppExit) => (
                "EssentialContainerExited",
                "Essential container in task exited".to_string(),
                1,
                None,
                143,
            ),
            StopCause::Crash(Crash::ElbHealthCheck) => (
                "ServiceSchedulerInitiated",
                format!("Task failed ELB health checks in (target-group {tg})"),
                143,
                None,
                143,
            ),
            StopCause::Crash(Crash::ContainerHealthCheck) => (
                "ServiceSchedulerInitiated",
                "Task failed container health checks".to_string(),
                137,
                None,
                143,
            ),
            StopCause::Scale(dep) => (
                "ServiceSchedulerInitiated",
                format!("Scaling activity initiated by (deployment {dep})"),
                0,
                None,
                0,
            ),
            StopCause::User(reason) => ("UserInitiated", reason, 143, None, 143),
            StopCause::SpotInterruption => (
                "SpotInterruption",
                "Your Spot Task was interrupted.".to_string(),
                143,
                None,
                143,
            ),
        };
        t.stop_code = Some(code.into());
        t.stopped_reason = Some(reason);
        let started = t.started_at.is_some();
        for (n, container) in t.containers.iter_mut().enumerate() {
            if !started {
                continue;
            }
            if n == 0 {
                container.exit_code = Some(main_exit);
                container.reason = main_reason.map(str::to_string);
            } else {
                container.exit_code = Some(others_exit);
            }
        }
    }

    fn step_service(&mut self, c: &mut SimCluster, s: &mut SimService) {
        let now = self.now;
        if s.behavior == Behavior::Rolling && s.svc.deployments.len() == 1 && s.next_deploy.is_some_and(|t| t <= now) {
            s.next_deploy = None;
            let td = self.register_next_revision(&s.svc.task_definition);
            self.start_deployment(s, &td);
        }
        let Some(primary) = s.svc.deployments.first().map(|d| d.id.clone()) else {
            return;
        };
        let name = s.svc.name.clone();
        let mine = |t: &&SimTask| t.task.service_name() == Some(name.as_str()) && t.task.desired_status == "RUNNING";
        let n_primary = c.tasks.iter().filter(mine).filter(|t| t.deployment == primary).count() as u32;
        let n_other = c.tasks.iter().filter(mine).filter(|t| t.deployment != primary).count() as u32;
        let desired = s.svc.desired;

        if s.svc.deployments.len() > 1 {
            let max_total = (desired * s.svc.max_percent / 100).max(desired + 1);
            let min_healthy = (desired * s.svc.min_healthy_percent).div_ceil(100);
            if n_primary < desired && n_primary + n_other < max_total && now >= s.next_launch {
                let k = (desired - n_primary).min(max_total - n_primary - n_other);
                self.launch(c, s, &primary, k);
                s.next_launch = now + SignedDuration::from_secs(2);
            }
            let serving = c.tasks.iter().filter(mine).filter(|t| t.is_serving()).count() as u32;
            let mut spare = serving.saturating_sub(min_healthy);
            let mut stopped = Vec::new();
            while spare > 0 {
                let oldest = c
                    .tasks
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| mine(t) && t.deployment != primary)
                    .min_by_key(|(_, t)| t.task.created_at)
                    .map(|(i, _)| i);
                let Some(i) = oldest else { break };
                let dep = c.tasks[i].deployment.clone();
                stopped.push(c.tasks[i].task.id.clone());
                self.stop_task_at(c, i, StopCause::Scale(dep));
                spare -= 1;
            }
            if !stopped.is_empty() {
                let list = stopped
                    .iter()
                    .map(|id| format!("(task {id})"))
                    .collect::<Vec<_>>()
                    .join(" ");
                self.event(
                    s,
                    format!("(service {name}) has stopped {} running tasks: {list}.", stopped.len()),
                );
            }
            // Deployments with nothing left running are done.
            let active: Vec<String> = c.tasks.iter().filter(mine).map(|t| t.deployment.clone()).collect();
            s.svc.deployments.retain(|d| d.id == primary || active.contains(&d.id));
        } else {
            if n_primary < desired && now >= s.next_launch {
                let failing = s.behavior == Behavior::Failing;
                let k = if failing { 1 } else { (desired - n_primary).min(10) };
                self.launch(c, s, &primary, k);
                s.next_launch = now + self.secs(if failing { 15 } else { 2 }, if failing { 30 } else { 3 });
            }
            if n_primary > desired {
                let mut newest: Vec<usize> = (0..c.tasks.len()).filter(|&i| mine(&&c.tasks[i])).collect();
                newest.sort_by_key(|&i| std::cmp::Reverse(c.tasks[i].task.created_at));
                let extra = (n_primary - desired) as usize;
                let ids: Vec<String> = newest.iter().take(extra).map(|&i| c.tasks[i].task.id.clone()).collect();
                for &i in newest.iter().take(extra) {
                    self.stop_task_at(c, i, StopCause::Scale(primary.clone()));
                }
                let list = ids
                    .iter()
                    .map(|id| format!("(task {id})"))
                    .collect::<Vec<_>>()
                    .join(" ");
                self.event(
                    s,
                    format!("(service {name}) has stopped {} running tasks: {list}.", ids.len()),
                );
            }
            if s.behavior == Behavior::Steady && c.launch == LaunchType::Fargate {
                // Fargate Spot takes a task back now and then.
                let candidates: Vec<usize> = (0..c.tasks.len())
                    .filter(|&i| mine(&&c.tasks[i]) && c.tasks[i].is_serving())
                    .filter(|&i| c.tasks[i].task.capacity_provider.as_deref() == Some("FARGATE_SPOT"))
                    .collect();
                if !candidates.is_empty() && self.rng.chance(candidates.len() as f64 / (8.0 * 3600.0)) {
                    let i = *self.rng.pick(&candidates);
                    self.stop_task_at(c, i, StopCause::SpotInterruption);
                }
            }
        }

        let serving = c.tasks.iter().filter(mine).filter(|t| t.is_serving()).count() as u32;
        let all = c.tasks.iter().filter(mine).count() as u32;
        let steady = s.svc.deployments.len() == 1 && serving == desired && all == desired;
        if steady && s.svc.deployments[0].rollout_state == RolloutState::InProgress {
            let d = &mut s.svc.deployments[0];
            d.rollout_state = RolloutState::Completed;
            d.rollout_reason = format!("ECS deployment {} completed.", d.id);
            d.updated_at = Some(now);
            let id = d.id.clone();
            World::finish_deployment(s, now);
            self.event(s, format!("(service {name}) (deployment {id}) deployment completed."));
            if s.behavior == Behavior::Rolling {
                s.next_deploy = Some(now + self.secs(240, 360));
            }
        }
        if steady && !s.steady_reported {
            self.event(s, format!("(service {name}) has reached a steady state."));
        }
        s.steady_reported = steady;
        if s.failures_since_warning >= 8 {
            s.failures_since_warning = 0;
            self.event(s, format!(
                "(service {name}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
            ));
        }
    }

    /// Start `k` tasks of deployment `dep`, with the service event ECS writes for it.
    fn launch(&mut self, c: &mut SimCluster, s: &mut SimService, dep: &str, k: u32) {
        if k == 0 {
            return;
        }
        let mut ids = Vec::new();
        for _ in 0..k {
            let t = self.new_task(c, s, dep);
            ids.push(t.task.id.clone());
            c.tasks.push(t);
        }
        let list = ids
            .iter()
            .map(|id| format!("(task {id})"))
            .collect::<Vec<_>>()
            .join(" ");
        let name = s.svc.name.clone();
        self.event(s, format!("(service {name}) has started {k} tasks: {list}."));
    }

    /// Make `td` the service's primary deployment; the old primary keeps running until
    /// the new one has replaced it.
    pub(super) fn start_deployment(&mut self, s: &mut SimService, td: &str) {
        let from = self.current_revision(s, self.now);
        self.record_deployment_from(s, Some(from), td, self.now, false);
        self.start_deployment_only(s, td);
    }

    /// [`World::start_deployment`] without a new entry in the history (a rollback's).
    pub(super) fn start_deployment_only(&mut self, s: &mut SimService, td: &str) {
        let now = self.now;
        for d in &mut s.svc.deployments {
            d.status = "ACTIVE".into();
        }
        let id = self.deployment_id();
        s.svc.deployments.insert(
            0,
            Deployment {
                id: id.clone(),
                status: "PRIMARY".into(),
                task_definition: td.to_string(),
                desired: s.svc.desired,
                running: 0,
                pending: 0,
                failed: 0,
                rollout_state: RolloutState::InProgress,
                rollout_reason: format!("ECS deployment {id} in progress."),
                launch_type: s.svc.launch_type,
                created_at: Some(now),
                updated_at: Some(now),
            },
        );
        s.svc.task_definition = td.to_string();
        s.steady_reported = false;
    }

    /// Register the next revision of a task definition family, with the image tag bumped.
    pub(super) fn register_next_revision(&mut self, td_arn: &str) -> String {
        let Some(current) = self.task_defs.get(td_arn).cloned() else {
            return td_arn.to_string();
        };
        // Revisions of the family in the same account and region.
        let home = td_arn.rsplit_once(':').map_or(td_arn, |(prefix, _)| prefix);
        let home = home.rsplit_once(':').map_or(home, |(prefix, _)| prefix);
        let latest = self
            .task_defs
            .values()
            .filter(|t| t.family == current.family && t.arn.starts_with(home))
            .map(|t| t.revision)
            .max()
            .unwrap_or(current.revision);
        let mut next = current.clone();
        next.revision = latest + 1;
        next.arn = format!(
            "{}:{}",
            current.arn.rsplit_once(':').map_or(current.arn.as_str(), |(a, _)| a),
            next.revision
        );
        next.registered_at = Some(self.now);
        if let Some(main) = next.containers.first_mut() {
            main.image = bump_tag(&main.image);
        }
        let arn = next.arn.clone();
        self.task_defs.insert(arn.clone(), next);
        arn
    }

    pub(super) fn event(&mut self, s: &mut SimService, message: String) {
        let id = self.event_id();
        s.svc.events.insert(
            0,
            ServiceEvent {
                id,
                created_at: Some(self.now),
                message,
            },
        );
        s.svc.events.truncate(MAX_EVENTS);
    }

    fn secs(&mut self, lo: u64, hi: u64) -> SignedDuration {
        SignedDuration::from_secs(self.rng.range(lo, hi) as i64)
    }
}

/// Bring the service's and its deployments' counts in line with its tasks.
fn recount(c: &SimCluster, s: &mut SimService) {
    let name = s.svc.name.as_str();
    let tasks: Vec<&SimTask> = c
        .tasks
        .iter()
        .filter(|t| t.task.service_name() == Some(name) && t.task.desired_status == "RUNNING")
        .collect();
    fn pending(t: &SimTask) -> bool {
        matches!(t.task.last_status.as_str(), "PROVISIONING" | "PENDING" | "ACTIVATING")
    }
    fn running(t: &SimTask) -> bool {
        t.task.last_status == "RUNNING"
    }
    let desired = s.svc.desired;
    for d in &mut s.svc.deployments {
        let mine: Vec<&SimTask> = tasks.iter().copied().filter(|t| t.deployment == d.id).collect();
        d.running = mine.iter().filter(|t| running(t)).count() as u32;
        d.pending = mine.iter().filter(|t| pending(t)).count() as u32;
        d.desired = if d.status == "PRIMARY" {
            desired
        } else {
            mine.len() as u32
        };
    }
    s.svc.running = tasks.iter().filter(|t| running(t)).count() as u32;
    s.svc.pending = tasks.iter().filter(|t| pending(t)).count() as u32;
    // The deployment going on counts the new tasks, as ECS's history does.
    if let (Some(primary), Some(d)) = (
        s.svc.deployments.first(),
        s.history.deployments.iter_mut().find(|d| d.ongoing()),
    ) && let Some(to) = d.to.as_mut()
    {
        to.running = primary.running;
        to.pending = primary.pending;
        to.requested = primary.desired;
    }
}

fn tg_of(c: &SimCluster, service: &str) -> String {
    c.services
        .iter()
        .find(|s| s.svc.name == service)
        .and_then(|s| s.svc.load_balancers.first())
        .map_or_else(|| "-".to_string(), |lb| lb.target_group_arn.clone())
}

/// `repo:v1.2.3` → `repo:v1.2.4`.
fn bump_tag(image: &str) -> String {
    let Some((repo, tag)) = image.rsplit_once(':') else {
        return image.to_string();
    };
    match tag.rsplit_once('.') {
        Some((head, patch)) => match patch.parse::<u32>() {
            Ok(p) => format!("{repo}:{head}.{}", p + 1),
            Err(_) => image.to_string(),
        },
        None => image.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_bump_their_patch() {
        assert_eq!(bump_tag("123.dkr.ecr/x:v1.2.3"), "123.dkr.ecr/x:v1.2.4");
        assert_eq!(bump_tag("img:latest"), "img:latest");
        assert_eq!(bump_tag("img"), "img");
    }
}
