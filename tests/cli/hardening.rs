//! Hostile inputs and failing `go`: `check` and the language server must report them, never
//! hang, crash, eat memory or say "no issues".
//!
//! Special files (FIFOs, `/dev/zero`, `/dev/stdin`) stand where settings files, go.mod, go.work,
//! `.idea/workspace.xml` and the go env file belong; go.mod holds what cmd/go refuses; GOROOT
//! names a device; the real Go fails (an unknown GOEXPERIMENT) or hangs (reading a FIFO go env
//! file). Only what real Go cannot be made to do uses a fake `go` (a shell script), and each
//! such test says so.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;

use crate::support::lsp;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GO122: &str = "1.22.10";
/// No `check` may take longer (the slowest scenario waits for go's 10 s deadline).
const RUN_DEADLINE: Duration = Duration::from_secs(40);

struct World {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    folder: PathBuf,
    env: BTreeMap<String, String>,
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    /// Peak resident set of `check` itself, in KiB (sampled every 2 ms).
    max_rss_kib: i64,
}

impl World {
    fn new() -> World {
        let (dir, root) = lsp::temp_root("ged-hard-");
        let home = root.join("home");
        let folder = root.join("ws");
        std::fs::create_dir_all(home.join(".config/go")).unwrap();
        std::fs::create_dir_all(folder.join(".vscode")).unwrap();
        std::fs::write(folder.join("go.mod"), "module example.com/m\n\ngo 1.21\n").unwrap();
        std::fs::write(root.join("user-settings.json"), "{}\n").unwrap();
        let go = support::goroot(GO122);
        let env: BTreeMap<String, String> = [
            ("HOME", home.display().to_string()),
            ("PATH", format!("{}/bin:/usr/bin:/bin", go.display())),
            (
                "GO_ENV_DOCTOR_USER_SETTINGS",
                root.join("user-settings.json").display().to_string(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        World {
            _dir: dir,
            root,
            home,
            folder,
            env,
        }
    }

    fn env_file(&self) -> PathBuf {
        self.home.join(".config/go/env")
    }

    /// A fake `go` first on PATH (only for failures real Go cannot produce).
    fn fake_go(&mut self, script: &str) -> PathBuf {
        let dir = self.root.join("fake/bin");
        std::fs::create_dir_all(&dir).unwrap();
        let go = dir.join("go");
        std::fs::write(&go, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
        self.env
            .insert("PATH".into(), format!("{}:/usr/bin:/bin", dir.display()));
        go
    }

    /// `check <folder> --no-shell --format json`, with a deadline and the peak RSS measured.
    fn check(&self) -> (Run, Value) {
        let mut cmd = Command::new(support::bin());
        cmd.args(["check", &self.folder.display().to_string()])
            .args(["--no-shell", "--format", "json"])
            .env_clear()
            .envs(&self.env)
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let run = run_measured(cmd);
        let json: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
            panic!(
                "not a JSON report ({e}); exit {:?}\nstdout: {}\nstderr: {}",
                run.code, run.stdout, run.stderr
            )
        });
        (run, json)
    }
}

fn run_measured(mut cmd: Command) -> Run {
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    // A watchdog (a hang fails the test instead of blocking the suite) that also samples the
    // peak RSS of check itself (VmHWM of its own address space since exec). wait4's ru_maxrss
    // would not do: a forked child starts with the test process's own high-water mark.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop_w = stop.clone();
    let watchdog = std::thread::spawn(move || {
        let mut peak_kib: i64 = 0;
        let status_file = format!("/proc/{pid}/status");
        while !stop_w.load(std::sync::atomic::Ordering::SeqCst) {
            if start.elapsed() > RUN_DEADLINE {
                // SAFETY: kill only sends a signal to our own (unreaped) child.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
            if let Ok(text) = std::fs::read_to_string(&status_file) {
                if let Some(kib) = text
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<i64>().ok())
                {
                    peak_kib = peak_kib.max(kib);
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        peak_kib
    });
    let mut status: libc::c_int = 0;
    // SAFETY: `pid` is our child, not yet reaped (std's Child never waits on its own).
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let max_rss_kib = watchdog.join().unwrap();
    assert_eq!(waited, pid, "waitpid failed");
    let elapsed = start.elapsed();
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    assert!(
        elapsed < RUN_DEADLINE,
        "check was killed after {elapsed:?}: a hang"
    );
    std::mem::forget(child);
    Run {
        code,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
        elapsed,
        max_rss_kib,
    }
}

fn findings(json: &Value) -> Vec<Value> {
    json["findings"].as_array().cloned().unwrap_or_default()
}

/// The finding `code` (with `severity`), and the exit code 1 that any error implies.
fn expect(run: &Run, json: &Value, code: &str, severity: &str) -> Value {
    let f = findings(json)
        .into_iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| {
            panic!(
                "no {code} in {}\nstderr: {}",
                serde_json::to_string_pretty(json).unwrap(),
                run.stderr
            )
        });
    assert_eq!(f["severity"], severity, "{f:#}");
    if severity == "error" {
        assert_eq!(run.code, Some(1), "an error finding exits 1: {f:#}");
    }
    f
}

fn message_has(f: &Value, parts: &[&str]) {
    let msg = f["message"].as_str().unwrap_or("");
    for p in parts {
        assert!(msg.contains(p), "message lacks {p:?}: {msg}");
    }
}

fn located(f: &Value, path: &Path, line: u64) {
    assert_eq!(
        f["locations"][0]["path"].as_str().map(PathBuf::from),
        Some(path.to_path_buf()),
        "{f:#}"
    );
    assert_eq!(f["locations"][0]["line"].as_u64(), Some(line), "{f:#}");
}

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo {}", p.display());
}

// =============================================================================================
// Special files
// =============================================================================================

/// A FIFO (no writer) where each file we read belongs: reading it would block forever. Each
/// must be reported with the reason, at once.
#[test]
fn fifos_are_reported_not_read() {
    let cases: &[(&str, &str)] = &[
        (".vscode/settings.json", "settings-unparseable"),
        ("ws.code-workspace", "settings-unparseable"),
        (".idea/workspace.xml", "settings-unparseable"),
        ("go.mod", "gomod-invalid"),
        ("go.work", "gomod-invalid"),
    ];
    for (rel, code) in cases {
        let w = World::new();
        let path = w.folder.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let _ = std::fs::remove_file(&path);
        mkfifo(&path);
        let (run, json) = w.check();
        println!("FIFO {rel}: check took {:?}", run.elapsed);
        assert!(
            run.elapsed < Duration::from_secs(8),
            "FIFO {rel}: check took {:?}",
            run.elapsed
        );
        let f = findings(&json)
            .into_iter()
            .find(|f| f["code"] == *code && f["locations"][0]["path"] == path.display().to_string())
            .unwrap_or_else(|| panic!("FIFO {rel}: no {code} on it in {json:#}"));
        message_has(&f, &["not a regular file (a FIFO)"]);
        located(&f, &path, 1);
        assert_eq!(run.code, Some(1), "FIFO {rel}");
    }
}

/// `.vscode/settings.json` → `/dev/zero` made check read until it held ~470 MB.
#[test]
fn settings_linked_to_dev_zero_is_refused_at_once() {
    let w = World::new();
    let settings = w.folder.join(".vscode/settings.json");
    symlink("/dev/zero", &settings).unwrap();
    let (run, json) = w.check();
    println!(
        "settings.json -> /dev/zero: {:?}, peak RSS {} MiB",
        run.elapsed,
        run.max_rss_kib / 1024
    );
    let f = expect(&run, &json, "settings-unparseable", "error");
    message_has(&f, &["not a regular file (a character device)"]);
    located(&f, &settings, 1);
    assert!(
        run.max_rss_kib < 100 * 1024,
        "peak RSS {} KiB",
        run.max_rss_kib
    );
}

/// A FIFO go env file hangs the REAL go (cmd/go reads the file): the env file is reported as
/// unreadable, and the editor's go as timed out, with its command.
#[test]
fn a_fifo_env_file_and_the_real_go_hanging_on_it_are_both_reported() {
    let w = World::new();
    mkfifo(&w.env_file());
    let (run, json) = w.check();
    println!("FIFO go env file: check took {:?}", run.elapsed);
    let f = expect(&run, &json, "settings-unparseable", "error");
    message_has(&f, &["go env file", "not a regular file (a FIFO)"]);
    located(&f, &w.env_file(), 1);
    let f = expect(&run, &json, "go-failed", "error");
    message_has(
        &f,
        &[
            "This terminal's go",
            "env -json` timed out after 10 s",
            "/bin/go",
        ],
    );
    assert!(run.elapsed < Duration::from_secs(20), "{:?}", run.elapsed);
}

// =============================================================================================
// go.mod that cmd/go refuses
// =============================================================================================

#[test]
fn go_mod_errors_are_located_at_their_line() {
    let cases: &[(&str, u64, &[&str])] = &[
        (
            "module m\n\ngo 1.99999999999999999999\n",
            3,
            &["go.mod:3: go version '1.99999999999999999999' is no Go release"],
        ),
        (
            "module m\n\ngo 1.21\ngo 1.22\n",
            4,
            &["go.mod:4: repeated go statement"],
        ),
        (
            "module m\n\ngo banana\n",
            3,
            &["go.mod:3: invalid go version 'banana': must match format 1.23.0"],
        ),
        (
            "module m\n\ngo 1.21\n\nrequire (\n\tfoo.org/x v1.0.0\n",
            5,
            &["go.mod:7: syntax error (unterminated block started at go.mod:5:1)"],
        ),
    ];
    for (text, line, parts) in cases {
        let w = World::new();
        let go_mod = w.folder.join("go.mod");
        std::fs::write(&go_mod, text).unwrap();
        let (run, json) = w.check();
        let f = expect(&run, &json, "gomod-invalid", "error");
        message_has(&f, parts);
        located(&f, &go_mod, *line);
    }
}

/// The real cmd/go agrees with the wording above (the texts are its own).
#[test]
fn the_real_go_words_the_same_errors() {
    let w = World::new();
    for (text, want) in [
        (
            "module m\n\ngo 1.21\ngo 1.22\n",
            "go.mod:4: repeated go statement",
        ),
        (
            "module m\n\ngo banana\n",
            "go.mod:3: invalid go version 'banana': must match format 1.23.0",
        ),
        (
            "module m\n\ngo 1.21\n\nrequire (\n\tfoo.org/x v1.0.0\n",
            "go.mod:7: syntax error (unterminated block started at go.mod:5:1)",
        ),
    ] {
        std::fs::write(w.folder.join("go.mod"), text).unwrap();
        let out = Command::new(support::go_binary(GO122))
            .args(["list", "-m"])
            .env_clear()
            .env("HOME", &w.home)
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off")
            .current_dir(&w.folder)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(want), "{want:?} not in {stderr}");
    }
}

// =============================================================================================
// GOROOT and go itself
// =============================================================================================

#[test]
fn goroot_naming_a_device_is_not_a_goroot() {
    let mut w = World::new();
    w.env.insert("GOROOT".into(), "/dev/zero".into());
    let (run, json) = w.check();
    let f = expect(&run, &json, "goroot-not-a-goroot", "error");
    message_has(&f, &["/dev/zero", "not a directory"]);
}

/// The real go exits 2 on an unknown GOEXPERIMENT.
#[test]
fn a_failing_real_go_is_reported_with_its_exit_code_and_stderr() {
    let mut w = World::new();
    w.env.insert("GOEXPERIMENT".into(), "banana".into());
    let (run, json) = w.check();
    let f = expect(&run, &json, "go-failed", "error");
    message_has(
        &f,
        &[
            "This terminal's go",
            "env -json` exited with code 2",
            "unknown GOEXPERIMENT banana",
        ],
    );
    located(&f, &w.folder.join("go.mod"), 1);
}

/// Fake go: real Go never answers `go env -json` with something that is not JSON.
#[test]
fn a_go_printing_garbage_is_reported() {
    let mut w = World::new();
    let go = w.fake_go("echo 'Welcome to my go wrapper!'");
    let (run, json) = w.check();
    let f = expect(&run, &json, "go-failed", "error");
    message_has(
        &f,
        &[
            &go.display().to_string(),
            "printed something that is not JSON",
        ],
    );
}

/// Fake go: real Go cannot be made to print 500 MB. check must keep its memory bounded and
/// refuse the output.
#[test]
fn a_go_printing_500_mb_is_refused_with_bounded_memory() {
    let mut w = World::new();
    w.fake_go("exec head -c 524288000 /dev/zero");
    let (run, json) = w.check();
    println!(
        "fake go printing 500 MB: check took {:?}, peak RSS {} MiB ({} KiB)",
        run.elapsed,
        run.max_rss_kib / 1024,
        run.max_rss_kib
    );
    let f = expect(&run, &json, "go-failed", "error");
    message_has(&f, &["more than 4 MiB on stdout"]);
    assert!(
        run.max_rss_kib < 64 * 1024,
        "peak RSS {} KiB for a 500 MB go",
        run.max_rss_kib
    );
}

// =============================================================================================
// The go env file at scale
// =============================================================================================

/// 40 000 lines used to take 27 s (a scan of the file per key). Parsing and checking it must be
/// linear: well under a second in practice; the bound is generous for loaded machines.
#[test]
fn a_40k_line_env_file_is_parsed_and_checked_quickly() {
    use go_env_doctor::model::Snapshot;
    let mut text = String::new();
    for i in 0..40_000 {
        text.push_str(&format!("GOFOO{i}=value{i}\n"));
    }
    text.push_str("GOPROXY=off\n");
    let path = Path::new("/home/u/.config/go/env");
    let start = Instant::now();
    let file = go_env_doctor::settings::envfile::parse(path, &text);
    let parsed = start.elapsed();
    assert_eq!(file.entries.len(), 40_001);
    let mut snap = Snapshot {
        folder: PathBuf::from("/w"),
        ..Snapshot::default()
    };
    snap.editor.env_file = Some(file);
    // Every rule, with fix simulation (each re-resolves both sides).
    let findings = go_env_doctor::rules::check(&snap);
    let editor =
        go_env_doctor::rules::resolve::effective(&snap, go_env_doctor::model::SideKind::Editor)
            .unwrap();
    let total = start.elapsed();
    println!(
        "40k-line go env file: parsed in {parsed:?}; parsed, resolved and checked ({} findings) in {total:?}",
        findings.len()
    );
    let proxy = editor.get("GOPROXY").unwrap();
    assert_eq!(proxy.value, "off");
    assert_eq!(
        proxy.origin,
        go_env_doctor::model::Origin::EnvFile {
            path: path.to_path_buf(),
            line: 40_001
        }
    );
    // cmd/go knows no GOFOO… variable: such lines have no effect and are not shown.
    assert!(editor.get("GOFOO39999").is_none());
    assert!(total < Duration::from_secs(2), "took {total:?}");
}

// =============================================================================================
// The language server
// =============================================================================================

/// go.mod → /dev/stdin: reading it would consume the client's own messages. The server must
/// refuse it, and still answer hover and shutdown.
#[test]
fn lsp_with_go_mod_linked_to_stdin_still_answers() {
    let w = World::new();
    let go_mod = w.folder.join("go.mod");
    std::fs::remove_file(&go_mod).unwrap();
    symlink("/dev/stdin", &go_mod).unwrap();
    let argv = [
        support::bin().into_os_string(),
        "serve".into(),
        "--stdio".into(),
    ];
    let mut client = lsp::Client::start(&argv, &w.env, &w.root, Stdio::inherit());
    client.initialize_folder(
        &w.folder,
        "ws",
        json!({"general": {"positionEncodings": ["utf-16"]}}),
        json!({"userSettings": w.root.join("user-settings.json"), "shell": support::shell("bash")}),
    );
    let diags = client.wait_diagnostic(&go_mod, "gomod-invalid");
    let d = lsp::find_code(&diags, "gomod-invalid");
    let msg = d["message"].as_str().unwrap();
    assert!(msg.contains("not a regular file"), "{msg}");
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": lsp::file_uri(&go_mod)}, "position": {"line": 0, "character": 0}}),
    );
    // Nothing to show on a file that cannot be read; what matters is the answer.
    assert!(hover.is_null() || hover.is_object(), "{hover}");
    let status = client.shutdown();
    assert!(status.success(), "{status:?}");
}

/// A quick fix for a file that is not open is computed from the disk when asked for. When the
/// file changed since the problem was found (another program, the user outside the editor),
/// the fix decided on the old text must not be applied to the new one: it is offered disabled.
#[test]
fn lsp_refuses_a_fix_for_an_unopened_file_that_changed_on_disk() {
    let w = World::new();
    let settings = w.folder.join(".vscode/settings.json");
    std::fs::write(
        &settings,
        "{\n  \"go.goroot\": \"/nonexistent/sdk/go\"\n}\n",
    )
    .unwrap();
    let argv = [
        support::bin().into_os_string(),
        "serve".into(),
        "--stdio".into(),
    ];
    let mut client = lsp::Client::start(&argv, &w.env, &w.root, Stdio::inherit());
    client.initialize_folder(
        &w.folder,
        "ws",
        json!({
            "general": {"positionEncodings": ["utf-16"]},
            "workspace": {"workspaceEdit": {"documentChanges": true}}
        }),
        json!({"userSettings": w.root.join("user-settings.json"), "shell": support::shell("bash")}),
    );
    let diags = client.wait_diagnostic(&settings, "goroot-missing");
    let diag = lsp::find_code(&diags, "goroot-missing");
    let uri = lsp::file_uri(&settings);

    // Unchanged: the fix is an edit of the file.
    let actions = client.code_actions(&uri, &diag);
    let first = &actions[0];
    assert!(first["edit"].is_object(), "{actions:#}");
    assert!(first.get("disabled").is_none(), "{actions:#}");

    // The user points go.goroot somewhere else in another editor; the old problem's fix
    // ("remove go.goroot") would now delete the new value.
    std::fs::write(&settings, "{\n  \"go.goroot\": \"/opt/other/go\"\n}\n").unwrap();
    let actions = client.code_actions(&uri, &diag);
    let list = actions.as_array().unwrap();
    assert!(!list.is_empty(), "{actions:#}");
    for a in list {
        assert!(a["edit"].is_null(), "a stale edit was offered: {a:#}");
        let reason = a["disabled"]["reason"].as_str().unwrap_or("");
        assert!(reason.contains("changed on disk"), "{a:#}");
    }
    let status = client.shutdown();
    assert!(status.success(), "{status:?}");
}
