//! `editors/jetbrains` (the LSP4IJ custom template, see its README.md): every file parses, uses
//! only what LSP4IJ's template loader accepts, the settings agree with their schema and with the
//! server's configuration, and the exact `programArgs.default` command line (with
//! `go-env-doctor` found on PATH, as after installing it) starts a session that publishes
//! `goroot-mismatch` on `.idea/workspace.xml` and offers the quick fix as a workspace edit.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;

use crate::support::lsp;

use crate::support::goland;

use goland::{split_command_line, World};
use lsp::{apply_utf16, file_uri, Client};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/jetbrains")
}

fn json_file(name: &str) -> Value {
    let p = dir().join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()))
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn assert_only(v: &Value, allowed: &[&str], what: &str) {
    for k in keys(v) {
        assert!(
            allowed.contains(&k.as_str()),
            "{what}: LSP4IJ does not know {k:?}"
        );
    }
}

#[test]
fn template_files_use_only_what_lsp4ij_loads() {
    // The folder holds only files the loader reads (plus the guide).
    let allowed_files = [
        "template.json",
        "settings.json",
        "initializationOptions.json",
        "clientSettings.json",
        "settings.schema.json",
        "README.md",
    ];
    for e in std::fs::read_dir(dir()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            allowed_files.contains(&name.as_str()),
            "unexpected file {name}"
        );
    }

    let t = json_file("template.json");
    assert_only(
        &t,
        &[
            "id",
            "name",
            "programArgs",
            "env",
            "fileTypeMappings",
            "languageMappings",
            "workingDir",
            "expandConfiguration",
        ],
        "template.json",
    );
    assert_eq!(t["id"], "go-env-doctor");
    assert!(t["name"].as_str().is_some_and(|n| !n.is_empty()));
    assert_only(
        &t["programArgs"],
        &["default", "windows", "mac", "unix"],
        "programArgs",
    );
    for (_, cmd) in t["programArgs"].as_object().unwrap() {
        let argv = split_command_line(cmd.as_str().unwrap());
        assert!(argv.iter().any(|a| a.contains("go-env-doctor")), "{argv:?}");
    }
    // Unix runs through sh -c like LSP4IJ's gopls template, with the whole command quoted.
    assert_eq!(
        split_command_line(t["programArgs"]["default"].as_str().unwrap()),
        ["sh", "-c", "go-env-doctor serve"]
    );
    let mut patterns = Vec::new();
    for m in t["fileTypeMappings"].as_array().unwrap() {
        assert_only(m, &["fileType", "languageId"], "fileTypeMappings[]");
        assert_only(&m["fileType"], &["name", "patterns"], "fileType");
        assert!(m["fileType"]["name"].as_str().is_some());
        assert!(m["languageId"].as_str().is_some());
        for p in m["fileType"]["patterns"].as_array().unwrap() {
            patterns.push(p.as_str().unwrap().to_string());
        }
    }
    for want in ["go.mod", "go.work", "workspace.xml", "settings.json"] {
        assert!(patterns.iter().any(|p| p == want), "no mapping for {want}");
    }

    // settings.json answers workspace/configuration: its goEnvDoctor members are in the
    // schema, and initializationOptions uses the same members.
    let schema = json_file("settings.schema.json");
    let props = &schema["properties"]["goEnvDoctor"]["properties"];
    let settings = json_file("settings.json");
    assert_only(&settings, &["goEnvDoctor"], "settings.json");
    assert_only(
        &settings["goEnvDoctor"],
        &keys(props).iter().map(String::as_str).collect::<Vec<_>>(),
        "settings.json goEnvDoctor",
    );
    assert_only(
        &json_file("initializationOptions.json"),
        &keys(props).iter().map(String::as_str).collect::<Vec<_>>(),
        "initializationOptions.json",
    );
    // The schema names exactly the server's configuration members (`Config` in the lsp module).
    let mut names = keys(props);
    names.sort();
    assert_eq!(
        names,
        [
            "disabledChecks",
            "editor",
            "logLevel",
            "shell",
            "shellTimeoutSeconds",
            "trusted"
        ]
    );

    let readme = std::fs::read_to_string(dir().join("README.md")).unwrap();
    for must in [
        "Import from custom template",
        "GoLand",
        "IntelliJ IDEA",
        "reload",
    ] {
        assert!(readme.contains(must), "README.md lacks {must:?}");
    }
}

#[test]
fn program_args_start_a_session_with_a_workspace_xml_diagnostic_and_quick_fix() {
    let world = World::new();
    let t = json_file("template.json");
    let argv = split_command_line(t["programArgs"]["default"].as_str().unwrap());
    let settings = json_file("settings.json");
    let mut client = Client::spawn_in_world(&argv, &world, settings["goEnvDoctor"].clone());
    let init = client.initialize_in_world(&world.folder, json_file("initializationOptions.json"));
    assert!(
        init["capabilities"]["codeActionProvider"].is_object()
            || init["capabilities"]["codeActionProvider"] == true
    );

    let xml = world.workspace_xml();
    let d = client.wait_for_code(&xml, "goroot-mismatch");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("GoLand uses GOROOT "),
        "{d:#}"
    );
    // On the url attribute's value (line 3, after `url="`).
    assert_eq!(d["range"]["start"], json!({"line": 2, "character": 32}));
    let text = std::fs::read_to_string(&xml).unwrap();
    let line = text.lines().nth(2).unwrap();
    let end = d["range"]["end"]["character"].as_u64().unwrap() as usize;
    assert_eq!(&line[32..end], "file://$USER_HOME$/sdk/go1.21.13");

    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": file_uri(&xml)},
            "range": d["range"],
            "context": {"diagnostics": [d], "only": ["quickfix"]}
        }),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            let title = a["title"].as_str().unwrap_or("");
            // The shell's Go is an installed SDK: the fix is named after it.
            title.starts_with("Use installed go1.22.10 (")
                && title.contains("): set GOROOT (Settings → Go → GOROOT) in .idea/workspace.xml")
        })
        .unwrap_or_else(|| panic!("no GOROOT quick fix: {actions:#}"));
    let change = &fix["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["uri"], file_uri(&xml));
    let after = apply_utf16(&text, change["edits"].as_array().unwrap());
    let want = format!(
        "url=\"file://{}\"",
        support::goroot("1.22.10").canonicalize().unwrap().display()
    );
    assert!(after.contains(&want), "{after}");
    assert_eq!(
        after.replace(&want, ""),
        text.replace("url=\"file://$USER_HOME$/sdk/go1.21.13\"", ""),
        "only the url changed"
    );
    client.shutdown();
}
