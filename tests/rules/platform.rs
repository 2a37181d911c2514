//! Snapshot tests of the platform traps (`go-under-rosetta`, `go-windows-in-wsl`,
//! `go-sandboxed`, `goroot-in-modcache`, `gopath-in-goroot`), from hand-built snapshots whose
//! platform facts stand in for a Mac, WSL or a Flatpak editor.

use crate::support::rules::*;
use go_env_doctor::model::*;

const CODES: &[&str] = &[
    "go-under-rosetta",
    "go-windows-in-wsl",
    "go-sandboxed",
    "goroot-in-modcache",
    "gopath-in-goroot",
];

fn platform_findings(s: &Snapshot) -> Vec<Finding> {
    findings_of_codes(s, CODES)
}

fn build(goos: &str, goarch: &str) -> ToolBuild {
    ToolBuild {
        go_version: VERSION.to_string(),
        package: Some("cmd/go".into()),
        goos: Some(goos.into()),
        goarch: Some(goarch.into()),
        ..ToolBuild::default()
    }
}

fn mac(s: &mut Snapshot, arch: &str) {
    s.platform.os = Some("darwin".into());
    s.platform.arch = Some(arch.into());
}

#[test]
fn intel_go_on_an_apple_silicon_mac() {
    let mut s = healthy();
    mac(&mut s, "arm64");
    s.platform
        .binaries
        .insert(format!("{GOROOT}/bin/go"), build("darwin", "amd64"));
    let f = platform_findings(&s);
    // Both sides run the same go: one finding naming both.
    assert_eq!(codes(&f), ["go-under-rosetta"]);
    assert!(f[0].editor.is_some() && f[0].shell.is_some());
    assert!(
        f[0].message.contains("can not run under Rosetta"),
        "{}",
        f[0].message
    );
    snap!("rules__go-under-rosetta__go", &s, &f);
}

#[test]
fn intel_dlv_under_an_intel_go_on_an_apple_silicon_mac() {
    let mut s = healthy();
    mac(&mut s, "arm64");
    go_env_set(&mut s, SideKind::Editor, "GOHOSTARCH", "amd64");
    s.editor.tools.push(ToolFacts {
        name: "dlv".into(),
        path: "/home/u/go/bin/dlv".into(),
        found_by: ToolFoundBy::Gopath,
        build: Ok(ToolBuild {
            package: Some("github.com/go-delve/delve/cmd/dlv".into()),
            ..build("darwin", "amd64")
        }),
    });
    let f = platform_findings(&s);
    assert_eq!(codes(&f), ["go-under-rosetta"]);
    assert_eq!(f[0].subject, "dlv");
    assert!(
        f[0].message
            .contains("GOARCH=arm64 go install github.com/go-delve/delve/cmd/dlv@latest"),
        "{}",
        f[0].message
    );
}

#[test]
fn an_arm64_go_or_an_intel_mac_is_fine() {
    let mut s = healthy();
    mac(&mut s, "arm64");
    s.platform
        .binaries
        .insert(format!("{GOROOT}/bin/go"), build("darwin", "arm64"));
    assert!(platform_findings(&s).is_empty());
    let mut s = healthy();
    mac(&mut s, "amd64");
    s.platform
        .binaries
        .insert(format!("{GOROOT}/bin/go"), build("darwin", "amd64"));
    assert!(platform_findings(&s).is_empty());
}

#[test]
fn windows_go_chosen_by_a_setting_inside_wsl() {
    let mut s = healthy();
    s.platform.os = Some("linux".into());
    s.platform.wsl = true;
    let exe = "/mnt/c/Program Files/Go/bin/go.exe";
    setting(&mut s, SettingsLayer::User, "go.alternateTools.go", exe);
    let p = file(&mut s, exe);
    p.executable = true;
    side(&mut s, SideKind::Editor).go = Some(GoBinary {
        path: exe.into(),
        found_by: GoFoundBy::AlternateTools,
        own_goroot: Some("/mnt/c/Program Files/Go".into()),
        static_version: Some(VERSION.into()),
        executable: true,
        workspace_chosen: false,
    });
    s.platform
        .binaries
        .insert(exe.into(), build("windows", "amd64"));
    let f = platform_findings(&s);
    assert_eq!(codes(&f), ["go-windows-in-wsl"], "{f:#?}");
    assert!(f[0].shell.is_none());
    assert_eq!(
        f[0].locations[0].path,
        std::path::PathBuf::from(USER_SETTINGS)
    );
    // Removing the setting lets VS Code find the Linux go on its PATH.
    assert_eq!(fix_kinds(&f[0]), ["remove-setting"]);
    snap!("rules__go-windows-in-wsl__alternate_tools", &s, &f);
}

#[test]
fn a_flatpak_editor_is_sandboxed() {
    let mut s = healthy();
    os_env(
        &mut s,
        SideKind::Editor,
        "FLATPAK_ID",
        "com.visualstudio.code",
    );
    let f = platform_findings(&s);
    assert_eq!(codes(&f), ["go-sandboxed"]);
    assert!(
        f[0].message
            .contains("org.freedesktop.Sdk.Extension.golang"),
        "{}",
        f[0].message
    );
    snap!("rules__go-sandboxed__flatpak", &s, &f);
}

#[test]
fn goroot_pinned_to_a_snap_revision() {
    let mut s = healthy();
    let rev = "/snap/go/10389";
    install(&mut s, rev, VERSION);
    install(&mut s, "/snap/go/current", VERSION);
    setting(&mut s, SettingsLayer::User, "go.goroot", rev);
    let f = findings_of(&s, "go-sandboxed");
    assert_eq!(f.len(), 1, "{f:#?}");
    // Without the setting VS Code runs the shell's go from PATH.
    assert_eq!(fix_kinds(&f[0])[0], "remove-setting");
    assert!(
        f[0].message.contains("/snap/go/current"),
        "{}",
        f[0].message
    );
    snap!("rules__go-sandboxed__snap_revision", &s, &f);
}

#[test]
fn goroot_in_the_module_cache_from_the_env_file() {
    let mut s = healthy();
    let tc = "/home/u/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64";
    install(&mut s, tc, VERSION);
    env_file_set_both(&mut s, "GOROOT", tc);
    let f = findings_of(&s, "goroot-in-modcache");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].editor.is_some() && f[0].shell.is_some() || f.len() == 1);
    assert!(
        f[0].message.contains("go clean -modcache"),
        "{}",
        f[0].message
    );
    assert_eq!(fix_kinds(&f[0]), ["go-env-unset"]);
    snap!("rules__goroot-in-modcache__env_file", &s, &f);
}

#[test]
fn gopath_set_to_goroot() {
    let mut s = healthy();
    os_env(&mut s, SideKind::Shell, "GOPATH", GOROOT);
    let f = findings_of(&s, "gopath-in-goroot");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message
            .contains("warning: GOPATH set to GOROOT (/usr/local/go) has no effect"),
        "{}",
        f[0].message
    );
    snap!("rules__gopath-in-goroot__equal", &s, &f);
}

#[test]
fn gopath_inside_goroot_from_a_setting() {
    let mut s = healthy();
    setting(
        &mut s,
        SettingsLayer::Folder,
        "go.gopath",
        "/usr/local/go/work",
    );
    let f = findings_of(&s, "gopath-in-goroot");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].message.contains("inside GOROOT"), "{}", f[0].message);
    assert_eq!(fix_kinds(&f[0]), ["remove-setting"]);
}

#[test]
fn snap_go_that_cannot_start_is_explained() {
    let mut s = healthy();
    let snap_go = GoBinary {
        path: "/snap/bin/go".into(),
        found_by: GoFoundBy::Path,
        own_goroot: None,
        static_version: None,
        executable: true,
        workspace_chosen: false,
    };
    let editor = side(&mut s, SideKind::Editor);
    editor.go = Some(snap_go.clone());
    editor.path_go = Some(snap_go);
    editor.go_env = Some(CommandResult::Failed {
        exit_code: Some(1),
        stderr: "cannot create user data directory: /home/u/snap/go/10389: Read-only file system\n"
            .into(),
        millis: 20,
    });
    let f = findings_of(&s, "go-sandboxed");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].subject, "go");
    assert!(
        f[0].message.contains("cannot create user data directory"),
        "{}",
        f[0].message
    );
}
