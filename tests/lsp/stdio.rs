//! `go-env-doctor serve` end to end over stdio with real LSP framing (`Content-Length`), against
//! REAL Go toolchains and a REAL login shell (bash), like `cli_check`.
//!
//! Each scenario builds a temp world under `/tmp`: a HOME whose `.bash_profile` sources a
//! `.bashrc` that puts one Go first on PATH, a workspace folder with `go.mod` and
//! `.vscode/settings.json`, and a user-settings fixture (passed as `initializationOptions`
//! `userSettings`). The server is spawned with `env_clear()` plus HOME, PATH, SHELL and a marker
//! variable that lets the shutdown test find any leftover descendant in `/proc`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;

use crate::support::lsp;

use lsp::{
    apply, codes, file_uri, find_code, has_code, offset_of, poll_until, temp_root, Client, WAIT,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GO121: &str = "1.21.13";
const GO122: &str = "1.22.10";

/// The GOROOTs of Go 1.21.13 and 1.22.10.
fn gos() -> (PathBuf, PathBuf) {
    (support::goroot(GO121), support::goroot(GO122))
}

// =============================================================================================
// Harness: the shared client (`support/lsp.rs`) speaking LSP over the server's stdin/stdout,
// started for a scenario and initialized like VS Code.
// =============================================================================================

pub(crate) type Lsp = Client;

impl Client {
    fn spawn(s: &Scenario) -> Lsp {
        Lsp::spawn_with_stderr(s, Stdio::inherit())
    }

    /// `go-env-doctor serve --stdio` in the scenario's root with only its environment.
    pub(crate) fn spawn_with_stderr(s: &Scenario, stderr: Stdio) -> Lsp {
        let argv = [
            support::bin().into_os_string(),
            "serve".into(),
            "--stdio".into(),
        ];
        Client::start(&argv, &s.env, &s.root, stderr)
    }

    pub(crate) fn initialize(&mut self, s: &Scenario, encodings: &[&str]) -> Value {
        self.initialize_with_folders(s, encodings, &[(&s.folder, "ws")])
    }

    /// [`Client::initialize`] with several workspace folders at once (`(path, name)`).
    fn initialize_with_folders(
        &mut self,
        s: &Scenario,
        encodings: &[&str],
        folders: &[(&Path, &str)],
    ) -> Value {
        let capabilities = json!({
            "general": {"positionEncodings": encodings},
            "workspace": {
                "workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]},
                "didChangeWatchedFiles": {
                    "dynamicRegistration": self.watch_registration,
                    "relativePatternSupport": true
                },
                "configuration": self.config_reply.is_some(),
                "workspaceFolders": true
            },
            "textDocument": {
                "codeAction": {"isPreferredSupport": true},
                "hover": {"contentFormat": ["markdown", "plaintext"]}
            }
        });
        let init_options = json!({
            "shell": support::shell("bash"),
            "shellTimeoutSeconds": 30,
            "trusted": self.trusted,
            "userSettings": s.user_settings,
        });
        self.initialize_folders(folders, capabilities, init_options)
    }
}

// =============================================================================================
// Scenario builder
// =============================================================================================

pub(crate) struct Scenario {
    _dir: tempfile::TempDir,
    pub(crate) root: PathBuf,
    pub(crate) home: PathBuf,
    pub(crate) folder: PathBuf,
    user_settings: PathBuf,
    pub(crate) env: HashMap<String, String>,
    marker: String,
}

impl Scenario {
    fn new() -> Self {
        let (dir, root) = temp_root("ged-lsp-");
        let home = root.join("home");
        let folder = root.join("ws");
        std::fs::create_dir_all(home.join(".config/go")).unwrap();
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("go.mod"),
            "module example.com/hello\n\ngo 1.21\n",
        )
        .unwrap();
        let user_settings = root.join("user-settings.json");
        std::fs::write(&user_settings, "{}\n").unwrap();
        let marker = format!(
            "{}-{}",
            root.file_name().unwrap().to_string_lossy(),
            std::process::id()
        );
        let env: HashMap<String, String> = [
            ("HOME", home.display().to_string()),
            ("PATH", "/usr/bin:/bin".to_string()),
            ("SHELL", support::shell("bash").display().to_string()),
            ("GED_LSP_TEST_MARK", marker.clone()),
            ("RUST_LOG", "go_env_doctor=warn".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Scenario {
            _dir: dir,
            root,
            home,
            folder,
            user_settings,
            env,
            marker,
        }
    }

    /// The server's own PATH starts with `goroot/bin` (the editor's go).
    fn path_go(&mut self, goroot: &Path) {
        self.env.insert(
            "PATH".into(),
            format!("{}/bin:/usr/bin:/bin", goroot.display()),
        );
    }

    /// Writes the go env file (`$HOME/.config/go/env`); returns its path.
    fn env_file(&self, text: &str) -> PathBuf {
        let p = self.home.join(".config/go/env");
        std::fs::write(&p, text).unwrap();
        p
    }

    /// The server for this scenario, initialized (UTF-16).
    pub(crate) fn start(&self) -> Lsp {
        let mut lsp = Lsp::spawn(self);
        lsp.initialize(self, &["utf-16"]);
        lsp
    }

    fn settings_path(&self) -> PathBuf {
        self.folder.join(".vscode/settings.json")
    }

    fn settings(&self, text: &str) -> PathBuf {
        let p = self.settings_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// The login shell puts `goroot/bin` first on PATH from `.bashrc` (Debian's /etc/profile
    /// resets PATH for login shells, so the rc must prepend after it).
    fn shell_go(&self, goroot: &Path) {
        std::fs::write(
            self.home.join(".bash_profile"),
            "[ -f ~/.bashrc ] && . ~/.bashrc\n",
        )
        .unwrap();
        std::fs::write(
            self.home.join(".bashrc"),
            format!("export PATH=\"{}/bin:$PATH\"\n", goroot.display()),
        )
        .unwrap();
    }

    /// `.vscode/settings.json` pins Go 1.21.13 (`go.goroot` on its own line); the login shell
    /// uses 1.22.10. Returns the settings file and its text.
    pub(crate) fn settings_pin_go121() -> (Scenario, PathBuf, String) {
        let s = Scenario::new();
        let (go121, go122) = gos();
        let disk = format!("{{\n  \"go.goroot\": \"{}\"\n}}\n", go121.display());
        let settings = s.settings(&disk);
        s.shell_go(&go122);
        (s, settings, disk)
    }

    /// Both sides on Go 1.22.10 and `GOCACHE=off` in the go env file (returned).
    pub(crate) fn gocache_off() -> (Scenario, PathBuf) {
        let mut s = Scenario::new();
        let env_file = s.env_file("GOCACHE=off\n");
        s.both_go(&support::goroot(GO122));
        (s, env_file)
    }

    /// Both sides on Go 1.22.10 with GOTOOLCHAIN=local: a go line above it is an error.
    fn go122_local() -> Scenario {
        let mut s = Scenario::new();
        s.both_go(&support::goroot(GO122));
        s.env.insert("GOTOOLCHAIN".into(), "local".into());
        append(s.home.join(".bashrc"), "export GOTOOLCHAIN=local\n");
        s
    }

    /// The server (the editor's go) and the login shell both use `goroot`.
    fn both_go(&mut self, goroot: &Path) {
        self.path_go(goroot);
        self.shell_go(goroot);
    }

    /// A gopls on the server's PATH (a stub, not a Go binary: nothing is judged about it), for
    /// worlds that must be clean for a VS Code client, which otherwise reports tool-missing.
    fn gopls_on_path(&mut self) {
        let dir = self.root.join("editor-tools");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("gopls"), "#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(
            dir.join("gopls"),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let path = self.env.get("PATH").cloned().unwrap_or_default();
        self.env
            .insert("PATH".into(), format!("{}:{path}", dir.display()));
    }

    /// Paths replaced by stable names in snapshots.
    fn filter(&self, text: &str) -> String {
        text.replace(&support::goroot(GO122).display().to_string(), "[GO_1_22]")
            .replace(&support::goroot(GO121).display().to_string(), "[GO_1_21]")
            .replace(&self.root.display().to_string(), "[ROOT]")
            .replace(&support::shell("bash").display().to_string(), "[BASH]")
    }

    /// PIDs of live processes carrying this scenario's marker in their environment.
    fn marked_processes(&self) -> Vec<u32> {
        let needle = format!("GED_LSP_TEST_MARK={}", self.marker);
        let mut out = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
                continue;
            };
            let is_zombie = std::fs::read_to_string(entry.path().join("stat"))
                .map(|s| s.contains(") Z "))
                .unwrap_or(false);
            if !is_zombie && environ.split(|b| *b == 0).any(|kv| kv == needle.as_bytes()) {
                out.push(pid);
            }
        }
        out
    }
}

/// A JSON value as a reviewed snapshot: pretty-printed in the order the server sent it, temp
/// paths and toolchain roots replaced by stable names.
fn json_snapshot(s: &Scenario, name: &str, about: &Snapped, value: &Value) {
    let text = serde_json::to_string_pretty(value).unwrap();
    snapshot(name, about, &s.filter(&text));
}

/// Replaces every `"character": column` in `value` by `label`: columns after a toolchain path
/// depend on where the toolchains are installed.
/// The digests a diagnostic carries of the files its fixes edit (`data.files`) depend on the
/// toolchains' paths written in those files: masked.
fn mask_digests(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::Object(files) if k == "files" => {
                        for digest in files.values_mut() {
                            assert!(digest.is_string() || digest.is_null(), "{digest}");
                            if digest.is_string() {
                                *digest = json!("[digest of the file's text]");
                            }
                        }
                    }
                    _ => mask_digests(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_digests),
        _ => {}
    }
}

fn mask_column(value: &mut Value, column: &Value, label: &str) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == "character" && v == column {
                    *v = json!(label);
                } else {
                    mask_column(v, column, label);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| mask_column(v, column, label)),
        _ => {}
    }
}

/// What a snapshot's header says: what the value is and the scenario it comes from (`world`),
/// and the input file's text (`info`, filtered like the value).
struct Snapped {
    world: String,
    info: Option<Value>,
}

/// Says what the stable names in the values stand for.
const NAMES: &str = "[ROOT] is the scenario's temp directory, [GO_1_21] and [GO_1_22] the GOROOTs \
                     of the provisioned Go 1.21.13 and 1.22.10, [BASH] the provisioned bash.";

fn snapshot(name: &str, about: &Snapped, text: &str) {
    let description = format!("{} {NAMES}", about.world);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_description(description);
    if let Some(info) = &about.info {
        settings.set_info(info);
    }
    settings.bind(|| insta::assert_snapshot!(name, text));
}

// =============================================================================================
// Scenarios
// =============================================================================================

const SETTINGS_WITH_COMMENTS: &str = r#"{
    // Pinned for the old CI image.
    "editor.formatOnSave": true,
    /* the SDK */ "go.goroot": "GOROOT_121", // keep in sync
    "go.toolsEnvVars": {
        "GOFLAGS": "-mod=mod", // trailing comma below
    },
}
"#;

/// The whole loop a user sees: a diagnostic on the UNOPENED settings file, the preferred quick
/// fix, the fixed file keeping its comments, and the diagnostic gone after the save.
#[test]
fn goroot_mismatch_on_unopened_settings_quick_fix_and_recheck() {
    let s = Scenario::new();
    let (go121, go122) = gos();
    let text = SETTINGS_WITH_COMMENTS.replace("GOROOT_121", &go121.display().to_string());
    let settings = s.settings(&text);
    s.shell_go(&go122);

    let mut lsp = Lsp::spawn(&s);
    let init = lsp.initialize(&s, &["utf-16"]);
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "{init:#}");
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["codeActionProvider"]["codeActionKinds"][0], "quickfix");
    let commands = caps["executeCommandProvider"]["commands"].to_string();
    assert!(commands.contains("goEnvDoctor.recheck") && commands.contains("goEnvDoctor.report"));
    let about = |what: &str| Snapped {
        world: format!(
            "{what} Test stdio::goroot_mismatch_on_unopened_settings_quick_fix_and_recheck \
             (tests/lsp/stdio.rs): the real server over stdio, a VS Code-like client offering \
             UTF-16; the folder's .vscode/settings.json (under `info`, not opened) pins go.goroot \
             to Go 1.21.13; the bash login shell puts Go 1.22.10 first on PATH."
        ),
        info: Some(json!({
            ".vscode/settings.json": s.filter(&text).split('\n').collect::<Vec<_>>()
        })),
    };
    json_snapshot(
        &s,
        "lsp__initialize_result",
        &about("The result of `initialize`."),
        &init,
    );

    // With the line of .bashrc that gives the shell its `go`, traced after the first publish.
    let diag = lsp.wait_for_related(&settings, "goroot-mismatch");
    assert_eq!(diag["source"], "go-env-doctor");
    assert_eq!(diag["severity"], 1, "error: {diag:#}");
    assert!(
        diag["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .contains("goroot-mismatch"),
        "{diag:#}"
    );
    let msg = diag["message"].as_str().unwrap();
    assert!(msg.contains(GO121) && msg.contains(GO122), "{msg}");
    // The range is the go.goroot value (the string literal, quotes included).
    let value = format!("\"{}\"", go121.display());
    let start = text.find(&value).unwrap();
    assert_eq!(offset_of(&text, &diag["range"]["start"], "utf-16"), start);
    assert_eq!(
        offset_of(&text, &diag["range"]["end"], "utf-16"),
        start + value.len()
    );
    // The whole diagnostic as the client gets it: range, code, link, message, the fix payload
    // (the end column, checked just above, depends on where the toolchains are installed).
    let value_end = diag["range"]["end"]["character"].clone();
    let mut shown = diag.clone();
    mask_column(&mut shown, &value_end, "[end of the go.goroot value]");
    // The .bashrc line related to it holds a toolchain path too.
    let bashrc_end = diag["relatedInformation"][0]["location"]["range"]["end"]["character"].clone();
    mask_column(&mut shown, &bashrc_end, "[end of the .bashrc line]");
    mask_digests(&mut shown);
    json_snapshot(
        &s,
        "lsp__goroot_mismatch_diagnostic",
        &about(
            "The goroot-mismatch diagnostic published for .vscode/settings.json (the end \
             column and the file digests masked: they depend on where the toolchains are).",
        ),
        &shown,
    );

    // Hover on the member: both sides' GOROOT and Go versions.
    let hover = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&settings)}, "position": diag["range"]["start"]}),
    );
    assert_eq!(hover["contents"]["kind"], "markdown");
    let md = hover["contents"]["value"].as_str().unwrap();
    for part in [
        "GOROOT",
        "go1.21.13",
        "go1.22.10",
        "| origin |",
        &go121.display().to_string(),
        &go122.display().to_string(),
    ] {
        assert!(md.contains(part), "hover lacks {part:?}:\n{md}");
    }
    snapshot(
        "lsp__hover_goroot_mismatch",
        &about("The hover (Markdown) on the go.goroot value."),
        &s.filter(md),
    );

    // The report command returns the Markdown report.
    let report = lsp.report();
    let report = report.as_str().unwrap();
    assert!(report.starts_with("# go-env-doctor report"), "{report}");
    assert!(
        report.contains("goroot-mismatch") || report.contains("GOROOT"),
        "{report}"
    );

    // Code actions: the preferred fix first, a versionless edit of the unopened file.
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": file_uri(&settings)},
            "range": diag["range"],
            "context": {"diagnostics": [diag], "only": ["quickfix"]}
        }),
    );
    let mut shown = actions.clone();
    mask_column(&mut shown, &value_end, "[end of the go.goroot value]");
    mask_column(&mut shown, &bashrc_end, "[end of the .bashrc line]");
    mask_digests(&mut shown);
    json_snapshot(
        &s,
        "lsp__goroot_mismatch_code_actions",
        &about(
            "The quick fixes offered for the goroot-mismatch diagnostic (end column and \
             digests masked as in lsp__goroot_mismatch_diagnostic).",
        ),
        &shown,
    );
    let actions = actions.as_array().unwrap();
    assert!(!actions.is_empty());
    let preferred = &actions[0];
    assert_eq!(preferred["isPreferred"], true, "{actions:#?}");
    assert_eq!(preferred["kind"], "quickfix");
    assert!(actions.iter().skip(1).all(|a| a["isPreferred"] != true));
    let change = &preferred["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["uri"], file_uri(&settings));
    assert!(change["textDocument"]["version"].is_null());
    let fixed = apply(&text, change["edits"].as_array().unwrap(), "utf-16");
    // Comments, the trailing commas and the other members survive.
    for kept in [
        "// Pinned for the old CI image.",
        "/* the SDK */",
        "// keep in sync",
        "// trailing comma below",
        "\"editor.formatOnSave\": true,",
    ] {
        assert!(fixed.contains(kept), "lost {kept:?}:\n{fixed}");
    }
    assert!(fixed.contains(&go122.display().to_string()), "{fixed}");
    snapshot(
        "lsp__goroot_mismatch_quick_fix",
        &about(
            "The preferred quick fix's title, then .vscode/settings.json after applying its \
             edit.",
        ),
        &format!(
            "action: {}\n---\n{}",
            s.filter(preferred["title"].as_str().unwrap()),
            s.filter(&fixed)
        ),
    );

    // Write it and tell the server: the diagnostic goes away.
    std::fs::write(&settings, &fixed).unwrap();
    lsp.file_changed(&settings, 2);
    let after = lsp.wait_cleared(&settings, "goroot-mismatch");
    assert!(
        !codes(&after).contains(&"goroot-mismatch".to_string()),
        "{after:#?}"
    );
    let status = lsp.shutdown();
    assert!(status.success(), "{status:?}");
}

/// A non-BMP character before the key: UTF-16 columns count it as 2 units, UTF-8 as 4 bytes.
#[test]
fn ranges_in_utf16_and_utf8_with_an_emoji_before_the_key() {
    let (go121, go122) = gos();
    for enc in ["utf-16", "utf-8"] {
        let s = Scenario::new();
        let text = format!("{{ /* 🦀 é */ \"go.goroot\": \"{}\" }}\n", go121.display());
        let settings = s.settings(&text);
        s.shell_go(&go122);
        let mut lsp = Lsp::spawn(&s);
        let offered: &[&str] = if enc == "utf-8" {
            &["utf-8", "utf-16"]
        } else {
            &["utf-16"]
        };
        let init = lsp.initialize(&s, offered);
        assert_eq!(init["capabilities"]["positionEncoding"], enc);
        let d = lsp.wait_for_code(&settings, "goroot-mismatch");
        let value_start = text.find(&format!("\"{}", go121.display())).unwrap();
        // Columns as each encoding counts them.
        let prefix = &text[..value_start];
        let expected = if enc == "utf-8" {
            prefix.len()
        } else {
            prefix.chars().map(char::len_utf16).sum()
        };
        assert_eq!(d["range"]["start"]["line"], 0);
        assert_eq!(
            d["range"]["start"]["character"].as_u64().unwrap() as usize,
            expected,
            "{enc}: {d:#}"
        );
        assert_eq!(offset_of(&text, &d["range"]["start"], enc), value_start);
        let status = lsp.shutdown();
        assert!(status.success());
    }
}

/// shutdown clears what was published; exit ends the server and every process it started.
#[test]
fn shutdown_clears_diagnostics_and_exit_leaves_no_process() {
    let s = Scenario::new();
    let (go121, go122) = gos();
    let settings = s.settings(&format!("{{ \"go.goroot\": \"{}\" }}\n", go121.display()));
    s.shell_go(&go122);
    let mut lsp = s.start();
    lsp.wait_diagnostics(&settings, has_code("goroot-mismatch"));
    let pid = lsp.child.id();
    lsp.request("shutdown", Value::Null);
    lsp.wait_diagnostics(&settings, |d| d.is_empty());
    lsp.notify("exit", Value::Null);
    let status = lsp
        .wait_exit(Duration::from_secs(10))
        .unwrap_or_else(|| panic!("server {pid} did not exit"));
    assert!(status.success(), "{status:?}");
    let left = s.marked_processes();
    assert!(left.is_empty(), "processes left behind: {left:?}");
}

/// An open document gets a versioned edit computed against the editor's text, not the disk.
#[test]
fn open_settings_get_a_versioned_edit_against_the_buffer_text() {
    let (s, settings, disk) = Scenario::settings_pin_go121();
    let (go121, go122) = gos();
    let mut lsp = s.start();
    let diag = lsp.wait_for_code(&settings, "goroot-mismatch");
    let uri = file_uri(&settings);
    lsp.open_document(&uri, "jsonc", 1, &disk);
    // An unsaved edit in the buffer: a comment line above the member (incremental change).
    lsp.insert_text(&uri, 7, (1, 0), "  // 🦀 unsaved\n");
    let buffer = disk.replacen("{\n", "{\n  // 🦀 unsaved\n", 1);
    let actions = lsp.code_actions(&uri, &diag);
    let preferred = &actions[0];
    assert_eq!(preferred["isPreferred"], true, "{actions:#}");
    let change = &preferred["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 7, "{change:#}");
    let fixed = apply(&buffer, change["edits"].as_array().unwrap(), "utf-16");
    assert_eq!(
        fixed,
        buffer.replace(&go121.display().to_string(), &go122.display().to_string()),
        "only the value changes"
    );
    assert!(lsp.shutdown().success());
}

/// An env-file finding: diagnostic on the env file line, a `go env -u` command as the preferred
/// fix, run by the server with the shell's go and environment, then re-checked and cleared.
#[test]
fn env_file_fix_runs_go_env_unset_and_clears_the_diagnostic() {
    let (s, env_file) = Scenario::gocache_off();
    let mut lsp = s.start();
    let diag = lsp.wait_for_code(&env_file, "gocache-off");
    assert_eq!(diag["range"]["start"], json!({"line": 0, "character": 0}));
    assert_eq!(diag["range"]["end"], json!({"line": 0, "character": 11}));
    let actions = lsp.code_actions(&file_uri(&env_file), &diag);
    let preferred = &actions[0];
    assert_eq!(preferred["isPreferred"], true, "{actions:#}");
    let command = &preferred["command"];
    assert_eq!(command["command"], "goEnvDoctor.goEnvUnset", "{actions:#}");
    assert_eq!(command["arguments"][0]["key"], "GOCACHE");
    lsp.execute(
        command["command"].as_str().unwrap(),
        command["arguments"].clone(),
    );
    let text = std::fs::read_to_string(&env_file).unwrap();
    assert!(!text.contains("GOCACHE"), "go env -u left: {text:?}");
    lsp.wait_cleared(&env_file, "gocache-off");
    assert!(lsp.shutdown().success());
}

/// The `goEnvDoctor` section answered on `workspace/configuration` wins over
/// initializationOptions, and is pulled again on `didChangeConfiguration`.
#[test]
fn configuration_is_pulled_and_pulled_again_on_change() {
    let mut s = Scenario::new();
    let (go121, go122) = gos();
    let settings = s.settings(&format!("{{ \"go.goroot\": \"{}\" }}\n", go121.display()));
    let env_file = s.env_file("GOCACHE=off\n");
    s.both_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    lsp.config_reply = Some(json!({"disabledChecks": ["gocache-off"]}));
    lsp.initialize(&s, &["utf-16"]);
    // The check ran (the settings diagnostic is there) without the disabled code.
    lsp.wait_diagnostics(&settings, has_code("goroot-mismatch"));
    let env_uri = file_uri(&env_file);
    assert!(
        lsp.diagnostics.get(&env_uri).map(Vec::is_empty) != Some(false),
        "{:#?}",
        lsp.diagnostics
    );
    // The user turns the check back on.
    lsp.config_reply = Some(json!({"disabledChecks": []}));
    lsp.configuration_changed();
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    assert!(lsp.shutdown().success());
}

/// Faults of the server's reaped children (`cminflt`, /proc/PID/stat field 11): every process
/// the server starts and waits for adds to it, so an unchanged value means none ran.
fn reaped_children_faults(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 1..];
    rest.split_whitespace().nth(8).unwrap().parse().unwrap()
}

fn publish_count(lsp: &Lsp) -> usize {
    lsp.count("textDocument/publishDiagnostics")
}

/// Unsaved settings text is re-diagnosed at once from the cached probes — no process spawned —
/// and the ranges follow the buffer: a line inserted above moves the diagnostic; pointing
/// go.goroot at the shell's SDK in the buffer clears it; closing the buffer unsaved brings the
/// file on disk back.
#[test]
fn settings_edits_are_rediagnosed_from_cached_probes_without_a_process() {
    let (s, settings, disk) = Scenario::settings_pin_go121();
    let (go121, go122) = gos();
    let mut lsp = s.start();
    // After attribution's traced shell (it runs once, after the first diagnostics).
    lsp.wait_for_related(&settings, "goroot-mismatch");
    let pid = lsp.child.id();
    wait_probe_cached(&mut lsp, &s);
    let faults_before = reaped_children_faults(pid);
    let uri = file_uri(&settings);

    lsp.open_document(&uri, "jsonc", 1, &disk);
    lsp.insert_text(&uri, 2, (1, 0), "  // 🦀 pinned by hand\n");
    let moved = lsp.wait_diagnostics(&settings, |d| {
        d.iter()
            .any(|d| d["code"] == "goroot-mismatch" && d["range"]["start"]["line"] == 2)
    });
    let buffer = disk.replacen("{\n", "{\n  // 🦀 pinned by hand\n", 1);
    let d = find_code(&moved, "goroot-mismatch");
    let value = format!("\"{}\"", go121.display());
    assert_eq!(
        offset_of(&buffer, &d["range"]["start"], "utf-16"),
        buffer.find(&value).unwrap()
    );
    let last = lsp
        .log
        .iter()
        .rev()
        .find(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .unwrap();
    assert_eq!(last["params"]["version"], 2, "{last:#}");

    // The buffer now names the shell's SDK: the mismatch is gone before any save.
    let fixed = buffer.replace(&go121.display().to_string(), &go122.display().to_string());
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": fixed}]}),
    );
    lsp.wait_cleared(&settings, "goroot-mismatch");

    // Closed without saving: the file on disk speaks again.
    lsp.close_document(&uri);
    let d = lsp.wait_for_code(&settings, "goroot-mismatch");
    assert_eq!(d["range"]["start"]["line"], 1, "{d:#}");
    assert!(publish_count(&lsp) >= 4);
    assert_eq!(
        reaped_children_faults(pid),
        faults_before,
        "the server ran a process for a settings-only change"
    );
    assert!(lsp.shutdown().success());
}

/// A quick fix asked for with a diagnostic of an older version of the open document is
/// refused, saying why, instead of editing text that moved.
#[test]
fn a_fix_for_an_older_document_version_is_refused_with_the_reason() {
    let (s, settings, disk) = Scenario::settings_pin_go121();
    let mut lsp = s.start();
    lsp.wait_diagnostics(&settings, has_code("goroot-mismatch"));
    let uri = file_uri(&settings);
    lsp.open_document(&uri, "jsonc", 1, &disk);
    let v1 = lsp.wait_diagnostics(&settings, |d| {
        d.iter()
            .any(|d| d["code"] == "goroot-mismatch" && d["data"]["version"] == 1)
    });
    let old = find_code(&v1, "goroot-mismatch");
    lsp.insert_text(&uri, 2, (0, 1), "\n  \"editor.tabSize\": 2,");
    let actions = lsp.code_actions(&uri, &old);
    let actions = actions.as_array().unwrap();
    assert!(!actions.is_empty(), "no answer at all");
    for a in actions {
        assert!(a["edit"].is_null(), "an edit against moved text: {a:#}");
        let reason = a["disabled"]["reason"].as_str().unwrap_or("");
        assert!(reason.contains("changed"), "{a:#}");
    }
    // The re-check of version 2 offers the fix again, as a versioned edit.
    let v2 = lsp.wait_diagnostics(&settings, |d| {
        d.iter()
            .any(|d| d["code"] == "goroot-mismatch" && d["data"]["version"] == 2)
    });
    let fresh = find_code(&v2, "goroot-mismatch");
    let actions = lsp.code_actions(&uri, &fresh);
    assert_eq!(actions[0]["isPreferred"], true, "{actions:#}");
    assert_eq!(
        actions[0]["edit"]["documentChanges"][0]["textDocument"]["version"],
        2
    );
    assert!(lsp.shutdown().success());
}

/// A `GOROOT=` line in the env file naming a missing directory: `go` cannot run, so the fix is
/// a direct edit deleting that line (nothing else in the file changes).
#[test]
fn env_file_goroot_line_is_deleted_by_a_direct_edit() {
    let mut s = Scenario::new();
    let go122 = support::goroot(GO122);
    let env_file = s.home.join(".config/go/env");
    let text = "GOPRIVATE=example.com/private\nGOROOT=/nonexistent/go\n";
    std::fs::write(&env_file, text).unwrap();
    s.both_go(&go122);
    let mut lsp = s.start();
    let diags = lsp.wait_diagnostics(&env_file, |d| {
        d.iter().any(|d| d["range"]["start"]["line"] == 1)
    });
    let mut deleted = None;
    for diag in diags.iter().filter(|d| d["range"]["start"]["line"] == 1) {
        let actions = lsp.code_actions(&file_uri(&env_file), diag);
        for a in actions.as_array().into_iter().flatten() {
            let Some(change) = a["edit"]["documentChanges"].get(0) else {
                continue;
            };
            let fixed = apply(text, change["edits"].as_array().unwrap(), "utf-16");
            deleted = Some((diag["code"].clone(), a["title"].clone(), fixed));
        }
    }
    let (code, title, fixed) =
        deleted.unwrap_or_else(|| panic!("no line-deleting fix among {diags:#?}"));
    assert_eq!(fixed, "GOPRIVATE=example.com/private\n", "{code} / {title}");
    assert!(
        title.as_str().unwrap().contains("GOROOT"),
        "{code}: {title}"
    );
    assert!(lsp.shutdown().success());
}

/// `goEnvDoctor.cleanCache`: `go clean -cache -n` first (reported as progress), then
/// `go clean -cache` with the shell's go, between `$/progress` begin and end.
#[test]
fn clean_cache_command_lists_first_then_cleans_with_progress() {
    let mut s = Scenario::new();
    let go122 = support::goroot(GO122);
    let cache = s.root.join("gocache");
    for sub in ["00", "ab"] {
        std::fs::create_dir_all(cache.join(sub)).unwrap();
        std::fs::write(cache.join(sub).join("entry-a"), "x").unwrap();
    }
    std::fs::write(cache.join("README"), "kept").unwrap();
    s.both_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    let init = lsp.initialize(&s, &["utf-16"]);
    assert!(init["capabilities"]["executeCommandProvider"]["commands"]
        .to_string()
        .contains("goEnvDoctor.cleanCache"));
    // Wait for the first check (a healthy world publishes nothing): the report names it.
    lsp.wait_first_check();
    let out = lsp.execute("goEnvDoctor.cleanCache", json!([{"gocache": cache}]));
    assert_eq!(out, "removed 2 cache entries", "{out:#}");
    assert!(!cache.join("00").exists() && !cache.join("ab").exists());
    assert!(cache.join("README").exists());
    // `$/progress` notifications and the response travel separately: wait for the end.
    lsp.wait_for_progress_end();
    let progress = lsp.progress();
    assert_eq!(
        lsp.progress_kinds(),
        ["begin", "report", "end"],
        "{progress:#?}"
    );
    assert_eq!(progress[0]["params"]["value"]["cancellable"], true);
    let report = progress[1]["params"]["value"]["message"].as_str().unwrap();
    assert!(report.contains("go clean -cache -n: 2 entries"), "{report}");
    assert!(lsp
        .log
        .iter()
        .any(|m| m["method"] == "window/workDoneProgress/create"));
    assert!(lsp.shutdown().success());
}

/// What `go clean -cache` removes from `cache` (every `[0-9a-f][0-9a-f]` subdirectory, as
/// `go clean -cache -n` lists them): (files, bytes), walked by the test itself.
fn cache_entry_totals(cache: &Path) -> (u64, u64) {
    let (mut files, mut bytes) = (0, 0);
    let mut stack: Vec<PathBuf> = std::fs::read_dir(cache)
        .unwrap()
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.len() == 2 && n.bytes().all(|b| b.is_ascii_hexdigit()) && e.path().is_dir()
        })
        .map(|e| e.path())
        .collect();
    while let Some(p) = stack.pop() {
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
        } else {
            files += 1;
            bytes += meta.len();
        }
    }
    (files, bytes)
}

/// A populated build cache owned by another uid (65534; the server runs as root, so it is still
/// writable), named by GOCACHE in the go env file: `gocache-foreign-owner` on that line, whose
/// preferred quick fix is titled with what `go clean -cache -n` lists and its size (measured
/// once: asking again starts no process). Running it empties the cache with `$/progress`, and
/// the re-check clears the diagnostic (what the server's own `go env` writes there is root's).
#[test]
fn clean_cache_quick_fix_on_a_foreign_cache_shows_its_size_then_empties_it() {
    use std::os::unix::fs::chown;
    let mut s = Scenario::new();
    let go122 = support::goroot(GO122);
    let cache = s.root.join("shared-cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(
        cache.join("README"),
        "This directory holds cached build artifacts from the Go build system.\n",
    )
    .unwrap();
    std::fs::write(cache.join("trim.txt"), "1732000000\n").unwrap();
    let entries = [
        ("00", "00aa-d", 1000),
        ("5d", "5d6a-d", 2000),
        ("ff", "ffee-a", 4000),
    ];
    let mut created = Vec::new();
    for (sub, name, size) in entries {
        std::fs::create_dir(cache.join(sub)).unwrap();
        let file = cache.join(sub).join(name);
        std::fs::write(&file, vec![b'x'; size]).unwrap();
        chown(&file, Some(65534), Some(65534)).unwrap();
        chown(cache.join(sub), Some(65534), Some(65534)).unwrap();
        created.push(file);
    }
    for p in [cache.join("README"), cache.join("trim.txt"), cache.clone()] {
        chown(&p, Some(65534), Some(65534)).unwrap();
    }
    let env_file = s.env_file(&format!("GOCACHE={}\n", cache.display()));
    s.both_go(&go122);
    let mut lsp = s.start();
    let diag = lsp.wait_for_code(&env_file, "gocache-foreign-owner");
    assert_eq!(diag["range"]["start"]["line"], 0, "{diag:#}");
    assert!(
        diag["message"].as_str().unwrap().contains("uid 65534"),
        "{diag:#}"
    );

    // The probes' own `go env -json` cached a few entries too: the title counts what
    // `go clean -cache -n` lists now, which the test walks itself.
    let (files, bytes) = cache_entry_totals(&cache);
    assert!(files >= 3 && bytes >= 7000, "{files} files, {bytes} bytes");
    let size = if bytes < 1024 * 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    };
    let expected = format!(
        "Empty the build cache {}: {size} in {files} files (go clean -cache)",
        cache.display()
    );
    let params = json!({
        "textDocument": {"uri": file_uri(&env_file)},
        "range": diag["range"],
        "context": {"diagnostics": [diag]}
    });
    let pid = lsp.child.id();
    wait_probe_cached(&mut lsp, &s);
    let before = reaped_children_faults(pid);
    let actions = lsp.request("textDocument/codeAction", params.clone());
    let faults = reaped_children_faults(pid);
    assert!(
        faults > before,
        "the first codeAction ran no `go clean -cache -n`"
    );
    let clean = &actions[0];
    assert_eq!(clean["isPreferred"], true, "{actions:#}");
    assert_eq!(clean["title"], expected, "{actions:#}");
    println!("rendered title: {}", clean["title"]);
    let command = clean["command"].clone();
    assert_eq!(command["command"], "goEnvDoctor.cleanCache", "{actions:#}");
    assert_eq!(command["title"], expected);
    assert_eq!(
        command["arguments"][0]["gocache"],
        cache.display().to_string()
    );

    // Asked again (a cursor move): the same title, and no process started for it.
    let again = lsp.request("textDocument/codeAction", params);
    assert_eq!(again[0]["title"], expected, "{again:#}");
    assert_eq!(
        reaped_children_faults(pid),
        faults,
        "the second codeAction ran a process"
    );

    let out = lsp.execute(
        command["command"].as_str().unwrap(),
        command["arguments"].clone(),
    );
    assert!(out.as_str().unwrap().starts_with("removed "), "{out:#}");
    for f in &created {
        assert!(!f.exists(), "{} survived go clean -cache", f.display());
    }
    assert!(cache.join("README").exists());
    lsp.wait_for_progress_end();
    assert_eq!(lsp.progress_kinds(), ["begin", "report", "end"]);
    // Re-checked: the cache now holds only what the server's own go wrote (root's).
    lsp.wait_cleared(&env_file, "gocache-foreign-owner");
    assert!(lsp.shutdown().success());
}

/// A client that cannot watch files (no dynamic `didChangeWatchedFiles` registration): the
/// server watches the GOROOT's symlink chain itself. The settings' `go.goroot` is a symlink
/// `sdk/current` → Go 1.21.13 while the login shell uses 1.22.10; `ln -sfn` points it at 1.22.10
/// and the mismatch goes away without the client sending anything.
#[test]
fn goroot_symlink_swap_is_re_probed_by_the_servers_own_watcher() {
    let s = Scenario::new();
    let (go121, go122) = gos();
    let sdk = s.root.join("sdk");
    std::fs::create_dir_all(&sdk).unwrap();
    let current = sdk.join("current");
    std::os::unix::fs::symlink(&go121, &current).unwrap();
    let settings = s.settings(&format!("{{ \"go.goroot\": \"{}\" }}\n", current.display()));
    s.shell_go(&go122);

    let mut lsp = Lsp::spawn(&s);
    lsp.watch_registration = false;
    lsp.initialize(&s, &["utf-16"]);
    lsp.wait_diagnostics(&settings, has_code("goroot-mismatch"));
    let status = Command::new("ln")
        .arg("-sfn")
        .arg(&go122)
        .arg(&current)
        .status()
        .unwrap();
    assert!(status.success());
    lsp.wait_cleared(&settings, "goroot-mismatch");
    assert!(
        !lsp.log
            .iter()
            .any(|m| m["method"] == "client/registerCapability"),
        "registered watchers with a client that cannot watch"
    );
    assert!(lsp.shutdown().success());
}

/// Editing the env file behind the editor's back (a `GOPROXY=` line added): a `goproxy-empty`
/// diagnostic appears by itself, from the server's own watcher.
#[test]
fn env_file_edit_is_re_probed_by_the_servers_own_watcher() {
    let (s, env_file) = Scenario::gocache_off();
    let mut lsp = Lsp::spawn(&s);
    lsp.watch_registration = false;
    lsp.initialize(&s, &["utf-16"]);
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    append(&env_file, "GOPROXY=\n");
    let diags = lsp.wait_diagnostics(&env_file, has_code("goproxy-empty"));
    let d = find_code(&diags, "goproxy-empty");
    assert_eq!(d["range"]["start"]["line"], 1, "{d:#}");
    assert!(lsp.shutdown().success());
}

/// A client that watches files gets the probes' inputs outside the workspace registered as
/// `RelativePattern`s based at their directories: the env file, the login shell's rc files,
/// the GOROOT.
#[test]
fn probe_inputs_are_registered_with_a_client_that_watches() {
    let (s, env_file) = Scenario::gocache_off();
    let go122 = support::goroot(GO122);
    let mut lsp = s.start();
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    let is_ours = |m: &Value| {
        m["method"] == "client/registerCapability"
            && m["params"]["registrations"][0]["id"] == "goEnvDoctor.watchProbeInputs"
    };
    let patterns = |registration: &Value| -> Vec<(String, String)> {
        registration["params"]["registrations"][0]["registerOptions"]["watchers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["globPattern"]["baseUri"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                    w["globPattern"]["pattern"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect()
    };
    // The check's inputs come after it ran; the shell's rc files are registered as soon as
    // the probe starts (an edit while a slow shell starts must not be missed).
    let has_go_mod = |m: &Value| {
        is_ours(m) && patterns(m).contains(&(file_uri(&s.folder), "go.mod".to_string()))
    };
    let last = lsp.wait_logged("no registration of the check's inputs", has_go_mod);
    let first = lsp.log.iter().find(|m| is_ours(m)).unwrap().clone();
    let has = |reg: &Value, dir: &Path, name: &str| {
        patterns(reg).contains(&(file_uri(dir), name.to_string()))
    };
    assert!(has(&first, &s.home, ".bashrc"), "{first:#}");
    assert!(has(&first, &s.home, ".bash_profile"), "{first:#}");
    assert!(has(&last, &s.home.join(".config/go"), "env"), "{last:#}");
    assert!(has(&last, &s.home, ".bashrc"), "{last:#}");
    assert!(has(&last, &s.home, ".bash_profile"), "{last:#}");
    assert!(has(&last, &s.folder, "go.mod"), "{last:#}");
    assert!(has(&last, &go122, "go.env"), "{last:#}");
    assert!(lsp.shutdown().success());
}

/// Appends `text` to the file at `path`.
pub(crate) fn append(path: impl AsRef<Path>, text: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// Waits until the server wrote its probe to the persistent cache: what the first check
/// started after its diagnostics (bash runs once more, traced, for the cache's key) is over,
/// so that counting the server's processes from here counts only what comes next.
pub(crate) fn wait_probe_cached(lsp: &mut Lsp, s: &Scenario) {
    let probes = s.home.join(".cache/go-env-doctor/probes");
    let cached = || {
        std::fs::read_dir(&probes).is_ok_and(|d| {
            d.flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "json"))
        })
    };
    lsp.serve_until(
        "the probe was never cached",
        Duration::from_millis(20),
        cached,
    );
}

/// Lines in the file the login shell's `.bashrc` appends to on every run.
pub(crate) fn shell_runs(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

/// The login-shell probe is cached by its inputs: a re-probe for an env-file change reuses the
/// shell's environment (the shell does not run again, yet the change is seen); an edit to
/// `.bashrc` changes the inputs and the shell runs again.
#[test]
fn shell_probe_is_reused_until_an_rc_file_changes() {
    let (s, env_file) = Scenario::gocache_off();
    let runs = s.root.join("shell-runs");
    let bashrc = s.home.join(".bashrc");
    // The probes' runs: not the traced run that learns the startup files for the persistent
    // cache after the first diagnostics (bash's xtrace: `$-` has `x`).
    append(
        &bashrc,
        &format!(
            "case $- in *x*) ;; *) echo run >> '{}' ;; esac\n",
            runs.display()
        ),
    );

    let mut lsp = s.start();
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    assert_eq!(shell_runs(&runs), 1);

    // The env file changes (the client reports it): re-probed, the shell's result reused.
    std::fs::write(&env_file, "GOCACHE=off\nGOPROXY=\n").unwrap();
    lsp.file_changed(&env_file, 2);
    lsp.wait_diagnostics(&env_file, has_code("goproxy-empty"));
    assert_eq!(shell_runs(&runs), 1, "the login shell ran again");

    // .bashrc changes: the inputs differ, the shell runs again.
    append(&bashrc, "# edited\n");
    lsp.file_changed(&bashrc, 2);
    lsp.serve_until(
        "the login shell did not run again",
        Duration::from_millis(50),
        || shell_runs(&runs) >= 2,
    );
    lsp.wait_diagnostics(&env_file, has_code("goproxy-empty"));
    assert!(lsp.shutdown().success());
}

/// Live processes whose command line contains `needle`.
fn processes_with(needle: &str) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let zombie = stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'));
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            // Arguments are NUL-separated.
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            !zombie && cmdline.contains(needle)
        })
        .collect()
}

/// How the user gets a hung login shell looked at again once `.bashrc` is fixed.
enum Retrigger {
    /// *Go Env Doctor: Recheck*.
    RecheckCommand,
    /// Nothing: the client reports the saved `.bashrc` (the server registered the shell's rc
    /// files as soon as the probe started).
    WatchedFile,
}

/// A newer check cancels the running one instead of waiting for it: the login shell hangs in
/// `.bashrc` (a `sleep` far longer than the user would wait), the user fixes `.bashrc`, and
/// the diagnostics come from the fixed shell at once — the hung shell and its `sleep` are
/// killed, not waited for until the 30 s probe timeout.
fn fixing_a_hung_shell(retrigger: Retrigger) {
    let (s, env_file) = Scenario::gocache_off();
    let bashrc = s.home.join(".bashrc");
    let fixed = std::fs::read_to_string(&bashrc).unwrap();
    // A duration no other process on the machine uses, to find this sleep by: one per
    // retrigger, as the two tests run side by side and each waits for its own sleep to start
    // and to be killed.
    let hang = match retrigger {
        Retrigger::RecheckCommand => "sleep 27.4321",
        Retrigger::WatchedFile => "sleep 27.4322",
    };
    std::fs::write(&bashrc, format!("{hang}\n{fixed}")).unwrap();

    let mut lsp = s.start();
    lsp.serve_until(
        "the login shell never started",
        Duration::from_millis(20),
        || !processes_with(hang).is_empty(),
    );
    assert!(
        !lsp.diagnostics.contains_key(&file_uri(&env_file)),
        "no check can have finished while the shell hangs"
    );

    std::fs::write(&bashrc, &fixed).unwrap();
    let fixed_at = Instant::now();
    match retrigger {
        Retrigger::RecheckCommand => {
            let recheck = lsp.execute("goEnvDoctor.recheck", json!([]));
            assert!(recheck.is_null(), "{recheck:#}");
        }
        Retrigger::WatchedFile => {
            let bashrc_uri = file_uri(&s.home);
            lsp.wait_logged(
                "the rc files were not registered while the shell ran",
                |m| {
                    m["method"] == "client/registerCapability"
                        && m["params"]["registrations"][0]["id"] == "goEnvDoctor.watchProbeInputs"
                        && m.to_string().contains(&bashrc_uri)
                        && m.to_string().contains(".bashrc")
                },
            );
            lsp.file_changed(&bashrc, 2);
        }
    }
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    let waited = fixed_at.elapsed();
    assert!(
        waited < Duration::from_secs(15),
        "the new check waited {waited:?} for the hung one (its shell sleeps 27 s)"
    );
    poll_until(
        Duration::from_secs(2),
        || processes_with(hang).is_empty(),
        || {
            format!(
                "the cancelled shell's sleep is still running: {:?}",
                processes_with(hang)
            )
        },
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn a_recheck_cancels_the_hung_check_and_kills_its_shell() {
    fixing_a_hung_shell(Retrigger::RecheckCommand);
}

#[test]
fn an_rc_fix_while_the_shell_hangs_is_seen_and_cancels_the_hung_check() {
    fixing_a_hung_shell(Retrigger::WatchedFile);
}

/// A failed login-shell probe is remembered like a successful one: re-checks for other reasons
/// (here the env file changes) do not start the broken shell again; fixing `.bashrc` does.
#[test]
fn a_failed_shell_probe_is_not_repeated_until_an_rc_file_changes() {
    let (s, env_file) = Scenario::gocache_off();
    let runs = s.root.join("shell-runs");
    let bashrc = s.home.join(".bashrc");
    // Untraced runs only (see shell_probe_is_reused_until_an_rc_file_changes).
    let fixed = format!(
        "case $- in *x*) ;; *) echo run >> '{}' ;; esac\n{}",
        runs.display(),
        std::fs::read_to_string(&bashrc).unwrap()
    );
    std::fs::write(&bashrc, format!("{fixed}exit 3\n")).unwrap();

    let mut lsp = s.start();
    let diags = lsp.wait_diagnostics(&s.folder.join("go.mod"), has_code("shell-probe-failed"));
    let message = diags
        .iter()
        .find(|d| d["code"] == "shell-probe-failed")
        .and_then(|d| d["message"].as_str())
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("code 3"), "{message}");
    assert_eq!(shell_runs(&runs), 1);

    std::fs::write(&env_file, "GOCACHE=off\nGOPROXY=\n").unwrap();
    lsp.file_changed(&env_file, 2);
    lsp.wait_diagnostics(&env_file, has_code("goproxy-empty"));
    assert_eq!(shell_runs(&runs), 1, "the failing login shell ran again");
    assert!(codes(&lsp.diagnostics[&file_uri(&s.folder.join("go.mod"))])
        .contains(&"shell-probe-failed".to_string()));

    std::fs::write(&bashrc, &fixed).unwrap();
    lsp.file_changed(&bashrc, 2);
    lsp.wait_diagnostics(&s.folder.join("go.mod"), |d| {
        !codes(d).contains(&"shell-probe-failed".to_string())
    });
    assert_eq!(shell_runs(&runs), 2);
    assert!(lsp.shutdown().success());
}

/// The client's `go` section is the effective editor setting (VS Code knows layers we cannot
/// read): the file pins the shell's Go 1.22.10, the client answers `go.goroot` = 1.21.13 → a
/// `goroot-mismatch` on the file's member (where the value lives); when the client's answer
/// changes to the file's value (pulled again on `didChangeConfiguration`), it clears.
#[test]
fn the_clients_go_section_overrides_the_file_value_at_its_member() {
    let s = Scenario::new();
    let (go121, go122) = gos();
    let text = format!("{{\n  \"go.goroot\": \"{}\"\n}}\n", go122.display());
    let settings = s.settings(&text);
    s.shell_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    lsp.config_reply = Some(json!({}));
    lsp.go_reply = Some(json!({"goroot": go121.display().to_string(), "toolsEnvVars": {}}));
    lsp.gopls_reply = Some(json!({"build.env": {}}));
    lsp.initialize(&s, &["utf-16"]);
    let d = lsp.wait_for_code(&settings, "goroot-mismatch");
    // The member's value range in the file.
    assert_eq!(
        d["range"]["start"],
        json!({"line": 1, "character": 15}),
        "{d:#}"
    );
    assert!(
        d["message"].as_str().unwrap().contains(GO121),
        "{}",
        d["message"]
    );
    // `go` and `gopls` are asked for scoped to the folder (its settings apply to it only).
    let request = lsp
        .log
        .iter()
        .find(|m| m["method"] == "workspace/configuration")
        .unwrap();
    let items = request["params"]["items"].as_array().unwrap();
    for section in ["go", "gopls"] {
        assert!(
            items
                .iter()
                .any(|i| i["section"] == section && i["scopeUri"] == file_uri(&s.folder)),
            "{items:#?}"
        );
    }
    lsp.go_reply = Some(json!({"goroot": go122.display().to_string()}));
    lsp.configuration_changed();
    lsp.wait_cleared(&settings, "goroot-mismatch");
    assert!(lsp.shutdown().success());
}

/// `logLevel` from `workspace/configuration` changes the server's log filter at run time: the
/// process starts at `RUST_LOG=go_env_doctor=warn`; `debug` from the configuration shows the
/// checks' debug lines on stderr, `off` silences them again.
#[test]
fn log_level_from_configuration_applies_at_run_time() {
    let (s, env_file) = Scenario::gocache_off();
    let log = s.root.join("server.log");
    let mut lsp = Lsp::spawn_with_stderr(&s, Stdio::from(std::fs::File::create(&log).unwrap()));
    lsp.config_reply = Some(json!({"logLevel": "debug"}));
    lsp.initialize(&s, &["utf-16"]);
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    let checked_lines = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("DEBUG") && l.contains("checked"))
            .count()
    };
    let deadline = Instant::now() + WAIT;
    poll_until(
        WAIT,
        || checked_lines() != 0,
        || format!("no debug line: {}", std::fs::read_to_string(&log).unwrap()),
    );

    lsp.config_reply = Some(json!({"logLevel": "off"}));
    let before = lsp.count("workspace/configuration");
    let lines_before = checked_lines();
    lsp.configuration_changed();
    lsp.wait_until_by(deadline, "configuration not pulled again", |c| {
        c.count("workspace/configuration") != before
    });
    // The re-check that follows the pull publishes again; it logged nothing.
    let published = publish_count(&lsp);
    lsp.wait_until_by(
        deadline,
        "no re-check after the configuration change",
        |c| publish_count(c) != published,
    );
    assert_eq!(
        checked_lines(),
        lines_before,
        "{}",
        std::fs::read_to_string(&log).unwrap()
    );
    assert!(lsp.shutdown().success());
}

/// `untrusted-not-executed` through the server: `.vscode/settings.json` names a `go` inside
/// the workspace (`go.alternateTools.go`, a copy of Go 1.21.13's GOROOT, hard-linked, so it
/// has its VERSION file and layout). Untrusted: an information diagnostic on that member, and
/// the binary never ran. Trusted through `workspace/didChangeConfiguration`: the re-check runs
/// it.
#[test]
fn untrusted_workspace_go_is_inspected_not_run_until_trusted() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scenario::new();
    let (go121, go122) = gos();
    let tools = s.folder.join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    let status = Command::new("cp")
        .arg("-al")
        .arg(&go121)
        .arg(tools.join("go"))
        .status()
        .unwrap();
    assert!(status.success());
    // A FAKE bin/go, on purpose: the point is to prove the untrusted binary is NOT run, so it
    // records every run in a marker file (then hands over to the real Go 1.21.13, so that the
    // trusted re-check sees a real `go env`). The hard link is removed first: writing through
    // it would change the real toolchain.
    let bin_go = tools.join("go/bin/go");
    std::fs::remove_file(&bin_go).unwrap();
    let marker = s.root.join("workspace-go-ran");
    std::fs::write(
        &bin_go,
        format!(
            "#!/bin/sh\necho ran >> '{}'\nexec '{}' \"$@\"\n",
            marker.display(),
            go121.join("bin/go").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&bin_go, std::fs::Permissions::from_mode(0o755)).unwrap();
    let settings = s.settings(&format!(
        "{{\n  \"go.alternateTools\": {{\n    \"go\": \"{}\"\n  }}\n}}\n",
        bin_go.display()
    ));
    s.shell_go(&go122);

    let mut lsp = Lsp::spawn(&s);
    lsp.trusted = false;
    lsp.config_reply = Some(json!({"trusted": false}));
    lsp.initialize(&s, &["utf-16"]);
    let d = lsp.wait_for_code(&settings, "untrusted-not-executed");
    assert_eq!(d["severity"], 3, "{d:#}");
    assert_eq!(
        d["range"]["start"],
        json!({"line": 2, "character": 10}),
        "{d:#}"
    );
    assert!(!marker.exists(), "the untrusted workspace go ran");

    lsp.config_reply = Some(json!({"trusted": true}));
    lsp.configuration_changed();
    lsp.wait_cleared(&settings, "untrusted-not-executed");
    assert!(
        marker.exists(),
        "the trusted re-check did not run the workspace go"
    );
    assert!(lsp.shutdown().success());
}

/// When `.vscode/settings.json` does not exist, a fix that belongs there creates it through a
/// `CreateFile` resource operation followed by the file's text (the client offers
/// `resourceOperations: ["create"]`). The editor runs Go 1.21.13 from PATH; the login shell
/// exports GOROOT for Go 1.22.10: the diagnostic sits on go.mod's `module` line.
#[test]
fn a_fix_creates_the_absent_folder_settings_with_a_create_file_operation() {
    let mut s = Scenario::new();
    let (go121, go122) = gos();
    s.path_go(&go121);
    s.shell_go(&go122);
    append(
        s.home.join(".bashrc"),
        &format!("export GOROOT='{}'\n", go122.display()),
    );
    assert!(!s.settings_path().exists());
    let go_mod = s.folder.join("go.mod");
    let mut lsp = s.start();
    let diag = lsp.wait_for_code(&go_mod, "goroot-mismatch");
    let actions = lsp.code_actions(&file_uri(&go_mod), &diag);
    let preferred = &actions[0];
    assert_eq!(preferred["isPreferred"], true, "{actions:#}");
    let changes = preferred["edit"]["documentChanges"].as_array().unwrap();
    let settings = s.settings_path();
    assert_eq!(changes[0]["kind"], "create", "{changes:#?}");
    assert_eq!(changes[0]["uri"], file_uri(&settings));
    assert_eq!(changes[1]["textDocument"]["uri"], file_uri(&settings));
    // What the client does: create the file, then apply the edit to its (empty) text.
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    let edits = changes[1]["edits"].as_array().unwrap();
    let text = apply("", edits, "utf-16");
    std::fs::write(&settings, &text).unwrap();
    snapshot(
        "lsp__created_folder_settings",
        &Snapped {
            world: "The .vscode/settings.json that the preferred fix creates (a CreateFile, then \
                    its edit applied to the empty text). Test \
                    stdio::a_fix_creates_the_absent_folder_settings_with_a_create_file_operation \
                    (tests/lsp/stdio.rs): no settings file; the editor runs Go 1.21.13 from \
                    PATH, the bash login shell exports GOROOT for Go 1.22.10; the \
                    goroot-mismatch diagnostic sits on go.mod's module line."
                .to_string(),
            info: None,
        },
        &s.filter(&text),
    );
    lsp.file_changed(&settings, 1);
    lsp.wait_cleared(&go_mod, "goroot-mismatch");
    assert!(lsp.shutdown().success());
}

/// A `go` setting only the client holds (Neovim's `settings = { go = { goroot = … } }`, a VS
/// Code profile): no `.vscode/settings.json` at all, the client answers the `go` section with
/// Go 1.21.13's root while the login shell runs 1.22.10. The value is the editor's effective
/// GOROOT: `goroot-mismatch` sits on go.mod's `module` line, its message names the client
/// setting, and no fix edits a settings file (a file cannot override the client's answer).
/// Answering the shell's root instead clears it.
#[test]
fn a_client_only_go_setting_counts_and_is_shown_on_the_module_line() {
    let s = Scenario::new();
    let (go121, go122) = gos();
    s.shell_go(&go122);
    assert!(!s.settings_path().exists());
    let go_mod = s.folder.join("go.mod");
    let mut lsp = Lsp::spawn(&s);
    lsp.config_reply = Some(json!({}));
    lsp.go_reply = Some(json!({"goroot": go121.display().to_string()}));
    lsp.initialize(&s, &["utf-16"]);
    let diag = lsp.wait_for_code(&go_mod, "goroot-mismatch");
    let message = diag["message"].as_str().unwrap();
    println!("goroot-mismatch: {message}");
    // go.mod's `module` line (the module path), nothing else to point at.
    assert_eq!(diag["range"]["start"]["line"], 0, "{diag:#}");
    // No settings file is related: only the startup line that gives the shell its `go`.
    let bashrc = file_uri(&s.home.join(".bashrc"));
    let related = diag["relatedInformation"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        related.iter().all(|r| r["location"]["uri"] == bashrc),
        "{diag:#}"
    );
    for want in [
        GO121,
        GO122,
        "from go.goroot in VS Code's configuration, not in any settings file",
    ] {
        assert!(message.contains(want), "{want:?} missing: {message}");
    }
    let actions = lsp.code_actions(&file_uri(&go_mod), &diag);
    let settings_uri = file_uri(&s.settings_path());
    let touches_settings = actions
        .as_array()
        .into_iter()
        .flatten()
        .any(|a| a.to_string().contains(&settings_uri));
    assert!(!touches_settings, "{actions:#}");
    assert!(!s.settings_path().exists());
    // The report names the client setting as the editor's GOROOT origin (it also holds the
    // findings the LSP cannot place: with no go.mod/go.work they have no file to go on).
    let report = lsp.report();
    let report = report.as_str().unwrap();
    println!("{report}");
    for want in [
        "editor config go.goroot",
        "Change go.goroot in VS Code's configuration",
        "[goroot-mismatch]",
    ] {
        assert!(report.contains(want), "{want:?} missing: {report}");
    }

    lsp.go_reply = Some(json!({"goroot": go122.display().to_string()}));
    lsp.configuration_changed();
    lsp.wait_cleared(&go_mod, "goroot-mismatch");
    assert!(lsp.shutdown().success());
}

// =============================================================================================
// The quick fixes that run commands (`goEnvDoctor.goEnvWrite`, `goEnvDoctor.createDirectory`)
// and several workspace folders at once.
// =============================================================================================

impl Scenario {
    /// Another workspace folder `root/name` with a `go.mod` (`go 1.21`) whose
    /// `.vscode/settings.json` pins Go 1.21.13 (`go.goroot` on line 2); returns the folder and
    /// its settings file.
    fn folder_pinning_go121(&self, name: &str) -> (PathBuf, PathBuf) {
        let folder = self.root.join(name);
        std::fs::create_dir_all(folder.join(".vscode")).unwrap();
        std::fs::write(
            folder.join("go.mod"),
            format!("module example.com/{name}\n\ngo 1.21\n"),
        )
        .unwrap();
        let settings = folder.join(".vscode/settings.json");
        std::fs::write(
            &settings,
            format!(
                "{{\n  \"go.goroot\": \"{}\"\n}}\n",
                support::goroot(GO121).display()
            ),
        )
        .unwrap();
        (folder, settings)
    }
}

/// The action among `actions` whose command is `command` (there must be one).
fn action_with_command<'a>(actions: &'a Value, command: &str) -> &'a Value {
    actions
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["command"]["command"] == command)
        .unwrap_or_else(|| panic!("no {command} action among {actions:#}"))
}

/// Runs a code action's command exactly as a client does: `workspace/executeCommand` with the
/// action's command name and arguments, untouched.
fn run_action_command(lsp: &mut Lsp, action: &Value) -> Value {
    let command = &action["command"];
    lsp.execute(
        command["command"].as_str().unwrap(),
        command["arguments"].clone(),
    )
}

/// Published diagnostics (non-empty lists) of files under `folder`.
fn diagnostics_under(lsp: &Lsp, folder: &Path) -> Vec<(String, Vec<String>)> {
    let prefix = format!("{}/", file_uri(folder));
    lsp.diagnostics
        .iter()
        .filter(|(uri, d)| uri.starts_with(&prefix) && !d.is_empty())
        .map(|(uri, d)| (uri.clone(), codes(d)))
        .collect()
}

/// The report as data (`goEnvDoctor.report` with `{"format": "json"}`).
fn structured_report(lsp: &mut Lsp) -> Value {
    lsp.execute("goEnvDoctor.report", json!([{"format": "json"}]))
}

/// The JSON report of `folder` in a structured report, if that folder was checked.
fn folder_report(report: &Value, folder: &Path) -> Option<Value> {
    report["folders"]
        .as_array()?
        .iter()
        .find(|f| f["folder"] == json!(folder))
        .cloned()
}

/// The finding codes of a folder's JSON report.
fn report_codes(folder: &Value) -> Vec<String> {
    folder["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str().map(String::from))
        .collect()
}

/// Asks for the structured report until `done` accepts it, within [`WAIT`]; returns it.
fn wait_report(lsp: &mut Lsp, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let report = structured_report(lsp);
        if done(&report) {
            return report;
        }
        assert!(Instant::now() < deadline, "{what}:\n{report:#}");
        lsp.pump(Duration::from_millis(20));
    }
}

/// `toolchain-too-old` with GOTOOLCHAIN=local from the go env file: go.mod says `go 1.23.0`,
/// both sides run Go 1.22.10. The quick fix "Run `go env -w GOTOOLCHAIN=auto`" is a
/// `goEnvDoctor.goEnvWrite` command; executed as a client would, the real `go env -w` rewrites
/// the env file and the server re-checks by itself: the too-old error is gone, and what
/// remains is that go now downloads go1.23.0 (`toolchain-will-download` on the same line).
#[test]
fn go_env_write_quick_fix_sets_gotoolchain_auto_and_rechecks() {
    let mut s = Scenario::new();
    let go_mod = s.folder.join("go.mod");
    std::fs::write(&go_mod, "module example.com/hello\n\ngo 1.23.0\n").unwrap();
    let env_file = s.env_file("GOTOOLCHAIN=local\n");
    s.both_go(&support::goroot(GO122));
    let mut lsp = s.start();
    let diag = lsp.wait_for_code(&go_mod, "toolchain-too-old");
    // On go.mod's `go` line.
    assert_eq!(diag["range"]["start"]["line"], 2, "{diag:#}");
    let message = diag["message"].as_str().unwrap();
    assert!(
        message.contains("1.23.0") && message.contains("GOTOOLCHAIN=local"),
        "{message}"
    );

    let actions = lsp.code_actions(&file_uri(&go_mod), &diag);
    let write = action_with_command(&actions, "goEnvDoctor.goEnvWrite");
    assert_eq!(
        write["title"], "Run `go env -w GOTOOLCHAIN=auto`",
        "{write:#}"
    );
    assert_eq!(write["kind"], "quickfix");
    let args = &write["command"]["arguments"][0];
    assert_eq!(args["key"], "GOTOOLCHAIN", "{write:#}");
    assert_eq!(args["value"], "auto", "{write:#}");

    let out = run_action_command(&mut lsp, write);
    assert!(out.is_null(), "{out:#}");
    let text = std::fs::read_to_string(&env_file).unwrap();
    assert!(
        text.lines().any(|l| l == "GOTOOLCHAIN=auto"),
        "go env -w did not write GOTOOLCHAIN=auto: {text:?}"
    );
    assert!(!text.contains("GOTOOLCHAIN=local"), "{text:?}");

    // Re-checked without the client sending anything else.
    let after = lsp.wait_cleared(&go_mod, "toolchain-too-old");
    let download = find_code(&after, "toolchain-will-download");
    assert_eq!(download["range"]["start"]["line"], 2, "{download:#}");
    let message = download["message"].as_str().unwrap();
    assert!(
        message.contains("go1.23.0") && message.contains("GOTOOLCHAIN=auto"),
        "{message}"
    );
    assert!(lsp.shutdown().success());
}

/// GOCACHE (from the go env file) is a symlink `HOME/cache-link` → `HOME/missing/go-build`
/// that points nowhere: `gocache-not-a-directory` on the env-file line, whose first fix creates
/// the symlink's target through `goEnvDoctor.createDirectory`. Executed as a client would, the
/// directory exists afterwards (the link resolves) and the re-check clears the finding.
#[test]
fn create_directory_quick_fix_repairs_a_dangling_gocache_symlink() {
    let mut s = Scenario::new();
    let link = s.home.join("cache-link");
    let target = s.home.join("missing/go-build");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let env_file = s.env_file(&format!("GOCACHE={}\n", link.display()));
    s.both_go(&support::goroot(GO122));
    let mut lsp = s.start();
    let diag = lsp.wait_for_code(&env_file, "gocache-not-a-directory");
    assert_eq!(diag["range"]["start"]["line"], 0, "{diag:#}");
    assert!(
        diag["message"]
            .as_str()
            .unwrap()
            .contains(&target.display().to_string()),
        "{diag:#}"
    );

    let actions = lsp.code_actions(&file_uri(&env_file), &diag);
    let create = action_with_command(&actions, "goEnvDoctor.createDirectory");
    assert_eq!(
        create["title"],
        format!("Create the directory {}", target.display()),
        "{actions:#}"
    );
    assert_eq!(
        actions[0]["title"], create["title"],
        "creating the target goes first: {actions:#}"
    );
    assert_eq!(
        create["command"]["arguments"][0]["path"],
        target.display().to_string()
    );
    assert!(!target.exists());

    let out = run_action_command(&mut lsp, create);
    assert!(out.is_null(), "{out:#}");
    assert!(target.is_dir(), "{} was not created", target.display());
    assert!(link.is_dir(), "the GOCACHE symlink still points nowhere");
    lsp.wait_cleared(&env_file, "gocache-not-a-directory");
    assert!(lsp.shutdown().success());
}

/// Several workspace folders, at start and at run time: a healthy folder and one whose
/// settings pin Go 1.21.13 (the shell runs 1.22.10) → `goroot-mismatch` on the second folder's
/// settings only. Removing that folder clears its diagnostics (an empty publish) and drops it
/// from the report; adding a third folder with the same pin brings its diagnostic.
#[test]
fn workspace_folders_at_start_and_added_or_removed_at_run_time() {
    let mut s = Scenario::new();
    s.both_go(&support::goroot(GO122));
    s.gopls_on_path();
    let healthy = s.folder.clone();
    let (pinned, pinned_settings) = s.folder_pinning_go121("pinned");
    let (later, later_settings) = s.folder_pinning_go121("later");

    let mut lsp = Lsp::spawn(&s);
    let init = lsp.initialize_with_folders(
        &s,
        &["utf-16"],
        &[(&healthy, "healthy"), (&pinned, "pinned")],
    );
    let folders = &init["capabilities"]["workspace"]["workspaceFolders"];
    assert_eq!(folders["supported"], true, "{init:#}");
    assert_eq!(folders["changeNotifications"], true, "{init:#}");

    let d = lsp.wait_for_code(&pinned_settings, "goroot-mismatch");
    assert_eq!(d["range"]["start"]["line"], 1, "{d:#}");
    assert!(d["message"].as_str().unwrap().contains(GO121), "{d:#}");
    // Both folders were checked in that run; the healthy one has nothing.
    let report = structured_report(&mut lsp);
    assert!(folder_report(&report, &healthy).is_some(), "{report:#}");
    assert!(folder_report(&report, &pinned).is_some(), "{report:#}");
    assert_eq!(diagnostics_under(&lsp, &healthy), vec![]);
    assert!(!lsp.diagnostics.contains_key(&file_uri(&later_settings)));

    // The user removes the pinned folder: its diagnostics are cleared.
    lsp.change_workspace_folders(&[], &[(&pinned, "pinned")]);
    lsp.wait_diagnostics(&pinned_settings, |d| d.is_empty());
    let report = structured_report(&mut lsp);
    assert!(folder_report(&report, &pinned).is_none(), "{report:#}");
    assert!(folder_report(&report, &healthy).is_some(), "{report:#}");

    // …and adds another folder with the same pin: its diagnostic appears.
    lsp.change_workspace_folders(&[(&later, "later")], &[]);
    let d = lsp.wait_for_code(&later_settings, "goroot-mismatch");
    assert!(d["message"].as_str().unwrap().contains(GO121), "{d:#}");
    assert_eq!(diagnostics_under(&lsp, &pinned), vec![]);
    assert_eq!(diagnostics_under(&lsp, &healthy), vec![]);
    let report = structured_report(&mut lsp);
    assert!(folder_report(&report, &later).is_some(), "{report:#}");
    assert!(folder_report(&report, &pinned).is_none(), "{report:#}");
    assert!(lsp.shutdown().success());
}

/// `goEnvDoctor.report` with two workspace folders: one section per folder, each naming its
/// path, and the pinned folder's GOROOT mismatch in its own section, not the healthy one's.
#[test]
fn report_lists_every_workspace_folder_with_its_own_findings() {
    let mut s = Scenario::new();
    s.both_go(&support::goroot(GO122));
    let healthy = s.folder.clone();
    let (pinned, pinned_settings) = s.folder_pinning_go121("pinned");
    let mut lsp = Lsp::spawn(&s);
    lsp.initialize_with_folders(
        &s,
        &["utf-16"],
        &[(&healthy, "healthy"), (&pinned, "pinned")],
    );
    lsp.wait_diagnostics(&pinned_settings, has_code("goroot-mismatch"));
    let report = lsp.report();
    let report = report.as_str().unwrap();
    println!("{report}");
    assert!(report.starts_with("# go-env-doctor report"), "{report}");
    for folder in [&healthy, &pinned] {
        assert!(
            report.contains(&folder.display().to_string()),
            "{} missing: {report}",
            folder.display()
        );
    }
    // The same, as data.
    let data = structured_report(&mut lsp);
    let healthy_part = folder_report(&data, &healthy).expect("no report for the healthy folder");
    let pinned_part = folder_report(&data, &pinned).expect("no report for the pinned folder");
    assert!(
        report_codes(&pinned_part).contains(&"goroot-mismatch".to_string()),
        "{pinned_part:#}"
    );
    assert!(
        !report_codes(&healthy_part).contains(&"goroot-mismatch".to_string()),
        "{healthy_part:#}"
    );
    assert!(lsp.shutdown().success());
}

/// A client that answers `workspace/configuration` (VS Code): a folder added at run time gets
/// its own `go` / `gopls` sections asked for, scoped to it, before its check; its pinned GOROOT
/// then shows as `goroot-mismatch`, and the first folder stays clean.
#[test]
fn an_added_folder_is_configured_for_itself_then_checked() {
    let mut s = Scenario::new();
    s.both_go(&support::goroot(GO122));
    s.gopls_on_path();
    let (added, added_settings) = s.folder_pinning_go121("added");
    let mut lsp = Lsp::spawn(&s);
    lsp.config_reply = Some(json!({}));
    lsp.initialize(&s, &["utf-16"]);
    lsp.wait_first_check();
    let scoped_to = |m: &Value, folder: &Path| {
        m["method"] == "workspace/configuration"
            && m["params"]["items"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|i| i["section"] == "go" && i["scopeUri"] == file_uri(folder))
    };
    assert!(!lsp.log.iter().any(|m| scoped_to(m, &added)));

    lsp.change_workspace_folders(&[(&added, "added")], &[]);
    let d = lsp.wait_for_code(&added_settings, "goroot-mismatch");
    assert!(d["message"].as_str().unwrap().contains(GO121), "{d:#}");
    assert!(
        lsp.log.iter().any(|m| scoped_to(m, &added)),
        "the added folder's `go` section was never asked for"
    );
    assert_eq!(diagnostics_under(&lsp, &s.folder), vec![]);
    let report = structured_report(&mut lsp);
    assert!(folder_report(&report, &s.folder).is_some(), "{report:#}");
    assert!(folder_report(&report, &added).is_some(), "{report:#}");
    assert!(lsp.shutdown().success());
}

/// The go env file is the user's, shared by every folder: with two folders it carries ONE
/// `gocache-off` diagnostic (not one per folder), and removing one folder keeps it — the
/// other folder still sees `GOCACHE=off`. Removing the last folder clears it.
#[test]
fn a_shared_env_file_finding_is_published_once_and_outlives_one_folder() {
    let (s, env_file) = Scenario::gocache_off();
    let first = s.folder.clone();
    let second = s.root.join("second");
    std::fs::create_dir_all(&second).unwrap();
    std::fs::write(
        second.join("go.mod"),
        "module example.com/second\n\ngo 1.21\n",
    )
    .unwrap();
    let mut lsp = Lsp::spawn(&s);
    lsp.initialize_with_folders(&s, &["utf-16"], &[(&first, "first"), (&second, "second")]);
    let diags = lsp.wait_diagnostic(&env_file, "gocache-off");
    let report = structured_report(&mut lsp);
    for folder in [&first, &second] {
        let part = folder_report(&report, folder).unwrap_or_else(|| panic!("{report:#}"));
        assert!(
            report_codes(&part).contains(&"gocache-off".to_string()),
            "{part:#}"
        );
    }
    assert_eq!(
        codes(&diags),
        ["gocache-off"],
        "one diagnostic per env-file line, whatever the number of folders: {diags:#?}"
    );

    let removed_at = lsp.log.len();
    lsp.change_workspace_folders(&[], &[(&first, "first")]);
    let report = wait_report(&mut lsp, "the removed folder is still reported", |r| {
        folder_report(r, &first).is_none()
    });
    assert!(folder_report(&report, &second).is_some(), "{report:#}");
    // One more check of what is left, now that the removal's check is done (a re-check's
    // publishes arrive before its response).
    let out = lsp.execute("goEnvDoctor.recheck", json!([]));
    assert!(out.is_null(), "{out:#}");
    let env_uri = file_uri(&env_file);
    let since: Vec<&Value> = lsp.log[removed_at..]
        .iter()
        .filter(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == env_uri
        })
        .collect();
    assert!(!since.is_empty(), "the re-check published nothing");
    for m in since {
        let d = m["params"]["diagnostics"].as_array().unwrap();
        assert_eq!(
            codes(d),
            ["gocache-off"],
            "the remaining folder still reads GOCACHE=off: {m:#}"
        );
    }

    lsp.change_workspace_folders(&[], &[(&second, "second")]);
    lsp.wait_diagnostics(&env_file, |d| d.is_empty());
    assert!(lsp.shutdown().success());
}

/// Vim's ALE sends the diagnostic back without our `data`, and some clients send no
/// diagnostics at all: the fixes come from what the server published for that range.
#[test]
fn code_actions_without_data_or_diagnostics_come_from_the_published_ones() {
    let (s, settings, _disk) = Scenario::settings_pin_go121();
    let mut lsp = s.start();
    let diag = lsp.wait_for_code(&settings, "goroot-mismatch");
    let uri = file_uri(&settings);
    let with_data = lsp.code_actions(&uri, &diag);
    let mut bare = diag.clone();
    bare.as_object_mut().unwrap().remove("data");
    let without_data = lsp.code_actions(&uri, &bare);
    let titles = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|x| x["title"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(!titles(&with_data).is_empty(), "{with_data:#}");
    assert_eq!(
        titles(&without_data),
        titles(&with_data),
        "{without_data:#}"
    );
    let none_sent = lsp.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": diag["range"], "context": {"diagnostics": []}}),
    );
    assert_eq!(titles(&none_sent), titles(&with_data), "{none_sent:#}");
    assert!(lsp.shutdown().success());
}

/// A client that does not advertise Markdown hovers (eglot without markdown-mode) gets plain
/// text: no table pipes, no backquotes, the same facts.
#[test]
fn hover_is_plain_text_for_a_client_without_markdown() {
    let (s, settings, _disk) = Scenario::settings_pin_go121();
    let (go121, go122) = gos();
    let mut lsp = Lsp::spawn(&s);
    lsp.initialize_folders(
        &[(&s.folder, "ws")],
        json!({"textDocument": {"hover": {"contentFormat": ["plaintext"]}}}),
        json!({"shell": support::shell("bash"), "trusted": true, "userSettings": s.user_settings}),
    );
    let diag = lsp.wait_for_code(&settings, "goroot-mismatch");
    let hover = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&settings)}, "position": diag["range"]["start"]}),
    );
    assert_eq!(hover["contents"]["kind"], "plaintext", "{hover:#}");
    let text = hover["contents"]["value"].as_str().unwrap();
    for part in [
        "GOROOT",
        "go1.21.13",
        "go1.22.10",
        "origin",
        &go121.display().to_string(),
        &go122.display().to_string(),
    ] {
        assert!(text.contains(part), "hover lacks {part:?}:\n{text}");
    }
    assert!(
        !text.contains('|') && !text.contains('`') && !text.contains("**"),
        "{text}"
    );
    assert!(lsp.shutdown().success());
}

// =============================================================================================
// Clients that are neither VS Code nor GoLand: their editor side is their own environment.
// =============================================================================================

/// Starts the server as a client that sends no `clientInfo` (eglot 1.9, ALE) and names itself
/// `editor` in `initializationOptions` (`None`: says nothing at all).
fn start_as(s: &Scenario, editor: Option<&str>) -> Lsp {
    let mut lsp = Lsp::spawn(s);
    lsp.client_info = None;
    let mut init = json!({
        "shell": support::shell("bash"),
        "trusted": true,
        "userSettings": s.user_settings,
    });
    if let Some(name) = editor {
        init["editor"] = json!(name);
    }
    lsp.initialize_folders(&[(&s.folder, "ws")], json!({}), init);
    lsp
}

/// Emacs started outside a login shell runs Go 1.21.13; the login shell runs 1.22.10. The
/// finding names Emacs; `.vscode/settings.json` naming the shell's Go (which Emacs never
/// reads) must not hide it; no action edits that file for Emacs; the action Emacs gets shows
/// the lines that give it the shell's environment, and with them the finding is gone.
#[test]
fn emacs_gets_its_own_side_and_a_fix_that_works_in_emacs() {
    let mut s = Scenario::new();
    let (go121, go122) = gos();
    s.path_go(&go121);
    s.shell_go(&go122);
    // The false fix of old: VS Code's settings point at the shell's Go.
    s.settings(&format!("{{\"go.goroot\": \"{}\"}}\n", go122.display()));
    let go_mod = s.folder.join("go.mod");
    let mut lsp = start_as(&s, Some("Emacs"));
    let diag = lsp.wait_diagnostics(&go_mod, |d| {
        d.iter().any(|d| {
            d["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("Emacs"))
        })
    });
    let ours: Vec<&Value> = diag
        .iter()
        .filter(|d| {
            d["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("Emacs"))
        })
        .collect();
    let first = ours[0];
    let msg = first["message"].as_str().unwrap();
    assert!(msg.contains(GO121) && msg.contains(GO122), "{msg}");
    assert!(
        !diag
            .iter()
            .any(|d| d["message"].as_str().unwrap_or("").contains("VS Code runs")),
        "{diag:#?}"
    );

    let actions = lsp.code_actions(&file_uri(&go_mod), first);
    let list = actions.as_array().cloned().unwrap_or_default();
    assert!(
        !list.iter().any(|a| a.to_string().contains("settings.json")),
        "an action edits a file Emacs never reads: {actions:#}"
    );
    let setup = list
        .iter()
        .find(|a| a["command"]["command"] == "goEnvDoctor.editorSetup")
        .unwrap_or_else(|| panic!("no editor-setup action: {actions:#}"));
    assert!(
        setup["title"].as_str().unwrap().contains("Emacs"),
        "{setup:#}"
    );
    let result = lsp.execute(
        "goEnvDoctor.editorSetup",
        setup["command"]["arguments"].clone(),
    );
    assert_eq!(result["editor"], "Emacs", "{result:#}");
    let text = result["text"].as_str().unwrap();
    assert!(text.contains("(setenv \"PATH\""), "{text}");
    assert!(text.contains(&format!("{}/bin", go122.display())), "{text}");
    assert!(lsp.shutdown().success());

    // Emacs evaluates the lines and restarts the server: it inherits the new PATH.
    let path = text
        .lines()
        .find_map(|l| l.strip_prefix("(setenv \"PATH\" \"")?.strip_suffix("\")"))
        .expect("a PATH line")
        .to_string();
    s.env.insert("PATH".into(), path);
    let mut lsp = start_as(&s, Some("Emacs"));
    lsp.wait_first_check();
    lsp.pump(Duration::from_millis(300));
    let after = lsp
        .diagnostics
        .get(&file_uri(&go_mod))
        .cloned()
        .unwrap_or_default();
    assert!(
        !after
            .iter()
            .any(|d| d["message"].as_str().unwrap_or("").starts_with("Emacs")),
        "the finding stayed after Emacs took the shell's environment: {after:#?}"
    );
    let report = lsp.report();
    let report = report.as_str().unwrap();
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("editor") && l.contains("Emacs") && l.contains(GO122)),
        "Emacs does not run the shell's Go now:\n{report}"
    );
    assert!(lsp.shutdown().success());
}

/// A client that says nothing about itself is "your editor", never "VS Code".
#[test]
fn an_unknown_client_is_not_called_vs_code() {
    let mut s = Scenario::new();
    let (go121, go122) = gos();
    s.path_go(&go121);
    s.shell_go(&go122);
    let go_mod = s.folder.join("go.mod");
    let mut lsp = start_as(&s, None);
    let diags = lsp.wait_diagnostics(&go_mod, |d| !d.is_empty());
    for d in &diags {
        let m = d["message"].as_str().unwrap();
        assert!(!m.contains("VS Code"), "{m}");
    }
    assert!(
        diags
            .iter()
            .any(|d| d["message"].as_str().unwrap().starts_with("Your editor")),
        "{diags:#?}"
    );
    assert!(lsp.shutdown().success());
}

/// A nested go.mod created, edited in the editor and deleted is re-diagnosed from the cached
/// probes: the walk runs again for a new file, an open buffer counts at each keystroke, and no
/// process starts for any of it.
#[test]
fn a_nested_go_mod_created_edited_and_deleted_is_rediagnosed_without_a_process() {
    let s = Scenario::go122_local();
    let mut lsp = s.start();
    let out = lsp.execute("goEnvDoctor.recheck", json!([]));
    assert!(out.is_null(), "{out:#}");
    let pid = lsp.child.id();
    wait_probe_cached(&mut lsp, &s);
    let faults_before = reaped_children_faults(pid);

    let nested = s.folder.join("svc/a/go.mod");
    std::fs::create_dir_all(nested.parent().unwrap()).unwrap();
    let needs_new = "module example.com/svc/a\n\ngo 1.99.0\n";
    std::fs::write(&nested, needs_new).unwrap();
    lsp.file_changed(&nested, 1);
    let d = lsp.wait_for_code(&nested, "toolchain-too-old");
    assert_eq!(d["range"]["start"]["line"], 2, "{d:#}");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("svc/a/go.mod requires go >= 1.99.0"),
        "{d:#}"
    );

    // Typing a Go the sides have clears it before any save; closing unsaved brings it back.
    let uri = file_uri(&nested);
    lsp.open_document(&uri, "go.mod", 1, needs_new);
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"text": needs_new.replace("1.99.0", "1.21")}]}),
    );
    lsp.wait_cleared(&nested, "toolchain-too-old");
    lsp.close_document(&uri);
    lsp.wait_for_code(&nested, "toolchain-too-old");

    std::fs::remove_file(&nested).unwrap();
    lsp.file_changed(&nested, 3);
    lsp.wait_cleared(&nested, "toolchain-too-old");
    assert_eq!(
        reaped_children_faults(pid),
        faults_before,
        "the server ran a process for a go.mod change"
    );
    assert!(lsp.shutdown().success());
}

/// Two folders under one go.work: its problem is one diagnostic, not one per folder.
#[test]
fn a_go_work_shared_by_two_folders_is_reported_once() {
    let mut s = Scenario::new();
    s.both_go(&support::goroot(GO122));
    let first = s.folder.clone();
    let second = s.root.join("second");
    std::fs::create_dir_all(&second).unwrap();
    std::fs::write(
        second.join("go.mod"),
        "module example.com/second\n\ngo 1.21\n",
    )
    .unwrap();
    let work = s.root.join("go.work");
    std::fs::write(&work, "go 1.21\n\nuse (\n\t./ws\n\t./second\n\t./gone\n)\n").unwrap();
    let mut lsp = Lsp::spawn(&s);
    lsp.initialize_with_folders(&s, &["utf-16"], &[(&first, "first"), (&second, "second")]);
    let diags = lsp.wait_diagnostic(&work, "gowork-use-missing");
    let out = lsp.execute("goEnvDoctor.recheck", json!([]));
    assert!(out.is_null(), "{out:#}");
    let diags = lsp
        .diagnostics
        .get(&file_uri(&work))
        .cloned()
        .unwrap_or(diags);
    assert_eq!(codes(&diags), ["gowork-use-missing"], "{diags:#?}");
    assert_eq!(diags[0]["range"]["start"]["line"], 5, "{diags:#?}");

    // The quick fix removes the dead `use` line from the go.work (CRLF kept), and the real go
    // then loads the workspace.
    let crlf = "go 1.21\r\n\r\nuse (\r\n\t./ws\r\n\t./second\r\n\t./gone\r\n)\r\n";
    std::fs::write(&work, crlf).unwrap();
    lsp.file_changed(&work, 2);
    let out = lsp.execute("goEnvDoctor.recheck", json!([]));
    assert!(out.is_null(), "{out:#}");
    let diag = lsp.wait_for_code(&work, "gowork-use-missing");
    let actions = lsp.code_actions(&file_uri(&work), &diag);
    let action = &actions[0];
    assert_eq!(
        action["title"],
        format!("Remove `use ./gone` from {}", work.display()),
        "{actions:#}"
    );
    let change = &action["edit"]["documentChanges"][0];
    let fixed = apply(crlf, change["edits"].as_array().unwrap(), "utf-16");
    assert_eq!(
        fixed,
        "go 1.21\r\n\r\nuse (\r\n\t./ws\r\n\t./second\r\n)\r\n"
    );
    std::fs::write(&work, &fixed).unwrap();
    lsp.file_changed(&work, 2);
    lsp.wait_cleared(&work, "gowork-use-missing");
    let go = Command::new(support::go_binary(GO122))
        .env_clear()
        .envs(&s.env)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .args(["list", "-m"])
        .current_dir(&s.root)
        .output()
        .unwrap();
    assert!(
        go.status.success(),
        "{}",
        String::from_utf8_lossy(&go.stderr)
    );
    assert!(lsp.shutdown().success());
}

/// gopls' `directoryFilters` as the client answers them (Neovim's `settings.gopls`): an
/// excluded tree's modules are not checked, and changing the answer brings them back.
#[test]
fn the_clients_gopls_directory_filters_exclude_modules() {
    let s = Scenario::go122_local();
    let legacy = s.folder.join("legacy/old/go.mod");
    std::fs::create_dir_all(legacy.parent().unwrap()).unwrap();
    std::fs::write(&legacy, "module example.com/old\n\ngo 1.99.0\n").unwrap();
    let mut lsp = Lsp::spawn(&s);
    lsp.config_reply = Some(json!({}));
    lsp.gopls_reply = Some(json!({"build.directoryFilters": ["-**/node_modules", "-legacy"]}));
    lsp.initialize(&s, &["utf-16"]);
    let out = lsp.execute("goEnvDoctor.recheck", json!([]));
    assert!(out.is_null(), "{out:#}");
    assert!(
        lsp.diagnostics
            .get(&file_uri(&legacy))
            .is_none_or(|d| d.is_empty()),
        "{:#?}",
        lsp.diagnostics
    );
    // The client's answer changes: legacy/ is part of the workspace again.
    lsp.gopls_reply = Some(json!({"build.directoryFilters": []}));
    lsp.configuration_changed();
    lsp.wait_for_code(&legacy, "toolchain-too-old");
    assert!(lsp.shutdown().success());
}

/// A client that asks for it (VS Code's extension) gets `goEnvDoctor/serverStatus` after each
/// publish — health, counts, each side's Go — and `goEnvDoctor.report` with `{"format":
/// "json"}` returns the report as data: no client reads the human text.
#[test]
fn server_status_notifications_and_the_structured_report() {
    let (s, settings, _disk) = Scenario::settings_pin_go121();
    let (go121, go122) = gos();
    let mut lsp = Lsp::spawn(&s);
    let capabilities = json!({
        "general": {"positionEncodings": ["utf-16"]},
        "workspace": {"workspaceFolders": true, "configuration": false}
    });
    let init_options = json!({
        "shell": support::shell("bash"),
        "shellTimeoutSeconds": 30,
        "trusted": true,
        "userSettings": s.user_settings,
        "serverStatus": true,
    });
    lsp.initialize_folders(&[(&s.folder, "ws")], capabilities, init_options);
    lsp.wait_for_code(&settings, "goroot-mismatch");
    let status = lsp.wait_logged("no goEnvDoctor/serverStatus", |m| {
        m["method"] == "goEnvDoctor/serverStatus"
    })["params"]
        .clone();
    assert_eq!(status["health"], "error", "{status:#}");
    assert!(status["errors"].as_u64().unwrap() >= 1, "{status:#}");
    let folder = &status["folders"][0];
    assert_eq!(folder["folder"], json!(s.folder), "{status:#}");
    let sides = folder["sides"].as_array().unwrap();
    let editor = sides.iter().find(|x| x["role"] == "editor").unwrap();
    let shell = sides.iter().find(|x| x["role"] == "shell").unwrap();
    assert_eq!(editor["label"], "VS Code");
    assert_eq!(editor["goVersion"], "go1.21.13");
    assert_eq!(editor["goroot"], json!(go121.display().to_string()));
    assert_eq!(shell["goVersion"], "go1.22.10");
    assert_eq!(shell["goroot"], json!(go122.display().to_string()));
    assert_eq!(folder["modules"], 1);

    let report = lsp.execute("goEnvDoctor.report", json!([{"format": "json"}]));
    assert!(
        report["markdown"]
            .as_str()
            .unwrap()
            .starts_with("# go-env-doctor report"),
        "{report:#}"
    );
    let findings = report["folders"][0]["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f["code"] == "goroot-mismatch"),
        "{report:#}"
    );
    assert_eq!(report["status"], status, "{report:#}");
    // Without the option, no such notification (other clients would log an unknown method).
    let (s2, settings2, _) = Scenario::settings_pin_go121();
    let mut plain = s2.start();
    plain.wait_for_code(&settings2, "goroot-mismatch");
    assert_eq!(plain.count("goEnvDoctor/serverStatus"), 0);
    assert!(plain.shutdown().success());
    assert!(lsp.shutdown().success());
}

/// `tool-missing` in a VS Code client and its quick fix, for real: `goEnvDoctor.installTool`
/// runs `go install` with the server's (the editor's) real Go 1.22.10, between `$/progress`
/// begin and end, into the directory VS Code searches; the re-check clears the diagnostic.
/// No network here: what it installs is a LOCAL STAND-IN with gopls's module path, served by a
/// `file://` GOPROXY (`support::modproxy`). A command whose arguments no finding offers is
/// refused.
#[test]
fn missing_gopls_quick_fix_installs_it_with_progress() {
    let mut s = Scenario::new();
    s.both_go(&support::goroot(GO122));
    let proxy = s.root.join("proxy");
    support::modproxy::main_module(&proxy, "golang.org/x/tools/gopls", "v0.99.0", "stand-in");
    s.env_file(&format!(
        "GOPROXY=file://{}\nGONOSUMDB=golang.org/x/tools/gopls\nGOFLAGS=-modcacherw\n",
        proxy.display()
    ));
    let go_mod = s.folder.join("go.mod");
    let gobin = s.home.join("go/bin");
    let mut lsp = s.start();
    let diag = lsp.wait_for_code(&go_mod, "tool-missing");
    assert!(
        diag["message"]
            .as_str()
            .unwrap()
            .starts_with("VS Code runs gopls as its language server"),
        "{diag:#}"
    );
    let actions = lsp.code_actions(&file_uri(&go_mod), &diag);
    let install = action_with_command(&actions, "goEnvDoctor.installTool");
    let expected = format!(
        "Install gopls into ~/go/bin: `GOBIN={} go install golang.org/x/tools/gopls@latest`",
        gobin.display()
    );
    assert_eq!(install["title"], expected, "{actions:#}");
    let command = install["command"].clone();
    assert_eq!(
        command["arguments"][0]["kind"], "install-tool",
        "{command:#}"
    );

    // Arguments no finding offers (another package) are refused, and nothing runs.
    let mut forged = command["arguments"].clone();
    forged[0]["package"] = json!("example.com/evil");
    let refused = lsp.call(
        "workspace/executeCommand",
        json!({"command": "goEnvDoctor.installTool", "arguments": forged}),
    );
    assert!(
        refused["error"].to_string().contains("no finding offers"),
        "{refused:#}"
    );
    assert!(!gobin.join("gopls").exists());
    assert!(lsp.progress().is_empty(), "{:#?}", lsp.progress());

    let out = lsp.execute("goEnvDoctor.installTool", command["arguments"].clone());
    assert_eq!(
        out,
        format!("installed {}", gobin.join("gopls").display()),
        "{out:#}"
    );
    let ran = std::process::Command::new(gobin.join("gopls"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "stand-in\n");
    // The refused command showed no progress: this run has the first token.
    let token = "goEnvDoctor.installTool/1";
    lsp.wait_logged("no $/progress end of the install", |m| {
        m["method"] == "$/progress"
            && m["params"]["token"] == token
            && m["params"]["value"]["kind"] == "end"
    });
    let run: Vec<&Value> = lsp
        .progress()
        .into_iter()
        .filter(|m| m["params"]["token"] == token)
        .collect();
    let kinds: Vec<&str> = run
        .iter()
        .map(|m| m["params"]["value"]["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["begin", "report", "end"], "{run:#?}");
    assert_eq!(run[0]["params"]["value"]["cancellable"], true);
    assert_eq!(
        run[1]["params"]["value"]["message"],
        format!(
            "GOBIN={} go install golang.org/x/tools/gopls@latest",
            gobin.display()
        )
    );
    lsp.wait_cleared(&go_mod, "tool-missing");
    assert!(lsp.shutdown().success());
}

/// "Use installed goX.Y.Z": go.mod asks for go 1.25.0, the editor runs Go 1.22.10 and never
/// switches (GOTOOLCHAIN=local), the login shell runs Go 1.25.5 from `~/sdk/go1.25.5` (where
/// golang.org/dl puts it; a hard-linked copy of the provisioned GOROOT). The hover on the `go`
/// line names the SDK; the quick fix points go.goroot at it; once the edit is saved the server
/// runs that real go and the diagnostic clears.
#[test]
fn toolchain_too_old_quick_fix_switches_to_the_installed_sdk() {
    let mut s = Scenario::new();
    let go_mod = s.folder.join("go.mod");
    std::fs::write(&go_mod, "module example.com/hello\n\ngo 1.25.0\n").unwrap();
    let sdk = s.home.join("sdk/go1.25.5");
    std::fs::create_dir_all(sdk.parent().unwrap()).unwrap();
    let copied = std::process::Command::new("cp")
        .arg("-al")
        .arg(support::goroot("1.25.5"))
        .arg(&sdk)
        .status()
        .unwrap()
        .success()
        || std::process::Command::new("cp")
            .arg("-a")
            .arg(support::goroot("1.25.5"))
            .arg(&sdk)
            .status()
            .unwrap()
            .success();
    assert!(copied, "copying Go 1.25.5 into the scenario failed");
    s.path_go(&support::goroot(GO122));
    s.env.insert("GOTOOLCHAIN".into(), "local".into());
    s.shell_go(&sdk);
    let settings = s.settings("{\n}\n");
    let mut lsp = s.start();
    let diag = lsp.wait_for_code(&go_mod, "toolchain-too-old");

    // The hover on the `go` line names the installed SDK that satisfies the module.
    let hover = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&go_mod)}, "position": {"line": 2, "character": 4}}),
    );
    let md = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        md.contains(
            "Installed Go SDKs that satisfy this workspace: `go1.25.5` (~/sdk/go1.25.5, golang.org/dl, your shell's)"
        ),
        "{hover:#}"
    );

    let actions = lsp.code_actions(&file_uri(&go_mod), &diag);
    let title = "Use installed go1.25.5 (~/sdk/go1.25.5): set go.goroot in .vscode/settings.json (your shell's Go)";
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no {title:?} in {actions:#}"));
    let change = &action["edit"]["documentChanges"][0];
    let disk = std::fs::read_to_string(&settings).unwrap();
    let fixed = apply(&disk, change["edits"].as_array().unwrap(), "utf-16");
    assert!(
        fixed.contains(&format!("\"go.goroot\": \"{}\"", sdk.display())),
        "{fixed}"
    );
    std::fs::write(&settings, &fixed).unwrap();
    lsp.file_changed(&settings, 2);
    lsp.wait_cleared(&go_mod, "toolchain-too-old");
    assert!(lsp.shutdown().success());
}

/// Attribution reaches the client: the go-version-mismatch diagnostic (on go.mod: no setting
/// holds either side's `go`) carries `relatedInformation` at the `.bashrc` line that puts the
/// shell's Go on PATH, and its message says the server's PATH lacks that directory.
#[test]
fn related_information_points_at_the_startup_line_of_the_shells_go() {
    let mut s = Scenario::new();
    let (go121, go122) = gos();
    s.path_go(&go121);
    s.shell_go(&go122);
    let mut lsp = s.start();
    let go_mod = s.folder.join("go.mod");
    let diag = lsp.wait_for_related(&go_mod, "go-version-mismatch");
    let related = diag["relatedInformation"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let bashrc = file_uri(&s.home.join(".bashrc"));
    let at_bashrc = related
        .iter()
        .find(|r| r["location"]["uri"] == bashrc)
        .unwrap_or_else(|| panic!("no related information at .bashrc: {diag:#}"));
    // `.bashrc` line 1 (0-based 0): `export PATH="…/go/bin:$PATH"`.
    assert_eq!(
        at_bashrc["location"]["range"]["start"]["line"], 0,
        "{diag:#}"
    );
    let note = at_bashrc["message"].as_str().unwrap_or("");
    assert!(note.contains("on your login shell's PATH"), "{diag:#}");
    let msg = diag["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("PATH lacks") && msg.contains("~/.bashrc:1 adds"),
        "{diag:#}"
    );
}

/// The login shell starts when `initialize` arrives, before the client has answered for its
/// configuration, and the first check takes it when the configuration left what the shell
/// depends on unchanged. A configuration naming another shell gets that shell: the one started
/// at `initialize` is killed, never used.
#[test]
fn the_login_shell_started_at_initialize_is_taken_only_with_the_same_inputs() {
    let run = |config: Value| -> String {
        let (mut s, env_file) = Scenario::gocache_off();
        s.env
            .insert("RUST_LOG".into(), "go_env_doctor=debug".into());
        let log = s.root.join("server.log");
        let stderr = Stdio::from(std::fs::File::create(&log).unwrap());
        let mut lsp = Lsp::spawn_with_stderr(&s, stderr);
        lsp.config_reply = Some(config);
        lsp.initialize(&s, &["utf-16"]);
        lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
        assert!(lsp.shutdown().success());
        std::fs::read_to_string(&log).unwrap()
    };
    let bash = support::shell("bash").display().to_string();
    let dash = support::shell("dash").display().to_string();

    // Threads write their log lines in whatever order they reach stderr, so the order that
    // counts is the one of the timestamps the lines carry (RFC 3339, which sorts as text).
    let logged_at = |log: &str, what: &str| -> String {
        let line = log
            .lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no {what:?} in the log:\n{log}"));
        line.split_whitespace().next().unwrap_or("").to_string()
    };
    let same = run(json!({}));
    let first_start = logged_at(&same, "starting the login shell");
    let configured = logged_at(&same, "configuration config=");
    assert!(
        first_start < configured,
        "the shell started only after the configuration:\n{same}"
    );
    assert!(
        same.contains("taking the login shell started at initialize"),
        "{same}"
    );
    assert!(!same.contains("had other inputs"), "{same}");

    let other = run(json!({ "shell": dash }));
    assert!(
        other.contains("the login shell started at initialize had other inputs"),
        "{other}"
    );
    let mut started: Vec<&str> = other
        .lines()
        .filter(|l| l.contains("starting the login shell"))
        .collect();
    started.sort_by_key(|l| l.split_whitespace().next().unwrap_or(""));
    assert!(
        started
            .first()
            .is_some_and(|l| l.contains(&format!("shell={bash}")))
            && started
                .get(1)
                .is_some_and(|l| l.contains(&format!("shell={dash}"))),
        "the configured shell was not the one probed: {started:#?}"
    );
    assert!(
        other.contains(&format!("shell environment resolved shell={dash}")),
        "{other}"
    );
}

/// The server's allocator is told not to ask for transparent huge pages (zeroing a 2 MiB page
/// on each first touch slowed its start), and the process-wide THP switch the allocator flips
/// for that is put back: the shells and `go` the server starts inherit the switch as the
/// server found it. Read from the running server's `/proc` files.
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn the_server_asks_for_no_huge_pages_and_leaves_the_thp_switch_as_it_found_it() {
    let thp_enabled = |pid: &str| {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("THP_enabled:").map(|v| v.trim().to_string()))
    };
    let (s, env_file) = Scenario::gocache_off();
    let mut lsp = s.start();
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    let pid = lsp.child.id().to_string();
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap();
    let advised: Vec<&str> = smaps
        .lines()
        .filter(|l| l.starts_with("VmFlags:") && l.split_whitespace().any(|f| f == "hg"))
        .collect();
    assert!(
        advised.is_empty(),
        "mappings advised MADV_HUGEPAGE: {advised:?}"
    );
    let ours = thp_enabled("self");
    assert!(ours.is_some(), "this kernel shows no THP_enabled line");
    assert_eq!(thp_enabled(&pid), ours, "the server's THP switch changed");
}
