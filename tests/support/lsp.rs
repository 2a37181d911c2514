//! The one LSP client of the end-to-end suites: real `Content-Length` framing over a child's
//! stdio. It spawns any command line with any environment, answers the server's requests
//! (`workspace/configuration` from what the test sets, everything else with null), records
//! every notification in arrival order and the latest diagnostics per URI, and waits with
//! deadlines: for a response, for diagnostics matching a predicate, for `$/progress` to end,
//! for the first check, for the process to exit. Also the client side of position encodings
//! (applying text edits in UTF-16 or UTF-8) and `file://` URIs.
//!
//! Suites add their own constructors and `initialize` (`impl Client { … }`): `lsp/stdio.rs`'s
//! VS Code-like scenario (`spawn`, `initialize`), `support/goland.rs`' GoLand world
//! (`spawn_in_world`, `initialize_in_world`); the names differ as they share one `Client` type
//! in the `lsp` test binary.
#![allow(dead_code, clippy::unwrap_used)]

use serde_json::{json, Value};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Diagnostics include a login-shell probe and two `go env` runs.
pub const WAIT: Duration = Duration::from_secs(60);

// =============================================================================================
// Framing
// =============================================================================================

pub fn write_frame(w: &mut impl Write, msg: &Value) {
    let body = serde_json::to_string(msg).unwrap();
    write!(w, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    w.flush().unwrap();
}

pub fn read_frame(r: &mut impl BufRead) -> Option<Value> {
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

/// A fresh temp directory under `/tmp` named `prefix…`, and its canonical path (the root of a
/// test world: HOME, workspace folders).
pub fn temp_root(prefix: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in("/tmp")
        .unwrap();
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

/// `file://` URI of an absolute path (bytes outside `[A-Za-z0-9/-._~]` percent-encoded).
pub fn file_uri(p: &Path) -> String {
    let mut s = String::from("file://");
    for b in p.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

// =============================================================================================
// The client
// =============================================================================================

pub struct Client {
    pub child: Child,
    /// `None` once the test closed it ([`Client::close_stdin`]).
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Latest diagnostics per URI, and every notification and server request in arrival order.
    pub diagnostics: HashMap<String, Vec<Value>>,
    pub log: Vec<Value>,
    /// The `goEnvDoctor` section this client answers `workspace/configuration` with; `None`:
    /// the client does not support `workspace/configuration` (every request is answered null).
    pub config_reply: Option<Value>,
    /// The `go` and `gopls` sections this client answers (VS Code forwards them); null when
    /// `None`.
    pub go_reply: Option<Value>,
    pub gopls_reply: Option<Value>,
    /// Every requested item is answered with `config_reply`, whatever its section (editors
    /// that hand the server one settings object: Helix's `config`, LSP4IJ's settings).
    pub same_reply_for_every_section: bool,
    /// `initializationOptions.trusted`, for suites whose `initialize` sends it.
    pub trusted: bool,
    /// The client offers dynamic `workspace/didChangeWatchedFiles` registration (it watches
    /// files for the server); `false`: the server must watch by itself.
    pub watch_registration: bool,
    /// `clientInfo` sent in `initialize`: VS Code's by default (these suites play VS Code,
    /// which always sends it); `None` for a client that sends none (eglot 1.9, ALE).
    pub client_info: Option<Value>,
}

impl Client {
    /// Spawns `argv` in `cwd` with a clean environment holding only `env`; piped stdin and
    /// stdout, stderr to `stderr`.
    pub fn start<S, K, V>(
        argv: &[S],
        env: impl IntoIterator<Item = (K, V)>,
        cwd: &Path,
        stderr: Stdio,
    ) -> Client
    where
        S: AsRef<OsStr> + std::fmt::Debug,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        let (program, args) = argv.split_first().expect("a command line");
        let mut child = Command::new(program)
            .args(args)
            .env_clear()
            .envs(env)
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {argv:?}: {e}"));
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
        Client {
            child,
            stdin: Some(stdin),
            rx,
            next_id: 1,
            diagnostics: HashMap::new(),
            log: Vec::new(),
            config_reply: None,
            go_reply: None,
            gopls_reply: None,
            same_reply_for_every_section: false,
            trusted: true,
            watch_registration: true,
            client_info: Some(json!({"name": "Visual Studio Code", "version": "1.100.3"})),
        }
    }

    /// The server's stdin; panics once the test closed it.
    fn input(&mut self) -> &mut ChildStdin {
        self.stdin.as_mut().expect("stdin was closed")
    }

    /// Writes `bytes` to the server's stdin as they are (malformed or partial frames).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let input = self.input();
        input.write_all(bytes).unwrap();
        input.flush().unwrap();
    }

    /// Closes the server's stdin (the client went away).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        write_frame(
            self.input(),
            &json!({"jsonrpc": "2.0", "method": method, "params": params}),
        );
    }

    /// What this client answers a `workspace/configuration` request with.
    fn configuration(&self, params: &Value) -> Value {
        let items = params["items"].as_array();
        if self.same_reply_for_every_section {
            let n = items.map_or(1, Vec::len);
            let reply = self.config_reply.clone().unwrap_or(Value::Null);
            return Value::Array(vec![reply; n]);
        }
        let Some(c) = &self.config_reply else {
            return Value::Null;
        };
        let answers: Vec<Value> = items
            .into_iter()
            .flatten()
            .map(|i| match i["section"].as_str() {
                Some("goEnvDoctor") => c.clone(),
                Some("go") => self.go_reply.clone().unwrap_or(Value::Null),
                Some("gopls") => self.gopls_reply.clone().unwrap_or(Value::Null),
                _ => Value::Null,
            })
            .collect();
        Value::Array(answers)
    }

    /// Handle one incoming message: answer server requests, record notifications; returns
    /// responses.
    pub fn handle(&mut self, msg: Value) -> Option<Value> {
        if msg.get("method").is_some() {
            if let Some(id) = msg.get("id") {
                // workspace/configuration: the sections; client/registerCapability, …: null.
                let result = match msg["method"].as_str() {
                    Some("workspace/configuration") => self.configuration(&msg["params"]),
                    _ => Value::Null,
                };
                let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
                write_frame(self.input(), &reply);
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

    /// The next message before `deadline` (unhandled); `None` on timeout.
    pub fn recv(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(msg) => Some(msg),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its stdout"),
        }
    }

    /// Receives and handles one message if one comes within `within`.
    pub fn pump(&mut self, within: Duration) {
        if let Some(msg) = self.recv(Instant::now() + within) {
            self.handle(msg);
        }
    }

    /// Handles messages until `done(self)` holds, within [`WAIT`]; panics saying `what` is
    /// missing otherwise.
    pub fn wait_until(&mut self, what: &str, done: impl Fn(&Client) -> bool) {
        self.wait_until_by(Instant::now() + WAIT, what, done);
    }

    /// [`Client::wait_until`] with the caller's deadline.
    pub fn wait_until_by(&mut self, deadline: Instant, what: &str, done: impl Fn(&Client) -> bool) {
        while !done(self) {
            let msg = self.recv(deadline).expect(what);
            self.handle(msg);
        }
    }

    /// Keeps handling messages (polling every `poll`) until `done()` holds, within [`WAIT`];
    /// for conditions outside the session (a file, a process).
    pub fn serve_until(&mut self, what: &str, poll: Duration, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + WAIT;
        while !done() {
            assert!(Instant::now() < deadline, "{what}");
            self.pump(poll);
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let resp = self.call(method, params);
        assert!(
            resp.get("error").is_none(),
            "{method} failed: {}",
            resp["error"]
        );
        resp["result"].clone()
    }

    /// Sends the request `method` and returns the whole response (`result` or `error`).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        write_frame(
            self.input(),
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        );
        self.response_to(&json!(id), method)
    }

    /// The response whose `id` is `id` (handling everything before it), within [`WAIT`];
    /// panics naming `what` otherwise.
    pub fn response_to(&mut self, id: &Value, what: &str) -> Value {
        self.response_within(id, WAIT, what)
    }

    /// [`Client::response_to`] within `within`.
    pub fn response_within(&mut self, id: &Value, within: Duration, what: &str) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let msg = self
                .recv(deadline)
                .unwrap_or_else(|| panic!("no response to {what} within {within:?}"));
            if let Some(resp) = self.handle(msg) {
                if &resp["id"] == id {
                    return resp;
                }
            }
        }
    }

    /// `workspace/executeCommand` of `command` with `arguments`.
    pub fn execute(&mut self, command: &str, arguments: Value) -> Value {
        self.request(
            "workspace/executeCommand",
            json!({"command": command, "arguments": arguments}),
        )
    }

    /// The Markdown report (`goEnvDoctor.report`).
    pub fn report(&mut self) -> Value {
        self.execute("goEnvDoctor.report", json!([]))
    }

    /// `textDocument/codeAction` for one diagnostic `diag` of the document `uri`.
    pub fn code_actions(&mut self, uri: &str, diag: &Value) -> Value {
        self.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": diag["range"],
                "context": {"diagnostics": [diag]}
            }),
        )
    }

    /// `textDocument/didOpen` of `uri` holding `text`.
    pub fn open_document(&mut self, uri: &str, language_id: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": version, "text": text}}),
        );
    }

    /// `textDocument/didChange` to `version`: `text` inserted at (line, character).
    pub fn insert_text(&mut self, uri: &str, version: i64, at: (u32, u32), text: &str) {
        let (line, character) = at;
        let position = json!({"line": line, "character": character});
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{
                    "range": {"start": position, "end": position},
                    "text": text
                }]
            }),
        );
    }

    /// `textDocument/didClose` of `uri`.
    pub fn close_document(&mut self, uri: &str) {
        self.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
    }

    /// The client saw `path` change on disk (`type`: 1 created, 2 changed, 3 deleted).
    pub fn file_changed(&mut self, path: &Path, kind: u8) {
        self.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": file_uri(path), "type": kind}]}),
        );
    }

    /// The client's configuration changed (the server pulls it again).
    pub fn configuration_changed(&mut self) {
        self.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": null}),
        );
    }

    /// Wait until the latest diagnostics of `path` satisfy `pred`; returns them.
    pub fn wait_diagnostics(&mut self, path: &Path, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
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

    /// Diagnostics of `path` once they hold `code`.
    pub fn wait_diagnostic(&mut self, path: &Path, code: &str) -> Vec<Value> {
        self.wait_diagnostics(path, has_code(code))
    }

    /// Waits for `code` on `path` and returns that diagnostic.
    pub fn wait_for_code(&mut self, path: &Path, code: &str) -> Value {
        find_code(&self.wait_diagnostic(path, code), code)
    }

    /// Waits for `code` on `path` with `relatedInformation` (attribution arrives after the
    /// first publish: the language server traces the login shell in the background).
    pub fn wait_for_related(&mut self, path: &Path, code: &str) -> Value {
        let list = self.wait_diagnostics(path, |d| {
            d.iter()
                .any(|x| x["code"] == code && x.get("relatedInformation").is_some())
        });
        find_code(&list, code)
    }

    /// Waits until `path` has no `code` diagnostic.
    pub fn wait_cleared(&mut self, path: &Path, code: &str) -> Vec<Value> {
        self.wait_diagnostics(path, |d| !has_code(code)(d))
    }

    /// How many `method` messages (notifications, server requests) arrived so far.
    pub fn count(&self, method: &str) -> usize {
        self.log.iter().filter(|m| m["method"] == method).count()
    }

    /// Handles messages until one `pred` accepts was logged (within [`WAIT`]); returns the
    /// first such message.
    pub fn wait_logged(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_until(what, |c| c.log.iter().any(&pred));
        self.log.iter().find(|m| pred(m)).unwrap().clone()
    }

    /// `$/progress` notifications and a command's response travel separately: handles
    /// messages until a `$/progress` `end` arrived (within [`WAIT`]).
    pub fn wait_for_progress_end(&mut self) {
        self.wait_logged("no $/progress end", |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
        });
    }

    /// The `$/progress` notifications so far.
    pub fn progress(&self) -> Vec<&Value> {
        self.log
            .iter()
            .filter(|m| m["method"] == "$/progress")
            .collect()
    }

    /// The `kind`s of the `$/progress` notifications so far.
    pub fn progress_kinds(&self) -> Vec<&str> {
        self.progress()
            .into_iter()
            .map(|m| m["params"]["value"]["kind"].as_str().unwrap_or(""))
            .collect()
    }

    /// Waits for the first check (a healthy world publishes nothing): polls the report until
    /// it names a checked folder.
    pub fn wait_first_check(&mut self) {
        let deadline = Instant::now() + WAIT;
        loop {
            let report = self.report();
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
    }

    /// `initialize` with `params` (its `rootUri`/`workspaceFolders` naming `folder` as `name`)
    /// then `initialized`; returns the server's result.
    pub fn initialize_folder(
        &mut self,
        folder: &Path,
        name: &str,
        capabilities: Value,
        init_options: Value,
    ) -> Value {
        self.initialize_folders(&[(folder, name)], capabilities, init_options)
    }

    /// `initialize` with several `workspaceFolders` at once (`(path, name)`; `rootUri` is the
    /// first), then `initialized`; returns the server's result.
    pub fn initialize_folders(
        &mut self,
        folders: &[(&Path, &str)],
        capabilities: Value,
        init_options: Value,
    ) -> Value {
        let root = folders.first().map(|(p, _)| file_uri(p));
        let result = self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "clientInfo": self.client_info,
                "rootUri": root,
                "workspaceFolders": workspace_folders(folders),
                "capabilities": capabilities,
                "initializationOptions": init_options,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    /// `workspace/didChangeWorkspaceFolders`: the user added and removed folders (`(path,
    /// name)`).
    pub fn change_workspace_folders(&mut self, added: &[(&Path, &str)], removed: &[(&Path, &str)]) {
        self.notify(
            "workspace/didChangeWorkspaceFolders",
            json!({"event": {
                "added": workspace_folders(added),
                "removed": workspace_folders(removed)
            }}),
        );
    }

    /// The process's exit status once it has exited, within `within`; `None` if it still runs.
    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// shutdown + exit; the server must exit by itself (within 10 s).
    pub fn shutdown(mut self) -> ExitStatus {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.wait_exit(Duration::from_secs(10))
            .expect("the server did not exit after shutdown/exit")
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// LSP `WorkspaceFolder`s of `(path, name)` pairs.
pub fn workspace_folders(folders: &[(&Path, &str)]) -> Value {
    folders
        .iter()
        .map(|(p, name)| json!({"uri": file_uri(p), "name": name}))
        .collect()
}

// =============================================================================================
// Diagnostics
// =============================================================================================

pub fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

pub fn has_code(code: &str) -> impl Fn(&[Value]) -> bool + '_ {
    move |d: &[Value]| d.iter().any(|d| d["code"] == code)
}

/// The first diagnostic with `code` among `diags` (which must hold one).
pub fn find_code(diags: &[Value], code: &str) -> Value {
    diags
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} among {diags:#?}"))
        .clone()
}

// =============================================================================================
// Text edits (the client side of position encodings)
// =============================================================================================

/// Byte offset of an LSP position in `text` under `enc` ("utf-8" / "utf-16").
pub fn offset_of(text: &str, pos: &Value, enc: &str) -> usize {
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
pub fn apply(text: &str, edits: &[Value], enc: &str) -> String {
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

/// Applies LSP text edits with UTF-16 positions to `text`.
pub fn apply_utf16(text: &str, edits: &[Value]) -> String {
    apply(text, edits, "utf-16")
}

/// Polls `done` every 20 ms until it holds; after `within`, panics with `fail()`.
pub fn poll_until(within: Duration, mut done: impl FnMut() -> bool, fail: impl Fn() -> String) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "{}", fail());
        std::thread::sleep(Duration::from_millis(20));
    }
}
