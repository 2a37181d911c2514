#!/usr/bin/env bash
# The one test command (README): provision every real tool, then run every suite.
#
#   bash tests/run.sh                  # provision (cached), cargo test --workspace --all-targets,
#                                      # a short fuzz run (fuzz/run.sh: 100k inputs per target), then the
#                                      # editor suites outside cargo (editors/vscode/test.sh)
#   bash tests/run.sh -- --nocapture   # extra args after `--` go to the cargo test binaries
#   GO_ENV_DOCTOR_SKIP_EDITOR_SUITES=1 bash tests/run.sh   # cargo suites only (said so loudly)
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

log "cargo test --workspace --all-targets --no-fail-fast"
log_file=$(mktemp /tmp/gedtests-XXXXXX.log)
trap 'rm -f "$log_file"' EXIT
status=0
cargo test --workspace --all-targets --no-fail-fast -- "${test_args[@]}" 2>&1 | tee "$log_file" || status=$?
# With pipefail, $status is cargo's exit code (tee does not fail).

# A short coverage-guided fuzz run of every parser, editor and the LSP framing (libFuzzer via
# cargo-fuzz; built once into a cached target directory). A crash fails the run.
fuzz_runs="${GO_ENV_DOCTOR_FUZZ_RUNS:-100000}"
log "bash fuzz/run.sh $fuzz_runs"
fuzz_summary=""
if fuzz_out=$(bash fuzz/run.sh "$fuzz_runs" 2>&1); then
  fuzz_summary=$(echo "$fuzz_out" | tail -1)
else
  fuzz_summary="FAILED"
  [ "$status" -ne 0 ] || status=1
fi
echo "$fuzz_out"

# The editor suites that live outside cargo (each prints `N passed, N failed` last).
editor_passed=0
editor_failed=0
editor_suites=()
for suite in editors/vscode/test.sh; do
  [ -f "$suite" ] || continue
  if [ -n "${GO_ENV_DOCTOR_SKIP_EDITOR_SUITES:-}" ]; then
    log "NOT RUN (GO_ENV_DOCTOR_SKIP_EDITOR_SUITES is set): bash $suite"
    editor_suites+=("$suite: not run")
    continue
  fi
  log "bash $suite"
  suite_log=$(mktemp /tmp/gedtests-XXXXXX.log)
  suite_status=0
  bash "$suite" 2>&1 | tee "$suite_log" || suite_status=$?
  last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$suite_log" | tail -1 || true)
  rm -f "$suite_log"
  p=$(echo "$last" | awk '{print $1+0}')
  f=$(echo "$last" | awk '{print $3+0}')
  editor_passed=$((editor_passed + p))
  editor_failed=$((editor_failed + f))
  if [ "$suite_status" -ne 0 ]; then
    [ "$f" -gt 0 ] || editor_failed=$((editor_failed + 1))
    editor_suites+=("$suite: FAILED (${last:-no summary})")
    [ "$status" -ne 0 ] || status=$suite_status
  else
    editor_suites+=("$suite: ${last:-passed}")
  fi
done

elapsed=$(( $(date +%s) - start ))
# Totals over every suite's "test result:" line.
read -r passed failed ignored suites < <(awk '
  /^test result:/ { n++; for (i = 1; i <= NF; i++) {
      if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1);
      if ($(i) ~ /^ignored;?$/) g += $(i-1) } }
  END { printf "%d %d %d %d\n", p, f, g, n }' "$log_file")
failing=$(grep -E '^test .* \.\.\. FAILED$' "$log_file" | sed -E 's/^test (.*) \.\.\. FAILED$/\1/' | sort -u || true)

if [ "$ignored" -gt 0 ]; then
  echo "tests/run.sh: $ignored test(s) are #[ignore]d: nothing may be skipped" >&2
  [ "$status" -ne 0 ] || status=1
fi
for line in "${editor_suites[@]}"; do log "$line"; done
log "fuzz/run.sh: $fuzz_summary"
passed=$((passed + editor_passed))
failed=$((failed + editor_failed))
suites=$((suites + ${#editor_suites[@]} + 1))
[ "$fuzz_summary" != "FAILED" ] || failed=$((failed + 1))
if [ "$status" -eq 0 ]; then
  echo "tests/run.sh: PASSED: $passed tests in $suites suites, 0 failed, in ${elapsed}s"
else
  if [ -n "$failing" ]; then
    echo "failing tests:" >&2
    printf '  %s\n' $failing >&2
  fi
  echo "tests/run.sh: FAILED: $passed passed, $failed failed in $suites suites (cargo exit $status), ${elapsed}s" >&2
fi
exit "$status"
