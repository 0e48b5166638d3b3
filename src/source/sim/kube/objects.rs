//! Any kind of the simulated cluster: its discovery (the built-in kinds and Karpenter's
//! CRDs), its objects as an API server prints them (the columns of `kubectl get`), and one
//! object whole, as `kubectl get -o yaml` shows it.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::SimKube;
use std::sync::Arc;

use jiff::SignedDuration;

use crate::domain::kinds::{KindInfo, KubeObject, KubeTable, TableColumn, TableRow, resolve};
use crate::domain::objects;

/// An object the simulated cluster keeps as the API would give it, with the cells the
/// API server prints for it (its kind's columns but the name and age, which are its own).
#[derive(Debug, Clone)]
pub struct SimObject {
    /// Its kind's `name` (`plural.group`).
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub created_at: Timestamp,
    pub cells: Vec<String>,
    pub value: Value,
}

/// (group, version, kind, plural, short names, namespaced, scale subresource)
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
    bool,
);

const KINDS: &[Spec] = &[
    ("", "v1", "ConfigMap", "configmaps", &["cm"], true, false),
    ("", "v1", "Endpoints", "endpoints", &["ep"], true, false),
    ("", "v1", "Event", "events", &["ev"], true, false),
    ("", "v1", "Namespace", "namespaces", &["ns"], false, false),
    ("", "v1", "Node", "nodes", &["no"], false, false),
    (
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        &["pvc"],
        true,
        false,
    ),
    ("", "v1", "Pod", "pods", &["po"], true, false),
    ("", "v1", "Secret", "secrets", &[], true, false),
    ("", "v1", "Service", "services", &["svc"], true, false),
    ("", "v1", "ServiceAccount", "serviceaccounts", &["sa"], true, false),
    ("apps", "v1", "DaemonSet", "daemonsets", &["ds"], true, false),
    ("apps", "v1", "Deployment", "deployments", &["deploy"], true, true),
    ("apps", "v1", "ReplicaSet", "replicasets", &["rs"], true, true),
    ("apps", "v1", "StatefulSet", "statefulsets", &["sts"], true, true),
    (
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        &["hpa"],
        true,
        false,
    ),
    ("batch", "v1", "CronJob", "cronjobs", &["cj"], true, false),
    ("batch", "v1", "Job", "jobs", &[], true, false),
    (
        "discovery.k8s.io",
        "v1",
        "EndpointSlice",
        "endpointslices",
        &[],
        true,
        false,
    ),
    ("networking.k8s.io", "v1", "Ingress", "ingresses", &["ing"], true, false),
    (
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        &["pdb"],
        true,
        false,
    ),
    (
        "storage.k8s.io",
        "v1",
        "StorageClass",
        "storageclasses",
        &["sc"],
        false,
        false,
    ),
    (
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        &["crd", "crds"],
        false,
        false,
    ),
    ("karpenter.sh", "v1", "NodePool", "nodepools", &[], false, false),
    ("karpenter.sh", "v1", "NodeClaim", "nodeclaims", &[], false, false),
    (
        "karpenter.k8s.aws",
        "v1",
        "EC2NodeClass",
        "ec2nodeclasses",
        &["ec2nc", "ec2ncs"],
        false,
        false,
    ),
];

impl SimKube {
    /// Every kind the simulated cluster serves.
    pub fn kinds(&self) -> Vec<KindInfo> {
        KINDS
            .iter()
            .map(|&(group, version, kind, plural, short, namespaced, scale)| {
                let mut info = KindInfo::new(group, version, kind, plural, namespaced);
                info.short_names = short.iter().map(|s| s.to_string()).collect();
                info.scale = scale;
                info.verbs = ["create", "delete", "get", "list", "patch", "update", "watch"]
                    .map(String::from)
                    .to_vec();
                info
            })
            .collect()
    }

    /// The objects of a kind (a name as `kubectl get` takes it), in a namespace or all, as
    /// an API server prints them.
    pub fn table(&self, kind: &str, namespace: Option<&str>, now: Timestamp) -> Result<KubeTable, String> {
        let kinds = self.kinds();
        let info = resolve(&kinds, kind)?;
        let mut columns = columns(info);
        let at = objects::add_columns(&info.name, &mut columns);
        let shared: Arc<[TableColumn]> = columns.into();
        let endpoints = match info.name.as_str() {
            "services" => self.endpoints(),
            _ => objects::Endpoints::new(),
        };
        let rows = self
            .objects_of(info, namespace)
            .into_iter()
            .map(|o| {
                let mut cells = vec![o.name.clone()];
                cells.extend(o.cells.iter().cloned());
                cells.push(crate::util::fmt_age(o.created_at, now));
                let at = at.min(cells.len());
                cells.splice(at..at, objects::added_cells(&info.name, &o.value, &endpoints, now));
                Arc::new(TableRow {
                    key: match &o.namespace {
                        Some(ns) => format!("{ns}/{}", o.name),
                        None => o.name.clone(),
                    },
                    namespace: o.namespace.clone(),
                    name: o.name.clone(),
                    created_at: Some(o.created_at),
                    cells,
                    columns: shared.clone(),
                })
            })
            .collect();
        Ok(KubeTable {
            kind: info.name.clone(),
            columns: shared.to_vec(),
            rows,
        })
    }

    /// The ready and all endpoints of each Service: the pods its selector picks, ready when
    /// all their containers are.
    fn endpoints(&self) -> objects::Endpoints {
        let mut out = objects::Endpoints::new();
        for service in self.objects.iter().filter(|o| o.kind == "services") {
            if !service.value["spec"]["selector"]["app"].is_string() {
                continue;
            }
            let counts = out
                .entry(format!(
                    "{}/{}",
                    service.namespace.as_deref().unwrap_or_default(),
                    service.name
                ))
                .or_default();
            for (_, ready) in self.behind(service) {
                counts.1 += 1;
                counts.0 += usize::from(ready);
            }
        }
        out
    }

    /// The pods a Service's selector picks (by the `app` label the demo's Services select
    /// on), each with whether it is ready (all its containers are).
    fn behind<'a>(&'a self, service: &'a SimObject) -> impl Iterator<Item = (&'a crate::domain::kube::Pod, bool)> + 'a {
        let app = service.value["spec"]["selector"]["app"].as_str();
        let ns = service.namespace.as_deref();
        self.pods
            .iter()
            .filter(move |p| {
                Some(p.namespace.as_str()) == ns
                    && app.is_some_and(|app| p.owner.as_deref().is_some_and(|o| owned_by_app(o, app)))
            })
            .map(|p| (&**p, p.containers.iter().all(|c| c.ready)))
    }

    /// One object whole, with its events, owners and what it owns.
    pub fn object(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        now: Timestamp,
    ) -> Result<KubeObject, String> {
        let kinds = self.kinds();
        let info = resolve(&kinds, kind)?;
        let object = self
            .objects_of(info, namespace)
            .into_iter()
            .find(|o| o.name == name)
            .ok_or_else(|| format!("{} \"{name}\" not found", info.name))?;
        let me = format!("{}/{name}", info.kind);
        let events = self.events.iter().filter(|e| e.object == me).cloned().collect();
        let owners = object.value["metadata"]["ownerReferences"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| Some(format!("{}/{}", o["kind"].as_str()?, o["name"].as_str()?)))
            .collect();
        let ns = object.namespace.as_deref();
        let owned = match info.kind.as_str() {
            // The endpoints behind a service: the ready pods its selector picks.
            "Service" => {
                let port = object.value["spec"]["ports"][0]["targetPort"].as_u64().unwrap_or(80);
                self.behind(object)
                    .filter_map(|(p, ready)| {
                        let ready = if ready { "ready" } else { "not ready" };
                        Some(format!("Endpoint/{}:{port} {ready} ({})", p.ip.as_deref()?, p.name))
                    })
                    .collect()
            }
            _ => self
                .pods
                .iter()
                .filter(|p| Some(p.namespace.as_str()) == ns && p.owner.as_deref() == Some(me.as_str()))
                .map(|p| format!("Pod/{}", p.name))
                .chain(
                    self.objects
                        .iter()
                        .filter(|o| o.namespace.as_deref() == ns && owner_names(&o.value).any(|n| n == me))
                        .filter_map(|o| Some(format!("{}/{}", o.value["kind"].as_str()?, o.name))),
                )
                .collect(),
        };
        Ok(KubeObject {
            kind: info.name.clone(),
            namespace: object.namespace.clone(),
            name: object.name.clone(),
            yaml: crate::util::yaml::to_yaml(&masked(&object.value)),
            events,
            owners,
            owned,
            summary: objects::summary(&info.name, &object.value, now),
            secret: match info.name.as_str() {
                "secrets" => objects::secret_entries(&object.value),
                _ => Vec::new(),
            },
        })
    }

    /// The objects of a kind, in a namespace or all, by namespace and name.
    fn objects_of(&self, info: &KindInfo, namespace: Option<&str>) -> Vec<&SimObject> {
        let mut out: Vec<&SimObject> = self
            .objects
            .iter()
            .filter(|o| o.kind == info.name && namespace.is_none_or(|ns| o.namespace.as_deref() == Some(ns)))
            .collect();
        out.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        out
    }

    /// Delete an object of any kind but those bosun shows on screens of their own.
    pub fn delete_object(&mut self, kind: &str, namespace: Option<&str>, name: &str) -> Result<(), String> {
        let kinds = self.kinds();
        let info = resolve(&kinds, kind)?;
        let before = self.objects.len();
        self.objects.retain(|o| {
            !(o.kind == info.name && o.name == name && (!info.namespaced || o.namespace.as_deref() == namespace))
        });
        if self.objects.len() == before {
            return Err(format!("{} \"{name}\" not found", info.name));
        }
        // What it owned goes with it.
        let me = format!("{}/{name}", info.kind);
        self.objects
            .retain(|o| !(o.namespace.as_deref() == namespace && owner_names(&o.value).any(|n| n == me)));
        self.revision += 1;
        Ok(())
    }

    /// Set an object's replicas, where it has them.
    pub fn scale_object(&mut self, kind: &str, namespace: Option<&str>, name: &str, to: u32) -> Result<(), String> {
        let kinds = self.kinds();
        let info = resolve(&kinds, kind)?;
        if !info.scale {
            return Err(format!("{} has no scale subresource", info.name));
        }
        let object = self
            .objects
            .iter_mut()
            .find(|o| {
                o.kind == info.name && o.name == name && (!info.namespaced || o.namespace.as_deref() == namespace)
            })
            .ok_or_else(|| format!("{} \"{name}\" not found", info.name))?;
        object.value["spec"]["replicas"] = json!(to);
        // Desired, Current, Ready: the desired count is the first of them.
        if let Some(cell) = object.cells.first_mut() {
            *cell = to.to_string();
        }
        self.revision += 1;
        Ok(())
    }

    /// The pods in trouble.
    pub fn trouble(&self, cluster: &str, now: Timestamp) -> Vec<crate::domain::kube::TroubledPod> {
        self.pods
            .iter()
            .filter_map(|p| Some(crate::domain::kube::TroubledPod::new(cluster, p, p.trouble(now)?)))
            .collect()
    }

    /// A Job from a CronJob's template, now, as `kubectl create job --from=cronjob/NAME`.
    pub fn trigger_cronjob(&mut self, namespace: &str, name: &str, now: Timestamp) -> Result<String, String> {
        let cronjob = self
            .objects
            .iter()
            .find(|o| o.kind == "cronjobs.batch" && o.namespace.as_deref() == Some(namespace) && o.name == name)
            .ok_or_else(|| format!("cronjobs.batch \"{name}\" not found"))?;
        let template = cronjob.value["spec"]["jobTemplate"]["spec"].clone();
        let job = crate::domain::kinds::manual_job_name(name, now);
        let kinds = self.kinds();
        let info = resolve(&kinds, "jobs.batch")?;
        let mut value = skeleton(info, Some(namespace), &job, now);
        value["metadata"]["annotations"] = json!({"cronjob.kubernetes.io/instantiate": "manual"});
        value["metadata"]["ownerReferences"] =
            json!([{"apiVersion": "batch/v1", "kind": "CronJob", "name": name, "controller": true}]);
        value["spec"] = template;
        value["status"] = json!({"active": 1, "startTime": rfc3339(now)});
        self.objects.push(SimObject {
            kind: info.name.clone(),
            namespace: Some(namespace.into()),
            name: job.clone(),
            created_at: now,
            cells: vec!["Running".into(), "0/1".into(), "0s".into()],
            value,
        });
        self.event(
            now,
            "Normal",
            "SuccessfulCreate",
            &format!("Job/{job}"),
            namespace,
            &format!("Created pod: {job}-x1"),
        );
        self.revision += 1;
        Ok(format!("job {namespace}/{job} created from cronjob {name}"))
    }

    /// Suspend or resume a CronJob's schedule.
    pub fn suspend_cronjob(&mut self, namespace: &str, name: &str, suspend: bool) -> Result<String, String> {
        let cronjob = self
            .objects
            .iter_mut()
            .find(|o| o.kind == "cronjobs.batch" && o.namespace.as_deref() == Some(namespace) && o.name == name)
            .ok_or_else(|| format!("cronjobs.batch \"{name}\" not found"))?;
        cronjob.value["spec"]["suspend"] = json!(suspend);
        // Schedule, Timezone, Suspend, ...
        if let Some(cell) = cronjob.cells.get_mut(2) {
            *cell = if suspend { "True" } else { "False" }.into();
        }
        self.revision += 1;
        Ok(format!(
            "cronjob {namespace}/{name} {}",
            if suspend { "suspended" } else { "resumed" }
        ))
    }

    /// The objects of the other kinds a cluster of the demo fleet has.
    pub(super) fn seed_objects(&mut self, platform: bool, t0: Timestamp) {
        if platform {
            let failed = t0 - SignedDuration::from_hours(24) + SignedDuration::from_mins(9);
            self.event(
                failed,
                "Warning",
                "BackoffLimitExceeded",
                "Job/nightly-report-29070000",
                "batch",
                "Job has reached the specified backoff limit",
            );
            self.event(
                t0 - SignedDuration::from_mins(40),
                "Normal",
                "SuccessfulCreate",
                "CronJob/nightly-report",
                "batch",
                "Created job nightly-report-29071440",
            );
            self.event(
                t0 - SignedDuration::from_mins(50),
                "Normal",
                "SuccessfullyReconciled",
                "Ingress/shop",
                "shop",
                "Successfully reconciled",
            );
        }
        let days = |d: i64| t0 - SignedDuration::from_hours(24 * d);
        let mins = |m: i64| t0 - SignedDuration::from_mins(m);
        // The ReplicaSets the deployments' pods belong to.
        let mut sets: Vec<(String, String, u32, u32, Timestamp)> = Vec::new();
        for p in &self.pods {
            let Some(rs) = p.owner.as_deref().and_then(|o| o.strip_prefix("ReplicaSet/")) else {
                continue;
            };
            let ready = u32::from(p.containers.iter().all(|c| c.ready));
            match sets.iter_mut().find(|s| s.0 == p.namespace && s.1 == rs) {
                Some(s) => {
                    s.2 += 1;
                    s.3 += ready;
                }
                None => sets.push((
                    p.namespace.clone(),
                    rs.to_string(),
                    1,
                    ready,
                    p.created_at.unwrap_or(t0),
                )),
            }
        }
        let zone = format!("{}b", self.region);
        let mut namespaces: Vec<String> = ["default", "kube-node-lease", "kube-public", "kube-system", "batch"]
            .map(String::from)
            .into_iter()
            .chain(self.pods.iter().map(|p| p.namespace.clone()))
            .collect();
        namespaces.sort();
        namespaces.dedup();
        let mut add = |kind: &str, ns: Option<&str>, name: &str, at: Timestamp, cells: &[&str], body: Value| {
            let kinds = self.kinds();
            let info = resolve(&kinds, kind).expect("a kind the simulated cluster serves");
            let mut value = skeleton(info, ns, name, at);
            if let (Some(object), Value::Object(body)) = (value.as_object_mut(), body) {
                for (k, v) in body {
                    if k == "metadata" {
                        if let (Some(meta), Value::Object(extra)) =
                            (object.get_mut("metadata").and_then(Value::as_object_mut), v)
                        {
                            meta.extend(extra);
                        }
                    } else {
                        object.insert(k, v);
                    }
                }
            }
            self.objects.push(SimObject {
                kind: info.name.clone(),
                namespace: ns.map(str::to_string),
                name: name.into(),
                created_at: at,
                cells: cells.iter().map(|c| c.to_string()).collect(),
                value,
            });
        };
        for ns in &namespaces {
            add(
                "namespaces",
                None,
                ns,
                days(40),
                &["Active"],
                json!({"status": {"phase": "Active"}}),
            );
        }
        for (namespace, name, pods, ready, at) in sets {
            let deployment = name.rsplit_once('-').map_or(name.as_str(), |(d, _)| d).to_string();
            let (pods, ready) = (pods.to_string(), ready.to_string());
            add(
                "replicasets.apps",
                Some(&namespace),
                &name,
                at,
                &[&pods, &pods, &ready],
                json!({"metadata": {"ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment, "controller": true}]},
                       "spec": {"replicas": pods.parse::<u32>().unwrap_or(0)},
                       "status": {"replicas": pods.parse::<u32>().unwrap_or(0), "readyReplicas": ready.parse::<u32>().unwrap_or(0)}}),
            );
        }
        let (ns, apps): (&str, &[(&str, u16)]) = if platform {
            (
                "shop",
                &[
                    ("checkout", 8080),
                    ("payments", 8080),
                    ("cart", 8080),
                    ("catalog", 8080),
                ],
            )
        } else {
            ("data", &[("postgres", 5432)])
        };
        for (i, &(app, port)) in apps.iter().enumerate() {
            let ip = format!("172.20.{}.{}", 40 + i, 17 + i * 11);
            let ports = format!("{port}/TCP");
            add(
                "services",
                Some(ns),
                app,
                days(30),
                &["ClusterIP", &ip, "<none>", &ports],
                json!({"metadata": {"labels": {"app": app}},
                       "spec": {"type": "ClusterIP", "clusterIP": ip, "clusterIPs": [ip],
                                "ports": [{"name": "http", "port": port, "protocol": "TCP", "targetPort": port}],
                                "selector": {"app": app}, "sessionAffinity": "None"},
                       "status": {"loadBalancer": {}}}),
            );
        }
        if platform {
            // The webhook endpoint the payment provider calls, through a Network Load Balancer.
            let host = "k8s-shop-paymentsw-7d1e5a2b9c-0f1e2d3c4b5a6978.elb.us-east-1.amazonaws.com";
            add(
                "services",
                Some("shop"),
                "payments-webhooks",
                days(12),
                &["LoadBalancer", "172.20.48.201", host, "443:31443/TCP"],
                json!({"metadata": {"labels": {"app": "payments"},
                                    "annotations": {"service.beta.kubernetes.io/aws-load-balancer-type": "external",
                                                    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
                                                    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"}},
                       "spec": {"type": "LoadBalancer", "clusterIP": "172.20.48.201", "clusterIPs": ["172.20.48.201"],
                                "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8080, "nodePort": 31443}],
                                "selector": {"app": "payments"}, "externalTrafficPolicy": "Cluster"},
                       "status": {"loadBalancer": {"ingress": [{"hostname": host}]}}}),
            );
        }
        add(
            "configmaps",
            Some("kube-system"),
            "coredns",
            days(40),
            &["1"],
            json!({"data": {"Corefile": ".:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n    cache 30\n}\n"}}),
        );
        add(
            "configmaps",
            Some("kube-system"),
            "aws-auth",
            days(40),
            &["1"],
            json!({"data": {"mapRoles": "- rolearn: arn:aws:iam::123456789012:role/eks-nodes\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:bootstrappers\n  - system:nodes\n"}}),
        );
        if !platform {
            add(
                "secrets",
                Some("data"),
                "postgres-credentials",
                days(30),
                &["Opaque", "2"],
                json!({"type": "Opaque", "data": {"username": "cG9zdGdyZXM=", "password": "c3VwZXItc2VjcmV0LXBhc3N3b3Jk"}}),
            );
            return;
        }
        add(
            "ingresses.networking.k8s.io",
            Some("shop"),
            "shop",
            days(30),
            &[
                "alb",
                "shop.example.com,api.shop.example.com",
                "k8s-shop-shop-4f2a9c1e7b-1234567890.us-east-1.elb.amazonaws.com",
                "80, 443",
            ],
            json!({"metadata": {"annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing", "alb.ingress.kubernetes.io/target-type": "ip"}},
                   "spec": {"ingressClassName": "alb",
                            "tls": [{"hosts": ["shop.example.com", "api.shop.example.com"], "secretName": "shop-tls"}],
                            "rules": [
                                {"host": "shop.example.com", "http": {"paths": [
                                    {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "catalog", "port": {"number": 8080}}}},
                                    {"path": "/cart", "pathType": "Prefix", "backend": {"service": {"name": "cart", "port": {"number": 8080}}}}]}},
                                {"host": "api.shop.example.com", "http": {"paths": [
                                    {"path": "/checkout", "pathType": "Prefix", "backend": {"service": {"name": "checkout", "port": {"number": 8080}}}},
                                    {"path": "/payments", "pathType": "Prefix", "backend": {"service": {"name": "payments", "port": {"number": 8080}}}}]}}]},
                   "status": {"loadBalancer": {"ingress": [{"hostname": "k8s-shop-shop-4f2a9c1e7b-1234567890.us-east-1.elb.amazonaws.com"}]}}}),
        );
        add(
            "configmaps",
            Some("shop"),
            "checkout-config",
            days(9),
            &["3"],
            json!({"data": {"CURRENCY": "USD", "PAYMENTS_URL": "http://payments.shop:8080", "TIMEOUT_MS": "2500"}}),
        );
        add(
            "secrets",
            Some("shop"),
            "shop-tls",
            days(30),
            &["kubernetes.io/tls", "2"],
            json!({"type": "kubernetes.io/tls", "data": {"tls.crt": "LS0tLS1CRUdJTi1DRVJUSUZJQ0FURS0tLS0t", "tls.key": "LS0tLS1CRUdJTi1QUklWQVRFLUtFWS0tLS0t"}}),
        );
        add(
            "secrets",
            Some("shop"),
            "payments-provider",
            days(12),
            &["Opaque", "2"],
            json!({"type": "Opaque", "data": {"api-key": "c2tfbGl2ZV9kZW1vX2tleQ==", "webhook-secret": "d2hzZWNfZGVtbw=="}}),
        );
        // Allows no disruption: a drain of a node with a checkout pod waits on it.
        add(
            "poddisruptionbudgets.policy",
            Some("shop"),
            "checkout",
            days(30),
            &["3", "N/A", "0"],
            json!({"spec": {"minAvailable": 3, "selector": {"matchLabels": {"app": "checkout"}}},
                   "status": {"currentHealthy": 3, "desiredHealthy": 3, "disruptionsAllowed": 0, "expectedPods": 3}}),
        );
        add(
            "cronjobs.batch",
            Some("batch"),
            "nightly-report",
            days(20),
            &["0 2 * * *", "<none>", "False", "1", "40m"],
            json!({"spec": {"schedule": "0 2 * * *", "suspend": false, "concurrencyPolicy": "Forbid",
                            "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "report", "image": "reports:1.4.0"}], "restartPolicy": "OnFailure"}}}}},
                   "status": {"active": [{"kind": "Job", "name": "nightly-report-29071440", "namespace": "batch"}], "lastScheduleTime": rfc3339(mins(40)),
                              "lastSuccessfulTime": rfc3339(days(2) + SignedDuration::from_mins(-80))}}),
        );
        let owned_by_cron =
            json!([{"apiVersion": "batch/v1", "kind": "CronJob", "name": "nightly-report", "controller": true}]);
        add(
            "jobs.batch",
            Some("batch"),
            "nightly-report-29071440",
            mins(40),
            &["Running", "0/1", "40m"],
            json!({"metadata": {"ownerReferences": owned_by_cron.clone()},
                   "spec": {"completions": 1, "parallelism": 1, "backoffLimit": 6},
                   "status": {"active": 1, "startTime": rfc3339(mins(40))}}),
        );
        // Last night's run failed.
        add(
            "jobs.batch",
            Some("batch"),
            "nightly-report-29070000",
            days(1) - SignedDuration::from_mins(40),
            &["Failed", "0/1", "31m"],
            json!({"metadata": {"ownerReferences": owned_by_cron},
                   "spec": {"completions": 1, "parallelism": 1, "backoffLimit": 6},
                   "status": {"failed": 7, "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                                                           "message": "Job has reached the specified backoff limit"}]}}),
        );
        add(
            "nodepools.karpenter.sh",
            None,
            "default",
            days(40),
            &["default", "0", "True"],
            json!({"spec": {"template": {"spec": {"nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
                                                   "requirements": [{"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot", "on-demand"]}]}},
                            "limits": {"cpu": "1000"}, "disruption": {"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "1m"}},
                   "status": {"resources": {"cpu": "0", "nodes": "0"}, "conditions": [{"type": "Ready", "status": "True"}]}}),
        );
        // Karpenter launching a node for pods that do not fit: no node behind it yet.
        add(
            "nodeclaims.karpenter.sh",
            None,
            "default-8k2xq",
            mins(1),
            &["c6i.large", "spot", &zone, "", "False"],
            json!({"metadata": {"labels": {"karpenter.sh/nodepool": "default", "karpenter.sh/capacity-type": "spot",
                                           "node.kubernetes.io/instance-type": "c6i.large", "topology.kubernetes.io/zone": zone},
                                "ownerReferences": [{"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "name": "default"}]},
                   "spec": {"nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"}},
                   "status": {"providerID": format!("aws:///{zone}/i-0c4e1f2a9b8d7e6f5"),
                              "conditions": [{"type": "Launched", "status": "True"}, {"type": "Registered", "status": "False"},
                                             {"type": "Ready", "status": "False", "reason": "NotRegistered"}]}}),
        );
        add(
            "ec2nodeclasses.karpenter.k8s.aws",
            None,
            "default",
            days(40),
            &["True"],
            json!({"spec": {"role": "KarpenterNodeRole-platform", "amiSelectorTerms": [{"alias": "al2023@latest"}],
                            "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "platform-k8s"}}]},
                   "status": {"conditions": [{"type": "Ready", "status": "True"}]}}),
        );
    }
}

/// Whether a pod's owner (`ReplicaSet/checkout-5d8f…`, `StatefulSet/postgres`) is the app's.
fn owned_by_app(owner: &str, app: &str) -> bool {
    let name = owner.split_once('/').map_or(owner, |(_, n)| n);
    name == app || name.rsplit_once('-').is_some_and(|(base, _)| base == app)
}

/// `Kind/name` of an object's owners.
fn owner_names(value: &Value) -> impl Iterator<Item = String> + '_ {
    value["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| Some(format!("{}/{}", o["kind"].as_str()?, o["name"].as_str()?)))
}

/// A secret's values hidden, as bosun shows every secret.
fn masked(value: &Value) -> Value {
    let mut value = value.clone();
    if value["kind"] == "Secret" {
        objects::mask_secret(&mut value);
    }
    value
}

/// The columns an API server prints for a kind: the printers' (the built-in kinds) or
/// the CRD's additional printer columns; name first, age last.
fn columns(info: &KindInfo) -> Vec<TableColumn> {
    let middle: &[&str] = match info.name.as_str() {
        "services" => &["Type", "Cluster-IP", "External-IP", "Port(s)"],
        "ingresses.networking.k8s.io" => &["Class", "Hosts", "Address", "Ports"],
        "configmaps" => &["Data"],
        "secrets" => &["Type", "Data"],
        "poddisruptionbudgets.policy" => &["Min Available", "Max Unavailable", "Allowed Disruptions"],
        "cronjobs.batch" => &["Schedule", "Timezone", "Suspend", "Active", "Last Schedule"],
        "jobs.batch" => &["Status", "Completions", "Duration"],
        "nodepools.karpenter.sh" => &["NodeClass", "Nodes", "Ready"],
        "nodeclaims.karpenter.sh" => &["Type", "Capacity", "Zone", "Node", "Ready"],
        "namespaces" => &["Status"],
        "replicasets.apps" => &["Desired", "Current", "Ready"],
        "ec2nodeclasses.karpenter.k8s.aws" => &["Ready"],
        _ => &[],
    };
    let column = |name: &str, kind: &str| TableColumn {
        name: name.into(),
        kind: kind.into(),
        priority: 0,
        added: false,
    };
    let numeric = |name: &str| matches!(name, "Desired" | "Current" | "Ready") && info.name == "replicasets.apps";
    std::iter::once(column("Name", "string"))
        .chain(
            middle
                .iter()
                .map(|n| column(n, if numeric(n) { "integer" } else { "string" })),
        )
        .chain(std::iter::once(column("Age", "date")))
        .collect()
}

/// A time as the API writes it, to the second.
fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A skeleton of an object as the API gives it: apiVersion, kind, metadata.
fn skeleton(info: &KindInfo, namespace: Option<&str>, name: &str, created_at: Timestamp) -> Value {
    let mut metadata = json!({"name": name, "creationTimestamp": rfc3339(created_at)});
    if let Some(ns) = namespace {
        metadata["namespace"] = json!(ns);
    }
    json!({"apiVersion": info.api_version(), "kind": info.kind, "metadata": metadata})
}

impl SimKube {
    /// An object as the API server would serve it (`:yaml`): the kinds bosun keeps as
    /// objects whole, and pods, nodes and workloads made from what the world keeps of them.
    /// A Secret's values are masked.
    pub fn raw(&self, kind: &str, namespace: Option<&str>, name: &str) -> Result<Value, String> {
        let kinds = self.kinds();
        let info = resolve(&kinds, kind)?;
        let time = |t: Option<Timestamp>| t.map_or(Value::Null, |t| json!(rfc3339(t)));
        let not_found = || format!("{} \"{name}\" not found", info.name);
        match info.name.as_str() {
            "pods" => {
                let p = self
                    .pods
                    .iter()
                    .find(|p| p.name == name && namespace.is_none_or(|ns| p.namespace == ns))
                    .ok_or_else(not_found)?;
                let owner = p.owner.as_deref().and_then(|o| o.split_once('/'));
                Ok(json!({
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {
                        "name": p.name,
                        "namespace": p.namespace,
                        "creationTimestamp": time(p.created_at),
                        "ownerReferences": owner.map(|(kind, name)| json!([{"apiVersion": "apps/v1", "kind": kind, "name": name, "controller": true}])),
                    },
                    "spec": {
                        "nodeName": p.node,
                        "containers": p.containers.iter().map(|c| json!({"name": c.name, "image": c.image})).collect::<Vec<_>>(),
                    },
                    "status": {
                        "phase": p.phase,
                        "podIP": p.ip,
                        "containerStatuses": p.containers.iter().map(|c| json!({
                            "name": c.name,
                            "image": c.image,
                            "ready": c.ready,
                            "restartCount": c.restarts,
                            "state": {c.state.clone(): c.reason.as_ref().map_or_else(|| json!({}), |r| json!({"reason": r}))},
                        })).collect::<Vec<_>>(),
                    },
                }))
            }
            "nodes" => {
                let n = self.nodes.iter().find(|n| n.name == name).ok_or_else(not_found)?;
                Ok(json!({
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {
                        "name": n.name,
                        "creationTimestamp": time(n.created_at),
                        "labels": {
                            "node.kubernetes.io/instance-type": n.instance_type,
                            "topology.kubernetes.io/zone": n.zone,
                            "eks.amazonaws.com/capacityType": n.capacity_type,
                        },
                    },
                    "spec": {"unschedulable": n.unschedulable.then_some(true)},
                    "status": {
                        "allocatable": {"cpu": format!("{}m", n.alloc_cpu), "memory": format!("{}Mi", n.alloc_mem)},
                        "conditions": [{"type": "Ready", "status": if n.ready { "True" } else { "False" }}],
                        "nodeInfo": {"kubeletVersion": n.kubelet},
                    },
                }))
            }
            "deployments.apps" | "statefulsets.apps" | "daemonsets.apps" => {
                let w = self
                    .workloads
                    .iter()
                    .find(|w| w.name == name && namespace.is_none_or(|ns| w.namespace == ns))
                    .ok_or_else(not_found)?;
                Ok(json!({
                    "apiVersion": "apps/v1",
                    "kind": info.kind,
                    "metadata": {"name": w.name, "namespace": w.namespace, "creationTimestamp": time(w.created_at)},
                    "spec": {
                        "replicas": w.desired,
                        "template": {"spec": {"containers": w.images.iter().map(|i| json!({"image": i})).collect::<Vec<_>>()}},
                    },
                    "status": {"readyReplicas": w.ready, "updatedReplicas": w.updated, "availableReplicas": w.available},
                }))
            }
            _ => {
                let object = self
                    .objects_of(info, namespace)
                    .into_iter()
                    .find(|o| o.name == name)
                    .ok_or_else(not_found)?;
                Ok(masked(&object.value))
            }
        }
    }
}
