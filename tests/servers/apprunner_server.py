"""An AWS App Runner API emulator on a free 127.0.0.1 port for bosun's tests (moto has no App Runner).

Prints `PORT <n>` on stdout once it accepts connections (and writes nothing to stdout after that),
then serves until stdin closes or it is killed. Standard library only.

usage: python apprunner_server.py [--seed demo|empty] [--seed-file PATH] [--region R] [--account ID]
                                  [--port N] [--operation-seconds S] [--failing-health-check NAME]...
                                  [--service-quota N] [--verbose]
  --seed        the services to start with: demo (default; listed below) or empty (no services; the
                account's DefaultConfiguration auto scaling configuration only, as on AWS)
  --seed-file   more services, added to the seed (use `--seed empty` for only these). JSON: a list of
                Service objects as DescribeService returns them (epoch-second or ISO 8601 timestamps), or
                {"Service": {...}} (a DescribeService answer), or
                {"Services": [...], "AutoScalingConfigurations": [...], "VpcConnectors": [...]}.
                A list item may also be {"Service": {...}, "OperationSummaryList": [...],
                "HealthCheckFailing": true} to give the service its operation history (newest first, as
                ListOperations answers) and a failing health check. Only ServiceName and
                SourceConfiguration are needed; the rest gets App Runner's defaults: ServiceId (32 hex,
                derived from the name), ServiceArn, ServiceUrl, Status RUNNING, Cpu "1024" / Memory
                "2048", the TCP health check, DEFAULT egress, public ingress, IPV4, the
                DefaultConfiguration auto scaling configuration. An AutoScalingConfigurationArn or
                VpcConnectorArn that is not otherwise known is created (defaults 100/1/25; subnets and
                security groups made up). Without OperationSummaryList the history is a CREATE_SERVICE
                (FAILED for CREATE_FAILED) and, for a PAUSED / DELETED service, a PAUSE_SERVICE /
                DELETE_SERVICE; a service seeded as OPERATION_IN_PROGRESS gets a START_DEPLOYMENT that
                starts when the server starts listening and settles like any other.
  --region, --account   where the resources are (default us-east-1, 123456789012: moto's account)
  --port        the port (default 0: a free one)
  --operation-seconds   how long each operation phase lasts, on the server's clock (default 2; 0 settles
                at the next request). Fractions are fine.
  --failing-health-check NAME   that service's health check fails (repeatable; the demo seed adds
                pricing-api). See "Health checks" below.
  --service-quota N   services per account and region (default 30, App Runner's default quota):
                CreateService beyond it gets ServiceQuotaExceededException (HTTP 402).
  --verbose     log each request on stderr

Protocol: awsJson1_0 as the AWS SDKs speak it: `POST /`, `X-Amz-Target: AppRunner.<Operation>`,
`Content-Type: application/x-amz-json-1.0`; answers are JSON with timestamps as epoch seconds
(numbers, millisecond precision) and absent members left out. Errors are
`{"__type": "<Code>", "Message": "..."}` (also in the `x-amzn-ErrorType` header) with the status of the
API reference: InvalidRequestException 400, ResourceNotFoundException 400, InvalidStateException 400,
InternalServiceErrorException 500, ServiceQuotaExceededException 402; plus what the AWS front end
answers itself: UnknownOperationException 400 (no such X-Amz-Target), SerializationException 400 (a
body that is not a JSON object, or a member of the wrong JSON type). Signatures are not checked.

Operations (shapes and field names of botocore's apprunner 2020-05-15 model):
  ListServices           MaxResults 1..20, NextToken -> ServiceSummaryList [ServiceName, ServiceId,
                         ServiceArn, ServiceUrl, CreatedAt, UpdatedAt, Status], NextToken. Services in the
                         order they were created; DELETED services are not listed.
  DescribeService        ServiceArn -> Service (any state, DELETED too: with DeletedAt)
  ListOperations         ServiceArn, MaxResults 1..20, NextToken -> OperationSummaryList [Id, Type,
                         Status, TargetArn, StartedAt, EndedAt, UpdatedAt], NextToken; newest first
  StartDeployment        ServiceArn -> OperationId
  PauseService, ResumeService, DeleteService   ServiceArn -> Service, OperationId
  CreateService          ServiceName, SourceConfiguration, InstanceConfiguration, Tags,
                         EncryptionConfiguration, HealthCheckConfiguration, AutoScalingConfigurationArn,
                         NetworkConfiguration, ObservabilityConfiguration -> Service, OperationId
  UpdateService          ServiceArn and any of SourceConfiguration (same kind of repository),
                         InstanceConfiguration, AutoScalingConfigurationArn, HealthCheckConfiguration,
                         NetworkConfiguration, ObservabilityConfiguration -> Service, OperationId
  DescribeAutoScalingConfiguration   AutoScalingConfigurationArn (full) -> AutoScalingConfiguration
                         [AutoScalingConfigurationArn, AutoScalingConfigurationName,
                         AutoScalingConfigurationRevision, Latest, Status, MaxConcurrency, MinSize,
                         MaxSize, CreatedAt, HasAssociatedService, IsDefault]
  ListAutoScalingConfigurations   AutoScalingConfigurationName, LatestOnly (default true), MaxResults
                         1..100, NextToken -> AutoScalingConfigurationSummaryList [the summary: Arn,
                         Name, Revision, Status, CreatedAt, HasAssociatedService, IsDefault], NextToken
  ListServicesForAutoScalingConfiguration   AutoScalingConfigurationArn, MaxResults, NextToken ->
                         ServiceArnList, NextToken
  DescribeVpcConnector   VpcConnectorArn -> VpcConnector [VpcConnectorName, VpcConnectorArn,
                         VpcConnectorRevision, Subnets, SecurityGroups, Status, CreatedAt]
  ListVpcConnectors      MaxResults 1..100, NextToken -> VpcConnectors, NextToken
Without MaxResults a list answers everything at once (as the API reference says). A NextToken is opaque
and only good for the operation that gave it; a bad one is an InvalidRequestException.

Operations over time (measured on the server's clock at each request; T = --operation-seconds):
  StartDeployment  RUNNING only: service OPERATION_IN_PROGRESS; operation START_DEPLOYMENT IN_PROGRESS;
                   after T: SUCCEEDED, service RUNNING.
  PauseService     RUNNING only: OPERATION_IN_PROGRESS, PAUSE_SERVICE IN_PROGRESS; after T: SUCCEEDED,
                   service PAUSED.
  ResumeService    PAUSED only: OPERATION_IN_PROGRESS, RESUME_SERVICE IN_PROGRESS; after T: SUCCEEDED,
                   service RUNNING.
  CreateService    OPERATION_IN_PROGRESS, CREATE_SERVICE IN_PROGRESS; after T: SUCCEEDED and RUNNING.
  UpdateService    RUNNING, PAUSED or CREATE_FAILED: the new configuration shows at once,
                   OPERATION_IN_PROGRESS, UPDATE_SERVICE IN_PROGRESS; after T: SUCCEEDED and RUNNING
                   (PAUSED if it was paused).
  DeleteService    not while OPERATION_IN_PROGRESS / DELETED: OPERATION_IN_PROGRESS, DELETE_SERVICE
                   IN_PROGRESS; after T: SUCCEEDED, service DELETED with DeletedAt, gone from ListServices.
  An operation's UpdatedAt is when its current phase began, EndedAt when it ended; the service's
  UpdatedAt is when its status last changed. Operations go straight to IN_PROGRESS (never PENDING).
  The wrong state is refused as AWS refuses it:
    StartDeployment: InvalidRequestException "Can't start a deployment on the specified service, because
      it isn't in RUNNING state" (AWS's words, as the CLI prints them; the model gives StartDeployment no
      InvalidStateException).
    UpdateService: InvalidStateException "Service status must be RUNNING or PAUSED to be updated" (AWS's
      words; CREATE_FAILED is also accepted, as the model's Status documentation says).
    PauseService / ResumeService / DeleteService: InvalidStateException "Can't pause the specified
      service, because it isn't in RUNNING state" / "Can't resume the specified service, because it isn't
      in PAUSED state" / "Can't delete the specified service, because it's in <STATUS> state" (modelled on
      the StartDeployment message; AWS's exact words were not found).

Health checks: the App Runner API has no health field. A failing health check shows only through
operations and status, which is what this emulates for a service named by --failing-health-check (or
HealthCheckFailing in the seed file, or /_control/health):
  - StartDeployment / UpdateService on a RUNNING service: IN_PROGRESS for T, ROLLBACK_IN_PROGRESS for T,
    then ROLLBACK_SUCCEEDED; the service is OPERATION_IN_PROGRESS throughout and RUNNING again after,
    on its previous configuration (an update is undone) -- App Runner rolls back to the last good version.
  - CreateService (or UpdateService of a CREATE_FAILED service): FAILED after T, service CREATE_FAILED.
  - Pause, resume and delete are not affected.

The demo seed (IDs derived from names, so ARNs are stable; times relative to the server's start):
  storefront      RUNNING; ECR image (same-account, AccessRoleArn), port 8080, auto deployments on, public,
                  HTTP health check /healthz, auto scaling high-availability revision 2; history
                  CREATE_SERVICE and two START_DEPLOYMENTs, all SUCCEEDED.
  pricing-api     RUNNING, health check failing: its last two START_DEPLOYMENTs are ROLLBACK_SUCCEEDED
                  (the older deployment and CREATE_SERVICE SUCCEEDED), and new ones roll back too.
  internal-admin  PAUSED; ECR image; VPC egress through VPC connector internal-vpc (two subnets, one
                  security group), not publicly accessible, KMS EncryptionConfiguration; last operation a
                  PAUSE_SERVICE SUCCEEDED.
  docs-site       RUNNING; source code repository (GitHub connection), branch main, ConfigurationSource API,
                  NODEJS_18, build and start commands, port 3000, auto deployments on.
  Auto scaling configurations: DefaultConfiguration/1 (IsDefault, 100/1/25), high-availability/1 and /2
  (only /2 Latest; 50/3/10).

Control endpoints for tests (not AWS; JSON bodies, JSON answers):
  POST /_control/health {"ServiceName": "pricing-api", "Failing": true|false} -> {"Failing": [names]}
  POST /_control/fail {"Operation": "ListServices", "Count": 1, "Error": "InternalServiceErrorException",
       "Message": "..."} -> the next Count calls of that operation get that error (any of the five
       App Runner errors, with its status). The AWS SDKs retry a 500 (boto3: 4 more times by default;
       the Rust SDK: 2 more), so count the retries in.
  POST /_control/operation-seconds {"Seconds": 0.5} -> phases of operations started from now on last that
  GET  /_control/state -> {"Now", "OperationSeconds", "Failing", "Faults"}

Not emulated: real deployments, builds, image pulls or traffic (ServiceUrl resolves nowhere); custom
domains; connections (the demo's ConnectionArn is a string only); VPC ingress connections;
observability configurations and traces (ObservabilityConfiguration is stored and echoed, not checked);
tags beyond storing CreateService's Tags (no ListTagsForResource / TagResource); auto deployments on new
images or commits; the create / update / delete of auto scaling configurations and VPC connectors;
DELETE_FAILED and ROLLBACK_FAILED happen only if seeded; service quotas other than the number of
services; IAM, signatures and throttling.
"""

import argparse
import base64
import copy
import datetime
import hashlib
import json
import re
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERROR_STATUS = {
    "InvalidRequestException": 400,
    "ResourceNotFoundException": 400,
    "InvalidStateException": 400,
    "InternalServiceErrorException": 500,
    "ServiceQuotaExceededException": 402,
    # What the AWS front end answers before the service sees the request.
    "UnknownOperationException": 400,
    "SerializationException": 400,
}

ARN_RE = re.compile(r"arn:aws(-[\w]+)*:[a-z0-9-\\.]{0,63}:[a-z0-9-\\.]{0,63}:[0-9]{12}:(\w|/|-){1,1011}")
SERVICE_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-_]{3,39}")
IMAGE_IDENTIFIER_RE = re.compile(
    r"([0-9]{12}.dkr.ecr.[a-z\-]+-[0-9]{1}.amazonaws.com\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+"
    r"(?:[._-][a-z0-9]+)*)(:([\w\d+\-=._:\/@])+|@([\w\d\:]+))?)|(^public\.ecr\.aws\/.+\/((?:[a-z0-9]+"
    r"(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(:([\w\d+\-=._:\/@])+|@([\w\d\:]+))?)"
)

SERVICE_STATUSES = ("CREATE_FAILED", "RUNNING", "DELETED", "DELETE_FAILED", "PAUSED", "OPERATION_IN_PROGRESS")
OPERATION_TYPES = ("START_DEPLOYMENT", "CREATE_SERVICE", "PAUSE_SERVICE", "RESUME_SERVICE", "DELETE_SERVICE",
                   "UPDATE_SERVICE")
OPERATION_STATUSES = ("PENDING", "IN_PROGRESS", "FAILED", "SUCCEEDED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED",
                      "ROLLBACK_SUCCEEDED")
RUNTIMES = ("PYTHON_3", "NODEJS_12", "NODEJS_14", "CORRETTO_8", "CORRETTO_11", "NODEJS_16", "GO_1", "DOTNET_6",
            "PHP_81", "RUBY_31", "PYTHON_311", "NODEJS_18", "NODEJS_22")
CPU = {"256": "256", "512": "512", "1024": "1024", "2048": "2048", "4096": "4096",
       "0.25 vCPU": "256", "0.5 vCPU": "512", "1 vCPU": "1024", "2 vCPU": "2048", "4 vCPU": "4096"}
MEMORY = {str(n): str(n) for n in (512, 1024, 2048, 3072, 4096, 6144, 8192, 10240, 12288)}
MEMORY.update({f"{g} GB": str(int(float(g) * 1024)) for g in ("0.5", "1", "2", "3", "4", "6", "8", "10", "12")})

HEALTH_CHECK_DEFAULTS = {"Protocol": "TCP", "Path": "/", "Interval": 5, "Timeout": 2, "HealthyThreshold": 1,
                         "UnhealthyThreshold": 5}
DEFAULT_ASC_ID = "00000000000000000000000000000001"

# The Service members in the model's order (answers keep it).
SERVICE_KEYS = ("ServiceName", "ServiceId", "ServiceArn", "ServiceUrl", "CreatedAt", "UpdatedAt", "DeletedAt",
                "Status", "SourceConfiguration", "InstanceConfiguration", "EncryptionConfiguration",
                "HealthCheckConfiguration", "AutoScalingConfigurationSummary", "NetworkConfiguration",
                "ObservabilityConfiguration")


class ApiError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def invalid(message):
    return ApiError("InvalidRequestException", message)


def not_null(member):
    return invalid(f"1 validation error detected: Value null at '{member}' failed to satisfy constraint: "
                   f"Member must not be null")


def bad_value(value, member, constraint):
    return invalid(f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
                   f"{constraint}")


def wrong_type(member, expected):
    return ApiError("SerializationException", f"Expected {expected} for '{member}'")


# ---- request validation -------------------------------------------------------------------------------

def get(req, member, kind, path=None, required=False):
    """The member of the request structure `req`, checked for its JSON type: 'string', 'integer',
    'boolean', 'structure', 'list', 'map'. None when absent (and not required)."""
    path = path or member
    value = req.get(member)
    if value is None:
        if required:
            raise not_null(path)
        return None
    ok = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "structure": lambda v: isinstance(v, dict),
        "map": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
        "list": lambda v: isinstance(v, list),
    }[kind](value)
    if not ok:
        raise wrong_type(path, kind)
    return value


def get_enum(req, member, values, path=None, required=False):
    path = path or member
    value = get(req, member, "string", path, required)
    if value is not None and value not in values:
        raise bad_value(value, path, f"Member must satisfy enum value set: [{', '.join(values)}]")
    return value


def get_int(req, member, low, high, path=None, required=False):
    path = path or member
    value = get(req, member, "integer", path, required)
    if value is not None:
        if value < low:
            raise bad_value(value, path, f"Member must have value greater than or equal to {low}")
        if value > high:
            raise bad_value(value, path, f"Member must have value less than or equal to {high}")
    return value


def get_arn(req, member):
    value = get(req, member, "string", required=True)
    if not ARN_RE.fullmatch(value):
        raise bad_value(value, member, f"Member must satisfy regular expression pattern: {ARN_RE.pattern}")
    return value


def page(req, items, operation, max_results):
    """One page of `items` for MaxResults / NextToken: (items, next_token or None)."""
    size = get_int(req, "MaxResults", 1, max_results)
    token = get(req, "NextToken", "string")
    start = 0
    if token:
        try:
            kind, _, offset = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
            start = int(offset)
            if kind != operation or start < 0:
                raise ValueError(token)
        except ValueError:
            raise invalid(f"Invalid NextToken: {token}") from None
    if size is None:
        return items[start:], None
    end = start + size
    nxt = base64.urlsafe_b64encode(f"{operation}:{end}".encode()).decode() if end < len(items) else None
    return items[start:end], nxt


# ---- helpers ------------------------------------------------------------------------------------------

def hex_id(*parts):
    return hashlib.md5(":".join(parts).encode()).hexdigest()


def url_label(*parts):
    """App Runner's ServiceUrl subdomain: 10 lowercase letters and digits (e.g. vceuhthrgs)."""
    digest = int(hashlib.sha256(":".join(parts).encode()).hexdigest(), 16)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    out = ""
    for _ in range(10):
        digest, i = divmod(digest, 36)
        out += alphabet[i]
    return out


def seeded_uuid(*parts):
    return str(uuid.UUID(bytes=hashlib.md5(":".join(parts).encode()).digest(), version=4))


def epoch(value, what):
    """A seed-file timestamp: epoch seconds or ISO 8601."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise SystemExit(f"seed file: {what}: not a timestamp: {value!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.timezone.utc)
        return moment.timestamp()
    raise SystemExit(f"seed file: {what}: not a timestamp: {value!r}")


def ts(value):
    return round(value, 3)


class Service:
    """One service: its configuration (`doc`, the Service members that are not derived), status,
    operations (newest first) and the operation under way."""

    def __init__(self, doc, status, updated_at, asc_arn):
        self.doc = doc
        self.status = status
        self.updated_at = updated_at
        self.asc_arn = asc_arn
        self.ops = []
        self.active = None
        self.tags = []

    @property
    def arn(self):
        return self.doc["ServiceArn"]

    @property
    def name(self):
        return self.doc["ServiceName"]


class Store:
    def __init__(self, region, account, operation_seconds, quota):
        self.region = region
        self.account = account
        self.operation_seconds = operation_seconds
        self.quota = quota
        self.lock = threading.RLock()
        self.services = {}  # arn -> Service, in creation order
        self.ascs = {}  # arn -> AutoScalingConfiguration without the derived members
        self.vpcs = {}  # arn -> VpcConnector
        self.failing = set()  # names of services whose health check fails
        self.faults = {}  # operation -> [code, message, count]

    # ---- ARNs and resources ----

    def arn(self, kind, *rest):
        return f"arn:aws:apprunner:{self.region}:{self.account}:{kind}/" + "/".join(rest)

    def add_asc(self, name, revision, created_at, max_concurrency=100, min_size=1, max_size=25,
                is_default=False, arn=None, status="ACTIVE"):
        arn = arn or self.arn("autoscalingconfiguration", name, str(revision),
                              DEFAULT_ASC_ID if name == "DefaultConfiguration" and revision == 1
                              else hex_id(self.region, self.account, "asc", name, str(revision)))
        self.ascs[arn] = {
            "AutoScalingConfigurationArn": arn, "AutoScalingConfigurationName": name,
            "AutoScalingConfigurationRevision": revision, "Status": status, "MaxConcurrency": max_concurrency,
            "MinSize": min_size, "MaxSize": max_size, "CreatedAt": created_at, "IsDefault": is_default,
        }
        return arn

    def add_vpc(self, name, created_at, subnets, security_groups, revision=1, arn=None, status="ACTIVE"):
        arn = arn or self.arn("vpcconnector", name, str(revision), hex_id(self.region, self.account, "vpc", name))
        self.vpcs[arn] = {
            "VpcConnectorName": name, "VpcConnectorArn": arn, "VpcConnectorRevision": revision,
            "Subnets": list(subnets), "SecurityGroups": list(security_groups), "Status": status,
            "CreatedAt": created_at,
        }
        return arn

    def default_asc(self):
        for arn, asc in self.ascs.items():
            if asc["IsDefault"] and asc["Status"] == "ACTIVE":
                return arn
        raise ApiError("InternalServiceErrorException", "No default auto scaling configuration")

    def resolve_asc(self, arn, member):
        """An auto scaling configuration ARN as CreateService / UpdateService take it: with a name only
        (the latest revision), a name and a revision, or in full."""
        if arn in self.ascs and self.ascs[arn]["Status"] == "ACTIVE":
            return arn
        prefix = self.arn("autoscalingconfiguration", "")
        if arn.startswith(prefix):
            parts = arn[len(prefix):].split("/")
            candidates = [a for a in self.ascs.values() if a["Status"] == "ACTIVE"
                          and a["AutoScalingConfigurationName"] == parts[0]
                          and (len(parts) < 2 or str(a["AutoScalingConfigurationRevision"]) == parts[1])]
            if candidates and len(parts) <= 2:
                return max(candidates, key=lambda a: a["AutoScalingConfigurationRevision"])[
                    "AutoScalingConfigurationArn"]
        raise invalid(f"{member}: auto scaling configuration {arn} doesn't exist")

    def asc_latest(self, asc):
        return asc["Status"] == "ACTIVE" and all(
            other["AutoScalingConfigurationRevision"] <= asc["AutoScalingConfigurationRevision"]
            for other in self.ascs.values()
            if other["Status"] == "ACTIVE"
            and other["AutoScalingConfigurationName"] == asc["AutoScalingConfigurationName"])

    def asc_used(self, arn):
        return any(s.asc_arn == arn and s.status != "DELETED" for s in self.services.values())

    def asc_full(self, arn):
        asc = self.ascs[arn]
        return {
            "AutoScalingConfigurationArn": arn,
            "AutoScalingConfigurationName": asc["AutoScalingConfigurationName"],
            "AutoScalingConfigurationRevision": asc["AutoScalingConfigurationRevision"],
            "Latest": self.asc_latest(asc),
            "Status": asc["Status"],
            "MaxConcurrency": asc["MaxConcurrency"],
            "MinSize": asc["MinSize"],
            "MaxSize": asc["MaxSize"],
            "CreatedAt": ts(asc["CreatedAt"]),
            **({"DeletedAt": ts(asc["DeletedAt"])} if asc.get("DeletedAt") else {}),
            "HasAssociatedService": self.asc_used(arn),
            "IsDefault": asc["IsDefault"],
        }

    def asc_summary(self, arn):
        asc = self.ascs[arn]
        return {
            "AutoScalingConfigurationArn": arn,
            "AutoScalingConfigurationName": asc["AutoScalingConfigurationName"],
            "AutoScalingConfigurationRevision": asc["AutoScalingConfigurationRevision"],
            "Status": asc["Status"],
            "CreatedAt": ts(asc["CreatedAt"]),
            "HasAssociatedService": self.asc_used(arn),
            "IsDefault": asc["IsDefault"],
        }

    def vpc_out(self, arn):
        vpc = dict(self.vpcs[arn])
        vpc["CreatedAt"] = ts(vpc["CreatedAt"])
        if vpc.get("DeletedAt"):
            vpc["DeletedAt"] = ts(vpc["DeletedAt"])
        return vpc

    # ---- services and operations ----

    def settle(self, svc, now):
        """Move the operation under way on to where the clock says it is."""
        active = svc.active
        if not active:
            return
        op = active["op"]
        start = active["start"]
        for status, seconds in active["phases"]:
            if now < start + seconds:
                if op["Status"] != status:
                    op["Status"] = status
                    op["UpdatedAt"] = start
                return
            start += seconds
        op["Status"] = active["final"]
        op["EndedAt"] = start
        op["UpdatedAt"] = start
        if active.get("restore") is not None:
            svc.doc = active["restore"]
            svc.asc_arn = active["restore_asc"]
        svc.status = active["service_status"]
        svc.updated_at = start
        if svc.status == "DELETED":
            svc.doc["DeletedAt"] = start
        svc.active = None

    def settle_all(self, now):
        for svc in self.services.values():
            self.settle(svc, now)

    def start_op(self, svc, kind, now, final_status, fails=False, rollback=False, restore=None,
                 restore_asc=None, op_id=None):
        """Start an operation: the service is OPERATION_IN_PROGRESS until it ends."""
        t = self.operation_seconds
        phases = [("IN_PROGRESS", t)]
        if fails and rollback:
            phases.append(("ROLLBACK_IN_PROGRESS", t))
            final = "ROLLBACK_SUCCEEDED"
        else:
            final = "FAILED" if fails else "SUCCEEDED"
        op = {"Id": op_id or str(uuid.uuid4()), "Type": kind, "Status": "IN_PROGRESS", "TargetArn": svc.arn,
              "StartedAt": now, "UpdatedAt": now}
        svc.ops.insert(0, op)
        svc.active = {"op": op, "start": now, "phases": phases, "final": final, "service_status": final_status,
                      "restore": restore if (fails and rollback) else None, "restore_asc": restore_asc}
        svc.status = "OPERATION_IN_PROGRESS"
        svc.updated_at = now
        return op["Id"]

    def service_out(self, svc):
        out = {}
        for key in SERVICE_KEYS:
            if key == "Status":
                out[key] = svc.status
            elif key == "UpdatedAt":
                out[key] = ts(svc.updated_at)
            elif key == "AutoScalingConfigurationSummary":
                out[key] = self.asc_summary(svc.asc_arn)
            elif key in ("CreatedAt", "DeletedAt"):
                if svc.doc.get(key) is not None:
                    out[key] = ts(svc.doc[key])
            elif svc.doc.get(key) is not None:
                out[key] = copy.deepcopy(svc.doc[key])
        return out

    def summary_out(self, svc):
        return {
            "ServiceName": svc.name, "ServiceId": svc.doc["ServiceId"], "ServiceArn": svc.arn,
            "ServiceUrl": svc.doc["ServiceUrl"], "CreatedAt": ts(svc.doc["CreatedAt"]),
            "UpdatedAt": ts(svc.updated_at), "Status": svc.status,
        }

    @staticmethod
    def op_out(op):
        out = {"Id": op["Id"], "Type": op["Type"], "Status": op["Status"], "TargetArn": op["TargetArn"]}
        for key in ("StartedAt", "EndedAt", "UpdatedAt"):
            if op.get(key) is not None:
                out[key] = ts(op[key])
        return out

    def service(self, req, now):
        arn = get_arn(req, "ServiceArn")
        svc = self.services.get(arn)
        if svc is None:
            raise ApiError("ResourceNotFoundException", f"Service {arn} not found")
        self.settle(svc, now)
        return svc

    def new_service(self, name, now, service_id=None, arn=None, url=None):
        service_id = service_id or uuid.uuid4().hex
        return {
            "ServiceName": name,
            "ServiceId": service_id,
            "ServiceArn": arn or self.arn("service", name, service_id),
            "ServiceUrl": url or f"{url_label(service_id)}.{self.region}.awsapprunner.com",
            "CreatedAt": now,
        }


# ---- configuration members (CreateService, UpdateService, seed files) ---------------------------------

def source_configuration(src, path, account, existing=None):
    """SourceConfiguration checked and completed; with `existing`, the members given replace those."""
    if not isinstance(src, dict):
        raise wrong_type(path, "structure")
    image = get(src, "ImageRepository", "structure", f"{path}.ImageRepository")
    code = get(src, "CodeRepository", "structure", f"{path}.CodeRepository")
    auto = get(src, "AutoDeploymentsEnabled", "boolean", f"{path}.AutoDeploymentsEnabled")
    auth = get(src, "AuthenticationConfiguration", "structure", f"{path}.AuthenticationConfiguration")
    if existing is None and (image is None) == (code is None):
        raise invalid(f"{path}: provide either ImageRepository or CodeRepository (but not both)")
    if image is not None and code is not None:
        raise invalid(f"{path}: provide either ImageRepository or CodeRepository (but not both)")
    out = copy.deepcopy(existing) if existing else {}
    if existing is not None:
        had_image = "ImageRepository" in existing
        if (image is not None and not had_image) or (code is not None and had_image):
            raise invalid(f"{path}: a service can't switch between a source code repository and a source "
                          f"image repository")
    if image is not None:
        p = f"{path}.ImageRepository"
        ident = get(image, "ImageIdentifier", "string", f"{p}.ImageIdentifier", required=True)
        kind = get_enum(image, "ImageRepositoryType", ("ECR", "ECR_PUBLIC"), f"{p}.ImageRepositoryType",
                        required=True)
        if not IMAGE_IDENTIFIER_RE.fullmatch(ident):
            raise bad_value(ident, f"{p}.ImageIdentifier",
                            "Member must satisfy regular expression pattern of an ECR or ECR Public image")
        if (kind == "ECR_PUBLIC") != ident.startswith("public.ecr.aws/"):
            raise invalid(f"{p}: ImageIdentifier {ident} is not an {kind} image")
        config = get(image, "ImageConfiguration", "structure", f"{p}.ImageConfiguration") or {}
        ic = f"{p}.ImageConfiguration"
        get(config, "Port", "string", f"{ic}.Port")
        get(config, "StartCommand", "string", f"{ic}.StartCommand")
        get(config, "RuntimeEnvironmentVariables", "map", f"{ic}.RuntimeEnvironmentVariables")
        get(config, "RuntimeEnvironmentSecrets", "map", f"{ic}.RuntimeEnvironmentSecrets")
        config = {"Port": "8080", **config}
        out["ImageRepository"] = {"ImageIdentifier": ident, "ImageConfiguration": config,
                                  "ImageRepositoryType": kind}
        if auto is None and existing is None:
            same_account = kind == "ECR" and ident.startswith(f"{account}.")
            auto = same_account
    if code is not None:
        p = f"{path}.CodeRepository"
        url = get(code, "RepositoryUrl", "string", f"{p}.RepositoryUrl", required=True)
        version = get(code, "SourceCodeVersion", "structure", f"{p}.SourceCodeVersion", required=True)
        get_enum(version, "Type", ("BRANCH",), f"{p}.SourceCodeVersion.Type", required=True)
        get(version, "Value", "string", f"{p}.SourceCodeVersion.Value", required=True)
        repo = {"RepositoryUrl": url, "SourceCodeVersion": dict(version)}
        config = get(code, "CodeConfiguration", "structure", f"{p}.CodeConfiguration")
        if config is not None:
            cp = f"{p}.CodeConfiguration"
            where = get_enum(config, "ConfigurationSource", ("REPOSITORY", "API"), f"{cp}.ConfigurationSource",
                             required=True)
            values = get(config, "CodeConfigurationValues", "structure", f"{cp}.CodeConfigurationValues")
            if where == "API" and values is None:
                raise invalid(f"{cp}: CodeConfigurationValues is required when ConfigurationSource is API")
            conf = {"ConfigurationSource": where}
            if values is not None:
                vp = f"{cp}.CodeConfigurationValues"
                get_enum(values, "Runtime", RUNTIMES, f"{vp}.Runtime", required=True)
                for member in ("BuildCommand", "StartCommand", "Port"):
                    get(values, member, "string", f"{vp}.{member}")
                get(values, "RuntimeEnvironmentVariables", "map", f"{vp}.RuntimeEnvironmentVariables")
                get(values, "RuntimeEnvironmentSecrets", "map", f"{vp}.RuntimeEnvironmentSecrets")
                conf["CodeConfigurationValues"] = {**values, "Port": values.get("Port", "8080")}
            repo["CodeConfiguration"] = conf
        directory = get(code, "SourceDirectory", "string", f"{p}.SourceDirectory")
        if directory is not None:
            repo["SourceDirectory"] = directory
        out["CodeRepository"] = repo
        if auto is None and existing is None:
            auto = True
    if auto is not None:
        out["AutoDeploymentsEnabled"] = auto
    if auth is not None:
        ap = f"{path}.AuthenticationConfiguration"
        get(auth, "ConnectionArn", "string", f"{ap}.ConnectionArn")
        get(auth, "AccessRoleArn", "string", f"{ap}.AccessRoleArn")
        out["AuthenticationConfiguration"] = dict(auth)
    # The model's member order.
    order = ("CodeRepository", "ImageRepository", "AutoDeploymentsEnabled", "AuthenticationConfiguration")
    return {k: out[k] for k in order if k in out}


def instance_configuration(conf, path, existing=None):
    out = dict(existing or {"Cpu": "1024", "Memory": "2048"})
    if conf is None:
        return out
    cpu = get(conf, "Cpu", "string", f"{path}.Cpu")
    memory = get(conf, "Memory", "string", f"{path}.Memory")
    role = get(conf, "InstanceRoleArn", "string", f"{path}.InstanceRoleArn")
    if cpu is not None:
        if cpu not in CPU:
            raise bad_value(cpu, f"{path}.Cpu", "Member must satisfy regular expression pattern: "
                                               "256|512|1024|2048|4096|(0.25|0.5|1|2|4) vCPU")
        out["Cpu"] = CPU[cpu]
    if memory is not None:
        if memory not in MEMORY:
            raise bad_value(memory, f"{path}.Memory", "Member must satisfy regular expression pattern: "
                                                      "512|1024|2048|3072|4096|6144|8192|10240|12288|"
                                                      "(0.5|1|2|3|4|6|8|10|12) GB")
        out["Memory"] = MEMORY[memory]
    if role is not None:
        out["InstanceRoleArn"] = role
    return out


def health_check_configuration(conf, path):
    if conf is None:
        return dict(HEALTH_CHECK_DEFAULTS)
    get_enum(conf, "Protocol", ("TCP", "HTTP"), f"{path}.Protocol")
    path_value = get(conf, "Path", "string", f"{path}.Path")
    if path_value == "":
        raise bad_value("", f"{path}.Path", "Member must have length greater than or equal to 1")
    for member in ("Interval", "Timeout", "HealthyThreshold", "UnhealthyThreshold"):
        get_int(conf, member, 1, 20, f"{path}.{member}")
    return {**HEALTH_CHECK_DEFAULTS, **conf}


def network_configuration(conf, path, store, existing=None):
    out = copy.deepcopy(existing) if existing else {
        "EgressConfiguration": {"EgressType": "DEFAULT"},
        "IngressConfiguration": {"IsPubliclyAccessible": True},
        "IpAddressType": "IPV4",
    }
    if conf is None:
        return out
    egress = get(conf, "EgressConfiguration", "structure", f"{path}.EgressConfiguration")
    ingress = get(conf, "IngressConfiguration", "structure", f"{path}.IngressConfiguration")
    ip = get_enum(conf, "IpAddressType", ("IPV4", "DUAL_STACK"), f"{path}.IpAddressType")
    if egress is not None:
        ep = f"{path}.EgressConfiguration"
        kind = get_enum(egress, "EgressType", ("DEFAULT", "VPC"), f"{ep}.EgressType") or "DEFAULT"
        connector = get(egress, "VpcConnectorArn", "string", f"{ep}.VpcConnectorArn")
        if kind == "VPC":
            if connector is None:
                raise invalid(f"{ep}: VpcConnectorArn is required when EgressType is VPC")
            if connector not in store.vpcs or store.vpcs[connector]["Status"] != "ACTIVE":
                raise invalid(f"{ep}: VPC connector {connector} doesn't exist")
            out["EgressConfiguration"] = {"EgressType": "VPC", "VpcConnectorArn": connector}
        else:
            if connector is not None:
                raise invalid(f"{ep}: VpcConnectorArn is only valid when EgressType is VPC")
            out["EgressConfiguration"] = {"EgressType": "DEFAULT"}
    if ingress is not None:
        public = get(ingress, "IsPubliclyAccessible", "boolean", f"{path}.IngressConfiguration.IsPubliclyAccessible")
        if public is not None:
            out["IngressConfiguration"] = {"IsPubliclyAccessible": public}
    if ip is not None:
        out["IpAddressType"] = ip
    return out


def observability_configuration(conf, path):
    if conf is None:
        return {"ObservabilityEnabled": False}
    enabled = get(conf, "ObservabilityEnabled", "boolean", f"{path}.ObservabilityEnabled", required=True)
    arn = get(conf, "ObservabilityConfigurationArn", "string", f"{path}.ObservabilityConfigurationArn")
    if enabled and arn is None:
        raise invalid(f"{path}: ObservabilityConfigurationArn is required when ObservabilityEnabled is true")
    return {"ObservabilityEnabled": enabled, **({"ObservabilityConfigurationArn": arn} if enabled else {})}


def encryption_configuration(conf, path):
    if conf is None:
        return None
    key = get(conf, "KmsKey", "string", f"{path}.KmsKey", required=True)
    return {"KmsKey": key}


# ---- operations ---------------------------------------------------------------------------------------

def list_services(store, req, now):
    store.settle_all(now)
    services = [s for s in store.services.values() if s.status != "DELETED"]
    items, nxt = page(req, services, "ListServices", 20)
    out = {"ServiceSummaryList": [store.summary_out(s) for s in items]}
    if nxt:
        out["NextToken"] = nxt
    return out


def describe_service(store, req, now):
    return {"Service": store.service_out(store.service(req, now))}


def list_operations(store, req, now):
    svc = store.service(req, now)
    items, nxt = page(req, svc.ops, "ListOperations", 20)
    out = {"OperationSummaryList": [store.op_out(op) for op in items]}
    if nxt:
        out["NextToken"] = nxt
    return out


def start_deployment(store, req, now):
    svc = store.service(req, now)
    if svc.status != "RUNNING":
        raise invalid("Can't start a deployment on the specified service, because it isn't in RUNNING state")
    fails = svc.name in store.failing
    op_id = store.start_op(svc, "START_DEPLOYMENT", now, "RUNNING", fails=fails, rollback=True,
                           restore=copy.deepcopy(svc.doc), restore_asc=svc.asc_arn)
    return {"OperationId": op_id}


def pause_service(store, req, now):
    svc = store.service(req, now)
    if svc.status != "RUNNING":
        raise ApiError("InvalidStateException",
                       "Can't pause the specified service, because it isn't in RUNNING state")
    op_id = store.start_op(svc, "PAUSE_SERVICE", now, "PAUSED")
    return {"Service": store.service_out(svc), "OperationId": op_id}


def resume_service(store, req, now):
    svc = store.service(req, now)
    if svc.status != "PAUSED":
        raise ApiError("InvalidStateException",
                       "Can't resume the specified service, because it isn't in PAUSED state")
    op_id = store.start_op(svc, "RESUME_SERVICE", now, "RUNNING")
    return {"Service": store.service_out(svc), "OperationId": op_id}


def delete_service(store, req, now):
    svc = store.service(req, now)
    if svc.status in ("OPERATION_IN_PROGRESS", "DELETED"):
        raise ApiError("InvalidStateException",
                       f"Can't delete the specified service, because it's in {svc.status} state")
    op_id = store.start_op(svc, "DELETE_SERVICE", now, "DELETED")
    return {"Service": store.service_out(svc), "OperationId": op_id}


def create_service(store, req, now):
    name = get(req, "ServiceName", "string", required=True)
    source = get(req, "SourceConfiguration", "structure", required=True)
    if not SERVICE_NAME_RE.fullmatch(name):
        raise bad_value(name, "ServiceName",
                        "Member must satisfy regular expression pattern: [A-Za-z0-9][A-Za-z0-9-_]{3,39}")
    doc = store.new_service(name, now)
    doc["SourceConfiguration"] = source_configuration(source, "SourceConfiguration", store.account)
    doc["InstanceConfiguration"] = instance_configuration(
        get(req, "InstanceConfiguration", "structure"), "InstanceConfiguration")
    encryption = encryption_configuration(get(req, "EncryptionConfiguration", "structure"),
                                          "EncryptionConfiguration")
    if encryption:
        doc["EncryptionConfiguration"] = encryption
    doc["HealthCheckConfiguration"] = health_check_configuration(
        get(req, "HealthCheckConfiguration", "structure"), "HealthCheckConfiguration")
    doc["NetworkConfiguration"] = network_configuration(
        get(req, "NetworkConfiguration", "structure"), "NetworkConfiguration", store)
    doc["ObservabilityConfiguration"] = observability_configuration(
        get(req, "ObservabilityConfiguration", "structure"), "ObservabilityConfiguration")
    asc = get(req, "AutoScalingConfigurationArn", "string")
    asc_arn = store.resolve_asc(asc, "AutoScalingConfigurationArn") if asc else store.default_asc()
    tags = get(req, "Tags", "list") or []
    for i, tag in enumerate(tags):
        if not isinstance(tag, dict):
            raise wrong_type(f"Tags.{i + 1}", "structure")
        get(tag, "Key", "string", f"Tags.{i + 1}.Key")
        get(tag, "Value", "string", f"Tags.{i + 1}.Value")
    store.settle_all(now)
    alive = [s for s in store.services.values() if s.status != "DELETED"]
    if any(s.name == name for s in alive):
        raise invalid(f"Service with the provided name already exists: {name}")
    if len(alive) >= store.quota:
        raise ApiError("ServiceQuotaExceededException",
                       f"You have reached the maximum number of services ({store.quota}) for this account "
                       f"in {store.region}")
    svc = Service(doc, "OPERATION_IN_PROGRESS", now, asc_arn)
    svc.tags = tags
    store.services[svc.arn] = svc
    op_id = store.start_op(svc, "CREATE_SERVICE", now, "RUNNING" if name not in store.failing else "CREATE_FAILED",
                           fails=name in store.failing, rollback=False)
    return {"Service": store.service_out(svc), "OperationId": op_id}


def update_service(store, req, now):
    svc = store.service(req, now)
    source = get(req, "SourceConfiguration", "structure")
    instance = get(req, "InstanceConfiguration", "structure")
    asc = get(req, "AutoScalingConfigurationArn", "string")
    health = get(req, "HealthCheckConfiguration", "structure")
    network = get(req, "NetworkConfiguration", "structure")
    observability = get(req, "ObservabilityConfiguration", "structure")
    if svc.status not in ("RUNNING", "PAUSED", "CREATE_FAILED"):
        raise ApiError("InvalidStateException", "Service status must be RUNNING or PAUSED to be updated")
    before, before_asc, before_status = copy.deepcopy(svc.doc), svc.asc_arn, svc.status
    doc = copy.deepcopy(svc.doc)
    if source is not None:
        doc["SourceConfiguration"] = source_configuration(source, "SourceConfiguration", store.account,
                                                          existing=doc["SourceConfiguration"])
    if instance is not None:
        doc["InstanceConfiguration"] = instance_configuration(instance, "InstanceConfiguration",
                                                              existing=doc["InstanceConfiguration"])
    if health is not None:
        doc["HealthCheckConfiguration"] = health_check_configuration(health, "HealthCheckConfiguration")
    if network is not None:
        doc["NetworkConfiguration"] = network_configuration(network, "NetworkConfiguration", store,
                                                            existing=doc["NetworkConfiguration"])
    if observability is not None:
        doc["ObservabilityConfiguration"] = observability_configuration(observability, "ObservabilityConfiguration")
    asc_arn = store.resolve_asc(asc, "AutoScalingConfigurationArn") if asc else svc.asc_arn
    svc.doc, svc.asc_arn = doc, asc_arn
    fails = svc.name in store.failing and before_status != "PAUSED"
    if before_status == "CREATE_FAILED":
        op_id = store.start_op(svc, "UPDATE_SERVICE", now, "CREATE_FAILED" if fails else "RUNNING", fails=fails)
    else:
        op_id = store.start_op(svc, "UPDATE_SERVICE", now, before_status, fails=fails, rollback=True,
                               restore=before, restore_asc=before_asc)
    return {"Service": store.service_out(svc), "OperationId": op_id}


def describe_auto_scaling_configuration(store, req, now):
    arn = get_arn(req, "AutoScalingConfigurationArn")
    if arn not in store.ascs:
        raise ApiError("ResourceNotFoundException", f"Auto scaling configuration {arn} not found")
    store.settle_all(now)
    return {"AutoScalingConfiguration": store.asc_full(arn)}


def list_auto_scaling_configurations(store, req, now):
    name = get(req, "AutoScalingConfigurationName", "string")
    latest_only = get(req, "LatestOnly", "boolean")
    if latest_only is None:
        latest_only = True
    store.settle_all(now)
    ascs = [a for a in store.ascs.values() if a["Status"] == "ACTIVE"
            and (name is None or a["AutoScalingConfigurationName"] == name)
            and (not latest_only or store.asc_latest(a))]
    items, nxt = page(req, ascs, "ListAutoScalingConfigurations", 100)
    out = {"AutoScalingConfigurationSummaryList": [store.asc_summary(a["AutoScalingConfigurationArn"])
                                                   for a in items]}
    if nxt:
        out["NextToken"] = nxt
    return out


def list_services_for_auto_scaling_configuration(store, req, now):
    arn = get_arn(req, "AutoScalingConfigurationArn")
    if arn not in store.ascs:
        raise ApiError("ResourceNotFoundException", f"Auto scaling configuration {arn} not found")
    store.settle_all(now)
    arns = [s.arn for s in store.services.values() if s.asc_arn == arn and s.status != "DELETED"]
    items, nxt = page(req, arns, "ListServicesForAutoScalingConfiguration", 100)
    out = {"ServiceArnList": items}
    if nxt:
        out["NextToken"] = nxt
    return out


def describe_vpc_connector(store, req, now):
    arn = get_arn(req, "VpcConnectorArn")
    if arn not in store.vpcs:
        raise ApiError("ResourceNotFoundException", f"VPC connector {arn} not found")
    return {"VpcConnector": store.vpc_out(arn)}


def list_vpc_connectors(store, req, now):
    items, nxt = page(req, list(store.vpcs), "ListVpcConnectors", 100)
    out = {"VpcConnectors": [store.vpc_out(arn) for arn in items]}
    if nxt:
        out["NextToken"] = nxt
    return out


OPERATIONS = {
    "ListServices": list_services,
    "DescribeService": describe_service,
    "ListOperations": list_operations,
    "StartDeployment": start_deployment,
    "PauseService": pause_service,
    "ResumeService": resume_service,
    "CreateService": create_service,
    "UpdateService": update_service,
    "DeleteService": delete_service,
    "DescribeAutoScalingConfiguration": describe_auto_scaling_configuration,
    "ListAutoScalingConfigurations": list_auto_scaling_configurations,
    "ListServicesForAutoScalingConfiguration": list_services_for_auto_scaling_configuration,
    "DescribeVpcConnector": describe_vpc_connector,
    "ListVpcConnectors": list_vpc_connectors,
}


# ---- seeds --------------------------------------------------------------------------------------------

def add_seed_service(store, entry, now, where):
    """A Service object (as DescribeService answers) into the store, completed with defaults."""
    ops_given = None
    if "Service" in entry and isinstance(entry["Service"], dict):
        ops_given = entry.get("OperationSummaryList")
        if entry.get("HealthCheckFailing"):
            store.failing.add(entry["Service"].get("ServiceName"))
        entry = entry["Service"]
    name = entry.get("ServiceName")
    if not isinstance(name, str) or not SERVICE_NAME_RE.fullmatch(name):
        raise SystemExit(f"{where}: ServiceName missing or not a valid name: {name!r}")
    if "SourceConfiguration" not in entry:
        raise SystemExit(f"{where}: {name}: SourceConfiguration is required")
    try:
        service_id = entry.get("ServiceId") or hex_id(store.region, store.account, "service", name)
        doc = store.new_service(name, 0, service_id=service_id, arn=entry.get("ServiceArn"),
                                url=entry.get("ServiceUrl"))
        if not ARN_RE.fullmatch(doc["ServiceArn"]):
            raise SystemExit(f"{where}: {name}: not an ARN: {doc['ServiceArn']}")
        created = epoch(entry["CreatedAt"], f"{name}.CreatedAt") if "CreatedAt" in entry else now - 86400
        updated = epoch(entry["UpdatedAt"], f"{name}.UpdatedAt") if "UpdatedAt" in entry else created
        doc["CreatedAt"] = created
        status = entry.get("Status", "RUNNING")
        if status not in SERVICE_STATUSES:
            raise SystemExit(f"{where}: {name}: Status must be one of {', '.join(SERVICE_STATUSES)}")
        if "DeletedAt" in entry:
            doc["DeletedAt"] = epoch(entry["DeletedAt"], f"{name}.DeletedAt")
        elif status == "DELETED":
            doc["DeletedAt"] = updated
        doc["SourceConfiguration"] = source_configuration(entry["SourceConfiguration"], "SourceConfiguration",
                                                          store.account)
        doc["InstanceConfiguration"] = instance_configuration(entry.get("InstanceConfiguration"),
                                                              "InstanceConfiguration")
        encryption = encryption_configuration(entry.get("EncryptionConfiguration"), "EncryptionConfiguration")
        if encryption:
            doc["EncryptionConfiguration"] = encryption
        doc["HealthCheckConfiguration"] = health_check_configuration(entry.get("HealthCheckConfiguration"),
                                                                     "HealthCheckConfiguration")
        network = entry.get("NetworkConfiguration") or {}
        connector = (network.get("EgressConfiguration") or {}).get("VpcConnectorArn")
        if connector and connector not in store.vpcs:
            parts = connector.split(":", 5)[-1].split("/")
            store.add_vpc(parts[1] if len(parts) > 1 else "vpc-connector", created, [
                f"subnet-{hex_id(connector, 'a')[:17]}", f"subnet-{hex_id(connector, 'b')[:17]}"],
                [f"sg-{hex_id(connector, 'sg')[:17]}"], arn=connector)
        doc["NetworkConfiguration"] = network_configuration(network, "NetworkConfiguration", store)
        doc["ObservabilityConfiguration"] = observability_configuration(entry.get("ObservabilityConfiguration"),
                                                                        "ObservabilityConfiguration")
    except ApiError as e:
        raise SystemExit(f"{where}: {name}: {e.message}") from None
    summary = entry.get("AutoScalingConfigurationSummary") or {}
    asc_arn = summary.get("AutoScalingConfigurationArn")
    if not asc_arn:
        asc_arn = store.default_asc()
    elif asc_arn not in store.ascs:
        parts = asc_arn.split(":", 5)[-1].split("/")
        store.add_asc(summary.get("AutoScalingConfigurationName") or (parts[1] if len(parts) > 1 else "seeded"),
                      summary.get("AutoScalingConfigurationRevision") or (
                          int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1),
                      epoch(summary["CreatedAt"], f"{name}.AutoScalingConfigurationSummary.CreatedAt")
                      if "CreatedAt" in summary else created,
                      is_default=bool(summary.get("IsDefault")), arn=asc_arn)
    svc = Service(doc, status, updated, asc_arn)
    if svc.arn in store.services:
        raise SystemExit(f"{where}: two services with the ARN {svc.arn}")
    store.services[svc.arn] = svc
    if ops_given is not None:
        for i, op in enumerate(ops_given):
            if op.get("Type") not in OPERATION_TYPES or op.get("Status") not in OPERATION_STATUSES:
                raise SystemExit(f"{where}: {name}: operation {i}: Type and Status must be the model's values")
            out = {"Id": op.get("Id") or seeded_uuid(svc.arn, "op", str(i)), "Type": op["Type"],
                   "Status": op["Status"], "TargetArn": op.get("TargetArn") or svc.arn}
            for key in ("StartedAt", "EndedAt", "UpdatedAt"):
                if op.get(key) is not None:
                    out[key] = epoch(op[key], f"{name}.OperationSummaryList[{i}].{key}")
            svc.ops.append(out)
    else:
        ended = min(created + 240, max(updated, created))
        svc.ops.append({"Id": seeded_uuid(svc.arn, "create"), "Type": "CREATE_SERVICE",
                        "Status": "FAILED" if status == "CREATE_FAILED" else "SUCCEEDED", "TargetArn": svc.arn,
                        "StartedAt": created, "EndedAt": ended, "UpdatedAt": ended})
        last = {"PAUSED": "PAUSE_SERVICE", "DELETED": "DELETE_SERVICE", "DELETE_FAILED": "DELETE_SERVICE"}.get(status)
        if last and updated > created:
            svc.ops.insert(0, {"Id": seeded_uuid(svc.arn, "last"), "Type": last,
                               "Status": "FAILED" if status == "DELETE_FAILED" else "SUCCEEDED",
                               "TargetArn": svc.arn, "StartedAt": max(created, updated - 60), "EndedAt": updated,
                               "UpdatedAt": updated})
    if status == "OPERATION_IN_PROGRESS":
        svc.status = "RUNNING"
        store.start_op(svc, "START_DEPLOYMENT", now, "RUNNING", fails=name in store.failing, rollback=True,
                       restore=copy.deepcopy(svc.doc), restore_asc=svc.asc_arn,
                       op_id=seeded_uuid(svc.arn, "in-progress"))
    return svc


def load_seed_file(store, path, now):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if isinstance(data, dict) and "Service" in data and "Services" not in data:
        data = [data]
    if isinstance(data, list):
        data = {"Services": data}
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: expected a list of services or an object")
    for i, asc in enumerate(data.get("AutoScalingConfigurations", [])):
        store.add_asc(asc["AutoScalingConfigurationName"], asc.get("AutoScalingConfigurationRevision", 1),
                      epoch(asc["CreatedAt"], f"AutoScalingConfigurations[{i}].CreatedAt")
                      if "CreatedAt" in asc else now - 86400,
                      asc.get("MaxConcurrency", 100), asc.get("MinSize", 1), asc.get("MaxSize", 25),
                      bool(asc.get("IsDefault")), arn=asc.get("AutoScalingConfigurationArn"),
                      status=asc.get("Status", "ACTIVE"))
        if asc.get("IsDefault"):
            for other in store.ascs.values():
                if other["AutoScalingConfigurationName"] != asc["AutoScalingConfigurationName"]:
                    other["IsDefault"] = False
    for i, vpc in enumerate(data.get("VpcConnectors", [])):
        store.add_vpc(vpc["VpcConnectorName"],
                      epoch(vpc["CreatedAt"], f"VpcConnectors[{i}].CreatedAt") if "CreatedAt" in vpc else now - 86400,
                      vpc.get("Subnets", []), vpc.get("SecurityGroups", []), vpc.get("VpcConnectorRevision", 1),
                      arn=vpc.get("VpcConnectorArn"), status=vpc.get("Status", "ACTIVE"))
    for i, entry in enumerate(data.get("Services", [])):
        if not isinstance(entry, dict):
            raise SystemExit(f"{path}: service {i}: expected an object")
        add_seed_service(store, entry, now, f"{path}: service {i}")


DAY = 86400.0


DEFAULT_ASC_CREATED = 1621382400.0  # 2021-05-19, App Runner's launch: a fixed time, so re-seeded answers match


def seed_base(store, now):
    store.add_asc("DefaultConfiguration", 1, DEFAULT_ASC_CREATED, is_default=True)


def seed_demo(store, now):
    region, account = store.region, store.account
    store.add_asc("high-availability", 1, now - 120 * DAY, 50, 3, 10)
    ha2 = store.add_asc("high-availability", 2, now - 30 * DAY, 50, 3, 10)
    vpc = store.add_vpc("internal-vpc", now - 95 * DAY, ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"],
                        ["sg-0123456789abcdef0"])
    ecr = f"{account}.dkr.ecr.{region}.amazonaws.com"
    access_role = f"arn:aws:iam::{account}:role/service-role/AppRunnerECRAccessRole"

    def history(svc, steps):
        """steps: (type, status, started seconds ago, seconds it took), oldest first."""
        for i, (kind, status, ago, took) in enumerate(steps):
            start = now - ago
            svc.ops.insert(0, {"Id": seeded_uuid(svc.arn, "demo-op", str(i)), "Type": kind, "Status": status,
                               "TargetArn": svc.arn, "StartedAt": start, "EndedAt": start + took,
                               "UpdatedAt": start + took})
        svc.updated_at = svc.ops[0]["EndedAt"]

    storefront = add_seed_service(store, {"Service": {
        "ServiceName": "storefront",
        "CreatedAt": now - 60 * DAY,
        "Status": "RUNNING",
        "SourceConfiguration": {
            "ImageRepository": {
                "ImageIdentifier": f"{ecr}/storefront:v42",
                "ImageConfiguration": {"Port": "8080", "RuntimeEnvironmentVariables": {
                    "NODE_ENV": "production", "API_BASE_URL": "https://api.example.com"}},
                "ImageRepositoryType": "ECR",
            },
            "AutoDeploymentsEnabled": True,
            "AuthenticationConfiguration": {"AccessRoleArn": access_role},
        },
        "InstanceConfiguration": {"Cpu": "1024", "Memory": "2048",
                                  "InstanceRoleArn": f"arn:aws:iam::{account}:role/storefront-instance"},
        "HealthCheckConfiguration": {"Protocol": "HTTP", "Path": "/healthz", "Interval": 10, "Timeout": 5,
                                     "HealthyThreshold": 1, "UnhealthyThreshold": 5},
        "AutoScalingConfigurationSummary": {"AutoScalingConfigurationArn": ha2},
    }, "OperationSummaryList": []}, now, "demo")
    history(storefront, [("CREATE_SERVICE", "SUCCEEDED", 60 * DAY, 290),
                         ("START_DEPLOYMENT", "SUCCEEDED", 9 * DAY, 212),
                         ("START_DEPLOYMENT", "SUCCEEDED", 26 * 3600, 187)])

    pricing = add_seed_service(store, {"Service": {
        "ServiceName": "pricing-api",
        "CreatedAt": now - 20 * DAY,
        "Status": "RUNNING",
        "SourceConfiguration": {
            "ImageRepository": {
                "ImageIdentifier": f"{ecr}/pricing-api:2.14.0",
                "ImageConfiguration": {"Port": "8000", "StartCommand": "gunicorn -b 0.0.0.0:8000 pricing.app:app",
                                       "RuntimeEnvironmentVariables": {"LOG_LEVEL": "info"},
                                       "RuntimeEnvironmentSecrets": {
                                           "DATABASE_URL": f"arn:aws:secretsmanager:{region}:{account}:secret:"
                                                           f"pricing/db-AbCdEf"}},
                "ImageRepositoryType": "ECR",
            },
            "AutoDeploymentsEnabled": False,
            "AuthenticationConfiguration": {"AccessRoleArn": access_role},
        },
        "InstanceConfiguration": {"Cpu": "2048", "Memory": "4096",
                                  "InstanceRoleArn": f"arn:aws:iam::{account}:role/pricing-api-instance"},
        "HealthCheckConfiguration": {"Protocol": "HTTP", "Path": "/health", "Interval": 5, "Timeout": 2,
                                     "HealthyThreshold": 1, "UnhealthyThreshold": 3},
    }, "OperationSummaryList": [], "HealthCheckFailing": True}, now, "demo")
    history(pricing, [("CREATE_SERVICE", "SUCCEEDED", 20 * DAY, 301),
                      ("START_DEPLOYMENT", "SUCCEEDED", 5 * DAY, 240),
                      ("START_DEPLOYMENT", "ROLLBACK_SUCCEEDED", 2 * 3600, 1150),
                      ("START_DEPLOYMENT", "ROLLBACK_SUCCEEDED", 40 * 60, 1130)])

    admin = add_seed_service(store, {"Service": {
        "ServiceName": "internal-admin",
        "CreatedAt": now - 90 * DAY,
        "Status": "PAUSED",
        "SourceConfiguration": {
            "ImageRepository": {
                "ImageIdentifier": f"{ecr}/internal-admin:1.8.3",
                "ImageConfiguration": {"Port": "8080"},
                "ImageRepositoryType": "ECR",
            },
            "AutoDeploymentsEnabled": False,
            "AuthenticationConfiguration": {"AccessRoleArn": access_role},
        },
        "InstanceConfiguration": {"Cpu": "512", "Memory": "1024",
                                  "InstanceRoleArn": f"arn:aws:iam::{account}:role/internal-admin-instance"},
        "EncryptionConfiguration": {
            "KmsKey": f"arn:aws:kms:{region}:{account}:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"},
        "NetworkConfiguration": {
            "EgressConfiguration": {"EgressType": "VPC", "VpcConnectorArn": vpc},
            "IngressConfiguration": {"IsPubliclyAccessible": False},
            "IpAddressType": "IPV4",
        },
    }, "OperationSummaryList": []}, now, "demo")
    history(admin, [("CREATE_SERVICE", "SUCCEEDED", 90 * DAY, 410),
                    ("START_DEPLOYMENT", "SUCCEEDED", 30 * DAY, 260),
                    ("PAUSE_SERVICE", "SUCCEEDED", 3 * DAY, 75)])

    docs = add_seed_service(store, {"Service": {
        "ServiceName": "docs-site",
        "CreatedAt": now - 45 * DAY,
        "Status": "RUNNING",
        "SourceConfiguration": {
            "CodeRepository": {
                "RepositoryUrl": "https://github.com/example-org/docs-site",
                "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                "CodeConfiguration": {
                    "ConfigurationSource": "API",
                    "CodeConfigurationValues": {
                        "Runtime": "NODEJS_18",
                        "BuildCommand": "npm ci && npm run build",
                        "StartCommand": "npm run serve",
                        "Port": "3000",
                        "RuntimeEnvironmentVariables": {"NODE_ENV": "production"},
                    },
                },
                "SourceDirectory": "/",
            },
            "AutoDeploymentsEnabled": True,
            "AuthenticationConfiguration": {
                "ConnectionArn": store.arn("connection", "github-example-org",
                                           hex_id(region, account, "connection"))},
        },
        "InstanceConfiguration": {"Cpu": "1024", "Memory": "2048"},
    }, "OperationSummaryList": []}, now, "demo")
    history(docs, [("CREATE_SERVICE", "SUCCEEDED", 45 * DAY, 520),
                   ("START_DEPLOYMENT", "SUCCEEDED", 12 * DAY, 330),
                   ("START_DEPLOYMENT", "SUCCEEDED", 4 * DAY, 315),
                   ("START_DEPLOYMENT", "SUCCEEDED", 6 * 3600, 342)])


# ---- HTTP ---------------------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AppRunnerEmulator/1.0"
    store = None
    verbose = False

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("apprunner: " + (fmt % args) + "\n")

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_json(self, status, obj, error_type=None, content_type="application/x-amz-json-1.0"):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.end_headers()
        self.wfile.write(body)

    def send_error_json(self, code, message):
        self.send_json(ERROR_STATUS[code], {"__type": code, "Message": message}, error_type=code)

    def do_GET(self):
        self.read_body()
        if self.path.split("?")[0] == "/_control/state":
            store = self.store
            with store.lock:
                self.send_json(200, {"Now": time.time(), "OperationSeconds": store.operation_seconds,
                                     "Failing": sorted(store.failing),
                                     "Faults": {k: {"Error": v[0], "Count": v[2]} for k, v in store.faults.items()}},
                               content_type="application/json")
            return
        self.send_error_json("UnknownOperationException", f"GET {self.path} is not an App Runner operation")

    def do_POST(self):
        body = self.read_body()
        path = self.path.split("?")[0]
        if path.startswith("/_control/"):
            return self.control(path, body)
        target = self.headers.get("X-Amz-Target", "")
        prefix, _, operation = target.partition(".")
        if path != "/" or prefix != "AppRunner" or operation not in OPERATIONS:
            return self.send_error_json("UnknownOperationException", f"Unknown operation {target or path}")
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return self.send_error_json("SerializationException", "The request body is not valid JSON")
        if not isinstance(req, dict):
            return self.send_error_json("SerializationException", "The request body must be a JSON object")
        store = self.store
        try:
            with store.lock:
                fault = store.faults.get(operation)
                if fault:
                    fault[2] -= 1
                    if fault[2] <= 0:
                        del store.faults[operation]
                    raise ApiError(fault[0], fault[1])
                result = OPERATIONS[operation](store, req, time.time())
        except ApiError as e:
            return self.send_error_json(e.code, e.message)
        except Exception:  # a bug here: say so as AWS would, and tell whoever reads stderr
            traceback.print_exc()
            return self.send_error_json("InternalServiceErrorException", "An internal error occurred")
        self.send_json(200, result)

    def control(self, path, body):
        store = self.store
        try:
            req = json.loads(body or b"{}")
            if not isinstance(req, dict):
                raise ValueError("expected a JSON object")
            with store.lock:
                if path == "/_control/health":
                    name = req["ServiceName"]
                    if req.get("Failing", True):
                        store.failing.add(name)
                    else:
                        store.failing.discard(name)
                    answer = {"Failing": sorted(store.failing)}
                elif path == "/_control/fail":
                    operation = req["Operation"]
                    code = req.get("Error", "InternalServiceErrorException")
                    if operation not in OPERATIONS:
                        raise ValueError(f"unknown operation {operation}")
                    if code not in ("InvalidRequestException", "ResourceNotFoundException", "InvalidStateException",
                                    "InternalServiceErrorException", "ServiceQuotaExceededException"):
                        raise ValueError(f"unknown error {code}")
                    count = int(req.get("Count", 1))
                    message = req.get("Message", "An internal error occurred"
                                      if code == "InternalServiceErrorException" else f"Injected {code}")
                    if count > 0:
                        store.faults[operation] = [code, message, count]
                    else:
                        store.faults.pop(operation, None)
                    answer = {"Operation": operation, "Error": code, "Count": count}
                elif path == "/_control/operation-seconds":
                    seconds = float(req["Seconds"])
                    if seconds < 0:
                        raise ValueError("Seconds must be >= 0")
                    store.operation_seconds = seconds
                    answer = {"Seconds": seconds}
                else:
                    return self.send_json(404, {"message": f"no control endpoint {path}"},
                                          content_type="application/json")
        except (KeyError, ValueError, TypeError) as e:
            return self.send_json(400, {"message": f"bad control request: {e!r}"}, content_type="application/json")
        self.send_json(200, answer, content_type="application/json")


def main():
    parser = argparse.ArgumentParser(description="App Runner API emulator for bosun's tests")
    parser.add_argument("--seed", choices=("demo", "empty"), default="demo")
    parser.add_argument("--seed-file")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--account", default="123456789012")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--operation-seconds", type=float, default=2.0)
    parser.add_argument("--failing-health-check", action="append", default=[], metavar="NAME")
    parser.add_argument("--service-quota", type=int, default=30)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if not re.fullmatch(r"[0-9]{12}", args.account):
        parser.error("--account must be 12 digits")
    if args.operation_seconds < 0:
        parser.error("--operation-seconds must be >= 0")

    now = float(int(time.time()))
    store = Store(args.region, args.account, args.operation_seconds, args.service_quota)
    store.failing.update(args.failing_health_check)
    seed_base(store, now)
    if args.seed == "demo":
        seed_demo(store, now)
    if args.seed_file:
        load_seed_file(store, args.seed_file, now)

    Handler.store = store
    Handler.verbose = args.verbose
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    # Operations seeded under way start now, when the server can be asked about them.
    started = time.time()
    for svc in store.services.values():
        if svc.active:
            svc.active["start"] = svc.active["op"]["StartedAt"] = svc.active["op"]["UpdatedAt"] = started
            svc.updated_at = started
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"PORT {server.server_address[1]}", flush=True)
    # Serve until the test that started us goes away.
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    server.shutdown()


if __name__ == "__main__":
    main()
