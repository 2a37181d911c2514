//! Snapshot tests of the toolchain rules (GOTOOLCHAIN, go.mod/go.work `go`/`toolchain` lines).
//! Hand-built snapshots, no processes.

use crate::support::rules::*;
use go_env_doctor::model::*;
use std::path::PathBuf;

const CODES: &[&str] = &[
    "gotoolchain-invalid",
    "toolchain-too-old",
    "toolchain-will-download",
    "toolchain-not-in-path",
    "toolchain-download-fails",
];

fn mine(s: &Snapshot) -> Vec<Finding> {
    findings(s)
        .into_iter()
        .filter(|f| CODES.contains(&f.code.as_str()))
        .collect()
}

const SDK23: &str = "/home/u/sdk/go1.23.4";

use SettingsLayer::{Folder, User};
use SideKind::{Editor, Shell};

// ---------------------------------------------------------------------------------------------
// Negatives
// ---------------------------------------------------------------------------------------------

#[test]
fn healthy_module_has_no_toolchain_findings() {
    let s = healthy();
    assert!(mine(&s).is_empty());
}

#[test]
fn satisfied_go_lines_are_quiet() {
    for (go, tc) in [
        ("1.22", None),
        ("1.22.10", None),
        ("1.21", None),
        ("1.21.13", Some("go1.22.0")),
        ("1.22", Some("default")),
    ] {
        let mut s = healthy();
        set_go_mod(&mut s, go, tc);
        assert!(
            mine(&s).is_empty(),
            "go {go} toolchain {tc:?}: {:#?}",
            mine(&s)
        );
        env_file_set_both(&mut s, "GOTOOLCHAIN", "local");
        assert!(mine(&s).is_empty(), "local, go {go}: {:#?}", mine(&s));
    }
}

#[test]
fn no_module_no_toolchain_findings() {
    let mut s = healthy();
    s.go_mod = None;
    env_file_set_both(&mut s, "GOTOOLCHAIN", "path");
    assert!(mine(&s).is_empty());
}

#[test]
fn valid_gotoolchain_values_are_quiet() {
    for v in [
        "local",
        "auto",
        "path",
        "go1.22.10",
        "go1.22.10+auto",
        "go1.21.0+path",
        "local+auto",
    ] {
        let mut s = healthy();
        os_env(&mut s, Shell, "GOTOOLCHAIN", v);
        assert!(
            findings_of(&s, "gotoolchain-invalid").is_empty(),
            "{v}: {:#?}",
            mine(&s)
        );
    }
}

#[test]
fn needed_toolchain_on_path_is_used_not_downloaded() {
    let mut s = healthy();
    set_go_mod(&mut s, "1.23", None);
    for k in [Editor, Shell] {
        side(&mut s, k)
            .path_toolchains
            .insert("go1.23.0".into(), PathBuf::from("/home/u/go/bin/go1.23.0"));
    }
    assert!(mine(&s).is_empty(), "{:#?}", mine(&s));
    env_file_set_both(&mut s, "GOTOOLCHAIN", "path");
    assert!(mine(&s).is_empty(), "{:#?}", mine(&s));
}

// ---------------------------------------------------------------------------------------------
// gotoolchain-invalid
// ---------------------------------------------------------------------------------------------

#[test]
fn gotoolchain_invalid_env_file_both_sides() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOTOOLCHAIN", "bogus");
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["gotoolchain-invalid"]);
    snap!("rules__gotoolchain-invalid__env_file", &s, &f);
}

#[test]
fn gotoolchain_invalid_suffix_in_shell_env() {
    let mut s = healthy();
    os_env(&mut s, Shell, "GOTOOLCHAIN", "local+foo");
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["gotoolchain-invalid"]);
    assert!(f[0].fixes.is_empty());
    snap!("rules__gotoolchain-invalid__shell_suffix", &s, &f);
}

#[test]
fn gotoolchain_invalid_language_version_in_settings() {
    let mut s = healthy();
    setting(&mut s, Folder, "go.toolsEnvVars.GOTOOLCHAIN", "go1.22");
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["gotoolchain-invalid"]);
    snap!("rules__gotoolchain-invalid__language_version", &s, &f);
}

// ---------------------------------------------------------------------------------------------
// toolchain-too-old
// ---------------------------------------------------------------------------------------------

#[test]
fn too_old_local_in_env_file_both_sides() {
    let mut s = healthy();
    install(&mut s, SDK23, "go1.23.4");
    set_go_mod(&mut s, "1.23", None);
    env_file_set_both(&mut s, "GOTOOLCHAIN", "local");
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["toolchain-too-old"]);
    // go env -w GOTOOLCHAIN=auto (then a download: info) and the line edit both work; the
    // editor-only go.goroot fix does not fix the shell side.
    snap!("rules__toolchain-too-old__env_file_local", &s, &f);
}

#[test]
fn too_old_editor_tools_env_vars_local() {
    let mut s = healthy();
    install(&mut s, SDK23, "go1.23.4");
    set_go_mod(&mut s, "1.23.2", None);
    for k in [Editor, Shell] {
        side(&mut s, k)
            .path_toolchains
            .insert("go1.23.2".into(), PathBuf::from("/home/u/go/bin/go1.23.2"));
    }
    setting(&mut s, User, "go.toolsEnvVars.GOTOOLCHAIN", "local");
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["toolchain-too-old"]);
    assert!(f[0].shell.is_none());
    snap!("rules__toolchain-too-old__editor_setting", &s, &f);
}

#[test]
fn too_old_toolchain_default() {
    let mut s = healthy();
    set_go_mod(&mut s, "1.24", Some("default"));
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["toolchain-too-old"]);
    assert!(f[0]
        .message
        .contains("(running go 1.22.10; go.mod sets toolchain default)"));
    snap!("rules__toolchain-too-old__toolchain_default", &s, &f);
}

#[test]
fn too_old_empty_gotoolchain_hides_go_env() {
    // `go env -w GOTOOLCHAIN=` hides go.env's auto: no switching at all.
    let mut s = healthy();
    set_go_mod(&mut s, "1.23", None);
    env_file_set_both(&mut s, "GOTOOLCHAIN", "");
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["toolchain-too-old"]);
    assert!(f[0].message.contains("(running go 1.22.10)\""));
    snap!("rules__toolchain-too-old__empty", &s, &f);
}

#[test]
fn too_old_go_work_wins_over_go_mod() {
    let mut s = healthy();
    set_go_work(&mut s, "1.23.1", None);
    env_file_set_both(&mut s, "GOTOOLCHAIN", "local");
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["toolchain-too-old"]);
    assert_eq!(f[0].subject, "go.work");
    assert_eq!(
        f[0].locations[0].path,
        PathBuf::from("/home/u/proj/go.work")
    );
}

// ---------------------------------------------------------------------------------------------
// toolchain-will-download
// ---------------------------------------------------------------------------------------------

#[test]
fn will_download_go_line() {
    let mut s = healthy();
    set_go_mod(&mut s, "1.23", None);
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["toolchain-will-download"]);
    assert!(f[0].editor.is_some() && f[0].shell.is_some());
    snap!("rules__toolchain-will-download__go_line", &s, &f);
}

#[test]
fn will_download_toolchain_line() {
    let mut s = healthy();
    set_go_mod(&mut s, "1.22", Some("go1.23.4"));
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["toolchain-will-download"]);
    assert_eq!(f[0].locations[0].line, 4);
    snap!("rules__toolchain-will-download__toolchain_line", &s, &f);
}

// ---------------------------------------------------------------------------------------------
// toolchain-download-fails (each cause checked against real Go in tests/cli/toolchain_download.rs)
// ---------------------------------------------------------------------------------------------

#[test]
fn download_fails_with_goproxy_off_in_the_env_file_and_unsetting_it_fixes_it() {
    let mut s = healthy();
    set_go_mod(&mut s, "1.22", Some("go1.23.4"));
    let line = env_file_set_both(&mut s, "GOPROXY", "off");
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["toolchain-download-fails"]);
    assert!(
        f[0].message.contains(
            "GOPROXY=off has no module proxy to download it from: it fails with \"go: download go1.23.4 for linux/amd64: toolchain not available\""
        ),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].locations[0].line, 4, "on the toolchain line first");
    assert_eq!(f[0].locations[1].line, line, "then where GOPROXY is set");
    assert!(f[0].editor.is_some() && f[0].shell.is_some());
    assert_eq!(fix_kinds(&f[0]), vec!["go-env-unset"]);
    snap!(
        "rules__toolchain-download-fails__goproxy_off_toolchain_line",
        &s,
        &f
    );
}

#[test]
fn download_fails_for_every_proxy_list_without_a_proxy() {
    for proxy in [
        "off",
        "direct",
        "direct,off",
        "off,https://proxy.golang.org",
        " direct | off ",
        "direct,https://goproxy.io",
    ] {
        let mut s = healthy();
        set_go_mod(&mut s, "1.23", None);
        os_env(&mut s, Shell, "GOPROXY", proxy);
        let f = mine(&s);
        assert_eq!(
            codes(&f),
            vec!["toolchain-download-fails", "toolchain-will-download"],
            "GOPROXY={proxy}: the shell fails, the editor downloads: {f:#?}"
        );
        assert!(f[0].editor.is_none() && f[0].shell.is_some());
        assert!(f[0].fixes.is_empty(), "a shell export has no file fix");
    }
    for proxy in [
        "https://proxy.golang.org,direct",
        "http://athens.corp:3000|off",
        "file:///srv/goproxy",
    ] {
        let mut s = healthy();
        set_go_mod(&mut s, "1.23", None);
        env_file_set_both(&mut s, "GOPROXY", proxy);
        assert_eq!(
            codes(&mine(&s)),
            vec!["toolchain-will-download"],
            "GOPROXY={proxy}"
        );
    }
}

#[test]
fn download_fails_when_goprivate_covers_the_toolchain_module() {
    for (key, value, named) in [
        ("GOPRIVATE", "*", "GOPRIVATE=*"),
        (
            "GOPRIVATE",
            "corp.example.com,golang.org",
            "GOPRIVATE=corp.example.com,golang.org",
        ),
        ("GONOPROXY", "golang.org/*", "GONOPROXY=golang.org/*"),
    ] {
        let mut s = healthy();
        set_go_mod(&mut s, "1.23", None);
        env_file_set_both(&mut s, key, value);
        let f = mine(&s);
        assert_eq!(codes(&f), vec!["toolchain-download-fails"], "{key}={value}");
        assert!(
            f[0].message
                .contains(&format!("{named} matches golang.org/toolchain")),
            "{}",
            f[0].message
        );
        assert!(
            f[0].fixes.is_empty(),
            "unsetting GOPRIVATE would expose private modules: {:#?}",
            f[0].fixes
        );
    }
    let mut s = healthy();
    set_go_mod(&mut s, "1.23", None);
    env_file_set_both(&mut s, "GOPRIVATE", "corp.example.com");
    assert_eq!(codes(&mine(&s)), vec!["toolchain-will-download"]);
}

/// A downloaded toolchain is always verified against the checksum database (it cannot be in
/// go.sum): GOSUMDB=off, or GOSUMDB set empty, ends the download with cmd/go's "verifying
/// module" error — except behind a single `file://` proxy (tests/cli/toolchain_download.rs
/// shows both with the real Go and a served toolchain).
#[test]
fn download_fails_when_the_checksum_database_is_off_or_empty() {
    for (value, error) in [
        (
            "off",
            "verifying module: checksum database disabled by GOSUMDB=off",
        ),
        ("", "verifying module: missing GOSUMDB"),
    ] {
        let mut s = healthy();
        set_go_mod(&mut s, "1.23", None);
        let line = env_file_set_both(&mut s, "GOSUMDB", value);
        let f = mine(&s);
        assert_eq!(
            codes(&f),
            vec!["toolchain-download-fails"],
            "GOSUMDB={value:?}"
        );
        let want = format!(
            "\"go: download go1.23.0: golang.org/toolchain@v0.0.1-go1.23.0.linux-amd64: {error}\""
        );
        assert!(f[0].message.contains(&want), "{}", f[0].message);
        assert!(
            f[0].locations
                .iter()
                .any(|l| l.line == line && l.path.ends_with("go/env")),
            "located on the GOSUMDB line: {:#?}",
            f[0].locations
        );
        assert!(
            fix_kinds(&f[0]).contains(&"go-env-unset".to_string()),
            "unsetting brings back sum.golang.org: {:#?}",
            f[0].fixes
        );
    }
    for proxy in ["file:///srv/goproxy", "FILE:///srv/goproxy"] {
        let mut s = healthy();
        set_go_mod(&mut s, "1.23", None);
        env_file_set_both(&mut s, "GOSUMDB", "off");
        env_file_set_both(&mut s, "GOPROXY", proxy);
        assert_eq!(codes(&mine(&s)), vec!["toolchain-will-download"], "{proxy}");
    }
    let mut s = healthy();
    set_go_mod(&mut s, "1.23", None);
    env_file_set_both(&mut s, "GOSUMDB", "off");
    env_file_set_both(&mut s, "GOPROXY", "file:///srv/goproxy,off");
    assert_eq!(codes(&mine(&s)), vec!["toolchain-download-fails"]);
    // GONOSUMDB does not exempt the toolchain either: the default database is asked.
    let mut s = healthy();
    set_go_mod(&mut s, "1.23", None);
    env_file_set_both(&mut s, "GONOSUMDB", "golang.org");
    assert_eq!(codes(&mine(&s)), vec!["toolchain-will-download"]);
}

/// A Go before 1.21.11 (1.22.4) switching for a bare `go 1.N` line asks for the toolchain
/// `go1.N`, which does not exist.
#[test]
fn bare_go_line_with_an_old_go_cannot_download() {
    for (running, fails) in [
        ("go1.21.5", true),
        ("go1.21.10", true),
        ("go1.21.11", false),
        ("go1.22.3", true),
        ("go1.22.4", false),
    ] {
        let mut s = healthy();
        for kind in [Editor, Shell] {
            use_go(&mut s, kind, "/usr/local/go", running, GoFoundBy::Path);
        }
        set_go_mod(&mut s, "1.23", None);
        let f = mine(&s);
        if !fails {
            assert_eq!(codes(&f), vec!["toolchain-will-download"], "{running}");
            assert!(
                f[0].message.contains("downloads go1.23.0"),
                "{}",
                f[0].message
            );
            continue;
        }
        assert_eq!(codes(&f), vec!["toolchain-download-fails"], "{running}");
        assert!(
            f[0].message
                .contains("\"go: download go1.23 for linux/amd64: toolchain not available\""),
            "{}",
            f[0].message
        );
        assert!(
            f[0].message.contains("write `go 1.23.0` in go.mod"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].fixes.iter().any(|x| x.action
                == FixAction::GoEnvWrite {
                    key: "GOTOOLCHAIN".into(),
                    value: "go1.23.0+auto".into()
                }),
            "{running}: {:#?}",
            f[0].fixes
        );
        // A patch release in the go line is a real toolchain.
        set_go_mod(&mut s, "1.23.0", None);
        assert_eq!(
            codes(&mine(&s)),
            vec!["toolchain-will-download"],
            "{running}"
        );
    }
}

/// toolchain-too-old is located on the go line and on the line that sets GOTOOLCHAIN=local,
/// including $GOROOT/go.env (a distribution's).
#[test]
fn too_old_is_located_where_gotoolchain_local_is_set_even_in_goroot_go_env() {
    let mut s = healthy();
    set_go_mod(&mut s, "1.23", None);
    // A distribution's go.env that turns switching off.
    for kind in [Editor, Shell] {
        let go_env = side(&mut s, kind)
            .goroot_env_files
            .get_mut(GOROOT)
            .expect("the healthy snapshot has go.env");
        go_env.entries.retain(|e| e.key != "GOTOOLCHAIN");
        go_env.entries.push(EnvFileEntry {
            key: "GOTOOLCHAIN".into(),
            value: "local".into(),
            line: 9,
        });
    }
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["toolchain-too-old"]);
    assert!(
        f[0].message
            .contains("from $GOROOT/go.env (/usr/local/go/go.env:9)"),
        "{}",
        f[0].message
    );
    assert!(
        f[0].locations
            .iter()
            .any(|l| l.path == std::path::Path::new("/usr/local/go/go.env") && l.line == 9),
        "{:#?}",
        f[0].locations
    );
    assert!(
        fix_kinds(&f[0]).contains(&"go-env-write".to_string()),
        "{:#?}",
        f[0].fixes
    );
}

#[test]
fn download_fails_for_the_editor_offers_an_installed_sdk() {
    let mut s = healthy();
    install(&mut s, SDK23, "go1.23.4");
    set_go_mod(&mut s, "1.23", None);
    use_go(&mut s, Shell, SDK23, "go1.23.4", GoFoundBy::Path);
    env_file_set_both(&mut s, "GOPROXY", "off");
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["toolchain-download-fails"]);
    assert!(f[0].shell.is_none());
    assert!(
        f[0].fixes[0].title.contains(SDK23),
        "the installed SDK first: {:#?}",
        f[0].fixes
    );
}

#[test]
fn will_download_editor_only_offers_install() {
    let mut s = healthy();
    install(&mut s, SDK23, "go1.23.4");
    set_go_mod(&mut s, "1.23", None);
    // The shell already runs 1.23.4 from ~/sdk.
    use_go(&mut s, Shell, SDK23, "go1.23.4", GoFoundBy::Path);
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["toolchain-will-download"]);
    assert!(f[0].shell.is_none());
    snap!("rules__toolchain-will-download__editor_install", &s, &f);
}

// ---------------------------------------------------------------------------------------------
// toolchain-not-in-path
// ---------------------------------------------------------------------------------------------

#[test]
fn not_in_path() {
    let mut s = healthy();
    set_go_mod(&mut s, "1.23", None);
    env_file_set_both(&mut s, "GOTOOLCHAIN", "path");
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["toolchain-not-in-path"]);
    snap!("rules__toolchain-not-in-path__env_file", &s, &f);
}

#[test]
fn pinned_gotoolchain_downloads_that_version() {
    let mut s = healthy();
    os_env(&mut s, Shell, "GOTOOLCHAIN", "go1.23.4");
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["toolchain-will-download"]);
    assert!(f[0].message.contains("go1.23.4"));
}

/// A walk cut short by its bound is a finding on the module line, saying what to do.
#[test]
fn a_truncated_walk_is_reported() {
    let mut s = healthy();
    s.workspace.truncated =
        Some("the search for go.mod and go.work files stopped after 200000 directories".into());
    let f: Vec<Finding> = findings(&s)
        .into_iter()
        .filter(|f| f.code == "workspace-walk-truncated")
        .collect();
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Info);
    assert!(
        f[0].message.contains("stopped after 200000 directories")
            && f[0].message.contains("directoryFilters"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].locations[0].path, PathBuf::from("/home/u/proj/go.mod"));
}
