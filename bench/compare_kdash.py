"""The measuring half of bench/compare-kdash: for each pod count N, start the Kubernetes API
emulator with N generated pods, run bosun and kdash on it in turn, each in a fresh 200x60 tmux
session, and print the figures.

For each run of each tool: the time from starting it until its pods table is titled with all N
pods (the screen read every 100 ms), its resident memory 5 s after that, and the CPU it uses over
the next 10 s, when nothing in the cluster changes. bosun finds the cluster as an EKS cluster in
moto and reaches the emulator through the kubeconfig context of the same name; kdash reads the
same kubeconfig. Both run with their defaults (bosun refreshes what is on screen every 5 s from
watches; kdash lists every pod again every 5 s).

usage: python bench/compare_kdash.py BOSUN KDASH RUNS N...
Environment: TIMEOUT (seconds to wait for all pods, default 300), SETTLE_SECS (default 5),
IDLE_SECS (default 10), KEEP (a directory to keep the logs and last screens in).
"""

import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable
CLUSTER = "bench"
REGION = "us-east-1"
TIMEOUT = float(os.environ.get("TIMEOUT", "300"))
SETTLE = float(os.environ.get("SETTLE_SECS", "5"))
IDLE = float(os.environ.get("IDLE_SECS", "10"))
POLL = 0.1
HZ = os.sysconf("SC_CLK_TCK")
# A pods table's title with its count: bosun's `pods(all) [20000]`, kdash's
# `Pods (ns: all) [20000]` (below its tab `Pods [20000]`). The last such title on screen counts;
# the first number in its brackets is the count shown.
TITLE = re.compile(r"\bpods\b[^\[\]\n]{0,40}\[\s*([0-9][0-9,._ ]*)", re.IGNORECASE)


def start_server(script, *args):
    """A test server of tests/servers that prints `PORT n` and serves until its stdin closes."""
    server = subprocess.Popen([PYTHON, os.path.join(ROOT, "tests/servers", script), *args],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    if not line.startswith("PORT "):
        server.kill()
        sys.exit(f"{script} did not say its port: {line!r}")
    return server, f"http://127.0.0.1:{int(line.split()[1])}"


def stop_server(server):
    server.stdin.close()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def aws_env(endpoint):
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "BOSUN_AWS_MAX_ATTEMPTS": "1",
    }


def create_eks_cluster(endpoint):
    """The EKS cluster bosun lists; its Kubernetes API is the kubeconfig context of its name."""
    eks = boto3.client("eks", endpoint_url=endpoint, region_name=REGION,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    eks.create_cluster(name=CLUSTER, roleArn="arn:aws:iam::123456789012:role/eks",
                       resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]})


def write_kubeconfig(path, server):
    """Plain HTTP to the emulator, a bearer token it does not check, one context named as the
    EKS cluster (bosun matches a context by the cluster's name)."""
    with open(path, "w") as f:
        f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: {CLUSTER}
  cluster:
    server: {server}
users:
- name: bench
  user:
    token: bench
contexts:
- name: {CLUSTER}
  context:
    cluster: {CLUSTER}
    user: bench
current-context: {CLUSTER}
""")


def pods_served(server):
    """How many pods the emulator lists (one pod and the remaining count)."""
    with urllib.request.urlopen(f"{server}/api/v1/pods?limit=1", timeout=60) as r:
        page = json.load(r)
    return len(page["items"]) + page["metadata"].get("remainingItemCount", 0)


class Pane:
    """One program in a detached tmux session on a tmux server of its own."""

    def __init__(self, name, argv, env, cwd):
        self.socket = f"bosun-bench-{os.getpid()}-{name}"
        # The pane stays when the program exits, so that its last screen can be read.
        self.conf = os.path.join(cwd, "tmux.conf")
        with open(self.conf, "w") as f:
            f.write("set -g remain-on-exit on\n")
        command = "exec env " + " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()) + " " + \
            " ".join(shlex.quote(a) for a in argv)
        self.started = time.monotonic()
        self.tmux("new-session", "-d", "-s", "bench", "-x", "200", "-y", "60", "-c", cwd, command)
        self.socket_path = self.tmux("display-message", "-p", "#{socket_path}")
        self.pid = int(self.tmux("display-message", "-p", "-t", "bench", "#{pane_pid}"))
        # The pane's process becomes the program (`exec env`) a moment after tmux forks it.
        name = os.path.basename(argv[0])[:15]
        for _ in range(100):
            with open(f"/proc/{self.pid}/comm") as f:
                comm = f.read().strip()
            if comm == name:
                return
            time.sleep(0.01)
        self.close()
        sys.exit(f"the pane runs {comm!r}, not {argv[0]}")

    def tmux(self, *args):
        out = subprocess.run(["tmux", "-L", self.socket, "-f", self.conf, *args], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
        return out.stdout.rstrip() if out.returncode == 0 else None

    def alive(self):
        return self.tmux("display-message", "-p", "-t", "bench", "#{pane_dead}") == "0"

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "bench") or ""

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "bench", *keys)

    def close(self):
        if self.alive():
            self.keys("q")
        for _ in range(50):
            if not self.alive():
                break
            time.sleep(0.1)
        self.tmux("kill-server")
        if self.socket_path and os.path.exists(self.socket_path):
            os.unlink(self.socket_path)


def shown_count(screen):
    titles = TITLE.findall(screen)
    return int(re.sub(r"[^0-9]", "", titles[-1])) if titles else None


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def memory_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def measure(pane, n, to_pods):
    """Wait until the pods table shows `n` pods, then settle and measure. `to_pods(pane,
    screen)`, if given, sends the keys that open the pods view once the screen is ready for
    them (and says whether it did)."""
    sent, sends = None, 0
    while True:
        screen = pane.screen()
        elapsed = time.monotonic() - pane.started
        if not pane.alive():
            status = pane.tmux("display-message", "-p", "-t", "bench", "#{pane_dead_status}")
            return {"short": "exited", "error": f"exited (status {status}) after {elapsed:.1f} s"}, screen
        count = shown_count(screen)
        if to_pods and screen.strip():
            # Again if no pods title came within 3 s: the keys may have come too early.
            if (sent is None or (count is None and elapsed - sent > 3)) and to_pods(pane, screen):
                sent, sends = elapsed, sends + 1
        if count == n:
            break
        if elapsed > TIMEOUT:
            shown = f"the pods title shows {count}" if count is not None else "no pods title"
            return {"short": "timeout", "error": f"timeout after {TIMEOUT:g} s ({shown})"}, screen
        time.sleep(POLL)
    result = {"load_ms": elapsed * 1000, "sends": sends}
    time.sleep(SETTLE)
    if not pane.alive():
        return {"short": "exited", "error": f"exited {SETTLE:.0f} s after showing all pods"}, pane.screen()
    result["rss_mib"] = memory_kib(pane.pid, "VmRSS") / 1024
    t0, s0 = cpu_ticks(pane.pid), time.monotonic()
    time.sleep(IDLE)
    t1, s1 = cpu_ticks(pane.pid), time.monotonic()
    result["cpu_pct"] = 100 * (t1 - t0) / HZ / (s1 - s0)
    result["peak_mib"] = memory_kib(pane.pid, "VmHWM") / 1024
    return result, pane.screen()


def bosun_to_pods(pane, screen):
    """Once the cluster's screen is up (its name in the header's path), the k9s-style
    command opens its pods; whether the keys were sent."""
    if f"› {CLUSTER}" not in screen:
        return False
    pane.keys(":pods", "Enter")
    return True


MEASURES = [  # key, label, number format, unit
    ("load_ms", "start until all pods shown", "{:,.0f}", "ms"),
    ("rss_mib", f"RSS {SETTLE:g} s after", "{:,.0f}", "MiB"),
    ("cpu_pct", f"CPU over {IDLE:g} s idle, of one core", "{:.1f}", "%"),
    ("peak_mib", "peak RSS (VmHWM)", "{:,.0f}", "MiB"),
]


def report(n, runs):
    print(f"\n{n:,} pods: medians of {len(runs['bosun'])} run(s) each")
    print(f"{'':36}{'bosun':>12}{'kdash':>12}{'bosun/kdash':>13}")
    for key, label, number, unit in MEASURES:
        medians = []
        for tool in ("bosun", "kdash"):
            values = [r[key] for r in runs[tool] if key in r]
            medians.append(statistics.median(values) if values else None)
        b, k = medians
        ratio = f"{b / k:.2f}" if b is not None and k else "-"
        cells = [f"{number.format(m)} {unit}" if m is not None else "-" for m in medians]
        print(f"{label:36}{cells[0]:>12}{cells[1]:>12}{ratio:>13}")
        each = {tool: ", ".join(number.format(r[key]) if key in r else r["short"] for r in runs[tool])
                for tool in ("bosun", "kdash")}
        print(f"    runs: bosun {each['bosun']}; kdash {each['kdash']}")


def run_once(tool, programs, n, work, tag):
    """Start `tool` in a fresh pane, measure it, keep its last screen; returns the result."""
    argv, env, to_pods = programs[tool]
    if tool == "bosun":
        argv = argv + ["--log-file", os.path.join(work, f"bosun-{tag}.log")]
    pane = Pane(tool, argv, env, work)
    try:
        result, screen = measure(pane, n, to_pods)
    finally:
        pane.close()
    with open(os.path.join(work, f"{tool}-{tag}.screen"), "w") as f:
        f.write(screen)
    return result


def main():
    bosun, kdash, runs = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), int(sys.argv[3])
    counts = [int(a) for a in sys.argv[4:]]
    keep = os.environ.get("KEEP")
    work = tempfile.mkdtemp(prefix="bosun-vs-kdash-")
    failed = False
    # A copy, so that every run measures the same bosun while the repository is rebuilt.
    built = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(bosun)))
    bosun = shutil.copy2(bosun, os.path.join(work, "bosun"))
    print(f"bosun binary built {built}, copied for this sitting")
    moto, aws = start_server("moto_server.py")
    try:
        create_eks_cluster(aws)
        for n in counts:
            t0 = time.monotonic()
            kube, server = start_server("kube_server.py", "--scenario", "empty", "--pods", str(n))
            try:
                served = pods_served(server)
                print(f"\nemulator with {n:,} generated pods up in {time.monotonic() - t0:.1f} s, "
                      f"lists {served:,} pods")
                config = os.path.join(work, f"kubeconfig-{n}")
                write_kubeconfig(config, server)
                base = {"HOME": work, "KUBECONFIG": config}
                programs = {  # argv, environment, the keys to the pods view
                    "bosun": ([bosun, "--region", REGION, "--cluster", CLUSTER,
                               "--audit-log", os.path.join(work, "audit.log")],
                              dict(base, **aws_env(aws), BOSUN_CONFIG=os.path.join(work, "none.toml")),
                              bosun_to_pods),
                    # kdash opens on its overview: the pods tab first, all namespaces.
                    "kdash": ([kdash], base, None),
                }
                results = {"bosun": [], "kdash": []}
                for i in range(runs):
                    # Alternate which goes first, so neither always meets a warm emulator.
                    for tool in (["bosun", "kdash"] if i % 2 == 0 else ["kdash", "bosun"]):
                        tag = f"{n}-{i + 1}"
                        result = run_once(tool, programs, served, work, tag)
                        results[tool].append(result)
                        if "error" in result:
                            failed = True
                            print(f"  run {i + 1} {tool}: {result['error']}; its last screen: "
                                  f"{os.path.join(keep or work, f'{tool}-{tag}.screen')}")
                        else:
                            again = f" (keys to the pods view sent {result['sends']} times)" \
                                if result["sends"] > 1 else ""
                            print(f"  run {i + 1} {tool}: all shown after {result['load_ms']:,.0f} ms, "
                                  f"RSS {result['rss_mib']:,.0f} MiB, idle CPU {result['cpu_pct']:.1f} %{again}")
                        sys.stdout.flush()
                report(served, results)
            finally:
                stop_server(kube)
    finally:
        stop_server(moto)
        if keep:
            shutil.copytree(work, keep, dirs_exist_ok=True)
            print(f"\nlogs and last screens kept in {keep}")
        if failed and not keep:
            print(f"\nlogs and last screens kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
