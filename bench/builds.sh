#!/usr/bin/env bash
# Builds compared in one run: `go-env-doctor serve`'s cold first diagnostics (the probe cache
# removed before each start, and with the cache off) in bench/lsp.py's empty world, for each
# build given — a binary, or a git revision built here (cached under target/bench-builds/).
# Interleaved rounds, so that the machine's noise hits every build alike. See bench/README.md.
#
#   bash bench/builds.sh f7c4cd6 HEAD            # RUNS=31 rounds
#   RUNS=41 bash bench/builds.sh ./old-binary target/release/go-env-doctor
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bash bench/builds.sh BUILD... (a binary or a git revision)" >&2; exit 2; }
export GO_ENV_DOCTOR_TOOLS="${GO_ENV_DOCTOR_TOOLS:-$HOME/.cache/go-env-doctor/tools}"
bash tests/provision.sh
tools="$GO_ENV_DOCTOR_TOOLS/tools.env"
GOROOT_122=$(sed -n 's/^GO_1_22_10=//p' "$tools")
GOROOT_121=$(sed -n 's/^GO_1_21_13=//p' "$tools")
BASH_BIN=$(sed -n 's/^SHELL_BASH=//p' "$tools")
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
builds=()
for build in "$@"; do
  if [ -f "$build" ] && [ -x "$build" ]; then
    builds+=("$(realpath "$build")")
    continue
  fi
  rev=$(git rev-parse --short "$build^{commit}")
  out="$TARGET_DIR/bench-builds/$rev/go-env-doctor"
  if [ ! -x "$out" ]; then
    src="$TARGET_DIR/bench-builds/src-$rev"
    echo "[bench/builds] building $rev" >&2
    rm -rf "$src"
    git worktree add --detach --force "$src" "$rev" >&2
    (cd "$src" && cargo build --release -p go-env-doctor --target-dir "$TARGET_DIR/bench-builds/target" >&2)
    mkdir -p "$(dirname "$out")"
    cp "$TARGET_DIR/bench-builds/target/release/go-env-doctor" "$out"
    # The login shell's helper, where the revision has one (the server runs it from its side).
    if [ -x "$TARGET_DIR/bench-builds/target/release/go-env-doctor-helper" ]; then
      cp "$TARGET_DIR/bench-builds/target/release/go-env-doctor-helper" "$(dirname "$out")/"
    fi
    git worktree remove --force "$src"
  fi
  builds+=("$out")
done
exec python3 bench/builds.py "$GOROOT_122" "$GOROOT_121" "$BASH_BIN" "${builds[@]}"
