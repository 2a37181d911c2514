#!/usr/bin/env bash
# Monorepo-scale benchmark: `go-env-doctor check` and `serve` on a generated workspace of
# 1,000 modules (~20,000 walked directories, ~21,000 more in trees the walk must skip, symlink
# loops, a go.work using every module). See bench/README.md.
#
#   bash bench/monorepo.sh                       # RUNS=20 hyperfine runs, LSP_RUNS=5 servers, EDITS=40
#   RUNS=40 LSP_RUNS=10 EDITS=60 bash bench/monorepo.sh
#   MODULES=200 bash bench/monorepo.sh           # a smaller monorepo
#
# Prints the counts, the figures with their targets (ok/MISSED) and writes
# target/bench/monorepo-{counts,cli,lsp,summary}.json. Exit status 0 even when a target is missed
# (a benchmark, not a test); non-zero when the run is broken (wrong findings, server crash).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS="${RUNS:-20}"
WARMUP="${WARMUP:-3}"
MODULES="${MODULES:-1000}"
EDIT_MODULE="svc/$(printf '%03d' $((MODULES / 2)))"
export LSP_RUNS="${LSP_RUNS:-5}" EDITS="${EDITS:-40}" EDIT_MODULE
OUT="$ROOT/target/bench"

log() { printf '[bench/monorepo] %s\n' "$*" >&2; }
die() { log "BROKEN: $*"; exit 2; }

# --- tools ------------------------------------------------------------------------------------
if ! command -v hyperfine >/dev/null 2>&1; then
  log "installing hyperfine from Debian"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq hyperfine >/dev/null
fi
export GO_ENV_DOCTOR_TOOLS="${GO_ENV_DOCTOR_TOOLS:-$HOME/.cache/go-env-doctor/tools}"
bash tests/provision.sh
GOROOT_122=$(sed -n 's/^GO_1_22_10=//p' "$GO_ENV_DOCTOR_TOOLS/tools.env")
BASH_BIN=$(sed -n 's/^SHELL_BASH=//p' "$GO_ENV_DOCTOR_TOOLS/tools.env")
[ -x "$GOROOT_122/bin/go" ] || die "Go 1.22.10 missing; run: bash tests/provision.sh"

log "cargo build --release"
cargo build --release -p go-env-doctor >&2
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
BIN="$TARGET_DIR/release/go-env-doctor"
[ -x "$BIN" ] || die "release binary missing at $BIN"
OUT="$TARGET_DIR/bench"
mkdir -p "$OUT"

# --- the world --------------------------------------------------------------------------------
WORLD=$(mktemp -d /tmp/gedbench-mono-XXXXXX)
WORLD=$(cd "$WORLD" && pwd -P)
trap 'rm -rf "$WORLD"' EXIT
HOME_DIR="$WORLD/home"
MONO="$WORLD/mono"
mkdir -p "$HOME_DIR/.config/go" "$HOME_DIR/.cache/go-build"
: > "$HOME_DIR/.config/go/env"
printf 'export PATH="%s/bin:$PATH"\n' "$GOROOT_122" > "$HOME_DIR/.bash_profile"
printf '{}\n' > "$WORLD/user-settings.json"

log "generating $MODULES modules in $MONO"
t0=$(date +%s.%N)
python3 bench/monorepo_gen.py "$MONO" --modules "$MODULES" > "$OUT/monorepo-counts.json"
t1=$(date +%s.%N)
python3 - "$OUT/monorepo-counts.json" "$t0" "$t1" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
print(f"monorepo: {c['modules']} modules, {c['dirs_total']} directories: {c['dirs_walked_expected']} to walk,"
      f" {c['dirs_skipped']} in skipped trees (node_modules, vendor, .git, _archive, testdata;"
      f" {c['stray_go_mod_in_skipped_trees']} stray go.mod files there), {c['symlinks']} symlink loops,"
      f" {c['files']} files; generated in {float(sys.argv[3]) - float(sys.argv[2]):.1f} s")
PY

ENV=(env -i "HOME=$HOME_DIR" "PATH=$GOROOT_122/bin:/usr/bin:/bin" "SHELL=$BASH_BIN"
     "GO_ENV_DOCTOR_USER_SETTINGS=$WORLD/user-settings.json" "NO_COLOR=1" "GOTOOLCHAIN=local")
cd "$MONO"

# --- correctness: healthy, then one module broken ---------------------------------------------
"${ENV[@]}" RUST_LOG=go_env_doctor=debug "$BIN" check "$MONO" --format json --no-shell \
  > "$WORLD/healthy.json" 2> "$WORLD/healthy.err" || true
python3 - "$WORLD/healthy.json" "$WORLD/healthy.err" "$OUT/monorepo-counts.json" <<'PY' || die "healthy check"
import json, re, sys
r = json.load(open(sys.argv[1]))
errs = [f for f in r["findings"] if f["severity"] == "error"]
for f in r["findings"]:
    print(f"  healthy check: finding {f['code']} ({f['severity']}): {f['message'][:160]}", file=sys.stderr)
if errs:
    sys.exit(f"error findings on the healthy monorepo: {[f['code'] for f in errs]}")
walked = [l for l in open(sys.argv[2]) if "workspace walked" in l]
if not walked:
    sys.exit("no 'workspace walked' debug line")
c = json.load(open(sys.argv[3]))
dirs = int(re.search(r" dirs=(\d+)", walked[0]).group(1))
mods = int(re.search(r" modules=(\d+)", walked[0]).group(1))
works = int(re.search(r" works=(\d+)", walked[0]).group(1))
walk_ms = int(re.search(r" ms=(\d+)", walked[0]).group(1))
print(f"healthy check: 0 error findings ({len(r['findings'])} findings); walk: {dirs} dirs,"
      f" {mods} modules, {works} go.work, {walk_ms} ms")
if mods != c["modules"] or works != 1:
    sys.exit(f"the walk found {mods} modules and {works} go.work (expected {c['modules']} and 1):"
             " a skipped tree or a symlink loop was entered")
if dirs != c["dirs_walked_expected"]:
    sys.exit(f"the walk read {dirs} directories, expected {c['dirs_walked_expected']}")
PY

GOMOD="$MONO/$EDIT_MODULE/go.mod"
cp "$GOMOD" "$WORLD/go.mod.orig"
sed -i 's/^go .*/go 1.99.0/' "$GOMOD"
rc=0
"${ENV[@]}" "$BIN" check "$MONO" --format json --no-shell > "$WORLD/broken.json" 2> "$WORLD/broken.err" || rc=$?
cp "$WORLD/go.mod.orig" "$GOMOD"
python3 - "$WORLD/broken.json" "$EDIT_MODULE" "$rc" <<'PY' || die "sanity check with $EDIT_MODULE at go 1.99.0"
import json, sys
r = json.load(open(sys.argv[1]))
mod = sys.argv[2]
hits = [f for f in r["findings"] if f["code"] in ("toolchain-too-old", "gowork-go-too-low")
        and f["severity"] == "error" and (mod in f["message"] or any(mod in l["path"] for l in f.get("locations", [])))]
if not hits:
    sys.exit(f"no toolchain-too-old / gowork-go-too-low naming {mod}: {[f['code'] for f in r['findings']]}")
print(f"sanity: {mod} at go 1.99.0 -> {', '.join(sorted({f['code'] for f in hits}))} naming {mod}"
      f" (check exit status {sys.argv[3]}); restored")
PY

# --- CLI figures ------------------------------------------------------------------------------
log "M: check MONOREPO --no-shell vs go env -json (hyperfine, $RUNS runs)"
"${ENV[@]}" hyperfine --shell=none --warmup "$WARMUP" --runs "$RUNS" --style basic \
  --export-json "$OUT/monorepo-cli.json" \
  -n "go-env-doctor check MONOREPO --no-shell" "$BIN check $MONO --format json --no-shell" \
  -n "go env -json" "$GOROOT_122/bin/go env -json" >&2

# --- LSP figures ------------------------------------------------------------------------------
log "LSP: $LSP_RUNS servers for the first diagnostics, $EDITS edits of $EDIT_MODULE/go.mod"
rc=0
python3 "$ROOT/bench/monorepo_lsp.py" "$BIN" "$GOROOT_122" "$BASH_BIN" "$MONO" "$HOME_DIR" \
  "$WORLD/user-settings.json" "$OUT/monorepo-lsp.json" || rc=$?
[ "$rc" -eq 0 ] || die "the LSP run (exit status $rc)"
cmp -s "$GOMOD" "$WORLD/go.mod.orig" || die "$EDIT_MODULE/go.mod was not restored"

# --- summary ----------------------------------------------------------------------------------
python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
c = json.load(open(os.path.join(out, "monorepo-counts.json")))
cli = {r["command"]: r for r in json.load(open(os.path.join(out, "monorepo-cli.json")))["results"]}
lsp = json.load(open(os.path.join(out, "monorepo-lsp.json")))
s = lsp["summary"]
check = cli["go-env-doctor check MONOREPO --no-shell"]["median"] * 1000
goenv = cli["go env -json"]["median"] * 1000
bound = 1.3 * goenv + 300
probes = max(s["go_env_median_ms"], s["shell_go_env_median_ms"])
after = s["first_diagnostics_median_ms"] - probes
rss = [lsp["rss_after_initial_kib"], lsp["rss_after_edits_kib"]]
peak = max(r["VmHWM"] for r in rss) / 1024
ok = lambda b: "ok" if b else "MISSED"
rows = []
print()
print(f"monorepo: {c['modules']} modules, {c['dirs_walked_expected']} dirs walked, {c['dirs_skipped']} dirs skipped,"
      f" {c['symlinks']} symlink loops, go.work using {c['modules']}")
print(f"{'figure':<52} {'value':>12}  {'target':<30} verdict")
def row(name, value, target, good):
    rows.append({"figure": name, "value": value, "target": target, "ok": good})
    print(f"{name:<52} {value:>12}  {target:<30} {ok(good)}")
row("CLI: go env -json (median)", f"{goenv:.1f} ms", "-", True)
row("CLI: check MONOREPO --no-shell (median)", f"{check:.1f} ms", f"<= 1.3*go env + 300 = {bound:.0f} ms", check <= bound)
print(f"  ratio check / go env -json: {check / goenv:.1f}x; check - go env: {check - goenv:.0f} ms")
row("LSP: go env -json (median, right before)", f"{s['go_env_median_ms']:.1f} ms", "-", True)
row("LSP: bash -ilc 'go env -json' (median)", f"{s['shell_go_env_median_ms']:.1f} ms", "-", True)
row("LSP: initialized -> first diagnostics (median)", f"{s['first_diagnostics_median_ms']:.0f} ms", "-", True)
row("LSP: first diagnostics after the probes", f"{after:.0f} ms", "<= 300 ms after the probes", after <= 300)
row(f"LSP: go.mod didChange -> publish, median ({lsp['edits']})", f"{s['edit_median_ms']:.1f} ms", "<= 5 ms", s["edit_median_ms"] <= 5)
row("LSP: go.mod didChange -> publish, p90", f"{s['edit_p90_ms']:.1f} ms", "-", True)
print(f"  1.99.0 edits (error appears) median {s['edit_bad_median_ms']:.0f} ms; healthy edits (error cleared)"
      f" median {s['edit_good_median_ms']:.0f} ms; error published on {', '.join(lsp['edit_error_uris'])}")
for label, r in (("after initial diagnostics", rss[0]), ("after the edits", rss[1])):
    row(f"LSP: RSS {label} (VmRSS / VmHWM)", f"{r['VmRSS']/1024:.1f}/{r['VmHWM']/1024:.1f} MiB", "<= 30 MB", r["VmHWM"] / 1024 <= 30)
d = lsp.get("debug_run")
if d:
    print(f"where the time goes (server's debug log, one more server): walk {d['walk_ms']} ms over"
          f" {d['walk_dirs']} dirs; first check {d['first_check_ms']} ms; each re-diagnose (no walk, no"
          f" process) {', '.join(f'{x:.0f}' for x in d['rediagnose_ms'])} ms")
missed = [r["figure"] for r in rows if not r["ok"]]
print("bench/monorepo: all targets met" if not missed else f"bench/monorepo: {len(missed)} target(s) MISSED")
json.dump({"counts": c, "cli": {"check_median_ms": check, "go_env_median_ms": goenv, "bound_ms": bound},
           "lsp": s, "rss_kib": rss, "rows": rows, "debug_run": d},
          open(os.path.join(out, "monorepo-summary.json"), "w"), indent=1)
PY
log "JSON in $OUT/monorepo-{counts,cli,lsp,summary}.json"
