//! GOROOT and the `go` binary: go-not-found, goroot-mismatch, go-version-mismatch,
//! goroot-missing, goroot-dangling-symlink, goroot-not-a-goroot, goroot-unreadable,
//! goroot-version-skew, goroot-explicit, goroot-in-env-file, untrusted-not-executed.
//!
//! Paths unknown to the facts layer (absent from `snapshot.paths`) yield nothing. A problem
//! that holds on both sides with the same value and the same origin is reported once, with
//! both side values; otherwise once per side.

use super::resolve::{
    self, canonical, go_found_words, goroot_origin_words, lookup_install, origin_words, path_facts,
    same_path, settings_file_words, tilde, EffectiveSide,
};
use super::toolchain::{parse_version, GoVersion};
use super::{finding, setting_location, Ctx};
use crate::model::{
    CommandResult, Configured, FileKind, Finding, Fix, FixAction, GoFoundBy, Origin, PathFacts,
    SettingKey, SettingsLayer, SideKind, SideValue,
};
use std::path::PathBuf;

pub fn findings(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    go_not_found(ctx, &mut out);
    untrusted_not_executed(ctx, &mut out);
    goroot_paths(ctx, &mut out);
    version_skew(ctx, &mut out);
    explicit(ctx, &mut out);
    in_env_file(ctx, &mut out);
    mismatch(ctx, &mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// The folder `.vscode/settings.json` (fixes create it when absent).
pub(crate) fn folder_settings(ctx: &Ctx) -> PathBuf {
    ctx.snapshot
        .settings
        .file(SettingsLayer::Folder)
        .map(|f| f.path.clone())
        .unwrap_or_else(|| ctx.snapshot.folder.join(".vscode").join("settings.json"))
}

/// The file a setting is written to: where it is configured now (the winning layer), else the
/// folder settings. A client-only value has no file: the folder settings are the candidate,
/// and simulation drops the fix (the client's value stays above it).
pub(crate) fn settings_target(ctx: &Ctx, key: &SettingKey) -> PathBuf {
    ctx.snapshot
        .settings
        .get(key)
        .and_then(|c| c.place())
        .map(|p| p.file.clone())
        .unwrap_or_else(|| folder_settings(ctx))
}

pub(crate) fn set_setting(ctx: &Ctx, key: &SettingKey, value: &str, why: &str) -> Fix {
    let file = settings_target(ctx, key);
    Fix {
        title: format!(
            "Set {} to {} in {}{why}",
            resolve::setting_key_words(&file, key),
            crate::redact::redact(value),
            settings_file_words(ctx.snapshot, &file)
        ),
        action: FixAction::SetSetting {
            file,
            key: key.clone(),
            value: value.to_string(),
        },
    }
}

/// Remove every configured member of `key` (each layer that has one), highest layer first.
/// A client-only value is no member of any file: there is nothing to remove it from.
pub(crate) fn remove_settings(ctx: &Ctx, key: &SettingKey, why: &str) -> Vec<Fix> {
    let mut vals: Vec<&Configured> = ctx
        .snapshot
        .settings
        .values
        .iter()
        .filter(|c| c.key == *key)
        .collect();
    vals.sort_by_key(|c| std::cmp::Reverse(c.layer));
    vals.into_iter()
        .filter_map(|c| c.place())
        .map(|p| Fix {
            title: format!(
                "Remove {} from {}{why}",
                resolve::setting_key_words(&p.file, key),
                settings_file_words(ctx.snapshot, &p.file)
            ),
            action: FixAction::RemoveSetting {
                file: p.file.clone(),
                key: key.clone(),
            },
        })
        .collect()
}

/// The editor's display name ("VS Code" when unnamed).
pub(crate) fn editor_name<'a>(ctx: &Ctx<'a>) -> &'a str {
    let name = ctx.snapshot.settings.editor_name.as_str();
    if name.is_empty() {
        "VS Code"
    } else {
        name
    }
}

/// The editor side is a JetBrains IDE (its Go SDK comes from `.idea/workspace.xml` only):
/// decided by the kind of editor, never by its display name.
pub(crate) fn jetbrains(ctx: &Ctx) -> bool {
    ctx.snapshot.editor_kind == crate::model::EditorKind::JetBrains
}

/// A side value for GOROOT-like subjects: an explicit value with origin and version.
fn sv(value: &str, origin: &Origin, go_version: Option<&String>) -> SideValue {
    SideValue::configured(
        crate::redact::redact(value),
        origin.clone(),
        go_version.cloned(),
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn version_words(side: &EffectiveSide) -> String {
    side.go_version
        .clone()
        .unwrap_or_else(|| "unknown version".into())
}

/// Origin in words for one or several sides with an identical origin.
fn origin_words_for(ctx: &Ctx, sides: &[&EffectiveSide], key: &str, origin: &Origin) -> String {
    if matches!(origin, Origin::OsEnv) && sides.len() > 1 {
        return format!(
            "set in the environment of both {}",
            sides
                .iter()
                .map(|s| s.label.clone())
                .collect::<Vec<_>>()
                .join(" and ")
        );
    }
    let label = sides.first().map(|s| s.label.as_str()).unwrap_or("");
    origin_words(ctx.snapshot, label, key, origin)
}

/// Attach side values to a finding.
fn attach(f: &mut Finding, sides: &[&EffectiveSide], value: &str, origin: &Origin) {
    for s in sides {
        let v = sv(value, origin, s.go_version.as_ref());
        f.set_side(s.kind, v);
    }
}

/// Whether `go` can still run with this side's env (for `go env -u`): its effective GOROOT is
/// an existing directory, or unknown to facts.
fn go_can_run(ctx: &Ctx, side: &EffectiveSide) -> bool {
    if side.go.is_none() {
        return false;
    }
    let g = side.goroot();
    if g.is_empty() {
        return true;
    }
    match path_facts(ctx.snapshot, g) {
        Some(p) => p.exists && p.kind == Some(FileKind::Dir),
        None => true,
    }
}

/// The side whose environment `go env -w/-u` runs with: the shell, else the editor.
fn env_writer<'a>(ctx: &'a Ctx) -> Option<&'a EffectiveSide> {
    ctx.shell.as_deref().or(ctx.editor.as_ref())
}

/// Fixes that take an env-file GOROOT line away: `go env -u GOROOT` when the writing side's
/// Go is ≤ 1.26 and can run, else (or then) the direct line edit. Go 1.27 refuses
/// `go env -u GOROOT` ("go: GOROOT cannot be modified"), so the line edit comes first there.
fn env_file_goroot_fixes(ctx: &Ctx, path: &std::path::Path, line: u32) -> Vec<Fix> {
    let remove_line = Fix {
        title: format!(
            "Delete the GOROOT line from {} (line {line})",
            tilde(ctx.snapshot, path)
        ),
        action: FixAction::EnvFileRemoveLine {
            file: path.to_path_buf(),
            key: "GOROOT".into(),
            line,
        },
    };
    let unset = Fix {
        title: "Run `go env -u GOROOT`".into(),
        action: FixAction::GoEnvUnset {
            key: "GOROOT".into(),
        },
    };
    let writer = env_writer(ctx);
    let modern = writer
        .and_then(|w| w.go_version.as_deref())
        .is_some_and(refuses_goroot_unset);
    let can_run = writer.is_some_and(|w| go_can_run(ctx, w));
    if !modern && can_run {
        vec![unset, remove_line]
    } else {
        vec![remove_line]
    }
}

/// Go 1.27+ refuses `go env -u GOROOT` / `-w GOROOT=` ("go: GOROOT cannot be modified").
fn refuses_goroot_unset(version: &str) -> bool {
    match (parse_version(version), parse_version("1.27rc1")) {
        (Some(v), Some(min)) => v >= min,
        _ => false,
    }
}

/// Installs sorted best first for a replacement GOROOT: the version hinted by `hint` (e.g. a
/// Cellar path `…/go/1.21.5/libexec`), then the same major.minor, then newest first.
fn installs_by_preference<'a>(ctx: &'a Ctx, hint: &str) -> Vec<&'a crate::model::GoInstall> {
    let hinted: Option<GoVersion> = hint
        .split(['/', '\\', '@', '-'])
        .rev()
        .find_map(|seg| parse_version(seg.trim_start_matches("go")));
    let mut v: Vec<&crate::model::GoInstall> = ctx
        .snapshot
        .installs
        .values()
        .filter(|i| !same_path(ctx.snapshot, &i.goroot, hint))
        .filter(|i| {
            path_facts(ctx.snapshot, &i.goroot)
                .is_none_or(|p| p.exists && p.kind == Some(FileKind::Dir))
        })
        .collect();
    v.sort_by_key(|i| {
        let ver = i.version.as_deref().and_then(parse_version);
        let exact = hinted.is_some() && ver == hinted;
        let same_minor = match (&ver, &hinted) {
            (Some(a), Some(b)) => a.major == b.major && a.minor == b.minor,
            _ => false,
        };
        (
            std::cmp::Reverse(exact),
            std::cmp::Reverse(same_minor),
            std::cmp::Reverse(ver),
        )
    });
    v
}

/// A usable GOROOT (exists as a dir with a complete layout, or unknown to facts).
fn goroot_usable(ctx: &Ctx, g: &str) -> bool {
    match path_facts(ctx.snapshot, g) {
        Some(p) => {
            p.exists
                && p.kind == Some(FileKind::Dir)
                && p.readable
                && p.goroot_layout
                    .as_ref()
                    .is_none_or(|l| l.has_bin_go && l.has_src && l.has_pkg_tool)
        }
        None => true,
    }
}

/// Fixes that point the editor at a good GOROOT instead of `bad` coming from `origin`:
/// remove the offending setting, follow the shell, use an installed SDK.
fn editor_goroot_fixes(ctx: &Ctx, origin: &Origin, bad: &str) -> Vec<Fix> {
    let mut fixes = Vec::new();
    if let Origin::EditorSetting { key, .. } = origin {
        fixes.extend(remove_settings(ctx, key, ""));
    }
    // A GOROOT in `go.toolsEnvVars` is changed where it is; any other origin gets `go.goroot`.
    let key = match origin.setting_key() {
        Some(k @ SettingKey::ToolsEnvVar(var)) if var == "GOROOT" => k.clone(),
        _ => SettingKey::GoGoroot,
    };
    if let Some(shell) = &ctx.shell {
        let g = shell.goroot();
        if !g.is_empty() && !same_path(ctx.snapshot, g, bad) && goroot_usable(ctx, g) {
            fixes.push(set_setting(ctx, &key, g, " (the GOROOT your shell uses)"));
        }
    }
    for inst in installs_by_preference(ctx, bad).into_iter().take(2) {
        let why = match &inst.version {
            Some(v) => format!(" (installed {v})"),
            None => " (an installed Go)".into(),
        };
        fixes.push(set_setting(ctx, &key, &inst.goroot, &why));
    }
    fixes
}

/// Fixes for a bad GOROOT value on the given sides, by where it comes from.
fn goroot_source_fixes(
    ctx: &Ctx,
    sides: &[&EffectiveSide],
    origin: &Origin,
    bad: &str,
) -> Vec<Fix> {
    match origin {
        Origin::EnvFile { path, line } => env_file_goroot_fixes(ctx, path, *line),
        // A client-only value: candidates only, simulation keeps none that a file cannot
        // override (the client's answer stays above every file).
        Origin::EditorSetting { .. } | Origin::ClientSetting { .. } => {
            editor_goroot_fixes(ctx, origin, bad)
        }
        Origin::OsEnv if sides.iter().all(|s| s.kind == SideKind::Editor) => {
            editor_goroot_fixes(ctx, origin, bad)
        }
        _ => Vec::new(),
    }
}

fn shell_rc_hint(sides: &[&EffectiveSide], origin: &Origin) -> &'static str {
    if matches!(origin, Origin::OsEnv) && sides.iter().any(|s| s.kind == SideKind::Shell) {
        " It is exported by your shell's startup files (often a version manager such as gvm or goenv): remove that export."
    } else {
        ""
    }
}

// ---------------------------------------------------------------------------------------------
// go-not-found
// ---------------------------------------------------------------------------------------------

fn go_not_found(ctx: &Ctx, out: &mut Vec<Finding>) {
    let missing: Vec<&EffectiveSide> = ctx.sides().filter(|s| s.go.is_none()).collect();
    if missing.is_empty() {
        return;
    }
    let mut parts = Vec::new();
    for s in &missing {
        let mut why = match s.kind {
            SideKind::Editor if jetbrains(ctx) => {
                let bad_root = s
                    .goroot_setting
                    .as_ref()
                    .filter(|g| !s.goroot_setting_honoured && !g.value.is_empty());
                if let Some(g) = bad_root {
                    format!(
                        "no Go SDK: {} in {}, {}, is not a valid Go SDK directory",
                        crate::settings::idea::setting_words(&g.key).unwrap_or_else(|| g.key.to_string()),
                        resolve::setting_place_words(ctx.snapshot, g),
                        g.value
                    )
                } else if ctx.snapshot.settings.files.iter().any(|f| f.error.is_some()) {
                    "no Go SDK: .idea/workspace.xml cannot be parsed".to_string()
                } else {
                    "no Go SDK: .idea/workspace.xml names no GOROOT (GoLand says \"GOROOT is not defined\")".to_string()
                }
            }
            // vscode-go's own search; every other editor (and a terminal) takes PATH's first.
            SideKind::Editor if ctx.snapshot.editor_kind == crate::model::EditorKind::VsCode => {
                "no `go` in GOBIN, GOROOT/bin, on its PATH or at the usual places (/usr/local/go/bin/go, /usr/local/bin/go)".to_string()
            }
            SideKind::Editor => "no `go` on its PATH".to_string(),
            SideKind::Shell => "no `go` on its PATH".to_string(),
        };
        if s.kind == SideKind::Editor {
            if let Some(alt) = &s.alternate_go {
                if !s.alternate_go_used {
                    why.push_str(&format!(
                        "; go.alternateTools.go {} in {} is not an executable absolute path, so the Go extension skips it",
                        alt.value,
                        resolve::setting_place_words(ctx.snapshot, alt)
                    ));
                }
            }
            if let Some(g) = s.goroot_setting.as_ref().filter(|_| !jetbrains(ctx)) {
                if !s.goroot_setting_honoured {
                    why.push_str(&format!(
                        "; go.goroot {} in {} is not a valid GOROOT directory and is ignored",
                        g.value,
                        resolve::setting_place_words(ctx.snapshot, g)
                    ));
                }
            }
        }
        parts.push(format!("{} finds {why}", s.label));
    }
    let mut message = format!("No `go` binary: {}.", parts.join("; "));
    if let Some(shell) = ctx.shell.as_ref().filter(|s| s.go.is_some()) {
        if missing.iter().all(|s| s.kind == SideKind::Editor) {
            message.push_str(&format!(
                " Your shell finds {} ({}, GOROOT {}){}",
                shell
                    .go
                    .as_ref()
                    .map(|g| g.path.display().to_string())
                    .unwrap_or_default(),
                version_words(shell),
                shell.goroot(),
                if jetbrains(ctx) {
                    "; choose it under Settings → Go → GOROOT.".to_string()
                } else {
                    format!(
                        "; {} was probably started outside your login shell and does not see its PATH.",
                        editor_name(ctx)
                    )
                }
            ));
        }
    }
    // Installed but not where any side looks (a new user's first stumble): name it and say
    // how the shell finds it.
    let shell_missing = missing.iter().any(|s| s.kind == SideKind::Shell) || ctx.shell.is_none();
    if shell_missing {
        if let Some(inst) = installs_by_preference(ctx, "").into_iter().next() {
            let bin = std::path::Path::new(&inst.goroot).join("bin");
            message.push_str(&format!(
                " {} is installed in {}{}, but not on PATH: add `export PATH=\"{}:$PATH\"` to your shell's startup file (~/.profile, ~/.bash_profile or ~/.zprofile), then start the editor again from a new login.",
                inst.version.as_deref().unwrap_or("A Go SDK"),
                resolve::tilde(ctx.snapshot, std::path::Path::new(&inst.goroot)),
                inst.installed_by
                    .as_deref()
                    .map(|w| format!(" ({w})"))
                    .unwrap_or_default(),
                {
                    let shown = resolve::tilde(ctx.snapshot, &bin);
                    match shown.strip_prefix("~/") {
                        Some(rest) => format!("$HOME/{rest}"),
                        None => shown,
                    }
                },
            ));
        }
    }
    let mut f = finding("go-not-found", "go", message);
    for s in &missing {
        let v = SideValue::plain(None, None);
        f.set_side(s.kind, v);
    }
    let editor_missing = missing.iter().any(|s| s.kind == SideKind::Editor);
    let mut locs = Vec::new();
    if editor_missing {
        if let Some(e) = &ctx.editor {
            if let Some(alt) = e.alternate_go.as_ref().filter(|_| !e.alternate_go_used) {
                locs.extend(setting_location(alt));
            }
            if let Some(g) = e
                .goroot_setting
                .as_ref()
                .filter(|_| !e.goroot_setting_honoured)
            {
                locs.extend(setting_location(g));
            }
        }
    }
    if locs.is_empty() {
        locs.extend(ctx.module_location());
    }
    f.locations = locs;
    if editor_missing && missing.len() == 1 {
        let mut fixes = Vec::new();
        if let Some(e) = &ctx.editor {
            if e.alternate_go.is_some() && !e.alternate_go_used {
                fixes.extend(remove_settings(ctx, &SettingKey::alternate_go(), ""));
            }
        }
        // The shell's Go named as the installed SDK it is, when it is one; else by its root.
        fixes.extend(super::sdk_switch::use_installed_fixes(ctx));
        if let Some(shell) = &ctx.shell {
            let g = shell.goroot();
            if !g.is_empty() && goroot_usable(ctx, g) {
                fixes.push(set_setting(
                    ctx,
                    &SettingKey::GoGoroot,
                    g,
                    " (the GOROOT your shell uses)",
                ));
            }
        }
        f.fixes = fixes;
    }
    out.push(f);
}

// ---------------------------------------------------------------------------------------------
// untrusted-not-executed
// ---------------------------------------------------------------------------------------------

fn untrusted_not_executed(ctx: &Ctx, out: &mut Vec<Finding>) {
    if ctx.snapshot.trusted {
        return;
    }
    for side in ctx.sides() {
        let Some(go) = &side.go else { continue };
        let Some(CommandResult::NotRun { reason }) = resolve::go_env_result(ctx.snapshot, side)
        else {
            continue;
        };
        if reason == super::simulate::SIMULATED {
            continue;
        }
        if !(go.workspace_chosen || reason.to_lowercase().contains("trust")) {
            continue;
        }
        let chosen_by = go_found_words(ctx.snapshot, side);
        // A PATH entry or a user-level GOROOT can lead into the repository too: say which.
        let inside = go.path.is_relative() || go.path.starts_with(&ctx.snapshot.folder);
        let whose = if inside && go.found_by != GoFoundBy::AlternateTools {
            "which lives inside the workspace"
        } else {
            "which the workspace chose"
        };
        let message = format!(
            "{} would run {} ({}, {chosen_by}), {whose}; the workspace is not trusted, so it was inspected, not run: findings that need `go` to run are based on static facts (its VERSION file and layout). Trust the workspace (or run with --trust) to check it fully.",
            side.label,
            go.path.display(),
            go.static_version
                .clone()
                .unwrap_or_else(|| "version unknown".into()),
        );
        let mut f = finding("untrusted-not-executed", "go", message);
        let v = SideValue::plain(
            Some(go.path.display().to_string()),
            go.static_version.clone(),
        );
        f.set_side(side.kind, v);
        let mut locs = Vec::new();
        if go.found_by == GoFoundBy::AlternateTools {
            if let Some(c) = &side.alternate_go {
                locs.extend(setting_location(c));
            }
        }
        if go.found_by == GoFoundBy::GorootBin {
            if let Some(v) = side.get("GOROOT") {
                locs.extend(ctx.origin_location(&v.origin));
            }
        }
        if locs.is_empty() {
            locs.extend(ctx.module_location());
        }
        f.locations = locs;
        out.push(f);
    }
}

// ---------------------------------------------------------------------------------------------
// goroot-missing, goroot-dangling-symlink, goroot-not-a-goroot, goroot-unreadable
// ---------------------------------------------------------------------------------------------

/// A GOROOT value one side has, or a go.goroot the editor ignores.
#[derive(Clone)]
struct Candidate<'a> {
    side: &'a EffectiveSide,
    value: String,
    origin: Origin,
    /// `GOROOT`, or `go.goroot` for a setting the Go extension ignores.
    subject: &'static str,
}

fn candidates<'a>(ctx: &'a Ctx) -> Vec<Candidate<'a>> {
    let mut out = Vec::new();
    for side in ctx.sides() {
        if let Some(v) = side.get("GOROOT").filter(|v| !v.value.is_empty()) {
            out.push(Candidate {
                side,
                value: v.value.clone(),
                origin: v.origin.clone(),
                subject: "GOROOT",
            });
        }
        if let Some(c) = side
            .goroot_setting
            .as_ref()
            .filter(|c| !side.goroot_setting_honoured && !c.value.is_empty())
        {
            out.push(Candidate {
                side,
                value: c.value.clone(),
                origin: c.origin(),
                subject: SettingKey::GO_GOROOT,
            });
        }
    }
    out
}

/// Group candidates with the same subject, value and origin (one finding for both sides).
fn group<'a>(cands: Vec<Candidate<'a>>) -> Vec<Vec<Candidate<'a>>> {
    let mut groups: Vec<Vec<Candidate<'a>>> = Vec::new();
    for c in cands {
        match groups
            .iter_mut()
            .find(|g| g[0].subject == c.subject && g[0].value == c.value && g[0].origin == c.origin)
        {
            Some(g) => g.push(c),
            None => groups.push(vec![c]),
        }
    }
    groups
}

fn chain_words(p: &PathFacts) -> String {
    let mut s = p.path.display().to_string();
    for hop in &p.symlink_chain {
        s.push_str(&format!(" → {}", hop.target.display()));
    }
    s
}

fn goroot_paths(ctx: &Ctx, out: &mut Vec<Finding>) {
    for g in group(candidates(ctx)) {
        let c = &g[0];
        let sides: Vec<&EffectiveSide> = g.iter().map(|c| c.side).collect();
        let Some(p) = path_facts(ctx.snapshot, &c.value) else {
            continue;
        };
        let origin_w = origin_words_for(ctx, &sides, "GOROOT", &c.origin);
        let ignored = c.subject == SettingKey::GO_GOROOT;
        let subject_words = if ignored && jetbrains(ctx) {
            // "GoLand's GOROOT is set to X (Settings → Go → GOROOT in .idea/workspace.xml)".
            let place = origin_w
                .strip_prefix("from GOROOT (Settings → Go → GOROOT) ")
                .map(|rest| format!("Settings → Go → GOROOT, {rest}"))
                .unwrap_or_else(|| origin_w.clone());
            format!(
                "{}'s GOROOT is set to {} ({place})",
                editor_name(ctx),
                c.value,
            )
        } else if ignored {
            format!(
                "go.goroot is set to {} ({origin_w})",
                c.value,
                origin_w = origin_w.trim_start_matches("from go.goroot ")
            )
        } else {
            format!(
                "{} {} GOROOT {} ({origin_w})",
                resolve::who(&sides),
                if sides.len() > 1 { "use" } else { "uses" },
                c.value
            )
        };
        let consequence = if ignored && jetbrains(ctx) {
            format!(
                " {} has no Go SDK for this project (it never looks for `go` on PATH): builds, run configurations and code insight need one chosen under Settings → Go → GOROOT.",
                editor_name(ctx)
            )
        } else if ignored {
            let editor = c.side;
            let instead = if editor.go.is_some() && !editor.goroot().is_empty() {
                format!(
                    " and {} uses {} ({}, {}) instead",
                    editor.label,
                    editor.goroot(),
                    version_words(editor),
                    goroot_origin_words(ctx.snapshot, editor)
                )
            } else {
                String::new()
            };
            format!(
                " The Go extension ignores it (\"go.goroot setting is ignored. {} is not a valid GOROOT directory.\"){instead}.",
                c.value
            )
        } else {
            format!(
                " Every go command fails with \"go: cannot find GOROOT directory: {}\".",
                c.value
            )
        };
        let (code, message) = if p.symlink_loop || p.dangling_symlink {
            let what = if p.symlink_loop {
                "a symlink loop"
            } else {
                "a symlink chain that ends nowhere"
            };
            (
                "goroot-dangling-symlink",
                format!(
                    "{subject_words}, which is {what}: {}.{consequence}",
                    chain_words(p)
                ),
            )
        } else if !p.exists {
            let tinygo = if super::tinygo::managed_goroot(&c.value) {
                " It is TinyGo's cached GOROOT (set by the TinyGo extension for a target), \
                 which `tinygo` recreates: run `tinygo info <target>` for your target, or pick \
                 the target again with \"TinyGo: Select Target\"."
            } else {
                ""
            };
            (
                "goroot-missing",
                format!("{subject_words}, which does not exist.{consequence}{tinygo}"),
            )
        } else if matches!(p.kind, Some(FileKind::File | FileKind::Other)) {
            (
                "goroot-not-a-goroot",
                format!(
                    "{subject_words}, which is {}, not a Go installation.{}",
                    if p.kind == Some(FileKind::File) {
                        "a file"
                    } else {
                        "not a directory (a device, FIFO or socket)"
                    },
                    if ignored {
                        consequence
                    } else {
                        format!(
                            " Every go command fails with \"go: cannot find GOROOT directory: {}\".",
                            c.value
                        )
                    }
                ),
            )
        } else if !p.readable {
            (
                "goroot-unreadable",
                format!(
                    "{subject_words}, which cannot be read (permission denied{}).",
                    p.error
                        .as_ref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                ),
            )
        } else if let Some(layout) = &p.goroot_layout {
            let mut lacks = Vec::new();
            if !layout.has_bin_go {
                lacks.push("bin/go");
            }
            if !layout.has_src {
                lacks.push("src");
            }
            if !layout.has_pkg_tool {
                lacks.push("pkg/tool");
            }
            if !lacks.is_empty() {
                let symptom = if !layout.has_src {
                    format!(
                        " Builds fail with \"package fmt is not in std ({}/src/fmt)\".",
                        canonical(ctx.snapshot, &c.value)
                    )
                } else {
                    String::new()
                };
                (
                    "goroot-not-a-goroot",
                    format!(
                        "{subject_words}, which is not a Go installation: it has no {}.{symptom}",
                        lacks.join(", no ")
                    ),
                )
            } else if !layout.bin_go_executable {
                (
                    "goroot-unreadable",
                    format!("{subject_words}, but {}/bin/go is not executable.", c.value),
                )
            } else {
                continue;
            }
        } else {
            continue;
        };
        let rc = shell_rc_hint(&sides, &c.origin);
        let mut f = finding(code, c.subject, format!("{message}{rc}"));
        attach(&mut f, &sides, &c.value, &c.origin);
        f.locations = ctx.locations(&[&c.origin]);
        f.fixes = goroot_source_fixes(ctx, &sides, &c.origin, &c.value);
        if super::tinygo::managed_goroot(&c.value) && c.origin.setting_key().is_some() {
            // The TinyGo setup is deliberate: `tinygo` brings the root back, and removing or
            // replacing the setting would undo the setup instead.
            f.fixes.clear();
        }
        if ignored && jetbrains(ctx) {
            // Without a GOROOT component GoLand has no SDK at all: removing it fixes nothing.
            f.fixes
                .retain(|x| !matches!(x.action, FixAction::RemoveSetting { .. }));
        }
        out.push(f);
    }
}

// ---------------------------------------------------------------------------------------------
// goroot-version-skew
// ---------------------------------------------------------------------------------------------

fn version_skew(ctx: &Ctx, out: &mut Vec<Finding>) {
    let mut cands: Vec<Candidate> = Vec::new();
    for c in candidates(ctx)
        .into_iter()
        .filter(|c| c.subject == "GOROOT")
    {
        let side = c.side;
        let Some(go) = &side.go else { continue };
        if go
            .own_goroot
            .as_deref()
            .is_some_and(|own| same_path(ctx.snapshot, own, &c.value))
        {
            continue;
        }
        let Some(root_version) = path_facts(ctx.snapshot, &c.value)
            .filter(|p| p.exists)
            .and_then(|p| p.goroot_layout.as_ref())
            .and_then(|l| l.version.clone())
        else {
            continue;
        };
        let Some(bin_version) = side.go_version.clone() else {
            continue;
        };
        if root_version.trim() == bin_version.trim() {
            continue;
        }
        cands.push(c);
    }
    for g in group(cands) {
        let c = &g[0];
        let sides: Vec<&EffectiveSide> = g.iter().map(|c| c.side).collect();
        let side = c.side;
        let (Some(go), Some(bin_version)) = (&side.go, &side.go_version) else {
            continue;
        };
        let root_version = path_facts(ctx.snapshot, &c.value)
            .and_then(|p| p.goroot_layout.as_ref())
            .and_then(|l| l.version.clone())
            .unwrap_or_default();
        let message = format!(
            "{} runs {} ({bin_version}, {}) with GOROOT {} ({root_version}, {}): the standard library and tools belong to another Go version, so builds fail with \"compile: version \\\"{root_version}\\\" does not match go tool version \\\"{bin_version}\\\"\".{}{}",
            resolve::who(&sides),
            go.path.display(),
            go_found_words(ctx.snapshot, side),
            c.value,
            origin_words_for(ctx, &sides, "GOROOT", &c.origin),
            shell_rc_hint(&sides, &c.origin),
            vscode_differs(ctx, &sides, go),
        );
        let mut f = finding("goroot-version-skew", "GOROOT", message);
        attach(&mut f, &sides, &c.value, &c.origin);
        f.locations = ctx.locations(&[&c.origin]);
        let mut fixes = match &c.origin {
            Origin::EnvFile { path, line } => env_file_goroot_fixes(ctx, path, *line),
            Origin::EditorSetting { key, .. } => remove_settings(ctx, key, ""),
            _ => Vec::new(),
        };
        if sides.iter().all(|s| s.kind == SideKind::Editor) {
            if go.found_by == GoFoundBy::AlternateTools {
                fixes.extend(remove_settings(
                    ctx,
                    &SettingKey::alternate_go(),
                    &format!(" ({} then runs $GOROOT/bin/go)", editor_name(ctx)),
                ));
            }
            if let Some(own) = &go.own_goroot {
                fixes.push(set_setting(
                    ctx,
                    &SettingKey::GoGoroot,
                    own,
                    &format!(" (the root of {})", go.path.display()),
                ));
            }
        }
        f.fixes = fixes;
        out.push(f);
    }
}

/// For a process side that is not VS Code (a terminal, a CI job, another editor): when VS Code
/// with the same environment would run another `go` (vscode-go looks in $GOBIN and
/// $GOROOT/bin before PATH), say which, so the two results are not mistaken for each other.
fn vscode_differs(ctx: &Ctx, sides: &[&EffectiveSide], go: &crate::model::GoBinary) -> String {
    if ctx.snapshot.editor_kind != crate::model::EditorKind::Other
        || !sides.iter().any(|s| s.kind == SideKind::Editor)
    {
        return String::new();
    }
    let view = ctx
        .snapshot
        .editor_views
        .iter()
        .find(|v| v.editor_kind == crate::model::EditorKind::VsCode);
    let Some(vscode) = view.and_then(|v| resolve::effective(v, SideKind::Editor).map(|e| (v, e)))
    else {
        return String::new();
    };
    let (view, side) = vscode;
    match &side.go {
        Some(other) if other.path != go.path => format!(
            " VS Code would run {} instead ({}, {}).",
            other.path.display(),
            side.go_version.as_deref().unwrap_or("version unknown"),
            go_found_words(view, &side),
        ),
        None => " VS Code would find no go at all.".to_string(),
        _ => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// goroot-explicit
// ---------------------------------------------------------------------------------------------

fn explicit(ctx: &Ctx, out: &mut Vec<Finding>) {
    let mut cands = Vec::new();
    for c in candidates(ctx)
        .into_iter()
        .filter(|c| c.subject == "GOROOT")
    {
        if matches!(c.origin, Origin::Default) {
            continue;
        }
        let Some(go) = &c.side.go else { continue };
        // go.goroot chooses the binary itself (GOROOT/bin/go): that is its purpose.
        if go.found_by == GoFoundBy::GorootBin
            && c.origin.setting_key() == Some(&SettingKey::GoGoroot)
        {
            continue;
        }
        if !go
            .own_goroot
            .as_deref()
            .is_some_and(|own| same_path(ctx.snapshot, own, &c.value))
        {
            continue;
        }
        // A broken GOROOT is reported by the path rules.
        if !goroot_usable(ctx, &c.value) {
            continue;
        }
        cands.push(c);
    }
    for g in group(cands) {
        let c = &g[0];
        let sides: Vec<&EffectiveSide> = g.iter().map(|c| c.side).collect();
        let go_path = c
            .side
            .go
            .as_ref()
            .map(|g| g.path.display().to_string())
            .unwrap_or_default();
        let message = format!(
            "{} {} GOROOT to {} ({}), the root {go_path} finds by itself. Setting GOROOT is discouraged: it pins every go command to this installation and breaks per-folder version switching (asdf, mise, goenv) and toolchain upgrades.{}",
            resolve::who(&sides),
            if sides.len() > 1 { "set" } else { "sets" },
            c.value,
            origin_words_for(ctx, &sides, "GOROOT", &c.origin),
            shell_rc_hint(&sides, &c.origin),
        );
        let mut f = finding("goroot-explicit", "GOROOT", message);
        attach(&mut f, &sides, &c.value, &c.origin);
        f.locations = ctx.locations(&[&c.origin]);
        f.fixes = match &c.origin {
            Origin::EnvFile { path, line } => env_file_goroot_fixes(ctx, path, *line),
            Origin::EditorSetting { key, .. } => remove_settings(ctx, key, ""),
            _ => Vec::new(),
        };
        out.push(f);
    }
}

// ---------------------------------------------------------------------------------------------
// goroot-in-env-file
// ---------------------------------------------------------------------------------------------

fn in_env_file(ctx: &Ctx, out: &mut Vec<Finding>) {
    // (env file path, line, value) → sides.
    let mut groups: Vec<(PathBuf, u32, String, Vec<&EffectiveSide>)> = Vec::new();
    for side in ctx.sides() {
        let Some(facts) = resolve::side_facts(ctx.snapshot, side.kind) else {
            continue;
        };
        let Some(file) = facts.env_file.as_ref().filter(|f| f.exists) else {
            continue;
        };
        // An empty `GOROOT=` line counts as unset: cmd/go finds its own root.
        let Some(e) = file.get("GOROOT").filter(|e| !e.value.is_empty()) else {
            continue;
        };
        match groups
            .iter_mut()
            .find(|g| g.0 == file.path && g.1 == e.line && g.2 == e.value)
        {
            Some(g) => g.3.push(side),
            None => groups.push((file.path.clone(), e.line, e.value.clone(), vec![side])),
        }
    }
    for (path, line, value, sides) in groups {
        let origin = Origin::EnvFile {
            path: path.clone(),
            line,
        };
        let mut notes = Vec::new();
        if value.is_empty() {
            notes.push(
                "The line is empty, so it has no effect but can still confuse `go env -w`."
                    .to_string(),
            );
        } else if let Some(p) = path_facts(ctx.snapshot, &value) {
            if !p.exists {
                notes.push(format!(
                    "{value} does not exist, so every go command fails with \"go: cannot find GOROOT directory: {value}\" unless GOROOT is set in the environment."
                ));
            }
        }
        for s in &sides {
            if let Some(win) = s.get("GOROOT") {
                if !matches!(win.origin, Origin::EnvFile { .. }) && !value.is_empty() {
                    notes.push(format!(
                        "{} overrides it with {} ({}), but go still reads $GOROOT/go.env from {value}{}",
                        capitalize(&s.label),
                        win.value,
                        origin_words(ctx.snapshot, &s.label, "GOROOT", &win.origin),
                        if s.goroot_env_found {
                            "."
                        } else {
                            ", which has none: GOPROXY, GOSUMDB and GOTOOLCHAIN come out empty."
                        }
                    ));
                }
            }
        }
        let writer_version = env_writer(ctx).and_then(|w| w.go_version.clone());
        let modern = writer_version.as_deref().is_some_and(refuses_goroot_unset);
        if modern {
            notes.push("Go 1.27 refuses `go env -u GOROOT` (\"go: GOROOT cannot be modified\") yet still honours the line: delete it from the file.".into());
        }
        let message = format!(
            "Your go env file ({}:{line}) sets GOROOT={value}, used by {}. GOROOT in the env file overrides the root every `go` finds by itself, so switching Go versions (PATH, version managers, toolchain upgrades) silently keeps this one.{}",
            tilde(ctx.snapshot, &path),
            resolve::who(&sides),
            if notes.is_empty() {
                String::new()
            } else {
                format!(" {}", notes.join(" "))
            }
        );
        let mut f = finding("goroot-in-env-file", "GOROOT", message);
        attach(&mut f, &sides, &value, &origin);
        f.locations = ctx.locations(&[&origin]);
        f.fixes = env_file_goroot_fixes(ctx, &path, line);
        out.push(f);
    }
}

// ---------------------------------------------------------------------------------------------
// goroot-mismatch and go-version-mismatch
// ---------------------------------------------------------------------------------------------

fn mismatch(ctx: &Ctx, out: &mut Vec<Finding>) {
    let (Some(editor), Some(shell)) = (&ctx.editor, &ctx.shell) else {
        return;
    };
    if editor.go.is_none() || shell.go.is_none() {
        return;
    }
    let (eg, sg) = (editor.goroot(), shell.goroot());
    if eg.is_empty() || sg.is_empty() {
        return;
    }
    // TinyGo's cached GOROOT differs from the shell's on purpose (tinygo-managed says so);
    // making the editor follow the shell would undo the TinyGo setup.
    if super::tinygo::editor_managed_goroot(ctx).is_some() {
        return;
    }
    // When neither side sets GOROOT, each `go` uses its own root: two different `go` binaries
    // first on PATH. The user-visible problem is then the version, not a GOROOT setting.
    let implicit = |side: &EffectiveSide| {
        side.env
            .get("GOROOT")
            .is_none_or(|v| matches!(v.origin, Origin::Default))
    };
    let versions_differ =
        matches!((&editor.go_version, &shell.go_version), (Some(a), Some(b)) if a != b);
    let same_root = same_path(ctx.snapshot, eg, sg);
    let both_implicit = implicit(editor) && implicit(shell);
    if !(same_root || both_implicit && versions_differ) {
        let message = format!(
            "{} uses GOROOT {eg} ({}, {}) but {} uses {sg} ({}, {}).",
            editor.label,
            version_words(editor),
            goroot_origin_words(ctx.snapshot, editor),
            shell.label,
            version_words(shell),
            goroot_origin_words(ctx.snapshot, shell),
        );
        let mut f = finding("goroot-mismatch", "GOROOT", message);
        f.editor = Some(ctx.side_value(editor, "GOROOT"));
        f.shell = Some(ctx.side_value(shell, "GOROOT"));
        f.locations = mismatch_locations(ctx, editor, shell);
        f.fixes = follow_shell_fixes(ctx, editor, shell);
        out.push(f);
        return;
    }
    // Same GOROOT: do both sides run the same Go?
    let (Some(ev), Some(sv_)) = (&editor.go_version, &shell.go_version) else {
        return;
    };
    if ev == sv_ {
        return;
    }
    let (Some(ego), Some(sgo)) = (&editor.go, &shell.go) else {
        return;
    };
    let roots = if same_root {
        format!("both with GOROOT {sg}")
    } else {
        format!("each with its own GOROOT ({eg} and {sg})")
    };
    let message = format!(
        "{} runs {ev} ({}, {}) but {} runs {sv_} ({}, {}), {roots}.",
        editor.label,
        ego.path.display(),
        go_found_words(ctx.snapshot, editor),
        shell.label,
        sgo.path.display(),
        go_found_words(ctx.snapshot, shell),
    );
    let mut f = finding("go-version-mismatch", "go", message);
    f.editor = Some(SideValue::plain(
        Some(ego.path.display().to_string()),
        Some(ev.clone()),
    ));
    f.shell = Some(SideValue::plain(
        Some(sgo.path.display().to_string()),
        Some(sv_.clone()),
    ));
    f.locations = mismatch_locations(ctx, editor, shell);
    let mut fixes = Vec::new();
    fixes.extend(remove_settings(ctx, &SettingKey::alternate_go(), ""));
    fixes.extend(super::sdk_switch::use_installed_fixes(ctx));
    fixes.push(set_setting(
        ctx,
        &SettingKey::alternate_go(),
        &sgo.path.display().to_string(),
        " (the go your shell runs)",
    ));
    if let Some(own) = &sgo.own_goroot {
        fixes.push(set_setting(
            ctx,
            &SettingKey::GoGoroot,
            own,
            " (the GOROOT your shell's go uses)",
        ));
    }
    f.fixes = fixes;
    out.push(f);
}

/// Where the editor's choice is configured (its GOROOT origin, the alternateTools setting),
/// then the shell's when it is a file; else the module line.
fn mismatch_locations(
    ctx: &Ctx,
    editor: &EffectiveSide,
    shell: &EffectiveSide,
) -> Vec<crate::model::Location> {
    let mut origins: Vec<Origin> = Vec::new();
    if let Some(v) = editor.get("GOROOT") {
        origins.push(v.origin.clone());
    }
    if editor.alternate_go_used {
        if let Some(c) = &editor.alternate_go {
            origins.push(c.origin());
        }
    }
    if let Some(v) = shell.get("GOROOT") {
        origins.push(v.origin.clone());
    }
    let refs: Vec<&Origin> = origins.iter().collect();
    ctx.locations(&refs)
}

/// goroot-mismatch fixes: the editor follows the shell. Removing the editor's override is
/// preferred (simulation keeps it only when the editor then finds the shell's GOROOT by
/// itself); else point the editor at the shell's GOROOT where it is configured.
fn follow_shell_fixes(ctx: &Ctx, editor: &EffectiveSide, shell: &EffectiveSide) -> Vec<Fix> {
    let sg = shell.goroot();
    let mut fixes = Vec::new();
    let why = &format!(
        " ({} then finds the same Go as your shell)",
        editor_name(ctx)
    );
    fixes.extend(remove_settings(ctx, &SettingKey::GoGoroot, why));
    fixes.extend(remove_settings(ctx, &SettingKey::alternate_go(), why));
    fixes.extend(remove_settings(
        ctx,
        &SettingKey::tools_env_var("GOROOT"),
        why,
    ));
    fixes.extend(super::sdk_switch::use_installed_fixes(ctx));
    if !goroot_usable(ctx, sg) {
        return fixes;
    }
    let tools_goroot = ctx
        .snapshot
        .settings
        .tools_env_vars()
        .contains_key("GOROOT");
    if tools_goroot {
        fixes.push(set_setting(
            ctx,
            &SettingKey::tools_env_var("GOROOT"),
            sg,
            " (the GOROOT your shell uses)",
        ));
    }
    fixes.push(set_setting(
        ctx,
        &SettingKey::GoGoroot,
        sg,
        " (the GOROOT your shell uses)",
    ));
    if editor.alternate_go_used {
        if let Some(sgo) = &shell.go {
            fixes.push(set_setting(
                ctx,
                &SettingKey::alternate_go(),
                &sgo.path.display().to_string(),
                " (the go your shell runs)",
            ));
        }
    }
    if let Some(inst) = lookup_install(ctx.snapshot, sg) {
        if inst.goroot != sg {
            fixes.push(set_setting(
                ctx,
                &SettingKey::GoGoroot,
                &inst.goroot,
                " (your shell's Go)",
            ));
        }
    }
    fixes
}
