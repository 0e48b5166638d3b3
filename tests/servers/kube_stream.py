"""pods/exec and pods/portforward over WebSocket, as kube-apiserver 1.31 serves them to kube-rs.

Exec. A client offering v5.channel.k8s.io (kube-rs offers "v5.channel.k8s.io, v4.channel.k8s.io")
is served by the API server's stream translator, which speaks only v5; a client offering only older
protocols is proxied to the kubelet's streaming server (channel.k8s.io, base64.channel.k8s.io,
v4.channel.k8s.io, v4.base64.channel.k8s.io), the first one offered that it supports. Frames are
binary, the first byte the channel (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize, 255 close in v5);
the base64 protocols send text frames, the channel as an ASCII digit and the data base64. The server
first sends an empty frame on the lowest writable channel (stdout, else stderr, else error), and at
the end one frame on the error channel: the Status as JSON (v4, v5; only failures, as text, before
v4), then closes the socket.

Port-forward. kubelet speaks "" (no subprotocol), v4.channel.k8s.io and v4.base64.channel.k8s.io
(not v5): port i of ?ports= gets data channel 2i and error channel 2i+1, and each sends one first
frame holding the port as 2 bytes little-endian. With no container behind it, every byte a client
sends to a port's data channel comes back on it.

Before the upgrade, errors are the API server's Status (unknown pod 404; container missing or not
named among several, no node, no upgrade 400); what the kubelet refuses (no stream asked for, a
container that is not running, a pod whose sandbox is not running for port-forward) comes as its
plain-text answer over older protocols, or, over v5, as an InternalError Status after the upgrade.

What runs in the container: /bin/sh, sh, /bin/bash or bash (interactive with a prompt "# " and echo
when tty=true, reading commands from stdin otherwise), `sh -c SCRIPT`, and one-shot commands: echo,
hostname, whoami, id, pwd, env, printenv, date, uname, cat, ls, stty, true, false, sleep; the shell
also knows cd, export, exit [n], ; && || and $VAR / ${VAR} / $?. Anything else in the shell is
"sh: X: not found" (127); as the exec command, an OCI runtime InternalError.
"""

import asyncio
import base64
import datetime
import json
import re
import secrets
import shlex

import aiohttp
import aiohttp.web

KUBELET_EXEC_PROTOCOLS = ["channel.k8s.io", "base64.channel.k8s.io", "v4.channel.k8s.io",
                          "v4.base64.channel.k8s.io"]
PORTFORWARD_PROTOCOLS = ["v4.channel.k8s.io", "v4.base64.channel.k8s.io"]
V5 = "v5.channel.k8s.io"
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
SHELLS = {"sh", "/bin/sh", "bash", "/bin/bash", "/usr/bin/bash", "ash", "/bin/ash"}
BINARIES = {"echo", "hostname", "whoami", "id", "pwd", "env", "printenv", "date", "uname", "cat", "ls", "stty",
            "true", "false", "sleep"}
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DIRS = {"/", "/bin", "/dev", "/etc", "/home", "/lib", "/proc", "/root", "/run", "/sbin", "/sys", "/tmp", "/usr",
        "/var", "/var/run", "/var/run/secrets", "/var/run/secrets/kubernetes.io",
        "/var/run/secrets/kubernetes.io/serviceaccount", "/usr/bin", "/usr/local", "/usr/local/bin"}


def flag(query, name):
    """How kube-apiserver converts a bool query parameter: present and not 0/false is true."""
    values = query.getall(name, [])
    return bool(values) and not (values[0] == "0" or values[0].lower() == "false")


def offered_protocols(raw):
    return [p.strip() for p in raw.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()]


def is_websocket(raw):
    return raw.headers.get("Upgrade", "").lower() == "websocket" and \
        "upgrade" in raw.headers.get("Connection", "").lower()


def forbidden_handshake():
    """x/net/websocket's answer when no subprotocol fits: 403 with no body."""
    return aiohttp.web.Response(status=403)


def text_error(code, message):
    """What kube-apiserver relays when the kubelet refuses before upgrading: its plain-text error."""
    return aiohttp.web.Response(status=code, text=message, content_type="text/plain")


async def serve(emulator, request, res, namespace, name, sub, ApiError):
    """pods/NAME/exec or pods/NAME/portforward; ApiError is the server's Status error."""
    raw = request._raw_request
    pod = emulator.must_get(res, namespace, name).raw
    if sub == "exec":
        return await exec_pod(emulator, request, raw, pod, ApiError)
    return await portforward(emulator, request, raw, pod, ApiError)


class Channels:
    """The channel framing of one WebSocket connection."""

    def __init__(self, ws, protocol):
        self.ws = ws
        self.b64 = "base64" in protocol

    async def send(self, channel, data=b""):
        if self.ws.closed:
            return
        if self.b64:
            await self.ws.send_str(chr(ord("0") + channel) + base64.b64encode(data).decode())
        else:
            await self.ws.send_bytes(bytes([channel]) + data)

    def decode(self, msg):
        """(channel, data) of a received message, or None."""
        if msg.type == aiohttp.WSMsgType.BINARY and not self.b64:
            return (msg.data[0], bytes(msg.data[1:])) if msg.data else None
        if msg.type == aiohttp.WSMsgType.TEXT and self.b64 and msg.data:
            try:
                return ord(msg.data[0]) - ord("0"), base64.b64decode(msg.data[1:])
            except ValueError:
                return None
        return None


# ------------------------------------------------------------------------------------------- exec
async def exec_pod(emulator, request, raw, pod, ApiError):
    query = raw.query
    name = pod["metadata"]["name"]
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    containers = [c["name"] for c in spec.get("containers") or []]
    container = query.get("container", "")
    if not container:
        if len(containers) == 1:
            container = containers[0]
        elif not containers:
            raise ApiError(400, f"a container name must be specified for pod {name}")
        else:
            init = [c["name"] for c in spec.get("initContainers") or []]
            text = f"a container name must be specified for pod {name}, choose one of: [{' '.join(containers)}]"
            if init:
                text += f" or one of the init containers: [{' '.join(init)}]"
            raise ApiError(400, text)
    elif container not in containers and container not in [c["name"] for c in spec.get("initContainers") or []] \
            and container not in [c["name"] for c in spec.get("ephemeralContainers") or []]:
        raise ApiError(400, f"container {container} is not valid for pod {name}")
    if not spec.get("nodeName"):
        raise ApiError(400, f"pod {name} does not have a host assigned")
    if not is_websocket(raw):
        raise ApiError(400, "Upgrade request required")
    stdin, stdout, stderr, tty = (flag(query, k) for k in ("stdin", "stdout", "stderr", "tty"))
    if tty and stderr:
        stderr = False  # kubelet: "Access to exec with tty and stderr is not supported, bypassing stderr"
    command = query.getall("command", [])
    offered = offered_protocols(raw)
    translated = V5 in offered
    running = any(cs.get("name") == container and "running" in (cs.get("state") or {})
                  for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or [])
                  + (status.get("ephemeralContainerStatuses") or []))
    # What the kubelet refuses before upgrading: relayed as its plain text by the proxy (v4 and
    # older), or, by the translator, which upgrades first, as an InternalError on the error channel.
    refusal = None
    if not (stdin or stdout or stderr):
        refusal = (400, "you must specify at least 1 of stdin, stdout, stderr")
    elif not running:
        refusal = (500, f'container not found ("{container}")')
    if translated:
        protocol = V5
    else:
        if refusal:
            return text_error(*refusal)
        protocol = next((p for p in offered if p in KUBELET_EXEC_PROTOCOLS), None if offered else "")
        if protocol is None:
            return forbidden_handshake()
    ws = aiohttp.web.WebSocketResponse(protocols=(protocol,) if protocol else (), max_msg_size=0)
    await ws.prepare(raw)
    ch = Channels(ws, protocol)
    session = Session(emulator, pod, container, command, ch, protocol, stdin, stdout, stderr, tty)
    try:
        await ch.send(STDOUT if stdout else STDERR if stderr else ERROR)
        if refusal:  # the translator's SPDY upgrade to the kubelet failed
            await session.finish(internal=f"unable to upgrade connection: {refusal[1]}")
        else:
            await session.run()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        session.stop()
        if not ws.closed:
            await ws.close()
    return ws


class Session:
    """One exec: the command, its streams, its exit status."""

    def __init__(self, emulator, pod, container, command, ch, protocol, stdin, stdout, stderr, tty):
        self.emulator, self.pod, self.container, self.command = emulator, pod, container, command
        self.ch, self.protocol = ch, protocol
        self.stdin_on, self.stdout_on, self.stderr_on, self.tty = stdin, stdout, stderr, tty
        self.input = asyncio.Queue()
        self.size = None  # (rows, cols) from the last resize
        self.reader = None
        self.exec_id = secrets.token_hex(32)

    def stop(self):
        if self.reader is not None:
            self.reader.cancel()

    async def read_socket(self):
        """Client frames: stdin data, resize events, v5 close of stdin; the socket closing ends stdin."""
        buffer = b""
        try:
            async for msg in self.ch.ws:
                frame = self.ch.decode(msg)
                if frame is None:
                    if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.ERROR):
                        break
                    continue
                channel, data = frame
                if channel == CLOSE and self.protocol == V5:
                    if len(data) == 1 and data[0] == STDIN:
                        await self.input.put(None)
                    continue
                if channel == STDIN and self.stdin_on:
                    await self.input.put(data)
                elif channel == RESIZE:
                    buffer += data
                    while buffer.strip():
                        try:
                            size, end = json.JSONDecoder().raw_decode(buffer.decode().lstrip())
                        except ValueError:
                            break
                        buffer = buffer.decode().lstrip()[end:].encode()
                        if isinstance(size, dict):
                            self.size = (int(size.get("Height") or 0), int(size.get("Width") or 0))
        finally:
            await self.input.put(None)

    async def out(self, text, channel=STDOUT):
        if isinstance(text, str):
            text = text.encode()
        if self.tty:
            text = text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            channel = STDOUT  # a terminal has one output stream
        if channel == STDERR and not self.stderr_on:
            return
        if channel == STDOUT and not self.stdout_on:
            return
        if text:
            await self.ch.send(channel, text)

    async def err(self, text):
        await self.out(text, STDERR)

    async def finish(self, code=0, internal=None):
        """The exit status on the error channel, as the API server (or kubelet) writes it."""
        if internal is not None:
            message = f"Internal error occurred: {internal}"
            status = {"metadata": {}, "status": "Failure", "message": message, "reason": "InternalError",
                      "details": {"causes": [{"message": internal}]}, "code": 500}
        elif code == 0:
            status = {"metadata": {}, "status": "Success"}
        else:
            if self.protocol == V5:
                detail = f"command terminated with exit code {code}"
            else:
                detail = f"error executing command [{' '.join(self.command)}], exit code {code}"
            status = {"metadata": {}, "status": "Failure",
                      "message": f"command terminated with non-zero exit code: {detail}", "reason": "NonZeroExitCode",
                      "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}
        if self.protocol in ("", "channel.k8s.io", "base64.channel.k8s.io"):  # v1 error stream: text, failures only
            if status["status"] == "Success":
                return
            await self.ch.send(ERROR, status["message"].encode())
            return
        await self.ch.send(ERROR, json.dumps(status, separators=(",", ":")).encode())

    async def run(self):
        self.reader = asyncio.ensure_future(self.read_socket())
        shell = Shell(self)
        argv = self.command
        if not argv:
            await self.finish(internal=self.oci_error(""))
            return
        prog = argv[0]
        if prog in SHELLS and len(argv) >= 3 and argv[1] == "-c":
            code = await shell.run_script(argv[2])
        elif prog in SHELLS and (len(argv) == 1 or argv[1] in ("-i", "-l", "--login")):
            code = await shell.interactive()
        elif prog.rsplit("/", 1)[-1] in BINARIES and (prog.startswith("/") or "/" not in prog):
            code = await shell.command(argv, oneshot=True)
        else:
            await self.finish(internal=self.oci_error(prog))
            return
        await self.finish(code)

    def oci_error(self, prog):
        text = (f'failed to exec in container: failed to start exec "{self.exec_id}": OCI runtime exec failed: '
                f'exec failed: unable to start container process: exec: "{prog}": executable file not found in '
                "$PATH: unknown")
        inner = f"error executing command in container: {text}"
        return f"Internal error occurred: {inner}" if self.protocol == V5 else inner


class Exit(Exception):
    def __init__(self, code):
        self.code = code


class Shell:
    """A small POSIX-ish shell over the session's streams."""

    def __init__(self, session):
        self.s = session
        pod = session.pod
        self.pod_name = pod["metadata"]["name"]
        self.namespace = pod["metadata"].get("namespace", "default")
        self.cwd = "/"
        self.status = 0
        self.env = environment(session.emulator, pod, session.container, session.tty)
        self.bash = session.command and session.command[0].endswith("bash")
        self.name = "bash" if self.bash else "sh"

    # -- input
    async def interactive(self):
        """An interactive shell (tty) or one reading a script from stdin."""
        tty = self.s.tty
        if not self.s.stdin_on and not tty:
            return 0  # reads end of file at once
        line, escape = [], None
        if tty:
            await self.s.out("# ")
        pending = b""
        while True:
            data = await self.s.input.get()
            if data is None:
                if not tty and (pending or line):
                    try:
                        await self.run_line((pending.decode(errors="replace")))
                    except Exit as e:
                        return e.code
                return self.status
            if not tty:
                pending += data
                while b"\n" in pending:
                    text, pending = pending.split(b"\n", 1)
                    try:
                        await self.run_line(text.decode(errors="replace"))
                    except Exit as e:
                        return e.code
                continue
            for byte in data:
                ch = chr(byte)
                if escape is not None:  # skip terminal escape sequences (arrow keys)
                    escape += ch
                    if len(escape) > 1 and (0x40 <= byte <= 0x7E) or len(escape) > 8:
                        escape = None
                    continue
                if byte == 0x1B:
                    escape = ""
                elif ch in "\r\n":
                    await self.s.out("\r\n")
                    text, line = "".join(line), []
                    try:
                        await self.run_line(text)
                    except Exit as e:
                        return e.code
                    await self.s.out("# ")
                elif byte in (0x7F, 0x08):
                    if line:
                        line.pop()
                        await self.s.out("\b \b")
                elif byte == 0x03:  # ^C
                    line = []
                    self.status = 130
                    await self.s.out("^C\r\n# ")
                elif byte == 0x04:  # ^D
                    if not line:
                        if self.bash:
                            await self.s.out("exit\r\n")
                        return self.status
                elif byte == 0x15:  # ^U
                    await self.s.out("\b \b" * len(line))
                    line = []
                elif byte >= 0x20 or ch == "\t":
                    line.append(ch)
                    await self.s.out(ch)

    async def run_script(self, script):
        try:
            for text in script.split("\n"):
                await self.run_line(text)
        except Exit as e:
            return e.code
        return self.status

    # -- parsing
    def expand(self, text):
        out, i, quote = [], 0, None
        while i < len(text):
            c = text[i]
            if c == "'" and quote != '"':
                quote = None if quote == "'" else "'"
            elif c == '"' and quote != "'":
                quote = None if quote == '"' else '"'
            elif c == "$" and quote != "'":
                m = re.match(r"\$(\?|\{(\w+)\}|(\w+))", text[i:])
                if m:
                    key = m.group(1) if m.group(1) == "?" else m.group(2) or m.group(3)
                    value = str(self.status) if key == "?" else self.env.get(key, "")
                    out.append(value if quote == '"' else shlex.quote(value) if value else "''")
                    i += m.end()
                    continue
            out.append(c)
            i += 1
        return "".join(out)

    @staticmethod
    def split_commands(text):
        """[(joiner, command text)] of a line: commands split on ; && || & outside quotes."""
        out, cur, quote, joiner, i = [], [], None, ";", 0
        while i < len(text):
            c = text[i]
            if quote:
                if c == quote:
                    quote = None
                elif c == "\\" and quote == '"' and i + 1 < len(text):
                    cur.append(c)
                    i += 1
                    c = text[i]
            elif c in "'\"":
                quote = c
            elif c == "\\" and i + 1 < len(text):
                cur.append(c)
                i += 1
                c = text[i]
            elif text.startswith("&&", i) or text.startswith("||", i):
                out.append((joiner, "".join(cur)))
                joiner, cur, i = text[i:i + 2], [], i + 2
                continue
            elif c in ";&":
                out.append((joiner, "".join(cur)))
                joiner, cur, i = ";", [], i + 1
                continue
            cur.append(c)
            i += 1
        if quote:
            raise ValueError("unterminated quote")
        out.append((joiner, "".join(cur)))
        return [(j, t) for j, t in out if t.strip()]

    async def run_line(self, text):
        text = text.strip()
        if not text or text.startswith("#"):
            return
        try:
            commands = self.split_commands(text)
        except ValueError:
            await self.s.err(f"{self.name}: syntax error: unterminated quoted string\n")
            self.status = 2
            return
        for joiner, command in commands:
            if joiner == "&&" and self.status != 0 or joiner == "||" and self.status == 0:
                continue
            try:
                words = shlex.split(self.expand(command))  # expanded when it runs: $? is the last status
            except ValueError:
                await self.s.err(f"{self.name}: syntax error: unterminated quoted string\n")
                self.status = 2
                continue
            if words:
                self.status = await self.command(words)

    # -- commands
    async def command(self, argv, oneshot=False):
        prog, args = argv[0], argv[1:]
        base = prog.rsplit("/", 1)[-1] if prog.startswith("/") else prog
        if base in SHELLS or prog in SHELLS:
            if len(args) >= 2 and args[0] == "-c":
                sub = Shell(self.s)
                sub.env, sub.cwd = dict(self.env), self.cwd
                return await sub.run_script(args[1])
            return 0
        if prog == "exit" and not oneshot:
            code = self.status
            if args:
                try:
                    code = int(args[0]) & 0xFF
                except ValueError:
                    await self.s.err(f"{self.name}: exit: Illegal number: {args[0]}\n")
                    code = 2
            raise Exit(code)
        if prog == "cd" and not oneshot:
            target = args[0] if args else "/root"
            path = target if target.startswith("/") else (self.cwd.rstrip("/") + "/" + target)
            path = normalize(path)
            if path not in DIRS:
                await self.s.err(f"{self.name}: cd: can't cd to {target}: No such file or directory\n")
                return 2
            self.cwd = path
            self.env["PWD"] = path
            return 0
        if prog == "export" and not oneshot:
            for a in args:
                k, _, v = a.partition("=")
                self.env[k] = v
            return 0
        if base not in BINARIES or "/" in prog and not prog.startswith("/"):
            await self.s.err(f"bash: {prog}: command not found\n" if self.bash else f"{self.name}: {prog}: not found\n")
            return 127
        return await getattr(self, "cmd_" + base)(args)

    async def cmd_echo(self, args):
        newline = True
        if args and args[0] == "-n":
            newline, args = False, args[1:]
        await self.s.out(" ".join(args) + ("\n" if newline else ""))
        return 0

    async def cmd_hostname(self, args):
        await self.s.out(self.pod_name + "\n")
        return 0

    async def cmd_whoami(self, args):
        await self.s.out("root\n")
        return 0

    async def cmd_id(self, args):
        await self.s.out("uid=0(root) gid=0(root) groups=0(root)\n")
        return 0

    async def cmd_pwd(self, args):
        await self.s.out(self.cwd + "\n")
        return 0

    async def cmd_env(self, args):
        await self.s.out("".join(f"{k}={v}\n" for k, v in self.env.items()))
        return 0

    async def cmd_printenv(self, args):
        if not args:
            return await self.cmd_env(args)
        found = [self.env[a] for a in args if a in self.env]
        await self.s.out("".join(v + "\n" for v in found))
        return 0 if len(found) == len(args) else 1

    async def cmd_date(self, args):
        t = datetime.datetime.now(datetime.timezone.utc)
        await self.s.out(t.strftime("%a %b ") + f"{t.day:2d}" + t.strftime(" %H:%M:%S UTC %Y") + "\n")
        return 0

    async def cmd_uname(self, args):
        if args and args[0] in ("-a", "--all"):
            await self.s.out(f"Linux {self.pod_name} {self.kernel()} #1 SMP x86_64 GNU/Linux\n")
        elif args and args[0] == "-r":
            await self.s.out(self.kernel() + "\n")
        else:
            await self.s.out("Linux\n")
        return 0

    def kernel(self):
        node = self.s.emulator.stored(self.s.emulator.builtin["nodes"], None, self.s.pod["spec"].get("nodeName", ""))
        return ((node.raw.get("status") or {}).get("nodeInfo") or {}).get("kernelVersion") if node else \
            "6.1.119-129.201.amzn2023.x86_64"

    async def cmd_true(self, args):
        return 0

    async def cmd_false(self, args):
        return 1

    async def cmd_sleep(self, args):
        try:
            await asyncio.sleep(min(float(args[0]) if args else 0, 30))
        except ValueError:
            await self.s.err(f"sleep: invalid number '{args[0]}'\n")
            return 1
        return 0

    async def cmd_stty(self, args):
        if not self.s.tty:
            await self.s.err("stty: standard input: Not a tty\n")
            return 1
        if args and args[0] == "size":
            rows, cols = self.s.size or (0, 0)
            await self.s.out(f"{rows} {cols}\n")
        return 0

    def files(self):
        pod, status = self.s.pod, self.s.pod.get("status") or {}
        ip = status.get("podIP", "")
        return {
            "/etc/hostname": self.pod_name + "\n",
            "/etc/hosts": "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
                          "ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\n"
                          f"fe00::2\tip6-allrouters\n{ip}\t{self.pod_name}\n",
            "/etc/resolv.conf": f"search {self.namespace}.svc.cluster.local svc.cluster.local cluster.local "
                                "ec2.internal\nnameserver 172.20.0.10\noptions ndots:5\n",
            "/var/run/secrets/kubernetes.io/serviceaccount/namespace": self.namespace,
        }

    async def cmd_cat(self, args):
        if not args or args == ["-"]:
            while self.s.stdin_on:  # copies stdin to stdout until stdin closes
                data = await self.s.input.get()
                if data is None:
                    return 0
                await self.s.out(data)
        code = 0
        files = self.files()
        for a in args:
            path = normalize(a if a.startswith("/") else self.cwd.rstrip("/") + "/" + a)
            if path in files:
                await self.s.out(files[path])
            elif path in DIRS:
                await self.s.err(f"cat: read error: Is a directory\n")
                code = 1
            else:
                await self.s.err(f"cat: can't open '{a}': No such file or directory\n")
                code = 1
        return code

    async def cmd_ls(self, args):
        target = normalize(next((a for a in args if not a.startswith("-")), self.cwd))
        if not target.startswith("/"):
            target = normalize(self.cwd.rstrip("/") + "/" + target)
        if target not in DIRS and target not in self.files():
            await self.s.err(f"ls: {target}: No such file or directory\n")
            return 1
        if target in self.files():
            await self.s.out(target + "\n")
            return 0
        prefix = target.rstrip("/") + "/"
        names = sorted({p[len(prefix):].split("/")[0] for p in list(DIRS) + list(self.files())
                        if p.startswith(prefix) and p != target})
        await self.s.out("".join(n + "\n" for n in names))
        return 0


def normalize(path):
    parts = []
    for p in path.split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            if parts:
                parts.pop()
            continue
        parts.append(p)
    return "/" + "/".join(parts)


def env_name(name):
    return name.upper().replace("-", "_")


def service_env(service):
    """kubelet's envvars.FromServices for one service."""
    spec = service.get("spec") or {}
    ip, ports = spec.get("clusterIP"), spec.get("ports") or []
    if not ip or ip == "None" or not ports:
        return []
    prefix = env_name(service["metadata"]["name"])
    out = [(prefix + "_SERVICE_HOST", ip), (prefix + "_SERVICE_PORT", str(ports[0]["port"]))]
    out += [(f"{prefix}_SERVICE_PORT_{env_name(p['name'])}", str(p["port"])) for p in ports if p.get("name")]
    for i, p in enumerate(ports):
        proto = (p.get("protocol") or "TCP")
        host = f"[{ip}]:{p['port']}" if ":" in ip else f"{ip}:{p['port']}"
        if i == 0:
            out.append((prefix + "_PORT", f"{proto.lower()}://{host}"))
        pp = f"{prefix}_PORT_{p['port']}_{proto.upper()}"
        out += [(pp, f"{proto.lower()}://{host}"), (pp + "_PROTO", proto.lower()), (pp + "_PORT", str(p["port"])),
                (pp + "_ADDR", ip)]
    return out


def environment(emulator, pod, container, tty):
    """The container's environment: the image's PATH, HOSTNAME, the container's env (values and the
    fieldRef / configMapKeyRef / secretKeyRef it can resolve), the service links, HOME."""
    spec = pod.get("spec") or {}
    meta = pod["metadata"]
    env = {"PATH": PATH, "HOSTNAME": meta["name"]}
    if tty:
        env["TERM"] = "xterm"
    c = next((c for c in spec.get("containers") or [] if c.get("name") == container), {})
    for item in c.get("env") or []:
        value = item.get("value")
        source = item.get("valueFrom") or {}
        if value is None and source.get("fieldRef"):
            path = source["fieldRef"].get("fieldPath", "")
            value = {"metadata.name": meta["name"], "metadata.namespace": meta.get("namespace", ""),
                     "metadata.uid": meta.get("uid", ""), "spec.nodeName": spec.get("nodeName", ""),
                     "spec.serviceAccountName": spec.get("serviceAccountName", ""),
                     "status.podIP": (pod.get("status") or {}).get("podIP", ""),
                     "status.hostIP": (pod.get("status") or {}).get("hostIP", "")}.get(path, "")
        for kind, plural, decode in (("configMapKeyRef", "configmaps", False), ("secretKeyRef", "secrets", True)):
            ref = source.get(kind)
            if value is None and ref:
                obj = emulator.stored(emulator.builtin[plural], meta.get("namespace"), ref.get("name", ""))
                data = (obj.raw.get("data") or {}) if obj else {}
                if ref.get("key") in data:
                    value = data[ref["key"]]
                    if decode:
                        value = base64.b64decode(value).decode(errors="replace")
        env[item["name"]] = value if value is not None else ""
    services = []
    kubernetes = emulator.stored(emulator.builtin["services"], "default", "kubernetes")
    if kubernetes is not None:
        services.append(kubernetes.raw)
    if spec.get("enableServiceLinks", True):
        for e in emulator.entries(emulator.builtin["services"], meta.get("namespace")):
            if e[2] is not None and not (meta.get("namespace") == "default" and e[1] == "kubernetes"):
                services.append(e[2])
    for svc in services:
        for k, v in service_env(svc):
            env.setdefault(k, v)
    env.setdefault("HOME", "/root")
    return env


# ------------------------------------------------------------------------------------ port-forward
async def portforward(emulator, request, raw, pod, ApiError):
    name = pod["metadata"]["name"]
    ports = []
    for value in raw.query.getall("ports", []):
        for p in value.split(","):
            try:
                port = int(p)
                if not 0 <= port <= 65535:
                    raise ValueError
            except ValueError:
                raise ApiError(400, f'cannot convert to []int32: strconv.ParseUint: parsing "{p}": '
                                    + ("value out of range" if p.strip().isdigit() else "invalid syntax"))
            ports.append(port)
    if not (pod.get("spec") or {}).get("nodeName"):
        raise ApiError(400, f"pod {name} does not have a host assigned")
    if not is_websocket(raw):
        raise ApiError(400, "Upgrade request required")
    # The kubelet, in its order: the ports, the pod's sandbox, then the WebSocket handshake.
    if not ports:
        return text_error(400, 'query parameter "port" is required')
    for p in ports:
        if p < 1:
            return text_error(400, f'port "{p}" must be > 0')
    if (pod.get("status") or {}).get("phase") != "Running":
        return text_error(500, f'pod not found ("{name}_{pod["metadata"].get("namespace", "")}")')
    offered = offered_protocols(raw)
    protocol = next((p for p in offered if p in PORTFORWARD_PROTOCOLS), None if offered else "")
    if protocol is None:
        return forbidden_handshake()
    ws = aiohttp.web.WebSocketResponse(protocols=(protocol,) if protocol else (), max_msg_size=0)
    await ws.prepare(raw)
    ch = Channels(ws, protocol)
    try:
        for i, port in enumerate(ports):
            prefix = port.to_bytes(2, "little")
            await ch.send(2 * i, prefix)
            await ch.send(2 * i + 1, prefix)
        async for msg in ws:
            frame = ch.decode(msg)
            if frame is None:
                continue
            channel, data = frame
            if channel < 2 * len(ports) and channel % 2 == 0 and data:
                await ch.send(channel, data)  # nothing listens in the pod: the emulator echoes
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        if not ws.closed:
            await ws.close()
    return ws
