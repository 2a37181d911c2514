//! The harness of the command-line tests (`tests/cli`): a temp world under `/tmp` — a temp HOME
//! with rc files and a go env file, a workspace folder with `go.mod`, a VS Code user-settings
//! fixture — and the built binary run in it with a controlled environment (`env_clear()`, then
//! HOME, PATH, SHELL and `GO_ENV_DOCTOR_USER_SETTINGS`), under a deadline, as a real user or as
//! uid 65534 (`setpriv`; root ignores mode bits). `Report` reads `check --format json` and
//! holds the exit-code contract.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const NOBODY: u32 = 65534;
/// No single `check` may take longer than this by default (the slowest `check` scenario sleeps
/// 3.5 s in its rc).
pub const RUN_DEADLINE: Duration = Duration::from_secs(60);

/// One temp world: HOME, workspace folder, user-settings fixture, and the child's environment.
pub struct Scenario {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub home: PathBuf,
    pub folder: PathBuf,
    pub user_settings: PathBuf,
    pub env: BTreeMap<String, String>,
    pub unprivileged: bool,
    /// How long one run may take before it counts as a hang.
    pub deadline: Duration,
}

impl Scenario {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("gedcheck-")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path().canonicalize().unwrap();
        chmod(&root, 0o755);
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
        let mut env = BTreeMap::new();
        env.insert("HOME".to_string(), home.display().to_string());
        env.insert("PATH".to_string(), "/usr/bin:/bin".to_string());
        env.insert("SHELL".to_string(), bash().display().to_string());
        Scenario {
            _dir: dir,
            root,
            home,
            folder,
            user_settings,
            env,
            unprivileged: false,
            deadline: RUN_DEADLINE,
        }
    }

    /// A gopls on this terminal's PATH (a stub, not a Go binary: nothing is judged about it),
    /// for worlds that must be clean when VS Code's view of the folder is checked too, which
    /// otherwise reports tool-missing. Call it after the PATH is set.
    pub fn gopls_on_path(&mut self) -> &mut Self {
        let dir = self.root.join("editor-tools");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("gopls"), "#!/bin/sh\nexit 0\n").unwrap();
        chmod(&dir.join("gopls"), 0o755);
        let path = self.env.get("PATH").cloned().unwrap_or_default();
        self.set("PATH", format!("{}:{path}", dir.display()))
    }

    pub fn set(&mut self, key: &str, value: impl AsRef<str>) -> &mut Self {
        self.env.insert(key.to_string(), value.as_ref().to_string());
        self
    }

    pub fn unset(&mut self, key: &str) -> &mut Self {
        self.env.remove(key);
        self
    }

    /// The editor's PATH: these Go roots' `bin` first, then the system dirs.
    pub fn editor_path(&mut self, goroots: &[&Path]) -> &mut Self {
        let mut parts: Vec<String> = goroots
            .iter()
            .map(|g| g.join("bin").display().to_string())
            .collect();
        parts.push("/usr/bin".into());
        parts.push("/bin".into());
        self.set("PATH", parts.join(":"))
    }

    pub fn env_file_path(&self) -> PathBuf {
        self.home.join(".config/go/env")
    }

    /// Write the user's go env file (`$HOME/.config/go/env`).
    pub fn env_file(&self, text: &str) -> PathBuf {
        let p = self.env_file_path();
        std::fs::write(&p, text).unwrap();
        p
    }

    pub fn settings_path(&self) -> PathBuf {
        self.folder.join(".vscode/settings.json")
    }

    /// Write the folder's `.vscode/settings.json`.
    pub fn settings(&self, text: &str) -> PathBuf {
        let p = self.settings_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Write the VS Code *user* settings fixture (the file GO_ENV_DOCTOR_USER_SETTINGS names).
    pub fn user_settings(&self, text: &str) {
        std::fs::write(&self.user_settings, text).unwrap();
    }

    pub fn go_mod(&self, text: &str) -> PathBuf {
        let p = self.folder.join("go.mod");
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A file in HOME (`.bash_profile`, `.bashrc`, …).
    pub fn home_file(&self, name: &str, text: &str) {
        std::fs::write(self.home.join(name), text).unwrap();
    }

    /// `~/.bash_profile` (bash -i -l reads it after /etc/profile resets PATH).
    pub fn bash_profile(&self, text: &str) {
        self.home_file(".bash_profile", text);
    }

    /// Run the real `go env -w ARGS` of `version` into this HOME's env file.
    pub fn go_env_w(&self, version: &str, args: &[&str]) {
        let out = Command::new(super::go_binary(version))
            .arg("env")
            .arg("-w")
            .args(args)
            .env_clear()
            .env("HOME", &self.home)
            .env("PATH", "/usr/bin:/bin")
            .env("GOTOOLCHAIN", "local")
            .current_dir(&self.root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "go env -w {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A directory inside the scenario (created).
    pub fn dir(&self, rel: &str) -> PathBuf {
        let p = self.root.join(rel);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    /// A hard-linked copy of a real GOROOT inside the scenario, reachable by uid 65534.
    pub fn private_goroot(&self, version: &str, rel: &str) -> PathBuf {
        let dst = self.root.join(rel);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        // Hard links are instant; fall back to a real copy across filesystems.
        let linked = Command::new("cp")
            .arg("-al")
            .arg(super::goroot(version))
            .arg(&dst)
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success();
        if !linked {
            let _ = std::fs::remove_dir_all(&dst);
            let st = Command::new("cp")
                .arg("-a")
                .arg(super::goroot(version))
                .arg(&dst)
                .status()
                .unwrap();
            assert!(
                st.success(),
                "copying Go {version} into the scenario failed"
            );
        }
        dst
    }

    /// Run as uid/gid 65534 (HOME and the folder are chowned to it first).
    pub fn unprivileged(&mut self) -> &mut Self {
        self.unprivileged = true;
        self
    }

    /// Run `go-env-doctor ARGS` (ARGS start with the subcommand) in this world.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut bin = super::bin();
        let mut cmd = if self.unprivileged {
            // The build may live under a 0700 home: give uid 65534 a reachable copy.
            let reachable = self.root.join("go-env-doctor");
            if !reachable.exists() && std::fs::hard_link(&bin, &reachable).is_err() {
                std::fs::copy(&bin, &reachable).unwrap();
            }
            bin = reachable;
            for p in [&self.home, &self.folder] {
                let st = Command::new("chown")
                    .arg("-R")
                    .arg(format!("{NOBODY}:{NOBODY}"))
                    .arg(p)
                    .status()
                    .unwrap();
                assert!(st.success());
            }
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                .arg(&bin);
            c
        } else {
            Command::new(&bin)
        };
        cmd.args(args)
            .env_clear()
            .envs(&self.env)
            .env("GO_ENV_DOCTOR_USER_SETTINGS", &self.user_settings)
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let cmdline = format!(
            "{}go-env-doctor {}\n  env: {:?}",
            if self.unprivileged {
                "(uid 65534) "
            } else {
                ""
            },
            args.join(" "),
            self.env
        );
        run_with_deadline(cmd, cmdline, self.deadline)
    }

    /// `check <folder> --format json EXTRA`, parsed and sanity-checked.
    pub fn check(&self, extra: &[&str]) -> Report {
        let folder = self.folder.display().to_string();
        let mut args = vec!["check", folder.as_str(), "--format", "json"];
        args.extend_from_slice(extra);
        Report::new(self.run(&args))
    }

    /// `check` without the shell probe.
    pub fn check_no_shell(&self) -> Report {
        self.check(&["--no-shell"])
    }

    /// `check` with the real bash as the login shell.
    pub fn check_bash(&self) -> Report {
        let b = bash().display().to_string();
        self.check(&["--shell", &b])
    }
}

pub fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

pub fn bash() -> PathBuf {
    super::shell("bash")
}

/// A shell line putting a Go root's bin first on PATH.
pub fn prepend_path(goroot: &Path) -> String {
    format!("export PATH=\"{}/bin:$PATH\"\n", goroot.display())
}

/// Result of one process run.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    pub cmdline: String,
}

impl Run {
    pub fn context(&self) -> String {
        format!(
            "\n--- command: {}\n--- exit: {:?} after {:?}\n--- stdout:\n{}\n--- stderr:\n{}\n",
            self.cmdline, self.code, self.elapsed, self.stdout, self.stderr
        )
    }

    pub fn assert_exit(&self, code: i32) {
        assert_eq!(
            self.code,
            Some(code),
            "unexpected exit code{}",
            self.context()
        );
    }
}

pub fn run_with_deadline(mut cmd: Command, cmdline: String, deadline: Duration) -> Run {
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmdline}: {e}"));
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmdline}\nstill running after {deadline:?}: killed (a hang)");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    Run {
        code: status.code(),
        stdout,
        stderr,
        elapsed,
        cmdline,
    }
}

/// A parsed JSON report (schema in the README's *JSON report*) with assertion helpers that
/// dump everything on failure.
pub struct Report {
    pub run: Run,
    pub json: Value,
}

impl Report {
    pub fn new(run: Run) -> Self {
        let json: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("stdout is not a JSON report ({e}){}", run.context()));
        let r = Report { run, json };
        if std::env::var_os("GED_DUMP").is_some() {
            eprintln!("{}", r.context());
        }
        r.sanity();
        r
    }

    pub fn context(&self) -> String {
        let pretty = serde_json::to_string_pretty(&self.json).unwrap_or_default();
        format!(
            "\n--- command: {}\n--- exit: {:?} after {:?}\n--- report:\n{}\n--- stderr:\n{}\n",
            self.run.cmdline, self.run.code, self.run.elapsed, pretty, self.run.stderr
        )
    }

    /// The README's *JSON report* schema and the exit-code contract (1 iff an error, else 0).
    pub fn sanity(&self) {
        let ctx = || self.context();
        assert_eq!(self.json["version"], 1, "report version{}", ctx());
        assert!(
            self.json["sides"]["editor"].is_object(),
            "sides.editor{}",
            ctx()
        );
        let shell = &self.json["sides"]["shell"];
        assert!(shell.is_object() || shell.is_null(), "sides.shell{}", ctx());
        let findings = self.findings();
        for f in findings {
            assert!(f["code"].is_string(), "finding without code{}", ctx());
            let sev = f["severity"].as_str().unwrap_or("");
            assert!(
                ["error", "warning", "info"].contains(&sev),
                "bad severity {sev:?}{}",
                ctx()
            );
            assert!(
                !f["message"].as_str().unwrap_or("").is_empty(),
                "empty message{}",
                ctx()
            );
            assert!(f["subject"].is_string(), "finding without subject{}", ctx());
            assert!(f["locations"].is_array(), "locations not an array{}", ctx());
            assert!(f["fixes"].is_array(), "fixes not an array{}", ctx());
            for l in f["locations"].as_array().unwrap() {
                assert!(
                    l["path"].is_string() && l["line"].as_u64().unwrap_or(0) >= 1,
                    "bad location (lines are 1-based){}",
                    ctx()
                );
            }
        }
        let has_error = findings.iter().any(|f| f["severity"] == "error");
        let want = if has_error { 1 } else { 0 };
        assert_eq!(
            self.run.code,
            Some(want),
            "exit code must be {want} (errors found: {has_error}){}",
            ctx()
        );
    }

    pub fn findings(&self) -> &Vec<Value> {
        self.json["findings"]
            .as_array()
            .unwrap_or_else(|| panic!("findings is not an array{}", self.context()))
    }

    pub fn codes(&self) -> Vec<String> {
        self.findings()
            .iter()
            .map(|f| {
                format!(
                    "{}({})",
                    f["code"].as_str().unwrap_or("?"),
                    f["severity"].as_str().unwrap_or("?")
                )
            })
            .collect()
    }

    pub fn has(&self, code: &str) -> bool {
        self.findings().iter().any(|f| f["code"] == code)
    }

    /// The finding `code`, which must be present with `severity`.
    pub fn expect(&self, code: &str, severity: &str) -> &Value {
        let f = self
            .findings()
            .iter()
            .find(|f| f["code"] == code)
            .unwrap_or_else(|| {
                panic!(
                    "expected finding {code}, got {:?}{}",
                    self.codes(),
                    self.context()
                )
            });
        assert_eq!(
            f["severity"],
            severity,
            "severity of {code}{}",
            self.context()
        );
        f
    }

    pub fn absent(&self, code: &str) {
        assert!(
            !self.has(code),
            "unexpected finding {code}{}",
            self.context()
        );
    }

    /// No error and no warning (infos are fine).
    pub fn no_problems(&self) {
        let bad: Vec<String> = self
            .findings()
            .iter()
            .filter(|f| f["severity"] != "info")
            .map(|f| format!("{}: {}", f["code"], f["message"]))
            .collect();
        assert!(
            bad.is_empty(),
            "expected no problems, got {bad:#?}{}",
            self.context()
        );
    }

    pub fn exit(&self, code: i32) {
        assert_eq!(self.run.code, Some(code), "exit code{}", self.context());
    }

    /// The message of `finding` must contain every part.
    pub fn message_has(&self, finding: &Value, parts: &[&str]) {
        let msg = finding["message"].as_str().unwrap_or("");
        for p in parts {
            assert!(
                msg.contains(p),
                "message of {} lacks {p:?}: {msg:?}{}",
                finding["code"],
                self.context()
            );
        }
    }

    /// The primary location of `finding` is `path` at `line`.
    pub fn located(&self, finding: &Value, path: &Path, line: u64) {
        let loc = &finding["locations"][0];
        assert_eq!(
            loc["path"].as_str().map(PathBuf::from),
            Some(path.to_path_buf()),
            "primary location of {}{}",
            finding["code"],
            self.context()
        );
        assert_eq!(
            loc["line"].as_u64(),
            Some(line),
            "line of the primary location of {}{}",
            finding["code"],
            self.context()
        );
    }

    /// `sides.SIDE.env.KEY`.
    /// `side`: "editor" (the process `check` runs in: this terminal), "shell", or an editor
    /// view by name ("VS Code").
    pub fn env(&self, side: &str, key: &str) -> &Value {
        let sides = &self.json["sides"];
        let side_json = match side {
            "editor" | "shell" => &sides[side],
            name => &sides["editors"][name],
        };
        let v = &side_json["env"][key];
        assert!(
            v.is_object(),
            "sides.{side}.env.{key} missing{}",
            self.context()
        );
        v
    }
}
