"""Generated cluster load for kube_server.py --pods N: pods, the nodes they run on (50 pods a node),
and the Deployments and ReplicaSets that own them (10 replicas each), 100 Deployments a namespace
(load-000, load-001, ...).

Nothing is stored per object: each object's JSON is rendered from a template when it is listed,
watched or read, from its index. Object i of a kind sorts after object i-1 (by namespace, then name),
so a list is a walk over indices merged with the emulator's stored objects, and a continue token or
a namespace is a binary search. Each rendered object has the fields and size of the real thing on
EKS 1.31 (a pod about 3.5 KB of JSON, with managedFields); timestamps are relative to the start.

An object that is written (patched, deleted, replaced, scaled) is first copied into the emulator's
store (materialized) and no longer rendered; see Emulator.materialize.
"""

import datetime
import hashlib
import json
import math

REPLICAS = 10
PODS_PER_NODE = 50
DEPLOYMENTS_PER_NAMESPACE = 100
WORDS = ["api", "auth", "billing", "cart", "catalog", "checkout", "email", "frontend", "gateway", "inventory",
         "ledger", "media", "notify", "orders", "payments", "pricing", "profile", "quote", "ranking", "recommend",
         "reports", "reviews", "search", "session", "shipping", "stock", "tax", "users", "wallet", "worker"]
SAFE = "bcdfghjklmnpqrstvwxz2456789"  # rand.SafeEncodeString's alphabet (pod-template-hash, name suffixes)
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
INSTANCE_TYPES = [("m6i.4xlarge", "16", "64978632Ki", "15890m", "60055540Ki", "234"),
                  ("m7i.4xlarge", "16", "64978632Ki", "15890m", "60055540Ki", "234"),
                  ("c6i.4xlarge", "16", "31992488Ki", "15890m", "28994760Ki", "234")]
ACCOUNT = "123456789012"


def digest(text, size):
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


def safe(text, n):
    return "".join(SAFE[b % len(SAFE)] for b in hashlib.blake2b(text.encode(), digest_size=n).digest())


def uid(text):
    """A version-4 UUID, derived from text."""
    h = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


def fmt(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    """RFC 3339 times at whole seconds from an epoch, formatted fast."""

    def __init__(self, epoch):
        self.epoch = epoch
        self.days = {}

    def at(self, seconds):
        day, rest = divmod(seconds, 86400)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = (self.epoch + datetime.timedelta(days=day)).strftime("%Y-%m-%dT")
        h, rest = divmod(rest, 3600)
        m, s = divmod(rest, 60)
        return f"{prefix}{h:02d}:{m:02d}:{s:02d}Z"


def template(obj):
    """A %-format string of obj's compact JSON, @@key@@ placeholders becoming %(key)s."""
    text = json.dumps(obj, separators=(",", ":")).replace("%", "%%")
    while "@@" in text:
        start = text.index("@@")
        end = text.index("@@", start + 2)
        text = text[:start] + "%(" + text[start + 2:end] + ")s" + text[end + 2:]
    return text


def fields(*names):
    return {f"f:{n}": {} for n in names}


def cond_fields(*types):
    return {f'k:{{"type":"{t}"}}': {".": {}, **fields("lastProbeTime", "lastTransitionTime", "status", "type")}
            for t in types}


POD_LABELS = {"app.kubernetes.io/instance": "@@dep@@", "app.kubernetes.io/name": "@@app@@",
              "pod-template-hash": "@@hash@@"}
CONTAINER = {
    "name": "@@app@@", "image": "@@image@@",
    "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
    "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}},
    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
    "imagePullPolicy": "IfNotPresent"}
CONTAINER_FIELDS = {f'k:{{"name":"@@app@@"}}': {
    ".": {},
    **fields("image", "imagePullPolicy", "name", "terminationMessagePath", "terminationMessagePolicy"),
    "f:ports": {".": {}, 'k:{"containerPort":8080,"protocol":"TCP"}': {
        ".": {}, **fields("containerPort", "name", "protocol")}},
    "f:resources": {".": {}, "f:limits": {".": {}, "f:memory": {}}, "f:requests": {".": {}, **fields("cpu", "memory")}},
}}
POD_SPEC_FIELDS = {"f:containers": CONTAINER_FIELDS, **fields(
    "dnsPolicy", "enableServiceLinks", "restartPolicy", "schedulerName", "securityContext",
    "serviceAccount", "serviceAccountName", "terminationGracePeriodSeconds")}
TEMPLATE_ANNOTATIONS = {"kubectl.kubernetes.io/restartedAt": "@@restarted@@"}
POD_SPEC = {
    "volumes": [{"name": "kube-api-access-@@vol@@", "projected": {"sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
                                                                       "fieldPath": "metadata.namespace"}}]}}],
        "defaultMode": 420}}],
    "containers": [dict(CONTAINER, volumeMounts=[{"name": "kube-api-access-@@vol@@", "readOnly": True,
                                                   "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}])],
    "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
    "serviceAccountName": "default", "serviceAccount": "default", "nodeName": "@@node@@", "securityContext": {},
    "schedulerName": "default-scheduler",
    "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                     "tolerationSeconds": 300},
                    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                     "tolerationSeconds": 300}],
    "priority": 0, "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority"}
POD = template({
    "kind": "Pod", "apiVersion": "v1",
    "metadata": {
        "name": "@@name@@", "generateName": "@@rs@@-", "namespace": "@@ns@@", "uid": "@@uid@@",
        "resourceVersion": "@@rv@@", "creationTimestamp": "@@created@@", "labels": POD_LABELS,
        "annotations": TEMPLATE_ANNOTATIONS,
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "@@rs@@", "uid": "@@rs_uid@@",
                             "controller": True, "blockOwnerDeletion": True}],
        "managedFields": [
            {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": "@@created@@",
             "fieldsType": "FieldsV1", "fieldsV1": {
                 "f:metadata": {"f:annotations": {".": {}, **fields(*TEMPLATE_ANNOTATIONS)}, "f:generateName": {},
                                "f:labels": {".": {}, **fields(*POD_LABELS)},
                                "f:ownerReferences": {".": {}, 'k:{"uid":"@@rs_uid@@"}': {}}},
                 "f:spec": POD_SPEC_FIELDS}},
            {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": "@@started@@",
             "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {
                 "f:conditions": cond_fields("ContainersReady", "Initialized", "PodReadyToStartContainers", "Ready"),
                 **fields("containerStatuses", "hostIP"), "f:hostIPs": {}, "f:phase": {}, "f:podIP": {},
                 "f:podIPs": {".": {}, 'k:{"ip":"@@pod_ip@@"}': {".": {}, "f:ip": {}}}, "f:startTime": {}}},
             "subresource": "status"}]},
    "spec": POD_SPEC,
    "status": {
        "phase": "Running",
        "conditions": [{"type": t, "status": "True", "lastProbeTime": None,
                        "lastTransitionTime": "@@created@@" if t in ("Initialized", "PodScheduled") else "@@started@@"}
                       for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                                 "PodScheduled")],
        "hostIP": "@@host_ip@@", "hostIPs": [{"ip": "@@host_ip@@"}], "podIP": "@@pod_ip@@",
        "podIPs": [{"ip": "@@pod_ip@@"}], "startTime": "@@created@@",
        "containerStatuses": [{"name": "@@app@@", "state": {"running": {"startedAt": "@@started@@"}}, "lastState": {},
                               "ready": True, "restartCount": 0, "image": "@@image@@",
                               "imageID": "@@image_repo@@@sha256:@@image_digest@@",
                               "containerID": "containerd://@@cid@@", "started": True}],
        "qosClass": "Burstable"}})

SELECTOR = {"app.kubernetes.io/instance": "@@dep@@", "app.kubernetes.io/name": "@@app@@"}
DEP_LABELS = {"app.kubernetes.io/instance": "@@dep@@", "app.kubernetes.io/name": "@@app@@",
              "app.kubernetes.io/part-of": "@@ns@@"}
TEMPLATE_SPEC = {k: v for k, v in POD_SPEC.items()
                 if k not in ("volumes", "nodeName", "serviceAccount", "tolerations", "priority",
                              "enableServiceLinks", "preemptionPolicy")}
TEMPLATE_SPEC["containers"] = [CONTAINER]
TEMPLATE_SPEC_FIELDS = {k: v for k, v in POD_SPEC_FIELDS.items() if k not in ("f:enableServiceLinks",
                                                                                "f:serviceAccount")}
DEPLOYMENT = template({
    "kind": "Deployment", "apiVersion": "apps/v1",
    "metadata": {
        "name": "@@dep@@", "namespace": "@@ns@@", "uid": "@@dep_uid@@", "resourceVersion": "@@rv@@",
        "generation": 1, "creationTimestamp": "@@created@@", "labels": DEP_LABELS,
        "annotations": {"deployment.kubernetes.io/revision": "1"},
        "managedFields": [
            {"manager": "helm", "operation": "Update", "apiVersion": "apps/v1", "time": "@@created@@",
             "fieldsType": "FieldsV1", "fieldsV1": {
                 "f:metadata": {"f:labels": {".": {}, **fields(*DEP_LABELS)}},
                 "f:spec": {**fields("progressDeadlineSeconds", "replicas", "revisionHistoryLimit", "selector"),
                            "f:strategy": {"f:rollingUpdate": {".": {}, **fields("maxSurge", "maxUnavailable")},
                                           "f:type": {}},
                            "f:template": {"f:metadata": {"f:annotations": {".": {}, **fields(*TEMPLATE_ANNOTATIONS)},
                                                          "f:labels": {".": {}, **fields(*SELECTOR)}},
                                           "f:spec": TEMPLATE_SPEC_FIELDS}}}},
            {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
             "time": "@@ready@@", "fieldsType": "FieldsV1", "fieldsV1": {
                 "f:metadata": {"f:annotations": {".": {}, "f:deployment.kubernetes.io/revision": {}}},
                 "f:status": {"f:availableReplicas": {}, "f:conditions": {".": {}, **{
                     f'k:{{"type":"{t}"}}': {".": {}, **fields("lastTransitionTime", "lastUpdateTime", "message",
                                                               "reason", "status", "type")}
                     for t in ("Available", "Progressing")}},
                     **fields("observedGeneration", "readyReplicas", "replicas", "updatedReplicas")}},
             "subresource": "status"}]},
    "spec": {"replicas": "@@replicas@@", "selector": {"matchLabels": SELECTOR},
             "template": {"metadata": {"creationTimestamp": None, "labels": SELECTOR,
                                       "annotations": TEMPLATE_ANNOTATIONS}, "spec": TEMPLATE_SPEC},
             "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
             "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
    "status": {"observedGeneration": 1, "replicas": "@@replicas@@", "updatedReplicas": "@@replicas@@",
               "readyReplicas": "@@replicas@@", "availableReplicas": "@@replicas@@",
               "conditions": [
                   {"type": "Available", "status": "True", "lastUpdateTime": "@@ready@@",
                    "lastTransitionTime": "@@ready@@", "reason": "MinimumReplicasAvailable",
                    "message": "Deployment has minimum availability."},
                   {"type": "Progressing", "status": "True", "lastUpdateTime": "@@ready@@",
                    "lastTransitionTime": "@@created@@", "reason": "NewReplicaSetAvailable",
                    "message": 'ReplicaSet "@@rs@@" has successfully progressed.'}]}}).replace(
    '"%(replicas)s"', "%(replicas)s")
RS_LABELS = dict(SELECTOR, **{"pod-template-hash": "@@hash@@"})
REPLICASET = template({
    "kind": "ReplicaSet", "apiVersion": "apps/v1",
    "metadata": {
        "name": "@@rs@@", "namespace": "@@ns@@", "uid": "@@rs_uid@@", "resourceVersion": "@@rv@@", "generation": 1,
        "creationTimestamp": "@@created@@", "labels": RS_LABELS,
        "annotations": {"deployment.kubernetes.io/desired-replicas": "@@replicas_text@@",
                        "deployment.kubernetes.io/max-replicas": "@@max_replicas@@",
                        "deployment.kubernetes.io/revision": "1"},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "@@dep@@", "uid": "@@dep_uid@@",
                             "controller": True, "blockOwnerDeletion": True}],
        "managedFields": [
            {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
             "time": "@@created@@", "fieldsType": "FieldsV1", "fieldsV1": {
                 "f:metadata": {"f:annotations": {".": {}, **fields("deployment.kubernetes.io/desired-replicas",
                                                                   "deployment.kubernetes.io/max-replicas",
                                                                   "deployment.kubernetes.io/revision")},
                                "f:labels": {".": {}, **fields(*RS_LABELS)},
                                "f:ownerReferences": {".": {}, 'k:{"uid":"@@dep_uid@@"}': {}}},
                 "f:spec": {**fields("replicas", "selector"), "f:template": {
                     "f:metadata": {"f:annotations": {".": {}, **fields(*TEMPLATE_ANNOTATIONS)},
                                    "f:labels": {".": {}, **fields(*RS_LABELS)}},
                     "f:spec": TEMPLATE_SPEC_FIELDS}}}},
            {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
             "time": "@@ready@@", "fieldsType": "FieldsV1", "fieldsV1": {"f:status": fields(
                 "availableReplicas", "fullyLabeledReplicas", "observedGeneration", "readyReplicas", "replicas")},
             "subresource": "status"}]},
    "spec": {"replicas": "@@replicas@@", "selector": {"matchLabels": RS_LABELS},
             "template": {"metadata": {"creationTimestamp": None, "labels": RS_LABELS,
                                       "annotations": TEMPLATE_ANNOTATIONS}, "spec": TEMPLATE_SPEC}},
    "status": {"replicas": "@@replicas@@", "fullyLabeledReplicas": "@@replicas@@", "readyReplicas": "@@replicas@@",
               "availableReplicas": "@@replicas@@", "observedGeneration": 1}}).replace(
    '"%(replicas)s"', "%(replicas)s")
NODE_LABELS = {
    "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/instance-type": "@@itype@@",
    "beta.kubernetes.io/os": "linux", "eks.amazonaws.com/capacityType": "ON_DEMAND",
    "eks.amazonaws.com/nodegroup": "load", "eks.amazonaws.com/nodegroup-image": "ami-0c2b0d3fb0a1e4f71",
    "eks.amazonaws.com/sourceLaunchTemplateId": "lt-0f1e2d3c4b5a69788",
    "failure-domain.beta.kubernetes.io/region": "us-east-1", "failure-domain.beta.kubernetes.io/zone": "@@zone@@",
    "k8s.io/cloud-provider-aws": "b7f3c1e2d4a5968877665544332211aa", "kubernetes.io/arch": "amd64",
    "kubernetes.io/hostname": "@@node@@", "kubernetes.io/os": "linux", "node.kubernetes.io/instance-type": "@@itype@@",
    "topology.k8s.aws/zone-id": "@@zone_id@@", "topology.kubernetes.io/region": "us-east-1",
    "topology.kubernetes.io/zone": "@@zone@@"}
NODE_IMAGES = [
    (["602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni@sha256:@@d1@@",
      "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1"], 50241313),
    (["602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni-init@sha256:@@d2@@",
      "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni-init:v1.19.2-eksbuild.1"], 61329818),
    (["602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/kube-proxy@sha256:@@d3@@",
      "602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/kube-proxy:v1.31.3-minimal-eksbuild.2"], 36127354),
    (["602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon/aws-network-policy-agent@sha256:@@d4@@",
      "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon/aws-network-policy-agent:v1.1.6-eksbuild.1"], 32938105),
    (["602401143452.dkr.ecr-fips.us-east-1.amazonaws.com/eks/pause:3.5",
      "602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/pause:3.5"], 298689)]
NODE = template({
    "kind": "Node", "apiVersion": "v1",
    "metadata": {
        "name": "@@node@@", "uid": "@@uid@@", "resourceVersion": "@@rv@@", "creationTimestamp": "@@created@@",
        "labels": NODE_LABELS,
        "annotations": {"alpha.kubernetes.io/provided-node-ip": "@@ip@@", "node.alpha.kubernetes.io/ttl": "0",
                        "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
        "managedFields": [
            {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": "@@created@@",
             "fieldsType": "FieldsV1", "fieldsV1": {
                 "f:metadata": {"f:annotations": {".": {}, **fields("alpha.kubernetes.io/provided-node-ip",
                                                                   "volumes.kubernetes.io/controller-managed-attach-detach")},
                                "f:labels": {".": {}, **fields(*[k for k in NODE_LABELS if not k.startswith("topology.k8s")])}},
                 "f:spec": {"f:providerID": {}}}},
            {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": "@@created@@",
             "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:annotations": {"f:node.alpha.kubernetes.io/ttl": {}}}}},
            {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": "@@heartbeat@@",
             "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {"f:allocatable": {}, "f:capacity": {},
                                                                 "f:conditions": {}, "f:images": {}, "f:nodeInfo": {}}},
             "subresource": "status"}]},
    "spec": {"providerID": "aws:///@@zone@@/@@instance@@"},
    "status": {
        "capacity": {"cpu": "@@cpu@@", "ephemeral-storage": "104845292Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                     "memory": "@@memory@@", "pods": "@@max_pods@@"},
        "allocatable": {"cpu": "@@alloc_cpu@@", "ephemeral-storage": "95551679124", "hugepages-1Gi": "0",
                        "hugepages-2Mi": "0", "memory": "@@alloc_memory@@", "pods": "@@max_pods@@"},
        "conditions": [
            {"type": "MemoryPressure", "status": "False", "lastHeartbeatTime": "@@heartbeat@@",
             "lastTransitionTime": "@@created@@", "reason": "KubeletHasSufficientMemory",
             "message": "kubelet has sufficient memory available"},
            {"type": "DiskPressure", "status": "False", "lastHeartbeatTime": "@@heartbeat@@",
             "lastTransitionTime": "@@created@@", "reason": "KubeletHasNoDiskPressure",
             "message": "kubelet has no disk pressure"},
            {"type": "PIDPressure", "status": "False", "lastHeartbeatTime": "@@heartbeat@@",
             "lastTransitionTime": "@@created@@", "reason": "KubeletHasSufficientPID",
             "message": "kubelet has sufficient PID available"},
            {"type": "Ready", "status": "True", "lastHeartbeatTime": "@@heartbeat@@",
             "lastTransitionTime": "@@ready@@", "reason": "KubeletReady", "message": "kubelet is posting ready status"}],
        "addresses": [{"type": "InternalIP", "address": "@@ip@@"}, {"type": "InternalDNS", "address": "@@node@@"},
                      {"type": "Hostname", "address": "@@node@@"}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {"machineID": "@@machine@@", "systemUUID": "@@system_uuid@@", "bootID": "@@boot@@",
                     "kernelVersion": "6.1.119-129.201.amzn2023.x86_64", "osImage": "Amazon Linux 2023.6.20241212",
                     "containerRuntimeVersion": "containerd://1.7.23", "kubeletVersion": "v1.31.3-eks-59bf375",
                     "kubeProxyVersion": "v1.31.3-eks-59bf375", "operatingSystem": "linux", "architecture": "amd64"},
        "images": [{"names": names, "sizeBytes": size} for names, size in NODE_IMAGES]}})


class Generated:
    """The generated objects of each kind, addressed by index in (namespace, name) order."""

    PLURALS = ("pods", "nodes", "deployments", "replicasets")

    def __init__(self, pods, base_rv, now=None):
        self.n_pods = pods
        now = now or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        self.epoch = (now - datetime.timedelta(days=12)).replace(hour=0, minute=0, second=0)
        self.clock = Clock(self.epoch)
        n_deps = math.ceil(pods / REPLICAS)
        n_ns = math.ceil(n_deps / DEPLOYMENTS_PER_NAMESPACE)
        deps = []
        for k in range(n_ns):
            ns = f"load-{k:03d}"
            for j in range(min(DEPLOYMENTS_PER_NAMESPACE, n_deps - k * DEPLOYMENTS_PER_NAMESPACE)):
                word = WORDS[j % len(WORDS)]
                deps.append((ns, f"{word}-{j // len(WORDS):02d}", word))
        deps.sort()
        self.namespaces = [f"load-{k:03d}" for k in range(n_ns)]
        self.deps = []  # per deployment: a dict of its template values
        self.dep_index = {}
        self.ns_range = {}
        for d, (ns, name, word) in enumerate(deps):
            count = min(REPLICAS, pods - d * REPLICAS)
            h = safe(f"{ns}/{name}", 10)
            created = self.epoch + datetime.timedelta(seconds=7 * d)
            tag = f"1.{int(digest(name, 2), 16) % 40}.{d % 7}"
            repo = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{word}"
            info = {"ns": ns, "dep": name, "app": word, "hash": h, "rs": f"{name}-{h}",
                    "dep_uid": uid("deployment/" + ns + "/" + name), "rs_uid": uid("replicaset/" + ns + "/" + name),
                    "image": f"{repo}:{tag}", "image_repo": repo, "image_digest": digest("image" + repo + tag, 32),
                    "replicas": count, "replicas_text": str(count), "max_replicas": str(count + math.ceil(count / 4)),
                    "created": fmt(created), "ready": fmt(created + datetime.timedelta(seconds=48)),
                    "restarted": fmt(created + datetime.timedelta(seconds=20)), "created_s": 7 * d,
                    "suffixes": sorted(safe(f"{ns}/{name}/{r}", 5) for r in range(count))}
            self.deps.append(info)
            self.dep_index[(ns, name)] = d
            lo, hi = self.ns_range.get(ns, (d, d))
            self.ns_range[ns] = (min(lo, d), d + 1)
        n_nodes = math.ceil(pods / PODS_PER_NODE)
        self.nodes = []
        for n in range(n_nodes):
            a, b = divmod(n, 250)
            ip = f"10.1.{a}.{b + 4}"
            itype, cpu, mem, acpu, amem, maxpods = INSTANCE_TYPES[n % len(INSTANCE_TYPES)]
            created = self.epoch - datetime.timedelta(days=2) + datetime.timedelta(seconds=3 * n)
            zone = ZONES[n % 3]
            self.nodes.append({
                "node": f"ip-10-1-{a}-{b + 4}.ec2.internal", "ip": ip, "zone": zone,
                "zone_id": f"use1-az{(n % 3) + 1}", "itype": itype, "cpu": cpu, "memory": mem,
                "alloc_cpu": acpu, "alloc_memory": amem, "max_pods": maxpods,
                "instance": "i-0" + digest(f"node{n}", 8)[:16], "uid": uid(f"node{n}"),
                "created": fmt(created), "ready": fmt(created + datetime.timedelta(seconds=21)),
                "machine": digest(f"machine{n}", 16), "system_uuid": "ec2" + digest(f"sys{n}", 16)[3:],
                "boot": uid(f"boot{n}"), "d1": digest("cni", 32), "d2": digest("cni-init", 32),
                "d3": digest("kube-proxy", 32), "d4": digest("netpol", 32)})
        self.node_order = sorted(range(n_nodes), key=lambda n: self.nodes[n]["node"])
        self.node_index = {self.nodes[n]["node"]: s for s, n in enumerate(self.node_order)}
        self.counts = {"pods": pods, "nodes": n_nodes, "deployments": len(self.deps), "replicasets": len(self.deps)}
        offset, self.rv_base = 0, {}
        for plural in self.PLURALS:
            self.rv_base[plural] = base_rv + 1 + offset
            offset += self.counts[plural]
        self.total = offset
        self.heartbeat = fmt(now - datetime.timedelta(seconds=41))

    # -- addressing
    def count(self, plural):
        return self.counts.get(plural, 0)

    def key(self, plural, i):
        """(namespace or "", name) of object i."""
        if plural == "pods":
            dep = self.deps[i // REPLICAS]
            return dep["ns"], f"{dep['rs']}-{dep['suffixes'][i % REPLICAS]}"
        if plural == "deployments":
            dep = self.deps[i]
            return dep["ns"], dep["dep"]
        if plural == "replicasets":
            dep = self.deps[i]
            return dep["ns"], dep["rs"]
        return "", self.nodes[self.node_order[i]]["node"]

    def find(self, plural, namespace, name):
        """The index of the object named so, or None."""
        if plural == "nodes":
            return self.node_index.get(name) if not namespace else None
        if plural == "deployments":
            return self.dep_index.get((namespace, name))
        parts = name.rsplit("-", 2 if plural == "pods" else 1)
        if len(parts) < (3 if plural == "pods" else 2):
            return None
        d = self.dep_index.get((namespace, parts[0]))
        if d is None or self.deps[d]["hash"] != parts[1]:
            return None
        if plural == "replicasets":
            return d
        try:
            return d * REPLICAS + self.deps[d]["suffixes"].index(parts[2])
        except ValueError:
            return None

    def span(self, plural, namespace):
        """The index range of the objects of a namespace (all of them for None)."""
        n = self.count(plural)
        if namespace is None:
            return 0, n
        if plural == "nodes":
            return 0, 0
        lo, hi = self.ns_range.get(namespace, (0, 0))
        if plural == "pods":
            return min(lo * REPLICAS, n), min(hi * REPLICAS, n)
        return lo, hi

    def after(self, plural, lo, hi, key):
        """The first index in [lo, hi) whose key sorts after `key`."""
        while lo < hi:
            mid = (lo + hi) // 2
            if self.key(plural, mid) <= key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    # -- rendering
    def values(self, plural, i):
        if plural == "pods":
            d, r = divmod(i, REPLICAS)
            dep = self.deps[d]
            node = self.nodes[i % len(self.nodes)]
            created = dep["created_s"] + 30 + r
            v = dict(dep)
            v.update(name=f"{dep['rs']}-{dep['suffixes'][r]}", uid=uid(f"pod/{dep['ns']}/{dep['dep']}/{r}"),
                     rv=str(self.rv_base["pods"] + i), created=self.clock.at(created),
                     started=self.clock.at(created + 6), node=node["node"], host_ip=node["ip"],
                     pod_ip=f"10.{2 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}", cid=digest(f"container{i}", 32),
                     vol=safe(f"vol{i}", 5))
            return v
        if plural in ("deployments", "replicasets"):
            v = dict(self.deps[i])
            v["rv"] = str(self.rv_base[plural] + i)
            return v
        v = dict(self.nodes[self.node_order[i]])
        v.update(rv=str(self.rv_base["nodes"] + i), heartbeat=self.heartbeat)
        return v

    TEMPLATES = {"pods": POD, "deployments": DEPLOYMENT, "replicasets": REPLICASET, "nodes": NODE}

    def raw(self, plural, i):
        return (self.TEMPLATES[plural] % self.values(plural, i)).encode()

    def obj(self, plural, i):
        return json.loads(self.raw(plural, i))

    def light(self, plural, i):
        """The fields selectors of generated objects usually look at, without rendering the object."""
        ns, name = self.key(plural, i)
        if plural == "pods":
            d, r = divmod(i, REPLICAS)
            dep = self.deps[d]
            node = self.nodes[i % len(self.nodes)]
            return {"metadata": {"name": name, "namespace": ns, "labels": {
                "app.kubernetes.io/instance": dep["dep"], "app.kubernetes.io/name": dep["app"],
                "pod-template-hash": dep["hash"]}},
                "spec": {"nodeName": node["node"], "restartPolicy": "Always", "schedulerName": "default-scheduler",
                         "serviceAccountName": "default"},
                "status": {"phase": "Running", "podIP": f"10.{2 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}"}}
        return None

    LIGHT_FIELDS = {"metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
                    "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP"}
