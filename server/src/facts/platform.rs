//! The machine under both sides and what the sides' binaries were built for, read without
//! running anything: the real CPU of a Mac (an Apple silicon Mac runs amd64 programs under
//! Rosetta, where `uname -m` and `go env GOHOSTARCH` of an amd64 `go` both say amd64), whether
//! Linux runs under WSL, the GOOS/GOARCH a `go` binary was built for (`goport::buildinfo`,
//! through [`super::tools::read`]), and the C compilers on each side's PATH (cmd/go turns cgo
//! off by default when its C compiler is not on PATH).
//!
//! Tests on Linux stand in for another machine with two variables, read from the editor's
//! environment: [`HOST_ENV`] (`darwin/arm64`) and [`OSRELEASE_ENV`] (a file read instead of
//! `/proc/sys/kernel/osrelease`).

use super::{fs, go, tools};
use crate::model::{PlatformFacts, SideFacts, Snapshot};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `GOOS/GOARCH` of the machine, instead of the one this process finds (tests).
pub const HOST_ENV: &str = "GO_ENV_DOCTOR_HOST";
/// A file read instead of `/proc/sys/kernel/osrelease` (tests of WSL on plain Linux).
pub const OSRELEASE_ENV: &str = "GO_ENV_DOCTOR_OSRELEASE";

/// Rosetta 2's runtime: installed only on Apple silicon, so its presence tells an arm64 Mac
/// even to a process that itself runs translated.
const ROSETTA_RUNTIME: &str = "/Library/Apple/usr/libexec/oah";

/// The C compilers looked up on each side's PATH (cmd/go's defaults: `gcc`/`g++` on Linux,
/// `clang`/`clang++` on macOS and the BSDs; `cc` is what distributions link to one of them).
const C_COMPILERS: [&str; 6] = ["gcc", "cc", "clang", "g++", "c++", "clang++"];

/// The machine's OS, CPU and WSL state, for an editor started with `env`.
pub fn host(env: &BTreeMap<String, String>) -> PlatformFacts {
    let mut p = PlatformFacts::default();
    if let Some((os, arch)) = env.get(HOST_ENV).and_then(|v| v.split_once('/')) {
        p.os = Some(os.to_string());
        p.arch = Some(arch.to_string());
    } else {
        let os = goos(std::env::consts::OS);
        let mut arch = goarch(std::env::consts::ARCH);
        if os == "darwin" && arch == "amd64" && Path::new(ROSETTA_RUNTIME).is_dir() {
            arch = "arm64".into();
        }
        p.os = Some(os);
        p.arch = Some(arch);
    }
    if p.os.as_deref() == Some("linux") {
        let release = env
            .get(OSRELEASE_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/proc/sys/kernel/osrelease"));
        p.wsl = fs::read_bounded(&release, 4096)
            .map(|b| {
                String::from_utf8_lossy(&b)
                    .to_ascii_lowercase()
                    .contains("microsoft")
            })
            .unwrap_or(false);
    }
    p
}

/// Read what each `go` the sides and views may run was built for, where it can matter: on a
/// Mac (Rosetta), under WSL (a Windows `go.exe`), or for a binary named like a Windows one.
/// Elsewhere nothing is read: a Linux `go` on Linux is what it says.
pub fn read_binaries(snap: &mut Snapshot) {
    let mac = snap.platform.os.as_deref() == Some("darwin");
    let wsl = snap.platform.wsl;
    let mut paths: Vec<PathBuf> = Vec::new();
    for s in std::iter::once(&*snap).chain(snap.editor_views.iter()) {
        for side in std::iter::once(&s.editor).chain(s.shell.iter()) {
            for g in side.go.iter().chain(side.path_go.iter()) {
                if !paths.contains(&g.path) {
                    paths.push(g.path.clone());
                }
            }
        }
    }
    for path in paths {
        let windows_like = path.extension().is_some_and(|e| e == "exe") || mounted_drive(&path);
        if !(mac || wsl || windows_like) {
            continue;
        }
        if let Ok(build) = tools::read(&path) {
            snap.platform
                .binaries
                .insert(path.to_string_lossy().into_owned(), build);
        }
    }
}

/// `/mnt/<drive letter>/…`: a Windows drive as WSL mounts it.
fn mounted_drive(path: &Path) -> bool {
    let mut parts = path.components().skip(1);
    let mnt = parts.next().is_some_and(|c| c.as_os_str() == "mnt");
    let drive = parts.next().is_some_and(|c| {
        let s = c.as_os_str().to_string_lossy();
        s.len() == 1 && s.chars().all(|ch| ch.is_ascii_alphabetic())
    });
    mnt && drive
}

/// The C compilers on a side's PATH: the usual names and the first word of the side's CC and
/// CXX when that is a bare name. Read while the side's `go` runs (it is off the path to the
/// report); [`add_go_env_compilers`] adds what that `go` reported afterwards.
pub fn c_compilers(side: &SideFacts) -> BTreeMap<String, PathBuf> {
    let mut names: Vec<String> = C_COMPILERS.iter().map(|s| s.to_string()).collect();
    for key in ["CC", "CXX"] {
        if let Some(first) = side.os_env.get(key).and_then(|v| bare_name(v)) {
            if !names.iter().any(|n| n == first) {
                names.push(first.to_string());
            }
        }
    }
    names
        .into_iter()
        .filter_map(|n| go::which(&n, &side.path_entries).map(|p| (n, p)))
        .collect()
}

/// Look up the CC and CXX the side's `go env` reported (the env file's, a default) when
/// [`c_compilers`] did not look for that name yet.
pub fn add_go_env_compilers(side: &mut SideFacts) {
    let Some(json) = side.go_env.as_ref().and_then(|r| r.ok()) else {
        return;
    };
    let looked = |n: &str| {
        C_COMPILERS.contains(&n)
            || ["CC", "CXX"]
                .iter()
                .any(|k| side.os_env.get(*k).and_then(|v| bare_name(v)) == Some(n))
    };
    let wanted: Vec<String> = ["CC", "CXX"]
        .iter()
        .filter_map(|k| json.get(*k).and_then(|v| bare_name(v)))
        .filter(|n| !looked(n))
        .map(str::to_string)
        .collect();
    for n in wanted {
        if let Some(p) = go::which(&n, &side.path_entries) {
            side.c_compilers.insert(n, p);
        }
    }
}

/// The first word of a CC value when it is a name to look up on PATH (not a path).
fn bare_name(v: &str) -> Option<&str> {
    v.split_whitespace().next().filter(|w| !w.contains('/'))
}

fn goos(rust_os: &str) -> String {
    match rust_os {
        "macos" => "darwin".into(),
        other => other.into(),
    }
}

fn goarch(rust_arch: &str) -> String {
    match rust_arch {
        "x86_64" => "amd64".into(),
        "aarch64" => "arm64".into(),
        "x86" => "386".into(),
        "powerpc64" => "ppc64".into(),
        other => other.into(),
    }
}
