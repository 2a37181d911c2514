#!/usr/bin/env bash
# Benchmark of the persistent probe cache (issue 15): `go-env-doctor serve`'s first diagnostics
# with a cold cache and a warm one, against the probes in the same run, on two worlds:
#   heavy: a login bash whose ~/.bashrc sources real bash-completion files (about 1 s of work);
#   empty: a profile that only puts Go on PATH.
# Prints medians and the ratios with their targets. See bench/README.md.
#
#   bash bench/probe_cache.sh              # RUNS=7 per world
#   RUNS=15 PROFILE_SECONDS=1.5 bash bench/probe_cache.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export GO_ENV_DOCTOR_TOOLS="${GO_ENV_DOCTOR_TOOLS:-$HOME/.cache/go-env-doctor/tools}"
bash tests/provision.sh
tools="$GO_ENV_DOCTOR_TOOLS/tools.env"
GOROOT_122=$(sed -n 's/^GO_1_22_10=//p' "$tools")
GOROOT_121=$(sed -n 's/^GO_1_21_13=//p' "$tools")
BASH_BIN=$(sed -n 's/^SHELL_BASH=//p' "$tools")
[ -d /usr/share/bash-completion/completions ] || {
  echo "[bench/probe_cache] installing bash-completion (the heavy profile sources its files)" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq bash-completion >/dev/null
}
echo "[bench/probe_cache] cargo build --release" >&2
cargo build --release -p go-env-doctor >&2
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
exec python3 bench/probe_cache.py "$TARGET_DIR/release/go-env-doctor" "$GOROOT_122" "$GOROOT_121" "$BASH_BIN"
