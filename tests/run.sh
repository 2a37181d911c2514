#!/usr/bin/env bash
# The one test command (README): provision every real tool, then run every suite.
#
#   bash tests/run.sh              # provision (cached) + cargo test --workspace --all-targets
#   bash tests/run.sh -- --nocapture   # extra args after `--` go to the test binaries
#
# Tools are cached under $GO_ENV_DOCTOR_TOOLS (default ~/.cache/go-env-doctor/tools). A test whose
# tool is missing fails and names this command: nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."

export GO_ENV_DOCTOR_TOOLS="${GO_ENV_DOCTOR_TOOLS:-$HOME/.cache/go-env-doctor/tools}"
# Tests run with a controlled environment; keep colour and the developer's settings out.
export NO_COLOR=1
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

start=$(date +%s)
log() { printf '[tests/run.sh] %s\n' "$*" >&2; }

log "provisioning tools into $GO_ENV_DOCTOR_TOOLS"
bash tests/provision.sh

# Fail early and clearly when the tools are still not there.
if [ ! -s "$GO_ENV_DOCTOR_TOOLS/tools.env" ]; then
  log "FAILED: $GO_ENV_DOCTOR_TOOLS/tools.env missing after provisioning; re-run: bash tests/run.sh"
  exit 1
fi
command -v setpriv >/dev/null 2>&1 || {
  log "FAILED: setpriv (util-linux) is needed for the unprivileged-user tests; install util-linux, then: bash tests/run.sh"
  exit 1
}

test_args=()
if [ "${1:-}" = "--" ]; then shift; test_args=("$@"); fi

log "cargo test --workspace --all-targets"
status=0
cargo test --workspace --all-targets -- "${test_args[@]}" || status=$?

elapsed=$(( $(date +%s) - start ))
if [ "$status" -eq 0 ]; then
  echo "tests/run.sh: ALL SUITES PASSED in ${elapsed}s"
else
  echo "tests/run.sh: FAILED (cargo test exit $status) after ${elapsed}s" >&2
fi
exit "$status"
