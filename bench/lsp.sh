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
. "$(dirname "$0")/common.sh"
release_build lsp
exec python3 bench/lsp.py "$BIN" "$GOROOT_122" "$GOROOT_121" "$BASH_BIN"
