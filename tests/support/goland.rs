//! The GoLand world of the editor-config suites: a temp HOME whose login shell uses Go 1.22.10
//! and a project whose `.idea/workspace.xml` pins Go 1.21.13; an editor configuration's exact
//! command line run in it as an LSP session (the shared client of `support/lsp.rs`); and
//! IntelliJ's command-line splitting.
#![allow(dead_code, clippy::unwrap_used)]

use super::lsp::Client;
use serde_json::{json, Value};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Stdio;

pub const PINNED_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"GOROOT\" url=\"file://$USER_HOME$/sdk/go1.21.13\" />\n  <component name=\"VgoProject\">\n    <environment>\n      <map>\n        <entry key=\"GOFLAGS\" value=\"-mod=mod\" />\n      </map>\n    </environment>\n  </component>\n</project>\n";

/// Splits a command line like IntelliJ's `ParametersListUtil.parse` (LSP4IJ's `programArgs`):
/// white space separates, double quotes group (and are dropped), `\"` inside quotes is a quote.
pub fn split_command_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut has = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_quotes && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => {
                in_quotes = !in_quotes;
                has = true;
            }
            c if c.is_whitespace() && !in_quotes => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            c => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The GoLand world of the editor-config tests.
pub struct World {
    _dir: tempfile::TempDir,
    pub home: PathBuf,
    pub folder: PathBuf,
    /// PATH for the server: the built binary's directory first (as if installed), then system.
    pub path: String,
}

impl World {
    pub fn new() -> World {
        let (dir, root) = super::lsp::temp_root("gededitor-");
        let home = root.join("home");
        let folder = root.join("shop");
        std::fs::create_dir_all(home.join("sdk")).unwrap();
        std::fs::create_dir_all(folder.join(".idea")).unwrap();
        symlink(super::goroot("1.21.13"), home.join("sdk/go1.21.13")).unwrap();
        std::fs::write(
            home.join(".bash_profile"),
            format!(
                "export PATH={}/bin:/usr/bin:/bin\n",
                super::goroot("1.22.10").display()
            ),
        )
        .unwrap();
        std::fs::write(
            folder.join("go.mod"),
            "module example.com/shop\n\ngo 1.21\n",
        )
        .unwrap();
        std::fs::write(folder.join(".idea/workspace.xml"), PINNED_XML).unwrap();
        let bin_dir = super::bin().parent().unwrap().to_path_buf();
        World {
            _dir: dir,
            home,
            folder,
            path: format!("{}:/usr/bin:/bin", bin_dir.display()),
        }
    }

    pub fn workspace_xml(&self) -> PathBuf {
        self.folder.join(".idea/workspace.xml")
    }
}

impl Client {
    /// Spawns `argv` (an editor configuration's command line) in `world` with a clean
    /// environment: HOME, PATH (finding the built `go-env-doctor`), SHELL=bash. `config`
    /// answers every item of `workspace/configuration`.
    pub fn spawn_in_world(argv: &[String], world: &World, config: Value) -> Client {
        let shell = super::shell("bash");
        let env = [
            ("HOME", world.home.as_os_str()),
            ("PATH", world.path.as_ref()),
            ("SHELL", shell.as_os_str()),
        ];
        let mut client = Client::start(argv, env, &world.folder, Stdio::inherit());
        client.config_reply = Some(config);
        client.same_reply_for_every_section = true;
        client
    }

    /// initialize (UTF-16, workspace/configuration, versioned document changes) + initialized.
    pub fn initialize_in_world(&mut self, folder: &Path, init_options: Value) -> Value {
        self.initialize_folder(
            folder,
            "shop",
            json!({
                "general": {"positionEncodings": ["utf-16"]},
                "workspace": {
                    "configuration": true,
                    "workspaceEdit": {"documentChanges": true},
                    "workspaceFolders": true
                },
                "textDocument": {
                    "codeAction": {"codeActionLiteralSupport": {
                        "codeActionKind": {"valueSet": ["quickfix"]}}},
                    // LSP4IJ renders hovers as Markdown.
                    "hover": {"contentFormat": ["markdown", "plaintext"]}
                }
            }),
            init_options,
        )
    }
}
