"""Seed a moto server with ECS and EKS resources through boto3, the AWS SDK for Python,
as an operator would create them. Prints what it made as JSON.

usage: python seed.py ENDPOINT SCENARIO
  fleet  two regions; `big` with 120 Fargate services and 250 awsvpc tasks (pagination
         and batching), `ec2` with a container instance, EC2 tasks and a stopped task
         with a reason, `eu` in eu-west-1, and an EKS cluster
  small  one cluster, two services, three tasks
  thousand  one Fargate cluster `thousand`, ten services and 1,000 running tasks (for
         bench/compare-aws-cli)
  accounts  clusters in several accounts, each made with credentials from sts:AssumeRole
         into that account (as moto keys accounts): `home` in 123456789012 (the
         environment's keys), `alpha` in 111111111111 and `beta` in 222222222222 through
         role `ops`; an organization of 123456789012 with members `team-a` and `team-b`,
         each with a cluster `<name>-apps` through OrganizationAccountAccessRole
  many-accounts N REGIONS  N accounts (100000000001, ...) with one cluster of one
         service in each of the comma-separated REGIONS, through role `ops` (for
         bench/accounts)
"""

import json
import sys

import boto3

ACCOUNT = "123456789012"


def client(endpoint, service, region="us-east-1"):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def network(endpoint, region):
    """A VPC with DNS hostnames, a subnet and a security group: what awsvpc tasks need."""
    ec2 = client(endpoint, "ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=region + "a")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [sg], "assignPublicIp": "DISABLED"}}


def task_definition(ecs, family, compat):
    fargate = compat == "FARGATE"
    args = dict(
        family=family,
        containerDefinitions=[
            {"name": family, "image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{family}:v1.0.0",
             "cpu": 256, "memory": 512, "essential": True,
             "portMappings": [{"containerPort": 8080}]},
        ],
        requiresCompatibilities=[compat],
        taskRoleArn=f"arn:aws:iam::{ACCOUNT}:role/{family}-task",
        executionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
    )
    if fargate:
        args.update(networkMode="awsvpc", cpu="256", memory="512")
    return ecs.register_task_definition(**args)["taskDefinition"]["taskDefinitionArn"]


def run_tasks(ecs, cluster, td, group, count, **extra):
    arns = []
    while count > 0:
        n = min(count, 10)
        out = ecs.run_task(cluster=cluster, taskDefinition=td, count=n, group=group, **extra)
        arns += [t["taskArn"] for t in out["tasks"]]
        count -= n
    return arns


def fleet(endpoint):
    made = {"clusters": {}, "services": {}, "running": {}, "stopped": {}, "eks": []}
    ecs = client(endpoint, "ecs")

    # `big`: Fargate, 120 services, 250 tasks.
    net = network(endpoint, "us-east-1")
    ecs.create_cluster(clusterName="big", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    td = task_definition(ecs, "api", "FARGATE")
    services = [f"svc-{i:03d}" for i in range(120)]
    for name in services:
        ecs.create_service(cluster="big", serviceName=name, taskDefinition=td, desiredCount=2,
                           launchType="FARGATE", networkConfiguration=net)
    running = []
    for i in range(25):
        running += run_tasks(ecs, "big", td, f"service:{services[i]}", 10,
                             launchType="FARGATE", networkConfiguration=net)
    made["clusters"].setdefault("us-east-1", []).append("big")
    made["services"]["big"] = services
    made["running"]["big"] = running
    made["stopped"]["big"] = []

    # `ec2`: a container instance, EC2 tasks, one stopped with a reason.
    ec2 = client(endpoint, "ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="m5.large")["Instances"][0]["InstanceId"]
    ecs.create_cluster(clusterName="ec2")
    ecs.register_container_instance(
        cluster="ec2",
        instanceIdentityDocument=json.dumps({"instanceId": instance, "region": "us-east-1", "availabilityZone": "us-east-1a"}),
        totalResources=[{"name": "CPU", "type": "INTEGER", "integerValue": 2048},
                        {"name": "MEMORY", "type": "INTEGER", "integerValue": 7680}],
    )
    worker = task_definition(ecs, "worker", "EC2")
    ec2_services = ["orders", "emails", "reports"]
    for name in ec2_services:
        ecs.create_service(cluster="ec2", serviceName=name, taskDefinition=worker, desiredCount=1, launchType="EC2")
    ec2_tasks = run_tasks(ecs, "ec2", worker, "service:orders", 3, launchType="EC2")
    stopped = ec2_tasks.pop()
    ecs.stop_task(cluster="ec2", task=stopped, reason="Essential container in task exited")
    made["clusters"]["us-east-1"].append("ec2")
    made["services"]["ec2"] = ec2_services
    made["running"]["ec2"] = ec2_tasks
    made["stopped"]["ec2"] = [stopped]

    # `eu`: another region.
    eu = client(endpoint, "ecs", "eu-west-1")
    eu_net = network(endpoint, "eu-west-1")
    eu.create_cluster(clusterName="eu")
    eu_td = task_definition(eu, "web", "FARGATE")
    for name in ["web", "cart"]:
        eu.create_service(cluster="eu", serviceName=name, taskDefinition=eu_td, desiredCount=1,
                          launchType="FARGATE", networkConfiguration=eu_net)
    eu_tasks = run_tasks(eu, "eu", eu_td, "service:web", 2, launchType="FARGATE", networkConfiguration=eu_net)
    made["clusters"]["eu-west-1"] = ["eu"]
    made["services"]["eu"] = ["web", "cart"]
    made["running"]["eu"] = eu_tasks
    made["stopped"]["eu"] = []

    # An EKS cluster beside them.
    eks = client(endpoint, "eks")
    subnet = net["awsvpcConfiguration"]["subnets"][0]
    eks.create_cluster(name="k8s", version="1.31", roleArn=f"arn:aws:iam::{ACCOUNT}:role/eks",
                       resourcesVpcConfig={"subnetIds": [subnet]})
    made["eks"].append("k8s")
    return made


def small(endpoint):
    ecs = client(endpoint, "ecs")
    net = network(endpoint, "us-east-1")
    ecs.create_cluster(clusterName="small")
    td = task_definition(ecs, "web", "FARGATE")
    for name in ["web", "api"]:
        ecs.create_service(cluster="small", serviceName=name, taskDefinition=td, desiredCount=1,
                           launchType="FARGATE", networkConfiguration=net)
    tasks = run_tasks(ecs, "small", td, "service:web", 3, launchType="FARGATE", networkConfiguration=net)
    return {"clusters": {"us-east-1": ["small"]}, "services": {"small": ["web", "api"]},
            "running": {"small": tasks}, "stopped": {"small": []}, "eks": []}


def thousand(endpoint):
    ecs = client(endpoint, "ecs")
    net = network(endpoint, "us-east-1")
    ecs.create_cluster(clusterName="thousand", capacityProviders=["FARGATE"])
    td = task_definition(ecs, "api", "FARGATE")
    services = [f"svc-{i:02d}" for i in range(10)]
    running = []
    for name in services:
        ecs.create_service(cluster="thousand", serviceName=name, taskDefinition=td, desiredCount=100,
                           launchType="FARGATE", networkConfiguration=net)
        running += run_tasks(ecs, "thousand", td, f"service:{name}", 100,
                             launchType="FARGATE", networkConfiguration=net)
    return {"clusters": {"us-east-1": ["thousand"]}, "services": {"thousand": services},
            "running": {"thousand": running}, "stopped": {"thousand": []}, "eks": []}


def ops(endpoint):
    """What the action tests act on: `small` (Fargate, two revisions of `web`) and `ec2`
    (a container instance running a service's tasks)."""
    made = small(endpoint)
    ecs = client(endpoint, "ecs")
    made["revisions"] = {"web": [task_definition(ecs, "web", "FARGATE")]}
    ec2 = client(endpoint, "ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="m5.large")["Instances"][0]["InstanceId"]
    ecs.create_cluster(clusterName="ec2")
    registered = ecs.register_container_instance(
        cluster="ec2",
        instanceIdentityDocument=json.dumps({"instanceId": instance, "region": "us-east-1", "availabilityZone": "us-east-1a"}),
    )["containerInstance"]["containerInstanceArn"]
    worker = task_definition(ecs, "worker", "EC2")
    ecs.create_service(cluster="ec2", serviceName="orders", taskDefinition=worker, desiredCount=1, launchType="EC2")
    made["clusters"]["us-east-1"].append("ec2")
    made["instances"] = {"ec2": [registered]}
    return made


def insight(endpoint):
    """What the checks before acting read: metrics and alarms, autoscaling, a load balancer
    with targets, a log stream, an ECR image with scan findings, a scheduled task, and a
    capacity provider with its Auto Scaling group; around the `small` cluster."""
    import datetime
    made = small(endpoint)
    now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)

    cw = client(endpoint, "cloudwatch")
    dims = [{"Name": "ClusterName", "Value": "small"}, {"Name": "ServiceName", "Value": "web"}]
    points = []
    for minutes_ago in range(30, 0, -1):
        at = now - datetime.timedelta(minutes=minutes_ago)
        points.append({"MetricName": "CPUUtilization", "Dimensions": dims, "Timestamp": at,
                       "Value": float(minutes_ago), "Unit": "Percent"})
    for i in range(0, len(points), 20):
        cw.put_metric_data(Namespace="AWS/ECS", MetricData=points[i:i + 20])
    cw.put_metric_alarm(AlarmName="web-cpu-high", Namespace="AWS/ECS", MetricName="CPUUtilization",
                        Dimensions=dims, Statistic="Average", Period=60, EvaluationPeriods=3,
                        Threshold=80.0, ComparisonOperator="GreaterThanThreshold")
    cw.set_alarm_state(AlarmName="web-cpu-high", StateValue="ALARM", StateReason="Threshold Crossed: test")
    cw.put_metric_alarm(AlarmName="web-memory-high", Namespace="AWS/ECS", MetricName="MemoryUtilization",
                        Dimensions=dims, Statistic="Average", Period=60, EvaluationPeriods=3,
                        Threshold=90.0, ComparisonOperator="GreaterThanThreshold")

    aas = client(endpoint, "application-autoscaling")
    aas.register_scalable_target(ServiceNamespace="ecs", ResourceId="service/small/web",
                                 ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=6)
    aas.put_scaling_policy(PolicyName="web-cpu60", ServiceNamespace="ecs", ResourceId="service/small/web",
                           ScalableDimension="ecs:service:DesiredCount", PolicyType="TargetTrackingScaling",
                           TargetTrackingScalingPolicyConfiguration={
                               "TargetValue": 60.0,
                               "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})
    aas.put_scheduled_action(ServiceNamespace="ecs", ScheduledActionName="web-morning",
                             ResourceId="service/small/web", ScalableDimension="ecs:service:DesiredCount",
                             Schedule="cron(0 8 * * ? *)", ScalableTargetAction={"MinCapacity": 3, "MaxCapacity": 9})

    ec2 = client(endpoint, "ec2")
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if s["CidrBlock"] == "10.0.1.0/24"]
    vpc = ec2.describe_subnets(SubnetIds=subnets)["Subnets"][0]["VpcId"]
    second = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    elb = client(endpoint, "elbv2")
    lb = elb.create_load_balancer(Name="front", Subnets=subnets + [second])["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(Name="web-tg", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip",
                                 HealthCheckPath="/health")["TargetGroups"][0]["TargetGroupArn"]
    elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": "10.0.1.10", "Port": 8080}, {"Id": "10.0.1.11", "Port": 8080}])
    made["target_group"] = tg

    logs = client(endpoint, "logs")
    logs.create_log_group(logGroupName="/ecs/web")
    logs.create_log_stream(logGroupName="/ecs/web", logStreamName="ecs/web/abc123")
    base = int(now.timestamp() * 1000)
    logs.put_log_events(logGroupName="/ecs/web", logStreamName="ecs/web/abc123",
                        logEvents=[{"timestamp": base + i * 1000, "message": f"line {i}"} for i in range(5)])

    ecr = client(endpoint, "ecr")
    ecr.create_repository(repositoryName="web", imageScanningConfiguration={"scanOnPush": True})
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                                      "digest": "sha256:" + "a" * 64},
                           "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654,
                                       "digest": "sha256:" + "b" * 64}]})
    ecr.put_image(repositoryName="web", imageManifest=manifest, imageTag="v1.0.0")
    ecr.start_image_scan(repositoryName="web", imageId={"imageTag": "v1.0.0"})

    events = client(endpoint, "events")
    events.put_rule(Name="web-nightly", ScheduleExpression="cron(0 2 * * ? *)", State="ENABLED")
    td = ecs_arn = client(endpoint, "ecs").describe_services(cluster="small", services=["web"])["services"][0]["taskDefinition"]
    events.put_targets(Rule="web-nightly", Targets=[{
        "Id": "1", "Arn": "arn:aws:ecs:us-east-1:%s:cluster/small" % ACCOUNT,
        "RoleArn": "arn:aws:iam::%s:role/events" % ACCOUNT,
        "EcsParameters": {"TaskDefinitionArn": td, "TaskCount": 2, "LaunchType": "FARGATE"}}])

    asg = client(endpoint, "autoscaling")
    asg.create_launch_configuration(LaunchConfigurationName="lc", ImageId=ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"], InstanceType="m5.large")
    asg.create_auto_scaling_group(AutoScalingGroupName="small-asg", LaunchConfigurationName="lc",
                                  MinSize=1, MaxSize=5, DesiredCapacity=2, AvailabilityZones=["us-east-1a"])
    group_arn = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["small-asg"])["AutoScalingGroups"][0]["AutoScalingGroupARN"]
    client(endpoint, "ecs").create_capacity_provider(
        name="small-asg-cp",
        autoScalingGroupProvider={"autoScalingGroupArn": group_arn,
                                  "managedScaling": {"status": "ENABLED", "targetCapacity": 90}})
    return made


def assumed(endpoint, service, role_arn, region="us-east-1"):
    """A client acting in the role's account: moto keys resources by the account of the
    credentials, and assumed-role credentials are of the role's account."""
    creds = client(endpoint, "sts", region).assume_role(RoleArn=role_arn, RoleSessionName="seed")["Credentials"]
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def one_service(ecs, cluster, service):
    ecs.create_cluster(clusterName=cluster)
    td = ecs.register_task_definition(
        family=service,
        containerDefinitions=[{"name": service, "image": "nginx", "cpu": 256, "memory": 512, "essential": True}],
        requiresCompatibilities=["EC2"],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster=cluster, serviceName=service, taskDefinition=td, desiredCount=1, launchType="EC2")


def accounts(endpoint):
    one_service(client(endpoint, "ecs"), "home", "site")
    made = {"home": ACCOUNT}
    for cluster, account in [("alpha", "111111111111"), ("beta", "222222222222")]:
        one_service(assumed(endpoint, "ecs", f"arn:aws:iam::{account}:role/ops"), cluster, "web")
        made[cluster] = account
    org = client(endpoint, "organizations")
    org.create_organization(FeatureSet="ALL")
    for name in ["team-a", "team-b"]:
        account = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]
        role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        one_service(assumed(endpoint, "ecs", role), f"{name}-apps", "web")
        made[f"{name}-apps"] = account
    return made


def many_accounts(endpoint, count, regions):
    made = {}
    for i in range(int(count)):
        account = f"{100000000001 + i:012d}"
        for region in regions.split(","):
            one_service(assumed(endpoint, "ecs", f"arn:aws:iam::{account}:role/ops", region), f"c{i:03d}", "web")
        made[account] = regions.split(",")
    return made


def main():
    endpoint, scenario, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    made = {"fleet": fleet, "small": small, "thousand": thousand, "ops": ops, "insight": insight,
            "accounts": accounts, "many-accounts": many_accounts}[scenario](endpoint, *args)
    json.dump(made, sys.stdout)


if __name__ == "__main__":
    main()
