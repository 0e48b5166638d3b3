"""The measuring half of bench/compare-aws-cli: start moto, seed 1,000 tasks, time bosun
and the AWS CLI script alternately, and print the figures.

usage: python bench/compare_aws_cli.py BOSUN RUNS
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable
CLUSTER = "thousand"


def start_moto():
    moto = subprocess.Popen([PYTHON, os.path.join(ROOT, "tests/servers/moto_server.py")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = moto.stdout.readline()
    if not line.startswith("PORT "):
        sys.exit(f"moto did not say its port: {line!r}")
    return moto, f"http://127.0.0.1:{int(line.split()[1])}"


def env_for(endpoint):
    env = dict(os.environ)
    env.update({
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "BOSUN_AWS_MAX_ATTEMPTS": "1",
        "PATH": os.path.dirname(PYTHON) + os.pathsep + os.environ.get("PATH", ""),
    })
    return env


def timed(cmd, env):
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {out.stderr.decode()[-2000:]}")
    return elapsed, out.stdout


def count_described(stdout_chunks):
    """Tasks in the AWS CLI's output: one JSON document per describe-tasks call."""
    decoder = json.JSONDecoder()
    text, n, i = stdout_chunks.decode(), 0, 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return n
        doc, i = decoder.raw_decode(text, i)
        n += len(doc.get("tasks", []))


def main():
    bosun, runs = sys.argv[1], int(sys.argv[2])
    moto, endpoint = start_moto()
    try:
        t0 = time.perf_counter()
        subprocess.run([PYTHON, os.path.join(ROOT, "tests/servers/seed.py"), endpoint, "thousand"],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"seeded 1,000 tasks in {time.perf_counter() - t0:.1f} s")
        env = env_for(endpoint)
        log = tempfile.NamedTemporaryFile(prefix="bosun-bench-", suffix=".log", delete=False).name
        bosun_cmd = [bosun, "snapshot", "tasks", "--cluster", CLUSTER, "--format", "json",
                     "--region", "us-east-1", "--log-file", log]
        cli_cmd = [os.path.join(ROOT, "bench/aws-cli-tasks.sh"), CLUSTER]
        # One of each first, to check they agree and to warm moto and the page cache.
        _, out = timed(bosun_cmd, env)
        bosun_tasks = len(json.loads(out))
        _, out = timed(cli_cmd, env)
        cli_tasks = count_described(out)
        print(f"tasks: bosun {bosun_tasks}, aws CLI {cli_tasks}")
        if bosun_tasks != 1000 or cli_tasks != 1000:
            sys.exit("both must see the 1,000 tasks")
        bosun_times, cli_times = [], []
        for _ in range(runs):
            bosun_times.append(timed(bosun_cmd, env)[0])
            cli_times.append(timed(cli_cmd, env)[0])
        b, c = statistics.median(bosun_times), statistics.median(cli_times)
        print(f"bosun snapshot tasks      median {b * 1000:7.0f} ms  (runs: {', '.join(f'{t * 1000:.0f}' for t in bosun_times)})")
        print(f"aws CLI list + describe   median {c * 1000:7.0f} ms  (runs: {', '.join(f'{t * 1000:.0f}' for t in cli_times)})")
        print(f"ratio bosun / aws CLI     {b / c:.3f}  (target: at most 0.333)")
        calls = None
        with open(log) as f:
            for line in f:
                if "snapshot: API calls" in line:
                    calls = line.strip()
        if calls:
            m = re.search(r"calls=(\{.*?\})", calls)
            print(f"bosun API calls, last run: {m.group(1) if m else calls}")
        print("batching minimum for 1,000 tasks: ListTasks 10 (100 a page) + DescribeTasks 10 (100 a call),"
              " plus ListClusters 1 + DescribeClusters 1 to find the cluster")
        os.unlink(log)
    finally:
        moto.kill()
        moto.wait()


if __name__ == "__main__":
    main()
