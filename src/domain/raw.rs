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
    /// The document as text in `format` (JSON indented by two, or YAML as kubectl prints
    /// it), environment values masked unless `reveal`, and no control character that a
    /// terminal would act on.
    pub fn text(&self, format: RawFormat, reveal: bool) -> String {
        let masked;
        let value = if reveal {
            &self.value
        } else {
            masked = {
                let mut v = self.value.clone();
                mask_environment(&mut v);
                v
            };
            &masked
        };
        let text = match format {
            RawFormat::Json => serde_json::to_string_pretty(value).unwrap_or_default(),
            RawFormat::Yaml => crate::util::yaml::to_yaml(value),
        };
        text.chars()
            .map(|c| {
                if c.is_control() && c != '\n' && c != '\t' {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect()
    }
}

/// What stands for a masked value.
pub const MASK: &str = "••••••";

/// Mask environment values wherever a resource carries them: a task definition's
/// containers' `environment` and a pod's containers' `env` (`{name, value}` lists; a
/// reference `valueFrom` stays), App Runner's `RuntimeEnvironmentVariables`.
pub fn mask_environment(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match (key.as_str(), child) {
                    ("environment" | "env", Value::Array(items)) => {
                        for item in items {
                            if let Some(v) = item.get_mut("value").filter(|v| v.is_string()) {
                                *v = Value::String(MASK.into());
                            }
                        }
                    }
                    ("RuntimeEnvironmentVariables", Value::Object(vars)) => {
                        for v in vars.values_mut() {
                            *v = Value::String(MASK.into());
                        }
                    }
                    (_, child) => mask_environment(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_environment),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_values_are_masked_until_revealed_and_control_characters_never_shown() {
        let doc = RawDoc {
            value: serde_json::json!({
                "containerDefinitions": [{"environment": [{"name": "DB_PASSWORD", "value": "hunter2"}]}],
                "spec": {"containers": [{"env": [
                    {"name": "TOKEN", "value": "s3cret"},
                    {"name": "FROM", "valueFrom": {"secretKeyRef": {"name": "x"}}}
                ]}]},
                "SourceConfiguration": {"ImageRepository": {"ImageConfiguration": {"RuntimeEnvironmentVariables": {"KEY": "v"}}}},
                "note": "bell\u{7}and escape\u{1b}[2J"
            }),
            source: "test".into(),
        };
        let masked = doc.text(RawFormat::Yaml, false);
        assert!(
            !masked.contains("hunter2") && !masked.contains("s3cret") && !masked.contains("KEY: v"),
            "{masked}"
        );
        assert!(
            masked.contains("DB_PASSWORD") && masked.contains("secretKeyRef"),
            "{masked}"
        );
        assert!(!masked.contains('\u{1b}') && !masked.contains('\u{7}'), "{masked:?}");
        let shown = doc.text(RawFormat::Json, true);
        assert!(shown.contains("hunter2") && shown.contains("s3cret"), "{shown}");
    }
}
