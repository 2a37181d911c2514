#!/usr/bin/env bash
# LSP benchmark (the performance targets in bench/README.md): `go-env-doctor serve` over stdio on a temp world with real
# Go 1.21.13 / 1.22.10 and a real login bash. Prints:
#   - initialized -> first publishDiagnostics vs the slower of {go env -json, bash -ilc 'go env -json'}
#   - settings didChange -> publishDiagnostics latency (median, p90) and processes spawned
#     (reaped-children fault counter; strace -f when installed)
#   - idle VmRSS and CPU ticks; release binary size
#
#   bash bench/lsp.sh                      # RUNS=10 servers, EDITS=60 edits
#   RUNS=20 EDITS=200 bash bench/lsp.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export GO_ENV_DOCTOR_TOOLS="${GO_ENV_DOCTOR_TOOLS:-$HOME/.cache/go-env-doctor/tools}"
bash tests/provision.sh
tools="$GO_ENV_DOCTOR_TOOLS/tools.env"
GOROOT_122=$(sed -n 's/^GO_1_22_10=//p' "$tools")
GOROOT_121=$(sed -n 's/^GO_1_21_13=//p' "$tools")
BASH_BIN=$(sed -n 's/^SHELL_BASH=//p' "$tools")
echo "[bench/lsp] cargo build --release" >&2
cargo build --release -p go-env-doctor >&2
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
exec python3 bench/lsp.py "$TARGET_DIR/release/go-env-doctor" "$GOROOT_122" "$GOROOT_121" "$BASH_BIN"
