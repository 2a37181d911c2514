//! "Use installed goX.Y.Z (path)" end to end with REAL Go: a workspace asking for go 1.25.0,
//! an editor that runs Go 1.22.10 and never switches (GOTOOLCHAIN=local), and Go 1.25.5 left by
//! golang.org/dl in `~/sdk/go1.25.5` (a hard-linked copy of the provisioned GOROOT). The check
//! offers the switch for each editor; `go-env-doctor fix --yes` applies the settings edits; a
//! fresh check, which runs the switched-to `go` itself, no longer finds the problem — for VS
//! Code's settings, GoLand's `.idea/workspace.xml`, and the terminal's own PATH lines.
#![allow(clippy::unwrap_used)]

use crate::support::cli::*;
use serde_json::Value;

const TOO_OLD: &str = "toolchain-too-old";

/// The world: go.mod `go 1.25.0`, the editor's PATH starting at Go 1.22.10, GOTOOLCHAIN=local,
/// Go 1.25.5 in `~/sdk/go1.25.5`.
fn world() -> (Scenario, std::path::PathBuf) {
    let mut w = Scenario::new();
    w.go_mod("module example.com/hello\n\ngo 1.25.0\n");
    let old = crate::support::goroot("1.22.10");
    w.editor_path(&[&old]);
    w.set("GOTOOLCHAIN", "local");
    let sdk = w.private_goroot("1.25.5", "home/sdk/go1.25.5");
    (w, sdk)
}

/// The toolchain-too-old findings about one editor (its label is in the message).
fn too_old_for<'a>(r: &'a Report, editor: &str) -> Vec<&'a Value> {
    r.findings()
        .iter()
        .filter(|f| {
            f["code"] == TOO_OLD && f["message"].as_str().is_some_and(|m| m.contains(editor))
        })
        .collect()
}

fn use_fix<'a>(finding: &'a Value, title_start: &str) -> &'a Value {
    finding["fixes"]
        .as_array()
        .and_then(|fixes| {
            fixes.iter().find(|x| {
                x["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with(title_start))
            })
        })
        .unwrap_or_else(|| panic!("no fix starting {title_start:?} in {finding:#}"))
}

/// `fix --yes --trust --no-shell`: the settings edits are applied (the terminal's own PATH
/// lines are left to the user, so the run may end with a remaining finding).
fn fix_yes(w: &Scenario) -> Run {
    let folder = w.folder.display().to_string();
    w.run(&["fix", folder.as_str(), "--yes", "--trust", "--no-shell"])
}

#[test]
fn vscode_switches_to_the_installed_sdk_and_a_fresh_check_is_clean() {
    let (w, sdk) = world();
    w.settings("{}\n");
    let before = w.check_no_shell();
    let vscode = too_old_for(&before, "VS Code");
    assert_eq!(vscode.len(), 1, "{}", before.context());
    before.message_has(vscode[0], &["requires go >= 1.25.0", "go1.22.10"]);
    let fix = use_fix(
        vscode[0],
        "Use installed go1.25.5 (~/sdk/go1.25.5): set go.goroot in .vscode/settings.json",
    );
    assert_eq!(fix["kind"], "set-setting", "{fix:#}");
    assert_eq!(fix["value"], sdk.display().to_string(), "{fix:#}");
    // The report lists the SDK it found, with how it was installed.
    let sdks = before.json["sdks"].as_array().cloned().unwrap_or_default();
    assert!(
        sdks.iter().any(|s| s["path"] == sdk.display().to_string()
            && s["version"] == "go1.25.5"
            && s["installedBy"] == "golang.org/dl"
            && s["satisfiesWorkspace"] == true),
        "{sdks:#?}"
    );

    let run = fix_yes(&w);
    let settings = std::fs::read_to_string(w.settings_path()).unwrap();
    assert!(
        settings.contains(&format!("\"go.goroot\": \"{}\"", sdk.display())),
        "{settings}{}",
        run.context()
    );
    // A trusted folder runs the go its settings chose: the real go1.25.5 answers.
    let after = w.check(&["--no-shell", "--trust"]);
    assert!(
        too_old_for(&after, "VS Code").is_empty(),
        "{}",
        after.context()
    );
    assert!(
        after.findings().iter().all(|f| f["severity"] != "error"
            || !f["message"].as_str().unwrap_or("").contains("VS Code")),
        "{}",
        after.context()
    );
}

#[test]
fn the_terminal_gets_path_lines_that_make_a_fresh_check_clean() {
    let (mut w, sdk) = world();
    let before = w.check_no_shell();
    let terminal = too_old_for(&before, "this terminal");
    assert_eq!(terminal.len(), 1, "{}", before.context());
    let fix = use_fix(
        terminal[0],
        "Use installed go1.25.5 (~/sdk/go1.25.5): put its bin first on this terminal's PATH",
    );
    assert_eq!(fix["kind"], "editor-environment", "{fix:#}");
    let path = fix["vars"]["PATH"].as_str().unwrap().to_string();
    assert!(
        path.starts_with(&format!("{}/bin:", sdk.display())),
        "{path}"
    );
    // The human report names it, with the lines to run.
    let folder = w.folder.display().to_string();
    let human = w.run(&["check", folder.as_str(), "--no-shell"]);
    assert!(
        human
            .stdout
            .contains("to run the Go SDK in ~/sdk/go1.25.5 in this terminal"),
        "{}",
        human.context()
    );
    // Doing what the lines say: the terminal now runs the real go1.25.5.
    w.set("PATH", &path);
    let after = w.check_no_shell();
    after.absent(TOO_OLD);
    assert_eq!(after.env("editor", "GOVERSION")["value"], "go1.25.5");
}

#[test]
fn goland_switches_its_project_goroot_and_a_fresh_check_is_clean() {
    let (w, sdk) = world();
    let old = crate::support::goroot("1.22.10");
    let idea = w.folder.join(".idea");
    std::fs::create_dir_all(&idea).unwrap();
    let xml = idea.join("workspace.xml");
    std::fs::write(
        &xml,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"GOROOT\" url=\"file://{}\" />\n</project>\n",
            old.display()
        ),
    )
    .unwrap();
    let before = w.check_no_shell();
    let goland = too_old_for(&before, "GoLand");
    assert_eq!(goland.len(), 1, "{}", before.context());
    let fix = use_fix(
        goland[0],
        "Use installed go1.25.5 (~/sdk/go1.25.5): set GOROOT (Settings → Go → GOROOT) in .idea/workspace.xml",
    );
    assert_eq!(fix["value"], sdk.display().to_string(), "{fix:#}");

    let run = fix_yes(&w);
    let text = std::fs::read_to_string(&xml).unwrap();
    assert!(
        text.contains("$USER_HOME$/sdk/go1.25.5"),
        "{text}{}",
        run.context()
    );
    let after = w.check(&["--no-shell", "--trust"]);
    assert!(
        too_old_for(&after, "GoLand").is_empty(),
        "{}",
        after.context()
    );
}
