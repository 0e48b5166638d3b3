"""Start a Kubernetes API emulator on a free 127.0.0.1 port for bosun's tests.

It is kmock's `KubernetesEmulator` (PyPI `kmock`, in-memory objects over HTTP, aiohttp) with a
subclass that makes it answer as a real API server where the `kube` crate depends on it. Prints
`PORT <n>` on stdout once it accepts connections, then serves until stdin closes or it is killed.
Point a kubeconfig at `server: http://127.0.0.1:<n>` (plain HTTP, no TLS).

usage: python kube_server.py [--scenario demo|empty] [--token TOKEN] [--forbid VERB:RESOURCE]...
                             [--user NAME]
  --scenario  the objects to start with, from kube_seed.json beside this file: demo (default; an
              EKS-like cluster, listed in that file) or empty (namespaces default and kube-system)
  --token     every request without `Authorization: Bearer TOKEN` gets a 401 Status
  --forbid    answer 403 Forbidden for that verb on that resource, e.g. delete:pods, patch:nodes,
              get:pods/log, patch:deployments/scale, list:events (`*` matches any verb or resource);
              verbs: get list watch create update patch delete deletecollection
  --user      the identity named in 403 messages (default: moto's STS identity)
  --eks-token REGION  accept only EKS IAM tokens (`aws eks get-token`'s shape): `k8s-aws-v1.` and the
              unpadded base64url of a presigned https://sts.REGION.amazonaws.com GetCallerIdentity
              URL, 60 s expiry, signed with the x-k8s-aws-id header, dated within 15 minutes;
              anything else gets a 401 Status. The signature itself is not verified (that takes
              the secret key); its shape is.

What the subclass adds to kmock 0.8:
- every write (seed, create, patch, replace, scale, delete) stamps a fresh, strictly increasing
  metadata.resourceVersion; creates also get metadata.uid (uuid4), creationTimestamp and generation,
  and a spec change bumps metadata.generation;
- lists are `{"apiVersion","kind":"PodList","metadata":{"resourceVersion":"<current>"},"items"}`,
  sorted by namespace/name, filtered by labelSelector / fieldSelector (=, ==, !=, in, notin,
  exists), paged by limit / continue;
- watches (watch=true or watch=1) stream JSON lines {"type":"ADDED|MODIFIED|DELETED","object"}:
  with resourceVersion unset or "0", the existing objects first as ADDED; with a resourceVersion,
  only the changes after it. sendInitialEvents=true ends the initial ADDEDs with the
  k8s.io/initial-events-end BOOKMARK. timeoutSeconds ends the stream;
- PUT (replace, with a 409 Conflict on a stale metadata.resourceVersion); PATCH as merge patch
  (application/merge-patch+json; strategic-merge-patch+json and apply-patch+yaml are treated as
  merge patches, so lists are replaced whole) or application/json-patch+json;
- subresources: deployments|statefulsets|replicasets/{name}/scale GET/PATCH/PUT (an
  autoscaling/v1 Scale; a change of spec.replicas patches the workload: MODIFIED event);
  pods/{name}/log with container=, previous=true, follow=true, tailLines=, timestamps=true;
  `status` reads and writes the object itself;
- Kubernetes Status errors: 401 Unauthorized, 403 Forbidden, 404 NotFound, 409 AlreadyExists /
  Conflict, 400 BadRequest, 405 MethodNotAllowed, 410 Expired, 422 Invalid;
- /api/v1/namespaces itself (kmock 0.8 cannot parse that path), /version answering EKS 1.31,
  /healthz, /livez, /readyz. /api, /apis and /apis/GROUP[/VERSION] are kmock's discovery.

Resources: namespaces, nodes, storageclasses (cluster-wide); pods, events, persistentvolumeclaims
(core v1), deployments, replicasets, statefulsets, daemonsets (apps/v1), horizontalpodautoscalers
(autoscaling/v2). Lists and watches work across all namespaces and in one.

Pod logs: lines listed in kube_seed.json under logs["NS/POD/CONTAINER"] ("current" and
"previous"), else generated: from the container's start time T, `T INFO <container> started`,
`T+1s INFO <container> listening on :<port or 8080>`, then `T+30s*i INFO GET /healthz 200 1ms`
for i = 1..8; `previous` of a container whose lastState is terminated ends with
`ERROR <container> terminated: <reason> (exit code <n>)`. follow=true then adds
`INFO GET /healthz 200 1ms seq=<n>` lines, 30 s of log time apart, every 200 ms of real time, until
the client goes away. A container in CrashLoopBackOff serves its last run's lines; one that never
started (the Pending pod) answers 400 BadRequest, as the API server does.

Control endpoints for tests (no token needed):
  POST /_control/expire-watches  compacts history: every open watch receives
       {"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired",...}} and ends, and
       a later watch from a resourceVersion older than this moment gets that event at once
       (kube's watcher answers a 410 by listing again). Answers {"resourceVersion": "<n>"}.
  POST /_control/close-watches   ends every open watch stream cleanly (the client re-watches).
  GET  /_control/resource-version  {"resourceVersion": "<current>"}

Limits: no controllers (scaling changes spec.replicas but starts no pods; deleting a pod removes it
at once, with a DELETED event, and nothing replaces it); deletes honour finalizers (kmock) but not
grace periods or propagation policies (a deleted PVC stays Terminating: nothing removes its
pvc-protection finalizer); no server-side apply semantics (an apply patch of a
missing object is a 404); no resourceVersionMatch, no watch bookmarks beyond sendInitialEvents;
a watch with a labelSelector does not turn "stopped matching" into DELETED; no protobuf, no
exec / attach / port-forward / eviction, no discovery v2 (aggregated).
"""

import argparse
import asyncio
import bisect
import datetime
import json
import pathlib
import re
import sys
import threading
import uuid

import aiohttp.web
import attrs
import kmock

SEED = pathlib.Path(__file__).with_name("kube_seed.json")

# plural: (group, version, kind, namespaced)
RESOURCES = {
    "namespaces": ("", "v1", "Namespace", False),
    "nodes": ("", "v1", "Node", False),
    "pods": ("", "v1", "Pod", True),
    "events": ("", "v1", "Event", True),
    "persistentvolumeclaims": ("", "v1", "PersistentVolumeClaim", True),
    "deployments": ("apps", "v1", "Deployment", True),
    "replicasets": ("apps", "v1", "ReplicaSet", True),
    "statefulsets": ("apps", "v1", "StatefulSet", True),
    "daemonsets": ("apps", "v1", "DaemonSet", True),
    "horizontalpodautoscalers": ("autoscaling", "v2", "HorizontalPodAutoscaler", True),
    "storageclasses": ("storage.k8s.io", "v1", "StorageClass", False),
}
SUBRESOURCES = {"pods": ["log", "status"], "deployments": ["scale", "status"], "replicasets": ["scale", "status"],
                "statefulsets": ["scale", "status"], "daemonsets": ["status"], "nodes": ["status"],
                "namespaces": ["status"], "horizontalpodautoscalers": ["status"],
                "persistentvolumeclaims": ["status"]}
PLURAL_OF_KIND = {kind: plural for plural, (_, _, kind, _) in RESOURCES.items()}
REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
           409: "Conflict", 410: "Expired", 422: "Invalid", 500: "InternalError"}
# kmock 0.8 reads /api/v1/namespaces[/NAME] as a namespace prefix; such paths are rewritten to a
# namespace no object can have, which _handle maps back to a cluster-wide request.
NS_PATH = re.compile(r"/api/v1/namespaces(/[^/]+)?(/status|/finalize)?/?")
NS_MARK = "-"
LOG_EPOCH = "2026-11-02T09:30:00Z"


def now():
    return fmt_time(datetime.datetime.now(datetime.timezone.utc))


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def fmt_time(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def api_version(plural):
    group, version, _, _ = RESOURCES[plural]
    return f"{group}/{version}" if group else version


class ApiError(kmock.KubernetesError):
    """A Kubernetes Status error: ApiError(404, 'pods "x" not found', name="x", kind="pods")."""

    def __init__(self, code, message, reason=None, **details):
        details = {k: v for k, v in details.items() if v}
        super().__init__(status=code, reason=reason or REASONS.get(code, "Unknown"), message=message,
                         details=details or None)


def status_body(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}
    if details:
        body["details"] = details
    return body


# ---------------------------------------------------------------------------------------- selectors
SELECTOR_TERM = re.compile(r"\s*(!?)([^=!\s()]+)\s*(?:(==|=|!=)\s*(\S*)|\s(in|notin)\s*\(([^)]*)\))?\s*")


def split_terms(selector):
    return [t for t in re.split(r",(?![^(]*\))", selector or "") if t.strip()]


def labels_match(labels, selector):
    for term in split_terms(selector):
        m = SELECTOR_TERM.fullmatch(term)
        if not m:
            raise ApiError(400, f"unable to parse requirement: {term!r}")
        neg, key, op, value, setop, values = m.groups()
        have = labels.get(key)
        if setop:
            wanted = {v.strip() for v in values.split(",")}
            if (setop == "in") != (have in wanted):
                return False
        elif op:
            if (op == "!=") == (have == value):
                return False
        elif bool(neg) == (key in labels):
            return False
    return True


def field_value(obj, path):
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return "" if obj is None else str(obj).lower() if isinstance(obj, bool) else str(obj)


def fields_match(obj, selector):
    for term in split_terms(selector):
        m = re.fullmatch(r"\s*([^=!\s]+)\s*(==|=|!=)\s*(\S*)\s*", term)
        if not m:
            raise ApiError(400, f"invalid field selector: {term!r}")
        path, op, value = m.groups()
        if (op == "!=") == (field_value(obj, path) == value):
            return False
    return True


# ------------------------------------------------------------------------------------------- server
class _EventSink:
    """Takes the place of kmock's per-resource event bus: every event kmock emits is recorded."""

    def __init__(self, emulator, resource):
        self.emulator, self.resource = emulator, resource

    async def put(self, event):
        self.emulator.record(self.resource.plural, event)


class _EventSinks:
    def __init__(self, emulator):
        self.emulator = emulator

    def __getitem__(self, resource):
        return _EventSink(self.emulator, resource)


@attrs.define(kw_only=True)
class Emulator(kmock.KubernetesEmulator):
    token: str | None = None
    eks_region: str | None = None
    forbidden: set = attrs.field(factory=set)
    user: str = "arn:aws:sts::123456789012:user/moto"
    logs: dict = attrs.field(factory=dict)
    stopping: bool = False
    rv: int = 0
    expired_below: int = 0  # watches from an older resourceVersion get 410 Expired
    expiries: int = 0
    closes: int = 0
    history: list = attrs.field(factory=list)  # (resourceVersion, plural, event), in order
    wake: asyncio.Event | None = None
    write_lock: asyncio.Lock = attrs.field(factory=asyncio.Lock)

    def __attrs_post_init__(self):
        super().__attrs_post_init__()
        self._buses = _EventSinks(self)
        for plural, (group, version, kind, namespaced) in RESOURCES.items():
            self.resources[kmock.resource(group, version, plural)] = kmock.ResourceInfo(
                kind=kind, namespaced=namespaced, singular=kind.lower(), subresources=SUBRESOURCES.get(plural, []),
                verbs=["create", "delete", "get", "list", "patch", "update", "watch"])

    # -- state
    def next_rv(self):
        self.rv += 1
        return str(self.rv)

    def record(self, plural, event):
        rv = int(event["object"].get("metadata", {}).get("resourceVersion") or self.rv)
        self.history.append((rv, plural, event))
        self.notify()

    def notify(self):
        if self.wake is not None:
            self.wake.set()
        self.wake = asyncio.Event()

    def key(self, plural, namespace, name):
        group, version, _, _ = RESOURCES[plural]
        return (kmock.resource(group, version, plural), namespace, name)

    def stored(self, plural, namespace, name):
        key = self.key(plural, namespace, name)
        if key in self.objects and not self.objects[key].deleted:
            return self.objects[key]
        return None

    def must_get(self, plural, namespace, name):
        obj = self.stored(plural, namespace, name)
        if obj is None:
            raise ApiError(404, f'{plural} "{name}" not found', name=name, kind=plural,
                           group=RESOURCES[plural][0])
        return obj

    def items(self, plural, namespace=None, name=None):
        out = []
        for (res, ns, nm), obj in self.objects.items():
            if res.plural == plural and not obj.deleted and namespace in (None, ns) and name in (None, nm):
                out.append(obj.raw)
        return sorted(out, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))

    def seed(self, objects, logs):
        uids = {}
        objects = json.loads(json.dumps(objects))
        for obj in objects:
            meta = obj["metadata"]
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", now())
            meta["resourceVersion"] = self.next_rv()
            uids[obj["kind"], meta.get("namespace"), meta["name"]] = meta["uid"]
        for obj in objects:
            meta = obj["metadata"]
            for ref in meta.get("ownerReferences", []):
                ref.setdefault("uid", uids.get((ref["kind"], meta.get("namespace"), ref["name"]), str(uuid.uuid4())))
            inv = obj.get("involvedObject")
            if inv:
                inv.setdefault("uid", uids.get((inv["kind"], inv.get("namespace"), inv["name"]), str(uuid.uuid4())))
            plural = PLURAL_OF_KIND[obj["kind"]]
            self.objects[self.key(plural, meta.get("namespace"), meta["name"])] = obj
        self.logs = logs

    def evolve(self, request, **changes):
        """A changed copy of a request that kmock's reactions still match (they look requests up by
        identity in the handler's request log)."""
        changed = attrs.evolve(request, **changes)
        for i in range(len(self._requests) - 1, -1, -1):
            if self._requests[i] is request:
                self._requests[i] = changed
                break
        return changed

    async def modify(self, plural, namespace, name, patch):
        """Patch a stored object as the API would (new resourceVersion, MODIFIED event)."""
        async with self.write_lock:
            obj = self.must_get(plural, namespace, name)
            meta = {"resourceVersion": self.next_rv()}
            if "spec" in patch:
                meta["generation"] = obj.raw["metadata"].get("generation", 1) + 1
            obj.patch({**patch, "metadata": {**patch.get("metadata", {}), **meta}})
            self.record(plural, {"type": "MODIFIED", "object": obj.raw})
            return obj.raw

    # -- HTTP entry: kmock calls this for every request
    async def __call__(self, raw):
        m = NS_PATH.fullmatch(raw.path)
        if m:
            path = f"/api/v1/namespaces/{NS_MARK}/namespaces{m.group(1) or ''}{m.group(2) or ''}"
            raw = raw.clone(rel_url=raw.rel_url.with_path(path).with_query(raw.rel_url.query))
        return await super().__call__(raw)

    async def _render_error(self, exc):
        if isinstance(exc, kmock.KubernetesError):
            code = exc.status
            reason = exc.reason if isinstance(exc, ApiError) else REASONS.get(code, "Unknown")
            message = exc.message or reason
            details = exc.details if isinstance(exc, ApiError) else None
        elif type(exc).__module__.startswith("jsonpatch") or type(exc).__module__.startswith("jsonpointer") \
                or isinstance(exc, (ValueError, TypeError)):
            code, reason, message, details = 422, "Invalid", f"the patch could not be applied: {exc}", None
        else:
            code, reason, message, details = 500, "InternalError", repr(exc), None
        return aiohttp.web.json_response(status_body(code, reason, message, details), status=code)

    async def _handle(self, request):
        path = request.url.path
        if path.startswith("/_control/"):
            return await self.control(request, path)
        if self.token is not None and request.headers.get("Authorization") != f"Bearer {self.token}":
            return aiohttp.web.json_response(status_body(401, "Unauthorized", "Unauthorized"), status=401)
        if self.eks_region is not None and not eks_token_ok(request.headers.get("Authorization", ""), self.eks_region):
            return aiohttp.web.json_response(status_body(401, "Unauthorized", "Unauthorized"), status=401)
        if path in ("/healthz", "/livez", "/readyz"):
            return aiohttp.web.Response(text="ok")
        if request.resource is None or request.resource.plural is None:
            return await super()._handle(request)  # discovery: /api, /apis, /apis/GROUP/VERSION
        if request.namespace == NS_MARK:
            request = self.evolve(request, namespace=None)

        plural, namespace, name, sub = (request.resource.plural, request.namespace, request.name,
                                        request.subresource)
        if plural not in RESOURCES or api_version(plural) != "/".join(
                p for p in (request.resource.group, request.resource.version) if p):
            raise ApiError(404, "the server could not find the requested resource")
        if sub and sub not in SUBRESOURCES.get(plural, []):
            raise ApiError(404, "the server could not find the requested resource")
        if namespace is not None and not RESOURCES[plural][3]:
            raise ApiError(404, "the server could not find the requested resource")
        method = request.method.value
        watching = method == "GET" and request.params.get("watch") in ("true", "1")
        verb = ("watch" if watching else "get" if name else "list") if method == "GET" else {
            "POST": "create", "PUT": "update", "PATCH": "patch",
            "DELETE": "delete" if name else "deletecollection"}.get(method, method.lower())
        self.check_forbidden(verb, plural, sub, namespace, name)

        if sub == "scale":
            return await self.scale(request, plural, namespace, name)
        if sub == "log":
            return await self.pod_log(request, namespace, name)
        if watching:
            return await self.watch(request, plural, namespace, name)
        if method in ("POST", "PUT") and not isinstance(request.data, dict) or \
                method == "PATCH" and not isinstance(request.data, (dict, list)):
            raise ApiError(400, "the request body is not a JSON object (or, to patch, a JSON array)")
        if method == "GET":
            if name:
                self.must_get(plural, namespace, name)
            return await super()._handle(request)
        if method == "POST" and not name:
            return await self.create(request, plural, namespace)
        if method == "PUT" and name:
            return await self.replace(request, plural, namespace, name)
        if method == "PATCH" and name:
            return await self.patch(request, plural, namespace, name)
        if method == "DELETE" and name:
            return await self.delete(request, plural, namespace, name)
        raise ApiError(405, "the server does not allow this method on the requested resource")

    def check_forbidden(self, verb, plural, sub, namespace, name):
        resource = f"{plural}/{sub}" if sub else plural
        if not any(v in (verb, "*") and r in (resource, "*") for v, r in self.forbidden):
            return
        group = RESOURCES[plural][0]
        scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
        what = f'{plural} "{name}"' if name else plural
        raise ApiError(403, f'{what} is forbidden: User "{self.user}" cannot {verb} resource "{resource}" '
                            f'in API group "{group}" {scope}', name=name or "", group=group, kind=plural)

    # -- verbs
    async def create(self, request, plural, namespace):
        obj = request.data
        meta = obj.setdefault("metadata", {})
        if RESOURCES[plural][3]:
            if namespace is None:
                raise ApiError(405, "the server does not allow this method on the requested resource")
            if meta.get("namespace", namespace) != namespace:
                raise ApiError(400, "the namespace of the provided object does not match the namespace "
                                    "sent on the request")
            meta["namespace"] = namespace
            if self.stored("namespaces", None, namespace) is None:
                raise ApiError(404, f'namespaces "{namespace}" not found', name=namespace, kind="namespaces")
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        if not meta.get("name"):
            raise ApiError(422, f"{RESOURCES[plural][2]} is invalid: metadata.name: Required value: "
                                "name or generateName is required")
        obj.setdefault("apiVersion", api_version(plural))
        obj.setdefault("kind", RESOURCES[plural][2])
        if plural == "namespaces":
            obj.setdefault("status", {"phase": "Active"})
        async with self.write_lock:
            if self.stored(plural, namespace, meta["name"]) is not None:
                raise ApiError(409, f'{plural} "{meta["name"]}" already exists', reason="AlreadyExists",
                               name=meta["name"], kind=plural)
            meta.update(uid=str(uuid.uuid4()), resourceVersion=self.next_rv(), generation=1)
            meta.setdefault("creationTimestamp", now())
            request = self.evolve(request, data=obj, namespace=namespace)
            response = await super()._handle(request)
        response.set_status(201)
        return response

    async def patch(self, request, plural, namespace, name):
        async with self.write_lock:
            current = self.must_get(plural, namespace, name).raw["metadata"]
            rv = self.next_rv()
            data = request.data
            if isinstance(data, dict):
                spec_changed = "spec" in data
                data = {**data, "metadata": {**(data.get("metadata") or {}), "resourceVersion": rv}}
                for key in ("uid", "creationTimestamp", "name", "namespace"):
                    data["metadata"].pop(key, None)
            else:  # a JSON patch
                spec_changed = any(str(op.get("path", "")).startswith("/spec") for op in data)
                data = data + [{"op": "add", "path": "/metadata/resourceVersion", "value": rv}]
            if spec_changed:
                if isinstance(data, dict):
                    data["metadata"]["generation"] = current.get("generation", 1) + 1
                else:
                    data.append({"op": "add", "path": "/metadata/generation", "value": current.get("generation", 1) + 1})
            return await super()._handle(self.evolve(request, data=data, subresource=None))

    async def replace(self, request, plural, namespace, name):
        obj = request.data
        meta = obj.setdefault("metadata", {})
        if meta.get("name", name) != name:
            raise ApiError(400, "the name of the object does not match the name on the URL")
        async with self.write_lock:
            stored = self.must_get(plural, namespace, name)
            old = stored.raw
            sent_rv = meta.get("resourceVersion")
            if sent_rv and sent_rv != old["metadata"]["resourceVersion"]:
                raise ApiError(409, f'Operation cannot be fulfilled on {plural} "{name}": the object has been '
                                    "modified; please apply your changes to the latest version and try again",
                               name=name, kind=plural)
            if request.subresource == "status":  # only the status changes
                obj = {**old, "status": obj.get("status")}
                meta = dict(old["metadata"])
            generation = old["metadata"].get("generation", 1)
            if obj.get("spec") != old.get("spec"):
                generation += 1
            meta.update(name=name, uid=old["metadata"]["uid"], resourceVersion=self.next_rv(),
                        creationTimestamp=old["metadata"].get("creationTimestamp"), generation=generation)
            if namespace:
                meta["namespace"] = namespace
            obj = {**obj, "metadata": meta, "apiVersion": api_version(plural), "kind": RESOURCES[plural][2]}
            stored.create(obj)  # a new version in kmock's history
            self.record(plural, {"type": "MODIFIED", "object": stored.raw})
            return aiohttp.web.json_response(stored.raw)

    async def delete(self, request, plural, namespace, name):
        async with self.write_lock:
            self.must_get(plural, namespace, name).patch({"metadata": {"resourceVersion": self.next_rv()}})
            return await super()._handle(request)

    async def _serve_list(self, request):
        plural = request.resource.plural
        items = [o for o in self.items(plural, request.namespace)
                 if labels_match(o["metadata"].get("labels") or {}, request.params.get("labelSelector"))
                 and fields_match(o, request.params.get("fieldSelector"))]
        meta = {"resourceVersion": str(self.rv)}
        limit = int(request.params.get("limit") or 0)
        if limit > 0:
            start = int(request.params.get("continue") or 0)
            if start + limit < len(items):
                meta.update({"continue": str(start + limit), "remainingItemCount": len(items) - start - limit})
            items = items[start:start + limit]
        return {"apiVersion": api_version(plural), "kind": RESOURCES[plural][2] + "List", "metadata": meta,
                "items": items}

    async def _serve_server_version(self, request):
        return {"major": "1", "minor": "31", "gitVersion": "v1.31.4-eks-2d5f260",
                "gitCommit": "3f85e6d2d4a1b5c0e9f8a7b6c5d4e3f2a1b0c9d8", "gitTreeState": "clean",
                "buildDate": "2026-10-01T00:00:00Z", "goVersion": "go1.22.9", "compiler": "gc",
                "platform": "linux/amd64"}

    # -- watch
    async def watch(self, request, plural, namespace, name):
        params = request.params
        since = params.get("resourceVersion") or "0"
        if not since.isdigit():
            raise ApiError(400, f'resourceVersion: Invalid value: "{since}": strconv.ParseUint: parsing "{since}"')
        labels, fields = params.get("labelSelector"), params.get("fieldSelector")
        labels_match({}, labels), fields_match({}, fields)  # a bad selector is a 400, before streaming

        def matches(obj):
            meta = obj.get("metadata", {})
            return (namespace in (None, meta.get("namespace")) and name in (None, meta.get("name"))
                    and labels_match(meta.get("labels") or {}, labels) and fields_match(obj, fields))

        response = aiohttp.web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request._raw_request)

        async def send(event):
            await response.write(json.dumps(event).encode() + b"\n")

        try:
            if since != "0" and int(since) < self.expired_below:
                await send(self.expired_event(since))
            else:
                await self.stream_events(request, plural, since, matches, send)
            await response.write_eof()
        except ConnectionError:
            pass  # the client went away
        return response

    async def stream_events(self, request, plural, since, matches, send):
        params = request.params
        expiries, closes = self.expiries, self.closes
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeoutSeconds") or 1800)
        if since == "0" or params.get("sendInitialEvents") == "true":
            cursor = self.rv
            for obj in self.items(plural):
                if matches(obj):
                    await send({"type": "ADDED", "object": obj})
            if params.get("sendInitialEvents") == "true":
                await send({"type": "BOOKMARK", "object": {
                    "apiVersion": api_version(plural), "kind": RESOURCES[plural][2],
                    "metadata": {"resourceVersion": str(cursor),
                                 "annotations": {"k8s.io/initial-events-end": "true"}}}})
        else:
            cursor = int(since)
        while not self.stopping and loop.time() < deadline and self.closes == closes:
            if self.expiries != expiries:
                await send(self.expired_event(str(cursor)))
                return
            if self.wake is None:
                self.notify()
            wake = self.wake  # set by any change from here on
            start = bisect.bisect_right(self.history, cursor, key=lambda entry: entry[0])
            for rv, what, event in self.history[start:]:
                cursor = rv
                if what == plural and matches(event["object"]):
                    await send(event)
            transport = request._raw_request.transport
            if transport is None or transport.is_closing():
                return
            try:
                await asyncio.wait_for(wake.wait(), timeout=min(1.0, max(0.0, deadline - loop.time())))
            except asyncio.TimeoutError:
                pass

    def expired_event(self, since):
        return {"type": "ERROR", "object": status_body(
            410, "Expired", f"too old resource version: {since} ({self.expired_below})")}

    # -- subresources
    async def scale(self, request, plural, namespace, name):
        if plural not in ("deployments", "statefulsets", "replicasets"):
            raise ApiError(404, "the server could not find the requested resource")
        method = request.method.value
        obj = self.must_get(plural, namespace, name).raw
        current = self.scale_of(plural, obj)
        if method in ("PATCH", "PUT"):
            if request.data is None:
                raise ApiError(400, "the request body is not valid JSON")
            if method == "PUT":
                wanted = request.data
            else:
                scratch = kmock.Object(current)
                scratch.patch(request.data)  # merge patch or JSON patch, as kmock applies them
                wanted = scratch.raw
            replicas = (wanted.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                raise ApiError(422, f'Scale.autoscaling "{name}" is invalid: spec.replicas: Invalid value: '
                                    f"{json.dumps(replicas)}: must be greater than or equal to 0")
            if replicas != obj["spec"].get("replicas"):
                obj = await self.modify(plural, namespace, name, {"spec": {"replicas": replicas}})
            current = self.scale_of(plural, obj)
        elif method != "GET":
            raise ApiError(405, "the server does not allow this method on the requested resource")
        return aiohttp.web.json_response(current)

    @staticmethod
    def scale_of(plural, obj):
        meta = obj["metadata"]
        selector = ",".join(f"{k}={v}" for k, v in sorted(
            ((obj["spec"].get("selector") or {}).get("matchLabels") or {}).items()))
        return {"apiVersion": "autoscaling/v1", "kind": "Scale",
                "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                             if k in meta},
                "spec": {"replicas": obj["spec"].get("replicas", 1)},
                "status": {"replicas": (obj.get("status") or {}).get("replicas", 0), "selector": selector}}

    async def pod_log(self, request, namespace, name):
        if request.method.value != "GET":
            raise ApiError(405, "the server does not allow this method on the requested resource")
        pod = self.must_get("pods", namespace, name).raw
        params = request.params
        names = [c["name"] for c in pod["spec"].get("containers", [])]
        container = params.get("container")
        if not container:
            if len(names) != 1:
                raise ApiError(400, f"a container name must be specified for pod {name}, "
                                    f"choose one of: [{' '.join(names)}]")
            container = names[0]
        if container not in names:
            raise ApiError(400, f"container {container} is not valid for pod {name}")
        previous = params.get("previous") == "true"
        status = next((s for s in (pod.get("status") or {}).get("containerStatuses") or []
                       if s["name"] == container), {})
        lines = self.log_lines(pod, container, status, previous)
        tail = params.get("tailLines")
        if tail is not None:
            lines = lines[-int(tail):] if int(tail) > 0 else []
        follow = params.get("follow") == "true" and not previous and "running" in (status.get("state") or {})
        stamp = params.get("timestamps") == "true"

        def render(line):
            if stamp:
                return f"{line[:19]}.000000000Z {line}\n" if re.match(r"\d{4}-\d\d-\d\dT", line) else \
                    f"{LOG_EPOCH[:19]}.000000000Z {line}\n"
            return line + "\n"

        response = aiohttp.web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request._raw_request)
        try:
            await response.write("".join(render(line) for line in lines).encode())
            seq = 0
            clock = parse_time(lines[-1][:20]) if lines and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lines[-1]) \
                else parse_time(LOG_EPOCH)
            while follow and not self.stopping:
                await asyncio.sleep(0.2)
                transport = request._raw_request.transport
                if transport is None or transport.is_closing() or self.stored("pods", namespace, name) is None:
                    break
                seq += 1
                clock += datetime.timedelta(seconds=30)
                await response.write(render(f"{fmt_time(clock)} INFO GET /healthz 200 1ms seq={seq}").encode())
            await response.write_eof()
        except ConnectionError:
            pass
        return response

    def log_lines(self, pod, container, status, previous):
        meta = pod["metadata"]
        given = self.logs.get(f"{meta.get('namespace')}/{meta['name']}/{container}", {})
        state, last = status.get("state") or {}, (status.get("lastState") or {}).get("terminated")
        if previous:
            if not last:
                raise ApiError(400, f'previous terminated container "{container}" in pod "{meta["name"]}" '
                                    "not found")
            if "previous" in given:
                return list(given["previous"])
            lines = self.generated(pod, container, last.get("startedAt"))
            return lines + [f"{last.get('finishedAt') or LOG_EPOCH} ERROR {container} terminated: "
                            f"{last.get('reason')} (exit code {last.get('exitCode')})"]
        if "current" in given:
            return list(given["current"])
        if "running" in state:
            return self.generated(pod, container, state["running"].get("startedAt"))
        if "terminated" in state or (last and "waiting" in state and state["waiting"].get("reason") ==
                                     "CrashLoopBackOff"):
            return self.log_lines(pod, container, status, previous=True) if last else \
                self.generated(pod, container, state["terminated"].get("startedAt"))
        reason = (state.get("waiting") or {}).get("reason", "ContainerCreating")
        raise ApiError(400, f'container "{container}" in pod "{meta["name"]}" is waiting to start: {reason}')

    @staticmethod
    def generated(pod, container, started):
        start = parse_time(started or (pod.get("status") or {}).get("startTime") or LOG_EPOCH)
        spec = next(c for c in pod["spec"]["containers"] if c["name"] == container)
        port = next((p["containerPort"] for p in spec.get("ports") or []), 8080)
        lines = [f"{fmt_time(start)} INFO {container} started",
                 f"{fmt_time(start + datetime.timedelta(seconds=1))} INFO {container} listening on :{port}"]
        lines += [f"{fmt_time(start + datetime.timedelta(seconds=30 * i))} INFO GET /healthz 200 1ms"
                  for i in range(1, 9)]
        return lines

    # -- control endpoints
    async def control(self, request, path):
        method = request.method.value
        if path == "/_control/expire-watches" and method == "POST":
            self.expired_below = int(self.next_rv())
            self.expiries += 1
            self.history = [entry for entry in self.history if entry[0] >= self.expired_below]
            self.notify()
        elif path == "/_control/close-watches" and method == "POST":
            self.closes += 1
            self.notify()
        elif path != "/_control/resource-version" or method != "GET":
            raise ApiError(404, f"no control endpoint {method} {path}")
        return aiohttp.web.json_response({"resourceVersion": str(self.rv)})


def eks_token_ok(header, region):
    """Whether `Authorization` carries an EKS IAM token for `region`, by its shape."""
    import base64
    import urllib.parse
    prefix = "Bearer k8s-aws-v1."
    if not header.startswith(prefix):
        return False
    payload = header[len(prefix):]
    try:
        url = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    except Exception:
        return False
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    if parts.scheme != "https" or parts.netloc != f"sts.{region}.amazonaws.com":
        return False
    if query.get("Action") != "GetCallerIdentity" or query.get("X-Amz-Expires") != "60":
        return False
    if "x-k8s-aws-id" not in query.get("X-Amz-SignedHeaders", "").split(";"):
        return False
    if len(query.get("X-Amz-Signature", "")) != 64 or not query.get("X-Amz-Credential"):
        return False
    try:
        signed = datetime.datetime.strptime(query.get("X-Amz-Date", ""), "%Y%m%dT%H%M%SZ")
    except ValueError:
        return False
    signed = signed.replace(tzinfo=datetime.timezone.utc)
    return abs((datetime.datetime.now(datetime.timezone.utc) - signed).total_seconds()) < 15 * 60


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="demo")
    parser.add_argument("--token")
    parser.add_argument("--forbid", action="append", default=[], metavar="VERB:RESOURCE")
    parser.add_argument("--user", default="arn:aws:sts::123456789012:user/moto")
    parser.add_argument("--eks-token", metavar="REGION")
    args = parser.parse_args()
    scenarios = json.loads(SEED.read_text())
    if args.scenario not in scenarios or args.scenario.startswith("_"):
        parser.error(f"unknown scenario {args.scenario!r}")
    forbidden = set()
    for rule in args.forbid:
        verb, _, resource = rule.partition(":")
        if not verb or not resource:
            parser.error(f"--forbid wants VERB:RESOURCE, not {rule!r}")
        forbidden.add((verb, resource))

    ready = threading.Event()
    state = {}

    async def serve():
        state["stop"] = asyncio.Event()
        emulator = Emulator(token=args.token, eks_region=args.eks_token, forbidden=forbidden, user=args.user)
        emulator.seed(scenarios[args.scenario]["objects"], scenarios[args.scenario].get("logs", {}))
        async with emulator, kmock.Server(emulator, host="127.0.0.1", user_agent="") as server:
            state["port"] = server.port
            ready.set()
            await state["stop"].wait()
            emulator.stopping = True
            emulator.notify()
            await asyncio.sleep(0.3)  # let open streams see `stopping`

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    while not ready.wait(0.1):
        if not thread.is_alive():
            sys.exit("kube_server: the server did not start")
    print(f"PORT {state['port']}", flush=True)
    # Serve until the test that started us goes away.
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    loop.call_soon_threadsafe(state["stop"].set)
    thread.join(timeout=5)


if __name__ == "__main__":
    main()
