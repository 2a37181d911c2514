#!/usr/bin/env bash
# Benchmark of root-cause attribution (issue 11): `check` and the server's first diagnostics with
# attribution on and off, when the sides agree (it must cost nothing) and when they differ (the
# traced login shell). See bench/README.md.
#
#   bash bench/attribution.sh          # RUNS=9 per world
#   RUNS=21 bash bench/attribution.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"
release_build attribution
exec python3 bench/attribution.py "$BIN" "$GOROOT_122" "$GOROOT_121" "$BASH_BIN"
