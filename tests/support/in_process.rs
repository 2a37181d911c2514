//! The language server in process: `go_env_doctor::lsp::serve` on two `tokio::io::duplex`
//! pipes, driven by a minimal synchronous client (`Content-Length` framing, requests answered
//! by id, the server's `workspace/configuration` / `client/registerCapability` requests
//! answered, the latest `textDocument/publishDiagnostics` kept per URI).
//!
//! The tradeoff against `support::lsp` (the real `go-env-doctor serve` over stdio): no process
//! to start, and a session is milliseconds, but the server shares this test process — its
//! environment (HOME, PATH, GOROOT, …), which a test cannot set per session, and its
//! process-wide registry of running probes (`facts::children`). So the sessions here hold what
//! depends only on the workspace's settings files: each points the login-shell probe at
//! `/bin/false` (it fails at once and reads no rc file of this process's HOME), hands the
//! server an empty VS Code user settings file (`userSettings`), and asserts only on findings
//! located in the workspace's own files. Everything that needs a controlled environment, real
//! Go or a real shell stays in the stdio suites, which remain the end-to-end truth.
#![allow(dead_code)]

use super::lsp::{file_uri, has_code, write_frame};
use go_env_doctor::lsp::transport::Ending;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};

/// A settings-only check runs no `go` the workspace chose and no working shell; generous for a
/// loaded 2-core machine all the same.
pub const WAIT: Duration = Duration::from_secs(30);

/// The login shell of every in-process session: exits 1 at once, whatever its arguments.
pub const FAILING_SHELL: &str = "/bin/false";

/// Buffer of each duplex pipe (the size of the server's own pipes to tower-lsp).
const PIPE: usize = 64 << 10;

pub struct InProcess {
    /// Taken in `Drop`, to shut it down without waiting long for blocking work.
    runtime: Option<tokio::runtime::Runtime>,
    /// The client's end of the server's input; `None` after `exit`.
    to_server: Option<DuplexStream>,
    /// Messages from the server, read off its output pipe by a task on `runtime`.
    rx: Receiver<Value>,
    server: Option<tokio::task::JoinHandle<Ending>>,
    next_id: i64,
    /// Latest diagnostics per URI, and every notification and server request in arrival order.
    pub diagnostics: HashMap<String, Vec<Value>>,
    pub log: Vec<Value>,
}

impl InProcess {
    /// `serve` on fresh pipes, with the built binary as the shell probe's helper (it runs
    /// `go-env-doctor __print-env` inside the login shell).
    pub fn start() -> InProcess {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let (to_server, server_input) = tokio::io::duplex(PIPE);
        let (server_output, from_server) = tokio::io::duplex(PIPE);
        let helper = PathBuf::from(env!("CARGO_BIN_EXE_go-env-doctor"));
        let server = runtime.spawn(go_env_doctor::lsp::serve(
            server_input,
            server_output,
            helper,
            None,
        ));
        let (tx, rx) = channel();
        runtime.spawn(async move {
            let mut r = BufReader::new(from_server);
            while let Some(msg) = read_frame(&mut r).await {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        InProcess {
            runtime: Some(runtime),
            to_server: Some(to_server),
            rx,
            server: Some(server),
            next_id: 1,
            diagnostics: HashMap::new(),
            log: Vec::new(),
        }
    }

    fn send(&mut self, msg: &Value) {
        let mut bytes = Vec::new();
        write_frame(&mut bytes, msg);
        let pipe = self.to_server.as_mut().expect("the session was ended");
        let runtime = self.runtime.as_ref().expect("the runtime runs");
        runtime.block_on(async {
            pipe.write_all(&bytes).await.expect("write to the server");
            pipe.flush().await.expect("flush to the server");
        });
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends the request `method` and returns its `result` (panics on an error response).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + WAIT;
        loop {
            let msg = self
                .recv(deadline)
                .unwrap_or_else(|| panic!("no response to {method} within {WAIT:?}"));
            if let Some(resp) = self.handle(msg) {
                if resp["id"] == id {
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

    fn recv(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(msg) => Some(msg),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// Answers a server request (nothing is registered or configured beyond `initialize`:
    /// null, or one null per `workspace/configuration` item), records notifications; returns
    /// responses.
    fn handle(&mut self, msg: Value) -> Option<Value> {
        if msg.get("method").is_none() {
            return Some(msg);
        }
        if let Some(id) = msg.get("id") {
            let result = match msg["method"].as_str() {
                Some("workspace/configuration") => {
                    let n = msg["params"]["items"].as_array().map_or(0, Vec::len);
                    Value::Array(vec![Value::Null; n])
                }
                _ => Value::Null,
            };
            let id = id.clone();
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
        } else if msg["method"] == "textDocument/publishDiagnostics" {
            let uri = msg["params"]["uri"].as_str().unwrap_or("").to_string();
            let diags = msg["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            self.diagnostics.insert(uri, diags);
        }
        self.log.push(msg);
        None
    }

    /// `initialize` as a VS Code-like client offering `encodings` (workspace edits with
    /// document changes, file watching by the client, so the server starts no watcher of its
    /// own in this process) for the workspace folder `folder`, with the controlled
    /// configuration of this harness; then `initialized`. Returns the server's result.
    pub fn initialize(&mut self, folder: &Path, user_settings: &Path, encodings: &[&str]) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "clientInfo": {"name": "Visual Studio Code", "version": "1.100.3"},
                "rootUri": file_uri(folder),
                "workspaceFolders": [{"uri": file_uri(folder), "name": "ws"}],
                "capabilities": {
                    "general": {"positionEncodings": encodings},
                    "workspace": {
                        "workspaceEdit": {"documentChanges": true},
                        "didChangeWatchedFiles": {
                            "dynamicRegistration": true,
                            "relativePatternSupport": true
                        },
                        "workspaceFolders": true
                    }
                },
                "initializationOptions": {
                    "shell": FAILING_SHELL,
                    "userSettings": user_settings,
                    // This process's HOME is the user's: keep its probe cache out of it.
                    "probeCache": false,
                },
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    /// Waits until the latest diagnostics of `path` satisfy `pred`; returns them.
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
                    "diagnostics of {uri} never matched; latest: {:#?}",
                    self.diagnostics.get(&uri)
                ),
            }
        }
    }

    /// Waits for `code` on `path` and returns that diagnostic.
    pub fn wait_for_code(&mut self, path: &Path, code: &str) -> Value {
        let diags = self.wait_diagnostics(path, has_code(code));
        super::lsp::find_code(&diags, code)
    }

    /// Waits until `path` has no `code` diagnostic.
    pub fn wait_cleared(&mut self, path: &Path, code: &str) -> Vec<Value> {
        self.wait_diagnostics(path, |d| !has_code(code)(d))
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

    /// `shutdown` then `exit`: `serve` must return by itself, saying `shutdown` came first.
    ///
    /// Unlike `lsp::run`, nothing calls `facts::children::kill_all` afterwards: that registry
    /// is process-wide, and here it would also end the probes of sessions running beside this
    /// one on other test threads. The sessions' shell ([`FAILING_SHELL`]) is gone by then.
    pub fn shutdown(mut self) -> Ending {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let server = self.server.take().expect("one shutdown");
        let runtime = self.runtime.as_ref().expect("the runtime runs");
        let ending = runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(10), server).await })
            .expect("serve did not return within 10 s of exit")
            .expect("the serve task panicked");
        self.to_server = None;
        ending
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        // Closing the input ends `serve` (a test that failed before `shutdown`); the runtime's
        // tasks are then dropped without waiting for them.
        self.to_server = None;
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_millis(500));
        }
    }
}

/// One framed message (`Content-Length` header), `None` when the pipe ends.
async fn read_frame(r: &mut BufReader<DuplexStream>) -> Option<Value> {
    let mut len: Option<usize> = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.ok()? == 0 {
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
    r.read_exact(&mut body).await.ok()?;
    serde_json::from_slice(&body).ok()
}
