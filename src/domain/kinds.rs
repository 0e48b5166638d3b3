//! Any kind a Kubernetes cluster serves, CRDs included: what its discovery says of it, how
//! `kubectl get` names resolve to it, and its objects as the API server prints them (the
//! Table response: the columns `kubectl get` shows).

use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;

use super::Keyed;
use super::kube::KubeEvent;

/// One resource of the cluster's discovery (not a subresource).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindInfo {
    /// `""` for the core group.
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub short_names: Vec<String>,
    pub namespaced: bool,
    pub verbs: Vec<String>,
    /// It has a `scale` subresource.
    pub scale: bool,
    /// `plural` or `plural.group`: how it is named everywhere else here.
    pub name: String,
}

impl KindInfo {
    pub fn new(group: &str, version: &str, kind: &str, plural: &str, namespaced: bool) -> Self {
        KindInfo {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: kind.to_lowercase(),
            short_names: Vec::new(),
            namespaced,
            verbs: ["get", "list", "watch", "delete"].map(String::from).to_vec(),
            scale: false,
            name: full_name(plural, group),
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The path of its objects, in a namespace or everywhere.
    pub fn path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace.filter(|_| self.namespaced) {
            Some(ns) => format!("{base}/namespaces/{ns}/{}", self.plural),
            None => format!("{base}/{}", self.plural),
        }
    }

    pub fn can(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }

    /// Whether a word names it, as `kubectl get` takes them: plural, singular, short
    /// name or kind (any case), alone or with `.group`.
    pub fn answers(&self, word: &str) -> bool {
        let word = word.to_lowercase();
        let (name, group) = match word.split_once('.') {
            Some((name, group)) => (name.to_string(), Some(group.to_string())),
            None => (word.clone(), None),
        };
        if group
            .as_deref()
            .is_some_and(|g| g != self.group && !self.group.starts_with(&format!("{g}.")))
        {
            return false;
        }
        name == self.plural
            || name == self.singular
            || name == self.kind.to_lowercase()
            || self.short_names.contains(&name)
    }
}

impl Keyed for KindInfo {
    fn key(&self) -> &str {
        &self.name
    }
}

/// `plural.group`, or `plural` in the core group.
pub fn full_name(plural: &str, group: &str) -> String {
    if group.is_empty() {
        plural.to_string()
    } else {
        format!("{plural}.{group}")
    }
}

/// The kind a word names, as `kubectl get` resolves it: where groups share a name, the
/// core group, then the built-in groups (`*.k8s.io`, `apps`, `batch`, ...), then the rest
/// alphabetically. An unknown word is an error that says what is close.
pub fn resolve<'a>(kinds: &'a [KindInfo], word: &str) -> Result<&'a KindInfo, String> {
    let mut found: Vec<&KindInfo> = kinds.iter().filter(|k| k.answers(word)).collect();
    found.sort_by_key(|k| {
        let builtin = k.group.is_empty() || !k.group.contains('.') || k.group.ends_with(".k8s.io");
        (!k.group.is_empty(), !builtin, k.group.clone())
    });
    if let Some(first) = found.first() {
        return Ok(first);
    }
    let lower = word.to_lowercase();
    // Close: the same first four letters.
    let stem: String = lower.split('.').next().unwrap_or_default().chars().take(4).collect();
    let mut close: Vec<&str> = kinds
        .iter()
        .filter(|k| stem.len() >= 2 && k.plural.starts_with(&stem))
        .map(|k| k.name.as_str())
        .collect();
    close.sort();
    close.dedup();
    Err(match close.as_slice() {
        [] => format!("the cluster serves no kind `{word}`"),
        some => format!("the cluster serves no kind `{word}`: did you mean {}?", some.join(", ")),
    })
}

/// `NAME-manual-XXXXX`: unique to the second, and within the 52 characters a Job's name
/// may have for its pods' names to fit.
pub fn manual_job_name(cronjob: &str, at: Timestamp) -> String {
    let suffix = format!("-manual-{:x}", at.as_second() & 0xf_ffff);
    let room = 52 - suffix.len();
    let base: String = cronjob.chars().take(room).collect();
    format!("{}{suffix}", base.trim_end_matches('-'))
}

/// A column of a kind's table, as the API server prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableColumn {
    pub name: String,
    /// string, integer, number, boolean, date.
    pub kind: String,
    /// 0: `kubectl get` shows it; more: only with `-o wide`.
    pub priority: u32,
    /// bosun's own, read from the objects (a Service's ready endpoints), not the server's.
    #[serde(skip)]
    pub added: bool,
}

/// One object of a kind, as the API server prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// `namespace/name`, or `name` for a cluster-scoped kind.
    pub key: String,
    pub namespace: Option<String>,
    pub name: String,
    pub created_at: Option<Timestamp>,
    /// One per column; the API server's own text.
    pub cells: Vec<String>,
    /// The columns, shared by every row of the table.
    pub columns: Arc<[TableColumn]>,
}

/// As JSON: its namespace, name and creation time, then each printed column by its name
/// (`Class`, `Hosts`, ...), but the name and age it has already.
impl Serialize for TableRow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        if let Some(ns) = &self.namespace {
            map.serialize_entry("namespace", ns)?;
        }
        map.serialize_entry("name", &self.name)?;
        map.serialize_entry("created_at", &self.created_at)?;
        for (column, cell) in self.columns.iter().zip(&self.cells).skip(1) {
            if column.name != "Age" {
                map.serialize_entry(&column.name, cell)?;
            }
        }
        map.end()
    }
}

impl Keyed for TableRow {
    fn key(&self) -> &str {
        &self.key
    }
}

/// An object of any kind the user is on, as the actions need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    /// The kind's `plural.group`.
    pub kind: String,
    /// The kind as a person names it: `CronJob`.
    pub label: String,
    pub namespace: Option<String>,
    pub name: String,
    /// A CronJob's `Suspend` column, where the row shows it.
    pub suspended: Option<bool>,
    /// The kind has a scale subresource.
    pub scale: bool,
    /// Its replica count, where the row shows one (a `Desired` or `Replicas` column).
    pub replicas: Option<u32>,
}

/// The objects of one kind, with the columns they are printed in.
#[derive(Debug, Clone, PartialEq)]
pub struct KubeTable {
    /// The kind's `name` (`plural.group`).
    pub kind: String,
    pub columns: Vec<TableColumn>,
    pub rows: Vec<Arc<TableRow>>,
}

/// One object, whole: as `kubectl get -o yaml` shows it, with its events, what owns it and
/// what it owns.
#[derive(Debug, Clone, PartialEq)]
pub struct KubeObject {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// The object as YAML, managed fields left out, secret values masked.
    pub yaml: String,
    pub events: Vec<KubeEvent>,
    /// `Kind/name` of its owners.
    pub owners: Vec<String>,
    /// `Kind/name` of what it owns (its pods, its jobs, its replica sets), and for a
    /// Service the endpoints behind it (`ready address:port`).
    pub owned: Vec<String>,
    /// What bosun reads from it, for the kinds it knows (`type LoadBalancer · ...`).
    pub summary: Vec<String>,
    /// A Secret's keys, values decoded: shown only when revealed.
    pub secret: Vec<super::objects::SecretEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds() -> Vec<KindInfo> {
        let mut svc = KindInfo::new("", "v1", "Service", "services", true);
        svc.short_names = vec!["svc".into()];
        let mut deploy = KindInfo::new("apps", "v1", "Deployment", "deployments", true);
        deploy.short_names = vec!["deploy".into()];
        let mut cj = KindInfo::new("batch", "v1", "CronJob", "cronjobs", true);
        cj.short_names = vec!["cj".into()];
        let core_events = KindInfo::new("", "v1", "Event", "events", true);
        let new_events = KindInfo::new("events.k8s.io", "v1", "Event", "events", true);
        let pools = KindInfo::new("karpenter.sh", "v1", "NodePool", "nodepools", false);
        vec![new_events, svc, deploy, cj, core_events, pools]
    }

    #[test]
    fn names_resolve_as_kubectl_resolves_them() {
        let k = kinds();
        let name = |w: &str| resolve(&k, w).map(|k| k.name.clone());
        assert_eq!(name("svc").unwrap(), "services");
        assert_eq!(name("Service").unwrap(), "services");
        assert_eq!(name("deploy").unwrap(), "deployments.apps");
        assert_eq!(name("deployment.apps").unwrap(), "deployments.apps");
        assert_eq!(name("cj").unwrap(), "cronjobs.batch");
        assert_eq!(name("nodepools").unwrap(), "nodepools.karpenter.sh");
        assert_eq!(name("nodepools.karpenter.sh").unwrap(), "nodepools.karpenter.sh");
        assert_eq!(name("nodepool.karpenter").unwrap(), "nodepools.karpenter.sh");
        // Two groups serve events: the core one, as kubectl.
        assert_eq!(name("events").unwrap(), "events");
        assert_eq!(name("events.events.k8s.io").unwrap(), "events.events.k8s.io");
        assert!(name("deploy.batch").is_err());
        let err = name("nodepol").unwrap_err();
        assert!(err.contains("did you mean nodepools.karpenter.sh"), "{err}");
    }

    #[test]
    fn paths_follow_the_group_and_scope() {
        let k = kinds();
        assert_eq!(k[1].path(Some("shop")), "/api/v1/namespaces/shop/services");
        assert_eq!(k[2].path(None), "/apis/apps/v1/deployments");
        assert_eq!(k[5].path(Some("shop")), "/apis/karpenter.sh/v1/nodepools");
    }
}
