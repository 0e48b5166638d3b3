//! What operator actions do to the simulated world: the same consequences ECS gives them,
//! carried out by the world's own scheduler as time moves (a new deployment replaces tasks
//! in batches within minimum healthy and maximum percent; a stopped task is replaced).

use jiff::SignedDuration;

use super::step::StopCause;
use super::world::{SimCluster, SimService, World};
use crate::domain::deploy::Restore;
use crate::domain::{LaunchType, NetworkConfig};
use crate::util::arn_tail;

/// An action's result in the world: a summary and, where it started one, the deployment.
#[derive(Debug)]
pub struct Done {
    pub summary: String,
    pub deployment: Option<String>,
    pub tasks: Vec<String>,
}

impl Done {
    pub fn said(summary: impl Into<String>) -> Self {
        Done {
            summary: summary.into(),
            deployment: None,
            tasks: Vec::new(),
        }
    }
}

/// What a one-off task runs as.
pub struct RunSpec<'a> {
    pub task_definition: &'a str,
    pub count: u32,
    pub launch: LaunchType,
    pub network: Option<&'a NetworkConfig>,
    pub group: Option<&'a str>,
}

fn cluster_missing(cluster: &str) -> String {
    format!("ClusterNotFoundException: Cluster not found: {}", arn_tail(cluster))
}

impl World {
    fn cluster_mut(&mut self, cluster: &str) -> Result<usize, String> {
        self.clusters
            .iter()
            .position(|c| c.info.arn == cluster || c.info.name == cluster)
            .ok_or_else(|| cluster_missing(cluster))
    }

    /// Run `f` on a service, with the world at hand (the service is taken out meanwhile).
    pub(super) fn with_service<R>(
        &mut self,
        cluster: &str,
        service: &str,
        f: impl FnOnce(&mut World, &mut SimCluster, &mut SimService) -> Result<R, String>,
    ) -> Result<R, String> {
        let ci = self.cluster_mut(cluster)?;
        let mut c = std::mem::replace(&mut self.clusters[ci], SimCluster::empty());
        let found = c
            .services
            .iter()
            .position(|s| s.svc.arn == service || s.svc.name == service);
        let result = match found {
            None => Err(format!(
                "ServiceNotFoundException: Service not found: {}",
                arn_tail(service)
            )),
            Some(si) => {
                let mut s = c.services.remove(si);
                let result = f(self, &mut c, &mut s);
                c.services.insert(si, s);
                result
            }
        };
        self.clusters[ci] = c;
        result
    }

    pub fn redeploy(&mut self, cluster: &str, service: &str) -> Result<Done, String> {
        self.with_service(cluster, service, |w, _, s| {
            code_deploy_refuses(s)?;
            let td = s.svc.task_definition.clone();
            w.start_deployment(s, &td);
            Ok(Done {
                summary: format!("new deployment of {}", s.svc.name),
                deployment: s.svc.deployments.first().map(|d| d.id.clone()),
                tasks: vec![],
            })
        })
    }

    pub fn set_task_definition(&mut self, cluster: &str, service: &str, td: &str) -> Result<Done, String> {
        let Some(found) = self.task_definition_of(td) else {
            return Err(format!("ClientException: TaskDefinition not found: {}", arn_tail(td)));
        };
        self.with_service(cluster, service, |w, _, s| {
            code_deploy_refuses(s)?;
            w.start_deployment(s, &found.arn);
            Ok(Done {
                summary: format!("{} now runs {}:{}", s.svc.name, found.family, found.revision),
                deployment: s.svc.deployments.first().map(|d| d.id.clone()),
                tasks: vec![],
            })
        })
    }

    /// UpdateService back to a past service revision: the service placed as the revision
    /// was, then a deployment of its task definition from the revision it was on.
    pub fn restore_revision(&mut self, cluster: &str, service: &str, restore: &Restore) -> Result<Done, String> {
        let Some(found) = self.task_definition_of(&restore.task_definition) else {
            return Err(format!(
                "ClientException: TaskDefinition not found: {}",
                arn_tail(&restore.task_definition)
            ));
        };
        self.with_service(cluster, service, |w, _, s| {
            code_deploy_refuses(s)?;
            let now = w.now;
            let from = w.current_revision(s, now);
            if let Some(providers) = &restore.capacity_providers {
                s.svc.capacity_strategy = providers.clone();
            }
            if let Some(balancers) = &restore.load_balancers {
                s.svc.load_balancers = balancers.clone();
            }
            if let Some(network) = &restore.network {
                s.svc.network = Some(network.clone());
            }
            w.record_deployment_from(s, Some(from), &found.arn, now, false);
            w.start_deployment_only(s, &found.arn);
            Ok(Done {
                summary: format!(
                    "{} back on service revision {} ({}:{})",
                    s.svc.name,
                    arn_tail(&restore.revision),
                    found.family,
                    found.revision
                ),
                deployment: s.svc.deployments.first().map(|d| d.id.clone()),
                tasks: vec![],
            })
        })
    }

    /// UpdateTaskProtection: a running task of the cluster protected for `minutes` (0: not).
    pub fn protect_task(&mut self, cluster: &str, task: &str, minutes: u32) -> Result<Done, String> {
        let ci = self.cluster_mut(cluster)?;
        let found = self.clusters[ci]
            .tasks
            .iter()
            .find(|t| t.task.arn == task || t.task.id == task)
            .map(|t| {
                (
                    t.task.arn.clone(),
                    t.task.desired_status.clone(),
                    t.task.service_name().is_some(),
                )
            });
        let Some((arn, desired, of_service)) = found else {
            return Err(format!("MISSING: no task {} in the cluster", arn_tail(task)));
        };
        if !of_service || desired != "RUNNING" {
            return Err(format!(
                "TASK_NOT_VALID: task {} is not a running task of a service",
                arn_tail(task)
            ));
        }
        if minutes == 0 {
            self.protection.remove(&arn);
            return Ok(Done::said(format!("task {} no longer protected", arn_tail(task))));
        }
        let until = self.now + SignedDuration::from_mins(i64::from(minutes));
        self.protection.insert(arn, until);
        Ok(Done::said(format!(
            "task {} protected from scale-in until {} UTC",
            arn_tail(task),
            until.strftime("%H:%M")
        )))
    }

    /// StopServiceDeployment with ROLLBACK: the deployment rolls back to where it came from.
    pub fn stop_deployment(&mut self, cluster: &str, service: &str, deployment: &str) -> Result<Done, String> {
        self.with_service(cluster, service, |w, _, s| {
            let back = w.roll_back_deployment(s, deployment)?;
            Ok(Done {
                summary: format!(
                    "{}: deployment {} rolling back to {}",
                    s.svc.name,
                    arn_tail(deployment),
                    crate::util::task_def_short(&back)
                ),
                deployment: s.svc.deployments.first().map(|d| d.id.clone()),
                tasks: vec![],
            })
        })
    }

    /// ECS Exec on for the tasks the service starts from now (its running ones keep theirs).
    pub fn enable_exec(&mut self, cluster: &str, service: &str) -> Result<Done, String> {
        self.with_service(cluster, service, |_, _, s| {
            s.svc.exec_enabled = true;
            Ok(Done::said(format!(
                "ECS Exec is on for the tasks {} starts from now",
                s.svc.name
            )))
        })
    }

    pub fn scale(&mut self, cluster: &str, service: &str, desired: u32) -> Result<Done, String> {
        self.with_service(cluster, service, |w, _, s| {
            s.svc.desired = desired;
            if let Some(primary) = s.svc.deployments.first_mut() {
                primary.desired = desired;
            }
            s.steady_reported = false;
            s.next_launch = w.now;
            Ok(Done::said(format!("{} desired {desired}", s.svc.name)))
        })
    }

    pub fn stop_task(&mut self, cluster: &str, task: &str, reason: &str) -> Result<Done, String> {
        let ci = self.cluster_mut(cluster)?;
        let mut c = std::mem::replace(&mut self.clusters[ci], SimCluster::empty());
        let found = c.tasks.iter().position(|t| t.task.arn == task || t.task.id == task);
        let result = match found {
            None => Err(format!(
                "InvalidParameterException: The referenced task was not found: {}",
                arn_tail(task)
            )),
            Some(i) if c.tasks[i].task.desired_status == "STOPPED" => {
                Ok(Done::said(format!("task {} was already stopping", c.tasks[i].task.id)))
            }
            Some(i) => {
                self.stop_task_at(&mut c, i, StopCause::User(reason.to_string()));
                Ok(Done::said(format!("task {} stopping", c.tasks[i].task.id)))
            }
        };
        self.clusters[ci] = c;
        result
    }

    pub fn run_task(&mut self, cluster: &str, spec: RunSpec<'_>, token: &str) -> Result<Done, String> {
        let RunSpec {
            task_definition: td,
            count,
            launch,
            network,
            group,
        } = spec;
        if let Some(tasks) = self.run_tokens.get(token) {
            // The same request again: RunTask is idempotent for its client token.
            return Ok(Done {
                summary: format!("started {} tasks (already)", tasks.len()),
                deployment: None,
                tasks: tasks.clone(),
            });
        }
        let Some(found) = self.task_definition_of(td) else {
            return Err(format!("ClientException: TaskDefinition not found: {}", arn_tail(td)));
        };
        let ci = self.cluster_mut(cluster)?;
        let mut c = std::mem::replace(&mut self.clusters[ci], SimCluster::empty());
        if launch == LaunchType::Fargate && network.is_none() && c.launch == LaunchType::Fargate {
            self.clusters[ci] = c;
            return Err("InvalidParameterException: Network Configuration must be provided when networkMode 'awsvpc' is specified.".into());
        }
        let group = group.map_or_else(|| format!("family:{}", found.family), str::to_string);
        let mut tasks = Vec::new();
        for _ in 0..count {
            let mut t = self.new_one_off_task(&mut c, &found.arn, &group);
            t.next = Some(self.now + SignedDuration::from_secs(6));
            tasks.push(t.task.arn.clone());
            c.tasks.push(t);
        }
        self.clusters[ci] = c;
        self.run_tokens.insert(token.to_string(), tasks.clone());
        Ok(Done {
            summary: format!(
                "started {count} task{} of {}:{}",
                if count == 1 { "" } else { "s" },
                found.family,
                found.revision
            ),
            deployment: None,
            tasks,
        })
    }

    pub fn set_instance_state(&mut self, cluster: &str, instance: &str, draining: bool) -> Result<Done, String> {
        let ci = self.cluster_mut(cluster)?;
        let c = &mut self.clusters[ci];
        let Some(inst) = c.instances.iter_mut().find(|i| i.arn == instance || i.id == instance) else {
            return Err(format!(
                "InvalidParameterException: container instance {} not found",
                arn_tail(instance)
            ));
        };
        inst.status = if draining { "DRAINING" } else { "ACTIVE" }.into();
        Ok(Done::said(format!(
            "instance {} {}",
            inst.id,
            inst.status.to_lowercase()
        )))
    }

    pub fn set_scaling_limits(&mut self, cluster: &str, service: &str, min: u32, max: u32) -> Result<Done, String> {
        self.with_service(cluster, service, |_, _, s| {
            s.limits = Some((min, max));
            // Application Auto Scaling keeps the desired count inside the range.
            s.svc.desired = s.svc.desired.clamp(min, max);
            if let Some(primary) = s.svc.deployments.first_mut() {
                primary.desired = s.svc.desired;
            }
            Ok(Done::said(format!("{} scales between {min} and {max}", s.svc.name)))
        })
    }

    /// Service tasks on draining instances move elsewhere, one every few seconds.
    pub(super) fn drain_step(&mut self, c: &mut SimCluster) {
        let draining: Vec<String> = c
            .instances
            .iter()
            .filter(|i| i.status == "DRAINING")
            .map(|i| i.arn.clone())
            .collect();
        if draining.is_empty() || !self.rng.chance(0.25) {
            return;
        }
        let victim = c.tasks.iter().position(|t| {
            t.task.desired_status == "RUNNING"
                && t.task.service_name().is_some()
                && t.task
                    .container_instance_arn
                    .as_ref()
                    .is_some_and(|a| draining.contains(a))
        });
        if let Some(i) = victim {
            let dep = c.tasks[i].deployment.clone();
            self.stop_task_at(c, i, StopCause::Scale(dep));
        }
    }
}

/// UpdateService refuses a new deployment of a service deployed by CodeDeploy, as ECS does:
/// its deployments are CodeDeploy's.
fn code_deploy_refuses(s: &SimService) -> Result<(), String> {
    if s.svc.rollout.controller == "CODE_DEPLOY" {
        return Err(format!(
            "InvalidParameterException: Unable to update task definition on services with a CODE_DEPLOY \
             deployment controller. Use AWS CodeDeploy to trigger a new deployment. ({})",
            s.svc.name
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use jiff::{SignedDuration, Timestamp};

    use super::*;

    const PROD_WEB: &str = "prod-web";

    fn start() -> Timestamp {
        "2026-11-02T09:30:00Z".parse().unwrap()
    }

    fn service(w: &World, name: &str) -> crate::domain::Service {
        w.services(PROD_WEB)
            .unwrap()
            .into_iter()
            .find(|s| s.name == name)
            .unwrap()
    }

    #[test]
    fn a_forced_deployment_replaces_every_task_within_the_percentages() {
        let mut w = World::new(3, start());
        let before: Vec<String> = w
            .tasks(PROD_WEB, false)
            .unwrap()
            .into_iter()
            .filter(|t| t.group == "service:cart")
            .map(|t| t.arn)
            .collect();
        let done = w.redeploy(PROD_WEB, "cart").unwrap();
        let deployment = done.deployment.unwrap();
        let s = service(&w, "cart");
        assert_eq!(s.deployments[0].id, deployment);
        assert_eq!(s.deployments.len(), 2);
        let mut t = start();
        let mut most = 0;
        for _ in 0..300 {
            t += SignedDuration::from_secs(1);
            w.advance_to(t);
            let s = service(&w, "cart");
            let active = w
                .tasks(PROD_WEB, false)
                .unwrap()
                .into_iter()
                .filter(|t| t.group == "service:cart")
                .count() as u32;
            most = most.max(active);
            assert!(
                active <= s.desired * s.max_percent / 100,
                "at most {}% while rolling",
                s.max_percent
            );
        }
        assert!(most > 4, "new tasks started beside the old ones");
        let s = service(&w, "cart");
        assert_eq!(s.deployments.len(), 1, "the rollout completed");
        let after: Vec<String> = w
            .tasks(PROD_WEB, false)
            .unwrap()
            .into_iter()
            .filter(|t| t.group == "service:cart")
            .map(|t| t.arn)
            .collect();
        assert_eq!(after.len(), 4);
        assert!(after.iter().all(|a| !before.contains(a)), "every task was replaced");
    }

    #[test]
    fn a_stopped_task_is_stopped_with_the_reason_and_replaced() {
        let mut w = World::new(3, start());
        let task = w
            .tasks(PROD_WEB, false)
            .unwrap()
            .into_iter()
            .find(|t| t.group == "service:search")
            .unwrap();
        w.stop_task(PROD_WEB, &task.arn, "poisoned cache").unwrap();
        w.advance_to(start() + SignedDuration::from_secs(60));
        let stopped = w
            .tasks(PROD_WEB, true)
            .unwrap()
            .into_iter()
            .find(|t| t.arn == task.arn)
            .unwrap();
        assert_eq!(stopped.stopped_reason.as_deref(), Some("poisoned cache"));
        assert_eq!(stopped.stop_code.as_deref(), Some("UserInitiated"));
        assert_eq!(stopped.last_status, "STOPPED");
        let running = w
            .tasks(PROD_WEB, false)
            .unwrap()
            .into_iter()
            .filter(|t| t.group == "service:search")
            .count();
        assert_eq!(running, 3, "the service started a replacement");
    }

    #[test]
    fn scaling_and_limits_and_unknown_targets() {
        let mut w = World::new(3, start());
        w.scale(PROD_WEB, "auth", 5).unwrap();
        w.advance_to(start() + SignedDuration::from_secs(90));
        assert_eq!(service(&w, "auth").running, 5);
        w.set_scaling_limits(PROD_WEB, "auth", 1, 2).unwrap();
        assert_eq!(
            service(&w, "auth").desired,
            2,
            "the desired count moves inside the range"
        );
        assert!(
            w.scale(PROD_WEB, "nope", 1)
                .unwrap_err()
                .starts_with("ServiceNotFoundException")
        );
        assert!(
            w.scale("nowhere", "auth", 1)
                .unwrap_err()
                .starts_with("ClusterNotFoundException")
        );
        assert!(
            w.set_task_definition(PROD_WEB, "auth", "auth:999")
                .unwrap_err()
                .contains("TaskDefinition not found")
        );
    }

    #[test]
    fn run_task_is_idempotent_for_its_token() {
        let mut w = World::new(3, start());
        let td = service(&w, "cart").task_definition;
        let network = service(&w, "cart").network;
        let first = w
            .run_task(
                PROD_WEB,
                RunSpec {
                    task_definition: &td,
                    count: 2,
                    launch: LaunchType::Fargate,
                    network: network.as_ref(),
                    group: None,
                },
                "tok-1",
            )
            .unwrap();
        let again = w
            .run_task(
                PROD_WEB,
                RunSpec {
                    task_definition: &td,
                    count: 2,
                    launch: LaunchType::Fargate,
                    network: network.as_ref(),
                    group: None,
                },
                "tok-1",
            )
            .unwrap();
        assert_eq!(first.tasks, again.tasks);
        let one_off = w
            .tasks(PROD_WEB, false)
            .unwrap()
            .into_iter()
            .filter(|t| t.group.starts_with("family:"))
            .count();
        assert_eq!(one_off, 2);
        assert!(
            w.run_task(
                PROD_WEB,
                RunSpec {
                    task_definition: &td,
                    count: 1,
                    launch: LaunchType::Fargate,
                    network: None,
                    group: None
                },
                "tok-2"
            )
            .unwrap_err()
            .contains("Network Configuration")
        );
    }

    #[test]
    fn a_drained_instance_empties_and_takes_no_new_tasks() {
        let mut w = World::new(3, start());
        let instances = w.container_instances("prod-workers").unwrap();
        let busiest = instances.iter().max_by_key(|i| i.running_tasks).unwrap().clone();
        assert!(busiest.running_tasks > 0);
        w.set_instance_state("prod-workers", &busiest.arn, true).unwrap();
        w.advance_to(start() + SignedDuration::from_mins(5));
        let after = w
            .container_instances("prod-workers")
            .unwrap()
            .into_iter()
            .find(|i| i.arn == busiest.arn)
            .unwrap();
        assert_eq!(after.status, "DRAINING");
        assert_eq!(after.running_tasks + after.pending_tasks, 0, "its tasks moved");
        let total: u32 = w
            .container_instances("prod-workers")
            .unwrap()
            .iter()
            .map(|i| i.running_tasks)
            .sum();
        assert_eq!(
            total as usize,
            w.tasks("prod-workers", false).unwrap().len(),
            "and run elsewhere"
        );
    }
}
