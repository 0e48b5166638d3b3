//! The raw resource: any AWS resource as its API returned it (JSON, in AWS's field names),
//! any Kubernetes object as `kubectl get -o yaml` shows it.

/// A resource whose raw form is asked for (`:json`, `:yaml`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RawTarget {
    EcsCluster {
        arn: String,
    },
    Service {
        cluster: String,
        arn: String,
    },
    Task {
        cluster: String,
        arn: String,
    },
    TaskDefinition {
        arn: String,
    },
    ContainerInstance {
        cluster: String,
        arn: String,
    },
    TargetGroup {
        arn: String,
    },
    EksCluster {
        arn: String,
    },
    NodeGroup {
        cluster: String,
        name: String,
    },
    AppRunner {
        arn: String,
    },
    /// An ECR repository, by name, in an account (by its name in the fleet) and region.
    Repository {
        account: String,
        region: String,
        name: String,
    },
    /// A Kubernetes object; `managed`: with its managedFields.
    Kube {
        cluster: String,
        kind: String,
        namespace: Option<String>,
        name: String,
        managed: bool,
    },
}

impl RawTarget {
    /// What it is, for the header: `task 1a2b3c4d`, `pods shop/web-1`.
    pub fn label(&self) -> String {
        use crate::util::arn_tail;
        match self {
            RawTarget::EcsCluster { arn } => format!("cluster {}", arn_tail(arn)),
            RawTarget::Service { arn, .. } => format!("service {}", arn_tail(arn)),
            RawTarget::Task { arn, .. } => format!("task {}", arn_tail(arn)),
            RawTarget::TaskDefinition { arn } => format!("task definition {}", crate::util::task_def_short(arn)),
            RawTarget::ContainerInstance { arn, .. } => format!("container instance {}", arn_tail(arn)),
            RawTarget::TargetGroup { arn } => format!("target group {}", crate::util::arn_tail_n(arn, 2)),
            RawTarget::EksCluster { arn } => format!("EKS cluster {}", arn_tail(arn)),
            RawTarget::NodeGroup { name, .. } => format!("node group {name}"),
            RawTarget::AppRunner { arn } => format!("App Runner service {}", super::apprunner::name_of(arn)),
            RawTarget::Repository { name, .. } => format!("ECR repository {name}"),
            RawTarget::Kube {
                kind, namespace, name, ..
            } => match namespace {
                Some(ns) => format!("{kind} {ns}/{name}"),
                None => format!("{kind} {name}"),
            },
        }
    }

    /// The cluster or resource ARN whose account and region answer for it.
    pub fn arn(&self) -> &str {
        match self {
            RawTarget::EcsCluster { arn }
            | RawTarget::TaskDefinition { arn }
            | RawTarget::TargetGroup { arn }
            | RawTarget::EksCluster { arn }
            | RawTarget::AppRunner { arn }
            | RawTarget::Service { arn, .. }
            | RawTarget::Task { arn, .. }
            | RawTarget::ContainerInstance { arn, .. } => arn,
            RawTarget::NodeGroup { cluster, .. } | RawTarget::Kube { cluster, .. } => cluster,
            // No ARN of its own here: it is found by account and region.
            RawTarget::Repository { name, .. } => name,
        }
    }

    pub fn is_kube(&self) -> bool {
        matches!(self, RawTarget::Kube { .. })
    }
}

/// A raw resource as read: the document, and the call that returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawDoc {
    pub value: serde_json::Value,
    /// `ECS DescribeTasks`, `GET /api/v1/namespaces/shop/pods/web-1`.
    pub source: String,
}

/// How a raw resource is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RawFormat {
    Json,
    Yaml,
}

impl RawDoc {
    /// The document as text in `format`: JSON indented by two, or YAML as kubectl prints it.
    pub fn text(&self, format: RawFormat) -> String {
        match format {
            RawFormat::Json => serde_json::to_string_pretty(&self.value).unwrap_or_default(),
            RawFormat::Yaml => crate::util::yaml::to_yaml(&self.value),
        }
    }
}
