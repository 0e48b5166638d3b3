//! The real backend: the AWS SDK for Rust, with the standard credential chain (environment,
//! profiles including SSO, the instance role of a bastion host) and `AWS_ENDPOINT_URL`
//! honoured as the SDK does. SDK types become domain types at this edge and go no further.

mod cloudwatch;
pub use cloudwatch::QUERIES_PER_CALL;
pub(crate) mod ecs;
mod eks;
mod elb;
pub mod error;
pub mod kube;
mod logs;
mod registry;
mod scaling;
pub mod token;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::Backend;
use crate::domain::fetch::{Fetch, Payload};
use crate::domain::{ErrorKind, FetchError, Identity};
use error::Call;

/// How to reach AWS.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    /// A named profile from `~/.aws/config`; else `AWS_PROFILE`, else the default chain.
    pub profile: Option<String>,
    /// Regions to cover; empty means the profile's or the environment's region.
    pub regions: Vec<String>,
    /// Attempts per call, retries included (`BOSUN_AWS_MAX_ATTEMPTS`; 3 by default).
    pub max_attempts: Option<u32>,
    /// Send every call here instead of AWS (as `AWS_ENDPOINT_URL` does).
    pub endpoint_url: Option<String>,
    /// Fixed keys instead of the credential chain: (access key id, secret access key).
    pub static_keys: Option<(String, String)>,
    /// Send CloudWatch calls here (as `AWS_ENDPOINT_URL_CLOUDWATCH` does).
    pub cloudwatch_endpoint: Option<String>,
    /// How to reach the Kubernetes API of EKS clusters.
    pub kube: kube::KubeOptions,
}

/// API calls made, for the status bar (calls per minute) and for tests (calls per operation).
#[derive(Debug, Default)]
pub struct CallCounter {
    inner: Mutex<Calls>,
}

#[derive(Debug, Default)]
struct Calls {
    recent: VecDeque<Instant>,
    by_operation: BTreeMap<String, u64>,
}

impl CallCounter {
    fn record(&self, operation: Option<&Metadata>) {
        let mut calls = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        calls.recent.push_back(now);
        while calls
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(60))
        {
            calls.recent.pop_front();
        }
        let name = operation.map_or_else(|| "unknown".to_string(), |m| format!("{}.{}", m.service(), m.name()));
        *calls.by_operation.entry(name).or_default() += 1;
    }

    /// HTTP requests sent in the last minute, retries included.
    pub fn last_minute(&self) -> u32 {
        let mut calls = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        while calls
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(60))
        {
            calls.recent.pop_front();
        }
        calls.recent.len() as u32
    }

    /// Requests per operation (`ECS.DescribeServices`) since the start or the last reset.
    pub fn by_operation(&self) -> BTreeMap<String, u64> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .by_operation
            .clone()
    }

    pub fn reset(&self) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .by_operation
            .clear();
    }
}

/// Counts every HTTP request the SDK sends (each attempt of each operation).
#[derive(Debug, Clone)]
struct CountCalls(Arc<CallCounter>);

impl Intercept for CountCalls {
    fn name(&self) -> &'static str {
        "bosun::CountCalls"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.record(cfg.load::<Metadata>());
        Ok(())
    }
}

/// The clients for one region.
pub(crate) struct Clients {
    pub(crate) ecs: aws_sdk_ecs::Client,
    pub(crate) eks: aws_sdk_eks::Client,
    pub(crate) sts: aws_sdk_sts::Client,
    pub(crate) autoscaling: aws_sdk_applicationautoscaling::Client,
    pub(crate) cloudwatch: aws_sdk_cloudwatch::Client,
    pub(crate) logs: aws_sdk_cloudwatchlogs::Client,
    pub(crate) elb: aws_sdk_elasticloadbalancingv2::Client,
    pub(crate) asg: aws_sdk_autoscaling::Client,
    pub(crate) ecr: aws_sdk_ecr::Client,
    pub(crate) events: aws_sdk_eventbridge::Client,
}

pub struct AwsBackend {
    profile: String,
    regions: Vec<String>,
    clients: HashMap<String, Clients>,
    calls: Arc<CallCounter>,
    log_cursors: logs::Cursors,
    base: SdkConfig,
    kube_options: kube::KubeOptions,
    /// Connections to the Kubernetes API of EKS clusters, by cluster ARN.
    kube: tokio::sync::Mutex<HashMap<String, Arc<kube::Conn>>>,
}

/// What a newcomer is told when no region is configured anywhere.
pub const NO_REGION: &str =
    "no AWS region: pass --region (e.g. --region us-east-1,eu-west-1), set AWS_REGION, or set a region in the profile";

impl AwsBackend {
    /// Load the AWS configuration the way the AWS CLI does and make clients per region.
    pub async fn new(options: AwsOptions) -> anyhow::Result<AwsBackend> {
        let profile = options
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
            .unwrap_or_else(|| "default".to_string());
        let attempts = options
            .max_attempts
            .or_else(|| std::env::var("BOSUN_AWS_MAX_ATTEMPTS").ok()?.parse().ok())
            .unwrap_or(3)
            .max(1);
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(attempts))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(30))
                    .build(),
            );
        if let Some(p) = &options.profile {
            loader = loader.profile_name(p);
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some((id, secret)) = &options.static_keys {
            loader = loader.credentials_provider(aws_credential_types::Credentials::new(
                id,
                secret,
                None,
                None,
                "bosun-static",
            ));
        }
        if let Some(region) = options.regions.first() {
            // The first region is where STS and the credential chain's own calls go.
            loader = loader.region(Region::new(region.clone()));
        }
        let base = loader.load().await;
        let regions = if options.regions.is_empty() {
            vec![base.region().ok_or_else(|| anyhow::anyhow!(NO_REGION))?.to_string()]
        } else {
            options.regions.clone()
        };
        let calls = Arc::new(CallCounter::default());
        let clients = regions
            .iter()
            .map(|region| {
                (
                    region.clone(),
                    Clients::new(&base, region, &calls, options.cloudwatch_endpoint.as_deref()),
                )
            })
            .collect();
        Ok(AwsBackend {
            profile,
            regions,
            clients,
            calls,
            log_cursors: logs::Cursors::default(),
            base,
            kube_options: options.kube.clone(),
            kube: tokio::sync::Mutex::default(),
        })
    }

    pub(crate) fn profile_name(&self) -> &str {
        &self.profile
    }

    pub fn calls(&self) -> &Arc<CallCounter> {
        &self.calls
    }

    fn clients(&self, region: &str) -> Result<&Clients, FetchError> {
        self.clients.get(region).ok_or_else(|| {
            FetchError::new(
                ErrorKind::NotFound,
                format!(
                    "region {region} is not one bosun was started with ({})",
                    self.regions.join(", ")
                ),
            )
        })
    }

    /// The clients of the region a resource ARN lives in.
    pub(crate) fn clients_for<'a>(&'a self, arn: &'a str) -> Result<(&'a str, &'a Clients), FetchError> {
        let region = crate::util::arn_region(arn).unwrap_or(self.regions[0].as_str());
        let clients = self.clients(region)?;
        Ok((region, clients))
    }

    /// The connection to an EKS cluster's Kubernetes API, made the first time it is needed.
    pub(crate) async fn kube(&self, cluster: &str) -> Result<Arc<kube::Conn>, FetchError> {
        let mut conns = self.kube.lock().await;
        if let Some(conn) = conns.get(cluster) {
            return Ok(conn.clone());
        }
        let (region, c) = self.clients_for(cluster)?;
        let endpoint = eks::endpoint(&c.eks, region, &self.profile, cluster).await?;
        let provider = self.base.credentials_provider();
        let (name, signing_region) = (endpoint.name.clone(), region.to_string());
        let signer: kube::Signer = Arc::new(move || {
            let (provider, name, region) = (provider.clone(), name.clone(), signing_region.clone());
            Box::pin(async move {
                use aws_credential_types::provider::ProvideCredentials;
                let provider = provider.ok_or("no AWS credentials")?;
                let creds = provider.provide_credentials().await.map_err(|e| e.to_string())?;
                token::eks_token(&name, &region, &creds, std::time::SystemTime::now())
            })
        });
        // Named in 401 / 403 messages; the token path signs in as the caller identity.
        let identity = match self.identity().await {
            Ok(i) => i.arn,
            Err(_) => format!("the identity of profile {}", self.profile),
        };
        let conn = Arc::new(kube::connect(&self.kube_options, &endpoint, signer, identity).await?);
        conns.insert(cluster.to_string(), conn.clone());
        Ok(conn)
    }

    async fn identity(&self) -> Result<Identity, FetchError> {
        let region = &self.regions[0];
        let out = self
            .clients(region)?
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| Call::new("STS GetCallerIdentity", region, &self.profile).of(e))?;
        Ok(Identity {
            account: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
        })
    }
}

impl Clients {
    fn new(base: &SdkConfig, region: &str, calls: &Arc<CallCounter>, cloudwatch_endpoint: Option<&str>) -> Self {
        let region = Region::new(region.to_string());
        let counter = CountCalls(calls.clone());
        macro_rules! client {
            ($sdk:ident) => {
                $sdk::Client::from_conf(
                    $sdk::config::Builder::from(base)
                        .region(region.clone())
                        .interceptor(counter.clone())
                        .build(),
                )
            };
        }
        let mut cloudwatch = aws_sdk_cloudwatch::config::Builder::from(base)
            .region(region.clone())
            .interceptor(counter.clone());
        if let Some(url) = cloudwatch_endpoint {
            cloudwatch = cloudwatch.endpoint_url(url);
        }
        Clients {
            ecs: client!(aws_sdk_ecs),
            eks: client!(aws_sdk_eks),
            sts: client!(aws_sdk_sts),
            autoscaling: client!(aws_sdk_applicationautoscaling),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(cloudwatch.build()),
            logs: client!(aws_sdk_cloudwatchlogs),
            elb: client!(aws_sdk_elasticloadbalancingv2),
            asg: client!(aws_sdk_autoscaling),
            ecr: client!(aws_sdk_ecr),
            events: client!(aws_sdk_eventbridge),
        }
    }
}

#[async_trait]
impl Backend for AwsBackend {
    fn regions(&self) -> Vec<String> {
        self.regions.clone()
    }

    fn profile(&self) -> String {
        self.profile.clone()
    }

    fn calls_last_minute(&self) -> Option<u32> {
        Some(self.calls.last_minute())
    }

    fn calls_by_operation(&self) -> Option<std::collections::BTreeMap<String, u64>> {
        Some(self.calls.by_operation())
    }

    async fn fetch(&self, fetch: &Fetch) -> Result<Payload, FetchError> {
        match fetch {
            Fetch::Identity => self.identity().await.map(Payload::Identity),
            Fetch::EcsClusters { region } => {
                let c = self.clients(region)?;
                ecs::clusters(&c.ecs, region, &self.profile)
                    .await
                    .map(Payload::EcsClusters)
            }
            Fetch::EksClusters { region } => {
                let c = self.clients(region)?;
                eks::clusters(&c.eks, region, &self.profile)
                    .await
                    .map(Payload::EksClusters)
            }
            Fetch::Services { cluster } => {
                let (region, c) = self.clients_for(cluster)?;
                ecs::services(&c.ecs, region, &self.profile, cluster)
                    .await
                    .map(Payload::Services)
            }
            Fetch::Tasks { cluster, stopped } => {
                let (region, c) = self.clients_for(cluster)?;
                ecs::tasks(&c.ecs, region, &self.profile, cluster, *stopped)
                    .await
                    .map(Payload::Tasks)
            }
            Fetch::ContainerInstances { cluster } => {
                let (region, c) = self.clients_for(cluster)?;
                ecs::container_instances(&c.ecs, region, &self.profile, cluster)
                    .await
                    .map(Payload::ContainerInstances)
            }
            Fetch::Metrics { window, series } => {
                let region = series.first().map_or(self.regions[0].as_str(), |k| k.region.as_str());
                let c = self.clients(region)?;
                cloudwatch::metrics(&c.cloudwatch, region, &self.profile, *window, series, self.now())
                    .await
                    .map(Payload::Metrics)
            }
            Fetch::Alarms { region } => {
                let c = self.clients(region)?;
                cloudwatch::alarms(&c.cloudwatch, region, &self.profile)
                    .await
                    .map(Payload::Alarms)
            }
            Fetch::Scaling { region } => {
                let c = self.clients(region)?;
                scaling::scaling(&c.autoscaling, region, &self.profile)
                    .await
                    .map(|s| Payload::Scaling(Box::new(s)))
            }
            Fetch::CapacityProviders { region, names } => {
                let c = self.clients(region)?;
                scaling::capacity_providers(&c.ecs, &c.asg, region, &self.profile, names)
                    .await
                    .map(Payload::CapacityProviders)
            }
            Fetch::Targets { target_group } => {
                let (region, c) = self.clients_for(target_group)?;
                elb::targets(&c.elb, region, &self.profile, target_group)
                    .await
                    .map(|t| Payload::Targets(Box::new(t)))
            }
            Fetch::Logs { region, group, stream } => {
                let c = self.clients(region)?;
                logs::follow(&c.logs, &self.log_cursors, region, &self.profile, group, stream)
                    .await
                    .map(|(lines, reset)| Payload::Logs { lines, reset })
            }
            Fetch::Images {
                region,
                repository,
                tags,
            } => {
                let c = self.clients(region)?;
                registry::images(&c.ecr, region, &self.profile, repository, tags)
                    .await
                    .map(Payload::Images)
            }
            Fetch::Repositories { region } => {
                let c = self.clients(region)?;
                registry::repositories(&c.ecr, region, &self.profile)
                    .await
                    .map(Payload::Repositories)
            }
            Fetch::Schedules { region } => {
                let c = self.clients(region)?;
                registry::schedules(&c.events, region, &self.profile)
                    .await
                    .map(Payload::Schedules)
            }
            Fetch::Revisions { region, family } => {
                let c = self.clients(region)?;
                ecs::revisions(&c.ecs, region, &self.profile, family)
                    .await
                    .map(Payload::Revisions)
            }
            Fetch::NodeGroups { cluster } => {
                let (region, c) = self.clients_for(cluster)?;
                eks::nodegroups(&c.eks, region, &self.profile, cluster)
                    .await
                    .map(Payload::NodeGroups)
            }
            Fetch::FargateProfiles { cluster } => {
                let (region, c) = self.clients_for(cluster)?;
                eks::fargate_profiles(&c.eks, region, &self.profile, cluster)
                    .await
                    .map(Payload::FargateProfiles)
            }
            Fetch::Addons { cluster } => {
                let (region, c) = self.clients_for(cluster)?;
                eks::addons(&c.eks, region, &self.profile, cluster)
                    .await
                    .map(Payload::Addons)
            }
            Fetch::Kube { cluster, kind } => self.kube(cluster).await?.list(*kind).await.map(Payload::Kube),
            Fetch::PodLogs {
                cluster,
                namespace,
                pod,
                container,
                previous,
            } => {
                let key = fetch.log_key().unwrap_or_default().1;
                self.kube(cluster)
                    .await?
                    .logs(namespace, pod, container, *previous, key)
                    .await
                    .map(|(lines, reset)| Payload::Logs { lines, reset })
            }
            Fetch::TaskDefinition { arn } => {
                let (region, c) = self.clients_for(arn)?;
                ecs::task_definition(&c.ecs, region, &self.profile, arn)
                    .await
                    .map(|td| Payload::TaskDefinition(Box::new(td)))
            }
        }
    }
}

/// Describe calls in flight at once for one fetch.
const PARALLEL: usize = 8;

/// Describe what a list call named: `names` in batches of `limit` (the describe call's
/// most, 1 where it takes one name), [`PARALLEL`] calls at once, the results in order.
pub(crate) async fn describe_all<T, F, Fut>(names: Vec<String>, limit: usize, describe: F) -> Result<Vec<T>, FetchError>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, FetchError>>,
{
    use futures::stream::{self, StreamExt, TryStreamExt};
    let batches: Vec<Vec<String>> = names.chunks(limit.max(1)).map(<[String]>::to_vec).collect();
    let described: Vec<Vec<T>> = stream::iter(batches)
        .map(describe)
        .buffered(PARALLEL)
        .try_collect()
        .await?;
    Ok(described.into_iter().flatten().collect())
}

/// An SDK timestamp as a domain timestamp.
pub(crate) fn timestamp(t: Option<&aws_smithy_types::DateTime>) -> Option<jiff::Timestamp> {
    let t = t?;
    jiff::Timestamp::new(t.secs(), t.subsec_nanos() as i32).ok()
}
