"""Self-test of kube_server.py: starts it (reading `PORT n`, closing stdin to stop it), exercises what
its header lists over HTTP and WebSockets (aiohttp client), prints one line per check and a final
`N passed, M failed`; exits 0 only if every check passed.

usage: python selftest_kube.py [-k SUBSTRING]   (only the checks whose name contains SUBSTRING)
"""

import argparse
import asyncio
import base64
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import traceback

import aiohttp

HERE = pathlib.Path(__file__).parent
SERVER = HERE / "kube_server.py"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
RESULTS = {"passed": 0, "failed": 0}
ONLY = None


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen([sys.executable, str(SERVER), *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"kube_server did not start: {line!r} {self.proc.stderr.read()}")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.proc.stdout.close()
        self.proc.stderr.close()


class Check(Exception):
    pass


def expect(cond, message):
    if not cond:
        raise Check(message)


async def check(name, fn, *args):
    if ONLY and ONLY not in name:
        return
    try:
        await asyncio.wait_for(fn(*args), 60)
        RESULTS["passed"] += 1
        print(f"PASS {name}", flush=True)
    except Check as e:
        RESULTS["failed"] += 1
        print(f"FAIL {name}: {e}", flush=True)
    except Exception as e:
        RESULTS["failed"] += 1
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
        traceback.print_exc(limit=3, file=sys.stdout)


class Client:
    def __init__(self, server, session, token=None):
        self.s, self.session = server, session
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def req(self, method, path, body=None, headers=None, ctype=None, raw=False):
        h = dict(self.headers, **(headers or {}))
        data = None
        if body is not None:
            data = json.dumps(body)
            h["Content-Type"] = ctype or "application/json"
        async with self.session.request(method, self.s.url + path, data=data, headers=h) as r:
            payload = await r.read()
            if raw:
                return r.status, payload, r.headers
            try:
                return r.status, json.loads(payload) if payload else None
            except ValueError:
                return r.status, payload.decode(errors="replace")

    async def get(self, path, **kw):
        return await self.req("GET", path, **kw)

    async def ok(self, method, path, body=None, status=(200, 201), **kw):
        code, data = await self.req(method, path, body, **kw)
        expect(code in ((status,) if isinstance(status, int) else status), f"{method} {path}: {code} {data}")
        return data

    async def watch(self, path, until, timeout=10, headers=None):
        """Events of a watch until `until(events)` is true (or the stream ends)."""
        events = []
        h = dict(self.headers, **(headers or {}))
        async with self.session.get(self.s.url + path, headers=h,
                                    timeout=aiohttp.ClientTimeout(total=timeout)) as r:
            if r.status != 200:
                raise Check(f"watch {path}: {r.status} {await r.text()}")
            buf = b""
            async for chunk in r.content.iter_any():
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if line.strip():
                        events.append(json.loads(line))
                        if until(events):
                            return events
        return events


def names(items):
    return [i["metadata"]["name"] for i in items]


# ------------------------------------------------------------------------------------ core checks
async def core_checks(c):
    async def lists():
        d = await c.ok("GET", "/api/v1/pods")
        expect(d["kind"] == "PodList" and d["apiVersion"] == "v1", d.get("kind"))
        expect(d["metadata"]["resourceVersion"].isdigit(), d["metadata"])
        keys = [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in d["items"]]
        expect(keys == sorted(keys) and len(keys) == 12, keys)
        d = await c.ok("GET", "/api/v1/namespaces/shop/pods")
        expect(len(d["items"]) == 7, len(d["items"]))
    await check("list pods (all namespaces, one namespace), sorted", lists)

    async def selectors():
        d = await c.ok("GET", "/api/v1/pods?labelSelector=app%3Dcheckout")
        expect(len(d["items"]) == 3, names(d["items"]))
        d = await c.ok("GET", "/api/v1/pods?labelSelector=app+in+(cart,payments),pod-template-hash")
        expect(len(d["items"]) == 4, names(d["items"]))
        d = await c.ok("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dip-10-0-1-23.ec2.internal")
        expect(len(d["items"]) == 4, names(d["items"]))
        d = await c.ok("GET", "/api/v1/events?fieldSelector=involvedObject.name%3Dpostgres-1,type%3DWarning")
        expect(names(d["items"]) == ["postgres-1.1804b12a9c0d7e21"], names(d["items"]))
        code, d = await c.get("/api/v1/pods?fieldSelector=spec.containers%3Dx")
        expect(code == 400 and d["message"] == "field label not supported: spec.containers", (code, d))
    await check("label and field selectors (unsupported field label: 400)", selectors)

    async def paging():
        full = names((await c.ok("GET", "/api/v1/pods"))["items"])
        got, token, pages = [], "", 0
        while True:
            d = await c.ok("GET", "/api/v1/pods?limit=5" + (f"&continue={token}" if token else ""))
            got += names(d["items"])
            pages += 1
            token = d["metadata"].get("continue")
            if not token:
                expect("remainingItemCount" not in d["metadata"], d["metadata"])
                break
            expect(d["metadata"]["remainingItemCount"] == len(full) - len(got), d["metadata"])
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            expect(raw["v"] == "meta.k8s.io/v1" and raw["start"].endswith("\x00"), raw)
        expect(got == full and pages == 3, (pages, got))
        d = await c.ok("GET", "/api/v1/pods?limit=5&resourceVersion=0")
        expect(len(d["items"]) == 12 and "continue" not in d["metadata"], "rv=0 is served whole")
        code, d = await c.get("/api/v1/pods?limit=2&continue=bm9wZQ")
        expect(code == 400, (code, d))
    await check("paged lists: continue tokens, remainingItemCount, resourceVersion=0 unpaged", paging)

    async def get_missing():
        d = await c.ok("GET", "/api/v1/namespaces/shop/pods/cart-5b7c9d8f6-kq2rl")
        expect(d["metadata"]["uid"] and d["kind"] == "Pod", d["metadata"])
        code, d = await c.get("/api/v1/namespaces/shop/pods/nope")
        expect(code == 404 and d["reason"] == "NotFound" and d["message"] == 'pods "nope" not found', d)
        code, d = await c.get("/apis/example.com/v1/things")
        expect(code == 404 and d["details"] == {}, d)
    await check("get, 404 NotFound Status", get_missing)

    async def watch_changes():
        rv = (await c.ok("GET", "/apis/apps/v1/namespaces/shop/deployments"))["metadata"]["resourceVersion"]

        async def change():
            await asyncio.sleep(0.3)
            await c.ok("PATCH", "/apis/apps/v1/namespaces/shop/deployments/cart",
                       {"metadata": {"annotations": {"selftest": "1"}}}, ctype="application/merge-patch+json")
        task = asyncio.ensure_future(change())
        ev = await c.watch(f"/apis/apps/v1/namespaces/shop/deployments?watch=1&resourceVersion={rv}",
                           lambda e: len(e) >= 1)
        await task
        expect(ev[0]["type"] == "MODIFIED" and ev[0]["object"]["metadata"]["annotations"]["selftest"] == "1", ev)
        expect(int(ev[0]["object"]["metadata"]["resourceVersion"]) > int(rv), ev[0]["object"]["metadata"])
        ev = await c.watch("/api/v1/namespaces/shop/pods?watch=true&resourceVersion=0", lambda e: len(e) >= 7)
        expect([e["type"] for e in ev] == ["ADDED"] * 7, [e["type"] for e in ev])
    await check("watch: changes after a resourceVersion, initial ADDED from 0", watch_changes)

    async def watch_list():
        ev = await c.watch("/api/v1/namespaces/shop/pods?watch=true&sendInitialEvents=true&allowWatchBookmarks=true"
                           "&resourceVersionMatch=NotOlderThan", lambda e: e[-1]["type"] == "BOOKMARK")
        expect([e["type"] for e in ev] == ["ADDED"] * 7 + ["BOOKMARK"], [e["type"] for e in ev])
        bm = ev[-1]["object"]
        expect(bm["kind"] == "Pod" and bm["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
               and bm["metadata"]["resourceVersion"].isdigit(), bm)
        code, d = await c.get("/api/v1/pods?watch=true&sendInitialEvents=true")
        expect(code == 422 and "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
               in d["message"], (code, d))
        code, d = await c.get("/api/v1/pods?sendInitialEvents=true")
        expect(code == 422 and "sendInitialEvents is forbidden for list" in d["message"], (code, d))
    await check("watch-list: initial ADDEDs, initial-events-end BOOKMARK; 422 on bad options", watch_list)

    async def expiry():
        rv = (await c.ok("GET", "/api/v1/pods"))["metadata"]["resourceVersion"]
        page = await c.ok("GET", "/api/v1/pods?limit=4")

        async def expire():
            await asyncio.sleep(0.3)
            await c.ok("POST", "/_control/expire-watches")
        task = asyncio.ensure_future(expire())
        ev = await c.watch(f"/api/v1/pods?watch=true&resourceVersion={rv}", lambda e: e[-1]["type"] == "ERROR")
        await task
        expect(ev[-1]["object"]["code"] == 410 and ev[-1]["object"]["reason"] == "Expired", ev)
        ev = await c.watch(f"/api/v1/pods?watch=true&resourceVersion={rv}", lambda e: True)
        expect(ev[0]["type"] == "ERROR" and ev[0]["object"]["code"] == 410, ev)
        code, d = await c.get(f"/api/v1/pods?limit=4&continue={page['metadata']['continue']}")
        expect(code == 410 and d["reason"] == "Expired" and d["metadata"].get("continue"), (code, d))
        d = await c.ok("GET", f"/api/v1/pods?limit=4&continue={d['metadata']['continue']}")
        expect(len(d["items"]) == 4, names(d["items"]))
    await check("410 Expired: open watch, old resourceVersion, stale continue token (with its fresh token)", expiry)

    async def close():
        task = asyncio.ensure_future(c.watch("/api/v1/pods?watch=true&resourceVersion=" +
                                             (await c.ok("GET", "/api/v1/pods"))["metadata"]["resourceVersion"],
                                             lambda e: False, timeout=5))
        await asyncio.sleep(0.3)
        await c.ok("POST", "/_control/close-watches")
        expect(await task == [], "no events, the stream ended")
    await check("close-watches ends open streams", close)

    async def bookmarks():
        rv = (await c.ok("GET", "/api/v1/pods"))["metadata"]["resourceVersion"]
        t0 = time.monotonic()
        ev = await c.watch(f"/api/v1/pods?watch=true&allowWatchBookmarks=true&timeoutSeconds=3&resourceVersion={rv}",
                           lambda e: False, timeout=10)
        took = time.monotonic() - t0
        expect([e["type"] for e in ev] == ["BOOKMARK"] and ev[0]["object"]["metadata"]["resourceVersion"] == rv
               and ev[0]["object"]["spec"] == {"containers": None} and 2.5 < took < 5, (ev, took))
    await check("allowWatchBookmarks: a BOOKMARK 2 s before timeoutSeconds, then the stream ends", bookmarks)

    async def dry_run_and_encoding():
        d = await c.ok("POST", "/api/v1/namespaces/shop/configmaps?dryRun=All", {"metadata": {"name": "dry"}},
                       status=201)
        expect(d["metadata"]["name"] == "dry", d)
        code, _ = await c.get("/api/v1/namespaces/shop/configmaps/dry")
        expect(code == 404, code)
        code, body, headers = await c.req("GET", "/api/v1/namespaces/data/pods/postgres-1",
                                          headers={"Accept": TABLE}, raw=True)
        expect(b"\\u003cnone\\u003e" in body and b"<none>" not in body and body.endswith(b"}\n")
               and headers["Content-Type"].startswith("application/json;as=Table"), body[-200:])
    await check("dryRun=All stores nothing; JSON escaped as Go writes it (\\u003cnone\\u003e)", dry_run_and_encoding)

    async def scale():
        d = await c.ok("GET", "/apis/apps/v1/namespaces/shop/deployments/checkout/scale")
        expect(d["kind"] == "Scale" and d["spec"]["replicas"] == 3 and d["status"]["selector"] == "app=checkout", d)
        gen = (await c.ok("GET", "/apis/apps/v1/namespaces/shop/deployments/checkout"))["metadata"]["generation"]
        d = await c.ok("PATCH", "/apis/apps/v1/namespaces/shop/deployments/checkout/scale",
                       {"spec": {"replicas": 5}}, ctype="application/merge-patch+json")
        expect(d["spec"]["replicas"] == 5, d)
        dep = await c.ok("GET", "/apis/apps/v1/namespaces/shop/deployments/checkout")
        expect(dep["spec"]["replicas"] == 5 and dep["metadata"]["generation"] == gen + 1, dep["metadata"])
        code, d = await c.req("PATCH", "/apis/apps/v1/namespaces/shop/deployments/checkout/scale",
                              {"spec": {"replicas": -1}}, ctype="application/merge-patch+json")
        expect(code == 422, (code, d))
        await c.ok("PATCH", "/apis/apps/v1/namespaces/shop/deployments/checkout/scale",
                   {"spec": {"replicas": 3}}, ctype="application/merge-patch+json")
    await check("scale subresource GET/PATCH (generation bump, 422)", scale)

    async def logs():
        code, text = await c.get("/api/v1/namespaces/shop/pods/checkout-6d8f9c7b5d-2xk9p/log?container=checkout"
                                 "&tailLines=2")
        expect(code == 200 and len(text.splitlines()) == 2 and "GET /healthz" in text, (code, text))
        code, d = await c.get("/api/v1/namespaces/shop/pods/checkout-6d8f9c7b5d-2xk9p/log")
        expect(code == 400 and "a container name must be specified" in d["message"], d)
        code, text = await c.get("/api/v1/namespaces/shop/pods/payments-7f9d6c5b4-zl5qd/log?previous=true")
        expect(code == 200 and text.strip(), (code, text))
        code, d = await c.get("/api/v1/namespaces/data/pods/postgres-1/log")
        expect(code == 400 and "is waiting to start" in d["message"], d)
    await check("pod logs (container, tailLines, previous, waiting container)", logs)

    async def writes():
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "selftest", "labels": {"t": "1"}},
                "data": {"a": "1"}}
        d = await c.ok("POST", "/api/v1/namespaces/shop/configmaps", body, status=201)
        expect(d["metadata"]["uid"] and d["metadata"]["resourceVersion"] and "generation" not in d["metadata"], d)
        code, e = await c.req("POST", "/api/v1/namespaces/shop/configmaps", body)
        expect(code == 409 and e["reason"] == "AlreadyExists", e)
        d2 = await c.ok("PATCH", "/api/v1/namespaces/shop/configmaps/selftest", {"data": {"b": "2"}},
                        ctype="application/merge-patch+json")
        expect(d2["data"] == {"a": "1", "b": "2"}, d2)
        d3 = await c.ok("PATCH", "/api/v1/namespaces/shop/configmaps/selftest",
                        [{"op": "replace", "path": "/data/a", "value": "9"}], ctype="application/json-patch+json")
        expect(d3["data"]["a"] == "9", d3)
        same = await c.ok("PATCH", "/api/v1/namespaces/shop/configmaps/selftest", {"data": {"a": "9"}},
                          ctype="application/merge-patch+json")
        expect(same["metadata"]["resourceVersion"] == d3["metadata"]["resourceVersion"], "a no-op patch writes nothing")
        stale = dict(d, data={"c": "3"})
        code, e = await c.req("PUT", "/api/v1/namespaces/shop/configmaps/selftest", stale)
        expect(code == 409 and e["reason"] == "Conflict", e)
        d4 = await c.ok("PUT", "/api/v1/namespaces/shop/configmaps/selftest", dict(d3, data={"c": "3"}))
        expect(d4["data"] == {"c": "3"}, d4)
        await c.ok("DELETE", "/api/v1/namespaces/shop/configmaps/selftest")
        code, _ = await c.get("/api/v1/namespaces/shop/configmaps/selftest")
        expect(code == 404, code)
        code, e = await c.req("POST", "/api/v1/namespaces/nope/configmaps", body)
        expect(code == 404 and e["message"] == 'namespaces "nope" not found', e)
        applied = await c.ok("PATCH", "/api/v1/namespaces/shop/configmaps/applied?fieldManager=selftest",
                             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"},
                              "data": {"x": "1"}}, ctype="application/apply-patch+yaml", status=201)
        expect(applied["data"] == {"x": "1"}, applied)
        code, e = await c.req("PATCH", "/api/v1/namespaces/shop/configmaps/applied", {"data": {}},
                              ctype="application/apply-patch+yaml")
        expect(code == 422 and "fieldManager" in e["message"], e)
    await check("create / 409 / merge+JSON patch / no-op / PUT conflict / delete / apply", writes)

    async def status_semantics():
        path = "/apis/apps/v1/namespaces/shop/deployments/cart"
        d = await c.ok("PATCH", path, {"status": {"readyReplicas": 0}}, ctype="application/merge-patch+json")
        expect(d["status"]["readyReplicas"] == 2, "a main-resource write leaves status")
        d = await c.ok("PATCH", path + "/status", {"status": {"readyReplicas": 1}, "spec": {"replicas": 9}},
                       ctype="application/merge-patch+json")
        expect(d["status"]["readyReplicas"] == 1 and d["spec"]["replicas"] == 2, "status writes change only status")
        await c.ok("PATCH", path + "/status", {"status": {"readyReplicas": 2}}, ctype="application/merge-patch+json")
    await check("status subresource: main writes keep status, /status writes only status", status_semantics)

    async def deletecollection():
        for n in ("dc-1", "dc-2", "dc-3"):
            await c.ok("POST", "/api/v1/namespaces/shop/configmaps",
                       {"metadata": {"name": n, "labels": {"dc": "yes" if n != "dc-3" else "no"}}})
        d = await c.ok("DELETE", "/api/v1/namespaces/shop/configmaps?labelSelector=dc%3Dyes")
        expect(d["kind"] == "ConfigMapList" and names(d["items"]) == ["dc-1", "dc-2"], d)
        left = names((await c.ok("GET", "/api/v1/namespaces/shop/configmaps?labelSelector=dc"))["items"])
        expect(left == ["dc-3"], left)
    await check("deletecollection with a label selector", deletecollection)

    async def namespace_delete():
        await c.ok("POST", "/api/v1/namespaces", {"metadata": {"name": "tmp"}})
        await c.ok("POST", "/api/v1/namespaces/tmp/configmaps", {"metadata": {"name": "x"}})
        d = await c.ok("DELETE", "/api/v1/namespaces/tmp")
        expect(d["status"]["phase"] == "Terminating" and d["metadata"].get("deletionTimestamp"), d)
        code, _ = await c.get("/api/v1/namespaces/tmp/configmaps/x")
        expect(code == 404, code)
        code, _ = await c.get("/api/v1/namespaces/tmp")
        expect(code == 404, code)
    await check("namespace delete: Terminating, contents deleted, then gone", namespace_delete)


# ---------------------------------------------------------------------------------- new kinds
async def kind_checks(c):
    async def seeded():
        want = {"/api/v1/services": 6, "/api/v1/endpoints": 6, "/apis/discovery.k8s.io/v1/endpointslices": 6,
                "/apis/networking.k8s.io/v1/ingresses": 1, "/apis/batch/v1/jobs": 2, "/apis/batch/v1/cronjobs": 1,
                "/api/v1/configmaps?labelSelector=%21dc%2C%21t": 7, "/api/v1/secrets": 3,
                "/apis/policy/v1/poddisruptionbudgets": 2}
        for path, n in want.items():
            d = await c.ok("GET", path)
            expect(len([i for i in d["items"] if i["metadata"]["name"] != "applied"]) == n
                   and d["kind"].endswith("List"), (path, names(d["items"])))
        ing = (await c.ok("GET", "/apis/networking.k8s.io/v1/namespaces/shop/ingresses/shop"))
        expect(ing["status"]["loadBalancer"]["ingress"][0]["hostname"].endswith(".elb.amazonaws.com"), ing["status"])
        pdb = await c.ok("GET", "/apis/policy/v1/namespaces/shop/poddisruptionbudgets/checkout")
        expect(pdb["status"]["disruptionsAllowed"] == 1 and pdb["status"]["expectedPods"] == 3, pdb["status"])
        sec = await c.ok("GET", "/api/v1/namespaces/data/secrets/postgres-credentials")
        expect(base64.b64decode(sec["data"]["username"]) == b"app", sec["data"])
        ep = await c.ok("GET", "/api/v1/namespaces/shop/endpoints/payments")
        expect(len(ep["subsets"][0]["addresses"]) == 1 and len(ep["subsets"][0]["notReadyAddresses"]) == 1
               and ep["subsets"][0]["addresses"][0]["targetRef"]["uid"], ep["subsets"])
        sl = await c.ok("GET", "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices?labelSelector="
                               "kubernetes.io%2Fservice-name%3Dcheckout")
        expect(len(sl["items"]) == 1 and sl["items"][0]["metadata"]["ownerReferences"][0]["uid"], sl["items"])
    await check("seeded Services, Endpoints, EndpointSlices, Ingress, Jobs, CronJob, ConfigMaps, Secrets, PDBs",
                seeded)

    async def creates():
        svc = await c.ok("POST", "/api/v1/namespaces/shop/services",
                         {"metadata": {"name": "st-svc"}, "spec": {"selector": {"app": "cart"},
                                                                   "ports": [{"port": 8080}]}}, status=201)
        expect(svc["spec"]["clusterIP"].startswith("172.20.") and svc["spec"]["ports"][0]["protocol"] == "TCP"
               and svc["status"] == {"loadBalancer": {}} and svc["spec"]["type"] == "ClusterIP", svc)
        sec = await c.ok("POST", "/api/v1/namespaces/shop/secrets",
                         {"metadata": {"name": "st-secret"}, "stringData": {"token": "abc"}})
        expect(sec["type"] == "Opaque" and sec["data"] == {"token": base64.b64encode(b"abc").decode()}
               and "stringData" not in sec, sec)
        pdb = await c.ok("POST", "/apis/policy/v1/namespaces/shop/poddisruptionbudgets",
                         {"metadata": {"name": "st-pdb"}, "spec": {"minAvailable": 1, "selector": {
                             "matchLabels": {"app": "cart"}}}, "status": {"disruptionsAllowed": 5}})
        expect(pdb["status"] == {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0,
                                 "expectedPods": 0} and pdb["metadata"]["generation"] == 1, pdb)
        cj = await c.ok("POST", "/apis/batch/v1/namespaces/data/cronjobs",
                        {"metadata": {"name": "st-cj"}, "spec": {"schedule": "*/5 * * * *", "jobTemplate": {
                            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}],
                                                           "restartPolicy": "Never"}}}}}})
        expect(cj["spec"]["suspend"] is False and cj["spec"]["concurrencyPolicy"] == "Allow", cj["spec"])
        job = await c.ok("POST", "/apis/batch/v1/namespaces/data/jobs",
                         {"metadata": {"generateName": "st-job-"}, "spec": {"template": {"spec": {
                             "containers": [{"name": "c", "image": "busybox"}], "restartPolicy": "Never"}}}})
        expect(job["metadata"]["name"].startswith("st-job-") and job["spec"]["completions"] == 1, job)
        ing = await c.ok("POST", "/apis/networking.k8s.io/v1/namespaces/shop/ingresses",
                         {"metadata": {"name": "st-ing"}, "spec": {"ingressClassName": "alb", "defaultBackend": {
                             "service": {"name": "cart", "port": {"number": 80}}}}})
        expect(ing["status"] == {"loadBalancer": {}}, ing)
        ing = await c.ok("PATCH", "/apis/networking.k8s.io/v1/namespaces/shop/ingresses/st-ing/status",
                         {"status": {"loadBalancer": {"ingress": [{"hostname": "k8s-x.elb.amazonaws.com"}]}}},
                         ctype="application/merge-patch+json")
        expect(ing["status"]["loadBalancer"]["ingress"][0]["hostname"] == "k8s-x.elb.amazonaws.com", ing)
        es = await c.ok("POST", "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices",
                        {"metadata": {"name": "st-es"}, "addressType": "IPv4", "endpoints": [], "ports": []})
        expect(es["kind"] == "EndpointSlice" and es["apiVersion"] == "discovery.k8s.io/v1", es)
        for path in ("/api/v1/namespaces/shop/services/st-svc", "/api/v1/namespaces/shop/secrets/st-secret",
                     "/apis/policy/v1/namespaces/shop/poddisruptionbudgets/st-pdb",
                     "/apis/batch/v1/namespaces/data/cronjobs/st-cj",
                     f"/apis/batch/v1/namespaces/data/jobs/{job['metadata']['name']}",
                     "/apis/networking.k8s.io/v1/namespaces/shop/ingresses/st-ing",
                     "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices/st-es"):
            await c.ok("DELETE", path)
    await check("create/patch/delete the new kinds with the API's defaults and create-time status", creates)

    async def watch_new():
        rv = (await c.ok("GET", "/api/v1/namespaces/shop/configmaps"))["metadata"]["resourceVersion"]

        async def make():
            await asyncio.sleep(0.3)
            await c.ok("POST", "/api/v1/namespaces/shop/configmaps", {"metadata": {"name": "st-watch"}})
            await c.ok("DELETE", "/api/v1/namespaces/shop/configmaps/st-watch")
        task = asyncio.ensure_future(make())
        ev = await c.watch(f"/api/v1/namespaces/shop/configmaps?watch=true&resourceVersion={rv}",
                           lambda e: len(e) >= 2)
        await task
        expect([e["type"] for e in ev] == ["ADDED", "DELETED"], ev)
    await check("watch a new kind (configmaps): ADDED, DELETED", watch_new)


# ------------------------------------------------------------------------------------ discovery
async def discovery_checks(c):
    async def core():
        d = await c.ok("GET", "/api/v1")
        res = {r["name"]: r for r in d["resources"]}
        expect(d["kind"] == "APIResourceList" and d["groupVersion"] == "v1", d.get("kind"))
        expect(res["pods"]["shortNames"] == ["po"] and res["pods"]["categories"] == ["all"]
               and res["pods"]["verbs"] == ["create", "delete", "deletecollection", "get", "list", "patch",
                                            "update", "watch"] and res["pods"]["singularName"] == "pod", res["pods"])
        expect(res["pods/exec"] == {"name": "pods/exec", "singularName": "", "namespaced": True,
                                    "kind": "PodExecOptions", "verbs": ["create", "get"]}, res["pods/exec"])
        expect(res["pods/portforward"]["kind"] == "PodPortForwardOptions", res["pods/portforward"])
        for name, short in (("services", ["svc"]), ("endpoints", ["ep"]), ("configmaps", ["cm"]),
                            ("namespaces", ["ns"]), ("nodes", ["no"])):
            expect(res[name].get("shortNames") == short, res[name])
        expect("shortNames" not in res["secrets"] and res["endpoints"]["singularName"] == "endpoints", res["secrets"])
        expect(res["namespaces"]["namespaced"] is False and "deletecollection" not in res["namespaces"]["verbs"],
               res["namespaces"])
        expect([r["name"] for r in d["resources"]] == sorted(r["name"] for r in d["resources"]), "sorted")
    await check("discovery /api/v1 (shortNames, categories, verbs, subresources)", core)

    async def groups():
        d = await c.ok("GET", "/apis")
        names_ = [g["name"] for g in d["groups"]]
        for g in ("apps", "batch", "policy", "networking.k8s.io", "discovery.k8s.io", "apiextensions.k8s.io",
                  "karpenter.sh", "karpenter.k8s.aws"):
            expect(g in names_, (g, names_))
        expect(names_.index("apps") < names_.index("batch") < names_.index("karpenter.k8s.aws")
               < names_.index("karpenter.sh"), names_)
        expected = {"batch/v1": {"jobs": (None, ["all"]), "cronjobs": (["cj"], ["all"])},
                    "policy/v1": {"poddisruptionbudgets": (["pdb"], None)},
                    "networking.k8s.io/v1": {"ingresses": (["ing"], None)},
                    "discovery.k8s.io/v1": {"endpointslices": (None, None)},
                    "apps/v1": {"deployments": (["deploy"], ["all"]), "statefulsets": (["sts"], ["all"])},
                    "apiextensions.k8s.io/v1": {"customresourcedefinitions": (["crd", "crds"], ["api-extensions"])}}
        for gv, want in expected.items():
            res = {r["name"]: r for r in (await c.ok("GET", f"/apis/{gv}"))["resources"]}
            for name, (short, cats) in want.items():
                expect(res[name].get("shortNames") == short and res[name].get("categories") == cats, res[name])
        g = await c.ok("GET", "/apis/batch")
        expect(g["kind"] == "APIGroup" and g["preferredVersion"]["groupVersion"] == "batch/v1", g)
        scale = {r["name"]: r for r in (await c.ok("GET", "/apis/apps/v1"))["resources"]}["deployments/scale"]
        expect(scale["group"] == "autoscaling" and scale["version"] == "v1" and scale["kind"] == "Scale", scale)
    await check("discovery /apis, /apis/GROUP, /apis/GROUP/VERSION for the new kinds", groups)

    async def aggregated():
        accept = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")
        code, body, headers = await c.req("GET", "/apis", headers={"Accept": accept}, raw=True)
        d = json.loads(body)
        expect(code == 200 and d["kind"] == "APIGroupDiscoveryList" and d["apiVersion"] == "apidiscovery.k8s.io/v2"
               and "as=APIGroupDiscoveryList" in headers["Content-Type"], d.get("kind"))
        karp = next(i for i in d["items"] if i["metadata"]["name"] == "karpenter.sh")
        res = {r["resource"]: r for r in karp["versions"][0]["resources"]}
        expect(res["nodepools"]["scope"] == "Cluster" and res["nodepools"]["categories"] == ["karpenter"]
               and {s["subresource"] for s in res["nodepools"]["subresources"]} == {"scale", "status"}, res)
        d = await c.ok("GET", "/api", headers={"Accept": accept})
        pods = next(r for r in d["items"][0]["versions"][0]["resources"] if r["resource"] == "pods")
        expect(pods["responseKind"] == {"group": "", "version": "v1", "kind": "Pod"}, pods)
    await check("aggregated discovery (apidiscovery.k8s.io/v2) for /api and /apis", aggregated)


# ------------------------------------------------------------------------------------------- CRDs
async def crd_checks(c):
    async def karpenter():
        for name in ("nodepools.karpenter.sh", "nodeclaims.karpenter.sh", "ec2nodeclasses.karpenter.k8s.aws"):
            crd = await c.ok("GET", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}")
            conds = {x["type"]: x for x in crd["status"]["conditions"]}
            expect(conds["Established"]["status"] == "True" and conds["NamesAccepted"]["reason"] == "NoConflicts"
                   and crd["status"]["acceptedNames"]["kind"] == crd["spec"]["names"]["kind"]
                   and crd["status"]["storedVersions"] == ["v1"], crd["status"])
        res = {r["name"]: r for r in (await c.ok("GET", "/apis/karpenter.sh/v1"))["resources"]}
        expect(res["nodepools"]["verbs"] == ["delete", "deletecollection", "get", "list", "patch", "create", "update",
                                             "watch"] and res["nodepools"]["namespaced"] is False
               and res["nodepools"]["categories"] == ["karpenter"] and res["nodepools/scale"]["group"] == "autoscaling",
               res)
        res = {r["name"]: r for r in (await c.ok("GET", "/apis/karpenter.k8s.aws/v1"))["resources"]}
        expect(res["ec2nodeclasses"]["shortNames"] == ["ec2nc", "ec2ncs"], res["ec2nodeclasses"])
        pools = await c.ok("GET", "/apis/karpenter.sh/v1/nodepools")
        expect(pools["kind"] == "NodePoolList" and names(pools["items"]) == ["default", "gpu"], pools.get("kind"))
        sc = await c.ok("GET", "/apis/karpenter.sh/v1/nodepools/default/scale")
        expect(sc["spec"]["replicas"] == 0 and sc["status"]["replicas"] == 0, sc)
        claims = await c.ok("GET", "/apis/karpenter.sh/v1/nodeclaims")
        expect(claims["items"][0]["metadata"]["ownerReferences"][0]["uid"] ==
               pools["items"][0]["metadata"]["uid"], "owner uid filled")
    await check("Karpenter CRDs seeded: Established, discovery, NodePools/NodeClaims/EC2NodeClasses, scale", karpenter)

    async def lifecycle():
        crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
               "metadata": {"name": "widgets.example.com"},
               "spec": {"group": "example.com", "scope": "Namespaced",
                        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"],
                                  "categories": ["all"]},
                        "versions": [{"name": "v1", "served": True, "storage": True,
                                      "schema": {"openAPIV3Schema": {"type": "object",
                                                                     "x-kubernetes-preserve-unknown-fields": True}},
                                      "subresources": {"status": {}},
                                      "additionalPrinterColumns": [
                                          {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                                          {"name": "Phase", "type": "string", "jsonPath": ".status.phase"}]}]}}
        rv = (await c.ok("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"))["metadata"][
            "resourceVersion"]
        task = asyncio.ensure_future(c.watch(
            f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions?watch=true&resourceVersion={rv}",
            lambda e: len(e) >= 3))
        await asyncio.sleep(0.2)
        created = await c.ok("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd, status=201)
        expect(created["status"]["acceptedNames"] == {"plural": "", "kind": ""}, created["status"])
        ev = await task
        expect([e["type"] for e in ev] == ["ADDED", "MODIFIED", "MODIFIED"], [e["type"] for e in ev])
        final = {x["type"]: x for x in ev[-1]["object"]["status"]["conditions"]}
        expect(final["Established"]["status"] == "True" and final["Established"]["reason"] == "InitialNamesAccepted",
               final)
        groups = [g["name"] for g in (await c.ok("GET", "/apis"))["groups"]]
        expect("example.com" in groups, groups)
        res = {r["name"]: r for r in (await c.ok("GET", "/apis/example.com/v1"))["resources"]}
        expect(res["widgets"]["namespaced"] and res["widgets"]["shortNames"] == ["wd"] and "widgets/status" in res, res)
        w = await c.ok("POST", "/apis/example.com/v1/namespaces/shop/widgets",
                       {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"},
                        "spec": {"size": 3}, "status": {"phase": "ignored"}}, status=201)
        expect(w["metadata"]["generation"] == 1 and "status" not in w, w)
        w = await c.ok("PATCH", "/apis/example.com/v1/namespaces/shop/widgets/w1/status",
                       {"status": {"phase": "Ready"}}, ctype="application/merge-patch+json")
        expect(w["status"]["phase"] == "Ready" and w["metadata"]["generation"] == 1, w)
        w = await c.ok("PATCH", "/apis/example.com/v1/namespaces/shop/widgets/w1", {"spec": {"size": 4}},
                       ctype="application/merge-patch+json")
        expect(w["metadata"]["generation"] == 2, w["metadata"])
        code, e = await c.req("PUT", "/apis/example.com/v1/namespaces/shop/widgets/w1",
                              {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"},
                               "spec": {"size": 1}})
        expect(code == 422 and "must be specified for an update" in e["message"], e)
        t = await c.ok("GET", "/apis/example.com/v1/widgets", headers={"Accept": TABLE})
        expect([x["name"] for x in t["columnDefinitions"]] == ["Name", "Size", "Phase"]
               and t["rows"][0]["cells"] == ["w1", 4, "Ready"], t)
        lst = await c.ok("GET", "/apis/example.com/v1/namespaces/shop/widgets")
        expect(lst["kind"] == "WidgetList" and names(lst["items"]) == ["w1"], lst)
        d = await c.ok("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
        expect(d["metadata"].get("deletionTimestamp") and "customresourcecleanup.apiextensions.k8s.io" in
               d["metadata"]["finalizers"], d["metadata"])
        code, _ = await c.get("/apis/example.com/v1/namespaces/shop/widgets")
        expect(code == 404, code)
        code, _ = await c.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
        expect(code == 404, code)
        bad = json.loads(json.dumps(crd))
        bad["metadata"]["name"] = "wrong.example.com"
        code, e = await c.req("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", bad)
        expect(code == 422 and "must be spec.names.plural+\".\"+spec.group" in e["message"], e)
    await check("CRD lifecycle: create (ADDED, NamesAccepted, Established), serve, CRUD, status, table, delete",
                lifecycle)


# ----------------------------------------------------------------------------------------- tables
async def table_checks(c):
    async def pods():
        t = await c.ok("GET", "/api/v1/namespaces/shop/pods", headers={"Accept": TABLE + ",application/json"})
        expect(t["kind"] == "Table" and t["apiVersion"] == "meta.k8s.io/v1", t.get("kind"))
        cols = [(x["name"], x["type"], x["priority"]) for x in t["columnDefinitions"]]
        expect(cols == [("Name", "string", 0), ("Ready", "string", 0), ("Status", "string", 0),
                        ("Restarts", "string", 0), ("Age", "string", 0), ("IP", "string", 1), ("Node", "string", 1),
                        ("Nominated Node", "string", 1), ("Readiness Gates", "string", 1)], cols)
        row = next(r for r in t["rows"] if r["cells"][0] == "payments-7f9d6c5b4-zl5qd")
        expect(row["cells"][1:3] == ["0/1", "CrashLoopBackOff"] and row["cells"][3].startswith("7 (")
               and row["object"]["kind"] == "PartialObjectMetadata"
               and row["object"]["metadata"]["name"] == "payments-7f9d6c5b4-zl5qd", row)
        full = await c.ok("GET", "/api/v1/namespaces/shop/pods?includeObject=Object", headers={"Accept": TABLE})
        expect(full["rows"][0]["object"]["kind"] == "Pod", full["rows"][0]["object"].get("kind"))
        none = await c.ok("GET", "/api/v1/namespaces/shop/pods?includeObject=None", headers={"Accept": TABLE})
        expect(none["rows"][0]["object"] is None, none["rows"][0])
        code, e = await c.get("/api/v1/pods?includeObject=Bogus", headers={"Accept": TABLE})
        expect(code == 400, (code, e))
        one = await c.ok("GET", "/api/v1/namespaces/data/pods/postgres-1", headers={"Accept": TABLE})
        expect(len(one["rows"]) == 1 and one["rows"][0]["cells"][2] == "Pending", one["rows"])
        paged = await c.ok("GET", "/api/v1/pods?limit=3", headers={"Accept": TABLE})
        expect(len(paged["rows"]) == 3 and paged["metadata"].get("continue"), paged["metadata"])
    await check("Table for pods: columns, priorities, cells, includeObject, single object, paging", pods)

    async def kinds():
        want = {"/apis/apps/v1/deployments": ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers",
                                              "Images", "Selector"],
                "/api/v1/services": ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"],
                "/apis/batch/v1/jobs": ["Name", "Status", "Completions", "Duration", "Age", "Containers", "Images",
                                        "Selector"],
                "/apis/batch/v1/cronjobs": ["Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule",
                                            "Age", "Containers", "Images", "Selector"],
                "/apis/policy/v1/poddisruptionbudgets": ["Name", "Min Available", "Max Unavailable",
                                                         "Allowed Disruptions", "Age"],
                "/apis/karpenter.sh/v1/nodepools": ["Name", "NodeClass", "Nodes", "Ready", "Age", "Weight", "CPU",
                                                    "Memory"],
                "/apis/karpenter.sh/v1/nodeclaims": ["Name", "Type", "Capacity", "Zone", "Node", "Ready", "Age",
                                                     "ImageID", "ID", "NodePool", "NodeClass", "Drifted"],
                "/apis/karpenter.k8s.aws/v1/ec2nodeclasses": ["Name", "Ready", "Age", "Role"],
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions": ["Name", "Created At"]}
        for path, cols in want.items():
            t = await c.ok("GET", path, headers={"Accept": TABLE})
            expect([x["name"] for x in t["columnDefinitions"]] == cols, (path, t["columnDefinitions"]))
        svc = await c.ok("GET", "/api/v1/namespaces/shop/services/storefront", headers={"Accept": TABLE})
        expect(svc["rows"][0]["cells"][1:5] == ["LoadBalancer", "172.20.19.233",
                                               "k8s-shop-storefro-5c1e0a9b7d-8e3f2a1b0c9d7e6f.elb.us-east-1.amazonaws.com",
                                               "443:31443/TCP"], svc["rows"][0]["cells"])
        jobs = {r["cells"][0]: r["cells"] for r in (await c.ok("GET", "/apis/batch/v1/jobs",
                                                               headers={"Accept": TABLE}))["rows"]}
        expect(jobs["schema-migrate-v42"][1:3] == ["Failed", "0/1"] and
               jobs["nightly-backup-29933400"][1:4] == ["Complete", "1/1", "3m41s"], jobs)
        np = await c.ok("GET", "/apis/karpenter.sh/v1/nodepools/default", headers={"Accept": TABLE})
        expect(np["rows"][0]["cells"][:4] == ["default", "default", "0", "True"] and np["rows"][0]["cells"][5] == 10,
               np["rows"][0]["cells"])
        nc = await c.ok("GET", "/apis/karpenter.sh/v1/nodeclaims", headers={"Accept": TABLE})
        expect(nc["rows"][0]["cells"][1:6] == ["m6i.xlarge", "spot", "us-east-1c", None, "Unknown"], nc["rows"])
    await check("Table columns and cells: deployments, services, jobs, cronjobs, PDBs, Karpenter CRDs, CRDs", kinds)

    async def partial():
        d = await c.ok("GET", "/api/v1/namespaces/shop/pods",
                       headers={"Accept": "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"})
        expect(d["kind"] == "PartialObjectMetadataList" and d["items"][0]["kind"] == "PartialObjectMetadata"
               and "spec" not in d["items"][0], d.get("kind"))
        code, e = await c.get("/api/v1/namespaces/shop/pods",
                              headers={"Accept": "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"})
        expect(code == 406 and e["reason"] == "NotAcceptable", (code, e))
        ev = await c.watch("/api/v1/namespaces/shop/pods?watch=true",
                           lambda e: len(e) >= 2,
                           headers={"Accept": "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"})
        expect(ev[0]["object"]["kind"] == "PartialObjectMetadata", ev[0])
        ev = await c.watch("/api/v1/namespaces/shop/pods?watch=true", lambda e: len(e) >= 2,
                           headers={"Accept": TABLE})
        expect(ev[0]["object"]["kind"] == "Table" and ev[0]["object"]["columnDefinitions"]
               and ev[1]["object"]["columnDefinitions"] is None, ev[:2])
    await check("PartialObjectMetadata(List), 406, metadata and Table watches", partial)


# --------------------------------------------------------------------------------- exec, forward
async def ws_session(c, path, protocols, send=(), until=lambda frames: False, timeout=8):
    """Frames received on a WebSocket: (subprotocol, [(channel, bytes)])."""
    frames = []
    async with c.session.ws_connect(c.s.url + path, protocols=protocols, headers=c.headers,
                                    timeout=aiohttp.ClientWSTimeout(ws_close=timeout)) as ws:
        proto = ws.protocol

        async def reader():
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.BINARY:
                    frames.append((msg.data[0], bytes(msg.data[1:])))
                elif msg.type == aiohttp.WSMsgType.TEXT:
                    frames.append((ord(msg.data[0]) - 48, base64.b64decode(msg.data[1:])))
                if until(frames):
                    return

        task = asyncio.ensure_future(reader())
        for item in send:
            if isinstance(item, (int, float)):
                await asyncio.sleep(item)
            elif callable(item):
                await item(ws)
            else:
                await ws.send_bytes(item)
        await asyncio.wait_for(task, timeout)
    return proto, frames


def stream(frames, channel):
    return b"".join(d for ch, d in frames if ch == channel).decode(errors="replace")


def status_of(frames):
    return json.loads(next(d for ch, d in frames if ch == 3 and d))


async def upgrade_get(c, path, protocols):
    """A WebSocket upgrade request answered without upgrading: (status, body, headers)."""
    headers = dict(c.headers, **{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                                 "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()})
    if protocols:
        headers["Sec-WebSocket-Protocol"] = ", ".join(protocols)
    async with c.session.get(c.s.url + path, headers=headers) as r:
        return r.status, await r.read(), r.headers


KUBE_RS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
POD = "/api/v1/namespaces/shop/pods/checkout-6d8f9c7b5d-2xk9p"


async def exec_checks(c):
    async def oneshot():
        proto, frames = await ws_session(c, POD + "/exec?&stdout=true&stderr=true&container=checkout&command=echo"
                                               "&command=hello&command=world", KUBE_RS,
                                         until=lambda f: any(ch == 3 for ch, _ in f))
        expect(proto == "v5.channel.k8s.io", proto)
        expect(frames[0] == (1, b""), frames[:1])
        expect(stream(frames, 1) == "hello world\n", frames)
        expect(status_of(frames) == {"metadata": {}, "status": "Success"}, frames)
        proto, frames = await ws_session(c, POD + "/exec?stdout=true&container=checkout&command=cat"
                                               "&command=/etc/hostname", KUBE_RS,
                                         until=lambda f: any(ch == 3 for ch, _ in f))
        expect(stream(frames, 1) == "checkout-6d8f9c7b5d-2xk9p\n", frames)
        proto, frames = await ws_session(c, POD + "/exec?stdout=true&container=checkout&command=date", KUBE_RS,
                                         until=lambda f: any(ch == 3 for ch, _ in f))
        expect(time.strftime("%Y") in stream(frames, 1) and "UTC" in stream(frames, 1), frames)
        proto, frames = await ws_session(c, POD + "/exec?stdout=true&stderr=true&container=checkout&command=nope",
                                         KUBE_RS, until=lambda f: any(ch == 3 for ch, _ in f))
        st = status_of(frames)
        expect(st["reason"] == "InternalError" and st["code"] == 500 and 'exec: "nope": executable file not found'
               in st["message"], st)
    await check("exec one-shot commands over v5 (echo, cat /etc/hostname, date, unknown binary)", oneshot)

    async def shell():
        resize = json.dumps({"Width": 120, "Height": 40}).encode()
        keys = [bytes([4]) + resize, 0.2, b"\x00hostname\r", b"\x00stty size\r", b"\x00whoami\r", b"\x00pwd\r",
                b"\x00echo $HOSTNAME\r", b"\x00frobnicate\r", b"\x00env\r", b"\x00exit 3\r"]
        proto, frames = await ws_session(c, POD + "/exec?stdin=true&stdout=true&tty=true&container=checkout"
                                               "&command=%2Fbin%2Fsh", KUBE_RS, send=keys,
                                         until=lambda f: any(ch == 3 for ch, _ in f))
        out = stream(frames, 1)
        expect(out.startswith("# hostname\r\ncheckout-6d8f9c7b5d-2xk9p\r\n# "), repr(out[:80]))
        for piece in ("40 120\r\n", "root\r\n", "\r\n/\r\n", "sh: frobnicate: not found\r\n",
                      "KUBERNETES_SERVICE_HOST=172.20.0.1\r\n", "CHECKOUT_SERVICE_PORT=80\r\n"):
            expect(piece in out, (piece, out))
        st = status_of(frames)
        expect(st == {"metadata": {}, "status": "Failure",
                      "message": "command terminated with non-zero exit code: command terminated with exit code 3",
                      "reason": "NonZeroExitCode", "details": {"causes": [{"reason": "ExitCode", "message": "3"}]}},
               st)
    await check("exec /bin/sh with a tty: prompt, echo, resize -> stty size, not found, env, exit 3 Status", shell)

    async def stdin_script():
        proto, frames = await ws_session(c, POD + "/exec?stdin=true&stdout=true&stderr=true&container=checkout"
                                               "&command=sh", KUBE_RS,
                                         send=[b"\x00echo hi; false || echo fallback\n", b"\x00exit\n"],
                                         until=lambda f: any(ch == 3 for ch, _ in f))
        expect(stream(frames, 1) == "hi\nfallback\n", frames)
        expect(status_of(frames)["status"] == "Success", frames)
        proto, frames = await ws_session(c, POD + "/exec?stdin=true&stdout=true&container=checkout&command=cat",
                                         KUBE_RS, send=[b"\x00abc", 0.1, bytes([255, 0])],
                                         until=lambda f: any(ch == 3 for ch, _ in f))
        expect(stream(frames, 1) == "abc" and status_of(frames)["status"] == "Success", frames)
    await check("exec sh reading stdin without a tty; cat until the v5 close of stdin", stdin_script)

    async def v4():
        proto, frames = await ws_session(c, POD + "/exec?stdout=true&stderr=true&container=envoy&command=sh"
                                               "&command=-c&command=echo+err+1%3E%262%3B+exit+7",
                                         ("v4.channel.k8s.io",), until=lambda f: any(ch == 3 for ch, _ in f))
        expect(proto == "v4.channel.k8s.io", proto)
        st = status_of(frames)
        expect(st["message"] == "command terminated with non-zero exit code: error executing command "
                                "[sh -c echo err 1>&2; exit 7], exit code 7"
               and st["details"]["causes"] == [{"reason": "ExitCode", "message": "7"}], st)
    await check("exec over v4.channel.k8s.io (kubelet's Status message)", v4)

    async def errors():
        code, body, _ = await upgrade_get(c, "/api/v1/namespaces/shop/pods/nope/exec?command=sh&stdout=true", KUBE_RS)
        expect(code == 404 and json.loads(body)["message"] == 'pods "nope" not found', (code, body))
        code, body, _ = await upgrade_get(c, POD + "/exec?command=sh&stdout=true&container=nginx", KUBE_RS)
        d = json.loads(body)
        expect(code == 400 and d["reason"] == "BadRequest"
               and d["message"] == "container nginx is not valid for pod checkout-6d8f9c7b5d-2xk9p", d)
        code, body, _ = await upgrade_get(c, POD + "/exec?command=sh&stdout=true", KUBE_RS)
        expect(code == 400 and "choose one of: [checkout envoy]" in json.loads(body)["message"], body)
        code, body, _ = await upgrade_get(c, "/api/v1/namespaces/data/pods/postgres-1/exec?command=sh&stdout=true",
                                          KUBE_RS)
        expect(code == 400 and json.loads(body)["message"] == "pod postgres-1 does not have a host assigned", body)
        code, d = await c.get(POD + "/exec?command=sh&stdout=true&container=envoy")
        expect(code == 400 and d["message"] == "Upgrade request required", d)
        crash = "/api/v1/namespaces/shop/pods/payments-7f9d6c5b4-zl5qd/exec?command=sh&stdout=true"
        code, body, _ = await upgrade_get(c, crash, ("v4.channel.k8s.io",))
        expect(code == 500 and body == b'container not found ("payments")', (code, body))
        proto, frames = await ws_session(c, crash, KUBE_RS, until=lambda f: any(ch == 3 for ch, _ in f))
        st = status_of(frames)
        expect(st["code"] == 500 and st["message"] == 'Internal error occurred: unable to upgrade connection: '
                                                      'container not found ("payments")', st)
        code, body, _ = await upgrade_get(c, POD + "/exec?command=sh&stdout=true&container=envoy",
                                          ("base64.binary.k8s.io",))
        expect(code == 403, code)
    await check("exec errors: 404 pod, 400 container / no host / no upgrade, container not running, 403 protocol",
                errors)


async def forbid_checks():
    s = Server("--forbid", "create:pods/exec", "--forbid", "get:pods/portforward")
    try:
        async with aiohttp.ClientSession() as session:
            c = Client(s, session)

            async def forbidden():
                code, body, _ = await upgrade_get(c, POD + "/exec?command=sh&stdout=true&container=envoy", KUBE_RS)
                d = json.loads(body)
                expect(code == 403 and d["reason"] == "Forbidden" and d["message"] ==
                       'pods "checkout-6d8f9c7b5d-2xk9p" is forbidden: User "arn:aws:sts::123456789012:user/moto" '
                       'cannot create resource "pods/exec" in API group "" in the namespace "shop"', d)
                code, body, _ = await upgrade_get(c, POD + "/portforward?ports=8080", KUBE_RS)
                expect(code == 403 and "cannot get resource \"pods/portforward\"" in json.loads(body)["message"], body)
                code, _ = await c.get(POD)
                expect(code == 200, code)
            await check("--forbid create:pods/exec and get:pods/portforward answer 403", forbidden)
    finally:
        s.stop()


async def portforward_checks(c):
    async def echo():
        proto, frames = await ws_session(c, POD + "/portforward?ports=8080,9090", KUBE_RS,
                                         send=[0.1, b"\x00ping", b"\x02pong"],
                                         until=lambda f: len([x for x in f if x[0] in (0, 2)]) >= 4)
        expect(proto == "v4.channel.k8s.io", proto)
        expect(frames[:4] == [(0, (8080).to_bytes(2, "little")), (1, (8080).to_bytes(2, "little")),
                              (2, (9090).to_bytes(2, "little")), (3, (9090).to_bytes(2, "little"))], frames[:4])
        expect((0, b"ping") in frames and (2, b"pong") in frames, frames)
        proto, frames = await ws_session(c, POD + "/portforward?ports=5432", ("v4.base64.channel.k8s.io",),
                                         send=[0.1, lambda ws: ws.send_str("0" + base64.b64encode(b"hey").decode())],
                                         until=lambda f: (0, b"hey") in f)
        expect(proto == "v4.base64.channel.k8s.io" and frames[0] == (0, (5432).to_bytes(2, "little")), frames)
    await check("port-forward: v4.channel.k8s.io, 2-byte little-endian port frames, echo; base64 variant", echo)

    async def errors():
        code, _, _ = await upgrade_get(c, POD + "/portforward?ports=8080", ("v5.channel.k8s.io",))
        expect(code == 403, code)
        code, body, _ = await upgrade_get(c, "/api/v1/namespaces/data/pods/postgres-1/portforward?ports=5432", KUBE_RS)
        expect(code == 400 and json.loads(body)["message"] == "pod postgres-1 does not have a host assigned", body)
        code, body, _ = await upgrade_get(c, POD + "/portforward?ports=http", KUBE_RS)
        expect(code == 400 and "cannot convert to []int32" in json.loads(body)["message"], body)
        code, body, _ = await upgrade_get(c, POD + "/portforward", KUBE_RS)
        expect(code == 400 and body == b'query parameter "port" is required', body)
    await check("port-forward errors: 403 on v5 only, no host, bad port, no ports", errors)


# ------------------------------------------------------------------------------ seed file, scale
async def seed_file_checks():
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"objects": [
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "from-file", "namespace": "default"},
             "data": {"k": "v"}},
            {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "from-file"},
             "spec": {"template": {"spec": {"nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass",
                                                             "name": "default"}, "requirements": []}}}}],
            "logs": {"shop/cart-5b7c9d8f6-kq2rl/cart": {"current": ["line one", "line two"]}}}, f)
        path = f.name
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "listed", "namespace": "default"},
                    "type": "Opaque", "data": {}}], f)
        path2 = f.name
    s = Server("--seed-file", path, "--seed-file", path2)
    try:
        async with aiohttp.ClientSession() as session:
            c = Client(s, session)

            async def seeded():
                d = await c.ok("GET", "/api/v1/namespaces/default/configmaps/from-file")
                expect(d["data"] == {"k": "v"} and d["metadata"]["uid"], d)
                await c.ok("GET", "/apis/karpenter.sh/v1/nodepools/from-file")
                await c.ok("GET", "/api/v1/namespaces/default/secrets/listed")
                code, text = await c.get("/api/v1/namespaces/shop/pods/cart-5b7c9d8f6-kq2rl/log")
                expect(text == "line one\nline two\n", text)
                expect(len((await c.ok("GET", "/api/v1/pods"))["items"]) == 12, "the scenario is still there")
            await check("--seed-file: objects ({objects, logs} and a plain list) added to the scenario", seeded)
    finally:
        s.stop()
        os.unlink(path)
        os.unlink(path2)


async def scale_checks():
    started = time.monotonic()
    s = Server("--pods", "2000", "--page-delay", "0.05", "--scenario", "demo")
    took = time.monotonic() - started
    try:
        async with aiohttp.ClientSession() as session:
            c = Client(s, session)

            async def counts():
                expect(took < 10, f"start took {took:.1f}s")
                d = await c.ok("GET", "/api/v1/pods")
                expect(len(d["items"]) == 2012, len(d["items"]))
                keys = [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in d["items"]]
                expect(keys == sorted(keys) and len(set(keys)) == len(keys), "sorted, unique")
                pod = next(i for i in d["items"] if i["metadata"]["namespace"].startswith("load-"))
                size = len(json.dumps(pod, separators=(",", ":")))
                expect(3000 < size < 6000 and pod["metadata"]["managedFields"] and
                       pod["status"]["containerStatuses"], size)
                for path, n in (("/api/v1/nodes", 44), ("/apis/apps/v1/deployments", 203),
                                ("/apis/apps/v1/replicasets", 203)):
                    expect(len((await c.ok("GET", path))["items"]) == n, path)
                ns = names((await c.ok("GET", "/api/v1/namespaces"))["items"])
                expect("load-000" in ns and "load-001" in ns, ns)
                rs = await c.ok("GET", f"/apis/apps/v1/namespaces/{pod['metadata']['namespace']}/replicasets/"
                                       f"{pod['metadata']['ownerReferences'][0]['name']}")
                expect(rs["metadata"]["uid"] == pod["metadata"]["ownerReferences"][0]["uid"], "owner uid")
                node = pod["spec"]["nodeName"]
                on = await c.ok("GET", f"/api/v1/pods?fieldSelector=spec.nodeName%3D{node}")
                expect(len(on["items"]) == 50, len(on["items"]))
            await check("--pods 2000: pods, nodes (50 pods each), deployments/replicasets, namespaces", counts)

            async def paged():
                got, token, pages, t0 = 0, "", 0, time.monotonic()
                while True:
                    d = await c.ok("GET", "/api/v1/pods?limit=500" + (f"&continue={token}" if token else ""))
                    got += len(d["items"])
                    pages += 1
                    token = d["metadata"].get("continue")
                    if not token:
                        break
                elapsed = time.monotonic() - t0
                expect(got == 2012 and pages == 5 and elapsed >= 0.25, (got, pages, elapsed))
            await check("--page-delay: paged list of generated pods, each page delayed", paged)

            async def watchlist():
                ev = await c.watch("/api/v1/pods?watch=true&sendInitialEvents=true&allowWatchBookmarks=true"
                                   "&resourceVersionMatch=NotOlderThan", lambda e: e[-1]["type"] == "BOOKMARK",
                                   timeout=30)
                expect(len(ev) == 2013 and ev[-1]["object"]["metadata"]["annotations"] ==
                       {"k8s.io/initial-events-end": "true"}, len(ev))
            await check("watch-list over generated pods ends with the initial-events-end BOOKMARK", watchlist)

            async def writes():
                d = await c.ok("GET", "/api/v1/namespaces/load-000/pods?limit=1")
                pod = d["items"][0]
                path = f"/api/v1/namespaces/load-000/pods/{pod['metadata']['name']}"
                rv = d["metadata"]["resourceVersion"]

                async def change():
                    await asyncio.sleep(0.3)
                    await c.ok("PATCH", path, {"metadata": {"labels": {"touched": "yes"}}},
                               ctype="application/merge-patch+json")
                    await c.ok("DELETE", path)
                task = asyncio.ensure_future(change())
                ev = await c.watch(f"/api/v1/namespaces/load-000/pods?watch=true&resourceVersion={rv}",
                                   lambda e: len(e) >= 2)
                await task
                expect([e["type"] for e in ev] == ["MODIFIED", "DELETED"] and
                       ev[0]["object"]["metadata"]["labels"]["touched"] == "yes", ev)
                code, _ = await c.get(path)
                expect(code == 404, code)
                expect(len((await c.ok("GET", "/api/v1/pods"))["items"]) == 2011, "one fewer")
                dep = await c.ok("PATCH", "/apis/apps/v1/namespaces/load-001/deployments/api-00/scale",
                                 {"spec": {"replicas": 3}}, ctype="application/merge-patch+json")
                expect(dep["spec"]["replicas"] == 3, dep)
                code, body, headers = await c.req("GET", "/api/v1/pods", headers={"Accept-Encoding": "gzip"}, raw=True)
                expect(headers.get("Content-Encoding") == "gzip" and len(json.loads(body)["items"]) == 2011, headers)
                code, body, headers = await c.req("GET", "/api/v1/namespaces/shop/pods",
                                                  headers={"Accept-Encoding": "gzip"}, raw=True)
                expect("Content-Encoding" not in headers, "a body under 128 KiB is not compressed")
            await check("writes to generated objects: patch, delete (events), scale; gzip of large lists", writes)
    finally:
        s.stop()


async def auth_checks():
    s = Server("--token", "sekret", "--scenario", "empty")
    try:
        async with aiohttp.ClientSession() as session:
            async def token():
                code, d = await Client(s, session).get("/api/v1/namespaces")
                expect(code == 401 and d["reason"] == "Unauthorized", d)
                d = await Client(s, session, "sekret").ok("GET", "/api/v1/namespaces")
                expect(names(d["items"]) == ["default", "kube-system"], d)
            await check("--token: 401 without it, the empty scenario with it", token)
    finally:
        s.stop()


async def main():
    global ONLY
    parser = argparse.ArgumentParser()
    parser.add_argument("-k", dest="only")
    ONLY = parser.parse_args().only
    s = Server()
    try:
        async with aiohttp.ClientSession() as session:
            c = Client(s, session)
            await core_checks(c)
            await kind_checks(c)
            await discovery_checks(c)
            await crd_checks(c)
            await table_checks(c)
            await exec_checks(c)
            await portforward_checks(c)
    finally:
        s.stop()
    await forbid_checks()
    await seed_file_checks()
    await scale_checks()
    await auth_checks()
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 0 if RESULTS["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
