//! Snapshot tests of the env-file and path rules (`env-file-shadowed`, `gopath-relative`,
//! `gopath-tilde`, `gobin-not-on-path`), from hand-built snapshots.

use crate::support::rules::*;
use go_env_doctor::model::*;
use std::path::PathBuf;

const CODES: &[&str] = &[
    "env-file-shadowed",
    "gopath-relative",
    "gopath-tilde",
    "gobin-not-on-path",
];

/// The findings of this area only.
fn path_findings(s: &Snapshot) -> Vec<Finding> {
    findings_of_codes(s, CODES)
}

/// Drop `dir` from one side's PATH (facts and os env).
fn remove_from_path(s: &mut Snapshot, kind: SideKind, dir: &str) {
    let side = side(s, kind);
    side.path_entries.retain(|p| p != &PathBuf::from(dir));
    let path: Vec<String> = side
        .path_entries
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    side.os_env.insert("PATH".into(), path.join(":"));
}

#[test]
fn healthy_paths_have_no_findings() {
    let s = healthy();
    assert!(path_findings(&s).is_empty(), "{:#?}", path_findings(&s));
}

#[test]
fn env_file_goproxy_overridden_by_a_shell_export() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "https://proxy.golang.org,direct");
    os_env(
        &mut s,
        SideKind::Shell,
        "GOPROXY",
        "https://goproxy.cn,direct",
    );
    let f = path_findings(&s);
    assert_eq!(codes(&f), ["env-file-shadowed"]);
    assert!(f[0]
        .message
        .contains("exported by your shell's startup files"));
    assert_eq!(fix_kinds(&f[0]), ["go-env-write"]);
    snap!("rules__env-file-shadowed__shell_export", &s, &f);
}

#[test]
fn env_file_value_overridden_in_the_editors_environment() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOFLAGS", "-mod=mod");
    os_env(&mut s, SideKind::Editor, "GOFLAGS", "-mod=readonly");
    let f = path_findings(&s);
    assert_eq!(codes(&f), ["env-file-shadowed"]);
    assert_eq!(fix_kinds(&f[0]), ["set-setting"]);
    snap!("rules__env-file-shadowed__editor_environment", &s, &f);
}

#[test]
fn the_same_value_exported_or_both_sides_exporting_is_fine() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "https://goproxy.cn,direct");
    os_env(
        &mut s,
        SideKind::Shell,
        "GOPROXY",
        "https://goproxy.cn,direct",
    );
    assert!(path_findings(&s).is_empty(), "{:#?}", path_findings(&s));

    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "https://proxy.golang.org,direct");
    os_env(
        &mut s,
        SideKind::Shell,
        "GOPROXY",
        "https://goproxy.cn,direct",
    );
    os_env(
        &mut s,
        SideKind::Editor,
        "GOPROXY",
        "https://goproxy.cn,direct",
    );
    assert!(path_findings(&s).is_empty(), "{:#?}", path_findings(&s));
}

#[test]
fn shadowed_credentials_are_redacted() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "https://proxy.golang.org,direct");
    os_env(
        &mut s,
        SideKind::Shell,
        "GOPROXY",
        "https://bob:hunter2@proxy.corp.example,direct",
    );
    let f = path_findings(&s);
    assert_eq!(codes(&f), ["env-file-shadowed"]);
    assert!(f[0].fixes.is_empty(), "a fix would carry the secret");
    let all = serde_json::to_string(&findings(&s)).unwrap_or_default();
    assert!(!all.contains("hunter2"), "{all}");
    assert!(f[0].message.contains("bob:***@"));
}

#[test]
fn quoted_tilde_gopath_exported_by_the_shell() {
    let mut s = healthy();
    os_env(&mut s, SideKind::Shell, "GOPATH", "~/go");
    let f = path_findings(&s);
    assert_eq!(codes(&f), ["gopath-tilde"]);
    assert!(f[0].fixes.is_empty());
    assert!(f[0]
        .message
        .contains("`go: GOPATH entry cannot start with shell metacharacter '~': \"~/go\"`"));
    snap!("rules__gopath-tilde__shell_export", &s, &f);
}

#[test]
fn tilde_gopath_in_the_env_file_is_removed_by_editing_the_file() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPATH", "/home/u/work:~/go");
    let f = path_findings(&s);
    assert_eq!(codes(&f), ["gopath-tilde"]);
    assert_eq!(fix_kinds(&f[0]), ["env-file-remove-line"]);
    snap!("rules__gopath-tilde__env_file", &s, &f);
}

#[test]
fn tilde_in_gopls_build_env_is_not_substituted() {
    let mut s = healthy();
    setting(
        &mut s,
        SettingsLayer::Folder,
        "gopls.build.env.GOPATH",
        "~/go",
    );
    let f = path_findings(&s);
    assert_eq!(codes(&f), ["gopath-tilde"]);
    assert_eq!(f[0].subject, "gopls.build.env.GOPATH");
    assert_eq!(fix_kinds(&f[0]), ["set-setting", "remove-setting"]);
    snap!("rules__gopath-tilde__gopls_build_env", &s, &f);
}

#[test]
fn go_gopath_with_tilde_is_substituted_by_vscode_go() {
    let mut s = healthy();
    setting(&mut s, SettingsLayer::User, "go.gopath", "~/go");
    for v in s
        .settings
        .values
        .iter_mut()
        .filter(|v| v.key == "go.gopath")
    {
        v.value = GOPATH.into();
    }
    assert!(path_findings(&s).is_empty(), "{:#?}", path_findings(&s));
}

#[test]
fn relative_gopath_in_the_env_file() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPATH", "go");
    let f = path_findings(&s);
    assert_eq!(codes(&f), ["gopath-relative"]);
    assert_eq!(fix_kinds(&f[0]), ["env-file-remove-line"]);
    snap!("rules__gopath-relative__env_file", &s, &f);
}

#[test]
fn relative_go_gopath_setting() {
    let mut s = healthy();
    setting(&mut s, SettingsLayer::Folder, "go.gopath", "vendor/gopath");
    let f = path_findings(&s);
    assert_eq!(codes(&f), ["gopath-relative"]);
    assert!(f[0].shell.is_none());
    assert_eq!(fix_kinds(&f[0]), ["remove-setting"]);
    snap!("rules__gopath-relative__go_gopath_setting", &s, &f);
}

#[test]
fn gopath_bin_missing_from_the_editors_path() {
    let mut s = healthy();
    remove_from_path(&mut s, SideKind::Editor, "/home/u/go/bin");
    let f = path_findings(&s);
    assert_eq!(codes(&f), ["gobin-not-on-path"]);
    assert_eq!(f[0].severity, Severity::Info);
    assert!(f[0].shell.is_none());
    snap!("rules__gobin-not-on-path__editor_path", &s, &f);
}

#[test]
fn explicit_gobin_on_neither_path() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOBIN", "/home/u/.local/gobin");
    let f = path_findings(&s);
    assert_eq!(codes(&f), ["gobin-not-on-path"]);
    assert!(f[0].editor.is_some() && f[0].shell.is_some());
    snap!("rules__gobin-not-on-path__explicit_gobin_both", &s, &f);
}

#[test]
fn gopath_bin_that_does_not_exist_is_not_reported() {
    let mut s = healthy();
    s.paths.remove("/home/u/go/bin");
    remove_from_path(&mut s, SideKind::Editor, "/home/u/go/bin");
    remove_from_path(&mut s, SideKind::Shell, "/home/u/go/bin");
    assert!(path_findings(&s).is_empty(), "{:#?}", path_findings(&s));
}

#[test]
fn gobin_on_path_with_a_trailing_slash_is_found() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOBIN", "/usr/local/go/bin/");
    assert!(path_findings(&s).is_empty(), "{:#?}", path_findings(&s));
}
