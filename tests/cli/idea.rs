//! `go-env-doctor check` on a GoLand project end to end: REAL Go toolchains (1.21.13 pinned in
//! `.idea/workspace.xml`, 1.22.10 in the login shell), a REAL bash login shell in a temp HOME,
//! the built binary. GoLand is reported as its own editor side beside VS Code (whose view is
//! the process environment), located in workspace.xml, and its quick fix is applied with the
//! same edit the language server sends, after which GoLand agrees with the shell.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;

use go_env_doctor::settings::{apply_edits, idea};
use serde_json::Value;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const GO121: &str = "1.21.13";
const GO122: &str = "1.22.10";

struct World {
    _dir: tempfile::TempDir,
    home: PathBuf,
    folder: PathBuf,
    user_settings: PathBuf,
}

impl World {
    /// HOME with `~/sdk/go1.21.13` (a symlink to the real SDK, as GoLand's "Download SDK"
    /// leaves one) and a `.bash_profile` putting Go 1.22.10 first on PATH; a folder with go.mod
    /// and `.idea/workspace.xml`.
    fn new(workspace_xml: &str) -> World {
        let dir = tempfile::Builder::new()
            .prefix("gedidea-")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path().canonicalize().unwrap();
        let home = root.join("home");
        let folder = root.join("shop");
        std::fs::create_dir_all(home.join("sdk")).unwrap();
        std::fs::create_dir_all(folder.join(".idea")).unwrap();
        symlink(support::goroot(GO121), home.join("sdk/go1.21.13")).unwrap();
        std::fs::write(
            home.join(".bash_profile"),
            format!(
                "export PATH={}/bin:/usr/bin:/bin\n",
                support::goroot(GO122).display()
            ),
        )
        .unwrap();
        std::fs::write(
            folder.join("go.mod"),
            "module example.com/shop\n\ngo 1.21\n",
        )
        .unwrap();
        std::fs::write(folder.join(".idea/workspace.xml"), workspace_xml).unwrap();
        let user_settings = root.join("user-settings.json");
        std::fs::write(&user_settings, "{}\n").unwrap();
        World {
            _dir: dir,
            home,
            folder,
            user_settings,
        }
    }

    fn workspace_xml(&self) -> PathBuf {
        self.folder.join(".idea/workspace.xml")
    }

    /// `check FOLDER --format json` with the editor's PATH finding Go 1.22.10 (VS Code is in
    /// sync with the shell; only GoLand's pinned SDK differs).
    fn check(&self) -> (i32, Value) {
        let out = Command::new(support::bin())
            .arg("check")
            .arg(&self.folder)
            .args(["--format", "json"])
            .env_clear()
            .env("HOME", &self.home)
            .env(
                "PATH",
                format!("{}/bin:/usr/bin:/bin", support::goroot(GO122).display()),
            )
            .env("SHELL", support::shell("bash"))
            .env("GO_ENV_DOCTOR_USER_SETTINGS", &self.user_settings)
            .current_dir(&self.folder)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}):\n{stdout}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), report)
    }
}

fn findings<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

const PINNED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"ChangeListManager\">\n    <list default=\"true\" id=\"1\" name=\"Changes\" comment=\"Première 🚀\" />\n  </component>\n  <component name=\"GOROOT\" url=\"file://$USER_HOME$/sdk/go1.21.13\" />\n  <component name=\"VgoProject\">\n    <environment>\n      <map>\n        <entry key=\"GOFLAGS\" value=\"-mod=mod\" />\n      </map>\n    </environment>\n  </component>\n</project>\n";

#[test]
fn goland_pinned_sdk_mismatch_is_located_in_workspace_xml_and_fixed() {
    let w = World::new(PINNED);
    let (code, report) = w.check();
    let mismatches = findings(&report, "goroot-mismatch");
    assert_eq!(
        mismatches.len(),
        1,
        "exactly GoLand disagrees with the shell (VS Code is in sync): {report:#}"
    );
    let f = mismatches[0];
    assert_eq!(code, 1, "goroot-mismatch is an error");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.starts_with("GoLand uses GOROOT ")
            && message.contains("go1.21.13")
            && message.contains("from GOROOT (Settings → Go → GOROOT) in .idea/workspace.xml")
            && message.contains("your shell uses")
            && message.contains("go1.22.10"),
        "{message}"
    );
    let loc = &f["locations"][0];
    assert_eq!(loc["path"], w.workspace_xml().display().to_string());
    assert_eq!(loc["line"], 6);
    assert_eq!(
        loc["column"], 33,
        "the url attribute's value, quotes excluded"
    );

    // The preferred fix points GoLand at the shell's SDK, in workspace.xml.
    let fix = &f["fixes"][0];
    assert_eq!(fix["kind"], "set-setting", "{fix:#}");
    assert_eq!(fix["file"], w.workspace_xml().display().to_string());
    assert_eq!(fix["key"], "go.goroot");
    let target = fix["value"].as_str().unwrap();
    assert_eq!(
        Path::new(target).canonicalize().unwrap(),
        support::goroot(GO122).canonicalize().unwrap()
    );
    // Named as the installed SDK it is, the shell's.
    let title = fix["title"].as_str().unwrap();
    assert!(
        title.starts_with("Use installed go1.22.10 (")
            && title.ends_with(
                "): set GOROOT (Settings → Go → GOROOT) in .idea/workspace.xml (your shell's Go)"
            ),
        "{fix:#}"
    );
    // Named as GoLand shows it, in JSON too.
    assert_eq!(fix["setting"], "GOROOT (Settings → Go → GOROOT)", "{fix:#}");
    assert_eq!(f["editor"]["key"], "GOROOT", "{f:#}");
    // Nothing VS Code-only is offered for workspace.xml.
    for f in report["findings"].as_array().unwrap() {
        for fix in f["fixes"].as_array().unwrap() {
            if fix["file"].as_str().is_some_and(|p| p.ends_with(".xml")) {
                assert!(idea::supports_key(fix["key"].as_str().unwrap()), "{fix:#}");
            }
        }
    }

    // Apply it exactly as the language server would, then check again.
    let before = std::fs::read_to_string(w.workspace_xml()).unwrap();
    let macros = idea::Macros {
        home: Some(w.home.clone()),
        project_dir: w.folder.clone(),
    };
    let edits = idea::set_setting(&before, "go.goroot", target, &macros).unwrap();
    assert_eq!(edits.len(), 1);
    let after = apply_edits(&before, &edits);
    eprintln!("--- workspace.xml before\n{before}--- after\n{after}");
    assert_eq!(
        before.replace("$USER_HOME$/sdk/go1.21.13", ""),
        after.replace(&format!("{}", Path::new(target).display()), ""),
        "only the url's path changed"
    );
    std::fs::write(w.workspace_xml(), &after).unwrap();
    let (_, report) = w.check();
    assert!(
        findings(&report, "goroot-mismatch").is_empty()
            && findings(&report, "go-version-mismatch").is_empty(),
        "{report:#}"
    );
}

#[test]
fn goland_and_vs_code_are_reported_separately() {
    // VS Code pins Go 1.21.13 too: each editor gets its own finding, named.
    let w = World::new(PINNED);
    std::fs::create_dir_all(w.folder.join(".vscode")).unwrap();
    std::fs::write(
        w.folder.join(".vscode/settings.json"),
        format!(
            "{{\n  \"go.goroot\": \"{}\"\n}}\n",
            support::goroot(GO121).display()
        ),
    )
    .unwrap();
    let (_, report) = w.check();
    let mut who: Vec<String> = findings(&report, "goroot-mismatch")
        .iter()
        .map(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .split(" uses ")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    who.sort();
    assert_eq!(who, ["GoLand", "VS Code"], "{report:#}");
    // Shell-only findings are not repeated per editor.
    let mut seen = std::collections::BTreeSet::new();
    for f in report["findings"].as_array().unwrap() {
        if f["editor"].is_null() {
            assert!(
                seen.insert((f["code"].to_string(), f["message"].to_string())),
                "repeated: {f:#}"
            );
        }
    }
}

#[test]
fn malformed_workspace_xml_is_unparseable_without_edits() {
    let w = World::new(
        "<project version=\"4\">\n  <component name=\"GOROOT\" url=\"file:///x\">\n</project>\n",
    );
    let (_, report) = w.check();
    let bad = findings(&report, "settings-unparseable");
    assert_eq!(bad.len(), 1, "{report:#}");
    assert_eq!(
        bad[0]["locations"][0]["path"],
        w.workspace_xml().display().to_string()
    );
    assert!(bad[0]["fixes"].as_array().unwrap().is_empty());
    assert!(bad[0]["message"]
        .as_str()
        .unwrap()
        .contains(".idea/workspace.xml cannot be parsed"));
}
