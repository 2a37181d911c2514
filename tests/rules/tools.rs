//! The editor's Go tools (`rules::tools`): tool-built-with-old-go, tool-wrong-arch and
//! tool-missing on hand-built snapshots whose sides carry the build information `facts::tools`
//! would read, and the `go install` fix each offers.

use crate::support::rules::*;
use go_env_doctor::model::*;
use std::path::PathBuf;

fn mine(s: &Snapshot) -> Vec<Finding> {
    findings(s)
        .into_iter()
        .filter(|f| f.code.starts_with("tool-"))
        .collect()
}

fn tool(name: &str, path: &str, by: ToolFoundBy, go: &str, arch: &str) -> ToolFacts {
    let (package, module, version) = match name {
        "gopls" => (
            "golang.org/x/tools/gopls",
            "golang.org/x/tools/gopls",
            "v0.16.2",
        ),
        "staticcheck" => (
            "honnef.co/go/tools/cmd/staticcheck",
            "honnef.co/go/tools",
            "v0.5.1",
        ),
        "dlv" => (
            "github.com/go-delve/delve/cmd/dlv",
            "github.com/go-delve/delve",
            "v1.23.1",
        ),
        _ => ("example.com/tool", "example.com/tool", "v1.0.0"),
    };
    ToolFacts {
        name: name.into(),
        path: PathBuf::from(path),
        found_by: by,
        build: Ok(ToolBuild {
            go_version: go.into(),
            package: Some(package.into()),
            module: Some(module.into()),
            module_version: Some(version.into()),
            goos: Some("linux".into()),
            goarch: Some(arch.into()),
        }),
    }
}

const GOPLS: &str = "/home/u/go/bin/gopls";

#[test]
fn new_enough_tools_are_quiet() {
    let mut s = healthy();
    set_go_mod(&mut s, "1.22.3", None);
    side(&mut s, SideKind::Editor).tools = vec![
        tool("gopls", GOPLS, ToolFoundBy::Gopath, "go1.22.10", "amd64"),
        // go1.22.0 knows the language of `go 1.22.3`: gopls compares language versions.
        tool(
            "staticcheck",
            "/usr/bin/staticcheck",
            ToolFoundBy::Path,
            "go1.22.0",
            "amd64",
        ),
    ];
    assert!(mine(&s).is_empty(), "{:#?}", mine(&s));
}

#[test]
fn gopls_built_with_old_go_is_located_on_the_go_line() {
    let mut s = healthy();
    set_go_mod(&mut s, "1.25.0", None);
    side(&mut s, SideKind::Editor).tools = vec![
        tool("gopls", GOPLS, ToolFoundBy::Gopath, "go1.22.10", "amd64"),
        // A formatter does not type-check: never judged by its Go.
        tool(
            "gofumpt",
            "/home/u/go/bin/gofumpt",
            ToolFoundBy::Gopath,
            "go1.20.1",
            "amd64",
        ),
    ];
    let f = mine(&s);
    assert_eq!(f.len(), 1, "{f:#?}");
    let f = &f[0];
    assert_eq!(f.code, "tool-built-with-old-go");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subject, "gopls");
    assert_eq!(f.locations[0].path, PathBuf::from(GO_MOD));
    let go_line = s
        .go_mod
        .as_ref()
        .and_then(|m| m.go.as_ref())
        .expect("go line")
        .line;
    assert_eq!(f.locations[0].line, go_line);
    for part in [
        GOPLS,
        "golang.org/x/tools/gopls v0.16.2",
        "built with go1.22.10",
        "found in GOPATH",
        "package requires newer Go version go1.25 (application built with go1.22.10)",
        "`GOBIN=/home/u/go/bin GOTOOLCHAIN=go1.25.0+auto go install golang.org/x/tools/gopls@v0.16.2`",
    ] {
        assert!(f.message.contains(part), "{part:?} not in {}", f.message);
    }
    assert!(!f.message.contains("GOTOOLCHAIN=local"), "{}", f.message);
    assert_eq!(
        f.editor.as_ref().and_then(|v| v.value.as_deref()),
        Some(GOPLS)
    );
}

/// A tool found outside the install directory gets `GOBIN=` its own directory; a side with
/// GOTOOLCHAIN=local is warned; a language-version go line asks for its first release.
#[test]
fn install_command_targets_the_found_directory_and_warns_about_local() {
    let mut s = healthy();
    set_go_mod(&mut s, "1.24", None);
    env_file_set(&mut s, SideKind::Shell, "GOTOOLCHAIN", "local");
    go_env_set(&mut s, SideKind::Shell, "GOTOOLCHAIN", "local");
    side(&mut s, SideKind::Shell).tools = vec![tool(
        "staticcheck",
        "/opt/tools/staticcheck",
        ToolFoundBy::Path,
        "go1.23.4",
        "amd64",
    )];
    let f = mine(&s);
    assert_eq!(f.len(), 1, "{f:#?}");
    let m = &f[0].message;
    assert!(
        m.contains("`GOBIN=/opt/tools GOTOOLCHAIN=go1.24.0+auto go install honnef.co/go/tools/cmd/staticcheck@v0.5.1`"),
        "{m}"
    );
    assert!(m.contains("GOTOOLCHAIN=local"), "{m}");
    assert!(f[0].shell.is_some() && f[0].editor.is_none());
}

#[test]
fn unreadable_tools_are_quiet() {
    let mut s = healthy();
    set_go_mod(&mut s, "1.25.0", None);
    side(&mut s, SideKind::Editor).tools = vec![ToolFacts {
        name: "gopls".into(),
        path: PathBuf::from(GOPLS),
        found_by: ToolFoundBy::Gopath,
        build: Err("not a Go executable (no build information)".into()),
    }];
    assert!(mine(&s).is_empty());
}

#[test]
fn a_tool_for_another_arch_is_reported() {
    let mut s = healthy();
    side(&mut s, SideKind::Editor).tools = vec![tool(
        "dlv",
        "/home/u/go/bin/dlv",
        ToolFoundBy::Gopath,
        "go1.22.10",
        "arm64",
    )];
    let f = mine(&s);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].code, "tool-wrong-arch");
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(
        f[0].message
            .contains("built for linux/arm64, but this machine is linux/amd64"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].locations[0].path, PathBuf::from(GO_MOD));
}

// ---------------------------------------------------------------------------------------------
// tool-missing and the install fix
// ---------------------------------------------------------------------------------------------

/// The install fix of a finding, as its action's fields.
fn install_of(f: &Finding) -> Option<(String, String, PathBuf, Option<String>)> {
    f.fixes.iter().find_map(|x| match &x.action {
        FixAction::InstallTool {
            package,
            version,
            gobin,
            gotoolchain,
            ..
        } => Some((
            package.clone(),
            version.clone(),
            gobin.clone(),
            gotoolchain.clone(),
        )),
        _ => None,
    })
}

/// A VS Code snapshot whose tools were looked for and none found.
fn no_tools() -> Snapshot {
    let mut s = healthy();
    side(&mut s, SideKind::Editor).tools_looked_up = true;
    side(&mut s, SideKind::Shell).tools_looked_up = true;
    s
}

#[test]
fn missing_gopls_in_vs_code_names_where_it_looked_and_offers_the_install() {
    let s = no_tools();
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["tool-missing"], "{f:#?}");
    let f = &f[0];
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.subject, "gopls");
    for part in [
        "VS Code runs gopls as its language server (go.useLanguageServer is on by default)",
        "GOPATH/bin (~/go/bin)",
        "GOROOT/bin (/usr/local/go/bin)",
        "the 4 PATH directories",
    ] {
        assert!(f.message.contains(part), "{part:?} not in {}", f.message);
    }
    assert_eq!(
        install_of(f),
        Some((
            "golang.org/x/tools/gopls".into(),
            "latest".into(),
            PathBuf::from("/home/u/go/bin"),
            None
        ))
    );
    assert_eq!(
        f.fixes[0].title,
        "Install gopls into ~/go/bin: `GOBIN=/home/u/go/bin go install golang.org/x/tools/gopls@latest`"
    );
    assert!(f.shell.is_none(), "the shell runs no language server");
}

#[test]
fn no_tool_missing_when_gopls_is_off_found_or_not_vs_codes() {
    let mut s = no_tools();
    setting(&mut s, SettingsLayer::User, "go.useLanguageServer", "false");
    assert!(mine(&s).is_empty(), "{:#?}", mine(&s));

    let mut s = no_tools();
    side(&mut s, SideKind::Editor).tools = vec![tool(
        "gopls",
        GOPLS,
        ToolFoundBy::Gopath,
        "go1.22.10",
        "amd64",
    )];
    assert!(mine(&s).is_empty(), "{:#?}", mine(&s));

    // Other clients start the server their own configuration names; GoLand has no gopls.
    for kind in [EditorKind::Other, EditorKind::JetBrains] {
        let mut s = no_tools();
        s.editor_kind = kind;
        assert!(mine(&s).is_empty(), "{kind:?}: {:#?}", mine(&s));
    }
    // Facts that did not look say nothing.
    let s = healthy();
    assert!(mine(&s).is_empty());
}

/// A module needing a newer Go than the editor runs: gopls is built by that Go
/// (`GOTOOLCHAIN=go1.25.0+auto`); when that toolchain cannot be downloaded no install is offered
/// and the message says why.
#[test]
fn install_asks_for_the_modules_go_and_is_refused_when_it_cannot_be_downloaded() {
    let mut s = no_tools();
    set_go_mod(&mut s, "1.25", None);
    let f = findings_of(&s, "tool-missing");
    assert_eq!(f.len(), 1);
    let (_, _, _, gotc) = install_of(&f[0]).expect("an install");
    assert_eq!(gotc.as_deref(), Some("go1.25.0+auto"));
    assert!(
        f[0].fixes[0].title.contains(
            "`GOBIN=/home/u/go/bin GOTOOLCHAIN=go1.25.0+auto go install golang.org/x/tools/gopls@latest` (downloads go1.25.0 to build it)"
        ),
        "{}",
        f[0].fixes[0].title
    );

    env_file_set_both(&mut s, "GOPROXY", "off");
    let f = findings_of(&s, "tool-missing");
    assert_eq!(f.len(), 1);
    assert!(f[0].fixes.is_empty(), "{:#?}", f[0].fixes);
    assert!(
        f[0].message.contains(
            "No install is offered: gopls must be built by go1.25.0 or newer, which VS Code does not have and cannot download: GOPROXY=off has no module proxy"
        ),
        "{}",
        f[0].message
    );
}

/// GOTOOLCHAIN=local would stop `go install gopls@latest` when gopls needs a newer Go: the
/// command overrides it, and the title says so and where the local comes from.
#[test]
fn install_warns_about_gotoolchain_local_and_overrides_it_for_the_command() {
    let mut s = no_tools();
    env_file_set_both(&mut s, "GOTOOLCHAIN", "local");
    let f = findings_of(&s, "tool-missing");
    let (_, _, _, gotc) = install_of(&f[0]).expect("an install");
    assert_eq!(gotc.as_deref(), Some("auto"));
    let title = &f[0].fixes[0].title;
    assert!(
        title.contains("GOTOOLCHAIN=auto overrides GOTOOLCHAIN=local (from GOTOOLCHAIN in your go env file (~/.config/go/env:1)) for this command only"),
        "{title}"
    );
}

/// vscode-go's own install directory: the extension's GOBIN, else go.toolsGopath's bin.
#[test]
fn install_goes_where_vs_code_looks_first() {
    let mut s = no_tools();
    setting(
        &mut s,
        SettingsLayer::User,
        "go.toolsGopath",
        "/home/u/tools",
    );
    let f = findings_of(&s, "tool-missing");
    assert_eq!(
        install_of(&f[0]).map(|i| i.2),
        Some(PathBuf::from("/home/u/tools/bin"))
    );
    assert!(
        f[0].message.contains("go.toolsGopath (~/tools/bin)"),
        "{}",
        f[0].message
    );
    os_env(&mut s, SideKind::Editor, "GOBIN", "/opt/gobin");
    let f = findings_of(&s, "tool-missing");
    assert_eq!(
        install_of(&f[0]).map(|i| i.2),
        Some(PathBuf::from("/opt/gobin"))
    );
}

/// tool-built-with-old-go rebuilds the same module version in place; with a new enough `go`
/// on the side no GOTOOLCHAIN is set (a `go1.X.Y+auto` below the running Go would downgrade).
#[test]
fn rebuild_fix_reinstalls_the_same_version_where_the_tool_was_found() {
    let mut s = healthy();
    set_go_mod(&mut s, "1.25.0", None);
    side(&mut s, SideKind::Editor).tools = vec![tool(
        "gopls",
        GOPLS,
        ToolFoundBy::Gopath,
        "go1.22.10",
        "amd64",
    )];
    let f = findings_of(&s, "tool-built-with-old-go");
    assert_eq!(
        install_of(&f[0]),
        Some((
            "golang.org/x/tools/gopls".into(),
            "v0.16.2".into(),
            PathBuf::from("/home/u/go/bin"),
            Some("go1.25.0+auto".into())
        ))
    );
    use_go(
        &mut s,
        SideKind::Editor,
        GOROOT,
        "go1.25.5",
        GoFoundBy::Path,
    );
    let f = findings_of(&s, "tool-built-with-old-go");
    assert_eq!(install_of(&f[0]).and_then(|i| i.3), None);
    assert!(
        f[0].message
            .contains("`GOBIN=/home/u/go/bin go install golang.org/x/tools/gopls@v0.16.2`"),
        "{}",
        f[0].message
    );
}

// ---------------------------------------------------------------------------------------------
// tool-wrong-arch's reinstall
// ---------------------------------------------------------------------------------------------

fn arm64_dlv() -> Snapshot {
    let mut s = healthy();
    side(&mut s, SideKind::Editor).tools = vec![tool(
        "dlv",
        "/home/u/go/bin/dlv",
        ToolFoundBy::Gopath,
        "go1.22.10",
        "arm64",
    )];
    s
}

/// The same module path and version its build information names, rebuilt by the side's go
/// into the directory it was found in; after it, the tool is this machine's.
#[test]
fn a_tool_for_another_arch_is_reinstalled_where_it_was_found() {
    let s = arm64_dlv();
    let f = findings_of(&s, "tool-wrong-arch");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        install_of(&f[0]),
        Some((
            "github.com/go-delve/delve/cmd/dlv".into(),
            "v1.23.1".into(),
            PathBuf::from("/home/u/go/bin"),
            None
        ))
    );
    assert_eq!(
        f[0].fixes[0].title,
        "Install dlv into ~/go/bin: `GOBIN=/home/u/go/bin go install github.com/go-delve/delve/cmd/dlv@v1.23.1`"
    );
    assert!(
        f[0].message.contains(
            "Reinstall it with this machine's go: `GOBIN=/home/u/go/bin go install github.com/go-delve/delve/cmd/dlv@v1.23.1`."
        ),
        "{}",
        f[0].message
    );
}

/// A go that builds for another platform cannot install into GOBIN (`go: cannot install
/// cross-compiled binaries when GOBIN is set`): no fix, and the message says why.
#[test]
fn no_reinstall_when_the_sides_go_cross_compiles() {
    let mut s = arm64_dlv();
    os_env(&mut s, SideKind::Editor, "GOARCH", "arm64");
    go_env_set(&mut s, SideKind::Editor, "GOARCH", "arm64");
    let f = findings_of(&s, "tool-wrong-arch");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].fixes.is_empty(), "{:#?}", f[0].fixes);
    for part in [
        "No reinstall is offered: the go of VS Code builds for linux/arm64 (GOARCH=arm64, set in VS Code's environment)",
        "not for this machine's linux/amd64",
        "go: cannot install cross-compiled binaries when GOBIN is set",
        "unset GOARCH there first.",
    ] {
        assert!(f[0].message.contains(part), "{part:?} not in {}", f[0].message);
    }
}

/// A type checker is rebuilt by a Go that knows the module's language: with the side's go1.22
/// and a `go 1.25.0` module, the reinstall asks for go1.25.0 rather than trading the wrong
/// architecture for tool-built-with-old-go.
#[test]
fn a_type_checker_for_another_arch_is_rebuilt_with_a_go_for_the_modules_language() {
    let mut s = healthy();
    set_go_mod(&mut s, "1.25.0", None);
    side(&mut s, SideKind::Editor).tools = vec![tool(
        "gopls",
        GOPLS,
        ToolFoundBy::Gopath,
        "go1.25.5",
        "arm64",
    )];
    let f = findings_of(&s, "tool-wrong-arch");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        install_of(&f[0]),
        Some((
            "golang.org/x/tools/gopls".into(),
            "v0.16.2".into(),
            PathBuf::from("/home/u/go/bin"),
            Some("go1.25.0+auto".into())
        ))
    );
}
