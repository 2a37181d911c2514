//! Which installed Go SDKs satisfy a workspace, without IO: the `go` and `toolchain` lines of
//! every module in scope and every go.work against each install's VERSION, ranked the way the
//! "Use installed goX.Y.Z" fixes (`rules::sdk_switch`) choose and the reports list them.

use super::resolve::{path_facts, same_path};
use crate::model::{FileKind, GoInstall, Snapshot};
use crate::settings::gomod::{parse_version, GoVersion};
use std::path::Path;

/// An installed SDK that satisfies the workspace, as the rules rank it.
#[derive(Debug, Clone)]
pub struct Choice<'a> {
    pub install: &'a GoInstall,
    pub version: GoVersion,
    /// The GOROOT the login shell uses (same canonical path).
    pub shells: bool,
    /// Also at least every `toolchain` line (no download needed under GOTOOLCHAIN=auto).
    pub meets_toolchain: bool,
}

/// What the workspace asks of a Go: the highest `go` line and the highest `toolchain` line of
/// every module in scope and every go.work (`toolchain default` asks nothing).
pub fn requirement(snapshot: &Snapshot) -> (Option<GoVersion>, Option<GoVersion>) {
    let files = crate::goenv::modules_in_scope(snapshot)
        .map(|(m, _)| m)
        .chain(snapshot.all_works());
    let mut go: Option<GoVersion> = None;
    let mut toolchain: Option<GoVersion> = None;
    for f in files {
        if let Some(v) = f.go.as_ref().and_then(|l| parse_version(l.value.trim())) {
            // `go 1.N` means the toolchain go1.N.0 (N ≥ 21): 1.25 < 1.25rc1 < 1.25.0.
            let v =
                crate::settings::gomod::toolchain_version_of_go_line(&v.to_string()).unwrap_or(v);
            go = go.max(Some(v));
        }
        let tc = f
            .toolchain
            .as_ref()
            .map(|l| l.value.trim())
            .filter(|v| v.starts_with("go"))
            .and_then(parse_version);
        toolchain = toolchain.max(tc);
    }
    (go, toolchain)
}

/// Installed SDKs that satisfy the workspace, best first: those meeting the `toolchain` lines
/// too, then the shell's, then the newest. `shell_goroot` is the GOROOT the shell uses.
pub fn satisfying<'a>(snapshot: &'a Snapshot, shell_goroot: Option<&str>) -> Vec<Choice<'a>> {
    let (go, toolchain) = requirement(snapshot);
    let mut out: Vec<Choice<'a>> = Vec::new();
    for inst in snapshot.installs.values() {
        let Some(version) = inst.version.as_deref().and_then(parse_version) else {
            continue;
        };
        if go.as_ref().is_some_and(|need| version < *need) || !complete(snapshot, inst) {
            continue;
        }
        // A workspace's own SDK is only inspected until the workspace is trusted.
        if !snapshot.trusted && Path::new(&inst.goroot).starts_with(&snapshot.folder) {
            continue;
        }
        // Two places leading to one SDK (a link and its target) are one choice.
        if out
            .iter()
            .any(|c| same_path(snapshot, &c.install.goroot, &inst.goroot))
        {
            continue;
        }
        let shells = shell_goroot
            .filter(|g| !g.is_empty())
            .is_some_and(|g| same_path(snapshot, g, &inst.goroot));
        let meets_toolchain = toolchain.as_ref().is_none_or(|need| version >= *need);
        out.push(Choice {
            install: inst,
            version,
            shells,
            meets_toolchain,
        });
    }
    out.sort_by(|a, b| {
        (b.meets_toolchain, b.shells, &b.version).cmp(&(a.meets_toolchain, a.shells, &a.version))
    });
    out
}

/// A complete GOROOT per facts (bin/go, src, pkg/tool), or one facts never stat'ed.
fn complete(snapshot: &Snapshot, inst: &GoInstall) -> bool {
    match path_facts(snapshot, &inst.goroot) {
        Some(p) => {
            p.exists
                && p.kind == Some(FileKind::Dir)
                && p.readable
                && p.goroot_layout.as_ref().is_none_or(|l| {
                    l.has_bin_go && l.bin_go_executable && l.has_src && l.has_pkg_tool
                })
        }
        None => true,
    }
}
