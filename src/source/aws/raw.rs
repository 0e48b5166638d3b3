//! Resources as their API returned them (`:json`): the same describe call bosun makes, its
//! response body kept as it came (an interceptor reads it after the SDK has), so field
//! names are AWS's own. ECS, EKS and App Runner answer JSON; Elastic Load Balancing
//! answers XML, turned into JSON element by element (`member` lists as arrays).

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::Value;

use super::AwsBackend;
use super::error::Call;
use crate::domain::raw::{RawDoc, RawTarget};
use crate::domain::{ErrorKind, FetchError};
use crate::util::arn_tail;

/// Keeps the body of the response it sees.
#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Option<Vec<u8>>>>);

impl Capture {
    fn body(&self) -> Option<Vec<u8>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl Intercept for Capture {
    fn name(&self) -> &'static str {
        "bosun::Capture"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(bytes) = context.response().body().bytes() {
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(bytes.to_vec());
        }
        Ok(())
    }
}

fn missing(what: &str) -> FetchError {
    FetchError::new(
        ErrorKind::NotFound,
        format!("{what}: not found (the call answered without it)"),
    )
}

fn json(body: Option<Vec<u8>>, what: &str) -> Result<Value, FetchError> {
    let body = body.ok_or_else(|| FetchError::new(ErrorKind::Service, format!("{what}: no response body")))?;
    serde_json::from_slice(&body)
        .map_err(|e| FetchError::new(ErrorKind::Service, format!("{what}: the answer is not JSON ({e})")))
}

/// The object under `key` in a describe call's answer, or not found.
fn field(mut body: Value, key: &str, what: &str) -> Result<Value, FetchError> {
    body.get_mut(key).map(Value::take).ok_or_else(|| missing(what))
}

/// The first item of `list` in a describe call's answer, or not found.
fn first(mut body: Value, list: &str, what: &str) -> Result<Value, FetchError> {
    match body.get_mut(list).and_then(Value::as_array_mut) {
        Some(items) if !items.is_empty() => Ok(items.swap_remove(0)),
        _ => Err(missing(what)),
    }
}

impl AwsBackend {
    pub(crate) async fn raw(&self, target: &RawTarget) -> Result<RawDoc, FetchError> {
        let (region, c) = match target {
            RawTarget::Repository { account, region, .. } => (region.as_str(), self.clients(account, region)?),
            other => self.clients_for(other.arn()).await?,
        };
        let capture = Capture::default();
        let call = |what: &'static str| Call::new(what, region, &c.who);
        // Send a describe call with the capture on it: the body as it came.
        macro_rules! send {
            ($request:expr, $op:expr) => {{
                $request
                    .customize()
                    .interceptor(capture.clone())
                    .send()
                    .await
                    .map_err(|e| call($op).of(e))?;
                capture.body()
            }};
        }
        let doc = |value: Value, source: &str| RawDoc {
            value,
            source: source.to_string(),
        };
        match target {
            RawTarget::EcsCluster { arn } => {
                const OP: &str = "ECS DescribeClusters";
                use aws_sdk_ecs::types::ClusterField;
                let body = send!(
                    c.ecs
                        .describe_clusters()
                        .clusters(arn)
                        .include(ClusterField::Settings)
                        .include(ClusterField::Configurations)
                        .include(ClusterField::Tags),
                    OP
                );
                Ok(doc(first(json(body, OP)?, "clusters", OP)?, OP))
            }
            RawTarget::Service { cluster, arn } => {
                const OP: &str = "ECS DescribeServices";
                let body = send!(
                    c.ecs
                        .describe_services()
                        .cluster(cluster)
                        .services(arn)
                        .include(aws_sdk_ecs::types::ServiceField::Tags),
                    OP
                );
                Ok(doc(first(json(body, OP)?, "services", OP)?, OP))
            }
            RawTarget::Task { cluster, arn } => {
                const OP: &str = "ECS DescribeTasks";
                let body = send!(
                    c.ecs
                        .describe_tasks()
                        .cluster(cluster)
                        .tasks(arn)
                        .include(aws_sdk_ecs::types::TaskField::Tags),
                    OP
                );
                Ok(doc(first(json(body, OP)?, "tasks", OP)?, OP))
            }
            RawTarget::TaskDefinition { arn } => {
                const OP: &str = "ECS DescribeTaskDefinition";
                let body = send!(
                    c.ecs
                        .describe_task_definition()
                        .task_definition(arn)
                        .include(aws_sdk_ecs::types::TaskDefinitionField::Tags),
                    OP
                );
                Ok(doc(json(body, OP)?, OP))
            }
            RawTarget::ContainerInstance { cluster, arn } => {
                const OP: &str = "ECS DescribeContainerInstances";
                let body = send!(
                    c.ecs
                        .describe_container_instances()
                        .cluster(cluster)
                        .container_instances(arn),
                    OP
                );
                Ok(doc(first(json(body, OP)?, "containerInstances", OP)?, OP))
            }
            RawTarget::TargetGroup { arn } => {
                const OP: &str = "ELB DescribeTargetGroups";
                let body = send!(c.elb.describe_target_groups().target_group_arns(arn), OP);
                let answer = xml_to_json(&String::from_utf8_lossy(&body.unwrap_or_default()))
                    .ok_or_else(|| FetchError::new(ErrorKind::Service, format!("{OP}: the answer is not XML")))?;
                let groups = answer
                    .pointer("/DescribeTargetGroupsResponse/DescribeTargetGroupsResult/TargetGroups")
                    .and_then(Value::as_array)
                    .and_then(|a| a.first())
                    .cloned()
                    .ok_or_else(|| missing(OP))?;
                Ok(doc(groups, OP))
            }
            RawTarget::EksCluster { arn } => {
                const OP: &str = "EKS DescribeCluster";
                let body = send!(c.eks.describe_cluster().name(arn_tail(arn)), OP);
                Ok(doc(field(json(body, OP)?, "cluster", OP)?, OP))
            }
            RawTarget::NodeGroup { cluster, name } => {
                const OP: &str = "EKS DescribeNodegroup";
                let body = send!(
                    c.eks
                        .describe_nodegroup()
                        .cluster_name(arn_tail(cluster))
                        .nodegroup_name(name),
                    OP
                );
                Ok(doc(field(json(body, OP)?, "nodegroup", OP)?, OP))
            }
            RawTarget::AppRunner { arn } => {
                const OP: &str = "App Runner DescribeService";
                let body = send!(c.apprunner.describe_service().service_arn(arn), OP);
                Ok(doc(field(json(body, OP)?, "Service", OP)?, OP))
            }
            RawTarget::Repository { name, .. } => {
                const OP: &str = "ECR DescribeRepositories";
                let body = send!(c.ecr.describe_repositories().repository_names(name), OP);
                Ok(doc(first(json(body, OP)?, "repositories", OP)?, OP))
            }
            RawTarget::Kube {
                cluster,
                kind,
                namespace,
                name,
                managed,
            } => {
                self.kube(cluster)
                    .await?
                    .raw(kind, namespace.as_deref(), name, *managed)
                    .await
            }
        }
    }
}

/// An AWS Query protocol answer as JSON: an element with elements inside is an object of
/// them (a `member` list an array), one with text only is its text; attributes, comments
/// and declarations are left out. None for text that is not well-formed enough to read.
pub(crate) fn xml_to_json(xml: &str) -> Option<Value> {
    let mut parser = Xml { text: xml, at: 0 };
    parser.skip_prolog();
    let (name, value) = parser.element()?;
    let mut root = serde_json::Map::new();
    root.insert(name, value);
    Some(Value::Object(root))
}

struct Xml<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Xml<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn skip_prolog(&mut self) {
        loop {
            let rest = self.rest().trim_start();
            self.at = self.text.len() - rest.len();
            if rest.starts_with("<?") || rest.starts_with("<!--") {
                let end = if rest.starts_with("<?") { "?>" } else { "-->" };
                match rest.find(end) {
                    Some(i) => self.at += i + end.len(),
                    None => return,
                }
            } else {
                return;
            }
        }
    }

    /// `<name ...>children or text</name>` (or `<name/>`) at the cursor.
    fn element(&mut self) -> Option<(String, Value)> {
        self.skip_prolog();
        let rest = self.rest();
        let open = rest.strip_prefix('<')?;
        let close = open.find('>')?;
        let tag = &open[..close];
        let self_closing = tag.ends_with('/');
        let name = tag.trim_end_matches('/').split_whitespace().next()?.to_string();
        self.at += 1 + close + 1;
        if self_closing {
            return Some((name, Value::String(String::new())));
        }
        let end_tag = format!("</{name}>");
        let mut children: Vec<(String, Value)> = Vec::new();
        let mut text = String::new();
        loop {
            let rest = self.rest();
            if rest.starts_with(&end_tag) {
                self.at += end_tag.len();
                break;
            }
            if rest.starts_with("<!--") {
                self.skip_prolog();
                continue;
            }
            if rest.starts_with('<') {
                children.push(self.element()?);
                continue;
            }
            let next = rest.find('<')?;
            text.push_str(&rest[..next]);
            self.at += next;
        }
        if children.is_empty() {
            return Some((name, Value::String(unescape(text.trim()))));
        }
        if children.iter().all(|(n, _)| n == "member") {
            return Some((name, Value::Array(children.into_iter().map(|(_, v)| v).collect())));
        }
        let mut object = serde_json::Map::new();
        for (child, value) in children {
            object.insert(child, value);
        }
        Some((name, Value::Object(object)))
    }
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#xD;", "\r")
        .replace("&#xA;", "\n")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_answer_reads_as_json_with_member_lists_as_arrays() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeTargetGroupsResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeTargetGroupsResult>
    <TargetGroups>
      <member>
        <TargetGroupArn>arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/abc</TargetGroupArn>
        <LoadBalancerArns><member>arn:lb/1</member></LoadBalancerArns>
        <Matcher><HttpCode>200&amp;300</HttpCode></Matcher>
        <Empty/>
      </member>
    </TargetGroups>
  </DescribeTargetGroupsResult>
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</DescribeTargetGroupsResponse>"#;
        let value = xml_to_json(xml).unwrap();
        let group = &value["DescribeTargetGroupsResponse"]["DescribeTargetGroupsResult"]["TargetGroups"][0];
        assert_eq!(
            group["TargetGroupArn"],
            "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/abc"
        );
        assert_eq!(group["LoadBalancerArns"][0], "arn:lb/1");
        assert_eq!(group["Matcher"]["HttpCode"], "200&300");
        assert_eq!(group["Empty"], "");
        assert!(xml_to_json("<a><b>").is_none());
    }
}
