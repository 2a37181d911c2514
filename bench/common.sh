# Sourced by the bench scripts: the repository root as working directory, the provisioned
# tools (`tests/provision.sh`, cached) and their paths, and `release_build`.
#   GOROOT_122, GOROOT_121, GOROOT_125  the real Go toolchains
#   BASH_BIN                            the provisioned bash
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export GO_ENV_DOCTOR_TOOLS="${GO_ENV_DOCTOR_TOOLS:-$HOME/.cache/go-env-doctor/tools}"
bash tests/provision.sh
tools_env="$GO_ENV_DOCTOR_TOOLS/tools.env"
GOROOT_122=$(sed -n 's/^GO_1_22_10=//p' "$tools_env")
GOROOT_121=$(sed -n 's/^GO_1_21_13=//p' "$tools_env")
GOROOT_125=$(sed -n 's/^GO_1_25_5=//p' "$tools_env")
BASH_BIN=$(sed -n 's/^SHELL_BASH=//p' "$tools_env")
# Cargo's target directory (CARGO_TARGET_DIR and config respected).
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

# release_build NAME: the release binaries (the tool and its login-shell helper), logged as NAME;
# sets BIN to the tool.
release_build() {
  echo "[bench/$1] cargo build --release" >&2
  cargo build --release -p go-env-doctor >&2
  BIN="$TARGET_DIR/release/go-env-doctor"
}
