#!/usr/bin/env bash
# The floor of the empty-profile cold start on this machine: the processes a check must run
# there (the login shell with its helper and `go`, the VS Code view's `go`), timed alone, and the
# bench client's LSP round trip, as ratios to the slower baseline of bench/probe_cache.sh. See
# bench/README.md.
#
#   bash bench/floor.sh            # RUNS=41 rounds
set -euo pipefail
cd "$(dirname "$0")/.."
export GO_ENV_DOCTOR_TOOLS="${GO_ENV_DOCTOR_TOOLS:-$HOME/.cache/go-env-doctor/tools}"
bash tests/provision.sh
tools="$GO_ENV_DOCTOR_TOOLS/tools.env"
GOROOT_122=$(sed -n 's/^GO_1_22_10=//p' "$tools")
GOROOT_121=$(sed -n 's/^GO_1_21_13=//p' "$tools")
BASH_BIN=$(sed -n 's/^SHELL_BASH=//p' "$tools")
echo "[bench/floor] cargo build --release" >&2
cargo build --release -p go-env-doctor >&2
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
exec python3 bench/floor.py "$TARGET_DIR/release/go-env-doctor" "$GOROOT_122" "$GOROOT_121" "$BASH_BIN"
