"""Start a Kubernetes API emulator on a free 127.0.0.1 port for bosun's tests.

It is kmock's `KubernetesEmulator` (PyPI `kmock`, in-memory objects over HTTP, aiohttp) with a
subclass that answers as a real API server (EKS 1.31) where the `kube` crate depends on it. Prints
`PORT <n>` on stdout once it accepts connections, then serves until stdin closes or it is killed.
Point a kubeconfig at `server: http://127.0.0.1:<n>` (plain HTTP, no TLS). Beside it: kube_resources.py
(the resources and their discovery), kube_tables.py (+ kube_printers.json: server-side Table
printing), kube_stream.py (exec and port-forward), kube_scale.py (--pods), selftest_kube.py.

usage: python kube_server.py [--scenario demo|empty] [--seed-file PATH]... [--token TOKEN]
                             [--forbid VERB:RESOURCE]... [--user NAME] [--eks-token REGION]
                             [--pods N] [--page-delay SECS] [--no-watch-list]
  --scenario  the objects to start with, from kube_seed.json beside this file: demo (default; an
              EKS-like cluster, listed in that file) or empty (namespaces default and kube-system)
  --seed-file objects loaded after the scenario (later ones replace objects of the same name): a JSON
              list of objects, or {"objects": [...], "logs": {"NS/POD/CONTAINER": {"current": [...],
              "previous": [...]}}}; CustomResourceDefinitions among them register their resources
  --token     every request without `Authorization: Bearer TOKEN` gets a 401 Status
  --forbid    answer 403 Forbidden for that verb on that resource, e.g. delete:pods, patch:nodes,
              get:pods/log, patch:deployments/scale, list:events, create:pods/exec (`*` matches any
              verb or resource); verbs: get list watch create update patch delete deletecollection.
              A WebSocket (GET) exec or port-forward is authorized as get and as create, the way
              Kubernetes 1.35 does it (AuthorizePodWebsocketUpgradeCreatePermission; 1.31 checks get
              only), so create:pods/exec and get:pods/exec both refuse it
  --user      the identity named in 403 messages (default: moto's STS identity)
  --eks-token REGION  accept only EKS IAM tokens (`aws eks get-token`'s shape): `k8s-aws-v1.` and the
              unpadded base64url of a presigned https://sts.REGION.amazonaws.com GetCallerIdentity
              URL, 60 s expiry, signed with the x-k8s-aws-id header, dated within 15 minutes;
              anything else gets a 401 Status. The signature itself is not verified (that takes
              the secret key); its shape is.
  --pods N    N more pods, generated, with their nodes (50 pods a node), Deployments and ReplicaSets
              (10 pods each) in namespaces load-000, load-001, ... (100 Deployments each), each the
              size of a real EKS pod (about 5 KB of JSON: managedFields, labels, annotations,
              containerStatuses). Nothing is stored per object: each is rendered from a template
              when read, so 150,000 pods start in about a second in about 100 MB (kube_scale.py).
              An object that is written is copied into the store first.
  --no-watch-list    refuse watch-list (sendInitialEvents=true) with the 422 of an API server whose
                     WatchList feature gate is off, as EKS 1.31 and older do: clients page instead
  --page-delay SECS  sleep that long before answering each page of a paged list (limit > 0), as a
              slow API server would

What the subclass emulates:
- resources (discovery as kube-apiserver lists them: name, singularName, namespaced, kind, verbs,
  shortNames, categories, and the subresources served): namespaces, nodes, pods (exec, log,
  portforward, status), events, persistentvolumeclaims, services, endpoints, configmaps, secrets
  (core v1); deployments, replicasets, statefulsets (scale, status), daemonsets (apps/v1);
  horizontalpodautoscalers (autoscaling/v2); jobs, cronjobs (batch/v1); endpointslices
  (discovery.k8s.io/v1); ingresses (networking.k8s.io/v1); poddisruptionbudgets (policy/v1);
  storageclasses (storage.k8s.io/v1); customresourcedefinitions (apiextensions.k8s.io/v1), and the
  custom resources of every CRD (the demo seeds Karpenter's NodePool, NodeClaim, EC2NodeClass);
- discovery: /api, /api/v1, /apis (kube-apiserver's group order, then custom groups by name),
  /apis/GROUP, /apis/GROUP/VERSION, and the aggregated discovery (Accept ...;g=apidiscovery.k8s.io;
  v=v2 or v2beta1;as=APIGroupDiscoveryList) of /api and /apis; /version (EKS 1.31), /healthz, /livez,
  /readyz, / (paths);
- CustomResourceDefinitions: a create (or seed) is validated (name = plural.group, one storage
  version, scope, names), gets spec.conversion None, names.singular/listKind defaulted, status
  acceptedNames {"plural":"","kind":""} and storedVersions, then, as the naming and establishing
  controllers do, NamesAccepted True (NoConflicts) with Established False (Installing), then Established
  True (InitialNamesAccepted): three watch events. Its served versions appear in discovery at once
  (plural, singular, kind, shortNames, categories, namespaced from scope, verbs in the
  apiextensions-apiserver's order, status and scale subresources) and their objects can be created,
  listed, watched, got, patched, replaced (which needs metadata.resourceVersion, as for custom
  resources) and deleted; versions share storage (conversion None: apiVersion rewritten). Deleting a
  CRD: Terminating (the customresourcecleanup finalizer), its objects deleted, then the CRD;
- every write (seed, create, patch, replace, scale, delete) stamps a fresh, strictly increasing
  metadata.resourceVersion; creates also get metadata.uid (uuid4), creationTimestamp, and generation 1
  for the kinds that keep one (apps, batch, autoscaling, policy, networking, CRDs, custom resources);
  a spec change (for custom resources, any change outside metadata and status) bumps it. A write that
  changes nothing stores nothing (no new resourceVersion, no event). dryRun=All answers without storing;
- create defaults: a Secret's stringData moves into data (base64) and type defaults to Opaque; a
  Service gets type ClusterIP, sessionAffinity, port protocol TCP and targetPort, a clusterIP from
  172.20.0.0/16 (not for ExternalName) with clusterIPs, ipFamilies, ipFamilyPolicy and
  internalTrafficPolicy; CronJob suspend/concurrencyPolicy/history limits; Job completions/parallelism/
  backoffLimit/completionMode/suspend; Deployment/ReplicaSet/StatefulSet replicas 1. A submitted status
  is replaced as each registry's PrepareForCreate does (Pod: phase Pending and its qosClass; Deployment
  {}; ReplicaSet/StatefulSet/DaemonSet/HPA/PDB: their zero counters; Service/Ingress
  {"loadBalancer":{}}; Namespace phase Active; custom resources with a status subresource: none);
- status subresources: writes to the main resource keep the stored status, writes to /status change
  only the status; scale subresources (deployments, replicasets, statefulsets, and custom resources
  through the CRD's specReplicasPath/statusReplicasPath/labelSelectorPath) GET/PATCH/PUT an
  autoscaling/v1 Scale;
- lists: {"kind":"PodList","apiVersion","metadata":{"resourceVersion"},"items"} sorted by namespace/name,
  labelSelector (=, ==, !=, in, notin, exists, !exists) and fieldSelector (=, ==, !=; only the field
  labels each kind's registry accepts, else 400 "field label not supported: X"); limit/continue with
  kube-apiserver's continue token (base64url of {"v":"meta.k8s.io/v1","rv":N,"start":"KEY\u0000"}),
  remainingItemCount when there is no selector; resourceVersion=0 (the watch cache) ignores limit; a
  continue token older than the last expire-watches is 410 Expired with a fresh token (rv -1) in
  metadata.continue; list option combinations kube-apiserver refuses are 422 (ListOptions);
  deletecollection (DELETE on a collection, with selectors) answers the list of deleted objects;
- Accept transformations (meta.k8s.io v1 or v1beta1): as=Table on lists, gets and watches (the
  printers' columns for every built-in kind served here, all of them, priority 0 and 1, as the server
  prints with Wide; for custom resources Name + the CRD's additionalPrinterColumns, JSONPath
  evaluated, or Name + Age when it has none; for CRDs Name + Created At; rows carry the object as
  PartialObjectMetadata, or whole with includeObject=Object, or null with None; watch events repeat
  the column definitions only in the first event), as=PartialObjectMetadataList on lists,
  as=PartialObjectMetadata on gets and watches; a transformation that does not fit is 406 NotAcceptable;
- watches (watch=true or watch=1) stream JSON lines {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR",
  "object"}: with resourceVersion unset or "0", the existing objects first as ADDED; with a
  resourceVersion, only the changes after it. sendInitialEvents=true (with resourceVersionMatch=
  NotOlderThan) streams the objects as ADDED one by one, without building the list first, then, when
  allowWatchBookmarks=true, the BOOKMARK annotated k8s.io/initial-events-end: "true" at the
  resourceVersion they were read at. allowWatchBookmarks=true also brings a BOOKMARK every minute
  and one 2 s before timeoutSeconds ends the stream. Bookmark objects carry kind, apiVersion and
  metadata (resourceVersion, creationTimestamp null, the annotation; pods also the zero spec/status);
- PUT (replace, with a 409 Conflict on a stale metadata.resourceVersion); PATCH as merge patch
  (application/merge-patch+json; strategic-merge-patch+json and apply-patch+yaml are treated as merge
  patches, so lists are replaced whole; an apply patch needs fieldManager and creates a missing
  object) or application/json-patch+json; DELETE with uid/resourceVersion preconditions, finalizers
  (deletionTimestamp, then gone when the last finalizer is removed); deleting a namespace makes it
  Terminating, deletes what is in it, then removes it;
- pods/{name}/log with container=, previous=true, follow=true, tailLines=, timestamps=true;
- pods/{name}/exec and pods/{name}/portforward over WebSocket (kube_stream.py): v5.channel.k8s.io
  (the API server's stream translator) or channel.k8s.io, base64.channel.k8s.io, v4.channel.k8s.io,
  v4.base64.channel.k8s.io (kubelet) for exec; v4.channel.k8s.io, v4.base64.channel.k8s.io or none for
  port-forward. Channels 0 stdin, 1 stdout, 2 stderr, 3 error (the exit Status as JSON), 4 resize
  ({"Width","Height"}), 255 close (v5); an empty first frame on the lowest writable channel; port i of
  port-forward on channels 2i (data) and 2i+1 (error), each first sending the port as 2 bytes
  little-endian, every byte sent to a port echoed back. A shell (sh, bash, /bin/sh, /bin/bash) prints
  "# " and echoes input with tty=true, reads a script from stdin without, and knows echo, hostname,
  whoami, id, pwd, cd, env, printenv, export, stty size (the last resize), date, uname, cat (a few
  files), ls, true, false, sleep, exit [n], sh -c; anything else is "sh: X: not found" (127). Exit:
  {"metadata":{},"status":"Success"}, or Failure, reason NonZeroExitCode, details.causes
  [{"reason":"ExitCode","message":"N"}]. Errors: unknown pod 404, unknown container or no container
  named among several 400, a pod without a node 400 "pod X does not have a host assigned", no
  WebSocket upgrade 400 "Upgrade request required", no offered subprotocol served 403, a container
  that is not running: over v5 an InternalError Status after the upgrade ("unable to upgrade
  connection: container not found"), over older protocols kubelet's 500 text; an unknown executable:
  InternalError (OCI runtime exec failed); port-forward to a pod that is not Running: kubelet's 500
  text "pod not found";
- Kubernetes Status errors: 401 Unauthorized, 403 Forbidden, 404 NotFound, 405 MethodNotAllowed,
  406 NotAcceptable, 409 AlreadyExists / Conflict, 400 BadRequest, 410 Expired, 422 Invalid; JSON is
  written as Go's encoder writes it (compact, <, > and & escaped); bodies of 128 KiB and more are
  gzipped when the client accepts gzip.

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
       a later watch from a resourceVersion older than this moment gets that event at once, and a
       continue token from before it is a 410 (kube's watcher answers a 410 by listing again).
       Answers {"resourceVersion": "<n>"}.
  POST /_control/close-watches   ends every open watch stream cleanly (the client re-watches).
  GET  /_control/resource-version  {"resourceVersion": "<current>"}

Not emulated: controllers (scaling changes spec.replicas but starts no pods; a created Service gets
no Endpoints or EndpointSlices; a CronJob runs no Jobs; PDB and NodePool status are as seeded;
deleting a pod removes it at once, with a DELETED event, and nothing replaces it; deleting a CRD
removes its objects whatever their finalizers); grace periods and propagation policies (a deleted
PVC stays Terminating: nothing removes its pvc-protection finalizer); server-side apply semantics
(field ownership, managedFields: no write updates managedFields); strategic merge (lists are
replaced whole); OpenAPI schema validation, defaulting and pruning of custom resources, conversion
webhooks; a continued list shows the current state after its key, not the snapshot of the first
page; resourceVersionMatch=Exact serves the current state; "too large resource version" waits;
protobuf, YAML and CBOR bodies; SPDY (exec/attach/port-forward over SPDY, or tunneled in WebSocket as
kubectl 1.30+ port-forward does), pods/attach, pods/eviction, pods/proxy, namespaces/finalize;
storageVersionHash in discovery; /openapi; a watch with a labelSelector does not turn "stopped
matching" into DELETED. sendInitialEvents is accepted (the WatchList feature gate on) unless
--no-watch-list says otherwise.
"""

import argparse
import asyncio
import base64
import bisect
import copy
import datetime
import heapq
import json
import pathlib
import re
import sys
import threading
import uuid
import zlib

import aiohttp.web
import attrs
import kmock
from kmock._internal import dicts as kmock_dicts

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import kube_resources  # noqa: E402
import kube_scale  # noqa: E402
import kube_stream  # noqa: E402
import kube_tables  # noqa: E402
from kube_resources import GO_PACKAGE, GROUP_ORDER, crd_resources, version_priority  # noqa: E402

SEED = pathlib.Path(__file__).with_name("kube_seed.json")
REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
           406: "NotAcceptable", 409: "Conflict", 410: "Expired", 422: "Invalid", 500: "InternalError",
           504: "Timeout"}
LOG_EPOCH = "2026-11-02T09:30:00Z"
GZIP_THRESHOLD = 128 * 1024  # responsewriters: compress bodies of at least 128 KiB when the client accepts gzip
BOOKMARK_EVERY = 60.0  # the watch cache's bookmark frequency
NOT_FOUND = "the server could not find the requested resource"
CRD_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"
INCONSISTENT_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You can start a new list "
    "without the continue parameter, or use the continue token in this response to retrieve the remainder of the "
    "results. Continuing with the provided token results in an inconsistent list - objects that were created, "
    "modified, or deleted between the time the first chunk was returned and now may show up in the list.")


def now():
    return fmt_time(datetime.datetime.now(datetime.timezone.utc))


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def fmt_time(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def dumps(obj):
    """JSON as Go's encoding/json Encoder writes it: compact, UTF-8, HTML characters escaped."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    if "<" in text or ">" in text or "&" in text or "\u2028" in text or "\u2029" in text:
        text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return text.encode()


class ApiError(kmock.KubernetesError):
    """A Kubernetes Status error: ApiError(404, 'pods "x" not found', name="x", kind="pods")."""

    def __init__(self, code, message, reason=None, causes=None, retry=None, extra_meta=None, empty_details=False,
                 **details):
        details = {k: v for k, v in details.items() if v}
        if causes:
            details["causes"] = causes
        if retry:
            details["retryAfterSeconds"] = retry
        if not details and empty_details:
            details = {}
        elif not details:
            details = None
        super().__init__(status=code, reason=reason or REASONS.get(code, "Unknown"), message=message,
                         details=details)
        object.__setattr__(self, "extra_meta", extra_meta)


def status_body(code, reason, message, details=None, meta=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": meta or {}, "status": "Failure", "message": message,
            "reason": reason}
    if details is not None:
        body["details"] = details
    body["code"] = code
    return body


def not_found():
    return ApiError(404, NOT_FOUND, empty_details=True)


def invalid(kind, name, errors, group="", field_causes=()):
    """A 422 Invalid as apierrors.NewInvalid builds it."""
    what = f"{kind}.{group}" if group else kind
    text = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    return ApiError(422, f'{what} "{name}" is invalid: {text}', causes=list(field_causes) or None,
                    name=name, group=group, kind=kind)


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


def parse_fields(res, selector):
    """[(path, op, value)] of a fieldSelector, checking each field label as the kind's registry does."""
    allowed = {"metadata.name", "metadata.namespace", *kube_resources.FIELD_LABELS.get(res.plural, ()),
               *res.selectable} if not res.crd else {"metadata.name", "metadata.namespace", *res.selectable}
    out = []
    for term in split_terms(selector):
        m = re.fullmatch(r"\s*([^=!\s]+)\s*(==|=|!=)\s*(\S*)\s*", term)
        if not m:
            raise ApiError(400, f"invalid selector: '{selector}'; can't understand '{term}'")
        path, op, value = m.groups()
        if path not in allowed:
            raise ApiError(400, f'field label not supported: {path}')
        out.append((kube_resources.FIELD_PATHS.get((res.plural, path), path), op, value))
    return out


def fields_match(obj, terms):
    for path, op, value in terms:
        if (op == "!=") == (field_value(obj, path) == value):
            return False
    return True


# ------------------------------------------------------------------------------------------ output
class Body:
    """A response body written in pieces: sent whole under 128 KiB, else streamed (gzipped when the
    client accepts gzip, as kube-apiserver's deferred response writer does)."""

    def __init__(self, request, content_type="application/json", status=200):
        self.raw = request._raw_request
        self.content_type, self.status = content_type, status
        self.gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        self.parts, self.size, self.response, self.zip, self.gone = [], 0, None, None, False

    async def write(self, data):
        if self.response is None:
            self.parts.append(data)
            self.size += len(data)
            if self.size >= GZIP_THRESHOLD:
                await self._start()
            return
        await self._send(data)

    async def _start(self):
        headers = {"Content-Type": self.content_type}
        if self.gzip:
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
            self.zip = zlib.compressobj(1, zlib.DEFLATED, 31)
        self.response = aiohttp.web.StreamResponse(status=self.status, headers=headers)
        await self.response.prepare(self.raw)
        parts, self.parts = self.parts, []
        await self._send(b"".join(parts))

    async def _send(self, data):
        await self._write(self.zip.compress(data) if self.zip is not None else data)

    async def _write(self, data):
        if data and not self.gone:
            try:
                await self.response.write(data)
            except ConnectionError:
                self.gone = True  # the client went away: the rest is dropped

    async def finish(self):
        if self.response is None:
            return aiohttp.web.Response(body=b"".join(self.parts), status=self.status,
                                        headers={"Content-Type": self.content_type})
        if self.zip is not None:
            await self._write(self.zip.flush())
        if not self.gone:
            try:
                await self.response.write_eof()
            except ConnectionError:
                pass
        return self.response


async def json_response(request, obj, status=200, content_type="application/json"):
    body = Body(request, content_type, status)
    await body.write(dumps(obj) + b"\n")
    return await body.finish()


def wants(request, allowed):
    """The media type a request's Accept header gets, as kube-apiserver negotiates it:
    None (the object as JSON), or (as, groupVersion) of a meta.k8s.io transformation in `allowed`
    (Table, PartialObjectMetadata, PartialObjectMetadataList). Raises 406 when nothing fits."""
    accept = request.headers.get("Accept", "")
    if not accept.strip():
        return None
    seen_plain = False
    for item in accept.split(","):
        parts = [p.strip() for p in item.split(";")]
        media, params = parts[0].lower(), dict(p.split("=", 1) for p in parts[1:] if "=" in p)
        params.pop("q", None)
        if media not in ("application/json", "application/*", "*/*"):
            continue
        target = params.get("as")
        if not target:
            if not params or set(params) <= {"charset", "stream"}:
                return None
            continue
        if params.get("g") != "meta.k8s.io" or params.get("v") not in ("v1", "v1beta1"):
            continue
        if target in allowed:
            return target, f"meta.k8s.io/{params['v']}"
        seen_plain = target
    if seen_plain in ("PartialObjectMetadata", "PartialObjectMetadataList", "Table"):
        return ("unacceptable", seen_plain)
    raise ApiError(406, "only the following media types are accepted: application/json, application/yaml, "
                        "application/vnd.kubernetes.protobuf")


def media_type(target):
    kind, gv = target
    return f"application/json;as={kind};g=meta.k8s.io;v={gv.split('/')[1]}"


def dry_run(request):
    """?dryRun=All: the write is checked and answered, and nothing is stored."""
    return request.params.get("dryRun") == "All"


def truthy(value):
    return value in ("true", "1", "True", "TRUE", "t", "T")


# ------------------------------------------------------------------------------------------- server
@attrs.define(kw_only=True)
class Emulator(kmock.KubernetesEmulator):
    token: str | None = None
    eks_region: str | None = None
    forbidden: set = attrs.field(factory=set)
    user: str = "arn:aws:sts::123456789012:user/moto"
    page_delay: float = 0.0
    watch_list: bool = True
    logs: dict = attrs.field(factory=dict)
    stopping: bool = False
    rv: int = 0
    expired_below: int = 0  # watches from an older resourceVersion get 410 Expired
    expiries: int = 0
    closes: int = 0
    history: list = attrs.field(factory=list)  # (resourceVersion, store key, event), in order
    wake: asyncio.Event | None = None
    write_lock: asyncio.Lock = attrs.field(factory=asyncio.Lock)
    served: dict = attrs.field(factory=dict)  # (group, version, plural) -> Res
    builtin: dict = attrs.field(factory=dict)  # plural -> Res of the built-in resources
    gen: kube_scale.Generated | None = None
    gone: dict = attrs.field(factory=dict)  # plural -> indices of generated objects no longer rendered

    def __attrs_post_init__(self):
        super().__attrs_post_init__()
        for res in kube_resources.builtin_resources():
            self.served[(res.group, res.version, res.plural)] = res
            self.builtin[res.plural] = res

    # -- state
    def next_rv(self):
        self.rv += 1
        return str(self.rv)

    def record(self, res, kind, obj):
        rv = int(obj.get("metadata", {}).get("resourceVersion") or self.rv)
        self.history.append((rv, res.store_key, {"type": kind, "object": obj}))
        self.notify()

    def notify(self):
        if self.wake is not None:
            self.wake.set()
        self.wake = asyncio.Event()

    def key(self, res, namespace, name):
        return (kmock.resource(res.group, res.storage_version, res.plural), namespace, name)

    def stored(self, res, namespace, name):
        key = self.key(res, namespace, name)
        if key in self.objects and not self.objects[key].deleted:
            return self.objects[key]
        return self.materialize(res, namespace, name)

    def materialize(self, res, namespace, name):
        """Copy a generated object into the store, where writes can change it."""
        if self.gen is None or res.crd or self.gen.count(res.plural) == 0:
            return None
        i = self.gen.find(res.plural, namespace or "", name)
        gone = self.gone.setdefault(res.plural, set())
        if i is None or i in gone:
            return None
        gone.add(i)
        self.objects[self.key(res, namespace, name)] = self.gen.obj(res.plural, i)
        return self.objects[self.key(res, namespace, name)]

    def must_get(self, res, namespace, name):
        obj = self.stored(res, namespace, name)
        if obj is None:
            raise ApiError(404, f'{res.plural}{"." + res.group if res.group else ""} "{name}" not found',
                           name=name, group=res.group, kind=res.plural)
        return obj

    def res_of(self, api_version, kind):
        group, _, version = api_version.rpartition("/")
        for res in self.served.values():
            if res.group == group and res.version == version and res.kind == kind:
                return res
        return None

    def present(self, res, obj):
        """A stored object as the requested version serves it (a CRD's versions share storage)."""
        if obj.get("apiVersion") != res.api_version:
            obj = dict(obj, apiVersion=res.api_version)
        return obj

    def entries(self, res, namespace=None, after=None, gone=None):
        """Sorted (namespace, name, stored object or None, generated index or None) of a resource's
        objects, in one namespace or all, after the (namespace, name) key `after`."""
        store = kmock.resource(res.group, res.storage_version, res.plural)
        stored = sorted(((ns or "", nm, obj.raw, None) for (r, ns, nm), obj in self.objects.items()
                         if r == store and not obj.deleted and namespace in (None, ns)),
                        key=lambda e: (e[0], e[1]))
        if after is not None:
            stored = stored[bisect.bisect_right([(e[0], e[1]) for e in stored], after):]
        if self.gen is None or res.crd or self.gen.count(res.plural) == 0:
            return iter(stored)
        gone = self.gone.get(res.plural, set()) if gone is None else gone
        plural, gen = res.plural, self.gen
        lo, hi = gen.span(plural, namespace)
        if after is not None:
            lo = gen.after(plural, lo, hi, after)

        def generated():
            for i in range(lo, hi):
                if i not in gone:
                    ns, nm = gen.key(plural, i)
                    yield ns, nm, None, i

        return heapq.merge(stored, generated(), key=lambda e: (e[0], e[1]))

    def count_after(self, res, namespace, after):
        """How many objects sort after `after`."""
        store = kmock.resource(res.group, res.storage_version, res.plural)
        n = sum(1 for (r, ns, nm), obj in self.objects.items()
                if r == store and not obj.deleted and namespace in (None, ns) and (ns or "", nm) > after)
        if self.gen is not None and not res.crd and self.gen.count(res.plural):
            lo, hi = self.gen.span(res.plural, namespace)
            start = self.gen.after(res.plural, lo, hi, after)
            n += hi - start - sum(1 for i in self.gone.get(res.plural, ()) if start <= i < hi)
        return n

    def entry_obj(self, res, entry):
        return self.present(res, entry[2]) if entry[2] is not None else self.gen.obj(res.plural, entry[3])

    def entry_raw(self, res, entry):
        return dumps(self.present(res, entry[2])) if entry[2] is not None else self.gen.raw(res.plural, entry[3])

    def matcher(self, res, namespace, name, labels, fields):
        """A test of entries against a request's namespace/name and selectors (None: all match)."""
        if labels:
            labels_match({}, labels)  # a bad selector is a 400 before anything is sent
        terms = parse_fields(res, fields) if fields else []
        if not labels and not terms and name is None:
            return None
        light_ok = all(path in kube_scale.Generated.LIGHT_FIELDS for path, _, _ in terms)

        def match(entry):
            if name is not None and entry[1] != name:
                return False
            if entry[2] is not None:
                obj = entry[2]
            elif light_ok and self.gen.light(res.plural, entry[3]) is not None:
                obj = self.gen.light(res.plural, entry[3])
            else:
                obj = self.gen.obj(res.plural, entry[3])
            meta = obj.get("metadata") or {}
            return labels_match(meta.get("labels") or {}, labels) and fields_match(obj, terms)

        return match

    def seed(self, objects, logs):
        """Store objects as they are (adding uid, resourceVersion, creationTimestamp and owner uids)."""
        objects = json.loads(json.dumps(objects))
        for obj in objects:  # definitions first: their resources serve the rest
            if obj.get("kind") == "CustomResourceDefinition":
                obj.setdefault("status", {})
                self.crd_defaults(obj)
                self.crd_accept(obj, obj["metadata"].get("creationTimestamp") or now())
                self.register_crd(obj)
        uids = {}
        for obj in objects:
            meta = obj["metadata"]
            res = self.res_of(obj.get("apiVersion", ""), obj.get("kind"))
            if res is None:
                raise SystemExit(f"kube_server: no resource serves {obj.get('apiVersion')} {obj.get('kind')}")
            if res.namespaced:
                meta.setdefault("namespace", "default")
            else:
                meta.pop("namespace", None)
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", now())
            meta["resourceVersion"] = self.next_rv()
            uids[obj["kind"], meta.get("namespace"), meta["name"]] = meta["uid"]
        for obj in objects:
            meta = obj["metadata"]
            for ref in meta.get("ownerReferences", []):
                ref.setdefault("uid", uids.get((ref["kind"], meta.get("namespace"), ref["name"]),
                                               uids.get((ref["kind"], None, ref["name"]), str(uuid.uuid4()))))
            refs = [obj.get("involvedObject")] + [a.get("targetRef") for ss in obj.get("subsets") or []
                                                  for a in (ss.get("addresses") or []) + (ss.get("notReadyAddresses") or [])]
            refs += [e.get("targetRef") for e in obj.get("endpoints") or [] if isinstance(e, dict)]
            for ref in refs:
                if ref:
                    ref.setdefault("uid", uids.get((ref["kind"], ref.get("namespace"), ref["name"]), str(uuid.uuid4())))
            res = self.res_of(obj["apiVersion"], obj["kind"])
            key = self.key(res, meta.get("namespace") if res.namespaced else None, meta["name"])
            if key in self.objects:
                self.objects[key].create(obj)
            else:
                self.objects[key] = obj
        for name, lines in logs.items():
            self.logs[name] = lines

    def generate(self, pods):
        """--pods N: generated Deployments, ReplicaSets, pods and nodes after the seeded objects."""
        self.gen = kube_scale.Generated(pods, self.rv)
        self.seed([{"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": ns, "creationTimestamp": fmt_time(self.gen.epoch),
                                 "labels": {"kubernetes.io/metadata.name": ns}},
                    "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
                   for ns in self.gen.namespaces], {})
        self.gen.rv_base = {p: b + len(self.gen.namespaces) for p, b in self.gen.rv_base.items()}
        self.rv += self.gen.total

    # -- custom resource definitions
    def crd_defaults(self, crd):
        spec = crd.setdefault("spec", {})
        names = spec.setdefault("names", {})
        if names.get("kind"):
            names.setdefault("singular", names["kind"].lower())
            names.setdefault("listKind", names["kind"] + "List")
        spec.setdefault("conversion", {"strategy": "None"})

    def crd_validate(self, crd):
        meta, spec = crd.get("metadata") or {}, crd.get("spec") or {}
        names = spec.get("names") or {}
        errors = []
        if not spec.get("group"):
            errors.append("spec.group: Required value")
        if not names.get("plural"):
            errors.append("spec.names.plural: Required value")
        if not names.get("kind"):
            errors.append("spec.names.kind: Required value")
        if spec.get("scope") not in ("Namespaced", "Cluster"):
            errors.append(f'spec.scope: Unsupported value: "{spec.get("scope", "")}": supported values: '
                          '"Cluster", "Namespaced"')
        versions = spec.get("versions") or []
        if not versions:
            errors.append("spec.versions: Invalid value: null: must have exactly one version marked as storage version")
        elif sum(1 for v in versions if v.get("storage")) != 1:
            errors.append(f"spec.versions: Invalid value: {dumps(versions).decode()}: must have exactly one version "
                          "marked as storage version")
        if names.get("plural") and spec.get("group") and meta.get("name") != f"{names['plural']}.{spec['group']}":
            errors.insert(0, f'metadata.name: Invalid value: "{meta.get("name")}": must be '
                             'spec.names.plural+"."+spec.group')
        if errors:
            raise invalid("CustomResourceDefinition", meta.get("name", ""), errors, "apiextensions.k8s.io")
        for res in crd_resources(crd):
            other = self.served.get((res.group, res.version, res.plural))
            if other is not None and other.crd != crd["metadata"]["name"]:
                raise invalid("CustomResourceDefinition", meta["name"],
                              [f'spec.names.plural: Invalid value: "{res.plural}": is already in use'],
                              "apiextensions.k8s.io")

    @staticmethod
    def crd_accept(crd, when):
        """The status the naming and establishing controllers give a CRD whose names are free."""
        spec = crd["spec"]
        names = spec["names"]
        accepted = {"plural": names["plural"], "singular": names.get("singular") or names["kind"].lower()}
        if names.get("shortNames"):
            accepted["shortNames"] = list(names["shortNames"])
        accepted["kind"] = names["kind"]
        accepted["listKind"] = names.get("listKind") or names["kind"] + "List"
        if names.get("categories"):
            accepted["categories"] = list(names["categories"])
        storage = next((v["name"] for v in spec["versions"] if v.get("storage")), spec["versions"][0]["name"])
        status = crd.setdefault("status", {})
        status["conditions"] = [
            {"type": "NamesAccepted", "status": "True", "lastTransitionTime": when, "reason": "NoConflicts",
             "message": "no conflicts found"},
            {"type": "Established", "status": "True", "lastTransitionTime": when, "reason": "InitialNamesAccepted",
             "message": "the initial names have been accepted"}]
        status["acceptedNames"] = accepted
        stored = status.get("storedVersions") or []
        status["storedVersions"] = stored + [storage] if storage not in stored else stored

    def register_crd(self, crd):
        for key in [k for k, r in self.served.items() if r.crd == crd["metadata"]["name"]]:
            del self.served[key]
        for res in crd_resources(crd):
            self.served[(res.group, res.version, res.plural)] = res

    async def crd_created(self, res, crd):
        """After a CRD is stored: the naming controller, then the establishing controller."""
        when = now()
        named = copy.deepcopy(crd)
        self.crd_accept(named, when)
        named["status"]["conditions"][1] = {
            "type": "Established", "status": "False", "lastTransitionTime": when, "reason": "Installing",
            "message": "the initial names have been accepted"}
        self.write(res, None, crd["metadata"]["name"], named)
        established = copy.deepcopy(named)
        self.crd_accept(established, when)
        self.register_crd(established)
        return self.write(res, None, crd["metadata"]["name"], established)

    def write(self, res, namespace, name, obj, event="MODIFIED"):
        """Store a new version of an object (a fresh resourceVersion) and record its event."""
        obj["metadata"]["resourceVersion"] = self.next_rv()
        key = self.key(res, namespace, name)
        if key in self.objects:
            self.objects[key].create(obj)
        else:
            self.objects[key] = obj
        stored = self.objects[key].raw
        self.record(res, event, stored)
        return stored

    def remove(self, res, namespace, name):
        """Delete an object at once: a DELETED event with its last state at a new resourceVersion."""
        stored = self.objects[self.key(res, namespace, name)]
        last = copy.deepcopy(stored.raw)
        last["metadata"]["resourceVersion"] = self.next_rv()
        stored.create(last)
        stored.delete()
        self.record(res, "DELETED", last)
        return last

    async def modify(self, res, namespace, name, patch):
        """Patch a stored object as the API would (new resourceVersion, MODIFIED event)."""
        async with self.write_lock:
            obj = copy.deepcopy(self.must_get(res, namespace, name).raw)
            new = kmock_dicts.patch_dict(obj, patch)
            new = copy.deepcopy(new)
            if res.generation and new.get("spec") != obj.get("spec"):
                new["metadata"]["generation"] = obj["metadata"].get("generation", 1) + 1
            return self.write(res, namespace, name, new)

    # -- HTTP entry
    async def __call__(self, raw):
        """Every request (in place of kmock's, whose path parsing does not know /api/v1/namespaces)."""
        body = await raw.read()
        try:
            data = json.loads(body) if body else None
        except ValueError:
            data = None
        request = kmock.Request(raw_request=raw, url=raw.url, method=raw.method, params=dict(raw.query),
                                headers=raw.headers, body=body, data=data)
        try:
            return await self._handle(request)
        except Exception as exc:
            return await self._render_error(exc)

    async def _render_error(self, exc):
        meta = None
        if isinstance(exc, kmock.KubernetesError):
            code = exc.status
            reason = exc.reason if isinstance(exc, ApiError) else REASONS.get(code, "Unknown")
            message = exc.message or reason
            details = exc.details if isinstance(exc, ApiError) else None
            meta = getattr(exc, "extra_meta", None)
        elif type(exc).__module__.startswith("jsonpatch") or type(exc).__module__.startswith("jsonpointer") \
                or isinstance(exc, (ValueError, TypeError)):
            code, reason, message, details = 422, "Invalid", f"the patch could not be applied: {exc}", None
        else:
            code, reason, message, details = 500, "InternalError", repr(exc), None
        return aiohttp.web.Response(body=dumps(status_body(code, reason, message, details, meta)) + b"\n",
                                    status=code, content_type="application/json")

    def route(self, path):
        """(kind, ...) of a request path: ("discovery", what) or ("resource", res, namespace, name, sub)."""
        parts = [p for p in path.split("/") if p]
        if not parts or parts[0] not in ("api", "apis"):
            return None
        if parts[0] == "api":
            if len(parts) == 1:
                return ("discovery", "api")
            if parts[1] != "v1":
                return ("notfound",)
            group, version, rest = "", "v1", parts[2:]
        else:
            if len(parts) == 1:
                return ("discovery", "apis")
            if len(parts) == 2:
                return ("discovery", "group", parts[1])
            group, version, rest = parts[1], parts[2], parts[3:]
        if not rest:
            return ("discovery", "version", group, version)
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3 and not (group == "" and len(rest) == 3 and
                                                               rest[2] in ("status", "finalize")):
            namespace, rest = rest[1], rest[2:]
        res = self.served.get((group, version, rest[0]))
        if res is None:
            return ("notfound",)
        name = rest[1] if len(rest) > 1 else None
        sub = "/".join(rest[2:]) or None
        return ("resource", res, namespace, name, sub)

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
        if path == "/version":
            return await json_response(request, self.server_version())
        if path == "/":
            return await json_response(request, {"paths": self.root_paths()})
        route = self.route(path)
        if route is None:
            return aiohttp.web.Response(text="404 page not found\n", status=404)
        if route[0] == "notfound":
            raise not_found()
        if route[0] == "discovery":
            if request.method.value != "GET":
                raise ApiError(405, "the server does not allow this method on the requested resource")
            return await self.discovery(request, route[1:])
        _, res, namespace, name, sub = route
        if namespace is not None and not res.namespaced:
            raise not_found()
        if sub and not res.has(sub):
            raise not_found()
        method = request.method.value
        watching = method == "GET" and truthy(request.params.get("watch", ""))
        connect = sub in ("exec", "portforward")
        if connect:
            if not name or namespace is None:
                raise not_found()
            verbs = ["get", "create"] if method == "GET" else ["create"]
        else:
            verbs = [("watch" if watching else "get" if name else "list") if method == "GET" else {
                "POST": "create", "PUT": "update", "PATCH": "patch",
                "DELETE": "delete" if name else "deletecollection"}.get(method, method.lower())]
        for verb in verbs:
            self.check_forbidden(verb, res, sub, namespace, name)

        if connect:
            if method not in ("GET", "POST"):
                raise ApiError(405, "the server does not allow this method on the requested resource")
            return await kube_stream.serve(self, request, res, namespace, name, sub, ApiError)
        if sub == "scale":
            return await self.scale(request, res, namespace, name)
        if sub == "log":
            return await self.pod_log(request, res, namespace, name)
        if res.namespaced and namespace is None and method in ("POST", "PUT", "PATCH", "DELETE"):
            raise ApiError(405, "the server does not allow this method on the requested resource")
        if name and method == "GET" and not watching:
            return await self.get(request, res, namespace, name)
        if watching:
            return await self.watch(request, res, namespace, name)
        if method in ("POST", "PUT") and not isinstance(request.data, dict) or \
                method == "PATCH" and not isinstance(request.data, (dict, list)):
            raise ApiError(400, "the request body is not a JSON object (or, to patch, a JSON array)")
        if method == "GET":
            return await self.list(request, res, namespace)
        if method == "POST" and not name:
            return await self.create(request, res, namespace, request.data)
        if method == "PUT" and name:
            return await self.replace(request, res, namespace, name, sub)
        if method == "PATCH" and name:
            return await self.patch(request, res, namespace, name, sub)
        if method == "DELETE" and name and not sub:
            return await self.delete(request, res, namespace, name)
        if method == "DELETE" and not name:
            return await self.delete_collection(request, res, namespace)
        raise ApiError(405, "the server does not allow this method on the requested resource")

    def check_forbidden(self, verb, res, sub, namespace, name):
        resource = f"{res.plural}/{sub}" if sub else res.plural
        if not any(v in (verb, "*") and r in (resource, "*") for v, r in self.forbidden):
            return
        group = res.group
        scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
        what = f'{res.plural}{"." + group if group else ""} "{name}"' if name else \
            f'{res.plural}{"." + group if group else ""}'
        raise ApiError(403, f'{what} is forbidden: User "{self.user}" cannot {verb} resource "{resource}" '
                            f'in API group "{group}" {scope}', name=name or "", group=group, kind=res.plural)

    # -- discovery
    def server_version(self):
        return {"major": "1", "minor": "31", "gitVersion": "v1.31.4-eks-2d5f260",
                "gitCommit": "3f85e6d2d4a1b5c0e9f8a7b6c5d4e3f2a1b0c9d8", "gitTreeState": "clean",
                "buildDate": "2026-10-01T00:00:00Z", "goVersion": "go1.22.9", "compiler": "gc",
                "platform": "linux/amd64"}

    def groups(self):
        """[(group, [versions by priority])] of the served API groups, in /apis order."""
        versions = {}
        for res in self.served.values():
            if res.group:
                versions.setdefault(res.group, set()).add(res.version)
        order = {g: i for i, g in enumerate(GROUP_ORDER)}
        names = sorted(versions, key=lambda g: (order.get(g, len(order)), g))
        return [(g, sorted(versions[g], key=version_priority)) for g in names]

    def root_paths(self):
        paths = {"/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version"}
        for group, versions in self.groups():
            paths.add(f"/apis/{group}")
            paths.update(f"/apis/{group}/{v}" for v in versions)
        return sorted(paths)

    async def discovery(self, request, what):
        accept = request.headers.get("Accept", "")
        aggregated = None
        for item in accept.split(","):
            if "as=APIGroupDiscoveryList" in item and "g=apidiscovery.k8s.io" in item:
                v = re.search(r"v=(v2(?:beta1)?)\b", item)
                if v:
                    aggregated = v.group(1)
                    break
            if item.split(";")[0].strip() in ("application/json", "*/*", "application/*"):
                break
        if aggregated and what[0] in ("api", "apis"):
            body = self.aggregated(what[0], aggregated)
            return await json_response(request, body, content_type=(
                f"application/json;g=apidiscovery.k8s.io;v={aggregated};as=APIGroupDiscoveryList"))
        if what[0] == "api":
            return await json_response(request, {"kind": "APIVersions", "versions": ["v1"],
                                                 "serverAddressByClientCIDRs": [
                                                     {"clientCIDR": "0.0.0.0/0",
                                                      "serverAddress": "ip-10-0-0-12.ec2.internal:443"}]})
        if what[0] == "apis":
            return await json_response(request, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                self.api_group(g, vs) for g, vs in self.groups()]})
        if what[0] == "group":
            for g, vs in self.groups():
                if g == what[1]:
                    return await json_response(request, {"kind": "APIGroup", "apiVersion": "v1",
                                                         **self.api_group(g, vs)})
            raise not_found()
        group, version = what[1], what[2]
        resources = sorted((r for r in self.served.values() if r.group == group and r.version == version),
                           key=lambda r: r.plural)
        if not resources:
            raise not_found()
        entries = sorted((e for r in resources for e in r.discovery_entries()), key=lambda e: e["name"])
        return await json_response(request, {"kind": "APIResourceList", "apiVersion": "v1",
                                             "groupVersion": f"{group}/{version}" if group else version,
                                             "resources": entries})

    @staticmethod
    def api_group(group, versions):
        vs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        return {"name": group, "versions": vs, "preferredVersion": vs[0]}

    def aggregated(self, which, version):
        items = []
        groups = [("", ["v1"])] if which == "api" else self.groups()
        for group, versions in groups:
            meta = {"name": group, "creationTimestamp": None} if group else {"creationTimestamp": None}
            vs = []
            for v in versions:
                resources = sorted((r for r in self.served.values() if r.group == group and r.version == v),
                                   key=lambda r: r.plural)
                vs.append({"version": v, "resources": [r.discovery_v2() for r in resources], "freshness": "Current"})
            items.append({"metadata": meta, "versions": vs})
        return {"kind": "APIGroupDiscoveryList", "apiVersion": f"apidiscovery.k8s.io/{version}", "metadata": {},
                "items": items}

    # -- reads
    async def get(self, request, res, namespace, name):
        target = wants(request, ("Table", "PartialObjectMetadata"))
        obj = self.present(res, self.must_get(res, namespace, name).raw)
        if target and target[0] == "unacceptable":
            raise ApiError(406, f"you requested {target[1]}, but the requested object is not a list "
                                f"(*{GO_PACKAGE.get(res.group, 'unstructured')}.{res.kind})"
                           if target[1].endswith("List") else "only the following media types are accepted: "
                                                               "application/json, application/yaml, "
                                                               "application/vnd.kubernetes.protobuf")
        if target is None:
            return await json_response(request, obj)
        kind, gv = target
        if kind == "PartialObjectMetadata":
            return await json_response(request, kube_tables.partial_metadata(obj, gv), content_type=media_type(target))
        include = self.include_object(request)
        printer = kube_tables.Printer(res)
        when = datetime.datetime.now(datetime.timezone.utc)
        table = {"kind": "Table", "apiVersion": gv,
                 "metadata": {"resourceVersion": obj["metadata"].get("resourceVersion", "")},
                 "columnDefinitions": printer.columns, "rows": [kube_tables.row(printer, obj, include, when, gv)]}
        return await json_response(request, table, content_type=media_type(target))

    @staticmethod
    def include_object(request):
        include = request.params.get("includeObject", "")
        if include not in ("", "None", "Metadata", "Object"):
            raise ApiError(400, f'unrecognized includeObject value: "{include}"')
        return include or "Metadata"

    def list_options(self, request, watch):
        """validation.ValidateListOptions: a 422 for combinations kube-apiserver refuses."""
        q = request.params
        rv, match = q.get("resourceVersion", ""), q.get("resourceVersionMatch", "")
        send = q.get("sendInitialEvents")
        errors = []
        if watch:
            if send is not None and not self.watch_list:
                # ValidateListOptions of an API server whose WatchList feature gate is off
                # (EKS 1.31 and older).
                errors.append("sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the "
                              "WatchList feature gate is enabled")
            if send is not None and match != "NotOlderThan":
                errors.append("resourceVersionMatch: Forbidden: sendInitialEvents requires setting "
                              "resourceVersionMatch to NotOlderThan")
            if match:
                if send is None:
                    errors.append("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch "
                                  "unless sendInitialEvents is provided")
                if match != "NotOlderThan":
                    errors.append(f'resourceVersionMatch: Unsupported value: "{match}": supported values: '
                                  '"NotOlderThan"')
                if q.get("continue"):
                    errors.append("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when "
                                  "continue is provided")
        else:
            if match:
                if not rv:
                    errors.append("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless "
                                  "resourceVersion is provided")
                if q.get("continue"):
                    errors.append("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when "
                                  "continue is provided")
                if match not in ("Exact", "NotOlderThan"):
                    errors.append(f'resourceVersionMatch: Unsupported value: "{match}": supported values: '
                                  '"Exact", "NotOlderThan", ""')
                if match == "Exact" and rv == "0":
                    errors.append('resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for '
                                  'resourceVersion "0"')
            if send is not None:
                errors.append("sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list")
        if errors:
            text = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
            raise ApiError(422, f'ListOptions.meta.k8s.io "" is invalid: {text}', name="", group="meta.k8s.io",
                           kind="ListOptions")
        if rv and not rv.isdigit():
            raise ApiError(400, f'resourceVersion: Invalid value: "{rv}": strconv.ParseUint: parsing "{rv}": '
                                'invalid syntax')

    @staticmethod
    def encode_continue(rv, key):
        token = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": key}, separators=(",", ":"))
        return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")

    @staticmethod
    def decode_continue(token, res, namespace):
        try:
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if data.get("v") != "meta.k8s.io/v1":
                raise ValueError
            start, rv = data["start"], int(data["rv"])
        except Exception:
            raise ApiError(400, f"continue key is not valid: {token}")
        start = start[:-1] if start.endswith("\x00") else start
        if namespace is not None or not res.namespaced:
            return rv, (namespace or "", start)
        ns, _, name = start.partition("/")
        return rv, (ns, name)

    def continue_key(self, res, namespace, entry):
        return f"{entry[1]}\x00" if namespace is not None or not res.namespaced else f"{entry[0]}/{entry[1]}\x00"

    async def list(self, request, res, namespace):
        q = request.params
        self.list_options(request, watch=False)
        target = wants(request, ("Table", "PartialObjectMetadataList"))
        if target and target[0] == "unacceptable":
            raise ApiError(406, f"you requested {target[1]}, but the requested object is a list "
                                f"(*{GO_PACKAGE.get(res.group, 'unstructured')}.{res.kind}List)"
                           if not target[1].endswith("List") else "only the following media types are accepted: "
                                                                   "application/json, application/yaml, "
                                                                   "application/vnd.kubernetes.protobuf")
        include = self.include_object(request) if target and target[0] == "Table" else None
        match = self.matcher(res, namespace, None, q.get("labelSelector"), q.get("fieldSelector"))
        try:
            limit = int(q.get("limit") or 0)
        except ValueError:
            raise ApiError(400, f'limit: Invalid value: "{q.get("limit")}": strconv.ParseInt: parsing '
                                f'"{q.get("limit")}": invalid syntax')
        rv_param, rv_match, token = q.get("resourceVersion", ""), q.get("resourceVersionMatch", ""), q.get("continue")
        list_rv, after = self.rv, None
        if rv_param == "0" and rv_match in ("", "NotOlderThan") and not token:
            limit = 0  # served from the watch cache, which does not page
        if rv_match == "Exact" and int(rv_param) < self.expired_below:
            raise ApiError(410, "The resourceVersion for the provided list is too old.", reason="Expired")
        if token:
            if rv_param and rv_param != "0":
                raise ApiError(400, "specifying resource version is not allowed when using continue")
            token_rv, after = self.decode_continue(token, res, namespace)
            if token_rv != -1 and token_rv < self.expired_below:
                raise ApiError(410, INCONSISTENT_CONTINUE, reason="Expired", extra_meta={
                    "continue": self.encode_continue(-1, self.continue_key(res, namespace, (*after, None, None)))})
            list_rv = token_rv if token_rv > 0 else self.rv
        if limit > 0 and self.page_delay:
            await asyncio.sleep(self.page_delay)
        gone = set(self.gone.get(res.plural, ()))
        page, more, last = [], False, None
        for e in self.entries(res, namespace, after, gone):
            if limit and len(page) == limit:
                more = True  # kube-apiserver sets continue when keys follow, matching or not
                break
            if match is None or match(e):
                page.append(e)
                last = e
        meta = {"resourceVersion": str(list_rv)}
        if more and last is not None:
            meta["continue"] = self.encode_continue(list_rv, self.continue_key(res, namespace, last))
            if match is None:
                meta["remainingItemCount"] = self.count_after(res, namespace, (last[0], last[1]))
        return await self.send_list(request, res, page, meta, target, include)

    async def send_list(self, request, res, page, meta, target, include):
        if target is None:
            body = Body(request)
            await body.write(dumps({"kind": res.list_kind, "apiVersion": res.api_version, "metadata": meta})[:-1]
                             + b',"items":[')
            chunk, size, first = [], 0, True
            for e in page:
                raw = self.entry_raw(res, e)
                chunk.append(raw)
                size += len(raw)
                if size > 256 * 1024:
                    await body.write((b"" if first else b",") + b",".join(chunk))
                    chunk, size, first = [], 0, False
            if chunk:
                await body.write((b"" if first else b",") + b",".join(chunk))
            await body.write(b"]}\n")
            return await body.finish()
        kind, gv = target
        body = Body(request, media_type(target))
        if kind == "PartialObjectMetadataList":
            await body.write(dumps({"kind": "PartialObjectMetadataList", "apiVersion": gv, "metadata": meta})[:-1]
                             + b',"items":[')
            for n, e in enumerate(page):
                obj = self.entry_obj(res, e)
                await body.write((b"," if n else b"") + dumps(kube_tables.partial_metadata(obj, gv)))
            await body.write(b"]}\n")
            return await body.finish()
        printer = kube_tables.Printer(res)
        when = datetime.datetime.now(datetime.timezone.utc)
        await body.write(dumps({"kind": "Table", "apiVersion": gv, "metadata": meta,
                                "columnDefinitions": printer.columns})[:-1] + b',"rows":[')
        for n, e in enumerate(page):
            obj = self.entry_obj(res, e)
            await body.write((b"," if n else b"") + dumps(kube_tables.row(printer, obj, include, when, gv)))
        await body.write(b"]}\n")
        return await body.finish()

    # -- watch
    async def watch(self, request, res, namespace, name):
        params = request.params
        self.list_options(request, watch=True)
        since = params.get("resourceVersion") or ""
        target = wants(request, ("Table", "PartialObjectMetadata"))
        if target and target[0] == "unacceptable":
            raise ApiError(406, "only the following media types are accepted: application/json, application/yaml, "
                                "application/vnd.kubernetes.protobuf")
        include = self.include_object(request) if target and target[0] == "Table" else None
        match = self.matcher(res, namespace, name, params.get("labelSelector"), params.get("fieldSelector"))
        content_type = media_type(target) if target else "application/json"
        response = aiohttp.web.StreamResponse(headers={"Content-Type": content_type})
        await response.prepare(request._raw_request)
        out = WatchOut(self, res, response, target, include)
        try:
            if since not in ("", "0") and int(since) < self.expired_below:
                await out.event({"type": "ERROR", "object": self.expired_status(since)})
            else:
                await self.stream_events(request, res, namespace, since, match, out)
            await out.flush()
            await response.write_eof()
        except (ConnectionError, asyncio.CancelledError):
            pass  # the client went away
        return response

    async def stream_events(self, request, res, namespace, since, match, out):
        params = request.params
        expiries, closes = self.expiries, self.closes
        loop = asyncio.get_running_loop()
        timeout = float(params.get("timeoutSeconds") or 1800)
        deadline = loop.time() + timeout
        bookmarks = truthy(params.get("allowWatchBookmarks", ""))
        send_initial = params.get("sendInitialEvents")
        initial = truthy(send_initial) if send_initial is not None else since in ("", "0")
        if initial:
            cursor = self.rv
            gone = set(self.gone.get(res.plural, ()))
            for e in self.entries(res, namespace, None, gone):
                if match is None or match(e):
                    await out.added(e)
            if send_initial is not None and truthy(send_initial) and bookmarks:
                await out.bookmark(cursor, initial_end=True)
            await out.flush()
        else:
            cursor = int(since) if since else self.rv
        next_bookmark = min(loop.time() + BOOKMARK_EVERY, deadline - 2) if bookmarks else None
        while not self.stopping and loop.time() < deadline and self.closes == closes:
            if self.expiries != expiries:
                await out.event({"type": "ERROR", "object": self.expired_status(str(cursor))})
                return
            if self.wake is None:
                self.notify()
            wake = self.wake  # set by any change from here on
            upto = self.rv  # every change up to here is in the history already
            start = bisect.bisect_right(self.history, cursor, key=lambda entry: entry[0])
            for rv, what, event in self.history[start:]:
                cursor = rv
                if what != res.store_key:
                    continue
                obj = event["object"]
                meta = obj.get("metadata") or {}
                if namespace is not None and meta.get("namespace") != namespace:
                    continue
                if match is not None and not match((meta.get("namespace") or "", meta.get("name"), obj, None)):
                    continue
                await out.event({"type": event["type"], "object": self.present(res, obj)})
            cursor = max(cursor, upto)
            if next_bookmark is not None and loop.time() >= next_bookmark:
                await out.bookmark(cursor)
                next_bookmark = min(loop.time() + BOOKMARK_EVERY, deadline - 2)
                if next_bookmark <= loop.time():
                    next_bookmark = None
            await out.flush()
            transport = request._raw_request.transport
            if transport is None or transport.is_closing():
                return
            wait = max(0.0, deadline - loop.time())
            if next_bookmark is not None:
                wait = min(wait, max(0.0, next_bookmark - loop.time()))
            try:
                await asyncio.wait_for(wake.wait(), timeout=min(1.0, wait))
            except asyncio.TimeoutError:
                pass

    def expired_status(self, since):
        return status_body(410, "Expired", f"too old resource version: {since} ({self.expired_below})")

    # -- writes
    async def create(self, request, res, namespace, obj, status=201):
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise ApiError(400, "metadata must be an object")
        sent_api, sent_kind = obj.get("apiVersion"), obj.get("kind")
        if sent_api and sent_api != res.api_version:
            raise ApiError(400, f"the API version in the data ({sent_api}) does not match the expected API "
                                f"version ({res.api_version})")
        if sent_kind and sent_kind != res.kind:
            raise ApiError(400, f"the kind in the data ({sent_kind}) does not match the expected kind ({res.kind})")
        if res.namespaced:
            if meta.get("namespace", namespace) != namespace:
                raise ApiError(400, "the namespace of the provided object does not match the namespace sent on "
                                    "the request")
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(
                kube_scale.SAFE[b % len(kube_scale.SAFE)] for b in uuid.uuid4().bytes[:5])
        if not meta.get("name"):
            raise invalid(res.kind, "", ["metadata.name: Required value: name or generateName is required"],
                          res.group)
        obj = {"apiVersion": res.api_version, "kind": res.kind, **{k: v for k, v in obj.items()
                                                                    if k not in ("apiVersion", "kind")}}
        meta = obj["metadata"]
        for field in ("uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "generation",
                      "creationTimestamp", "selfLink"):
            meta.pop(field, None)
        self.defaults(res, obj)
        initial = kube_resources.initial_status(res, obj)
        if initial == "drop":
            obj.pop("status", None)
        elif initial is not None:
            obj["status"] = initial
        async with self.write_lock:
            if res.namespaced and self.stored(self.builtin["namespaces"], None, namespace) is None:
                raise ApiError(404, f'namespaces "{namespace}" not found', name=namespace, kind="namespaces")
            if self.stored(res, namespace if res.namespaced else None, meta["name"]) is not None:
                raise ApiError(409, f'{res.plural}{"." + res.group if res.group else ""} "{meta["name"]}" '
                                    'already exists', reason="AlreadyExists", name=meta["name"], group=res.group,
                               kind=res.plural)
            if res.plural == "customresourcedefinitions" and not res.crd:
                self.crd_validate(obj)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now()
            if res.generation:
                meta["generation"] = 1
            if res.plural == "namespaces" and not res.crd:
                meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
            if dry_run(request):
                return await json_response(request, self.present(res, obj), status=status)
            stored = self.write(res, namespace if res.namespaced else None, meta["name"], obj, "ADDED")
            created = copy.deepcopy(stored)
            if res.plural == "customresourcedefinitions" and not res.crd:
                await self.crd_created(res, stored)
        return await json_response(request, self.present(res, created), status=status)

    def defaults(self, res, obj):
        """What the API's defaulting (and a few registry strategies) add to a created object."""
        if res.crd:
            return
        spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
        if res.plural == "customresourcedefinitions":
            self.crd_defaults(obj)
            obj["status"] = {"acceptedNames": {"plural": "", "kind": ""}, "storedVersions": [
                next((v["name"] for v in obj["spec"].get("versions") or [] if v.get("storage")), "")]}
        elif res.plural == "secrets":
            obj.setdefault("type", "Opaque")
            string_data = obj.pop("stringData", None) or {}
            if string_data:
                data = obj.setdefault("data", {})
                for k, v in string_data.items():
                    data[k] = base64.b64encode(str(v).encode()).decode()
        elif res.plural == "services" and spec is not None:
            spec.setdefault("type", "ClusterIP")
            spec.setdefault("sessionAffinity", "None")
            for port in spec.get("ports") or []:
                port.setdefault("protocol", "TCP")
                port.setdefault("targetPort", port.get("port"))
            if spec["type"] != "ExternalName" and "clusterIP" not in spec:
                n = self.rv % 65000 + 100
                spec["clusterIP"] = f"172.20.{n // 250}.{n % 250 + 2}"
            if spec.get("clusterIP"):
                spec.setdefault("clusterIPs", [spec["clusterIP"]])
                spec.setdefault("ipFamilies", ["IPv4"])
                spec.setdefault("ipFamilyPolicy", "SingleStack")
            spec.setdefault("internalTrafficPolicy", "Cluster")
        elif res.plural == "cronjobs" and spec is not None:
            spec.setdefault("suspend", False)
            spec.setdefault("concurrencyPolicy", "Allow")
            spec.setdefault("successfulJobsHistoryLimit", 3)
            spec.setdefault("failedJobsHistoryLimit", 1)
        elif res.plural == "jobs" and spec is not None:
            if "completions" not in spec and "parallelism" not in spec:
                spec["completions"] = 1
                spec["parallelism"] = 1
            spec.setdefault("parallelism", 1)
            spec.setdefault("backoffLimit", 6)
            spec.setdefault("completionMode", "NonIndexed")
            spec.setdefault("suspend", False)
        elif res.plural in ("deployments", "replicasets", "statefulsets") and spec is not None:
            spec.setdefault("replicas", 1)

    def changed_semantics(self, res, sub, old, new):
        """What a write leaves: status-subresource writes change only the status, main-resource writes
        leave the status as it was (for resources with a status subresource)."""
        if sub == "status":
            out = copy.deepcopy(old)
            if "status" in new:
                out["status"] = new["status"]
            else:
                out.pop("status", None)
            return out
        if res.has("status"):
            new = dict(new)
            if "status" in old:
                new["status"] = old["status"]
            else:
                new.pop("status", None)
        return new

    def bump_generation(self, res, old, new):
        if not res.generation:
            return
        if res.crd:
            changed = any(new.get(k) != old.get(k) for k in set(new) | set(old)
                          if k not in ("metadata", "status", "apiVersion", "kind"))
        else:
            changed = new.get("spec") != old.get("spec")
        gen = old["metadata"].get("generation", 1)
        new["metadata"]["generation"] = gen + 1 if changed else gen

    async def commit(self, request, res, namespace, name, old, new, sub=None):
        """Store a written object unless nothing changed; delete it when its last finalizer went."""
        new = self.changed_semantics(res, sub, old, new)
        meta, old_meta = new.setdefault("metadata", {}), old["metadata"]
        for field in ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "generation"):
            if field in old_meta:
                meta[field] = old_meta[field]
            else:
                meta.pop(field, None)
        new["apiVersion"], new["kind"] = old.get("apiVersion", res.api_version), old.get("kind", res.kind)
        self.bump_generation(res, old, new)
        meta["resourceVersion"] = old_meta.get("resourceVersion")
        if new == old or dry_run(request):
            return await json_response(request, self.present(res, new))
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            gone = self.remove(res, namespace, name)
            return await json_response(request, self.present(res, gone))
        stored = self.write(res, namespace, name, new)
        if res.plural == "customresourcedefinitions" and not res.crd:
            self.register_crd(stored)
        return await json_response(request, self.present(res, stored))

    async def patch(self, request, res, namespace, name, sub):
        ctype = request.headers.get("Content-Type", "").split(";")[0].strip()
        data = request.data
        if ctype == "application/apply-patch+yaml" and not request.params.get("fieldManager"):
            raise ApiError(422, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required '
                                'for apply patch', name="", group="meta.k8s.io", kind="PatchOptions",
                           causes=[{"reason": "FieldValueRequired", "message": "Required value: is required for "
                                                                              "apply patch", "field": "fieldManager"}])
        if ctype == "application/json-patch+json" and not isinstance(data, list) or \
                ctype != "application/json-patch+json" and not isinstance(data, dict):
            raise ApiError(400, "the body of the request was in an unknown format - accepted media types include: "
                                "application/json-patch+json, application/merge-patch+json, "
                                "application/apply-patch+yaml")
        async with self.write_lock:
            ns = namespace if res.namespaced else None
            stored = self.stored(res, ns, name)
            if stored is None:
                if ctype == "application/apply-patch+yaml" and not sub:
                    body = copy.deepcopy(data)
                    body.setdefault("metadata", {})["name"] = name
                    self.write_lock.release()
                    try:
                        return await self.create(request, res, namespace, body)
                    finally:
                        await self.write_lock.acquire()
                self.must_get(res, ns, name)
            old = stored.raw
            if isinstance(data, dict):
                sent_rv = (data.get("metadata") or {}).get("resourceVersion")
                if sent_rv and sent_rv != old["metadata"].get("resourceVersion"):
                    raise self.conflict(res, name)
            new = copy.deepcopy(kmock_dicts.patch_dict(copy.deepcopy(old), data))
            return await self.commit(request, res, ns, name, old, new, sub)

    def conflict(self, res, name):
        return ApiError(409, f'Operation cannot be fulfilled on {res.plural}{"." + res.group if res.group else ""} '
                             f'"{name}": the object has been modified; please apply your changes to the latest '
                             "version and try again", name=name, group=res.group, kind=res.plural)

    async def replace(self, request, res, namespace, name, sub):
        obj = copy.deepcopy(request.data)
        meta = obj.setdefault("metadata", {})
        if meta.get("name", name) != name:
            raise ApiError(400, "the name of the object does not match the name on the URL")
        async with self.write_lock:
            ns = namespace if res.namespaced else None
            old = self.must_get(res, ns, name).raw
            sent_rv = meta.get("resourceVersion")
            if not sent_rv and (res.crd or res.plural == "customresourcedefinitions"):
                raise invalid(res.kind, name, ["metadata.resourceVersion: Invalid value: 0x0: must be specified "
                                               "for an update"], res.group)
            if sent_rv and sent_rv != old["metadata"]["resourceVersion"]:
                raise self.conflict(res, name)
            return await self.commit(request, res, ns, name, old, obj, sub)

    async def delete(self, request, res, namespace, name, respond=True):
        options = request.data if isinstance(request.data, dict) else {}
        pre = options.get("preconditions") or {}
        async with self.write_lock:
            ns = namespace if res.namespaced else None
            obj = self.must_get(res, ns, name).raw
            if pre.get("uid") and pre["uid"] != obj["metadata"].get("uid"):
                raise ApiError(409, f'Precondition failed: UID in precondition: {pre["uid"]}, UID in object meta: '
                                    f'{obj["metadata"].get("uid")}', name=name, group=res.group, kind=res.plural)
            if pre.get("resourceVersion") and pre["resourceVersion"] != obj["metadata"].get("resourceVersion"):
                raise ApiError(409, f'Precondition failed: ResourceVersion in precondition: {pre["resourceVersion"]}, '
                                    f'ResourceVersion in object meta: {obj["metadata"].get("resourceVersion")}',
                               name=name, group=res.group, kind=res.plural)
            out = obj if dry_run(request) else self.delete_now(res, ns, name)
        return await json_response(request, self.present(res, out)) if respond else out

    def delete_now(self, res, ns, name):
        obj = self.objects[self.key(res, ns, name)].raw
        meta = obj["metadata"]
        if meta.get("deletionTimestamp"):
            return obj
        builtin = not res.crd
        if builtin and res.plural == "customresourcedefinitions":
            return self.delete_crd(res, obj)
        if builtin and res.plural == "namespaces":
            return self.delete_namespace(res, obj)
        if meta.get("finalizers"):
            new = copy.deepcopy(obj)
            new["metadata"]["deletionTimestamp"] = now()
            new["metadata"]["deletionGracePeriodSeconds"] = 0
            return self.write(res, ns, name, new)
        return self.remove(res, ns, name)

    def delete_namespace(self, res, obj):
        """Namespace deletion: Terminating, the namespace controller empties it, then it goes."""
        name = obj["metadata"]["name"]
        terminating = copy.deepcopy(obj)
        terminating["metadata"]["deletionTimestamp"] = now()
        terminating["status"] = {"phase": "Terminating"}
        out = self.write(res, None, name, terminating)
        for other in list(self.served.values()):
            if not other.namespaced or other.version != other.storage_version:
                continue
            for e in list(self.entries(other, name)):
                if self.stored(other, name, e[1]) is not None:
                    self.remove(other, name, e[1])
        self.remove(res, None, name)
        return out

    def delete_crd(self, res, crd):
        """CRD deletion: the cleanup finalizer, Terminating, its objects deleted, then the CRD."""
        name = crd["metadata"]["name"]
        terminating = copy.deepcopy(crd)
        meta = terminating["metadata"]
        meta["deletionTimestamp"] = now()
        meta["deletionGracePeriodSeconds"] = 0
        meta["finalizers"] = [*(meta.get("finalizers") or []), CRD_FINALIZER]
        terminating["status"]["conditions"] = [c for c in terminating["status"].get("conditions", [])
                                               if c.get("type") != "Terminating"] + [
            {"type": "Terminating", "status": "True", "lastTransitionTime": now(), "reason": "InstanceDeletionInProgress",
             "message": "CustomResource deletion is in progress"}]
        out = self.write(res, None, name, terminating)
        served = [r for r in self.served.values() if r.crd == name]
        if served:
            store = served[0]
            for e in list(self.entries(store)):
                self.remove(store, e[0] or None, e[1])
        for key in [k for k, r in self.served.items() if r.crd == name]:
            del self.served[key]
        self.remove(res, None, name)
        return out

    async def delete_collection(self, request, res, namespace):
        q = request.params
        match = self.matcher(res, namespace, None, q.get("labelSelector"), q.get("fieldSelector"))
        deleted = []
        async with self.write_lock:
            for e in list(self.entries(res, namespace)):
                if match is not None and not match(e):
                    continue
                ns = e[0] if res.namespaced else None
                if self.stored(res, ns, e[1]) is not None:
                    deleted.append(self.present(res, self.delete_now(res, ns, e[1])))
        return await json_response(request, {"kind": res.list_kind, "apiVersion": res.api_version,
                                             "metadata": {"resourceVersion": str(self.rv)}, "items": deleted})

    # -- subresources
    async def scale(self, request, res, namespace, name):
        method = request.method.value
        ns = namespace if res.namespaced else None
        obj = self.must_get(res, ns, name).raw
        current = self.scale_of(res, obj)
        if method in ("PATCH", "PUT"):
            if request.data is None:
                raise ApiError(400, "the request body is not valid JSON")
            if method == "PUT":
                wanted = request.data
            else:
                wanted = kmock_dicts.patch_dict(copy.deepcopy(current), request.data)
            replicas = (wanted.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                raise ApiError(422, f'Scale.autoscaling "{name}" is invalid: spec.replicas: Invalid value: '
                                    f"{json.dumps(replicas)}: must be greater than or equal to 0")
            sent_rv = (wanted.get("metadata") or {}).get("resourceVersion")
            if method == "PUT" and sent_rv and sent_rv != obj["metadata"]["resourceVersion"]:
                raise self.conflict(res, name)
            if replicas != current["spec"]["replicas"]:
                path = (res.scale_paths or {}).get("specReplicasPath", ".spec.replicas").lstrip(".").split(".")
                patch = replicas
                for part in reversed(path):
                    patch = {part: patch}
                obj = await self.modify(res, ns, name, patch)
            current = self.scale_of(res, obj)
        elif method != "GET":
            raise ApiError(405, "the server does not allow this method on the requested resource")
        return await json_response(request, current)

    @staticmethod
    def scale_of(res, obj):
        meta = obj["metadata"]

        def at(path, default=None):
            value = obj
            for part in path.lstrip(".").split("."):
                value = value.get(part) if isinstance(value, dict) else None
            return default if value is None else value

        if res.crd:
            paths = res.scale_paths or {}
            spec_replicas = at(paths.get("specReplicasPath", ".spec.replicas"), 0)
            status_replicas = at(paths.get("statusReplicasPath", ".status.replicas"), 0)
            selector = at(paths["labelSelectorPath"], "") if paths.get("labelSelectorPath") else ""
        else:
            spec_replicas = at(".spec.replicas", 1)
            status_replicas = at(".status.replicas", 0)
            selector = ",".join(f"{k}={v}" for k, v in sorted(
                ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels", {}).items()))
        status = {"replicas": status_replicas}
        if selector:
            status["selector"] = selector
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                             if k in meta},
                "spec": {"replicas": spec_replicas}, "status": status}

    async def pod_log(self, request, res, namespace, name):
        if request.method.value != "GET":
            raise ApiError(405, "the server does not allow this method on the requested resource")
        pod = self.must_get(res, namespace, name).raw
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
                if transport is None or transport.is_closing() or self.stored(res, namespace, name) is None:
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


class WatchOut:
    """Watch events to a response: JSON lines, the objects transformed as the Accept header asked,
    batched into writes of up to 64 KiB."""

    def __init__(self, emulator, res, response, target, include):
        self.emulator, self.res, self.response = emulator, res, response
        self.target, self.include = target, include
        self.printer = kube_tables.Printer(res) if target and target[0] == "Table" else None
        self.headers_sent = False
        self.buffer, self.size = [], 0

    async def write(self, data):
        self.buffer.append(data)
        self.size += len(data)
        if self.size >= 64 * 1024:
            await self.flush()

    async def flush(self):
        if self.buffer:
            data, self.buffer, self.size = b"".join(self.buffer), [], 0
            await self.response.write(data)

    def transform(self, obj):
        if self.target is None or obj.get("kind") == "Status":
            return obj
        kind, gv = self.target
        if kind == "PartialObjectMetadata":
            return kube_tables.partial_metadata(obj, gv)
        when = datetime.datetime.now(datetime.timezone.utc)
        table = {"kind": "Table", "apiVersion": gv,
                 "metadata": {"resourceVersion": (obj.get("metadata") or {}).get("resourceVersion", "")},
                 "columnDefinitions": None if self.headers_sent else self.printer.columns,
                 "rows": [kube_tables.row(self.printer, obj, self.include, when, gv)]}
        self.headers_sent = True
        return table

    async def event(self, event):
        if event["type"] == "BOOKMARK" and self.target and self.target[0] == "Table":
            await self.write(dumps(event) + b"\n")
            return
        await self.write(dumps({"type": event["type"], "object": self.transform(event["object"])}) + b"\n")

    async def added(self, entry):
        if self.target is None:
            await self.write(b'{"type":"ADDED","object":' + self.emulator.entry_raw(self.res, entry) + b"}\n")
        else:
            await self.event({"type": "ADDED", "object": self.emulator.entry_obj(self.res, entry)})

    async def bookmark(self, rv, initial_end=False):
        meta = {"resourceVersion": str(rv)}
        if not self.res.crd:
            meta["creationTimestamp"] = None
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        obj = {"kind": self.res.kind, "apiVersion": self.res.api_version, "metadata": meta}
        if self.res.plural == "pods" and not self.res.crd:
            obj.update(spec={"containers": None}, status={})
        await self.event({"type": "BOOKMARK", "object": obj})


def eks_token_ok(header, region):
    """Whether `Authorization` carries an EKS IAM token for `region`, by its shape."""
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


def load_seed_file(path):
    data = json.loads(pathlib.Path(path).read_text())
    if isinstance(data, list):
        return data, {}
    if isinstance(data, dict) and isinstance(data.get("objects"), list):
        return data["objects"], data.get("logs") or {}
    raise SystemExit(f"kube_server: {path}: want a JSON list of objects or {{\"objects\": [...], \"logs\": {{...}}}}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="demo")
    parser.add_argument("--seed-file", action="append", default=[], metavar="PATH")
    parser.add_argument("--token")
    parser.add_argument("--forbid", action="append", default=[], metavar="VERB:RESOURCE")
    parser.add_argument("--user", default="arn:aws:sts::123456789012:user/moto")
    parser.add_argument("--eks-token", metavar="REGION")
    parser.add_argument("--pods", type=int, default=0, metavar="N")
    parser.add_argument("--page-delay", type=float, default=0.0, metavar="SECS")
    parser.add_argument("--no-watch-list", action="store_true")
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
    if args.pods < 0:
        parser.error("--pods wants a count")
    seeds = [load_seed_file(p) for p in args.seed_file]

    ready = threading.Event()
    state = {}

    async def serve():
        state["stop"] = asyncio.Event()
        emulator = Emulator(token=args.token, eks_region=args.eks_token, forbidden=forbidden, user=args.user,
                            page_delay=args.page_delay, watch_list=not args.no_watch_list)
        emulator.seed(scenarios[args.scenario]["objects"], scenarios[args.scenario].get("logs", {}))
        for objects, logs in seeds:
            emulator.seed(objects, logs)
        if args.pods:
            emulator.generate(args.pods)
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
