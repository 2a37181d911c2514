#!/usr/bin/env python3
"""Attribution benchmark (issue 11): what root-cause attribution costs. Run via bench/attribution.sh.

Two worlds, RUNS rounds each, interleaved so that machine noise hits all alike:
  - agree: the editor (the server's PATH, `check`'s own PATH) and the login bash run the same
    Go 1.22.10 (the go env file's GOPROXY=off gives both one finding, so the server publishes):
    attribution must cost nothing (it never runs);
  - differ: `.vscode/settings.json` pins Go 1.21.13 (the server), the terminal's PATH has Go
    1.21.13 (`check`), and the login bash's ~/.bashrc puts Go 1.22.10 first and exports GOPROXY:
    attribution traces the shell a second time.
Per world, with attribution on (the default) and off (GO_ENV_DOCTOR_ATTRIBUTION=off):
  - `go-env-doctor check --shell bash --format json` (wall time; 2 x RUNS each, back to back);
  - `go-env-doctor serve`: initialized -> first publishDiagnostics and, in `differ`, ->
    the publish that carries relatedInformation (the traced shell, after the first diagnostics).
Medians; the ratios on/off are the cost. Targets: every ratio in `agree` and the server's
first-diagnostics ratio in `differ` within noise of 1.0 (<= 1.10).
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lsp  # noqa: E402  (the LSP client of bench/lsp.py; same argv)

BIN, GOROOT_122, GOROOT_121, BASH = sys.argv[1:5]
RUNS = int(os.environ.get("RUNS", "9"))
OFF = {"GO_ENV_DOCTOR_ATTRIBUTION": "off"}


def world(kind):
    root, ws, settings, user, env = lsp.world()
    home = env["HOME"]
    with open(os.path.join(home, ".bash_profile"), "w") as f:
        f.write("[ -f ~/.bashrc ] && . ~/.bashrc\n")
    with open(os.path.join(home, ".bashrc"), "w") as f:
        f.write("# go\n")
        if kind == "differ":
            f.write("export GOPROXY=https://proxy.example.com\n")
        f.write(f'export PATH="{GOROOT_122}/bin:$PATH"\n')
    editor_go = GOROOT_122 if kind == "agree" else GOROOT_121
    if kind == "agree":
        with open(settings, "w") as f:
            f.write("{}\n")
        # One finding both sides share (so the server publishes something to time), which no
        # startup line explains: GOPROXY=off in the go env file.
        with open(os.path.join(home, ".config/go/env"), "w") as f:
            f.write("GOPROXY=off\n")
    env = dict(env, PATH=f"{editor_go}/bin:/usr/bin:/bin")
    return ws, user, env


def check(env, ws):
    argv = [BIN, "check", ws, "--format", "json", "--shell", BASH]
    t0 = time.perf_counter()
    subprocess.run(argv, env=env, cwd=ws, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def related(m):
    d = m.get("params", {}).get("diagnostics", [])
    return m.get("method") == "textDocument/publishDiagnostics" and any(
        x.get("relatedInformation") for x in d)


def serve(env, ws, user, want_related):
    s = lsp.Server(env, ws)
    try:
        t0 = s.initialize(ws, user)
        t1, _ = s.wait(lsp.is_publish())
        t2 = None
        if want_related:
            t2, _ = s.wait(related, timeout=60)
        return t1 - t0, (t2 - t0) if t2 else None
    finally:
        s.close()


def main():
    rows = []
    for kind in ("agree", "differ"):
        ws, user, env = world(kind)
        off_env = dict(env, **OFF)
        c_on, c_off, f_on, f_off, rel = [], [], [], [], []
        # `check` runs back to back, then the servers: a server winding down must not overlap
        # the next timed run. Which goes first alternates (the second finds warmer caches).
        for i in range(2 * RUNS):
            for on in ((True, False) if i % 2 == 0 else (False, True)):
                (c_on if on else c_off).append(check(env if on else off_env, ws))
        for i in range(RUNS):
            for on in ((True, False) if i % 2 == 0 else (False, True)):
                if on:
                    first, r = serve(env, ws, user, kind == "differ")
                    f_on.append(first)
                    if r is not None:
                        rel.append(r)
                else:
                    f_off.append(serve(off_env, ws, user, False)[0])
        m = lsp.median_ms
        print(f"{kind:6}  check on {m(c_on):7.1f} ms  off {m(c_off):7.1f} ms  ratio {m(c_on) / m(c_off):.2f}")
        print(f"{kind:6}  first diagnostics on {m(f_on):7.1f} ms  off {m(f_off):7.1f} ms  ratio {m(f_on) / m(f_off):.2f}")
        if rel:
            print(f"{kind:6}  relatedInformation published after {m(rel):7.1f} ms (the traced shell, in the background)")
        rows.append((kind, m(c_on) / m(c_off), m(f_on) / m(f_off)))
    for kind, rc, rf in rows:
        if kind == "agree":
            for what, r in (("check", rc), ("first diagnostics", rf)):
                verdict = "OK" if r <= 1.10 else "OVER TARGET"
                print(f"  agree {what} on/off {r:.2f} (target <= 1.10) {verdict}")
        else:
            verdict = "OK" if rf <= 1.10 else "OVER TARGET"
            print(f"  differ first diagnostics on/off {rf:.2f} (target <= 1.10) {verdict}")
            print(f"  differ check on/off {rc:.2f} (the traced shell: what attribution costs when it runs)")


if __name__ == "__main__":
    main()
