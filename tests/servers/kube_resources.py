"""The resources kube_server.py serves, and their discovery documents, as kube-apiserver lists them.

Built-in resources carry what `kubectl get --raw /api/v1` (or /apis/GROUP/VERSION) shows for them:
name, singularName, namespaced, kind, verbs, shortNames, categories and the subresources served here
(only those: a subresource this emulator does not serve is not listed). storageVersionHash is left out
(optional in the APIResource schema). Custom resources get theirs from their
CustomResourceDefinition, as the apiextensions-apiserver derives them.
"""

import dataclasses
import re

FULL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
NAMESPACE_VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]
# The order in which the apiextensions-apiserver lists a custom resource's verbs.
CR_VERBS = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"]
SUB_VERBS = ["get", "patch", "update"]
SCALE = {"group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": SUB_VERBS}
# Where kube-apiserver puts its built-in groups in /apis (the aggregator's group priorities), for the
# groups served here; custom resource groups follow, by name.
GROUP_ORDER = ["apps", "autoscaling", "batch", "networking.k8s.io", "policy", "storage.k8s.io",
               "apiextensions.k8s.io", "discovery.k8s.io"]
# Internal Go packages of the built-in groups, for the messages that name a Go type.
GO_PACKAGE = {"": "core", "apps": "apps", "autoscaling": "autoscaling", "batch": "batch", "policy": "policy",
              "networking.k8s.io": "networking", "discovery.k8s.io": "discovery", "storage.k8s.io": "storage",
              "apiextensions.k8s.io": "apiextensions"}


@dataclasses.dataclass(eq=False)
class Res:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: list = dataclasses.field(default_factory=list)
    categories: list = dataclasses.field(default_factory=list)
    verbs: list = dataclasses.field(default_factory=lambda: list(FULL_VERBS))
    # subresource -> {"kind", "verbs"[, "group", "version"]}
    subresources: dict = dataclasses.field(default_factory=dict)
    singular: str = ""
    list_kind: str = ""
    generation: bool = False  # metadata.generation is kept (spec changes bump it)
    crd: str | None = None  # the CustomResourceDefinition's name, for custom resources
    storage_version: str = ""
    scale_paths: dict | None = None  # a CRD's subresources.scale
    columns: list | None = None  # a CRD version's additionalPrinterColumns
    selectable: list = dataclasses.field(default_factory=list)  # a CRD version's selectableFields

    def __post_init__(self):
        self.singular = self.singular or self.kind.lower()
        self.list_kind = self.list_kind or self.kind + "List"
        self.storage_version = self.storage_version or self.version

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self):
        return self.api_version

    @property
    def store_key(self):
        """What stored objects are filed under: every served version of a CRD shares it."""
        return (self.group, self.plural)

    def has(self, sub):
        return sub in self.subresources

    def discovery_entries(self):
        """APIResource entries of /api/v1 or /apis/GROUP/VERSION: the resource, then its subresources."""
        entry = {"name": self.plural, "singularName": self.singular, "namespaced": self.namespaced,
                 "kind": self.kind, "verbs": list(self.verbs)}
        if self.short_names:
            entry["shortNames"] = list(self.short_names)
        if self.categories:
            entry["categories"] = list(self.categories)
        out = [entry]
        for sub, info in sorted(self.subresources.items()):
            item = {"name": f"{self.plural}/{sub}", "singularName": "", "namespaced": self.namespaced}
            if "group" in info:
                item["group"], item["version"] = info["group"], info["version"]
            item["kind"] = info.get("kind", self.kind)
            item["verbs"] = list(info["verbs"])
            out.append(item)
        return out

    def discovery_v2(self):
        """An APIResourceDiscovery entry of the aggregated discovery (apidiscovery.k8s.io/v2)."""
        entry = {"resource": self.plural,
                 "responseKind": {"group": self.group, "version": self.version, "kind": self.kind},
                 "scope": "Namespaced" if self.namespaced else "Cluster", "singularResource": self.singular,
                 "verbs": list(self.verbs)}
        if self.short_names:
            entry["shortNames"] = list(self.short_names)
        if self.categories:
            entry["categories"] = list(self.categories)
        subs = []
        for sub, info in sorted(self.subresources.items()):
            subs.append({"subresource": sub,
                         "responseKind": {"group": info.get("group", self.group),
                                          "version": info.get("version", self.version),
                                          "kind": info.get("kind", self.kind)},
                         "verbs": list(info["verbs"])})
        if subs:
            entry["subresources"] = subs
        return entry


def status_of(kind):
    return {"kind": kind, "verbs": SUB_VERBS}


def builtin_resources():
    R = Res
    return [
        R("", "v1", "namespaces", "Namespace", False, ["ns"], verbs=list(NAMESPACE_VERBS),
          subresources={"status": status_of("Namespace")}),
        R("", "v1", "nodes", "Node", False, ["no"], subresources={"status": status_of("Node")}),
        R("", "v1", "pods", "Pod", True, ["po"], ["all"], subresources={
            "exec": {"kind": "PodExecOptions", "verbs": ["create", "get"]},
            "log": {"kind": "Pod", "verbs": ["get"]},
            "portforward": {"kind": "PodPortForwardOptions", "verbs": ["create", "get"]},
            "status": status_of("Pod")}),
        R("", "v1", "events", "Event", True, ["ev"]),
        R("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, ["pvc"],
          subresources={"status": status_of("PersistentVolumeClaim")}),
        R("", "v1", "services", "Service", True, ["svc"], ["all"], subresources={"status": status_of("Service")}),
        R("", "v1", "endpoints", "Endpoints", True, ["ep"], singular="endpoints"),
        R("", "v1", "configmaps", "ConfigMap", True, ["cm"]),
        R("", "v1", "secrets", "Secret", True),
        R("apps", "v1", "deployments", "Deployment", True, ["deploy"], ["all"], generation=True,
          subresources={"scale": SCALE, "status": status_of("Deployment")}),
        R("apps", "v1", "replicasets", "ReplicaSet", True, ["rs"], ["all"], generation=True,
          subresources={"scale": SCALE, "status": status_of("ReplicaSet")}),
        R("apps", "v1", "statefulsets", "StatefulSet", True, ["sts"], ["all"], generation=True,
          subresources={"scale": SCALE, "status": status_of("StatefulSet")}),
        R("apps", "v1", "daemonsets", "DaemonSet", True, ["ds"], ["all"], generation=True,
          subresources={"status": status_of("DaemonSet")}),
        R("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True, ["hpa"], ["all"],
          generation=True, subresources={"status": status_of("HorizontalPodAutoscaler")}),
        R("batch", "v1", "jobs", "Job", True, [], ["all"], generation=True, subresources={"status": status_of("Job")}),
        R("batch", "v1", "cronjobs", "CronJob", True, ["cj"], ["all"], generation=True,
          subresources={"status": status_of("CronJob")}),
        R("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", True),
        R("networking.k8s.io", "v1", "ingresses", "Ingress", True, ["ing"], generation=True,
          subresources={"status": status_of("Ingress")}),
        R("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, ["pdb"], generation=True,
          subresources={"status": status_of("PodDisruptionBudget")}),
        R("storage.k8s.io", "v1", "storageclasses", "StorageClass", False, ["sc"]),
        R("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", False,
          ["crd", "crds"], ["api-extensions"], generation=True,
          subresources={"status": status_of("CustomResourceDefinition")}),
    ]


# What a create leaves of a submitted status (the registry strategies' PrepareForCreate), as JSON
# serializes the zero status (fields without omitempty stay). None: the status is kept as sent.
def initial_status(res, obj):
    plural = res.plural if not res.crd else None
    if res.crd:
        return "drop" if res.has("status") else None
    if plural == "pods":
        return {"phase": "Pending", "qosClass": qos_class(obj.get("spec") or {})}
    return {
        "namespaces": {"phase": "Active"},
        "deployments": {},
        "replicasets": {"replicas": 0},
        "statefulsets": {"replicas": 0, "availableReplicas": 0},
        "daemonsets": {"currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0,
                       "numberReady": 0},
        "horizontalpodautoscalers": {"desiredReplicas": 0},
        "jobs": {},
        "cronjobs": {},
        "services": {"loadBalancer": {}},
        "ingresses": {"loadBalancer": {}},
        "poddisruptionbudgets": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0,
                                 "expectedPods": 0},
        "persistentvolumeclaims": {},
    }.get(plural)


def qos_class(spec):
    """The pod's QoS class, as pkg/apis/core/helper/qos computes it."""
    containers = list(spec.get("containers") or []) + list(spec.get("initContainers") or [])
    requests, limits, guaranteed = {}, {}, True
    for c in containers:
        res = c.get("resources") or {}
        req, lim = dict(res.get("requests") or {}), res.get("limits") or {}
        for name in ("cpu", "memory"):
            if name not in req and name in lim:
                req[name] = lim[name]
        for name, value in req.items():
            if name in ("cpu", "memory") and str(value) not in ("0", ""):
                requests[name] = value
        got = {n for n in lim if n in ("cpu", "memory")}
        for n in got:
            limits[n] = lim[n]
        if got != {"cpu", "memory"}:
            guaranteed = False
        elif any(str(req.get(n)) != str(lim.get(n)) for n in ("cpu", "memory")):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


# Field selectors each kind's registry accepts (its GetAttrs / field label conversion); every kind
# takes metadata.name and metadata.namespace.
FIELD_LABELS = {
    "pods": ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
             "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"],
    "events": ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
               "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
               "reason", "reportingComponent", "source", "type"],
    "nodes": ["spec.unschedulable"],
    "namespaces": ["status.phase"],
    "secrets": ["type"],
    "replicasets": ["status.replicas"],
    "jobs": ["status.successful"],
    "services": ["spec.clusterIP", "spec.type"],
}
# Field labels whose value comes from elsewhere in the object.
FIELD_PATHS = {("events", "source"): "source.component", ("jobs", "status.successful"): "status.succeeded"}


def version_priority(version):
    """Sort key of Kubernetes versions, highest priority first (v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > foo)."""
    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not m:
        return (3, 0, 0, version)
    major, stage, minor = int(m.group(1)), m.group(2), int(m.group(3) or 0)
    return ({None: 0, "beta": 1, "alpha": 2}[stage], -major, -minor, version)


def crd_resources(crd):
    """The Res of each served version of a CustomResourceDefinition."""
    spec = crd["spec"]
    names = spec["names"]
    storage = next((v["name"] for v in spec["versions"] if v.get("storage")), spec["versions"][0]["name"])
    out = []
    for v in spec["versions"]:
        if not v.get("served", True):
            continue
        subs = {}
        sr = v.get("subresources") or {}
        if "status" in sr:
            subs["status"] = status_of(names["kind"])
        if "scale" in sr:
            subs["scale"] = SCALE
        columns = v.get("additionalPrinterColumns") or [
            {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
             "description": None}]  # serveDefaultColumnsIfEmpty
        out.append(Res(spec["group"], v["name"], names["plural"], names["kind"], spec["scope"] == "Namespaced",
                       list(names.get("shortNames") or []), list(names.get("categories") or []),
                       list(CR_VERBS), subs, names.get("singular") or names["kind"].lower(),
                       names.get("listKind") or names["kind"] + "List", generation=True, crd=crd["metadata"]["name"],
                       storage_version=storage, scale_paths=sr.get("scale"), columns=columns,
                       selectable=[f["jsonPath"].lstrip(".") for f in v.get("selectableFields") or []]))
    return out
