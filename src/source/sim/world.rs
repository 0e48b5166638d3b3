//! The simulated world: clusters, services, tasks and instances that live and change as
//! simulated time moves, one second per step, deterministically for a seed.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use super::spec::{self, Behavior, ClusterSpec, ServiceSpec};
use crate::domain::{
    Cluster, Container, ContainerInstance, Deployment, EksCluster, LaunchType, LoadBalancerRef, NetworkConfig,
    RolloutState, Service, ServiceEvent, Task, TaskDefinition,
};
use crate::util::rng::Rng;

pub const ACCOUNT: &str = "123456789012";
/// How long simulated history runs before the world is shown.
pub const WARM_UP_SECS: i64 = 20 * 60;
/// ECS keeps a stopped task visible for about an hour.
pub(super) const STOPPED_RETENTION_SECS: i64 = 3600;
/// A world that fell further behind than this (a laptop asleep) jumps instead of replaying.
const MAX_CATCH_UP_STEPS: i64 = 3600;

/// Why a simulated task dies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crash {
    OutOfMemory,
    AppExit,
    ElbHealthCheck,
    ContainerHealthCheck,
}

pub(super) struct SimTask {
    pub task: Task,
    /// The deployment that started it.
    pub deployment: String,
    /// When the task moves to its next state.
    pub next: Option<Timestamp>,
    /// When and how a running task dies, for tasks of a failing service.
    pub crash: Option<(Timestamp, Crash)>,
    /// Started by a failing service: it will crash once running.
    pub fragile: bool,
}

impl SimTask {
    pub(super) fn is_serving(&self) -> bool {
        self.task.desired_status == "RUNNING" && self.task.last_status == "RUNNING" && self.task.health == "HEALTHY"
    }
}

pub(super) struct SimService {
    pub svc: Service,
    pub behavior: Behavior,
    pub next_deploy: Option<Timestamp>,
    pub next_launch: Timestamp,
    pub steady_reported: bool,
    /// Tasks that failed since the service last said it cannot start tasks.
    pub failures_since_warning: u32,
    /// Application Auto Scaling min / max, once registered.
    pub limits: Option<(u32, u32)>,
}

pub(super) struct SimCluster {
    pub info: Cluster,
    pub launch: LaunchType,
    pub services: Vec<SimService>,
    pub tasks: Vec<SimTask>,
    pub instances: Vec<ContainerInstance>,
    pub azs: Vec<String>,
}

impl SimCluster {
    /// A stand-in while the real one is taken out of the world to be worked on.
    pub(super) fn empty() -> Self {
        SimCluster {
            info: Cluster {
                arn: String::new(),
                name: String::new(),
                region: String::new(),
                status: String::new(),
                active_services: 0,
                running_tasks: 0,
                pending_tasks: 0,
                container_instances: 0,
                capacity_providers: Vec::new(),
            },
            launch: LaunchType::Unknown,
            services: Vec::new(),
            tasks: Vec::new(),
            instances: Vec::new(),
            azs: Vec::new(),
        }
    }
}

pub struct World {
    pub(super) now: Timestamp,
    pub(super) rng: Rng,
    pub(super) clusters: Vec<SimCluster>,
    pub(super) eks: Vec<EksCluster>,
    /// The inside of each EKS cluster, in the order of `eks`.
    pub(super) kube: Vec<super::kube::SimKube>,
    pub(super) task_defs: BTreeMap<String, TaskDefinition>,
    /// RunTask client tokens already answered, with the tasks they started.
    pub(super) run_tokens: std::collections::HashMap<String, Vec<String>>,
    /// Time passes but nothing happens (the fleet at scale, see `scale`).
    pub(super) still: bool,
}

impl World {
    /// The demo fleet for `seed`, with twenty minutes of history behind `start`.
    pub fn new(seed: u64, start: Timestamp) -> Self {
        let t0 = start - SignedDuration::from_secs(WARM_UP_SECS);
        let (clusters, eks) = spec::demo_fleet();
        let mut world = World {
            now: t0,
            rng: Rng::new(seed),
            clusters: Vec::new(),
            eks: eks
                .iter()
                .map(|e| EksCluster {
                    arn: format!("arn:aws:eks:{}:{ACCOUNT}:cluster/{}", e.region, e.name),
                    name: e.name.to_string(),
                    region: e.region.to_string(),
                    status: "ACTIVE".into(),
                    version: e.version.to_string(),
                    platform_version: Some(format!("eks.{}", 12)),
                    endpoint: Some(format!(
                        "https://{}.gr7.{}.eks.amazonaws.com",
                        e.name.to_uppercase().replace('-', ""),
                        e.region
                    )),
                    public_access: false,
                    private_access: true,
                    created_at: Some(t0 - SignedDuration::from_hours(24 * 200)),
                })
                .collect(),
            kube: Vec::new(),
            task_defs: BTreeMap::new(),
            run_tokens: Default::default(),
            still: false,
        };
        world.kube = world
            .eks
            .iter()
            .enumerate()
            .map(|(i, c)| super::kube::SimKube::new(&c.arn, &c.name, &c.region, seed.wrapping_add(i as u64), t0))
            .collect();
        for spec in &clusters {
            let cluster = world.build_cluster(spec, start);
            world.clusters.push(cluster);
        }
        world.advance_to(start);
        world
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Run the world forward, one second a step, until `t`.
    pub fn advance_to(&mut self, t: Timestamp) {
        let behind = t.duration_since(self.now).as_secs();
        if behind <= 0 {
            return;
        }
        if self.still {
            self.now = t;
            return;
        }
        if behind > MAX_CATCH_UP_STEPS {
            self.now = t - SignedDuration::from_secs(MAX_CATCH_UP_STEPS);
        }
        while self.now < t {
            self.step();
        }
    }

    pub fn regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = self.clusters.iter().map(|c| c.info.region.clone()).collect();
        regions.extend(self.eks.iter().map(|c| c.region.clone()));
        regions.sort();
        regions.dedup();
        regions
    }

    // ---- generation -------------------------------------------------------------------

    fn build_cluster(&mut self, spec: &ClusterSpec, start: Timestamp) -> SimCluster {
        let arn = format!("arn:aws:ecs:{}:{ACCOUNT}:cluster/{}", spec.region, spec.name);
        let azs: Vec<String> = ["a", "b", "c"].iter().map(|z| format!("{}{z}", spec.region)).collect();
        let capacity_providers = match spec.launch {
            LaunchType::Ec2 => vec![format!("{}-asg", spec.name)],
            _ => vec!["FARGATE".into(), "FARGATE_SPOT".into()],
        };
        let mut cluster = SimCluster {
            info: Cluster {
                arn: arn.clone(),
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
            instances: Vec::new(),
            azs,
        };
        for i in 0..spec.instances {
            let id = self.rng.hex(32);
            let az = cluster.azs[i as usize % cluster.azs.len()].clone();
            let registered_at = self.now - SignedDuration::from_hours(self.rng.range(24, 24 * 30) as i64);
            cluster.instances.push(ContainerInstance {
                arn: format!(
                    "arn:aws:ecs:{}:{ACCOUNT}:container-instance/{}/{id}",
                    spec.region, spec.name
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
        let revision = self.rng.range(3, 60) as u32;
        let major = self.rng.range(1, 4);
        let minor = self.rng.range(0, 30);
        let patch = self.rng.range(0, 9);
        // The previous revision exists too: history, and a target for a rollback.
        for (rev, p) in [(revision - 1, patch.saturating_sub(1)), (revision, patch)] {
            let td = self.task_definition(&region, spec, cluster.launch, rev, &format!("v{major}.{minor}.{p}"));
            self.task_defs.insert(td.arn.clone(), td);
        }
        let td_arn = format!(
            "arn:aws:ecs:{region}:{ACCOUNT}:task-definition/{}:{revision}",
            spec.name
        );
        let deployed_at = self.now - SignedDuration::from_hours(self.rng.range(20, 24 * 21) as i64);
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
            "arn:aws:ecs:{region}:{ACCOUNT}:service/{}/{}",
            cluster.info.name, spec.name
        );
        let load_balancers = if spec.behind_lb {
            vec![LoadBalancerRef {
                target_group_arn: format!(
                    "arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:targetgroup/{}-tg/{}",
                    spec.name,
                    self.rng.hex(16)
                ),
                container_name: spec.name.to_string(),
                container_port: spec.port,
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
            },
            behavior: spec.behavior,
            next_deploy: (spec.behavior == Behavior::Rolling).then(|| start - SignedDuration::from_secs(30)),
            next_launch: self.now,
            steady_reported: true,
            failures_since_warning: 0,
            limits: None,
        };
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
        region: &str,
        spec: &ServiceSpec,
        launch: LaunchType,
        revision: u32,
        tag: &str,
    ) -> TaskDefinition {
        super::taskdefs::task_definition(self.now, region, spec, launch, revision, tag)
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
        t.deployment = dep.to_string();
        t.fragile = service.behavior == Behavior::Failing;
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
                    .map(|c| Container {
                        name: c.name.clone(),
                        image: c.image.clone(),
                        image_digest: Some(image_digest(&c.image)),
                        last_status: "PENDING".into(),
                        exit_code: None,
                        reason: None,
                        health: "UNKNOWN".into(),
                        cpu: Some(c.cpu.to_string()),
                        memory: c.memory.map(|m| m.to_string()),
                        // Bridge networking: each container port gets a dynamic host port.
                        bindings: if fargate {
                            vec![]
                        } else {
                            c.ports
                                .iter()
                                .map(|p| (p.container_port, 32768 + self.rng.range(0, 28000) as u16))
                                .collect()
                        },
                    })
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
                "arn:aws:ecs:{}:{ACCOUNT}:task/{}/{id}",
                cluster.info.region, cluster.info.name
            ),
            id,
            cluster_arn: cluster.info.arn.clone(),
            group: group.to_string(),
            task_definition: td_arn,
            last_status: if fargate { "PROVISIONING" } else { "PENDING" }.into(),
            desired_status: "RUNNING".into(),
            health: "UNKNOWN".into(),
            launch_type: cluster.launch,
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

    // ---- reads ------------------------------------------------------------------------

    pub fn ecs_clusters(&self, region: &str) -> Vec<Cluster> {
        self.clusters
            .iter()
            .filter(|c| c.info.region == region)
            .map(|c| {
                let mut info = c.info.clone();
                info.active_services = c.services.iter().filter(|s| s.svc.status == "ACTIVE").count() as u32;
                info.running_tasks = c.tasks.iter().filter(|t| t.task.last_status == "RUNNING").count() as u32;
                info.pending_tasks = c
                    .tasks
                    .iter()
                    .filter(|t| matches!(t.task.last_status.as_str(), "PROVISIONING" | "PENDING" | "ACTIVATING"))
                    .count() as u32;
                info.container_instances = c.instances.len() as u32;
                info
            })
            .collect()
    }

    /// The inside of an EKS cluster, by ARN or name.
    pub fn kube(&self, cluster: &str) -> Result<&super::kube::SimKube, crate::domain::FetchError> {
        self.kube
            .iter()
            .find(|k| k.arn() == cluster || crate::util::arn_tail(k.arn()) == cluster)
            .ok_or_else(|| {
                crate::domain::FetchError::new(
                    crate::domain::ErrorKind::NotFound,
                    format!(
                        "ResourceNotFoundException: No cluster found for name: {}.",
                        crate::util::arn_tail(cluster)
                    ),
                )
            })
    }

    /// Make the pods a fleet at scale left for the first read of `cluster`'s API.
    pub fn make_pods(&mut self, cluster: &str) {
        let _ = self.kube_mut(cluster);
    }

    /// The inside of an EKS cluster to change, its pods all made.
    pub fn kube_mut(&mut self, cluster: &str) -> Result<&mut super::kube::SimKube, String> {
        let kube = self
            .kube
            .iter_mut()
            .find(|k| k.arn() == cluster || crate::util::arn_tail(k.arn()) == cluster)
            .ok_or_else(|| {
                format!(
                    "ResourceNotFoundException: No cluster found for name: {}.",
                    crate::util::arn_tail(cluster)
                )
            })?;
        kube.make_pending();
        Ok(kube)
    }

    pub fn eks_clusters(&self, region: &str) -> Vec<EksCluster> {
        self.eks.iter().filter(|c| c.region == region).cloned().collect()
    }

    pub(super) fn cluster(&self, arn: &str) -> Option<&SimCluster> {
        self.clusters.iter().find(|c| c.info.arn == arn || c.info.name == arn)
    }

    pub fn services(&self, cluster: &str) -> Option<Vec<Service>> {
        Some(self.cluster(cluster)?.services.iter().map(|s| s.svc.clone()).collect())
    }

    pub fn tasks(&self, cluster: &str, stopped: bool) -> Option<Vec<Task>> {
        let want = if stopped { "STOPPED" } else { "RUNNING" };
        Some(
            self.cluster(cluster)?
                .tasks
                .iter()
                .filter(|t| t.task.desired_status == want)
                .map(|t| t.task.clone())
                .collect(),
        )
    }

    pub fn container_instances(&self, cluster: &str) -> Option<Vec<ContainerInstance>> {
        Some(self.cluster(cluster)?.instances.clone())
    }

    /// ACTIVE revisions of a family, newest first.
    pub fn revisions(&self, family: &str) -> Vec<String> {
        let mut list: Vec<&TaskDefinition> = self
            .task_defs
            .values()
            .filter(|t| t.family == family && t.status == "ACTIVE")
            .collect();
        list.sort_by_key(|t| std::cmp::Reverse(t.revision));
        list.into_iter().map(|t| t.arn.clone()).collect()
    }

    pub fn task_definition_of(&self, arn: &str) -> Option<TaskDefinition> {
        self.task_defs
            .get(arn)
            .or_else(|| {
                // `family:revision` works as well as an ARN, as it does in ECS.
                self.task_defs
                    .values()
                    .find(|td| format!("{}:{}", td.family, td.revision) == arn)
            })
            .cloned()
    }
}

/// The task has started: its containers run and its instance counts it as running.
pub(super) fn mark_running(instances: &mut [ContainerInstance], t: &mut SimTask, at: Timestamp) {
    t.task.last_status = "RUNNING".into();
    t.task.started_at = Some(at);
    for c in &mut t.task.containers {
        c.last_status = "RUNNING".into();
    }
    if let Some(inst) = instance_of(instances, &t.task) {
        inst.pending_tasks = inst.pending_tasks.saturating_sub(1);
        inst.running_tasks += 1;
    }
}

pub(super) fn mark_healthy(t: &mut SimTask) {
    t.task.health = "HEALTHY".into();
    for c in &mut t.task.containers {
        c.health = "HEALTHY".into();
    }
}

pub(super) fn instance_of<'a>(
    instances: &'a mut [ContainerInstance],
    task: &Task,
) -> Option<&'a mut ContainerInstance> {
    let arn = task.container_instance_arn.as_deref()?;
    instances.iter_mut().find(|i| i.arn == arn)
}

/// The digest an image tag points at: stable, so the registry and the tasks agree.
pub(super) fn image_digest(image: &str) -> String {
    let mut out = String::from("sha256:");
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for round in 0..4u64 {
        for b in image.bytes().chain(round.to_le_bytes()) {
            h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

/// A stable subnet id for an availability zone.
fn subnet_of(az: &str) -> String {
    let hash = az.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    format!("subnet-0{:016x}", hash)[..24].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn start() -> Timestamp {
        "2026-11-02T09:30:00Z".parse().unwrap()
    }

    #[test]
    fn a_seed_makes_the_same_world() {
        let a = World::new(7, start());
        let b = World::new(7, start());
        let c = World::new(8, start());
        let arns =
            |w: &World| -> Vec<String> { w.tasks("prod-web", false).unwrap().into_iter().map(|t| t.arn).collect() };
        assert_eq!(arns(&a), arns(&b));
        assert_ne!(arns(&a), arns(&c));
    }

    #[test]
    fn the_demo_fleet_has_the_promised_shape() {
        let w = World::new(1, start());
        let regions = w.regions();
        assert!(regions.len() >= 2);
        let ecs: Vec<Cluster> = regions.iter().flat_map(|r| w.ecs_clusters(r)).collect();
        assert!(ecs.len() >= 3);
        let eks: Vec<EksCluster> = regions.iter().flat_map(|r| w.eks_clusters(r)).collect();
        assert!(eks.len() >= 2);
        let services: Vec<Service> = ecs.iter().flat_map(|c| w.services(&c.arn).unwrap()).collect();
        assert!(services.len() >= 20);
        assert!(services.iter().any(|s| s.desired == 0 && s.running == 0));
        assert!(ecs.iter().any(|c| c.container_instances > 0));
        let launch: Vec<LaunchType> = services.iter().map(|s| s.launch_type).collect();
        assert!(launch.contains(&LaunchType::Ec2) && launch.contains(&LaunchType::Fargate));
    }

    #[test]
    fn the_rolling_service_progresses_and_completes() {
        let mut w = World::new(1, start());
        let checkout = |w: &World| {
            w.services("prod-web")
                .unwrap()
                .into_iter()
                .find(|s| s.name == "checkout")
                .unwrap()
        };
        let s = checkout(&w);
        assert_eq!(s.deployments.len(), 2, "a rollout is under way at start");
        assert_eq!(s.rollout(), RolloutState::InProgress);
        let before = s.primary().unwrap().running;
        w.advance_to(start() + SignedDuration::from_secs(90));
        let mid = checkout(&w);
        assert!(
            mid.primary().unwrap().running > before,
            "new tasks come up: {before} -> {mid:?}"
        );
        assert!(
            mid.running <= mid.desired * mid.max_percent / 100,
            "within maximum percent"
        );
        w.advance_to(start() + SignedDuration::from_mins(3));
        let done = checkout(&w);
        assert_eq!(done.deployments.len(), 1);
        assert_eq!(done.rollout(), RolloutState::Completed);
        assert_eq!(done.running, done.desired);
        assert!(done.events[0].message.contains("steady state") || done.events[0].message.contains("completed"));
    }

    #[test]
    fn the_failing_service_stops_tasks_with_reasons_and_replaces_them() {
        let w = World::new(1, start());
        let stopped = w.tasks("prod-web", true).unwrap();
        let payments: Vec<&Task> = stopped.iter().filter(|t| t.group == "service:payments").collect();
        assert!(payments.len() >= 3, "twenty minutes of crashes leave stopped tasks");
        for t in &payments {
            assert!(t.stopped_reason.is_some());
            assert!(t.stop_code.is_some());
        }
        assert!(payments.iter().any(|t| t.exit_code() == Some(137)));
        let running = w.tasks("prod-web", false).unwrap();
        assert!(
            running.iter().any(|t| t.group == "service:payments"),
            "replacements started"
        );
    }

    #[test]
    fn ec2_tasks_are_placed_on_instances_and_use_their_resources() {
        let w = World::new(1, start());
        let instances = w.container_instances("prod-workers").unwrap();
        let tasks = w.tasks("prod-workers", false).unwrap();
        assert!(tasks.iter().all(|t| t.container_instance_arn.is_some()));
        let used: i32 = instances.iter().map(|i| i.registered_memory - i.remaining_memory).sum();
        assert_eq!(used, tasks.len() as i32 * 512);
        let running: u32 = instances.iter().map(|i| i.running_tasks + i.pending_tasks).sum();
        assert_eq!(running as usize, tasks.len());
    }

    #[test]
    fn stopped_tasks_age_out_after_an_hour() {
        let mut w = World::new(1, start());
        w.advance_to(start() + SignedDuration::from_mins(90));
        let now = w.now();
        for t in w.tasks("prod-web", true).unwrap() {
            if let Some(at) = t.stopped_at {
                assert!(now.duration_since(at).as_secs() <= STOPPED_RETENTION_SECS);
            }
        }
    }
}
