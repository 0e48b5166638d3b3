//! The shape of the demo fleet: which clusters, services and task definitions exist.

use crate::domain::LaunchType;

/// What a simulated service does over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behavior {
    /// Runs its tasks; now and then one is replaced.
    Steady,
    /// Rolls a new task definition revision every few minutes.
    Rolling,
    /// Its tasks crash and are replaced.
    Failing,
}

pub struct ServiceSpec {
    pub name: &'static str,
    pub desired: u32,
    pub behavior: Behavior,
    pub image: &'static str,
    pub sidecar: Option<&'static str>,
    pub behind_lb: bool,
    pub port: u16,
}

pub struct ClusterSpec {
    pub name: &'static str,
    pub region: &'static str,
    pub launch: LaunchType,
    /// Container instances to register (EC2 clusters).
    pub instances: u32,
    pub services: Vec<ServiceSpec>,
}

pub struct EksSpec {
    pub name: &'static str,
    pub region: &'static str,
    pub version: &'static str,
}

const fn svc(name: &'static str, desired: u32, image: &'static str, port: u16) -> ServiceSpec {
    ServiceSpec {
        name,
        desired,
        behavior: Behavior::Steady,
        image,
        sidecar: None,
        behind_lb: port != 0,
        port,
    }
}

impl ServiceSpec {
    const fn behaving(mut self, behavior: Behavior) -> Self {
        self.behavior = behavior;
        self
    }

    const fn with_sidecar(mut self, sidecar: &'static str) -> Self {
        self.sidecar = Some(sidecar);
        self
    }
}

pub const ENVOY: &str = "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod";
pub const FLUENT_BIT: &str = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2";
pub const DATADOG: &str = "public.ecr.aws/datadog/agent:7.57.2";

/// The demo fleet: four ECS clusters in two regions and two EKS clusters.
pub fn demo_fleet() -> (Vec<ClusterSpec>, Vec<EksSpec>) {
    let clusters = vec![
        ClusterSpec {
            name: "prod-web",
            region: "us-east-1",
            launch: LaunchType::Fargate,
            instances: 0,
            services: vec![
                svc("checkout", 6, "checkout", 8080)
                    .behaving(Behavior::Rolling)
                    .with_sidecar(DATADOG),
                svc("payments", 4, "payments", 8443)
                    .behaving(Behavior::Failing)
                    .with_sidecar(ENVOY),
                svc("cart", 4, "cart", 8080),
                svc("catalog", 6, "catalog", 8080).with_sidecar(DATADOG),
                svc("search", 3, "search", 9200),
                svc("frontend", 8, "frontend", 3000).with_sidecar(FLUENT_BIT),
                svc("auth", 3, "auth", 8080),
                svc("api-gateway", 4, "api-gateway", 8080).with_sidecar(ENVOY),
                svc("recommendations", 2, "recommendations", 8080),
            ],
        },
        ClusterSpec {
            name: "prod-workers",
            region: "us-east-1",
            launch: LaunchType::Ec2,
            instances: 5,
            services: vec![
                svc("order-processor", 4, "order-processor", 0),
                svc("email-sender", 2, "email-sender", 0),
                svc("image-resizer", 3, "image-resizer", 0),
                svc("legacy-reports", 0, "legacy-reports", 0),
                svc("inventory-sync", 2, "inventory-sync", 0).with_sidecar(FLUENT_BIT),
                svc("notifications", 2, "notifications", 0),
                svc("ledger-batch", 1, "ledger-batch", 0),
            ],
        },
        ClusterSpec {
            name: "eu-prod",
            region: "eu-west-1",
            launch: LaunchType::Fargate,
            instances: 0,
            services: vec![
                svc("checkout-eu", 4, "checkout", 8080).with_sidecar(DATADOG),
                svc("cart-eu", 3, "cart", 8080),
                svc("catalog-eu", 4, "catalog", 8080),
                svc("search-eu", 2, "search", 9200),
                svc("auth-eu", 2, "auth", 8080),
            ],
        },
        ClusterSpec {
            name: "staging",
            region: "eu-west-1",
            launch: LaunchType::Fargate,
            instances: 0,
            services: vec![
                svc("web-staging", 1, "frontend", 3000),
                svc("api-staging", 1, "api-gateway", 8080),
                svc("worker-staging", 1, "order-processor", 0),
            ],
        },
    ];
    let eks = vec![
        EksSpec {
            name: "platform-k8s",
            region: "us-east-1",
            version: "1.31",
        },
        EksSpec {
            name: "data-k8s",
            region: "eu-west-1",
            version: "1.30",
        },
    ];
    (clusters, eks)
}
