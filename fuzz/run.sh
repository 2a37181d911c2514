#!/usr/bin/env bash
# A short coverage-guided fuzz run of every target (part of `bash tests/run.sh`):
#
#   bash fuzz/run.sh [RUNS_PER_TARGET]        # default 100000 inputs per target
#
# The run is deterministic (a fixed seed and a fixed number of inputs over the committed
# corpus), so a test run never fails by luck; explore longer by hand (fuzz/README.md).
#
# Installs cargo-fuzz when missing (cached in ~/.cargo/bin) and builds into a cached target
# directory, so a second run only fuzzes. New inputs go to a scratch corpus, never into the
# committed one. A crash fails the run and leaves its input under fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
runs="${1:-100000}"
seed="${GO_ENV_DOCTOR_FUZZ_SEED:-1}"
cache="${GO_ENV_DOCTOR_FUZZ_TARGET:-$HOME/.cache/go-env-doctor/fuzz-target}"
log() { printf '[fuzz/run.sh] %s\n' "$*" >&2; }

export PATH="$HOME/.cargo/bin:$PATH"
if ! cargo fuzz --version >/dev/null 2>&1; then
  log "installing cargo-fuzz (once)"
  cargo install --locked cargo-fuzz >/dev/null
fi
# cargo-fuzz passes nightly-only flags; this is the machine's only (stable) toolchain.
export RUSTC_BOOTSTRAP=1
log "building the targets into $cache"
cargo fuzz build -a -s none --target-dir "$cache" >/dev/null 2>&1 || {
  log "FAILED: cargo fuzz build (re-run it in fuzz/ to see why)"
  exit 1
}
scratch=$(mktemp -d /tmp/ged-fuzz-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
total=0
for t in $(cargo fuzz list); do
  mkdir -p "$scratch/$t"
  out="$scratch/$t.log"
  if ! cargo fuzz run -a -s none --target-dir "$cache" "$t" "$scratch/$t" "corpus/$t" -- \
      -runs="$runs" -seed="$seed" -max_total_time=120 -max_len=8192 -timeout=10 \
      -print_final_stats=1 >"$out" 2>&1; then
    grep -B2 -A12 'panicked' "$out" >&2 || tail -40 "$out" >&2
    log "FAILED: $t crashed; its input is in fuzz/artifacts/$t/"
    exit 1
  fi
  runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$out")
  cov=$(grep -o 'cov: [0-9]*' "$out" | tail -1 | awk '{print $2}')
  total=$((total + ${runs:-0}))
  printf '  %-14s %9s runs  cov %s\n' "$t" "${runs:-?}" "${cov:-?}"
done
echo "fuzz: $total runs ($runs per target, seed $seed), 0 crashes"
