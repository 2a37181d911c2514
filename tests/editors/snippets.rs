//! The Helix, Zed and Emacs snippets in `editors/`: Helix's `languages.toml` is parsed and the
//! command line it declares is run as a language server through a real stdio session
//! (initialize → `goroot-mismatch` on a GoLand `workspace.xml`); Zed's settings parse as JSONC
//! and name the same command; the eglot file names it, the editor, and the files it claims.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support::lsp;

use crate::support::goland;

use goland::World;
use lsp::Client;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn editors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors")
}

fn read(rel: &str) -> String {
    let p = editors().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn helix_languages_toml_starts_a_session_with_diagnostics() {
    let doc: toml::Value = toml::from_str(&read("helix/languages.toml")).unwrap();
    let server = &doc["language-server"]["go-env-doctor"];
    let mut argv = vec![server["command"].as_str().unwrap().to_string()];
    argv.extend(
        server["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string()),
    );
    assert_eq!(argv, ["go-env-doctor", "serve"]);
    let config: Value = serde_json::to_value(&server["config"]).unwrap();
    assert!(config["goEnvDoctor"].is_object(), "{config}");
    // Every language that lists the server keeps its usual one(s) too.
    let langs = doc["language"].as_array().unwrap();
    for name in ["go", "gomod", "gowork", "json", "xml"] {
        let l = langs
            .iter()
            .find(|l| l["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("no [[language]] {name}"));
        let servers = l["language-servers"].as_array().unwrap();
        assert!(servers.iter().any(|s| s.as_str() == Some("go-env-doctor")));
    }

    // Helix resolves `command` on PATH; the world's PATH finds the built binary first.
    let world = World::new();
    let mut client = Client::spawn_in_world(&argv, &world, config["goEnvDoctor"].clone());
    client.initialize_in_world(&world.folder, Value::Null);
    let diags = client.wait_diagnostic(&world.workspace_xml(), "goroot-mismatch");
    assert!(diags.iter().any(|d| d["message"]
        .as_str()
        .unwrap_or("")
        .starts_with("GoLand uses GOROOT ")));
    client.shutdown();
}

#[test]
fn zed_settings_parse_and_name_the_server() {
    let text = read("zed/settings.json");
    let v: Value = jsonc_parser::parse_to_serde_value(&text, &Default::default()).unwrap();
    let binary = &v["lsp"]["go-env-doctor"]["binary"];
    assert_eq!(binary["path"], "go-env-doctor");
    assert_eq!(binary["arguments"], serde_json::json!(["serve"]));
    assert!(v["lsp"]["go-env-doctor"]["settings"]["goEnvDoctor"].is_object());
    for lang in ["Go", "Go Mod", "Go Work"] {
        let servers = v["languages"][lang]["language_servers"].as_array().unwrap();
        assert!(servers.iter().any(|s| s == "go-env-doctor"), "{lang}");
        assert!(servers.iter().any(|s| s == "gopls"), "{lang} keeps gopls");
    }
}

#[test]
fn eglot_file_names_the_server() {
    let el = read("emacs/go-env-doctor.el");
    assert!(el.contains("'(\"go-env-doctor\" \"serve\")"), "{el}");
    assert!(el.contains("eglot-server-programs"));
    assert!(el.contains(":goEnvDoctor"));
    // eglot 1.9 sends no clientInfo: the editor's name travels in initializationOptions.
    assert!(el.contains("'(:editor \"Emacs\")"), "{el}");
    // Emacs 28's modes as well as 29+'s.
    for mode in [
        "go-dot-mod-mode",
        "go-mod-ts-mode",
        "js-json-mode",
        "js-mode",
        "nxml-mode",
    ] {
        assert!(el.contains(mode), "{mode}");
    }
    // Only the covered JSON/XML files, not every buffer of those modes.
    for pattern in [
        r#""/\\.vscode/settings\\.json\\'""#,
        r#""\\.code-workspace\\'""#,
        r#""/\\.idea/workspace\\.xml\\'""#,
    ] {
        assert!(el.contains(pattern), "{pattern}");
    }
    // A project root without VCS, and the user's workspace configuration kept, not replaced.
    assert!(el.contains("(add-hook 'project-find-functions"));
    assert!(el.contains("(go-env-doctor--with-section\n"));
    assert!(!el.contains("(setq-default eglot-workspace-configuration\n                '("));
    // Balanced parentheses outside strings and comments (a load error otherwise).
    let mut depth = 0i32;
    let mut in_str = false;
    for line in el.lines() {
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if in_str => {
                    chars.next();
                }
                '"' => in_str = !in_str,
                ';' if !in_str => break,
                '(' if !in_str => depth += 1,
                ')' if !in_str => {
                    depth -= 1;
                    assert!(depth >= 0);
                }
                _ => {}
            }
        }
    }
    assert_eq!(depth, 0);
    assert!(!in_str);
}
