"""A test-only proxy that lets the Rust CloudWatch client talk to moto.

Why: aws-sdk-cloudwatch (1.100 and later) speaks only the Smithy RPCv2-CBOR protocol, while
moto 5.2.5 understands CloudWatch only in its JSON and Query protocols. This proxy sits in
front of moto and translates: a CBOR request (header `smithy-protocol: rpc-v2-cbor`, path
`/service/GraniteServiceVersion20100801/operation/<Operation>`) is decoded with cbor2, its
parameters are serialized for moto with botocore's own serializer for CloudWatch's JSON
protocol, moto's answer is parsed with botocore's parser for that protocol, and the result
is sent back as CBOR, shaped by botocore's CloudWatch model (timestamps as CBOR tag 1,
doubles as floats). moto's errors become RPCv2-CBOR errors: the same status, a body
`{"__type": code, "message": text}` and the `x-amzn-query-error` header CloudWatch uses.
Every other request (other services, /moto-api/) is forwarded to moto unchanged, so the
proxy can serve as the only endpoint too.

usage: python cbor_proxy.py UPSTREAM_URL      (e.g. http://127.0.0.1:40123, moto)

Prints `PORT <n>` on stdout once it listens on 127.0.0.1, then serves until stdin closes.
Point only the CloudWatch client at it: AWS_ENDPOINT_URL_CLOUDWATCH=http://127.0.0.1:<n>.

Limits: it is only as good as moto's CloudWatch (metric math expressions and alarm history
do not work there); it translates CloudWatch's CBOR only (recognised by the path). It passes
the caller's Authorization on, but that signature no longer matches the translated body: with
moto_server.py --auth, CloudWatch calls through the proxy are refused whatever the key.
"""

import gzip
import sys
import threading
import urllib.parse
from datetime import datetime, timezone

import botocore.parsers
import botocore.serialize
import botocore.session
import cbor2
import requests
from botocore.model import OperationNotFoundError
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

SERVICE_TARGET = "GraniteServiceVersion20100801"
CBOR_PATH = f"/service/{SERVICE_TARGET}/operation/"
# The protocol moto is spoken to. "query" works too (form POST, XML answers).
UPSTREAM_PROTOCOL = "json"
# Headers that describe one hop of a connection, not the message itself (the server
# adds its own Server and Date).
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "te",
               "trailer", "upgrade", "proxy-connection", "server", "date"}

MODEL = botocore.session.get_session().get_service_model("cloudwatch")
SERIALIZER = botocore.serialize.create_serializer(UPSTREAM_PROTOCOL, include_validation=False)


def to_python(value, shape):
    """A decoded CBOR value -> the parameter botocore expects for `shape`."""
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        return {k: to_python(v, shape.members[k]) for k, v in value.items()
                if k in shape.members and v is not None}
    if kind == "list":
        return [to_python(v, shape.member) for v in value]
    if kind == "map":
        return {k: to_python(v, shape.value) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    return value  # cbor2 already turned tag 1 into datetime, byte strings into bytes


def to_cbor(value, shape):
    """A value parsed by botocore -> what RPCv2-CBOR puts on the wire for `shape`."""
    kind = shape.type_name
    if kind == "structure":
        return {k: to_cbor(v, shape.members[k]) for k, v in value.items()
                if k in shape.members and v is not None}
    if kind == "list":
        return [to_cbor(v, shape.member) for v in value]
    if kind == "map":
        return {k: to_cbor(v, shape.value) for k, v in value.items()}
    if kind == "timestamp":
        return cbor2.CBORTag(1, value.timestamp())
    if kind in ("double", "float"):
        return float(value)  # the SDK refuses integers where it expects a float
    if kind in ("integer", "long", "short", "byte"):
        return int(value)
    return value


def cbor_response(status, body, extra_headers=None):
    headers = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"}
    headers.update(extra_headers or {})
    return Response(cbor2.dumps(body), status=status, headers=headers)


def cbor_error(status, code, message, sender=True):
    fault = "Sender" if sender else "Receiver"
    return cbor_response(status, {"__type": code, "message": message},
                         {"x-amzn-query-error": f"{code};{fault}"})


def translate(request, upstream):
    """Answer one CloudWatch RPCv2-CBOR request by asking moto in UPSTREAM_PROTOCOL."""
    name = request.path[len(CBOR_PATH):]
    try:
        operation = MODEL.operation_model(name)
    except OperationNotFoundError:
        return cbor_error(400, "UnknownOperationException", f"unknown operation {name}")
    raw = request.get_data()
    if request.headers.get("Content-Encoding", "").lower() == "gzip":
        raw = gzip.decompress(raw)  # the SDK compresses large PutMetricData bodies
    decoded = cbor2.loads(raw) if raw else {}
    params = to_python(decoded, operation.input_shape) if operation.input_shape else {}
    try:
        serialized = SERIALIZER.serialize_to_request(params, operation)
    except Exception as e:  # a parameter botocore cannot put on the wire
        return cbor_error(400, "ValidationError", str(e))

    headers = dict(serialized["headers"])
    # moto routes by the signature's credential scope; the SDK signs as "monitoring".
    auth = request.headers.get("Authorization") or (
        "AWS4-HMAC-SHA256 Credential=testing/20200101/us-east-1/monitoring/aws4_request, "
        "SignedHeaders=host, Signature=0")
    headers["Authorization"] = auth
    for header in ("X-Amz-Date", "X-Amz-Security-Token"):
        if header in request.headers:
            headers[header] = request.headers[header]
    body = serialized["body"]
    if isinstance(body, dict):  # the query serializer leaves the form as a dict
        body = urllib.parse.urlencode(body)
    answer = requests.post(upstream + serialized["url_path"], data=body, headers=headers,
                           timeout=60)

    if answer.status_code >= 500 and "html" in answer.headers.get("Content-Type", ""):
        # moto's answer to an operation it does not implement
        return cbor_error(answer.status_code, "InternalFailure", answer.text[:200], sender=False)
    # moto answers some errors (refused credentials, for one) in XML whatever was asked.
    xml = answer.status_code >= 300 and answer.content.lstrip().startswith(b"<")
    parser = botocore.parsers.create_parser("query" if xml else UPSTREAM_PROTOCOL)
    parsed = parser.parse({"status_code": answer.status_code, "headers": answer.headers,
                           "body": answer.content}, operation.output_shape)
    if answer.status_code >= 300 or "Error" in parsed:
        error = parsed.get("Error", {})
        return cbor_error(answer.status_code if answer.status_code >= 300 else 500,
                          error.get("Code") or "InternalFailure",
                          error.get("Message") or answer.text[:200],
                          sender=answer.status_code < 500)
    parsed.pop("ResponseMetadata", None)
    output = to_cbor(parsed, operation.output_shape) if operation.output_shape else {}
    return cbor_response(200, output)


def forward(request, upstream):
    """Pass a request to moto as it came and its answer back as it went."""
    # RAW_URI keeps the path's percent-encoding and the query as the client sent them.
    url = upstream + request.environ.get("RAW_URI", request.full_path)
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
    answer = requests.request(request.method, url, headers=headers, data=request.get_data(),
                              allow_redirects=False, stream=True, timeout=60)
    body = answer.raw.read(decode_content=False)
    kept = [(k, v) for k, v in answer.raw.headers.items() if k.lower() not in HOP_HEADERS]
    response = Response(body, status=answer.status_code, headers=kept)
    if "Content-Type" not in answer.headers:
        del response.headers["Content-Type"]  # werkzeug's default would be text/plain
    if request.method == "HEAD" and "Content-Length" in answer.headers:
        response.headers["Content-Length"] = answer.headers["Content-Length"]  # S3 HeadObject
    return response


def make_app(upstream):
    upstream = upstream.rstrip("/")

    @Request.application
    def app(request):
        if (request.headers.get("smithy-protocol") == "rpc-v2-cbor"
                and request.path.startswith(CBOR_PATH)):
            try:
                return translate(request, upstream)
            except Exception as e:  # keep the SDK's view of a proxy bug a clean error
                return cbor_error(500, "InternalFailure", f"cbor_proxy: {e!r}"[:200], False)
        return forward(request, upstream)

    return app


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    server = make_server("127.0.0.1", 0, make_app(sys.argv[1]), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"PORT {server.server_port}", flush=True)
    try:
        sys.stdin.read()  # serve until the test that started us goes away
    except KeyboardInterrupt:
        pass
    server.shutdown()


if __name__ == "__main__":
    main()
