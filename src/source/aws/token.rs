//! EKS bearer tokens, built in-process instead of shelling out to `aws eks get-token`.
//!
//! The Kubernetes API server of an EKS cluster authenticates callers with a token that is
//! `k8s-aws-v1.` followed by the unpadded base64url encoding of a presigned STS `GetCallerIdentity`
//! URL. The URL is signed with SigV4 (query-string form, 60 s expiry) and the `x-k8s-aws-id` header,
//! carrying the cluster name, is part of the signed headers so a token for one cluster cannot be
//! replayed against another. EKS calls that URL to learn who the caller is.
//!
//! This matches what the aws CLI (`awscli/customizations/eks/get_token.py`, via botocore's
//! `SigV4QueryAuth`) produces byte for byte, including the query-parameter order and the handling of
//! session tokens: `X-Amz-Security-Token` is part of the signed canonical query string and sits just
//! before `X-Amz-Signature` in the URL. Doing it here avoids needing the aws CLI on `PATH` and a
//! process spawn on every renewal.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign};
use aws_sigv4::sign::v4;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// How long EKS accepts a token after it was signed.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Age after which bosun renews a token; comfortably before the 14 min the aws CLI advertises as
/// `expirationTimestamp`, so clock skew and in-flight requests never see an expired token.
pub const RENEW_AFTER: Duration = Duration::from_secs(10 * 60);

const TOKEN_PREFIX: &str = "k8s-aws-v1.";
const CLUSTER_ID_HEADER: &str = "x-k8s-aws-id";
/// Lifetime of the presigned URL itself, as set by the aws CLI (`URL_TIMEOUT`).
const URL_EXPIRES: Duration = Duration::from_secs(60);
const SIGNATURE_PARAM: &str = "X-Amz-Signature";
/// 9999-12-31T23:59:59Z; SigV4 timestamps are four-digit years.
const MAX_SIGNING_SECS: u64 = 253_402_300_799;

/// Builds the EKS bearer token for `cluster_name` in `region`, signed with `credentials` at `time`.
///
/// The token is `k8s-aws-v1.` + base64url (no padding) of
/// `https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15` plus the SigV4
/// query parameters (`X-Amz-Expires=60`, signed headers `host;x-k8s-aws-id`). China regions use the
/// `amazonaws.com.cn` domain, as botocore does.
pub fn eks_token(
    cluster_name: &str,
    region: &str,
    credentials: &Credentials,
    time: SystemTime,
) -> Result<String, String> {
    if cluster_name.is_empty() {
        return Err("EKS token: empty cluster name".to_string());
    }
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!("EKS token: invalid region {region:?}"));
    }
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(since_epoch) if since_epoch.as_secs() <= MAX_SIGNING_SECS => {}
        _ => return Err("EKS token: signing time out of range".to_string()),
    }

    let domain = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    let base_url = format!("https://sts.{region}.{domain}/?Action=GetCallerIdentity&Version=2011-06-15");

    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(URL_EXPIRES);

    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| format!("EKS token: signing parameters: {e}"))?
        .into();

    let request = SignableRequest::new(
        "GET",
        base_url.as_str(),
        std::iter::once((CLUSTER_ID_HEADER, cluster_name)),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| format!("EKS token: building request: {e}"))?;
    let (instructions, _) = sign(request, &params)
        .map_err(|e| format!("EKS token: signing: {e}"))?
        .into_parts();

    // aws-sigv4 lists X-Amz-Signature before X-Amz-Security-Token; botocore appends the signature
    // last. Reorder so the URL (and so the token) is identical to the aws CLI's.
    let mut url = base_url;
    let mut signature = None;
    for (name, value) in instructions.params() {
        if *name == SIGNATURE_PARAM {
            signature = Some(value);
        } else {
            push_param(&mut url, name, value);
        }
    }
    let signature = signature.ok_or_else(|| "EKS token: signer returned no signature".to_string())?;
    push_param(&mut url, SIGNATURE_PARAM, signature);

    Ok(format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(url)))
}

/// Appends `&name=value`, percent-encoding everything but RFC 3986 unreserved characters (as
/// botocore's `percent_encode` does).
fn push_param(url: &mut String, name: &str, value: &str) {
    url.push('&');
    percent_encode_into(url, name);
    url.push('=');
    percent_encode_into(url, value);
}

fn percent_encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected tokens come from the aws CLI's own code (awscli 1.46.3, botocore 1.44.8), with the
    // clock frozen and no config/credential files or AWS_* variables in the environment:
    //
    //   import datetime, unittest.mock, botocore.session
    //   from awscli.customizations.eks.get_token import STSClientFactory, TokenGenerator
    //   for token in (None, "FQoGZXIvYXdzEXAMPLE//session+token/=="):
    //       s = botocore.session.get_session()
    //       s.set_credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    //       now = datetime.datetime(2026, 1, 2, 3, 4, 5)
    //       with unittest.mock.patch("botocore.auth.get_current_datetime", return_value=now):
    //           sts = STSClientFactory(s).get_sts_client(region_name="us-east-1")
    //           print(TokenGenerator(sts).get_token("prod-eks"))

    const ACCESS_KEY: &str = "AKIDEXAMPLE";
    const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const SESSION_TOKEN: &str = "FQoGZXIvYXdzEXAMPLE//session+token/==";

    const EXPECTED_NO_SESSION: &str = "k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtZWFzdC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BS0lERVhBTVBMRSUyRjIwMjYwMTAyJTJGdXMtZWFzdC0xJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNjAxMDJUMDMwNDA1WiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TaWduYXR1cmU9ZDdiNjVlZDgxMzA3YzU3OWFmNzFmN2Q5M2FhZjFmZjI1YTBkMTYxZTgwZjEzZTU3ZmZlNTcyODU5ZjBhNTQ4ZA";
    const EXPECTED_WITH_SESSION: &str = "k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtZWFzdC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BS0lERVhBTVBMRSUyRjIwMjYwMTAyJTJGdXMtZWFzdC0xJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNjAxMDJUMDMwNDA1WiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TZWN1cml0eS1Ub2tlbj1GUW9HWlhJdllYZHpFWEFNUExFJTJGJTJGc2Vzc2lvbiUyQnRva2VuJTJGJTNEJTNEJlgtQW16LVNpZ25hdHVyZT03MjcxYzNhNjk2MGM5YWZmMjdkOWQwYzcxZDljYzkxOWU5N2JiNDc3ZDAyZjMyZjQ3NDMxNTJmYjRmZjE5NWVl";

    /// 2026-01-02T03:04:05Z
    fn fixed_time() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_323_045)
    }

    fn creds(session_token: Option<&str>) -> Credentials {
        Credentials::new(ACCESS_KEY, SECRET_KEY, session_token.map(str::to_string), None, "test")
    }

    fn decode_url(token: &str) -> String {
        let payload = token.strip_prefix(TOKEN_PREFIX).expect("token prefix");
        String::from_utf8(URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("utf-8")
    }

    #[test]
    fn matches_aws_cli_without_session_token() {
        let token = eks_token("prod-eks", "us-east-1", &creds(None), fixed_time()).unwrap();
        assert_eq!(token, EXPECTED_NO_SESSION);
    }

    #[test]
    fn matches_aws_cli_with_session_token() {
        let token = eks_token("prod-eks", "us-east-1", &creds(Some(SESSION_TOKEN)), fixed_time()).unwrap();
        assert_eq!(token, EXPECTED_WITH_SESSION);
    }

    #[test]
    fn url_has_expected_shape() {
        let token = eks_token("prod-eks", "us-east-1", &creds(Some(SESSION_TOKEN)), fixed_time()).unwrap();
        let url = decode_url(&token);
        let (base, query) = url.split_once('?').unwrap();
        assert_eq!(base, "https://sts.us-east-1.amazonaws.com/");
        let params: Vec<(&str, &str)> = query.split('&').map(|kv| kv.split_once('=').unwrap()).collect();
        let get = |name: &str| params.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        assert_eq!(get("Action"), Some("GetCallerIdentity"));
        assert_eq!(get("Version"), Some("2011-06-15"));
        assert_eq!(get("X-Amz-Expires"), Some("60"));
        assert_eq!(get("X-Amz-Date"), Some("20260102T030405Z"));
        let signed_headers = get("X-Amz-SignedHeaders").unwrap().replace("%3B", ";");
        assert!(
            signed_headers.split(';').any(|h| h == "x-k8s-aws-id"),
            "{signed_headers}"
        );
        assert!(signed_headers.split(';').any(|h| h == "host"), "{signed_headers}");
        assert!(get("X-Amz-Security-Token").is_some());
        assert_eq!(params.last().map(|(k, _)| *k), Some("X-Amz-Signature"));
        assert_eq!(get("X-Amz-Signature").map(str::len), Some(64));
    }

    #[test]
    fn china_regions_use_cn_domain() {
        let token = eks_token("prod-eks", "cn-north-1", &creds(None), fixed_time()).unwrap();
        assert!(decode_url(&token).starts_with("https://sts.cn-north-1.amazonaws.com.cn/?"));
    }

    #[test]
    fn rejects_bad_input_without_panicking() {
        let c = creds(None);
        assert!(eks_token("", "us-east-1", &c, fixed_time()).is_err());
        assert!(eks_token("prod-eks", "", &c, fixed_time()).is_err());
        assert!(eks_token("prod-eks", "us-east-1/evil", &c, fixed_time()).is_err());
        assert!(eks_token("bad\nname", "us-east-1", &c, fixed_time()).is_err());
        assert!(
            eks_token(
                "prod-eks",
                "us-east-1",
                &c,
                SystemTime::UNIX_EPOCH - Duration::from_secs(1)
            )
            .is_err()
        );
        let far_future = SystemTime::UNIX_EPOCH + Duration::from_secs(MAX_SIGNING_SECS + 1);
        assert!(eks_token("prod-eks", "us-east-1", &c, far_future).is_err());
    }

    #[test]
    fn renewal_happens_before_expiry() {
        assert!(RENEW_AFTER < Duration::from_secs(14 * 60));
        assert!(RENEW_AFTER < TOKEN_LIFETIME);
    }
}
