#!/usr/bin/env python3
"""Probe-cache benchmark for `go-env-doctor serve` (issue 15). Run via bench/probe_cache.sh.

For each world, RUNS rounds, each interleaving (so machine noise hits all alike):
  - baselines: `go env -json` and `bash -ilc 'go env -json'` (the shell probe);
  - cold: the cache directory removed, a fresh server: initialized -> first publishDiagnostics;
  - warm: a fresh server with the cache the cold one wrote: initialized -> first diagnostics
    (nothing changed, so it publishes the last answer the cache keeps);
  - warm, probes only: the same after rewriting .vscode/settings.json with its own text (a new
    mtime: the kept answer no longer applies, the cached probes still do, so the server checks
    with them before its login shell is back);
  - cache off (GO_ENV_DOCTOR_PROBE_CACHE=off): a fresh server as before the cache existed.
Worlds: "heavy" (a ~/.bashrc sourcing real bash-completion files until the login shell takes
about PROFILE_SECONDS) and "empty" (the profile only puts Go on PATH). Ratios use medians.
Targets: heavy warm <= 0.05 x shell probe, heavy cold <= 1.10 x shell probe; empty cold <=
1.15 x the slower baseline, empty warm <= 0.5 x. The verdict reads the ratio of the medians;
next to it, a 90% interval from resampling the rounds (the same rounds for numerator and
baseline, as they ran interleaved): how far this machine's noise could move that ratio.
"""
import glob
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lsp  # noqa: E402  (the LSP client of bench/lsp.py; same argv)

BIN, GOROOT_122, GOROOT_121, BASH = sys.argv[1:5]
RUNS = int(os.environ.get("RUNS", "7"))
PROFILE_SECONDS = float(os.environ.get("PROFILE_SECONDS", "1.0"))
COMPLETIONS = "/usr/share/bash-completion/completions"


def heavy_bashrc(home, passes):
    """A ~/.bashrc doing real work: sourcing every completion file `passes` times (function
    definitions, `complete` registrations), as a large interactive setup does."""
    files = sorted(f for f in glob.glob(os.path.join(COMPLETIONS, "*")) if os.path.isfile(f))
    with open(os.path.join(home, ".bashrc"), "w") as f:
        f.write("__ged_files=(\n")
        for p in files:
            f.write(f"  '{p}'\n")
        f.write(")\n")
        f.write(f"for __ged_i in $(seq {passes}); do\n")
        f.write('  for __ged_f in "${__ged_files[@]}"; do . "$__ged_f"; done\n')
        f.write("done 2>/dev/null\n")
        f.write("unset __ged_i __ged_f __ged_files\n")


def world(kind):
    root, ws, settings, user, env = lsp.world()
    home = env["HOME"]
    profile = os.path.join(home, ".bash_profile")
    with open(profile, "a") as f:
        if kind == "heavy":
            f.write("[ -f ~/.bashrc ] && . ~/.bashrc\n")
    env = dict(env)
    env.pop("GO_ENV_DOCTOR_PROBE_CACHE", None)
    if kind == "heavy":
        # Calibrate: one pass, then as many as make PROFILE_SECONDS.
        heavy_bashrc(home, 1)
        one = min(lsp.time_cmd([BASH, "-ilc", "true"], env, ws) for _ in range(3))
        passes = max(1, round(PROFILE_SECONDS / max(one, 0.01)))
        heavy_bashrc(home, passes)
    return root, ws, user, env


def first_diagnostics(env, ws, user):
    s = lsp.Server(env, ws)
    try:
        t0 = s.initialize(ws, user)
        t, _ = s.wait(lsp.is_publish())
        return t - t0
    finally:
        s.close()


def measure(kind):
    root, ws, user, env = world(kind)
    cache = os.path.join(env["HOME"], ".cache/go-env-doctor/probes")
    go = os.path.join(GOROOT_122, "bin/go")
    go_env = dict(env, PATH=f"{GOROOT_122}/bin:/usr/bin:/bin")
    base_go, base_shell, off, cold, warm, probes_only = [], [], [], [], [], []
    settings = os.path.join(ws, ".vscode/settings.json")
    for _ in range(RUNS):
        base_go.append(lsp.time_cmd([go, "env", "-json"], go_env, ws))
        base_shell.append(lsp.time_cmd([BASH, "-ilc", "go env -json"], env, ws))
        off.append(first_diagnostics(dict(env, GO_ENV_DOCTOR_PROBE_CACHE="off"), ws, user))
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(first_diagnostics(env, ws, user))
        if not glob.glob(os.path.join(cache, "*.json")):
            raise SystemExit(f"{kind}: the cold server wrote no cache in {cache}")
        warm.append(first_diagnostics(env, ws, user))
        with open(settings) as f:
            text = f.read()
        time.sleep(0.01)  # a new mtime even on coarse-grained filesystems
        with open(settings, "w") as f:
            f.write(text)
        probes_only.append(first_diagnostics(env, ws, user))
    shutil.rmtree(root, ignore_errors=True)
    return base_go, base_shell, off, cold, warm, probes_only


def med(xs):
    return statistics.median(xs) * 1000


def interval(num, *baselines, draws=2000):
    """90% bootstrap interval of median(num) / max(median(b) for b in baselines), resampling
    whole rounds (index i of every list ran in the same round)."""
    n = len(num)
    rng = random.Random(15)
    ratios = []
    for _ in range(draws):
        pick = [rng.randrange(n) for _ in range(n)]
        at = lambda xs: [xs[i] for i in pick]  # noqa: E731
        ratios.append(statistics.median(at(num)) / max(statistics.median(at(b)) for b in baselines))
    ratios.sort()
    return ratios[int(0.05 * draws)], ratios[int(0.95 * draws) - 1]


def main():
    ok = True
    print(f"{'world':<7} {'go env -json':>13} {'bash -ilc go env':>17} {'cache off':>10} "
          f"{'cold':>9} {'warm':>9} {'probes only':>12}")
    rows, rounds = {}, {}
    for kind in ("heavy", "empty"):
        rounds[kind] = measure(kind)
        rows[kind] = tuple(med(xs) for xs in rounds[kind])
        g, sh, o, c, w, p = rows[kind]
        print(f"{kind:<7} {g:>11.1f}ms {sh:>15.1f}ms {o:>8.1f}ms {c:>7.1f}ms {w:>7.1f}ms "
              f"{p:>10.1f}ms")
    print()
    for kind in ("heavy", "empty"):
        g, sh, o, c, w, p = rows[kind]
        print(f"  {kind + ' cold / cache off':<30} {c / o:6.3f} (what tracing and writing cost)")
        print(f"  {kind + ' probes only / cache off':<30} {p / o:6.3f} (no target: the answer "
              "did not apply)")
    g, sh, o, c, w, p = rows["heavy"]
    hg, hsh, _, hc, hw, _ = rounds["heavy"]
    checks = [
        ("heavy warm / shell probe", w / sh, 0.05, interval(hw, hsh)),
        ("heavy cold / shell probe", c / sh, 1.10, interval(hc, hsh)),
    ]
    g, sh, o, c, w, p = rows["empty"]
    eg, esh, _, ec, ew, _ = rounds["empty"]
    slower = max(g, sh)
    checks += [
        ("empty cold / slower baseline", c / slower, 1.15, interval(ec, eg, esh)),
        ("empty warm / slower baseline", w / slower, 0.5, interval(ew, eg, esh)),
    ]
    for label, ratio, target, (lo, hi) in checks:
        verdict = "OK" if ratio <= target else "OVER TARGET"
        ok = ok and ratio <= target
        print(f"  {label:<30} {ratio:6.3f} (90% {lo:.3f}-{hi:.3f}; target <= {target}) {verdict}")
    print()
    print("bench: all ratios within target" if ok else "bench: a ratio exceeds the target")


if __name__ == "__main__":
    main()
