//! The Go tools each side's editor runs, found the way that editor finds them and read — never
//! run — for their build information (`goport::buildinfo`). A tool binary is whatever the user
//! (or a workspace) put on disk: reading its bytes is safe, executing it to ask `-version` is
//! not, and would cost a process per tool per check.
//!
//! VS Code (vscode-go, `extension/src/utils/pathUtils.ts`,
//! `getBinPathWithPreferredGopathGorootWithExplanation`, called with the preferred GOPATHs
//! `[go.toolsGopath, the current GOPATH]`): an absolute `go.alternateTools.<tool>` that is an
//! executable file; else the binary name (`go.alternateTools.<tool>` when it is a bare name) is
//! looked for in the extension's own `GOBIN` (its process environment, not `go.toolsEnvVars`),
//! then in `bin` of each entry of `go.toolsGopath` and of GOPATH, then in `$GOROOT/bin`, then on
//! PATH. Every other client, and the login shell, run the first one on PATH.

use super::fs;
use crate::goenv::resolve::{self, EffectiveSide};
use crate::goport::buildinfo;
use crate::model::{
    EditorKind, SettingKey, SideKind, Snapshot, ToolBuild, ToolFacts, ToolFoundBy, TOOLS,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Larger binaries are not read (gopls is about 40 MB; a tool ten times that is not one).
const MAX_TOOL_BYTES: u64 = 256 << 20;

/// Fill `tools` of each side of `snap` (and of its editor views).
pub fn discover(snap: &mut Snapshot) {
    let mut cache = BTreeMap::new();
    discover_one(snap, &mut cache);
    let mut views = std::mem::take(&mut snap.editor_views);
    for view in &mut views {
        discover_one(view, &mut cache);
    }
    snap.editor_views = views;
}

type Cache = BTreeMap<PathBuf, Result<ToolBuild, String>>;

fn discover_one(snap: &mut Snapshot, cache: &mut Cache) {
    for kind in [SideKind::Editor, SideKind::Shell] {
        let Some(side) = resolve::effective(snap, kind) else {
            continue;
        };
        let vscode = kind == SideKind::Editor && snap.editor_kind == EditorKind::VsCode;
        let tools: Vec<ToolFacts> = TOOLS
            .iter()
            .filter_map(|tool| {
                let (path, found_by) = if vscode {
                    vscode_lookup(snap, &side, tool)?
                } else {
                    (on_path(&side.path_entries, tool)?, ToolFoundBy::Path)
                };
                let build = cache.entry(path.clone()).or_insert_with(|| read(&path));
                Some(ToolFacts {
                    name: tool.to_string(),
                    path,
                    found_by,
                    build: build.clone(),
                })
            })
            .collect();
        match kind {
            SideKind::Editor => snap.editor.tools = tools,
            SideKind::Shell => {
                if let Some(shell) = &mut snap.shell {
                    shell.tools = tools;
                }
            }
        }
    }
}

fn read(path: &Path) -> Result<ToolBuild, String> {
    let bytes = fs::read_bounded(path, MAX_TOOL_BYTES).map_err(|e| e.to_string())?;
    let info = buildinfo::read(&bytes).map_err(|e| e.to_string())?;
    Ok(ToolBuild {
        go_version: info.go_version,
        package: info.path,
        module: info.module_path,
        module_version: info.module_version,
        goos: info.goos,
        goarch: info.goarch,
    })
}

fn executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn in_dirs<'a>(dirs: impl IntoIterator<Item = &'a Path>, name: &str) -> Option<PathBuf> {
    dirs.into_iter()
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| d.join(name))
        .find(|p| executable(p))
}

fn on_path(entries: &[PathBuf], name: &str) -> Option<PathBuf> {
    in_dirs(entries.iter().map(PathBuf::as_path), name)
}

fn vscode_lookup(
    snap: &Snapshot,
    side: &EffectiveSide,
    tool: &str,
) -> Option<(PathBuf, ToolFoundBy)> {
    let alternate = snap
        .settings
        .get(&SettingKey::AlternateTool(tool.to_string()))
        .map(|c| c.value.clone())
        .filter(|v| !v.is_empty());
    if let Some(alt) = &alternate {
        let p = Path::new(alt);
        if p.is_absolute() && executable(p) {
            return Some((p.to_path_buf(), ToolFoundBy::AlternateTools));
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
    if let Some(gobin) = snap.editor.os_env.get("GOBIN") {
        if let Some(p) = in_dirs([Path::new(gobin)], name) {
            return Some((p, how(ToolFoundBy::Gobin)));
        }
    }
    let tools_gopath = snap
        .settings
        .get("go.toolsGopath")
        .map(|c| resolve::split_list(&c.value))
        .unwrap_or_default();
    let bins = |list: &[String]| -> Vec<PathBuf> {
        list.iter()
            .filter(|e| !e.is_empty())
            .map(|e| Path::new(e).join("bin"))
            .collect()
    };
    if let Some(p) = in_dirs(bins(&tools_gopath).iter().map(PathBuf::as_path), name) {
        return Some((p, how(ToolFoundBy::ToolsGopath)));
    }
    let gopath = resolve::split_list(side.value("GOPATH"));
    if let Some(p) = in_dirs(bins(&gopath).iter().map(PathBuf::as_path), name) {
        return Some((p, how(ToolFoundBy::Gopath)));
    }
    let goroot = side.goroot();
    if !goroot.is_empty() {
        if let Some(p) = in_dirs([Path::new(goroot).join("bin").as_path()], name) {
            return Some((p, how(ToolFoundBy::Goroot)));
        }
    }
    on_path(&side.path_entries, name).map(|p| (p, how(ToolFoundBy::Path)))
}
