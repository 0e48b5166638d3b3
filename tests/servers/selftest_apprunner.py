"""Self-test of apprunner_server.py: starts it (reads `PORT <n>`, closes stdin to stop it) and drives it
with boto3's `apprunner` client (endpoint_url, dummy keys), so botocore's model checks the wire format.
Every 200 answer is also checked raw against the model's output shape (botocore's parser ignores
members it does not know, so that is checked separately): no member outside the model, required
members present, enum values, JSON types (timestamps are numbers), length and range constraints.

usage: .venv-test/bin/python tests/servers/selftest_apprunner.py
Prints one line per check and `N passed, M failed`; exits 0 only if all passed.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "apprunner_server.py")
T = 0.6  # --operation-seconds of the servers started here

passed = 0
failed = 0
wire_problems = {}  # operation -> [problems]
wire_counts = {}  # operation -> answers checked


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))
    return ok


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen([sys.executable, SERVER, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.line = self.proc.stdout.readline()
        match = re.fullmatch(r"PORT (\d+)\n", self.line)
        self.port = int(match.group(1)) if match else None
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def stop(self, timeout=5):
        """Close stdin, as the tests do; the server's exit code (None if it did not stop)."""
        try:
            self.proc.stdin.close()
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def client(self, validate=True, region="us-east-1"):
        client = boto3.client(
            "apprunner", region_name=region, endpoint_url=self.endpoint, aws_access_key_id="AKIDTEST",
            aws_secret_access_key="secret",
            config=Config(parameter_validation=validate, retries={"total_max_attempts": 1, "mode": "standard"}))
        client.meta.events.register("after-call.apprunner", wire_hook)
        return client

    def raw(self, body, target=None, path="/", method="POST", content_type="application/x-amz-json-1.0"):
        """A request without botocore: (status, headers, parsed body)."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(self.endpoint + path, data=data if method == "POST" else None, method=method)
        req.add_header("Content-Type", content_type)
        if target:
            req.add_header("X-Amz-Target", target)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, dict(resp.headers), json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), json.loads(e.read() or b"null")

    def control(self, path, body=None):
        return self.raw(body or {}, path=f"/_control/{path}", method="POST" if body is not None else "GET",
                        content_type="application/json")


# ---- the wire format against botocore's model --------------------------------------------------------

def conform(value, shape, path, problems):
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object")
            return
        for key, item in value.items():
            if key not in shape.members:
                problems.append(f"{path}.{key}: not a member of {shape.name}")
            else:
                conform(item, shape.members[key], f"{path}.{key}", problems)
        for key in shape.required_members:
            if key not in value:
                problems.append(f"{path}.{key}: required member missing")
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list")
            return
        for i, item in enumerate(value):
            conform(item, shape.member, f"{path}[{i}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a map")
            return
        for key, item in value.items():
            conform(key, shape.key, f"{path} key", problems)
            conform(item, shape.value, f"{path}[{key}]", problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected a string, got {value!r}")
            return
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {shape.enum}")
        if "min" in meta and len(value) < meta["min"] or "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: length {len(value)} outside {meta.get('min')}..{meta.get('max')}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected an integer, got {value!r}")
        elif "min" in meta and value < meta["min"] or "max" in meta and value > meta["max"]:
            problems.append(f"{path}: {value} outside {meta.get('min')}..{meta.get('max')}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected a boolean, got {value!r}")
    elif kind == "timestamp":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: expected epoch seconds (a number), got {value!r}")
    else:
        problems.append(f"{path}: unexpected shape type {kind}")


def wire_hook(http_response, parsed, model, **kwargs):
    if http_response.status_code != 200:
        return
    problems = wire_problems.setdefault(model.name, [])
    wire_counts[model.name] = wire_counts.get(model.name, 0) + 1
    content_type = http_response.headers.get("Content-Type")
    if content_type != "application/x-amz-json-1.0":
        problems.append(f"Content-Type {content_type!r}")
    try:
        body = json.loads(http_response.content)
    except ValueError:
        problems.append("the body is not JSON")
        return
    conform(body, model.output_shape, model.name, problems)


# ---- helpers -----------------------------------------------------------------------------------------

def error_of(fn):
    """(code, message, HTTP status) of the ClientError fn raises, or None if it succeeds."""
    try:
        fn()
    except ClientError as e:
        return (e.response["Error"]["Code"], e.response["Error"].get("Message", ""),
                e.response["ResponseMetadata"]["HTTPStatusCode"])
    return None


def expect_error(name, fn, code, status, message=None):
    got = error_of(fn)
    ok = got is not None and got[0] == code and got[2] == status and (message is None or message in got[1])
    return check(name, ok, f"expected {code} {status}" + (f" with {message!r}" if message else "") + f", got {got}")


def wait_for(fn, predicate, timeout=10.0):
    """Poll fn until predicate(result); (result, seconds waited)."""
    start = time.time()
    while True:
        result = fn()
        if predicate(result) or time.time() - start > timeout:
            return result, time.time() - start
        time.sleep(0.05)


def secs(dt):
    return dt.timestamp()


def all_pages(call, key, **kwargs):
    items, pages, token = [], 0, None
    while True:
        args = dict(kwargs)
        if token:
            args["NextToken"] = token
        out = call(**args)
        pages += 1
        items += out[key]
        token = out.get("NextToken")
        if not token:
            return items, pages


GONE_ARN = "arn:aws:apprunner:eu-west-1:111122223333:service/gone-app/c0ffee00c0ffee00c0ffee00c0ffee00"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


# ---- the demo seed and everything on it --------------------------------------------------------------

def test_demo():
    server = Server("--operation-seconds", str(T))
    check("launch: first stdout line is `PORT <n>`", server.port is not None, repr(server.line))
    if server.port is None:
        print(server.proc.stderr.read())
        return
    ar = server.client()
    loose = server.client(validate=False)

    # ListServices and the demo seed
    services = ar.list_services()["ServiceSummaryList"]
    by_name = {s["ServiceName"]: s for s in services}
    check("ListServices: the demo's four services in creation order",
          [s["ServiceName"] for s in services] == ["storefront", "pricing-api", "internal-admin", "docs-site"],
          str(list(by_name)))
    check("ListServices: statuses storefront/pricing-api/docs-site RUNNING, internal-admin PAUSED",
          {n: s["Status"] for n, s in by_name.items()} == {
              "storefront": "RUNNING", "pricing-api": "RUNNING", "internal-admin": "PAUSED", "docs-site": "RUNNING"})
    check("ListServices: ARNs arn:aws:apprunner:REGION:ACCOUNT:service/NAME/ID, IDs 32 hex",
          all(re.fullmatch(r"[0-9a-f]{32}", s["ServiceId"]) and s["ServiceArn"] ==
              f"arn:aws:apprunner:us-east-1:123456789012:service/{s['ServiceName']}/{s['ServiceId']}"
              for s in services))
    check("ListServices: ServiceUrl is <10 chars>.us-east-1.awsapprunner.com, as App Runner's",
          all(re.fullmatch(r"[a-z0-9]{10}\.us-east-1\.awsapprunner\.com", s["ServiceUrl"]) for s in services))
    check("ListServices: CreatedAt <= UpdatedAt <= now",
          all(s["CreatedAt"] <= s["UpdatedAt"] and secs(s["UpdatedAt"]) <= time.time() + 1 for s in services))
    arn = {n: s["ServiceArn"] for n, s in by_name.items()}

    # Paging
    items, pages = all_pages(ar.list_services, "ServiceSummaryList", MaxResults=1)
    check("ListServices paging: MaxResults=1 gives 4 pages of the same services",
          pages == 4 and [s["ServiceArn"] for s in items] == [s["ServiceArn"] for s in services], f"{pages} pages")
    first = ar.list_services(MaxResults=3)
    second = ar.list_services(MaxResults=3, NextToken=first["NextToken"])
    check("ListServices paging: MaxResults=3 then the rest; no NextToken on the last page",
          len(first["ServiceSummaryList"]) == 3 and len(second["ServiceSummaryList"]) == 1
          and "NextToken" not in second)
    check("ListServices: without MaxResults everything at once, no NextToken",
          "NextToken" not in ar.list_services())
    expect_error("ListServices MaxResults=21 -> InvalidRequestException 400",
                 lambda: ar.list_services(MaxResults=21), "InvalidRequestException", 400, "MaxResults")
    expect_error("ListServices bad NextToken -> InvalidRequestException 400",
                 lambda: ar.list_services(NextToken="garbage"), "InvalidRequestException", 400, "NextToken")
    ops_token = ar.list_operations(ServiceArn=arn["docs-site"], MaxResults=1)["NextToken"]
    expect_error("ListServices with ListOperations' NextToken -> InvalidRequestException",
                 lambda: ar.list_services(NextToken=ops_token), "InvalidRequestException", 400)

    # DescribeService: the demo's shapes
    store = ar.describe_service(ServiceArn=arn["storefront"])["Service"]
    image = store["SourceConfiguration"]["ImageRepository"]
    check("DescribeService storefront: ECR image, port 8080, env vars, auto deployments on",
          image["ImageRepositoryType"] == "ECR" and image["ImageIdentifier"].endswith("/storefront:v42")
          and image["ImageConfiguration"]["Port"] == "8080"
          and "NODE_ENV" in image["ImageConfiguration"]["RuntimeEnvironmentVariables"]
          and store["SourceConfiguration"]["AutoDeploymentsEnabled"] is True
          and "AccessRoleArn" in store["SourceConfiguration"]["AuthenticationConfiguration"], json.dumps(image))
    check("DescribeService storefront: Cpu 1024, Memory 2048, instance role, HTTP /healthz health check",
          store["InstanceConfiguration"]["Cpu"] == "1024" and store["InstanceConfiguration"]["Memory"] == "2048"
          and store["InstanceConfiguration"]["InstanceRoleArn"].endswith(":role/storefront-instance")
          and store["HealthCheckConfiguration"]["Protocol"] == "HTTP"
          and store["HealthCheckConfiguration"]["Path"] == "/healthz")
    check("DescribeService storefront: public, DEFAULT egress, IPV4, observability off, no encryption",
          store["NetworkConfiguration"] == {"EgressConfiguration": {"EgressType": "DEFAULT"},
                                            "IngressConfiguration": {"IsPubliclyAccessible": True},
                                            "IpAddressType": "IPV4"}
          and store["ObservabilityConfiguration"] == {"ObservabilityEnabled": False}
          and "EncryptionConfiguration" not in store)
    asc = store["AutoScalingConfigurationSummary"]
    check("DescribeService storefront: auto scaling high-availability revision 2",
          asc["AutoScalingConfigurationName"] == "high-availability" and asc["AutoScalingConfigurationRevision"] == 2
          and asc["Status"] == "ACTIVE" and asc["HasAssociatedService"] is True and asc["IsDefault"] is False)
    admin = ar.describe_service(ServiceArn=arn["internal-admin"])["Service"]
    egress = admin["NetworkConfiguration"]["EgressConfiguration"]
    check("DescribeService internal-admin: PAUSED, VPC egress through a connector, private, KMS key",
          admin["Status"] == "PAUSED" and egress["EgressType"] == "VPC" and ":vpcconnector/internal-vpc/1/" in
          egress["VpcConnectorArn"] and admin["NetworkConfiguration"]["IngressConfiguration"] == {
              "IsPubliclyAccessible": False} and admin["EncryptionConfiguration"]["KmsKey"].startswith("arn:aws:kms:"))
    docs = ar.describe_service(ServiceArn=arn["docs-site"])["Service"]
    code = docs["SourceConfiguration"].get("CodeRepository", {})
    check("DescribeService docs-site: code repository, BRANCH main, API configuration, NODEJS_18",
          code.get("SourceCodeVersion") == {"Type": "BRANCH", "Value": "main"}
          and code["CodeConfiguration"]["ConfigurationSource"] == "API"
          and code["CodeConfiguration"]["CodeConfigurationValues"]["Runtime"] == "NODEJS_18"
          and "ImageRepository" not in docs["SourceConfiguration"]
          and "ConnectionArn" in docs["SourceConfiguration"]["AuthenticationConfiguration"], json.dumps(code))
    pricing_ops = ar.list_operations(ServiceArn=arn["pricing-api"])["OperationSummaryList"]
    check("pricing-api: RUNNING, its last deployments ROLLBACK_SUCCEEDED (the failing health check)",
          by_name["pricing-api"]["Status"] == "RUNNING"
          and [(o["Type"], o["Status"]) for o in pricing_ops] == [
              ("START_DEPLOYMENT", "ROLLBACK_SUCCEEDED"), ("START_DEPLOYMENT", "ROLLBACK_SUCCEEDED"),
              ("START_DEPLOYMENT", "SUCCEEDED"), ("CREATE_SERVICE", "SUCCEEDED")], json.dumps(pricing_ops, default=str))

    # ListOperations: order, fields, paging
    all_ops_ok = True
    for name in arn:
        ops = ar.list_operations(ServiceArn=arn[name])["OperationSummaryList"]
        starts = [secs(o["StartedAt"]) for o in ops]
        all_ops_ok &= starts == sorted(starts, reverse=True) and all(
            UUID_RE.fullmatch(o["Id"]) and o["TargetArn"] == arn[name] and o["EndedAt"] >= o["StartedAt"]
            for o in ops) and ops[-1]["Type"] == "CREATE_SERVICE"
    check("ListOperations: newest first, UUID Ids, TargetArn, EndedAt >= StartedAt, CREATE_SERVICE first made",
          all_ops_ok)
    full = ar.list_operations(ServiceArn=arn["docs-site"])["OperationSummaryList"]
    items, pages = all_pages(ar.list_operations, "OperationSummaryList", ServiceArn=arn["docs-site"], MaxResults=2)
    check("ListOperations paging: MaxResults=2 over 4 operations is 2 pages, same order",
          pages == 2 and [o["Id"] for o in items] == [o["Id"] for o in full], f"{pages} pages")
    expect_error("ListOperations MaxResults=21 -> InvalidRequestException",
                 lambda: ar.list_operations(ServiceArn=arn["docs-site"], MaxResults=21), "InvalidRequestException", 400)
    expect_error("ListOperations of an unknown service -> ResourceNotFoundException 400",
                 lambda: ar.list_operations(ServiceArn=arn["docs-site"][:-4] + "ffff"),
                 "ResourceNotFoundException", 400)

    # Errors: not found, validation, wire format
    ghost = "arn:aws:apprunner:us-east-1:123456789012:service/ghost/0123456789abcdef0123456789abcdef"
    for op in ("describe_service", "start_deployment", "pause_service", "resume_service", "delete_service",
               "update_service"):
        expect_error(f"{op} of an unknown ServiceArn -> ResourceNotFoundException 400",
                     lambda op=op: getattr(ar, op)(ServiceArn=ghost), "ResourceNotFoundException", 400)
    expect_error("DescribeService of a malformed ARN -> InvalidRequestException 400",
                 lambda: ar.describe_service(ServiceArn="not-an-arn"), "InvalidRequestException", 400, "ServiceArn")
    for op, member in (("describe_service", "ServiceArn"), ("list_operations", "ServiceArn"),
                       ("start_deployment", "ServiceArn"), ("pause_service", "ServiceArn"),
                       ("resume_service", "ServiceArn"), ("update_service", "ServiceArn"),
                       ("delete_service", "ServiceArn"), ("create_service", "ServiceName"),
                       ("describe_auto_scaling_configuration", "AutoScalingConfigurationArn"),
                       ("list_services_for_auto_scaling_configuration", "AutoScalingConfigurationArn"),
                       ("describe_vpc_connector", "VpcConnectorArn")):
        expect_error(f"{op} without {member} -> InvalidRequestException naming it",
                     lambda op=op: getattr(loose, op)(), "InvalidRequestException", 400, f"'{member}'")
    expect_error("CreateService without SourceConfiguration -> InvalidRequestException naming it",
                 lambda: loose.create_service(ServiceName="no-source"), "InvalidRequestException", 400,
                 "'SourceConfiguration'")
    expect_error("CreateService ImageRepository without ImageIdentifier -> InvalidRequestException naming it",
                 lambda: loose.create_service(ServiceName="no-image", SourceConfiguration={
                     "ImageRepository": {"ImageRepositoryType": "ECR"}}),
                 "InvalidRequestException", 400, "SourceConfiguration.ImageRepository.ImageIdentifier")
    status, headers, body = server.raw({"ServiceArn": ghost}, "AppRunner.DescribeService")
    check("error wire format: 400, {__type, Message}, x-amzn-ErrorType, awsJson content type",
          status == 400 and body.get("__type") == "ResourceNotFoundException" and "Message" in body
          and headers.get("x-amzn-ErrorType") == "ResourceNotFoundException"
          and headers.get("Content-Type") == "application/x-amz-json-1.0", f"{status} {headers} {body}")
    status, _, body = server.raw({}, "AppRunner.NoSuchThing")
    check("unknown X-Amz-Target -> UnknownOperationException 400",
          status == 400 and body.get("__type") == "UnknownOperationException", f"{status} {body}")
    status, _, body = server.raw({"MaxResults": "ten"}, "AppRunner.ListServices")
    check("a member of the wrong JSON type -> SerializationException 400",
          status == 400 and body.get("__type") == "SerializationException", f"{status} {body}")
    status, _, body = server.raw(b"{not json", "AppRunner.ListServices")
    check("a body that is not JSON -> SerializationException 400",
          status == 400 and body.get("__type") == "SerializationException", f"{status} {body}")
    status, _, body = server.raw({}, "AppRunner.ListServices")
    check("raw ListServices: timestamps are epoch-second numbers",
          status == 200 and all(isinstance(s["CreatedAt"], (int, float)) and isinstance(s["UpdatedAt"], (int, float))
                                for s in body["ServiceSummaryList"]))

    # Injected faults: InternalServiceErrorException 500
    server.control("fail", {"Operation": "ListServices", "Count": 1})
    expect_error("injected fault: ListServices -> InternalServiceErrorException 500",
                 lambda: ar.list_services(), "InternalServiceErrorException", 500)
    check("injected fault: only Count calls fail", error_of(lambda: ar.list_services()) is None)
    server.control("fail", {"Operation": "DescribeService", "Error": "InvalidStateException", "Count": 1})
    expect_error("injected fault: any modelled error with its status (InvalidStateException 400)",
                 lambda: ar.describe_service(ServiceArn=arn["storefront"]), "InvalidStateException", 400)

    # StartDeployment: RUNNING -> OPERATION_IN_PROGRESS -> RUNNING, START_DEPLOYMENT SUCCEEDED
    began = time.time()
    op_id = ar.start_deployment(ServiceArn=arn["storefront"])["OperationId"]
    check("StartDeployment: answers a UUID OperationId", bool(UUID_RE.fullmatch(op_id)), op_id)
    svc = ar.describe_service(ServiceArn=arn["storefront"])["Service"]
    op = ar.list_operations(ServiceArn=arn["storefront"], MaxResults=1)["OperationSummaryList"][0]
    check("StartDeployment: service OPERATION_IN_PROGRESS at once, UpdatedAt = the operation's start",
          svc["Status"] == "OPERATION_IN_PROGRESS" and abs(secs(svc["UpdatedAt"]) - secs(op["StartedAt"])) < 0.002)
    check("StartDeployment: newest operation START_DEPLOYMENT IN_PROGRESS, no EndedAt yet",
          op["Id"] == op_id and op["Type"] == "START_DEPLOYMENT" and op["Status"] == "IN_PROGRESS"
          and "EndedAt" not in op, json.dumps(op, default=str))
    expect_error("StartDeployment while OPERATION_IN_PROGRESS -> InvalidRequestException with AWS's words",
                 lambda: ar.start_deployment(ServiceArn=arn["storefront"]), "InvalidRequestException", 400,
                 "Can't start a deployment on the specified service, because it isn't in RUNNING state")
    expect_error("PauseService while OPERATION_IN_PROGRESS -> InvalidStateException",
                 lambda: ar.pause_service(ServiceArn=arn["storefront"]), "InvalidStateException", 400,
                 "isn't in RUNNING state")
    expect_error("UpdateService while OPERATION_IN_PROGRESS -> InvalidStateException with AWS's words",
                 lambda: ar.update_service(ServiceArn=arn["storefront"]), "InvalidStateException", 400,
                 "Service status must be RUNNING or PAUSED to be updated")
    expect_error("DeleteService while OPERATION_IN_PROGRESS -> InvalidStateException",
                 lambda: ar.delete_service(ServiceArn=arn["storefront"]), "InvalidStateException", 400)
    svc, waited = wait_for(lambda: ar.describe_service(ServiceArn=arn["storefront"])["Service"],
                           lambda s: s["Status"] != "OPERATION_IN_PROGRESS")
    op = ar.list_operations(ServiceArn=arn["storefront"], MaxResults=1)["OperationSummaryList"][0]
    check(f"StartDeployment: RUNNING again after --operation-seconds ({time.time() - began:.2f}s, T={T})",
          svc["Status"] == "RUNNING" and time.time() - began >= T - 0.05)
    check("StartDeployment: operation SUCCEEDED, EndedAt = UpdatedAt = StartedAt + T",
          op["Status"] == "SUCCEEDED" and abs(secs(op["EndedAt"]) - secs(op["StartedAt"]) - T) < 0.002
          and op["UpdatedAt"] == op["EndedAt"] and svc["UpdatedAt"] == op["EndedAt"], json.dumps(op, default=str))

    # PauseService: RUNNING -> OPERATION_IN_PROGRESS -> PAUSED
    out = ar.pause_service(ServiceArn=arn["storefront"])
    check("PauseService: answers the Service (OPERATION_IN_PROGRESS) and an OperationId",
          out["Service"]["Status"] == "OPERATION_IN_PROGRESS" and out["Service"]["ServiceArn"] == arn["storefront"]
          and UUID_RE.fullmatch(out["OperationId"]))
    op = ar.list_operations(ServiceArn=arn["storefront"], MaxResults=1)["OperationSummaryList"][0]
    check("PauseService: PAUSE_SERVICE IN_PROGRESS", (op["Type"], op["Status"]) == ("PAUSE_SERVICE", "IN_PROGRESS"))
    svc, _ = wait_for(lambda: ar.describe_service(ServiceArn=arn["storefront"])["Service"],
                      lambda s: s["Status"] != "OPERATION_IN_PROGRESS")
    op = ar.list_operations(ServiceArn=arn["storefront"], MaxResults=1)["OperationSummaryList"][0]
    check("PauseService: PAUSED after T, PAUSE_SERVICE SUCCEEDED",
          svc["Status"] == "PAUSED" and op["Status"] == "SUCCEEDED" and op["Id"] == out["OperationId"])
    check("ListServices shows PAUSED too",
          {s["ServiceName"]: s["Status"] for s in ar.list_services()["ServiceSummaryList"]}["storefront"] == "PAUSED")
    expect_error("PauseService of a PAUSED service -> InvalidStateException",
                 lambda: ar.pause_service(ServiceArn=arn["storefront"]), "InvalidStateException", 400,
                 "Can't pause the specified service, because it isn't in RUNNING state")
    expect_error("StartDeployment of a PAUSED service -> InvalidRequestException",
                 lambda: ar.start_deployment(ServiceArn=arn["storefront"]), "InvalidRequestException", 400,
                 "isn't in RUNNING state")

    # ResumeService: PAUSED -> OPERATION_IN_PROGRESS -> RUNNING
    out = ar.resume_service(ServiceArn=arn["storefront"])
    op = ar.list_operations(ServiceArn=arn["storefront"], MaxResults=1)["OperationSummaryList"][0]
    check("ResumeService: Service OPERATION_IN_PROGRESS, RESUME_SERVICE IN_PROGRESS",
          out["Service"]["Status"] == "OPERATION_IN_PROGRESS"
          and (op["Type"], op["Status"], op["Id"]) == ("RESUME_SERVICE", "IN_PROGRESS", out["OperationId"]))
    svc, _ = wait_for(lambda: ar.describe_service(ServiceArn=arn["storefront"])["Service"],
                      lambda s: s["Status"] != "OPERATION_IN_PROGRESS")
    op = ar.list_operations(ServiceArn=arn["storefront"], MaxResults=1)["OperationSummaryList"][0]
    check("ResumeService: RUNNING after T, RESUME_SERVICE SUCCEEDED",
          svc["Status"] == "RUNNING" and op["Status"] == "SUCCEEDED")
    expect_error("ResumeService of a RUNNING service -> InvalidStateException",
                 lambda: ar.resume_service(ServiceArn=arn["storefront"]), "InvalidStateException", 400,
                 "Can't resume the specified service, because it isn't in PAUSED state")
    ar.resume_service(ServiceArn=arn["internal-admin"])
    svc, _ = wait_for(lambda: ar.describe_service(ServiceArn=arn["internal-admin"])["Service"],
                      lambda s: s["Status"] != "OPERATION_IN_PROGRESS")
    check("ResumeService of the demo's PAUSED internal-admin -> RUNNING", svc["Status"] == "RUNNING")

    # A failing health check: deployments roll back
    began = time.time()
    op_id = ar.start_deployment(ServiceArn=arn["pricing-api"])["OperationId"]
    op = ar.list_operations(ServiceArn=arn["pricing-api"], MaxResults=1)["OperationSummaryList"][0]
    check("pricing-api deployment: IN_PROGRESS first", op["Status"] == "IN_PROGRESS" and op["Id"] == op_id)
    op, _ = wait_for(lambda: ar.list_operations(ServiceArn=arn["pricing-api"], MaxResults=1)["OperationSummaryList"][0],
                     lambda o: o["Status"] != "IN_PROGRESS")
    svc = ar.describe_service(ServiceArn=arn["pricing-api"])["Service"]
    check("pricing-api deployment: then ROLLBACK_IN_PROGRESS, service still OPERATION_IN_PROGRESS",
          op["Status"] == "ROLLBACK_IN_PROGRESS" and svc["Status"] == "OPERATION_IN_PROGRESS"
          and abs(secs(op["UpdatedAt"]) - secs(op["StartedAt"]) - T) < 0.002, json.dumps(op, default=str))
    svc, _ = wait_for(lambda: ar.describe_service(ServiceArn=arn["pricing-api"])["Service"],
                      lambda s: s["Status"] != "OPERATION_IN_PROGRESS")
    op = ar.list_operations(ServiceArn=arn["pricing-api"], MaxResults=1)["OperationSummaryList"][0]
    check(f"pricing-api deployment: ROLLBACK_SUCCEEDED after 2T ({time.time() - began:.2f}s), service RUNNING",
          op["Status"] == "ROLLBACK_SUCCEEDED" and svc["Status"] == "RUNNING"
          and abs(secs(op["EndedAt"]) - secs(op["StartedAt"]) - 2 * T) < 0.002)
    server.control("health", {"ServiceName": "pricing-api", "Failing": False})
    ar.start_deployment(ServiceArn=arn["pricing-api"])
    op, _ = wait_for(lambda: ar.list_operations(ServiceArn=arn["pricing-api"], MaxResults=1)["OperationSummaryList"][0],
                     lambda o: o["Status"] not in ("IN_PROGRESS", "ROLLBACK_IN_PROGRESS"))
    check("/_control/health Failing=false: the next deployment SUCCEEDED", op["Status"] == "SUCCEEDED")

    # UpdateService
    out = ar.update_service(ServiceArn=arn["storefront"], InstanceConfiguration={"Cpu": "2 vCPU", "Memory": "4 GB"})
    check("UpdateService: new configuration at once (Cpu '2 vCPU' -> '2048', '4 GB' -> '4096'), in progress",
          out["Service"]["InstanceConfiguration"]["Cpu"] == "2048"
          and out["Service"]["InstanceConfiguration"]["Memory"] == "4096"
          and out["Service"]["InstanceConfiguration"]["InstanceRoleArn"].endswith("storefront-instance")
          and out["Service"]["Status"] == "OPERATION_IN_PROGRESS")
    svc, _ = wait_for(lambda: ar.describe_service(ServiceArn=arn["storefront"])["Service"],
                      lambda s: s["Status"] != "OPERATION_IN_PROGRESS")
    op = ar.list_operations(ServiceArn=arn["storefront"], MaxResults=1)["OperationSummaryList"][0]
    check("UpdateService: RUNNING after T, UPDATE_SERVICE SUCCEEDED, change kept",
          svc["Status"] == "RUNNING" and (op["Type"], op["Status"]) == ("UPDATE_SERVICE", "SUCCEEDED")
          and svc["InstanceConfiguration"]["Cpu"] == "2048")
    expect_error("UpdateService switching image -> code repository -> InvalidRequestException",
                 lambda: ar.update_service(ServiceArn=arn["storefront"], SourceConfiguration={"CodeRepository": {
                     "RepositoryUrl": "https://github.com/x/y", "SourceCodeVersion": {"Type": "BRANCH", "Value": "m"}}}),
                 "InvalidRequestException", 400)
    expect_error("UpdateService Cpu '3 vCPU' -> InvalidRequestException",
                 lambda: ar.update_service(ServiceArn=arn["storefront"], InstanceConfiguration={"Cpu": "3 vCPU"}),
                 "InvalidRequestException", 400, "InstanceConfiguration.Cpu")
    server.control("health", {"ServiceName": "storefront", "Failing": True})
    ar.update_service(ServiceArn=arn["storefront"], SourceConfiguration={"ImageRepository": {
        "ImageIdentifier": "123456789012.dkr.ecr.us-east-1.amazonaws.com/storefront:v43",
        "ImageRepositoryType": "ECR"}})
    mid = ar.describe_service(ServiceArn=arn["storefront"])["Service"]
    svc, _ = wait_for(lambda: ar.describe_service(ServiceArn=arn["storefront"])["Service"],
                      lambda s: s["Status"] != "OPERATION_IN_PROGRESS")
    op = ar.list_operations(ServiceArn=arn["storefront"], MaxResults=1)["OperationSummaryList"][0]
    check("UpdateService with a failing health check: ROLLBACK_SUCCEEDED and the previous image back",
          mid["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"].endswith(":v43")
          and op["Status"] == "ROLLBACK_SUCCEEDED" and svc["Status"] == "RUNNING"
          and svc["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"].endswith(":v42")
          and svc["SourceConfiguration"]["AutoDeploymentsEnabled"] is True)
    server.control("health", {"ServiceName": "storefront", "Failing": False})

    # CreateService, DeleteService
    out = ar.create_service(ServiceName="checkout", SourceConfiguration={"ImageRepository": {
        "ImageIdentifier": "public.ecr.aws/nginx/nginx:latest", "ImageRepositoryType": "ECR_PUBLIC"}},
        Tags=[{"Key": "team", "Value": "payments"}])
    new = out["Service"]
    check("CreateService: OPERATION_IN_PROGRESS, defaults (1024/2048, TCP check, DEFAULT egress, public, "
          "DefaultConfiguration), ECR_PUBLIC -> AutoDeploymentsEnabled false",
          new["Status"] == "OPERATION_IN_PROGRESS" and new["InstanceConfiguration"] == {"Cpu": "1024", "Memory": "2048"}
          and new["HealthCheckConfiguration"]["Protocol"] == "TCP"
          and new["NetworkConfiguration"]["EgressConfiguration"] == {"EgressType": "DEFAULT"}
          and new["AutoScalingConfigurationSummary"]["AutoScalingConfigurationName"] == "DefaultConfiguration"
          and new["SourceConfiguration"]["AutoDeploymentsEnabled"] is False
          and new["ServiceArn"].endswith(f"service/checkout/{new['ServiceId']}"))
    op = ar.list_operations(ServiceArn=new["ServiceArn"])["OperationSummaryList"]
    check("CreateService: one CREATE_SERVICE IN_PROGRESS with the answered OperationId",
          [(o["Type"], o["Status"], o["Id"]) for o in op] == [("CREATE_SERVICE", "IN_PROGRESS", out["OperationId"])])
    svc, _ = wait_for(lambda: ar.describe_service(ServiceArn=new["ServiceArn"])["Service"],
                      lambda s: s["Status"] != "OPERATION_IN_PROGRESS")
    check("CreateService: RUNNING after T and listed", svc["Status"] == "RUNNING"
          and new["ServiceArn"] in [s["ServiceArn"] for s in ar.list_services()["ServiceSummaryList"]])
    expect_error("CreateService of an existing name -> InvalidRequestException",
                 lambda: ar.create_service(ServiceName="checkout", SourceConfiguration={"ImageRepository": {
                     "ImageIdentifier": "public.ecr.aws/nginx/nginx:latest", "ImageRepositoryType": "ECR_PUBLIC"}}),
                 "InvalidRequestException", 400, "checkout")
    expect_error("CreateService of a bad name -> InvalidRequestException naming ServiceName",
                 lambda: ar.create_service(ServiceName="no spaces!", SourceConfiguration={"ImageRepository": {
                     "ImageIdentifier": "public.ecr.aws/nginx/nginx:latest", "ImageRepositoryType": "ECR_PUBLIC"}}),
                 "InvalidRequestException", 400, "ServiceName")
    expect_error("CreateService with both image and code -> InvalidRequestException",
                 lambda: ar.create_service(ServiceName="both-kinds", SourceConfiguration={
                     "ImageRepository": {"ImageIdentifier": "public.ecr.aws/nginx/nginx:latest",
                                         "ImageRepositoryType": "ECR_PUBLIC"},
                     "CodeRepository": {"RepositoryUrl": "https://github.com/x/y",
                                        "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"}}}),
                 "InvalidRequestException", 400)
    expect_error("CreateService VPC egress with an unknown connector -> InvalidRequestException",
                 lambda: ar.create_service(ServiceName="vpc-app", SourceConfiguration={"ImageRepository": {
                     "ImageIdentifier": "public.ecr.aws/nginx/nginx:latest", "ImageRepositoryType": "ECR_PUBLIC"}},
                     NetworkConfiguration={"EgressConfiguration": {
                         "EgressType": "VPC", "VpcConnectorArn": ghost.replace("service/ghost", "vpcconnector/x/1")}}),
                 "InvalidRequestException", 400)
    server.control("health", {"ServiceName": "broken-app", "Failing": True})
    made = ar.create_service(ServiceName="broken-app", SourceConfiguration={"CodeRepository": {
        "RepositoryUrl": "https://github.com/example-org/broken", "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
        "CodeConfiguration": {"ConfigurationSource": "REPOSITORY"}}},
        AutoScalingConfigurationArn="arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/high-availability")
    check("CreateService with a name-only auto scaling ARN -> its latest revision",
          made["Service"]["AutoScalingConfigurationSummary"]["AutoScalingConfigurationRevision"] == 2)
    svc, _ = wait_for(lambda: ar.describe_service(ServiceArn=made["Service"]["ServiceArn"])["Service"],
                      lambda s: s["Status"] != "OPERATION_IN_PROGRESS")
    op = ar.list_operations(ServiceArn=made["Service"]["ServiceArn"])["OperationSummaryList"][0]
    check("CreateService with a failing health check: CREATE_FAILED, CREATE_SERVICE FAILED",
          svc["Status"] == "CREATE_FAILED" and op["Status"] == "FAILED")
    expect_error("StartDeployment of a CREATE_FAILED service -> InvalidRequestException",
                 lambda: ar.start_deployment(ServiceArn=made["Service"]["ServiceArn"]), "InvalidRequestException", 400,
                 "isn't in RUNNING state")
    server.control("health", {"ServiceName": "broken-app", "Failing": False})
    ar.update_service(ServiceArn=made["Service"]["ServiceArn"], HealthCheckConfiguration={"Protocol": "HTTP",
                                                                                          "Path": "/ready"})
    svc, _ = wait_for(lambda: ar.describe_service(ServiceArn=made["Service"]["ServiceArn"])["Service"],
                      lambda s: s["Status"] != "OPERATION_IN_PROGRESS")
    op = ar.list_operations(ServiceArn=made["Service"]["ServiceArn"])["OperationSummaryList"][0]
    check("UpdateService rebuilds a CREATE_FAILED service: UPDATE_SERVICE SUCCEEDED, RUNNING",
          svc["Status"] == "RUNNING" and (op["Type"], op["Status"]) == ("UPDATE_SERVICE", "SUCCEEDED")
          and svc["HealthCheckConfiguration"]["Path"] == "/ready" and svc["HealthCheckConfiguration"]["Interval"] == 5)
    out = ar.delete_service(ServiceArn=new["ServiceArn"])
    op = ar.list_operations(ServiceArn=new["ServiceArn"], MaxResults=1)["OperationSummaryList"][0]
    check("DeleteService: Service OPERATION_IN_PROGRESS, DELETE_SERVICE IN_PROGRESS",
          out["Service"]["Status"] == "OPERATION_IN_PROGRESS"
          and (op["Type"], op["Status"], op["Id"]) == ("DELETE_SERVICE", "IN_PROGRESS", out["OperationId"]))
    svc, _ = wait_for(lambda: ar.describe_service(ServiceArn=new["ServiceArn"])["Service"],
                      lambda s: s["Status"] != "OPERATION_IN_PROGRESS")
    check("DeleteService: DELETED after T with DeletedAt; DescribeService still answers",
          svc["Status"] == "DELETED" and "DeletedAt" in svc)
    check("DeleteService: gone from ListServices",
          new["ServiceArn"] not in [s["ServiceArn"] for s in ar.list_services()["ServiceSummaryList"]])
    expect_error("DeleteService of a DELETED service -> InvalidStateException",
                 lambda: ar.delete_service(ServiceArn=new["ServiceArn"]), "InvalidStateException", 400)
    ar.delete_service(ServiceArn=made["Service"]["ServiceArn"])
    svc, _ = wait_for(lambda: ar.describe_service(ServiceArn=made["Service"]["ServiceArn"])["Service"],
                      lambda s: s["Status"] != "OPERATION_IN_PROGRESS")
    check("DeleteService of a rebuilt service -> DELETED", svc["Status"] == "DELETED")

    # Auto scaling configurations
    listed = ar.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]
    check("ListAutoScalingConfigurations: latest revisions only by default (DefaultConfiguration/1, "
          "high-availability/2)",
          [(a["AutoScalingConfigurationName"], a["AutoScalingConfigurationRevision"]) for a in listed]
          == [("DefaultConfiguration", 1), ("high-availability", 2)])
    every = ar.list_auto_scaling_configurations(LatestOnly=False)["AutoScalingConfigurationSummaryList"]
    check("ListAutoScalingConfigurations LatestOnly=false: all three", len(every) == 3)
    named = ar.list_auto_scaling_configurations(AutoScalingConfigurationName="high-availability",
                                                LatestOnly=False)["AutoScalingConfigurationSummaryList"]
    check("ListAutoScalingConfigurations by name: both revisions",
          [a["AutoScalingConfigurationRevision"] for a in named] == [1, 2])
    items, pages = all_pages(ar.list_auto_scaling_configurations, "AutoScalingConfigurationSummaryList",
                             LatestOnly=False, MaxResults=1)
    check("ListAutoScalingConfigurations paging: MaxResults=1 gives 3 pages", pages == 3 and len(items) == 3)
    expect_error("ListAutoScalingConfigurations MaxResults=101 -> InvalidRequestException",
                 lambda: ar.list_auto_scaling_configurations(MaxResults=101), "InvalidRequestException", 400)
    default = ar.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=listed[0]["AutoScalingConfigurationArn"])["AutoScalingConfiguration"]
    check("DescribeAutoScalingConfiguration DefaultConfiguration: 100/1/25, IsDefault, Latest, used",
          (default["MaxConcurrency"], default["MinSize"], default["MaxSize"]) == (100, 1, 25)
          and default["IsDefault"] is True and default["Latest"] is True and default["HasAssociatedService"] is True
          and default["AutoScalingConfigurationArn"].endswith(
              "autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001"))
    ha1 = [a for a in every if a["AutoScalingConfigurationRevision"] == 1
           and a["AutoScalingConfigurationName"] == "high-availability"][0]
    old = ar.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=ha1["AutoScalingConfigurationArn"])["AutoScalingConfiguration"]
    check("DescribeAutoScalingConfiguration high-availability/1: not Latest, no service, 50/3/10",
          old["Latest"] is False and old["HasAssociatedService"] is False
          and (old["MaxConcurrency"], old["MinSize"], old["MaxSize"]) == (50, 3, 10))
    expect_error("DescribeAutoScalingConfiguration unknown -> ResourceNotFoundException",
                 lambda: ar.describe_auto_scaling_configuration(
                     AutoScalingConfigurationArn=ha1["AutoScalingConfigurationArn"][:-3] + "fff"),
                 "ResourceNotFoundException", 400)
    ha2 = listed[1]["AutoScalingConfigurationArn"]
    check("ListServicesForAutoScalingConfiguration high-availability/2: storefront",
          ar.list_services_for_auto_scaling_configuration(AutoScalingConfigurationArn=ha2)["ServiceArnList"]
          == [arn["storefront"]])

    # VPC connectors
    connector = ar.describe_vpc_connector(VpcConnectorArn=egress["VpcConnectorArn"])["VpcConnector"]
    check("DescribeVpcConnector: internal-vpc, two subnets, one security group, ACTIVE",
          connector["VpcConnectorName"] == "internal-vpc" and len(connector["Subnets"]) == 2
          and len(connector["SecurityGroups"]) == 1 and connector["Status"] == "ACTIVE"
          and connector["VpcConnectorRevision"] == 1)
    check("ListVpcConnectors: that one", [v["VpcConnectorArn"] for v in ar.list_vpc_connectors()["VpcConnectors"]]
          == [egress["VpcConnectorArn"]])
    expect_error("DescribeVpcConnector unknown -> ResourceNotFoundException",
                 lambda: ar.describe_vpc_connector(VpcConnectorArn=egress["VpcConnectorArn"][:-3] + "fff"),
                 "ResourceNotFoundException", 400)

    # Control: timings
    server.control("operation-seconds", {"Seconds": 0})
    ar.start_deployment(ServiceArn=arn["docs-site"])
    svc = ar.describe_service(ServiceArn=arn["docs-site"])["Service"]
    check("/_control/operation-seconds 0: an operation has settled by the next request", svc["Status"] == "RUNNING")
    status, _, state = server.control("state")
    check("/_control/state answers", status == 200 and state["OperationSeconds"] == 0)

    for name in sorted(wire_counts):
        problems = wire_problems.get(name, [])
        check(f"wire: {wire_counts[name]} {name} answers conform to botocore's model", not problems,
              "; ".join(problems[:5]))
    check("every operation was exercised with a 200 answer",
          set(wire_counts) >= {"ListServices", "DescribeService", "ListOperations", "StartDeployment", "PauseService",
                               "ResumeService", "CreateService", "UpdateService", "DeleteService",
                               "DescribeAutoScalingConfiguration", "ListAutoScalingConfigurations",
                               "ListServicesForAutoScalingConfiguration", "DescribeVpcConnector",
                               "ListVpcConnectors"}, str(sorted(wire_counts)))
    check("launch: the server stops when its stdin closes (exit 0)", server.stop() == 0)


# ---- quota -------------------------------------------------------------------------------------------

def test_quota():
    server = Server("--seed", "empty", "--service-quota", "1", "--operation-seconds", "0")
    ar = server.client()
    check("--seed empty: no services, the DefaultConfiguration only",
          ar.list_services()["ServiceSummaryList"] == []
          and len(ar.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]) == 1
          and ar.list_vpc_connectors()["VpcConnectors"] == [])
    source = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/nginx/nginx:1", "ImageRepositoryType": "ECR_PUBLIC"}}
    ar.create_service(ServiceName="only-one", SourceConfiguration=source)
    expect_error("CreateService beyond --service-quota -> ServiceQuotaExceededException 402",
                 lambda: ar.create_service(ServiceName="one-more", SourceConfiguration=source),
                 "ServiceQuotaExceededException", 402)
    server.stop()


# ---- seed files --------------------------------------------------------------------------------------

def test_seed_file():
    donor = Server("--operation-seconds", "0")
    status, _, described = donor.raw({"ServiceArn": donor.client().list_services()["ServiceSummaryList"][3]["ServiceArn"]},
                                     "AppRunner.DescribeService")
    donor.stop()
    original = described["Service"]  # docs-site, raw JSON, as DescribeService answers it
    iso = dict(original, ServiceName="docs-copy", ServiceId="0123456789abcdef0123456789abcdef",
               ServiceArn="arn:aws:apprunner:eu-west-1:111122223333:service/docs-copy/0123456789abcdef0123456789abcdef",
               CreatedAt="2024-01-02T03:04:05Z", UpdatedAt="2024-01-03T00:00:00+00:00")
    history = [
        {"Id": "5c1a0e4e-4c1b-4e53-9f3c-2f5d7b0a9e11", "Type": "UPDATE_SERVICE", "Status": "ROLLBACK_FAILED",
         "StartedAt": 1717000000, "EndedAt": 1717000900, "UpdatedAt": 1717000900},
        {"Id": "6d2b1f5f-5d2c-4f64-8a4d-3a6e8c1b0f22", "Type": "CREATE_SERVICE", "Status": "SUCCEEDED",
         "StartedAt": 1716000000, "EndedAt": 1716000300, "UpdatedAt": 1716000300},
    ]
    seed = {
        "VpcConnectors": [{"VpcConnectorName": "data-vpc", "Subnets": ["subnet-1", "subnet-2", "subnet-3"],
                           "SecurityGroups": ["sg-1"], "CreatedAt": 1710000000}],
        "AutoScalingConfigurations": [{"AutoScalingConfigurationName": "burst", "AutoScalingConfigurationRevision": 4,
                                       "MaxConcurrency": 200, "MinSize": 2, "MaxSize": 40, "CreatedAt": 1711000000}],
        "Services": [
            original,
            iso,
            {"ServiceName": "minimal", "SourceConfiguration": {"ImageRepository": {
                "ImageIdentifier": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/minimal:1",
                "ImageRepositoryType": "ECR"}}},
            {"Service": {"ServiceName": "flaky-api", "Status": "RUNNING", "SourceConfiguration": {"ImageRepository": {
                "ImageIdentifier": "public.ecr.aws/x/flaky:2", "ImageRepositoryType": "ECR_PUBLIC"}},
                "AutoScalingConfigurationSummary": {
                    "AutoScalingConfigurationArn": "arn:aws:apprunner:eu-west-1:111122223333:"
                                                   "autoscalingconfiguration/burst/4/"
                                                   "a0000000000000000000000000000004"}},
             "OperationSummaryList": history, "HealthCheckFailing": True},
            {"ServiceName": "deploying", "Status": "OPERATION_IN_PROGRESS",
             "SourceConfiguration": {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/x/d:1",
                                                         "ImageRepositoryType": "ECR_PUBLIC"}}},
            {"ServiceName": "gone-app", "ServiceArn": GONE_ARN, "Status": "DELETED", "CreatedAt": 1700000000, "UpdatedAt": 1700100000,
             "SourceConfiguration": {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/x/g:1",
                                                         "ImageRepositoryType": "ECR_PUBLIC"}}},
        ],
    }
    # The `burst` configuration of flaky-api is the seed file's own (its ARN given in full there).
    seed["AutoScalingConfigurations"][0]["AutoScalingConfigurationArn"] = (
        seed["Services"][3]["Service"]["AutoScalingConfigurationSummary"]["AutoScalingConfigurationArn"])
    seed["VpcConnectors"][0]["VpcConnectorArn"] = (
        "arn:aws:apprunner:eu-west-1:111122223333:vpcconnector/data-vpc/1/b0000000000000000000000000000001")
    seed["Services"][2]["NetworkConfiguration"] = {"EgressConfiguration": {
        "EgressType": "VPC", "VpcConnectorArn": seed["VpcConnectors"][0]["VpcConnectorArn"]}}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "seed.json")
        with open(path, "w") as f:
            json.dump(seed, f)
        # A longer T here: the service seeded OPERATION_IN_PROGRESS must still be so at the first request.
        server = Server("--seed", "empty", "--seed-file", path, "--region", "eu-west-1", "--account", "111122223333",
                        "--operation-seconds", str(3 * T))
        check("seed file: the server starts", server.port is not None, server.line + server.proc.stderr.read()
              if server.port is None else "")
        if server.port is None:
            return
        ar = server.client(region="eu-west-1")
        listed = {s["ServiceName"]: s for s in ar.list_services()["ServiceSummaryList"]}
        check("seed file: its services listed in file order, DELETED one left out",
              list(listed) == ["docs-site", "docs-copy", "minimal", "flaky-api", "deploying"], str(list(listed)))
        status, _, again = server.raw({"ServiceArn": original["ServiceArn"]}, "AppRunner.DescribeService")
        check("seed file: a DescribeService answer seeded verbatim is described back identically",
              again["Service"] == original, json.dumps(again["Service"])[:400])
        copy_ = ar.describe_service(ServiceArn=iso["ServiceArn"])["Service"]
        check("seed file: ISO 8601 timestamps and the given ARN / ID kept",
              copy_["CreatedAt"].isoformat() == "2024-01-02T03:04:05+00:00" and copy_["ServiceId"] == iso["ServiceId"]
              and copy_["UpdatedAt"].isoformat() == "2024-01-03T00:00:00+00:00")
        minimal = ar.describe_service(ServiceArn=listed["minimal"]["ServiceArn"])["Service"]
        check("seed file: a minimal service gets App Runner's defaults in --region / --account",
              minimal["Status"] == "RUNNING" and minimal["InstanceConfiguration"] == {"Cpu": "1024", "Memory": "2048"}
              and minimal["ServiceArn"] == f"arn:aws:apprunner:eu-west-1:111122223333:service/minimal/"
                                           f"{minimal['ServiceId']}"
              and re.fullmatch(r"[a-z0-9]{10}\.eu-west-1\.awsapprunner\.com", minimal["ServiceUrl"])
              and minimal["HealthCheckConfiguration"]["Protocol"] == "TCP"
              and minimal["SourceConfiguration"]["AutoDeploymentsEnabled"] is True
              and minimal["AutoScalingConfigurationSummary"]["AutoScalingConfigurationName"] == "DefaultConfiguration")
        check("seed file: VPC egress through the file's own connector",
              minimal["NetworkConfiguration"]["EgressConfiguration"]["VpcConnectorArn"] ==
              seed["VpcConnectors"][0]["VpcConnectorArn"]
              and ar.describe_vpc_connector(VpcConnectorArn=seed["VpcConnectors"][0]["VpcConnectorArn"])[
                  "VpcConnector"]["Subnets"] == ["subnet-1", "subnet-2", "subnet-3"])
        ops = ar.list_operations(ServiceArn=listed["minimal"]["ServiceArn"])["OperationSummaryList"]
        check("seed file: without a history, one CREATE_SERVICE SUCCEEDED",
              [(o["Type"], o["Status"]) for o in ops] == [("CREATE_SERVICE", "SUCCEEDED")])
        flaky = ar.describe_service(ServiceArn=listed["flaky-api"]["ServiceArn"])["Service"]
        burst = ar.describe_auto_scaling_configuration(
            AutoScalingConfigurationArn=flaky["AutoScalingConfigurationSummary"]["AutoScalingConfigurationArn"])[
            "AutoScalingConfiguration"]
        check("seed file: the file's auto scaling configuration (burst/4, 200/2/40) used by flaky-api",
              (burst["AutoScalingConfigurationName"], burst["AutoScalingConfigurationRevision"], burst["MaxConcurrency"],
               burst["MinSize"], burst["MaxSize"], burst["HasAssociatedService"]) == ("burst", 4, 200, 2, 40, True))
        ops = ar.list_operations(ServiceArn=listed["flaky-api"]["ServiceArn"])["OperationSummaryList"]
        check("seed file: OperationSummaryList given is ListOperations' answer",
              [(o["Id"], o["Type"], o["Status"], o["TargetArn"], secs(o["StartedAt"])) for o in ops]
              == [(h["Id"], h["Type"], h["Status"], listed["flaky-api"]["ServiceArn"], h["StartedAt"]) for h in history])
        ar.start_deployment(ServiceArn=listed["flaky-api"]["ServiceArn"])
        op, _ = wait_for(lambda: ar.list_operations(ServiceArn=listed["flaky-api"]["ServiceArn"],
                                                    MaxResults=1)["OperationSummaryList"][0],
                         lambda o: o["Status"] not in ("IN_PROGRESS", "ROLLBACK_IN_PROGRESS"))
        check("seed file: HealthCheckFailing -> its deployments roll back", op["Status"] == "ROLLBACK_SUCCEEDED")
        check("seed file: a service seeded OPERATION_IN_PROGRESS is so at first",
              listed["deploying"]["Status"] == "OPERATION_IN_PROGRESS")
        svc, _ = wait_for(lambda: ar.describe_service(ServiceArn=listed["deploying"]["ServiceArn"])["Service"],
                          lambda s: s["Status"] != "OPERATION_IN_PROGRESS")
        op = ar.list_operations(ServiceArn=listed["deploying"]["ServiceArn"], MaxResults=1)["OperationSummaryList"][0]
        check("seed file: ... and RUNNING after T, its START_DEPLOYMENT SUCCEEDED",
              svc["Status"] == "RUNNING" and (op["Type"], op["Status"]) == ("START_DEPLOYMENT", "SUCCEEDED"))
        gone = ar.describe_service(ServiceArn=GONE_ARN)["Service"]
        check("seed file: a DELETED service is described, with DeletedAt = its UpdatedAt",
              gone["Status"] == "DELETED" and secs(gone["DeletedAt"]) == 1700100000)
        server.stop()

        # Other seed-file forms, and a bad one
        single = os.path.join(tmp, "single.json")
        with open(single, "w") as f:
            json.dump({"Service": dict(original, ServiceName="solo", ServiceArn=None, ServiceId=None)}, f)
        server = Server("--seed", "demo", "--seed-file", single, "--operation-seconds", "0")
        names = [s["ServiceName"] for s in server.client().list_services()["ServiceSummaryList"]] if server.port else []
        check("seed file: a single {\"Service\": ...} is added to the demo seed", names[-1:] == ["solo"]
              and len(names) == 5, str(names))
        server.stop()
        bad = os.path.join(tmp, "bad.json")
        with open(bad, "w") as f:
            json.dump([{"ServiceName": "no-source"}], f)
        server = Server("--seed-file", bad)
        check("seed file: a service without SourceConfiguration -> the server exits non-zero, no PORT",
              server.port is None and server.proc.wait(10) != 0)
        server.proc.stdin.close()


def main():
    test_demo()
    test_quota()
    test_seed_file()
    print(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
