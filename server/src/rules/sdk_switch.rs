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
use super::resolve::{self, same_path, tilde};
use super::Ctx;
use crate::model::{EditorKind, Fix, FixAction, GoInstall, SettingKey, Snapshot};
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::goenv::sdks::{requirement, satisfying, Choice};

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
