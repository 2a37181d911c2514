//! A minimal LSP client over a child's stdio (real `Content-Length` framing), for running an
//! editor configuration's exact command line: initialize, wait for a diagnostic, ask for its
//! code actions, shut down. Also a GoLand-style world: a temp HOME whose login shell uses Go
//! 1.22.10 and a project whose `.idea/workspace.xml` pins Go 1.21.13.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

pub const WAIT: Duration = Duration::from_secs(60);

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
        let dir = tempfile::Builder::new()
            .prefix("gededitor-")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path().canonicalize().unwrap();
        let home = root.join("home");
        let folder = root.join("shop");
        std::fs::create_dir_all(home.join("sdk")).unwrap();
        std::fs::create_dir_all(folder.join(".idea")).unwrap();
        symlink(
            crate::support::goroot("1.21.13"),
            home.join("sdk/go1.21.13"),
        )
        .unwrap();
        std::fs::write(
            home.join(".bash_profile"),
            format!(
                "export PATH={}/bin:/usr/bin:/bin\n",
                crate::support::goroot("1.22.10").display()
            ),
        )
        .unwrap();
        std::fs::write(
            folder.join("go.mod"),
            "module example.com/shop\n\ngo 1.21\n",
        )
        .unwrap();
        std::fs::write(folder.join(".idea/workspace.xml"), PINNED_XML).unwrap();
        let bin_dir = crate::support::bin().parent().unwrap().to_path_buf();
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

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// What `workspace/configuration` is answered with (per requested item).
    pub config: Value,
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
    std::io::Read::read_exact(r, &mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    /// Spawns `argv` (an editor configuration's command line) in `world` with a clean
    /// environment: HOME, PATH (finding the built `go-env-doctor`), SHELL=bash.
    pub fn spawn(argv: &[String], world: &World, config: Value) -> Client {
        let (program, args) = argv.split_first().expect("a command line");
        let mut child = Command::new(program)
            .args(args)
            .env_clear()
            .env("HOME", &world.home)
            .env("PATH", &world.path)
            .env("SHELL", crate::support::shell("bash"))
            .current_dir(&world.folder)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
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
            stdin,
            rx,
            next_id: 1,
            config,
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        write_frame(
            &mut self.stdin,
            &json!({"jsonrpc": "2.0", "method": method, "params": params}),
        );
    }

    /// Answers the server's requests; returns notifications and responses.
    fn recv(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let msg = self.rx.recv_timeout(left).ok()?;
            if let (Some(id), Some(method)) = (msg.get("id"), msg["method"].as_str()) {
                let result = match method {
                    "workspace/configuration" => {
                        let n = msg["params"]["items"].as_array().map_or(1, Vec::len);
                        Value::Array(vec![self.config.clone(); n])
                    }
                    _ => Value::Null,
                };
                write_frame(
                    &mut self.stdin,
                    &json!({"jsonrpc": "2.0", "id": id, "result": result}),
                );
                continue;
            }
            return Some(msg);
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
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
                .unwrap_or_else(|| panic!("no answer to {method}"));
            if msg["id"] == id && msg.get("method").is_none() {
                assert!(msg.get("error").is_none(), "{method} failed: {msg}");
                return msg["result"].clone();
            }
        }
    }

    /// initialize (UTF-16, workspace/configuration, versioned document changes) + initialized.
    pub fn initialize(&mut self, folder: &Path, init_options: Value) -> Value {
        let uri = file_uri(folder);
        let result = self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": "shop"}],
                "initializationOptions": init_options,
                "capabilities": {
                    "general": {"positionEncodings": ["utf-16"]},
                    "workspace": {
                        "configuration": true,
                        "workspaceEdit": {"documentChanges": true},
                        "workspaceFolders": true
                    },
                    "textDocument": {"codeAction": {"codeActionLiteralSupport": {
                        "codeActionKind": {"valueSet": ["quickfix"]}}}}
                }
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    /// The first non-empty diagnostics published for `path` that contain `code`.
    pub fn wait_diagnostic(&mut self, path: &Path, code: &str) -> Vec<Value> {
        let uri = file_uri(path);
        let deadline = Instant::now() + WAIT;
        loop {
            let msg = self
                .recv(deadline)
                .unwrap_or_else(|| panic!("no {code} diagnostic for {uri}"));
            if msg["method"] == "textDocument/publishDiagnostics" && msg["params"]["uri"] == uri {
                let diags = msg["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                if diags.iter().any(|d| d["code"] == code) {
                    return diags;
                }
            }
        }
    }

    pub fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("the server did not exit after shutdown/exit");
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Applies LSP text edits (UTF-16 positions) to `text`.
pub fn apply_utf16(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| -> usize {
        let line = pos["line"].as_u64().unwrap() as usize;
        let ch = pos["character"].as_u64().unwrap() as usize;
        let mut start = 0;
        for _ in 0..line {
            start += text[start..]
                .find('\n')
                .map_or(text.len() - start, |i| i + 1);
        }
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= ch {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
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
