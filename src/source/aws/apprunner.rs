//! App Runner services: ListServices, then DescribeService and the latest operations
//! (ListOperations) of each; their auto scaling configurations and VPC connectors, which
//! are immutable per revision, once each.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_sdk_apprunner::types as ar;

use super::error::{Call, Who};
use super::timestamp;
use crate::domain::FetchError;
use crate::domain::apprunner::{AppRunnerService, AutoScaling, HealthCheck, Network, Operation, Source, VpcConnector};

/// Operations read per service in the fleet's list (enough to tell its last deployment);
/// a service's own screen reads more.
pub const FLEET_OPERATIONS: i32 = 5;
pub const SCREEN_OPERATIONS: i32 = 20;

/// Auto scaling configurations and VPC connectors by ARN: a revision never changes.
#[derive(Default)]
pub struct Cache {
    scaling: Mutex<HashMap<String, AutoScaling>>,
    connectors: Mutex<HashMap<String, VpcConnector>>,
}

pub struct Reader<'a> {
    pub client: &'a aws_sdk_apprunner::Client,
    pub region: &'a str,
    pub who: &'a Who,
    pub account: &'a str,
    pub cache: &'a Cache,
}

impl Reader<'_> {
    fn call(&self, what: &'static str) -> Call<'_> {
        Call::new(what, self.region, self.who)
    }

    /// Every service of the region (DELETED ones are not listed), described.
    pub async fn services(&self) -> Result<Vec<AppRunnerService>, FetchError> {
        let mut arns = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .client
                .list_services()
                .max_results(20)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.call("App Runner ListServices").of(e))?;
            arns.extend(
                out.service_summary_list()
                    .iter()
                    .filter_map(|s| s.service_arn().map(str::to_string)),
            );
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        let described = futures::future::join_all(arns.iter().map(|arn| self.service(arn, FLEET_OPERATIONS))).await;
        let mut services = Vec::with_capacity(described.len());
        for service in described {
            services.push(service?);
        }
        Ok(services)
    }

    /// One service, with its newest `operations`.
    pub async fn service(&self, arn: &str, operations: i32) -> Result<AppRunnerService, FetchError> {
        let out = self
            .client
            .describe_service()
            .service_arn(arn)
            .send()
            .await
            .map_err(|e| self.call("App Runner DescribeService").of(e))?;
        let Some(s) = out.service() else {
            return Err(FetchError::new(
                crate::domain::ErrorKind::NotFound,
                format!("App Runner service {arn}: DescribeService answered no service"),
            ));
        };
        let ops = self
            .client
            .list_operations()
            .service_arn(arn)
            .max_results(operations)
            .send()
            .await
            .map_err(|e| self.call("App Runner ListOperations").of(e))?;
        let scaling = match s
            .auto_scaling_configuration_summary()
            .and_then(|a| a.auto_scaling_configuration_arn())
        {
            Some(arn) => Some(self.scaling(arn).await?),
            None => None,
        };
        let connector = match s
            .network_configuration()
            .and_then(|n| n.egress_configuration())
            .and_then(|e| e.vpc_connector_arn())
        {
            Some(arn) => Some(self.connector(arn).await?),
            None => None,
        };
        Ok(convert(
            s,
            self.account,
            self.region,
            scaling,
            connector,
            ops.operation_summary_list(),
        ))
    }

    async fn scaling(&self, arn: &str) -> Result<AutoScaling, FetchError> {
        if let Some(found) = lock(&self.cache.scaling).get(arn) {
            return Ok(found.clone());
        }
        let out = self
            .client
            .describe_auto_scaling_configuration()
            .auto_scaling_configuration_arn(arn)
            .send()
            .await
            .map_err(|e| self.call("App Runner DescribeAutoScalingConfiguration").of(e))?;
        let c = out.auto_scaling_configuration();
        let scaling = AutoScaling {
            name: c
                .and_then(|c| c.auto_scaling_configuration_name())
                .unwrap_or_default()
                .to_string(),
            revision: c.and_then(|c| c.auto_scaling_configuration_revision()).unwrap_or(0),
            min_size: c.and_then(|c| c.min_size()).unwrap_or(0),
            max_size: c.and_then(|c| c.max_size()).unwrap_or(0),
            max_concurrency: c.and_then(|c| c.max_concurrency()).unwrap_or(0),
        };
        lock(&self.cache.scaling).insert(arn.to_string(), scaling.clone());
        Ok(scaling)
    }

    async fn connector(&self, arn: &str) -> Result<VpcConnector, FetchError> {
        if let Some(found) = lock(&self.cache.connectors).get(arn) {
            return Ok(found.clone());
        }
        let out = self
            .client
            .describe_vpc_connector()
            .vpc_connector_arn(arn)
            .send()
            .await
            .map_err(|e| self.call("App Runner DescribeVpcConnector").of(e))?;
        let c = out.vpc_connector();
        let connector = VpcConnector {
            arn: arn.to_string(),
            name: c.and_then(|c| c.vpc_connector_name()).unwrap_or_default().to_string(),
            subnets: c.map(|c| c.subnets().to_vec()).unwrap_or_default(),
            security_groups: c.map(|c| c.security_groups().to_vec()).unwrap_or_default(),
        };
        lock(&self.cache.connectors).insert(arn.to_string(), connector.clone());
        Ok(connector)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn convert(
    s: &ar::Service,
    account: &str,
    region: &str,
    scaling: Option<AutoScaling>,
    connector: Option<VpcConnector>,
    ops: &[ar::OperationSummary],
) -> AppRunnerService {
    let source = s.source_configuration();
    let health = s.health_check_configuration();
    let network = s.network_configuration();
    let instance = s.instance_configuration();
    AppRunnerService {
        arn: s.service_arn().to_string(),
        id: s.service_id().to_string(),
        name: s.service_name().to_string(),
        account: account.to_string(),
        region: region.to_string(),
        url: s.service_url().filter(|u| !u.is_empty()).map(|u| {
            if u.starts_with("http") {
                u.to_string()
            } else {
                format!("https://{u}")
            }
        }),
        status: s.status().as_str().to_string(),
        created_at: timestamp(Some(s.created_at())),
        updated_at: timestamp(Some(s.updated_at())),
        source: match (
            source.and_then(|c| c.image_repository()),
            source.and_then(|c| c.code_repository()),
        ) {
            (Some(image), _) => Source::Image {
                image: image.image_identifier().to_string(),
                repository_type: image.image_repository_type().as_str().to_string(),
                port: image.image_configuration().and_then(|c| c.port()).map(str::to_string),
            },
            (None, Some(code)) => {
                let values = code.code_configuration().and_then(|c| c.code_configuration_values());
                Source::Code {
                    repository: code.repository_url().to_string(),
                    branch: code
                        .source_code_version()
                        .map(|v| v.value().to_string())
                        .unwrap_or_default(),
                    configuration: code
                        .code_configuration()
                        .map(|c| c.configuration_source().as_str().to_string()),
                    runtime: values.map(|v| v.runtime().as_str().to_string()),
                    port: values.and_then(|v| v.port()).map(str::to_string),
                }
            }
            (None, None) => Source::Unknown,
        },
        auto_deployments: source.and_then(|c| c.auto_deployments_enabled()).unwrap_or(false),
        cpu: instance.and_then(|i| i.cpu()).unwrap_or("-").to_string(),
        memory: instance.and_then(|i| i.memory()).unwrap_or("-").to_string(),
        instance_role: instance.and_then(|i| i.instance_role_arn()).map(str::to_string),
        scaling,
        health_check: HealthCheck {
            protocol: health
                .and_then(|h| h.protocol())
                .map_or("TCP".into(), |p| p.as_str().to_string()),
            path: health.and_then(|h| h.path()).map(str::to_string),
            interval: health.and_then(|h| h.interval()).unwrap_or(5),
            timeout: health.and_then(|h| h.timeout()).unwrap_or(2),
            healthy: health.and_then(|h| h.healthy_threshold()).unwrap_or(1),
            unhealthy: health.and_then(|h| h.unhealthy_threshold()).unwrap_or(5),
        },
        network: Network {
            egress: network
                .and_then(|n| n.egress_configuration())
                .and_then(|e| e.egress_type())
                .map_or("DEFAULT".into(), |e| e.as_str().to_string()),
            vpc_connector: connector,
            public: network
                .and_then(|n| n.ingress_configuration())
                .is_none_or(|i| i.is_publicly_accessible()),
            ip: network
                .and_then(|n| n.ip_address_type())
                .map_or("IPV4".into(), |i| i.as_str().to_string()),
        },
        observability: s
            .observability_configuration()
            .filter(|o| o.observability_enabled())
            .map(|o| o.observability_configuration_arn().unwrap_or("enabled").to_string()),
        kms_key: s.encryption_configuration().map(|e| e.kms_key().to_string()),
        operations: ops
            .iter()
            .map(|o| Operation {
                id: o.id().unwrap_or_default().to_string(),
                kind: o.r#type().map(|t| t.as_str().to_string()).unwrap_or_default(),
                status: o.status().map(|t| t.as_str().to_string()).unwrap_or_default(),
                started_at: timestamp(o.started_at()),
                ended_at: timestamp(o.ended_at()),
                updated_at: timestamp(o.updated_at()),
            })
            .collect(),
    }
}
