//! Snapshot tests of the findings for GoLand's `.idea/workspace.xml` (the shapes GoLand writes):
//! hand-built snapshots, no processes. The GoLand view is built as `facts` builds it
//! (`derive_view` / `read_idea_settings`): a copy of the VS Code snapshot with the editor
//! labelled "GoLand", its settings parsed from the XML text, no `go` looked up on PATH (a
//! JetBrains IDE runs `$GOROOT/bin/go` of its SDK); then `rules::check_all` as the CLI and the
//! language server call it. Snapshots live in `/snapshots` (`rules__idea__*`).

use crate::support::rules::*;
use go_env_doctor::model::*;
use go_env_doctor::rules::check_all;
use go_env_doctor::settings::idea::{parse_workspace, Macros};
use std::path::{Path, PathBuf};

use SideKind::{Editor, Shell};

const GOLAND: &str = "GoLand";
const WORKSPACE_XML: &str = "/home/u/proj/.idea/workspace.xml";
/// GoLand's "Download SDK…" into the module cache's toolchain directory.
const TOOLCHAIN_SDK: &str = "/home/u/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.21.13.linux-amd64";
const SDK_NEXT_TO_PROJECT: &str = "/home/u/sdk/go";

fn macros() -> Macros {
    Macros {
        home: Some(PathBuf::from(HOME)),
        project_dir: PathBuf::from(FOLDER),
    }
}

/// GoLand's settings as `read_idea_settings` makes them from `xml` (an existing file).
fn idea_settings(xml: &str) -> EditorSettings {
    let path = Path::new(WORKSPACE_XML);
    let mut file = SettingsFile {
        path: path.to_path_buf(),
        layer: SettingsLayer::Folder,
        exists: true,
        error: None,
        digest: None,
    };
    let mut values = Vec::new();
    match parse_workspace(path, xml, SettingsLayer::Folder, &macros()) {
        Ok(v) => values = v,
        Err(e) => file.error = Some(e),
    }
    EditorSettings {
        editor_name: GOLAND.to_string(),
        values,
        files: vec![file],
    }
}

/// `base` with a GoLand view of `xml` whose SDK (`$GOROOT/bin/go`) is `sdk`: `Some((goroot,
/// version))` for an installed SDK, `None` when GoLand has none it can run (a deleted
/// directory, no GOROOT component): no `go` ran for that side.
fn with_goland(mut base: Snapshot, xml: &str, sdk: Option<(&str, &str)>) -> Snapshot {
    let mut v = base.clone();
    v.editor_views.clear();
    v.editor_kind = EditorKind::JetBrains;
    v.editor.label = GOLAND.to_string();
    v.settings = idea_settings(xml);
    v.editor.path_go = None;
    match sdk {
        Some((goroot, version)) => {
            use_go(&mut v, Editor, goroot, version, GoFoundBy::GorootBin);
            // use_go records PATH finds only for Path/WellKnown; keep GoLand's none.
            v.editor.path_go = None;
        }
        None => {
            v.editor.go = None;
            v.editor.go_env = None;
            v.editor.go_version = None;
            v.editor.gotoolchain = None;
        }
    }
    base.editor_views.push(v);
    base
}

/// The findings that concern GoLand or its workspace.xml (the VS Code side is healthy in
/// every case, so this is every finding but the shell-only ones that VS Code shares).
fn goland_findings(s: &Snapshot) -> Vec<Finding> {
    check_all(s)
}

/// `idea_snap!(case, &input, xml, &findings)`: the `rules__idea__<case>` snapshot, whose header
/// also shows the workspace.xml text GoLand's view was parsed from.
macro_rules! idea_snap {
    ($case:expr, $input:expr, $xml:expr, $findings:expr) => {
        snap_input(
            &format!("rules__idea__{}", $case),
            function_path!(),
            $input,
            Some($xml),
            $findings,
        )
    };
}

fn xml_with(components: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"AutoImportSettings\">\n    <option name=\"autoReloadType\" value=\"ALL\" />\n  </component>\n{components}</project>\n"
    )
}

const TOOLCHAIN_GOROOT: &str = "  <component name=\"GOROOT\" url=\"file://$USER_HOME$/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.21.13.linux-amd64\" />\n";

// ---------------------------------------------------------------------------------------------
// Healthy
// ---------------------------------------------------------------------------------------------

#[test]
fn goland_agreeing_with_the_shell_has_no_findings() {
    let xml = xml_with(
        "  <component name=\"GOROOT\" path=\"/usr/local/go\" />\n  <component name=\"VgoProject\">\n    <environment>\n      <map>\n        <entry key=\"GOPROXY\" value=\"https://proxy.golang.org,direct\" />\n      </map>\n    </environment>\n  </component>\n",
    );
    let s = with_goland(healthy(), &xml, Some((GOROOT, VERSION)));
    assert_eq!(codes(&goland_findings(&s)), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// goroot-mismatch
// ---------------------------------------------------------------------------------------------

#[test]
fn goroot_mismatch_toolchain_cache_user_home() {
    // GoLand downloaded go1.21.13 into the module cache; the shell runs /usr/local/go.
    let mut base = healthy();
    set_go_mod(&mut base, "1.21", None);
    install(&mut base, TOOLCHAIN_SDK, "go1.21.13");
    let xml = xml_with(TOOLCHAIN_GOROOT);
    let s = with_goland(base, &xml, Some((TOOLCHAIN_SDK, "go1.21.13")));
    let f = goland_findings(&s);
    // The module cache's toolchain is also one `go clean -modcache` deletes.
    assert_eq!(codes(&f), vec!["goroot-mismatch", "goroot-in-modcache"]);
    let m = &f[0];
    assert!(m.message.contains(GOLAND), "{}", m.message);
    assert_eq!(m.locations[0].path, PathBuf::from(WORKSPACE_XML));
    assert!(
        m.fixes.iter().any(|x| matches!(
            &x.action,
            FixAction::SetSetting { file, key, value }
                if file == Path::new(WORKSPACE_XML) && key == "go.goroot" && value == GOROOT
        )),
        "{:#?}",
        m.fixes
    );
    idea_snap!("goroot_mismatch_toolchain_cache", &s, &xml, &f);
}

#[test]
fn goroot_mismatch_project_dir_relative() {
    // `$PROJECT_DIR$/../sdk/go` = /home/u/sdk/go (go1.23.4); the shell runs /usr/local/go.
    let mut base = healthy();
    install(&mut base, SDK_NEXT_TO_PROJECT, "go1.23.4");
    let xml = xml_with(
        "  <component name=\"GOROOT\" url=\"file://$PROJECT_DIR$/../sdk/go\" />\n  <component name=\"VgoProject\">\n    <integration-enabled>false</integration-enabled>\n  </component>\n",
    );
    let s = with_goland(base, &xml, Some((SDK_NEXT_TO_PROJECT, "go1.23.4")));
    let f = goland_findings(&s);
    assert_eq!(codes(&f), vec!["goroot-mismatch"]);
    assert_eq!(
        s.editor_views[0].settings.values[0].value,
        SDK_NEXT_TO_PROJECT
    );
    idea_snap!("goroot_mismatch_project_dir_relative", &s, &xml, &f);
}

#[test]
fn goroot_mismatch_path_form_shell_runs_home_sdk() {
    // The older `path=` form pins /usr/local/go; the shell's PATH finds ~/sdk/go1.22.10 first.
    // The fix rewrites the GOROOT to the shell's, stored as GoLand would (`$USER_HOME$/…`).
    let sdk = "/home/u/sdk/go1.22.10";
    let mut base = healthy();
    set_go_mod(&mut base, "1.21", None);
    install(&mut base, GOROOT, "go1.21.13");
    install(&mut base, sdk, VERSION);
    use_go(&mut base, Shell, sdk, VERSION, GoFoundBy::Path);
    use_go(&mut base, Editor, sdk, VERSION, GoFoundBy::Path);
    let xml = xml_with("  <component path=\"/usr/local/go\" name=\"GOROOT\" />\n");
    let s = with_goland(base, &xml, Some((GOROOT, "go1.21.13")));
    let f = goland_findings(&s);
    assert_eq!(codes(&f), vec!["goroot-mismatch"]);
    idea_snap!("goroot_mismatch_path_form", &s, &xml, &f);
}

// ---------------------------------------------------------------------------------------------
// goroot-missing
// ---------------------------------------------------------------------------------------------

#[test]
fn goroot_missing_deleted_toolchain_cache() {
    // `go clean -modcache` deleted the toolchain GoLand's url names.
    let mut base = healthy();
    missing(&mut base, TOOLCHAIN_SDK, "/home/u/go/pkg/mod");
    let xml = xml_with(TOOLCHAIN_GOROOT);
    let s = with_goland(base, &xml, None);
    let f = goland_findings(&s);
    assert!(
        codes(&f).contains(&"goroot-missing".to_string()),
        "{:?}",
        codes(&f)
    );
    let m = f.iter().find(|f| f.code == "goroot-missing");
    assert!(m.is_some_and(|m| m.locations[0].path == Path::new(WORKSPACE_XML)));
    // GoLand never falls back to PATH: removing the GOROOT component fixes nothing.
    assert!(f.iter().all(|f| f
        .fixes
        .iter()
        .all(|x| !matches!(x.action, FixAction::RemoveSetting { .. }))));
    idea_snap!("goroot_missing_deleted_toolchain_cache", &s, &xml, &f);
}

// ---------------------------------------------------------------------------------------------
// GOPROXY from the VgoProject environment
// ---------------------------------------------------------------------------------------------

fn environment(entries: &[(&str, &str)]) -> String {
    let mut s = String::from("  <component name=\"VgoProject\">\n    <environment>\n      <map>\n");
    for (k, v) in entries {
        s.push_str(&format!("        <entry key=\"{k}\" value=\"{v}\" />\n"));
    }
    s.push_str("      </map>\n    </environment>\n  </component>\n");
    s
}

#[test]
fn goproxy_mismatch_environment_entry() {
    // The company proxy in GoLand's environment map beside GOFLAGS; the shell uses the default.
    let xml = xml_with(&format!(
        "  <component name=\"GOROOT\" url=\"file:///usr/local/go\" />\n{}",
        environment(&[
            ("GOFLAGS", "-mod=readonly"),
            ("GOPROXY", "https://goproxy.corp.example,direct"),
        ])
    ));
    let mut s = with_goland(healthy(), &xml, Some((GOROOT, VERSION)));
    go_env_set(
        &mut s.editor_views[0],
        Editor,
        "GOPROXY",
        "https://goproxy.corp.example,direct",
    );
    go_env_set(&mut s.editor_views[0], Editor, "GOFLAGS", "-mod=readonly");
    let f = goland_findings(&s);
    assert!(
        codes(&f).contains(&"goproxy-mismatch".to_string()),
        "{:?}",
        codes(&f)
    );
    idea_snap!("goproxy_mismatch_environment_entry", &s, &xml, &f);
}

#[test]
fn goproxy_empty_environment_entry_without_entries() {
    // `GOPROXY=` set empty in the environment map is fine (an empty variable falls back to
    // $GOROOT/go.env); a list of separators only is not.
    let xml = xml_with(&format!(
        "  <component name=\"GOROOT\" url=\"file:///usr/local/go\" />\n{}",
        environment(&[("GOPROXY", ",")])
    ));
    let mut s = with_goland(healthy(), &xml, Some((GOROOT, VERSION)));
    go_env_set(&mut s.editor_views[0], Editor, "GOPROXY", ",");
    let f = goland_findings(&s);
    assert!(
        codes(&f).contains(&"goproxy-empty".to_string()),
        "{:?}",
        codes(&f)
    );
    idea_snap!("goproxy_empty_environment_entry_commas", &s, &xml, &f);
}

#[test]
fn goproxy_set_empty_in_environment_map_is_not_reported() {
    let xml = xml_with(&format!(
        "  <component name=\"GOROOT\" url=\"file:///usr/local/go\" />\n{}",
        environment(&[("GOPROXY", "")])
    ));
    let s = with_goland(healthy(), &xml, Some((GOROOT, VERSION)));
    assert_eq!(codes(&goland_findings(&s)), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// settings-unparseable
// ---------------------------------------------------------------------------------------------

#[test]
fn settings_unparseable_malformed_workspace_xml() {
    // A merge conflict left in the file: no value is used, no edit offered.
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n<<<<<<< HEAD\n  <component name=\"GOROOT\" url=\"file:///usr/local/go\" />\n=======\n  <component name=\"GOROOT\" url=\"file://$USER_HOME$/sdk/go1.21.13\" />\n>>>>>>> feature\n</project>\n";
    let s = with_goland(healthy(), xml, None);
    let f = goland_findings(&s);
    let bad: Vec<&Finding> = f
        .iter()
        .filter(|f| f.code == "settings-unparseable")
        .collect();
    assert_eq!(bad.len(), 1, "{:?}", codes(&f));
    assert!(bad[0].fixes.is_empty());
    idea_snap!("settings_unparseable_merge_conflict", &s, &xml, &f);
}
