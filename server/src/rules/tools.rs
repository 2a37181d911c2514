//! The editor's Go tools, from their build information (`facts::tools`, never run):
//! tool-built-with-old-go, tool-wrong-arch, tool-missing; the `go install` fix that builds a tool
//! into the directory where the editor looks for it.
//!
//! A type checker built into a tool knows the Go language up to the Go that built it: gopls
//! built with go1.22 refuses a module whose `go` line says 1.25 ("package requires newer Go
//! version go1.25 (application built with go1.22)"), golangci-lint refuses to load ("the Go
//! language version (go1.23) used to build golangci-lint is lower than the targeted Go version
//! (1.24.1)"), staticcheck likewise. Formatters and the debugger are not judged: they do not
//! type-check the module.

use super::resolve::{self, EffectiveSide};
use super::{finding, Ctx};
use crate::model::{
    EditorKind, Finding, Fix, FixAction, GoModFacts, Location, SettingKey, SideValue, ToolBuild,
    ToolFacts, ToolFoundBy,
};
use crate::settings::gomod::{parse_version, GoVersion};
use std::path::{Path, PathBuf};

/// The tools that type-check the module with the Go they were built with.
const TYPE_CHECKERS: [&str; 3] = ["gopls", "golangci-lint", "staticcheck"];

pub fn findings(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for side in ctx.sides() {
        let Some(facts) = resolve::side_facts(ctx.snapshot, side.kind) else {
            continue;
        };
        for tool in &facts.tools {
            let Ok(build) = &tool.build else {
                continue;
            };
            old_go(ctx, side, tool, build, &mut out);
            wrong_arch(ctx, side, tool, build, &mut out);
        }
    }
    missing(ctx, &mut out);
    out
}

/// The package `go install` takes for each tool when nothing on disk says which (a missing
/// tool): the paths vscode-go installs them from (`extension/src/goToolsInformation.ts`).
fn package_of(tool: &str) -> Option<&'static str> {
    Some(match tool {
        "gopls" => "golang.org/x/tools/gopls",
        "dlv" => "github.com/go-delve/delve/cmd/dlv",
        "staticcheck" => "honnef.co/go/tools/cmd/staticcheck",
        "goimports" => "golang.org/x/tools/cmd/goimports",
        "gofumpt" => "mvdan.cc/gofumpt",
        _ => return None,
    })
}

/// The newest toolchain a module `go` line asks for (a bare `go 1.N` is `go1.N.0`).
fn newest_go_line(ctx: &Ctx) -> Option<GoVersion> {
    ctx.snapshot
        .all_modules()
        .filter_map(|m| {
            let v = m.go.as_ref()?.value.clone();
            crate::settings::gomod::toolchain_version_of_go_line(&v).or_else(|| parse_version(&v))
        })
        .max()
}

/// The install fix for `tool` on `side`: `GOBIN=<gobin> go install <package>@<version>`, with
/// `GOTOOLCHAIN=<need>+auto` when `need` is newer than the side's Go. `Err`: why no install can
/// work here (the needed toolchain cannot be downloaded), for the message.
fn install_fix(
    ctx: &Ctx,
    side: &EffectiveSide,
    tool: &str,
    package: &str,
    version: &str,
    gobin: &Path,
    need: Option<&GoVersion>,
) -> Result<Fix, String> {
    let running = side
        .go_version
        .as_deref()
        .and_then(|v| parse_version(v.trim_start_matches("go")));
    let newer = match (need, &running) {
        (Some(n), Some(r)) => n > r,
        (Some(_), None) => true,
        _ => false,
    };
    let gotc = side.value("GOTOOLCHAIN").to_string();
    let gotc_origin = side
        .get("GOTOOLCHAIN")
        .map(|v| resolve::origin_words(ctx.snapshot, &side.label, "GOTOOLCHAIN", &v.origin))
        .unwrap_or_else(|| "the default".into());
    if let Some(why) = cross_compiles(ctx, side) {
        return Err(why);
    }
    let forbidden = super::toolchain::switching_forbidden(side);
    let blocked = super::toolchain::download_blocked_words(side);
    let mut notes = Vec::new();
    let gotoolchain = match need.filter(|_| newer) {
        Some(n) => {
            let name = format!("go{}", n.to_string().trim_start_matches("go"));
            if let Some(why) = blocked {
                return Err(format!(
                    "{tool} must be built by {name} or newer, which {} does not have and cannot download: {why}; install Go {} or newer first",
                    side.label,
                    name.trim_start_matches("go")
                ));
            }
            notes.push(format!("downloads {name} to build it"));
            if forbidden {
                notes.push(format!(
                    "GOTOOLCHAIN={name}+auto overrides GOTOOLCHAIN={gotc} ({gotc_origin}) for this command only"
                ));
            }
            Some(format!("{name}+auto"))
        }
        None if version == "latest" && forbidden => {
            let running = side.go_version.clone().unwrap_or_default();
            if blocked.is_some() {
                notes.push(format!(
                    "fails if {tool}@latest needs a Go newer than {running}: GOTOOLCHAIN={gotc} ({gotc_origin})"
                ));
                None
            } else {
                notes.push(format!(
                    "GOTOOLCHAIN=auto overrides GOTOOLCHAIN={gotc} ({gotc_origin}) for this command only, in case {tool}@latest needs a Go newer than {running}"
                ));
                Some("auto".to_string())
            }
        }
        None => None,
    };
    let action = FixAction::InstallTool {
        side: side.kind,
        tool: tool.to_string(),
        package: package.to_string(),
        version: version.to_string(),
        gobin: gobin.to_path_buf(),
        gotoolchain,
    };
    let shown = crate::model::install_command_line(
        package,
        version,
        gobin,
        match &action {
            FixAction::InstallTool { gotoolchain, .. } => gotoolchain.as_deref(),
            _ => None,
        },
    );
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    };
    Ok(Fix {
        title: format!(
            "Install {tool} into {}: `{shown}`{notes}",
            resolve::tilde(ctx.snapshot, gobin)
        ),
        action,
    })
}

/// Why `go install` on this side cannot write the tool into a GOBIN: it builds for another
/// platform than its own (GOOS/GOARCH against `go env`'s GOHOSTOS/GOHOSTARCH), and with GOBIN
/// set `go` refuses ("go: cannot install cross-compiled binaries when GOBIN is set"). `None`
/// when it builds for its own platform or nothing says.
fn cross_compiles(ctx: &Ctx, side: &EffectiveSide) -> Option<String> {
    let json = resolve::go_env_result(ctx.snapshot, side).and_then(|r| r.ok())?;
    let mut set = Vec::new();
    let mut host_pair = Vec::new();
    let mut target_pair = Vec::new();
    for (key, host_key) in [("GOOS", "GOHOSTOS"), ("GOARCH", "GOHOSTARCH")] {
        let host = json.get(host_key).filter(|v| !v.is_empty())?;
        let target = Some(side.value(key))
            .filter(|v| !v.is_empty())
            .or_else(|| json.get(key).map(String::as_str).filter(|v| !v.is_empty()))
            .unwrap_or(host);
        if target != host {
            let origin = side
                .get(key)
                .map(|v| resolve::origin_words(ctx.snapshot, &side.label, key, &v.origin))
                .unwrap_or_else(|| "the default".into());
            set.push(format!("{key}={target}, {origin}"));
        }
        host_pair.push(host.clone());
        target_pair.push(target.to_string());
    }
    if set.is_empty() {
        return None;
    }
    Some(format!(
        "the go of {} builds for {} ({}), not for this machine's {}, and go install refuses to put a cross-compiled binary into GOBIN (\"go: cannot install cross-compiled binaries when GOBIN is set\"); unset {} there first",
        side.label,
        target_pair.join("/"),
        set.join("; "),
        host_pair.join("/"),
        set.iter()
            .filter_map(|s| s.split('=').next())
            .collect::<Vec<_>>()
            .join(" and ")
    ))
}

/// Where vscode-go's own "Install/Update Tools" puts a tool, which it then finds: the
/// extension's GOBIN, else `go.toolsGopath`'s first `bin`, else the first GOPATH entry's `bin`.
fn vscode_install_dir(ctx: &Ctx, side: &EffectiveSide) -> Option<PathBuf> {
    let gobin = ctx
        .snapshot
        .editor
        .os_env
        .get("GOBIN")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    gobin
        .or_else(|| {
            crate::goenv::tools::vscode_tools_gopath_bins(ctx.snapshot)
                .into_iter()
                .find(|p| p.is_absolute())
        })
        .or_else(|| {
            resolve::split_list(side.value("GOPATH"))
                .into_iter()
                .map(PathBuf::from)
                .find(|p| p.is_absolute())
                .map(|p| p.join("bin"))
        })
}

/// The places a lookup tried, in words: each directory (or setting) once, PATH as a count.
fn searched_words(ctx: &Ctx, candidates: &[(PathBuf, ToolFoundBy)]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut path_dirs = 0;
    for (p, by) in candidates {
        let dir = p.parent().unwrap_or(p);
        let shown = resolve::tilde(ctx.snapshot, dir);
        let part = match by {
            ToolFoundBy::AlternateTools => format!(
                "go.alternateTools ({}, not an executable file)",
                resolve::tilde(ctx.snapshot, p)
            ),
            ToolFoundBy::Gobin => format!("GOBIN ({shown})"),
            ToolFoundBy::ToolsGopath => format!("go.toolsGopath ({shown})"),
            ToolFoundBy::Gopath => format!("GOPATH/bin ({shown})"),
            ToolFoundBy::Goroot => format!("GOROOT/bin ({shown})"),
            ToolFoundBy::Path => {
                path_dirs += 1;
                continue;
            }
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    if path_dirs > 0 {
        parts.push(format!(
            "the {path_dirs} PATH director{}",
            if path_dirs == 1 { "y" } else { "ies" }
        ));
    }
    match parts.split_last() {
        None => "nowhere".into(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// tool-missing: VS Code with vscode-go's language server on (`go.useLanguageServer`, true by
/// default) runs gopls, and finds none where it looks. Other clients start whatever their own
/// configuration names, which we do not read; GoLand has no gopls: nothing is claimed for them.
fn missing(ctx: &Ctx, out: &mut Vec<Finding>) {
    let snap = ctx.snapshot;
    if snap.editor_kind != EditorKind::VsCode || !snap.editor.tools_looked_up {
        return;
    }
    let Some(side) = ctx.editor.as_ref() else {
        return;
    };
    if side.go.is_none() {
        return;
    }
    let use_ls = snap.settings.get("go.useLanguageServer");
    if use_ls.is_some_and(|c| c.value.trim() == "false") {
        return;
    }
    let tool = "gopls";
    if snap.editor.tools.iter().any(|t| t.name == tool) {
        return;
    }
    let Some(package) = package_of(tool) else {
        return;
    };
    let candidates = crate::goenv::tools::vscode_candidates(snap, side, tool);
    let alternate = snap
        .settings
        .get(&SettingKey::AlternateTool(tool.to_string()));
    let why_run = match use_ls {
        Some(_) => "go.useLanguageServer is on",
        None => "go.useLanguageServer is on by default",
    };
    let mut message = format!(
        "{} runs {tool} as its language server ({why_run}) but finds no {tool}: it looked in {}. vscode-go prompts to install it, and until then there is no completion, navigation or type checking in the editor.",
        side.label,
        searched_words(ctx, &candidates)
    );
    let mut f = finding("tool-missing", tool, message.clone());
    f.set_side(side.kind, SideValue::plain(None, side.go_version.clone()));
    match alternate.and_then(super::setting_location) {
        Some(loc) => f.locations.push(loc),
        None => f.locations.extend(ctx.module_location()),
    }
    // A bare alternate name is what VS Code looks for: an install of `gopls` does not make it.
    let bare_alternate =
        alternate.is_some_and(|c| !c.value.is_empty() && !Path::new(&c.value).is_absolute());
    if !bare_alternate {
        if let Some(dir) = vscode_install_dir(ctx, side) {
            match install_fix(
                ctx,
                side,
                tool,
                package,
                "latest",
                &dir,
                newest_go_line(ctx).as_ref(),
            ) {
                Ok(fix) => f.fixes.push(fix),
                Err(why) => {
                    message.push_str(&format!(" No install is offered: {why}."));
                    f.message = message;
                }
            }
        }
    }
    out.push(f);
}

/// The language version (major.minor) of a Go version or toolchain name.
fn lang(v: &str) -> Option<(u32, u32)> {
    let v: GoVersion = parse_version(v.trim_start_matches("go"))?;
    Some((v.major, v.minor))
}

fn go_line_location(m: &GoModFacts) -> Option<Location> {
    let l = m.go.as_ref()?;
    Some(Location {
        path: l.span.file.clone(),
        line: l.line,
        column: l.span.column,
        span: Some((l.span.start, l.span.end)),
    })
}

fn found_words(by: ToolFoundBy) -> &'static str {
    match by {
        ToolFoundBy::AlternateTools => "chosen by go.alternateTools",
        ToolFoundBy::Gobin => "found in GOBIN",
        ToolFoundBy::ToolsGopath => "found in go.toolsGopath",
        ToolFoundBy::Gopath => "found in GOPATH",
        ToolFoundBy::Goroot => "found in GOROOT/bin",
        ToolFoundBy::Path => "found on PATH",
    }
}

fn described(tool: &ToolFacts, build: &ToolBuild) -> String {
    let version = match (&build.module, &build.module_version) {
        (Some(m), Some(v)) => format!("{m} {v}"),
        (Some(m), None) => m.clone(),
        _ => "unknown module".into(),
    };
    format!(
        "{} at {} ({}; {version}, built with {})",
        tool.name,
        tool.path.display(),
        found_words(tool.found_by),
        build.go_version
    )
}

/// The directory `go install` writes to on this side: GOBIN, else the first GOPATH entry's bin.
fn install_dir(side: &EffectiveSide) -> Option<String> {
    let gobin = side.value("GOBIN");
    if !gobin.is_empty() {
        return Some(gobin.to_string());
    }
    resolve::split_list(side.value("GOPATH"))
        .into_iter()
        .find(|e| !e.is_empty())
        .map(|e| format!("{}/bin", e.trim_end_matches('/')))
}

/// The command that rebuilds the tool with a new enough Go, as text (the report and hovers show
/// the message; it is not a fix action, which the rules would have to simulate).
fn install_command(
    side: &EffectiveSide,
    tool: &ToolFacts,
    build: &ToolBuild,
    need: &str,
) -> String {
    let package = build
        .package
        .clone()
        .or_else(|| build.module.clone())
        .unwrap_or_else(|| tool.name.clone());
    let version = match build.module_version.as_deref() {
        Some(v) if v.starts_with('v') => v,
        _ => "latest",
    };
    let mut env = format!("GOTOOLCHAIN={need}+auto");
    let dir = install_dir(side);
    // Into the directory the tool was found in when `go install` would not write there itself.
    let found_dir = tool.path.parent().map(|p| p.display().to_string());
    if let Some(found) = &found_dir {
        if dir.as_deref() != Some(found.as_str()) {
            env = format!("GOBIN={found} {env}");
        }
    }
    format!("{env} go install {package}@{version}")
}

fn old_go(
    ctx: &Ctx,
    side: &EffectiveSide,
    tool: &ToolFacts,
    build: &ToolBuild,
    out: &mut Vec<Finding>,
) {
    if !TYPE_CHECKERS.contains(&tool.name.as_str()) {
        return;
    }
    let Some(built) = lang(&build.go_version) else {
        return;
    };
    for m in ctx.snapshot.all_modules() {
        let Some(go) = &m.go else {
            continue;
        };
        let Some(need) = lang(&go.value) else {
            continue;
        };
        if need <= built {
            continue;
        }
        // The toolchain to build with: the go line's own when it names a release, else the
        // first release of that language version.
        let toolchain = crate::settings::gomod::toolchain_version_of_go_line(&go.value)
            .map(|v| v.toolchain_name())
            .unwrap_or_else(|| format!("go{}.{}.0", need.0, need.1));
        let need_version = crate::settings::gomod::toolchain_version_of_go_line(&go.value)
            .or_else(|| parse_version(&format!("{}.{}.0", need.0, need.1)));
        let fix = rebuild_fix(ctx, side, tool, build, need_version.as_ref());
        let command = match &fix {
            Some(Ok(fix)) => match &fix.action {
                FixAction::InstallTool {
                    package,
                    version,
                    gobin,
                    gotoolchain,
                    ..
                } => crate::model::install_command_line(
                    package,
                    version,
                    gobin,
                    gotoolchain.as_deref(),
                ),
                _ => install_command(side, tool, build, &toolchain),
            },
            _ => install_command(side, tool, build, &toolchain),
        };
        let local = if side.value("GOTOOLCHAIN") == "local" {
            format!(
                " {} has GOTOOLCHAIN=local: the GOTOOLCHAIN in this command overrides it, but any go older than {toolchain} run without it refuses the module.",
                side.label
            )
        } else {
            String::new()
        };
        let mut message = format!(
            "{} of {} cannot handle {} `go {}`: {} type-checks with the Go it was built with and fails with \"package requires newer Go version go{}.{} (application built with {})\". Rebuild it with a new enough Go: `{command}`.{local}",
            described(tool, build),
            side.label,
            m.path.display(),
            go.value,
            tool.name,
            need.0,
            need.1,
            build.go_version,
        );
        if let Some(Err(why)) = &fix {
            message.push_str(&format!(" No rebuild is offered: {why}."));
        }
        let mut f = finding("tool-built-with-old-go", &tool.name, message);
        f.set_side(
            side.kind,
            SideValue::plain(
                Some(tool.path.display().to_string()),
                Some(build.go_version.clone()),
            ),
        );
        f.locations.extend(go_line_location(m));
        if let Some(Ok(fix)) = fix {
            f.fixes.push(fix);
        }
        out.push(f);
    }
}

/// The fix that rebuilds a tool in place with a Go at least `need`: the package and module
/// version its build information names, into the directory it was found in. `None`: nothing
/// says what to install (or `go install` would name the binary differently).
fn rebuild_fix(
    ctx: &Ctx,
    side: &EffectiveSide,
    tool: &ToolFacts,
    build: &ToolBuild,
    need: Option<&GoVersion>,
) -> Option<Result<Fix, String>> {
    let package = build.package.clone().or_else(|| build.module.clone())?;
    let version = match build.module_version.as_deref() {
        Some(v) if v.starts_with('v') => v.to_string(),
        _ => "latest".to_string(),
    };
    let dir = tool.path.parent().filter(|d| d.is_absolute())?;
    let file_name = tool.path.file_name().and_then(|n| n.to_str())?;
    // `go install` names the binary after the package's last path element.
    if package.rsplit('/').next() != Some(file_name) {
        return None;
    }
    Some(install_fix(
        ctx, side, &tool.name, &package, &version, dir, need,
    ))
}

fn wrong_arch(
    ctx: &Ctx,
    side: &EffectiveSide,
    tool: &ToolFacts,
    build: &ToolBuild,
    out: &mut Vec<Finding>,
) {
    let Some(json) = resolve::go_env_result(ctx.snapshot, side).and_then(|r| r.ok()) else {
        return;
    };
    let host_os = json.get("GOHOSTOS").filter(|v| !v.is_empty());
    let host_arch = json.get("GOHOSTARCH").filter(|v| !v.is_empty());
    let (Some(host_os), Some(host_arch)) = (host_os, host_arch) else {
        return;
    };
    let os_differs = build.goos.as_ref().is_some_and(|o| o != host_os);
    let arch_differs = build.goarch.as_ref().is_some_and(|a| a != host_arch);
    if !os_differs && !arch_differs {
        return;
    }
    let built_for = format!(
        "{}/{}",
        build.goos.as_deref().unwrap_or("?"),
        build.goarch.as_deref().unwrap_or("?")
    );
    // The same package and version, rebuilt by this side's go; a type checker with a Go that
    // knows the modules' language, so the rebuild does not trade this finding for
    // tool-built-with-old-go.
    let need = TYPE_CHECKERS
        .contains(&tool.name.as_str())
        .then(|| newest_go_line(ctx))
        .flatten();
    let fix = rebuild_fix(ctx, side, tool, build, need.as_ref());
    let command = match &fix {
        Some(Ok(Fix {
            action:
                FixAction::InstallTool {
                    package,
                    version,
                    gobin,
                    gotoolchain,
                    ..
                },
            ..
        })) => crate::model::install_command_line(package, version, gobin, gotoolchain.as_deref()),
        _ => format!(
            "go install {}@{}",
            build
                .package
                .as_deref()
                .or(build.module.as_deref())
                .unwrap_or(&tool.name),
            build
                .module_version
                .as_deref()
                .filter(|v| v.starts_with('v'))
                .unwrap_or("latest"),
        ),
    };
    let mut message = format!(
        "{} of {} is built for {built_for}, but this machine is {host_os}/{host_arch}: it cannot run (or runs slowly under emulation). Reinstall it with this machine's go: `{command}`.",
        described(tool, build),
        side.label,
    );
    if let Some(Err(why)) = &fix {
        message.push_str(&format!(" No reinstall is offered: {why}."));
    }
    let mut f = finding("tool-wrong-arch", &tool.name, message);
    f.set_side(
        side.kind,
        SideValue::plain(
            Some(tool.path.display().to_string()),
            Some(build.go_version.clone()),
        ),
    );
    f.locations.extend(ctx.module_location());
    if let Some(Ok(fix)) = fix {
        f.fixes.push(fix);
    }
    out.push(f);
}
