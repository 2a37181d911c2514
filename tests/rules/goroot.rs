//! Snapshot tests of the GOROOT / go binary rules, the effective-env resolution they rest on,
//! fix simulation, and the probe and settings inputs. Hand-built snapshots, no processes.

use crate::support::rules::*;
use go_env_doctor::model::*;
use go_env_doctor::rules::{resolve, simulate};
use std::path::PathBuf;

/// The codes this suite is about (other areas' findings are left out of these snapshots).
const CODES: &[&str] = &[
    "go-not-found",
    "goroot-mismatch",
    "go-version-mismatch",
    "goroot-missing",
    "goroot-dangling-symlink",
    "goroot-not-a-goroot",
    "goroot-unreadable",
    "goroot-version-skew",
    "goroot-explicit",
    "goroot-in-env-file",
    "untrusted-not-executed",
    "shell-probe-failed",
    "shell-probe-slow",
    "settings-unparseable",
];

fn mine(s: &Snapshot) -> Vec<Finding> {
    findings(s)
        .into_iter()
        .filter(|f| CODES.contains(&f.code.as_str()))
        .collect()
}

const SDK22: &str = "/home/u/sdk/go1.22.10";
const SDK21: &str = "/home/u/sdk/go1.21.13";
const SDK23: &str = "/home/u/sdk/go1.23.4";
const SDK27: &str = "/home/u/sdk/go1.27.3";

use SettingsLayer::{Folder, User};
use SideKind::{Editor, Shell};

// ---------------------------------------------------------------------------------------------
// Healthy and other negatives
// ---------------------------------------------------------------------------------------------

#[test]
fn healthy_has_no_findings() {
    let s = healthy();
    assert_eq!(codes(&findings(&s)), Vec::<String>::new());
}

#[test]
fn no_shell_healthy_has_no_findings() {
    let mut s = healthy();
    no_shell(&mut s);
    assert_eq!(codes(&findings(&s)), Vec::<String>::new());
}

#[test]
fn goroot_through_symlink_is_the_same_goroot() {
    // Homebrew: /usr/local/go → /usr/local/Cellar/go/1.22.10/libexec. The editor names the
    // link in go.goroot; the shell's go reports the resolved root.
    let real = "/usr/local/Cellar/go/1.22.10/libexec";
    let mut s = healthy();
    install(&mut s, real, VERSION);
    symlink_dir(&mut s, GOROOT, &[(GOROOT, real)], real);
    use_go(&mut s, Shell, real, VERSION, GoFoundBy::Path);
    setting(&mut s, Folder, "go.goroot", GOROOT);
    use_go(&mut s, Editor, GOROOT, VERSION, GoFoundBy::GorootBin);
    assert_eq!(codes(&mine(&s)), Vec::<String>::new());
}

#[test]
fn goroot_trailing_separator_and_case_are_the_same_goroot() {
    let mut s = healthy();
    s.case_insensitive_fs = true;
    os_env(&mut s, Shell, "GOROOT", "/USR/local/go/");
    dir(&mut s, "/USR/local/go/").canonical = None;
    // Only goroot-explicit (info) may speak: the roots are the same.
    assert_eq!(codes(&mine(&s)), vec!["goroot-explicit"]);
}

#[test]
fn same_version_same_root_no_version_mismatch() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOFLAGS", "-mod=mod");
    assert!(mine(&s).is_empty());
}

// ---------------------------------------------------------------------------------------------
// goroot-mismatch
// ---------------------------------------------------------------------------------------------

/// The SPEC's example: go.goroot pins /usr/local/go (go1.21.13) in the folder settings, the
/// shell's PATH finds ~/sdk/go1.22.10.
fn spec_example(editor_path_finds_sdk: bool) -> Snapshot {
    let mut s = healthy();
    install(&mut s, GOROOT, "go1.21.13");
    install(&mut s, SDK22, "go1.22.10");
    use_go(&mut s, Shell, SDK22, "go1.22.10", GoFoundBy::Path);
    setting(&mut s, Folder, "go.goroot", GOROOT);
    use_go(&mut s, Editor, GOROOT, "go1.21.13", GoFoundBy::GorootBin);
    if editor_path_finds_sdk {
        set_path_go(&mut s, Editor, SDK22, "go1.22.10");
    } else {
        set_path_go(&mut s, Editor, GOROOT, "go1.21.13");
    }
    s
}

#[test]
fn goroot_mismatch_setting_copy_when_removal_does_not_help() {
    let s = spec_example(false);
    snap!(
        "rules__goroot-mismatch__go_goroot_set_to_shell",
        &s,
        &mine(&s)
    );
}

#[test]
fn goroot_mismatch_prefers_removing_the_setting() {
    let s = spec_example(true);
    let f = findings_of(&s, "goroot-mismatch");
    assert_eq!(f.len(), 1);
    assert!(matches!(
        f[0].fixes[0].action,
        FixAction::RemoveSetting { ref key, .. } if key == "go.goroot"
    ));
    snap!("rules__goroot-mismatch__remove_go_goroot", &s, &f);
}

#[test]
fn goroot_mismatch_gvm_export_in_shell() {
    // gvm exports GOROOT in the shell; the GUI-started editor never saw it.
    let mut s = healthy();
    install(&mut s, SDK21, "go1.21.13");
    os_env(&mut s, Shell, "GOROOT", SDK21);
    let shell = side(&mut s, Shell);
    shell.os_env.insert(
        "PATH".into(),
        format!("{SDK21}/bin:/usr/local/go/bin:/usr/bin:/bin"),
    );
    use_go(&mut s, Shell, SDK21, "go1.21.13", GoFoundBy::Path);
    snap!(
        "rules__goroot-mismatch__shell_exports_goroot",
        &s,
        &mine(&s)
    );
}

#[test]
fn goroot_mismatch_from_tools_env_vars() {
    let mut s = healthy();
    install(&mut s, SDK21, "go1.21.13");
    setting(&mut s, User, "go.toolsEnvVars.GOROOT", SDK21);
    use_go(&mut s, Editor, SDK21, "go1.21.13", GoFoundBy::GorootBin);
    let f = findings_of(&s, "goroot-mismatch");
    // vscode-go looks for `go` in $GOROOT of its own environment, never in toolsEnvVars: the
    // editor runs PATH's go1.22.10 with the 1.21.13 root. Removing the member makes it agree
    // with the shell: preferred.
    snap!("rules__goroot-mismatch__tools_env_vars", &s, &f);
}

#[test]
fn goroot_mismatch_no_fix_into_unparseable_file() {
    let mut s = spec_example(false);
    settings_error(&mut s, Folder, "Expected comma", 3, 5);
    // The go.goroot member lives in the unparseable folder file: no edit is offered there.
    let f = findings_of(&s, "goroot-mismatch");
    assert_eq!(f.len(), 1);
    assert!(f[0].fixes.iter().all(|x| match &x.action {
        FixAction::SetSetting { file, .. } | FixAction::RemoveSetting { file, .. } =>
            file != &PathBuf::from(FOLDER_SETTINGS),
        _ => true,
    }));
}

// ---------------------------------------------------------------------------------------------
// go-version-mismatch
// ---------------------------------------------------------------------------------------------

#[test]
fn go_version_mismatch_same_goroot_different_binaries() {
    // GOROOT=/usr/local/go in the env file for both; the shell's PATH has a newer go first.
    let mut s = healthy();
    install(&mut s, SDK23, "go1.23.4");
    env_file_set_both(&mut s, "GOROOT", GOROOT);
    use_go(&mut s, Shell, SDK23, "go1.23.4", GoFoundBy::Path);
    snap!("rules__go-version-mismatch__env_file_goroot", &s, &mine(&s));
}

#[test]
fn go_version_mismatch_alternate_tools() {
    // GOROOT=/usr/local/go exported for every process; the folder settings point
    // go.alternateTools.go at another Go.
    let mut s = healthy();
    install(&mut s, SDK23, "go1.23.4");
    os_env(&mut s, Editor, "GOROOT", GOROOT);
    os_env(&mut s, Shell, "GOROOT", GOROOT);
    let alt = format!("{SDK23}/bin/go");
    setting(&mut s, Folder, "go.alternateTools.go", &alt);
    file(&mut s, &alt).executable = true;
    use_go(&mut s, Editor, SDK23, "go1.23.4", GoFoundBy::AlternateTools);
    let f = findings_of(&s, "go-version-mismatch");
    assert_eq!(f.len(), 1);
    assert!(matches!(
        f[0].fixes[0].action,
        FixAction::RemoveSetting { ref key, .. } if key == "go.alternateTools.go"
    ));
    snap!("rules__go-version-mismatch__alternate_tools", &s, &f);
}

#[test]
fn go_version_mismatch_not_reported_with_goroot_mismatch() {
    let s = spec_example(false);
    let c = codes(&mine(&s));
    assert!(c.contains(&"goroot-mismatch".to_string()));
    assert!(!c.contains(&"go-version-mismatch".to_string()));
}

// ---------------------------------------------------------------------------------------------
// goroot-missing / dangling / not-a-goroot / unreadable
// ---------------------------------------------------------------------------------------------

#[test]
fn goroot_missing_cellar_go_goroot_ignored() {
    // go.goroot pinned to a Homebrew Cellar path that an upgrade deleted: vscode-go ignores
    // it and falls back to PATH.
    let cellar = "/opt/homebrew/Cellar/go/1.21.5/libexec";
    let mut s = healthy();
    install(&mut s, SDK21, "go1.21.13");
    setting(&mut s, User, "go.goroot", cellar);
    missing(&mut s, cellar, "/opt/homebrew/Cellar/go");
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["goroot-missing"]);
    snap!("rules__goroot-missing__go_goroot_ignored", &s, &f);
}

#[test]
fn goroot_missing_env_file_both_sides_once() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOROOT", "/x");
    missing(&mut s, "/x", "/");
    for k in [Editor, Shell] {
        side(&mut s, k).go_env = Some(CommandResult::Failed {
            exit_code: Some(2),
            stderr: "go: cannot find GOROOT directory: /x\n".into(),
            millis: 3,
        });
    }
    let f = mine(&s);
    let missing_f: Vec<&Finding> = f.iter().filter(|f| f.code == "goroot-missing").collect();
    assert_eq!(missing_f.len(), 1);
    assert!(missing_f[0].editor.is_some() && missing_f[0].shell.is_some());
    // go cannot run: only the direct line edit is offered.
    snap!("rules__goroot-missing__env_file_both_sides", &s, &f);
}

#[test]
fn goroot_missing_shell_export_has_no_fix() {
    let mut s = healthy();
    os_env(&mut s, Shell, "GOROOT", "/home/u/.gvm/gos/go1.20");
    missing(&mut s, "/home/u/.gvm/gos/go1.20", "/home/u/.gvm/gos");
    let f = findings_of(&s, "goroot-missing");
    assert_eq!(f.len(), 1);
    assert!(f[0].fixes.is_empty());
    snap!("rules__goroot-missing__shell_export", &s, &f);
}

#[test]
fn goroot_dangling_symlink_shows_chain() {
    let mut s = healthy();
    let link = "/usr/local/go-current";
    setting(&mut s, Folder, "go.goroot", link);
    let p = missing(&mut s, link, "/usr/local");
    p.dangling_symlink = true;
    p.symlink_chain = vec![
        SymlinkHop {
            link: PathBuf::from(link),
            target: PathBuf::from("/opt/go/current"),
        },
        SymlinkHop {
            link: PathBuf::from("/opt/go/current"),
            target: PathBuf::from("/opt/go/1.21.5"),
        },
    ];
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["goroot-dangling-symlink"]);
    snap!("rules__goroot-dangling-symlink__go_goroot", &s, &f);
}

#[test]
fn goroot_not_a_goroot_editor_env() {
    // The editor was started with GOROOT pointing at an empty directory.
    let mut s = healthy();
    os_env(&mut s, Editor, "GOROOT", "/home/u/empty");
    dir(&mut s, "/home/u/empty").goroot_layout = Some(GorootLayout::default());
    let f = mine(&s);
    snap!("rules__goroot-not-a-goroot__editor_env", &s, &f);
}

#[test]
fn goroot_unreadable_and_bin_go_not_executable() {
    let mut s = healthy();
    os_env(&mut s, Shell, "GOROOT", "/opt/go");
    let p = dir(&mut s, "/opt/go");
    p.readable = false;
    p.error = Some("open /opt/go: permission denied".into());
    os_env(&mut s, Editor, "GOROOT", "/opt/go2");
    dir(&mut s, "/opt/go2").goroot_layout = Some(GorootLayout {
        version: Some(VERSION.into()),
        has_bin_go: true,
        bin_go_executable: false,
        has_src: true,
        has_pkg_tool: true,
    });
    let f: Vec<Finding> = findings_of(&s, "goroot-unreadable");
    assert_eq!(f.len(), 2);
    snap!("rules__goroot-unreadable__both", &s, &f);
}

// ---------------------------------------------------------------------------------------------
// goroot-version-skew, goroot-explicit, goroot-in-env-file
// ---------------------------------------------------------------------------------------------

#[test]
fn goroot_version_skew_shell_gvm_goroot_with_other_go() {
    let mut s = healthy();
    install(&mut s, SDK21, "go1.21.13");
    os_env(&mut s, Shell, "GOROOT", SDK21);
    let f = findings_of(&s, "goroot-version-skew");
    assert_eq!(f.len(), 1);
    snap!("rules__goroot-version-skew__shell", &s, &f);
}

#[test]
fn goroot_version_skew_editor_alternate_tools() {
    let mut s = healthy();
    install(&mut s, SDK23, "go1.23.4");
    os_env(&mut s, Editor, "GOROOT", GOROOT);
    os_env(&mut s, Shell, "GOROOT", GOROOT);
    let alt = format!("{SDK23}/bin/go");
    setting(&mut s, Folder, "go.alternateTools.go", &alt);
    file(&mut s, &alt).executable = true;
    use_go(&mut s, Editor, SDK23, "go1.23.4", GoFoundBy::AlternateTools);
    let f = findings_of(&s, "goroot-version-skew");
    assert_eq!(f.len(), 1);
    snap!("rules__goroot-version-skew__alternate_tools", &s, &f);
}

#[test]
fn goroot_explicit_tools_env_vars() {
    let mut s = healthy();
    setting(&mut s, User, "go.toolsEnvVars.GOROOT", GOROOT);
    use_go(&mut s, Editor, GOROOT, VERSION, GoFoundBy::GorootBin);
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["goroot-explicit"]);
    snap!("rules__goroot-explicit__tools_env_vars", &s, &f);
}

#[test]
fn goroot_explicit_not_for_go_goroot_choice() {
    // go.goroot choosing /usr/local/go/bin/go is how vscode-go picks a Go: not "explicit".
    let mut s = healthy();
    setting(&mut s, Folder, "go.goroot", GOROOT);
    use_go(&mut s, Editor, GOROOT, VERSION, GoFoundBy::GorootBin);
    assert!(mine(&s).is_empty());
}

#[test]
fn goroot_in_env_file_go122_unset_first() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "https://proxy.golang.org,direct");
    env_file_set_both(&mut s, "GOROOT", GOROOT);
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["goroot-in-env-file", "goroot-explicit"]);
    let fixes = &f[0].fixes;
    assert!(matches!(fixes[0].action, FixAction::GoEnvUnset { .. }));
    assert!(matches!(
        fixes[1].action,
        FixAction::EnvFileRemoveLine { line: 2, .. }
    ));
    snap!("rules__goroot-in-env-file__go122", &s, &f);
}

#[test]
fn goroot_in_env_file_go127_line_edit_only() {
    let mut s = healthy();
    install(&mut s, SDK27, "go1.27.3");
    for k in [Editor, Shell] {
        use_go(&mut s, k, SDK27, "go1.27.3", GoFoundBy::Path);
    }
    env_file_set_both(&mut s, "GOROOT", GOROOT);
    let f = findings_of(&s, "goroot-in-env-file");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].fixes.len(), 1);
    assert!(matches!(
        f[0].fixes[0].action,
        FixAction::EnvFileRemoveLine { .. }
    ));
    snap!("rules__goroot-in-env-file__go127", &s, &f);
}

#[test]
fn goroot_in_env_file_shadowed_by_os_env_without_go_env() {
    // File GOROOT=/dir-without-go.env + OS GOROOT=<real>: cmd/go still looks go.env up through
    // the file's GOROOT, so GOPROXY/GOSUMDB/GOTOOLCHAIN come out empty.
    let mut s = healthy();
    let bare = "/home/u/goroot-copy";
    dir(&mut s, bare);
    env_file_set(&mut s, Shell, "GOROOT", bare);
    env_file_set(&mut s, Editor, "GOROOT", bare);
    os_env(&mut s, Shell, "GOROOT", GOROOT);
    let shell = resolve::effective(&s, Shell).expect("shell side");
    assert_eq!(shell.goroot(), GOROOT);
    assert!(matches!(
        shell.get("GOROOT").map(|v| &v.origin),
        Some(Origin::OsEnv)
    ));
    assert_eq!(shell.value("GOPROXY"), "");
    assert!(!shell.goroot_env_found);
    let f = findings_of(&s, "goroot-in-env-file");
    snap!("rules__goroot-in-env-file__shadowed_without_go_env", &s, &f);
}

// ---------------------------------------------------------------------------------------------
// go-not-found, untrusted-not-executed
// ---------------------------------------------------------------------------------------------

#[test]
fn go_not_found_editor_only() {
    let mut s = healthy();
    let e = side(&mut s, Editor);
    e.go = None;
    e.path_go = None;
    e.go_env = None;
    e.go_version = None;
    e.gotoolchain = None;
    e.os_env.insert("PATH".into(), "/usr/bin:/bin".into());
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["go-not-found"]);
    snap!("rules__go-not-found__editor", &s, &f);
}

#[test]
fn go_not_found_both_sides_once() {
    let mut s = healthy();
    s.installs.clear();
    for k in [Editor, Shell] {
        let e = side(&mut s, k);
        e.go = None;
        e.path_go = None;
        e.go_env = None;
        e.go_version = None;
        e.gotoolchain = None;
    }
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["go-not-found"]);
    snap!("rules__go-not-found__both", &s, &f);
}

#[test]
fn go_not_found_anywhere_names_the_installed_sdk_and_the_path_line() {
    let mut s = healthy();
    s.installs.clear();
    let sdk = "/home/u/sdk/go1.25.5";
    install(&mut s, sdk, "go1.25.5");
    if let Some(i) = s.installs.get_mut(sdk) {
        i.installed_by = Some("golang.org/dl".into());
    }
    for k in [Editor, Shell] {
        let e = side(&mut s, k);
        e.go = None;
        e.path_go = None;
        e.go_env = None;
        e.go_version = None;
        e.gotoolchain = None;
    }
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["go-not-found"]);
    assert!(
        f[0].message.contains(
            " go1.25.5 is installed in ~/sdk/go1.25.5 (golang.org/dl), but not on PATH: add `export PATH=\"$HOME/sdk/go1.25.5/bin:$PATH\"`"
        ),
        "{}",
        f[0].message
    );
    assert!(
        f[0].fixes.is_empty(),
        "no editor setting fixes a shell without Go: {:#?}",
        f[0].fixes
    );
}

#[test]
fn untrusted_workspace_go_inspected_not_run() {
    let mut s = healthy();
    let root = "/home/u/proj/.tools/go";
    install(&mut s, root, "go1.22.10");
    let alt = format!("{root}/bin/go");
    setting(&mut s, Folder, "go.alternateTools.go", &alt);
    file(&mut s, &alt).executable = true;
    use_go(&mut s, Editor, root, "go1.22.10", GoFoundBy::AlternateTools);
    let e = side(&mut s, Editor);
    if let Some(g) = e.go.as_mut() {
        g.workspace_chosen = true;
    }
    e.go_env = Some(CommandResult::NotRun {
        reason: "workspace not trusted".into(),
    });
    e.go_version = Some(CommandResult::NotRun {
        reason: "workspace not trusted".into(),
    });
    let f = findings_of(&s, "untrusted-not-executed");
    assert_eq!(f.len(), 1);
    snap!("rules__untrusted-not-executed__alternate_tools", &s, &f);
    s.trusted = true;
    assert!(findings_of(&s, "untrusted-not-executed").is_empty());
}

// ---------------------------------------------------------------------------------------------
// Probe and settings inputs
// ---------------------------------------------------------------------------------------------

#[test]
fn shell_probe_failed_variants() {
    let cases = [
        (
            "timed_out",
            ProbeOutcome::TimedOut { after_secs: 10 },
            10_004,
        ),
        ("exited", ProbeOutcome::Exited { code: 1 }, 230),
        ("signalled", ProbeOutcome::Signalled { signal: 9 }, 1_500),
        ("no_markers", ProbeOutcome::NoMarkers, 610),
        (
            "spawn_failed",
            ProbeOutcome::SpawnFailed {
                error: "No such file or directory (os error 2)".into(),
            },
            1,
        ),
    ];
    for (name, outcome, millis) in cases {
        let mut s = healthy();
        probe_failed(&mut s, outcome, millis);
        assert!(resolve::effective(&s, Shell).is_none());
        let f = mine(&s);
        assert_eq!(codes(&f), vec!["shell-probe-failed"], "{name}");
        snap!(&format!("rules__shell-probe-failed__{name}"), &s, &f);
    }
}

#[test]
fn shell_probe_slow() {
    let mut s = healthy();
    if let Some(p) = side(&mut s, Shell).probe.as_mut() {
        p.millis = 4_200;
    }
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["shell-probe-slow"]);
    snap!("rules__shell-probe-slow__4s", &s, &f);
    if let Some(p) = side(&mut s, Shell).probe.as_mut() {
        p.millis = 2_900;
    }
    assert!(mine(&s).is_empty());
}

#[test]
fn settings_unparseable() {
    let mut s = healthy();
    settings_error(&mut s, Folder, "Expected comma or closing brace", 7, 3);
    let f = mine(&s);
    assert_eq!(codes(&f), vec!["settings-unparseable"]);
    snap!("rules__settings-unparseable__folder", &s, &f);
}

#[test]
fn disabled_checks_are_dropped() {
    let mut s = spec_example(false);
    s.disabled_checks = vec!["goroot-mismatch".into()];
    assert!(findings_of(&s, "goroot-mismatch").is_empty());
}

// ---------------------------------------------------------------------------------------------
// resolve: cmd/go precedence and vscode-go semantics
// ---------------------------------------------------------------------------------------------

#[test]
fn resolve_precedence() {
    let mut s = healthy();
    // OS env empty counts as unset: go.env's value shows through.
    os_env(&mut s, Shell, "GOPROXY", "");
    let sh = resolve::effective(&s, Shell).expect("shell");
    assert_eq!(sh.value("GOPROXY"), "https://proxy.golang.org,direct");
    assert!(matches!(
        sh.get("GOPROXY").map(|v| &v.origin),
        Some(Origin::GorootGoEnv { .. })
    ));
    // An empty env-file line hides go.env.
    env_file_set_both(&mut s, "GOPROXY", "");
    let sh = resolve::effective(&s, Shell).expect("shell");
    assert_eq!(sh.value("GOPROXY"), "");
    assert!(matches!(
        sh.get("GOPROXY").map(|v| &v.origin),
        Some(Origin::EnvFile { line: 1, .. })
    ));
    // The OS env beats the env file; the editor overlay beats both.
    os_env(&mut s, Editor, "GOPROXY", "https://os.example");
    setting(
        &mut s,
        Folder,
        "go.toolsEnvVars.GOPROXY",
        "https://a:tok@settings.example",
    );
    let ed = resolve::effective(&s, Editor).expect("editor");
    assert_eq!(ed.value("GOPROXY"), "https://a:tok@settings.example");
    let layers: Vec<&str> = ed.layers["GOPROXY"]
        .iter()
        .map(|v| v.value.as_str())
        .collect();
    // The overlay replaces the OS variable (never seen by go); env file; default.
    assert_eq!(layers, vec!["https://a:tok@settings.example", "", ""]);
    // GOTOOLCHAIN never comes from `go env -json` (which ran with GOTOOLCHAIN=local).
    assert_eq!(ed.value("GOTOOLCHAIN"), "auto");
    // Defaults: GOCACHE and GOPATH computed from HOME; GOROOT the binary's own root.
    assert_eq!(ed.value("GOCACHE"), GOCACHE);
    assert_eq!(ed.value("GOPATH"), GOPATH);
    assert_eq!(ed.value("GOMODCACHE"), GOMODCACHE);
    assert_eq!(ed.goroot(), GOROOT);
    assert_eq!(ed.go_version.as_deref(), Some(VERSION));
    for k in resolve::KEYS {
        assert!(ed.env.contains_key(*k), "{k}");
    }
}

#[test]
fn resolve_gocache_raw_default() {
    let mut s = healthy();
    os_env(&mut s, Shell, "XDG_CACHE_HOME", "/var/cache/u");
    let sh = resolve::effective(&s, Shell).expect("shell");
    assert_eq!(sh.value("GOCACHE"), "/var/cache/u/go-build");
    // HOME and XDG unset: `go env` says off, the raw default is empty.
    let shell = side(&mut s, Shell);
    shell.os_env.remove("HOME");
    shell.os_env.remove("XDG_CACHE_HOME");
    go_env_set(&mut s, Shell, "GOCACHE", "off");
    let sh = resolve::effective(&s, Shell).expect("shell");
    assert_eq!(sh.value("GOCACHE"), "");
    assert!(matches!(
        sh.get("GOCACHE").map(|v| &v.origin),
        Some(Origin::Default)
    ));
}

#[test]
fn resolve_editor_go_lookup() {
    let mut s = healthy();
    install(&mut s, SDK23, "go1.23.4");
    // go.goroot honoured: GOROOT/bin/go from installs.
    setting(&mut s, Folder, "go.goroot", SDK23);
    let ed = resolve::effective(&s, Editor).expect("editor");
    assert_eq!(ed.goroot(), SDK23);
    let go = ed.go.as_ref().expect("go");
    assert_eq!(go.found_by, GoFoundBy::GorootBin);
    assert_eq!(go.path, PathBuf::from(format!("{SDK23}/bin/go")));
    assert_eq!(ed.go_version.as_deref(), Some("go1.23.4"));
    assert!(!ed.ran);
    // go.goroot missing: ignored, PATH wins.
    setting(&mut s, Folder, "go.goroot", "/nope");
    missing(&mut s, "/nope", "/");
    let ed = resolve::effective(&s, Editor).expect("editor");
    assert!(!ed.goroot_setting_honoured);
    assert_eq!(ed.goroot(), GOROOT);
    assert!(ed.ran);
    // alternateTools not executable: silently skipped.
    setting(&mut s, Folder, "go.alternateTools.go", "/opt/go/bin/go");
    file(&mut s, "/opt/go/bin/go").executable = false;
    let ed = resolve::effective(&s, Editor).expect("editor");
    assert!(!ed.alternate_go_used);
    assert_eq!(ed.go.as_ref().map(|g| g.found_by), Some(GoFoundBy::Path));
    // The shell ignores editor settings.
    let sh = resolve::effective(&s, Shell).expect("shell");
    assert_eq!(sh.goroot(), GOROOT);
}

#[test]
fn resolve_goenv_off_skips_env_file() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "off");
    os_env(&mut s, Shell, "GOENV", "off");
    let sh = resolve::effective(&s, Shell).expect("shell");
    assert_eq!(sh.value("GOPROXY"), "https://proxy.golang.org,direct");
    let ed = resolve::effective(&s, Editor).expect("editor");
    assert_eq!(ed.value("GOPROXY"), "off");
}

// ---------------------------------------------------------------------------------------------
// simulate
// ---------------------------------------------------------------------------------------------

#[test]
fn simulate_go_env_write_rewrites_first_and_drops_duplicates() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOPROXY", "");
    env_file_set_both(&mut s, "GOSUMDB", "off");
    env_file_set_both(&mut s, "GOPROXY", "x");
    let after = simulate::apply(
        &s,
        &FixAction::GoEnvWrite {
            key: "GOPROXY".into(),
            value: "https://proxy.golang.org".into(),
        },
    );
    for k in [Editor, Shell] {
        let sf = resolve::side_facts(&after, k).expect("side");
        let f = sf.env_file.as_ref().expect("env file");
        let gp: Vec<(&str, u32)> = f
            .entries
            .iter()
            .filter(|e| e.key == "GOPROXY")
            .map(|e| (e.value.as_str(), e.line))
            .collect();
        assert_eq!(gp, vec![("https://proxy.golang.org", 1)]);
    }
    let after = simulate::apply(
        &after,
        &FixAction::GoEnvUnset {
            key: "GOSUMDB".into(),
        },
    );
    let sh = resolve::effective(&after, Shell).expect("shell");
    assert_eq!(sh.value("GOSUMDB"), "sum.golang.org");
}

#[test]
fn simulate_remove_setting_reveals_lower_layer() {
    let mut s = healthy();
    install(&mut s, SDK21, "go1.21.13");
    install(&mut s, SDK23, "go1.23.4");
    setting(&mut s, User, "go.goroot", SDK21);
    setting(&mut s, Folder, "go.goroot", SDK23);
    assert_eq!(resolve::effective(&s, Editor).expect("e").goroot(), SDK23);
    let after = simulate::apply(
        &s,
        &FixAction::RemoveSetting {
            file: PathBuf::from(FOLDER_SETTINGS),
            key: "go.goroot".into(),
        },
    );
    assert_eq!(
        resolve::effective(&after, Editor).expect("e").goroot(),
        SDK21
    );
    let after = simulate::apply(
        &after,
        &FixAction::SetSetting {
            file: PathBuf::from(FOLDER_SETTINGS),
            key: "go.goroot".into(),
            value: "~/sdk/go1.23.4".into(),
        },
    );
    assert_eq!(
        resolve::effective(&after, Editor).expect("e").goroot(),
        SDK23
    );
}

#[test]
fn simulate_create_directory_and_clean_cache() {
    let mut s = healthy();
    missing(&mut s, "/home/u/.cache/new/go-build", "/home/u/.cache");
    let after = simulate::apply(
        &s,
        &FixAction::CreateDirectory {
            path: PathBuf::from("/home/u/.cache/new/go-build"),
        },
    );
    let p = after.path("/home/u/.cache/new/go-build").expect("path");
    assert!(p.exists && p.writable && p.kind == Some(FileKind::Dir));
    let after = simulate::apply(
        &s,
        &FixAction::CleanCache {
            gocache: PathBuf::from(GOCACHE),
        },
    );
    assert!(!after.path(GOCACHE).expect("cache").populated);
}

// ---------------------------------------------------------------------------------------------
// An editor that is neither VS Code nor GoLand (Emacs, Neovim, Helix…)
// ---------------------------------------------------------------------------------------------

/// gvm exports GOROOT and PATH in the shell; Emacs, started from the desktop, has neither. A
/// VS Code settings fix cannot work (Emacs never reads those files); giving Emacs the shell's
/// environment does, and is the fix offered.
#[test]
fn other_editor_gets_the_shells_environment_not_a_settings_edit() {
    let mut s = healthy();
    s.editor_kind = EditorKind::Other;
    s.settings.editor_name = "Emacs".into();
    s.settings.files.clear();
    side(&mut s, Editor).label = "Emacs".into();
    install(&mut s, SDK21, "go1.21.13");
    os_env(&mut s, Shell, "GOROOT", SDK21);
    side(&mut s, Shell).os_env.insert(
        "PATH".into(),
        format!("{SDK21}/bin:/usr/local/go/bin:/usr/bin:/bin"),
    );
    use_go(&mut s, Shell, SDK21, "go1.21.13", GoFoundBy::Path);
    let found = mine(&s);
    let f = found
        .iter()
        .find(|f| f.code == "goroot-mismatch")
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert!(f.message.starts_with("Emacs uses GOROOT"), "{}", f.message);
    assert!(
        !f.fixes.iter().any(|x| matches!(
            x.action,
            FixAction::SetSetting { .. } | FixAction::RemoveSetting { .. }
        )),
        "{:#?}",
        f.fixes
    );
    let FixAction::EditorEnvironment { editor, vars, .. } = &f.fixes[0].action else {
        panic!("{:#?}", f.fixes);
    };
    assert_eq!(editor, "Emacs");
    assert_eq!(vars.get("GOROOT"), Some(&Some(SDK21.to_string())));
    assert!(vars["PATH"]
        .as_deref()
        .is_some_and(|p| p.starts_with(SDK21)));
}
