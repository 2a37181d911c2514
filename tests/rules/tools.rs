//! The editor's Go tools (`rules::tools`): tool-built-with-old-go and tool-wrong-arch on
//! hand-built snapshots whose sides carry the build information `facts::tools` would read.

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
        "`GOTOOLCHAIN=go1.25.0+auto go install golang.org/x/tools/gopls@v0.16.2`",
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
