//! The red-team suite: hostile workspaces, orphaned processes, leaked secrets, hostile files,
//! protocol abuse and a misbehaving `go`, each tried against the real binary the way an
//! attacker or a careless user would. Every case says what it tried; the run prints
//! `red-team: S survived / N run` and fails unless every case survived.
//!
//! The `go` a hostile workspace ships is a recording wrapper around a real Go toolchain: when
//! it runs it appends to a marker file, then execs the real `go`. A case survives when the
//! marker stays absent; the trusted control case proves the wrapper does record when run.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;

use crate::support::lsp;

use lsp::{file_uri, Client};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

type Outcome = Result<(), String>;

struct Case {
    category: &'static str,
    name: &'static str,
    run: fn() -> Outcome,
}

macro_rules! case {
    ($category:literal, $f:ident) => {
        Case {
            category: $category,
            name: stringify!($f),
            run: $f,
        }
    };
}

#[test]
fn red_team() {
    let cases = [
        case!(
            "workspace",
            trusted_control_the_wrapper_records_when_it_runs
        ),
        case!("workspace", relative_path_entry_bin_go),
        case!("workspace", login_shell_puts_node_modules_bin_first),
        case!("workspace", login_shell_puts_the_folders_bin_first),
        case!("workspace", rc_file_sources_dot_envrc),
        case!("workspace", rc_file_hook_reads_pwd),
        case!("workspace", folder_settings_go_goroot),
        case!("workspace", folder_settings_alternate_tools),
        case!("workspace", user_settings_go_goroot_into_the_workspace),
        case!("workspace", editor_environment_goroot_into_the_workspace),
        case!("workspace", tools_env_vars_goroot),
        case!("workspace", tools_env_vars_cc),
        case!("workspace", tools_env_vars_goflags_toolexec),
        case!("workspace", tools_env_vars_goenv_file_with_cc_and_toolchain),
        case!("workspace", tools_env_vars_path),
        case!("workspace", gopls_build_env_goroot),
        case!("workspace", idea_workspace_goroot),
        case!("workspace", go_mod_toolchain_line_names_a_path_binary),
        case!("orphans", rc_file_background_jobs_and_daemons),
        case!("orphans", ctrl_c_during_the_shell_probe),
        case!("orphans", sigterm_during_the_shell_probe),
        case!("orphans", client_exits_mid_check),
        case!("orphans", client_closes_stdin_mid_check),
        case!("orphans", server_killed_with_sigkill_mid_check),
        case!("orphans", a_running_server_ends_them_after_its_diagnostics),
        case!(
            "secrets",
            proxy_passwords_with_url_delimiters_in_every_format
        ),
        case!("secrets", schemeless_credentials_in_tables_and_report),
        case!("secrets", credentials_in_other_url_variables),
        case!("secrets", trace_logs_and_hover_of_client_settings),
        case!("files", fifo_as_settings_go_mod_and_go_work),
        case!("files", settings_linked_to_dev_zero),
        case!("files", directory_as_settings_file),
        case!("files", unreadable_settings_file_as_another_user),
        case!("files", go_mod_linked_to_the_servers_stdin),
        case!("files", go_that_hangs),
        case!("files", go_that_prints_garbage),
        case!("protocol", invalid_json_then_a_request),
        case!("protocol", batch_and_wrong_version),
        case!("protocol", a_one_gigabyte_content_length),
        case!("protocol", exit_without_shutdown_is_code_1),
    ];
    let mut survived = 0;
    let mut failures = Vec::new();
    for case in &cases {
        let start = Instant::now();
        let outcome = std::panic::catch_unwind(case.run).unwrap_or_else(|panic| {
            Err(panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panicked".into()))
        });
        let ms = start.elapsed().as_millis();
        match outcome {
            Ok(()) => {
                survived += 1;
                eprintln!("  survived  {:<10} {} ({ms} ms)", case.category, case.name);
            }
            Err(why) => {
                eprintln!(
                    "  FAILED    {:<10} {} ({ms} ms): {why}",
                    case.category, case.name
                );
                failures.push(format!("{}: {why}", case.name));
            }
        }
    }
    eprintln!("red-team: {survived} survived / {} run", cases.len());
    assert!(
        failures.is_empty(),
        "red-team failures:\n{}",
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// A hostile workspace
// ---------------------------------------------------------------------------------------------

/// A temp world: a HOME, a workspace folder with a go.mod, and a marker file that any
/// workspace-chosen program writes to when it runs.
struct World {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    ws: PathBuf,
    marker: PathBuf,
}

fn world() -> World {
    let dir = tempfile::Builder::new()
        .prefix("ged-redteam-")
        .tempdir()
        .expect("temp dir");
    let root = dunce::canonicalize(dir.path()).expect("canonical temp dir");
    let home = root.join("home");
    let ws = root.join("ws");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("go.mod"), "module example.com/x\n\ngo 1.21\n").unwrap();
    let marker = root.join("executed");
    World {
        _dir: dir,
        root,
        home,
        ws,
        marker,
    }
}

impl World {
    /// A program at `path` that records that it ran (and its arguments), then execs the real
    /// Go 1.22.10 `go` so a run that should not have happened still looks like Go.
    fn recording_go(&self, path: &Path) {
        self.recording(path, &format!("exec {} \"$@\"", go_real().display()));
    }

    /// A program at `path` that records that it ran, then runs `then`.
    fn recording(&self, path: &Path, then: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let script = format!(
            "#!/bin/sh\necho \"$0 $*\" >> '{}'\n{then}\n",
            self.marker.display()
        );
        std::fs::write(path, script).unwrap();
        set_mode(path, 0o755);
    }

    /// A fake GOROOT inside the workspace whose `bin/go` records.
    fn workspace_sdk(&self) -> PathBuf {
        let sdk = self.ws.join("sdk");
        for d in ["pkg/tool", "src"] {
            std::fs::create_dir_all(sdk.join(d)).unwrap();
        }
        std::fs::write(
            sdk.join("VERSION"),
            "go1.22.10\ntime 2024-11-27T20:27:20Z\n",
        )
        .unwrap();
        self.recording_go(&sdk.join("bin/go"));
        sdk
    }

    /// `~/.bash_profile` that puts the real Go first on PATH (Debian's /etc/profile resets
    /// PATH), then `rest`.
    fn profile(&self, rest: &str) {
        let go_dir = go_real().parent().unwrap().display().to_string();
        std::fs::write(
            self.home.join(".bash_profile"),
            format!("export PATH={go_dir}:$PATH\n{rest}"),
        )
        .unwrap();
    }

    fn settings(&self, json: &str) {
        std::fs::create_dir_all(self.ws.join(".vscode")).unwrap();
        std::fs::write(self.ws.join(".vscode/settings.json"), json).unwrap();
    }

    fn executed(&self) -> Option<String> {
        std::fs::read_to_string(&self.marker).ok()
    }

    /// The environment of a user whose PATH has the real Go 1.22.10 and the system tools.
    fn env(&self) -> Vec<(String, String)> {
        vec![
            ("HOME".into(), self.home.display().to_string()),
            (
                "PATH".into(),
                format!("{}:/usr/bin:/bin", go_real().parent().unwrap().display()),
            ),
            ("SHELL".into(), support::shell("bash").display().to_string()),
            // No user settings file of the developer's machine may leak in.
            (
                "GO_ENV_DOCTOR_USER_SETTINGS".into(),
                self.home.join("vscode-user.json").display().to_string(),
            ),
        ]
    }

    fn check(&self, args: &[&str], env: &[(String, String)]) -> Checked {
        let mut cmd = Command::new(support::bin());
        cmd.arg("check")
            .args(args)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.ws)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = cmd.spawn().expect("go-env-doctor starts");
        let out = wait_output(child, Duration::from_secs(60));
        Checked {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code(),
        }
    }

    /// `check` (untrusted) must not run the workspace's program; when `finding` is given, the
    /// report must say the go was inspected instead of run.
    fn untrusted_check(&self, args: &[&str], env: &[(String, String)], finding: bool) -> Outcome {
        let run = self.check(args, env);
        if let Some(ran) = self.executed() {
            return Err(format!("the workspace's program ran: {ran}"));
        }
        if run.code.is_none() || run.code == Some(2) {
            return Err(format!(
                "check did not complete: {:?}\n{}",
                run.code, run.stderr
            ));
        }
        if finding && !run.stdout.contains("untrusted-not-executed") {
            return Err(format!(
                "no untrusted-not-executed finding:\n{}",
                run.stdout
            ));
        }
        Ok(())
    }
}

struct Checked {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn go_real() -> PathBuf {
    support::go_binary("1.22.10")
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The child's output, read while it runs (a report larger than a pipe buffer would block it
/// otherwise); killed after `within`.
fn wait_output(child: std::process::Child, within: Duration) -> std::process::Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(within) {
        Ok(out) => out.expect("output"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("go-env-doctor did not finish within {within:?}");
        }
    }
}

fn with(mut env: Vec<(String, String)>, key: &str, value: String) -> Vec<(String, String)> {
    env.retain(|(k, _)| k != key);
    env.push((key.into(), value));
    env
}

fn trusted_control_the_wrapper_records_when_it_runs() -> Outcome {
    let w = world();
    let sdk = w.workspace_sdk();
    w.settings(&format!(r#"{{"go.goroot": "{}"}}"#, sdk.display()));
    w.check(&["--no-shell", "--trust"], &w.env());
    match w.executed() {
        Some(_) => Ok(()),
        None => Err("with --trust the workspace's go.goroot go should run and record".into()),
    }
}

fn relative_path_entry_bin_go() -> Outcome {
    let w = world();
    w.recording_go(&w.ws.join("bin/go"));
    let env = w.env();
    let path = format!("./bin:{}", env[1].1);
    w.untrusted_check(&["--no-shell"], &with(env, "PATH", path), true)
}

fn login_shell_puts_node_modules_bin_first() -> Outcome {
    let w = world();
    w.recording_go(&w.ws.join("node_modules/.bin/go"));
    w.profile("export PATH=./node_modules/.bin:$PATH\n");
    w.untrusted_check(&[], &w.env(), true)
}

fn login_shell_puts_the_folders_bin_first() -> Outcome {
    let w = world();
    w.recording_go(&w.ws.join("bin/go"));
    w.profile(&format!("export PATH={}/bin:$PATH\n", w.ws.display()));
    w.untrusted_check(&[], &w.env(), true)
}

fn rc_file_sources_dot_envrc() -> Outcome {
    let w = world();
    std::fs::write(
        w.ws.join(".envrc"),
        format!("echo envrc >> '{}'\n", w.marker.display()),
    )
    .unwrap();
    w.profile("[ -f ./.envrc ] && . ./.envrc\n");
    w.untrusted_check(&[], &w.env(), false)
}

fn rc_file_hook_reads_pwd() -> Outcome {
    let w = world();
    w.recording(&w.ws.join(".hook"), "true");
    std::fs::write(
        w.home.join(".bashrc"),
        "on_cd() { [ -x \"$PWD/.hook\" ] && \"$PWD/.hook\"; }\non_cd\n",
    )
    .unwrap();
    w.profile(". ~/.bashrc\n");
    w.untrusted_check(&[], &w.env(), false)
}

fn folder_settings_go_goroot() -> Outcome {
    let w = world();
    let sdk = w.workspace_sdk();
    w.settings(&format!(r#"{{"go.goroot": "{}"}}"#, sdk.display()));
    w.untrusted_check(&["--no-shell"], &w.env(), true)
}

fn folder_settings_alternate_tools() -> Outcome {
    let w = world();
    w.recording_go(&w.ws.join("tools/go"));
    w.settings(r#"{"go.alternateTools": {"go": "${workspaceFolder}/tools/go"}}"#);
    w.untrusted_check(&["--no-shell"], &w.env(), true)
}

fn user_settings_go_goroot_into_the_workspace() -> Outcome {
    let w = world();
    let sdk = w.workspace_sdk();
    std::fs::write(
        w.home.join("vscode-user.json"),
        format!(r#"{{"go.goroot": "{}"}}"#, sdk.display()),
    )
    .unwrap();
    w.untrusted_check(&["--no-shell"], &w.env(), true)
}

fn editor_environment_goroot_into_the_workspace() -> Outcome {
    let w = world();
    let sdk = w.workspace_sdk();
    let env = with(w.env(), "GOROOT", sdk.display().to_string());
    w.untrusted_check(&["--no-shell"], &env, true)
}

fn tools_env_vars_goroot() -> Outcome {
    let w = world();
    let sdk = w.workspace_sdk();
    w.settings(&format!(
        r#"{{"go.toolsEnvVars": {{"GOROOT": "{}"}}}}"#,
        sdk.display()
    ));
    // vscode-go never looks for `go` in a toolsEnvVars GOROOT (it runs PATH's go with that
    // GOROOT): the workspace's binary must not run, and there is no workspace `go` to report.
    w.untrusted_check(&["--no-shell"], &w.env(), false)
}

fn tools_env_vars_cc() -> Outcome {
    // `go env -json` with no names runs $CC to probe its flags; the tool names the variables
    // it wants, so cmd/go never starts the compiler.
    let w = world();
    w.recording(&w.ws.join("evil-cc"), "exit 1");
    w.settings(r#"{"go.toolsEnvVars": {"CC": "${workspaceFolder}/evil-cc", "CGO_ENABLED": "1"}}"#);
    w.untrusted_check(&["--no-shell"], &w.env(), false)
}

fn tools_env_vars_goflags_toolexec() -> Outcome {
    let w = world();
    w.recording(&w.ws.join("evil-toolexec"), "exec \"$@\"");
    w.settings(r#"{"go.toolsEnvVars": {"GOFLAGS": "-toolexec=${workspaceFolder}/evil-toolexec"}}"#);
    w.untrusted_check(&["--no-shell"], &w.env(), false)
}

fn tools_env_vars_goenv_file_with_cc_and_toolchain() -> Outcome {
    let w = world();
    w.recording(&w.ws.join("evil-cc"), "exit 1");
    w.recording_go(&w.ws.join("bin/go1.99.9"));
    std::fs::write(
        w.ws.join("evil.env"),
        format!("CC={}/evil-cc\nGOTOOLCHAIN=go1.99.9+path\n", w.ws.display()),
    )
    .unwrap();
    w.settings(
        r#"{"go.toolsEnvVars": {"GOENV": "${workspaceFolder}/evil.env", "PATH": "${workspaceFolder}/bin:/usr/bin:/bin"}}"#,
    );
    w.untrusted_check(&["--no-shell"], &w.env(), false)
}

fn tools_env_vars_path() -> Outcome {
    let w = world();
    w.recording_go(&w.ws.join("bin/go"));
    w.settings(r#"{"go.toolsEnvVars": {"PATH": "${workspaceFolder}/bin:/usr/bin:/bin"}}"#);
    w.untrusted_check(&["--no-shell"], &w.env(), false)
}

fn gopls_build_env_goroot() -> Outcome {
    let w = world();
    let sdk = w.workspace_sdk();
    w.settings(&format!(
        r#"{{"gopls": {{"build.env": {{"GOROOT": "{0}", "PATH": "{0}/bin"}}}}}}"#,
        sdk.display()
    ));
    w.untrusted_check(&["--no-shell"], &w.env(), false)
}

fn idea_workspace_goroot() -> Outcome {
    let w = world();
    w.workspace_sdk();
    std::fs::create_dir_all(w.ws.join(".idea")).unwrap();
    std::fs::write(
        w.ws.join(".idea/workspace.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"GOROOT\" url=\"file://$PROJECT_DIR$/sdk\" />\n</project>\n",
    )
    .unwrap();
    w.untrusted_check(&["--no-shell"], &w.env(), true)
}

fn go_mod_toolchain_line_names_a_path_binary() -> Outcome {
    // GOTOOLCHAIN=path (the user's own choice) would make `go` run `go1.99.9` from PATH,
    // because the workspace's go.mod asks for it; probes always run with GOTOOLCHAIN=local.
    let w = world();
    let tools = w.root.join("user-bin");
    w.recording_go(&tools.join("go1.99.9"));
    std::fs::write(
        w.ws.join("go.mod"),
        "module example.com/x\n\ngo 1.21\n\ntoolchain go1.99.9\n",
    )
    .unwrap();
    let env = w.env();
    let path = format!("{}:{}", tools.display(), env[1].1);
    let env = with(with(env, "PATH", path), "GOTOOLCHAIN", "path".into());
    w.untrusted_check(&["--no-shell"], &env, false)
}

// ---------------------------------------------------------------------------------------------
// Orphans
// ---------------------------------------------------------------------------------------------

static TAG: AtomicUsize = AtomicUsize::new(0);

/// A `sleep` duration no other process uses, to find our leftovers by their command line.
fn unique_sleep() -> String {
    let n = TAG.fetch_add(1, Ordering::SeqCst);
    format!("{}{:03}", 700_000 + std::process::id() % 100_000, n)
}

/// Live (not zombie) processes whose command line contains `needle`.
fn survivors(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return found;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        let zombie = stat
            .rsplit(')')
            .next()
            .is_some_and(|s| s.trim_start().starts_with('Z'));
        if cmdline.contains(needle) && !zombie {
            found.push(format!("{pid}: {cmdline}"));
        }
    }
    found
}

fn none_left(needle: &str) -> Outcome {
    // Killing is asynchronous: give the kernel a moment.
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let left = survivors(needle);
        if left.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            for p in &left {
                if let Some(pid) = p.split(':').next() {
                    let _ = Command::new("kill").args(["-9", pid]).status();
                }
            }
            return Err(format!("processes outlived the tool: {left:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn rc_file_background_jobs_and_daemons() -> Outcome {
    let w = world();
    let s = unique_sleep();
    w.profile(&format!("sleep {s}1 &\nsetsid -f sleep {s}2 </dev/null >/dev/null 2>&1\n(sleep {s}3 &)\nnohup sleep {s}4 >/dev/null 2>&1 &\n"));
    let run = w.check(&[], &w.env());
    if run.code.is_none() {
        return Err("check did not finish".into());
    }
    none_left(&format!("sleep {s}"))
}

fn signal_during_probe(signal: i32, expect_code: i32) -> Outcome {
    let w = world();
    let s = unique_sleep();
    w.profile(&format!(
        "setsid -f sleep {s}9 </dev/null >/dev/null 2>&1\nsleep {s}8\n"
    ));
    let mut child = Command::new(support::bin())
        .arg("check")
        .env_clear()
        .envs(w.env())
        .current_dir(&w.ws)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    // Wait until the rc file is sleeping: the probe is running.
    let deadline = Instant::now() + Duration::from_secs(10);
    while survivors(&format!("sleep {s}8")).is_empty() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the login shell never started".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: kill only sends a signal to our own child.
    unsafe { libc::kill(child.id() as i32, signal) };
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if start.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            let _ = child.wait();
            return Err("check did not stop within 5 s of the signal".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if status.code() != Some(expect_code) {
        return Err(format!("exit status {status:?}, expected {expect_code}"));
    }
    none_left(&format!("sleep {s}"))
}

fn ctrl_c_during_the_shell_probe() -> Outcome {
    signal_during_probe(libc::SIGINT, 130)
}

fn sigterm_during_the_shell_probe() -> Outcome {
    signal_during_probe(libc::SIGTERM, 143)
}

/// A language server on a world whose login profile is `profile`, initialized (untrusted).
fn server_with_profile(profile: &str) -> (World, Client) {
    let w = world();
    w.profile(profile);
    let mut client = Client::start(
        &[support::bin().display().to_string(), "serve".into()],
        w.env(),
        &w.ws,
        Stdio::null(),
    );
    client.initialize_folder(&w.ws, "ws", json!({}), json!({"trusted": false}));
    (w, client)
}

fn server_mid_check(end: fn(&mut Client)) -> Outcome {
    let s = unique_sleep();
    let (_w, mut client) = server_with_profile(&format!(
        "setsid -f sleep {s}7 </dev/null >/dev/null 2>&1\nsleep {s}6\n"
    ));
    let deadline = Instant::now() + Duration::from_secs(10);
    while survivors(&format!("sleep {s}6")).is_empty() {
        if Instant::now() > deadline {
            return Err("the login shell never started".into());
        }
        client.pump(Duration::from_millis(20));
    }
    end(&mut client);
    let start = Instant::now();
    loop {
        if client.child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(5) {
            let _ = client.child.kill();
            return Err("the server did not exit within 5 s".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    none_left(&format!("sleep {s}"))
}

fn client_exits_mid_check() -> Outcome {
    server_mid_check(|c| c.notify("exit", json!(null)))
}

fn client_closes_stdin_mid_check() -> Outcome {
    server_mid_check(|c| c.close_stdin())
}

/// A server that stays up ends what the rc file left behind too: the end of a login shell that
/// has answered waits for the check's diagnostics to be written, then runs.
fn a_running_server_ends_them_after_its_diagnostics() -> Outcome {
    let s = unique_sleep();
    let (_w, mut client) = server_with_profile(&format!(
        "sleep {s}1 &\nsetsid -f sleep {s}2 </dev/null >/dev/null 2>&1\n"
    ));
    client.wait_until("the first diagnostics", |c| {
        c.count("textDocument/publishDiagnostics") > 0
    });
    let deadline = Instant::now() + Duration::from_secs(3);
    while !survivors(&format!("sleep {s}")).is_empty() && Instant::now() < deadline {
        client.pump(Duration::from_millis(20));
    }
    let left = none_left(&format!("sleep {s}"));
    let _ = client.child.kill();
    let _ = client.child.wait();
    left
}

/// Nothing of the server runs after SIGKILL: the login shell's guard notices its parent died
/// and ends the probe (the rc file's sleep and the daemon it started in another session).
fn server_killed_with_sigkill_mid_check() -> Outcome {
    server_mid_check(|c| {
        let _ = c.child.kill();
    })
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

fn no_secret_in(outputs: &[(&str, &str)], secrets: &[&str]) -> Outcome {
    for (what, text) in outputs {
        for secret in secrets {
            if text.contains(secret) {
                return Err(format!("{what} shows the secret {secret:?}:\n{text}"));
            }
        }
    }
    Ok(())
}

fn proxy_passwords_with_url_delimiters_in_every_format() -> Outcome {
    for password in ["s3/cr#e?t", "two words", "com,ma", "at@sign"] {
        let w = world();
        let value = format!("https://alice:{password}@goproxy.corp.example,direct");
        w.profile(&format!("export GOPROXY='{value}'\n"));
        let mut outputs = Vec::new();
        for format in ["human", "json", "sarif", "github"] {
            let run = w.check(&["--format", format], &w.env());
            if format == "human" && !run.stdout.contains("goproxy-credentials") {
                return Err(format!("no goproxy-credentials finding:\n{}", run.stdout));
            }
            outputs.push((format, run.stdout + &run.stderr));
        }
        let shown: Vec<(&str, &str)> = outputs.iter().map(|(f, t)| (*f, t.as_str())).collect();
        no_secret_in(&shown, &[password])?;
    }
    Ok(())
}

fn schemeless_credentials_in_tables_and_report() -> Outcome {
    let w = world();
    let env = with(
        w.env(),
        "GOPROXY",
        "alice:tok3n-schemeless@goproxy.corp.example,direct".into(),
    );
    let human = w.check(&["--no-shell"], &env);
    let json = w.check(&["--no-shell", "--format", "json"], &env);
    no_secret_in(
        &[("human", &human.stdout), ("json", &json.stdout)],
        &["tok3n-schemeless"],
    )?;
    if !human.stdout.contains("alice:***@goproxy.corp.example") {
        return Err(format!(
            "the redacted value is not shown:\n{}",
            human.stdout
        ));
    }
    Ok(())
}

fn credentials_in_other_url_variables() -> Outcome {
    let w = world();
    let env = with(
        with(
            with(
                with(
                    w.env(),
                    "HTTPS_PROXY",
                    "http://bob:pr0xy-pass@proxy.corp:3128".into(),
                ),
                "GONOSUMDB",
                "carol:n0sum-pass@git.corp.example/*".into(),
            ),
            "GOINSECURE",
            "dave:ins3cure-pass@git.corp.example".into(),
        ),
        "GOFLAGS",
        "-mod=mod".into(),
    );
    let env = with(
        env,
        "GOPRIVATE",
        "https://erin:priv4te-pass@git.corp.example".into(),
    );
    let env = with(
        env,
        "GOAUTH",
        "netrc;git /srv https://frank:g0auth-pass@git.corp.example".into(),
    );
    let mut outputs = Vec::new();
    for format in ["human", "json", "sarif", "github"] {
        let run = w.check(&["--no-shell", "--format", format], &env);
        outputs.push((format, run.stdout + &run.stderr));
    }
    let shown: Vec<(&str, &str)> = outputs.iter().map(|(f, t)| (*f, t.as_str())).collect();
    no_secret_in(
        &shown,
        &[
            "pr0xy-pass",
            "n0sum-pass",
            "ins3cure-pass",
            "priv4te-pass",
            "g0auth-pass",
        ],
    )
}

fn trace_logs_and_hover_of_client_settings() -> Outcome {
    let w = world();
    let secret = "tr4ce-s/cret";
    let settings = format!(
        r#"{{"go.toolsEnvVars": {{"GOPROXY": "https://alice:{secret}@goproxy.corp.example"}}}}"#
    );
    w.settings(&settings);
    let log = w.root.join("server.log");
    let stderr = std::fs::File::create(&log).unwrap();
    let env = with(w.env(), "RUST_LOG", "trace".into());
    let mut client = Client::start(
        &[support::bin().display().to_string(), "serve".into()],
        env,
        &w.ws,
        Stdio::from(stderr),
    );
    client.config_reply = Some(json!({"trusted": true, "logLevel": "trace"}));
    client.go_reply = Some(
        json!({"toolsEnvVars": {"GOPROXY": format!("https://alice:{secret}-client@goproxy.corp.example")}}),
    );
    client.initialize_folder(
        &w.ws,
        "ws",
        json!({"workspace": {"configuration": true}}),
        json!({"trusted": true, "logLevel": "trace", "shell": "/bin/false"}),
    );
    let path = w.ws.join(".vscode/settings.json");
    let uri = file_uri(&path);
    client.open_document(&uri, "jsonc", 1, &settings);
    client.wait_diagnostic(&path, "goproxy-credentials");
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 40}}),
    );
    let report = client.report();
    let _ = client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let _ = wait_exit(&mut client.child);
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    // The client's value differs from the file's: the server logs that at debug level, so the
    // log really holds the values it would have leaked.
    if !logged.contains("the client's setting wins") {
        return Err(format!(
            "the trace log lacks the settings line ({} bytes):\n{}",
            logged.len(),
            &logged[logged.len().saturating_sub(3000)..]
        ));
    }
    let diags = format!("{:?}", client.diagnostics);
    no_secret_in(
        &[
            ("the server's log at trace level", &logged),
            ("hover", &hover.to_string()),
            ("report", &report.to_string()),
            ("diagnostics", &diags),
        ],
        &[secret, "tr4ce-s"],
    )
}

fn wait_exit(child: &mut std::process::Child) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(st) = child.try_wait().ok().flatten() {
            return Some(st);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile files and a misbehaving go (the thorough cases are in tests/hardening.rs)
// ---------------------------------------------------------------------------------------------

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// `check --no-shell --format json` within 10 s; the findings with `code`.
fn json_check(w: &World, env: &[(String, String)]) -> Result<Vec<Value>, String> {
    let start = Instant::now();
    let run = w.check(&["--no-shell", "--format", "json"], env);
    if start.elapsed() > Duration::from_secs(10) {
        return Err(format!("check took {:?}", start.elapsed()));
    }
    let report: Value = serde_json::from_str(&run.stdout)
        .map_err(|e| format!("no JSON report ({e}): {}\n{}", run.stdout, run.stderr))?;
    Ok(report["findings"].as_array().cloned().unwrap_or_default())
}

fn has(findings: &[Value], code: &str, text: &str) -> Outcome {
    if findings
        .iter()
        .any(|f| f["code"] == code && f["message"].as_str().unwrap_or("").contains(text))
    {
        Ok(())
    } else {
        Err(format!("no {code} finding saying {text:?}: {findings:#?}"))
    }
}

fn fifo_as_settings_go_mod_and_go_work() -> Outcome {
    let w = world();
    std::fs::create_dir_all(w.ws.join(".vscode")).unwrap();
    std::fs::remove_file(w.ws.join("go.mod")).unwrap();
    for name in [
        ".vscode/settings.json",
        "go.mod",
        "go.work",
        "x.code-workspace",
    ] {
        mkfifo(&w.ws.join(name));
    }
    let findings = json_check(&w, &w.env())?;
    has(&findings, "settings-unparseable", "FIFO")?;
    has(&findings, "gomod-invalid", "FIFO")
}

fn settings_linked_to_dev_zero() -> Outcome {
    let w = world();
    std::fs::create_dir_all(w.ws.join(".vscode")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", w.ws.join(".vscode/settings.json")).unwrap();
    let findings = json_check(&w, &w.env())?;
    has(&findings, "settings-unparseable", "not a regular file")
}

fn directory_as_settings_file() -> Outcome {
    let w = world();
    std::fs::create_dir_all(w.ws.join(".vscode/settings.json")).unwrap();
    let findings = json_check(&w, &w.env())?;
    has(&findings, "settings-unparseable", "directory")
}

fn unreadable_settings_file_as_another_user() -> Outcome {
    // Root reads a 0-permission file anyway: run the check as `nobody`.
    let w = world();
    w.settings(r#"{"go.goroot": "/nowhere"}"#);
    set_mode(&w.ws.join(".vscode/settings.json"), 0o000);
    for dir in [&w.root, &w.home, &w.ws, &w.ws.join(".vscode")] {
        set_mode(dir, 0o755);
    }
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(support::bin())
        .args(["check", "--no-shell", "--format", "json"])
        .env_clear()
        .env("HOME", &w.home)
        .env("PATH", "/usr/bin:/bin")
        .current_dir(&w.ws)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("setpriv: {e}"))?;
    let report: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "no JSON report as nobody ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    has(&findings, "settings-unparseable", "ermission denied")
}

fn go_mod_linked_to_the_servers_stdin() -> Outcome {
    let w = world();
    std::fs::remove_file(w.ws.join("go.mod")).unwrap();
    std::os::unix::fs::symlink("/dev/stdin", w.ws.join("go.mod")).unwrap();
    let mut client = server(&w);
    still_answers(&mut client)?;
    let reply = client.request("shutdown", Value::Null);
    if !reply.is_null() {
        return Err(format!("shutdown answered {reply}"));
    }
    Ok(())
}

/// A fake `go`: a real one cannot be made to hang or to print garbage on `go env -json`
/// without also breaking what the case needs (it sits first on PATH).
fn fake_go(w: &World, body: &str) -> Vec<(String, String)> {
    let bin = w.root.join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("go"), format!("#!/bin/sh\n{body}\n")).unwrap();
    set_mode(&bin.join("go"), 0o755);
    with(w.env(), "PATH", format!("{}:/usr/bin:/bin", bin.display()))
}

fn go_that_hangs() -> Outcome {
    let w = world();
    let s = unique_sleep();
    let env = fake_go(&w, &format!("exec sleep {s}5"));
    let start = Instant::now();
    let run = w.check(&["--no-shell", "--format", "json"], &env);
    let took = start.elapsed();
    let report: Value = serde_json::from_str(&run.stdout).map_err(|e| format!("{e}"))?;
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    has(&findings, "go-failed", "timed out")?;
    if run.code != Some(1) {
        return Err(format!(
            "exit {:?} after {took:?}, expected 1 (an error)",
            run.code
        ));
    }
    none_left(&format!("sleep {s}5"))
}

fn go_that_prints_garbage() -> Outcome {
    let w = world();
    let env = fake_go(&w, "echo 'this is not json {'; exit 0");
    let findings = json_check(&w, &env)?;
    has(&findings, "go-failed", "")
}

// ---------------------------------------------------------------------------------------------
// Protocol abuse (the thorough cases are in tests/lsp_protocol.rs)
// ---------------------------------------------------------------------------------------------

fn server(w: &World) -> Client {
    let mut client = Client::start(
        &[support::bin().display().to_string(), "serve".into()],
        w.env(),
        &w.ws,
        Stdio::null(),
    );
    client.initialize_folder(&w.ws, "ws", json!({}), json!({"shell": "/bin/false"}));
    client
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn still_answers(client: &mut Client) -> Outcome {
    let id = json!(9001);
    client.send_raw(&frame(
        &json!({"jsonrpc": "2.0", "id": 9001, "method": "workspace/executeCommand", "params": {"command": "goEnvDoctor.report", "arguments": []}}).to_string(),
    ));
    let reply = client.response_within(&id, Duration::from_secs(10), "report after abuse");
    if reply.get("result").is_none() {
        return Err(format!("no result after abuse: {reply}"));
    }
    Ok(())
}

fn invalid_json_then_a_request() -> Outcome {
    let w = world();
    let mut client = server(&w);
    client.send_raw(&frame("{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": "));
    still_answers(&mut client)
}

fn batch_and_wrong_version() -> Outcome {
    let w = world();
    let mut client = server(&w);
    client.send_raw(&frame(r#"[{"jsonrpc":"2.0","id":6,"method":"shutdown"}]"#));
    client.send_raw(&frame(r#"{"jsonrpc":"1.0","id":7,"method":"shutdown"}"#));
    let reply = client.response_within(&json!(7), Duration::from_secs(10), "wrong version");
    if reply["error"]["code"] != json!(-32600) {
        return Err(format!("wrong jsonrpc version not refused: {reply}"));
    }
    still_answers(&mut client)
}

fn a_one_gigabyte_content_length() -> Outcome {
    let w = world();
    let mut client = server(&w);
    client.send_raw(b"Content-Length: 1000000000\r\n\r\n{\"jsonrpc\":");
    std::thread::sleep(Duration::from_millis(300));
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", client.child.id())).unwrap_or_default();
    let rss_kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    eprintln!("    RSS under a 1 GB Content-Length claim: {} KiB", rss_kb);
    if rss_kb > 60 * 1024 {
        return Err(format!("RSS grew to {rss_kb} KiB"));
    }
    let reply = client.response_within(&Value::Null, Duration::from_secs(5), "refusal");
    if reply["error"]["code"] != json!(-32600) {
        return Err(format!("the claim was not refused: {reply}"));
    }
    Ok(())
}

fn exit_without_shutdown_is_code_1() -> Outcome {
    let w = world();
    let mut client = server(&w);
    client.notify("exit", Value::Null);
    match wait_exit(&mut client.child).and_then(|s| s.code()) {
        Some(1) => Ok(()),
        other => Err(format!("exit code {other:?}, expected 1")),
    }
}
