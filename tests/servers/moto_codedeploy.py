"""CodeDeploy blue/green deployments of ECS services for the test moto server.

moto 5.2.5 keeps CodeDeploy applications, deployment groups and deployments (status
"Created" forever), but a deployment does nothing to ECS and ListDeploymentTargets,
BatchGetDeploymentTargets and StopDeployment are missing. `install()` (called by
`moto_server.py` after `moto_deploy.install()`) adds them. Every name, type, enum value and
error code comes from botocore's codedeploy 2014-10-06 model; what a deployment does to the
service is what the CodeDeploy user guide describes for an ECS blue/green deployment.

Emulated
  CreateDeployment of an ECS application (computePlatform ECS) to a deployment group with
    ecsServices: the AppSpec (revisionType AppSpecContent, JSON or YAML) is read for
    Resources[0].TargetService.Properties (TaskDefinition, LoadBalancerInfo.ContainerName /
    ContainerPort); the replacement (green) task set is created in the service as CodeDeploy
    does (status ACTIVE, startedBy CODE_DEPLOY, externalId the deployment ID, scale 100 %,
    the second target group of the group's targetGroupPairInfoList); the original (blue) one
    is the service's PRIMARY task set. A group with a deployment still going refuses another
    (DeploymentLimitExceededException, as AWS does); a service that is not there or not under
    the CODE_DEPLOY controller is InvalidECSServiceException. deploymentConfigName defaults to
    the group's, then CodeDeployDefault.ECSAllAtOnce (moto answered "None").
  ListDeploymentTargets: one target per ECS service, its ID `CLUSTER:SERVICE` (as AWS names
    ECS targets).
  BatchGetDeploymentTargets: deploymentTargetType ECSTarget, ecsTarget with targetArn (the
    service ARN), status, lastUpdatedAt, the eight ECS lifecycle events in order (BeforeInstall,
    Install, AfterInstall, AllowTestTraffic, AfterAllowTestTraffic, BeforeAllowTraffic,
    AllowTraffic, AfterAllowTraffic) and taskSetsInfo (identifer, counts, status, trafficWeight,
    targetGroup, taskSetLabel Blue / Green) from the live task sets. Unknown target IDs are
    DeploymentTargetDoesNotExistException; more than 25 DeploymentTargetListSizeExceededException.
  StopDeployment (autoRollbackEnabled): Stopped, completeTime, the green task set removed and
    all traffic back on blue; with autoRollbackEnabled a rollback deployment is recorded
    (creator codeDeployRollback, Succeeded) and linked both ways in rollbackInfo. A finished
    deployment is DeploymentAlreadyCompletedException.
  GetDeployment / BatchGetDeployments answer errorInformation, rollbackInfo, startTime and
    completeTime as the deployment moved (moto answered empty structures).

Not emulated: nothing moves a deployment by itself (see the control endpoint); no traffic is
really routed (the listener rules are left as they are: trafficWeight is the deployment's own
record); no lifecycle hook Lambda is invoked; test traffic routes; the deployment ID keeps
moto's shape (a UUID; AWS answers d- and nine characters); the wording of messages.

Control endpoint (test only; JSON in, JSON out):

  POST /_bosun/codedeploy/deployment
    {"deploymentId": ID, "region": str (us-east-1), "account": str (moto's default),
     "status": Created | Queued | InProgress | Baking | Succeeded | Failed | Stopped | Ready,
     "lifecycleEvents": {NAME: STATUS or {"status", "errorCode", "message"}},
     "trafficWeight": float,                        percent on the green task set
     "greenRunningCount": int, "greenPendingCount": int,
     "errorInformation": {"code", "message"},
     "rollback": bool}                              with Failed / Stopped: roll back
    InProgress stamps startTime; Succeeded, Failed and Stopped stamp completeTime. Succeeded
    makes the green task set PRIMARY with all the traffic and removes the blue one; Failed and
    Stopped remove the green task set and put the traffic back on blue. Answers the deployment
    as GetDeployment does, and its ECS target.
"""

import copy
import json
import threading

import moto_deploy

ECS_EVENTS = ("BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic",
              "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")
FINISHED = ("Succeeded", "Failed", "Stopped")
TARGETS_PER_CALL = 25

_LOCK = threading.RLock()


def install():
    _install_codedeploy()
    moto_deploy.CONTROL["/_bosun/codedeploy/deployment"] = _control_deployment


def _error(code, message):
    from moto.codedeploy.exceptions import CodeDeployException

    class Named(CodeDeployException):
        pass

    error = Named(code, message)
    error.code = 400
    return error


def _extra(deployment):
    """What this module keeps per deployment (None for one not to ECS)."""
    return getattr(deployment, "bosun_ecs", None)


def _appspec(revision):
    """The AppSpec's TargetService properties (ECS), or an InvalidRevisionException."""
    content = ((revision or {}).get("appSpecContent") or {}).get("content")
    if (revision or {}).get("revisionType") != "AppSpecContent" or not content:
        raise _error("InvalidRevisionException",
                     "An ECS deployment needs a revision of type AppSpecContent.")
    try:
        spec = json.loads(content)
    except ValueError:
        import yaml
        try:
            spec = yaml.safe_load(content)
        except yaml.YAMLError as e:
            raise _error("InvalidRevisionException", f"The AppSpec is not valid: {e}")
    try:
        service = spec["Resources"][0]["TargetService"]
        assert service["Type"] == "AWS::ECS::Service"
        return service["Properties"]
    except (KeyError, IndexError, TypeError, AssertionError):
        raise _error("InvalidRevisionException",
                     "The AppSpec has no Resources[0].TargetService of Type AWS::ECS::Service.")


def _ecs(account, region):
    from moto.ecs.models import ecs_backends
    return ecs_backends[account][region]


def _target_group_arn(account, region, name):
    from moto.elbv2.models import elbv2_backends
    for group in elbv2_backends[account][region].target_groups.values():
        if group.name == name:
            return group.arn
    return None


def _task_set(service, arn):
    return next((t for t in service.task_sets if t.task_set_arn == arn), None)


def _ecs_service(extra):
    return _ecs(extra["account"], extra["region"]).services.get(extra["serviceKey"])


def _after_create(backend, deployment_id):
    """Start an ECS blue/green deployment as CodeDeploy does: the green task set."""
    from moto.ecs.models import TaskSet
    deployment = backend.deployments[deployment_id]
    if deployment.application.compute_platform != "ECS":
        return
    group = deployment.deployment_group
    if not group.ecs_services:
        raise _error("InvalidECSServiceException", "The deployment group has no ECS service.")
    wanted = group.ecs_services[0]
    ecs = _ecs(backend.account_id, backend.region_name)
    key = f"{wanted.get('clusterName')}:{wanted.get('serviceName')}"
    service = ecs.services.get(key)
    controller = ((getattr(service, "deployment_controller", None) or {}).get("type")) if service else None
    if service is None or controller != "CODE_DEPLOY":
        del backend.deployments[deployment_id]
        raise _error("InvalidECSServiceException",
                     f"The ECS service {key} does not exist or is not deployed by CodeDeploy.")
    for other in backend.deployments.values():
        extra = _extra(other)
        if extra and extra["serviceKey"] == key and other.status not in FINISHED:
            del backend.deployments[deployment_id]
            raise _error("DeploymentLimitExceededException",
                         f"The deployment group has a deployment in progress: {other.deployment_id}.")
    properties = _appspec(deployment.revision)
    task_definition = ecs.describe_task_definition(properties["TaskDefinition"]).arn
    blue = next((t for t in service.task_sets if t.status == "PRIMARY"), None)
    pairs = (group.load_balancer_info or {}).get("targetGroupPairInfoList") or [{}]
    names = [g.get("name") for g in pairs[0].get("targetGroups") or []]
    info = properties.get("LoadBalancerInfo") or {}
    load_balancers = []
    if len(names) > 1 and info.get("ContainerName"):
        arn = _target_group_arn(backend.account_id, backend.region_name, names[1])
        if arn:
            load_balancers.append({"targetGroupArn": arn, "containerName": info["ContainerName"],
                                   "containerPort": int(info.get("ContainerPort") or 0)})
    now = moto_deploy._now()
    green = TaskSet(
        service.arn, service.cluster_arn, task_definition, ecs.account_id, ecs.region_name,
        external_id=deployment_id,
        network_configuration=copy.deepcopy(blue.network_configuration) if blue else None,
        load_balancers=load_balancers or (copy.deepcopy(blue.load_balancers) if blue else None),
        launch_type=blue.launch_type if blue else service.launch_type,
        capacity_provider_strategy=copy.deepcopy(blue.capacity_provider_strategy) if blue else None,
        platform_version=properties.get("PlatformVersion") or (blue.platform_version if blue else None),
        scale={"value": 100.0, "unit": "PERCENT"},
    )
    green.service_arn = service.arn
    green.cluster_arn = service.cluster_arn
    green.started_by = "CODE_DEPLOY"
    green.createdAt = green.updatedAt = now
    service.task_sets.append(green)
    moto_deploy._refresh_task_sets(service)
    if str(deployment.deployment_config_name) in ("None", ""):
        deployment.deployment_config_name = group.deployment_config_name or "CodeDeployDefault.ECSAllAtOnce"
    deployment.bosun_ecs = {
        "account": backend.account_id, "region": backend.region_name, "serviceKey": key,
        "blue": blue.task_set_arn if blue else None, "green": green.task_set_arn,
        "blueGroup": names[0] if names else None, "greenGroup": names[1] if len(names) > 1 else None,
        "trafficWeight": 0.0, "targetStatus": "Pending", "lastUpdatedAt": now,
        "events": {name: {"lifecycleEventName": name, "status": "Pending"} for name in ECS_EVENTS},
        "errorInformation": None, "rollbackInfo": None,
    }


def _ecs_target(deployment):
    extra = _extra(deployment)
    service = _ecs_service(extra)
    infos = []
    for label, key, weight in (("Blue", "blue", 100.0 - extra["trafficWeight"]),
                               ("Green", "green", extra["trafficWeight"])):
        task_set = _task_set(service, extra[key]) if service and extra[key] else None
        if task_set is None:
            continue
        moto_deploy._refresh_task_sets(service)
        info = {"identifer": task_set.id, "desiredCount": task_set.computed_desired_count,
                "pendingCount": task_set.pending_count, "runningCount": task_set.running_count,
                "status": task_set.status, "trafficWeight": weight, "taskSetLabel": label}
        group = extra[f"{key}Group"]
        if group:
            info["targetGroup"] = {"name": group}
        infos.append(info)
    events = []
    for name in ECS_EVENTS:
        event = {k: v for k, v in extra["events"][name].items() if v is not None}
        events.append(event)
    cluster, name = extra["serviceKey"].split(":", 1)
    return {
        "deploymentId": deployment.deployment_id,
        "targetId": extra["serviceKey"],
        "targetArn": service.arn if service else f"arn:aws:ecs:{extra['region']}:{extra['account']}:service/{cluster}/{name}",
        "lastUpdatedAt": extra["lastUpdatedAt"],
        "lifecycleEvents": events,
        "status": extra["targetStatus"],
        "taskSetsInfo": infos,
    }


def _deployment_answer(deployment, answer):
    """GetDeployment's answer with what moved here (moto answered empty structures)."""
    extra = _extra(deployment)
    answer["deploymentConfigName"] = str(deployment.deployment_config_name)
    answer["startTime"] = deployment.start_time
    answer["completeTime"] = deployment.complete_time
    for key in ("errorInformation", "rollbackInfo"):
        value = extra.get(key) if extra else getattr(deployment, f"bosun_{key}", None)
        if value:
            answer[key] = copy.deepcopy(value)
        else:
            answer.pop(key, None)
    if answer.get("previousRevision") == {}:
        answer.pop("previousRevision")
    return answer


def _find(backend, deployment_id):
    if not deployment_id:
        raise _error("DeploymentIdRequiredException", "A deployment ID must be specified.")
    deployment = backend.deployments.get(deployment_id)
    if deployment is None:
        raise _error("DeploymentDoesNotExistException", f"The deployment {deployment_id} does not exist.")
    return deployment


def _finish(backend, deployment, status, now, rollback):
    """End a deployment: Succeeded moves everything to green; Failed and Stopped go back to
    blue (and, asked to, record the rollback deployment)."""
    extra = _extra(deployment)
    deployment.status = status
    deployment.complete_time = now
    if deployment.start_time is None:
        deployment.start_time = now
    service = _ecs_service(extra)
    if status == "Succeeded":
        extra["targetStatus"] = "Succeeded"
        extra["trafficWeight"] = 100.0
        if service:
            green = _task_set(service, extra["green"])
            if green:
                green.status = "PRIMARY"
                green.updatedAt = now
            service.task_sets = [t for t in service.task_sets if t.task_set_arn != extra["blue"]]
            if green:
                service.task_definition = green.task_definition
        return
    extra["targetStatus"] = "Failed"
    extra["trafficWeight"] = 0.0
    if service:
        service.task_sets = [t for t in service.task_sets if t.task_set_arn != extra["green"]]
        moto_deploy._refresh_task_sets(service)
    if rollback:
        from moto.codedeploy.models import DeploymentInfo
        back = DeploymentInfo(deployment.application, deployment.deployment_group,
                              deployment.revision, deployment.deployment_config_name,
                              "Rollback of " + deployment.deployment_id, None, None, None, None,
                              None, None, "codeDeployRollback")
        back.status = "Succeeded"
        back.start_time = back.complete_time = now
        back.bosun_rollbackInfo = {"rollbackTriggeringDeploymentId": deployment.deployment_id}
        backend.deployments[back.deployment_id] = back
        extra["rollbackInfo"] = {
            "rollbackDeploymentId": back.deployment_id,
            "rollbackMessage": f"Deployment {deployment.deployment_id} was rolled back by {back.deployment_id}.",
        }


def _install_codedeploy():
    from moto.codedeploy import responses
    from moto.core.responses import ActionResult

    Response = responses.CodeDeployResponse
    create_deployment = Response.create_deployment
    deployment_info = responses._deployment_info

    def create_deployment_to_ecs(self):
        with _LOCK:
            result = create_deployment(self)
            _after_create(self.codedeploy_backend, result.result["deploymentId"])
            return result

    def info_with_moves(deployment):
        return _deployment_answer(deployment, deployment_info(deployment))

    def list_deployment_targets(self):
        with _LOCK:
            deployment = _find(self.codedeploy_backend, self._get_param("deploymentId"))
            extra = _extra(deployment)
            return ActionResult({"targetIds": [extra["serviceKey"]] if extra else []})

    def batch_get_deployment_targets(self):
        with _LOCK:
            deployment = _find(self.codedeploy_backend, self._get_param("deploymentId"))
            ids = self._get_param("targetIds") or []
            if not ids:
                raise _error("DeploymentTargetIdRequiredException", "A target ID must be specified.")
            if len(ids) > TARGETS_PER_CALL:
                raise _error("DeploymentTargetListSizeExceededException",
                             f"At most {TARGETS_PER_CALL} target IDs can be specified.")
            extra = _extra(deployment)
            targets = []
            for target in ids:
                if not extra or target != extra["serviceKey"]:
                    raise _error("DeploymentTargetDoesNotExistException",
                                 f"The target {target} is not part of deployment {deployment.deployment_id}.")
                targets.append({"deploymentTargetType": "ECSTarget", "ecsTarget": _ecs_target(deployment)})
            return ActionResult({"deploymentTargets": targets})

    def stop_deployment(self):
        with _LOCK:
            backend = self.codedeploy_backend
            deployment = _find(backend, self._get_param("deploymentId"))
            if deployment.status in FINISHED:
                raise _error("DeploymentAlreadyCompletedException",
                             f"The deployment {deployment.deployment_id} has already completed.")
            now = moto_deploy._now()
            if _extra(deployment):
                _finish(backend, deployment, "Stopped", now, bool(self._get_param("autoRollbackEnabled")))
            else:
                deployment.status = "Stopped"
                deployment.complete_time = now
            return ActionResult({"status": "Succeeded", "statusMessage": "The deployment was stopped."})

    Response.create_deployment = create_deployment_to_ecs
    responses._deployment_info = info_with_moves
    Response.list_deployment_targets = list_deployment_targets
    Response.batch_get_deployment_targets = batch_get_deployment_targets
    Response.stop_deployment = stop_deployment


def _control_deployment(body):
    from moto.codedeploy.models import codedeploy_backends
    from moto.core import DEFAULT_ACCOUNT_ID
    backend = codedeploy_backends[body.get("account") or DEFAULT_ACCOUNT_ID][body.get("region") or "us-east-1"]
    with _LOCK:
        deployment = backend.deployments.get(body.get("deploymentId"))
        if deployment is None or not _extra(deployment):
            return 404, {"message": f"no ECS deployment {body.get('deploymentId')}"}
        extra = _extra(deployment)
        now = moto_deploy._now()
        statuses = moto_deploy._enum("codedeploy", "LifecycleEventStatus")
        for name, change in (body.get("lifecycleEvents") or {}).items():
            if name not in extra["events"]:
                return 400, {"message": f"{name} is not an ECS lifecycle event ({', '.join(ECS_EVENTS)})"}
            change = change if isinstance(change, dict) else {"status": change}
            if change.get("status") not in statuses:
                return 400, {"message": f"status must be one of {statuses}"}
            event = extra["events"][name]
            event["status"] = change["status"]
            if change["status"] != "Pending":
                event.setdefault("startTime", now)
            if change["status"] in ("Succeeded", "Failed", "Skipped"):
                event["endTime"] = now
            if change.get("message") or change.get("errorCode"):
                event["diagnostics"] = {"errorCode": change.get("errorCode") or "ScriptFailed",
                                        "message": change.get("message") or ""}
        if body.get("trafficWeight") is not None:
            extra["trafficWeight"] = float(body["trafficWeight"])
        service = _ecs_service(extra)
        green = _task_set(service, extra["green"]) if service else None
        if green:
            for key, attribute in (("greenRunningCount", "running_count"), ("greenPendingCount", "pending_count")):
                if body.get(key) is not None:
                    setattr(green, attribute, int(body[key]))
            moto_deploy._refresh_task_sets(service)
        if body.get("errorInformation"):
            extra["errorInformation"] = dict(body["errorInformation"])
        status = body.get("status")
        if status:
            if status not in moto_deploy._enum("codedeploy", "DeploymentStatus"):
                return 400, {"message": f"status {status} is not a DeploymentStatus"}
            if status in FINISHED:
                _finish(backend, deployment, status, now, bool(body.get("rollback")))
            else:
                deployment.status = status
                if status in ("InProgress", "Baking", "Ready") and deployment.start_time is None:
                    deployment.start_time = now
                extra["targetStatus"] = "InProgress" if status == "InProgress" else extra["targetStatus"]
        extra["lastUpdatedAt"] = now
        from moto.codedeploy import responses
        return 200, moto_deploy._jsonable({"deployment": responses._deployment_info(deployment),
                                           "ecsTarget": _ecs_target(deployment)})
