//! Generating the simulated world: clusters from their specs, services with their
//! deployments and events, tasks placed on instances (or Fargate), and their fates.

use jiff::{SignedDuration, Timestamp};

use super::spec::{Behavior, ClusterSpec, ServiceSpec};
use crate::domain::{
    Cluster, Container, ContainerDefinition, ContainerInstance, Deployment, LaunchType, LoadBalancerRef, NetworkConfig,
    RolloutState, Service, ServiceEvent, Task, TaskDefinition,
};

use super::world::*;

/// A container of a task as it is placed: its definition's name, image, CPU and memory;
/// with bridge networking (EC2) each container port gets a dynamic host port.
pub(super) fn container(
    c: &ContainerDefinition,
    digest: String,
    status: &str,
    health: &str,
    fargate: bool,
    rng: &mut crate::util::rng::Rng,
) -> Container {
    Container {
        name: c.name.clone(),
        image: c.image.clone(),
        image_digest: Some(digest),
        last_status: status.into(),
        exit_code: None,
        reason: None,
        health: health.into(),
        cpu: Some(c.cpu.to_string()),
        memory: c.memory.map(|m| m.to_string()),
        runtime_id: None,
        exec_agent: None,
        bindings: if fargate {
            vec![]
        } else {
            c.ports
                .iter()
                .map(|p| (p.container_port, 32768 + rng.range(0, 28000) as u16))
                .collect()
        },
    }
}

/// The demo service behind a Classic Load Balancer.
pub(super) const CLASSIC_LB_SERVICE: &str = "notifications";

/// The demo service created without ECS Exec.
pub(super) const NO_EXEC_SERVICE: &str = "ledger-batch";

impl World {
    pub(super) fn build_cluster(&mut self, spec: &ClusterSpec, start: Timestamp) -> SimCluster {
        let account = self.accounts[spec.account].clone();
        let arn = format!("arn:aws:ecs:{}:{}:cluster/{}", spec.region, account.id, spec.name);
        let azs: Vec<String> = ["a", "b", "c"].iter().map(|z| format!("{}{z}", spec.region)).collect();
        let capacity_providers = match spec.launch {
            LaunchType::Ec2 => vec![format!("{}-asg", spec.name)],
            _ => vec!["FARGATE".into(), "FARGATE_SPOT".into()],
        };
        let mut cluster = SimCluster {
            info: Cluster {
                arn: arn.clone(),
                account: account.name.clone(),
                name: spec.name.to_string(),
                region: spec.region.to_string(),
                status: "ACTIVE".into(),
                active_services: 0,
                running_tasks: 0,
                pending_tasks: 0,
                container_instances: spec.instances,
                capacity_providers,
            },
            launch: spec.launch,
            services: Vec::new(),
            tasks: Vec::new(),
            generated: Vec::new(),
            instances: Vec::new(),
            azs,
        };
        for i in 0..spec.instances {
            let id = self.rng.hex(32);
            let az = cluster.azs[i as usize % cluster.azs.len()].clone();
            let registered_at = self.now - SignedDuration::from_hours(self.rng.range(24, 24 * 30) as i64);
            cluster.instances.push(ContainerInstance {
                arn: format!(
                    "arn:aws:ecs:{}:{}:container-instance/{}/{id}",
                    spec.region, account.id, spec.name
                ),
                id,
                ec2_instance_id: Some(format!("i-0{}", self.rng.hex(16))),
                status: "ACTIVE".into(),
                agent_connected: true,
                agent_version: Some("1.86.3".into()),
                instance_type: Some("m6i.xlarge".into()),
                availability_zone: Some(az),
                running_tasks: 0,
                pending_tasks: 0,
                registered_cpu: 4096,
                remaining_cpu: 4096,
                registered_memory: 15_722,
                remaining_memory: 15_722,
                registered_at: Some(registered_at),
            });
        }
        for s in &spec.services {
            let service = self.build_service(&mut cluster, s, start);
            cluster.services.push(service);
        }
        cluster
    }

    fn build_service(&mut self, cluster: &mut SimCluster, spec: &ServiceSpec, start: Timestamp) -> SimService {
        let region = cluster.info.region.clone();
        let account = cluster.account_id().to_string();
        let revision = self.rng.range(3, 60) as u32;
        let major = self.rng.range(1, 4);
        let minor = self.rng.range(0, 30);
        let patch = self.rng.range(0, 9);
        // The previous revision exists too: history, and a target for a rollback.
        for (rev, p) in [(revision - 1, patch.saturating_sub(1)), (revision, patch)] {
            let td = self.task_definition(
                &account,
                &region,
                spec,
                cluster.launch,
                rev,
                &format!("v{major}.{minor}.{p}"),
            );
            self.task_defs.insert(td.arn.clone(), td);
        }
        let td_arn = format!(
            "arn:aws:ecs:{region}:{account}:task-definition/{}:{revision}",
            spec.name
        );
        let deployed_at = self.now - SignedDuration::from_hours(self.rng.range(20, 24 * 21) as i64);
        // The failing service was deployed shortly before its trouble began: what changed.
        let deployed_at = if spec.behavior == super::spec::Behavior::Failing {
            self.now - SignedDuration::from_mins(30)
        } else {
            deployed_at
        };
        let deployment = Deployment {
            id: self.deployment_id(),
            status: "PRIMARY".into(),
            task_definition: td_arn.clone(),
            desired: spec.desired,
            running: 0,
            pending: 0,
            failed: 0,
            rollout_state: RolloutState::Completed,
            rollout_reason: String::new(),
            launch_type: cluster.launch,
            created_at: Some(deployed_at),
            updated_at: Some(deployed_at + SignedDuration::from_mins(4)),
        };
        let service_arn = format!(
            "arn:aws:ecs:{region}:{account}:service/{}/{}",
            cluster.info.name, spec.name
        );
        let load_balancers = if spec.behind_lb {
            vec![LoadBalancerRef {
                target_group_arn: format!(
                    "arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{}-tg/{}",
                    spec.name,
                    self.rng.hex(16)
                ),
                container_name: spec.name.to_string(),
                container_port: spec.port,
            }]
        } else if spec.name == CLASSIC_LB_SERVICE {
            // Behind a Classic Load Balancer: the instances of the cluster are registered.
            vec![LoadBalancerRef {
                target_group_arn: crate::domain::classic_arn(&region, &account, &format!("{}-clb", spec.name)),
                container_name: spec.name.to_string(),
                container_port: 8080,
            }]
        } else {
            vec![]
        };
        let network = (cluster.launch == LaunchType::Fargate).then(|| NetworkConfig {
            subnets: cluster.azs.iter().map(|az| subnet_of(az)).collect(),
            security_groups: vec![format!("sg-0{}", self.rng.hex(16))],
            assign_public_ip: false,
        });
        let (min_healthy, max) = match spec.behavior {
            Behavior::Rolling => (100, 150),
            _ => (100, 200),
        };
        let mut sim = SimService {
            svc: Service {
                arn: service_arn,
                name: spec.name.to_string(),
                cluster_arn: cluster.info.arn.clone(),
                status: "ACTIVE".into(),
                desired: spec.desired,
                running: 0,
                pending: 0,
                launch_type: cluster.launch,
                task_definition: td_arn,
                deployments: vec![deployment],
                events: Vec::new(),
                load_balancers,
                network,
                min_healthy_percent: min_healthy,
                max_percent: max,
                created_at: Some(deployed_at - SignedDuration::from_hours(24 * 90)),
                recent_failures: 0,
                rollout: rollout(spec),
                capacity_strategy: capacity_strategy(spec, cluster.launch),
                discovery: discovery(spec, &cluster.info),
                // One service of the demo was created without ECS Exec, to show why a
                // shell is refused and how to turn it on.
                exec_enabled: spec.name != NO_EXEC_SERVICE,
            },
            behavior: spec.behavior,
            next_deploy: (spec.behavior == Behavior::Rolling).then(|| start - SignedDuration::from_secs(30)),
            next_launch: self.now,
            steady_reported: true,
            failures_since_warning: 0,
            limits: None,
            history: Default::default(),
        };
        // The European checkout deploys blue/green through CodeDeploy: a task set stands in
        // for its deployment, and ECS records no service deployments for it.
        if spec.name == "checkout-eu" {
            sim.svc.rollout = crate::domain::deploy::RolloutConfig {
                controller: "CODE_DEPLOY".into(),
                strategy: "BLUE_GREEN".into(),
                ..Default::default()
            };
            let tg = sim
                .svc
                .load_balancers
                .first()
                .map(|lb| crate::domain::metrics::target_group_name(&lb.target_group_arn).to_string())
                .unwrap_or_default();
            let previous = format!(
                "arn:aws:ecs:{region}:{account}:task-definition/{}:{}",
                spec.name,
                revision - 1
            );
            let current = sim.svc.task_definition.clone();
            let last = Self::record_code_deploys(&mut sim, &previous, &current, deployed_at);
            sim.svc.deployments[0].rollout_reason =
                format!("task set {last} · scale 100% · serves {tg} · steady state");
        } else {
            // What ECS recorded: the revision before, then the one running now.
            let previous = format!(
                "arn:aws:ecs:{region}:{account}:task-definition/{}:{}",
                spec.name,
                revision - 1
            );
            let current = sim.svc.task_definition.clone();
            let before = deployed_at - SignedDuration::from_hours(24 * 9);
            // The services on Fargate Spot moved there with their last deployment.
            let strategy = std::mem::take(&mut sim.svc.capacity_strategy);
            self.record_deployment(&mut sim, None, &previous, before, true);
            sim.svc.capacity_strategy = strategy;
            let source = sim.history.deployments.first().and_then(|d| d.to.clone());
            self.record_deployment_from(&mut sim, source, &current, deployed_at, true);
        }
        // Tasks that have been running since the deployment, or were replaced since.
        for _ in 0..spec.desired {
            let dep = sim.svc.deployments[0].id.clone();
            let created = deployed_at + SignedDuration::from_secs(self.rng.range(10, 90) as i64);
            let mut t = self.new_task(cluster, &sim, &dep);
            t.task.created_at = Some(created);
            mark_running(&mut cluster.instances, &mut t, created + SignedDuration::from_secs(25));
            mark_healthy(&mut t);
            t.next = None;
            if spec.behavior == Behavior::Failing {
                t.fragile = true;
                t.crash = Some(self.crash_fate(self.now));
            }
            cluster.tasks.push(t);
        }
        let steady_at = deployed_at + SignedDuration::from_mins(5);
        sim.svc.events.push(ServiceEvent {
            id: self.event_id(),
            created_at: Some(steady_at),
            message: format!("(service {}) has reached a steady state.", spec.name),
        });
        sim
    }

    fn task_definition(
        &mut self,
        account: &str,
        region: &str,
        spec: &ServiceSpec,
        launch: LaunchType,
        revision: u32,
        tag: &str,
    ) -> TaskDefinition {
        super::taskdefs::task_definition(self.now, account, region, spec, launch, revision, tag)
    }

    pub(super) fn deployment_id(&mut self) -> String {
        format!(
            "ecs-svc/{}",
            self.rng.range(1_000_000_000_000_000_000, 9_999_999_999_999_999_999)
        )
    }

    pub(super) fn event_id(&mut self) -> String {
        let h = self.rng.hex(32);
        format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
    }

    pub(super) fn crash_fate(&mut self, from: Timestamp) -> (Timestamp, Crash) {
        let after = self.rng.range(40, 150) as i64;
        let kind = *self.rng.pick(&[
            Crash::OutOfMemory,
            Crash::OutOfMemory,
            Crash::AppExit,
            Crash::ElbHealthCheck,
            Crash::ContainerHealthCheck,
        ]);
        (from + SignedDuration::from_secs(after), kind)
    }

    /// A new task for `service`'s deployment `dep`, placed and addressed but not yet in the cluster.
    pub(super) fn new_task(&mut self, cluster: &mut SimCluster, service: &SimService, dep: &str) -> SimTask {
        let td_arn = service
            .svc
            .deployments
            .iter()
            .find(|d| d.id == dep)
            .map_or(service.svc.task_definition.clone(), |d| d.task_definition.clone());
        let group = format!("service:{}", service.svc.name);
        let mut t = self.place_task(cluster, &td_arn, &group);
        if let Some(provider) = provider_for(cluster, service) {
            t.task.capacity_provider = Some(provider.to_string());
        }
        t.deployment = dep.to_string();
        t.fragile = service.behavior == Behavior::Failing;
        t.task.exec_enabled = service.svc.exec_enabled;
        t
    }

    /// A one-off task (RunTask), in no service.
    pub(super) fn new_one_off_task(&mut self, cluster: &mut SimCluster, td_arn: &str, group: &str) -> SimTask {
        self.place_task(cluster, td_arn, group)
    }

    /// A new task of `td_arn`, placed and addressed but not yet in the cluster.
    fn place_task(&mut self, cluster: &mut SimCluster, td_arn: &str, group: &str) -> SimTask {
        let td_arn = td_arn.to_string();
        let td = self.task_defs.get(&td_arn).cloned();
        let id = self.rng.hex(32);
        let az_index = self.rng.range(0, cluster.azs.len() as u64 - 1) as usize;
        let mut az = cluster.azs[az_index].clone();
        let fargate = cluster.launch == LaunchType::Fargate;
        let mut container_instance_arn = None;
        if !fargate {
            let mem = td
                .as_ref()
                .and_then(|t| t.memory.as_deref()?.parse().ok())
                .unwrap_or(512);
            let cpu = td.as_ref().and_then(|t| t.cpu.as_deref()?.parse().ok()).unwrap_or(256);
            if let Some(inst) = cluster
                .instances
                .iter_mut()
                .filter(|i| i.status == "ACTIVE" && i.remaining_memory >= mem && i.remaining_cpu >= cpu)
                .max_by_key(|i| (i.remaining_memory, std::cmp::Reverse(i.id.clone())))
            {
                inst.remaining_memory -= mem;
                inst.remaining_cpu -= cpu;
                inst.pending_tasks += 1;
                container_instance_arn = Some(inst.arn.clone());
                az = inst.availability_zone.clone().unwrap_or(az);
            }
        }
        let containers = td
            .as_ref()
            .map(|td| {
                td.containers
                    .iter()
                    .map(|c| container(c, image_digest(&c.image), "PENDING", "UNKNOWN", fargate, &mut self.rng))
                    .collect()
            })
            .unwrap_or_default();
        let (ip, subnet, eni) = if fargate {
            let octet = 16 * (az_index as u64 + 1) + self.rng.range(0, 15);
            (
                Some(format!("10.0.{octet}.{}", self.rng.range(4, 250))),
                Some(subnet_of(&az)),
                Some(format!("eni-0{}", self.rng.hex(16))),
            )
        } else {
            (None, None, None)
        };
        let task = Task {
            arn: format!(
                "arn:aws:ecs:{}:{}:task/{}/{id}",
                cluster.info.region,
                cluster.account_id(),
                cluster.info.name
            ),
            id,
            cluster_arn: cluster.info.arn.clone(),
            group: group.to_string(),
            task_definition: td_arn,
            last_status: if fargate { "PROVISIONING" } else { "PENDING" }.into(),
            desired_status: "RUNNING".into(),
            health: "UNKNOWN".into(),
            launch_type: cluster.launch,
            capacity_provider: (cluster.launch == LaunchType::Fargate).then(|| "FARGATE".to_string()),
            availability_zone: Some(az),
            private_ip: ip,
            subnet,
            eni,
            container_instance_arn,
            cpu: td.as_ref().and_then(|t| t.cpu.clone()),
            memory: td.as_ref().and_then(|t| t.memory.clone()),
            created_at: Some(self.now),
            started_at: None,
            stopping_at: None,
            stopped_at: None,
            stop_code: None,
            stopped_reason: None,
            containers,
            // A service's tasks take their service's (see `new_task`).
            exec_enabled: true,
        };
        let delay = self.rng.range(5, 15) as i64;
        SimTask {
            task,
            deployment: String::new(),
            next: Some(self.now + SignedDuration::from_secs(delay)),
            crash: None,
            fragile: false,
        }
    }
}

/// How a demo service rolls out: ECS rolling updates with the circuit breaker rolling back,
/// and the service's memory alarm failing a deployment too.
fn rollout(spec: &ServiceSpec) -> crate::domain::deploy::RolloutConfig {
    crate::domain::deploy::RolloutConfig {
        controller: "ECS".into(),
        strategy: "ROLLING".into(),
        circuit_breaker: Some(true),
        alarms: (spec.desired > 0).then(|| (vec![format!("{}-memory-high", spec.name)], true)),
        bake_minutes: None,
        hooks: Vec::new(),
    }
}

/// The demo's big steady Fargate services run on Fargate Spot beyond a base of two tasks on
/// Fargate, three Spot tasks to one Fargate task.
fn capacity_strategy(spec: &ServiceSpec, launch: LaunchType) -> Vec<(String, u32, u32)> {
    let spot = launch == LaunchType::Fargate
        && spec.behavior == Behavior::Steady
        && matches!(spec.name, "catalog" | "frontend");
    if spot {
        vec![("FARGATE".into(), 2, 1), ("FARGATE_SPOT".into(), 0, 3)]
    } else {
        Vec::new()
    }
}

/// Where a new task of `service` goes by its capacity provider strategy, as ECS places it:
/// the base first, then by weight. `None` for a service without one.
fn provider_for(cluster: &SimCluster, service: &SimService) -> Option<&'static str> {
    let strategy = &service.svc.capacity_strategy;
    let base = strategy
        .iter()
        .find(|(p, ..)| p == "FARGATE")
        .map_or(0, |(_, base, _)| *base);
    let weight = |name: &str| strategy.iter().find(|(p, ..)| p == name).map_or(0, |(_, _, w)| *w);
    if strategy.is_empty() {
        return None;
    }
    let on = |name: &str| {
        cluster
            .tasks
            .iter()
            .filter(|t| t.task.service_name() == Some(service.svc.name.as_str()) && t.task.desired_status == "RUNNING")
            .filter(|t| t.task.capacity_provider.as_deref() == Some(name))
            .count() as u32
    };
    let (fargate, spot) = (on("FARGATE"), on("FARGATE_SPOT"));
    if fargate < base || fargate.saturating_sub(base) * weight("FARGATE_SPOT") < spot * weight("FARGATE") {
        Some("FARGATE")
    } else {
        Some("FARGATE_SPOT")
    }
}

/// The demo's web services find each other through Service Connect (the cluster's
/// namespace) and register their tasks in Cloud Map; the EC2 workers and services without
/// a port do neither.
fn discovery(spec: &ServiceSpec, cluster: &Cluster) -> crate::domain::deploy::Discovery {
    if spec.port == 0 || !matches!(cluster.name.as_str(), "prod-web" | "eu-prod") {
        return Default::default();
    }
    let namespace = format!("{}.local", cluster.name);
    let account = crate::util::arn_account(&cluster.arn).unwrap_or_default();
    crate::domain::deploy::Discovery {
        endpoints: vec![format!(
            "http → {} · {}.{namespace}:{}",
            spec.name, spec.name, spec.port
        )],
        namespace: Some(namespace),
        registries: vec![format!(
            "arn:aws:servicediscovery:{}:{account}:service/srv-{}",
            cluster.region,
            super::history::id_of(&format!("{}/{}", cluster.name, spec.name), 16)
        )],
    }
}
