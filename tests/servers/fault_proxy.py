"""A test-only HTTP proxy that injects the faults AWS APIs have in real life.

It sits between bosun and moto on 127.0.0.1 and, at rates set at run time, answers a request
itself instead of passing it on:

  throttle     HTTP 400 ThrottlingException, as AWS's JSON services answer (ECS is awsJson1_1):
               header `x-amzn-ErrorType: ThrottlingException`, body
               {"__type":"ThrottlingException","message":"Rate exceeded"}; the XML and CBOR
               forms for the Query (STS) and RPCv2-CBOR (CloudWatch) services
  error500     HTTP 500 InternalFailure
  error503     HTTP 503 ServiceUnavailable
  reset        the connection is reset (TCP RST) once the request is read; moto never sees it
  reset_after  the request goes upstream, then the connection is reset: done, but unanswered
  latency      the request waits `latency_seconds` (2 by default) first; then as above

Rates are probabilities from 0 to 1. One draw decides among throttle, error500, error503,
reset and reset_after (their sum is at most 1); latency is drawn on its own. `operations`,
when not empty, limits faults to those operations (e.g. ["ECS.UpdateService"]; a plain HTTP
request, such as one to the Kubernetes API emulator, is named by its method and path:
"HTTP.PATCH /api/v1/nodes/n1").

Control (not forwarded):
  GET  /__faults__/config      the current settings, as JSON
  POST /__faults__/config      change some: {"throttle": 0.5}; the others stay
  GET  /__faults__/log         every request so far: {"t", "op", "cluster", "fault", "forwarded"}
  POST /__faults__/reset-log   forget the log

usage: python fault_proxy.py UPSTREAM_URL [--seed N]   (e.g. http://127.0.0.1:40123, moto)

Prints `PORT <n>` on stdout once it listens on 127.0.0.1, then serves until stdin closes.
Only the standard library (cbor2, already pinned, for CloudWatch's error bodies).
"""

import argparse
import http.client
import json
import random
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONTROL = "/__faults__/"
KINDS = ("throttle", "error500", "error503", "reset", "reset_after")
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "te",
               "trailer", "upgrade", "proxy-connection", "server", "date", "host"}


class Reset(Exception):
    """The connection was reset on purpose: nothing more to write."""


class State:
    def __init__(self, upstream, seed):
        url = urllib.parse.urlsplit(upstream)
        self.upstream = (url.hostname, url.port or 80)
        self.lock = threading.Lock()
        self.random = random.Random(seed)
        self.config = {kind: 0.0 for kind in KINDS}
        self.config.update({"latency": 0.0, "latency_seconds": 2.0, "operations": []})
        self.log = []
        self.start = time.monotonic()

    def update(self, changes):
        with self.lock:
            for key, value in changes.items():
                if key not in self.config:
                    raise ValueError(f"unknown setting {key}")
                self.config[key] = value
            if sum(self.config[k] for k in KINDS) > 1.0 + 1e-9:
                raise ValueError("the fault rates add up to more than 1")
            return dict(self.config)

    def decide(self, op):
        """The fault for one request, and whether it waits first."""
        with self.lock:
            config = self.config
            roll, lag = self.random.random(), self.random.random()
            if config["operations"] and op not in config["operations"]:
                return None, 0.0
            fault, edge = None, 0.0
            for kind in KINDS:
                edge += config[kind]
                if roll < edge:
                    fault = kind
                    break
            delay = config["latency_seconds"] if lag < config["latency"] else 0.0
            return fault, delay

    def record(self, entry):
        with self.lock:
            entry["t"] = round(time.monotonic() - self.start, 3)
            self.log.append(entry)
            return entry


def operation(method, headers, path, body):
    """`ECS.ListServices`, `STS.GetCallerIdentity`, `CloudWatch.GetMetricData`, or the method
    and path of a plain HTTP request (the Kubernetes API): `HTTP.PATCH /api/v1/nodes/n1`."""
    target = headers.get("X-Amz-Target")
    if target and "." in target:
        prefix, name = target.rsplit(".", 1)
        service = {"AmazonEC2ContainerServiceV20141113": "ECS"}.get(prefix, prefix)
        return service, name, "json"
    if "/operation/" in path:
        return "CloudWatch", path.rsplit("/", 1)[-1], "cbor"
    if headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return "Query", form["Action"][0], "query"
    return "HTTP", f'{method} {path.split("?")[0]}', "rest"


def cluster_of(body):
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return None
    return data.get("cluster") if isinstance(data, dict) else None


def error_body(protocol, status, code, message):
    """The status, headers and body AWS sends for an error, in the service's protocol."""
    request_id = str(uuid.uuid4())
    if protocol == "query":
        body = (f'<ErrorResponse><Error><Type>{"Sender" if status < 500 else "Receiver"}</Type>'
                f"<Code>{code}</Code><Message>{message}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        return [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body
    if protocol == "cbor":
        import cbor2
        return ([("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
                 ("x-amzn-query-error", f"{code};{'Sender' if status < 500 else 'Receiver'}"),
                 ("x-amzn-RequestId", request_id)],
                cbor2.dumps({"__type": code, "message": message}))
    body = json.dumps({"__type": code, "message": message}).encode()
    return [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code),
            ("x-amzn-RequestId", request_id)], body


ERRORS = {
    "throttle": (400, "ThrottlingException", "Rate exceeded"),
    "error500": (500, "InternalFailure", "We encountered an internal error. Please try again."),
    "error503": (503, "ServiceUnavailableException", "Service Unavailable. Please try again later."),
}


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def handle(self):
            try:
                super().handle()
            except (Reset, OSError, ValueError):
                pass

        def finish(self):
            try:
                super().finish()
            except (OSError, ValueError):
                pass

        def reply(self, status, headers, body):
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def reset(self):
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            raise Reset()

        def control(self, body):
            name = self.path[len(CONTROL):].split("?")[0]
            try:
                if name == "config" and self.command == "POST":
                    answer = state.update(json.loads(body or b"{}"))
                elif name == "config":
                    answer = state.update({})
                elif name == "log":
                    with state.lock:
                        answer = list(state.log)
                elif name == "reset-log" and self.command == "POST":
                    with state.lock:
                        state.log.clear()
                    answer = {}
                else:
                    raise ValueError(f"no such control: {self.command} {name}")
                self.reply(200, [("Content-Type", "application/json")], json.dumps(answer).encode())
            except ValueError as e:
                self.reply(400, [("Content-Type", "application/json")],
                           json.dumps({"error": str(e)}).encode())

        def forward(self, body):
            connection = http.client.HTTPConnection(*state.upstream, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
            headers["Host"] = self.headers.get("Host", "%s:%d" % state.upstream)
            connection.request(self.command, self.path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_HEADERS]
            connection.close()
            return answer.status, kept, data

        def serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith(CONTROL):
                return self.control(body)
            service, name, protocol = operation(self.command, self.headers, self.path, body)
            op = f"{service}.{name}"
            if self.path.startswith("/moto-api/"):
                fault, delay = None, 0.0
            else:
                fault, delay = state.decide(op)
            entry = {"op": op, "cluster": cluster_of(body) if protocol == "json" else None,
                     "fault": fault, "delay": delay, "forwarded": False}
            if delay:
                time.sleep(delay)
            if fault in ERRORS:
                state.record(entry)
                status, code, message = ERRORS[fault]
                headers, data = error_body(protocol, status, code, message)
                return self.reply(status, headers, data)
            if fault == "reset":
                state.record(entry)
                return self.reset()
            try:
                status, headers, data = self.forward(body)
            except OSError as e:
                state.record(entry)
                return self.reply(502, [("Content-Type", "text/plain")], f"fault_proxy: {e}".encode())
            entry["forwarded"] = True
            state.record(entry)
            if fault == "reset_after":
                return self.reset()
            return self.reply(status, headers, data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = serve

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a reset connection is the point, not a problem


def main():
    parser = argparse.ArgumentParser(description="fault-injecting proxy for tests")
    parser.add_argument("upstream")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    state = State(args.upstream, args.seed)
    server = Server(("127.0.0.1", 0), make_handler(state))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        sys.stdin.read()  # serve until the test that started us goes away
    except KeyboardInterrupt:
        pass
    server.shutdown()


if __name__ == "__main__":
    main()
