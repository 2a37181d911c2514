#!/usr/bin/env python3
"""What the empty-profile cold start cannot go below on this machine (bench/floor.sh).

bench/lsp.py's empty world (the profile only puts Go 1.22 on PATH; the workspace pins Go 1.21
for VS Code), and the processes a faithful check must run there, timed by themselves — no
server, no LSP:
  - baselines: `go env -json`, `bash -ilc 'go env -json'` (as bench/probe_cache.py);
  - the login shell as the check starts it (`bash -i -l -c '<helper> __print-env MARK
    REQUEST'`), the helper printing the environment and then running the shell side's `go env`,
    once with the small `go-env-doctor-helper` and once with the whole tool as the helper;
  - that shell and the VS Code view's `go env` (Go 1.21) started together, both awaited: the
    least a check with both sides can take here;
  - the bench client's own cost of an LSP round trip (a request the server answers at once),
    which bench/probe_cache.py's first-diagnostics figure includes and the baselines do not.
RUNS interleaved rounds; medians; ratios to the slower baseline.
"""
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lsp  # noqa: E402  (its world and client; same argv)

BIN, GOROOT_122, GOROOT_121, BASH = sys.argv[1:5]
HELPER = os.path.join(os.path.dirname(BIN), "go-env-doctor-helper")
RUNS = int(os.environ.get("RUNS", "41"))
# What the check asks `go env` for (facts::go::env_keys), read from the tool itself would need
# a subcommand; the list is short and the cost of `go env` does not depend on it.
KEYS = ("GOROOT GOPATH GOCACHE GOENV GOBIN GOFLAGS GOPROXY GONOPROXY GOSUMDB GONOSUMDB GOPRIVATE "
        "GOINSECURE GOTOOLCHAIN GOMODCACHE GOVERSION GOHOSTOS GOHOSTARCH GOOS GOARCH GOTOOLDIR "
        "GOMOD GOWORK GOEXE GO111MODULE GOTMPDIR GOTELEMETRY CGO_ENABLED CC CXX AR GOEXPERIMENT "
        "GOAMD64 GOARM64 GOARM GO386 GOFIPS140 GOAUTH GOVCS").split()


def request(ws):
    """The helper's request as facts::early_go::Request::encode writes it (hex of JSON)."""
    req = {"mark": secrets.token_hex(6), "folder": ws, "trusted": True, "strip": [],
           "deadline_ms": int(time.time() * 1000) + 30000, "skip": []}
    return json.dumps(req, separators=(",", ":")).encode().hex()


def shell(helper, env, ws):
    argv = [BASH, "-i", "-l", "-c", f"'{helper}' __print-env {secrets.token_hex(6)} {request(ws)}"]
    return subprocess.Popen(argv, env=env, cwd=ws, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def view_go(env, ws):
    go_env = dict(env, GOTOOLCHAIN="local")
    return subprocess.Popen([f"{GOROOT_121}/bin/go", "env", "-json", *KEYS], env=go_env, cwd=ws,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)


def waited(*procs):
    for p in procs:
        out = p.stdout.read()
        if p.wait() != 0 or not out:
            raise SystemExit(f"floor: {p.args[0]} failed ({p.returncode})")
    return out


def timed(start):
    t = time.perf_counter()
    out = waited(*start())
    return time.perf_counter() - t, out


def main():
    root, ws, _settings, user, env = lsp.world()
    go_env = dict(env, PATH=f"{GOROOT_122}/bin:/usr/bin:/bin")
    if not os.access(HELPER, os.X_OK):
        raise SystemExit(f"floor: no {HELPER} (cargo build --release -p go-env-doctor)")
    # The helper must have run `go` (its answer names the Go version), or this measures less.
    _, out = timed(lambda: [shell(HELPER, env, ws)])
    if b'"GOVERSION":"go1.22' not in out:
        raise SystemExit(f"floor: the helper did not run the shell's go: {out[-300:]!r}")
    rows = {k: [] for k in ("go", "shell", "chain", "chain_tool", "both", "rtt")}
    for _ in range(RUNS):
        rows["go"].append(lsp.time_cmd([f"{GOROOT_122}/bin/go", "env", "-json"], go_env, ws))
        rows["shell"].append(lsp.time_cmd([BASH, "-ilc", "go env -json"], env, ws))
        rows["chain"].append(timed(lambda: [shell(HELPER, env, ws)])[0])
        rows["chain_tool"].append(timed(lambda: [shell(BIN, env, ws)])[0])
        rows["both"].append(timed(lambda: [shell(HELPER, env, ws), view_go(env, ws)])[0])
        s = lsp.Server(dict(env, GO_ENV_DOCTOR_PROBE_CACHE="off"), ws)
        try:
            s.initialize(ws, user)
            s.wait(lsp.is_publish())  # idle again: its check is done
            t = time.perf_counter()
            s.send({"jsonrpc": "2.0", "id": 999, "method": "goEnvDoctor/noSuchRequest"})
            s.wait(lambda m: m.get("id") == 999)
            rows["rtt"].append(time.perf_counter() - t)
        finally:
            s.close()
    shutil.rmtree(root, ignore_errors=True)
    med = {k: statistics.median(v) * 1000 for k, v in rows.items()}
    slower = max(med["go"], med["shell"])
    print(f"go env -json {med['go']:.2f} ms, bash -ilc 'go env -json' {med['shell']:.2f} ms "
          f"({RUNS} rounds)")
    lines = [
        ("login shell, go-env-doctor-helper", med["chain"]),
        ("login shell, the tool as helper", med["chain_tool"]),
        ("that shell + the VS Code view's go", med["both"]),
        ("LSP round trip in the bench client", med["rtt"]),
    ]
    for label, ms in lines:
        print(f"  {label:<38} {ms:6.2f} ms  {ms / slower:6.3f} x slower baseline")
    floor = med["both"] + med["rtt"]
    print(f"  {'floor of a check (both + round trip)':<38} {floor:6.2f} ms  "
          f"{floor / slower:6.3f} x slower baseline")


if __name__ == "__main__":
    main()
