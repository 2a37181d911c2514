#!/usr/bin/env python3
"""LSP half of the monorepo benchmark (run by bench/monorepo.sh; see bench/README.md).

    python3 bench/monorepo_lsp.py BIN GOROOT_122 BASH MONOREPO HOME USER_SETTINGS OUT_JSON

`go-env-doctor serve` with MONOREPO (from bench/monorepo_gen.py) as its workspace folder,
in the same world as bench/lsp.py: a HOME whose ~/.bash_profile puts the real Go 1.22.10 first
on PATH (the server always probes the login shell; there is no --no-shell for serve), the
same Go first on the server's own PATH, GOTOOLCHAIN=local, RUST_LOG=off. Measures:

  a. `initialized` -> first publishDiagnostics, RUNS fresh servers, each right after the
     probes alone: `go env -json` and `bash -ilc 'go env -json'` in the same env and folder;
  b. didOpen of svc/500/go.mod, then EDITS didChange edits flipping its `go` line between
     1.21 (healthy) and 1.99.0 (an error with GOTOOLCHAIN=local): didChange -> the first
     publishDiagnostics (any URI) carrying the expected change; every 1.99.0 edit must produce
     an error diagnostic naming svc/500 and every 1.21 edit must clear it (else exit 2);
  c. VmRSS / VmHWM of the server after the initial diagnostics and after the edits.

Writes every figure (and every sample) to OUT_JSON; prints a short log on stderr.
"""
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import queue

BIN, GOROOT_122, BASH, MONO, HOME, USER_SETTINGS, OUT = sys.argv[1:8]
BIN = os.path.abspath(BIN)
RUNS = int(os.environ.get("LSP_RUNS", "5"))
EDITS = int(os.environ.get("EDITS", "60"))
EDIT_MODULE = os.environ.get("EDIT_MODULE", "svc/500")
BAD_CODES = {"toolchain-too-old", "gowork-go-too-low"}
ERROR = 1  # DiagnosticSeverity.Error


def log(msg):
    print(f"[bench/monorepo-lsp] {msg}", file=sys.stderr, flush=True)


class Broken(Exception):
    """The run is broken (crash, timeout, wrong diagnostics): exit non-zero."""


class Server:
    """A stdio LSP client (adapted from bench/lsp.py)."""

    def __init__(self, env, cwd, stderr=None):
        self.p = subprocess.Popen(
            [BIN, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=stderr if stderr is not None else subprocess.DEVNULL, env=env, cwd=cwd)
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
                    self.q.put((time.perf_counter(), None))  # EOF: the server is gone
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

    def wait(self, pred, timeout=60, on_message=None):
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise Broken("timed out waiting for the server")
            try:
                t, m = self.q.get(timeout=left)
            except queue.Empty:
                raise Broken("timed out waiting for the server") from None
            if m is None:
                raise Broken(f"the server's output ended (exit status {self.p.poll()})")
            if "method" in m and "id" in m:  # a server request: answer null
                self.send({"jsonrpc": "2.0", "id": m["id"], "result": None})
                continue
            if on_message:
                on_message(t, m)
            if pred(m):
                return t, m

    def initialize(self, folder):
        uri = "file://" + folder
        self.request("initialize", {
            "processId": os.getpid(), "rootUri": uri,
            "clientInfo": {"name": "Visual Studio Code"},
            "workspaceFolders": [{"uri": uri, "name": os.path.basename(folder)}],
            "capabilities": {"general": {"positionEncodings": ["utf-16"]},
                             "workspace": {"workspaceEdit": {"documentChanges": True}}},
            "initializationOptions": {"shell": BASH, "shellTimeoutSeconds": 30,
                                      "trusted": True, "userSettings": USER_SETTINGS},
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
            self.p.wait()


def is_publish(m):
    return m.get("method") == "textDocument/publishDiagnostics"


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])  # KiB
    return out


def time_cmd(argv, env, cwd):
    t = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def ms(x):
    return round(x * 1000, 3)


def pctl(xs, p):
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * p))]


def settle(s, track, quiet=0.05, limit=5.0):
    """Drain messages until none arrived for `quiet` seconds."""
    end = time.perf_counter() + limit
    while time.perf_counter() < end:
        try:
            t, m = s.q.get(timeout=quiet)
        except queue.Empty:
            return
        if m is None:
            raise Broken(f"the server's output ended (exit status {s.p.poll()})")
        if "method" in m and "id" in m:
            s.send({"jsonrpc": "2.0", "id": m["id"], "result": None})
            continue
        track(t, m)


def set_go_line(path, line):
    with open(path) as f:
        lines = f.read().split("\n")
    i = next(i for i, l in enumerate(lines) if l.startswith("go "))
    old = lines[i]
    lines[i] = line
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return old


def debug_run(env, gomod, uri, healthy, n_edits=6):
    """One more server with RUST_LOG=go_env_doctor=debug: the server's own account of where
    the time goes (walk, first check, each re-diagnose). Not part of the timed figures."""
    logpath = os.path.join(os.path.dirname(OUT), "monorepo-serve-debug.log")
    with open(logpath, "w") as errf:
        s = Server(dict(env, RUST_LOG="go_env_doctor=debug"), MONO, stderr=errf)
        try:
            s.initialize(MONO)
            deadline = time.perf_counter() + 60
            while "checked generation=1" not in open(logpath).read():
                if time.perf_counter() > deadline or s.p.poll() is not None:
                    raise Broken("debug run: no 'checked' log line")
                time.sleep(0.02)
            with open(gomod) as f:
                text = f.read()
            lines = text.split("\n")
            goline = next(i for i, l in enumerate(lines) if l.startswith("go "))
            s.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "go.mod", "version": 1, "text": text}})
            cur = healthy
            for k in range(n_edits):
                new = "go 1.99.0" if k % 2 == 0 else healthy
                s.notify("textDocument/didChange", {
                    "textDocument": {"uri": uri, "version": k + 2},
                    "contentChanges": [{"range": {"start": {"line": goline, "character": 0},
                                                  "end": {"line": goline, "character": len(cur)}},
                                        "text": new}]})
                cur = new
                time.sleep(1.5)
        finally:
            s.close()
    out = {"log": logpath, "walk_ms": [], "walk_dirs": [], "walk_modules": [],
           "first_check_ms": None, "rediagnose_ms": []}
    import re
    for line in open(logpath):
        if "workspace walked" in line:
            out["walk_ms"].append(int(re.search(r" ms=(\d+)", line).group(1)))
            out["walk_dirs"].append(int(re.search(r" dirs=(\d+)", line).group(1)))
            out["walk_modules"].append(int(re.search(r" modules=(\d+)", line).group(1)))
        elif "checked generation=1 " in line and out["first_check_ms"] is None:
            v = re.search(r"millis=([\d.]+)(µs|us|ms|s)", line)
            if v:
                scale = {"µs": 0.001, "us": 0.001, "ms": 1, "s": 1000}[v.group(2)]
                out["first_check_ms"] = round(float(v.group(1)) * scale, 3)
        elif "re-diagnosed" in line:
            v = re.search(r"micros=(\d+)", line)
            if v:
                out["rediagnose_ms"].append(int(v.group(1)) / 1000)
    return out


def main():
    env = {"HOME": HOME, "PATH": f"{GOROOT_122}/bin:/usr/bin:/bin", "SHELL": BASH,
           "GOTOOLCHAIN": "local", "GO_ENV_DOCTOR_USER_SETTINGS": USER_SETTINGS,
           "NO_COLOR": "1", "RUST_LOG": "off"}
    go = os.path.join(GOROOT_122, "bin/go")
    gomod = os.path.join(MONO, EDIT_MODULE, "go.mod")
    uri = "file://" + gomod
    res = {"runs": RUNS, "edits": EDITS, "edit_module": EDIT_MODULE}

    def names_module(d):
        blob = json.dumps(d)
        return EDIT_MODULE in blob or gomod in blob

    def module_errors(m):
        return [d for d in m["params"]["diagnostics"]
                if d.get("severity") == ERROR and d.get("code") in BAD_CODES and names_module(d)]

    # a. first diagnostics, each server right after the probes alone. A healthy workspace
    # publishes nothing, so for these runs EDIT_MODULE's go.mod says `go 1.99.0` on disk: the
    # first publish is its error (same walk, same 1,000 modules; restored afterwards).
    base_go, base_shell, first, first_uris = [], [], [], []
    healthy = set_go_line(gomod, "go 1.99.0")
    try:
        for i in range(RUNS):
            base_go.append(time_cmd([go, "env", "-json"], env, MONO))
            base_shell.append(time_cmd([BASH, "-ilc", "go env -json"], env, MONO))
            s = Server(env, MONO)
            try:
                t0 = s.initialize(MONO)
                t1, m = s.wait(is_publish)
                first.append(t1 - t0)
                first_uris.append(m["params"]["uri"])
                if not module_errors(m):
                    raise Broken(f"first publish has no error naming {EDIT_MODULE}: {json.dumps(m)[:500]}")
            finally:
                s.close()
            log(f"run {i + 1}/{RUNS}: go env -json {ms(base_go[-1])} ms, bash -ilc 'go env -json'"
                f" {ms(base_shell[-1])} ms, initialized -> first diagnostics {ms(first[-1])} ms")
    finally:
        set_go_line(gomod, healthy)
    res["go_env_ms"] = [ms(x) for x in base_go]
    res["shell_go_env_ms"] = [ms(x) for x in base_shell]
    res["first_diagnostics_ms"] = [ms(x) for x in first]
    res["first_publish_uris"] = sorted(set(first_uris))

    # b. + c. one server on the healthy workspace: RSS after the initial check, the edits, RSS.
    bad_uris = set()  # URIs whose latest publish carries an error naming EDIT_MODULE

    def track(_t, m):
        if is_publish(m):
            if module_errors(m):
                bad_uris.add(m["params"]["uri"])
            else:
                bad_uris.discard(m["params"]["uri"])

    s = Server(env, MONO)
    try:
        s.initialize(MONO)
        # Nothing is published for a healthy workspace: open the go.mod with `go 1.99.0` in
        # the buffer; its error's publish marks the end of the initial check + that re-check.
        text = open(gomod).read()
        lines = text.split("\n")
        goline = next(i for i, l in enumerate(lines) if l.startswith("go "))
        lines[goline] = "go 1.99.0"
        cur = "go 1.99.0"
        version = 1
        s.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "go.mod", "version": version, "text": "\n".join(lines)}})
        s.wait(lambda m: is_publish(m) and bool(module_errors(m)), on_message=track)
        settle(s, track, quiet=0.5)
        pid = s.p.pid
        res["rss_after_initial_kib"] = proc_status(pid)
        if not bad_uris:
            raise Broken("didOpen with go 1.99.0: no error published")

        lat_bad, lat_good, error_uris = [], [], set()
        for k in range(EDITS):
            bad = k % 2 == 1  # the buffer starts bad: heal first, then break, …
            new = "go 1.99.0" if bad else healthy
            version += 1
            had = set(bad_uris)
            t = time.perf_counter()
            s.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": goline, "character": 0},
                                              "end": {"line": goline, "character": len(cur)}},
                                    "text": new}]})
            cur = new
            if bad:
                def want(m):  # the first publish (any URI) with an error naming the module
                    return is_publish(m) and bool(bad_uris)
            else:
                def want(m):  # the first publish clearing a URI that had the error
                    return (is_publish(m) and m["params"]["uri"] in had
                            and m["params"]["uri"] not in bad_uris)
            try:
                t1, m = s.wait(want, timeout=30, on_message=track)
            except Broken as e:
                raise Broken(f"edit {k + 1} ({new!r}): no publish with the expected change: {e}") from None
            (lat_bad if bad else lat_good).append(t1 - t)
            settle(s, track)
            if bad and not bad_uris:
                raise Broken(f"edit {k + 1}: the 1.99.0 error did not stay published")
            if not bad and bad_uris:
                raise Broken(f"edit {k + 1}: an error is still published after the fix: {sorted(bad_uris)}")
            if bad:
                error_uris.update(bad_uris)
        if s.p.poll() is not None:
            raise Broken(f"the server exited ({s.p.returncode})")
        res["rss_after_edits_kib"] = proc_status(pid)
        res["edit_bad_ms"] = [ms(x) for x in lat_bad]
        res["edit_good_ms"] = [ms(x) for x in lat_good]
        res["edit_error_uris"] = sorted(error_uris)
    finally:
        s.close()
    log(f"{EDITS} edits: median {ms(statistics.median(lat_bad + lat_good))} ms")

    if os.environ.get("DEBUG_RUN", "1") == "1":
        res["debug_run"] = debug_run(env, gomod, uri, healthy)

    allx = lat_bad + lat_good
    res["summary"] = {
        "go_env_median_ms": ms(statistics.median(base_go)),
        "shell_go_env_median_ms": ms(statistics.median(base_shell)),
        "first_diagnostics_median_ms": ms(statistics.median(first)),
        "edit_median_ms": ms(statistics.median(allx)),
        "edit_p90_ms": ms(pctl(allx, 0.9)),
        "edit_bad_median_ms": ms(statistics.median(lat_bad)),
        "edit_good_median_ms": ms(statistics.median(lat_good)),
    }
    with open(OUT, "w") as f:
        json.dump(res, f, indent=1)
    log(f"results in {OUT}")


if __name__ == "__main__":
    try:
        main()
    except Broken as e:
        log(f"BROKEN: {e}")
        sys.exit(2)
