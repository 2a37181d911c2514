#!/usr/bin/env bash
# The VS Code extension's tests: provision (cached), npm ci, lint, typecheck, unit tests, the
# platform vsix, and the end-to-end suite in a real VS Code (code-server + headless Chromium).
#
#   bash editors/vscode/test.sh
#
# Exits non-zero on any failure; the last line is `N passed, N failed` (each step counts as one,
# each unit test and each e2e scenario as one). Screenshots: target/vscode-e2e/.
set -uo pipefail
cd "$(dirname "$0")"
ext_dir=$(pwd)
repo=$(cd ../.. && pwd)
passed=0
failed=0
failures=()

step() { # step NAME CMD...
  local name=$1; shift
  printf '\n== %s\n' "$name"
  if "$@"; then
    passed=$((passed + 1))
    return 0
  fi
  failed=$((failed + 1))
  failures+=("$name")
  return 1
}

finish() {
  if [ ${#failures[@]} -gt 0 ]; then
    printf '\nfailed: %s\n' "${failures[*]}"
  fi
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

provision() {
  local out
  out=$(bash "$ext_dir/provision.sh") || return 1
  eval "$out"
  bash "$repo/tests/provision.sh"
}
step provision provision || finish
step "npm ci" npm ci --no-audit --no-fund --loglevel=error || finish
step lint npm run --silent lint
step typecheck npm run --silent typecheck

printf '\n== unit tests\n'
unit_json=$(mktemp --suffix=.json)
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$unit_json"
unit_rc=$?
unit_pass=$(node -e 'try{const r=require(process.argv[1]);console.log(r.numPassedTests)}catch{console.log(0)}' "$unit_json")
unit_fail=$(node -e 'try{const r=require(process.argv[1]);console.log(r.numFailedTests)}catch{console.log(0)}' "$unit_json")
rm -f "$unit_json"
passed=$((passed + unit_pass))
failed=$((failed + unit_fail))
if [ "$unit_rc" -ne 0 ] && [ "$unit_fail" -eq 0 ]; then failed=$((failed + 1)); fi
if [ "$unit_rc" -ne 0 ]; then failures+=("unit tests"); fi

vsix_out=$(mktemp)
if step package bash -c "npm run --silent package | tee '$vsix_out'"; then
  vsix=$(tail -1 "$vsix_out")
  printf '\n== e2e (code-server %s)\n' "$("$CODE_SERVER" --version | head -1)"
  e2e_json="$repo/target/vscode-e2e/results.json"
  rm -f "$e2e_json"
  VSIX="$vsix" GO_ENV_DOCTOR_SERVER="$ext_dir/server/go-env-doctor" node e2e/run.mjs
  e2e_rc=$?
  e2e_pass=$(node -e 'try{const r=require(process.argv[1]);console.log(r.passed)}catch{console.log(0)}' "$e2e_json")
  e2e_fail=$(node -e 'try{const r=require(process.argv[1]);console.log(r.failed)}catch{console.log(0)}' "$e2e_json")
  passed=$((passed + e2e_pass))
  failed=$((failed + e2e_fail))
  if [ "$e2e_rc" -ne 0 ]; then
    failures+=("e2e")
    if [ "$e2e_fail" -eq 0 ]; then failed=$((failed + 1)); fi
  fi
fi
rm -f "$vsix_out"
finish
