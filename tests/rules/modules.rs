//! Snapshot tests of the module download and verification rules (GOPROXY, GOSUMDB,
//! GOINSECURE, GONOSUMDB/GOPRIVATE, GOFLAGS), from hand-built snapshots.

use crate::support::rules::*;
use go_env_doctor::model::*;

const CODES: &[&str] = &[
    "goproxy-off",
    "goproxy-empty",
    "goproxy-invalid",
    "goproxy-insecure-http",
    "goproxy-credentials",
    "goproxy-mismatch",
    "gosumdb-off",
    "gosumdb-empty",
    "gosumdb-invalid",
    "goinsecure-broad",
    "gonosumdb-broad",
    "goflags-invalid",
    "goflags-insecure",
];

/// The findings of this area only.
fn module_findings(s: &Snapshot) -> Vec<Finding> {
    findings_of_codes(s, CODES)
}

/// Every finding (all areas) as JSON text, to check that a secret never leaks.
fn all_output(s: &Snapshot) -> String {
    serde_json::to_string(&findings(s)).unwrap_or_default()
}

/// A Go install without `$GOROOT/go.env` (Go ≤ 1.20), used by `kind`.
fn use_old_go(s: &mut Snapshot, kind: SideKind, goroot: &str, version: &str) {
    install(s, goroot, version);
    s.editor.goroot_env_files.remove(goroot);
    if let Some(shell) = s.shell.as_mut() {
        shell.goroot_env_files.remove(goroot);
    }
    use_go(s, kind, goroot, version, GoFoundBy::Path);
}

#[test]
fn healthy_modules_have_no_findings() {
    let s = healthy();
    assert!(module_findings(&s).is_empty(), "{:#?}", module_findings(&s));
}

#[test]
fn default_proxy_list_is_valid() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "https://proxy.golang.org,direct");
    env_file_set_both(&mut s, "GOSUMDB", "sum.golang.google.cn");
    assert!(module_findings(&s).is_empty(), "{:#?}", module_findings(&s));
}

#[test]
fn goproxy_off_is_only_goproxy_off() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "off");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goproxy-off"]);
    assert_eq!(fix_kinds(&f[0]), ["go-env-unset", "go-env-write"]);
    snap!("rules__goproxy-off__env_file", &s, &f);
}

#[test]
fn off_after_a_proxy_is_a_deliberate_choice() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "https://proxy.corp.example,off");
    assert!(module_findings(&s).is_empty(), "{:#?}", module_findings(&s));
}

#[test]
fn empty_goproxy_line_hides_go_env() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goproxy-empty"]);
    assert!(
        f[0].message.contains("`go env -w GOPROXY=`"),
        "{}",
        f[0].message
    );
    // go.env supplies the default once the line is gone.
    assert_eq!(fix_kinds(&f[0]), ["go-env-unset", "go-env-write"]);
    snap!("rules__goproxy-empty__env_file_line", &s, &f);
}

#[test]
fn goproxy_of_commas_exported_by_the_shell() {
    let mut s = healthy();
    os_env(&mut s, SideKind::Shell, "GOPROXY", " , ");
    let f: Vec<Finding> = module_findings(&s)
        .into_iter()
        .filter(|f| f.code == "goproxy-empty")
        .collect();
    assert_eq!(f.len(), 1);
    assert!(f[0].editor.is_none() && f[0].fixes.is_empty());
    snap!("rules__goproxy-empty__shell_export_commas", &s, &f);
}

#[test]
fn missing_go_env_leaves_goproxy_and_gosumdb_empty() {
    let mut s = healthy();
    // The env file names a GOROOT without go.env: cmd/go looks for go.env there, not elsewhere.
    env_file_set_both(&mut s, "GOROOT", "/opt/go-custom");
    dir(&mut s, "/opt/go-custom");
    let f: Vec<Finding> = module_findings(&s)
        .into_iter()
        .filter(|f| f.code == "goproxy-empty" || f.code == "gosumdb-empty")
        .collect();
    assert_eq!(codes(&f), ["goproxy-empty", "gosumdb-empty"]);
    snap!("rules__goproxy-empty__no_goroot_go_env", &s, &f);
}

#[test]
fn empty_goproxy_line_is_fine_for_go_1_20() {
    let mut s = healthy();
    use_old_go(&mut s, SideKind::Editor, "/usr/lib/go-1.20", "go1.20.14");
    use_old_go(&mut s, SideKind::Shell, "/usr/lib/go-1.20", "go1.20.14");
    env_file_set_both(&mut s, "GOPROXY", "");
    env_file_set_both(&mut s, "GOSUMDB", "");
    assert!(module_findings(&s).is_empty(), "{:#?}", module_findings(&s));
}

#[test]
fn goproxy_entry_without_scheme_in_settings() {
    let mut s = healthy();
    setting(
        &mut s,
        SettingsLayer::Folder,
        "go.toolsEnvVars.GOPROXY",
        "corp-proxy,direct",
    );
    let f: Vec<Finding> = module_findings(&s)
        .into_iter()
        .filter(|f| f.code == "goproxy-invalid")
        .collect();
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message
            .contains("`go: invalid proxy URL missing scheme: corp-proxy`"),
        "{}",
        f[0].message
    );
    assert_eq!(fix_kinds(&f[0]), ["remove-setting", "set-setting"]);
    snap!("rules__goproxy-invalid__missing_scheme_setting", &s, &f);
}

#[test]
fn goproxy_bad_escape_and_bad_scheme() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "https://proxy.corp.example/%zz,direct");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goproxy-invalid"]);
    snap!("rules__goproxy-invalid__bad_escape", &s, &f);

    let mut s = healthy();
    env_file_set_both(
        &mut s,
        "GOPROXY",
        "ftp://mirror.example/go|file://host/srv/mods",
    );
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goproxy-invalid"]);
    assert!(f[0]
        .message
        .contains("(must be https, http, file): ftp://mirror.example/go"));
}

#[test]
fn goproxy_file_url_with_a_host() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "file://host/srv/mods");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goproxy-invalid"]);
    snap!("rules__goproxy-invalid__file_url_host", &s, &f);
}

#[test]
fn plain_http_proxy_is_a_warning() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "http://athens.corp.example:3000,direct");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goproxy-insecure-http"]);
    snap!("rules__goproxy-insecure-http__corp_proxy", &s, &f);
}

#[test]
fn plain_http_on_loopback_is_fine() {
    for v in [
        "http://localhost:3000,direct",
        "http://127.0.0.1:3000|https://proxy.golang.org,direct",
        "http://[::1]:3000,direct",
    ] {
        let mut s = healthy();
        env_file_set_both(&mut s, "GOPROXY", v);
        assert!(
            module_findings(&s).is_empty(),
            "{v}: {:#?}",
            module_findings(&s)
        );
    }
}

#[test]
fn proxy_credentials_are_redacted_everywhere() {
    let mut s = healthy();
    env_file_set_both(
        &mut s,
        "GOPROXY",
        "https://alice:s3cret@proxy.corp.example/go,direct",
    );
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goproxy-credentials"]);
    assert!(f[0].message.contains("alice:***@proxy.corp.example"));
    assert!(!all_output(&s).contains("s3cret"));
    snap!("rules__goproxy-credentials__env_file", &s, &f);
}

#[test]
fn credentials_in_a_scheme_less_entry_and_a_mismatch_are_redacted() {
    let mut s = healthy();
    // Exported by the shell only: also a mismatch, whose fixes must not carry the secret.
    os_env(
        &mut s,
        SideKind::Shell,
        "GOPROXY",
        "alice:s3cret@proxy.corp.example,direct",
    );
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goproxy-credentials", "goproxy-mismatch"]);
    assert!(f.iter().all(|f| f.fixes.is_empty()));
    assert!(!all_output(&s).contains("s3cret"), "{}", all_output(&s));
    snap!("rules__goproxy-credentials__shell_export_mismatch", &s, &f);
}

#[test]
fn goproxy_exported_in_bash_profile_is_unseen_by_the_editor() {
    let mut s = healthy();
    os_env(
        &mut s,
        SideKind::Shell,
        "GOPROXY",
        "https://goproxy.cn,direct",
    );
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goproxy-mismatch"]);
    assert_eq!(fix_kinds(&f[0]), ["go-env-write", "set-setting"]);
    snap!("rules__goproxy-mismatch__shell_export", &s, &f);
}

#[test]
fn goproxy_set_in_editor_settings_differs_from_the_shell() {
    let mut s = healthy();
    setting(
        &mut s,
        SettingsLayer::User,
        "go.toolsEnvVars.GOPROXY",
        "https://goproxy.io,direct",
    );
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goproxy-mismatch"]);
    assert_eq!(fix_kinds(&f[0]), ["remove-setting", "set-setting"]);
    snap!("rules__goproxy-mismatch__editor_setting", &s, &f);
}

#[test]
fn equivalent_proxy_lists_are_no_mismatch() {
    let mut s = healthy();
    // `goproxy.cn` gets `https://` prepended by cmd/go; blanks are trimmed.
    os_env(&mut s, SideKind::Shell, "GOPROXY", "goproxy.cn, direct");
    setting(
        &mut s,
        SettingsLayer::User,
        "go.toolsEnvVars.GOPROXY",
        "https://goproxy.cn,direct",
    );
    assert!(module_findings(&s).is_empty(), "{:#?}", module_findings(&s));
}

#[test]
fn gosumdb_off_is_a_warning() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOSUMDB", "off");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["gosumdb-off"]);
    assert_eq!(f[0].severity, Severity::Warning);
    snap!("rules__gosumdb-off__env_file", &s, &f);
}

#[test]
fn gosumdb_off_with_direct_only_is_an_error() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOSUMDB", "off");
    env_file_set_both(&mut s, "GOPROXY", "direct");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["gosumdb-off"]);
    assert_eq!(f[0].severity, Severity::Error);
    snap!("rules__gosumdb-off__direct_only", &s, &f);
}

#[test]
fn empty_gosumdb_line() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOSUMDB", "");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["gosumdb-empty"]);
    assert_eq!(fix_kinds(&f[0]), ["go-env-unset", "go-env-write"]);
    snap!("rules__gosumdb-empty__env_file_line", &s, &f);
}

#[test]
fn gosumdb_naming_an_unknown_host() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOSUMDB", "sum.corp.example");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["gosumdb-invalid"]);
    assert!(f[0]
        .message
        .contains("`verifying module: invalid GOSUMDB: malformed verifier id`"));
    snap!("rules__gosumdb-invalid__malformed_verifier_id", &s, &f);
}

#[test]
fn gosumdb_with_too_many_fields_in_settings() {
    let mut s = healthy();
    setting(
        &mut s,
        SettingsLayer::Folder,
        "go.toolsEnvVars.GOSUMDB",
        "sum.golang.org https://sum.golang.org extra",
    );
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["gosumdb-invalid"]);
    assert!(f[0].message.contains("too many fields"));
    snap!("rules__gosumdb-invalid__too_many_fields", &s, &f);
}

#[test]
fn gosumdb_key_and_url_is_valid() {
    let mut s = healthy();
    env_file_set_both(
        &mut s,
        "GOSUMDB",
        "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8 https://goproxy.io/sumdb/sum.golang.org",
    );
    assert!(module_findings(&s).is_empty(), "{:#?}", module_findings(&s));
}

#[test]
fn goinsecure_star() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOINSECURE", "*");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goinsecure-broad"]);
    assert_eq!(fix_kinds(&f[0]), ["go-env-unset"]);
    snap!("rules__goinsecure-broad__star", &s, &f);
}

#[test]
fn goinsecure_bare_tld_keeps_the_narrow_patterns() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOINSECURE", "*.com,git.corp.example.com");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goinsecure-broad"]);
    assert_eq!(fix_kinds(&f[0]), ["go-env-write"]);
    snap!("rules__goinsecure-broad__tld_with_narrow_pattern", &s, &f);
}

#[test]
fn goprivate_of_all_of_github() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPRIVATE", "github.com");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["gonosumdb-broad"]);
    assert_eq!(f[0].subject, "GOPRIVATE");
    snap!("rules__gonosumdb-broad__goprivate_github", &s, &f);
}

#[test]
fn gonosumdb_star_exported_by_the_shell() {
    let mut s = healthy();
    os_env(&mut s, SideKind::Shell, "GONOSUMDB", "*");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["gonosumdb-broad"]);
    assert_eq!(f[0].subject, "GONOSUMDB");
    assert!(f[0].fixes.is_empty());
    snap!("rules__gonosumdb-broad__shell_export", &s, &f);
}

#[test]
fn narrow_private_patterns_are_fine() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GONOSUMDB", "corp.example.com");
    env_file_set_both(&mut s, "GOPRIVATE", "*.corp.example.com,github.com/acme");
    env_file_set_both(&mut s, "GOINSECURE", "git.corp.example.com");
    assert!(module_findings(&s).is_empty(), "{:#?}", module_findings(&s));
}

#[test]
fn unknown_goflags_flag_from_go_version() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOFLAGS", "-mod=mod -foo");
    for kind in [SideKind::Editor, SideKind::Shell] {
        side(&mut s, kind).go_version = Some(CommandResult::Failed {
            exit_code: Some(1),
            stderr: "go: parsing $GOFLAGS: unknown flag -foo\n".into(),
            millis: 3,
        });
    }
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goflags-invalid"]);
    assert_eq!(fix_kinds(&f[0]), ["go-env-write", "go-env-unset"]);
    snap!("rules__goflags-invalid__unknown_flag", &s, &f);
}

#[test]
fn goflags_non_flag_word() {
    let mut s = healthy();
    os_env(&mut s, SideKind::Shell, "GOFLAGS", "-mod=mod vendor");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goflags-invalid"]);
    assert!(f[0]
        .message
        .contains("`go: parsing $GOFLAGS: non-flag \"vendor\"`"));
    snap!("rules__goflags-invalid__non_flag", &s, &f);
}

#[test]
fn goflags_insecure_on_modern_go_is_invalid() {
    let mut s = healthy();
    setting(
        &mut s,
        SettingsLayer::Folder,
        "go.toolsEnvVars.GOFLAGS",
        "-insecure",
    );
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goflags-invalid"]);
    assert_eq!(fix_kinds(&f[0]), ["remove-setting"]);
    snap!("rules__goflags-invalid__insecure_removed", &s, &f);
}

#[test]
fn goflags_insecure_on_go_1_16_weakens_security() {
    let mut s = healthy();
    use_old_go(&mut s, SideKind::Editor, "/usr/lib/go-1.16", "go1.16.15");
    use_old_go(&mut s, SideKind::Shell, "/usr/lib/go-1.16", "go1.16.15");
    env_file_set_both(&mut s, "GOFLAGS", "-insecure");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goflags-insecure"]);
    snap!("rules__goflags-insecure__insecure_go_1_16", &s, &f);
}

#[test]
fn goflags_modcacherw() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOFLAGS", "-modcacherw -trimpath");
    let f = module_findings(&s);
    assert_eq!(codes(&f), ["goflags-insecure"]);
    assert_eq!(fix_kinds(&f[0]), ["go-env-write", "go-env-unset"]);
    snap!("rules__goflags-insecure__modcacherw", &s, &f);
}

#[test]
fn ordinary_goflags_are_fine() {
    let mut s = healthy();
    env_file_set_both(
        &mut s,
        "GOFLAGS",
        "-mod=mod -modcacherw=false '-ldflags=-s -w'",
    );
    assert!(module_findings(&s).is_empty(), "{:#?}", module_findings(&s));
}
