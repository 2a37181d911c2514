#!/usr/bin/env bash
# Benchmark: the cost of `go-env-doctor check` against the probes it cannot avoid.
#
#   bash bench/run.sh                 # defaults: 5 warm-up runs, 30 measured runs
#   RUNS=50 WARMUP=10 bash bench/run.sh
#
# Compares, on a healthy temp HOME + workspace with real Go 1.22.10, in one run:
#   A. go-env-doctor check --no-shell       vs  go env -json
#   B. go-env-doctor check --shell bash     vs  bash -ilc 'go env -json'
# Exports hyperfine JSON to target/bench/ and prints medians and the two ratios (target <= 1.5).
# See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS="${RUNS:-30}"
WARMUP="${WARMUP:-5}"
TARGET_RATIO="${TARGET_RATIO:-1.5}"
OUT="$ROOT/target/bench"

log() { printf '[bench] %s\n' "$*" >&2; }

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
[ -x "$GOROOT_122/bin/go" ] || { log "Go 1.22.10 missing; run: bash tests/provision.sh"; exit 1; }

log "cargo build --release"
cargo build --release -p go-env-doctor >&2
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
BIN="$TARGET_DIR/release/go-env-doctor"
[ -x "$BIN" ] || { log "release binary missing at $BIN"; exit 1; }

# --- a healthy world --------------------------------------------------------------------------
WORLD=$(mktemp -d /tmp/gedbench-XXXXXX)
trap 'rm -rf "$WORLD"' EXIT
HOME_DIR="$WORLD/home"
WS="$WORLD/ws"
mkdir -p "$HOME_DIR/.config/go" "$WS"
printf 'module example.com/bench\n\ngo 1.21\n' > "$WS/go.mod"
printf 'export PATH="%s/bin:$PATH"\n' "$GOROOT_122" > "$HOME_DIR/.bash_profile"
printf '{}\n' > "$WORLD/user-settings.json"
# A warm build cache directory, as on a real machine.
mkdir -p "$HOME_DIR/.cache/go-build"

ENV=(env -i "HOME=$HOME_DIR" "PATH=$GOROOT_122/bin:/usr/bin:/bin" "SHELL=$BASH_BIN"
     "GO_ENV_DOCTOR_USER_SETTINGS=$WORLD/user-settings.json" "NO_COLOR=1")

cd "$WS"
for args in "--no-shell" "--shell $BASH_BIN"; do
  # shellcheck disable=SC2086
  if ! "${ENV[@]}" "$BIN" check "$WS" --format json $args > "$WORLD/report.json" 2> "$WORLD/stderr"; then
    log "warning: 'check $args' exited non-zero on the healthy world; findings:"
    python3 -c 'import json,sys; [print("  ", f["code"], f["severity"], f["message"]) for f in json.load(open(sys.argv[1]))["findings"]]' "$WORLD/report.json" >&2 || cat "$WORLD/stderr" >&2
  fi
done

mkdir -p "$OUT"
HF=(hyperfine --shell=none --warmup "$WARMUP" --runs "$RUNS" --ignore-failure --style basic)

log "A: check --no-shell vs go env -json"
"${ENV[@]}" "${HF[@]}" --export-json "$OUT/no-shell.json" \
  -n "go-env-doctor check --no-shell" "$BIN check $WS --format json --no-shell" \
  -n "go env -json" "$GOROOT_122/bin/go env -json" >&2

log "B: check --shell bash vs bash -ilc 'go env -json'"
"${ENV[@]}" "${HF[@]}" --export-json "$OUT/shell.json" \
  -n "go-env-doctor check --shell bash" "$BIN check $WS --format json --shell $BASH_BIN" \
  -n "bash -ilc 'go env -json'" "$BASH_BIN -ilc 'go env -json'" >&2

# --- summary ----------------------------------------------------------------------------------
python3 - "$OUT/no-shell.json" "$OUT/shell.json" "$TARGET_RATIO" <<'PY'
import json, sys
target = float(sys.argv[3])
ok = True
print()
print(f"{'benchmark':<38} {'median':>10} {'mean ± σ':>20}")
for path, label in ((sys.argv[1], "A (--no-shell)"), (sys.argv[2], "B (login shell)")):
    res = json.load(open(path))["results"]
    for r in res:
        print(f"{r['command']:<38} {r['median']*1000:>8.1f}ms {r['mean']*1000:>10.1f} ± {r['stddev']*1000:>5.1f}ms")
    ratio = res[0]["median"] / res[1]["median"]
    verdict = "OK" if ratio <= target else "OVER TARGET"
    ok = ok and ratio <= target
    print(f"  ratio {label}: {ratio:.2f} (target <= {target}) {verdict}")
    print()
print("bench: all ratios within target" if ok else "bench: a ratio exceeds the target")
PY
log "hyperfine JSON in $OUT/no-shell.json and $OUT/shell.json"
