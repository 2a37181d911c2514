#!/usr/bin/env bash
# The floor of the empty-profile cold start on this machine: the processes a check must run
# there (the login shell with its helper and `go`, the VS Code view's `go`), timed alone, and the
# bench client's LSP round trip, as ratios to the slower baseline of bench/probe_cache.sh. See
# bench/README.md.
#
#   bash bench/floor.sh            # RUNS=41 rounds
set -euo pipefail
. "$(dirname "$0")/common.sh"
release_build floor
exec python3 bench/floor.py "$BIN" "$GOROOT_122" "$GOROOT_121" "$BASH_BIN"
