//! App Runner in the demo fleet: a storefront that deploys, a quotes API whose health
//! check fails (each deployment is rolled back), an admin service that is paused (behind a
//! VPC connector), a docs site built from a repository. Operations move through their
//! phases as App Runner's do: a deployment of a failing service rolls back.

use jiff::{SignedDuration, Timestamp};

use super::world::World;
use crate::domain::apprunner::{
    AppRunnerAction, AppRunnerService, AutoScaling, HealthCheck, Network, Operation, Source, VpcConnector,
};

/// How long each phase of an operation lasts in the demo.
const PHASE_SECS: i64 = 40;

/// A simulated service: what DescribeService says, and whether its health check fails.
#[derive(Debug, Clone)]
pub struct SimAppRunner {
    pub svc: AppRunnerService,
    pub failing: bool,
}

/// The demo's services, in an account (by name and id) and its regions.
pub fn demo(account: &str, id: &str, regions: &[&str], t0: Timestamp) -> Vec<SimAppRunner> {
    let ago = |mins: i64| t0 - SignedDuration::from_mins(mins);
    let days = |d: i64| ago(d * 1440);
    let mut n = 0;
    let mut op = |kind: &str, status: &str, started: Timestamp, secs: i64| {
        n += 1;
        Operation {
            id: format!(
                "{:08x}-5e1f-4a7b-9c2d-{:012x}",
                0x3a7c_0000u32 + n,
                0x1f00_0000_0000u64 + n as u64
            ),
            kind: kind.into(),
            status: status.into(),
            started_at: Some(started),
            ended_at: Some(started + SignedDuration::from_secs(secs)),
            updated_at: Some(started + SignedDuration::from_secs(secs)),
        }
    };
    let first = regions.first().copied().unwrap_or("us-east-1");
    let second = regions.get(1).copied().unwrap_or(first);
    let service = |name: &str, region: &str, status: &str, source: Source, operations: Vec<Operation>| {
        let sid = service_id(name);
        AppRunnerService {
            arn: format!("arn:aws:apprunner:{region}:{id}:service/{name}/{sid}"),
            id: sid.clone(),
            name: name.into(),
            account: account.into(),
            region: region.into(),
            url: Some(format!("https://{}.{region}.awsapprunner.com", &sid[..10])),
            status: status.into(),
            created_at: operations.last().and_then(|o| o.started_at),
            updated_at: operations.first().and_then(|o| o.ended_at),
            source,
            auto_deployments: true,
            cpu: "1024".into(),
            memory: "2048".into(),
            instance_role: Some(format!("arn:aws:iam::{id}:role/{name}-instance")),
            scaling: Some(AutoScaling {
                name: "DefaultConfiguration".into(),
                revision: 1,
                min_size: 1,
                max_size: 25,
                max_concurrency: 100,
            }),
            health_check: HealthCheck {
                protocol: "TCP".into(),
                path: None,
                interval: 5,
                timeout: 2,
                healthy: 1,
                unhealthy: 5,
            },
            network: Network {
                egress: "DEFAULT".into(),
                vpc_connector: None,
                public: true,
                ip: "IPV4".into(),
            },
            observability: None,
            kms_key: None,
            operations,
        }
    };
    let image = |name: &str, tag: &str, region: &str| Source::Image {
        image: format!("{id}.dkr.ecr.{region}.amazonaws.com/{name}:{tag}"),
        repository_type: "ECR".into(),
        port: Some("8080".into()),
    };
    let mut storefront = service(
        "storefront",
        first,
        "RUNNING",
        image("storefront", "2.14.1", first),
        vec![
            op("START_DEPLOYMENT", "SUCCEEDED", ago(190), 260),
            op("START_DEPLOYMENT", "SUCCEEDED", days(2), 240),
            op("CREATE_SERVICE", "SUCCEEDED", days(60), 300),
        ],
    );
    storefront.health_check = HealthCheck {
        protocol: "HTTP".into(),
        path: Some("/healthz".into()),
        interval: 10,
        timeout: 5,
        healthy: 1,
        unhealthy: 3,
    };
    storefront.scaling = Some(AutoScaling {
        name: "high-availability".into(),
        revision: 2,
        min_size: 3,
        max_size: 10,
        max_concurrency: 50,
    });
    storefront.observability = Some(format!(
        "arn:aws:apprunner:{first}:{id}:observabilityconfiguration/xray-tracing/1/0a1b2c3d"
    ));
    let quotes = service(
        "quotes-api",
        first,
        "RUNNING",
        image("quotes-api", "4.2.0", first),
        vec![
            op("START_DEPLOYMENT", "ROLLBACK_SUCCEEDED", ago(24), 410),
            op("START_DEPLOYMENT", "ROLLBACK_SUCCEEDED", ago(130), 395),
            op("START_DEPLOYMENT", "SUCCEEDED", days(3), 230),
            op("CREATE_SERVICE", "SUCCEEDED", days(45), 280),
        ],
    );
    let mut admin = service(
        "internal-admin",
        first,
        "PAUSED",
        image("internal-admin", "1.3.7", first),
        vec![
            op("PAUSE_SERVICE", "SUCCEEDED", days(1), 35),
            op("START_DEPLOYMENT", "SUCCEEDED", days(6), 220),
            op("CREATE_SERVICE", "SUCCEEDED", days(90), 310),
        ],
    );
    admin.network = Network {
        egress: "VPC".into(),
        vpc_connector: Some(VpcConnector {
            arn: format!("arn:aws:apprunner:{first}:{id}:vpcconnector/internal-vpc/1/5d6e7f8091a2b3c4"),
            name: "internal-vpc".into(),
            subnets: vec!["subnet-0a1b2c3d4e5f60718".into(), "subnet-0f1e2d3c4b5a69788".into()],
            security_groups: vec!["sg-0123456789abcdef0".into()],
        }),
        public: false,
        ip: "IPV4".into(),
    };
    admin.kms_key = Some(format!(
        "arn:aws:kms:{first}:{id}:key/6f1c2b7e-3d4a-4c5b-8e9f-0a1b2c3d4e5f"
    ));
    let mut docs = service(
        "docs-site",
        second,
        "RUNNING",
        Source::Code {
            repository: "https://github.com/acme/docs".into(),
            branch: "main".into(),
            configuration: Some("API".into()),
            runtime: Some("NODEJS_18".into()),
            port: Some("3000".into()),
        },
        vec![
            op("START_DEPLOYMENT", "SUCCEEDED", ago(55), 420),
            op("CREATE_SERVICE", "SUCCEEDED", days(120), 480),
        ],
    );
    docs.cpu = "0.25 vCPU".into();
    docs.memory = "0.5 GB".into();
    vec![
        SimAppRunner {
            svc: storefront,
            failing: false,
        },
        SimAppRunner {
            svc: quotes,
            failing: true,
        },
        SimAppRunner {
            svc: admin,
            failing: false,
        },
        SimAppRunner {
            svc: docs,
            failing: false,
        },
    ]
}

/// A service id as App Runner makes them (32 hex), stable for a name.
fn service_id(name: &str) -> String {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}{:016x}", h.rotate_left(29) ^ 0x5bd1_e995_9e37_79b9)
}

impl SimAppRunner {
    /// Move the operation in progress on, as the clock says.
    pub fn step(&mut self, now: Timestamp) {
        let failing = self.failing;
        let svc = &mut self.svc;
        let Some(op) = svc.operations.first_mut().filter(|o| o.in_progress()) else {
            return;
        };
        let since = op.updated_at.map_or(0, |t| now.duration_since(t).as_secs());
        if since < PHASE_SECS {
            return;
        }
        let deploys = op.deploys();
        match (op.status.as_str(), deploys && failing) {
            ("IN_PROGRESS", true) => {
                op.status = "ROLLBACK_IN_PROGRESS".into();
                op.updated_at = Some(now);
                return;
            }
            ("ROLLBACK_IN_PROGRESS", _) => op.status = "ROLLBACK_SUCCEEDED".into(),
            _ => op.status = "SUCCEEDED".into(),
        }
        op.ended_at = Some(now);
        op.updated_at = Some(now);
        svc.status = if op.kind == "PAUSE_SERVICE" {
            "PAUSED"
        } else {
            "RUNNING"
        }
        .into();
        svc.updated_at = Some(now);
    }

    /// Start an operation, refused in the wrong state as App Runner refuses it.
    pub fn act(&mut self, action: AppRunnerAction, now: Timestamp) -> Result<String, String> {
        let (kind, needs) = match action {
            AppRunnerAction::Deploy => ("START_DEPLOYMENT", "RUNNING"),
            AppRunnerAction::Pause => ("PAUSE_SERVICE", "RUNNING"),
            AppRunnerAction::Resume => ("RESUME_SERVICE", "PAUSED"),
        };
        if self.svc.status != needs {
            return Err(match action {
                AppRunnerAction::Deploy => {
                    "InvalidRequestException: Can't start a deployment on the specified service, because it isn't in RUNNING state".into()
                }
                AppRunnerAction::Pause => {
                    "InvalidStateException: Can't pause the specified service, because it isn't in RUNNING state".into()
                }
                AppRunnerAction::Resume => {
                    "InvalidStateException: Can't resume the specified service, because it isn't in PAUSED state".into()
                }
            });
        }
        let id = format!(
            "{:08x}-6a2b-4c3d-8e4f-{:012x}",
            now.as_second() as u32,
            self.svc.operations.len()
        );
        self.svc.operations.insert(
            0,
            Operation {
                id: id.clone(),
                kind: kind.into(),
                status: "IN_PROGRESS".into(),
                started_at: Some(now),
                ended_at: None,
                updated_at: Some(now),
            },
        );
        self.svc.status = "OPERATION_IN_PROGRESS".into();
        self.svc.updated_at = Some(now);
        Ok(id)
    }
}

impl World {
    /// The App Runner services of a region of an account.
    pub fn apprunner_services(&self, account: &str, region: &str) -> Vec<AppRunnerService> {
        self.apprunner
            .iter()
            .filter(|s| s.svc.account == account && s.svc.region == region)
            .map(|s| s.svc.clone())
            .collect()
    }

    pub fn apprunner_service(&self, arn: &str) -> Result<AppRunnerService, String> {
        self.apprunner
            .iter()
            .find(|s| s.svc.arn == arn)
            .map(|s| s.svc.clone())
            .ok_or_else(|| format!("ResourceNotFoundException: Service {arn} not found"))
    }

    pub fn apprunner_act(&mut self, arn: &str, action: AppRunnerAction) -> Result<String, String> {
        let now = self.now;
        let service = self
            .apprunner
            .iter_mut()
            .find(|s| s.svc.arn == arn)
            .ok_or_else(|| format!("ResourceNotFoundException: Service {arn} not found"))?;
        service.act(action, now)
    }
}
