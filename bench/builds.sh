#!/usr/bin/env bash
# Builds compared in one run: `go-env-doctor serve`'s cold first diagnostics (the probe cache
# removed before each start, and with the cache off) in bench/lsp.py's empty world, for each
# build given — a binary, or a git revision built here (cached under target/bench-builds/).
# Interleaved rounds, so that the machine's noise hits every build alike. See bench/README.md.
#
#   bash bench/builds.sh f7c4cd6 HEAD            # RUNS=31 rounds
#   RUNS=41 bash bench/builds.sh ./old-binary target/release/go-env-doctor
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bash bench/builds.sh BUILD... (a binary or a git revision)" >&2; exit 2; }
. "$(dirname "$0")/common.sh"
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
    built="$TARGET_DIR/bench-builds/target/release"
    # Another revision's helper must not stand beside this one's binary.
    rm -f "$built/go-env-doctor-helper"
    (cd "$src" && cargo build --release -p go-env-doctor --target-dir "$TARGET_DIR/bench-builds/target" >&2)
    mkdir -p "$(dirname "$out")"
    cp "$built/go-env-doctor" "$out"
    # The login shell's helper, where the revision has one (the server runs it from its side).
    if [ -x "$built/go-env-doctor-helper" ]; then
      cp "$built/go-env-doctor-helper" "$(dirname "$out")/"
    fi
    git worktree remove --force "$src"
  fi
  builds+=("$out")
done
exec python3 bench/builds.py "$GOROOT_122" "$GOROOT_121" "$BASH_BIN" "${builds[@]}"
