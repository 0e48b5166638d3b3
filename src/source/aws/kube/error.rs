//! Kubernetes errors as a person on call reads them: who was refused what, where.

use kube::runtime::watcher;

use crate::domain::{ErrorKind, FetchError};

use super::{Place, Who};

impl Place {
    /// A Kubernetes error as the user reads it: who was refused what, where.
    pub(super) fn error(&self, what: &str, e: &kube::Error) -> FetchError {
        let who = self.who.describe();
        match e {
            kube::Error::Api(status) if status.code == 401 => FetchError::new(
                ErrorKind::Auth,
                format!(
                    "the Kubernetes API of {} does not accept {who} (401 Unauthorized){}",
                    self.cluster,
                    match self.who {
                        Who::Iam { .. } =>
                            ": give this IAM identity an EKS access entry (or an aws-auth mapping) on the cluster",
                        Who::Kubeconfig { .. } => ": refresh the kubeconfig's credentials",
                    }
                ),
            ),
            kube::Error::Api(status) if status.code == 403 => FetchError::new(
                ErrorKind::Forbidden,
                format!(
                    "{who} may not {what} in {} (403 Forbidden): {}",
                    self.cluster, status.message
                ),
            ),
            kube::Error::Api(status) => FetchError::new(
                if status.code == 404 {
                    ErrorKind::NotFound
                } else {
                    ErrorKind::Service
                },
                format!("{what} in {}: {} ({})", self.cluster, status.message, status.code),
            ),
            other => FetchError::new(
                ErrorKind::Network,
                format!(
                    "cannot reach the Kubernetes API of {} at {}: {}",
                    self.cluster,
                    self.server,
                    root_cause(other)
                ),
            ),
        }
    }

    pub(super) fn watch_error(&self, what: &str, e: &watcher::Error) -> Option<FetchError> {
        match e {
            // Gone: the watcher lists again by itself; nothing to tell.
            watcher::Error::WatchError(status) if status.code == 410 => None,
            watcher::Error::InitialListFailed(e)
            | watcher::Error::WatchStartFailed(e)
            | watcher::Error::WatchFailed(e) => Some(self.error(what, e)),
            watcher::Error::WatchError(status) => Some(self.error(what, &kube::Error::Api(status.clone()))),
            watcher::Error::NoResourceVersion => Some(FetchError::new(
                ErrorKind::Service,
                format!("{what} in {}: the API server gave no resourceVersion", self.cluster),
            )),
        }
    }
}

/// The innermost cause of an error, which says what actually went wrong.
pub(super) fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
