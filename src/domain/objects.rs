//! What bosun reads from the objects of the kinds an on-call engineer looks at most, past
//! the columns the API server prints for them: the columns it adds to their tables (a
//! Service's ready endpoints, an Ingress's backends, a Secret's keys and sizes, a Job's
//! failed pods, a PDB's healthy pods, a NodePool's limits and usage) and the facts one
//! object's screen opens with. Both sources (an API server, the simulated cluster) read
//! objects through here, so the two cannot disagree.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use serde_json::Value;

use super::kinds::TableColumn;
use crate::util::fmt_age;

/// A column bosun adds to a kind's table: its name, its type as a Table column's
/// (`string`, `integer`), and its priority (0: shown like the printed ones; more: among the
/// first to go when the terminal is narrow).
type Extra = (&'static str, &'static str, u32);

/// The columns bosun adds to a kind (its `plural.group`), in order.
fn extras(kind: &str) -> &'static [Extra] {
    match kind {
        "services" => &[("Endpoints", "string", 0)],
        "ingresses.networking.k8s.io" => &[("Backends", "string", 1)],
        "configmaps" | "secrets" => &[("Keys", "string", 1)],
        "jobs.batch" => &[("Active", "integer", 0), ("Failed", "integer", 0)],
        "cronjobs.batch" => &[("Last Success", "string", 0)],
        "poddisruptionbudgets.policy" => &[("Healthy", "string", 0)],
        "nodepools.karpenter.sh" => &[
            ("Limits", "string", 0),
            ("Usage", "string", 0),
            ("Disruption", "string", 1),
        ],
        _ => &[],
    }
}

/// Whether bosun adds columns to a kind: its table is then read with the objects whole.
pub fn adds_columns(kind: &str) -> bool {
    !extras(kind).is_empty()
}

/// A kind's printed columns with bosun's added before `Age` (which stays last); where
/// they went, to put each row's cells there too.
pub fn add_columns(kind: &str, columns: &mut Vec<TableColumn>) -> usize {
    let at = columns.iter().position(|c| c.name == "Age").unwrap_or(columns.len());
    let added = extras(kind).iter().map(|&(name, kind, priority)| TableColumn {
        name: name.to_string(),
        kind: kind.to_string(),
        priority,
        added: true,
    });
    columns.splice(at..at, added);
    at
}

/// The ready and all endpoints behind each Service, by `namespace/name`.
pub type Endpoints = HashMap<String, (usize, usize)>;

/// The endpoints behind each Service, counted from its EndpointSlices (an address is ready
/// unless its `ready` condition says not).
pub fn count_endpoints<'a>(slices: impl IntoIterator<Item = &'a Value>) -> Endpoints {
    let mut out = Endpoints::new();
    for slice in slices {
        let meta = &slice["metadata"];
        let (Some(ns), Some(service)) = (
            meta["namespace"].as_str(),
            meta["labels"]["kubernetes.io/service-name"].as_str(),
        ) else {
            continue;
        };
        let counts = out.entry(format!("{ns}/{service}")).or_default();
        for endpoint in slice["endpoints"].as_array().into_iter().flatten() {
            let addresses = endpoint["addresses"].as_array().map_or(0, Vec::len);
            counts.1 += addresses;
            if endpoint["conditions"]["ready"].as_bool() != Some(false) {
                counts.0 += addresses;
            }
        }
    }
    out
}

/// The cells bosun adds to one object's row, one per added column.
pub fn added_cells(kind: &str, object: &Value, endpoints: &Endpoints, now: Timestamp) -> Vec<String> {
    let status = &object["status"];
    let count = |v: &Value| v.as_i64().unwrap_or(0).to_string();
    match kind {
        "services" => {
            let meta = &object["metadata"];
            let key = format!(
                "{}/{}",
                meta["namespace"].as_str().unwrap_or_default(),
                meta["name"].as_str().unwrap_or_default()
            );
            let cell = match endpoints.get(&key) {
                Some((ready, all)) => format!("{ready}/{all}"),
                // A Service with a selector and no slice has no endpoint at all.
                None if object["spec"]["selector"].is_object() => "0/0".into(),
                None => "<none>".into(),
            };
            vec![cell]
        }
        "ingresses.networking.k8s.io" => {
            let backends: Vec<String> = ingress_backends(object)
                .iter()
                .map(|b| format!("{}→{}:{}", b.path, b.service, b.port))
                .collect();
            vec![none_if_empty(backends.join(" "))]
        }
        "configmaps" => {
            let keys: Vec<String> = ["data", "binaryData"]
                .iter()
                .flat_map(|f| object[*f].as_object().into_iter().flat_map(|m| m.keys().cloned()))
                .collect();
            vec![none_if_empty(keys.join(", "))]
        }
        "secrets" => {
            let keys: Vec<String> = secret_entries(object)
                .iter()
                .map(|e| format!("{} {}", e.key, bytes(e.bytes)))
                .collect();
            vec![none_if_empty(keys.join(", "))]
        }
        "jobs.batch" => vec![count(&status["active"]), count(&status["failed"])],
        "cronjobs.batch" => vec![time_ago(&status["lastSuccessfulTime"], now)],
        "poddisruptionbudgets.policy" => vec![format!(
            "{}/{}",
            count(&status["currentHealthy"]),
            count(&status["expectedPods"])
        )],
        "nodepools.karpenter.sh" => vec![
            none_if_empty(resources(&object["spec"]["limits"])),
            none_if_empty(resources(&status["resources"])),
            none_if_empty(disruption(&object["spec"]["disruption"])),
        ],
        _ => Vec::new(),
    }
}

/// The facts one object's screen opens with, a line each, for the kinds bosun knows.
pub fn summary(kind: &str, object: &Value, now: Timestamp) -> Vec<String> {
    let spec = &object["spec"];
    let status = &object["status"];
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    };
    let mut out = Vec::new();
    match kind {
        "services" => {
            out.push(format!(
                "type {} · cluster IP {}",
                text(&spec["type"]),
                text(&spec["clusterIP"])
            ));
            for lb in status["loadBalancer"]["ingress"].as_array().into_iter().flatten() {
                if let Some(host) = lb["hostname"].as_str().or(lb["ip"].as_str()) {
                    out.push(format!("load balancer {host}"));
                }
            }
            let ports: Vec<String> = spec["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    let name = p["name"].as_str().map(|n| format!("{n} ")).unwrap_or_default();
                    let node = p["nodePort"]
                        .as_i64()
                        .map(|n| format!(" (node {n})"))
                        .unwrap_or_default();
                    format!(
                        "{name}{}→{}/{}{node}",
                        text(&p["port"]),
                        text(&p["targetPort"]),
                        p["protocol"].as_str().unwrap_or("TCP")
                    )
                })
                .collect();
            if !ports.is_empty() {
                out.push(format!("ports {}", ports.join(", ")));
            }
        }
        "ingresses.networking.k8s.io" => {
            let address: Vec<&str> = status["loadBalancer"]["ingress"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|lb| lb["hostname"].as_str().or(lb["ip"].as_str()))
                .collect();
            let address = if address.is_empty() {
                "none yet (the controller has not reconciled it)".to_string()
            } else {
                address.join(", ")
            };
            out.push(format!(
                "class {}",
                spec["ingressClassName"].as_str().unwrap_or("<default>")
            ));
            out.push(format!("address {address}"));
            for b in ingress_backends(object) {
                out.push(format!("  {}{} → {}:{}", b.host, b.path, b.service, b.port));
            }
        }
        "jobs.batch" => {
            out.push(format!(
                "active {} · succeeded {} · failed {} (backoff limit {})",
                status["active"].as_i64().unwrap_or(0),
                status["succeeded"].as_i64().unwrap_or(0),
                status["failed"].as_i64().unwrap_or(0),
                spec["backoffLimit"].as_i64().unwrap_or(6)
            ));
            for c in status["conditions"].as_array().into_iter().flatten() {
                if c["status"] == "True" {
                    let message = c["message"].as_str().filter(|m| !m.is_empty());
                    out.push(format!(
                        "{}: {}{}",
                        text(&c["type"]),
                        c["reason"].as_str().unwrap_or_default(),
                        message.map(|m| format!(" ({m})")).unwrap_or_default()
                    ));
                }
            }
        }
        "cronjobs.batch" => {
            let zone = spec["timeZone"].as_str().map(|z| format!(" ({z})")).unwrap_or_default();
            let suspended = if spec["suspend"].as_bool() == Some(true) {
                "yes"
            } else {
                "no"
            };
            out.push(format!(
                "schedule {}{zone} · suspended {suspended} · concurrency {}",
                text(&spec["schedule"]),
                spec["concurrencyPolicy"].as_str().unwrap_or("Allow")
            ));
            out.push(format!(
                "last schedule {} ago · last success {}",
                time_ago(&status["lastScheduleTime"], now),
                match time_ago(&status["lastSuccessfulTime"], now).as_str() {
                    "<none>" => "never".to_string(),
                    ago => format!("{ago} ago"),
                }
            ));
            let active: Vec<&str> = status["active"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|j| j["name"].as_str())
                .collect();
            if !active.is_empty() {
                out.push(format!("running {}", active.join(", ")));
            }
        }
        "poddisruptionbudgets.policy" => {
            let allowed = status["disruptionsAllowed"].as_i64().unwrap_or(0);
            let rule = match (spec["minAvailable"].as_str(), spec["maxUnavailable"].as_str()) {
                _ if !spec["minAvailable"].is_null() => format!("min available {}", text(&spec["minAvailable"])),
                _ if !spec["maxUnavailable"].is_null() => format!("max unavailable {}", text(&spec["maxUnavailable"])),
                _ => "no rule".into(),
            };
            out.push(format!(
                "allows {allowed} disruption{} · {rule} · {} of {} pods healthy, {} needed",
                if allowed == 1 { "" } else { "s" },
                status["currentHealthy"].as_i64().unwrap_or(0),
                status["expectedPods"].as_i64().unwrap_or(0),
                status["desiredHealthy"].as_i64().unwrap_or(0)
            ));
            if allowed == 0 {
                out.push(
                    "a drain of a node running one of its pods hangs: evictions are refused until more are healthy"
                        .into(),
                );
            }
        }
        "nodepools.karpenter.sh" => {
            let class = &spec["template"]["spec"]["nodeClassRef"];
            let weight = spec["weight"]
                .as_i64()
                .map(|w| format!(" · weight {w}"))
                .unwrap_or_default();
            out.push(format!(
                "node class {}/{}{weight}",
                text(&class["kind"]),
                text(&class["name"])
            ));
            out.push(format!("limits {}", none_if_empty(resources(&spec["limits"]))));
            out.push(format!("in use {}", none_if_empty(resources(&status["resources"]))));
            out.push(format!("disruption {}", none_if_empty(disruption(&spec["disruption"]))));
        }
        "nodeclaims.karpenter.sh" => {
            let labels = &object["metadata"]["labels"];
            let label = |k: &str| labels[k].as_str().unwrap_or("-").to_string();
            out.push(format!(
                "node {} · node pool {}",
                status["nodeName"].as_str().unwrap_or("none yet"),
                label("karpenter.sh/nodepool")
            ));
            let instance = status["providerID"]
                .as_str()
                .map_or("-", |id| id.rsplit('/').next().unwrap_or(id));
            out.push(format!(
                "instance {instance} · {} · {} · {}",
                label("node.kubernetes.io/instance-type"),
                label("karpenter.sh/capacity-type"),
                label("topology.kubernetes.io/zone")
            ));
        }
        "configmaps" => {
            let keys: Vec<String> = object["data"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k} {}", bytes(v.as_str().map_or(0, str::len))))
                .collect();
            out.push(format!("keys {}", none_if_empty(keys.join(", "))));
        }
        "namespaces" => out.push(format!("phase {}", text(&status["phase"]))),
        _ => {}
    }
    out
}

/// One key of a Secret: its size, and its value (decoded), shown only when revealed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretEntry {
    pub key: String,
    pub bytes: usize,
    pub value: String,
}

/// Never the value, whatever prints it.
impl std::fmt::Debug for SecretEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretEntry({}, {} bytes)", self.key, self.bytes)
    }
}

/// A Secret's keys in order, with their decoded values (`data` is base64, `stringData`
/// plain).
pub fn secret_entries(secret: &Value) -> Vec<SecretEntry> {
    let mut out = Vec::new();
    for (key, value) in secret["data"].as_object().into_iter().flatten() {
        let decoded = STANDARD.decode(value.as_str().unwrap_or_default()).unwrap_or_default();
        out.push(SecretEntry {
            key: key.clone(),
            bytes: decoded.len(),
            value: String::from_utf8_lossy(&decoded).into_owned(),
        });
    }
    for (key, value) in secret["stringData"].as_object().into_iter().flatten() {
        let value = value.as_str().unwrap_or_default().to_string();
        out.push(SecretEntry {
            key: key.clone(),
            bytes: value.len(),
            value,
        });
    }
    out
}

/// A Secret's values replaced by their size, for the YAML shown.
pub fn mask_secret(secret: &mut Value) {
    let sizes: HashMap<String, usize> = secret_entries(secret).into_iter().map(|e| (e.key, e.bytes)).collect();
    for field in ["data", "stringData"] {
        if let Some(map) = secret.get_mut(field).and_then(Value::as_object_mut) {
            for (key, value) in map.iter_mut() {
                let size = sizes.get(key).copied().unwrap_or(0);
                *value = Value::String(format!("<{size} bytes, hidden>"));
            }
        }
    }
}

/// A path of an Ingress and the Service behind it.
pub struct Backend {
    pub host: String,
    pub path: String,
    pub service: String,
    pub port: String,
}

/// An Ingress's rules, each path with its Service and port (and its default backend, as `*`).
pub fn ingress_backends(ingress: &Value) -> Vec<Backend> {
    let service = |b: &Value| {
        let s = &b["service"];
        let port = s["port"]["number"]
            .as_i64()
            .map(|n| n.to_string())
            .or_else(|| s["port"]["name"].as_str().map(str::to_string))
            .unwrap_or_default();
        (s["name"].as_str().unwrap_or("?").to_string(), port)
    };
    let mut out = Vec::new();
    for rule in ingress["spec"]["rules"].as_array().into_iter().flatten() {
        let host = rule["host"].as_str().unwrap_or("*").to_string();
        for path in rule["http"]["paths"].as_array().into_iter().flatten() {
            let (service, port) = service(&path["backend"]);
            out.push(Backend {
                host: host.clone(),
                path: path["path"].as_str().unwrap_or("/").to_string(),
                service,
                port,
            });
        }
    }
    let default = &ingress["spec"]["defaultBackend"];
    if default.is_object() {
        let (service, port) = service(default);
        out.push(Backend {
            host: "*".into(),
            path: "".into(),
            service,
            port,
        });
    }
    out
}

/// `cpu 1000, memory 1000Gi`: a resource list, zeros left out.
fn resources(list: &Value) -> String {
    list.as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| v.as_str() != Some("0"))
        .map(|(k, v)| format!("{k} {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `WhenEmptyOrUnderutilized after 1m, budget 10%`.
fn disruption(d: &Value) -> String {
    let mut out = String::new();
    if let Some(policy) = d["consolidationPolicy"].as_str() {
        out.push_str(policy);
    }
    if let Some(after) = d["consolidateAfter"].as_str() {
        out.push_str(&format!(" after {after}"));
    }
    let budgets: Vec<&str> = d["budgets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["nodes"].as_str())
        .collect();
    if !budgets.is_empty() {
        out.push_str(&format!(", budget {}", budgets.join("/")));
    }
    out.trim().to_string()
}

fn time_ago(v: &Value, now: Timestamp) -> String {
    v.as_str()
        .and_then(|t| t.parse::<Timestamp>().ok())
        .map_or_else(|| "<none>".into(), |t| fmt_age(t, now))
}

fn bytes(n: usize) -> String {
    format!("{n}B")
}

fn none_if_empty(s: String) -> String {
    if s.is_empty() { "<none>".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> Timestamp {
        "2026-12-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_service_counts_its_ready_endpoints() {
        let slices = [
            json!({"metadata": {"namespace": "shop", "labels": {"kubernetes.io/service-name": "web"}},
                   "endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": true}},
                                 {"addresses": ["10.0.0.2"], "conditions": {"ready": false}},
                                 {"addresses": ["10.0.0.3"]}]}),
        ];
        let endpoints = count_endpoints(&slices);
        let web = json!({"metadata": {"namespace": "shop", "name": "web"}, "spec": {"selector": {"app": "web"}}});
        assert_eq!(added_cells("services", &web, &endpoints, now()), ["2/3"]);
        let lonely = json!({"metadata": {"namespace": "shop", "name": "lonely"}, "spec": {"selector": {"app": "x"}}});
        assert_eq!(added_cells("services", &lonely, &endpoints, now()), ["0/0"]);
        let external = json!({"metadata": {"namespace": "shop", "name": "db"}, "spec": {"type": "ExternalName"}});
        assert_eq!(added_cells("services", &external, &endpoints, now()), ["<none>"]);
    }

    #[test]
    fn added_columns_go_before_age() {
        let col = |n: &str| TableColumn {
            name: n.into(),
            kind: "string".into(),
            priority: 0,
            added: false,
        };
        let mut columns = vec![col("Name"), col("Completions"), col("Age")];
        let at = add_columns("jobs.batch", &mut columns);
        assert_eq!(at, 2);
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Name", "Completions", "Active", "Failed", "Age"]);
        let mut none = vec![col("Name"), col("Age")];
        add_columns("widgets.example.com", &mut none);
        assert_eq!(none.len(), 2);
    }

    #[test]
    fn a_secret_shows_sizes_and_never_its_values_unless_revealed() {
        let mut secret = json!({"kind": "Secret", "data": {"password": "czNjcjN0", "user": "YXBw"}});
        let entries = secret_entries(&secret);
        assert_eq!(entries[0].key, "password");
        assert_eq!(entries[0].bytes, 6);
        assert_eq!(entries[0].value, "s3cr3t");
        assert!(!format!("{entries:?}").contains("s3cr3t"));
        assert_eq!(
            added_cells("secrets", &secret, &Endpoints::new(), now()),
            ["password 6B, user 3B"]
        );
        mask_secret(&mut secret);
        assert_eq!(secret["data"]["password"], "<6 bytes, hidden>");
        assert!(!secret.to_string().contains("czNjcjN0"));
    }

    #[test]
    fn a_pdb_that_allows_no_disruption_says_why_a_drain_hangs() {
        let pdb = json!({"spec": {"maxUnavailable": 1},
                         "status": {"disruptionsAllowed": 0, "currentHealthy": 1, "desiredHealthy": 1, "expectedPods": 2}});
        assert_eq!(
            added_cells("poddisruptionbudgets.policy", &pdb, &Endpoints::new(), now()),
            ["1/2"]
        );
        let lines = summary("poddisruptionbudgets.policy", &pdb, now());
        assert_eq!(
            lines[0],
            "allows 0 disruptions · max unavailable 1 · 1 of 2 pods healthy, 1 needed"
        );
        assert!(lines[1].contains("drain"), "{lines:?}");
    }

    #[test]
    fn ingress_nodepool_and_cronjob_cells() {
        let ing = json!({"spec": {"rules": [{"host": "shop.example.com", "http": {"paths": [
            {"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
            {"path": "/api", "backend": {"service": {"name": "api", "port": {"name": "http"}}}}]}}]}});
        assert_eq!(
            added_cells("ingresses.networking.k8s.io", &ing, &Endpoints::new(), now()),
            ["/→web:80 /api→api:http"]
        );
        let pool = json!({"spec": {"limits": {"cpu": "1000"}, "disruption": {"consolidationPolicy": "WhenEmpty",
                            "consolidateAfter": "30m", "budgets": [{"nodes": "10%"}]}},
                          "status": {"resources": {"cpu": "12", "memory": "0", "nodes": "3"}}});
        assert_eq!(
            added_cells("nodepools.karpenter.sh", &pool, &Endpoints::new(), now()),
            ["cpu 1000", "cpu 12, nodes 3", "WhenEmpty after 30m, budget 10%"]
        );
        let cj = json!({"status": {"lastSuccessfulTime": "2026-11-30T12:00:00Z"}});
        assert_eq!(added_cells("cronjobs.batch", &cj, &Endpoints::new(), now()), ["1d00h"]);
        assert_eq!(
            added_cells("cronjobs.batch", &json!({}), &Endpoints::new(), now()),
            ["<none>"]
        );
    }
}
