//! Kubernetes actions: each request sent once, and how it ended when it did not succeed.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job, JobSpec};
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};

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

impl Conn {
    /// Delete an object of any kind, by the name discovery has for it; what it owns is
    /// deleted after it (background propagation, as `kubectl delete`).
    pub async fn delete_object(&self, kind: &str, namespace: Option<&str>, name: &str) -> Result<(), WriteError> {
        let (api, what) = self.dynamic("delete", kind, namespace, name).await?;
        api.delete(name, &DeleteParams::background())
            .await
            .map(drop)
            .map_err(|e| self.write_error(&what, e))
    }

    /// Set the replicas of an object of any kind through its scale subresource.
    pub async fn scale_object(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        to: u32,
    ) -> Result<(), WriteError> {
        let (api, what) = self.dynamic("scale", kind, namespace, name).await?;
        let patch = serde_json::json!({"spec": {"replicas": to}});
        api.patch_scale(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map(drop)
            .map_err(|e| self.write_error(&what, e))
    }

    /// The objects of a kind (by the name discovery has for it) in a namespace or all, and
    /// how a `verb` on one is named in messages.
    async fn dynamic(
        &self,
        verb: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<(Api<DynamicObject>, String), WriteError> {
        let info = self.kind(kind).await.map_err(|e| WriteError::NotSent(e.message))?;
        let resource = ApiResource {
            group: info.group.clone(),
            version: info.version.clone(),
            api_version: info.api_version(),
            kind: info.kind.clone(),
            plural: info.plural.clone(),
        };
        let api: Api<DynamicObject> = match namespace.filter(|_| info.namespaced) {
            Some(ns) => Api::namespaced_with(self.client.clone(), ns, &resource),
            None => Api::all_with(self.client.clone(), &resource),
        };
        let what = match namespace {
            Some(ns) => format!("{verb} {} {ns}/{name}", info.name),
            None => format!("{verb} {} {name}", info.name),
        };
        Ok((api, what))
    }

    /// A Job from a CronJob's template, as `kubectl create job --from=cronjob/NAME` makes
    /// it (owned by the CronJob, marked as started by hand); its name.
    pub async fn trigger_cronjob(&self, namespace: &str, name: &str, at: Timestamp) -> Result<String, WriteError> {
        let cronjobs: Api<CronJob> = Api::namespaced(self.client.clone(), namespace);
        // Reading the template sends nothing: a failure here changed nothing.
        let cronjob = cronjobs
            .get(name)
            .await
            .map_err(|e| WriteError::NotSent(self.error(&format!("get cronjob {namespace}/{name}"), &e).message))?;
        let template = cronjob
            .spec
            .as_ref()
            .map(|s| s.job_template.clone())
            .unwrap_or_default();
        let mut annotations = template
            .metadata
            .as_ref()
            .and_then(|m| m.annotations.clone())
            .unwrap_or_default();
        annotations.insert("cronjob.kubernetes.io/instantiate".into(), "manual".into());
        let job_name = crate::domain::kinds::manual_job_name(name, at);
        let job = Job {
            metadata: ObjectMeta {
                name: Some(job_name.clone()),
                namespace: Some(namespace.to_string()),
                labels: template.metadata.as_ref().and_then(|m| m.labels.clone()),
                annotations: Some(annotations),
                owner_references: Some(vec![OwnerReference {
                    api_version: "batch/v1".into(),
                    kind: "CronJob".into(),
                    name: name.to_string(),
                    uid: cronjob.metadata.uid.clone().unwrap_or_default(),
                    controller: Some(true),
                    block_owner_deletion: None,
                }]),
                ..ObjectMeta::default()
            },
            spec: Some(template.spec.unwrap_or_else(JobSpec::default)),
            status: None,
        };
        Api::<Job>::namespaced(self.client.clone(), namespace)
            .create(&PostParams::default(), &job)
            .await
            .map_err(|e| self.write_error(&format!("create job {namespace}/{job_name}"), e))?;
        Ok(job_name)
    }

    pub async fn suspend_cronjob(&self, namespace: &str, name: &str, suspend: bool) -> Result<(), WriteError> {
        let patch = serde_json::json!({"spec": {"suspend": suspend}});
        Api::<CronJob>::namespaced(self.client.clone(), namespace)
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map(drop)
            .map_err(|e| self.write_error(&format!("patch cronjob {namespace}/{name}"), e))
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
