#!/usr/bin/env bash
# Benchmark: what `check --deep` and `check --deep=cgo` cost on top of `check`, with a warm and
# with a cold build cache (the README's *Deep check* figures come from this script).
#
#   bash bench/deep.sh                      # 10 warm runs, 3 cold runs per command
#   RUNS=20 COLD_RUNS=5 bash bench/deep.sh
#   SHELL_ARGS="--shell /usr/bin/bash" bash bench/deep.sh   # with the login shell (two sides)
#
# A healthy temp world with real Go 1.25.5 (provisioned by tests/provision.sh) and the system C
# compiler; hyperfine times `check`, `check --deep`, `check --deep=cgo` (release build). Warm:
# one untimed run fills the cache first. Cold: the cache directory is removed before every run
# (hyperfine --prepare), so `go` compiles the runtime and the packages the programs need.
# Markdown tables go to target/bench/deep-warm.md and target/bench/deep-cold.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS="${RUNS:-10}"
COLD_RUNS="${COLD_RUNS:-3}"
SHELL_ARGS="${SHELL_ARGS:---no-shell}"
OUT="$ROOT/target/bench"
mkdir -p "$OUT"

log() { printf '[bench/deep] %s\n' "$*" >&2; }

command -v hyperfine >/dev/null 2>&1 || { log "hyperfine missing (bash bench/run.sh installs it)"; exit 1; }
export GO_ENV_DOCTOR_TOOLS="${GO_ENV_DOCTOR_TOOLS:-$HOME/.cache/go-env-doctor/tools}"
bash tests/provision.sh
GOROOT_125=$(sed -n 's/^GO_1_25_5=//p' "$GO_ENV_DOCTOR_TOOLS/tools.env")
[ -x "$GOROOT_125/bin/go" ] || { log "Go 1.25.5 missing; run: bash tests/provision.sh"; exit 1; }

log "cargo build --release"
cargo build --release -p go-env-doctor >&2
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
BIN="$TARGET_DIR/release/go-env-doctor"

WORLD=$(mktemp -d /tmp/geddeepbench-XXXXXX)
trap 'rm -rf "$WORLD"' EXIT
mkdir -p "$WORLD/home/.config/go" "$WORLD/ws"
printf 'module example.com/bench\n\ngo 1.21\n' > "$WORLD/ws/go.mod"
printf 'export PATH="%s/bin:$PATH"\n' "$GOROOT_125" > "$WORLD/home/.bash_profile"
printf '{}\n' > "$WORLD/user-settings.json"
CACHE="$WORLD/home/.cache/go-build"

# One command line per variant, run by hyperfine without a shell.
cmd() {
  printf 'env -i HOME=%s PATH=%s/bin:/usr/bin:/bin SHELL=/usr/bin/bash GO_ENV_DOCTOR_USER_SETTINGS=%s %s check %s %s %s' \
    "$WORLD/home" "$GOROOT_125" "$WORLD/user-settings.json" "$BIN" "$WORLD/ws" "$SHELL_ARGS" "$1"
}
CHECK=$(cmd "")
DEEP=$(cmd "--deep")
CGO=$(cmd "--deep=cgo")

log "sanity: a healthy world passes --deep=cgo"
$CGO > "$WORLD/report.txt" || { cat "$WORLD/report.txt" >&2; log "check --deep=cgo failed"; exit 1; }

log "warm cache ($SHELL_ARGS), $RUNS runs each"
hyperfine -N --warmup 1 --runs "$RUNS" --export-markdown "$OUT/deep-warm.md" \
  -n check "$CHECK" -n "check --deep" "$DEEP" -n "check --deep=cgo" "$CGO" >&2
log "cold cache ($SHELL_ARGS), $COLD_RUNS runs each"
hyperfine -N --runs "$COLD_RUNS" --prepare "rm -rf $CACHE" --export-markdown "$OUT/deep-cold.md" \
  -n check "$CHECK" -n "check --deep" "$DEEP" -n "check --deep=cgo" "$CGO" >&2

echo "warm GOCACHE ($SHELL_ARGS; load average $(cut -d' ' -f1-3 /proc/loadavg)):"
cat "$OUT/deep-warm.md"
echo
echo "cold GOCACHE ($SHELL_ARGS):"
cat "$OUT/deep-cold.md"
