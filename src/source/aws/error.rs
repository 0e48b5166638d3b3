//! SDK errors as a person on call reads them: what failed, where, why, and what to do.

use std::error::Error as StdError;

use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};

use crate::domain::op::WriteError;
use crate::domain::{ErrorKind, FetchError};

/// Whose calls they are, for messages: the account's name in the fleet, and the profile
/// whose sign-in reaches it (`aws sso login --profile X` fixes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub account: String,
    pub profile: String,
    /// The role assumed from `profile` into the account, for an organization's account.
    pub role: Option<String>,
}

impl Who {
    pub fn new(account: impl Into<String>, profile: impl Into<String>) -> Self {
        Who {
            account: account.into(),
            profile: profile.into(),
            role: None,
        }
    }

    pub fn through_role(mut self, role: Option<String>) -> Self {
        self.role = role;
        self
    }
}

/// The call that failed, for the message: what, where, and as whom.
pub struct Call<'a> {
    what: &'a str,
    region: &'a str,
    who: &'a Who,
    /// A change sent once (no retries): say whether it can have been applied.
    write: bool,
}

impl<'a> Call<'a> {
    pub fn new(what: &'a str, region: &'a str, who: &'a Who) -> Self {
        Call {
            what,
            region,
            who,
            write: false,
        }
    }

    /// The failure of an action: a refusal was not applied; a request that got no answer
    /// may have been, and the message says so rather than calling it failed.
    pub fn write(mut self) -> Self {
        self.write = true;
        self
    }

    /// Turn an SDK error into a [`FetchError`].
    pub fn of<E, R>(&self, error: SdkError<E, R>) -> FetchError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let prefix = format!("{} in {} failed", self.what, self.place());
        let status = error.raw_response().and_then(|r| http_status(r));
        match &error {
            SdkError::ServiceError(_) => {
                let body = error.raw_response().and_then(body_text).unwrap_or_default();
                let code = error
                    .code()
                    .or_else(|| xml_code(&body))
                    .map(str::to_string)
                    .unwrap_or_else(|| status.map_or_else(|| "UnknownError".into(), |s| format!("HTTP {s}")));
                let message = error.message().unwrap_or_default().to_string();
                let kind = match (kind_of(&code), status) {
                    (ErrorKind::Service, Some(401 | 403)) => ErrorKind::Auth,
                    (kind, _) => kind,
                };
                let hint = self.hint(kind);
                let detail = if message.is_empty() {
                    code
                } else {
                    format!("{code}: {message}")
                };
                FetchError::new(kind, format!("{prefix}: {detail}{hint}"))
            }
            SdkError::TimeoutError(_) if self.write => FetchError::new(
                ErrorKind::Network,
                format!("{}: no answer in time{UNANSWERED}", self.unanswered_prefix()),
            ),
            SdkError::TimeoutError(_) => FetchError::new(
                ErrorKind::Network,
                format!("{prefix}: timed out — check the network path to AWS (proxy, VPC endpoint)"),
            ),
            SdkError::DispatchFailure(dispatch) => {
                let source = chain(&error);
                if is_credentials_problem(&source) {
                    return self.no_credentials(&prefix, &source);
                }
                if self.write && !never_sent(&source) {
                    return FetchError::new(
                        ErrorKind::Network,
                        format!(
                            "{}: the connection failed before an answer ({}){UNANSWERED}",
                            self.unanswered_prefix(),
                            short(&source)
                        ),
                    );
                }
                let why = if dispatch.is_timeout() {
                    "timed out".to_string()
                } else if dispatch.is_io() && never_sent(&source) {
                    format!("cannot connect: {}", short(&source))
                } else if dispatch.is_io() {
                    format!("the connection failed: {}", short(&source))
                } else {
                    short(&source)
                };
                FetchError::new(ErrorKind::Network, format!("{prefix}: {why}"))
            }
            SdkError::ResponseError(_) if matches!(status, Some(401 | 403)) => {
                // An answer the SDK could not parse, but a refusal all the same: some
                // endpoints (proxies, emulators) send XML or HTML error pages.
                let body = error.raw_response().and_then(body_text).unwrap_or_default();
                let code = xml_code(&body).unwrap_or("HTTP 403");
                let kind = match kind_of(code) {
                    ErrorKind::Forbidden => ErrorKind::Forbidden,
                    _ => ErrorKind::Auth,
                };
                FetchError::new(
                    kind,
                    format!("{prefix}: {code}: the endpoint refused the request{}", self.hint(kind)),
                )
            }
            _ => {
                let source = chain(&error);
                if is_credentials_problem(&source) {
                    return self.no_credentials(&prefix, &source);
                }
                let status = status.map_or_else(String::new, |s| format!(" (HTTP {s})"));
                FetchError::new(ErrorKind::Service, format!("{prefix}: {}{status}", short(&source)))
            }
        }
    }

    /// How a write that did not succeed ended: never sent, refused by the service (with its
    /// error code), or sent and not answered. The message is as [`Call::of`] words it.
    pub fn write_error<E, R>(&self, error: SdkError<E, R>) -> WriteError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let status = error.raw_response().and_then(|r| http_status(r));
        let chain_text = chain(&error);
        enum Ended {
            NotSent,
            Rejected(String),
            Unanswered,
        }
        let ended = match &error {
            SdkError::ServiceError(_) => {
                let body = error.raw_response().and_then(body_text).unwrap_or_default();
                let code = error
                    .code()
                    .or_else(|| xml_code(&body))
                    .map(str::to_string)
                    .unwrap_or_else(|| status.map_or_else(|| "UnknownError".into(), |s| format!("HTTP {s}")));
                Ended::Rejected(code)
            }
            // An answer the SDK could not read, but an error status all the same.
            SdkError::ResponseError(_) if status.is_some_and(|s| s >= 400) => {
                let body = error.raw_response().and_then(body_text).unwrap_or_default();
                let code =
                    xml_code(&body).map_or_else(|| format!("HTTP {}", status.unwrap_or_default()), str::to_string);
                Ended::Rejected(code)
            }
            SdkError::ConstructionFailure(_) => Ended::NotSent,
            SdkError::DispatchFailure(_) if is_credentials_problem(&chain_text) || never_sent(&chain_text) => {
                Ended::NotSent
            }
            _ => Ended::Unanswered,
        };
        let message = self.of(error).message;
        match ended {
            Ended::NotSent => WriteError::NotSent(message),
            Ended::Rejected(code) => WriteError::Rejected { code, message },
            Ended::Unanswered => WriteError::Unanswered(message),
        }
    }

    fn unanswered_prefix(&self) -> String {
        format!("{} in {} sent, but not answered", self.what, self.place())
    }

    /// `us-east-1`, or `us-east-1 (payments-prod)` where the account is not the profile's
    /// own name (an account reached through AWS Organizations).
    fn place(&self) -> String {
        if self.who.account == self.who.profile {
            self.region.to_string()
        } else {
            format!("{} ({})", self.region, self.who.account)
        }
    }

    /// The credential chain found nothing usable: say so first, the SDK's detail last.
    fn no_credentials(&self, prefix: &str, detail: &str) -> FetchError {
        if let Some(role) = &self.who.role {
            // An organization's account: its role, not the sign-in, is the likely fault.
            return FetchError::new(
                ErrorKind::Auth,
                format!(
                    "{prefix}: cannot assume role {role} in account {a} — check that the role exists there and \
                     trusts profile `{p}`, or leave the account out with [organization] exclude (the SDK said: {})",
                    short(detail),
                    a = self.who.account,
                    p = self.who.profile
                ),
            );
        }
        FetchError::new(
            ErrorKind::Auth,
            format!(
                "{prefix}: no usable AWS credentials for profile `{p}` — run `aws sso login --profile {p}`, \
                 or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the SDK said: {})",
                short(detail),
                p = self.who.profile
            ),
        )
    }

    fn hint(&self, kind: ErrorKind) -> String {
        match kind {
            ErrorKind::Auth => format!(
                " — run `aws sso login --profile {p}`, or check the credentials of profile `{p}`",
                p = self.who.profile
            ),
            ErrorKind::Forbidden => " — the identity in the header lacks this permission".to_string(),
            ErrorKind::Throttled if self.write => " — not applied: send it again in a moment".to_string(),
            ErrorKind::Throttled => " — bosun backs off and retries".to_string(),
            _ => String::new(),
        }
    }
}

fn http_status<R: std::fmt::Debug + 'static>(raw: &R) -> Option<u16> {
    let any: &dyn std::any::Any = raw;
    any.downcast_ref::<aws_smithy_runtime_api::http::Response>()
        .map(|r| r.status().as_u16())
}

fn body_text<R: std::fmt::Debug + 'static>(raw: &R) -> Option<String> {
    let any: &dyn std::any::Any = raw;
    let response = any.downcast_ref::<aws_smithy_runtime_api::http::Response>()?;
    let bytes = response.body().bytes()?;
    Some(String::from_utf8_lossy(bytes).into_owned())
}

/// `<Code>X</Code>` from an XML error body.
fn xml_code(body: &str) -> Option<&str> {
    let start = body.find("<Code>")? + "<Code>".len();
    let end = start + body[start..].find("</Code>")?;
    Some(body[start..end].trim()).filter(|c| !c.is_empty())
}

/// What an AWS error code means for bosun.
pub fn kind_of(code: &str) -> ErrorKind {
    match code {
        "ExpiredToken"
        | "ExpiredTokenException"
        | "RequestExpired"
        | "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "SignatureDoesNotMatch"
        | "InvalidSignatureException"
        | "IncompleteSignature"
        | "MissingAuthenticationToken"
        | "AuthFailure"
        | "InvalidAccessKeyId"
        | "UnauthorizedException" => ErrorKind::Auth,
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "Forbidden" => ErrorKind::Forbidden,
        "Throttling"
        | "ThrottlingException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "ProvisionedThroughputExceededException"
        | "SlowDown" => ErrorKind::Throttled,
        "ClusterNotFoundException" | "ServiceNotFoundException" | "ResourceNotFoundException" | "NotFoundException" => {
            ErrorKind::NotFound
        }
        _ => ErrorKind::Service,
    }
}

/// What a write that got no answer may have done, for the person reading the message.
const UNANSWERED: &str = " — it may have been applied: check the resource before sending it again";

/// Whether a dispatch failure happened before the request left: no connection was made.
fn never_sent(chain: &str) -> bool {
    let lower = chain.to_lowercase();
    chain.contains("(Connect)")
        || lower.contains("connection refused")
        || lower.contains("dns error")
        || lower.contains("failed to lookup")
}

/// The error and its causes, joined.
fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        if let Some(refusal) = sts_refusal(e) {
            // What STS said ends the story: the SDK's detail under it repeats it.
            parts.push(refusal);
            break;
        }
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}

/// What STS said when a role could not be assumed (the SDK shows it as "unhandled error"
/// inside a credentials error): `AccessDenied: User: ... is not authorized ...`.
fn sts_refusal(error: &(dyn StdError + 'static)) -> Option<String> {
    let refused = error.downcast_ref::<aws_sdk_sts::operation::assume_role::AssumeRoleError>()?;
    let code = refused.code()?;
    Some(match refused.message() {
        Some(message) => format!("{code}: {message}"),
        None => code.to_string(),
    })
}

/// Drop the SDK's generic outer wording ("dispatch failure: ...") when a cause says more.
fn short(chain: &str) -> String {
    let generic = |p: &str| {
        matches!(
            p,
            "dispatch failure" | "io error" | "other" | "service error" | "failed to construct request"
        )
    };
    let parts: Vec<&str> = chain.split(": ").collect();
    let kept: Vec<&str> = parts.iter().copied().filter(|p| !generic(p)).collect();
    if kept.is_empty() {
        parts.join(": ")
    } else {
        kept.join(": ")
    }
}

fn is_credentials_problem(text: &str) -> bool {
    let text = text.to_lowercase();
    text.contains("credential")
        || text.contains("no providers in chain")
        || text.contains("sso") && text.contains("token")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds() {
        assert_eq!(kind_of("ExpiredTokenException"), ErrorKind::Auth);
        assert_eq!(kind_of("UnrecognizedClientException"), ErrorKind::Auth);
        assert_eq!(kind_of("AccessDeniedException"), ErrorKind::Forbidden);
        assert_eq!(kind_of("ThrottlingException"), ErrorKind::Throttled);
        assert_eq!(kind_of("ClusterNotFoundException"), ErrorKind::NotFound);
        assert_eq!(kind_of("ServerException"), ErrorKind::Service);
    }

    #[test]
    fn xml_error_codes_are_read() {
        let body =
            "<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>no</Message></Error></ErrorResponse>";
        assert_eq!(xml_code(body), Some("InvalidClientTokenId"));
        assert_eq!(xml_code("<html>403</html>"), None);
    }

    #[test]
    fn generic_wording_is_dropped() {
        assert_eq!(
            short("dispatch failure: io error: Connection refused (os error 111)"),
            "Connection refused (os error 111)"
        );
        assert_eq!(short("other"), "other");
    }
}
