//! "Use installed goX.Y.Z": switching the editor to a Go SDK already on the machine
//! (`Snapshot::installs`, filled by `facts` from the installers' places and the GOROOTs seen),
//! for go-not-found, toolchain-too-old, go-version-mismatch and goroot-mismatch.
//!
//! The SDK is chosen statically: it must satisfy every module's and go.work's `go` line (and,
//! when one does, their `toolchain` lines too, so nothing is downloaded), the one the shell
//! uses comes first, then the newest. A broken layout, an unknown version, or an SDK inside an
//! untrusted workspace is never proposed. The fix is a candidate like any other: `rules::check`
//! keeps it only when simulating it clears the finding without a new error.
//!
//! How the editor is switched depends on which files it reads ([`EditorKind`]): VS Code's
//! `go.goroot` (or `go.alternateTools.go` when that is what decides its `go`), GoLand's GOROOT in
//! `.idea/workspace.xml`, and for every other client the lines for its own configuration that
//! put the SDK's `bin` first on its PATH.

use super::goroot::{set_setting, settings_target};
use super::resolve::{self, path_facts, same_path, tilde};
use super::toolchain::{parse_version, GoVersion};
use super::Ctx;
use crate::model::{EditorKind, FileKind, Fix, FixAction, GoInstall, SettingKey, Snapshot};
use std::collections::BTreeMap;
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

/// The "Use installed goX.Y.Z (path)" candidates for the editor side, best first (at most
/// two: the preferred SDK, and the next one in case simulation rejects it). The SDK the editor
/// already uses is none of them.
pub(super) fn use_installed_fixes(ctx: &Ctx) -> Vec<Fix> {
    let shell_goroot = ctx.shell.as_ref().map(|s| s.goroot());
    let current = ctx
        .editor
        .as_ref()
        .filter(|e| e.go.is_some())
        .map(|e| e.goroot().to_string())
        .filter(|g| !g.is_empty());
    satisfying(ctx.snapshot, shell_goroot)
        .into_iter()
        .filter(|c| {
            current
                .as_deref()
                .is_none_or(|g| !same_path(ctx.snapshot, g, &c.install.goroot))
        })
        .filter_map(|c| use_fix(ctx, c.install, c.shells))
        .take(2)
        .collect()
}

/// The words naming an SDK in a fix title: `go1.25.5 (~/sdk/go1.25.5)`.
pub fn sdk_words(snapshot: &Snapshot, inst: &GoInstall) -> String {
    format!(
        "{} ({})",
        inst.version.as_deref().unwrap_or("Go"),
        tilde(snapshot, Path::new(&inst.goroot))
    )
}

/// One editor's way to run `inst`.
fn use_fix(ctx: &Ctx, inst: &GoInstall, shells: bool) -> Option<Fix> {
    let sdk = sdk_words(ctx.snapshot, inst);
    let why = if shells { " (your shell's Go)" } else { "" };
    match ctx.snapshot.editor_kind {
        EditorKind::VsCode | EditorKind::JetBrains => {
            // vscode-go runs an executable absolute `go.alternateTools.go` before anything
            // under go.goroot: when that is what decides, it is what must change.
            let alternate = ctx.snapshot.editor_kind == EditorKind::VsCode
                && ctx.editor.as_ref().is_some_and(|e| e.alternate_go_used);
            let (key, value) = if alternate {
                (
                    SettingKey::alternate_go(),
                    inst.go_binary.display().to_string(),
                )
            } else {
                (SettingKey::GoGoroot, inst.goroot.clone())
            };
            let file = settings_target(ctx, &key);
            let mut fix = set_setting(ctx, &key, &value, "");
            fix.title = format!(
                "Use installed {sdk}: set {} in {}{why}",
                resolve::setting_key_words(&file, &key),
                resolve::settings_file_words(ctx.snapshot, &file)
            );
            Some(fix)
        }
        EditorKind::Other => {
            let editor = &ctx.snapshot.editor;
            let sep = if editor.os_env.get("PATH").is_some_and(|p| p.contains(';'))
                || inst.goroot.contains('\\')
            {
                ";"
            } else {
                ":"
            };
            let bin = Path::new(&inst.goroot).join("bin");
            let rest = editor.os_env.get("PATH").cloned().unwrap_or_default();
            let path = if rest.is_empty() {
                bin.display().to_string()
            } else {
                format!("{}{sep}{rest}", bin.display())
            };
            let mut vars: BTreeMap<String, Option<String>> = BTreeMap::new();
            vars.insert("PATH".into(), Some(path));
            // A GOROOT in the editor's environment would point the SDK's go elsewhere.
            if editor.os_env.get("GOROOT").is_some_and(|v| !v.is_empty()) {
                vars.insert("GOROOT".into(), None);
            }
            if vars
                .values()
                .flatten()
                .any(|v| crate::redact::has_credentials(v))
            {
                return None;
            }
            Some(Fix {
                title: format!(
                    "Use installed {sdk}{why}: put its bin first on {}'s PATH (show the lines to add)",
                    editor.label
                ),
                action: FixAction::EditorEnvironment {
                    editor: editor.label.clone(),
                    vars,
                    withheld: Vec::new(),
                    sdk: Some(tilde(ctx.snapshot, Path::new(&inst.goroot))),
                },
            })
        }
    }
}
