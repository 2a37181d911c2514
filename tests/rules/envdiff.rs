//! Snapshot tests of `env-mismatch`: every Go-relevant variable the specific mismatch codes
//! leave out, compared between the editor and the shell, from hand-built snapshots.

use crate::support::rules::*;
use go_env_doctor::model::*;
use std::path::PathBuf;

fn mismatches(s: &Snapshot) -> Vec<Finding> {
    findings_of(s, "env-mismatch")
}

/// Every finding (all areas) as JSON text, to check that a secret never leaks.
fn all_output(s: &Snapshot) -> String {
    serde_json::to_string(&findings(s)).unwrap_or_default()
}

fn compilers(s: &mut Snapshot, kind: SideKind, names: &[(&str, &str)]) {
    side(s, kind).c_compilers = names
        .iter()
        .map(|(n, p)| (n.to_string(), PathBuf::from(p)))
        .collect();
}

#[test]
fn cgo_disabled_in_editor_settings() {
    let mut s = healthy();
    setting(
        &mut s,
        SettingsLayer::Folder,
        "go.toolsEnvVars.CGO_ENABLED",
        "0",
    );
    let f = mismatches(&s);
    assert_eq!(codes(&f), ["env-mismatch"]);
    assert_eq!(f[0].subject, "CGO_ENABLED");
    assert!(
        f[0].message.contains("cgo is off for VS Code"),
        "{}",
        f[0].message
    );
    assert_eq!(fix_kinds(&f[0]), ["remove-setting", "set-setting"]);
    snap!("rules__env-mismatch__cgo_setting", &s, &f);
}

#[test]
fn no_c_compiler_on_the_editors_path() {
    // The editor's PATH has no gcc: its go reports CGO_ENABLED=0 by default.
    let mut s = healthy();
    compilers(
        &mut s,
        SideKind::Shell,
        &[("gcc", "/opt/gcc/bin/gcc"), ("cc", "/usr/bin/cc")],
    );
    compilers(&mut s, SideKind::Editor, &[("cc", "/usr/bin/cc")]);
    go_env_set(&mut s, SideKind::Editor, "CC", "gcc");
    go_env_set(&mut s, SideKind::Shell, "CC", "gcc");
    go_env_set(&mut s, SideKind::Editor, "CGO_ENABLED", "0");
    let f = mismatches(&s);
    // One finding, on CC: the default CGO_ENABLED difference is its consequence.
    assert_eq!(codes(&f), ["env-mismatch"], "{f:#?}");
    assert_eq!(f[0].subject, "CC");
    assert!(
        f[0].message.contains("`gcc` (CC) is on your shell's PATH"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("CGO_ENABLED=0"), "{}", f[0].message);
    // The editor is given the compiler by its full path (its PATH still has /usr/bin).
    assert_eq!(fix_kinds(&f[0]), ["set-setting"]);
    snap!("rules__env-mismatch__no_c_compiler", &s, &f);
}

#[test]
fn private_module_settings_differ_without_showing_secrets() {
    let mut s = healthy();
    os_env(&mut s, SideKind::Shell, "GOPRIVATE", "github.com/corp/*");
    os_env(
        &mut s,
        SideKind::Shell,
        "GIT_SSH_COMMAND",
        "ssh -i /home/u/.ssh/corp_key",
    );
    os_env(&mut s, SideKind::Shell, "NETRC", "/home/u/.corp-netrc");
    let f = mismatches(&s);
    let subjects: Vec<&str> = f.iter().map(|f| f.subject.as_str()).collect();
    assert_eq!(
        subjects,
        ["GOPRIVATE", "NETRC", "GIT_SSH_COMMAND"],
        "{f:#?}"
    );
    let out = all_output(&s);
    assert!(
        !out.contains("corp_key") && !out.contains("corp-netrc"),
        "{out}"
    );
    assert!(
        f[1].message.contains("your shell has NETRC set"),
        "{}",
        f[1].message
    );
    assert!(
        f[0].message.contains("terminal prompts disabled"),
        "{}",
        f[0].message
    );
    snap!("rules__env-mismatch__private_modules", &s, &f);
}

#[test]
fn ssh_agent_socket_counts_only_for_private_modules() {
    // Two sessions with different sockets: nothing.
    let mut s = healthy();
    os_env(
        &mut s,
        SideKind::Editor,
        "SSH_AUTH_SOCK",
        "/tmp/ssh-a/agent.1",
    );
    os_env(
        &mut s,
        SideKind::Shell,
        "SSH_AUTH_SOCK",
        "/tmp/ssh-b/agent.2",
    );
    assert!(mismatches(&s).is_empty());
    // The editor has no agent, but fetches nothing privately: nothing either.
    let mut s = healthy();
    os_env(
        &mut s,
        SideKind::Shell,
        "SSH_AUTH_SOCK",
        "/tmp/ssh-b/agent.2",
    );
    assert!(mismatches(&s).is_empty());
    // With GOPRIVATE on both sides, the missing agent matters.
    env_file_set_both(&mut s, "GOPRIVATE", "github.com/corp/*");
    let f = mismatches(&s);
    assert_eq!(codes(&f), ["env-mismatch"]);
    assert_eq!(f[0].subject, "SSH_AUTH_SOCK");
    assert!(!all_output(&s).contains("agent.2"));
    assert!(f[0].fixes.is_empty(), "{:#?}", f[0].fixes);
}

#[test]
fn git_ssh_settings_count_only_with_private_modules() {
    let mut s = healthy();
    os_env(
        &mut s,
        SideKind::Shell,
        "GIT_SSH_COMMAND",
        "ssh -i /home/u/.ssh/corp_key",
    );
    assert!(mismatches(&s).is_empty(), "{:#?}", mismatches(&s));
    env_file_set_both(&mut s, "GONOPROXY", "git.corp.example");
    let f = mismatches(&s);
    assert_eq!(codes(&f), ["env-mismatch"]);
    assert_eq!(f[0].subject, "GIT_SSH_COMMAND");
}

#[test]
fn proxy_credentials_are_redacted() {
    let mut s = healthy();
    os_env(
        &mut s,
        SideKind::Shell,
        "https_proxy",
        "http://alice:s3cret@proxy.corp.example:3128",
    );
    os_env(&mut s, SideKind::Shell, "NO_PROXY", "corp.example");
    let f = mismatches(&s);
    let subjects: Vec<&str> = f.iter().map(|f| f.subject.as_str()).collect();
    assert_eq!(subjects, ["HTTPS_PROXY", "NO_PROXY"]);
    assert!(!all_output(&s).contains("s3cret"), "{}", all_output(&s));
    assert!(f[0].message.contains("alice:***@"), "{}", f[0].message);
    // A value with credentials never travels in a fix.
    assert!(f[0].fixes.is_empty(), "{:#?}", f[0].fixes);
    snap!("rules__env-mismatch__proxy", &s, &f);
}

#[test]
fn no_proxy_alone_is_no_finding() {
    let mut s = healthy();
    os_env(&mut s, SideKind::Shell, "no_proxy", "localhost");
    assert!(mismatches(&s).is_empty());
}

#[test]
fn goflags_exported_by_the_shell_only() {
    let mut s = healthy();
    os_env(&mut s, SideKind::Shell, "GOFLAGS", "-tags=integration");
    let f = mismatches(&s);
    assert_eq!(codes(&f), ["env-mismatch"]);
    assert_eq!(f[0].subject, "GOFLAGS");
    assert_eq!(fix_kinds(&f[0]), ["go-env-write", "set-setting"]);
    snap!("rules__env-mismatch__goflags", &s, &f);
}

#[test]
fn cross_compilation_target_in_the_editor() {
    let mut s = healthy();
    setting(
        &mut s,
        SettingsLayer::User,
        "go.toolsEnvVars.GOOS",
        "windows",
    );
    setting(
        &mut s,
        SettingsLayer::User,
        "go.toolsEnvVars.GOEXPERIMENT",
        "rangefunc",
    );
    let f = mismatches(&s);
    let subjects: Vec<&str> = f.iter().map(|f| f.subject.as_str()).collect();
    assert_eq!(subjects, ["GOOS", "GOEXPERIMENT"], "{f:#?}");
    assert!(f[0].message.contains("_windows.go"), "{}", f[0].message);
    snap!("rules__env-mismatch__target", &s, &f);
}

#[test]
fn home_derived_defaults_are_no_finding_but_an_explicit_gopath_is_info() {
    let mut s = healthy();
    go_env_set(&mut s, SideKind::Shell, "GOPATH", "/home/other/go");
    go_env_set(
        &mut s,
        SideKind::Shell,
        "GOMODCACHE",
        "/home/other/go/pkg/mod",
    );
    assert!(mismatches(&s).is_empty(), "{:#?}", mismatches(&s));
    let mut s = healthy();
    os_env(&mut s, SideKind::Shell, "GOPATH", "/home/u/work");
    let f = mismatches(&s);
    assert!(
        f.iter()
            .any(|f| f.subject == "GOPATH" && f.severity == Severity::Info),
        "{f:#?}"
    );
}

#[test]
fn another_editor_gets_the_shells_environment() {
    let mut s = healthy();
    s.editor_kind = EditorKind::Other;
    s.settings.editor_name = "Neovim".into();
    s.editor.label = "Neovim".into();
    os_env(
        &mut s,
        SideKind::Shell,
        "HTTPS_PROXY",
        "http://proxy.corp.example:3128",
    );
    let f = mismatches(&s);
    assert_eq!(codes(&f), ["env-mismatch"]);
    assert_eq!(
        fix_kinds(&f[0]),
        ["editor-environment"],
        "{:#?}",
        f[0].fixes
    );
}
