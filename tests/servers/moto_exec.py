"""ECS Exec and SSM Session Manager sessions for the test moto server (moto 5.2.5 has none
of them).

`install()` patches moto in place; `moto_server.py` calls it before it starts serving. Every
field name, type and error code below comes from botocore's service models (ecs 2014-11-13,
ssm 2014-11-06). Nothing connects anywhere: a session is a record and an answer; what the
client does with the answer is played by the `session-manager-plugin` stand-in next to this
file.

Emulated
  ECS
    CreateService keeps enableExecuteCommand (false when not given, as DescribeServices shows
      it on AWS); UpdateService changes it when given. RunTask and StartTask keep it on their
      tasks (false when not given); DescribeTasks answers it. moto starts no tasks for
      services, so no other path makes tasks.
    Every container of a task has a runtimeId: `<task id without hyphens>-<10 digits>` for
      tasks without a container instance (Fargate, as AWS writes them), a 64 hex digit Docker
      id for tasks on a container instance (EC2, as AWS writes them). moto gives its tasks
      old-format UUID ids (36 characters, which AWS also accepts).
    A task run with enableExecuteCommand has, on each container, managedAgents
      [{"name": "ExecuteCommandAgent", "lastStatus": "RUNNING", "lastStartedAt": <run time>}];
      once the task is STOPPED its agents say STOPPED.
    Every container definition of the task definition becomes a container of the task (moto
      makes only the first one).
    ExecuteCommand (cluster, container, command, interactive, task) answers clusterArn,
      containerArn, containerName, interactive, session {sessionId, streamUrl, tokenValue},
      taskArn, with a sessionId `ecs-execute-command-<17 hex>` and a streamUrl
      `wss://ssmmessages.<region>.amazonaws.com/v1/data-channel/<sessionId>?role=publish_subscribe&cell-number=<base64>`.
      Errors, in the order they are checked:
        AccessDeniedException  when denied (control endpoint or env var below):
            "User: <principal> is not authorized to perform: ecs:ExecuteCommand on resource: <task ARN>"
        InvalidParameterException  interactive not true:
            "Interactive is the only mode supported currently."
        ClusterNotFoundException  "Cluster not found."
        InvalidParameterException  no such task in the cluster:
            "The referenced task was not found."
        InvalidParameterException  no `container` and more than one container, or a
            `container` the task does not have (wording: the emulator's, see below)
        InvalidParameterException  task run without enableExecuteCommand, task not RUNNING,
            or the container's agent not RUNNING:
            "The execute command failed because execute command was not enabled when the
            task was run or the execute command agent isn’t running. Wait and try again or
            run a new task with execute command enabled and try again."
        TargetNotConnectedException  agent RUNNING but marked not connected (control endpoint):
            "The execute command failed due to an internal error. Try again later."
  SSM
    StartSession (Target, DocumentName, Parameters, Reason) answers SessionId
      (`<caller user name>-<17 hex>`), TokenValue and StreamUrl (as above).
      Documents: none (a shell session), AWS-StartPortForwardingSession (portNumber,
      localPortNumber), AWS-StartPortForwardingSessionToRemoteHost (host, portNumber,
      localPortNumber) and the other AWS-owned Session documents named in SESSION_DOCUMENTS,
      by name or ARN; a document created in moto with CreateDocument is used by its type.
      Targets: `ecs:<cluster name>_<task id>_<container runtimeId>` naming a RUNNING task
      run with enableExecuteCommand whose container's agent is RUNNING and connected, or the
      id of a running EC2 instance moto knows.
      Errors, in the order they are checked:
        AccessDeniedException  when denied: "User: <principal> is not authorized to perform:
            ssm:StartSession on resource: <target ARN>"
        InvalidDocument  unknown document: "The specified document does not exist." (AWS's
            wording for a missing document in the other SSM operations); a document that is
            not a Session document: "Document type: 'Command' is not supported. Only type:
            'Session' is supported for Session Manager."
        TargetNotConnected  any other target: "<target> is not connected."
    TerminateSession (SessionId) answers SessionId and marks the recorded session Terminated.

Not emulated, or the emulator's own choice where AWS documents nothing: no data channel, no
websocket (the stream URL and token lead nowhere); document parameters are not checked
against the documents (the plugin stand-in checks what it needs); the task role RunTask and
UpdateService want with enableExecuteCommand is not required; no session limit
(ClientException "maximum session limit"); no ResumeSession, DescribeSessions or
GetConnectionStatus; the principal is the moto IAM user of the request's access key, else
`arn:aws:iam::<account>:user/moto`; the wording of the two container errors
("Container name must be provided when the task has more than one container." and "The
container does not exist in the task."), and "The referenced task was not found." (AWS's
StopTask wording) are not from AWS documentation.

Control endpoints (test only; JSON in, JSON out; 400 for a bad request, 404 for an unknown task):

  POST /_bosun/ecs/agent
    {"taskArn": ARN or task id,                      required
     "container": name,                              default: every container of the task
     "lastStatus": str,                              e.g. PENDING | RUNNING | STOPPED
     "reason": str,                                  shown as the agent's reason
     "connected": bool}                              false: ExecuteCommand answers
                                                     TargetNotConnectedException, StartSession
                                                     TargetNotConnected (default true)
    The task must have been run with enableExecuteCommand (409 otherwise). Answers
    {"taskArn", "containers": [{"name", "runtimeId", "managedAgents", "connected"}]}.
  POST /_bosun/deny
    {"action": "ecs:ExecuteCommand" | "ssm:StartSession",   default ecs:ExecuteCommand
     "denied": bool,                                         default true
     "principal": ARN}                                       who AWS says was refused
    Answers {"denied": {action: principal or null, ...}}.
  GET /_bosun/sessions
    Every session started (ExecuteCommand and StartSession), oldest first: {"sessionId",
    "service" ("ecs" | "ssm"), "operation", "region", "account", "startedAt" (epoch seconds),
    "status" ("Connected" | "Terminated"), "streamUrl", "tokenValue", "request" (the request
    fields as sent), "target" (the SSM target; for ExecuteCommand the one the AWS CLI builds:
    ecs:CLUSTER_TASKID_RUNTIMEID), and for ExecuteCommand "clusterArn", "taskArn",
    "containerName", "containerArn", "runtimeId"}.
  DELETE /_bosun/sessions
    Forgets them.

Env var (read by install()):
  BOSUN_MOTO_DENY   comma-separated actions denied from the start, e.g.
                    "ecs:ExecuteCommand,ssm:StartSession" (the control endpoint can lift it).
"""

import base64
import json
import os
import threading
import time

AGENT_NAME = "ExecuteCommandAgent"  # the only ManagedAgentName
ACTIONS = ("ecs:ExecuteCommand", "ssm:StartSession")

NOT_ENABLED = ("The execute command failed because execute command was not enabled when the task "
               "was run or the execute command agent isn’t running. Wait and try again or run a "
               "new task with execute command enabled and try again.")
NOT_CONNECTED = "The execute command failed due to an internal error. Try again later."
INTERACTIVE_ONLY = "Interactive is the only mode supported currently."
TASK_NOT_FOUND = "The referenced task was not found."
# The emulator's wording (AWS's is not documented):
CONTAINER_REQUIRED = "Container name must be provided when the task has more than one container."
NO_SUCH_CONTAINER = "The container does not exist in the task."

# AWS-owned documents of type Session, and the parameters of the port forwarding ones.
PORT_FORWARDING_DOCUMENTS = {
    "AWS-StartPortForwardingSession": ("portNumber", "localPortNumber"),
    "AWS-StartPortForwardingSessionToRemoteHost": ("host", "portNumber", "localPortNumber"),
}
SESSION_DOCUMENTS = set(PORT_FORWARDING_DOCUMENTS) | {
    "SSM-SessionManagerRunShell", "AWS-StartPortForwardingSessionToSocket",
    "AWS-StartInteractiveCommand", "AWS-StartNonInteractiveCommand", "AWS-StartSSHSession",
    "AWS-PasswordReset",
}

_LOCK = threading.RLock()
_SESSIONS = []   # records, oldest first (see GET /_bosun/sessions)
_DENIED = {}     # action -> principal ARN (None: the caller)


def install():
    """Patch moto (call once, before serving)."""
    for action in filter(None, (a.strip() for a in os.environ.get("BOSUN_MOTO_DENY", "").split(","))):
        if action not in ACTIONS:
            raise SystemExit(f"BOSUN_MOTO_DENY: unknown action {action!r} (one of {', '.join(ACTIONS)})")
        _DENIED[action] = None
    _install_ecs()
    _install_ssm()
    _install_control_endpoints()


# ---------------------------------------------------------------- helpers

def _now():
    from moto.core.utils import utcnow
    return utcnow()


def _hex(digits):
    from moto.moto_api._internal import mock_random
    return "".join(mock_random.choice("0123456789abcdef") for _ in range(digits))


def _digits(count):
    from moto.moto_api._internal import mock_random
    return str(mock_random.randint(10 ** (count - 1), 10 ** count - 1))


def _opaque(length):
    """Base64 text standing in for AWS's encrypted cell numbers and tokens."""
    from moto.moto_api._internal import mock_random
    raw = bytes(mock_random.getrandbits(8) for _ in range(length))
    return "AAEAA" + base64.b64encode(raw).decode()


def _dns_suffix(region):
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def _stream_url(region, session_id):
    return (f"wss://ssmmessages.{region}.{_dns_suffix(region)}/v1/data-channel/{session_id}"
            f"?role=publish_subscribe&cell-number={_opaque(60)}")


def _principal(response, action):
    """Who AWS would name in an AccessDeniedException."""
    if _DENIED.get(action):
        return _DENIED[action]
    from moto.utilities.utils import get_partition
    account, partition = response.current_account, get_partition(response.region)
    try:
        from moto.iam.models import iam_backends
        user = iam_backends[account][partition].get_user_from_access_key_id(response.get_access_key())
        if user:
            return user.arn
    except Exception:  # noqa: BLE001 - no IAM user behind the key: moto's default caller
        pass
    return f"arn:{partition}:iam::{account}:user/moto"


def _record(record):
    record.update(startedAt=time.time(), status="Connected")
    with _LOCK:
        _SESSIONS.append(record)


# ---------------------------------------------------------------- ECS

def _runtime_id(task):
    if task.container_instance_arn:
        # On a container instance the runtime id is the Docker container id.
        return _hex(64)
    # On Fargate AWS writes `<task id>-<10 digits>`.
    return f"{task.id.replace('-', '')}-{_digits(10)}"


def _complete_task(task, task_definition):
    """Every container definition as a container, a runtimeId each, enableExecuteCommand off."""
    from moto.ecs.models import Container
    for definition in (task_definition.container_definitions or [])[1:]:
        container = Container(task_definition)  # made from the first definition: redone below
        container.name = definition.get("name")
        container.image = definition.get("image")
        container.cpu = definition.get("cpu", 0)
        container.memory = definition.get("memory")
        container.environment = definition.get("environment")
        container.command = definition.get("command")
        task.containers.append(container)
    task.enable_execute_command = False
    for container in task.containers:
        container.runtime_id = _runtime_id(task)


def _enable_exec(task):
    """A task run with enableExecuteCommand: its agents start with it."""
    if getattr(task, "enable_execute_command", False):
        return  # already done (a RunTask retried with its client token)
    task.enable_execute_command = True
    started = _now()
    for container in task.containers:
        container.managed_agents = [{"name": AGENT_NAME, "lastStatus": "RUNNING", "lastStartedAt": started}]
        container.bosun_agent_connected = True


def _sync_agents(task):
    """The agents of a stopped task are stopped too."""
    if task.last_status != "STOPPED":
        return
    for container in task.containers:
        for agent in getattr(container, "managed_agents", None) or []:
            agent["lastStatus"] = "STOPPED"


def _agent(container):
    for agent in getattr(container, "managed_agents", None) or []:
        if agent.get("name") == AGENT_NAME:
            return agent
    return None


def _find_task(backend, cluster_name, wanted):
    """The task of the cluster named by ARN or id (the whole id, as AWS wants it)."""
    wanted_id = (wanted or "").split("/")[-1]
    for task in list(backend.tasks.get(cluster_name, {}).values()):  # others may be adding
        if wanted in (task.task_arn, task.id) or wanted_id == task.id:
            return task
    return None


def _find_task_anywhere(backend, wanted):
    for cluster_name in list(backend.tasks):
        task = _find_task(backend, cluster_name, wanted)
        if task is not None:
            return task
    return None


def _pick_container(task, name):
    from moto.ecs.exceptions import InvalidParameterException
    if not name:
        if len(task.containers) == 1:
            return task.containers[0]
        raise InvalidParameterException(CONTAINER_REQUIRED)
    for container in task.containers:
        if container.name == name:
            return container
    raise InvalidParameterException(NO_SUCH_CONTAINER)


def _exec_ready(task, container):
    """(ready, connected) for an exec session into `container` of `task`."""
    agent = _agent(container)
    ready = (getattr(task, "enable_execute_command", False) and task.last_status == "RUNNING"
             and agent is not None and agent.get("lastStatus") == "RUNNING")
    return ready, getattr(container, "bosun_agent_connected", True)


def _install_ecs():
    from moto.core.responses import ActionResult
    from moto.ecs import models
    from moto.ecs.exceptions import ECSException, InvalidParameterException
    from moto.ecs.responses import EC2ContainerServiceResponse as ECS
    from moto.utilities.utils import get_partition

    task_init = models.Task.__init__

    def init(self, cluster, task_definition, *args, **kwargs):
        task_init(self, cluster, task_definition, *args, **kwargs)
        _complete_task(self, task_definition)

    models.Task.__init__ = init

    create_service = ECS.create_service
    update_service = ECS.update_service
    run_task = ECS.run_task
    start_task = ECS.start_task
    describe_tasks = ECS.describe_tasks
    stop_task = ECS.stop_task

    def create_service_with_exec(self):
        result = create_service(self)
        result.result["service"].enable_execute_command = bool(self._get_param("enableExecuteCommand"))
        return result

    def update_service_with_exec(self):
        result = update_service(self)
        if self._get_param("enableExecuteCommand") is not None:
            result.result["service"].enable_execute_command = bool(self._get_param("enableExecuteCommand"))
        return result

    def starting(original):
        def start(self):
            with _LOCK:
                result = original(self)
                if self._get_param("enableExecuteCommand"):
                    for task in result.result["tasks"]:
                        _enable_exec(task)
                return result
        return start

    def describe_tasks_with_agents(self):
        result = describe_tasks(self)
        for task in result.result["tasks"]:
            _sync_agents(task)
        return result

    def stop_task_with_agents(self):
        result = stop_task(self)
        _sync_agents(result.result["task"])
        return result

    def execute_command(self):
        params = self._get_params()
        backend = self.ecs_backend
        cluster_param = params.get("cluster") or "default"
        task_param = params.get("task") or ""
        with _LOCK:
            if "ecs:ExecuteCommand" in _DENIED:
                cluster_name = cluster_param.split("/")[-1]
                task = _find_task(backend, cluster_name, task_param)
                resource = task.task_arn if task else (
                    task_param if task_param.startswith("arn:") else
                    f"arn:{get_partition(self.region)}:ecs:{self.region}:{self.current_account}:"
                    f"task/{cluster_name}/{task_param}")
                raise ECSException(
                    "AccessDeniedException",
                    f"User: {_principal(self, 'ecs:ExecuteCommand')} is not authorized to perform: "
                    f"ecs:ExecuteCommand on resource: {resource}")
            if params.get("interactive") is not True:
                raise InvalidParameterException(INTERACTIVE_ONLY)
            cluster = backend._get_cluster(cluster_param)  # ClusterNotFoundException
            task = _find_task(backend, cluster.name, task_param)
            if task is None:
                raise InvalidParameterException(TASK_NOT_FOUND)
            container = _pick_container(task, params.get("container"))
            ready, connected = _exec_ready(task, container)
            if not ready:
                raise InvalidParameterException(NOT_ENABLED)
            if not connected:
                raise ECSException("TargetNotConnectedException", NOT_CONNECTED)
            session_id = f"ecs-execute-command-{_hex(17)}"
            session = {"sessionId": session_id, "streamUrl": _stream_url(self.region, session_id),
                       "tokenValue": _opaque(180)}
            answer = {"clusterArn": cluster.arn, "containerArn": container.container_arn,
                      "containerName": container.name, "interactive": True,
                      "session": session, "taskArn": task.task_arn}
            _record({"sessionId": session_id, "service": "ecs", "operation": "ExecuteCommand",
                     "region": self.region, "account": self.current_account,
                     "streamUrl": session["streamUrl"], "tokenValue": session["tokenValue"],
                     "request": {k: params[k] for k in ("cluster", "container", "command", "interactive", "task")
                                 if k in params},
                     # The target the AWS CLI builds for the plugin from this answer.
                     "target": f"ecs:{cluster.name}_{task.id}_{container.runtime_id}",
                     "clusterArn": cluster.arn, "taskArn": task.task_arn,
                     "containerName": container.name, "containerArn": container.container_arn,
                     "runtimeId": container.runtime_id})
            return ActionResult(answer)

    ECS.create_service = create_service_with_exec
    ECS.update_service = update_service_with_exec
    ECS.run_task = starting(run_task)
    ECS.start_task = starting(start_task)
    ECS.describe_tasks = describe_tasks_with_agents
    ECS.stop_task = stop_task_with_agents
    ECS.execute_command = execute_command


# ---------------------------------------------------------------- SSM

def _ecs_target_ready(account, region, target):
    """An `ecs:<cluster>_<task id>_<runtime id>` target names a container one can reach."""
    from moto.ecs.models import ecs_backends
    try:
        cluster_name, task_id, runtime_id = target[len("ecs:"):].rsplit("_", 2)
    except ValueError:
        return None
    backend = ecs_backends[account][region]
    task = _find_task(backend, cluster_name, task_id)
    if task is None or task.id != task_id:
        return None
    for container in task.containers:
        if getattr(container, "runtime_id", None) == runtime_id:
            ready, connected = _exec_ready(task, container)
            return task if ready and connected else None
    return None


def _instance_running(account, region, instance_id):
    from moto.ec2.models import ec2_backends
    try:
        instance = ec2_backends[account][region].get_instance(instance_id)
    except Exception:  # noqa: BLE001 - InvalidInstanceID.NotFound and the like
        return False
    return instance.state == "running"


def _target_arn(account, region, target):
    from moto.utilities.utils import get_partition
    partition = get_partition(region)
    parts = target[len("ecs:"):].rsplit("_", 2)
    if target.startswith("ecs:") and len(parts) == 3:
        return f"arn:{partition}:ecs:{region}:{account}:task/{parts[0]}/{parts[1]}"
    return f"arn:{partition}:ec2:{region}:{account}:instance/{target}"


def _install_ssm():
    from moto.core.responses import ActionResult
    from moto.ssm.exceptions import SSMException
    from moto.ssm.responses import SimpleSystemManagerResponse as SSM

    def start_session(self):
        target = self._get_param("Target") or ""
        document = self._get_param("DocumentName")
        parameters = self._get_param("Parameters")
        reason = self._get_param("Reason")
        account, region = self.current_account, self.region
        with _LOCK:
            if "ssm:StartSession" in _DENIED:
                raise SSMException(
                    "AccessDeniedException",
                    f"User: {_principal(self, 'ssm:StartSession')} is not authorized to perform: "
                    f"ssm:StartSession on resource: {_target_arn(account, region, target)}")
            if document is not None:
                name = document.split("document/")[-1]  # a name or an ARN
                if name not in SESSION_DOCUMENTS:
                    documents = self.ssm_backend._documents.get(name)
                    if documents is None:
                        raise SSMException("InvalidDocument", "The specified document does not exist.")
                    kind = documents.get_default_version().document_type
                    if kind != "Session":
                        raise SSMException(
                            "InvalidDocument",
                            f"Document type: '{kind}' is not supported. Only type: 'Session' is "
                            "supported for Session Manager.")
            if target.startswith("ecs:"):
                reachable = _ecs_target_ready(account, region, target) is not None
            else:
                reachable = _instance_running(account, region, target)
            if not reachable:
                raise SSMException("TargetNotConnected", f"{target} is not connected.")
            user = _principal(self, "ssm:StartSession").rsplit("/", 1)[-1]
            session_id = f"{user}-{_hex(17)}"
            answer = {"SessionId": session_id, "TokenValue": _opaque(180),
                      "StreamUrl": _stream_url(region, session_id)}
            request = {"Target": target}
            for key, value in (("DocumentName", document), ("Parameters", parameters), ("Reason", reason)):
                if value is not None:
                    request[key] = value
            _record({"sessionId": session_id, "service": "ssm", "operation": "StartSession",
                     "region": region, "account": account, "streamUrl": answer["StreamUrl"],
                     "tokenValue": answer["TokenValue"], "request": request, "target": target})
            return ActionResult(answer)

    def terminate_session(self):
        session_id = self._get_param("SessionId")
        with _LOCK:
            for record in _SESSIONS:
                if record["sessionId"] == session_id:
                    record["status"] = "Terminated"
        return ActionResult({"SessionId": session_id})

    SSM.start_session = start_session
    SSM.terminate_session = terminate_session


# ---------------------------------------------------------------- control endpoints

def _control_agent(body):
    from moto.ecs.models import ecs_backends
    wanted = body["taskArn"]
    task = None
    for account in list(ecs_backends):
        for region in list(ecs_backends[account]):
            task = task or _find_task_anywhere(ecs_backends[account][region], wanted)
    if task is None:
        return 404, {"message": f"no task {wanted}"}
    if not getattr(task, "enable_execute_command", False):
        return 409, {"message": "the task was not run with enableExecuteCommand: it has no agent"}
    containers = [c for c in task.containers if body.get("container") in (None, c.name)]
    if not containers:
        return 404, {"message": f"no container {body['container']} in {task.task_arn}"}
    with _LOCK:
        for container in containers:
            agent = _agent(container)
            if "lastStatus" in body:
                agent["lastStatus"] = str(body["lastStatus"])
                if agent["lastStatus"] == "RUNNING":
                    agent["lastStartedAt"] = _now()
            if "reason" in body:
                agent["reason"] = str(body["reason"])
            if "connected" in body:
                container.bosun_agent_connected = bool(body["connected"])
    return 200, {"taskArn": task.task_arn, "containers": [
        {"name": c.name, "runtimeId": c.runtime_id, "connected": c.bosun_agent_connected,
         "managedAgents": [{**a, "lastStartedAt": a["lastStartedAt"].timestamp()
                            if hasattr(a.get("lastStartedAt"), "timestamp") else a.get("lastStartedAt")}
                           for a in c.managed_agents]}
        for c in containers]}


def _control_deny(body):
    action = body.get("action", "ecs:ExecuteCommand")
    if action not in ACTIONS:
        return 400, {"message": f"action: one of {', '.join(ACTIONS)}"}
    with _LOCK:
        if body.get("denied", True):
            _DENIED[action] = body.get("principal")
        else:
            _DENIED.pop(action, None)
        return 200, {"denied": dict(_DENIED)}


def _control_sessions(method):
    with _LOCK:
        if method == "DELETE":
            _SESSIONS.clear()
            return 200, []
        return 200, json.loads(json.dumps(_SESSIONS))


def _install_control_endpoints():
    """Serve the control endpoints in front of whatever handles requests now. Only these exact
    paths are taken, everything else goes on."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from werkzeug.wrappers import Request, Response

    dispatch = DomainDispatcherApplication.__call__
    posts = {"/_bosun/ecs/agent": _control_agent, "/_bosun/deny": _control_deny}

    def call(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path not in posts and path != "/_bosun/sessions":
            return dispatch(self, environ, start_response)
        request = Request(environ)
        if path == "/_bosun/sessions":
            if request.method in ("GET", "DELETE"):
                status, answer = _control_sessions(request.method)
            else:
                status, answer = 405, {"message": "GET or DELETE"}
        elif request.method != "POST":
            status, answer = 405, {"message": "POST only"}
        else:
            try:
                body = json.loads(request.get_data() or b"{}")
            except ValueError as e:
                body, status, answer = None, 400, {"message": f"not JSON: {e}"}
            if isinstance(body, dict):
                try:
                    status, answer = posts[path](body)
                except (KeyError, TypeError, ValueError) as e:  # a bad value in the request
                    status, answer = 400, {"message": repr(e)}
            elif body is not None:
                status, answer = 400, {"message": "a JSON object is expected"}
        response = Response(json.dumps(answer), status=status, content_type="application/json")
        return response(environ, start_response)

    DomainDispatcherApplication.__call__ = call
