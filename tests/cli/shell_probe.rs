//! The login-shell probe against real shells (bash, zsh, fish, tcsh, dash), each with a temp
//! HOME holding its rc files, running the real binary's hidden `__print-env` helper.
//!
//! Missing shells fail the suite (never skip) with the set-up command: `bash tests/provision.sh`.
//!
//! What `exit 1` in the rc file really does (asserted below):
//! - bash (`.bash_profile` → `.bashrc`), zsh (`.zshrc`), dash (`.profile`): the shell exits 1
//!   before running the command → `Exited { code: 1 }`;
//! - fish (`config.fish`): `exit` only stops sourcing the file; the command still runs → `Ok`,
//!   without what the file sets after the `exit`;
//! - tcsh (`.tcshrc`): the same — the rest of `.tcshrc` is skipped, the command runs, status 0.

#![cfg(unix)]

use crate::support;

use go_env_doctor::facts::shell::{new_mark, probe, ProbeOptions, Probed, RESOLVING_FLAGS};
use go_env_doctor::model::{ProbeOutcome, ProbeReport};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Generous for the shells that must succeed (2 cores, parallel builds); the timeout tests use
/// their own short one.
const OK_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sh {
    Bash,
    Zsh,
    Fish,
    Tcsh,
    Dash,
}

impl Sh {
    fn name(self) -> &'static str {
        match self {
            Sh::Bash => "bash",
            Sh::Zsh => "zsh",
            Sh::Fish => "fish",
            Sh::Tcsh => "tcsh",
            Sh::Dash => "dash",
        }
    }

    fn path(self) -> PathBuf {
        support::shell(self.name())
    }

    /// The rc file (relative to HOME) that receives the test's snippet.
    fn rc_file(self) -> &'static str {
        match self {
            Sh::Bash => ".bashrc",
            Sh::Zsh => ".zshrc",
            Sh::Fish => ".config/fish/config.fish",
            Sh::Tcsh => ".tcshrc",
            Sh::Dash => ".profile",
        }
    }

    fn export(self, key: &str, value: &str) -> String {
        match self {
            Sh::Fish => format!("set -gx {key} '{value}'"),
            Sh::Tcsh => format!("setenv {key} '{value}'"),
            _ => format!("export {key}='{value}'"),
        }
    }

    fn prepend_path(self, dir: &str) -> String {
        match self {
            Sh::Fish => format!("set -gx PATH {dir} $PATH"),
            Sh::Tcsh => format!("setenv PATH {dir}:$PATH"),
            _ => format!("export PATH={dir}:$PATH"),
        }
    }

    /// Writes the shell's own pid (= its process group and session id) to `file`.
    fn pid_to(self, file: &Path) -> String {
        match self {
            Sh::Fish => format!("echo $fish_pid > '{}'", file.display()),
            _ => format!("echo $$ > '{}'", file.display()),
        }
    }

    fn echo_stderr(self, text: &str) -> String {
        match self {
            Sh::Tcsh => format!("echo '{text}' > /dev/stderr"),
            _ => format!("echo '{text}' >&2"),
        }
    }

    fn read_stdin(self) -> &'static str {
        match self {
            Sh::Tcsh => "set x = $<",
            _ => "read x",
        }
    }

    /// Runs `cmd` when the shell exits (after our helper printed the env), if the shell can.
    fn on_exit(self, cmd: &str) -> Option<String> {
        match self {
            Sh::Bash | Sh::Zsh | Sh::Dash => Some(format!("trap '{cmd}' EXIT")),
            Sh::Fish => Some(format!(
                "function ged_on_exit --on-event fish_exit\n    {cmd}\nend"
            )),
            Sh::Tcsh => None,
        }
    }
}

/// A temp HOME with the shell's rc files and a workspace folder (with a space in its name).
struct Fixture {
    sh: Sh,
    home: TempDir,
    folder: PathBuf,
    token: String,
}

impl Fixture {
    fn new(sh: Sh) -> Fixture {
        let home = tempfile::Builder::new()
            .prefix("ged-shell-home")
            .tempdir()
            .expect("temp HOME");
        let folder = home.path().join("my project");
        std::fs::create_dir_all(&folder).expect("workspace folder");
        std::fs::create_dir_all(home.path().join(".config/fish")).expect("fish config dir");
        let h = home.path();
        // bash: a login shell reads .bash_profile, which (as usual) sources .bashrc.
        write(
            &h.join(".bash_profile"),
            "[ -f ~/.bashrc ] && . ~/.bashrc\n",
        );
        write(&h.join(".bashrc"), "");
        // zsh: both read by `-i -l`; the snippet goes to .zshrc (which also avoids
        // zsh-newuser-install).
        write(&h.join(".zprofile"), "export GED_ZPROFILE_READ=1\n");
        write(&h.join(".zshrc"), "");
        write(&h.join(".config/fish/config.fish"), "");
        write(&h.join(".tcshrc"), "");
        // dash: a login shell reads ~/.profile, an interactive one also reads $ENV.
        write(&h.join(".profile"), "");
        write(&h.join(".dashrc"), "DASHRC_READ=1; export DASHRC_READ\n");
        let token = format!("gedtok{}", new_mark());
        Fixture {
            sh,
            home,
            folder,
            token,
        }
    }

    fn home(&self) -> &Path {
        self.home.path()
    }

    /// Sets the body of the shell's rc file (lines joined by newlines).
    fn rc(&self, lines: &[String]) -> &Self {
        let mut body = lines.join("\n");
        body.push('\n');
        write(&self.home().join(self.sh.rc_file()), &body);
        self
    }

    /// A helper script in HOME whose path (and so the `sh` running it) carries the token.
    fn script(&self, stem: &str, body: &str) -> PathBuf {
        let path = self.home().join(format!("{stem}-{}.sh", self.token));
        write(&path, body);
        path
    }

    fn base_env(&self) -> BTreeMap<String, String> {
        let home = self.home().display().to_string();
        let mut env = BTreeMap::new();
        env.insert("HOME".into(), home.clone());
        env.insert("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into());
        env.insert("SHELL".into(), self.sh.path().display().to_string());
        env.insert("LANG".into(), "C.UTF-8".into());
        env.insert("TERM".into(), "dumb".into());
        env.insert("USER".into(), "ged-test".into());
        env.insert("ENV".into(), format!("{home}/.dashrc"));
        env.insert("GED_BASE_ONLY".into(), "kept".into());
        env
    }

    fn options(&self, timeout: Duration) -> ProbeOptions {
        ProbeOptions {
            shell: self.sh.path(),
            cwd: self.folder.clone(),
            timeout,
            helper_exe: support::bin(),
            env: Some(self.base_env()),
            cancel: Default::default(),
            started: None,
            trace_startup: false,
            early_go: None,
            env_printed: None,
        }
    }

    fn probe(&self, timeout: Duration) -> (ProbeReport, Option<BTreeMap<String, String>>) {
        let probed = probe(&self.options(timeout));
        (probed.report, probed.env)
    }

    fn read(&self, name: &str) -> String {
        let path = self.home().join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: the rc file did not write {}: {e}",
                self.sh.name(),
                path.display()
            )
        })
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn expect_ok(
    sh: Sh,
    report: &ProbeReport,
    env: Option<BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    assert_eq!(
        report.outcome,
        ProbeOutcome::Ok,
        "{}: {report:?}",
        sh.name()
    );
    assert_eq!(report.shell, sh.path());
    let env = env.unwrap_or_else(|| panic!("{}: Ok without an environment", sh.name()));
    for flag in RESOLVING_FLAGS {
        assert!(
            !env.contains_key(flag),
            "{}: {flag} must be removed from the result",
            sh.name()
        );
    }
    env
}

// ---------------------------------------------------------------------------------------------
// /proc helpers: what is still alive after the probe returned
// ---------------------------------------------------------------------------------------------

/// One entry of /proc: pid, state letter, process group, session, command line.
struct Proc {
    pid: i32,
    state: String,
    pgrp: i32,
    session: i32,
    cmdline: String,
}

fn processes() -> Vec<Proc> {
    let mut all = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return all;
    };
    for entry in dir.filter_map(Result::ok) {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid pgrp session …`; comm may contain spaces and parens.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let num = |i: usize| fields.get(i).and_then(|s| s.parse().ok()).unwrap_or(-1);
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        all.push(Proc {
            pid,
            state: fields.first().map(|s| s.to_string()).unwrap_or_default(),
            pgrp: num(2),
            session: num(3),
            cmdline,
        });
    }
    all
}

fn is_zombie(p: &Proc) -> bool {
    p.state == "Z" || p.state == "X"
}

/// Live (non-zombie) processes in the shell's process group or session (the shell's pid is
/// both: it runs in a new session), or whose command line carries the test's token.
fn leftovers(pgid: i32, token: &str) -> Vec<String> {
    processes()
        .into_iter()
        .filter(|p| !is_zombie(p))
        .filter(|p| p.pgrp == pgid || p.session == pgid || p.cmdline.contains(token))
        .map(|p| {
            format!(
                "{} [{} pgrp {} sid {}]: {}",
                p.pid, p.state, p.pgrp, p.session, p.cmdline
            )
        })
        .collect()
}

/// SIGKILL is asynchronous: allow the kernel a moment, then require that nothing is left and
/// that the process group is gone (`kill(-pgid, 0)` fails with ESRCH). Only zombies waiting
/// for init to reap them may keep the group id alive.
fn assert_nothing_left(sh: Sh, pgid: i32, token: &str) {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let left = leftovers(pgid, token);
        // SAFETY: kill with signal 0 only checks for existence.
        let rc = unsafe { libc::kill(-pgid, 0) };
        let gone = rc == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        let only_zombies = processes().iter().filter(|p| p.pgrp == pgid).all(is_zombie);
        if left.is_empty() && (gone || only_zombies) {
            break;
        }
        if Instant::now() > deadline {
            panic!(
                "{}: left behind by the probe (group {pgid} gone: {gone}): {left:?}",
                sh.name()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn pid_from(fx: &Fixture, name: &str) -> i32 {
    let text = fx.read(name);
    text.trim()
        .parse()
        .unwrap_or_else(|e| panic!("{}: bad pid {text:?} in {name}: {e}", fx.sh.name()))
}

// ---------------------------------------------------------------------------------------------
// Scenarios, each run for every shell
// ---------------------------------------------------------------------------------------------

fn rc_exports_are_visible(sh: Sh) {
    let fx = Fixture::new(sh);
    fx.rc(&[
        sh.export("GOPROXY", "https://rc.example"),
        sh.prepend_path("/opt/rc-go/bin"),
    ]);
    let (report, env) = fx.probe(OK_TIMEOUT);
    let env = expect_ok(sh, &report, env);
    assert_eq!(
        env.get("GOPROXY").map(String::as_str),
        Some("https://rc.example"),
        "{}",
        sh.name()
    );
    let path = env.get("PATH").cloned().unwrap_or_default();
    assert!(
        path.starts_with("/opt/rc-go/bin:"),
        "{}: PATH = {path}",
        sh.name()
    );
    assert_eq!(
        env.get("GED_BASE_ONLY").map(String::as_str),
        Some("kept"),
        "{}",
        sh.name()
    );
    assert_eq!(
        env.get("HOME").map(PathBuf::from),
        Some(fx.home().to_path_buf()),
        "{}",
        sh.name()
    );
    assert!(report.millis < OK_TIMEOUT.as_millis() as u64);
    match sh {
        Sh::Zsh => assert_eq!(env.get("GED_ZPROFILE_READ").map(String::as_str), Some("1")),
        Sh::Dash => assert_eq!(
            env.get("DASHRC_READ").map(String::as_str),
            Some("1"),
            "dash -i must read $ENV"
        ),
        _ => {}
    }
}

fn banners_and_fake_json_are_ignored(sh: Sh) {
    let fx = Fixture::new(sh);
    let evil = fx.script(
        "evil",
        "echo '{\"PATH\":\"/evil-at-exit\"}'\necho 'Goodbye banner' >&2\n",
    );
    let mut lines = vec![
        "echo 'Welcome to the rc banner'".to_string(),
        "echo '{\"PATH\":\"/evil\"}'".to_string(),
        sh.echo_stderr("banner on stderr {\"PATH\":\"/evil-stderr\"}"),
        sh.export("GOPROXY", "https://rc.example"),
    ];
    lines.extend(sh.on_exit(&format!("/bin/sh {}", evil.display())));
    fx.rc(&lines);
    let (report, env) = fx.probe(OK_TIMEOUT);
    let env = expect_ok(sh, &report, env);
    let path = env.get("PATH").cloned().unwrap_or_default();
    assert!(!path.contains("/evil"), "{}: PATH = {path}", sh.name());
    assert!(path.contains("/usr/bin"), "{}: PATH = {path}", sh.name());
    assert_eq!(
        env.get("GOPROXY").map(String::as_str),
        Some("https://rc.example")
    );
}

fn exit_1_in_rc(sh: Sh) {
    let fx = Fixture::new(sh);
    fx.rc(&[
        sh.export("GED_BEFORE_EXIT", "yes"),
        "exit 1".to_string(),
        sh.export("GED_AFTER_EXIT", "yes"),
    ]);
    let (report, env) = fx.probe(OK_TIMEOUT);
    match sh {
        Sh::Bash | Sh::Zsh | Sh::Dash => {
            assert_eq!(
                report.outcome,
                ProbeOutcome::Exited { code: 1 },
                "{}: {report:?}",
                sh.name()
            );
            assert!(env.is_none(), "{}", sh.name());
        }
        Sh::Fish | Sh::Tcsh => {
            // `exit` ends the sourcing of the rc file only; the command still runs.
            let env = expect_ok(sh, &report, env);
            assert_eq!(env.get("GED_BEFORE_EXIT").map(String::as_str), Some("yes"));
            assert_eq!(env.get("GED_AFTER_EXIT"), None, "{}", sh.name());
        }
    }
}

fn read_from_stdin_does_not_hang(sh: Sh) {
    let fx = Fixture::new(sh);
    fx.rc(&[
        sh.read_stdin().to_string(),
        sh.export("GED_AFTER_READ", "yes"),
    ]);
    let timeout = Duration::from_secs(15);
    let started = Instant::now();
    let (report, env) = fx.probe(timeout);
    assert!(
        started.elapsed() < timeout,
        "{}: the read blocked",
        sh.name()
    );
    let env = expect_ok(sh, &report, env);
    assert_eq!(
        env.get("GED_AFTER_READ").map(String::as_str),
        Some("yes"),
        "{}",
        sh.name()
    );
}

fn hanging_rc_times_out_and_leaves_nothing(sh: Sh) {
    let fx = Fixture::new(sh);
    let hang = fx.script("hang", "sleep \"$1\"\n:\n");
    fx.rc(&[
        sh.pid_to(&fx.home().join("pid")),
        format!("/bin/sh {} 30", hang.display()),
        sh.export("GED_NEVER", "reached"),
    ]);
    let timeout = Duration::from_secs(2);
    let started = Instant::now();
    let (report, env) = fx.probe(timeout);
    let elapsed = started.elapsed();
    assert_eq!(
        report.outcome,
        ProbeOutcome::TimedOut { after_secs: 2 },
        "{}: {report:?}",
        sh.name()
    );
    assert!(env.is_none(), "{}", sh.name());
    assert!(
        elapsed < timeout + Duration::from_secs(1),
        "{}: took {elapsed:?}",
        sh.name()
    );
    assert!(
        report.millis >= 2000,
        "{}: millis = {}",
        sh.name(),
        report.millis
    );
    let pgid = pid_from(&fx, "pid");
    assert_nothing_left(sh, pgid, &fx.token);
}

fn background_job_is_killed(sh: Sh) {
    let fx = Fixture::new(sh);
    let hang = fx.script("bg", "sleep \"$1\"\n:\n");
    fx.rc(&[
        sh.pid_to(&fx.home().join("pid")),
        format!("/bin/sh {} 300 &", hang.display()),
        sh.export("GOPROXY", "https://rc.example"),
    ]);
    let started = Instant::now();
    let (report, env) = fx.probe(OK_TIMEOUT);
    // The background job holds the output pipes: the probe must not wait for it.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{}: {:?}",
        sh.name(),
        started.elapsed()
    );
    let env = expect_ok(sh, &report, env);
    assert_eq!(
        env.get("GOPROXY").map(String::as_str),
        Some("https://rc.example")
    );
    let pgid = pid_from(&fx, "pid");
    assert_nothing_left(sh, pgid, &fx.token);
}

fn resolving_flags_are_visible_to_rc(sh: Sh) {
    let fx = Fixture::new(sh);
    let out = fx.home().join("flags");
    fx.rc(&[
        format!(
            "printenv VSCODE_RESOLVING_ENVIRONMENT > '{}'",
            out.display()
        ),
        format!(
            "printenv GO_ENV_DOCTOR_RESOLVING_ENVIRONMENT >> '{}'",
            out.display()
        ),
    ]);
    let (report, env) = fx.probe(OK_TIMEOUT);
    expect_ok(sh, &report, env);
    assert_eq!(fx.read("flags"), "1\n1\n", "{}", sh.name());
}

fn cwd_is_the_folder(sh: Sh) {
    let fx = Fixture::new(sh);
    let out = fx.home().join("cwd");
    fx.rc(&[format!("/bin/pwd > '{}'", out.display())]);
    let (report, env) = fx.probe(OK_TIMEOUT);
    expect_ok(sh, &report, env);
    let got = PathBuf::from(fx.read("cwd").trim_end());
    let want = std::fs::canonicalize(&fx.folder).expect("canonical folder");
    assert_eq!(got, want, "{}", sh.name());
}

fn noisy_rc_does_not_deadlock(sh: Sh) {
    let fx = Fixture::new(sh);
    // 1 MiB on each pipe, far beyond the 64 KiB a pipe buffers.
    let noise = fx.script(
        "noise",
        "head -c 1048576 /dev/zero | tr '\\000' x\nhead -c 1048576 /dev/zero | tr '\\000' y >&2\necho\n",
    );
    fx.rc(&[
        format!("/bin/sh {}", noise.display()),
        sh.export("GOPROXY", "https://rc.example"),
    ]);
    let (report, env) = fx.probe(OK_TIMEOUT);
    let env = expect_ok(sh, &report, env);
    assert_eq!(
        env.get("GOPROXY").map(String::as_str),
        Some("https://rc.example")
    );
}

/// The helper path is quoted for each shell: spaces, a single quote, `!` (csh history), `$`.
/// No `go-env-doctor-helper` beside the binary: the binary itself prints the environment.
fn helper_path_needing_quotes(sh: Sh) {
    probe_from_a_dir_needing_quotes(sh, false);
}

/// With `go-env-doctor-helper` installed beside the binary, that small helper is what the
/// shell runs (its path quoted like the binary's).
fn the_helper_beside_the_binary_is_run(sh: Sh) {
    probe_from_a_dir_needing_quotes(sh, true);
}

/// The binary (and with `helper`, the helper beside it) linked into a directory whose name
/// needs quoting in every shell; the probe must get the rc file's environment, printed by the
/// helper when there is one, else by the binary.
fn probe_from_a_dir_needing_quotes(sh: Sh, helper: bool) {
    let fx = Fixture::new(sh);
    let dir = fx.home().join("it's a \"weird\" $dir!");
    std::fs::create_dir_all(&dir).expect("weird dir");
    let link = dir.join("go env doctor");
    std::os::unix::fs::symlink(support::bin(), &link).expect("symlink to the binary");
    let printer = if helper {
        let path = dir.join("go-env-doctor-helper");
        std::os::unix::fs::symlink(support::helper_bin(), &path).expect("symlink to the helper");
        path
    } else {
        link.clone()
    };
    fx.rc(&[sh.export("GOPROXY", "https://rc.example")]);
    let mut opts = fx.options(OK_TIMEOUT);
    opts.helper_exe = link;
    let Probed { report, env, .. } = probe(&opts);
    let env = expect_ok(sh, &report, env);
    assert_eq!(
        env.get("GOPROXY").map(String::as_str),
        Some("https://rc.example")
    );
    assert_ran(sh, &env, &printer);
}

/// bash and zsh put the path of the program they run in its `$_`: which binary printed the
/// environment (the other shells do not say).
fn assert_ran(sh: Sh, env: &BTreeMap<String, String>, program: &Path) {
    if matches!(sh, Sh::Bash | Sh::Zsh) {
        assert_eq!(
            env.get("_").map(String::as_str),
            Some(program.to_str().expect("a UTF-8 test path")),
            "{}: the program that printed the environment",
            sh.name()
        );
    }
}

/// The helper the shell runs also runs the shell side's `go` (`facts::early_go`): the
/// answer is the real Go's, for the `go` the rc file put first on PATH, run in the folder
/// with the shell's environment — the same answer the check would get by running it itself.
fn the_helper_runs_the_shells_go(sh: Sh) {
    let fx = Fixture::new(sh);
    let goroot = support::goroot("1.22.10");
    fx.rc(&[
        sh.prepend_path(&goroot.join("bin").display().to_string()),
        sh.export("GOPROXY", "https://rc.example"),
    ]);
    let mut opts = fx.options(Duration::from_secs(30));
    opts.early_go = Some(go_env_doctor::facts::early_go::Ask {
        folder: fx.folder.clone(),
        trusted: false,
        skip: Vec::new(),
        yield_if_predicted: false,
    });
    let probed = probe(&opts);
    let env = expect_ok(sh, &probed.report, probed.env.clone());
    let early = probed
        .early_go
        .unwrap_or_else(|| panic!("{}: the helper ran no go", sh.name()));
    assert_eq!(early.go, goroot.join("bin/go"), "{}", sh.name());
    assert!(!early.wants_version, "no GOFLAGS: only go env");
    let run = match early.run.env_json {
        go_env_doctor::model::CommandResult::Ok { value, .. } => value,
        other => panic!("{}: go env failed in the helper: {other:?}", sh.name()),
    };
    assert_eq!(run.get("GOVERSION").map(String::as_str), Some("go1.22.10"));
    assert_eq!(
        run.get("GOPROXY").map(String::as_str),
        Some("https://rc.example")
    );
    assert_eq!(run.get("GOTOOLCHAIN").map(String::as_str), Some("local"));
    // The same as running that go with the environment the shell printed, as the check would.
    let mut check_env = env.clone();
    check_env.insert("GOTOOLCHAIN".into(), "local".into());
    let out = std::process::Command::new(goroot.join("bin/go"))
        .args(["env", "GOPROXY", "GOPATH", "GOMODCACHE"])
        .env_clear()
        .envs(&check_env)
        .current_dir(&fx.folder)
        .output()
        .expect("the real go runs");
    let direct: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(
        direct,
        ["GOPROXY", "GOPATH", "GOMODCACHE"].map(|k| run[k].clone()),
        "{}: the helper's go saw another environment than the check's would",
        sh.name()
    );
}

/// The probe as the check makes it: the helper is asked to run the shell's `go` and so
/// prints its last answer, which ends the wait when the shell ran it in its own process.
fn probe_asking_for_go(fx: &Fixture, timeout: Duration) -> Probed {
    let mut opts = fx.options(timeout);
    opts.early_go = Some(go_env_doctor::facts::early_go::Ask {
        folder: fx.folder.clone(),
        trusted: false,
        skip: Vec::new(),
        yield_if_predicted: false,
    });
    probe(&opts)
}

/// Answered before the shell's exit was seen (bash, zsh and dash run the helper in their own
/// process), what the rc file started is still ended: by the time the tool could exit.
fn background_job_is_killed_after_the_helpers_answer(sh: Sh) {
    let fx = Fixture::new(sh);
    let hang = fx.script("bg", "sleep \"$1\"\n:\n");
    fx.rc(&[
        sh.pid_to(&fx.home().join("pid")),
        format!("/bin/sh {} 300 &", hang.display()),
        sh.export("GOPROXY", "https://rc.example"),
    ]);
    let probed = probe_asking_for_go(&fx, OK_TIMEOUT);
    let env = expect_ok(sh, &probed.report, probed.env);
    assert_eq!(
        env.get("GOPROXY").map(String::as_str),
        Some("https://rc.example")
    );
    // What `check` does before it exits.
    go_env_doctor::facts::children::finish_sweeps();
    let pgid = pid_from(&fx, "pid");
    assert_nothing_left(sh, pgid, &fx.token);
}

/// The helper's answer does not end the wait while the shell still has something to run: a
/// shell with an exit trap keeps its own process (the helper is its child), the trap runs and
/// hangs, and the probe times out with the environment — as an editor with the same timeout
/// sees it.
fn an_exit_trap_that_hangs_still_times_out(sh: Sh) {
    let fx = Fixture::new(sh);
    let Some(trap) = sh.on_exit("sleep 30") else {
        return; // tcsh has no exit hook to set
    };
    fx.rc(&[sh.export("GOPROXY", "https://rc.example"), trap]);
    let timeout = Duration::from_secs(2);
    let started = Instant::now();
    let probed = probe_asking_for_go(&fx, timeout);
    assert_eq!(
        probed.report.outcome,
        ProbeOutcome::TimedOut { after_secs: 2 },
        "{}: {:?}",
        sh.name(),
        probed.report
    );
    assert!(
        started.elapsed() >= timeout,
        "{}: answered after {:?}",
        sh.name(),
        started.elapsed()
    );
    let env = probed
        .env
        .unwrap_or_else(|| panic!("{}: the environment printed before the trap", sh.name()));
    assert_eq!(
        env.get("GOPROXY").map(String::as_str),
        Some("https://rc.example")
    );
}

macro_rules! per_shell {
    ($($module:ident => $sh:expr),* $(,)?) => {$(
        mod $module {
            use super::*;
            #[test] fn rc_exports_are_visible() { super::rc_exports_are_visible($sh) }
            #[test] fn banners_and_fake_json_are_ignored() { super::banners_and_fake_json_are_ignored($sh) }
            #[test] fn exit_1_in_rc() { super::exit_1_in_rc($sh) }
            #[test] fn read_from_stdin_does_not_hang() { super::read_from_stdin_does_not_hang($sh) }
            #[test] fn hanging_rc_times_out_and_leaves_nothing() { super::hanging_rc_times_out_and_leaves_nothing($sh) }
            #[test] fn background_job_is_killed() { super::background_job_is_killed($sh) }
            #[test] fn resolving_flags_are_visible_to_rc() { super::resolving_flags_are_visible_to_rc($sh) }
            #[test] fn cwd_is_the_folder() { super::cwd_is_the_folder($sh) }
            #[test] fn noisy_rc_does_not_deadlock() { super::noisy_rc_does_not_deadlock($sh) }
            #[test] fn helper_path_needing_quotes() { super::helper_path_needing_quotes($sh) }
            #[test] fn the_helper_beside_the_binary_is_run() { super::the_helper_beside_the_binary_is_run($sh) }
            #[test] fn the_helper_runs_the_shells_go() { super::the_helper_runs_the_shells_go($sh) }
            #[test] fn background_job_is_killed_after_the_helpers_answer() { super::background_job_is_killed_after_the_helpers_answer($sh) }
            #[test] fn an_exit_trap_that_hangs_still_times_out() { super::an_exit_trap_that_hangs_still_times_out($sh) }
        }
    )*};
}

per_shell! {
    bash => Sh::Bash,
    zsh => Sh::Zsh,
    fish => Sh::Fish,
    tcsh => Sh::Tcsh,
    dash => Sh::Dash,
}

// ---------------------------------------------------------------------------------------------
// Failures that need no real shell
// ---------------------------------------------------------------------------------------------

fn fake_shell(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    write(&path, &format!("#!/bin/sh\n{body}\n"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn plain_options(shell: PathBuf, cwd: &Path) -> ProbeOptions {
    ProbeOptions {
        shell,
        cwd: cwd.to_path_buf(),
        timeout: OK_TIMEOUT,
        helper_exe: support::bin(),
        env: None,
        cancel: Default::default(),
        started: None,
        trace_startup: false,
        early_go: None,
        env_printed: None,
    }
}

#[test]
fn missing_shell_is_spawn_failed() {
    let dir = TempDir::new().expect("tempdir");
    let Probed { report, env, .. } =
        probe(&plain_options(dir.path().join("no-such-shell"), dir.path()));
    assert!(
        matches!(report.outcome, ProbeOutcome::SpawnFailed { .. }),
        "{report:?}"
    );
    assert!(env.is_none());
}

#[test]
fn missing_folder_is_spawn_failed() {
    let dir = TempDir::new().expect("tempdir");
    let Probed { report, .. } = probe(&plain_options(Sh::Bash.path(), &dir.path().join("gone")));
    match report.outcome {
        ProbeOutcome::SpawnFailed { error } => assert!(error.contains("gone"), "{error}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn shell_that_prints_nothing_is_no_markers() {
    let dir = TempDir::new().expect("tempdir");
    let shell = fake_shell(
        dir.path(),
        "quietsh",
        "echo 'I ignore my arguments'; exit 0",
    );
    let Probed { report, env, .. } = probe(&plain_options(shell, dir.path()));
    assert_eq!(report.outcome, ProbeOutcome::NoMarkers);
    assert!(env.is_none());
}

#[test]
fn shell_killed_by_a_signal_is_signalled() {
    let dir = TempDir::new().expect("tempdir");
    let shell = fake_shell(dir.path(), "killedsh", "kill -9 $$");
    let Probed { report, .. } = probe(&plain_options(shell, dir.path()));
    assert_eq!(report.outcome, ProbeOutcome::Signalled { signal: 9 });
}

#[test]
fn non_zero_exit_after_printing_is_ok() {
    let dir = TempDir::new().expect("tempdir");
    // Runs the command it was given (the last argument), then fails.
    let shell = fake_shell(dir.path(), "failsh", "eval \"$4\"; exit 3");
    let Probed { report, env, .. } = probe(&plain_options(shell, dir.path()));
    assert_eq!(report.outcome, ProbeOutcome::Ok, "{report:?}");
    assert!(env.is_some_and(|e| e.contains_key("PATH")));
}

#[test]
fn inherits_our_environment_when_no_base_env_is_given() {
    let dir = TempDir::new().expect("tempdir");
    // Not a real login shell (that would read this machine's own rc files): runs the command.
    let shell = fake_shell(dir.path(), "plainsh", "exec /bin/sh -c \"$4\"");
    let Probed { report, env, .. } = probe(&plain_options(shell, dir.path()));
    assert_eq!(report.outcome, ProbeOutcome::Ok, "{report:?}");
    let env = env.expect("environment");
    assert_eq!(env.get("PATH").cloned(), std::env::var("PATH").ok());
    assert_eq!(env.get("HOME").cloned(), std::env::var("HOME").ok());
    assert_eq!(env.get("VSCODE_RESOLVING_ENVIRONMENT"), None);
}

/// An interactive bash in a background process group of a terminal stops itself (SIGTTIN) until
/// it gets the foreground; the probe's new session keeps `go-env-doctor check` run from a
/// terminal from hanging. Runs the real binary under a pseudo-terminal with script(1).
#[test]
fn probe_from_a_terminal_does_not_hang() {
    let home = TempDir::new().expect("tempdir");
    let folder = TempDir::new().expect("tempdir");
    let bash = support::shell("bash");
    std::fs::write(
        home.path().join(".bash_profile"),
        "export GOPROXY=https://rc.example\n",
    )
    .expect("write rc");
    let cmd = format!(
        "'{}' check '{}' --shell '{}' --shell-timeout 5 --format json",
        support::bin().display(),
        folder.path().display(),
        bash.display()
    );
    let start = Instant::now();
    let out = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .env("HOME", home.path())
        .env("SHELL", "/bin/sh")
        .env(
            "GO_ENV_DOCTOR_USER_SETTINGS",
            home.path().join("no-settings.json"),
        )
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script(1) (util-linux/bsdutils) must be installed");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "check under a terminal took {:?}:\n{text}",
        start.elapsed()
    );
    assert!(
        !text.contains("shell-probe-failed"),
        "the probe failed under a terminal:\n{text}"
    );
    assert!(
        text.contains("https://rc.example"),
        "the shell's GOPROXY is missing from the report:\n{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Startup-file tracing (the persistent probe cache's key)
// ---------------------------------------------------------------------------------------------

/// bash and zsh report every file they read, including files the rc files source (a name
/// with a space and a quote, and one sourced from a sourced file); the environment is the same
/// as untraced, and bash's trace descriptor does not leak into it.
#[test]
fn bash_and_zsh_report_the_files_they_source() {
    for sh in [Sh::Bash, Sh::Zsh] {
        let fx = Fixture::new(sh);
        let lib = fx.home().join("lib dir");
        std::fs::create_dir_all(&lib).expect("lib dir");
        let outer = lib.join("it's outer.sh");
        let inner = lib.join("inner.sh");
        write(
            &outer,
            &format!(". '{}'\nexport GED_OUTER=1\n", inner.display()),
        );
        write(&inner, "export GED_INNER=1\n");
        fx.rc(&[format!(
            "source \"$HOME/lib dir/it's outer.sh\"; {}",
            sh.export("GED_RC", "1")
        )]);
        let mut opts = fx.options(OK_TIMEOUT);
        let Probed {
            report: plain_report,
            env: plain_env,
            ..
        } = probe(&opts);
        assert!(
            plain_report.startup_files.is_empty(),
            "untraced: {plain_report:?}"
        );
        opts.trace_startup = true;
        let Probed { report, env, .. } = probe(&opts);
        let env = expect_ok(sh, &report, env);
        for f in [&outer, &inner, &fx.home().join(sh.rc_file())] {
            assert!(
                report.startup_files.contains(f),
                "{}: {} not in {:?}",
                sh.name(),
                f.display(),
                report.startup_files
            );
        }
        assert!(!env.contains_key("BASH_XTRACEFD"), "{}", sh.name());
        let strip = |mut e: BTreeMap<String, String>| {
            // Differ between any two runs.
            for k in ["_", "SHLVL", "OLDPWD"] {
                e.remove(k);
            }
            e
        };
        assert_eq!(
            strip(env),
            strip(expect_ok(sh, &plain_report, plain_env)),
            "{}",
            sh.name()
        );
    }
}

/// An rc file that puts a `go` of the untrusted workspace first on PATH: the helper does not
/// run it (nor does the check); trusted, it does.
#[test]
fn the_helper_never_runs_a_go_of_an_untrusted_workspace() {
    let fx = Fixture::new(Sh::Bash);
    let bin = fx.folder.join("tools/bin");
    std::fs::create_dir_all(&bin).expect("the workspace's bin");
    let ran = fx.home().join("workspace-go-ran");
    let go = bin.join("go");
    write(
        &go,
        &format!("#!/bin/sh\necho ran >> '{}'\n", ran.display()),
    );
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755))
            .expect("an executable go");
    }
    // Quoted: the folder's name has a space.
    fx.rc(&[format!("export PATH=\"{}:$PATH\"", bin.display())]);
    let mut opts = fx.options(Duration::from_secs(30));
    opts.early_go = Some(go_env_doctor::facts::early_go::Ask {
        folder: fx.folder.clone(),
        trusted: false,
        skip: Vec::new(),
        yield_if_predicted: false,
    });
    let probed = probe(&opts);
    assert_eq!(probed.report.outcome, ProbeOutcome::Ok);
    let env = probed.env.expect("the environment");
    assert!(
        env["PATH"].starts_with(&bin.display().to_string()),
        "the rc file did not put the workspace's go first: {}",
        env["PATH"]
    );
    assert!(probed.early_go.is_none(), "{:?}", probed.early_go);
    assert!(!ran.exists(), "the untrusted workspace's go ran");

    opts.early_go = Some(go_env_doctor::facts::early_go::Ask {
        folder: fx.folder.clone(),
        trusted: true,
        skip: Vec::new(),
        yield_if_predicted: false,
    });
    let probed = probe(&opts);
    assert_eq!(probed.early_go.map(|e| e.go), Some(go));
    assert!(ran.exists(), "trusted: the workspace's go runs");
}

/// The tool and `go-env-doctor-helper` print the same environment block for `__print-env`,
/// and the helper refuses any other command line with its usage (exit 2) rather than guess.
#[test]
fn the_helper_and_the_tool_print_the_same_environment() {
    let run = |program: PathBuf, args: &[&str]| {
        std::process::Command::new(&program)
            .args(args)
            .env_clear()
            .env("GOPROXY", "https://x.example")
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", program.display()))
    };
    let tool = run(support::bin(), &["__print-env", "mk1"]);
    let helper = run(support::helper_bin(), &["__print-env", "mk1"]);
    assert!(tool.status.success() && helper.status.success());
    let text = String::from_utf8_lossy(&helper.stdout).into_owned();
    assert!(
        text.starts_with("mk1{") && text.contains(r#""GOPROXY":"https://x.example""#),
        "{text}"
    );
    assert_eq!(tool.stdout, helper.stdout);

    for args in [
        &["check"][..],
        &["__print-env"],
        &["__print-env", "m", "r", "extra"],
    ] {
        let out = run(support::helper_bin(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("usage: go-env-doctor-helper"),
            "{args:?}"
        );
    }
}
