//! `go-env-doctor serve` facing a misbehaving client: raw bytes over the real binary's stdio.
//!
//! Malformed JSON, batches, wrong `jsonrpc` versions, lying `Content-Length`s and truncated
//! streams must be answered with JSON-RPC errors (or end the process cleanly) without ending
//! the session for the messages that follow; `exit` reports whether `shutdown` came first.
//!
//! No login shell and no Go are needed: most sessions have no workspace folder (nothing is
//! probed); the burst test's folder is checked with `/bin/sh` as the shell and no `go` on PATH.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;

use crate::support::lsp;

use lsp::{file_uri, temp_root, Client};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const SERVER_NOT_INITIALIZED: i64 = -32002;

/// How long the server may take to answer a message it refuses (it is read at once).
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// How long a server may take to exit once it has been told to (or lost its client).
const EXIT_WITHIN: Duration = Duration::from_secs(5);

/// A server in an empty temp world (HOME, cwd), not initialized yet.
struct Session {
    lsp: Client,
    _dir: tempfile::TempDir,
}

impl Session {
    fn start() -> Session {
        let (dir, root) = temp_root("ged-proto-");
        let home = root.join("home");
        std::fs::create_dir_all(&home).unwrap();
        let argv = [
            support::bin().into_os_string(),
            "serve".into(),
            "--stdio".into(),
        ];
        let env = [
            ("HOME", home.display().to_string()),
            ("PATH", "/usr/bin:/bin".to_string()),
            ("SHELL", "/bin/sh".to_string()),
            ("RUST_LOG", "go_env_doctor=warn".to_string()),
        ];
        let lsp = Client::start(&argv, env, &root, Stdio::inherit());
        Session { lsp, _dir: dir }
    }

    /// Started and initialized without workspace folders.
    fn initialized() -> Session {
        let mut s = Session::start();
        s.initialize(None);
        s
    }

    fn initialize(&mut self, folder: Option<&Path>) {
        let folders = folder.map(|f| json!([{"uri": file_uri(f), "name": "ws"}]));
        self.lsp.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": folder.map(file_uri),
                "workspaceFolders": folders,
                "capabilities": {},
                "initializationOptions": {"shell": "/bin/sh", "trusted": false},
            }),
        );
        self.lsp.notify("initialized", json!({}));
    }

    /// A hover far from anything we diagnose: answered with null when the session is alive.
    fn hover_answered(&mut self) {
        let result = self.lsp.request(
            "textDocument/hover",
            json!({
                "textDocument": {"uri": "file:///nowhere/main.go"},
                "position": {"line": 0, "character": 0}
            }),
        );
        assert_eq!(result, Value::Null);
    }

    /// `body` framed with its true length, as raw bytes.
    fn send_body(&mut self, body: &[u8]) {
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(body);
        self.lsp.send_raw(&frame);
    }

    /// The error response with `id` (null: the server could not read one); its `error`.
    fn error_for(&mut self, id: Value, what: &str) -> Value {
        let resp = self.lsp.response_within(&id, ANSWER_WITHIN, what);
        assert!(resp.get("result").is_none(), "{what}: {resp}");
        assert_eq!(resp["jsonrpc"], "2.0", "{what}: {resp}");
        resp["error"].clone()
    }

    fn exit_status(&mut self) -> ExitStatus {
        let pid = self.lsp.child.id();
        self.lsp
            .wait_exit(EXIT_WITHIN)
            .unwrap_or_else(|| panic!("server {pid} still runs after {EXIT_WITHIN:?}"))
    }

    /// shutdown + exit: the session is alive to the end and exits 0.
    fn shutdown_cleanly(&mut self) {
        assert_eq!(self.lsp.request("shutdown", Value::Null), Value::Null);
        self.lsp.notify("exit", Value::Null);
        let status = self.exit_status();
        assert_eq!(status.code(), Some(0), "{status:?}");
    }
}

/// VmRSS of process `pid` in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .unwrap_or_else(|| panic!("no VmRSS in /proc/{pid}/status"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn invalid_json_is_a_parse_error_and_the_session_goes_on() {
    let mut s = Session::initialized();
    // Truncated JSON with a true Content-Length.
    s.send_body(br#"{"jsonrpc":"2.0","id":7,"method":"#);
    let e = s.error_for(Value::Null, "truncated JSON");
    assert_eq!(e["code"], PARSE_ERROR, "{e}");
    s.hover_answered();
    // Not UTF-8 at all.
    s.send_body(b"{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"\xff\xfe\"}");
    let e = s.error_for(Value::Null, "invalid UTF-8");
    assert_eq!(e["code"], PARSE_ERROR, "{e}");
    s.hover_answered();
    s.shutdown_cleanly();
}

#[test]
fn a_batch_is_an_invalid_request_and_the_session_goes_on() {
    let mut s = Session::initialized();
    s.send_body(
        br#"[{"jsonrpc":"2.0","id":40,"method":"shutdown"},{"jsonrpc":"2.0","method":"exit"}]"#,
    );
    let e = s.error_for(Value::Null, "the batch");
    assert_eq!(e["code"], INVALID_REQUEST, "{e}");
    // Nothing of the batch was run: no shutdown answer, the server still serves.
    s.hover_answered();
    // (A shutdown run from the batch would make this second one an error.)
    s.shutdown_cleanly();
}

#[test]
fn wrong_jsonrpc_versions_and_non_requests_are_invalid_requests_with_their_id() {
    let mut s = Session::initialized();
    let hover = json!({
        "textDocument": {"uri": "file:///nowhere/main.go"},
        "position": {"line": 0, "character": 0}
    });
    let v1 = json!({"jsonrpc": "1.0", "id": 9, "method": "textDocument/hover", "params": hover});
    s.send_body(v1.to_string().as_bytes());
    let e = s.error_for(json!(9), "jsonrpc 1.0");
    assert_eq!(e["code"], INVALID_REQUEST, "{e}");
    s.hover_answered();

    let no_version = json!({"id": "ten", "method": "textDocument/hover", "params": hover});
    s.send_body(no_version.to_string().as_bytes());
    let e = s.error_for(json!("ten"), "no jsonrpc member");
    assert_eq!(e["code"], INVALID_REQUEST, "{e}");

    // A method that is not a string: tower-lsp could not read it as a request.
    s.send_body(br#"{"jsonrpc":"2.0","id":11,"method":5}"#);
    let e = s.error_for(json!(11), "a numeric method");
    assert_eq!(e["code"], INVALID_REQUEST, "{e}");

    for body in [&b"42"[..], b"\"hello\"", b"null"] {
        s.send_body(body);
        let e = s.error_for(Value::Null, "a body that is not an object");
        assert_eq!(e["code"], INVALID_REQUEST, "{e}");
    }
    s.hover_answered();
    s.shutdown_cleanly();
}

#[test]
fn a_header_without_content_length_is_refused_and_the_next_frame_is_read() {
    let mut s = Session::initialized();
    s.lsp
        .send_raw(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{\"x\":1}");
    let e = s.error_for(Value::Null, "a header without Content-Length");
    assert_eq!(e["code"], PARSE_ERROR, "{e}");
    s.hover_answered();
    s.lsp.send_raw(b"Content-Length: twelve\r\n\r\n");
    let e = s.error_for(Value::Null, "a Content-Length that is no number");
    assert_eq!(e["code"], PARSE_ERROR, "{e}");
    s.hover_answered();
    s.shutdown_cleanly();
}

/// A 1 GB claim is refused at once; its body is thrown away as it arrives, in bounded memory,
/// and the frame after it is served.
#[test]
fn a_gigabyte_content_length_is_refused_in_bounded_memory() {
    const CLAIM: usize = 1_000_000_000;
    const RSS_LIMIT_KIB: u64 = 40 * 1024;
    let mut s = Session::initialized();
    let pid = s.lsp.child.id();
    let before = rss_kib(pid);
    s.lsp
        .send_raw(format!("Content-Length: {CLAIM}\r\n\r\n").as_bytes());
    let e = s.error_for(Value::Null, "the 1 GB Content-Length");
    assert_eq!(e["code"], INVALID_REQUEST, "{e}");
    assert!(e["message"].as_str().unwrap().contains("1000000000"), "{e}");
    // Waiting for the body costs nothing.
    std::thread::sleep(Duration::from_millis(300));
    let waiting = rss_kib(pid);

    let chunk = vec![b' '; 1 << 20];
    let started = Instant::now();
    let mut sent = 0;
    let mut peak = waiting;
    while sent < CLAIM {
        let n = chunk.len().min(CLAIM - sent);
        s.lsp.send_raw(&chunk[..n]);
        sent += n;
        if (sent >> 20) % 32 == 0 {
            peak = peak.max(rss_kib(pid));
        }
    }
    let took = started.elapsed();
    s.hover_answered();
    let after = rss_kib(pid);
    peak = peak.max(after);
    println!(
        "VmRSS: {before} KiB initialized, {waiting} KiB waiting for the 1 GB body, \
         peak {peak} KiB while 1 GB was discarded in {took:.2?}, {after} KiB after"
    );
    assert!(peak < RSS_LIMIT_KIB, "peak VmRSS {peak} KiB");
    s.shutdown_cleanly();
}

/// A claim over the limit whose body never comes: refused, and the server still ends when
/// the client goes away.
#[test]
fn a_huge_claim_without_its_body_is_refused_and_stdin_closing_ends_the_server() {
    let mut s = Session::initialized();
    let pid = s.lsp.child.id();
    s.lsp.send_raw(b"Content-Length: 1000000000\r\n\r\n");
    let e = s.error_for(Value::Null, "the 1 GB Content-Length");
    assert_eq!(e["code"], INVALID_REQUEST, "{e}");
    std::thread::sleep(Duration::from_millis(300));
    let rss = rss_kib(pid);
    println!("VmRSS waiting for a 1 GB body that never comes: {rss} KiB");
    assert!(rss < 40 * 1024, "VmRSS {rss} KiB");
    s.lsp.close_stdin();
    let status = s.exit_status();
    assert_eq!(status.code(), Some(1), "no shutdown came: {status:?}");
}

#[test]
fn requests_before_initialize_are_server_not_initialized() {
    let mut s = Session::start();
    let resp = s.lsp.call(
        "textDocument/hover",
        json!({
            "textDocument": {"uri": "file:///nowhere/main.go"},
            "position": {"line": 0, "character": 0}
        }),
    );
    assert_eq!(resp["error"]["code"], SERVER_NOT_INITIALIZED, "{resp}");
    let resp = s.lsp.call("shutdown", Value::Null);
    assert_eq!(resp["error"]["code"], SERVER_NOT_INITIALIZED, "{resp}");
    s.initialize(None);
    s.hover_answered();
    s.shutdown_cleanly();
}

#[test]
fn unknown_methods_and_wrong_params_are_answered_and_the_session_goes_on() {
    let mut s = Session::initialized();
    let resp = s.lsp.call("goEnvDoctor/noSuchMethod", json!({}));
    assert_eq!(resp["error"]["code"], METHOD_NOT_FOUND, "{resp}");
    // Unknown notifications are dropped without an answer.
    s.lsp.notify("goEnvDoctor/noSuchNotification", json!({}));
    s.lsp.notify("$/noSuchNotification", json!({}));
    let resp = s.lsp.call("textDocument/hover", json!("main.go:1:1"));
    assert_eq!(resp["error"]["code"], INVALID_PARAMS, "{resp}");
    let resp = s.lsp.call("textDocument/hover", json!({"position": 3}));
    assert_eq!(resp["error"]["code"], INVALID_PARAMS, "{resp}");
    let resp = s
        .lsp
        .call("workspace/executeCommand", json!({"command": 1}));
    assert_eq!(resp["error"]["code"], INVALID_PARAMS, "{resp}");
    // A notification with wrong params is dropped, the session goes on.
    s.lsp
        .notify("textDocument/didOpen", json!("not a document"));
    s.hover_answered();
    s.shutdown_cleanly();
}

/// 500 changes to an open settings file in one burst (each re-diagnoses it), then a request.
#[test]
fn a_burst_of_500_changes_then_a_request_is_answered() {
    let mut s = Session::start();
    let folder = s._dir.path().canonicalize().unwrap().join("ws");
    std::fs::create_dir_all(folder.join(".vscode")).unwrap();
    std::fs::write(folder.join("go.mod"), "module example.com/ws\n\ngo 1.22\n").unwrap();
    let settings = folder.join(".vscode/settings.json");
    std::fs::write(&settings, "{}\n").unwrap();
    s.initialize(Some(&folder));
    s.lsp.wait_first_check();
    let uri = file_uri(&settings);
    s.lsp.open_document(&uri, "jsonc", 1, "{}\n");
    let started = Instant::now();
    for v in 0..500 {
        s.lsp
            .insert_text(&uri, 2 + v, (0, 1), &format!(" \"k{v}\": {v},"));
    }
    let report = s.lsp.report();
    let took = started.elapsed();
    println!("500 didChange then a report: answered {took:.2?} after the first change");
    assert!(report.as_str().unwrap().contains("go-env-doctor report"));
    s.hover_answered();
    s.shutdown_cleanly();
}

#[test]
fn shutdown_then_exit_exits_0() {
    let mut s = Session::initialized();
    s.shutdown_cleanly();
}

#[test]
fn exit_without_shutdown_exits_1() {
    let mut s = Session::initialized();
    s.lsp.notify("exit", Value::Null);
    let status = s.exit_status();
    assert_eq!(status.code(), Some(1), "{status:?}");

    // Before initialize too.
    let mut s = Session::start();
    s.lsp.notify("exit", Value::Null);
    let status = s.exit_status();
    assert_eq!(status.code(), Some(1), "{status:?}");

    // A shutdown refused (not initialized) is no shutdown.
    let mut s = Session::start();
    let resp = s.lsp.call("shutdown", Value::Null);
    assert_eq!(resp["error"]["code"], SERVER_NOT_INITIALIZED, "{resp}");
    s.lsp.notify("exit", Value::Null);
    let status = s.exit_status();
    assert_eq!(status.code(), Some(1), "{status:?}");
}

#[test]
fn shutdown_twice_and_requests_after_shutdown_are_invalid_requests() {
    let mut s = Session::initialized();
    assert_eq!(s.lsp.request("shutdown", Value::Null), Value::Null);
    let resp = s.lsp.call("shutdown", Value::Null);
    assert_eq!(resp["error"]["code"], INVALID_REQUEST, "{resp}");
    let resp = s.lsp.call(
        "textDocument/hover",
        json!({
            "textDocument": {"uri": "file:///nowhere/main.go"},
            "position": {"line": 0, "character": 0}
        }),
    );
    assert_eq!(resp["error"]["code"], INVALID_REQUEST, "{resp}");
    s.lsp.notify("exit", Value::Null);
    let status = s.exit_status();
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn stdin_closed_mid_message_ends_the_server() {
    // Mid-body.
    let mut s = Session::initialized();
    s.lsp
        .send_raw(b"Content-Length: 100\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":3,");
    s.lsp.close_stdin();
    let status = s.exit_status();
    assert_eq!(status.code(), Some(1), "no shutdown came: {status:?}");

    // Mid-header, after a shutdown: the client had finished with us.
    let mut s = Session::initialized();
    assert_eq!(s.lsp.request("shutdown", Value::Null), Value::Null);
    s.lsp.send_raw(b"Content-Len");
    s.lsp.close_stdin();
    let status = s.exit_status();
    assert_eq!(status.code(), Some(0), "{status:?}");
}
