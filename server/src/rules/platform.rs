//! Platform traps: `go-under-rosetta`, `go-windows-in-wsl`, `go-sandboxed`,
//! `goroot-in-modcache`, `gopath-in-goroot`.
//!
//! Decisions:
//! - What a binary was built for comes from its build information (`Snapshot::platform`'s
//!   `binaries`, read by `facts::platform` without running it), the machine's CPU from the
//!   platform facts: an amd64 `go` on an arm64 Mac reports `GOHOSTARCH=amd64` itself, so only
//!   the machine can tell. Tools (dlv, gopls) built darwin/amd64 are reported here only where
//!   the side's `go` is amd64 too; otherwise `tool-wrong-arch` already names them.
//! - A Windows `go` under WSL is recognised by its build (GOOS windows), or by a `.exe` under a
//!   mounted drive when it could not be read.
//! - A Flatpak editor is recognised by `FLATPAK_ID` in its environment (Flatpak sets it in
//!   every sandbox); a snap Go by a GOROOT pinned to one of its revisions (`/snap/go/1234`),
//!   which snapd removes after later refreshes (`/snap/go/current` follows them).
//! - `goroot-in-modcache` looks at an explicit GOROOT and at the `go` binary: cmd/go itself
//!   runs downloaded toolchains from the module cache (GOTOOLCHAIN switching), which is fine
//!   and invisible here; only a configuration naming one is the trap.
//! - `gopath-in-goroot`: cmd/go warns when GOPATH is GOROOT (after `filepath.Clean`) and then
//!   ignores that entry; an entry inside GOROOT is silently used, so downloads and `go install`
//!   write into the Go installation (and vanish with it).

use super::paths::{self, go_sides, Issue, Who};
use super::resolve::{self, EffectiveSide};
use super::{finding, Ctx};
use crate::model::{Finding, GoFoundBy, Origin, SideKind, SideValue, ToolBuild};

pub fn findings(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    // Sides running the same `go` share one finding about that binary.
    let mut groups: Vec<Vec<&EffectiveSide>> = Vec::new();
    for side in go_sides(ctx) {
        let path = side.go.as_ref().map(|g| &g.path);
        match groups
            .iter_mut()
            .find(|g| g[0].go.as_ref().map(|g| &g.path) == path)
        {
            Some(g) => g.push(side),
            None => groups.push(vec![side]),
        }
    }
    for group in &groups {
        rosetta(ctx, group, &mut out);
        wsl(ctx, group, &mut out);
    }
    let mut seen_tools: Vec<std::path::PathBuf> = Vec::new();
    for side in go_sides(ctx) {
        rosetta_tools(ctx, side, &mut seen_tools, &mut out);
    }
    let (mut modcache, mut gopath) = (Vec::new(), Vec::new());
    for side in go_sides(ctx) {
        snap_revision(ctx, side, &mut out);
        snap_launcher(ctx, side, &mut out);
        goroot_in_modcache(ctx, side, &mut modcache);
        gopath_in_goroot(ctx, side, &mut gopath);
    }
    out.extend(paths::emit(
        ctx,
        "goroot-in-modcache",
        "GOROOT",
        modcache,
        goroot_in_modcache_message,
    ));
    out.extend(paths::emit(
        ctx,
        "gopath-in-goroot",
        "GOPATH",
        gopath,
        gopath_in_goroot_message,
    ));
    flatpak(ctx, &mut out);
    out
}

fn build_of<'a>(ctx: &'a Ctx, side: &EffectiveSide) -> Option<&'a ToolBuild> {
    let go = side.go.as_ref()?;
    ctx.snapshot
        .platform
        .binaries
        .get(go.path.to_string_lossy().as_ref())
}

fn go_value(side: &EffectiveSide) -> SideValue {
    SideValue::plain(
        side.go.as_ref().map(|g| g.path.display().to_string()),
        side.go_version.clone(),
    )
}

/// Where the side's `go` was chosen (a setting), else the module line.
fn go_locations(ctx: &Ctx, side: &EffectiveSide) -> Vec<crate::model::Location> {
    let mut origins: Vec<Origin> = Vec::new();
    if side.alternate_go_used {
        if let Some(c) = &side.alternate_go {
            origins.push(c.origin());
        }
    }
    if let Some(g) = side
        .get("GOROOT")
        .filter(|v| !matches!(v.origin, Origin::Default))
    {
        if side
            .go
            .as_ref()
            .is_some_and(|b| b.found_by == GoFoundBy::GorootBin)
        {
            origins.push(g.origin.clone());
        }
    }
    paths::locations(ctx, origins.iter())
}

/// The settings that chose the side's `go` go away (the editor then finds `go` on its PATH).
fn unchoose_fixes(ctx: &Ctx, side: &EffectiveSide) -> Vec<crate::model::Fix> {
    let mut fixes = Vec::new();
    if side.kind != SideKind::Editor {
        return fixes;
    }
    if side.alternate_go_used {
        if let Some(c) = &side.alternate_go {
            if let Some(p) = c.place() {
                fixes.extend(paths::remove_setting(ctx.snapshot, &p.file, &c.key));
            }
        }
    }
    if side
        .go
        .as_ref()
        .is_some_and(|b| b.found_by == GoFoundBy::GorootBin)
    {
        if let Some(g) = side.get("GOROOT") {
            fixes.extend(paths::unset_fixes(ctx.snapshot, "GOROOT", &g.origin));
        }
    }
    fixes
}

// ---------------------------------------------------------------------------------------------
// go-under-rosetta
// ---------------------------------------------------------------------------------------------

fn arm64_mac(ctx: &Ctx) -> bool {
    let p = &ctx.snapshot.platform;
    p.os.as_deref() == Some("darwin") && p.arch.as_deref() == Some("arm64")
}

fn intel_mac_build(b: &ToolBuild) -> bool {
    b.goos.as_deref() == Some("darwin") && b.goarch.as_deref() == Some("amd64")
}

fn rosetta(ctx: &Ctx, sides: &[&EffectiveSide], out: &mut Vec<Finding>) {
    let side = sides[0];
    if !arm64_mac(ctx) || !build_of(ctx, side).is_some_and(intel_mac_build) {
        return;
    }
    let go = side.go.as_ref().map(|g| g.path.display().to_string());
    let message = format!(
        "{} {} a go built for darwin/amd64 ({}) on this Apple silicon Mac: it runs under \
         Rosetta and builds amd64 programs by default (GOARCH=amd64), tools installed with it \
         (dlv, gopls) are amd64 too, and Delve refuses to debug: `could not launch process: \
         can not run under Rosetta, check that the installed build of Go is right for your \
         CPU architecture`. Install the darwin-arm64 Go (with Homebrew, the one in \
         /opt/homebrew, not /usr/local), then reinstall the tools.",
        resolve::who(sides),
        if sides.len() > 1 { "run" } else { "runs" },
        go.as_deref().unwrap_or("go"),
    );
    let mut f = finding("go-under-rosetta", "go", message);
    binary_finding(ctx, sides, &mut f);
    out.push(f);
}

/// Sides, locations and fixes of a finding about the `go` binary `sides` share.
fn binary_finding(ctx: &Ctx, sides: &[&EffectiveSide], f: &mut Finding) {
    for side in sides {
        f.set_side(side.kind, go_value(side));
        for l in go_locations(ctx, side) {
            if !f.locations.contains(&l) {
                f.locations.push(l);
            }
        }
        f.fixes.extend(unchoose_fixes(ctx, side));
    }
}

/// Tools built darwin/amd64 on an arm64 Mac, where the side's go is amd64 (or unknown):
/// `tool-wrong-arch` compares with that go's GOHOSTARCH=amd64 and says nothing.
fn rosetta_tools(
    ctx: &Ctx,
    side: &EffectiveSide,
    seen: &mut Vec<std::path::PathBuf>,
    out: &mut Vec<Finding>,
) {
    if !arm64_mac(ctx) {
        return;
    }
    let host_arch = resolve::go_env_result(ctx.snapshot, side)
        .and_then(|r| r.ok())
        .and_then(|m| m.get("GOHOSTARCH").cloned());
    if host_arch.as_deref() == Some("arm64") {
        return;
    }
    let Some(facts) = resolve::side_facts(ctx.snapshot, side.kind) else {
        return;
    };
    for tool in &facts.tools {
        let Ok(build) = &tool.build else { continue };
        if !intel_mac_build(build) {
            continue;
        }
        let value = SideValue::plain(
            Some(tool.path.display().to_string()),
            Some(build.go_version.clone()),
        );
        if seen.contains(&tool.path) {
            if let Some(f) = out
                .iter_mut()
                .find(|f| f.code == "go-under-rosetta" && f.subject == tool.name)
            {
                f.set_side(side.kind, value);
            }
            continue;
        }
        seen.push(tool.path.clone());
        let debugger = if tool.name == "dlv" {
            " Delve stops with `could not launch process: can not run under Rosetta, check \
             that the installed build of Go is right for your CPU architecture`."
        } else {
            ""
        };
        let message = format!(
            "{} ({}) is built for darwin/amd64 and runs under Rosetta on this Apple silicon \
             Mac.{debugger} Reinstall it with a darwin-arm64 go (`GOARCH=arm64 go install \
             {}@latest`).",
            tool.name,
            tool.path.display(),
            build.package.as_deref().unwrap_or(&tool.name),
        );
        let mut f = finding("go-under-rosetta", &tool.name, message);
        f.set_side(side.kind, value);
        f.locations.extend(ctx.module_location());
        out.push(f);
    }
}

// ---------------------------------------------------------------------------------------------
// go-windows-in-wsl
// ---------------------------------------------------------------------------------------------

fn wsl(ctx: &Ctx, sides: &[&EffectiveSide], out: &mut Vec<Finding>) {
    let side = sides[0];
    if !ctx.snapshot.platform.wsl {
        return;
    }
    let Some(go) = &side.go else { return };
    let windows = match build_of(ctx, side) {
        Some(b) => b.goos.as_deref() == Some("windows"),
        None => {
            let s = go.path.to_string_lossy();
            s.ends_with(".exe") && s.starts_with("/mnt/")
        }
    };
    if !windows {
        return;
    }
    let message = format!(
        "{} {} the Windows go ({}) inside WSL: it runs as a Windows program through WSL's \
         interop, sees this Linux folder only as a \\\\wsl$ path, keeps its GOPATH, GOCACHE \
         and env file on the Windows side and builds Windows binaries (GOOS=windows), so \
         gopls, the debugger and tests do not work on the Linux side. Install Go inside WSL \
         and put it first on PATH.",
        resolve::who(sides),
        if sides.len() > 1 { "run" } else { "runs" },
        go.path.display()
    );
    let mut f = finding("go-windows-in-wsl", "go", message);
    binary_finding(ctx, sides, &mut f);
    out.push(f);
}

// ---------------------------------------------------------------------------------------------
// go-sandboxed
// ---------------------------------------------------------------------------------------------

fn flatpak(ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(e) = ctx.editor.as_ref() else { return };
    let Some(id) = ctx
        .snapshot
        .editor
        .os_env
        .get("FLATPAK_ID")
        .filter(|v| !v.is_empty())
    else {
        return;
    };
    let shell_go = ctx.shell.as_ref().and_then(|s| s.go.as_ref());
    let go = match &e.go {
        Some(g) if shell_go.is_some_and(|s| s.path == g.path) => format!(
            "its {} is the sandbox's file of that name, not necessarily your shell's",
            g.path.display()
        ),
        Some(g) => format!("its go is {}", g.path.display()),
        None => "it finds no go at all".to_string(),
    };
    let shell = match shell_go {
        Some(g) if e.go.as_ref().is_none_or(|eg| eg.path != g.path) => {
            format!(" while your shell runs {}", g.path.display())
        }
        _ => String::new(),
    };
    let message = format!(
        "{} runs in a Flatpak sandbox ({id}): it sees the sandbox's /usr and /app, not your \
         system's, so {go}{shell}; Go, C compilers and tools installed on your system are \
         invisible to it. Enable the Go SDK extension of the sandbox (`flatpak install flathub \
         org.freedesktop.Sdk.Extension.golang` and FLATPAK_ENABLE_SDK_EXT=golang for the \
         editor) or use a package of the editor that is not sandboxed.",
        e.label
    );
    let mut f = finding("go-sandboxed", "FLATPAK_ID", message);
    f.set_side(
        SideKind::Editor,
        SideValue::configured(id.clone(), Origin::OsEnv, e.go_version.clone()),
    );
    f.locations.extend(ctx.module_location());
    out.push(f);
}

/// `/snap/go/<revision>` (digits), as `go env GOROOT` of the snap's go prints it.
fn snap_revision_root(goroot: &str) -> Option<&str> {
    let rest = goroot.strip_prefix("/snap/go/")?;
    let rev = rest.split('/').next()?;
    (!rev.is_empty() && rev.chars().all(|c| c.is_ascii_digit())).then_some(rev)
}

/// The side runs the snap's launcher (`/snap/bin/go`, a link to snapd's `/usr/bin/snap`) and
/// `go env` failed: a snap does not start from inside another sandbox (a Flatpak editor, a
/// strictly confined snap) or without what snapd needs.
fn snap_launcher(ctx: &Ctx, side: &EffectiveSide, out: &mut Vec<Finding>) {
    let Some(go) = side.go.as_ref().filter(|g| g.path.starts_with("/snap/bin")) else {
        return;
    };
    let Some(crate::model::CommandResult::Failed { stderr, .. }) =
        resolve::go_env_result(ctx.snapshot, side)
    else {
        return;
    };
    let first = crate::redact::redact(stderr.lines().next().unwrap_or("").trim());
    let message = format!(
        "{} runs the go snap through snapd's launcher ({}), and `go env` failed there \
         (`{first}`): a snap does not start from inside another sandbox (a Flatpak editor, a \
         strictly confined snap) or without snapd. Give this side a go outside the snap (the \
         official archive in /usr/local/go) or start the editor outside its sandbox.",
        side.label,
        go.path.display()
    );
    let mut f = finding("go-sandboxed", "go", message);
    f.set_side(side.kind, go_value(side));
    f.locations = go_locations(ctx, side);
    out.push(f);
}

fn snap_revision(ctx: &Ctx, side: &EffectiveSide, out: &mut Vec<Finding>) {
    let Some(g) = side
        .get("GOROOT")
        .filter(|v| !matches!(v.origin, Origin::Default))
    else {
        return;
    };
    let Some(rev) = snap_revision_root(&g.value) else {
        return;
    };
    let current = g
        .value
        .replacen(&format!("/snap/go/{rev}"), "/snap/go/current", 1);
    let message = format!(
        "{} has GOROOT={} ({}): a revision of the go snap. snapd refreshes the snap on its own \
         and removes old revisions, so this GOROOT disappears after a refresh or two and every \
         go command of this side then fails (`go: cannot find GOROOT directory`). Use \
         {current}, which follows refreshes, or leave GOROOT unset.",
        side.label,
        g.value,
        resolve::origin_words(ctx.snapshot, &side.label, "GOROOT", &g.origin),
    );
    let mut f = finding("go-sandboxed", "GOROOT", message);
    f.set_side(
        side.kind,
        paths::side_value(side, Some(&g.value), Some(&g.origin)),
    );
    f.locations = paths::locations(ctx, [&g.origin]);
    f.fixes = paths::unset_fixes(ctx.snapshot, "GOROOT", &g.origin);
    f.fixes.extend(paths::set_fixes(
        ctx.snapshot,
        side,
        "GOROOT",
        &g.origin,
        &current,
    ));
    out.push(f);
}

// ---------------------------------------------------------------------------------------------
// goroot-in-modcache
// ---------------------------------------------------------------------------------------------

/// A toolchain cmd/go downloaded (`…/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64`).
fn in_modcache(p: &str) -> bool {
    p.replace('\\', "/")
        .contains("golang.org/toolchain@v0.0.1-go")
}

fn goroot_in_modcache(ctx: &Ctx, side: &EffectiveSide, issues: &mut Vec<Issue>) {
    let explicit = side
        .get("GOROOT")
        .filter(|v| !matches!(v.origin, Origin::Default) && in_modcache(&v.value));
    let binary = side
        .go
        .as_ref()
        .filter(|g| in_modcache(&g.path.to_string_lossy()));
    let mut issue = match (explicit, binary) {
        (Some(v), _) => {
            let mut i = Issue::new(ctx, side, "GOROOT", &v.value, &v.origin);
            i.detail = format!("GOROOT={} ({})", v.value, i.origin_words);
            i.fixes = paths::unset_fixes(ctx.snapshot, "GOROOT", &v.origin);
            i
        }
        (None, Some(g)) => {
            let path = g.path.display().to_string();
            Issue {
                kind: side.kind,
                label: side.label.clone(),
                raw: path.clone(),
                origin: None,
                side_value: go_value(side),
                origin_words: resolve::go_found_words(ctx.snapshot, side),
                detail: format!(
                    "the go {path} ({})",
                    resolve::go_found_words(ctx.snapshot, side)
                ),
                severity: None,
                go_minor: paths::go_minor(side),
                locations: go_locations(ctx, side),
                fixes: unchoose_fixes(ctx, side),
            }
        }
        (None, None) => return,
    };
    issue
        .locations
        .retain(|l| Some(l) != ctx.module_location().as_ref());
    issues.push(issue);
}

fn goroot_in_modcache_message(issue: &Issue, who: &Who) -> String {
    format!(
        "{} {} {}: a toolchain go downloaded into the module cache. `go clean -modcache` \
         deletes it (and the module cache is read-only, so nothing can update it in place), \
         after which every go command there fails. Let go select that toolchain by itself \
         (GOTOOLCHAIN, the go.mod `toolchain` line) or install that version for good (`go \
         install golang.org/dl/goX.Y.Z@latest && goX.Y.Z download`) and use that.",
        who.names,
        who.verb("uses", "use"),
        issue.detail
    )
}

// ---------------------------------------------------------------------------------------------
// gopath-in-goroot
// ---------------------------------------------------------------------------------------------

fn gopath_in_goroot(ctx: &Ctx, side: &EffectiveSide, issues: &mut Vec<Issue>) {
    let goroot = resolve::clean(side.goroot());
    if goroot.is_empty() {
        return;
    }
    let Some(gp) = side.get("GOPATH") else { return };
    let inside = |entry: &str| {
        let e = resolve::clean(entry);
        e == goroot || std::path::Path::new(&e).starts_with(&goroot)
    };
    let Some(entry) = resolve::split_list(&gp.value)
        .into_iter()
        .find(|e| !e.is_empty() && inside(e))
    else {
        return;
    };
    let mut issue = Issue::new(ctx, side, "GOPATH", &gp.value, &gp.origin);
    if matches!(gp.origin, Origin::Default) {
        issue.origin_words = "the default, $HOME/go".into();
    }
    let equal = resolve::clean(&entry) == goroot;
    issue.detail = if equal {
        let warning = match issue.go_minor {
            Some(m) if m <= 21 => String::new(),
            Some(m) if m <= 22 => format!(
                " and prints `warning: GOPATH set to GOROOT ({entry}) has no effect` on every \
                 command"
            ),
            Some(m) if m >= 25 => format!(
                " and prints `warning: both GOPATH and GOROOT are the same directory ({entry}); \
                 see https://go.dev/wiki/InstallTroubleshooting` on every command"
            ),
            _ => " and warns about it on every command".to_string(),
        };
        format!(
            "that is the Go installation itself: cmd/go ignores it as a GOPATH{warning}, \
             while modules are still downloaded into {entry}/pkg/mod and `go install` writes \
             into {entry}/bin, inside GOROOT"
        )
    } else {
        format!(
            "the GOPATH entry {entry} lies inside GOROOT ({goroot}): modules are downloaded and \
             `go install` writes into the Go installation, which fails where it is not \
             writable and is lost with the next Go upgrade"
        )
    };
    issue.fixes = paths::unset_fixes(ctx.snapshot, "GOPATH", &gp.origin);
    issues.push(issue);
}

fn gopath_in_goroot_message(issue: &Issue, who: &Who) -> String {
    format!(
        "{} {} GOPATH={} ({}): {}. Keep GOPATH outside GOROOT: unset it (the default is $HOME/go) \
         or point it at a directory of its own.",
        who.names,
        who.verb("has", "have"),
        issue.raw,
        issue.origin_words,
        issue.detail
    )
}
