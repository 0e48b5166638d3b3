"""meta.k8s.io Table rows, as kube-apiserver's server-side printing builds them.

Built-in kinds: the column definitions in kube_printers.json and the cells of printers.go's print
functions (Kubernetes pkg/printers/internalversion), generated with Wide: true as the API server
does (every column, priority 0 and 1). Custom resources: Name, then the CRD version's
additionalPrinterColumns with their JSONPath evaluated (apiextensions-apiserver tableconvertor);
resources without a printer (customresourcedefinitions): Name and Created At.
"""

import datetime
import json
import pathlib
import re

PRINTERS = json.loads(pathlib.Path(__file__).with_name("kube_printers.json").read_text())
NAME_DOC = PRINTERS["pods"][0]["description"]
AGE_DOC = PRINTERS["pods"][4]["description"]


# ----------------------------------------------------------------------------------------- time
def parse_ts(text):
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def human_duration(seconds_total):
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    seconds = int(seconds_total)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        s = seconds % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = seconds // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def since(text, now):
    """translateTimestampSince: '<unknown>' for a zero time."""
    t = parse_ts(text)
    if t is None:
        return "<unknown>"
    return human_duration((now - t).total_seconds())


# ------------------------------------------------------------------------------------- helpers
def g(obj, *path, default=None):
    for p in path:
        if isinstance(obj, dict):
            obj = obj.get(p)
        else:
            return default
    return default if obj is None else obj


def format_labels(labels):
    """labels.FormatLabels: sorted k=v, '<none>' when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def format_label_selector(sel):
    """metav1.FormatLabelSelector: the selector's String(), requirements sorted by key."""
    if sel is None:
        return "<none>"
    reqs = [(k, f"{k}={v}") for k, v in (sel.get("matchLabels") or {}).items()]
    for req in sel.get("matchExpressions") or []:
        op, key, values = req.get("operator"), req.get("key"), sorted(req.get("values") or [])
        if op == "In":
            reqs.append((key, f"{key} in ({','.join(values)})"))
        elif op == "NotIn":
            reqs.append((key, f"{key} notin ({','.join(values)})"))
        elif op == "Exists":
            reqs.append((key, key))
        elif op == "DoesNotExist":
            reqs.append((key, f"!{key}"))
    return ",".join(text for _, text in sorted(reqs, key=lambda r: r[0])) or "<none>"


def layout_containers(containers):
    containers = containers or []
    return ",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers)


def int_or_string(v):
    return str(v)


# ------------------------------------------------------------------------------------- printers
def print_pod(pod, now):
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    restarts = 0
    restartable_init_restarts = 0
    total = len(spec.get("containers") or [])
    ready = 0
    last_restart = None
    last_restartable_init = None
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    conditions = status.get("conditions") or []
    for c in conditions:
        if c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    row_conditions = None
    if phase == "Succeeded":
        row_conditions = [{"type": "Completed", "status": "True", "reason": "Succeeded",
                           "message": "The pod has completed successfully."}]
    elif phase == "Failed":
        row_conditions = [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]

    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}
    for c in init_specs.values():
        if c.get("restartPolicy") == "Always":
            total += 1

    def later(a, b):
        ta, tb = parse_ts(a), parse_ts(b)
        if tb is None:
            return a
        return b if ta is None or ta < tb else a

    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for i, cs in enumerate(init_statuses):
        restarts += cs.get("restartCount") or 0
        last_term = g(cs, "lastState", "terminated")
        if last_term:
            last_restart = later(last_restart, last_term.get("finishedAt"))
        restartable = (init_specs.get(cs.get("name")) or {}).get("restartPolicy") == "Always"
        if restartable:
            restartable_init_restarts += cs.get("restartCount") or 0
            if last_term:
                last_restartable_init = later(last_restartable_init, last_term.get("finishedAt"))
        state = cs.get("state") or {}
        term, wait = state.get("terminated"), state.get("waiting")
        if term is not None and (term.get("exitCode") or 0) == 0:
            continue
        if restartable and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if term is not None:
            if not term.get("reason"):
                reason = f"Init:Signal:{term['signal']}" if term.get("signal") else \
                    f"Init:ExitCode:{term.get('exitCode') or 0}"
            else:
                reason = "Init:" + term["reason"]
            initializing = True
        elif wait is not None and wait.get("reason") and wait.get("reason") != "PodInitializing":
            reason = "Init:" + wait["reason"]
            initializing = True
        else:
            reason = f"Init:{i}/{len(spec.get('initContainers') or [])}"
            initializing = True
        break

    initialized = next((c.get("status") == "True" for c in conditions if c.get("type") == "Initialized"), False)
    if not initializing or initialized:
        restarts = restartable_init_restarts
        last_restart = last_restartable_init
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += cs.get("restartCount") or 0
            last_term = g(cs, "lastState", "terminated")
            if last_term:
                last_restart = later(last_restart, last_term.get("finishedAt"))
            state = cs.get("state") or {}
            wait, term = state.get("waiting"), state.get("terminated")
            if wait is not None and wait.get("reason"):
                reason = wait["reason"]
            elif term is not None and term.get("reason"):
                reason = term["reason"]
            elif term is not None:
                reason = f"Signal:{term['signal']}" if term.get("signal") else f"ExitCode:{term.get('exitCode') or 0}"
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            has_ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
            reason = "Running" if has_ready else "NotReady"

    deleting = bool(g(pod, "metadata", "deletionTimestamp"))
    if deleting and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    restarts_text = str(restarts)
    if restarts and parse_ts(last_restart) is not None:
        restarts_text = f"{restarts} ({since(last_restart, now)} ago)"

    pod_ips = status.get("podIPs") or []
    pod_ip = (pod_ips[0].get("ip") if pod_ips else "") or "<none>"
    gates = spec.get("readinessGates") or []
    gates_text = "<none>"
    if gates:
        true = 0
        for gate in gates:
            for c in conditions:
                if c.get("type") == gate.get("conditionType"):
                    true += c.get("status") == "True"
                    break
        gates_text = f"{true}/{len(gates)}"
    cells = [g(pod, "metadata", "name", default=""), f"{ready}/{total}", reason, restarts_text,
             since(g(pod, "metadata", "creationTimestamp"), now), pod_ip, spec.get("nodeName") or "<none>",
             status.get("nominatedNodeName") or "<none>", gates_text]
    return cells, row_conditions


def print_pdb(obj, now):
    spec = obj.get("spec") or {}
    min_a = int_or_string(spec["minAvailable"]) if spec.get("minAvailable") is not None else "N/A"
    max_u = int_or_string(spec["maxUnavailable"]) if spec.get("maxUnavailable") is not None else "N/A"
    return [name(obj), min_a, max_u, g(obj, "status", "disruptionsAllowed", default=0), age(obj, now)], None


def print_replicaset(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = layout_containers(g(spec, "template", "spec", "containers"))
    return [name(obj), spec.get("replicas", 1), status.get("replicas", 0), status.get("readyReplicas", 0),
            age(obj, now), names, images, format_label_selector(spec.get("selector"))], None


def print_daemonset(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = layout_containers(g(spec, "template", "spec", "containers"))
    return [name(obj), status.get("desiredNumberScheduled", 0), status.get("currentNumberScheduled", 0),
            status.get("numberReady", 0), status.get("updatedNumberScheduled", 0), status.get("numberAvailable", 0),
            format_labels(g(spec, "template", "spec", "nodeSelector")), age(obj, now), names, images,
            format_label_selector(spec.get("selector"))], None


def print_job(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    succeeded = status.get("succeeded", 0)
    completions = spec.get("completions")
    parallelism = spec.get("parallelism")
    if completions is None and parallelism is None:
        completions = 1  # the API defaults both to 1 when neither is set
    if completions is not None:
        comp = f"{succeeded}/{completions}"
    elif (parallelism or 0) > 1:
        comp = f"{succeeded}/1 of {parallelism}"
    else:
        comp = f"{succeeded}/1"
    start, end = parse_ts(status.get("startTime")), parse_ts(status.get("completionTime"))
    if start is None:
        duration = ""
    elif end is None:
        duration = human_duration((now - start).total_seconds())
    else:
        duration = human_duration((end - start).total_seconds())

    def cond(kind):
        for c in status.get("conditions") or []:
            if c.get("type") == kind:
                return c.get("status") == "True"
        return False

    if cond("Complete"):
        state = "Complete"
    elif cond("Failed"):
        state = "Failed"
    elif g(obj, "metadata", "deletionTimestamp"):
        state = "Terminating"
    elif cond("Suspended"):
        state = "Suspended"
    elif cond("FailureTarget"):
        state = "FailureTarget"
    else:
        state = "Running"
    names, images = layout_containers(g(spec, "template", "spec", "containers"))
    return [name(obj), state, comp, duration, age(obj, now), names, images,
            format_label_selector(spec.get("selector"))], None


def print_cronjob(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    last = since(status["lastScheduleTime"], now) if status.get("lastScheduleTime") else "<none>"
    suspend = spec.get("suspend", False)  # defaulted to false
    names, images = layout_containers(g(spec, "jobTemplate", "spec", "template", "spec", "containers"))
    return [name(obj), spec.get("schedule", ""), spec.get("timeZone") or "<none>",
            "True" if suspend else "False", len(status.get("active") or []), last, age(obj, now), names, images,
            format_label_selector(g(spec, "jobTemplate", "spec", "selector"))], None


def lb_status(status, wide):
    seen = set()
    for ing in (status or {}).get("ingress") or []:
        if ing.get("ip"):
            seen.add(ing["ip"])
        elif ing.get("hostname"):
            seen.add(ing["hostname"])
    text = ",".join(sorted(seen))
    if not wide and len(text) > 16:
        text = text[:13] + "..."
    return text


def print_service(obj, now):
    spec = obj.get("spec") or {}
    kind = spec.get("type") or "ClusterIP"
    ips = spec.get("clusterIPs") or []
    internal = ips[0] if ips else "<none>"
    external_ips = spec.get("externalIPs") or []
    if kind in ("ClusterIP", "NodePort"):
        external = ",".join(external_ips) if external_ips else "<none>"
    elif kind == "LoadBalancer":
        lb = lb_status(g(obj, "status", "loadBalancer"), True)
        if external_ips:
            external = ",".join(([*lb.split(",")] if lb else []) + external_ips)
        else:
            external = lb or "<pending>"
    elif kind == "ExternalName":
        external = spec.get("externalName", "")
    else:
        external = "<unknown>"
    pieces = []
    for p in spec.get("ports") or []:
        proto = p.get("protocol") or "TCP"
        pieces.append(f"{p.get('port')}:{p['nodePort']}/{proto}" if p.get("nodePort") else f"{p.get('port')}/{proto}")
    return [name(obj), kind, internal, external, ",".join(pieces) or "<none>", age(obj, now),
            format_labels(spec.get("selector"))], None


def print_ingress(obj, now):
    spec = obj.get("spec") or {}
    rules = spec.get("rules") or []
    hosts, more = [], False
    for rule in rules:
        if len(hosts) == 3:
            more = True
        if not more and rule.get("host"):
            hosts.append(rule["host"])
    host_text = "*" if not hosts else ",".join(hosts)
    if hosts and more:
        host_text = f"{host_text} + {len(rules) - 3} more..."
    ports = "80, 443" if spec.get("tls") else "80"
    return [name(obj), spec.get("ingressClassName") or "<none>", host_text,
            lb_status(g(obj, "status", "loadBalancer"), True), ports, age(obj, now)], None


def print_statefulset(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = layout_containers(g(spec, "template", "spec", "containers"))
    return [name(obj), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}", age(obj, now),
            names, images], None


def print_endpoints(obj, now):
    subsets = obj.get("subsets") or []
    if not subsets:
        return [name(obj), "<none>", age(obj, now)], None
    items, more, count = [], False, 0
    for ss in subsets:
        addrs = ss.get("addresses") or []
        ports = ss.get("ports") or []
        if not ports:
            count += len(addrs)
            for a in addrs:
                if len(items) == 3:
                    more = True
                    break
                items.append(a.get("ip", ""))
            continue
        for port in ports:
            count += len(addrs)
            for a in addrs:
                if len(items) == 3:
                    more = True
                    break
                ip = a.get("ip", "")
                items.append(f"[{ip}]:{port.get('port')}" if ":" in ip else f"{ip}:{port.get('port')}")
    text = ",".join(items)
    if more:
        text = f"{text} + {count - 3} more..."
    return [name(obj), text, age(obj, now)], None


def print_node(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    states = []
    for c in status.get("conditions") or []:
        if c.get("type") == "Ready":
            states = ["Ready" if c.get("status") == "True" else "NotReady"]
    if not states:
        states = ["Unknown"]
    if spec.get("unschedulable"):
        states.append("SchedulingDisabled")
    roles = set()
    for k, v in (g(obj, "metadata", "labels") or {}).items():
        if k.startswith("node-role.kubernetes.io/") and k[len("node-role.kubernetes.io/"):]:
            roles.add(k[len("node-role.kubernetes.io/"):])
        elif k == "kubernetes.io/role" and v:
            roles.add(v)
    info = status.get("nodeInfo") or {}

    def addr(kind):
        return next((a.get("address") for a in status.get("addresses") or [] if a.get("type") == kind), "<none>")

    return [name(obj), ",".join(states), ",".join(sorted(roles)) or "<none>", age(obj, now),
            info.get("kubeletVersion", ""), addr("InternalIP"), addr("ExternalIP"), info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>", info.get("containerRuntimeVersion") or "<unknown>"], None


def print_event(obj, now):
    first = since(obj["firstTimestamp"], now) if obj.get("firstTimestamp") else since(obj.get("eventTime"), now)
    last = since(obj["lastTimestamp"], now) if obj.get("lastTimestamp") else first
    count = obj.get("count") or 0
    if obj.get("series"):
        last = since(g(obj, "series", "lastObservedTime"), now)
        count = g(obj, "series", "count", default=0)
    elif count == 0:
        count = 1
    inv = obj.get("involvedObject") or {}
    target = f"{(inv.get('kind') or '').lower()}/{inv['name']}" if inv.get("name") else (inv.get("kind") or "").lower()
    component = g(obj, "source", "component") or obj.get("reportingComponent") or ""
    host = g(obj, "source", "host") or obj.get("reportingInstance") or ""
    source = f"{component}, {host}" if host else component
    return [last, obj.get("type", ""), obj.get("reason", ""), target, inv.get("fieldPath", ""), source,
            (obj.get("message") or "").strip(), first, count, name(obj)], None


def print_namespace(obj, now):
    return [name(obj), g(obj, "status", "phase", default=""), age(obj, now)], None


def print_secret(obj, now):
    return [name(obj), obj.get("type", "Opaque"), len(obj.get("data") or {}), age(obj, now)], None


ACCESS_MODES = [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"),
                ("ReadWriteOncePod", "RWOP")]


def print_pvc(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    phase = "Terminating" if g(obj, "metadata", "deletionTimestamp") else status.get("phase", "")
    capacity, modes = "", ""
    if spec.get("volumeName"):
        have = status.get("accessModes") or []
        modes = ",".join(short for full, short in ACCESS_MODES if full in have)
        capacity = str(g(status, "capacity", "storage", default="0"))
    klass = spec.get("storageClassName") or g(obj, "metadata", "annotations",
                                               "volume.beta.kubernetes.io/storage-class", default="")
    return [name(obj), phase, spec.get("volumeName", ""), capacity, modes, klass,
            spec.get("volumeAttributesClassName") or "<unset>", age(obj, now),
            spec.get("volumeMode") or "<unset>"], None


def print_deployment(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = layout_containers(g(spec, "template", "spec", "containers"))
    sel = spec.get("selector")
    return [name(obj), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}", status.get("updatedReplicas", 0),
            status.get("availableReplicas", 0), age(obj, now), names, images,
            "" if sel is None else format_label_selector(sel).replace("<none>", "")], None


def quantity(v):
    return "<unknown>" if v is None else str(v)


def print_hpa(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    metrics, current = spec.get("metrics") or [], status.get("currentMetrics") or []
    parts = []
    for i, m in enumerate(metrics):
        cur = current[i] if i < len(current) else {}
        kind = m.get("type")
        if kind == "Resource" or kind == "ContainerResource":
            key = "resource" if kind == "Resource" else "containerResource"
            src, st = m.get(key) or {}, cur.get(key)
            target = src.get("target") or {}
            if target.get("averageValue") is not None:
                val = quantity(g(st, "current", "averageValue")) if st else "<unknown>"
                parts.append(f"{src.get('name')}: {val}/{target['averageValue']}")
            else:
                util = g(st, "current", "averageUtilization") if st else None
                val = f"{util}%" if util is not None else "<unknown>"
                tgt = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
                parts.append(f"{src.get('name')}: {val}/{tgt}")
        elif kind == "Pods":
            st = cur.get("pods")
            val = quantity(g(st, "current", "averageValue")) if st else "<unknown>"
            parts.append(f"{val}/{g(m, 'pods', 'target', 'averageValue')}")
        elif kind in ("Object", "External"):
            key = kind.lower()
            target, st = g(m, key, "target", default={}), cur.get(key)
            if target.get("averageValue") is not None:
                val = quantity(g(st, "current", "averageValue")) if st else "<unknown>"
                parts.append(f"{val}/{target['averageValue']} (avg)")
            else:
                val = quantity(g(st, "current", "value")) if st else "<unknown>"
                parts.append(f"{val}/{target.get('value')}")
        else:
            parts.append("<unknown type>")
    text = "<none>" if not metrics else ", ".join(parts[:2]) + (f" + {len(parts) - 2} more..." if len(parts) > 2 else "")
    min_pods = str(spec["minReplicas"]) if spec.get("minReplicas") is not None else "<unset>"
    return [name(obj), f"{ref.get('kind')}/{ref.get('name')}", text, min_pods, spec.get("maxReplicas", 0),
            status.get("currentReplicas", 0), age(obj, now)], None


def print_configmap(obj, now):
    return [name(obj), len(obj.get("data") or {}) + len(obj.get("binaryData") or {}), age(obj, now)], None


def print_storageclass(obj, now):
    n = name(obj)
    ann = g(obj, "metadata", "annotations") or {}
    if ann.get("storageclass.kubernetes.io/is-default-class") == "true" or \
            ann.get("storageclass.beta.kubernetes.io/is-default-class") == "true":
        n += " (default)"
    return [n, obj.get("provisioner", ""), obj.get("reclaimPolicy") or "Delete",
            obj.get("volumeBindingMode") or "Immediate", bool(obj.get("allowVolumeExpansion", False)),
            age(obj, now)], None


def more_string(items, more, count, limit=3):
    text = ",".join(items)
    if more:
        return f"{text} + {count - limit} more..."
    return text or "<unset>"


def print_endpointslice(obj, now):
    ports, more, count = [], False, 0
    for p in obj.get("ports") or []:
        if len(ports) < 3:
            ports.append(str(p["port"]) if p.get("port") is not None else p.get("name") or "*")
        elif len(ports) == 3:
            more = True
        count += 1
    port_text = more_string(ports, more, count)
    addrs, more, count = [], False, 0
    for ep in obj.get("endpoints") or []:
        for a in ep.get("addresses") or []:
            if len(addrs) < 3:
                addrs.append(a)
            elif len(addrs) == 3:
                more = True
            count += 1
    return [name(obj), obj.get("addressType", ""), port_text, more_string(addrs, more, count), age(obj, now)], None


def print_default(obj, now):
    """rest.NewDefaultTableConvertor: name and creationTimestamp in RFC 3339."""
    t = parse_ts(g(obj, "metadata", "creationTimestamp"))
    return [name(obj), t.strftime("%Y-%m-%dT%H:%M:%SZ") if t else "0001-01-01T00:00:00Z"], None


def name(obj):
    return g(obj, "metadata", "name", default="")


def age(obj, now):
    return since(g(obj, "metadata", "creationTimestamp"), now)


PRINT = {"pods": print_pod, "poddisruptionbudgets": print_pdb, "replicasets": print_replicaset,
         "daemonsets": print_daemonset, "jobs": print_job, "cronjobs": print_cronjob, "services": print_service,
         "ingresses": print_ingress, "statefulsets": print_statefulset, "endpoints": print_endpoints,
         "nodes": print_node, "events": print_event, "namespaces": print_namespace, "secrets": print_secret,
         "persistentvolumeclaims": print_pvc, "deployments": print_deployment,
         "horizontalpodautoscalers": print_hpa, "configmaps": print_configmap,
         "storageclasses": print_storageclass, "endpointslices": print_endpointslice}


# -------------------------------------------------------------------------------------- JSONPath
class JSONPathError(ValueError):
    pass


def parse_jsonpath(path):
    """The simple JSONPaths CRD columns use: .a.b (with \\. escapes), [n], [*], [?(@.k=="v")]."""
    steps, i, n = [], 0, len(path)
    if path.startswith("{") and path.endswith("}"):
        path, n = path[1:-1], n - 2
    while i < n:
        ch = path[i]
        if ch == ".":
            i += 1
            if i < n and path[i] == ".":
                raise JSONPathError("recursive descent is not supported")
            name = []
            while i < n and path[i] not in ".[":
                if path[i] == "\\" and i + 1 < n:
                    name.append(path[i + 1])
                    i += 2
                    continue
                name.append(path[i])
                i += 1
            if name:
                steps.append(("field", "".join(name)))
        elif ch == "[":
            j = path.find("]", i)
            if path.startswith("[?(", i):
                j = path.find(")]", i) + 1
            if j <= i:
                raise JSONPathError(f"unterminated [ in {path!r}")
            inner = path[i + 1:j]
            i = j + 1
            if inner == "*":
                steps.append(("all", None))
            elif inner.startswith("?(") and inner.endswith(")"):
                m = re.fullmatch(r"\?\(@\.([\w.\\/-]+)\s*(==|!=)\s*(?:\"([^\"]*)\"|'([^']*)'|(\S+))\s*\)", inner)
                if not m:
                    raise JSONPathError(f"unsupported filter {inner!r}")
                key = m.group(1).replace("\\.", "\x00").split(".")
                key = [k.replace("\x00", ".") for k in key]
                value = m.group(3) if m.group(3) is not None else m.group(4) if m.group(4) is not None else m.group(5)
                steps.append(("filter", (key, m.group(2), value)))
            elif re.fullmatch(r"-?\d+", inner):
                steps.append(("index", int(inner)))
            elif re.fullmatch(r"'[^']*'|\"[^\"]*\"", inner):
                steps.append(("field", inner[1:-1]))
            else:
                raise JSONPathError(f"unsupported subscript {inner!r}")
        else:
            raise JSONPathError(f"unexpected {ch!r} in {path!r}")
    return steps


def eval_jsonpath(steps, obj):
    values = [obj]
    for kind, arg in steps:
        out = []
        for v in values:
            if kind == "field":
                if isinstance(v, dict) and arg in v:
                    out.append(v[arg])
            elif kind == "index":
                if isinstance(v, list) and -len(v) <= arg < len(v):
                    out.append(v[arg])
            elif kind == "all":
                if isinstance(v, list):
                    out.extend(v)
                elif isinstance(v, dict):
                    out.extend(v.values())
            elif kind == "filter":
                key, op, want = arg
                if isinstance(v, list):
                    for item in v:
                        have = item
                        for k in key:
                            have = have.get(k) if isinstance(have, dict) else None
                        text = None if have is None else json.dumps(have) if not isinstance(have, str) else have
                        if (op == "==") == (text == want):
                            out.append(item)
        values = out
    return values


def go_text(value):
    """jsonpath PrintResults of one value: JSON for maps and lists, fmt.Print otherwise."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def crd_cell(column, steps, obj, now):
    values = eval_jsonpath(steps, obj)
    if not values:
        return None
    value = values[0]
    kind = column.get("type")
    if value is None:
        return None
    if kind == "string":
        return go_text(value)
    if kind == "integer":
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            return int(value)
        return None
    if kind == "number":
        if isinstance(value, bool):
            return None
        return float(value) if isinstance(value, (int, float)) else None
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind == "date":
        if isinstance(value, str):
            t = parse_ts(value)
            if t is None:
                return "<invalid>"
            return human_duration((now - t).total_seconds())
        return None
    return None


# ------------------------------------------------------------------------------------------ tables
def column_definitions(res):
    if res.columns is not None:  # a custom resource
        cols = [{"name": "Name", "type": "string", "format": "name", "description": NAME_DOC, "priority": 0}]
        for c in res.columns:
            desc = c.get("description") or (AGE_DOC if c.get("description", "") is None else
                                             f"Custom resource definition column (in JSONPath format): {c['jsonPath']}")
            cols.append({"name": c["name"], "type": c["type"], "format": c.get("format", ""), "description": desc,
                         "priority": c.get("priority", 0)})
        return cols
    return PRINTERS.get(res.plural, PRINTERS["_default"])


class Printer:
    """Rows of one resource's objects."""

    def __init__(self, res):
        self.res = res
        self.columns = column_definitions(res)
        self.paths = [parse_jsonpath(c["jsonPath"]) for c in res.columns] if res.columns is not None else None
        self.fn = PRINT.get(res.plural, print_default) if res.columns is None else None

    def cells(self, obj, now):
        if self.paths is not None:
            return [name(obj)] + [crd_cell(c, p, obj, now) for c, p in zip(self.res.columns, self.paths)], None
        return self.fn(obj, now)


def row(printer, obj, include, now, group_version):
    cells, conditions = printer.cells(obj, now)
    out = {"cells": cells}
    if conditions:
        out["conditions"] = conditions
    if include == "Object":
        out["object"] = obj
    elif include == "None":
        out["object"] = None
    else:
        out["object"] = partial_metadata(obj, group_version)
    return out


def partial_metadata(obj, group_version="meta.k8s.io/v1"):
    return {"kind": "PartialObjectMetadata", "apiVersion": group_version, "metadata": obj.get("metadata") or {}}
