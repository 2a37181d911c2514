#!/usr/bin/env bash
# Benchmark of root-cause attribution (issue 11): `check` and the server's first diagnostics with
# attribution on and off, when the sides agree (it must cost nothing) and when they differ (the
# traced login shell). See bench/README.md.
#
#   bash bench/attribution.sh          # RUNS=9 per world
#   RUNS=21 bash bench/attribution.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export GO_ENV_DOCTOR_TOOLS="${GO_ENV_DOCTOR_TOOLS:-$HOME/.cache/go-env-doctor/tools}"
bash tests/provision.sh
tools="$GO_ENV_DOCTOR_TOOLS/tools.env"
GOROOT_122=$(sed -n 's/^GO_1_22_10=//p' "$tools")
GOROOT_121=$(sed -n 's/^GO_1_21_13=//p' "$tools")
BASH_BIN=$(sed -n 's/^SHELL_BASH=//p' "$tools")
echo "[bench/attribution] cargo build --release" >&2
cargo build --release -p go-env-doctor >&2
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
exec python3 bench/attribution.py "$TARGET_DIR/release/go-env-doctor" "$GOROOT_122" "$GOROOT_121" "$BASH_BIN"
