//! "Use installed goX.Y.Z (path)" for go-not-found, toolchain-too-old, go-version-mismatch and
//! goroot-mismatch. The one place in this binary that reads a filesystem: the SDKs are fixture
//! trees laid out where their installers put them (`bin/go`, `VERSION`, `src`, `pkg/tool`),
//! found by the real inventory (`facts::sdks`) and stat'ed by the real `facts::fs`, so the
//! snapshot holds what `facts` would gather on such a machine; the rules then run purely.

use crate::support::rules::*;
use go_env_doctor::facts::sdks::{inventory, locations, Dirs};
use go_env_doctor::facts::{fs, go};
use go_env_doctor::model::*;
use go_env_doctor::rules::raw_findings;
use go_env_doctor::settings::paths::Os;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use SideKind::{Editor, Shell};

/// An SDK tree at `root/rel`; `complete: false` leaves out `src` (a half-removed install).
fn sdk(root: &Path, rel: &str, version: &str, complete: bool) -> PathBuf {
    let dir = root.join(rel);
    std::fs::create_dir_all(dir.join("bin")).expect("mkdir bin");
    std::fs::create_dir_all(dir.join("pkg/tool/linux_amd64")).expect("mkdir pkg/tool");
    if complete {
        std::fs::create_dir_all(dir.join("src")).expect("mkdir src");
    }
    let go = dir.join("bin/go");
    std::fs::write(&go, "#!/bin/sh\nexit 1\n").expect("write bin/go");
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::write(
        dir.join("VERSION"),
        format!("{version}\ntime 2025-01-01T00:00:00Z\n"),
    )
    .expect("write VERSION");
    dir
}

/// The machine of these cases: Go 1.22.10 in /usr/local/go (what the editor runs), the
/// shell's go1.25.5 from golang.org/dl, a newer go1.26.0 from mise, an older go1.24.11 from
/// goenv, and a go1.27.0 whose `src` is gone.
struct Machine {
    _dir: tempfile::TempDir,
    home: PathBuf,
    usr_local: String,
    dl: String,
    mise: String,
    goenv: String,
    broken: String,
}

fn machine() -> Machine {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let home = root.join("home/u");
    let s = |p: PathBuf| p.to_string_lossy().into_owned();
    Machine {
        usr_local: s(sdk(&root, "usr/local/go", "go1.22.10", true)),
        dl: s(sdk(&root, "home/u/sdk/go1.25.5", "go1.25.5", true)),
        mise: s(sdk(
            &root,
            "home/u/.local/share/mise/installs/go/1.26.0",
            "go1.26.0",
            true,
        )),
        goenv: s(sdk(
            &root,
            "home/u/.goenv/versions/1.24.11",
            "go1.24.11",
            true,
        )),
        broken: s(sdk(&root, "home/u/sdk/go1.27.0", "go1.27.0", false)),
        home,
        _dir: dir,
    }
}

/// Register one found GOROOT as `facts` does: the install, its stat'ed path facts, its go.env.
fn register(s: &mut Snapshot, root: &Path, installed_by: Option<&str>) {
    let key = root.to_string_lossy().into_owned();
    let mut inst = go::install_at(root).expect("an SDK with bin/go");
    inst.installed_by = installed_by.map(str::to_string);
    install(s, &key, inst.version.as_deref().unwrap_or_default());
    s.installs.insert(key.clone(), inst);
    s.paths.insert(key, fs::stat(root, true));
}

/// `healthy()` moved onto the machine: every SDK the inventory finds under its root is
/// known, the editor runs /usr/local/go's go1.22.10 and the shell ~/sdk/go1.25.5.
fn snapshot(m: &Machine) -> Snapshot {
    let mut s = healthy();
    s.installs.clear();
    s.paths.remove(GOROOT);
    s.home = Some(m.home.clone());
    let root = m.home.parent().and_then(Path::parent).expect("root");
    let dirs = Dirs {
        home: Some(m.home.clone()),
        root: root.to_path_buf(),
        gomodcache: None,
        env: BTreeMap::new(),
    };
    let found = inventory(Os::Linux, &locations(Os::Linux, &dirs));
    assert_eq!(found.len(), 5, "{found:#?}");
    for sdk in &found {
        register(&mut s, &sdk.path, Some(sdk.installer.words()));
    }
    use_go(&mut s, Editor, &m.usr_local, "go1.22.10", GoFoundBy::Path);
    use_go(&mut s, Shell, &m.dl, "go1.25.5", GoFoundBy::Path);
    s
}

fn use_titles(f: &Finding) -> Vec<String> {
    f.fixes
        .iter()
        .map(|x| x.title.clone())
        .filter(|t| t.starts_with("Use installed"))
        .collect()
}

fn only<'a>(fs: &'a [Finding], code: &str) -> &'a Finding {
    let hits: Vec<&Finding> = fs.iter().filter(|f| f.code == code).collect();
    assert_eq!(hits.len(), 1, "{code} in {:#?}", codes(fs));
    hits[0]
}

#[test]
fn toolchain_too_old_offers_the_shells_sdk_first() {
    let m = machine();
    let mut s = snapshot(&m);
    set_go_mod(&mut s, "1.25.0", None);
    // The editor never switches: its go1.22.10 fails in this module.
    os_env(&mut s, Editor, "GOTOOLCHAIN", "local");
    let all = findings(&s);
    let f = only(&all, "toolchain-too-old");
    assert!(f.editor.is_some() && f.shell.is_none(), "{f:#?}");
    let titles = use_titles(f);
    assert_eq!(
        titles.first().map(String::as_str),
        Some(
            "Use installed go1.25.5 (~/sdk/go1.25.5): set go.goroot in .vscode/settings.json (your shell's Go)"
        ),
        "{:#?}",
        f.fixes
    );
    let FixAction::SetSetting { file, key, value } = &f.fixes[0].action else {
        panic!("{:#?}", f.fixes[0]);
    };
    assert_eq!(file, Path::new(FOLDER_SETTINGS));
    assert_eq!(*key, SettingKey::GoGoroot);
    assert_eq!(value, &m.dl);
    // Never one that does not satisfy go 1.25.0, nor the one missing its src.
    for t in f.fixes.iter().map(|x| &x.title) {
        for bad in ["go1.22.10", "go1.24.11", "go1.27.0"] {
            assert!(!t.contains(bad), "{t}");
        }
    }
    // The switched snapshot is clean of it (the simulation the check already made, shown).
    let after = go_env_doctor::rules::simulate::apply(&s, &f.fixes[0].action);
    assert!(
        !codes(&findings(&after)).contains(&"toolchain-too-old".to_string()),
        "{:#?}",
        findings(&after)
    );
}

#[test]
fn newest_satisfying_sdk_without_a_shell() {
    let m = machine();
    let mut s = snapshot(&m);
    no_shell(&mut s);
    set_go_mod(&mut s, "1.25.0", None);
    os_env(&mut s, Editor, "GOTOOLCHAIN", "local");
    let all = findings(&s);
    let f = only(&all, "toolchain-too-old");
    assert_eq!(
        use_titles(f),
        vec![
            "Use installed go1.26.0 (~/.local/share/mise/installs/go/1.26.0): set go.goroot in .vscode/settings.json",
            "Use installed go1.25.5 (~/sdk/go1.25.5): set go.goroot in .vscode/settings.json",
        ],
        "{:#?}",
        f.fixes
    );
}

#[test]
fn toolchain_line_is_part_of_what_satisfies() {
    // go 1.24.0 with `toolchain go1.26.0`: only go1.26.0 needs no download, so it comes
    // before the shell's go1.25.5.
    let m = machine();
    let mut s = snapshot(&m);
    set_go_mod(&mut s, "1.24.0", Some("go1.26.0"));
    os_env(&mut s, Editor, "GOTOOLCHAIN", "local");
    let (go, tc) = go_env_doctor::rules::sdk_switch::requirement(&s);
    assert_eq!(go.map(|v| v.to_string()).as_deref(), Some("1.24.0"));
    assert_eq!(tc.map(|v| v.to_string()).as_deref(), Some("1.26.0"));
    let shell_root = m.dl.clone();
    let ranked: Vec<String> =
        go_env_doctor::rules::sdk_switch::satisfying(&s, Some(shell_root.as_str()))
            .iter()
            .map(|c| c.install.version.clone().unwrap_or_default())
            .collect();
    assert_eq!(ranked, vec!["go1.26.0", "go1.25.5", "go1.24.11"]);
}

#[test]
fn no_sdk_satisfies_no_switch_is_offered() {
    let m = machine();
    let mut s = snapshot(&m);
    // go1.27.0's tree is incomplete: nothing installed satisfies go 1.27.
    set_go_mod(&mut s, "1.27.0", None);
    os_env(&mut s, Editor, "GOTOOLCHAIN", "local");
    os_env(&mut s, Shell, "GOTOOLCHAIN", "local");
    let all = findings(&s);
    let too_old: Vec<&Finding> = all
        .iter()
        .filter(|f| f.code == "toolchain-too-old")
        .collect();
    assert_eq!(too_old.len(), 2, "one per side: {:#?}", codes(&all));
    for f in too_old {
        assert_eq!(use_titles(f), Vec::<String>::new(), "{:#?}", f.fixes);
        assert!(
            !f.fixes.iter().any(|x| x.title.contains(&m.broken)),
            "{:#?}",
            f.fixes
        );
    }
}

#[test]
fn go_version_mismatch_keeps_only_the_shells_sdk() {
    let m = machine();
    let s = snapshot(&m);
    // Both candidates are proposed; only the shell's clears the mismatch when simulated.
    let raw = raw_findings(&s);
    let candidates = use_titles(only(&raw, "go-version-mismatch"));
    assert_eq!(candidates.len(), 2, "{candidates:#?}");
    assert!(candidates[1].contains("go1.26.0"), "{candidates:#?}");
    let all = findings(&s);
    let f = only(&all, "go-version-mismatch");
    assert_eq!(
        use_titles(f),
        vec![
            "Use installed go1.25.5 (~/sdk/go1.25.5): set go.goroot in .vscode/settings.json (your shell's Go)"
        ],
        "{:#?}",
        f.fixes
    );
}

#[test]
fn goroot_mismatch_switch_through_alternate_tools() {
    // go.alternateTools.go decides VS Code's go: the switch changes it, to the SDK's bin/go.
    let m = machine();
    let mut s = snapshot(&m);
    let alt = format!("{}/bin/go", m.goenv);
    setting(&mut s, SettingsLayer::Folder, "go.alternateTools.go", &alt);
    file(&mut s, &alt).executable = true;
    use_go(
        &mut s,
        Editor,
        &m.goenv,
        "go1.24.11",
        GoFoundBy::AlternateTools,
    );
    let all = findings(&s);
    let f = all
        .iter()
        .find(|f| f.code == "goroot-mismatch" || f.code == "go-version-mismatch")
        .expect("a mismatch");
    let fix = f
        .fixes
        .iter()
        .find(|x| x.title.starts_with("Use installed"))
        .unwrap_or_else(|| panic!("{:#?}", f.fixes));
    assert_eq!(
        fix.title,
        "Use installed go1.25.5 (~/sdk/go1.25.5): set go.alternateTools.go in .vscode/settings.json (your shell's Go)"
    );
    let FixAction::SetSetting { key, value, .. } = &fix.action else {
        panic!("{fix:#?}");
    };
    assert!(key.is_alternate_go());
    assert_eq!(value, &format!("{}/bin/go", m.dl));
}

#[test]
fn go_not_found_other_client_gets_the_lines_for_its_own_configuration() {
    let m = machine();
    let mut s = snapshot(&m);
    no_shell(&mut s);
    s.editor_kind = EditorKind::Other;
    s.editor.label = "Neovim".into();
    s.settings.editor_name = "Neovim".into();
    s.editor.go = None;
    s.editor.path_go = None;
    s.editor.go_env = None;
    s.editor.go_version = None;
    s.editor.gotoolchain = None;
    let all = findings(&s);
    let f = only(&all, "go-not-found");
    let fix = f
        .fixes
        .iter()
        .find(|x| x.title.starts_with("Use installed"))
        .unwrap_or_else(|| panic!("{:#?}", f.fixes));
    assert_eq!(
        fix.title,
        "Use installed go1.26.0 (~/.local/share/mise/installs/go/1.26.0): put its bin first on Neovim's PATH (show the lines to add)"
    );
    let FixAction::EditorEnvironment { vars, sdk, .. } = &fix.action else {
        panic!("{fix:#?}");
    };
    assert_eq!(
        sdk.as_deref(),
        Some("~/.local/share/mise/installs/go/1.26.0")
    );
    let path = vars.get("PATH").cloned().flatten().unwrap_or_default();
    assert!(path.starts_with(&format!("{}/bin:", m.mise)), "{path}");
    let text = go_env_doctor::settings::client_env::setup_text("Neovim", vars, &[], sdk.as_deref());
    assert!(
        text.starts_with("-- go-env-doctor: the Go SDK in ~/.local/share/mise/installs/go/1.26.0, for Neovim (init.lua).\nvim.env.PATH = "),
        "{text}"
    );
}

#[test]
fn an_untrusted_workspaces_own_sdk_is_not_proposed() {
    let m = machine();
    let mut s = snapshot(&m);
    no_shell(&mut s);
    let folder = m.home.join("proj");
    s.folder = folder.clone();
    let inside = sdk(&folder, ".sdk/go1.30.0", "go1.30.0", true);
    register(&mut s, &inside, None);
    set_go_mod(&mut s, "1.25.0", None);
    os_env(&mut s, Editor, "GOTOOLCHAIN", "local");
    let offered = |s: &Snapshot| {
        let all = findings(s);
        use_titles(only(&all, "toolchain-too-old"))
    };
    s.trusted = false;
    let untrusted = offered(&s);
    assert!(
        untrusted.iter().all(|t| !t.contains("go1.30.0")),
        "{untrusted:#?}"
    );
    assert!(untrusted[0].contains("go1.26.0"), "{untrusted:#?}");
    s.trusted = true;
    let trusted = offered(&s);
    assert!(trusted[0].contains("go1.30.0"), "{trusted:#?}");
}
