//! Where an editor looks for a Go tool binary, as data: `facts::tools` tries the candidates in
//! order (the first executable file wins); `rules::tools` names them when none is there and
//! picks the directory an install must write to.
//!
//! VS Code (vscode-go, `extension/src/utils/pathUtils.ts`,
//! `getBinPathWithPreferredGopathGorootWithExplanation`, called with the preferred GOPATHs
//! `[go.toolsGopath, the current GOPATH]`): an absolute `go.alternateTools.<tool>`; else the
//! binary name (`go.alternateTools.<tool>` when it is a bare name) in the extension's own `GOBIN`
//! (its process environment, not `go.toolsEnvVars`), then in `bin` of each entry of
//! `go.toolsGopath` and of GOPATH, then in `$GOROOT/bin`, then on PATH.

use super::resolve::{self, EffectiveSide};
use crate::model::{SettingKey, Snapshot, ToolFoundBy};
use std::path::{Path, PathBuf};

/// The paths VS Code tries for `tool`, in order, each with how it would have been found.
pub fn vscode_candidates(
    snap: &Snapshot,
    side: &EffectiveSide,
    tool: &str,
) -> Vec<(PathBuf, ToolFoundBy)> {
    let mut out = Vec::new();
    let alternate = snap
        .settings
        .get(&SettingKey::AlternateTool(tool.to_string()))
        .map(|c| c.value.clone())
        .filter(|v| !v.is_empty());
    if let Some(alt) = &alternate {
        let p = Path::new(alt);
        if p.is_absolute() {
            out.push((p.to_path_buf(), ToolFoundBy::AlternateTools));
        }
    }
    // A bare alternate name is looked up instead of the tool's own (and reported as chosen by
    // the setting).
    let bare = alternate.filter(|a| !Path::new(a).is_absolute());
    let name = bare.as_deref().unwrap_or(tool);
    let how = |by| {
        if bare.is_some() {
            ToolFoundBy::AlternateTools
        } else {
            by
        }
    };
    let mut push = |dir: &Path, by| {
        if !dir.as_os_str().is_empty() {
            out.push((dir.join(name), how(by)));
        }
    };
    if let Some(gobin) = snap.editor.os_env.get("GOBIN") {
        push(Path::new(gobin), ToolFoundBy::Gobin);
    }
    for dir in vscode_tools_gopath_bins(snap) {
        push(&dir, ToolFoundBy::ToolsGopath);
    }
    for e in resolve::split_list(side.value("GOPATH")) {
        if !e.is_empty() {
            push(&Path::new(&e).join("bin"), ToolFoundBy::Gopath);
        }
    }
    let goroot = side.goroot();
    if !goroot.is_empty() {
        push(&Path::new(goroot).join("bin"), ToolFoundBy::Goroot);
    }
    for dir in &side.path_entries {
        push(dir, ToolFoundBy::Path);
    }
    out
}

/// `bin` of each `go.toolsGopath` entry.
pub fn vscode_tools_gopath_bins(snap: &Snapshot) -> Vec<PathBuf> {
    snap.settings
        .get("go.toolsGopath")
        .map(|c| resolve::split_list(&c.value))
        .unwrap_or_default()
        .into_iter()
        .filter(|e| !e.is_empty())
        .map(|e| Path::new(&e).join("bin"))
        .collect()
}
