"""Self-test of moto_deploy.py: starts moto_server.py (and cbor_proxy.py in front of it),
drives ECS deployment history, task protection, task sets, CodeDeploy blue/green deployments, CloudWatch alarm history and
Application Auto Scaling activities through boto3 and the control endpoints, and prints one
line per check and `N passed, M failed` at the end. Exit code 0 only if all passed.

usage: python selftest_moto_deploy.py
"""

import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import boto3
import botocore.parsers
import botocore.serialize
import botocore.session
import requests
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
ACCOUNT = "123456789012"
RESULTS = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        RESULTS["passed"] += 1
        print(f"ok    {name}")
    else:
        RESULTS["failed"] += 1
        print(f"FAIL  {name}: {detail}")
    return condition


def error_code(call):
    """The AWS error code `call` fails with, or None."""
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


def start(script, *args):
    process = subprocess.Popen([sys.executable, os.path.join(HERE, script), *args],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    if not line.startswith("PORT "):
        raise SystemExit(f"{script} did not say its port: {line!r}")
    return process, f"http://127.0.0.1:{int(line.split()[1])}"


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def control(endpoint, path, body):
    answer = requests.post(endpoint + path, json=body, timeout=30)
    return answer.status_code, answer.json()


def network(endpoint):
    """A VPC, a subnet and a security group, as seed.py makes them."""
    ec2 = client(endpoint, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})  # moto's task ENIs need it
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24",
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group],
                                    "assignPublicIp": "DISABLED"}}


def register(ecs, family, image):
    return ecs.register_task_definition(
        family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256",
        memory="512",
        containerDefinitions=[{"name": family, "image": image, "cpu": 256, "memory": 512,
                               "essential": True}],
    )["taskDefinition"]["taskDefinitionArn"]


def service_of(ecs, name, cluster="deploy"):
    return ecs.describe_services(cluster=cluster, services=[name])["services"][0]


def deployments_of(ecs, name, **filters):
    return ecs.list_service_deployments(cluster="deploy", service=name, **filters)["serviceDeployments"]


def describe_deployment(ecs, arn):
    return ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]


# ---------------------------------------------------------------- ECS deployments

def test_deployments(endpoint, ecs, net):
    ecs.create_cluster(clusterName="deploy", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    v1 = register(ecs, "web", "public.ecr.aws/nginx/nginx:1.25")
    v2 = register(ecs, "web", "public.ecr.aws/nginx/nginx:1.26")
    configuration = {
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "alarms": {"alarmNames": ["web-5xx"], "enable": True, "rollback": True},
        "strategy": "ROLLING",
    }
    connect = {"enabled": True, "namespace": "internal",
               "services": [{"portName": "http", "clientAliases": [{"port": 80}]}]}
    created = ecs.create_service(cluster="deploy", serviceName="web", taskDefinition=v1,
                                 desiredCount=2, launchType="FARGATE", networkConfiguration=net,
                                 deploymentConfiguration=configuration,
                                 serviceConnectConfiguration=connect,
                                 healthCheckGracePeriodSeconds=30, enableExecuteCommand=True,
                                 availabilityZoneRebalancing="ENABLED")["service"]
    kept = created.get("deploymentConfiguration", {})
    check("CreateService keeps deploymentConfiguration (circuit breaker, alarms, strategy)",
          kept.get("deploymentCircuitBreaker") == {"enable": True, "rollback": True}
          and kept.get("alarms") == configuration["alarms"] and kept.get("strategy") == "ROLLING",
          kept)
    check("deploymentConfiguration gets AWS's defaults 200 % / 100 %",
          kept.get("maximumPercent") == 200 and kept.get("minimumHealthyPercent") == 100, kept)
    service = service_of(ecs, "web")
    first = service["deployments"][0]
    # The Service shape has no serviceConnectConfiguration: AWS shows it on deployments[].
    check("DescribeServices: serviceConnectConfiguration only on deployments[], as the Service shape",
          "serviceConnectConfiguration" not in service, service.get("serviceConnectConfiguration"))
    check("deployments[0] carries serviceConnectConfiguration, rolloutState IN_PROGRESS",
          first.get("serviceConnectConfiguration") == connect and first["rolloutState"] == "IN_PROGRESS",
          first)
    check("deployments[0] of a Fargate service: platformFamily Linux, platformVersion 1.4.0",
          first.get("platformFamily") == "Linux" and first.get("platformVersion") == "1.4.0", first)
    check("CreateService keeps healthCheckGracePeriodSeconds, enableExecuteCommand, "
          "availabilityZoneRebalancing",
          (service.get("healthCheckGracePeriodSeconds"), service.get("enableExecuteCommand"),
           service.get("availabilityZoneRebalancing")) == (30, True, "ENABLED"), service)
    check("DescribeServices has createdAt", isinstance(service.get("createdAt"), datetime), service.get("createdAt"))

    listed = deployments_of(ecs, "web")
    check("CreateService records one service deployment, IN_PROGRESS",
          len(listed) == 1 and listed[0]["status"] == "IN_PROGRESS", listed)
    first_arn = listed[0]["serviceDeploymentArn"]
    check("service deployment ARN format",
          re.fullmatch(r"arn:aws:ecs:us-east-1:123456789012:service-deployment/deploy/web/[A-Za-z0-9_-]+",
                       first_arn) is not None, first_arn)
    check("DescribeServices currentServiceDeployment", service.get("currentServiceDeployment") == first_arn,
          service.get("currentServiceDeployment"))
    described = describe_deployment(ecs, first_arn)
    check("first deployment: no source revisions, target asks desiredCount",
          described["sourceServiceRevisions"] == []
          and described["targetServiceRevision"]["requestedTaskCount"] == 2, described)
    check("deployment circuit breaker MONITORING, threshold 3 (0.5 x 2, at least 3)",
          described["deploymentCircuitBreaker"] == {"status": "MONITORING", "failureCount": 0, "threshold": 3},
          described["deploymentCircuitBreaker"])
    check("deployment alarms MONITORING with alarmNames",
          described["alarms"].get("status") == "MONITORING"
          and described["alarms"].get("alarmNames") == ["web-5xx"], described["alarms"])
    check("deployment keeps the deploymentConfiguration it started with",
          described["deploymentConfiguration"] == kept, described["deploymentConfiguration"])

    revision_arn = listed[0]["targetServiceRevisionArn"]
    revision = ecs.describe_service_revisions(serviceRevisionArns=[revision_arn])["serviceRevisions"][0]
    check("service revision ARN format",
          re.fullmatch(r"arn:aws:ecs:us-east-1:123456789012:service-revision/deploy/web/\d+",
                       revision_arn) is not None, revision_arn)
    images = revision.get("containerImages", [])
    check("revision: taskDefinition, launchType, networkConfiguration, serviceConnectConfiguration",
          revision["taskDefinition"] == v1 and revision.get("launchType") == "FARGATE"
          and revision.get("networkConfiguration") == net
          and revision.get("serviceConnectConfiguration") == connect, revision)
    check("revision: containerImages with an imageDigest",
          len(images) == 1 and images[0]["image"] == "public.ecr.aws/nginx/nginx:1.25"
          and images[0]["imageDigest"].startswith("sha256:"), images)

    ecs.update_service(cluster="deploy", service="web", desiredCount=4)
    ecs.update_service(cluster="deploy", service="web", deploymentConfiguration={"maximumPercent": 150})
    ecs.update_service(cluster="deploy", service="web", enableExecuteCommand=False)
    service = service_of(ecs, "web")
    check("UpdateService enableExecuteCommand", service.get("enableExecuteCommand") is False, service)
    check("desiredCount, deploymentConfiguration, enableExecuteCommand start no deployment",
          len(deployments_of(ecs, "web")) == 1, deployments_of(ecs, "web"))
    check("UpdateService deploymentConfiguration: given fields change, others stay",
          service["deploymentConfiguration"].get("maximumPercent") == 150
          and service["deploymentConfiguration"].get("deploymentCircuitBreaker") == {"enable": True, "rollback": True},
          service["deploymentConfiguration"])
    check("desiredCount reaches the PRIMARY deployments[] entry",
          service["deployments"][0]["desiredCount"] == 4, service["deployments"][0])

    status, answer = control(endpoint, "/_bosun/ecs/service-deployment",
                             {"serviceDeploymentArn": first_arn, "status": "SUCCESSFUL"})
    service = service_of(ecs, "web")
    described = describe_deployment(ecs, first_arn)
    check("control endpoint: SUCCESSFUL", status == 200 and answer.get("status") == "SUCCESSFUL", answer)
    check("SUCCESSFUL: deployments[] COMPLETED, running = desired",
          service["deployments"][0]["rolloutState"] == "COMPLETED"
          and service["deployments"][0]["runningCount"] == 4 and service["runningCount"] == 4,
          service["deployments"])
    check("SUCCESSFUL: finishedAt, circuit breaker MONITORING_COMPLETE",
          "finishedAt" in described
          and described["deploymentCircuitBreaker"]["status"] == "MONITORING_COMPLETE", described)

    ecs.update_service(cluster="deploy", service="web", taskDefinition="web")  # latest: web:2
    service = service_of(ecs, "web")
    listed = deployments_of(ecs, "web")
    second = listed[0]
    check("UpdateService taskDefinition starts a deployment (newest listed first)",
          len(listed) == 2 and second["status"] == "IN_PROGRESS"
          and listed[1]["serviceDeploymentArn"] == first_arn, listed)
    check("UpdateService resolves the task definition to its ARN", service["taskDefinition"] == v2,
          service["taskDefinition"])
    check("deployments[]: new PRIMARY IN_PROGRESS, old ACTIVE COMPLETED",
          [(d["status"], d["rolloutState"]) for d in service["deployments"]]
          == [("PRIMARY", "IN_PROGRESS"), ("ACTIVE", "COMPLETED")], service["deployments"])
    described = describe_deployment(ecs, second["serviceDeploymentArn"])
    check("second deployment's source is the first revision, with its tasks",
          [(s["arn"], s["runningTaskCount"]) for s in described["sourceServiceRevisions"]]
          == [(revision_arn, 4)], described["sourceServiceRevisions"])
    check("currentServiceRevisions: source and target",
          len(service.get("currentServiceRevisions", [])) == 2, service.get("currentServiceRevisions"))

    ecs.update_service(cluster="deploy", service="web", forceNewDeployment=True)
    listed = deployments_of(ecs, "web")
    third = listed[0]
    check("forceNewDeployment starts a deployment", len(listed) == 3 and third["status"] == "IN_PROGRESS", listed)
    check("the deployment it replaces is STOPPED",
          describe_deployment(ecs, second["serviceDeploymentArn"])["status"] == "STOPPED", listed)

    check("ListServiceDeployments status filter",
          [d["serviceDeploymentArn"] for d in deployments_of(ecs, "web", status=["SUCCESSFUL"])] == [first_arn])
    after = [d["serviceDeploymentArn"] for d in deployments_of(
        ecs, "web", createdAt={"after": describe_deployment(ecs, first_arn)["createdAt"]})]
    check("ListServiceDeployments createdAt filter",
          first_arn not in after and third["serviceDeploymentArn"] in after, after)
    page = ecs.list_service_deployments(cluster="deploy", service="web", maxResults=2)
    rest = ecs.list_service_deployments(cluster="deploy", service="web", maxResults=2,
                                        nextToken=page.get("nextToken", ""))
    check("ListServiceDeployments pages with maxResults / nextToken",
          len(page["serviceDeployments"]) == 2 and "nextToken" in page
          and len(rest["serviceDeployments"]) == 1 and "nextToken" not in rest, (page, rest))
    check("ListServiceDeployments maxResults 101 -> InvalidParameterException",
          error_code(lambda: ecs.list_service_deployments(cluster="deploy", service="web",
                                                          maxResults=101)) == "InvalidParameterException")
    check("ListServiceDeployments unknown service -> ServiceNotFoundException",
          error_code(lambda: ecs.list_service_deployments(cluster="deploy", service="nope"))
          == "ServiceNotFoundException")

    missing = f"arn:aws:ecs:us-east-1:{ACCOUNT}:service-deployment/deploy/web/nope"
    answer = ecs.describe_service_deployments(serviceDeploymentArns=[third["serviceDeploymentArn"], missing])
    check("DescribeServiceDeployments: failures MISSING for an unknown ARN",
          len(answer["serviceDeployments"]) == 1
          and answer["failures"] == [{"arn": missing, "reason": "MISSING"}], answer["failures"])
    check("DescribeServiceDeployments: more than 20 ARNs -> InvalidParameterException",
          error_code(lambda: ecs.describe_service_deployments(serviceDeploymentArns=[missing] * 21))
          == "InvalidParameterException")

    # The circuit breaker fails the third deployment and rolls it back.
    status, answer = control(endpoint, "/_bosun/ecs/service-deployment",
                             {"serviceDeploymentArn": third["serviceDeploymentArn"], "failureCount": 3,
                              "triggeredAlarmNames": ["web-5xx"]})
    described = describe_deployment(ecs, third["serviceDeploymentArn"])
    service = service_of(ecs, "web")
    check("failureCount at the threshold -> circuit breaker TRIGGERED",
          described["deploymentCircuitBreaker"] == {"status": "TRIGGERED", "failureCount": 3, "threshold": 3},
          described["deploymentCircuitBreaker"])
    check("failureCount -> deployments[].failedTasks", service["deployments"][0]["failedTasks"] == 3,
          service["deployments"][0])
    check("triggeredAlarmNames -> alarms TRIGGERED",
          described["alarms"] == {"status": "TRIGGERED", "alarmNames": ["web-5xx"],
                                  "triggeredAlarmNames": ["web-5xx"]}, described["alarms"])
    control(endpoint, "/_bosun/ecs/service-deployment",
            {"serviceDeploymentArn": third["serviceDeploymentArn"], "status": "ROLLBACK_IN_PROGRESS",
             "statusReason": "ECS deployment circuit breaker: tasks failed to start."})
    described = describe_deployment(ecs, third["serviceDeploymentArn"])
    service = service_of(ecs, "web")
    check("ROLLBACK_IN_PROGRESS: rollback to the last successful revision",
          described.get("rollback", {}).get("serviceRevisionArn") == revision_arn
          and "startedAt" in described.get("rollback", {}), described.get("rollback"))
    check("ROLLBACK_IN_PROGRESS: the service runs the old task definition again",
          service["taskDefinition"] == v1, service["taskDefinition"])
    check("ROLLBACK_IN_PROGRESS: deployments[] PRIMARY rollback IN_PROGRESS, failed one FAILED",
          (service["deployments"][0]["status"], service["deployments"][0]["rolloutState"],
           service["deployments"][0]["taskDefinition"]) == ("PRIMARY", "IN_PROGRESS", v1)
          and service["deployments"][1]["rolloutState"] == "FAILED"
          and service["deployments"][1]["rolloutStateReason"]
          == "ECS deployment circuit breaker: tasks failed to start.", service["deployments"])
    control(endpoint, "/_bosun/ecs/service-deployment",
            {"serviceDeploymentArn": third["serviceDeploymentArn"], "status": "ROLLBACK_SUCCESSFUL"})
    service = service_of(ecs, "web")
    described = describe_deployment(ecs, third["serviceDeploymentArn"])
    check("ROLLBACK_SUCCESSFUL: one COMPLETED entry, finishedAt",
          [(d["status"], d["rolloutState"]) for d in service["deployments"]] == [("PRIMARY", "COMPLETED")]
          and "finishedAt" in described, service["deployments"])
    check("ROLLBACK_SUCCESSFUL: currentServiceRevisions is the old revision",
          [r["arn"] for r in service.get("currentServiceRevisions", [])] == [revision_arn],
          service.get("currentServiceRevisions"))

    # StopServiceDeployment
    ecs.update_service(cluster="deploy", service="web", taskDefinition=v2)
    fourth = deployments_of(ecs, "web")[0]["serviceDeploymentArn"]
    answer = ecs.stop_service_deployment(serviceDeploymentArn=fourth, stopType="ROLLBACK")
    described = describe_deployment(ecs, fourth)
    check("StopServiceDeployment ROLLBACK -> ROLLBACK_REQUESTED, stoppedAt, rollback",
          answer["serviceDeploymentArn"] == fourth and described["status"] == "ROLLBACK_REQUESTED"
          and "stoppedAt" in described
          and described.get("rollback", {}).get("serviceRevisionArn") == revision_arn, described)
    check("StopServiceDeployment of a finished deployment -> ConflictException",
          error_code(lambda: ecs.stop_service_deployment(serviceDeploymentArn=first_arn)) == "ConflictException")
    check("StopServiceDeployment of an unknown ARN -> ServiceDeploymentNotFoundException",
          error_code(lambda: ecs.stop_service_deployment(serviceDeploymentArn=missing))
          == "ServiceDeploymentNotFoundException")
    ecs.update_service(cluster="deploy", service="web", taskDefinition=v2)
    fifth = deployments_of(ecs, "web")[0]["serviceDeploymentArn"]
    ecs.stop_service_deployment(serviceDeploymentArn=fifth, stopType="ABORT")
    check("StopServiceDeployment ABORT -> STOP_REQUESTED",
          describe_deployment(ecs, fifth)["status"] == "STOP_REQUESTED")
    status, answer = control(endpoint, "/_bosun/ecs/service-deployment",
                             {"serviceDeploymentArn": fifth, "status": "STOPPED", "statusReason": "aborted"})
    described = describe_deployment(ecs, fifth)
    check("control STOPPED: stoppedAt, statusReason, deployments[] FAILED",
          described["status"] == "STOPPED" and "stoppedAt" in described
          and described.get("statusReason") == "aborted"
          and service_of(ecs, "web")["deployments"][0]["rolloutState"] == "FAILED", described)
    status, answer = control(endpoint, "/_bosun/ecs/service-deployment",
                             {"serviceDeploymentArn": missing, "status": "SUCCESSFUL"})
    check("control endpoint: unknown ARN -> 404", status == 404, answer)
    status, answer = control(endpoint, "/_bosun/ecs/service-deployment",
                             {"serviceDeploymentArn": fifth, "status": "DONE"})
    check("control endpoint: unknown status -> 400", status == 400, answer)

    # Capacity provider strategy: no launchType, as AWS answers.
    cps = [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    ecs.create_service(cluster="deploy", serviceName="spot", taskDefinition=v1, desiredCount=1,
                       capacityProviderStrategy=cps, networkConfiguration=net)
    spot = service_of(ecs, "spot")
    check("capacityProviderStrategy kept, no launchType",
          spot.get("capacityProviderStrategy") == cps and "launchType" not in spot
          and spot["deployments"][0].get("capacityProviderStrategy") == cps
          and "launchType" not in spot["deployments"][0], spot)
    revision = ecs.describe_service_revisions(
        serviceRevisionArns=[deployments_of(ecs, "spot")[0]["targetServiceRevisionArn"]])["serviceRevisions"][0]
    check("revision of it: capacityProviderStrategy, platformFamily Linux",
          revision.get("capacityProviderStrategy") == cps and revision.get("platformFamily") == "Linux"
          and "launchType" not in revision, revision)
    try:
        ecs.update_service(cluster="deploy", service="spot", capacityProviderStrategy=[])
        refused = None
    except ClientError as e:
        refused = e.response["Error"]["Code"]
    check("a change of capacityProviderStrategy without forceNewDeployment is refused",
          refused == "InvalidParameterException", refused)
    ecs.update_service(cluster="deploy", service="spot", capacityProviderStrategy=[], forceNewDeployment=True)
    spot = service_of(ecs, "spot")
    check("an empty capacityProviderStrategy goes back to the launch type (FARGATE)",
          spot.get("launchType") == "FARGATE" and not spot.get("capacityProviderStrategy"), spot)

    # Desired count 0: nothing to wait for.
    ecs.create_service(cluster="deploy", serviceName="idle", taskDefinition=v1, desiredCount=0,
                       launchType="FARGATE", networkConfiguration=net)
    check("a deployment of 0 tasks is SUCCESSFUL at once",
          deployments_of(ecs, "idle")[0]["status"] == "SUCCESSFUL", deployments_of(ecs, "idle"))


# ---------------------------------------------------------------- task protection

def test_task_protection(ecs, net):
    task_definition = register(ecs, "worker", "busybox:1")
    in_service = ecs.run_task(cluster="deploy", taskDefinition=task_definition, count=1, launchType="FARGATE",
                              networkConfiguration=net, group="service:web")["tasks"][0]["taskArn"]
    standalone = ecs.run_task(cluster="deploy", taskDefinition=task_definition, count=1, launchType="FARGATE",
                              networkConfiguration=net)["tasks"][0]["taskArn"]
    before = datetime.now(timezone.utc)
    answer = ecs.update_task_protection(cluster="deploy", tasks=[in_service], protectionEnabled=True,
                                        expiresInMinutes=60)
    protected = answer["protectedTasks"]
    expires = protected[0].get("expirationDate") if protected else None
    check("UpdateTaskProtection: protectionEnabled, expirationDate = now + expiresInMinutes",
          len(protected) == 1 and protected[0]["protectionEnabled"] is True and expires is not None
          and abs((expires - before - timedelta(minutes=60)).total_seconds()) < 30, answer)
    task_id = in_service.split("/")[-1]
    answer = ecs.get_task_protection(cluster="deploy", tasks=[task_id, "0123456789abcdef", standalone])
    check("GetTaskProtection by task ID",
          [t["taskArn"] for t in answer["protectedTasks"]] == [in_service]
          and answer["protectedTasks"][0]["protectionEnabled"] is True, answer)
    reasons = sorted(f["reason"] for f in answer["failures"])
    check("GetTaskProtection failures: MISSING (unknown), TASK_NOT_VALID (standalone)",
          reasons == ["MISSING", "TASK_NOT_VALID"]
          and any(f["arn"] == standalone for f in answer["failures"]), answer["failures"])
    answer = ecs.update_task_protection(cluster="deploy", tasks=[in_service], protectionEnabled=True)
    expires = answer["protectedTasks"][0]["expirationDate"]
    check("UpdateTaskProtection without expiresInMinutes: 120 minutes",
          abs((expires - before - timedelta(minutes=120)).total_seconds()) < 30, expires)
    answer = ecs.update_task_protection(cluster="deploy", tasks=[in_service], protectionEnabled=False)
    check("UpdateTaskProtection off: protectionEnabled false, no expirationDate",
          answer["protectedTasks"] == [{"taskArn": in_service, "protectionEnabled": False}], answer)
    check("UpdateTaskProtection expiresInMinutes 2881 -> InvalidParameterException",
          error_code(lambda: ecs.update_task_protection(cluster="deploy", tasks=[in_service],
                                                        protectionEnabled=True, expiresInMinutes=2881))
          == "InvalidParameterException")
    check("GetTaskProtection unknown cluster -> ClusterNotFoundException",
          error_code(lambda: ecs.get_task_protection(cluster="nope", tasks=[in_service]))
          == "ClusterNotFoundException")


# ---------------------------------------------------------------- task sets

def test_task_sets(endpoint, ecs, net):
    task_definition = register(ecs, "bluegreen", "nginx:1")
    ecs.create_service(cluster="deploy", serviceName="bg", taskDefinition=task_definition, desiredCount=3,
                       launchType="FARGATE", networkConfiguration=net,
                       deploymentController={"type": "CODE_DEPLOY"})
    service = service_of(ecs, "bg")
    task_sets = service.get("taskSets", [])
    check("CODE_DEPLOY service: an initial PRIMARY task set in DescribeServices",
          len(task_sets) == 1 and task_sets[0]["status"] == "PRIMARY"
          and task_sets[0].get("startedBy") == "CODE_DEPLOY"
          and task_sets[0]["taskDefinition"] == task_definition, task_sets)
    check("task set: computedDesiredCount 3, STABILIZING (no task runs)",
          task_sets and task_sets[0].get("computedDesiredCount") == 3
          and task_sets[0].get("stabilityStatus") == "STABILIZING", task_sets)
    check("CODE_DEPLOY service: no service deployments",
          deployments_of(ecs, "bg") == [] and service["deployments"] == [], service["deployments"])
    described = ecs.describe_task_sets(cluster="deploy", service="bg")
    check("DescribeTaskSets lists it, failures []",
          [t["taskSetArn"] for t in described["taskSets"]] == [task_sets[0]["taskSetArn"]]
          and described.get("failures") == [], described)
    check("UpdateService taskDefinition on CODE_DEPLOY -> InvalidParameterException",
          error_code(lambda: ecs.update_service(cluster="deploy", service="bg", taskDefinition=task_definition))
          == "InvalidParameterException")
    ecs.update_service(cluster="deploy", service="bg", desiredCount=5)
    check("desiredCount reaches computedDesiredCount",
          service_of(ecs, "bg")["taskSets"][0]["computedDesiredCount"] == 5)

    ecs.create_service(cluster="deploy", serviceName="ext", desiredCount=3,
                       deploymentController={"type": "EXTERNAL"})
    created = ecs.create_task_set(cluster="deploy", service="ext", taskDefinition=task_definition,
                                  launchType="FARGATE", networkConfiguration=net,
                                  scale={"value": 50.0, "unit": "PERCENT"})["taskSet"]
    check("EXTERNAL: CreateTaskSet computedDesiredCount = ceil(3 x 50 %) = 2",
          created.get("computedDesiredCount") == 2, created)
    check("EXTERNAL: DescribeServices includes the task set",
          [t["taskSetArn"] for t in service_of(ecs, "ext").get("taskSets", [])] == [created["taskSetArn"]])
    unknown = created["taskSetArn"].rsplit("/", 1)[0] + "/nope"
    described = ecs.describe_task_sets(cluster="deploy", service="ext", taskSets=[created["taskSetArn"], unknown])
    check("DescribeTaskSets: failures MISSING for an unknown task set",
          len(described["taskSets"]) == 1 and described["failures"] == [{"arn": unknown, "reason": "MISSING"}],
          described["failures"])
    status, answer = control(endpoint, "/_bosun/ecs/task-set",
                             {"taskSetArn": created["taskSetArn"], "runningCount": 2})
    task_set = service_of(ecs, "ext")["taskSets"][0]
    check("control task-set: runningCount 2 -> STEADY_STATE",
          status == 200 and task_set["runningCount"] == 2 and task_set["stabilityStatus"] == "STEADY_STATE",
          (answer, task_set))


# ---------------------------------------------------------------- CodeDeploy blue/green

def test_codedeploy(endpoint, ecs, net):
    ec2, elb, cd = client(endpoint, "ec2"), client(endpoint, "elbv2"), client(endpoint, "codedeploy")
    subnet = net["awsvpcConfiguration"]["subnets"][0]
    vpc = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"]
    blue_tg, green_tg = (elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc,
                                                 TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
                         for name in ("shop-blue", "shop-green"))
    blue_td, green_td = register(ecs, "shop", "shop:1"), register(ecs, "shop", "shop:2")
    ecs.create_service(cluster="deploy", serviceName="shop", taskDefinition=blue_td, desiredCount=2,
                       launchType="FARGATE", networkConfiguration=net,
                       loadBalancers=[{"targetGroupArn": blue_tg, "containerName": "shop", "containerPort": 80}],
                       deploymentController={"type": "CODE_DEPLOY"})
    cd.create_application(applicationName="shop", computePlatform="ECS")
    cd.create_deployment_group(
        applicationName="shop", deploymentGroupName="shop", serviceRoleArn=f"arn:aws:iam::{ACCOUNT}:role/cd",
        deploymentConfigName="CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        ecsServices=[{"serviceName": "shop", "clusterName": "deploy"}],
        loadBalancerInfo={"targetGroupPairInfoList": [{
            "targetGroups": [{"name": "shop-blue"}, {"name": "shop-green"}],
            "prodTrafficRoute": {"listenerArns": []}}]})
    appspec = ("version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n"
               "      Properties:\n        TaskDefinition: " + green_td + "\n        LoadBalancerInfo:\n"
               "          ContainerName: shop\n          ContainerPort: 80\n")
    revision = {"revisionType": "AppSpecContent", "appSpecContent": {"content": appspec}}
    deployment_id = cd.create_deployment(applicationName="shop", deploymentGroupName="shop",
                                         revision=revision)["deploymentId"]
    task_sets = service_of(ecs, "shop")["taskSets"]
    green = next((t for t in task_sets if t.get("externalId") == deployment_id), None)
    check("CreateDeployment (YAML AppSpec): a green task set with the deployment ID as externalId",
          green is not None and green["status"] == "ACTIVE" and green["taskDefinition"] == green_td
          and green.get("startedBy") == "CODE_DEPLOY"
          and [lb["targetGroupArn"] for lb in green.get("loadBalancers", [])] == [green_tg], task_sets)
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    check("GetDeployment: the group's deploymentConfigName, no startTime yet",
          info["deploymentConfigName"] == "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"
          and "startTime" not in info and info["computePlatform"] == "ECS", info)
    check("a second deployment while one goes on -> DeploymentLimitExceededException",
          error_code(lambda: cd.create_deployment(applicationName="shop", deploymentGroupName="shop",
                                                  revision=revision)) == "DeploymentLimitExceededException")
    targets = cd.list_deployment_targets(deploymentId=deployment_id)["targetIds"]
    check("ListDeploymentTargets: CLUSTER:SERVICE", targets == ["deploy:shop"], targets)
    status, answer = control(endpoint, "/_bosun/codedeploy/deployment", {
        "deploymentId": deployment_id, "status": "InProgress", "trafficWeight": 30,
        "greenRunningCount": 2,
        "lifecycleEvents": {"BeforeInstall": "Succeeded", "Install": "Succeeded", "AfterInstall": "Succeeded",
                            "AllowTestTraffic": "Succeeded", "AfterAllowTestTraffic": "Succeeded",
                            "BeforeAllowTraffic": "Succeeded", "AllowTraffic": "InProgress"}})
    check("control deployment: 200", status == 200, answer)
    target = cd.batch_get_deployment_targets(deploymentId=deployment_id,
                                             targetIds=["deploy:shop"])["deploymentTargets"][0]
    ecs_target = target.get("ecsTarget", {})
    events = {e["lifecycleEventName"]: e["status"] for e in ecs_target.get("lifecycleEvents", [])}
    weights = {t["taskSetLabel"]: (t["trafficWeight"], t.get("targetGroup", {}).get("name"), t["runningCount"])
               for t in ecs_target.get("taskSetsInfo", [])}
    check("BatchGetDeploymentTargets: ECSTarget, the eight ECS events in order",
          target["deploymentTargetType"] == "ECSTarget"
          and [e["lifecycleEventName"] for e in ecs_target["lifecycleEvents"]] == [
              "BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic",
              "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"]
          and events["AllowTraffic"] == "InProgress" and events["AfterAllowTraffic"] == "Pending", ecs_target)
    check("taskSetsInfo: Blue 70 % on shop-blue, Green 30 % on shop-green with its 2 tasks",
          weights == {"Blue": (70.0, "shop-blue", 0), "Green": (30.0, "shop-green", 2)}, weights)
    check("BatchGetDeploymentTargets: an unknown target -> DeploymentTargetDoesNotExistException",
          error_code(lambda: cd.batch_get_deployment_targets(deploymentId=deployment_id, targetIds=["deploy:nope"]))
          == "DeploymentTargetDoesNotExistException")
    check("GetDeployment: InProgress with a startTime",
          (lambda i: i["status"] == "InProgress" and "startTime" in i)(
              cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]))
    answer = cd.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    back = info.get("rollbackInfo", {}).get("rollbackDeploymentId")
    back_info = cd.get_deployment(deploymentId=back)["deploymentInfo"] if back else {}
    check("StopDeployment with rollback: Stopped, completeTime, a codeDeployRollback deployment linked both ways",
          answer["status"] == "Succeeded" and info["status"] == "Stopped" and "completeTime" in info
          and back_info.get("creator") == "codeDeployRollback"
          and back_info.get("rollbackInfo", {}).get("rollbackTriggeringDeploymentId") == deployment_id,
          (info, back_info))
    task_sets = service_of(ecs, "shop")["taskSets"]
    check("stopped: the green task set is gone, blue PRIMARY again",
          [(t["status"], t["taskDefinition"]) for t in task_sets] == [("PRIMARY", blue_td)], task_sets)
    check("StopDeployment of a finished deployment -> DeploymentAlreadyCompletedException",
          error_code(lambda: cd.stop_deployment(deploymentId=deployment_id)) == "DeploymentAlreadyCompletedException")

    second = cd.create_deployment(applicationName="shop", deploymentGroupName="shop", revision={
        "revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps({
            "version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": {
                "TaskDefinition": green_td,
                "LoadBalancerInfo": {"ContainerName": "shop", "ContainerPort": 80}}}}]})}})["deploymentId"]
    status, answer = control(endpoint, "/_bosun/codedeploy/deployment",
                             {"deploymentId": second, "status": "Succeeded"})
    task_sets = service_of(ecs, "shop")["taskSets"]
    check("JSON AppSpec; Succeeded: green is the only, PRIMARY task set and has all the traffic",
          status == 200 and [(t["status"], t["externalId"]) for t in task_sets] == [("PRIMARY", second)]
          and [t["trafficWeight"] for t in answer["ecsTarget"]["taskSetsInfo"]] == [100.0], (task_sets, answer))
    check("CreateDeployment to a group without an ECS service of the CODE_DEPLOY controller -> InvalidECSServiceException",
          (cd.create_deployment_group(applicationName="shop", deploymentGroupName="gone",
                                      serviceRoleArn=f"arn:aws:iam::{ACCOUNT}:role/cd",
                                      ecsServices=[{"serviceName": "gone", "clusterName": "deploy"}]) or True)
          and error_code(lambda: cd.create_deployment(applicationName="shop", deploymentGroupName="gone",
                                                      revision=revision)) == "InvalidECSServiceException")


# ---------------------------------------------------------------- CloudWatch alarm history

def cbor_call(proxy, operation, params):
    """Call CloudWatch through cbor_proxy.py as the Rust SDK does: Smithy RPCv2-CBOR."""
    model = botocore.session.get_session().get_service_model("cloudwatch")
    operation_model = model.operation_model(operation)
    request = botocore.serialize.create_serializer("smithy-rpc-v2-cbor").serialize_to_request(
        params, operation_model)
    answer = requests.post(proxy + request["url_path"], data=request["body"],
                           headers=dict(request["headers"]), timeout=30)
    parsed = botocore.parsers.create_parser("smithy-rpc-v2-cbor").parse(
        {"status_code": answer.status_code, "headers": answer.headers, "body": answer.content},
        operation_model.output_shape)
    return answer.status_code, parsed


def test_alarm_history(cloudwatch, proxy):
    alarm = dict(AlarmName="web-5xx", Namespace="AWS/ApplicationELB", MetricName="HTTPCode_Target_5XX_Count",
                 Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=5.0,
                 ComparisonOperator="GreaterThanThreshold")
    cloudwatch.put_metric_alarm(**alarm)
    time.sleep(0.01)
    cloudwatch.set_alarm_state(AlarmName="web-5xx", StateValue="ALARM", StateReason="testing purposes")
    time.sleep(0.01)
    cloudwatch.set_alarm_state(AlarmName="web-5xx", StateValue="ALARM", StateReason="again")
    time.sleep(0.01)
    cloudwatch.put_metric_alarm(**{**alarm, "Threshold": 10.0})
    items = cloudwatch.describe_alarm_history(AlarmName="web-5xx")["AlarmHistoryItems"]
    check("DescribeAlarmHistory: created, state change, updated (newest first; no item for ALARM -> ALARM)",
          [i["HistoryItemType"] for i in items] == ["ConfigurationUpdate", "StateUpdate", "ConfigurationUpdate"],
          items)
    if len(items) != 3:
        return
    updated, state, created = items
    check("StateUpdate: AlarmName, AlarmType MetricAlarm, summary 'Alarm updated from OK to ALARM'",
          state["AlarmName"] == "web-5xx" and state["AlarmType"] == "MetricAlarm"
          and state["HistorySummary"] == "Alarm updated from OK to ALARM"
          and isinstance(state["Timestamp"], datetime), state)
    data = json.loads(state["HistoryData"])
    check("StateUpdate HistoryData: version, oldState, newState",
          data.get("version") == "1.0" and data["oldState"]["stateValue"] == "OK"
          and data["newState"] == {"stateValue": "ALARM", "stateReason": "testing purposes"}, data)
    data = json.loads(created["HistoryData"])
    check("created: summary and HistoryData {type Create, createdAlarm}",
          created["HistorySummary"] == 'Alarm "web-5xx" created' and data.get("type") == "Create"
          and data["createdAlarm"]["alarmName"] == "web-5xx" and data["createdAlarm"]["threshold"] == 5.0, data)
    data = json.loads(updated["HistoryData"])
    check("updated: HistoryData {type Update, originalUpdatedFields, updatedAlarm}",
          updated["HistorySummary"] == 'Alarm "web-5xx" updated' and data.get("type") == "Update"
          and data["originalUpdatedFields"].get("threshold") == 5.0
          and data["updatedAlarm"]["threshold"] == 10.0, data)
    state_now = cloudwatch.describe_alarms(AlarmNames=["web-5xx"])["MetricAlarms"][0]["StateValue"]
    check("PutMetricAlarm on an existing alarm leaves its state", state_now == "ALARM", state_now)
    only = cloudwatch.describe_alarm_history(AlarmName="web-5xx", HistoryItemType="StateUpdate")
    check("HistoryItemType filter", [i["HistoryItemType"] for i in only["AlarmHistoryItems"]] == ["StateUpdate"])
    oldest = cloudwatch.describe_alarm_history(AlarmName="web-5xx", ScanBy="TimestampAscending")
    check("ScanBy TimestampAscending", oldest["AlarmHistoryItems"][0]["HistorySummary"] == 'Alarm "web-5xx" created')
    page = cloudwatch.describe_alarm_history(AlarmName="web-5xx", MaxRecords=2)
    rest = cloudwatch.describe_alarm_history(AlarmName="web-5xx", MaxRecords=2, NextToken=page.get("NextToken", ""))
    check("MaxRecords / NextToken", len(page["AlarmHistoryItems"]) == 2 and len(rest["AlarmHistoryItems"]) == 1,
          (page, rest))
    check("bad NextToken -> InvalidNextToken",
          error_code(lambda: cloudwatch.describe_alarm_history(NextToken="x")) == "InvalidNextToken")
    check("AlarmTypes [CompositeAlarm] leaves the metric alarm out",
          cloudwatch.describe_alarm_history(AlarmName="web-5xx", AlarmTypes=["CompositeAlarm"])["AlarmHistoryItems"] == [])
    window = cloudwatch.describe_alarm_history(AlarmName="web-5xx", StartDate=state["Timestamp"],
                                               EndDate=state["Timestamp"])
    check("StartDate / EndDate", [i["HistoryItemType"] for i in window["AlarmHistoryItems"]] == ["StateUpdate"], window)
    cloudwatch.delete_alarms(AlarmNames=["web-5xx"])
    items = cloudwatch.describe_alarm_history(AlarmName="web-5xx")["AlarmHistoryItems"]
    check("DeleteAlarms: 'deleted' item, history kept",
          len(items) == 4 and items[0]["HistorySummary"] == 'Alarm "web-5xx" deleted', items)

    status, answer = cbor_call(proxy, "DescribeAlarmHistory", {"AlarmName": "web-5xx"})
    check("through cbor_proxy (RPCv2-CBOR): same items",
          status == 200 and [i["HistorySummary"] for i in answer.get("AlarmHistoryItems", [])]
          == [i["HistorySummary"] for i in items], (status, answer))
    check("through cbor_proxy: Timestamp a timestamp, HistoryData JSON",
          status == 200 and isinstance(answer["AlarmHistoryItems"][0]["Timestamp"], datetime)
          and json.loads(answer["AlarmHistoryItems"][-1]["HistoryData"])["type"] == "Create", answer)
    status, answer = cbor_call(proxy, "DescribeAlarmHistory", {"NextToken": "x"})
    check("through cbor_proxy: InvalidNextToken error", status == 400
          and answer.get("Error", {}).get("Code") == "InvalidNextToken", (status, answer))


# ---------------------------------------------------------------- Application Auto Scaling

def test_scaling_activities(endpoint, autoscaling):
    now = time.time()
    recorded = []
    for i, code in enumerate(["Successful", "Successful", "InProgress"]):
        status, answer = control(endpoint, "/_bosun/autoscaling/activity", {
            "ServiceNamespace": "ecs", "ResourceId": "service/deploy/web",
            "ScalableDimension": "ecs:service:DesiredCount",
            "Description": f"Setting desired count to {i + 2}.",
            "Cause": "monitor alarm web-cpu-high in state ALARM triggered policy web-cpu",
            "StartTime": now - 300 + i * 60, "StatusCode": code,
            "StatusMessage": "Successfully set desired count." if code == "Successful" else None})
        recorded.append(answer)
    check("control endpoint records an activity with an ActivityId",
          status == 200 and recorded[0].get("ActivityId"), recorded[0])
    control(endpoint, "/_bosun/autoscaling/activity", {
        "ServiceNamespace": "ecs", "ResourceId": "service/deploy/other",
        "ScalableDimension": "ecs:service:DesiredCount", "Description": "d", "Cause": "c",
        "StatusCode": "Failed", "StatusMessage": "nope"})
    control(endpoint, "/_bosun/autoscaling/activity", {
        "ServiceNamespace": "ecs", "ResourceId": "service/deploy/web",
        "ScalableDimension": "ecs:service:DesiredCount", "Description": "not scaled", "Cause": "c",
        "StatusCode": "Failed", "NotScaledReasons": [{"Code": "AlreadyAtMaxCapacity", "MaxCapacity": 4}]})
    status, answer = control(endpoint, "/_bosun/autoscaling/activity", {"ServiceNamespace": "ecs"})
    check("control endpoint: missing fields -> 400", status == 400, answer)

    found = autoscaling.describe_scaling_activities(ServiceNamespace="ecs", ResourceId="service/deploy/web",
                                                   ScalableDimension="ecs:service:DesiredCount")
    activities = found["ScalingActivities"]
    check("DescribeScalingActivities: by ResourceId, newest first, not-scaled left out",
          [a["ActivityId"] for a in activities] == [r["ActivityId"] for r in reversed(recorded)], activities)
    first = activities[-1] if activities else {}
    check("activity fields: Description, Cause, StartTime, EndTime, StatusCode, StatusMessage",
          first.get("Description") == "Setting desired count to 2." and isinstance(first.get("StartTime"), datetime)
          and "EndTime" in first and first.get("StatusCode") == "Successful"
          and first.get("StatusMessage") == "Successfully set desired count.", first)
    check("an InProgress activity has no EndTime", activities and "EndTime" not in activities[0], activities[:1])
    everything = autoscaling.describe_scaling_activities(ServiceNamespace="ecs")["ScalingActivities"]
    check("no ResourceId: every ecs activity (4)", len(everything) == 4, everything)
    with_not_scaled = autoscaling.describe_scaling_activities(
        ServiceNamespace="ecs", ResourceId="service/deploy/web", IncludeNotScaledActivities=True)
    reasons = [a.get("NotScaledReasons") for a in with_not_scaled["ScalingActivities"] if a.get("NotScaledReasons")]
    check("IncludeNotScaledActivities adds NotScaledReasons",
          reasons == [[{"Code": "AlreadyAtMaxCapacity", "MaxCapacity": 4}]], with_not_scaled)
    page = autoscaling.describe_scaling_activities(ServiceNamespace="ecs", MaxResults=3)
    rest = autoscaling.describe_scaling_activities(ServiceNamespace="ecs", MaxResults=3,
                                                   NextToken=page.get("NextToken", ""))
    check("MaxResults / NextToken", len(page["ScalingActivities"]) == 3 and len(rest["ScalingActivities"]) == 1
          and "NextToken" not in rest, (page, rest))
    check("ScalableDimension without ResourceId -> ValidationException",
          error_code(lambda: autoscaling.describe_scaling_activities(
              ServiceNamespace="ecs", ScalableDimension="ecs:service:DesiredCount")) == "ValidationException")
    check("bad NextToken -> InvalidNextTokenException",
          error_code(lambda: autoscaling.describe_scaling_activities(ServiceNamespace="ecs", NextToken="x"))
          == "InvalidNextTokenException")
    check("other namespace: nothing",
          autoscaling.describe_scaling_activities(ServiceNamespace="dynamodb")["ScalingActivities"] == [])


def main():
    moto, endpoint = start("moto_server.py")
    proxy_process, proxy = start("cbor_proxy.py", endpoint)
    try:
        ecs = client(endpoint, "ecs")
        net = network(endpoint)
        for name, test in (("deployments", lambda: test_deployments(endpoint, ecs, net)),
                           ("task protection", lambda: test_task_protection(ecs, net)),
                           ("task sets", lambda: test_task_sets(endpoint, ecs, net)),
                           ("codedeploy", lambda: test_codedeploy(endpoint, ecs, net)),
                           ("alarm history", lambda: test_alarm_history(client(endpoint, "cloudwatch"), proxy)),
                           ("scaling activities", lambda: test_scaling_activities(
                               endpoint, client(endpoint, "application-autoscaling")))):
            try:
                test()
            except Exception as e:  # a broken step fails, the others still run
                check(f"{name}: ran to the end", False, repr(e))
    finally:
        for process in (proxy_process, moto):
            process.stdin.close()
            process.wait(timeout=30)
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    sys.exit(0 if RESULTS["failed"] == 0 else 1)


if __name__ == "__main__":
    main()
