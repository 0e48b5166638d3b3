//! The accounts of the fleet, and how each signs in: named profiles (and globs over the
//! profiles of the AWS config files), each with its own credentials only; the active
//! accounts of an AWS Organization, each through a role assumed from one profile; or, when
//! nothing is named, the SDK's default chain as one account.

use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_types::os_shim_internal::{Env, Fs};

use super::{AwsOptions, NO_REGION, Organization};
use crate::domain::account::{Account, glob_match};

/// An account with what signs in to it.
pub(super) struct Resolved {
    pub account: Account,
    pub sdk: SdkConfig,
}

/// One HTTP client for every account and service: one connection pool, one TLS setup.
pub(super) fn http_client() -> SharedHttpClient {
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
    use aws_smithy_http_client::{Builder, ConnectorBuilder};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// The AWS config files: the ones the options name, else the standard ones.
fn files(options: &AwsOptions) -> EnvConfigFiles {
    match &options.profile_files {
        Some((config, credentials)) => EnvConfigFiles::builder()
            .with_file(EnvConfigFileKind::Config, config)
            .with_file(EnvConfigFileKind::Credentials, credentials)
            .build(),
        None => EnvConfigFiles::default(),
    }
}

/// What every account's configuration shares: retries, timeouts, the HTTP client, the
/// endpoint, the config files.
fn loader(options: &AwsOptions, http: &SharedHttpClient) -> ConfigLoader {
    let attempts = options
        .max_attempts
        .or_else(|| std::env::var("BOSUN_AWS_MAX_ATTEMPTS").ok()?.parse().ok())
        .unwrap_or(3)
        .max(1);
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .profile_files(files(options))
        .http_client(http.clone())
        .retry_config(RetryConfig::standard().with_max_attempts(attempts))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        );
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader
}

/// The profiles the AWS config and credentials files define (`AWS_CONFIG_FILE`,
/// `AWS_SHARED_CREDENTIALS_FILE` honoured), in order.
pub async fn profile_names(options: &AwsOptions) -> anyhow::Result<Vec<String>> {
    let set = aws_config::profile::load(&Fs::real(), &Env::real(), &files(options), None)
        .await
        .context("cannot read the AWS config files")?;
    let mut names: Vec<String> = set.profiles().map(str::to_string).collect();
    names.sort();
    Ok(names)
}

/// The profiles a list of names and globs (`prod-*`) stands for, in the order asked, each
/// once. A name that is not there, or a glob that matches nothing, is an error that lists
/// what is there.
pub fn expand(patterns: &[String], known: &[String]) -> anyhow::Result<Vec<String>> {
    let listing = || {
        if known.is_empty() {
            "the AWS config files define no profile (~/.aws/config, ~/.aws/credentials; AWS_CONFIG_FILE to use another)"
                .to_string()
        } else {
            format!("the profiles there are: {}", known.join(", "))
        }
    };
    let mut out: Vec<String> = Vec::new();
    for pattern in patterns {
        let found: Vec<&String> = if pattern.contains(['*', '?']) {
            known.iter().filter(|name| glob_match(pattern, name)).collect()
        } else {
            known.iter().filter(|name| *name == pattern).collect()
        };
        if found.is_empty() {
            if pattern.contains(['*', '?']) {
                bail!("no AWS profile matches `{pattern}`: {}", listing());
            }
            bail!("no AWS profile named `{pattern}`: {}", listing());
        }
        for name in found {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
    }
    Ok(out)
}

/// Every account of the fleet, from the options.
pub(super) async fn resolve(options: &AwsOptions, http: &SharedHttpClient) -> anyhow::Result<Vec<Resolved>> {
    let mut out = Vec::new();
    if let Some((id, secret)) = &options.static_keys {
        // Fixed keys (tests): one account, named as asked.
        let name = options.profiles.first().cloned().unwrap_or_else(|| "default".into());
        let keys = aws_credential_types::Credentials::new(id, secret, None, None, "bosun-static");
        let sdk = load(options, loader(options, http).credentials_provider(keys)).await;
        out.push(profile_account(options, name, sdk)?);
        return Ok(out);
    }
    if options.profiles.is_empty() && options.organization.is_none() {
        // Nothing named: the SDK's default chain, as the AWS CLI reads it.
        let name = std::env::var("AWS_PROFILE")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "default".into());
        let sdk = load(options, loader(options, http)).await;
        out.push(profile_account(options, name, sdk)?);
        return Ok(out);
    }
    let known = profile_names(options).await?;
    for name in expand(&options.profiles, &known)? {
        let sdk = profile_config(options, http, &name).await;
        out.push(profile_account(options, name, sdk)?);
    }
    if let Some(org) = &options.organization {
        if !known.contains(&org.profile) {
            bail!(
                "[organization] profile = \"{}\": no such AWS profile; the profiles there are: {}",
                org.profile,
                known.join(", ")
            );
        }
        for resolved in organization(options, http, org).await? {
            if out.iter().any(|r| r.account.name == resolved.account.name) {
                tracing::warn!(account = %resolved.account.name, "an account of the organization has a profile's name: kept the profile");
                continue;
            }
            out.push(resolved);
        }
    }
    Ok(out)
}

/// An account read through a profile (or the default chain) of that name.
fn profile_account(options: &AwsOptions, name: String, sdk: SdkConfig) -> anyhow::Result<Resolved> {
    Ok(Resolved {
        account: Account {
            regions: regions_of(options, &name, &sdk)?,
            via: format!("profile {name}"),
            profile: Some(name.clone()),
            role: None,
            name,
            id: None,
        },
        sdk,
    })
}

/// Load a configuration, in the first region asked for if any.
async fn load(options: &AwsOptions, loader: ConfigLoader) -> SdkConfig {
    match options.regions.first() {
        Some(region) => loader.region(Region::new(region.clone())).load().await,
        None => loader.load().await,
    }
}

/// A named profile's configuration, with that profile's credentials only: keys left in
/// the environment (another account's, say) do not override a profile asked for by name,
/// as with the AWS CLI's `--profile`.
async fn profile_config(options: &AwsOptions, http: &SharedHttpClient, name: &str) -> SdkConfig {
    let sdk = load(options, loader(options, http).profile_name(name)).await;
    let provider = ProviderConfig::default()
        .with_http_client(http.clone())
        .with_region(sdk.region().cloned());
    let credentials = ProfileFileCredentialsProvider::builder()
        .configure(&provider)
        .profile_files(files(options))
        .profile_name(name)
        .build();
    sdk.into_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build()
}

/// The regions of an account: the ones asked for, else the profile's in bosun's config,
/// else the profile's own (or `AWS_REGION`).
fn regions_of(options: &AwsOptions, name: &str, sdk: &SdkConfig) -> anyhow::Result<Vec<String>> {
    if !options.regions.is_empty() {
        return Ok(options.regions.clone());
    }
    if let Some(regions) = options.profile_regions.get(name).filter(|r| !r.is_empty()) {
        return Ok(regions.clone());
    }
    if !options.default_regions.is_empty() {
        return Ok(options.default_regions.clone());
    }
    match sdk.region() {
        Some(region) => Ok(vec![region.to_string()]),
        None => Err(anyhow!("{NO_REGION} (profile `{name}` has none)")),
    }
}

/// The active accounts of an organization, each through `role_name` assumed from the
/// organization's profile, within the include and exclude lists (ids or names, globs).
async fn organization(
    options: &AwsOptions,
    http: &SharedHttpClient,
    org: &Organization,
) -> anyhow::Result<Vec<Resolved>> {
    let base = profile_config(options, http, &org.profile).await;
    let region = options
        .regions
        .first()
        .or(org.regions.first())
        .or(options.default_regions.first())
        .cloned()
        .or_else(|| base.region().map(|r| r.to_string()))
        .ok_or_else(|| anyhow!("{NO_REGION} (the organization's profile `{}` has none)", org.profile))?;
    let client = aws_sdk_organizations::Client::new(&base);
    let pages: Vec<aws_sdk_organizations::operation::list_accounts::ListAccountsOutput> = client
        .list_accounts()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| {
            anyhow!(
                "{}",
                super::error::Call::new(
                    "Organizations ListAccounts",
                    &region,
                    &super::error::Who::new(&org.profile, &org.profile)
                )
                .of(e)
                .message
            )
        })?;
    let listed = pages.iter().flat_map(|p| p.accounts().iter().cloned());
    let wanted = |id: &str, name: &str| {
        let matches = |list: &[String]| list.iter().any(|p| glob_match(p, id) || glob_match(p, name));
        (org.include.is_empty() || matches(&org.include)) && !matches(&org.exclude)
    };
    // The flag's regions, else the account's own in bosun's config (by name or id), else
    // the organization's, else the config's, else the profile's.
    let regions_for = |id: &str, name: &str| -> Vec<String> {
        [
            Some(&options.regions),
            options.profile_regions.get(name),
            options.profile_regions.get(id),
            Some(&org.regions),
            Some(&options.default_regions),
        ]
        .into_iter()
        .flatten()
        .find(|r| !r.is_empty())
        .cloned()
        .unwrap_or_else(|| vec![region.clone()])
    };
    let mut out = Vec::new();
    for account in listed {
        let active = account
            .state()
            .map(|s| s.as_str() == "ACTIVE")
            .or_else(|| account.status().map(|s| s.as_str() == "ACTIVE"))
            .unwrap_or(true);
        let (Some(id), name) = (account.id(), account.name().unwrap_or_default()) else {
            continue;
        };
        if !active || !wanted(id, name) {
            continue;
        }
        let partition = base_partition(&base);
        let role = format!("arn:{partition}:iam::{id}:role/{}", org.role_name);
        let provider = AssumeRoleProvider::builder(role)
            .session_name("bosun")
            .region(Region::new(region.clone()))
            .configure(&base)
            .build_from_provider(
                base.credentials_provider()
                    .ok_or_else(|| anyhow!("profile `{}` has no credentials", org.profile))?,
            )
            .await;
        let sdk = loader(options, http)
            .region(Region::new(region.clone()))
            .credentials_provider(provider)
            .load()
            .await;
        out.push(Resolved {
            account: Account {
                name: if name.is_empty() {
                    id.to_string()
                } else {
                    name.to_string()
                },
                id: Some(id.to_string()),
                via: format!("role {} from profile {}", org.role_name, org.profile),
                profile: Some(org.profile.clone()),
                role: Some(org.role_name.clone()),
                regions: regions_for(id, name),
            },
            sdk,
        });
    }
    Ok(out)
}

/// The partition of ARNs: `aws`, or `aws-cn` / `aws-us-gov` by the region.
fn base_partition(sdk: &SdkConfig) -> &'static str {
    match sdk.region().map(|r| r.as_ref()) {
        Some(r) if r.starts_with("cn-") => "aws-cn",
        Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
        _ => "aws",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn profile_lists_expand_globs_and_refuse_what_is_not_there() {
        let known = names(&["acct-a", "acct-b", "default", "prod-eu", "prod-us"]);
        assert_eq!(
            expand(&names(&["prod-*", "acct-a", "prod-us"]), &known).unwrap(),
            names(&["prod-eu", "prod-us", "acct-a"])
        );
        let missing = expand(&names(&["nope"]), &known).unwrap_err().to_string();
        assert!(missing.contains("no AWS profile named `nope`"), "{missing}");
        assert!(
            missing.contains("acct-a, acct-b, default, prod-eu, prod-us"),
            "{missing}"
        );
        let nothing = expand(&names(&["stage-*"]), &known).unwrap_err().to_string();
        assert!(nothing.contains("no AWS profile matches `stage-*`"), "{nothing}");
    }
}
