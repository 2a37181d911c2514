//! Fix simulation: the snapshot as it would be after a fix, computed purely, because a fix is
//! offered only if it works. [`super::check`] re-runs the raw rules on the result.
//!
//! Besides editing the fact the fix touches, `apply` invalidates the facts a change makes
//! stale: `go env -json` keys the fix changes are removed (resolve then computes them), and
//! failed `go` runs of an affected side become [`SIMULATED`] `NotRun`s (the failure may be
//! what the fix cures; nothing can tell without running `go` again).
//!
//! A client-only setting ([`SettingsLayer::Client`]) is never touched by a file edit: it is
//! the client's merged answer, above every file we could write (Neovim never reads
//! `.vscode/settings.json` at all), so a settings fix for its key simulates as changing
//! nothing and is dropped. We cannot tell which layer a VS Code profile or remote value came
//! from, so this errs on the side of offering no fix rather than one that may not work.

use crate::model::{
    Configured, EditorKind, EnvFileEntry, FileKind, FixAction, GorootLayout, PathFacts, SettingKey,
    SettingsFile, SettingsLayer, SideFacts, Snapshot, SourceSpan,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use crate::goenv::{invalidate_side, SIMULATED};

/// The snapshot after `fix`, with stale facts invalidated. Pure.
pub fn apply(snapshot: &Snapshot, fix: &FixAction) -> Snapshot {
    let mut s = snapshot.clone();
    match fix {
        // An editor that is neither VS Code nor GoLand never reads VS Code's settings files:
        // editing one changes nothing it does.
        FixAction::SetSetting { file, .. } | FixAction::RemoveSetting { file, .. }
            if s.editor_kind == EditorKind::Other && !crate::settings::idea::is_idea_file(file) => {
        }
        FixAction::SetSetting { file, key, value } => {
            let layer = layer_of(&s, file);
            s.settings
                .values
                .retain(|v| !(v.key == *key && in_file(v, file)));
            let substituted = substitute(&s, value);
            s.settings.values.push(Configured {
                key: key.clone(),
                raw: value.clone(),
                value: substituted.clone(),
                layer,
                span: SourceSpan {
                    file: file.clone(),
                    start: 0,
                    end: 0,
                    line: 1,
                    column: 1,
                },
            });
            match s.settings.files.iter_mut().find(|f| f.path == *file) {
                Some(f) => f.exists = true,
                None => s.settings.files.push(SettingsFile {
                    path: file.clone(),
                    layer,
                    exists: true,
                    error: None,
                    digest: None,
                }),
            }
            if *key == SettingKey::GoGoroot || key.tools_env_var_name() == Some("GOROOT") {
                add_install_path_facts(&mut s, &substituted);
            }
            if key.is_alternate_go() {
                add_known_binary_path_facts(&mut s, &substituted);
            }
            invalidate_setting(&mut s, key);
        }
        FixAction::RemoveSetting { file, key } => {
            s.settings
                .values
                .retain(|v| !(v.key == *key && in_file(v, file)));
            invalidate_setting(&mut s, key);
        }
        FixAction::GoEnvWrite { key, value } => {
            if let Some(path) = go_env_w_file(&s) {
                for side in sides_mut(&mut s) {
                    let Some(file) = side.env_file.as_mut().filter(|f| f.path == path) else {
                        continue;
                    };
                    file.exists = true;
                    // cmd/go: the first line of KEY is rewritten, later ones dropped.
                    let mut seen = false;
                    file.entries.retain_mut(|e| {
                        if e.key != *key {
                            return true;
                        }
                        if seen {
                            return false;
                        }
                        seen = true;
                        e.value = value.clone();
                        true
                    });
                    if !seen {
                        let line = file.entries.iter().map(|e| e.line).max().unwrap_or(0) + 1;
                        file.entries.push(EnvFileEntry {
                            key: key.clone(),
                            value: value.clone(),
                            line,
                        });
                    }
                    invalidate_side(side, &[key.as_str()]);
                }
            }
        }
        FixAction::GoEnvUnset { key } => {
            if let Some(path) = go_env_w_file(&s) {
                for side in sides_mut(&mut s) {
                    let Some(file) = side.env_file.as_mut().filter(|f| f.path == path) else {
                        continue;
                    };
                    file.entries.retain(|e| e.key != *key);
                    invalidate_side(side, &[key.as_str()]);
                }
            }
        }
        FixAction::EnvFileRemoveLine { file, key, line } => {
            for side in sides_mut(&mut s) {
                let Some(f) = side.env_file.as_mut().filter(|f| f.path == *file) else {
                    continue;
                };
                f.entries.retain(|e| !(e.line == *line && e.key == *key));
                invalidate_side(side, &[key.as_str()]);
            }
        }
        FixAction::CreateDirectory { path } => create_directory(&mut s, path),
        FixAction::EditorEnvironment {
            vars, sdk: Some(_), ..
        } => use_sdk_path(&mut s, vars),
        FixAction::EditorEnvironment { vars, withheld, .. } => {
            take_shell_environment(&mut s, vars, withheld)
        }
        FixAction::EditGoWork { file, edit } => {
            edit_go_work(&mut s, file, edit);
            let views = std::mem::take(&mut s.editor_views);
            s.editor_views = views
                .into_iter()
                .map(|mut v| {
                    edit_go_work(&mut v, file, edit);
                    v
                })
                .collect();
        }
        FixAction::InstallTool {
            side,
            tool,
            package,
            version,
            gobin,
            gotoolchain,
        } => install_tool(
            &mut s,
            *side,
            tool,
            package,
            version,
            gobin,
            gotoolchain.as_deref(),
        ),
        FixAction::CleanCache { gocache } => {
            let want = gocache.to_string_lossy();
            for (k, p) in s.paths.iter_mut() {
                if super::resolve::clean(k) == super::resolve::clean(&want) || p.path == *gocache {
                    p.populated = false;
                }
            }
        }
    }
    s
}

/// The tool after `go install`: `gobin/<tool>`, built by the Go the command runs — the
/// GOTOOLCHAIN minimum when it names one, else the side's own `go` — for the side's GOOS/GOARCH. A side
/// that already ran a tool at that path runs the new build; a side that found none finds it
/// if the directory is one it searches (VS Code's candidates, else PATH).
#[allow(clippy::too_many_arguments)]
fn install_tool(
    s: &mut Snapshot,
    side: crate::model::SideKind,
    tool: &str,
    package: &str,
    version: &str,
    gobin: &Path,
    gotoolchain: Option<&str>,
) {
    use crate::model::{SideKind, ToolBuild, ToolFacts};
    let Some(runner) = crate::goenv::resolve::effective(s, side) else {
        return;
    };
    let pinned = gotoolchain
        .and_then(|v| v.split('+').next())
        .filter(|v| v.starts_with("go"));
    let Some(built_with) = pinned
        .map(str::to_string)
        .or_else(|| runner.go_version.clone())
    else {
        return;
    };
    // `go install` builds for the side's GOOS/GOARCH, which default to the go command's own
    // platform (GOHOSTOS/GOHOSTARCH).
    let json = crate::goenv::resolve::go_env_result(s, &runner).and_then(|r| r.ok());
    let target = |k: &str, host: &str| {
        Some(runner.value(k))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .or_else(|| json.and_then(|m| m.get(k)).cloned())
            .or_else(|| json.and_then(|m| m.get(host)).cloned())
            .filter(|v| !v.is_empty())
    };
    let build = ToolBuild {
        go_version: built_with,
        package: Some(package.to_string()),
        module: None,
        module_version: version.starts_with('v').then(|| version.to_string()),
        goos: target("GOOS", "GOHOSTOS"),
        goarch: target("GOARCH", "GOHOSTARCH"),
    };
    let path = gobin.join(tool);
    for kind in [SideKind::Editor, SideKind::Shell] {
        let candidates: Vec<(PathBuf, crate::model::ToolFoundBy)> = {
            let Some(eff) = crate::goenv::resolve::effective(s, kind) else {
                continue;
            };
            if kind == SideKind::Editor && s.editor_kind == EditorKind::VsCode {
                crate::goenv::tools::vscode_candidates(s, &eff, tool)
            } else {
                eff.path_entries
                    .iter()
                    .map(|d| (d.join(tool), crate::model::ToolFoundBy::Path))
                    .collect()
            }
        };
        let facts = match kind {
            SideKind::Editor => &mut s.editor,
            SideKind::Shell => match s.shell.as_mut() {
                Some(f) => f,
                None => continue,
            },
        };
        match facts.tools.iter_mut().find(|t| t.name == tool) {
            Some(t) if t.path == path => t.build = Ok(build.clone()),
            Some(_) => {}
            None => {
                if let Some((_, found_by)) = candidates.into_iter().find(|(p, _)| *p == path) {
                    facts.tools.push(ToolFacts {
                        name: tool.to_string(),
                        path: path.clone(),
                        found_by,
                        build: Ok(build.clone()),
                    });
                }
            }
        }
    }
}

/// A go.work after the edit, as its facts (the file itself is edited by the front end).
fn edit_go_work(s: &mut Snapshot, file: &Path, edit: &crate::model::GoWorkEdit) {
    use crate::model::{GoWorkEdit, Line, SourceSpan, UseTarget};
    let module_dirs: Vec<PathBuf> = s
        .go_mod
        .iter()
        .chain(s.workspace.modules.iter().map(|m| &**m))
        .filter_map(|m| m.path.parent().map(Path::to_path_buf))
        .collect();
    let Some(w) = s
        .go_work
        .iter_mut()
        .chain(s.workspace.works.iter_mut())
        .find(|w| w.path == file)
    else {
        return;
    };
    let line = |value: &str| Line {
        value: value.to_string(),
        line: 1,
        span: SourceSpan {
            file: file.to_path_buf(),
            start: 0,
            end: 0,
            line: 1,
            column: 1,
        },
    };
    match edit {
        GoWorkEdit::SetGo { version } => match &mut w.go {
            Some(go) => go.value = version.clone(),
            None => w.go = Some(line(version)),
        },
        GoWorkEdit::AddUse { dirs } => {
            let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
            for d in dirs {
                w.uses.push(line(d));
                let dir = crate::settings::gomod::use_dir(&base, d);
                let target = if module_dirs.contains(&dir) {
                    UseTarget::Module
                } else {
                    UseTarget::Missing
                };
                s.workspace
                    .use_dirs
                    .insert(dir.to_string_lossy().into_owned(), target);
            }
        }
        GoWorkEdit::DropUse { dir } => w.uses.retain(|u| u.value != *dir),
    }
}

/// The editor started with the login shell's values of `vars` (the keys the user copies by
/// hand, `withheld`, too). The shell already ran its `go` with that environment: with the same
/// PATH the editor finds the same `go` and gets the same answers from it.
fn take_shell_environment(
    s: &mut Snapshot,
    vars: &BTreeMap<String, Option<String>>,
    withheld: &[String],
) {
    let Some(shell) = s.shell.clone().filter(super::resolve::probe_ok) else {
        return;
    };
    let editor = &mut s.editor;
    for (k, v) in vars {
        match v {
            Some(v) => editor.os_env.insert(k.clone(), v.clone()),
            None => editor.os_env.remove(k),
        };
    }
    for k in withheld {
        match shell.os_env.get(k) {
            Some(v) => editor.os_env.insert(k.clone(), v.clone()),
            None => editor.os_env.remove(k),
        };
    }
    if vars.contains_key("PATH") {
        editor.path_entries = shell.path_entries.clone();
        editor.path_go = shell.path_go.clone();
        editor.path_toolchains = shell.path_toolchains.clone();
        editor.c_compilers = shell.c_compilers.clone();
    }
    editor.env_file = shell.env_file.clone();
    for (root, file) in &shell.goroot_env_files {
        editor.goroot_env_files.insert(root.clone(), file.clone());
    }
    if editor.os_env == shell.os_env || vars.contains_key("PATH") {
        editor.go = shell.go.clone();
        editor.go_env = shell.go_env.clone();
        editor.go_version = shell.go_version.clone();
        editor.gotoolchain = shell.gotoolchain.clone();
    } else {
        let keys: Vec<&str> = vars.keys().map(String::as_str).collect();
        invalidate_side(editor, &keys);
    }
}

/// The editor started with an installed SDK's `bin` first on its PATH (`vars` as the
/// "Use installed goX.Y.Z" fix gives them): it then runs that SDK's `go`, whose version its
/// VERSION file tells; what that `go` would answer is unknown until it runs.
fn use_sdk_path(s: &mut Snapshot, vars: &BTreeMap<String, Option<String>>) {
    let folder = s.folder.clone();
    let installs = &s.installs;
    let editor = &mut s.editor;
    for (k, v) in vars {
        match v {
            Some(v) => editor.os_env.insert(k.clone(), v.clone()),
            None => editor.os_env.remove(k),
        };
    }
    let Some(Some(path)) = vars.get("PATH") else {
        return;
    };
    let sep = if path.contains(';') { ';' } else { ':' };
    editor.path_entries = path
        .split(sep)
        .filter(|e| !e.is_empty())
        .map(PathBuf::from)
        .collect();
    let first = editor.path_entries.first().and_then(|dir| {
        installs
            .values()
            .find(|i| i.go_binary.parent() == Some(dir.as_path()))
    });
    let Some(inst) = first else {
        let keys: Vec<&str> = vars.keys().map(String::as_str).collect();
        invalidate_side(editor, &keys);
        return;
    };
    let bin = crate::model::GoBinary {
        path: inst.go_binary.clone(),
        found_by: crate::model::GoFoundBy::Path,
        own_goroot: Some(inst.goroot.clone()),
        static_version: inst.version.clone(),
        executable: true,
        workspace_chosen: Path::new(&inst.goroot).starts_with(&folder),
    };
    editor.path_go = Some(bin.clone());
    editor.go = Some(bin);
    editor.go_env = Some(crate::model::CommandResult::NotRun {
        reason: SIMULATED.to_string(),
    });
    editor.go_version = Some(crate::model::CommandResult::NotRun {
        reason: SIMULATED.to_string(),
    });
    editor.gotoolchain = None;
}

/// Whether a settings value is a member of `file` (a client-only value is in no file).
fn in_file(v: &Configured, file: &Path) -> bool {
    v.place().is_some_and(|p| p.file == file)
}

/// `go env -w` runs with the shell-side environment: it writes the shell's env file (the
/// editor's when there is no shell side).
fn go_env_w_file(s: &Snapshot) -> Option<PathBuf> {
    s.shell
        .as_ref()
        .filter(|sh| super::resolve::probe_ok(sh))
        .and_then(|sh| sh.env_file.as_ref())
        .or(s.editor.env_file.as_ref())
        .map(|f| f.path.clone())
}

fn sides_mut(s: &mut Snapshot) -> impl Iterator<Item = &mut SideFacts> {
    std::iter::once(&mut s.editor).chain(s.shell.iter_mut())
}

/// The layer a settings file belongs to: as listed, else by its name.
fn layer_of(s: &Snapshot, file: &Path) -> SettingsLayer {
    if let Some(f) = s.settings.files.iter().find(|f| f.path == file) {
        return f.layer;
    }
    if let Some(v) = s.settings.values.iter().find(|v| in_file(v, file)) {
        return v.layer;
    }
    if file.extension().is_some_and(|e| e == "code-workspace") {
        SettingsLayer::Workspace
    } else if file.starts_with(&s.folder) {
        SettingsLayer::Folder
    } else {
        SettingsLayer::User
    }
}

/// vscode-go's substitutions that a fix value may use: `${workspaceFolder}`,
/// `${workspaceRoot}`, `${workspaceFolderBasename}`, a leading `~`.
fn substitute(s: &Snapshot, value: &str) -> String {
    let folder = s.folder.to_string_lossy();
    let base = s
        .folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut v = value
        .replace("${workspaceFolder}", &folder)
        .replace("${workspaceRoot}", &folder)
        .replace("${workspaceFolderBasename}", &base);
    if let (Some(rest), Some(home)) = (v.strip_prefix('~'), s.home.as_ref()) {
        if rest.is_empty() || rest.starts_with('/') || rest.starts_with('\\') {
            v = format!("{}{rest}", home.to_string_lossy());
        }
    }
    v
}

/// Setting go.goroot to an install the facts did not stat as a path: its facts follow from
/// the install (a complete GOROOT of that version).
fn add_install_path_facts(s: &mut Snapshot, goroot: &str) {
    if super::resolve::path_facts(s, goroot).is_some() {
        return;
    }
    let Some(inst) = s.installs.get(goroot).cloned() else {
        return;
    };
    s.paths.insert(
        goroot.to_string(),
        PathFacts {
            path: PathBuf::from(goroot),
            exists: true,
            kind: Some(FileKind::Dir),
            canonical: Some(PathBuf::from(goroot)),
            readable: true,
            executable: true,
            owner_uid: None,
            goroot_layout: Some(GorootLayout {
                version: inst.version.clone(),
                has_bin_go: true,
                bin_go_executable: true,
                has_src: true,
                has_pkg_tool: true,
            }),
            ..PathFacts::default()
        },
    );
}

/// Setting go.alternateTools.go to a `go` the facts know (a side's binary, an install's
/// bin/go) that was not stat'ed as a path: it is an existing executable file.
fn add_known_binary_path_facts(s: &mut Snapshot, path: &str) {
    if super::resolve::path_facts(s, path).is_some() {
        return;
    }
    let p = Path::new(path);
    let known = std::iter::once(&s.editor)
        .chain(s.shell.iter())
        .flat_map(|side| [side.go.as_ref(), side.path_go.as_ref()])
        .flatten()
        .any(|g| g.path == p && g.executable)
        || s.installs.values().any(|i| i.go_binary == p);
    if !known {
        return;
    }
    s.paths.insert(
        path.to_string(),
        PathFacts {
            path: p.to_path_buf(),
            exists: true,
            kind: Some(FileKind::File),
            canonical: Some(p.to_path_buf()),
            readable: true,
            executable: true,
            ..PathFacts::default()
        },
    );
}

/// Invalidates the Go env key a settings key feeds (editor side).
fn invalidate_setting(s: &mut Snapshot, key: &SettingKey) {
    if key.is_gopls() {
        return;
    }
    let keys: Vec<&str> = key.go_env_var().into_iter().collect();
    invalidate_side(&mut s.editor, &keys);
}

/// Mark `path` and its missing parents (those the facts know) as existing writable dirs.
fn create_directory(s: &mut Snapshot, path: &Path) {
    let uid = s.uid;
    let want = path.to_string_lossy().into_owned();
    // The filesystem of the nearest existing ancestor, if known.
    let fs_type = super::resolve::path_facts(s, &want)
        .and_then(|p| p.existing_ancestor.clone())
        .and_then(|a| super::resolve::path_facts(s, &a.to_string_lossy()).and_then(|p| p.fs_type));
    let mut touched = false;
    let mut updates: BTreeMap<String, ()> = BTreeMap::new();
    for (k, p) in s.paths.iter() {
        let kp = Path::new(k);
        let is_target = super::resolve::clean(k) == super::resolve::clean(&want);
        let is_missing_parent = !p.exists && path.starts_with(kp);
        if is_target || is_missing_parent {
            updates.insert(k.clone(), ());
        }
    }
    for k in updates.keys() {
        if let Some(p) = s.paths.get_mut(k) {
            mark_dir(p, uid, fs_type);
            touched = true;
        }
    }
    if !touched {
        let mut p = PathFacts {
            path: path.to_path_buf(),
            ..PathFacts::default()
        };
        mark_dir(&mut p, uid, fs_type);
        s.paths.insert(want, p);
    }
    // Paths below the new directory that were "missing" now have it as their ancestor.
    for (k, p) in s.paths.iter_mut() {
        if !p.exists && Path::new(k).starts_with(path) {
            p.existing_ancestor = Some(path.to_path_buf());
            p.ancestor_not_dir = false;
        }
    }
}

fn mark_dir(p: &mut PathFacts, uid: Option<u32>, fs_type: Option<crate::model::FsType>) {
    p.exists = true;
    p.kind = Some(FileKind::Dir);
    p.readable = true;
    p.writable = true;
    p.executable = true;
    p.populated = false;
    p.dangling_symlink = false;
    p.symlink_loop = false;
    p.ancestor_not_dir = false;
    p.existing_ancestor = None;
    p.error = None;
    if p.canonical.is_none() {
        p.canonical = Some(p.path.clone());
    }
    if p.owner_uid.is_none() {
        p.owner_uid = uid;
    }
    if p.fs_type.is_none() {
        p.fs_type = fs_type;
    }
}
