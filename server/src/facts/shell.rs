//! The shell side: the environment the user's login + interactive shell builds when it starts
//! in the workspace folder, resolved the way VS Code resolves it (its `shellEnv.ts`), so the
//! report matches what a terminal in that folder sees; see the README's *How the two sides are
//! resolved*.
//!
//! The shell runs our own binary's hidden `__print-env MARK` subcommand (see
//! [`crate::print_env`]), which prints `MARK{json}MARK`; everything else the rc files print
//! (banners, JSON-looking lines, noise on stderr) is ignored.
//!
//! Safety properties, each covered by `tests/cli/shell_probe.rs`:
//! - stdin is `/dev/null`, so a `read` in an rc file gets EOF instead of hanging;
//! - stdout and stderr are drained concurrently on threads, so a noisy rc cannot fill a pipe;
//! - the shell starts a new session (`setsid`, which also makes it a process-group leader), so
//!   an interactive shell cannot grab the terminal of the CLI that runs us, and on timeout — and
//!   after a normal exit, for background jobs the rc files started — the whole group (and on
//!   Linux every process left in the session) is killed with SIGKILL and reaped;
//! - the wait is bounded by [`ProbeOptions::timeout`] plus a short grace, whatever the shell does.

// The probe itself is Unix-only; elsewhere `probe` reports SpawnFailed and its helpers are idle.
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

use crate::model::{ProbeOutcome, ProbeReport};
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A login-shell probe started ahead of the check that takes it: the language server starts
/// it at `initialize`, while the client still has to answer for its configuration, and the
/// check takes it when its inputs turn out the same ([`Prefetch::take`]), else abandons it.
#[derive(Clone)]
pub struct Prefetch {
    slot: Arc<(Mutex<Option<Probed>>, std::sync::Condvar)>,
    cancel: super::process::Cancel,
    /// The environment, as soon as it was printed ([`ProbeOptions::env_printed`]).
    printed: Arc<Mutex<Option<Receiver<Env>>>>,
}

/// A process environment, by name.
type Env = BTreeMap<String, String>;

impl std::fmt::Debug for Prefetch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Prefetch")
    }
}

impl Prefetch {
    /// Starts `opts` on a thread of its own (its `cancel` is replaced by the prefetch's);
    /// `None` when no thread can be started (the check then starts the shell itself).
    pub fn start(mut opts: ProbeOptions) -> Option<Prefetch> {
        let cancel = super::process::Cancel::default();
        opts.cancel = cancel.clone();
        let (printed_tx, printed) = std::sync::mpsc::sync_channel(1);
        opts.env_printed = Some(printed_tx);
        let slot: Arc<(Mutex<Option<Probed>>, std::sync::Condvar)> = Arc::default();
        let filled = Arc::clone(&slot);
        let spawned = std::thread::Builder::new()
            .name("shell-prefetch".into())
            .spawn(move || {
                let probed = probe(&opts);
                *filled.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(probed);
                filled.1.notify_all();
            });
        match spawned {
            Ok(_) => Some(Prefetch {
                slot,
                cancel,
                printed: Arc::new(Mutex::new(Some(printed))),
            }),
            Err(e) => {
                tracing::warn!(error = %e, "cannot start a thread for the login shell");
                None
            }
        }
    }

    /// The probe's result once it is done; `None` when `cancel` is set first (the shell is
    /// then killed: a newer check probes afresh) or it was taken already.
    pub fn take(&self, cancel: &super::process::Cancel) -> Option<Probed> {
        let (lock, done) = &*self.slot;
        let mut guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(probed) = guard.take() {
                return Some(probed);
            }
            if cancel.is_cancelled() {
                self.abandon();
                return None;
            }
            guard = done
                .wait_timeout(guard, Duration::from_millis(20))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// The environment the shell printed, as soon as it did while its helper's `go` still runs;
    /// `None` when the probe ended first (or gave none that way), when `cancel` is set, or for
    /// a second caller. [`Prefetch::take`] has the whole result, the same environment included.
    pub fn take_env(&self, cancel: &super::process::Cancel) -> Option<Env> {
        let printed = self
            .printed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()?;
        loop {
            match printed.recv_timeout(Duration::from_millis(20)) {
                Ok(env) => return Some(env),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return None,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) if cancel.is_cancelled() => {
                    return None
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
    }

    /// Nobody will take it: its shell is killed.
    pub fn abandon(&self) {
        self.cancel.cancel();
    }
}

/// VS Code's default (`application.shellEnvironmentResolutionTimeout`, clamped 1–120 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Set to `1` in the child's environment so rc files can skip slow work; removed from the result.
pub const RESOLVING_FLAGS: [&str; 2] = [
    "GO_ENV_DOCTOR_RESOLVING_ENVIRONMENT",
    "VSCODE_RESOLVING_ENVIRONMENT",
];

/// The hidden subcommand of our binary that prints the environment between marks.
pub const PRINT_ENV_SUBCOMMAND: &str = "__print-env";

/// The small binary installed next to ours that does only [`PRINT_ENV_SUBCOMMAND`]
/// (`server/src/bin/helper.rs`). The login shell runs it on the way to the first diagnostics,
/// so its start is part of every shell probe: it loads in about 0.7 ms less than our 9 MB
/// binary (measured with its `go` run in bench/README.md).
pub const HELPER_NAME: &str = "go-env-doctor-helper";

/// What the login shell runs for [`PRINT_ENV_SUBCOMMAND`]: the [`HELPER_NAME`] binary next to
/// `own_exe` when there is one, else `own_exe` itself, which answers the same way (a binary
/// copied alone, or `cargo run`, which builds only the binary it runs).
pub fn print_env_program(own_exe: &Path) -> PathBuf {
    let helper = own_exe.with_file_name(format!("{HELPER_NAME}{}", std::env::consts::EXE_SUFFIX));
    if super::go::is_executable(&helper) {
        helper
    } else {
        own_exe.to_path_buf()
    }
}

/// How much of the shell's stderr is kept for the logs.
const STDERR_TAIL: usize = 2048;
/// Upper bound on the stdout kept in memory (the tail is kept: the env comes last).
const STDOUT_CAP: usize = 8 << 20;
/// After the group is killed, how long to wait for the pipes to reach EOF. Only a process that
/// escaped the session (a daemon started by an rc file that kept our pipe) makes this expire.
#[cfg(unix)]
const READER_GRACE: Duration = Duration::from_millis(500);

/// How long the end of a login shell whose answer was read waits for the check to publish
/// (facts::children::wait_for_cores): a slow check still gets its leftovers ended soon.
#[cfg(unix)]
const CORES_AT_MOST: Duration = Duration::from_millis(200);

/// After SIGKILL on timeout, how long to wait for the shell to die before giving up on reaping
/// it synchronously (a process stuck in uninterruptible IO).
#[cfg(unix)]
const KILL_GRACE: Duration = Duration::from_secs(2);

/// Picks the shell like VS Code: the explicit one, else `$SHELL`, else the passwd shell of the
/// current user, else `/bin/sh`. `/bin/false` (an account without a shell) becomes `/bin/bash`.
pub fn resolve_shell(explicit: Option<&Path>, env: &BTreeMap<String, String>) -> PathBuf {
    let chosen = explicit
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .or_else(|| {
            env.get("SHELL")
                .filter(|s| !s.trim().is_empty())
                .map(PathBuf::from)
        })
        .or_else(passwd_shell)
        .unwrap_or_else(|| PathBuf::from("/bin/sh"));
    if chosen == Path::new("/bin/false") {
        PathBuf::from("/bin/bash")
    } else {
        chosen
    }
}

/// The login shell recorded for the current uid in the user database (`getpwuid_r`).
#[cfg(unix)]
fn passwd_shell() -> Option<PathBuf> {
    use std::ffi::CStr;
    use std::os::unix::ffi::OsStrExt;

    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    // SAFETY: sysconf has no preconditions.
    let suggested = unsafe { libc::sysconf(libc::_SC_GETPW_R_SIZE_MAX) };
    let mut len = usize::try_from(suggested)
        .ok()
        .filter(|&n| n > 0)
        .unwrap_or(1024);
    loop {
        let mut buf: Vec<libc::c_char> = vec![0; len];
        // SAFETY: passwd is a plain C struct for which all-zero bytes are a valid value.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the duration of the call and `buf.len()` is the
        // true size of `buf`; the strings in `pwd` point into `buf`, which outlives their use.
        let rc =
            unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
        if rc == libc::ERANGE && len < (1 << 20) {
            len *= 2;
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_shell.is_null() {
            tracing::debug!(
                uid,
                rc,
                "no passwd entry (or no shell) for the current user"
            );
            return None;
        }
        // SAFETY: pw_shell is non-null and NUL-terminated inside `buf`, which is still alive.
        let shell = unsafe { CStr::from_ptr(pwd.pw_shell) }.to_bytes();
        if shell.is_empty() {
            return None;
        }
        return Some(PathBuf::from(OsStr::from_bytes(shell)));
    }
}

#[cfg(not(unix))]
fn passwd_shell() -> Option<PathBuf> {
    None
}

/// What to run and how.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// The shell, usually from [`resolve_shell`].
    pub shell: PathBuf,
    /// The workspace folder: per-folder version managers (asdf, mise, goenv) look at it.
    pub cwd: PathBuf,
    /// The whole probe, from spawn to the shell's exit ([`DEFAULT_TIMEOUT`] in production).
    pub timeout: Duration,
    /// Our own binary: what the shell runs for `__print-env MARK` when no
    /// [`HELPER_NAME`] is installed next to it ([`print_env_program`]), and what the probe's
    /// guard becomes when we die.
    pub helper_exe: PathBuf,
    /// The base environment of the shell; `None` inherits ours. The resolving flags are added.
    pub env: Option<BTreeMap<String, String>>,
    /// Set when the probe's result is no longer wanted: the shell's session is killed at once
    /// (the outcome then says `Cancelled`).
    pub cancel: super::process::Cancel,
    /// Told as soon as the shell process exists (or could not be started): the caller holds
    /// back work that would compete with the start of the shell, the slowest probe.
    pub started: Option<std::sync::mpsc::SyncSender<()>>,
    /// Ask the shell which startup files it reads (bash's xtrace on its own descriptor, zsh's
    /// `SOURCE_TRACE`), into [`ProbeReport::startup_files`]: the persistent probe cache
    /// ([`super::probe_cache`]) is keyed by them. Off, the shell runs exactly as before.
    pub trace_startup: bool,
    /// Have the helper run the shell side's `go` as well ([`super::early_go`]), for this
    /// folder and trust: `go` then starts as soon as the shell is ready, as in a terminal.
    pub early_go: Option<super::early_go::Ask>,
    /// Told the environment the moment the helper has printed it, while the helper's `go`
    /// still runs: the check reads the rest of the shell side meanwhile. Only when the helper
    /// was asked for `go` and no trace is read.
    pub env_printed: Option<std::sync::mpsc::SyncSender<Env>>,
}

/// What a login-shell probe gave: how it went, the environment (when the marks were found) and
/// the shell side's `go` run by the helper (when asked and it could).
#[derive(Debug)]
pub struct Probed {
    pub report: ProbeReport,
    pub env: Option<BTreeMap<String, String>>,
    pub early_go: Option<super::early_go::EarlyGo>,
}

/// How a shell wants its command line (the flags VS Code's resolver passes each kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellKind {
    /// bash, zsh, dash, ksh, mksh, sh and any unknown shell: `-i -l -c CMD`.
    Posix,
    /// fish: `-i -l -c CMD`, with fish's single-quote escapes.
    Fish,
    /// tcsh, csh: `-i -c CMD` (no `-l` together with other flags).
    Csh,
    /// pwsh, powershell: `-Login -Command CMD`, with `& 'path'`.
    PowerShell,
    /// nushell: `-l -i -c CMD`, with `^` before the program path.
    Nu,
}

/// Classifies a shell by the base name of its path (`-zsh`, `pwsh.exe` are understood).
pub fn shell_kind(shell: &Path) -> ShellKind {
    let name = shell
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.trim_start_matches('-');
    let name = name.strip_suffix(".exe").unwrap_or(name);
    match name {
        "tcsh" | "csh" => ShellKind::Csh,
        "pwsh" | "pwsh-preview" | "powershell" => ShellKind::PowerShell,
        "nu" => ShellKind::Nu,
        "fish" => ShellKind::Fish,
        _ => ShellKind::Posix,
    }
}

/// The arguments after the shell's path: flags, then the one command string that runs
/// `<helper_exe> __print-env <mark>`, quoted for that shell.
/// `request`: the helper's extra argument ([`super::early_go::Request::encode`], hex digits).
pub fn shell_args(
    kind: ShellKind,
    helper_exe: &Path,
    mark: &str,
    request: Option<&str>,
) -> Vec<OsString> {
    let flags: &[&str] = match kind {
        ShellKind::Posix | ShellKind::Fish => &["-i", "-l", "-c"],
        ShellKind::Csh => &["-i", "-c"],
        ShellKind::PowerShell => &["-Login", "-Command"],
        ShellKind::Nu => &["-l", "-i", "-c"],
    };
    let mut args: Vec<OsString> = flags.iter().map(OsString::from).collect();
    args.push(command_line(kind, helper_exe, mark, request));
    args
}

fn command_line(kind: ShellKind, helper_exe: &Path, mark: &str, request: Option<&str>) -> OsString {
    let path = path_bytes(helper_exe);
    let mut cmd: Vec<u8> = Vec::with_capacity(path.len() + 48);
    match kind {
        ShellKind::Posix => quote_posix(&mut cmd, &path, false),
        ShellKind::Csh => quote_posix(&mut cmd, &path, true),
        ShellKind::Fish => {
            cmd.push(b'\'');
            for &b in &path {
                if b == b'\\' || b == b'\'' {
                    cmd.push(b'\\');
                }
                cmd.push(b);
            }
            cmd.push(b'\'');
        }
        ShellKind::PowerShell => {
            cmd.extend_from_slice(b"& '");
            // PowerShell also treats the typographic single quotes as quotes; doubling escapes.
            let text = String::from_utf8_lossy(&path);
            for c in text.chars() {
                if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
                    cmd.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                cmd.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            }
            cmd.push(b'\'');
        }
        ShellKind::Nu => {
            // Nu strings have no escapes in '…' or `…`; raw strings cover the rest.
            cmd.push(b'^');
            if !path.contains(&b'\'') {
                cmd.push(b'\'');
                cmd.extend_from_slice(&path);
                cmd.push(b'\'');
            } else if !path.contains(&b'`') {
                cmd.push(b'`');
                cmd.extend_from_slice(&path);
                cmd.push(b'`');
            } else {
                cmd.extend_from_slice(b"r#'");
                cmd.extend_from_slice(&path);
                cmd.extend_from_slice(b"'#");
            }
        }
    }
    cmd.push(b' ');
    cmd.extend_from_slice(PRINT_ENV_SUBCOMMAND.as_bytes());
    cmd.push(b' ');
    cmd.extend_from_slice(mark.as_bytes());
    // Hex digits only: no shell quotes or expands them.
    if let Some(request) = request.filter(|r| r.bytes().all(|b| b.is_ascii_hexdigit())) {
        cmd.push(b' ');
        cmd.extend_from_slice(request.as_bytes());
    }
    bytes_to_os(cmd)
}

/// `'…'` with `'` written as `'\''`; csh also needs `!` escaped (history substitution happens
/// even inside single quotes).
fn quote_posix(out: &mut Vec<u8>, path: &[u8], csh: bool) {
    out.push(b'\'');
    for &b in path {
        match b {
            b'\'' => out.extend_from_slice(b"'\\''"),
            b'!' if csh => out.extend_from_slice(b"\\!"),
            _ => out.push(b),
        }
    }
    out.push(b'\'');
}

#[cfg(unix)]
fn path_bytes(p: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    p.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(p: &Path) -> Vec<u8> {
    p.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn bytes_to_os(b: Vec<u8>) -> OsString {
    use std::os::unix::ffi::OsStringExt;
    OsString::from_vec(b)
}

#[cfg(not(unix))]
fn bytes_to_os(b: Vec<u8>) -> OsString {
    OsString::from(String::from_utf8_lossy(&b).into_owned())
}

/// 12 random lowercase hex characters (6 bytes of `/dev/urandom`).
pub fn new_mark() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 6];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if let Err(e) = read {
        // No /dev/urandom (non-Unix, odd sandboxes): std's per-process random hash keys, mixed
        // with the time, are unpredictable enough for a marker that only has to be unguessable
        // by rc files.
        tracing::debug!(error = %e, "no /dev/urandom; deriving the mark from RandomState");
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        h.write_u32(std::process::id());
        bytes.copy_from_slice(&h.finish().to_le_bytes()[..6]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Finds the last `MARK{…}MARK` in the shell's stdout whose middle is a JSON object of strings.
/// Anything outside (banners, JSON-looking lines of rc files, output of exit traps) is ignored;
/// a mark inside a value (a variable that holds our command line) does not confuse it.
pub fn extract_env(stdout: &[u8], mark: &str) -> Option<BTreeMap<String, String>> {
    let m = mark.as_bytes();
    if m.is_empty() || stdout.len() < 2 * m.len() + 2 {
        return None;
    }
    let hits: Vec<usize> = stdout
        .windows(m.len())
        .enumerate()
        .filter(|(_, w)| *w == m)
        .map(|(i, _)| i)
        .collect();
    let closes = hits
        .iter()
        .rev()
        .filter(|&&i| i > 0 && stdout[i - 1] == b'}');
    let mut attempts = 0;
    for &close in closes {
        let opens = hits
            .iter()
            .rev()
            .filter(|&&i| i + m.len() < close && stdout[i + m.len()] == b'{');
        for &open in opens {
            attempts += 1;
            if attempts > 64 {
                return None;
            }
            let json = &stdout[open + m.len()..close];
            if let Ok(env) = serde_json::from_slice::<BTreeMap<String, String>>(json) {
                return Some(env);
            }
        }
    }
    None
}

/// Runs the login shell in `opts.cwd` and returns how it went plus, when the marks were found,
/// the environment it printed (without [`RESOLVING_FLAGS`]).
///
/// Blocking: the caller runs it on a thread, in parallel with the other probes. The environment
/// is returned whenever the marks were found: with [`ProbeOutcome::Ok`] even if the shell exited
/// non-zero or by a signal *after* printing (logged), and also with [`ProbeOutcome::TimedOut`]
/// when the shell printed it and then hung (e.g. in a logout file) — the outcome stays TimedOut
/// because that is what an editor with the same timeout sees.
pub fn probe(opts: &ProbeOptions) -> Probed {
    let started = Instant::now();
    let outcome = if opts.cancel.is_cancelled() {
        Traced(ProbeOutcome::Cancelled, None, Vec::new(), None)
    } else {
        imp::run(opts)
    };
    let Traced(outcome, env, startup_files, early_go) = outcome;
    let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match &outcome {
        ProbeOutcome::Cancelled => {
            tracing::debug!(shell = %opts.shell.display(), millis, "shell probe cancelled");
        }
        ProbeOutcome::Ok => {
            tracing::debug!(shell = %opts.shell.display(), millis, vars = env.as_ref().map_or(0, BTreeMap::len), "shell environment resolved");
        }
        other => {
            tracing::warn!(shell = %opts.shell.display(), cwd = %opts.cwd.display(), millis, outcome = ?other, "could not resolve the shell environment");
        }
    }
    let report = ProbeReport {
        shell: opts.shell.clone(),
        millis,
        outcome,
        startup_files,
    };
    Probed {
        report,
        env,
        early_go,
    }
}

/// How one probe went: the outcome, the environment, the startup files the shell reported,
/// the helper's `go` run.
struct Traced(
    ProbeOutcome,
    Option<BTreeMap<String, String>>,
    Vec<PathBuf>,
    Option<super::early_go::EarlyGo>,
);

/// Which startup-file trace a shell can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trace {
    /// `bash -x` with `BASH_XTRACEFD` on [`TRACE_FD`]: every `.`/`source` command, expanded.
    Bash,
    /// `zsh -o SOURCE_TRACE`: a `<sourcetrace>` line on stderr for every file zsh loads.
    Zsh,
    /// Every command with its file and line ([`trace_lines`]): bash through [`TRACE_FD`] with
    /// [`BASH_LINES_PS4`], running the login files itself (see [`bash_login_script`]).
    BashLines,
    /// Every command with its file and line: `zsh -o XTRACE` with [`ZSH_LINES_PS4`] on stderr.
    ZshLines,
}

/// bash's trace prefix for [`trace_lines`]: `+/home/u/.bashrc:12: PATH=…` (bash repeats the
/// `+` once per level of nesting).
pub const BASH_LINES_PS4: &str = "+${BASH_SOURCE}:${LINENO}: ";
/// zsh's: `+/home/u/.zshrc:12> export PATH=…` (`%x`/`%I`: the file and line of the code
/// running, also inside functions, which `%N`/`%i` would name instead).
pub const ZSH_LINES_PS4: &str = "+%x:%I> ";

/// Most trace lines [`trace_lines`] keeps (only lines that can assign a Go variable or PATH).
const MAX_TRACE_LINES: usize = 20_000;

/// What [`trace_lines`] saw: the outcome, the environment the traced shell printed, and the
/// trace lines that mention PATH or a Go variable (raw: they may hold secrets, so callers
/// redact what they keep and never log them).
#[derive(Debug)]
pub struct LineTrace {
    pub outcome: ProbeOutcome,
    pub env: Option<BTreeMap<String, String>>,
    pub lines: Vec<String>,
}

/// Whether a probe with [`ProbeOptions::trace_startup`] learns the shell's startup files
/// (bash and zsh can tell).
pub fn traces_startup(shell: &Path) -> bool {
    trace_kind(shell).is_some()
}

/// Whether tracing this shell's startup files costs next to nothing: zsh's `SOURCE_TRACE`
/// prints one line per file, where bash's xtrace prints every command its rc files run (12 %
/// of a one-second profile), so bash is traced in a second run when it matters.
pub fn traces_startup_cheaply(shell: &Path) -> bool {
    trace_kind(shell) == Some(Trace::Zsh)
}

/// Whether [`trace_lines`] can report lines for this shell (bash and zsh can).
pub fn traces_lines(shell: &Path) -> bool {
    matches!(trace_kind(shell), Some(Trace::Bash | Trace::Zsh))
}

/// Runs the login shell a second time with every command traced with its file and line, for
/// attribution (`facts::attribution`); costs more than [`probe`] (the trace of every line),
/// so it runs only when the sides differ. bash imports no `PS4` from the environment when run
/// as root, so bash runs non-login and sources the login files in bash's documented order
/// itself; zsh runs as a real login shell.
pub fn trace_lines(opts: &ProbeOptions) -> LineTrace {
    let mode = match trace_kind(&opts.shell) {
        Some(Trace::Bash) => Trace::BashLines,
        Some(Trace::Zsh) => Trace::ZshLines,
        _ => {
            return LineTrace {
                outcome: ProbeOutcome::SpawnFailed {
                    error: format!("{} cannot trace lines", opts.shell.display()),
                },
                env: None,
                lines: Vec::new(),
            }
        }
    };
    if opts.cancel.is_cancelled() {
        return LineTrace {
            outcome: ProbeOutcome::Cancelled,
            env: None,
            lines: Vec::new(),
        };
    }
    imp::run_lines(opts, mode)
}

/// The `-c` script of bash's traced run: bash's login sequence (`/etc/profile`, then the first
/// readable of `~/.bash_profile`, `~/.bash_login`, `~/.profile`), traced, then our helper.
fn bash_login_script(helper_exe: &Path, mark: &str) -> OsString {
    let mut script: Vec<u8> = Vec::new();
    script.extend_from_slice(b"PS4='");
    script.extend_from_slice(BASH_LINES_PS4.as_bytes());
    script.extend_from_slice(
        b"'\nset -x\nif [ -r /etc/profile ]; then . /etc/profile; fi\n\
for __ged_f in \"$HOME/.bash_profile\" \"$HOME/.bash_login\" \"$HOME/.profile\"; do\n\
if [ -r \"$__ged_f\" ]; then . \"$__ged_f\"; break; fi\ndone\nset +x\nunset __ged_f\n",
    );
    let cmd = command_line(ShellKind::Posix, helper_exe, mark, None);
    script.extend_from_slice(&path_bytes(Path::new(&cmd)));
    bytes_to_os(script)
}

fn trace_kind(shell: &Path) -> Option<Trace> {
    let name = shell.file_name()?.to_str()?.trim_start_matches('-');
    match name {
        "bash" => Some(Trace::Bash),
        "zsh" => Some(Trace::Zsh),
        _ => None,
    }
}

/// The descriptor bash writes its trace to. High and odd on purpose: rc files take low ones
/// for `exec 9>lock` / `flock 200` idioms, and bash moves its own to the top of the table.
#[cfg(unix)]
const TRACE_FD: i32 = 173;

/// Where bash is told to write its trace (removed from the environment it prints).
#[cfg(unix)]
const XTRACEFD_VAR: &str = "BASH_XTRACEFD";

/// Most paths one trace may report (a profile looping over thousands of files is still keyed,
/// through the files counted; beyond this the probe is treated as untraced).
const MAX_TRACED: usize = 4096;

/// The file a line of bash's xtrace output sources: `+ . /path` or `++ source '/a b'` (bash
/// quotes words with single quotes, `'\''` for a quote inside). Relative names are resolved
/// against `cwd` when such a file exists (bash would also search PATH: best effort).
fn bash_sourced(line: &str, cwd: &Path) -> Option<PathBuf> {
    let rest = line.trim_start_matches('+').strip_prefix(' ')?;
    let arg = rest
        .strip_prefix(". ")
        .or_else(|| rest.strip_prefix("source "))?;
    let word = if let Some(quoted) = arg.strip_prefix('\'') {
        let mut out = String::new();
        let mut rest = quoted;
        loop {
            let end = rest.find('\'')?;
            out.push_str(&rest[..end]);
            rest = &rest[end + 1..];
            match rest.strip_prefix("\\''") {
                Some(more) => {
                    out.push('\'');
                    rest = more;
                }
                None => break,
            }
        }
        out
    } else {
        arg.split_whitespace().next()?.to_string()
    };
    startup_path(&word, cwd)
}

/// The file of a zsh `SOURCE_TRACE` line, `+/path/to/file:1> <sourcetrace>` with the default
/// `PS4` (`+%N:%i> `).
fn zsh_sourced(line: &str, cwd: &Path) -> Option<PathBuf> {
    let head = line.strip_suffix("<sourcetrace>")?.trim_end();
    let head = head.strip_suffix('>')?;
    let (file, lineno) = head.rsplit_once(':')?;
    lineno.parse::<u64>().ok()?;
    startup_path(file.trim_start_matches('+'), cwd)
}

fn startup_path(word: &str, cwd: &Path) -> Option<PathBuf> {
    if word.is_empty() || word.starts_with("/dev/") || word.starts_with("/proc/") {
        return None;
    }
    let p = Path::new(word);
    if p.is_absolute() {
        return Some(p.to_path_buf());
    }
    let joined = cwd.join(p);
    joined.is_file().then_some(joined)
}

/// Collects the startup files named by a stream of trace lines (split across reads).
struct LineScan {
    partial: Vec<u8>,
    parse: fn(&str, &Path) -> Option<PathBuf>,
    cwd: PathBuf,
    found: std::collections::BTreeSet<PathBuf>,
    overflow: bool,
    /// [`trace_lines`]: keep the lines that may assign PATH or a Go variable.
    keep: bool,
    kept: Vec<String>,
}

impl LineScan {
    fn new(parse: fn(&str, &Path) -> Option<PathBuf>, cwd: &Path) -> LineScan {
        LineScan {
            partial: Vec::new(),
            parse,
            cwd: cwd.to_path_buf(),
            found: Default::default(),
            overflow: false,
            keep: false,
            kept: Vec::new(),
        }
    }

    fn keeping(cwd: &Path) -> LineScan {
        let mut scan = LineScan::new(|_, _| None, cwd);
        scan.keep = true;
        scan
    }

    /// Called with every chunk of a trace that can run to megabytes (a large `.bashrc` traced
    /// line by line): lines are split in place and most are rejected on their first bytes, so
    /// the reader keeps up with the shell instead of making it wait on a full pipe.
    fn push(&mut self, chunk: &[u8]) {
        let Some(last) = chunk.iter().rposition(|&b| b == b'\n') else {
            self.partial.extend_from_slice(chunk);
            // One line can be long (a traced function body); never keep more than 64 KiB of it.
            if self.partial.len() > 64 << 10 {
                self.partial.clear();
            }
            return;
        };
        let (whole, rest) = chunk.split_at(last + 1);
        let mut lines = whole[..last].split(|&b| b == b'\n');
        if let Some(first) = lines.next() {
            if self.partial.is_empty() {
                self.line(first);
            } else {
                let mut joined = std::mem::take(&mut self.partial);
                joined.extend_from_slice(first);
                self.line(&joined);
            }
        }
        for line in lines {
            self.line(line);
        }
        self.partial.extend_from_slice(rest);
    }

    fn line(&mut self, line: &[u8]) {
        if self.keep {
            let wanted = line.starts_with(b"+")
                && line.len() <= 8192
                && [b"PATH".as_slice(), b"path", b"GO"]
                    .iter()
                    .any(|w| line.windows(w.len()).any(|x| x == *w));
            if wanted && self.kept.len() < MAX_TRACE_LINES {
                self.kept.push(String::from_utf8_lossy(line).into_owned());
            }
            return;
        }
        // Only lines that can name a file are decoded: bash's `. FILE` / `source FILE` (after
        // its `+` depth marks), zsh's SOURCE_TRACE lines.
        let plus = line.iter().take_while(|&&b| b == b'+').count();
        let command = &line[plus..];
        let sourcing =
            plus > 0 && (command.starts_with(b" . ") || command.starts_with(b" source "));
        if line.len() > 8192 || !(sourcing || line.ends_with(b"<sourcetrace>")) {
            return;
        }
        let text = String::from_utf8_lossy(line);
        if let Some(p) = (self.parse)(&text, &self.cwd) {
            if self.found.len() < MAX_TRACED {
                self.found.insert(p);
            } else {
                self.overflow = true;
            }
        }
    }

    fn finish(&mut self) -> Vec<PathBuf> {
        let rest = std::mem::take(&mut self.partial);
        self.line(&rest);
        std::mem::take(&mut self.found).into_iter().collect()
    }
}

type Scan = Arc<Mutex<LineScan>>;

/// The startup files a login shell reads according to its documentation, whether they exist or
/// not (absolute paths). With [`ProbeReport::startup_files`] (what the shell reported reading)
/// they make the probe cache's key: a candidate that is created later (`~/.bash_login` next to
/// a `~/.bash_profile` that bash reads first) changes the key through its appearance. For
/// fish, tcsh/csh, dash/sh/ksh this list is all there is (those shells cannot report what they
/// source): fish's `conf.d` directories are listed with their `*.fish` files, so adding one
/// changes the key.
pub fn documented_startup_files(shell: &Path, env: &BTreeMap<String, String>) -> Vec<PathBuf> {
    let home = env.get("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
    let name = shell
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .trim_start_matches('-');
    let mut out: Vec<PathBuf> = Vec::new();
    let in_home = |rel: &[&str]| -> Vec<PathBuf> {
        home.iter()
            .flat_map(|h| rel.iter().map(move |r| h.join(r)))
            .collect()
    };
    match name {
        "bash" => {
            out.extend(["/etc/profile", "/etc/bash.bashrc", "/etc/bashrc"].map(PathBuf::from));
            out.extend(in_home(&[
                ".bash_profile",
                ".bash_login",
                ".profile",
                ".bashrc",
                ".bash_logout",
            ]));
        }
        "zsh" => {
            for dir in ["/etc", "/etc/zsh"] {
                for f in ["zshenv", "zprofile", "zshrc", "zlogin", "zlogout"] {
                    out.push(Path::new(dir).join(f));
                }
            }
            let zdotdir = env
                .get("ZDOTDIR")
                .filter(|z| !z.is_empty())
                .map(PathBuf::from)
                .or_else(|| home.clone());
            if let Some(z) = zdotdir {
                for f in [".zshenv", ".zprofile", ".zshrc", ".zlogin", ".zlogout"] {
                    out.push(z.join(f));
                }
            }
            out.extend(in_home(&[".zshenv"]));
        }
        "fish" => {
            let config = env
                .get("XDG_CONFIG_HOME")
                .filter(|x| Path::new(x).is_absolute())
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|h| h.join(".config")));
            let mut dirs = vec![PathBuf::from("/usr/share/fish"), PathBuf::from("/etc/fish")];
            dirs.extend(config.map(|c| c.join("fish")));
            for dir in dirs {
                out.push(dir.join("config.fish"));
                for sub in ["conf.d", "vendor_conf.d"] {
                    let d = dir.join(sub);
                    if let Ok(entries) = std::fs::read_dir(&d) {
                        let mut files: Vec<PathBuf> = entries
                            .filter_map(|e| e.ok().map(|e| e.path()))
                            .filter(|p| p.extension().is_some_and(|x| x == "fish"))
                            .take(MAX_TRACED)
                            .collect();
                        files.sort();
                        out.extend(files);
                    }
                    out.push(d);
                }
            }
        }
        "tcsh" | "csh" => {
            out.extend(["/etc/csh.cshrc", "/etc/csh.login", "/etc/csh.logout"].map(PathBuf::from));
            out.extend(in_home(&[".tcshrc", ".cshrc", ".login", ".logout"]));
        }
        _ => {
            out.push(PathBuf::from("/etc/profile"));
            out.extend(in_home(&[".profile"]));
            // POSIX shells read $ENV when interactive.
            if let Some(e) = env.get("ENV").filter(|e| Path::new(e).is_absolute()) {
                out.push(PathBuf::from(e));
            }
        }
    }
    out
}

/// The shell's output as its reader threads collect it: only the end is kept (the environment
/// comes last), shared because the probe may stop waiting for a reader that never finishes.
type Tail = Arc<Mutex<super::process::Bounded>>;

fn tail(cap: usize) -> Tail {
    Arc::new(Mutex::new(super::process::Bounded::keep_tail(cap)))
}

fn take(t: &Tail) -> (Vec<u8>, u64) {
    t.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// A copy of what was kept so far (the readers go on).
fn peek(t: &Tail) -> (Vec<u8>, u64) {
    t.lock().unwrap_or_else(PoisonError::into_inner).peek()
}

fn after_secs(timeout: Duration) -> u64 {
    timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0)
}

#[cfg(unix)]
mod imp {
    use super::*;
    #[cfg(target_os = "linux")]
    use crate::facts::guard;
    use crate::facts::process::Waited;
    use crate::facts::{children, early_go};
    use std::io::{self, Read};
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    use std::process::{Child, Command, ExitStatus, Stdio};
    use std::sync::mpsc::{self, RecvTimeoutError, Sender};
    use std::thread;

    pub(super) fn run(opts: &ProbeOptions) -> Traced {
        let trace = opts
            .trace_startup
            .then(|| trace_kind(&opts.shell))
            .flatten();
        let scan: Option<Scan> = trace.map(|t| {
            let parse = match t {
                Trace::Bash | Trace::BashLines => bash_sourced,
                Trace::Zsh | Trace::ZshLines => zsh_sourced,
            };
            Arc::new(Mutex::new(LineScan::new(parse, &opts.cwd)))
        });
        let (outcome, env, early_go) = run_shell(opts, trace, scan.as_ref());
        let files = scan
            .map(|s| {
                let mut s = s.lock().unwrap_or_else(PoisonError::into_inner);
                let files = s.finish();
                if s.overflow {
                    tracing::info!(kept = files.len(), "the shell sourced more startup files than are traced; keying the cache by the first ones");
                }
                files
            })
            .unwrap_or_default();
        Traced(outcome, env, files, early_go)
    }

    pub(super) fn run_lines(opts: &ProbeOptions, mode: Trace) -> LineTrace {
        let scan: Scan = Arc::new(Mutex::new(LineScan::keeping(&opts.cwd)));
        let (outcome, env, _) = run_shell(opts, Some(mode), Some(&scan));
        let lines = std::mem::take(&mut scan.lock().unwrap_or_else(PoisonError::into_inner).kept);
        LineTrace {
            outcome,
            env,
            lines,
        }
    }

    /// A pipe whose ends are closed on exec (the child gets the write end by `dup2`).
    fn trace_pipe() -> io::Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd)> {
        use std::os::fd::FromRawFd;
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: `fds` is a valid array of two ints for pipe(2) to fill.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } == -1 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: pipe(2) just returned these two descriptors, owned by nothing else.
        let (r, w) = unsafe {
            (
                std::os::fd::OwnedFd::from_raw_fd(fds[0]),
                std::os::fd::OwnedFd::from_raw_fd(fds[1]),
            )
        };
        for fd in fds {
            // SAFETY: fcntl on a descriptor we own.
            if unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) } == -1 {
                return Err(io::Error::last_os_error());
            }
        }
        // A roomy pipe (1 MiB; the kernel's default ceiling for unprivileged users): the shell
        // writes its trace in bursts while both cores may be busy, and a full 64 KiB pipe
        // would stall it until the reader is scheduled. Best effort: the default size works.
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: fcntl on a descriptor we own.
            unsafe { libc::fcntl(w.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20) };
        }
        Ok((r, w))
    }

    fn run_shell(
        opts: &ProbeOptions,
        trace: Option<Trace>,
        scan: Option<&Scan>,
    ) -> (
        ProbeOutcome,
        Option<BTreeMap<String, String>>,
        Option<early_go::EarlyGo>,
    ) {
        if !opts.cwd.is_dir() {
            let error = format!("the folder {} is not a directory", opts.cwd.display());
            return (ProbeOutcome::SpawnFailed { error }, None, None);
        }
        let mark = new_mark();
        let kind = shell_kind(&opts.shell);
        // What is ours in the environment the shell prints, removed from it (and from the
        // environment of the helper's `go`).
        let mut ours: Vec<String> = RESOLVING_FLAGS.iter().map(|f| f.to_string()).collect();
        ours.push(children::TOKEN_VAR.to_string());
        if matches!(trace, Some(Trace::Bash | Trace::BashLines)) {
            ours.push(XTRACEFD_VAR.to_string());
        }
        if trace == Some(Trace::ZshLines) {
            ours.push("PS4".to_string());
        }
        let request = opts
            .early_go
            .as_ref()
            .map(|ask| early_go::Request::new(ask, ours.clone(), opts.timeout));
        let mut cmd = Command::new(&opts.shell);
        match trace {
            Some(Trace::Bash) => {
                cmd.arg("-x");
            }
            Some(Trace::Zsh) => {
                cmd.args(["-o", "SOURCE_TRACE"]);
            }
            Some(Trace::ZshLines) => {
                cmd.args(["-o", "XTRACE"]);
            }
            Some(Trace::BashLines) | None => {}
        }
        let print_env = print_env_program(&opts.helper_exe);
        if trace == Some(Trace::BashLines) {
            cmd.args(["--noprofile", "--norc", "-i", "-c"]);
            cmd.arg(bash_login_script(&print_env, &mark));
        } else {
            let encoded = request.as_ref().map(early_go::Request::encode);
            cmd.args(shell_args(kind, &print_env, &mark, encoded.as_deref()));
        }
        if let Some(env) = &opts.env {
            cmd.env_clear();
            cmd.envs(env);
        }
        for flag in RESOLVING_FLAGS {
            cmd.env(flag, "1");
        }
        if trace == Some(Trace::ZshLines) {
            cmd.env("PS4", ZSH_LINES_PS4);
        }
        // bash's trace goes to its own pipe, never into the output we parse.
        let mut trace_read = None;
        let mut trace_write = None;
        if matches!(trace, Some(Trace::Bash | Trace::BashLines)) {
            match trace_pipe() {
                Ok((r, w)) => {
                    use std::os::fd::AsRawFd;
                    let raw = w.as_raw_fd();
                    cmd.env(XTRACEFD_VAR, TRACE_FD.to_string());
                    // SAFETY: dup2 and fcntl are async-signal-safe and touch no memory of the
                    // parent; `raw` stays open in the parent until after the spawn.
                    unsafe {
                        cmd.pre_exec(move || {
                            if raw == TRACE_FD {
                                if libc::fcntl(raw, libc::F_SETFD, 0) == -1 {
                                    return Err(io::Error::last_os_error());
                                }
                            } else if libc::dup2(raw, TRACE_FD) == -1 {
                                return Err(io::Error::last_os_error());
                            }
                            Ok(())
                        });
                    }
                    trace_read = Some(r);
                    trace_write = Some(w);
                }
                Err(e) => {
                    tracing::debug!(error = %e, "no pipe for bash's trace; probing untraced")
                }
            }
        }
        // Inherited by everything the rc files start, even in a new session: how we find
        // what they leave behind.
        let token = new_mark();
        cmd.env(children::TOKEN_VAR, &token);
        cmd.current_dir(&opts.cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // A new session rather than only a new process group: an interactive bash started in a
        // background process group of a terminal stops itself with SIGTTIN until it gets the
        // foreground (it opens /dev/tty), so `go-env-doctor check` run from a terminal would
        // time out. Without a controlling terminal the shell runs without job control, which
        // also keeps its background jobs in its own process group, where we can kill them.
        // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() == -1 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        // The shell runs under our guard, which ends the probe if we are killed outright; it
        // forks after the `setsid` above (pre_exec closures run in order), so it leads the
        // session.
        #[cfg(target_os = "linux")]
        if let Err(e) = guard::install(&mut cmd, &opts.helper_exe, &token) {
            let error = format!("cannot guard the shell: {e}");
            return (ProbeOutcome::SpawnFailed { error }, None, None);
        }
        if children::closed() {
            tracing::debug!("the tool is stopping: no login shell started");
            return (ProbeOutcome::Cancelled, None, None);
        }
        tracing::debug!(shell = %opts.shell.display(), ?kind, cwd = %opts.cwd.display(), helper = %print_env.display(), "starting the login shell");
        let spawned = cmd.spawn();
        // Only the shell writes to the trace: the reader sees EOF when it (and what it
        // started) is gone.
        drop(trace_write);
        if let Some(tx) = &opts.started {
            let _ = tx.try_send(());
        }
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                let error = format!("cannot start {}: {e}", opts.shell.display());
                return (ProbeOutcome::SpawnFailed { error }, None, None);
            }
        };
        let Ok(pid) = libc::pid_t::try_from(child.id()) else {
            // Cannot happen on Unix (pids fit in pid_t); never leave the child running.
            let _ = child.kill();
            let _ = child.wait();
            let error = format!("unexpected pid {}", child.id());
            return (ProbeOutcome::SpawnFailed { error }, None, None);
        };
        if !children::register(child.id(), Some(&token)) {
            children::end_refused(child.id(), Some(&token));
            let _ = child.wait();
            return (ProbeOutcome::Cancelled, None, None);
        }

        let out = tail(STDOUT_CAP);
        let err = tail(STDERR_TAIL);
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let (ended_tx, ended_rx) = mpsc::channel::<Ended>();
        // The helper's last answer says whether it ran in the shell's own process; then the
        // output is complete the moment it is printed. Not when a trace is read: its readers
        // must first see the end of it.
        let watch = request.as_ref().filter(|_| trace.is_none()).map(|r| Watch {
            answer: r.mark.clone(),
            env: opts.env_printed.as_ref().map(|_| mark.clone()),
            tell: ended_tx.clone(),
        });
        let mut readers = 0;
        let mut setup_error = None;
        if let Some(pipe) = child.stdout.take() {
            match spawn_reader(
                "shell-probe-stdout",
                pipe,
                Some(Arc::clone(&out)),
                None,
                watch,
                done_tx.clone(),
            ) {
                Ok(()) => readers += 1,
                Err(e) => setup_error = Some(e),
            }
        }
        if let Some(pipe) = child.stderr.take() {
            let zsh_scan = scan
                .filter(|_| matches!(trace, Some(Trace::Zsh | Trace::ZshLines)))
                .cloned();
            match spawn_reader(
                "shell-probe-stderr",
                pipe,
                Some(Arc::clone(&err)),
                zsh_scan,
                None,
                done_tx.clone(),
            ) {
                Ok(()) => readers += 1,
                Err(e) => setup_error = Some(e),
            }
        }
        if let (Some(pipe), Some(scan)) = (trace_read, scan) {
            let pipe = std::fs::File::from(pipe);
            match spawn_reader(
                "shell-probe-trace",
                pipe,
                None,
                Some(Arc::clone(scan)),
                None,
                done_tx.clone(),
            ) {
                Ok(()) => readers += 1,
                Err(e) => setup_error = Some(e),
            }
        }
        drop(done_tx);
        let waiter = match spawn_waiter(pid, ended_tx) {
            Ok(w) => Some(w),
            Err(e) => {
                setup_error = Some(e);
                None
            }
        };
        let shell = Running {
            child,
            pid,
            token,
            waiter,
            ended: ended_rx,
            done: done_rx,
            readers,
            err: Arc::clone(&err),
        };
        if let Some(e) = setup_error {
            shell.end(true);
            let error = format!("cannot start the threads that watch the shell: {e}");
            return (ProbeOutcome::SpawnFailed { error }, None, None);
        }

        // Wait for the exit without reaping (waitid WNOWAIT), so that the process group still
        // exists — and its id cannot be reused — while we kill what the rc files left behind.
        let deadline = Instant::now() + opts.timeout;
        // The environment the helper printed, without the variables the probe itself set.
        let shell_env = |stdout: &[u8]| {
            extract_env(stdout, &mark).map(|mut env| {
                for name in &ours {
                    env.remove(name);
                }
                env
            })
        };
        let mut env_told = false;
        let waited = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match crate::facts::process::recv_or_cancel(&shell.ended, left, &opts.cancel) {
                Waited::Got(Ended::EnvPrinted) => {
                    let Some(tell) = opts.env_printed.as_ref().filter(|_| !env_told) else {
                        continue;
                    };
                    if let Some(env) = shell_env(&peek(&out).0) {
                        env_told = tell.try_send(env).is_ok();
                    }
                }
                Waited::Got(Ended::Answered) => {
                    let (stdout, _) = peek(&out);
                    let env = shell_env(&stdout);
                    let answer = request
                        .as_ref()
                        .and_then(|r| early_go::extract(&stdout, &r.mark));
                    if let (Some(env), Some(answer)) = (env, answer) {
                        if answer.last {
                            // The shell's own process is printing its last words: what is
                            // left (its exit, the session's leftovers) ends off the check's
                            // path, before the tool exits.
                            tracing::debug!(pid, "the helper answered in the shell's own process; not waiting for its exit");
                            let cancel = opts.cancel.clone();
                            children::in_background("shell-probe-end", move || {
                                shell.end_after_answer(deadline, &cancel);
                            });
                            return (ProbeOutcome::Ok, Some(env), answer.early);
                        }
                    }
                }
                other => break other,
            }
        };
        let mut cancelled = false;
        let timed_out = match waited {
            Waited::Got(_) => false,
            Waited::TimedOut => true,
            Waited::Cancelled => {
                tracing::debug!(pid, "cancelled; killing the shell's session");
                cancelled = true;
                // Killed like a timeout: reap with the same grace.
                true
            }
            Waited::Disconnected => {
                tracing::warn!(pid, "waitid failed; killing the shell's process group");
                false
            }
        };
        let status = shell.end(timed_out);
        let (stdout, dropped) = take(&out);
        if dropped > 0 {
            tracing::debug!(
                dropped,
                "the shell printed more than {STDOUT_CAP} bytes; kept the tail"
            );
        }
        let (stderr, _) = take(&err);
        if trace == Some(Trace::ZshLines) {
            // zsh's line trace is on stderr: every command of the startup files, with values
            // no redaction can recognise (tokens in plain variables). Never logged.
            tracing::debug!(
                bytes = stderr.len(),
                "shell stderr (a line trace, not logged)"
            );
        } else {
            log_stderr(&stderr);
        }

        let env = shell_env(&stdout);
        let early = request
            .as_ref()
            .filter(|_| env.is_some() && !timed_out)
            .and_then(|r| early_go::extract(&stdout, &r.mark))
            .and_then(|answer| answer.early);
        if cancelled {
            return (ProbeOutcome::Cancelled, None, None);
        }
        let outcome = classify(timed_out, env.is_some(), status, opts.timeout);
        (outcome, env, early)
    }

    /// What ended the wait for the shell.
    enum Ended {
        /// The shell (the guard, on Linux) exited; not reaped yet.
        Exited,
        /// The helper's answer arrived on stdout, ending as the output does.
        Answered,
        /// The helper's environment block arrived on stdout, ending as the output does.
        EnvPrinted,
    }

    /// A login shell that was started: what ends it.
    struct Running {
        child: Child,
        pid: libc::pid_t,
        token: String,
        waiter: Option<thread::JoinHandle<()>>,
        ended: mpsc::Receiver<Ended>,
        done: mpsc::Receiver<()>,
        readers: usize,
        err: Tail,
    }

    impl Running {
        /// Kills what is left of the session and reaps the shell (`timed_out`: it has not
        /// exited, and gets [`KILL_GRACE`] to die), then gives the readers [`READER_GRACE`] to
        /// reach the end of the pipes. The shell's exit status, when it was reaped.
        fn end(mut self, timed_out: bool) -> Option<ExitStatus> {
            let pid = self.pid;
            kill_session(pid);
            // What left the session is found by its token, off the path to the shell's `go`.
            children::sweep_in_background(self.token.clone());
            children::unregister(self.child.id());
            let status = if timed_out {
                if exited_within(&self.ended, KILL_GRACE) {
                    reap(&mut self.child)
                } else {
                    tracing::warn!(pid, "the shell did not die within {KILL_GRACE:?} of SIGKILL; reaping it in the background");
                    detach_reaper(self.child);
                    None
                }
            } else {
                reap(&mut self.child)
            };
            if let (Some(w), Some(_)) = (self.waiter, status) {
                // The child is reaped and the waiter has returned (or fails with ECHILD at once).
                let _ = w.join();
            }
            let deadline = Instant::now() + READER_GRACE;
            let mut finished = 0;
            while finished < self.readers {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.done.recv_timeout(left) {
                    Ok(()) => finished += 1,
                    Err(_) => {
                        tracing::warn!(pid, "a process that left the shell's session still holds its output pipe; reading what arrived");
                        break;
                    }
                }
            }
            status
        }

        /// [`Running::end`] once the helper's last answer was read: the shell's process is
        /// about to exit; it is killed if it has not by `deadline` (or when `cancel` is set).
        fn end_after_answer(self, deadline: Instant, cancel: &crate::facts::process::Cancel) {
            let timed_out = loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match crate::facts::process::recv_or_cancel(&self.ended, left, cancel) {
                    Waited::Got(Ended::Answered | Ended::EnvPrinted) => continue,
                    Waited::Got(Ended::Exited) | Waited::Disconnected => break false,
                    Waited::TimedOut | Waited::Cancelled => break true,
                }
            };
            // The shell has exited: the check that read its answer is still deriving its
            // diagnostics, and what is left of the session can wait for them. A shell still
            // running (cut short, or past its deadline) is ended now: it uses the cores itself.
            if !timed_out {
                children::wait_for_cores(CORES_AT_MOST);
            }
            let err = Arc::clone(&self.err);
            self.end(timed_out);
            log_stderr(&take(&err).0);
        }
    }

    /// Whether the shell exits within `grace` (waiting on the waiter's channel).
    fn exited_within(ended: &mpsc::Receiver<Ended>, grace: Duration) -> bool {
        let deadline = Instant::now() + grace;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match ended.recv_timeout(left) {
                Ok(Ended::Answered | Ended::EnvPrinted) => continue,
                Ok(Ended::Exited) | Err(RecvTimeoutError::Disconnected) => return true,
                Err(RecvTimeoutError::Timeout) => return false,
            }
        }
    }

    fn log_stderr(stderr: &[u8]) {
        if !stderr.is_empty() {
            tracing::debug!(stderr = %crate::redact::redact(&String::from_utf8_lossy(stderr)), "shell stderr (tail)");
        }
    }

    fn classify(
        timed_out: bool,
        found: bool,
        status: Option<ExitStatus>,
        timeout: Duration,
    ) -> ProbeOutcome {
        if timed_out {
            return ProbeOutcome::TimedOut {
                after_secs: after_secs(timeout),
            };
        }
        if found {
            if let Some(s) = status.filter(|s| !s.success()) {
                tracing::info!(status = %s, "the shell printed its environment, then exited unsuccessfully");
            }
            return ProbeOutcome::Ok;
        }
        match status {
            Some(s) => match (s.code(), s.signal()) {
                (Some(0), _) => ProbeOutcome::NoMarkers,
                (Some(code), _) => ProbeOutcome::Exited { code },
                (None, Some(signal)) => ProbeOutcome::Signalled { signal },
                (None, None) => ProbeOutcome::NoMarkers,
            },
            None => ProbeOutcome::NoMarkers,
        }
    }

    fn reap(child: &mut Child) -> Option<ExitStatus> {
        match child.wait() {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, "cannot reap the shell");
                None
            }
        }
    }

    fn detach_reaper(mut child: Child) {
        let spawned = thread::Builder::new()
            .name("shell-probe-reaper".into())
            .spawn(move || {
                let _ = child.wait();
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot start a reaper thread; the shell stays a zombie");
        }
    }

    /// What the stdout reader tells the probe when the kept output ends with a mark (the helper
    /// writes each block in one piece).
    struct Watch {
        /// The answer's mark: the helper's last words.
        answer: String,
        /// The environment's mark, when someone waits for the environment alone.
        env: Option<String>,
        tell: Sender<Ended>,
    }

    /// Drains `pipe` into `sink` (the bytes kept) and `scan` (startup files named in it),
    /// telling `watch` about the helper's blocks.
    fn spawn_reader<R: Read + Send + 'static>(
        name: &str,
        mut pipe: R,
        sink: Option<Tail>,
        scan: Option<Scan>,
        watch: Option<Watch>,
        done: Sender<()>,
    ) -> io::Result<()> {
        thread::Builder::new().name(name.into()).spawn(move || {
            let mut chunk = vec![0u8; 64 << 10];
            loop {
                match pipe.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => {
                        if let Some(sink) = &sink {
                            let mut kept = sink.lock().unwrap_or_else(PoisonError::into_inner);
                            kept.push(&chunk[..n]);
                            if let Some(w) = &watch {
                                if kept.ends_with(w.answer.as_bytes()) {
                                    let _ = w.tell.send(Ended::Answered);
                                } else if w
                                    .env
                                    .as_ref()
                                    .is_some_and(|m| kept.ends_with(m.as_bytes()))
                                {
                                    let _ = w.tell.send(Ended::EnvPrinted);
                                }
                            }
                        }
                        if let Some(scan) = &scan {
                            scan.lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .push(&chunk[..n]);
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        tracing::debug!(error = %e, "reading the shell's output failed");
                        break;
                    }
                }
            }
            let _ = done.send(());
        })?;
        Ok(())
    }

    /// Signals once the child has exited, leaving it a zombie (not reaped).
    fn spawn_waiter(pid: libc::pid_t, exited: Sender<Ended>) -> io::Result<thread::JoinHandle<()>> {
        let id = libc::id_t::try_from(pid).map_err(io::Error::other)?;
        thread::Builder::new()
            .name("shell-probe-waiter".into())
            .spawn(move || loop {
                // SAFETY: siginfo_t is a plain C struct; all-zero bytes are a valid value.
                let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
                // SAFETY: `info` is a valid, writable siginfo_t for the duration of the call.
                let rc = unsafe {
                    libc::waitid(libc::P_PID, id, &mut info, libc::WEXITED | libc::WNOWAIT)
                };
                if rc == 0 {
                    let _ = exited.send(Ended::Exited);
                    return;
                }
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    // ECHILD once the main thread reaped it; anything else: dropping the sender
                    // tells the main thread.
                    tracing::debug!(pid, error = %e, "waitid");
                    return;
                }
            })
    }

    /// SIGKILL to the shell's process group and, on Linux, to every process still in its
    /// session (background jobs an rc file moved to another group with `set -m`).
    fn kill_session(pid: libc::pid_t) {
        // SAFETY: killpg has no memory-safety preconditions. ESRCH (group already empty) is
        // the normal case after a clean exit.
        let rc = unsafe { libc::killpg(pid, libc::SIGKILL) };
        if rc == 0 {
            tracing::debug!(
                pgid = pid,
                "killed what was left of the shell's process group"
            );
        }
        #[cfg(target_os = "linux")]
        for other in linux_session_members(pid) {
            if other != pid {
                tracing::debug!(
                    pid = other,
                    session = pid,
                    "killing a leftover process of the shell's session"
                );
                // SAFETY: as above.
                unsafe { libc::kill(other, libc::SIGKILL) };
            }
        }
    }

    /// Processes whose session id is `sid`. /proc only enumerates the pids; getsid(2) asks for
    /// each one's session in one syscall, which keeps this sweep off the probe's critical path
    /// (reading every /proc/PID/stat cost milliseconds).
    #[cfg(target_os = "linux")]
    fn linux_session_members(sid: libc::pid_t) -> Vec<libc::pid_t> {
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        dir.filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str()?.parse::<libc::pid_t>().ok())
            // SAFETY: getsid only reads the target's session id; a vanished pid gives -1/ESRCH.
            .filter(|&p| unsafe { libc::getsid(p) } == sid)
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn status(raw: i32) -> Option<ExitStatus> {
            Some(ExitStatus::from_raw(raw))
        }

        #[test]
        fn classification() {
            let t = Duration::from_secs(10);
            assert_eq!(
                classify(true, false, None, t),
                ProbeOutcome::TimedOut { after_secs: 10 }
            );
            assert_eq!(
                classify(true, true, status(0), t),
                ProbeOutcome::TimedOut { after_secs: 10 }
            );
            assert_eq!(classify(false, true, status(1 << 8), t), ProbeOutcome::Ok);
            assert_eq!(
                classify(false, false, status(0), t),
                ProbeOutcome::NoMarkers
            );
            assert_eq!(
                classify(false, false, status(3 << 8), t),
                ProbeOutcome::Exited { code: 3 }
            );
            assert_eq!(
                classify(false, false, status(9), t),
                ProbeOutcome::Signalled { signal: 9 }
            );
            assert_eq!(
                classify(true, false, None, Duration::from_millis(1500)),
                ProbeOutcome::TimedOut { after_secs: 2 }
            );
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use super::*;

    pub(super) fn run(_opts: &ProbeOptions) -> Traced {
        let error = "the login-shell probe is only supported on Unix".to_string();
        Traced(ProbeOutcome::SpawnFailed { error }, None, Vec::new(), None)
    }

    pub(super) fn run_lines(_opts: &ProbeOptions, _mode: Trace) -> LineTrace {
        let error = "the login-shell probe is only supported on Unix".to_string();
        LineTrace {
            outcome: ProbeOutcome::SpawnFailed { error },
            env: None,
            lines: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::env;

    #[cfg(unix)]
    #[test]
    fn the_helper_beside_our_binary_is_preferred_when_it_can_run() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let own = dir.path().join("go-env-doctor");
        std::fs::write(&own, "").expect("own binary");
        std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(print_env_program(&own), own, "no helper: ourselves");
        let helper = dir.path().join(HELPER_NAME);
        std::fs::create_dir(&helper).expect("a directory under the helper's name");
        assert_eq!(
            print_env_program(&own),
            own,
            "a directory is not the helper"
        );
        std::fs::remove_dir(&helper).expect("rmdir");
        std::fs::write(&helper, "").expect("helper");
        assert_eq!(
            print_env_program(&own),
            own,
            "a helper that cannot be executed"
        );
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(print_env_program(&own), helper);
    }

    #[test]
    fn explicit_shell_wins() {
        let e = env(&[("SHELL", "/usr/bin/zsh")]);
        assert_eq!(
            resolve_shell(Some(Path::new("/bin/dash")), &e),
            PathBuf::from("/bin/dash")
        );
    }

    #[test]
    fn shell_variable_is_next() {
        let e = env(&[("SHELL", "/usr/bin/zsh")]);
        assert_eq!(resolve_shell(None, &e), PathBuf::from("/usr/bin/zsh"));
        assert_eq!(
            resolve_shell(Some(Path::new("")), &e),
            PathBuf::from("/usr/bin/zsh")
        );
    }

    #[test]
    fn bin_false_becomes_bash() {
        let e = env(&[("SHELL", "/bin/false")]);
        assert_eq!(resolve_shell(None, &e), PathBuf::from("/bin/bash"));
    }

    #[cfg(unix)]
    #[test]
    fn empty_shell_variable_falls_back_to_passwd() {
        // SAFETY: getuid cannot fail.
        let uid = unsafe { libc::getuid() };
        let expected = std::fs::read_to_string("/etc/passwd")
            .ok()
            .and_then(|text| {
                text.lines().find_map(|l| {
                    let f: Vec<&str> = l.split(':').collect();
                    (f.len() == 7 && f[2] == uid.to_string()).then(|| f[6].to_string())
                })
            })
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s == "/bin/false" {
                    "/bin/bash".to_string()
                } else {
                    s
                }
            })
            .unwrap_or_else(|| "/bin/sh".to_string());
        let got = resolve_shell(None, &env(&[("SHELL", "")]));
        assert_eq!(got, PathBuf::from(expected));
    }

    #[test]
    fn kinds() {
        assert_eq!(shell_kind(Path::new("/bin/bash")), ShellKind::Posix);
        assert_eq!(shell_kind(Path::new("/usr/bin/zsh")), ShellKind::Posix);
        assert_eq!(shell_kind(Path::new("/bin/ksh93")), ShellKind::Posix);
        assert_eq!(shell_kind(Path::new("-zsh")), ShellKind::Posix);
        assert_eq!(shell_kind(Path::new("/usr/bin/fish")), ShellKind::Fish);
        assert_eq!(shell_kind(Path::new("/bin/tcsh")), ShellKind::Csh);
        assert_eq!(shell_kind(Path::new("/bin/csh")), ShellKind::Csh);
        assert_eq!(
            shell_kind(Path::new("/opt/microsoft/powershell/7/pwsh")),
            ShellKind::PowerShell
        );
        assert_eq!(
            shell_kind(Path::new("PowerShell.exe")),
            ShellKind::PowerShell
        );
        assert_eq!(
            shell_kind(Path::new("/home/u/.cargo/bin/nu")),
            ShellKind::Nu
        );
    }

    fn args(kind: ShellKind, exe: &str) -> Vec<String> {
        shell_args(kind, Path::new(exe), "0123456789ab", None)
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn command_lines_per_shell() {
        let exe = "/opt/it's here/ged";
        assert_eq!(
            args(ShellKind::Posix, exe),
            [
                "-i",
                "-l",
                "-c",
                r"'/opt/it'\''s here/ged' __print-env 0123456789ab"
            ]
        );
        assert_eq!(
            args(ShellKind::Fish, r"/opt/it's\x/ged"),
            [
                "-i",
                "-l",
                "-c",
                r"'/opt/it\'s\\x/ged' __print-env 0123456789ab"
            ]
        );
        assert_eq!(
            args(ShellKind::Csh, "/opt/it's wow!/ged"),
            [
                "-i",
                "-c",
                r"'/opt/it'\''s wow\!/ged' __print-env 0123456789ab"
            ]
        );
        assert_eq!(
            args(ShellKind::PowerShell, exe),
            [
                "-Login",
                "-Command",
                "& '/opt/it''s here/ged' __print-env 0123456789ab"
            ]
        );
        assert_eq!(
            args(ShellKind::Nu, "/opt/x y/ged"),
            ["-l", "-i", "-c", "^'/opt/x y/ged' __print-env 0123456789ab"]
        );
        assert_eq!(
            args(ShellKind::Nu, exe),
            [
                "-l",
                "-i",
                "-c",
                "^`/opt/it's here/ged` __print-env 0123456789ab"
            ]
        );
    }

    #[test]
    fn marks_are_twelve_hex_chars_and_differ() {
        let a = new_mark();
        let b = new_mark();
        assert_eq!(a.len(), 12);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }

    const M: &str = "a1b2c3d4e5f6";

    #[test]
    fn extracts_between_marks_ignoring_noise() {
        let out = format!(
            "Welcome!\n{{\"PATH\":\"/evil\"}}\n{M}{{\"PATH\":\"/usr/bin\",\"GOPROXY\":\"x\"}}{M}\nbye {{\"PATH\":\"/evil2\"}}\n"
        );
        let env = extract_env(out.as_bytes(), M).expect("found");
        assert_eq!(env["PATH"], "/usr/bin");
        assert_eq!(env.len(), 2);
    }

    #[test]
    fn takes_the_last_block() {
        let out = format!("{M}{{\"A\":\"1\"}}{M}\n{M}{{\"A\":\"2\"}}{M}");
        assert_eq!(extract_env(out.as_bytes(), M).expect("found")["A"], "2");
    }

    #[test]
    fn a_mark_inside_a_value_does_not_confuse_it() {
        let out = format!(
            "{M}{{\"CMD\":\"ged __print-env {M}\",\"X\":\"{M}{{\\\"Y\\\":\\\"z\\\"}}{M}\"}}{M}"
        );
        let env = extract_env(out.as_bytes(), M).expect("found");
        assert_eq!(env["CMD"], format!("ged __print-env {M}"));
        assert!(env.contains_key("X"));
    }

    #[test]
    fn no_or_broken_block_is_none() {
        assert_eq!(extract_env(b"", M), None);
        assert_eq!(extract_env(b"hello {\"PATH\":\"/evil\"}", M), None);
        let truncated = format!("{M}{{\"PATH\":\"/usr/b");
        assert_eq!(extract_env(truncated.as_bytes(), M), None);
        let not_strings = format!("{M}{{\"PATH\":1}}{M}");
        assert_eq!(extract_env(not_strings.as_bytes(), M), None);
        assert_eq!(extract_env(b"xx{}xx", ""), None);
    }

    #[test]
    fn non_utf8_noise_around_the_block_is_fine() {
        let mut out = b"\xff\xfe banner\n".to_vec();
        out.extend_from_slice(format!("{M}{{\"A\":\"b\"}}{M}").as_bytes());
        out.extend_from_slice(b"\n\xc3");
        assert_eq!(extract_env(&out, M).expect("found")["A"], "b");
    }

    #[test]
    fn tail_keeps_the_end() {
        let t = tail(4);
        for chunk in [b"abc".as_slice(), b"defgh", b"ij"] {
            t.lock().unwrap_or_else(PoisonError::into_inner).push(chunk);
        }
        let (buf, dropped) = take(&t);
        assert_eq!(buf, b"ghij");
        assert_eq!(dropped, 6);
    }
}
