"""Start moto (an AWS emulator) on a free 127.0.0.1 port for bosun's tests.

Prints `PORT <n>` on stdout once it accepts connections, then serves until stdin closes
or it is killed. Tasks are kept where they are put: moto by default moves an ECS task one
state further on every DescribeTasks, so that tasks "die" after a few refreshes.

usage: python moto_server.py [--auth]
  --auth   enforce authentication: requests signed with unknown keys are refused, as AWS
           refuses bad credentials (moto accepts anything by default).
"""

import argparse
import os
import sys
import threading

import moto_codedeploy
import moto_deploy
import moto_exec
import moto_sts


# AWS's page sizes when maxResults is not given, and the most a Describe call takes.
LIST_PAGES = {
    "list_clusters": ("clusterArns", 100),
    "list_services": ("serviceArns", 10),
    "list_tasks": ("taskArns", 100),
    "list_container_instances": ("containerInstanceArns", 100),
    "list_task_definitions": ("taskDefinitionArns", 100),
}
DESCRIBE_LIMITS = {
    "describe_clusters": ("clusters", 100),
    "describe_services": ("services", 10),
    "describe_tasks": ("tasks", 100),
    "describe_container_instances": ("containerInstances", 100),
}


def make_ecs_strict():
    """Make moto's ECS behave like AWS where bosun depends on it: list calls return pages
    (moto returns everything at once) and describe calls refuse more than AWS takes."""
    from moto.core.responses import ActionResult
    from moto.ecs.exceptions import InvalidParameterException
    from moto.ecs.responses import EC2ContainerServiceResponse as ECS

    def paged(original, key, default_size):
        def list_page(self):
            items = original(self).result[key]
            size = int(self._get_param("maxResults") or default_size)
            start = int(self._get_param("nextToken") or 0)
            page = {key: items[start:start + size]}
            if start + size < len(items):
                page["nextToken"] = str(start + size)
            return ActionResult(page)
        return list_page

    def limited(original, param, limit):
        def describe(self):
            asked = self._get_param(param) or []
            if len(asked) > limit:
                raise InvalidParameterException(
                    f"{param} can have at most {limit} items; {len(asked)} were given."
                )
            return original(self)
        return describe

    # RunTask is idempotent for a client token, as on AWS: a retry starts nothing new.
    run_task = ECS.run_task
    answered = {}

    def idempotent_run_task(self):
        token = self._get_param("clientToken")
        if token and token in answered:
            return answered[token]
        result = run_task(self)
        if token:
            answered[token] = result
        return result

    ECS.run_task = idempotent_run_task

    # moto keeps which optional fields a response leaves out (the `include=TAGS` of a
    # Describe call) in a dict shared by every request, and its serializer iterates that
    # dict: the first Describe of a kind, racing another request, fails with HTTP 500
    # ("dictionary changed size during iteration"). Each request gets its own copy.
    from moto.core.responses import BaseResponse, never_return

    def choose(self, path, transform):
        self.RESPONSE_KEY_PATH_TO_TRANSFORMER = {**self.RESPONSE_KEY_PATH_TO_TRANSFORMER, path: transform}

    BaseResponse._include_in_response = lambda self, path: choose(self, path, lambda x: x)
    BaseResponse._exclude_from_response = lambda self, path: choose(self, path, never_return)

    for name, (key, size) in LIST_PAGES.items():
        setattr(ECS, name, paged(getattr(ECS, name), key, size))
    for name, (param, limit) in DESCRIBE_LIMITS.items():
        setattr(ECS, name, limited(getattr(ECS, name), param, limit))


def stop_tasks_as_aws():
    """StopTask as AWS answers it: the task's stoppingAt, stoppedAt and executionStoppedAt
    (when it stopped) and its stopCode UserInitiated (the API reference's Task shape);
    moto keeps none of them, so a stopped task had no time."""
    from moto.core.utils import utcnow
    from moto.ecs.models import EC2ContainerServiceBackend as Backend

    stop_task = Backend.stop_task

    def stop_task_stamped(self, cluster_str, task_str, reason):
        task = stop_task(self, cluster_str, task_str, reason)
        now = utcnow()
        task.stopping_at = task.stopped_at = task.execution_stopped_at = now
        task.stop_code = "UserInitiated"
        return task

    Backend.stop_task = stop_task_stamped


def load_balancer_arns_by_type():
    """Load balancer ARNs as Elastic Load Balancing names them: `loadbalancer/net/NAME/ID`
    for a Network Load Balancer and `loadbalancer/gwy/NAME/ID` for a Gateway Load Balancer
    (the ELB API reference's ARN formats); moto names every one `loadbalancer/app/`."""
    from moto.elbv2.models import ELBv2Backend

    create = ELBv2Backend.create_load_balancer

    def create_named(self, *args, **kwargs):
        lb = create(self, *args, **kwargs)
        kind = {"network": "net", "gateway": "gwy"}.get(lb.type)
        if kind and "loadbalancer/app/" in lb.arn:
            old = lb.arn
            lb.arn = old.replace("loadbalancer/app/", f"loadbalancer/{kind}/")
            self.load_balancers[lb.arn] = self.load_balancers.pop(old)
            tags = self.tagging_service.tags
            if old in tags:
                tags[lb.arn] = tags.pop(old)
        return lb

    ELBv2Backend.create_load_balancer = create_named


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--auth", action="store_true")
    parser.add_argument("--deny-role", action="append", default=[], metavar="PATTERN",
                        help="refuse sts:AssumeRole into role ARNs matching this glob (see moto_sts.py)")
    args = parser.parse_args()
    if args.auth:
        os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"

    from moto.moto_api import state_manager
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    state_manager.set_transition(
        model_name="ecs::task", transition={"progression": "manual", "times": 1_000_000}
    )
    make_ecs_strict()
    stop_tasks_as_aws()
    load_balancer_arns_by_type()
    # What moto lacks, shaped as the AWS API reference documents it (see each file).
    moto_exec.install()  # ECS Exec, SSM sessions
    moto_deploy.install()  # deployment history, task protection, alarm history, scaling activity
    moto_codedeploy.install()  # CodeDeploy blue/green deployments of ECS services
    moto_sts.install(args.deny_role)  # roles that refuse AssumeRole
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"PORT {server.server_port}", flush=True)
    # Serve until the test that started us goes away.
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    server.shutdown()


if __name__ == "__main__":
    main()
