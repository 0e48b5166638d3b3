//! The simulated fleet at scale (`--demo-scale N`): N running tasks spread over up to
//! 200 ECS clusters and 20,000 services, and as many pods over the demo's EKS clusters, for
//! measuring bosun at fleet size rather than for looking at.
//!
//! A fleet at scale holds still: time passes (ages grow) but nothing happens, so what a
//! measurement sees is bosun's own cost, not the simulation's. Nor does it hold its tasks:
//! each service keeps what makes its tasks ([`Generated`]) and they are made, the same
//! every time, when they are read. An action on a cluster (stop a task, scale a service)
//! first makes that cluster's tasks held ones, which the action then changes as it would
//! the demo fleet's (see `world::Clusters`).

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use super::spec::{self, Behavior, ServiceSpec};
use super::world::{ACCOUNT, SimCluster, SimService, SimTask, World, image_digest};
use crate::domain::{
    Cluster, ContainerInstance, Deployment, LaunchType, LoadBalancerRef, NetworkConfig, RolloutState, Service,
    ServiceEvent, Task, TaskDefinition,
};
use crate::util::rng::Rng;

/// The most clusters a scaled fleet spreads over.
pub const MAX_CLUSTERS: usize = 200;
/// The most services a scaled fleet spreads over.
pub const MAX_SERVICES: usize = 20_000;
/// Tasks per cluster before another cluster is added (up to [`MAX_CLUSTERS`]).
const TASKS_PER_CLUSTER: usize = 500;
/// Tasks per service before another service is added (up to [`MAX_SERVICES`]).
const TASKS_PER_SERVICE: usize = 5;

const REGIONS: &[&str] = &["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];

/// What the applications of the scaled fleet run: (image, port, sidecar).
const APPS: &[(&str, u16, Option<&str>)] = &[
    ("checkout", 8080, Some(spec::DATADOG)),
    ("payments", 8443, Some(spec::ENVOY)),
    ("cart", 8080, None),
    ("catalog", 8080, None),
    ("search", 9200, None),
    ("frontend", 3000, Some(spec::FLUENT_BIT)),
    ("auth", 8080, None),
    ("api-gateway", 8080, Some(spec::ENVOY)),
    ("recommendations", 8080, None),
    ("order-processor", 0, None),
    ("email-sender", 0, None),
    ("image-resizer", 0, None),
    ("inventory-sync", 0, Some(spec::FLUENT_BIT)),
    ("notifications", 0, None),
    ("ledger-batch", 0, None),
    ("pricing", 8080, None),
];

/// How a fleet of `tasks` tasks is spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub tasks: usize,
    pub clusters: usize,
    pub services: usize,
}

impl Scale {
    /// `tasks` tasks, 500 to a cluster and 5 to a service, within the limits.
    pub fn of(tasks: usize) -> Scale {
        let tasks = tasks.max(1);
        let clusters = tasks.div_ceil(TASKS_PER_CLUSTER).clamp(1, MAX_CLUSTERS);
        let services = tasks.div_ceil(TASKS_PER_SERVICE).clamp(clusters, MAX_SERVICES);
        Scale {
            tasks,
            clusters,
            services,
        }
    }

    /// Every task in one cluster: the worst case for a single table.
    pub fn one_cluster(tasks: usize) -> Scale {
        let tasks = tasks.max(1);
        Scale {
            tasks,
            clusters: 1,
            services: tasks.div_ceil(TASKS_PER_SERVICE).clamp(1, MAX_SERVICES),
        }
    }
}

/// `n` items shared out over `k` buckets as evenly as can be: bucket `i`'s share.
fn share(n: usize, k: usize, i: usize) -> usize {
    n / k + usize::from(i < n % k)
}

/// A scaled service's running tasks, kept as what makes them rather than as tasks: the
/// world's random stream where they begin, their count, task definition, deployment and
/// time, and on EC2 the instance each was placed on. They are made again each time they
/// are read, the same every time: 100,000 tasks held in full took about 240 MiB, what
/// makes them takes a few.
pub(super) struct Generated {
    /// The random stream as it stood when the first task was made.
    rng: Rng,
    count: usize,
    td: Arc<TaskDefinition>,
    /// `service:<name>`.
    group: String,
    /// The deployment that started them.
    deployment: String,
    deployed_at: Timestamp,
    /// EC2: the index in the cluster's instances of the one each task runs on (none where
    /// none had room). Empty on Fargate.
    placement: Box<[Option<u32>]>,
}

impl Generated {
    /// How many tasks.
    pub(super) fn count(&self) -> usize {
        self.count
    }

    /// The name of the service they belong to.
    pub(super) fn service(&self) -> &str {
        self.group.strip_prefix("service:").unwrap_or(&self.group)
    }

    /// The tasks, made as they were when the world was made, in that order.
    pub(super) fn tasks<'a>(&'a self, cluster: &'a SimCluster) -> impl Iterator<Item = SimTask> + 'a {
        let mut rng = self.rng.clone();
        let digests: Vec<String> = self.td.containers.iter().map(|c| image_digest(&c.image)).collect();
        (0..self.count).map(move |i| {
            let created = self.deployed_at + SignedDuration::from_secs(rng.range(10, 3600) as i64);
            let instance = self
                .placement
                .get(i)
                .copied()
                .flatten()
                .map(|k| &cluster.instances[k as usize]);
            SimTask {
                task: scaled_task(&mut rng, cluster, &self.td, &digests, &self.group, created, instance),
                deployment: self.deployment.clone(),
                next: None,
                crash: None,
                fragile: false,
            }
        })
    }
}

/// The task definitions of a fleet at scale as it is made, shared by its services.
type TaskDefs = BTreeMap<String, Arc<TaskDefinition>>;

impl World {
    /// The demo fleet's EKS clusters beside `scale.clusters` ECS clusters of generated
    /// services and running tasks, deterministic for a seed. It holds still.
    pub fn scaled(seed: u64, start: Timestamp, scale: Scale) -> World {
        let mut world = World::new(seed, start);
        world.still = true;
        world.clusters.clear();
        let mut tds = TaskDefs::new();
        for c in 0..scale.clusters {
            let services = share(scale.services, scale.clusters, c);
            let tasks = share(scale.tasks, scale.clusters, c);
            let cluster = world.scaled_cluster(&mut tds, c, services, tasks);
            world.clusters.push(cluster);
        }
        let eks = world.kube.len();
        for (i, kube) in world.kube.iter_mut().enumerate() {
            kube.add_scaled(share(scale.tasks, eks, i), APPS.iter().map(|a| a.0).collect(), start);
        }
        world
    }

    fn scaled_cluster(&mut self, tds: &mut TaskDefs, index: usize, services: usize, tasks: usize) -> SimCluster {
        let region = REGIONS[index % REGIONS.len()];
        // One cluster in five runs on EC2 container instances, the rest on Fargate.
        let launch = if index % 5 == 4 {
            LaunchType::Ec2
        } else {
            LaunchType::Fargate
        };
        let name = format!("fleet-{index:03}");
        let arn = format!("arn:aws:ecs:{region}:{ACCOUNT}:cluster/{name}");
        let azs: Vec<String> = ["a", "b", "c"].iter().map(|z| format!("{region}{z}")).collect();
        let mut cluster = SimCluster::empty();
        cluster.info = Cluster {
            account: self.accounts[0].name.clone(),
            arn,
            name: name.clone(),
            region: region.to_string(),
            status: "ACTIVE".into(),
            active_services: 0,
            running_tasks: 0,
            pending_tasks: 0,
            container_instances: 0,
            capacity_providers: match launch {
                LaunchType::Ec2 => vec![format!("{name}-asg")],
                _ => vec!["FARGATE".into(), "FARGATE_SPOT".into()],
            },
        };
        cluster.launch = launch;
        cluster.azs = azs;
        if launch == LaunchType::Ec2 {
            // An m6i.xlarge holds 16 tasks of 256 CPU units: enough instances for all.
            let count = tasks.div_ceil(15).max(1);
            for i in 0..count {
                let instance = self.scaled_instance(&cluster, i);
                cluster.instances.push(instance);
            }
        }
        for s in 0..services {
            let n = share(tasks, services, s);
            self.scaled_service(&mut cluster, tds, index * 1000 + s, n);
        }
        cluster
    }

    fn scaled_instance(&mut self, cluster: &SimCluster, i: usize) -> ContainerInstance {
        let id = self.rng.hex(32);
        ContainerInstance {
            arn: format!(
                "arn:aws:ecs:{}:{ACCOUNT}:container-instance/{}/{id}",
                cluster.info.region, cluster.info.name
            ),
            id,
            ec2_instance_id: Some(format!("i-0{}", self.rng.hex(16))),
            status: "ACTIVE".into(),
            agent_connected: true,
            agent_version: Some("1.86.3".into()),
            instance_type: Some("m6i.xlarge".into()),
            availability_zone: Some(cluster.azs[i % cluster.azs.len()].clone()),
            running_tasks: 0,
            pending_tasks: 0,
            registered_cpu: 4096,
            remaining_cpu: 4096,
            registered_memory: 15_722,
            remaining_memory: 15_722,
            registered_at: Some(self.now - SignedDuration::from_hours(self.rng.range(24, 24 * 30) as i64)),
        }
    }

    /// The task definition of an application in a region, registered once.
    fn scaled_task_definition(
        &mut self,
        tds: &mut TaskDefs,
        region: &str,
        app: usize,
        launch: LaunchType,
    ) -> Arc<TaskDefinition> {
        let (image, port, sidecar) = APPS[app];
        // EC2 and Fargate revisions of a family differ (network mode, CPU and memory).
        let revision = if launch == LaunchType::Ec2 { 40 } else { 10 } + app as u32;
        let arn = format!("arn:aws:ecs:{region}:{ACCOUNT}:task-definition/{image}:{revision}");
        if let Some(td) = tds.get(&arn) {
            return td.clone();
        }
        // The demo fleet's own may have registered it first.
        let td = match self.task_defs.get(&arn) {
            Some(td) => td.clone(),
            None => {
                let spec = ServiceSpec {
                    name: image,
                    desired: 0,
                    behavior: Behavior::Steady,
                    image,
                    sidecar,
                    behind_lb: port != 0,
                    port,
                };
                let td = super::taskdefs::task_definition(self.now, ACCOUNT, region, &spec, launch, revision, "v2.4.1");
                self.task_defs.insert(arn.clone(), td.clone());
                td
            }
        };
        let td = Arc::new(td);
        tds.insert(arn, td.clone());
        td
    }

    fn scaled_service(&mut self, cluster: &mut SimCluster, tds: &mut TaskDefs, n: usize, tasks: usize) {
        let app = n % APPS.len();
        let region = cluster.info.region.clone();
        let td = self.scaled_task_definition(tds, &region, app, cluster.launch);
        let (image, port, _) = APPS[app];
        let name = format!("{image}-{n:05}");
        let deployed_at = self.now - SignedDuration::from_hours(self.rng.range(20, 24 * 21) as i64);
        let deployment = Deployment {
            id: self.deployment_id(),
            status: "PRIMARY".into(),
            task_definition: td.arn.clone(),
            desired: tasks as u32,
            running: tasks as u32,
            pending: 0,
            failed: 0,
            rollout_state: RolloutState::Completed,
            rollout_reason: String::new(),
            launch_type: cluster.launch,
            created_at: Some(deployed_at),
            updated_at: Some(deployed_at + SignedDuration::from_mins(4)),
        };
        let load_balancers = if port != 0 {
            vec![LoadBalancerRef {
                target_group_arn: format!(
                    "arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:targetgroup/{name}-tg/{}",
                    self.rng.hex(16)
                ),
                container_name: image.to_string(),
                container_port: port,
            }]
        } else {
            vec![]
        };
        let fargate = cluster.launch == LaunchType::Fargate;
        let network = fargate.then(|| NetworkConfig {
            subnets: cluster.azs.iter().map(|az| subnet_of(az)).collect(),
            security_groups: vec![format!("sg-0{}", self.rng.hex(16))],
            assign_public_ip: false,
        });
        let service = SimService {
            svc: Service {
                arn: format!("arn:aws:ecs:{region}:{ACCOUNT}:service/{}/{name}", cluster.info.name),
                name: name.clone(),
                cluster_arn: cluster.info.arn.clone(),
                status: "ACTIVE".into(),
                desired: tasks as u32,
                running: tasks as u32,
                pending: 0,
                launch_type: cluster.launch,
                task_definition: td.arn.clone(),
                deployments: vec![deployment],
                events: vec![ServiceEvent {
                    id: self.event_id(),
                    created_at: Some(deployed_at + SignedDuration::from_mins(5)),
                    message: format!("(service {name}) has reached a steady state."),
                }],
                load_balancers,
                network,
                min_healthy_percent: 100,
                max_percent: 200,
                created_at: Some(deployed_at - SignedDuration::from_hours(24 * 90)),
                recent_failures: 0,
                rollout: Default::default(),
                capacity_strategy: Vec::new(),
                discovery: Default::default(),
                exec_enabled: true,
            },
            behavior: Behavior::Steady,
            next_deploy: None,
            next_launch: self.now,
            steady_reported: true,
            failures_since_warning: 0,
            limits: None,
            history: Default::default(),
        };
        let group = format!("service:{name}");
        let deployment = service.svc.deployments[0].id.clone();
        // The tasks are kept as what makes them, and the world's random stream moves on
        // past them as if they had been made. Placing them takes no randomness: first fit
        // (cheaper than the demo's best fit, and as real), in the order they were made.
        let rng = self.rng.clone();
        let placement = if cluster.launch == LaunchType::Fargate {
            Box::default()
        } else {
            (0..tasks).map(|_| first_fit(&mut cluster.instances, &td)).collect()
        };
        for _ in 0..tasks * draws_per_task(&td, cluster.launch) {
            self.rng.next_u64();
        }
        cluster.generated.push(Generated {
            rng,
            count: tasks,
            td,
            group,
            deployment,
            deployed_at,
            placement,
        });
        cluster.services.push(service);
    }
}

/// The instance a task of `td` goes on, the first with room, its resources taken.
fn first_fit(instances: &mut [ContainerInstance], td: &TaskDefinition) -> Option<u32> {
    let mem: i32 = td.memory.as_deref().and_then(|m| m.parse().ok()).unwrap_or(512);
    let cpu: i32 = td.cpu.as_deref().and_then(|c| c.parse().ok()).unwrap_or(256);
    let (i, inst) = instances
        .iter_mut()
        .enumerate()
        .find(|(_, i)| i.remaining_memory >= mem && i.remaining_cpu >= cpu)?;
    inst.remaining_memory -= mem;
    inst.remaining_cpu -= cpu;
    inst.running_tasks += 1;
    Some(i as u32)
}

/// How many numbers of the random stream [`scaled_task`] and the time it is created at
/// take for a task of `td`.
fn draws_per_task(td: &TaskDefinition, launch: LaunchType) -> usize {
    // The time it was created, its id (a number a digit), its availability zone.
    let common = 1 + 32 + 1;
    if launch == LaunchType::Fargate {
        // The address (three) and the network interface's id.
        common + 3 + 16
    } else {
        // A host port for each container port.
        common + td.containers.iter().map(|c| c.ports.len()).sum::<usize>()
    }
}

/// A running task of a scaled service, from the random stream where it begins, on
/// `instance` (EC2).
fn scaled_task(
    rng: &mut Rng,
    cluster: &SimCluster,
    td: &TaskDefinition,
    digests: &[String],
    group: &str,
    created: Timestamp,
    instance: Option<&ContainerInstance>,
) -> Task {
    let id = rng.hex(32);
    let az_index = rng.range(0, cluster.azs.len() as u64 - 1) as usize;
    let fargate = cluster.launch == LaunchType::Fargate;
    let mut az = cluster.azs[az_index].clone();
    let mut container_instance_arn = None;
    if let Some(inst) = instance {
        container_instance_arn = Some(inst.arn.clone());
        az = inst.availability_zone.clone().unwrap_or(az);
    }
    let started = created + SignedDuration::from_secs(25);
    let containers = td
        .containers
        .iter()
        .zip(digests)
        .map(|(c, digest)| super::build::container(c, digest.clone(), "RUNNING", "HEALTHY", fargate, rng))
        .collect();
    let (ip, subnet, eni) = if fargate {
        let octet = 16 * (az_index as u64 + 1) + rng.range(0, 15);
        (
            Some(format!("10.{}.{octet}.{}", rng.range(0, 255), rng.range(4, 250))),
            Some(subnet_of(&az)),
            Some(format!("eni-0{}", rng.hex(16))),
        )
    } else {
        (None, None, None)
    };
    Task {
        arn: format!(
            "arn:aws:ecs:{}:{ACCOUNT}:task/{}/{id}",
            cluster.info.region, cluster.info.name
        ),
        id,
        cluster_arn: cluster.info.arn.clone(),
        group: group.to_string(),
        task_definition: td.arn.clone(),
        last_status: "RUNNING".into(),
        desired_status: "RUNNING".into(),
        health: "HEALTHY".into(),
        launch_type: cluster.launch,
        capacity_provider: None,
        availability_zone: Some(az),
        private_ip: ip,
        subnet,
        eni,
        container_instance_arn,
        cpu: td.cpu.clone(),
        memory: td.memory.clone(),
        created_at: Some(created),
        started_at: Some(started),
        stopping_at: None,
        stopped_at: None,
        stop_code: None,
        stopped_reason: None,
        containers,
        exec_enabled: true,
    }
}

/// A stable subnet id for an availability zone (as the demo fleet's).
fn subnet_of(az: &str) -> String {
    let hash = az.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    format!("subnet-0{:016x}", hash)[..24].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> Timestamp {
        "2026-11-02T09:30:00Z".parse().unwrap()
    }

    #[test]
    fn the_shape_follows_the_task_count_within_the_limits() {
        assert_eq!(
            Scale::of(1000),
            Scale {
                tasks: 1000,
                clusters: 2,
                services: 200
            }
        );
        assert_eq!(
            Scale::of(100_000),
            Scale {
                tasks: 100_000,
                clusters: 200,
                services: 20_000
            }
        );
        let huge = Scale::of(1_000_000);
        assert_eq!((huge.clusters, huge.services), (MAX_CLUSTERS, MAX_SERVICES));
        assert_eq!(Scale::of(3).clusters, 1);
    }

    #[test]
    fn a_scaled_world_has_exactly_the_tasks_asked_for_and_holds_still() {
        let scale = Scale::of(2_345);
        let mut w = World::scaled(3, start(), scale);
        let count = |w: &World| -> usize {
            w.regions()
                .iter()
                .flat_map(|r| w.ecs_clusters(&w.accounts[0].name, r))
                .map(|c| w.tasks(&c.arn, false).unwrap().len())
                .sum()
        };
        let clusters: Vec<Cluster> = w
            .regions()
            .iter()
            .flat_map(|r| w.ecs_clusters(&w.accounts[0].name, r))
            .collect();
        assert_eq!(clusters.len(), scale.clusters);
        let services: usize = clusters.iter().map(|c| w.services(&c.arn).unwrap().len()).sum();
        assert_eq!(services, scale.services);
        assert_eq!(count(&w), 2_345);
        let before = w.tasks(&clusters[0].arn, false).unwrap();
        w.advance_to(start() + SignedDuration::from_mins(30));
        assert_eq!(w.now(), start() + SignedDuration::from_mins(30));
        assert_eq!(w.tasks(&clusters[0].arn, false).unwrap(), before);
        // Deterministic for a seed.
        let again = World::scaled(3, start(), scale);
        assert_eq!(again.tasks(&clusters[0].arn, false).unwrap(), before);
    }

    #[test]
    fn ec2_clusters_place_every_task_on_an_instance() {
        let w = World::scaled(1, start(), Scale::of(2_500));
        let ec2 = w.clusters.iter().find(|c| c.launch == LaunchType::Ec2).unwrap();
        let tasks = w.tasks(&ec2.info.arn, false).unwrap();
        assert!(tasks.iter().all(|t| t.container_instance_arn.is_some()));
        let placed: u32 = ec2.instances.iter().map(|i| i.running_tasks).sum();
        assert_eq!(placed as usize, tasks.len());
        for i in &ec2.instances {
            let on = tasks
                .iter()
                .filter(|t| t.container_instance_arn.as_deref() == Some(i.arn.as_str()))
                .count();
            assert_eq!(on, i.running_tasks as usize, "{} counts its tasks", i.id);
            assert_eq!(i.registered_cpu - i.remaining_cpu, on as i32 * 256);
        }
    }

    #[test]
    fn tasks_are_made_when_read_and_the_random_stream_moves_past_them_as_if_held() {
        for launch in [LaunchType::Fargate, LaunchType::Ec2] {
            let mut w = World::scaled(2, start(), Scale::of(1));
            let index = if launch == LaunchType::Ec2 { 4 } else { 0 };
            let mut tds = TaskDefs::new();
            let mut cluster = w.scaled_cluster(&mut tds, index, APPS.len(), APPS.len() * 3);
            assert_eq!(cluster.launch, launch);
            assert!(cluster.tasks.is_empty(), "no task is held");
            let after = w.rng.clone().next_u64();
            // Made from the last service's seed, its tasks take the stream to where the
            // world's is: no more and no less than the count it skipped.
            let last = cluster.generated.last().unwrap();
            assert_eq!(last.tasks(&cluster).count(), 3);
            let mut rng = last.rng.clone();
            let digests: Vec<String> = last.td.containers.iter().map(|c| image_digest(&c.image)).collect();
            for _ in 0..3 {
                rng.range(10, 3600);
                scaled_task(&mut rng, &cluster, &last.td, &digests, "g", start(), None);
            }
            assert_eq!(rng.next_u64(), after, "{launch:?}");
            // Made twice, the same; held, the same again.
            let once: Vec<Task> = cluster.all_tasks().map(|t| t.into_owned().task).collect();
            let twice: Vec<Task> = cluster.all_tasks().map(|t| t.into_owned().task).collect();
            assert_eq!(once.len(), APPS.len() * 3);
            assert_eq!(once, twice);
            cluster.materialize();
            assert!(cluster.generated.is_empty());
            let held: Vec<Task> = cluster.tasks.iter().map(|t| t.task.clone()).collect();
            assert_eq!(held, once);
        }
    }

    #[test]
    fn an_action_holds_the_tasks_of_its_cluster_only_and_changes_them_as_before() {
        let mut w = World::scaled(4, start(), Scale::of(2_000));
        let arns: Vec<String> = w.clusters.iter().map(|c| c.info.arn.clone()).collect();
        let before: Vec<Vec<Task>> = arns.iter().map(|a| w.tasks(a, false).unwrap()).collect();
        let victim = before[1][17].clone();
        let done = w.stop_task(&arns[1], &victim.arn, "too slow").unwrap();
        assert_eq!(done.summary, format!("task {} stopping", victim.id));
        assert!(w.clusters[1].generated.is_empty() && w.clusters[1].tasks.len() == 500);
        assert!(w.clusters.iter().enumerate().all(|(i, c)| i == 1 || c.tasks.is_empty()));
        let stopped = w.tasks(&arns[1], true).unwrap();
        assert_eq!(stopped.len(), 1);
        assert_eq!(stopped[0].arn, victim.arn);
        assert_eq!(stopped[0].stopped_reason.as_deref(), Some("too slow"));
        let mut running = before[1].clone();
        running.remove(17);
        assert_eq!(w.tasks(&arns[1], false).unwrap(), running);
        for i in [0, 2, 3] {
            assert_eq!(w.tasks(&arns[i], false).unwrap(), before[i]);
        }
        let clusters = w.ecs_clusters(&w.accounts[0].name.clone(), &w.clusters[1].info.region.clone());
        assert_eq!(clusters.iter().map(|c| c.running_tasks).sum::<u32>(), 499);
        // The world holds still: the stopping task stays as it is.
        w.advance_to(start() + SignedDuration::from_mins(10));
        assert_eq!(w.tasks(&arns[1], true).unwrap(), stopped);
    }

    #[test]
    fn as_many_pods_as_tasks_made_on_the_first_read_each_on_a_node_of_the_cluster() {
        use crate::domain::kube::KubeKind;
        use crate::domain::kube::KubeList;
        let mut w = World::scaled(5, start(), Scale::of(1_234));
        let arns: Vec<String> = w.kube.iter().map(|k| k.arn().to_string()).collect();
        let demo = World::new(5, start());
        let mut pods = 0;
        let mut keys = std::collections::HashSet::new();
        for arn in &arns {
            let demo_pods = match demo.kube(arn).unwrap().list(KubeKind::Pods) {
                KubeList::Pods(p) => p.len(),
                _ => unreachable!(),
            };
            // Not made until the cluster's API is read.
            let KubeList::Pods(before) = w.kube(arn).unwrap().list(KubeKind::Pods) else {
                unreachable!()
            };
            assert_eq!(before.len(), demo_pods);
            w.make_pods(arn);
            let kube = w.kube(arn).unwrap();
            let (KubeList::Pods(after), KubeList::Nodes(nodes)) =
                (kube.list(KubeKind::Pods), kube.list(KubeKind::Nodes))
            else {
                unreachable!()
            };
            pods += after.len() - demo_pods;
            for pod in &after {
                assert!(keys.insert(pod.key.clone()), "pod {} twice", pod.key);
                if pod.phase == "Running" {
                    let node = pod.node.as_deref().unwrap();
                    assert!(
                        nodes.iter().any(|n| n.name == node),
                        "{node} of {} is not a node",
                        pod.key
                    );
                }
            }
            let names: std::collections::HashSet<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
            assert_eq!(names.len(), nodes.len(), "node names are unique");
        }
        assert_eq!(pods, 1_234);
    }
}
