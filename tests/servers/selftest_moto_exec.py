"""Self-test of moto_exec.py and the session-manager-plugin stand-in: starts moto_server.py,
drives ECS Exec (enableExecuteCommand, runtimeId, managedAgents, ExecuteCommand and its
errors), SSM StartSession / TerminateSession and the control endpoints through boto3, runs
the plugin stand-in as the AWS CLI runs it, and runs the AWS CLI of the venv itself
(`aws ecs execute-command`, `aws ssm start-session` for both port forwarding documents) with
the stand-in on PATH, to record the exact arguments the CLI gives the plugin. Prints one line
per check and `N passed, M failed` at the end; exit code 0 only if all passed.

usage: python selftest_moto_exec.py [-v]      (-v: print the argv the AWS CLI passed)
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import boto3
import requests
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = os.path.join(HERE, "session-manager-plugin")
AWS = os.path.join(os.path.dirname(sys.executable), "aws")
ACCOUNT = "123456789012"
REGION = "us-east-1"
RESULTS = {"passed": 0, "failed": 0}
VERBOSE = "-v" in sys.argv

NOT_ENABLED = ("The execute command failed because execute command was not enabled when the task "
               "was run or the execute command agent isn’t running. Wait and try again or run a "
               "new task with execute command enabled and try again.")


def check(name, condition, detail=""):
    if condition:
        RESULTS["passed"] += 1
        print(f"ok    {name}")
    else:
        RESULTS["failed"] += 1
        print(f"FAIL  {name}: {detail}")
    return condition


def error_of(call):
    """(code, message) of the AWS error `call` fails with, or (None, None)."""
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message")
    return None, None


def start_server():
    process = subprocess.Popen([sys.executable, os.path.join(HERE, "moto_server.py")],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    if not line.startswith("PORT "):
        raise SystemExit(f"moto_server.py did not say its port: {line!r}")
    return process, f"http://127.0.0.1:{int(line.split()[1])}"


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def network(ec2):
    """A VPC, a subnet and a security group, as seed.py makes them."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})  # moto's task ENIs need it
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24",
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group],
                                    "assignPublicIp": "DISABLED"}}


def register(ecs, family, containers, fargate=True):
    args = dict(family=family, taskRoleArn=f"arn:aws:iam::{ACCOUNT}:role/{family}-task",
                containerDefinitions=[{"name": name, "image": f"{name}:1", "cpu": 128, "memory": 256,
                                       "essential": i == 0} for i, name in enumerate(containers)])
    if fargate:
        args.update(requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512")
    return ecs.register_task_definition(**args)["taskDefinition"]["taskDefinitionArn"]


def describe(ecs, arn, cluster="exec"):
    return ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]


class Output:
    """What a process writes on stdout, read as it comes."""

    def __init__(self, process):
        self.text = ""
        self.lock = threading.Lock()
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()

    def _read(self, stream):
        for chunk in iter(lambda: stream.read1(4096) if hasattr(stream, "read1") else stream.read(1), b""):
            with self.lock:
                self.text += chunk.decode(errors="replace")

    def wait_for(self, needle, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if needle in self.text:
                    return True
            time.sleep(0.05)
        return False


def echo_through(port, payload):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(payload)
        got = b""
        while len(got) < len(payload):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        return got


def log_lines(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def cli_env(log, extra_path=HERE):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(PATH=os.pathsep.join([extra_path, os.path.dirname(sys.executable), os.environ.get("PATH", "")]),
               AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION,
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               BOSUN_TEST_PLUGIN_LOG=log, PYTHONUNBUFFERED="1")
    return env


def main():
    server, endpoint = start_server()
    try:
        run(endpoint)
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 0 if RESULTS["failed"] == 0 else 1


def run(endpoint):
    ecs, ec2, ssm = client(endpoint, "ecs"), client(endpoint, "ec2"), client(endpoint, "ssm")
    ecs.create_cluster(clusterName="exec")
    net = network(ec2)
    web = register(ecs, "web", ["app", "sidecar"])
    solo = register(ecs, "solo", ["solo"])

    # ---------------------------------------------------------------- services
    ecs.create_service(cluster="exec", serviceName="on", taskDefinition=web, desiredCount=0,
                       launchType="FARGATE", networkConfiguration=net, enableExecuteCommand=True)
    ecs.create_service(cluster="exec", serviceName="off", taskDefinition=web, desiredCount=0,
                       launchType="FARGATE", networkConfiguration=net)
    services = {s["serviceName"]: s for s in ecs.describe_services(cluster="exec", services=["on", "off"])["services"]}
    check("CreateService keeps enableExecuteCommand; false when not given",
          services["on"].get("enableExecuteCommand") is True and services["off"].get("enableExecuteCommand") is False,
          {k: s.get("enableExecuteCommand") for k, s in services.items()})
    updated = ecs.update_service(cluster="exec", service="off", enableExecuteCommand=True)["service"]
    again = ecs.describe_services(cluster="exec", services=["off"])["services"][0]
    check("UpdateService changes enableExecuteCommand",
          updated.get("enableExecuteCommand") is True and again.get("enableExecuteCommand") is True, again)
    ecs.update_service(cluster="exec", service="off", desiredCount=0)
    check("UpdateService without it leaves it",
          ecs.describe_services(cluster="exec", services=["off"])["services"][0].get("enableExecuteCommand") is True)

    # ---------------------------------------------------------------- tasks
    run_args = dict(cluster="exec", launchType="FARGATE", networkConfiguration=net)
    task = ecs.run_task(taskDefinition=web, enableExecuteCommand=True, **run_args)["tasks"][0]
    arn = task["taskArn"]
    task_id = arn.split("/")[-1]
    check("RunTask answers enableExecuteCommand", task.get("enableExecuteCommand") is True, task)
    described = describe(ecs, arn)
    containers = {c["name"]: c for c in described["containers"]}
    check("DescribeTasks: enableExecuteCommand true", described.get("enableExecuteCommand") is True)
    check("every container definition is a container", sorted(containers) == ["app", "sidecar"], sorted(containers))
    fargate_id = re.compile("^" + task_id.replace("-", "") + r"-\d{10}$")
    check("Fargate runtimeId is <task id>-<10 digits>, one per container",
          all(fargate_id.match(c.get("runtimeId", "")) for c in containers.values())
          and containers["app"]["runtimeId"] != containers["sidecar"]["runtimeId"],
          [c.get("runtimeId") for c in containers.values()])
    agents = containers["app"].get("managedAgents") or [{}]
    check("managedAgents: ExecuteCommandAgent RUNNING with lastStartedAt",
          len(agents) == 1 and agents[0].get("name") == "ExecuteCommandAgent"
          and agents[0].get("lastStatus") == "RUNNING" and agents[0].get("lastStartedAt") is not None, agents)

    plain = ecs.run_task(taskDefinition=solo, **run_args)["tasks"][0]
    plain_d = describe(ecs, plain["taskArn"])
    check("RunTask without it: enableExecuteCommand false, runtimeId, no managedAgents",
          plain_d.get("enableExecuteCommand") is False and plain_d["containers"][0].get("runtimeId")
          and "managedAgents" not in plain_d["containers"][0], plain_d)
    solo_task = ecs.run_task(taskDefinition=solo, enableExecuteCommand=True, **run_args)["tasks"][0]

    # StartTask on a container instance (EC2): Docker-style runtime ids.
    ecs.create_cluster(clusterName="ec2")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    ci = ecs.register_container_instance(
        cluster="ec2", instanceIdentityDocument=json.dumps({"instanceId": instance})
    )["containerInstance"]["containerInstanceArn"]
    ec2_td = register(ecs, "worker", ["worker"], fargate=False)
    started = ecs.start_task(cluster="ec2", taskDefinition=ec2_td, containerInstances=[ci],
                             enableExecuteCommand=True)["tasks"][0]
    started_d = describe(ecs, started["taskArn"], cluster="ec2")
    check("StartTask keeps enableExecuteCommand; EC2 runtimeId is 64 hex digits",
          started_d.get("enableExecuteCommand") is True
          and re.match(r"^[0-9a-f]{64}$", started_d["containers"][0].get("runtimeId", ""))
          and started_d["containers"][0].get("managedAgents", [{}])[0].get("lastStatus") == "RUNNING",
          started_d)

    # ---------------------------------------------------------------- ExecuteCommand
    answer = ecs.execute_command(cluster="exec", task=arn, container="app", command="/bin/sh", interactive=True)
    session = answer.get("session", {})
    check("ExecuteCommand answers clusterArn, containerArn, containerName, interactive, taskArn",
          answer.get("clusterArn") == f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/exec"
          and answer.get("taskArn") == arn and answer.get("containerName") == "app"
          and answer.get("containerArn") == containers["app"]["containerArn"]
          and answer.get("interactive") is True, answer)
    check("session: sessionId ecs-execute-command-<17 hex>, tokenValue",
          re.match(r"^ecs-execute-command-[0-9a-f]{17}$", session.get("sessionId", ""))
          and len(session.get("tokenValue", "")) > 20, session)
    check("session: streamUrl as AWS writes it",
          re.match(r"^wss://ssmmessages\.us-east-1\.amazonaws\.com/v1/data-channel/"
                   + re.escape(session.get("sessionId", "")) + r"\?role=publish_subscribe&cell-number=\S+$",
                   session.get("streamUrl", "")), session.get("streamUrl"))
    by_id = ecs.execute_command(cluster=f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/exec", task=task_id,
                                container="sidecar", command="ls", interactive=True)
    check("ExecuteCommand takes a task id and a cluster ARN", by_id.get("containerName") == "sidecar", by_id)
    single = ecs.execute_command(cluster="exec", task=solo_task["taskArn"], command="/bin/sh", interactive=True)
    check("one container: no container needed", single.get("containerName") == "solo", single)

    def exec_error(**kwargs):
        args = dict(cluster="exec", task=arn, container="app", command="/bin/sh", interactive=True)
        args.update(kwargs)
        return error_of(lambda: ecs.execute_command(**args))

    check("execute command not enabled -> InvalidParameterException with AWS's message",
          exec_error(task=plain["taskArn"], container="solo") == ("InvalidParameterException", NOT_ENABLED),
          exec_error(task=plain["taskArn"], container="solo"))
    check("non-interactive -> InvalidParameterException",
          exec_error(interactive=False) == ("InvalidParameterException",
                                            "Interactive is the only mode supported currently."),
          exec_error(interactive=False))
    check("unknown cluster -> ClusterNotFoundException",
          exec_error(cluster="nope") == ("ClusterNotFoundException", "Cluster not found."), exec_error(cluster="nope"))
    check("unknown task -> InvalidParameterException",
          exec_error(task="0123456789abcdef0123456789abcdef") ==
          ("InvalidParameterException", "The referenced task was not found."),
          exec_error(task="0123456789abcdef0123456789abcdef"))
    check("a task of another cluster is not found",
          exec_error(task=started["taskArn"])[0] == "InvalidParameterException", exec_error(task=started["taskArn"]))
    check("two containers and no container -> InvalidParameterException",
          error_of(lambda: ecs.execute_command(cluster="exec", task=arn, command="sh", interactive=True))[0]
          == "InvalidParameterException")
    check("unknown container -> InvalidParameterException", exec_error(container="nope")[0] == "InvalidParameterException")

    code, body = control(endpoint, "/_bosun/ecs/agent", {"taskArn": arn, "container": "app", "lastStatus": "PENDING"})
    check("control: agent PENDING", code == 200 and body["containers"][0]["managedAgents"][0]["lastStatus"] == "PENDING",
          (code, body))
    app_agent = {c["name"]: c for c in describe(ecs, arn)["containers"]}["app"]["managedAgents"][0]
    check("DescribeTasks shows the agent PENDING", app_agent["lastStatus"] == "PENDING", app_agent)
    check("agent not RUNNING -> InvalidParameterException with AWS's message",
          exec_error() == ("InvalidParameterException", NOT_ENABLED), exec_error())
    check("the other container's agent still answers",
          exec_error(container="sidecar") == (None, None), exec_error(container="sidecar"))
    control(endpoint, "/_bosun/ecs/agent", {"taskArn": arn, "lastStatus": "RUNNING", "connected": False})
    check("agent not connected -> TargetNotConnectedException",
          exec_error() == ("TargetNotConnectedException",
                           "The execute command failed due to an internal error. Try again later."), exec_error())
    code, body = control(endpoint, "/_bosun/ecs/agent", {"taskArn": task_id, "connected": True})
    check("control: agent back (task id accepted)", code == 200 and exec_error() == (None, None), (code, exec_error()))

    code, body = control(endpoint, "/_bosun/deny", {"action": "ecs:ExecuteCommand"})
    denied = exec_error()
    check("denied -> AccessDeniedException naming the action and the task",
          denied == ("AccessDeniedException",
                     f"User: arn:aws:iam::{ACCOUNT}:user/moto is not authorized to perform: "
                     f"ecs:ExecuteCommand on resource: {arn}"), denied)
    control(endpoint, "/_bosun/deny", {"action": "ecs:ExecuteCommand",
                                        "principal": f"arn:aws:sts::{ACCOUNT}:assumed-role/dev/jane"})
    check("denied: the principal given", (exec_error()[1] or "").startswith(
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/dev/jane is not authorized"), exec_error())
    code, body = control(endpoint, "/_bosun/deny", {"action": "ecs:ExecuteCommand", "denied": False})
    check("deny lifted", code == 200 and body == {"denied": {}} and exec_error() == (None, None), (code, body))

    stopper = ecs.run_task(taskDefinition=solo, enableExecuteCommand=True, **run_args)["tasks"][0]
    ecs.stop_task(cluster="exec", task=stopper["taskArn"], reason="test")
    stopped_agent = describe(ecs, stopper["taskArn"])["containers"][0]["managedAgents"][0]
    check("a stopped task's agent is STOPPED", stopped_agent["lastStatus"] == "STOPPED", stopped_agent)
    check("a stopped task -> InvalidParameterException",
          exec_error(task=stopper["taskArn"], container="solo")[0] == "InvalidParameterException")

    # ---------------------------------------------------------------- SSM StartSession
    app_runtime = {c["name"]: c for c in describe(ecs, arn)["containers"]}["app"]["runtimeId"]
    target = f"ecs:exec_{task_id}_{app_runtime}"
    local = free_port()
    pf = ssm.start_session(Target=target, DocumentName="AWS-StartPortForwardingSession",
                           Parameters={"portNumber": ["8080"], "localPortNumber": [str(local)]})
    check("StartSession AWS-StartPortForwardingSession: SessionId, StreamUrl, TokenValue",
          re.match(r"^moto-[0-9a-f]{17}$", pf.get("SessionId", ""))
          and pf.get("StreamUrl", "").startswith(
              f"wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/{pf.get('SessionId')}?role=publish_subscribe")
          and pf.get("TokenValue"), pf)
    remote = ssm.start_session(Target=target, DocumentName="AWS-StartPortForwardingSessionToRemoteHost",
                               Parameters={"host": ["db.internal"], "portNumber": ["5432"],
                                           "localPortNumber": ["15432"]}, Reason="debugging")
    check("StartSession AWS-StartPortForwardingSessionToRemoteHost", bool(remote.get("SessionId")), remote)
    shell = ssm.start_session(Target=target)
    check("StartSession without a document (a shell)", bool(shell.get("SessionId")), shell)
    by_arn = ssm.start_session(Target=target, DocumentName=f"arn:aws:ssm:{REGION}::document/AWS-StartPortForwardingSession",
                               Parameters={"portNumber": ["80"]})
    check("StartSession with a document ARN", bool(by_arn.get("SessionId")), by_arn)

    def ssm_error(**kwargs):
        return error_of(lambda: ssm.start_session(**kwargs))

    bad_target = f"ecs:exec_{task_id}_0000"
    check("unknown runtime id -> TargetNotConnected",
          ssm_error(Target=bad_target) == ("TargetNotConnected", f"{bad_target} is not connected."),
          ssm_error(Target=bad_target))
    plain_target = f"ecs:exec_{plain['taskArn'].split('/')[-1]}_{plain_d['containers'][0]['runtimeId']}"
    check("task without execute command -> TargetNotConnected",
          ssm_error(Target=plain_target)[0] == "TargetNotConnected", ssm_error(Target=plain_target))
    check("other cluster in the target -> TargetNotConnected",
          ssm_error(Target=f"ecs:ec2_{task_id}_{app_runtime}")[0] == "TargetNotConnected")
    check("unknown instance -> TargetNotConnected",
          ssm_error(Target="i-0123456789abcdef0") == ("TargetNotConnected", "i-0123456789abcdef0 is not connected."))
    check("a running EC2 instance is a target", ssm_error(Target=instance) == (None, None), ssm_error(Target=instance))
    check("unknown document -> InvalidDocument",
          ssm_error(Target=target, DocumentName="AWS-StartPortForwardingSessionTypo") ==
          ("InvalidDocument", "The specified document does not exist."),
          ssm_error(Target=target, DocumentName="AWS-StartPortForwardingSessionTypo"))
    ssm.create_document(Name="RunThings", DocumentType="Command", Content=json.dumps(
        {"schemaVersion": "2.2", "description": "x", "mainSteps": [
            {"action": "aws:runShellScript", "name": "run", "inputs": {"runCommand": ["true"]}}]}))
    check("a Command document -> InvalidDocument",
          ssm_error(Target=target, DocumentName="RunThings") ==
          ("InvalidDocument", "Document type: 'Command' is not supported. Only type: 'Session' is supported "
                              "for Session Manager."), ssm_error(Target=target, DocumentName="RunThings"))
    control(endpoint, "/_bosun/ecs/agent", {"taskArn": arn, "container": "app", "connected": False})
    check("agent not connected -> TargetNotConnected", ssm_error(Target=target)[0] == "TargetNotConnected")
    control(endpoint, "/_bosun/ecs/agent", {"taskArn": arn, "container": "app", "connected": True})
    control(endpoint, "/_bosun/deny", {"action": "ssm:StartSession"})
    denied = ssm_error(Target=target)
    check("denied -> AccessDeniedException naming ssm:StartSession",
          denied == ("AccessDeniedException", f"User: arn:aws:iam::{ACCOUNT}:user/moto is not authorized to "
                     f"perform: ssm:StartSession on resource: arn:aws:ecs:{REGION}:{ACCOUNT}:task/exec/{task_id}"),
          denied)
    control(endpoint, "/_bosun/deny", {"action": "ssm:StartSession", "denied": False})
    terminated = ssm.terminate_session(SessionId=shell["SessionId"])
    check("TerminateSession answers SessionId", terminated.get("SessionId") == shell["SessionId"], terminated)

    # ---------------------------------------------------------------- recorded sessions
    sessions = requests.get(endpoint + "/_bosun/sessions", timeout=30).json()
    first = next((s for s in sessions if s["sessionId"] == session.get("sessionId")), {})
    check("sessions: the ExecuteCommand request, its target and the answer",
          first.get("service") == "ecs" and first.get("operation") == "ExecuteCommand"
          and first.get("request") == {"cluster": "exec", "container": "app", "command": "/bin/sh",
                                       "interactive": True, "task": arn}
          and first.get("target") == f"ecs:exec_{task_id}_{containers['app']['runtimeId']}"
          and first.get("streamUrl") == session.get("streamUrl") and first.get("status") == "Connected", first)
    forwarded = next((s for s in sessions if s["sessionId"] == remote.get("SessionId")), {})
    check("sessions: the StartSession request",
          forwarded.get("service") == "ssm" and forwarded.get("request") == {
              "Target": target, "DocumentName": "AWS-StartPortForwardingSessionToRemoteHost",
              "Parameters": {"host": ["db.internal"], "portNumber": ["5432"], "localPortNumber": ["15432"]},
              "Reason": "debugging"}, forwarded)
    check("sessions: TerminateSession marks it",
          [s["status"] for s in sessions if s["sessionId"] == shell["SessionId"]] == ["Terminated"])
    failed = [s for s in sessions
              if s["request"].get("task") in (plain["taskArn"], stopper["taskArn"], started["taskArn"])
              or s["request"].get("cluster") == "nope" or s["request"].get("interactive") is False
              or s["request"].get("Target") in (bad_target, plain_target, "i-0123456789abcdef0")
              or s["request"].get("DocumentName") in ("AWS-StartPortForwardingSessionTypo", "RunThings")]
    check("sessions: failed calls start none", sessions and not failed, failed)
    check("control: unknown task -> 404", control(endpoint, "/_bosun/ecs/agent", {"taskArn": "nope"})[0] == 404)
    check("control: task without execute command -> 409",
          control(endpoint, "/_bosun/ecs/agent", {"taskArn": plain["taskArn"], "lastStatus": "RUNNING"})[0] == 409)
    check("control: bad action -> 400", control(endpoint, "/_bosun/deny", {"action": "s3:GetObject"})[0] == 400)
    check("control: not JSON -> 400",
          requests.post(endpoint + "/_bosun/deny", data="{", timeout=30).status_code == 400)
    check("control: other paths still reach moto",
          requests.get(endpoint + "/moto-api/data.json", timeout=30).status_code == 200)

    # ---------------------------------------------------------------- the plugin stand-in
    plugin_checks(endpoint, session, answer, target, task_id)
    # ---------------------------------------------------------------- the AWS CLI
    cli_checks(endpoint, ecs, arn, task_id, target)
    deleted = requests.delete(endpoint + "/_bosun/sessions", timeout=30)
    check("DELETE /_bosun/sessions forgets them",
          deleted.status_code == 200 and requests.get(endpoint + "/_bosun/sessions", timeout=30).json() == [])


def control(endpoint, path, body):
    answer = requests.post(endpoint + path, json=body, timeout=30)
    return answer.status_code, answer.json()


def plugin_checks(endpoint, session, answer, target, task_id):
    tmp = tempfile.mkdtemp(prefix="bosun-plugin-")
    log = os.path.join(tmp, "plugin.log")
    env = {**os.environ, "BOSUN_TEST_PLUGIN_LOG": log}
    check("the stand-in is executable", os.access(PLUGIN, os.X_OK))

    out = subprocess.run([PLUGIN], env=env, capture_output=True, text=True, timeout=30)
    check("no arguments: the installed message, exit 0",
          out.returncode == 0 and "The Session Manager plugin was installed successfully" in out.stdout, out)
    out = subprocess.run([PLUGIN, "--version"], env=env, capture_output=True, text=True, timeout=30)
    check("--version: a version line", out.returncode == 0 and re.match(r"^\d+(\.\d+){3}\n$", out.stdout), out)
    out = subprocess.run([PLUGIN, "{}", "us-east-1"], env=env, capture_output=True, text=True, timeout=30)
    check("wrong argument count: non-zero with a message", out.returncode != 0 and "6 arguments" in out.stderr, out)
    response_json = json.dumps(answer["session"])
    params_json = json.dumps({"Target": target})
    out = subprocess.run([PLUGIN, response_json, REGION, "Nope", "", params_json, endpoint], env=env,
                         capture_output=True, text=True, timeout=30)
    check("wrong operation: non-zero", out.returncode != 0 and "StartSession" in out.stderr, out)
    out = subprocess.run([PLUGIN, response_json, REGION, "StartSession", "", "{}", endpoint], env=env,
                         capture_output=True, text=True, timeout=30)
    check("no Target: non-zero", out.returncode != 0 and "Target" in out.stderr, out)
    out = subprocess.run([PLUGIN, '{"sessionId": "x"}', REGION, "StartSession", "", params_json, endpoint],
                         env=env, capture_output=True, text=True, timeout=30)
    check("a response without StreamUrl/TokenValue: non-zero", out.returncode != 0, out)

    exec_argv = [PLUGIN, response_json, REGION, "StartSession", "", params_json, endpoint]
    out = subprocess.run(exec_argv, env=env, input="hostname\nwhoami\necho hello world\nls -l\nexit\n",
                         capture_output=True, text=True, timeout=30)
    sid = answer["session"]["sessionId"]
    check("exec: starts, answers hostname/whoami/echo/unknown, exits 0",
          out.returncode == 0 and f"Starting session with SessionId: {sid}" in out.stdout
          and f"\n{task_id}\n" in out.stdout and "\nroot\n" in out.stdout and "\nhello world\n" in out.stdout
          and "sh: ls: not found" in out.stdout and f"Exiting session with sessionId: {sid}." in out.stdout,
          out.stdout)
    check("exec: the prompt", "\n# " in out.stdout, out.stdout)
    out = subprocess.run(exec_argv, env=env, input="pwd\n", capture_output=True, text=True, timeout=30)
    check("exec: end of input ends the session, exit 0",
          out.returncode == 0 and "\n/\n" in out.stdout and "Exiting session" in out.stdout, out)
    out = subprocess.run([PLUGIN, "AWS_SSM_START_SESSION_RESPONSE", REGION, "StartSession", "", params_json, endpoint],
                         env={**env, "AWS_SSM_START_SESSION_RESPONSE": json.dumps(
                             {"SessionId": "moto-0", "TokenValue": "t", "StreamUrl": "wss://x"})},
                         input="exit\n", capture_output=True, text=True, timeout=30)
    check("the response in an environment variable (as the AWS CLI passes it)",
          out.returncode == 0 and "Starting session with SessionId: moto-0" in out.stdout, out)

    # Port forwarding.
    local = free_port()
    pf_params = {"Target": target, "DocumentName": "AWS-StartPortForwardingSession",
                 "Parameters": {"portNumber": ["8080"], "localPortNumber": [str(local)]}}
    pf_response = {"SessionId": "moto-0f00", "TokenValue": "t", "StreamUrl": "wss://x"}
    proc = subprocess.Popen([PLUGIN, json.dumps(pf_response), REGION, "StartSession", "", json.dumps(pf_params), endpoint],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output = Output(proc)
    ready = output.wait_for("Waiting for connections...")
    check("forwarding: Port N opened, Waiting for connections",
          ready and f"Port {local} opened for sessionId moto-0f00." in output.text, output.text)
    check("forwarding: bytes come back", ready and echo_through(local, b"ping\x00\xff" * 1000) == b"ping\x00\xff" * 1000)
    check("forwarding: a second connection too", ready and echo_through(local, b"again") == b"again")

    busy = subprocess.run([PLUGIN, json.dumps(pf_response), REGION, "StartSession", "", json.dumps(pf_params), endpoint],
                          env=env, capture_output=True, text=True, timeout=30)
    check("forwarding: port in use -> non-zero, naming the port",
          busy.returncode != 0 and f":{local}" in busy.stderr and "address already in use" in busy.stderr, busy)
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=30)
    output.wait_for("Exiting session", timeout=5)
    check("forwarding: SIGTERM ends it, exit 0", code == 0 and "Exiting session with sessionId: moto-0f00." in output.text,
          (code, output.text))

    remote_port = free_port()
    rh_params = {"Target": target, "DocumentName": "AWS-StartPortForwardingSessionToRemoteHost",
                 "Parameters": {"host": ["db.internal"], "portNumber": ["5432"], "localPortNumber": [str(remote_port)]}}
    proc = subprocess.Popen([PLUGIN, json.dumps(pf_response), REGION, "StartSession", "", json.dumps(rh_params), endpoint],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output = Output(proc)
    ready = output.wait_for("Waiting for connections...")
    check("forwarding to a remote host: listens and echoes", ready and echo_through(remote_port, b"SELECT 1") == b"SELECT 1",
          output.text)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)

    entries = log_lines(log)
    modes = [e["mode"] for e in entries]
    check("log: one line per call", modes[:3] == ["check", "version", "error"] and modes.count("port") == 3, modes)
    exec_entry = next((e for e in entries if e["mode"] == "shell"), {})
    check("log: argv and parsed JSON arguments",
          exec_entry.get("argv") == exec_argv[1:] and exec_entry.get("response") == answer["session"]
          and exec_entry.get("parameters") == {"Target": target} and exec_entry.get("responseFrom") == "argv",
          exec_entry)
    env_entry = next((e for e in entries if e.get("responseFrom") == "env"), {})
    check("log: a response read from the environment",
          env_entry.get("response", {}).get("SessionId") == "moto-0", env_entry)


def cli_checks(endpoint, ecs, arn, task_id, target):
    tmp = tempfile.mkdtemp(prefix="bosun-cli-")
    log = os.path.join(tmp, "plugin.log")
    env = cli_env(log)
    if not check("the AWS CLI is in the venv", os.access(AWS, os.X_OK), AWS):
        return
    before = {s["sessionId"] for s in requests.get(endpoint + "/_bosun/sessions", timeout=30).json()}
    out = subprocess.run([AWS, "ecs", "execute-command", "--endpoint-url", endpoint, "--region", REGION,
                          "--cluster", "exec", "--task", arn, "--container", "app", "--interactive",
                          "--command", "/bin/sh"], env=env, input="hostname\nexit\n",
                         capture_output=True, text=True, timeout=120)
    check("aws ecs execute-command: exit 0, the session's output",
          out.returncode == 0 and "The Session Manager plugin was installed successfully" in out.stdout
          and f"\n{task_id}\n" in out.stdout and "Exiting session with sessionId: ecs-execute-command-" in out.stdout,
          (out.returncode, out.stdout, out.stderr))
    entries = log_lines(log)
    new = [s for s in requests.get(endpoint + "/_bosun/sessions", timeout=30).json() if s["sessionId"] not in before]
    record = new[0] if len(new) == 1 else {}
    check("aws ecs execute-command: first the plugin with no arguments", [e["mode"] for e in entries] == ["check", "shell"],
          entries)
    call = entries[-1] if entries else {}
    expected = [json.dumps({"sessionId": record.get("sessionId"), "streamUrl": record.get("streamUrl"),
                            "tokenValue": record.get("tokenValue")}),
                REGION, "StartSession", "", json.dumps({"Target": record.get("target")}), endpoint]
    check("aws ecs execute-command: argv = session JSON, region, StartSession, \"\", {\"Target\": "
          "\"ecs:CLUSTER_TASKID_RUNTIMEID\"}, the ECS endpoint", call.get("argv") == expected,
          json.dumps({"got": call.get("argv"), "expected": expected}, indent=1))
    check("aws ecs execute-command: Target is ecs:<cluster>_<task id>_<runtimeId of the container>",
          call.get("parameters", {}).get("Target") ==
          f"ecs:exec_{task_id}_{[c for c in describe(ecs, arn)['containers'] if c['name'] == 'app'][0]['runtimeId']}",
          call.get("parameters"))
    if VERBOSE or RESULTS["failed"]:
        print("      argv (exec):", json.dumps(call.get("argv")))

    # With --profile: the fourth argument is the profile's name.
    creds = os.path.join(tmp, "credentials")
    with open(creds, "w", encoding="utf-8") as f:
        f.write("[bosun]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    os.remove(log)
    out = subprocess.run([AWS, "ecs", "execute-command", "--profile", "bosun", "--endpoint-url", endpoint,
                          "--region", REGION, "--cluster", "exec", "--task", arn, "--container", "app",
                          "--interactive", "--command", "/bin/sh"],
                         env={**env, "AWS_SHARED_CREDENTIALS_FILE": creds}, input="exit\n",
                         capture_output=True, text=True, timeout=120)
    entries = log_lines(log)
    check("aws ecs execute-command --profile bosun: the fourth argument is bosun",
          out.returncode == 0 and entries and entries[-1]["argv"][3] == "bosun", (out.stderr, entries))

    # aws ssm start-session, both port forwarding documents.
    for document, parameters in (
            ("AWS-StartPortForwardingSession", {"portNumber": ["8080"], "localPortNumber": [str(free_port())]}),
            ("AWS-StartPortForwardingSessionToRemoteHost",
             {"host": ["db.internal"], "portNumber": ["5432"], "localPortNumber": [str(free_port())]})):
        os.path.exists(log) and os.remove(log)
        local = int(parameters["localPortNumber"][0])
        proc = subprocess.Popen([AWS, "ssm", "start-session", "--endpoint-url", endpoint, "--region", REGION,
                                 "--target", target, "--document-name", document,
                                 "--parameters", json.dumps(parameters)],
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        output = Output(proc)
        ready = output.wait_for("Waiting for connections...", timeout=60)
        check(f"aws ssm start-session {document}: the port is forwarded",
              ready and f"Port {local} opened" in output.text and echo_through(local, b"hello") == b"hello",
              (output.text, proc.poll(), proc.stderr.read().decode() if proc.poll() is not None else ""))
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        entries = log_lines(log)
        modes = [e["mode"] for e in entries]
        call = entries[-1] if entries else {}
        argv = call.get("argv") or [None] * 6
        sessions = requests.get(endpoint + "/_bosun/sessions", timeout=30).json()
        record = next((s for s in sessions if s["sessionId"] == call.get("response", {}).get("SessionId")), {})
        check(f"aws ssm start-session {document}: --version first, then argv = "
              "AWS_SSM_START_SESSION_RESPONSE (JSON in that env var), region, StartSession, \"\", "
              "the request JSON, the SSM endpoint",
              modes == ["version", "port"] and argv[0] == "AWS_SSM_START_SESSION_RESPONSE"
              and call.get("responseFrom") == "env" and argv[1:4] == [REGION, "StartSession", ""]
              and json.loads(argv[4]) == {"Target": target, "DocumentName": document, "Parameters": parameters}
              and argv[5] == endpoint
              and call.get("response") == {"SessionId": record.get("sessionId"), "TokenValue": record.get("tokenValue"),
                                           "StreamUrl": record.get("streamUrl")},
              json.dumps(entries, indent=1))
        if VERBOSE or RESULTS["failed"]:
            print(f"      argv ({document}):", json.dumps(argv))


if __name__ == "__main__":
    sys.exit(main())
