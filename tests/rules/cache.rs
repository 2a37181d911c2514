//! Snapshot tests of the build cache rules (`gocache-*`), from hand-built snapshots.

use crate::support::rules::*;
use go_env_doctor::model::*;

const CODES: &[&str] = &[
    "gocache-relative",
    "gocache-off",
    "gocache-unlocatable",
    "gocache-unwritable",
    "gocache-not-a-directory",
    "gocache-network-fs",
    "gocache-foreign-owner",
    "gocache-mismatch",
];

/// The findings of this area only.
fn cache_findings(s: &Snapshot) -> Vec<Finding> {
    findings_of_codes(s, CODES)
}

#[test]
fn healthy_cache_has_no_findings() {
    let s = healthy();
    assert!(cache_findings(&s).is_empty(), "{:#?}", cache_findings(&s));
}

#[test]
fn off_in_env_file_is_one_finding_for_both_sides() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOCACHE", "off");
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-off"]);
    assert!(f[0].editor.is_some() && f[0].shell.is_some());
    assert_eq!(fix_kinds(&f[0]), ["go-env-unset", "go-env-write"]);
    snap!("rules__gocache-off__env_file_both_sides", &s, &f);
}

#[test]
fn off_in_folder_settings_concerns_the_editor_only() {
    let mut s = healthy();
    setting(
        &mut s,
        SettingsLayer::Folder,
        "go.toolsEnvVars.GOCACHE",
        "off",
    );
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-off"]);
    assert!(f[0].editor.is_some() && f[0].shell.is_none());
    assert_eq!(fix_kinds(&f[0]), ["remove-setting", "set-setting"]);
    snap!("rules__gocache-off__folder_setting", &s, &f);
}

#[test]
fn relative_gocache_exported_by_the_shell_has_no_file_fix() {
    let mut s = healthy();
    os_env(&mut s, SideKind::Shell, "GOCACHE", "build-cache");
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-relative"]);
    assert!(f[0].fixes.is_empty());
    snap!("rules__gocache-relative__shell_export", &s, &f);
}

#[test]
fn relative_xdg_cache_home_is_gocache_relative() {
    let mut s = healthy();
    os_env(&mut s, SideKind::Editor, "XDG_CACHE_HOME", ".cache");
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-relative"]);
    assert!(f[0].message.contains("XDG_CACHE_HOME"), "{}", f[0].message);
    snap!("rules__gocache-relative__xdg_cache_home", &s, &f);
}

#[test]
fn no_home_and_no_xdg_is_unlocatable() {
    let mut s = healthy();
    let editor = side(&mut s, SideKind::Editor);
    editor.os_env.remove("HOME");
    // Without HOME cmd/go cannot locate the user env file either.
    editor.env_file = None;
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-unlocatable"]);
    assert_eq!(fix_kinds(&f[0]), ["set-setting"]);
    snap!("rules__gocache-unlocatable__editor_without_home", &s, &f);
}

#[test]
fn default_cache_owned_by_root_is_unwritable() {
    let mut s = healthy();
    let p = path_facts(&mut s, GOCACHE);
    p.writable = false;
    p.owner_uid = Some(0);
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-unwritable"]);
    assert!(f[0].fixes.is_empty());
    snap!("rules__gocache-unwritable__default_owned_by_root", &s, &f);
}

#[test]
fn configured_cache_under_a_read_only_parent_is_unwritable() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOCACHE", "/srv/cache/go");
    missing(&mut s, "/srv/cache/go", "/srv");
    dir(&mut s, "/srv").writable = false;
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-unwritable"]);
    assert!(
        f[0].message.contains("mkdir /srv/cache: permission denied"),
        "{}",
        f[0].message
    );
    snap!("rules__gocache-unwritable__read_only_parent", &s, &f);
}

#[test]
fn missing_cache_with_a_writable_parent_is_fine() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOCACHE", "/srv/cache/go");
    missing(&mut s, "/srv/cache/go", "/srv");
    dir(&mut s, "/srv");
    assert!(cache_findings(&s).is_empty(), "{:#?}", cache_findings(&s));
}

#[test]
fn gocache_setting_naming_a_file_is_not_a_directory() {
    let mut s = healthy();
    setting(
        &mut s,
        SettingsLayer::User,
        "go.toolsEnvVars.GOCACHE",
        "/home/u/gocache",
    );
    file(&mut s, "/home/u/gocache");
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-not-a-directory"]);
    assert_eq!(fix_kinds(&f[0]), ["remove-setting", "set-setting"]);
    snap!("rules__gocache-not-a-directory__file", &s, &f);
}

#[test]
fn gocache_below_a_file_is_not_a_directory() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOCACHE", "/home/u/notes.txt/cache");
    let p = missing(&mut s, "/home/u/notes.txt/cache", "/home/u/notes.txt");
    p.ancestor_not_dir = true;
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-not-a-directory"]);
    snap!(
        "rules__gocache-not-a-directory__file_in_parent_path",
        &s,
        &f
    );
}

#[test]
fn dangling_cache_symlink_offers_to_create_its_target() {
    let mut s = healthy();
    let p = path_facts(&mut s, GOCACHE);
    *p = PathFacts {
        path: GOCACHE.into(),
        dangling_symlink: true,
        symlink_chain: vec![SymlinkHop {
            link: GOCACHE.into(),
            target: "/mnt/old/go-build".into(),
        }],
        ..PathFacts::default()
    };
    missing(&mut s, "/mnt/old/go-build", "/mnt");
    dir(&mut s, "/mnt");
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-not-a-directory"]);
    assert_eq!(fix_kinds(&f[0]), ["create-directory"]);
    snap!("rules__gocache-not-a-directory__dangling_symlink", &s, &f);
}

#[test]
fn cache_on_nfs_is_a_warning() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOCACHE", "/net/home/u/go-build");
    dir(&mut s, "/net/home/u/go-build").fs_type = Some(FsType::Nfs);
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-network-fs"]);
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(fix_kinds(&f[0]), ["go-env-unset", "go-env-write"]);
    snap!("rules__gocache-network-fs__nfs", &s, &f);
}

#[test]
fn populated_cache_of_another_uid_is_foreign() {
    let mut s = healthy();
    path_facts(&mut s, GOCACHE).owner_uid = Some(1001);
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-foreign-owner"]);
    // The default cache has nothing to unset or rewrite: emptying it is the fix.
    assert_eq!(fix_kinds(&f[0]), ["clean-cache"]);
    snap!(
        "rules__gocache-foreign-owner__writable_shared_cache",
        &s,
        &f
    );
}

/// The clean-cache fix survives simulation: with the cache emptied (not populated), the
/// finding is gone and nothing else appears in its place.
#[test]
fn emptying_a_foreign_cache_removes_the_finding_in_simulation() {
    let mut s = healthy();
    path_facts(&mut s, GOCACHE).owner_uid = Some(1001);
    let f = cache_findings(&s);
    let fix = f[0].fixes.first().expect("a fix");
    assert_eq!(
        fix.action,
        FixAction::CleanCache {
            gocache: GOCACHE.into()
        }
    );
    assert_eq!(
        fix.title,
        "Empty the build cache /home/u/.cache/go-build (go clean -cache)"
    );
    let before = go_env_doctor::rules::raw_findings(&s);
    assert!(go_env_doctor::rules::fix_works(&s, &before, &f[0], fix));
    let after = go_env_doctor::rules::simulate::apply(&s, &fix.action);
    assert!(
        cache_findings(&after).is_empty(),
        "{:#?}",
        cache_findings(&after)
    );
}

/// A configured cache of another uid: emptying it goes first (it keeps the user's choice of
/// cache), then pointing GOCACHE back at the default.
#[test]
fn configured_cache_of_another_uid_is_emptied_first() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOCACHE", "/srv/shared/go-build");
    let p = dir(&mut s, "/srv/shared/go-build");
    p.owner_uid = Some(1001);
    p.populated = true;
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-foreign-owner"]);
    assert!(f[0].editor.is_some() && f[0].shell.is_some());
    assert_eq!(
        fix_kinds(&f[0]),
        ["clean-cache", "go-env-unset", "go-env-write"]
    );
    snap!(
        "rules__gocache-foreign-owner__env_file_shared_cache",
        &s,
        &f
    );
}

/// Emptying a cache fixes nothing but a foreign owner: an unwritable or networked cache gets
/// no clean-cache fix.
#[test]
fn only_the_foreign_owner_finding_offers_to_empty_the_cache() {
    let mut s = healthy();
    env_file_set_both(&mut s, "GOCACHE", "/net/home/u/go-build");
    dir(&mut s, "/net/home/u/go-build").fs_type = Some(FsType::Nfs);
    let p = path_facts(&mut s, GOCACHE);
    p.writable = false;
    p.owner_uid = Some(0);
    for f in cache_findings(&s) {
        assert!(
            !fix_kinds(&f).contains(&"clean-cache".to_string()),
            "{}: {:?}",
            f.code,
            fix_kinds(&f)
        );
    }
}

#[test]
fn empty_cache_of_another_uid_is_fine() {
    let mut s = healthy();
    let p = path_facts(&mut s, GOCACHE);
    p.owner_uid = Some(1001);
    p.populated = false;
    assert!(cache_findings(&s).is_empty(), "{:#?}", cache_findings(&s));
}

#[test]
fn shell_exported_cache_differs_from_the_editors_default() {
    let mut s = healthy();
    os_env(&mut s, SideKind::Shell, "GOCACHE", "/tmp/gocache");
    dir(&mut s, "/tmp/gocache");
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-mismatch"]);
    assert_eq!(fix_kinds(&f[0]), ["go-env-write", "set-setting"]);
    snap!("rules__gocache-mismatch__shell_export", &s, &f);
}

#[test]
fn editor_setting_cache_differs_from_the_shells() {
    let mut s = healthy();
    setting(
        &mut s,
        SettingsLayer::Folder,
        "go.toolsEnvVars.GOCACHE",
        "/home/u/proj/.cache",
    );
    dir(&mut s, "/home/u/proj/.cache");
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-mismatch"]);
    assert_eq!(fix_kinds(&f[0]), ["remove-setting", "set-setting"]);
    snap!("rules__gocache-mismatch__editor_setting", &s, &f);
}

#[test]
fn same_cache_through_a_symlink_is_no_mismatch() {
    let mut s = healthy();
    os_env(&mut s, SideKind::Shell, "GOCACHE", "/data/go-build/");
    symlink_dir(
        &mut s,
        "/data/go-build/",
        &[("/data/go-build", GOCACHE)],
        GOCACHE,
    );
    assert!(cache_findings(&s).is_empty(), "{:#?}", cache_findings(&s));
}

#[test]
fn a_failed_shell_probe_leaves_only_the_editor() {
    let mut s = healthy();
    probe_failed(&mut s, ProbeOutcome::TimedOut { after_secs: 10 }, 10_000);
    os_env(&mut s, SideKind::Editor, "GOCACHE", "off");
    let f = cache_findings(&s);
    assert_eq!(codes(&f), ["gocache-off"]);
    assert!(f[0].shell.is_none());
}

#[test]
fn a_side_without_go_gets_no_cache_findings() {
    let mut s = healthy();
    let editor = side(&mut s, SideKind::Editor);
    editor.go = None;
    editor.path_go = None;
    editor.go_env = None;
    editor.go_version = None;
    os_env(&mut s, SideKind::Editor, "GOCACHE", "off");
    // go-not-found speaks for the editor; the shell is healthy.
    assert!(cache_findings(&s).is_empty(), "{:#?}", cache_findings(&s));
}
