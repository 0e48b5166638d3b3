//! The real backend: the AWS SDK for Rust, with the standard credential chain (environment,
//! profiles including SSO, the instance role of a bastion host) and `AWS_ENDPOINT_URL`
//! honoured as the SDK does. SDK types become domain types at this edge and go no further.

pub mod accounts;
mod apprunner;
mod cloudwatch;
mod codedeploy;
pub use cloudwatch::QUERIES_PER_CALL;
pub(crate) mod ecs;
mod eks;
mod elb;
pub mod error;
pub mod kube;
mod logs;
mod raw;
mod registry;
mod scaling;
pub mod token;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use aws_config::{Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::Backend;
use crate::domain::account::{Account, arn_account};
use crate::domain::fetch::{Fetch, Payload};
use crate::domain::{ErrorKind, FetchError, Identity};
use error::{Call, Who};

/// How to reach AWS.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    /// Profiles (names, or globs over the AWS config's profiles: `prod-*`), each an
    /// account of the fleet read with that profile's credentials only. Empty, with no
    /// organization: the SDK's default chain, as one account.
    pub profiles: Vec<String>,
    /// Regions for every account; empty: each account's own (the profile's, or
    /// `AWS_REGION`).
    pub regions: Vec<String>,
    /// Regions per account by name, from bosun's config (`[accounts.NAME] regions`).
    pub profile_regions: BTreeMap<String, Vec<String>>,
    /// Regions for an account with none of its own in bosun's config (its top-level
    /// `regions`), before the profile's own.
    pub default_regions: Vec<String>,
    /// The accounts of an AWS Organization, through a role in each.
    pub organization: Option<Organization>,
    /// The AWS config and credentials files to read instead of the standard ones (which
    /// `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` name).
    pub profile_files: Option<(std::path::PathBuf, std::path::PathBuf)>,
    /// Attempts per call, retries included (`BOSUN_AWS_MAX_ATTEMPTS`; 3 by default).
    pub max_attempts: Option<u32>,
    /// Send every call here instead of AWS (as `AWS_ENDPOINT_URL` does).
    pub endpoint_url: Option<String>,
    /// Fixed keys instead of the credential chain: (access key id, secret access key).
    pub static_keys: Option<(String, String)>,
    /// Send CloudWatch calls here (as `AWS_ENDPOINT_URL_CLOUDWATCH` does).
    pub cloudwatch_endpoint: Option<String>,
    /// Send App Runner calls here (as `AWS_ENDPOINT_URL_APPRUNNER` does).
    pub apprunner_endpoint: Option<String>,
    /// Leave App Runner out: its lists are empty, and no call is made.
    pub no_apprunner: bool,
    /// How to reach the Kubernetes API of EKS clusters.
    pub kube: kube::KubeOptions,
    /// The `session-manager-plugin` to run, instead of the one on `PATH`.
    pub session_plugin: Option<std::path::PathBuf>,
}

/// `[organization]`: the active accounts of an AWS Organization, listed from `profile`,
/// each reached by assuming `role_name` in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Organization {
    pub profile: String,
    pub role_name: String,
    /// Only these accounts (ids or names, globs); empty: all.
    pub include: Vec<String>,
    /// Not these.
    pub exclude: Vec<String>,
    /// The regions of its accounts; empty: the fleet's.
    pub regions: Vec<String>,
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

/// The clients for one region of one account.
pub(crate) struct Clients {
    pub(crate) who: Who,
    pub(crate) ecs: aws_sdk_ecs::Client,
    pub(crate) eks: aws_sdk_eks::Client,
    pub(crate) sts: aws_sdk_sts::Client,
    pub(crate) autoscaling: aws_sdk_applicationautoscaling::Client,
    pub(crate) cloudwatch: aws_sdk_cloudwatch::Client,
    pub(crate) logs: aws_sdk_cloudwatchlogs::Client,
    pub(crate) elb: aws_sdk_elasticloadbalancingv2::Client,
    /// Classic Load Balancers.
    pub(crate) classic: aws_sdk_elasticloadbalancing::Client,
    pub(crate) asg: aws_sdk_autoscaling::Client,
    pub(crate) ecr: aws_sdk_ecr::Client,
    pub(crate) events: aws_sdk_eventbridge::Client,
    pub(crate) apprunner: aws_sdk_apprunner::Client,
    pub(crate) discovery: aws_sdk_servicediscovery::Client,
    pub(crate) codedeploy: aws_sdk_codedeploy::Client,
    pub(crate) ssm: aws_sdk_ssm::Client,
}

/// One account of the fleet: how it signs in, its clients per region, its id once known.
pub(crate) struct AccountClients {
    account: Account,
    id: OnceLock<String>,
    sdk: SdkConfig,
    clients: HashMap<String, Clients>,
    log_cursors: logs::Cursors,
    apprunner: apprunner::Cache,
}

impl AccountClients {
    fn clients(&self, region: &str) -> Result<&Clients, FetchError> {
        self.clients.get(region).ok_or_else(|| {
            FetchError::new(
                ErrorKind::NotFound,
                format!(
                    "region {region} is not one of account {}'s ({})",
                    self.account.name,
                    self.account.regions.join(", ")
                ),
            )
        })
    }

    fn first(&self) -> &Clients {
        let region = self.account.regions.first().map(String::as_str).unwrap_or_default();
        self.clients
            .get(region)
            .expect("an account has clients for its regions")
    }

    /// What reads the App Runner services of one of its regions.
    fn apprunner_reader<'a>(&'a self, c: &'a Clients, region: &'a str) -> apprunner::Reader<'a> {
        apprunner::Reader {
            client: &c.apprunner,
            region,
            who: &c.who,
            account: &self.account.name,
            cache: &self.apprunner,
        }
    }

    /// Learn the account's id from an ARN it listed, if not known yet.
    fn learn(&self, arn: &str) {
        if self.id.get().is_none()
            && let Some(id) = arn_account(arn)
        {
            let _ = self.id.set(id.to_string());
        }
    }
}

pub struct AwsBackend {
    accounts: Vec<AccountClients>,
    calls: Arc<CallCounter>,
    kube_options: kube::KubeOptions,
    /// Connections to the Kubernetes API of EKS clusters, by cluster ARN.
    kube: tokio::sync::Mutex<HashMap<String, Arc<kube::Conn>>>,
    /// App Runner is left out (`--no-apprunner`).
    no_apprunner: bool,
    /// The `session-manager-plugin` named in the options, if one is.
    pub(crate) session_plugin: Option<std::path::PathBuf>,
}

/// What a newcomer is told when no region is configured anywhere.
pub const NO_REGION: &str =
    "no AWS region: pass --region (e.g. --region us-east-1,eu-west-1), set AWS_REGION, or set a region in the profile";

impl AwsBackend {
    /// Load the AWS configuration of every account the way the AWS CLI does, and make
    /// clients per account and region, all on one HTTP client.
    pub async fn new(options: AwsOptions) -> anyhow::Result<AwsBackend> {
        let http = accounts::http_client();
        let calls = Arc::new(CallCounter::default());
        let resolved = accounts::resolve(&options, &http).await?;
        let accounts = resolved
            .into_iter()
            .map(|r| {
                let who = Who::new(
                    r.account.name.clone(),
                    r.account.profile.clone().unwrap_or_else(|| r.account.name.clone()),
                )
                .through_role(r.account.role.clone());
                let clients = r
                    .account
                    .regions
                    .iter()
                    .map(|region| (region.clone(), Clients::new(&r.sdk, region, &calls, &options, &who)))
                    .collect();
                let id = OnceLock::new();
                if let Some(known) = &r.account.id {
                    let _ = id.set(known.clone());
                }
                AccountClients {
                    account: r.account,
                    id,
                    sdk: r.sdk,
                    clients,
                    log_cursors: logs::Cursors::default(),
                    apprunner: apprunner::Cache::default(),
                }
            })
            .collect();
        Ok(AwsBackend {
            accounts,
            calls,
            kube_options: options.kube.clone(),
            kube: tokio::sync::Mutex::default(),
            no_apprunner: options.no_apprunner,
            session_plugin: options.session_plugin.clone(),
        })
    }

    pub fn calls(&self) -> &Arc<CallCounter> {
        &self.calls
    }

    /// An account by its name in the fleet.
    fn account(&self, name: &str) -> Result<&AccountClients, FetchError> {
        self.accounts
            .iter()
            .find(|a| a.account.name == name)
            .ok_or_else(|| FetchError::new(ErrorKind::NotFound, format!("no account named {name} in this fleet")))
    }

    /// The account an ARN is in: by its id, learning the ids not known yet from STS.
    pub(crate) async fn account_of(&self, arn: &str) -> Result<&AccountClients, FetchError> {
        self.account_with_id(arn_account(arn), arn).await
    }

    /// The account with an id (`what` has it, for the message), learning the ids not known
    /// yet from STS; the first account for no id.
    async fn account_with_id(&self, id: Option<&str>, what: &str) -> Result<&AccountClients, FetchError> {
        if let [only] = self.accounts.as_slice() {
            return Ok(only);
        }
        let Some(id) = id.filter(|id| !id.is_empty()) else {
            return Ok(&self.accounts[0]);
        };
        let find = || {
            self.accounts
                .iter()
                .find(|a| a.id.get().map(String::as_str) == Some(id))
        };
        if let Some(found) = find() {
            return Ok(found);
        }
        let unknown = self.accounts.iter().filter(|a| a.id.get().is_none());
        futures::future::join_all(unknown.map(|a| self.identity(a))).await;
        find().ok_or_else(|| {
            FetchError::new(
                ErrorKind::NotFound,
                format!("no account of this fleet has the id {id} (of {what})"),
            )
        })
    }

    /// The clients of the account and region a resource ARN lives in.
    pub(crate) async fn clients_for<'a>(&'a self, arn: &'a str) -> Result<(&'a str, &'a Clients), FetchError> {
        let account = self.account_of(arn).await?;
        let region = crate::util::arn_region(arn).unwrap_or(account.account.regions[0].as_str());
        Ok((region, account.clients(region)?))
    }

    /// The profile that signs in to the account an ARN is in (`""` for the default chain
    /// or an organization's role), as `session-manager-plugin` is given it.
    pub(crate) async fn profile_for(&self, arn: &str) -> String {
        match self.account_of(arn).await {
            Ok(a) if a.account.role.is_none() => a.account.profile.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// The endpoint URL of a service's client (`ECS`, `SSM`) in the account and region of
    /// an ARN: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL` or the configuration's,
    /// else the service's own.
    pub(crate) async fn endpoint_for(&self, arn: &str, service: &str, region: &str) -> String {
        if let Ok(url) = std::env::var(format!("AWS_ENDPOINT_URL_{service}"))
            && !url.is_empty()
        {
            return url;
        }
        let configured = self
            .account_of(arn)
            .await
            .ok()
            .and_then(|a| a.sdk.endpoint_url().map(str::to_string));
        configured.unwrap_or_else(|| {
            let suffix = if region.starts_with("cn-") {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            format!("https://{}.{region}.{suffix}", service.to_ascii_lowercase())
        })
    }

    /// The clients of a named account's region.
    fn clients(&self, account: &str, region: &str) -> Result<&Clients, FetchError> {
        self.account(account)?.clients(region)
    }

    /// The connection to an EKS cluster's Kubernetes API, made the first time it is
    /// needed, signed in as the cluster's account.
    pub(crate) async fn kube(&self, cluster: &str) -> Result<Arc<kube::Conn>, FetchError> {
        let mut conns = self.kube.lock().await;
        if let Some(conn) = conns.get(cluster) {
            return Ok(conn.clone());
        }
        let account = self.account_of(cluster).await?;
        let (region, c) = self.clients_for(cluster).await?;
        let endpoint = eks::endpoint(&c.eks, region, &c.who, cluster).await?;
        let provider = account.sdk.credentials_provider();
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
        let identity = match self.identity(account).await {
            Ok(i) => i.arn,
            Err(_) => format!("the identity of {}", account.account.via),
        };
        let conn = Arc::new(kube::connect(&self.kube_options, &endpoint, signer, identity).await?);
        conns.insert(cluster.to_string(), conn.clone());
        Ok(conn)
    }

    /// Who an account's calls are made as; learns its id.
    async fn identity(&self, account: &AccountClients) -> Result<Identity, FetchError> {
        let c = account.first();
        let region = account.account.regions.first().map(String::as_str).unwrap_or_default();
        let out = c
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| Call::new("STS GetCallerIdentity", region, &c.who).of(e))?;
        let id = out.account().unwrap_or_default().to_string();
        if !id.is_empty() {
            let _ = account.id.set(id.clone());
        }
        Ok(Identity {
            account: id,
            arn: out.arn().unwrap_or_default().to_string(),
        })
    }
}

impl Clients {
    fn new(base: &SdkConfig, region: &str, calls: &Arc<CallCounter>, options: &AwsOptions, who: &Who) -> Self {
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
        if let Some(url) = &options.cloudwatch_endpoint {
            cloudwatch = cloudwatch.endpoint_url(url);
        }
        let mut apprunner = aws_sdk_apprunner::config::Builder::from(base)
            .region(region.clone())
            .interceptor(counter.clone());
        if let Some(url) = &options.apprunner_endpoint {
            apprunner = apprunner.endpoint_url(url);
        }
        Clients {
            who: who.clone(),
            ecs: client!(aws_sdk_ecs),
            eks: client!(aws_sdk_eks),
            sts: client!(aws_sdk_sts),
            autoscaling: client!(aws_sdk_applicationautoscaling),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(cloudwatch.build()),
            logs: client!(aws_sdk_cloudwatchlogs),
            elb: client!(aws_sdk_elasticloadbalancingv2),
            classic: client!(aws_sdk_elasticloadbalancing),
            asg: client!(aws_sdk_autoscaling),
            ecr: client!(aws_sdk_ecr),
            events: client!(aws_sdk_eventbridge),
            apprunner: aws_sdk_apprunner::Client::from_conf(apprunner.build()),
            discovery: client!(aws_sdk_servicediscovery),
            codedeploy: client!(aws_sdk_codedeploy),
            ssm: client!(aws_sdk_ssm),
        }
    }
}

#[async_trait]
impl Backend for AwsBackend {
    fn accounts(&self) -> Vec<Account> {
        self.accounts
            .iter()
            .map(|a| Account {
                id: a.id.get().cloned(),
                ..a.account.clone()
            })
            .collect()
    }

    fn calls_last_minute(&self) -> Option<u32> {
        Some(self.calls.last_minute())
    }

    fn calls_by_operation(&self) -> Option<std::collections::BTreeMap<String, u64>> {
        Some(self.calls.by_operation())
    }

    async fn fetch(&self, fetch: &Fetch) -> Result<Payload, FetchError> {
        match fetch {
            Fetch::Identity { account } => self.identity(self.account(account)?).await.map(Payload::Identity),
            Fetch::EcsClusters { account, region } => {
                let a = self.account(account)?;
                let c = a.clients(region)?;
                let list = ecs::clusters(&c.ecs, region, &c.who).await?;
                if let Some(first) = list.first() {
                    a.learn(&first.arn);
                }
                Ok(Payload::EcsClusters(list))
            }
            Fetch::AppRunnerServices { .. } if self.no_apprunner => Ok(Payload::AppRunnerServices(Vec::new())),
            Fetch::AppRunnerServices { account, region } => {
                let a = self.account(account)?;
                let c = a.clients(region)?;
                let list = a.apprunner_reader(c, region).services().await?;
                if let Some(first) = list.first() {
                    a.learn(&first.arn);
                }
                Ok(Payload::AppRunnerServices(list))
            }
            Fetch::AppRunnerService { service } => {
                let a = self.account_of(service).await?;
                let (region, c) = self.clients_for(service).await?;
                let found = a
                    .apprunner_reader(c, region)
                    .service(service, apprunner::SCREEN_OPERATIONS)
                    .await?;
                Ok(Payload::AppRunnerService(Box::new(found)))
            }
            Fetch::EksClusters { account, region } => {
                let a = self.account(account)?;
                let c = a.clients(region)?;
                let list = eks::clusters(&c.eks, region, &c.who).await?;
                if let Some(first) = list.first() {
                    a.learn(&first.arn);
                }
                Ok(Payload::EksClusters(list))
            }
            Fetch::Services { cluster } => {
                let (region, c) = self.clients_for(cluster).await?;
                ecs::services(&c.ecs, region, &c.who, cluster)
                    .await
                    .map(Payload::Services)
            }
            Fetch::Tasks { cluster, stopped } => {
                let (region, c) = self.clients_for(cluster).await?;
                ecs::tasks(&c.ecs, region, &c.who, cluster, *stopped)
                    .await
                    .map(Payload::Tasks)
            }
            Fetch::Task { cluster, task } => {
                let (region, c) = self.clients_for(cluster).await?;
                let found = ecs::task_by_id(&c.ecs, region, &c.who, cluster, task).await?;
                Ok(Payload::Tasks(vec![found]))
            }
            Fetch::ServiceDeployments { cluster, service } => {
                let (region, c) = self.clients_for(cluster).await?;
                ecs::deployment_history(c, region, cluster, service)
                    .await
                    .map(|h| Payload::ServiceDeployments(Box::new(h)))
            }
            Fetch::CloudMap { service } => {
                let (region, c) = self.clients_for(service).await?;
                ecs::cloud_map(&c.discovery, region, &c.who, service)
                    .await
                    .map(Payload::CloudMap)
            }
            Fetch::TaskProtection { cluster, tasks } => {
                let (region, c) = self.clients_for(cluster).await?;
                ecs::task_protection(&c.ecs, region, &c.who, cluster, tasks)
                    .await
                    .map(Payload::TaskProtection)
            }
            Fetch::ContainerInstances { cluster } => {
                let (region, c) = self.clients_for(cluster).await?;
                ecs::container_instances(&c.ecs, region, &c.who, cluster)
                    .await
                    .map(Payload::ContainerInstances)
            }
            Fetch::Metrics { window, series } => {
                let Some(first) = series.first() else {
                    return Ok(Payload::Metrics(Vec::new()));
                };
                let c = self
                    .account_with_id(Some(&first.account), &first.metric)
                    .await?
                    .clients(&first.region)?;
                cloudwatch::metrics(&c.cloudwatch, &first.region, &c.who, *window, series, self.now())
                    .await
                    .map(Payload::Metrics)
            }
            Fetch::Alarms { account, region } => {
                let c = self.clients(account, region)?;
                cloudwatch::alarms(&c.cloudwatch, region, &c.who)
                    .await
                    .map(Payload::Alarms)
            }
            Fetch::AlarmHistory { account, region } => {
                let c = self.clients(account, region)?;
                cloudwatch::alarm_history(&c.cloudwatch, region, &c.who, self.now())
                    .await
                    .map(Payload::AlarmHistory)
            }
            Fetch::Scaling { account, region } => {
                let c = self.clients(account, region)?;
                scaling::scaling(&c.autoscaling, region, &c.who)
                    .await
                    .map(|s| Payload::Scaling(Box::new(s)))
            }
            Fetch::CapacityProviders { account, region, names } => {
                let c = self.clients(account, region)?;
                scaling::capacity_providers(&c.ecs, &c.asg, region, &c.who, names)
                    .await
                    .map(Payload::CapacityProviders)
            }
            Fetch::Targets { target_group } if crate::domain::is_classic(target_group) => {
                let (region, c) = self.clients_for(target_group).await?;
                elb::classic_targets(&c.classic, region, &c.who, target_group)
                    .await
                    .map(|t| Payload::Targets(Box::new(t)))
            }
            Fetch::Targets { target_group } => {
                let (region, c) = self.clients_for(target_group).await?;
                elb::targets(&c.elb, region, &c.who, target_group)
                    .await
                    .map(|t| Payload::Targets(Box::new(t)))
            }
            Fetch::Logs {
                account,
                region,
                group,
                stream,
            } => {
                let a = self.account(account)?;
                let c = a.clients(region)?;
                logs::follow(&c.logs, &a.log_cursors, region, &c.who, group, stream)
                    .await
                    .map(|(lines, reset)| Payload::Logs { lines, reset })
            }
            Fetch::Images {
                account,
                region,
                repository,
                tags,
            } => {
                let c = self.clients(account, region)?;
                registry::images(&c.ecr, region, &c.who, repository, tags)
                    .await
                    .map(Payload::Images)
            }
            Fetch::Repositories { account, region } => {
                let c = self.clients(account, region)?;
                registry::repositories(&c.ecr, region, &c.who)
                    .await
                    .map(Payload::Repositories)
            }
            Fetch::Schedules { account, region } => {
                let c = self.clients(account, region)?;
                registry::schedules(&c.events, region, &c.who)
                    .await
                    .map(Payload::Schedules)
            }
            Fetch::Revisions {
                account,
                region,
                family,
            } => {
                let c = self.clients(account, region)?;
                ecs::revisions(&c.ecs, region, &c.who, family)
                    .await
                    .map(Payload::Revisions)
            }
            Fetch::NodeGroups { cluster } => {
                let (region, c) = self.clients_for(cluster).await?;
                eks::nodegroups(&c.eks, region, &c.who, cluster)
                    .await
                    .map(Payload::NodeGroups)
            }
            Fetch::FargateProfiles { cluster } => {
                let (region, c) = self.clients_for(cluster).await?;
                eks::fargate_profiles(&c.eks, region, &c.who, cluster)
                    .await
                    .map(Payload::FargateProfiles)
            }
            Fetch::Addons { cluster } => {
                let (region, c) = self.clients_for(cluster).await?;
                eks::addons(&c.eks, region, &c.who, cluster).await.map(Payload::Addons)
            }
            Fetch::Kube { cluster, kind } => self.kube(cluster).await?.changes(*kind).await.map(Payload::Kube),
            Fetch::KubeKinds { cluster } => Ok(Payload::KubeKinds(self.kube(cluster).await?.kinds().await?.to_vec())),
            Fetch::Trouble { cluster } => self
                .kube(cluster)
                .await?
                .trouble(cluster, jiff::Timestamp::now())
                .await
                .map(Payload::Trouble),
            Fetch::KubeTable {
                cluster,
                kind,
                namespace,
            } => self
                .kube(cluster)
                .await?
                .table(kind, namespace.as_deref())
                .await
                .map(|t| Payload::KubeTable(Box::new(t))),
            Fetch::KubeObject {
                cluster,
                kind,
                namespace,
                name,
            } => self
                .kube(cluster)
                .await?
                .object(kind, namespace.as_deref(), name)
                .await
                .map(|o| Payload::KubeObject(Box::new(o))),
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
            Fetch::Raw { target } => self.raw(target).await.map(|d| Payload::Raw(Box::new(d))),
            Fetch::TaskDefinition { arn } => {
                let (region, c) = self.clients_for(arn).await?;
                ecs::task_definition(&c.ecs, region, &c.who, arn)
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
