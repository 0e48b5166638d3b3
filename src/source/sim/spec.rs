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
    /// Which of the demo's accounts it is in (see [`DEMO_ACCOUNTS`]).
    pub account: usize,
    pub name: String,
    pub region: &'static str,
    pub launch: LaunchType,
    /// Container instances to register (EC2 clusters).
    pub instances: u32,
    pub services: Vec<ServiceSpec>,
}

pub struct EksSpec {
    pub account: usize,
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

/// The demo's accounts, as an organization names them: production, staging and a data
/// platform, then teams of their own when more are asked for (`--demo-accounts N`).
pub const DEMO_ACCOUNTS: &[(&str, &str)] = &[
    ("shop-prod", "123456789012"),
    ("shop-staging", "210987654321"),
    ("data-platform", "345678901234"),
    ("identity-prod", "456789012345"),
    ("payments-prod", "567890123456"),
    ("search-prod", "678901234567"),
    ("ml-research", "789012345678"),
    ("analytics-prod", "890123456789"),
    ("edge-prod", "901234567890"),
    ("sandbox", "112233445566"),
];

/// The name and id of the demo's `i`th account.
pub fn demo_account(i: usize) -> (String, String) {
    match DEMO_ACCOUNTS.get(i) {
        Some((name, id)) => (name.to_string(), id.to_string()),
        None => (
            format!("team-{:02}", i + 1),
            format!("{:012}", 400_000_000_000u64 + i as u64 * 1_000_003),
        ),
    }
}

/// The demo fleet over `accounts` accounts: four ECS clusters in two regions and two EKS
/// clusters in the first three (all in one when there is one), and one small cluster of its
/// own in each account past the third.
pub fn demo_fleet(accounts: usize) -> (Vec<ClusterSpec>, Vec<EksSpec>) {
    let (mut clusters, mut eks) = demo_base();
    let last = accounts.max(1) - 1;
    for c in &mut clusters {
        c.account = c.account.min(last);
    }
    for e in &mut eks {
        e.account = e.account.min(last);
    }
    for account in 3..accounts {
        clusters.push(ClusterSpec {
            account,
            name: format!("{}-apps", demo_account(account).0.trim_end_matches("-prod")),
            region: if account % 2 == 0 { "us-east-1" } else { "eu-west-1" },
            launch: LaunchType::Fargate,
            instances: 0,
            services: vec![
                svc("api", 2, "api-gateway", 8080),
                svc("worker", 1, "order-processor", 0),
            ],
        });
    }
    (clusters, eks)
}

/// The demo's own clusters, each in its account.
fn demo_base() -> (Vec<ClusterSpec>, Vec<EksSpec>) {
    let clusters = vec![
        ClusterSpec {
            account: 0,
            name: "prod-web".into(),
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
            account: 0,
            name: "prod-workers".into(),
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
            account: 0,
            name: "eu-prod".into(),
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
            account: 1,
            name: "staging".into(),
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
            account: 0,
            name: "platform-k8s",
            region: "us-east-1",
            version: "1.31",
        },
        EksSpec {
            account: 2,
            name: "data-k8s",
            region: "eu-west-1",
            version: "1.30",
        },
    ];
    (clusters, eks)
}
