"""ECS deployment history, task protection, CloudWatch alarm history and Application Auto
Scaling activities for the test moto server (moto 5.2.5 has none of them).

`install()` patches moto in place; `moto_server.py` calls it before it starts serving. Every
name, type, enum value and error code below comes from botocore's service models
(ecs 2014-11-13, cloudwatch 2010-08-01, application-autoscaling 2016-02-06).

Emulated
  ECS
    CreateService / UpdateService keep what moto drops: deploymentConfiguration (filled in
      with AWS's defaults: circuit breaker off, 200 % / 100 %), capacityProviderStrategy (or
      the cluster's default one; then launchType is left out, as on AWS; an empty one in
      UpdateService goes back to the launch type, FARGATE from Fargate's providers; a
      change of it without forceNewDeployment is refused, as AWS refuses it),
      serviceConnectConfiguration, placementConstraints, placementStrategy,
      healthCheckGracePeriodSeconds, enableECSManagedTags, enableExecuteCommand,
      availabilityZoneRebalancing, volumeConfigurations, vpcLatticeConfigurations, createdAt
      (DescribeServices answers what its Service shape has: serviceConnectConfiguration only
      shows on deployments[] and revisions). UpdateService resolves a task definition to its
      ARN (moto kept what was asked). DescribeServices: deployments[] (PRIMARY / ACTIVE,
      rolloutState, failedTasks, serviceConnectConfiguration...), currentServiceDeployment,
      currentServiceRevisions.
    Service revisions and service deployments: CreateService, and every UpdateService that
      starts a deployment (forceNewDeployment, or one of the parameters the API reference
      says "triggers a new service deployment": taskDefinition, networkConfiguration,
      platformVersion, loadBalancers, serviceRegistries, serviceConnectConfiguration,
      volumeConfigurations, vpcLatticeConfigurations; desiredCount, deploymentConfiguration
      and the others do not) record a revision and a deployment, for services with the ECS
      deployment controller. ListServiceDeployments (service, cluster, status[], createdAt
      {before, after}, maxResults 1-100 default 20, nextToken), DescribeServiceDeployments,
      DescribeServiceRevisions (at most 20 ARNs; unknown ones come back as failures with
      reason MISSING), StopServiceDeployment (ROLLBACK -> ROLLBACK_REQUESTED and a rollback
      to the last successful revision; ABORT -> STOP_REQUESTED; a finished deployment ->
      ConflictException; an unknown ARN -> ServiceDeploymentNotFoundException).
    GetTaskProtection / UpdateTaskProtection: protectionEnabled, expiresInMinutes (1-2880,
      default 120) -> expirationDate; failures MISSING (no such task) and TASK_NOT_VALID (a
      task not started by a service: moto knows them by a group of "service:NAME").
    Task sets: a CODE_DEPLOY service created with a task definition gets its initial PRIMARY
      task set (startedBy CODE_DEPLOY), as on AWS; task sets get computedDesiredCount (the
      service's desiredCount x scale, rounded up), runningCount, pendingCount and the
      documented stabilityStatus; platformVersion only on Fargate; DescribeTaskSets answers
      failures (MISSING) for unknown task sets; UpdateService refuses taskDefinition,
      networkConfiguration, platformVersion and loadBalancers for CODE_DEPLOY and EXTERNAL
      services (the API reference: "create a new CodeDeploy deployment" / "create a new task
      set").
  CloudWatch
    DescribeAlarmHistory (AlarmName, AlarmTypes (default MetricAlarm only), HistoryItemType,
      StartDate, EndDate, MaxRecords 1-100 default 50, NextToken, ScanBy). History items are
      written as AWS writes them: ConfigurationUpdate on PutMetricAlarm ('Alarm "x" created' /
      'updated', HistoryData {"version","type":"Create"|"Update","createdAlarm" |
      "originalUpdatedFields"+"updatedAlarm"}), DeleteAlarms ('deleted', "deletedAlarm") and
      Enable/DisableAlarmActions; StateUpdate on a change of state by SetAlarmState ("Alarm
      updated from OK to ALARM", HistoryData {"version","oldState","newState"}). The history
      outlives the alarm, as on AWS. PutMetricAlarm on an existing alarm keeps its state
      (AWS: "its state is left unchanged"; moto reset it to OK). moto 5.2.5 has no
      PutCompositeAlarm, so no CompositeAlarm items.
  Application Auto Scaling
    DescribeScalingActivities (ServiceNamespace, ResourceId, ScalableDimension (needs
      ResourceId), MaxResults 1-50 default 50, NextToken, IncludeNotScaledActivities),
      newest first. Activities are only what a test records (below).

Not emulated, or the emulator's own choice where AWS documents nothing: nothing runs tasks
or moves a deployment by itself (see the control endpoints); no circuit breaker or alarm
evaluation; no lifecycle hooks are invoked; no Action alarm history items (moto runs no alarm
actions); image digests are made up (sha256 of the image name); a new alarm starts in moto's
OK, not AWS's INSUFFICIENT_DATA; services with the CODE_DEPLOY or EXTERNAL controller record
no service deployments; a deployment still going when a newer one starts becomes STOPPED;
ListServiceDeployments lists newest first; GetTaskProtection without tasks answers for every
service task of the cluster; the wording of error messages, of a FAILED rolloutStateReason
without a statusReason and of a StopServiceDeployment rollback's reason.

Control endpoints (test only; JSON in, JSON out; 400 for a bad request, 404 for an unknown ARN):

  POST /_bosun/ecs/service-deployment
    {"serviceDeploymentArn": ARN,                     required
     "status": PENDING | IN_PROGRESS | SUCCESSFUL | STOPPED | STOP_REQUESTED |
               ROLLBACK_REQUESTED | ROLLBACK_IN_PROGRESS | ROLLBACK_SUCCESSFUL | ROLLBACK_FAILED,
     "statusReason": str, "lifecycleStage": str,
     "failureCount": int,                             circuit breaker failures (and failedTasks)
     "circuitBreakerStatus": TRIGGERED | MONITORING | MONITORING_COMPLETE | DISABLED,
     "triggeredAlarmNames": [str], "alarmsStatus": same values,
     "targetServiceRevision": {"requestedTaskCount", "runningTaskCount", "pendingTaskCount"},
     "sourceServiceRevisions": [{"arn", "requestedTaskCount", ...}]}
    Moves the deployment and the service's deployments[] with it: SUCCESSFUL -> the entry is
    COMPLETED and the older entries go away; STOPPED -> FAILED; ROLLBACK_* -> the entry is
    FAILED and a PRIMARY entry rolls back to the last successful revision (COMPLETED on
    ROLLBACK_SUCCESSFUL); the service's runningCount follows. Counts given win over the
    defaults of the status. Answers the deployment as DescribeServiceDeployments shows it.
  POST /_bosun/ecs/task-set
    {"taskSetArn": ARN, "runningCount": int, "pendingCount": int}
  POST /_bosun/autoscaling/activity
    {"ServiceNamespace", "ResourceId", "ScalableDimension", "Description", "Cause",
     "StatusCode"} required, and optionally "ActivityId", "StartTime", "EndTime" (epoch
    seconds or ISO 8601; StartTime defaults to now, EndTime to now for a finished
    StatusCode), "StatusMessage", "Details", "NotScaledReasons", "region" (us-east-1),
    "account" (moto's default). Answers the recorded activity.
"""

import copy
import hashlib
import json
import math
import string
import threading
from datetime import datetime, timedelta, timezone

# Service deployment states AWS calls "Ongoing" (or not started yet): StopServiceDeployment
# takes only these.
ONGOING = ("PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")
ROLLING_BACK = ("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")

# UpdateService parameters documented with "This parameter triggers a new service deployment."
DEPLOYING_PARAMS = ("taskDefinition", "networkConfiguration", "platformVersion", "loadBalancers",
                    "serviceRegistries", "serviceConnectConfiguration", "volumeConfigurations",
                    "vpcLatticeConfigurations")
# What UpdateService refuses for CODE_DEPLOY and EXTERNAL services (AWS: create a new
# CodeDeploy deployment / task set instead).
TASK_SET_PARAMS = ("taskDefinition", "networkConfiguration", "platformVersion", "loadBalancers")
# CreateService / UpdateService parameters moto drops; kept as they came and returned by
# DescribeServices.
KEPT_PARAMS = ("capacityProviderStrategy", "serviceConnectConfiguration", "placementConstraints",
               "placementStrategy", "healthCheckGracePeriodSeconds", "enableECSManagedTags",
               "enableExecuteCommand", "availabilityZoneRebalancing", "volumeConfigurations",
               "vpcLatticeConfigurations")

_LOCK = threading.RLock()
_MODELS = {}
# The control endpoints served in front of moto: path -> handler(body) -> (status, answer).
# Other modules (moto_codedeploy) add theirs.
CONTROL = {}


def install():
    """Patch moto (call once, before serving)."""
    _install_ecs()
    _install_cloudwatch()
    _install_autoscaling()
    _install_control_endpoints()


# ---------------------------------------------------------------- helpers

def _model(service):
    if service not in _MODELS:
        import botocore.session
        _MODELS[service] = botocore.session.get_session().get_service_model(service)
    return _MODELS[service]


def _enum(service, shape):
    return list(_model(service).shape_for(shape).enum)


def _now():
    from moto.core.utils import utcnow
    return _ms(utcnow())  # naive UTC, as moto keeps its times


def _ms(value):
    """A datetime to the millisecond, the precision AWS answers (and filters) with."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _epoch(value):
    """A timestamp (datetime, naive = UTC, or epoch seconds, or ISO 8601) -> epoch seconds."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


def _datetime(value):
    """Epoch seconds or ISO 8601 -> naive UTC datetime."""
    return datetime.fromtimestamp(_epoch(value), timezone.utc).replace(tzinfo=None)


def _jsonable(value):
    """Our records -> JSON for the control endpoints (datetimes as epoch seconds, the
    bookkeeping keys starting with "_" left out)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return _epoch(value)
    return value


def _page(items, token, size, bad_token):
    """One page of `items` from the opaque `token` (an offset here)."""
    start = 0
    if token:
        try:
            start = int(token)
        except ValueError:
            raise bad_token
        if start < 0 or start > len(items):
            raise bad_token
    page = items[start:start + size]
    following = str(start + size) if start + size < len(items) else None
    return page, following


def _arn_parts(arn):
    """arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE -> (region, account)."""
    parts = (arn or "").split(":", 5)
    if len(parts) < 6:
        raise ValueError(f"not an ARN: {arn!r}")
    return parts[3], parts[4]


def _random_id(length):
    from moto.moto_api._internal import mock_random
    alphabet = string.ascii_letters + string.digits + "_"
    return "".join(mock_random.choice(alphabet) for _ in range(length))


def _random_digits(length):
    from moto.moto_api._internal import mock_random
    return str(mock_random.randint(10 ** (length - 1), 10 ** length - 1))


# ---------------------------------------------------------------- ECS

def _state(backend):
    """What this module keeps per ECS backend (account and region)."""
    state = getattr(backend, "bosun_deploy", None)
    if state is None:
        state = {"revisions": {}, "deployments": {}, "protection": {}}
        backend.bosun_deploy = state
    return state


def _service_key(service):
    return f"{service.cluster_name}:{service.name}"


def _controller(service):
    return (service.deployment_controller or {}).get("type", "ECS")


def _is_fargate(service):
    strategy = getattr(service, "capacity_provider_strategy", None) or []
    if strategy:
        return any(item.get("capacityProvider") in ("FARGATE", "FARGATE_SPOT") for item in strategy)
    return service.launch_type == "FARGATE"


def _default_deployment_configuration(service):
    """What DescribeServices shows when CreateService was given no deploymentConfiguration."""
    if _controller(service) != "ECS":
        return {"maximumPercent": 200, "minimumHealthyPercent": 100}
    if service.scheduling_strategy == "DAEMON":
        return {"deploymentCircuitBreaker": {"enable": False, "rollback": False},
                "maximumPercent": 100, "minimumHealthyPercent": 0}
    return {"deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": 200, "minimumHealthyPercent": 100}


def _keep_params(service, params):
    from botocore import xform_name
    for name in KEPT_PARAMS:
        if params.get(name) is not None:
            setattr(service, xform_name(name), copy.deepcopy(params[name]))


def _placement(service):
    """launchType or capacityProviderStrategy, and the Fargate platform, as a deployment or
    a revision shows them."""
    fields = {}
    strategy = getattr(service, "capacity_provider_strategy", None)
    if strategy:
        fields["capacityProviderStrategy"] = copy.deepcopy(strategy)
    elif service.launch_type:
        fields["launchType"] = service.launch_type
    if _is_fargate(service):
        # AWS resolves LATEST to the platform version it runs (1.4.0 for Linux).
        version = service.platform_version
        fields["platformVersion"] = "1.4.0" if version in (None, "LATEST") else version
        fields["platformFamily"] = "Linux"
    return fields


def _container_images(backend, task_definition_arn):
    if not task_definition_arn:
        return []
    task_definition = backend.describe_task_definition(task_definition_arn)
    images = []
    for container in task_definition.container_definitions:
        image = container.get("image", "")
        # AWS resolves the tag to the digest it pulled; this one is made up.
        digest = "sha256:" + hashlib.sha256(image.encode()).hexdigest()
        images.append({"containerName": container.get("name"), "imageDigest": digest, "image": image})
    return images


def _new_revision(backend, service, now):
    from moto.utilities.utils import get_partition
    region = backend.region_name
    arn = (f"arn:{get_partition(region)}:ecs:{region}:{backend.account_id}:service-revision/"
           f"{service.cluster_name}/{service.name}/{_random_digits(19)}")
    revision = {
        "serviceRevisionArn": arn,
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "taskDefinition": service.task_definition,
        **_placement(service),
        "loadBalancers": copy.deepcopy(service.load_balancers or []),
        "serviceRegistries": copy.deepcopy(service.service_registries or []),
        "containerImages": _container_images(backend, service.task_definition),
        "guardDutyEnabled": False,
        "serviceConnectConfiguration": copy.deepcopy(
            getattr(service, "service_connect_configuration", None) or {"enabled": False}),
        "createdAt": now,
        "_serviceKey": _service_key(service),
    }
    if service.network_configuration:
        revision["networkConfiguration"] = copy.deepcopy(service.network_configuration)
    for key, attribute in (("volumeConfigurations", "volume_configurations"),
                           ("vpcLatticeConfigurations", "vpc_lattice_configurations")):
        if getattr(service, attribute, None):
            revision[key] = copy.deepcopy(getattr(service, attribute))
    _state(backend)["revisions"][arn] = revision
    return revision


def _new_entry(service, revision, now):
    """A `deployments[]` entry of DescribeServices for `revision`."""
    deployment_id = f"ecs-svc/{_random_digits(19)}"
    entry = {
        "id": deployment_id,
        "status": "PRIMARY",
        "taskDefinition": revision["taskDefinition"],
        "desiredCount": service.desired_count,
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
    }
    for key in ("capacityProviderStrategy", "launchType", "platformVersion", "platformFamily",
                "networkConfiguration", "volumeConfigurations", "vpcLatticeConfigurations"):
        if key in revision:
            entry[key] = copy.deepcopy(revision[key])
    if revision["serviceConnectConfiguration"].get("enabled"):
        entry["serviceConnectConfiguration"] = copy.deepcopy(revision["serviceConnectConfiguration"])
    return entry


def _entry(service, entry_id):
    for entry in service.deployments:
        if entry["id"] == entry_id:
            return entry
    return None


def _set_rollout(entry, state, reason=None, now=None):
    words = {"IN_PROGRESS": "in progress", "COMPLETED": "completed", "FAILED": "failed"}
    entry["rolloutState"] = state
    # The FAILED wording without a statusReason is the emulator's.
    entry["rolloutStateReason"] = reason or f"ECS deployment {entry['id']} {words[state]}."
    if now is not None:
        entry["updatedAt"] = now


def _circuit_breaker_threshold(configuration, desired):
    breaker = configuration.get("deploymentCircuitBreaker") or {}
    threshold = breaker.get("thresholdConfiguration") or {}
    if threshold.get("type") == "COUNT":
        return int(threshold["value"])
    # "minimum threshold of 3 and a maximum threshold of 200 ... 0.5 * desired task count"
    return min(200, max(3, math.ceil(0.5 * desired)))


def _service_deployments(backend, service):
    """The service's deployments, oldest first."""
    key = _service_key(service)
    found = [d for d in _state(backend)["deployments"].values() if d["_serviceKey"] == key]
    return sorted(found, key=lambda d: (d["createdAt"], d["_order"]))


def _current_revisions(deployment):
    """The revisions with tasks (ServiceCurrentRevisionSummary) after `deployment`."""
    target = deployment["targetServiceRevision"]
    status = deployment["status"]
    if status == "SUCCESSFUL":
        return [copy.deepcopy(target)]
    if status == "ROLLBACK_SUCCESSFUL":
        back = deployment.get("rollback", {}).get("serviceRevisionArn")
        return [copy.deepcopy(s) for s in deployment["sourceServiceRevisions"] if s["arn"] == back]
    return [copy.deepcopy(s) for s in deployment["sourceServiceRevisions"]] + [copy.deepcopy(target)]


def _sync_service(backend, service):
    """currentServiceDeployment and currentServiceRevisions from the latest deployment."""
    mine = _service_deployments(backend, service)
    if not mine:
        return
    latest = mine[-1]
    service.current_service_deployment = latest["serviceDeploymentArn"]
    current = _current_revisions(latest)
    if latest["status"] in ("SUCCESSFUL", "ROLLBACK_SUCCESSFUL") and len(current) == 1:
        # One revision runs every task of the service, however it was scaled since.
        current[0].update(requestedTaskCount=service.desired_count,
                          runningTaskCount=service.running_count,
                          pendingTaskCount=service.pending_count)
    service.current_service_revisions = current


def _start_deployment(backend, service, now, entry=None):
    """Record a revision and a deployment for what `service` now is. `entry` is the
    deployments[] entry moto made for a new service; otherwise one is added."""
    from moto.utilities.utils import get_partition
    state = _state(backend)
    revision = _new_revision(backend, service, now)
    previous = _service_deployments(backend, service)
    # The source revisions are the ones running now.
    sources = copy.deepcopy(getattr(service, "current_service_revisions", None) or [])
    for old in previous:
        if old["status"] in ONGOING:
            # AWS documents no status for a deployment a newer one replaces; STOPPED is
            # the emulator's choice.
            old.update(status="STOPPED", stoppedAt=now, updatedAt=now,
                       statusReason="Stopped: a newer service deployment started.")
    if entry is None:
        for other in service.deployments:
            if other["status"] == "PRIMARY":
                other["status"] = "ACTIVE"
        entry = _new_entry(service, revision, now)
        service.deployments.insert(0, entry)
    else:
        fresh = _new_entry(service, revision, now)
        for key in ("id", "createdAt", "updatedAt", "pendingCount", "runningCount", "failedTasks",
                    "rolloutState", "rolloutStateReason"):
            fresh[key] = entry[key]
        entry.clear()
        entry.update(fresh)

    region = backend.region_name
    arn = (f"arn:{get_partition(region)}:ecs:{region}:{backend.account_id}:service-deployment/"
           f"{service.cluster_name}/{service.name}/{_random_id(22)}")
    configuration = copy.deepcopy(service.deployment_configuration)
    breaker = configuration.get("deploymentCircuitBreaker") or {}
    alarms = configuration.get("alarms") or {}
    deployment = {
        "serviceDeploymentArn": arn,
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "createdAt": now,
        "startedAt": now,
        "updatedAt": now,
        "sourceServiceRevisions": sources,
        "targetServiceRevision": {
            "arn": revision["serviceRevisionArn"],
            "requestedTaskCount": service.desired_count,
            "runningTaskCount": entry["runningCount"],
            "pendingTaskCount": entry["pendingCount"],
        },
        "targetServiceRevisionArn": revision["serviceRevisionArn"],  # ListServiceDeployments
        "status": "IN_PROGRESS",
        "deploymentConfiguration": configuration,
        "deploymentCircuitBreaker": (
            {"status": "MONITORING", "failureCount": 0,
             "threshold": _circuit_breaker_threshold(configuration, service.desired_count)}
            if breaker.get("enable") else {"status": "DISABLED"}),
        "alarms": ({"status": "MONITORING", "alarmNames": list(alarms.get("alarmNames") or []),
                    "triggeredAlarmNames": []}
                   if alarms.get("enable") else {"status": "DISABLED"}),
        "_serviceKey": _service_key(service),
        "_entry": entry["id"],
        "_order": len(state["deployments"]),
    }
    if configuration.get("strategy", "ROLLING") != "ROLLING":
        # "PRE_SCALE_UP: The green service revision has not started."
        deployment["lifecycleStage"] = "PRE_SCALE_UP"
    state["deployments"][arn] = deployment
    if entry["rolloutState"] == "COMPLETED" or service.desired_count == 0:
        _move(backend, service, deployment, "SUCCESSFUL", now)  # nothing to wait for
    _sync_service(backend, service)
    return deployment


def _last_good_revision(backend, service, deployment):
    """The revision a rollback of `deployment` goes back to: the last one deployed with
    success before it."""
    for earlier in reversed(_service_deployments(backend, service)):
        if earlier is deployment or earlier["_order"] > deployment["_order"]:
            continue
        if earlier["status"] == "SUCCESSFUL":
            return earlier["targetServiceRevision"]["arn"]
        if earlier["status"] == "ROLLBACK_SUCCESSFUL" and earlier.get("rollback"):
            return earlier["rollback"].get("serviceRevisionArn")
    sources = deployment["sourceServiceRevisions"]
    return sources[0]["arn"] if sources else None


def _begin_rollback(backend, service, deployment, reason, now, latest=True):
    """The rollback of `deployment` (once): its `rollback`, its deployments[] entry FAILED
    and, for the service's latest deployment, a PRIMARY entry going back to the last
    successful revision."""
    if deployment.get("rollback"):
        return
    back = _last_good_revision(backend, service, deployment)
    deployment["rollback"] = {"reason": reason, "startedAt": now}
    failed = _entry(service, deployment["_entry"])
    if failed is not None:
        failed["status"] = "ACTIVE"
        _set_rollout(failed, "FAILED", deployment.get("statusReason"), now)
    if back is None:
        return  # nothing was ever deployed with success: nothing to go back to
    deployment["rollback"]["serviceRevisionArn"] = back
    revision = _state(backend)["revisions"].get(back)
    if revision is None or not latest:
        return
    # AWS makes no new revision for a rollback; the service runs the old one again.
    if not any(s["arn"] == back for s in deployment["sourceServiceRevisions"]):
        deployment["sourceServiceRevisions"].append(
            {"arn": back, "requestedTaskCount": 0, "runningTaskCount": 0, "pendingTaskCount": 0})
    for other in service.deployments:
        if other["status"] == "PRIMARY":
            other["status"] = "ACTIVE"
    entry = _new_entry(service, revision, now)
    service.deployments.insert(0, entry)
    deployment["_rollbackEntry"] = entry["id"]
    service.task_definition = revision["taskDefinition"]


def _finish_monitors(deployment):
    for key in ("deploymentCircuitBreaker", "alarms"):
        if deployment[key].get("status") == "MONITORING":
            deployment[key]["status"] = "MONITORING_COMPLETE"


def _move(backend, service, deployment, status, now):
    """Put `deployment` in `status` and the service's deployments[] with it (the service
    itself only follows its latest deployment)."""
    deployment["status"] = status
    deployment["updatedAt"] = now
    latest = _service_deployments(backend, service)[-1] is deployment
    entry = _entry(service, deployment["_entry"])
    target = deployment["targetServiceRevision"]
    if status == "SUCCESSFUL":
        deployment["finishedAt"] = now
        target.update(runningTaskCount=target["requestedTaskCount"], pendingTaskCount=0)
        for source in deployment["sourceServiceRevisions"]:
            source.update(requestedTaskCount=0, runningTaskCount=0, pendingTaskCount=0)
        _finish_monitors(deployment)
        if deployment.get("lifecycleStage"):
            deployment["lifecycleStage"] = "CLEAN_UP"
        if entry is not None:
            entry.update(runningCount=target["runningTaskCount"], pendingCount=0)
            _set_rollout(entry, "COMPLETED", None, now)
        if latest:
            if entry is not None:
                entry["status"] = "PRIMARY"
                service.deployments[:] = [entry]  # the replaced ones are INACTIVE: not listed
            service.running_count = target["runningTaskCount"]
            service.pending_count = 0
    elif status == "STOPPED":
        deployment["stoppedAt"] = now
        if entry is not None:
            _set_rollout(entry, "FAILED", deployment.get("statusReason"), now)
    elif status in ("PENDING", "IN_PROGRESS", "STOP_REQUESTED"):
        if entry is not None:
            _set_rollout(entry, "IN_PROGRESS", None, now)
    elif status in ROLLING_BACK:
        _begin_rollback(backend, service, deployment,
                        deployment.get("statusReason") or "Rollback of a failed service deployment.",
                        now, latest)
        back = _entry(service, deployment.get("_rollbackEntry"))
        if status == "ROLLBACK_SUCCESSFUL":
            deployment["finishedAt"] = now
            _finish_monitors(deployment)
            target.update(requestedTaskCount=0, runningTaskCount=0, pendingTaskCount=0)
            for source in deployment["sourceServiceRevisions"]:
                count = service.desired_count if source["arn"] == deployment["rollback"].get(
                    "serviceRevisionArn") else 0
                source.update(requestedTaskCount=count, runningTaskCount=count, pendingTaskCount=0)
            if back is not None:
                back.update(runningCount=service.desired_count, pendingCount=0)
                _set_rollout(back, "COMPLETED", None, now)
                if latest:
                    service.deployments[:] = [back]
            if latest:
                service.running_count = service.desired_count
                service.pending_count = 0
        elif status == "ROLLBACK_FAILED":
            deployment["finishedAt"] = now
            if back is not None:
                _set_rollout(back, "FAILED", deployment.get("statusReason"), now)
    _sync_service(backend, service)


def _find_deployment(arn):
    """(backend, service, deployment) for a service deployment ARN, in any region."""
    from moto.ecs.models import ecs_backends
    region, account = _arn_parts(arn)
    backend = ecs_backends[account][region]
    deployment = _state(backend)["deployments"].get(arn)
    if deployment is None:
        return backend, None, None
    return backend, backend.services.get(deployment["_serviceKey"]), deployment


def _refresh_task_sets(service):
    """Task set counts (AWS: computedDesiredCount = desiredCount x scale, rounded up) and
    the stabilityStatus they make."""
    for task_set in service.task_sets:
        scale = (task_set.scale or {}).get("value", 100.0)
        # (less a hair, so that float noise such as 3.0000000000000004 does not round up)
        task_set.computed_desired_count = math.ceil(service.desired_count * float(scale) / 100 - 1e-9)
        task_set.running_count = getattr(task_set, "running_count", 0)
        task_set.pending_count = getattr(task_set, "pending_count", 0)
        steady = (task_set.running_count == task_set.computed_desired_count
                  and task_set.pending_count == 0)
        status = "STEADY_STATE" if steady else "STABILIZING"
        if task_set.stabilityStatus != status:
            task_set.stabilityStatus = status
            task_set.stabilityStatusAt = _now()
        fargate = task_set.launch_type == "FARGATE" or any(
            item.get("capacityProvider") in ("FARGATE", "FARGATE_SPOT")
            for item in task_set.capacity_provider_strategy or [])
        if not fargate:
            task_set.platform_version = None  # "only specified for tasks run on Fargate"
        elif task_set.platform_version:
            task_set.platform_family = "Linux"


def _initial_task_set(backend, service, now):
    """The PRIMARY task set AWS makes for a CODE_DEPLOY service created with a task
    definition."""
    from moto.ecs.models import TaskSet
    task_set = TaskSet(
        service.arn, service.cluster_arn, service.task_definition, backend.account_id,
        backend.region_name,
        network_configuration=service.network_configuration or None,
        load_balancers=copy.deepcopy(service.load_balancers),
        service_registries=copy.deepcopy(service.service_registries),
        launch_type=service.launch_type,
        capacity_provider_strategy=copy.deepcopy(getattr(service, "capacity_provider_strategy", None)),
        platform_version=service.platform_version,
        scale={"value": 100.0, "unit": "PERCENT"},
    )
    task_set.service_arn = service.arn
    task_set.cluster_arn = service.cluster_arn
    task_set.status = "PRIMARY"
    task_set.started_by = "CODE_DEPLOY"  # "If an CodeDeploy deployment created the task set"
    task_set.external_id = None  # there, the CodeDeploy deployment ID: there is none here
    task_set.createdAt = task_set.updatedAt = now
    service.task_sets.append(task_set)


def _after_create(backend, service, params):
    now = _now()
    service.created_at = now
    _keep_params(service, params)
    if not params.get("launchType"):
        cluster = backend._get_cluster(service.cluster_name)
        if not params.get("capacityProviderStrategy") and cluster.default_capacity_provider_strategy:
            # "If no capacityProviderStrategy or launchType is specified, the
            # defaultCapacityProviderStrategy for the cluster is used."
            service.capacity_provider_strategy = copy.deepcopy(cluster.default_capacity_provider_strategy)
        if getattr(service, "capacity_provider_strategy", None):
            service.launch_type = None  # moto put EC2 there
    configuration = _default_deployment_configuration(service)
    configuration.update(copy.deepcopy(params.get("deploymentConfiguration") or {}))
    service.deployment_configuration = configuration
    if _is_fargate(service):
        service.platform_family = "Linux"
    if _controller(service) == "ECS" and service.deployments:
        _start_deployment(backend, service, now, entry=service.deployments[0])
    elif _controller(service) == "CODE_DEPLOY" and service.task_definition:
        _initial_task_set(backend, service, now)
    _refresh_task_sets(service)


def _install_ecs():
    from moto.core.responses import ActionResult
    # Errors are made from the service's own exception class: moto looks the error code up in
    # the model of the service the exception's module is named after.
    from moto.ecs.exceptions import ECSException, InvalidParameterException
    from moto.ecs.responses import EC2ContainerServiceResponse as ECS

    create_service = ECS.create_service
    update_service = ECS.update_service
    delete_service = ECS.delete_service
    describe_services = ECS.describe_services
    describe_task_sets = ECS.describe_task_sets
    create_task_set = ECS.create_task_set
    update_task_set = ECS.update_task_set

    def create_service_keeping_more(self):
        with _LOCK:
            result = create_service(self)
            _after_create(self.ecs_backend, result.result["service"], self._get_params())
            return result

    def update_service_deploying(self):
        with _LOCK:
            params = self._get_params()
            backend = self.ecs_backend
            service = backend._get_service(params.get("cluster") or "default", params["service"])
            if _controller(service) != "ECS":
                for name in TASK_SET_PARAMS:
                    if params.get(name) is not None:
                        # The wording is the emulator's; the rule is UpdateService's.
                        raise InvalidParameterException(
                            f"Unable to update {name} on services with a {_controller(service)} "
                            "deployment controller.")
            strategy = params.get("capacityProviderStrategy")
            if (strategy is not None and strategy != (getattr(service, "capacity_provider_strategy", None) or [])
                    and not params.get("forceNewDeployment")):
                # capacityProviderStrategy "doesn't trigger a new service deployment": a
                # change of it is refused unless one is forced.
                raise InvalidParameterException(
                    "A change to the capacity provider strategy of an existing service needs "
                    "forceNewDeployment.")
            configuration = copy.deepcopy(service.deployment_configuration)
            volumes = copy.deepcopy(getattr(service, "volume_configurations", None))
            fargate = _is_fargate(service)
            # moto's forceNewDeployment renames the first deployments[] entry; ours are kept
            # as they are (a new one is added below).
            entries = [(e, dict(e)) for e in service.deployments]
            result = update_service(self)
            for entry, saved in entries:
                entry.clear()
                entry.update(saved)
            now = _now()
            _keep_params(service, params)
            if params.get("taskDefinition"):
                service.task_definition = backend.describe_task_definition(params["taskDefinition"]).arn
            if params.get("capacityProviderStrategy"):
                service.launch_type = None
            elif params.get("capacityProviderStrategy") == [] and not service.launch_type:
                # "Update the Auto Scaling group or Fargate capacity provider back to the
                # launch type. Pass an empty list in the capacityProviderStrategy parameter."
                service.launch_type = "FARGATE" if fargate else "EC2"
            # Fields not given keep their value (field by field: the emulator's reading).
            configuration.update(copy.deepcopy(params.get("deploymentConfiguration") or {}))
            service.deployment_configuration = configuration
            if _is_fargate(service):
                service.platform_family = "Linux"
            deploys = bool(params.get("forceNewDeployment")) or any(
                params.get(name) is not None for name in DEPLOYING_PARAMS
                if name != "volumeConfigurations")
            # volumeConfigurations: "If set to null, no new deployment is triggered.
            # Otherwise, if this configuration differs from the existing one, it triggers".
            if params.get("volumeConfigurations") is not None and params["volumeConfigurations"] != volumes:
                deploys = True
            if _controller(service) == "ECS":
                if deploys:
                    _start_deployment(backend, service, now)
                elif params.get("desiredCount") is not None:
                    _desired_count_changed(backend, service, now)
            _refresh_task_sets(service)
            return result

    def delete_service_and_revisions(self):
        with _LOCK:
            result = delete_service(self)
            # "Amazon ECS deletes the service revision when you delete a service."
            key = _service_key(result.result["service"])
            revisions = _state(self.ecs_backend)["revisions"]
            for arn in [a for a, r in revisions.items() if r["_serviceKey"] == key]:
                del revisions[arn]
            return result

    def describe_services_fresh(self):
        result = describe_services(self)
        for service in result.result["services"]:
            _refresh_task_sets(service)
        return result

    def describe_task_sets_with_failures(self):
        result = describe_task_sets(self)
        task_sets = result.result["taskSets"]
        asked = self._get_param("taskSets") or []
        found = {t.task_set_arn for t in task_sets} | {
            "/".join(t.task_set_arn.split("/")[-2:]) for t in task_sets}
        failures = [{"arn": name, "reason": "MISSING"} for name in asked if name not in found]
        backend = self.ecs_backend
        service = backend._get_service(self._get_param("cluster", "default"), self._get_param("service"))
        _refresh_task_sets(service)
        return ActionResult({"taskSets": task_sets, "failures": failures})

    def create_task_set_counted(self):
        result = create_task_set(self)
        backend = self.ecs_backend
        _refresh_task_sets(backend._get_service(self._get_param("cluster", "default"),
                                                self._get_param("service")))
        return result

    def update_task_set_counted(self):
        result = update_task_set(self)
        backend = self.ecs_backend
        _refresh_task_sets(backend._get_service(self._get_param("cluster", "default"),
                                                self._get_param("service")))
        return result

    def list_service_deployments(self):
        backend = self.ecs_backend
        service = backend._get_service(self._get_param("cluster") or "default",
                                       self._get_param("service"))
        size = self._get_param("maxResults")
        size = 20 if size is None else int(size)
        if not 1 <= size <= 100:
            raise InvalidParameterException("maxResults must be between 1 and 100.")
        statuses = self._get_param("status") or []
        created = self._get_param("createdAt") or {}
        before, after = _epoch(created.get("before")), _epoch(created.get("after"))
        with _LOCK:
            found = []
            # Newest first (AWS documents no order).
            for deployment in reversed(_service_deployments(backend, service)):
                when = _epoch(deployment["createdAt"])
                if statuses and deployment["status"] not in statuses:
                    continue
                if before is not None and when >= before:
                    continue
                if after is not None and when <= after:
                    continue
                found.append(deployment)
            page, following = _page(found, self._get_param("nextToken"), size,
                                    InvalidParameterException("The nextToken is not valid."))
            answer = {"serviceDeployments": copy.deepcopy(page)}
        if following:
            answer["nextToken"] = following
        return ActionResult(answer)

    def describe_by_arn(kind, param, key):
        def describe(self):
            arns = self._get_param(param) or []
            if not arns:
                raise InvalidParameterException(f"{param} can not be empty.")
            if len(arns) > 20:
                raise InvalidParameterException(f"{param} can have at most 20 items.")
            with _LOCK:
                known = _state(self.ecs_backend)[kind]
                found = [copy.deepcopy(known[a]) for a in arns if a in known]
                failures = [{"arn": a, "reason": "MISSING"} for a in arns if a not in known]
            return ActionResult({key: found, "failures": failures})
        return describe

    def stop_service_deployment(self):
        arn = self._get_param("serviceDeploymentArn")
        stop_type = self._get_param("stopType") or "ROLLBACK"
        if stop_type not in _enum("ecs", "StopServiceDeploymentStopType"):
            raise InvalidParameterException(f"stopType {stop_type} is not valid.")
        with _LOCK:
            deployment = _state(self.ecs_backend)["deployments"].get(arn)
            if deployment is None:
                raise ECSException("ServiceDeploymentNotFoundException",
                                   f"The service deployment {arn} does not exist.")
            if deployment["status"] not in ONGOING:
                raise ECSException(
                    "ConflictException",
                    f"The service deployment is {deployment['status']} and can't be stopped.")
            service = self.ecs_backend.services[deployment["_serviceKey"]]
            now = _now()
            # "PENDING / IN_PROGRESS - The service deployment moves to the ROLLBACK_REQUESTED
            # state"; "STOP_REQUESTED - continues to stop"; "ROLLBACK_* - continues the rollback".
            if deployment["status"] in ("PENDING", "IN_PROGRESS"):
                if stop_type == "ROLLBACK":
                    deployment["stoppedAt"] = now  # "A user manually stops the deployment"
                    # The rollback's reason is the emulator's wording.
                    _begin_rollback(self.ecs_backend, service, deployment,
                                    "Rollback requested with StopServiceDeployment.", now,
                                    _service_deployments(self.ecs_backend, service)[-1] is deployment)
                    _move(self.ecs_backend, service, deployment, "ROLLBACK_REQUESTED", now)
                else:
                    # ABORT: AWS documents no state for it; STOP_REQUESTED is the ongoing one.
                    _move(self.ecs_backend, service, deployment, "STOP_REQUESTED", now)
        return ActionResult({"serviceDeploymentArn": arn})

    def get_task_protection(self):
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster"))
        asked = self._get_param("tasks")
        if asked is not None and len(asked) > 100:
            raise InvalidParameterException("tasks can have at most 100 items.")
        with _LOCK:
            if asked is None:
                # No tasks given: the emulator answers for every service task of the cluster.
                asked = [t.task_arn for t in backend.tasks.get(cluster.name, {}).values()
                         if (t.group or "").startswith("service:")]
            tasks, failures = _protectable(backend, cluster, asked)
            protected = [_protection(backend, task) for task in tasks]
        return ActionResult({"protectedTasks": protected, "failures": failures})

    def update_task_protection(self):
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster"))
        asked = self._get_param("tasks") or []
        enabled = bool(self._get_param("protectionEnabled"))
        minutes = self._get_param("expiresInMinutes")
        if not asked:
            raise InvalidParameterException("tasks can not be empty.")
        if len(asked) > 10:
            raise InvalidParameterException("tasks can have at most 10 items.")
        if minutes is not None and not 1 <= int(minutes) <= 2880:
            raise InvalidParameterException("expiresInMinutes must be between 1 and 2880.")
        with _LOCK:
            tasks, failures = _protectable(backend, cluster, asked)
            protection = _state(backend)["protection"]
            for task in tasks:
                if enabled:
                    # "If you don't specify the time, then the task is automatically
                    # protected for 120 minutes"; a new call always resets it.
                    protection[task.task_arn] = _now() + timedelta(minutes=int(minutes or 120))
                else:
                    protection.pop(task.task_arn, None)
            protected = [_protection(backend, task) for task in tasks]
        return ActionResult({"protectedTasks": protected, "failures": failures})

    ECS.create_service = create_service_keeping_more
    ECS.update_service = update_service_deploying
    ECS.delete_service = delete_service_and_revisions
    ECS.describe_services = describe_services_fresh
    ECS.describe_task_sets = describe_task_sets_with_failures
    ECS.create_task_set = create_task_set_counted
    ECS.update_task_set = update_task_set_counted
    ECS.list_service_deployments = list_service_deployments
    ECS.describe_service_deployments = describe_by_arn(
        "deployments", "serviceDeploymentArns", "serviceDeployments")
    ECS.describe_service_revisions = describe_by_arn(
        "revisions", "serviceRevisionArns", "serviceRevisions")
    ECS.stop_service_deployment = stop_service_deployment
    ECS.get_task_protection = get_task_protection
    ECS.update_task_protection = update_task_protection


def _desired_count_changed(backend, service, now):
    """desiredCount starts no deployment; the PRIMARY entry and an ongoing deployment ask
    for the new count."""
    for entry in service.deployments:
        if entry["status"] == "PRIMARY":
            entry.update(desiredCount=service.desired_count, updatedAt=now)
            if entry["rolloutState"] == "COMPLETED":
                # moto "runs" what is asked at once (its UpdateService sets runningCount).
                entry.update(runningCount=service.running_count, pendingCount=service.pending_count)
    mine = _service_deployments(backend, service)
    if mine and mine[-1]["status"] in ONGOING:
        mine[-1]["targetServiceRevision"]["requestedTaskCount"] = service.desired_count
        mine[-1]["updatedAt"] = now
    _sync_service(backend, service)


def _protectable(backend, cluster, asked):
    """The tasks of `asked` (IDs or ARNs) found in `cluster` and started by a service, and
    failures for the others."""
    from moto.utilities.utils import get_partition
    tasks, failures = [], []
    known = list(backend.tasks.get(cluster.name, {}).values())
    for name in asked:
        task_id = name.split("/")[-1]
        task = next((t for t in known if t.task_arn == name or t.id == task_id), None)
        if task is None:
            arn = name if name.startswith("arn:") else (
                f"arn:{get_partition(backend.region_name)}:ecs:{backend.region_name}:"
                f"{backend.account_id}:task/{cluster.name}/{task_id}")
            failures.append({"arn": arn, "reason": "MISSING"})
        elif not (task.group or "").startswith("service:"):
            # "This operation is only supported for tasks belonging to an Amazon ECS
            # service ... a standalone task will result in an TASK_NOT_VALID failure."
            failures.append({"arn": task.task_arn, "reason": "TASK_NOT_VALID"})
        else:
            tasks.append(task)
    return tasks, failures


def _protection(backend, task):
    protection = _state(backend)["protection"]
    expires = protection.get(task.task_arn)
    if expires is not None and expires <= _now():
        del protection[task.task_arn]  # "After this time period lapses, protectionEnabled
        expires = None                 # will be reset to false."
    answer = {"taskArn": task.task_arn, "protectionEnabled": expires is not None}
    if expires is not None:
        answer["expirationDate"] = expires
    return answer


def _control_service_deployment(body):
    arn = body.get("serviceDeploymentArn")
    if not arn:
        return 400, {"message": "serviceDeploymentArn is required"}
    statuses = _enum("ecs", "ServiceDeploymentStatus")
    monitor_states = _enum("ecs", "ServiceDeploymentRollbackMonitorsStatus")
    status = body.get("status")
    if status is not None and status not in statuses:
        return 400, {"message": f"status must be one of {statuses}"}
    for key in ("circuitBreakerStatus", "alarmsStatus"):
        if body.get(key) is not None and body[key] not in monitor_states:
            return 400, {"message": f"{key} must be one of {monitor_states}"}
    stage = body.get("lifecycleStage")
    if stage is not None and stage not in _enum("ecs", "ServiceDeploymentLifecycleStage"):
        return 400, {"message": f"lifecycleStage must be one of "
                                f"{_enum('ecs', 'ServiceDeploymentLifecycleStage')}"}
    with _LOCK:
        try:
            backend, service, deployment = _find_deployment(arn)
        except ValueError as e:
            return 400, {"message": str(e)}
        if deployment is None or service is None:
            return 404, {"message": f"no service deployment {arn}"}
        now = _now()
        if body.get("statusReason"):
            deployment["statusReason"] = body["statusReason"]
        if stage is not None:
            deployment["lifecycleStage"] = stage
        if status is not None:
            _move(backend, service, deployment, status, now)
        breaker = deployment["deploymentCircuitBreaker"]
        if body.get("failureCount") is not None:
            count = int(body["failureCount"])
            breaker["failureCount"] = count
            breaker.setdefault("threshold", _circuit_breaker_threshold(
                deployment["deploymentConfiguration"], service.desired_count))
            if breaker["status"] == "MONITORING" and count >= breaker["threshold"]:
                breaker["status"] = "TRIGGERED"
            entry = _entry(service, deployment["_entry"])
            if entry is not None:
                entry["failedTasks"] = count
        if body.get("circuitBreakerStatus"):
            breaker["status"] = body["circuitBreakerStatus"]
        alarms = deployment["alarms"]
        if body.get("triggeredAlarmNames") is not None:
            alarms["triggeredAlarmNames"] = list(body["triggeredAlarmNames"])
            alarms.setdefault("alarmNames", list(
                (deployment["deploymentConfiguration"].get("alarms") or {}).get("alarmNames") or []))
            if alarms["triggeredAlarmNames"] and alarms.get("status") == "MONITORING":
                alarms["status"] = "TRIGGERED"
        if body.get("alarmsStatus"):
            alarms["status"] = body["alarmsStatus"]
        counts = ("requestedTaskCount", "runningTaskCount", "pendingTaskCount")
        target = deployment["targetServiceRevision"]
        for key in counts:
            if key in (body.get("targetServiceRevision") or {}):
                target[key] = int(body["targetServiceRevision"][key])
        for given in body.get("sourceServiceRevisions") or []:
            for source in deployment["sourceServiceRevisions"]:
                if source["arn"] == given.get("arn"):
                    source.update({k: int(given[k]) for k in counts if k in given})
        entry = _entry(service, deployment["_entry"])
        if body.get("targetServiceRevision") or body.get("sourceServiceRevisions"):
            if entry is not None:
                entry.update(runningCount=target["runningTaskCount"],
                             pendingCount=target["pendingTaskCount"], updatedAt=now)
            # The service counts every revision's tasks.
            revisions = [target] + deployment["sourceServiceRevisions"]
            service.running_count = sum(r["runningTaskCount"] for r in revisions)
            service.pending_count = sum(r["pendingTaskCount"] for r in revisions)
        deployment["updatedAt"] = now
        _sync_service(backend, service)
        return 200, _jsonable(deployment)


def _control_task_set(body):
    from moto.ecs.models import ecs_backends
    arn = body.get("taskSetArn")
    try:
        region, account = _arn_parts(arn)
    except ValueError as e:
        return 400, {"message": str(e)}
    with _LOCK:
        backend = ecs_backends[account][region]
        for service in backend.services.values():
            for task_set in service.task_sets:
                if task_set.task_set_arn == arn:
                    for key, attribute in (("runningCount", "running_count"),
                                           ("pendingCount", "pending_count")):
                        if body.get(key) is not None:
                            setattr(task_set, attribute, int(body[key]))
                    task_set.updatedAt = _now()
                    _refresh_task_sets(service)
                    return 200, {"taskSetArn": arn, "runningCount": task_set.running_count,
                                 "pendingCount": task_set.pending_count,
                                 "computedDesiredCount": task_set.computed_desired_count,
                                 "stabilityStatus": task_set.stabilityStatus}
    return 404, {"message": f"no task set {arn}"}


# ---------------------------------------------------------------- CloudWatch alarm history

def _cw_time(value):
    """The time format of AWS's alarm HistoryData ("2014-04-09T18:59:06.419+0000")."""
    value = _datetime(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def _alarm_json(alarm):
    """An alarm as HistoryData carries it (createdAlarm / updatedAlarm / deletedAlarm): the
    keys AWS writes (its lowercase "okactions" too); the optional ones after them are named
    by the emulator after the PutMetricAlarm parameters."""
    data = {
        "threshold": alarm.threshold,
        "namespace": alarm.namespace,
        "stateValue": alarm.state_value,
        "dimensions": [{"name": d.name, "value": d.value} for d in alarm.dimensions],
        "okactions": list(alarm.ok_actions or []),
        "alarmActions": list(alarm.alarm_actions or []),
        "evaluationPeriods": alarm.evaluation_periods,
        "comparisonOperator": alarm.comparison_operator,
        "metricName": alarm.metric_name,
        "period": alarm.period,
        "alarmName": alarm.name,
        "insufficientDataActions": list(alarm.insufficient_data_actions or []),
        "actionsEnabled": alarm.actions_enabled,
        "alarmDescription": alarm.description,
        "statistic": alarm.statistic,
        "alarmArn": alarm.alarm_arn,
        "alarmConfigurationUpdatedTimestamp": _cw_time(alarm.configuration_updated_timestamp),
        "stateUpdatedTimestamp": _cw_time(alarm.state_updated_timestamp),
    }
    for key, value in (("datapointsToAlarm", alarm.datapoints_to_alarm),
                       ("treatMissingData", alarm.treat_missing_data),
                       ("unit", alarm.unit), ("extendedStatistic", alarm.extended_statistic),
                       ("alarmRule", alarm.rule)):
        if value is not None:
            data[key] = value
    return {k: v for k, v in data.items() if v is not None}


def _alarm_history(backend):
    history = getattr(backend, "bosun_alarm_history", None)
    if history is None:
        history = backend.bosun_alarm_history = []
    return history


def _record(backend, alarm, item_type, summary, data, when):
    _alarm_history(backend).append({
        "AlarmName": alarm.name,
        "AlarmType": "CompositeAlarm" if alarm.rule is not None else "MetricAlarm",
        "Timestamp": _ms(when),
        "HistoryItemType": item_type,
        "HistorySummary": summary,
        "HistoryData": json.dumps(data, separators=(",", ":")),
    })


def _alarm_state(alarm):
    state = {"stateValue": alarm.state_value, "stateReason": alarm.state_reason}
    try:
        reason_data = json.loads(alarm.state_reason_data) if alarm.state_reason_data else None
    except ValueError:
        reason_data = None
    if reason_data:
        state["stateReasonData"] = reason_data
    return state


def _install_cloudwatch():
    from moto.cloudwatch.exceptions import CloudWatchException, ValidationError
    from moto.cloudwatch.models import CloudWatchBackend
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.core.responses import ActionResult

    put_metric_alarm = CloudWatchBackend.put_metric_alarm
    set_alarm_state = CloudWatchBackend.set_alarm_state
    delete_alarms = CloudWatchBackend.delete_alarms
    enable_alarm_actions = CloudWatchBackend.enable_alarm_actions
    disable_alarm_actions = CloudWatchBackend.disable_alarm_actions

    def put_metric_alarm_with_history(self, *args, **kwargs):
        name = kwargs["name"] if "name" in kwargs else args[0]
        with _LOCK:
            old = self.alarms.get(name)
            before = _alarm_json(old) if old is not None else None
            alarm = put_metric_alarm(self, *args, **kwargs)
            if old is None:
                _record(self, alarm, "ConfigurationUpdate", f'Alarm "{name}" created',
                        {"version": "1.0", "type": "Create", "createdAlarm": _alarm_json(alarm)},
                        alarm.configuration_updated_timestamp)
                return alarm
            # "When you update an existing alarm, its state is left unchanged"
            alarm.state_value = old.state_value
            alarm.state_reason = old.state_reason
            alarm.state_reason_data = old.state_reason_data
            alarm.state_updated_timestamp = old.state_updated_timestamp
            after = _alarm_json(alarm)
            changed = {k: before.get(k) for k in after if after.get(k) != before.get(k)}
            _record(self, alarm, "ConfigurationUpdate", f'Alarm "{name}" updated',
                    {"version": "1.0", "type": "Update", "originalUpdatedFields": changed,
                     "updatedAlarm": after},
                    alarm.configuration_updated_timestamp)
            return alarm

    def set_alarm_state_with_history(self, alarm_name, reason, reason_data, state_value):
        with _LOCK:
            alarm = self.alarms.get(alarm_name)
            old = _alarm_state(alarm) if alarm is not None else None
            set_alarm_state(self, alarm_name, reason, reason_data, state_value)
            alarm = self.alarms[alarm_name]
            # A history item only when the state changes, as AWS writes them.
            if old["stateValue"] != alarm.state_value:
                _record(self, alarm, "StateUpdate",
                        f"Alarm updated from {old['stateValue']} to {alarm.state_value}",
                        {"version": "1.0", "oldState": old, "newState": _alarm_state(alarm)},
                        alarm.state_updated_timestamp)

    def delete_alarms_with_history(self, alarm_names):
        with _LOCK:
            now = _now()
            for name in alarm_names:
                alarm = self.alarms.get(name)
                if alarm is not None:
                    _record(self, alarm, "ConfigurationUpdate", f'Alarm "{name}" deleted',
                            {"version": "1.0", "type": "Delete", "deletedAlarm": _alarm_json(alarm)},
                            now)
            delete_alarms(self, alarm_names)

    def actions_with_history(original, enabled):
        def change(self, alarm_names):
            with _LOCK:
                now = _now()
                for alarm in self.get_alarms_by_alarm_names(alarm_names):
                    if alarm.actions_enabled != enabled:
                        before = _alarm_json(alarm)
                        alarm.actions_enabled = enabled
                        after = _alarm_json(alarm)
                        _record(self, alarm, "ConfigurationUpdate", f'Alarm "{alarm.name}" updated',
                                {"version": "1.0", "type": "Update",
                                 "originalUpdatedFields": {"actionsEnabled": before["actionsEnabled"]},
                                 "updatedAlarm": after}, now)
                original(self, alarm_names)
        return change

    def describe_alarm_history(self):
        name = self._get_param("AlarmName")
        types = self._get_param("AlarmTypes") or ["MetricAlarm"]  # "If you omit this
        item_type = self._get_param("HistoryItemType")             # parameter, only metric
        start = _epoch(self._get_param("StartDate"))               # alarms are returned."
        end = _epoch(self._get_param("EndDate"))
        size = int(self._get_param("MaxRecords") or 50)  # AWS documents no default
        if not 1 <= size <= 100:
            raise ValidationError("1 validation error detected: Value at 'maxRecords' failed to "
                                  "satisfy constraint: Member must have value between 1 and 100")
        newest_first = (self._get_param("ScanBy") or "TimestampDescending") == "TimestampDescending"
        contributor = self._get_param("AlarmContributorId")
        with _LOCK:
            items = list(enumerate(_alarm_history(self.cloudwatch_backend)))
        found = []
        for _, item in sorted(items, key=lambda pair: (_epoch(pair[1]["Timestamp"]), pair[0]),
                              reverse=newest_first):
            when = _epoch(item["Timestamp"])
            if name and item["AlarmName"] != name:
                continue
            if item["AlarmType"] not in types or (item_type and item["HistoryItemType"] != item_type):
                continue
            if (start is not None and when < start) or (end is not None and when > end):
                continue
            if contributor:
                continue  # no alarm contributors here
            found.append(item)
        bad_token = CloudWatchException("InvalidNextToken", "The next token specified is invalid.")
        page, following = _page(found, self._get_param("NextToken"), size, bad_token)
        answer = {"AlarmHistoryItems": page}
        if following:
            answer["NextToken"] = following
        return ActionResult(answer)

    CloudWatchBackend.put_metric_alarm = put_metric_alarm_with_history
    CloudWatchBackend.set_alarm_state = set_alarm_state_with_history
    CloudWatchBackend.delete_alarms = delete_alarms_with_history
    CloudWatchBackend.enable_alarm_actions = actions_with_history(enable_alarm_actions, True)
    CloudWatchBackend.disable_alarm_actions = actions_with_history(disable_alarm_actions, False)
    CloudWatchResponse.describe_alarm_history = describe_alarm_history


# ---------------------------------------------------------------- Application Auto Scaling

# StatusCodes of an activity that has ended (it then has an EndTime).
FINISHED_ACTIVITY = ("Successful", "Overridden", "Unfulfilled", "Failed")


def _scaling_activities(backend):
    activities = getattr(backend, "bosun_scaling_activities", None)
    if activities is None:
        activities = backend.bosun_scaling_activities = []
    return activities


def _install_autoscaling():
    from moto.applicationautoscaling.exceptions import AWSValidationException
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse as AAS
    from moto.core.exceptions import JsonRESTError
    from moto.core.responses import ActionResult

    def describe_scaling_activities(self):
        namespace = self._get_param("ServiceNamespace")
        resource = self._get_param("ResourceId")
        dimension = self._get_param("ScalableDimension")
        size = self._get_param("MaxResults")
        size = 50 if size is None else int(size)
        # The model's enums (moto's own lists lack the newer namespaces).
        if namespace not in _enum("application-autoscaling", "ServiceNamespace"):
            raise AWSValidationException(f"Value '{namespace}' at 'serviceNamespace' failed to "
                                         "satisfy constraint: Member must satisfy enum value set")
        if dimension and dimension not in _enum("application-autoscaling", "ScalableDimension"):
            raise AWSValidationException(f"Value '{dimension}' at 'scalableDimension' failed to "
                                         "satisfy constraint: Member must satisfy enum value set")
        if dimension and not resource:
            # "If you specify a scalable dimension, you must also specify a resource ID."
            raise AWSValidationException("ResourceId must be specified with ScalableDimension.")
        if not 1 <= size <= 50:
            raise AWSValidationException("MaxResults must be between 1 and 50.")
        include_not_scaled = bool(self._get_param("IncludeNotScaledActivities"))
        with _LOCK:
            activities = list(_scaling_activities(self.applicationautoscaling_backend))
        found = [a for a in activities
                 if a["ServiceNamespace"] == namespace
                 and (not resource or a["ResourceId"] == resource)
                 and (not dimension or a["ScalableDimension"] == dimension)
                 and (include_not_scaled or not a.get("NotScaledReasons"))]
        found.sort(key=lambda a: _epoch(a["StartTime"]), reverse=True)  # newest first
        page, following = _page(found, self._get_param("NextToken"), size,
                                JsonRESTError("InvalidNextTokenException", "Invalid token"))
        if not include_not_scaled:
            page = [{k: v for k, v in a.items() if k != "NotScaledReasons"} for a in page]
        answer = {"ScalingActivities": page}
        if following:
            answer["NextToken"] = following
        return ActionResult(answer)

    AAS.describe_scaling_activities = describe_scaling_activities


def _control_scaling_activity(body):
    from moto.applicationautoscaling.models import applicationautoscaling_backends
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.moto_api._internal import mock_random
    required = ("ServiceNamespace", "ResourceId", "ScalableDimension", "Description", "Cause",
                "StatusCode")
    missing = [k for k in required if not body.get(k)]
    if missing:
        return 400, {"message": f"missing {missing}"}
    for key, shape in (("ServiceNamespace", "ServiceNamespace"),
                       ("ScalableDimension", "ScalableDimension"),
                       ("StatusCode", "ScalingActivityStatusCode")):
        allowed = _enum("application-autoscaling", shape)
        if body[key] not in allowed:
            return 400, {"message": f"{key} must be one of {allowed}"}
    now = _now()
    try:
        activity = {
            "ActivityId": body.get("ActivityId") or str(mock_random.uuid4()),
            "ServiceNamespace": body["ServiceNamespace"],
            "ResourceId": body["ResourceId"],
            "ScalableDimension": body["ScalableDimension"],
            "Description": body["Description"],
            "Cause": body["Cause"],
            "StartTime": _datetime(body["StartTime"]) if body.get("StartTime") is not None else now,
            "StatusCode": body["StatusCode"],
        }
        if body.get("EndTime") is not None:
            activity["EndTime"] = _datetime(body["EndTime"])
        elif body["StatusCode"] in FINISHED_ACTIVITY:
            activity["EndTime"] = now
    except (TypeError, ValueError) as e:
        return 400, {"message": f"bad time: {e}"}
    for key in ("StatusMessage", "Details", "NotScaledReasons"):
        if body.get(key) is not None:
            activity[key] = body[key]
    backend = applicationautoscaling_backends[body.get("account") or DEFAULT_ACCOUNT_ID][
        body.get("region") or "us-east-1"]
    with _LOCK:
        _scaling_activities(backend).append(activity)
    return 200, _jsonable(activity)


# ---------------------------------------------------------------- control endpoints

def _install_control_endpoints():
    """Serve the control endpoints in front of moto's dispatcher. Only these exact paths are
    taken, everything else (other /_bosun/ paths too) goes on to what was there before."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from werkzeug.wrappers import Request, Response

    dispatch = DomainDispatcherApplication.__call__
    handlers = CONTROL
    handlers.update({
        "/_bosun/ecs/service-deployment": _control_service_deployment,
        "/_bosun/ecs/task-set": _control_task_set,
        "/_bosun/autoscaling/activity": _control_scaling_activity,
    })

    def call(self, environ, start_response):
        handler = handlers.get(environ.get("PATH_INFO", ""))
        if handler is None:
            return dispatch(self, environ, start_response)
        request = Request(environ)
        if request.method != "POST":
            status, answer = 405, {"message": "POST only"}
        else:
            try:
                body = json.loads(request.get_data() or b"{}")
            except ValueError as e:
                body, status, answer = None, 400, {"message": f"not JSON: {e}"}
            if isinstance(body, dict):
                try:
                    status, answer = handler(body)
                except (KeyError, TypeError, ValueError) as e:  # a bad value in the request
                    status, answer = 400, {"message": repr(e)}
            elif body is not None:
                status, answer = 400, {"message": "a JSON object is expected"}
        response = Response(json.dumps(answer), status=status, content_type="application/json")
        return response(environ, start_response)

    DomainDispatcherApplication.__call__ = call
