//! The simulated fleet at scale (`--demo-scale N`): N running tasks spread over up to
//! 200 ECS clusters and 20,000 services, and as many pods over the demo's EKS clusters, for
//! measuring bosun at fleet size rather than for looking at.
//!
//! A fleet at scale holds still: time passes (ages grow) but nothing happens, so what a
//! measurement sees is bosun's own cost, not the simulation's.

use jiff::{SignedDuration, Timestamp};

use super::spec::{self, Behavior, ServiceSpec};
use super::world::{ACCOUNT, SimCluster, SimService, SimTask, World, image_digest};
use crate::domain::{
    Cluster, Container, ContainerInstance, Deployment, LaunchType, LoadBalancerRef, NetworkConfig, RolloutState,
    Service, ServiceEvent, Task, TaskDefinition,
};

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

impl World {
    /// The demo fleet's EKS clusters beside `scale.clusters` ECS clusters of generated
    /// services and running tasks, deterministic for a seed. It holds still.
    pub fn scaled(seed: u64, start: Timestamp, scale: Scale) -> World {
        let mut world = World::new(seed, start);
        world.still = true;
        world.clusters.clear();
        for c in 0..scale.clusters {
            let services = share(scale.services, scale.clusters, c);
            let tasks = share(scale.tasks, scale.clusters, c);
            let cluster = world.scaled_cluster(c, services, tasks);
            world.clusters.push(cluster);
        }
        let eks = world.kube.len();
        for (i, kube) in world.kube.iter_mut().enumerate() {
            kube.add_scaled(share(scale.tasks, eks, i), APPS.iter().map(|a| a.0).collect(), start);
        }
        world
    }

    fn scaled_cluster(&mut self, index: usize, services: usize, tasks: usize) -> SimCluster {
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
            self.scaled_service(&mut cluster, index * 1000 + s, n);
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
    fn scaled_task_definition(&mut self, region: &str, app: usize, launch: LaunchType) -> TaskDefinition {
        let (image, port, sidecar) = APPS[app];
        // EC2 and Fargate revisions of a family differ (network mode, CPU and memory).
        let revision = if launch == LaunchType::Ec2 { 40 } else { 10 } + app as u32;
        let arn = format!("arn:aws:ecs:{region}:{ACCOUNT}:task-definition/{image}:{revision}");
        if let Some(td) = self.task_defs.get(&arn) {
            return td.clone();
        }
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
        self.task_defs.insert(arn, td.clone());
        td
    }

    fn scaled_service(&mut self, cluster: &mut SimCluster, n: usize, tasks: usize) {
        let app = n % APPS.len();
        let region = cluster.info.region.clone();
        let td = self.scaled_task_definition(&region, app, cluster.launch);
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
            },
            behavior: Behavior::Steady,
            next_deploy: None,
            next_launch: self.now,
            steady_reported: true,
            failures_since_warning: 0,
            limits: None,
        };
        let group = format!("service:{name}");
        let dep = service.svc.deployments[0].id.clone();
        for _ in 0..tasks {
            let created = deployed_at + SignedDuration::from_secs(self.rng.range(10, 3600) as i64);
            let task = self.scaled_task(cluster, &td, &group, created);
            cluster.tasks.push(SimTask {
                task,
                deployment: dep.clone(),
                next: None,
                crash: None,
                fragile: false,
            });
        }
        cluster.services.push(service);
    }

    fn scaled_task(&mut self, cluster: &mut SimCluster, td: &TaskDefinition, group: &str, created: Timestamp) -> Task {
        let id = self.rng.hex(32);
        let az_index = self.rng.range(0, cluster.azs.len() as u64 - 1) as usize;
        let fargate = cluster.launch == LaunchType::Fargate;
        let mut az = cluster.azs[az_index].clone();
        let mut container_instance_arn = None;
        if !fargate {
            let mem: i32 = td.memory.as_deref().and_then(|m| m.parse().ok()).unwrap_or(512);
            let cpu: i32 = td.cpu.as_deref().and_then(|c| c.parse().ok()).unwrap_or(256);
            // Fill instances in order: cheaper than the demo's best fit, and as real.
            if let Some(inst) = cluster
                .instances
                .iter_mut()
                .find(|i| i.remaining_memory >= mem && i.remaining_cpu >= cpu)
            {
                inst.remaining_memory -= mem;
                inst.remaining_cpu -= cpu;
                inst.running_tasks += 1;
                container_instance_arn = Some(inst.arn.clone());
                az = inst.availability_zone.clone().unwrap_or(az);
            }
        }
        let started = created + SignedDuration::from_secs(25);
        let containers = td
            .containers
            .iter()
            .map(|c| Container {
                name: c.name.clone(),
                image: c.image.clone(),
                image_digest: Some(image_digest(&c.image)),
                last_status: "RUNNING".into(),
                exit_code: None,
                reason: None,
                health: "HEALTHY".into(),
                cpu: Some(c.cpu.to_string()),
                memory: c.memory.map(|m| m.to_string()),
                bindings: if fargate {
                    vec![]
                } else {
                    c.ports
                        .iter()
                        .map(|p| (p.container_port, 32768 + self.rng.range(0, 28000) as u16))
                        .collect()
                },
            })
            .collect();
        let (ip, subnet, eni) = if fargate {
            let octet = 16 * (az_index as u64 + 1) + self.rng.range(0, 15);
            (
                Some(format!(
                    "10.{}.{octet}.{}",
                    self.rng.range(0, 255),
                    self.rng.range(4, 250)
                )),
                Some(subnet_of(&az)),
                Some(format!("eni-0{}", self.rng.hex(16))),
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
        }
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
        assert!(ec2.tasks.iter().all(|t| t.task.container_instance_arn.is_some()));
        let placed: u32 = ec2.instances.iter().map(|i| i.running_tasks).sum();
        assert_eq!(placed as usize, ec2.tasks.len());
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
