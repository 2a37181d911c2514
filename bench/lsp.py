#!/usr/bin/env python3
"""LSP benchmark for `go-env-doctor serve` over stdio (the performance targets in bench/README.md). Run via bench/lsp.sh.

Measures, in one run, on a temp world (HOME whose ~/.bash_profile puts the real Go 1.22.10
first on PATH; a workspace whose .vscode/settings.json pins Go 1.21.13):
  1. initialized -> first publishDiagnostics (median of RUNS fresh servers), against the slower
     of {`go env -json`, `bash -ilc 'go env -json'`} (median of RUNS each);
  2. re-diagnose latency after a settings didChange: time from writing the didChange to the
     publishDiagnostics of that document version (median over EDITS edits); processes spawned
     meanwhile, counted two ways: the server's reaped-children fault counter (cminflt,
     /proc/PID/stat field 11; any child that ran and was reaped raises it) and `strace -f`
     attached for a second batch of edits, counting execve/fork/vfork and non-thread clones;
  3. idle RSS (VmRSS) and CPU ticks over IDLE seconds of idleness;
  4. release binary size.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import queue

BIN, GOROOT_122, GOROOT_121, BASH = sys.argv[1:5]
RUNS = int(os.environ.get("RUNS", "10"))
EDITS = int(os.environ.get("EDITS", "60"))
IDLE = float(os.environ.get("IDLE", "3"))


def world():
    root = os.path.realpath(tempfile.mkdtemp(prefix="ged-lspbench-"))
    home = os.path.join(root, "home")
    ws = os.path.join(root, "ws")
    os.makedirs(os.path.join(home, ".config/go"))
    os.makedirs(os.path.join(ws, ".vscode"))
    with open(os.path.join(home, ".bash_profile"), "w") as f:
        f.write(f'export PATH="{GOROOT_122}/bin:$PATH"\n')
    with open(os.path.join(home, ".config/go/env"), "w") as f:
        f.write("")
    with open(os.path.join(ws, "go.mod"), "w") as f:
        f.write("module example.com/bench\n\ngo 1.21\n")
    settings = os.path.join(ws, ".vscode/settings.json")
    with open(settings, "w") as f:
        f.write('{\n  // pinned\n  "go.goroot": "%s"\n}\n' % GOROOT_121)
    user = os.path.join(root, "user-settings.json")
    with open(user, "w") as f:
        f.write("{}\n")
    # The persistent probe cache off: every server here measures a first probe (the cache has
    # its own benchmark, bench/probe_cache.py, which turns it back on).
    env = {"HOME": home, "PATH": "/usr/bin:/bin", "SHELL": BASH, "RUST_LOG": "off",
           "GO_ENV_DOCTOR_PROBE_CACHE": "off"}
    return root, ws, settings, user, env


def median_ms(xs):
    return statistics.median(xs) * 1000


class Server:
    def __init__(self, env, ws):
        self.p = subprocess.Popen(
            [BIN, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env, cwd=ws)
        self.q = queue.Queue()
        self.id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.p.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = out.read(length)
            self.q.put((time.perf_counter(), json.loads(body)))

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        self.id += 1
        rid = self.id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == rid and "method" not in m)[1]

    def wait(self, pred, timeout=120):
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no matching message")
            t, m = self.q.get(timeout=left)
            if "method" in m and "id" in m:  # a server request: answer null
                self.send({"jsonrpc": "2.0", "id": m["id"], "result": None})
                continue
            if pred(m):
                return t, m

    def initialize(self, ws, user):
        uri = "file://" + ws
        self.request("initialize", {
            "processId": os.getpid(), "rootUri": uri,
            "workspaceFolders": [{"uri": uri, "name": "ws"}],
            "capabilities": {"general": {"positionEncodings": ["utf-16"]},
                             "workspace": {"workspaceEdit": {"documentChanges": True}}},
            "initializationOptions": {"shell": BASH, "shellTimeoutSeconds": 30,
                                      "trusted": True, "userSettings": user},
        })
        t0 = time.perf_counter()
        self.notify("initialized", {})
        return t0

    def close(self):
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.p.wait(timeout=10)
        except Exception:
            self.p.kill()


def is_publish(uri=None, version=None):
    def pred(m):
        if m.get("method") != "textDocument/publishDiagnostics":
            return False
        if uri and m["params"]["uri"] != uri:
            return False
        if version is not None and m["params"].get("version") != version:
            return False
        return True
    return pred


def proc_stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    # fields from 3 on: cminflt = field 11, utime/stime = 14/15
    return {"cminflt": int(rest[8]), "cpu": int(rest[11]) + int(rest[12])}


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def time_cmd(argv, env, cwd):
    t = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def main():
    root, ws, settings, user, env = world()
    go = os.path.join(GOROOT_122, "bin/go")
    go_env = dict(env, PATH=f"{GOROOT_122}/bin:/usr/bin:/bin")
    # 1. baselines and first diagnostics, interleaved so that machine noise hits both alike.
    base_go, base_shell, first = [], [], []
    for _ in range(RUNS):
        base_go.append(time_cmd([go, "env", "-json"], go_env, ws))
        base_shell.append(time_cmd([BASH, "-ilc", "go env -json"], env, ws))
        s = Server(env, ws)
        t0 = s.initialize(ws, user)
        t1, _ = s.wait(is_publish())
        first.append(t1 - t0)
        s.close()
    slower = max(median_ms(base_go), median_ms(base_shell))
    print(f"go env -json                      median {median_ms(base_go):8.1f} ms")
    print(f"bash -ilc 'go env -json'          median {median_ms(base_shell):8.1f} ms")
    print(f"initialized -> first diagnostics  median {median_ms(first):8.1f} ms"
          f"   ratio {median_ms(first) / slower:.2f}x the slower baseline (target <= 1.25x)")

    # 2. settings edits
    s = Server(env, ws)
    s.initialize(ws, user)
    uri = "file://" + settings
    s.wait(is_publish(uri))
    with open(settings) as f:
        text = f.read()
    s.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "jsonc", "version": 1, "text": text}})
    s.wait(is_publish(uri, 1))
    time.sleep(0.5)
    pid = s.p.pid
    before = proc_stat(pid)
    version = 1
    lat = []

    def edit():
        nonlocal version
        version += 1
        # Type one character into the comment on line 1 (an incremental change).
        t = time.perf_counter()
        s.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": 1, "character": 11},
                                          "end": {"line": 1, "character": 11}},
                                "text": "x"}]})
        t1, m = s.wait(is_publish(uri, version))
        assert any(d.get("code") == "goroot-mismatch" for d in m["params"]["diagnostics"])
        return t1 - t

    for _ in range(EDITS):
        lat.append(edit())
    after = proc_stat(pid)
    spawned_faults = after["cminflt"] - before["cminflt"]
    print(f"settings didChange -> diagnostics median {median_ms(lat):6.2f} ms, "
          f"p90 {sorted(lat)[int(len(lat) * 0.9)] * 1000:6.2f} ms over {EDITS} edits (target <= 5 ms)")
    print(f"  processes: reaped-children fault counter (cminflt) delta = {spawned_faults} "
          f"(0 means no child ran)")
    if shutil.which("strace"):
        log = os.path.join(root, "strace.log")
        tr = subprocess.Popen(["strace", "-f", "-qq", "-p", str(pid), "-o", log,
                               "-e", "trace=execve,fork,vfork,clone,clone3"],
                              stderr=subprocess.DEVNULL)
        time.sleep(1.0)  # attached
        for _ in range(EDITS):
            edit()
        time.sleep(0.2)
        tr.terminate()
        tr.wait()
        with open(log) as f:
            lines = [l for l in f if not l.startswith("---") and "resumed>" not in l]
        spawns = [l for l in lines if "execve(" in l or "fork(" in l
                  or (("clone(" in l or "clone3(" in l) and "CLONE_THREAD" not in l)]
        threads = [l for l in lines if "CLONE_THREAD" in l]
        print(f"  processes: strace -f during {EDITS} more edits: {len(spawns)} spawned "
              f"(execve/fork/vfork/non-thread clone); {len(threads)} threads started")
    else:
        print("  processes: strace not installed; only the fault counter above")

    # 3. idle
    time.sleep(IDLE / 2)
    c0 = proc_stat(pid)["cpu"]
    time.sleep(IDLE)
    c1 = proc_stat(pid)["cpu"]
    rss = vm_rss_kib(pid)
    print(f"idle: VmRSS {rss / 1024:.1f} MiB (target <= 15 MB), CPU {c1 - c0} ticks in {IDLE:.0f} s")
    s.close()
    # 4. size
    size = os.path.getsize(BIN)
    print(f"release binary: {size / 1e6:.2f} MB ({size} bytes; target <= 10 MB)")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
