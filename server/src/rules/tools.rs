//! The editor's Go tools, from their build information (`facts::tools`, never run):
//! tool-built-with-old-go, tool-wrong-arch.
//!
//! A type checker built into a tool knows the Go language up to the Go that built it: gopls
//! built with go1.22 refuses a module whose `go` line says 1.25 ("package requires newer Go
//! version go1.25 (application built with go1.22)"), golangci-lint refuses to load ("the Go
//! language version (go1.23) used to build golangci-lint is lower than the targeted Go version
//! (1.24.1)"), staticcheck likewise. Formatters and the debugger are not judged: they do not
//! type-check the module.

use super::resolve::{self, EffectiveSide};
use super::{finding, Ctx};
use crate::model::{Finding, GoModFacts, Location, SideValue, ToolBuild, ToolFacts, ToolFoundBy};
use crate::settings::gomod::{parse_version, GoVersion};

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
    out
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
        let command = install_command(side, tool, build, &toolchain);
        let local = if side.value("GOTOOLCHAIN") == "local" {
            format!(
                " {} has GOTOOLCHAIN=local: the GOTOOLCHAIN in this command overrides it, but any go older than {toolchain} run without it refuses the module.",
                side.label
            )
        } else {
            String::new()
        };
        let message = format!(
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
        let mut f = finding("tool-built-with-old-go", &tool.name, message);
        f.set_side(
            side.kind,
            SideValue::plain(
                Some(tool.path.display().to_string()),
                Some(build.go_version.clone()),
            ),
        );
        f.locations.extend(go_line_location(m));
        out.push(f);
    }
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
    let message = format!(
        "{} of {} is built for {built_for}, but this machine is {host_os}/{host_arch}: it cannot run (or runs slowly under emulation). Reinstall it with this machine's go: `go install {}@{}`.",
        described(tool, build),
        side.label,
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
    );
    let mut f = finding("tool-wrong-arch", &tool.name, message);
    f.set_side(
        side.kind,
        SideValue::plain(
            Some(tool.path.display().to_string()),
            Some(build.go_version.clone()),
        ),
    );
    f.locations.extend(ctx.module_location());
    out.push(f);
}
