"""Seed a moto server with ECS and EKS resources through boto3, the AWS SDK for Python,
as an operator would create them. Prints what it made as JSON.

usage: python seed.py ENDPOINT SCENARIO
  fleet  two regions; `big` with 120 Fargate services and 250 awsvpc tasks (pagination
         and batching), `ec2` with a container instance, EC2 tasks and a stopped task
         with a reason, `eu` in eu-west-1, and an EKS cluster
  small  one cluster, two services, three tasks
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


def main():
    endpoint, scenario = sys.argv[1], sys.argv[2]
    made = {"fleet": fleet, "small": small, "ops": ops}[scenario](endpoint)
    json.dump(made, sys.stdout)


if __name__ == "__main__":
    main()
