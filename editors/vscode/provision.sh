#!/usr/bin/env bash
# Provision what the VS Code extension's end-to-end tests need. Idempotent and cached: a second
# run only checks. Nothing is installed inside the repository.
#
#   editors/vscode/provision.sh        # prints `export` lines on stdout for the test script
#
# - Debian: chromium (headless browser), libkrb5-dev (code-server's kerberos native build),
#   ripgrep (seeds @vscode/ripgrep's download cache: its postinstall cannot reach GitHub here).
# - npm: code-server@4.100.3 (VS Code 1.100.3, runs on Node 20) and playwright-core, under
#   $GO_ENV_DOCTOR_TOOLS/vscode (default ~/.cache/go-env-doctor/tools/vscode) so fresh clones
#   reuse them. Never `playwright install`: it downloads a browser, we use Debian's.
# See ../../../shared/reference/VSCODE-E2E.md for the recipe.
set -euo pipefail

TOOLS="${GO_ENV_DOCTOR_TOOLS:-$HOME/.cache/go-env-doctor/tools}"
VSCODE_TOOLS="$TOOLS/vscode"
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.52.0
RG_CACHE_VERSION=1.15.11
RG_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

log() { printf '[vscode-provision] %s\n' "$*" >&2; }

# --- Debian packages --------------------------------------------------------------------------
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing from Debian: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- code-server and playwright-core (npm, cached outside the repo) ----------------------------
stamp="$VSCODE_TOOLS/.ok-$CODE_SERVER_VERSION-$PLAYWRIGHT_VERSION"
if [ ! -f "$stamp" ] || [ ! -x "$VSCODE_TOOLS/node_modules/.bin/code-server" ]; then
  log "installing code-server@$CODE_SERVER_VERSION and playwright-core@$PLAYWRIGHT_VERSION into $VSCODE_TOOLS"
  # @vscode/ripgrep's postinstall downloads from GitHub: seed its cache with Debian's rg.
  tmp="${TMPDIR:-/tmp}"
  rg_cache="$tmp/vscode-ripgrep-cache-$RG_CACHE_VERSION"
  if [ ! -s "$rg_cache/$RG_TARBALL" ]; then
    mkdir -p "$rg_cache"
    stage=$(mktemp -d)
    cp "$(command -v rg)" "$stage/rg"
    tar -C "$stage" -czf "$rg_cache/$RG_TARBALL" rg
    rm -rf "$stage"
  fi
  rm -rf "$VSCODE_TOOLS"
  mkdir -p "$VSCODE_TOOLS"
  printf '{ "name": "go-env-doctor-vscode-tools", "private": true }\n' > "$VSCODE_TOOLS/package.json"
  # As root npm refuses native builds without unsafe-perm; node-pty's postinstall asks to confirm.
  (cd "$VSCODE_TOOLS" && npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --loglevel=error \
      "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" >&2)
  "$VSCODE_TOOLS/node_modules/.bin/code-server" --version >/dev/null
  touch "$stamp"
fi

echo "export CODE_SERVER=$VSCODE_TOOLS/node_modules/.bin/code-server"
echo "export PLAYWRIGHT_CORE=$VSCODE_TOOLS/node_modules/playwright-core"
echo "export CHROMIUM=$(command -v chromium)"
log "ready: $VSCODE_TOOLS"
