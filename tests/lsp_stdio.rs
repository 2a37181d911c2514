//! `go-env-doctor serve` end to end over stdio with real LSP framing (`Content-Length`), against
//! REAL Go toolchains and a REAL login shell (bash), like `cli_check`.
//!
//! Each scenario builds a temp world under `/tmp`: a HOME whose `.bash_profile` sources a
//! `.bashrc` that puts one Go first on PATH, a workspace folder with `go.mod` and
//! `.vscode/settings.json`, and a user-settings fixture (passed as `initializationOptions`
//! `userSettings`). The server is spawned with `env_clear()` plus HOME, PATH, SHELL and a marker
//! variable that lets the shutdown test find any leftover descendant in `/proc`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

#[path = "support/mod.rs"]
mod support;

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const GO121: &str = "1.21.13";
const GO122: &str = "1.22.10";
/// Diagnostics include a login-shell probe and two `go env` runs.
const WAIT: Duration = Duration::from_secs(60);

// =============================================================================================
// Harness: a client speaking LSP over the server's stdin/stdout.
// =============================================================================================

struct Lsp {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Latest diagnostics per URI, and every notification in arrival order.
    diagnostics: HashMap<String, Vec<Value>>,
    log: Vec<Value>,
    /// The `goEnvDoctor` section this client answers `workspace/configuration` with; `None`:
    /// the client does not support `workspace/configuration`.
    config_reply: Option<Value>,
    /// The `go` and `gopls` sections this client answers (VS Code forwards them); null when
    /// `None`.
    go_reply: Option<Value>,
    gopls_reply: Option<Value>,
    /// `initializationOptions.trusted`.
    trusted: bool,
    /// The client offers dynamic `workspace/didChangeWatchedFiles` registration (it watches
    /// files for the server); `false`: the server must watch by itself.
    watch_registration: bool,
}

fn write_frame(w: &mut impl Write, msg: &Value) {
    let body = serde_json::to_string(msg).unwrap();
    write!(w, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    w.flush().unwrap();
}

fn read_frame(r: &mut impl BufRead) -> Option<Value> {
    let mut len: Option<usize> = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse().ok();
        }
    }
    let mut body = vec![0u8; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Lsp {
    fn spawn(s: &Scenario) -> Lsp {
        Lsp::spawn_with_stderr(s, Stdio::inherit())
    }

    fn spawn_with_stderr(s: &Scenario, stderr: Stdio) -> Lsp {
        let mut child = Command::new(support::bin())
            .arg("serve")
            .arg("--stdio")
            .env_clear()
            .envs(&s.env)
            .current_dir(&s.root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_frame(&mut r) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Lsp {
            child,
            stdin,
            rx,
            next_id: 1,
            diagnostics: HashMap::new(),
            log: Vec::new(),
            config_reply: None,
            go_reply: None,
            gopls_reply: None,
            trusted: true,
            watch_registration: true,
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        write_frame(
            &mut self.stdin,
            &json!({"jsonrpc": "2.0", "method": method, "params": params}),
        );
    }

    /// Handle one incoming message: answer server requests, record notifications; returns
    /// responses.
    fn handle(&mut self, msg: Value) -> Option<Value> {
        if msg.get("method").is_some() {
            if let Some(id) = msg.get("id") {
                // workspace/configuration: the section; client/registerCapability, …: null.
                let result = match (&self.config_reply, msg["method"].as_str()) {
                    (Some(c), Some("workspace/configuration")) => {
                        let items = msg["params"]["items"]
                            .as_array()
                            .cloned()
                            .unwrap_or_default();
                        let answers: Vec<Value> = items
                            .iter()
                            .map(|i| match i["section"].as_str() {
                                Some("goEnvDoctor") => c.clone(),
                                Some("go") => self.go_reply.clone().unwrap_or(Value::Null),
                                Some("gopls") => self.gopls_reply.clone().unwrap_or(Value::Null),
                                _ => Value::Null,
                            })
                            .collect();
                        Value::Array(answers)
                    }
                    _ => Value::Null,
                };
                let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
                write_frame(&mut self.stdin, &reply);
            } else if msg["method"] == "textDocument/publishDiagnostics" {
                let uri = msg["params"]["uri"].as_str().unwrap_or("").to_string();
                let diags = msg["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                self.diagnostics.insert(uri, diags);
            }
            self.log.push(msg);
            return None;
        }
        Some(msg)
    }

    fn recv(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(msg) => Some(msg),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its stdout"),
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        write_frame(
            &mut self.stdin,
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        );
        let deadline = Instant::now() + WAIT;
        loop {
            let msg = self
                .recv(deadline)
                .unwrap_or_else(|| panic!("no response to {method} within {WAIT:?}"));
            if let Some(resp) = self.handle(msg) {
                if resp["id"] == json!(id) {
                    assert!(
                        resp.get("error").is_none(),
                        "{method} failed: {}",
                        resp["error"]
                    );
                    return resp["result"].clone();
                }
            }
        }
    }

    /// Wait until the latest diagnostics of `path` satisfy `pred`; returns them.
    fn wait_diagnostics(&mut self, path: &Path, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let uri = file_uri(path);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(d) = self.diagnostics.get(&uri) {
                if pred(d) {
                    return d.clone();
                }
            }
            match self.recv(deadline) {
                Some(msg) => {
                    self.handle(msg);
                }
                None => panic!(
                    "diagnostics of {uri} never matched; latest: {:#?}\nall: {:#?}",
                    self.diagnostics.get(&uri),
                    self.diagnostics
                ),
            }
        }
    }

    fn initialize(&mut self, s: &Scenario, encodings: &[&str]) -> Value {
        let folder = file_uri(&s.folder);
        let result = self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": folder,
                "workspaceFolders": [{"uri": folder, "name": "ws"}],
                "capabilities": {
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
                    "textDocument": {"codeAction": {"isPreferredSupport": true}}
                },
                "initializationOptions": {
                    "shell": support::shell("bash"),
                    "shellTimeoutSeconds": 30,
                    "trusted": self.trusted,
                    "userSettings": s.user_settings,
                }
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    /// shutdown + exit; the server must exit by itself, successfully.
    fn shutdown(mut self) -> std::process::ExitStatus {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn file_uri(p: &Path) -> String {
    // Test paths are plain ASCII without spaces.
    format!("file://{}", p.display())
}

// =============================================================================================
// Scenario builder
// =============================================================================================

struct Scenario {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    folder: PathBuf,
    user_settings: PathBuf,
    env: HashMap<String, String>,
    marker: String,
}

impl Scenario {
    fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("ged-lsp-")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path().canonicalize().unwrap();
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

// =============================================================================================
// Text helpers (the client side of position encodings)
// =============================================================================================

/// Byte offset of an LSP position in `text` under `enc` ("utf-8" / "utf-16").
fn offset_of(text: &str, pos: &Value, enc: &str) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let character = pos["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += if enc == "utf-8" {
            c.len_utf8()
        } else {
            c.len_utf16()
        };
    }
    text.len()
}

/// Apply LSP text edits (non-overlapping) to `text`.
fn apply(text: &str, edits: &[Value], enc: &str) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset_of(text, &e["range"]["start"], enc),
                offset_of(text, &e["range"]["end"], enc),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (s, e, t) in spans {
        out.replace_range(s..e, &t);
    }
    out
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn has_code(code: &'static str) -> impl Fn(&[Value]) -> bool {
    move |d: &[Value]| d.iter().any(|d| d["code"] == code)
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
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
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

    let diags = lsp.wait_diagnostics(&settings, has_code("goroot-mismatch"));
    let diag = diags
        .iter()
        .find(|d| d["code"] == "goroot-mismatch")
        .unwrap()
        .clone();
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
    snapshot("lsp__hover_goroot_mismatch", &s.filter(md));

    // The report command returns the Markdown report.
    let report = lsp.request(
        "workspace/executeCommand",
        json!({"command": "goEnvDoctor.report", "arguments": []}),
    );
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
        &format!(
            "action: {}\n---\n{}",
            s.filter(preferred["title"].as_str().unwrap()),
            s.filter(&fixed)
        ),
    );

    // Write it and tell the server: the diagnostic goes away.
    std::fs::write(&settings, &fixed).unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&settings), "type": 2}]}),
    );
    let after = lsp.wait_diagnostics(&settings, |d| !has_code("goroot-mismatch")(d));
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
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
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
        let diags = lsp.wait_diagnostics(&settings, has_code("goroot-mismatch"));
        let d = diags
            .iter()
            .find(|d| d["code"] == "goroot-mismatch")
            .unwrap();
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
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    let settings = s.settings(&format!("{{ \"go.goroot\": \"{}\" }}\n", go121.display()));
    s.shell_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    lsp.initialize(&s, &["utf-16"]);
    lsp.wait_diagnostics(&settings, has_code("goroot-mismatch"));
    let pid = lsp.child.id();
    lsp.request("shutdown", Value::Null);
    lsp.wait_diagnostics(&settings, |d| d.is_empty());
    lsp.notify("exit", Value::Null);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = lsp.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "server {pid} did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    let left = s.marked_processes();
    assert!(left.is_empty(), "processes left behind: {left:?}");
}

/// An open document gets a versioned edit computed against the editor's text, not the disk.
#[test]
fn open_settings_get_a_versioned_edit_against_the_buffer_text() {
    let s = Scenario::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    let disk = format!("{{\n  \"go.goroot\": \"{}\"\n}}\n", go121.display());
    let settings = s.settings(&disk);
    s.shell_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    lsp.initialize(&s, &["utf-16"]);
    let diags = lsp.wait_diagnostics(&settings, has_code("goroot-mismatch"));
    let diag = diags
        .iter()
        .find(|d| d["code"] == "goroot-mismatch")
        .unwrap()
        .clone();
    let uri = file_uri(&settings);
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "jsonc", "version": 1, "text": disk}}),
    );
    // An unsaved edit in the buffer: a comment line above the member (incremental change).
    lsp.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 7},
            "contentChanges": [{
                "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
                "text": "  // 🦀 unsaved\n"
            }]
        }),
    );
    let buffer = disk.replacen("{\n", "{\n  // 🦀 unsaved\n", 1);
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": diag["range"],
            "context": {"diagnostics": [diag]}
        }),
    );
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
    let mut s = Scenario::new();
    let go122 = support::goroot(GO122);
    let env_file = s.home.join(".config/go/env");
    std::fs::write(&env_file, "GOCACHE=off\n").unwrap();
    s.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go122.display()),
    );
    s.shell_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    lsp.initialize(&s, &["utf-16"]);
    let diags = lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    let diag = diags
        .iter()
        .find(|d| d["code"] == "gocache-off")
        .unwrap()
        .clone();
    assert_eq!(diag["range"]["start"], json!({"line": 0, "character": 0}));
    assert_eq!(diag["range"]["end"], json!({"line": 0, "character": 11}));
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": file_uri(&env_file)},
            "range": diag["range"],
            "context": {"diagnostics": [diag]}
        }),
    );
    let preferred = &actions[0];
    assert_eq!(preferred["isPreferred"], true, "{actions:#}");
    let command = &preferred["command"];
    assert_eq!(command["command"], "goEnvDoctor.goEnvUnset", "{actions:#}");
    assert_eq!(command["arguments"][0]["key"], "GOCACHE");
    lsp.request(
        "workspace/executeCommand",
        json!({"command": command["command"], "arguments": command["arguments"]}),
    );
    let text = std::fs::read_to_string(&env_file).unwrap();
    assert!(!text.contains("GOCACHE"), "go env -u left: {text:?}");
    lsp.wait_diagnostics(&env_file, |d| !has_code("gocache-off")(d));
    assert!(lsp.shutdown().success());
}

/// The `goEnvDoctor` section answered on `workspace/configuration` wins over
/// initializationOptions, and is pulled again on `didChangeConfiguration`.
#[test]
fn configuration_is_pulled_and_pulled_again_on_change() {
    let mut s = Scenario::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    let settings = s.settings(&format!("{{ \"go.goroot\": \"{}\" }}\n", go121.display()));
    let env_file = s.home.join(".config/go/env");
    std::fs::write(&env_file, "GOCACHE=off\n").unwrap();
    s.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go122.display()),
    );
    s.shell_go(&go122);
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
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
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
    lsp.log
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .count()
}

/// Unsaved settings text is re-diagnosed at once from the cached probes — no process spawned —
/// and the ranges follow the buffer: a line inserted above moves the diagnostic; pointing
/// go.goroot at the shell's SDK in the buffer clears it; closing the buffer unsaved brings the
/// file on disk back.
#[test]
fn settings_edits_are_rediagnosed_from_cached_probes_without_a_process() {
    let s = Scenario::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    let disk = format!("{{\n  \"go.goroot\": \"{}\"\n}}\n", go121.display());
    let settings = s.settings(&disk);
    s.shell_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    lsp.initialize(&s, &["utf-16"]);
    lsp.wait_diagnostics(&settings, has_code("goroot-mismatch"));
    let pid = lsp.child.id();
    let faults_before = reaped_children_faults(pid);
    let uri = file_uri(&settings);

    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "jsonc", "version": 1, "text": disk}}),
    );
    lsp.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{
                "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
                "text": "  // 🦀 pinned by hand\n"
            }]
        }),
    );
    let moved = lsp.wait_diagnostics(&settings, |d| {
        d.iter()
            .any(|d| d["code"] == "goroot-mismatch" && d["range"]["start"]["line"] == 2)
    });
    let buffer = disk.replacen("{\n", "{\n  // 🦀 pinned by hand\n", 1);
    let d = moved
        .iter()
        .find(|d| d["code"] == "goroot-mismatch")
        .unwrap();
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
    lsp.wait_diagnostics(&settings, |d| !has_code("goroot-mismatch")(d));

    // Closed without saving: the file on disk speaks again.
    lsp.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let again = lsp.wait_diagnostics(&settings, has_code("goroot-mismatch"));
    let d = again
        .iter()
        .find(|d| d["code"] == "goroot-mismatch")
        .unwrap();
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
    let s = Scenario::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    let disk = format!("{{\n  \"go.goroot\": \"{}\"\n}}\n", go121.display());
    let settings = s.settings(&disk);
    s.shell_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    lsp.initialize(&s, &["utf-16"]);
    lsp.wait_diagnostics(&settings, has_code("goroot-mismatch"));
    let uri = file_uri(&settings);
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "jsonc", "version": 1, "text": disk}}),
    );
    let v1 = lsp.wait_diagnostics(&settings, |d| {
        d.iter()
            .any(|d| d["code"] == "goroot-mismatch" && d["data"]["version"] == 1)
    });
    let old = v1
        .iter()
        .find(|d| d["code"] == "goroot-mismatch")
        .unwrap()
        .clone();
    lsp.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{
                "range": {"start": {"line": 0, "character": 1}, "end": {"line": 0, "character": 1}},
                "text": "\n  \"editor.tabSize\": 2,"
            }]
        }),
    );
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": old["range"],
            "context": {"diagnostics": [old]}
        }),
    );
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
    let fresh = v2
        .iter()
        .find(|d| d["code"] == "goroot-mismatch")
        .unwrap()
        .clone();
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": fresh["range"],
            "context": {"diagnostics": [fresh]}
        }),
    );
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
    s.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go122.display()),
    );
    s.shell_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    lsp.initialize(&s, &["utf-16"]);
    let diags = lsp.wait_diagnostics(&env_file, |d| {
        d.iter().any(|d| d["range"]["start"]["line"] == 1)
    });
    let mut deleted = None;
    for diag in diags.iter().filter(|d| d["range"]["start"]["line"] == 1) {
        let actions = lsp.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": file_uri(&env_file)},
                "range": diag["range"],
                "context": {"diagnostics": [diag]}
            }),
        );
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
    s.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go122.display()),
    );
    s.shell_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    let init = lsp.initialize(&s, &["utf-16"]);
    assert!(init["capabilities"]["executeCommandProvider"]["commands"]
        .to_string()
        .contains("goEnvDoctor.cleanCache"));
    // Wait for the first check (a healthy world publishes nothing): the report names it.
    let deadline = Instant::now() + WAIT;
    loop {
        let report = lsp.request(
            "workspace/executeCommand",
            json!({"command": "goEnvDoctor.report", "arguments": []}),
        );
        if !report
            .as_str()
            .unwrap()
            .contains("No workspace folder has been checked yet")
        {
            break;
        }
        assert!(Instant::now() < deadline, "the first check never finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = lsp.request(
        "workspace/executeCommand",
        json!({"command": "goEnvDoctor.cleanCache", "arguments": [{"gocache": cache}]}),
    );
    assert_eq!(out, "removed 2 cache entries", "{out:#}");
    assert!(!cache.join("00").exists() && !cache.join("ab").exists());
    assert!(cache.join("README").exists());
    // `$/progress` notifications and the response travel separately: wait for the end.
    let ended = |lsp: &Lsp| {
        lsp.log
            .iter()
            .any(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
    };
    let deadline = Instant::now() + WAIT;
    while !ended(&lsp) {
        let msg = lsp.recv(deadline).expect("no $/progress end");
        lsp.handle(msg);
    }
    let progress: Vec<&Value> = lsp
        .log
        .iter()
        .filter(|m| m["method"] == "$/progress")
        .collect();
    let kinds: Vec<&str> = progress
        .iter()
        .map(|m| m["params"]["value"]["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["begin", "report", "end"], "{progress:#?}");
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
    let env_file = s.home.join(".config/go/env");
    std::fs::write(&env_file, format!("GOCACHE={}\n", cache.display())).unwrap();
    s.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go122.display()),
    );
    s.shell_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    lsp.initialize(&s, &["utf-16"]);
    let diags = lsp.wait_diagnostics(&env_file, has_code("gocache-foreign-owner"));
    let diag = diags
        .iter()
        .find(|d| d["code"] == "gocache-foreign-owner")
        .unwrap()
        .clone();
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

    let out = lsp.request(
        "workspace/executeCommand",
        json!({"command": command["command"], "arguments": command["arguments"]}),
    );
    assert!(out.as_str().unwrap().starts_with("removed "), "{out:#}");
    for f in &created {
        assert!(!f.exists(), "{} survived go clean -cache", f.display());
    }
    assert!(cache.join("README").exists());
    let ended = |lsp: &Lsp| {
        lsp.log
            .iter()
            .any(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
    };
    let deadline = Instant::now() + WAIT;
    while !ended(&lsp) {
        let msg = lsp.recv(deadline).expect("no $/progress end");
        lsp.handle(msg);
    }
    let kinds: Vec<&str> = lsp
        .log
        .iter()
        .filter(|m| m["method"] == "$/progress")
        .map(|m| m["params"]["value"]["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["begin", "report", "end"]);
    // Re-checked: the cache now holds only what the server's own go wrote (root's).
    lsp.wait_diagnostics(&env_file, |d| !has_code("gocache-foreign-owner")(d));
    assert!(lsp.shutdown().success());
}

/// A client that cannot watch files (no dynamic `didChangeWatchedFiles` registration): the
/// server watches the GOROOT's symlink chain itself. The settings' `go.goroot` is a symlink
/// `sdk/current` → Go 1.21.13 while the login shell uses 1.22.10; `ln -sfn` points it at 1.22.10
/// and the mismatch goes away without the client sending anything.
#[test]
fn goroot_symlink_swap_is_re_probed_by_the_servers_own_watcher() {
    let s = Scenario::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
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
    lsp.wait_diagnostics(&settings, |d| !has_code("goroot-mismatch")(d));
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
    let mut s = Scenario::new();
    let go122 = support::goroot(GO122);
    let env_file = s.home.join(".config/go/env");
    std::fs::write(&env_file, "GOCACHE=off\n").unwrap();
    s.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go122.display()),
    );
    s.shell_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    lsp.watch_registration = false;
    lsp.initialize(&s, &["utf-16"]);
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&env_file)
        .unwrap();
    f.write_all(b"GOPROXY=\n").unwrap();
    drop(f);
    let diags = lsp.wait_diagnostics(&env_file, has_code("goproxy-empty"));
    let d = diags.iter().find(|d| d["code"] == "goproxy-empty").unwrap();
    assert_eq!(d["range"]["start"]["line"], 1, "{d:#}");
    assert!(lsp.shutdown().success());
}

/// A client that watches files gets the probes' inputs outside the workspace registered as
/// `RelativePattern`s based at their directories: the env file, the login shell's rc files,
/// the GOROOT.
#[test]
fn probe_inputs_are_registered_with_a_client_that_watches() {
    let mut s = Scenario::new();
    let go122 = support::goroot(GO122);
    let env_file = s.home.join(".config/go/env");
    std::fs::write(&env_file, "GOCACHE=off\n").unwrap();
    s.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go122.display()),
    );
    s.shell_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    lsp.initialize(&s, &["utf-16"]);
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    let deadline = Instant::now() + WAIT;
    let registered = loop {
        let found = lsp.log.iter().find(|m| {
            m["method"] == "client/registerCapability"
                && m["params"]["registrations"][0]["id"] == "goEnvDoctor.watchProbeInputs"
        });
        if let Some(m) = found {
            break m["params"]["registrations"][0]["registerOptions"]["watchers"].clone();
        }
        let msg = lsp
            .recv(deadline)
            .expect("no registration of the probe inputs");
        lsp.handle(msg);
    };
    let patterns: Vec<(String, String)> = registered
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
        .collect();
    let has = |dir: &Path, name: &str| patterns.contains(&(file_uri(dir), name.to_string()));
    assert!(has(&s.home.join(".config/go"), "env"), "{patterns:#?}");
    assert!(has(&s.home, ".bashrc"), "{patterns:#?}");
    assert!(has(&s.home, ".bash_profile"), "{patterns:#?}");
    assert!(has(&s.folder, "go.mod"), "{patterns:#?}");
    assert!(has(&go122, "go.env"), "{patterns:#?}");
    assert!(lsp.shutdown().success());
}

/// Lines in the file the login shell's `.bashrc` appends to on every run.
fn shell_runs(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

/// The login-shell probe is cached by its inputs: a re-probe for an env-file change reuses the
/// shell's environment (the shell does not run again, yet the change is seen); an edit to
/// `.bashrc` changes the inputs and the shell runs again.
#[test]
fn shell_probe_is_reused_until_an_rc_file_changes() {
    let mut s = Scenario::new();
    let go122 = support::goroot(GO122);
    let env_file = s.home.join(".config/go/env");
    std::fs::write(&env_file, "GOCACHE=off\n").unwrap();
    s.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go122.display()),
    );
    s.shell_go(&go122);
    let runs = s.root.join("shell-runs");
    let bashrc = s.home.join(".bashrc");
    let mut rc = std::fs::OpenOptions::new()
        .append(true)
        .open(&bashrc)
        .unwrap();
    writeln!(rc, "echo run >> '{}'", runs.display()).unwrap();
    drop(rc);

    let mut lsp = Lsp::spawn(&s);
    lsp.initialize(&s, &["utf-16"]);
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    assert_eq!(shell_runs(&runs), 1);

    // The env file changes (the client reports it): re-probed, the shell's result reused.
    std::fs::write(&env_file, "GOCACHE=off\nGOPROXY=\n").unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&env_file), "type": 2}]}),
    );
    lsp.wait_diagnostics(&env_file, has_code("goproxy-empty"));
    assert_eq!(shell_runs(&runs), 1, "the login shell ran again");

    // .bashrc changes: the inputs differ, the shell runs again.
    let mut rc = std::fs::OpenOptions::new()
        .append(true)
        .open(&bashrc)
        .unwrap();
    writeln!(rc, "# edited").unwrap();
    drop(rc);
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&bashrc), "type": 2}]}),
    );
    let deadline = Instant::now() + WAIT;
    while shell_runs(&runs) < 2 {
        assert!(
            Instant::now() < deadline,
            "the login shell did not run again"
        );
        if let Some(msg) = lsp.recv(Instant::now() + Duration::from_millis(50)) {
            lsp.handle(msg);
        }
    }
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

/// A newer check cancels the running one instead of waiting for it: the login shell hangs in
/// `.bashrc` (a `sleep` far longer than the user would wait), the user fixes `.bashrc` and
/// asks for a re-check, and the diagnostics come from the fixed shell at once — the hung shell
/// and its `sleep` are killed, not waited for until the 30 s probe timeout.
#[test]
fn a_newer_check_cancels_the_hung_one_and_kills_its_shell() {
    let mut s = Scenario::new();
    let go122 = support::goroot(GO122);
    let env_file = s.home.join(".config/go/env");
    std::fs::write(&env_file, "GOCACHE=off\n").unwrap();
    s.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go122.display()),
    );
    s.shell_go(&go122);
    let bashrc = s.home.join(".bashrc");
    let fixed = std::fs::read_to_string(&bashrc).unwrap();
    // A duration no other process on the machine uses, to find this sleep by.
    let hang = "sleep 27.4321";
    std::fs::write(&bashrc, format!("{hang}\n{fixed}")).unwrap();

    let mut lsp = Lsp::spawn(&s);
    lsp.initialize(&s, &["utf-16"]);
    let deadline = Instant::now() + WAIT;
    while processes_with(hang).is_empty() {
        assert!(Instant::now() < deadline, "the login shell never started");
        if let Some(msg) = lsp.recv(Instant::now() + Duration::from_millis(20)) {
            lsp.handle(msg);
        }
    }
    assert!(
        !lsp.diagnostics.contains_key(&file_uri(&env_file)),
        "no check can have finished while the shell hangs"
    );

    std::fs::write(&bashrc, &fixed).unwrap();
    let fixed_at = Instant::now();
    let recheck = lsp.request(
        "workspace/executeCommand",
        json!({"command": "goEnvDoctor.recheck", "arguments": []}),
    );
    assert!(recheck.is_null(), "{recheck:#}");
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    let waited = fixed_at.elapsed();
    assert!(
        waited < Duration::from_secs(15),
        "the new check waited {waited:?} for the hung one (its shell sleeps 27 s)"
    );
    let deadline = Instant::now() + Duration::from_secs(2);
    while !processes_with(hang).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the cancelled shell's sleep is still running: {:?}",
            processes_with(hang)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(lsp.shutdown().success());
}

/// A failed login-shell probe is remembered like a successful one: re-checks for other reasons
/// (here the env file changes) do not start the broken shell again; fixing `.bashrc` does.
#[test]
fn a_failed_shell_probe_is_not_repeated_until_an_rc_file_changes() {
    let mut s = Scenario::new();
    let go122 = support::goroot(GO122);
    let env_file = s.home.join(".config/go/env");
    std::fs::write(&env_file, "GOCACHE=off\n").unwrap();
    s.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go122.display()),
    );
    s.shell_go(&go122);
    let runs = s.root.join("shell-runs");
    let bashrc = s.home.join(".bashrc");
    let fixed = format!(
        "echo run >> '{}'\n{}",
        runs.display(),
        std::fs::read_to_string(&bashrc).unwrap()
    );
    std::fs::write(&bashrc, format!("{fixed}exit 3\n")).unwrap();

    let mut lsp = Lsp::spawn(&s);
    lsp.initialize(&s, &["utf-16"]);
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
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&env_file), "type": 2}]}),
    );
    lsp.wait_diagnostics(&env_file, has_code("goproxy-empty"));
    assert_eq!(shell_runs(&runs), 1, "the failing login shell ran again");
    assert!(codes(&lsp.diagnostics[&file_uri(&s.folder.join("go.mod"))])
        .contains(&"shell-probe-failed".to_string()));

    std::fs::write(&bashrc, &fixed).unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&bashrc), "type": 2}]}),
    );
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
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    let text = format!("{{\n  \"go.goroot\": \"{}\"\n}}\n", go122.display());
    let settings = s.settings(&text);
    s.shell_go(&go122);
    let mut lsp = Lsp::spawn(&s);
    lsp.config_reply = Some(json!({}));
    lsp.go_reply = Some(json!({"goroot": go121.display().to_string(), "toolsEnvVars": {}}));
    lsp.gopls_reply = Some(json!({"build.env": {}}));
    lsp.initialize(&s, &["utf-16"]);
    let diags = lsp.wait_diagnostics(&settings, has_code("goroot-mismatch"));
    let d = diags
        .iter()
        .find(|d| d["code"] == "goroot-mismatch")
        .unwrap();
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
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    lsp.wait_diagnostics(&settings, |d| !has_code("goroot-mismatch")(d));
    assert!(lsp.shutdown().success());
}

/// `logLevel` from `workspace/configuration` changes the server's log filter at run time: the
/// process starts at `RUST_LOG=go_env_doctor=warn`; `debug` from the configuration shows the
/// checks' debug lines on stderr, `off` silences them again.
#[test]
fn log_level_from_configuration_applies_at_run_time() {
    let mut s = Scenario::new();
    let go122 = support::goroot(GO122);
    let env_file = s.home.join(".config/go/env");
    std::fs::write(&env_file, "GOCACHE=off\n").unwrap();
    s.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go122.display()),
    );
    s.shell_go(&go122);
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
    while checked_lines() == 0 {
        assert!(
            Instant::now() < deadline,
            "no debug line: {}",
            std::fs::read_to_string(&log).unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    lsp.config_reply = Some(json!({"logLevel": "off"}));
    let config_requests = |lsp: &Lsp| {
        lsp.log
            .iter()
            .filter(|m| m["method"] == "workspace/configuration")
            .count()
    };
    let before = config_requests(&lsp);
    let lines_before = checked_lines();
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    while config_requests(&lsp) == before {
        let msg = lsp.recv(deadline).expect("configuration not pulled again");
        lsp.handle(msg);
    }
    // The re-check that follows the pull publishes again; it logged nothing.
    let published = publish_count(&lsp);
    while publish_count(&lsp) == published {
        let msg = lsp
            .recv(deadline)
            .expect("no re-check after the configuration change");
        lsp.handle(msg);
    }
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
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
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
    let diags = lsp.wait_diagnostics(&settings, has_code("untrusted-not-executed"));
    let d = diags
        .iter()
        .find(|d| d["code"] == "untrusted-not-executed")
        .unwrap();
    assert_eq!(d["severity"], 3, "{d:#}");
    assert_eq!(
        d["range"]["start"],
        json!({"line": 2, "character": 10}),
        "{d:#}"
    );
    assert!(!marker.exists(), "the untrusted workspace go ran");

    lsp.config_reply = Some(json!({"trusted": true}));
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    lsp.wait_diagnostics(&settings, |d| !has_code("untrusted-not-executed")(d));
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
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    s.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go121.display()),
    );
    s.shell_go(&go122);
    let mut rc = std::fs::OpenOptions::new()
        .append(true)
        .open(s.home.join(".bashrc"))
        .unwrap();
    writeln!(rc, "export GOROOT='{}'", go122.display()).unwrap();
    drop(rc);
    assert!(!s.settings_path().exists());
    let go_mod = s.folder.join("go.mod");
    let mut lsp = Lsp::spawn(&s);
    lsp.initialize(&s, &["utf-16"]);
    let diags = lsp.wait_diagnostics(&go_mod, has_code("goroot-mismatch"));
    let diag = diags
        .iter()
        .find(|d| d["code"] == "goroot-mismatch")
        .unwrap()
        .clone();
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": file_uri(&go_mod)},
            "range": diag["range"],
            "context": {"diagnostics": [diag]}
        }),
    );
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
    snapshot("lsp__created_folder_settings", &s.filter(&text));
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&settings), "type": 1}]}),
    );
    lsp.wait_diagnostics(&go_mod, |d| !has_code("goroot-mismatch")(d));
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
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    s.shell_go(&go122);
    assert!(!s.settings_path().exists());
    let go_mod = s.folder.join("go.mod");
    let mut lsp = Lsp::spawn(&s);
    lsp.config_reply = Some(json!({}));
    lsp.go_reply = Some(json!({"goroot": go121.display().to_string()}));
    lsp.initialize(&s, &["utf-16"]);
    let diags = lsp.wait_diagnostics(&go_mod, has_code("goroot-mismatch"));
    let diag = diags
        .iter()
        .find(|d| d["code"] == "goroot-mismatch")
        .unwrap()
        .clone();
    let message = diag["message"].as_str().unwrap();
    println!("goroot-mismatch: {message}");
    // go.mod's `module` line (the module path), nothing else to point at.
    assert_eq!(diag["range"]["start"]["line"], 0, "{diag:#}");
    assert!(diag.get("relatedInformation").is_none(), "{diag:#}");
    for want in [
        GO121,
        GO122,
        "from go.goroot in VS Code's configuration, not in any settings file",
    ] {
        assert!(message.contains(want), "{want:?} missing: {message}");
    }
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": file_uri(&go_mod)},
            "range": diag["range"],
            "context": {"diagnostics": [diag]}
        }),
    );
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
    let report = lsp.request(
        "workspace/executeCommand",
        json!({"command": "goEnvDoctor.report", "arguments": []}),
    );
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
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    lsp.wait_diagnostics(&go_mod, |d| !has_code("goroot-mismatch")(d));
    assert!(lsp.shutdown().success());
}
