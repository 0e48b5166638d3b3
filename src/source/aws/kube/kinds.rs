//! Any kind the cluster serves: its discovery (with the short names `kubectl` takes), its
//! objects as the API server prints them (the Table response: the columns of `kubectl
//! get`), and one object whole (its YAML, events, owners and what it owns).

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{APIGroupList, APIResourceList};
use serde::Deserialize;
use serde_json::Value;

use crate::domain::kinds::{KindInfo, KubeObject, KubeTable, TableColumn, TableRow, full_name, resolve};
use crate::domain::objects;
use crate::domain::{ErrorKind, FetchError};

use super::convert::event;
use super::{Conn, lock};

/// How long a cluster's discovery is trusted before it is read again (CRDs come and go).
const DISCOVERY_TTL: Duration = Duration::from_secs(300);

/// Objects a page of a table holds.
const PAGE: usize = 500;

/// `Accept` for the Table response, with JSON as the fallback an old server answers.
const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

#[derive(Deserialize)]
struct Table {
    #[serde(rename = "columnDefinitions", default)]
    columns: Vec<ColumnDefinition>,
    #[serde(default)]
    rows: Vec<Row>,
    #[serde(default)]
    metadata: ListMeta,
}

#[derive(Deserialize)]
struct ColumnDefinition {
    name: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    priority: u32,
}

#[derive(Deserialize)]
struct Row {
    cells: Vec<Value>,
    /// Its metadata, or (where bosun adds columns of its own) the whole object.
    #[serde(default)]
    object: Option<Value>,
}

#[derive(Deserialize, Default)]
struct Meta {
    #[serde(default)]
    name: String,
    namespace: Option<String>,
    #[serde(rename = "creationTimestamp")]
    created: Option<String>,
}

#[derive(Deserialize, Default)]
struct ListMeta {
    #[serde(rename = "continue")]
    cont: Option<String>,
}

impl Conn {
    fn get(&self, path: &str, accept: &str) -> http::Request<Vec<u8>> {
        http::Request::get(path)
            .header(http::header::ACCEPT, accept)
            .body(Vec::new())
            .unwrap_or_default()
    }

    /// Every kind the cluster serves, read again when older than a few minutes.
    pub async fn kinds(&self) -> Result<Arc<Vec<KindInfo>>, FetchError> {
        if let Some((at, kinds)) = lock(&self.discovery).as_ref()
            && at.elapsed() < DISCOVERY_TTL
        {
            return Ok(kinds.clone());
        }
        let what = "read the API discovery";
        let core: APIResourceList = self
            .client
            .request(self.get("/api/v1", "application/json"))
            .await
            .map_err(|e| self.error(what, &e))?;
        let groups: APIGroupList = self
            .client
            .request(self.get("/apis", "application/json"))
            .await
            .map_err(|e| self.error(what, &e))?;
        let mut lists = vec![("".to_string(), "v1".to_string(), core)];
        let versions: Vec<(String, String)> = groups
            .groups
            .iter()
            .filter_map(|g| {
                let v = g.preferred_version.as_ref().or(g.versions.first())?;
                Some((g.name.clone(), v.version.clone()))
            })
            .collect();
        let reads = versions.iter().map(|(group, version)| async move {
            let path = format!("/apis/{group}/{version}");
            let list: Result<APIResourceList, _> = self.client.request(self.get(&path, "application/json")).await;
            (group.clone(), version.clone(), list)
        });
        for (group, version, list) in futures::future::join_all(reads).await {
            match list {
                Ok(list) => lists.push((group, version, list)),
                // One group that does not answer (an aggregated API that is down) is not
                // the whole discovery's failure.
                Err(e) => tracing::warn!(%group, error = %e, "kubernetes discovery"),
            }
        }
        let mut kinds = Vec::new();
        for (group, version, list) in lists {
            let scaled: Vec<&str> = list
                .resources
                .iter()
                .filter_map(|r| r.name.strip_suffix("/scale"))
                .collect();
            for r in list.resources.iter().filter(|r| !r.name.contains('/')) {
                kinds.push(KindInfo {
                    group: group.clone(),
                    version: version.clone(),
                    kind: r.kind.clone(),
                    plural: r.name.clone(),
                    singular: if r.singular_name.is_empty() {
                        r.kind.to_lowercase()
                    } else {
                        r.singular_name.clone()
                    },
                    short_names: r.short_names.clone().unwrap_or_default(),
                    namespaced: r.namespaced,
                    verbs: r.verbs.clone(),
                    scale: scaled.contains(&r.name.as_str()),
                    name: full_name(&r.name, &group),
                });
            }
        }
        kinds.sort_by(|a, b| a.name.cmp(&b.name));
        let kinds = Arc::new(kinds);
        *lock(&self.discovery) = Some((Instant::now(), kinds.clone()));
        Ok(kinds)
    }

    /// The kind a name (as `kubectl get` takes it) stands for.
    pub async fn kind(&self, name: &str) -> Result<KindInfo, FetchError> {
        let kinds = self.kinds().await?;
        resolve(&kinds, name)
            .cloned()
            .map_err(|message| FetchError::new(ErrorKind::NotFound, format!("{message} ({})", self.place.cluster)))
    }

    /// The objects of a kind (in a namespace, or all), as the API server prints them.
    pub async fn table(&self, kind: &str, namespace: Option<&str>) -> Result<KubeTable, FetchError> {
        let info = self.kind(kind).await?;
        let what = format!("list {}", info.name);
        // Where bosun adds columns it reads the objects whole, in the same responses.
        let whole = objects::adds_columns(&info.name);
        let endpoints = match info.name.as_str() {
            "services" => {
                let path = format!("/apis/discovery.k8s.io/v1{}/endpointslices", scope(namespace));
                objects::count_endpoints(&self.list_all(&path, "list endpointslices").await?)
            }
            _ => objects::Endpoints::new(),
        };
        let now = jiff::Timestamp::now();
        let mut shared: Option<(Arc<[TableColumn]>, usize)> = None;
        let mut rows = Vec::new();
        let mut cont: Option<String> = None;
        loop {
            let mut path = format!("{}?limit={PAGE}", info.path(namespace));
            if whole {
                path.push_str("&includeObject=Object");
            }
            if let Some(c) = &cont {
                path.push_str(&format!("&continue={}", urlencode(c)));
            }
            let table: Table = self
                .client
                .request(self.get(&path, TABLE))
                .await
                .map_err(|e| self.error(&what, &e))?;
            let (columns, at) = shared.get_or_insert_with(|| {
                let mut columns: Vec<TableColumn> = table
                    .columns
                    .iter()
                    .map(|c| TableColumn {
                        name: c.name.clone(),
                        kind: c.kind.clone(),
                        priority: c.priority,
                        added: false,
                    })
                    .collect();
                let at = if whole {
                    objects::add_columns(&info.name, &mut columns)
                } else {
                    columns.len()
                };
                (columns.into(), at)
            });
            for row in table.rows {
                let object = row.object.unwrap_or_default();
                let meta = Meta::deserialize(&object["metadata"]).unwrap_or_default();
                let key = match &meta.namespace {
                    Some(ns) => format!("{ns}/{}", meta.name),
                    None => meta.name.clone(),
                };
                let mut cells: Vec<String> = row.cells.iter().map(cell).collect();
                if whole {
                    let added = objects::added_cells(&info.name, &object, &endpoints, now);
                    let at = (*at).min(cells.len());
                    cells.splice(at..at, added);
                }
                rows.push(Arc::new(TableRow {
                    key,
                    namespace: meta.namespace,
                    created_at: meta.created.and_then(|t| t.parse().ok()),
                    name: meta.name,
                    cells,
                    columns: columns.clone(),
                }));
            }
            cont = table.metadata.cont.filter(|c| !c.is_empty());
            if cont.is_none() {
                break;
            }
        }
        Ok(KubeTable {
            kind: info.name,
            columns: shared.map(|(c, _)| c.to_vec()).unwrap_or_default(),
            rows,
        })
    }

    /// Every object of a list, page by page, as JSON.
    async fn list_all(&self, path: &str, what: &str) -> Result<Vec<Value>, FetchError> {
        let mut items = Vec::new();
        let mut cont: Option<String> = None;
        loop {
            let mut page = format!("{path}?limit={PAGE}");
            if let Some(c) = &cont {
                page.push_str(&format!("&continue={}", urlencode(c)));
            }
            let mut list: Value = self
                .client
                .request(self.get(&page, "application/json"))
                .await
                .map_err(|e| self.error(what, &e))?;
            if let Some(Value::Array(more)) = list.get_mut("items").map(Value::take) {
                items.extend(more);
            }
            cont = list["metadata"]["continue"]
                .as_str()
                .filter(|c| !c.is_empty())
                .map(str::to_string);
            if cont.is_none() {
                return Ok(items);
            }
        }
    }

    /// One object as the API server returns it (`:yaml`): managed fields left out unless
    /// `managed`, a Secret's values masked always.
    pub async fn raw(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        managed: bool,
    ) -> Result<crate::domain::raw::RawDoc, FetchError> {
        let info = self.kind(kind).await?;
        let path = format!("{}/{name}", info.path(namespace));
        let mut object: Value = self
            .client
            .request(self.get(&path, "application/json"))
            .await
            .map_err(|e| self.error(&format!("get {} {name}", info.name), &e))?;
        if !managed && let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
        }
        if info.name == "secrets" {
            objects::mask_secret(&mut object);
            // kubectl apply keeps the whole Secret, values too, in an annotation.
            if let Some(applied) = object
                .pointer_mut("/metadata/annotations")
                .and_then(Value::as_object_mut)
                .and_then(|a| a.get_mut("kubectl.kubernetes.io/last-applied-configuration"))
            {
                *applied = Value::String("<hidden: it holds the Secret's values>".into());
            }
        }
        Ok(crate::domain::raw::RawDoc {
            value: object,
            source: format!("GET {path}"),
        })
    }

    /// One object whole: its YAML (managed fields left out, secret values masked), its
    /// events, its owners and what it owns.
    pub async fn object(&self, kind: &str, namespace: Option<&str>, name: &str) -> Result<KubeObject, FetchError> {
        let info = self.kind(kind).await?;
        let what = format!("get {} {name}", info.name);
        let path = format!("{}/{name}", info.path(namespace));
        let mut object: Value = self
            .client
            .request(self.get(&path, "application/json"))
            .await
            .map_err(|e| self.error(&what, &e))?;
        let owners = owner_refs(&object)
            .into_iter()
            .map(|(kind, name, _)| format!("{kind}/{name}"))
            .collect();
        let uid = object["metadata"]["uid"].as_str().unwrap_or_default().to_string();
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
        }
        let summary = objects::summary(&info.name, &object, jiff::Timestamp::now());
        let secret = if info.name == "secrets" {
            let entries = objects::secret_entries(&object);
            objects::mask_secret(&mut object);
            entries
        } else {
            Vec::new()
        };
        let events = match namespace {
            Some(ns) if info.namespaced => self.events_of(ns, &info.kind, name).await,
            _ => Vec::new(),
        };
        let owned = self.owned(&info, namespace, name, &uid, &object).await;
        Ok(KubeObject {
            kind: info.name,
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
            yaml: crate::util::yaml::to_yaml(&object),
            events,
            owners,
            owned,
            summary,
            secret,
        })
    }

    async fn events_of(&self, namespace: &str, kind: &str, name: &str) -> Vec<crate::domain::kube::KubeEvent> {
        let path = format!(
            "/api/v1/namespaces/{namespace}/events?fieldSelector={}",
            urlencode(&format!("involvedObject.name={name},involvedObject.kind={kind}"))
        );
        match self
            .client
            .request::<k8s_openapi::List<core::Event>>(self.get(&path, "application/json"))
            .await
        {
            Ok(list) => {
                let mut events: Vec<_> = list.items.iter().map(event).collect();
                events.sort_by_key(|e| std::cmp::Reverse(e.last_seen));
                events
            }
            Err(e) => {
                tracing::warn!(error = %e, "events of an object");
                Vec::new()
            }
        }
    }

    /// What an object owns, where a kind's children are known: a Deployment's ReplicaSets,
    /// the pods of a ReplicaSet, StatefulSet, DaemonSet or Job, a CronJob's Jobs; and for a
    /// Service the endpoints behind it, for an Ingress its paths and their services.
    async fn owned(
        &self,
        info: &KindInfo,
        namespace: Option<&str>,
        name: &str,
        uid: &str,
        object: &Value,
    ) -> Vec<String> {
        let Some(ns) = namespace else { return Vec::new() };
        let children = match (info.group.as_str(), info.kind.as_str()) {
            ("apps", "Deployment") => "/apis/apps/v1/namespaces/{ns}/replicasets",
            ("apps", "ReplicaSet" | "StatefulSet" | "DaemonSet") | ("batch", "Job") => "/api/v1/namespaces/{ns}/pods",
            ("batch", "CronJob") => "/apis/batch/v1/namespaces/{ns}/jobs",
            ("", "Service") => return self.endpoints(ns, name).await,
            ("networking.k8s.io", "Ingress") => {
                return objects::ingress_backends(object)
                    .into_iter()
                    .map(|b| format!("Service/{} ← {}{} (port {})", b.service, b.host, b.path, b.port))
                    .collect();
            }
            _ => return Vec::new(),
        };
        let path = children.replace("{ns}", ns);
        let list: Value = match self.client.request(self.get(&path, "application/json")).await {
            Ok(list) => list,
            Err(e) => {
                tracing::warn!(error = %e, "what an object owns");
                return Vec::new();
            }
        };
        let mut owned: Vec<String> = list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|item| owner_refs(item).iter().any(|(_, _, u)| u == uid))
            .map(|item| {
                let kind = item["kind"].as_str().unwrap_or(match children {
                    p if p.ends_with("/pods") => "Pod",
                    p if p.ends_with("/jobs") => "Job",
                    _ => "ReplicaSet",
                });
                format!("{kind}/{}", item["metadata"]["name"].as_str().unwrap_or_default())
            })
            .collect();
        owned.sort();
        owned
    }

    /// The endpoints behind a Service, from its EndpointSlices: `address:port`, ready or not.
    async fn endpoints(&self, namespace: &str, service: &str) -> Vec<String> {
        let path = format!(
            "/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices?labelSelector={}",
            urlencode(&format!("kubernetes.io/service-name={service}"))
        );
        let Ok(list) = self.client.request::<Value>(self.get(&path, "application/json")).await else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for slice in list["items"].as_array().into_iter().flatten() {
            let ports: Vec<i64> = slice["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["port"].as_i64())
                .collect();
            for endpoint in slice["endpoints"].as_array().into_iter().flatten() {
                let ready = endpoint["conditions"]["ready"].as_bool().unwrap_or(true);
                for address in endpoint["addresses"].as_array().into_iter().flatten() {
                    let address = address.as_str().unwrap_or_default();
                    let target = endpoint["targetRef"]["name"]
                        .as_str()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default();
                    for port in &ports {
                        out.push(format!(
                            "Endpoint/{address}:{port} {}{target}",
                            if ready { "ready" } else { "not ready" }
                        ));
                    }
                }
            }
        }
        out
    }
}

/// An object's owner references: (kind, name, uid).
fn owner_refs(object: &Value) -> Vec<(String, String, String)> {
    object["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (s("kind"), s("name"), s("uid"))
        })
        .collect()
}

/// A Table cell as text.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => "<none>".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// `/namespaces/NS` for a namespace, nothing for all.
fn scope(namespace: Option<&str>) -> String {
    namespace.map(|ns| format!("/namespaces/{ns}")).unwrap_or_default()
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
