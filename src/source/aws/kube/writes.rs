//! Kubernetes actions: each request sent once, and how it ended when it did not succeed.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1 as core;
use kube::api::{Api, DeleteParams, Patch, PatchParams};

use crate::domain::kube::WorkloadKind;
use crate::domain::op::WriteError;

use super::Conn;
use super::error::root_cause;

impl Conn {
    /// How a write that did not succeed ended. The API server's own refusal is a
    /// rejection with its reason; a connection that never opened sent nothing; anything
    /// else broke after the request went out, so the change may have been made.
    fn write_error(&self, what: &str, e: kube::Error) -> WriteError {
        let message = self.error(what, &e).message;
        match &e {
            kube::Error::Api(status) => WriteError::Rejected {
                code: if status.reason.is_empty() {
                    status.code.to_string()
                } else {
                    status.reason.clone()
                },
                message,
            },
            other if never_connected(other) => WriteError::NotSent(message),
            _ => WriteError::Unanswered(format!(
                "{what} in {} sent, but not answered ({}) — it may have been applied: check before sending it again",
                self.place.cluster,
                root_cause(&e)
            )),
        }
    }

    pub async fn rollout_restart(
        &self,
        kind: WorkloadKind,
        namespace: &str,
        name: &str,
        at: Timestamp,
    ) -> Result<(), WriteError> {
        let patch = serde_json::json!({
            "spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": at.to_string()}}}}
        });
        let what = format!("patch {} {namespace}/{name}", kind.as_str().to_lowercase());
        let pp = PatchParams::default();
        let result = match kind {
            WorkloadKind::Deployment => Api::<Deployment>::namespaced(self.client.clone(), namespace)
                .patch(name, &pp, &Patch::Merge(&patch))
                .await
                .map(drop),
            WorkloadKind::StatefulSet => Api::<StatefulSet>::namespaced(self.client.clone(), namespace)
                .patch(name, &pp, &Patch::Merge(&patch))
                .await
                .map(drop),
            WorkloadKind::DaemonSet => Api::<DaemonSet>::namespaced(self.client.clone(), namespace)
                .patch(name, &pp, &Patch::Merge(&patch))
                .await
                .map(drop),
        };
        result.map_err(|e| self.write_error(&what, e))
    }

    pub async fn scale(&self, kind: WorkloadKind, namespace: &str, name: &str, to: u32) -> Result<(), WriteError> {
        let patch = serde_json::json!({"spec": {"replicas": to}});
        let what = format!("scale {} {namespace}/{name}", kind.as_str().to_lowercase());
        let pp = PatchParams::default();
        let result = match kind {
            WorkloadKind::Deployment => Api::<Deployment>::namespaced(self.client.clone(), namespace)
                .patch_scale(name, &pp, &Patch::Merge(&patch))
                .await
                .map(drop),
            WorkloadKind::StatefulSet => Api::<StatefulSet>::namespaced(self.client.clone(), namespace)
                .patch_scale(name, &pp, &Patch::Merge(&patch))
                .await
                .map(drop),
            WorkloadKind::DaemonSet => {
                return Err(WriteError::NotSent("a daemonset has no replica count".into()));
            }
        };
        result.map_err(|e| self.write_error(&what, e))
    }

    pub async fn delete_pod(&self, namespace: &str, name: &str) -> Result<(), WriteError> {
        Api::<core::Pod>::namespaced(self.client.clone(), namespace)
            .delete(name, &DeleteParams::default())
            .await
            .map(drop)
            .map_err(|e| self.write_error(&format!("delete pod {namespace}/{name}"), e))
    }

    pub async fn cordon(&self, node: &str, cordon: bool) -> Result<(), WriteError> {
        let patch = serde_json::json!({"spec": {"unschedulable": cordon}});
        Api::<core::Node>::all(self.client.clone())
            .patch(node, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map(drop)
            .map_err(|e| self.write_error(&format!("patch node {node}"), e))
    }
}

/// Whether a request failed before a connection to the API server was made: nothing was sent.
fn never_connected(e: &kube::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        // hyper's client names a failed connection so: `client error (Connect)`.
        if c.to_string().contains("(Connect)") {
            return true;
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::AddrNotAvailable
            )
        {
            return true;
        }
        cause = c.source();
    }
    false
}
