#!/usr/bin/env bash
# Build a platform-specific vsix with the language server inside (server/go-env-doctor[.exe] and
# its login-shell helper, server/go-env-doctor-helper[.exe]).
#
#   npm run package                 # linux-x64 (this machine)
#   npm run package -- darwin-arm64 # another VS Code target; needs that Rust target installed
#
# GO_ENV_DOCTOR_SERVER_BINARY=/path/to/go-env-doctor skips the cargo build (e.g. CI artifacts).
# Output: editors/vscode/go-env-doctor-<target>-<version>.vsix
set -euo pipefail
cd "$(dirname "$0")/.."
ext_dir=$(pwd)
repo=$(cd ../.. && pwd)

target="${1:-linux-x64}"
case "$target" in
  linux-x64) triple=x86_64-unknown-linux-gnu ;;
  linux-arm64) triple=aarch64-unknown-linux-gnu ;;
  linux-armhf) triple=armv7-unknown-linux-gnueabihf ;;
  alpine-x64) triple=x86_64-unknown-linux-musl ;;
  alpine-arm64) triple=aarch64-unknown-linux-musl ;;
  darwin-x64) triple=x86_64-apple-darwin ;;
  darwin-arm64) triple=aarch64-apple-darwin ;;
  win32-x64) triple=x86_64-pc-windows-msvc ;;
  win32-arm64) triple=aarch64-pc-windows-msvc ;;
  *) echo "unknown VS Code target '$target' (linux-x64, linux-arm64, darwin-arm64, win32-x64, …)" >&2; exit 2 ;;
esac
exe=go-env-doctor
helper=go-env-doctor-helper
case "$target" in win32-*) exe=go-env-doctor.exe helper=go-env-doctor-helper.exe ;; esac

if [ -n "${GO_ENV_DOCTOR_SERVER_BINARY:-}" ]; then
  binary="$GO_ENV_DOCTOR_SERVER_BINARY"
else
  host=$(rustc -vV | sed -n 's/^host: //p')
  target_dir=$(cd "$repo" && cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
  if [ "$triple" = "$host" ]; then
    (cd "$repo" && cargo build --release --bin go-env-doctor --bin go-env-doctor-helper)
    binary="$target_dir/release/$exe"
  else
    (cd "$repo" && cargo build --release --bin go-env-doctor --bin go-env-doctor-helper --target "$triple")
    binary="$target_dir/$triple/release/$exe"
  fi
fi
[ -x "$binary" ] || { echo "no server binary at $binary" >&2; exit 1; }

rm -rf "$ext_dir/server"
mkdir -p "$ext_dir/server"
cp "$binary" "$ext_dir/server/$exe"
chmod +x "$ext_dir/server/$exe"
# The login shell's helper, when built next to the server (the server runs itself without it,
# only a little slower: server/src/bin/helper.rs).
if [ -x "$(dirname "$binary")/$helper" ]; then
  cp "$(dirname "$binary")/$helper" "$ext_dir/server/$helper"
  chmod +x "$ext_dir/server/$helper"
fi

version=$(node -p 'require("./package.json").version')
out="go-env-doctor-$target-$version.vsix"
rm -f "$out"
# vscode:prepublish bundles dist/extension.js (minified).
npx --no-install vsce package --target "$target" --out "$out"
echo "$ext_dir/$out"
