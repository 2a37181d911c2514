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
. "$(dirname "$0")/common.sh"
[ -d /usr/share/bash-completion/completions ] || {
  echo "[bench/probe_cache] installing bash-completion (the heavy profile sources its files)" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq bash-completion >/dev/null
}
release_build probe_cache
exec python3 bench/probe_cache.py "$BIN" "$GOROOT_122" "$GOROOT_121" "$BASH_BIN"
