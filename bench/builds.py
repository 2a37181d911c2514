#!/usr/bin/env python3
"""Builds compared in one run (bench/builds.sh): for each build, `initialized` -> first
`publishDiagnostics` of a cold server (the probe cache removed first) and of one with the cache
off, in bench/lsp.py's empty world (the profile only puts Go on PATH, the workspace pins another
Go for VS Code), and the server's own CPU time by that publish (the `schedstat` of its threads
still alive then). RUNS rounds; each round runs the baselines, then every build in turn, the
order reversed every other round. Medians. Each build after the first is also compared with the
first: the difference of their cold medians, with a 90% interval from resampling whole rounds
(both builds ran in each round), so that a change smaller than this machine's noise reads as
such.
"""
import glob
import os
import random
import shutil
import statistics
import sys

GOROOT_122, GOROOT_121, BASH = sys.argv[1:4]
BUILDS = sys.argv[4:]
RUNS = int(os.environ.get("RUNS", "31"))
# bench/lsp.py reads its binary and toolchains from the command line.
sys.argv = [sys.argv[0], BUILDS[0], GOROOT_122, GOROOT_121, BASH]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lsp  # noqa: E402


def cpu_ms(pid):
    """CPU time of the process's live threads, in ms (ns precision, unlike /proc/PID/stat)."""
    total = 0
    for task in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(task) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that ended meanwhile
    return total / 1e6


def first_diagnostics(binary, env, ws, user):
    lsp.BIN = binary
    s = lsp.Server(env, ws)
    try:
        t0 = s.initialize(ws, user)
        t, _ = s.wait(lsp.is_publish())
        return t - t0, cpu_ms(s.p.pid)
    finally:
        s.close()


def difference_interval(a, b, draws=2000):
    """90% bootstrap interval of median(b) - median(a), in ms; a[i] and b[i] ran in round i."""
    rng = random.Random(31)
    n = len(a)
    diffs = []
    for _ in range(draws):
        pick = [rng.randrange(n) for _ in range(n)]
        diffs.append(statistics.median([b[i] for i in pick]) - statistics.median([a[i] for i in pick]))
    diffs.sort()
    return diffs[int(0.05 * draws)] * 1000, diffs[int(0.95 * draws) - 1] * 1000


def main():
    root, ws, _settings, user, env = lsp.world()
    env = dict(env)
    env.pop("GO_ENV_DOCTOR_PROBE_CACHE", None)
    off_env = dict(env, GO_ENV_DOCTOR_PROBE_CACHE="off")
    cache = os.path.join(env["HOME"], ".cache/go-env-doctor/probes")
    go_env = dict(env, PATH=f"{GOROOT_122}/bin:/usr/bin:/bin")
    base_go, base_shell = [], []
    cold = {b: [] for b in BUILDS}
    off = {b: [] for b in BUILDS}
    cpu = {b: [] for b in BUILDS}
    for i in range(RUNS):
        base_go.append(lsp.time_cmd([f"{GOROOT_122}/bin/go", "env", "-json"], go_env, ws))
        base_shell.append(lsp.time_cmd([BASH, "-ilc", "go env -json"], env, ws))
        for b in BUILDS if i % 2 == 0 else BUILDS[::-1]:
            off[b].append(first_diagnostics(b, off_env, ws, user)[0])
            shutil.rmtree(cache, ignore_errors=True)
            t, c = first_diagnostics(b, env, ws, user)
            cold[b].append(t)
            cpu[b].append(c)
    shutil.rmtree(root, ignore_errors=True)
    med = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    slower = max(med(base_go), med(base_shell))
    print(f"go env -json {med(base_go):.2f} ms, bash -ilc 'go env -json' {med(base_shell):.2f} ms"
          f" ({RUNS} rounds)")
    print(f"{'build':<40} {'cold':>9} {'cache off':>10} {'cold/slower':>12} {'cold/off':>9}"
          f" {'server CPU':>11}")
    names = {}
    for b in BUILDS:
        # A revision's build is named by the revision.
        parent = os.path.dirname(b)
        names[b] = (os.path.basename(parent) if os.path.basename(os.path.dirname(parent))
                    == "bench-builds" else os.path.relpath(b))
        print(f"{names[b]:<40} {med(cold[b]):7.2f}ms {med(off[b]):8.2f}ms"
              f" {med(cold[b]) / slower:12.3f} {med(cold[b]) / med(off[b]):9.3f}"
              f" {statistics.median(cpu[b]):9.2f}ms")
    first = BUILDS[0]
    for b in BUILDS[1:]:
        lo, hi = difference_interval(cold[first], cold[b])
        print(f"cold, {names[b]} - {names[first]}: {med(cold[b]) - med(cold[first]):+.2f} ms"
              f" (90% {lo:+.2f} to {hi:+.2f} ms)")


if __name__ == "__main__":
    main()
