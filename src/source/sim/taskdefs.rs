//! Task definitions of the simulated fleet: what a real one carries, so the task
//! definition view, its diff, the logs and the images have something true to show.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use super::spec::ServiceSpec;
use crate::domain::{ContainerDefinition, EfsVolume, LaunchType, PortMapping, TaskDefinition, Volume};

fn awslogs(region: &str, group: &str) -> (Option<String>, BTreeMap<String, String>) {
    let options = BTreeMap::from([
        ("awslogs-group".to_string(), group.to_string()),
        ("awslogs-region".to_string(), region.to_string()),
        ("awslogs-stream-prefix".to_string(), "ecs".to_string()),
    ]);
    (Some("awslogs".into()), options)
}

/// Revision `revision` of a service's task definition, its main image tagged `tag`.
pub fn task_definition(
    now: Timestamp,
    account: &str,
    region: &str,
    spec: &ServiceSpec,
    launch: LaunchType,
    revision: u32,
    tag: &str,
) -> TaskDefinition {
    let fargate = launch == LaunchType::Fargate;
    let (cpu, memory) = if fargate { (512, 1024) } else { (256, 512) };
    let name = spec.name;
    // The frontend ships its logs through FireLens: a driver bosun cannot read.
    let (log_driver, log_options) = if spec.image == "frontend" {
        (
            Some("awsfirelens".to_string()),
            BTreeMap::from([("Name".to_string(), "datadog".to_string())]),
        )
    } else {
        awslogs(region, &format!("/ecs/{name}"))
    };
    let mut environment = vec![
        ("SERVICE_NAME".to_string(), name.to_string()),
        (
            "LOG_LEVEL".to_string(),
            if revision.is_multiple_of(2) { "info" } else { "debug" }.to_string(),
        ),
        (
            "DATABASE_URL".to_string(),
            format!("postgres://{name}@{name}-db.internal:5432/{name}"),
        ),
    ];
    if revision.is_multiple_of(3) {
        environment.push(("FEATURE_FLAGS".to_string(), "new-checkout,fast-search".to_string()));
    }
    let secrets = vec![
        (
            "DB_PASSWORD".to_string(),
            format!("arn:aws:secretsmanager:{region}:{account}:secret:{name}/db-password-AbCdEf"),
        ),
        (
            "API_KEY".to_string(),
            format!("arn:aws:ssm:{region}:{account}:parameter/{name}/api-key"),
        ),
    ];
    let mut containers = vec![ContainerDefinition {
        name: name.to_string(),
        image: format!("{account}.dkr.ecr.{region}.amazonaws.com/{}:{tag}", spec.image),
        cpu: if spec.sidecar.is_some() { cpu - 128 } else { cpu },
        memory: Some(if spec.sidecar.is_some() { memory - 256 } else { memory }),
        memory_reservation: None,
        essential: true,
        ports: if spec.port == 0 {
            vec![]
        } else {
            vec![PortMapping {
                container_port: spec.port,
                host_port: if fargate { Some(spec.port) } else { Some(0) },
                protocol: "tcp".into(),
            }]
        },
        environment,
        secrets,
        command: vec![],
        log_driver,
        log_options,
        health_check: (spec.port != 0)
            .then(|| format!("CMD-SHELL curl -fs http://localhost:{}/health || exit 1", spec.port)),
    }];
    if let Some(sidecar) = spec.sidecar {
        let side = sidecar
            .rsplit('/')
            .next()
            .and_then(|s| s.split(':').next())
            .unwrap_or("sidecar");
        let (log_driver, log_options) = awslogs(region, &format!("/ecs/{name}"));
        containers.push(ContainerDefinition {
            name: side.to_string(),
            image: sidecar.to_string(),
            cpu: 128,
            memory: Some(256),
            memory_reservation: Some(128),
            essential: side != "agent",
            ports: vec![],
            environment: vec![("DD_SITE".to_string(), "datadoghq.com".to_string())],
            secrets: vec![],
            command: vec![],
            log_driver,
            log_options,
            health_check: None,
        });
    }
    // Workers that share files mount an EFS volume.
    let volumes = if matches!(spec.image, "image-resizer" | "legacy-reports") {
        vec![Volume {
            name: "shared-assets".into(),
            host_path: None,
            efs: Some(EfsVolume {
                file_system_id: "fs-0a1b2c3d4e5f60718".into(),
                root_directory: Some(format!("/{name}")),
                transit_encryption: true,
                access_point: Some("fsap-0123456789abcdef0".into()),
            }),
        }]
    } else {
        vec![]
    };
    TaskDefinition {
        arn: format!("arn:aws:ecs:{region}:{account}:task-definition/{name}:{revision}"),
        family: name.to_string(),
        revision,
        status: "ACTIVE".into(),
        task_role_arn: Some(format!("arn:aws:iam::{account}:role/{name}-task")),
        execution_role_arn: Some(format!("arn:aws:iam::{account}:role/ecsTaskExecutionRole")),
        network_mode: Some(if fargate { "awsvpc" } else { "bridge" }.into()),
        cpu: Some(cpu.to_string()),
        memory: Some(memory.to_string()),
        compatibilities: vec![if fargate { "FARGATE" } else { "EC2" }.into()],
        containers,
        volumes,
        registered_at: Some(now - SignedDuration::from_hours(24 * (60 - revision.min(59)) as i64)),
    }
}
